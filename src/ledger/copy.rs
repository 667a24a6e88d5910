//! `ledger copy`: everything one ledger holds (prefixes, recordings, audio ids with
//! their fingerprints, releases, the history with its event ids and runs) into another, empty one, between
//! any two backends: how a room moves its SQLite ledger onto the house's server.
//!
//! The source is read from one [`Snapshot`] in pages of [`PAGE`] items, so memory stays
//! bounded whatever its size; the target is written in one transaction, so it holds all
//! of it or nothing.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use super::error::{LedgerError, Result};
use super::types::{Recording, Stored};
use super::{Ledger, LedgerTx, Snapshot};
use crate::isrc::Isrc;

/// Items read and written at a time.
const PAGE: usize = 1000;

/// What a copy moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CopySummary {
    /// Prefixes.
    pub prefixes: usize,
    /// Recordings (codes).
    pub recordings: usize,
    /// Audio ids.
    pub audio_ids: usize,
    /// Acoustic fingerprints.
    pub fingerprints: usize,
    /// Events of the history.
    pub events: usize,
    /// `assign` runs.
    pub runs: usize,
    /// Releases (with their tracks).
    pub releases: usize,
}

/// Copies everything `from` holds into `to`, which must be empty
/// ([`LedgerError::NotEmpty`] otherwise).
pub fn copy(from: &mut dyn Ledger, to: &mut dyn Ledger) -> Result<CopySummary> {
    refuse_non_empty(to.snapshot()?.as_mut())?;
    let mut source = from.snapshot()?;
    to.transaction(|tx| {
        refuse_non_empty_tx(tx)?;
        copy_all(source.as_mut(), tx)
    })
}

/// Writes a consistent copy of `from` to a new SQLite ledger at `to`, whole or not at
/// all: made in a temporary folder beside `to` and renamed into place (replacing a file
/// there) only once complete. How a backend without files of its own backs up.
pub(crate) fn backup_to_sqlite(from: &mut dyn Ledger, to: &Path) -> Result<()> {
    let failed = |reason: String| LedgerError::Open { location: to.display().to_string(), reason };
    let folder = crate::base::replace::folder_of(to);
    let scratch =
        tempfile::Builder::new().prefix(".isrc-stamp-backup-").tempdir_in(folder).map_err(|e| failed(e.to_string()))?;
    let made = scratch.path().join("ledger.sqlite3");
    {
        let mut copy = super::SqliteLedger::open(&made)?;
        self::copy(from, &mut copy)?;
    }
    crate::base::replace::rename_into_place(&made, to).map_err(|e| failed(e.to_string()))
}

/// Fails unless the snapshot holds nothing at all.
fn refuse_non_empty(target: &mut dyn Snapshot) -> Result<()> {
    let prefixes = target.prefixes()?.len();
    let recordings = target.recordings_after(None, 1)?.len();
    let audio = target.audio_after(None, 1)?.len();
    let events = target.events_after(i64::MIN, 1)?.len();
    if prefixes + recordings + audio + events > 0 {
        return Err(LedgerError::NotEmpty);
    }
    Ok(())
}

/// The same check inside the writing transaction, on what it can ask cheaply.
fn refuse_non_empty_tx(tx: &mut dyn LedgerTx) -> Result<()> {
    if !tx.prefixes()?.is_empty() {
        return Err(LedgerError::NotEmpty);
    }
    Ok(())
}

/// Reads every page of the source and restores it in the target.
fn copy_all(source: &mut dyn Snapshot, tx: &mut dyn LedgerTx) -> Result<CopySummary> {
    let mut summary = CopySummary::default();
    let prefixes: Vec<Stored> = source.prefixes()?.into_iter().map(Stored::Prefix).collect();
    summary.prefixes = prefixes.len();
    tx.restore(&prefixes)?;
    summary.recordings = copy_recordings(source, tx)?;
    // Releases after the codes their tracks name.
    let mut after = None;
    loop {
        let page = source.releases_after(after.as_ref(), PAGE)?;
        let Some(last) = page.last() else {
            break;
        };
        after = Some(last.upc);
        summary.releases += page.len();
        tx.restore(&page.into_iter().map(Stored::Release).collect::<Vec<_>>())?;
    }
    let mut after = None;
    loop {
        let page = source.audio_after(after.as_ref(), PAGE)?;
        let Some((last, _)) = page.last() else {
            break;
        };
        after = Some(last.audio_id.clone());
        summary.audio_ids += page.len();
        summary.fingerprints += page.iter().filter(|(_, print)| print.is_some()).count();
        let items: Vec<Stored> = page.into_iter().map(|(audio, print)| Stored::Audio(audio, print)).collect();
        tx.restore(&items)?;
    }
    // Runs before the events that name them.
    let mut after = i64::MIN;
    loop {
        let page = source.runs_after(after, PAGE)?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.run;
        summary.runs += page.len();
        tx.restore(&page.into_iter().map(Stored::Run).collect::<Vec<_>>())?;
    }
    let mut after = i64::MIN;
    loop {
        let page = source.events_after(after, PAGE)?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.id;
        summary.events += page.len();
        tx.restore(&page.into_iter().map(Stored::Event).collect::<Vec<_>>())?;
    }
    Ok(summary)
}

/// Copies the recordings in code order; one whose parent comes later (or waits itself)
/// waits until its parent is in, since the target checks every parent.
fn copy_recordings(source: &mut dyn Snapshot, tx: &mut dyn LedgerTx) -> Result<usize> {
    let mut copied = 0;
    let mut waiting: HashMap<Isrc, Recording> = HashMap::new();
    let mut after = None;
    loop {
        let page = source.recordings_after(after, PAGE)?;
        let Some(last) = page.last() else {
            break;
        };
        after = Some(last.isrc);
        let mut ready = Vec::new();
        for recording in page {
            // Every code below this one has been seen: its parent is in unless it waits.
            match recording.parent {
                Some(parent) if parent >= recording.isrc || waiting.contains_key(&parent) => {
                    waiting.insert(recording.isrc, recording);
                }
                _ => ready.push(Stored::Recording(recording)),
            }
        }
        copied += ready.len();
        tx.restore(&ready)?;
    }
    while !waiting.is_empty() {
        let ready: Vec<Isrc> = waiting
            .values()
            .filter(|r| r.parent.is_none_or(|parent| !waiting.contains_key(&parent)))
            .map(|r| r.isrc)
            .collect();
        if ready.is_empty() {
            let code = waiting.keys().min().map(Isrc::to_string).unwrap_or_default();
            return Err(LedgerError::Corrupt { column: "recording.parent", value: format!("a cycle through {code}") });
        }
        let mut items: Vec<Stored> =
            ready.iter().filter_map(|isrc| waiting.remove(isrc)).map(Stored::Recording).collect();
        items.sort_by_key(|item| match item {
            Stored::Recording(r) => Some(r.isrc),
            _ => None,
        });
        copied += items.len();
        tx.restore(&items)?;
    }
    Ok(copied)
}
