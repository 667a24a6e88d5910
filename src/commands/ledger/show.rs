//! What the ledger holds, read and printed: `ledger list`, `ledger show ISRC` (a code
//! with its audio, where each was seen, its releases and its history), `ledger runs` and
//! `ledger prefixes`. Nothing here writes the ledger.

use std::io::Write;

use serde::Serialize;

use crate::base::ids::AudioId;
use crate::isrc::Isrc;
use crate::ledger::exchange;
use crate::ledger::exchange::recordings::CodeRow;
use crate::ledger::{self, AudioRecord, Event, Ledger, Recording};
use crate::output::{self, Exit};

/// A line of `ledger list --json`: the recording, and its reference audio's duration.
#[derive(Debug, Serialize)]
struct Listed<'a> {
    #[serde(flatten)]
    recording: &'a Recording,
    duration_seconds: Option<f64>,
}

/// Runs `ledger list`: every recording (with `unbound`, the active ones with no audio
/// yet), by code, with its title, version, artist and the duration of its reference
/// audio (as in `export --recordings`), or the duration a list declared.
pub(super) fn list(ledger: &mut dyn Ledger, unbound: bool, json: bool, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let mut entries = exchange::entries(ledger)?;
    if unbound {
        entries.retain(|entry| entry.audio.is_empty() && entry.recording.status == ledger::Status::Active);
    }
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
            row.duration_seconds
                .or(r.declared_ms.map(|ms| ms as f64 / 1000.0))
                .map(output::duration)
                .unwrap_or_else(|| "-".into()),
            output::escape_controls(r.title.as_deref().unwrap_or("-")),
            output::escape_controls(r.version_note.as_deref().unwrap_or("-")),
            output::escape_controls(r.artist.as_deref().unwrap_or("-"))
        )?;
    }
    Ok(Exit::Clean)
}

/// A recording with its audio ids, where each was seen, and its history, as `ledger
/// show --json` prints it.
#[derive(Debug, Serialize)]
struct Shown {
    recording: Recording,
    audio: Vec<AudioRecord>,
    seen: Vec<SeenAt>,
    releases: Vec<OnRelease>,
    events: Vec<Event>,
}

/// A path where an audio id of the code was seen, and when last.
#[derive(Debug, Serialize)]
struct SeenAt {
    audio_id: AudioId,
    path: String,
    first_seen: i64,
    last_seen: i64,
}

/// A release the code is on.
#[derive(Debug, Serialize)]
struct OnRelease {
    upc: String,
    disc: u32,
    track: u32,
}

/// Every path where each of `audio` was seen (its history's events that name a path),
/// with when first and last, in the order of the audio ids, then of first sight.
fn seen_at(ledger: &mut dyn Ledger, audio: &[AudioRecord]) -> anyhow::Result<Vec<SeenAt>> {
    let mut seen: Vec<SeenAt> = Vec::new();
    for record in audio {
        let start = seen.len();
        for event in ledger.events_for_audio(&record.audio_id)? {
            let Some(path) = event.path else { continue };
            match seen[start..].iter_mut().find(|s| s.path == path) {
                Some(known) => known.last_seen = known.last_seen.max(event.at),
                None => seen.push(SeenAt {
                    audio_id: record.audio_id.clone(),
                    path,
                    first_seen: event.at,
                    last_seen: event.at,
                }),
            }
        }
        if seen.len() == start && !record.first_path.is_empty() {
            seen.push(SeenAt {
                audio_id: record.audio_id.clone(),
                path: record.first_path.clone(),
                first_seen: record.added_at,
                last_seen: record.added_at,
            });
        }
    }
    Ok(seen)
}

/// Runs `ledger show ISRC`: exit 1 when the ledger does not hold the code.
pub(super) fn show(ledger: &mut dyn Ledger, isrc: Isrc, json: bool, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let Some(recording) = ledger.recording(isrc)? else {
        eprintln!("isrc-stamp: {isrc} is not in the ledger");
        return Ok(Exit::Findings);
    };
    let audio = ledger.audio_for_code(isrc)?;
    let seen = seen_at(ledger, &audio)?;
    let releases = ledger
        .tracks_of(isrc)?
        .into_iter()
        .map(|(upc, track)| OnRelease { upc: upc.as_typed().to_owned(), disc: track.disc, track: track.number })
        .collect();
    let shown = Shown { audio, seen, releases, events: ledger.events_for(isrc)?, recording };
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
    let issued = r.issued_at.map_or_else(|| "an unknown time".to_owned(), output::timestamp);
    writeln!(out, "  origin      {} by {}, issued {issued}", r.origin.as_str(), r.issued_by)?;
    if r.issued_at != Some(r.entered_at) {
        writeln!(out, "  entered     {}", output::timestamp(r.entered_at))?;
    }
    writeln!(out, "  title       {}", r.title.as_deref().unwrap_or("-"))?;
    writeln!(out, "  artist      {}", r.artist.as_deref().unwrap_or("-"))?;
    if let Some(version) = &r.version_note {
        writeln!(out, "  version     {version}")?;
    }
    if let (Some(parent), Some(relation)) = (r.parent, r.relation) {
        writeln!(out, "  lineage     {} of {parent}", relation.as_str())?;
    }
    if let Some(ms) = r.declared_ms {
        writeln!(out, "  declared    {}", output::duration(ms as f64 / 1000.0))?;
    }
    let p = &r.publication;
    writeln!(out, "  content     {}", p.content_type)?;
    writeln!(out, "  p-date      {}", p.p_date.as_deref().unwrap_or("-"))?;
    writeln!(out, "  p line      {}", p.p_line().map_or_else(|| "-".to_owned(), |line| format!("\u{2117} {line}")))?;
    if let Some(warning) = p.parental_warning {
        writeln!(out, "  parental    {warning}")?;
    }
    for release in &shown.releases {
        writeln!(out, "  release     {} disc {} track {}", release.upc, release.disc, release.track)?;
    }
    for audio in &shown.audio {
        writeln!(
            out,
            "  audio       {}  {} Hz {} ch {}-bit, {} frames, first seen {}",
            audio.audio_id, audio.sample_rate, audio.channels, audio.bits, audio.frames, audio.first_path
        )?;
    }
    for seen in &shown.seen {
        writeln!(
            out,
            "  seen at     {}  (last {})",
            output::escape_controls(&seen.path),
            output::timestamp(seen.last_seen)
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

/// Runs `ledger runs`: the `last` most recent `assign` runs, oldest first; `--json`, one
/// object per run (`run`, `started_at`, `user`, `host`, `role`, `paths`, `counts`).
pub(super) fn runs(ledger: &mut dyn Ledger, last: usize, json: bool, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let runs = ledger.runs(last)?;
    if json {
        for run in &runs {
            output::json_line(out, run)?;
        }
        return Ok(Exit::Clean);
    }
    writeln!(out, "{:>5}  {:<20}  {:<24}  {:<32}  PATHS", "RUN", "STARTED", "BY", "COUNTS")?;
    for run in &runs {
        let by = match &run.role {
            Some(role) => format!("{}@{} as {role}", run.user, run.host),
            None => format!("{}@{}", run.user, run.host),
        };
        let counts: Vec<String> = run.counts.iter().map(|(action, n)| format!("{n} {action}")).collect();
        let counts = if counts.is_empty() { "(unfinished)".to_owned() } else { counts.join(", ") };
        writeln!(
            out,
            "{:>5}  {:<20}  {:<24}  {:<32}  {}",
            run.run,
            output::timestamp(run.started_at),
            output::escape_controls(&by),
            counts,
            output::escape_controls(&run.paths.join(" "))
        )?;
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
pub(super) fn prefixes(ledger: &mut dyn Ledger, json: bool, out: &mut dyn Write) -> anyhow::Result<Exit> {
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
