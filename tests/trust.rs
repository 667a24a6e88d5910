//! Decisions a registrant can trust (issue 21), on real recorded music: a lossless
//! remaster is never linked in bulk, a void code is never written again, a forced wrong
//! link fails `verify`, and a run on the wrong folder can be taken back. Tracks of
//! Debian's `drascula-music` are derived once into a temporary folder (24/96 WAV and
//! FLAC, 16/44.1 CD WAV, MP3, AAC).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::music::{self, Track, text};
use common::{assign_by_name as assign, name};
use serde_json::Value;

/// The drascula tracks used.
const TRACKS: [&str; 3] = ["track1", "track2", "track11"];
/// Seconds taken from each: enough for the fingerprint's verdicts.
const SECONDS: u32 = 40;

/// The material, made once.
struct Material {
    _dir: tempfile::TempDir,
    tracks: Vec<Track>,
}

fn material() -> Option<&'static Material> {
    static MATERIAL: OnceLock<Option<Material>> = OnceLock::new();
    MATERIAL
        .get_or_init(|| {
            let drascula = music::drascula()?;
            if !music::tools() {
                return None;
            }
            let dir = common::music::scratch();
            let tracks = std::thread::scope(|scope| {
                let handles: Vec<_> = TRACKS
                    .iter()
                    .enumerate()
                    .map(|(n, ogg)| {
                        let (drascula, folder) = (&drascula, dir.path().join(format!("t{n}")));
                        scope.spawn(move || music::derive(drascula, ogg, n + 1, SECONDS, &folder))
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().expect("derived")).collect()
            });
            Some(Material { _dir: dir, tracks })
        })
        .as_ref()
}

/// A copy of `files` in `folder` (flat), returning the new paths in order.
fn copy_into(folder: &Path, files: &[&Path]) -> Vec<PathBuf> {
    std::fs::create_dir_all(folder).expect("mkdir");
    files
        .iter()
        .map(|file| {
            let target = folder.join(file.file_name().expect("name"));
            std::fs::copy(file, &target).expect("copy");
            target
        })
        .collect()
}

fn ledger(root: &Path) -> PathBuf {
    let ledger = root.join("ledger.sqlite3");
    let (_, stderr, code) = common::run_with_ledger(&ledger, &["init", "--prefix", "QZ-TST"]);
    assert_eq!(code, 0, "{stderr}");
    ledger
}

/// `verify --json ARGS`: the file reports by name (with their finding ids), the exit code.
fn verify(ledger: &Path, args: &[&str]) -> (BTreeMap<String, Vec<String>>, Vec<Value>, i32) {
    let mut all = vec!["verify", "--json"];
    all.extend_from_slice(args);
    let (stdout, stderr, code) = common::run_with_ledger(ledger, &all);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    let lines = common::json_lines(&stdout);
    let ids = lines
        .iter()
        .filter(|line| line.get("path").is_some())
        .map(|line| {
            let name = Path::new(line["path"].as_str().expect("path")).file_name().expect("name");
            let ids = line["findings"].as_array().expect("findings").iter();
            (name.to_string_lossy().into_owned(), ids.map(|f| f["id"].as_str().expect("id").to_owned()).collect())
        })
        .collect();
    (ids, lines, code)
}

fn digest(path: &Path) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).expect("readable")).to_vec()
}

fn action(lines: &BTreeMap<String, Value>, file: &Path) -> String {
    lines[&name(file)]["action"].as_str().expect("action").to_owned()
}

fn question_kind(lines: &BTreeMap<String, Value>, file: &Path) -> Option<String> {
    lines[&name(file)]["question"]["kind"].as_str().map(str::to_owned)
}

fn isrc(lines: &BTreeMap<String, Value>, file: &Path) -> Option<String> {
    lines[&name(file)]["isrc"].as_str().map(str::to_owned)
}

#[test]
fn a_master_changed_in_place_is_a_same_format_question_whichever_member_is_matched() {
    let Some(material) = material() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let ledger = ledger(dir.path());
    let album = dir.path().join("album");
    let mut masters = Vec::new();
    for track in &material.tracks {
        let copied = copy_into(&album, &track.all());
        masters.push(copied[0].clone());
    }
    let (lines, code, stderr) = assign(&ledger, &["--accept", "encodes,edits", text(&album)]);
    assert_eq!(code, 0, "{stderr}");
    let issued = lines.values().filter(|l| l["action"] == "issued").count();
    assert_eq!(issued, TRACKS.len(), "{lines:#?}");
    // Every 24/96 WAV master changed in place by 0.5 dB, its tags (the code) kept.
    let mut before = BTreeMap::new();
    for master in &masters {
        music::change_gain_in_place(master, -0.5);
        before.insert(name(master), digest(master));
    }
    let (lines, code, stderr) = assign(&ledger, &["--accept", "encodes,edits", text(&album)]);
    assert_eq!(code, 1, "{stderr}");
    for master in &masters {
        assert_eq!(action(&lines, master), "conflict", "{:#}", lines[&name(master)]);
        assert_eq!(question_kind(&lines, master).as_deref(), Some("same-format"), "{:#}", lines[&name(master)]);
        assert_eq!(digest(master), before[&name(master)], "nothing written");
    }
    let others = lines.iter().filter(|(file, _)| !before.contains_key(*file));
    for (file, line) in others {
        assert_eq!(line["action"], "unchanged", "{file}: {line:#}");
    }

    // An untagged 24/96 FLAC and a 24/96 AIFF of track 1 with another gain, against
    // that ledger: the same question.
    let hires = &material.tracks[0].hires;
    let louder_wav = dir.path().join("louder.wav");
    music::run("sox", &[text(hires), "-b", "24", text(&louder_wav), "gain", "-0.7"]);
    let remaster_flac = dir.path().join("2027 Remaster.flac");
    music::run("flac", &["-s", "-f", "-o", text(&remaster_flac), text(&louder_wav)]);
    let remaster_aiff = dir.path().join("2027 Remaster.aiff");
    music::run("sox", &[text(hires), "-b", "24", text(&remaster_aiff), "gain", "-0.7"]);
    for remaster in [&remaster_flac, &remaster_aiff] {
        let before = digest(remaster);
        let (lines, code, stderr) = assign(&ledger, &["--accept", "encodes,edits", text(remaster)]);
        assert_eq!(code, 1, "{stderr}");
        assert_eq!(action(&lines, remaster), "conflict", "{:#}", lines[&name(remaster)]);
        assert_eq!(question_kind(&lines, remaster).as_deref(), Some("same-format"));
        assert_eq!(digest(remaster), before);
    }
}

#[test]
fn two_masters_arriving_together_are_not_linked_in_bulk() {
    let Some(material) = material() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let ledger = ledger(dir.path());
    let track = &material.tracks[1];
    let delivery = dir.path().join("delivery");
    let copied = copy_into(&delivery, &[&track.hires, &track.cd, &track.mp3]);
    let remaster = delivery.join("02 - Piece 2 (24-96, remastered).wav");
    music::run("sox", &[text(&track.hires), "-b", "24", text(&remaster), "gain", "-0.5"]);
    let (lines, code, stderr) = assign(&ledger, &["--accept", "encodes,edits", text(&delivery)]);
    assert_eq!(code, 1, "{stderr}");
    let masters = [&copied[0], &remaster];
    let kinds: BTreeSet<String> = masters.iter().map(|m| action(&lines, m)).collect();
    assert_eq!(kinds, ["conflict", "issued"].into_iter().map(str::to_owned).collect(), "{lines:#?}");
    let asked = masters.iter().find(|m| action(&lines, m) == "conflict").expect("one asked about");
    assert_eq!(question_kind(&lines, asked).as_deref(), Some("same-format"));
    let code_of_master = masters.iter().find_map(|m| isrc(&lines, m).filter(|_| action(&lines, m) == "issued"));
    for encode in [&copied[1], &copied[2]] {
        assert_eq!(action(&lines, encode), "linked", "{:#}", lines[&name(encode)]);
        assert_eq!(isrc(&lines, encode), code_of_master);
    }
}

#[test]
fn a_void_code_is_never_written_again_and_assign_and_verify_agree() {
    let Some(material) = material() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let ledger = ledger(dir.path());
    let track = &material.tracks[2];
    let folder = dir.path().join("client");
    let files = copy_into(&folder, &[&track.hires, &track.mp3]);
    let (lines, code, stderr) = assign(&ledger, &["--accept", "encodes", text(&folder)]);
    assert_eq!(code, 0, "{stderr}");
    let void = isrc(&lines, &files[0]).expect("issued");
    let (_, stderr, code) = common::run_with_ledger(&ledger, &["ledger", "void", &void, "--reason", "wrong client"]);
    assert_eq!(code, 0, "{stderr}");

    // The untagged master restored from a backup: never the void code again.
    std::fs::copy(&track.hires, &files[0]).expect("restored");
    let (lines, code, stderr) = assign(&ledger, &["--accept", "encodes", text(&files[0])]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(action(&lines, &files[0]), "issued", "{:#}", lines[&name(&files[0])]);
    let new = isrc(&lines, &files[0]).expect("a new code");
    assert_ne!(new, void);
    let (found, _, code) = verify(&ledger, &[text(&files[0])]);
    assert_eq!(code, 0, "assign left it with exit 0, verify agrees: {found:?}");

    // The MP3 still carries the void code: a conflict naming the void and its reason,
    // and verify fails it too.
    let (lines, code, _) = assign(&ledger, &["--accept", "encodes", text(&files[1])]);
    assert_eq!(code, 1);
    assert_eq!(action(&lines, &files[1]), "conflict");
    let detail = lines[&name(&files[1])]["detail"].as_str().expect("detail");
    assert!(detail.contains(&void) && detail.contains("wrong client") && detail.contains("--fix"), "{detail}");
    let (found, _, code) = verify(&ledger, &[text(&files[1])]);
    assert_eq!(code, 1);
    assert!(found[&name(&files[1])].contains(&"void-code".to_owned()), "{found:?}");

    // --fix replaces it: the MP3 is another encoding of the restored master's recording.
    let (lines, code, stderr) = assign(&ledger, &["--fix", "--accept", "encodes", text(&files[1])]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(action(&lines, &files[1]), "linked", "{:#}", lines[&name(&files[1])]);
    assert_eq!(isrc(&lines, &files[1]).as_deref(), Some(new.as_str()));
    let (found, _, code) = verify(&ledger, &[text(&folder)]);
    assert_eq!(code, 0, "{found:?}");
}

#[test]
fn a_forced_wrong_link_fails_verify_and_a_refused_one_says_what_it_sounds_like() {
    let Some(material) = material() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let ledger = ledger(dir.path());
    let (a, b) = (&material.tracks[0], &material.tracks[1]);
    let first = copy_into(&dir.path().join("a"), &[&a.hires])[0].clone();
    let other = copy_into(&dir.path().join("b"), &[&b.hires])[0].clone();
    let song = copy_into(&dir.path().join("c"), &[&b.cd])[0].clone();
    let (lines, code, stderr) = assign(&ledger, &[text(&first), text(&other)]);
    assert_eq!(code, 0, "{stderr}");
    let x = isrc(&lines, &first).expect("issued");
    let y = isrc(&lines, &other).expect("issued");

    // Refused: it names the recording the file does sound like.
    let (lines, code, _) = assign(&ledger, &["--same-recording-as", &x, text(&song)]);
    assert_eq!(code, 1);
    let detail = lines[&name(&song)]["detail"].as_str().expect("detail");
    assert!(detail.contains("does not sound like") && detail.contains(&y), "{detail}");

    // Forced: verify fails it with link-contradicted, naming both files.
    let (lines, code, stderr) = assign(&ledger, &["--same-recording-as", &x, "--force-link", text(&song)]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(action(&lines, &song), "linked");
    let (found, reports, code) = verify(&ledger, &[text(&first), text(&song)]);
    assert_eq!(code, 1, "{found:?}");
    assert_eq!(found[&name(&song)], ["link-contradicted"], "{found:?}");
    assert!(found[&name(&first)].is_empty(), "{found:?}");
    let message = reports
        .iter()
        .flat_map(|r| r["findings"].as_array().into_iter().flatten())
        .find(|f| f["id"] == "link-contradicted")
        .and_then(|f| f["message"].as_str())
        .expect("the finding");
    assert!(message.contains(&name(&song)) && message.contains(&name(&first)) && message.contains("bit error rate"));
}

/// Every ISRC ffprobe reads in a file's container and stream tags.
fn ffprobe_isrcs(path: &Path) -> Vec<String> {
    let output = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format_tags:stream_tags", "-of", "json"])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let mut found = Vec::new();
    let mut tags: Vec<&Value> = vec![&json["format"]["tags"]];
    tags.extend(json["streams"].as_array().into_iter().flatten().map(|s| &s["tags"]));
    for map in tags.into_iter().filter_map(Value::as_object) {
        for (key, value) in map {
            if key.eq_ignore_ascii_case("isrc") || key.eq_ignore_ascii_case("tsrc") {
                found.push(value.as_str().unwrap_or_default().to_owned());
            }
        }
    }
    found
}

/// Every ISRC-holding key mutagen reads in a file.
fn mutagen_isrcs(python: &str, path: &Path) -> Vec<String> {
    let script = "import mutagen,sys\n\
f = mutagen.File(sys.argv[1])\n\
keys = [] if f is None or f.tags is None else [str(k) for k in f.tags.keys()]\n\
print('\\n'.join(k for k in keys if 'isrc' in k.lower() or k.upper().startswith('TSRC')))";
    let output = std::process::Command::new(python).args(["-c", script]).arg(path).output().expect("mutagen runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8").lines().filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

#[test]
fn a_run_on_the_wrong_folder_is_taken_back_by_void_run_and_untag() {
    let Some(material) = material() else { return };
    if !common::have_tool("ffprobe", &["-version"]) {
        return;
    }
    let Some(python) = common::mutagen_python() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let ledger = ledger(dir.path());
    let wrong = dir.path().join("other client");
    for track in &material.tracks[..2] {
        copy_into(&wrong, &[&track.hires, &track.flac, &track.mp3, &track.aac]);
    }
    let (before, code) = common::inspect_json(&[&wrong]);
    assert_eq!(code, 0);
    let audio_ids: BTreeMap<String, Value> =
        before.iter().map(|l| (l["path"].as_str().unwrap().to_owned(), l["audio_id"].clone())).collect();

    let (lines, code, stderr) = assign(&ledger, &["--accept", "encodes", text(&wrong)]);
    assert_eq!(code, 0, "{stderr}");
    let run_number: i64 = stderr
        .split("(run ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the summary names the run: {stderr}"));
    let issued: BTreeSet<String> =
        lines.values().filter(|l| l["action"] == "issued").map(|l| l["isrc"].as_str().unwrap().to_owned()).collect();
    assert_eq!(issued.len(), 2, "{lines:#?}");

    // The run is listed, with its paths and counts.
    let (stdout, _, code) = common::run_with_ledger(&ledger, &["--json", "ledger", "runs"]);
    assert_eq!(code, 0);
    let runs = common::json_lines(&stdout);
    let run = runs.last().expect("a run");
    assert_eq!(run["run"], run_number);
    assert_eq!(run["paths"][0].as_str(), Some(text(&wrong)));
    let mut counted: BTreeMap<String, u64> = BTreeMap::new();
    for line in lines.values() {
        *counted.entry(line["action"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    assert_eq!(counted.values().sum::<u64>(), 8);
    assert!(counted.keys().all(|a| ["issued", "reused", "linked"].contains(&a.as_str())), "{counted:?}");
    assert_eq!(serde_json::to_value(&counted).unwrap(), run["counts"]);
    assert!(run["user"].is_string() && run["host"].is_string() && run["started_at"].is_i64(), "{run}");

    // Taken back: every code the run issued voided, then the codes removed from the files.
    let (stdout, stderr, code) = common::run_with_ledger(
        &ledger,
        &["--json", "ledger", "void", "--run", &run_number.to_string(), "--reason", "wrong folder"],
    );
    assert_eq!(code, 0, "{stderr}");
    let voided: BTreeSet<String> =
        common::json_lines(&stdout).iter().map(|l| l["isrc"].as_str().unwrap().to_owned()).collect();
    assert_eq!(voided, issued);
    let (stdout, _, code) = common::run_with_ledger(&ledger, &["untag", "--dry-run", text(&wrong)]);
    assert_eq!(code, 0);
    assert!(stdout.contains("untagged"), "{stdout}");
    assert!(!ffprobe_isrcs(&wrong.join(name(&material.tracks[0].mp3))).is_empty(), "a dry run changes nothing");
    let (stdout, stderr, code) = common::run_with_ledger(&ledger, &["--json", "untag", text(&wrong)]);
    assert_eq!(code, 0, "{stderr}");
    let untagged = common::json_lines(&stdout);
    assert_eq!(untagged.len(), 8);
    assert!(untagged.iter().all(|l| l["action"] == "untagged"), "{untagged:#?}");

    let (after, code) = common::inspect_json(&[&wrong]);
    assert_eq!(code, 0);
    for line in &after {
        let path = line["path"].as_str().unwrap();
        assert_eq!(line["audio_id"], audio_ids[path], "{path}: the audio is unchanged");
        assert_eq!(line["isrcs"].as_array().map(Vec::len), Some(0), "{path}: {line}");
        assert!(ffprobe_isrcs(Path::new(path)).is_empty(), "{path}: ffprobe still reads an ISRC");
        assert!(mutagen_isrcs(python, Path::new(path)).is_empty(), "{path}: mutagen still reads an ISRC");
    }
    let (stdout, stderr, code) = common::run_with_ledger(&ledger, &["ledger", "check"]);
    assert_eq!(code, 0, "{stdout}{stderr}");

    // The right client's run later: new codes, never the void ones.
    let (lines, code, stderr) = assign(&ledger, &["--accept", "encodes", text(&wrong)]);
    assert_eq!(code, 0, "{stderr}");
    for line in lines.values() {
        let code = line["isrc"].as_str().expect("a code");
        assert!(!voided.contains(code), "{code} was void and was written again");
    }
}

/// One step of the property test: what an engineer may do to a delivery.
#[derive(Debug, Clone)]
enum Step {
    /// `assign` on every file.
    Assign,
    /// `assign --accept encodes,edits` on every file.
    AssignAccept,
    /// `assign --fix --accept encodes` on every file.
    AssignFix,
    /// `ledger void` of the n-th active code.
    Void(usize),
    /// `ledger unlink` of the n-th file.
    Unlink(usize),
    /// `untag` of the n-th file.
    Untag(usize),
    /// `assign --fix --same-recording-as` (the code of recording r) on the n-th file.
    FixSameAs(usize, usize),
}

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    prop_oneof![
        3 => Just(Step::Assign),
        3 => Just(Step::AssignAccept),
        2 => Just(Step::AssignFix),
        2 => (0..4usize).prop_map(Step::Void),
        1 => (0..4usize).prop_map(Step::Unlink),
        2 => (0..4usize).prop_map(Step::Untag),
        1 => (0..4usize, 0..2usize).prop_map(|(file, recording)| Step::FixSameAs(file, recording)),
    ]
}

/// The ledger's active codes and, per code, its audio ids.
fn bindings(ledger: &Path) -> Vec<(String, bool, Vec<String>)> {
    let (stdout, stderr, code) = common::run_with_ledger(ledger, &["ledger", "export", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    common::json_lines(&stdout)
        .iter()
        .map(|r| {
            let audio = r["audio"].as_array().into_iter().flatten();
            let ids = audio.map(|a| a["audio_id"].as_str().unwrap().to_owned()).collect();
            (r["isrc"].as_str().unwrap().to_owned(), r["status"] == "active", ids)
        })
        .collect()
}

/// No code on two recordings, in the ledger or in the files.
fn one_recording_per_code(
    ledger: &Path,
    files: &[PathBuf],
    recording_of: &BTreeMap<String, usize>,
) -> Result<(), String> {
    for (code, _, audio) in bindings(ledger) {
        let recordings: BTreeSet<usize> = audio.iter().filter_map(|a| recording_of.get(a).copied()).collect();
        if recordings.len() > 1 {
            return Err(format!("the ledger binds {code} to audio of recordings {recordings:?}"));
        }
    }
    let (lines, _) = common::inspect_json(&files.iter().map(PathBuf::as_path).collect::<Vec<_>>());
    let mut carriers: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for line in &lines {
        let recording = recording_of[line["audio_id"].as_str().expect("decoded")];
        for found in line["isrcs"].as_array().into_iter().flatten() {
            carriers.entry(found["value"].as_str().unwrap().to_owned()).or_default().insert(recording);
        }
    }
    match carriers.iter().find(|(_, recordings)| recordings.len() > 1) {
        Some((code, recordings)) => Err(format!("files of recordings {recordings:?} carry {code}")),
        None => Ok(()),
    }
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config {
        cases: std::env::var("TRUST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(6),
        failure_persistence: None,
        max_shrink_iters: 40,
        ..proptest::test_runner::Config::default()
    })]

    /// For random sequences of assign, void, unlink, fix and untag over two recordings
    /// (a 24/96 master and an MP3 each): `verify` never fails a file that the last
    /// `assign` left with exit 0, and no code is ever on two recordings.
    #[test]
    fn verify_agrees_with_every_assign_left_clean(steps in proptest::collection::vec(step(), 1..7)) {
        let Some(material) = material() else { return Ok(()) };
        let dir = tempfile::tempdir().expect("temp dir");
        let ledger = ledger(dir.path());
        let folder = dir.path().join("delivery");
        let (a, b) = (&material.tracks[0], &material.tracks[1]);
        let files = copy_into(&folder, &[&a.hires, &a.mp3, &b.hires, &b.mp3]);
        let (lines, _) = common::inspect_json(&files.iter().map(PathBuf::as_path).collect::<Vec<_>>());
        let recording_of: BTreeMap<String, usize> =
            lines.iter().enumerate().map(|(i, l)| (l["audio_id"].as_str().unwrap().to_owned(), i / 2)).collect();
        for step in &steps {
            let every: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
            let words = |args: &[&str]| args.iter().map(|a| a.to_string()).collect::<Vec<String>>();
            let assigned: Option<(Vec<String>, Vec<&Path>)> = match step {
                Step::Assign => Some((vec![], every)),
                Step::AssignAccept => Some((words(&["--accept", "encodes,edits"]), every)),
                Step::AssignFix => Some((words(&["--fix", "--accept", "encodes"]), every)),
                Step::FixSameAs(file, recording) => {
                    let active: Vec<String> = bindings(&ledger)
                        .into_iter()
                        .filter(|(_, active, audio)| *active && audio.iter().any(|a| recording_of.get(a) == Some(recording)))
                        .map(|(code, _, _)| code)
                        .collect();
                    let Some(code) = active.first() else { continue };
                    Some((words(&["--fix", "--same-recording-as", code]), vec![files[*file].as_path()]))
                }
                Step::Void(n) => {
                    let active: Vec<String> =
                        bindings(&ledger).into_iter().filter(|(_, active, _)| *active).map(|(code, _, _)| code).collect();
                    if !active.is_empty() {
                        let code = &active[n % active.len()];
                        let (_, stderr, status) = common::run_with_ledger(&ledger, &["ledger", "void", code, "--reason", "test"]);
                        proptest::prop_assert_eq!(status, 0, "{}", stderr);
                    }
                    None
                }
                Step::Unlink(n) => {
                    let (_, stderr, status) =
                        common::run_with_ledger(&ledger, &["ledger", "unlink", text(&files[*n]), "--reason", "test"]);
                    proptest::prop_assert!(status == 0 || status == 1, "{}", stderr);
                    None
                }
                Step::Untag(n) => {
                    let (_, stderr, status) = common::run_with_ledger(&ledger, &["untag", text(&files[*n])]);
                    proptest::prop_assert_eq!(status, 0, "{}", stderr);
                    None
                }
            };
            if let Some((args, targets)) = assigned {
                let mut all: Vec<&str> = vec!["assign", "-q"];
                all.extend(args.iter().map(String::as_str));
                all.extend(targets.iter().map(|t| text(t)));
                let (stdout, stderr, status) = common::run_with_ledger(&ledger, &all);
                proptest::prop_assert!(status == 0 || status == 1, "{:?}: exit {}: {}{}", step, status, stdout, stderr);
                if status == 0 {
                    let mut verify_args = vec!["verify"];
                    verify_args.extend(targets.iter().map(|t| text(t)));
                    let (report, _, verified) = common::run_with_ledger(&ledger, &verify_args);
                    proptest::prop_assert_eq!(verified, 0, "after {:?} (of {:?}), assign exit 0:\n{}\nverify:\n{}", step, steps, stdout, report);
                }
            }
            let one = one_recording_per_code(&ledger, &files, &recording_of);
            proptest::prop_assert!(one.is_ok(), "after {:?} (of {:?}): {}", step, steps, one.unwrap_err());
        }
    }
}
