//! What the Windows code of every concern shares: paths as Win32 wants them, opening a
//! file or folder with exactly the access a call needs, and times.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::windows::ffi::OsStrExt;
use std::os::windows::fs::OpenOptionsExt;
use std::path::Path;

use windows_sys::Win32::Storage::FileSystem::{
    FILE_FLAG_BACKUP_SEMANTICS, FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE,
};

/// `path` as a NUL-terminated wide string for a Win32 call: absolute and verbatim
/// (`\\?\C:\…`, `\\?\UNC\server\share\…`), so that no length limit (`MAX_PATH`) applies
/// and no name is rewritten on the way (a verbatim path is taken as it is).
pub(super) fn wide(path: &Path) -> io::Result<Vec<u16>> {
    let absolute = std::path::absolute(path)?;
    let units: Vec<u16> = absolute.as_os_str().encode_wide().collect();
    let mut out = verbatim(&units);
    out.push(0);
    Ok(out)
}

/// An absolute path's wide units made verbatim: `\\?\` and `\\.\` paths as they are, a
/// UNC path `\\server\share\…` as `\\?\UNC\server\share\…`, a drive path `C:\…` as
/// `\\?\C:\…`.
pub(super) fn verbatim(units: &[u16]) -> Vec<u16> {
    let text = |s: &str| s.encode_utf16().collect::<Vec<u16>>();
    let starts = |prefix: &str| units.starts_with(&text(prefix));
    if starts(r"\\?\") || starts(r"\\.\") {
        units.to_vec()
    } else if starts(r"\\") {
        [text(r"\\?\UNC\"), units[2..].to_vec()].concat()
    } else {
        [text(r"\\?\"), units.to_vec()].concat()
    }
}

/// Every share mode: opening never stands in another program's way.
pub(super) const SHARE_ALL: u32 = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

/// Opens the file or folder at `path` (following links) with exactly `access`, sharing
/// everything; a folder too (`FILE_FLAG_BACKUP_SEMANTICS`).
pub(super) fn open(path: &Path, access: u32) -> io::Result<File> {
    OpenOptions::new().access_mode(access).share_mode(SHARE_ALL).custom_flags(FILE_FLAG_BACKUP_SEMANTICS).open(path)
}

/// Hundreds of nanoseconds between 1601 (Windows' epoch) and 1970.
const EPOCH_DIFFERENCE: i128 = 116_444_736_000_000_000;

/// A Windows time (hundreds of nanoseconds since 1601) in nanoseconds since 1970.
pub(super) fn nanoseconds_since_1970(time: i64) -> i128 {
    (i128::from(time) - EPOCH_DIFFERENCE) * 100
}

/// The error of the last Win32 call, when `ok` says it failed.
pub(super) fn check(ok: i32) -> io::Result<()> {
    if ok == 0 { Err(io::Error::last_os_error()) } else { Ok(()) }
}

/// Sets the attributes of the file at `path` (`SetFileAttributesW`), for tests.
#[cfg(test)]
pub(crate) fn set_attributes(path: &Path, attributes: u32) -> io::Result<()> {
    use windows_sys::Win32::Storage::FileSystem::SetFileAttributesW;
    let name = wide(path)?;
    // SAFETY: `name` is NUL-terminated.
    check(unsafe { SetFileAttributesW(name.as_ptr(), attributes) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    #[test]
    fn paths_are_made_verbatim_for_drives_and_shares() {
        assert_eq!(verbatim(&units(r"C:\masters\a.wav")), units(r"\\?\C:\masters\a.wav"));
        assert_eq!(verbatim(&units(r"\\nas\audio\a.wav")), units(r"\\?\UNC\nas\audio\a.wav"));
        assert_eq!(verbatim(&units(r"\\?\C:\a.wav")), units(r"\\?\C:\a.wav"));
        assert_eq!(verbatim(&units(r"\\.\pipe\x")), units(r"\\.\pipe\x"));
        let long = format!(r"C:\{}\a.wav", "d".repeat(300));
        let wide = wide(Path::new(&long)).unwrap();
        assert_eq!(wide[..4], units(r"\\?\")[..], "a long path is verbatim");
        assert_eq!(wide.last(), Some(&0));
    }
}
