//! Keeping the ledger sound and safe: `ledger check` (the database's integrity and the
//! ledger's invariants), `ledger check --metadata` (the fields the IFPI requires),
//! `ledger backup FILE` and `ledger copy --to LOCATION` (everything into another ledger).

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::ledger::exchange;
use crate::ledger::{self, CopySummary, Ledger, Location};
use crate::output::{self, Exit};

/// One finding of `ledger check`, as `--json` prints it.
#[derive(Debug, Serialize)]
struct CheckFinding<'a> {
    /// `integrity` (the database's own check) or `invariant` (the ledger's rules).
    kind: &'static str,
    message: &'a str,
}

/// Runs `ledger check`: the backend's full integrity check, then the ledger's own
/// invariants; every finding printed; exit 1 with any.
pub(super) fn check(ledger: &mut dyn Ledger, json: bool, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let integrity = ledger.integrity_problems()?;
    // A ledger whose pages do not read cannot be walked for its invariants.
    let invariants = match crate::ledger::check::invariants(ledger) {
        Ok(found) => found,
        Err(error) if !integrity.is_empty() => vec![format!("the invariants could not be checked: {error}")],
        Err(error) => return Err(error.into()),
    };
    let findings: Vec<(&'static str, &String)> =
        integrity.iter().map(|m| ("integrity", m)).chain(invariants.iter().map(|m| ("invariant", m))).collect();
    for (kind, message) in &findings {
        if json {
            output::json_line(out, &CheckFinding { kind, message })?;
        } else {
            writeln!(out, "{kind:<9}  {}", output::escape_controls(message))?;
        }
    }
    if findings.is_empty() {
        if !json {
            writeln!(out, "ok: the database is sound and every invariant holds")?;
        }
        return Ok(Exit::Clean);
    }
    eprintln!(
        "isrc-stamp: the ledger has {} problem(s); restore it from a backup (or fix it) before assigning with it",
        findings.len()
    );
    Ok(Exit::Findings)
}

/// A line of `ledger check --metadata --json`: a code and the required fields it lacks.
#[derive(Debug, Serialize)]
struct Lacking<'a> {
    isrc: &'a str,
    missing: &'a [&'static str],
}

/// Runs `ledger check --metadata`: every active code that lacks a field the IFPI
/// requires every registrant to keep ([`ledger::missing_metadata`]), one line each with
/// what it lacks; exit 1 with any. Read from one snapshot in pages, so memory stays
/// bounded whatever the ledger's size.
pub(super) fn check_metadata(
    ledger: &mut dyn Ledger,
    json: bool,
    quiet: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let mut snapshot = ledger.snapshot()?;
    let (mut codes, mut lacking) = (0usize, 0usize);
    // The words after a code, made once per set of missing fields.
    let mut words: [Option<String>; 16] = Default::default();
    let mut line = String::new();
    let mut after = None;
    loop {
        let page = snapshot.completeness_after(after, exchange::PAGE)?;
        let Some(last) = page.last() else { break };
        after = Some(last.isrc);
        codes += page.len();
        for completeness in &page {
            let missing = ledger::missing_metadata(completeness);
            if missing.is_empty() {
                continue;
            }
            lacking += 1;
            if json {
                let names = missing.names();
                output::json_line(out, &Lacking { isrc: completeness.isrc.as_str(), missing: &names })?;
            } else {
                let said =
                    words[missing.bits()].get_or_insert_with(|| format!("  lacks {}\n", missing.names().join(", ")));
                line.clear();
                line.push_str(completeness.isrc.as_str());
                line.push_str(said);
                out.write_all(line.as_bytes())?;
            }
        }
    }
    if lacking == 0 {
        if !json {
            writeln!(out, "ok: every one of the {codes} active codes has a title, artist, duration and P-date")?;
        }
        return Ok(Exit::Clean);
    }
    if !quiet {
        eprintln!(
            "isrc-stamp: {lacking} of {codes} active code(s) lack a field the IFPI requires every registrant to keep \
             (title, artist, duration, p_date: the date of first publication); set them with `ledger edit`, or enter \
             the release they came out on with `release add`"
        );
    }
    Ok(Exit::Findings)
}

/// Runs `ledger backup FILE`: a consistent copy, written whole or not at all.
pub(super) fn backup(ledger: &mut dyn Ledger, file: &Path, quiet: bool, out: &mut dyn Write) -> anyhow::Result<Exit> {
    ledger.backup(file).with_context(|| format!("cannot back the ledger up to {}", file.display()))?;
    if !quiet {
        writeln!(out, "backed the ledger up to {}", file.display())?;
    }
    Ok(Exit::Clean)
}

/// What `ledger copy --json` prints.
#[derive(Debug, Serialize)]
struct Copied<'a> {
    from: String,
    to: String,
    copied: &'a CopySummary,
}

/// Runs `ledger copy --to LOCATION`: everything `ledger` holds into the empty ledger at
/// `to` (created if needed), in one transaction.
pub(super) fn copy(
    ledger: &mut dyn Ledger,
    from: &Location,
    to: &Location,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    if from == to {
        anyhow::bail!("--to names the ledger in use ({to}): pass another location");
    }
    let mut target = ledger::open(to)?;
    let copied = ledger::copy(ledger, target.as_mut()).with_context(|| format!("cannot copy into {to}"))?;
    if json {
        output::json_line(out, &Copied { from: from.to_string(), to: to.to_string(), copied: &copied })?;
    } else {
        let CopySummary { prefixes, recordings, audio_ids, fingerprints, events, runs, releases } = copied;
        writeln!(
            out,
            "copied {prefixes} prefixes, {recordings} recordings, {audio_ids} audio ids ({fingerprints} fingerprints), \
             {releases} releases, {events} events and {runs} runs from {from} to {to}"
        )?;
    }
    Ok(Exit::Clean)
}
