//! Tagging a master without ever leaving it half-written (DESIGN.md section 5).
//!
//! The tagged file is built in a temporary file beside the original (same folder, so
//! the final rename is atomic), flushed and fsynced, then proven: its audio must be
//! the original's, and every location the format has must read back the code and
//! nothing else. For WAV and FLAC the bytes the audio is decoded from are compared
//! with the original's ([`crate::payload`]): identical bytes decode to the identical
//! audio id, and reading costs far less than decoding a large master again. Every
//! other format is decoded again and must give the same audio id. The original must
//! still be as it was when it was scanned (size and modification time), checked
//! before the copy is made and again just before the rename. Only then is it given the original's permissions (and owner, where
//! allowed) and renamed over it, and the folder is fsynced. A symlink is followed: its
//! target is replaced, the link stays. On any failure the temporary file is removed and
//! the original is untouched, byte for byte. A read-only file is refused, not
//! replaced: isrc-stamp does not override a write protection.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::audio::{self, AudioId};
use crate::code::Isrc;
use crate::format::Format;
use crate::payload;
use crate::scan::FileStamp;
use crate::tags::{self, TagReport};
use crate::walk::TEMP_PREFIX;

mod ahead;

pub use ahead::{Prepared, prepare};

/// Why a file could not be tagged. The original is unchanged in every case.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The original or its folder could not be read or written.
    #[error("{action}: {cause}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The I/O error.
        cause: std::io::Error,
    },
    /// The file is write-protected.
    #[error("the file is read-only; make it writable to tag it")]
    ReadOnly,
    /// Writing the tags failed.
    #[error(transparent)]
    Tags(#[from] tags::TagError),
    /// The tagged copy does not decode to the same audio.
    #[error("the tagged copy does not decode to the same audio ({0}); the original is untouched")]
    AudioChanged(String),
    /// The original changed after it was read.
    #[error("the file changed since it was read; run again")]
    Changed,
    /// The tagged copy does not carry the code everywhere.
    #[error("the tagged copy does not read back {isrc} in every location ({found}); the original is untouched")]
    ReadBack {
        /// The code written.
        isrc: Isrc,
        /// What was found instead.
        found: String,
    },
}

fn io(action: &'static str) -> impl FnOnce(std::io::Error) -> WriteError {
    move |cause| WriteError::Io { action, cause }
}

/// Writes `isrc` into every location of the file at `path`, safely.
///
/// `expected` is the audio id the file had when it was scanned and `stamp` its size
/// and modification time then.
pub fn write_isrc(
    path: &Path,
    format: Format,
    isrc: Isrc,
    expected: &AudioId,
    stamp: &FileStamp,
) -> Result<(), WriteError> {
    let original = Original::check(path, stamp)?;
    let mut temp = original.temp_file()?;
    tags::write(&original.target, temp.as_file_mut(), format, isrc)?;
    temp.as_file().sync_data().map_err(io("cannot flush the tagged copy"))?;
    verify_audio(&original.target, temp.path(), format, expected)?;
    carries_everywhere(&tags::read(temp.path(), format)?, format, isrc)?;
    original.replace_with(temp, stamp)
}

/// The file being tagged, checked writable and unchanged since the scan.
#[derive(Debug)]
struct Original {
    /// The file itself (a symlink resolved).
    target: PathBuf,
    /// Its folder, where the temporary copy goes.
    folder: PathBuf,
    /// Its metadata (permissions, owner) when checked.
    metadata: fs::Metadata,
    /// The original, held open until it has been replaced. Freeing a replaced master
    /// (dropping its cached pages, releasing its blocks) takes the kernel milliseconds;
    /// done inside the rename it would hold the folder's lock, and the renames of a
    /// batch would wait for one another. Held open, the original is freed when this
    /// handle closes, on the thread that replaced it, beside the others.
    _held: File,
}

impl Original {
    /// Resolves `path` and checks the file may be tagged: writable, and still as scanned.
    fn check(path: &Path, stamp: &FileStamp) -> Result<Original, WriteError> {
        let target = fs::canonicalize(path).map_err(io("cannot resolve the path"))?;
        let metadata = fs::metadata(&target).map_err(io("cannot read the file's metadata"))?;
        if metadata.permissions().readonly() {
            return Err(WriteError::ReadOnly);
        }
        unchanged_since_scan(&target, stamp)?;
        let folder = target.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
        let held = File::open(&target).map_err(io("cannot open the file"))?;
        Ok(Original { target, folder, metadata, _held: held })
    }

    /// A new temporary file beside the original, named for this process
    /// (`.isrc-stamp-PID-….tmp`) so that a later run can clean up after a killed one.
    fn temp_file(&self) -> Result<NamedTempFile, WriteError> {
        let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
        tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".tmp")
            .tempfile_in(&self.folder)
            .map_err(io("cannot create a temporary file in the folder"))
    }

    /// Renames the proven copy over the original, if the original is still as scanned,
    /// with the original's permissions (and owner, where allowed); then flushes the folder.
    fn replace_with(self, temp: NamedTempFile, stamp: &FileStamp) -> Result<(), WriteError> {
        unchanged_since_scan(&self.target, stamp)?;
        fs::set_permissions(temp.path(), self.metadata.permissions()).map_err(io("cannot copy the permissions"))?;
        keep_owner(temp.as_file(), &self.metadata);
        temp.persist(&self.target)
            .map_err(|e| WriteError::Io { action: "cannot replace the original", cause: e.error })?;
        File::open(&self.folder).and_then(|dir| dir.sync_all()).map_err(io("cannot flush the folder"))?;
        Ok(())
    }
}

/// Fails unless the original still has the size and modification time of the scan.
fn unchanged_since_scan(target: &Path, stamp: &FileStamp) -> Result<(), WriteError> {
    let now = FileStamp::of(target).map_err(io("cannot read the file's metadata"))?;
    if &now == stamp { Ok(()) } else { Err(WriteError::Changed) }
}

/// Proves the tagged copy's audio is the original's: the same audio-determining bytes
/// (WAV, FLAC) or, for other formats, the same audio id when decoded again.
pub fn verify_audio(original: &Path, copy: &Path, format: Format, expected: &AudioId) -> Result<(), WriteError> {
    match payload::same_audio_bytes(original, copy, format).map_err(io("cannot read back the tagged copy"))? {
        Some(true) => Ok(()),
        Some(false) => Err(WriteError::AudioChanged("the audio bytes differ from the original's".into())),
        None => {
            let facts = audio::analyze(copy).map_err(|e| WriteError::AudioChanged(e.to_string()))?;
            if &facts.audio_id == expected {
                Ok(())
            } else {
                Err(WriteError::AudioChanged(format!("{} instead of {expected}", facts.audio_id)))
            }
        }
    }
}

/// Whether `report` holds `isrc` in every written location and no other value anywhere.
pub fn carries_everywhere(report: &TagReport, format: Format, isrc: Isrc) -> Result<(), WriteError> {
    let missing: Vec<String> = tags::written_locations(format)
        .iter()
        .filter(|location| !report.isrcs.iter().any(|found| &found.location == *location))
        .map(|location| format!("{location} missing"))
        .collect();
    let wrong: Vec<String> = report
        .isrcs
        .iter()
        .filter(|found| found.value != isrc.as_str())
        .map(|found| format!("{} = {:?}", found.location, found.value))
        .collect();
    if missing.is_empty() && wrong.is_empty() {
        Ok(())
    } else {
        Err(WriteError::ReadBack { isrc, found: [missing, wrong].concat().join(", ") })
    }
}

/// Removes the temporary files that killed runs left under `paths`: those named by
/// isrc-stamp (`.isrc-stamp-PID-….tmp`) whose process no longer runs. Files of a
/// running process, and anything isrc-stamp did not name, are left alone. Returns
/// the files removed. Only where the process table can be read (`/proc`).
pub fn remove_stale_temp_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    if !Path::new("/proc/self").exists() {
        return Vec::new();
    }
    let mut removed = Vec::new();
    for root in paths.iter().filter(|p| p.is_dir()) {
        for entry in walkdir::WalkDir::new(root).into_iter().filter_map(Result::ok) {
            let Some(pid) = temp_file_pid(entry.path()) else {
                continue;
            };
            let alive = Path::new("/proc").join(pid.to_string()).exists();
            if entry.file_type().is_file() && !alive && fs::remove_file(entry.path()).is_ok() {
                removed.push(entry.path().to_path_buf());
            }
        }
    }
    removed
}

/// The process id in a temporary file name `.isrc-stamp-PID-XXXXXX.tmp`.
fn temp_file_pid(path: &Path) -> Option<u32> {
    let name = path.file_name()?.to_str()?;
    let rest = name.strip_prefix(TEMP_PREFIX)?.strip_suffix(".tmp")?;
    rest.split_once('-')?.0.parse().ok()
}

/// Gives the copy the original's owner and group where the process may (as root, or
/// when they are already its own); otherwise the copy keeps the process's.
fn keep_owner(file: &File, original: &fs::Metadata) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = std::os::unix::fs::fchown(file, Some(original.uid()), Some(original.gid()));
    }
    #[cfg(not(unix))]
    let _ = (file, original);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_temporary_files_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let dead = dir.path().join(format!("{TEMP_PREFIX}{}-abc.tmp", u32::MAX - 1));
        let alive = dir.path().join(format!("{TEMP_PREFIX}{}-abc.tmp", std::process::id()));
        let other = dir.path().join(".isrc-stamp-notes.tmp");
        let master = dir.path().join("master.wav");
        for path in [&dead, &alive, &other, &master] {
            fs::write(path, b"x").unwrap();
        }
        assert_eq!(remove_stale_temp_files(&[dir.path().to_path_buf()]), std::slice::from_ref(&dead));
        assert!(!dead.exists() && alive.exists() && other.exists() && master.exists());
    }
}
