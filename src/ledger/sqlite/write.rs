//! Writes. Each runs inside the caller's transaction; checks come first so errors name
//! the problem, and the schema's constraints stand behind them.

use rusqlite::{Connection, params};

use super::read;
use crate::audio::AudioId;
use crate::code::{DesignationRange, Isrc, Prefix};
use crate::ledger::error::{LedgerError, Result};
use crate::ledger::types::{AudioRecord, NewEvent, NewRecording, Origin, Relation, Status};

/// Adds a prefix; `false` if it is already there with the same range.
pub fn add_prefix(conn: &Connection, prefix: Prefix, range: DesignationRange, at: i64) -> Result<bool> {
    if range.first > range.last || range.last > 99_999 {
        return Err(LedgerError::InvalidRange(range));
    }
    if let Some(existing) = read::prefix(conn, prefix)? {
        if existing.range == range {
            return Ok(false);
        }
        return Err(LedgerError::PrefixRangeMismatch { prefix, existing: existing.range, requested: range });
    }
    conn.execute(
        "INSERT INTO prefix (prefix, range_first, range_last, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![prefix.as_str(), range.first, range.last, at],
    )?;
    Ok(true)
}

/// Issues and records the next code for a prefix and year.
pub fn issue_next(conn: &Connection, prefix: Prefix, year: u8, new: &NewRecording) -> Result<Isrc> {
    if year > 99 {
        return Err(LedgerError::InvalidYear(year));
    }
    let range = read::prefix(conn, prefix)?.ok_or(LedgerError::UnknownPrefix(prefix))?.range;
    let designation =
        next_designation(conn, prefix, year, range)?.ok_or(LedgerError::RangeExhausted { prefix, year, range })?;
    let isrc = Isrc::from_parts(prefix, year, designation)
        .map_err(|_| LedgerError::Corrupt { column: "prefix.range_last", value: range.to_string() })?;
    insert_recording(conn, isrc, Origin::Issued, new)?;
    Ok(isrc)
}

/// The designation to issue: one above the highest used, or the lowest gap once the top
/// of the range is used; `None` when the range is full.
fn next_designation(conn: &Connection, prefix: Prefix, year: u8, range: DesignationRange) -> Result<Option<u32>> {
    let bounds = (range.first, range.last);
    match read::highest_used(conn, prefix, year, bounds)? {
        None => Ok(Some(range.first)),
        Some(top) if top < range.last => Ok(Some(top + 1)),
        Some(_) if !read::designation_used(conn, prefix, year, range.first)? => Ok(Some(range.first)),
        Some(_) => read::lowest_gap_above(conn, prefix, year, bounds),
    }
}

/// Records a code found elsewhere.
pub fn adopt(conn: &Connection, isrc: Isrc, origin: Origin, new: &NewRecording) -> Result<()> {
    insert_recording(conn, isrc, origin, new)
}

/// Inserts a recording after checking the code is new and the parent exists.
fn insert_recording(conn: &Connection, isrc: Isrc, origin: Origin, new: &NewRecording) -> Result<()> {
    if read::status(conn, isrc)?.is_some() {
        return Err(LedgerError::AlreadyInLedger(isrc));
    }
    check_lineage(conn, new)?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO recording (code, prefix, year, designation, origin, status, title, artist,
             version_note, parent, relation, issued_at, issued_by)
         VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    stmt.execute(params![
        isrc.as_str(),
        isrc.prefix().as_str(),
        isrc.year(),
        isrc.designation(),
        origin.as_str(),
        new.title,
        new.artist,
        new.version_note,
        new.parent.as_ref().map(Isrc::as_str),
        new.relation.map(Relation::as_str),
        new.issued_at,
        new.issued_by,
    ])?;
    Ok(())
}

/// A relation needs a parent, and the parent must be in the ledger.
fn check_lineage(conn: &Connection, new: &NewRecording) -> Result<()> {
    match (new.parent, new.relation) {
        (None, Some(relation)) => Err(LedgerError::RelationWithoutParent(relation)),
        (Some(parent), _) if read::status(conn, parent)?.is_none() => Err(LedgerError::UnknownCode(parent)),
        _ => Ok(()),
    }
}

/// Binds an audio id to an active code; `false` if already bound to that code.
pub fn bind_audio(conn: &Connection, audio: &AudioRecord) -> Result<bool> {
    match read::code_for_audio(conn, &audio.audio_id)? {
        Some(bound) if bound == audio.isrc => return Ok(false),
        Some(bound) => {
            return Err(LedgerError::AudioBoundElsewhere {
                audio_id: audio.audio_id.clone(),
                bound_to: bound,
                requested: audio.isrc,
            });
        }
        None => {}
    }
    match read::status(conn, audio.isrc)? {
        None => return Err(LedgerError::UnknownCode(audio.isrc)),
        Some(Status::Void) => return Err(LedgerError::CodeVoid(audio.isrc)),
        Some(Status::Active) => {}
    }
    let frames =
        i64::try_from(audio.frames).map_err(|error| rusqlite::Error::ToSqlConversionFailure(Box::new(error)))?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO audio (audio_id, isrc, frames, rate, channels, bits, first_path, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    stmt.execute(params![
        audio.audio_id.as_str(),
        audio.isrc.as_str(),
        frames,
        audio.sample_rate,
        audio.channels,
        audio.bits,
        audio.first_path,
        audio.added_at,
    ])?;
    Ok(true)
}

/// Appends an event; returns its id.
pub fn log(conn: &Connection, event: &NewEvent) -> Result<i64> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO event (at, user, path, audio_id, isrc, action, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    stmt.execute(params![
        event.at,
        event.user,
        event.path,
        event.audio_id.as_ref().map(AudioId::as_str),
        event.isrc.as_ref().map(Isrc::as_str),
        event.action,
        event.detail,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Voids an active code.
pub fn void(conn: &Connection, isrc: Isrc, reason: &str) -> Result<()> {
    match read::status(conn, isrc)? {
        None => Err(LedgerError::UnknownCode(isrc)),
        Some(Status::Void) => Err(LedgerError::AlreadyVoid(isrc)),
        Some(Status::Active) => {
            conn.execute(
                "UPDATE recording SET status = 'void', void_reason = ?2 WHERE code = ?1",
                params![isrc.as_str(), reason],
            )?;
            Ok(())
        }
    }
}
