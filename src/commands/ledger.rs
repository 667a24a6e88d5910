//! `isrc-stamp ledger list | show ISRC`: what the ledger holds.

use std::io::Write;

use serde::Serialize;

use crate::code::Isrc;
use crate::ledger::{AudioRecord, Event, Lookup, Recording, SqliteLedger};
use crate::report::{self, Exit};

/// Runs `ledger list`: every recording, by code.
pub fn list(ledger: &SqliteLedger, json: bool, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let recordings = ledger.recordings()?;
    if json {
        for recording in &recordings {
            report::json_line(out, recording)?;
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
pub fn show(ledger: &SqliteLedger, isrc: Isrc, json: bool, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let Some(recording) = ledger.recording(isrc)? else {
        eprintln!("isrc-stamp: {isrc} is not in the ledger");
        return Ok(Exit::Findings);
    };
    let shown = Shown { audio: ledger.audio_for_code(isrc)?, events: ledger.events_for(isrc)?, recording };
    if json {
        report::json_line(out, &shown)?;
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
    writeln!(out, "  origin      {} by {} at {}", r.origin.as_str(), r.issued_by, report::timestamp(r.issued_at))?;
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
            report::timestamp(event.at),
            event.action,
            event.user,
            event.detail
        )?;
    }
    Ok(Exit::Clean)
}
