//! Queries, each one round trip on a prepared statement; lookups by code or audio id are
//! primary-key seeks, and the fingerprint lookup asks for every key at once.

use std::collections::HashMap;
use std::str::FromStr;

use postgres::Row;

use super::Conn;
use crate::base::ids::AudioId;
use crate::base::ids::{self, Fingerprint};
use crate::isrc::{Catalog, DesignationRange, Isrc, Prefix};
use crate::ledger::error::{LedgerError, Result};
use crate::ledger::rules::{Designations, FingerprintIndex};
use crate::ledger::types::{
    AudioRecord, Completeness, Event, EventKind, FingerprintCandidate, Origin, PrefixRecord, Publication, Recording,
    Release, ReleaseTrack, Run, Status,
};

/// Every prefix, ordered by prefix.
pub(super) fn prefixes(db: &mut dyn Conn) -> Result<Vec<PrefixRecord>> {
    let rows = db.query("SELECT prefix, range_first, range_last, created_at FROM prefix ORDER BY prefix", &[])?;
    rows.iter().map(prefix_record).collect()
}

/// One prefix.
pub(super) fn prefix(db: &mut dyn Conn, prefix: Prefix) -> Result<Option<PrefixRecord>> {
    let row = db.query_opt(
        "SELECT prefix, range_first, range_last, created_at FROM prefix WHERE prefix = $1",
        &[&prefix.as_str()],
    )?;
    row.as_ref().map(prefix_record).transpose()
}

/// The columns [`recording`] reads.
macro_rules! recording_columns {
    () => {
        "code, origin, status, title, artist, version_note, parent, relation, issued_at, issued_by, void_reason, \
         listed_issued_at, declared_ms, content_type, p_date, p_line_year, p_line_owner, parental_warning"
    };
}

/// The recording a code names.
pub(super) fn recording(db: &mut dyn Conn, isrc: Isrc) -> Result<Option<Recording>> {
    let sql = concat!("SELECT ", recording_columns!(), " FROM recording WHERE code = $1");
    db.query_opt(sql, &[&isrc.as_str()])?.as_ref().map(recording_row).transpose()
}

/// The status of a code, if the ledger has it.
pub(super) fn status(db: &mut dyn Conn, isrc: Isrc) -> Result<Option<Status>> {
    let row = db.query_opt("SELECT status FROM recording WHERE code = $1", &[&isrc.as_str()])?;
    row.map(|row| word(&row, 0, "recording.status")).transpose()
}

/// How many codes use a prefix (any origin, any status), per year.
pub(super) fn prefix_usage(db: &mut dyn Conn, prefix: Prefix) -> Result<Vec<(u8, u64)>> {
    let rows = db.query(
        "SELECT year, count(*) FROM recording WHERE prefix = $1 GROUP BY year ORDER BY year",
        &[&prefix.as_str()],
    )?;
    rows.iter()
        .map(|row| {
            let (year, count): (i64, i64) = (row.get(0), row.get(1));
            let year = u8::try_from(year)
                .map_err(|_| LedgerError::Corrupt { column: "recording.year", value: year.to_string() })?;
            Ok((year, u64::try_from(count).unwrap_or(0)))
        })
        .collect()
}

/// Fingerprint keys that point at no fingerprint, counted (one line when there are any).
pub(super) fn orphan_keys(db: &mut dyn Conn) -> Result<Vec<String>> {
    let row = db.query_opt(
        "SELECT count(*) FROM fingerprint_key k WHERE NOT EXISTS (SELECT 1 FROM fingerprint f WHERE f.id = k.fingerprint)",
        &[],
    )?;
    let orphans: i64 = row.map_or(0, |row| row.get(0));
    Ok(if orphans > 0 { vec![format!("{orphans} fingerprint key(s) point at no fingerprint")] } else { Vec::new() })
}

/// The code an audio id is bound to.
pub(super) fn code_for_audio(db: &mut dyn Conn, audio_id: &AudioId) -> Result<Option<Isrc>> {
    let row = db.query_opt("SELECT isrc FROM audio WHERE audio_id = $1", &[&audio_id.as_str()])?;
    row.map(|row| parsed(&row, 0, "audio.isrc", parse_isrc)).transpose()
}

/// The columns [`audio_row`] reads.
macro_rules! audio_columns {
    () => {
        "audio_id, isrc, frames, rate, channels, bits, first_path, added_at, codec"
    };
}

/// Every audio id bound to a code, oldest first.
pub(super) fn audio_for_code(db: &mut dyn Conn, isrc: Isrc) -> Result<Vec<AudioRecord>> {
    let sql = concat!("SELECT ", audio_columns!(), " FROM audio WHERE isrc = $1 ORDER BY added_at, audio_id");
    db.query(sql, &[&isrc.as_str()])?.iter().map(audio_row).collect()
}

/// Every recording, ordered by code.
pub(super) fn recordings(db: &mut dyn Conn) -> Result<Vec<Recording>> {
    let sql = concat!("SELECT ", recording_columns!(), " FROM recording ORDER BY code");
    db.query(sql, &[])?.iter().map(recording_row).collect()
}

/// The columns [`event_row`] reads.
macro_rules! event_columns {
    () => {
        r#"id, at, "user", path, audio_id, isrc, action, detail, run"#
    };
}

/// The columns [`run_row`] reads.
macro_rules! run_columns {
    () => {
        r#"id, started_at, "user", host, role, paths, counts"#
    };
}

/// The history of an audio id, oldest first.
pub(super) fn events_for_audio(db: &mut dyn Conn, audio_id: &AudioId) -> Result<Vec<Event>> {
    let sql = concat!("SELECT ", event_columns!(), " FROM event WHERE audio_id = $1 ORDER BY id");
    db.query(sql, &[&audio_id.as_str()])?.iter().map(event_row).collect()
}

/// The events of one run, oldest first.
pub(super) fn events_of_run(db: &mut dyn Conn, run: i64) -> Result<Vec<Event>> {
    let sql = concat!("SELECT ", event_columns!(), " FROM event WHERE run = $1 ORDER BY id");
    db.query(sql, &[&run])?.iter().map(event_row).collect()
}

/// The `limit` most recent runs, oldest first.
pub(super) fn runs(db: &mut dyn Conn, limit: usize) -> Result<Vec<Run>> {
    let sql = concat!("SELECT ", run_columns!(), " FROM run ORDER BY id DESC LIMIT $1");
    let mut runs: Vec<Run> = db.query(sql, &[&page(limit)])?.iter().map(run_row).collect::<Result<_>>()?;
    runs.reverse();
    Ok(runs)
}

/// Up to `limit` runs with ids above `after`, by id.
pub(super) fn runs_after(db: &mut dyn Conn, after: i64, limit: usize) -> Result<Vec<Run>> {
    let sql = concat!("SELECT ", run_columns!(), " FROM run WHERE id > $1 ORDER BY id LIMIT $2");
    db.query(sql, &[&after, &page(limit)])?.iter().map(run_row).collect()
}

/// The history of a code, oldest first.
pub(super) fn events_for(db: &mut dyn Conn, isrc: Isrc) -> Result<Vec<Event>> {
    let sql = concat!("SELECT ", event_columns!(), " FROM event WHERE isrc = $1 ORDER BY id");
    db.query(sql, &[&isrc.as_str()])?.iter().map(event_row).collect()
}

/// The stored fingerprint of an audio id (of this build's algorithm).
pub(super) fn fingerprint(db: &mut dyn Conn, audio_id: &AudioId) -> Result<Option<Fingerprint>> {
    let row = db.query_opt(
        "SELECT covers, data FROM fingerprint WHERE audio_id = $1 AND algorithm = $2",
        &[&audio_id.as_str(), &i64::from(ids::ALGORITHM)],
    )?;
    row.map(|row| decode_fingerprint(&row, 0)).transpose()
}

/// Up to `limit` recordings with codes above `after`, by code.
pub(super) fn recordings_after(db: &mut dyn Conn, after: Option<Isrc>, limit: usize) -> Result<Vec<Recording>> {
    let sql = concat!("SELECT ", recording_columns!(), " FROM recording WHERE code > $1 ORDER BY code LIMIT $2");
    let after = after.as_ref().map_or("", Isrc::as_str);
    db.query(sql, &[&after, &page(limit)])?.iter().map(recording_row).collect()
}

/// Up to `limit` audio ids above `after`, by audio id, each with its fingerprint.
pub(super) fn audio_after(
    db: &mut dyn Conn,
    after: Option<&AudioId>,
    limit: usize,
) -> Result<Vec<(AudioRecord, Option<Fingerprint>)>> {
    let rows = db.query(
        "SELECT a.audio_id, a.isrc, a.frames, a.rate, a.channels, a.bits, a.first_path, a.added_at,
                a.codec, f.covers, f.data
         FROM audio AS a LEFT JOIN fingerprint AS f ON f.audio_id = a.audio_id AND f.algorithm = $3
         WHERE a.audio_id > $1 ORDER BY a.audio_id LIMIT $2",
        &[&after.map_or("", AudioId::as_str), &page(limit), &i64::from(ids::ALGORITHM)],
    )?;
    rows.iter()
        .map(|row| {
            let covers: Option<f64> = get(row, 9, "fingerprint.covers")?;
            let fingerprint = covers.map(|_| decode_fingerprint(row, 9)).transpose()?;
            Ok((audio_row(row)?, fingerprint))
        })
        .collect()
}

/// Up to `limit` events with ids above `after`, by id.
pub(super) fn events_after(db: &mut dyn Conn, after: i64, limit: usize) -> Result<Vec<Event>> {
    let sql = concat!("SELECT ", event_columns!(), " FROM event WHERE id > $1 ORDER BY id LIMIT $2");
    db.query(sql, &[&after, &page(limit)])?.iter().map(event_row).collect()
}

/// The designations used, as the allocation rule asks for them.
pub(super) struct Used<'d>(pub &'d mut dyn Conn);

impl Designations for Used<'_> {
    fn highest_used(&mut self, prefix: Prefix, year: u8, (first, last): (u32, u32)) -> Result<Option<u32>> {
        let row = self.0.query_opt(
            "SELECT designation FROM recording
             WHERE prefix = $1 AND year = $2 AND designation BETWEEN $3 AND $4
             ORDER BY designation DESC LIMIT 1",
            &[&prefix.as_str(), &i64::from(year), &i64::from(first), &i64::from(last)],
        )?;
        row.map(|row| designation(&row)).transpose()
    }

    fn is_used(&mut self, prefix: Prefix, year: u8, designation: u32) -> Result<bool> {
        let row = self.0.query_opt(
            "SELECT 1 FROM recording WHERE prefix = $1 AND year = $2 AND designation = $3",
            &[&prefix.as_str(), &i64::from(year), &i64::from(designation)],
        )?;
        Ok(row.is_some())
    }

    fn lowest_gap_above(&mut self, prefix: Prefix, year: u8, (first, last): (u32, u32)) -> Result<Option<u32>> {
        let row = self.0.query_opt(
            "SELECT r.designation + 1 FROM recording AS r
             WHERE r.prefix = $1 AND r.year = $2 AND r.designation >= $3 AND r.designation < $4
               AND NOT EXISTS (SELECT 1 FROM recording AS s
                               WHERE s.prefix = $1 AND s.year = $2 AND s.designation = r.designation + 1)
             ORDER BY r.designation LIMIT 1",
            &[&prefix.as_str(), &i64::from(year), &i64::from(first), &i64::from(last)],
        )?;
        row.map(|row| designation(&row)).transpose()
    }
}

/// The key index, as the candidate rule reads it: one round trip per question.
pub(super) struct Index<'d>(pub &'d mut dyn Conn);

impl FingerprintIndex for Index<'_> {
    fn holders(&mut self, keys: &[u32], at_most: usize) -> Result<Vec<Vec<i64>>> {
        let wanted: Vec<i64> = keys.iter().map(|&key| i64::from(key)).collect();
        let rows = self.0.query(
            "SELECT k.n, f.fingerprint
             FROM unnest($1::bigint[]) WITH ORDINALITY AS k (key, n)
             CROSS JOIN LATERAL (SELECT fingerprint FROM fingerprint_key WHERE key = k.key LIMIT $2) AS f",
            &[&wanted, &page(at_most)],
        )?;
        let mut holders = vec![Vec::new(); keys.len()];
        for row in &rows {
            let n: i64 = get(row, 0, "fingerprint_key.key")?;
            let slot = usize::try_from(n - 1).ok().and_then(|i| holders.get_mut(i));
            slot.ok_or(LedgerError::Corrupt { column: "fingerprint_key.key", value: n.to_string() })?.push(get(
                row,
                1,
                "fingerprint_key.fingerprint",
            )?);
        }
        Ok(holders)
    }

    fn candidates(&mut self, ranked: &[(i64, usize)]) -> Result<Vec<FingerprintCandidate>> {
        let ids: Vec<i64> = ranked.iter().map(|&(id, _)| id).collect();
        let rows = self.0.query(
            "SELECT f.id, f.audio_id, a.isrc, a.frames, a.rate, a.first_path, f.covers, f.data
             FROM fingerprint AS f
             JOIN audio AS a ON a.audio_id = f.audio_id
             JOIN recording AS r ON r.code = a.isrc
             WHERE f.id = ANY($1) AND f.algorithm = $2 AND r.status = 'active'",
            &[&ids, &i64::from(ids::ALGORITHM)],
        )?;
        let mut by_id = HashMap::new();
        for row in &rows {
            let id: i64 = get(row, 0, "fingerprint.id")?;
            by_id.insert(id, row);
        }
        let mut found = Vec::new();
        for &(id, shared_keys) in ranked {
            let Some(row) = by_id.get(&id) else {
                continue;
            };
            let frames: i64 = get(row, 3, "audio.frames")?;
            let rate: i64 = get(row, 4, "audio.rate")?;
            found.push(FingerprintCandidate {
                audio_id: parsed(row, 1, "fingerprint.audio_id", AudioId::parse)?,
                isrc: parsed(row, 2, "audio.isrc", parse_isrc)?,
                duration_seconds: if rate > 0 { frames as f64 / rate as f64 } else { 0.0 },
                first_path: get(row, 5, "audio.first_path")?,
                fingerprint: decode_fingerprint(row, 6)?,
                shared_keys,
            });
        }
        Ok(found)
    }
}

/// A page size as the server's integer.
fn page(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// A row of `prefix`.
fn prefix_record(row: &Row) -> Result<PrefixRecord> {
    Ok(PrefixRecord {
        prefix: parsed(row, 0, "prefix.prefix", |text| Prefix::parse(text).ok())?,
        range: DesignationRange { first: int(row, 1, "prefix.range_first")?, last: int(row, 2, "prefix.range_last")? },
        created_at: get(row, 3, "prefix.created_at")?,
    })
}

/// A row of [`recording_columns`].
fn recording_row(row: &Row) -> Result<Recording> {
    let origin: Origin = word(row, 1, "recording.origin")?;
    let entered_at: i64 = get(row, 8, "recording.issued_at")?;
    let declared_ms: Option<i64> = get(row, 12, "recording.declared_ms")?;
    Ok(Recording {
        isrc: parsed(row, 0, "recording.code", parse_isrc)?,
        origin,
        status: word(row, 2, "recording.status")?,
        title: get(row, 3, "recording.title")?,
        artist: get(row, 4, "recording.artist")?,
        version_note: get(row, 5, "recording.version_note")?,
        parent: optional(row, 6, "recording.parent", parse_isrc)?,
        relation: optional(row, 7, "recording.relation", |text| text.parse().ok())?,
        issued_at: if origin == Origin::Imported {
            get(row, 11, "recording.listed_issued_at")?
        } else {
            Some(entered_at)
        },
        entered_at,
        issued_by: get(row, 9, "recording.issued_by")?,
        void_reason: get(row, 10, "recording.void_reason")?,
        declared_ms: declared_ms.map(|ms| u64::try_from(ms).unwrap_or(0)),
        publication: Publication {
            content_type: word(row, 13, "recording.content_type")?,
            p_date: get(row, 14, "recording.p_date")?,
            p_line_year: {
                let year: Option<i64> = get(row, 15, "recording.p_line_year")?;
                year.map(|year| {
                    u16::try_from(year)
                        .map_err(|_| LedgerError::Corrupt { column: "recording.p_line_year", value: year.to_string() })
                })
                .transpose()?
            },
            p_line_owner: get(row, 16, "recording.p_line_owner")?,
            parental_warning: optional(row, 17, "recording.parental_warning", |text| text.parse().ok())?,
        },
    })
}

/// Up to `limit` active codes above `after`, by code, with which fields they have.
pub(super) fn completeness_after(db: &mut dyn Conn, after: Option<Isrc>, limit: usize) -> Result<Vec<Completeness>> {
    let rows = db.query(
        "SELECT r.code, (r.title IS NOT NULL)::int | ((r.artist IS NOT NULL)::int << 1)
                | ((r.version_note IS NOT NULL)::int << 2)
                | ((r.declared_ms IS NOT NULL
                    OR EXISTS (SELECT 1 FROM audio AS a WHERE a.isrc = r.code AND a.frames > 0 AND a.rate > 0))::int << 3)
                | ((r.p_date IS NOT NULL)::int << 4)
                | ((r.p_line_year IS NOT NULL AND r.p_line_owner IS NOT NULL)::int << 5)
                | ((r.parental_warning IS NOT NULL)::int << 6)
         FROM recording AS r WHERE r.code > $1 AND r.status = 'active' ORDER BY r.code LIMIT $2",
        &[&after.as_ref().map_or("", Isrc::as_str), &page(limit)],
    )?;
    rows.iter()
        .map(|row| {
            let bits: i32 = get(row, 1, "recording")?;
            Ok(Completeness::from_bits(parsed(row, 0, "recording.code", parse_isrc)?, i64::from(bits)))
        })
        .collect()
}

/// The active codes with no audio bound (only the imported ones, through their
/// partial index, with `imported_only`), by code.
pub(super) fn codes_without_audio(db: &mut dyn Conn, imported_only: bool) -> Result<Vec<Recording>> {
    let sql = concat!(
        "SELECT ",
        recording_columns!(),
        " FROM recording AS r WHERE (r.origin = 'imported' OR NOT $1) AND r.status = 'active'
         AND NOT EXISTS (SELECT 1 FROM audio AS a WHERE a.isrc = r.code) ORDER BY r.code"
    );
    db.query(sql, &[&imported_only])?.iter().map(recording_row).collect()
}

/// The columns [`release_row`] reads.
macro_rules! release_columns {
    () => {
        "ean, upc, title, artist, label, date, p_line, c_line, created_at"
    };
}

/// A release with its tracks.
pub(super) fn release(db: &mut dyn Conn, upc: &Catalog) -> Result<Option<Release>> {
    let sql = concat!("SELECT ", release_columns!(), " FROM release WHERE ean = $1");
    let Some(mut release) = db.query_opt(sql, &[&upc.as_str()])?.as_ref().map(release_row).transpose()? else {
        return Ok(None);
    };
    release.tracks = tracks(db, upc.as_str())?;
    Ok(Some(release))
}

/// A release's tracks, by disc and number.
fn tracks(db: &mut dyn Conn, ean: &str) -> Result<Vec<ReleaseTrack>> {
    let rows =
        db.query("SELECT disc, number, isrc FROM release_track WHERE ean = $1 ORDER BY disc, number", &[&ean])?;
    rows.iter().map(|row| track_row(row, 0)).collect()
}

/// Every release track a code is on.
pub(super) fn tracks_of(db: &mut dyn Conn, isrc: Isrc) -> Result<Vec<(Catalog, ReleaseTrack)>> {
    let rows = db.query(
        "SELECT t.disc, t.number, t.isrc, r.upc FROM release_track AS t JOIN release AS r ON r.ean = t.ean
         WHERE t.isrc = $1 ORDER BY t.ean, t.disc, t.number",
        &[&isrc.as_str()],
    )?;
    rows.iter()
        .map(|row| Ok((parsed(row, 3, "release.upc", |t| Catalog::parse(t).ok())?, track_row(row, 0)?)))
        .collect()
}

/// Every release with its tracks, by EAN-13 digits.
pub(super) fn releases(db: &mut dyn Conn) -> Result<Vec<Release>> {
    releases_after(db, None, usize::MAX)
}

/// Up to `limit` releases above `after`, by EAN-13 digits, with their tracks.
pub(super) fn releases_after(db: &mut dyn Conn, after: Option<&Catalog>, limit: usize) -> Result<Vec<Release>> {
    let sql = concat!("SELECT ", release_columns!(), " FROM release WHERE ean > $1 ORDER BY ean LIMIT $2");
    let mut releases: Vec<Release> = db
        .query(sql, &[&after.map_or("", Catalog::as_str), &page(limit)])?
        .iter()
        .map(release_row)
        .collect::<Result<_>>()?;
    for release in &mut releases {
        release.tracks = tracks(db, release.upc.as_str())?;
    }
    Ok(releases)
}

/// A row of [`release_columns`] (without its tracks).
fn release_row(row: &Row) -> Result<Release> {
    Ok(Release {
        upc: parsed(row, 1, "release.upc", |text| Catalog::parse(text).ok())?,
        title: get(row, 2, "release.title")?,
        artist: get(row, 3, "release.artist")?,
        label: get(row, 4, "release.label")?,
        date: get(row, 5, "release.date")?,
        p_line: get(row, 6, "release.p_line")?,
        c_line: get(row, 7, "release.c_line")?,
        created_at: get(row, 8, "release.created_at")?,
        tracks: Vec::new(),
    })
}

/// A track: disc, number and code at `at`, `at + 1`, `at + 2`.
fn track_row(row: &Row, at: usize) -> Result<ReleaseTrack> {
    Ok(ReleaseTrack {
        disc: int(row, at, "release_track.disc")?,
        number: int(row, at + 1, "release_track.number")?,
        isrc: parsed(row, at + 2, "release_track.isrc", parse_isrc)?,
    })
}

/// A row of [`audio_columns`].
fn audio_row(row: &Row) -> Result<AudioRecord> {
    Ok(AudioRecord {
        audio_id: parsed(row, 0, "audio.audio_id", AudioId::parse)?,
        isrc: parsed(row, 1, "audio.isrc", parse_isrc)?,
        frames: int(row, 2, "audio.frames")?,
        sample_rate: int(row, 3, "audio.rate")?,
        channels: int(row, 4, "audio.channels")?,
        bits: int(row, 5, "audio.bits")?,
        first_path: get(row, 6, "audio.first_path")?,
        added_at: get(row, 7, "audio.added_at")?,
        codec: get(row, 8, "audio.codec")?,
    })
}

/// A row of [`event_columns`].
fn event_row(row: &Row) -> Result<Event> {
    Ok(Event {
        id: get(row, 0, "event.id")?,
        at: get(row, 1, "event.at")?,
        user: get(row, 2, "event.user")?,
        path: get(row, 3, "event.path")?,
        audio_id: optional(row, 4, "event.audio_id", AudioId::parse)?,
        isrc: optional(row, 5, "event.isrc", parse_isrc)?,
        action: EventKind::parse(&get::<String>(row, 6, "event.action")?),
        detail: get(row, 7, "event.detail")?,
        run: get(row, 8, "event.run")?,
    })
}

/// A row of [`run_columns`].
fn run_row(row: &Row) -> Result<Run> {
    let json = |at: usize, label: &'static str| -> Result<String> { get(row, at, label) };
    let paths = json(5, "run.paths")?;
    let counts = json(6, "run.counts")?;
    Ok(Run {
        run: get(row, 0, "run.id")?,
        started_at: get(row, 1, "run.started_at")?,
        user: get(row, 2, "run.user")?,
        host: get(row, 3, "run.host")?,
        role: get(row, 4, "run.role")?,
        paths: serde_json::from_str(&paths).map_err(|_| LedgerError::Corrupt { column: "run.paths", value: paths })?,
        counts: serde_json::from_str(&counts)
            .map_err(|_| LedgerError::Corrupt { column: "run.counts", value: counts })?,
    })
}

/// A fingerprint from its `covers` and `data` columns, at `at` and `at + 1`.
fn decode_fingerprint(row: &Row, at: usize) -> Result<Fingerprint> {
    let covers: f64 = get(row, at, "fingerprint.covers")?;
    let data: Vec<u8> = get(row, at + 1, "fingerprint.data")?;
    let covers = std::time::Duration::try_from_secs_f64(covers).unwrap_or_default();
    Fingerprint::from_bytes(&data, covers)
        .ok_or_else(|| LedgerError::Corrupt { column: "fingerprint.data", value: format!("{} bytes", data.len()) })
}

/// A designation column.
fn designation(row: &Row) -> Result<u32> {
    int(row, 0, "recording.designation")
}

/// Reads column `at` (labelled `label` in errors) with the client's conversion.
fn get<'r, T: postgres::types::FromSql<'r>>(row: &'r Row, at: usize, label: &'static str) -> Result<T> {
    row.try_get(at).map_err(|error| LedgerError::Corrupt { column: label, value: error.to_string() })
}

/// Reads a `bigint` column into a narrower integer.
fn int<T: TryFrom<i64>>(row: &Row, at: usize, label: &'static str) -> Result<T> {
    let value: i64 = get(row, at, label)?;
    T::try_from(value).map_err(|_| LedgerError::Corrupt { column: label, value: value.to_string() })
}

/// Reads a text column holding one of a closed set of words.
fn word<T: FromStr>(row: &Row, at: usize, label: &'static str) -> Result<T> {
    parsed(row, at, label, |text| text.parse().ok())
}

/// Reads a non-null text column through `parse`.
fn parsed<T>(row: &Row, at: usize, label: &'static str, parse: impl Fn(&str) -> Option<T>) -> Result<T> {
    let text: String = get(row, at, label)?;
    parse(&text).ok_or(LedgerError::Corrupt { column: label, value: text })
}

/// Reads a nullable text column through `parse`.
fn optional<T>(row: &Row, at: usize, label: &'static str, parse: impl Fn(&str) -> Option<T>) -> Result<Option<T>> {
    let text: Option<String> = get(row, at, label)?;
    text.map(|text| parse(&text).ok_or(LedgerError::Corrupt { column: label, value: text })).transpose()
}

/// Parses a stored code.
fn parse_isrc(text: &str) -> Option<Isrc> {
    Isrc::parse(text).ok()
}
