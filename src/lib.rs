//! isrc-stamp: give every sound recording in a delivery of masters the one ISRC that
//! belongs to it, embed it in the files' tags, and check it before pressing.
//!
//! A library with a thin binary (`main.rs` parses the command line and calls
//! [`cli::run`]). `ARCHITECTURE.md` is the map; the modules, top to bottom:

mod acoustic; // acoustic fingerprints: compute, align, compare
mod assign; // the assign engine, its pure decision policy, copies prepared ahead
pub mod audio; // decoding to canonical PCM, the audio id, MD5(pcm)
mod base; // the ground floor: shared ids and values, file-system primitives (atomic replace, flushes, temporary names)
pub mod carrier; // what carries the codes on: CUE sheets, DDP images, PQ sheets, from an album in track order
pub mod cli; // the command line: clap types, args turned into each command's options
mod commands; // one thin file per subcommand: call the engine, print
pub mod container; // one module per format: sniff, ISRC locations, tags, audio bytes
mod dupes; // grouping files by recording: exact copies, same recording, likely edits
mod guard; // a panic in a third-party parser becomes an error for that file
pub mod isrc; // the ISRC, prefix, designation range, countries; UPC/EAN
pub mod ledger; // the ledger traits, open(location), shared rules, dry-run overlay, copy, exchange, SQLite, PostgreSQL
mod output; // exit codes, JSON Lines, tables, progress
mod platform; // where the OS differs: identity, access, kept metadata, replace, clone, volumes
pub mod release; // releases: tracks from masters, the label copy, the DDEX ERN 4.3 message
mod scan; // walking paths, reading one file, a batch in parallel
mod stop; // stopping cleanly on the first SIGINT/SIGTERM, at once on the second
mod untag; // taking the ISRC out of files again (a run on the wrong folder undone)
mod verify; // verify's pure findings and what gathers their facts
mod write; // the safe write, prepared copies, direct I/O, the one atomic replace
