//! What can go wrong in the ledger.

use std::path::PathBuf;

use super::types::Relation;
use crate::base::ids::AudioId;
use crate::isrc::{DesignationRange, Isrc, Prefix};

/// A ledger operation failed.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The folder that should hold the ledger file could not be created.
    #[error("cannot create the ledger folder {path}: {source}")]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },

    /// The backend could not open (or set up) the ledger.
    #[error("cannot open the ledger {location}: {reason}")]
    Open {
        /// The ledger's location, as shown to people.
        location: String,
        /// Why, in the backend's words.
        reason: String,
    },

    /// An SQLite ledger on a network file system, where SQLite's locking does not hold.
    #[error(
        "cannot open the ledger {location}: it is on a network file system ({kind}), where SQLite's locking \
         does not hold and two computers could issue one code twice; keep the SQLite ledger on a local disk, \
         or share a PostgreSQL ledger between rooms"
    )]
    NetworkShare {
        /// The ledger's location, as shown to people.
        location: String,
        /// The kind of network file system (`nfs`, `smbfs`, ...).
        kind: String,
    },

    /// The location holds something that is not an isrc-stamp ledger: another database,
    /// another kind of file, or an empty file (a ledger is never empty).
    #[error(
        "{location} is not an isrc-stamp ledger ({why}); nothing was changed. \
         If it was your ledger, restore it from a backup"
    )]
    NotALedger {
        /// The ledger's location, as shown to people.
        location: String,
        /// What it is instead.
        why: String,
    },

    /// The ledger's file is damaged: a page or an index does not read back as it must.
    /// Nothing can be trusted, so nothing is written.
    #[error(
        "the ledger is damaged ({0}); nothing was written. Restore it from a backup \
         (`isrc-stamp ledger backup FILE` makes one) and run again; `isrc-stamp ledger check` \
         lists what is wrong"
    )]
    Damaged(String),

    /// The disk holding the ledger is full.
    #[error(
        "the disk holding the ledger{} is full or nearly so; nothing was committed. Free some space and run again",
        .0.as_deref().map(|fs| format!(" ({fs})")).unwrap_or_default()
    )]
    DiskFull(Option<String>),

    /// The ledger was opened read-only (the caller may only read it) and a write was asked.
    #[error(
        "the ledger {0} is open read-only (you may only read it, or its file system is read-only); \
         this command needs to write to it"
    )]
    ReadOnly(String),

    /// A location that names no backend this build has, or a URL that cannot be read.
    #[error("{0}")]
    UnsupportedLocation(String),

    /// A folder given where the ledger's file belongs.
    #[error(
        "{} is a folder: a ledger is the path of a ledger file (for example {}) or a postgresql:// URL",
        .0.display(),
        .0.join("ledger.sqlite3").display()
    )]
    IsAFolder(PathBuf),

    /// A command that reads the ledger, at a location that holds none.
    #[error("no ledger at {location}")]
    NoLedger {
        /// The ledger's location, as shown to people.
        location: String,
    },

    /// The ledger's server could not be reached (name, address, port, or down).
    #[error(
        "cannot reach the ledger server of {location}: {reason}; check the host and port in the URL, \
         and that the server is running"
    )]
    Unreachable {
        /// The ledger's location, as shown to people.
        location: String,
        /// Why, in the client's words.
        reason: String,
    },

    /// The server refused the login: wrong user or password, or not allowed from here.
    #[error(
        "the ledger server of {location} refused the login: {reason}; check the user, and the password \
         (in the URL, PGPASSWORD or ~/.pgpass)"
    )]
    LoginRefused {
        /// The ledger's location, as shown to people.
        location: String,
        /// Why, in the server's words.
        reason: String,
    },

    /// The server has no database of that name.
    #[error(
        "the server has no database {database} ({location}): create it (see README, \"A house ledger\") \
         or fix the database name in the URL"
    )]
    NoSuchDatabase {
        /// The ledger's location, as shown to people.
        location: String,
        /// The database named in the URL.
        database: String,
    },

    /// The ledger refused a change the role may not make (it may only read).
    #[error(
        "the ledger refused to record this: {0}; this role may only read the ledger: ask its owner to \
         grant it SELECT, INSERT and UPDATE on the ledger's tables (see README)"
    )]
    NotPermitted(String),

    /// The connection to the ledger's server broke off.
    #[error(
        "the connection to the ledger server was lost ({0}); what was not committed is rolled back: run \
         the command again (codes committed before are reused)"
    )]
    ConnectionLost(String),

    /// A copy into a ledger that already holds something.
    #[error(
        "the target ledger is not empty: a ledger is copied only into an empty ledger, so nothing is \
         overwritten or mixed"
    )]
    NotEmpty,

    /// Other writers changed the same rows at the same time, every time it was tried.
    #[error("other writers kept changing the ledger at the same moment ({attempts} attempts); run the command again")]
    Conflicted {
        /// How many times the transaction ran.
        attempts: u32,
    },

    /// The ledger was written by a newer isrc-stamp.
    #[error(
        "ledger schema version {found} is newer than this isrc-stamp understands ({known}); \
         upgrade isrc-stamp"
    )]
    SchemaTooNew {
        /// The version found in the file.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },

    /// `add_prefix` for a prefix that is already there with another range.
    #[error("prefix {prefix} is already in the ledger with range {existing}, not {requested}")]
    PrefixRangeMismatch {
        /// The prefix.
        prefix: Prefix,
        /// The range in the ledger.
        existing: DesignationRange,
        /// The range asked for.
        requested: DesignationRange,
    },

    /// A designation range outside 00000-99999 or with first > last.
    #[error("invalid designation range {0}: it must lie within 00000-99999, first <= last")]
    InvalidRange(DesignationRange),

    /// Issuing under a prefix the ledger does not know.
    #[error("prefix {0} is not in the ledger")]
    UnknownPrefix(Prefix),

    /// A year of reference above 99.
    #[error("invalid year of reference {0}: it must be two digits (00-99)")]
    InvalidYear(u8),

    /// Every designation of the range is used (issued, adopted or void) for that year.
    #[error(
        "range exhausted: no free designation left for prefix {prefix} in year {year:02} \
         (range {range})"
    )]
    RangeExhausted {
        /// The prefix.
        prefix: Prefix,
        /// The year of reference.
        year: u8,
        /// The prefix's range.
        range: DesignationRange,
    },

    /// Adopting (or inserting) a code that is already recorded.
    #[error("{0} is already in the ledger")]
    AlreadyInLedger(Isrc),

    /// An audio id the operation needs is not bound in the ledger.
    #[error("the audio id {0} is not in the ledger")]
    UnknownAudio(AudioId),

    /// Removing a prefix that codes use.
    #[error("prefix {prefix} cannot be removed: {codes} code(s) in the ledger use it")]
    PrefixInUse {
        /// The prefix.
        prefix: Prefix,
        /// How many codes use it.
        codes: u64,
    },

    /// A code the operation needs is not in the ledger.
    #[error("{0} is not in the ledger")]
    UnknownCode(Isrc),

    /// A relation (edit, remix, ...) given without the parent code it relates to.
    #[error("a {0} needs the code of the recording it was made from")]
    RelationWithoutParent(Relation),

    /// Binding audio to, or deriving a version from, a voided code.
    #[error("{0} is void and cannot be used")]
    CodeVoid(Isrc),

    /// A release the ledger cannot enter as it is.
    #[error("release {upc} cannot be entered: {reason}")]
    InvalidRelease {
        /// Its UPC/EAN as typed.
        upc: String,
        /// What is wrong.
        reason: String,
    },

    /// An edit that names no field to change.
    #[error("nothing to change for {0}")]
    NothingToEdit(Isrc),

    /// A title, artist or version note the ledger does not store.
    #[error("the {field} {value:?} cannot be stored: {reason}")]
    InvalidText {
        /// `title`, `artist` or `version`.
        field: &'static str,
        /// The value, at most 60 characters of it.
        value: String,
        /// Why.
        reason: &'static str,
    },

    /// Voiding a code twice.
    #[error("{0} is already void")]
    AlreadyVoid(Isrc),

    /// One audio id can belong to one recording only.
    #[error("the audio id {audio_id} is already bound to {bound_to}, so it cannot be bound to {requested}")]
    AudioBoundElsewhere {
        /// The audio id.
        audio_id: AudioId,
        /// The code it is bound to.
        bound_to: Isrc,
        /// The code it was asked to be bound to.
        requested: Isrc,
    },

    /// A stored value this build cannot read (the file was edited by hand or is damaged).
    #[error("the ledger holds an invalid value in {column}: {value:?}")]
    Corrupt {
        /// `table.column`.
        column: &'static str,
        /// The value as text.
        value: String,
    },

    /// A number the ledger cannot store (beyond its integer range).
    #[error("{what} {value} is too large for the ledger")]
    OutOfRange {
        /// What the number is.
        what: &'static str,
        /// The number.
        value: u64,
    },

    /// Another process held the ledger's write lock for longer than the busy timeout.
    #[error(
        "the ledger is busy: another isrc-stamp kept it locked for more than {} s; try again",
        .0.as_secs()
    )]
    Busy(std::time::Duration),

    /// Any other failure of the backend, in its words.
    #[error("ledger database error: {0}")]
    Backend(String),
}

/// Shorthand for ledger results.
pub type Result<T, E = LedgerError> = std::result::Result<T, E>;
