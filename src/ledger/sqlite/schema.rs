//! The SQLite schema and its forward migrations.
//!
//! `PRAGMA user_version` holds the number of migrations applied; `PRAGMA application_id`
//! marks the file as an isrc-stamp ledger. A migration is only ever appended to
//! [`MIGRATIONS`], never edited once released.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use crate::ledger::error::{LedgerError, Result};

/// `PRAGMA application_id` of a ledger: "ISRC" in ASCII.
pub(super) const APPLICATION_ID: i64 = 0x4953_5243;

/// Version 1: prefixes, recordings, audio ids, events.
///
/// Allocation reads `recording` through the `UNIQUE (prefix, year, designation)` index;
/// lookups by code and by audio id use the primary keys. `recording.prefix` is no
/// foreign key: adopted codes may belong to other registrants.
const V1: &str = r"
CREATE TABLE prefix (
    prefix      TEXT    NOT NULL PRIMARY KEY
                        CHECK (prefix GLOB '[A-Z][A-Z][A-Z0-9][A-Z0-9][A-Z0-9]'),
    range_first INTEGER NOT NULL CHECK (range_first BETWEEN 0 AND 99999),
    range_last  INTEGER NOT NULL CHECK (range_last BETWEEN range_first AND 99999),
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE recording (
    code         TEXT    NOT NULL PRIMARY KEY,
    prefix       TEXT    NOT NULL,
    year         INTEGER NOT NULL CHECK (year BETWEEN 0 AND 99),
    designation  INTEGER NOT NULL CHECK (designation BETWEEN 0 AND 99999),
    origin       TEXT    NOT NULL CHECK (origin IN ('issued', 'adopted', 'imported')),
    status       TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'void')),
    title        TEXT,
    artist       TEXT,
    version_note TEXT,
    parent       TEXT    REFERENCES recording (code),
    relation     TEXT    CHECK (relation IN
                     ('edit', 'remix', 'remaster', 'live', 'language', 'mix', 'other')),
    issued_at    INTEGER NOT NULL,
    issued_by    TEXT    NOT NULL,
    void_reason  TEXT,
    UNIQUE (prefix, year, designation),
    CHECK (prefix GLOB '[A-Z][A-Z][A-Z0-9][A-Z0-9][A-Z0-9]'),
    CHECK (code = prefix || printf('%02d%05d', year, designation)),
    CHECK (relation IS NULL OR parent IS NOT NULL),
    CHECK ((status = 'void') = (void_reason IS NOT NULL))
) STRICT;

CREATE INDEX recording_by_parent ON recording (parent) WHERE parent IS NOT NULL;

CREATE TABLE audio (
    audio_id   TEXT    NOT NULL PRIMARY KEY,
    isrc       TEXT    NOT NULL REFERENCES recording (code),
    frames     INTEGER NOT NULL CHECK (frames >= 0),
    rate       INTEGER NOT NULL CHECK (rate >= 0),
    channels   INTEGER NOT NULL CHECK (channels >= 0),
    bits       INTEGER NOT NULL CHECK (bits >= 0),
    first_path TEXT    NOT NULL,
    added_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX audio_by_isrc ON audio (isrc);

CREATE TABLE event (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       INTEGER NOT NULL,
    user     TEXT    NOT NULL,
    path     TEXT,
    audio_id TEXT,
    isrc     TEXT,
    action   TEXT    NOT NULL,
    detail   TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX event_by_isrc ON event (isrc, id) WHERE isrc IS NOT NULL;
CREATE INDEX event_by_audio ON event (audio_id, id) WHERE audio_id IS NOT NULL;

CREATE TRIGGER event_no_update BEFORE UPDATE ON event
BEGIN SELECT RAISE(ABORT, 'the event history is append-only'); END;

CREATE TRIGGER event_no_delete BEFORE DELETE ON event
BEGIN SELECT RAISE(ABORT, 'the event history is append-only'); END;

CREATE TRIGGER recording_no_delete BEFORE DELETE ON recording
BEGIN SELECT RAISE(ABORT, 'codes are never deleted from the ledger: void them'); END;

CREATE TRIGGER recording_code_fixed
BEFORE UPDATE OF code, prefix, year, designation, origin, issued_at, issued_by ON recording
BEGIN SELECT RAISE(ABORT, 'a recorded code and its origin never change'); END;
";

/// Version 2: acoustic fingerprints of audio ids, and the index that finds candidates.
///
/// `fingerprint` holds one Chromaprint fingerprint per audio id (`algorithm` is
/// Chromaprint's configuration id, `covers` the seconds fingerprinted, `data` the items
/// as little-endian u32). `fingerprint_key` indexes a small content-defined sample of
/// each fingerprint's items ([`crate::base::ids::Fingerprint::keys`], at most 96): a
/// new fingerprint looks its own keys up (one index seek each, a bounded number of rows
/// per key) and is compared in full only with the few fingerprints sharing most keys, so
/// the cost does not grow with the number of recordings. The key table has no foreign
/// key (it would need a second index to delete through): rows left by a deleted
/// fingerprint are dropped by the join when candidates are read.
const V2: &str = r"
CREATE TABLE fingerprint (
    id        INTEGER NOT NULL PRIMARY KEY,
    audio_id  TEXT    NOT NULL UNIQUE REFERENCES audio (audio_id) ON DELETE CASCADE,
    algorithm INTEGER NOT NULL CHECK (algorithm BETWEEN 0 AND 255),
    covers    REAL    NOT NULL CHECK (covers >= 0),
    data      BLOB    NOT NULL CHECK (length(data) % 4 = 0)
) STRICT;

CREATE TABLE fingerprint_key (
    key         INTEGER NOT NULL,
    fingerprint INTEGER NOT NULL,
    PRIMARY KEY (key, fingerprint)
) STRICT, WITHOUT ROWID;
";

/// Version 3: what each audio id was decoded from, `assign` runs, what an imported list
/// says of a code, and releases.
///
/// `audio.codec` tells a lossy encoding from a lossless master when a recording's
/// reference audio is chosen (NULL for audio bound before: judged by its path). `run`
/// has one row per `assign` run (`paths` a JSON list, `counts` a JSON object of action
/// counts, written when the run ends), and every event of a run carries its id, so a
/// run can be listed and taken back (`ledger void --run`). `recording.issued_at` is when
/// a code entered the ledger; an imported code's own issue time is what its list said
/// (`listed_issued_at`, NULL when it said nothing; before version 3 the import kept it in
/// `issued_at`, so it is copied over), and `declared_ms` the playing time the list
/// declared, to match files to codes with no audio yet. A release is keyed by its EAN-13
/// digits (`ean`), its UPC/EAN kept as typed (`upc`), its tracks by disc and number.
const V3: &str = r"
ALTER TABLE audio ADD COLUMN codec TEXT;

ALTER TABLE recording ADD COLUMN listed_issued_at INTEGER;
ALTER TABLE recording ADD COLUMN declared_ms INTEGER CHECK (declared_ms >= 0);
UPDATE recording SET listed_issued_at = issued_at WHERE origin = 'imported';
CREATE INDEX recording_imported ON recording (code) WHERE origin = 'imported';

CREATE TABLE release (
    ean        TEXT    NOT NULL PRIMARY KEY
                       CHECK (ean GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'),
    upc        TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    artist     TEXT,
    label      TEXT,
    date       TEXT,
    p_line     TEXT,
    c_line     TEXT,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE release_track (
    ean    TEXT    NOT NULL REFERENCES release (ean) ON DELETE CASCADE,
    disc   INTEGER NOT NULL CHECK (disc >= 1),
    number INTEGER NOT NULL CHECK (number >= 1),
    isrc   TEXT    NOT NULL REFERENCES recording (code),
    PRIMARY KEY (ean, disc, number)
) STRICT;

CREATE INDEX release_track_by_isrc ON release_track (isrc);

CREATE TABLE run (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at INTEGER NOT NULL,
    user       TEXT    NOT NULL,
    host       TEXT    NOT NULL,
    role       TEXT,
    paths      TEXT    NOT NULL DEFAULT '[]',
    counts     TEXT    NOT NULL DEFAULT '{}'
) STRICT;

ALTER TABLE event ADD COLUMN run INTEGER REFERENCES run (id);

CREATE INDEX event_by_run ON event (run, id) WHERE run IS NOT NULL;
";

/// Version 4: what the IFPI asks a registrant to keep of each code beside its title,
/// artist and version (its content type, audio unless said otherwise, and its date of
/// first publication, `YYYY-MM-DD` or a year), the (P) line the agencies and collecting
/// societies ask for (year and owner), and the parental warning distributors ask for.
const V4: &str = r"
ALTER TABLE recording ADD COLUMN content_type TEXT NOT NULL DEFAULT 'audio'
    CHECK (content_type IN ('audio', 'video'));
ALTER TABLE recording ADD COLUMN p_date TEXT
    CHECK (p_date GLOB '[1-9][0-9][0-9][0-9]' OR p_date GLOB '[1-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]');
ALTER TABLE recording ADD COLUMN p_line_year INTEGER CHECK (p_line_year BETWEEN 1000 AND 9999);
ALTER TABLE recording ADD COLUMN p_line_owner TEXT;
ALTER TABLE recording ADD COLUMN parental_warning TEXT
    CHECK (parental_warning IN ('explicit', 'clean', 'not-explicit', 'unknown'));
";

/// Every migration, in order: applying `MIGRATIONS[i]` takes the schema to version `i + 1`.
pub(super) const MIGRATIONS: &[&str] = &[V1, V2, V3, V4];

/// The schema version this build writes and understands.
pub(super) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`SCHEMA_VERSION`], or explains why it cannot.
///
/// Costs two header reads when the schema is current; otherwise migrates inside one
/// `BEGIN IMMEDIATE` transaction, so concurrent openers of a new file migrate it once.
/// `new` says the database was just made for the ledger (an empty one is then
/// expected); an existing file must already be a ledger.
pub(super) fn migrate(conn: &mut Connection, path: &Path, new: bool) -> Result<()> {
    let found = user_version(conn)?;
    if found == SCHEMA_VERSION && application_id(conn)? == APPLICATION_ID {
        return Ok(());
    }
    check_not_newer(found)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = user_version(&tx)?;
    check_not_newer(found)?;
    check_identity(&tx, found, path, new)?;
    for step in MIGRATIONS.iter().skip(usize::try_from(found).unwrap_or(0)) {
        tx.execute_batch(step)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.commit()?;
    Ok(())
}

/// Fails if the file was written by a newer schema.
fn check_not_newer(found: i64) -> Result<()> {
    if found > SCHEMA_VERSION {
        return Err(LedgerError::SchemaTooNew { found, known: SCHEMA_VERSION });
    }
    Ok(())
}

/// Accepts a ledger, or (when `new`) the empty database just made to become one;
/// refuses other databases.
fn check_identity(conn: &Connection, version: i64, path: &Path, new: bool) -> Result<()> {
    let id = application_id(conn)?;
    let fresh = new && id == 0 && version == 0 && schema_is_empty(conn)?;
    if id == APPLICATION_ID || fresh {
        Ok(())
    } else {
        let why = "an SQLite database another program made".to_owned();
        Err(LedgerError::NotALedger { location: path.display().to_string(), why })
    }
}

/// Checks, without writing, that a database opened read-only is a ledger of the
/// current schema (a read-only reader cannot migrate it).
pub(super) fn check_readable(conn: &Connection, path: &Path) -> Result<()> {
    let found = user_version(conn)?;
    check_not_newer(found)?;
    if application_id(conn)? != APPLICATION_ID {
        let why = "an SQLite database another program made".to_owned();
        return Err(LedgerError::NotALedger { location: path.display().to_string(), why });
    }
    if found < SCHEMA_VERSION {
        return Err(LedgerError::Open {
            location: path.display().to_string(),
            reason: format!(
                "its schema (version {found}) is older than this isrc-stamp's ({SCHEMA_VERSION}); \
                 run any command that writes to it once, as a user who may write it, to bring it up to date"
            ),
        });
    }
    Ok(())
}

/// `PRAGMA user_version`.
pub(super) fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

/// `PRAGMA application_id`.
fn application_id(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "application_id", |row| row.get(0))?)
}

/// Whether the database holds no tables, indexes, views or triggers.
fn schema_is_empty(conn: &Connection) -> Result<bool> {
    let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))?;
    Ok(objects == 0)
}
