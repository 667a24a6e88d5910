//! `assign` end to end: codes land in every location, readable by programs nobody here
//! wrote; nothing else in the file changes; reruns change nothing; conflicts are caught.

#[macro_use]
mod common;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::Backend;
use serde_json::Value;

// Issue, adopt and reuse (assign_copies_on), unchanged reruns, conflicts and --fix,
// versions and other carriers: on both backends.
on_both_backends!(
    a_second_run_changes_nothing,
    a_retagged_copy_is_a_conflict_until_fixed,
    the_same_audio_as_flac_and_wav_gets_one_code,
    untagged_copies_of_one_audio_in_one_run_share_a_new_code,
    versions_and_other_carriers_are_linked_through_the_ledger,
);

/// Fixtures whose codes do not collide with each other, one or more per format.
const TAGGABLE: &[&str] = &[
    "album",
    "same/bext.wav",
    "same/info.wav",
    "same/same.flac",
    "same/same.aiff",
    "formats/picture.flac",
    "formats/s16.wav",
    "formats/f32.wav",
    "formats/v23.mp3",
    "formats/v24.mp3",
    "formats/aac.m4a",
    "formats/aiff16.aiff",
];

/// Fixtures whose carried codes collide with TAGGABLE's: assigned in a ledger of their own.
const TAGGABLE_APART: &[&str] = &["formats/alac.m4a", "formats/vorbis.ogg", "formats/aifc.aifc"];

struct Tagged {
    dir: tempfile::TempDir,
    /// The ledger: a file in `dir`, or a database on the test server.
    ledger: PathBuf,
    /// path relative to the temp dir → (code, audio id) from `assign --json`.
    codes: HashMap<String, (String, String)>,
    /// `inspect --json` before the run, by relative path.
    before: HashMap<String, Value>,
}

impl Tagged {
    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn code(&self, rel: &str) -> &str {
        &self.codes.get(rel).unwrap_or_else(|| panic!("{rel} was assigned")).0
    }
}

fn inspect_dir(dir: &Path) -> HashMap<String, Value> {
    let (lines, _) = common::inspect_json(&[dir]);
    lines.into_iter().map(|line| (relative(dir, &line), line)).collect()
}

fn relative(dir: &Path, line: &Value) -> String {
    let path = PathBuf::from(line["path"].as_str().unwrap());
    path.strip_prefix(dir).unwrap().to_str().unwrap().to_owned()
}

/// Copies `fixtures`, runs `init` and `assign --json` on them with a fresh SQLite ledger.
fn assign_copies(fixtures: &[&str]) -> Tagged {
    assign_copies_on(fixtures, Backend::Sqlite).expect("SQLite is always there")
}

/// The same on `backend` (`None`: no server to run it on, outside CI).
fn assign_copies_on(fixtures: &[&str], backend: Backend) -> Option<Tagged> {
    let dir = common::copy_fixtures(fixtures);
    let before = inspect_dir(dir.path());
    let ledger = common::fresh_ledger(backend, dir.path())?;
    let (_, _, code) = common::run_with_ledger(&ledger, &["init", "--prefix", "QZ-TST"]);
    assert_eq!(code, 0);
    let folder = dir.path().to_str().unwrap().to_owned();
    let (stdout, stderr, code) = common::run_with_ledger(&ledger, &["assign", "--json", &folder]);
    assert_eq!(code, 0, "assign failed: {stdout}\n{stderr}");
    let codes = common::json_lines(&stdout)
        .into_iter()
        .map(|line| {
            let rel = relative(dir.path(), &line);
            assert!(
                ["issued", "reused", "adopted", "unchanged"].contains(&line["action"].as_str().unwrap()),
                "{rel}: {line}"
            );
            let code = line["isrc"].as_str().unwrap().to_owned();
            assert_eq!(code.len(), 12, "{rel}: the stored form");
            (rel, (code, line["audio_id"].as_str().unwrap().to_owned()))
        })
        .collect();
    Some(Tagged { dir, ledger, codes, before })
}

#[test]
fn every_location_carries_the_code_and_nothing_else_changes() {
    let tagged = assign_copies(TAGGABLE);
    let after = inspect_dir(tagged.dir.path());
    assert_eq!(after.len(), tagged.before.len());
    for (rel, line) in &after {
        let before = &tagged.before[rel];
        let code = tagged.code(rel);
        assert_eq!(line["audio_id"], before["audio_id"], "{rel}: audio id unchanged");
        assert_eq!(line["audio_id"].as_str().unwrap(), tagged.codes[rel].1, "{rel}");
        for key in ["title", "artist", "frames", "stored_md5"] {
            assert_eq!(line[key], before[key], "{rel}: {key} unchanged");
        }
        let locations: HashSet<&str> =
            line["isrcs"].as_array().unwrap().iter().map(|i| i["location"].as_str().unwrap()).collect();
        for isrc in line["isrcs"].as_array().unwrap() {
            assert_eq!(isrc["value"], code, "{rel}: {isrc}");
        }
        let expected: &[&str] = match line["format"].as_str().unwrap() {
            "wav" => &["id3v2:TSRC", "riff-info:ISRC"],
            "flac" | "ogg" => &["vorbis:ISRC"],
            "aiff" | "mp3" => &["id3v2:TSRC"],
            _ => &["mp4:----:com.apple.iTunes:ISRC"],
        };
        for location in expected {
            assert!(locations.contains(location), "{rel}: {location} in {locations:?}");
        }
    }
    // The copies of one audio got one code.
    assert_eq!(tagged.code("same/bext.wav"), tagged.code("same/same.flac"));
    assert_eq!(tagged.code("same/info.wav"), "USPR37300012", "the code the group carried is adopted");
}

#[test]
fn chunks_pictures_and_unknown_fields_survive_byte_for_byte() {
    let tagged = assign_copies(&["same/bext.wav", "formats/picture.flac", "same/same.flac"]);
    let original = common::riff_chunks(&common::fixtures().join("same/bext.wav"));
    let written = common::riff_chunks(&tagged.path("same/bext.wav"));
    for id in [b"bext", b"fmt ", b"data"] {
        let find = |chunks: &[([u8; 4], Vec<u8>)]| chunks.iter().find(|(i, _)| i == id).map(|(_, b)| b.clone());
        assert_eq!(find(&written), find(&original), "chunk {:?} byte for byte", String::from_utf8_lossy(id));
    }
    let picture = |path: &Path| common::flac_blocks(path).into_iter().find(|(kind, _)| *kind == 6).map(|(_, b)| b);
    assert!(picture(&tagged.path("formats/picture.flac")).is_some());
    assert_eq!(
        picture(&tagged.path("formats/picture.flac")),
        picture(&common::fixtures().join("formats/picture.flac"))
    );
    if common::have_tool("metaflac", &["--version"]) {
        let tags = metaflac_tags(&tagged.path("same/same.flac"));
        assert!(tags.contains("X_MASTERING_NOTE=keep this field: unknown comments must survive"), "{tags}");
        assert!(tags.contains("TITLE=Same Samples") && tags.contains("ARTIST=Fixture Ensemble"), "{tags}");
    }
}

fn metaflac_tags(path: &Path) -> String {
    let output = Command::new("metaflac").arg("--export-tags-to=-").arg(path).output().expect("metaflac runs");
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn ffprobe_reads_the_code_from_every_format() {
    if !common::have_tool("ffprobe", &["-version"]) {
        return;
    }
    for set in [TAGGABLE, TAGGABLE_APART] {
        let tagged = assign_copies(set);
        for rel in tagged.codes.keys() {
            let output = Command::new("ffprobe")
                .args(["-v", "error", "-show_entries", "format_tags:stream_tags", "-of", "json"])
                .arg(tagged.path(rel))
                .output()
                .unwrap();
            let json: Value = serde_json::from_slice(&output.stdout).unwrap();
            let mut values = Vec::new();
            let tag_maps = std::iter::once(&json["format"]["tags"])
                .chain(json["streams"].as_array().into_iter().flatten().map(|s| &s["tags"]));
            for tags in tag_maps.filter_map(Value::as_object) {
                for (key, value) in tags {
                    if ["ISRC", "TSRC"].contains(&key.to_uppercase().as_str()) {
                        values.push(value.as_str().unwrap().to_owned());
                    }
                }
            }
            assert!(!values.is_empty(), "ffprobe sees no ISRC in {rel}: {json}");
            for value in values {
                assert_eq!(value, tagged.code(rel), "{rel}");
            }
        }
    }
}

#[test]
fn metaflac_reads_the_code_from_flac() {
    if !common::have_tool("metaflac", &["--version"]) {
        return;
    }
    let tagged = assign_copies(&["album", "formats/picture.flac", "same/same.flac"]);
    let mut checked = 0;
    for rel in tagged.codes.keys().filter(|rel| rel.ends_with(".flac")) {
        let tags = metaflac_tags(&tagged.path(rel));
        let isrcs: Vec<&str> = tags.lines().filter_map(|l| l.strip_prefix("ISRC=")).collect();
        assert_eq!(isrcs, [tagged.code(rel)], "{rel}");
        checked += 1;
    }
    assert_eq!(checked, 6);
}

#[test]
fn mutagen_reads_the_code_from_every_location() {
    let Some(python) = common::mutagen_python() else {
        return;
    };
    const SCRIPT: &str = r#"
import json, sys, mutagen
from mutagen.wave import WAVE
for path in sys.argv[1:]:
    f = mutagen.File(path)
    found = []
    for key, value in (f.tags or {}).items():
        if key.upper() in ("TSRC", "ISRC") or key in ("----:com.apple.iTunes:ISRC", "\xa9isr"):
            values = value if isinstance(value, list) else getattr(value, "text", [value])
            for v in values:
                found.append(bytes(v).decode() if isinstance(v, (bytes, bytearray)) else str(v))
    print(json.dumps({"path": path, "isrcs": found}))
"#;
    for set in [TAGGABLE, TAGGABLE_APART] {
        let tagged = assign_copies(set);
        let paths: Vec<PathBuf> = tagged.codes.keys().map(|rel| tagged.path(rel)).collect();
        let output = Command::new(python).arg("-c").arg(SCRIPT).args(&paths).output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        for line in common::json_lines(&String::from_utf8(output.stdout).unwrap()) {
            let rel = relative(tagged.dir.path(), &line);
            let isrcs = line["isrcs"].as_array().unwrap();
            assert!(!isrcs.is_empty(), "mutagen sees no ISRC in {rel}");
            for isrc in isrcs {
                assert_eq!(isrc, tagged.code(&rel), "{rel}");
            }
        }
    }
}

fn a_second_run_changes_nothing(backend: Backend) {
    let Some(tagged) = assign_copies_on(&["album", "same"], backend) else { return };
    let before = common::snapshot(tagged.dir.path());
    let ledger = tagged.ledger.clone();
    let listed = |ledger: &Path| common::run_with_ledger(ledger, &["ledger", "list", "--json"]).0;
    let codes_before = listed(&ledger);
    let folder = tagged.dir.path().to_str().unwrap().to_owned();
    let (stdout, _, code) = common::run_with_ledger(&ledger, &["assign", "--json", &folder]);
    assert_eq!(code, 0);
    let lines = common::json_lines(&stdout);
    assert_eq!(lines.len(), 16);
    for line in &lines {
        assert_eq!(line["action"], "unchanged", "{line}");
    }
    let after = common::snapshot(tagged.dir.path());
    let audio = |snapshot: &[(PathBuf, Vec<u8>)]| -> Vec<(PathBuf, Vec<u8>)> {
        snapshot.iter().filter(|(p, _)| !p.to_string_lossy().contains("ledger.sqlite3")).cloned().collect()
    };
    assert_eq!(audio(&after), audio(&before), "every file byte-identical");
    assert_eq!(listed(&ledger), codes_before, "no new code");
}

fn a_retagged_copy_is_a_conflict_until_fixed(backend: Backend) {
    let Some(tagged) = assign_copies_on(&["album"], backend) else { return };
    let ledger = tagged.ledger.clone();
    let original = tagged.path("album/01 - First Light.flac");
    let copy = tagged.dir.path().join("copy.flac");
    std::fs::copy(&original, &copy).unwrap();
    // Retag the copy with another valid code, as another tool would.
    common::retag(&copy, isrc_stamp::container::Format::Flac, "GBBBB9905305");
    let before = std::fs::read(&copy).unwrap();
    let (stdout, _, code) = common::run_with_ledger(&ledger, &["assign", "--json", copy.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}");
    let line = &common::json_lines(&stdout)[0];
    assert_eq!(line["action"], "conflict");
    assert_eq!(line["isrc"], tagged.code("album/01 - First Light.flac"));
    assert_eq!(line["previous"], "GBBBB9905305");
    assert!(line["detail"].as_str().unwrap().contains("retagged duplicate"), "{line}");
    assert_eq!(std::fs::read(&copy).unwrap(), before, "a conflict never writes");

    let (stdout, _, code) = common::run_with_ledger(&ledger, &["assign", "--json", "--fix", copy.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(common::json_lines(&stdout)[0]["action"], "reused");
    let (lines, _) = common::inspect_json(&[&copy]);
    assert_eq!(lines[0]["isrcs"][0]["value"], tagged.code("album/01 - First Light.flac"));
}

fn the_same_audio_as_flac_and_wav_gets_one_code(backend: Backend) {
    let dir = common::copy_fixtures(&["same/plain.wav", "formats/plain.flac", "formats/s16.wav"]);
    // The group's samples as FLAC (it carries the group's code; plain.wav carries none).
    std::fs::copy(common::fixtures().join("same/same.flac"), dir.path().join("group.flac")).unwrap();
    let Some(ledger) = common::fresh_ledger(backend, dir.path()) else { return };
    common::run_with_ledger(&ledger, &["init", "--prefix", "QZ-TST"]);
    let (stdout, _, code) = common::run_with_ledger(&ledger, &["assign", "--json", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}");
    let by_name: HashMap<String, Value> =
        common::json_lines(&stdout).into_iter().map(|l| (relative(dir.path(), &l), l)).collect();
    assert_eq!(by_name["same/plain.wav"]["isrc"], by_name["group.flac"]["isrc"]);
    assert_eq!(by_name["same/plain.wav"]["audio_id"], by_name["group.flac"]["audio_id"]);
    assert_ne!(by_name["formats/s16.wav"]["isrc"], by_name["formats/plain.flac"]["isrc"]);
}

fn untagged_copies_of_one_audio_in_one_run_share_a_new_code(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.wav", "b.wav"] {
        std::fs::copy(common::fixtures().join("same/plain.wav"), dir.path().join(name)).unwrap();
    }
    let Some(ledger) = common::fresh_ledger(backend, dir.path()) else { return };
    common::run_with_ledger(&ledger, &["init", "--prefix", "QZ-TST"]);
    let (stdout, _, code) = common::run_with_ledger(&ledger, &["assign", "--json", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    let lines = common::json_lines(&stdout);
    assert_eq!(lines[0]["action"], "issued");
    assert_eq!(lines[1]["action"], "reused");
    assert_eq!(lines[0]["isrc"], lines[1]["isrc"]);
    let (listed, _, _) = common::run_with_ledger(&ledger, &["ledger", "list", "--json"]);
    assert_eq!(listed.lines().count(), 1, "one recording");
}

fn versions_and_other_carriers_are_linked_through_the_ledger(backend: Backend) {
    let Some(tagged) = assign_copies_on(&["album"], backend) else { return };
    let ledger = tagged.ledger.clone();
    let parent = tagged.code("album/01 - First Light.flac").to_owned();
    let edit = tagged.dir.path().join("edit.wav");
    std::fs::copy(common::fixtures().join("formats/s16.wav"), &edit).unwrap();
    let mp3 = tagged.dir.path().join("carrier.wav");
    std::fs::copy(common::fixtures().join("formats/u8.wav"), &mp3).unwrap();

    let args = ["assign", "--json", "--new-version-of", &parent, "--as", "edit", edit.to_str().unwrap()];
    let (stdout, _, code) = common::run_with_ledger(&ledger, &args);
    assert_eq!(code, 0, "{stdout}");
    let line = &common::json_lines(&stdout)[0];
    assert_eq!(line["action"], "issued");
    assert_ne!(line["isrc"], parent.as_str());
    let (shown, _, _) = common::run_with_ledger(&ledger, &["ledger", "show", "--json", line["isrc"].as_str().unwrap()]);
    let shown: Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["recording"]["parent"], parent.as_str());
    assert_eq!(shown["recording"]["relation"], "edit");

    let args = ["assign", "--json", "--same-recording-as", &parent, mp3.to_str().unwrap()];
    let (stdout, _, code) = common::run_with_ledger(&ledger, &args);
    assert_eq!(code, 0, "{stdout}");
    let line = &common::json_lines(&stdout)[0];
    assert_eq!((line["action"].as_str(), line["isrc"].as_str()), (Some("linked"), Some(parent.as_str())));
    let (shown, _, _) = common::run_with_ledger(&ledger, &["ledger", "show", "--json", &parent]);
    let shown: Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["audio"].as_array().unwrap().len(), 2, "two audio ids, one recording");
}

/// Sets the MP4 atoms `(name, value)` of `path` (`©isr`, or `----:com.apple.iTunes:NAME`
/// for a freeform atom) with lofty
/// directly, as another tagger would.
fn set_mp4_atoms(path: &Path, atoms: &[(&str, &str)]) {
    use lofty::file::AudioFile;
    use lofty::mp4::{Atom, AtomData, AtomIdent, Mp4File};
    use std::borrow::Cow;
    let mut file = std::fs::File::open(path).unwrap();
    let mut mp4 = Mp4File::read_from(&mut file, lofty::config::ParseOptions::new()).unwrap();
    let mut ilst = mp4.ilst().cloned().unwrap_or_default();
    for (name, value) in atoms {
        let ident = match name.strip_prefix("----:com.apple.iTunes:") {
            Some(name) => {
                AtomIdent::Freeform { mean: Cow::Borrowed("com.apple.iTunes"), name: Cow::Owned(name.into()) }
            }
            // Atom names are Latin-1 (`©isr`).
            None => AtomIdent::Fourcc(name.chars().map(|c| c as u8).collect::<Vec<u8>>().try_into().unwrap()),
        };
        ilst.replace_atom(Atom::new(ident, AtomData::UTF8(value.to_string())));
    }
    mp4.set_ilst(ilst);
    mp4.save_to_path(path, lofty::config::WriteOptions::new()).unwrap();
}

/// The values of the `xid ` atom of `path`, read with lofty directly.
fn xid_values(path: &Path) -> Vec<String> {
    use lofty::file::AudioFile;
    use lofty::mp4::{AtomData, AtomIdent, Mp4File};
    let mut file = std::fs::File::open(path).unwrap();
    let mp4 = Mp4File::read_from(&mut file, lofty::config::ParseOptions::new()).unwrap();
    let ilst = mp4.ilst().unwrap();
    let atom = ilst.get(&AtomIdent::Fourcc(*b"xid ")).unwrap();
    atom.data().map(|data| if let AtomData::UTF8(text) = data { text.clone() } else { panic!("{data:?}") }).collect()
}

#[test]
fn an_apple_xid_is_read_compared_and_kept_in_step() {
    // aac.m4a carries GBBBB9905305 in the freeform atom and in ©isr.
    let dir = common::copy_fixtures(&["formats/aac.m4a"]);
    let ledger = dir.path().join("ledger.sqlite3");
    common::run_with_ledger(&ledger, &["init", "--prefix", "QZ-TST"]);
    let tagged = dir.path().join("formats/aac.m4a");
    set_mp4_atoms(&tagged, &[("xid ", "Test Label: Music:isrc:GBBBB9905305")]);
    let (lines, _) = common::inspect_json(&[&tagged]);
    let isrcs = lines[0]["isrcs"].as_array().unwrap();
    assert!(
        isrcs.iter().any(|i| i["location"] == "mp4:xid" && i["value"] == "GBBBB9905305" && i["valid"] == true),
        "{isrcs:?}"
    );
    let (stdout, _, code) = common::run_with_ledger(&ledger, &["assign", "--json", tagged.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(common::json_lines(&stdout)[0]["action"], "adopted");

    // An xid that names another code than the other atoms: the locations disagree.
    let disagreeing = dir.path().join("disagreeing.m4a");
    std::fs::copy(&tagged, &disagreeing).unwrap();
    set_mp4_atoms(&disagreeing, &[("xid ", "Test Label: Music:isrc:USPR37300012")]);
    let before = std::fs::read(&disagreeing).unwrap();
    let (stdout, _, code) = common::run_with_ledger(&ledger, &["assign", "--json", disagreeing.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}");
    let line = &common::json_lines(&stdout)[0];
    assert_eq!(line["action"], "conflict");
    assert!(line["detail"].as_str().unwrap().contains("USPR37300012"), "{line}");
    assert_eq!(std::fs::read(&disagreeing).unwrap(), before, "a conflict never writes");

    // Retagged everywhere, xid included: --fix puts the ledger's code back in every
    // atom, the xid's provider kept.
    let retagged = dir.path().join("retagged.m4a");
    std::fs::copy(&tagged, &retagged).unwrap();
    set_mp4_atoms(
        &retagged,
        &[
            ("----:com.apple.iTunes:ISRC", "USPR37300012"),
            ("\u{a9}isr", "USPR37300012"),
            ("xid ", "Test Label: Music:isrc:USPR37300012"),
        ],
    );
    let args = ["assign", "--json", "--fix", retagged.to_str().unwrap()];
    let (stdout, _, code) = common::run_with_ledger(&ledger, &args);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(common::json_lines(&stdout)[0]["action"], "reused");
    assert_eq!(xid_values(&retagged), ["Test Label: Music:isrc:GBBBB9905305"]);
    let (lines, _) = common::inspect_json(&[&retagged]);
    let isrcs = lines[0]["isrcs"].as_array().unwrap();
    assert_eq!(isrcs.len(), 3, "{isrcs:?}");
    assert!(isrcs.iter().all(|i| i["value"] == "GBBBB9905305"), "{isrcs:?}");
}
