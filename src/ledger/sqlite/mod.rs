//! The SQLite ledger, the embedded default for one machine: one file, WAL mode,
//! `BEGIN IMMEDIATE` write transactions, so several processes can assign against it at
//! once without issuing a code twice. Never on a network share: SQLite's locking does
//! not hold over NFS or SMB, and a ledger there is refused ([`refuse_network_share`]).

mod fingerprint;
mod read;
mod row;
mod schema;
#[cfg(test)]
mod tests;
mod write;

mod create;
mod maintain;

pub use create::{CreateError, create_whole};

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};

use maintain::{backup_to, check_integrity};

use super::error::{LedgerError, Result};
use super::types::{
    AudioRecord, Completeness, Event, FingerprintCandidate, MetadataEdit, NewEvent, NewRecording, NewRun, Origin,
    PrefixRecord, Recording, Release, ReleaseTrack, Run, Stored,
};
use super::{Designations, Ledger, LedgerTx, Lookup, Snapshot, check, rules};
use crate::base::ids::AudioId;
use crate::base::ids::Fingerprint;
use crate::isrc::{Catalog, DesignationRange, Isrc, Prefix};

/// A ledger in an SQLite file (or in memory, for tests).
#[derive(Debug)]
pub struct SqliteLedger {
    /// The open connection, configured by [`configure`].
    conn: Connection,
    /// The file, `None` in memory.
    path: Option<PathBuf>,
    /// Opened read-only: write transactions are refused before they start.
    read_only: bool,
    /// The `-shm` file as [`allocate_wal_index`] opened it, held until the connection
    /// is closed (declared after `conn`, so dropped after it). Closing any descriptor of
    /// a file drops every POSIX lock this process holds on it, SQLite's too: closed
    /// while the connection is open, another process would take the `-shm` for unused,
    /// truncate it under this one's mapping, and this one would die of SIGBUS.
    _wal_index: Option<File>,
}

/// A write transaction on a [`SqliteLedger`]; rolls back when dropped uncommitted.
#[derive(Debug)]
struct SqliteTx<'c> {
    /// An `IMMEDIATE` transaction: it holds the write lock from its start (`DEFERRED`,
    /// reading only, on a read-only ledger).
    tx: Transaction<'c>,
    /// The file, for messages.
    path: Option<&'c Path>,
    /// Every audio id looked up by code, re-checked before the commit ([`check::confirm_lookups`]).
    looked_up: Vec<AudioId>,
}

/// The first 16 bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// A read transaction on a [`SqliteLedger`]: one consistent state, no write lock.
#[derive(Debug)]
struct SqliteSnapshot<'c> {
    /// A `DEFERRED` transaction that only ever reads.
    tx: Transaction<'c>,
}

impl SqliteLedger {
    /// How long a writer waits for another process's transaction before giving up.
    pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

    /// Opens the ledger at `path`, creating it (and its folders) if there is no file
    /// there, and migrating the schema forward. Does no work proportional to the
    /// ledger's size.
    ///
    /// A file that is there must be a ledger: an empty file, a file that is not an
    /// SQLite database, or a database another program made is refused
    /// ([`LedgerError::NotALedger`]), never taken for a new ledger. A new ledger is made
    /// whole in a temporary file beside `path` and linked into place only if nothing is
    /// there yet, so no other process ever sees a half-made (empty) one.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteLedger> {
        let path = path.as_ref();
        refuse_network_share(path)?;
        ensure_room(path)?;
        if !path.exists() {
            create(path)?;
        }
        check_file(path)?;
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|source| open_error(path, source))?;
        SqliteLedger::set_up(conn, Some(path), false)
    }

    /// Opens the existing ledger at `path` for reading only: for the commands that only
    /// read, so that they work for a user who may only read the file, and on a
    /// read-only file system.
    ///
    /// SQLite's rules for a read-only WAL database (its "Read-Only Databases" notes):
    /// a reader needs the `-shm` index, and may create it and the `-wal` only where it
    /// may write the folder. Where it may not, and no `-wal` file holds commits that
    /// are not yet in the database (the last writer to close checkpoints and removes
    /// it), the file is opened as `immutable`: no locks, no shared memory, read as it
    /// is. A `-wal` left with commits in it cannot be read that way; the error says so.
    ///
    /// A user who may write the file and its folder gets a read-write connection with
    /// `PRAGMA query_only` instead: SQLite refuses every write just the same, and the
    /// last connection to close folds the WAL in and removes `-wal` and `-shm`, so reading
    /// a ledger leaves nothing beside it.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<SqliteLedger> {
        let path = path.as_ref();
        refuse_network_share(path)?;
        check_file(path)?;
        let writable = may_write(path);
        let access = if writable { OpenFlags::SQLITE_OPEN_READ_WRITE } else { OpenFlags::SQLITE_OPEN_READ_ONLY };
        let flags = access | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        // A reader also writes the WAL index: on a disk with no room for it, the file is
        // read as it is, if it can be ([`ensure_room`]).
        let opened = ensure_room(path)
            .map_err(|_| cannot_open_read_only())
            .and_then(|()| Connection::open_with_flags(path, flags));
        let opened = opened.and_then(|conn| {
            if writable {
                conn.pragma_update(None, "query_only", true)?;
            }
            // The first read opens the WAL index: that is where a reader without write
            // access to the folder fails.
            conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
            Ok(conn)
        });
        let conn = match opened {
            Ok(conn) => conn,
            Err(error) if matches!(error.sqlite_error_code(), Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly)) => {
                let wal = sidecar(path, "-wal");
                if wal.metadata().is_ok_and(|m| m.len() > 0) {
                    return Err(LedgerError::Open {
                        location: path.display().to_string(),
                        reason: format!(
                            "it cannot be read without write access to its folder while {} holds commits \
                             not yet in the ledger file; run any isrc-stamp command on it as a user who may \
                             write it (that folds them in), then read it again",
                            wal.display()
                        ),
                    });
                }
                Connection::open_with_flags(immutable_uri(path), flags).map_err(|source| open_error(path, source))?
            }
            Err(error) => return Err(open_error(path, error)),
        };
        conn.busy_timeout(SqliteLedger::BUSY_TIMEOUT).map_err(|source| open_error(path, source))?;
        conn.pragma_update(None, "cell_size_check", true).map_err(|source| open_error(path, source))?;
        schema::check_readable(&conn, path)?;
        let wal_index = allocate_wal_index(path)?;
        Ok(SqliteLedger { conn, path: Some(path.to_owned()), read_only: true, _wal_index: wal_index })
    }

    /// Opens an empty ledger that lives in memory and vanishes when dropped.
    pub fn open_in_memory() -> Result<SqliteLedger> {
        let path = Path::new(":memory:");
        let conn = Connection::open_in_memory().map_err(|source| open_error(path, source))?;
        SqliteLedger::set_up(conn, None, true)
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

    /// Configures the connection and migrates the schema; `new` for a database just made.
    fn set_up(mut conn: Connection, path: Option<&Path>, new: bool) -> Result<SqliteLedger> {
        let shown = path.unwrap_or(Path::new(":memory:"));
        configure(&conn).map_err(|source| located(path, open_error(shown, source)))?;
        let wal_index = match path {
            Some(path) => allocate_wal_index(path)?,
            None => None,
        };
        schema::migrate(&mut conn, shown, new).map_err(|error| match error {
            LedgerError::Backend(reason) => LedgerError::Open { location: shown.display().to_string(), reason },
            other => located(path, other),
        })?;
        Ok(SqliteLedger { conn, path: path.map(Path::to_owned), read_only: false, _wal_index: wal_index })
    }

    /// The location as shown to people.
    fn shown(&self) -> String {
        self.path.as_deref().unwrap_or(Path::new(":memory:")).display().to_string()
    }
}

/// Creates a new, empty ledger at `path`: made in a temporary file beside it, then
/// linked into place unless another process made one there first (then that one is used).
fn create(path: &Path) -> Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(folder).map_err(|source| LedgerError::CreateDir { path: folder.to_owned(), source })?;
    let temp = tempfile::Builder::new()
        .prefix(".isrc-stamp-new-ledger-")
        .tempfile_in(folder)
        .map_err(|source| LedgerError::Open { location: path.display().to_string(), reason: source.to_string() })?;
    {
        let conn = Connection::open(temp.path()).map_err(|source| open_error(path, source))?;
        SqliteLedger::set_up(conn, Some(temp.path()), true)?;
        // Closing the only connection folds the WAL into the file and removes it.
    }
    // A ledger is read by everyone who assigns and verifies; tempfile makes 0600.
    set_mode_644(temp.as_file())
        .map_err(|source| LedgerError::Open { location: path.display().to_string(), reason: source.to_string() })?;
    match temp.persist_noclobber(path) {
        Ok(_) => {
            crate::base::replace::sync_folder(folder).map_err(|source| LedgerError::Open {
                location: path.display().to_string(),
                reason: source.to_string(),
            })?;
            Ok(())
        }
        Err(error) if error.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(LedgerError::Open { location: path.display().to_string(), reason: error.error.to_string() }),
    }
}

/// Gives a new ledger (or backup) file mode 0644, as a file made by a program usually
/// has (on Windows: a normal file, no longer temporary).
pub(super) fn set_mode_644(file: &File) -> std::io::Result<()> {
    crate::platform::keep::as_new_file(file)
}

/// Whether this process may write the file at `path` and create files beside it (the
/// `-wal` and `-shm` of a WAL database).
fn may_write(path: &Path) -> bool {
    use crate::platform::access;
    access::may_write(path).is_ok() && access::may_create_in(crate::base::replace::folder_of(path)).is_ok()
}

/// Refuses a ledger on a network file system: SQLite's locking does not hold over NFS
/// or SMB, so two rooms writing one ledger there could issue one code twice (DESIGN.md
/// section 4). A house with several rooms shares a PostgreSQL ledger instead.
fn refuse_network_share(path: &Path) -> Result<()> {
    match crate::base::fsinfo::network_kind(path) {
        Some(kind) => Err(LedgerError::NetworkShare { location: path.display().to_string(), kind }),
        None => Ok(()),
    }
}

/// Refuses a file that cannot be a ledger before SQLite is let at it: SQLite takes an
/// empty file for a new database, and would make one of it.
fn check_file(path: &Path) -> Result<()> {
    let not_a_ledger = |why: &str| LedgerError::NotALedger { location: path.display().to_string(), why: why.into() };
    let open_failed = |source: std::io::Error| LedgerError::Open {
        location: path.display().to_string(),
        reason: crate::base::io::describe_io(&source),
    };
    let metadata = std::fs::metadata(path).map_err(open_failed)?;
    if !metadata.is_file() {
        return Err(not_a_ledger("not a regular file"));
    }
    let mut header = [0u8; 16];
    let mut file = File::open(path).map_err(open_failed)?;
    let read = crate::base::io::read_full(&mut file, &mut header).map_err(open_failed)?;
    if read == 0 {
        return Err(not_a_ledger("the file is empty: 0 bytes"));
    }
    if read < header.len() || &header != SQLITE_HEADER {
        return Err(not_a_ledger("the file is not an SQLite database"));
    }
    Ok(())
}

/// `PATH-wal`, `PATH-shm`.
fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The `file:` URI that opens `path` immutable (percent-encoding what a URI cannot hold).
fn immutable_uri(path: &Path) -> String {
    let absolute = crate::platform::path::resolve(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    for byte in crate::platform::path::uri_path(&absolute) {
        if byte.is_ascii_alphanumeric() || b"/-_.~".contains(&byte) {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// Busy timeout, foreign keys, WAL, full sync (a committed code must survive a power
/// cut, because it is written into files right after the commit; on macOS through the
/// drive's cache, `fullfsync`), and SQLite's check of
/// every cell's size as a page is read (`cell_size_check`: a damaged page is refused
/// rather than misread, at a cost too small to measure here).
///
/// No SIGBUS on a full disk: SQLite maps the WAL index (`-shm`) into memory, and a
/// write to a mapped page the file system cannot back raises SIGBUS, which kills the
/// process. The `-shm` is allocated whole while there is room ([`allocate_wal_index`]);
/// the database file itself is never mapped (`mmap_size` is 0, set here so that no
/// compile-time default can change it).
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(SqliteLedger::BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "cell_size_check", true)?;
    conn.pragma_update(None, "mmap_size", 0)?;
    switch_to_wal(conn)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // On macOS a plain fsync stops at the drive's cache: F_FULLFSYNC goes through it, for
    // commits and checkpoints alike (both pragmas do nothing elsewhere).
    conn.pragma_update(None, "fullfsync", true)?;
    conn.pragma_update(None, "checkpoint_fullfsync", true)?;
    Ok(())
}
/// Bytes of the WAL index allocated ahead: eight of SQLite's 32 KiB regions, enough for a
/// WAL of 32,768 frames (128 MiB of 4 KiB pages), far beyond any assign.
const WAL_INDEX_BYTES: u64 = 8 * 32 * 1024;

/// A "cannot open" error, for a reader that cannot use the WAL index.
fn cannot_open_read_only() -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN), None)
}

/// Room a writer wants free before it opens the ledger: the WAL index, and 64 KiB for
/// the first commits.
const ROOM_NEEDED: u64 = WAL_INDEX_BYTES + (64 << 10);

/// Refuses to open the ledger on a disk that has no room for its WAL index: SQLite
/// starts writing that (mapped) file as it opens the ledger, before
/// [`allocate_wal_index`] can make it safe, so a disk already full is refused here, with
/// a clear error, rather than met with SIGBUS.
fn ensure_room(path: &Path) -> Result<()> {
    match crate::base::fsinfo::free_bytes(path) {
        Some(free) if free < ROOM_NEEDED => Err(LedgerError::DiskFull(Some(crate::base::fsinfo::describe(path)))),
        _ => Ok(()),
    }
}

/// Makes sure every page of the WAL index (`-shm`) that SQLite will map has its blocks
/// on disk, while there is room, so that a write into the mapping can never fault on a
/// full disk (SIGBUS, which kills the process without a word).
///
/// SQLite grows the `-shm` by writing one byte at the end of every 4 KiB page before
/// mapping it, which allocates the whole page where a block is 4 KiB. On a file system
/// with smaller blocks (ext4 makes 1 KiB blocks on small volumes) that allocates only
/// the page's last block: the others stay holes, and the first write into one once the
/// disk has filled up raises SIGBUS. `fallocate` here gives every page its blocks (and
/// the file room for [`WAL_INDEX_BYTES`], so SQLite does not grow it again); on a full
/// disk it fails, with a clear error, before anything is written. The first process to
/// open the ledger after all have closed resets the file (SQLite truncates it), and
/// allocates it again here.
///
/// Returns the open `-shm`, which the caller must keep open as long as its connection
/// (see [`SqliteLedger`]'s `_wal_index`).
fn allocate_wal_index(path: &Path) -> Result<Option<File>> {
    let shm = sidecar(path, "-shm");
    let Ok(file) = std::fs::OpenOptions::new().write(true).open(&shm) else {
        return Ok(None); // not in WAL mode, or no shared memory file: nothing mapped
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0).max(WAL_INDEX_BYTES);
    // A file system that cannot allocate ahead: SQLite's own page writes are all there is.
    match crate::platform::space::allocate(&file, len) {
        Ok(_) => Ok(Some(file)),
        Err(error) if crate::base::fsinfo::is_full(&error) => {
            Err(LedgerError::DiskFull(Some(crate::base::fsinfo::describe(path))))
        }
        Err(error) => Err(LedgerError::Open {
            location: path.display().to_string(),
            reason: format!("cannot allocate {}: {error}", shm.display()),
        }),
    }
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
fn begin_immediate<'c>(conn: &'c mut Connection, path: Option<&Path>) -> Result<Transaction<'c>> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|error| match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) => LedgerError::Busy(SqliteLedger::BUSY_TIMEOUT),
        _ => located(path, LedgerError::from(error)),
    })
}

/// An error opening or setting up `path`: a damaged or full ledger is named as such.
fn open_error(path: &Path, source: rusqlite::Error) -> LedgerError {
    match LedgerError::from(source) {
        LedgerError::Backend(reason) => LedgerError::Open { location: path.display().to_string(), reason },
        other => located(Some(path), other),
    }
}

/// Names the file system of a full ledger.
fn located(path: Option<&Path>, error: LedgerError) -> LedgerError {
    match (error, path) {
        (LedgerError::DiskFull(None), Some(path)) => LedgerError::DiskFull(Some(crate::base::fsinfo::describe(path))),
        (error, _) => error,
    }
}

/// `SQLITE_IOERR_SHMSIZE`: the WAL index (`-shm`) could not be grown, which on a local
/// file system means it is full.
const IOERR_SHMSIZE: std::ffi::c_int = 4874;

/// SQLite's errors reach the rest of the program as text: no rusqlite type leaves here.
/// Damage (`SQLITE_CORRUPT`, `SQLITE_NOTADB`), a full disk and a read-only database get
/// their own variants, so that they are never mistaken for a problem with one file.
impl From<rusqlite::Error> for LedgerError {
    fn from(error: rusqlite::Error) -> Self {
        let extended = match &error {
            rusqlite::Error::SqliteFailure(failure, _) => Some(failure.extended_code),
            _ => None,
        };
        match error.sqlite_error_code() {
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => LedgerError::Damaged(error.to_string()),
            Some(ErrorCode::DiskFull) => LedgerError::DiskFull(None),
            _ if extended == Some(IOERR_SHMSIZE) => LedgerError::DiskFull(None),
            _ => LedgerError::Backend(error.to_string()),
        }
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
                self.note_lookup(audio_id);
                read::code_for_audio(self.conn(), audio_id)
            }

            fn audio_for_code(&mut self, isrc: Isrc) -> Result<Vec<AudioRecord>> {
                read::audio_for_code(self.conn(), isrc)
            }

            fn recordings(&mut self) -> Result<Vec<Recording>> {
                read::recordings(self.conn())
            }

            fn prefix_usage(&mut self, prefix: Prefix) -> Result<Vec<(u8, u64)>> {
                read::prefix_usage(self.conn(), prefix)
            }

            fn events_for(&mut self, isrc: Isrc) -> Result<Vec<Event>> {
                read::events_for(self.conn(), isrc)
            }

            fn events_for_audio(&mut self, audio_id: &AudioId) -> Result<Vec<Event>> {
                read::events_for_audio(self.conn(), audio_id)
            }

            fn runs(&mut self, limit: usize) -> Result<Vec<Run>> {
                read::runs(self.conn(), limit)
            }

            fn events_of_run(&mut self, run: i64) -> Result<Vec<Event>> {
                read::events_of_run(self.conn(), run)
            }

            fn codes_without_audio(&mut self, imported_only: bool) -> Result<Vec<Recording>> {
                read::codes_without_audio(self.conn(), imported_only)
            }

            fn release(&mut self, upc: &Catalog) -> Result<Option<Release>> {
                read::release(self.conn(), upc)
            }

            fn tracks_of(&mut self, isrc: Isrc) -> Result<Vec<(Catalog, ReleaseTrack)>> {
                read::tracks_of(self.conn(), isrc)
            }

            fn releases(&mut self) -> Result<Vec<Release>> {
                read::releases(self.conn())
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

    /// A snapshot writes nothing, so it has no lookups to confirm before a commit.
    fn note_lookup(&mut self, _audio_id: &AudioId) {}
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

    fn runs_after(&mut self, after: i64, limit: usize) -> Result<Vec<Run>> {
        read::runs_after(&self.tx, after, limit)
    }

    fn releases_after(&mut self, after: Option<&Catalog>, limit: usize) -> Result<Vec<Release>> {
        read::releases_after(&self.tx, after, limit)
    }

    fn completeness_after(&mut self, after: Option<Isrc>, limit: usize) -> Result<Vec<Completeness>> {
        read::completeness_after(&self.tx, after, limit)
    }
}

impl SqliteLedger {
    /// Lookups outside a transaction are not re-checked (nothing is committed on them).
    fn note_lookup(&mut self, _audio_id: &AudioId) {}
}

impl Ledger for SqliteLedger {
    fn add_prefix(&mut self, prefix: Prefix, range: DesignationRange, at: i64) -> Result<bool> {
        if self.read_only {
            return Err(LedgerError::ReadOnly(self.shown()));
        }
        let path = self.path.as_deref();
        let tx = begin_immediate(&mut self.conn, path)?;
        let added = write::add_prefix(&tx, prefix, range, at)?;
        tx.commit().map_err(|error| located(path, error.into()))?;
        Ok(added)
    }

    fn remove_prefix(&mut self, prefix: Prefix) -> Result<()> {
        if self.read_only {
            return Err(LedgerError::ReadOnly(self.shown()));
        }
        let path = self.path.as_deref();
        let tx = begin_immediate(&mut self.conn, path)?;
        write::remove_prefix(&tx, prefix)?;
        tx.commit().map_err(|error| located(path, error.into()))?;
        Ok(())
    }

    fn begin(&mut self) -> Result<Box<dyn LedgerTx + '_>> {
        let path = self.path.as_deref();
        let tx = if self.read_only {
            // Reads in one snapshot; any write in it fails as SQLite refuses it.
            self.conn.transaction_with_behavior(TransactionBehavior::Deferred)?
        } else {
            begin_immediate(&mut self.conn, path)?
        };
        Ok(Box::new(SqliteTx { tx, path, looked_up: Vec::new() }))
    }

    fn integrity_problems(&mut self) -> Result<Vec<String>> {
        check_integrity(&self.conn)
    }

    fn backup(&mut self, to: &Path) -> Result<()> {
        backup_to(&self.conn, to)
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

    /// Remembers an audio id looked up, for the check before the commit.
    fn note_lookup(&mut self, audio_id: &AudioId) {
        if self.looked_up.len() < check::MAX_CONFIRMED {
            self.looked_up.push(audio_id.clone());
        }
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

    fn edit_metadata(&mut self, isrc: Isrc, edit: &MetadataEdit) -> Result<Recording> {
        write::edit_metadata(&self.tx, isrc, edit)
    }

    fn void(&mut self, isrc: Isrc, reason: &str) -> Result<()> {
        write::void(&self.tx, isrc, reason)
    }

    fn restore(&mut self, items: &[Stored]) -> Result<()> {
        write::restore(&self.tx, items)
    }

    fn unbind_audio(&mut self, audio_id: &AudioId) -> Result<Isrc> {
        write::unbind_audio(&self.tx, audio_id)
    }

    fn start_run(&mut self, run: &NewRun) -> Result<i64> {
        write::start_run(&self.tx, run)
    }

    fn put_release(&mut self, release: &Release) -> Result<bool> {
        write::put_release(&self.tx, release)
    }

    fn remove_release(&mut self, upc: &Catalog) -> Result<bool> {
        write::remove_release(&self.tx, upc)
    }

    fn finish_run(&mut self, run: i64, counts: &std::collections::BTreeMap<String, u64>) -> Result<()> {
        write::finish_run(&self.tx, run, counts)
    }

    /// Confirms the lookups the transaction relied on through the ledger's other
    /// indexes ([`check::confirm_lookups`]), then commits.
    fn commit(self: Box<Self>) -> Result<()> {
        let mut this = *self;
        let looked_up = std::mem::take(&mut this.looked_up);
        check::confirm_lookups(&mut this, &looked_up)?;
        let path = this.path;
        this.tx.commit().map_err(|error| located(path, error.into()))
    }
}

/// Fresh in-memory ledgers, for the behaviour tests.
#[cfg(test)]
pub(in crate::ledger) fn in_memory_factory() -> Option<Box<dyn Fn() -> Box<dyn Ledger>>> {
    Some(Box::new(|| Box::new(SqliteLedger::open_in_memory().expect("an in-memory ledger"))))
}
