//! The ledger: every code the registrant has issued or adopted, the audio ids bound to
//! each, their acoustic fingerprints, and an append-only history of decisions.
//!
//! Everything outside this module sees the ledger through three small traits, opened
//! once by location ([`open`]), so a second store (a shared server for several rooms on
//! one prefix) is one more backend folder and one more arm in [`open`]:
//!
//! - [`Lookup`]: queries, on the ledger and inside a transaction;
//! - [`LedgerTx`]: the writes, all inside one transaction, so decisions taken on
//!   lookups hold until the commit;
//! - [`Ledger`]: the handle: prefixes, and `transaction` (on `dyn Ledger`), which
//!   commits on `Ok` and rolls back on `Err`.
//!
//! Methods take `&mut self`: a network client needs it for every round trip. The rules
//! every backend must keep live in `rules`, the errors ([`LedgerError`]) name no
//! backend's types, and the behaviour tests run the same on every backend.
//!
//! Two backends: SQLite (a path, the embedded default for one machine) and, with the
//! `postgres` feature (on by default), PostgreSQL (a `postgresql://` URL: the ledger a
//! house of several rooms on one prefix shares). A [`Snapshot`] reads one consistent
//! state without writing, so a role that may only read can still `verify`, export and
//! dry-run `assign` (its writes kept in memory by the `overlay`); `ledger copy` moves
//! everything between any two backends through [`Snapshot`] pages and
//! [`LedgerTx::restore`].
//!
//! Times are seconds since the Unix epoch, UTC ([`now`]); the OS user is always passed
//! in by the caller, never read here.

#[cfg(test)]
mod backend_tests;
pub(crate) mod check;
mod copy;
mod error;
pub(crate) mod exchange;
mod facts;
mod location;
pub mod ops;
mod overlay;
#[cfg(feature = "postgres")]
pub(crate) mod postgres;
mod publication;
mod rules;
mod sqlite;
mod types;

pub use copy::{CopySummary, copy};
pub use error::{LedgerError, Result};
pub use facts::facts_about;
pub use location::{Location, open, open_existing, open_read_only};
pub use publication::fill_from_release;
pub use rules::{Designations, Missing, missing_metadata, p_date, parse_p_line};

/// A text as the ledger keeps it (trimmed; `None` when blank), or why it is refused (a
/// control character, over 1000 characters): the rule every stored text keeps.
pub fn rules_text(field: &'static str, given: &str) -> Result<Option<String>> {
    rules::checked_text(field, given)
}
pub use crate::base::clock::now;
pub use sqlite::{CreateError, SqliteLedger, create_whole};
pub use types::{
    AudioRecord, CodeFacts, Completeness, ContentType, Event, EventKind, FileFacts, FingerprintCandidate, MetadataEdit,
    NewEvent, NewRecording, NewRun, Origin, ParentalWarning, ParseWordError, PrefixRecord, Publication, Recording,
    Relation, Release, ReleaseTrack, Run, Status, Stored,
};

use std::path::Path;

use crate::base::ids::AudioId;
use crate::base::ids::Fingerprint;
use crate::isrc::{Catalog, DesignationRange, Isrc, Prefix};

/// Queries, available on a [`Ledger`] and inside a [`LedgerTx`].
///
/// Each lookup by code or audio id is one index seek, whatever the ledger's size.
pub trait Lookup {
    /// Every prefix, ordered by prefix.
    fn prefixes(&mut self) -> Result<Vec<PrefixRecord>>;

    /// One prefix, if the ledger has it.
    fn prefix(&mut self, prefix: Prefix) -> Result<Option<PrefixRecord>>;

    /// The recording a code names, if the ledger has it (active or void).
    fn recording(&mut self, isrc: Isrc) -> Result<Option<Recording>>;

    /// The code an audio id is bound to.
    fn code_for_audio(&mut self, audio_id: &AudioId) -> Result<Option<Isrc>>;

    /// Every audio id bound to a code, oldest first.
    fn audio_for_code(&mut self, isrc: Isrc) -> Result<Vec<AudioRecord>>;

    /// Every recording, ordered by code.
    fn recordings(&mut self) -> Result<Vec<Recording>>;

    /// How many codes use a prefix, per year of reference, ordered by year.
    fn prefix_usage(&mut self, prefix: Prefix) -> Result<Vec<(u8, u64)>>;

    /// The history of a code, oldest first.
    fn events_for(&mut self, isrc: Isrc) -> Result<Vec<Event>>;

    /// The history of an audio id, oldest first: every path it was seen at, and when.
    fn events_for_audio(&mut self, audio_id: &AudioId) -> Result<Vec<Event>>;

    /// The `limit` most recent `assign` runs, oldest first.
    fn runs(&mut self, limit: usize) -> Result<Vec<Run>>;

    /// The events of one run, oldest first (empty for a run the ledger does not hold).
    fn events_of_run(&mut self, run: i64) -> Result<Vec<Event>>;

    /// The active codes with no audio bound yet, by code; with `imported_only`, only the
    /// codes a list brought in (`ledger import`): what a file of new audio may be the
    /// recording of before a code is issued. Through an index of the imported codes, so
    /// a ledger of a million issued codes answers at once; asked once per run, and only
    /// when a code might be issued.
    fn codes_without_audio(&mut self, imported_only: bool) -> Result<Vec<Recording>>;

    /// A release, with its tracks.
    fn release(&mut self, upc: &Catalog) -> Result<Option<Release>>;

    /// Every release track a code is on: the release's UPC/EAN and the track.
    fn tracks_of(&mut self, isrc: Isrc) -> Result<Vec<(Catalog, ReleaseTrack)>>;

    /// Every release with its tracks, ordered by EAN-13 digits.
    fn releases(&mut self) -> Result<Vec<Release>>;

    /// The stored acoustic fingerprint of an audio id.
    fn fingerprint(&mut self, audio_id: &AudioId) -> Result<Option<Fingerprint>>;

    /// Stored fingerprints of audio bound to active codes that share index keys
    /// ([`Fingerprint::keys`]) with a new fingerprint, most shared keys first, at most
    /// `limit`. Cheap whatever the ledger's size: one index seek per key, a bounded number
    /// of rows per key (a key found in very many fingerprints says nothing and is
    /// skipped), then one row per candidate.
    fn fingerprint_candidates(&mut self, keys: &[u32], limit: usize) -> Result<Vec<FingerprintCandidate>>;
}

/// The writes of one transaction, with the lookups beside them.
///
/// Nothing is visible to others until [`LedgerTx::commit`]; dropping the transaction
/// (an error, a panic) rolls every write back. Prefer `transaction` on `dyn Ledger`,
/// which commits on `Ok` and rolls back on `Err`.
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

    /// Changes a recording's title, artist and version note as `edit` says and returns
    /// the recording as it is now. Fails with [`LedgerError::UnknownCode`],
    /// [`LedgerError::CodeVoid`], [`LedgerError::NothingToEdit`] or
    /// [`LedgerError::InvalidText`]. The caller logs the event.
    fn edit_metadata(&mut self, isrc: Isrc, edit: &MetadataEdit) -> Result<Recording>;

    /// Marks a code void with a reason. It stays in the ledger and is never issued again.
    fn void(&mut self, isrc: Isrc, reason: &str) -> Result<()>;

    /// Enters a release with its tracks, or replaces what the ledger holds for its UPC/EAN
    /// (title, lines, date, tracks). Returns `true` when it is new. Fails with
    /// [`LedgerError::UnknownCode`] for a track whose code the ledger does not hold.
    fn put_release(&mut self, release: &Release) -> Result<bool>;

    /// Removes a release and its tracks (its codes stay). Returns `false` when the
    /// ledger holds no release with that UPC/EAN.
    fn remove_release(&mut self, upc: &Catalog) -> Result<bool>;

    /// Records the start of an `assign` run and returns its id; its events carry it
    /// ([`NewEvent::run`]).
    fn start_run(&mut self, run: &NewRun) -> Result<i64>;

    /// Records what a run did: how many files ended in each action.
    fn finish_run(&mut self, run: i64, counts: &std::collections::BTreeMap<String, u64>) -> Result<()>;

    /// Removes the binding of an audio id (made by mistake) and its fingerprint; the
    /// code and its other audio stay. Returns the code it was bound to; fails with
    /// [`LedgerError::UnknownAudio`] if the audio id is not bound.
    fn unbind_audio(&mut self, audio_id: &AudioId) -> Result<Isrc>;
    /// Writes items read from another ledger ([`Snapshot`] pages) as they were stored:
    /// prefixes, recordings with their origin and status, audio ids with their
    /// fingerprints, events with their ids. `ledger copy` uses it on an empty ledger; the
    /// schema's constraints hold, the rules for new codes are not asked again. A
    /// recording's parent must be restored before it.
    fn restore(&mut self, items: &[Stored]) -> Result<()>;

    /// Whether a statement failed only because another writer changed the same rows at
    /// the same moment (a server's serialization failure or deadlock): the transaction
    /// is lost, and running it again from the start may succeed. `transaction` on
    /// `dyn Ledger` does that.
    fn conflicted(&self) -> bool {
        false
    }

    /// Makes every write of the transaction durable and visible.
    fn commit(self: Box<Self>) -> Result<()>;
}

/// A ledger handle.
pub trait Ledger: Lookup {
    /// Adds a registrant prefix with its designation range. Returns `true` if added,
    /// `false` if it was already there with the same range; fails with
    /// [`LedgerError::PrefixRangeMismatch`] if it is there with another range.
    fn add_prefix(&mut self, prefix: Prefix, range: DesignationRange, at: i64) -> Result<bool>;

    /// Removes a prefix no code uses; fails with [`LedgerError::PrefixInUse`] otherwise,
    /// [`LedgerError::UnknownPrefix`] if it is not there.
    fn remove_prefix(&mut self, prefix: Prefix) -> Result<()>;

    /// Starts a write transaction, waiting for other writers if needed.
    /// Prefer `transaction` on `dyn Ledger`, which commits and rolls back for you.
    /// On a ledger opened read-only ([`open_read_only`]) the transaction reads one
    /// consistent state and refuses every write.
    fn begin(&mut self) -> Result<Box<dyn LedgerTx + '_>>;

    /// The backend's own structural check of its storage (pages, indexes against their
    /// tables, foreign keys), one line per problem; empty when sound. `ledger check`
    /// adds the ledger's invariants ([`check::invariants`]).
    fn integrity_problems(&mut self) -> Result<Vec<String>>;

    /// Writes a consistent copy of the whole ledger to a new file at `to`, while others
    /// may go on using it.
    fn backup(&mut self, to: &Path) -> Result<()>;
    /// Starts reading one consistent state of the ledger, without writing anything (a
    /// role or a file that may only be read can). Others may write meanwhile; the
    /// snapshot does not see it.
    fn snapshot(&mut self) -> Result<Box<dyn Snapshot + '_>>;

    /// The server role this connection writes as, where the backend has roles
    /// (PostgreSQL); `None` for a file.
    fn role(&mut self) -> Result<Option<String>> {
        Ok(None)
    }
}

/// One consistent, read-only state of a ledger: the lookups, the designations used (so
/// a dry run can tell the codes a real run would issue), and everything it holds in
/// pages of bounded size, in a stable order (for `ledger copy`).
pub trait Snapshot: Lookup + Designations {
    /// Up to `limit` recordings with codes above `after` (all when `None`), by code.
    fn recordings_after(&mut self, after: Option<Isrc>, limit: usize) -> Result<Vec<Recording>>;

    /// Up to `limit` audio ids above `after`, by audio id, each with its stored
    /// fingerprint.
    fn audio_after(&mut self, after: Option<&AudioId>, limit: usize)
    -> Result<Vec<(AudioRecord, Option<Fingerprint>)>>;

    /// Up to `limit` events with ids above `after`, by id.
    fn events_after(&mut self, after: i64, limit: usize) -> Result<Vec<Event>>;

    /// Up to `limit` runs with ids above `after`, by id.
    fn runs_after(&mut self, after: i64, limit: usize) -> Result<Vec<Run>>;

    /// Up to `limit` releases with EAN-13 digits above `after`, by them, with their tracks.
    fn releases_after(&mut self, after: Option<&Catalog>, limit: usize) -> Result<Vec<Release>>;

    /// Up to `limit` active codes above `after`, by code, each with which of its
    /// descriptive fields the ledger holds (`ledger check --metadata`): one query per
    /// page, whatever the ledger's size.
    fn completeness_after(&mut self, after: Option<Isrc>, limit: usize) -> Result<Vec<Completeness>>;
}

/// How often `transaction` runs a transaction that lost a race with another writer.
const ATTEMPTS: u32 = 12;

impl dyn Ledger + '_ {
    /// Runs `f` in one transaction: commits if it returns `Ok`, rolls back if it returns
    /// `Err` (or panics). `E` is the caller's error type, so a command can abort with its
    /// own errors.
    ///
    /// On a server, a transaction that lost a race with another writer
    /// ([`LedgerTx::conflicted`]) is rolled back and `f` runs again on a fresh state,
    /// after a growing, jittered pause, up to [`ATTEMPTS`] times; so `f` must decide from
    /// what it reads, not from what an earlier attempt did.
    pub fn transaction<T, E>(&mut self, mut f: impl FnMut(&mut dyn LedgerTx) -> Result<T, E>) -> Result<T, E>
    where
        E: From<LedgerError>,
    {
        let mut attempt = 1;
        loop {
            let mut tx = self.begin()?;
            let result = f(tx.as_mut());
            let lost = tx.conflicted();
            match result {
                Ok(value) if !lost => {
                    tx.commit()?;
                    return Ok(value);
                }
                Err(error) if !lost => return Err(error),
                _ if attempt >= ATTEMPTS => return Err(LedgerError::Conflicted { attempts: attempt }.into()),
                _ => {
                    drop(tx);
                    std::thread::sleep(backoff(attempt));
                    attempt += 1;
                }
            }
        }
    }

    /// Runs `f` on a transaction that reads a [`Snapshot`] and keeps its writes in
    /// memory, then forgets them: `f` sees the very codes a real transaction would issue
    /// (no other writer getting in between), and nothing is written.
    pub fn dry_run<T, E>(&mut self, f: impl FnOnce(&mut dyn LedgerTx) -> Result<T, E>) -> Result<T, E>
    where
        E: From<LedgerError>,
    {
        let mut overlay = overlay::Overlay::new(self.snapshot()?);
        f(&mut overlay)
    }
}

/// The pause before attempt `attempt + 1`: 10 ms doubling up to 640 ms, plus up to as
/// much again at random, so writers that collided do not collide again.
fn backoff(attempt: u32) -> std::time::Duration {
    use std::hash::{BuildHasher, RandomState};
    let base = 10u64 << attempt.min(6);
    let jitter = RandomState::new().hash_one(attempt) % base;
    std::time::Duration::from_millis(base + jitter)
}
