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

pub(crate) mod clock;
mod decide;
pub(crate) mod decisions_file;
mod interactive;
pub(crate) mod listing;
pub(crate) mod policy;
mod prepare;
mod seen;
#[cfg(test)]
mod tests;
mod titles;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::audio::AnalyzeOptions;
use crate::base::ids::AudioId;
use crate::base::stamp::Identity;
use crate::container::{self, Carried, TagReport};
use crate::isrc::Isrc;
use crate::ledger::{self, EventKind, Ledger, LedgerError, Location, NewEvent, NewRun};
use crate::output::progress;
use crate::scan::{self, Failed, Scanned};
use crate::stop::Stop;
use crate::write::{self, Prepared, WriteOptions};
use seen::Seen;

pub(crate) use decide::{Answers, Question, RunContext};
pub(crate) use interactive::AskError;
pub(crate) use seen::place as seen_cache;

/// What `assign` was asked to do.
#[derive(Debug, Clone)]
pub(crate) struct AssignOptions {
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    /// Decide and report, change nothing.
    pub dry_run: bool,
    /// The prefix, year, request and user decisions are taken with.
    pub decide: RunContext,
    /// Worker threads.
    pub jobs: usize,
    /// No progress bar or notes.
    pub quiet: bool,
    /// Ask the open questions on the terminal before deciding.
    pub interactive: bool,
    /// The rows of a decisions file, matched to the run's files once scanned.
    pub decisions: Vec<decisions_file::Row>,
    /// Decode every file, also those unchanged on disk since an earlier run.
    pub rehash: bool,
    /// Where the ledger is (what is remembered of the files is kept per ledger).
    pub location: Location,
    /// What writing may do beyond the defaults (`--break-hard-links`).
    pub write: WriteOptions,
    /// Set by the first SIGINT/SIGTERM: no new file is started.
    pub stop: Stop,
    /// Who runs it, where, on which paths: recorded as the run (its `started_at` is
    /// stamped when the decisions are taken).
    pub run: NewRun,
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
    /// Left alone, as the engineer answered, or a format isrc-stamp does not read.
    Skipped,
    /// Left alone and reported: never written.
    Conflict,
    /// The file could not be read, decoded or written: nothing changed.
    Error,
}

impl Action {
    /// Every action, in the order summaries count them.
    pub(crate) const ALL: [Action; 8] = [
        Action::Issued,
        Action::Reused,
        Action::Unchanged,
        Action::Adopted,
        Action::Linked,
        Action::Skipped,
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
            Action::Skipped => "skipped",
            Action::Conflict => "conflict",
            Action::Error => "error",
        }
    }

    /// The kind of the event that records the action (the same word).
    pub(crate) fn event_kind(self) -> EventKind {
        match self {
            Action::Issued => EventKind::Issued,
            Action::Reused => EventKind::Reused,
            Action::Unchanged => EventKind::Unchanged,
            Action::Adopted => EventKind::Adopted,
            Action::Linked => EventKind::Linked,
            Action::Skipped => EventKind::Skipped,
            Action::Conflict => EventKind::Conflict,
            Action::Error => EventKind::Error,
        }
    }
}

/// One file's result, as `assign --json` prints it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Outcome {
    pub path: String,
    /// The file's audio id, once it was read (printed as its string).
    pub audio_id: Option<AudioId>,
    pub action: Action,
    /// The code the file carries or got, if any (printed in its stored form).
    pub isrc: Option<Isrc>,
    pub previous: Option<String>,
    pub detail: Option<String>,
    /// An open question (a conflict only the engineer, or `--accept`, can settle).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<Question>,
    #[serde(skip)]
    pub duration_seconds: Option<f64>,
}

/// A decided file that still has to be written.
struct PendingWrite {
    index: usize,
    isrc: Isrc,
}

/// What a run did.
pub(crate) struct RunReport {
    /// One outcome per file, in walk order.
    pub outcomes: Vec<Outcome>,
    /// Temporary files of killed runs removed before starting.
    pub removed_leftovers: usize,
    /// The engineer quit the questions: nothing was decided or written.
    pub quit: bool,
    /// Files not decoded: unchanged on disk since an earlier run decided them.
    pub remembered: usize,
    /// Why the history of the writes could not be recorded (a full disk under the
    /// ledger), when it could not: the files were written all the same.
    pub history_error: Option<String>,
    /// The signal that stopped the run early, if one did.
    pub interrupted: Option<u8>,
    /// The run's id in the ledger (none for a dry run, or a run that decided nothing).
    pub run: Option<i64>,
    /// How many codes a list brought in still have no audio, when the run looked.
    pub listed_left: Option<usize>,
}

/// Why `assign` stopped (a file's own trouble is its outcome, not an error).
#[derive(Debug, thiserror::Error)]
pub(crate) enum AssignError {
    /// The ledger could not be read or written.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The questions could not be asked (`--interactive`).
    #[error(transparent)]
    Ask(#[from] interactive::AskError),
    /// The decisions file does not fit the files of this run: why, line by line.
    #[error("the decisions file does not fit this run (nothing done):\n  {}", .0.join("\n  "))]
    Decisions(Vec<String>),
}

/// Runs `assign` on `ledger`.
pub(crate) fn run(ledger: &mut dyn Ledger, options: &AssignOptions) -> Result<RunReport, AssignError> {
    let removed_leftovers =
        if options.dry_run { 0 } else { crate::base::replace::remove_stale_temp_files(&options.paths).len() };
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
    // An answer (a link, a new version, a decisions file, the questions asked) is judged
    // by the sound of the files it names: every file is decoded, none taken as remembered
    // (whose fingerprint is not kept).
    let answers = options.decide.request.answer.is_some() || !options.decisions.is_empty() || options.interactive;
    let trusted = !(options.rehash || answers);
    let mut seen = Seen::load(&options.location);
    let known = |identity: &Identity| seen.known(identity).filter(|_| trusted).map(|(facts, _)| facts);
    let (mut files, mut prepared) = if options.dry_run {
        let nothing = |_: &Path, _: &crate::base::stamp::FileStamp| {};
        let files = scan::scan_handing_on(&options.paths, &analyze, &run.batch(), &nothing, &known);
        (files, HashMap::new())
    } else {
        let carries_nothing = |tags: &TagReport| tags.isrcs.is_empty();
        prepare::scan_preparing(&options.paths, &analyze, &run, &known, carries_nothing)
    };
    let remembered = trust_remembered(ledger, &mut files, &seen, &analyze)?;
    check_taggable(&mut files, &prepared, options.jobs);
    let mut outcomes: Vec<Outcome> = files.iter().map(initial_outcome).collect();
    let mut report = RunReport {
        outcomes: Vec::new(),
        removed_leftovers,
        history_error: None,
        interrupted: None,
        quit: false,
        remembered,
        run: None,
        listed_left: None,
    };
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

    let mut decide = options.decide.clone();
    if !options.decisions.is_empty() {
        decide.answers = decisions_file::answers(&options.decisions, &only_files).map_err(AssignError::Decisions)?;
    }
    if options.interactive {
        match interactive::ask(ledger, &only_files, &decide)? {
            Some(answers) => decide.answers = answers,
            None => return Ok(RunReport { quit: true, ..report }),
        }
    }
    // A dry run shows, for every open question, what `--accept encodes,edits` would do:
    // the very answer a decisions file built from it gives.
    let proposals = if options.dry_run { Some(accepted_proposals(ledger, &only_files, &decide)?) } else { None };
    let run = NewRun { started_at: ledger::now(), ..options.run.clone() };
    let decided = if options.dry_run {
        ledger.dry_run(|tx| decide::decide_run(tx, &only_files, &decide, None))
    } else {
        ledger.transaction(|tx| decide::decide_run(tx, &only_files, &decide, Some(&run)))
    };
    let decided = match decided {
        Ok(done) => {
            report.run = done.run;
            report.listed_left = done.listed_left;
            done.decided
        }
        // A full disk under the ledger: nothing was decided, and the report says so.
        Err(error @ LedgerError::DiskFull(_)) => {
            for outcome in outcomes.iter_mut().filter(|o| o.audio_id.is_some()) {
                outcome.action = Action::Error;
                outcome.isrc = None;
                outcome.detail = Some(format!("not written: {error}"));
            }
            report.outcomes = outcomes;
            return Ok(report);
        }
        Err(error) => return Err(error.into()),
    };
    let mut writes = Vec::new();
    for ((index, _), decided) in scanned.iter().zip(decided) {
        outcomes[*index] = decided.outcome;
        if let Some(isrc) = decided.write {
            writes.push(PendingWrite { index: *index, isrc });
        }
    }
    if !options.dry_run {
        report.history_error = write_files(ledger, &files, &mut outcomes, &writes, &mut prepared, options, report.run);
    }
    let questions = outcomes.iter().any(|o| o.question.is_some());
    let proposals = match proposals {
        Some(proposals) => proposals,
        None if questions => accepted_proposals(ledger, &only_files, &decide)?,
        None => Vec::new(),
    };
    for ((index, _), proposal) in scanned.iter().zip(proposals) {
        if let Some(question) = &mut outcomes[*index].question {
            question.proposal = proposal;
        }
    }
    if !options.dry_run {
        remember(&mut seen, &files, &outcomes);
        if let Err(error) = seen.save()
            && !options.quiet
        {
            eprintln!(
                "isrc-stamp: warning: cannot remember the files for the next run ({}); it decodes them again",
                crate::output::with_causes(&error)
            );
        }
    }
    // A stop after every file was written changed nothing: the run is complete.
    let left_unwritten =
        outcomes.iter().any(|o| o.detail.as_deref().is_some_and(|d| d.contains(NOT_WRITTEN_INTERRUPTED)));
    report.interrupted = options.stop.signal().filter(|_| left_unwritten);
    report.outcomes = outcomes;
    Ok(report)
}

/// Keeps the remembered audio facts of a file only where the ledger binds its audio id
/// to the very code its tags carry everywhere; decodes the others again. The files not
/// decoded.
fn trust_remembered(
    ledger: &mut dyn Ledger,
    files: &mut [Result<Scanned, Failed>],
    seen: &Seen,
    analyze: &AnalyzeOptions,
) -> Result<usize, LedgerError> {
    let mut remembered = 0;
    for file in files.iter_mut() {
        let Ok(scanned) = file else { continue };
        if !scanned.remembered {
            continue;
        }
        let code = scanned.identity.as_ref().and_then(|identity| seen.known(identity)).map(|(_, code)| code);
        let carried = container::carried(&scanned.tags, &scanned.tags.written);
        let carries =
            matches!(&carried, Carried::Code { isrc, complete: true } if Some(isrc.as_str()) == code.as_deref());
        // Only an active code: a file carrying a void code is decided afresh (by sound).
        let facts = ledger::facts_about(ledger, &scanned.audio.audio_id, None)?;
        let bound = facts.code_for_audio.map(|isrc| isrc.to_string());
        if carries && bound == code {
            remembered += 1;
            continue;
        }
        let path = scanned.path.clone();
        *file =
            scan::scan_with(&path, analyze, &|_, _| {}, &scan::nothing_known).map_err(|error| Failed { path, error });
    }
    Ok(remembered)
}

/// Finds, before anything is decided, the files whose tags could not be written: each
/// becomes an error, so no code is bound to audio whose file could never carry it. A
/// file with a prepared copy has been written already; one that carries a code in
/// every location is not written (unless `--fix`, which binds nothing new).
fn check_taggable(files: &mut [Result<Scanned, Failed>], prepared: &HashMap<PathBuf, Prepared>, jobs: usize) {
    scan::in_pool(jobs, || {
        files.par_iter_mut().for_each(|file| {
            let Ok(scanned) = file else { return };
            let complete = matches!(
                container::carried(&scanned.tags, &scanned.tags.written),
                Carried::Code { complete: true, .. }
            );
            if complete || prepared.contains_key(&scanned.path) {
                return;
            }
            if let Err(error) = container::check_writable(&scanned.path, scanned.audio.format) {
                let path = scanned.path.clone();
                *file = Err(Failed { path, error: scan::ScanError::Untaggable(error) });
            }
        });
    });
}

/// Remembers every file left carrying its code: unchanged, or written.
fn remember(seen: &mut Seen, files: &[Result<Scanned, Failed>], outcomes: &[Outcome]) {
    for (file, outcome) in files.iter().zip(outcomes) {
        let (Ok(scanned), Some(isrc)) = (file, &outcome.isrc) else { continue };
        let kept = matches!(
            outcome.action,
            Action::Unchanged | Action::Reused | Action::Issued | Action::Linked | Action::Adopted
        );
        if let (true, Some(identity)) = (kept, Identity::of(&scanned.path)) {
            seen.record(identity, &scanned.audio, isrc.as_str());
        }
    }
}

/// What `--accept encodes,edits` decides for each file (in `files` order), in a
/// transaction that is rolled back: the proposals of the open questions.
fn accepted_proposals(
    ledger: &mut dyn Ledger,
    files: &[&Scanned],
    decide: &RunContext,
) -> Result<Vec<Option<decide::Proposal>>, LedgerError> {
    let accepting = RunContext {
        request: policy::Request {
            accept: policy::Accept { encodes: true, edits: true, imported: true },
            ..decide.request.clone()
        },
        ..decide.clone()
    };
    let done = ledger.dry_run(|tx| decide::decide_run(tx, files, &accepting, None))?;
    Ok(done.decided.iter().map(|d| decide::Proposal::of(&d.decision)).collect())
}

/// How many files ended in each action, as a run records it.
pub(crate) fn counts(outcomes: &[Outcome]) -> std::collections::BTreeMap<String, u64> {
    let mut counts = std::collections::BTreeMap::new();
    for outcome in outcomes {
        *counts.entry(outcome.action.as_str().to_owned()).or_default() += 1;
    }
    counts
}

/// The detail of a file a stop kept from being written.
const NOT_WRITTEN_INTERRUPTED: &str = "not written: the run was interrupted before this file; run again";

/// Why a decided file was not written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum WriteFailure {
    /// A stop was asked for before its write started.
    #[error("{NOT_WRITTEN_INTERRUPTED}")]
    Interrupted,
    /// It was not scanned, or writing it failed: why.
    #[error("{0}")]
    Failed(String),
}

/// The outcome of a scanned file before deciding, or the error of a failed one.
fn initial_outcome(file: &Result<Scanned, Failed>) -> Outcome {
    match file {
        Ok(scanned) => Outcome {
            path: crate::output::path(&scanned.path),
            audio_id: Some(scanned.audio.audio_id.clone()),
            action: Action::Error,
            isrc: None,
            previous: None,
            detail: Some("not decided".into()),
            question: None,
            duration_seconds: Some(scanned.audio.duration_seconds()),
        },
        Err(failed) => Outcome {
            path: crate::output::path(&failed.path),
            audio_id: None,
            action: if failed.is_skipped() { Action::Skipped } else { Action::Error },
            isrc: None,
            previous: None,
            detail: Some(failed.error.to_string()),
            question: None,
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
    run: Option<i64>,
) -> Option<String> {
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
    // Each file written (a prepared copy finished, or a file copied with its new tag)
    // counts its bytes.
    let total = jobs.iter().filter_map(|(_, pending, _)| files[pending.index].as_ref().ok()).map(|f| f.stamp.len).sum();
    let bar = progress::bytes(total, options.quiet, "writing");
    // Writing waits on the disk (fsync) as much as it computes: twice the threads
    // keep the cores busy while files are flushed.
    let done: Vec<(usize, Result<(), WriteFailure>)> = scan::in_pool(options.jobs * 2, || {
        jobs.into_par_iter()
            .map(|(n, pending, copy)| {
                let Ok(file) = &files[pending.index] else {
                    return (n, Err(WriteFailure::Failed("not scanned".to_owned())));
                };
                if options.stop.requested() {
                    drop(copy);
                    return (n, Err(WriteFailure::Interrupted));
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
                bar.inc(file.stamp.len);
                (n, written.map_err(|e| WriteFailure::Failed(e.to_string())))
            })
            .collect()
    });
    bar.finish_and_clear();
    let mut results: Vec<Result<(), WriteFailure>> =
        vec![Err(WriteFailure::Failed("not written".to_owned())); writes.len()];
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
                Ok(()) => (EventKind::Written, String::new()),
                Err(error @ WriteFailure::Interrupted) => (EventKind::Interrupted, error.to_string()),
                Err(error @ WriteFailure::Failed(_)) => (EventKind::WriteFailed, error.to_string()),
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
                audio_id: outcome.audio_id.clone(),
                isrc: Some(pending.isrc),
                detail,
                run,
                ..NewEvent::new(&options.decide.user, ledger::now(), action)
            })?;
        }
        if let Some(run) = run {
            tx.finish_run(run, &counts(outcomes))?;
        }
        Ok::<_, LedgerError>(())
    });
    logged.err().map(|error| error.to_string())
}
