//! Moving the ledger in and out as a list: `ledger export` and `ledger import`.
//!
//! # The CSV layout
//!
//! UTF-8 without a byte order mark (one is accepted on import), a header row, `,` between
//! cells and quoting only where a cell needs it (the `csv` crate writes and reads it).
//! **One row per (recording, audio id) pair**: a recording with three audio ids (a WAV
//! master, a FLAC, a CD master) has three rows that repeat its recording columns; a
//! recording with no audio id has one row with the audio columns empty. Rows are ordered
//! by code, then audio id. That is the shape a label's spreadsheet can filter and sort
//! without splitting cells, and it keeps each audio id's numbers in their own cells, so
//! the list goes back into a ledger without loss.
//!
//! The columns, in order ([`Column::ALL`]):
//!
//! | column | holds |
//! |---|---|
//! | `isrc` | the code, stored form (`USPR37300012`) |
//! | `title`, `artist`, `version_note` | text, empty when unknown |
//! | `status` | `active` or `void` |
//! | `origin` | `issued`, `adopted` or `imported` |
//! | `parent`, `relation` | the code this one is a new version of, and how (`edit`, `remix`, ...) |
//! | `issued_at` | when the code was issued, RFC 3339 UTC (`2026-05-01T12:00:00Z`): when it entered the ledger for a code issued or adopted here, what its list said for an imported one (empty when it said nothing) |
//! | `issued_by` | the user who issued or adopted it |
//! | `void_reason` | why it was voided (void codes only) |
//! | `audio_id` | `pcm1:` and 64 hex digits, or empty |
//! | `frames`, `sample_rate`, `channels`, `bits` | the audio's decoded frames and stream |
//! | `first_path` | where the audio was first seen |
//! | `added_at` | when the audio id was bound, RFC 3339 UTC |
//! | `codec` | the codec the audio was decoded from (`pcm_s24le`, `flac`, `mp3`, ...), empty when unknown |
//! | `entered_at` | when the code entered the ledger, RFC 3339 UTC |
//! | `declared_duration` | the playing time a list declared for the code, in seconds (`225.500`), empty when none |
//! | `content_type` | `audio` or `video` |
//! | `p_date` | the date of first publication, `YYYY-MM-DD` or a year, empty when unknown |
//! | `p_line_year`, `p_line_owner` | the code's (P) line, empty when unknown |
//! | `parental_warning` | `explicit`, `clean`, `not-explicit` or `unknown`, empty when not stated |
//!
//! A cell a spreadsheet would run as a formula (one starting with `=`, `+`, `-`, `@`,
//! tab or carriage return, after any apostrophes) gets a leading apostrophe on export, as
//! OWASP advises against CSV injection; import removes exactly that apostrophe, so
//! `=HYPERLINK("http://x","y")` is exported as `'=HYPERLINK("http://x","y")` and comes
//! back as it was ([`cell::neutralise`], [`cell::restore`]).
//!
//! `ledger export --recordings` writes another list, one row per code for a label
//! ([`recordings`]); it is not read back.
//!
//! # Import
//!
//! Import reads that layout, or any part of it: only `isrc` is required, so a
//! distributor's list with `isrc,title,artist` imports. Header names ignore case, spaces
//! and hyphens (`ISRC`, `Sample Rate`); `code` and `ISRC code` are read as `isrc`, `rate` as
//! `sample_rate`; other columns are ignored. A file whose first line has `;` or tabs and
//! no comma is read with that separator. Cells of a missing column, and empty `status`,
//! `origin`, `issued_at`, `issued_by` and `added_at` cells, take defaults: `active`,
//! `imported`, the time of the import, the importing user. Times may also be seconds since
//! 1970, `YYYY-MM-DD HH:MM:SS` (UTC) or a bare date.
//!
//! JSON Lines, as `ledger export --format json` writes them (one object per recording with
//! an `audio` array), are read too: a file whose first character is `{` is JSON Lines.
//!
//! Every row is checked before anything is written, in two passes over bounded memory
//! whatever the file's size: [`stage`] reads the file row by row (a row is at most
//! [`MAX_ROW_BYTES`]), checks each, and keeps the good ones in a scratch database on
//! disk where they are checked against one another; then [`import`], inside one
//! transaction, checks them against the ledger and writes them. A bad row is reported
//! with its line number (the header is line 1; the first [`SHOWN_ERRORS`] problems are
//! kept, the others counted) and nothing is imported. A quoted field still open at the
//! end of the file is an error on its line. A code already in the ledger is skipped
//! when every column the file gives agrees with the ledger, and is a bad row otherwise;
//! an audio id likewise. Children may come before their parents.

pub mod cell;
mod read;
pub mod recordings;
mod stage;
pub mod strict;
mod write;

mod apply;

use serde::Serialize;

pub use apply::{Difference, ImportError, ImportOptions, ImportSummary, import};
#[cfg(test)]
pub use read::parse;
pub use read::{Defaults, Header};
#[cfg(test)]
pub use stage::stage;
pub use stage::{BadRows, SCRATCH_LOCK, SCRATCH_PREFIX, SHOWN_ERRORS, Staged, remove_stale_scratch, stage_in};
pub use write::{CsvRows, PAGE, Pages, entries, write_json_entry};
#[cfg(test)]
pub use write::{write_csv, write_json};

use super::types::{AudioRecord, Recording};

/// One recording with its audio ids (ordered by audio id), as exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The recording.
    pub recording: Recording,
    /// Its audio ids, ordered by audio id.
    pub audio: Vec<AudioRecord>,
}

/// Declares [`Column`], its order and its header names from one table: the table
/// drives the CSV header, every row, and what import reads.
macro_rules! columns {
    ($($(#[$doc:meta])* $variant:ident => $name:literal),+ $(,)?) => {
        /// A column of the exchange format.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Column {
            $($(#[$doc])* $variant),+
        }

        impl Column {
            /// Every column, in the exported order.
            pub const ALL: &'static [Column] = &[$(Column::$variant),+];

            /// The header name.
            pub fn name(self) -> &'static str {
                match self {
                    $(Column::$variant => $name),+
                }
            }
        }
    };
}

columns! {
    /// The code.
    Isrc => "isrc",
    /// The title.
    Title => "title",
    /// The artist.
    Artist => "artist",
    /// The version note.
    VersionNote => "version_note",
    /// `active` or `void`.
    Status => "status",
    /// `issued`, `adopted` or `imported`.
    Origin => "origin",
    /// The parent code.
    Parent => "parent",
    /// The relation to the parent.
    Relation => "relation",
    /// When the code was issued.
    IssuedAt => "issued_at",
    /// Who issued it.
    IssuedBy => "issued_by",
    /// Why it was voided.
    VoidReason => "void_reason",
    /// The audio id (this and the columns after it describe one audio id).
    AudioId => "audio_id",
    /// Decoded frames.
    Frames => "frames",
    /// Sample rate in Hz.
    SampleRate => "sample_rate",
    /// Channel count.
    Channels => "channels",
    /// Bits per sample.
    Bits => "bits",
    /// The path the audio was first seen at.
    FirstPath => "first_path",
    /// When the audio id was bound.
    AddedAt => "added_at",
    /// The codec the audio was decoded from.
    Codec => "codec",
    /// When the code entered the ledger.
    EnteredAt => "entered_at",
    /// The playing time a list declared for the code, in seconds.
    DeclaredDuration => "declared_duration",
    /// The release's title (import only: a distributor's list).
    ReleaseTitle => "release_title",
    /// The release's UPC/EAN (import only).
    Upc => "upc",
    /// The disc of the release the row's track is on (import only).
    Disc => "disc",
    /// The track number on its disc (import only).
    Track => "track",
    /// The release's (P) line (import only).
    PLine => "p_line",
    /// The release's date (import only).
    ReleaseDate => "release_date",
    /// `audio` or `video`.
    ContentType => "content_type",
    /// The date of first publication (`YYYY-MM-DD` or `YYYY`).
    PDate => "p_date",
    /// The year of the code's (P) line.
    PLineYear => "p_line_year",
    /// The owner of the code's (P) line.
    PLineOwner => "p_line_owner",
    /// `explicit`, `clean`, `not-explicit` or `unknown`.
    ParentalWarning => "parental_warning",
}

/// Other names distributors and labels use for the columns, squashed (lowercase, only
/// letters and digits: `Track #` is `track`, `P Line` is `pline`).
const ALIASES: &[(&str, Column)] = &[
    ("code", Column::Isrc),
    ("isrccode", Column::Isrc),
    ("tracktitle", Column::Title),
    ("song", Column::Title),
    ("songtitle", Column::Title),
    ("trackname", Column::Title),
    ("mainartist", Column::Artist),
    ("displayartist", Column::Artist),
    ("primaryartist", Column::Artist),
    ("trackartist", Column::Artist),
    ("version", Column::VersionNote),
    ("versiontitle", Column::VersionNote),
    ("rate", Column::SampleRate),
    ("duration", Column::DeclaredDuration),
    ("length", Column::DeclaredDuration),
    ("tracklength", Column::DeclaredDuration),
    ("release", Column::ReleaseTitle),
    ("album", Column::ReleaseTitle),
    ("albumtitle", Column::ReleaseTitle),
    ("ean", Column::Upc),
    ("barcode", Column::Upc),
    ("upcean", Column::Upc),
    ("icpn", Column::Upc),
    ("tracknumber", Column::Track),
    ("trackno", Column::Track),
    ("discnumber", Column::Disc),
    ("discno", Column::Disc),
    ("volume", Column::Disc),
    ("pline", Column::PLine),
    ("releasedate", Column::ReleaseDate),
    ("year", Column::ReleaseDate),
    ("releaseyear", Column::ReleaseDate),
    ("type", Column::ContentType),
    ("firstpublicationdate", Column::PDate),
    ("publicationdate", Column::PDate),
    ("originalreleasedate", Column::PDate),
    ("plinecompany", Column::PLineOwner),
    ("plineholder", Column::PLineOwner),
    ("parentaladvisory", Column::ParentalWarning),
    ("parentalwarningtype", Column::ParentalWarning),
    ("explicit", Column::ParentalWarning),
    ("explicitcontent", Column::ParentalWarning),
    ("explicitlyrics", Column::ParentalWarning),
];

/// A header name squashed for matching: lowercase letters and digits only.
fn squash(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

impl Column {
    /// The columns `ledger export` writes, in order: every column but the release ones,
    /// which only a list of releases (a distributor's spreadsheet) brings in.
    pub fn exported() -> impl Iterator<Item = Column> {
        Column::ALL.iter().copied().filter(|column| !column.is_release())
    }

    /// The column a header cell names: case, spaces, punctuation are ignored (`ISRC`,
    /// `Sample Rate`, `Track #`), and the names distributors use are known (`Track
    /// Title`, `Main Artist`, `Duration`, `UPC`, `Release Date`, ... [`ALIASES`]).
    pub fn from_header(header: &str) -> Option<Column> {
        let name = squash(header);
        if name.is_empty() {
            return None;
        }
        Column::ALL
            .iter()
            .copied()
            .find(|column| squash(column.name()) == name)
            .or_else(|| ALIASES.iter().find(|(alias, _)| *alias == name).map(|(_, column)| *column))
    }

    /// Whether the column describes an audio id rather than the recording.
    pub fn is_audio(self) -> bool {
        matches!(
            self,
            Column::AudioId
                | Column::Frames
                | Column::SampleRate
                | Column::Channels
                | Column::Bits
                | Column::FirstPath
                | Column::AddedAt
                | Column::Codec
        )
    }

    /// Whether the column describes the code itself (neither one of its audio ids nor a
    /// release it is on).
    pub fn is_code(self) -> bool {
        !self.is_audio() && !self.is_release()
    }

    /// Whether the column describes a release the code is on rather than the code.
    pub fn is_release(self) -> bool {
        matches!(
            self,
            Column::ReleaseTitle | Column::Upc | Column::Disc | Column::Track | Column::PLine | Column::ReleaseDate
        )
    }

    /// The column's text for a recording and, for audio columns, one of its audio ids
    /// (before neutralisation). Optional values are empty; times are RFC 3339 UTC.
    pub fn render(self, recording: &Recording, audio: Option<&AudioRecord>) -> String {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        let audio_text = |f: fn(&AudioRecord) -> String| audio.map(f).unwrap_or_default();
        match self {
            Column::Isrc => recording.isrc.to_string(),
            Column::Title => text(&recording.title),
            Column::Artist => text(&recording.artist),
            Column::VersionNote => text(&recording.version_note),
            Column::Status => recording.status.to_string(),
            Column::Origin => recording.origin.to_string(),
            Column::Parent => recording.parent.map(|parent| parent.to_string()).unwrap_or_default(),
            Column::Relation => recording.relation.map(|relation| relation.to_string()).unwrap_or_default(),
            Column::IssuedAt => recording.issued_at.map(cell::format_time).unwrap_or_default(),
            Column::IssuedBy => recording.issued_by.clone(),
            Column::VoidReason => text(&recording.void_reason),
            Column::AudioId => audio_text(|a| a.audio_id.to_string()),
            Column::Frames => audio_text(|a| a.frames.to_string()),
            Column::SampleRate => audio_text(|a| a.sample_rate.to_string()),
            Column::Channels => audio_text(|a| a.channels.to_string()),
            Column::Bits => audio_text(|a| a.bits.to_string()),
            Column::FirstPath => audio_text(|a| a.first_path.clone()),
            Column::AddedAt => audio_text(|a| cell::format_time(a.added_at)),
            Column::Codec => audio_text(|a| a.codec.clone().unwrap_or_default()),
            Column::EnteredAt => cell::format_time(recording.entered_at),
            Column::DeclaredDuration => {
                recording.declared_ms.map(|ms| format!("{}.{:03}", ms / 1000, ms % 1000)).unwrap_or_default()
            }
            Column::ReleaseTitle | Column::Upc | Column::Disc | Column::Track | Column::PLine | Column::ReleaseDate => {
                String::new()
            }
            Column::ContentType => recording.publication.content_type.to_string(),
            Column::PDate => text(&recording.publication.p_date),
            Column::PLineYear => recording.publication.p_line_year.map(|y| y.to_string()).unwrap_or_default(),
            Column::PLineOwner => text(&recording.publication.p_line_owner),
            Column::ParentalWarning => {
                recording.publication.parental_warning.map(|w| w.to_string()).unwrap_or_default()
            }
        }
    }
}

/// A bad row of an import: its line number (the header is line 1; in JSON Lines, the
/// line), the code when it could be read, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The line the row starts on.
    pub line: u64,
    /// The row's code as written, if any.
    pub isrc: Option<String>,
    /// What is wrong, and what to do.
    pub message: String,
    /// The row holds another registrant's code (a prefix the ledger does not hold, a
    /// designation outside its range, a year not reached yet): the command line says how
    /// to import it anyway.
    #[serde(skip)]
    pub another_registrant: bool,
}

impl RowError {
    /// A bad row at `line` (its code as written, if any) and what is wrong with it.
    pub fn new(line: u64, isrc: Option<String>, message: String) -> RowError {
        RowError { line, isrc, message, another_registrant: false }
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.isrc {
            Some(isrc) if !isrc.is_empty() => write!(f, "line {} ({isrc}): {}", self.line, self.message),
            _ => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}
