//! A rerun of `assign` does not decode files unchanged on disk since it decided them,
//! and decodes every file changed in any way.

mod common;

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use serde_json::Value;

/// `assign --json` on `folder`: the lines by file name, the count of files not decoded
/// (from stderr), and the exit code.
fn assign(ledger: &Path, folder: &Path, extra: &[&str]) -> (std::collections::BTreeMap<String, Value>, usize, i32) {
    let mut args = vec!["assign", "--json"];
    args.extend_from_slice(extra);
    args.push(folder.to_str().expect("UTF-8"));
    let (stdout, stderr, code) = common::run_with_ledger(ledger, &args);
    let remembered = stderr
        .lines()
        .find_map(|line| {
            let (count, _) = line.split_once(" unchanged on disk")?;
            count.trim_end_matches(" files").trim_end_matches(" file").trim().parse().ok()
        })
        .unwrap_or(0);
    let lines = common::json_lines(&stdout)
        .into_iter()
        .map(|l| {
            let name =
                Path::new(l["path"].as_str().expect("path")).file_name().expect("name").to_string_lossy().into_owned();
            (name, l)
        })
        .collect();
    (lines, remembered, code)
}

#[test]
fn unchanged_files_are_not_decoded_and_changed_ones_are() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("masters");
    std::fs::create_dir_all(&folder).expect("mkdir");
    for (n, name) in ["a.wav", "b.wav", "c.wav"].iter().enumerate() {
        common::write_music_wav(&folder.join(name), n as u64 + 1, 10.0);
    }
    let ledger = dir.path().join("ledger.sqlite3");
    assert_eq!(common::run_with_ledger(&ledger, &["init", "--prefix", "QZ-TST"]).2, 0);
    let (first, remembered, code) = assign(&ledger, &folder, &[]);
    assert_eq!((code, remembered), (0, 0));
    assert!(first.values().all(|l| l["action"] == "issued"), "{first:#?}");

    // Nothing changed: nothing decoded, all unchanged.
    let (lines, remembered, code) = assign(&ledger, &folder, &[]);
    assert_eq!((code, remembered), (0, 3));
    assert!(lines.values().all(|l| l["action"] == "unchanged"), "{lines:#?}");
    for (name, line) in &lines {
        assert_eq!(line["audio_id"], first[name]["audio_id"], "{name}");
    }

    // Touched: decoded again, still unchanged.
    let touched = std::process::Command::new("touch").arg(folder.join("a.wav")).status().expect("touch");
    assert!(touched.success());
    let (lines, remembered, _) = assign(&ledger, &folder, &[]);
    assert_eq!(remembered, 2);
    assert_eq!(lines["a.wav"]["action"], "unchanged");

    // One sample rewritten in place, same size: decoded, and found to be other audio.
    let b = folder.join("b.wav");
    let len = std::fs::metadata(&b).expect("stat").len();
    let mut file = std::fs::OpenOptions::new().write(true).open(&b).expect("open");
    file.seek(SeekFrom::Start(len / 2)).expect("seek");
    file.write_all(&[0x5a, 0x5a]).expect("one sample changed");
    drop(file);
    assert_eq!(std::fs::metadata(&b).expect("stat").len(), len);
    let (lines, remembered, code) = assign(&ledger, &folder, &[]);
    assert_eq!(remembered, 2, "a.wav was remembered again after its decoding, b.wav was not");
    assert_ne!(lines["b.wav"]["audio_id"], first["b.wav"]["audio_id"], "the changed sample is found");
    assert_eq!(lines["b.wav"]["action"], "conflict", "{:#}", lines["b.wav"]);
    assert_eq!(code, 1);

    // Renamed and moved: still unchanged.
    let moved = dir.path().join("moved");
    std::fs::create_dir_all(&moved).expect("mkdir");
    std::fs::rename(folder.join("c.wav"), moved.join("renamed.wav")).expect("move");
    let (lines, _, code) = assign(&ledger, &moved, &[]);
    assert_eq!((code, lines["renamed.wav"]["action"].as_str()), (0, Some("unchanged")));

    // --rehash decodes everything.
    let (_, remembered, _) = assign(&ledger, &moved, &["--rehash"]);
    assert_eq!(remembered, 0);
    let (_, remembered, _) = assign(&ledger, &moved, &[]);
    assert_eq!(remembered, 1);
}
