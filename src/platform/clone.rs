//! Copying a whole file into a new one, for a tag library that edits the copy in place:
//! cloned where the file system shares blocks between files (APFS: `fclonefileat`), in
//! the kernel on Linux (`copy_file_range`, itself a reflink on Btrfs and XFS), and
//! otherwise copied.

use std::fs::File;
use std::io::{self, Seek, SeekFrom};

/// Copies the whole of `source` into `target`, an empty file just made, and leaves
/// `target` at its start.
#[cfg(not(target_os = "macos"))]
pub(crate) fn copy_whole(source: &mut File, target: &mut File) -> io::Result<()> {
    source.seek(SeekFrom::Start(0))?;
    io::copy(source, target)?;
    target.seek(SeekFrom::Start(0))?;
    Ok(())
}

/// Copies the whole of `source` into `target`, an empty file just made, and leaves
/// `target` at its start. On APFS the copy is a clone: made beside `target` with
/// `fclonefileat`, renamed to `target`'s name, and put behind `target`'s own descriptor
/// (`dup2`), so the caller's file (and its temporary name) is the clone. Where cloning
/// cannot be done (another file system, another volume), the bytes are copied.
#[cfg(target_os = "macos")]
pub(crate) fn copy_whole(source: &mut File, target: &mut File) -> io::Result<()> {
    source.seek(SeekFrom::Start(0))?;
    if target.metadata()?.len() == 0 && clone_into(source, target).is_ok() {
        target.seek(SeekFrom::Start(0))?;
        return Ok(());
    }
    io::copy(source, target)?;
    target.seek(SeekFrom::Start(0))?;
    Ok(())
}

/// Makes `target` (by its descriptor and its name) a clone of `source`.
#[cfg(target_os = "macos")]
fn clone_into(source: &File, target: &File) -> io::Result<()> {
    use std::ffi::{CStr, CString, OsStr};
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;
    let cvt = |status: libc::c_int| if status == -1 { Err(io::Error::last_os_error()) } else { Ok(status) };
    // The target's path, from its descriptor.
    let mut buffer = vec![0 as libc::c_char; libc::PATH_MAX as usize];
    // SAFETY: F_GETPATH writes a NUL-terminated path of at most PATH_MAX bytes.
    cvt(unsafe { libc::fcntl(target.as_raw_fd(), libc::F_GETPATH, buffer.as_mut_ptr()) })?;
    // SAFETY: filled above, NUL-terminated.
    let target_path = unsafe { CStr::from_ptr(buffer.as_ptr()) }.to_bytes().to_vec();
    // The clone's name: the target's, before its `.tmp`, so a killed run's clone is
    // removed like every temporary file of that run.
    let stem = target_path.strip_suffix(b".tmp").unwrap_or(&target_path);
    let clone_path = CString::new([stem, b"-clone.tmp"].concat()).map_err(io::Error::other)?;
    let target_c = CString::new(target_path.clone()).map_err(io::Error::other)?;
    // SAFETY: the source descriptor is open; the path is NUL-terminated.
    cvt(unsafe { libc::fclonefileat(source.as_raw_fd(), libc::AT_FDCWD, clone_path.as_ptr(), 0) })?;
    let cleanup = |error: io::Error| {
        let _ = std::fs::remove_file(OsStr::from_bytes(clone_path.as_bytes()));
        error
    };
    // SAFETY: both paths are NUL-terminated.
    cvt(unsafe { libc::rename(clone_path.as_ptr(), target_c.as_ptr()) }).map_err(cleanup)?;
    let clone = std::fs::OpenOptions::new().read(true).write(true).open(OsStr::from_bytes(&target_path))?;
    // SAFETY: both descriptors are open; `dup2` makes the target's descriptor refer to
    // the clone (closing what it referred to, the empty file renamed over), and the
    // clone's own descriptor is closed when `clone` drops.
    cvt(unsafe { libc::dup2(clone.as_raw_fd(), target.as_raw_fd()) })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn the_whole_file_is_copied_and_the_copy_is_left_at_its_start() {
        let dir = tempfile::tempdir().unwrap();
        let mut source = tempfile::tempfile_in(dir.path()).unwrap();
        source.write_all(&[7u8; 100_000]).unwrap();
        let mut target = tempfile::NamedTempFile::new_in(dir.path()).unwrap();
        copy_whole(&mut source, target.as_file_mut()).unwrap();
        let mut copied = Vec::new();
        target.as_file_mut().read_to_end(&mut copied).unwrap();
        assert_eq!(copied, vec![7u8; 100_000]);
        assert_eq!(std::fs::read(target.path()).unwrap().len(), 100_000, "the name holds the copy too");
    }
}
