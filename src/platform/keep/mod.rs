//! What a file has besides its bytes, and must still have once a tagged copy (a new
//! file) has replaced it: read from the original with [`Kept::read`], which refuses a
//! file whose metadata the caller could not give back, and given to the copy with
//! [`Kept::apply`], which fails unless it all holds, so that a copy that lost something
//! never replaces the original.
//!
//! - Linux: owner, group, mode (setuid, setgid, sticky) and every extended attribute
//!   (`user.*`, `security.*`, `trusted.*` as root; POSIX ACLs are the
//!   `system.posix_acl_*` attributes, so they come with them).
//! - macOS: the same, where the extended attributes include Finder info
//!   (`com.apple.FinderInfo`), the quarantine (`com.apple.quarantine`) and the resource
//!   fork (`com.apple.ResourceFork`); also the ACL and the file flags (`UF_HIDDEN`,
//!   ...). A file locked in the Finder (`uchg`) is read-only.
//! - Windows: the attributes (hidden, system, archive, not indexed, read-only), the
//!   creation time, the security descriptor (owner, group, DACL and whether it is
//!   protected from inheritance) where the volume keeps one, and every alternate data
//!   stream (`Zone.Identifier`, a Mac's `AFP_AfpInfo` and `AFP_Resource`, ...).
//!
//! [`like_target`] and [`as_new_file`] are the same for files isrc-stamp makes whole
//! (CUE sheets, exports, ledgers): the mode or attributes of the file replaced, or a
//! new file's.

use std::fs::{File, Metadata};
use std::io;
use std::path::Path;

#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

#[cfg(unix)]
pub(crate) use unix::{Kept, as_new_file, describe_owner, like_target};
#[cfg(windows)]
pub(crate) use windows::{Kept, as_new_file, describe_owner, like_target};

/// Why what a file has could not be read or given to its copy.
#[derive(Debug)]
pub(crate) enum KeepError {
    /// The caller could not give the copy what the original has: the reason, as a
    /// phrase.
    NotAllowed(String),
    /// Reading or writing failed.
    Io {
        /// What was being done.
        action: &'static str,
        /// The I/O error.
        cause: io::Error,
    },
}

/// `KeepError::Io` for `action`.
pub(crate) fn io_error(action: &'static str) -> impl FnOnce(io::Error) -> KeepError {
    move |cause| KeepError::Io { action, cause }
}

/// What every system's [`Kept`] offers.
pub(crate) trait Keep: Sized {
    /// Reads what the original at `target` has beyond its bytes (`metadata` is its
    /// metadata, links followed); refuses one whose metadata the caller could not give
    /// a copy.
    fn read(target: &Path, metadata: &Metadata) -> Result<Self, KeepError>;

    /// Gives `copy` (open for writing, at `copy_path`) everything read, and checks that
    /// it holds.
    fn apply(&self, copy: &File, copy_path: &Path) -> Result<(), KeepError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a tagged copy must have before it replaces the original, on every system.
    #[test]
    fn a_copy_is_given_what_the_original_has() {
        let dir = tempfile::tempdir().unwrap();
        let original = dir.path().join("master.wav");
        std::fs::write(&original, b"original").unwrap();
        let metadata = std::fs::metadata(&original).unwrap();
        let kept = Kept::read(&original, &metadata).unwrap();
        let copy = tempfile::NamedTempFile::new_in(dir.path()).unwrap();
        kept.apply(copy.as_file(), copy.path()).unwrap();
        let copied = std::fs::metadata(copy.path()).unwrap();
        assert_eq!(copied.permissions().readonly(), metadata.permissions().readonly());
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            assert_eq!((copied.uid(), copied.gid(), copied.mode()), (metadata.uid(), metadata.gid(), metadata.mode()));
        }
    }
}
