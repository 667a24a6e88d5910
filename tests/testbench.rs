//! The FLAC decoder testbench (CC0), read in place from ../shared: every `subset` file
//! decodes to its STREAMINFO MD5 or fails clearly; `faulty` and `uncommon` files give a
//! clear error or a correct result, never a panic; no file is modified.

mod common;

use std::path::PathBuf;

use serde_json::Value;

fn flac_files(folder: &str) -> Vec<PathBuf> {
    let dir = common::testbench().join(folder);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{} must exist: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "flac"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no FLAC files in {}", dir.display());
    files
}

/// Runs `inspect --json` on every file of `folder` and checks the lines' shape.
fn inspect_folder(folder: &str) -> Vec<Value> {
    let files = flac_files(folder);
    let refs: Vec<_> = files.iter().map(PathBuf::as_path).collect();
    let before = common::snapshot(&common::testbench().join(folder));
    let (lines, code) = common::inspect_json(&refs);
    assert!(code == 0 || code == 2, "exit code {code}");
    assert_eq!(lines.len(), files.len(), "one line per file");
    assert_eq!(before, common::snapshot(&common::testbench().join(folder)), "no file modified");
    for line in &lines {
        match line["error"].as_str() {
            Some(error) => {
                assert!(error.len() > 15, "a clear error: {error:?}");
                assert!(line["audio_id"].is_null());
            }
            None => assert!(line["audio_id"].as_str().is_some_and(|id| id.starts_with("pcm1:"))),
        }
    }
    lines
}

#[test]
fn subset_files_decode_to_their_streaminfo_md5() {
    let lines = inspect_folder("subset");
    let mut verified = 0;
    for line in &lines {
        if line["error"].is_null() {
            assert_eq!(line["pcm_md5"], line["stored_md5"], "{}", line["path"]);
            assert_eq!(line["md5_ok"], Value::Bool(true), "{}", line["path"]);
            verified += 1;
        }
    }
    // All but a handful must verify: a decoder that errors on everything would pass otherwise.
    assert!(verified + 2 >= lines.len(), "only {verified} of {} verified", lines.len());
}

#[test]
fn faulty_files_fail_clearly_or_decode_correctly() {
    for line in inspect_folder("faulty") {
        if line["error"].is_null() && !line["stored_md5"].is_null() {
            assert_eq!(line["md5_ok"], Value::Bool(true), "{}", line["path"]);
        }
    }
}

#[test]
fn uncommon_files_fail_clearly_or_decode_correctly() {
    let lines = inspect_folder("uncommon");
    for line in &lines {
        let path = line["path"].as_str().expect("path");
        let changes_midway =
            ["changing samplerate", "number of channels", "changing bitdepth"].iter().any(|name| path.contains(name));
        if changes_midway {
            let error = line["error"].as_str().unwrap_or_else(|| panic!("{path} must be an error"));
            assert!(error.contains("midway"), "{path}: {error}");
        } else if line["error"].is_null() && !line["stored_md5"].is_null() {
            assert_eq!(line["md5_ok"], Value::Bool(true), "{path}");
        }
    }
}
