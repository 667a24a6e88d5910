//! What a file's tags say about its ISRC: the locations, the values found there, and
//! the one answer they add up to ([`carried`]).

use std::fmt;

use crate::isrc::Isrc;

/// A place in a file that can hold an ISRC.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TagPlace {
    /// The ID3v2 `TSRC` text frame (MP3, and the `id3 ` chunk of WAV and AIFF).
    Id3v2Tsrc,
    /// The RIFF `LIST/INFO` `ISRC` entry of a WAV, RF64 or BW64 file.
    RiffInfoIsrc,
    /// The EBU Tech 3352 identifier in a WAV's `axml` chunk: an EBUCore
    /// `coreMetadata/identifier` with `formatLabel="ISRC"` holding `ISRC:CODE`.
    AxmlIsrc,
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

impl fmt::Display for TagPlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TagPlace::Id3v2Tsrc => f.write_str("id3v2:TSRC"),
            TagPlace::RiffInfoIsrc => f.write_str("riff-info:ISRC"),
            TagPlace::AxmlIsrc => f.write_str("axml:ISRC"),
            TagPlace::VorbisIsrc => f.write_str("vorbis:ISRC"),
            TagPlace::Mp4FreeformIsrc => f.write_str("mp4:----:com.apple.iTunes:ISRC"),
            TagPlace::Mp4Isr => f.write_str("mp4:©isr"),
            TagPlace::Mp4Xid => f.write_str("mp4:xid"),
            TagPlace::FlacCuesheetTrack(n) => write!(f, "flac-cuesheet:track {n}"),
        }
    }
}

/// One ISRC value found in a file, as written there (not normalised).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundIsrc {
    /// Where it was found.
    pub location: TagPlace,
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
    /// The track number (`3` of `3/12`), from the first location that has one.
    pub track: Option<u32>,
    /// The disc number (`1` of `1/2`), from the first location that has one.
    pub disc: Option<u32>,
    /// The iTunes advisory rating: MP4 `rtng`, or an `ITUNESADVISORY` text field in ID3
    /// (`TXXX`) or Vorbis comments (`1` or `4` explicit, `2` clean; `0` says nothing).
    pub advisory: Option<Advisory>,
    /// The locations isrc-stamp writes in this file: its format's
    /// ([`crate::container::Format::written_locations`]), and [`TagPlace::AxmlIsrc`] too in
    /// a broadcast WAV whose aXML is not ADM. A file carries its code completely when
    /// every one of them holds it.
    pub written: Vec<TagPlace>,
}

/// What a file's advisory rating says of its lyrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advisory {
    /// Explicit content.
    Explicit,
    /// The edited (clean) version.
    Clean,
}

impl Advisory {
    /// The iTunes rating number (`1` or `4` explicit, `2` clean), as text or a byte;
    /// `None` for `0` (no rating) and anything else.
    pub fn from_rating(rating: u64) -> Option<Advisory> {
        match rating {
            1 | 4 => Some(Advisory::Explicit),
            2 => Some(Advisory::Clean),
            _ => None,
        }
    }

    /// The rating given as text (`1`, ` 2 `), or `None`.
    pub fn from_text(text: &str) -> Option<Advisory> {
        text.trim().parse().ok().and_then(Advisory::from_rating)
    }
}

/// The number before any `/` of a track or disc tag (`3` of `3/12`, `03`), when it is
/// one above 0.
pub fn leading_number(text: &str) -> Option<u32> {
    let number = text.split('/').next()?.trim();
    number.parse::<u32>().ok().filter(|&n| n > 0)
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
    /// The tags are damaged, over isrc-stamp's limits, or hold what it cannot write back
    /// whole: the message names the cause and what to do. The file is not tagged.
    #[error("{0}")]
    Refused(String),
}

impl TagReport {
    /// Sets the title, artist or album `slot` to `value` (trimmed) unless a location
    /// before gave one already.
    pub(crate) fn fill(slot: &mut Option<String>, value: Option<&str>) {
        if slot.is_none() {
            *slot = value.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        }
    }

    /// Sets a track or disc `slot` from a tag's text unless a location before gave one.
    pub(crate) fn fill_number(slot: &mut Option<u32>, value: Option<&str>) {
        if slot.is_none() {
            *slot = value.and_then(leading_number);
        }
    }

    /// Sets the advisory from a rating unless a location before gave one.
    pub(crate) fn fill_advisory(&mut self, advisory: Option<Advisory>) {
        if self.advisory.is_none() {
            self.advisory = advisory;
        }
    }

    /// Adds one value found at `location`.
    pub(crate) fn found(&mut self, location: TagPlace, value: impl Into<String>) {
        self.isrcs.push(FoundIsrc { location, value: value.into() });
    }
}

/// What the file's tags say, reduced to one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Carried {
    /// No location holds an ISRC.
    Nothing,
    /// Every location that holds one holds this valid code; `complete` when every
    /// location of the format holds it, in the stored form.
    Code {
        /// The code.
        isrc: Isrc,
        /// Whether all of the format's locations carry it.
        complete: bool,
    },
    /// A location holds a value that is not a valid ISRC.
    Malformed(Vec<String>),
    /// Locations hold different valid codes (or one location holds several).
    Disagree(Vec<Isrc>),
}

impl Carried {
    /// The one code every value names, if there is one: a location holding the same
    /// code twice still names one code (a finding of its own, but not about which code).
    pub fn single_code(&self) -> Option<Isrc> {
        match self {
            Carried::Code { isrc, .. } => Some(*isrc),
            Carried::Disagree(codes) if codes.len() == 1 => Some(codes[0]),
            _ => None,
        }
    }
}

/// Reduces what a file's tags hold to one answer; `written` are the locations the
/// format has (the ones isrc-stamp writes).
pub fn carried(tags: &TagReport, written: &[TagPlace]) -> Carried {
    if tags.isrcs.is_empty() {
        return Carried::Nothing;
    }
    let mut malformed = Vec::new();
    let mut codes: Vec<Isrc> = Vec::new();
    for found in &tags.isrcs {
        match Isrc::parse(&found.value) {
            Ok(isrc) if !codes.contains(&isrc) => codes.push(isrc),
            Ok(_) => {}
            Err(_) => malformed.push(found.value.clone()),
        }
    }
    // A location holding several values is a finding even when they are equal.
    let repeated = written.iter().any(|w| tags.isrcs.iter().filter(|f| &f.location == w).count() > 1);
    match (malformed.is_empty(), codes.as_slice()) {
        (false, _) => Carried::Malformed(malformed),
        (true, [isrc]) if !repeated => {
            let stored_form = tags.isrcs.iter().all(|f| f.value == isrc.as_str());
            let everywhere = written.iter().all(|w| tags.isrcs.iter().any(|f| &f.location == w));
            Carried::Code { isrc: *isrc, complete: everywhere && stored_form }
        }
        _ => Carried::Disagree(codes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::isrc::examples::{x, y};

    fn found(location: TagPlace, value: &str) -> FoundIsrc {
        FoundIsrc { location, value: value.into() }
    }

    fn report(isrcs: Vec<FoundIsrc>) -> TagReport {
        TagReport { isrcs, ..TagReport::default() }
    }

    const WAV: &[TagPlace] = &[TagPlace::Id3v2Tsrc, TagPlace::RiffInfoIsrc];

    #[test]
    fn carried_reduces_the_locations_to_one_answer() {
        assert_eq!(carried(&report(vec![]), WAV), Carried::Nothing);
        let both =
            report(vec![found(TagPlace::Id3v2Tsrc, "USPR37300012"), found(TagPlace::RiffInfoIsrc, "USPR37300012")]);
        assert_eq!(carried(&both, WAV), Carried::Code { isrc: x(), complete: true });
        let one = report(vec![found(TagPlace::Id3v2Tsrc, "USPR37300012")]);
        assert_eq!(carried(&one, WAV), Carried::Code { isrc: x(), complete: false });
        // Hyphenated in a tag: the code, but rewritten to the stored form.
        let hyphens =
            report(vec![found(TagPlace::Id3v2Tsrc, "US-PR3-73-00012"), found(TagPlace::RiffInfoIsrc, "USPR37300012")]);
        assert_eq!(carried(&hyphens, WAV), Carried::Code { isrc: x(), complete: false });
        let split =
            report(vec![found(TagPlace::Id3v2Tsrc, "USPR37300012"), found(TagPlace::RiffInfoIsrc, "GBBBB9905305")]);
        assert_eq!(carried(&split, WAV), Carried::Disagree(vec![x(), y()]));
        let bad = report(vec![found(TagPlace::Id3v2Tsrc, "USPR3730001O")]);
        assert_eq!(carried(&bad, WAV), Carried::Malformed(vec!["USPR3730001O".into()]));
        let twice =
            report(vec![found(TagPlace::Id3v2Tsrc, "USPR37300012"), found(TagPlace::Id3v2Tsrc, "USPR37300012")]);
        assert_eq!(carried(&twice, WAV), Carried::Disagree(vec![x()]));
    }

    #[test]
    fn the_single_code_is_the_one_every_value_names() {
        assert_eq!(Carried::Nothing.single_code(), None);
        assert_eq!(Carried::Code { isrc: x(), complete: false }.single_code(), Some(x()));
        assert_eq!(Carried::Disagree(vec![x()]).single_code(), Some(x()));
        assert_eq!(Carried::Disagree(vec![x(), y()]).single_code(), None);
        assert_eq!(Carried::Malformed(vec!["bad".into()]).single_code(), None);
    }
}
