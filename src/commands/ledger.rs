//! `isrc-stamp ledger list | show ISRC | export | import FILE | void ISRC`: what the
//! ledger holds, moving it in and out as CSV or JSON Lines, and withdrawing a code.
//!
//! The exchange format (columns, formula neutralisation, what import checks) is
//! documented in [`crate::ledger::exchange`].

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::isrc::Isrc;
use crate::ledger::exchange::{self, BadRows, Defaults, ImportError, ImportSummary};
use crate::ledger::{AudioRecord, Event, Ledger, LedgerError, Location, NewEvent, Recording};
use crate::output::{self, Exit};

/// Runs `ledger list`: every recording, by code.
pub(crate) fn list(ledger: &mut dyn Ledger, json: bool, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let recordings = ledger.recordings()?;
    if json {
        for recording in &recordings {
            output::json_line(out, recording)?;
        }
        return Ok(Exit::Clean);
    }
    writeln!(out, "{:<12}  {:<6}  {:<8}  {:<30}  ARTIST", "ISRC", "STATUS", "ORIGIN", "TITLE")?;
    for r in &recordings {
        writeln!(
            out,
            "{:<12}  {:<6}  {:<8}  {:<30}  {}",
            r.isrc.as_str(),
            r.status.as_str(),
            r.origin.as_str(),
            output::escape_controls(r.title.as_deref().unwrap_or("-")),
            output::escape_controls(r.artist.as_deref().unwrap_or("-"))
        )?;
    }
    Ok(Exit::Clean)
}

/// A recording with its audio ids and history, as `ledger show --json` prints it.
#[derive(Debug, Serialize)]
struct Shown {
    recording: Recording,
    audio: Vec<AudioRecord>,
    events: Vec<Event>,
}

/// Runs `ledger show ISRC`: exit 1 when the ledger does not hold the code.
pub(crate) fn show(ledger: &mut dyn Ledger, isrc: Isrc, json: bool, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let Some(recording) = ledger.recording(isrc)? else {
        eprintln!("isrc-stamp: {isrc} is not in the ledger");
        return Ok(Exit::Findings);
    };
    let shown = Shown { audio: ledger.audio_for_code(isrc)?, events: ledger.events_for(isrc)?, recording };
    if json {
        output::json_line(out, &shown)?;
        return Ok(Exit::Clean);
    }
    let r = &shown.recording;
    writeln!(out, "{}  ({})", r.isrc.display_form(), r.isrc)?;
    writeln!(
        out,
        "  status      {}{}",
        r.status.as_str(),
        r.void_reason.as_deref().map(|why| format!(": {why}")).unwrap_or_default()
    )?;
    writeln!(out, "  origin      {} by {} at {}", r.origin.as_str(), r.issued_by, output::timestamp(r.issued_at))?;
    writeln!(out, "  title       {}", r.title.as_deref().unwrap_or("-"))?;
    writeln!(out, "  artist      {}", r.artist.as_deref().unwrap_or("-"))?;
    if let (Some(parent), Some(relation)) = (r.parent, r.relation) {
        writeln!(out, "  version     {} of {parent}", relation.as_str())?;
    }
    for audio in &shown.audio {
        writeln!(
            out,
            "  audio       {}  {} Hz {} ch {}-bit, {} frames, first seen {}",
            audio.audio_id, audio.sample_rate, audio.channels, audio.bits, audio.frames, audio.first_path
        )?;
    }
    for event in &shown.events {
        let path = event.path.as_deref().unwrap_or("");
        writeln!(
            out,
            "  history     {}  {:<12} {} {path} {}",
            output::timestamp(event.at),
            event.action,
            event.user,
            event.detail
        )?;
    }
    Ok(Exit::Clean)
}

/// The format of `ledger export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// CSV with a header row, one row per (recording, audio id) pair.
    Csv,
    /// JSON Lines, one object per recording with an `audio` array.
    Json,
}

/// Runs `ledger export`: every recording with its audio ids, to `out` or, written
/// atomically, to `output`.
pub(crate) fn export(
    ledger: &mut dyn Ledger,
    format: ExportFormat,
    output: Option<&Path>,
    quiet: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    // A write transaction gives a consistent snapshot while others assign.
    let entries = ledger.transaction(|tx| exchange::entries(tx))?;
    let write = |out: &mut dyn Write| -> anyhow::Result<()> {
        match format {
            ExportFormat::Csv => exchange::write_csv(&entries, out)?,
            ExportFormat::Json => exchange::write_json(&entries, out)?,
        }
        Ok(())
    };
    let Some(path) = output else {
        write(out)?;
        return Ok(Exit::Clean);
    };
    crate::write::write_atomically(path, write)?;
    if !quiet {
        let audio: usize = entries.iter().map(|entry| entry.audio.len()).sum();
        eprintln!("exported {} recordings and {audio} audio ids to {}", entries.len(), path.display());
    }
    Ok(Exit::Clean)
}

/// Runs `ledger import FILE`: every row is checked, and either all are imported in one
/// transaction (exit 0) or none, with the bad rows reported by line number (exit 1; the
/// first [`exchange::SHOWN_ERRORS`] problems and a count of the rest). The file is read
/// twice, in bounded memory ([`exchange::stage`], then [`exchange::import`]); a ledger
/// that did not exist is created only for an import that succeeds.
pub(crate) fn import(
    location: &Location,
    file: &Path,
    user: &str,
    json: bool,
    quiet: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let input = std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let defaults = Defaults { user: user.to_owned(), at: crate::ledger::now() };
    let mut staged = exchange::stage(input, &defaults).with_context(|| format!("cannot read {}", file.display()))?;
    if !quiet && !staged.ignored.is_empty() {
        eprintln!("note: ignoring columns isrc-stamp does not know: {}", staged.ignored.join(", "));
    }
    let source = file.display().to_string();
    if let Some(bad) = staged.bad_rows() {
        report_bad_rows(&bad, &source, json, out)?;
        return Ok(Exit::Findings);
    }
    let existed = location.exists();
    let mut ledger = crate::ledger::open(location)?;
    let result = ledger.transaction(|tx| exchange::import(tx, &mut staged, &source));
    drop(ledger);
    if result.is_err() && !existed {
        remove_new_ledger(location);
    }
    match result {
        Ok(summary) => {
            print_summary(&summary, &source, json, out)?;
            Ok(Exit::Clean)
        }
        Err(ImportError::Rows(bad)) => {
            report_bad_rows(&bad, &source, json, out)?;
            Ok(Exit::Findings)
        }
        Err(ImportError::Ledger(error)) => Err(error.into()),
        Err(error @ ImportError::Scratch(_)) => Err(error.into()),
    }
}

/// Removes the ledger an import created and then did not fill (its WAL files with it).
fn remove_new_ledger(location: &Location) {
    if let Some(path) = location.path() {
        for suffix in ["", "-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            let _ = std::fs::remove_file(name);
        }
    }
}

/// What an import did, as a sentence or a `{"summary":{...}}` line.
fn print_summary(summary: &ImportSummary, source: &str, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    if json {
        #[derive(Serialize)]
        struct Line<'a> {
            summary: &'a ImportSummary,
        }
        output::json_line(out, &Line { summary })?;
        return Ok(());
    }
    let ImportSummary { recordings_imported, recordings_skipped, audio_imported, audio_skipped } = *summary;
    writeln!(
        out,
        "imported {recordings_imported} recordings and {audio_imported} audio ids from {source}; \
         skipped {recordings_skipped} recordings and {audio_skipped} audio ids already in the ledger"
    )?;
    Ok(())
}

/// The first bad rows on stderr (and as JSON lines on `out` with `--json`), then the
/// verdict with the count of all.
fn report_bad_rows(bad: &BadRows, source: &str, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    for error in &bad.shown {
        if json {
            output::json_line(out, error)?;
        } else {
            eprintln!("isrc-stamp: {source}: {}", output::escape_controls(&error.to_string()));
        }
    }
    if bad.shown.len() == exchange::SHOWN_ERRORS {
        eprintln!("isrc-stamp: only the first {} problems are shown", exchange::SHOWN_ERRORS);
    }
    eprintln!("isrc-stamp: {} bad row(s) in {source}: nothing imported; fix them and import the file again", bad.rows);
    Ok(())
}

/// One finding of `ledger check`, as `--json` prints it.
#[derive(Debug, Serialize)]
struct CheckFinding<'a> {
    /// `integrity` (the database's own check) or `invariant` (the ledger's rules).
    kind: &'static str,
    message: &'a str,
}

/// Runs `ledger check`: the backend's full integrity check, then the ledger's own
/// invariants; every finding printed; exit 1 with any.
pub(crate) fn check(ledger: &mut dyn Ledger, json: bool, out: &mut dyn Write) -> anyhow::Result<Exit> {
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

/// Runs `ledger backup FILE`: a consistent copy, written whole or not at all.
pub(crate) fn backup(ledger: &mut dyn Ledger, file: &Path, quiet: bool, out: &mut dyn Write) -> anyhow::Result<Exit> {
    ledger.backup(file).with_context(|| format!("cannot back the ledger up to {}", file.display()))?;
    if !quiet {
        writeln!(out, "backed the ledger up to {}", file.display())?;
    }
    Ok(Exit::Clean)
}

/// What `ledger void --json` prints.
#[derive(Debug, Serialize)]
struct Voided<'a> {
    isrc: Isrc,
    status: &'static str,
    void_reason: &'a str,
    audio_ids: usize,
}

/// Runs `ledger void ISRC --reason TEXT`: exit 1 when the code is not in the ledger or
/// already void.
pub(crate) fn void(
    ledger: &mut dyn Ledger,
    isrc: Isrc,
    reason: &str,
    user: &str,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    if reason.trim().is_empty() {
        anyhow::bail!("--reason is empty: say why {isrc} is withdrawn, it stays in the ledger's history");
    }
    let result = ledger.transaction(|tx| {
        tx.void(isrc, reason)?;
        tx.log(&NewEvent {
            isrc: Some(isrc),
            detail: reason.to_owned(),
            ..NewEvent::new(user, crate::ledger::now(), "void")
        })?;
        tx.audio_for_code(isrc).map(|audio| audio.len())
    });
    let audio_ids = match result {
        Ok(count) => count,
        Err(error @ (LedgerError::UnknownCode(_) | LedgerError::AlreadyVoid(_))) => {
            eprintln!("isrc-stamp: {error}");
            return Ok(Exit::Findings);
        }
        Err(error) => return Err(error.into()),
    };
    if json {
        output::json_line(out, &Voided { isrc, status: "void", void_reason: reason, audio_ids })?;
    } else {
        writeln!(out, "{} ({isrc}) is void: {reason}", isrc.display_form())?;
        writeln!(
            out,
            "  it is never issued again, and `verify` reports any file that carries it (audio ids bound to it: {audio_ids})"
        )?;
    }
    Ok(Exit::Clean)
}
