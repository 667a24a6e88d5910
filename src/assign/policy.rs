//! The decision: what to do with one file, given what it is and what the ledger knows.
//!
//! Pure functions of plain values (DESIGN.md section 5), tested without files or a
//! database: nothing here does I/O. The engine gathers the facts, calls [`decide`], and
//! carries out the [`Decision`]; the order files are decided in ([`decision_order`])
//! and which are looked up by sound ([`looks_up_by_sound`]) are rules too.
//!
//! | audio id in ledger | ISRC in the file | action |
//! |---|---|---|
//! | yes, X | none | reuse: write X |
//! | yes, X | X everywhere | unchanged |
//! | yes, X | X in some locations only | reuse: complete the missing locations |
//! | yes, X | Y ≠ X | conflict: retagged duplicate (`--fix` rewrites to X) |
//! | no | none | issue (or the engineer's answer: link, new version, new, skip); a question if it sounds like a recording in the ledger, unless `--accept` answers it |
//! | no | Y, not in ledger | adopt Y |
//! | no | Y, in ledger for other audio | conflict: code on different audio (`--same-recording-as Y` links) |
//! | any | malformed, or locations disagree | conflict |
//!
//! Choices beyond the table, made for a demanding mastering engineer:
//! - a code the ledger has voided is never written, reused, linked or adopted: a file
//!   carrying one is a conflict (`--fix` decides it afresh: its audio's active code, or
//!   a new one), audio bound only to a void code is new audio, and an answer naming a
//!   void code is a conflict;
//! - `--same-recording-as X` on audio the ledger already ties to another code is a
//!   conflict, never a silent re-link; on a file carrying Y ≠ X, also a conflict; with
//!   `--fix`, the answer gives the file X whatever it carries, and moves audio tied to
//!   another code by mistake (`Relink`), if the sound agrees;
//! - `--new-version-of X` on audio already known is a conflict: a new version needs
//!   audio the ledger has not seen; on a file carrying a code (a remaster that kept its
//!   parent's tags), it takes `--fix`;
//! - a code in the ledger with no audio bound yet (imported from a list) is adopted
//!   for the file's audio: that is what importing a distributor's list is for;
//! - new audio that would be issued a code, but whose acoustic fingerprint matches a
//!   recording X in the ledger or decided earlier in the run ([`Facts::sounds`]) is a
//!   question, never a silent issue: `encode` (another encoding of X by the one rule,
//!   [`is_another_encoding`] against X's reference audio: `--accept encodes` links it),
//!   `edit` (a likely edit: `--accept edits` gives it a new code, an `edit` of X),
//!   `same-format` (lossless at the reference's rate and depth or above, other samples:
//!   a remaster or another mix) and `several` (it sounds like several recordings) are
//!   only ever answered by the engineer; a file carrying X over new audio is asked the
//!   same way;
//! - an answer linking audio to X (`--same-recording-as X`, a decisions file) is a
//!   conflict when the audio does not sound like X's recording or is a likely edit of
//!   it ([`LinkCheck`]), unless `--force-link`;
//! - `--fix` on a file whose code the ledger has for other audio (a wrong link undone
//!   with `ledger unlink`) decides it afresh, as if it carried nothing.

use crate::container::Carried;
use crate::isrc::Isrc;
use crate::ledger::{AudioRecord, CodeFacts, Relation, Status};

/// How a piece of audio was kept, for the rule of another encoding: what
/// [`is_another_encoding`] compares and [`reference`] ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    /// Every sample kept (PCM, FLAC, ALAC), unlike MP3, AAC, Vorbis.
    pub lossless: bool,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Bits per sample (of a lossy decode, the decoder's width: no depth of its own).
    pub bits: u16,
    /// Decoded frames.
    pub frames: u64,
}

impl Source {
    /// How good a source it is (greater is better): lossless over lossy, then the
    /// higher sample rate × bit depth, then the longer.
    pub fn rank(&self) -> (bool, u64, u64) {
        (self.lossless, u64::from(self.sample_rate) * u64::from(self.bits), self.frames)
    }
}

impl From<&AudioRecord> for Source {
    fn from(audio: &AudioRecord) -> Source {
        Source { lossless: audio.lossless(), sample_rate: audio.sample_rate, bits: audio.bits, frames: audio.frames }
    }
}

/// A recording's reference audio: its best source ([`Source::rank`]) among all the
/// audio bound to it, in the ledger and in the run alike. `None` when there is none.
pub fn reference(members: impl IntoIterator<Item = Source>) -> Option<Source> {
    members.into_iter().max_by_key(Source::rank)
}

/// The bound audio id that is a recording's reference ([`reference`]; of equal sources,
/// the first bound): what `verify` compares every other audio id of the code with.
pub fn reference_audio(members: &[AudioRecord]) -> Option<&AudioRecord> {
    members.iter().rev().max_by_key(|audio| Source::from(*audio).rank())
}

/// The one rule for "another encoding", wherever the question arises (DESIGN.md
/// section 5): a file is another encoding of a recording only when, compared with the
/// recording's reference audio ([`reference`]), it is lossy, or of a lower sample rate
/// or bit depth. A lossless file at the reference's rate and depth or above, with other
/// samples, is not: a remaster, another mix, a clean or explicit version, which only the
/// registrant can call the same recording (a `same-format` question, never answered by
/// `--accept`). Against a lossy reference, a lossless file is a better source than any
/// the recording has: not another encoding either (a lossy decode's width is not a bit
/// depth to compare with).
pub fn is_another_encoding(file: &Source, reference: &Source) -> bool {
    if !file.lossless {
        return true;
    }
    reference.lossless && (file.sample_rate < reference.sample_rate || file.bits < reference.bits)
}

/// What the ledger says about the code the file carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeStanding {
    /// Not in the ledger.
    Unknown,
    /// In the ledger, with no audio bound to it yet.
    NoAudio,
    /// In the ledger and bound to other audio.
    OtherAudio,
    /// Voided in the ledger.
    Void,
}

impl From<&CodeFacts> for CodeStanding {
    fn from(facts: &CodeFacts) -> Self {
        match facts.status {
            None => CodeStanding::Unknown,
            Some(Status::Void) => CodeStanding::Void,
            Some(Status::Active) if !facts.bound_here && !facts.bound_elsewhere => CodeStanding::NoAudio,
            Some(Status::Active) => CodeStanding::OtherAudio,
        }
    }
}

/// What the order of decisions needs to know of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placing {
    /// The recording it belongs to in this run (files of one audio id, and audio joined
    /// by acoustic same-recording matches, share one).
    pub recording: usize,
    /// Whether that recording is a likely edit cut from a longer recording of the run.
    pub edit: bool,
    /// Whether the file carries a code.
    pub carries_a_code: bool,
    /// How good a source it is ([`crate::audio::AudioFacts::source_rank`]).
    pub rank: (bool, u64, u64),
}

/// The order the files of one run are decided in (indices into `files`, which are in
/// walk order). A run decides a delivery, not a list of files:
/// - recordings are taken in the walk order of their references (a recording's best
///   source: lossless over lossy, then the higher rate × depth, then the longer), never
///   of their first file, so an album's tracks get consecutive codes in track order
///   whatever folder the CD copies sit in; recordings that are likely edits of a longer
///   recording of the run come after all the others, whatever their names;
/// - within a recording, files that carry a code first (so copies adopt the code one of
///   them carries rather than issuing another), then the best source first, so that the
///   other encodings are compared with it.
pub fn decision_order(files: &[Placing]) -> Vec<usize> {
    let mut reference: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for (index, file) in files.iter().enumerate() {
        let best = reference.entry(file.recording).or_insert(index);
        if file.rank > files[*best].rank {
            *best = index;
        }
    }
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| {
        let file = &files[i];
        (file.edit, reference[&file.recording], file.recording, !file.carries_a_code, std::cmp::Reverse(file.rank), i)
    });
    order
}

/// Whether new audio is looked up by sound before it is decided: only where a code
/// could be issued (nothing carried, or `--fix` deciding afresh a file whose code
/// belongs to other audio) or adopted (a carried code the ledger has for no other
/// audio); the others are decided without it.
pub fn looks_up_by_sound(carried: &Carried, standing: &CodeStanding, fix: bool) -> bool {
    match carried {
        Carried::Nothing => true,
        Carried::Code { .. } if fix && matches!(standing, CodeStanding::OtherAudio | CodeStanding::Void) => true,
        Carried::Code { .. } => matches!(standing, CodeStanding::Unknown | CodeStanding::NoAudio),
        _ => false,
    }
}

/// The engineer's answer for one file: from the command line for every file
/// (`--same-recording-as`, `--new-version-of`), or per file (a decisions file, or
/// `--interactive`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Another encode or carrier of this recording: its code.
    SameRecordingAs(Isrc),
    /// A new version of this recording: a new code with the lineage.
    NewVersionOf(Isrc, Relation),
    /// A new recording: a new code, whatever it sounds like.
    New,
    /// Leave the file alone.
    Skip,
}

impl Answer {
    /// The code the answer names, if any.
    pub fn names(&self) -> Option<Isrc> {
        match self {
            Answer::SameRecordingAs(isrc) | Answer::NewVersionOf(isrc, _) => Some(*isrc),
            Answer::New | Answer::Skip => None,
        }
    }
}

/// Which open questions are answered in bulk (`--accept encodes,edits,imported`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Accept {
    /// Link every other encoding of exactly one recording to its code.
    pub encodes: bool,
    /// Give every likely edit a new code, an `edit` of the recording it was cut from.
    pub edits: bool,
    /// Link every file that matches exactly one code a list brought in with no audio.
    pub imported: bool,
}

/// What the engineer asked for, for one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    /// `--fix`: rewrite a retagged duplicate to the ledger's code; decide afresh a file
    /// carrying a code the ledger has for other audio (after `ledger unlink`).
    pub fix: bool,
    /// The answer for this file, if any.
    pub answer: Option<Answer>,
    /// The questions answered in bulk.
    pub accept: Accept,
    /// `--force-link`: link even where the sound says otherwise.
    pub force_link: bool,
}

/// What the audio sounds like, among the recordings the ledger (and the run so far)
/// holds, when it was looked up ([`looks_up_by_sound`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sounds {
    /// Like nothing known (or not looked up, or too short to fingerprint).
    Nothing,
    /// The same recording as exactly one recording; `encoding` when it differs from it in
    /// codec, lossiness, sample rate or bit depth (another encoding: IFPI's "regardless
    /// of format or bit-rate"), not when both are lossless of the same rate and depth
    /// with different samples (a remaster, another mix: the registrant decides).
    Recording {
        /// The recording's code.
        isrc: Isrc,
        /// Whether this is another encoding of it.
        encoding: bool,
    },
    /// The same material with a playing time more than 10 s apart: a likely edit.
    Edit {
        /// The other recording's code.
        isrc: Isrc,
        /// Whether this audio is the shorter one, cut from that recording (else that
        /// recording was cut from this one).
        cut_from_it: bool,
    },
    /// The same recording as several recordings of the ledger: only the engineer knows.
    Several(Vec<Isrc>),
}

/// How the audio sounds against the recording an answer links it to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkCheck {
    /// No link asked for.
    NotAsked,
    /// The same recording by sound.
    Same,
    /// A likely edit of it: not the same recording.
    Edit,
    /// Nothing alike.
    Different,
    /// Cannot be told (the audio is too short to fingerprint, or the recording has no
    /// fingerprinted audio): the answer is taken as given.
    Unknown,
}

/// Everything the decision depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The code the ledger (or an earlier file of this run) ties to this audio id.
    pub known: Option<Isrc>,
    /// What the file carries.
    pub carried: Carried,
    /// The ledger's standing of the carried code (`Unknown` when nothing is carried).
    pub standing: CodeStanding,
    /// What the audio sounds like, where it was looked up.
    pub sounds: Sounds,
    /// How the audio sounds against the code a link answer names.
    pub link: LinkCheck,
    /// Whether the code the answer names is void in the ledger.
    pub target_void: bool,
    /// The codes a list brought in, with no audio yet, that the file matches by title,
    /// track number and duration ([`super::listing`]), the best first; looked up only
    /// where a code would otherwise be issued.
    pub listed: Vec<Isrc>,
    /// Whether the code the file carries (one the ledger has for no audio, or not at
    /// all) is contradicted: by what a list says of it, or by the other files of its
    /// recording in the run, which carry another; with the code that should be there,
    /// when one is known.
    pub mislabelled: Option<Option<Isrc>>,
}

/// An open question: what only the engineer can answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuestionKind {
    /// Another encoding of one recording: the same code (`--accept encodes`)?
    Encode,
    /// A likely edit: a new code as an edit (`--accept edits`)?
    Edit,
    /// Lossless, same rate and depth, other samples: a remaster, another mix, a
    /// clean/explicit version? Never answered in bulk.
    SameFormat,
    /// The same recording as several recordings: never answered in bulk.
    Several,
    /// New audio matching a code a list brought in with no audio yet (by title, track
    /// number and duration): that code (`--accept imported`, when it matches one)?
    Imported,
}

/// Why a file is left alone and reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// The audio is known as `ledger`, the file carries `file`.
    RetaggedDuplicate {
        /// The ledger's code for this audio.
        ledger: Isrc,
        /// The code in the file.
        file: Isrc,
    },
    /// The file carries a code the ledger has for different audio.
    CodeOnOtherAudio(Isrc),
    /// A tag holds something that is not a valid ISRC.
    Malformed(Vec<String>),
    /// The file's locations disagree.
    LocationsDisagree(Vec<Isrc>),
    /// The file carries (or the user named) a voided code.
    VoidCode(Isrc),
    /// The request contradicts what is known (`--same-recording-as`, `--new-version-of`).
    Contradiction(String),
    /// New audio that would be issued a code sounds like this recording: a question.
    Question {
        /// What kind of question.
        kind: QuestionKind,
        /// The recording it sounds like (the first, for `several`).
        isrc: Isrc,
    },
    /// The code a file carries is contradicted: what a list says of it, or the other
    /// files of its recording (`--fix` decides the file afresh).
    Mislabelled {
        /// The code the file carries.
        carried: Isrc,
        /// The code its recording should have, when one is known.
        instead: Option<Isrc>,
    },
    /// A link answer the sound contradicts (`--force-link` overrides).
    NotThatRecording {
        /// The code the answer named.
        isrc: Isrc,
        /// Whether the audio is a likely edit of it (else nothing alike).
        edit: bool,
    },
}

/// What to do with the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The file already carries the known code everywhere: nothing to write.
    Unchanged(Isrc),
    /// Write the known code (missing or incomplete in the file).
    Reuse(Isrc),
    /// Issue the next code under the prefix (with lineage for a new version) and write it.
    Issue {
        /// The parent and relation, for a new version.
        lineage: Option<(Isrc, Relation)>,
    },
    /// Tie this audio to an existing code (another encoding of its recording) and write it.
    Link(Isrc),
    /// `--fix --same-recording-as`: move audio the ledger tied to `from` to `isrc`, and
    /// write it.
    Relink {
        /// The code it belongs to.
        isrc: Isrc,
        /// The code it was tied to by mistake.
        from: Isrc,
    },
    /// Record the code the file carries; write it where the format still lacks it.
    Adopt {
        /// The code.
        isrc: Isrc,
        /// Whether some location of the format lacks it.
        write: bool,
    },
    /// `--fix`: rewrite a retagged duplicate to the ledger's code.
    Fix {
        /// The ledger's code.
        isrc: Isrc,
        /// The code the file carried.
        previous: Isrc,
    },
    /// The engineer said to leave the file alone.
    Skip,
    /// Leave the file alone and report.
    Conflict(Conflict),
}

/// Decides what to do with one file.
pub fn decide(facts: &Facts, request: &Request) -> Decision {
    if let Some(target) = request.answer.as_ref().and_then(Answer::names)
        && facts.target_void
    {
        return Decision::Conflict(Conflict::VoidCode(target));
    }
    // `--fix` with an answer gives the file what the answer says, whatever it carries.
    let set_aside = request.fix
        && matches!(request.answer, Some(Answer::SameRecordingAs(_) | Answer::NewVersionOf(..) | Answer::New));
    let carried = match &facts.carried {
        _ if set_aside => None,
        Carried::Malformed(values) => return Decision::Conflict(Conflict::Malformed(values.clone())),
        Carried::Disagree(codes) => return Decision::Conflict(Conflict::LocationsDisagree(codes.clone())),
        Carried::Code { isrc, .. } if facts.standing == CodeStanding::Void && !request.fix => {
            return Decision::Conflict(Conflict::VoidCode(*isrc));
        }
        // --fix decides afresh a file whose code the ledger has for other audio, or has
        // voided, or that is mislabelled.
        Carried::Code { .. }
            if request.fix
                && facts.known.is_none()
                && (matches!(facts.standing, CodeStanding::OtherAudio | CodeStanding::Void)
                    || facts.mislabelled.is_some()) =>
        {
            None
        }
        Carried::Code { isrc, complete } => Some((*isrc, *complete)),
        Carried::Nothing => None,
    };
    if request.answer == Some(Answer::Skip) {
        return Decision::Skip;
    }
    if let Some(conflict) =
        contradiction(facts.known, carried.map(|(isrc, _)| isrc), request.answer.as_ref(), request.fix)
    {
        return Decision::Conflict(conflict);
    }
    // `--fix --same-recording-as X` on audio the ledger ties to another code: moved to X.
    if let (Some(known), Some(Answer::SameRecordingAs(target))) = (facts.known, &request.answer)
        && known != *target
    {
        return match link(*target, facts, request) {
            Decision::Link(isrc) => Decision::Relink { isrc, from: known },
            other => other,
        };
    }
    match (facts.known, carried) {
        (Some(known), None) => Decision::Reuse(known),
        (Some(known), Some((isrc, true))) if isrc == known => Decision::Unchanged(known),
        (Some(known), Some((isrc, false))) if isrc == known => Decision::Reuse(known),
        (Some(known), Some((previous, _))) if request.fix => Decision::Fix { isrc: known, previous },
        (Some(known), Some((file, _))) => Decision::Conflict(Conflict::RetaggedDuplicate { ledger: known, file }),
        (None, None) => new_audio(facts, request),
        (None, Some((isrc, complete))) => match facts.standing {
            CodeStanding::OtherAudio if request.answer == Some(Answer::SameRecordingAs(isrc)) => {
                link(isrc, facts, request)
            }
            // Another encoding of the recording whose code it carries: a question, which
            // `--accept encodes` answers like any other.
            CodeStanding::OtherAudio if facts.sounds == (Sounds::Recording { isrc, encoding: true }) => {
                if request.accept.encodes {
                    Decision::Link(isrc)
                } else {
                    Decision::Conflict(Conflict::Question { kind: QuestionKind::Encode, isrc })
                }
            }
            // The recording's sound, lossless at its reference's rate and depth, with other
            // samples (a master changed in place, its tags kept): only the registrant says.
            CodeStanding::OtherAudio if facts.sounds == (Sounds::Recording { isrc, encoding: false }) => {
                Decision::Conflict(Conflict::Question { kind: QuestionKind::SameFormat, isrc })
            }
            CodeStanding::OtherAudio => Decision::Conflict(Conflict::CodeOnOtherAudio(isrc)),
            _ => match facts.mislabelled {
                Some(instead) => Decision::Conflict(Conflict::Mislabelled { carried: isrc, instead }),
                None => Decision::Adopt { isrc, write: !complete },
            },
        },
    }
}

/// New audio carrying no code: the answer, else what its sound calls for.
fn new_audio(facts: &Facts, request: &Request) -> Decision {
    match &request.answer {
        Some(Answer::SameRecordingAs(target)) => return link(*target, facts, request),
        Some(Answer::NewVersionOf(parent, relation)) => return Decision::Issue { lineage: Some((*parent, *relation)) },
        Some(Answer::New) => return Decision::Issue { lineage: None },
        Some(Answer::Skip) | None => {}
    }
    let question = |kind, isrc| Decision::Conflict(Conflict::Question { kind, isrc });
    match &facts.sounds {
        // Like nothing the ledger's audio sounds like: a code a list brought in, if the
        // file matches one; a new code only when nothing matches.
        Sounds::Nothing => match facts.listed.as_slice() {
            [] => Decision::Issue { lineage: None },
            [one] if request.accept.imported => Decision::Link(*one),
            [first, ..] => question(QuestionKind::Imported, *first),
        },
        Sounds::Recording { isrc, encoding: true } if request.accept.encodes => Decision::Link(*isrc),
        Sounds::Recording { isrc, encoding: true } => question(QuestionKind::Encode, *isrc),
        Sounds::Recording { isrc, encoding: false } => question(QuestionKind::SameFormat, *isrc),
        Sounds::Edit { isrc, cut_from_it: true } if request.accept.edits => {
            Decision::Issue { lineage: Some((*isrc, Relation::Edit)) }
        }
        // The recording in the ledger is the edit; this longer one is its own recording.
        Sounds::Edit { cut_from_it: false, .. } if request.accept.edits => Decision::Issue { lineage: None },
        Sounds::Edit { isrc, .. } => question(QuestionKind::Edit, *isrc),
        Sounds::Several(codes) => match codes.first() {
            Some(first) => question(QuestionKind::Several, *first),
            None => Decision::Issue { lineage: None },
        },
    }
}

/// A link to `target`, unless the sound contradicts it and the link is not forced.
fn link(target: Isrc, facts: &Facts, request: &Request) -> Decision {
    match facts.link {
        LinkCheck::Edit if !request.force_link => {
            Decision::Conflict(Conflict::NotThatRecording { isrc: target, edit: true })
        }
        LinkCheck::Different if !request.force_link => {
            Decision::Conflict(Conflict::NotThatRecording { isrc: target, edit: false })
        }
        _ => Decision::Link(target),
    }
}

/// An answer that contradicts the facts, if any. With `--fix`, a link answer moves
/// audio the ledger ties to another code (the carried code is already set aside).
fn contradiction(known: Option<Isrc>, carried: Option<Isrc>, answer: Option<&Answer>, fix: bool) -> Option<Conflict> {
    match answer? {
        Answer::SameRecordingAs(target) => {
            if let Some(known) = known.filter(|k| k != target && !fix) {
                return Some(Conflict::Contradiction(format!(
                    "--same-recording-as {target}: the ledger already ties this audio to {known}; \
                     pass --fix as well to move it to {target}"
                )));
            }
            if let Some(carried) = carried.filter(|c| c != target) {
                return Some(Conflict::Contradiction(format!(
                    "--same-recording-as {target}: the file carries {carried}; pass --fix as well to give it {target}"
                )));
            }
            None
        }
        Answer::NewVersionOf(parent, _) => {
            if let Some(known) = known {
                return Some(Conflict::Contradiction(format!(
                    "--new-version-of {parent}: this audio is already {known}; a new version needs new audio \
                     (if it is not {known}, undo that first: isrc-stamp ledger unlink)"
                )));
            }
            carried.map(|carried| {
                Conflict::Contradiction(format!(
                    "--new-version-of {parent}: the file carries {carried}; pass --fix as well to give it a new code"
                ))
            })
        }
        Answer::New => known.or(carried).map(|code| {
            Conflict::Contradiction(format!(
                "a new code was asked for, but this audio already has {code}{}",
                if known.is_some() { "" } else { "; pass --fix as well to replace it" }
            ))
        }),
        Answer::Skip => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::isrc::examples::{x, y};

    fn facts(known: Option<Isrc>, carried: Carried, standing: CodeStanding) -> Facts {
        Facts {
            known,
            carried,
            standing,
            sounds: Sounds::Nothing,
            link: LinkCheck::NotAsked,
            target_void: false,
            listed: Vec::new(),
            mislabelled: None,
        }
    }

    fn carrying(isrc: Isrc) -> Carried {
        Carried::Code { isrc, complete: true }
    }

    fn answer(answer: Answer) -> Request {
        Request { answer: Some(answer), ..Request::default() }
    }

    fn accepting(encodes: bool, edits: bool) -> Request {
        Request { accept: Accept { encodes, edits, imported: false }, ..Request::default() }
    }

    fn question(kind: QuestionKind, isrc: Isrc) -> Decision {
        Decision::Conflict(Conflict::Question { kind, isrc })
    }

    fn placing(recording: usize, edit: bool, carries_a_code: bool, rank: (bool, u64, u64)) -> Placing {
        Placing { recording, edit, carries_a_code, rank }
    }

    /// Where a file stands against its recording's reference, one axis at a time.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Than {
        Same,
        Lower,
        Higher,
    }

    /// The rule of another encoding, over every pair the issue lists: lossless or lossy ×
    /// same, lower or higher rate × same, lower or higher depth × same or other samples ×
    /// tagged (carrying the recording's code) or untagged × the reference bound in the
    /// ledger or earlier in the run. The recording's members always include a lossy and
    /// a CD member beside the 24/96 reference, listed in another order for each place, so
    /// a rule that compared with any member but the reference would fail here.
    #[test]
    fn another_encoding_is_judged_against_the_reference_in_every_case() {
        let hires = Source { lossless: true, sample_rate: 96_000, bits: 24, frames: 96_000 * 200 };
        let cd = Source { lossless: true, sample_rate: 44_100, bits: 16, frames: 44_100 * 200 };
        let mp3 = Source { lossless: false, sample_rate: 44_100, bits: 32, frames: 44_100 * 200 };
        let accept_all = accepting(true, true);
        let mut cases = 0;
        for lossless in [true, false] {
            for rate in [Than::Same, Than::Lower, Than::Higher] {
                for depth in [Than::Same, Than::Lower, Than::Higher] {
                    for same_samples in [true, false] {
                        for tagged in [true, false] {
                            for in_run in [true, false] {
                                cases += 1;
                                let file = Source {
                                    lossless,
                                    sample_rate: match rate {
                                        Than::Same => 96_000,
                                        Than::Lower => 48_000,
                                        Than::Higher => 192_000,
                                    },
                                    bits: match depth {
                                        Than::Same => 24,
                                        Than::Lower => 16,
                                        Than::Higher => 32,
                                    },
                                    frames: 96_000 * 200,
                                };
                                // The run binds its reference first; the ledger lists oldest first.
                                let members = if in_run { [hires, mp3, cd] } else { [mp3, cd, hires] };
                                let reference = reference(members).expect("members");
                                assert_eq!(reference, hires);
                                let carried = if tagged { carrying(x()) } else { Carried::Nothing };
                                let case = format!(
                                    "lossless {lossless}, rate {rate:?}, depth {depth:?}, same samples \
                                     {same_samples}, tagged {tagged}, in run {in_run}"
                                );
                                if same_samples {
                                    // The same samples are the same audio id: the ledger knows it.
                                    let f = facts(Some(x()), carried, CodeStanding::OtherAudio);
                                    let expected = if tagged { Decision::Unchanged(x()) } else { Decision::Reuse(x()) };
                                    assert_eq!(decide(&f, &accept_all), expected, "{case}");
                                    continue;
                                }
                                let encoding = is_another_encoding(&file, &reference);
                                let standing = if tagged { CodeStanding::OtherAudio } else { CodeStanding::Unknown };
                                let link = if tagged { LinkCheck::Same } else { LinkCheck::NotAsked };
                                let f = Facts {
                                    sounds: Sounds::Recording { isrc: x(), encoding },
                                    link,
                                    ..facts(None, carried, standing)
                                };
                                // What the issue says, written out on its own.
                                let another = !lossless || rate == Than::Lower || depth == Than::Lower;
                                let expected =
                                    if another { Decision::Link(x()) } else { question(QuestionKind::SameFormat, x()) };
                                assert_eq!(decide(&f, &accept_all), expected, "{case}");
                                // Never linked in bulk without --accept encodes.
                                assert!(
                                    matches!(
                                        decide(&f, &Request::default()),
                                        Decision::Conflict(Conflict::Question { .. })
                                    ),
                                    "{case}"
                                );
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(cases, 2 * 3 * 3 * 2 * 2 * 2);
    }

    #[test]
    fn against_a_lossy_reference_a_lossless_file_is_asked_about() {
        let mp3 = Source { lossless: false, sample_rate: 44_100, bits: 32, frames: 1 };
        let wav = Source { lossless: true, sample_rate: 44_100, bits: 16, frames: 1 };
        assert!(!is_another_encoding(&wav, &mp3), "a better source than the recording has: the registrant says");
        assert!(is_another_encoding(&mp3, &mp3), "another lossy encoding is one");
        assert!(is_another_encoding(&mp3, &wav));
    }

    #[test]
    fn recordings_go_in_the_walk_order_of_their_references_and_edits_last() {
        let hires = (true, 96_000 * 24, 200_000);
        let cd = (true, 44_100 * 16, 200_000);
        let mp3 = (false, 44_100 * 32, 200_000);
        // cd/ sorts before hires/: track 1 and 2 as CD copies first, then the masters, an
        // MP3 of track 1, and a radio edit of track 2 sorting before everything.
        let files = [
            placing(9, true, false, cd),     // 0: the radio edit
            placing(1, false, false, cd),    // 1: cd/01
            placing(2, false, false, cd),    // 2: cd/02
            placing(1, false, false, hires), // 3: hires/01
            placing(2, false, false, hires), // 4: hires/02
            placing(1, false, false, mp3),   // 5: mp3/01
        ];
        assert_eq!(decision_order(&files), [3, 1, 5, 4, 2, 0]);
    }

    #[test]
    fn within_a_recording_files_carrying_a_code_then_the_best_source_come_first() {
        let hires = (true, 96_000 * 24, 200_000);
        let lossy = (false, 44_100 * 32, 200_000);
        let files = [placing(1, false, false, lossy), placing(1, false, false, hires), placing(1, false, true, lossy)];
        assert_eq!(decision_order(&files), [2, 1, 0]);
    }

    #[test]
    fn only_audio_that_could_be_issued_or_adopt_a_code_is_looked_up_by_sound() {
        assert!(looks_up_by_sound(&Carried::Nothing, &CodeStanding::Unknown, false));
        assert!(looks_up_by_sound(&carrying(x()), &CodeStanding::Unknown, false));
        assert!(looks_up_by_sound(&carrying(x()), &CodeStanding::NoAudio, false));
        assert!(!looks_up_by_sound(&carrying(x()), &CodeStanding::OtherAudio, false));
        assert!(looks_up_by_sound(&carrying(x()), &CodeStanding::OtherAudio, true), "--fix decides afresh");
        assert!(!looks_up_by_sound(&carrying(x()), &CodeStanding::Void, false));
        assert!(!looks_up_by_sound(&Carried::Malformed(vec!["x".into()]), &CodeStanding::Unknown, false));
        assert!(!looks_up_by_sound(&Carried::Disagree(vec![x(), y()]), &CodeStanding::Unknown, false));
    }

    #[test]
    fn the_standing_of_a_carried_code_follows_the_ledger() {
        let facts = |status, bound_here, bound_elsewhere| CodeFacts { status, bound_here, bound_elsewhere };
        assert_eq!(CodeStanding::from(&facts(None, false, false)), CodeStanding::Unknown);
        assert_eq!(CodeStanding::from(&facts(Some(Status::Active), false, false)), CodeStanding::NoAudio);
        assert_eq!(CodeStanding::from(&facts(Some(Status::Active), false, true)), CodeStanding::OtherAudio);
        assert_eq!(CodeStanding::from(&facts(Some(Status::Void), false, false)), CodeStanding::Void);
    }

    #[test]
    fn known_audio_without_a_code_reuses_it() {
        let f = facts(Some(x()), Carried::Nothing, CodeStanding::Unknown);
        assert_eq!(decide(&f, &Request::default()), Decision::Reuse(x()));
    }

    #[test]
    fn known_audio_carrying_its_code_everywhere_is_unchanged() {
        let f = facts(Some(x()), carrying(x()), CodeStanding::OtherAudio);
        assert_eq!(decide(&f, &Request::default()), Decision::Unchanged(x()));
    }

    #[test]
    fn known_audio_carrying_its_code_in_some_locations_is_completed() {
        let f = facts(Some(x()), Carried::Code { isrc: x(), complete: false }, CodeStanding::OtherAudio);
        assert_eq!(decide(&f, &Request::default()), Decision::Reuse(x()));
    }

    #[test]
    fn known_audio_carrying_another_code_is_a_retagged_duplicate() {
        let f = facts(Some(x()), carrying(y()), CodeStanding::Unknown);
        assert_eq!(
            decide(&f, &Request::default()),
            Decision::Conflict(Conflict::RetaggedDuplicate { ledger: x(), file: y() })
        );
        let fix = Request { fix: true, ..Request::default() };
        assert_eq!(decide(&f, &fix), Decision::Fix { isrc: x(), previous: y() });
    }

    #[test]
    fn new_audio_without_a_code_is_issued_one() {
        let f = facts(None, Carried::Nothing, CodeStanding::Unknown);
        assert_eq!(decide(&f, &Request::default()), Decision::Issue { lineage: None });
    }

    #[test]
    fn new_audio_can_be_linked_made_a_new_version_or_skipped() {
        let f = facts(None, Carried::Nothing, CodeStanding::Unknown);
        assert_eq!(decide(&f, &answer(Answer::SameRecordingAs(x()))), Decision::Link(x()));
        let version = answer(Answer::NewVersionOf(x(), Relation::Edit));
        assert_eq!(decide(&f, &version), Decision::Issue { lineage: Some((x(), Relation::Edit)) });
        assert_eq!(decide(&f, &answer(Answer::Skip)), Decision::Skip);
    }

    #[test]
    fn new_audio_that_sounds_like_a_recording_is_asked_about_not_issued() {
        let sounds = Sounds::Recording { isrc: x(), encoding: true };
        let f = Facts { sounds, ..facts(None, Carried::Nothing, CodeStanding::Unknown) };
        assert_eq!(decide(&f, &Request::default()), question(QuestionKind::Encode, x()));
        // The engineer answers: the same recording, a new version of it, or a new recording.
        let linked = Facts { link: LinkCheck::Same, ..f.clone() };
        assert_eq!(decide(&linked, &answer(Answer::SameRecordingAs(x()))), Decision::Link(x()));
        let version = answer(Answer::NewVersionOf(x(), Relation::Edit));
        assert_eq!(decide(&f, &version), Decision::Issue { lineage: Some((x(), Relation::Edit)) });
        assert_eq!(decide(&f, &answer(Answer::New)), Decision::Issue { lineage: None });
    }

    #[test]
    fn encodes_and_edits_are_answered_in_bulk_only_when_accepted() {
        let new = || facts(None, Carried::Nothing, CodeStanding::Unknown);
        let encode = Facts { sounds: Sounds::Recording { isrc: x(), encoding: true }, ..new() };
        assert_eq!(decide(&encode, &accepting(true, false)), Decision::Link(x()));
        assert_eq!(decide(&encode, &accepting(false, true)), question(QuestionKind::Encode, x()));
        let edit = Facts { sounds: Sounds::Edit { isrc: x(), cut_from_it: true }, ..new() };
        assert_eq!(decide(&edit, &accepting(false, true)), Decision::Issue { lineage: Some((x(), Relation::Edit)) });
        assert_eq!(decide(&edit, &accepting(true, false)), question(QuestionKind::Edit, x()));
        // The ledger holds the edit; this longer audio is the recording it was cut from.
        let longer = Facts { sounds: Sounds::Edit { isrc: x(), cut_from_it: false }, ..new() };
        assert_eq!(decide(&longer, &accepting(false, true)), Decision::Issue { lineage: None });
    }

    #[test]
    fn a_remaster_and_a_file_matching_several_recordings_are_never_answered_in_bulk() {
        let new = || facts(None, Carried::Nothing, CodeStanding::Unknown);
        let remaster = Facts { sounds: Sounds::Recording { isrc: x(), encoding: false }, ..new() };
        assert_eq!(decide(&remaster, &accepting(true, true)), question(QuestionKind::SameFormat, x()));
        let several = Facts { sounds: Sounds::Several(vec![x(), y()]), ..new() };
        assert_eq!(decide(&several, &accepting(true, true)), question(QuestionKind::Several, x()));
        let as_remaster = answer(Answer::NewVersionOf(x(), Relation::Remaster));
        assert_eq!(decide(&remaster, &as_remaster), Decision::Issue { lineage: Some((x(), Relation::Remaster)) });
    }

    #[test]
    fn a_link_the_sound_contradicts_is_refused_unless_forced() {
        let new = || facts(None, Carried::Nothing, CodeStanding::Unknown);
        let link = answer(Answer::SameRecordingAs(x()));
        let other_song = Facts { link: LinkCheck::Different, ..new() };
        assert_eq!(
            decide(&other_song, &link),
            Decision::Conflict(Conflict::NotThatRecording { isrc: x(), edit: false })
        );
        let edit = Facts { link: LinkCheck::Edit, ..new() };
        assert_eq!(decide(&edit, &link), Decision::Conflict(Conflict::NotThatRecording { isrc: x(), edit: true }));
        let forced = Request { force_link: true, ..link.clone() };
        assert_eq!(decide(&other_song, &forced), Decision::Link(x()));
        let short = Facts { link: LinkCheck::Unknown, ..new() };
        assert_eq!(decide(&short, &link), Decision::Link(x()), "too short to tell: taken as given");
    }

    #[test]
    fn fix_decides_afresh_a_file_whose_code_belongs_to_other_audio() {
        let wrongly_linked = facts(None, carrying(x()), CodeStanding::OtherAudio);
        assert_eq!(decide(&wrongly_linked, &Request::default()), Decision::Conflict(Conflict::CodeOnOtherAudio(x())));
        let fix = Request { fix: true, ..Request::default() };
        assert_eq!(decide(&wrongly_linked, &fix), Decision::Issue { lineage: None });
        let sounds = Facts { sounds: Sounds::Recording { isrc: y(), encoding: true }, ..wrongly_linked };
        assert_eq!(decide(&sounds, &fix), question(QuestionKind::Encode, y()));
    }

    #[test]
    fn sounding_alike_matters_only_where_a_code_would_be_issued() {
        let sounds = || Sounds::Recording { isrc: x(), encoding: true };
        let known = Facts { sounds: sounds(), ..facts(Some(x()), Carried::Nothing, CodeStanding::Unknown) };
        assert_eq!(decide(&known, &Request::default()), Decision::Reuse(x()));
        let carrying = Facts { sounds: sounds(), ..facts(None, carrying(y()), CodeStanding::Unknown) };
        assert_eq!(decide(&carrying, &Request::default()), Decision::Adopt { isrc: y(), write: false });
        let malformed =
            Facts { sounds: sounds(), ..facts(None, Carried::Malformed(vec!["bad".into()]), CodeStanding::Unknown) };
        assert!(matches!(decide(&malformed, &Request::default()), Decision::Conflict(Conflict::Malformed(_))));
    }

    #[test]
    fn new_audio_carrying_an_unknown_code_adopts_it() {
        let f = facts(None, carrying(y()), CodeStanding::Unknown);
        assert_eq!(decide(&f, &Request::default()), Decision::Adopt { isrc: y(), write: false });
        let partial = facts(None, Carried::Code { isrc: y(), complete: false }, CodeStanding::NoAudio);
        assert_eq!(decide(&partial, &Request::default()), Decision::Adopt { isrc: y(), write: true });
    }

    #[test]
    fn new_audio_carrying_a_code_of_other_audio_is_a_conflict_unless_linked() {
        let f = facts(None, carrying(y()), CodeStanding::OtherAudio);
        assert_eq!(decide(&f, &Request::default()), Decision::Conflict(Conflict::CodeOnOtherAudio(y())));
        let linked = Facts { link: LinkCheck::Same, ..f };
        assert_eq!(decide(&linked, &answer(Answer::SameRecordingAs(y()))), Decision::Link(y()));
    }

    #[test]
    fn an_encode_carrying_its_recordings_code_is_linked_with_accept_encodes() {
        let sounds = Sounds::Recording { isrc: y(), encoding: true };
        let f = Facts { sounds, link: LinkCheck::Same, ..facts(None, carrying(y()), CodeStanding::OtherAudio) };
        assert_eq!(decide(&f, &Request::default()), question(QuestionKind::Encode, y()));
        assert_eq!(decide(&f, &accepting(true, false)), Decision::Link(y()));
        // The same format with other samples carrying the code (a master changed in place,
        // its tags kept): a same-format question, never answered in bulk.
        let remaster = Facts { sounds: Sounds::Recording { isrc: y(), encoding: false }, ..f };
        assert_eq!(decide(&remaster, &accepting(true, true)), question(QuestionKind::SameFormat, y()));
    }

    #[test]
    fn malformed_or_disagreeing_tags_are_conflicts_whatever_the_ledger_says() {
        for known in [None, Some(x())] {
            let bad = facts(known, Carried::Malformed(vec!["USPR3730001O".into()]), CodeStanding::Unknown);
            assert!(matches!(decide(&bad, &Request::default()), Decision::Conflict(Conflict::Malformed(_))));
            let split = facts(known, Carried::Disagree(vec![x(), y()]), CodeStanding::Unknown);
            let fix = Request { fix: true, ..Request::default() };
            assert!(matches!(decide(&split, &fix), Decision::Conflict(Conflict::LocationsDisagree(_))));
        }
    }

    #[test]
    fn new_audio_matching_a_listed_code_is_asked_about_never_issued() {
        let new = || facts(None, Carried::Nothing, CodeStanding::Unknown);
        let one = Facts { listed: vec![y()], ..new() };
        assert_eq!(decide(&one, &Request::default()), question(QuestionKind::Imported, y()));
        let imported = Request { accept: Accept { imported: true, ..Accept::default() }, ..Request::default() };
        assert_eq!(decide(&one, &imported), Decision::Link(y()));
        assert_eq!(decide(&one, &accepting(true, true)), question(QuestionKind::Imported, y()), "not by encodes");
        let two = Facts { listed: vec![y(), x()], ..new() };
        assert_eq!(decide(&two, &imported), question(QuestionKind::Imported, y()), "several: never in bulk");
        assert_eq!(decide(&one, &answer(Answer::New)), Decision::Issue { lineage: None }, "the engineer says new");
        // The sound goes first: audio that sounds like a recording is asked about that.
        let sounds = Facts { sounds: Sounds::Recording { isrc: x(), encoding: true }, ..one };
        assert_eq!(decide(&sounds, &imported), question(QuestionKind::Encode, x()));
    }

    #[test]
    fn a_mislabelled_file_is_a_conflict_and_fix_decides_it_afresh() {
        let carrying_listed = || facts(None, carrying(y()), CodeStanding::NoAudio);
        assert_eq!(decide(&carrying_listed(), &Request::default()), Decision::Adopt { isrc: y(), write: false });
        let odd = Facts { mislabelled: Some(Some(x())), listed: vec![x()], ..carrying_listed() };
        assert_eq!(
            decide(&odd, &Request::default()),
            Decision::Conflict(Conflict::Mislabelled { carried: y(), instead: Some(x()) })
        );
        let fix_imported =
            Request { fix: true, accept: Accept { imported: true, ..Accept::default() }, ..Request::default() };
        assert_eq!(decide(&odd, &fix_imported), Decision::Link(x()));
    }

    #[test]
    fn a_void_code_is_never_adopted() {
        let f = facts(None, carrying(y()), CodeStanding::Void);
        assert_eq!(decide(&f, &Request::default()), Decision::Conflict(Conflict::VoidCode(y())));
    }

    #[test]
    fn fix_replaces_a_void_code_with_the_audios_code_or_decides_afresh() {
        let fix = Request { fix: true, ..Request::default() };
        // The audio has an active code: the void one in the file is rewritten to it.
        let known = facts(Some(x()), carrying(y()), CodeStanding::Void);
        assert_eq!(decide(&known, &Request::default()), Decision::Conflict(Conflict::VoidCode(y())));
        assert_eq!(decide(&known, &fix), Decision::Fix { isrc: x(), previous: y() });
        // Audio bound only to the void code is new audio: a new code, or a question.
        let new = facts(None, carrying(y()), CodeStanding::Void);
        assert_eq!(decide(&new, &fix), Decision::Issue { lineage: None });
        let sounds = Facts { sounds: Sounds::Recording { isrc: x(), encoding: false }, ..new };
        assert_eq!(decide(&sounds, &fix), question(QuestionKind::SameFormat, x()));
    }

    #[test]
    fn an_answer_naming_a_void_code_is_a_conflict() {
        let f = Facts { target_void: true, ..facts(None, Carried::Nothing, CodeStanding::Unknown) };
        for answer in [Answer::SameRecordingAs(y()), Answer::NewVersionOf(y(), Relation::Remaster)] {
            let request = Request { answer: Some(answer), force_link: true, fix: true, ..Request::default() };
            assert_eq!(decide(&f, &request), Decision::Conflict(Conflict::VoidCode(y())));
        }
    }

    #[test]
    fn fix_with_a_link_answer_gives_the_file_the_code_whatever_it_carries() {
        let link_x = |fix| Request { fix, answer: Some(Answer::SameRecordingAs(x())), ..Request::default() };
        // A wrong new code Y: the audio is tied to Y and the file carries Y.
        let wrong = Facts { link: LinkCheck::Same, ..facts(Some(y()), carrying(y()), CodeStanding::OtherAudio) };
        assert!(matches!(decide(&wrong, &link_x(false)), Decision::Conflict(Conflict::Contradiction(_))));
        assert_eq!(decide(&wrong, &link_x(true)), Decision::Relink { isrc: x(), from: y() });
        // Not against the sound, unless forced.
        let other_song = Facts { link: LinkCheck::Different, ..wrong.clone() };
        assert!(matches!(decide(&other_song, &link_x(true)), Decision::Conflict(Conflict::NotThatRecording { .. })));
        // A file carrying another track's code, its audio new: linked, the code replaced.
        let mislabelled = Facts { link: LinkCheck::Same, ..facts(None, carrying(y()), CodeStanding::OtherAudio) };
        assert!(matches!(decide(&mislabelled, &link_x(false)), Decision::Conflict(Conflict::Contradiction(_))));
        assert_eq!(decide(&mislabelled, &link_x(true)), Decision::Link(x()));
        // A remaster that kept its parent's tags gets its own code with --fix.
        let remaster = facts(None, carrying(x()), CodeStanding::OtherAudio);
        let version =
            |fix| Request { fix, answer: Some(Answer::NewVersionOf(x(), Relation::Remaster)), ..Request::default() };
        match decide(&remaster, &version(false)) {
            Decision::Conflict(Conflict::Contradiction(text)) => assert!(text.contains("--fix"), "{text}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(decide(&remaster, &version(true)), Decision::Issue { lineage: Some((x(), Relation::Remaster)) });
    }

    #[test]
    fn requests_that_contradict_the_ledger_are_conflicts() {
        let known = facts(Some(x()), Carried::Nothing, CodeStanding::Unknown);
        let link_other = answer(Answer::SameRecordingAs(y()));
        assert!(matches!(decide(&known, &link_other), Decision::Conflict(Conflict::Contradiction(_))));
        let version = answer(Answer::NewVersionOf(y(), Relation::Remix));
        assert!(matches!(decide(&known, &version), Decision::Conflict(Conflict::Contradiction(_))));
        assert!(matches!(decide(&known, &answer(Answer::New)), Decision::Conflict(Conflict::Contradiction(_))));
        let carrying_y = facts(None, carrying(y()), CodeStanding::Unknown);
        let link_x = answer(Answer::SameRecordingAs(x()));
        assert!(matches!(decide(&carrying_y, &link_x), Decision::Conflict(Conflict::Contradiction(_))));
        // Linking to the code the audio already has is simply a reuse.
        let link_same = answer(Answer::SameRecordingAs(x()));
        assert_eq!(decide(&known, &link_same), Decision::Reuse(x()));
    }
}
