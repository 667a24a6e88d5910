//! isrc-stamp: give every sound recording in a folder of masters the one ISRC that
//! belongs to it, and embed that code in the files' tags.
//!
//! The library holds everything; `main.rs` only parses the command line and calls
//! [`cli::run`]. Modules by responsibility: [`code`] (the ISRC type), [`audio`]
//! (decoding, the audio id), [`tags`] (ISRC locations per format), [`scan`] (both, for
//! many files), [`commands`] (one module per subcommand), [`report`] (output).

pub mod audio;
/// Carriers the codes travel on: DDP images for CD plants, PQ sheets.
pub mod carrier;
pub mod checks;
pub mod cli;
pub mod code;
pub mod commands;
pub mod cue;
pub mod direct_io;
pub mod fingerprint;
pub mod format;
pub mod guard;
pub mod ledger;
pub mod payload;
pub mod policy;
pub mod progress;
pub mod report;
pub mod riff;
pub mod safe_write;
pub mod scan;
pub mod tags;
pub mod walk;
pub mod write_ahead;
