//! `isrc-stamp verify PATH...|DDPDIR`: run the checks ([`crate::verify`]) and print each
//! file's (or each track's) verdict and findings, or JSON Lines, and the summary.

use std::io::Write;

use crate::ledger::Ledger;
use crate::output::style::{self, Tone};
use crate::output::{self, Exit};
use crate::verify::findings::Severity;
use crate::verify::{self, FileReport, Summary, VerifyOptions};

/// What `verify` checks: files and folders, or one DDP image.
pub(crate) enum Checked {
    /// Files and folders.
    Files(VerifyOptions),
    /// A DDP image, with its masters if given.
    Image(crate::verify::ddp::DdpOptions),
}

/// `verify` as asked: the ledger to compare with, if any, and what to check, built once
/// from the command line.
pub(crate) struct VerifyCommand {
    /// The ledger, if there is one.
    pub ledger: Option<Box<dyn Ledger>>,
    /// What to check.
    pub checked: Checked,
    /// JSON Lines instead of a table.
    pub json: bool,
}

/// Runs `verify` (on files or a DDP image) and prints what it found.
pub(crate) fn run(command: VerifyCommand, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let VerifyCommand { mut ledger, checked, json } = command;
    match &checked {
        Checked::Files(options) => files(ledger.as_deref_mut(), options, json, out),
        Checked::Image(options) => image(ledger.as_deref_mut(), options, json, out),
    }
}

/// Runs `verify` on files and prints what it found.
fn files<'l>(
    ledger: Option<&mut (dyn Ledger + 'l)>,
    options: &VerifyOptions,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let verified = verify::run(ledger, options)?;
    print(out, &verified.reports, &verified.summary, json)?;
    Ok(verified.exit())
}

/// Runs `verify DDPDIR` and prints what it found, as `verify` does: one report per track.
fn image<'l>(
    ledger: Option<&mut (dyn Ledger + 'l)>,
    options: &crate::verify::ddp::DdpOptions,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let verified = verify::ddp::run(ledger, options)?;
    print(out, &verified.reports, &verified.summary, json)?;
    Ok(verified.exit())
}

fn print(out: &mut dyn Write, reports: &[FileReport], summary: &Summary, json: bool) -> std::io::Result<()> {
    if json {
        for report in reports {
            output::json_line(out, report)?;
        }
        return output::json_line(out, summary);
    }
    let durations: Vec<String> =
        reports.iter().map(|r| r.duration_seconds.map(output::duration).unwrap_or_else(|| "-".into())).collect();
    let long = style::widest(durations.iter().map(String::as_str), 8);
    for (r, duration) in reports.iter().zip(&durations) {
        let failed = r.findings.iter().any(|f| f.severity == Severity::Error);
        let verdict = if failed { style::paint("FAIL", 4, Tone::Bad) } else { style::paint("ok", 4, Tone::Good) };
        let path = output::escape_controls(&r.path);
        let duration = style::pad_left(duration, long);
        writeln!(out, "{verdict}  {:<12}  {duration}  {path}", r.isrc.as_deref().unwrap_or("-"))?;
        for f in &r.findings {
            let message = output::escape_controls(&f.message);
            writeln!(out, "      {} {:<24} {message}", severity_word(f.severity), f.id)?;
        }
    }
    let s = &summary.summary;
    for f in &s.findings {
        let message = output::escape_controls(&f.message);
        writeln!(out, "set   {} {:<24} {message}", severity_word(f.severity), f.id)?;
    }
    out.flush()?;
    // The summary is no data: stderr, as every command's.
    let ledger = if s.ledger { "" } else { " (no ledger: file and set checks only)" };
    let skipped =
        if s.skipped > 0 { format!(", {} not checked (unsupported format)", s.skipped) } else { String::new() };
    eprintln!(
        "{}, {} total: {}, {}, {} unreadable{skipped}{ledger}",
        output::count(s.files, "file", "files"),
        output::duration(s.total_duration_seconds),
        output::count(s.errors, "error", "errors"),
        output::count(s.warnings, "warning", "warnings"),
        s.unreadable
    );
    Ok(())
}

/// The severity of a finding, coloured: an error red, a warning yellow.
fn severity_word(severity: Severity) -> String {
    match severity {
        Severity::Error => style::paint("error", 7, Tone::Bad),
        Severity::Warning => style::paint("warning", 7, Tone::Warn),
    }
}
