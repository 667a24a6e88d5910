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

/// Starts the binary on `ledger` with `args`: stdout piped, stderr dropped (for a test
/// that waits on it or measures it).
pub fn spawn_with_ledger(ledger: &Path, args: &[&str]) -> std::process::Child {
    Command::new(binary())
        .arg("--ledger")
        .arg(ledger)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the binary starts")
}

/// Rewrites a DDP image's `CHECKSUM.MD5` for its files as they are now, as a forger
/// would, so that only what a test changed shows.
pub fn reseal_ddp(dir: &Path) {
    use md5::{Digest, Md5};
    let mut text = String::new();
    for name in ["IMAGE.DAT", "DDPID", "DDPMS", "PQDESCR", "CDTEXT.BIN"] {
        let digest = Md5::digest(std::fs::read(dir.join(name)).expect("image file"));
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        text.push_str(&format!("{hex}  {name}\n"));
    }
    std::fs::write(dir.join("CHECKSUM.MD5"), text).expect("CHECKSUM.MD5 written");
}

/// The (location, value) pairs of an `inspect --json` line's `isrcs`, sorted.
pub fn isrc_pairs(line: &serde_json::Value) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = line["isrcs"]
        .as_array()
        .expect("isrcs is a list")
        .iter()
        .map(|i| (i["location"].as_str().unwrap().to_owned(), i["value"].as_str().unwrap().to_owned()))
        .collect();
    pairs.sort();
    pairs
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

/// `assign --json ARGS` against `ledger`: each line by its file's name, the exit code
/// (which must be 0 or 1), and stderr.
pub fn assign_by_name(
    ledger: &Path,
    args: &[&str],
) -> (std::collections::BTreeMap<String, serde_json::Value>, i32, String) {
    let mut all = vec!["assign", "--json"];
    all.extend_from_slice(args);
    let (stdout, stderr, code) = run_with_ledger(ledger, &all);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    let lines = json_lines(&stdout)
        .into_iter()
        .map(|line| {
            let name = Path::new(line["path"].as_str().expect("path")).file_name().expect("name");
            (name.to_string_lossy().into_owned(), line)
        })
        .collect();
    (lines, code, stderr)
}

/// A file's name, as [`assign_by_name`] keys its lines.
pub fn name(path: &Path) -> String {
    path.file_name().expect("name").to_string_lossy().into_owned()
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

/// The path of the binary under test, for spawning it with [`std::process::Command`]
/// (several at once, or to kill it).
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_isrc-stamp"))
}

/// Writes a 16-bit stereo 44.1 kHz PCM WAV of `frames` frames whose audio depends on
/// `seed`: a sine at a seed-dependent pitch (slightly detuned on the right channel) plus
/// seeded xorshift noise, so different seeds give different audio ids.
pub fn write_wav(path: &Path, seed: u64, frames: u32) {
    const RATE: u32 = 44_100;
    const CHANNELS: u16 = 2;
    let mut state = seed.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let pitch = 110.0 + 13.0 * (seed % 61) as f64;
    let mut data = Vec::with_capacity(frames as usize * 4);
    for n in 0..frames {
        let t = f64::from(n) / f64::from(RATE);
        for channel in 0..CHANNELS {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise = ((state >> 40) as f64 / (1u64 << 24) as f64 - 0.5) * 0.05;
            let detune = 1.0 + 0.01 * f64::from(channel);
            let tone = (std::f64::consts::TAU * pitch * detune * t).sin() * 0.4;
            let sample = ((tone + noise) * f64::from(i16::MAX)).round() as i16;
            data.extend_from_slice(&sample.to_le_bytes());
        }
    }
    write_pcm_wav(path, RATE, CHANNELS, 16, &data);
}

/// Sample rate of [`write_music_wav`].
pub const MUSIC_RATE: u32 = 48_000;

/// Writes `seconds` of music-like stereo 24-bit 48 kHz PCM WAV whose notes depend on
/// `seed`: a pentatonic melody with harmonics and envelopes over a chord pad, a bass
/// line and noise drums at 120 bpm, so the acoustic fingerprint has texture to hold on
/// to. Another seed gives another piece in the same style (another key, progression and
/// melody): a different recording that still sounds alike.
pub fn write_music_wav(path: &Path, seed: u64, seconds: f64) {
    let frames = (seconds * f64::from(MUSIC_RATE)) as usize;
    let mut mix =
        Music { left: vec![0.0; frames], right: vec![0.0; frames], rng: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1 };
    let root = 45.0 + (mix.next() % 12) as f64; // MIDI note of the key, A2 to G#3
    let progression: Vec<usize> = (0..4).map(|_| (mix.next() % 6) as usize).collect();
    const CHORDS: [[f64; 3]; 6] =
        [[0.0, 4.0, 7.0], [5.0, 9.0, 12.0], [7.0, 11.0, 14.0], [9.0, 12.0, 16.0], [2.0, 5.0, 9.0], [4.0, 7.0, 11.0]];
    const PENTATONIC: [f64; 10] = [0.0, 2.0, 4.0, 7.0, 9.0, 12.0, 14.0, 16.0, 19.0, 21.0];
    let beat = 0.5;
    let bars = (seconds / (4.0 * beat)).ceil() as usize;
    let mut degree = 4usize;
    for bar in 0..bars {
        let start = bar as f64 * 4.0 * beat;
        let chord = CHORDS[progression[bar % progression.len()]];
        for (i, interval) in chord.iter().enumerate() {
            let pan = 0.3 + 0.2 * i as f64;
            mix.note(start, 4.0 * beat, midi(root + 12.0 + interval), 0.08, &[1.0, 0.4], 0.15, pan);
        }
        for step in 0..4 {
            let at = start + step as f64 * beat;
            mix.note(at, beat * 0.9, midi(root - 12.0 + chord[0]), 0.22, &[1.0, 0.5, 0.25], 0.01, 0.5);
            mix.kick(at, step % 2 == 0);
        }
        let mut at = start;
        while at < start + 4.0 * beat - 1e-9 {
            let length = [0.25, 0.25, 0.5, 0.75][(mix.next() % 4) as usize];
            degree = (degree as i64 + (mix.next() % 5) as i64 - 2).clamp(0, 9) as usize;
            if !mix.next().is_multiple_of(7) {
                mix.note(
                    at,
                    length * 0.95,
                    midi(root + 24.0 + PENTATONIC[degree]),
                    0.18,
                    &[1.0, 0.5, 0.3, 0.2],
                    0.01,
                    0.6,
                );
            }
            mix.hat(at);
            at += length;
        }
    }
    mix.write_wav24(path);
}

/// The frequency of a MIDI note.
fn midi(note: f64) -> f64 {
    440.0 * 2f64.powf((note - 69.0) / 12.0)
}

/// Two channels being mixed, and the generator's random numbers.
struct Music {
    left: Vec<f64>,
    right: Vec<f64>,
    rng: u64,
}

impl Music {
    /// The next xorshift number.
    fn next(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }

    /// Uniform noise in -1..1.
    fn noise(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }

    /// The frame range of `start..start + length` seconds, inside the buffer.
    fn span(&self, start: f64, length: f64) -> std::ops::Range<usize> {
        let rate = f64::from(MUSIC_RATE);
        let first = ((start * rate) as usize).min(self.left.len());
        let last = (((start + length) * rate) as usize).min(self.left.len());
        first..last
    }

    /// A note with harmonics, an attack, a decay to 60 % and a release; `pan` 0 (left) to 1.
    #[allow(clippy::too_many_arguments)]
    fn note(&mut self, start: f64, length: f64, freq: f64, amp: f64, harmonics: &[f64], attack: f64, pan: f64) {
        let rate = f64::from(MUSIC_RATE);
        let span = self.span(start, length);
        let first = span.start;
        for n in span {
            let t = (n - first) as f64 / rate;
            let envelope = if t < attack { t / attack } else { 0.6 + 0.4 * (-(t - attack) * 6.0).exp() }
                * ((length - t) / 0.05).clamp(0.0, 1.0);
            let phase = std::f64::consts::TAU * freq * t;
            let value: f64 = harmonics.iter().enumerate().map(|(h, a)| a * (phase * (h + 1) as f64).sin()).sum();
            let sample = amp * envelope * value;
            self.left[n] += sample * (1.0 - pan);
            self.right[n] += sample * pan;
        }
    }

    /// A kick (a falling sine) or a snare (a noise burst).
    fn kick(&mut self, start: f64, kick: bool) {
        let rate = f64::from(MUSIC_RATE);
        let span = self.span(start, 0.2);
        let first = span.start;
        for n in span {
            let t = (n - first) as f64 / rate;
            let sample = if kick {
                0.5 * (std::f64::consts::TAU * (50.0 * t + 70.0 * (1.0 - (-t * 30.0).exp()) / 30.0)).sin()
                    * (-t * 12.0).exp()
            } else {
                0.25 * self.noise() * (-t * 20.0).exp()
            };
            self.left[n] += sample;
            self.right[n] += sample;
        }
    }

    /// A short hi-hat: differenced noise, quickly decaying.
    fn hat(&mut self, start: f64) {
        let rate = f64::from(MUSIC_RATE);
        let span = self.span(start, 0.05);
        let first = span.start;
        let mut last = 0.0;
        for n in span {
            let t = (n - first) as f64 / rate;
            let white = self.noise();
            let sample = 0.08 * (white - last) * (-t * 80.0).exp();
            last = white;
            self.left[n] += sample * 0.7;
            self.right[n] += sample;
        }
    }

    /// Writes the mix, peak-normalised to 0.8, as 24-bit stereo PCM WAV.
    fn write_wav24(&self, path: &Path) {
        let peak = self.left.iter().chain(&self.right).fold(1e-9f64, |m, s| m.max(s.abs()));
        let scale = 0.8 / peak * 8_388_607.0;
        let mut data = Vec::with_capacity(self.left.len() * 6);
        for (l, r) in self.left.iter().zip(&self.right) {
            for s in [l, r] {
                data.extend_from_slice(&((s * scale).round() as i32).to_le_bytes()[..3]);
            }
        }
        write_pcm_wav(path, MUSIC_RATE, 2, 24, &data);
    }
}

/// Writes `data` (interleaved little-endian integer PCM) as a plain PCM WAV file.
pub fn write_pcm_wav(path: &Path, rate: u32, channels: u16, bits: u16, data: &[u8]) {
    let block_align = channels * bits / 8;
    let mut bytes = Vec::with_capacity(44 + data.len());
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes()); // PCM
    bytes.extend_from_slice(&channels.to_le_bytes());
    bytes.extend_from_slice(&rate.to_le_bytes());
    bytes.extend_from_slice(&(rate * u32::from(block_align)).to_le_bytes());
    bytes.extend_from_slice(&block_align.to_le_bytes());
    bytes.extend_from_slice(&bits.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&(data.len() as u32).to_le_bytes());
    bytes.extend_from_slice(data);
    std::fs::write(path, bytes).expect("write the WAV");
}

/// Replaces the ISRC in every location of the file at `path`, with the library's own
/// writer on a temporary copy, as another tagger would (the code under test is not
/// involved in the checks that follow).
pub fn retag(path: &Path, format: isrc_stamp::container::Format, code: &str) {
    let isrc = isrc_stamp::isrc::Isrc::parse(code).expect("a valid code");
    let mut target = tempfile::NamedTempFile::new_in(path.parent().expect("parent")).expect("temp file");
    isrc_stamp::container::write(path, target.as_file_mut(), format, isrc).expect("tagged");
    target.persist(path).expect("renamed");
}

/// An RF64/BW64 file as an independent reader sees it (EBU Tech 3306), written here
/// without the library: the magic, what `ds64` says, and every chunk's id, body offset
/// and real body length. Only headers are read, so it is cheap on a file of any size.
#[derive(Debug)]
pub struct Wide {
    pub magic: [u8; 4],
    pub riff_size_field: u32,
    pub riff_size: u64,
    pub data_size: u64,
    pub sample_count: u64,
    pub table: Vec<([u8; 4], u64)>,
    pub chunks: Vec<([u8; 4], u64, u64)>,
    pub file_len: u64,
}

impl Wide {
    /// Reads the file at `path`; panics on anything Tech 3306 does not allow.
    pub fn read(path: &Path) -> Wide {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = std::fs::File::open(path).expect("readable");
        let file_len = file.metadata().expect("metadata").len();
        let mut read_at = |at: u64, len: usize| {
            let mut bytes = vec![0u8; len];
            file.seek(SeekFrom::Start(at)).expect("seek");
            file.read_exact(&mut bytes).expect("read");
            bytes
        };
        let head = read_at(0, 12);
        assert_eq!(&head[8..12], b"WAVE");
        let u32_of = |b: &[u8]| u32::from_le_bytes(b[..4].try_into().unwrap());
        let u64_of = |b: &[u8]| u64::from_le_bytes(b[..8].try_into().unwrap());
        let ds64_head = read_at(12, 8);
        assert_eq!(&ds64_head[..4], b"ds64", "ds64 must be the first chunk");
        let ds64_len = u32_of(&ds64_head[4..]) as usize;
        let ds64 = read_at(20, ds64_len);
        let entries = u32_of(&ds64[24..]) as usize;
        let table = (0..entries)
            .map(|i| {
                let entry = &ds64[28 + 12 * i..40 + 12 * i];
                (entry[..4].try_into().unwrap(), u64_of(&entry[4..]))
            })
            .collect::<Vec<([u8; 4], u64)>>();
        let mut wide = Wide {
            magic: head[..4].try_into().unwrap(),
            riff_size_field: u32_of(&head[4..]),
            riff_size: u64_of(&ds64),
            data_size: u64_of(&ds64[8..]),
            sample_count: u64_of(&ds64[16..]),
            table,
            chunks: vec![(*b"ds64", 20, ds64_len as u64)],
            file_len,
        };
        let mut at = 20 + ds64_len as u64 + (ds64_len as u64 & 1);
        let mut table_at = 0;
        while at + 8 <= file_len {
            let head = read_at(at, 8);
            let id: [u8; 4] = head[..4].try_into().unwrap();
            let mut len = u64::from(u32_of(&head[4..]));
            if len == 0xFFFF_FFFF {
                len = if &id == b"data" {
                    wide.data_size
                } else {
                    table_at += 1;
                    wide.table[table_at - 1].1
                };
            }
            wide.chunks.push((id, at + 8, len));
            at += 8 + len + (len & 1);
        }
        assert_eq!(at, file_len, "the chunks end where the file ends");
        wide
    }

    /// The (offset, length) of the first chunk with this id.
    pub fn chunk(&self, id: &[u8; 4]) -> Option<(u64, u64)> {
        self.chunks.iter().find(|(i, _, _)| i == id).map(|&(_, at, len)| (at, len))
    }

    /// The body of the first chunk with this id (read whole: for small chunks).
    pub fn body(&self, path: &Path, id: &[u8; 4]) -> Option<Vec<u8>> {
        use std::io::{Read, Seek, SeekFrom};
        let (at, len) = self.chunk(id)?;
        let mut file = std::fs::File::open(path).expect("readable");
        file.seek(SeekFrom::Start(at)).expect("seek");
        let mut body = vec![0u8; len as usize];
        file.read_exact(&mut body).expect("read");
        Some(body)
    }

    /// Panics unless the sizes agree with one another and with the file.
    pub fn assert_consistent(&self, block_align: u64) {
        assert_eq!(self.riff_size_field, 0xFFFF_FFFF, "the RIFF size field sends readers to ds64");
        assert_eq!(self.riff_size + 8, self.file_len, "ds64's RIFF size is the file's");
        let (_, data_len) = self.chunk(b"data").expect("a data chunk");
        assert_eq!(self.data_size, data_len, "ds64's data size is the data chunk's");
        assert_eq!(self.sample_count * block_align, data_len, "ds64's sample count is the data's");
    }
}

/// Runs each test `fn name(backend: Backend)` once on SQLite and once on PostgreSQL, as
/// `sqlite::name` and `postgres::name`.
#[allow(unused_macros)]
macro_rules! on_both_backends {
    ($($test:ident),+ $(,)?) => {
        mod sqlite {
            $(#[test] fn $test() { super::$test(crate::common::Backend::Sqlite) })+
        }
        mod postgres {
            $(#[test] fn $test() { super::$test(crate::common::Backend::Postgres) })+
        }
    };
}

/// Where a test's ledger lives: the tests that matter on both backends run once per backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file in the test's folder.
    Sqlite,
    /// A database of its own on the PostgreSQL server `ISRC_STAMP_TEST_POSTGRES` names.
    Postgres,
}

/// A fresh ledger location for a test: `dir/ledger.sqlite3`, or the URL of a new, empty
/// database on the test server, owned by the role `writer` and reached with its password
/// over TCP. `None` (skip) only when no server is named outside CI.
pub fn fresh_ledger(backend: Backend, dir: &Path) -> Option<PathBuf> {
    match backend {
        Backend::Sqlite => Some(dir.join("ledger.sqlite3")),
        Backend::Postgres => postgres_database("writer").map(PathBuf::from),
    }
}

/// The superuser URL of the test server, or `None` outside CI (under CI its absence
/// fails: `.ci/run` starts one).
pub fn postgres_server() -> Option<String> {
    match std::env::var("ISRC_STAMP_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(std::env::var_os("CI").is_none(), "ISRC_STAMP_TEST_POSTGRES must be set under CI (.ci/run)");
            eprintln!("skipping: ISRC_STAMP_TEST_POSTGRES names no PostgreSQL server");
            None
        }
    }
}

/// A superuser client on the test server.
#[cfg(feature = "postgres")]
pub fn postgres_admin() -> Option<postgres::Client> {
    let url = postgres_server()?;
    let config: postgres::Config = url.parse().expect("a URL");
    Some(config.connect(postgres::NoTls).expect("the test server answers"))
}

/// The URL of a new, empty database owned by `writer`, logged in as `role` (with its
/// password, the role's name) over TCP.
#[cfg(feature = "postgres")]
pub fn postgres_database(role: &str) -> Option<String> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let mut admin = postgres_admin()?;
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let name = format!("e2e_{}_{}_{nanos}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    admin.batch_execute(&format!("CREATE DATABASE {name} OWNER writer")).expect("database created");
    Some(postgres_url(role, &name))
}

/// Without the PostgreSQL backend there is nothing to test on.
#[cfg(not(feature = "postgres"))]
pub fn postgres_database(_role: &str) -> Option<String> {
    eprintln!("skipping: built without the postgres feature");
    None
}

/// The URL of database `name` on the test server, as `role` with its password over TCP.
#[cfg(feature = "postgres")]
pub fn postgres_url(role: &str, name: &str) -> String {
    let port: String = postgres_admin().expect("a server").query_one("SHOW port", &[]).expect("port").get(0);
    format!("postgresql://{role}:{role}@127.0.0.1:{port}/{name}?sslmode=disable")
}
pub mod music;

/// Prints an HTML page (a PQ sheet) to `pdf` with headless Chromium, as a plant would
/// print it; `profile` is a throw-away profile folder.
pub fn print_to_pdf(html: &Path, pdf: &Path, profile: &Path) {
    let printed = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium runs");
    assert!(pdf.is_file(), "chromium printed: {}", String::from_utf8_lossy(&printed.stderr));
}

/// A studio: a ledger with a prefix and a `masters/` folder, in a folder of its own.
pub struct Studio {
    /// The studio's folder.
    pub dir: tempfile::TempDir,
}

impl Studio {
    /// A new studio whose ledger holds `prefix`.
    pub fn new(prefix: &str) -> Studio {
        let studio = Studio { dir: tempfile::tempdir().expect("temp dir") };
        std::fs::create_dir(studio.masters()).expect("mkdir");
        let (_, stderr, code) = studio.run(&["init", "--prefix", prefix]);
        assert_eq!(code, 0, "{stderr}");
        studio
    }

    /// The ledger's file.
    pub fn ledger(&self) -> PathBuf {
        self.dir.path().join("ledger.sqlite3")
    }

    /// The masters folder.
    pub fn masters(&self) -> PathBuf {
        self.dir.path().join("masters")
    }

    /// Runs the binary on the studio's ledger: stdout, stderr, exit code.
    pub fn run(&self, args: &[&str]) -> (String, String, i32) {
        run_with_ledger(&self.ledger(), args)
    }

    /// Copies fixtures into the masters folder, by file name.
    pub fn add(&self, fixtures_: &[&str]) -> Vec<PathBuf> {
        fixtures_
            .iter()
            .map(|rel| {
                let source = fixtures().join(rel);
                let target = self.masters().join(source.file_name().unwrap());
                std::fs::copy(&source, &target).expect("copy");
                target
            })
            .collect()
    }

    /// The recordings the ledger holds (`ledger export --format json`).
    pub fn recordings(&self) -> usize {
        let (out, stderr, code) = self.run(&["ledger", "export", "--format", "json"]);
        assert_eq!(code, 0, "{stderr}");
        out.lines().count()
    }
}
