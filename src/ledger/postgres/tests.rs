//! Tests of what is PostgreSQL's own (the schema, the allocation lock under racing
//! connections, the errors), on the server `ISRC_STAMP_TEST_POSTGRES` names: a
//! superuser's URL of a throw-away server (`.ci/postgres start` prints it). Each test gets
//! a schema of its own. Without the variable they skip, except under CI.

use std::sync::atomic::{AtomicU32, Ordering};

use super::*;
use crate::ledger::{EventKind, NewRecording};

/// The superuser URL of the test server, or `None` (skip) outside CI.
pub(crate) fn server() -> Option<String> {
    match std::env::var("ISRC_STAMP_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "ISRC_STAMP_TEST_POSTGRES must name a PostgreSQL server under CI (.ci/run starts one)"
            );
            eprintln!("skipping: ISRC_STAMP_TEST_POSTGRES names no PostgreSQL server");
            None
        }
    }
}

/// A URL of a fresh, empty schema on the test server, the first of its `search_path`.
pub(crate) fn fresh_url() -> Option<Url> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let admin = server()?;
    let schema =
        format!("isrc_test_{}_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed), crate::ledger::now());
    raw(&admin).batch_execute(&format!("CREATE SCHEMA {schema}")).expect("schema created");
    let joiner = if admin.contains('?') { '&' } else { '?' };
    Some(Url::parse(&format!("{admin}{joiner}options=-csearch_path%3D{schema}")).expect("a URL"))
}

/// A plain client on `url`, for what the tests do behind the ledger's back.
fn raw(url: &str) -> Client {
    connect::connect(&Url::parse(url).expect("a URL")).expect("connected")
}

/// A fresh ledger (schema created) on the test server.
pub(crate) fn fresh() -> Option<PgLedger> {
    Some(PgLedger::open(&fresh_url()?, true).expect("opened"))
}

/// Fresh ledgers for the behaviour tests, or `None` outside CI without a server.
pub(in crate::ledger) fn factory() -> Option<Box<dyn Fn() -> Box<dyn Ledger>>> {
    server()?;
    Some(Box::new(|| Box::new(fresh().expect("a server"))))
}

fn prefix() -> Prefix {
    Prefix::parse("USPR3").unwrap()
}

#[test]
fn a_command_that_only_reads_creates_nothing() {
    let Some(url) = fresh_url() else { return };
    let error = PgLedger::open(&url, false).err().expect("no ledger there");
    assert!(matches!(error, LedgerError::NoLedger { .. }), "{error}");
    // The ledger names no command; the command line adds what to run
    // (`commands/advice.rs`, whose tests pin the words).
    assert!(!error.to_string().contains("isrc-stamp init"), "{error}");
    let mut ledger = PgLedger::open(&url, true).expect("created");
    assert!(ledger.prefixes().unwrap().is_empty());
    assert!(PgLedger::open(&url, false).is_ok(), "found once created");
}

#[test]
fn a_newer_schema_is_refused() {
    let Some(url) = fresh_url() else { return };
    let mut ledger = PgLedger::open(&url, true).unwrap();
    ledger.client.batch_execute("UPDATE isrc_stamp_schema SET version = 7").unwrap();
    let error = PgLedger::open(&url, false).err().unwrap();
    assert!(matches!(error, LedgerError::SchemaTooNew { found: 7, known: schema::SCHEMA_VERSION }), "{error}");
}

#[test]
fn another_applications_tables_are_not_taken_for_a_ledger() {
    let Some(url) = fresh_url() else { return };
    let mut ledger = PgLedger::open(&url, true).unwrap();
    ledger.client.batch_execute("DROP TABLE isrc_stamp_schema").unwrap();
    let error = PgLedger::open(&url, true).err().unwrap();
    assert!(matches!(error, LedgerError::NotALedger { .. }), "{error}");
}

#[test]
fn history_and_codes_cannot_be_deleted_behind_the_ledgers_back() {
    let Some(url) = fresh_url() else { return };
    let mut ledger = PgLedger::open(&url, true).unwrap();
    ledger.add_prefix(prefix(), DesignationRange { first: 1, last: 99_999 }, 0).unwrap();
    let ledger: &mut dyn Ledger = &mut ledger;
    let isrc = ledger
        .transaction(|tx| {
            let isrc = tx.issue_next(prefix(), 26, &NewRecording::new("t", 0))?;
            tx.log(&NewEvent::new("t", 0, EventKind::parse("issue")))?;
            Ok::<_, LedgerError>(isrc)
        })
        .unwrap();
    let mut direct = PgLedger::open(&url, false).unwrap();
    for sql in [
        "DELETE FROM event",
        "UPDATE event SET action = 'x'",
        "TRUNCATE event",
        "DELETE FROM recording",
        "UPDATE recording SET designation = 9",
    ] {
        assert!(direct.client.batch_execute(sql).is_err(), "{sql} must be refused");
    }
    let error = direct
        .client
        .batch_execute(
            "INSERT INTO recording (code, prefix, year, designation, origin, issued_at, issued_by) \
                        VALUES ('USPR32600002', 'USPR3', 26, 3, 'issued', 0, 'x')",
        )
        .unwrap_err();
    let error = connect::describe(&error);
    assert!(error.contains("check constraint"), "a code that disagrees with its parts: {error}");
    assert!(ledger.recording(isrc).unwrap().is_some());
    assert_eq!(ledger.events_for(isrc).unwrap().len(), 0, "the event names no code");
}

/// Eight connections, in eight threads, issue 40 codes each, one transaction per code,
/// deciding on a lookup first as `assign` does: the allocation row makes the losers of
/// each race run again, so every designation is issued once and none is skipped.
#[test]
fn racing_connections_issue_each_designation_once() {
    let Some(url) = fresh_url() else { return };
    PgLedger::open(&url, true).unwrap().add_prefix(prefix(), DesignationRange { first: 1, last: 99_999 }, 0).unwrap();
    let issued: Vec<u32> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    let mut ledger = PgLedger::open(&url, false).unwrap();
                    let ledger: &mut dyn Ledger = &mut ledger;
                    (0..40)
                        .map(|_| {
                            ledger.transaction(|tx| {
                                tx.prefixes()?;
                                tx.issue_next(prefix(), 26, &NewRecording::new("t", 0))
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap()).map(|r| r.unwrap().designation()).collect()
    });
    let mut sorted = issued.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (1..=320).collect::<Vec<_>>());
}

/// `.ci/postgres` serves TLS with a certificate for `localhost` from a test CA: each
/// `sslmode` encrypts, checks the chain, or checks the chain and the name, as it says.
#[test]
fn tls_is_used_and_the_certificate_checked_as_sslmode_asks() {
    let Some(admin) = server() else { return };
    let mut client = raw(&admin);
    let cert: String = client.query_one("SHOW ssl_cert_file", &[]).unwrap().get(0);
    let port: String = client.query_one("SHOW port", &[]).unwrap().get(0);
    let ca = std::path::Path::new(&cert).with_file_name("ca.crt");
    let ca: String = ca.to_str().unwrap().replace('/', "%2F");
    let url = |host: &str, mode: &str| {
        Url::parse(&format!("postgresql://writer:writer@{host}:{port}/postgres?sslmode={mode}&sslrootcert={ca}"))
            .unwrap()
    };
    let encrypted = |url: &Url| -> bool {
        let mut client = connect::connect(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        client.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).unwrap().get(0)
    };
    assert!(!encrypted(&url("127.0.0.1", "disable")));
    assert!(encrypted(&url("127.0.0.1", "require")));
    assert!(encrypted(&url("127.0.0.1", "verify-ca")), "the chain is the test CA's");
    assert!(encrypted(&url("localhost", "verify-full")), "the name is the certificate's");
    let error = connect::connect(&url("127.0.0.1", "verify-full")).err().expect("the name does not match");
    assert!(matches!(error, LedgerError::Open { .. }) && error.to_string().contains("certificate"), "{error}");
}
