//! The ledger's behaviour, written once against the traits and run on every backend:
//! adding a backend is one `behaviour_tests!` line with a factory of fresh, empty
//! ledgers (`None` when the backend cannot run here).

use std::time::Duration;

use super::*;
use crate::base::ids::AudioId;
use crate::base::ids::Fingerprint;
use crate::isrc::{DesignationRange, Isrc, Prefix};

/// Makes a fresh, empty ledger of the backend under test.
type Fresh<'f> = &'f dyn Fn() -> Box<dyn Ledger>;

pub(super) const USER: &str = "tester";
pub(super) const AT: i64 = 1_767_225_600;

pub(super) fn pfx(text: &str) -> Prefix {
    Prefix::parse(text).unwrap()
}

pub(super) fn code(text: &str) -> Isrc {
    Isrc::parse(text).unwrap()
}

pub(super) fn range(text: &str) -> DesignationRange {
    DesignationRange::parse(text).unwrap()
}

pub(super) fn audio(n: u64) -> AudioId {
    AudioId::parse(&format!("pcm1:{n:064x}")).unwrap()
}

pub(super) fn audio_record(n: u64, isrc: Isrc) -> AudioRecord {
    AudioRecord {
        audio_id: audio(n),
        isrc,
        frames: 44_100 * 180,
        sample_rate: 44_100,
        channels: 2,
        bits: 16,
        first_path: format!("/masters/{n}.wav"),
        added_at: AT,
        codec: Some("pcm_s16le".into()),
    }
}

pub(super) fn new() -> NewRecording {
    NewRecording::new(USER, AT)
}

/// A fresh ledger with prefix US-PR3 over `range_text`.
fn ledger_with(fresh: Fresh<'_>, range_text: &str) -> Box<dyn Ledger> {
    let mut ledger = fresh();
    ledger.add_prefix(pfx("USPR3"), range(range_text), AT).unwrap();
    ledger
}

/// Issues one code in its own transaction.
fn issue(ledger: &mut dyn Ledger, year: u8) -> Result<Isrc> {
    ledger.transaction(|tx| tx.issue_next(pfx("USPR3"), year, &new()))
}

fn adopt(ledger: &mut dyn Ledger, isrc: Isrc) -> Result<()> {
    ledger.transaction(|tx| tx.adopt(isrc, Origin::Adopted, &new()))
}

fn designations(ledger: &mut dyn Ledger) -> Vec<u32> {
    ledger.recordings().unwrap().iter().map(|r| r.isrc.designation()).collect()
}

fn fp_audio(n: u64) -> AudioId {
    audio(n)
}

fn print(seed: u64) -> Fingerprint {
    Fingerprint::new(crate::base::ids::test_items(seed, 900), Duration::from_secs(111))
}

/// Items of which several are keys, different per seed.
fn items_for(seed: u64) -> Vec<u32> {
    crate::base::ids::test_items(seed + 1000, 400)
}

/// A fresh ledger with one issued code per seed, each bound to `audio(seed)`.
fn ledger_issuing(fresh: Fresh<'_>, seeds: &[u64]) -> (Box<dyn Ledger>, Vec<Isrc>) {
    let mut ledger = fresh();
    let prefix = pfx("USPR3");
    ledger.add_prefix(prefix, DesignationRange { first: 1, last: 99_999 }, 0).expect("prefix added");
    let codes = ledger
        .transaction(|tx| {
            seeds
                .iter()
                .map(|&seed| {
                    let isrc = tx.issue_next(prefix, 26, &NewRecording::new("t", 0))?;
                    tx.bind_audio(&AudioRecord {
                        audio_id: audio(seed),
                        isrc,
                        frames: 48_000 * 111,
                        sample_rate: 48_000,
                        channels: 2,
                        bits: 24,
                        first_path: format!("/masters/{seed}.wav"),
                        added_at: 0,
                        codec: Some("pcm_s24le".into()),
                    })?;
                    Ok(isrc)
                })
                .collect::<Result<Vec<_>>>()
        })
        .expect("issued");
    (ledger, codes)
}

fn add_prefix_is_idempotent_for_the_same_range_only(fresh: Fresh<'_>) {
    let mut ledger = fresh();
    assert!(ledger.add_prefix(pfx("USPR3"), range("00001-99999"), AT).unwrap());
    assert!(!ledger.add_prefix(pfx("USPR3"), range("00001-99999"), AT + 5).unwrap());
    let error = ledger.add_prefix(pfx("USPR3"), range("00500-00999"), AT).unwrap_err();
    assert_eq!(error.to_string(), "prefix US-PR3 is already in the ledger with range 00001-99999, not 00500-00999");
    let record = ledger.prefix(pfx("USPR3")).unwrap().unwrap();
    assert_eq!((record.range, record.created_at), (range("00001-99999"), AT));
    assert_eq!(ledger.prefix(pfx("GBAAA")).unwrap(), None);
}

fn prefixes_are_listed_in_order(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    ledger.add_prefix(pfx("GBAAA"), range("00000-00999"), AT).unwrap();
    let listed: Vec<_> = ledger.prefixes().unwrap().iter().map(|p| p.prefix).collect();
    assert_eq!(listed, [pfx("GBAAA"), pfx("USPR3")]);
}

fn invalid_range_is_refused(fresh: Fresh<'_>) {
    let mut ledger = fresh();
    let bad = DesignationRange { first: 10, last: 5 };
    let error = ledger.add_prefix(pfx("USPR3"), bad, AT).unwrap_err();
    assert!(matches!(error, LedgerError::InvalidRange(_)));
}

fn issuing_is_contiguous_from_00001(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    let codes: Vec<String> = (0..5).map(|_| issue(ledger.as_mut(), 26).unwrap().to_string()).collect();
    assert_eq!(codes, ["USPR32600001", "USPR32600002", "USPR32600003", "USPR32600004", "USPR32600005"]);
    let recording = ledger.recording(code("USPR32600003")).unwrap().unwrap();
    assert_eq!(recording.origin, Origin::Issued);
    assert_eq!(recording.status, Status::Active);
    assert_eq!((recording.issued_by.as_str(), recording.issued_at, recording.entered_at), (USER, Some(AT), AT));
}

fn many_codes_in_one_transaction_are_contiguous(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    let codes = ledger
        .transaction(|tx| (0..50).map(|_| tx.issue_next(pfx("USPR3"), 26, &new())).collect::<Result<Vec<_>>>())
        .unwrap();
    let got: Vec<u32> = codes.iter().map(Isrc::designation).collect();
    assert_eq!(got, (1..=50).collect::<Vec<_>>());
}

fn range_start_is_respected_and_exhaustion_is_clear(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00500-00502");
    let codes: Vec<String> = (0..3).map(|_| issue(ledger.as_mut(), 26).unwrap().to_string()).collect();
    assert_eq!(codes, ["USPR32600500", "USPR32600501", "USPR32600502"]);
    let error = issue(ledger.as_mut(), 26).unwrap_err();
    assert_eq!(
        error.to_string(),
        "range exhausted: no free designation left for prefix US-PR3 in year 26 \
         (range 00500-00502)"
    );
    assert_eq!(ledger.recordings().unwrap().len(), 3);
}

fn range_starting_at_00000_is_used_from_00000(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00000-99999");
    assert_eq!(issue(ledger.as_mut(), 26).unwrap().as_str(), "USPR32600000");
    assert_eq!(issue(ledger.as_mut(), 26).unwrap().as_str(), "USPR32600001");
}

fn years_are_independent(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    assert_eq!(issue(ledger.as_mut(), 25).unwrap().as_str(), "USPR32500001");
    assert_eq!(issue(ledger.as_mut(), 25).unwrap().as_str(), "USPR32500002");
    assert_eq!(issue(ledger.as_mut(), 26).unwrap().as_str(), "USPR32600001");
    assert_eq!(issue(ledger.as_mut(), 0).unwrap().as_str(), "USPR30000001");
    assert_eq!(issue(ledger.as_mut(), 25).unwrap().as_str(), "USPR32500003");
}

fn prefixes_are_independent(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    ledger.add_prefix(pfx("GBAAA"), range("00001-99999"), AT).unwrap();
    issue(ledger.as_mut(), 26).unwrap();
    let other = ledger.transaction(|tx| tx.issue_next(pfx("GBAAA"), 26, &new())).unwrap();
    assert_eq!(other.as_str(), "GBAAA2600001");
}

fn year_above_99_is_refused(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    assert!(matches!(issue(ledger.as_mut(), 100), Err(LedgerError::InvalidYear(100))));
}

fn unknown_prefix_is_a_clear_error(fresh: Fresh<'_>) {
    let mut ledger = fresh();
    let error = issue(ledger.as_mut(), 26).unwrap_err();
    assert_eq!(error.to_string(), "prefix US-PR3 is not in the ledger");
}

fn adopted_code_inside_prefix_and_year_is_skipped(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    assert_eq!(issue(ledger.as_mut(), 26).unwrap().as_str(), "USPR32600001");
    adopt(ledger.as_mut(), code("USPR32600002")).unwrap();
    assert_eq!(issue(ledger.as_mut(), 26).unwrap().as_str(), "USPR32600003");
    // An adopted code of another year or another registrant changes nothing here.
    adopt(ledger.as_mut(), code("USPR32500009")).unwrap();
    adopt(ledger.as_mut(), code("GBBBB2600007")).unwrap();
    assert_eq!(issue(ledger.as_mut(), 26).unwrap().as_str(), "USPR32600004");
    assert_eq!(ledger.recording(code("GBBBB2600007")).unwrap().unwrap().origin, Origin::Adopted);
}

fn adopted_code_outside_the_range_does_not_move_allocation(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00500-00999");
    adopt(ledger.as_mut(), code("USPR32601500")).unwrap();
    assert_eq!(issue(ledger.as_mut(), 26).unwrap().as_str(), "USPR32600500");
}

fn once_the_top_is_used_gaps_are_filled_lowest_first(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-00006");
    adopt(ledger.as_mut(), code("USPR32600006")).unwrap();
    adopt(ledger.as_mut(), code("USPR32600002")).unwrap();
    adopt(ledger.as_mut(), code("USPR32600004")).unwrap();
    let codes: Vec<u32> = (0..3).map(|_| issue(ledger.as_mut(), 26).unwrap().designation()).collect();
    assert_eq!(codes, [1, 3, 5]);
    assert!(matches!(issue(ledger.as_mut(), 26), Err(LedgerError::RangeExhausted { .. })));
    assert_eq!(designations(ledger.as_mut()), [1, 2, 3, 4, 5, 6]);
}

fn voided_codes_are_not_reissued(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-00003");
    let first = issue(ledger.as_mut(), 26).unwrap();
    let second = issue(ledger.as_mut(), 26).unwrap();
    ledger.transaction(|tx| tx.void(second, "issued by mistake")).unwrap();
    assert_eq!(issue(ledger.as_mut(), 26).unwrap().designation(), 3);
    ledger.transaction(|tx| tx.void(first, "withdrawn")).unwrap();
    // The top is used and the only "gaps" are void codes: nothing is free.
    assert!(matches!(issue(ledger.as_mut(), 26), Err(LedgerError::RangeExhausted { .. })));
    let voided = ledger.recording(second).unwrap().unwrap();
    assert_eq!(voided.status, Status::Void);
    assert_eq!(voided.void_reason.as_deref(), Some("issued by mistake"));
}

fn void_twice_or_unknown_is_an_error(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    let isrc = issue(ledger.as_mut(), 26).unwrap();
    ledger.transaction(|tx| tx.void(isrc, "dup")).unwrap();
    let again = ledger.transaction(|tx| tx.void(isrc, "dup")).unwrap_err();
    assert_eq!(again.to_string(), "USPR32600001 is already void");
    let unknown = ledger.transaction(|tx| tx.void(code("USPR32609999"), "x")).unwrap_err();
    assert_eq!(unknown.to_string(), "USPR32609999 is not in the ledger");
}

fn adopting_a_code_twice_is_an_error(fresh: Fresh<'_>) {
    let mut ledger = fresh();
    adopt(ledger.as_mut(), code("NLA508700208")).unwrap();
    let error = adopt(ledger.as_mut(), code("NLA508700208")).unwrap_err();
    assert_eq!(error.to_string(), "NLA508700208 is already in the ledger");
}

fn adopt_keeps_metadata_and_origin(fresh: Fresh<'_>) {
    let mut ledger = fresh();
    let details = NewRecording { title: Some("Song".into()), artist: Some("Band".into()), ..new() };
    ledger.transaction(|tx| tx.adopt(code("GBBBB9905305"), Origin::Imported, &details)).unwrap();
    let recording = ledger.recording(code("GBBBB9905305")).unwrap().unwrap();
    assert_eq!(recording.origin, Origin::Imported);
    assert_eq!(recording.title.as_deref(), Some("Song"));
    assert_eq!(recording.artist.as_deref(), Some("Band"));
    assert_eq!(recording.version_note, None);
}

fn metadata_is_edited_field_by_field(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    let details = NewRecording { title: Some("Song".into()), artist: Some("Band".into()), ..new() };
    let isrc = ledger.transaction(|tx| tx.issue_next(pfx("USPR3"), 26, &details)).unwrap();
    let edit = MetadataEdit { version_note: Some("  Radio Edit ".into()), ..MetadataEdit::default() };
    let after = ledger.transaction(|tx| tx.edit_metadata(isrc, &edit)).unwrap();
    assert_eq!(
        (after.title.as_deref(), after.artist.as_deref(), after.version_note.as_deref()),
        (Some("Song"), Some("Band"), Some("Radio Edit")),
        "the fields not given are kept, the one given is trimmed"
    );
    let clear = MetadataEdit { artist: Some(" ".into()), title: Some("Song (Edit)".into()), ..MetadataEdit::default() };
    ledger.transaction(|tx| tx.edit_metadata(isrc, &clear)).unwrap();
    let stored = ledger.recording(isrc).unwrap().unwrap();
    assert_eq!((stored.title.as_deref(), stored.artist), (Some("Song (Edit)"), None), "a blank value clears");
    assert_eq!((stored.origin, stored.issued_by.as_str()), (Origin::Issued, USER), "the code's facts never change");
}

fn editing_metadata_is_checked(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    let isrc = issue(ledger.as_mut(), 26).unwrap();
    let title = |text: &str| MetadataEdit { title: Some(text.into()), ..MetadataEdit::default() };
    let edit =
        |ledger: &mut dyn Ledger, isrc, edit: MetadataEdit| ledger.transaction(|tx| tx.edit_metadata(isrc, &edit));
    assert!(matches!(edit(ledger.as_mut(), isrc, MetadataEdit::default()), Err(LedgerError::NothingToEdit(_))));
    assert!(matches!(edit(ledger.as_mut(), isrc, title("a\nb")), Err(LedgerError::InvalidText { field: "title", .. })));
    assert!(matches!(edit(ledger.as_mut(), isrc, title(&"x".repeat(1001))), Err(LedgerError::InvalidText { .. })));
    assert!(edit(ledger.as_mut(), isrc, title(&"x".repeat(1000))).is_ok());
    let unknown = code("USPR39900001");
    assert!(matches!(edit(ledger.as_mut(), unknown, title("x")), Err(LedgerError::UnknownCode(c)) if c == unknown));
    ledger.transaction(|tx| tx.void(isrc, "typo")).unwrap();
    assert!(matches!(edit(ledger.as_mut(), isrc, title("y")), Err(LedgerError::CodeVoid(_))));
    assert_eq!(
        ledger.recording(isrc).unwrap().unwrap().title,
        Some("x".repeat(1000)),
        "a refused edit changes nothing"
    );
}

fn lineage_is_recorded_and_checked(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    let parent = issue(ledger.as_mut(), 26).unwrap();
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

fn binding_audio_is_idempotent_for_the_same_code(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    let isrc = issue(ledger.as_mut(), 26).unwrap();
    assert!(ledger.transaction(|tx| tx.bind_audio(&audio_record(1, isrc))).unwrap());
    let mut again = audio_record(1, isrc);
    again.first_path = "/elsewhere.flac".into();
    assert!(!ledger.transaction(|tx| tx.bind_audio(&again)).unwrap());
    let bound = ledger.audio_for_code(isrc).unwrap();
    assert_eq!(bound, [audio_record(1, isrc)]);
}

fn binding_audio_to_another_code_is_an_error(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    let first = issue(ledger.as_mut(), 26).unwrap();
    let second = issue(ledger.as_mut(), 26).unwrap();
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

fn several_audio_ids_share_one_recording(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    let isrc = issue(ledger.as_mut(), 26).unwrap();
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

fn binding_to_an_unknown_or_void_code_is_an_error(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    let unknown = ledger.transaction(|tx| tx.bind_audio(&audio_record(1, code("USPR32612345"))));
    assert!(matches!(unknown, Err(LedgerError::UnknownCode(_))));
    let isrc = issue(ledger.as_mut(), 26).unwrap();
    ledger.transaction(|tx| tx.void(isrc, "mistake")).unwrap();
    let void = ledger.transaction(|tx| tx.bind_audio(&audio_record(1, isrc)));
    assert!(matches!(void, Err(LedgerError::CodeVoid(_))));
}

fn events_are_appended_and_read_back_in_order(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    let isrc = issue(ledger.as_mut(), 26).unwrap();
    let (first, second) = ledger
        .transaction(|tx| {
            let first = tx.log(&NewEvent {
                isrc: Some(isrc),
                audio_id: Some(audio(1)),
                path: Some("/masters/a.wav".into()),
                detail: "{\"year\":26}".into(),
                ..NewEvent::new(USER, AT, EventKind::parse("issue"))
            })?;
            let second =
                tx.log(&NewEvent { isrc: Some(isrc), ..NewEvent::new(USER, AT + 1, EventKind::parse("write")) })?;
            tx.log(&NewEvent::new(USER, AT, EventKind::parse("unrelated")))?;
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

fn a_failing_transaction_leaves_nothing_behind(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    let result = ledger.transaction(|tx| {
        let isrc = tx.issue_next(pfx("USPR3"), 26, &new())?;
        tx.bind_audio(&audio_record(1, isrc))?;
        tx.log(&NewEvent { isrc: Some(isrc), ..NewEvent::new(USER, AT, EventKind::parse("issue")) })?;
        tx.adopt(code("GBBBB9905305"), Origin::Adopted, &new())?;
        tx.issue_next(pfx("XXXXX"), 26, &new()) // unknown prefix: fails
    });
    assert!(matches!(result, Err(LedgerError::UnknownPrefix(_))));
    assert!(ledger.recordings().unwrap().is_empty());
    assert_eq!(ledger.code_for_audio(&audio(1)).unwrap(), None);
    assert!(ledger.events_for(code("USPR32600001")).unwrap().is_empty());
    assert_eq!(issue(ledger.as_mut(), 26).unwrap().as_str(), "USPR32600001");
}

fn a_transaction_with_a_caller_error_type_rolls_back(fresh: Fresh<'_>) {
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
    let mut ledger = ledger_with(fresh, "00001-99999");
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

fn a_dropped_transaction_rolls_back(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    {
        let mut tx = ledger.begin().unwrap();
        tx.issue_next(pfx("USPR3"), 26, &new()).unwrap();
        assert_eq!(tx.recordings().unwrap().len(), 1);
    }
    assert!(ledger.recordings().unwrap().is_empty());
}

fn recordings_are_ordered_by_code(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    adopt(ledger.as_mut(), code("USPR32500009")).unwrap();
    issue(ledger.as_mut(), 26).unwrap();
    adopt(ledger.as_mut(), code("GBBBB9905305")).unwrap();
    let codes: Vec<String> = ledger.recordings().unwrap().iter().map(|r| r.isrc.to_string()).collect();
    assert_eq!(codes, ["GBBBB9905305", "USPR32500009", "USPR32600001"]);
}

fn records_serialize_in_stored_forms(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    let isrc = issue(ledger.as_mut(), 26).unwrap();
    let recording = ledger.recording(isrc).unwrap().unwrap();
    let json = serde_json::to_value(&recording).unwrap();
    assert_eq!(json["isrc"], "USPR32600001");
    assert_eq!(json["origin"], "issued");
    assert_eq!(json["parent"], serde_json::Value::Null);
    let prefix = serde_json::to_value(&ledger.prefixes().unwrap()[0]).unwrap();
    assert_eq!((prefix["prefix"].as_str(), prefix["range"].as_str()), (Some("USPR3"), Some("00001-99999")));
}

fn a_fingerprint_is_stored_once_and_reads_back(fresh: Fresh<'_>) {
    let (mut ledger, _) = ledger_issuing(fresh, &[1]);
    let stored = ledger.transaction(|tx| tx.store_fingerprint(&fp_audio(1), &print(1))).expect("stored");
    assert!(stored);
    let again = ledger.transaction(|tx| tx.store_fingerprint(&fp_audio(1), &print(2))).expect("no error");
    assert!(!again, "the first fingerprint is kept");
    assert_eq!(ledger.fingerprint(&fp_audio(1)).expect("read"), Some(print(1)));
    assert_eq!(ledger.fingerprint(&fp_audio(9)).expect("read"), None);
}

fn a_fingerprint_needs_its_audio_in_the_ledger(fresh: Fresh<'_>) {
    let (mut ledger, _) = ledger_issuing(fresh, &[1]);
    assert!(ledger.transaction(|tx| tx.store_fingerprint(&fp_audio(2), &print(2))).is_err());
}

fn candidates_share_keys_and_come_most_shared_first(fresh: Fresh<'_>) {
    let (mut ledger, codes) = ledger_issuing(fresh, &[1, 2, 3]);
    ledger
        .transaction(|tx| {
            for seed in [1, 2, 3] {
                tx.store_fingerprint(&fp_audio(seed), &print(seed))?;
            }
            Ok::<_, LedgerError>(())
        })
        .expect("stored");
    // The second half of recording 2: shares the keys of that half only.
    let half = Fingerprint::new(print(2).items()[450..].to_vec(), Duration::from_secs(55));
    let found = ledger.fingerprint_candidates(&half.keys(), 8).expect("looked up");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].isrc, &found[0].audio_id), (codes[1], &fp_audio(2)));
    assert_eq!(found[0].shared_keys, half.keys().len());
    assert!((found[0].duration_seconds - 111.0).abs() < 1e-9);
    assert_eq!(found[0].fingerprint, print(2));
    assert!(ledger.fingerprint_candidates(&print(7).keys(), 8).expect("looked up").is_empty());
    assert!(ledger.fingerprint_candidates(&[], 8).expect("looked up").is_empty());
}

fn a_sound_ledger_meets_every_invariant(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    let first = issue(ledger.as_mut(), 26).unwrap();
    let second = issue(ledger.as_mut(), 26).unwrap();
    ledger
        .transaction(|tx| {
            tx.bind_audio(&audio_record(1, first))?;
            tx.bind_audio(&audio_record(2, first))?;
            tx.void(second, "a mistake")?;
            tx.log(&NewEvent { isrc: Some(second), ..NewEvent::new(USER, AT, EventKind::Void) })?;
            crate::ledger::check::confirm_lookups(tx, &[audio(1), audio(3)])
        })
        .unwrap();
    assert_eq!(check::invariants(ledger.as_mut()).unwrap(), Vec::<String>::new());
    assert!(ledger.integrity_problems().unwrap().is_empty());
    // A void code whose history does not say so is a finding.
    let third = issue(ledger.as_mut(), 26).unwrap();
    ledger.transaction(|tx| tx.void(third, "no event")).unwrap();
    let found = check::invariants(ledger.as_mut()).unwrap();
    assert_eq!(found, [format!("{third} is void but its history has no void event")]);
}

fn keys_found_in_too_many_fingerprints_are_skipped_and_void_codes_left_out(fresh: Fresh<'_>) {
    let seeds: Vec<u64> = (1..=rules::KEY_ROWS as u64 + 1).collect();
    let (mut ledger, codes) = ledger_issuing(fresh, &seeds);
    // Every fingerprint holds the same key item, plus its own.
    let common = (0u32..).find(|&x| crate::base::ids::is_key(x)).expect("a key");
    ledger
        .transaction(|tx| {
            for &seed in &seeds {
                let mut items = vec![common; 10];
                items.extend(items_for(seed));
                tx.store_fingerprint(&fp_audio(seed), &Fingerprint::new(items, Duration::from_secs(10)))?;
            }
            Ok::<_, LedgerError>(())
        })
        .expect("stored");
    assert!(ledger.fingerprint_candidates(&[common], 8).expect("looked up").is_empty());
    let own = Fingerprint::new(items_for(5), Duration::from_secs(10)).keys();
    assert_eq!(ledger.fingerprint_candidates(&own, 8).expect("looked up")[0].isrc, codes[4]);
    ledger.transaction(|tx| tx.void(codes[4], "test")).expect("voided");
    let found = ledger.fingerprint_candidates(&own, 8).expect("looked up");
    assert!(found.iter().all(|c| c.isrc != codes[4]), "{found:?}");
}

fn unbinding_removes_the_binding_and_its_fingerprint_and_keeps_the_code(fresh: Fresh<'_>) {
    let (mut ledger, codes) = ledger_issuing(fresh, &[1, 2]);
    ledger.transaction(|tx| tx.store_fingerprint(&fp_audio(1), &print(1))).unwrap();
    let unbound = ledger.transaction(|tx| tx.unbind_audio(&fp_audio(1))).unwrap();
    assert_eq!(unbound, codes[0]);
    assert_eq!(ledger.code_for_audio(&fp_audio(1)).unwrap(), None);
    assert_eq!(ledger.fingerprint(&fp_audio(1)).unwrap(), None);
    assert!(ledger.fingerprint_candidates(&print(1).keys(), 8).unwrap().is_empty());
    assert!(ledger.recording(codes[0]).unwrap().is_some(), "the code stays");
    assert_eq!(ledger.code_for_audio(&fp_audio(2)).unwrap(), Some(codes[1]), "other audio stays");
    let again = ledger.transaction(|tx| tx.unbind_audio(&fp_audio(1))).unwrap_err();
    assert!(matches!(again, LedgerError::UnknownAudio(_)), "{again}");
    // The audio can be bound anew, to another code.
    ledger.transaction(|tx| tx.bind_audio(&AudioRecord { isrc: codes[1], ..audio_record(1, codes[1]) })).unwrap();
}

fn a_prefix_is_removed_only_while_no_code_uses_it(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    ledger.add_prefix(pfx("QZTYP"), range("00001-99999"), AT).unwrap();
    issue(ledger.as_mut(), 25).unwrap();
    issue(ledger.as_mut(), 26).unwrap();
    issue(ledger.as_mut(), 26).unwrap();
    assert_eq!(ledger.prefix_usage(pfx("USPR3")).unwrap(), [(25, 1), (26, 2)]);
    assert_eq!(ledger.prefix_usage(pfx("QZTYP")).unwrap(), []);
    let error = ledger.remove_prefix(pfx("USPR3")).unwrap_err();
    assert_eq!(error.to_string(), "prefix US-PR3 cannot be removed: 3 code(s) in the ledger use it");
    ledger.remove_prefix(pfx("QZTYP")).unwrap();
    assert_eq!(ledger.prefix(pfx("QZTYP")).unwrap(), None);
    assert!(matches!(ledger.remove_prefix(pfx("QZTYP")), Err(LedgerError::UnknownPrefix(_))));
}

fn a_backup_is_a_whole_ledger_of_its_own(fresh: Fresh<'_>) {
    let (mut ledger, codes) = ledger_issuing(fresh, &[1, 2]);
    ledger.transaction(|tx| tx.store_fingerprint(&fp_audio(1), &print(1))).unwrap();
    ledger.transaction(|tx| tx.void(codes[1], "a mistake")).unwrap();
    ledger
        .transaction(|tx| tx.log(&NewEvent { isrc: Some(codes[0]), ..NewEvent::new(USER, AT, EventKind::Issued) }))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.sqlite3");
    std::fs::write(&file, b"an older backup").unwrap();
    ledger.backup(&file).unwrap();
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["backup.sqlite3"], "replaced in place, nothing left beside it");
    let mut copy = crate::ledger::SqliteLedger::open_read_only(&file).unwrap();
    assert_eq!(copy.prefixes().unwrap(), ledger.prefixes().unwrap());
    assert_eq!(copy.recordings().unwrap(), ledger.recordings().unwrap());
    assert_eq!(copy.audio_for_code(codes[0]).unwrap(), ledger.audio_for_code(codes[0]).unwrap());
    assert_eq!(copy.fingerprint(&fp_audio(1)).unwrap(), Some(print(1)));
    assert_eq!(copy.events_for(codes[0]).unwrap(), ledger.events_for(codes[0]).unwrap());
    assert_eq!(copy.events_for(codes[0]).unwrap().len(), 1);
}

/// A publication with every field set.
fn published() -> Publication {
    Publication {
        content_type: ContentType::Video,
        p_date: Some("2024-05-17".into()),
        p_line_year: Some(2024),
        p_line_owner: Some("Harbour Records".into()),
        parental_warning: Some(ParentalWarning::Explicit),
    }
}

fn publication_fields_are_stored_edited_and_checked(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    let plain = issue(ledger.as_mut(), 26).unwrap();
    let held = ledger.recording(plain).unwrap().unwrap().publication;
    assert_eq!(held, Publication::default(), "audio, and nothing else known");
    assert_eq!(held.content_type, ContentType::Audio);
    let details = NewRecording { publication: published(), ..new() };
    let full = ledger.transaction(|tx| tx.issue_next(pfx("USPR3"), 26, &details)).unwrap();
    assert_eq!(ledger.recording(full).unwrap().unwrap().publication, published());
    assert_eq!(published().p_line().as_deref(), Some("2024 Harbour Records"));
    // Field by field: a given value replaces, a blank or `Some(None)` clears, the rest is kept.
    let edit = MetadataEdit {
        p_date: Some(" 1999 ".into()),
        parental_warning: Some(Some(ParentalWarning::Clean)),
        p_line_owner: Some(String::new()),
        ..MetadataEdit::default()
    };
    let after = ledger.transaction(|tx| tx.edit_metadata(full, &edit)).unwrap().publication;
    assert_eq!(after.p_date.as_deref(), Some("1999"));
    assert_eq!(after.parental_warning, Some(ParentalWarning::Clean));
    assert_eq!((after.p_line_year, after.p_line_owner.as_deref()), (Some(2024), None));
    assert_eq!(after.content_type, ContentType::Video);
    let edit = MetadataEdit {
        content_type: Some(ContentType::Audio),
        p_line_year: Some(None),
        parental_warning: Some(None),
        ..MetadataEdit::default()
    };
    let after = ledger.transaction(|tx| tx.edit_metadata(full, &edit)).unwrap().publication;
    assert_eq!((after.content_type, after.p_line_year, after.parental_warning), (ContentType::Audio, None, None));
    assert_eq!(ledger.recording(full).unwrap().unwrap().publication, after, "read back as returned");
    // Malformed values are refused, and nothing changes.
    for bad in ["2024-13-01", "24", "2024/05/17", "2024-02-30", "0999"] {
        let edit = MetadataEdit { p_date: Some(bad.into()), ..MetadataEdit::default() };
        let refused = ledger.transaction(|tx| tx.edit_metadata(full, &edit));
        assert!(matches!(refused, Err(LedgerError::InvalidText { field: "p_date", .. })), "{bad}: {refused:?}");
    }
    let edit = MetadataEdit { p_line_year: Some(Some(26)), ..MetadataEdit::default() };
    assert!(ledger.transaction(|tx| tx.edit_metadata(full, &edit)).is_err(), "a (P) line year has four digits");
    let edit = MetadataEdit { p_line_owner: Some("Two\nLines".into()), ..MetadataEdit::default() };
    assert!(ledger.transaction(|tx| tx.edit_metadata(full, &edit)).is_err());
    let bad = NewRecording { publication: Publication { p_date: Some("May 2024".into()), ..published() }, ..new() };
    assert!(ledger.transaction(|tx| tx.issue_next(pfx("USPR3"), 26, &bad)).is_err(), "checked on entry too");
    assert_eq!(ledger.recording(full).unwrap().unwrap().publication, after);
}

/// A release of `codes` in order, disc 1.
fn release_of(upc: &str, title: &str, codes: &[Isrc]) -> Release {
    Release {
        upc: crate::isrc::Catalog::parse(upc).unwrap(),
        title: title.into(),
        artist: Some("Lumen".into()),
        label: Some("Harbour Records".into()),
        date: Some("2024-05-17".into()),
        p_line: Some("2024 Harbour Records".into()),
        c_line: None,
        created_at: AT,
        tracks: codes
            .iter()
            .enumerate()
            .map(|(n, &isrc)| ReleaseTrack { disc: 1, number: n as u32 + 1, isrc })
            .collect(),
    }
}

fn a_code_is_on_many_releases_and_a_release_can_be_removed(fresh: Fresh<'_>) {
    let (mut ledger, codes) = ledger_issuing(fresh, &[1, 2, 3]);
    let album = release_of("036000291452", "Harbour EP", &codes);
    let best_of = release_of("5901234123457", "Best Of", &[codes[2], codes[0]]);
    assert!(ledger.transaction(|tx| tx.put_release(&album)).unwrap());
    assert!(ledger.transaction(|tx| tx.put_release(&best_of)).unwrap());
    let listed = ledger.releases().unwrap();
    assert_eq!(listed, [album.clone(), best_of.clone()], "by EAN-13 digits, with their tracks");
    assert_eq!(listed[0].upc.as_typed(), "036000291452", "a UPC stays 12 digits");
    let on: Vec<(String, u32)> =
        ledger.tracks_of(codes[0]).unwrap().iter().map(|(upc, t)| (upc.as_typed().to_owned(), t.number)).collect();
    assert_eq!(on, [("036000291452".to_owned(), 1), ("5901234123457".to_owned(), 2)]);
    assert!(ledger.transaction(|tx| tx.remove_release(&album.upc)).unwrap());
    assert!(!ledger.transaction(|tx| tx.remove_release(&album.upc)).unwrap(), "gone already");
    assert_eq!(ledger.releases().unwrap(), std::slice::from_ref(&best_of));
    assert_eq!(ledger.release(&album.upc).unwrap(), None);
    assert_eq!(ledger.tracks_of(codes[1]).unwrap(), []);
    assert_eq!(ledger.recordings().unwrap().len(), 3, "the codes stay");
    // A dry run sees its own removal and entry, and keeps neither.
    ledger
        .dry_run(|tx| {
            assert!(tx.remove_release(&best_of.upc)?);
            assert!(tx.releases()?.is_empty());
            assert!(tx.put_release(&album)?);
            assert_eq!(tx.releases()?, std::slice::from_ref(&album));
            assert_eq!(tx.tracks_of(codes[2])?.len(), 1);
            Ok::<_, LedgerError>(())
        })
        .unwrap();
    assert_eq!(ledger.releases().unwrap(), [best_of]);
}

fn completeness_tells_what_each_active_code_holds(fresh: Fresh<'_>) {
    let mut ledger = ledger_with(fresh, "00001-99999");
    let bare = issue(ledger.as_mut(), 26).unwrap();
    let details = NewRecording {
        title: Some("Song".into()),
        artist: Some("Band".into()),
        version_note: Some("Radio Edit".into()),
        publication: published(),
        ..new()
    };
    let full = ledger.transaction(|tx| tx.issue_next(pfx("USPR3"), 26, &details)).unwrap();
    ledger.transaction(|tx| tx.bind_audio(&audio_record(1, full))).unwrap();
    let declared = NewRecording { declared_ms: Some(225_500), ..new() };
    let listed = ledger.transaction(|tx| tx.issue_next(pfx("USPR3"), 26, &declared)).unwrap();
    let void = issue(ledger.as_mut(), 26).unwrap();
    ledger.transaction(|tx| tx.void(void, "a mistake")).unwrap();
    let mut snapshot = ledger.snapshot().unwrap();
    let all = snapshot.completeness_after(None, 10).unwrap();
    assert_eq!(all.iter().map(|c| c.isrc).collect::<Vec<_>>(), [bare, full, listed], "active codes, by code");
    assert_eq!(missing_metadata(&all[0]).names(), ["title", "artist", "duration", "p_date"]);
    assert!(!all[0].version && !all[0].p_line && !all[0].parental_warning);
    assert!(missing_metadata(&all[1]).is_empty());
    assert!(all[1].version && all[1].p_line && all[1].parental_warning);
    assert!(all[2].duration, "a declared duration counts");
    let page = snapshot.completeness_after(Some(bare), 1).unwrap();
    assert_eq!(page.iter().map(|c| c.isrc).collect::<Vec<_>>(), [full], "paged by code");
}

fn a_copy_keeps_releases_and_publication_both_ways(fresh: Fresh<'_>) {
    let (mut ledger, codes) = ledger_issuing(fresh, &[1, 2]);
    let edit =
        MetadataEdit { p_date: Some("2024".into()), p_line_owner: Some("Owner".into()), ..MetadataEdit::default() };
    ledger.transaction(|tx| tx.edit_metadata(codes[0], &edit)).unwrap();
    let album = release_of("036000291452", "Harbour EP", &codes);
    let single = release_of("4006381333931", "Harbour Lights", &codes[1..]);
    ledger.transaction(|tx| tx.put_release(&album)).unwrap();
    ledger.transaction(|tx| tx.put_release(&single)).unwrap();
    let mut middle: Box<dyn Ledger> = Box::new(crate::ledger::SqliteLedger::open_in_memory().unwrap());
    let copied = crate::ledger::copy(ledger.as_mut(), middle.as_mut()).unwrap();
    assert_eq!((copied.releases, copied.recordings), (2, 2));
    let mut back = fresh();
    crate::ledger::copy(middle.as_mut(), back.as_mut()).unwrap();
    for copy in [&mut middle, &mut back] {
        assert_eq!(copy.releases().unwrap(), [album.clone(), single.clone()]);
        assert_eq!(copy.recordings().unwrap(), ledger.recordings().unwrap());
    }
}

/// One `#[test]` per behaviour test, on the backend `$factory` makes.
macro_rules! wrap {
    ($factory:expr; $($test:ident),+ $(,)?) => {
        $(
            #[test]
            fn $test() {
                if let Some(fresh) = $factory() {
                    super::$test(&*fresh);
                }
            }
        )+
    };
}

/// Runs every behaviour test on one backend, in a module of its own.
macro_rules! behaviour_tests {
    ($backend:ident, $factory:expr) => {
        mod $backend {
            wrap!($factory;
                add_prefix_is_idempotent_for_the_same_range_only,
                prefixes_are_listed_in_order,
                invalid_range_is_refused,
                issuing_is_contiguous_from_00001,
                many_codes_in_one_transaction_are_contiguous,
                range_start_is_respected_and_exhaustion_is_clear,
                range_starting_at_00000_is_used_from_00000,
                years_are_independent,
                prefixes_are_independent,
                year_above_99_is_refused,
                unknown_prefix_is_a_clear_error,
                adopted_code_inside_prefix_and_year_is_skipped,
                adopted_code_outside_the_range_does_not_move_allocation,
                once_the_top_is_used_gaps_are_filled_lowest_first,
                voided_codes_are_not_reissued,
                void_twice_or_unknown_is_an_error,
                adopting_a_code_twice_is_an_error,
                adopt_keeps_metadata_and_origin,
                metadata_is_edited_field_by_field,
                editing_metadata_is_checked,
                lineage_is_recorded_and_checked,
                binding_audio_is_idempotent_for_the_same_code,
                binding_audio_to_another_code_is_an_error,
                several_audio_ids_share_one_recording,
                binding_to_an_unknown_or_void_code_is_an_error,
                events_are_appended_and_read_back_in_order,
                a_failing_transaction_leaves_nothing_behind,
                a_transaction_with_a_caller_error_type_rolls_back,
                a_dropped_transaction_rolls_back,
                recordings_are_ordered_by_code,
                records_serialize_in_stored_forms,
                a_fingerprint_is_stored_once_and_reads_back,
                a_fingerprint_needs_its_audio_in_the_ledger,
                candidates_share_keys_and_come_most_shared_first,
                keys_found_in_too_many_fingerprints_are_skipped_and_void_codes_left_out,
                unbinding_removes_the_binding_and_its_fingerprint_and_keeps_the_code,
                a_prefix_is_removed_only_while_no_code_uses_it,
                a_backup_is_a_whole_ledger_of_its_own,
                a_sound_ledger_meets_every_invariant,
                publication_fields_are_stored_edited_and_checked,
                a_code_is_on_many_releases_and_a_release_can_be_removed,
                completeness_tells_what_each_active_code_holds,
                a_copy_keeps_releases_and_publication_both_ways
            );
        }
    };
}

behaviour_tests!(sqlite_in_memory, crate::ledger::sqlite::in_memory_factory);
#[cfg(feature = "postgres")]
behaviour_tests!(postgres, crate::ledger::postgres::tests::factory);
