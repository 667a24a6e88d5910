//! `isrc-stamp verify PATH... [--carrier digital|cd|vinyl]`: prove, before pressing,
//! that every file carries the right code and nothing contradicts the ledger.
//!
//! Every file is decoded in full (a FLAC file's audio is checked against its stored
//! MD5). The checks themselves are pure and live in [`crate::checks`]. Without a
//! ledger only the file and set checks run. `--carrier vinyl` and `digital` add no
//! checks of their own today; `cd` adds the Red Book limits.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use crate::checks::{self, CdLimits, Finding, LedgerView, SetMember, Severity, TrackStream};
use crate::ledger::{Lookup, SqliteLedger, Status};
use crate::report::{self, Exit};
use crate::scan::Scanned;

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
pub struct VerifyOptions {
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    /// The carrier.
    pub carrier: Carrier,
    /// CD limits (used with `--carrier cd`).
    pub cd_limits: CdLimits,
    /// Worker threads.
    pub jobs: usize,
    /// JSON Lines output.
    pub json: bool,
    /// No progress.
    pub quiet: bool,
}

/// One file's report, as `verify --json` prints it.
#[derive(Debug, Serialize)]
struct FileReport {
    path: String,
    audio_id: Option<String>,
    isrc: Option<String>,
    duration_seconds: Option<f64>,
    findings: Vec<Finding>,
}

/// The last line of `verify --json`.
#[derive(Debug, Serialize)]
struct Summary {
    summary: SummaryCounts,
}

#[derive(Debug, Serialize)]
struct SummaryCounts {
    files: usize,
    unreadable: usize,
    errors: usize,
    warnings: usize,
    total_duration_seconds: f64,
    carrier: &'static str,
    ledger: bool,
    findings: Vec<Finding>,
}

/// Runs `verify`; `ledger` is `None` when there is no ledger to compare with.
pub fn run(ledger: Option<&SqliteLedger>, options: &VerifyOptions, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let files = crate::progress::scan_with_progress(&options.paths, options.jobs, options.quiet, "verifying");
    let mut reports = Vec::with_capacity(files.len());
    let mut scanned: Vec<(usize, &Scanned)> = Vec::new();
    for file in &files {
        match file {
            Ok(file) => {
                scanned.push((reports.len(), file));
                reports.push(file_report(file, ledger)?);
            }
            Err(failed) => {
                let name = failed.path.display().to_string();
                let finding = Finding {
                    id: "unreadable",
                    severity: Severity::Error,
                    message: format!("{name}: {}", failed.error),
                };
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
    let set_wide = add_set_findings(&mut reports, &scanned, options);
    let summary = summarize(&reports, set_wide, options, ledger.is_some());
    print(out, &reports, &summary, options.json)?;
    Ok(if summary.summary.unreadable > 0 {
        Exit::Errors
    } else if summary.summary.errors > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    })
}

/// The file checks of one file.
fn file_report(file: &Scanned, ledger: Option<&SqliteLedger>) -> anyhow::Result<FileReport> {
    let name = file.path.display().to_string();
    let code = checks::single_code(&file.tags);
    let view = match ledger {
        Some(ledger) => Some(ledger_view(ledger, file, code)?),
        None => None,
    };
    Ok(FileReport {
        findings: checks::file_findings(&name, &file.tags, file.audio.md5_ok(), view.as_ref()),
        path: name,
        audio_id: Some(file.audio.audio_id.to_string()),
        isrc: code.map(|c| c.to_string()),
        duration_seconds: Some(file.audio.duration_seconds()),
    })
}

/// What the ledger says about a file and the code it carries.
fn ledger_view(ledger: &SqliteLedger, file: &Scanned, code: Option<crate::code::Isrc>) -> anyhow::Result<LedgerView> {
    let mut view = LedgerView { code_for_audio: ledger.code_for_audio(&file.audio.audio_id)?, ..LedgerView::default() };
    if let Some(code) = code
        && let Some(recording) = ledger.recording(code)?
    {
        view.code_known = true;
        view.code_void = recording.status == Status::Void;
        let audio = ledger.audio_for_code(code)?;
        view.code_on_other_audio = !audio.is_empty() && !audio.iter().any(|a| a.audio_id == file.audio.audio_id);
    }
    Ok(view)
}

/// Adds the set and carrier findings; returns the set-wide ones (not about one file).
fn add_set_findings(
    reports: &mut [FileReport],
    scanned: &[(usize, &Scanned)],
    options: &VerifyOptions,
) -> Vec<Finding> {
    let members: Vec<SetMember<'_>> = scanned
        .iter()
        .map(|(_, file)| SetMember {
            name: file.path.to_str().unwrap_or_default(),
            audio_id: file.audio.audio_id.as_str(),
            code: checks::single_code(&file.tags),
        })
        .collect();
    let found = checks::set_findings(&members);
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
                (*index, track, file.path.display().to_string())
            })
            .collect();
        for (index, track, name) in &tracks {
            per_file.extend(checks::cd_track_findings(name, track).into_iter().map(|f| (*index, f)));
        }
        let streams: Vec<TrackStream> = tracks.iter().map(|(_, t, _)| *t).collect();
        set_wide = checks::cd_set_findings(&streams, &options.cd_limits);
    }
    for (index, finding) in per_file {
        reports[index].findings.push(finding);
    }
    set_wide
}

fn summarize(reports: &[FileReport], set_wide: Vec<Finding>, options: &VerifyOptions, ledger: bool) -> Summary {
    let all = || reports.iter().flat_map(|r| &r.findings).chain(&set_wide);
    Summary {
        summary: SummaryCounts {
            files: reports.len(),
            unreadable: reports.iter().filter(|r| r.findings.iter().any(|f| f.id == "unreadable")).count(),
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

fn print(out: &mut dyn Write, reports: &[FileReport], summary: &Summary, json: bool) -> std::io::Result<()> {
    if json {
        for report in reports {
            report::json_line(out, report)?;
        }
        return report::json_line(out, summary);
    }
    for r in reports {
        let verdict = if r.findings.iter().any(|f| f.severity == Severity::Error) { "FAIL" } else { "ok" };
        let duration = r.duration_seconds.map(report::duration).unwrap_or_else(|| "-".into());
        writeln!(out, "{verdict:<4}  {:<12}  {duration:>10}  {}", r.isrc.as_deref().unwrap_or("-"), r.path)?;
        for f in &r.findings {
            writeln!(out, "      {:<7} {:<24} {}", severity_word(f.severity), f.id, f.message)?;
        }
    }
    let s = &summary.summary;
    for f in &s.findings {
        writeln!(out, "set   {:<7} {:<24} {}", severity_word(f.severity), f.id, f.message)?;
    }
    let ledger = if s.ledger { "" } else { " (no ledger: file and set checks only)" };
    writeln!(
        out,
        "{} files, {} total: {} errors, {} warnings, {} unreadable{ledger}",
        s.files,
        report::duration(s.total_duration_seconds),
        s.errors,
        s.warnings,
        s.unreadable
    )
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}
