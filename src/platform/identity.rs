//! A file as the file system knows it: which file it is (device and inode; on Windows
//! the volume's serial number and the file index), how many names it has, its size and
//! times. The rerun cache knows a file again by it, and a master with other hard links
//! is refused by its link count.

use std::io;
use std::path::Path;

/// What the file system says of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileInfo {
    /// The device (Unix `st_dev`) or the volume's serial number (Windows).
    pub device: u64,
    /// The inode (Unix) or the file index (Windows), unique on its device.
    pub index: u64,
    /// The number of names (hard links) the file has.
    pub links: u64,
    /// Length in bytes.
    pub len: u64,
    /// Last modification, nanoseconds since 1970.
    pub modified_ns: i128,
    /// Last change of the file's metadata or data (Unix `ctime`, Windows `ChangeTime`),
    /// nanoseconds since 1970: no user can set it back.
    pub changed_ns: i128,
}

/// What the file system says of the file at `path` (following symlinks).
#[cfg(unix)]
pub(crate) fn of(path: &Path) -> io::Result<FileInfo> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path)?;
    let ns = |seconds: i64, nanos: i64| i128::from(seconds) * 1_000_000_000 + i128::from(nanos);
    Ok(FileInfo {
        device: m.dev(),
        index: m.ino(),
        links: m.nlink(),
        len: m.len(),
        modified_ns: ns(m.mtime(), m.mtime_nsec()),
        changed_ns: ns(m.ctime(), m.ctime_nsec()),
    })
}

/// What the file system says of the file at `path` (following symlinks): from
/// `GetFileInformationByHandle` (volume serial number, file index, links, size) and the
/// file's basic information (`ChangeTime`, which the first does not give).
#[cfg(windows)]
pub(crate) fn of(path: &Path) -> io::Result<FileInfo> {
    use std::os::windows::io::AsRawHandle;

    use windows_sys::Win32::Storage::FileSystem::{
        BY_HANDLE_FILE_INFORMATION, FILE_BASIC_INFO, FILE_READ_ATTRIBUTES, FileBasicInfo, GetFileInformationByHandle,
        GetFileInformationByHandleEx,
    };

    use super::windows::{check, nanoseconds_since_1970, open};

    let file = open(path, FILE_READ_ATTRIBUTES)?;
    let handle = file.as_raw_handle();
    let mut info = BY_HANDLE_FILE_INFORMATION::default();
    // SAFETY: `handle` is open for as long as `file` lives; `info` is ours, of the size
    // the call writes.
    check(unsafe { GetFileInformationByHandle(handle, &mut info) })?;
    let mut basic = FILE_BASIC_INFO::default();
    let size = u32::try_from(std::mem::size_of::<FILE_BASIC_INFO>()).unwrap_or(u32::MAX);
    // SAFETY: as above; the buffer is a FILE_BASIC_INFO of the size given.
    check(unsafe { GetFileInformationByHandleEx(handle, FileBasicInfo, (&raw mut basic).cast(), size) })?;
    let join = |high: u32, low: u32| (u64::from(high) << 32) | u64::from(low);
    Ok(FileInfo {
        device: u64::from(info.dwVolumeSerialNumber),
        index: join(info.nFileIndexHigh, info.nFileIndexLow),
        links: u64::from(info.nNumberOfLinks),
        len: join(info.nFileSizeHigh, info.nFileSizeLow),
        modified_ns: nanoseconds_since_1970(basic.LastWriteTime),
        changed_ns: nanoseconds_since_1970(basic.ChangeTime),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_renamed_file_is_the_same_file_and_a_copy_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("take 1.wav");
        std::fs::write(&first, b"audio").unwrap();
        let before = of(&first).unwrap();
        assert_eq!((before.len, before.links), (5, 1));
        let renamed = dir.path().join("Take 1 (final) é.wav");
        std::fs::rename(&first, &renamed).unwrap();
        let after = of(&renamed).unwrap();
        assert_eq!((after.device, after.index), (before.device, before.index), "a rename keeps the file");
        assert_eq!(after.modified_ns, before.modified_ns);
        let copy = dir.path().join("copy.wav");
        std::fs::copy(&renamed, &copy).unwrap();
        let other = of(&copy).unwrap();
        assert_eq!(other.device, before.device);
        assert_ne!(other.index, before.index, "a copy is another file");
    }

    #[test]
    fn hard_links_are_counted() {
        let dir = tempfile::tempdir().unwrap();
        let master = dir.path().join("master.wav");
        std::fs::write(&master, b"x").unwrap();
        std::fs::hard_link(&master, dir.path().join("also.wav")).unwrap();
        let info = of(&master).unwrap();
        assert_eq!(info.links, 2);
        assert_eq!(of(&dir.path().join("also.wav")).unwrap().index, info.index);
    }

    #[test]
    fn writing_a_file_changes_its_change_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        std::fs::write(&path, b"one").unwrap();
        let before = of(&path).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&path, b"two").unwrap();
        let after = of(&path).unwrap();
        assert!(after.changed_ns > before.changed_ns, "{before:?} {after:?}");
        assert!(after.changed_ns > 1_500_000_000_000_000_000, "a time since 1970 in nanoseconds");
    }
}
