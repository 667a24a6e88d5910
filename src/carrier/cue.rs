//! CUE sheets: writing one for an album of masters, and reading one back.
//!
//! The sheet isrc-stamp writes has one `FILE` per track, so every master stays its own
//! file and each track starts at `INDEX 01 00:00:00`; the gap before a track is a
//! `PREGAP` of silence the burner writes, as the DDP image has it (2 s by default):
//!
//! ```text
//! CATALOG 4006381333931
//! PERFORMER "Fixture Ensemble"
//! TITLE "Fixture Harbour"
//! FILE "01 - First Light.flac" WAVE
//!   TRACK 01 AUDIO
//!     TITLE "First Light"
//!     PERFORMER "Fixture Ensemble"
//!     ISRC QZTST2600001
//!     INDEX 01 00:00:00
//! FILE "02 - Harbour Wall.flac" WAVE
//!   TRACK 02 AUDIO
//!     TITLE "Harbour Wall"
//!     ISRC QZTST2600002
//!     PREGAP 00:02:00
//!     INDEX 01 00:00:00
//! ```
//!
//! Gaps: the masters hold no silence before their audio, so a gap cannot be an
//! `INDEX 00` inside a file (that would mark the end of the previous master as the gap);
//! it is a `PREGAP`, digital silence, as in the DDP image. The 2-second pause before
//! track 1 is implied by every burner (track 1's `INDEX 01` is at 00:02:00 on the disc),
//! so track 1 gets a `PREGAP` only for a longer pause, of the difference. Every burner
//! pads each file to a whole CD frame, as the DDP writer pads each track, so the tracks
//! start where the DDP image starts them.
//!
//! Choices, for the burning and pressing tools that read these sheets:
//! - `FILE` type: `MP3` for a `.mp3` file, `WAVE` for everything else (WAV, FLAC, AIFF,
//!   M4A, Ogg). CDRWIN's format only knows `BINARY`, `MOTOROLA`, `AIFF`, `WAVE` and
//!   `MP3`; EAC, foobar2000 and CUETools write `WAVE` for any file they decode, FLAC
//!   included, and several readers reject anything else.
//! - `ISRC` is the stored form, 12 bare uppercase characters; `CATALOG` is 13 digits
//!   (an EAN-13, or a UPC-A with a leading 0), its check digit validated ([`Catalog`]).
//! - Text values are quoted. A CUE sheet has no escape for a double quote inside a
//!   value, so a `"` in a title or performer becomes `'`, and control characters (line
//!   breaks, tabs) become spaces. A file name cannot be changed that way without losing
//!   the file, so a name with a `"` or a control character is an error.
//! - UTF-8 without a byte-order mark, CRLF line ends (what Windows burning tools expect;
//!   every reader takes them).
//! - At most [`MAX_TRACKS`] tracks, numbered 1 to 99 in increasing order.
//!
//! The reader ([`parse`]) takes CUE text as other tools write it too: any case for the
//! commands, LF or CRLF, a leading BOM, quoted or bare values, several tracks in one
//! `FILE`, `REM` comments and the CD-TEXT commands it does not need; it keeps `PREGAP`
//! and where each track's `INDEX 00` and `INDEX 01` are (file and time), so a track's
//! audio can be cut from its file (`ledger import` of a CUE sheet). It is
//! strict about what it returns: a malformed `CATALOG` or `ISRC` (which must be the
//! 12-character stored form), a track number out of order, a `TRACK` before any
//! `FILE`, a value given twice, an unknown command: each is an error naming the line.
//! It never panics, whatever the input.

use serde::Serialize;

use crate::isrc::{Catalog, Isrc};

/// The most tracks a CUE sheet (and a CD) can hold.
pub const MAX_TRACKS: usize = 99;

/// A CUE sheet: the album's catalog number, performer and title, and its tracks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CueSheet {
    /// The release's UPC/EAN (`CATALOG`).
    pub catalog: Option<Catalog>,
    /// The album's performer (`PERFORMER` before the first track).
    pub performer: Option<String>,
    /// The album's title (`TITLE` before the first track).
    pub title: Option<String>,
    /// The tracks, in order.
    pub tracks: Vec<CueTrack>,
}

/// One track of a CUE sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CueTrack {
    /// The audio file (`FILE`), as written in the sheet.
    pub file: String,
    /// The track number, 1 to 99 (`TRACK NN AUDIO`).
    #[serde(rename = "track")]
    pub number: u8,
    /// The track's title (`TITLE`).
    pub title: Option<String>,
    /// The track's performer (`PERFORMER`).
    pub performer: Option<String>,
    /// The track's ISRC (`ISRC`).
    pub isrc: Option<Isrc>,
    /// Sectors (1/75 s) of silence before the track's INDEX 01 on the disc: for track 1
    /// the pause at the start of the disc (150, 2 s, unless a `PREGAP` adds to it), for
    /// a later track its `PREGAP`.
    #[serde(serialize_with = "as_msf")]
    pub pregap: u64,
    /// Where the track's `INDEX 00` is: the file and the sectors into it (read only).
    #[serde(skip)]
    pub index0: Option<(String, u64)>,
    /// Where the track's `INDEX 01` is: the file and the sectors into it (read only; a
    /// written sheet has it at the start of the track's file).
    #[serde(skip)]
    pub index1: Option<(String, u64)>,
}

impl CueTrack {
    /// Track `number` of `file`, without text or code, with the default gap before it.
    pub fn new(file: impl Into<String>, number: u8) -> CueTrack {
        let pregap = if number == 1 { DISC_PAUSE } else { DEFAULT_GAP };
        CueTrack {
            file: file.into(),
            number,
            title: None,
            performer: None,
            isrc: None,
            pregap,
            index0: None,
            index1: None,
        }
    }
}

/// The pause before track 1 every burner writes: 2 s.
const DISC_PAUSE: u64 = 150;
/// The gap before later tracks a new track gets: 2 s, as in a DDP image.
const DEFAULT_GAP: u64 = 150;

/// Sectors as `MM:SS:FF`.
fn msf(sectors: u64) -> String {
    format!("{:02}:{:02}:{:02}", sectors / 4500, sectors / 75 % 60, sectors % 75)
}

fn as_msf<S: serde::Serializer>(sectors: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&msf(*sectors))
}

/// `MM:SS:FF` (minutes of any length) as sectors, or why not.
fn parse_msf(text: &str) -> Result<u64, String> {
    let error = || format!("{:?} is not a time MM:SS:FF", truncated(text));
    let parts: Vec<&str> = text.split(':').collect();
    let [m, s, f] = parts.as_slice() else { return Err(error()) };
    let number = |part: &str, max: u64| {
        (!part.is_empty() && part.len() <= 4 && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u64>().ok())
            .flatten()
            .filter(|&n| n < max)
            .ok_or_else(error)
    };
    Ok((number(m, 10_000)? * 60 + number(s, 60)?) * 75 + number(f, 75)?)
}

/// Why a sheet cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CueWriteError {
    /// More tracks than a CUE sheet holds.
    #[error("{0} tracks: a CUE sheet (and a CD) holds at most 99; split the album")]
    TooManyTracks(usize),
    /// A track number outside 1-99, or not above the previous one.
    #[error("track number {number} after {previous}: tracks are numbered 1 to 99, in increasing order")]
    TrackNumber {
        /// The offending number.
        number: u8,
        /// The number before it (0 for the first track).
        previous: u8,
    },
    /// A file name a CUE sheet cannot hold.
    #[error(
        "the file name {0:?} cannot be written in a CUE sheet (it is empty or holds a double quote or a control character); rename the file"
    )]
    FileName(String),
}

impl CueSheet {
    /// The sheet as CUE text (see the module documentation for the choices made).
    pub fn to_cue(&self) -> Result<String, CueWriteError> {
        self.check()?;
        let mut text = String::new();
        if let Some(catalog) = self.catalog {
            push(&mut text, 0, &format!("CATALOG {catalog}"));
        }
        push_text(&mut text, 0, "PERFORMER", self.performer.as_deref());
        push_text(&mut text, 0, "TITLE", self.title.as_deref());
        let mut first = true;
        for track in &self.tracks {
            push(&mut text, 0, &format!("FILE \"{}\" {}", track.file, file_type(&track.file)));
            push(&mut text, 2, &format!("TRACK {:02} AUDIO", track.number));
            push_text(&mut text, 4, "TITLE", track.title.as_deref());
            push_text(&mut text, 4, "PERFORMER", track.performer.as_deref());
            if let Some(isrc) = track.isrc {
                push(&mut text, 4, &format!("ISRC {}", isrc.as_str()));
            }
            // Track 1's first 2 s of pause are every burner's own.
            let silence = if first { track.pregap.saturating_sub(DISC_PAUSE) } else { track.pregap };
            if silence > 0 {
                push(&mut text, 4, &format!("PREGAP {}", msf(silence)));
            }
            first = false;
            push(&mut text, 4, "INDEX 01 00:00:00");
        }
        Ok(text)
    }

    /// Checks what the text cannot represent: too many tracks, numbers, file names.
    fn check(&self) -> Result<(), CueWriteError> {
        if self.tracks.len() > MAX_TRACKS {
            return Err(CueWriteError::TooManyTracks(self.tracks.len()));
        }
        let mut previous = 0u8;
        for track in &self.tracks {
            if track.number <= previous || usize::from(track.number) > MAX_TRACKS {
                return Err(CueWriteError::TrackNumber { number: track.number, previous });
            }
            previous = track.number;
            if !is_representable_file_name(&track.file) {
                return Err(CueWriteError::FileName(track.file.clone()));
            }
        }
        Ok(())
    }
}

/// Whether a CUE sheet can name this file: not empty, no double quote, no control character.
pub fn is_representable_file_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c == '"' || c.is_control())
}

/// The `FILE` type for a file name: `MP3` for `.mp3`, `WAVE` for everything else.
pub fn file_type(name: &str) -> &'static str {
    let extension = name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase());
    if extension.as_deref() == Some("mp3") { "MP3" } else { "WAVE" }
}

/// A text value as a CUE sheet can quote it: `"` becomes `'`, control characters spaces.
pub fn sanitize(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            '"' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

fn push(text: &mut String, indent: usize, line: &str) {
    text.extend(std::iter::repeat_n(' ', indent));
    text.push_str(line);
    text.push_str("\r\n");
}

/// Pushes `COMMAND "value"` unless the value is missing or blank.
fn push_text(text: &mut String, indent: usize, command: &str, value: Option<&str>) {
    if let Some(value) = value.map(sanitize).filter(|v| !v.trim().is_empty()) {
        push(text, indent, &format!("{command} \"{value}\""));
    }
}

/// Why CUE text could not be read: the line (1-based) and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CueParseError {
    /// The line, counting from 1.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Commands the reader accepts and does not need.
const IGNORED: &[&str] = &[
    "REM",
    "FLAGS",
    "POSTGAP",
    "SONGWRITER",
    "CDTEXTFILE",
    "ARRANGER",
    "COMPOSER",
    "MESSAGE",
    "DISC_ID",
    "GENRE",
    "TOC_INFO1",
    "TOC_INFO2",
    "UPC_EAN",
    "SIZE_INFO",
];

/// Reads CUE text back: catalog, album performer and title, and every track with its
/// number, file, title, performer and ISRC. Never panics.
pub fn parse(text: &str) -> Result<CueSheet, CueParseError> {
    let mut reader = Reader::default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (index, line) in text.lines().enumerate() {
        reader.line(line.trim()).map_err(|message| CueParseError { line: index + 1, message })?;
    }
    Ok(reader.sheet)
}

/// The reader's state between lines.
#[derive(Default)]
struct Reader {
    sheet: CueSheet,
    /// The file named by the last `FILE`.
    file: Option<String>,
    /// Whether the current track has had its `PREGAP`.
    pregap_given: bool,
}

impl Reader {
    /// Takes one trimmed line.
    fn line(&mut self, line: &str) -> Result<(), String> {
        if line.is_empty() {
            return Ok(());
        }
        let (command, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        match command.to_ascii_uppercase().as_str() {
            "CATALOG" => self.catalog(rest),
            "PERFORMER" => self.text(rest, "PERFORMER", |p| &mut p.performer, |t| &mut t.performer),
            "TITLE" => self.text(rest, "TITLE", |p| &mut p.title, |t| &mut t.title),
            "FILE" => {
                self.file = Some(file_argument(rest)?);
                Ok(())
            }
            "TRACK" => self.track(rest),
            "ISRC" => self.isrc(rest),
            "PREGAP" => self.pregap(rest),
            "INDEX" => self.index(rest),
            known if IGNORED.contains(&known) => Ok(()),
            _ => Err(format!("unknown command {:?}", truncated(command))),
        }
    }

    fn catalog(&mut self, rest: &str) -> Result<(), String> {
        if !self.sheet.tracks.is_empty() {
            return Err("CATALOG after the first track: it belongs to the whole disc".into());
        }
        if self.sheet.catalog.is_some() {
            return Err("a second CATALOG".into());
        }
        if rest.len() != 13 || !rest.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("CATALOG {:?} is not 13 digits", truncated(rest)));
        }
        self.sheet.catalog = Some(Catalog::parse(rest).map_err(|e| format!("CATALOG: {e}"))?);
        Ok(())
    }

    /// `TITLE` or `PERFORMER`: the album's before the first track, else the current track's.
    fn text(
        &mut self,
        rest: &str,
        command: &str,
        album: fn(&mut CueSheet) -> &mut Option<String>,
        track: fn(&mut CueTrack) -> &mut Option<String>,
    ) -> Result<(), String> {
        let value = text_argument(rest).map_err(|e| format!("{command}: {e}"))?;
        let scope = self.scope();
        let sheet = &mut self.sheet;
        let slot = match sheet.tracks.last_mut() {
            Some(current) => track(current),
            None => album(sheet),
        };
        if slot.is_some() {
            return Err(format!("a second {command} for the same {scope}"));
        }
        *slot = Some(value);
        Ok(())
    }

    fn track(&mut self, rest: &str) -> Result<(), String> {
        let Some(file) = self.file.clone() else {
            return Err("TRACK before any FILE".into());
        };
        let mut words = rest.split_whitespace();
        let number = words.next().unwrap_or_default();
        if words.next().is_none() {
            return Err("TRACK needs a number and a type, like TRACK 01 AUDIO".into());
        }
        let number = number
            .parse::<u8>()
            .ok()
            .filter(|n| (1..=MAX_TRACKS).contains(&usize::from(*n)))
            .ok_or_else(|| format!("track number {:?} is not 1 to 99", truncated(number)))?;
        let previous = self.sheet.tracks.last().map_or(0, |t| t.number);
        if number <= previous {
            return Err(format!("track {number} after track {previous}: numbers must increase"));
        }
        let mut track = CueTrack::new(file, number);
        track.pregap = if self.sheet.tracks.is_empty() { DISC_PAUSE } else { 0 };
        self.sheet.tracks.push(track);
        self.pregap_given = false;
        Ok(())
    }

    /// `PREGAP MM:SS:FF`: silence before the current track's INDEX 01.
    fn pregap(&mut self, rest: &str) -> Result<(), String> {
        let given = self.pregap_given;
        let Some(track) = self.sheet.tracks.last_mut() else {
            return Err("PREGAP before any TRACK".into());
        };
        if given {
            return Err(format!("a second PREGAP for track {}", track.number));
        }
        track.pregap += parse_msf(rest).map_err(|e| format!("PREGAP: {e}"))?;
        self.pregap_given = true;
        Ok(())
    }

    /// `INDEX NN MM:SS:FF`: INDEX 00 and 01 are kept with the file they are in; INDEX 01
    /// in another file than the `TRACK` line's makes that file the track's.
    fn index(&mut self, rest: &str) -> Result<(), String> {
        let file = self.file.clone().unwrap_or_default();
        let Some(track) = self.sheet.tracks.last_mut() else {
            return Err("INDEX before any TRACK".into());
        };
        let (number, time) = rest.split_once(char::is_whitespace).ok_or("INDEX needs a number and a time")?;
        let number: u8 = number
            .parse()
            .ok()
            .filter(|n| *n <= 99)
            .ok_or_else(|| format!("index number {:?} is not 00 to 99", truncated(number)))?;
        let at = parse_msf(time.trim()).map_err(|e| format!("INDEX: {e}"))?;
        let slot = match number {
            0 => &mut track.index0,
            1 => &mut track.index1,
            _ => return Ok(()),
        };
        if slot.is_some() {
            return Err(format!("a second INDEX {number:02} for track {}", track.number));
        }
        *slot = Some((file.clone(), at));
        if number == 1 {
            track.file = file;
        }
        Ok(())
    }

    fn isrc(&mut self, rest: &str) -> Result<(), String> {
        let Some(track) = self.sheet.tracks.last_mut() else {
            return Err("ISRC before any TRACK".into());
        };
        if track.isrc.is_some() {
            return Err(format!("a second ISRC for track {}", track.number));
        }
        let isrc = Isrc::parse(rest).map_err(|e| format!("ISRC {:?}: {e}", truncated(rest)))?;
        if isrc.as_str() != rest {
            return Err(format!("ISRC {:?} is not in the stored form: 12 bare uppercase characters", truncated(rest)));
        }
        track.isrc = Some(isrc);
        Ok(())
    }

    /// What a `TITLE` or `PERFORMER` here describes, for messages.
    fn scope(&self) -> String {
        self.sheet.tracks.last().map_or_else(|| "album".to_owned(), |t| format!("track {}", t.number))
    }
}

/// A `TITLE`/`PERFORMER` value: quoted (nothing may follow the closing quote) or bare
/// (the rest of the line).
fn text_argument(rest: &str) -> Result<String, String> {
    match rest.strip_prefix('"') {
        Some(quoted) => {
            let (value, after) = quoted.split_once('"').ok_or("no closing double quote")?;
            if !after.trim().is_empty() {
                return Err(format!("text after the closing quote: {:?}", truncated(after.trim())));
            }
            Ok(value.to_owned())
        }
        None if rest.is_empty() => Err("no value".into()),
        None => Ok(rest.to_owned()),
    }
}

/// A `FILE` line's name: `"name" TYPE` or `name TYPE`.
fn file_argument(rest: &str) -> Result<String, String> {
    let (name, file_type) = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split_once('"').ok_or("FILE: no closing double quote")?,
        None => rest.rsplit_once(char::is_whitespace).unwrap_or((rest, "")),
    };
    let file_type = file_type.trim();
    if file_type.is_empty() || file_type.contains(char::is_whitespace) {
        return Err("FILE needs a name and a type, like FILE \"01.wav\" WAVE".into());
    }
    if name.is_empty() {
        return Err("FILE with an empty name".into());
    }
    Ok(name.to_owned())
}

/// At most 40 characters of a value, for messages about arbitrary input.
fn truncated(value: &str) -> String {
    value.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn isrc(code: &str) -> Option<Isrc> {
        Some(Isrc::parse(code).unwrap())
    }

    fn album() -> CueSheet {
        CueSheet {
            catalog: Some(Catalog::parse("4006381333931").unwrap()),
            performer: Some("Fixture Ensemble".into()),
            title: Some("Fixture Harbour".into()),
            tracks: vec![
                CueTrack {
                    title: Some("First Light".into()),
                    performer: Some("Fixture Ensemble".into()),
                    isrc: isrc("USPR37300012"),
                    ..CueTrack::new("01 - First Light.flac", 1)
                },
                CueTrack { title: Some("Harbour Wall".into()), ..CueTrack::new("sub/02 Harbour Wall.mp3", 2) },
            ],
        }
    }

    /// The sheet as the reader gives it back: each INDEX 01 at the start of its file.
    fn read_back(sheet: &CueSheet) -> CueSheet {
        let mut sheet = sheet.clone();
        for track in &mut sheet.tracks {
            track.index1 = Some((track.file.clone(), 0));
        }
        sheet
    }

    #[test]
    fn the_sheet_reads_as_standard_cue_text() {
        let text = album().to_cue().unwrap();
        let expected = [
            "CATALOG 4006381333931",
            "PERFORMER \"Fixture Ensemble\"",
            "TITLE \"Fixture Harbour\"",
            "FILE \"01 - First Light.flac\" WAVE",
            "  TRACK 01 AUDIO",
            "    TITLE \"First Light\"",
            "    PERFORMER \"Fixture Ensemble\"",
            "    ISRC USPR37300012",
            "    INDEX 01 00:00:00",
            "FILE \"sub/02 Harbour Wall.mp3\" MP3",
            "  TRACK 02 AUDIO",
            "    TITLE \"Harbour Wall\"",
            "    PREGAP 00:02:00",
            "    INDEX 01 00:00:00",
            "",
        ]
        .join("\r\n");
        assert_eq!(text, expected);
    }

    #[test]
    fn the_written_sheet_parses_back() {
        let sheet = album();
        assert_eq!(parse(&sheet.to_cue().unwrap()).unwrap(), read_back(&sheet));
    }

    #[test]
    fn gaps_are_pregaps_and_track_1s_pause_is_implied() {
        let mut sheet = album();
        sheet.tracks[0].pregap = 225;
        sheet.tracks[1].pregap = 0;
        let text = sheet.to_cue().unwrap();
        assert!(text.contains("ISRC USPR37300012\r\n    PREGAP 00:01:00\r\n    INDEX 01"), "{text}");
        assert_eq!(text.matches("PREGAP").count(), 1, "no gap, no PREGAP: {text}");
        assert_eq!(parse(&text).unwrap(), read_back(&sheet));
        let json = serde_json::to_value(&sheet.tracks[0]).unwrap();
        assert_eq!(json["pregap"], "00:03:00");
        assert!(json.get("index1").is_none());
    }

    #[test]
    fn indexes_are_kept_with_their_files() {
        // An image-and-cue rip with the gap at the end of the previous file.
        let text = "FILE \"a.wav\" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n\
                    INDEX 00 03:00:10\nFILE \"b.wav\" WAVE\n    INDEX 01 00:00:00\n  TRACK 03 AUDIO\n\
                    INDEX 00 01:10:00\n    INDEX 01 01:12:00\n";
        let sheet = parse(text).unwrap();
        let at = |track: usize| (sheet.tracks[track].index0.clone(), sheet.tracks[track].index1.clone());
        assert_eq!(at(0), (None, Some(("a.wav".into(), 0))));
        assert_eq!(at(1), (Some(("a.wav".into(), 13_510)), Some(("b.wav".into(), 0))));
        assert_eq!(sheet.tracks[1].file, "b.wav", "the track's audio is where its INDEX 01 is");
        assert_eq!(at(2), (Some(("b.wav".into(), 5250)), Some(("b.wav".into(), 5400))));
        assert_eq!(sheet.tracks.iter().map(|t| t.pregap).collect::<Vec<_>>(), [150, 0, 0]);
    }

    #[test]
    fn quotes_and_line_breaks_in_text_are_replaced() {
        let mut sheet = album();
        sheet.tracks[0].title = Some("The \"Best\"\nTake".into());
        sheet.performer = Some("   ".into());
        let text = sheet.to_cue().unwrap();
        assert!(text.contains("TITLE \"The 'Best' Take\"\r\n"), "{text}");
        assert!(!text.contains("PERFORMER \"   \""), "a blank value is left out");
        let back = parse(&text).unwrap();
        assert_eq!(back.tracks[0].title.as_deref(), Some("The 'Best' Take"));
        assert_eq!(back.performer, None);
    }

    #[test]
    fn file_names_a_sheet_cannot_hold_are_refused() {
        for name in ["a\"b.wav", "a\nb.wav", ""] {
            let mut sheet = album();
            sheet.tracks[0].file = name.into();
            assert_eq!(sheet.to_cue(), Err(CueWriteError::FileName(name.into())));
        }
    }

    #[test]
    fn file_types_follow_common_practice() {
        assert_eq!(file_type("a.flac"), "WAVE");
        assert_eq!(file_type("a.WAV"), "WAVE");
        assert_eq!(file_type("a.aiff"), "WAVE");
        assert_eq!(file_type("a.Mp3"), "MP3");
        assert_eq!(file_type("no-extension"), "WAVE");
    }

    #[test]
    fn more_than_99_tracks_or_bad_numbers_are_refused() {
        let track = |number| CueTrack::new("a.wav", number);
        let many = CueSheet { tracks: (1..=100).map(|n| track(n as u8)).collect(), ..CueSheet::default() };
        assert_eq!(many.to_cue(), Err(CueWriteError::TooManyTracks(100)));
        let full = CueSheet { tracks: (1..=99).map(track).collect(), ..CueSheet::default() };
        assert_eq!(parse(&full.to_cue().unwrap()).unwrap().tracks.len(), 99);
        for numbers in [vec![0], vec![100], vec![2, 2], vec![3, 1]] {
            let sheet = CueSheet { tracks: numbers.into_iter().map(track).collect(), ..CueSheet::default() };
            assert!(matches!(sheet.to_cue(), Err(CueWriteError::TrackNumber { .. })), "{sheet:?}");
        }
    }

    #[test]
    fn sheets_from_other_tools_are_read() {
        let text = "\u{feff}REM GENRE Jazz\nrem COMMENT \"x\"\ncatalog 0036000291452\nTITLE Bare Album Title\n\
                    FILE album.wav WAVE\n  TRACK 01 AUDIO\n    ISRC GBBBB9905305\n    INDEX 01 00:00:00\n\
                    \n  TRACK 02 AUDIO\n    FLAGS DCP\n    PREGAP 00:02:00\n    TITLE \"Two\"\n    INDEX 01 03:10:20\n";
        let sheet = parse(text).unwrap();
        assert_eq!(sheet.catalog.map(|c| c.to_string()).as_deref(), Some("0036000291452"));
        assert_eq!(sheet.title.as_deref(), Some("Bare Album Title"));
        assert_eq!(sheet.tracks.len(), 2);
        assert_eq!(sheet.tracks[1].file, "album.wav", "several tracks in one FILE");
        assert_eq!(sheet.tracks[0].isrc, isrc("GBBBB9905305"));
        assert_eq!(sheet.tracks[1].title.as_deref(), Some("Two"));
    }

    #[test]
    fn malformed_sheets_are_errors_naming_the_line() {
        let cases = [
            ("TRACK 01 AUDIO", 1, "before any FILE"),
            ("FILE \"a.wav\" WAVE\nTRACK 01 AUDIO\nISRC USPR3730001O", 3, "ISRC"),
            ("FILE \"a.wav\" WAVE\nTRACK 01 AUDIO\nISRC US-PR3-73-00012", 3, "stored form"),
            ("FILE \"a.wav\" WAVE\nTRACK 02 AUDIO\nTRACK 01 AUDIO", 3, "must increase"),
            ("FILE \"a.wav\" WAVE\nTRACK 100 AUDIO", 2, "1 to 99"),
            ("CATALOG 4006381333932", 1, "should be 1"),
            ("CATALOG 036000291452", 1, "13 digits"),
            ("TITLE \"open", 1, "closing"),
            ("TITLE \"a\" b", 1, "after the closing quote"),
            ("TITLE a\nTITLE b", 2, "second TITLE"),
            ("FILE \"a.wav\"", 1, "name and a type"),
            ("HELLO world", 1, "unknown command"),
            ("ISRC USPR37300012", 1, "before any TRACK"),
            ("FILE a.wav WAVE\nTRACK 01 AUDIO\nPREGAP 00:61:00", 3, "MM:SS:FF"),
            ("FILE a.wav WAVE\nTRACK 01 AUDIO\nPREGAP 00:01:00\nPREGAP 00:01:00", 4, "second PREGAP"),
            ("FILE a.wav WAVE\nTRACK 01 AUDIO\nINDEX 01 00:00:75", 3, "MM:SS:FF"),
            ("FILE a.wav WAVE\nTRACK 01 AUDIO\nINDEX 01", 3, "a number and a time"),
            ("FILE a.wav WAVE\nTRACK 01 AUDIO\nINDEX 01 00:00:00\nINDEX 01 00:00:01", 4, "second INDEX 01"),
            ("INDEX 01 00:00:00", 1, "before any TRACK"),
        ];
        for (text, line, message) in cases {
            let error = parse(text).unwrap_err();
            assert_eq!(error.line, line, "{text:?}: {error}");
            assert!(error.to_string().contains(message), "{text:?}: {error}");
        }
    }

    fn text_value() -> impl Strategy<Value = Option<String>> {
        proptest::option::of(any::<String>())
    }

    fn track_strategy() -> impl Strategy<Value = (String, Option<String>, Option<String>, bool, u64)> {
        ("[^\"\\p{Cc}]{1,30}", text_value(), text_value(), any::<bool>(), 0..600u64)
    }

    /// What a value reads back as after writing: sanitised, blank values dropped.
    fn written(value: &Option<String>) -> Option<String> {
        value.as_deref().map(sanitize).filter(|v| !v.trim().is_empty())
    }

    proptest! {
        #[test]
        fn parse_never_panics(text in any::<String>()) {
            let _ = parse(&text);
        }

        #[test]
        fn parse_never_panics_on_cue_like_lines(
            lines in prop::collection::vec(
                "(FILE|TRACK|TITLE|PERFORMER|ISRC|CATALOG|INDEX|REM|title)( |\t)?\"?[ -~\u{e9}\u{feff}]{0,20}\"?( [A-Z0-9]{0,14})?",
                0..30,
            )
        ) {
            let _ = parse(&lines.join("\n"));
        }

        #[test]
        fn every_writable_sheet_parses_back(
            performer in text_value(),
            title in text_value(),
            with_catalog in any::<bool>(),
            tracks in prop::collection::vec(track_strategy(), 0..20),
        ) {
            let sheet = CueSheet {
                catalog: with_catalog.then(|| Catalog::parse("4006381333931").unwrap()),
                performer,
                title,
                tracks: tracks
                    .into_iter()
                    .enumerate()
                    .map(|(i, (file, title, performer, with_isrc, gap))| CueTrack {
                        title,
                        performer,
                        isrc: with_isrc.then(|| Isrc::from_parts("QZ-TST".parse().unwrap(), 26, i as u32 + 1).unwrap()),
                        pregap: if i == 0 { 150 + gap } else { gap },
                        ..CueTrack::new(file, i as u8 + 1)
                    })
                    .collect(),
            };
            let back = parse(&sheet.to_cue().unwrap()).unwrap();
            let sheet = read_back(&sheet);
            let expected = CueSheet {
                performer: written(&sheet.performer),
                title: written(&sheet.title),
                tracks: sheet
                    .tracks
                    .iter()
                    .map(|t| CueTrack { title: written(&t.title), performer: written(&t.performer), ..t.clone() })
                    .collect(),
                ..sheet.clone()
            };
            prop_assert_eq!(back, expected);
        }
    }
}
