//! The one atomic replace: a file is written whole into a temporary file beside its
//! target (same folder, so the rename is atomic), flushed, renamed over the target, and
//! the folder flushed, so that the rename itself survives a power cut. Tagged masters,
//! CUE sheets and exports all go through here; a DDP image, a folder of files, the same
//! way as a whole ([`temp_folder_in`], [`publish_folder`]).
//!
//! Temporary files and folders are named `.isrc-stamp-PID-XXXXXX.tmp`: folder walks skip
//! them, and a later run removes those whose process is gone ([`remove_stale_temp_files`],
//! [`remove_stale_temp_folders`]).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::platform;

/// Prefix of the temporary files isrc-stamp creates beside their targets.
pub(crate) const TEMP_PREFIX: &str = ".isrc-stamp-";

/// A new, empty temporary file in `folder`, named for this process.
pub(crate) fn temp_in(folder: &Path) -> io::Result<NamedTempFile> {
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    tempfile::Builder::new().prefix(&prefix).suffix(".tmp").tempfile_in(folder)
}

/// A new, empty temporary folder in `folder`, named for this process; removed when
/// dropped unless published.
pub(crate) fn temp_folder_in(folder: &Path) -> io::Result<tempfile::TempDir> {
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    tempfile::Builder::new().prefix(&prefix).suffix(".tmp").tempdir_in(folder)
}

/// Flushes the temporary folder (whose files are flushed already) and renames it to
/// `target`, which must not exist or be an empty folder; then flushes the parent. On
/// failure the temporary folder is removed and `target` is as it was.
pub(crate) fn publish_folder(temp: tempfile::TempDir, target: &Path) -> io::Result<()> {
    platform::replace::sync_folder(temp.path())?;
    platform::replace::rename_folder(temp.path(), target)?;
    // Renamed: nothing is left to remove.
    let _ = temp.keep();
    platform::replace::sync_folder(folder_of(target))
}

/// Removes the temporary folders that killed runs left directly in `folder` (not below):
/// those named by isrc-stamp whose process no longer runs. Returns the folders removed.
pub(crate) fn remove_stale_temp_folders(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(folder) else { return Vec::new() };
    let mut removed = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let Some(pid) = temp_file_pid(&path) else { continue };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && platform::process::alive(pid) == Some(false) && fs::remove_dir_all(&path).is_ok() {
            removed.push(path);
        }
    }
    removed
}

/// Renames the (flushed) temporary file over `target`, then flushes the folder
/// ([`platform::replace`]: `rename` and `fsync` of the folder on Unix, `MoveFileExW`
/// with write-through on Windows). On failure the temporary file is removed and
/// `target` is as it was.
pub(crate) fn commit(mut temp: NamedTempFile, target: &Path) -> io::Result<()> {
    platform::replace::rename_over(temp.path(), target)?;
    // Renamed: nothing is left to remove.
    temp.disable_cleanup(true);
    drop(temp);
    platform::replace::sync_folder(folder_of(target))
}

/// Renames the finished file `from` (beside `to`, so the rename is atomic) over `to`,
/// then flushes the folder.
pub(crate) fn rename_into_place(from: &Path, to: &Path) -> io::Result<()> {
    platform::replace::rename_over(from, to)?;
    platform::replace::sync_folder(folder_of(to))
}

/// Flushes a finished file's bytes and metadata to the disk (`fsync`; `F_FULLFSYNC` on
/// macOS, `FlushFileBuffers` on Windows).
pub(crate) fn sync_file(file: &fs::File) -> io::Result<()> {
    file.sync_all()
}

/// Flushes a file's bytes to the disk, and of its metadata only what reading them back
/// needs (`fdatasync`).
pub(crate) fn sync_data(file: &fs::File) -> io::Result<()> {
    file.sync_data()
}

/// Flushes the entries of `folder` (a rename or a new file in it) to the disk.
pub(crate) fn sync_folder(folder: &Path) -> io::Result<()> {
    platform::replace::sync_folder(folder)
}

/// A path's folder, `.` for a bare name.
pub(crate) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Why [`write_atomically`] wrote nothing (the target is as it was).
#[derive(Debug, thiserror::Error)]
pub enum ReplaceError {
    /// No temporary file could be made beside the target.
    #[error("cannot write {}: cannot create a file in {}: {reason}", .path.display(), .folder.display())]
    NoTemporaryFile {
        /// The target.
        path: PathBuf,
        /// Its folder.
        folder: PathBuf,
        /// Why, in words ([`crate::base::io::describe_io`]).
        reason: String,
    },
    /// Writing, flushing or putting the file in place failed; `source` says why (the
    /// writer's own error, or the file system's).
    #[error("cannot write {}", .path.display())]
    Write {
        /// The target.
        path: PathBuf,
        /// Why.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// Writes the file at `path` whole or not at all: `write` fills a temporary file beside
/// it, which then replaces it. A new file gets mode 0644 (Windows: normal attributes),
/// an existing one keeps its mode (its attributes and creation time). `write`'s own
/// error is the [`ReplaceError::Write`]'s source.
pub(crate) fn write_atomically<E>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), ReplaceError>
where
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let failed =
        |source: Box<dyn std::error::Error + Send + Sync>| ReplaceError::Write { path: path.to_path_buf(), source };
    // The temporary file's own name means nothing to the user: the error names the
    // folder it was to be made in.
    let folder = folder_of(path);
    let mut temp = temp_in(folder).map_err(|error| ReplaceError::NoTemporaryFile {
        path: path.to_path_buf(),
        folder: folder.to_path_buf(),
        reason: crate::base::io::describe_io(&io::Error::from(error.kind())),
    })?;
    {
        let mut buffered = io::BufWriter::new(temp.as_file_mut());
        write(&mut buffered).map_err(|e| failed(e.into()))?;
        buffered.flush().map_err(|e| failed(e.into()))?;
    }
    sync_file(temp.as_file()).map_err(|e| failed(e.into()))?;
    platform::keep::like_target(temp.as_file(), path).map_err(|e| failed(e.into()))?;
    commit(temp, path).map_err(|e| failed(e.into()))
}

/// Removes the temporary files that killed runs left beside the files under `paths`:
/// those named by isrc-stamp (`.isrc-stamp-PID-….tmp`) whose process no longer runs.
/// Every folder a file is found in is swept: the folders walked, the folder of a file
/// named on the command line, and the folder of every symlink's target (a tagged
/// copy is made beside the target). Files of a running process, and anything
/// isrc-stamp did not name, are left alone. Returns the files removed. Only where it
/// can be told that the process is gone ([`platform::process::alive`]).
pub(crate) fn remove_stale_temp_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut add = |folder: &Path| {
        let folder = platform::path::resolve(folder).unwrap_or_else(|_| folder.to_path_buf());
        if seen.insert(folder.clone()) {
            folders.push(folder);
        }
    };
    for root in paths {
        if root.is_dir() {
            for entry in walkdir::WalkDir::new(root).follow_links(true).into_iter().filter_map(Result::ok) {
                if entry.file_type().is_dir() {
                    add(entry.path());
                } else if entry.path_is_symlink()
                    && let Ok(target) = platform::path::resolve(entry.path())
                {
                    add(folder_of(&target));
                }
            }
        } else if root.is_file() {
            add(folder_of(root));
            if let Ok(target) = platform::path::resolve(root) {
                add(folder_of(&target));
            }
        }
    }
    let mut removed = Vec::new();
    for folder in folders {
        let Ok(entries) = fs::read_dir(&folder) else { continue };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let Some(pid) = temp_file_pid(&path) else {
                continue;
            };
            let gone = platform::process::alive(pid) == Some(false);
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            if is_file && gone && fs::remove_file(&path).is_ok() {
                removed.push(path);
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
        let dir_path = fs::canonicalize(dir.path()).unwrap();
        let dead_found = dir_path.join(dead.file_name().unwrap());
        assert_eq!(remove_stale_temp_files(&[dir.path().to_path_buf()]), [dead_found]);
        assert!(!dead.exists() && alive.exists() && other.exists() && master.exists());
    }

    #[test]
    fn a_folder_is_published_whole_and_stale_ones_removed() {
        let dir = tempfile::tempdir().unwrap();
        let temp = temp_folder_in(dir.path()).unwrap();
        fs::write(temp.path().join("DDPID"), b"x").unwrap();
        let target = dir.path().join("image");
        publish_folder(temp, &target).unwrap();
        assert_eq!(fs::read(target.join("DDPID")).unwrap(), b"x");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary folder is left");

        let busy = dir.path().join("busy");
        fs::create_dir(&busy).unwrap();
        fs::write(busy.join("f"), b"y").unwrap();
        let temp = temp_folder_in(dir.path()).unwrap();
        assert!(publish_folder(temp, &busy).is_err(), "a folder with files is never replaced");
        assert_eq!(fs::read(busy.join("f")).unwrap(), b"y");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2, "the temporary folder went away");

        let dead = dir.path().join(format!("{TEMP_PREFIX}{}-abc.tmp", u32::MAX - 1));
        let alive = temp_folder_in(dir.path()).unwrap();
        fs::create_dir(&dead).unwrap();
        fs::write(dead.join("IMAGE.DAT"), b"z").unwrap();
        assert_eq!(remove_stale_temp_folders(dir.path()), std::slice::from_ref(&dead));
        assert!(!dead.exists() && alive.path().exists() && busy.exists());
    }

    /// A file replaced whole keeps what was set on it: on Windows its read-only and
    /// hidden attributes (a rename replaces a read-only file, as on Unix).
    #[cfg(windows)]
    #[test]
    fn a_read_only_hidden_file_is_replaced_whole_and_keeps_both_attributes() {
        use std::os::windows::fs::MetadataExt;
        use windows_sys::Win32::Storage::FileSystem::{
            FILE_ATTRIBUTE_HIDDEN, FILE_ATTRIBUTE_READONLY, FILE_ATTRIBUTE_TEMPORARY,
        };
        let dir = tempfile::tempdir().unwrap();
        let sheet = dir.path().join("album.cue");
        fs::write(&sheet, b"old").unwrap();
        crate::platform::windows::set_attributes(&sheet, FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN).unwrap();
        write_atomically(&sheet, |out| out.write_all(b"new")).unwrap();
        assert_eq!(fs::read(&sheet).unwrap(), b"new");
        let attributes = fs::metadata(&sheet).unwrap().file_attributes();
        let wanted = FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN;
        assert_eq!(attributes & (wanted | FILE_ATTRIBUTE_TEMPORARY), wanted, "{attributes:#x}");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file is left");
        // A new file is a plain one, not temporary.
        let new = dir.path().join("new.cue");
        write_atomically(&new, |out| out.write_all(b"x")).unwrap();
        assert_eq!(fs::metadata(&new).unwrap().file_attributes() & (wanted | FILE_ATTRIBUTE_TEMPORARY), 0);
    }

    #[cfg(unix)]
    #[test]
    fn leftovers_beside_a_file_named_and_beside_a_symlinks_target_are_removed() {
        let masters = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let master = masters.path().join("master.wav");
        let target = elsewhere.path().join("target.wav");
        fs::write(&master, b"x").unwrap();
        fs::write(&target, b"x").unwrap();
        std::os::unix::fs::symlink(&target, masters.path().join("link.wav")).unwrap();
        let leftover = |dir: &Path| dir.join(format!("{TEMP_PREFIX}{}-abc.tmp", u32::MAX - 1));
        for dir in [masters.path(), elsewhere.path()] {
            fs::write(leftover(dir), b"x").unwrap();
        }
        // The master named as a file: its folder is swept.
        assert_eq!(remove_stale_temp_files(std::slice::from_ref(&master)).len(), 1);
        assert!(!leftover(masters.path()).exists() && leftover(elsewhere.path()).exists());
        // The folder walked: the symlink's target's folder is swept too.
        assert_eq!(remove_stale_temp_files(&[masters.path().to_path_buf()]).len(), 1);
        assert!(!leftover(elsewhere.path()).exists());
        assert!(master.exists() && target.exists());
    }
}
