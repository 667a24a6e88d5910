//! Reading what a file is: its audio identity and its tags, one file ([`scan_with`])
//! or a batch walked from the command line's paths ([`batch`], [`walk`]).

mod batch;
pub(crate) mod walk;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub(crate) use batch::{in_pool, scan_handing_on, scan_with_options, scan_with_progress};

use crate::audio::{self, AnalyzeOptions, AudioError, AudioFacts};
use crate::container::{self, TagError, TagReport};
use crate::stop::Stop;
use walk::WalkError;

/// A file whose audio and tags were read.
#[derive(Debug, Clone)]
pub struct Scanned {
    /// The path as given or found.
    pub path: PathBuf,
    /// What decoding established.
    pub audio: AudioFacts,
    /// What the tags say.
    pub tags: TagReport,
    /// Size and modification time when it was read, to notice a file changed since.
    pub stamp: FileStamp,
}

/// A file's size and modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    /// Length in bytes.
    pub len: u64,
    /// Last modification.
    pub modified: Option<std::time::SystemTime>,
}

impl FileStamp {
    /// The stamp of the file at `path` now (following symlinks).
    pub fn of(path: &Path) -> std::io::Result<FileStamp> {
        let metadata = std::fs::metadata(path)?;
        Ok(FileStamp { len: metadata.len(), modified: metadata.modified().ok() })
    }
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
    /// A stop was asked for (Ctrl-C, SIGTERM) before the file was read.
    #[error("not read: the run was interrupted before this file; run again")]
    Interrupted,
}

/// A file that failed, with the reason.
#[derive(Debug)]
pub struct Failed {
    /// The path.
    pub path: PathBuf,
    /// What went wrong.
    pub error: ScanError,
}

/// Decodes one file (computing what `options` ask for) and reads its tags, telling
/// `on_stamped` the file and its stamp once it is taken, before the decoding starts.
pub fn scan_with(path: &Path, options: &AnalyzeOptions, on_stamped: &OnStamped<'_>) -> Result<Scanned, ScanError> {
    let stamp = FileStamp::of(path).map_err(|e| ScanError::Walk(walk::describe_io(&e)))?;
    on_stamped(path, &stamp);
    let audio = audio::analyze_with(path, options)?;
    let tags = container::read(path, audio.format)?;
    Ok(Scanned { path: path.to_path_buf(), audio, tags, stamp })
}

/// What is told of a file whose scan starts: its path and its [`FileStamp`] (the one its
/// [`Scanned`] will carry).
pub type OnStamped<'a> = dyn Fn(&Path, &FileStamp) + Sync + 'a;

/// Scans walked files in parallel on the current rayon pool; results keep the order.
/// `on_stamped` hears of each file as its scan starts, `on_done` sees each result as
/// soon as it is ready. Once `stop` is asked for, no file is started: the files not
/// reached fail with [`ScanError::Interrupted`].
pub(crate) fn scan_each_with(
    files: Vec<Result<PathBuf, WalkError>>,
    options: &AnalyzeOptions,
    on_stamped: &OnStamped<'_>,
    on_done: impl Fn(&Result<Scanned, Failed>) + Sync,
    stop: &Stop,
) -> Vec<Result<Scanned, Failed>> {
    files
        .into_par_iter()
        .map(|file| {
            let result = match file {
                Ok(path) if stop.requested() => Err(Failed { path, error: ScanError::Interrupted }),
                Ok(path) => scan_with(&path, options, on_stamped).map_err(|error| Failed { path, error }),
                Err(walk) => Err(Failed { path: walk.path, error: ScanError::Walk(walk.message) }),
            };
            on_done(&result);
            result
        })
        .collect()
}
