//! Export: the ledger's recordings and audio ids as CSV or JSON Lines.
//!
//! The writers take one [`Entry`] at a time ([`CsvRows`], [`write_json_entry`]), so an
//! export fed by [`Pages`] holds one page of recordings in memory whatever the ledger's
//! size; the tests' `write_csv` and `write_json` write a whole slice with the same rows.

use std::io::Write;

use serde::Serialize;

use super::cell::neutralise;
use super::{Column, Entry};
use crate::isrc::Isrc;
use crate::ledger::error::Result;
use crate::ledger::types::{AudioRecord, Recording};
use crate::ledger::{Lookup, Snapshot};

/// How many recordings an export reads from the ledger at a time.
pub const PAGE: usize = 1000;

/// Every recording with its audio ids, ordered by code, then audio id. Run it inside a
/// transaction for a consistent snapshot of a ledger others are writing to. It holds the
/// whole ledger in memory; [`Pages`] reads it a page at a time.
pub fn entries(lookup: &mut dyn Lookup) -> Result<Vec<Entry>> {
    lookup.recordings()?.into_iter().map(|recording| entry(lookup, recording)).collect()
}

/// A recording with its audio ids, ordered by audio id.
fn entry(lookup: &mut dyn Lookup, recording: Recording) -> Result<Entry> {
    let mut audio = lookup.audio_for_code(recording.isrc)?;
    audio.sort_by(|a, b| a.audio_id.as_str().cmp(b.audio_id.as_str()));
    Ok(Entry { recording, audio })
}

/// The same entries as [`entries`], in the same order, read from a snapshot one page of
/// recordings at a time ([`Snapshot::recordings_after`], then each one's audio ids): at
/// most one page is held in memory. After an error it yields nothing more.
pub struct Pages<'s> {
    snapshot: &'s mut dyn Snapshot,
    page: usize,
    after: Option<Isrc>,
    current: std::vec::IntoIter<Entry>,
    done: bool,
}

impl<'s> Pages<'s> {
    /// Reads `snapshot` from its first code, `page` recordings at a time (at least one).
    pub fn new(snapshot: &'s mut dyn Snapshot, page: usize) -> Pages<'s> {
        Pages { snapshot, page: page.max(1), after: None, current: Vec::new().into_iter(), done: false }
    }

    /// Reads the next page; an empty page is the end.
    fn next_page(&mut self) -> Result<()> {
        let recordings = self.snapshot.recordings_after(self.after, self.page)?;
        let Some(last) = recordings.last() else {
            self.done = true;
            return Ok(());
        };
        self.after = Some(last.isrc);
        let snapshot: &mut dyn Lookup = &mut *self.snapshot;
        let page = recordings.into_iter().map(|recording| entry(snapshot, recording)).collect::<Result<Vec<_>>>()?;
        self.current = page.into_iter();
        Ok(())
    }
}

impl Iterator for Pages<'_> {
    type Item = Result<Entry>;

    fn next(&mut self) -> Option<Result<Entry>> {
        loop {
            if let Some(entry) = self.current.next() {
                return Some(Ok(entry));
            }
            if self.done {
                return None;
            }
            if let Err(error) = self.next_page() {
                self.done = true;
                return Some(Err(error));
            }
        }
    }
}

/// The full export as CSV, written one entry at a time: the header row when made, then
/// one row per (recording, audio id) pair and one row for each recording without audio,
/// every cell neutralised.
pub struct CsvRows<W: Write> {
    writer: csv::Writer<W>,
}

impl<W: Write> CsvRows<W> {
    /// Starts the list on `out` with its header row.
    pub fn new(out: W) -> csv::Result<CsvRows<W>> {
        let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(out);
        writer.write_record(Column::exported().map(|column| column.name()))?;
        Ok(CsvRows { writer })
    }

    /// Writes the rows of one recording.
    pub fn write(&mut self, entry: &Entry) -> csv::Result<()> {
        if entry.audio.is_empty() {
            self.writer.write_record(row(&entry.recording, None))?;
        }
        for audio in &entry.audio {
            self.writer.write_record(row(&entry.recording, Some(audio)))?;
        }
        Ok(())
    }

    /// Flushes what is buffered to `out`.
    pub fn finish(mut self) -> csv::Result<()> {
        self.writer.flush()?;
        Ok(())
    }
}

/// Writes `entries` as CSV: a header row, then one row per (recording, audio id) pair and
/// one row for each recording without audio, every cell neutralised. The header row is
/// written even when there is nothing to export. (The export writes through [`CsvRows`];
/// tests compare it with this.)
#[cfg(test)]
pub fn write_csv(entries: &[Entry], out: &mut dyn Write) -> csv::Result<()> {
    let mut rows = CsvRows::new(out)?;
    for entry in entries {
        rows.write(entry)?;
    }
    rows.finish()
}

/// The neutralised cells of a recording and one of its audio ids (or none), in
/// [`Column::exported`] order.
fn row(recording: &Recording, audio: Option<&AudioRecord>) -> Vec<String> {
    Column::exported().map(|column| neutralise(&column.render(recording, audio))).collect()
}

/// One recording as a JSON line: the recording columns and an `audio` array.
#[derive(Debug, Serialize)]
struct JsonEntry<'a> {
    #[serde(serialize_with = "display")]
    isrc: crate::isrc::Isrc,
    title: &'a Option<String>,
    artist: &'a Option<String>,
    version_note: &'a Option<String>,
    status: crate::ledger::Status,
    origin: crate::ledger::Origin,
    parent: Option<String>,
    relation: Option<crate::ledger::Relation>,
    issued_at: Option<i64>,
    issued_by: &'a str,
    void_reason: &'a Option<String>,
    entered_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    declared_duration: Option<f64>,
    content_type: crate::ledger::ContentType,
    #[serde(skip_serializing_if = "Option::is_none")]
    p_date: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    p_line_year: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    p_line_owner: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parental_warning: Option<crate::ledger::ParentalWarning>,
    audio: Vec<JsonAudio<'a>>,
}

/// One audio id inside a [`JsonEntry`].
#[derive(Debug, Serialize)]
struct JsonAudio<'a> {
    audio_id: &'a str,
    frames: u64,
    sample_rate: u32,
    channels: u16,
    bits: u16,
    first_path: &'a str,
    added_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    codec: Option<&'a str>,
}

/// Serializes a value as its `Display` text.
fn display<T: std::fmt::Display, S: serde::Serializer>(value: &T, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(value)
}

/// Writes `entries` as JSON Lines: one object per recording, times in seconds since 1970.
/// (The export writes through [`write_json_entry`]; tests compare it with this.)
#[cfg(test)]
pub fn write_json(entries: &[Entry], out: &mut dyn Write) -> std::io::Result<()> {
    for entry in entries {
        write_json_entry(entry, out)?;
    }
    Ok(())
}

/// Writes one recording as a line of JSON Lines: its recording columns and an `audio`
/// array, times in seconds since 1970.
pub fn write_json_entry(Entry { recording: r, audio }: &Entry, out: &mut dyn Write) -> std::io::Result<()> {
    let line = JsonEntry {
        isrc: r.isrc,
        title: &r.title,
        artist: &r.artist,
        version_note: &r.version_note,
        status: r.status,
        origin: r.origin,
        parent: r.parent.map(|parent| parent.to_string()),
        relation: r.relation,
        issued_at: r.issued_at,
        issued_by: &r.issued_by,
        void_reason: &r.void_reason,
        entered_at: r.entered_at,
        declared_duration: r.declared_ms.map(|ms| ms as f64 / 1000.0),
        content_type: r.publication.content_type,
        p_date: &r.publication.p_date,
        p_line_year: r.publication.p_line_year,
        p_line_owner: &r.publication.p_line_owner,
        parental_warning: r.publication.parental_warning,
        audio: audio
            .iter()
            .map(|a| JsonAudio {
                audio_id: a.audio_id.as_str(),
                frames: a.frames,
                sample_rate: a.sample_rate,
                channels: a.channels,
                bits: a.bits,
                first_path: &a.first_path,
                added_at: a.added_at,
                codec: a.codec.as_deref(),
            })
            .collect(),
    };
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_header_is_the_column_order_and_every_row_fills_it() {
        let mut out = Vec::new();
        write_csv(&[], &mut out).unwrap();
        let names: Vec<&str> = Column::exported().map(|c| c.name()).collect();
        assert_eq!(String::from_utf8(out).unwrap(), format!("{}\n", names.join(",")));
        let recording = Recording {
            isrc: crate::isrc::Isrc::parse("USPR37300012").unwrap(),
            origin: crate::ledger::Origin::Issued,
            status: crate::ledger::Status::Active,
            title: Some("=1+1".into()),
            artist: None,
            version_note: None,
            parent: None,
            relation: None,
            issued_at: Some(0),
            entered_at: 0,
            issued_by: "x".into(),
            void_reason: None,
            declared_ms: None,
            publication: crate::ledger::Publication::default(),
        };
        let cells = row(&recording, None);
        assert_eq!(cells.len(), names.len());
        assert_eq!((cells[0].as_str(), cells[1].as_str()), ("USPR37300012", "'=1+1"));
    }
}
