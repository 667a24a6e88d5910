//! Acoustic fingerprints in the ledger: storing one per audio id, and finding the
//! stored ones a new fingerprint may match through the `fingerprint_key` index.
//!
//! The trade-off: every fingerprint indexes only a sample of its items (at most
//! [`crate::fingerprint::MAX_KEYS`], about one in 16), so the index stays near 100 rows
//! per audio id and a lookup costs one seek per key of the new fingerprint. Another
//! encoding of the same audio keeps most items bit for bit (on the test material 60 to
//! 95 % of the master's items survived a 64-192 kbit/s MP3 or a 16/44.1 conversion), so
//! it shares many keys; a key that appears in more than [`KEY_ROWS`] fingerprints (silence,
//! a common texture) carries no information and is skipped, which bounds the rows read.
//! Audio that shares no sampled item with anything in the ledger is not found: the
//! price of not scanning every fingerprint.

use std::collections::HashMap;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use crate::audio::AudioId;
use crate::code::Isrc;
use crate::fingerprint::{self, Fingerprint};
use crate::ledger::error::{LedgerError, Result};
use crate::ledger::types::FingerprintCandidate;

/// Rows read per key at most; a key with more is too common to tell recordings apart.
pub const KEY_ROWS: usize = 64;

/// Stores a fingerprint and its keys; `false` if the audio id has one already.
pub fn store(conn: &Connection, audio_id: &AudioId, fingerprint: &Fingerprint) -> Result<bool> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO fingerprint (audio_id, algorithm, covers, data) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (audio_id) DO NOTHING",
    )?;
    let added = insert.execute(params![
        audio_id.as_str(),
        fingerprint::ALGORITHM,
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
pub fn stored(conn: &Connection, audio_id: &AudioId) -> Result<Option<Fingerprint>> {
    let mut stmt =
        conn.prepare_cached("SELECT covers, data FROM fingerprint WHERE audio_id = ?1 AND algorithm = ?2")?;
    let row: Option<(f64, Vec<u8>)> = stmt
        .query_row(params![audio_id.as_str(), fingerprint::ALGORITHM], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    row.map(|(covers, data)| decode(covers, &data)).transpose()
}

/// Stored fingerprints sharing keys with `keys`, most shared first, at most `limit`.
pub fn candidates(conn: &Connection, keys: &[u32], limit: usize) -> Result<Vec<FingerprintCandidate>> {
    let mut ranked: Vec<(i64, usize)> = shared_key_counts(conn, keys)?.into_iter().collect();
    ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut found = Vec::new();
    // A few more than `limit`, since some ids may be void or left over.
    for (id, shared_keys) in ranked.into_iter().take(limit.saturating_mul(2)) {
        if found.len() == limit {
            break;
        }
        if let Some(candidate) = candidate(conn, id, shared_keys)? {
            found.push(candidate);
        }
    }
    Ok(found)
}

/// How many of `keys` each fingerprint id shares, skipping keys too common to count.
fn shared_key_counts(conn: &Connection, keys: &[u32]) -> Result<HashMap<i64, usize>> {
    let mut stmt = conn.prepare_cached("SELECT fingerprint FROM fingerprint_key WHERE key = ?1 LIMIT ?2")?;
    let mut counts: HashMap<i64, usize> = HashMap::new();
    let mut ids = Vec::with_capacity(KEY_ROWS + 1);
    for &key in keys {
        ids.clear();
        let mut rows = stmt.query(params![i64::from(key), (KEY_ROWS + 1) as i64])?;
        while let Some(row) = rows.next()? {
            ids.push(row.get::<_, i64>(0)?);
        }
        if ids.len() > KEY_ROWS {
            continue;
        }
        for &id in &ids {
            *counts.entry(id).or_default() += 1;
        }
    }
    Ok(counts)
}

/// One candidate by fingerprint id, if its audio is bound to an active code.
fn candidate(conn: &Connection, id: i64, shared_keys: usize) -> Result<Option<FingerprintCandidate>> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.audio_id, a.isrc, a.frames, a.rate, a.first_path, f.covers, f.data
         FROM fingerprint AS f
         JOIN audio AS a ON a.audio_id = f.audio_id
         JOIN recording AS r ON r.code = a.isrc
         WHERE f.id = ?1 AND f.algorithm = ?2 AND r.status = 'active'",
    )?;
    type Row = (String, String, i64, i64, String, f64, Vec<u8>);
    let row: Option<Row> = stmt
        .query_row(params![id, fingerprint::ALGORITHM], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?))
        })
        .optional()?;
    let Some((audio_id, isrc, frames, rate, first_path, covers, data)) = row else {
        return Ok(None);
    };
    let audio_id =
        AudioId::parse(&audio_id).ok_or(LedgerError::Corrupt { column: "fingerprint.audio_id", value: audio_id })?;
    let isrc = Isrc::parse(&isrc).map_err(|_| LedgerError::Corrupt { column: "audio.isrc", value: isrc })?;
    let duration_seconds = if rate > 0 { frames as f64 / rate as f64 } else { 0.0 };
    Ok(Some(FingerprintCandidate {
        audio_id,
        isrc,
        duration_seconds,
        first_path,
        fingerprint: decode(covers, &data)?,
        shared_keys,
    }))
}

/// A stored fingerprint from its columns.
fn decode(covers: f64, data: &[u8]) -> Result<Fingerprint> {
    let covers = Duration::try_from_secs_f64(covers).unwrap_or_default();
    Fingerprint::from_bytes(data, covers)
        .ok_or_else(|| LedgerError::Corrupt { column: "fingerprint.data", value: format!("{} bytes", data.len()) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::{DesignationRange, Prefix};
    use crate::ledger::{AudioRecord, Ledger, LedgerTx, Lookup, NewRecording, SqliteLedger};

    fn audio(n: u64) -> AudioId {
        AudioId::parse(&format!("pcm1:{n:064x}")).expect("well-formed")
    }

    use crate::fingerprint::test_items as items;

    fn print(seed: u64) -> Fingerprint {
        Fingerprint::new(items(seed, 900), Duration::from_secs(111))
    }

    /// A ledger with one issued code per seed, each bound to `audio(seed)`.
    fn ledger_with(seeds: &[u64]) -> (SqliteLedger, Vec<Isrc>) {
        let mut ledger = SqliteLedger::open_in_memory().expect("in memory");
        let prefix = Prefix::parse("USPR3").expect("prefix");
        ledger.add_prefix(prefix, DesignationRange { first: 1, last: 99_999 }, 0).expect("prefix added");
        let codes = ledger
            .transaction(|tx| {
                seeds
                    .iter()
                    .map(|&seed| {
                        let isrc = tx.issue_next(prefix, 26, &NewRecording::new("t", 0))?;
                        bind(tx, seed, isrc)?;
                        Ok(isrc)
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .expect("issued");
        (ledger, codes)
    }

    fn bind(tx: &mut dyn LedgerTx, seed: u64, isrc: Isrc) -> Result<bool> {
        tx.bind_audio(&AudioRecord {
            audio_id: audio(seed),
            isrc,
            frames: 48_000 * 111,
            sample_rate: 48_000,
            channels: 2,
            bits: 24,
            first_path: format!("/masters/{seed}.wav"),
            added_at: 0,
        })
    }

    #[test]
    fn a_fingerprint_is_stored_once_and_reads_back() {
        let (mut ledger, _) = ledger_with(&[1]);
        let stored = ledger.transaction(|tx| tx.store_fingerprint(&audio(1), &print(1))).expect("stored");
        assert!(stored);
        let again = ledger.transaction(|tx| tx.store_fingerprint(&audio(1), &print(2))).expect("no error");
        assert!(!again, "the first fingerprint is kept");
        assert_eq!(ledger.fingerprint(&audio(1)).expect("read"), Some(print(1)));
        assert_eq!(ledger.fingerprint(&audio(9)).expect("read"), None);
    }

    #[test]
    fn a_fingerprint_needs_its_audio_in_the_ledger() {
        let (mut ledger, _) = ledger_with(&[1]);
        assert!(ledger.transaction(|tx| tx.store_fingerprint(&audio(2), &print(2))).is_err());
    }

    #[test]
    fn candidates_share_keys_and_come_most_shared_first() {
        let (mut ledger, codes) = ledger_with(&[1, 2, 3]);
        ledger
            .transaction(|tx| {
                for seed in [1, 2, 3] {
                    tx.store_fingerprint(&audio(seed), &print(seed))?;
                }
                Ok::<_, LedgerError>(())
            })
            .expect("stored");
        // The second half of recording 2: shares the keys of that half only.
        let half = Fingerprint::new(print(2).items()[450..].to_vec(), Duration::from_secs(55));
        let found = ledger.fingerprint_candidates(&half.keys(), 8).expect("looked up");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].isrc, &found[0].audio_id), (codes[1], &audio(2)));
        assert_eq!(found[0].shared_keys, half.keys().len());
        assert!((found[0].duration_seconds - 111.0).abs() < 1e-9);
        assert_eq!(found[0].fingerprint, print(2));
        assert!(ledger.fingerprint_candidates(&print(7).keys(), 8).expect("looked up").is_empty());
        assert!(ledger.fingerprint_candidates(&[], 8).expect("looked up").is_empty());
    }

    #[test]
    fn keys_found_in_too_many_fingerprints_are_skipped_and_void_codes_left_out() {
        let seeds: Vec<u64> = (1..=KEY_ROWS as u64 + 1).collect();
        let (mut ledger, codes) = ledger_with(&seeds);
        // Every fingerprint holds the same key item, plus its own.
        let common = (0u32..).find(|&x| crate::fingerprint::is_key(x)).expect("a key");
        ledger
            .transaction(|tx| {
                for &seed in &seeds {
                    let mut items = vec![common; 10];
                    items.extend(items_for(seed));
                    tx.store_fingerprint(&audio(seed), &Fingerprint::new(items, Duration::from_secs(10)))?;
                }
                Ok::<_, LedgerError>(())
            })
            .expect("stored");
        assert!(ledger.fingerprint_candidates(&[common], 8).expect("looked up").is_empty());
        let own = Fingerprint::new(items_for(5), Duration::from_secs(10)).keys();
        assert_eq!(ledger.fingerprint_candidates(&own, 8).expect("looked up")[0].isrc, codes[4]);
        ledger.transaction(|tx| tx.void(codes[4], "test")).expect("voided");
        let found = ledger.fingerprint_candidates(&own, 8).expect("looked up");
        assert!(found.iter().all(|c| c.isrc != codes[4]), "{found:?}");
    }

    #[test]
    fn a_version_1_ledger_gains_the_fingerprint_tables_and_keeps_its_codes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("ledger.sqlite3");
        let code = {
            let mut ledger = SqliteLedger::open(&path).expect("opened");
            let prefix = Prefix::parse("USPR3").expect("prefix");
            ledger.add_prefix(prefix, DesignationRange { first: 1, last: 99_999 }, 0).expect("prefix added");
            ledger
                .transaction(|tx| {
                    let isrc = tx.issue_next(prefix, 26, &NewRecording::new("t", 0))?;
                    bind(tx, 1, isrc)?;
                    Ok::<_, LedgerError>(isrc)
                })
                .expect("issued")
        };
        // Back to version 1, as an older isrc-stamp left it.
        let raw = Connection::open(&path).expect("raw");
        raw.execute_batch("DROP TABLE fingerprint_key; DROP TABLE fingerprint; PRAGMA user_version = 1;")
            .expect("downgraded");
        drop(raw);
        let mut ledger = SqliteLedger::open(&path).expect("migrated");
        assert_eq!(ledger.schema_version().expect("version"), 2);
        assert_eq!(ledger.code_for_audio(&audio(1)).expect("read"), Some(code));
        assert!(ledger.transaction(|tx| tx.store_fingerprint(&audio(1), &print(1))).expect("stored"));
    }

    /// Items of which several are keys, different per seed.
    fn items_for(seed: u64) -> Vec<u32> {
        items(seed + 1000, 400)
    }
}
