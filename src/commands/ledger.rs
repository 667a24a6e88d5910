//! `isrc-stamp ledger list | show ISRC | edit ISRC | export | import FILE | copy --to
//! LOCATION | check | backup FILE | void ISRC | unlink | prefixes`: what the ledger holds,
//! its text corrected, moving it in and out as CSV or JSON Lines or whole into another
//! ledger, the code list for a label, its health, and withdrawing a code.
//!
//! The exchange format (columns, formula neutralisation, what import checks) is
//! documented in [`crate::ledger::exchange`].

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::audio::AudioId;
use crate::isrc::{Isrc, Prefix};
use crate::ledger::exchange::recordings::{self, CodeRow};
use crate::ledger::exchange::{self, BadRows, Defaults, ImportError, ImportSummary};
use crate::ledger::{
    self, AudioRecord, CopySummary, Event, Ledger, LedgerError, Location, MetadataEdit, NewEvent, Recording,
};
use crate::output::{self, Exit};

/// A text for an event: quoted, or `(none)`.
fn shown(value: &Option<String>) -> String {
    value.as_ref().map_or_else(|| "(none)".to_owned(), |v| format!("{v:?}"))
}

/// A line of `ledger list --json`: the recording, and its reference audio's duration.
#[derive(Debug, Serialize)]
struct Listed<'a> {
    #[serde(flatten)]
    recording: &'a Recording,
    duration_seconds: Option<f64>,
}

/// Runs `ledger list`: every recording, by code, with its title, version, artist and the
/// duration of its reference audio (as in `export --recordings`).
pub(crate) fn list(ledger: &mut dyn Ledger, json: bool, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let entries = exchange::entries(ledger)?;
    let rows: Vec<CodeRow> = entries.iter().map(CodeRow::of).collect();
    if json {
        for (entry, row) in entries.iter().zip(&rows) {
            output::json_line(out, &Listed { recording: &entry.recording, duration_seconds: row.duration_seconds })?;
        }
        return Ok(Exit::Clean);
    }
    writeln!(
        out,
        "{:<12}  {:<6}  {:<8}  {:>11}  {:<30}  {:<16}  ARTIST",
        "ISRC", "STATUS", "ORIGIN", "DURATION", "TITLE", "VERSION"
    )?;
    for (entry, row) in entries.iter().zip(&rows) {
        let r = &entry.recording;
        writeln!(
            out,
            "{:<12}  {:<6}  {:<8}  {:>11}  {:<30}  {:<16}  {}",
            r.isrc.as_str(),
            r.status.as_str(),
            r.origin.as_str(),
            row.duration_seconds.map(output::duration).unwrap_or_else(|| "-".into()),
            output::escape_controls(r.title.as_deref().unwrap_or("-")),
            output::escape_controls(r.version_note.as_deref().unwrap_or("-")),
            output::escape_controls(r.artist.as_deref().unwrap_or("-"))
        )?;
    }
    Ok(Exit::Clean)
}

/// Runs `ledger edit ISRC`: changes the title, artist or version, with an `edit` event
/// saying what was and what is; exit 1 when the code is not in the ledger or void.
pub(crate) fn edit(
    ledger: &mut dyn Ledger,
    isrc: Isrc,
    edit: &MetadataEdit,
    user: &str,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let result = ledger.transaction(|tx| {
        let before = tx.recording(isrc)?;
        let after = tx.edit_metadata(isrc, edit)?;
        let before = before.ok_or(LedgerError::UnknownCode(isrc))?;
        let fields = [
            ("title", &before.title, &after.title),
            ("artist", &before.artist, &after.artist),
            ("version", &before.version_note, &after.version_note),
        ];
        let changes: Vec<String> = fields
            .iter()
            .filter(|(_, was, is)| was != is)
            .map(|(name, was, is)| format!("{name} {} -> {}", shown(was), shown(is)))
            .collect();
        let detail = if changes.is_empty() { "no change".to_owned() } else { changes.join("; ") };
        tx.log(&NewEvent {
            isrc: Some(isrc),
            detail: detail.clone(),
            ..NewEvent::new(user, crate::ledger::now(), "edit")
        })?;
        Ok((after, detail))
    });
    let (after, detail) = match result {
        Ok(done) => done,
        Err(error @ (LedgerError::UnknownCode(_) | LedgerError::CodeVoid(_))) => {
            eprintln!("isrc-stamp: {error}");
            return Ok(Exit::Findings);
        }
        Err(error) => return Err(error.into()),
    };
    if json {
        output::json_line(out, &after)?;
    } else {
        writeln!(out, "{} ({isrc}): {detail}", isrc.display_form())?;
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
    if let Some(version) = &r.version_note {
        writeln!(out, "  version     {version}")?;
    }
    if let (Some(parent), Some(relation)) = (r.parent, r.relation) {
        writeln!(out, "  lineage     {} of {parent}", relation.as_str())?;
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

/// Which list `ledger export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum List {
    /// Every recording with its audio ids: what import reads back.
    Full,
    /// `--recordings`: one row per code, for a label.
    Codes,
}

/// Runs `ledger export`: every recording with its audio ids (or the code list), to `out`
/// or, written atomically, to `output`.
pub(crate) fn export(
    ledger: &mut dyn Ledger,
    format: ExportFormat,
    list: List,
    output: Option<&Path>,
    quiet: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    // A snapshot is consistent while others assign, and needs no right to write.
    let entries = exchange::entries(ledger.snapshot()?.as_mut())?;
    let write = |out: &mut dyn Write| -> anyhow::Result<()> {
        match (list, format) {
            (List::Full, ExportFormat::Csv) => exchange::write_csv(&entries, out)?,
            (List::Full, ExportFormat::Json) => exchange::write_json(&entries, out)?,
            (List::Codes, ExportFormat::Csv) => recordings::write_codes_csv(&entries, out)?,
            (List::Codes, ExportFormat::Json) => recordings::write_codes_json(&entries, out)?,
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
    // Only a file this import created is removed again; a server's schema stays.
    let existed = location.path().is_none_or(Path::is_file);
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

/// What `ledger unlink --json` prints.
#[derive(Debug, Serialize)]
struct Unlinked<'a> {
    audio_id: String,
    isrc: Isrc,
    reason: &'a str,
}

/// Runs `ledger unlink PATH|AUDIO_ID --reason TEXT`: removes the audio id's binding (a
/// link made by mistake) with an `unlink` event; the code and its other audio stay.
/// Exit 1 when the audio id is not bound.
pub(crate) fn unlink(
    ledger: &mut dyn Ledger,
    target: &Path,
    reason: &str,
    user: &str,
    ledger_arg: &str,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    if reason.trim().is_empty() {
        anyhow::bail!("--reason is empty: say why the binding was wrong, it stays in the ledger's history");
    }
    let (audio_id, path) = match target.to_str().and_then(AudioId::parse) {
        Some(audio_id) => (audio_id, None),
        None => {
            let facts = crate::audio::analyze(target)
                .with_context(|| format!("{}: cannot find its audio id", output::path(target)))?;
            (facts.audio_id, Some(output::path(target)))
        }
    };
    let result = ledger.transaction(|tx| {
        let isrc = tx.unbind_audio(&audio_id)?;
        tx.log(&NewEvent {
            isrc: Some(isrc),
            audio_id: Some(audio_id.clone()),
            path: path.clone(),
            detail: reason.to_owned(),
            ..NewEvent::new(user, crate::ledger::now(), "unlink")
        })?;
        Ok::<_, LedgerError>(isrc)
    });
    let isrc = match result {
        Ok(isrc) => isrc,
        Err(error @ LedgerError::UnknownAudio(_)) => {
            eprintln!("isrc-stamp: {error}: nothing to unlink");
            return Ok(Exit::Findings);
        }
        Err(error) => return Err(error.into()),
    };
    if json {
        output::json_line(out, &Unlinked { audio_id: audio_id.to_string(), isrc, reason })?;
    } else {
        writeln!(out, "{audio_id} is no longer bound to {isrc}: {reason}")?;
        if let Some(path) = &path {
            writeln!(
                out,
                "  the file still carries {isrc}; decide it afresh with `isrc-stamp{ledger_arg} assign --fix {path}`"
            )?;
        }
    }
    Ok(Exit::Clean)
}

/// One prefix as `ledger prefixes --json` prints it.
#[derive(Debug, Serialize)]
struct PrefixLine {
    prefix: String,
    range: String,
    created_at: i64,
    codes_per_year: std::collections::BTreeMap<String, u64>,
}

/// Runs `ledger prefixes`: every prefix with its range and the codes used per year.
pub(crate) fn prefixes(ledger: &mut dyn Ledger, json: bool, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let prefixes = ledger.prefixes()?;
    for record in prefixes {
        let usage = ledger.prefix_usage(record.prefix)?;
        if json {
            let codes_per_year = usage.iter().map(|(year, n)| (format!("{year:02}"), *n)).collect();
            let line = PrefixLine {
                prefix: record.prefix.as_str().to_owned(),
                range: record.range.to_string(),
                created_at: record.created_at,
                codes_per_year,
            };
            output::json_line(out, &line)?;
            continue;
        }
        let years: Vec<String> = usage.iter().map(|(year, n)| format!("{year:02}: {n}")).collect();
        let used =
            if years.is_empty() { "no codes yet".to_owned() } else { format!("codes per year {}", years.join(", ")) };
        writeln!(out, "{}  designations {}  {used}", record.prefix, record.range)?;
    }
    Ok(Exit::Clean)
}

/// Runs `ledger prefix remove CC-XXX`: exit 1 while a code uses it or when it is not there.
pub(crate) fn remove_prefix(ledger: &mut dyn Ledger, prefix: Prefix, out: &mut dyn Write) -> anyhow::Result<Exit> {
    match ledger.remove_prefix(prefix) {
        Ok(()) => {
            writeln!(out, "prefix {prefix} removed")?;
            Ok(Exit::Clean)
        }
        Err(error @ (LedgerError::PrefixInUse { .. } | LedgerError::UnknownPrefix(_))) => {
            eprintln!("isrc-stamp: {error}");
            Ok(Exit::Findings)
        }
        Err(error) => Err(error.into()),
    }
}
