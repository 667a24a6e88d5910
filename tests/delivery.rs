//! One `assign` for a whole delivery, on real recorded music: six tracks of Debian's
//! `drascula-music` as 24/96 masters, 16/44.1 CD masters, MP3 and AAC, plus a radio edit
//! 30 s shorter than its album track. The material is decoded and derived once, in a
//! temporary folder, by sox, lame and ffmpeg (installed by `.ci/run`).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

/// The drascula tracks used, and the seconds taken from each.
const TRACKS: [&str; 6] = ["track1", "track2", "track11", "track14", "track16", "track18"];
const SECONDS: u32 = 70;
/// The track that gets a radio edit (its first 40 s).
const EDITED: usize = 2;

/// The delivery's forms: (folder, extension).
const FORMS: [(&str, &str); 4] = [("hires", "wav"), ("cd", "wav"), ("mp3", "mp3"), ("aac", "m4a")];

use common::music::{drascula, run, text, tools};

/// The material, made once: `<root>/source/{hires,cd,mp3,aac}/NN - Title.ext`, the
/// radio edit `hires/03 - Title (Radio Edit).wav`, and a 24/96 remaster of track 1.
struct Material {
    _dir: tempfile::TempDir,
    source: PathBuf,
    remaster: PathBuf,
}

fn material() -> Option<&'static Material> {
    static MATERIAL: OnceLock<Option<Material>> = OnceLock::new();
    MATERIAL.get_or_init(make_material).as_ref()
}

fn name(track: usize) -> String {
    format!("{:02} - Piece {}", track + 1, track + 1)
}

fn make_material() -> Option<Material> {
    let drascula = drascula()?;
    if !tools() {
        return None;
    }
    let dir = common::music::scratch();
    let source = dir.path().join("source");
    for (folder, _) in FORMS {
        std::fs::create_dir_all(source.join(folder)).expect("mkdir");
    }
    std::thread::scope(|scope| {
        for (track, ogg) in TRACKS.iter().enumerate() {
            let (source, drascula) = (&source, &drascula);
            scope.spawn(move || {
                let ogg = drascula.join(format!("{ogg}.ogg"));
                let seconds = SECONDS.to_string();
                let hires = source.join("hires").join(format!("{}.wav", name(track)));
                let cd = source.join("cd").join(format!("{}.wav", name(track)));
                run("sox", &[text(&ogg), "-b", "24", text(&hires), "trim", "0", &seconds, "rate", "-v", "96000"]);
                run("sox", &[text(&hires), "-b", "16", text(&cd), "rate", "-v", "44100", "dither"]);
                let mp3 = source.join("mp3").join(format!("{}.mp3", name(track)));
                run("lame", &["--quiet", "-V", "2", text(&cd), text(&mp3)]);
                let aac = source.join("aac").join(format!("{}.m4a", name(track)));
                run("ffmpeg", &["-v", "error", "-i", text(&cd), "-c:a", "aac", "-b:a", "192k", text(&aac)]);
                if track == EDITED {
                    let edit = source.join("hires").join(format!("{} (Radio Edit).wav", name(track)));
                    run("sox", &[text(&hires), text(&edit), "trim", "0", "40"]);
                }
            });
        }
    });
    // A remaster of track 1: the same format, +1 dB and a gentle EQ.
    let remaster = dir.path().join("remaster").join(format!("{} (2026 Remaster).wav", name(0)));
    std::fs::create_dir_all(remaster.parent().expect("folder")).expect("mkdir");
    let hires = source.join("hires").join(format!("{}.wav", name(0)));
    run("sox", &[text(&hires), "-b", "24", text(&remaster), "gain", "-3", "treble", "+1.5", "gain", "4"]);
    Some(Material { _dir: dir, source, remaster })
}

/// A fresh copy of the delivery under `root`, with folders renamed by `rename`.
fn delivery(root: &Path, rename: impl Fn(&str) -> String) -> PathBuf {
    let material = material().expect("material");
    let delivery = root.join("delivery");
    for (folder, _) in FORMS {
        let target = delivery.join(rename(folder));
        std::fs::create_dir_all(&target).expect("mkdir");
        for entry in std::fs::read_dir(material.source.join(folder)).expect("listed") {
            let entry = entry.expect("entry");
            std::fs::copy(entry.path(), target.join(entry.file_name())).expect("copy");
        }
    }
    delivery
}

/// A ledger with prefix QZ-TST under `root`.
fn ledger(root: &Path) -> PathBuf {
    let ledger = root.join("ledger.sqlite3");
    let (_, stderr, code) = common::run_with_ledger(&ledger, &["init", "--prefix", "QZ-TST"]);
    assert_eq!(code, 0, "{stderr}");
    ledger
}

/// `assign --json ARGS`: the lines by path relative to `base`, and the exit code.
fn assign(ledger: &Path, base: &Path, args: &[&str]) -> (BTreeMap<String, Value>, i32) {
    let mut all = vec!["assign", "--json"];
    all.extend_from_slice(args);
    let (stdout, stderr, code) = common::run_with_ledger(ledger, &all);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    let lines = common::json_lines(&stdout)
        .into_iter()
        .map(|line| {
            let path = Path::new(line["path"].as_str().expect("path"));
            (path.strip_prefix(base).unwrap_or(path).to_string_lossy().into_owned(), line)
        })
        .collect();
    (lines, code)
}

/// The recording a file is of: its track's name (the radio edit its own).
fn recording_of(relative: &str) -> String {
    Path::new(relative).file_stem().expect("name").to_string_lossy().into_owned()
}

/// The code every file carries now, read back by `inspect`, by path relative to `base`.
fn carried_codes(base: &Path) -> BTreeMap<String, String> {
    let (lines, code) = common::inspect_json(&[base]);
    assert_eq!(code, 0);
    lines
        .iter()
        .map(|line| {
            let path = Path::new(line["path"].as_str().expect("path"));
            let codes: BTreeSet<&str> =
                line["isrcs"].as_array().expect("isrcs").iter().map(|i| i["value"].as_str().expect("value")).collect();
            assert_eq!(codes.len(), 1, "{line}");
            let relative = path.strip_prefix(base).expect("inside").to_string_lossy().into_owned();
            (relative, codes.into_iter().next().expect("one").to_owned())
        })
        .collect()
}

/// Checks that every file of a recording carries one code and no two recordings share
/// one: 7 codes for 6 tracks and an edit. Returns the code per recording.
fn one_code_per_recording(codes: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut per_recording: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, code) in codes {
        per_recording.entry(recording_of(path)).or_default().insert(code.clone());
    }
    assert_eq!(per_recording.len(), 7, "{per_recording:#?}");
    let mut seen = BTreeSet::new();
    per_recording
        .into_iter()
        .map(|(recording, codes)| {
            assert_eq!(codes.len(), 1, "{recording}: {codes:?}");
            let code = codes.into_iter().next().expect("one");
            assert!(seen.insert(code.clone()), "{code} on two recordings");
            (recording, code)
        })
        .collect()
}

fn show(ledger: &Path, code: &str) -> Value {
    let (stdout, stderr, status) = common::run_with_ledger(ledger, &["ledger", "show", "--json", code]);
    assert_eq!(status, 0, "{stderr}");
    common::json_lines(&stdout).remove(0)
}

fn verify(ledger: &Path, args: &[&str]) -> (Vec<Value>, i32) {
    let mut all = vec!["verify", "--json"];
    all.extend_from_slice(args);
    let (stdout, _, code) = common::run_with_ledger(ledger, &all);
    (common::json_lines(&stdout), code)
}

#[test]
fn one_assign_gives_a_delivery_its_seven_codes_and_it_verifies_clean() {
    if material().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let delivery = delivery(dir.path(), str::to_owned);
    let ledger = ledger(dir.path());
    let (lines, code) = assign(&ledger, &delivery, &["--accept", "encodes,edits", text(&delivery)]);
    assert_eq!(code, 0, "{lines:#?}");
    assert_eq!(lines.len(), 25);
    let issued: BTreeSet<&str> =
        lines.iter().filter(|(_, l)| l["action"] == "issued").map(|(p, _)| p.as_str()).collect();
    assert!(issued.iter().all(|p| p.starts_with("hires/")), "the masters are the references: {issued:?}");
    assert_eq!(issued.len(), 7);
    assert!(lines.iter().all(|(_, l)| l["action"] == "issued" || l["action"] == "linked"), "{lines:#?}");
    let codes = one_code_per_recording(&carried_codes(&delivery));
    // The album's tracks got consecutive codes in track order; the edit came after.
    let album: Vec<&String> = (0..6).map(|t| &codes[&name(t)]).collect();
    let expected: Vec<String> = (1..=6).map(|n| format!("QZTST26{n:05}")).collect();
    assert_eq!(album, expected.iter().collect::<Vec<_>>());
    let edit = show(&ledger, &codes[&format!("{} (Radio Edit)", name(EDITED))]);
    assert_eq!(edit["recording"]["parent"], codes[&name(EDITED)].as_str(), "{edit}");
    assert_eq!(edit["recording"]["relation"], "edit");

    let (lines, code) = verify(&ledger, &[text(&delivery)]);
    assert_eq!(code, 0, "{lines:#?}");
    let (lines, code) = verify(&ledger, &["--carrier", "cd", text(&delivery.join("cd"))]);
    assert_eq!(code, 0, "{lines:#?}");
    // Without a ledger, the set checks tell one recording in several encodings by sound.
    let (lines, code) = verify(&dir.path().join("none.sqlite3"), &[text(&delivery)]);
    assert_eq!(code, 2, "a named ledger that does not exist is an error: {lines:#?}");
    let output = common::isrc_stamp()
        .env("HOME", dir.path())
        .env_remove("XDG_DATA_HOME")
        .env_remove("ISRC_STAMP_LEDGER")
        .args(["verify", "--json", text(&delivery)])
        .output()
        .expect("runs");
    let lines = common::json_lines(&String::from_utf8(output.stdout).expect("utf-8"));
    let duplicate: Vec<&Value> = lines
        .iter()
        .filter(|l| l["findings"].as_array().is_some_and(|f| f.iter().any(|f| f["id"] == "duplicate-code-in-set")))
        .collect();
    assert!(duplicate.is_empty(), "{duplicate:#?}");
    assert_eq!(output.status.code(), Some(0), "{lines:#?}");
}

#[test]
fn the_references_and_codes_do_not_depend_on_folder_names() {
    if material().is_none() {
        return;
    }
    let codes = |rename: &dyn Fn(&str) -> String| {
        let dir = tempfile::tempdir().expect("temp dir");
        let delivery = delivery(dir.path(), rename);
        let ledger = ledger(dir.path());
        let (lines, code) = assign(&ledger, &delivery, &["--accept", "encodes,edits", text(&delivery)]);
        assert_eq!(code, 0, "{lines:#?}");
        let hires = rename("hires");
        for (path, line) in &lines {
            let expected = if path.starts_with(&format!("{hires}/")) { "issued" } else { "linked" };
            assert_eq!(line["action"], expected, "{path}: {line}");
        }
        one_code_per_recording(&carried_codes(&delivery))
    };
    let plain = codes(&|folder: &str| folder.to_owned());
    // The CD copies first in the walk, the 24-bit masters last.
    let reordered = codes(&|folder: &str| match folder {
        "cd" => "0 cd".to_owned(),
        "hires" => "9 hires".to_owned(),
        other => format!("5 {other}"),
    });
    assert_eq!(plain, reordered);
}

#[test]
fn a_remaster_is_a_question_never_linked_in_bulk_and_a_decisions_file_answers_it() {
    if material().is_none() {
        return;
    }
    let material = material().expect("material");
    let dir = tempfile::tempdir().expect("temp dir");
    let delivery = delivery(dir.path(), str::to_owned);
    let ledger = ledger(dir.path());
    let (_, code) = assign(&ledger, &delivery, &["--accept", "encodes,edits", text(&delivery.join("hires"))]);
    assert_eq!(code, 0);
    let remaster = dir.path().join("remaster.wav");
    std::fs::copy(&material.remaster, &remaster).expect("copy");
    let (lines, code) = assign(&ledger, dir.path(), &["--accept", "encodes,edits", text(&remaster)]);
    assert_eq!(code, 1, "{lines:#?}");
    let line = &lines["remaster.wav"];
    assert_eq!((line["action"].as_str(), line["question"]["kind"].as_str()), (Some("conflict"), Some("same-format")));
    assert!(line["question"]["proposal"].is_null(), "{line}");
    let original = line["question"]["candidates"][0]["isrc"].as_str().expect("candidate").to_owned();
    assert_eq!(original, "QZTST2600001");
    let decisions = dir.path().join("decisions.csv");
    std::fs::write(
        &decisions,
        format!("path,decision,isrc,as\n{},new-version-of,{original},remaster\n", text(&remaster)),
    )
    .expect("written");
    let (lines, code) = assign(&ledger, dir.path(), &["--decisions", text(&decisions), text(&remaster)]);
    assert_eq!(code, 0, "{lines:#?}");
    let new = lines["remaster.wav"]["isrc"].as_str().expect("a code").to_owned();
    assert_ne!(new, original);
    let shown = show(&ledger, &new);
    assert_eq!(
        (shown["recording"]["parent"].as_str(), shown["recording"]["relation"].as_str()),
        (Some(original.as_str()), Some("remaster"))
    );
    // A row naming no file of the run is an error, with its line, and nothing is done.
    std::fs::write(&decisions, "path,decision\nnowhere.wav,new\n").expect("written");
    let (_, stderr, code) =
        common::run_with_ledger(&ledger, &["assign", "--decisions", text(&decisions), text(&remaster)]);
    assert_eq!(code, 2);
    assert!(stderr.contains("line 2: nowhere.wav is no file of this run"), "{stderr}");
}

#[test]
fn a_wrong_link_is_refused_forced_undone_and_fixed() {
    if material().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let delivery = delivery(dir.path(), str::to_owned);
    let ledger = ledger(dir.path());
    let (_, code) = assign(&ledger, &delivery, &["--accept", "encodes,edits", text(&delivery.join("hires"))]);
    assert_eq!(code, 0);
    let export = || common::run_with_ledger(&ledger, &["ledger", "export"]).0;
    let before = export();
    // Track 2's MP3 linked to track 1's code: the sound says otherwise.
    let mp3 = delivery.join("mp3").join(format!("{}.mp3", name(1)));
    let bytes = std::fs::read(&mp3).expect("read");
    let (lines, code) = assign(&ledger, &delivery, &["--same-recording-as", "QZTST2600001", text(&mp3)]);
    assert_eq!(code, 1);
    let line = lines.values().next().expect("a line");
    assert_eq!(line["action"], "conflict");
    assert!(line["detail"].as_str().expect("detail").contains("does not sound like"), "{line}");
    assert_eq!(std::fs::read(&mp3).expect("read"), bytes, "nothing written");
    // The history gains the conflict's event, nothing else changes.
    let after: Vec<String> = export().lines().map(str::to_owned).collect();
    assert_eq!(after, before.lines().map(str::to_owned).collect::<Vec<_>>());

    let (lines, code) =
        assign(&ledger, &delivery, &["--same-recording-as", "QZTST2600001", "--force-link", text(&mp3)]);
    assert_eq!((code, lines.values().next().expect("line")["action"].as_str()), (0, Some("linked")));
    let (stdout, stderr, code) =
        common::run_with_ledger(&ledger, &["ledger", "unlink", text(&mp3), "--reason", "linked to the wrong song"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("assign --fix"), "{stdout}");
    let (lines, code) = assign(&ledger, &delivery, &["--fix", "--accept", "encodes", text(&mp3)]);
    assert_eq!(code, 0, "{lines:#?}");
    let line = lines.values().next().expect("line");
    assert_eq!(line["action"], "linked", "{line}");
    assert_eq!(line["isrc"], "QZTST2600002", "the MP3 ends with its own recording's code");
    assert!(line["detail"].as_str().expect("detail").contains("fixed: the file carried QZTST2600001"), "{line}");
    let (inspected, _) = common::inspect_json(&[mp3.as_path()]);
    let values: Vec<&str> =
        inspected[0]["isrcs"].as_array().expect("isrcs").iter().map(|i| i["value"].as_str().expect("value")).collect();
    assert_eq!(values, ["QZTST2600002"]);
    let history: Vec<String> = show(&ledger, "QZTST2600001")["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["path"].as_str() == Some(text(&mp3)))
        .map(|e| e["action"].as_str().expect("action").to_owned())
        .collect();
    assert_eq!(history, ["conflict", "linked", "written", "unlink"]);
}

/// Two copies of the delivery: one assigned with `--accept encodes,edits`, the other with
/// the dry run's questions fed back unchanged as `--decisions`; and a third answered
/// through a pseudo-terminal, pressing Enter (the proposal) at every question.
#[test]
fn the_dry_runs_questions_fed_back_and_interactive_answers_give_what_accept_gives() {
    if material().is_none() || !common::have_tool("python3", &["--version"]) {
        return;
    }
    let run = |how: &str| {
        let dir = tempfile::tempdir().expect("temp dir");
        let delivery = delivery(dir.path(), str::to_owned);
        let ledger = ledger(dir.path());
        match how {
            "accept" => {
                assert_eq!(assign(&ledger, &delivery, &["--accept", "encodes,edits", text(&delivery)]).1, 0);
            }
            "decisions" => {
                let (stdout, _, code) =
                    common::run_with_ledger(&ledger, &["assign", "--dry-run", "--json", text(&delivery)]);
                assert_eq!(code, 1, "questions are open");
                let lines = common::json_lines(&stdout);
                let questions = lines.iter().filter(|l| l["question"].is_object()).count();
                assert_eq!(questions, 19, "3 encodes of each of 6 tracks, and the edit: {lines:#?}");
                let decisions = dir.path().join("questions.jsonl");
                std::fs::write(&decisions, stdout).expect("written");
                let (lines, code) = assign(&ledger, &delivery, &["--decisions", text(&decisions), text(&delivery)]);
                assert_eq!(code, 0, "{lines:#?}");
            }
            _ => {
                let script = r#"
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
seen, answered = b"", 0
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
    while b"\n> " in seen or seen.endswith(b"> "):
        os.write(fd, b"\n")
        answered += 1
        seen = b""
_, status = os.waitpid(pid, 0)
print(answered)
sys.exit(os.WEXITSTATUS(status))
"#;
                let output = Command::new("python3")
                    .args(["-c", script])
                    .arg(common::binary())
                    .args(["--ledger", text(&ledger), "assign", "--interactive", "-q", text(&delivery)])
                    .output()
                    .expect("runs");
                assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
                let answered: usize =
                    String::from_utf8_lossy(&output.stdout).lines().last().unwrap_or("0").trim().parse().unwrap_or(0);
                assert!(answered >= 19, "every question asked: {answered}");
            }
        }
        (carried_codes(&delivery), common::run_with_ledger(&ledger, &["ledger", "export", "--format", "json"]).0)
    };
    let (accepted, _) = run("accept");
    let (decided, _) = run("decisions");
    assert_eq!(decided, accepted);
    let (answered, _) = run("interactive");
    assert_eq!(answered, accepted);
    one_code_per_recording(&accepted);
}

#[cfg(unix)]
#[test]
fn odd_names_are_tagged_and_formats_not_read_are_reported_and_counted() {
    use std::os::unix::ffi::OsStrExt;
    if !common::have_tool("sox", &["--version"]) || !common::have_tool("ffmpeg", &["-version"]) {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("in");
    std::fs::create_dir_all(&folder).expect("mkdir");
    let odd = folder.join(std::ffi::OsStr::from_bytes(b"bad\xffname.wav"));
    common::write_music_wav(&odd, 3, 12.0);
    let wav = folder.join("take.wav");
    common::write_music_wav(&wav, 4, 12.0);
    run("sox", &[text(&wav), text(&folder.join("take.w64"))]);
    run("ffmpeg", &["-v", "error", "-i", text(&wav), "-c:a", "libopus", text(&folder.join("take.opus"))]);
    let ledger = ledger(dir.path());
    let (stdout, stderr, code) = common::run_with_ledger(&ledger, &["assign", "--json", text(&folder)]);
    assert_eq!(code, 0, "{stderr}");
    let lines = common::json_lines(&stdout);
    let by_name =
        |suffix: &str| lines.iter().find(|l| l["path"].as_str().is_some_and(|p| p.ends_with(suffix))).expect(suffix);
    assert_eq!(by_name("bad\\xffname.wav")["action"], "issued", "{lines:#?}");
    assert_eq!(by_name("take.w64")["action"], "skipped");
    assert_eq!(by_name("take.opus")["action"], "skipped");
    assert!(by_name("take.opus")["detail"].as_str().expect("why").starts_with("Opus files are not supported"));
    assert!(stderr.contains("2 skipped"), "{stderr}");
    // The odd name really carries its code.
    let (inspected, _) = common::inspect_json(&[odd.as_path()]);
    assert_eq!(inspected[0]["isrcs"][0]["value"], by_name("bad\\xffname.wav")["isrc"]);
    let (lines, code) = verify(&ledger, &[text(&folder)]);
    assert_eq!(code, 0, "{lines:#?}");
    let summary = &lines.last().expect("summary")["summary"];
    assert_eq!((summary["skipped"].as_u64(), summary["files"].as_u64()), (Some(2), Some(4)), "{summary}");
    let not_checked =
        lines.iter().filter(|l| l["findings"].as_array().is_some_and(|f| f.iter().any(|f| f["id"] == "not-checked")));
    assert_eq!(not_checked.count(), 2);

    // A second prefix with a typo is refused without --add.
    let (_, stderr, code) = common::run_with_ledger(&ledger, &["init", "--prefix", "QZ-TTS"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("holds prefix QZ-TST already") && stderr.contains("--add"), "{stderr}");
    let (stdout, _, code) = common::run_with_ledger(&ledger, &["ledger", "prefixes"]);
    assert_eq!((code, stdout.lines().count()), (0, 1), "{stdout}");
    let (_, stderr, code) = common::run_with_ledger(&ledger, &["assign", "--prefix", "QZ-TTS", text(&folder)]);
    assert_eq!(code, 2);
    assert!(stderr.contains("which holds QZ-TST"), "{stderr}");
    assert_eq!(common::run_with_ledger(&ledger, &["init", "--prefix", "QZ-TTS", "--add"]).2, 0);
    assert_eq!(common::run_with_ledger(&ledger, &["ledger", "prefix", "remove", "QZ-TTS"]).2, 0);
    let (_, stderr, code) = common::run_with_ledger(&ledger, &["ledger", "prefix", "remove", "QZ-TST"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("code(s) in the ledger use it"), "{stderr}");
}
