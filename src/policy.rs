//! The decision: what to do with one file, given what it is and what the ledger knows.
//!
//! A pure function of plain values (DESIGN.md section 5), tested without files or a
//! database. The `assign` command gathers the facts, calls [`decide`], and carries
//! out the [`Action`].
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

use crate::code::Isrc;
use crate::ledger::Relation;
use crate::tags::{Location, TagReport};

/// What the file's tags say, reduced to one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Carried {
    /// No location holds an ISRC.
    Nothing,
    /// Every location that holds one holds this valid code; `complete` when every
    /// location of the format holds it.
    Code {
        /// The code.
        isrc: Isrc,
        /// Whether all of the format's locations carry it.
        complete: bool,
    },
    /// A location holds a value that is not a valid ISRC.
    Malformed(Vec<String>),
    /// Locations hold different valid codes (or one location holds several).
    Disagree(Vec<Isrc>),
}

/// Reduces what a file's tags hold to one answer; `written` are the locations the
/// format has (the ones isrc-stamp writes).
pub fn carried(tags: &TagReport, written: &[Location]) -> Carried {
    if tags.isrcs.is_empty() {
        return Carried::Nothing;
    }
    let mut malformed = Vec::new();
    let mut codes: Vec<Isrc> = Vec::new();
    for found in &tags.isrcs {
        match Isrc::parse(&found.value) {
            Ok(isrc) if !codes.contains(&isrc) => codes.push(isrc),
            Ok(_) => {}
            Err(_) => malformed.push(found.value.clone()),
        }
    }
    // A location holding several values is a finding even when they are equal.
    let repeated = written.iter().any(|w| tags.isrcs.iter().filter(|f| &f.location == w).count() > 1);
    match (malformed.is_empty(), codes.as_slice()) {
        (false, _) => Carried::Malformed(malformed),
        (true, [isrc]) if !repeated => {
            let stored_form = tags.isrcs.iter().all(|f| f.value == isrc.as_str());
            let everywhere = written.iter().all(|w| tags.isrcs.iter().any(|f| &f.location == w));
            Carried::Code { isrc: *isrc, complete: everywhere && stored_form }
        }
        _ => Carried::Disagree(codes),
    }
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
pub enum Action {
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
pub fn decide(facts: &Facts, request: &Request) -> Action {
    let carried = match &facts.carried {
        Carried::Malformed(values) => return Action::Conflict(Conflict::Malformed(values.clone())),
        Carried::Disagree(codes) => return Action::Conflict(Conflict::LocationsDisagree(codes.clone())),
        Carried::Code { isrc, .. } if facts.standing == CodeStanding::Void => {
            return Action::Conflict(Conflict::VoidCode(*isrc));
        }
        Carried::Code { isrc, complete } => Some((*isrc, *complete)),
        Carried::Nothing => None,
    };
    if let Some(conflict) = contradiction(facts.known, carried.map(|(isrc, _)| isrc), request) {
        return Action::Conflict(conflict);
    }
    match (facts.known, carried) {
        (Some(known), None) => Action::Reuse(known),
        (Some(known), Some((isrc, true))) if isrc == known => Action::Unchanged(known),
        (Some(known), Some((isrc, false))) if isrc == known => Action::Reuse(known),
        (Some(known), Some((previous, _))) if request.fix => Action::Fix { isrc: known, previous },
        (Some(known), Some((file, _))) => Action::Conflict(Conflict::RetaggedDuplicate { ledger: known, file }),
        (None, None) => match (request.same_recording_as, request.new_version_of, facts.sounds_like) {
            (Some(target), _, _) => Action::Link(target),
            (None, None, Some(similar)) => Action::Conflict(Conflict::SoundsLike(similar)),
            (None, lineage, _) => Action::Issue { lineage },
        },
        (None, Some((isrc, complete))) => match facts.standing {
            CodeStanding::OtherAudio if request.same_recording_as == Some(isrc) => Action::Link(isrc),
            CodeStanding::OtherAudio => Action::Conflict(Conflict::CodeOnOtherAudio(isrc)),
            _ => Action::Adopt { isrc, write: !complete },
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

    fn found(location: Location, value: &str) -> crate::tags::FoundIsrc {
        crate::tags::FoundIsrc { location, value: value.into() }
    }

    fn report(isrcs: Vec<crate::tags::FoundIsrc>) -> TagReport {
        TagReport { isrcs, ..TagReport::default() }
    }

    const WAV: &[Location] = &[Location::Id3v2Tsrc, Location::RiffInfoIsrc];

    #[test]
    fn carried_reduces_the_locations_to_one_answer() {
        assert_eq!(carried(&report(vec![]), WAV), Carried::Nothing);
        let both =
            report(vec![found(Location::Id3v2Tsrc, "USPR37300012"), found(Location::RiffInfoIsrc, "USPR37300012")]);
        assert_eq!(carried(&both, WAV), Carried::Code { isrc: x(), complete: true });
        let one = report(vec![found(Location::Id3v2Tsrc, "USPR37300012")]);
        assert_eq!(carried(&one, WAV), Carried::Code { isrc: x(), complete: false });
        // Hyphenated in a tag: the code, but rewritten to the stored form.
        let hyphens =
            report(vec![found(Location::Id3v2Tsrc, "US-PR3-73-00012"), found(Location::RiffInfoIsrc, "USPR37300012")]);
        assert_eq!(carried(&hyphens, WAV), Carried::Code { isrc: x(), complete: false });
        let split =
            report(vec![found(Location::Id3v2Tsrc, "USPR37300012"), found(Location::RiffInfoIsrc, "GBBBB9905305")]);
        assert_eq!(carried(&split, WAV), Carried::Disagree(vec![x(), y()]));
        let bad = report(vec![found(Location::Id3v2Tsrc, "USPR3730001O")]);
        assert_eq!(carried(&bad, WAV), Carried::Malformed(vec!["USPR3730001O".into()]));
        let twice =
            report(vec![found(Location::Id3v2Tsrc, "USPR37300012"), found(Location::Id3v2Tsrc, "USPR37300012")]);
        assert_eq!(carried(&twice, WAV), Carried::Disagree(vec![x()]));
    }

    #[test]
    fn known_audio_without_a_code_reuses_it() {
        let f = facts(Some(x()), Carried::Nothing, CodeStanding::Unknown);
        assert_eq!(decide(&f, &Request::default()), Action::Reuse(x()));
    }

    #[test]
    fn known_audio_carrying_its_code_everywhere_is_unchanged() {
        let f = facts(Some(x()), carrying(x()), CodeStanding::OtherAudio);
        assert_eq!(decide(&f, &Request::default()), Action::Unchanged(x()));
    }

    #[test]
    fn known_audio_carrying_its_code_in_some_locations_is_completed() {
        let f = facts(Some(x()), Carried::Code { isrc: x(), complete: false }, CodeStanding::OtherAudio);
        assert_eq!(decide(&f, &Request::default()), Action::Reuse(x()));
    }

    #[test]
    fn known_audio_carrying_another_code_is_a_retagged_duplicate() {
        let f = facts(Some(x()), carrying(y()), CodeStanding::Unknown);
        assert_eq!(
            decide(&f, &Request::default()),
            Action::Conflict(Conflict::RetaggedDuplicate { ledger: x(), file: y() })
        );
        let fix = Request { fix: true, ..Request::default() };
        assert_eq!(decide(&f, &fix), Action::Fix { isrc: x(), previous: y() });
    }

    #[test]
    fn new_audio_without_a_code_is_issued_one() {
        let f = facts(None, Carried::Nothing, CodeStanding::Unknown);
        assert_eq!(decide(&f, &Request::default()), Action::Issue { lineage: None });
    }

    #[test]
    fn new_audio_can_be_linked_or_made_a_new_version() {
        let f = facts(None, Carried::Nothing, CodeStanding::Unknown);
        let link = Request { same_recording_as: Some(x()), ..Request::default() };
        assert_eq!(decide(&f, &link), Action::Link(x()));
        let version = Request { new_version_of: Some((x(), Relation::Edit)), ..Request::default() };
        assert_eq!(decide(&f, &version), Action::Issue { lineage: Some((x(), Relation::Edit)) });
    }

    #[test]
    fn new_audio_that_sounds_like_a_recording_is_asked_about_not_issued() {
        let f = Facts { sounds_like: Some(x()), ..facts(None, Carried::Nothing, CodeStanding::Unknown) };
        assert_eq!(decide(&f, &Request::default()), Action::Conflict(Conflict::SoundsLike(x())));
        // The engineer answers: the same recording, or a new version of it.
        let link = Request { same_recording_as: Some(x()), ..Request::default() };
        assert_eq!(decide(&f, &link), Action::Link(x()));
        let version = Request { new_version_of: Some((x(), Relation::Edit)), ..Request::default() };
        assert_eq!(decide(&f, &version), Action::Issue { lineage: Some((x(), Relation::Edit)) });
    }

    #[test]
    fn sounding_alike_matters_only_where_a_code_would_be_issued() {
        let known = Facts { sounds_like: Some(y()), ..facts(Some(x()), Carried::Nothing, CodeStanding::Unknown) };
        assert_eq!(decide(&known, &Request::default()), Action::Reuse(x()));
        let carrying = Facts { sounds_like: Some(x()), ..facts(None, carrying(y()), CodeStanding::Unknown) };
        assert_eq!(decide(&carrying, &Request::default()), Action::Adopt { isrc: y(), write: false });
        let malformed = Facts {
            sounds_like: Some(x()),
            ..facts(None, Carried::Malformed(vec!["bad".into()]), CodeStanding::Unknown)
        };
        assert!(matches!(decide(&malformed, &Request::default()), Action::Conflict(Conflict::Malformed(_))));
    }

    #[test]
    fn new_audio_carrying_an_unknown_code_adopts_it() {
        let f = facts(None, carrying(y()), CodeStanding::Unknown);
        assert_eq!(decide(&f, &Request::default()), Action::Adopt { isrc: y(), write: false });
        let partial = facts(None, Carried::Code { isrc: y(), complete: false }, CodeStanding::NoAudio);
        assert_eq!(decide(&partial, &Request::default()), Action::Adopt { isrc: y(), write: true });
    }

    #[test]
    fn new_audio_carrying_a_code_of_other_audio_is_a_conflict_unless_linked() {
        let f = facts(None, carrying(y()), CodeStanding::OtherAudio);
        assert_eq!(decide(&f, &Request::default()), Action::Conflict(Conflict::CodeOnOtherAudio(y())));
        let link = Request { same_recording_as: Some(y()), ..Request::default() };
        assert_eq!(decide(&f, &link), Action::Link(y()));
    }

    #[test]
    fn malformed_or_disagreeing_tags_are_conflicts_whatever_the_ledger_says() {
        for known in [None, Some(x())] {
            let bad = facts(known, Carried::Malformed(vec!["USPR3730001O".into()]), CodeStanding::Unknown);
            assert!(matches!(decide(&bad, &Request::default()), Action::Conflict(Conflict::Malformed(_))));
            let split = facts(known, Carried::Disagree(vec![x(), y()]), CodeStanding::Unknown);
            let fix = Request { fix: true, ..Request::default() };
            assert!(matches!(decide(&split, &fix), Action::Conflict(Conflict::LocationsDisagree(_))));
        }
    }

    #[test]
    fn a_void_code_is_never_adopted() {
        let f = facts(None, carrying(y()), CodeStanding::Void);
        assert_eq!(decide(&f, &Request::default()), Action::Conflict(Conflict::VoidCode(y())));
    }

    #[test]
    fn requests_that_contradict_the_ledger_are_conflicts() {
        let known = facts(Some(x()), Carried::Nothing, CodeStanding::Unknown);
        let link_other = Request { same_recording_as: Some(y()), ..Request::default() };
        assert!(matches!(decide(&known, &link_other), Action::Conflict(Conflict::Contradiction(_))));
        let version = Request { new_version_of: Some((y(), Relation::Remix)), ..Request::default() };
        assert!(matches!(decide(&known, &version), Action::Conflict(Conflict::Contradiction(_))));
        let carrying_y = facts(None, carrying(y()), CodeStanding::Unknown);
        let link_x = Request { same_recording_as: Some(x()), ..Request::default() };
        assert!(matches!(decide(&carrying_y, &link_x), Action::Conflict(Conflict::Contradiction(_))));
        // Linking to the code the audio already has is simply a reuse.
        let link_same = Request { same_recording_as: Some(x()), ..Request::default() };
        assert_eq!(decide(&known, &link_same), Action::Reuse(x()));
    }
}
