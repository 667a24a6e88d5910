//! Where libpq, PostgreSQL's client library, keeps a user's files, which the PostgreSQL
//! ledger reads as libpq would: `~/.pgpass` and `~/.postgresql/root.crt` on Unix,
//! `%APPDATA%\postgresql\pgpass.conf` and `%APPDATA%\postgresql\root.crt` on Windows.

use std::path::{Path, PathBuf};

/// The password file (`PGPASSFILE` overrides it).
#[cfg(unix)]
pub(crate) fn pgpass() -> Option<PathBuf> {
    Some(directories::BaseDirs::new()?.home_dir().join(".pgpass"))
}

/// The root certificates trusted (`sslrootcert` overrides it).
#[cfg(unix)]
pub(crate) fn root_certificates() -> Option<PathBuf> {
    Some(directories::BaseDirs::new()?.home_dir().join(".postgresql/root.crt"))
}

/// Whether others than the owner may read the file at `path`: libpq then ignores a
/// password file (its mode must be 0600 or less).
#[cfg(unix)]
pub(crate) fn others_may_read(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
}

/// The password file (`PGPASSFILE` overrides it).
#[cfg(windows)]
pub(crate) fn pgpass() -> Option<PathBuf> {
    Some(directories::BaseDirs::new()?.config_dir().join("postgresql").join("pgpass.conf"))
}

/// The root certificates trusted (`sslrootcert` overrides it).
#[cfg(windows)]
pub(crate) fn root_certificates() -> Option<PathBuf> {
    Some(directories::BaseDirs::new()?.config_dir().join("postgresql").join("root.crt"))
}

/// libpq does not check a password file's access on Windows (`%APPDATA%` is the user's
/// own), and neither does this.
#[cfg(windows)]
pub(crate) fn others_may_read(_path: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_are_where_libpq_looks() {
        let pgpass = pgpass().unwrap();
        let roots = root_certificates().unwrap();
        if cfg!(windows) {
            assert!(pgpass.ends_with(r"postgresql\pgpass.conf"), "{pgpass:?}");
            assert!(roots.ends_with(r"postgresql\root.crt"), "{roots:?}");
        } else {
            assert!(pgpass.ends_with(".pgpass"), "{pgpass:?}");
            assert!(roots.ends_with(".postgresql/root.crt"), "{roots:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_may_read_is_told() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(&file, b"*:*:*:*:x").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(!others_may_read(&file));
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(others_may_read(&file));
    }
}
