//! Bringing a back catalogue in (issue 26), on real recorded music: a distributor's
//! spreadsheet (`ISRC,Track Title,Artist,Release Title,UPC,Track #,Duration`, durations
//! as m:ss) imported, then an archive of untagged WAV, FLAC and MP3 copies assigned
//! against it: every file finds the code it already has, none is issued a second one.
//! Tracks of Debian's `drascula-music` are derived into a temporary folder.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::music::{self, text};
use common::{assign_by_name as assign, name};

/// (drascula track, title, seconds kept): four recordings of distinct lengths.
const TRACKS: [(&str, &str, u32); 4] = [
    ("track1", "Harbour Lights", 31),
    ("track2", "Slow Tide", 34),
    ("track11", "Lantern", 37),
    ("track14", "Wall", 40),
];

/// The distributor's codes, in track order.
const CODES: [&str; 4] = ["GBDST2300011", "GBDST2300012", "GBDST2300013", "GBDST2300014"];

/// An archive: per track a WAV master, its FLAC (the same samples) and an MP3, named
/// `NN - Title.ext`, carrying no code.
struct Archive {
    _dir: tempfile::TempDir,
    /// Per track: [wav, flac, mp3].
    files: Vec<[PathBuf; 3]>,
}

fn archive() -> Option<&'static Archive> {
    static ARCHIVE: OnceLock<Option<Archive>> = OnceLock::new();
    ARCHIVE
        .get_or_init(|| {
            let drascula = music::drascula()?;
            if !music::tools() {
                return None;
            }
            let dir = common::music::scratch();
            let files = std::thread::scope(|scope| {
                let handles: Vec<_> = TRACKS
                    .iter()
                    .enumerate()
                    .map(|(n, (ogg, title, seconds))| {
                        let (drascula, root) = (&drascula, dir.path());
                        scope.spawn(move || {
                            let name = format!("{:02} - {title}", n + 1);
                            let wav = root.join(format!("{name}.wav"));
                            let flac = root.join(format!("{name}.flac"));
                            let mp3 = root.join(format!("{name}.mp3"));
                            let source = drascula.join(format!("{ogg}.ogg"));
                            music::run(
                                "sox",
                                &[
                                    text(&source),
                                    "-b",
                                    "16",
                                    text(&wav),
                                    "trim",
                                    "0",
                                    &seconds.to_string(),
                                    "rate",
                                    "-v",
                                    "44100",
                                ],
                            );
                            music::run("flac", &["-s", "-f", "-o", text(&flac), text(&wav)]);
                            music::run("lame", &["--quiet", "-V", "2", text(&wav), text(&mp3)]);
                            [wav, flac, mp3]
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().expect("derived")).collect()
            });
            Some(Archive { _dir: dir, files })
        })
        .as_ref()
}

/// The distributor's spreadsheet: an EP of tracks 1-2, an album of all four, and a
/// compilation reusing tracks 1 and 3; durations as m:ss.
fn spreadsheet(title_of_first: &str) -> String {
    let mut sheet = String::from("ISRC,Track Title,Artist,Release Title,UPC,Track #,Duration\n");
    let row = |n: usize, title: &str, release: &str, upc: &str, track: usize| {
        let seconds = TRACKS[n].2;
        format!("{},{title},Lumen,{release},{upc},{track},{}:{:02}\n", CODES[n], seconds / 60, seconds % 60)
    };
    let title = |n: usize| if n == 0 { title_of_first.to_owned() } else { TRACKS[n].1.to_owned() };
    for n in 0..2 {
        sheet.push_str(&row(n, &title(n), "Harbour EP", "036000291452", n + 1));
    }
    for n in 0..4 {
        sheet.push_str(&row(n, &title(n), "Harbour", "4006381333931", n + 1));
    }
    for (track, n) in [(5, 0), (6, 2)] {
        sheet.push_str(&row(n, &title(n), "Best Of Lumen", "5901234123457", track));
    }
    sheet
}

/// A ledger with the label's own prefix and the distributor's sheet imported.
fn ledger_with_catalogue(root: &Path) -> PathBuf {
    let ledger = root.join("ledger.sqlite3");
    let (_, stderr, code) = common::run_with_ledger(&ledger, &["init", "--prefix", "QZ-LBL"]);
    assert_eq!(code, 0, "{stderr}");
    let sheet = root.join("distributor.csv");
    std::fs::write(&sheet, spreadsheet("Harbour Lights")).expect("written");
    // Without --foreign, the distributor's codes are refused, every one named.
    let (_, stderr, code) = common::run_with_ledger(&ledger, &["ledger", "import", text(&sheet)]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("GBDST2300011") && stderr.contains("--foreign"), "{stderr}");
    let (stdout, stderr, code) =
        common::run_with_ledger(&ledger, &["--json", "ledger", "import", "--foreign", text(&sheet)]);
    assert_eq!(code, 0, "{stderr}");
    let summary = &common::json_lines(&stdout)[0]["summary"];
    assert_eq!(
        (summary["recordings_imported"].as_u64(), summary["releases_imported"].as_u64()),
        (Some(4), Some(3)),
        "{summary}"
    );
    ledger
}

/// A fresh copy of the archive's files of `tracks` (by index) in `folder`.
fn copy_archive(folder: &Path, tracks: &[usize]) -> Vec<[PathBuf; 3]> {
    let archive = archive().expect("archive");
    std::fs::create_dir_all(folder).expect("mkdir");
    tracks
        .iter()
        .map(|&n| {
            archive.files[n].clone().map(|file| {
                let target = folder.join(file.file_name().expect("name"));
                std::fs::copy(&file, &target).expect("copy");
                target
            })
        })
        .collect()
}

#[test]
fn an_untagged_archive_finds_its_imported_codes_and_none_is_issued() {
    if archive().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let ledger = ledger_with_catalogue(dir.path());
    let folder = dir.path().join("archive");
    let files = copy_archive(&folder, &[0, 1, 2, 3]);

    // Asked about, never issued: every master is a question `imported` proposing its code.
    let (lines, code, stderr) = assign(&ledger, &["--dry-run", text(&folder)]);
    assert_eq!(code, 1, "{stderr}");
    assert!(lines.values().all(|l| l["action"] != "issued"), "{lines:#?}");
    for (n, track) in files.iter().enumerate() {
        // The WAV and FLAC hold the same samples: one of them carries the proposal.
        let masters = [&lines[&name(&track[0])], &lines[&name(&track[1])]];
        assert!(masters.iter().all(|line| line["question"]["kind"] == "imported"), "{masters:#?}");
        assert!(masters.iter().any(|line| line["question"]["proposal"]["isrc"] == CODES[n]), "{masters:#?}");
    }

    // Accepted: every file linked to its imported code, nothing issued.
    let (lines, code, stderr) = assign(&ledger, &["--accept", "imported,encodes", text(&folder)]);
    assert_eq!(code, 0, "{stderr}");
    for (n, track) in files.iter().enumerate() {
        for file in track {
            let line = &lines[&name(file)];
            assert_eq!(line["isrc"], CODES[n], "{line:#}");
            assert!(["linked", "reused"].contains(&line["action"].as_str().unwrap()), "{line:#}");
        }
    }
    let (stdout, _, code) = common::run_with_ledger(&ledger, &["verify", text(&folder)]);
    assert_eq!(code, 0, "{stdout}");
    let (stdout, _, _) = common::run_with_ledger(&ledger, &["ledger", "list", "--unbound"]);
    assert_eq!(stdout.lines().count(), 1, "only the header: every code has its audio now\n{stdout}");

    // Where every code sits: each path the ledger saw it at.
    let (stdout, stderr, code) = common::run_with_ledger(&ledger, &["--json", "ledger", "show", CODES[0]]);
    assert_eq!(code, 0, "{stderr}");
    let shown = &common::json_lines(&stdout)[0];
    let seen: Vec<&str> = shown["seen"].as_array().unwrap().iter().map(|s| s["path"].as_str().unwrap()).collect();
    for file in &files[0] {
        assert!(seen.iter().any(|path| path.ends_with(&name(file))), "{} not in {seen:?}", name(file));
    }
    let releases: Vec<&str> =
        shown["releases"].as_array().unwrap().iter().map(|r| r["upc"].as_str().unwrap()).collect();
    assert_eq!(releases, ["036000291452", "4006381333931", "5901234123457"], "as typed: the UPC-A stays 12 digits");
    assert!(shown["recording"]["issued_at"].is_null(), "the sheet gives no issue date: unknown");

    // A copy restored untagged: verify's missing-isrc names the code the ledger holds.
    let restored = dir.path().join("restored.mp3");
    std::fs::copy(&archive().unwrap().files[1][2], &restored).expect("copy");
    let (stdout, _, code) = common::run_with_ledger(&ledger, &["verify", "--json", text(&restored)]);
    assert_eq!(code, 1);
    let report = &common::json_lines(&stdout)[0];
    let message = report["findings"][0]["message"].as_str().unwrap();
    assert_eq!(report["findings"][0]["id"], "missing-isrc");
    assert!(message.contains(CODES[1]), "{message}");
}

#[test]
fn a_copy_carrying_another_tracks_code_is_the_conflict_and_fix_repairs_it() {
    if archive().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let ledger = ledger_with_catalogue(dir.path());
    let folder = dir.path().join("archive");
    let files = copy_archive(&folder, &[0, 1]);
    // The FLAC of track 1 carries track 2's code.
    let mislabelled = files[0][1].clone();
    common::retag(&mislabelled, isrc_stamp::container::Format::Flac, CODES[1]);
    let (lines, code, stderr) = assign(&ledger, &["--accept", "imported,encodes", text(&folder)]);
    assert_eq!(code, 1, "{stderr}");
    let line = &lines[&name(&mislabelled)];
    assert_eq!(line["action"], "conflict", "{line:#}");
    let detail = line["detail"].as_str().unwrap();
    assert!(detail.contains(CODES[1]) && detail.contains("Slow Tide") && detail.contains("--fix"), "{detail}");
    for (n, track) in files.iter().enumerate() {
        for file in track.iter().filter(|f| **f != mislabelled) {
            let line = &lines[&name(file)];
            assert_eq!(line["isrc"], CODES[n], "the correct files are linked: {line:#}");
            assert_ne!(line["action"], "conflict", "{line:#}");
        }
    }
    // --fix gives it its recording's code.
    let (lines, code, stderr) = assign(&ledger, &["--fix", "--accept", "imported,encodes", text(&mislabelled)]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(lines[&name(&mislabelled)]["isrc"], CODES[0], "{lines:#?}");
    let (stdout, _, code) = common::run_with_ledger(&ledger, &["verify", text(&folder)]);
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn a_corrected_title_is_a_difference_until_update_and_the_event_keeps_both() {
    if archive().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let ledger = ledger_with_catalogue(dir.path());
    let corrected = dir.path().join("corrected.csv");
    std::fs::write(&corrected, spreadsheet("Harbour Lights (Remastered)")).expect("written");
    let (stdout, stderr, code) = common::run_with_ledger(&ledger, &["ledger", "import", "--foreign", text(&corrected)]);
    assert_eq!(code, 1, "a difference is shown: {stdout}{stderr}");
    assert!(stdout.contains("difference") && stdout.contains("Harbour Lights (Remastered)"), "{stdout}");
    assert!(stdout.contains("imported 0 recordings"), "nothing else fails: {stdout}");
    let (stdout, _, _) = common::run_with_ledger(&ledger, &["--json", "ledger", "show", CODES[0]]);
    assert_eq!(common::json_lines(&stdout)[0]["recording"]["title"], "Harbour Lights", "kept without --update");

    let (stdout, stderr, code) =
        common::run_with_ledger(&ledger, &["ledger", "import", "--foreign", "--update", text(&corrected)]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (stdout, _, _) = common::run_with_ledger(&ledger, &["--json", "ledger", "show", CODES[0]]);
    let shown = &common::json_lines(&stdout)[0];
    assert_eq!(shown["recording"]["title"], "Harbour Lights (Remastered)");
    let edit = shown["events"].as_array().unwrap().iter().find(|e| e["action"] == "edit").expect("an edit event");
    let detail = edit["detail"].as_str().unwrap();
    assert!(detail.contains("\"Harbour Lights\" -> \"Harbour Lights (Remastered)\""), "{detail}");
}

#[test]
fn a_wrong_new_code_on_an_old_recording_is_repaired_in_one_step() {
    if archive().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let ledger = ledger_with_catalogue(dir.path());
    let folder = dir.path().join("archive");
    let files = copy_archive(&folder, &[2]);
    // The master answered as a remaster by mistake: a new code under the label's prefix.
    let (lines, code, stderr) =
        assign(&ledger, &["--new-version-of", CODES[2], "--as", "remaster", text(&files[0][0])]);
    assert_eq!(code, 0, "{stderr}");
    let wrong = lines[&name(&files[0][0])]["isrc"].as_str().unwrap().to_owned();
    assert!(wrong.starts_with("QZLBL"), "{wrong}");
    // One command: the file gets the recording's code back, the wrong one is voided.
    let (lines, code, stderr) =
        assign(&ledger, &["--fix", "--same-recording-as", CODES[2], "--void-unused", text(&files[0][0])]);
    assert_eq!(code, 0, "{stderr}");
    let line = &lines[&name(&files[0][0])];
    assert_eq!((line["action"].as_str(), line["isrc"].as_str()), (Some("linked"), Some(CODES[2])), "{line:#}");
    let (stdout, _, _) = common::run_with_ledger(&ledger, &["--json", "ledger", "show", &wrong]);
    let shown = &common::json_lines(&stdout)[0];
    assert_eq!(shown["recording"]["status"], "void");
    assert!(shown["audio"].as_array().unwrap().is_empty());
    let (stdout, _, code) = common::run_with_ledger(&ledger, &["verify", text(&files[0][0])]);
    assert_eq!(code, 0, "{stdout}");
    let (stdout, _, code) = common::run_with_ledger(&ledger, &["ledger", "check"]);
    assert_eq!(code, 0, "{stdout}");
}
