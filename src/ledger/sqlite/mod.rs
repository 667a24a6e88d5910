//! The SQLite ledger, the embedded default for one machine: one file, WAL mode,
//! `BEGIN IMMEDIATE` write transactions, so several processes can assign against it at
//! once without issuing a code twice. Never on a network share: SQLite's locking does
//! not hold over NFS or SMB.

mod fingerprint;
mod read;
mod row;
mod schema;
#[cfg(test)]
mod tests;
mod write;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior};

use super::error::{LedgerError, Result};
use super::types::{
    AudioRecord, Event, FingerprintCandidate, NewEvent, NewRecording, Origin, PrefixRecord, Recording, Stored,
};
use super::{Designations, Ledger, LedgerTx, Lookup, Snapshot, rules};
use crate::acoustic::Fingerprint;
use crate::audio::AudioId;
use crate::isrc::{DesignationRange, Isrc, Prefix};

/// A ledger in an SQLite file (or in memory, for tests).
#[derive(Debug)]
pub struct SqliteLedger {
    /// The open connection, configured by [`configure`].
    conn: Connection,
    /// The file, `None` in memory.
    path: Option<PathBuf>,
}

/// A write transaction on a [`SqliteLedger`]; rolls back when dropped uncommitted.
#[derive(Debug)]
struct SqliteTx<'c> {
    /// An `IMMEDIATE` transaction: it holds the write lock from its start.
    tx: Transaction<'c>,
}

/// A read transaction on a [`SqliteLedger`]: one consistent state, no write lock.
#[derive(Debug)]
struct SqliteSnapshot<'c> {
    /// A `DEFERRED` transaction that only ever reads.
    tx: Transaction<'c>,
}

impl SqliteLedger {
    /// How long a writer waits for another process's transaction before giving up.
    pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

    /// Opens the ledger at `path`, creating the file and its folders if needed, and
    /// migrating the schema forward. Does no work proportional to the ledger's size.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteLedger> {
        let path = path.as_ref();
        create_parent(path)?;
        let conn = Connection::open(path).map_err(|source| open_error(path, source))?;
        SqliteLedger::set_up(conn, Some(path))
    }

    /// Opens an empty ledger that lives in memory and vanishes when dropped.
    pub fn open_in_memory() -> Result<SqliteLedger> {
        let path = Path::new(":memory:");
        let conn = Connection::open_in_memory().map_err(|source| open_error(path, source))?;
        SqliteLedger::set_up(conn, None)
    }

    /// The file, or `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The schema version in the file (`PRAGMA user_version`).
    #[cfg(test)]
    fn schema_version(&self) -> Result<i64> {
        schema::user_version(&self.conn)
    }

    /// The connection, for [`Lookup`] (and for tests that bypass the checks).
    fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Configures the connection and migrates the schema.
    fn set_up(mut conn: Connection, path: Option<&Path>) -> Result<SqliteLedger> {
        let shown = path.unwrap_or(Path::new(":memory:"));
        configure(&conn).map_err(|source| open_error(shown, source))?;
        schema::migrate(&mut conn, shown).map_err(|error| match error {
            LedgerError::Backend(reason) => LedgerError::Open { location: shown.display().to_string(), reason },
            other => other,
        })?;
        Ok(SqliteLedger { conn, path: path.map(Path::to_owned) })
    }
}

/// Creates the folder that will hold the ledger file.
fn create_parent(path: &Path) -> Result<()> {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => {
            std::fs::create_dir_all(parent).map_err(|source| LedgerError::CreateDir { path: parent.to_owned(), source })
        }
        _ => Ok(()),
    }
}

/// Busy timeout, foreign keys, WAL, and full sync: a committed code must survive a power
/// cut, because it is written into files right after the commit.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(SqliteLedger::BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    switch_to_wal(conn)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(())
}

/// Puts the file in WAL mode (a lasting property of the file).
///
/// SQLite answers "database is locked" at once, without the busy handler, when another
/// connection is switching the same new file at the same moment: two `assign` runs started
/// together on a fresh ledger. So the switch is retried, for up to the busy timeout.
/// An in-memory database answers "memory" and a file system without shared memory keeps
/// its old mode; both still work, so the answer is not checked.
fn switch_to_wal(conn: &Connection) -> rusqlite::Result<()> {
    let started = std::time::Instant::now();
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "wal", |row| row.get::<_, String>(0)) {
            Err(error)
                if error.sqlite_error_code() == Some(ErrorCode::DatabaseBusy)
                    && started.elapsed() < SqliteLedger::BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            result => return result.map(drop),
        }
    }
}

/// Starts a write transaction, waiting up to the busy timeout for the write lock.
fn begin_immediate(conn: &mut Connection) -> Result<Transaction<'_>> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|error| match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) => LedgerError::Busy(SqliteLedger::BUSY_TIMEOUT),
        _ => LedgerError::from(error),
    })
}

/// An error opening or setting up `path`.
fn open_error(path: &Path, source: rusqlite::Error) -> LedgerError {
    LedgerError::Open { location: path.display().to_string(), reason: source.to_string() }
}

/// SQLite's errors reach the rest of the program as text: no rusqlite type leaves here.
impl From<rusqlite::Error> for LedgerError {
    fn from(error: rusqlite::Error) -> Self {
        LedgerError::Backend(error.to_string())
    }
}

/// Implements [`Lookup`] by delegating to [`read`] on the type's `conn()`.
macro_rules! sqlite_lookup {
    ($type:ty) => {
        impl Lookup for $type {
            fn prefixes(&mut self) -> Result<Vec<PrefixRecord>> {
                read::prefixes(self.conn())
            }

            fn prefix(&mut self, prefix: Prefix) -> Result<Option<PrefixRecord>> {
                read::prefix(self.conn(), prefix)
            }

            fn recording(&mut self, isrc: Isrc) -> Result<Option<Recording>> {
                read::recording(self.conn(), isrc)
            }

            fn code_for_audio(&mut self, audio_id: &AudioId) -> Result<Option<Isrc>> {
                read::code_for_audio(self.conn(), audio_id)
            }

            fn audio_for_code(&mut self, isrc: Isrc) -> Result<Vec<AudioRecord>> {
                read::audio_for_code(self.conn(), isrc)
            }

            fn recordings(&mut self) -> Result<Vec<Recording>> {
                read::recordings(self.conn())
            }

            fn events_for(&mut self, isrc: Isrc) -> Result<Vec<Event>> {
                read::events_for(self.conn(), isrc)
            }

            fn fingerprint(&mut self, audio_id: &AudioId) -> Result<Option<Fingerprint>> {
                fingerprint::stored(self.conn(), audio_id)
            }

            fn fingerprint_candidates(&mut self, keys: &[u32], limit: usize) -> Result<Vec<FingerprintCandidate>> {
                rules::fingerprint_candidates(&mut fingerprint::Index(self.conn()), keys, limit)
            }
        }
    };
}

sqlite_lookup!(SqliteLedger);
sqlite_lookup!(SqliteTx<'_>);
sqlite_lookup!(SqliteSnapshot<'_>);

impl SqliteSnapshot<'_> {
    /// The snapshot's connection, for [`Lookup`].
    fn conn(&self) -> &Connection {
        &self.tx
    }
}

impl Designations for SqliteSnapshot<'_> {
    fn highest_used(&mut self, prefix: Prefix, year: u8, bounds: (u32, u32)) -> Result<Option<u32>> {
        read::Used(&self.tx).highest_used(prefix, year, bounds)
    }

    fn is_used(&mut self, prefix: Prefix, year: u8, designation: u32) -> Result<bool> {
        read::Used(&self.tx).is_used(prefix, year, designation)
    }

    fn lowest_gap_above(&mut self, prefix: Prefix, year: u8, bounds: (u32, u32)) -> Result<Option<u32>> {
        read::Used(&self.tx).lowest_gap_above(prefix, year, bounds)
    }
}

impl Snapshot for SqliteSnapshot<'_> {
    fn recordings_after(&mut self, after: Option<Isrc>, limit: usize) -> Result<Vec<Recording>> {
        read::recordings_after(&self.tx, after, limit)
    }

    fn audio_after(
        &mut self,
        after: Option<&AudioId>,
        limit: usize,
    ) -> Result<Vec<(AudioRecord, Option<Fingerprint>)>> {
        read::audio_after(&self.tx, after, limit)
    }

    fn events_after(&mut self, after: i64, limit: usize) -> Result<Vec<Event>> {
        read::events_after(&self.tx, after, limit)
    }
}

impl Ledger for SqliteLedger {
    fn add_prefix(&mut self, prefix: Prefix, range: DesignationRange, at: i64) -> Result<bool> {
        let tx = begin_immediate(&mut self.conn)?;
        let added = write::add_prefix(&tx, prefix, range, at)?;
        tx.commit()?;
        Ok(added)
    }

    fn begin(&mut self) -> Result<Box<dyn LedgerTx + '_>> {
        let tx = begin_immediate(&mut self.conn)?;
        Ok(Box::new(SqliteTx { tx }))
    }

    fn snapshot(&mut self) -> Result<Box<dyn Snapshot + '_>> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        Ok(Box::new(SqliteSnapshot { tx }))
    }
}

impl SqliteTx<'_> {
    /// The transaction's connection, for [`Lookup`].
    fn conn(&self) -> &Connection {
        &self.tx
    }
}

impl LedgerTx for SqliteTx<'_> {
    fn issue_next(&mut self, prefix: Prefix, year: u8, new: &NewRecording) -> Result<Isrc> {
        write::issue_next(&self.tx, prefix, year, new)
    }

    fn adopt(&mut self, isrc: Isrc, origin: Origin, new: &NewRecording) -> Result<()> {
        write::insert_recording(&self.tx, isrc, origin, new)
    }

    fn bind_audio(&mut self, audio: &AudioRecord) -> Result<bool> {
        write::bind_audio(&self.tx, audio)
    }

    fn log(&mut self, event: &NewEvent) -> Result<i64> {
        write::log(&self.tx, event)
    }

    fn store_fingerprint(&mut self, audio_id: &AudioId, fingerprint: &Fingerprint) -> Result<bool> {
        fingerprint::store(&self.tx, audio_id, fingerprint)
    }

    fn void(&mut self, isrc: Isrc, reason: &str) -> Result<()> {
        write::void(&self.tx, isrc, reason)
    }

    fn restore(&mut self, items: &[Stored]) -> Result<()> {
        write::restore(&self.tx, items)
    }

    fn commit(self: Box<Self>) -> Result<()> {
        Ok(self.tx.commit()?)
    }
}

/// Fresh in-memory ledgers, for the behaviour tests.
#[cfg(test)]
pub(in crate::ledger) fn in_memory_factory() -> Option<Box<dyn Fn() -> Box<dyn Ledger>>> {
    Some(Box::new(|| Box::new(SqliteLedger::open_in_memory().expect("an in-memory ledger"))))
}
