//! Turning the paths on the command line into a stable list of audio files.
//!
//! Folders are walked recursively in byte order of their paths, so two runs over the
//! same tree see the files in the same order. Inside folders only files with an audio
//! extension are taken (hidden files and isrc-stamp's own temporary files are
//! skipped); a file named on the command line is always taken, whatever its name, if it
//! is a regular file (a named pipe or a device is refused, never read).

use std::path::{Path, PathBuf};

use crate::write::TEMP_PREFIX;

/// Extensions of the formats isrc-stamp reads, lowercase.
const AUDIO_EXTENSIONS: &[&str] =
    &["wav", "wave", "bwf", "rf64", "bw64", "flac", "aif", "aiff", "aifc", "mp3", "m4a", "mp4", "ogg", "oga"];

/// A path that could not be walked.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub(crate) struct WalkError {
    /// The path that failed.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

/// Every audio file under `paths`, in a stable order, with the paths that failed.
pub(crate) fn audio_files(paths: &[PathBuf]) -> Vec<Result<PathBuf, WalkError>> {
    let mut found = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk_dir(path, &mut found),
            Ok(meta) if meta.is_file() => found.push(Ok(path.clone())),
            // A pipe, socket or device would block the reader or never end: refused.
            Ok(_) => found.push(Err(WalkError { path: path.clone(), message: "not a regular file".to_owned() })),
            Err(e) => found.push(Err(WalkError { path: path.clone(), message: describe_io(&e) })),
        }
    }
    found
}

fn walk_dir(root: &Path, found: &mut Vec<Result<PathBuf, WalkError>>) {
    let walker = walkdir::WalkDir::new(root).follow_links(true).sort_by_file_name();
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_file() && is_audio_name(entry.path()) => {
                found.push(Ok(entry.into_path()));
            }
            Ok(_) => {}
            Err(e) => {
                let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| root.to_path_buf());
                let message = e.io_error().map(describe_io).unwrap_or_else(|| e.to_string());
                found.push(Err(WalkError { path, message }));
            }
        }
    }
}

/// Whether a file found in a folder should be treated as audio.
fn is_audio_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    if name.starts_with('.') || name.starts_with(TEMP_PREFIX) {
        return false;
    }
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| AUDIO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// A short, human description of an I/O error.
pub(crate) fn describe_io(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audio_names_by_extension_without_hidden_or_temporary_files() {
        assert!(is_audio_name(Path::new("a/01 Track.WAV")));
        assert!(is_audio_name(Path::new("b.flac")));
        assert!(!is_audio_name(Path::new("notes.txt")));
        assert!(!is_audio_name(Path::new(".hidden.wav")));
        assert!(!is_audio_name(Path::new(".isrc-stamp-x.wav")));
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
        // Inside a folder it is not taken at all.
        assert!(audio_files(&[dir.path().to_path_buf()]).is_empty());
    }

    #[test]
    fn a_missing_path_is_an_error_naming_it() {
        let result = audio_files(&[PathBuf::from("/no/such/place.wav")]);
        let err = result[0].as_ref().unwrap_err();
        assert_eq!(err.to_string(), "/no/such/place.wav: no such file or folder");
    }
}
