//! Writing without ever leaving a file half-written (DESIGN.md section 5).
//!
//! Tagging a master ([`write_isrc`]): the tagged file is built in a temporary file
//! beside the original (same folder, so the final rename is atomic), flushed, then
//! proven: its audio must be the original's ([`proof`]: the same audio bytes for WAV
//! and FLAC, the same audio id decoded again for the others), and every location the
//! format has must read back the code and nothing else. The original must still be as
//! it was when it was scanned (size and modification time), checked before the copy is
//! made and again just before the rename. Only then is it given the original's
//! permissions (and owner, where allowed) and put in its place by [`replace`], the one
//! atomic replace every output of the program goes through. A symlink is followed: its
//! target is replaced, the link stays. On any failure the temporary file is removed and
//! the original is untouched, byte for byte. A read-only file is refused, not
//! replaced: isrc-stamp does not override a write protection.
//!
//! Copies can also be prepared ahead of the decision ([`prepared`]), written past the
//! page cache ([`direct_io`]).

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::audio::{self, AudioId};
use crate::container::{self, Format, TagReport};
use crate::isrc::Isrc;
use crate::scan::FileStamp;

pub(crate) mod direct_io;
mod prepared;
mod proof;
pub(crate) mod replace;

pub(crate) use prepared::{Prepared, prepare};
pub(crate) use replace::{TEMP_PREFIX, remove_stale_temp_files, write_atomically};

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
    Tags(#[from] container::TagError),
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
pub(crate) fn write_isrc(
    path: &Path,
    format: Format,
    isrc: Isrc,
    expected: &AudioId,
    stamp: &FileStamp,
) -> Result<(), WriteError> {
    let original = Original::check(path, stamp)?;
    let mut temp = original.temp_file()?;
    container::write(&original.target, temp.as_file_mut(), format, isrc)?;
    temp.as_file().sync_data().map_err(io("cannot flush the tagged copy"))?;
    verify_audio(&original.target, temp.path(), format, expected)?;
    carries_everywhere(&container::read(temp.path(), format)?, isrc)?;
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

    /// A new temporary file beside the original ([`replace::temp_in`]).
    fn temp_file(&self) -> Result<NamedTempFile, WriteError> {
        replace::temp_in(&self.folder).map_err(io("cannot create a temporary file in the folder"))
    }

    /// Renames the proven copy over the original, if the original is still as scanned,
    /// with the original's permissions (and owner, where allowed); then flushes the folder.
    fn replace_with(self, temp: NamedTempFile, stamp: &FileStamp) -> Result<(), WriteError> {
        unchanged_since_scan(&self.target, stamp)?;
        fs::set_permissions(temp.path(), self.metadata.permissions()).map_err(io("cannot copy the permissions"))?;
        keep_owner(temp.as_file(), &self.metadata);
        replace::commit(temp, &self.target).map_err(io("cannot replace the original"))
    }
}

/// Fails unless the original still has the size and modification time of the scan.
fn unchanged_since_scan(target: &Path, stamp: &FileStamp) -> Result<(), WriteError> {
    let now = FileStamp::of(target).map_err(io("cannot read the file's metadata"))?;
    if &now == stamp { Ok(()) } else { Err(WriteError::Changed) }
}

/// Proves the tagged copy's audio is the original's: the same audio-determining bytes
/// (WAV, FLAC) or, for other formats, the same audio id when decoded again.
fn verify_audio(original: &Path, copy: &Path, format: Format, expected: &AudioId) -> Result<(), WriteError> {
    match proof::same_audio_bytes(original, copy, format).map_err(io("cannot read back the tagged copy"))? {
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

/// Whether `report` holds `isrc` in every location written in the file and no other
/// value anywhere.
fn carries_everywhere(report: &TagReport, isrc: Isrc) -> Result<(), WriteError> {
    let missing: Vec<String> = report
        .written
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
