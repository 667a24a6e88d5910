//! What the ledger stores: prefixes, recordings, audio ids and the event history.
//!
//! Times are seconds since the Unix epoch (UTC), see [`now`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::base::ids::AudioId;
use crate::isrc::{DesignationRange, Isrc, Prefix};

/// Declares a closed set of words stored as text and typed on the command line.
macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word stored in the ledger and used on the command line.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        impl FromStr for $name {
            type Err = ParseWordError;

            /// Parses the word, ignoring ASCII case.
            fn from_str(word: &str) -> Result<Self, Self::Err> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|value| value.as_str().eq_ignore_ascii_case(word.trim()))
                    .ok_or_else(|| ParseWordError {
                        what: $what,
                        word: word.to_owned(),
                        expected: concat!($($word, "|"),+).trim_end_matches('|'),
                    })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

word_enum! {
    /// How a code came into the ledger.
    Origin, "origin" {
        /// Issued by this tool under one of the ledger's prefixes.
        Issued = "issued",
        /// Found in a file's tags and kept (an existing code must keep being used).
        Adopted = "adopted",
        /// Read from a list (`ledger import`).
        Imported = "imported",
    }
}

word_enum! {
    /// Whether a code is in use.
    Status, "status" {
        /// In use.
        Active = "active",
        /// Withdrawn: kept in the ledger so it is never issued again.
        Void = "void",
    }
}

word_enum! {
    /// What a code identifies: a sound recording or a music video (the IFPI's content
    /// type). A code is `audio` unless said otherwise.
    #[derive(Default)]
    ContentType, "content type" {
        /// A sound recording.
        #[default]
        Audio = "audio",
        /// A music video.
        Video = "video",
    }
}

word_enum! {
    /// What a recording's lyrics warrant, as distributors ask (DDEX's parental warning).
    ParentalWarning, "parental warning" {
        /// Explicit content.
        Explicit = "explicit",
        /// The edited (clean) version of explicit content.
        Clean = "clean",
        /// Nothing explicit.
        NotExplicit = "not-explicit",
        /// Not known.
        Unknown = "unknown",
    }
}

word_enum! {
    /// How a new version relates to the recording it was made from (its parent).
    Relation, "relation" {
        /// An edit that changes the playing time (radio edit).
        Edit = "edit",
        /// A remix.
        Remix = "remix",
        /// A remaster the registrant decided deserves a new code.
        Remaster = "remaster",
        /// A live recording.
        Live = "live",
        /// Another language.
        Language = "language",
        /// Another mix (stereo vs immersive, mono, clean/explicit).
        Mix = "mix",
        /// Anything else; say what in the version note.
        Other = "other",
    }
}

/// Declares the event kinds: each variant with the word stored in the `action` column.
macro_rules! event_kinds {
    ($($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)?) => {
        /// What an event of the history records: its `action` column, stored and exported
        /// as the word of [`EventKind::as_str`]. A word this version does not know (from
        /// another version, or typed into the database) is kept as [`EventKind::Other`].
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum EventKind {
            $($(#[$vmeta])* $variant,)+
            /// A word no variant has: kept as stored.
            Other(String),
        }

        impl EventKind {
            /// Every known kind (all but [`EventKind::Other`]), in declaration order.
            pub const KNOWN: &'static [EventKind] = &[$(EventKind::$variant),+];

            /// The word stored in the ledger and shown in exports and `--json` output.
            pub fn as_str(&self) -> &str {
                match self {
                    $(EventKind::$variant => $word,)+
                    EventKind::Other(word) => word,
                }
            }

            /// The kind a stored word names (exactly, as written): a word no variant
            /// has is [`EventKind::Other`].
            pub fn parse(word: &str) -> EventKind {
                match word {
                    $($word => EventKind::$variant,)+
                    other => EventKind::Other(other.to_owned()),
                }
            }
        }
    };
}

event_kinds! {
    /// `assign` issued a new code to new audio.
    Issued = "issued",
    /// `assign` found audio the ledger knows and wrote its code.
    Reused = "reused",
    /// `assign` found the file already carrying its code.
    Unchanged = "unchanged",
    /// A code found in a file or on a carrier entered the ledger.
    Adopted = "adopted",
    /// Another encoding or carrier was bound to a recording's code.
    Linked = "linked",
    /// `assign` left a file alone.
    Skipped = "skipped",
    /// `assign` left a file alone and reported a conflict.
    Conflict = "conflict",
    /// `assign` could not read, decode or write a file.
    Error = "error",
    /// The code was written into the file.
    Written = "written",
    /// A signal stopped the run before the file was written.
    Interrupted = "interrupted",
    /// Writing the code into the file failed.
    WriteFailed = "write-failed",
    /// Missing metadata was filled in.
    Fill = "fill",
    /// Metadata was edited.
    Edit = "edit",
    /// A code was voided.
    Void = "void",
    /// Audio was unbound from a code.
    Unlink = "unlink",
    /// A release was entered or changed.
    Release = "release",
    /// A code was read from a list (`ledger import`).
    Import = "import",
    /// `untag` removed codes from a file.
    Untag = "untag",
}

impl FromStr for EventKind {
    type Err = std::convert::Infallible;

    /// Never fails: see [`EventKind::parse`].
    fn from_str(word: &str) -> Result<Self, Self::Err> {
        Ok(EventKind::parse(word))
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for EventKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Default for EventKind {
    /// An empty word (as an event made with [`NewEvent::default`] had).
    fn default() -> EventKind {
        EventKind::Other(String::new())
    }
}

/// A registrant prefix and the designation range it is authorised for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrefixRecord {
    /// Country code and registrant code.
    #[serde(serialize_with = "ser::prefix")]
    pub prefix: Prefix,
    /// The designations this ledger may issue under the prefix.
    #[serde(serialize_with = "ser::display")]
    pub range: DesignationRange,
    /// When it was added.
    pub created_at: i64,
}

/// One recording, that is one ISRC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recording {
    /// The code.
    #[serde(serialize_with = "ser::display")]
    pub isrc: Isrc,
    /// Issued here, adopted from a file, or imported.
    pub origin: Origin,
    /// Active or void.
    pub status: Status,
    /// Title, when known.
    pub title: Option<String>,
    /// Artist, when known.
    pub artist: Option<String>,
    /// Free text: "radio edit", "2024 remaster", ...
    pub version_note: Option<String>,
    /// The recording this one is a new version of.
    #[serde(serialize_with = "ser::optional_display")]
    pub parent: Option<Isrc>,
    /// How it relates to `parent`.
    pub relation: Option<Relation>,
    /// When the code was issued, when known: for a code this ledger issued or adopted,
    /// the moment it entered the ledger; for an imported code, what the list said, and
    /// `None` when it said nothing (never the import's date).
    pub issued_at: Option<i64>,
    /// When the code entered this ledger (issued, adopted or imported).
    pub entered_at: i64,
    /// Who issued, adopted or imported it (`user@host`, and the server role).
    pub issued_by: String,
    /// Why it was voided.
    pub void_reason: Option<String>,
    /// The playing time a list declared for it, in milliseconds: what a file is matched
    /// against while the code has no audio bound.
    pub declared_ms: Option<u64>,
    /// Its content type, first publication and (P) line, and its parental warning.
    #[serde(flatten)]
    pub publication: Publication,
}

/// What a registrant keeps of a code beside its title, artist, version and duration: the
/// IFPI's content type and P-date (the date of first publication), the (P) line the
/// agencies and collecting societies ask for, and the parental warning distributors ask
/// for. Unknown fields are `None`; the content type is `audio` unless said otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Publication {
    /// Audio or video.
    pub content_type: ContentType,
    /// The date of first publication: `YYYY-MM-DD`, or a year `YYYY`.
    pub p_date: Option<String>,
    /// The year of the (P) line.
    pub p_line_year: Option<u16>,
    /// The owner of the (P) line.
    pub p_line_owner: Option<String>,
    /// The parental warning, when stated.
    pub parental_warning: Option<ParentalWarning>,
}

impl Publication {
    /// The (P) line as printed: `2026 Owner`, the year or the owner alone, or `None`.
    pub fn p_line(&self) -> Option<String> {
        match (self.p_line_year, self.p_line_owner.as_deref()) {
            (Some(year), Some(owner)) => Some(format!("{year} {owner}")),
            (Some(year), None) => Some(year.to_string()),
            (None, Some(owner)) => Some(owner.to_owned()),
            (None, None) => None,
        }
    }
}

/// What the caller knows about a recording it issues or adopts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewRecording {
    /// Title, when known.
    pub title: Option<String>,
    /// Artist, when known.
    pub artist: Option<String>,
    /// Free text describing the version.
    pub version_note: Option<String>,
    /// The recording this one is a new version of (must be in the ledger).
    pub parent: Option<Isrc>,
    /// How it relates to `parent`.
    pub relation: Option<Relation>,
    /// When it enters the ledger (see [`now`]).
    pub entered_at: i64,
    /// For an imported code: when it was issued, as the list says (`None`: it does not).
    pub listed_issued_at: Option<i64>,
    /// The playing time a list declares for it, in milliseconds.
    pub declared_ms: Option<u64>,
    /// Its content type, first publication, (P) line and parental warning.
    pub publication: Publication,
    /// Who (`user@host`).
    pub issued_by: String,
}

impl NewRecording {
    /// A recording with no metadata, stamped with `at` and `user`.
    pub fn new(user: impl Into<String>, at: i64) -> NewRecording {
        NewRecording { issued_by: user.into(), entered_at: at, ..NewRecording::default() }
    }
}

/// A change to a recording's descriptive fields (`ledger edit`, or a later file's tags
/// filling in what the ledger lacks). A field left `None` is kept; a given field replaces
/// the stored one, and a blank one clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetadataEdit {
    /// The new title.
    pub title: Option<String>,
    /// The new artist.
    pub artist: Option<String>,
    /// The new version note ("Radio Edit", "2024 Remaster").
    pub version_note: Option<String>,
    /// The declared playing time, in milliseconds (`ledger import --update`).
    pub declared_ms: Option<u64>,
    /// The content type.
    pub content_type: Option<ContentType>,
    /// The date of first publication (`YYYY-MM-DD` or `YYYY`; blank clears it).
    pub p_date: Option<String>,
    /// The (P) line's year (`Some(None)` clears it).
    pub p_line_year: Option<Option<u16>>,
    /// The (P) line's owner (blank clears it).
    pub p_line_owner: Option<String>,
    /// The parental warning (`Some(None)` clears it).
    pub parental_warning: Option<Option<ParentalWarning>>,
}

impl MetadataEdit {
    /// Whether the edit changes nothing.
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.artist.is_none()
            && self.version_note.is_none()
            && self.declared_ms.is_none()
            && self.content_type.is_none()
            && self.p_date.is_none()
            && self.p_line_year.is_none()
            && self.p_line_owner.is_none()
            && self.parental_warning.is_none()
    }
}

/// Which of a code's descriptive fields the ledger holds, as `ledger check --metadata`
/// judges them ([`crate::ledger::missing_metadata`]): read for every active code in one
/// pass, without its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completeness {
    /// The code.
    pub isrc: Isrc,
    /// It has a title.
    pub title: bool,
    /// It has an artist.
    pub artist: bool,
    /// It has a version note.
    pub version: bool,
    /// It has a playing time: audio bound with frames and a rate, or a declared one.
    pub duration: bool,
    /// It has a date of first publication.
    pub p_date: bool,
    /// It has a (P) line year and owner.
    pub p_line: bool,
    /// It has a parental warning.
    pub parental_warning: bool,
}

impl Completeness {
    /// The bits a backend computes in its query, in this order from bit 0: title, artist,
    /// version, duration, P-date, (P) line, parental warning.
    pub fn from_bits(isrc: Isrc, bits: i64) -> Completeness {
        let has = |bit: u32| bits & (1 << bit) != 0;
        Completeness {
            isrc,
            title: has(0),
            artist: has(1),
            version: has(2),
            duration: has(3),
            p_date: has(4),
            p_line: has(5),
            parental_warning: has(6),
        }
    }
}

/// One audio id: one encoding or carrier master of a recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AudioRecord {
    /// Hash of the decoded PCM.
    pub audio_id: AudioId,
    /// The recording it belongs to.
    #[serde(serialize_with = "ser::display")]
    pub isrc: Isrc,
    /// Decoded sample frames.
    pub frames: u64,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Channel count.
    pub channels: u16,
    /// Bits per sample.
    pub bits: u16,
    /// The path it was first seen at.
    pub first_path: String,
    /// When it was bound.
    pub added_at: i64,
    /// The codec it was decoded from (`pcm_s24le`, `flac`, `mp3`, `aac`, ...), when the
    /// ledger was told (audio bound before schema version 3 was not).
    pub codec: Option<String>,
}

impl AudioRecord {
    /// Whether this audio kept every sample of its source (PCM, FLAC, ALAC): from its
    /// codec, or, for audio bound before the codec was recorded, from the extension of
    /// the path it was first seen at (`.mp3`, `.ogg`/`.oga`/`.opus` are lossy, and so is an
    /// MP4 whose samples decoded as 32-bit: AAC; ALAC keeps its integer depth).
    pub fn lossless(&self) -> bool {
        if let Some(codec) = &self.codec {
            return crate::base::ids::is_lossless_codec(codec);
        }
        let extension = std::path::Path::new(&self.first_path)
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match extension.as_str() {
            "mp3" | "ogg" | "oga" | "opus" => false,
            "m4a" | "mp4" | "m4b" | "aac" => self.bits != 32,
            _ => true,
        }
    }

    /// Its playing time in seconds (0 for a rate of 0).
    pub fn duration_seconds(&self) -> f64 {
        if self.sample_rate > 0 { self.frames as f64 / f64::from(self.sample_rate) } else { 0.0 }
    }
}

/// A stored fingerprint that shares index keys with a new one: a recording the new
/// audio may sound like, to be compared in full ([`crate::acoustic::compare`]).
#[derive(Debug, Clone, PartialEq)]
pub struct FingerprintCandidate {
    /// The stored audio id.
    pub audio_id: AudioId,
    /// The (active) code it is bound to.
    pub isrc: Isrc,
    /// Its full duration in seconds, from the ledger's frames and rate.
    pub duration_seconds: f64,
    /// The path it was first seen at.
    pub first_path: String,
    /// Its fingerprint.
    pub fingerprint: crate::base::ids::Fingerprint,
    /// How many of the new fingerprint's keys it shares.
    pub shared_keys: usize,
}

/// One entry of the append-only history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Position in the history (increasing, never reused).
    pub id: i64,
    /// When.
    pub at: i64,
    /// The OS user.
    pub user: String,
    /// The file concerned, if any.
    pub path: Option<String>,
    /// The audio id concerned, if any.
    pub audio_id: Option<AudioId>,
    /// The code concerned, if any (it need not be in the ledger: a conflict can name
    /// another label's code).
    #[serde(serialize_with = "ser::optional_display")]
    pub isrc: Option<Isrc>,
    /// What happened: `issued`, `adopted`, `reused`, `written`, `conflict`, `void`, ...
    pub action: EventKind,
    /// Details for people or machines (free text or JSON).
    pub detail: String,
    /// The `assign` run it belongs to, if any.
    pub run: Option<i64>,
}

/// An event to append: an [`Event`] before it has an id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewEvent {
    /// When (see [`now`]).
    pub at: i64,
    /// The OS user.
    pub user: String,
    /// The file concerned, if any.
    pub path: Option<String>,
    /// The audio id concerned, if any.
    pub audio_id: Option<AudioId>,
    /// The code concerned, if any.
    pub isrc: Option<Isrc>,
    /// What happened.
    pub action: EventKind,
    /// Details (free text or JSON).
    pub detail: String,
    /// The `assign` run it belongs to, if any ([`super::LedgerTx::start_run`]).
    pub run: Option<i64>,
}

impl NewEvent {
    /// An event with `action`, stamped with `at` and `user`, about nothing in particular yet.
    pub fn new(user: impl Into<String>, at: i64, action: EventKind) -> NewEvent {
        NewEvent { at, user: user.into(), action, ..NewEvent::default() }
    }
}

/// A release: a UPC/EAN with its title, artist, label, lines and date, and its tracks
/// in order. A code belongs to many releases (an album, a compilation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Release {
    /// The UPC/EAN, kept as typed (a 12-digit UPC stays 12 digits).
    #[serde(serialize_with = "ser::catalog")]
    pub upc: crate::isrc::Catalog,
    /// The release's title.
    pub title: String,
    /// Its display artist.
    pub artist: Option<String>,
    /// Its label.
    pub label: Option<String>,
    /// Its release date (`YYYY-MM-DD`, or a year).
    pub date: Option<String>,
    /// Its (P) line (`2026 Owner`).
    pub p_line: Option<String>,
    /// Its (C) line.
    pub c_line: Option<String>,
    /// When it entered the ledger.
    pub created_at: i64,
    /// Its tracks, by disc and number.
    pub tracks: Vec<ReleaseTrack>,
}

/// One track of a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReleaseTrack {
    /// The disc (1 for a single disc).
    pub disc: u32,
    /// The track number on the disc.
    pub number: u32,
    /// Its code.
    #[serde(serialize_with = "ser::display")]
    pub isrc: Isrc,
}

/// One `assign` run: who ran it where, on which paths, and what it did. Its events
/// carry its id, so a run can be listed (`ledger runs`) and taken back (`ledger void
/// --run`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    /// Its id (increasing, never reused).
    pub run: i64,
    /// When it started.
    pub started_at: i64,
    /// The OS user.
    pub user: String,
    /// The machine it ran on.
    pub host: String,
    /// The server role it wrote as (PostgreSQL), if any.
    pub role: Option<String>,
    /// The paths it was given, as printed.
    pub paths: Vec<String>,
    /// How many files ended in each action (`issued`, `reused`, ...), once it finished.
    pub counts: std::collections::BTreeMap<String, u64>,
}

/// A run about to start: a [`Run`] before it has an id or counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewRun {
    /// When it starts.
    pub started_at: i64,
    /// The OS user.
    pub user: String,
    /// The machine.
    pub host: String,
    /// The server role, if any.
    pub role: Option<String>,
    /// The paths it was given, as printed.
    pub paths: Vec<String>,
}

/// One item of a ledger as stored, as `ledger copy` moves it ([`super::LedgerTx::restore`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Stored {
    /// A prefix with its range.
    Prefix(PrefixRecord),
    /// A recording, with its origin, status and lineage.
    Recording(Recording),
    /// An audio id, with its acoustic fingerprint if one is stored.
    Audio(AudioRecord, Option<crate::base::ids::Fingerprint>),
    /// An event of the history, with its id.
    Event(Event),
    /// An `assign` run, with its id.
    Run(Run),
    /// A release with its tracks.
    Release(Release),
}

/// Serialization of the code types in their text forms.
mod ser {
    use std::fmt::Display;

    use serde::Serializer;

    /// Serializes a prefix in its stored form (5 bare characters).
    pub fn prefix<S: Serializer>(prefix: &crate::isrc::Prefix, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(prefix.as_str())
    }

    /// Serializes a UPC/EAN as it was typed.
    pub fn catalog<S: Serializer>(upc: &crate::isrc::Catalog, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(upc.as_typed())
    }

    /// Serializes a value as its `Display` text.
    pub fn display<T: Display, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(value)
    }

    /// Serializes an optional value as its `Display` text or `null`.
    pub fn optional_display<T: Display, S: Serializer>(value: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => s.collect_str(value),
            None => s.serialize_none(),
        }
    }
}

/// A word that is not one of a closed set of CLI words (relation, origin, status).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {word:?}: expected one of {expected}")]
pub struct ParseWordError {
    /// What was being parsed (`relation`, `origin`, `status`).
    pub what: &'static str,
    /// The word given.
    pub word: String,
    /// The accepted words, separated by `|`.
    pub expected: &'static str,
}

/// The ledger's facts about a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileFacts {
    /// The active code the ledger binds the file's audio id to. Audio bound only to a
    /// void code has none: void means void, and such audio is new audio again.
    pub code_for_audio: Option<Isrc>,
    /// The void code the file's audio id is still bound to, if that is what it has.
    pub void_code_for_audio: Option<Isrc>,
    /// What the ledger says of the code the file carries (default when it carries none).
    pub carried: CodeFacts,
}

/// What the ledger says of one code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CodeFacts {
    /// Its status, `None` when the ledger does not have it.
    pub status: Option<Status>,
    /// Whether the file's own audio id is bound to it.
    pub bound_here: bool,
    /// Whether other audio ids are bound to it.
    pub bound_elsewhere: bool,
}

#[cfg(test)]
mod tests {
    use super::EventKind;

    /// Every event kind keeps the word stored in the ledger and exported.
    #[test]
    fn event_kinds_keep_their_words() {
        let words: Vec<&str> = EventKind::KNOWN.iter().map(EventKind::as_str).collect();
        assert_eq!(
            words,
            [
                "issued",
                "reused",
                "unchanged",
                "adopted",
                "linked",
                "skipped",
                "conflict",
                "error",
                "written",
                "interrupted",
                "write-failed",
                "fill",
                "edit",
                "void",
                "unlink",
                "release",
                "import",
                "untag",
            ]
        );
        for kind in EventKind::KNOWN {
            assert_eq!(&EventKind::parse(kind.as_str()), kind);
            assert_eq!(kind.as_str().parse::<EventKind>(), Ok(kind.clone()));
            assert_eq!(kind.to_string(), kind.as_str());
            assert_eq!(serde_json::to_string(kind).unwrap(), format!("\"{}\"", kind.as_str()));
        }
    }

    /// A word no kind has is kept as it was stored, and read exactly (no case folding).
    #[test]
    fn unknown_event_words_are_kept() {
        for word in ["issue", "Void", "", "some-future-kind"] {
            let kind = EventKind::parse(word);
            assert_eq!(kind, EventKind::Other(word.to_owned()));
            assert_eq!(kind.as_str(), word);
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{word}\""));
        }
        assert_eq!(format!("{:<7}|", EventKind::Void), "void   |");
    }
}
