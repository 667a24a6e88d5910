//! Giving a file its blocks ahead, while there is room: SQLite maps its WAL index
//! (`-shm`) into memory, and a write into a mapped page the disk cannot back kills the
//! process (SIGBUS; an in-page error on Windows) instead of failing with an error.

use std::fs::File;
use std::io;

/// Gives `file` blocks for its first `len` bytes, growing it to `len` if shorter.
/// `Ok(true)`: done; `Ok(false)`: the file system cannot be asked (its own writes are
/// all there is); an error: a full disk ([`crate::base::fsinfo::is_full`]) or another failure.
#[cfg(unix)]
pub(crate) fn allocate(file: &File, len: u64) -> io::Result<bool> {
    match rustix::fs::fallocate(file, rustix::fs::FallocateFlags::empty(), 0, len) {
        Ok(()) => Ok(true),
        Err(rustix::io::Errno::OPNOTSUPP | rustix::io::Errno::NOSYS) => Ok(false),
        Err(error) => Err(io::Error::from(error)),
    }
}

/// Gives `file` clusters for its first `len` bytes (`FileAllocationInfo`), growing it
/// to `len` if shorter.
#[cfg(windows)]
pub(crate) fn allocate(file: &File, len: u64) -> io::Result<bool> {
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::Foundation::{
        ERROR_CALL_NOT_IMPLEMENTED, ERROR_INVALID_FUNCTION, ERROR_INVALID_PARAMETER, ERROR_NOT_SUPPORTED,
    };
    use windows_sys::Win32::Storage::FileSystem::{
        FILE_ALLOCATION_INFO, FileAllocationInfo, SetFileInformationByHandle,
    };
    let info = FILE_ALLOCATION_INFO { AllocationSize: i64::try_from(len).map_err(io::Error::other)? };
    let size = u32::try_from(std::mem::size_of::<FILE_ALLOCATION_INFO>()).unwrap_or(u32::MAX);
    // SAFETY: the handle is open for writing as long as `file` is borrowed; `info` is a
    // FILE_ALLOCATION_INFO of the size given.
    let ok =
        unsafe { SetFileInformationByHandle(file.as_raw_handle(), FileAllocationInfo, (&raw const info).cast(), size) };
    if ok == 0 {
        let error = io::Error::last_os_error();
        let unsupported =
            [ERROR_INVALID_FUNCTION, ERROR_NOT_SUPPORTED, ERROR_INVALID_PARAMETER, ERROR_CALL_NOT_IMPLEMENTED];
        return match error.raw_os_error().and_then(|code| u32::try_from(code).ok()) {
            Some(code) if unsupported.contains(&code) => Ok(false),
            _ => Err(error),
        };
    }
    // The allocation reserves the clusters; the length makes them the file's.
    if file.metadata()?.len() < len {
        file.set_len(len)?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_given_room_for_its_length() {
        let dir = tempfile::tempdir().unwrap();
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(dir.path().join("x-shm"))
            .unwrap();
        if allocate(&file, 256 * 1024).unwrap() {
            assert_eq!(file.metadata().unwrap().len(), 256 * 1024);
        }
    }
}
