//! A master over 4 GiB: a 2 h 10 min 24/96 stereo RF64 (4.49 GB of samples), made and
//! removed by the test. `inspect` counts its frames, `assign` tags it in bounded memory,
//! ffprobe reads the code and ffmpeg decodes it to the end to the same samples, and a
//! SIGKILL in the middle of its write leaves the original byte-identical.
//!
//! To be quick the file is sparse: 1 MiB of noise every 256 MiB and at the end, holes
//! (zeros) between. The audio id still has to be computed over every byte, and the
//! tagged copy is written out in full; the test checks the id against its own hash.
//! Unix only: peak memory comes from `wait4`.
#![cfg(unix)]

mod common;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Wide;
use serde_json::Value;
use sha2::{Digest, Sha256};

const RATE: u32 = 96_000;
const FRAMES: u64 = (2 * 3600 + 10 * 60) * RATE as u64;
const BLOCK_ALIGN: u64 = 6;
const DATA_LEN: u64 = FRAMES * BLOCK_ALIGN;
/// Bytes of RIFF header, ds64 and fmt before the data chunk's body.
const DATA_AT: u64 = 12 + (8 + 28) + (8 + 16) + 8;
/// The most memory a run may take (its peak resident set).
const PEAK_LIMIT_KIB: u64 = 64 * 1024;

/// Writes the sparse RF64 master and reads it back ([`hash_file`]).
fn make_master(path: &Path) -> Hashes {
    let mut file = File::create(path).unwrap();
    let mut head = Vec::new();
    head.extend(b"RF64");
    head.extend(u32::MAX.to_le_bytes());
    head.extend(b"WAVEds64");
    head.extend(28u32.to_le_bytes());
    head.extend((DATA_AT + DATA_LEN - 8).to_le_bytes());
    head.extend(DATA_LEN.to_le_bytes());
    head.extend(FRAMES.to_le_bytes());
    head.extend(0u32.to_le_bytes());
    head.extend(b"fmt ");
    head.extend(16u32.to_le_bytes());
    head.extend(1u16.to_le_bytes());
    head.extend(2u16.to_le_bytes());
    head.extend(RATE.to_le_bytes());
    head.extend((RATE * BLOCK_ALIGN as u32).to_le_bytes());
    head.extend((BLOCK_ALIGN as u16).to_le_bytes());
    head.extend(24u16.to_le_bytes());
    head.extend(b"data");
    head.extend(u32::MAX.to_le_bytes());
    assert_eq!(head.len() as u64, DATA_AT);
    file.write_all(&head).unwrap();
    file.set_len(DATA_AT + DATA_LEN).unwrap();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut noise = vec![0u8; 1 << 20];
    let islands = (0..DATA_LEN).step_by(256 << 20).chain([DATA_LEN - (1 << 20)]);
    for at in islands {
        for byte in noise.iter_mut() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *byte = state as u8;
        }
        file.seek(SeekFrom::Start(DATA_AT + at)).unwrap();
        file.write_all(&noise[..noise.len().min((DATA_LEN - at) as usize)]).unwrap();
    }
    file.sync_all().unwrap();
    drop(file);
    hash_file(path)
}

/// What the test computes of its master, by reading it back.
struct Hashes {
    /// The bytes before the samples, and MD5 of the rest: the whole file's identity.
    identity: (Vec<u8>, String),
    /// The audio id of its samples: SHA-256 of the audio id header and the data.
    audio_id: String,
}

/// Hashes the master in one pass.
fn hash_file(path: &Path) -> Hashes {
    let mut audio = Sha256::new();
    audio.update(b"isrc-stamp pcm1\0");
    audio.update(RATE.to_le_bytes());
    audio.update(2u16.to_le_bytes());
    audio.update(24u16.to_le_bytes());
    audio.update([0u8]);
    let identity = identity(path, |bytes| audio.update(bytes));
    Hashes { identity, audio_id: format!("pcm1:{}", isrc_stamp::audio::hex(&audio.finalize())) }
}

/// The file's first [`DATA_AT`] bytes and the MD5 of the rest (24-bit little-endian
/// samples in the master: also the MD5 of its canonical PCM), showing the rest to `also`.
fn identity(path: &Path, mut also: impl FnMut(&[u8])) -> (Vec<u8>, String) {
    let mut file = File::open(path).unwrap();
    let mut head = vec![0u8; DATA_AT as usize];
    file.read_exact(&mut head).unwrap();
    let mut rest = md5::Md5::new();
    let mut buffer = vec![0u8; 8 << 20];
    loop {
        let n = file.read(&mut buffer).unwrap();
        if n == 0 {
            break;
        }
        rest.update(&buffer[..n]);
        also(&buffer[..n]);
    }
    (head, isrc_stamp::audio::hex(&rest.finalize()))
}

/// A run of the binary: its stdout, exit code, peak resident set (KiB) and wall time.
struct Run {
    stdout: String,
    code: i32,
    peak_kib: u64,
    took: Duration,
}

/// Runs the binary with `args` and measures its peak memory (`wait4`'s `ru_maxrss`).
#[expect(clippy::zombie_processes, reason = "reaped by wait4, which also tells its peak memory")]
fn run_measured(args: &[&str], ledger: &Path) -> Run {
    let start = Instant::now();
    let mut child = common::spawn_with_ledger(ledger, args);
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 reaps our own child, once.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::wait4(pid, &mut status, 0, &mut usage) }, pid);
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    Run { stdout, code, peak_kib: usage.ru_maxrss as u64, took: start.elapsed() }
}

/// Files in `folder` named like isrc-stamp's temporary copies.
fn temporary_files(folder: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.file_name().unwrap().to_string_lossy().starts_with(".isrc-stamp-"))
        .collect()
}

/// Starts `assign` on the folder of `master` and kills it (SIGKILL) once its temporary copy holds
/// `at_least` bytes. Panics if the run ends before.
fn kill_during_write(master: &Path, ledger: &Path, at_least: u64) {
    let folder = master.parent().unwrap();
    let mut child = Command::new(common::binary())
        .arg("--ledger")
        .arg(ledger)
        .args(["assign", "-q", "--json"])
        .arg(folder)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    loop {
        assert!(child.try_wait().unwrap().is_none(), "assign finished before its write could be killed");
        let written = temporary_files(folder).iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).max();
        if written.is_some_and(|len| len >= at_least) {
            child.kill().unwrap();
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(child.wait().unwrap().code(), None, "killed by the signal");
}

#[test]
fn a_master_over_4_gib_is_inspected_tagged_and_survives_a_kill_in_bounded_memory() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let master = dir.path().join("master.wav");
    let ledger = dir.path().join("ledger.sqlite3");
    let hashes = make_master(&master);
    const { assert!(DATA_AT + DATA_LEN > 4 << 30, "over 4 GiB") };
    eprintln!("made and hashed the {} byte master in {:?}", DATA_AT + DATA_LEN, started.elapsed());

    let inspected = run_measured(&["inspect", "--json", master.to_str().unwrap()], &ledger);
    let line: Value = serde_json::from_str(inspected.stdout.trim()).unwrap();
    assert_eq!(inspected.code, 0, "{line}");
    assert_eq!((line["format"].as_str(), line["frames"].as_u64()), (Some("rf64"), Some(FRAMES)));
    assert_eq!(line["duration_seconds"].as_f64(), Some(7800.0));
    assert_eq!(line["audio_id"].as_str(), Some(hashes.audio_id.as_str()), "the audio id over every byte");
    assert_eq!(line["pcm_md5"].as_str(), Some(hashes.identity.1.as_str()));
    assert!(inspected.peak_kib <= PEAK_LIMIT_KIB, "inspect peaked at {} KiB", inspected.peak_kib);
    eprintln!("inspect: {:?}, peak {} KiB", inspected.took, inspected.peak_kib);

    let (_, stderr, code) = common::run_with_ledger(&ledger, &["init", "--prefix", "QZ-DEM"]);
    assert_eq!(code, 0, "{stderr}");
    kill_during_write(&master, &ledger, 1 << 30);
    assert!(identity(&master, |_| {}) == hashes.identity, "the killed write left the original byte-identical");
    assert!(!temporary_files(dir.path()).is_empty(), "the kill left its copy, for the next run to remove");

    // On the folder: a run also removes the copies killed runs left there.
    let assigned = run_measured(&["assign", "-q", "--json", dir.path().to_str().unwrap()], &ledger);
    assert_eq!(assigned.code, 0, "{}", assigned.stdout);
    let line: Value = serde_json::from_str(assigned.stdout.trim()).unwrap();
    assert_eq!(line["action"], "reused", "the killed run's code, bound before its write: {line}");
    let isrc = line["isrc"].as_str().unwrap().to_owned();
    assert!(assigned.peak_kib <= PEAK_LIMIT_KIB, "assign peaked at {} KiB", assigned.peak_kib);
    assert!(temporary_files(dir.path()).is_empty(), "no temporary copy left");
    eprintln!("assign: {:?}, peak {} KiB", assigned.took, assigned.peak_kib);

    let wide = Wide::read(&master);
    assert_eq!(&wide.magic, b"RF64");
    wide.assert_consistent(BLOCK_ALIGN);
    assert_eq!((wide.data_size, wide.sample_count), (DATA_LEN, FRAMES));
    // Read back by exiftool (the ID3 chunk and INFO), which reads past 2 GB only when
    // asked to (without LargeFileSupport it stops at the data chunk, silently).
    if common::have_tool("exiftool", &["-ver"]) {
        let args = ["-api", "LargeFileSupport=1", "-s", "-ISRC", "-Source", "-NumberOfSamples64"];
        let output = Command::new("exiftool").args(args).arg(&master).output();
        let text = String::from_utf8(output.unwrap().stdout).unwrap();
        let tags: Vec<(&str, &str)> =
            text.lines().filter_map(|line| line.split_once(':')).map(|(k, v)| (k.trim(), v.trim())).collect();
        let frames = FRAMES.to_string();
        assert_eq!(tags, [("ISRC", isrc.as_str()), ("Source", &isrc), ("NumberOfSamples64", &frames)], "{text}");
    }
    if common::have_tool("ffmpeg", &["-version"]) {
        let probe = Command::new("ffprobe")
            .args(["-v", "error", "-show_entries", "format_tags=ISRC:stream=duration_ts", "-of", "json"])
            .arg(&master)
            .output()
            .unwrap();
        let probe: Value = serde_json::from_slice(&probe.stdout).unwrap();
        assert_eq!(probe["format"]["tags"]["ISRC"].as_str(), Some(isrc.as_str()), "{probe}");
        assert_eq!(probe["streams"][0]["duration_ts"].as_u64(), Some(FRAMES), "{probe}");
        // ffmpeg decodes every sample, to the samples the test wrote.
        let decoded = Command::new("ffmpeg")
            .args(["-nostdin", "-v", "error", "-i"])
            .arg(&master)
            .args(["-map", "0:a", "-c:a", "pcm_s24le", "-f", "md5", "-"])
            .output()
            .unwrap();
        assert!(decoded.status.success(), "{}", String::from_utf8_lossy(&decoded.stderr));
        let md5 = String::from_utf8(decoded.stdout).unwrap();
        let expected = hashes.identity.1.as_str();
        assert_eq!(md5.trim().strip_prefix("MD5="), Some(expected), "ffmpeg decodes every sample, unchanged");
    }
    eprintln!("the whole test: {:?}", started.elapsed());
}
