//! The ground floor: values and file-system primitives every other module may stand
//! on. Nothing here uses the rest of the crate but `platform`.
//!
//! - [`clock`]: the one reading of the system clock the ledger records.
//! - [`ids`]: the audio id, the acoustic fingerprint and its algorithm, lossless codecs.
//! - [`replace`]: the one atomic replace of a file or folder, temporary names, the
//!   flushes; the only place (above `platform`) that renames or flushes a user's or
//!   the ledger's file.
//! - [`stamp`]: a file's identity on disk and its size-and-time stamp.
//! - [`io`]: describing an I/O error, reading until a buffer is full.
//! - [`fsinfo`]: naming the file system a path lives on, for full disks.
//! - [`filekind`]: what kind of entry a path is; opening only regular files.

pub mod clock;
pub mod filekind;
pub mod fsinfo;
pub mod ids;
pub mod io;
pub mod replace;
pub mod stamp;
