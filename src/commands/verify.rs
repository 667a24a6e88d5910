//! `isrc-stamp verify PATH...|DDPDIR`: run the checks ([`crate::verify`]) and print each
//! file's (or each track's) verdict and findings, or JSON Lines, and the summary.

use std::io::Write;

use crate::ledger::Ledger;
use crate::output::{self, Exit};
use crate::verify::findings::Severity;
use crate::verify::{self, FileReport, Summary, VerifyOptions};

/// Runs `verify` and prints what it found.
pub(crate) fn run<'l>(
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
pub(crate) fn run_ddp<'l>(
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
    for r in reports {
        let verdict = if r.findings.iter().any(|f| f.severity == Severity::Error) { "FAIL" } else { "ok" };
        let duration = r.duration_seconds.map(output::duration).unwrap_or_else(|| "-".into());
        let path = output::escape_controls(&r.path);
        writeln!(out, "{verdict:<4}  {:<12}  {duration:>10}  {path}", r.isrc.as_deref().unwrap_or("-"))?;
        for f in &r.findings {
            let message = output::escape_controls(&f.message);
            writeln!(out, "      {:<7} {:<24} {message}", severity_word(f.severity), f.id)?;
        }
    }
    let s = &summary.summary;
    for f in &s.findings {
        let message = output::escape_controls(&f.message);
        writeln!(out, "set   {:<7} {:<24} {message}", severity_word(f.severity), f.id)?;
    }
    let ledger = if s.ledger { "" } else { " (no ledger: file and set checks only)" };
    let skipped =
        if s.skipped > 0 { format!(", {} not checked (unsupported format)", s.skipped) } else { String::new() };
    writeln!(
        out,
        "{} files, {} total: {} errors, {} warnings, {} unreadable{skipped}{ledger}",
        s.files,
        output::duration(s.total_duration_seconds),
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
