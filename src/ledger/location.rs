//! Where a ledger lives, as the user names it (`--ledger`, `ISRC_STAMP_LEDGER`), and
//! opening it: a path is an SQLite file, a `postgresql://` URL a PostgreSQL server.

use std::path::{Path, PathBuf};

use super::Ledger;
use super::error::{LedgerError, Result};
use super::sqlite::SqliteLedger;

/// Where a ledger lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file: the embedded default, for one machine.
    Sqlite(PathBuf),
    /// A PostgreSQL database, by its `postgresql://` URL: the ledger several rooms share.
    #[cfg(feature = "postgres")]
    Postgres(super::postgres::Url),
}

impl Location {
    /// Reads a location as the user gives it: `postgresql://…` (or `postgres://…`) is a
    /// server, anything else the path of an SQLite file.
    pub fn parse(given: &Path) -> Result<Location> {
        let text = given.to_string_lossy();
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("postgresql://") || lower.starts_with("postgres://") {
            return server(&text);
        }
        Ok(Location::Sqlite(given.to_path_buf()))
    }

    /// The file of a file-based ledger.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Location::Sqlite(path) => Some(path),
            #[cfg(feature = "postgres")]
            Location::Postgres(_) => None,
        }
    }
}

/// A server location, in a build that has the PostgreSQL backend.
#[cfg(feature = "postgres")]
fn server(text: &str) -> Result<Location> {
    Ok(Location::Postgres(super::postgres::Url::parse(text)?))
}

/// A server location, in a build without the PostgreSQL backend.
#[cfg(not(feature = "postgres"))]
fn server(text: &str) -> Result<Location> {
    Err(LedgerError::UnsupportedLocation(format!(
        "{text}: this isrc-stamp was built without the PostgreSQL backend (cargo feature `postgres`); \
         pass the path of an SQLite ledger, or use a build with the feature"
    )))
}

impl std::fmt::Display for Location {
    /// The path, or the URL without its password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{}", path.display()),
            #[cfg(feature = "postgres")]
            Location::Postgres(url) => write!(f, "{url}"),
        }
    }
}

/// Opens the ledger at `location`, creating it (and migrating its schema forward) if
/// needed: for `init`, `ledger import` and the target of `ledger copy`. Every other
/// command uses [`open_existing`].
pub fn open(location: &Location) -> Result<Box<dyn Ledger>> {
    match location {
        Location::Sqlite(path) => {
            refuse_folder(path)?;
            Ok(Box::new(SqliteLedger::open(path)?))
        }
        #[cfg(feature = "postgres")]
        Location::Postgres(url) => Ok(Box::new(super::postgres::PgLedger::open(url, true)?)),
    }
}

/// Opens the ledger at `location` if there is one; creates nothing. Fails with
/// [`LedgerError::NoLedger`] when there is none.
pub fn open_existing(location: &Location) -> Result<Box<dyn Ledger>> {
    open_there(location, |path| Ok(Box::new(SqliteLedger::open(path)?)))
}

/// Opens the existing ledger at `location` for reading only: what the commands that
/// only read use, so that they work for a user (or a role) who may only read the ledger,
/// and on a read-only file system. Fails with [`LedgerError::NoLedger`] when there is
/// none. Writes through it fail with [`LedgerError::ReadOnly`] (SQLite) or the server's
/// refusal; a dry run reads a [`super::Snapshot`] and writes nothing.
pub fn open_read_only(location: &Location) -> Result<Box<dyn Ledger>> {
    open_there(location, |path| Ok(Box::new(SqliteLedger::open_read_only(path)?)))
}

/// Opens a ledger that must be there already: an SQLite file with `sqlite`, a server's
/// database without creating its schema.
fn open_there(location: &Location, sqlite: impl FnOnce(&Path) -> Result<Box<dyn Ledger>>) -> Result<Box<dyn Ledger>> {
    match location {
        Location::Sqlite(path) => {
            refuse_folder(path)?;
            if !path.is_file() {
                return Err(LedgerError::NoLedger { location: location.to_string() });
            }
            sqlite(path)
        }
        #[cfg(feature = "postgres")]
        Location::Postgres(url) => Ok(Box::new(super::postgres::PgLedger::open(url, false)?)),
    }
}

/// A folder given where the ledger's file belongs is named as such.
fn refuse_folder(path: &Path) -> Result<()> {
    if path.is_dir() {
        return Err(LedgerError::IsAFolder(path.to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_sqlite_and_a_folder_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let location = Location::parse(dir.path()).unwrap();
        assert_eq!(location, Location::Sqlite(dir.path().to_owned()));
        let error = open(&location).err().unwrap();
        assert!(error.to_string().starts_with(&format!("{} is a folder", dir.path().display())), "{error}");
        let missing = Location::parse(&dir.path().join("none.sqlite3")).unwrap();
        assert!(matches!(open_existing(&missing), Err(LedgerError::NoLedger { .. })));
        assert!(!dir.path().join("none.sqlite3").exists(), "open_existing creates nothing");
    }

    #[cfg(feature = "postgres")]
    #[test]
    fn a_url_is_postgres_and_shown_without_its_password() {
        let location = Location::parse(Path::new("postgresql://room:s3cret@db.example:5433/ledger")).unwrap();
        assert!(matches!(location, Location::Postgres(_)));
        assert_eq!(location.to_string(), "postgresql://room@db.example:5433/ledger");
        assert!(matches!(Location::parse(Path::new("POSTGRES://x@h/db")).unwrap(), Location::Postgres(_)));
    }
}
