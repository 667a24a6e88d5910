//! The engine's rules, on an in-memory ledger and files described by hand (no audio is
//! read): the order files are decided in, the lookup by sound, one code per audio.

use std::path::PathBuf;
use std::time::Duration;

use super::decide::{Decide, decide_all};
use super::policy::Request;
use super::{Action, Outcome};
use crate::acoustic::{Fingerprint, test_items};
use crate::audio::{AudioFacts, AudioId, SampleKind, SampleLayout, StreamHeader};
use crate::container::{Format, FoundIsrc, TagReport};
use crate::isrc::{DesignationRange, Isrc, Prefix};
use crate::ledger::{Ledger, Relation, SqliteLedger};
use crate::scan::{FileStamp, Scanned};

const SECONDS: u64 = 111;

fn prefix() -> Prefix {
    Prefix::parse("QZTST").unwrap()
}

fn ledger() -> Box<dyn Ledger> {
    let mut ledger: Box<dyn Ledger> = Box::new(SqliteLedger::open_in_memory().unwrap());
    ledger.add_prefix(prefix(), DesignationRange { first: 1, last: 99_999 }, 0).unwrap();
    ledger
}

fn options(request: Request) -> Decide {
    Decide { prefix: prefix(), year: 26, request, user: "tester".into() }
}

/// A fingerprint of recording `seed`; with `noise`, that many low bits flipped in every
/// fourth item, as another encoding of the same recording would (most items survive bit
/// for bit; 8 bits give a bit error rate of 0.06).
fn print(seed: u64, noise: u32) -> Fingerprint {
    let flip = |(i, x): (usize, u32)| if i % 4 == 0 { x ^ ((1u32 << noise) - 1) } else { x };
    let items = test_items(seed, 900).into_iter().enumerate().map(flip).collect();
    Fingerprint::new(items, Duration::from_secs(SECONDS))
}

/// A file described by hand: its name, audio id seed, container and codec, the
/// recording it sounds like (with noise), and the codes its tags carry.
fn file(name: &str, audio: u64, format: Format, codec: &str, sound: (u64, u32), codes: &[&str]) -> Scanned {
    let locations = format.written_locations();
    let isrcs = codes
        .iter()
        .flat_map(|code| {
            locations.iter().map(|location| FoundIsrc { location: location.clone(), value: (*code).into() })
        })
        .collect();
    Scanned {
        path: PathBuf::from(name),
        audio: AudioFacts {
            format,
            codec: codec.into(),
            stream: StreamHeader {
                sample_rate: 44_100,
                channels: 2,
                layout: SampleLayout { kind: SampleKind::Int, bits: 16 },
            },
            frames: 44_100 * SECONDS,
            audio_id: AudioId::parse(&format!("pcm1:{audio:064x}")).unwrap(),
            pcm_md5: None,
            stored_md5: None,
            fingerprint: Some(print(sound.0, sound.1)),
        },
        tags: TagReport { isrcs, ..TagReport::default() },
        stamp: FileStamp { len: 0, modified: None },
    }
}

fn wav(name: &str, audio: u64, sound: u64, codes: &[&str]) -> Scanned {
    file(name, audio, Format::Wav, "pcm_s16le", (sound, 0), codes)
}

fn mp3(name: &str, audio: u64, sound: u64) -> Scanned {
    file(name, audio, Format::Mp3, "mp3", (sound, 8), &[])
}

/// Decides `files` in one transaction that is committed.
fn decide(ledger: &mut dyn Ledger, files: &[Scanned], request: Request) -> Vec<(Outcome, Option<Isrc>)> {
    let files: Vec<&Scanned> = files.iter().collect();
    let options = options(request);
    let decided = ledger.transaction(|tx| decide_all(tx, &files, &options)).expect("decided");
    decided.into_iter().map(|d| (d.outcome, d.write)).collect()
}

fn actions(decided: &[(Outcome, Option<Isrc>)]) -> Vec<Action> {
    decided.iter().map(|(o, _)| o.action).collect()
}

fn codes(decided: &[(Outcome, Option<Isrc>)]) -> Vec<Option<String>> {
    decided.iter().map(|(o, _)| o.isrc.clone()).collect()
}

#[test]
fn files_with_one_audio_id_in_one_run_get_one_code() {
    let mut ledger = ledger();
    let files = [wav("a.wav", 1, 1, &[]), wav("b.wav", 1, 1, &[]), wav("c.wav", 2, 2, &[])];
    let decided = decide(ledger.as_mut(), &files, Request::default());
    assert_eq!(actions(&decided), [Action::Issued, Action::Reused, Action::Issued]);
    let codes = codes(&decided);
    assert_eq!(codes[0], codes[1]);
    assert_eq!(codes[0].as_deref(), Some("QZTST2600001"));
    assert_eq!(codes[2].as_deref(), Some("QZTST2600002"), "codes are issued in walk order");
    assert!(decided.iter().all(|(_, write)| write.is_some()));
}

#[test]
fn a_file_carrying_a_code_is_decided_before_its_untagged_copies() {
    let mut ledger = ledger();
    // The untagged copy comes first in the walk; the tagged one must still win.
    let files = [wav("a.wav", 1, 1, &[]), wav("b.wav", 1, 1, &["GBBBB9905305"])];
    let decided = decide(ledger.as_mut(), &files, Request::default());
    assert_eq!(actions(&decided), [Action::Reused, Action::Adopted]);
    assert_eq!(codes(&decided), [Some("GBBBB9905305".into()), Some("GBBBB9905305".into())]);
    assert!(decided[1].1.is_none(), "the tagged file already carries it everywhere");
}

#[test]
fn a_master_is_decided_before_its_lossy_encode_whatever_the_walk_order() {
    let mut ledger = ledger();
    let files = [mp3("a.mp3", 2, 1), wav("b.wav", 1, 1, &[])];
    let decided = decide(ledger.as_mut(), &files, Request::default());
    assert_eq!(actions(&decided), [Action::Conflict, Action::Issued]);
    let detail = decided[0].0.detail.as_deref().unwrap();
    assert!(detail.starts_with("sounds like ISRC QZTST2600001 (the same recording as b.wav"), "{detail}");
    assert!(decided[0].1.is_none(), "a conflict never writes");
}

#[test]
fn new_audio_that_sounds_like_a_known_recording_is_asked_about_and_never_bound() {
    let mut ledger = ledger();
    decide(ledger.as_mut(), &[wav("master.wav", 1, 1, &[])], Request::default());
    let encode = [mp3("master.mp3", 2, 1)];
    let asked = decide(ledger.as_mut(), &encode, Request::default());
    assert_eq!(actions(&asked), [Action::Conflict]);
    assert_eq!(ledger.code_for_audio(&encode[0].audio.audio_id).unwrap(), None, "nothing bound");
    // Other music is issued a code of its own.
    let other = decide(ledger.as_mut(), &[mp3("other.mp3", 3, 9)], Request::default());
    assert_eq!(actions(&other), [Action::Issued]);
    // The answer: the same recording (its code) or a new version (a new code, the lineage).
    let master = Isrc::parse("QZTST2600001").unwrap();
    let linked = decide(ledger.as_mut(), &encode, Request { same_recording_as: Some(master), ..Request::default() });
    assert_eq!(actions(&linked), [Action::Linked]);
    assert_eq!(ledger.code_for_audio(&encode[0].audio.audio_id).unwrap(), Some(master));
    let edit = [mp3("edit.mp3", 4, 1)];
    let version = Request { new_version_of: Some((master, Relation::Edit)), ..Request::default() };
    let issued = decide(ledger.as_mut(), &edit, version);
    assert_eq!(actions(&issued), [Action::Issued]);
    let code = Isrc::parse(issued[0].0.isrc.as_deref().unwrap()).unwrap();
    let recording = ledger.recording(code).unwrap().unwrap();
    assert_eq!((recording.parent, recording.relation), (Some(master), Some(Relation::Edit)));
}

#[test]
fn the_fingerprint_of_every_bound_audio_is_stored_and_a_conflicts_not() {
    let mut ledger = ledger();
    let files = [wav("master.wav", 1, 1, &[]), mp3("master.mp3", 2, 1)];
    decide(ledger.as_mut(), &files, Request::default());
    assert!(ledger.fingerprint(&files[0].audio.audio_id).unwrap().is_some());
    assert!(ledger.fingerprint(&files[1].audio.audio_id).unwrap().is_none());
}

#[test]
fn a_retagged_duplicate_is_a_conflict_until_fixed() {
    let mut ledger = ledger();
    decide(ledger.as_mut(), &[wav("master.wav", 1, 1, &[])], Request::default());
    let retagged = [wav("copy.wav", 1, 1, &["GBBBB9905305"])];
    let conflict = decide(ledger.as_mut(), &retagged, Request::default());
    assert_eq!(actions(&conflict), [Action::Conflict]);
    assert_eq!(conflict[0].0.isrc.as_deref(), Some("QZTST2600001"));
    let fixed = decide(ledger.as_mut(), &retagged, Request { fix: true, ..Request::default() });
    assert_eq!(actions(&fixed), [Action::Reused]);
    assert_eq!(fixed[0].1.map(|c| c.to_string()).as_deref(), Some("QZTST2600001"));
}

#[test]
fn a_request_the_ledger_cannot_grant_is_an_error_for_that_file_only() {
    let mut ledger = ledger();
    let unknown = Isrc::parse("QZTST2699999").unwrap();
    let files = [wav("a.wav", 1, 1, &[]), wav("b.wav", 2, 2, &[])];
    let decided = decide(ledger.as_mut(), &files, Request { same_recording_as: Some(unknown), ..Request::default() });
    assert_eq!(actions(&decided), [Action::Error, Action::Error]);
    assert!(decided[0].0.detail.as_deref().unwrap().contains("QZTST2699999 is not in the ledger"));
    assert!(ledger.recordings().unwrap().is_empty(), "nothing recorded");
}

/// Decides `files` in a dry run: the outcomes, with nothing recorded.
fn dry_run(ledger: &mut dyn Ledger, files: &[Scanned], request: Request) -> Vec<(Outcome, Option<Isrc>)> {
    let files: Vec<&Scanned> = files.iter().collect();
    let options = options(request);
    let decided = ledger.dry_run(|tx| decide_all(tx, &files, &options)).expect("decided");
    decided.into_iter().map(|d| (d.outcome, d.write)).collect()
}

/// What a run decided, comparable across runs.
fn summary(decided: &[(Outcome, Option<Isrc>)]) -> Vec<(Action, Option<String>, Option<Isrc>)> {
    decided.iter().map(|(o, write)| (o.action, o.isrc.clone(), *write)).collect()
}

#[test]
fn a_dry_run_decides_what_a_real_run_decides_and_records_nothing() {
    let mut ledger = ledger();
    // A ledger with an adopted code in the prefix's year and a recording to find by sound.
    decide(
        ledger.as_mut(),
        &[wav("known.wav", 1, 1, &[]), wav("adopted.wav", 2, 2, &["QZTST2600003"])],
        Request::default(),
    );
    let batch = [
        wav("new.wav", 10, 10, &[]),
        mp3("new.mp3", 11, 10),  // sounds like new.wav, bound only in this run
        mp3("known.mp3", 12, 1), // sounds like the ledger's known.wav
        wav("again.wav", 10, 10, &[]),
        wav("other.wav", 13, 13, &[]),
        wav("carries.wav", 14, 14, &["GBBBB9905305"]),
    ];
    let before = ledger.recordings().unwrap();
    let dry = dry_run(ledger.as_mut(), &batch, Request::default());
    assert_eq!(ledger.recordings().unwrap(), before, "a dry run records nothing");
    assert_eq!(ledger.code_for_audio(&batch[0].audio.audio_id).unwrap(), None);
    let real = decide(ledger.as_mut(), &batch, Request::default());
    assert_eq!(summary(&dry), summary(&real));
    assert_eq!(
        actions(&real),
        [Action::Issued, Action::Conflict, Action::Conflict, Action::Reused, Action::Issued, Action::Adopted]
    );
    // The adopted 00003 was decided first (it carries its code), so known.wav got 00004.
    assert_eq!(codes(&real)[0].as_deref(), Some("QZTST2600005"));
    assert_eq!(codes(&real)[4].as_deref(), Some("QZTST2600006"));
}

/// The round trips a batch costs on PostgreSQL, per new file (issued, bound, its
/// fingerprint looked up and stored, the decision logged): the difference between
/// batches of 10 and 30 files, so preparing the statements once does not count.
#[cfg(feature = "postgres")]
#[test]
fn a_batch_costs_a_bounded_number_of_round_trips_per_file_on_postgresql() {
    let Some(mut pg) = crate::ledger::postgres::tests::fresh() else { return };
    pg.add_prefix(prefix(), DesignationRange { first: 1, last: 99_999 }, 0).unwrap();
    let mut cost = |first: u64, count: u64| {
        let files: Vec<Scanned> = (first..first + count).map(|n| wav(&format!("{n}.wav"), n, n, &[])).collect();
        let start = pg.round_trips();
        let decided = decide(&mut pg, &files, Request::default());
        assert!(decided.iter().all(|(o, _)| o.action == Action::Issued));
        pg.round_trips() - start
    };
    cost(1, 2); // prepares the statements
    let ten = cost(100, 10);
    let thirty = cost(200, 30);
    let per_file = (thirty - ten) as f64 / 20.0;
    eprintln!("round trips: 10 files {ten}, 30 files {thirty}: {per_file} per file");
    assert!(per_file <= 14.0, "{per_file} round trips per file");
}
