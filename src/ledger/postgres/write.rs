//! Writes, inside the caller's transaction. The shared rules ([`crate::ledger::rules`])
//! judge first; the schema's constraints stand behind them.
//!
//! Racing rooms: every insert of a code updates its prefix/year `allocation` row first,
//! which holds that row locked to the end of the transaction; under the transaction's
//! repeatable-read snapshot, a row another room changed since the snapshot began fails
//! with a serialization failure, and `transaction` runs the whole transaction again on a
//! fresh snapshot. Inserts that could meet a row another room just added (`ON CONFLICT DO
//! NOTHING`) fail the same way rather than with a unique violation.

use postgres::types::ToSql;

use super::{Conn, read};
use crate::base::ids::AudioId;
use crate::base::ids::{self, Fingerprint};
use crate::isrc::Catalog;
use crate::isrc::{DesignationRange, Isrc, Prefix};
use crate::ledger::error::{LedgerError, Result};
use crate::ledger::rules;
use crate::ledger::types::{
    AudioRecord, Event, MetadataEdit, NewEvent, NewRecording, NewRun, Origin, ParentalWarning, PrefixRecord, Recording,
    Relation, Release, Run, Stored,
};

/// Adds a prefix; `false` if it is already there with the same range.
pub(super) fn add_prefix(db: &mut dyn Conn, prefix: Prefix, range: DesignationRange, at: i64) -> Result<bool> {
    let existing = read::prefix(db, prefix)?.map(|record| record.range);
    if !rules::check_new_prefix(prefix, range, existing)? {
        return Ok(false);
    }
    let added = db.execute(
        "INSERT INTO prefix (prefix, range_first, range_last, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (prefix) DO NOTHING",
        &[&prefix.as_str(), &i64::from(range.first), &i64::from(range.last), &at],
    )?;
    if added == 0 {
        // Another room added it a moment ago: the same range is no news, another is refused.
        let existing = read::prefix(db, prefix)?.map(|record| record.range);
        return rules::check_new_prefix(prefix, range, existing).map(|_| false);
    }
    Ok(true)
}

/// Issues and records the next code for a prefix and year.
pub(super) fn issue_next(db: &mut dyn Conn, prefix: Prefix, year: u8, new: &NewRecording) -> Result<Isrc> {
    rules::check_year(year)?;
    let range = read::prefix(db, prefix)?.ok_or(LedgerError::UnknownPrefix(prefix))?.range;
    lock_allocation(db, prefix, year)?;
    let isrc = rules::next_code(&mut read::Used(db), prefix, year, range)?;
    insert_recording(db, isrc, Origin::Issued, new)?;
    Ok(isrc)
}

/// Records an existing code, after locking its prefix/year like an issue does.
pub(super) fn adopt(db: &mut dyn Conn, isrc: Isrc, origin: Origin, new: &NewRecording) -> Result<()> {
    lock_allocation(db, isrc.prefix(), isrc.year())?;
    insert_recording(db, isrc, origin, new)
}

/// Counts one more code entered under a prefix and year, which locks its allocation row
/// until the transaction ends (or fails it, when another room changed the row first).
fn lock_allocation(db: &mut dyn Conn, prefix: Prefix, year: u8) -> Result<()> {
    db.execute(
        "INSERT INTO allocation (prefix, year, entered) VALUES ($1, $2, 1)
         ON CONFLICT (prefix, year) DO UPDATE SET entered = allocation.entered + 1",
        &[&prefix.as_str(), &i64::from(year)],
    )?;
    Ok(())
}

/// Inserts a recording after checking the code is new and the parent exists.
fn insert_recording(db: &mut dyn Conn, isrc: Isrc, origin: Origin, new: &NewRecording) -> Result<()> {
    let existing = read::status(db, isrc)?;
    let declared_ms = new.declared_ms.map(|ms| rules::stored_int("the declared duration", ms)).transpose()?;
    rules::check_new_recording(isrc, existing, new, |parent| Ok(read::status(db, parent)?.is_some()))?;
    let inserted = db.execute(
        "INSERT INTO recording (code, prefix, year, designation, origin, status, title, artist,
             version_note, parent, relation, issued_at, issued_by, listed_issued_at, declared_ms,
             content_type, p_date, p_line_year, p_line_owner, parental_warning)
         VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
         ON CONFLICT DO NOTHING",
        &[
            &isrc.as_str(),
            &isrc.prefix().as_str(),
            &i64::from(isrc.year()),
            &i64::from(isrc.designation()),
            &origin.as_str(),
            &new.title,
            &new.artist,
            &new.version_note,
            &new.parent.as_ref().map(Isrc::as_str),
            &new.relation.map(Relation::as_str),
            &new.entered_at,
            &new.issued_by,
            &new.listed_issued_at,
            &declared_ms,
            &new.publication.content_type.as_str(),
            &new.publication.p_date,
            &new.publication.p_line_year.map(i64::from),
            &new.publication.p_line_owner,
            &new.publication.parental_warning.map(ParentalWarning::as_str),
        ],
    )?;
    expect_inserted(inserted, "recording")
}

/// Enters a release, or replaces the one with its EAN; `true` when new.
pub(super) fn put_release(db: &mut dyn Conn, release: &Release) -> Result<bool> {
    rules::check_release(release, |isrc| Ok(read::status(db, isrc)?.is_some()))?;
    let ean = release.upc.as_str();
    let new = db
        .query_opt(
            "INSERT INTO release (ean, upc, title, artist, label, date, p_line, c_line, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (ean) DO UPDATE SET upc = $2, title = $3, artist = $4, label = $5, date = $6,
                 p_line = $7, c_line = $8
             RETURNING (xmax = 0)",
            &[
                &ean,
                &release.upc.as_typed(),
                &release.title,
                &release.artist,
                &release.label,
                &release.date,
                &release.p_line,
                &release.c_line,
                &release.created_at,
            ],
        )?
        .is_some_and(|row| row.get::<_, bool>(0));
    db.execute("DELETE FROM release_track WHERE ean = $1", &[&ean])?;
    if !release.tracks.is_empty() {
        let discs: Vec<i64> = release.tracks.iter().map(|t| i64::from(t.disc)).collect();
        let numbers: Vec<i64> = release.tracks.iter().map(|t| i64::from(t.number)).collect();
        let codes: Vec<String> = release.tracks.iter().map(|t| t.isrc.to_string()).collect();
        db.execute(
            "INSERT INTO release_track (ean, disc, number, isrc)
             SELECT $1, d, n, i FROM unnest($2::bigint[], $3::bigint[], $4::text[]) AS u (d, n, i)",
            &[&ean, &discs, &numbers, &codes],
        )?;
    }
    Ok(new)
}

/// Removes a release and its tracks; `false` when there is none.
pub(super) fn remove_release(db: &mut dyn Conn, upc: &Catalog) -> Result<bool> {
    db.execute("DELETE FROM release_track WHERE ean = $1", &[&upc.as_str()])?;
    Ok(db.execute("DELETE FROM release WHERE ean = $1", &[&upc.as_str()])? > 0)
}

/// Binds an audio id to an active code; `false` if already bound to that code.
pub(super) fn bind_audio(db: &mut dyn Conn, audio: &AudioRecord) -> Result<bool> {
    let bound = read::code_for_audio(db, &audio.audio_id)?;
    let status = if bound.is_none() { read::status(db, audio.isrc)? } else { None };
    if !rules::check_bind(audio, bound, status)? {
        return Ok(false);
    }
    let frames = rules::stored_int("the frame count", audio.frames)?;
    let inserted = db.execute(
        "INSERT INTO audio (audio_id, isrc, frames, rate, channels, bits, first_path, added_at, codec)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT DO NOTHING",
        &[
            &audio.audio_id.as_str(),
            &audio.isrc.as_str(),
            &frames,
            &i64::from(audio.sample_rate),
            &i64::from(audio.channels),
            &i64::from(audio.bits),
            &audio.first_path,
            &audio.added_at,
            &audio.codec,
        ],
    )?;
    expect_inserted(inserted, "audio")?;
    Ok(true)
}

/// An insert the rules allowed must have inserted: a row this snapshot cannot see would
/// have failed it as a serialization failure instead.
fn expect_inserted(rows: u64, table: &str) -> Result<()> {
    if rows == 0 {
        return Err(LedgerError::Backend(format!("a {table} row the checks allowed was not inserted")));
    }
    Ok(())
}

/// Appends an event; returns its id.
pub(super) fn log(db: &mut dyn Conn, event: &NewEvent) -> Result<i64> {
    let row = db.query_opt(
        r#"INSERT INTO event (at, "user", path, audio_id, isrc, action, detail, run)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"#,
        &[
            &event.at,
            &event.user,
            &event.path,
            &event.audio_id.as_ref().map(AudioId::as_str),
            &event.isrc.as_ref().map(Isrc::as_str),
            &event.action.as_str(),
            &event.detail,
            &event.run,
        ],
    )?;
    row.map(|row| row.get(0)).ok_or_else(|| LedgerError::Backend("the event was not inserted".into()))
}

/// Records the start of a run; returns its id.
pub(super) fn start_run(db: &mut dyn Conn, run: &NewRun) -> Result<i64> {
    let paths = rules::json_text(&run.paths)?;
    let row = db.query_opt(
        r#"INSERT INTO run (started_at, "user", host, role, paths) VALUES ($1, $2, $3, $4, $5) RETURNING id"#,
        &[&run.started_at, &run.user, &run.host, &run.role, &paths],
    )?;
    row.map(|row| row.get(0)).ok_or_else(|| LedgerError::Backend("the run was not inserted".into()))
}

/// Records a run's counts.
pub(super) fn finish_run(db: &mut dyn Conn, run: i64, counts: &std::collections::BTreeMap<String, u64>) -> Result<()> {
    let counts = rules::json_text(counts)?;
    let changed = db.execute("UPDATE run SET counts = $2 WHERE id = $1", &[&run, &counts])?;
    rules::check_run_found(run, usize::try_from(changed).unwrap_or(usize::MAX))
}

/// Stores a fingerprint and its keys (two round trips); `false` if the audio id has one.
pub(super) fn store_fingerprint(db: &mut dyn Conn, audio_id: &AudioId, fingerprint: &Fingerprint) -> Result<bool> {
    let row = db.query_opt(
        "INSERT INTO fingerprint (audio_id, algorithm, covers, data) VALUES ($1, $2, $3, $4)
         ON CONFLICT (audio_id) DO NOTHING RETURNING id",
        &[&audio_id.as_str(), &i64::from(ids::ALGORITHM), &fingerprint.covers().as_secs_f64(), &fingerprint.to_bytes()],
    )?;
    let Some(row) = row else {
        return Ok(false);
    };
    let id: i64 = row.get(0);
    let keys: Vec<i64> = fingerprint.keys().into_iter().map(i64::from).collect();
    db.execute(
        "INSERT INTO fingerprint_key (key, fingerprint) SELECT unnest($1::bigint[]), $2 ON CONFLICT DO NOTHING",
        &[&keys, &id],
    )?;
    Ok(true)
}

/// Voids an active code.
pub(super) fn void(db: &mut dyn Conn, isrc: Isrc, reason: &str) -> Result<()> {
    rules::check_void(isrc, read::status(db, isrc)?)?;
    db.execute("UPDATE recording SET status = 'void', void_reason = $2 WHERE code = $1", &[&isrc.as_str(), &reason])?;
    Ok(())
}

/// Corrects the title, artist or version note of an active code.
pub(super) fn edit_metadata(db: &mut dyn Conn, isrc: Isrc, edit: &MetadataEdit) -> Result<Recording> {
    let edited = rules::apply_edit(isrc, read::recording(db, isrc)?.as_ref(), edit)?;
    let p = &edited.publication;
    db.execute(
        "UPDATE recording SET title = $2, artist = $3, version_note = $4, declared_ms = $5, content_type = $6,
             p_date = $7, p_line_year = $8, p_line_owner = $9, parental_warning = $10
         WHERE code = $1",
        &[
            &isrc.as_str(),
            &edited.title,
            &edited.artist,
            &edited.version_note,
            &edited.declared_ms,
            &p.content_type.as_str(),
            &p.p_date,
            &p.p_line_year.map(i64::from),
            &p.p_line_owner,
            &p.parental_warning.map(ParentalWarning::as_str),
        ],
    )?;
    read::recording(db, isrc)?.ok_or(LedgerError::UnknownCode(isrc))
}

/// Removes a prefix no code uses. The prefix row is locked first, so a room issuing
/// under it at the same moment either finishes first (and the removal is refused) or
/// waits and finds it gone.
pub(super) fn remove_prefix(db: &mut dyn Conn, prefix: Prefix) -> Result<()> {
    let exists = db.query_opt("SELECT prefix FROM prefix WHERE prefix = $1 FOR UPDATE", &[&prefix.as_str()])?.is_some();
    let codes: u64 = read::prefix_usage(db, prefix)?.iter().map(|(_, n)| n).sum();
    rules::check_prefix_removal(prefix, exists, codes)?;
    db.execute("DELETE FROM allocation WHERE prefix = $1", &[&prefix.as_str()])?;
    db.execute("DELETE FROM prefix WHERE prefix = $1", &[&prefix.as_str()])?;
    Ok(())
}

/// Removes an audio id's binding, its fingerprint and the fingerprint's keys (each a
/// primary-key seek); returns the code it had.
pub(super) fn unbind_audio(db: &mut dyn Conn, audio_id: &AudioId) -> Result<Isrc> {
    let isrc = rules::check_unbind(audio_id, read::code_for_audio(db, audio_id)?)?;
    let keys: Vec<i64> = match read::fingerprint(db, audio_id)? {
        Some(fingerprint) => fingerprint.keys().into_iter().map(i64::from).collect(),
        None => Vec::new(),
    };
    let removed = db.query_opt("DELETE FROM fingerprint WHERE audio_id = $1 RETURNING id", &[&audio_id.as_str()])?;
    if let Some(row) = removed {
        let id: i64 = row.get(0);
        db.execute("DELETE FROM fingerprint_key WHERE key = ANY($1) AND fingerprint = $2", &[&keys, &id])?;
    }
    db.execute("DELETE FROM audio WHERE audio_id = $1", &[&audio_id.as_str()])?;
    Ok(isrc)
}

/// Writes items as another ledger stored them (`ledger copy`): each kind in one
/// multi-row statement per call, so a page costs a few round trips, not one per row.
pub(super) fn restore(db: &mut dyn Conn, items: &[Stored]) -> Result<()> {
    let mut prefixes = Vec::new();
    let mut recordings = Vec::new();
    let mut audio = Vec::new();
    let mut events = Vec::new();
    let mut runs = Vec::new();
    let mut releases = Vec::new();
    for item in items {
        match item {
            Stored::Prefix(record) => prefixes.push(record),
            Stored::Recording(recording) => recordings.push(recording),
            Stored::Audio(record, fingerprint) => audio.push((record, fingerprint.as_ref())),
            Stored::Event(event) => events.push(event),
            Stored::Run(run) => runs.push(run),
            Stored::Release(release) => releases.push(release),
        }
    }
    restore_prefixes(db, &prefixes)?;
    restore_recordings(db, &recordings)?;
    restore_audio(db, &audio)?;
    restore_runs(db, &runs)?;
    for release in releases {
        put_release(db, release)?;
    }
    restore_events(db, &events)
}

/// Inserts runs with their ids, and moves the id sequence past them.
fn restore_runs(db: &mut dyn Conn, runs: &[&Run]) -> Result<()> {
    for run in runs {
        let (paths, counts) = (rules::json_text(&run.paths)?, rules::json_text(&run.counts)?);
        db.execute(
            r#"INSERT INTO run (id, started_at, "user", host, role, paths, counts) VALUES ($1, $2, $3, $4, $5, $6, $7)"#,
            &[&run.run, &run.started_at, &run.user, &run.host, &run.role, &paths, &counts],
        )?;
    }
    if !runs.is_empty() {
        db.query("SELECT setval(pg_get_serial_sequence('run', 'id'), (SELECT max(id) FROM run))", &[])?;
    }
    Ok(())
}

/// Inserts prefixes as stored.
fn restore_prefixes(db: &mut dyn Conn, records: &[&PrefixRecord]) -> Result<()> {
    for record in records {
        rules::check_range(record.range)?;
        db.execute(
            "INSERT INTO prefix (prefix, range_first, range_last, created_at) VALUES ($1, $2, $3, $4)",
            &[
                &record.prefix.as_str(),
                &i64::from(record.range.first),
                &i64::from(record.range.last),
                &record.created_at,
            ],
        )?;
    }
    Ok(())
}

/// Inserts recordings as stored (origin, status and void reason kept), in one statement.
fn restore_recordings(db: &mut dyn Conn, recordings: &[&Recording]) -> Result<()> {
    if recordings.is_empty() {
        return Ok(());
    }
    let text = |f: fn(&Recording) -> Option<String>| recordings.iter().map(|r| f(r)).collect::<Vec<_>>();
    let number = |f: fn(&Recording) -> i64| recordings.iter().map(|r| f(r)).collect::<Vec<_>>();
    let declared = recordings
        .iter()
        .map(|r| r.declared_ms.map(|ms| rules::stored_int("the declared duration", ms)).transpose())
        .collect::<Result<Vec<Option<i64>>>>()?;
    let listed: Vec<Option<i64>> =
        recordings.iter().map(|r| if r.origin == Origin::Imported { r.issued_at } else { None }).collect();
    let years: Vec<Option<i64>> = recordings.iter().map(|r| r.publication.p_line_year.map(i64::from)).collect();
    let columns: [&(dyn ToSql + Sync); 21] = [
        &text(|r| Some(r.isrc.to_string())),
        &text(|r| Some(r.isrc.prefix().as_str().to_owned())),
        &number(|r| i64::from(r.isrc.year())),
        &number(|r| i64::from(r.isrc.designation())),
        &text(|r| Some(r.origin.as_str().to_owned())),
        &text(|r| Some(r.status.as_str().to_owned())),
        &text(|r| r.title.clone()),
        &text(|r| r.artist.clone()),
        &text(|r| r.version_note.clone()),
        &text(|r| r.parent.map(|p| p.to_string())),
        &text(|r| r.relation.map(|x| x.as_str().to_owned())),
        &number(|r| r.entered_at),
        &text(|r| Some(r.issued_by.clone())),
        &text(|r| r.void_reason.clone()),
        &listed,
        &declared,
        &text(|r| Some(r.publication.content_type.as_str().to_owned())),
        &text(|r| r.publication.p_date.clone()),
        &years,
        &text(|r| r.publication.p_line_owner.clone()),
        &text(|r| r.publication.parental_warning.map(|w| w.as_str().to_owned())),
    ];
    db.execute(
        "INSERT INTO recording (code, prefix, year, designation, origin, status, title, artist,
             version_note, parent, relation, issued_at, issued_by, void_reason, listed_issued_at, declared_ms,
             content_type, p_date, p_line_year, p_line_owner, parental_warning)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[],
             $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bigint[], $13::text[], $14::text[],
             $15::bigint[], $16::bigint[], $17::text[], $18::text[], $19::bigint[], $20::text[], $21::text[])",
        &columns,
    )?;
    let mut entered: Vec<(String, i64)> =
        recordings.iter().map(|r| (r.isrc.prefix().as_str().to_owned(), i64::from(r.isrc.year()))).collect();
    entered.sort_unstable();
    entered.dedup();
    let (prefixes, years): (Vec<String>, Vec<i64>) = entered.into_iter().unzip();
    db.execute(
        "INSERT INTO allocation (prefix, year, entered) SELECT p, y, 0 FROM unnest($1::text[], $2::bigint[]) AS u (p, y)
         ON CONFLICT DO NOTHING",
        &[&prefixes, &years],
    )?;
    Ok(())
}

/// Inserts audio ids and their fingerprints (with their keys), three statements in all.
fn restore_audio(db: &mut dyn Conn, audio: &[(&AudioRecord, Option<&Fingerprint>)]) -> Result<()> {
    if audio.is_empty() {
        return Ok(());
    }
    let frames =
        audio.iter().map(|(a, _)| rules::stored_int("the frame count", a.frames)).collect::<Result<Vec<_>>>()?;
    let text = |f: fn(&AudioRecord) -> String| audio.iter().map(|(a, _)| f(a)).collect::<Vec<_>>();
    let number = |f: fn(&AudioRecord) -> i64| audio.iter().map(|(a, _)| f(a)).collect::<Vec<_>>();
    db.execute(
        "INSERT INTO audio (audio_id, isrc, frames, rate, channels, bits, first_path, added_at, codec)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[],
             $7::text[], $8::bigint[], $9::text[])",
        &[
            &text(|a| a.audio_id.to_string()),
            &text(|a| a.isrc.to_string()),
            &frames,
            &number(|a| i64::from(a.sample_rate)),
            &number(|a| i64::from(a.channels)),
            &number(|a| i64::from(a.bits)),
            &text(|a| a.first_path.clone()),
            &number(|a| a.added_at),
            &audio.iter().map(|(a, _)| a.codec.clone()).collect::<Vec<_>>(),
        ],
    )?;
    let printed: Vec<(&AudioRecord, &Fingerprint)> =
        audio.iter().filter_map(|(a, print)| Some((*a, (*print)?))).collect();
    if printed.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = printed.iter().map(|(a, _)| a.audio_id.to_string()).collect();
    let covers: Vec<f64> = printed.iter().map(|(_, p)| p.covers().as_secs_f64()).collect();
    let data: Vec<Vec<u8>> = printed.iter().map(|(_, p)| p.to_bytes()).collect();
    let rows = db.query(
        "INSERT INTO fingerprint (audio_id, algorithm, covers, data)
         SELECT a, $2, c, d FROM unnest($1::text[], $3::float8[], $4::bytea[]) AS u (a, c, d)
         RETURNING audio_id, id",
        &[&ids, &i64::from(ids::ALGORITHM), &covers, &data],
    )?;
    let stored: std::collections::HashMap<String, i64> = rows.iter().map(|row| (row.get(0), row.get(1))).collect();
    let (mut keys, mut owners) = (Vec::new(), Vec::new());
    for (audio, print) in &printed {
        let id = stored[audio.audio_id.as_str()];
        for key in print.keys() {
            keys.push(i64::from(key));
            owners.push(id);
        }
    }
    db.execute(
        "INSERT INTO fingerprint_key (key, fingerprint) SELECT * FROM unnest($1::bigint[], $2::bigint[])
         ON CONFLICT DO NOTHING",
        &[&keys, &owners],
    )?;
    Ok(())
}

/// Inserts events with their ids, and moves the id sequence past them.
fn restore_events(db: &mut dyn Conn, events: &[&Event]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let text = |f: fn(&Event) -> Option<String>| events.iter().map(|e| f(e)).collect::<Vec<_>>();
    let number = |f: fn(&Event) -> i64| events.iter().map(|e| f(e)).collect::<Vec<_>>();
    db.execute(
        r#"INSERT INTO event (id, at, "user", path, audio_id, isrc, action, detail, run)
           SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
               $7::text[], $8::text[], $9::bigint[])"#,
        &[
            &number(|e| e.id),
            &number(|e| e.at),
            &text(|e| Some(e.user.clone())),
            &text(|e| e.path.clone()),
            &text(|e| e.audio_id.as_ref().map(AudioId::to_string)),
            &text(|e| e.isrc.map(|i| i.to_string())),
            &text(|e| Some(e.action.as_str().to_owned())),
            &text(|e| Some(e.detail.clone())),
            &events.iter().map(|e| e.run).collect::<Vec<_>>(),
        ],
    )?;
    db.query("SELECT setval(pg_get_serial_sequence('event', 'id'), (SELECT max(id) FROM event))", &[])?;
    Ok(())
}
