//! Deciding the files of one run inside one ledger transaction: the facts gathered,
//! the pure decision taken ([`super::policy`]), and its ledger side carried out. No file
//! is read or written here; the scanned facts come in, outcomes and codes to write go out.

use crate::acoustic::{self, Comparison, Verdict};
use crate::container::{self, Carried};
use crate::isrc::{Isrc, Prefix};
use crate::ledger::{self, AudioRecord, LedgerError, LedgerTx, NewEvent, NewRecording, Origin, Relation, Status};
use crate::scan::Scanned;

use super::policy::{self, CodeStanding, Conflict, Decision, Facts, Request};
use super::{Action, Outcome};

/// What deciding needs to know of the run.
#[derive(Debug, Clone)]
pub(crate) struct Decide {
    /// The prefix to issue under.
    pub prefix: Prefix,
    /// The two-digit year of reference for issued codes.
    pub year: u8,
    /// `--fix`, `--same-recording-as`, `--new-version-of`.
    pub request: Request,
    /// Who runs this (recorded in the ledger).
    pub user: String,
}

/// A file decided: its outcome, and the code to write into it, if any.
pub(crate) struct Decided {
    /// What was decided.
    pub outcome: Outcome,
    /// The code to write into it.
    pub write: Option<Isrc>,
}

/// Decides every file in `tx`, in the order the policy sets ([`policy::decision_order`]),
/// and records each decision (codes bound, fingerprints stored, events logged) before
/// anything is written. The results come back in the order of `files`.
pub(crate) fn decide_all(
    tx: &mut dyn LedgerTx,
    files: &[&Scanned],
    options: &Decide,
) -> Result<Vec<Decided>, LedgerError> {
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| policy::decision_order(!files[i].tags.isrcs.is_empty(), files[i].audio.is_lossless()));
    let mut decided: Vec<Option<Decided>> = files.iter().map(|_| None).collect();
    for index in order {
        let file = files[index];
        let (outcome, write) = decide_and_record(tx, file, options)?;
        decided[index] = Some(Decided { outcome, write });
    }
    Ok(decided.into_iter().flatten().collect())
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
            comparison: acoustic::compare(&candidate.fingerprint, candidate.duration_seconds, print, duration),
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
    options: &Decide,
) -> Result<(Outcome, Option<Isrc>), LedgerError> {
    let carried = container::carried(&file.tags, &file.tags.written);
    let previous = file.tags.isrcs.first().map(|found| found.value.clone());
    let facts = ledger::facts_about(tx, &file.audio.audio_id, carried.single_code().filter(|_| is_code(&carried)))?;
    let known = facts.code_for_audio;
    let standing = CodeStanding::from(&facts.carried);
    let similar =
        if known.is_none() && policy::looks_up_by_sound(&carried, &standing) { sounds_like(tx, file)? } else { None };
    let facts = Facts { known, standing, carried, sounds_like: similar.as_ref().map(|s| s.isrc) };
    let decision = policy::decide(&facts, &options.request);
    let recorded = match record(tx, file, &decision, similar.as_ref(), options) {
        Ok(recorded) => recorded,
        Err(e) if is_about_this_file(&e) => {
            Recorded { action: Action::Error, isrc: None, write: false, detail: Some(e.to_string()) }
        }
        Err(e) => return Err(e),
    };
    if recorded.isrc.is_some() && !matches!(recorded.action, Action::Conflict | Action::Error) {
        store_fingerprint(tx, file)?;
    }
    tx.log(&NewEvent {
        path: Some(file.path.display().to_string()),
        audio_id: Some(file.audio.audio_id.clone()),
        isrc: recorded.isrc,
        detail: recorded.detail.clone().unwrap_or_default(),
        ..NewEvent::new(&options.user, ledger::now(), recorded.action.as_str())
    })?;
    let outcome = Outcome {
        path: file.path.display().to_string(),
        audio_id: Some(file.audio.audio_id.to_string()),
        action: recorded.action,
        isrc: recorded.isrc.map(|c| c.to_string()),
        previous,
        detail: recorded.detail,
        duration_seconds: Some(file.audio.duration_seconds()),
    };
    Ok((outcome, recorded.isrc.filter(|_| recorded.write)))
}

/// Whether the tags carry one code (the only case where its standing matters).
fn is_code(carried: &Carried) -> bool {
    matches!(carried, Carried::Code { .. })
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

/// What carrying out a decision produced.
struct Recorded {
    /// The action reported.
    action: Action,
    /// The code concerned.
    isrc: Option<Isrc>,
    /// Whether the file must be written.
    write: bool,
    /// Details for people.
    detail: Option<String>,
}

impl Recorded {
    fn new(action: Action, isrc: Isrc, write: bool, detail: Option<String>) -> Recorded {
        Recorded { action, isrc: Some(isrc), write, detail }
    }
}

/// Carries out the ledger side of an action.
fn record(
    tx: &mut dyn LedgerTx,
    file: &Scanned,
    decision: &Decision,
    similar: Option<&Similar>,
    options: &Decide,
) -> Result<Recorded, LedgerError> {
    let new_recording = |lineage: Option<(Isrc, Relation)>| NewRecording {
        title: file.tags.title.clone(),
        artist: file.tags.artist.clone(),
        parent: lineage.map(|(parent, _)| parent),
        relation: lineage.map(|(_, relation)| relation),
        ..NewRecording::new(&options.user, ledger::now())
    };
    Ok(match *decision {
        Decision::Unchanged(isrc) => Recorded::new(Action::Unchanged, isrc, false, None),
        Decision::Reuse(isrc) => Recorded::new(Action::Reused, isrc, true, None),
        Decision::Fix { isrc, previous } => {
            Recorded::new(Action::Reused, isrc, true, Some(format!("fixed: the file carried {previous}")))
        }
        Decision::Issue { lineage } => {
            if let Some((parent, _)) = lineage {
                require_active(tx, parent)?;
            }
            let isrc = tx.issue_next(options.prefix, options.year, &new_recording(lineage))?;
            bind(tx, file, isrc)?;
            let detail = lineage.map(|(parent, relation)| format!("{} of {parent}", relation.as_str()));
            Recorded::new(Action::Issued, isrc, true, detail)
        }
        Decision::Link(isrc) => {
            require_active(tx, isrc)?;
            bind(tx, file, isrc)?;
            Recorded::new(Action::Linked, isrc, true, Some("another encode or carrier of the same recording".into()))
        }
        Decision::Adopt { isrc, write } => {
            if tx.recording(isrc)?.is_none() {
                tx.adopt(isrc, Origin::Adopted, &new_recording(None))?;
            }
            bind(tx, file, isrc)?;
            Recorded::new(Action::Adopted, isrc, write, adopted_but_sounds_like(isrc, similar))
        }
        Decision::Conflict(ref conflict) => Recorded {
            action: Action::Conflict,
            isrc: conflict_code(conflict),
            write: false,
            detail: Some(describe(tx, conflict, similar)?),
        },
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
        added_at: ledger::now(),
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
