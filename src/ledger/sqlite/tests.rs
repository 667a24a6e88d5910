//! Tests of what is SQLite's own: the file, its schema and migrations, WAL and locking,
//! the constraints behind the rules. The behaviour every backend shares is tested in
//! `ledger::behaviour`.

use std::path::Path;

use super::*;
use crate::ledger::backend_tests::{AT, USER, audio, audio_record, new, pfx, range};
use crate::ledger::{EventKind, NewEvent, Relation, Status};

/// A ledger with prefix US-PR3 over `range_text`.
fn ledger_with(range_text: &str) -> SqliteLedger {
    let mut ledger = SqliteLedger::open_in_memory().unwrap();
    ledger.add_prefix(pfx("USPR3"), range(range_text), AT).unwrap();
    ledger
}

/// Issues one code in its own transaction.
fn issue(ledger: &mut SqliteLedger, year: u8) -> Result<Isrc> {
    dyn_ledger(ledger).transaction(|tx| tx.issue_next(pfx("USPR3"), year, &new()))
}

fn designations(ledger: &mut SqliteLedger) -> Vec<u32> {
    ledger.recordings().unwrap().iter().map(|r| r.isrc.designation()).collect()
}

/// The ledger as the rest of the program holds it.
fn dyn_ledger(ledger: &mut SqliteLedger) -> &mut dyn Ledger {
    ledger
}

fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

// --- opening and migrations ---

#[test]
fn migrations_set_user_version_in_memory() {
    let ledger = SqliteLedger::open_in_memory().unwrap();
    assert_eq!(ledger.schema_version().unwrap(), schema::SCHEMA_VERSION);
    assert_eq!(schema::SCHEMA_VERSION, 4);
    assert_eq!(ledger.path(), None);
}

#[test]
fn open_creates_folders_and_marks_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/ledger.sqlite3");
    let ledger = SqliteLedger::open(&path).unwrap();
    assert_eq!(ledger.path(), Some(path.as_path()));
    drop(ledger);
    let conn = raw(&path);
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    let app: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0)).unwrap();
    let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
    assert_eq!((version, app, mode.as_str()), (schema::SCHEMA_VERSION, schema::APPLICATION_ID, "wal"));
}

#[test]
fn reopen_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite3");
    let first = {
        let mut ledger = SqliteLedger::open(&path).unwrap();
        ledger.add_prefix(pfx("USPR3"), range("00001-99999"), AT).unwrap();
        dyn_ledger(&mut ledger)
            .transaction(|tx| {
                let isrc = tx.issue_next(pfx("USPR3"), 26, &new())?;
                tx.bind_audio(&audio_record(1, isrc))?;
                Ok::<_, LedgerError>(isrc)
            })
            .unwrap()
    };
    let mut ledger = SqliteLedger::open(&path).unwrap();
    assert_eq!(ledger.schema_version().unwrap(), schema::SCHEMA_VERSION);
    assert_eq!(ledger.prefixes().unwrap().len(), 1);
    assert_eq!(ledger.code_for_audio(&audio(1)).unwrap(), Some(first));
    assert_eq!(issue(&mut ledger, 26).unwrap().as_str(), "USPR32600002");
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite3");
    drop(SqliteLedger::open(&path).unwrap());
    raw(&path).pragma_update(None, "user_version", 7).unwrap();
    let error = SqliteLedger::open(&path).unwrap_err();
    assert!(matches!(error, LedgerError::SchemaTooNew { found: 7, known: schema::SCHEMA_VERSION }));
    let expected =
        format!("ledger schema version 7 is newer than this isrc-stamp understands ({})", schema::SCHEMA_VERSION);
    assert!(error.to_string().starts_with(&expected));
}

#[test]
fn another_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite3");
    raw(&path).execute_batch("CREATE TABLE songs (name TEXT)").unwrap();
    let error = SqliteLedger::open(&path).unwrap_err();
    assert!(matches!(error, LedgerError::NotALedger { .. }), "{error}");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_as_not_a_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, vec![b'x'; 4096]).unwrap();
    let error = SqliteLedger::open(&path).unwrap_err();
    assert!(matches!(error, LedgerError::NotALedger { .. }), "{error}");
    assert!(error.to_string().contains("notes.txt"), "{error}");
    assert_eq!(std::fs::read(&path).unwrap(), vec![b'x'; 4096], "left as it was");
}

#[test]
fn an_empty_file_is_not_taken_for_a_new_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite3");
    std::fs::write(&path, b"").unwrap();
    for error in [SqliteLedger::open(&path).unwrap_err(), SqliteLedger::open_read_only(&path).unwrap_err()] {
        assert!(matches!(error, LedgerError::NotALedger { .. }), "{error}");
        assert!(error.to_string().contains("0 bytes"), "{error}");
    }
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0, "still empty: nothing was made of it");
    // An empty SQLite database another program made is no ledger either.
    let other = dir.path().join("empty.db");
    raw(&other).execute_batch("PRAGMA user_version = 0; VACUUM").unwrap();
    assert!(matches!(SqliteLedger::open(&other).unwrap_err(), LedgerError::NotALedger { .. }));
}

#[cfg(unix)]
#[test]
fn a_new_ledger_is_made_whole_beside_its_place_and_readable_by_others() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join("ledger.sqlite3");
    drop(SqliteLedger::open(&path).unwrap());
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(names.iter().all(|n| !n.to_string_lossy().contains("new-ledger")), "{names:?}");
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o644);
    assert_eq!(SqliteLedger::open_read_only(&path).unwrap().schema_version().unwrap(), schema::SCHEMA_VERSION);
}

#[test]
fn a_read_only_ledger_reads_and_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite3");
    {
        let mut ledger = SqliteLedger::open(&path).unwrap();
        ledger.add_prefix(pfx("USPR3"), range("00001-99999"), AT).unwrap();
        issue(&mut ledger, 26).unwrap();
    }
    let mut reader = SqliteLedger::open_read_only(&path).unwrap();
    assert_eq!(designations(&mut reader), [1]);
    let exported = dyn_ledger(&mut reader).transaction(|tx| tx.recordings()).unwrap();
    assert_eq!(exported.len(), 1, "a read transaction works");
    assert!(matches!(reader.add_prefix(pfx("GBBBB"), range("00001-99999"), AT), Err(LedgerError::ReadOnly(_))));
    assert!(issue(&mut reader, 26).is_err(), "a write inside a transaction is refused");
}

#[test]
fn a_ledger_in_a_folder_the_reader_cannot_write_is_read_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite3");
    {
        let mut ledger = SqliteLedger::open(&path).unwrap();
        ledger.add_prefix(pfx("USPR3"), range("00001-99999"), AT).unwrap();
    }
    assert!(!sidecar(&path, "-wal").exists(), "the last writer folded its WAL in");
    let uri = immutable_uri(&path);
    assert!(uri.starts_with("file:/") && uri.ends_with("?immutable=1"), "{uri}");
    let conn =
        Connection::open_with_flags(&uri, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI).unwrap();
    assert_eq!(read::prefixes(&conn).unwrap().len(), 1);
}

#[test]
fn a_damaged_page_is_damage_and_check_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite3");
    {
        let mut ledger = SqliteLedger::open(&path).unwrap();
        ledger.add_prefix(pfx("USPR3"), range("00001-99999"), AT).unwrap();
        let code = issue(&mut ledger, 26).unwrap();
        dyn_ledger(&mut ledger).transaction(|tx| tx.bind_audio(&audio_record(1, code))).unwrap();
        assert!(ledger.integrity_problems().unwrap().is_empty());
    }
    let page: i64 = raw(&path)
        .query_row("SELECT rootpage FROM sqlite_schema WHERE name = 'sqlite_autoindex_audio_1'", [], |r| r.get(0))
        .unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let at = usize::try_from(page - 1).unwrap() * 4096;
    bytes[at..at + 4096].fill(0);
    std::fs::write(&path, bytes).unwrap();
    let mut ledger = SqliteLedger::open(&path).unwrap();
    let error = ledger.code_for_audio(&audio(1)).unwrap_err();
    assert!(matches!(error, LedgerError::Damaged(_)), "{error}");
    assert!(error.to_string().contains("Restore it from a backup"), "{error}");
    let problems = ledger.integrity_problems().unwrap();
    assert!(problems.iter().any(|p| p.contains("sqlite_autoindex_audio_1")), "{problems:#?}");
}

#[test]
fn a_binding_whose_recording_is_gone_stops_the_commit_and_is_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite3");
    let code = {
        let mut ledger = SqliteLedger::open(&path).unwrap();
        ledger.add_prefix(pfx("USPR3"), range("00001-99999"), AT).unwrap();
        let code = issue(&mut ledger, 26).unwrap();
        dyn_ledger(&mut ledger).transaction(|tx| tx.bind_audio(&audio_record(1, code))).unwrap();
        code
    };
    // Damage that SQLite's constraints did not see: the recording row is gone.
    raw(&path)
        .execute_batch("PRAGMA foreign_keys = OFF; DROP TRIGGER recording_no_delete; DELETE FROM recording;")
        .unwrap();
    let mut ledger = SqliteLedger::open(&path).unwrap();
    let result = dyn_ledger(&mut ledger).transaction(|tx| {
        assert_eq!(tx.code_for_audio(&audio(1))?, Some(code), "the lookup alone sees nothing wrong");
        tx.log(&NewEvent::new(USER, AT, EventKind::parse("reuse")))
    });
    let error = result.unwrap_err();
    assert!(matches!(error, LedgerError::Damaged(_)), "{error}");
    assert!(dyn_ledger(&mut ledger).events_for(code).unwrap().is_empty(), "nothing was committed");
    let problems = ledger.integrity_problems().unwrap();
    assert!(problems.iter().any(|p| p.contains("names a missing recording row")), "{problems:#?}");
}

#[test]
fn a_backup_is_a_whole_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite3");
    let copy = dir.path().join("backup.sqlite3");
    let mut ledger = SqliteLedger::open(&path).unwrap();
    ledger.add_prefix(pfx("USPR3"), range("00001-99999"), AT).unwrap();
    issue(&mut ledger, 26).unwrap();
    ledger.backup(&copy).unwrap();
    issue(&mut ledger, 26).unwrap();
    let mut restored = SqliteLedger::open_read_only(&copy).unwrap();
    assert_eq!(designations(&mut restored), [1], "the state at the backup");
    assert!(restored.integrity_problems().unwrap().is_empty());
}

/// Several processes starting on a new ledger at once: each must open it, the schema
/// must be migrated once, and none may fail with "database is locked" (SQLite refuses a
/// concurrent switch to WAL without waiting). Repeated, because the race is narrow.
#[test]
fn concurrent_first_opens_migrate_once() {
    for _ in 0..60 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.sqlite3");
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8).map(|_| scope.spawn(|| SqliteLedger::open(&path).map(drop))).collect();
            for handle in handles {
                handle.join().unwrap().unwrap();
            }
        });
        assert_eq!(SqliteLedger::open(&path).unwrap().schema_version().unwrap(), schema::SCHEMA_VERSION);
    }
}

// --- prefixes ---

// --- allocation ---

// --- adopting ---

// --- audio ---

// --- events ---

#[test]
fn event_history_and_codes_cannot_be_deleted() {
    let mut ledger = ledger_with("00001-99999");
    let isrc = issue(&mut ledger, 26).unwrap();
    dyn_ledger(&mut ledger).transaction(|tx| tx.log(&NewEvent::new(USER, AT, EventKind::parse("issue")))).unwrap();
    let conn = ledger.conn();
    assert!(conn.execute("DELETE FROM event", []).is_err());
    assert!(conn.execute("UPDATE event SET action = 'x'", []).is_err());
    assert!(conn.execute("DELETE FROM recording", []).is_err());
    assert!(conn.execute("UPDATE recording SET designation = 9", []).is_err());
    assert!(ledger.recording(isrc).unwrap().is_some());
}

// --- transactions ---

#[test]
fn works_through_dyn_ledger() {
    let mut sqlite = ledger_with("00001-99999");
    let ledger: &mut dyn Ledger = &mut sqlite;
    let isrc = ledger.transaction(|tx| tx.issue_next(pfx("USPR3"), 26, &new())).unwrap();
    assert_eq!(ledger.recording(isrc).unwrap().map(|r| r.isrc), Some(isrc));
}

#[test]
fn unique_constraints_hold_even_when_the_logic_is_bypassed() {
    let mut ledger = ledger_with("00001-99999");
    issue(&mut ledger, 26).unwrap();
    let insert = "INSERT INTO recording (code, prefix, year, designation, origin, issued_at, \
                  issued_by) VALUES (?1, 'USPR3', 26, 1, 'issued', 0, 'x')";
    let error = ledger.conn().execute(insert, ["USPR32600001"]).unwrap_err();
    assert!(error.to_string().contains("UNIQUE"), "{error}");
    // A code that disagrees with its parts is refused too.
    let error = ledger.conn().execute(insert, ["USPR32600002"]).unwrap_err();
    assert!(error.to_string().contains("CHECK"), "{error}");
    assert_eq!(designations(&mut ledger), [1]);
}

// --- concurrency ---

/// Two handles on one file, in two threads, issue 200 codes each, one transaction per
/// code. A barrier makes both start every round together, so every round is a real race
/// for the write lock (the loser waits in the busy handler): each round must hand out
/// exactly the next two designations, one to each thread.
#[test]
fn two_handles_issuing_concurrently_never_collide() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite3");
    SqliteLedger::open(&path).unwrap().add_prefix(pfx("USPR3"), range("00001-99999"), AT).unwrap();
    let rounds = std::sync::Barrier::new(2);
    let per_thread: Vec<Vec<u32>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2).map(|_| scope.spawn(|| issue_in_rounds(&path, &rounds, 200))).collect();
        let results = workers.into_iter().map(|worker| worker.join().unwrap());
        results.map(|issued| issued.into_iter().collect::<Result<_>>().unwrap()).collect()
    });
    for designations in &per_thread {
        for (round, designation) in (0u32..).zip(designations) {
            assert!([2 * round + 1, 2 * round + 2].contains(designation));
        }
    }
    let mut all: Vec<u32> = per_thread.concat();
    all.sort_unstable();
    assert_eq!(all, (1..=400).collect::<Vec<_>>());
    assert_eq!(designations(&mut SqliteLedger::open(&path).unwrap()), all);
}

/// Opens its own handle and issues `count` codes, waiting for the other thread before
/// each. Failures are collected, not panicked on, so the other thread never waits alone.
fn issue_in_rounds(path: &Path, rounds: &std::sync::Barrier, count: u64) -> Vec<Result<u32>> {
    let mut ledger = SqliteLedger::open(path).unwrap();
    let mut issued = Vec::new();
    for n in 0..count {
        rounds.wait();
        let result = dyn_ledger(&mut ledger).transaction(|tx| {
            // Decide on a lookup first, as `assign` does.
            tx.code_for_audio(&audio(n))?;
            tx.issue_next(pfx("USPR3"), 26, &new())
        });
        issued.push(result.map(|isrc| isrc.designation()));
    }
    issued
}

// --- the hot path stays on indexes ---

#[test]
fn hot_queries_use_indexes() {
    let ledger = ledger_with("00001-99999");
    let queries = [
        "SELECT designation FROM recording WHERE prefix = 'USPR3' AND year = 26 \
         AND designation BETWEEN 1 AND 99999 ORDER BY designation DESC LIMIT 1",
        "SELECT 1 FROM recording WHERE prefix = 'USPR3' AND year = 26 AND designation = 1",
        "SELECT status FROM recording WHERE code = 'USPR32600001'",
        "SELECT isrc FROM audio WHERE audio_id = 'pcm1:00'",
        "SELECT audio_id FROM audio WHERE isrc = 'USPR32600001'",
        "SELECT id FROM event WHERE isrc = 'USPR32600001' ORDER BY id",
    ];
    for sql in queries {
        let mut stmt = ledger.conn().prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let plan: Vec<String> = stmt.query_map([], |row| row.get(3)).unwrap().map(|r| r.unwrap()).collect();
        let plan = plan.join("; ");
        assert!(plan.starts_with("SEARCH") && !plan.contains("SCAN") && !plan.contains("TEMP B-TREE"), "{sql}: {plan}");
    }
}

// --- words and serialization ---

#[test]
fn relation_words_round_trip() {
    for relation in Relation::ALL {
        assert_eq!(relation.as_str().parse::<Relation>().unwrap(), *relation);
    }
    assert_eq!("Remix".parse::<Relation>().unwrap(), Relation::Remix);
    let error = "cover".parse::<Relation>().unwrap_err();
    assert_eq!(
        error.to_string(),
        "unknown relation \"cover\": expected one of edit|remix|remaster|live|language|mix|other"
    );
    assert_eq!("void".parse::<Status>().unwrap(), Status::Void);
    assert_eq!("imported".parse::<Origin>().unwrap(), Origin::Imported);
}

#[test]
fn a_damaged_value_is_reported_not_panicked_on() {
    let mut ledger = ledger_with("00001-99999");
    let isrc = issue(&mut ledger, 26).unwrap();
    ledger
        .conn()
        .execute(
            "INSERT INTO audio (audio_id, isrc, frames, rate, channels, bits, first_path, added_at)
             VALUES ('bogus', ?1, 1, 44100, 2, 16, 'x', 0)",
            [isrc.as_str()],
        )
        .unwrap();
    let error = ledger.audio_for_code(isrc).unwrap_err();
    assert_eq!(error.to_string(), "the ledger holds an invalid value in audio.audio_id: \"bogus\"");
}

#[test]
fn a_writer_that_waits_too_long_gets_a_clear_busy_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite3");
    let mut holder = SqliteLedger::open(&path).unwrap();
    let _held = holder.begin().unwrap();
    let mut waiter = SqliteLedger::open(&path).unwrap();
    waiter.conn().busy_timeout(std::time::Duration::from_millis(50)).unwrap();
    let error = waiter.begin().err().unwrap();
    assert!(matches!(error, LedgerError::Busy(_)), "{error}");
    assert!(error.to_string().starts_with("the ledger is busy"), "{error}");
}

/// A ledger file as an older isrc-stamp left it: the first `version` migrations, marked.
fn older_ledger(path: &std::path::Path, version: usize) -> rusqlite::Connection {
    let raw = rusqlite::Connection::open(path).expect("raw");
    for step in &schema::MIGRATIONS[..version] {
        raw.execute_batch(step).expect("an older schema");
    }
    raw.pragma_update(None, "user_version", version as i64).unwrap();
    raw.pragma_update(None, "application_id", schema::APPLICATION_ID).unwrap();
    raw
}

#[test]
fn a_version_1_ledger_gains_the_later_tables_and_keeps_its_codes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ledger.sqlite3");
    let raw = older_ledger(&path, 1);
    raw.execute_batch(
        "INSERT INTO prefix VALUES ('USPR3', 1, 99999, 0);
         INSERT INTO recording (code, prefix, year, designation, origin, issued_at, issued_by)
             VALUES ('USPR32600001', 'USPR3', 26, 1, 'issued', 0, 't');
         INSERT INTO audio VALUES ('pcm1:0000000000000000000000000000000000000000000000000000000000000001',
             'USPR32600001', 7938000, 44100, 2, 16, '/masters/1.mp3', 0);
         INSERT INTO event (at, user, isrc, action) VALUES (0, 't', 'USPR32600001', 'issued');",
    )
    .expect("rows of version 1");
    drop(raw);
    let mut ledger = SqliteLedger::open(&path).expect("migrated");
    assert_eq!(ledger.schema_version().expect("version"), 4);
    let code = Isrc::parse("USPR32600001").unwrap();
    assert_eq!(ledger.code_for_audio(&audio(1)).expect("read"), Some(code));
    let stored = ledger.audio_for_code(code).unwrap();
    assert_eq!(stored[0].codec, None, "audio bound before version 3 has no codec");
    assert!(!stored[0].lossless(), "an MP3 path tells it was lossy");
    assert_eq!(ledger.events_for(code).unwrap()[0].run, None);
    assert!(ledger.runs(10).unwrap().is_empty());
    assert!(
        dyn_ledger(&mut ledger)
            .transaction(|tx| tx.store_fingerprint(
                &audio(1),
                &crate::base::ids::Fingerprint::new(
                    crate::base::ids::test_items(1, 900),
                    std::time::Duration::from_secs(111)
                )
            ))
            .expect("stored")
    );
}

#[test]
fn a_version_2_ledger_gains_codecs_and_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ledger.sqlite3");
    drop(older_ledger(&path, 2));
    let mut ledger = SqliteLedger::open(&path).expect("migrated");
    assert_eq!(ledger.schema_version().expect("version"), 4);
    let prefix = Prefix::parse("USPR3").expect("prefix");
    ledger.add_prefix(prefix, DesignationRange { first: 1, last: 99_999 }, 0).expect("prefix added");
    let run = crate::ledger::NewRun {
        started_at: 5,
        user: "anna".into(),
        host: "room-2".into(),
        role: None,
        paths: vec!["/masters".into()],
    };
    let (id, isrc) = dyn_ledger(&mut ledger)
        .transaction(|tx| {
            let id = tx.start_run(&run)?;
            let isrc = tx.issue_next(prefix, 26, &NewRecording::new("t", 0))?;
            tx.bind_audio(&audio_record(1, isrc))?;
            tx.log(&NewEvent { isrc: Some(isrc), run: Some(id), ..NewEvent::new(USER, AT, EventKind::Issued) })?;
            tx.finish_run(id, &[("issued".to_owned(), 1)].into_iter().collect())?;
            Ok::<_, LedgerError>((id, isrc))
        })
        .expect("a run");
    let runs = ledger.runs(10).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!((runs[0].run, runs[0].user.as_str(), runs[0].host.as_str()), (id, "anna", "room-2"));
    assert_eq!(runs[0].paths, ["/masters"]);
    assert_eq!(runs[0].counts.get("issued"), Some(&1));
    assert_eq!(ledger.events_of_run(id).unwrap()[0].isrc, Some(isrc));
    assert_eq!(ledger.audio_for_code(isrc).unwrap()[0].codec.as_deref(), Some("pcm_s16le"));
}

#[test]
fn a_version_3_ledger_keeps_its_codes_and_releases_and_knows_them_as_audio() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ledger.sqlite3");
    let raw = older_ledger(&path, 3);
    raw.execute_batch(
        "INSERT INTO recording (code, prefix, year, designation, origin, issued_at, issued_by, title)
             VALUES ('USPR32600001', 'USPR3', 26, 1, 'issued', 0, 't', 'Song');
         INSERT INTO release (ean, upc, title, date, p_line, created_at)
             VALUES ('0036000291452', '036000291452', 'EP', '2024-05-17', '2024 Owner', 0);
         INSERT INTO release_track VALUES ('0036000291452', 1, 1, 'USPR32600001');",
    )
    .expect("rows of version 3");
    drop(raw);
    let mut ledger = SqliteLedger::open(&path).expect("migrated");
    assert_eq!(ledger.schema_version().expect("version"), 4);
    let code = Isrc::parse("USPR32600001").unwrap();
    let recording = ledger.recording(code).unwrap().unwrap();
    assert_eq!(recording.title.as_deref(), Some("Song"));
    assert_eq!(recording.publication, crate::ledger::Publication::default(), "audio, the rest unknown");
    let releases = ledger.releases().unwrap();
    assert_eq!((releases.len(), releases[0].upc.as_typed(), releases[0].tracks.len()), (1, "036000291452", 1));
    // The schema stands behind the rules.
    let refused = ledger.conn().execute("UPDATE recording SET p_date = '17 May 2024' WHERE code = 'USPR32600001'", []);
    assert!(refused.is_err(), "a P-date is a date or a year");
    let refused = ledger.conn().execute("UPDATE recording SET content_type = 'text'", []);
    assert!(refused.is_err());
}
