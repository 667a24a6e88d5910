//! `verify`: for each finding id, a folder that produces it and one that does not.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use isrc_stamp::container::Format;
use isrc_stamp::isrc::Isrc;
use serde_json::Value;

/// A temporary folder with a ledger in which the album has been assigned codes.
struct Setup {
    dir: tempfile::TempDir,
    ledger: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let dir = common::copy_fixtures(&["album"]);
        let ledger = dir.path().join("ledger.sqlite3");
        assert_eq!(common::run_with_ledger(&ledger, &["init", "--prefix", "QZ-TST"]).2, 0);
        let album = dir.path().join("album");
        assert_eq!(common::run_with_ledger(&ledger, &["assign", "-q", album.to_str().unwrap()]).2, 0);
        Setup { dir, ledger }
    }

    /// A fresh folder `name` holding copies of `fixtures` (relative to fixtures/).
    fn folder(&self, name: &str, fixtures: &[&str]) -> PathBuf {
        let folder = self.dir.path().join(name);
        std::fs::create_dir_all(&folder).unwrap();
        for rel in fixtures {
            let source = common::fixtures().join(rel);
            std::fs::copy(&source, folder.join(source.file_name().unwrap())).unwrap();
        }
        folder
    }

    /// The album track `n` (1-based) as tagged by `assign`.
    fn track(&self, n: usize) -> PathBuf {
        let mut tracks: Vec<PathBuf> =
            std::fs::read_dir(self.dir.path().join("album")).unwrap().map(|e| e.unwrap().path()).collect();
        tracks.sort();
        tracks[n - 1].clone()
    }

    fn code_of(&self, path: &Path) -> String {
        let (lines, _) = common::inspect_json(&[path]);
        lines[0]["isrcs"][0]["value"].as_str().unwrap().to_owned()
    }

    /// Runs `verify --json` with the ledger (or without any) and returns (finding ids, exit).
    fn verify(&self, folder: &Path, with_ledger: bool, extra: &[&str]) -> (BTreeSet<String>, i32) {
        let mut command = common::isrc_stamp();
        if with_ledger {
            command.arg("--ledger").arg(&self.ledger);
        } else {
            // An empty data folder: no default ledger to find.
            command.env("XDG_DATA_HOME", self.dir.path().join("no-data")).env_remove("ISRC_STAMP_LEDGER");
        }
        let output = command.args(["verify", "--json"]).args(extra).arg(folder).output().unwrap();
        let lines = common::json_lines(&String::from_utf8(output.stdout).unwrap());
        let summary = lines.last().expect("a summary line");
        assert!(summary["summary"].is_object(), "{summary}");
        let per_file = lines.iter().filter_map(|line| line["findings"].as_array()).flatten();
        let set_wide = summary["summary"]["findings"].as_array().unwrap();
        let ids = per_file.chain(set_wide).map(|f| f["id"].as_str().unwrap().to_owned()).collect();
        (ids, output.status.code().unwrap())
    }
}

/// Rewrites the ISRC of a file with the library's writer (not the command under test).
fn retag(path: &Path, format: Format, code: &str) {
    let mut target = tempfile::NamedTempFile::new_in(path.parent().unwrap()).unwrap();
    isrc_stamp::container::write(path, target.as_file_mut(), format, Isrc::parse(code).unwrap()).unwrap();
    target.persist(path).unwrap();
}

fn assert_finding(found: &(BTreeSet<String>, i32), id: &str, present: bool) {
    assert_eq!(
        found.0.contains(id),
        present,
        "{id} {} in {:?}",
        if present { "expected" } else { "unexpected" },
        found.0
    );
}

#[test]
fn a_tagged_album_verifies_clean_with_and_without_the_ledger() {
    let setup = Setup::new();
    let album = setup.dir.path().join("album");
    let with = setup.verify(&album, true, &[]);
    assert!(with.0.is_empty(), "{:?}", with.0);
    assert_eq!(with.1, 0);
    let without = setup.verify(&album, false, &[]);
    assert!(without.0.is_empty(), "{:?}", without.0);
}

#[test]
fn tag_findings() {
    let setup = Setup::new();
    let untagged = setup.folder("untagged", &["album/01 - First Light.flac"]);
    assert_finding(&setup.verify(&untagged, false, &[]), "missing-isrc", true);

    let invalid = setup.folder("invalid", &["cases/invalid-isrc.flac"]);
    assert_finding(&setup.verify(&invalid, false, &[]), "invalid-isrc", true);
    let valid = setup.folder("valid", &["same/same.flac"]);
    let clean = setup.verify(&valid, false, &[]);
    for id in ["missing-isrc", "invalid-isrc", "locations-disagree", "multiple-values", "unknown-country"] {
        assert_finding(&clean, id, false);
    }
    assert_eq!(clean.1, 0);

    let disagree = setup.folder("disagree", &["cases/disagree.wav"]);
    let found = setup.verify(&disagree, false, &[]);
    assert_finding(&found, "locations-disagree", true);
    assert_eq!(found.1, 1);

    let two = setup.folder("two", &["cases/two-tsrc.mp3"]);
    assert_finding(&setup.verify(&two, false, &[]), "multiple-values", true);

    let unknown = setup.folder("unknown", &["same/plain.wav"]);
    retag(&unknown.join("plain.wav"), Format::Wav, "QX1234567890");
    let found = setup.verify(&unknown, false, &[]);
    assert_finding(&found, "unknown-country", true);
    assert_eq!(found.1, 0, "a warning does not fail verify");
}

#[test]
fn ledger_findings() {
    let setup = Setup::new();
    let foreign = setup.folder("foreign", &["same/same.flac"]);
    assert_finding(&setup.verify(&foreign, true, &[]), "not-in-ledger", true);
    assert_finding(&setup.verify(&setup.dir.path().join("album"), true, &[]), "not-in-ledger", false);

    let first_code = setup.code_of(&setup.track(1));
    let retagged = setup.folder("retagged", &[]);
    std::fs::copy(setup.track(2), retagged.join("copy.flac")).unwrap();
    retag(&retagged.join("copy.flac"), Format::Flac, &first_code);
    let found = setup.verify(&retagged, true, &[]);
    assert_finding(&found, "ledger-mismatch", true);
    assert_finding(&found, "code-on-other-audio", false);

    let other = setup.folder("other", &["formats/s16.wav"]);
    retag(&other.join("s16.wav"), Format::Wav, &first_code);
    let found = setup.verify(&other, true, &[]);
    assert_finding(&found, "code-on-other-audio", true);
    assert_finding(&found, "ledger-mismatch", false);

    assert_finding(&setup.verify(&setup.dir.path().join("album"), true, &[]), "void-code", false);
    let code = Isrc::parse(&first_code).unwrap();
    let mut ledger = isrc_stamp::ledger::open(&isrc_stamp::ledger::Location::Sqlite(setup.ledger.clone())).unwrap();
    ledger.transaction(|tx| tx.void(code, "test")).unwrap();
    drop(ledger);
    assert_finding(&setup.verify(&setup.dir.path().join("album"), true, &[]), "void-code", true);
}

#[test]
fn set_findings() {
    let setup = Setup::new();
    // picture.flac and alac.m4a carry the same code on different audio.
    let shared = setup.folder("shared", &["formats/picture.flac", "formats/alac.m4a"]);
    assert_finding(&setup.verify(&shared, false, &[]), "duplicate-code-in-set", true);
    let group = setup.folder("group", &["same/info.wav", "same/same.flac"]);
    let clean = setup.verify(&group, false, &[]);
    assert_finding(&clean, "duplicate-code-in-set", false);
    assert_finding(&clean, "split-recording-in-set", false);

    let split = setup.folder("split", &["same/info.wav", "same/plain.wav"]);
    retag(&split.join("plain.wav"), Format::Wav, "GBBBB9905305");
    assert_finding(&setup.verify(&split, false, &[]), "split-recording-in-set", true);
}

#[test]
fn audio_cuesheet_and_unreadable_findings() {
    let setup = Setup::new();
    let corrupt = setup.folder("corrupt", &["same/same.flac"]);
    let path = corrupt.join("same.flac");
    let mut bytes = std::fs::read(&path).unwrap();
    // STREAMINFO's MD5 is the last 16 bytes of the 34-byte block after "fLaC" and its header.
    bytes[8 + 18] ^= 0xff;
    std::fs::write(&path, bytes).unwrap();
    assert_finding(&setup.verify(&corrupt, false, &[]), "audio-corrupt", true);
    assert_finding(&setup.verify(&setup.dir.path().join("album"), false, &[]), "audio-corrupt", false);

    let cue = setup.folder("cue", &["cases/cuesheet.flac"]);
    assert_finding(&setup.verify(&cue, false, &[]), "cuesheet-disagrees", false);
    retag(&cue.join("cuesheet.flac"), Format::Flac, "USPR37300012");
    assert_finding(&setup.verify(&cue, false, &[]), "cuesheet-disagrees", true);

    let unreadable = setup.folder("unreadable", &["cases/not-audio.wav", "same/same.flac"]);
    let found = setup.verify(&unreadable, false, &[]);
    assert_finding(&found, "unreadable", true);
    assert_eq!(found.1, 2);
    assert_finding(&setup.verify(&setup.dir.path().join("album"), false, &[]), "unreadable", false);
}

#[test]
fn cd_findings() {
    let setup = Setup::new();
    let album = setup.dir.path().join("album");
    let found = setup.verify(&album, true, &["--carrier", "cd"]);
    assert_finding(&found, "cd-track-too-short", true);
    for id in ["cd-sample-rate", "cd-bit-depth", "cd-channels", "cd-too-many-tracks", "cd-too-long"] {
        assert_finding(&found, id, false);
    }
    assert_finding(&setup.verify(&album, true, &["--carrier", "cd", "--max-total", "0:05"]), "cd-too-long", true);
    let odd = setup.folder("odd", &["same/rate48k.wav", "formats/s24.wav"]);
    let found = setup.verify(&odd, false, &["--carrier", "cd"]);
    assert_finding(&found, "cd-sample-rate", true);
    assert_finding(&found, "cd-bit-depth", true);
    let digital = setup.verify(&odd, false, &[]);
    assert_finding(&digital, "cd-sample-rate", false);
}

#[test]
fn json_lines_have_the_documented_keys() {
    let setup = Setup::new();
    let output = common::isrc_stamp()
        .arg("--ledger")
        .arg(&setup.ledger)
        .args(["verify", "--json"])
        .arg(setup.dir.path().join("album"))
        .output()
        .unwrap();
    let lines = common::json_lines(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(lines.len(), 5);
    let mut keys: Vec<&str> = lines[0].as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["audio_id", "duration_seconds", "findings", "isrc", "path"]);
    assert_eq!(lines[4]["summary"]["files"], Value::from(4));
}
