//! Verify: prove, before pressing, that every file carries the right code and nothing
//! contradicts the ledger.
//!
//! Every file is decoded in full (a FLAC file's audio is checked against its stored
//! MD5). The checks themselves are pure and live in [`findings`]; this module gathers
//! their facts, the ledger's through [`ledger::facts_about`] as `assign` does. Without a
//! ledger only the file and set checks run. `--carrier vinyl` and `digital` add no
//! checks of their own today; `cd` adds the Red Book limits. A DDP image's folder is
//! verified as the disc it is ([`ddp`]), with the same report shape.

pub(crate) mod ddp;
pub(crate) mod findings;

use std::path::PathBuf;

use serde::Serialize;

use std::collections::HashMap;

use crate::acoustic;
use crate::acoustic::group::{self, Sound};
use crate::assign::policy::reference_audio;
use crate::audio::AnalyzeOptions;
use crate::base::ids::Fingerprint;
use crate::isrc::Isrc;
use crate::ledger::{self, AudioRecord, Ledger, LedgerError};
use crate::output::Exit;
use crate::scan::{self, Scanned};
use findings::{CdLimits, Finding, FindingId, LedgerView, LinkEvidence, SetMember, Severity, TrackStream};

/// The carrier the masters are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Carrier {
    /// Downloads and streaming.
    Digital,
    /// Compact Disc (Red Book checks).
    Cd,
    /// Vinyl.
    Vinyl,
}

/// What `verify` was asked to do.
#[derive(Debug, Clone)]
pub(crate) struct VerifyOptions {
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    /// The carrier.
    pub carrier: Carrier,
    /// CD limits (used with `--carrier cd`).
    pub cd_limits: CdLimits,
    /// Worker threads.
    pub jobs: usize,
    /// No progress.
    pub quiet: bool,
}

/// One file's report, as `verify --json` prints it.
#[derive(Debug, Serialize)]
pub(crate) struct FileReport {
    pub path: String,
    pub audio_id: Option<String>,
    pub isrc: Option<String>,
    pub duration_seconds: Option<f64>,
    pub findings: Vec<Finding>,
}

/// The last line of `verify --json`.
#[derive(Debug, Serialize)]
pub(crate) struct Summary {
    pub summary: SummaryCounts,
}

#[derive(Debug, Serialize)]
pub(crate) struct SummaryCounts {
    pub files: usize,
    pub unreadable: usize,
    pub skipped: usize,
    pub errors: usize,
    pub warnings: usize,
    pub total_duration_seconds: f64,
    pub carrier: &'static str,
    pub ledger: bool,
    pub findings: Vec<Finding>,
}

/// What a verify run found: one report per file, and the summary.
pub(crate) struct Verified {
    /// One report per file, in walk order.
    pub reports: Vec<FileReport>,
    /// The counts and the set-wide findings.
    pub summary: Summary,
}

impl Verified {
    /// 2 when a file was unreadable, 1 with an error finding, else 0.
    pub(crate) fn exit(&self) -> Exit {
        let counts = &self.summary.summary;
        if counts.unreadable > 0 {
            Exit::Errors
        } else if counts.errors > 0 {
            Exit::Findings
        } else {
            Exit::Clean
        }
    }
}

/// Runs `verify`; `ledger` is `None` when there is no ledger to compare with.
pub(crate) fn run<'l>(
    mut ledger: Option<&mut (dyn Ledger + 'l)>,
    options: &VerifyOptions,
) -> Result<Verified, LedgerError> {
    // Without a ledger, one recording in several encodings is told by sound.
    let analyze = AnalyzeOptions { fingerprint: ledger.is_none(), ..AnalyzeOptions::default() };
    let files = scan::scan_with_options(&options.paths, &analyze, options.jobs, options.quiet, "verifying");
    let mut reports = Vec::with_capacity(files.len());
    let mut scanned: Vec<(usize, &Scanned)> = Vec::new();
    let mut ledger_codes = Vec::new();
    let mut references = References::default();
    for file in &files {
        match file {
            Ok(file) => {
                scanned.push((reports.len(), file));
                let (report, ledger_code) = file_report(file, ledger.as_deref_mut(), &mut references)?;
                reports.push(report);
                ledger_codes.push(ledger_code);
            }
            Err(failed) => {
                // A format not read is a warning (it is reported, never passed over); a
                // file that cannot be read, an error.
                let (id, severity) = if failed.is_skipped() {
                    (FindingId::NotChecked, Severity::Warning)
                } else {
                    (FindingId::Unreadable, Severity::Error)
                };
                let name = crate::output::path(&failed.path);
                let finding = Finding { id, severity, message: format!("{name}: {}", failed.error) };
                reports.push(FileReport {
                    path: name,
                    audio_id: None,
                    isrc: None,
                    duration_seconds: None,
                    findings: vec![finding],
                });
            }
        }
    }
    let set_wide = add_set_findings(&mut reports, &scanned, &ledger_codes, ledger.is_some(), options);
    let summary = summarize(&reports, set_wide, options, ledger.is_some());
    Ok(Verified { reports, summary })
}

/// The reference audio of each code met so far (its record and stored fingerprint), so
/// a recording's files load it once.
type References = HashMap<Isrc, Option<(AudioRecord, Fingerprint)>>;

/// The file checks of one file, and the code the ledger binds its audio to.
fn file_report<'l>(
    file: &Scanned,
    mut ledger: Option<&mut (dyn Ledger + 'l)>,
    references: &mut References,
) -> Result<(FileReport, Option<Isrc>), LedgerError> {
    let name = crate::output::path(&file.path);
    let code = findings::single_code(&file.tags);
    let facts = match ledger.as_deref_mut() {
        Some(ledger) => Some(ledger::facts_about(ledger, &file.audio.audio_id, code)?),
        None => None,
    };
    let view = facts.as_ref().map(LedgerView::from);
    let mut found = findings::file_findings(&name, &file.tags, file.audio.md5_ok(), view.as_ref());
    if let (Some(ledger), Some(bound)) = (ledger, facts.as_ref().and_then(|facts| facts.code_for_audio)) {
        let evidence = link_evidence(ledger, file, bound, references)?;
        found.extend(evidence.and_then(|evidence| findings::link_findings(&name, &evidence)));
    }
    let report = FileReport {
        findings: found,
        path: name,
        audio_id: Some(file.audio.audio_id.to_string()),
        isrc: code.map(|c| c.to_string()),
        duration_seconds: Some(file.audio.duration_seconds()),
    };
    Ok((report, facts.and_then(|facts| facts.code_for_audio)))
}

/// How the file's audio sounds against the reference audio of the code the ledger binds
/// it to, from the fingerprints the ledger stores (`assign` stored them): `None` where
/// the file is the reference, either has no fingerprint, or they cannot tell.
fn link_evidence(
    ledger: &mut dyn Ledger,
    file: &Scanned,
    code: Isrc,
    references: &mut References,
) -> Result<Option<LinkEvidence>, LedgerError> {
    if let std::collections::hash_map::Entry::Vacant(slot) = references.entry(code) {
        let members = ledger.audio_for_code(code)?;
        let reference = match reference_audio(&members) {
            Some(audio) => ledger.fingerprint(&audio.audio_id)?.map(|print| (audio.clone(), print)),
            None => None,
        };
        slot.insert(reference);
    }
    let Some((reference, reference_print)) = references.get(&code).and_then(Option::as_ref) else {
        return Ok(None);
    };
    if reference.audio_id == file.audio.audio_id {
        return Ok(None);
    }
    let Some(print) = ledger.fingerprint(&file.audio.audio_id)? else {
        return Ok(None);
    };
    let comparison =
        acoustic::compare(reference_print, reference.duration_seconds(), &print, file.audio.duration_seconds());
    Ok(comparison.told.then(|| LinkEvidence {
        code,
        reference_path: reference.first_path.clone(),
        verdict: comparison.verdict,
        ber: comparison.ber().unwrap_or(1.0),
    }))
}

/// Adds the set and carrier findings; returns the set-wide ones (not about one file).
fn add_set_findings(
    reports: &mut [FileReport],
    scanned: &[(usize, &Scanned)],
    ledger_codes: &[Option<Isrc>],
    with_ledger: bool,
    options: &VerifyOptions,
) -> Vec<Finding> {
    let files: Vec<&Scanned> = scanned.iter().map(|(_, file)| *file).collect();
    let recordings = recordings_by_sound(&files, options.jobs);
    let names: Vec<String> = files.iter().map(|file| crate::output::path(&file.path)).collect();
    let members: Vec<SetMember<'_>> = files
        .iter()
        .zip(&names)
        .zip(ledger_codes.iter().zip(&recordings))
        .map(|((file, name), (ledger_code, recording))| SetMember {
            name,
            audio_id: file.audio.audio_id.as_str(),
            code: findings::single_code(&file.tags),
            ledger_code: *ledger_code,
            recording: *recording,
            source: (&file.audio).into(),
        })
        .collect();
    let found = findings::set_findings(&members, with_ledger);
    let mut per_file: Vec<(usize, Finding)> = found.into_iter().map(|(i, f)| (scanned[i].0, f)).collect();
    let mut set_wide = Vec::new();
    if options.carrier == Carrier::Cd {
        let tracks: Vec<(usize, TrackStream, String)> = scanned
            .iter()
            .map(|(index, file)| {
                let stream = &file.audio.stream;
                let track = TrackStream {
                    sample_rate: stream.sample_rate,
                    bits: stream.layout.bits,
                    channels: stream.channels,
                    integer: stream.layout.kind == crate::audio::SampleKind::Int,
                    seconds: file.audio.duration_seconds(),
                };
                (*index, track, crate::output::path(&file.path))
            })
            .collect();
        for (index, track, name) in &tracks {
            per_file.extend(findings::cd_track_findings(name, track).into_iter().map(|f| (*index, f)));
        }
        let streams: Vec<TrackStream> = tracks.iter().map(|(_, t, _)| *t).collect();
        set_wide = findings::cd_set_findings(&streams, &options.cd_limits);
    }
    for (index, finding) in per_file {
        reports[index].findings.push(finding);
    }
    set_wide
}

/// For each file, which recording it is by sound: files of one audio id, and audio
/// joined by acoustic same-recording matches, share a number.
fn recordings_by_sound(files: &[&Scanned], jobs: usize) -> Vec<usize> {
    let items = files.iter().map(|file| {
        let sound = Sound { fingerprint: file.audio.fingerprint.as_ref(), duration: file.audio.duration_seconds() };
        (&file.audio.audio_id, sound)
    });
    scan::in_pool(jobs, || group::group(items)).recording_of_items()
}

fn summarize(reports: &[FileReport], set_wide: Vec<Finding>, options: &VerifyOptions, ledger: bool) -> Summary {
    let all = || reports.iter().flat_map(|r| &r.findings).chain(&set_wide);
    Summary {
        summary: SummaryCounts {
            files: reports.len(),
            unreadable: reports.iter().filter(|r| r.findings.iter().any(|f| f.id == FindingId::Unreadable)).count(),
            skipped: reports.iter().filter(|r| r.findings.iter().any(|f| f.id == FindingId::NotChecked)).count(),
            errors: all().filter(|f| f.severity == Severity::Error).count(),
            warnings: all().filter(|f| f.severity == Severity::Warning).count(),
            total_duration_seconds: reports.iter().filter_map(|r| r.duration_seconds).sum(),
            carrier: match options.carrier {
                Carrier::Digital => "digital",
                Carrier::Cd => "cd",
                Carrier::Vinyl => "vinyl",
            },
            ledger,
            findings: set_wide,
        },
    }
}
