//! A new SQLite ledger made whole before it is put in its place: filled in a scratch
//! folder beside it (with its `-wal` and `-shm` files), then linked into place, so a
//! killed process leaves no half-made ledger where one is looked for.

use std::path::{Path, PathBuf};

use crate::ledger::error::LedgerError;
use crate::ledger::exchange::{SCRATCH_LOCK, SCRATCH_PREFIX};
use crate::ledger::{Ledger, Location};

/// Why a new ledger could not be made or put in its place.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// The scratch folder beside the ledger's place could not be created.
    #[error("cannot create a ledger in {}", .folder.display())]
    Folder {
        /// The folder the ledger goes in.
        folder: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The finished ledger could not be linked into its place.
    #[error("cannot put the new ledger at {} (did another process make one meanwhile?)", .path.display())]
    Place {
        /// The ledger's place.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The scratch folder's lock could not be made or taken.
    #[error(transparent)]
    Lock(#[from] std::io::Error),
    /// The new ledger could not be opened.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// A path's folder, `.` for a bare name.
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Makes a new SQLite ledger for `path` in a scratch folder beside it (locked while in
/// use, so a later import removes it only once this one is gone), lets `fill` write it,
/// and, when `fill` succeeds, links it into place, which fails rather than replace a
/// ledger another process made meanwhile. The scratch folder (the `-wal` and `-shm`
/// files with it) is removed either way, so on any failure `path` never existed. `fill`'s
/// own result is the inner one.
pub fn create_whole<T, E>(
    path: &Path,
    fill: impl FnOnce(&mut dyn Ledger) -> Result<T, E>,
) -> Result<Result<T, E>, CreateError> {
    let folder = folder_of(path);
    let scratch = tempfile::Builder::new()
        .prefix(SCRATCH_PREFIX)
        .tempdir_in(folder)
        .map_err(|source| CreateError::Folder { folder: folder.to_path_buf(), source })?;
    let lock = std::fs::File::create(scratch.path().join(SCRATCH_LOCK))?;
    lock.try_lock().map_err(std::io::Error::other)?;
    let made = scratch.path().join("ledger.sqlite3");
    let result = {
        let mut ledger = crate::ledger::open(&Location::Sqlite(made.clone()))?;
        fill(ledger.as_mut())
    };
    if result.is_ok() {
        std::fs::hard_link(&made, path).map_err(|source| CreateError::Place { path: path.to_path_buf(), source })?;
        crate::base::replace::sync_folder(folder).ok();
    }
    drop(lock);
    drop(scratch);
    Ok(result)
}
