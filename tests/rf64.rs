//! RF64 and BW64 masters and the aXML ISRC (EBU Tech 3352), end to end: the audio id
//! of the same samples in any RIFF form, tagging that keeps the audio, `ds64` and every
//! other chunk, the readers nobody here wrote (ffprobe, mediainfo, exiftool, Python's
//! ElementTree), and what is refused with a reason.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::Wide;
use serde_json::Value;

/// A folder with copies of fixtures and a ledger with the demonstration prefix.
struct Desk {
    dir: tempfile::TempDir,
}

impl Desk {
    fn with(fixtures: &[&str]) -> Desk {
        let dir = tempfile::tempdir().unwrap();
        for rel in fixtures {
            std::fs::copy(common::fixtures().join(rel), dir.path().join(Path::new(rel).file_name().unwrap())).unwrap();
        }
        let desk = Desk { dir };
        let (_, stderr, code) = common::run_with_ledger(&desk.ledger(), &["init", "--prefix", "QZ-DEM"]);
        assert_eq!(code, 0, "{stderr}");
        desk
    }

    fn ledger(&self) -> PathBuf {
        self.dir.path().join("ledger.sqlite3")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `assign --json` on the named files; the lines by file name, and the exit code.
    fn assign(&self, names: &[&str], extra: &[&str]) -> (Vec<Value>, i32) {
        let paths: Vec<String> = names.iter().map(|n| self.path(n).display().to_string()).collect();
        let mut args = vec!["assign", "--json"];
        args.extend(extra);
        args.extend(paths.iter().map(String::as_str));
        let (stdout, stderr, code) = common::run_with_ledger(&self.ledger(), &args);
        assert!(code != 2, "assign failed: {stdout}\n{stderr}");
        (common::json_lines(&stdout), code)
    }
}

/// `inspect --json` of one file.
fn inspect(path: &Path) -> Value {
    let (mut lines, _) = common::inspect_json(&[path]);
    lines.remove(0)
}

fn pairs(codes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = codes.iter().map(|(l, v)| ((*l).to_owned(), (*v).to_owned())).collect();
    pairs.sort();
    pairs
}

/// What ffprobe says the file's ISRC tag and its stream's length in frames are.
fn ffprobe(path: &Path) -> (String, u64) {
    let output = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format_tags=ISRC:stream=duration_ts", "-of", "json"])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    assert!(output.status.success(), "ffprobe fails on {}", path.display());
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let isrc = json["format"]["tags"]["ISRC"].as_str().unwrap_or_default().to_owned();
    (isrc, json["streams"][0]["duration_ts"].as_u64().unwrap_or(0))
}

/// The ISRCs Python's ElementTree finds in the aXML document: EBUCore identifiers in
/// `coreMetadata` with `formatLabel="ISRC"`, as `dc:identifier` text.
fn elementtree_isrcs(python: &str, document: &[u8]) -> Vec<String> {
    const SCRIPT: &str = r#"
import sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read().rstrip(b"\0"))
DC = "{http://purl.org/dc/elements/1.1/}identifier"
for core in root:
    if not core.tag.endswith("}coreMetadata"):
        continue
    for ident in core:
        if ident.tag.endswith("}identifier") and ident.get("formatLabel") == "ISRC":
            print(ident.find(DC).text)
"#;
    use std::io::Write;
    let mut child = Command::new(python)
        .args(["-c", SCRIPT])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(document).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "ElementTree cannot parse the document");
    String::from_utf8(output.stdout).unwrap().lines().map(str::to_owned).collect()
}

/// `mediainfo`'s and `exiftool`'s full output for a file (each must read it).
fn mediainfo_and_exiftool(path: &Path) -> (String, String) {
    let run = |program: &str| {
        let output = Command::new(program).arg(path).output().expect("runs");
        assert!(output.status.success(), "{program} fails on {}", path.display());
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    (run("mediainfo"), run("exiftool"))
}

/// The line of a tool's output naming `field`, if any.
fn field<'a>(text: &'a str, field: &str) -> Option<&'a str> {
    text.lines()
        .find(|line| line.split(':').next().is_some_and(|name| name.trim() == field))
        .and_then(|line| line.split_once(':'))
        .map(|(_, value)| value.trim())
}

#[test]
fn an_rf64_written_by_ffmpeg_has_the_audio_id_of_its_wav_and_flac() {
    if !common::have_tool("ffmpeg", &["-version"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let rf64 = dir.path().join("s24.wav");
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(common::fixtures().join("formats/s24.wav"))
        .args(["-map_metadata", "-1", "-c:a", "copy", "-rf64", "always"])
        .arg(&rf64)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(&std::fs::read(&rf64).unwrap()[..4], b"RF64");
    let line = inspect(&rf64);
    assert_eq!(line["format"], "rf64", "{line}");
    assert_eq!((line["frames"].as_u64(), line["bits_per_sample"].as_u64()), (Some(11_025), Some(24)));
    for rel in ["formats/s24.wav", "formats/s24.flac"] {
        assert_eq!(line["audio_id"], inspect(&common::fixtures().join(rel))["audio_id"], "{rel}");
    }
    Wide::read(&rf64).assert_consistent(6);
}

#[test]
fn tagged_rf64_and_bw64_keep_their_audio_ds64_and_chunks_and_other_readers_see_the_code() {
    let desk = Desk::with(&["same/rf64.wav", "same/bw64.wav"]);
    let before: Vec<(Wide, Vec<u8>)> = ["rf64.wav", "bw64.wav"]
        .iter()
        .map(|name| (Wide::read(&desk.path(name)), std::fs::read(desk.path(name)).unwrap()))
        .collect();
    let id = inspect(&desk.path("rf64.wav"))["audio_id"].clone();
    let (lines, code) = desk.assign(&["rf64.wav", "bw64.wav"], &[]);
    assert_eq!(code, 0, "{lines:?}");
    let isrc = lines[0]["isrc"].as_str().unwrap().to_owned();
    assert_eq!(lines.iter().map(|l| l["action"].as_str().unwrap()).collect::<Vec<_>>(), ["issued", "reused"]);
    for ((name, magic), (old, old_bytes)) in [("rf64.wav", b"RF64"), ("bw64.wav", b"BW64")].iter().zip(&before) {
        let path = desk.path(name);
        let new = Wide::read(&path);
        assert_eq!(&new.magic, *magic, "{name}: the magic is kept");
        new.assert_consistent(4);
        assert_eq!((new.sample_count, new.data_size), (29_400, old.data_size), "{name}");
        let body = |wide: &Wide, bytes: &[u8], id: &[u8; 4]| {
            wide.chunk(id).map(|(at, len)| bytes[at as usize..(at + len) as usize].to_vec())
        };
        let new_bytes = std::fs::read(&path).unwrap();
        for id in [b"fmt ", b"data", b"bext", b"chna", b"axml"] {
            assert_eq!(body(&new, &new_bytes, id), body(old, old_bytes, id), "{name}: {:?} byte for byte", id);
        }
        let line = inspect(&path);
        assert_eq!((&line["audio_id"], &line["format"]), (&id, &Value::from(&name[..4])), "{name}");
        // No bext (RF64) or an ADM master (BW64, with chna): no aXML identifier written.
        assert_eq!(common::isrc_pairs(&line), pairs(&[("id3v2:TSRC", &isrc), ("riff-info:ISRC", &isrc)]), "{name}");
        if common::have_tool("ffprobe", &["-version"]) {
            assert_eq!(ffprobe(&path), (isrc.clone(), 29_400), "{name}: ffprobe reads the code and every frame");
        }
    }
    // mediainfo and exiftool read RF64; the versions Debian ships (mediainfo 23.04,
    // exiftool 12.57) do not know the BW64 magic at all, the untouched fixture included.
    if common::have_tool("mediainfo", &["--version"]) && common::have_tool("exiftool", &["-ver"]) {
        let (mediainfo, exiftool) = mediainfo_and_exiftool(&desk.path("rf64.wav"));
        assert_eq!(field(&mediainfo, "ISRC"), Some(isrc.as_str()), "{mediainfo}");
        assert_eq!(field(&exiftool, "ISRC"), Some(isrc.as_str()), "{exiftool}");
        assert_eq!(field(&exiftool, "Number Of Samples 64"), Some("29400"), "{exiftool}");
    }
    let (lines, _) = desk.assign(&["rf64.wav", "bw64.wav"], &[]);
    assert!(lines.iter().all(|l| l["action"] == "unchanged"), "{lines:?}");
}

#[test]
fn a_bwf_without_axml_gains_the_identifier_and_other_readers_still_read_it() {
    let desk = Desk::with(&["same/bext.wav"]);
    let path = desk.path("bext.wav");
    let bext_before = common::riff_chunks(&path).into_iter().find(|(id, _)| id == b"bext").unwrap();
    let (lines, code) = desk.assign(&["bext.wav"], &[]);
    assert_eq!(code, 0);
    let isrc = lines[0]["isrc"].as_str().unwrap().to_owned();
    let chunks = common::riff_chunks(&path);
    let ids: Vec<&[u8; 4]> = chunks.iter().map(|(id, _)| id).collect();
    assert_eq!(ids, [b"bext", b"fmt ", b"data", b"LIST", b"id3 ", b"axml"]);
    assert_eq!(chunks[0], bext_before, "bext byte for byte");
    let axml = &chunks[5].1;
    let text = String::from_utf8(axml.clone()).unwrap();
    assert!(
        text.contains(&format!(
            "<ebucore:identifier typeLabel=\"GUID\" typeDefinition=\"Globally Unique Identifier\" \
             formatLabel=\"ISRC\" formatDefinition=\"International Standard Recording Code\">\
             <dc:identifier>ISRC:{isrc}</dc:identifier></ebucore:identifier>"
        )),
        "{text}"
    );
    let expected = pairs(&[("id3v2:TSRC", &isrc), ("riff-info:ISRC", &isrc), ("axml:ISRC", &isrc)]);
    assert_eq!(common::isrc_pairs(&inspect(&path)), expected);
    if let Some(python) = common::mutagen_python() {
        assert_eq!(elementtree_isrcs(python, axml), [format!("ISRC:{isrc}")]);
    }
    if common::have_tool("mediainfo", &["--version"]) && common::have_tool("exiftool", &["-ver"]) {
        let (mediainfo, exiftool) = mediainfo_and_exiftool(&path);
        assert_eq!(field(&mediainfo, "ISRC"), Some(isrc.as_str()), "{mediainfo}");
        assert_eq!(field(&mediainfo, "Producer_Reference"), Some("ISRCSTAMP0001"), "{mediainfo}");
        assert!(field(&exiftool, "Error").is_none() && field(&exiftool, "Warning").is_none(), "{exiftool}");
        assert_eq!(field(&exiftool, "Originator Reference"), Some("ISRCSTAMP0001"), "{exiftool}");
        assert_eq!(field(&exiftool, "ISRC"), Some(isrc.as_str()), "{exiftool}");
    }
}

#[test]
fn an_ebucore_document_keeps_its_other_elements() {
    let desk = Desk::with(&["same/axml.wav"]);
    let path = desk.path("axml.wav");
    let old =
        String::from_utf8(common::riff_chunks(&path).into_iter().find(|(id, _)| id == b"axml").unwrap().1).unwrap();
    // It carries USPR37300012 in aXML only: adopted, and the other locations completed.
    let (lines, code) = desk.assign(&["axml.wav"], &[]);
    assert_eq!((lines[0]["action"].as_str(), code), (Some("adopted"), 0), "{lines:?}");
    let code = "USPR37300012";
    assert_eq!(
        common::isrc_pairs(&inspect(&path)),
        pairs(&[("id3v2:TSRC", code), ("riff-info:ISRC", code), ("axml:ISRC", code)])
    );
    let new =
        String::from_utf8(common::riff_chunks(&path).into_iter().find(|(id, _)| id == b"axml").unwrap().1).unwrap();
    for kept in [
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ebucore:ebuCoreMain ",
        "<ebucore:title typeLabel=\"main\"><dc:title>Same Samples</dc:title></ebucore:title>",
        "<ebucore:language><dc:language>en</dc:language></ebucore:language>\n  </ebucore:coreMetadata>\n</ebucore:ebuCoreMain>\n",
    ] {
        assert!(old.contains(kept) && new.contains(kept), "kept as it was: {kept}\n{new}");
    }
    assert_eq!(new.matches("formatLabel=\"ISRC\"").count(), 1, "one identifier: {new}");
    // Fixed to another code: the one identifier changes, the other elements do not.
    common::retag(&path, isrc_stamp::container::Format::Wav, "GBBBB9905305");
    let retagged =
        String::from_utf8(common::riff_chunks(&path).into_iter().find(|(id, _)| id == b"axml").unwrap().1).unwrap();
    assert_eq!(retagged, new.replace(code, "GBBBB9905305"));
    if let Some(python) = common::mutagen_python() {
        assert_eq!(elementtree_isrcs(python, retagged.as_bytes()), ["ISRC:GBBBB9905305"]);
    }
}

#[test]
fn an_adm_document_keeps_its_axml_byte_for_byte_even_without_chna() {
    // The BW64 master's chunks as a plain RIFF broadcast WAV, without chna: its aXML
    // describes ADM (audioFormatExtended), which alone keeps it untouched.
    let dir = tempfile::tempdir().unwrap();
    let source = common::fixtures().join("same/bw64.wav");
    let wide = Wide::read(&source);
    let mut body = b"WAVE".to_vec();
    for id in [b"bext", b"fmt ", b"data", b"axml"] {
        let chunk = wide.body(&source, id).unwrap();
        body.extend(id);
        body.extend((chunk.len() as u32).to_le_bytes());
        body.extend(&chunk);
        if chunk.len() % 2 == 1 {
            body.push(0);
        }
    }
    let path = dir.path().join("adm.wav");
    std::fs::write(&path, [b"RIFF".as_slice(), &(body.len() as u32).to_le_bytes(), &body].concat()).unwrap();
    let axml_before = wide.body(&source, b"axml").unwrap();
    let ledger = dir.path().join("ledger.sqlite3");
    common::run_with_ledger(&ledger, &["init", "--prefix", "QZ-DEM"]);
    let (stdout, _, code) = common::run_with_ledger(&ledger, &["assign", "--json", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}");
    let chunks = common::riff_chunks(&path);
    let axml = chunks.iter().filter(|(id, _)| id == b"axml").map(|(_, body)| body).collect::<Vec<_>>();
    assert_eq!(axml, [&axml_before], "the ADM document byte for byte");
    let names: Vec<String> = common::isrc_pairs(&inspect(&path)).into_iter().map(|(location, _)| location).collect();
    assert_eq!(names, ["id3v2:TSRC", "riff-info:ISRC"]);
}

#[test]
fn a_disagreeing_axml_isrc_is_a_conflict_in_assign_and_a_finding_in_verify() {
    let desk = Desk::with(&["cases/axml-disagree.wav"]);
    let before = std::fs::read(desk.path("axml-disagree.wav")).unwrap();
    let (lines, code) = desk.assign(&["axml-disagree.wav"], &[]);
    assert_eq!((lines[0]["action"].as_str(), code), (Some("conflict"), 1), "{lines:?}");
    let detail = lines[0]["detail"].as_str().unwrap();
    assert!(detail.contains("GBBBB9905305") && detail.contains("USDO19800058"), "{detail}");
    assert_eq!(std::fs::read(desk.path("axml-disagree.wav")).unwrap(), before, "a conflict never writes");
    let (stdout, _, code) = common::run_with_ledger(
        &desk.ledger(),
        &["verify", "--json", desk.path("axml-disagree.wav").to_str().unwrap()],
    );
    assert_eq!(code, 1);
    let findings = &common::json_lines(&stdout)[0]["findings"];
    let disagree = findings.as_array().unwrap().iter().find(|f| f["id"] == "locations-disagree");
    assert!(disagree.is_some(), "{findings}");
}

#[test]
fn damaged_wide_files_and_an_unknown_riff_data_size_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let rf64 = std::fs::read(common::fixtures().join("same/rf64.wav")).unwrap();
    let wide = Wide::read(&common::fixtures().join("same/rf64.wav"));
    let (data_at, _) = wide.chunk(b"data").unwrap();
    let (fmt_at, _) = wide.chunk(b"fmt ").unwrap();
    let patched = |at: usize, bytes: &[u8]| {
        let mut copy = rf64.clone();
        copy[at..at + bytes.len()].copy_from_slice(bytes);
        copy
    };
    let mut plain = std::fs::read(common::fixtures().join("same/plain.wav")).unwrap();
    plain[40..44].copy_from_slice(&u32::MAX.to_le_bytes()); // the data size field
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("riff-size.wav", patched(20, &1_000u64.to_le_bytes()), "the ds64 chunk says the file is 1008 bytes"),
        ("data-size.wav", patched(28, &200_000u64.to_le_bytes()), "or its ds64 chunk is wrong"),
        ("sample-count.wav", patched(36, &29_399u64.to_le_bytes()), "counts 29399 sample frames"),
        ("truncated.wav", rf64[..rf64.len() - 1000].to_vec(), "truncated"),
        ("adpcm.wav", patched(fmt_at as usize, &2u16.to_le_bytes()), "not plain PCM"),
        ("odd-data.wav", patched(28, &(wide.data_size - 1).to_le_bytes()), "not a whole number of frames"),
        ("no-ds64.wav", plain, "no ds64 chunk"),
    ];
    assert_eq!(&rf64[data_at as usize - 4..data_at as usize], &u32::MAX.to_le_bytes());
    let paths: Vec<PathBuf> = cases
        .iter()
        .map(|(name, bytes, _)| {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            path
        })
        .collect();
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let (lines, code) = common::inspect_json(&refs);
    assert_eq!(code, 2);
    for ((name, bytes, why), line) in cases.iter().zip(&lines) {
        let error = line["error"].as_str().unwrap_or_else(|| panic!("{name} is refused: {line}"));
        assert!(error.contains(why), "{name}: {error}");
        assert_eq!(&std::fs::read(dir.path().join(name)).unwrap(), bytes, "{name} untouched");
    }
}
