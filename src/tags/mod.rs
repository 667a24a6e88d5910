//! Where ISRCs live in each format (DESIGN.md section 3), and reading them.
//!
//! Every location is read through lofty's format-specific file types, never the
//! generic `TaggedFile`, so nothing is lost or merged on the way. A FLAC CUESHEET
//! block is read by [`cuesheet`], since lofty does not parse it.

pub mod cuesheet;
mod read;
pub mod riff;
mod write;

use std::fmt;

pub use read::read;
pub use write::{is_streamed, write, write_streamed, written_locations};

/// A place in a file that can hold an ISRC.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Location {
    /// The ID3v2 `TSRC` text frame (MP3, and the `id3 ` chunk of WAV and AIFF).
    Id3v2Tsrc,
    /// The RIFF `LIST/INFO` `ISRC` entry of a WAV file.
    RiffInfoIsrc,
    /// The Vorbis comment `ISRC` (FLAC, Ogg Vorbis).
    VorbisIsrc,
    /// The MP4 freeform atom `----:com.apple.iTunes:ISRC`.
    Mp4FreeformIsrc,
    /// The MP4 atom `©isr`.
    Mp4Isr,
    /// The ISRC named by an MP4 `xid ` atom (`provider:isrc:CODE`).
    Mp4Xid,
    /// A track of a FLAC CUESHEET block (track number).
    FlacCuesheetTrack(u8),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Id3v2Tsrc => f.write_str("id3v2:TSRC"),
            Location::RiffInfoIsrc => f.write_str("riff-info:ISRC"),
            Location::VorbisIsrc => f.write_str("vorbis:ISRC"),
            Location::Mp4FreeformIsrc => f.write_str("mp4:----:com.apple.iTunes:ISRC"),
            Location::Mp4Isr => f.write_str("mp4:©isr"),
            Location::Mp4Xid => f.write_str("mp4:xid"),
            Location::FlacCuesheetTrack(n) => write!(f, "flac-cuesheet:track {n}"),
        }
    }
}

/// One ISRC value found in a file, as written there (not normalised).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundIsrc {
    /// Where it was found.
    pub location: Location,
    /// The raw value.
    pub value: String,
}

/// What a file's tags say: every ISRC per location, plus title and artist.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagReport {
    /// Every ISRC value, in location order; a multi-valued location gives several.
    pub isrcs: Vec<FoundIsrc>,
    /// The title, from the first location that has one.
    pub title: Option<String>,
    /// The artist, from the first location that has one.
    pub artist: Option<String>,
    /// The album title, from the first location that has one.
    pub album: Option<String>,
}

/// Why a file's tags could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TagError {
    /// The file could not be opened or read.
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    /// lofty could not parse the tags.
    #[error("cannot read the tags: {0}")]
    Parse(#[from] lofty::error::FileParseError),
    /// lofty could not write the tags.
    #[error("cannot write the tags: {0}")]
    Write(String),
    /// The tag parser broke down on this file (an internal panic, caught).
    #[error("the tag reader failed on this file ({0})")]
    ReaderFailed(String),
}
