//! `dupes` and the acoustic fingerprint end to end, on music synthesized at test time
//! (`common::write_music_wav`) and copies made with ffmpeg: a FLAC copy (the same
//! samples), an MP3, a 16-bit 44.1 kHz downsample, an edit 15 s shorter, and another
//! recording in the same style. Then `assign` asking about an MP3 of a master it knows.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use serde_json::Value;

/// Seconds of the synthesized masters.
const SECONDS: f64 = 40.0;

/// Runs ffmpeg quietly on `args`, overwriting its output.
fn ffmpeg(args: &[&str]) {
    finish(start_ffmpeg(args));
}

/// Starts ffmpeg quietly on `args`, overwriting its output.
fn start_ffmpeg(args: &[&str]) -> (Child, String) {
    let child = Command::new("ffmpeg").args(["-v", "error", "-y"]).args(args).spawn().expect("ffmpeg starts");
    (child, format!("{args:?}"))
}

/// Waits for an ffmpeg started by [`start_ffmpeg`] and requires success.
fn finish((mut child, args): (Child, String)) {
    let status = child.wait().expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg {args} failed");
}

/// A path as the `&str` ffmpeg and the binary take.
fn text(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// The master (seed 1) as 24-bit 48 kHz WAV in `dir`, with an MP3 of it.
fn master_and_mp3(dir: &Path) -> (PathBuf, PathBuf) {
    let master = dir.join("master.wav");
    common::write_music_wav(&master, 1, SECONDS);
    let mp3 = dir.join("master.mp3");
    ffmpeg(&["-i", text(&master), "-c:a", "libmp3lame", "-b:a", "192k", text(&mp3)]);
    (master, mp3)
}

/// The whole test set in `dir`; the copies are made while the other recording is
/// synthesized.
fn make_material(dir: &Path) {
    let master = dir.join("master.wav");
    common::write_music_wav(&master, 1, SECONDS);
    let master = text(&master);
    // A radio edit: 15 s cut out of the middle.
    let cut = "[0]atrim=0:15,asetpts=N/SR/TB[a];[0]atrim=30,asetpts=N/SR/TB[b];[a][b]concat=n=2:v=0:a=1";
    let copies = [
        start_ffmpeg(&["-i", master, "-c:a", "libmp3lame", "-b:a", "192k", text(&dir.join("master.mp3"))]),
        start_ffmpeg(&["-i", master, "-c:a", "flac", text(&dir.join("copy.flac"))]),
        start_ffmpeg(&["-i", master, "-ar", "44100", "-c:a", "pcm_s16le", text(&dir.join("cd.wav"))]),
        start_ffmpeg(&["-i", master, "-filter_complex", cut, "-c:a", "pcm_s24le", text(&dir.join("edit.wav"))]),
    ];
    common::write_music_wav(&dir.join("other.wav"), 2, SECONDS);
    copies.into_iter().for_each(finish);
}

/// `dupes --json` on `paths`: (lines, exit code).
fn dupes(paths: &[&Path]) -> (Vec<Value>, i32) {
    let output = common::isrc_stamp().args(["dupes", "--json", "-q"]).args(paths).output().expect("runs");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    (common::json_lines(&stdout), output.status.code().expect("exit code"))
}

/// The file names listed under `files` of a JSON value.
fn names(files: &Value) -> Vec<String> {
    let mut names: Vec<String> = files
        .as_array()
        .expect("files")
        .iter()
        .map(|f| Path::new(f["path"].as_str().expect("path")).file_name().expect("name").to_string_lossy().into())
        .collect();
    names.sort();
    names
}

fn of_kind<'v>(lines: &'v [Value], kind: &str) -> Vec<&'v Value> {
    lines.iter().filter(|line| line["kind"] == kind).collect()
}

#[test]
fn dupes_groups_copies_links_encodes_and_edits_and_keeps_other_recordings_apart() {
    if !common::have_tool("ffmpeg", &["-version"]) {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    make_material(dir.path());
    let (lines, code) = dupes(&[dir.path()]);
    assert_eq!(code, 0, "{lines:#?}");

    let exact = of_kind(&lines, "exact");
    assert_eq!(exact.len(), 1, "{lines:#?}");
    assert_eq!(names(&exact[0]["files"]), ["copy.flac", "master.wav"]);
    assert_eq!(exact[0]["codes_differ"], false);

    let recordings = of_kind(&lines, "same-recording");
    assert_eq!(recordings.len(), 1, "{lines:#?}");
    let members = recordings[0]["members"].as_array().expect("members");
    let member_names: Vec<Vec<String>> = members.iter().map(|m| names(&m["files"])).collect();
    assert_eq!(member_names[0], ["copy.flac", "master.wav"], "the 24-bit master is the reference");
    assert_eq!(member_names[1..], [vec!["cd.wav".to_string()], vec!["master.mp3".to_string()]]);
    for member in &members[1..] {
        let ber = member["ber"].as_f64().expect("ber");
        assert!(ber < 0.05, "an encode of the master scores close to 0: {member}");
        assert!(member["duration_difference_seconds"].as_f64().expect("difference").abs() < 0.1, "{member}");
    }

    let edits = of_kind(&lines, "likely-edit");
    assert_eq!(edits.len(), 1, "{lines:#?}");
    assert_eq!(names(&edits[0]["a"]["files"]), ["copy.flac", "master.wav"]);
    assert_eq!(names(&edits[0]["b"]["files"]), ["edit.wav"]);
    let difference = edits[0]["duration_difference_seconds"].as_f64().expect("difference");
    assert!((difference + 15.0).abs() < 0.1, "{difference}");
    // Over its whole overlap an edit only partly matches: well below unrelated audio (0.4-0.5).
    assert!(edits[0]["ber"].as_f64().expect("ber") < 0.3, "{}", edits[0]);

    let everything = serde_json::to_string(&lines).expect("JSON");
    assert!(!everything.contains("other.wav"), "another recording is never linked: {everything}");

    one_recording_carrying_two_codes_is_a_finding(dir.path());
}

/// The FLAC copy carrying one code and the MP3 another: exit 1, and the same-recording
/// group says so (the exact group does not: the WAV carries no code, that is no conflict).
fn one_recording_carrying_two_codes_is_a_finding(material: &Path) {
    let dir = material.join("tagged");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::copy(material.join("master.wav"), dir.join("master.wav")).expect("copy");
    let flac = dir.join("copy.flac");
    ffmpeg(&["-i", text(&material.join("copy.flac")), "-c", "copy", "-metadata", "ISRC=QZTST2600001", text(&flac)]);
    let mp3 = dir.join("tagged.mp3");
    ffmpeg(&["-i", text(&material.join("master.mp3")), "-c", "copy", "-metadata", "TSRC=QZTST2600002", text(&mp3)]);

    let (lines, code) = dupes(&[&dir]);
    assert_eq!(code, 1, "{lines:#?}");
    let exact = of_kind(&lines, "exact");
    assert_eq!(exact[0]["codes_differ"], false, "a file without a code is no conflict");
    let recordings = of_kind(&lines, "same-recording");
    assert_eq!(recordings.len(), 1, "{lines:#?}");
    assert_eq!(recordings[0]["codes_differ"], true);
    let codes = serde_json::to_string(&recordings[0]).expect("JSON");
    assert!(codes.contains("QZTST2600001") && codes.contains("QZTST2600002"), "{codes}");

    let human = common::isrc_stamp().args(["dupes", "-q"]).arg(&dir).output().expect("runs");
    let report = String::from_utf8(human.stdout).expect("UTF-8");
    assert!(report.contains("CODES DIFFER"), "{report}");
    assert_eq!(human.status.code(), Some(1));
}

#[test]
fn dupes_reports_unreadable_files_and_short_ones_without_failing_the_rest() {
    let dir = common::copy_fixtures(&["cases/not-audio.wav", "same"]);
    let (lines, code) = dupes(&[dir.path()]);
    assert_eq!(code, 2, "{lines:#?}");
    let errors = of_kind(&lines, "error");
    assert_eq!(errors.len(), 1, "{lines:#?}");
    // fixtures/same holds one audio id in several containers: an exact group, too
    // short (under a second) to fingerprint, so no near-duplicate claims.
    let exact = of_kind(&lines, "exact");
    assert!(exact.iter().any(|g| names(&g["files"]).contains(&"same.flac".to_string())), "{lines:#?}");
    assert!(of_kind(&lines, "same-recording").is_empty() && of_kind(&lines, "likely-edit").is_empty());
}

/// `assign --json` on `paths` with `extra` options against `ledger`: (lines, exit code).
fn assign(ledger: &Path, paths: &[&Path], extra: &[&str]) -> (Vec<Value>, i32) {
    let mut args = vec!["assign", "--json", "-q"];
    args.extend(extra);
    args.extend(paths.iter().map(|p| text(p)));
    let (stdout, stderr, code) = common::run_with_ledger(ledger, &args);
    assert!(code != 2, "assign failed: {stdout}\n{stderr}");
    (common::json_lines(&stdout), code)
}

/// A ledger at `dir/ledger.sqlite3` with the prefix QZ-TST.
fn ledger_in(dir: &Path) -> PathBuf {
    let ledger = dir.join("ledger.sqlite3");
    let (stdout, stderr, code) = common::run_with_ledger(&ledger, &["init", "--prefix", "QZ-TST"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    ledger
}

#[test]
fn assign_asks_before_issuing_a_code_to_audio_that_sounds_like_a_recording() {
    if !common::have_tool("ffmpeg", &["-version"]) {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let masters = dir.path().join("masters");
    let encodes = dir.path().join("encodes");
    std::fs::create_dir_all(&masters).expect("mkdir");
    std::fs::create_dir_all(&encodes).expect("mkdir");
    let (master, mp3) = master_and_mp3(&masters);
    // Untagged copies of both in one folder, for a second ledger at the end.
    let delivery = dir.path().join("delivery");
    std::fs::create_dir_all(&delivery).expect("mkdir");
    std::fs::copy(&master, delivery.join("master.wav")).expect("copy");
    std::fs::copy(&mp3, delivery.join("master.mp3")).expect("copy");
    let encoded = encodes.join("master.mp3");
    std::fs::rename(&mp3, &encoded).expect("move the MP3 away");
    common::write_music_wav(&masters.join("other.wav"), 2, SECONDS);
    let ledger = ledger_in(dir.path());

    // Two different recordings: two codes, no question asked.
    let (lines, code) = assign(&ledger, &[&masters], &[]);
    assert_eq!(code, 0, "{lines:#?}");
    assert!(lines.iter().all(|l| l["action"] == "issued"), "{lines:#?}");
    let master_code =
        lines.iter().find(|l| l["path"].as_str().is_some_and(|p| p.ends_with("master.wav"))).expect("master")["isrc"]
            .as_str()
            .expect("code")
            .to_owned();

    // A later run meets the MP3: new audio, but it sounds like the master.
    let before = std::fs::read(&encoded).expect("read");
    let (lines, code) = assign(&ledger, &[&encoded], &[]);
    assert_eq!(code, 1, "{lines:#?}");
    assert_eq!(lines[0]["action"], "conflict");
    assert_eq!(lines[0]["isrc"], master_code.as_str());
    let detail = lines[0]["detail"].as_str().expect("detail");
    assert!(detail.starts_with(&format!("sounds like ISRC {master_code} (the same recording as ")), "{detail}");
    assert!(detail.contains(&format!("pass --same-recording-as {master_code} or --new-version-of {master_code}")));
    assert_eq!(std::fs::read(&encoded).expect("read"), before, "a conflict writes nothing");

    // The engineer answers: the same recording.
    let (lines, code) = assign(&ledger, &[&encoded], &["--same-recording-as", &master_code]);
    assert_eq!(code, 0, "{lines:#?}");
    assert_eq!((lines[0]["action"].as_str(), lines[0]["isrc"].as_str()), (Some("linked"), Some(master_code.as_str())));

    in_one_run_the_master_is_issued_and_its_mp3_asked_about(dir.path(), &delivery);
}

#[test]
fn assign_adopts_the_code_an_encode_carries_but_names_the_recording_it_sounds_like() {
    if !common::have_tool("ffmpeg", &["-version"]) {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let masters = dir.path().join("masters");
    std::fs::create_dir_all(&masters).expect("mkdir");
    let (master, mp3) = master_and_mp3(&masters);
    let encoded = dir.path().join("from the distributor.mp3");
    std::fs::rename(&mp3, &encoded).expect("move the MP3 away");
    let ledger = ledger_in(dir.path());
    let (lines, code) = assign(&ledger, &[&masters], &[]);
    assert_eq!((code, lines[0]["action"].as_str()), (0, Some("issued")), "{lines:#?}");
    let master_code = lines[0]["isrc"].as_str().expect("code").to_owned();

    // The MP3 comes back carrying a code of its own: kept, but the engineer is told.
    common::retag(&encoded, isrc_stamp::container::Format::Mp3, "GBBBB9905305");
    let (lines, code) = assign(&ledger, &[&encoded], &[]);
    assert_eq!(code, 0, "{lines:#?}");
    assert_eq!((lines[0]["action"].as_str(), lines[0]["isrc"].as_str()), (Some("adopted"), Some("GBBBB9905305")));
    let detail = lines[0]["detail"].as_str().expect("a note");
    let expected =
        format!("the file carries it, but it sounds like ISRC {master_code} (the same recording as {}", text(&master));
    assert!(detail.starts_with(&expected), "{detail}");

    // Another recording carrying a code of its own is adopted without a note.
    let other = dir.path().join("other.wav");
    common::write_music_wav(&other, 2, SECONDS);
    common::retag(&other, isrc_stamp::container::Format::Wav, "USPR37300012");
    let (lines, code) = assign(&ledger, &[&other], &[]);
    assert_eq!(code, 0, "{lines:#?}");
    assert_eq!((lines[0]["action"].as_str(), lines[0]["isrc"].as_str()), (Some("adopted"), Some("USPR37300012")));
    assert!(lines[0]["detail"].is_null(), "{lines:#?}");
}

/// A new ledger meets the (untagged) master and its MP3 in one run: the MP3 comes
/// first in the walk, but the lossless master is decided first and issued; the MP3 is
/// asked about.
fn in_one_run_the_master_is_issued_and_its_mp3_asked_about(dir: &Path, folder: &Path) {
    let ledger = ledger_in(&dir.join("second"));
    let (lines, code) = assign(&ledger, &[folder], &[]);
    assert_eq!(code, 1, "{lines:#?}");
    assert!(lines[0]["path"].as_str().is_some_and(|p| p.ends_with("master.mp3")), "{lines:#?}");
    let action = |name: &str| {
        let line = lines.iter().find(|l| l["path"].as_str().is_some_and(|p| p.ends_with(name))).expect("line");
        (line["action"].as_str().expect("action").to_owned(), line["isrc"].as_str().map(str::to_owned))
    };
    let (master_action, master_code) = action("master.wav");
    assert_eq!(master_action, "issued");
    assert_eq!(action("master.mp3"), ("conflict".to_owned(), master_code));
}
