//! Reading what a file is: its audio identity and its tags, for many files at once.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::audio::{self, AudioError, AudioFacts};
use crate::tags::{self, TagError, TagReport};
use crate::walk::WalkError;

/// A file whose audio and tags were read.
#[derive(Debug, Clone)]
pub struct Scanned {
    /// The path as given or found.
    pub path: PathBuf,
    /// What decoding established.
    pub audio: AudioFacts,
    /// What the tags say.
    pub tags: TagReport,
}

/// Why a file could not be scanned.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The audio could not be identified.
    #[error(transparent)]
    Audio(#[from] AudioError),
    /// The tags could not be read.
    #[error(transparent)]
    Tags(#[from] TagError),
    /// The path could not be walked.
    #[error("{0}")]
    Walk(String),
}

/// A file that failed, with the reason.
#[derive(Debug)]
pub struct Failed {
    /// The path.
    pub path: PathBuf,
    /// What went wrong.
    pub error: ScanError,
}

/// Decodes and reads the tags of one file.
pub fn scan(path: &Path) -> Result<Scanned, ScanError> {
    let audio = audio::analyze(path)?;
    let tags = tags::read(path, audio.format)?;
    Ok(Scanned { path: path.to_path_buf(), audio, tags })
}

/// Scans walked files in parallel on the current rayon pool; results keep the order.
pub fn scan_each(files: Vec<Result<PathBuf, WalkError>>, on_done: impl Fn() + Sync) -> Vec<Result<Scanned, Failed>> {
    files
        .into_par_iter()
        .map(|file| {
            let result = match file {
                Ok(path) => scan(&path).map_err(|error| Failed { path, error }),
                Err(walk) => Err(Failed { path: walk.path, error: ScanError::Walk(walk.message) }),
            };
            on_done();
            result
        })
        .collect()
}
