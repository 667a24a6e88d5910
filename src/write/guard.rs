//! What no output may replace (DESIGN.md section 10): the ledger in use and the files
//! beside it that belong to it (`-wal`, `-shm`, `-journal`, `-seen.json`), an audio file
//! (told by its content, never its name), or a folder.
//!
//! Every path a user names as an output (`cue`, `pq`, `man`, `ledger export --output`,
//! `ledger backup FILE`, `ddp write --output DIR`) is checked twice: by the command line
//! before the command starts, so that a long scan does not end in a refusal, and again
//! just before the file is put in place ([`write_output`]), which then goes through the
//! one atomic replace ([`crate::base::replace`]). The ledger is named once per run by the
//! command line ([`protect_ledger`]); its files are recognised by name (a `-wal` file
//! that does not exist yet must not be created either) and by identity (a symlink or a
//! hard link to the ledger is the ledger).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The files of the ledger in use, named by the command line for the whole run.
static LEDGER_FILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Why an output path was refused. Nothing was written.
#[derive(Debug, thiserror::Error)]
#[error("refused to write {}: {reason}; nothing was written: give another path", path.display())]
pub struct OutputRefused {
    /// The path given.
    pub path: PathBuf,
    /// What it is.
    pub reason: String,
}

/// Names the ledger in use (its file, if it has one, and the files beside it that
/// belong to it: `-wal`, `-shm`, `-journal`, and `seen_cache`, the assign engine's
/// cache of files seen) as what no output may replace, for the rest of the run.
pub(crate) fn protect_ledger(ledger: Option<&Path>, seen_cache: Option<PathBuf>) {
    let mut files = Vec::new();
    if let Some(ledger) = ledger {
        files.push(ledger.to_path_buf());
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut name = ledger.as_os_str().to_os_string();
            name.push(suffix);
            files.push(PathBuf::from(name));
        }
    }
    files.extend(seen_cache);
    *LEDGER_FILES.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = files;
}

/// Refuses `path` as an output file when it is one of the ledger's files, an audio
/// file, or a folder.
pub(crate) fn check(path: &Path) -> Result<(), OutputRefused> {
    check_not_ledger(path)?;
    let refuse = |reason: String| Err(OutputRefused { path: path.to_path_buf(), reason });
    let Ok(metadata) = std::fs::metadata(path) else { return Ok(()) };
    if metadata.is_dir() {
        return refuse("it is a folder".into());
    }
    if let Some(format) = audio_format(path, &metadata) {
        return refuse(format!("it is an audio file ({format}), which an output never replaces"));
    }
    Ok(())
}

/// Refuses `path` as an output folder (`ddp write --output`) when it names one of the
/// ledger's files or an audio file; whether a folder there may be written into is the
/// writer's to judge.
pub(crate) fn check_folder(path: &Path) -> Result<(), OutputRefused> {
    check_not_ledger(path)?;
    match std::fs::metadata(path) {
        Ok(metadata) if !metadata.is_dir() => match audio_format(path, &metadata) {
            Some(format) => Err(OutputRefused {
                path: path.to_path_buf(),
                reason: format!("it is an audio file ({format}), which an output never replaces"),
            }),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

/// Why an output was not written: refused, or its writing failed (nothing was put in
/// its place either way).
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The path is one no output replaces.
    #[error(transparent)]
    Refused(#[from] OutputRefused),
    /// Writing it failed.
    #[error(transparent)]
    Write(#[from] crate::base::replace::ReplaceError),
}

/// Checks `path` ([`check`]) and writes it whole or not at all through the one atomic
/// replace.
pub(crate) fn write_output<E>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), OutputError>
where
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    check(path)?;
    Ok(crate::base::replace::write_atomically(path, write)?)
}

fn check_not_ledger(path: &Path) -> Result<(), OutputRefused> {
    let files = LEDGER_FILES.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
    let given = resolved(path);
    let identity = identity_of(path);
    for (n, file) in files.iter().enumerate() {
        let same_name = given.is_some() && given == resolved(file);
        let same_file = identity.is_some() && identity == identity_of(file);
        if same_name || same_file {
            let what = if n == 0 {
                "the ledger in use".to_owned()
            } else {
                format!("{} of the ledger in use", file.display())
            };
            return Err(OutputRefused { path: path.to_path_buf(), reason: format!("it is {what}") });
        }
    }
    Ok(())
}

/// The path with its folder resolved (the file itself may not exist yet).
fn resolved(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?;
    let folder = crate::base::replace::folder_of(path);
    Some(std::fs::canonicalize(folder).ok()?.join(name))
}

/// The device and inode of the file at `path` (symlinks followed), if it exists.
fn identity_of(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// The audio format of the regular file at `path`, told from its first bytes.
fn audio_format(path: &Path, metadata: &std::fs::Metadata) -> Option<crate::container::Format> {
    if !metadata.is_file() {
        return None;
    }
    let mut head = Vec::with_capacity(64);
    let file = crate::base::filekind::open_regular(path).ok()?;
    file.take(64).read_to_end(&mut head).ok()?;
    crate::container::sniff_bytes(&head).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ledger_its_companions_audio_and_folders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = dir.path().join("ledger.sqlite3");
        std::fs::write(&ledger, b"SQLite format 3\0").unwrap();
        let location = crate::ledger::Location::Sqlite(ledger.clone());
        protect_ledger(Some(&ledger), crate::assign::seen_cache(&location));
        let refused = |path: &Path| check(path).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(refused(&ledger).contains("it is the ledger in use"), "{}", refused(&ledger));
        // Not there yet, still the ledger's.
        assert!(refused(&dir.path().join("ledger.sqlite3-wal")).contains("-wal of the ledger in use"));
        assert!(refused(&dir.path().join("ledger.sqlite3-seen.json")).contains("of the ledger in use"));
        // Another way to the same name, and a hard link to it.
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        assert!(refused(&dir.path().join("sub/../ledger.sqlite3")).contains("the ledger in use"));
        std::fs::hard_link(&ledger, dir.path().join("link")).unwrap();
        assert!(refused(&dir.path().join("link")).contains("the ledger in use"));
        let flac = dir.path().join("notes.txt");
        std::fs::write(&flac, b"fLaC\0\0\0\x22").unwrap();
        assert!(refused(&flac).contains("an audio file (flac)"), "{}", refused(&flac));
        assert!(refused(dir.path()).contains("a folder"));
        assert!(check(&dir.path().join("new.cue")).is_ok());
        let text = dir.path().join("old.cue");
        std::fs::write(&text, b"FILE x").unwrap();
        assert!(check(&text).is_ok());
        assert!(check_folder(&dir.path().join("image")).is_ok());
        assert!(check_folder(&flac).is_err() && check_folder(&ledger).is_err());
        *LEDGER_FILES.lock().unwrap() = Vec::new();
    }
}
