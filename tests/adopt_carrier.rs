//! Adopting a carrier made elsewhere (`ledger import DDPDIR`, `ledger import SHEET.cue`)
//! and the checksum files other tools write beside an image, on real music (Debian's
//! drascula-music cut by ffmpeg into a temporary folder): an image written by
//! `ddp write` on one ledger, adopted into another that never saw its masters.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

const UPC: &str = "4006381333931";
const TITLES: [&str; 3] = ["Torre Norte", "Las Escaleras", "Final Night"];

/// An image written by `ddp write --release` on the house's ledger (`made`), from three
/// masters that carry their codes.
struct Made {
    dir: tempfile::TempDir,
    ledger: PathBuf,
    cd: PathBuf,
    image: PathBuf,
    /// The codes in track order.
    codes: Vec<String>,
}

impl Made {
    fn new() -> Option<Made> {
        let (dir, cd) = common::music::cd_folder()?;
        for (i, seconds) in [9.37, 10.11, 8.93].into_iter().enumerate() {
            let args = ["-ar", "44100", "-ac", "2", "-c:a", "pcm_s16le", "-map_metadata", "-1"];
            common::music::cut_drascula(i as u32 + 7, 20.0, seconds, &args, &cd.join(format!("{:02}.wav", i + 1)));
        }
        let ledger = dir.path().join("house.sqlite3");
        let run = |args: &[&str]| common::run_with_ledger(&ledger, args);
        assert_eq!(run(&["init", "--prefix", "QZ-TST"]).2, 0);
        let (stdout, stderr, code) = run(&["assign", "--json", cd.to_str().unwrap()]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        let codes: Vec<String> =
            common::json_lines(&stdout).iter().map(|l| l["isrc"].as_str().unwrap().to_owned()).collect();
        let mut list = String::from("ISRC,Track Title,Artist,Release Title,UPC,Track #\n");
        for (n, (code, title)) in codes.iter().zip(TITLES).enumerate() {
            list.push_str(&format!("{code},{title},Drascula Band,Castle Nights,{UPC},{}\n", n + 1));
        }
        let csv = dir.path().join("release.csv");
        fs::write(&csv, list).unwrap();
        let (_, stderr, code) = run(&["ledger", "import", "--update", csv.to_str().unwrap()]);
        assert_eq!(code, 0, "{stderr}");
        let image = dir.path().join("image");
        let (stdout, stderr, code) =
            run(&["ddp", "write", cd.to_str().unwrap(), "--release", UPC, "--output", image.to_str().unwrap()]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        Some(Made { dir, ledger, cd, image, codes })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A copy of the image, to tamper with.
    fn copy(&self, name: &str) -> PathBuf {
        let to = self.path(name);
        fs::create_dir(&to).unwrap();
        for entry in fs::read_dir(&self.image).unwrap() {
            let entry = entry.unwrap();
            fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
        to
    }
}

/// `ledger import --json PATH` into `ledger`: the track lines, the summary, the exit, stderr.
fn import(ledger: &Path, path: &Path) -> (Vec<serde_json::Value>, serde_json::Value, i32, String) {
    let (stdout, stderr, code) =
        common::run_with_ledger(ledger, &["--json", "ledger", "import", path.to_str().unwrap()]);
    let mut lines = common::json_lines(&stdout);
    let summary = lines.pop().map(|l| l["summary"].clone()).unwrap_or_default();
    (lines, summary, code, stderr)
}

/// Every action of an `assign --json` run.
fn actions(ledger: &Path, folder: &Path) -> Vec<String> {
    let (stdout, stderr, code) = common::run_with_ledger(ledger, &["assign", "--json", folder.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    common::json_lines(&stdout).iter().map(|l| l["action"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn an_image_adopted_into_an_empty_ledger_gives_its_masters_their_codes_back() {
    let Some(made) = Made::new() else { return };
    let ledger = made.path("elsewhere.sqlite3");
    let (tracks, summary, code, stderr) = import(&ledger, &made.image);
    assert_eq!(code, 0, "{stderr}\n{tracks:#?}\n{summary}");
    assert_eq!(tracks.len(), 3);
    for (track, code) in tracks.iter().zip(&made.codes) {
        assert_eq!(track["action"], "adopted", "{track}");
        assert_eq!(track["isrc"], code.as_str());
        assert_eq!(
            track["audio_ids"].as_array().unwrap().len(),
            2,
            "the disc's audio, whole sectors, and the master's without the padding: {track}"
        );
    }
    assert_eq!((summary["adopted"].as_u64(), summary["release"].as_str()), (Some(3), Some("entered")), "{summary}");

    // Every code is the recording the CD-Text names, on the release.
    let run = |args: &[&str]| common::run_with_ledger(&ledger, args);
    for (code, title) in made.codes.iter().zip(TITLES) {
        let (stdout, _, status) = run(&["--json", "ledger", "show", code]);
        assert_eq!(status, 0);
        let shown: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
        assert_eq!(shown["recording"]["title"], title, "{shown}");
        assert_eq!(shown["recording"]["artist"], "Drascula Band", "{shown}");
        assert_eq!(shown["recording"]["origin"], "adopted", "{shown}");
        assert_eq!(shown["releases"][0]["upc"], UPC, "{shown}");
    }
    let (stdout, _, status) = run(&["ledger", "export", "--recordings", "--release", UPC]);
    assert_eq!(status, 0);
    assert_eq!(stdout.lines().count(), 4, "a header and the release's three codes:\n{stdout}");

    // The masters (carrying their codes) are unchanged; untagged, they get their codes back.
    assert_eq!(run(&["init", "--prefix", "QZ-OTH"]).2, 0);
    assert_eq!(actions(&ledger, &made.cd), ["unchanged"; 3]);
    let (_, stderr, status) = run(&["untag", made.cd.to_str().unwrap()]);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(actions(&ledger, &made.cd), ["reused"; 3], "never issued: the ledger has the masters' audio");

    // Adopting again changes nothing.
    let (tracks, summary, code, stderr) = import(&ledger, &made.image);
    assert_eq!(code, 0, "{stderr}");
    assert!(tracks.iter().all(|t| t["action"] == "unchanged"), "{tracks:#?}");
    assert_eq!(summary["release"], "unchanged");
}

#[test]
fn nothing_is_adopted_from_an_image_whose_checksums_fail() {
    let Some(made) = Made::new() else { return };
    // A checksum tampered with: one hex digit of IMAGE.DAT's line.
    let tampered = made.copy("tampered");
    let sums = fs::read_to_string(tampered.join("CHECKSUM.MD5")).unwrap();
    let line = sums.lines().find(|l| l.ends_with("IMAGE.DAT")).unwrap().to_owned();
    let flipped = format!("{}{}", if line.starts_with('0') { '1' } else { '0' }, &line[1..]);
    fs::write(tampered.join("CHECKSUM.MD5"), sums.replace(&line, &flipped)).unwrap();
    let fresh = made.path("fresh.sqlite3");
    let (tracks, summary, code, stderr) = import(&fresh, &tampered);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("nothing adopted") && stderr.contains("IMAGE.DAT's MD5"), "{stderr}");
    assert!(tracks.is_empty() && summary["adopted"] == 0, "{summary}");
    assert!(!fresh.exists(), "a ledger that did not exist is not created");

    // The audio changed under a checksum: the same, into an existing ledger left as it was.
    let damaged = made.copy("damaged");
    let mut data = fs::read(damaged.join("IMAGE.DAT")).unwrap();
    data[200 * 2352] ^= 1;
    fs::write(damaged.join("IMAGE.DAT"), data).unwrap();
    let existing = made.path("existing.sqlite3");
    assert_eq!(common::run_with_ledger(&existing, &["init", "--prefix", "QZ-OTH"]).2, 0);
    let (_, _, code, stderr) = import(&existing, &damaged);
    assert_eq!(code, 1, "{stderr}");
    let (stdout, _, _) = common::run_with_ledger(&existing, &["--json", "ledger", "list"]);
    assert!(stdout.trim().is_empty(), "nothing entered: {stdout}");
}

#[test]
fn a_track_the_ledger_knows_under_another_code_is_a_conflict_and_nothing_is_written() {
    let Some(made) = Made::new() else { return };
    // On the house's own ledger the image adds the disc's audio ids to the codes.
    let (tracks, _, code, stderr) = import(&made.ledger, &made.image);
    assert_eq!(code, 0, "{stderr}");
    assert!(tracks.iter().all(|t| t["action"] == "bound"), "{tracks:#?}");
    let before = common::run_with_ledger(&made.ledger, &["ledger", "export"]).0;

    // A forged image: tracks 1 and 2 swap their codes, the checksums made again.
    let forged = made.copy("forged");
    let mut pq = fs::read(forged.join("PQDESCR")).unwrap();
    for entry in pq.chunks_mut(64) {
        let code = String::from_utf8_lossy(&entry[20..32]).to_string();
        let swapped = if code == made.codes[0] {
            &made.codes[1]
        } else if code == made.codes[1] {
            &made.codes[0]
        } else {
            continue;
        };
        entry[20..32].copy_from_slice(swapped.as_bytes());
    }
    fs::write(forged.join("PQDESCR"), pq).unwrap();
    common::reseal_ddp(&forged);
    let (tracks, summary, code, stderr) = import(&made.ledger, &forged);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(tracks[0]["action"], "conflict");
    assert_eq!(tracks[1]["action"], "conflict");
    let detail = tracks[0]["detail"].as_str().unwrap();
    assert!(detail.contains(&format!("the ledger has this audio as {}", made.codes[0])), "{detail}");
    assert_eq!(summary["conflicts"], 2);
    assert!(stderr.contains("nothing adopted"), "{stderr}");
    assert_eq!(common::run_with_ledger(&made.ledger, &["ledger", "export"]).0, before, "nothing written");
}

#[test]
fn a_cue_sheet_with_its_audio_is_adopted() {
    let Some(made) = Made::new() else { return };
    let sheet = made.path("album.cue");
    let (_, stderr, code) = common::run_with_ledger(
        &made.ledger,
        &["cue", made.cd.to_str().unwrap(), "--release", UPC, "--output", sheet.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stderr}");
    let ledger = made.path("from-cue.sqlite3");
    let (tracks, summary, code, stderr) = import(&ledger, &sheet);
    assert_eq!(code, 0, "{stderr}");
    assert!(tracks.iter().all(|t| t["action"] == "adopted"), "{tracks:#?}");
    assert_eq!(summary["release"], "entered");
    assert_eq!(common::run_with_ledger(&ledger, &["init", "--prefix", "QZ-OTH"]).2, 0);
    assert_eq!(actions(&ledger, &made.cd), ["unchanged"; 3], "a file per track: the file's audio id");
}

/// CRC-32 (IEEE 802.3, reflected, as zip and SFV compute it), bit by bit.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn checksum_files_of_other_tools_are_checked() {
    let Some(made) = Made::new() else { return };
    let names = ["DDPID", "DDPMS", "PQDESCR", "CDTEXT.BIN", "IMAGE.DAT"];
    let verify = |dir: &Path| {
        let (stdout, _, code) = common::run_with_ledger(&made.ledger, &["--json", "verify", dir.to_str().unwrap()]);
        let ids: Vec<String> = common::json_lines(&stdout)
            .iter()
            .flat_map(|l| {
                let findings = l["findings"].as_array().or(l["summary"]["findings"].as_array()).cloned();
                findings.unwrap_or_default()
            })
            .map(|f| format!("{}: {}", f["id"].as_str().unwrap(), f["message"].as_str().unwrap()))
            .collect();
        (ids, code)
    };
    // A CRC32 CHECKSUM.TXT (ddpinfo's name) instead of CHECKSUM.MD5.
    let crc = made.copy("crc");
    fs::remove_file(crc.join("CHECKSUM.MD5")).unwrap();
    let mut text = String::from("; CRC32 of the DDP fileset\r\n");
    for name in names {
        text.push_str(&format!("{:08X}  {name}\r\n", crc32(&fs::read(crc.join(name)).unwrap())));
    }
    fs::write(crc.join("CHECKSUM.TXT"), &text).unwrap();
    assert_eq!(verify(&crc), (vec![], 0), "checked, and no ddp-checksum-missing");
    let mut data = fs::read(crc.join("IMAGE.DAT")).unwrap();
    data[10] ^= 0x40; // in the pause before track 1: only the checksum can tell
    fs::write(crc.join("IMAGE.DAT"), data).unwrap();
    let (ids, code) = verify(&crc);
    assert_eq!(code, 1);
    assert!(ids.len() == 1 && ids[0].starts_with("ddp-checksum: ") && ids[0].contains("CHECKSUM.TXT"), "{ids:?}");
    let (_, _, code, stderr) = import(&made.path("crc.sqlite3"), &crc);
    assert_eq!(code, 1, "refused: {stderr}");

    // MD5s in a file named otherwise.
    let md5 = made.copy("md5");
    fs::rename(md5.join("CHECKSUM.MD5"), md5.join("Castle Nights.md5")).unwrap();
    assert_eq!(verify(&md5), (vec![], 0));
    let mut pq = fs::read(md5.join("PQDESCR")).unwrap();
    pq[50] = b'X'; // the lead-in entry's user text
    fs::write(md5.join("PQDESCR"), pq).unwrap();
    let (ids, code) = verify(&md5);
    assert_eq!(code, 1);
    assert!(
        ids.iter()
            .any(|i| i.starts_with("ddp-checksum: ") && i.contains("PQDESCR's MD5") && i.contains("Castle Nights.md5")),
        "{ids:?}"
    );

    // A checksum file in no format read is said aloud, not passed in silence.
    let unknown = made.copy("unknown");
    fs::remove_file(unknown.join("CHECKSUM.MD5")).unwrap();
    fs::write(unknown.join("CHECKSUM.TXT"), "Eclipse signature 737B.FE7E.311F\n").unwrap();
    let (ids, code) = verify(&unknown);
    assert_eq!(code, 0, "a warning");
    assert!(ids.len() == 1 && ids[0].starts_with("ddp-checksum-unread"), "{ids:?}");
}
