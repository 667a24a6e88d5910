//! A release as the ledger holds it, each track with its code's recording and playing
//! time: what `release show` prints, the label copy (`release export --format csv|json`)
//! and the ERN message are made of.
//!
//! The label copy has one row per track: `disc, track, isrc, title, version, artist,
//! duration` (`H:MM:SS.mmm`, of the code's reference audio, else the duration a list
//! declared), `p_line` (the code's, else the release's) and `upc` (as typed), every cell
//! formula-safe like every export ([`neutralise`]).

use std::io::Write;

use serde::Serialize;

use crate::isrc::{Catalog, Isrc};
use crate::ledger::exchange::cell::neutralise;
use crate::ledger::exchange::{Entry, recordings::CodeRow};
use crate::ledger::{LedgerError, Lookup, Recording, Release};

/// A release with every track's recording.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The release as stored.
    pub release: Release,
    /// Its tracks, by disc and number.
    pub tracks: Vec<SheetTrack>,
}

/// One track of a [`Sheet`].
#[derive(Debug, Clone, PartialEq)]
pub struct SheetTrack {
    /// The disc.
    pub disc: u32,
    /// The track number on the disc.
    pub number: u32,
    /// The code's recording.
    pub recording: Recording,
    /// Its playing time in milliseconds: its reference audio's, else the declared one.
    pub duration_ms: Option<u64>,
}

impl SheetTrack {
    /// The code.
    pub fn isrc(&self) -> Isrc {
        self.recording.isrc
    }

    /// The artist: the recording's, else the release's.
    pub fn artist<'a>(&'a self, release: &'a Release) -> Option<&'a str> {
        self.recording.artist.as_deref().or(release.artist.as_deref())
    }

    /// The (P) line: the code's, else the release's.
    pub fn p_line(&self, release: &Release) -> Option<String> {
        self.recording.publication.p_line().or_else(|| release.p_line.clone())
    }
}

/// The release `upc` with its tracks' recordings, or `None` when the ledger has no such
/// release. Each track costs a few index seeks.
pub fn read_sheet(lookup: &mut dyn Lookup, upc: &Catalog) -> Result<Option<Sheet>, LedgerError> {
    let Some(release) = lookup.release(upc)? else { return Ok(None) };
    let mut tracks = Vec::with_capacity(release.tracks.len());
    for track in &release.tracks {
        let recording = lookup.recording(track.isrc)?.ok_or(LedgerError::UnknownCode(track.isrc))?;
        let audio = lookup.audio_for_code(track.isrc)?;
        let declared = recording.declared_ms;
        let entry = Entry { recording, audio };
        let measured = CodeRow::of(&entry).duration_seconds.map(|s| (s * 1000.0).round() as u64);
        tracks.push(SheetTrack {
            disc: track.disc,
            number: track.number,
            duration_ms: measured.or(declared),
            recording: entry.recording,
        });
    }
    Ok(Some(Sheet { release, tracks }))
}

/// Milliseconds as `H:MM:SS.mmm`.
pub fn clock(ms: u64) -> String {
    format!("{}:{:02}:{:02}.{:03}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
}

/// The label copy's columns, in order.
pub const LABEL_COPY: [&str; 9] = ["disc", "track", "isrc", "title", "version", "artist", "duration", "p_line", "upc"];

/// One row of the label copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabelRow {
    /// The disc.
    pub disc: u32,
    /// The track number.
    pub track: u32,
    /// The code, stored form.
    pub isrc: String,
    /// The title.
    pub title: Option<String>,
    /// The version.
    pub version: Option<String>,
    /// The artist.
    pub artist: Option<String>,
    /// `H:MM:SS.mmm`.
    pub duration: Option<String>,
    /// The (P) line, `2026 Owner`.
    pub p_line: Option<String>,
    /// The release's UPC/EAN as typed.
    pub upc: String,
}

impl Sheet {
    /// The label copy's rows.
    pub fn label_rows(&self) -> Vec<LabelRow> {
        self.tracks
            .iter()
            .map(|track| LabelRow {
                disc: track.disc,
                track: track.number,
                isrc: track.isrc().to_string(),
                title: track.recording.title.clone(),
                version: track.recording.version_note.clone(),
                artist: track.artist(&self.release).map(str::to_owned),
                duration: track.duration_ms.map(clock),
                p_line: track.p_line(&self.release),
                upc: self.release.upc.as_typed().to_owned(),
            })
            .collect()
    }

    /// Writes the label copy as CSV: a header row, then one formula-safe row per track.
    pub fn write_csv(&self, out: &mut dyn Write) -> csv::Result<()> {
        let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(out);
        writer.write_record(LABEL_COPY)?;
        for row in self.label_rows() {
            let text = |value: &Option<String>| value.clone().unwrap_or_default();
            let cells = [
                row.disc.to_string(),
                row.track.to_string(),
                row.isrc.clone(),
                text(&row.title),
                text(&row.version),
                text(&row.artist),
                text(&row.duration),
                text(&row.p_line),
                row.upc.clone(),
            ];
            writer.write_record(cells.iter().map(|cell| neutralise(cell)))?;
        }
        writer.flush()?;
        Ok(())
    }

    /// Writes the label copy as JSON Lines, one object per track with the same keys.
    pub fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        for row in self.label_rows() {
            serde_json::to_writer(&mut *out, &row)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }

    /// The whole playing time, when every track has one.
    pub fn total_ms(&self) -> Option<u64> {
        self.tracks.iter().map(|track| track.duration_ms).sum()
    }
}
