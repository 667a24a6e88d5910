//! Tagging a master without ever leaving it half-written (DESIGN.md section 5).
//!
//! The tagged file is built in a temporary file beside the original (same folder, so
//! the final rename is atomic), flushed and fsynced, then proven: it must decode to
//! the same audio id, and every location the format has must read back the code and
//! nothing else. Only then is it given the original's permissions (and owner, where
//! allowed) and renamed over it, and the folder is fsynced. A symlink is followed: its
//! target is replaced, the link stays. On any failure the temporary file is removed and
//! the original is untouched, byte for byte. A read-only file is refused, not
//! replaced: isrc-stamp does not override a write protection.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use crate::audio::{self, AudioId};
use crate::code::Isrc;
use crate::format::Format;
use crate::tags::{self, TagReport};
use crate::walk::TEMP_PREFIX;

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
/// `expected` is the audio id the file had when it was scanned: the tagged copy must
/// decode to it, which also catches a file changed since the scan.
pub fn write_isrc(path: &Path, format: Format, isrc: Isrc, expected: &AudioId) -> Result<(), WriteError> {
    let target = fs::canonicalize(path).map_err(io("cannot resolve the path"))?;
    let metadata = fs::metadata(&target).map_err(io("cannot read the file's metadata"))?;
    if metadata.permissions().readonly() {
        return Err(WriteError::ReadOnly);
    }
    let folder = target.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(".tmp")
        .tempfile_in(&folder)
        .map_err(io("cannot create a temporary file in the folder"))?;
    tags::write(&target, temp.as_file_mut(), format, isrc)?;
    temp.as_file().sync_all().map_err(io("cannot flush the tagged copy"))?;
    verify(temp.path(), format, isrc, expected)?;
    fs::set_permissions(temp.path(), metadata.permissions()).map_err(io("cannot copy the permissions"))?;
    keep_owner(temp.as_file(), &metadata);
    temp.persist(&target).map_err(|e| WriteError::Io { action: "cannot replace the original", cause: e.error })?;
    File::open(&folder).and_then(|dir| dir.sync_all()).map_err(io("cannot flush the folder"))?;
    Ok(())
}

/// Proves the tagged copy: same audio, and the code in every location and nowhere else.
pub fn verify(path: &Path, format: Format, isrc: Isrc, expected: &AudioId) -> Result<(), WriteError> {
    let facts = audio::analyze(path).map_err(|e| WriteError::AudioChanged(e.to_string()))?;
    if &facts.audio_id != expected {
        return Err(WriteError::AudioChanged(format!("{} instead of {expected}", facts.audio_id)));
    }
    let report = tags::read(path, format)?;
    carries_everywhere(&report, format, isrc)
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
