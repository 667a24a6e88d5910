//! Real recorded music for the tests: tracks of Debian's `drascula-music`, decoded and
//! derived in a temporary folder by sox, flac, lame and ffmpeg (installed by `.ci/run`),
//! never committed.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The folder of drascula's Ogg tracks, or `None` (a failure under CI) when it is missing.
pub fn drascula() -> Option<PathBuf> {
    let folder = PathBuf::from("/usr/share/scummvm/drascula/audio");
    if folder.join("track1.ogg").is_file() {
        return Some(folder);
    }
    assert!(std::env::var_os("CI").is_none(), "drascula-music is required under CI (.ci/run installs it)");
    eprintln!("skipping: drascula-music is not installed");
    None
}

/// Whether drascula's tracks and ffmpeg are both there (under CI they must be).
pub fn drascula_and_ffmpeg() -> bool {
    drascula().is_some() && super::have_tool("ffmpeg", &["-version"])
}

/// A new temporary folder holding an empty `cd` folder for masters cut from drascula
/// ([`cut_drascula`]); `None` (a failure under CI) without drascula or ffmpeg.
pub fn cd_folder() -> Option<(tempfile::TempDir, PathBuf)> {
    if !drascula_and_ffmpeg() {
        return None;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let cd = dir.path().join("cd");
    std::fs::create_dir(&cd).expect("cd folder");
    Some((dir, cd))
}

/// Cuts drascula track `n` from `start` seconds into `out` with ffmpeg, `seconds` long to
/// the sample: 37 samples past a whole number of 1/100 s at 44.1 kHz, so never a whole
/// CD sector. `args` (the codec, rate, tags) go before `out`.
pub fn cut_drascula(n: u32, start: f64, seconds: f64, args: &[&str], out: &Path) {
    let folder = drascula().expect("drascula-music is installed");
    let samples = (seconds * 100.0).round() as u64 * 441 + 37;
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-ss", &start.to_string(), "-i"])
        .arg(folder.join(format!("track{n}.ogg")))
        .args(["-af", &format!("atrim=end_sample={samples}")])
        .args(args)
        .arg(out)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg cut {}", out.display());
}

/// A temporary folder for material made once per test process and held in a `static`
/// (statics are never dropped, so a `TempDir` there would stay behind after every run):
/// removed when the process exits, through `atexit`.
pub fn scratch() -> tempfile::TempDir {
    static REGISTERED: std::sync::Once = std::sync::Once::new();
    static FOLDERS: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
    extern "C" fn remove_all() {
        if let Ok(folders) = FOLDERS.lock() {
            for folder in folders.iter() {
                let _ = std::fs::remove_dir_all(folder);
            }
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    FOLDERS.lock().expect("not poisoned").push(dir.path().to_path_buf());
    REGISTERED.call_once(|| {
        // SAFETY: registering a plain `extern "C" fn` with no arguments, as atexit wants.
        unsafe { libc::atexit(remove_all) };
    });
    dir
}

/// Whether sox, flac, lame and ffmpeg are all there.
pub fn tools() -> bool {
    super::have_tool("sox", &["--version"])
        && super::have_tool("flac", &["--version"])
        && super::have_tool("lame", &["--version"])
        && super::have_tool("ffmpeg", &["-version"])
}

/// Runs a tool; a failure fails the test with what it said.
pub fn run(program: &str, args: &[&str]) {
    let output = Command::new(program).args(args).output().expect("runs");
    assert!(output.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

/// A path as a tool's argument.
pub fn text(path: &Path) -> &str {
    path.to_str().expect("UTF-8 test path")
}

/// One track's forms: a 24/96 WAV master, the same samples as FLAC, a 16/44.1 CD WAV,
/// an MP3 and an AAC of the CD master.
#[derive(Debug, Clone)]
pub struct Track {
    pub hires: PathBuf,
    pub flac: PathBuf,
    pub cd: PathBuf,
    pub mp3: PathBuf,
    pub aac: PathBuf,
}

impl Track {
    /// Every form, masters first.
    pub fn all(&self) -> [&Path; 5] {
        [&self.hires, &self.flac, &self.cd, &self.mp3, &self.aac]
    }
}

/// Derives `seconds` of drascula track `ogg` (`track1`, ...) into `folder` as
/// `NN - Piece NN` in every form of [`Track`].
pub fn derive(drascula: &Path, ogg: &str, number: usize, seconds: u32, folder: &Path) -> Track {
    std::fs::create_dir_all(folder).expect("mkdir");
    let name = format!("{number:02} - Piece {number}");
    let at = |suffix: &str| folder.join(format!("{name}{suffix}"));
    let track = Track {
        hires: at(" (24-96).wav"),
        flac: at(" (24-96).flac"),
        cd: at(" (CD).wav"),
        mp3: at(".mp3"),
        aac: at(".m4a"),
    };
    let source = drascula.join(format!("{ogg}.ogg"));
    let seconds = seconds.to_string();
    run("sox", &[text(&source), "-b", "24", text(&track.hires), "trim", "0", &seconds, "rate", "-v", "96000"]);
    run("flac", &["-s", "-f", "-o", text(&track.flac), text(&track.hires)]);
    run("sox", &[text(&track.hires), "-b", "16", text(&track.cd), "rate", "-v", "44100", "dither"]);
    run("lame", &["--quiet", "-V", "2", text(&track.cd), text(&track.mp3)]);
    run("ffmpeg", &["-v", "error", "-i", text(&track.cd), "-c:a", "aac", "-b:a", "192k", text(&track.aac)]);
    track
}

/// Changes the gain of a 24-bit PCM WAV by `db` in place: the samples of its `data`
/// chunk are rewritten where they lie, every other byte (its tags) kept. A master
/// "changed in place, its tags kept", as a DAW's in-place processing leaves it.
pub fn change_gain_in_place(path: &Path, db: f64) {
    let mut bytes = std::fs::read(path).expect("readable");
    let factor = 10f64.powf(db / 20.0);
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let len = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]]) as usize;
        if &bytes[at..at + 4] == b"data" {
            let end = (at + 8 + len).min(bytes.len());
            for sample in bytes[at + 8..end].chunks_exact_mut(3) {
                let value = i32::from_le_bytes([0, sample[0], sample[1], sample[2]]) >> 8;
                let scaled = (f64::from(value) * factor).round().clamp(-8_388_608.0, 8_388_607.0) as i32;
                sample.copy_from_slice(&scaled.to_le_bytes()[..3]);
            }
            std::fs::write(path, bytes).expect("written");
            return;
        }
        at += 8 + len + (len & 1);
    }
    panic!("{}: no data chunk", path.display());
}
