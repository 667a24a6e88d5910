//! isrc-stamp: give every sound recording in a folder of masters the one ISRC that
//! belongs to it, and embed that code in the files' tags.
//!
//! The library holds everything; `main.rs` only parses the command line and calls
//! [`cli::run`].

pub mod audio;
pub mod format;
pub mod guard;
pub mod tags;
