//! The file system holding a path: where it is mounted (a drive or volume on Windows),
//! the bytes free on it, and whether it is a network file system, where SQLite's
//! locking does not hold (DESIGN.md section 4).

use std::path::{Path, PathBuf};

/// The topmost folder above the existing `path` on the same file system: its mount
/// point (Unix), its volume's root (`C:\`, a mounted folder, `\\server\share\`).
#[cfg(unix)]
pub(crate) fn mount_point(path: &Path) -> PathBuf {
    use std::os::unix::fs::MetadataExt;
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let device = |p: &Path| std::fs::metadata(p).ok().map(|m| m.dev());
    let Some(dev) = device(&absolute) else {
        return absolute;
    };
    let mut mount = absolute.as_path();
    while let Some(parent) = mount.parent() {
        if device(parent) != Some(dev) {
            break;
        }
        mount = parent;
    }
    mount.to_path_buf()
}

/// Bytes available to the caller on the file system holding the existing `path`.
#[cfg(unix)]
pub(crate) fn free_bytes(path: &Path) -> Option<u64> {
    let stat = rustix::fs::statvfs(path).ok()?;
    Some(stat.f_bavail.saturating_mul(stat.f_frsize))
}

/// The kind of network file system holding the existing `path` (`NFS`, `SMB`, ...), or
/// `None` for a local one (or one that cannot be told).
#[cfg(target_os = "linux")]
pub(crate) fn network_kind(path: &Path) -> Option<String> {
    let stat = rustix::fs::statfs(path).ok()?;
    // The magic numbers of linux/magic.h, compared as the 32 bits they are.
    #[allow(clippy::unnecessary_cast)]
    let magic = (stat.f_type as u64) & 0xFFFF_FFFF;
    linux_network_kind(magic).map(str::to_owned)
}

/// The network file systems among Linux's file system magic numbers. FUSE is not one of
/// them (it is also ntfs-3g and encrypted folders), nor 9P (a virtual machine's shared
/// folders).
#[cfg(any(target_os = "linux", test))]
fn linux_network_kind(magic: u64) -> Option<&'static str> {
    Some(match magic {
        0x6969 => "NFS",
        0x517B | 0xFF53_4D42 | 0xFE53_4D42 => "SMB",
        0x5346_414F => "AFS",
        0x7375_7245 => "Coda",
        0x564C => "NCP",
        0x00C3_6400 => "Ceph",
        _ => return None,
    })
}

/// The kind of network file system holding the existing `path` (`smbfs`, `nfs`,
/// `afpfs`, `webdav`, ...): any that is not local (`MNT_LOCAL`).
#[cfg(target_os = "macos")]
pub(crate) fn network_kind(path: &Path) -> Option<String> {
    let stat = rustix::fs::statfs(path).ok()?;
    if stat.f_flags & (libc::MNT_LOCAL as u32) != 0 {
        return None;
    }
    // SAFETY: the kernel fills `f_fstypename` with a NUL-terminated name.
    let name = unsafe { std::ffi::CStr::from_ptr(stat.f_fstypename.as_ptr()) };
    Some(name.to_string_lossy().into_owned())
}

/// Other Unix systems: not told.
#[cfg(all(unix, not(any(target_os = "linux", target_os = "macos"))))]
pub(crate) fn network_kind(_path: &Path) -> Option<String> {
    None
}

/// The root of the volume holding `path` (`GetVolumePathNameW`): `C:\`, a folder a
/// volume is mounted on, `\\server\share\`; shown without the `\\?\` of a verbatim path.
#[cfg(windows)]
pub(crate) fn mount_point(path: &Path) -> PathBuf {
    use std::os::windows::ffi::OsStringExt;
    use windows_sys::Win32::Storage::FileSystem::GetVolumePathNameW;
    let Ok(name) = super::windows::wide(path) else { return path.to_path_buf() };
    let mut root = vec![0u16; name.len() + 1];
    let len = u32::try_from(root.len()).unwrap_or(u32::MAX);
    // SAFETY: `name` is NUL-terminated; `root` is ours, of the length given.
    if unsafe { GetVolumePathNameW(name.as_ptr(), root.as_mut_ptr(), len) } == 0 {
        return path.to_path_buf();
    }
    let end = root.iter().position(|&unit| unit == 0).unwrap_or(root.len());
    super::path::without_verbatim(&PathBuf::from(std::ffi::OsString::from_wide(&root[..end])))
}

/// Bytes available to the caller on the volume holding the existing `path`.
#[cfg(windows)]
pub(crate) fn free_bytes(path: &Path) -> Option<u64> {
    use windows_sys::Win32::Storage::FileSystem::GetDiskFreeSpaceExW;
    let folder = if path.is_dir() { path } else { path.parent()? };
    let name = super::windows::wide(folder).ok()?;
    let mut free = 0u64;
    // SAFETY: `name` is NUL-terminated; only the caller's free bytes are asked for.
    let ok = unsafe { GetDiskFreeSpaceExW(name.as_ptr(), &mut free, std::ptr::null_mut(), std::ptr::null_mut()) };
    (ok != 0).then_some(free)
}

/// Whether `path` is on a network share: a UNC path (`\\server\share\…`), or a drive
/// Windows says is remote (a mapped network drive).
#[cfg(windows)]
pub(crate) fn network_kind(path: &Path) -> Option<String> {
    use std::os::windows::ffi::OsStrExt;
    use windows_sys::Win32::Storage::FileSystem::GetDriveTypeW;
    use windows_sys::Win32::System::WindowsProgramming::DRIVE_REMOTE;
    let absolute = std::path::absolute(path).ok()?;
    if is_unc(&absolute.as_os_str().encode_wide().collect::<Vec<u16>>()) {
        return Some("a network share".to_owned());
    }
    let root = mount_point(&absolute);
    let mut name: Vec<u16> = root.as_os_str().encode_wide().collect();
    if name.last() != Some(&u16::from(b'\\')) {
        name.push(u16::from(b'\\'));
    }
    name.push(0);
    // SAFETY: `name` is NUL-terminated.
    (unsafe { GetDriveTypeW(name.as_ptr()) } == DRIVE_REMOTE).then(|| "a network drive".to_owned())
}

/// Whether wide path units name a UNC path (`\\server\…` or `\\?\UNC\…`), not a
/// device or a verbatim drive path.
#[cfg(any(windows, test))]
fn is_unc(units: &[u16]) -> bool {
    let text = |s: &str| s.encode_utf16().collect::<Vec<u16>>();
    let upper: Vec<u16> = units.iter().take(8).map(|&u| if (97..=122).contains(&u) { u - 32 } else { u }).collect();
    if upper.starts_with(&text(r"\\?\UNC\")) {
        return true;
    }
    units.starts_with(&text(r"\\")) && !units.starts_with(&text(r"\\?\")) && !units.starts_with(&text(r"\\.\"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_file_systems_are_told_from_local_ones() {
        assert_eq!(linux_network_kind(0x6969), Some("NFS"));
        assert_eq!(linux_network_kind(0xFF53_4D42), Some("SMB"));
        assert_eq!(linux_network_kind(0xEF53), None, "ext4");
        assert_eq!(linux_network_kind(0x0102_1994), None, "tmpfs");
        let units = |s: &str| s.encode_utf16().collect::<Vec<u16>>();
        assert!(is_unc(&units(r"\\nas\audio\ledger.sqlite3")));
        assert!(is_unc(&units(r"\\?\UNC\nas\audio\ledger.sqlite3")));
        assert!(is_unc(&units(r"\\?\unc\nas\audio\ledger.sqlite3")));
        assert!(!is_unc(&units(r"\\?\C:\ledger.sqlite3")));
        assert!(!is_unc(&units(r"C:\ledger.sqlite3")));
    }

    #[test]
    fn a_local_folder_is_not_a_network_file_system_and_has_room() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(network_kind(dir.path()), None);
        assert!(free_bytes(dir.path()).is_some_and(|free| free > 0));
        let root = mount_point(dir.path());
        assert!(dir.path().canonicalize().unwrap().starts_with(root.canonicalize().unwrap()), "{root:?}");
    }
}
