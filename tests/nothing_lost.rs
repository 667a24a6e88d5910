//! Issue 22, "Nothing lost, second probe", end to end: outputs never replace the ledger
//! or a master, every tag field survives tagging (read back by metaflac and mutagen),
//! special files are reported and never read, strict reading (two TSRC frames, a
//! sample rate of 0), the clock (under Debian's `faketime`), bounded memory, and
//! messages that name the cause before any code is bound.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Studio, isrc_stamp, json_lines};

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

// --- 1. No output over what must not be overwritten -----------------------------------

#[test]
fn no_output_replaces_the_ledger_in_use_and_the_ledger_stays_whole() {
    let studio = Studio::new("QZ-TST");
    studio.add(&["album/01 - First Light.flac"]);
    let (_, stderr, code) = studio.run(&["assign", arg(&studio.masters())]);
    assert_eq!(code, 0, "{stderr}");
    let ledger = studio.ledger();
    let before = std::fs::read(&ledger).unwrap();
    let wal = PathBuf::from(format!("{}-wal", ledger.display()));
    let masters = studio.masters();
    let attempts: Vec<Vec<&str>> = vec![
        vec!["ledger", "export", "--output", arg(&ledger)],
        vec!["ledger", "export", "--recordings", "--output", arg(&ledger)],
        vec!["ledger", "export", "--output", wal.to_str().unwrap()],
        vec!["ledger", "backup", arg(&ledger)],
        vec!["cue", arg(&masters), "--output", arg(&ledger)],
        vec!["man", "--output", arg(&ledger)],
    ];
    for args in attempts {
        let (_, stderr, code) = studio.run(&args);
        assert_eq!(code, 2, "{args:?} must be refused: {stderr}");
        assert!(stderr.contains("refused to write") && stderr.contains("the ledger in use"), "{args:?}: {stderr}");
        assert_eq!(std::fs::read(&ledger).unwrap(), before, "{args:?} left the ledger as it was");
    }
    // Still a whole ledger: its prefix, its code, its history.
    let (out, stderr, code) = studio.run(&["ledger", "check"]);
    assert_eq!(code, 0, "{out}{stderr}");
    assert_eq!(studio.recordings(), 1);
    let (out, _, _) = studio.run(&["ledger", "prefixes"]);
    assert!(out.contains("QZ-TST"), "{out}");
}

#[test]
fn no_output_replaces_a_master_or_a_folder() {
    let studio = Studio::new("QZ-TST");
    let masters = studio.add(&["album/01 - First Light.flac", "album/02 - Harbour Wall.flac"]);
    let (_, stderr, code) = studio.run(&["assign", arg(&studio.masters())]);
    assert_eq!(code, 0, "{stderr}");
    // A master under a name that says nothing of audio: told by its content.
    let disguised = studio.dir.path().join("sheet.cue");
    std::fs::copy(&masters[1], &disguised).unwrap();
    let before: Vec<Vec<u8>> = masters.iter().map(|m| std::fs::read(m).unwrap()).collect();
    let disguised_before = std::fs::read(&disguised).unwrap();
    for output in [&masters[0], &disguised] {
        for args in [
            vec!["cue", arg(&studio.masters()), "--output", arg(output)],
            vec!["ledger", "export", "--output", arg(output)],
            vec!["pq", arg(&studio.masters()), "--output", arg(output)],
        ] {
            let (_, stderr, code) = studio.run(&args);
            assert_eq!(code, 2, "{args:?}: {stderr}");
            assert!(stderr.contains("it is an audio file (flac)"), "{args:?}: {stderr}");
        }
    }
    for (master, bytes) in masters.iter().zip(&before) {
        assert_eq!(&std::fs::read(master).unwrap(), bytes, "{} is byte-identical", master.display());
    }
    assert_eq!(std::fs::read(&disguised).unwrap(), disguised_before);
    let (_, stderr, code) = studio.run(&["cue", arg(&studio.masters()), "--output", arg(&studio.masters())]);
    assert_eq!(code, 2);
    assert!(stderr.contains("it is a folder"), "{stderr}");
    let (_, stderr, code) = studio.run(&["ddp", "write", arg(&studio.masters()), "--output", arg(&masters[0])]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("it is an audio file"), "{stderr}");
    assert_eq!(std::fs::read(&masters[0]).unwrap(), before[0]);
    // An ordinary output is still written.
    let sheet = studio.dir.path().join("album.cue");
    let (_, stderr, code) = studio.run(&["cue", arg(&studio.masters()), "--output", arg(&sheet)]);
    assert_eq!(code, 0, "{stderr}");
    assert!(std::fs::read_to_string(&sheet).unwrap().contains("ISRC QZTST"));
}

// --- 2. Every tag field survives ----------------------------------------------------

/// The fields the probe found dropped: an empty value, a key outside ASCII, a field
/// without `=`, a value that is not UTF-8.
const ODD_FIELDS: [&[u8]; 4] = [b"COMMENT=", b"K\xc3\xa9Y=x", b"a field without a separator", b"ARTIST=caf\xe9"];

/// A Vorbis comment block: vendor, count, length-prefixed fields.
fn comment_block(fields: &[&[u8]]) -> Vec<u8> {
    let mut block = 6u32.to_le_bytes().to_vec();
    block.extend_from_slice(b"vendor");
    block.extend_from_slice(&(fields.len() as u32).to_le_bytes());
    for field in fields {
        block.extend_from_slice(&(field.len() as u32).to_le_bytes());
        block.extend_from_slice(field);
    }
    block
}

/// `source` (a FLAC) with its VORBIS_COMMENT block replaced by `comments`.
fn flac_with_comments(source: &Path, target: &Path, comments: &[u8]) {
    let bytes = std::fs::read(source).unwrap();
    let blocks = common::flac_blocks(source);
    let head: usize = 4 + blocks.iter().map(|(_, body)| 4 + body.len()).sum::<usize>();
    let mut kept: Vec<(u8, Vec<u8>)> = blocks.into_iter().filter(|(kind, _)| *kind != 4).collect();
    kept.insert(1, (4, comments.to_vec()));
    let mut out = b"fLaC".to_vec();
    let last = kept.len() - 1;
    for (i, (kind, body)) in kept.iter().enumerate() {
        let mut header = (body.len() as u32).to_be_bytes();
        header[0] = kind | if i == last { 0x80 } else { 0 };
        out.extend_from_slice(&header);
        out.extend_from_slice(body);
    }
    out.extend_from_slice(&bytes[head..]);
    std::fs::write(target, out).unwrap();
}

#[test]
fn a_flac_keeps_every_comment_field_byte_for_byte_metaflac_reads_them() {
    if !common::have_tool("metaflac", &["--version"]) {
        return;
    }
    let studio = Studio::new("QZ-TST");
    let master = studio.masters().join("odd.flac");
    flac_with_comments(&common::fixtures().join("album/03 - Slow Tide.flac"), &master, &comment_block(&ODD_FIELDS));
    let (out, stderr, code) = studio.run(&["assign", "--json", arg(&studio.masters())]);
    assert_eq!(code, 0, "{out}{stderr}");
    let code_given = json_lines(&out)[0]["isrc"].as_str().unwrap().to_owned();
    let exported =
        Command::new("metaflac").args(["--no-utf8-convert", "--export-tags-to=-"]).arg(&master).output().unwrap();
    assert!(exported.status.success());
    let lines: Vec<&[u8]> = exported.stdout.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    let mut expected: Vec<Vec<u8>> = ODD_FIELDS.iter().map(|f| f.to_vec()).collect();
    expected.push(format!("ISRC={code_given}").into_bytes());
    assert_eq!(lines, expected.iter().map(Vec::as_slice).collect::<Vec<_>>());
    let vendor = Command::new("metaflac").arg("--show-vendor-tag").arg(&master).output().unwrap();
    assert_eq!(vendor.stdout, b"vendor\n");
}

/// Python run with mutagen: `script` gets the file as `sys.argv[1]`.
fn mutagen(python: &str, script: &str, path: &Path) -> String {
    let output = Command::new(python).args(["-c", script]).arg(path).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// Replaces the comment header of an Ogg Vorbis file with raw bytes, through mutagen's
/// own page layer (not the code under test).
const OGG_SET_COMMENTS: &str = r#"
import sys
from mutagen.ogg import OggPage
path, comment = sys.argv[1], bytes.fromhex(sys.argv[2])
with open(path, "r+b") as f:
    pages = []
    while True:
        page = OggPage(f)
        pages.append(page)
        if page.packets and len(OggPage.to_packets(pages)) >= 3 and page.complete:
            break
    # The identification header is alone on the first page: the pages after it are replaced.
    old = pages[1:]
    packets = OggPage.to_packets(old)
    packets[0] = b"\x03vorbis" + comment + b"\x01"
    new = OggPage._from_packets_try_preserve(packets, old)
    OggPage.replace(f, old, new)
"#;

/// Prints the raw fields of an Ogg Vorbis file's comment header, hex, one per line,
/// read through mutagen's page layer.
const OGG_FIELDS: &str = r#"
import sys, struct
from mutagen.ogg import OggPage
with open(sys.argv[1], "rb") as f:
    pages = [OggPage(f)]
    while len(OggPage.to_packets(pages)) < 3 or not pages[-1].complete:
        pages.append(OggPage(f))
comment = OggPage.to_packets(pages)[1][7:]
at = 4 + struct.unpack("<I", comment[:4])[0]
count = struct.unpack("<I", comment[at:at + 4])[0]
at += 4
for _ in range(count):
    n = struct.unpack("<I", comment[at:at + 4])[0]
    print(comment[at + 4:at + 4 + n].hex())
    at += 4 + n
"#;

#[test]
fn an_ogg_keeps_every_comment_field_byte_for_byte_mutagen_reads_them() {
    let Some(python) = common::mutagen_python() else { return };
    let studio = Studio::new("QZ-TST");
    let [master] = studio.add(&["formats/vorbis.ogg"]).try_into().unwrap();
    let hex: String = comment_block(&ODD_FIELDS).iter().map(|b| format!("{b:02x}")).collect();
    let status = Command::new(python).args(["-c", OGG_SET_COMMENTS]).arg(&master).arg(&hex).status().unwrap();
    assert!(status.success());
    assert_eq!(mutagen(python, OGG_FIELDS, &master).lines().count(), 4, "the fields are in place");
    let (out, stderr, code) = studio.run(&["assign", "--json", arg(&studio.masters())]);
    assert_eq!(code, 0, "{out}{stderr}");
    let code_given = json_lines(&out)[0]["isrc"].as_str().unwrap().to_owned();
    let fields: Vec<Vec<u8>> = mutagen(python, OGG_FIELDS, &master)
        .lines()
        .map(|line| (0..line.len()).step_by(2).map(|i| u8::from_str_radix(&line[i..i + 2], 16).unwrap()).collect())
        .collect();
    let mut expected: Vec<Vec<u8>> = ODD_FIELDS.iter().map(|f| f.to_vec()).collect();
    expected.push(format!("ISRC={code_given}").into_bytes());
    assert_eq!(fields, expected);
    // And the file is whole for mutagen's Vorbis reader.
    let info = mutagen(python, "import sys, mutagen; print(mutagen.File(sys.argv[1]).info.length > 0)", &master);
    assert_eq!(info.trim(), "True");
}

#[test]
fn an_empty_mp4_freeform_atom_survives_mutagen_reads_it_back() {
    let Some(python) = common::mutagen_python() else { return };
    let studio = Studio::new("QZ-TST");
    let [master] = studio.add(&["formats/alac.m4a"]).try_into().unwrap();
    let add = r#"
import sys
from mutagen.mp4 import MP4, MP4FreeForm
f = MP4(sys.argv[1])
del f["----:com.apple.iTunes:ISRC"]
f["----:com.apple.iTunes:EMPTY"] = [MP4FreeForm(b"")]
f["----:com.apple.iTunes:NOTE"] = [MP4FreeForm(b"kept")]
f.save()
"#;
    mutagen(python, add, &master);
    let (out, stderr, code) = studio.run(&["assign", "--json", arg(&studio.masters())]);
    assert_eq!(code, 0, "{out}{stderr}");
    let code_given = json_lines(&out)[0]["isrc"].as_str().unwrap().to_owned();
    let read = r#"
import sys
from mutagen.mp4 import MP4
tags = MP4(sys.argv[1]).tags
for key in ["----:com.apple.iTunes:EMPTY", "----:com.apple.iTunes:NOTE", "----:com.apple.iTunes:ISRC"]:
    print(key, [bytes(v) for v in tags[key]] if key in tags else "MISSING")
"#;
    let shown = mutagen(python, read, &master);
    assert_eq!(
        shown,
        format!(
            "----:com.apple.iTunes:EMPTY [b'']\n----:com.apple.iTunes:NOTE [b'kept']\n----:com.apple.iTunes:ISRC [b'{code_given}']\n"
        )
    );
}

/// An ID3v2.3 frame.
fn id3_frame(id: &[u8; 4], content: &[u8]) -> Vec<u8> {
    let mut out = id.to_vec();
    out.extend_from_slice(&(content.len() as u32).to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(content);
    out
}

/// An ID3v2.3 tag of `frames`, with some padding.
fn id3_tag(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut body = frames.concat();
    body.resize(body.len() + 64, 0);
    let size = body.len();
    let mut tag = b"ID3\x03\x00\x00".to_vec();
    tag.extend_from_slice(&[
        (size >> 21) as u8 & 0x7f,
        (size >> 14) as u8 & 0x7f,
        (size >> 7) as u8 & 0x7f,
        size as u8 & 0x7f,
    ]);
    tag.extend_from_slice(&body);
    tag
}

/// The frames of an ID3v2.3 tag at the start of `bytes`, as (id, whole frame bytes),
/// read here from the layout, not by the code under test.
fn id3_frames(bytes: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
    assert_eq!(&bytes[..4], b"ID3\x03", "an ID3v2.3 tag");
    let size = bytes[6..10].iter().fold(0usize, |acc, &b| (acc << 7) | usize::from(b));
    let mut frames = Vec::new();
    let mut at = 10;
    while at + 10 <= 10 + size && bytes[at] != 0 {
        let len = u32::from_be_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        frames.push((bytes[at..at + 4].try_into().unwrap(), bytes[at..at + 10 + len].to_vec()));
        at += 10 + len;
    }
    frames
}

#[test]
fn every_id3_frame_survives_in_mp3_aiff_and_wav() {
    let studio = Studio::new("QZ-TST");
    // Frames lofty's save path loses or rewrites: two TXXX of one description, two COMM
    // of one language and description, a frame of an unknown id, a UTF-16 title.
    let odd = vec![
        id3_frame(b"TIT2", b"\x01\xff\xfeT\x00i\x00"),
        id3_frame(b"TXXX", b"\x00same\x00one"),
        id3_frame(b"TXXX", b"\x00same\x00two"),
        id3_frame(b"COMM", b"\x00engx\x00a"),
        id3_frame(b"COMM", b"\x00engx\x00b"),
        id3_frame(b"XYZW", b"\xff\xfe\xfd"),
    ];
    let tag = id3_tag(&odd);
    // An MP3 with that tag in front.
    let mp3 = studio.masters().join("odd.mp3");
    let source = std::fs::read(common::fixtures().join("formats/v23.mp3")).unwrap();
    let old = 10 + source[6..10].iter().fold(0usize, |acc, &b| (acc << 7) | usize::from(b));
    std::fs::write(&mp3, [&tag[..], &source[old..]].concat()).unwrap();
    // An AIFF and a WAV with it in an ID3 chunk.
    let with_chunk = |fixture: &str, id: &[u8; 4], big_endian: bool, name: &str| {
        let mut bytes = std::fs::read(common::fixtures().join(fixture)).unwrap();
        let size = tag.len() as u32;
        bytes.extend_from_slice(id);
        bytes.extend_from_slice(&if big_endian { size.to_be_bytes() } else { size.to_le_bytes() });
        bytes.extend_from_slice(&tag);
        if tag.len() % 2 == 1 {
            bytes.push(0);
        }
        let form = bytes.len() as u32 - 8;
        bytes[4..8].copy_from_slice(&if big_endian { form.to_be_bytes() } else { form.to_le_bytes() });
        std::fs::write(studio.masters().join(name), bytes).unwrap();
    };
    with_chunk("formats/aiff16.aiff", b"ID3 ", true, "odd.aiff");
    with_chunk("formats/s16.wav", b"id3 ", false, "odd.wav");
    let (out, stderr, code) = studio.run(&["assign", "--json", arg(&studio.masters())]);
    assert_eq!(code, 0, "{out}{stderr}");
    for line in json_lines(&out) {
        let path = PathBuf::from(line["path"].as_str().unwrap());
        let code_given = line["isrc"].as_str().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let at = match path.extension().unwrap().to_str().unwrap() {
            "mp3" => 0,
            _ => bytes.windows(4).position(|w| w == b"ID3\x03").expect("the tag"),
        };
        let frames = id3_frames(&bytes[at..]);
        let others: Vec<Vec<u8>> = frames.iter().filter(|(id, _)| id != b"TSRC").map(|(_, f)| f.clone()).collect();
        assert_eq!(others, odd, "{}: every other frame byte for byte", path.display());
        let tsrc: Vec<&Vec<u8>> = frames.iter().filter(|(id, _)| id == b"TSRC").map(|(_, f)| f).collect();
        assert_eq!(tsrc, [&id3_frame(b"TSRC", &[b"\x00", code_given.as_bytes()].concat())], "{}", path.display());
    }
}

// --- 3. Special files ---------------------------------------------------------------

/// Named pipes, sockets and `/dev`: Unix only.
#[cfg(unix)]
mod special_files {
    use super::*;
    use std::time::{Duration, Instant};

    /// A DDP image of two CD masters, written by `ddp write`, in `studio`.
    fn ddp_image(studio: &Studio) -> PathBuf {
        for n in 1..=2 {
            common::write_wav(&studio.masters().join(format!("{n:02}.wav")), n, 44_100 * 5);
        }
        let (_, stderr, code) = studio.run(&["assign", arg(&studio.masters())]);
        assert_eq!(code, 0, "{stderr}");
        let image = studio.dir.path().join("image");
        let (_, stderr, code) = studio.run(&["ddp", "write", arg(&studio.masters()), "--output", arg(&image)]);
        assert_eq!(code, 0, "{stderr}");
        image
    }

    /// Runs the binary and waits at most `limit`; kills it (and fails) if it takes longer.
    fn within(limit: Duration, ledger: &Path, args: &[&str]) -> (String, i32) {
        let started = Instant::now();
        let mut child = common::spawn_with_ledger(ledger, args);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                let mut out = String::new();
                std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
                return (out, status.code().unwrap_or(-1));
            }
            if started.elapsed() > limit {
                child.kill().unwrap();
                child.wait().unwrap();
                panic!("{args:?} did not return within {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn mkfifo(path: &Path) {
        assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
    }

    #[test]
    fn a_ddp_whose_files_are_a_pipe_or_a_device_is_verified_at_once_with_a_finding() {
        let studio = Studio::new("QZ-TST");
        let image = ddp_image(&studio);
        let dat = image.join("IMAGE.DAT");
        std::fs::remove_file(&dat).unwrap();
        mkfifo(&dat);
        let (out, code) = within(Duration::from_secs(2), &studio.ledger(), &["verify", "--json", arg(&image)]);
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("ddp-structure") && out.contains("a named pipe (FIFO)"), "{out}");
        let (_, code) =
            within(Duration::from_secs(2), &studio.ledger(), &["pq", arg(&image), "--output", "/dev/null/x"]);
        assert_eq!(code, 1);
        std::fs::remove_file(&dat).unwrap();
        std::os::unix::fs::symlink("/dev/zero", &dat).unwrap();
        let (out, code) = within(Duration::from_secs(2), &studio.ledger(), &["verify", "--json", arg(&image)]);
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("a character device"), "{out}");
    }

    #[test]
    fn a_checksum_file_naming_a_pipe_or_dev_zero_is_a_finding_not_a_hang() {
        let studio = Studio::new("QZ-TST");
        let image = ddp_image(&studio);
        mkfifo(&image.join("PIPE"));
        std::os::unix::fs::symlink("/dev/zero", image.join("ZERO")).unwrap();
        let sums = image.join("CHECKSUM.MD5");
        let mut text = std::fs::read_to_string(&sums).unwrap();
        text.push_str("d41d8cd98f00b204e9800998ecf8427e  PIPE\nd41d8cd98f00b204e9800998ecf8427e  ZERO\n");
        std::fs::write(&sums, text).unwrap();
        let (out, code) = within(Duration::from_secs(2), &studio.ledger(), &["verify", "--json", arg(&image)]);
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("a named pipe (FIFO)") && out.contains("a character device"), "{out}");
    }

    #[test]
    fn pipes_sockets_and_device_links_in_a_folder_are_reported_as_skipped() {
        let studio = Studio::new("QZ-TST");
        studio.add(&["album/01 - First Light.flac"]);
        mkfifo(&studio.masters().join("pipe.wav"));
        let _socket = std::os::unix::net::UnixListener::bind(studio.masters().join("socket")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", studio.masters().join("zero.flac")).unwrap();
        std::os::unix::fs::symlink("/dev/urandom", studio.masters().join("random")).unwrap();
        let (out, stderr, code) = studio.run(&["assign", "--json", arg(&studio.masters())]);
        assert_eq!(code, 0, "{out}{stderr}");
        let lines = json_lines(&out);
        let skipped: Vec<(String, String)> = lines
            .iter()
            .filter(|l| l["action"] == "skipped")
            .map(|l| {
                let path = l["path"].as_str().unwrap();
                (path.rsplit('/').next().unwrap().to_owned(), l["detail"].as_str().unwrap().to_owned())
            })
            .collect();
        let names: Vec<&str> = skipped.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["pipe.wav", "random", "socket", "zero.flac"], "{out}");
        assert!(skipped[0].1.starts_with("a named pipe (FIFO)"), "{skipped:?}");
        assert!(skipped[1].1.starts_with("a symlink to a character device"), "{skipped:?}");
        assert!(skipped[2].1.starts_with("a socket"), "{skipped:?}");
        assert_eq!(lines.iter().filter(|l| l["action"] == "issued").count(), 1);
        let (out, stderr, code) = studio.run(&["verify", "--json", arg(&studio.masters())]);
        assert_eq!(code, 0, "{out}{stderr}");
        let not_checked = out.matches("not-checked").count();
        assert_eq!(not_checked, 4, "{out}");
    }
}

// --- 4. Strict reading --------------------------------------------------------------

/// An ID3v2.3 TSRC frame holding `code`.
fn tsrc_frame(code: &str) -> Vec<u8> {
    let mut frame = b"TSRC".to_vec();
    frame.extend_from_slice(&(code.len() as u32 + 1).to_be_bytes());
    frame.extend_from_slice(&[0, 0, 0]);
    frame.extend_from_slice(code.as_bytes());
    frame
}

/// `source` (an MP3 starting with an ID3v2 tag) with its tag replaced by an ID3v2.3 tag
/// of `frames`.
fn mp3_with_frames(source: &Path, target: &Path, frames: &[Vec<u8>]) {
    let bytes = std::fs::read(source).unwrap();
    assert_eq!(&bytes[..3], b"ID3");
    let old = 10 + bytes[6..10].iter().fold(0usize, |acc, &b| (acc << 7) | usize::from(b));
    let body: Vec<u8> = frames.concat();
    let size = body.len();
    let syncsafe = [(size >> 21) as u8 & 0x7f, (size >> 14) as u8 & 0x7f, (size >> 7) as u8 & 0x7f, size as u8 & 0x7f];
    let mut out = b"ID3\x03\x00\x00".to_vec();
    out.extend_from_slice(&syncsafe);
    out.extend_from_slice(&body);
    out.extend_from_slice(&bytes[old..]);
    std::fs::write(target, out).unwrap();
}

#[test]
fn two_tsrc_frames_are_a_conflict_in_assign_and_a_finding_in_verify() {
    let studio = Studio::new("QZ-TST");
    let master = studio.masters().join("two.mp3");
    let frames = [tsrc_frame("USPR37300012"), tsrc_frame("GBBBB9905305")];
    mp3_with_frames(&common::fixtures().join("formats/v23.mp3"), &master, &frames);
    let before = std::fs::read(&master).unwrap();
    let (out, stderr, code) = studio.run(&["assign", "--json", arg(&studio.masters())]);
    assert_eq!(code, 1, "{out}{stderr}");
    let line = &json_lines(&out)[0];
    assert_eq!(line["action"], "conflict", "{out}");
    assert_eq!(std::fs::read(&master).unwrap(), before, "a conflict never writes");
    assert_eq!(studio.recordings(), 0, "nothing adopted");
    let (out, _, code) = studio.run(&["verify", "--json", arg(&studio.masters())]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("multiple-values") || out.contains("locations-disagree"), "{out}");
    // Two frames with one code: still more than one value.
    mp3_with_frames(
        &common::fixtures().join("formats/v23.mp3"),
        &master,
        &[tsrc_frame("USPR37300012"), tsrc_frame("USPR37300012")],
    );
    let (out, _, code) = studio.run(&["verify", "--json", arg(&studio.masters())]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("multiple-values"), "{out}");
}

#[test]
fn a_wav_with_a_sample_rate_of_zero_is_refused() {
    let studio = Studio::new("QZ-TST");
    let master = studio.masters().join("zero.wav");
    common::write_pcm_wav(&master, 0, 2, 16, &vec![1u8; 4 * 44_100]);
    let (out, stderr, code) = studio.run(&["assign", "--json", arg(&studio.masters())]);
    assert_eq!(code, 2, "{out}{stderr}");
    let line = &json_lines(&out)[0];
    assert_eq!(line["action"], "error");
    assert!(line["detail"].as_str().unwrap().contains("a sample rate of 0 Hz"), "{out}");
    assert_eq!(studio.recordings(), 0);
    let (inspected, code) = common::inspect_json(&[&master]);
    assert_eq!(code, 2);
    assert!(inspected[0]["error"].as_str().unwrap().contains("0 Hz"), "{inspected:?}");
}

// --- 5. The clock -------------------------------------------------------------------

#[test]
fn with_the_clock_in_1970_assign_refuses_and_says_how_to_fix_it() {
    if !common::have_tool("faketime", &["--version"]) {
        return;
    }
    let studio = Studio::new("QZ-TST");
    studio.add(&["album/01 - First Light.flac"]);
    let output = Command::new("faketime")
        .arg("1970-06-01 12:00:00")
        .arg(common::binary())
        .arg("--ledger")
        .arg(studio.ledger())
        .args(["assign", arg(&studio.masters())])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the clock says 1970-06-01") && stderr.contains("Set the clock right"), "{stderr}");
    assert_eq!(studio.recordings(), 0, "no code issued");
    // The same under a right clock issues.
    let (_, stderr, code) = studio.run(&["assign", arg(&studio.masters())]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(studio.recordings(), 1);
}

// --- 2 (bounded memory) and 7. Messages before any code is bound -------------------------

/// Runs the binary with its address space limited to `limit` bytes (`prlimit --as`); `None`
/// when `prlimit` is missing (outside CI).
fn run_under_address_limit(limit: u64, ledger: &Path, args: &[&str]) -> Option<(String, i32)> {
    if !common::have_tool("prlimit", &["--version"]) {
        return None;
    }
    let output = Command::new("prlimit")
        .arg(format!("--as={limit}"))
        .arg(common::binary())
        .arg("--ledger")
        .arg(ledger)
        .args(args)
        .output()
        .unwrap();
    Some((String::from_utf8_lossy(&output.stdout).into_owned(), output.status.code().unwrap_or(-1)))
}

#[test]
fn a_flac_with_millions_of_comment_fields_is_tagged_in_bounded_memory_and_keeps_them_all() {
    let studio = Studio::new("QZ-TST");
    let master = studio.masters().join("many.flac");
    // 2.3 million fields `K=a`, `K=b`, ...: a 16 MB block (the probe's 779 MB peak).
    let fields: Vec<Vec<u8>> = (0..2_300_000u32).map(|n| vec![b'K', b'=', b'a' + (n % 26) as u8]).collect();
    let refs: Vec<&[u8]> = fields.iter().map(Vec::as_slice).collect();
    let block = comment_block(&refs);
    assert!(block.len() < (1 << 24), "{}", block.len());
    flac_with_comments(&common::fixtures().join("album/04 - Lantern.flac"), &master, &block);
    let Some((out, code)) = run_under_address_limit(
        1 << 30,
        &studio.ledger(),
        &["assign", "--jobs", "1", "--json", arg(&studio.masters())],
    ) else {
        return;
    };
    assert_eq!(code, 0, "{out}");
    let isrc = json_lines(&out)[0]["isrc"].as_str().unwrap().to_owned();
    let comments = common::flac_blocks(&master).into_iter().find(|(kind, _)| *kind == 4).unwrap().1;
    let mut expected = refs.clone();
    let isrc_field = format!("ISRC={isrc}");
    expected.push(isrc_field.as_bytes());
    assert_eq!(comments, comment_block(&expected));
}

#[test]
fn damaged_tags_are_named_and_no_code_is_bound_to_their_audio() {
    let studio = Studio::new("QZ-TST");
    // An ID3 size of 0x7F7F7F7F (256 MB) in front of a small MP3.
    let mp3 = studio.masters().join("lying.mp3");
    let mut bytes = std::fs::read(common::fixtures().join("formats/v23.mp3")).unwrap();
    bytes[6..10].copy_from_slice(&[0x7f; 4]);
    std::fs::write(&mp3, &bytes).unwrap();
    // A size byte with its top bit set: not syncsafe.
    let overflow = studio.masters().join("overflow.mp3");
    bytes[6..10].copy_from_slice(&[0, 0, 0x81, 0]);
    std::fs::write(&overflow, &bytes).unwrap();
    // A FLAC whose comment block claims four billion fields.
    let flac = studio.masters().join("count.flac");
    let mut block = comment_block(&[b"A=1"]);
    block[10..14].copy_from_slice(&u32::MAX.to_le_bytes());
    flac_with_comments(&common::fixtures().join("album/02 - Harbour Wall.flac"), &flac, &block);
    // An AIFF whose ID3 chunk claims 256 MB.
    let aiff = studio.masters().join("id3.aiff");
    let mut bytes = std::fs::read(common::fixtures().join("formats/aifc.aifc")).unwrap();
    let at = bytes.windows(4).position(|w| w.eq_ignore_ascii_case(b"ID3 ")).expect("an ID3 chunk");
    bytes[at + 4..at + 8].copy_from_slice(&(256u32 << 20).to_be_bytes());
    std::fs::write(&aiff, &bytes).unwrap();
    // A WAV whose INFO entry claims 2 GB.
    let wav = studio.masters().join("info.wav");
    common::write_wav(&wav, 9, 44_100);
    let mut bytes = std::fs::read(&wav).unwrap();
    let mut info = b"INFO".to_vec();
    info.extend_from_slice(b"ICMT");
    info.extend_from_slice(&(2u32 << 30).to_le_bytes());
    info.extend_from_slice(b"short\0");
    bytes.extend_from_slice(b"LIST");
    bytes.extend_from_slice(&(info.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&info);
    let riff = bytes.len() as u32 - 8;
    bytes[4..8].copy_from_slice(&riff.to_le_bytes());
    std::fs::write(&wav, &bytes).unwrap();

    let (out, stderr, code) = studio.run(&["assign", "--json", arg(&studio.masters())]);
    assert_eq!(code, 2, "{out}{stderr}");
    let lines = json_lines(&out);
    let detail = |name: &str| -> String {
        let line = lines.iter().find(|l| l["path"].as_str().unwrap().ends_with(name)).expect(name);
        assert_eq!(line["action"], "error", "{line}");
        assert!(line["isrc"].is_null(), "{line}");
        line["detail"].as_str().unwrap().to_owned()
    };
    let expect = [
        ("lying.mp3", "the ID3v2 tag is damaged: it claims 268435465 bytes"),
        ("overflow.mp3", "are not syncsafe"),
        ("count.flac", "says it holds 4294967295 fields"),
        ("id3.aiff", "claims 268435456 bytes, but the file ends"),
        ("info.wav", "the RIFF INFO list is damaged: its entry 1 (\"ICMT\") claims 2147483648 bytes"),
    ];
    for (name, words) in expect {
        let detail = detail(name);
        assert!(detail.contains(words), "{name}: {detail}");
        assert!(detail.contains("not tag"), "{name}: {detail}");
    }
    assert_eq!(studio.recordings(), 0, "no code is bound to audio that could never be tagged");
}

/// The top-level atoms of an MP4 file: (type, offset, size field).
fn top_atoms(bytes: &[u8]) -> Vec<([u8; 4], usize, u32)> {
    let mut atoms = Vec::new();
    let mut at = 0;
    while at + 8 <= bytes.len() {
        let size = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
        atoms.push((bytes[at + 4..at + 8].try_into().unwrap(), at, size));
        at += if size == 0 { bytes.len() } else { size as usize };
    }
    atoms
}

#[test]
fn an_m4a_whose_last_atom_runs_to_the_end_of_the_file_is_read_and_tagged() {
    let studio = Studio::new("QZ-TST");
    // `moov` last, with the size 0 that means "to the end of the file" (legal).
    let mut bytes = std::fs::read(common::fixtures().join("formats/aac.m4a")).unwrap();
    let (kind, at, _) = *top_atoms(&bytes).last().unwrap();
    assert_eq!(&kind, b"moov");
    bytes[at..at + 4].copy_from_slice(&[0; 4]);
    std::fs::write(studio.masters().join("moov0.m4a"), &bytes).unwrap();
    // `mdat` last, after `moov` (a "fast start" file), with size 0.
    if common::have_tool("ffmpeg", &["-version"]) {
        let fast = studio.dir.path().join("fast.m4a");
        let status = Command::new("ffmpeg")
            .args(["-nostdin", "-v", "error", "-i"])
            .arg(common::fixtures().join("formats/alac.m4a"))
            .args(["-c", "copy", "-movflags", "faststart"])
            .arg(&fast)
            .status()
            .unwrap();
        assert!(status.success());
        let mut bytes = std::fs::read(&fast).unwrap();
        let (kind, at, _) = *top_atoms(&bytes).last().unwrap();
        assert_eq!(&kind, b"mdat");
        bytes[at..at + 4].copy_from_slice(&[0; 4]);
        std::fs::write(studio.masters().join("mdat0.m4a"), &bytes).unwrap();
    }
    let (out, stderr, code) = studio.run(&["assign", "--json", "--fix", arg(&studio.masters())]);
    assert_eq!(code, 0, "{out}{stderr}");
    for line in json_lines(&out) {
        assert!(["adopted", "issued", "reused"].contains(&line["action"].as_str().unwrap()), "{line}");
    }
    let (out, stderr, code) = studio.run(&["verify", arg(&studio.masters())]);
    assert_eq!(code, 0, "{out}{stderr}");
    if common::have_tool("ffprobe", &["-version"]) {
        for entry in std::fs::read_dir(studio.masters()).unwrap() {
            let path = entry.unwrap().path();
            let probed = Command::new("ffprobe")
                .args(["-v", "error", "-show_entries", "format_tags=ISRC", "-of", "csv=p=0"])
                .arg(&path)
                .output()
                .unwrap();
            assert!(probed.status.success(), "{}", path.display());
            assert_eq!(String::from_utf8_lossy(&probed.stdout).trim().len(), 12, "{}", path.display());
        }
    }
}

#[test]
fn a_decisions_row_of_50_mb_is_refused_by_its_line_and_not_echoed() {
    let studio = Studio::new("QZ-TST");
    studio.add(&["album/01 - First Light.flac"]);
    let decisions = studio.dir.path().join("decisions.jsonl");
    let row = format!("{{\"path\":\"{}\",\"decision\":\"new\"}}\n", "p".repeat(50 << 20));
    std::fs::write(&decisions, &row).unwrap();
    let output = isrc_stamp()
        .arg("--ledger")
        .arg(studio.ledger())
        .args(["assign", "--decisions", arg(&decisions), arg(&studio.masters())])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{}", &stderr[..stderr.len().min(500)]);
    let expected = format!("line 1: {} bytes long", row.len());
    assert!(stderr.contains(&expected), "{}", &stderr[..stderr.len().min(500)]);
    assert!(stderr.len() < 1000, "the row is not echoed ({} bytes)", stderr.len());
}
