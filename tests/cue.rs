//! `cue` end to end: the sheet parses back with the right ISRC per track, in the files'
//! order or the order file's; bad input writes no sheet.

mod common;

use std::collections::HashMap;
use std::path::Path;

use isrc_stamp::carrier::cue::{self, CueSheet};

const TRACKS: [&str; 4] =
    ["01 - First Light.flac", "02 - Harbour Wall.flac", "03 - Slow Tide.flac", "04 - Lantern.flac"];
const TITLES: [&str; 4] = ["First Light", "Harbour Wall", "Slow Tide", "Lantern"];

/// A copy of the album, assigned on a ledger of its own; codes by file name.
struct Album {
    dir: tempfile::TempDir,
    codes: HashMap<String, String>,
}

impl Album {
    fn assigned() -> Album {
        let dir = common::copy_fixtures(&["album"]);
        let ledger = dir.path().join("ledger.sqlite3");
        let (_, stderr, code) = common::run_with_ledger(&ledger, &["init", "--prefix", "QZ-TST"]);
        assert_eq!(code, 0, "{stderr}");
        let folder = dir.path().join("album");
        let (stdout, stderr, code) = common::run_with_ledger(&ledger, &["assign", "--json", path_str(&folder)]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        let codes = common::json_lines(&stdout)
            .into_iter()
            .map(|line| {
                let path = Path::new(line["path"].as_str().unwrap());
                let name = path.file_name().unwrap().to_str().unwrap().to_owned();
                (name, line["isrc"].as_str().unwrap().to_owned())
            })
            .collect::<HashMap<_, _>>();
        assert_eq!(codes.len(), 4);
        Album { dir, codes }
    }

    /// Runs `cue` in the copy's folder.
    fn cue(&self, args: &[&str]) -> (String, String, i32) {
        let output = common::isrc_stamp().current_dir(self.dir.path()).arg("cue").args(args).output().unwrap();
        (
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
            output.status.code().unwrap(),
        )
    }

    fn read_sheet(&self, relative: &str) -> CueSheet {
        let text = std::fs::read_to_string(self.dir.path().join(relative)).unwrap();
        cue::parse(&text).unwrap_or_else(|e| panic!("{relative} parses: {e}\n{text}"))
    }

    /// Checks the tracks are `order` (indexes into TRACKS), named with `folder`, each
    /// with its title and the code `assign` reported for its file.
    fn check_tracks(&self, sheet: &CueSheet, order: &[usize], folder: &str) {
        assert_eq!(sheet.tracks.len(), order.len());
        for (position, (track, &index)) in sheet.tracks.iter().zip(order).enumerate() {
            assert_eq!(usize::from(track.number), position + 1);
            assert_eq!(track.file, format!("{folder}{}", TRACKS[index]));
            assert_eq!(track.title.as_deref(), Some(TITLES[index]));
            assert_eq!(track.performer.as_deref(), Some("Fixture Ensemble"));
            let isrc = track.isrc.map(|i| i.to_string());
            assert_eq!(isrc.as_deref(), Some(self.codes[TRACKS[index]].as_str()), "track {}", track.number);
        }
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn the_sheet_parses_back_with_each_tracks_code() {
    let album = Album::assigned();
    let (stdout, stderr, code) = album.cue(&["--output", "album.cue", "--catalog", "4006381333931", "album"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty(), "the sheet goes to the file: {stdout}");
    let sheet = album.read_sheet("album.cue");
    assert_eq!(sheet.catalog.map(|c| c.to_string()).as_deref(), Some("4006381333931"));
    assert_eq!(sheet.performer.as_deref(), Some("Fixture Ensemble"));
    assert_eq!(sheet.title.as_deref(), Some("Fixture Harbour"));
    album.check_tracks(&sheet, &[0, 1, 2, 3], "album/");

    let text = std::fs::read_to_string(album.dir.path().join("album.cue")).unwrap();
    assert!(text.contains("FILE \"album/01 - First Light.flac\" WAVE\r\n  TRACK 01 AUDIO\r\n"), "{text}");
    assert!(text.contains(&format!("    ISRC {}\r\n", album.codes[TRACKS[0]])), "{text}");
    let leftovers: Vec<_> = std::fs::read_dir(album.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file left: {leftovers:?}");
}

#[test]
fn file_names_are_relative_to_the_output_folder_or_the_current_one() {
    let album = Album::assigned();
    let (_, stderr, code) = album.cue(&["-o", "album/inside.cue", "album"]);
    assert_eq!(code, 0, "{stderr}");
    let sheet = album.read_sheet("album/inside.cue");
    assert_eq!(sheet.catalog, None);
    album.check_tracks(&sheet, &[0, 1, 2, 3], "");

    std::fs::create_dir(album.dir.path().join("sheets")).unwrap();
    let (_, stderr, code) = album.cue(&["-o", "sheets/beside.cue", "album"]);
    assert_eq!(code, 0, "{stderr}");
    album.check_tracks(&album.read_sheet("sheets/beside.cue"), &[0, 1, 2, 3], "../album/");

    let (stdout, stderr, code) = album.cue(&["album"]);
    assert_eq!(code, 0, "{stderr}");
    album.check_tracks(&cue::parse(&stdout).unwrap(), &[0, 1, 2, 3], "album/");
}

#[test]
fn an_order_file_sets_the_track_order() {
    let album = Album::assigned();
    let folder = album.dir.path().join("album");
    // Relative to the order file's folder, with a comment, a blank line and one absolute path.
    let order =
        format!("# reversed\n{}\n\n{}\n{}\n{}\n", TRACKS[3], TRACKS[2], path_str(&folder.join(TRACKS[1])), TRACKS[0]);
    std::fs::write(folder.join("order.txt"), order).unwrap();
    let (_, stderr, code) = album.cue(&["--order", "album/order.txt", "-o", "reversed.cue", "album"]);
    assert_eq!(code, 0, "{stderr}");
    album.check_tracks(&album.read_sheet("reversed.cue"), &[3, 2, 1, 0], "album/");
}

#[test]
fn an_order_file_that_does_not_match_the_files_is_an_error_listing_each_mismatch() {
    let album = Album::assigned();
    let order = format!("{}\n{}\nmissing.flac\n{}\n", TRACKS[0], TRACKS[1], TRACKS[0]);
    std::fs::write(album.dir.path().join("album/order.txt"), order).unwrap();
    let (stdout, stderr, code) = album.cue(&["--order", "album/order.txt", "-o", "out.cue", "album"]);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(stderr.contains("missing.flac: no such file or folder"), "{stderr}");
    assert!(stderr.contains("listed twice"), "{stderr}");
    for unlisted in [TRACKS[2], TRACKS[3]] {
        assert!(stderr.contains(&format!("{unlisted} is not listed in the order file")), "{stderr}");
    }
    assert!(!album.dir.path().join("out.cue").exists(), "no sheet written");
}

#[test]
fn a_bad_catalog_is_a_usage_error_naming_the_check_digit() {
    let album = Album::assigned();
    let (stdout, stderr, code) = album.cue(&["--catalog", "4006381333932", "-o", "out.cue", "album"]);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(stderr.contains("check digit") && stderr.contains("should be 1, not 2"), "{stderr}");
    assert!(!album.dir.path().join("out.cue").exists());

    let (_, stderr, code) = album.cue(&["--catalog", "036000291452", "-o", "upc.cue", "album"]);
    assert_eq!(code, 0, "a UPC-A is accepted: {stderr}");
    let catalog = album.read_sheet("upc.cue").catalog.map(|c| c.to_string());
    assert_eq!(catalog.as_deref(), Some("0036000291452"));
}

#[test]
fn a_track_with_two_codes_is_a_finding_and_writes_no_sheet() {
    let album = Album::assigned();
    let disagree = album.dir.path().join("album/05 - Two Codes.wav");
    std::fs::copy(common::fixtures().join("cases/disagree.wav"), &disagree).unwrap();
    let output = album.dir.path().join("album.cue");
    std::fs::write(&output, "old sheet").unwrap();
    let (stdout, stderr, code) = album.cue(&["-o", "album.cue", "album"]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stderr.contains("05 - Two Codes.wav: the tags hold different ISRCs"), "{stderr}");
    assert!(stderr.contains("USDO19800058") && stderr.contains("GBBBB9905305"), "{stderr}");
    assert!(stderr.contains("no CUE sheet written"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "old sheet", "the old sheet is untouched");
}

#[test]
fn an_unreadable_file_is_an_error_and_writes_no_sheet() {
    let album = Album::assigned();
    std::fs::copy(common::fixtures().join("cases/not-audio.wav"), album.dir.path().join("album/00 - bad.wav")).unwrap();
    let (_, stderr, code) = album.cue(&["-o", "album.cue", "album"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("00 - bad.wav"), "{stderr}");
    assert!(!album.dir.path().join("album.cue").exists());
}

#[test]
fn tracks_without_a_code_stop_the_sheet_unless_allowed() {
    let dir = common::copy_fixtures(&["album"]);
    let refused = common::isrc_stamp().current_dir(dir.path()).args(["cue", "album"]).output().unwrap();
    let stderr = String::from_utf8(refused.stderr).unwrap();
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(refused.stdout.is_empty(), "no sheet");
    assert!(stderr.contains("no CUE sheet written (4 problems)") && stderr.contains("--allow-missing"), "{stderr}");
    let output = common::isrc_stamp()
        .current_dir(dir.path())
        .args(["cue", "--json", "--allow-missing", "album"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    for name in TRACKS {
        assert!(stderr.contains(&format!("{name}: no ISRC in the tags")), "{stderr}");
    }
    let lines = common::json_lines(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(lines.len(), 1, "one JSON object for the sheet");
    let tracks = lines[0]["tracks"].as_array().unwrap();
    assert_eq!(tracks.len(), 4);
    assert_eq!(tracks[1]["track"], 2);
    assert_eq!(tracks[1]["file"], "album/02 - Harbour Wall.flac");
    assert_eq!(tracks[1]["title"], "Harbour Wall");
    assert!(tracks.iter().all(|t| t["isrc"].is_null()));
    assert_eq!(lines[0]["performer"], "Fixture Ensemble");
}
