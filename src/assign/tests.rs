//! The engine's rules, on an in-memory ledger and files described by hand (no audio is
//! read): the order files are decided in, the lookup by sound, one code per audio.

use std::path::PathBuf;
use std::time::Duration;

use super::decide::{Answers, RunContext, decide_run};
use super::policy::QuestionKind;
use super::policy::{Accept, Answer, Request};
use super::{Action, Outcome};
use crate::audio::{AudioFacts, SampleKind, SampleLayout, StreamHeader};
use crate::base::ids::AudioId;
use crate::base::ids::{Fingerprint, test_items};
use crate::base::stamp::FileStamp;
use crate::container::{Format, FoundIsrc, TagReport};
use crate::isrc::{DesignationRange, Isrc, Prefix};
use crate::ledger::{EventKind, Ledger, Relation, SqliteLedger};
use crate::scan::Scanned;

const SECONDS: u64 = 111;

fn prefix() -> Prefix {
    Prefix::parse("QZTST").unwrap()
}

fn ledger() -> Box<dyn Ledger> {
    let mut ledger: Box<dyn Ledger> = Box::new(SqliteLedger::open_in_memory().unwrap());
    ledger.add_prefix(prefix(), DesignationRange { first: 1, last: 99_999 }, 0).unwrap();
    ledger
}

fn options(request: Request) -> RunContext {
    RunContext {
        prefix: prefix(),
        year: 26,
        request,
        answers: Answers::default(),
        user: "tester".into(),
        void_unused: false,
        run: None,
    }
}

fn answering(answer: Answer) -> Request {
    Request { answer: Some(answer), ..Request::default() }
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
        tags: TagReport { isrcs, written: locations.to_vec(), ..TagReport::default() },
        stamp: FileStamp { len: 0, modified: None },
        identity: None,
        remembered: false,
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
    let decided = ledger.transaction(|tx| decide_run(tx, &files, &options, None)).expect("decided").decided;
    decided.into_iter().map(|d| (d.outcome, d.write)).collect()
}

fn actions(decided: &[(Outcome, Option<Isrc>)]) -> Vec<Action> {
    decided.iter().map(|(o, _)| o.action).collect()
}

fn codes(decided: &[(Outcome, Option<Isrc>)]) -> Vec<Option<String>> {
    decided.iter().map(|(o, _)| o.isrc.map(|c| c.to_string())).collect()
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
    let linked = decide(ledger.as_mut(), &encode, answering(Answer::SameRecordingAs(master)));
    assert_eq!(actions(&linked), [Action::Linked]);
    assert_eq!(ledger.code_for_audio(&encode[0].audio.audio_id).unwrap(), Some(master));
    let edit = [mp3("edit.mp3", 4, 1)];
    let version = answering(Answer::NewVersionOf(master, Relation::Edit));
    let issued = decide(ledger.as_mut(), &edit, version);
    assert_eq!(actions(&issued), [Action::Issued]);
    let code = issued[0].0.isrc.unwrap();
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
    assert_eq!(conflict[0].0.isrc.map(|c| c.to_string()).as_deref(), Some("QZTST2600001"));
    let fixed = decide(ledger.as_mut(), &retagged, Request { fix: true, ..Request::default() });
    assert_eq!(actions(&fixed), [Action::Reused]);
    assert_eq!(fixed[0].1.map(|c| c.to_string()).as_deref(), Some("QZTST2600001"));
}

#[test]
fn a_request_the_ledger_cannot_grant_is_an_error_for_that_file_only() {
    let mut ledger = ledger();
    let unknown = Isrc::parse("QZTST2699999").unwrap();
    let files = [wav("a.wav", 1, 1, &[]), wav("b.wav", 2, 2, &[])];
    let decided = decide(ledger.as_mut(), &files, answering(Answer::SameRecordingAs(unknown)));
    assert_eq!(actions(&decided), [Action::Error, Action::Error]);
    assert!(decided[0].0.detail.as_deref().unwrap().contains("QZTST2699999 is not in the ledger"));
    assert!(ledger.recordings().unwrap().is_empty(), "nothing recorded");
}

/// A radio edit of recording `sound`: its first 80 s, as 16/44.1 WAV.
fn edit(name: &str, audio: u64, sound: u64) -> Scanned {
    let mut file = file(name, audio, Format::Wav, "pcm_s16le", (sound, 0), &[]);
    let items = test_items(sound, 900)[..640].to_vec();
    file.audio.fingerprint = Some(Fingerprint::new(items, Duration::from_secs(80)));
    file.audio.frames = 44_100 * 80;
    file
}

/// A 24/96 master of recording `sound`.
fn hires(name: &str, audio: u64, sound: u64) -> Scanned {
    let mut file = wav(name, audio, sound, &[]);
    file.audio.stream.sample_rate = 96_000;
    file.audio.stream.layout.bits = 24;
    file.audio.frames = 96_000 * SECONDS;
    file
}

fn accept(encodes: bool, edits: bool) -> Request {
    Request { accept: Accept { encodes, edits, imported: false }, ..Request::default() }
}

#[test]
fn the_best_source_gets_the_code_whatever_the_walk_order_and_encodes_are_linked_in_bulk() {
    let mut ledger = ledger();
    // cd/ sorts before hires/, and the radio edit before its album track.
    let files = [
        edit("a/01 (Radio Edit).wav", 9, 1),
        wav("cd/01.wav", 1, 1, &[]),
        wav("cd/02.wav", 2, 2, &[]),
        hires("hires/01.wav", 3, 1),
        hires("hires/02.wav", 4, 2),
        mp3("mp3/01.mp3", 5, 1),
    ];
    let decided = decide(ledger.as_mut(), &files, accept(true, true));
    let got: Vec<(Action, Option<String>)> =
        decided.iter().map(|(o, _)| (o.action, o.isrc.map(|c| c.to_string()))).collect();
    let code = |n: u32| Some(format!("QZTST26{n:05}"));
    assert_eq!(
        got,
        [
            (Action::Issued, code(3)),
            (Action::Linked, code(1)),
            (Action::Linked, code(2)),
            (Action::Issued, code(1)),
            (Action::Issued, code(2)),
            (Action::Linked, code(1)),
        ]
    );
    let edit = ledger.recording(Isrc::parse("QZTST2600003").unwrap()).unwrap().unwrap();
    assert_eq!((edit.parent, edit.relation), (Isrc::parse("QZTST2600001").ok(), Some(Relation::Edit)));
}

#[test]
fn without_accept_the_encodes_and_the_edit_are_questions_and_nothing_of_them_is_bound() {
    let mut ledger = ledger();
    let files = [edit("a/edit.wav", 9, 1), wav("cd/01.wav", 1, 1, &[]), hires("hires/01.wav", 3, 1)];
    let decided = decide(ledger.as_mut(), &files, Request::default());
    assert_eq!(actions(&decided), [Action::Conflict, Action::Conflict, Action::Issued]);
    let kinds: Vec<_> = decided.iter().map(|(o, _)| o.question.as_ref().map(|q| q.kind)).collect();
    assert_eq!(kinds, [Some(QuestionKind::Edit), Some(QuestionKind::Encode), None]);
    assert_eq!(decided[1].0.question.as_ref().unwrap().candidates[0].path, "hires/01.wav");
    assert_eq!(ledger.code_for_audio(&files[1].audio.audio_id).unwrap(), None);
}

#[test]
fn two_lossless_files_of_one_format_with_other_samples_are_never_linked_in_bulk() {
    let mut ledger = ledger();
    decide(ledger.as_mut(), &[hires("master.wav", 1, 1)], Request::default());
    // A remaster: the same format, other samples, the same sound.
    let mut remaster = hires("remaster.wav", 2, 1);
    remaster.audio.fingerprint = Some(print(1, 8));
    let decided = decide(ledger.as_mut(), std::slice::from_ref(&remaster), accept(true, true));
    assert_eq!(actions(&decided), [Action::Conflict]);
    assert_eq!(decided[0].0.question.as_ref().map(|q| q.kind), Some(QuestionKind::SameFormat));
    let master = Isrc::parse("QZTST2600001").unwrap();
    let answered = decide(ledger.as_mut(), &[remaster], answering(Answer::NewVersionOf(master, Relation::Remaster)));
    assert_eq!(actions(&answered), [Action::Issued]);
}

#[test]
fn a_link_to_another_song_is_refused_unless_forced() {
    let mut ledger = ledger();
    decide(ledger.as_mut(), &[wav("song1.wav", 1, 1, &[])], Request::default());
    let song1 = Isrc::parse("QZTST2600001").unwrap();
    let other = [mp3("song2.mp3", 2, 2)];
    let refused = decide(ledger.as_mut(), &other, answering(Answer::SameRecordingAs(song1)));
    assert_eq!(actions(&refused), [Action::Conflict]);
    assert!(refused[0].0.detail.as_deref().unwrap().contains("does not sound like"), "{:?}", refused[0].0.detail);
    assert_eq!(ledger.code_for_audio(&other[0].audio.audio_id).unwrap(), None, "nothing bound");
    let forced = Request { force_link: true, ..answering(Answer::SameRecordingAs(song1)) };
    assert_eq!(actions(&decide(ledger.as_mut(), &other, forced)), [Action::Linked]);
}

#[test]
fn a_file_matching_two_recordings_is_asked_about_even_with_accept() {
    let mut ledger = ledger();
    // Two recordings in the ledger that sound alike (a mono and a stereo mix, say).
    decide(ledger.as_mut(), &[wav("mix1.wav", 1, 1, &[])], Request::default());
    let mut second = wav("mix2.wav", 2, 1, &[]);
    second.audio.fingerprint = Some(print(1, 4));
    decide(ledger.as_mut(), &[second], answering(Answer::New));
    let decided = decide(ledger.as_mut(), &[mp3("which.mp3", 3, 1)], accept(true, true));
    assert_eq!(decided[0].0.question.as_ref().map(|q| q.kind), Some(QuestionKind::Several));
    assert_eq!(decided[0].0.question.as_ref().unwrap().candidates.len(), 2);
}

#[test]
fn copies_of_a_recording_all_carrying_its_code_are_linked_with_accept_encodes() {
    let mut ledger = ledger();
    let code = "GBBBB9905305";
    let mut encode = mp3("b.mp3", 2, 1);
    encode.tags = wav("x", 9, 9, &[code]).tags;
    encode.tags.isrcs.truncate(1);
    encode.tags.isrcs[0].location = crate::container::TagPlace::Id3v2Tsrc;
    let files = [wav("a.wav", 1, 1, &[code]), encode];
    let decided = decide(ledger.as_mut(), &files, Request::default());
    assert_eq!(actions(&decided), [Action::Adopted, Action::Conflict]);
    assert_eq!(decided[1].0.question.as_ref().map(|q| q.kind), Some(QuestionKind::Encode));
    let decided = decide(ledger.as_mut(), &files[1..], accept(true, false));
    assert_eq!(actions(&decided), [Action::Linked]);
}

#[test]
fn a_later_tagged_file_fills_in_the_title_and_artist_but_never_overwrites() {
    let mut ledger = ledger();
    // The untagged DAW master first: its code is issued with no text.
    decide(ledger.as_mut(), &[wav("master.wav", 1, 1, &[])], Request::default());
    let isrc = Isrc::parse("QZTST2600001").unwrap();
    assert_eq!(ledger.recording(isrc).unwrap().unwrap().title, None);
    // Then its tagged MP3, linked as another encode: the text comes in from its tags.
    let tagged = |name: &str, title: &str, artist: Option<&str>| {
        let mut file = mp3(name, 2, 1);
        file.tags.title = Some(title.into());
        file.tags.artist = artist.map(str::to_owned);
        file
    };
    let same = answering(Answer::SameRecordingAs(isrc));
    let decided = decide(ledger.as_mut(), &[tagged("a.mp3", "Harbour Wall", None)], same.clone());
    assert_eq!(actions(&decided), [Action::Linked]);
    let recording = ledger.recording(isrc).unwrap().unwrap();
    assert_eq!((recording.title.as_deref(), recording.artist.as_deref()), (Some("Harbour Wall"), None));
    // A third file with another title and an artist: only the missing artist is taken.
    let mut third = tagged("b.mp3", "Harbour Wall (Radio)", Some("Fixture Ensemble"));
    third.audio.audio_id = AudioId::parse(&format!("pcm1:{:064x}", 3)).unwrap();
    decide(ledger.as_mut(), &[third], same);
    let recording = ledger.recording(isrc).unwrap().unwrap();
    assert_eq!(
        (recording.title.as_deref(), recording.artist.as_deref()),
        (Some("Harbour Wall"), Some("Fixture Ensemble"))
    );
    let fills: Vec<String> = ledger
        .events_for(isrc)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == EventKind::Fill)
        .map(|e| e.detail)
        .collect();
    assert_eq!(
        fills,
        [
            "filled in from the file's tags: title \"Harbour Wall\"",
            "filled in from the file's tags: artist \"Fixture Ensemble\""
        ]
    );
}

/// Decides `files` in a dry run: the outcomes, with nothing recorded.
fn dry_run(ledger: &mut dyn Ledger, files: &[Scanned], request: Request) -> Vec<(Outcome, Option<Isrc>)> {
    let files: Vec<&Scanned> = files.iter().collect();
    let options = options(request);
    let decided = ledger.dry_run(|tx| decide_run(tx, &files, &options, None)).expect("decided").decided;
    decided.into_iter().map(|d| (d.outcome, d.write)).collect()
}

/// What a run decided, comparable across runs.
fn summary(decided: &[(Outcome, Option<Isrc>)]) -> Vec<(Action, Option<String>, Option<Isrc>)> {
    decided.iter().map(|(o, write)| (o.action, o.isrc.map(|c| c.to_string()), *write)).collect()
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
    // New codes go on from the highest the ledger held before the batch (with the adopted
    // 00003 among them), in walk order.
    let highest = before.iter().map(|r| r.isrc.designation()).max().unwrap();
    assert!(highest >= 3, "{before:?}");
    assert_eq!(codes(&real)[0], Some(format!("QZTST26{:05}", highest + 1)));
    assert_eq!(codes(&real)[4], Some(format!("QZTST26{:05}", highest + 2)));
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

/// `file` with a title, an artist and an advisory rating in its tags.
fn tagged(mut scanned: Scanned, title: &str, advisory: Option<crate::container::Advisory>) -> Scanned {
    scanned.tags.title = Some(title.into());
    scanned.tags.artist = Some("Lumen".into());
    scanned.tags.advisory = advisory;
    scanned
}

#[test]
fn the_tags_give_a_title_its_version_and_a_warning_and_never_overwrite_an_edit() {
    use crate::container::Advisory;
    use crate::ledger::{MetadataEdit, ParentalWarning};
    let mut ledger = ledger();
    let files = [
        tagged(wav("edit.wav", 1, 1, &[]), "Harbour Wall (Radio Edit)", Some(Advisory::Explicit)),
        tagged(wav("other.wav", 2, 2, &[]), "Slow Tide (feat. Ana)", None),
    ];
    let decided = decide(ledger.as_mut(), &files, Request::default());
    let code = |n: usize| decided[n].0.isrc.unwrap();
    let first = ledger.recording(code(0)).unwrap().unwrap();
    assert_eq!((first.title.as_deref(), first.version_note.as_deref()), (Some("Harbour Wall"), Some("Radio Edit")));
    assert_eq!(first.publication.parental_warning, Some(ParentalWarning::Explicit));
    let second = ledger.recording(code(1)).unwrap().unwrap();
    assert_eq!((second.title.as_deref(), second.version_note), (Some("Slow Tide (feat. Ana)"), None));
    assert_eq!(second.publication.parental_warning, None, "no rating, no warning");

    // Edited by hand; a later, better-tagged encode of the same audio fills nothing back.
    let edit = MetadataEdit {
        version_note: Some("Single Edit".into()),
        parental_warning: Some(Some(ParentalWarning::NotExplicit)),
        ..MetadataEdit::default()
    };
    ledger.transaction(|tx| tx.edit_metadata(code(0), &edit)).unwrap();
    let again = [tagged(wav("copy.wav", 1, 1, &[]), "Harbour Wall (Radio Edit)", Some(Advisory::Clean))];
    decide(ledger.as_mut(), &again, Request::default());
    let kept = ledger.recording(code(0)).unwrap().unwrap();
    assert_eq!(kept.version_note.as_deref(), Some("Single Edit"));
    assert_eq!(kept.publication.parental_warning, Some(ParentalWarning::NotExplicit));
    // What is still missing is filled in, with a fill event naming it.
    let cleared = MetadataEdit { parental_warning: Some(None), ..MetadataEdit::default() };
    ledger.transaction(|tx| tx.edit_metadata(code(1), &cleared)).unwrap();
    let rated = [tagged(wav("rated.wav", 2, 2, &[]), "Slow Tide (feat. Ana)", Some(Advisory::Clean))];
    decide(ledger.as_mut(), &rated, Request::default());
    assert_eq!(ledger.recording(code(1)).unwrap().unwrap().publication.parental_warning, Some(ParentalWarning::Clean));
    let fill = ledger.events_for(code(1)).unwrap().into_iter().rfind(|e| e.action == EventKind::Fill).unwrap();
    assert_eq!(fill.detail, "filled in from the file's tags: parental_warning \"clean\"");
}

/// A decisions file that does not fit is reported line by line, as before it was typed.
#[test]
fn a_decisions_file_that_does_not_fit_names_every_line() {
    let error = super::AssignError::Decisions(vec!["line 2: no such file".into(), "line 3: not a code".into()]);
    assert_eq!(
        error.to_string(),
        "the decisions file does not fit this run (nothing done):\n  line 2: no such file\n  line 3: not a code"
    );
}
