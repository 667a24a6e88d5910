//! Turning the paths on the command line into a stable list of audio files.
//!
//! Folders are walked recursively in byte order of their paths, so two runs over the
//! same tree see the files in the same order. Inside folders only files with an audio
//! extension are taken (hidden files and isrc-stamp's own temporary files are
//! skipped); a file named on the command line is always taken, whatever its name, if it
//! is a regular file (a named pipe or a device is refused, never read). Every entry of a
//! folder that is neither a regular file nor a folder (a named pipe, a socket, a device,
//! a symlink to one) is reported as skipped, with its kind: never read, never silent.

use std::path::{Path, PathBuf};

use crate::base::io::describe_io;
use crate::base::replace::TEMP_PREFIX;

/// Extensions of the formats isrc-stamp reads, lowercase.
const AUDIO_EXTENSIONS: &[&str] =
    &["wav", "wave", "bwf", "rf64", "bw64", "flac", "aif", "aiff", "aifc", "mp3", "m4a", "mp4", "ogg", "oga"];

/// Extensions of audio formats isrc-stamp does not read, with their names: such a file
/// in a folder is reported as skipped, never passed over in silence.
const UNSUPPORTED_EXTENSIONS: &[(&str, &str)] = &[
    ("opus", "Opus"),
    ("w64", "Sony Wave64"),
    ("dsf", "DSD (DSF)"),
    ("dff", "DSD (DSDIFF)"),
    ("wv", "WavPack"),
    ("ape", "Monkey's Audio"),
    ("wma", "Windows Media Audio"),
    ("tta", "True Audio"),
    ("mpc", "Musepack"),
    ("ac3", "Dolby Digital (AC-3)"),
    ("eac3", "Dolby Digital Plus (E-AC-3)"),
    ("dts", "DTS"),
    ("mka", "Matroska audio"),
    ("caf", "Core Audio Format"),
    ("aac", "raw AAC (ADTS)"),
    ("spx", "Speex"),
    ("amr", "AMR"),
];

/// A path that could not be walked.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub(crate) struct WalkError {
    /// The path that failed.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
    /// The file is audio in a format isrc-stamp does not read: skipped, and said so.
    pub skipped: bool,
}

/// Every audio file under `paths`, in a stable order, with the paths that failed.
pub(crate) fn audio_files(paths: &[PathBuf]) -> Vec<Result<PathBuf, WalkError>> {
    let mut found = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk_dir(path, &mut found),
            Ok(meta) if meta.is_file() => found.push(Ok(path.clone())),
            // A pipe, socket or device would block the reader or never end: refused.
            Ok(_) => found.push(Err(WalkError::new(path.clone(), "not a regular file"))),
            Err(e) => found.push(Err(WalkError::new(path.clone(), describe_io(&e)))),
        }
    }
    found
}

fn walk_dir(root: &Path, found: &mut Vec<Result<PathBuf, WalkError>>) {
    let walker = walkdir::WalkDir::new(root).follow_links(true).sort_by_file_name();
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_file() => match kind_of(entry.path()) {
                Kind::Audio => found.push(Ok(entry.into_path())),
                Kind::Unsupported(format) => found.push(Err(WalkError {
                    path: entry.into_path(),
                    message: format!("{format} files are not supported: not checked, not tagged"),
                    skipped: true,
                })),
                Kind::Other => {}
            },
            Ok(entry) if entry.file_type().is_dir() => {}
            // A pipe, socket or device in a folder is never read, and never passed over
            // in silence: skipped, with what it is.
            Ok(entry) => {
                let kind = crate::base::filekind::special_kind(&entry.file_type()).unwrap_or("not a regular file");
                let kind = if entry.path_is_symlink() { format!("a symlink to {kind}") } else { kind.to_owned() };
                found.push(Err(WalkError {
                    path: entry.into_path(),
                    message: format!("{kind}, not a regular file: not read, not tagged"),
                    skipped: true,
                }));
            }
            Err(e) => {
                let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| root.to_path_buf());
                let message = e.io_error().map(describe_io).unwrap_or_else(|| e.to_string());
                found.push(Err(WalkError::new(path, message)));
            }
        }
    }
}

impl WalkError {
    /// A path that could not be walked.
    fn new(path: PathBuf, message: impl Into<String>) -> WalkError {
        WalkError { path, message: message.into(), skipped: false }
    }
}

/// What a file found in a folder is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Audio isrc-stamp reads.
    Audio,
    /// Audio in a format isrc-stamp does not read (its name).
    Unsupported(&'static str),
    /// Not audio, hidden, or isrc-stamp's own temporary file.
    Other,
}

/// What a file found in a folder is, by its name. Names need not be UTF-8: the
/// extension is compared byte for byte, ignoring ASCII case.
fn kind_of(path: &Path) -> Kind {
    let Some(name) = path.file_name() else {
        return Kind::Other;
    };
    let name = name.as_encoded_bytes();
    if name.starts_with(b".") || name.starts_with(TEMP_PREFIX.as_bytes()) {
        return Kind::Other;
    }
    let Some(extension) = path.extension().map(|e| e.as_encoded_bytes().to_ascii_lowercase()) else {
        return Kind::Other;
    };
    if AUDIO_EXTENSIONS.iter().any(|known| known.as_bytes() == extension) {
        return Kind::Audio;
    }
    UNSUPPORTED_EXTENSIONS
        .iter()
        .find(|(known, _)| known.as_bytes() == extension)
        .map_or(Kind::Other, |(_, format)| Kind::Unsupported(format))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audio_names_by_extension_without_hidden_or_temporary_files() {
        assert_eq!(kind_of(Path::new("a/01 Track.WAV")), Kind::Audio);
        assert_eq!(kind_of(Path::new("b.flac")), Kind::Audio);
        assert_eq!(kind_of(Path::new("notes.txt")), Kind::Other);
        assert_eq!(kind_of(Path::new(".hidden.wav")), Kind::Other);
        assert_eq!(kind_of(Path::new(".isrc-stamp-x.wav")), Kind::Other);
        assert_eq!(kind_of(Path::new("live.OPUS")), Kind::Unsupported("Opus"));
        assert_eq!(kind_of(Path::new("master.w64")), Kind::Unsupported("Sony Wave64"));
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_are_walked_and_unsupported_audio_is_reported() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let odd = dir.path().join(std::ffi::OsStr::from_bytes(b"bad\xffname.wav"));
        std::fs::write(&odd, b"x").unwrap();
        std::fs::write(dir.path().join("take.opus"), b"x").unwrap();
        let found = audio_files(&[dir.path().to_path_buf()]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].as_ref().unwrap(), &odd);
        let skipped = found[1].as_ref().unwrap_err();
        assert!(skipped.skipped && skipped.message.starts_with("Opus files are not supported"), "{skipped}");
    }

    #[test]
    fn folders_are_walked_in_a_stable_order() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.wav", "a.flac", "sub/c.mp3", "skip.txt"] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, b"x").unwrap();
        }
        let files: Vec<_> = audio_files(&[dir.path().to_path_buf()]).into_iter().map(|f| f.unwrap()).collect();
        let names: Vec<_> =
            files.iter().map(|p| p.strip_prefix(dir.path()).unwrap().to_str().unwrap().to_owned()).collect();
        assert_eq!(names, ["a.flac", "b.wav", "sub/c.mp3"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_or_device_is_refused_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("pipe.wav");
        let made = std::process::Command::new("mkfifo").arg(&pipe).status().unwrap();
        assert!(made.success());
        for path in [pipe, PathBuf::from("/dev/zero")] {
            let result = audio_files(std::slice::from_ref(&path));
            let err = result[0].as_ref().unwrap_err();
            assert_eq!(err.to_string(), format!("{}: not a regular file", path.display()));
        }
        // Inside a folder it is not read, and reported as skipped with its kind.
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.wav")).unwrap();
        let found = audio_files(&[dir.path().to_path_buf()]);
        let messages: Vec<String> = found.iter().map(|f| f.as_ref().unwrap_err().to_string()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(found.iter().all(|f| f.as_ref().unwrap_err().skipped));
        assert!(messages[0].ends_with("pipe.wav: a named pipe (FIFO), not a regular file: not read, not tagged"));
        assert!(
            messages[1]
                .ends_with("zero.wav: a symlink to a character device, not a regular file: not read, not tagged")
        );
    }

    #[test]
    fn a_missing_path_is_an_error_naming_it() {
        let result = audio_files(&[PathBuf::from("/no/such/place.wav")]);
        let err = result[0].as_ref().unwrap_err();
        assert_eq!(err.to_string(), "/no/such/place.wav: no such file or folder");
    }
}
