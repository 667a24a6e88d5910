//! Acoustic fingerprints in SQLite: one per audio id, and the `fingerprint_key` index
//! that finds the stored ones a new fingerprint may match. How far a lookup reads is
//! the shared rule's ([`crate::ledger::rules::fingerprint_candidates`]).

use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use crate::base::ids::AudioId;
use crate::base::ids::{self, Fingerprint};
use crate::isrc::Isrc;
use crate::ledger::error::{LedgerError, Result};
use crate::ledger::rules::FingerprintIndex;
use crate::ledger::types::FingerprintCandidate;

/// Stores a fingerprint and its keys; `false` if the audio id has one already.
pub(super) fn store(conn: &Connection, audio_id: &AudioId, fingerprint: &Fingerprint) -> Result<bool> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO fingerprint (audio_id, algorithm, covers, data) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (audio_id) DO NOTHING",
    )?;
    let added = insert.execute(params![
        audio_id.as_str(),
        ids::ALGORITHM,
        fingerprint.covers().as_secs_f64(),
        fingerprint.to_bytes(),
    ])?;
    if added == 0 {
        return Ok(false);
    }
    let id = conn.last_insert_rowid();
    let mut key = conn.prepare_cached("INSERT OR IGNORE INTO fingerprint_key (key, fingerprint) VALUES (?1, ?2)")?;
    for value in fingerprint.keys() {
        key.execute(params![i64::from(value), id])?;
    }
    Ok(true)
}

/// The stored fingerprint of an audio id (of this build's algorithm).
pub(super) fn stored(conn: &Connection, audio_id: &AudioId) -> Result<Option<Fingerprint>> {
    let mut stmt =
        conn.prepare_cached("SELECT covers, data FROM fingerprint WHERE audio_id = ?1 AND algorithm = ?2")?;
    let row: Option<(f64, Vec<u8>)> =
        stmt.query_row(params![audio_id.as_str(), ids::ALGORITHM], |row| Ok((row.get(0)?, row.get(1)?))).optional()?;
    row.map(|(covers, data)| decode(covers, &data)).transpose()
}

/// The key index, as the candidate rule reads it.
pub(super) struct Index<'c>(pub &'c Connection);

impl FingerprintIndex for Index<'_> {
    fn holders(&mut self, keys: &[u32], at_most: usize) -> Result<Vec<Vec<i64>>> {
        let mut stmt = self.0.prepare_cached("SELECT fingerprint FROM fingerprint_key WHERE key = ?1 LIMIT ?2")?;
        let at_most = i64::try_from(at_most).unwrap_or(i64::MAX);
        let mut all = Vec::with_capacity(keys.len());
        for &key in keys {
            let mut rows = stmt.query(params![i64::from(key), at_most])?;
            let mut ids = Vec::new();
            while let Some(row) = rows.next()? {
                ids.push(row.get::<_, i64>(0)?);
            }
            all.push(ids);
        }
        Ok(all)
    }

    fn candidates(&mut self, ranked: &[(i64, usize)]) -> Result<Vec<FingerprintCandidate>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT f.audio_id, a.isrc, a.frames, a.rate, a.first_path, f.covers, f.data
             FROM fingerprint AS f
             JOIN audio AS a ON a.audio_id = f.audio_id
             JOIN recording AS r ON r.code = a.isrc
             WHERE f.id = ?1 AND f.algorithm = ?2 AND r.status = 'active'",
        )?;
        type Row = (String, String, i64, i64, String, f64, Vec<u8>);
        let mut found = Vec::new();
        for &(id, shared_keys) in ranked {
            let row: Option<Row> = stmt
                .query_row(params![id, ids::ALGORITHM], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?))
                })
                .optional()?;
            let Some((audio_id, isrc, frames, rate, first_path, covers, data)) = row else {
                continue;
            };
            let audio_id = AudioId::parse(&audio_id)
                .ok_or(LedgerError::Corrupt { column: "fingerprint.audio_id", value: audio_id })?;
            let isrc = Isrc::parse(&isrc).map_err(|_| LedgerError::Corrupt { column: "audio.isrc", value: isrc })?;
            let duration_seconds = if rate > 0 { frames as f64 / rate as f64 } else { 0.0 };
            found.push(FingerprintCandidate {
                audio_id,
                isrc,
                duration_seconds,
                first_path,
                fingerprint: decode(covers, &data)?,
                shared_keys,
            });
        }
        Ok(found)
    }
}

/// A stored fingerprint from its columns.
pub(super) fn decode(covers: f64, data: &[u8]) -> Result<Fingerprint> {
    let covers = Duration::try_from_secs_f64(covers).unwrap_or_default();
    Fingerprint::from_bytes(data, covers)
        .ok_or_else(|| LedgerError::Corrupt { column: "fingerprint.data", value: format!("{} bytes", data.len()) })
}
