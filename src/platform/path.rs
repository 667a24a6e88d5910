//! Paths as text: for reports (any name the system allows, two names never alike), and
//! as the path of a `file:` URI.

use std::io;
use std::path::{Path, PathBuf};

/// The absolute path of the file at `path` with every symlink resolved: one name per
/// file, whichever way it was reached (`std::fs::canonicalize`).
#[cfg(unix)]
pub(crate) fn resolve(path: &Path) -> io::Result<PathBuf> {
    std::fs::canonicalize(path)
}

/// The absolute, verbatim path of the file at `path` with every link resolved
/// (`std::fs::canonicalize`, from `GetFinalPathNameByHandleW`). Where Windows cannot
/// name the file so (a RAM disk or other volume without a name; Wine, past 260
/// characters), the path made absolute with the file's own symlinks followed: one name
/// per file still, through the same folders.
#[cfg(windows)]
pub(crate) fn resolve(path: &Path) -> io::Result<PathBuf> {
    match std::fs::canonicalize(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => resolve_by_name(path),
        other => other,
    }
}

/// `path` made absolute and verbatim, its own symlinks followed (at most 40).
#[cfg(windows)]
fn resolve_by_name(path: &Path) -> io::Result<PathBuf> {
    use std::os::windows::ffi::{OsStrExt, OsStringExt};
    let mut current = std::path::absolute(path)?;
    for _ in 0..40 {
        if !std::fs::symlink_metadata(&current)?.file_type().is_symlink() {
            let units: Vec<u16> = current.as_os_str().encode_wide().collect();
            return Ok(PathBuf::from(std::ffi::OsString::from_wide(&super::windows::verbatim(&units))));
        }
        let target = std::fs::read_link(&current)?;
        current = std::path::absolute(current.parent().unwrap_or(Path::new("")).join(target))?;
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// A path as reported in JSON and the ledger: its text where it is valid Unicode
/// (control characters too: JSON escapes them), and otherwise, so that any name the
/// system allows is reported and two different names never print alike:
/// - Unix: bytes that are not UTF-8 as `\xNN`, and `\` doubled;
/// - Windows: a lone UTF-16 surrogate (a name Windows allows, not Unicode) as
///   `<U+D800>`; `<` and `>` are in no Windows file name, so `\`, the separator, stays
///   single.
#[cfg(unix)]
pub(crate) fn report(path: &Path) -> String {
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str());
    let mut text = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => text.push_str("\\\\"),
                c => text.push(c),
            }
        }
        for byte in chunk.invalid() {
            text.push_str(&format!("\\x{byte:02x}"));
        }
    }
    text
}

/// A path as reported in JSON and the ledger (see the Unix version).
#[cfg(windows)]
pub(crate) fn report(path: &Path) -> String {
    use std::os::windows::ffi::OsStrExt;
    char::decode_utf16(path.as_os_str().encode_wide())
        .map(|c| c.map_or_else(|lone| format!("<U+{:04X}>", lone.unpaired_surrogate()), String::from))
        .collect()
}

/// The bytes of the absolute `path` as the path of a `file:` URI, before
/// percent-encoding: the path itself on Unix, `/C:/Users/…` on Windows.
#[cfg(unix)]
pub(crate) fn uri_path(absolute: &Path) -> Vec<u8> {
    std::os::unix::ffi::OsStrExt::as_bytes(absolute.as_os_str()).to_vec()
}

/// The bytes of the absolute `path` as the path of a `file:` URI, before
/// percent-encoding: `/C:/Users/…` (UTF-8, `/` for `\`).
#[cfg(windows)]
pub(crate) fn uri_path(absolute: &Path) -> Vec<u8> {
    let plain = without_verbatim(absolute);
    let text = plain.to_string_lossy().replace('\\', "/");
    let text = if text.starts_with('/') { text } else { format!("/{text}") };
    text.into_bytes()
}

/// `path` without the `\\?\` of a verbatim path (`\\?\C:\x` is `C:\x`, `\\?\UNC\s\x`
/// is `\\s\x`), as people write it. Elsewhere than Windows, the path itself.
pub(crate) fn without_verbatim(path: &Path) -> PathBuf {
    let Some(text) = path.to_str() else { return path.to_path_buf() };
    if let Some(rest) = text.strip_prefix(r"\\?\UNC\") {
        PathBuf::from(format!(r"\\{rest}"))
    } else if let Some(rest) = text.strip_prefix(r"\\?\") {
        PathBuf::from(rest)
    } else {
        path.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_path_resolves_to_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("d".repeat(150)).join("e".repeat(150));
        std::fs::create_dir_all(&deep).unwrap();
        let file = deep.join("master é.wav");
        std::fs::write(&file, b"x").unwrap();
        let resolved = resolve(&file).unwrap();
        assert!(resolved.is_absolute() && resolved.as_os_str().len() > 300, "{resolved:?}");
        let (a, b) = (crate::platform::identity::of(&file).unwrap(), crate::platform::identity::of(&resolved).unwrap());
        assert_eq!((a.device, a.index), (b.device, b.index));
        assert_eq!(resolve(&deep.join("..").join("e".repeat(150)).join("master é.wav")).unwrap(), resolved);
        assert_eq!(resolve(&deep.join("missing.wav")).unwrap_err().kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn verbatim_prefixes_are_dropped_for_people() {
        assert_eq!(without_verbatim(Path::new(r"\\?\C:\masters\a.wav")), Path::new(r"C:\masters\a.wav"));
        assert_eq!(without_verbatim(Path::new(r"\\?\UNC\nas\audio\a.wav")), Path::new(r"\\nas\audio\a.wav"));
        assert_eq!(without_verbatim(Path::new("/srv/masters/a.wav")), Path::new("/srv/masters/a.wav"));
    }

    #[cfg(unix)]
    #[test]
    fn unix_names_that_are_not_utf8_are_escaped_and_backslashes_doubled() {
        use std::os::unix::ffi::OsStrExt;
        assert_eq!(report(Path::new("masters/01 Café.wav")), "masters/01 Café.wav");
        assert_eq!(report(Path::new("back\\slash")), "back\\\\slash");
        assert_eq!(report(Path::new(std::ffi::OsStr::from_bytes(b"bad\xffname.wav"))), "bad\\xffname.wav");
        assert_eq!(uri_path(Path::new("/a b/l.sqlite3")), b"/a b/l.sqlite3");
    }

    #[cfg(windows)]
    #[test]
    fn windows_names_keep_their_separators_and_lone_surrogates_are_shown() {
        use std::os::windows::ffi::OsStringExt;
        assert_eq!(report(Path::new(r"C:\masters\01 Café.wav")), r"C:\masters\01 Café.wav");
        let lone: Vec<u16> = "bad".encode_utf16().chain([0xD800]).chain("name.wav".encode_utf16()).collect();
        let name = std::ffi::OsString::from_wide(&lone);
        assert_eq!(report(Path::new(&name)), "bad<U+D800>name.wav");
        assert_eq!(uri_path(Path::new(r"\\?\C:\Users\me\ledger.sqlite3")), b"/C:/Users/me/ledger.sqlite3");
    }
}
