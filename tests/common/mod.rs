//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The project's fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The shared FLAC decoder testbench, read in place.
pub fn testbench() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/flac-testbench")
}

/// The binary under test.
pub fn isrc_stamp() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("isrc-stamp").expect("binary built")
}

/// Whether a third-party tool is there. Under CI (`CI` set) a missing tool fails the
/// test instead of skipping it: `.ci/run` installs them.
pub fn have_tool(program: &str, probe_args: &[&str]) -> bool {
    let found = Command::new(program).args(probe_args).output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "{program} is required under CI (.ci/run installs it)");
        eprintln!("skipping: {program} is not installed");
    }
    found
}

/// Runs `inspect --json` on `paths` and returns one parsed object per line.
pub fn inspect_json(paths: &[&Path]) -> (Vec<serde_json::Value>, i32) {
    let output = isrc_stamp().arg("inspect").arg("--json").args(paths).output().expect("runs");
    let lines = String::from_utf8(output.stdout)
        .expect("utf-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    (lines, output.status.code().expect("exit code"))
}

/// SHA-256 of every file under `dir` (relative path, digest), to prove nothing changed.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    use sha2::Digest;
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let bytes = std::fs::read(e.path()).expect("readable");
            (e.path().to_path_buf(), sha2::Sha256::digest(&bytes).to_vec())
        })
        .collect();
    files.sort();
    files
}

/// Copies a fixture folder (or file) into a fresh temporary folder.
pub fn copy_fixtures(relative: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for rel in relative {
        let source = fixtures().join(rel);
        for entry in walkdir::WalkDir::new(&source).into_iter().filter_map(Result::ok) {
            if entry.file_type().is_file() {
                let target = dir.path().join(entry.path().strip_prefix(fixtures()).expect("inside"));
                std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
                std::fs::copy(entry.path(), target).expect("copy");
            }
        }
    }
    dir
}

/// Runs the binary with `--ledger ledger` and `args`; returns (stdout, stderr, exit code).
pub fn run_with_ledger(ledger: &Path, args: &[&str]) -> (String, String, i32) {
    let output = isrc_stamp().arg("--ledger").arg(ledger).args(args).output().expect("runs");
    (
        String::from_utf8(output.stdout).expect("utf-8"),
        String::from_utf8(output.stderr).expect("utf-8"),
        output.status.code().expect("exit code"),
    )
}

/// Parses JSON Lines.
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines().map(|line| serde_json::from_str(line).expect("each line is JSON")).collect()
}

/// A python3 that can import mutagen (Debian's python3-mutagen lives in /usr/bin/python3).
pub fn mutagen_python() -> Option<&'static str> {
    let found = ["/usr/bin/python3", "python3"]
        .into_iter()
        .find(|python| Command::new(python).args(["-c", "import mutagen"]).output().is_ok_and(|o| o.status.success()));
    if found.is_none() {
        assert!(std::env::var_os("CI").is_none(), "mutagen is required under CI (.ci/run installs it)");
        eprintln!("skipping: no python3 with mutagen");
    }
    found
}

/// The body of every top-level RIFF chunk of a WAV file, by id.
pub fn riff_chunks(path: &Path) -> Vec<([u8; 4], Vec<u8>)> {
    let bytes = std::fs::read(path).expect("readable");
    let mut chunks = Vec::new();
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let id = [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
        let len = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]]) as usize;
        let end = (at + 8 + len).min(bytes.len());
        chunks.push((id, bytes[at + 8..end].to_vec()));
        at = at + 8 + len + (len & 1);
    }
    chunks
}

/// The body of every FLAC metadata block, as (type, body).
pub fn flac_blocks(path: &Path) -> Vec<(u8, Vec<u8>)> {
    let bytes = std::fs::read(path).expect("readable");
    assert_eq!(&bytes[..4], b"fLaC", "{} starts with fLaC", path.display());
    let mut blocks = Vec::new();
    let mut at = 4;
    loop {
        let header = &bytes[at..at + 4];
        let len = u32::from_be_bytes([0, header[1], header[2], header[3]]) as usize;
        blocks.push((header[0] & 0x7f, bytes[at + 4..at + 4 + len].to_vec()));
        at += 4 + len;
        if header[0] & 0x80 != 0 {
            return blocks;
        }
    }
}
