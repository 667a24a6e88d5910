//! The ledger: every code the registrant has issued or adopted, the audio ids bound to
//! each, and an append-only history of decisions.
//!
//! Commands and policy see the ledger through three small traits, so another store (a
//! shared PostgreSQL server for several rooms on one prefix) can be added beside
//! [`SqliteLedger`] without touching them:
//!
//! - [`Lookup`]: read-only queries, on the ledger and inside a transaction;
//! - [`LedgerTx`]: the writes, all inside one transaction (`BEGIN IMMEDIATE` in SQLite),
//!   so decisions taken on lookups hold until the commit;
//! - [`Ledger`]: the handle: prefixes, and `transaction` (on `dyn Ledger` and on
//!   [`SqliteLedger`]), which commits on `Ok` and rolls back on `Err`.
//!
//! Inside `transaction`, `tx` is a `&mut dyn LedgerTx`: its methods and the [`Lookup`]
//! ones need no import.
//!
//! Times are seconds since the Unix epoch, UTC ([`now`]); the OS user is always passed
//! in by the caller, never read here.
//!
//! ```no_run
//! # fn demo(audio: isrc_stamp::audio::AudioId) -> Result<(), isrc_stamp::ledger::LedgerError> {
//! use isrc_stamp::code::Prefix;
//! use isrc_stamp::ledger::{AudioRecord, NewEvent, NewRecording, SqliteLedger, now};
//!
//! let mut ledger = SqliteLedger::open("ledger.sqlite3")?;
//! let prefix = Prefix::parse("USPR3").expect("valid prefix");
//! let (user, at) = ("mastering", now());
//! let code = ledger.transaction(|tx| {
//!     if let Some(code) = tx.code_for_audio(&audio)? {
//!         return Ok(code);
//!     }
//!     let code = tx.issue_next(prefix, 26, &NewRecording::new(user, at))?;
//!     tx.bind_audio(&AudioRecord {
//!         audio_id: audio.clone(),
//!         isrc: code,
//!         frames: 44_100,
//!         sample_rate: 44_100,
//!         channels: 2,
//!         bits: 16,
//!         first_path: "master.wav".into(),
//!         added_at: at,
//!     })?;
//!     tx.log(&NewEvent {
//!         isrc: Some(code),
//!         audio_id: Some(audio.clone()),
//!         path: Some("master.wav".into()),
//!         ..NewEvent::new(user, at, "issue")
//!     })?;
//!     Ok::<_, isrc_stamp::ledger::LedgerError>(code)
//! })?;
//! # let _ = code; Ok(()) }
//! ```

mod error;
pub mod exchange;
mod schema;
mod sqlite;
#[cfg(test)]
mod tests;
mod types;

pub use error::{LedgerError, ParseWordError, Result};
pub use schema::SCHEMA_VERSION;
pub use sqlite::{SqliteLedger, SqliteTx};
pub use types::{
    AudioRecord, Event, FingerprintCandidate, NewEvent, NewRecording, Origin, PrefixRecord, Recording, Relation,
    Status, now,
};

use crate::audio::AudioId;
use crate::code::{DesignationRange, Isrc, Prefix};
use crate::fingerprint::Fingerprint;

/// Read-only queries, available on a [`Ledger`] and inside a [`LedgerTx`].
///
/// Each lookup by code or audio id is one index seek, whatever the ledger's size.
pub trait Lookup {
    /// Every prefix, ordered by prefix.
    fn prefixes(&self) -> Result<Vec<PrefixRecord>>;

    /// One prefix, if the ledger has it.
    fn prefix(&self, prefix: Prefix) -> Result<Option<PrefixRecord>>;

    /// The recording a code names, if the ledger has it (active or void).
    fn recording(&self, isrc: Isrc) -> Result<Option<Recording>>;

    /// The code an audio id is bound to.
    fn code_for_audio(&self, audio_id: &AudioId) -> Result<Option<Isrc>>;

    /// Every audio id bound to a code, oldest first.
    fn audio_for_code(&self, isrc: Isrc) -> Result<Vec<AudioRecord>>;

    /// Every recording, ordered by code.
    fn recordings(&self) -> Result<Vec<Recording>>;

    /// The history of a code, oldest first.
    fn events_for(&self, isrc: Isrc) -> Result<Vec<Event>>;

    /// The stored acoustic fingerprint of an audio id.
    fn fingerprint(&self, audio_id: &AudioId) -> Result<Option<Fingerprint>>;

    /// Stored fingerprints of audio bound to active codes that share index keys
    /// ([`Fingerprint::keys`]) with a new fingerprint, most shared keys first, at most
    /// `limit`. Cheap whatever the ledger's size: one index seek per key, a bounded number
    /// of rows per key (a key found in very many fingerprints says nothing and is
    /// skipped), then one row per candidate.
    fn fingerprint_candidates(&self, keys: &[u32], limit: usize) -> Result<Vec<FingerprintCandidate>>;
}

/// The writes of one transaction, with the lookups beside them.
///
/// Nothing is visible to others until [`LedgerTx::commit`]; dropping the transaction
/// (an error, a panic) rolls every write back. Prefer `transaction` (on `dyn Ledger`
/// and [`SqliteLedger`]), which commits on `Ok` and rolls back on `Err`.
pub trait LedgerTx: Lookup {
    /// Issues the next code under `prefix` for `year` and records it as [`Origin::Issued`].
    ///
    /// The designation is the lowest one above the highest used in the prefix's range
    /// for that year (issued, adopted or void alike); once the top of the range is used,
    /// the lowest free one. Fails with [`LedgerError::RangeExhausted`] when none is left,
    /// [`LedgerError::UnknownPrefix`] for a prefix not in the ledger.
    fn issue_next(&mut self, prefix: Prefix, year: u8, new: &NewRecording) -> Result<Isrc>;

    /// Records an existing code (found in a file, or imported) that is not in the
    /// ledger yet; `origin` is normally [`Origin::Adopted`] or [`Origin::Imported`].
    /// Fails with [`LedgerError::AlreadyInLedger`] if it is there.
    fn adopt(&mut self, isrc: Isrc, origin: Origin, new: &NewRecording) -> Result<()>;

    /// Binds an audio id to an active code in the ledger. Returns `true` if the binding
    /// is new, `false` if it was already there (the stored row is kept as it was).
    /// Fails with [`LedgerError::AudioBoundElsewhere`] if the audio id has another code.
    fn bind_audio(&mut self, audio: &AudioRecord) -> Result<bool>;

    /// Appends an event to the history and returns its id.
    fn log(&mut self, event: &NewEvent) -> Result<i64>;

    /// Stores the acoustic fingerprint of an audio id already bound, and indexes its
    /// keys. Returns `true` if stored, `false` if the audio id had one already (kept as
    /// it was). Fails if the audio id is not in the ledger.
    fn store_fingerprint(&mut self, audio_id: &AudioId, fingerprint: &Fingerprint) -> Result<bool>;

    /// Marks a code void with a reason. It stays in the ledger and is never issued again.
    fn void(&mut self, isrc: Isrc, reason: &str) -> Result<()>;

    /// Makes every write of the transaction durable and visible.
    fn commit(self: Box<Self>) -> Result<()>;
}

/// A ledger handle.
pub trait Ledger: Lookup {
    /// Adds a registrant prefix with its designation range. Returns `true` if added,
    /// `false` if it was already there with the same range; fails with
    /// [`LedgerError::PrefixRangeMismatch`] if it is there with another range.
    fn add_prefix(&mut self, prefix: Prefix, range: DesignationRange, at: i64) -> Result<bool>;

    /// Starts a write transaction, waiting for other writers if needed.
    /// Prefer `transaction`, on `dyn Ledger` and on each implementation, which commits
    /// and rolls back for you.
    fn begin(&mut self) -> Result<Box<dyn LedgerTx + '_>>;
}

impl dyn Ledger + '_ {
    /// Runs `f` in one transaction: commits if it returns `Ok`, rolls back if it returns
    /// `Err` (or panics). `E` is the caller's error type, so a command can abort with its
    /// own errors.
    pub fn transaction<T, E>(&mut self, f: impl FnOnce(&mut dyn LedgerTx) -> Result<T, E>) -> Result<T, E>
    where
        E: From<LedgerError>,
    {
        run_transaction(self.begin()?, f)
    }
}

/// Runs `f` on `tx` and commits if it succeeds; dropping `tx` on error rolls back.
pub(crate) fn run_transaction<T, E>(
    mut tx: Box<dyn LedgerTx + '_>,
    f: impl FnOnce(&mut dyn LedgerTx) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<LedgerError>,
{
    let value = f(tx.as_mut())?;
    tx.commit()?;
    Ok(value)
}
