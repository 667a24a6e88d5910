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
//! | no | none | issue (or link with `--same-recording-as`, new code with lineage for `--new-version-of`); conflict if it sounds like a recording in the ledger |
//! | no | Y, not in ledger | adopt Y |
//! | no | Y, in ledger for other audio | conflict: code on different audio (`--same-recording-as Y` links) |
//! | any | malformed, or locations disagree | conflict |
//!
//! Choices beyond the table, made for a demanding mastering engineer:
//! - a code the ledger has voided is never written, reused or adopted: conflict;
//! - `--same-recording-as X` on audio the ledger already ties to another code is a
//!   conflict, never a silent re-link; on a file carrying Y ≠ X, also a conflict;
//! - `--new-version-of X` on audio already known, or on a file carrying a code, is a
//!   conflict: a new version needs audio the ledger has not seen;
//! - a code in the ledger with no audio bound yet (imported from a list) is adopted
//!   for the file's audio: that is what importing a distributor's list is for;
//! - new audio that would be issued a code, but whose acoustic fingerprint matches a
//!   recording X in the ledger ([`Facts::sounds_like`]: another encoding, rate or bit
//!   depth of X, or an edit of it), is a conflict, never a silent issue: the engineer
//!   says which it is with `--same-recording-as X` (same code) or
//!   `--new-version-of X --as KIND` (a new code with the lineage).

use crate::container::Carried;
use crate::isrc::Isrc;
use crate::ledger::{CodeFacts, Relation, Status};

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

/// The order files of one run are decided in, as a sort key (stable: the walk order
/// among equals). Files that carry a code first, so that copies of one audio adopt the
/// code one of them carries rather than issuing another; then lossless before lossy,
/// so that a master is issued its code before its lossy encodes are compared with it.
pub fn decision_order(carries_a_code: bool, lossless: bool) -> (bool, bool) {
    (!carries_a_code, !lossless)
}

/// Whether new audio is looked up by sound before it is decided: only where a code
/// could be issued (nothing carried) or adopted (a carried code the ledger has for no
/// other audio); the others are decided without it.
pub fn looks_up_by_sound(carried: &Carried, standing: &CodeStanding) -> bool {
    match carried {
        Carried::Nothing => true,
        Carried::Code { .. } => matches!(standing, CodeStanding::Unknown | CodeStanding::NoAudio),
        _ => false,
    }
}

/// What the user asked for on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    /// `--fix`: rewrite a retagged duplicate to the ledger's code.
    pub fix: bool,
    /// `--same-recording-as X`: this audio is another encode or carrier of X.
    pub same_recording_as: Option<Isrc>,
    /// `--new-version-of X --as KIND`: a new code with lineage to X.
    pub new_version_of: Option<(Isrc, Relation)>,
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
    /// A recording in the ledger whose acoustic fingerprint matches this audio's (the
    /// same recording or an edit of it), when the audio id itself is unknown.
    pub sounds_like: Option<Isrc>,
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
    /// New audio that would be issued a code sounds like this recording in the ledger:
    /// the engineer must say whether it is the same recording or a new version.
    SoundsLike(Isrc),
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
        /// The parent and relation, for `--new-version-of`.
        lineage: Option<(Isrc, Relation)>,
    },
    /// Tie this audio to an existing code (`--same-recording-as`) and write it.
    Link(Isrc),
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
    /// Leave the file alone and report.
    Conflict(Conflict),
}

/// Decides what to do with one file.
pub fn decide(facts: &Facts, request: &Request) -> Decision {
    let carried = match &facts.carried {
        Carried::Malformed(values) => return Decision::Conflict(Conflict::Malformed(values.clone())),
        Carried::Disagree(codes) => return Decision::Conflict(Conflict::LocationsDisagree(codes.clone())),
        Carried::Code { isrc, .. } if facts.standing == CodeStanding::Void => {
            return Decision::Conflict(Conflict::VoidCode(*isrc));
        }
        Carried::Code { isrc, complete } => Some((*isrc, *complete)),
        Carried::Nothing => None,
    };
    if let Some(conflict) = contradiction(facts.known, carried.map(|(isrc, _)| isrc), request) {
        return Decision::Conflict(conflict);
    }
    match (facts.known, carried) {
        (Some(known), None) => Decision::Reuse(known),
        (Some(known), Some((isrc, true))) if isrc == known => Decision::Unchanged(known),
        (Some(known), Some((isrc, false))) if isrc == known => Decision::Reuse(known),
        (Some(known), Some((previous, _))) if request.fix => Decision::Fix { isrc: known, previous },
        (Some(known), Some((file, _))) => Decision::Conflict(Conflict::RetaggedDuplicate { ledger: known, file }),
        (None, None) => match (request.same_recording_as, request.new_version_of, facts.sounds_like) {
            (Some(target), _, _) => Decision::Link(target),
            (None, None, Some(similar)) => Decision::Conflict(Conflict::SoundsLike(similar)),
            (None, lineage, _) => Decision::Issue { lineage },
        },
        (None, Some((isrc, complete))) => match facts.standing {
            CodeStanding::OtherAudio if request.same_recording_as == Some(isrc) => Decision::Link(isrc),
            CodeStanding::OtherAudio => Decision::Conflict(Conflict::CodeOnOtherAudio(isrc)),
            _ => Decision::Adopt { isrc, write: !complete },
        },
    }
}

/// A request that contradicts the facts, if any.
fn contradiction(known: Option<Isrc>, carried: Option<Isrc>, request: &Request) -> Option<Conflict> {
    if let Some(target) = request.same_recording_as {
        if let Some(known) = known.filter(|&k| k != target) {
            return Some(Conflict::Contradiction(format!(
                "--same-recording-as {target}: the ledger already ties this audio to {known}"
            )));
        }
        if let Some(carried) = carried.filter(|&c| c != target) {
            return Some(Conflict::Contradiction(format!("--same-recording-as {target}: the file carries {carried}")));
        }
    }
    if let Some((parent, _)) = request.new_version_of {
        if let Some(known) = known {
            return Some(Conflict::Contradiction(format!(
                "--new-version-of {parent}: this audio is already {known}; a new version needs new audio"
            )));
        }
        if let Some(carried) = carried {
            return Some(Conflict::Contradiction(format!(
                "--new-version-of {parent}: the file already carries {carried}"
            )));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> Isrc {
        Isrc::parse(text).expect("valid test code")
    }

    fn x() -> Isrc {
        code("USPR37300012")
    }

    fn y() -> Isrc {
        code("GBBBB9905305")
    }

    fn facts(known: Option<Isrc>, carried: Carried, standing: CodeStanding) -> Facts {
        Facts { known, carried, standing, sounds_like: None }
    }

    fn carrying(isrc: Isrc) -> Carried {
        Carried::Code { isrc, complete: true }
    }

    #[test]
    fn files_carrying_a_code_then_lossless_files_are_decided_first() {
        let mut keys = [
            (0, decision_order(false, false)),
            (1, decision_order(false, true)),
            (2, decision_order(true, false)),
            (3, decision_order(true, true)),
        ];
        keys.sort_by_key(|(_, key)| *key);
        assert_eq!(keys.iter().map(|(i, _)| *i).collect::<Vec<_>>(), [3, 2, 1, 0]);
    }

    #[test]
    fn only_audio_that_could_be_issued_or_adopt_a_code_is_looked_up_by_sound() {
        assert!(looks_up_by_sound(&Carried::Nothing, &CodeStanding::Unknown));
        assert!(looks_up_by_sound(&carrying(x()), &CodeStanding::Unknown));
        assert!(looks_up_by_sound(&carrying(x()), &CodeStanding::NoAudio));
        assert!(!looks_up_by_sound(&carrying(x()), &CodeStanding::OtherAudio));
        assert!(!looks_up_by_sound(&carrying(x()), &CodeStanding::Void));
        assert!(!looks_up_by_sound(&Carried::Malformed(vec!["x".into()]), &CodeStanding::Unknown));
        assert!(!looks_up_by_sound(&Carried::Disagree(vec![x(), y()]), &CodeStanding::Unknown));
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
    fn new_audio_can_be_linked_or_made_a_new_version() {
        let f = facts(None, Carried::Nothing, CodeStanding::Unknown);
        let link = Request { same_recording_as: Some(x()), ..Request::default() };
        assert_eq!(decide(&f, &link), Decision::Link(x()));
        let version = Request { new_version_of: Some((x(), Relation::Edit)), ..Request::default() };
        assert_eq!(decide(&f, &version), Decision::Issue { lineage: Some((x(), Relation::Edit)) });
    }

    #[test]
    fn new_audio_that_sounds_like_a_recording_is_asked_about_not_issued() {
        let f = Facts { sounds_like: Some(x()), ..facts(None, Carried::Nothing, CodeStanding::Unknown) };
        assert_eq!(decide(&f, &Request::default()), Decision::Conflict(Conflict::SoundsLike(x())));
        // The engineer answers: the same recording, or a new version of it.
        let link = Request { same_recording_as: Some(x()), ..Request::default() };
        assert_eq!(decide(&f, &link), Decision::Link(x()));
        let version = Request { new_version_of: Some((x(), Relation::Edit)), ..Request::default() };
        assert_eq!(decide(&f, &version), Decision::Issue { lineage: Some((x(), Relation::Edit)) });
    }

    #[test]
    fn sounding_alike_matters_only_where_a_code_would_be_issued() {
        let known = Facts { sounds_like: Some(y()), ..facts(Some(x()), Carried::Nothing, CodeStanding::Unknown) };
        assert_eq!(decide(&known, &Request::default()), Decision::Reuse(x()));
        let carrying = Facts { sounds_like: Some(x()), ..facts(None, carrying(y()), CodeStanding::Unknown) };
        assert_eq!(decide(&carrying, &Request::default()), Decision::Adopt { isrc: y(), write: false });
        let malformed = Facts {
            sounds_like: Some(x()),
            ..facts(None, Carried::Malformed(vec!["bad".into()]), CodeStanding::Unknown)
        };
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
        let link = Request { same_recording_as: Some(y()), ..Request::default() };
        assert_eq!(decide(&f, &link), Decision::Link(y()));
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
    fn a_void_code_is_never_adopted() {
        let f = facts(None, carrying(y()), CodeStanding::Void);
        assert_eq!(decide(&f, &Request::default()), Decision::Conflict(Conflict::VoidCode(y())));
    }

    #[test]
    fn requests_that_contradict_the_ledger_are_conflicts() {
        let known = facts(Some(x()), Carried::Nothing, CodeStanding::Unknown);
        let link_other = Request { same_recording_as: Some(y()), ..Request::default() };
        assert!(matches!(decide(&known, &link_other), Decision::Conflict(Conflict::Contradiction(_))));
        let version = Request { new_version_of: Some((y(), Relation::Remix)), ..Request::default() };
        assert!(matches!(decide(&known, &version), Decision::Conflict(Conflict::Contradiction(_))));
        let carrying_y = facts(None, carrying(y()), CodeStanding::Unknown);
        let link_x = Request { same_recording_as: Some(x()), ..Request::default() };
        assert!(matches!(decide(&carrying_y, &link_x), Decision::Conflict(Conflict::Contradiction(_))));
        // Linking to the code the audio already has is simply a reuse.
        let link_same = Request { same_recording_as: Some(x()), ..Request::default() };
        assert_eq!(decide(&known, &link_same), Decision::Reuse(x()));
    }
}
