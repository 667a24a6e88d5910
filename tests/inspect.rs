//! `inspect` on the fixtures: the audio id is container-independent, the PCM layout
//! matches ffmpeg's, tags are read as the fixture script wrote them, and damaged
//! files give clear errors.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The manifest the fixture script wrote, keyed by relative path.
fn manifest() -> Vec<Value> {
    let text = std::fs::read_to_string(common::fixtures().join("manifest.json")).expect("manifest");
    serde_json::from_str::<Vec<Value>>(&text).expect("manifest is a JSON array")
}

/// `inspect --json` over every fixture, keyed by path relative to fixtures/.
fn inspect_all_fixtures() -> HashMap<String, Value> {
    let paths: Vec<PathBuf> = manifest().iter().map(|m| common::fixtures().join(m["path"].as_str().unwrap())).collect();
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let (lines, code) = common::inspect_json(&refs);
    assert_eq!(code, 2, "two fixtures are meant to fail");
    lines
        .into_iter()
        .map(|line| {
            let path = PathBuf::from(line["path"].as_str().unwrap());
            let rel = path.strip_prefix(common::fixtures()).unwrap().to_str().unwrap().to_owned();
            (rel, line)
        })
        .collect()
}

#[test]
fn every_fixture_reads_as_the_script_wrote_it() {
    let lines = inspect_all_fixtures();
    for expected in manifest() {
        let rel = expected["path"].as_str().unwrap();
        let line = &lines[rel];
        if expected["error_expected"] == Value::Bool(true) {
            assert!(line["error"].is_string(), "{rel} should fail");
            assert!(line["audio_id"].is_null() && line["isrcs"].is_null(), "{rel}: the rest is null");
            continue;
        }
        assert!(line["error"].is_null(), "{rel}: {}", line["error"]);
        for key in ["format", "sample_rate", "channels", "title", "artist"] {
            assert_eq!(line[key], expected[key], "{rel}: {key}");
        }
        for key in ["bits_per_sample", "sample_kind", "frames"] {
            if !expected[key].is_null() {
                assert_eq!(line[key], expected[key], "{rel}: {key}");
            }
        }
        assert_eq!(common::isrc_pairs(line), common::isrc_pairs(&expected), "{rel}: ISRC locations");
        for isrc in line["isrcs"].as_array().unwrap() {
            let valid = isrc["value"] != "USPR3730001O";
            assert_eq!(isrc["valid"], Value::Bool(valid), "{rel}: {isrc}");
        }
    }
}

#[test]
fn the_same_samples_in_any_container_have_one_audio_id() {
    let lines = inspect_all_fixtures();
    let id = |rel: &str| lines[rel]["audio_id"].as_str().unwrap_or_else(|| panic!("{rel} has an id")).to_owned();
    let reference = id("same/plain.wav");
    let same = ["same/info.wav", "same/id3.wav", "same/bext.wav", "same/axml.wav", "same/same.flac", "same/same.aiff"];
    // RF64 (written by ffmpeg) and BW64 (an ADM master) of the same samples too.
    for rel in same.into_iter().chain(["same/rf64.wav", "same/bw64.wav"]) {
        assert_eq!(id(rel), reference, "{rel}");
    }
    for rel in ["same/changed-sample.wav", "same/swapped.wav", "same/rate48k.wav"] {
        assert_ne!(id(rel), reference, "{rel}");
    }
    // 24-bit WAV and FLAC of the same samples too.
    assert_eq!(id("formats/s24.wav"), id("formats/s24.flac"));
    // A FLAC file's STREAMINFO MD5 is MD5(pcm) of the canonical layout.
    assert_eq!(lines["same/same.flac"]["md5_ok"], Value::Bool(true));
    assert_eq!(lines["same/same.flac"]["pcm_md5"], lines["same/plain.wav"]["pcm_md5"]);
}

#[test]
fn integer_pcm_md5_equals_ffmpeg_decoding_at_the_same_width() {
    if !common::have_tool("ffmpeg", &["-version"]) {
        return;
    }
    let lines = inspect_all_fixtures();
    let mut compared = 0;
    for (rel, line) in &lines {
        if line["sample_kind"] != "int" {
            continue;
        }
        let bits = line["bits_per_sample"].as_u64().unwrap();
        let width = match bits.div_ceil(8) {
            1 => "s8",
            2 => "s16le",
            3 => "s24le",
            _ => "s32le",
        };
        let output = Command::new("ffmpeg")
            .args(["-v", "error", "-i"])
            .arg(common::fixtures().join(rel))
            .args(["-f", width, "-"])
            .output()
            .expect("ffmpeg runs");
        assert!(output.status.success(), "ffmpeg failed on {rel}");
        let md5 = isrc_stamp::audio::hex(&<md5::Md5 as md5::Digest>::digest(&output.stdout));
        assert_eq!(line["pcm_md5"].as_str().unwrap(), md5, "{rel} ({width})");
        compared += 1;
    }
    assert!(compared >= 15, "only {compared} integer fixtures compared");
}

#[test]
fn a_failed_file_does_not_stop_the_batch() {
    let good = common::fixtures().join("same/plain.wav");
    let bad = common::fixtures().join("cases/not-audio.wav");
    let missing = common::fixtures().join("cases/does-not-exist.wav");
    let (lines, code) = common::inspect_json(&[&bad, &good, &missing]);
    assert_eq!(code, 2);
    assert_eq!(lines.len(), 3);
    assert!(lines[0]["error"].as_str().unwrap().contains("not a supported audio file"));
    assert!(lines[1]["error"].is_null());
    assert!(lines[2]["error"].as_str().unwrap().contains("no such file"));
}

#[test]
fn human_output_names_every_location() {
    let output =
        common::isrc_stamp().args(["inspect"]).arg(common::fixtures().join("cases/disagree.wav")).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("id3v2:TSRC") && text.contains("riff-info:ISRC"), "{text}");
    assert!(text.contains("pcm1:"), "{text}");
}

#[test]
fn inspect_json_has_exactly_the_documented_keys() {
    let (lines, _) = common::inspect_json(&[&common::fixtures().join("same/same.flac")]);
    let keys: Vec<&str> = lines[0].as_object().unwrap().keys().map(String::as_str).collect();
    let mut expected = vec![
        "path",
        "format",
        "codec",
        "sample_rate",
        "channels",
        "bits_per_sample",
        "sample_kind",
        "frames",
        "duration_seconds",
        "audio_id",
        "pcm_md5",
        "stored_md5",
        "md5_ok",
        "isrcs",
        "title",
        "artist",
        "error",
    ];
    let mut keys = keys;
    keys.sort_unstable();
    expected.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(lines[0]["duration_seconds"].as_f64().unwrap(), 29400.0 / 44100.0);
}
