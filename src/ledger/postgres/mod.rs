//! The PostgreSQL ledger: one database on a server that every room of a house talks to,
//! so several machines assign on one prefix without issuing a code twice (SQLite's
//! locking does not hold over a network share; a server's does).
//!
//! Write transactions are `REPEATABLE READ`: a run decides on one consistent snapshot.
//! Entering a code locks its prefix/year allocation row (`write`); a room that lost the
//! race gets a serialization failure (or a deadlock), and `transaction` on `dyn Ledger`
//! runs its transaction again ([`LedgerTx::conflicted`]). Snapshots are `REPEATABLE READ
//! READ ONLY`, so a role that may only read can verify, export and dry-run. Every
//! statement is prepared once per connection and then costs one round trip; the round
//! trips are counted, so tests can bound what a file costs.

mod connect;
mod read;
mod schema;
#[cfg(test)]
pub(crate) mod tests;
mod url;
mod write;

use std::collections::HashMap;

use postgres::types::ToSql;
use postgres::{Client, GenericClient, IsolationLevel, Row, Statement, Transaction};

pub use url::Url;

use super::error::{LedgerError, Result};
use super::types::{
    AudioRecord, Completeness, Event, FingerprintCandidate, MetadataEdit, NewEvent, NewRecording, NewRun, Origin,
    PrefixRecord, Recording, Release, ReleaseTrack, Run, Stored,
};
use super::{Designations, Ledger, LedgerTx, Lookup, Snapshot, rules};
use crate::base::ids::AudioId;
use crate::base::ids::Fingerprint;
use crate::isrc::{Catalog, DesignationRange, Isrc, Prefix};

/// Runs the ledger's statements: one round trip each, on statements prepared once.
pub(super) trait Conn {
    /// Every row of a query.
    fn query(&mut self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>>;

    /// The rows a statement changed.
    fn execute(&mut self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> Result<u64>;

    /// The first row of a query, if any.
    fn query_opt(&mut self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }
}

/// What a connection has been through since it opened, or since its transaction began.
#[derive(Debug, Default)]
struct Health {
    /// Messages sent and answered: statements run, and statements prepared.
    round_trips: u64,
    /// Whether a statement of the transaction failed (the server then refuses the rest).
    failed: bool,
    /// Whether it failed because another transaction got in its way.
    conflicted: bool,
}

/// A client (a connection, or a transaction on it), its prepared statements and health.
struct Db<'a, C: GenericClient> {
    /// The client.
    client: &'a mut C,
    /// Statements prepared on the connection, by their text.
    statements: &'a mut HashMap<&'static str, Statement>,
    /// Round trips and failures.
    health: &'a mut Health,
}

impl<C: GenericClient> Db<'_, C> {
    /// The prepared statement for `sql`, preparing it on first use.
    fn statement(&mut self, sql: &'static str) -> Result<Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        self.health.round_trips += 1;
        let statement = self.client.prepare(sql).map_err(|error| self.failed(&error))?;
        self.statements.insert(sql, statement.clone());
        Ok(statement)
    }

    /// Records a failure and says what it was.
    fn failed(&mut self, error: &postgres::Error) -> LedgerError {
        self.health.failed = true;
        if error.code().is_some_and(connect::is_lost_race) {
            self.health.conflicted = true;
        }
        connect::statement_error(error)
    }
}

impl<C: GenericClient> Conn for Db<'_, C> {
    fn query(&mut self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        let statement = self.statement(sql)?;
        self.health.round_trips += 1;
        self.client.query(&statement, params).map_err(|error| self.failed(&error))
    }

    fn execute(&mut self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        let statement = self.statement(sql)?;
        self.health.round_trips += 1;
        self.client.execute(&statement, params).map_err(|error| self.failed(&error))
    }
}

/// A ledger in a PostgreSQL database.
pub struct PgLedger {
    /// The connection.
    client: Client,
    /// Statements prepared on it.
    statements: HashMap<&'static str, Statement>,
    /// Round trips so far.
    health: Health,
}

/// A write transaction on a [`PgLedger`]; rolls back when dropped uncommitted.
struct PgTx<'c> {
    /// A `REPEATABLE READ` transaction.
    tx: Transaction<'c>,
    /// The connection's prepared statements.
    statements: &'c mut HashMap<&'static str, Statement>,
    /// The connection's health.
    health: &'c mut Health,
}

/// A read-only snapshot of a [`PgLedger`].
struct PgSnapshot<'c> {
    /// A `REPEATABLE READ READ ONLY` transaction.
    tx: Transaction<'c>,
    /// The connection's prepared statements.
    statements: &'c mut HashMap<&'static str, Statement>,
    /// The connection's health.
    health: &'c mut Health,
}

impl PgLedger {
    /// Connects to the database `url` names and checks its schema: creates or migrates
    /// it when `create` (for `init`, `ledger import`, a copy's target), else fails with
    /// [`LedgerError::NoLedger`] if the database holds no ledger yet.
    pub fn open(url: &Url, create: bool) -> Result<PgLedger> {
        let mut client = connect::connect(url)?;
        schema::prepare(&mut client, &url.to_string(), create)?;
        Ok(PgLedger { client, statements: HashMap::new(), health: Health::default() })
    }

    /// Messages exchanged with the server so far (statements run and prepared, not
    /// counting `BEGIN` and `COMMIT`).
    #[cfg(test)]
    pub(crate) fn round_trips(&self) -> u64 {
        self.health.round_trips
    }

    /// The connection, as the queries use it.
    fn db(&mut self) -> Db<'_, Client> {
        Db { client: &mut self.client, statements: &mut self.statements, health: &mut self.health }
    }

    /// Starts a transaction.
    fn start(
        &mut self,
        read_only: bool,
    ) -> Result<(Transaction<'_>, &mut HashMap<&'static str, Statement>, &mut Health)> {
        let PgLedger { client, statements, health } = self;
        health.failed = false;
        health.conflicted = false;
        let tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(read_only)
            .start()
            .map_err(|error| connect::statement_error(&error))?;
        Ok((tx, statements, health))
    }
}

impl<'c> PgTx<'c> {
    /// The transaction, as the queries use it.
    fn db(&mut self) -> Db<'_, Transaction<'c>> {
        Db { client: &mut self.tx, statements: &mut *self.statements, health: &mut *self.health }
    }
}

impl<'c> PgSnapshot<'c> {
    /// The snapshot, as the queries use it.
    fn db(&mut self) -> Db<'_, Transaction<'c>> {
        Db { client: &mut self.tx, statements: &mut *self.statements, health: &mut *self.health }
    }
}

/// Implements [`Lookup`] by delegating to [`read`] on the type's `db()`.
macro_rules! pg_lookup {
    ($type:ty) => {
        impl Lookup for $type {
            fn prefixes(&mut self) -> Result<Vec<PrefixRecord>> {
                read::prefixes(&mut self.db())
            }

            fn prefix(&mut self, prefix: Prefix) -> Result<Option<PrefixRecord>> {
                read::prefix(&mut self.db(), prefix)
            }

            fn recording(&mut self, isrc: Isrc) -> Result<Option<Recording>> {
                read::recording(&mut self.db(), isrc)
            }

            fn code_for_audio(&mut self, audio_id: &AudioId) -> Result<Option<Isrc>> {
                read::code_for_audio(&mut self.db(), audio_id)
            }

            fn audio_for_code(&mut self, isrc: Isrc) -> Result<Vec<AudioRecord>> {
                read::audio_for_code(&mut self.db(), isrc)
            }

            fn recordings(&mut self) -> Result<Vec<Recording>> {
                read::recordings(&mut self.db())
            }

            fn prefix_usage(&mut self, prefix: Prefix) -> Result<Vec<(u8, u64)>> {
                read::prefix_usage(&mut self.db(), prefix)
            }

            fn events_for_audio(&mut self, audio_id: &AudioId) -> Result<Vec<Event>> {
                read::events_for_audio(&mut self.db(), audio_id)
            }

            fn runs(&mut self, limit: usize) -> Result<Vec<Run>> {
                read::runs(&mut self.db(), limit)
            }

            fn events_of_run(&mut self, run: i64) -> Result<Vec<Event>> {
                read::events_of_run(&mut self.db(), run)
            }

            fn codes_without_audio(&mut self, imported_only: bool) -> Result<Vec<Recording>> {
                read::codes_without_audio(&mut self.db(), imported_only)
            }

            fn release(&mut self, upc: &Catalog) -> Result<Option<Release>> {
                read::release(&mut self.db(), upc)
            }

            fn tracks_of(&mut self, isrc: Isrc) -> Result<Vec<(Catalog, ReleaseTrack)>> {
                read::tracks_of(&mut self.db(), isrc)
            }

            fn releases(&mut self) -> Result<Vec<Release>> {
                read::releases(&mut self.db())
            }

            fn events_for(&mut self, isrc: Isrc) -> Result<Vec<Event>> {
                read::events_for(&mut self.db(), isrc)
            }

            fn fingerprint(&mut self, audio_id: &AudioId) -> Result<Option<Fingerprint>> {
                read::fingerprint(&mut self.db(), audio_id)
            }

            fn fingerprint_candidates(&mut self, keys: &[u32], limit: usize) -> Result<Vec<FingerprintCandidate>> {
                rules::fingerprint_candidates(&mut read::Index(&mut self.db()), keys, limit)
            }
        }
    };
}

pg_lookup!(PgLedger);
pg_lookup!(PgTx<'_>);
pg_lookup!(PgSnapshot<'_>);

impl Ledger for PgLedger {
    fn add_prefix(&mut self, prefix: Prefix, range: DesignationRange, at: i64) -> Result<bool> {
        write::add_prefix(&mut self.db(), prefix, range, at)
    }

    fn remove_prefix(&mut self, prefix: Prefix) -> Result<()> {
        let (tx, statements, health) = self.start(false)?;
        let mut tx = Box::new(PgTx { tx, statements, health });
        write::remove_prefix(&mut tx.db(), prefix)?;
        tx.commit()
    }

    fn begin(&mut self) -> Result<Box<dyn LedgerTx + '_>> {
        let (tx, statements, health) = self.start(false)?;
        Ok(Box::new(PgTx { tx, statements, health }))
    }

    /// The server keeps its own storage sound (write-ahead log, page checksums where the
    /// cluster has them) and the schema's keys, checks and triggers hold every row; what
    /// is checked here is the one thing the schema cannot: fingerprint keys whose
    /// fingerprint is gone. `ledger check` adds the ledger's invariants.
    fn integrity_problems(&mut self) -> Result<Vec<String>> {
        read::orphan_keys(&mut self.db())
    }

    /// A PostgreSQL ledger backs up into an SQLite file: a whole, self-contained ledger
    /// any isrc-stamp opens (and `ledger copy` moves back), read from one snapshot while
    /// the rooms go on assigning.
    fn backup(&mut self, to: &std::path::Path) -> Result<()> {
        super::copy::backup_to_sqlite(self, to)
    }

    fn snapshot(&mut self) -> Result<Box<dyn Snapshot + '_>> {
        let (tx, statements, health) = self.start(true)?;
        Ok(Box::new(PgSnapshot { tx, statements, health }))
    }

    /// The role this connection writes as: the history names it beside the OS user.
    fn role(&mut self) -> Result<Option<String>> {
        let row = self.db().query_opt("SELECT current_user::text", &[])?;
        Ok(row.map(|row| row.get(0)))
    }
}

impl LedgerTx for PgTx<'_> {
    fn issue_next(&mut self, prefix: Prefix, year: u8, new: &NewRecording) -> Result<Isrc> {
        write::issue_next(&mut self.db(), prefix, year, new)
    }

    fn adopt(&mut self, isrc: Isrc, origin: Origin, new: &NewRecording) -> Result<()> {
        write::adopt(&mut self.db(), isrc, origin, new)
    }

    fn bind_audio(&mut self, audio: &AudioRecord) -> Result<bool> {
        write::bind_audio(&mut self.db(), audio)
    }

    fn log(&mut self, event: &NewEvent) -> Result<i64> {
        write::log(&mut self.db(), event)
    }

    fn store_fingerprint(&mut self, audio_id: &AudioId, fingerprint: &Fingerprint) -> Result<bool> {
        write::store_fingerprint(&mut self.db(), audio_id, fingerprint)
    }

    fn void(&mut self, isrc: Isrc, reason: &str) -> Result<()> {
        write::void(&mut self.db(), isrc, reason)
    }

    fn edit_metadata(&mut self, isrc: Isrc, edit: &MetadataEdit) -> Result<Recording> {
        write::edit_metadata(&mut self.db(), isrc, edit)
    }

    fn unbind_audio(&mut self, audio_id: &AudioId) -> Result<Isrc> {
        write::unbind_audio(&mut self.db(), audio_id)
    }

    fn start_run(&mut self, run: &NewRun) -> Result<i64> {
        write::start_run(&mut self.db(), run)
    }

    fn put_release(&mut self, release: &Release) -> Result<bool> {
        write::put_release(&mut self.db(), release)
    }

    fn remove_release(&mut self, upc: &Catalog) -> Result<bool> {
        write::remove_release(&mut self.db(), upc)
    }

    fn finish_run(&mut self, run: i64, counts: &std::collections::BTreeMap<String, u64>) -> Result<()> {
        write::finish_run(&mut self.db(), run, counts)
    }

    fn restore(&mut self, items: &[Stored]) -> Result<()> {
        write::restore(&mut self.db(), items)
    }

    fn conflicted(&self) -> bool {
        self.health.conflicted
    }

    fn commit(self: Box<Self>) -> Result<()> {
        // The server answers COMMIT on a failed transaction by rolling it back, without
        // an error: a caller that carried on past a failed statement must not think its
        // writes were kept.
        if self.health.failed {
            return Err(LedgerError::Backend(
                "a statement of this transaction failed, so it was rolled back and nothing was recorded".into(),
            ));
        }
        self.tx.commit().map_err(|error| connect::statement_error(&error))
    }
}

impl Designations for PgSnapshot<'_> {
    fn highest_used(&mut self, prefix: Prefix, year: u8, bounds: (u32, u32)) -> Result<Option<u32>> {
        read::Used(&mut self.db()).highest_used(prefix, year, bounds)
    }

    fn is_used(&mut self, prefix: Prefix, year: u8, designation: u32) -> Result<bool> {
        read::Used(&mut self.db()).is_used(prefix, year, designation)
    }

    fn lowest_gap_above(&mut self, prefix: Prefix, year: u8, bounds: (u32, u32)) -> Result<Option<u32>> {
        read::Used(&mut self.db()).lowest_gap_above(prefix, year, bounds)
    }
}

impl Snapshot for PgSnapshot<'_> {
    fn recordings_after(&mut self, after: Option<Isrc>, limit: usize) -> Result<Vec<Recording>> {
        read::recordings_after(&mut self.db(), after, limit)
    }

    fn audio_after(
        &mut self,
        after: Option<&AudioId>,
        limit: usize,
    ) -> Result<Vec<(AudioRecord, Option<Fingerprint>)>> {
        read::audio_after(&mut self.db(), after, limit)
    }

    fn events_after(&mut self, after: i64, limit: usize) -> Result<Vec<Event>> {
        read::events_after(&mut self.db(), after, limit)
    }

    fn runs_after(&mut self, after: i64, limit: usize) -> Result<Vec<Run>> {
        read::runs_after(&mut self.db(), after, limit)
    }

    fn releases_after(&mut self, after: Option<&Catalog>, limit: usize) -> Result<Vec<Release>> {
        read::releases_after(&mut self.db(), after, limit)
    }

    fn completeness_after(&mut self, after: Option<Isrc>, limit: usize) -> Result<Vec<Completeness>> {
        read::completeness_after(&mut self.db(), after, limit)
    }
}
