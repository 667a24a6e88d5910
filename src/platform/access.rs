//! Whether the caller may write a file, or create files in a folder, by its real
//! access: not the mode bits or the read-only attribute, which say nothing of owners,
//! groups, ACLs or another program holding the file.

use std::io;
use std::path::Path;

/// Why the caller may not do something, as a short phrase for an error message.
#[derive(Debug)]
pub(crate) struct Denied(pub String);

/// Whether the caller may write the file at `path` (and, on Windows, replace it: delete
/// access, and no other program holding it open without sharing it).
#[cfg(unix)]
pub(crate) fn may_write(path: &Path) -> Result<(), Denied> {
    use rustix::fs::{Access, AtFlags, CWD};
    rustix::fs::accessat(CWD, path, Access::WRITE_OK, AtFlags::EACCESS).map_err(describe)
}

/// Whether the caller may create files in `folder` (and reach them).
#[cfg(unix)]
pub(crate) fn may_create_in(folder: &Path) -> Result<(), Denied> {
    use rustix::fs::{Access, AtFlags, CWD};
    rustix::fs::accessat(CWD, folder, Access::WRITE_OK | Access::EXEC_OK, AtFlags::EACCESS).map_err(describe)
}

/// An errno as a short phrase.
#[cfg(unix)]
fn describe(error: rustix::io::Errno) -> Denied {
    Denied(match error {
        rustix::io::Errno::ACCESS | rustix::io::Errno::PERM => "permission denied".to_owned(),
        rustix::io::Errno::ROFS => "the file system is read-only".to_owned(),
        other => io::Error::from(other).to_string(),
    })
}

/// Whether the caller may write the file at `path` and replace it: an open for writing
/// and deleting (what a rename over it needs; granted also by the folder's right to
/// delete its children), sharing everything. A file another program holds open
/// without letting others delete it cannot be replaced, and is named as such.
#[cfg(windows)]
pub(crate) fn may_write(path: &Path) -> Result<(), Denied> {
    use windows_sys::Win32::Storage::FileSystem::{DELETE, FILE_WRITE_DATA};
    super::windows::open(path, FILE_WRITE_DATA | DELETE).map(drop).map_err(describe)
}

/// Whether the caller may create files in `folder`.
#[cfg(windows)]
pub(crate) fn may_create_in(folder: &Path) -> Result<(), Denied> {
    use windows_sys::Win32::Storage::FileSystem::FILE_ADD_FILE;
    super::windows::open(folder, FILE_ADD_FILE).map(drop).map_err(describe)
}

/// A Win32 error as a short phrase.
#[cfg(windows)]
fn describe(error: io::Error) -> Denied {
    use windows_sys::Win32::Foundation::{ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_WRITE_PROTECT};
    let code = error.raw_os_error().and_then(|code| u32::try_from(code).ok());
    Denied(match code {
        Some(ERROR_ACCESS_DENIED) => "permission denied".to_owned(),
        Some(ERROR_SHARING_VIOLATION) => {
            "another program has it open and does not let it be replaced; close it there".to_owned()
        }
        Some(ERROR_WRITE_PROTECT) => "the disk is write-protected".to_owned(),
        _ => error.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_and_folder_of_ones_own_may_be_written() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.wav");
        std::fs::write(&file, b"x").unwrap();
        assert!(may_write(&file).is_ok());
        assert!(may_create_in(dir.path()).is_ok());
        assert!(may_write(&dir.path().join("missing.wav")).is_err());
    }

    /// A file another program holds open without sharing it cannot be replaced.
    #[cfg(windows)]
    #[test]
    fn a_file_held_open_without_sharing_is_named_as_such() {
        use std::os::windows::fs::OpenOptionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.wav");
        std::fs::write(&file, b"x").unwrap();
        let held = std::fs::OpenOptions::new().read(true).share_mode(0).open(&file).unwrap();
        let denied = may_write(&file).unwrap_err();
        assert!(denied.0.contains("another program has it open"), "{}", denied.0);
        drop(held);
        assert!(may_write(&file).is_ok());
    }
}
