//! Deciding the files of one run inside one ledger transaction: the run grouped into
//! recordings, the order set ([`policy::decision_order`]), each file's facts gathered,
//! the pure decision taken ([`policy::decide`]), and its ledger side carried out. No
//! file is read or written here; the scanned facts come in, outcomes and codes to write
//! go out.

use std::collections::HashMap;

use serde::Serialize;

use crate::acoustic::group::{self, Sound};
use crate::acoustic::{self, Comparison, Verdict};
use crate::base::ids::AudioId;
use crate::container::{self, Carried};
use crate::isrc::{Isrc, Prefix};
use crate::ledger::{
    self, AudioRecord, EventKind, LedgerError, LedgerTx, MetadataEdit, NewEvent, NewRecording, NewRun, Origin,
    Relation, Status,
};
use crate::scan::Scanned;

use super::listing;
use super::policy::{
    self, Answer, CodeStanding, Conflict, Decision, Facts, LinkCheck, Placing, QuestionKind, Request, Sounds, Source,
};
use super::{Action, Outcome};

/// What deciding needs to know of the run.
#[derive(Debug, Clone)]
pub(crate) struct RunContext {
    /// The prefix to issue under.
    pub prefix: Prefix,
    /// The two-digit year of reference for issued codes.
    pub year: u8,
    /// What the engineer asked for every file (`--fix`, `--accept`, `--force-link`, and
    /// `--same-recording-as` / `--new-version-of` as an answer for every file).
    pub request: Request,
    /// Answers for single files (a decisions file, `--interactive`).
    pub answers: Answers,
    /// Who runs this (recorded in the ledger).
    pub user: String,
    /// `--void-unused`: a code `--fix --same-recording-as` leaves with no audio is voided.
    pub void_unused: bool,
    /// The run being decided, set once the ledger has recorded its start (none in a dry
    /// run); every event of the run carries it.
    pub run: Option<i64>,
}

/// Answers for single files, by path (as printed) or by audio id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Answers {
    /// By the path as isrc-stamp prints it.
    pub by_path: HashMap<String, Answer>,
    /// By audio id.
    pub by_audio: HashMap<AudioId, Answer>,
}

impl Answers {
    /// The answer for a file, if one names it.
    fn for_file(&self, file: &Scanned) -> Option<&Answer> {
        self.by_path.get(&crate::output::path(&file.path)).or_else(|| self.by_audio.get(&file.audio.audio_id))
    }
}

impl RunContext {
    /// The request for one file: its own answer over the run's.
    fn request_for(&self, file: &Scanned) -> Request {
        match self.answers.for_file(file) {
            Some(answer) => Request { answer: Some(answer.clone()), ..self.request.clone() },
            None => self.request.clone(),
        }
    }
}

/// An open question, as `assign --json` prints it in `question`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Question {
    /// `encode`, `edit`, `same-format` or `several`.
    pub kind: QuestionKind,
    /// The recordings it sounds like.
    pub candidates: Vec<Candidate>,
    /// What `--accept encodes,edits` would do; `null` where only the engineer can say.
    pub proposal: Option<Proposal>,
}

/// A recording an open question is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Candidate {
    /// Its code.
    pub isrc: String,
    /// Where its audio was first seen.
    pub path: String,
    /// The bit error rate of the best alignment (none for a listed code: not by sound).
    pub ber: Option<f64>,
    /// This file's duration minus the recording's (or the declared one), in seconds.
    pub duration_difference_seconds: f64,
    /// The title a list gave the code (`imported` questions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// An answer to a question, in the words of a decisions file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Proposal {
    /// `same-recording-as`, `new-version-of`, `new` or `skip`.
    pub decision: &'static str,
    /// The code the answer names.
    pub isrc: Option<String>,
    /// The relation of a new version.
    #[serde(rename = "as")]
    pub relation: Option<Relation>,
}

impl Proposal {
    /// The answer a decision amounts to, when it settles a question.
    pub(crate) fn of(decision: &Decision) -> Option<Proposal> {
        let proposal = |decision, isrc: Option<Isrc>, relation| Proposal {
            decision,
            isrc: isrc.map(|isrc| isrc.to_string()),
            relation,
        };
        match decision {
            Decision::Link(isrc) => Some(proposal("same-recording-as", Some(*isrc), None)),
            Decision::Issue { lineage: Some((parent, relation)) } => {
                Some(proposal("new-version-of", Some(*parent), Some(*relation)))
            }
            Decision::Issue { lineage: None } => Some(proposal("new", None, None)),
            Decision::Skip => Some(proposal("skip", None, None)),
            _ => None,
        }
    }
}

/// A file decided: its outcome, the decision, and the code to write into it, if any.
pub(crate) struct FileDecision {
    /// What was decided, as reported.
    pub outcome: Outcome,
    /// The decision taken.
    pub decision: Decision,
    /// The code to write into the file.
    pub write: Option<Isrc>,
}

/// Decides every file in `tx` (files in walk order), in the order the policy sets, and
/// records each decision (codes bound, fingerprints stored, events logged) before
/// anything is written. With `run` (a real run), the run is recorded first and every
/// event carries its id. The results come back in the order of `files`, with the run's id.
/// What deciding a run gave.
pub(crate) struct RunDecisions {
    /// One per file, in the order of the files.
    pub decided: Vec<FileDecision>,
    /// The run's id, when it was recorded.
    pub run: Option<i64>,
    /// How many codes a list brought in are still without audio, when they were read.
    pub listed_left: Option<usize>,
}

pub(crate) fn decide_run(
    tx: &mut dyn LedgerTx,
    files: &[&Scanned],
    options: &RunContext,
    run: Option<&NewRun>,
) -> Result<RunDecisions, LedgerError> {
    let run = run.map(|run| tx.start_run(run)).transpose()?;
    let options = &RunContext { run, ..options.clone() };
    let placings = placings(files);
    let majority = majorities(files, &placings);
    let order = policy::decision_order(&placings);
    let mut decided: Vec<Option<FileDecision>> = files.iter().map(|_| None).collect();
    let mut listing = Listing::default();
    for index in order {
        let run_majority = majority.get(&placings[index].recording).copied();
        decided[index] = Some(decide_and_record(tx, files[index], options, &mut listing, run_majority)?);
    }
    Ok(RunDecisions { decided: decided.into_iter().flatten().collect(), run, listed_left: listing.left() })
}

/// The code most files of each recording of the run carry, where one code is carried by
/// more of its files than any other (by recording, as [`placings`] numbers them).
fn majorities(files: &[&Scanned], placings: &[Placing]) -> HashMap<usize, Isrc> {
    let mut votes: HashMap<usize, HashMap<Isrc, usize>> = HashMap::new();
    for (file, placing) in files.iter().zip(placings) {
        if let Some(code) = container::carried(&file.tags, &file.tags.written).single_code() {
            *votes.entry(placing.recording).or_default().entry(code).or_default() += 1;
        }
    }
    votes
        .into_iter()
        .filter_map(|(recording, counts)| {
            let best = counts.values().copied().max()?;
            let mut leaders = counts.iter().filter(|(_, n)| **n == best);
            let (code, _) = leaders.next()?;
            (leaders.next().is_none() && counts.len() > 1).then_some((recording, *code))
        })
        .collect()
}

/// The codes a list brought in with no audio yet, read once per run when a file first
/// needs them ([`listing`]); a code leaves it once this run binds audio to it.
#[derive(Default)]
pub(crate) struct Listing {
    /// The listed codes, once read.
    codes: Option<Vec<listing::Listed>>,
    /// Their records, for the words of questions and conflicts.
    records: HashMap<Isrc, ledger::Recording>,
}

impl Listing {
    /// The listed codes, read on first use.
    fn codes(&mut self, tx: &mut dyn LedgerTx) -> Result<&mut Vec<listing::Listed>, LedgerError> {
        if self.codes.is_none() {
            let records = tx.codes_without_audio(true)?;
            let codes = records
                .iter()
                .map(|r| {
                    listing::Listed::new(
                        r.isrc,
                        r.title.as_deref(),
                        r.version_note.as_deref(),
                        r.declared_ms,
                        Vec::new(),
                    )
                })
                .collect();
            self.records = records.into_iter().map(|r| (r.isrc, r)).collect();
            self.codes = Some(codes);
        }
        Ok(self.codes.get_or_insert_with(Vec::new))
    }

    /// The listed codes the file matches ([`listing::candidates`]), the best first. The
    /// release track numbers are read only for the codes its title or length agrees with.
    fn candidates(&mut self, tx: &mut dyn LedgerTx, label: &listing::Label) -> Result<Vec<Isrc>, LedgerError> {
        let near: Vec<listing::Listed> = self
            .codes(tx)?
            .iter()
            .filter(|code| {
                let title = label.title.as_ref().is_some_and(|t| code.titles.contains(t));
                let length = code.declared_ms.is_some_and(|ms| (label.seconds - ms as f64 / 1000.0).abs() <= 1.0);
                title || length
            })
            .cloned()
            .collect();
        let mut near_with_tracks = Vec::with_capacity(near.len());
        for mut code in near {
            code.tracks = tx.tracks_of(code.isrc)?.into_iter().map(|(_, track)| track.number).collect();
            near_with_tracks.push(code);
        }
        Ok(listing::candidates(label, &near_with_tracks))
    }

    /// What the list says of `isrc`, if it is a listed code with no audio.
    fn get(&mut self, tx: &mut dyn LedgerTx, isrc: Isrc) -> Result<Option<listing::Listed>, LedgerError> {
        Ok(self.codes(tx)?.iter().find(|code| code.isrc == isrc).cloned())
    }

    /// Forgets a code this run bound audio to.
    fn bound(&mut self, isrc: Isrc) {
        if let Some(codes) = &mut self.codes {
            codes.retain(|code| code.isrc != isrc);
        }
    }

    /// How many listed codes are still without audio, once they were read.
    fn left(&self) -> Option<usize> {
        self.codes.as_ref().map(Vec::len)
    }
}

/// What a file shows of itself for matching it to listed codes.
fn label_of(file: &Scanned) -> listing::Label {
    let name = file.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    listing::Label::new(file.tags.title.as_deref(), &name, file.audio.duration_seconds())
}

/// How each file of the run is placed for the decision order: its recording in the run
/// (one audio id, and audio joined by acoustic same-recording matches), whether that
/// recording is a likely edit cut from a longer one of the run, its source rank.
fn placings(files: &[&Scanned]) -> Vec<Placing> {
    let grouped = group::group(files.iter().map(|file| {
        let sound = Sound { fingerprint: file.audio.fingerprint.as_ref(), duration: file.audio.duration_seconds() };
        (&file.audio.audio_id, sound)
    }));
    let (sounds, roots) = (&grouped.sounds, &grouped.roots);
    let mut edits = vec![false; sounds.len()];
    for m in grouped.matches.iter().filter(|m| m.comparison.verdict == Verdict::LikelyEdit) {
        let (ra, rb) = (roots[m.a], roots[m.b]);
        if ra != rb {
            let shorter = if sounds[m.a].duration < sounds[m.b].duration { ra } else { rb };
            edits[shorter] = true;
        }
    }
    files
        .iter()
        .zip(grouped.recording_of_items())
        .map(|(file, recording)| Placing {
            recording,
            edit: edits[recording],
            carries_a_code: !file.tags.isrcs.is_empty(),
            rank: file.audio.source_rank(),
        })
        .collect()
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

/// What the file's audio sounds like among the ledger's recordings (and those decided
/// earlier in the run): every match, best first (the same recording before a likely
/// edit, then the lowest bit error rate), one per code.
fn sounds_like(tx: &mut dyn LedgerTx, file: &Scanned) -> Result<Vec<Similar>, LedgerError> {
    let Some(print) = &file.audio.fingerprint else {
        return Ok(Vec::new());
    };
    let candidates = tx.fingerprint_candidates(&print.keys(), SOUNDS_LIKE_CANDIDATES)?;
    let duration = file.audio.duration_seconds();
    let mut found: Vec<Similar> = candidates
        .into_iter()
        .filter(|candidate| candidate.audio_id != file.audio.audio_id)
        .map(|candidate| Similar {
            comparison: acoustic::compare(&candidate.fingerprint, candidate.duration_seconds, print, duration),
            isrc: candidate.isrc,
            path: candidate.first_path,
        })
        .filter(|similar| similar.comparison.verdict != Verdict::NoMatch)
        .collect();
    let rank = |s: &Similar| (s.comparison.verdict != Verdict::SameRecording, s.comparison.ber().unwrap_or(1.0));
    found.sort_by(|a, b| {
        let (a, b) = (rank(a), rank(b));
        a.0.cmp(&b.0).then(a.1.total_cmp(&b.1))
    });
    let mut seen = Vec::new();
    found.retain(|similar| {
        let new = !seen.contains(&similar.isrc);
        seen.push(similar.isrc);
        new
    });
    Ok(found)
}

/// What the matches say the audio is ([`Sounds`]).
fn sounds(tx: &mut dyn LedgerTx, file: &Scanned, similar: &[Similar]) -> Result<Sounds, LedgerError> {
    let same: Vec<&Similar> = similar.iter().filter(|s| s.comparison.verdict == Verdict::SameRecording).collect();
    Ok(match same.as_slice() {
        [] => match similar.first() {
            Some(edit) => Sounds::Edit { isrc: edit.isrc, cut_from_it: edit.comparison.duration_difference < 0.0 },
            None => Sounds::Nothing,
        },
        [one] => Sounds::Recording { isrc: one.isrc, encoding: is_another_encoding(tx, file, one.isrc)? },
        several => Sounds::Several(several.iter().map(|s| s.isrc).collect()),
    })
}

/// The reference audio of the recording `isrc`: its best source among every audio id
/// the ledger binds to it, those this run bound already included (the run decides a
/// recording's best source first). The file's own audio is left out.
fn reference_of(tx: &mut dyn LedgerTx, isrc: Isrc, file: &Scanned) -> Result<Option<Source>, LedgerError> {
    let members = tx.audio_for_code(isrc)?;
    Ok(policy::reference(members.iter().filter(|audio| audio.audio_id != file.audio.audio_id).map(Source::from)))
}

/// Whether the file is another encoding of the recording `isrc`, judged against the
/// recording's reference audio by the one rule ([`policy::is_another_encoding`]), never
/// against whichever of its audio ids the sound matched. A recording with no audio to
/// compare with is not vouched for: the engineer is asked.
fn is_another_encoding(tx: &mut dyn LedgerTx, file: &Scanned, isrc: Isrc) -> Result<bool, LedgerError> {
    Ok(reference_of(tx, isrc, file)?
        .is_some_and(|reference| policy::is_another_encoding(&Source::from(&file.audio), &reference)))
}

/// How the audio sounds against the recording `target`: compared with every
/// fingerprinted audio the ledger binds to it.
fn link_check(tx: &mut dyn LedgerTx, file: &Scanned, target: Isrc) -> Result<LinkCheck, LedgerError> {
    let Some(print) = &file.audio.fingerprint else {
        return Ok(LinkCheck::Unknown);
    };
    let mut verdict = LinkCheck::Unknown;
    for audio in tx.audio_for_code(target)? {
        let Some(stored) = tx.fingerprint(&audio.audio_id)? else { continue };
        match acoustic::compare(&stored, audio.duration_seconds(), print, file.audio.duration_seconds()).verdict {
            Verdict::SameRecording => return Ok(LinkCheck::Same),
            Verdict::LikelyEdit => verdict = LinkCheck::Edit,
            Verdict::NoMatch if verdict == LinkCheck::Unknown => verdict = LinkCheck::Different,
            Verdict::NoMatch => {}
        }
    }
    Ok(verdict)
}

/// Stores the file's fingerprint for its (bound) audio id, if it has one and the ledger not yet.
fn store_fingerprint(tx: &mut dyn LedgerTx, file: &Scanned) -> Result<(), LedgerError> {
    if let Some(print) = &file.audio.fingerprint {
        tx.store_fingerprint(&file.audio.audio_id, print)?;
    }
    Ok(())
}

/// Decides one file in the transaction and records it. `run_majority` is the code most
/// files of its recording in the run carry, if one is.
fn decide_and_record(
    tx: &mut dyn LedgerTx,
    file: &Scanned,
    options: &RunContext,
    listing: &mut Listing,
    run_majority: Option<Isrc>,
) -> Result<FileDecision, LedgerError> {
    let request = options.request_for(file);
    let carried = container::carried(&file.tags, &file.tags.written);
    let previous = file.tags.isrcs.first().map(|found| found.value.clone());
    let carried_code = match &carried {
        Carried::Code { isrc, .. } => Some(*isrc),
        _ => None,
    };
    let facts = ledger::facts_about(tx, &file.audio.audio_id, carried_code)?;
    let known = facts.code_for_audio;
    let facts_void = facts.void_code_for_audio;
    let standing = CodeStanding::from(&facts.carried);
    let similar = if known.is_none() && policy::looks_up_by_sound(&carried, &standing, request.fix) {
        sounds_like(tx, file)?
    } else {
        Vec::new()
    };
    let mut sounds = sounds(tx, file, &similar)?;
    let link = match (&request.answer, carried_code) {
        (Some(Answer::SameRecordingAs(target)), _) if known != Some(*target) => link_check(tx, file, *target)?,
        // A file carrying the code of other audio: another encoding of that recording?
        (None, Some(code)) if known.is_none() && standing == CodeStanding::OtherAudio && !request.fix => {
            let check = link_check(tx, file, code)?;
            if check == LinkCheck::Same {
                sounds = Sounds::Recording { isrc: code, encoding: is_another_encoding(tx, file, code)? };
            }
            check
        }
        _ => LinkCheck::NotAsked,
    };
    let target_void = match request.answer.as_ref().and_then(Answer::names) {
        Some(target) => tx.recording(target)?.is_some_and(|recording| recording.status == Status::Void),
        None => false,
    };
    let label = label_of(file);
    // The code a file carries that the ledger has for no audio (or not at all) is
    // evidence, not proof: outvoted by its recording's other files, or contradicted by
    // what a list says of it, the file is the conflict.
    let mut mislabel_why = None;
    let mislabelled = match (known, carried_code, &standing) {
        (None, Some(code), CodeStanding::Unknown | CodeStanding::NoAudio) => {
            if let Some(majority) = run_majority.filter(|majority| *majority != code) {
                mislabel_why = Some(format!("the other files of its recording in this run carry {majority}"));
                Some(Some(majority))
            } else if standing == CodeStanding::NoAudio
                && let Some(listed) = listing.get(tx, code)?
                && listing::contradicts(&label, &listed)
            {
                mislabel_why = Some(listed_words(listing, code, &label));
                Some(listing.candidates(tx, &label)?.into_iter().find(|other| *other != code))
            } else {
                None
            }
        }
        _ => None,
    };
    // New audio that sounds like nothing: a code a list brought in, if it matches one.
    let decides_afresh = carried_code.is_none() || request.fix;
    let listed = if known.is_none() && sounds == Sounds::Nothing && request.answer.is_none() && decides_afresh {
        listing.candidates(tx, &label)?
    } else {
        Vec::new()
    };
    let facts = Facts { known, standing, carried, sounds, link, target_void, listed, mislabelled };
    let decision = policy::decide(&facts, &request);
    let context = Context { similar: similar.first(), void_bound: facts_void, mislabel_why };
    let mut recorded = match record(tx, file, &decision, &context, options) {
        Ok(recorded) => recorded,
        Err(e) if is_about_this_file(&e) => {
            Recorded { action: Action::Error, isrc: None, write: false, detail: Some(e.to_string()) }
        }
        Err(e) => return Err(e),
    };
    if let (Some(carried), Action::Issued | Action::Linked, true) =
        (carried_code, recorded.action, request.fix && carried_code != recorded.isrc)
    {
        // --fix decided afresh a file whose code belongs to other audio.
        let fixed = format!("fixed: the file carried {carried}");
        recorded.detail = Some(recorded.detail.map_or(fixed.clone(), |detail| format!("{detail}; {fixed}")));
    }
    if let Some(isrc) =
        recorded.isrc.filter(|_| !matches!(recorded.action, Action::Conflict | Action::Error | Action::Skipped))
    {
        store_fingerprint(tx, file)?;
        fill_in_metadata(tx, isrc, file, options)?;
        listing.bound(isrc);
    }
    tx.log(&NewEvent {
        path: Some(crate::output::path(&file.path)),
        audio_id: Some(file.audio.audio_id.clone()),
        isrc: recorded.isrc,
        detail: recorded.detail.clone().unwrap_or_default(),
        run: options.run,
        ..NewEvent::new(&options.user, ledger::now(), recorded.action.event_kind())
    })?;
    let question = match &decision {
        Decision::Conflict(Conflict::Question { kind: QuestionKind::Imported, .. }) => Some(Question {
            kind: QuestionKind::Imported,
            candidates: listed_candidates(listing, &facts.listed, &label),
            proposal: None,
        }),
        Decision::Conflict(Conflict::Question { kind, .. }) => {
            Some(Question { kind: *kind, candidates: candidates(&similar), proposal: None })
        }
        _ => None,
    };
    let outcome = Outcome {
        path: crate::output::path(&file.path),
        audio_id: Some(file.audio.audio_id.clone()),
        action: recorded.action,
        isrc: recorded.isrc,
        previous,
        detail: recorded.detail,
        question,
        duration_seconds: Some(file.audio.duration_seconds()),
    };
    Ok(FileDecision { outcome, write: recorded.isrc.filter(|_| recorded.write), decision })
}

/// `x` rounded to `scale` (10 000: four decimals).
fn round(value: f64, scale: f64) -> f64 {
    (value * scale).round() / scale
}

/// The recordings a question is about, as printed.
fn candidates(similar: &[Similar]) -> Vec<Candidate> {
    similar
        .iter()
        .map(|s| Candidate {
            isrc: s.isrc.to_string(),
            path: s.path.clone(),
            ber: Some(round(s.comparison.ber().unwrap_or(1.0), 10_000.0)),
            duration_difference_seconds: round(s.comparison.duration_difference, 1_000.0),
            title: None,
        })
        .collect()
}

/// The listed codes an `imported` question is about: each with its title, and the file's
/// playing time minus the declared one.
fn listed_candidates(listing: &Listing, codes: &[Isrc], label: &listing::Label) -> Vec<Candidate> {
    codes
        .iter()
        .map(|isrc| {
            let record = listing.records.get(isrc);
            let declared = record.and_then(|r| r.declared_ms).map(|ms| ms as f64 / 1000.0);
            Candidate {
                isrc: isrc.to_string(),
                path: String::new(),
                ber: None,
                duration_difference_seconds: declared.map_or(0.0, |d| round(label.seconds - d, 1_000.0)),
                title: record.and_then(|r| r.title.clone()),
            }
        })
        .collect()
}

/// `GBLBL2300002 is listed as "Slow Tide" (4:02), and this file is "harbourlights" (3:45)`.
fn listed_words(listing: &Listing, code: Isrc, label: &listing::Label) -> String {
    let record = listing.records.get(&code);
    let title = record.and_then(|r| r.title.clone()).unwrap_or_default();
    let declared = record.and_then(|r| r.declared_ms).map(|ms| crate::output::duration(ms as f64 / 1000.0));
    format!(
        "{code} is listed as {title:?}{}, and this file is {} ({})",
        declared.map(|d| format!(" ({d})")).unwrap_or_default(),
        label.title.as_deref().map_or_else(|| "untitled".to_owned(), |t| format!("{t:?}")),
        crate::output::duration(label.seconds)
    )
}

/// What the words of a decision need beyond the decision.
struct Context<'a> {
    /// The recording the audio sounds most like, if any.
    similar: Option<&'a Similar>,
    /// The void code the file's audio is still bound to, if any.
    void_bound: Option<Isrc>,
    /// Why the carried code is taken for a mislabel, if it is.
    mislabel_why: Option<String>,
}

/// Fills in the title and artist the ledger lacks for `isrc` from the file's tags, with
/// a `fill` event: a recording's text comes from the first file of its delivery that
/// has it (lossless files are decided first), and a later, better-tagged file (the
/// tagged MP3 after the untagged DAW master) completes it. What the ledger has, from an
/// earlier file or `ledger edit`, is never overwritten.
fn fill_in_metadata(
    tx: &mut dyn LedgerTx,
    isrc: Isrc,
    file: &Scanned,
    options: &RunContext,
) -> Result<(), LedgerError> {
    let Some(recording) = tx.recording(isrc)? else { return Ok(()) };
    let usable = |text: &str| !text.trim().is_empty() && !text.chars().any(char::is_control);
    let missing = |stored: &Option<String>, tagged: Option<String>| tagged.filter(|t| stored.is_none() && usable(t));
    let (title, version) = match file.tags.title.as_deref() {
        Some(tagged) => super::titles::split_version(tagged),
        None => (String::new(), None),
    };
    let filled_title = missing(&recording.title, Some(title.clone()));
    // The version goes with the title it was split from: the ledger's own title, or the
    // one filled in now.
    let same_title = filled_title.is_some() || recording.title.as_deref() == Some(title.as_str());
    let edit = MetadataEdit {
        title: filled_title,
        artist: missing(&recording.artist, file.tags.artist.clone()),
        version_note: missing(&recording.version_note, version.filter(|_| same_title)),
        parental_warning: file
            .tags
            .advisory
            .filter(|_| recording.publication.parental_warning.is_none())
            .map(|advisory| Some(parental_warning(advisory))),
        ..MetadataEdit::default()
    };
    if edit.is_empty() || recording.status == Status::Void {
        return Ok(());
    }
    tx.edit_metadata(isrc, &edit)?;
    let warning = edit.parental_warning.flatten().map(|w| w.as_str().to_owned());
    let filled: Vec<String> = [
        ("title", &edit.title),
        ("artist", &edit.artist),
        ("version", &edit.version_note),
        ("parental_warning", &warning),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.as_ref().map(|v| format!("{name} {v:?}")))
    .collect();
    tx.log(&NewEvent {
        path: Some(crate::output::path(&file.path)),
        audio_id: Some(file.audio.audio_id.clone()),
        isrc: Some(isrc),
        detail: format!("filled in from the file's tags: {}", filled.join(", ")),
        run: options.run,
        ..NewEvent::new(&options.user, ledger::now(), EventKind::Fill)
    })?;
    Ok(())
}

/// The parental warning a file's advisory rating states.
fn parental_warning(advisory: crate::container::Advisory) -> ledger::ParentalWarning {
    match advisory {
        crate::container::Advisory::Explicit => ledger::ParentalWarning::Explicit,
        crate::container::Advisory::Clean => ledger::ParentalWarning::Clean,
    }
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

/// Carries out the ledger side of a decision.
/// The void code the file's audio is still bound to, if any (`context.void_bound`), is
/// unbound before the audio gets its new code.
fn record(
    tx: &mut dyn LedgerTx,
    file: &Scanned,
    decision: &Decision,
    context: &Context<'_>,
    options: &RunContext,
) -> Result<Recorded, LedgerError> {
    let (similar, void_bound) = (context.similar, context.void_bound);
    let (title, version_note) = match file.tags.title.as_deref() {
        Some(title) => {
            let (title, version) = super::titles::split_version(title);
            (Some(title), version)
        }
        None => (None, None),
    };
    let new_recording = |lineage: Option<(Isrc, Relation)>| NewRecording {
        title: title.clone(),
        artist: file.tags.artist.clone(),
        version_note: version_note.clone(),
        parent: lineage.map(|(parent, _)| parent),
        relation: lineage.map(|(_, relation)| relation),
        publication: ledger::Publication {
            parental_warning: file.tags.advisory.map(parental_warning),
            ..ledger::Publication::default()
        },
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
            bind(tx, file, isrc, options, void_bound)?;
            let detail = lineage.map(|(parent, relation)| format!("{} of {parent}", relation.as_str()));
            Recorded::new(Action::Issued, isrc, true, detail)
        }
        Decision::Link(isrc) => {
            require_active(tx, isrc)?;
            bind(tx, file, isrc, options, void_bound)?;
            Recorded::new(Action::Linked, isrc, true, Some("another encode or carrier of the same recording".into()))
        }
        Decision::Relink { isrc, from } => {
            require_active(tx, isrc)?;
            let voided = relink(tx, file, isrc, from, options)?;
            let mut detail = format!("fixed: this audio was tied to {from} by mistake; it is {isrc}");
            if voided {
                detail.push_str(&format!(" ({from}, left with no audio, is void)"));
            }
            Recorded::new(Action::Linked, isrc, true, Some(detail))
        }
        Decision::Adopt { isrc, write } => {
            if tx.recording(isrc)?.is_none() {
                tx.adopt(isrc, Origin::Adopted, &new_recording(None))?;
            }
            bind(tx, file, isrc, options, void_bound)?;
            Recorded::new(Action::Adopted, isrc, write, adopted_but_sounds_like(isrc, similar))
        }
        Decision::Skip => Recorded {
            action: Action::Skipped,
            isrc: None,
            write: false,
            detail: Some("left alone, as the answer for this file says".into()),
        },
        Decision::Conflict(ref conflict) => Recorded {
            action: Action::Conflict,
            isrc: conflict_code(conflict),
            write: false,
            detail: Some(describe(tx, conflict, context)?),
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

/// Moves the file's audio from `from` (bound by mistake) to `isrc`: the binding removed
/// with an `unlink` event, the new one made; `from` voided when `--void-unused` asks and
/// no other audio is bound to it (returns whether it was).
fn relink(
    tx: &mut dyn LedgerTx,
    file: &Scanned,
    isrc: Isrc,
    from: Isrc,
    options: &RunContext,
) -> Result<bool, LedgerError> {
    tx.unbind_audio(&file.audio.audio_id)?;
    tx.log(&NewEvent {
        path: Some(crate::output::path(&file.path)),
        audio_id: Some(file.audio.audio_id.clone()),
        isrc: Some(from),
        detail: format!("--fix --same-recording-as {isrc}: tied to {from} by mistake"),
        run: options.run,
        ..NewEvent::new(&options.user, ledger::now(), EventKind::Unlink)
    })?;
    bind(tx, file, isrc, options, None)?;
    let unused = tx.audio_for_code(from)?.is_empty();
    let active = tx.recording(from)?.is_some_and(|recording| recording.status == Status::Active);
    if !(options.void_unused && unused && active) {
        return Ok(false);
    }
    let reason = format!("issued by mistake: its audio is {isrc} (--fix --void-unused)");
    tx.void(from, &reason)?;
    tx.log(&NewEvent {
        isrc: Some(from),
        detail: reason,
        run: options.run,
        ..NewEvent::new(&options.user, ledger::now(), EventKind::Void)
    })?;
    Ok(true)
}

/// Binds the file's audio id to `isrc`. Audio still bound to a void code (`void_bound`)
/// is unbound from it first (with an `unlink` event): void means void, the audio is new
/// again.
fn bind(
    tx: &mut dyn LedgerTx,
    file: &Scanned,
    isrc: Isrc,
    options: &RunContext,
    void_bound: Option<Isrc>,
) -> Result<(), LedgerError> {
    let audio = &file.audio;
    if let Some(old) = void_bound.filter(|old| *old != isrc) {
        tx.unbind_audio(&audio.audio_id)?;
        tx.log(&NewEvent {
            path: Some(crate::output::path(&file.path)),
            audio_id: Some(audio.audio_id.clone()),
            isrc: Some(old),
            detail: format!("{old} is void: this audio is bound to {isrc} instead"),
            run: options.run,
            ..NewEvent::new(&options.user, ledger::now(), EventKind::Unlink)
        })?;
    }
    tx.bind_audio(&AudioRecord {
        audio_id: audio.audio_id.clone(),
        isrc,
        frames: audio.frames,
        sample_rate: audio.stream.sample_rate,
        channels: audio.stream.channels,
        bits: audio.stream.layout.bits,
        first_path: crate::output::path(&file.path),
        added_at: ledger::now(),
        codec: Some(audio.codec.clone()),
    })?;
    Ok(())
}

/// The code a conflict is about, for the `isrc` column.
fn conflict_code(conflict: &Conflict) -> Option<Isrc> {
    match conflict {
        Conflict::RetaggedDuplicate { ledger, .. } => Some(*ledger),
        Conflict::CodeOnOtherAudio(isrc)
        | Conflict::VoidCode(isrc)
        | Conflict::Question { isrc, .. }
        | Conflict::NotThatRecording { isrc, .. }
        | Conflict::Mislabelled { carried: isrc, .. } => Some(*isrc),
        _ => None,
    }
}

/// A conflict in words, with both sides: which code, and where the ledger has it.
fn describe(tx: &mut dyn LedgerTx, conflict: &Conflict, context: &Context<'_>) -> Result<String, LedgerError> {
    let similar = context.similar;
    Ok(match conflict {
        Conflict::RetaggedDuplicate { ledger, file } => format!(
            "retagged duplicate: the ledger has this audio as {ledger}, the file carries {file}; \
             pass --fix to rewrite it to {ledger}"
        ),
        Conflict::CodeOnOtherAudio(isrc) => {
            let elsewhere = tx.audio_for_code(*isrc)?.into_iter().next().map(|a| a.first_path).unwrap_or_default();
            format!(
                "code on different audio: {isrc} belongs to other audio (first seen at {elsewhere}); \
                 pass --same-recording-as {isrc} if this is another encode or carrier of it, or \
                 --fix to decide this file afresh"
            )
        }
        Conflict::Malformed(values) => format!("invalid ISRC in the tags: {}", values.join(", ")),
        Conflict::LocationsDisagree(codes) => {
            let codes: Vec<&str> = codes.iter().map(Isrc::as_str).collect();
            format!("tag locations disagree: {}", codes.join(" vs "))
        }
        Conflict::VoidCode(isrc) => {
            let reason = tx.recording(*isrc)?.and_then(|r| r.void_reason).unwrap_or_default();
            format!(
                "{isrc} is void in the ledger ({}) and is never written, reused or linked; pass --fix to give the \
                 file its right code (its audio's, or a new one)",
                crate::output::escape_controls(&reason)
            )
        }
        Conflict::Contradiction(text) => text.clone(),
        Conflict::Question { kind: QuestionKind::Imported, isrc } => {
            let recording = tx.recording(*isrc)?;
            let title = recording.as_ref().and_then(|r| r.title.clone()).unwrap_or_default();
            let declared = recording
                .and_then(|r| r.declared_ms)
                .map(|ms| format!(" ({})", crate::output::duration(ms as f64 / 1000.0)))
                .unwrap_or_default();
            format!(
                "matches ISRC {isrc}, listed as {title:?}{declared} with no audio yet: pass --same-recording-as {isrc} \
                 (or --accept imported, which links every file that matches exactly one listed code); it is asked \
                 rather than given a new code, since a second code splits a recording's streams"
            )
        }
        Conflict::Question { kind, isrc } => describe_question(*kind, *isrc, similar),
        Conflict::Mislabelled { carried, instead } => format!(
            "the file carries {carried}, but {}: the tag is wrong{}; pass --fix to decide it afresh{}",
            context.mislabel_why.clone().unwrap_or_default(),
            instead.map(|i| format!(" (its recording is {i})")).unwrap_or_default(),
            instead.map(|i| format!(" (or --fix --same-recording-as {i})")).unwrap_or_default()
        ),
        Conflict::NotThatRecording { isrc, edit: true } => format!(
            "--same-recording-as {isrc}: this audio is likely an edit of {isrc}, not the same recording; \
             a new code is due (--new-version-of {isrc} --as edit); {}",
            sounds_instead(*isrc, similar)
        ),
        Conflict::NotThatRecording { isrc, edit: false } => format!(
            "--same-recording-as {isrc}: this audio does not sound like {isrc}'s recording; nothing linked; {} \
             (pass --force-link only if it is the same recording all the same)",
            sounds_instead(*isrc, similar)
        ),
    })
}

/// What audio a refused link names does sound like, for the engineer to choose.
fn sounds_instead(asked: Isrc, similar: Option<&Similar>) -> String {
    match similar.filter(|similar| similar.isrc != asked) {
        Some(similar) => format!("it sounds like ISRC {}{}", similar.isrc, similar.explain()),
        None => "it sounds like no recording in the ledger".to_owned(),
    }
}

/// `sounds like ISRC X (the same recording as PATH: ...): ...`, with what answers it.
fn describe_question(kind: QuestionKind, isrc: Isrc, similar: Option<&Similar>) -> String {
    let why = similar.map(Similar::explain).unwrap_or_default();
    let answer = format!("pass --same-recording-as {isrc} or --new-version-of {isrc} --as KIND");
    let hint = match kind {
        QuestionKind::Encode => " (another encoding of it: --accept encodes links every such encoding)",
        QuestionKind::Edit => " (a new code is due: --accept edits gives every likely edit one, as an edit)",
        QuestionKind::SameFormat => {
            " (lossless in the same format with other samples: a remaster, another mix, a clean or explicit \
             version? only you can say)"
        }
        QuestionKind::Several => " (it sounds like several recordings: say which, in a decisions file if need be)",
        QuestionKind::Imported => " (it matches a code a list brought in)",
    };
    format!("sounds like ISRC {isrc}{why}: {answer}{hint}")
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

/// A decoded file as a source of its recording (the policy itself reads no audio).
impl From<&crate::audio::AudioFacts> for Source {
    fn from(audio: &crate::audio::AudioFacts) -> Source {
        Source {
            lossless: audio.is_lossless(),
            sample_rate: audio.stream.sample_rate,
            bits: audio.stream.layout.bits,
            frames: audio.frames,
        }
    }
}
