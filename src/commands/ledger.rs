//! `isrc-stamp ledger list | show ISRC | export | import FILE | copy --to LOCATION | void
//! ISRC`: what the ledger holds, moving it in and out as CSV or JSON Lines or whole into
//! another ledger, and withdrawing a code.
//!
//! The exchange format (columns, formula neutralisation, what import checks) is
//! documented in [`crate::ledger::exchange`].

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::isrc::Isrc;
use crate::ledger::exchange::{self, Defaults, ImportError, ImportSummary, RowError};
use crate::ledger::{self, AudioRecord, CopySummary, Event, Ledger, LedgerError, Location, NewEvent, Recording};
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
            r.title.as_deref().unwrap_or("-"),
            r.artist.as_deref().unwrap_or("-")
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
    // A snapshot is consistent while others assign, and needs no right to write.
    let entries = exchange::entries(ledger.snapshot()?.as_mut())?;
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
/// transaction (exit 0) or none, with each bad row reported by line number (exit 1).
pub(crate) fn import(
    ledger: &mut dyn Ledger,
    file: &Path,
    user: &str,
    json: bool,
    quiet: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let defaults = Defaults { user: user.to_owned(), at: crate::ledger::now() };
    let parsed = exchange::parse(&bytes, &defaults);
    if !quiet && !parsed.ignored.is_empty() {
        eprintln!("note: ignoring columns isrc-stamp does not know: {}", parsed.ignored.join(", "));
    }
    let source = file.display().to_string();
    let result = ledger.transaction(|tx| {
        let imported = exchange::import(tx, &parsed.rows, &source, &defaults);
        match imported {
            Ok(_) if !parsed.errors.is_empty() => Err(ImportError::Rows(parsed.errors.clone())),
            Err(ImportError::Rows(more)) => {
                let mut all = [parsed.errors.as_slice(), more.as_slice()].concat();
                all.sort_by_key(|error| error.line);
                Err(ImportError::Rows(all))
            }
            other => other,
        }
    });
    match result {
        Ok(summary) => {
            print_summary(&summary, &source, json, out)?;
            Ok(Exit::Clean)
        }
        Err(ImportError::Rows(errors)) => {
            report_bad_rows(&errors, &source, json, out)?;
            Ok(Exit::Findings)
        }
        Err(ImportError::Ledger(error)) => Err(error.into()),
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

/// Every bad row on stderr (and as JSON lines on `out` with `--json`), then the verdict.
fn report_bad_rows(errors: &[RowError], source: &str, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    for error in errors {
        if json {
            output::json_line(out, error)?;
        } else {
            eprintln!("isrc-stamp: {source}: {error}");
        }
    }
    let mut lines: Vec<u64> = errors.iter().map(|error| error.line).collect();
    lines.dedup();
    eprintln!(
        "isrc-stamp: {} bad row(s) in {source}: nothing imported; fix them and import the file again",
        lines.len()
    );
    Ok(())
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
pub(crate) fn copy(
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
        let CopySummary { prefixes, recordings, audio_ids, fingerprints, events } = copied;
        writeln!(
            out,
            "copied {prefixes} prefixes, {recordings} recordings, {audio_ids} audio ids ({fingerprints} fingerprints) \
             and {events} events from {from} to {to}"
        )?;
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
