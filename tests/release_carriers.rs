//! Carriers from a release in the ledger (issue: "ddp write wrote no CD-Text, without a
//! word"), on real music (Debian's drascula-music cut by ffmpeg into a temporary
//! folder): untagged CD masters whose codes, titles and order only the ledger knows.
//!
//! - `ddp write --release`: the CD-Text read back by a reader written here from
//!   libburn's doc/cdtext.txt (not the crate's) holds every title, performer, the UPC/EAN
//!   and the ISRCs (pack 0x8E); the PQ data has the release's codes in its order.
//! - `pq --release`, printed by headless Chromium and read back by `pdftotext`: the
//!   titles, not "Untitled disc".
//! - `cue --release`, read by cuetools' `cueconvert` and `cueprint`: TITLE, PERFORMER,
//!   CATALOG, ISRC, and the same track starts as the DDP image's PQ, gaps included.
//! - Without any text, `ddp write` and `cue` say so (stderr and `--json`).

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The release's UPC/EAN (the one in the issue).
const UPC: &str = "4050538793819";
/// Four masters: file name, drascula track, seconds (off the sector grid).
const MASTERS: [(&str, u32, f64); 4] =
    [("a.wav", 1, 9.37), ("b.wav", 2, 10.11), ("c.wav", 3, 8.93), ("d.wav", 4, 11.5)];
/// The release's order of the masters (indexes into MASTERS) and their titles.
const ORDER: [(usize, &str); 4] =
    [(2, "Ma\u{f1}ana en el Castillo"), (0, "Torre Norte"), (3, "Las Escaleras"), (1, "Final Night")];
const ALBUM: &str = "Castle Nights";
const ARTIST: &str = "Drascula Band";

/// Cuts `seconds` of drascula track `n` into `out` as a 16-bit 44.1 kHz stereo WAV with
/// no tags at all (no title, no artist, no encoder).
fn cut_untagged(n: u32, seconds: f64, out: &Path) {
    let args = ["-ar", "44100", "-ac", "2", "-c:a", "pcm_s16le", "-map_metadata", "-1"];
    let exact = ["-fflags", "+bitexact", "-flags:a", "+bitexact"];
    common::music::cut_drascula(n, 20.0, seconds, &[&args[..], &exact[..]].concat(), out);
}

/// Untagged CD masters whose audio the ledger binds to codes, and a release (entered
/// from a distributor's list) giving their order, titles and performer.
struct Release {
    dir: tempfile::TempDir,
    ledger: PathBuf,
    cd: PathBuf,
    /// The codes, by master index.
    codes: Vec<String>,
}

impl Release {
    fn new() -> Option<Release> {
        let (dir, cd) = common::music::cd_folder()?;
        for (name, track, seconds) in MASTERS {
            cut_untagged(track, seconds, &cd.join(name));
        }
        let ledger = dir.path().join("ledger.sqlite3");
        let run = |args: &[&str]| common::run_with_ledger(&ledger, args);
        let (_, stderr, code) = run(&["init", "--prefix", "QZ-TST"]);
        assert_eq!(code, 0, "{stderr}");
        let (stdout, stderr, code) = run(&["assign", "--json", cd.to_str().unwrap()]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        let by_path: BTreeMap<String, String> = common::json_lines(&stdout)
            .iter()
            .map(|l| (l["path"].as_str().unwrap().to_owned(), l["isrc"].as_str().unwrap().to_owned()))
            .collect();
        let codes: Vec<String> = MASTERS
            .iter()
            .map(|(name, _, _)| by_path.iter().find(|(p, _)| p.ends_with(name)).unwrap().1.clone())
            .collect();
        // The masters lose their codes (as ffmpeg's retagging lost TSRC): only the ledger knows them.
        let (stdout, stderr, code) = run(&["untag", cd.to_str().unwrap()]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        let (inspected, _) = common::inspect_json(&[&cd]);
        assert!(inspected.iter().all(|f| f["isrcs"].as_array().is_none_or(Vec::is_empty)), "{inspected:?}");
        assert!(inspected.iter().all(|f| f["title"].is_null()), "no titles in the tags: {inspected:?}");

        let mut list = String::from("ISRC,Track Title,Artist,Release Title,UPC,Track #\n");
        for (number, (master, title)) in ORDER.iter().enumerate() {
            list.push_str(&format!("{},{title},{ARTIST},{ALBUM},{UPC},{}\n", codes[*master], number + 1));
        }
        let csv = dir.path().join("release.csv");
        fs::write(&csv, list).unwrap();
        let (stdout, stderr, code) = run(&["ledger", "import", "--update", csv.to_str().unwrap()]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        Some(Release { dir, ledger, cd, codes })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str]) -> (String, String, i32) {
        common::run_with_ledger(&self.ledger, args)
    }

    /// The release's codes in its track order.
    fn codes_in_order(&self) -> Vec<&str> {
        ORDER.iter().map(|(master, _)| self.codes[*master].as_str()).collect()
    }

    /// `ddp write cd --release UPC` with `extra` arguments into `name`; the JSON lines.
    fn ddp(&self, name: &str, extra: &[&str]) -> (PathBuf, Vec<serde_json::Value>) {
        let image = self.path(name);
        let mut args = vec!["--json", "ddp", "write", self.cd.to_str().unwrap(), "--release", UPC];
        args.extend(["--output", image.to_str().unwrap()]);
        args.extend(extra);
        let (stdout, stderr, code) = self.run(&args);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        (image, common::json_lines(&stdout))
    }
}

// ------------------------------------------------------------------ CD-Text, from libburn's doc/cdtext.txt

/// The CRC of a pack: CRC-16 with divisor 0x11021 over bytes 0-15, the residue exored
/// with 0xffff, big-endian in bytes 16-17 ("Format of a CD-TEXT packs array").
fn pack_crc(pack: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &byte in &pack[..16] {
        for bit in (0..8).rev() {
            let carry = (crc >> 15) ^ u16::from((byte >> bit) & 1);
            crc <<= 1;
            if carry == 1 {
                crc ^= 0x1021;
            }
        }
    }
    crc ^ 0xffff
}

/// CD-Text as libburn's doc/cdtext.txt lays it out: 18-byte packs (type, track number
/// of the first text piece, sequence counter, block and character position, 12 bytes
/// of payload, CRC); the texts of one pack type NUL-terminated back to back from pack to
/// pack, the first belonging to the first pack's track; 0x8f packs the size information.
struct CdText {
    /// (pack type, track) -> text, block 0.
    texts: BTreeMap<(u8, u8), String>,
    /// The 36 bytes of the three 0x8f packs.
    size_info: Vec<u8>,
    packs: usize,
}

fn read_cdtext(bytes: &[u8]) -> CdText {
    assert_eq!(bytes.len() % 18, 0, "whole 18-byte packs");
    let mut payloads: BTreeMap<u8, (u8, Vec<u8>)> = BTreeMap::new();
    let mut size_info = vec![0u8; 36];
    for (i, pack) in bytes.chunks(18).enumerate() {
        assert_eq!(pack_crc(pack), u16::from_be_bytes([pack[16], pack[17]]), "pack {i}'s CRC");
        assert_eq!(usize::from(pack[2]), i, "the sequence counter counts the packs");
        assert_eq!((pack[3] >> 4) & 7, 0, "block 0");
        assert_eq!(pack[3] & 0x80, 0, "single-byte characters");
        if pack[0] == 0x8f {
            size_info[usize::from(pack[1]) * 12..][..12].copy_from_slice(&pack[4..16]);
        } else {
            payloads.entry(pack[0]).or_insert_with(|| (pack[1], Vec::new())).1.extend_from_slice(&pack[4..16]);
        }
    }
    // One text for the disc and one per track up to the last (size information byte 2);
    // the zeros after the last one are padding.
    let last_track = size_info[2];
    let mut texts = BTreeMap::new();
    for (kind, (first_track, payload)) in payloads {
        for (offset, piece) in payload.split(|&b| b == 0).enumerate() {
            let track = first_track + offset as u8;
            if track > last_track {
                break;
            }
            // ISO-8859-1 (character code 0x00): one byte, one character.
            let text: String = piece.iter().map(|&b| char::from(b)).collect();
            texts.insert((kind, track), text);
        }
    }
    CdText { texts, size_info, packs: bytes.len() / 18 }
}

/// The stream files DDPMS names, by (type, subcode descriptor).
fn streams(image: &Path) -> BTreeMap<(String, String), String> {
    let map = fs::read(image.join("DDPMS")).unwrap();
    map.chunks(128)
        .map(|p| {
            let text = |r: std::ops::Range<usize>| String::from_utf8_lossy(&p[r]).trim().to_owned();
            ((text(4..6), text(30..38)), text(74..91))
        })
        .collect()
}

/// The PQ entries: (track, index, sector, ISRC).
fn pq_entries(image: &Path) -> Vec<(String, u32, u64, String)> {
    let name = &streams(image)[&("S0".to_owned(), "PQ DESCR".to_owned())];
    fs::read(image.join(name))
        .unwrap()
        .chunks(64)
        .map(|e| {
            let text = |r: std::ops::Range<usize>| String::from_utf8_lossy(&e[r]).trim().to_owned();
            let number = |r| text(r).parse::<u64>().unwrap();
            let sector = (number(10..12) * 60 + number(12..14)) * 75 + number(14..16);
            (text(4..6), number(6..8) as u32, sector, text(20..32))
        })
        .collect()
}

#[test]
fn a_release_makes_the_disc_its_cdtext_pq_sheet_and_cue_sheet() {
    let Some(release) = Release::new() else { return };
    let (image, lines) = release.ddp("image", &[]);
    let summary = &lines.last().unwrap()["summary"];
    assert_eq!(summary["catalog"], UPC, "the release's UPC/EAN, no --catalog given");
    assert_eq!(summary["warnings"], serde_json::json!([]), "nothing to warn about");
    let codes = release.codes_in_order();
    for (line, (_, title)) in lines.iter().zip(ORDER) {
        assert_eq!(line["title"], title);
        assert_eq!(line["performer"], ARTIST);
    }

    // The CD-Text, read as libburn describes it.
    let cdtext_name = &streams(&image)[&("S0".to_owned(), "CDTEXT".to_owned())];
    let text = read_cdtext(&fs::read(image.join(cdtext_name)).unwrap());
    assert_eq!(text.texts[&(0x80, 0)], ALBUM);
    assert_eq!(text.texts[&(0x81, 0)], ARTIST);
    assert_eq!(text.texts[&(0x8e, 0)], UPC, "the UPC/EAN of the album");
    for (n, (_, title)) in ORDER.iter().enumerate() {
        let track = n as u8 + 1;
        assert_eq!(&text.texts[&(0x80, track)], title, "track {track}'s title");
        assert_eq!(text.texts[&(0x81, track)], ARTIST, "track {track}'s performer");
        assert_eq!(text.texts[&(0x8e, track)], codes[n], "track {track}'s ISRC");
    }
    assert_eq!(text.texts.len(), 15);
    // The size information: ISO-8859-1, tracks 1 to 4, the packs per type, the last sequence number, English.
    assert_eq!(&text.size_info[..3], [0x00, 1, 4]);
    let counted: usize = text.size_info[4..20].iter().map(|&n| usize::from(n)).sum();
    assert_eq!(counted, text.packs, "every pack counted by its type");
    assert!(text.size_info[4] > 0 && text.size_info[5] > 0 && text.size_info[18] > 0, "0x80, 0x81, 0x8e");
    assert_eq!(usize::from(text.size_info[20]), text.packs - 1);
    assert_eq!(text.size_info[28], 0x09);

    // The PQ data: the release's codes, in its order; the UPC/EAN in DDPID.
    let pq = pq_entries(&image);
    for (n, code) in codes.iter().enumerate() {
        let first = pq.iter().find(|e| e.0 == format!("{:02}", n + 1)).unwrap();
        assert_eq!(&first.3, code, "track {}'s ISRC in the PQ data", n + 1);
    }
    assert_eq!(String::from_utf8_lossy(&fs::read(image.join("DDPID")).unwrap()[8..21]), UPC);
    let (stdout, stderr, code) = release.run(&["verify", image.to_str().unwrap()]);
    assert_eq!(code, 0, "the image verifies against the ledger, CD-Text included:\n{stdout}\n{stderr}");

    // The PQ sheet, from the release and from the image, shows the titles.
    let html = release.path("pq.html");
    let (_, stderr, code) =
        release.run(&["pq", release.cd.to_str().unwrap(), "--release", UPC, "--output", html.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let from_image = release.path("pq-image.html");
    let (_, stderr, code) = release.run(&["pq", image.to_str().unwrap(), "--output", from_image.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let page = fs::read_to_string(&from_image).unwrap();
    assert!(page.contains("<h1>PQ sheet: Castle Nights</h1>") && page.contains("Torre Norte"), "{page}");
    if common::have_tool("chromium", &["--version"]) && common::have_tool("pdftotext", &["-v"]) {
        let printed = print_to_text(&release, &html);
        assert!(!printed.contains("Untitled disc"), "{printed}");
        assert!(printed.contains(&format!("PQ sheet: {ALBUM}")), "{printed}");
        assert!(printed.contains(UPC), "{printed}");
        for ((_, title), code) in ORDER.iter().zip(&codes) {
            assert!(printed.contains(title), "{title} on the printed sheet:\n{printed}");
            let display = format!("{}-{}-{}-{}", &code[0..2], &code[2..5], &code[5..7], &code[7..12]);
            assert!(printed.contains(&display), "{display} on the printed sheet:\n{printed}");
        }
    }

    // The CUE sheet, read by cuetools: text, codes and the image's track starts.
    if !common::have_tool("cueconvert", &["-h"]) {
        return;
    }
    check_cue(&release, &image, &[]);
    // Other gaps, the same in both: none before track 3, 1 s 10 frames before track 4.
    let gaps = release.path("gaps.txt");
    fs::write(&gaps, "3 0\n4 00:01:10\n").unwrap();
    let (image, _) = release.ddp("image-gaps", &["--gaps", gaps.to_str().unwrap()]);
    check_cue(&release, &image, &["--gaps", gaps.to_str().unwrap()]);
}

/// Prints the HTML to PDF with headless Chromium and reads its text back with pdftotext.
fn print_to_text(release: &Release, html: &Path) -> String {
    let pdf = html.with_extension("pdf");
    let profile = release.path("chromium-profile");
    common::print_to_pdf(html, &pdf, &profile);
    // In reading order, every run of white space one space: a title wrapped in its
    // table cell reads as it is.
    let text = Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&pdf).arg("-").output().unwrap();
    String::from_utf8(text.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Runs a tool and gives its stdout.
fn tool(program: &str, args: &[&str], at: &Path) -> String {
    let output = Command::new(program).args(args).current_dir(at).output().expect("runs");
    assert!(output.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// `cue --release` with `extra` arguments, read by `cueprint` and `cueconvert` (to
/// cdrdao's TOC format, where a gap is `ZERO` silence and track 1's 2 s are implied):
/// the text and codes of the release, and each track's INDEX 00 and 01 where the DDP
/// image's PQ data puts them, counting each master padded to a whole sector as burners
/// and the DDP writer do.
fn check_cue(release: &Release, image: &Path, extra: &[&str]) {
    let sheet = release.path("album.cue");
    let mut args = vec!["cue", release.cd.to_str().unwrap(), "--release", UPC, "--output", sheet.to_str().unwrap()];
    args.extend(extra);
    let (stdout, stderr, code) = release.run(&args);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let folder = release.dir.path();

    let printed = tool("cueprint", &["-d", "%T|%P|%N\n", "-t", "%n|%t|%p|%i\n", "album.cue"], folder);
    let mut lines = printed.lines();
    assert_eq!(lines.next(), Some(format!("{ALBUM}|{ARTIST}|4").as_str()), "{printed}");
    let codes = release.codes_in_order();
    for (n, (_, title)) in ORDER.iter().enumerate() {
        let expected = format!("{}|{title}|{ARTIST}|{}", n + 1, codes[n]);
        assert_eq!(lines.next(), Some(expected.as_str()), "{printed}");
    }

    let toc = tool("cueconvert", &["-i", "cue", "-o", "toc", "album.cue"], folder);
    assert!(toc.contains(&format!("CATALOG \"{UPC}\"")), "{toc}");
    // Per track: its file and its ZERO (the PREGAP silence), in order.
    let mut tracks: Vec<(String, u64)> = Vec::new();
    for line in toc.lines() {
        let msf = |text: &str| {
            let parts: Vec<u64> = text.split(':').map(|p| p.parse().unwrap()).collect();
            (parts[0] * 60 + parts[1]) * 75 + parts[2]
        };
        if line == "TRACK AUDIO" {
            tracks.push((String::new(), 0));
        } else if let Some(time) = line.strip_prefix("ZERO ") {
            tracks.last_mut().unwrap().1 = msf(time);
        } else if let Some(rest) = line.strip_prefix("FILE \"") {
            tracks.last_mut().unwrap().0 = rest.split('"').next().unwrap().to_owned();
        }
    }
    assert_eq!(tracks.len(), 4, "{toc}");
    let pq = pq_entries(image);
    let at = |track: usize, index: u32| pq.iter().find(|e| e.0 == format!("{track:02}") && e.1 == index).map(|e| e.2);
    let mut position = 150; // track 1's INDEX 01: every burner's 2-second pause
    for (n, (file, zero)) in tracks.iter().enumerate() {
        let track = n + 1;
        if n > 0 {
            position += zero;
        }
        assert_eq!(at(track, 1), Some(position), "track {track}'s INDEX 01 (cue {file})");
        let index0 = if n == 0 { Some(0) } else { (*zero > 0).then(|| position - zero) };
        assert_eq!(at(track, 0), index0, "track {track}'s INDEX 00: the gap");
        let data = common::riff_chunks(&folder.join(file)).into_iter().find(|(id, _)| id == b"data").unwrap().1;
        position += (data.len() as u64).div_ceil(2352);
    }
    assert_eq!(pq.last().unwrap().2, position, "the lead-out");
}

// ------------------------------------------------------------------ an empty CD-Text said aloud

#[test]
fn a_disc_or_sheet_without_any_text_says_so() {
    let Some((dir, cd)) = common::music::cd_folder() else {
        return;
    };
    cut_untagged(5, 6.0, &cd.join("01.wav"));
    cut_untagged(6, 7.0, &cd.join("02.wav"));
    let ledger = dir.path().join("ledger.sqlite3");
    let run = |args: &[&str]| common::run_with_ledger(&ledger, args);
    assert_eq!(run(&["init", "--prefix", "QZ-TST"]).2, 0);
    assert_eq!(run(&["assign", cd.to_str().unwrap()]).2, 0);
    let image = dir.path().join("image");
    let (stdout, stderr, code) =
        run(&["--json", "ddp", "write", cd.to_str().unwrap(), "--output", image.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("warning: the CD-Text") && stderr.contains("is empty"), "{stderr}");
    assert!(stderr.contains("no CDTEXT.BIN"), "{stderr}");
    let lines = common::json_lines(&stdout);
    let summary = &lines.last().unwrap()["summary"];
    let warnings = summary["warnings"].as_array().unwrap();
    assert!(warnings.iter().any(|w| w.as_str().unwrap().contains("CD-Text")), "{summary}");
    assert!(!image.join("CDTEXT.BIN").exists());

    let (stdout, stderr, code) = run(&["--json", "cue", cd.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("warning: the CUE sheet's text") && stderr.contains("is empty"), "{stderr}");
    let lines = common::json_lines(&stdout);
    let sheet = &lines[0];
    assert!(sheet["warnings"][0].as_str().unwrap().contains("no TITLE or PERFORMER"), "{sheet}");
    assert_eq!(sheet["tracks"][1]["pregap"], "00:02:00", "the DDP image's gap");

    // One title in the ledger: the disc and the sheet take it, and name the tracks still without one.
    let (inspected, _) = common::inspect_json(&[&cd.join("01.wav")]);
    let first = inspected[0]["isrcs"][0]["value"].as_str().unwrap_or_else(|| panic!("a code: {}", inspected[0]));
    assert_eq!(run(&["ledger", "edit", first, "--title", "Only One"]).2, 0);
    let (stdout, stderr, code) = run(&["--json", "cue", cd.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let lines = common::json_lines(&stdout);
    let sheet = &lines[0];
    assert_eq!(sheet["tracks"][0]["title"], "Only One", "the ledger's title, the tags having none");
    assert!(stderr.contains("has no title for track 2"), "{stderr}");
}
