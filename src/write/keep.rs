//! Who may replace a master, and what must come back as it was.
//!
//! Tagging replaces a master with a tagged copy, a new file, so everything the file
//! system keeps about the original but does not copy with its bytes is carried over
//! by hand before the rename ([`crate::platform::keep`]: owner, group, mode and
//! extended attributes with ACLs on Linux; also the flags and ACL on macOS, where Finder
//! info, quarantine and resource forks are extended attributes; attributes, security
//! descriptor and alternate data streams on Windows).
//!
//! [`Keeper::check`] decides before anything is written, by the caller's real access
//! ([`crate::platform::access`]: `faccessat` with the effective ids, not the mode bits,
//! which say nothing of owners, groups or ACLs; on Windows an open for writing and
//! deleting): a master the caller may not write is refused, and so is one whose owner
//! or group the caller could not give back (on Unix only root may give a file away; a
//! user may give it a group they belong to; on Windows only an administrator, found
//! when the copy is given the owner, before anything replaces the master). A master
//! with more than one hard link is refused unless asked: the tagged copy would be a new
//! file, and the other names would keep the untagged audio. [`Keeper::restore`]
//! applies everything to the copy and fails if any of it does not hold, so a copy that
//! lost something never replaces the master.

use std::fs::{File, Metadata};
use std::path::Path;

use super::WriteError;
use crate::platform::keep::{Keep, KeepError, Kept};
use crate::platform::{access, identity};

/// What writing may do beyond the defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct WriteOptions {
    /// Replace a master that has other hard links: the other names keep the old file.
    pub break_hard_links: bool,
}

/// What the copy must be given to stand in for the original.
#[derive(Debug)]
pub(super) struct Keeper {
    kept: Kept,
}

impl From<KeepError> for WriteError {
    fn from(error: KeepError) -> WriteError {
        match error {
            KeepError::NotAllowed(why) => WriteError::NotAllowed(why),
            KeepError::Io { action, cause } => WriteError::Io { action, cause },
        }
    }
}

impl Keeper {
    /// Checks that the caller may replace `target` (in `folder`) and can give the copy
    /// everything the original has; reads what must be carried over.
    pub(super) fn check(
        target: &Path,
        folder: &Path,
        metadata: &Metadata,
        options: WriteOptions,
    ) -> Result<Keeper, WriteError> {
        if metadata.permissions().readonly() {
            return Err(WriteError::ReadOnly);
        }
        if let Err(denied) = access::may_write(target) {
            let owner = crate::platform::keep::describe_owner(metadata);
            return Err(WriteError::NotAllowed(format!("you may not write it ({}{owner})", denied.0)));
        }
        if let Err(denied) = access::may_create_in(folder) {
            return Err(WriteError::NotAllowed(format!(
                "you may not create the tagged copy in its folder {} ({})",
                crate::platform::path::without_verbatim(folder).display(),
                denied.0
            )));
        }
        let kept = Kept::read(target, metadata)?;
        let info = identity::of(target)
            .map_err(|cause| WriteError::Io { action: "cannot read the file's metadata", cause })?;
        if info.links > 1 && !options.break_hard_links {
            return Err(WriteError::HardLinked(info.links));
        }
        Ok(Keeper { kept })
    }

    /// Gives `copy` (at `copy_path`) everything the original has, and checks it holds.
    pub(super) fn restore(&self, copy: &File, copy_path: &Path) -> Result<(), WriteError> {
        Ok(self.kept.apply(copy, copy_path)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(path: &Path, options: WriteOptions) -> Result<Keeper, WriteError> {
        let metadata = std::fs::metadata(path).unwrap();
        Keeper::check(path, path.parent().unwrap(), &metadata, options)
    }

    #[test]
    fn a_hard_linked_master_is_refused_unless_asked() {
        let dir = tempfile::tempdir().unwrap();
        let master = dir.path().join("master.wav");
        std::fs::write(&master, b"x").unwrap();
        assert!(check(&master, WriteOptions::default()).is_ok());
        std::fs::hard_link(&master, dir.path().join("backup.wav")).unwrap();
        let refused = check(&master, WriteOptions::default()).unwrap_err();
        assert!(matches!(refused, WriteError::HardLinked(2)), "{refused}");
        assert!(check(&master, WriteOptions { break_hard_links: true }).is_ok());
    }

    #[test]
    fn a_read_only_master_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let master = dir.path().join("master.wav");
        std::fs::write(&master, b"x").unwrap();
        let mut permissions = std::fs::metadata(&master).unwrap().permissions();
        permissions.set_readonly(true);
        std::fs::set_permissions(&master, permissions).unwrap();
        assert!(matches!(check(&master, WriteOptions::default()), Err(WriteError::ReadOnly)));
    }
}
