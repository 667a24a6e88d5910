//! `isrc-stamp assign PATH...`: give every recording its code and embed it.
//!
//! 1. Walk the paths and decode every file in parallel (audio id, tags, and the
//!    acoustic fingerprint of the first two minutes, in the same pass).
//! 2. In one ledger transaction, decide each file with [`policy::decide`] and record
//!    the outcome: codes issued, adopted or linked are bound to their audio ids
//!    *before* any file is written, so an interrupted run wastes nothing, and the
//!    fingerprint of every audio id bound is stored beside it.
//!    Files that carry a code are decided first, so a group of copies of one audio
//!    adopts the code one of them carries rather than issuing another; then lossless
//!    files before lossy ones, so a master is decided before its MP3.
//!    New audio that would be issued a code is first looked up by fingerprint: if it
//!    sounds like a recording in the ledger (or one decided earlier in the run), it is
//!    a conflict that asks for `--same-recording-as X` or `--new-version-of X`.
//! 3. Commit, then write the files that need it, in parallel, each safely
//!    ([`crate::safe_write`]), and log the writes.
//!
//! `--dry-run` runs the same decisions in a transaction that is rolled back, so it
//! shows the very codes a real run would issue, and changes neither files nor ledger.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use crate::audio::{AnalyzeOptions, AudioId};
use crate::code::{Isrc, Prefix};
use crate::fingerprint::{self, Comparison, Verdict};
use crate::ledger::{
    AudioRecord, Ledger, LedgerError, LedgerTx, NewEvent, NewRecording, Origin, Relation, SqliteLedger, Status,
};
use crate::policy::{self, Action, CodeStanding, Conflict, Facts, Request};
use crate::report::{self, Exit};
use crate::safe_write::Prepared;
use crate::scan::{Failed, Scanned};
use crate::{progress, safe_write, write_ahead};

/// What `assign` was asked to do.
#[derive(Debug, Clone)]
pub struct AssignOptions {
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    /// Decide and report, change nothing.
    pub dry_run: bool,
    /// The prefix to issue under.
    pub prefix: Prefix,
    /// The two-digit year of reference for issued codes.
    pub year: u8,
    /// `--fix`, `--same-recording-as`, `--new-version-of`.
    pub request: Request,
    /// Worker threads.
    pub jobs: usize,
    /// Who runs this (recorded in the ledger).
    pub user: String,
    /// One JSON object per line.
    pub json: bool,
    /// No progress bar or summary.
    pub quiet: bool,
}

/// One file's result, as `assign --json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    path: String,
    audio_id: Option<String>,
    action: &'static str,
    isrc: Option<String>,
    previous: Option<String>,
    detail: Option<String>,
    #[serde(skip)]
    duration_seconds: Option<f64>,
}

impl Outcome {
    /// The action name: `issued`, `reused`, `unchanged`, `adopted`, `linked`,
    /// `conflict` or `error`.
    pub fn action(&self) -> &'static str {
        self.action
    }
}

/// A decided file that still has to be written.
struct PendingWrite {
    index: usize,
    isrc: Isrc,
}

/// Runs `assign`.
pub fn run(ledger: &mut SqliteLedger, options: &AssignOptions, out: &mut dyn Write) -> anyhow::Result<Exit> {
    if !options.dry_run {
        let removed = safe_write::remove_stale_temp_files(&options.paths);
        if !removed.is_empty() && !options.quiet {
            eprintln!("removed {} temporary file(s) an interrupted run had left", removed.len());
        }
    }
    let analyze = AnalyzeOptions { fingerprint: true, skip_md5: true, ..AnalyzeOptions::default() };
    // Files carrying no code will almost all be written: their tagged copies are
    // prepared while the batch decodes, each from the start of its own scan. A dry run
    // prepares nothing.
    let (files, mut prepared) = if options.dry_run {
        (progress::scan_with_options(&options.paths, &analyze, options.jobs, options.quiet, "decoding"), HashMap::new())
    } else {
        let carries_nothing = |tags: &crate::tags::TagReport| tags.isrcs.is_empty();
        write_ahead::scan_preparing(&options.paths, &analyze, options.jobs, options.quiet, "decoding", carries_nothing)
    };
    let mut outcomes: Vec<Outcome> = files.iter().map(initial_outcome).collect();
    let scanned: Vec<(usize, &Scanned)> =
        files.iter().enumerate().filter_map(|(i, f)| Some((i, f.as_ref().ok()?))).collect();

    let mut tx = ledger.begin()?;
    let mut writes = Vec::new();
    for &(index, file) in &decision_order(&scanned) {
        let (outcome, write) = decide_and_record(tx.as_mut(), file, options)?;
        outcomes[index] = outcome;
        if let Some(isrc) = write {
            writes.push(PendingWrite { index, isrc });
        }
    }
    if options.dry_run {
        drop(tx); // rolls back
    } else {
        tx.commit()?;
        write_files(ledger, &files, &mut outcomes, &writes, &mut prepared, options)?;
    }

    let mut exit = Exit::Clean;
    for outcome in &outcomes {
        exit = exit.worst(match outcome.action {
            "error" => Exit::Errors,
            "conflict" => Exit::Findings,
            _ => Exit::Clean,
        });
    }
    print(out, &outcomes, options)?;
    Ok(exit)
}

/// The outcome of a scanned file before deciding, or the error of a failed one.
fn initial_outcome(file: &Result<Scanned, Failed>) -> Outcome {
    match file {
        Ok(scanned) => Outcome {
            path: scanned.path.display().to_string(),
            audio_id: Some(scanned.audio.audio_id.to_string()),
            action: "error",
            isrc: None,
            previous: None,
            detail: Some("not decided".into()),
            duration_seconds: Some(scanned.audio.duration_seconds()),
        },
        Err(failed) => Outcome {
            path: failed.path.display().to_string(),
            audio_id: None,
            action: "error",
            isrc: None,
            previous: None,
            detail: Some(failed.error.to_string()),
            duration_seconds: None,
        },
    }
}

/// Files that carry a code first, so that copies of one audio adopt the code one of
/// them carries; then lossless before lossy, so that a master is issued its code before
/// its lossy encodes are compared with it; stable otherwise (the walk's order).
fn decision_order<'a>(scanned: &[(usize, &'a Scanned)]) -> Vec<(usize, &'a Scanned)> {
    let mut order = scanned.to_vec();
    order.sort_by_key(|(_, file)| (file.tags.isrcs.is_empty(), !is_lossless(&file.audio.codec)));
    order
}

/// Whether a codec (by its short name) keeps every sample: PCM, FLAC, ALAC.
fn is_lossless(codec: &str) -> bool {
    codec.starts_with("pcm") || codec == "flac" || codec == "alac"
}

/// Candidates compared in full when looking for a recording that sounds alike.
const SOUNDS_LIKE_CANDIDATES: usize = 8;

/// A recording in the ledger that a file's audio sounds like.
struct Similar {
    /// Its code.
    isrc: Isrc,
    /// Where its audio was first seen.
    path: String,
    /// The fingerprint comparison (the ledger's audio first, the file second).
    comparison: Comparison,
}

/// The recording whose stored fingerprint best matches the file's, if any matches:
/// the same recording before a likely edit, then the lowest bit error rate.
fn sounds_like(tx: &mut dyn LedgerTx, file: &Scanned) -> Result<Option<Similar>, LedgerError> {
    let Some(print) = &file.audio.fingerprint else {
        return Ok(None);
    };
    let candidates = tx.fingerprint_candidates(&print.keys(), SOUNDS_LIKE_CANDIDATES)?;
    let duration = file.audio.duration_seconds();
    let best = candidates
        .into_iter()
        .filter(|candidate| candidate.audio_id != file.audio.audio_id)
        .map(|candidate| Similar {
            comparison: fingerprint::compare(&candidate.fingerprint, candidate.duration_seconds, print, duration),
            isrc: candidate.isrc,
            path: candidate.first_path,
        })
        .filter(|similar| similar.comparison.verdict != Verdict::NoMatch)
        .min_by(|a, b| {
            let rank =
                |s: &Similar| (s.comparison.verdict != Verdict::SameRecording, s.comparison.ber().unwrap_or(1.0));
            let (a, b) = (rank(a), rank(b));
            a.0.cmp(&b.0).then(a.1.total_cmp(&b.1))
        });
    Ok(best)
}

/// Stores the file's fingerprint for its (bound) audio id, if it has one and the ledger not yet.
fn store_fingerprint(tx: &mut dyn LedgerTx, file: &Scanned) -> Result<(), LedgerError> {
    if let Some(print) = &file.audio.fingerprint {
        tx.store_fingerprint(&file.audio.audio_id, print)?;
    }
    Ok(())
}

/// Decides one file in the transaction, records it, and says what to write.
fn decide_and_record(
    tx: &mut dyn LedgerTx,
    file: &Scanned,
    options: &AssignOptions,
) -> Result<(Outcome, Option<Isrc>), LedgerError> {
    let carried = policy::carried(&file.tags, crate::tags::written_locations(file.audio.format));
    let previous = file.tags.isrcs.first().map(|found| found.value.clone());
    let known = tx.code_for_audio(&file.audio.audio_id)?;
    let standing = standing(tx, &carried)?;
    // New audio without a code could be issued one, and new audio carrying a code the
    // ledger has for no other audio could adopt it: only these are looked up by sound.
    let looked_up = match carried {
        policy::Carried::Nothing => true,
        policy::Carried::Code { .. } => matches!(standing, CodeStanding::Unknown | CodeStanding::NoAudio),
        _ => false,
    };
    let similar = if known.is_none() && looked_up { sounds_like(tx, file)? } else { None };
    let facts = Facts { known, standing, carried, sounds_like: similar.as_ref().map(|s| s.isrc) };
    let action = policy::decide(&facts, &options.request);
    let (name, isrc, write, detail) = match record(tx, file, &action, similar.as_ref(), options) {
        Ok(recorded) => recorded,
        Err(e) if is_about_this_file(&e) => ("error", None, false, Some(e.to_string())),
        Err(e) => return Err(e),
    };
    if isrc.is_some() && !matches!(name, "conflict" | "error") {
        store_fingerprint(tx, file)?;
    }
    tx.log(&NewEvent {
        path: Some(file.path.display().to_string()),
        audio_id: Some(file.audio.audio_id.clone()),
        isrc,
        detail: detail.clone().unwrap_or_default(),
        ..NewEvent::new(&options.user, crate::ledger::now(), name)
    })?;
    let outcome = Outcome {
        path: file.path.display().to_string(),
        audio_id: Some(file.audio.audio_id.to_string()),
        action: name,
        isrc: isrc.map(|c| c.to_string()),
        previous,
        detail,
        duration_seconds: Some(file.audio.duration_seconds()),
    };
    Ok((outcome, isrc.filter(|_| write)))
}

/// Whether a ledger error concerns this file's request only (the batch goes on), rather
/// than the ledger itself (the run stops).
fn is_about_this_file(error: &LedgerError) -> bool {
    matches!(
        error,
        LedgerError::RangeExhausted { .. }
            | LedgerError::UnknownCode(_)
            | LedgerError::CodeVoid(_)
            | LedgerError::AlreadyInLedger(_)
            | LedgerError::AudioBoundElsewhere { .. }
            | LedgerError::UnknownPrefix(_)
            | LedgerError::RelationWithoutParent(_)
    )
}

/// The ledger's standing of the code a file carries.
fn standing(tx: &mut dyn LedgerTx, carried: &policy::Carried) -> Result<CodeStanding, LedgerError> {
    let policy::Carried::Code { isrc, .. } = carried else {
        return Ok(CodeStanding::Unknown);
    };
    Ok(match tx.recording(*isrc)? {
        None => CodeStanding::Unknown,
        Some(recording) if recording.status == Status::Void => CodeStanding::Void,
        Some(_) if tx.audio_for_code(*isrc)?.is_empty() => CodeStanding::NoAudio,
        Some(_) => CodeStanding::OtherAudio,
    })
}

/// What recording an action produced: (action name, code, whether to write, detail).
type Recorded = (&'static str, Option<Isrc>, bool, Option<String>);

/// Carries out the ledger side of an action.
fn record(
    tx: &mut dyn LedgerTx,
    file: &Scanned,
    action: &Action,
    similar: Option<&Similar>,
    options: &AssignOptions,
) -> Result<Recorded, LedgerError> {
    let new_recording = |lineage: Option<(Isrc, Relation)>| NewRecording {
        title: file.tags.title.clone(),
        artist: file.tags.artist.clone(),
        parent: lineage.map(|(parent, _)| parent),
        relation: lineage.map(|(_, relation)| relation),
        ..NewRecording::new(&options.user, crate::ledger::now())
    };
    Ok(match *action {
        Action::Unchanged(isrc) => ("unchanged", Some(isrc), false, None),
        Action::Reuse(isrc) => ("reused", Some(isrc), true, None),
        Action::Fix { isrc, previous } => {
            ("reused", Some(isrc), true, Some(format!("fixed: the file carried {previous}")))
        }
        Action::Issue { lineage } => {
            if let Some((parent, _)) = lineage {
                require_active(tx, parent)?;
            }
            let isrc = tx.issue_next(options.prefix, options.year, &new_recording(lineage))?;
            bind(tx, file, isrc)?;
            let detail = lineage.map(|(parent, relation)| format!("{} of {parent}", relation.as_str()));
            ("issued", Some(isrc), true, detail)
        }
        Action::Link(isrc) => {
            require_active(tx, isrc)?;
            bind(tx, file, isrc)?;
            ("linked", Some(isrc), true, Some("another encode or carrier of the same recording".into()))
        }
        Action::Adopt { isrc, write } => {
            if tx.recording(isrc)?.is_none() {
                tx.adopt(isrc, Origin::Adopted, &new_recording(None))?;
            }
            bind(tx, file, isrc)?;
            ("adopted", Some(isrc), write, adopted_but_sounds_like(isrc, similar))
        }
        Action::Conflict(ref conflict) => {
            ("conflict", conflict_code(conflict), false, Some(describe(tx, conflict, similar)?))
        }
    })
}

/// Fails unless `isrc` is an active code in the ledger.
fn require_active(tx: &mut dyn LedgerTx, isrc: Isrc) -> Result<(), LedgerError> {
    match tx.recording(isrc)? {
        None => Err(LedgerError::UnknownCode(isrc)),
        Some(recording) if recording.status == Status::Void => Err(LedgerError::CodeVoid(isrc)),
        Some(_) => Ok(()),
    }
}

/// Binds the file's audio id to `isrc`.
fn bind(tx: &mut dyn LedgerTx, file: &Scanned, isrc: Isrc) -> Result<(), LedgerError> {
    let audio = &file.audio;
    tx.bind_audio(&AudioRecord {
        audio_id: audio.audio_id.clone(),
        isrc,
        frames: audio.frames,
        sample_rate: audio.stream.sample_rate,
        channels: audio.stream.channels,
        bits: audio.stream.layout.bits,
        first_path: file.path.display().to_string(),
        added_at: crate::ledger::now(),
    })?;
    Ok(())
}

/// The code a conflict is about, for the `isrc` column.
fn conflict_code(conflict: &Conflict) -> Option<Isrc> {
    match conflict {
        Conflict::RetaggedDuplicate { ledger, .. } => Some(*ledger),
        Conflict::CodeOnOtherAudio(isrc) | Conflict::VoidCode(isrc) | Conflict::SoundsLike(isrc) => Some(*isrc),
        _ => None,
    }
}

/// A conflict in words, with both sides: which code, and where the ledger has it.
fn describe(tx: &mut dyn LedgerTx, conflict: &Conflict, similar: Option<&Similar>) -> Result<String, LedgerError> {
    Ok(match conflict {
        Conflict::RetaggedDuplicate { ledger, file } => format!(
            "retagged duplicate: the ledger has this audio as {ledger}, the file carries {file}; \
             pass --fix to rewrite it to {ledger}"
        ),
        Conflict::CodeOnOtherAudio(isrc) => {
            let elsewhere = tx.audio_for_code(*isrc)?.into_iter().next().map(|a| a.first_path).unwrap_or_default();
            format!(
                "code on different audio: {isrc} belongs to other audio (first seen at {elsewhere}); \
                 pass --same-recording-as {isrc} if this is another encode or carrier of it"
            )
        }
        Conflict::Malformed(values) => format!("invalid ISRC in the tags: {}", values.join(", ")),
        Conflict::LocationsDisagree(codes) => {
            let codes: Vec<&str> = codes.iter().map(Isrc::as_str).collect();
            format!("tag locations disagree: {}", codes.join(" vs "))
        }
        Conflict::VoidCode(isrc) => format!("{isrc} is void in the ledger and must not be used"),
        Conflict::Contradiction(text) => text.clone(),
        Conflict::SoundsLike(isrc) => describe_sounds_like(*isrc, similar),
    })
}

/// `sounds like ISRC X (the same recording as PATH: ...): pass --same-recording-as X or ...`.
fn describe_sounds_like(isrc: Isrc, similar: Option<&Similar>) -> String {
    let why = similar.map(Similar::explain).unwrap_or_default();
    format!("sounds like ISRC {isrc}{why}: pass --same-recording-as {isrc} or --new-version-of {isrc} --as KIND")
}

/// The note on an adopted code when the audio sounds like a recording the ledger has
/// under another code. The code is adopted all the same (a code a file carries keeps
/// being used, DESIGN.md section 5), but one recording with two codes splits its
/// streams and royalties, so the engineer is told which recording and where it lies.
fn adopted_but_sounds_like(adopted: Isrc, similar: Option<&Similar>) -> Option<String> {
    let similar = similar.filter(|similar| similar.isrc != adopted)?;
    Some(format!(
        "the file carries it, but it sounds like ISRC {}{}: one recording should keep one code",
        similar.isrc,
        similar.explain()
    ))
}

impl Similar {
    /// ` (the same recording as PATH: bit error rate B, the same length)`, or `likely an edit`.
    fn explain(&self) -> String {
        let Similar { path, comparison, .. } = self;
        let ber = comparison.ber().unwrap_or(1.0);
        let difference = comparison.duration_difference;
        let length = if difference.abs() < 0.05 {
            "the same length".to_owned()
        } else {
            format!("{:.1} s {}", difference.abs(), if difference < 0.0 { "shorter" } else { "longer" })
        };
        match comparison.verdict {
            Verdict::LikelyEdit => format!(" (likely an edit of {path}: {length}, bit error rate {ber:.3})"),
            _ => format!(" (the same recording as {path}: bit error rate {ber:.3}, {length})"),
        }
    }
}

/// Writes the decided codes into the files, in parallel (finishing the copies prepared
/// ahead, writing the others in full), and logs each write.
fn write_files(
    ledger: &mut SqliteLedger,
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
    let results: Vec<Result<(), String>> = progress::in_pool(options.jobs * 2, || {
        jobs.into_par_iter()
            .map(|(pending, copy)| {
                let Ok(file) = &files[pending.index] else {
                    return Err("not scanned".to_owned());
                };
                let written = match copy {
                    Some(copy) => copy.finish(pending.isrc, &file.stamp),
                    None => safe_write::write_isrc(
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
                outcome.action = "error";
                outcome.detail = Some(format!("{error} (the code stays bound to this audio: a rerun reuses it)"));
            }
            tx.log(&NewEvent {
                path: Some(outcome.path.clone()),
                audio_id: outcome.audio_id.as_deref().and_then(AudioId::parse),
                isrc: Some(pending.isrc),
                detail,
                ..NewEvent::new(&options.user, crate::ledger::now(), action)
            })?;
        }
        Ok::<_, LedgerError>(())
    })?;
    Ok(())
}

/// Prints the outcomes: a table, or JSON Lines; a summary on stderr.
fn print(out: &mut dyn Write, outcomes: &[Outcome], options: &AssignOptions) -> std::io::Result<()> {
    if options.json {
        for outcome in outcomes {
            report::json_line(out, outcome)?;
        }
    } else {
        write_table(out, outcomes)?;
    }
    out.flush()?;
    if !options.quiet {
        eprintln!("{}", summary(outcomes, options.dry_run));
    }
    Ok(())
}

fn write_table(out: &mut dyn Write, outcomes: &[Outcome]) -> std::io::Result<()> {
    let width = outcomes.iter().map(|o| o.path.chars().count()).max().unwrap_or(4).max(4);
    writeln!(out, "{:<width$}  {:>10}  {:<9}  {:<12}  DETAIL", "FILE", "DURATION", "ACTION", "ISRC")?;
    for o in outcomes {
        let duration = o.duration_seconds.map(report::duration).unwrap_or_else(|| "-".into());
        let isrc = o.isrc.as_deref().unwrap_or("-");
        let detail = o.detail.as_deref().unwrap_or("");
        writeln!(out, "{:<width$}  {duration:>10}  {:<9}  {isrc:<12}  {detail}", o.path, o.action)?;
    }
    Ok(())
}

/// `12 files: 4 issued, 8 unchanged (dry run: nothing changed)`.
fn summary(outcomes: &[Outcome], dry_run: bool) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for name in ["issued", "reused", "unchanged", "adopted", "linked", "conflict", "error"] {
        let n = outcomes.iter().filter(|o| o.action == name).count();
        if n > 0 {
            counts.push((name, n));
        }
    }
    let parts: Vec<String> = counts.iter().map(|(name, n)| format!("{n} {name}")).collect();
    let files = if outcomes.len() == 1 { "file" } else { "files" };
    let tail = if dry_run { " (dry run: no file or ledger changed)" } else { "" };
    format!("{} {files}: {}{tail}", outcomes.len(), parts.join(", "))
}
