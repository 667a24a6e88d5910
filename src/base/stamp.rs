//! What tells a file apart on disk: its identity (device, inode, size, times) and its
//! stamp (size and modification time), to notice a file changed since it was read.

use std::path::Path;

/// A file's identity on disk: device, inode, size, and modification and change times in
/// nanoseconds (on Windows: the volume's serial number and the file index for device and
/// inode, [`crate::platform::identity`]). Writing a file in any way (touching it,
/// rewriting one sample in place) changes its change time, which no user can set back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Identity {
    /// The device.
    pub device: u64,
    /// The inode.
    pub inode: u64,
    /// Length in bytes.
    pub len: u64,
    /// Last modification, nanoseconds since 1970.
    pub modified_ns: i128,
    /// Last change of the inode, nanoseconds since 1970.
    pub changed_ns: i128,
}

impl Identity {
    /// The identity of the file at `path` now (following symlinks); `None` where the
    /// OS does not tell it.
    pub fn of(path: &Path) -> Option<Identity> {
        let info = crate::platform::identity::of(path).ok()?;
        Some(Identity {
            device: info.device,
            inode: info.index,
            len: info.len,
            modified_ns: info.modified_ns,
            changed_ns: info.changed_ns,
        })
    }
}

/// A file's size and modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    /// Length in bytes.
    pub len: u64,
    /// Last modification.
    pub modified: Option<std::time::SystemTime>,
}

impl FileStamp {
    /// The stamp of the file at `path` now (following symlinks).
    pub fn of(path: &Path) -> std::io::Result<FileStamp> {
        let metadata = std::fs::metadata(path)?;
        Ok(FileStamp { len: metadata.len(), modified: metadata.modified().ok() })
    }
}
