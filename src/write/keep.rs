//! Who may replace a master, and what must come back as it was.
//!
//! Tagging replaces a master with a tagged copy, a new file, so everything the file
//! system keeps about the original but does not copy with its bytes is carried over
//! by hand before the rename: owner and group, the mode (setuid, setgid and sticky bits
//! included), and every extended attribute (`user.*`, `security.*`, `trusted.*` as
//! root; POSIX ACLs are the `system.posix_acl_*` attributes, so they come with them).
//!
//! [`Keeper::check`] decides before anything is written, by the caller's real access
//! (`faccessat` with the effective ids, not the mode bits, which say nothing of owners,
//! groups or ACLs): a master the caller may not write is refused, and so is one whose
//! owner or group the caller could not give back (only root may give a file away; a
//! user may give it a group they belong to). A master with more than one hard link is
//! refused unless asked: the tagged copy would be a new file, and the other names would
//! keep the untagged audio. [`Keeper::restore`] applies everything to the copy and
//! fails if any of it does not hold, so a copy that lost something never replaces the
//! master.

use std::ffi::OsString;
use std::fs::{File, Metadata};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use rustix::fs::{Access, AtFlags, CWD};

use super::WriteError;

/// What writing may do beyond the defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct WriteOptions {
    /// Replace a master that has other hard links: the other names keep the old file.
    pub break_hard_links: bool,
}

/// What the copy must be given to stand in for the original.
#[derive(Debug)]
pub(super) struct Keeper {
    uid: u32,
    gid: u32,
    /// Mode bits, with setuid, setgid and sticky.
    mode: u32,
    /// Every extended attribute of the original, name and value.
    xattrs: Vec<(OsString, Vec<u8>)>,
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
        let refuse = |why: String| Err(WriteError::NotAllowed(why));
        if let Err(error) = rustix::fs::accessat(CWD, target, Access::WRITE_OK, AtFlags::EACCESS) {
            return refuse(format!(
                "you may not write it ({}; owner uid {}, group gid {}, mode {:04o})",
                describe_errno(error),
                metadata.uid(),
                metadata.gid(),
                metadata.mode() & 0o7777
            ));
        }
        if let Err(error) = rustix::fs::accessat(CWD, folder, Access::WRITE_OK | Access::EXEC_OK, AtFlags::EACCESS) {
            return refuse(format!(
                "you may not create the tagged copy in its folder {} ({})",
                folder.display(),
                describe_errno(error)
            ));
        }
        let euid = rustix::process::geteuid();
        if !euid.is_root() {
            if metadata.uid() != euid.as_raw() {
                return refuse(format!(
                    "it is owned by uid {}, and only root can give the tagged copy that owner; \
                     run isrc-stamp as its owner or as root",
                    metadata.uid()
                ));
            }
            if !in_group(metadata.gid()) {
                return refuse(format!(
                    "its group is gid {}, which you are not in, so the tagged copy could not get it back; \
                     run isrc-stamp as a member of that group or as root",
                    metadata.gid()
                ));
            }
        }
        if metadata.nlink() > 1 && !options.break_hard_links {
            return Err(WriteError::HardLinked(metadata.nlink()));
        }
        let xattrs = read_xattrs(target)
            .map_err(|cause| WriteError::Io { action: "cannot read the file's extended attributes", cause })?;
        Ok(Keeper { uid: metadata.uid(), gid: metadata.gid(), mode: metadata.mode() & 0o7777, xattrs })
    }

    /// Gives `copy` the original's owner, group, extended attributes (ACLs included) and
    /// mode, then checks they hold: changing the owner clears setuid and setgid, so the
    /// mode comes last.
    pub(super) fn restore(&self, copy: &File) -> Result<(), WriteError> {
        let io = |action: &'static str| move |cause| WriteError::Io { action, cause };
        std::os::unix::fs::fchown(copy, Some(self.uid), Some(self.gid))
            .map_err(io("cannot give the tagged copy the original's owner and group"))?;
        for (name, value) in &self.xattrs {
            xattr::FileExt::set_xattr(copy, name, value).map_err(|cause| WriteError::Io {
                action: "cannot copy an extended attribute (or ACL) to the tagged copy",
                cause: std::io::Error::new(cause.kind(), format!("{}: {cause}", name.to_string_lossy())),
            })?;
        }
        copy.set_permissions(std::fs::Permissions::from_mode(self.mode))
            .map_err(io("cannot give the tagged copy the original's mode"))?;
        let now = copy.metadata().map_err(io("cannot read the tagged copy's metadata"))?;
        if (now.uid(), now.gid(), now.mode() & 0o7777) != (self.uid, self.gid, self.mode) {
            return Err(WriteError::NotAllowed(format!(
                "the tagged copy could not be given the original's owner, group and mode \
                 ({}:{} {:04o}, it has {}:{} {:04o})",
                self.uid,
                self.gid,
                self.mode,
                now.uid(),
                now.gid(),
                now.mode() & 0o7777
            )));
        }
        Ok(())
    }
}

/// Whether the caller is in group `gid` (its effective group or a supplementary one).
fn in_group(gid: u32) -> bool {
    rustix::process::getegid().as_raw() == gid
        || rustix::process::getgroups().is_ok_and(|groups| groups.iter().any(|g| g.as_raw() == gid))
}

/// Every extended attribute of the file at `path` the caller can read. A file system
/// without extended attributes has none.
fn read_xattrs(path: &Path) -> std::io::Result<Vec<(OsString, Vec<u8>)>> {
    let names = match xattr::list(path) {
        Ok(names) => names,
        Err(error) if error.raw_os_error() == Some(libc::ENOTSUP) => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let mut all = Vec::new();
    for name in names {
        if let Some(value) = xattr::get(path, &name)? {
            all.push((name, value));
        }
    }
    Ok(all)
}

/// An errno as a short phrase.
fn describe_errno(error: rustix::io::Errno) -> String {
    match error {
        rustix::io::Errno::ACCESS | rustix::io::Errno::PERM => "permission denied".to_owned(),
        rustix::io::Errno::ROFS => "the file system is read-only".to_owned(),
        other => std::io::Error::from(other).to_string(),
    }
}
