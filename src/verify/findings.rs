//! The checks `verify` runs before pressing, as pure functions of what was read.
//!
//! Each finding has a stable id (scripts match on it), a severity and a message that
//! names the file. File checks look at one file and what the ledger says about it; set
//! checks look across the files of one run; carrier checks add the Red Book limits for
//! a CD. Finding ids: `missing-isrc`, `invalid-isrc`, `locations-disagree`,
//! `multiple-values`, `unknown-country` (warning), `not-in-ledger`, `ledger-mismatch`,
//! `code-on-other-audio`, `void-code`, `link-contradicted`, `duplicate-code-in-set`,
//! `split-recording-in-set`,
//! `audio-corrupt`, `cuesheet-disagrees`, `unreadable`, and with `--carrier cd`:
//! `cd-sample-rate`, `cd-bit-depth`, `cd-channels`, `cd-track-too-short`,
//! `cd-too-many-tracks`, `cd-too-long`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::carrier::ProblemId;
use crate::container::{TagPlace, TagReport, carried};
use crate::isrc::Isrc;
use crate::ledger::{FileFacts, Status};

/// How serious a finding is: errors fail `verify` (exit 1), warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    /// Must be fixed before pressing.
    Error,
    /// Worth a look.
    Warning,
}

crate::carrier::id_enum! {
    /// The stable id of a [`Finding`] (scripts match on it). A plan's or a DDP image's
    /// problem is carried as its [`ProblemId`], with that id's word.
    pub(crate) enum FindingId {
        /// The file carries no code.
        MissingIsrc = "missing-isrc",
        /// The file carries a code that is not valid.
        InvalidIsrc = "invalid-isrc",
        /// The file's tag locations hold different codes.
        LocationsDisagree = "locations-disagree",
        /// One location holds several codes.
        MultipleValues = "multiple-values",
        /// The code's country is not one the IFPI assigned (a warning).
        UnknownCountry = "unknown-country",
        /// The code is not in the ledger.
        NotInLedger = "not-in-ledger",
        /// The ledger has another code for this audio (a retagged duplicate).
        LedgerMismatch = "ledger-mismatch",
        /// The ledger ties the code to other audio.
        CodeOnOtherAudio = "code-on-other-audio",
        /// The code is void in the ledger.
        VoidCode = "void-code",
        /// The ledger binds the audio to a code whose reference audio it does not sound like.
        LinkContradicted = "link-contradicted",
        /// Two recordings of the set carry one code.
        DuplicateCodeInSet = "duplicate-code-in-set",
        /// One recording of the set carries different codes.
        SplitRecordingInSet = "split-recording-in-set",
        /// The audio does not decode, or does not match its MD5.
        AudioCorrupt = "audio-corrupt",
        /// An embedded cue sheet gives another code.
        CuesheetDisagrees = "cuesheet-disagrees",
        /// The file cannot be read.
        Unreadable = "unreadable",
        /// A format isrc-stamp does not read (a warning).
        NotChecked = "not-checked",
        /// Not 44.1 kHz (`--carrier cd`).
        CdSampleRate = "cd-sample-rate",
        /// Not 16-bit (`--carrier cd`).
        CdBitDepth = "cd-bit-depth",
        /// Not stereo (`--carrier cd`).
        CdChannels = "cd-channels",
        /// Shorter than 4 seconds (`--carrier cd`).
        CdTrackTooShort = "cd-track-too-short",
        /// More than 99 tracks (`--carrier cd`).
        CdTooManyTracks = "cd-too-many-tracks",
        /// Longer than the disc's limit (`--carrier cd`).
        CdTooLong = "cd-too-long",
        /// A track of the image carries no code.
        DdpIsrcMissing = "ddp-isrc-missing",
        /// The ledger or the master has another code for a track.
        DdpIsrcMismatch = "ddp-isrc-mismatch",
        /// A track's code is not in the ledger.
        DdpNotInLedger = "ddp-not-in-ledger",
        /// A track's code is void in the ledger.
        DdpVoidCode = "ddp-void-code",
        /// The CD-Text title or performer is not the ledger's or the master's (a warning).
        DdpCdtextDisagrees = "ddp-cdtext-disagrees",
        /// No master under `--masters` matches a track.
        DdpNoMaster = "ddp-no-master",
        /// A track and its master are one recording by sound only (a warning).
        DdpAudioDiffers = "ddp-audio-differs",
        /// A master under `--masters` is on no track (a warning).
        DdpMasterNotOnDisc = "ddp-master-not-on-disc",
        /// A problem of the disc plan or the DDP image (`ddp-checksum`,
        /// `redbook-track-count`, ...), under its [`ProblemId`]'s word.
        Carrier(ProblemId),
    }
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Finding {
    /// The stable finding id.
    pub id: FindingId,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, naming the file.
    pub message: String,
}

impl Finding {
    fn error(id: FindingId, message: String) -> Self {
        Finding { id, severity: Severity::Error, message }
    }

    fn warning(id: FindingId, message: String) -> Self {
        Finding { id, severity: Severity::Warning, message }
    }
}

/// What the ledger says about a file (absent when verifying without a ledger).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LedgerView {
    /// The code the ledger ties to the file's audio id.
    pub code_for_audio: Option<Isrc>,
    /// Whether the file's code is in the ledger.
    pub code_known: bool,
    /// Whether the file's code is void in the ledger.
    pub code_void: bool,
    /// Whether the file's code is bound to other audio ids (and not to this one).
    pub code_on_other_audio: bool,
}

impl From<&FileFacts> for LedgerView {
    fn from(facts: &FileFacts) -> Self {
        let code = &facts.carried;
        LedgerView {
            code_for_audio: facts.code_for_audio,
            code_known: code.status.is_some(),
            code_void: code.status == Some(Status::Void),
            code_on_other_audio: code.bound_elsewhere && !code.bound_here,
        }
    }
}

/// The code a file carries, when its tags agree on one valid code (whatever the
/// locations: the answer does not depend on which the format writes).
pub(crate) fn single_code(tags: &TagReport) -> Option<Isrc> {
    carried(tags, &[]).single_code()
}

/// The checks of one file's tags and, if given, of what the ledger says about it.
pub(crate) fn file_findings(
    name: &str,
    tags: &TagReport,
    md5_ok: Option<bool>,
    ledger: Option<&LedgerView>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if md5_ok == Some(false) {
        findings.push(Finding::error(
            FindingId::AudioCorrupt,
            format!("{name}: the decoded audio does not match the MD5 stored in STREAMINFO: the file is corrupt"),
        ));
    }
    tag_findings(name, tags, ledger.and_then(|view| view.code_for_audio), &mut findings);
    if let (Some(ledger), Some(code)) = (ledger, single_code(tags)) {
        ledger_findings(name, code, ledger, &mut findings);
    }
    findings
}

/// The checks of the tags alone; `held` is the code the ledger binds the file's audio
/// to, which a `missing-isrc` names.
fn tag_findings(name: &str, tags: &TagReport, held: Option<Isrc>, findings: &mut Vec<Finding>) {
    if tags.isrcs.is_empty() {
        let message = match held {
            Some(code) => format!(
                "{name}: no ISRC in any tag location; the ledger holds {code} for this audio (`isrc-stamp assign` \
                 writes it)"
            ),
            None => format!("{name}: no ISRC in any tag location"),
        };
        findings.push(Finding::error(FindingId::MissingIsrc, message));
        return;
    }
    let mut per_location: BTreeMap<&TagPlace, Vec<&str>> = BTreeMap::new();
    for found in &tags.isrcs {
        per_location.entry(&found.location).or_default().push(&found.value);
        match Isrc::parse(&found.value) {
            Err(e) => findings.push(Finding::error(
                FindingId::InvalidIsrc,
                format!("{name}: {} holds {:?}, not a valid ISRC: {e}", found.location, found.value),
            )),
            Ok(code) => {
                for warning in code.warnings() {
                    findings.push(Finding::warning(FindingId::UnknownCountry, format!("{name}: {code}: {warning}")));
                }
            }
        }
    }
    for (location, values) in &per_location {
        if values.len() > 1 {
            findings.push(Finding::error(
                FindingId::MultipleValues,
                format!("{name}: {location} holds {} values ({}); it must hold one", values.len(), values.join(", ")),
            ));
        }
    }
    let codes = |cue: bool| -> Vec<Isrc> {
        let mut codes: Vec<Isrc> = tags
            .isrcs
            .iter()
            .filter(|f| matches!(f.location, TagPlace::FlacCuesheetTrack(_)) == cue)
            .filter_map(|f| Isrc::parse(&f.value).ok())
            .collect();
        codes.sort();
        codes.dedup();
        codes
    };
    let (tag_codes, cue_codes) = (codes(false), codes(true));
    if tag_codes.len() > 1 {
        let list: Vec<&str> = tag_codes.iter().map(Isrc::as_str).collect();
        findings.push(Finding::error(
            FindingId::LocationsDisagree,
            format!("{name}: tag locations disagree: {}", list.join(" vs ")),
        ));
    }
    if let Some(code) = tag_codes.first()
        && cue_codes.iter().any(|cue| cue != code)
    {
        let list: Vec<&str> = cue_codes.iter().map(Isrc::as_str).collect();
        findings.push(Finding::error(
            FindingId::CuesheetDisagrees,
            format!("{name}: the FLAC cue sheet says {} but the tags say {code}", list.join(", ")),
        ));
    }
}

fn ledger_findings(name: &str, code: Isrc, ledger: &LedgerView, findings: &mut Vec<Finding>) {
    if ledger.code_void {
        findings.push(Finding::error(
            FindingId::VoidCode,
            format!("{name}: {code} is void in the ledger and must not be used"),
        ));
    }
    match ledger.code_for_audio {
        Some(known) if known != code => findings.push(Finding::error(
            FindingId::LedgerMismatch,
            format!("{name}: the ledger has this audio as {known} but the file carries {code} (a retagged duplicate)"),
        )),
        Some(_) => {}
        None if ledger.code_on_other_audio => findings.push(Finding::error(
            FindingId::CodeOnOtherAudio,
            format!("{name}: {code} belongs to other audio in the ledger"),
        )),
        None if !ledger.code_known => {
            findings.push(Finding::error(FindingId::NotInLedger, format!("{name}: {code} is not in the ledger")))
        }
        None => {}
    }
}

/// What the sound says of a file's binding to its code: its audio compared, by the
/// fingerprints the ledger stores, with the recording's reference audio (its best
/// source). Gathered only where both fingerprints could tell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LinkEvidence {
    /// The code the ledger binds the file's audio to.
    pub code: Isrc,
    /// Where the reference audio was first seen.
    pub reference_path: String,
    /// The comparison's verdict.
    pub verdict: crate::acoustic::Verdict,
    /// The bit error rate of the best alignment.
    pub ber: f64,
}

/// `link-contradicted`: audio bound to a code that does not sound like the code's
/// reference audio (a link forced against the sound, or an edit linked as the same
/// recording). Nothing when the sound agrees.
pub(crate) fn link_findings(name: &str, evidence: &LinkEvidence) -> Option<Finding> {
    use crate::acoustic::Verdict;
    let LinkEvidence { code, reference_path, verdict, ber } = evidence;
    let why = match verdict {
        Verdict::SameRecording => return None,
        Verdict::LikelyEdit => "it is likely an edit of it, and an edit needs its own code",
        Verdict::NoMatch => "it does not sound like it",
    };
    Some(Finding::error(
        FindingId::LinkContradicted,
        format!(
            "{name}: the ledger binds this audio to {code}, but {why} (compared with {code}'s reference audio \
             {reference_path}: bit error rate {ber:.3}); undo the link with `isrc-stamp ledger unlink` and give the \
             file its own code with `isrc-stamp assign --fix`"
        ),
    ))
}

/// One file as the set checks see it.
#[derive(Debug, Clone)]
pub(crate) struct SetMember<'a> {
    /// The file's name as reported.
    pub name: &'a str,
    /// Its audio id.
    pub audio_id: &'a str,
    /// The code its tags agree on.
    pub code: Option<Isrc>,
    /// The code the ledger binds its audio id to (verifying with a ledger).
    pub ledger_code: Option<Isrc>,
    /// Which recording it is by sound: members with one number are one recording (the
    /// same audio id, or acoustic same-recording matches; edits are apart).
    pub recording: usize,
    /// How its audio was kept (for the rule of another encoding).
    pub source: crate::assign::policy::Source,
}

/// Findings across the files of one run, as (index into `members`, finding).
///
/// One code on different audio in the set (`duplicate-code-in-set`) is what one
/// recording in several encodings looks like too, so it is a finding only where
/// nothing vouches for it: with a ledger, for the files whose audio the ledger does
/// not bind to that code; without one, when the files carrying the code are not all
/// one recording by sound (an edit sharing its album track's code still is), and for
/// every file that is not another encoding of the best source carrying the code (the
/// one rule of `assign`, [`crate::assign::policy::is_another_encoding`]): a lossless
/// file at its rate and depth with other samples is a remaster or another mix, which
/// only the registrant (and so the ledger) can call the same recording.
pub(crate) fn set_findings(members: &[SetMember<'_>], with_ledger: bool) -> Vec<(usize, Finding)> {
    let mut findings = Vec::new();
    let mut by_code: BTreeMap<Isrc, Vec<usize>> = BTreeMap::new();
    let mut by_audio: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, member) in members.iter().enumerate() {
        by_audio.entry(member.audio_id).or_default().push(i);
        if let Some(code) = member.code {
            by_code.entry(code).or_default().push(i);
        }
    }
    for (code, group) in &by_code {
        let audios: std::collections::BTreeSet<&str> = group.iter().map(|&i| members[i].audio_id).collect();
        let recordings: std::collections::BTreeSet<usize> = group.iter().map(|&i| members[i].recording).collect();
        if audios.len() > 1 {
            use crate::assign::policy::{Source, is_another_encoding};
            // On a tie, the first in walk order.
            let reference = group.iter().copied().rev().max_by_key(|&i| members[i].source.rank());
            let same_format = |i: usize| {
                reference.is_some_and(|r| {
                    members[i].audio_id != members[r].audio_id
                        && !is_another_encoding(&members[i].source, &members[r].source)
                })
            };
            let unvouched = group.iter().filter(|&&i| {
                if with_ledger { members[i].ledger_code != Some(*code) } else { recordings.len() > 1 || same_format(i) }
            });
            for &i in unvouched {
                let others = names(members, group, i);
                let mut message = format!("{}: {code} is also on different audio: {others}", members[i].name);
                if !with_ledger && recordings.len() == 1 && same_format(i) {
                    let Source { sample_rate, bits, .. } = members[i].source;
                    message.push_str(&format!(
                        " (lossless {sample_rate} Hz {bits}-bit with other samples than {}: a remaster or another mix \
                         carrying the same code? only the registrant can say; verify with the ledger)",
                        reference.map_or("", |r| members[r].name)
                    ));
                }
                findings.push((i, Finding::error(FindingId::DuplicateCodeInSet, message)));
            }
        }
    }
    for group in by_audio.values() {
        let codes: std::collections::BTreeSet<Isrc> = group.iter().filter_map(|&i| members[i].code).collect();
        if codes.len() > 1 {
            let list: Vec<&str> = codes.iter().map(Isrc::as_str).collect();
            for &i in group {
                let others = names(members, group, i);
                findings.push((
                    i,
                    Finding::error(
                        FindingId::SplitRecordingInSet,
                        format!(
                            "{}: the same audio carries {} in this set ({others})",
                            members[i].name,
                            list.join(" and ")
                        ),
                    ),
                ));
            }
        }
    }
    findings
}

fn names(members: &[SetMember<'_>], group: &[usize], except: usize) -> String {
    group.iter().filter(|&&j| j != except).map(|&j| members[j].name).collect::<Vec<_>>().join(", ")
}

/// Red Book limits for a CD.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CdLimits {
    /// Longest total playing time, in seconds (79:57 by default).
    pub max_total_seconds: f64,
}

impl Default for CdLimits {
    fn default() -> Self {
        CdLimits { max_total_seconds: 79.0 * 60.0 + 57.0 }
    }
}

/// The stream of one track, for the CD checks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TrackStream {
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Bits per sample.
    pub bits: u16,
    /// Channels.
    pub channels: u16,
    /// Integer samples.
    pub integer: bool,
    /// Duration in seconds.
    pub seconds: f64,
}

/// The CD checks of one track.
pub(crate) fn cd_track_findings(name: &str, track: &TrackStream) -> Vec<Finding> {
    let mut findings = Vec::new();
    if track.sample_rate != 44_100 {
        findings.push(Finding::error(
            FindingId::CdSampleRate,
            format!("{name}: {} Hz; a CD needs 44100 Hz", track.sample_rate),
        ));
    }
    if track.bits != 16 || !track.integer {
        let kind = if track.integer { "integer" } else { "float" };
        findings.push(Finding::error(
            FindingId::CdBitDepth,
            format!("{name}: {}-bit {kind}; a CD needs 16-bit", track.bits),
        ));
    }
    if track.channels != 2 {
        findings
            .push(Finding::error(FindingId::CdChannels, format!("{name}: {} channels; a CD needs 2", track.channels)));
    }
    if track.seconds < 4.0 {
        findings.push(Finding::error(
            FindingId::CdTrackTooShort,
            format!("{name}: {:.3} s; a CD track lasts at least 4 s", track.seconds),
        ));
    }
    findings
}

/// The CD checks of the whole set.
pub(crate) fn cd_set_findings(tracks: &[TrackStream], limits: &CdLimits) -> Vec<Finding> {
    let mut findings = Vec::new();
    if tracks.len() > 99 {
        findings.push(Finding::error(
            FindingId::CdTooManyTracks,
            format!("{} tracks; a CD holds at most 99", tracks.len()),
        ));
    }
    let total: f64 = tracks.iter().map(|t| t.seconds).sum();
    if total > limits.max_total_seconds {
        findings.push(Finding::error(
            FindingId::CdTooLong,
            format!(
                "total playing time {}; the limit is {}",
                crate::output::duration(total),
                crate::output::duration(limits.max_total_seconds)
            ),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assign::policy::Source;
    use crate::container::FoundIsrc;

    fn tags(found: &[(TagPlace, &str)]) -> TagReport {
        TagReport {
            isrcs: found
                .iter()
                .map(|(location, value)| FoundIsrc { location: location.clone(), value: (*value).into() })
                .collect(),
            ..TagReport::default()
        }
    }

    fn ids(findings: &[Finding]) -> Vec<FindingId> {
        findings.iter().map(|f| f.id).collect()
    }

    const X: &str = "USPR37300012";
    const Y: &str = "GBBBB9905305";

    fn code(text: &str) -> Isrc {
        Isrc::parse(text).unwrap()
    }

    #[test]
    fn a_clean_file_has_no_findings() {
        let both = tags(&[(TagPlace::Id3v2Tsrc, X), (TagPlace::RiffInfoIsrc, X)]);
        assert!(file_findings("a.wav", &both, None, None).is_empty());
        let ledger = LedgerView { code_for_audio: Some(code(X)), code_known: true, ..LedgerView::default() };
        assert!(file_findings("a.wav", &both, Some(true), Some(&ledger)).is_empty());
    }

    #[test]
    fn tag_findings_each_have_their_id() {
        assert_eq!(ids(&file_findings("a", &tags(&[]), None, None)), [FindingId::MissingIsrc]);
        assert_eq!(
            ids(&file_findings("a", &tags(&[(TagPlace::VorbisIsrc, "USPR3730001O")]), None, None)),
            [FindingId::InvalidIsrc]
        );
        let split = tags(&[(TagPlace::Id3v2Tsrc, X), (TagPlace::RiffInfoIsrc, Y)]);
        assert_eq!(ids(&file_findings("a", &split, None, None)), [FindingId::LocationsDisagree]);
        let twice = tags(&[(TagPlace::Id3v2Tsrc, X), (TagPlace::Id3v2Tsrc, Y)]);
        assert_eq!(
            ids(&file_findings("a", &twice, None, None)),
            [FindingId::MultipleValues, FindingId::LocationsDisagree]
        );
        let unknown = file_findings("a", &tags(&[(TagPlace::VorbisIsrc, "QX1234567890")]), None, None);
        assert_eq!(ids(&unknown), [FindingId::UnknownCountry]);
        assert_eq!(unknown[0].severity, Severity::Warning);
        let cue = tags(&[(TagPlace::VorbisIsrc, X), (TagPlace::FlacCuesheetTrack(1), Y)]);
        assert_eq!(ids(&file_findings("a", &cue, None, None)), [FindingId::CuesheetDisagrees]);
        let cue_agrees = tags(&[(TagPlace::VorbisIsrc, X), (TagPlace::FlacCuesheetTrack(1), X)]);
        assert!(file_findings("a", &cue_agrees, None, None).is_empty());
        assert_eq!(
            ids(&file_findings("a", &tags(&[(TagPlace::VorbisIsrc, X)]), Some(false), None)),
            [FindingId::AudioCorrupt]
        );
    }

    #[test]
    fn ledger_findings_each_have_their_id() {
        let file = tags(&[(TagPlace::VorbisIsrc, X)]);
        let check = |view: LedgerView| ids(&file_findings("a", &file, None, Some(&view)));
        assert_eq!(check(LedgerView::default()), [FindingId::NotInLedger]);
        assert_eq!(
            check(LedgerView { code_for_audio: Some(code(Y)), ..LedgerView::default() }),
            [FindingId::LedgerMismatch]
        );
        assert_eq!(
            check(LedgerView { code_known: true, code_on_other_audio: true, ..LedgerView::default() }),
            [FindingId::CodeOnOtherAudio]
        );
        assert_eq!(
            check(LedgerView {
                code_for_audio: Some(code(X)),
                code_known: true,
                code_void: true,
                ..LedgerView::default()
            }),
            [FindingId::VoidCode]
        );
        assert!(check(LedgerView { code_known: true, ..LedgerView::default() }).is_empty());
    }

    #[test]
    fn set_findings_catch_one_code_on_two_audios_and_two_codes_on_one() {
        let member = |name, audio_id: &'static str, c: Option<&str>| SetMember {
            name,
            audio_id,
            code: c.map(code),
            ledger_code: None,
            recording: audio_id.parse().unwrap(),
            source: WAV,
        };
        let members = [
            member("a", "1", Some(X)),
            member("b", "2", Some(X)),
            member("c", "3", Some(Y)),
            member("d", "3", Some(X)),
        ];
        let found = set_findings(&members, false);
        let dup: Vec<usize> =
            found.iter().filter(|(_, f)| f.id == FindingId::DuplicateCodeInSet).map(|(i, _)| *i).collect();
        assert_eq!(dup, [0, 1, 3]);
        let split: Vec<usize> =
            found.iter().filter(|(_, f)| f.id == FindingId::SplitRecordingInSet).map(|(i, _)| *i).collect();
        assert_eq!(split, [2, 3]);
        let clean = [member("a", "1", Some(X)), member("b", "1", Some(X)), member("c", "2", None)];
        assert!(set_findings(&clean, false).is_empty());
    }

    #[test]
    fn one_code_on_several_encodings_of_one_recording_is_no_finding() {
        let member = |name: &'static str, audio_id: &'static str, recording, ledger_code: Option<&str>| SetMember {
            name,
            audio_id,
            code: Some(code(X)),
            ledger_code: ledger_code.map(code),
            recording,
            source: if name.ends_with(".mp3") { MP3 } else { WAV },
        };
        // Without a ledger: a master and its MP3 are one recording by sound; an edit is not.
        let encodes = [member("m.wav", "1", 1, None), member("m.mp3", "2", 1, None)];
        assert!(set_findings(&encodes, false).is_empty());
        let with_edit = [member("m.wav", "1", 1, None), member("m.mp3", "2", 1, None), member("e.wav", "3", 3, None)];
        let flagged: Vec<usize> = set_findings(&with_edit, false).iter().map(|(i, _)| *i).collect();
        assert_eq!(flagged, [0, 1, 2]);
        // With a ledger: the files whose audio it binds to the code are vouched for.
        let bound = [member("m.wav", "1", 1, Some(X)), member("m.mp3", "2", 2, Some(X)), member("o.wav", "3", 3, None)];
        let flagged: Vec<usize> = set_findings(&bound, true).iter().map(|(i, _)| *i).collect();
        assert_eq!(flagged, [2]);
    }

    const WAV: Source = Source { lossless: true, sample_rate: 44_100, bits: 16, frames: 44_100 * 200 };
    const MP3: Source = Source { lossless: false, sample_rate: 44_100, bits: 32, frames: 44_100 * 200 };

    #[test]
    fn without_a_ledger_a_lossless_copy_with_other_samples_sharing_the_code_is_a_finding() {
        let member = |name, audio_id, source| SetMember {
            name,
            audio_id,
            code: Some(code(X)),
            ledger_code: None,
            recording: 1,
            source,
        };
        let hires = Source { sample_rate: 96_000, bits: 24, frames: 96_000 * 200, ..WAV };
        // One recording by sound: the master, its CD copy, its MP3, and the master again
        // with its gain changed (the same format, other samples).
        let set = [
            member("m.wav", "1", hires),
            member("cd.wav", "2", WAV),
            member("m.mp3", "3", MP3),
            member("m-louder.wav", "4", hires),
        ];
        let found = set_findings(&set, false);
        let flagged: Vec<usize> = found.iter().map(|(i, _)| *i).collect();
        assert_eq!(flagged, [3], "{found:?}");
        assert!(found[0].1.message.contains("remaster or another mix"), "{}", found[0].1.message);
    }

    #[test]
    fn cd_checks_follow_the_red_book() {
        let good = TrackStream { sample_rate: 44_100, bits: 16, channels: 2, integer: true, seconds: 4.0 };
        assert!(cd_track_findings("t", &good).is_empty());
        let bad = TrackStream { sample_rate: 96_000, bits: 24, channels: 1, integer: true, seconds: 3.9 };
        assert_eq!(
            ids(&cd_track_findings("t", &bad)),
            [FindingId::CdSampleRate, FindingId::CdBitDepth, FindingId::CdChannels, FindingId::CdTrackTooShort]
        );
        let limits = CdLimits::default();
        assert!(cd_set_findings(&vec![good; 99], &limits).is_empty());
        assert_eq!(ids(&cd_set_findings(&vec![good; 100], &limits)), [FindingId::CdTooManyTracks]);
        let long = TrackStream { seconds: 40.0 * 60.0, ..good };
        assert_eq!(ids(&cd_set_findings(&[long, long], &limits)), [FindingId::CdTooLong]);
        assert!(cd_set_findings(&[long, long], &CdLimits { max_total_seconds: 81.0 * 60.0 }).is_empty());
    }
}

#[cfg(test)]
mod id_tests {
    use super::{FindingId, ProblemId};

    /// Every finding id keeps the word `verify --json` prints, and reads back.
    #[test]
    fn finding_ids_keep_their_words() {
        let words: Vec<&str> = FindingId::ALL.iter().map(|id| id.as_str()).collect();
        assert_eq!(
            words,
            [
                "missing-isrc",
                "invalid-isrc",
                "locations-disagree",
                "multiple-values",
                "unknown-country",
                "not-in-ledger",
                "ledger-mismatch",
                "code-on-other-audio",
                "void-code",
                "link-contradicted",
                "duplicate-code-in-set",
                "split-recording-in-set",
                "audio-corrupt",
                "cuesheet-disagrees",
                "unreadable",
                "not-checked",
                "cd-sample-rate",
                "cd-bit-depth",
                "cd-channels",
                "cd-track-too-short",
                "cd-too-many-tracks",
                "cd-too-long",
                "ddp-isrc-missing",
                "ddp-isrc-mismatch",
                "ddp-not-in-ledger",
                "ddp-void-code",
                "ddp-cdtext-disagrees",
                "ddp-no-master",
                "ddp-audio-differs",
                "ddp-master-not-on-disc",
            ]
            .into_iter()
            // Then the carrier's, in ProblemId's order (carrier::problem's test pins them).
            .chain(ProblemId::ALL.iter().map(|id| id.as_str()))
            .collect::<Vec<_>>()
        );
        for &id in FindingId::ALL {
            assert_eq!(id.as_str().parse::<FindingId>(), Ok(id));
            assert_eq!(id.to_string(), id.as_str());
            assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{}\"", id.as_str()));
        }
        assert!("void_code".parse::<FindingId>().is_err());
    }

    /// A DDP image's problem becomes the finding with the same word, and no finding of
    /// `verify`'s own takes that word from it.
    #[test]
    fn problems_become_findings_with_their_words() {
        for &problem in ProblemId::ALL {
            let finding = FindingId::from(problem);
            assert_eq!(finding, FindingId::Carrier(problem));
            assert_eq!(finding.as_str(), problem.as_str());
            assert_eq!(problem.as_str().parse::<FindingId>(), Ok(finding));
            assert_eq!(FindingId::ALL.iter().filter(|id| id.as_str() == problem.as_str()).count(), 1, "{problem}");
        }
    }
}
