//! Telling the system how a file will be read, where it listens: only advice, a refusal
//! changes nothing.

use std::fs::File;

/// The file will be read in order from here to its end: Linux then reads further ahead
/// (twice its usual window, `POSIX_FADV_SEQUENTIAL`). Elsewhere nothing is said.
#[cfg(target_os = "linux")]
pub(crate) fn sequential(file: &File) {
    let _ = rustix::fs::fadvise(file, 0, None, rustix::fs::Advice::Sequential);
}

/// The file will be read in order from here to its end: nothing to say here.
#[cfg(not(target_os = "linux"))]
pub(crate) fn sequential(_file: &File) {}
