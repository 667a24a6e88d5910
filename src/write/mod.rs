//! Writing without ever leaving a file half-written (DESIGN.md section 5).
//!
//! Tagging a master ([`write_isrc`]): the tagged file is built in a temporary file
//! beside the original (same folder, so the final rename is atomic), flushed, then
//! proven: its audio must be the original's ([`proof`]: the same audio bytes for WAV
//! and FLAC, the same audio id decoded again for the others), and every location the
//! format has must read back the code and nothing else. The original must still be as
//! it was when it was scanned (size and modification time), checked before the copy is
//! made and again just before the rename. Only then is it given everything the original
//! had (owner, group, mode, extended attributes and ACLs; on Windows attributes, security
//! descriptor and alternate data streams: [`keep`]) and put in its place
//! by [`replace`], the one atomic replace every output of the program goes through. A
//! symlink is followed: its target is replaced, the link stays. On any failure the
//! temporary file is removed and the original is untouched, byte for byte. A read-only
//! file is refused, not replaced: isrc-stamp does not override a write protection; nor
//! is a file replaced that the caller may not write, whose owner or group it could not
//! give back, or that has other hard links (unless asked). A full disk is named as such,
//! with the file system it is.
//!
//! Copies can also be prepared ahead of the decision ([`prepared`]), written past the
//! page cache ([`direct_io`]).

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::audio;
use crate::base::ids::AudioId;
use crate::base::replace;
use crate::base::stamp::FileStamp;
use crate::container::{self, Format, TagReport};
use crate::isrc::Isrc;

pub(crate) mod direct_io;
pub(crate) mod guard;
mod keep;
mod prepared;
mod proof;

use keep::Keeper;
pub(crate) use keep::WriteOptions;
pub(crate) use prepared::{Prepared, prepare};

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
    /// The caller may not replace the file, or could not give the tagged copy what the
    /// original has (owner, group, mode, extended attributes). Nothing was written.
    #[error("refused: {0}; the original is untouched")]
    NotAllowed(String),
    /// The file has other hard links, which tagging (a new file renamed over the name)
    /// would split.
    #[error(
        "refused: the file has {0} hard links, and tagging replaces it with a new file, so the other \
         names would keep the untagged audio; tag each name separately with --break-hard-links, \
         or make the links copies first"
    )]
    HardLinked(u64),
    /// The disk is full.
    #[error("{action}: {fs} is full; free some space and run again (the original is untouched)")]
    DiskFull {
        /// What was being done.
        action: &'static str,
        /// The file system, named with its mount point and free space.
        fs: String,
    },
    /// Writing the tags failed.
    #[error(transparent)]
    Tags(#[from] container::TagError),
    /// The tagged copy does not decode to the same audio.
    #[error("the tagged copy does not decode to the same audio ({0}); the original is untouched")]
    AudioChanged(String),
    /// The original changed after it was read.
    #[error("the file changed since it was read; run again")]
    Changed,
    /// The copy made to take the code out still carries one.
    #[error("the copy still carries an ISRC ({0}); the original is untouched")]
    StillCarries(String),
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

impl WriteError {
    /// Names the file system when the error is a full disk (the copy is written beside
    /// `target`, on its file system).
    fn located(self, target: &Path) -> WriteError {
        match self {
            WriteError::Io { action, cause } if crate::base::fsinfo::is_full(&cause) => {
                WriteError::DiskFull { action, fs: crate::base::fsinfo::describe(target) }
            }
            WriteError::Tags(container::TagError::Io(cause)) if crate::base::fsinfo::is_full(&cause) => {
                WriteError::DiskFull {
                    action: "cannot write the tagged copy",
                    fs: crate::base::fsinfo::describe(target),
                }
            }
            other => other,
        }
    }
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
    options: WriteOptions,
) -> Result<(), WriteError> {
    write_code(path, &Wanted { format, isrc: Some(isrc), expected: Some(expected) }, stamp, options)
}

/// Takes the ISRC out of every location of the file at `path` (`untag`), as safely as
/// [`write_isrc`] writes one: the same copy, proof of the audio, read-back (no ISRC left
/// anywhere) and atomic replace.
pub(crate) fn remove_isrc(
    path: &Path,
    format: Format,
    expected: &AudioId,
    stamp: &FileStamp,
    options: WriteOptions,
) -> Result<(), WriteError> {
    write_code(path, &Wanted { format, isrc: None, expected: Some(expected) }, stamp, options)
}

/// The safe write of [`write_isrc`] and [`remove_isrc`].
fn write_code(path: &Path, wanted: &Wanted<'_>, stamp: &FileStamp, options: WriteOptions) -> Result<(), WriteError> {
    let original = match Original::check(path, stamp, options) {
        // Another run that agrees (or this run, through another name) got there first.
        Err(WriteError::Changed) if already_right(path, None, wanted) => return Ok(()),
        checked => checked?,
    };
    let (format, expected) = (wanted.format, wanted.expected);
    let target = original.target.clone();
    let written = (|| {
        let mut temp = original.temp_file()?;
        match wanted.isrc {
            Some(isrc) => container::write(&original.target, temp.as_file_mut(), format, isrc)?,
            None => container::untag(&original.target, temp.as_file_mut(), format)?,
        }
        replace::sync_data(temp.as_file()).map_err(io("cannot flush the tagged copy"))?;
        if let Some(expected) = expected {
            verify_audio(&original.target, temp.path(), format, expected)?;
        }
        carries_as_wanted(&container::read(temp.path(), format)?, wanted.isrc)?;
        original.replace_with(temp, stamp, wanted)
    })();
    written.map_err(|error| error.located(&target))
}

/// The file being tagged, checked writable and unchanged since the scan.
#[derive(Debug)]
struct Original {
    /// The file itself (a symlink resolved).
    target: PathBuf,
    /// Its folder, where the temporary copy goes.
    folder: PathBuf,
    /// What the copy must be given back: owner, group, mode, extended attributes.
    keeper: Keeper,
    /// The original, held open until it has been replaced, where that helps
    /// ([`crate::platform::replace::hold`]).
    _held: Option<File>,
}

impl Original {
    /// Resolves `path` and checks the file may be tagged by this caller, with all it
    /// has kept ([`Keeper::check`]), and is still as scanned.
    fn check(path: &Path, stamp: &FileStamp, options: WriteOptions) -> Result<Original, WriteError> {
        let target = crate::platform::path::resolve(path).map_err(io("cannot resolve the path"))?;
        let metadata = fs::metadata(&target).map_err(io("cannot read the file's metadata"))?;
        let folder = target.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
        let keeper = Keeper::check(&target, &folder, &metadata, options)?;
        unchanged_since_scan(&target, stamp)?;
        let held = crate::platform::replace::hold(&target).map_err(io("cannot open the file"))?;
        Ok(Original { target, folder, keeper, _held: held })
    }

    /// A new temporary file beside the original ([`replace::temp_in`]).
    fn temp_file(&self) -> Result<NamedTempFile, WriteError> {
        replace::temp_in(&self.folder).map_err(io("cannot create a temporary file in the folder"))
    }

    /// Renames the proven copy over the original, if the original is still as scanned,
    /// with everything the original had ([`Keeper::restore`]); then flushes the folder.
    ///
    /// An original changed since the scan is left alone; but when it now carries `wanted`
    /// code everywhere over the same audio (another run that agrees got there first, or
    /// the same file was reached twice), that is success: the file is already right.
    fn replace_with(self, temp: NamedTempFile, stamp: &FileStamp, wanted: &Wanted<'_>) -> Result<(), WriteError> {
        if let Err(changed) = unchanged_since_scan(&self.target, stamp) {
            return if already_right(&self.target, Some(temp.path()), wanted) { Ok(()) } else { Err(changed) };
        }
        self.keeper.restore(temp.as_file(), temp.path())?;
        replace::commit(temp, &self.target).map_err(io("cannot replace the original"))
    }
}

/// What a tagged copy is meant to be: the format, the code (none: no code anywhere), and
/// (when known) the audio id.
struct Wanted<'a> {
    format: Format,
    isrc: Option<Isrc>,
    /// The audio id the original was scanned with (formats proven by decoding).
    expected: Option<&'a AudioId>,
}

/// Whether `target` carries `wanted.isrc` everywhere over the audio of the proven
/// `copy` (the same audio bytes) or, without one, over the expected audio id (decoded).
fn already_right(target: &Path, copy: Option<&Path>, wanted: &Wanted<'_>) -> bool {
    let Ok(report) = container::read(target, wanted.format) else {
        return false;
    };
    if carries_as_wanted(&report, wanted.isrc).is_err() {
        return false;
    }
    let same_bytes = copy.map(|copy| proof::same_audio_bytes(copy, target, wanted.format));
    match same_bytes {
        Some(Ok(Some(same))) => same,
        Some(Err(_)) => false,
        Some(Ok(None)) | None => {
            wanted.expected.is_some_and(|id| audio::analyze(target).is_ok_and(|facts| &facts.audio_id == id))
        }
    }
}

/// A file's identity: its path with every symlink resolved, so that two ways to one
/// file (a symlink beside it, the file named twice) are one key, and two hard links
/// (separate names, by `--break-hard-links` written separately) are two.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct FileKey(PathBuf);

impl FileKey {
    /// The key of the file at `path`, `None` if it cannot be resolved (the write then
    /// reports why).
    pub(crate) fn of(path: &Path) -> Option<FileKey> {
        crate::platform::path::resolve(path).ok().map(FileKey)
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
/// value anywhere; with no code wanted, whether it holds no ISRC at all.
fn carries_as_wanted(report: &TagReport, isrc: Option<Isrc>) -> Result<(), WriteError> {
    let Some(isrc) = isrc else {
        if report.isrcs.is_empty() {
            return Ok(());
        }
        let left: Vec<String> = report.isrcs.iter().map(|f| format!("{} = {:?}", f.location, f.value)).collect();
        return Err(WriteError::StillCarries(left.join(", ")));
    };
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
