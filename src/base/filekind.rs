//! What kind of entry a path is (a regular file, a folder, a named pipe, a socket, a
//! device), and opening a file only when it is a regular one.
//!
//! A named pipe never ends and blocks whoever opens it until a writer comes; a device
//! such as `/dev/zero` never ends either. Whatever isrc-stamp reads as a file (masters,
//! a DDP image's files, a checksum file's entries) is opened through [`open_regular`],
//! which neither blocks on a pipe nor reads a device: it opens without waiting
//! (`O_NONBLOCK`), then asks the open file what it is, and refuses anything but a
//! regular file with the kind named.

use std::fs::{File, FileType, Metadata};
use std::io;
use std::path::Path;

/// What kind of entry a file type is, as a phrase for messages: "a named pipe (FIFO)",
/// "a socket", "a character device", "a block device"; `None` for a regular file or a
/// folder.
pub(crate) fn special_kind(file_type: &FileType) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
        if file_type.is_char_device() {
            return Some("a character device");
        }
        if file_type.is_block_device() {
            return Some("a block device");
        }
    }
    if file_type.is_file() || file_type.is_dir() {
        None
    } else if file_type.is_symlink() {
        Some("a symlink that leads nowhere")
    } else {
        Some("not a regular file")
    }
}

/// Opens the file at `path` for reading when it is a regular file (symlinks followed);
/// anything else is refused with an error naming its kind, without blocking on a
/// named pipe or reading a device.
pub(crate) fn open_regular(path: &Path) -> io::Result<File> {
    let file = open_without_waiting(path)?;
    let metadata = file.metadata()?;
    refuse_special(&metadata)?;
    restore_blocking(&file)?;
    Ok(file)
}

/// The text of the regular file at `path` (at most `limit` bytes; a longer file is an
/// error): for the small files a user names (an order file, a gaps file), which must not
/// hang on a named pipe or fill memory from a device.
pub(crate) fn read_text(path: &Path, limit: u64) -> io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    open_regular(path)?.take(limit + 1).read_to_string(&mut text)?;
    if text.len() as u64 > limit {
        return Err(io::Error::new(io::ErrorKind::InvalidData, format!("longer than {} KiB", limit >> 10)));
    }
    Ok(text)
}

/// An error unless `metadata` is a regular file's.
pub(crate) fn refuse_special(metadata: &Metadata) -> io::Result<()> {
    if metadata.is_file() {
        return Ok(());
    }
    let kind = if metadata.is_dir() { "a folder" } else { special_kind(&metadata.file_type()).unwrap_or("special") };
    Err(io::Error::new(io::ErrorKind::InvalidInput, format!("not a regular file: it is {kind}")))
}

#[cfg(unix)]
fn open_without_waiting(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)
}

#[cfg(not(unix))]
fn open_without_waiting(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// Clears `O_NONBLOCK` again: a regular file reads the same either way, but the file
/// is handed on to readers that expect an ordinary descriptor.
#[cfg(unix)]
fn restore_blocking(file: &File) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this function's caller owns; F_GETFL and F_SETFL
    // read and set its status flags only.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above.
    if unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(not(unix))]
fn restore_blocking(_: &File) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_pipe_and_a_device_are_refused_at_once_and_a_file_is_opened() {
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("pipe");
        assert!(std::process::Command::new("mkfifo").arg(&pipe).status().unwrap().success());
        let started = std::time::Instant::now();
        let error = open_regular(&pipe).unwrap_err().to_string();
        assert!(error.contains("a named pipe (FIFO)"), "{error}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "opening a pipe did not wait for a writer");
        let error = open_regular(Path::new("/dev/zero")).unwrap_err().to_string();
        assert!(error.contains("a character device"), "{error}");
        assert!(open_regular(dir.path()).unwrap_err().to_string().contains("a folder"));
        let file = dir.path().join("f");
        std::fs::write(&file, b"abc").unwrap();
        let mut text = String::new();
        io::Read::read_to_string(&mut open_regular(&file).unwrap(), &mut text).unwrap();
        assert_eq!(text, "abc");
    }
}
