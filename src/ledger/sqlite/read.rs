//! Read-only queries. Lookups by code or audio id are primary-key seeks; statements on
//! the hot path are cached on the connection.

use rusqlite::{Connection, OptionalExtension, params};

use super::row::{
    self, AUDIO_COLUMNS, COMPLETENESS_COLUMNS, EVENT_COLUMNS, PREFIX_COLUMNS, RECORDING_COLUMNS, RELEASE_COLUMNS,
    RUN_COLUMNS,
};
use crate::base::ids::AudioId;
use crate::base::ids::Fingerprint;
use crate::isrc::{Catalog, Isrc, Prefix};
use crate::ledger::error::{LedgerError, Result};
use crate::ledger::rules;
use crate::ledger::types::{
    AudioRecord, Completeness, Event, PrefixRecord, Recording, Release, ReleaseTrack, Run, Status,
};

/// Every prefix, ordered by prefix.
pub(super) fn prefixes(conn: &Connection) -> Result<Vec<PrefixRecord>> {
    let sql = format!("SELECT {PREFIX_COLUMNS} FROM prefix ORDER BY prefix");
    let mut stmt = conn.prepare(&sql)?;
    row::all(&mut stmt, [], row::prefix_record)
}

/// One prefix.
pub(super) fn prefix(conn: &Connection, prefix: Prefix) -> Result<Option<PrefixRecord>> {
    let sql = format!("SELECT {PREFIX_COLUMNS} FROM prefix WHERE prefix = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    row::first(&mut stmt, [prefix.as_str()], row::prefix_record)
}

/// The recording a code names.
pub(super) fn recording(conn: &Connection, isrc: Isrc) -> Result<Option<Recording>> {
    let sql = format!("SELECT {RECORDING_COLUMNS} FROM recording WHERE code = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    row::first(&mut stmt, [isrc.as_str()], row::recording)
}

/// The status of a code, if the ledger has it (cheaper than [`recording`]).
pub(super) fn status(conn: &Connection, isrc: Isrc) -> Result<Option<Status>> {
    let mut stmt = conn.prepare_cached("SELECT status FROM recording WHERE code = ?1")?;
    let word: Option<String> = stmt.query_row([isrc.as_str()], |row| row.get(0)).optional()?;
    word.map(|word| word.parse().map_err(|_| LedgerError::Corrupt { column: "recording.status", value: word }))
        .transpose()
}

/// The code an audio id is bound to.
pub(super) fn code_for_audio(conn: &Connection, audio_id: &AudioId) -> Result<Option<Isrc>> {
    let mut stmt = conn.prepare_cached("SELECT isrc FROM audio WHERE audio_id = ?1")?;
    row::first(&mut stmt, [audio_id.as_str()], row::single_isrc)
}

/// Every audio id bound to a code, oldest first (then by audio id).
///
/// Sorted here, not by an `ORDER BY`: the bundled SQLite prepares a statement with an
/// `ORDER BY` after `isrc = ?1` again each time a new code is bound (measured at 25 µs a
/// call against 5 µs without it), and `ledger export` asks once per recording.
pub(super) fn audio_for_code(conn: &Connection, isrc: Isrc) -> Result<Vec<AudioRecord>> {
    let sql = format!("SELECT {AUDIO_COLUMNS} FROM audio WHERE isrc = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut audio = row::all(&mut stmt, [isrc.as_str()], row::audio_record)?;
    audio.sort_by(|a, b| a.added_at.cmp(&b.added_at).then_with(|| a.audio_id.as_str().cmp(b.audio_id.as_str())));
    Ok(audio)
}

/// Every recording, ordered by code.
pub(super) fn recordings(conn: &Connection) -> Result<Vec<Recording>> {
    let sql = format!("SELECT {RECORDING_COLUMNS} FROM recording ORDER BY code");
    let mut stmt = conn.prepare(&sql)?;
    row::all(&mut stmt, [], row::recording)
}

/// The history of a code, oldest first.
pub(super) fn events_for(conn: &Connection, isrc: Isrc) -> Result<Vec<Event>> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM event WHERE isrc = ?1 ORDER BY id");
    let mut stmt = conn.prepare_cached(&sql)?;
    row::all(&mut stmt, [isrc.as_str()], row::event)
}

/// The history of an audio id, oldest first.
pub(super) fn events_for_audio(conn: &Connection, audio_id: &AudioId) -> Result<Vec<Event>> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM event WHERE audio_id = ?1 ORDER BY id");
    let mut stmt = conn.prepare_cached(&sql)?;
    row::all(&mut stmt, [audio_id.as_str()], row::event)
}

/// The events of one run, oldest first.
pub(super) fn events_of_run(conn: &Connection, run: i64) -> Result<Vec<Event>> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM event WHERE run = ?1 ORDER BY id");
    let mut stmt = conn.prepare_cached(&sql)?;
    row::all(&mut stmt, [run], row::event)
}

/// The `limit` most recent runs, oldest first.
pub(super) fn runs(conn: &Connection, limit: usize) -> Result<Vec<Run>> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM run ORDER BY id DESC LIMIT ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut runs = row::all(&mut stmt, [page_size(limit)], row::run)?;
    runs.reverse();
    Ok(runs)
}

/// Up to `limit` runs with ids above `after`, by id.
pub(super) fn runs_after(conn: &Connection, after: i64, limit: usize) -> Result<Vec<Run>> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM run WHERE id > ?1 ORDER BY id LIMIT ?2");
    let mut stmt = conn.prepare_cached(&sql)?;
    row::all(&mut stmt, params![after, page_size(limit)], row::run)
}

/// The active codes with no audio bound (only the imported ones, through their
/// partial index, with `imported_only`), by code.
pub(super) fn codes_without_audio(conn: &Connection, imported_only: bool) -> Result<Vec<Recording>> {
    let columns = RECORDING_COLUMNS.split(", ").map(|c| format!("r.{}", c.trim())).collect::<Vec<_>>().join(", ");
    let imported = if imported_only { "r.origin = 'imported' AND " } else { "" };
    let sql = format!(
        "SELECT {columns} FROM recording AS r
         WHERE {imported}r.status = 'active' AND NOT EXISTS (SELECT 1 FROM audio AS a WHERE a.isrc = r.code)
         ORDER BY r.code"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    row::all(&mut stmt, [], row::recording)
}

/// A release with its tracks.
pub(super) fn release(conn: &Connection, upc: &Catalog) -> Result<Option<Release>> {
    let sql = format!("SELECT {RELEASE_COLUMNS} FROM release WHERE ean = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    let Some(mut release) = row::first(&mut stmt, [upc.as_str()], row::release)? else { return Ok(None) };
    release.tracks = tracks(conn, upc.as_str())?;
    Ok(Some(release))
}

/// A release's tracks, by disc and number.
fn tracks(conn: &Connection, ean: &str) -> Result<Vec<ReleaseTrack>> {
    let mut stmt =
        conn.prepare_cached("SELECT ean, disc, number, isrc FROM release_track WHERE ean = ?1 ORDER BY disc, number")?;
    Ok(row::all(&mut stmt, [ean], row::release_track)?.into_iter().map(|(_, track)| track).collect())
}

/// Every release track a code is on.
pub(super) fn tracks_of(conn: &Connection, isrc: Isrc) -> Result<Vec<(Catalog, ReleaseTrack)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.ean, t.disc, t.number, t.isrc, r.upc FROM release_track AS t JOIN release AS r ON r.ean = t.ean
         WHERE t.isrc = ?1 ORDER BY t.ean, t.disc, t.number",
    )?;
    let mut rows = stmt.query([isrc.as_str()])?;
    let mut out = Vec::new();
    while let Some(found) = rows.next()? {
        let (_, track) = row::release_track(found)?;
        let upc: String = found.get("upc")?;
        let upc = Catalog::parse(&upc).map_err(|_| LedgerError::Corrupt { column: "release.upc", value: upc })?;
        out.push((upc, track));
    }
    Ok(out)
}

/// Every release with its tracks, by EAN-13 digits.
pub(super) fn releases(conn: &Connection) -> Result<Vec<Release>> {
    releases_after(conn, None, usize::MAX)
}

/// Up to `limit` active codes above `after`, by code, with which fields they have.
pub(super) fn completeness_after(conn: &Connection, after: Option<Isrc>, limit: usize) -> Result<Vec<Completeness>> {
    let sql = format!(
        "SELECT {COMPLETENESS_COLUMNS} FROM recording AS r
         WHERE r.code > ?1 AND r.status = 'active' ORDER BY r.code LIMIT ?2"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    row::all(&mut stmt, params![after.as_ref().map_or("", Isrc::as_str), page_size(limit)], row::completeness)
}

/// Up to `limit` releases above `after`, by EAN-13 digits, with their tracks.
pub(super) fn releases_after(conn: &Connection, after: Option<&Catalog>, limit: usize) -> Result<Vec<Release>> {
    let sql = format!("SELECT {RELEASE_COLUMNS} FROM release WHERE ean > ?1 ORDER BY ean LIMIT ?2");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut releases = row::all(&mut stmt, params![after.map_or("", Catalog::as_str), page_size(limit)], row::release)?;
    for release in &mut releases {
        release.tracks = tracks(conn, release.upc.as_str())?;
    }
    Ok(releases)
}

/// The highest designation used in `first..=last` for a prefix and year.
fn highest_used(conn: &Connection, prefix: Prefix, year: u8, (first, last): (u32, u32)) -> Result<Option<u32>> {
    let mut stmt = conn.prepare_cached(
        "SELECT designation FROM recording
         WHERE prefix = ?1 AND year = ?2 AND designation BETWEEN ?3 AND ?4
         ORDER BY designation DESC LIMIT 1",
    )?;
    let found = stmt.query_row(params![prefix.as_str(), year, first, last], |row| row.get(0));
    Ok(found.optional()?)
}

/// The lowest free designation in `first..=last` for a prefix and year, given that
/// `first` is used. Walks the used designations upwards until one is not followed by
/// the next; the rare path, taken once the top of the range is used.
fn lowest_gap_above(conn: &Connection, prefix: Prefix, year: u8, (first, last): (u32, u32)) -> Result<Option<u32>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.designation + 1 FROM recording AS r
         WHERE r.prefix = ?1 AND r.year = ?2 AND r.designation >= ?3 AND r.designation < ?4
           AND NOT EXISTS (SELECT 1 FROM recording AS s
                           WHERE s.prefix = ?1 AND s.year = ?2
                             AND s.designation = r.designation + 1)
         ORDER BY r.designation LIMIT 1",
    )?;
    let found = stmt.query_row(params![prefix.as_str(), year, first, last], |row| row.get(0));
    Ok(found.optional()?)
}

/// Whether a designation is used for a prefix and year.
fn designation_used(conn: &Connection, prefix: Prefix, year: u8, designation: u32) -> Result<bool> {
    let mut stmt =
        conn.prepare_cached("SELECT 1 FROM recording WHERE prefix = ?1 AND year = ?2 AND designation = ?3")?;
    Ok(stmt.exists(params![prefix.as_str(), year, designation])?)
}

/// The designations used, as the allocation rules ask for them.
pub(super) struct Used<'c>(pub &'c Connection);

impl rules::Designations for Used<'_> {
    fn highest_used(&mut self, prefix: Prefix, year: u8, bounds: (u32, u32)) -> Result<Option<u32>> {
        highest_used(self.0, prefix, year, bounds)
    }

    fn is_used(&mut self, prefix: Prefix, year: u8, designation: u32) -> Result<bool> {
        designation_used(self.0, prefix, year, designation)
    }

    fn lowest_gap_above(&mut self, prefix: Prefix, year: u8, bounds: (u32, u32)) -> Result<Option<u32>> {
        lowest_gap_above(self.0, prefix, year, bounds)
    }
}

/// How many codes use a prefix (any origin, any status), per year.
pub(super) fn prefix_usage(conn: &Connection, prefix: Prefix) -> Result<Vec<(u8, u64)>> {
    let mut stmt =
        conn.prepare_cached("SELECT year, count(*) FROM recording WHERE prefix = ?1 GROUP BY year ORDER BY year")?;
    let mut rows = stmt.query([prefix.as_str()])?;
    let mut usage = Vec::new();
    while let Some(row) = rows.next()? {
        let (year, count): (i64, i64) = (row.get(0)?, row.get(1)?);
        let year = u8::try_from(year)
            .map_err(|_| LedgerError::Corrupt { column: "recording.year", value: year.to_string() })?;
        usage.push((year, u64::try_from(count).unwrap_or(0)));
    }
    Ok(usage)
}

/// Up to `limit` recordings with codes above `after`, by code.
pub(super) fn recordings_after(conn: &Connection, after: Option<Isrc>, limit: usize) -> Result<Vec<Recording>> {
    let sql = format!("SELECT {RECORDING_COLUMNS} FROM recording WHERE code > ?1 ORDER BY code LIMIT ?2");
    let mut stmt = conn.prepare_cached(&sql)?;
    let after = after.as_ref().map_or("", Isrc::as_str);
    row::all(&mut stmt, params![after, page_size(limit)], row::recording)
}

/// Up to `limit` audio ids above `after`, by audio id, each with its fingerprint.
pub(super) fn audio_after(
    conn: &Connection,
    after: Option<&AudioId>,
    limit: usize,
) -> Result<Vec<(AudioRecord, Option<Fingerprint>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.audio_id, a.isrc, a.frames, a.rate, a.channels, a.bits, a.first_path, a.added_at,
                a.codec, f.covers, f.data
         FROM audio AS a LEFT JOIN fingerprint AS f ON f.audio_id = a.audio_id AND f.algorithm = ?3
         WHERE a.audio_id > ?1 ORDER BY a.audio_id LIMIT ?2",
    )?;
    let after = after.map_or("", AudioId::as_str);
    let mut rows = stmt.query(params![after, page_size(limit), crate::base::ids::ALGORITHM])?;
    let mut out = Vec::new();
    while let Some(found) = rows.next()? {
        let audio = row::audio_record(found)?;
        let covers: Option<f64> = found.get("covers")?;
        let data: Option<Vec<u8>> = found.get("data")?;
        let fingerprint = match (covers, data) {
            (Some(covers), Some(data)) => Some(super::fingerprint::decode(covers, &data)?),
            _ => None,
        };
        out.push((audio, fingerprint));
    }
    Ok(out)
}

/// Up to `limit` events with ids above `after`, by id.
pub(super) fn events_after(conn: &Connection, after: i64, limit: usize) -> Result<Vec<Event>> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM event WHERE id > ?1 ORDER BY id LIMIT ?2");
    let mut stmt = conn.prepare_cached(&sql)?;
    row::all(&mut stmt, params![after, page_size(limit)], row::event)
}

/// A page size as SQLite's integer.
fn page_size(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}
