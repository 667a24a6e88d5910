//! The atomic, durable rename of a finished file over its target, and of a finished
//! folder into place (`base::replace` builds the one replace every output uses on it).
//!
//! - Unix: `rename`, then the folder is flushed (`fsync`; `F_FULLFSYNC` on macOS), so
//!   that the rename itself survives a power cut.
//! - Windows: `MoveFileExW` with `MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH`,
//!   an atomic rename on the volume that returns once it is on the disk. A read-only
//!   target is replaced as a rename replaces it on Unix (the rename needs its
//!   read-only attribute cleared first; it is given back if the rename fails, and the
//!   new file carries the attributes it was given).

use std::io;
use std::path::Path;

/// Renames the finished file `from` over `to` (replacing it) atomically. Does not flush
/// the folder: see [`sync_folder`].
#[cfg(unix)]
pub(crate) fn rename_over(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::rename(from, to)
}

/// Flushes the entries of `folder` (a rename or a new file in it) to the disk.
#[cfg(unix)]
pub(crate) fn sync_folder(folder: &Path) -> io::Result<()> {
    std::fs::File::open(folder)?.sync_all()
}

/// Renames the finished folder `from` to `to`, which must not exist or be an empty
/// folder, atomically. Does not flush the parent: see [`sync_folder`].
#[cfg(unix)]
pub(crate) fn rename_folder(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::rename(from, to)
}

/// The original of a replace, held open until it has been replaced: freeing a replaced
/// file (dropping its cached pages, releasing its blocks) takes Linux milliseconds; done
/// inside the rename it would hold the folder's lock, and the renames of a batch would
/// wait for one another. Held open, the original is freed when the handle closes, on
/// the thread that replaced it, beside the others.
#[cfg(unix)]
pub(crate) fn hold(original: &Path) -> io::Result<Option<std::fs::File>> {
    std::fs::File::open(original).map(Some)
}

/// The original of a replace is not held on Windows: a file open elsewhere, even shared
/// for deleting, cannot be renamed over.
#[cfg(windows)]
pub(crate) fn hold(_original: &Path) -> io::Result<Option<std::fs::File>> {
    Ok(None)
}

/// Renames the finished file `from` over `to` (replacing it) atomically and durably.
#[cfg(windows)]
pub(crate) fn rename_over(from: &Path, to: &Path) -> io::Result<()> {
    use windows_sys::Win32::Foundation::ERROR_ACCESS_DENIED;
    use windows_sys::Win32::Storage::FileSystem::{
        FILE_ATTRIBUTE_NORMAL, FILE_ATTRIBUTE_READONLY, GetFileAttributesW, INVALID_FILE_ATTRIBUTES,
        MOVEFILE_REPLACE_EXISTING, SetFileAttributesW,
    };
    let target = super::windows::wide(to)?;
    match move_file(from, to, MOVEFILE_REPLACE_EXISTING) {
        Err(error) if error.raw_os_error() == Some(ERROR_ACCESS_DENIED as i32) => {
            // SAFETY: `target` is NUL-terminated.
            let attributes = unsafe { GetFileAttributesW(target.as_ptr()) };
            if attributes == INVALID_FILE_ATTRIBUTES || attributes & FILE_ATTRIBUTE_READONLY == 0 {
                return Err(error);
            }
            let writable = match attributes & !FILE_ATTRIBUTE_READONLY {
                0 => FILE_ATTRIBUTE_NORMAL,
                other => other,
            };
            // SAFETY: as above.
            super::windows::check(unsafe { SetFileAttributesW(target.as_ptr(), writable) })?;
            move_file(from, to, MOVEFILE_REPLACE_EXISTING).inspect_err(|_| {
                // SAFETY: as above.
                unsafe { SetFileAttributesW(target.as_ptr(), attributes) };
            })
        }
        other => other,
    }
}

/// Flushes the entries of `folder` to the disk (`FlushFileBuffers` on the folder).
/// A file system that cannot flush a folder (FAT, some network shares) has its renames
/// made durable by their write-through alone.
#[cfg(windows)]
pub(crate) fn sync_folder(folder: &Path) -> io::Result<()> {
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::Foundation::{ERROR_INVALID_FUNCTION, ERROR_NOT_SUPPORTED};
    use windows_sys::Win32::Storage::FileSystem::{FILE_ADD_FILE, FlushFileBuffers};
    let handle = super::windows::open(folder, FILE_ADD_FILE)?;
    // SAFETY: the handle is open for as long as `handle` lives.
    match super::windows::check(unsafe { FlushFileBuffers(handle.as_raw_handle()) }) {
        Err(error)
            if [ERROR_INVALID_FUNCTION, ERROR_NOT_SUPPORTED]
                .iter()
                .any(|&code| error.raw_os_error() == Some(code as i32)) =>
        {
            Ok(())
        }
        other => other,
    }
}

/// Renames the finished folder `from` to `to`, which must not exist or be an empty
/// folder (removed first: Windows renames no folder over another).
#[cfg(windows)]
pub(crate) fn rename_folder(from: &Path, to: &Path) -> io::Result<()> {
    if to.is_dir() {
        std::fs::remove_dir(to)?;
    }
    move_file(from, to, 0)
}

/// `MoveFileExW` with write-through and `flags`.
#[cfg(windows)]
fn move_file(from: &Path, to: &Path, flags: u32) -> io::Result<()> {
    use windows_sys::Win32::Storage::FileSystem::{MOVEFILE_WRITE_THROUGH, MoveFileExW};
    let (from, to) = (super::windows::wide(from)?, super::windows::wide(to)?);
    // SAFETY: both names are NUL-terminated.
    super::windows::check(unsafe { MoveFileExW(from.as_ptr(), to.as_ptr(), flags | MOVEFILE_WRITE_THROUGH) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_renamed_over_another_and_a_folder_into_an_empty_one() {
        let dir = tempfile::tempdir().unwrap();
        let (new, old) = (dir.path().join("new"), dir.path().join("old"));
        std::fs::write(&new, b"new").unwrap();
        std::fs::write(&old, b"old").unwrap();
        rename_over(&new, &old).unwrap();
        assert_eq!(std::fs::read(&old).unwrap(), b"new");
        assert!(!new.exists());
        sync_folder(dir.path()).unwrap();

        let (made, image) = (dir.path().join("made"), dir.path().join("image"));
        std::fs::create_dir(&made).unwrap();
        std::fs::write(made.join("DDPID"), b"x").unwrap();
        std::fs::create_dir(&image).unwrap();
        rename_folder(&made, &image).unwrap();
        assert_eq!(std::fs::read(image.join("DDPID")).unwrap(), b"x");
        let other = dir.path().join("other");
        std::fs::create_dir(&other).unwrap();
        assert!(rename_folder(&other, &image).is_err(), "a folder with files is never replaced");
        assert!(image.join("DDPID").exists() && other.exists());
    }

    /// Replacing a read-only file, as a rename does on Unix: the new file takes the
    /// name; what attributes it has are the ones it was given.
    #[cfg(windows)]
    #[test]
    fn a_read_only_file_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let (new, old) = (dir.path().join("new.cue"), dir.path().join("old.cue"));
        std::fs::write(&new, b"new").unwrap();
        std::fs::write(&old, b"old").unwrap();
        let mut read_only = std::fs::metadata(&old).unwrap().permissions();
        read_only.set_readonly(true);
        std::fs::set_permissions(&old, read_only).unwrap();
        rename_over(&new, &old).unwrap();
        assert_eq!(std::fs::read(&old).unwrap(), b"new");
    }
}
