//! Where isrc-stamp meets the operating system. Linux, macOS and Windows keep the same
//! promises (DESIGN.md section 11), each in its own form; every difference between them
//! lives below here, one interface per concern, and `#[cfg]` appears only here (and in
//! `write/direct_io.rs`, which is Linux's `O_DIRECT`, with ordinary I/O elsewhere).
//!
//! - [`identity`]: a file as the file system knows it: device (volume serial number on
//!   Windows), inode (file index), link count, size, modification and change times.
//! - [`access`]: whether the caller may write a file and create files in a folder, by
//!   its real access (`faccessat` with the effective ids; on Windows, an open for
//!   writing and deleting, which also meets another program holding the file).
//! - [`keep`]: what a file has besides its bytes, read from the original and given to
//!   the tagged copy before it replaces it: owner, group, mode and extended attributes
//!   (ACLs included) on Linux; the same and the file flags and ACL on macOS, where
//!   Finder info, quarantine and resource forks are extended attributes; attributes,
//!   creation time, security descriptor (owner, group, DACL) and alternate data
//!   streams on Windows.
//! - [`replace`]: the atomic, durable rename of a finished file over its target (rename,
//!   then the folder flushed; `MoveFileExW` with write-through on Windows), flushing a
//!   folder, renaming a finished folder into place.
//! - [`volume`]: the file system holding a path: where it is mounted, the bytes free on
//!   it, and whether it is a network file system (where SQLite's locking does not hold).
//! - [`space`]: giving a file its blocks ahead (`fallocate`, `F_PREALLOCATE`, an NTFS
//!   allocation), so that a full disk is met before a mapping would fault.
//! - [`advice`]: how a file will be read (`POSIX_FADV_SEQUENTIAL` on Linux).
//! - `libpq`: where PostgreSQL's client keeps a user's password file and root
//!   certificates (`~/.pgpass`; `%APPDATA%\postgresql\pgpass.conf`).
//! - [`process`]: whether a process id still runs (stale temporary files).
//! - [`path`]: one name per file (symlinks resolved, and on Windows past what
//!   `GetFinalPathNameByHandleW` can name), a path as text for reports, as a `file:` URI.
//! - [`signals`]: Ctrl-C and the system ending the process (SIGINT and SIGTERM; the
//!   console's control events on Windows) ask a run to stop, the second exits.
//! - [`user`]: the name of the account the process runs as.
//!
//! Flushing is the standard library's: `File::sync_all` and `sync_data` are `fsync`
//! and `fdatasync` on Linux, `F_FULLFSYNC` on macOS (through the drive's cache; a plain
//! `fsync` there stops at the drive), `FlushFileBuffers` on Windows. The terminal's
//! width is `console`'s, on every system.

pub(crate) mod access;
pub(crate) mod advice;
pub(crate) mod identity;
pub(crate) mod keep;
#[cfg(feature = "postgres")]
pub(crate) mod libpq;
pub(crate) mod path;
pub(crate) mod process;
pub(crate) mod replace;
pub(crate) mod signals;
pub(crate) mod space;
pub(crate) mod user;
pub(crate) mod volume;
#[cfg(windows)]
pub(crate) mod windows;
