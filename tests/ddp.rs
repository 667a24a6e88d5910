//! `ddp write`, `verify DDPDIR` and `pq` end to end, on a 5-track CD album decoded from
//! real music (Debian's drascula-music) into a temporary folder: the image read back by
//! a reader written here from the published layouts (not the crate's), its audio
//! compared with what ffmpeg decodes from each master, one tampering per finding, and
//! refusals that write nothing.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Decodes `seconds` of drascula track `n` from `start` into `out` (16-bit stereo 44.1
/// kHz unless `extra` says otherwise), with title, artist and album tags, its length off
/// the sector grid ([`common::music::cut_drascula`]).
fn cut(n: u32, start: f64, seconds: f64, out: &Path, extra: &[&str]) {
    let title = format!("title=Song {n}");
    let mut args = vec!["-metadata", &title, "-metadata", "artist=Drascula Band", "-metadata", "album=Castle Nights"];
    args.extend_from_slice(extra);
    common::music::cut_drascula(n, start, seconds, &args, out);
}

/// A CD album of five masters (four WAV, one FLAC, lengths off the sector grid),
/// assigned on a ledger of its own.
struct Album {
    dir: tempfile::TempDir,
    ledger: PathBuf,
    cd: PathBuf,
    masters: Vec<PathBuf>,
    codes: Vec<String>,
}

impl Album {
    fn new() -> Option<Album> {
        let (dir, cd) = common::music::cd_folder()?;
        let lengths = [9.37, 10.11, 8.93, 11.5, 9.8];
        let masters: Vec<PathBuf> = lengths
            .iter()
            .enumerate()
            .map(|(i, &seconds)| {
                let extension = if i == 3 { "flac" } else { "wav" };
                let path = cd.join(format!("{:02}.{extension}", i + 1));
                let codec: &[&str] = if i == 3 { &["-sample_fmt", "s16"] } else { &["-c:a", "pcm_s16le"] };
                cut(i as u32 + 1, 20.0, seconds, &path, codec);
                path
            })
            .collect();
        let ledger = dir.path().join("ledger.sqlite3");
        let (_, stderr, code) = common::run_with_ledger(&ledger, &["init", "--prefix", "QZ-TST"]);
        assert_eq!(code, 0, "{stderr}");
        let (stdout, stderr, code) = common::run_with_ledger(&ledger, &["assign", "--json", cd.to_str().unwrap()]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        let codes = common::json_lines(&stdout).iter().map(|l| l["isrc"].as_str().unwrap().to_owned()).collect();
        Some(Album { dir, ledger, cd, masters, codes })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str]) -> (String, String, i32) {
        common::run_with_ledger(&self.ledger, args)
    }

    /// Writes the image into `name` and returns its folder.
    fn image(&self, name: &str) -> PathBuf {
        let image = self.path(name);
        let (stdout, stderr, code) = self.run(&[
            "ddp",
            "write",
            self.cd.to_str().unwrap(),
            "--output",
            image.to_str().unwrap(),
            "--catalog",
            "4006381333931",
        ]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        image
    }

    /// `verify --json IMAGE [--masters cd]`: the track reports, the summary, the exit code.
    fn verify(&self, image: &Path, masters: bool) -> (Vec<serde_json::Value>, serde_json::Value, i32) {
        let mut args = vec!["verify", "--json", image.to_str().unwrap()];
        if masters {
            args.extend(["--masters", self.cd.to_str().unwrap()]);
        }
        let (stdout, stderr, code) = self.run(&args);
        let mut lines = common::json_lines(&stdout);
        let summary = lines.pop().unwrap_or_else(|| panic!("a summary line\n{stderr}"));
        (lines, summary["summary"].clone(), code)
    }
}

/// Every finding id of a verify run, with the track it is on (0 for the summary's).
fn finding_ids(reports: &[serde_json::Value], summary: &serde_json::Value) -> Vec<(usize, String)> {
    let mut ids = Vec::new();
    for (i, report) in reports.iter().enumerate() {
        for finding in report["findings"].as_array().unwrap() {
            ids.push((i + 1, finding["id"].as_str().unwrap().to_owned()));
        }
    }
    for finding in summary["findings"].as_array().unwrap() {
        ids.push((0, finding["id"].as_str().unwrap().to_owned()));
    }
    ids
}

// ------------------------------------------------------------------ an independent reader

/// A field of a fixed-width ASCII record, trimmed.
fn field(record: &[u8], range: std::ops::Range<usize>) -> String {
    String::from_utf8_lossy(&record[range]).trim().to_owned()
}

/// One PQ entry: track (0 lead-in, 0xAA lead-out), index, sector, ISRC, UPC/EAN.
struct Pq {
    track: u32,
    index: u32,
    sector: u64,
    isrc: String,
    upc: String,
}

/// The image as the published layouts describe it (DESIGN.md section 9): the UPC/EAN of
/// DDPID, the stream files DDPMS names, and the PQ entries.
struct Independent {
    upc: String,
    audio_file: String,
    pq: Vec<Pq>,
}

fn read_independently(dir: &Path) -> Independent {
    let id = fs::read(dir.join("DDPID")).unwrap();
    assert_eq!(id.len(), 128);
    assert_eq!(&id[0..8], b"DDP 2.00");
    assert_eq!(&id[87..89], b"CD");
    let map = fs::read(dir.join("DDPMS")).unwrap();
    assert_eq!(map.len() % 128, 0);
    let (mut audio_file, mut pq_file) = (None, None);
    for packet in map.chunks(128) {
        assert_eq!(&packet[0..4], b"VVVM");
        let name = field(packet, 74..91);
        match (&packet[4..6], field(packet, 30..38).as_str()) {
            (b"D0", _) => audio_file = Some(name),
            (b"S0", "PQ DESCR") => pq_file = Some(name),
            _ => {}
        }
    }
    let pq_bytes = fs::read(dir.join(pq_file.expect("a PQ stream"))).unwrap();
    assert_eq!(pq_bytes.len() % 64, 0);
    let pq = pq_bytes
        .chunks(64)
        .map(|entry| {
            assert_eq!(&entry[0..4], b"VVVS");
            let number = |range| field(entry, range).parse::<u64>().unwrap();
            let track = field(entry, 4..6);
            Pq {
                track: if track == "AA" { 0xAA } else { track.parse().unwrap() },
                index: number(6..8) as u32,
                sector: (number(10..12) * 60 + number(12..14)) * 75 + number(14..16),
                isrc: field(entry, 20..32),
                upc: field(entry, 32..45),
            }
        })
        .collect();
    Independent { upc: field(&id, 8..21), audio_file: audio_file.expect("an audio stream"), pq }
}

/// What ffmpeg decodes from a master, as 16-bit little-endian stereo.
fn ffmpeg_pcm(master: &Path) -> Vec<u8> {
    let output = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(master)
        .args(["-f", "s16le", "-c:a", "pcm_s16le", "-"])
        .output()
        .expect("ffmpeg runs");
    assert!(output.status.success());
    output.stdout
}

#[test]
fn the_image_reads_back_independently_and_verifies_clean_against_its_masters() {
    let Some(album) = Album::new() else { return };
    let image = album.image("image");
    let mut names: Vec<String> =
        fs::read_dir(&image).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["CDTEXT.BIN", "CHECKSUM.MD5", "DDPID", "DDPMS", "IMAGE.DAT", "PQDESCR"]);
    let mut beside: Vec<String> =
        fs::read_dir(album.dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    beside.sort();
    // The masters, the ledger with what `assign` remembers for reruns, the image: no
    // temporary folder is left, and reading the ledger leaves no `-wal` or `-shm`.
    assert_eq!(beside, ["cd", "image", "ledger.sqlite3", "ledger.sqlite3-seen.json"]);

    let read = read_independently(&image);
    assert_eq!(read.upc, "4006381333931");
    assert_eq!(read.pq[0].track, 0, "the lead-in comes first");
    assert_eq!(read.pq[0].upc, "4006381333931", "the UPC/EAN is on the lead-in entry");
    let data = fs::read(image.join(&read.audio_file)).unwrap();
    assert_eq!(data.len() % 2352, 0);
    assert!(data[..150 * 2352].iter().all(|&b| b == 0), "2 s of silence before track 1");
    let lead_out = read.pq.iter().find(|e| e.track == 0xAA).unwrap().sector;
    assert_eq!(lead_out * 2352, data.len() as u64, "the lead-out is the end of IMAGE.DAT");
    let mut previous_end = 0;
    for (i, master) in album.masters.iter().enumerate() {
        let number = i as u32 + 1;
        let entries: Vec<&Pq> = read.pq.iter().filter(|e| e.track == number).collect();
        // The ISRC is on the track's first entry: its INDEX 00 (2 s before INDEX 01).
        assert_eq!(entries[0].isrc, album.codes[i], "track {number}'s ISRC");
        let index0 = entries.iter().find(|e| e.index == 0).unwrap().sector;
        let start = entries.iter().find(|e| e.index == 1).unwrap().sector;
        assert_eq!(start - index0, 150, "a 2 s gap before track {number}");
        assert_eq!(index0, previous_end, "track {number}'s gap starts where the previous track ends");
        let end = read.pq.iter().find(|e| e.track > number && e.track != 0).map(|e| e.sector).unwrap();
        previous_end = end;
        let pcm = ffmpeg_pcm(master);
        let cut = &data[(start * 2352) as usize..(end * 2352) as usize];
        assert_eq!(cut.len(), pcm.len().div_ceil(2352) * 2352, "track {number} fills whole sectors");
        assert!(cut[..pcm.len()] == pcm[..], "track {number}'s PCM is its master's, sample for sample");
        assert!(cut[pcm.len()..].iter().all(|&b| b == 0), "track {number} is padded with silence");
        assert!(!pcm.len().is_multiple_of(2352), "the master's length is off the sector grid, so padding is tested");
    }
    let md5sum = Command::new("md5sum").arg("-c").arg("CHECKSUM.MD5").current_dir(&image).output().unwrap();
    assert!(md5sum.status.success(), "md5sum -c: {}", String::from_utf8_lossy(&md5sum.stdout));

    let (reports, summary, code) = album.verify(&image, true);
    assert_eq!(code, 0, "{reports:#?}\n{summary:#?}");
    assert_eq!(finding_ids(&reports, &summary), []);
    assert_eq!(reports.len(), 5);
    for (report, master) in reports.iter().zip(&album.masters) {
        let (inspected, _) = common::inspect_json(&[master]);
        assert_eq!(report["audio_id"], inspected[0]["audio_id"], "the track's audio id is its master's");
    }
}

// ------------------------------------------------------------------ tampering

/// A copy of a written image, to tamper with.
fn copy_image(from: &Path, to: &Path) {
    fs::create_dir(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// Overwrites `bytes` at `at` in the file.
fn patch(path: &Path, at: usize, bytes: &[u8]) {
    let mut data = fs::read(path).unwrap();
    data[at..at + bytes.len()].copy_from_slice(bytes);
    fs::write(path, data).unwrap();
}

/// The byte offset in PQDESCR of track `n`'s first entry.
fn first_entry_of(dir: &Path, n: u32) -> usize {
    let pq = fs::read(dir.join("PQDESCR")).unwrap();
    pq.chunks(64).position(|e| field(e, 4..6) == format!("{n:02}")).unwrap() * 64
}

/// Tampers with a fresh copy of the image, verifies it, and checks `expected` is found on
/// `track` (0: the summary) with the exit code.
fn tampered(
    album: &Album,
    image: &Path,
    name: &str,
    masters: bool,
    tamper: impl FnOnce(&Path),
) -> (Vec<(usize, String)>, i32, Vec<serde_json::Value>) {
    let copy = album.path(name);
    copy_image(image, &copy);
    tamper(&copy);
    let (reports, summary, code) = album.verify(&copy, masters);
    (finding_ids(&reports, &summary), code, reports)
}

#[test]
fn each_tampering_is_found_with_its_finding() {
    let Some(album) = Album::new() else { return };
    let image = album.image("image");
    let has = |found: &[(usize, String)], track: usize, id: &str| found.iter().any(|(t, i)| *t == track && i == id);

    // An ISRC changed in PQDESCR to another valid code: the ledger has this audio otherwise.
    let (found, code, _) = tampered(&album, &image, "isrc-changed", true, |dir| {
        patch(&dir.join("PQDESCR"), first_entry_of(dir, 2) + 20, b"QZTST2699999");
        common::reseal_ddp(dir);
    });
    assert!(has(&found, 2, "ddp-isrc-mismatch"), "{found:?}");
    assert_eq!(found.iter().filter(|(_, id)| id == "ddp-isrc-mismatch").count(), 2, "ledger and master: {found:?}");
    assert_eq!(code, 1);

    // No ISRC, and a malformed one.
    let (found, _, _) = tampered(&album, &image, "isrc-blank", false, |dir| {
        patch(&dir.join("PQDESCR"), first_entry_of(dir, 3) + 20, b"            ");
        common::reseal_ddp(dir);
    });
    assert_eq!(found, [(3, "ddp-isrc-missing".to_owned())]);
    let (found, _, _) = tampered(&album, &image, "isrc-invalid", false, |dir| {
        patch(&dir.join("PQDESCR"), first_entry_of(dir, 4) + 20, b"QZTST260000O");
        common::reseal_ddp(dir);
    });
    assert!(has(&found, 4, "ddp-isrc-invalid"), "{found:?}");

    // A truncated IMAGE.DAT.
    let (found, code, _) = tampered(&album, &image, "truncated", false, |dir| {
        let path = dir.join("IMAGE.DAT");
        let length = fs::metadata(&path).unwrap().len();
        fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(length - 10 * 2352).unwrap();
        common::reseal_ddp(dir);
    });
    assert!(has(&found, 0, "ddp-structure"), "{found:?}");
    assert_eq!(code, 1);

    // A checksum off by one byte.
    let (found, code, _) = tampered(&album, &image, "checksum", false, |dir| {
        let path = dir.join("CHECKSUM.MD5");
        let mut text = fs::read(&path).unwrap();
        text[0] = if text[0] == b'0' { b'1' } else { b'0' };
        fs::write(path, text).unwrap();
    });
    assert_eq!(found, [(0, "ddp-checksum".to_owned())]);
    assert_eq!(code, 1);

    // A track swapped for another recording (the same length of other music).
    let other = album.path("other.wav");
    cut(6, 20.0, 8.93, &other, &["-c:a", "pcm_s16le"]);
    let (found, code, reports) = tampered(&album, &image, "swapped", true, |dir| {
        let read = read_independently(dir);
        let start = read.pq.iter().find(|e| e.track == 3 && e.index == 1).unwrap().sector as usize * 2352;
        patch(&dir.join("IMAGE.DAT"), start, &ffmpeg_pcm(&other));
        common::reseal_ddp(dir);
    });
    assert!(has(&found, 3, "ddp-not-in-ledger") && has(&found, 3, "ddp-no-master"), "{found:?}");
    assert!(has(&found, 0, "ddp-master-not-on-disc"), "{found:?}");
    assert!(found.iter().all(|(track, _)| *track == 3 || *track == 0), "only track 3 is wrong: {found:?}");
    assert_eq!(code, 1);
    assert_ne!(reports[2]["audio_id"], reports[1]["audio_id"]);

    // A wrong check digit in the UPC/EAN, in DDPID and the PQ lead-in alike.
    let (found, code, _) = tampered(&album, &image, "upc", false, |dir| {
        patch(&dir.join("DDPID"), 8, b"4006381333932");
        patch(&dir.join("PQDESCR"), 32, b"4006381333932");
        common::reseal_ddp(dir);
    });
    assert_eq!(found, [(0, "ddp-catalog-invalid".to_owned()), (0, "ddp-catalog-invalid".to_owned())]);
    assert_eq!(code, 1);

    // A CD-Text title that is not the ledger's (the packs rebuilt with valid CRCs).
    let (found, code, _) = tampered(&album, &image, "cdtext", false, |dir| {
        use isrc_stamp::carrier::ddp::{decode_cdtext, encode_cdtext};
        let (mut text, problems) = decode_cdtext(&fs::read(dir.join("CDTEXT.BIN")).unwrap());
        assert!(problems.is_empty());
        text.titles.insert(2, "Song X".into());
        fs::write(dir.join("CDTEXT.BIN"), encode_cdtext(&text, 5).unwrap().unwrap()).unwrap();
        common::reseal_ddp(dir);
    });
    assert_eq!(found, [(2, "ddp-cdtext-disagrees".to_owned())]);
    assert_eq!(code, 0, "a text difference is a warning");
}

// ------------------------------------------------------------------ refusals

#[test]
fn audio_that_is_not_red_book_is_refused_and_nothing_is_written() {
    let Some(album) = Album::new() else { return };
    let cases: [(&str, &[&str], f64, &str); 3] = [
        ("hires.wav", &["-ar", "96000", "-c:a", "pcm_s24le"], 9.0, "96000 Hz"),
        ("short.wav", &["-c:a", "pcm_s16le"], 3.0, "lasts 3.00 s"),
        ("mono.wav", &["-ac", "1", "-c:a", "pcm_s16le"], 9.0, "1 channel"),
    ];
    for (name, args, seconds, reason) in cases {
        let folder = album.path(&format!("refused-{name}"));
        fs::create_dir(&folder).unwrap();
        fs::copy(&album.masters[0], folder.join("01.wav")).unwrap();
        cut(7, 10.0, seconds, &folder.join(format!("02-{name}")), args);
        let before = fs::read_dir(album.dir.path()).unwrap().count();
        let output = album.path(&format!("image-{name}"));
        let (stdout, stderr, code) =
            album.run(&["ddp", "write", folder.to_str().unwrap(), "--output", output.to_str().unwrap()]);
        assert_eq!(code, 1, "{name}: {stdout}\n{stderr}");
        assert!(stderr.contains(&format!("02-{name}")) && stderr.contains(reason), "{name}: {stderr}");
        assert!(stderr.contains("nothing written"), "{stderr}");
        assert!(!output.exists(), "{name}: no image");
        assert_eq!(fs::read_dir(album.dir.path()).unwrap().count(), before, "{name}: no temporary folder");
    }
}

#[test]
fn a_track_whose_code_is_not_the_ledgers_is_refused() {
    let Some(album) = Album::new() else { return };
    common::retag(&album.masters[1], isrc_stamp::container::Format::Wav, "QZTST2699998");
    let output = album.path("image");
    let (_, stderr, code) =
        album.run(&["ddp", "write", album.cd.to_str().unwrap(), "--output", output.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("02.wav: the ledger has this audio as") && stderr.contains("QZTST2699998"), "{stderr}");
    assert!(!output.exists());
    // An existing folder with files is never written over.
    let (_, stderr, code) =
        album.run(&["ddp", "write", album.cd.to_str().unwrap(), "--output", album.cd.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(stderr.contains("already exists") || stderr.contains("the ledger has"), "{stderr}");
}

// ------------------------------------------------------------------ the PQ sheet

#[test]
fn the_pq_sheet_prints_with_every_isrc_and_the_upc() {
    let Some(album) = Album::new() else { return };
    if !common::have_tool("chromium", &["--version"]) || !common::have_tool("pdftotext", &["-v"]) {
        return;
    }
    let image = album.image("image");
    let html = album.path("pq.html");
    let (_, stderr, code) = album.run(&["pq", image.to_str().unwrap(), "--output", html.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let pdf = album.path("pq.pdf");
    let profile = album.path("chromium-profile");
    common::print_to_pdf(&html, &pdf, &profile);
    let text = Command::new("pdftotext").args(["-layout"]).arg(&pdf).arg("-").output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("4006381333931"), "the UPC/EAN: {text}");
    for code in &album.codes {
        let display = format!("{}-{}-{}-{}", &code[0..2], &code[2..5], &code[5..7], &code[7..12]);
        assert!(text.contains(&display), "{display} on the sheet: {text}");
    }
    assert!(text.contains("Castle Nights") && text.contains("Song 3"), "{text}");
    assert!(text.contains("QZ-TST") || text.contains("QZTST"), "the registrant: {text}");
}
