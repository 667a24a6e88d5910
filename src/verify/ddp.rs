//! Verify of a DDP image (`verify DDPDIR [--masters DIR]`): the image's structure,
//! checksums and Red Book rules ([`crate::carrier::ddp::read_image_with`]), then each
//! track's audio identified and its ISRC judged against the ledger and the masters.
//!
//! A track's audio runs from its INDEX 01 to the next track's first index or the
//! lead-out, a whole number of sectors: the writer padded its last sector with silence.
//! So a track's audio id is not one value but one per possible padding: the audio id
//! (16-bit stereo 44.1 kHz header) of its PCM less `k` trailing zero samples, for every
//! `k` from 0 up to the zero samples that end its last sector (at most 587, since a
//! master fills at least one sample of its last sector). The master's own length picks
//! which `k` is its; no other audio can match, since any sample it differs in changes
//! the hash. The ids are computed in the same pass over `IMAGE.DAT` as its MD5 (the
//! hasher's state is kept at the start of each track's last sector), and each is looked
//! up in the ledger (one index seek). A track found by none is fingerprinted (a second,
//! partial read of that track alone) and looked up by sound, as `assign` does.
//!
//! `--masters DIR`: each track is matched to a master file under DIR, by the same
//! audio ids, else by sound, and must carry that master's code.
//!
//! Finding ids: the image's (`ddp-structure`, `ddp-checksum`, `ddp-checksum-missing`
//! (warning), `ddp-catalog-invalid`, `ddp-catalog-mismatch`, `ddp-isrc-invalid`,
//! `ddp-isrc-duplicate`, `ddp-cdtext`, `redbook-track-length`, `redbook-pregap`,
//! `redbook-total-length`, `redbook-track-count`), and per track `ddp-isrc-missing`,
//! `ddp-isrc-mismatch` (the ledger, or the master, has another code for this audio),
//! `ddp-void-code`, `ddp-not-in-ledger`, `ddp-no-master`, `ddp-audio-differs` (warning:
//! the master matched by sound only, not sample for sample) and `ddp-cdtext-disagrees`
//! (warning: the CD-Text title or performer is not the ledger's or the master's).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::findings::{CdLimits, Finding, FindingId, Severity};
use super::{FileReport, Summary, SummaryCounts, Verified};
use crate::acoustic::{self, Verdict};
use crate::audio::AnalyzeOptions;
use crate::base::ids::{AudioId, Fingerprint};
use crate::carrier::ddp::tracks::{Candidate, Tracks, track_fingerprint};
use crate::carrier::ddp::{
    CdText, DdpImage, DdpTrack, MAX_TRACKS, ReadError, SAMPLES_PER_SECTOR, SECTORS_PER_SECOND, read_image_with,
};
use crate::carrier::{Problem, ProblemId};
use crate::container;
use crate::isrc::Isrc;
use crate::ledger::{Ledger, LedgerError, Status};
use crate::scan;

/// What `verify DDPDIR` was asked to do.
#[derive(Debug, Clone)]
pub(crate) struct DdpOptions {
    /// The image's folder.
    pub image: PathBuf,
    /// `--masters DIR`.
    pub masters: Option<PathBuf>,
    /// The longest playing time allowed.
    pub cd_limits: CdLimits,
    /// Files decoded at once (the masters).
    pub jobs: usize,
    /// No progress.
    pub quiet: bool,
}

/// How a track's audio was found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum MasterMatch {
    /// Sample for sample (with this many zero samples of padding left out).
    Samples(u64),
    /// By sound only, with this bit error rate.
    Sound(f64),
}

/// What the ledger says about a track.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LedgerSide {
    /// The code the ledger has for the track's audio, and how the audio was found.
    pub identified: Option<(Isrc, MasterMatch)>,
    /// The status of the PQ code, `None` when the ledger does not have it.
    pub pq_code_status: Option<Status>,
    /// The title and artist of the recording (the identified one, else the PQ code's).
    pub text: (Option<String>, Option<String>),
}

/// The master a track was matched to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MasterSide {
    /// The master's path.
    pub path: String,
    /// The code it carries.
    pub code: Option<Isrc>,
    /// How it was matched.
    pub matched: MasterMatch,
    /// Its tags' title and artist.
    pub text: (Option<String>, Option<String>),
}

/// Everything the checks of one track look at.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct TrackFacts {
    /// The track as reported: `DIR track 03`.
    pub name: String,
    /// The ISRC in the PQ data, as written.
    pub written: Option<String>,
    /// The ISRC in the PQ data, when valid.
    pub isrc: Option<Isrc>,
    /// What the ledger says, when there is a ledger.
    pub ledger: Option<LedgerSide>,
    /// `None` without `--masters`; `Some(None)` when no master matched.
    pub master: Option<Option<MasterSide>>,
    /// The CD-Text title and performer.
    pub cdtext: (Option<String>, Option<String>),
}

fn error(id: FindingId, message: String) -> Finding {
    Finding { id, severity: Severity::Error, message }
}

fn warning(id: FindingId, message: String) -> Finding {
    Finding { id, severity: Severity::Warning, message }
}

fn code_or_none(code: Option<Isrc>) -> String {
    code.map_or_else(|| "no ISRC".to_owned(), |c| c.to_string())
}

/// The checks of one track.
pub(crate) fn track_findings(facts: &TrackFacts) -> Vec<Finding> {
    let name = &facts.name;
    let mut findings = Vec::new();
    let known = facts.ledger.as_ref().and_then(|l| l.identified.as_ref()).map(|(code, _)| *code);
    if facts.written.is_none() {
        let hint = known.map(|code| format!(" (the ledger has {code} for this audio)")).unwrap_or_default();
        findings.push(error(FindingId::DdpIsrcMissing, format!("{name}: the PQ data gives no ISRC{hint}")));
    }
    if let Some(ledger) = &facts.ledger {
        if let Some(code) = facts.isrc
            && ledger.pq_code_status == Some(Status::Void)
        {
            findings.push(error(
                FindingId::DdpVoidCode,
                format!("{name}: {code} is void in the ledger and must not be pressed"),
            ));
        }
        match (&ledger.identified, facts.isrc) {
            (Some((code, _)), Some(pq)) if *code != pq => findings.push(error(
                FindingId::DdpIsrcMismatch,
                format!("{name}: the ledger has this audio as {code}, but the PQ data gives {pq}"),
            )),
            (Some(_), _) => {}
            (None, pq) => {
                let also = match (pq, ledger.pq_code_status) {
                    (Some(pq), Some(_)) => format!("; {pq} is in the ledger for other audio"),
                    (Some(pq), None) => format!("; {pq} is not in the ledger either"),
                    _ => String::new(),
                };
                findings.push(error(
                    FindingId::DdpNotInLedger,
                    format!(
                        "{name}: the ledger knows this audio neither by its samples nor by its sound{also}; \
                         assign its master and write the image again"
                    ),
                ));
            }
        }
        text_findings(name, "the ledger's", &facts.cdtext, &ledger.text, &mut findings);
    }
    match &facts.master {
        None => {}
        Some(None) => findings.push(error(
            FindingId::DdpNoMaster,
            format!("{name}: no master under --masters has this audio, by its samples or by its sound"),
        )),
        Some(Some(master)) => {
            if master.code != facts.isrc {
                findings.push(error(
                    FindingId::DdpIsrcMismatch,
                    format!(
                        "{name}: its master {} carries {}, but the PQ data gives {}",
                        master.path,
                        code_or_none(master.code),
                        code_or_none(facts.isrc)
                    ),
                ));
            }
            if let MasterMatch::Sound(ber) = master.matched {
                findings.push(warning(
                    FindingId::DdpAudioDiffers,
                    format!(
                        "{name}: the audio is not {}'s sample for sample, only the same recording by sound \
                         (bit error rate {ber:.3}): was the image made from another master?",
                        master.path
                    ),
                ));
            }
            let source = format!("its master's ({})", master.path);
            text_findings(name, &source, &facts.cdtext, &master.text, &mut findings);
        }
    }
    findings
}

/// A CD-Text title or performer that another source gives otherwise.
fn text_findings(
    name: &str,
    source: &str,
    cdtext: &(Option<String>, Option<String>),
    other: &(Option<String>, Option<String>),
    findings: &mut Vec<Finding>,
) {
    for (what, on_disc, theirs) in [("title", &cdtext.0, &other.0), ("performer", &cdtext.1, &other.1)] {
        if let (Some(on_disc), Some(theirs)) = (on_disc, theirs)
            && on_disc.trim() != theirs.trim()
        {
            findings.push(warning(
                FindingId::DdpCdtextDisagrees,
                format!("{name}: the CD-Text {what} is {on_disc:?}, {source} is {theirs:?}"),
            ));
        }
    }
}

/// The severity of a problem the image reader found.
fn severity(problem: &Problem) -> Severity {
    match problem.id {
        ProblemId::DdpChecksumMissing | ProblemId::DdpChecksumUnread => Severity::Warning,
        _ => Severity::Error,
    }
}

/// The Red Book limits of the disc as a whole.
fn disc_findings(dir: &str, image: &DdpImage, limits: &CdLimits) -> Vec<Finding> {
    let mut findings = Vec::new();
    if image.tracks.len() > MAX_TRACKS {
        let count = image.tracks.len();
        findings.push(error(
            FindingId::Carrier(ProblemId::RedbookTrackCount),
            format!("{dir}: {count} tracks; a CD holds at most {MAX_TRACKS}"),
        ));
    }
    let max = (limits.max_total_seconds * SECTORS_PER_SECOND as f64).round() as u64;
    if let Some(lead_out) = image.lead_out.filter(|&l| l > max) {
        findings.push(error(
            FindingId::Carrier(ProblemId::RedbookTotalLength),
            format!(
                "{dir}: the lead-out is at {}, past the limit of {}",
                crate::carrier::ddp::Msf::from_sectors(lead_out),
                crate::carrier::ddp::Msf::from_sectors(max)
            ),
        ));
    }
    findings
}

/// A master under `--masters`.
struct Master {
    path: String,
    audio_id: AudioId,
    code: Option<Isrc>,
    seconds: f64,
    text: (Option<String>, Option<String>),
    fingerprint: Option<Fingerprint>,
}

/// Scans the masters; the unreadable ones become findings.
fn read_masters(dir: &Path, options: &DdpOptions, findings: &mut Vec<Finding>) -> Vec<Master> {
    let analyze = AnalyzeOptions { skip_md5: true, ..AnalyzeOptions::default() };
    let scanned = scan::scan_with_options(&[dir.to_path_buf()], &analyze, options.jobs, options.quiet, "masters");
    let mut masters = Vec::new();
    for result in scanned {
        match result {
            Ok(file) => masters.push(Master {
                path: file.path.display().to_string(),
                code: container::carried(&file.tags, &[]).single_code(),
                seconds: file.audio.duration_seconds(),
                text: (file.tags.title.clone(), file.tags.artist.clone()),
                audio_id: file.audio.audio_id,
                fingerprint: None,
            }),
            Err(failed) => findings.push(error(
                FindingId::Unreadable,
                format!("{}: {} (a master under --masters)", failed.path.display(), failed.error),
            )),
        }
    }
    masters
}

/// The best match by sound among `prints` (recordings of `seconds`), if any is the same recording.
fn best_by_sound<'p>(
    print: &Fingerprint,
    seconds: f64,
    prints: impl Iterator<Item = (usize, &'p Fingerprint, f64)>,
) -> Option<(usize, f64)> {
    prints
        .map(|(i, other, other_seconds)| (i, acoustic::compare(other, other_seconds, print, seconds)))
        .filter(|(_, comparison)| comparison.verdict == Verdict::SameRecording)
        .map(|(i, comparison)| (i, comparison.ber().unwrap_or(1.0)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// Candidates compared in full when looking a track up by sound.
const SOUND_CANDIDATES: usize = 8;

/// One track's audio in the image: its candidate audio ids, and its fingerprint once
/// it is needed (read from the audio file then, at most once).
struct TrackAudio<'t> {
    track: &'t DdpTrack,
    audio_file: Option<&'t Path>,
    candidates: Vec<Candidate>,
    print: Option<Option<Fingerprint>>,
}

impl TrackAudio<'_> {
    /// The track's fingerprint (`None` when the audio is too short or unreadable).
    fn fingerprint(&mut self) -> Option<Fingerprint> {
        let (file, range) = (self.audio_file, self.track.image_bytes.as_ref());
        self.print.get_or_insert_with(|| track_fingerprint(file?, range?)).clone()
    }

    /// The track's duration with `trimmed` samples of padding left out.
    fn seconds(&self, trimmed: u64) -> f64 {
        (self.track.length() * SAMPLES_PER_SECTOR).saturating_sub(trimmed) as f64 / 44_100.0
    }
}

/// What the ledger says about a track: its audio looked up by every candidate audio id,
/// else by sound; the standing of its PQ code; the recording's text.
fn ledger_side(ledger: &mut dyn Ledger, audio: &mut TrackAudio<'_>) -> Result<LedgerSide, LedgerError> {
    let mut identified = None;
    for candidate in &audio.candidates {
        if let Some(code) = ledger.code_for_audio(&candidate.audio_id)? {
            identified = Some((code, MasterMatch::Samples(candidate.trimmed)));
            break;
        }
    }
    if identified.is_none()
        && !audio.candidates.is_empty()
        && let Some(print) = audio.fingerprint()
    {
        let found = ledger.fingerprint_candidates(&print.keys(), SOUND_CANDIDATES)?;
        let prints = found.iter().enumerate().map(|(i, c)| (i, &c.fingerprint, c.duration_seconds));
        identified =
            best_by_sound(&print, audio.seconds(0), prints).map(|(i, ber)| (found[i].isrc, MasterMatch::Sound(ber)));
    }
    let pq_code_status = match audio.track.isrc {
        Some(code) => ledger.recording(code)?.map(|r| r.status),
        None => None,
    };
    let text = match identified.as_ref().map(|(code, _)| *code).or(audio.track.isrc) {
        Some(code) => ledger.recording(code)?.map(|r| (r.title, r.artist)).unwrap_or_default(),
        None => (None, None),
    };
    Ok(LedgerSide { identified, pq_code_status, text })
}

/// The master a track holds (by its samples, else by sound), as an index into `masters`.
fn master_of(masters: &mut [Master], audio: &mut TrackAudio<'_>) -> Option<(usize, MasterMatch)> {
    let by_samples = audio.candidates.iter().find_map(|c| {
        let i = masters.iter().position(|m| m.audio_id == c.audio_id)?;
        Some((i, MasterMatch::Samples(c.trimmed)))
    });
    if by_samples.is_some() {
        return by_samples;
    }
    let print = audio.fingerprint()?;
    for master in masters.iter_mut().filter(|m| m.fingerprint.is_none()) {
        let analyze = AnalyzeOptions { fingerprint: true, skip_md5: true, threads: 1, meter: None };
        master.fingerprint =
            crate::audio::analyze_with(Path::new(&master.path), &analyze).ok().and_then(|a| a.fingerprint);
    }
    let prints = masters.iter().enumerate().filter_map(|(i, m)| Some((i, m.fingerprint.as_ref()?, m.seconds)));
    best_by_sound(&print, audio.seconds(0), prints).map(|(i, ber)| (i, MasterMatch::Sound(ber)))
}

/// Why `verify DDPDIR` could not run (its findings are no error).
#[derive(Debug, thiserror::Error)]
pub(crate) enum DdpVerifyError {
    /// The image could not be read.
    #[error(transparent)]
    Image(#[from] ReadError),
    /// The ledger could not be read.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// Runs `verify DDPDIR`; `ledger` is `None` when there is no ledger to compare with.
pub(crate) fn run<'l>(
    mut ledger: Option<&mut (dyn Ledger + 'l)>,
    options: &DdpOptions,
) -> Result<Verified, DdpVerifyError> {
    let dir = options.image.display().to_string();
    let mut tap = Tracks::default();
    let image = read_image_with(&options.image, Some(&mut tap))?;
    let audio_file = image.audio_file.as_ref().map(|name| options.image.join(name));
    let mut set_wide = Vec::new();
    let mut masters = options.masters.as_ref().map(|masters| read_masters(masters, options, &mut set_wide));
    let mut used_masters = vec![false; masters.as_ref().map_or(0, Vec::len)];
    let mut reports = Vec::new();
    for track in &image.tracks {
        let candidates = tap.cuts.iter().find(|(n, _)| *n == track.number).map(|(_, c)| c.candidates());
        let mut audio = TrackAudio {
            track,
            audio_file: audio_file.as_deref(),
            candidates: candidates.unwrap_or_default(),
            print: None,
        };
        let ledger_side = match ledger.as_deref_mut() {
            Some(ledger) => Some(ledger_side(ledger, &mut audio)?),
            None => None,
        };
        let matched = masters.as_mut().map(|masters| master_of(masters, &mut audio));
        let master_side = matched.as_ref().map(|matched| {
            let masters = masters.as_ref().expect("matched against the masters");
            matched.as_ref().map(|(i, how)| {
                used_masters[*i] = true;
                let master = &masters[*i];
                MasterSide {
                    path: master.path.clone(),
                    code: master.code,
                    matched: how.clone(),
                    text: master.text.clone(),
                }
            })
        });
        let sample_match = |how: Option<&MasterMatch>| match how {
            Some(MasterMatch::Samples(k)) => Some(*k),
            _ => None,
        };
        let trimmed = sample_match(ledger_side.as_ref().and_then(|l| l.identified.as_ref()).map(|(_, how)| how))
            .or_else(|| sample_match(matched.as_ref().and_then(|m| m.as_ref()).map(|(_, how)| how)));
        let cdtext = |map: fn(&CdText) -> &BTreeMap<u8, String>| {
            image.cdtext.as_ref().and_then(|t| map(t).get(&track.number).cloned())
        };
        let facts = TrackFacts {
            name: format!("{dir} track {:02}", track.number),
            written: track.isrc_written.clone(),
            isrc: track.isrc,
            ledger: ledger_side,
            master: master_side,
            cdtext: (cdtext(|t| &t.titles), cdtext(|t| &t.performers)),
        };
        let audio_id = trimmed
            .and_then(|k| audio.candidates.iter().find(|c| c.trimmed == k))
            .or(audio.candidates.first())
            .map(|c| c.audio_id.to_string());
        reports.push(FileReport {
            findings: track_findings(&facts),
            path: facts.name,
            audio_id,
            isrc: track.isrc_written.clone(),
            duration_seconds: Some(audio.seconds(trimmed.unwrap_or(0))),
        });
    }
    for problem in &image.problems {
        let finding = Finding {
            id: FindingId::Carrier(problem.id),
            severity: severity(problem),
            message: format!("{dir}: {}", problem.message),
        };
        let report =
            problem.track.and_then(|n| image.tracks.iter().position(|t| t.number == n)).map(|i| &mut reports[i]);
        match report {
            Some(report) => report.findings.push(finding),
            None => set_wide.push(finding),
        }
    }
    set_wide.extend(disc_findings(&dir, &image, &options.cd_limits));
    for (master, used) in masters.iter().flatten().zip(&used_masters) {
        if !used {
            set_wide.push(warning(
                FindingId::DdpMasterNotOnDisc,
                format!("{}: a master under --masters that no track of {dir} holds", master.path),
            ));
        }
    }
    let all = || reports.iter().flat_map(|r| &r.findings).chain(&set_wide);
    let summary = Summary {
        summary: SummaryCounts {
            files: reports.len(),
            unreadable: set_wide.iter().filter(|f| f.id == FindingId::Unreadable).count(),
            skipped: 0,
            errors: all().filter(|f| f.severity == Severity::Error).count(),
            warnings: all().filter(|f| f.severity == Severity::Warning).count(),
            total_duration_seconds: reports.iter().filter_map(|r| r.duration_seconds).sum(),
            carrier: "cd",
            ledger: ledger.is_some(),
            findings: set_wide,
        },
    };
    Ok(Verified { reports, summary })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> TrackFacts {
        let code = Isrc::parse("QZTST2600001").unwrap();
        TrackFacts {
            name: "image track 01".into(),
            written: Some(code.to_string()),
            isrc: Some(code),
            ledger: Some(LedgerSide {
                identified: Some((code, MasterMatch::Samples(12))),
                pq_code_status: Some(Status::Active),
                text: (Some("First Light".into()), Some("Fixture Ensemble".into())),
            }),
            master: None,
            cdtext: (Some("First Light".into()), Some("Fixture Ensemble".into())),
        }
    }

    fn ids(facts: &TrackFacts) -> Vec<FindingId> {
        track_findings(facts).iter().map(|f| f.id).collect()
    }

    #[test]
    fn a_track_the_ledger_knows_under_its_pq_code_is_clean() {
        assert!(ids(&facts()).is_empty());
        assert!(ids(&TrackFacts { ledger: None, ..facts() }).is_empty(), "without a ledger nothing to compare");
    }

    #[test]
    fn each_track_finding_has_its_id() {
        let other = Isrc::parse("QZTST2600002").unwrap();
        assert_eq!(ids(&TrackFacts { written: None, isrc: None, ..facts() }), [FindingId::DdpIsrcMissing]);
        assert_eq!(
            ids(&TrackFacts { isrc: Some(other), written: Some(other.to_string()), ..facts() }),
            [FindingId::DdpIsrcMismatch]
        );
        let mut unknown = facts();
        unknown.ledger.as_mut().unwrap().identified = None;
        assert_eq!(ids(&unknown), [FindingId::DdpNotInLedger]);
        let mut void = facts();
        void.ledger.as_mut().unwrap().pq_code_status = Some(Status::Void);
        assert_eq!(ids(&void), [FindingId::DdpVoidCode]);
        let mut text = facts();
        text.cdtext.0 = Some("First Lite".into());
        let found = track_findings(&text);
        assert_eq!((found[0].id, found[0].severity), (FindingId::DdpCdtextDisagrees, Severity::Warning));
        assert!(found[0].message.contains("\"First Lite\", the ledger's is \"First Light\""), "{}", found[0].message);
    }

    #[test]
    fn masters_are_matched_and_their_codes_compared() {
        let code = facts().isrc;
        let master = |code, matched| MasterSide { path: "cd/01.wav".into(), code, matched, text: (None, None) };
        assert!(ids(&TrackFacts { master: Some(Some(master(code, MasterMatch::Samples(0)))), ..facts() }).is_empty());
        assert_eq!(ids(&TrackFacts { master: Some(None), ..facts() }), [FindingId::DdpNoMaster]);
        assert_eq!(
            ids(&TrackFacts { master: Some(Some(master(None, MasterMatch::Samples(0)))), ..facts() }),
            [FindingId::DdpIsrcMismatch]
        );
        assert_eq!(
            ids(&TrackFacts { master: Some(Some(master(code, MasterMatch::Sound(0.02)))), ..facts() }),
            [FindingId::DdpAudioDiffers]
        );
    }
}
