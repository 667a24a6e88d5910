//! Tests of the SQLite ledger, in memory and on temporary files.

use std::path::Path;

use super::*;
use crate::audio::AudioId;
use crate::code::{DesignationRange, Isrc, Prefix};

const USER: &str = "tester";
const AT: i64 = 1_767_225_600;

fn pfx(text: &str) -> Prefix {
    Prefix::parse(text).unwrap()
}

fn code(text: &str) -> Isrc {
    Isrc::parse(text).unwrap()
}

fn range(text: &str) -> DesignationRange {
    DesignationRange::parse(text).unwrap()
}

fn audio(n: u64) -> AudioId {
    AudioId::parse(&format!("pcm1:{n:064x}")).unwrap()
}

fn audio_record(n: u64, isrc: Isrc) -> AudioRecord {
    AudioRecord {
        audio_id: audio(n),
        isrc,
        frames: 44_100 * 180,
        sample_rate: 44_100,
        channels: 2,
        bits: 16,
        first_path: format!("/masters/{n}.wav"),
        added_at: AT,
    }
}

fn new() -> NewRecording {
    NewRecording::new(USER, AT)
}

/// A ledger with prefix US-PR3 over `range_text`.
fn ledger_with(range_text: &str) -> SqliteLedger {
    let mut ledger = SqliteLedger::open_in_memory().unwrap();
    ledger.add_prefix(pfx("USPR3"), range(range_text), AT).unwrap();
    ledger
}

/// Issues one code in its own transaction.
fn issue(ledger: &mut SqliteLedger, year: u8) -> Result<Isrc> {
    ledger.transaction(|tx| tx.issue_next(pfx("USPR3"), year, &new()))
}

fn adopt(ledger: &mut SqliteLedger, isrc: Isrc) -> Result<()> {
    ledger.transaction(|tx| tx.adopt(isrc, Origin::Adopted, &new()))
}

fn designations(ledger: &SqliteLedger) -> Vec<u32> {
    ledger.recordings().unwrap().iter().map(|r| r.isrc.designation()).collect()
}

fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

// --- opening and migrations ---

#[test]
fn migrations_set_user_version_in_memory() {
    let ledger = SqliteLedger::open_in_memory().unwrap();
    assert_eq!(ledger.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, 2);
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
    assert_eq!((version, app, mode.as_str()), (SCHEMA_VERSION, schema::APPLICATION_ID, "wal"));
}

#[test]
fn reopen_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite3");
    let first = {
        let mut ledger = SqliteLedger::open(&path).unwrap();
        ledger.add_prefix(pfx("USPR3"), range("00001-99999"), AT).unwrap();
        ledger
            .transaction(|tx| {
                let isrc = tx.issue_next(pfx("USPR3"), 26, &new())?;
                tx.bind_audio(&audio_record(1, isrc))?;
                Ok::<_, LedgerError>(isrc)
            })
            .unwrap()
    };
    let mut ledger = SqliteLedger::open(&path).unwrap();
    assert_eq!(ledger.schema_version().unwrap(), SCHEMA_VERSION);
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
    assert!(matches!(error, LedgerError::SchemaTooNew { found: 7, known: SCHEMA_VERSION }));
    let expected = format!("ledger schema version 7 is newer than this isrc-stamp understands ({SCHEMA_VERSION})");
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
fn a_file_that_is_not_a_database_is_a_clear_open_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, vec![b'x'; 4096]).unwrap();
    let error = SqliteLedger::open(&path).unwrap_err();
    assert!(matches!(error, LedgerError::Open { .. }), "{error}");
    assert!(error.to_string().contains("notes.txt"), "{error}");
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
        assert_eq!(SqliteLedger::open(&path).unwrap().schema_version().unwrap(), SCHEMA_VERSION);
    }
}

// --- prefixes ---

#[test]
fn add_prefix_is_idempotent_for_the_same_range_only() {
    let mut ledger = SqliteLedger::open_in_memory().unwrap();
    assert!(ledger.add_prefix(pfx("USPR3"), range("00001-99999"), AT).unwrap());
    assert!(!ledger.add_prefix(pfx("USPR3"), range("00001-99999"), AT + 5).unwrap());
    let error = ledger.add_prefix(pfx("USPR3"), range("00500-00999"), AT).unwrap_err();
    assert_eq!(error.to_string(), "prefix US-PR3 is already in the ledger with range 00001-99999, not 00500-00999");
    let record = ledger.prefix(pfx("USPR3")).unwrap().unwrap();
    assert_eq!((record.range, record.created_at), (range("00001-99999"), AT));
    assert_eq!(ledger.prefix(pfx("GBAAA")).unwrap(), None);
}

#[test]
fn prefixes_are_listed_in_order() {
    let mut ledger = ledger_with("00001-99999");
    ledger.add_prefix(pfx("GBAAA"), range("00000-00999"), AT).unwrap();
    let listed: Vec<_> = ledger.prefixes().unwrap().iter().map(|p| p.prefix).collect();
    assert_eq!(listed, [pfx("GBAAA"), pfx("USPR3")]);
}

#[test]
fn invalid_range_is_refused() {
    let mut ledger = SqliteLedger::open_in_memory().unwrap();
    let bad = DesignationRange { first: 10, last: 5 };
    let error = ledger.add_prefix(pfx("USPR3"), bad, AT).unwrap_err();
    assert!(matches!(error, LedgerError::InvalidRange(_)));
}

// --- allocation ---

#[test]
fn issuing_is_contiguous_from_00001() {
    let mut ledger = ledger_with("00001-99999");
    let codes: Vec<String> = (0..5).map(|_| issue(&mut ledger, 26).unwrap().to_string()).collect();
    assert_eq!(codes, ["USPR32600001", "USPR32600002", "USPR32600003", "USPR32600004", "USPR32600005"]);
    let recording = ledger.recording(code("USPR32600003")).unwrap().unwrap();
    assert_eq!(recording.origin, Origin::Issued);
    assert_eq!(recording.status, Status::Active);
    assert_eq!((recording.issued_by.as_str(), recording.issued_at), (USER, AT));
}

#[test]
fn many_codes_in_one_transaction_are_contiguous() {
    let mut ledger = ledger_with("00001-99999");
    let codes = ledger
        .transaction(|tx| (0..50).map(|_| tx.issue_next(pfx("USPR3"), 26, &new())).collect::<Result<Vec<_>>>())
        .unwrap();
    let got: Vec<u32> = codes.iter().map(Isrc::designation).collect();
    assert_eq!(got, (1..=50).collect::<Vec<_>>());
}

#[test]
fn range_start_is_respected_and_exhaustion_is_clear() {
    let mut ledger = ledger_with("00500-00502");
    let codes: Vec<String> = (0..3).map(|_| issue(&mut ledger, 26).unwrap().to_string()).collect();
    assert_eq!(codes, ["USPR32600500", "USPR32600501", "USPR32600502"]);
    let error = issue(&mut ledger, 26).unwrap_err();
    assert_eq!(
        error.to_string(),
        "range exhausted: no free designation left for prefix US-PR3 in year 26 \
         (range 00500-00502)"
    );
    assert_eq!(ledger.recordings().unwrap().len(), 3);
}

#[test]
fn range_starting_at_00000_is_used_from_00000() {
    let mut ledger = ledger_with("00000-99999");
    assert_eq!(issue(&mut ledger, 26).unwrap().as_str(), "USPR32600000");
    assert_eq!(issue(&mut ledger, 26).unwrap().as_str(), "USPR32600001");
}

#[test]
fn years_are_independent() {
    let mut ledger = ledger_with("00001-99999");
    assert_eq!(issue(&mut ledger, 25).unwrap().as_str(), "USPR32500001");
    assert_eq!(issue(&mut ledger, 25).unwrap().as_str(), "USPR32500002");
    assert_eq!(issue(&mut ledger, 26).unwrap().as_str(), "USPR32600001");
    assert_eq!(issue(&mut ledger, 0).unwrap().as_str(), "USPR30000001");
    assert_eq!(issue(&mut ledger, 25).unwrap().as_str(), "USPR32500003");
}

#[test]
fn prefixes_are_independent() {
    let mut ledger = ledger_with("00001-99999");
    ledger.add_prefix(pfx("GBAAA"), range("00001-99999"), AT).unwrap();
    issue(&mut ledger, 26).unwrap();
    let other = ledger.transaction(|tx| tx.issue_next(pfx("GBAAA"), 26, &new())).unwrap();
    assert_eq!(other.as_str(), "GBAAA2600001");
}

#[test]
fn year_above_99_is_refused() {
    let mut ledger = ledger_with("00001-99999");
    assert!(matches!(issue(&mut ledger, 100), Err(LedgerError::InvalidYear(100))));
}

#[test]
fn unknown_prefix_is_a_clear_error() {
    let mut ledger = SqliteLedger::open_in_memory().unwrap();
    let error = issue(&mut ledger, 26).unwrap_err();
    assert_eq!(error.to_string(), "prefix US-PR3 is not in the ledger; run `isrc-stamp init --prefix US-PR3` first");
}

#[test]
fn adopted_code_inside_prefix_and_year_is_skipped() {
    let mut ledger = ledger_with("00001-99999");
    assert_eq!(issue(&mut ledger, 26).unwrap().as_str(), "USPR32600001");
    adopt(&mut ledger, code("USPR32600002")).unwrap();
    assert_eq!(issue(&mut ledger, 26).unwrap().as_str(), "USPR32600003");
    // An adopted code of another year or another registrant changes nothing here.
    adopt(&mut ledger, code("USPR32500009")).unwrap();
    adopt(&mut ledger, code("GBBBB2600007")).unwrap();
    assert_eq!(issue(&mut ledger, 26).unwrap().as_str(), "USPR32600004");
    assert_eq!(ledger.recording(code("GBBBB2600007")).unwrap().unwrap().origin, Origin::Adopted);
}

#[test]
fn adopted_code_outside_the_range_does_not_move_allocation() {
    let mut ledger = ledger_with("00500-00999");
    adopt(&mut ledger, code("USPR32601500")).unwrap();
    assert_eq!(issue(&mut ledger, 26).unwrap().as_str(), "USPR32600500");
}

#[test]
fn once_the_top_is_used_gaps_are_filled_lowest_first() {
    let mut ledger = ledger_with("00001-00006");
    adopt(&mut ledger, code("USPR32600006")).unwrap();
    adopt(&mut ledger, code("USPR32600002")).unwrap();
    adopt(&mut ledger, code("USPR32600004")).unwrap();
    let codes: Vec<u32> = (0..3).map(|_| issue(&mut ledger, 26).unwrap().designation()).collect();
    assert_eq!(codes, [1, 3, 5]);
    assert!(matches!(issue(&mut ledger, 26), Err(LedgerError::RangeExhausted { .. })));
    assert_eq!(designations(&ledger), [1, 2, 3, 4, 5, 6]);
}

#[test]
fn voided_codes_are_not_reissued() {
    let mut ledger = ledger_with("00001-00003");
    let first = issue(&mut ledger, 26).unwrap();
    let second = issue(&mut ledger, 26).unwrap();
    ledger.transaction(|tx| tx.void(second, "issued by mistake")).unwrap();
    assert_eq!(issue(&mut ledger, 26).unwrap().designation(), 3);
    ledger.transaction(|tx| tx.void(first, "withdrawn")).unwrap();
    // The top is used and the only "gaps" are void codes: nothing is free.
    assert!(matches!(issue(&mut ledger, 26), Err(LedgerError::RangeExhausted { .. })));
    let voided = ledger.recording(second).unwrap().unwrap();
    assert_eq!(voided.status, Status::Void);
    assert_eq!(voided.void_reason.as_deref(), Some("issued by mistake"));
}

#[test]
fn void_twice_or_unknown_is_an_error() {
    let mut ledger = ledger_with("00001-99999");
    let isrc = issue(&mut ledger, 26).unwrap();
    ledger.transaction(|tx| tx.void(isrc, "dup")).unwrap();
    let again = ledger.transaction(|tx| tx.void(isrc, "dup")).unwrap_err();
    assert_eq!(again.to_string(), "USPR32600001 is already void");
    let unknown = ledger.transaction(|tx| tx.void(code("USPR32609999"), "x")).unwrap_err();
    assert_eq!(unknown.to_string(), "USPR32609999 is not in the ledger");
}

// --- adopting ---

#[test]
fn adopting_a_code_twice_is_an_error() {
    let mut ledger = SqliteLedger::open_in_memory().unwrap();
    adopt(&mut ledger, code("NLA508700208")).unwrap();
    let error = adopt(&mut ledger, code("NLA508700208")).unwrap_err();
    assert_eq!(error.to_string(), "NLA508700208 is already in the ledger");
}

#[test]
fn adopt_keeps_metadata_and_origin() {
    let mut ledger = SqliteLedger::open_in_memory().unwrap();
    let details = NewRecording { title: Some("Song".into()), artist: Some("Band".into()), ..new() };
    ledger.transaction(|tx| tx.adopt(code("GBBBB9905305"), Origin::Imported, &details)).unwrap();
    let recording = ledger.recording(code("GBBBB9905305")).unwrap().unwrap();
    assert_eq!(recording.origin, Origin::Imported);
    assert_eq!(recording.title.as_deref(), Some("Song"));
    assert_eq!(recording.artist.as_deref(), Some("Band"));
    assert_eq!(recording.version_note, None);
}

#[test]
fn lineage_is_recorded_and_checked() {
    let mut ledger = ledger_with("00001-99999");
    let parent = issue(&mut ledger, 26).unwrap();
    let edit = NewRecording {
        parent: Some(parent),
        relation: Some(Relation::Edit),
        version_note: Some("radio edit".into()),
        ..new()
    };
    let child = ledger.transaction(|tx| tx.issue_next(pfx("USPR3"), 26, &edit)).unwrap();
    let recording = ledger.recording(child).unwrap().unwrap();
    assert_eq!((recording.parent, recording.relation), (Some(parent), Some(Relation::Edit)));

    let orphan = NewRecording { relation: Some(Relation::Remix), ..new() };
    let error = ledger.transaction(|tx| tx.issue_next(pfx("USPR3"), 26, &orphan)).unwrap_err();
    assert!(matches!(error, LedgerError::RelationWithoutParent(Relation::Remix)));

    let unknown = NewRecording { parent: Some(code("USPR39900001")), ..edit };
    let error = ledger.transaction(|tx| tx.issue_next(pfx("USPR3"), 26, &unknown)).unwrap_err();
    assert_eq!(error.to_string(), "USPR39900001 is not in the ledger");
}

// --- audio ---

#[test]
fn binding_audio_is_idempotent_for_the_same_code() {
    let mut ledger = ledger_with("00001-99999");
    let isrc = issue(&mut ledger, 26).unwrap();
    assert!(ledger.transaction(|tx| tx.bind_audio(&audio_record(1, isrc))).unwrap());
    let mut again = audio_record(1, isrc);
    again.first_path = "/elsewhere.flac".into();
    assert!(!ledger.transaction(|tx| tx.bind_audio(&again)).unwrap());
    let bound = ledger.audio_for_code(isrc).unwrap();
    assert_eq!(bound, [audio_record(1, isrc)]);
}

#[test]
fn binding_audio_to_another_code_is_an_error() {
    let mut ledger = ledger_with("00001-99999");
    let first = issue(&mut ledger, 26).unwrap();
    let second = issue(&mut ledger, 26).unwrap();
    ledger.transaction(|tx| tx.bind_audio(&audio_record(1, first))).unwrap();
    let error = ledger.transaction(|tx| tx.bind_audio(&audio_record(1, second))).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "the audio id {} is already bound to USPR32600001, so it cannot be bound to \
             USPR32600002",
            audio(1)
        )
    );
    assert_eq!(ledger.code_for_audio(&audio(1)).unwrap(), Some(first));
}

#[test]
fn several_audio_ids_share_one_recording() {
    let mut ledger = ledger_with("00001-99999");
    let isrc = issue(&mut ledger, 26).unwrap();
    ledger
        .transaction(|tx| {
            tx.bind_audio(&audio_record(1, isrc))?;
            tx.bind_audio(&audio_record(2, isrc))
        })
        .unwrap();
    assert_eq!(ledger.audio_for_code(isrc).unwrap().len(), 2);
    assert_eq!(ledger.code_for_audio(&audio(2)).unwrap(), Some(isrc));
    assert_eq!(ledger.code_for_audio(&audio(3)).unwrap(), None);
}

#[test]
fn binding_to_an_unknown_or_void_code_is_an_error() {
    let mut ledger = ledger_with("00001-99999");
    let unknown = ledger.transaction(|tx| tx.bind_audio(&audio_record(1, code("USPR32612345"))));
    assert!(matches!(unknown, Err(LedgerError::UnknownCode(_))));
    let isrc = issue(&mut ledger, 26).unwrap();
    ledger.transaction(|tx| tx.void(isrc, "mistake")).unwrap();
    let void = ledger.transaction(|tx| tx.bind_audio(&audio_record(1, isrc)));
    assert!(matches!(void, Err(LedgerError::CodeVoid(_))));
}

// --- events ---

#[test]
fn events_are_appended_and_read_back_in_order() {
    let mut ledger = ledger_with("00001-99999");
    let isrc = issue(&mut ledger, 26).unwrap();
    let (first, second) = ledger
        .transaction(|tx| {
            let first = tx.log(&NewEvent {
                isrc: Some(isrc),
                audio_id: Some(audio(1)),
                path: Some("/masters/a.wav".into()),
                detail: "{\"year\":26}".into(),
                ..NewEvent::new(USER, AT, "issue")
            })?;
            let second = tx.log(&NewEvent { isrc: Some(isrc), ..NewEvent::new(USER, AT + 1, "write") })?;
            tx.log(&NewEvent::new(USER, AT, "unrelated"))?;
            Ok::<_, LedgerError>((first, second))
        })
        .unwrap();
    assert!(first < second);
    let events = ledger.events_for(isrc).unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["issue", "write"]);
    assert_eq!(events[0].id, first);
    assert_eq!(events[0].audio_id, Some(audio(1)));
    assert_eq!(events[0].path.as_deref(), Some("/masters/a.wav"));
    assert_eq!(events[0].detail, "{\"year\":26}");
    assert_eq!(events[1].at, AT + 1);
    assert_eq!(events[1].path, None);
}

#[test]
fn event_history_and_codes_cannot_be_deleted() {
    let mut ledger = ledger_with("00001-99999");
    let isrc = issue(&mut ledger, 26).unwrap();
    ledger.transaction(|tx| tx.log(&NewEvent::new(USER, AT, "issue"))).unwrap();
    let conn = ledger.conn();
    assert!(conn.execute("DELETE FROM event", []).is_err());
    assert!(conn.execute("UPDATE event SET action = 'x'", []).is_err());
    assert!(conn.execute("DELETE FROM recording", []).is_err());
    assert!(conn.execute("UPDATE recording SET designation = 9", []).is_err());
    assert!(ledger.recording(isrc).unwrap().is_some());
}

// --- transactions ---

#[test]
fn a_failing_transaction_leaves_nothing_behind() {
    let mut ledger = ledger_with("00001-99999");
    let result = ledger.transaction(|tx| {
        let isrc = tx.issue_next(pfx("USPR3"), 26, &new())?;
        tx.bind_audio(&audio_record(1, isrc))?;
        tx.log(&NewEvent { isrc: Some(isrc), ..NewEvent::new(USER, AT, "issue") })?;
        tx.adopt(code("GBBBB9905305"), Origin::Adopted, &new())?;
        tx.issue_next(pfx("XXXXX"), 26, &new()) // unknown prefix: fails
    });
    assert!(matches!(result, Err(LedgerError::UnknownPrefix(_))));
    assert!(ledger.recordings().unwrap().is_empty());
    assert_eq!(ledger.code_for_audio(&audio(1)).unwrap(), None);
    assert!(ledger.events_for(code("USPR32600001")).unwrap().is_empty());
    assert_eq!(issue(&mut ledger, 26).unwrap().as_str(), "USPR32600001");
}

#[test]
fn a_transaction_with_a_caller_error_type_rolls_back() {
    #[derive(Debug)]
    enum CommandError {
        Ledger(LedgerError),
        Conflict,
    }
    impl From<LedgerError> for CommandError {
        fn from(error: LedgerError) -> Self {
            CommandError::Ledger(error)
        }
    }
    let mut ledger = ledger_with("00001-99999");
    let result: std::result::Result<(), CommandError> = ledger.transaction(|tx| {
        tx.issue_next(pfx("USPR3"), 26, &new())?;
        Err(CommandError::Conflict)
    });
    assert!(matches!(result, Err(CommandError::Conflict)));
    assert!(ledger.recordings().unwrap().is_empty());
    let result: std::result::Result<Isrc, CommandError> =
        ledger.transaction(|tx| Ok(tx.issue_next(pfx("XXXXX"), 26, &new())?));
    assert!(matches!(result, Err(CommandError::Ledger(LedgerError::UnknownPrefix(_)))));
}

#[test]
fn a_dropped_transaction_rolls_back() {
    let mut ledger = ledger_with("00001-99999");
    {
        let mut tx = ledger.begin().unwrap();
        tx.issue_next(pfx("USPR3"), 26, &new()).unwrap();
        assert_eq!(tx.recordings().unwrap().len(), 1);
    }
    assert!(ledger.recordings().unwrap().is_empty());
}

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
    assert_eq!(designations(&ledger), [1]);
}

#[test]
fn recordings_are_ordered_by_code() {
    let mut ledger = ledger_with("00001-99999");
    adopt(&mut ledger, code("USPR32500009")).unwrap();
    issue(&mut ledger, 26).unwrap();
    adopt(&mut ledger, code("GBBBB9905305")).unwrap();
    let codes: Vec<String> = ledger.recordings().unwrap().iter().map(|r| r.isrc.to_string()).collect();
    assert_eq!(codes, ["GBBBB9905305", "USPR32500009", "USPR32600001"]);
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
    assert_eq!(designations(&SqliteLedger::open(&path).unwrap()), all);
}

/// Opens its own handle and issues `count` codes, waiting for the other thread before
/// each. Failures are collected, not panicked on, so the other thread never waits alone.
fn issue_in_rounds(path: &Path, rounds: &std::sync::Barrier, count: u64) -> Vec<Result<u32>> {
    let mut ledger = SqliteLedger::open(path).unwrap();
    let mut issued = Vec::new();
    for n in 0..count {
        rounds.wait();
        let result = ledger.transaction(|tx| {
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
fn records_serialize_in_stored_forms() {
    let mut ledger = ledger_with("00001-99999");
    let isrc = issue(&mut ledger, 26).unwrap();
    let recording = ledger.recording(isrc).unwrap().unwrap();
    let json = serde_json::to_value(&recording).unwrap();
    assert_eq!(json["isrc"], "USPR32600001");
    assert_eq!(json["origin"], "issued");
    assert_eq!(json["parent"], serde_json::Value::Null);
    let prefix = serde_json::to_value(&ledger.prefixes().unwrap()[0]).unwrap();
    assert_eq!((prefix["prefix"].as_str(), prefix["range"].as_str()), (Some("USPR3"), Some("00001-99999")));
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
