//! The code list for a label or distributor (`ledger export --recordings`): one row per
//! code, ordered by code, with what a release sheet asks for. Unlike the full export it
//! does not go back into a ledger: it is for people and their spreadsheets.
//!
//! | column | holds |
//! |---|---|
//! | `isrc`, `isrc_display` | the stored form and `ISRC CC-XXX-YY-NNNNN` |
//! | `title`, `version`, `artist` | the ledger's text, empty when unknown |
//! | `duration`, `duration_seconds` | of the reference audio: `H:MM:SS.mmm`, and seconds to the millisecond |
//! | `status`, `origin`, `parent`, `relation`, `issued_at` | as in the full export |
//! | `audio_ids` | how many audio ids the code has |
//! | `formats` | each audio id's format, reference first: `wav 96/24; flac 44.1/16; mp3` |
//! | `content_type`, `p_date`, `p_line_year`, `p_line_owner`, `parental_warning` | as in the full export |
//!
//! The reference audio is the best source, as `assign` chooses it: lossless over lossy,
//! then the highest rate times depth, then the longest. The ledger keeps no container per
//! audio id (the audio id does not depend on it), so a format is named by the extension of
//! the path the audio was first seen at; an M4A is `alac` when it decoded to integer
//! samples and `aac` otherwise. Lossy formats have no rate and depth of their own (their
//! decoder chooses), so they show the name alone. Cells are formula-safe as in the full
//! export ([`neutralise`]).

use std::io::Write;

use serde::Serialize;

use super::Entry;
use super::cell::{format_time, neutralise};
use crate::ledger::AudioRecord;

/// The columns, in order.
pub const COLUMNS: [&str; 19] = [
    "isrc",
    "isrc_display",
    "title",
    "version",
    "artist",
    "duration",
    "duration_seconds",
    "status",
    "origin",
    "parent",
    "relation",
    "issued_at",
    "audio_ids",
    "formats",
    "content_type",
    "p_date",
    "p_line_year",
    "p_line_owner",
    "parental_warning",
];

/// One row of the code list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeRow {
    /// The code, stored form.
    pub isrc: String,
    /// The code, display form.
    pub isrc_display: String,
    /// The title.
    pub title: Option<String>,
    /// The version note.
    pub version: Option<String>,
    /// The artist.
    pub artist: Option<String>,
    /// The reference audio's duration, `H:MM:SS.mmm`.
    pub duration: Option<String>,
    /// The reference audio's duration in seconds, to the millisecond.
    pub duration_seconds: Option<f64>,
    /// `active` or `void`.
    pub status: String,
    /// `issued`, `adopted` or `imported`.
    pub origin: String,
    /// The code this one is a new version of.
    pub parent: Option<String>,
    /// How it relates to the parent.
    pub relation: Option<String>,
    /// When it was issued, RFC 3339 UTC.
    pub issued_at: String,
    /// How many audio ids it has.
    pub audio_ids: usize,
    /// Each audio id's format, reference first, `; ` between them.
    pub formats: String,
    /// `audio` or `video`.
    pub content_type: String,
    /// The date of first publication.
    pub p_date: Option<String>,
    /// The (P) line's year.
    pub p_line_year: Option<u16>,
    /// The (P) line's owner.
    pub p_line_owner: Option<String>,
    /// The parental warning, when stated.
    pub parental_warning: Option<String>,
}

impl CodeRow {
    /// The row of one recording with its audio ids.
    pub fn of(entry: &Entry) -> CodeRow {
        let r = &entry.recording;
        let mut audio: Vec<&AudioRecord> = entry.audio.iter().collect();
        audio.sort_by(|a, b| rank(b).cmp(&rank(a)).then(a.audio_id.cmp(&b.audio_id)));
        let seconds = audio.first().filter(|a| a.sample_rate > 0).map(|a| a.frames as f64 / f64::from(a.sample_rate));
        let mut formats: Vec<String> = Vec::new();
        for name in audio.iter().map(|a| format_name(a)) {
            if !formats.contains(&name) {
                formats.push(name);
            }
        }
        CodeRow {
            isrc: r.isrc.to_string(),
            isrc_display: r.isrc.display_form(),
            title: r.title.clone(),
            version: r.version_note.clone(),
            artist: r.artist.clone(),
            duration: seconds.map(clock),
            duration_seconds: seconds.map(|s| (s * 1000.0).round() / 1000.0),
            status: r.status.to_string(),
            origin: r.origin.to_string(),
            parent: r.parent.map(|p| p.to_string()),
            relation: r.relation.map(|p| p.to_string()),
            issued_at: r.issued_at.map(format_time).unwrap_or_default(),
            audio_ids: entry.audio.len(),
            formats: formats.join("; "),
            content_type: r.publication.content_type.to_string(),
            p_date: r.publication.p_date.clone(),
            p_line_year: r.publication.p_line_year,
            p_line_owner: r.publication.p_line_owner.clone(),
            parental_warning: r.publication.parental_warning.map(|w| w.to_string()),
        }
    }

    /// The cells in [`COLUMNS`] order, neutralised.
    fn cells(&self) -> Vec<String> {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        [
            self.isrc.clone(),
            self.isrc_display.clone(),
            text(&self.title),
            text(&self.version),
            text(&self.artist),
            text(&self.duration),
            self.duration_seconds.map(|s| format!("{s:.3}")).unwrap_or_default(),
            self.status.clone(),
            self.origin.clone(),
            text(&self.parent),
            text(&self.relation),
            self.issued_at.clone(),
            self.audio_ids.to_string(),
            self.formats.clone(),
            self.content_type.clone(),
            text(&self.p_date),
            self.p_line_year.map(|y| y.to_string()).unwrap_or_default(),
            text(&self.p_line_owner),
            text(&self.parental_warning),
        ]
        .iter()
        .map(|cell| neutralise(cell))
        .collect()
    }
}

/// The container an audio id was first seen in, by the extension of that path.
fn container(audio: &AudioRecord) -> String {
    let extension = std::path::Path::new(&audio.first_path)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "aif" | "aifc" | "aiff" => "aiff".into(),
        "m4a" | "mp4" | "alac" if audio.bits <= 24 => "alac".into(),
        "m4a" | "mp4" | "aac" => "aac".into(),
        "oga" => "ogg".into(),
        "" => "unknown".into(),
        other => other.into(),
    }
}

/// Whether the container keeps every sample.
fn is_lossless(container: &str) -> bool {
    matches!(container, "wav" | "flac" | "aiff" | "alac" | "rf64" | "w64")
}

/// How good a source an audio id is: lossless first, then rate times depth, then length.
fn rank(audio: &AudioRecord) -> (bool, u64, u64) {
    (is_lossless(&container(audio)), u64::from(audio.sample_rate) * u64::from(audio.bits), audio.frames)
}

/// `wav 96/24`, `flac 44.1/16`, or a lossy container's name alone (`mp3`).
fn format_name(audio: &AudioRecord) -> String {
    let name = container(audio);
    if !is_lossless(&name) {
        return name;
    }
    let khz = f64::from(audio.sample_rate) / 1000.0;
    let rate = format!("{khz:.1}");
    format!("{name} {}/{}", rate.strip_suffix(".0").unwrap_or(&rate), audio.bits)
}

/// Seconds as `H:MM:SS.mmm`.
fn clock(seconds: f64) -> String {
    let millis = (seconds.max(0.0) * 1000.0).round() as u64;
    format!("{}:{:02}:{:02}.{:03}", millis / 3_600_000, millis / 60_000 % 60, millis / 1000 % 60, millis % 1000)
}

/// The code list as CSV, written one code at a time: the header row when made, then one
/// row per code.
pub struct CodesCsv<W: Write> {
    writer: csv::Writer<W>,
}

impl<W: Write> CodesCsv<W> {
    /// Starts the list on `out` with its header row.
    pub fn new(out: W) -> csv::Result<CodesCsv<W>> {
        let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(out);
        writer.write_record(COLUMNS)?;
        Ok(CodesCsv { writer })
    }

    /// Writes the row of one code.
    pub fn write(&mut self, entry: &Entry) -> csv::Result<()> {
        self.writer.write_record(CodeRow::of(entry).cells())
    }

    /// Flushes what is buffered to `out`.
    pub fn finish(mut self) -> csv::Result<()> {
        self.writer.flush()?;
        Ok(())
    }
}

/// Writes the code list as CSV: the header row, then one row per code. (The export
/// writes through [`CodesCsv`]; tests compare it with this.)
#[cfg(test)]
pub fn write_codes_csv(entries: &[Entry], out: &mut dyn Write) -> csv::Result<()> {
    let mut rows = CodesCsv::new(out)?;
    for entry in entries {
        rows.write(entry)?;
    }
    rows.finish()
}

/// Writes the code list as JSON Lines, one object per code with the same keys. (The
/// export writes through [`write_code_json`]; tests compare it with this.)
#[cfg(test)]
pub fn write_codes_json(entries: &[Entry], out: &mut dyn Write) -> std::io::Result<()> {
    for entry in entries {
        write_code_json(entry, out)?;
    }
    Ok(())
}

/// Writes one code as a line of JSON Lines, with the keys of [`COLUMNS`].
pub fn write_code_json(entry: &Entry, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, &CodeRow::of(entry))?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::ids::AudioId;
    use crate::isrc::Isrc;
    use crate::ledger::{Origin, Recording, Status};

    fn audio(n: u64, path: &str, rate: u32, bits: u16, seconds: u64) -> AudioRecord {
        AudioRecord {
            audio_id: AudioId::parse(&format!("pcm1:{n:064x}")).unwrap(),
            isrc: Isrc::parse("QZTST2600001").unwrap(),
            frames: u64::from(rate) * seconds,
            sample_rate: rate,
            channels: 2,
            bits,
            first_path: path.into(),
            added_at: 0,
            codec: None,
        }
    }

    fn entry(audio: Vec<AudioRecord>) -> Entry {
        Entry {
            recording: Recording {
                isrc: Isrc::parse("QZTST2600001").unwrap(),
                origin: Origin::Issued,
                status: Status::Active,
                title: Some("=Harbour".into()),
                artist: Some("Fixture Ensemble".into()),
                version_note: Some("Radio Edit".into()),
                parent: None,
                relation: None,
                issued_at: Some(1_767_225_600),
                entered_at: 1_767_225_600,
                issued_by: "x".into(),
                void_reason: None,
                declared_ms: None,
                publication: crate::ledger::Publication::default(),
            },
            audio,
        }
    }

    #[test]
    fn the_reference_is_the_best_source_and_formats_follow_it() {
        let row = CodeRow::of(&entry(vec![
            audio(1, "/m/a.mp3", 44_100, 32, 201),
            audio(2, "/m/cd.flac", 44_100, 16, 205),
            audio(3, "/m/master.WAV", 96_000, 24, 205),
            audio(4, "/m/other.flac", 44_100, 16, 205),
            audio(5, "/m/b.m4a", 44_100, 32, 200),
            audio(6, "/m/c.m4a", 88_200, 24, 205),
        ]));
        assert_eq!(row.formats, "wav 96/24; alac 88.2/24; flac 44.1/16; mp3; aac");
        assert_eq!((row.duration.as_deref(), row.duration_seconds), (Some("0:03:25.000"), Some(205.0)));
        assert_eq!((row.audio_ids, row.isrc_display.as_str()), (6, "ISRC QZ-TST-26-00001"));
        let cells = row.cells();
        assert_eq!(cells.len(), COLUMNS.len());
        assert_eq!((cells[2].as_str(), cells[3].as_str()), ("'=Harbour", "Radio Edit"), "formula-safe");
        assert_eq!(cells[11], "2026-01-01T00:00:00Z");
    }

    #[test]
    fn a_code_without_audio_has_empty_duration_and_formats() {
        let row = CodeRow::of(&entry(Vec::new()));
        assert_eq!((row.duration, row.duration_seconds, row.formats.as_str(), row.audio_ids), (None, None, "", 0));
        assert_eq!(clock(3723.0456), "1:02:03.046");
    }
}
