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
//! `--dry-run` runs the same decisions in a transaction that is rolled back, so it
//! shows the very codes a real run would issue, and changes neither files nor ledger.
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
use crate::ledger::{self, Ledger, LedgerError, NewEvent};
use crate::output::progress;
use crate::scan::{self, Failed, Scanned};
use crate::stop::Stop;
use crate::write::{self, Prepared, WriteOptions};

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
    /// What writing may do beyond the defaults (`--break-hard-links`).
    pub write: WriteOptions,
    /// Set by the first SIGINT/SIGTERM: no new file is started.
    pub stop: Stop,
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
    /// Why the history of the writes could not be recorded (a full disk under the
    /// ledger), when it could not: the files were written all the same.
    pub history_error: Option<String>,
    /// The signal that stopped the run early, if one did.
    pub interrupted: Option<u8>,
}

/// Runs `assign` on `ledger`.
pub(crate) fn run(ledger: &mut dyn Ledger, options: &AssignOptions) -> anyhow::Result<Report> {
    let removed_leftovers = if options.dry_run { 0 } else { write::remove_stale_temp_files(&options.paths).len() };
    let analyze = AnalyzeOptions { fingerprint: true, skip_md5: true, ..AnalyzeOptions::default() };
    let run = prepare::Run {
        jobs: options.jobs,
        quiet: options.quiet,
        label: "decoding",
        write: options.write,
        stop: &options.stop,
    };
    // Files carrying no code will almost all be written: their tagged copies are
    // prepared while the batch decodes, each from the start of its own scan. A dry run
    // prepares nothing.
    let (files, mut prepared) = if options.dry_run {
        let files =
            scan::scan_handing_on(&options.paths, &analyze, run.jobs, run.quiet, run.label, &|_, _| {}, run.stop);
        (files, HashMap::new())
    } else {
        let carries_nothing = |tags: &TagReport| tags.isrcs.is_empty();
        prepare::scan_preparing(&options.paths, &analyze, &run, carries_nothing)
    };
    let mut outcomes: Vec<Outcome> = files.iter().map(initial_outcome).collect();
    let mut report = Report { outcomes: Vec::new(), removed_leftovers, history_error: None, interrupted: None };
    if options.stop.requested() {
        // Stopped while reading: nothing is decided, nothing written.
        for outcome in outcomes.iter_mut().filter(|o| o.audio_id.is_some()) {
            outcome.detail = Some(NOT_WRITTEN_INTERRUPTED.into());
        }
        report.interrupted = options.stop.signal();
        report.outcomes = outcomes;
        return Ok(report);
    }
    let scanned: Vec<(usize, &Scanned)> =
        files.iter().enumerate().filter_map(|(i, f)| Some((i, f.as_ref().ok()?))).collect();
    let only_files: Vec<&Scanned> = scanned.iter().map(|(_, file)| *file).collect();

    let mut tx = ledger.begin()?;
    let decided = decide::decide_all(tx.as_mut(), &only_files, &options.decide)?;
    let mut writes = Vec::new();
    for ((index, _), decided) in scanned.iter().zip(decided) {
        outcomes[*index] = decided.outcome;
        if let Some(isrc) = decided.write {
            writes.push(PendingWrite { index: *index, isrc });
        }
    }
    if options.dry_run {
        drop(tx); // rolls back
    } else {
        match tx.commit() {
            Ok(()) => {
                report.history_error = write_files(ledger, &files, &mut outcomes, &writes, &mut prepared, options)
            }
            // A full disk under the ledger: nothing was decided, and the report says so.
            Err(error @ LedgerError::DiskFull(_)) => {
                for outcome in outcomes.iter_mut().filter(|o| o.audio_id.is_some()) {
                    outcome.action = Action::Error;
                    outcome.isrc = None;
                    outcome.detail = Some(format!("not written: {error}"));
                }
            }
            Err(error) => return Err(error.into()),
        }
    }
    report.interrupted = options.stop.signal();
    report.outcomes = outcomes;
    Ok(report)
}

/// The detail of a file a stop kept from being written.
const NOT_WRITTEN_INTERRUPTED: &str = "not written: the run was interrupted before this file; run again";

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
/// ahead, writing the others in full), and logs each write. Once a stop is asked for,
/// no write is started (those files are reported as not written, their prepared copies
/// removed). A file reached twice (through a symlink, or named twice) is written once.
///
/// Returns why the history could not be recorded, if it could not: the writes are
/// done by then, and their report must still be printed.
fn write_files(
    ledger: &mut dyn Ledger,
    files: &[Result<Scanned, Failed>],
    outcomes: &mut [Outcome],
    writes: &[PendingWrite],
    prepared: &mut HashMap<PathBuf, Prepared>,
    options: &AssignOptions,
) -> Option<String> {
    let bar = progress::bar(writes.len(), options.quiet, "writing");
    let mut first_of_target: HashMap<write::FileKey, usize> = HashMap::new();
    let mut same_as: Vec<Option<usize>> = vec![None; writes.len()];
    let mut jobs: Vec<(usize, &PendingWrite, Option<Prepared>)> = Vec::new();
    for (n, pending) in writes.iter().enumerate() {
        let Ok(file) = &files[pending.index] else { continue };
        let copy = prepared.remove(&file.path);
        if let Some(key) = write::FileKey::of(&file.path)
            && let Some(&first) = first_of_target.get(&key)
        {
            same_as[n] = Some(first);
            continue; // `copy`, if any, is dropped: its temporary file removed
        } else if let Some(key) = write::FileKey::of(&file.path) {
            first_of_target.insert(key, n);
        }
        jobs.push((n, pending, copy));
    }
    // Writing waits on the disk (fsync) as much as it computes: twice the threads
    // keep the cores busy while files are flushed.
    let done: Vec<(usize, Result<(), String>)> = scan::in_pool(options.jobs * 2, || {
        jobs.into_par_iter()
            .map(|(n, pending, copy)| {
                let Ok(file) = &files[pending.index] else {
                    return (n, Err("not scanned".to_owned()));
                };
                if options.stop.requested() {
                    drop(copy);
                    return (n, Err(NOT_WRITTEN_INTERRUPTED.to_owned()));
                }
                let written = match copy {
                    Some(copy) => copy.finish(pending.isrc, &file.stamp),
                    None => write::write_isrc(
                        &file.path,
                        file.audio.format,
                        pending.isrc,
                        &file.audio.audio_id,
                        &file.stamp,
                        options.write,
                    ),
                };
                bar.inc(1);
                (n, written.map_err(|e| e.to_string()))
            })
            .collect()
    });
    bar.finish_and_clear();
    let mut results: Vec<Result<(), String>> = vec![Err("not written".to_owned()); writes.len()];
    for (n, result) in done {
        results[n] = result;
    }
    for (n, first) in same_as.iter().enumerate() {
        if let Some(first) = *first {
            results[n] = results[first].clone();
        }
    }
    let logged = ledger.transaction(|tx| {
        for ((pending, result), first) in writes.iter().zip(&results).zip(&same_as) {
            let outcome = &mut outcomes[pending.index];
            let (action, detail) = match result {
                Ok(()) => ("written", String::new()),
                Err(error) if error == NOT_WRITTEN_INTERRUPTED => ("interrupted", error.clone()),
                Err(error) => ("write-failed", error.clone()),
            };
            if let Err(error) = result {
                outcome.action = Action::Error;
                outcome.detail = Some(format!("{error} (the code stays bound to this audio: a rerun reuses it)"));
            }
            if let Some(first) = first {
                let first_path = files[writes[*first].index].as_ref().map(|f| f.path.display().to_string());
                let note = format!("the same file as {} (written once)", first_path.unwrap_or_default());
                outcome.detail = Some(match outcome.detail.take() {
                    Some(detail) if !detail.is_empty() => format!("{detail}; {note}"),
                    _ => note,
                });
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
    });
    logged.err().map(|error| error.to_string())
}
