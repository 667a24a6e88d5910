//! Naming the file system a path lives on, so that a full disk is reported as the
//! disk it is ("the file system mounted at /srv/masters, 12 KiB free") rather than as
//! the I/O error code a library passed up.

use std::path::Path;

use crate::platform::volume;

/// The mount point of the file system holding `path` (or its nearest existing folder)
/// and the bytes free on it for an unprivileged user, as one phrase for an error message.
pub fn describe(path: &Path) -> String {
    let Some(existing) = path.ancestors().find(|p| p.exists()) else {
        return format!("the file system holding {}", path.display());
    };
    let mount = volume::mount_point(existing);
    match free_bytes(existing) {
        Some(free) => format!("the file system mounted at {} ({} free)", mount.display(), human(free)),
        None => format!("the file system mounted at {}", mount.display()),
    }
}

/// Whether an I/O error means the disk is full (or the user's quota is used up).
pub fn is_full(error: &std::io::Error) -> bool {
    matches!(error.kind(), std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded)
}

/// Bytes available to an unprivileged user on the file system holding `path` (or its
/// nearest existing folder).
pub fn free_bytes(path: &Path) -> Option<u64> {
    let existing = path.ancestors().find(|p| p.exists())?;
    volume::free_bytes(existing)
}

/// The kind of network file system holding `path` (or its nearest existing folder),
/// `None` for a local one. A Windows share is one by its name alone (`\\server\share`),
/// reachable or not.
pub fn network_kind(path: &Path) -> Option<String> {
    let existing = path.ancestors().find(|p| p.exists()).unwrap_or(path);
    volume::network_kind(existing)
}

/// `12 KiB`, `3.4 MiB`, `1.2 GiB`.
fn human(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value < 10.0 { format!("{value:.1} {}", UNITS[unit]) } else { format!("{value:.0} {}", UNITS[unit]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_people_say_them() {
        assert_eq!(human(512), "512 bytes");
        assert_eq!(human(12 * 1024), "12 KiB");
        assert_eq!(human(3 * 1024 * 1024 + 400 * 1024), "3.4 MiB");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_path_is_named_by_its_mount_point() {
        let text = describe(Path::new("/proc/self/status"));
        assert!(text.starts_with("the file system mounted at /proc"), "{text}");
        assert!(describe(Path::new("/no/such/folder/file")).starts_with("the file system mounted at /"));
    }
}
