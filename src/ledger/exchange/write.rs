//! Export: the ledger's recordings and audio ids as CSV or JSON Lines.

use std::io::Write;

use serde::Serialize;

use super::cell::neutralise;
use super::{Column, Entry};
use crate::ledger::Lookup;
use crate::ledger::error::Result;
use crate::ledger::types::{AudioRecord, Recording};

/// Every recording with its audio ids, ordered by code, then audio id. Run it inside a
/// transaction for a consistent snapshot of a ledger others are writing to.
pub fn entries(lookup: &mut dyn Lookup) -> Result<Vec<Entry>> {
    lookup
        .recordings()?
        .into_iter()
        .map(|recording| {
            let mut audio = lookup.audio_for_code(recording.isrc)?;
            audio.sort_by(|a, b| a.audio_id.as_str().cmp(b.audio_id.as_str()));
            Ok(Entry { recording, audio })
        })
        .collect()
}

/// Writes `entries` as CSV: a header row, then one row per (recording, audio id) pair and
/// one row for each recording without audio, every cell neutralised. The header row is
/// written even when there is nothing to export.
pub fn write_csv(entries: &[Entry], out: &mut dyn Write) -> csv::Result<()> {
    let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(out);
    writer.write_record(Column::ALL.iter().map(|column| column.name()))?;
    for entry in entries {
        if entry.audio.is_empty() {
            writer.write_record(row(&entry.recording, None))?;
        }
        for audio in &entry.audio {
            writer.write_record(row(&entry.recording, Some(audio)))?;
        }
    }
    writer.flush()?;
    Ok(())
}

/// The neutralised cells of a recording and one of its audio ids (or none), in
/// [`Column::ALL`] order.
fn row(recording: &Recording, audio: Option<&AudioRecord>) -> Vec<String> {
    Column::ALL.iter().map(|column| neutralise(&column.render(recording, audio))).collect()
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
    issued_at: i64,
    issued_by: &'a str,
    void_reason: &'a Option<String>,
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
}

/// Serializes a value as its `Display` text.
fn display<T: std::fmt::Display, S: serde::Serializer>(value: &T, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(value)
}

/// Writes `entries` as JSON Lines: one object per recording, times in seconds since 1970.
pub fn write_json(entries: &[Entry], out: &mut dyn Write) -> std::io::Result<()> {
    for Entry { recording: r, audio } in entries {
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
                })
                .collect(),
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_header_is_the_column_order_and_every_row_fills_it() {
        let mut out = Vec::new();
        write_csv(&[], &mut out).unwrap();
        let names: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
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
            issued_at: 0,
            issued_by: "x".into(),
            void_reason: None,
        };
        let cells = row(&recording, None);
        assert_eq!(cells.len(), names.len());
        assert_eq!((cells[0].as_str(), cells[1].as_str()), ("USPR37300012", "'=1+1"));
    }
}
