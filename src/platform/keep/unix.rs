//! Linux and macOS: owner, group, mode and every extended attribute; on macOS also the
//! ACL and the file flags.

use std::ffi::OsString;
use std::fs::{File, Metadata};
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::{Keep, KeepError, io_error};

/// What the copy must be given to stand in for the original.
#[derive(Debug)]
pub(crate) struct Kept {
    uid: u32,
    gid: u32,
    /// Mode bits, with setuid, setgid and sticky.
    mode: u32,
    /// Every extended attribute of the original, name and value.
    xattrs: Vec<(OsString, Vec<u8>)>,
    /// The original, for what is copied from it rather than read ahead (macOS's ACL).
    #[cfg_attr(not(target_os = "macos"), allow(dead_code))]
    original: PathBuf,
    /// The file flags kept (macOS's `st_flags`, [`KEPT_FLAGS`]).
    #[cfg(target_os = "macos")]
    flags: u32,
}

impl Keep for Kept {
    /// Refuses, for a caller that is not root, a file owned by someone else (only root
    /// may give a file away) or in a group the caller is not in; on macOS, a file locked
    /// in the Finder (immutable) is read-only. Reads every extended attribute.
    fn read(target: &Path, metadata: &Metadata) -> Result<Kept, KeepError> {
        let refuse = |why: String| Err(KeepError::NotAllowed(why));
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
        #[cfg(target_os = "macos")]
        let flags = {
            use std::os::macos::fs::MetadataExt as _;
            let flags = metadata.st_flags();
            if flags & (libc::UF_IMMUTABLE | libc::SF_IMMUTABLE | libc::UF_APPEND | libc::SF_APPEND) != 0 {
                return refuse(
                    "it is locked (the Finder's Locked, or chflags uchg or uappnd); unlock it to tag it".to_owned(),
                );
            }
            flags & KEPT_FLAGS
        };
        let xattrs = read_xattrs(target).map_err(io_error("cannot read the file's extended attributes"))?;
        Ok(Kept {
            uid: metadata.uid(),
            gid: metadata.gid(),
            mode: metadata.mode() & 0o7777,
            xattrs,
            original: target.to_path_buf(),
            #[cfg(target_os = "macos")]
            flags,
        })
    }

    /// Gives `copy` the original's owner, group, extended attributes (ACLs included;
    /// on macOS the ACL, then the flags) and mode, then checks they hold: changing the
    /// owner clears setuid and setgid, so the mode comes last.
    fn apply(&self, copy: &File, _copy_path: &Path) -> Result<(), KeepError> {
        std::os::unix::fs::fchown(copy, Some(self.uid), Some(self.gid))
            .map_err(io_error("cannot give the tagged copy the original's owner and group"))?;
        for (name, value) in &self.xattrs {
            if let Err(cause) = xattr::FileExt::set_xattr(copy, name, value) {
                if kept_by_the_system(name, &cause) {
                    continue;
                }
                return Err(KeepError::Io {
                    action: "cannot copy an extended attribute (or ACL) to the tagged copy",
                    cause: io::Error::new(cause.kind(), format!("{}: {cause}", name.to_string_lossy())),
                });
            }
        }
        #[cfg(target_os = "macos")]
        copy_acl(&self.original, copy).map_err(io_error("cannot copy the file's ACL to the tagged copy"))?;
        copy.set_permissions(std::fs::Permissions::from_mode(self.mode))
            .map_err(io_error("cannot give the tagged copy the original's mode"))?;
        #[cfg(target_os = "macos")]
        set_flags(copy, self.flags).map_err(io_error("cannot give the tagged copy the original's file flags"))?;
        let now = copy.metadata().map_err(io_error("cannot read the tagged copy's metadata"))?;
        if (now.uid(), now.gid(), now.mode() & 0o7777) != (self.uid, self.gid, self.mode) {
            return Err(KeepError::NotAllowed(format!(
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
        #[cfg(target_os = "macos")]
        {
            use std::os::macos::fs::MetadataExt as _;
            if now.st_flags() & KEPT_FLAGS != self.flags {
                return Err(KeepError::NotAllowed(format!(
                    "the tagged copy could not be given the original's file flags ({:#x}, it has {:#x})",
                    self.flags,
                    now.st_flags()
                )));
            }
        }
        Ok(())
    }
}

/// The file flags a copy is given (macOS): hidden in the Finder, not dumped, opaque.
/// Those the system manages (compressed, tracked, ...) are its own; locked and
/// append-only files are refused.
#[cfg(target_os = "macos")]
const KEPT_FLAGS: u32 = libc::UF_HIDDEN | libc::UF_NODUMP | libc::UF_OPAQUE;

/// Gives `file`, about to replace the file at `target`, that file's mode, or 0644 where
/// there is none (a new file, as a program usually makes it).
pub(crate) fn like_target(file: &File, target: &Path) -> io::Result<()> {
    let mode = std::fs::metadata(target).map_or(0o644, |m| m.permissions().mode() & 0o7777);
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

/// Gives a file made whole by isrc-stamp (a ledger, a backup) mode 0644: read by
/// everyone who assigns and verifies (a temporary file is made 0600).
pub(crate) fn as_new_file(file: &File) -> io::Result<()> {
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

/// `; owner uid 1000, group gid 1000, mode 0644`: what a refusal to write the file says
/// of it.
pub(crate) fn describe_owner(metadata: &Metadata) -> String {
    format!("; owner uid {}, group gid {}, mode {:04o}", metadata.uid(), metadata.gid(), metadata.mode() & 0o7777)
}

/// Whether the caller is in group `gid` (its effective group or a supplementary one).
fn in_group(gid: u32) -> bool {
    rustix::process::getegid().as_raw() == gid
        || rustix::process::getgroups().is_ok_and(|groups| groups.iter().any(|g| g.as_raw() == gid))
}

/// Every extended attribute of the file at `path` the caller can read. A file system
/// without extended attributes has none.
fn read_xattrs(path: &Path) -> io::Result<Vec<(OsString, Vec<u8>)>> {
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

/// Whether an attribute that could not be set is one the system keeps itself and no
/// process may set: on macOS, the provenance and privacy records the system attaches to
/// every file a process writes (`com.apple.provenance`, `com.apple.macl`) and System
/// Integrity Protection's `com.apple.rootless`. The copy has the system's own.
fn kept_by_the_system(name: &std::ffi::OsStr, error: &io::Error) -> bool {
    const SYSTEM_KEPT: [&str; 3] = ["com.apple.provenance", "com.apple.macl", "com.apple.rootless"];
    cfg!(target_os = "macos")
        && error.raw_os_error() == Some(libc::EPERM)
        && SYSTEM_KEPT.iter().any(|kept| name == std::ffi::OsStr::new(kept))
}

/// Copies the ACL of the file at `original` to `copy` (`fcopyfile` with
/// `COPYFILE_ACL`: macOS's ACLs are not extended attributes).
#[cfg(target_os = "macos")]
fn copy_acl(original: &Path, copy: &File) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let from = File::open(original)?;
    // SAFETY: both descriptors are open for the duration of the call; a null state asks
    // for none.
    let status =
        unsafe { libc::fcopyfile(from.as_raw_fd(), copy.as_raw_fd(), std::ptr::null_mut(), libc::COPYFILE_ACL) };
    if status == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

/// Sets the [`KEPT_FLAGS`] of `file` to `flags` (`fchflags`), leaving the others as
/// the system set them.
#[cfg(target_os = "macos")]
fn set_flags(file: &File, flags: u32) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    use std::os::macos::fs::MetadataExt as _;
    let current = file.metadata()?.st_flags();
    let wanted = (current & !KEPT_FLAGS) | flags;
    if wanted == current {
        return Ok(());
    }
    // SAFETY: the descriptor is open for the duration of the call.
    let status = unsafe { libc::fchflags(file.as_raw_fd(), wanted) };
    if status == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}
