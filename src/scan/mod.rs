//! Reading what a file is: its audio identity and its tags, one file ([`scan_with`])
//! or a batch walked from the command line's paths ([`batch`], [`walk`]).

mod batch;
pub(crate) mod walk;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub(crate) use batch::{Batch, in_pool, scan_handing_on, scan_with_options, scan_with_progress};

use crate::audio::{self, AnalyzeOptions, AudioError, AudioFacts};
use crate::base::io::describe_io;
use crate::base::stamp::{FileStamp, Identity};
use crate::container::{self, TagError, TagReport};
use crate::output::progress;
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
    /// Its identity on disk when it was read (device, inode, size, times).
    pub identity: Option<Identity>,
    /// Whether its audio facts were taken from what an earlier run recorded for this
    /// very identity ([`KnownAudio`]) rather than decoded (no fingerprint then).
    pub remembered: bool,
}

/// What an earlier run recorded of a file with this identity, if anything: its audio
/// facts, so it need not be decoded again.
pub type KnownAudio<'a> = dyn Fn(&Identity) -> Option<AudioFacts> + Sync + 'a;

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
    /// Audio in a format isrc-stamp does not read, found in a folder: reported, untouched.
    #[error("{0}")]
    Skipped(String),
    /// The file's tags cannot be written, found before any code was given to it.
    #[error("not tagged, and no code given to it: {0}")]
    Untaggable(TagError),
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

impl Failed {
    /// Whether the file was skipped (a format isrc-stamp does not read) rather than failed.
    pub fn is_skipped(&self) -> bool {
        matches!(self.error, ScanError::Skipped(_))
    }
}

/// Decodes one file (computing what `options` ask for) and reads its tags, telling
/// `on_stamped` the file and its stamp once it is taken, before the decoding starts.
pub fn scan_with(
    path: &Path,
    options: &AnalyzeOptions,
    on_stamped: &OnStamped<'_>,
    known: &KnownAudio<'_>,
) -> Result<Scanned, ScanError> {
    let identity = Identity::of(path);
    let stamp = FileStamp::of(path).map_err(|e| ScanError::Walk(describe_io(&e)))?;
    on_stamped(path, &stamp);
    let remembered = identity.as_ref().and_then(known);
    // The tags first: a damaged tag block is named as what it is, not as whatever the
    // decoder makes of the container around it.
    let format = match &remembered {
        Some(audio) => audio.format,
        None => container::sniff(path).map_err(AudioError::Format)?,
    };
    let tags = container::read(path, format)?;
    let audio = match remembered.clone() {
        Some(audio) => audio,
        None => audio::analyze_with(path, options)?,
    };
    // Taken after the tags, so a file changed while it was read is not remembered as it was.
    let identity = identity.filter(|before| Identity::of(path).as_ref() == Some(before));
    Ok(Scanned { path: path.to_path_buf(), audio, tags, stamp, identity, remembered: remembered.is_some() })
}

/// Nothing is known of any file: every file is decoded.
pub fn nothing_known(_: &Identity) -> Option<AudioFacts> {
    None
}

/// What is told of a file whose scan starts: its path and its [`FileStamp`] (the one its
/// [`Scanned`] will carry).
pub type OnStamped<'a> = dyn Fn(&Path, &FileStamp) + Sync + 'a;

/// Scans walked files in parallel on the current rayon pool; results keep the order.
/// `on_stamped` hears of each file as its scan starts; `meter` counts the bytes read
/// ([`progress::metering`]). Once `stop` is asked for, no file is started: the files not
/// reached fail with [`ScanError::Interrupted`].
pub(crate) fn scan_each_with(
    files: Vec<Result<PathBuf, WalkError>>,
    options: &AnalyzeOptions,
    on_stamped: &OnStamped<'_>,
    known: &KnownAudio<'_>,
    meter: &indicatif::ProgressBar,
    stop: &Stop,
) -> Vec<Result<Scanned, Failed>> {
    let options = &AnalyzeOptions { meter: Some(audio::Meter(progress::advance)), ..*options };
    files
        .into_par_iter()
        .map(|file| match file {
            Ok(path) if stop.requested() => Err(Failed { path, error: ScanError::Interrupted }),
            Ok(path) => {
                let len = std::fs::metadata(&path).map_or(0, |m| m.len());
                let name = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                progress::metering(meter, len, &crate::output::escape_controls(&name), || {
                    scan_with(&path, options, on_stamped, known)
                })
                .map_err(|error| Failed { path, error })
            }
            Err(walk) if walk.skipped => Err(Failed { path: walk.path, error: ScanError::Skipped(walk.message) }),
            Err(walk) => Err(Failed { path: walk.path, error: ScanError::Walk(walk.message) }),
        })
        .collect()
}
