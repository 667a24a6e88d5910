//! Dupes: the same recording more than once under some folders, without a ledger.
//!
//! 1. Walk and decode every file in parallel, with its acoustic fingerprint.
//! 2. **Exact copies**: files with the same audio id (the same samples, whatever the
//!    container or tags) form a group; a group whose files carry different codes is
//!    flagged, since one recording has one ISRC.
//! 3. **Near-duplicates**: the distinct audio ids are compared by fingerprint
//!    ([`crate::acoustic::compare`]). Other encodings, sample rates or bit depths of
//!    one recording (a FLAC master and its MP3, a 24/96 master and its 16/44.1 CD
//!    version) form a `same-recording` group, each member scored against the group's
//!    best source: the code should be shared. The same material with a playing time
//!    more than 10 s different is a `likely-edit` link, one per pair of recordings: a
//!    new code is due. Only pairs that share fingerprint items are compared in full, so
//!    a large folder does not cost a comparison per pair.
//!
//! 4. **Codes against recordings**: a group some of whose files carry a code and others
//!    none (`codes_missing`: the copies left untagged), and one code carried by files of
//!    two different recordings (`code-on-two-recordings`: a mislabelled copy, or an edit
//!    sharing its original's code).
//!
//! Exit code 1 when an exact group or a `same-recording` group carries different codes
//! or is partly untagged, or one code is on two recordings; 2 when a file could not be
//! read; else 0. A `likely-edit` link whose sides share a
//! code is reported (`shared_code`) but is no finding on its own: the verdict is a
//! likelihood, and `assign` asks about it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use serde::Serialize;

use crate::acoustic::group::{self, Sound, SoundMatch};
use crate::acoustic::{self, Comparison, Verdict};
use crate::audio::AnalyzeOptions;
use crate::base::ids::AudioId;
use crate::base::ids::Fingerprint;
use crate::isrc::Isrc;
use crate::output::Exit;
use crate::scan::{self, Scanned};

/// What `dupes` was asked to do.
#[derive(Debug, Clone)]
pub(crate) struct DupesOptions {
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    /// Worker threads.
    pub jobs: usize,
    /// No progress bar or summary.
    pub quiet: bool,
}

/// One file as the output lists it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FileLine {
    pub path: String,
    /// The distinct ISRC values the file's tags hold (stored form when valid), in order.
    pub isrcs: Vec<String>,
    pub title: Option<String>,
}

/// An exact group: files with one audio id.
#[derive(Debug, Serialize)]
pub(crate) struct ExactGroup {
    pub kind: &'static str,
    pub audio_id: String,
    pub duration_seconds: f64,
    pub codes_differ: bool,
    /// Some files carry a code and others none.
    pub codes_missing: bool,
    pub files: Vec<FileLine>,
}

/// Distinct audio ids that are one recording by fingerprint, measured against a
/// reference member (the best source: lossless, highest rate and depth, first found).
#[derive(Debug, Serialize)]
pub(crate) struct SameRecording {
    pub kind: &'static str,
    pub codes_differ: bool,
    /// Some files carry a code and others none.
    pub codes_missing: bool,
    pub members: Vec<Member>,
}

/// One code carried by files of two or more different recordings.
#[derive(Debug, Serialize)]
pub(crate) struct CodeOnRecordings {
    pub kind: &'static str,
    pub isrc: String,
    /// The files carrying it, one list per recording.
    pub recordings: Vec<Vec<FileLine>>,
}

/// One audio id of a [`SameRecording`] group, compared with the group's first member.
#[derive(Debug, Serialize)]
pub(crate) struct Member {
    pub audio_id: String,
    pub duration_seconds: f64,
    pub ber: f64,
    pub offset_seconds: f64,
    pub duration_difference_seconds: f64,
    pub files: Vec<FileLine>,
}

/// One side of a likely edit: an audio id and its files.
#[derive(Debug, Serialize)]
pub(crate) struct Side {
    pub audio_id: String,
    pub duration_seconds: f64,
    pub files: Vec<FileLine>,
}

/// Two audio ids with the same material but playing times more than 10 s apart.
#[derive(Debug, Serialize)]
pub(crate) struct LikelyEdit {
    pub kind: &'static str,
    pub ber: f64,
    pub offset_seconds: f64,
    pub duration_difference_seconds: f64,
    pub shared_code: bool,
    pub a: Side,
    pub b: Side,
}

/// A file that could not be read (`error`), or audio in a format not read (`skipped`).
#[derive(Debug, Serialize)]
pub(crate) struct ErrorLine {
    pub kind: &'static str,
    pub path: String,
    pub error: String,
}

/// One distinct audio id and the files that hold it, in walk order.
struct Audio<'s> {
    audio_id: &'s AudioId,
    duration: f64,
    fingerprint: Option<&'s Fingerprint>,
    files: Vec<&'s Scanned>,
}

impl Audio<'_> {
    /// Every distinct code its files carry.
    fn codes(&self) -> BTreeSet<String> {
        self.files.iter().flat_map(|file| codes_of(file)).collect()
    }

    /// Whether some of its files carry no code.
    fn untagged(&self) -> bool {
        self.files.iter().any(|file| file.tags.isrcs.is_empty())
    }

    /// How good a source it is ([`crate::audio::AudioFacts::source_rank`]).
    fn quality(&self) -> (bool, u64, u64) {
        self.files[0].audio.source_rank()
    }

    fn files(&self) -> Vec<FileLine> {
        self.files.iter().map(|file| file_line(file)).collect()
    }

    fn side(&self) -> Side {
        Side { audio_id: self.audio_id.to_string(), duration_seconds: self.duration, files: self.files() }
    }
}

/// Everything `dupes` found.
pub(crate) struct Findings {
    pub groups: Vec<ExactGroup>,
    pub recordings: Vec<SameRecording>,
    pub edits: Vec<LikelyEdit>,
    pub shared: Vec<CodeOnRecordings>,
}

impl Findings {
    /// Whether codes and recordings disagree somewhere: one recording with different
    /// codes or partly untagged, one code on two recordings.
    pub(crate) fn codes_differ(&self) -> bool {
        self.groups.iter().any(|g| g.codes_differ || g.codes_missing)
            || self.recordings.iter().any(|r| r.codes_differ || r.codes_missing)
            || !self.shared.is_empty()
    }
}

/// What `dupes` found, for printing.
pub(crate) struct DupesReport {
    /// Files that could not be read, and files skipped (formats not read), in walk order.
    pub errors: Vec<ErrorLine>,
    /// The groups and links.
    pub findings: Findings,
    /// Files read.
    pub files: usize,
    /// Distinct audio ids among them.
    pub distinct: usize,
    /// Distinct audio too short to fingerprint.
    pub unfingerprinted: usize,
}

impl DupesReport {
    /// 2 when a file could not be read, 1 when one recording carries different codes, else 0.
    pub(crate) fn exit(&self) -> Exit {
        let failed = self.errors.iter().any(|line| line.kind == "error");
        let mut exit = if failed { Exit::Errors } else { Exit::Clean };
        if self.findings.codes_differ() {
            exit = exit.worst(Exit::Findings);
        }
        exit
    }
}

/// Runs `dupes`.
pub(crate) fn run(options: &DupesOptions) -> DupesReport {
    let analyze = AnalyzeOptions { fingerprint: true, skip_md5: true, ..AnalyzeOptions::default() };
    let files = scan::scan_with_options(&options.paths, &analyze, options.jobs, options.quiet, "decoding");
    let scanned: Vec<&Scanned> = files.iter().filter_map(|f| f.as_ref().ok()).collect();
    let errors: Vec<ErrorLine> = files
        .iter()
        .filter_map(|f| f.as_ref().err())
        .map(|f| ErrorLine {
            kind: if f.is_skipped() { "skipped" } else { "error" },
            path: crate::output::path(&f.path),
            error: f.error.to_string(),
        })
        .collect();
    let audio = distinct_audio(&scanned);
    let sounds: Vec<Sound<'_>> =
        audio.iter().map(|a| Sound { fingerprint: a.fingerprint, duration: a.duration }).collect();
    let matches = scan::in_pool(options.jobs, || group::matches(&sounds));
    let findings = Findings {
        groups: audio.iter().filter(|a| a.files.len() > 1).map(exact_group).collect(),
        recordings: same_recordings(&audio, &matches),
        edits: likely_edits(&audio, &matches),
        shared: codes_on_recordings(&audio, &matches),
    };
    DupesReport {
        errors,
        findings,
        files: scanned.len(),
        distinct: audio.len(),
        unfingerprinted: audio.iter().filter(|a| a.fingerprint.is_none()).count(),
    }
}

/// The distinct audio ids, in the order they are first met, with their files.
fn distinct_audio<'s>(scanned: &[&'s Scanned]) -> Vec<Audio<'s>> {
    let mut index: HashMap<&AudioId, usize> = HashMap::new();
    let mut audio: Vec<Audio<'s>> = Vec::new();
    for &file in scanned {
        let at = *index.entry(&file.audio.audio_id).or_insert_with(|| {
            audio.push(Audio {
                audio_id: &file.audio.audio_id,
                duration: file.audio.duration_seconds(),
                fingerprint: None,
                files: Vec::new(),
            });
            audio.len() - 1
        });
        let entry = &mut audio[at];
        entry.fingerprint = entry.fingerprint.or(file.audio.fingerprint.as_ref());
        entry.files.push(file);
    }
    audio
}

/// The report of an exact group.
fn exact_group(audio: &Audio<'_>) -> ExactGroup {
    let codes = audio.codes();
    ExactGroup {
        kind: "exact",
        audio_id: audio.audio_id.to_string(),
        duration_seconds: audio.duration,
        codes_differ: codes.len() > 1,
        codes_missing: !codes.is_empty() && audio.untagged(),
        files: audio.files(),
    }
}

/// Every code carried by files of two or more recordings (a recording: one audio id,
/// with the audio ids of the same recording by sound), each with its files per recording.
fn codes_on_recordings(audio: &[Audio<'_>], matches: &[SoundMatch]) -> Vec<CodeOnRecordings> {
    let roots = group::recording_roots(audio.len(), matches);
    let mut carriers: BTreeMap<String, BTreeMap<usize, Vec<FileLine>>> = BTreeMap::new();
    for (i, entry) in audio.iter().enumerate() {
        for file in &entry.files {
            for code in codes_of(file) {
                carriers.entry(code).or_default().entry(roots[i]).or_default().push(file_line(file));
            }
        }
    }
    carriers
        .into_iter()
        .filter(|(_, recordings)| recordings.len() > 1)
        .map(|(isrc, recordings)| CodeOnRecordings {
            kind: "code-on-two-recordings",
            isrc,
            recordings: recordings.into_values().collect(),
        })
        .collect()
}

/// The fingerprint comparison of two audio ids, when both have a fingerprint.
fn compare(a: &Audio<'_>, b: &Audio<'_>) -> Option<Comparison> {
    Some(acoustic::compare(a.fingerprint?, a.duration, b.fingerprint?, b.duration))
}

/// The same-recording groups, each measured against its best source.
fn same_recordings(audio: &[Audio<'_>], matches: &[SoundMatch]) -> Vec<SameRecording> {
    let roots = group::recording_roots(audio.len(), matches);
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for root in roots.iter().copied().collect::<BTreeSet<_>>() {
        let members: Vec<usize> = (0..audio.len()).filter(|&i| roots[i] == root).collect();
        if members.len() > 1 {
            groups.push(members);
        }
    }
    groups.into_iter().map(|members| same_recording(audio, members)).collect()
}

/// One same-recording group: the reference first, then the others in walk order.
fn same_recording(audio: &[Audio<'_>], mut members: Vec<usize>) -> SameRecording {
    let reference = best_source(audio, &members);
    members.retain(|&i| i != reference);
    let reference = &audio[reference];
    let mut lines = vec![member(reference, None)];
    lines.extend(members.iter().map(|&i| member(&audio[i], compare(reference, &audio[i]).as_ref())));
    let all = || std::iter::once(reference).chain(members.iter().map(|&i| &audio[i]));
    let codes: BTreeSet<String> = all().flat_map(|a| a.codes()).collect();
    let codes_missing = !codes.is_empty() && all().any(|a| a.untagged());
    SameRecording { kind: "same-recording", codes_differ: codes.len() > 1, codes_missing, members: lines }
}

/// A group member; `comparison` with the reference (`None` for the reference itself).
fn member(audio: &Audio<'_>, comparison: Option<&Comparison>) -> Member {
    let offset = comparison.and_then(|c| c.alignment).map_or(0.0, |a| a.offset_seconds());
    Member {
        audio_id: audio.audio_id.to_string(),
        duration_seconds: audio.duration,
        ber: round(comparison.and_then(Comparison::ber).unwrap_or(0.0), 4),
        offset_seconds: round(offset, 3),
        duration_difference_seconds: round(comparison.map_or(0.0, |c| c.duration_difference), 3),
        files: audio.files(),
    }
}

/// The likely edits: one link per pair of recordings (a same-recording group, or a
/// single audio id), between their best sources when those match, else the match with
/// the lowest bit error rate; the larger group (then the longer audio) first.
fn likely_edits(audio: &[Audio<'_>], matches: &[SoundMatch]) -> Vec<LikelyEdit> {
    let roots = group::recording_roots(audio.len(), matches);
    let mut best: BTreeMap<(usize, usize), &SoundMatch> = BTreeMap::new();
    for m in matches.iter().filter(|m| m.comparison.verdict == Verdict::LikelyEdit) {
        let key = (roots[m.a].min(roots[m.b]), roots[m.a].max(roots[m.b]));
        let ber = |m: &SoundMatch| m.comparison.ber().unwrap_or(1.0);
        if best.get(&key).is_none_or(|kept| ber(m) < ber(kept)) {
            best.insert(key, m);
        }
    }
    let size = |root: usize| roots.iter().filter(|&&r| r == root).count();
    best.into_iter()
        .map(|((x, y), fallback)| {
            let (x, y) = if (size(y), audio[y].duration) > (size(x), audio[x].duration) { (y, x) } else { (x, y) };
            let (a, b) = (reference_of(audio, &roots, x), reference_of(audio, &roots, y));
            match compare(&audio[a], &audio[b]).filter(|c| c.verdict == Verdict::LikelyEdit) {
                Some(direct) => likely_edit(&audio[a], &audio[b], &direct),
                None => likely_edit(&audio[fallback.a], &audio[fallback.b], &fallback.comparison),
            }
        })
        .collect()
}

/// The best source of the group whose root is `root`.
fn reference_of(audio: &[Audio<'_>], roots: &[usize], root: usize) -> usize {
    let members: Vec<usize> = (0..audio.len()).filter(|&i| roots[i] == root).collect();
    best_source(audio, &members)
}

/// The best source among `members` (lossless, highest rate and depth), the first found
/// among equals.
fn best_source(audio: &[Audio<'_>], members: &[usize]) -> usize {
    // `members` is never empty; 0 only keeps this total.
    members.iter().copied().rev().max_by_key(|&i| audio[i].quality()).unwrap_or(0)
}

/// The report of a likely edit.
fn likely_edit(a: &Audio<'_>, b: &Audio<'_>, comparison: &Comparison) -> LikelyEdit {
    let offset = comparison.alignment.map_or(0.0, |al| al.offset_seconds());
    LikelyEdit {
        kind: "likely-edit",
        ber: round(comparison.ber().unwrap_or(1.0), 4),
        offset_seconds: round(offset, 3),
        duration_difference_seconds: round(comparison.duration_difference, 3),
        shared_code: a.codes().intersection(&b.codes()).next().is_some(),
        a: a.side(),
        b: b.side(),
    }
}

/// `value` rounded to `digits` decimals, for stable, readable output.
fn round(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}

/// The distinct ISRC values a file's tags hold, in the stored form when valid.
fn codes_of(file: &Scanned) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    for found in &file.tags.isrcs {
        let code = Isrc::parse(&found.value).map_or_else(|_| found.value.clone(), |isrc| isrc.to_string());
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

fn file_line(file: &Scanned) -> FileLine {
    FileLine { path: crate::output::path(&file.path), isrcs: codes_of(file), title: file.tags.title.clone() }
}
