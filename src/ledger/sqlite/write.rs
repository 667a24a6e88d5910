//! Writes. Each runs inside the caller's transaction; the shared rules
//! ([`crate::ledger::rules`]) judge first, so errors name the problem, and the schema's
//! constraints stand behind them.

use std::collections::BTreeMap;

use rusqlite::{Connection, params};

use super::read;
use crate::base::ids::AudioId;
use crate::isrc::Catalog;
use crate::isrc::{DesignationRange, Isrc, Prefix};
use crate::ledger::error::{LedgerError, Result};
use crate::ledger::rules;
use crate::ledger::types::{
    AudioRecord, Event, MetadataEdit, NewEvent, NewRecording, NewRun, Origin, ParentalWarning, PrefixRecord, Recording,
    Relation, Release, Run, Stored,
};

/// Adds a prefix; `false` if it is already there with the same range.
pub(super) fn add_prefix(conn: &Connection, prefix: Prefix, range: DesignationRange, at: i64) -> Result<bool> {
    let existing = read::prefix(conn, prefix)?.map(|record| record.range);
    if !rules::check_new_prefix(prefix, range, existing)? {
        return Ok(false);
    }
    conn.execute(
        "INSERT INTO prefix (prefix, range_first, range_last, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![prefix.as_str(), range.first, range.last, at],
    )?;
    Ok(true)
}

/// Issues and records the next code for a prefix and year.
pub(super) fn issue_next(conn: &Connection, prefix: Prefix, year: u8, new: &NewRecording) -> Result<Isrc> {
    rules::check_year(year)?;
    let range = read::prefix(conn, prefix)?.ok_or(LedgerError::UnknownPrefix(prefix))?.range;
    let isrc = rules::next_code(&mut read::Used(conn), prefix, year, range)?;
    insert_recording(conn, isrc, Origin::Issued, new)?;
    Ok(isrc)
}

/// Inserts a recording after checking the code is new and the parent exists.
pub(super) fn insert_recording(conn: &Connection, isrc: Isrc, origin: Origin, new: &NewRecording) -> Result<()> {
    rules::check_new_recording(isrc, read::status(conn, isrc)?, new, |parent| {
        Ok(read::status(conn, parent)?.is_some())
    })?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO recording (code, prefix, year, designation, origin, status, title, artist,
             version_note, parent, relation, issued_at, issued_by, listed_issued_at, declared_ms,
             content_type, p_date, p_line_year, p_line_owner, parental_warning)
         VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
    )?;
    let declared_ms = new.declared_ms.map(|ms| rules::stored_int("the declared duration", ms)).transpose()?;
    let p = &new.publication;
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
        new.entered_at,
        new.issued_by,
        new.listed_issued_at,
        declared_ms,
        p.content_type.as_str(),
        p.p_date,
        p.p_line_year,
        p.p_line_owner,
        p.parental_warning.map(ParentalWarning::as_str),
    ])?;
    Ok(())
}

/// Enters a release, or replaces the one with its EAN; `true` when new.
pub(super) fn put_release(conn: &Connection, release: &Release) -> Result<bool> {
    rules::check_release(release, |isrc| Ok(read::status(conn, isrc)?.is_some()))?;
    let ean = release.upc.as_str();
    let new = read::release(conn, &release.upc)?.is_none();
    conn.prepare_cached(
        "INSERT INTO release (ean, upc, title, artist, label, date, p_line, c_line, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (ean) DO UPDATE SET upc = ?2, title = ?3, artist = ?4, label = ?5, date = ?6,
             p_line = ?7, c_line = ?8",
    )?
    .execute(params![
        ean,
        release.upc.as_typed(),
        release.title,
        release.artist,
        release.label,
        release.date,
        release.p_line,
        release.c_line,
        release.created_at
    ])?;
    conn.prepare_cached("DELETE FROM release_track WHERE ean = ?1")?.execute([ean])?;
    let mut insert =
        conn.prepare_cached("INSERT INTO release_track (ean, disc, number, isrc) VALUES (?1, ?2, ?3, ?4)")?;
    for track in &release.tracks {
        insert.execute(params![ean, track.disc, track.number, track.isrc.as_str()])?;
    }
    Ok(new)
}

/// Removes a release and its tracks; `false` when there is none.
pub(super) fn remove_release(conn: &Connection, upc: &Catalog) -> Result<bool> {
    conn.prepare_cached("DELETE FROM release_track WHERE ean = ?1")?.execute([upc.as_str()])?;
    Ok(conn.prepare_cached("DELETE FROM release WHERE ean = ?1")?.execute([upc.as_str()])? > 0)
}

/// Binds an audio id to an active code; `false` if already bound to that code.
pub(super) fn bind_audio(conn: &Connection, audio: &AudioRecord) -> Result<bool> {
    let bound = read::code_for_audio(conn, &audio.audio_id)?;
    let status = if bound.is_none() { read::status(conn, audio.isrc)? } else { None };
    if !rules::check_bind(audio, bound, status)? {
        return Ok(false);
    }
    insert_audio(conn, audio)?;
    Ok(true)
}

/// Inserts an audio row.
fn insert_audio(conn: &Connection, audio: &AudioRecord) -> Result<()> {
    let frames = rules::stored_int("the frame count", audio.frames)?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO audio (audio_id, isrc, frames, rate, channels, bits, first_path, added_at, codec)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
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
        audio.codec,
    ])?;
    Ok(())
}

/// Appends an event; returns its id.
pub(super) fn log(conn: &Connection, event: &NewEvent) -> Result<i64> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO event (at, user, path, audio_id, isrc, action, detail, run)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    stmt.execute(params![
        event.at,
        event.user,
        event.path,
        event.audio_id.as_ref().map(AudioId::as_str),
        event.isrc.as_ref().map(Isrc::as_str),
        event.action.as_str(),
        event.detail,
        event.run,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Records the start of a run; returns its id.
pub(super) fn start_run(conn: &Connection, run: &NewRun) -> Result<i64> {
    let paths = rules::json_text(&run.paths)?;
    conn.prepare_cached("INSERT INTO run (started_at, user, host, role, paths) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![run.started_at, run.user, run.host, run.role, paths])?;
    Ok(conn.last_insert_rowid())
}

/// Records a run's counts.
pub(super) fn finish_run(conn: &Connection, run: i64, counts: &BTreeMap<String, u64>) -> Result<()> {
    let counts = rules::json_text(counts)?;
    let changed = conn.prepare_cached("UPDATE run SET counts = ?2 WHERE id = ?1")?.execute(params![run, counts])?;
    rules::check_run_found(run, changed)
}

/// Changes a recording's title, artist and version note; returns it as it is now.
pub(super) fn edit_metadata(conn: &Connection, isrc: Isrc, edit: &MetadataEdit) -> Result<Recording> {
    let edited = rules::apply_edit(isrc, read::recording(conn, isrc)?.as_ref(), edit)?;
    let p = &edited.publication;
    conn.execute(
        "UPDATE recording SET title = ?2, artist = ?3, version_note = ?4, declared_ms = ?5, content_type = ?6,
             p_date = ?7, p_line_year = ?8, p_line_owner = ?9, parental_warning = ?10
         WHERE code = ?1",
        params![
            isrc.as_str(),
            edited.title,
            edited.artist,
            edited.version_note,
            edited.declared_ms,
            p.content_type.as_str(),
            p.p_date,
            p.p_line_year,
            p.p_line_owner,
            p.parental_warning.map(ParentalWarning::as_str),
        ],
    )?;
    read::recording(conn, isrc)?.ok_or(LedgerError::UnknownCode(isrc))
}

/// Voids an active code.
pub(super) fn void(conn: &Connection, isrc: Isrc, reason: &str) -> Result<()> {
    rules::check_void(isrc, read::status(conn, isrc)?)?;
    conn.execute(
        "UPDATE recording SET status = 'void', void_reason = ?2 WHERE code = ?1",
        params![isrc.as_str(), reason],
    )?;
    Ok(())
}

/// Removes a prefix no code uses.
pub(super) fn remove_prefix(conn: &Connection, prefix: Prefix) -> Result<()> {
    let exists = read::prefix(conn, prefix)?.is_some();
    let codes: u64 = read::prefix_usage(conn, prefix)?.iter().map(|(_, n)| n).sum();
    rules::check_prefix_removal(prefix, exists, codes)?;
    conn.execute("DELETE FROM prefix WHERE prefix = ?1", [prefix.as_str()])?;
    Ok(())
}

/// Removes an audio id's binding and its fingerprint; returns the code it had.
pub(super) fn unbind_audio(conn: &Connection, audio_id: &AudioId) -> Result<Isrc> {
    let isrc = rules::check_unbind(audio_id, read::code_for_audio(conn, audio_id)?)?;
    conn.execute("DELETE FROM fingerprint WHERE audio_id = ?1", [audio_id.as_str()])?;
    conn.execute("DELETE FROM audio WHERE audio_id = ?1", [audio_id.as_str()])?;
    Ok(isrc)
}

/// Writes items as another ledger stored them (`ledger copy`).
pub(super) fn restore(conn: &Connection, items: &[Stored]) -> Result<()> {
    for item in items {
        match item {
            Stored::Prefix(record) => restore_prefix(conn, record)?,
            Stored::Recording(recording) => restore_recording(conn, recording)?,
            Stored::Audio(audio, fingerprint) => {
                insert_audio(conn, audio)?;
                if let Some(fingerprint) = fingerprint {
                    super::fingerprint::store(conn, &audio.audio_id, fingerprint)?;
                }
            }
            Stored::Event(event) => restore_event(conn, event)?,
            Stored::Run(run) => restore_run(conn, run)?,
            Stored::Release(release) => {
                put_release(conn, release)?;
            }
        }
    }
    Ok(())
}

/// Inserts a prefix as stored.
fn restore_prefix(conn: &Connection, record: &PrefixRecord) -> Result<()> {
    rules::check_range(record.range)?;
    conn.prepare_cached("INSERT INTO prefix (prefix, range_first, range_last, created_at) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![record.prefix.as_str(), record.range.first, record.range.last, record.created_at])?;
    Ok(())
}

/// Inserts a recording as stored: origin, status and void reason kept.
fn restore_recording(conn: &Connection, r: &Recording) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO recording (code, prefix, year, designation, origin, status, title, artist,
             version_note, parent, relation, issued_at, issued_by, void_reason, listed_issued_at, declared_ms,
             content_type, p_date, p_line_year, p_line_owner, parental_warning)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
    )?;
    let p = &r.publication;
    let listed = if r.origin == Origin::Imported { r.issued_at } else { None };
    let declared_ms = r.declared_ms.map(|ms| rules::stored_int("the declared duration", ms)).transpose()?;
    stmt.execute(params![
        r.isrc.as_str(),
        r.isrc.prefix().as_str(),
        r.isrc.year(),
        r.isrc.designation(),
        r.origin.as_str(),
        r.status.as_str(),
        r.title,
        r.artist,
        r.version_note,
        r.parent.as_ref().map(Isrc::as_str),
        r.relation.map(Relation::as_str),
        r.entered_at,
        r.issued_by,
        r.void_reason,
        listed,
        declared_ms,
        p.content_type.as_str(),
        p.p_date,
        p.p_line_year,
        p.p_line_owner,
        p.parental_warning.map(ParentalWarning::as_str),
    ])?;
    Ok(())
}

/// Inserts an event with its id.
fn restore_event(conn: &Connection, event: &Event) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO event (id, at, user, path, audio_id, isrc, action, detail, run)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    stmt.execute(params![
        event.id,
        event.at,
        event.user,
        event.path,
        event.audio_id.as_ref().map(AudioId::as_str),
        event.isrc.as_ref().map(Isrc::as_str),
        event.action.as_str(),
        event.detail,
        event.run,
    ])?;
    Ok(())
}

/// Inserts a run with its id.
fn restore_run(conn: &Connection, run: &Run) -> Result<()> {
    let (paths, counts) = (rules::json_text(&run.paths)?, rules::json_text(&run.counts)?);
    conn.prepare_cached(
        "INSERT INTO run (id, started_at, user, host, role, paths, counts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![run.run, run.started_at, run.user, run.host, run.role, paths, counts])?;
    Ok(())
}
