//! A `postgresql://` URL as the user gives it, read the way libpq reads it where it
//! matters here: `USER@HOST[:PORT]/DB`, a socket folder as the host
//! (`postgresql://room@%2Frun%2Fpostgresql/ledger` or `?host=/run/postgresql`), the
//! password from the URL, else `PGPASSWORD`, else `~/.pgpass` (`PGPASSFILE`), and
//! `sslmode` `disable`, `prefer` (the default), `require`, `verify-ca` or
//! `verify-full` (with `sslrootcert=FILE`).

use std::path::{Path, PathBuf};

use crate::ledger::error::{LedgerError, Result};

/// How the connection is protected (`sslmode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SslMode {
    /// Plain text.
    Disable,
    /// TLS when the server offers it, its certificate not checked (libpq's default).
    Prefer,
    /// TLS always, the certificate not checked.
    Require,
    /// TLS, the certificate chain checked against the trusted roots.
    VerifyCa,
    /// TLS, the chain and the host name checked.
    VerifyFull,
}

/// A PostgreSQL ledger's URL.
#[derive(Clone, PartialEq, Eq)]
pub struct Url {
    /// The URL handed to the client: the one given, less the options only this module reads.
    client: String,
    /// The URL without its password, as shown to people.
    shown: String,
    /// `sslmode`.
    pub(super) ssl_mode: SslMode,
    /// `sslrootcert`: the roots trusted for `verify-ca` and `verify-full`.
    pub(super) root_cert: Option<PathBuf>,
}

impl Url {
    /// Reads a URL; fails with a message naming what is wrong in it.
    pub fn parse(text: &str) -> Result<Url> {
        let bad = |why: String| {
            LedgerError::UnsupportedLocation(format!(
                "{}: {why}; the form is postgresql://USER@HOST[:PORT]/DB[?sslmode=require]",
                redact(text)
            ))
        };
        let (scheme, rest) = text.split_once("://").unwrap_or(("", text));
        let lowered = format!("{}://{rest}", scheme.to_ascii_lowercase());
        let (base, query) = lowered.split_once('?').unwrap_or((&lowered, ""));
        let mut ssl_mode = SslMode::Prefer;
        let mut root_cert = None;
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "sslmode" => {
                    ssl_mode = match value {
                        "disable" => SslMode::Disable,
                        "prefer" | "allow" => SslMode::Prefer,
                        "require" => SslMode::Require,
                        "verify-ca" => SslMode::VerifyCa,
                        "verify-full" => SslMode::VerifyFull,
                        other => {
                            return Err(bad(format!(
                                "sslmode={other} is not one of disable, prefer, require, verify-ca, verify-full"
                            )));
                        }
                    }
                }
                "sslrootcert" => root_cert = Some(PathBuf::from(percent_decode(value))),
                _ => kept.push(pair),
            }
        }
        let client = if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) };
        let config: postgres::Config = client.parse().map_err(|error| bad(format!("{error}")))?;
        if config.get_dbname().is_none() {
            return Err(bad("it names no database".into()));
        }
        Ok(Url { shown: redact(text), client, ssl_mode, root_cert })
    }

    /// The client's configuration, with the user and the password filled in as libpq would.
    pub(super) fn config(&self) -> postgres::Config {
        let mut config: postgres::Config = self.client.parse().expect("parsed when the URL was read");
        if config.get_user().is_none() {
            config.user(&default_user());
        }
        if config.get_password().is_none()
            && let Some(password) = std::env::var_os("PGPASSWORD")
        {
            config.password(password.to_string_lossy().as_bytes());
        }
        if config.get_password().is_none()
            && let Some(password) = pgpass_password(&config)
        {
            config.password(password);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(10));
        }
        config.application_name("isrc-stamp");
        config
    }

    /// The database named in the URL.
    pub(super) fn database(&self) -> String {
        self.config().get_dbname().unwrap_or_default().to_owned()
    }
}

impl std::fmt::Display for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

impl std::fmt::Debug for Url {
    /// Never shows the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Url").field(&self.shown).finish()
    }
}

/// The URL without a password, in the user part or as a `password=` option.
fn redact(text: &str) -> String {
    let (scheme, rest) = text.split_once("://").unwrap_or(("", text));
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => format!("{}@{host}", user.split(':').next().unwrap_or_default()),
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let kept: Vec<&str> = query.split('&').filter(|pair| !pair.starts_with("password=")).collect();
            if kept.is_empty() { path.to_owned() } else { format!("{path}?{}", kept.join("&")) }
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// `%XX` escapes decoded (a path given in the URL's options).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// libpq's default user: `PGUSER`, else the OS user.
fn default_user() -> String {
    ["PGUSER", "USER", "USERNAME"].iter().find_map(|name| std::env::var(name).ok()).unwrap_or_else(|| "postgres".into())
}

/// The password `~/.pgpass` (`%APPDATA%\postgresql\pgpass.conf` on Windows; or
/// `PGPASSFILE`) holds for this host, port, database and user.
fn pgpass_password(config: &postgres::Config) -> Option<String> {
    let file = match std::env::var_os("PGPASSFILE") {
        Some(file) => PathBuf::from(file),
        None => crate::platform::libpq::pgpass()?,
    };
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(host)) => host.clone(),
        _ => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432).to_string();
    let text = readable_pgpass(&file)?;
    lookup_pgpass(&text, [&host, &port, config.get_dbname()?, config.get_user()?])
}

/// The file's text, unless others may read it: libpq ignores such a file, and so does this.
fn readable_pgpass(file: &Path) -> Option<String> {
    if crate::platform::libpq::others_may_read(file) {
        eprintln!("warning: {} is ignored: others may read it (chmod 0600 {0})", file.display());
        return None;
    }
    std::fs::read_to_string(file).ok()
}

/// The first line of a pgpass file matching `wanted` (host, port, database, user), where
/// `*` matches anything and `\` escapes `:` and `\`.
fn lookup_pgpass(text: &str, wanted: [&str; 4]) -> Option<String> {
    text.lines().filter(|line| !line.starts_with('#') && !line.trim().is_empty()).find_map(|line| {
        let fields = split_pgpass_line(line);
        let [host, port, db, user, password] = fields.as_slice() else {
            return None;
        };
        let matches = [host, port, db, user].iter().zip(wanted).all(|(field, want)| *field == "*" || *field == want);
        matches.then(|| password.clone())
    })
}

/// The five fields of a pgpass line.
fn split_pgpass_line(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => fields.last_mut().expect("one field").extend(chars.next()),
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut().expect("one field").push(c),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_never_shown() {
        assert_eq!(
            redact("postgresql://room:pw@db:5433/ledger?sslmode=require"),
            "postgresql://room@db:5433/ledger?sslmode=require"
        );
        assert_eq!(redact("postgresql://db/ledger?user=a&password=pw"), "postgresql://db/ledger?user=a");
        let url = Url::parse("postgresql://room:pw@db/ledger").unwrap();
        assert!(!format!("{url} {url:?}").contains("pw"));
    }

    #[test]
    fn ssl_modes_and_root_certificates_are_read() {
        let url = Url::parse("postgresql://room@db/ledger?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem").unwrap();
        assert_eq!((url.ssl_mode, url.root_cert.as_deref()), (SslMode::VerifyFull, Some(Path::new("/etc/ca.pem"))));
        assert_eq!(Url::parse("postgresql://room@db/ledger").unwrap().ssl_mode, SslMode::Prefer);
        let error = Url::parse("postgresql://room:pw@db/ledger?sslmode=always").unwrap_err().to_string();
        assert!(error.contains("sslmode=always is not one of") && !error.contains("pw"), "{error}");
    }

    #[test]
    fn a_url_without_a_database_is_refused() {
        let error = Url::parse("postgresql://room@db").unwrap_err().to_string();
        assert!(error.contains("names no database"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn a_socket_folder_can_be_the_host() {
        let url = Url::parse("postgresql://room@%2Ftmp%2Fpg/ledger").unwrap();
        let config = url.config();
        assert!(matches!(config.get_hosts(), [postgres::config::Host::Unix(path)] if path == Path::new("/tmp/pg")));
        assert_eq!(url.database(), "ledger");
    }

    #[test]
    fn pgpass_lines_match_with_wildcards_and_escapes() {
        let text = "# comment\nother:5432:*:room:no\ndb:5432:led\\:ger:room:a\\:b\n*:*:*:*:fallback\n";
        assert_eq!(lookup_pgpass(text, ["db", "5432", "led:ger", "room"]).as_deref(), Some("a:b"));
        assert_eq!(lookup_pgpass(text, ["x", "1", "y", "z"]).as_deref(), Some("fallback"));
        assert_eq!(lookup_pgpass("db:5432:x:room:pw\n", ["db", "5432", "y", "room"]), None);
    }
}
