//! `untag`: taking the ISRC out of every tag location of each file, the way back from a
//! run on the wrong folder (`ledger void --run`, then `untag`).
//!
//! Each file is decoded (its audio id is what the copy must prove), its tags read, and
//! the copy made without the code goes through the same safe write as tagging
//! ([`crate::write::remove_isrc`]: copy beside, prove the audio, read back that no ISRC
//! is left, rename over the original). A file that carries no code is left alone; the
//! ledger records every removal (`untag` events with the file, its audio and the code
//! taken out). A file whose audio the ledger still ties to an active code is untagged
//! all the same, with a note: the next `assign` would write that code back, so the code
//! is voided (or the binding unlinked) first when it was wrong.

use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use crate::audio::AnalyzeOptions;
use crate::isrc::Isrc;
use crate::ledger::{self, EventKind, Ledger, LedgerError, NewEvent, Status};
use crate::output::progress;
use crate::scan::{self, Batch, Scanned};
use crate::stop::Stop;
use crate::write::{self, WriteOptions};

/// What `untag` was asked to do.
#[derive(Debug, Clone)]
pub(crate) struct UntagOptions {
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    /// Show what would be removed; change nothing.
    pub dry_run: bool,
    /// Who does it (recorded in the ledger).
    pub user: String,
    /// Worker threads.
    pub jobs: usize,
    /// No progress.
    pub quiet: bool,
    /// Set by the first SIGINT/SIGTERM: no new file is started.
    pub stop: Stop,
}

/// What happened to a file: the `action` of `untag --json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum UntagAction {
    /// Its ISRC was taken out of every location (with `--dry-run`: would be).
    Untagged,
    /// It carried no ISRC: left alone.
    Unchanged,
    /// A format isrc-stamp does not read: left alone, and said so.
    Skipped,
    /// It could not be read or written: nothing changed.
    Error,
}

impl UntagAction {
    /// The action's name, as printed.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            UntagAction::Untagged => "untagged",
            UntagAction::Unchanged => "unchanged",
            UntagAction::Skipped => "skipped",
            UntagAction::Error => "error",
        }
    }
}

/// One file's result, as `untag --json` prints it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct UntagOutcome {
    /// The file.
    pub path: String,
    /// Its audio id.
    pub audio_id: Option<String>,
    /// What was done.
    pub action: UntagAction,
    /// The values taken out (or that would be), each once.
    pub removed: Vec<String>,
    /// Details for people.
    pub detail: Option<String>,
}

/// What an `untag` run did.
pub(crate) struct UntagReport {
    /// One outcome per file, in walk order.
    pub outcomes: Vec<UntagOutcome>,
    /// The signal that stopped the run early, if one did.
    pub interrupted: Option<u8>,
    /// Why the ledger could not record the removals, when it could not (the files were
    /// untagged all the same).
    pub history_error: Option<String>,
}

/// Runs `untag` with `ledger` recording what it removes.
pub(crate) fn run(ledger: &mut dyn Ledger, options: &UntagOptions) -> Result<UntagReport, LedgerError> {
    if !options.dry_run {
        crate::base::replace::remove_stale_temp_files(&options.paths);
    }
    let batch = Batch { jobs: options.jobs, quiet: options.quiet, label: "reading", stop: &options.stop };
    let files = scan::scan_handing_on(
        &options.paths,
        &AnalyzeOptions { skip_md5: true, ..AnalyzeOptions::default() },
        &batch,
        &|_, _| {},
        &scan::nothing_known,
    );
    let mut outcomes = Vec::with_capacity(files.len());
    let mut pending = Vec::new();
    for file in &files {
        match file {
            Ok(scanned) => {
                let mut removed: Vec<String> = Vec::new();
                for found in &scanned.tags.isrcs {
                    if !removed.contains(&found.value) {
                        removed.push(found.value.clone());
                    }
                }
                let action = if removed.is_empty() { UntagAction::Unchanged } else { UntagAction::Untagged };
                let note = still_bound_note(ledger, scanned)?;
                if action == UntagAction::Untagged {
                    pending.push((outcomes.len(), scanned));
                }
                let detail = match action {
                    UntagAction::Unchanged => Some("carries no ISRC: nothing to remove".to_owned()),
                    _ => note,
                };
                outcomes.push(UntagOutcome {
                    path: crate::output::path(&scanned.path),
                    audio_id: Some(scanned.audio.audio_id.to_string()),
                    action,
                    removed,
                    detail,
                });
            }
            Err(failed) => outcomes.push(UntagOutcome {
                path: crate::output::path(&failed.path),
                audio_id: None,
                action: if failed.is_skipped() { UntagAction::Skipped } else { UntagAction::Error },
                removed: Vec::new(),
                detail: Some(failed.error.to_string()),
            }),
        }
    }
    let mut report = UntagReport { outcomes, interrupted: None, history_error: None };
    if options.dry_run {
        return Ok(report);
    }
    let total = pending.iter().map(|(_, file)| file.stamp.len).sum();
    let bar = progress::bytes(total, options.quiet, "untagging");
    let results: Vec<(usize, Result<(), String>)> = scan::in_pool(options.jobs * 2, || {
        pending
            .par_iter()
            .map(|(index, file)| {
                if options.stop.requested() {
                    return (*index, Err(NOT_WRITTEN_INTERRUPTED.to_owned()));
                }
                let written = write::remove_isrc(
                    &file.path,
                    file.audio.format,
                    &file.audio.audio_id,
                    &file.stamp,
                    WriteOptions::default(),
                );
                bar.inc(file.stamp.len);
                (*index, written.map_err(|error| error.to_string()))
            })
            .collect()
    });
    bar.finish_and_clear();
    for (index, result) in &results {
        if let Err(error) = result {
            let outcome = &mut report.outcomes[*index];
            outcome.action = UntagAction::Error;
            outcome.detail = Some(format!("not untagged: {error}"));
        }
    }
    let logged = ledger.transaction(|tx| {
        for (index, result) in &results {
            let outcome = &report.outcomes[*index];
            if result.is_err() {
                continue;
            }
            let codes: Vec<Isrc> = distinct_codes(&outcome.removed);
            let audio_id = outcome.audio_id.as_deref().and_then(crate::base::ids::AudioId::parse);
            for isrc in codes.iter().copied().map(Some).chain(codes.is_empty().then_some(None)) {
                tx.log(&NewEvent {
                    path: Some(outcome.path.clone()),
                    audio_id: audio_id.clone(),
                    isrc,
                    detail: format!("removed from every tag location: {}", outcome.removed.join(", ")),
                    ..NewEvent::new(&options.user, ledger::now(), EventKind::Untag)
                })?;
            }
        }
        Ok::<_, LedgerError>(())
    });
    report.history_error = logged.err().map(|error| error.to_string());
    report.interrupted = options.stop.signal();
    Ok(report)
}

/// The detail of a file a stop kept from being written.
const NOT_WRITTEN_INTERRUPTED: &str = "the run was interrupted before this file; run again";

/// The valid codes among the values removed, each once.
fn distinct_codes(values: &[String]) -> Vec<Isrc> {
    let mut codes: Vec<Isrc> = values.iter().filter_map(|value| Isrc::parse(value).ok()).collect();
    codes.sort();
    codes.dedup();
    codes
}

/// A note when the ledger still ties the file's audio to an active code: the next
/// `assign` would write it back.
fn still_bound_note(ledger: &mut dyn Ledger, file: &Scanned) -> Result<Option<String>, LedgerError> {
    let facts = ledger::facts_about(ledger, &file.audio.audio_id, None)?;
    let Some(code) = facts.code_for_audio else { return Ok(None) };
    let active = ledger.recording(code)?.is_some_and(|recording| recording.status == Status::Active);
    Ok(active.then(|| {
        format!(
            "the ledger still ties this audio to {code}: the next `assign` writes it back (void it first if it \
             was wrong: isrc-stamp ledger void {code} --reason ...)"
        )
    }))
}
