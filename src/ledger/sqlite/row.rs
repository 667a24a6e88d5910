//! Turning SQLite rows into ledger types, with a clear error for a value that does not
//! read back (a file edited by hand, or damaged).

use std::str::FromStr;

use rusqlite::types::FromSql;
use rusqlite::{Params, Row, Statement};

use crate::base::ids::AudioId;
use crate::isrc::{Catalog, DesignationRange, Isrc, Prefix};
use crate::ledger::error::{LedgerError, Result};
use crate::ledger::types::{
    AudioRecord, Completeness, Event, EventKind, Origin, PrefixRecord, Publication, Recording, Release, ReleaseTrack,
    Run,
};

/// Columns read by [`prefix_record`].
pub(super) const PREFIX_COLUMNS: &str = "prefix, range_first, range_last, created_at";

/// Columns read by [`recording`].
pub(super) const RECORDING_COLUMNS: &str = "code, origin, status, title, artist, version_note, \
     parent, relation, issued_at, issued_by, void_reason, listed_issued_at, declared_ms, \
     content_type, p_date, p_line_year, p_line_owner, parental_warning";

/// Columns read by [`release`] (its tracks come from [`release_track`]).
pub(super) const RELEASE_COLUMNS: &str = "ean, upc, title, artist, label, date, p_line, c_line, created_at";

/// Columns read by [`audio_record`].
pub(super) const AUDIO_COLUMNS: &str = "audio_id, isrc, frames, rate, channels, bits, first_path, added_at, codec";

/// Columns read by [`event`].
pub(super) const EVENT_COLUMNS: &str = "id, at, user, path, audio_id, isrc, action, detail, run";

/// Columns read by [`run`].
pub(super) const RUN_COLUMNS: &str = "id, started_at, user, host, role, paths, counts";

/// Runs `stmt` and decodes every row.
pub(super) fn all<T>(
    stmt: &mut Statement<'_>,
    params: impl Params,
    decode: fn(&Row<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}

/// Runs `stmt` and decodes the first row, if any.
pub(super) fn first<T>(
    stmt: &mut Statement<'_>,
    params: impl Params,
    decode: fn(&Row<'_>) -> Result<T>,
) -> Result<Option<T>> {
    let mut rows = stmt.query(params)?;
    rows.next()?.map(decode).transpose()
}

/// A row of `prefix`.
pub(super) fn prefix_record(row: &Row<'_>) -> Result<PrefixRecord> {
    let first: u32 = get(row, "prefix.range_first")?;
    let last: u32 = get(row, "prefix.range_last")?;
    Ok(PrefixRecord {
        prefix: prefix(row, "prefix.prefix")?,
        range: DesignationRange { first, last },
        created_at: get(row, "prefix.created_at")?,
    })
}

/// A row of `recording`.
pub(super) fn recording(row: &Row<'_>) -> Result<Recording> {
    let origin: Origin = word(row, "recording.origin")?;
    let entered_at: i64 = get(row, "recording.issued_at")?;
    let declared_ms: Option<i64> = get(row, "recording.declared_ms")?;
    Ok(Recording {
        isrc: isrc(row, "recording.code")?,
        origin,
        status: word(row, "recording.status")?,
        title: get(row, "recording.title")?,
        artist: get(row, "recording.artist")?,
        version_note: get(row, "recording.version_note")?,
        parent: optional(row, "recording.parent", parse_isrc)?,
        relation: optional(row, "recording.relation", |text| text.parse().ok())?,
        issued_at: if origin == Origin::Imported { get(row, "recording.listed_issued_at")? } else { Some(entered_at) },
        entered_at,
        issued_by: get(row, "recording.issued_by")?,
        void_reason: get(row, "recording.void_reason")?,
        declared_ms: declared_ms.map(|ms| u64::try_from(ms).unwrap_or(0)),
        publication: publication(row)?,
    })
}

/// The publication columns of a row of `recording`.
fn publication(row: &Row<'_>) -> Result<Publication> {
    let year: Option<i64> = get(row, "recording.p_line_year")?;
    let year = year
        .map(|year| {
            u16::try_from(year)
                .map_err(|_| LedgerError::Corrupt { column: "recording.p_line_year", value: year.to_string() })
        })
        .transpose()?;
    Ok(Publication {
        content_type: word(row, "recording.content_type")?,
        p_date: get(row, "recording.p_date")?,
        p_line_year: year,
        p_line_owner: get(row, "recording.p_line_owner")?,
        parental_warning: optional(row, "recording.parental_warning", |text| text.parse().ok())?,
    })
}

/// Columns read by [`completeness`], from `recording AS r`: the code, and which fields
/// it has as the bits of [`Completeness::from_bits`].
pub(super) const COMPLETENESS_COLUMNS: &str = "r.code, (r.title IS NOT NULL) \
     | ((r.artist IS NOT NULL) << 1) | ((r.version_note IS NOT NULL) << 2) \
     | ((r.declared_ms IS NOT NULL \
         OR EXISTS (SELECT 1 FROM audio AS a WHERE a.isrc = r.code AND a.frames > 0 AND a.rate > 0)) << 3) \
     | ((r.p_date IS NOT NULL) << 4) | ((r.p_line_year IS NOT NULL AND r.p_line_owner IS NOT NULL) << 5) \
     | ((r.parental_warning IS NOT NULL) << 6)";

/// A row of [`COMPLETENESS_COLUMNS`].
pub(super) fn completeness(row: &Row<'_>) -> Result<Completeness> {
    let code = row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
    let isrc = parse_isrc(code).ok_or_else(|| LedgerError::Corrupt { column: "recording.code", value: code.into() })?;
    Ok(Completeness::from_bits(isrc, row.get(1)?))
}

/// A row of `release` (without its tracks).
pub(super) fn release(row: &Row<'_>) -> Result<Release> {
    let upc: String = get(row, "release.upc")?;
    let catalog = Catalog::parse(&upc).map_err(|_| LedgerError::Corrupt { column: "release.upc", value: upc })?;
    Ok(Release {
        upc: catalog,
        title: get(row, "release.title")?,
        artist: get(row, "release.artist")?,
        label: get(row, "release.label")?,
        date: get(row, "release.date")?,
        p_line: get(row, "release.p_line")?,
        c_line: get(row, "release.c_line")?,
        created_at: get(row, "release.created_at")?,
        tracks: Vec::new(),
    })
}

/// A row of `release_track`: its release's EAN-13 digits and the track.
pub(super) fn release_track(row: &Row<'_>) -> Result<(String, ReleaseTrack)> {
    Ok((
        get(row, "release_track.ean")?,
        ReleaseTrack {
            disc: get(row, "release_track.disc")?,
            number: get(row, "release_track.number")?,
            isrc: isrc(row, "release_track.isrc")?,
        },
    ))
}

/// A row of `audio`.
pub(super) fn audio_record(row: &Row<'_>) -> Result<AudioRecord> {
    Ok(AudioRecord {
        audio_id: audio_id(row, "audio.audio_id")?,
        isrc: isrc(row, "audio.isrc")?,
        frames: unsigned(row, "audio.frames")?,
        sample_rate: get(row, "audio.rate")?,
        channels: get(row, "audio.channels")?,
        bits: get(row, "audio.bits")?,
        first_path: get(row, "audio.first_path")?,
        added_at: get(row, "audio.added_at")?,
        codec: get(row, "audio.codec")?,
    })
}

/// A row of `event`.
pub(super) fn event(row: &Row<'_>) -> Result<Event> {
    Ok(Event {
        id: get(row, "event.id")?,
        at: get(row, "event.at")?,
        user: get(row, "event.user")?,
        path: get(row, "event.path")?,
        audio_id: optional(row, "event.audio_id", AudioId::parse)?,
        isrc: optional(row, "event.isrc", parse_isrc)?,
        action: EventKind::parse(&get::<String>(row, "event.action")?),
        detail: get(row, "event.detail")?,
        run: get(row, "event.run")?,
    })
}

/// A row of `run`.
pub(super) fn run(row: &Row<'_>) -> Result<Run> {
    Ok(Run {
        run: get(row, "run.id")?,
        started_at: get(row, "run.started_at")?,
        user: get(row, "run.user")?,
        host: get(row, "run.host")?,
        role: get(row, "run.role")?,
        paths: json(row, "run.paths")?,
        counts: json(row, "run.counts")?,
    })
}

/// Reads a text column holding JSON.
fn json<T: serde::de::DeserializeOwned>(row: &Row<'_>, label: &'static str) -> Result<T> {
    let text: String = get(row, label)?;
    serde_json::from_str(&text).map_err(|_| LedgerError::Corrupt { column: label, value: text })
}

/// A single code column, as in `SELECT isrc FROM audio ...`.
pub(super) fn single_isrc(row: &Row<'_>) -> Result<Isrc> {
    let text: String = row.get(0)?;
    parse_isrc(&text).ok_or(LedgerError::Corrupt { column: "code", value: text })
}

/// Reads column `label` (`table.column`) with SQLite's own conversion.
fn get<T: FromSql>(row: &Row<'_>, label: &'static str) -> Result<T> {
    Ok(row.get(column(label))?)
}

/// Reads an integer column that holds a `u64`.
fn unsigned(row: &Row<'_>, label: &'static str) -> Result<u64> {
    let value: i64 = get(row, label)?;
    u64::try_from(value).map_err(|_| LedgerError::Corrupt { column: label, value: value.to_string() })
}

/// Reads a text column as a code.
fn isrc(row: &Row<'_>, label: &'static str) -> Result<Isrc> {
    parsed(row, label, parse_isrc)
}

/// Reads a text column as a prefix.
fn prefix(row: &Row<'_>, label: &'static str) -> Result<Prefix> {
    parsed(row, label, |text| Prefix::parse(text).ok())
}

/// Reads a text column as an audio id.
fn audio_id(row: &Row<'_>, label: &'static str) -> Result<AudioId> {
    parsed(row, label, AudioId::parse)
}

/// Reads a text column holding one of a closed set of words.
fn word<T: FromStr>(row: &Row<'_>, label: &'static str) -> Result<T> {
    parsed(row, label, |text| text.parse().ok())
}

/// Reads a non-null text column through `parse`.
fn parsed<T>(row: &Row<'_>, label: &'static str, parse: impl Fn(&str) -> Option<T>) -> Result<T> {
    let text: String = get(row, label)?;
    parse(&text).ok_or(LedgerError::Corrupt { column: label, value: text })
}

/// Reads a nullable text column through `parse`.
fn optional<T>(row: &Row<'_>, label: &'static str, parse: impl Fn(&str) -> Option<T>) -> Result<Option<T>> {
    let text: Option<String> = get(row, label)?;
    text.map(|text| parse(&text).ok_or(LedgerError::Corrupt { column: label, value: text })).transpose()
}

/// Parses a stored code.
fn parse_isrc(text: &str) -> Option<Isrc> {
    Isrc::parse(text).ok()
}

/// The column name in a `table.column` label.
fn column(label: &'static str) -> &'static str {
    label.rsplit_once('.').map_or(label, |(_, column)| column)
}
