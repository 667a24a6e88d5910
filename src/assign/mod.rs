//! The assign engine: give every file of a run its code and write it (DESIGN.md
//! section 5).
//!
//! 1. Walk the paths and decode every file in parallel (audio id, tags, and the
//!    acoustic fingerprint of the first two minutes, in the same pass); files that
//!    carry no code get a tagged copy prepared meanwhile ([`prepare`]).
//! 2. In one ledger transaction, decide every file ([`decide`], on the pure rules of
//!    [`policy`]) and record the outcome: codes issued, adopted or linked are bound to
//!    their audio ids *before* any file is written, so an interrupted run wastes
//!    nothing, and the fingerprint of every audio id bound is stored beside it.
//! 3. Commit, then write the files that need it, in parallel, each safely
//!    ([`crate::write`]), and log the writes.
//!
//! `--dry-run` runs the same decisions on a snapshot of the ledger, its writes kept in
//! memory (`dry_run` on `dyn Ledger`), so it shows the very codes a real run would issue,
//! changes neither files nor ledger, and works for a role that may only read. On a
//! server, a real run whose transaction lost a race with another room decides again on
//! a fresh snapshot (`transaction`); no file is written before the commit.
//! A conflict never writes.

mod decide;
pub(crate) mod policy;
mod prepare;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use crate::audio::{AnalyzeOptions, AudioId};
use crate::container::TagReport;
use crate::isrc::Isrc;
use crate::ledger::{self, Ledger, LedgerError, LedgerTx, NewEvent};
use crate::output::progress;
use crate::scan::{self, Failed, Scanned};
use crate::write::{self, Prepared};

pub(crate) use decide::Decide;

/// What `assign` was asked to do.
#[derive(Debug, Clone)]
pub(crate) struct AssignOptions {
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    /// Decide and report, change nothing.
    pub dry_run: bool,
    /// The prefix, year, request and user decisions are taken with.
    pub decide: Decide,
    /// Worker threads.
    pub jobs: usize,
    /// No progress bar or notes.
    pub quiet: bool,
}

/// What happened to a file: the `action` of `assign --json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Action {
    /// New audio, no code in the file: the next code under the prefix was issued.
    Issued,
    /// The ledger knows this audio: its code is written (also for `--fix`).
    Reused,
    /// The file already carries its code in every location: nothing written.
    Unchanged,
    /// New audio carrying a code the ledger did not know: recorded and kept.
    Adopted,
    /// Another encode or carrier of a recording: given its code.
    Linked,
    /// Left alone and reported: never written.
    Conflict,
    /// The file could not be read, decoded or written: nothing changed.
    Error,
}

impl Action {
    /// Every action, in the order summaries count them.
    pub(crate) const ALL: [Action; 7] = [
        Action::Issued,
        Action::Reused,
        Action::Unchanged,
        Action::Adopted,
        Action::Linked,
        Action::Conflict,
        Action::Error,
    ];

    /// The action's name, as printed and logged.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Action::Issued => "issued",
            Action::Reused => "reused",
            Action::Unchanged => "unchanged",
            Action::Adopted => "adopted",
            Action::Linked => "linked",
            Action::Conflict => "conflict",
            Action::Error => "error",
        }
    }
}

/// One file's result, as `assign --json` prints it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Outcome {
    pub path: String,
    pub audio_id: Option<String>,
    pub action: Action,
    pub isrc: Option<String>,
    pub previous: Option<String>,
    pub detail: Option<String>,
    #[serde(skip)]
    pub duration_seconds: Option<f64>,
}

/// A decided file that still has to be written.
struct PendingWrite {
    index: usize,
    isrc: Isrc,
}

/// What a run did.
pub(crate) struct Report {
    /// One outcome per file, in walk order.
    pub outcomes: Vec<Outcome>,
    /// Temporary files of killed runs removed before starting.
    pub removed_leftovers: usize,
}

/// Runs `assign` on `ledger`.
pub(crate) fn run(ledger: &mut dyn Ledger, options: &AssignOptions) -> anyhow::Result<Report> {
    let removed_leftovers = if options.dry_run { 0 } else { write::remove_stale_temp_files(&options.paths).len() };
    let analyze = AnalyzeOptions { fingerprint: true, skip_md5: true, ..AnalyzeOptions::default() };
    // Files carrying no code will almost all be written: their tagged copies are
    // prepared while the batch decodes, each from the start of its own scan. A dry run
    // prepares nothing.
    let (files, mut prepared) = if options.dry_run {
        (scan::scan_with_options(&options.paths, &analyze, options.jobs, options.quiet, "decoding"), HashMap::new())
    } else {
        let carries_nothing = |tags: &TagReport| tags.isrcs.is_empty();
        prepare::scan_preparing(&options.paths, &analyze, options.jobs, options.quiet, "decoding", carries_nothing)
    };
    let mut outcomes: Vec<Outcome> = files.iter().map(initial_outcome).collect();
    let scanned: Vec<(usize, &Scanned)> =
        files.iter().enumerate().filter_map(|(i, f)| Some((i, f.as_ref().ok()?))).collect();
    let only_files: Vec<&Scanned> = scanned.iter().map(|(_, file)| *file).collect();

    let decide = |tx: &mut dyn LedgerTx| decide::decide_all(tx, &only_files, &options.decide);
    let decided = if options.dry_run { ledger.dry_run(decide)? } else { ledger.transaction(decide)? };
    let mut writes = Vec::new();
    for ((index, _), decided) in scanned.iter().zip(decided) {
        outcomes[*index] = decided.outcome;
        if let Some(isrc) = decided.write {
            writes.push(PendingWrite { index: *index, isrc });
        }
    }
    if !options.dry_run {
        write_files(ledger, &files, &mut outcomes, &writes, &mut prepared, options)?;
    }
    Ok(Report { outcomes, removed_leftovers })
}

/// The outcome of a scanned file before deciding, or the error of a failed one.
fn initial_outcome(file: &Result<Scanned, Failed>) -> Outcome {
    match file {
        Ok(scanned) => Outcome {
            path: scanned.path.display().to_string(),
            audio_id: Some(scanned.audio.audio_id.to_string()),
            action: Action::Error,
            isrc: None,
            previous: None,
            detail: Some("not decided".into()),
            duration_seconds: Some(scanned.audio.duration_seconds()),
        },
        Err(failed) => Outcome {
            path: failed.path.display().to_string(),
            audio_id: None,
            action: Action::Error,
            isrc: None,
            previous: None,
            detail: Some(failed.error.to_string()),
            duration_seconds: None,
        },
    }
}

/// Writes the decided codes into the files, in parallel (finishing the copies prepared
/// ahead, writing the others in full), and logs each write.
fn write_files(
    ledger: &mut dyn Ledger,
    files: &[Result<Scanned, Failed>],
    outcomes: &mut [Outcome],
    writes: &[PendingWrite],
    prepared: &mut HashMap<PathBuf, Prepared>,
    options: &AssignOptions,
) -> anyhow::Result<()> {
    let bar = progress::bar(writes.len(), options.quiet, "writing");
    let jobs: Vec<(&PendingWrite, Option<Prepared>)> = writes
        .iter()
        .map(|pending| {
            let copy = files[pending.index].as_ref().ok().and_then(|file| prepared.remove(&file.path));
            (pending, copy)
        })
        .collect();
    // Writing waits on the disk (fsync) as much as it computes: twice the threads
    // keep the cores busy while files are flushed.
    let results: Vec<Result<(), String>> = scan::in_pool(options.jobs * 2, || {
        jobs.into_par_iter()
            .map(|(pending, copy)| {
                let Ok(file) = &files[pending.index] else {
                    return Err("not scanned".to_owned());
                };
                let written = match copy {
                    Some(copy) => copy.finish(pending.isrc, &file.stamp),
                    None => write::write_isrc(
                        &file.path,
                        file.audio.format,
                        pending.isrc,
                        &file.audio.audio_id,
                        &file.stamp,
                    ),
                };
                bar.inc(1);
                written.map_err(|e| e.to_string())
            })
            .collect()
    });
    bar.finish_and_clear();
    ledger.transaction(|tx| {
        for (pending, result) in writes.iter().zip(&results) {
            let outcome = &mut outcomes[pending.index];
            let (action, detail) = match result {
                Ok(()) => ("written", String::new()),
                Err(error) => ("write-failed", error.clone()),
            };
            if let Err(error) = result {
                outcome.action = Action::Error;
                outcome.detail = Some(format!("{error} (the code stays bound to this audio: a rerun reuses it)"));
            }
            tx.log(&NewEvent {
                path: Some(outcome.path.clone()),
                audio_id: outcome.audio_id.as_deref().and_then(AudioId::parse),
                isrc: Some(pending.isrc),
                detail,
                ..NewEvent::new(&options.decide.user, ledger::now(), action)
            })?;
        }
        Ok::<_, LedgerError>(())
    })?;
    Ok(())
}
