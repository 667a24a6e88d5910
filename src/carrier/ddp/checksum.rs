//! The checksum file of an image, `CHECKSUM.MD5`, in the format of `md5sum`: one line
//! per file, `<32 lowercase hex digits><two spaces><file name>`, LF line ends, so
//! `md5sum -c CHECKSUM.MD5` checks it. Not part of DDP, but what plants' tools check
//! after a transfer.
//!
//! The reader also takes `md5sum`'s binary-mode lines (`<hex> *<name>`), CRLF line ends,
//! uppercase hex, BSD `MD5 (<name>) = <hex>` lines and `#` or `;` comments.
//!
//! Checksum files other tools write beside an image are read too ([`is_other_checksum_file`],
//! [`parse_other`]): MD5 files named otherwise (`*.md5`, `MD5SUMS`, `md5sum.txt`) in the
//! formats above, and CRC32 files (`CHECKSUM.TXT`, as ddpinfo writes it; `*.sfv`,
//! `*.crc`) in the public forms: `<8 hex digits>  <name>` (as `crc32`, `rhash` print it),
//! SFV's `<name> <8 hex digits>`, and `<name>: <8 hex digits>` or `<name> = <8 hex digits>`.
//! Lines in none of these forms (a tool's header, a comment) are skipped and counted; a
//! file with no line in them is a warning, never a silent pass.

use std::io::{self, Read};
use std::path::Path;

use md5::{Digest, Md5};
use serde::Serialize;

use crate::base::io::read_full;
use crate::carrier::{Problem, ProblemId};

/// One line of a checksum file: a file name and its MD5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecksumEntry {
    /// The file's name, inside the image's folder.
    pub name: String,
    /// The MD5, as 32 lowercase hex digits.
    pub md5: String,
}

/// One line of a CRC32 checksum file: a file name and its CRC-32 (IEEE, as zip and SFV).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Crc32Entry {
    /// The file's name, inside the image's folder.
    pub name: String,
    /// The CRC-32.
    pub crc32: u32,
}

/// Whether a file in an image's folder is a checksum file of another tool (not
/// `CHECKSUM.MD5`, which is read as the image's own): `*.md5`, `MD5SUMS`, `md5sum.txt`,
/// `CHECKSUM.TXT`, `*.sfv`, `*.crc`, any case.
pub fn is_other_checksum_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower != "checksum.md5"
        && (lower.ends_with(".md5")
            || lower.ends_with(".sfv")
            || lower.ends_with(".crc")
            || matches!(lower.as_str(), "md5sums" | "md5sum.txt" | "md5sums.txt" | "checksum.txt" | "checksums.txt"))
}

/// Reads another tool's checksum file: its MD5 lines, its CRC32 lines, and the number of
/// lines in neither form (comments and blank lines not counted).
pub fn parse_other(text: &str) -> (Vec<ChecksumEntry>, Vec<Crc32Entry>, usize) {
    let (mut md5s, mut crcs, mut unread) = (Vec::new(), Vec::new(), 0);
    for line in text.lines() {
        let line = line.trim_end_matches('\r').trim_start_matches('\u{feff}');
        if line.trim().is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(entry) = parse_line(line) {
            md5s.push(entry);
        } else if let Some(entry) = parse_crc_line(line.trim()) {
            crcs.push(entry);
        } else {
            unread += 1;
        }
    }
    (md5s, crcs, unread)
}

/// One CRC32 line in any of the forms [`parse_other`] takes.
fn parse_crc_line(line: &str) -> Option<Crc32Entry> {
    let is_crc = |hex: &str| hex.len() == 8 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    let entry = |name: &str, hex: &str| {
        let name = name.trim().trim_matches('"');
        let name = name.strip_prefix("./").unwrap_or(name).strip_prefix('*').unwrap_or(name);
        (is_crc(hex) && !name.is_empty())
            .then(|| Some(Crc32Entry { name: name.to_owned(), crc32: u32::from_str_radix(hex, 16).ok()? }))
            .flatten()
    };
    if let Some((name, hex)) = line.rsplit_once(": ").or_else(|| line.rsplit_once(" = "))
        && let Some(found) = entry(name, hex.trim())
    {
        return Some(found);
    }
    if let Some((hex, name)) = line.split_once(char::is_whitespace)
        && let Some(found) = entry(name, hex)
    {
        return Some(found);
    }
    let (name, hex) = line.rsplit_once(char::is_whitespace)?;
    entry(name, hex)
}

/// The CRC-32 of a regular file, read no further than its size when opened.
pub(crate) fn crc32_file(path: &Path) -> io::Result<u32> {
    let file = crate::base::filekind::open_regular(path)?;
    let size = file.metadata()?.len();
    let mut file = file.take(size);
    let mut crc = crc32fast::Hasher::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => crc.update(&buffer[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(crc.finalize())
}

/// The checksum file for `entries`, in `md5sum` format.
pub fn format_md5sum(entries: &[ChecksumEntry]) -> String {
    entries.iter().map(|e| format!("{}  {}\n", e.md5, e.name)).collect()
}

/// Reads a checksum file: its entries, and each line that is not one.
pub fn parse_md5sum(text: &str) -> (Vec<ChecksumEntry>, Vec<Problem>) {
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        match parse_line(line) {
            Some(entry) => entries.push(entry),
            None => {
                let shown: String = line.chars().take(60).collect();
                problems.push(Problem::new(
                    ProblemId::DdpChecksum,
                    format!("line {} of the checksum file is not \"<md5>  <name>\": {shown:?}", i + 1),
                ));
            }
        }
    }
    (entries, problems)
}

/// One `md5sum` or BSD line.
fn parse_line(line: &str) -> Option<ChecksumEntry> {
    let is_md5 = |hex: &str| hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    let (md5, name) = if let Some(rest) = line.strip_prefix("MD5 (") {
        let (name, hex) = rest.rsplit_once(") = ")?;
        (hex.trim(), name)
    } else {
        let hex = line.get(..32)?;
        let rest = line.get(32..)?.strip_prefix(' ')?;
        (hex, rest.strip_prefix([' ', '*']).unwrap_or(rest))
    };
    let name = name.strip_prefix("./").unwrap_or(name);
    (is_md5(md5) && !name.is_empty()).then(|| ChecksumEntry { name: name.to_owned(), md5: md5.to_ascii_lowercase() })
}

/// The MD5 of a digest as 32 lowercase hex digits.
pub(crate) fn hex(md5: Md5) -> String {
    md5.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// An MD5 computed on a thread of its own, fed whole buffers, so that the thread
/// producing them (reading, writing, hashing other things) is not held up by it.
pub(crate) struct Md5Thread {
    to: std::sync::mpsc::SyncSender<Vec<u8>>,
    done: std::thread::JoinHandle<Md5>,
}

impl Md5Thread {
    /// Starts the thread; `None` when no thread can be started.
    pub(crate) fn spawn() -> Option<Md5Thread> {
        let (to, from) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
        let done = std::thread::Builder::new()
            .name("md5".into())
            .spawn(move || {
                let mut md5 = Md5::new();
                for buffer in from {
                    md5.update(&buffer);
                }
                md5
            })
            .ok()?;
        Some(Md5Thread { to, done })
    }

    /// Hashes the next buffer.
    pub(crate) fn update(&self, buffer: Vec<u8>) {
        // The thread only stops when the channel closes, so a send cannot fail while it
        // runs; `finish` reports a thread that died.
        let _ = self.to.send(buffer);
    }

    /// The MD5 as 32 lowercase hex digits.
    pub(crate) fn finish(self) -> io::Result<String> {
        drop(self.to);
        self.done.join().map(hex).map_err(|_| io::Error::other("the MD5 thread failed"))
    }
}

/// The MD5 of a file and its length, read in 1 MiB pieces, each also shown to `tap`
/// with its offset. MD5 runs on a thread of its own while `tap` works on the reading
/// thread, so hashing the audio once serves the checksum and the tracks' audio ids.
pub(crate) fn hash_file_with(path: &Path, tap: &mut dyn FnMut(u64, &[u8])) -> io::Result<(String, u64)> {
    let file = crate::base::filekind::open_regular(path)?;
    // No further than the size it has now: a file growing meanwhile is not chased.
    let size = file.metadata()?.len();
    let mut file = file.take(size);
    let Some(md5) = Md5Thread::spawn() else {
        return Err(io::Error::other("cannot start a thread to compute the MD5"));
    };
    let mut length = 0u64;
    loop {
        let mut buffer = vec![0u8; 1 << 20];
        let n = read_full(&mut file, &mut buffer)?;
        if n == 0 {
            break;
        }
        buffer.truncate(n);
        tap(length, &buffer);
        length += n as u64;
        md5.update(buffer);
    }
    Ok((md5.finish()?, length))
}

/// The MD5 of a regular file and its length, read in 64 KiB pieces (anything else, a
/// named pipe or a device, is refused: it might never end).
pub(crate) fn hash_file(path: &Path) -> io::Result<(String, u64)> {
    let file = crate::base::filekind::open_regular(path)?;
    let size = file.metadata()?.len();
    let mut file = file.take(size);
    let mut md5 = Md5::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut length = 0u64;
    loop {
        match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                md5.update(&buffer[..n]);
                length += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((hex(md5), length))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, md5: &str) -> ChecksumEntry {
        ChecksumEntry { name: name.into(), md5: md5.into() }
    }

    #[test]
    fn the_format_is_md5sums() {
        let md5 = hex(Md5::new());
        assert_eq!(md5, "d41d8cd98f00b204e9800998ecf8427e", "the MD5 of nothing");
        let text = format_md5sum(&[entry("DDPID", &md5), entry("IMAGE.DAT", "0123456789abcdef0123456789abcdef")]);
        assert_eq!(text, "d41d8cd98f00b204e9800998ecf8427e  DDPID\n0123456789abcdef0123456789abcdef  IMAGE.DAT\n");
        let (back, problems) = parse_md5sum(&text);
        assert!(problems.is_empty());
        assert_eq!(back, [entry("DDPID", &md5), entry("IMAGE.DAT", "0123456789abcdef0123456789abcdef")]);
    }

    #[test]
    fn other_tools_lines_are_read() {
        let text = "# made elsewhere\r\n\
                    D41D8CD98F00B204E9800998ECF8427E *DDPID\r\n\
                    ; a comment\n\
                    d41d8cd98f00b204e9800998ecf8427e ./PQDESCR\n\
                    MD5 (IMAGE.DAT) = d41d8cd98f00b204e9800998ecf8427e\n\
                    \n";
        let (entries, problems) = parse_md5sum(text);
        assert!(problems.is_empty(), "{problems:?}");
        let names: Vec<_> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["DDPID", "PQDESCR", "IMAGE.DAT"]);
        assert!(entries.iter().all(|e| e.md5 == "d41d8cd98f00b204e9800998ecf8427e"));
    }

    #[test]
    fn other_tools_checksum_files_are_read() {
        for name in ["ddp.md5", "IMAGE.MD5", "MD5SUMS", "CHECKSUM.TXT", "album.sfv", "x.CRC"] {
            assert!(is_other_checksum_file(name), "{name}");
        }
        for name in ["CHECKSUM.MD5", "checksum.md5", "DDPID", "Checksum.chk", "notes.txt"] {
            assert!(!is_other_checksum_file(name), "{name}");
        }
        let text = "; Generated by a tool\r\nCRC32 checksums\r\n1A2B3C4D  IMAGE.DAT\r\nDDPID 0000FFFF\r\n\
                    PQDESCR: deadBEEF\nDDPMS = 00000001\nd41d8cd98f00b204e9800998ecf8427e  CDTEXT.BIN\n";
        let (md5s, crcs, unread) = parse_other(text);
        assert_eq!(md5s, [entry("CDTEXT.BIN", "d41d8cd98f00b204e9800998ecf8427e")]);
        let found: Vec<(&str, u32)> = crcs.iter().map(|c| (c.name.as_str(), c.crc32)).collect();
        assert_eq!(found, [("IMAGE.DAT", 0x1A2B_3C4D), ("DDPID", 0xFFFF), ("PQDESCR", 0xDEAD_BEEF), ("DDPMS", 1)]);
        assert_eq!(unread, 1, "the header line");
        assert_eq!(parse_other("not a checksum\n"), (vec![], vec![], 1));
    }

    #[test]
    fn crc32_is_the_ieee_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"123456789").unwrap();
        assert_eq!(crc32_file(&path).unwrap(), 0xCBF4_3926, "the CRC-32 check value");
    }

    #[test]
    fn malformed_lines_are_problems() {
        let text = "d41d8cd98f00b204e9800998ecf8427  DDPID\nnot a checksum\nd41d8cd98f00b204e9800998ecf8427e  \n\u{e9}\u{e9}\u{e9}";
        let (entries, problems) = parse_md5sum(text);
        assert!(entries.is_empty());
        assert_eq!(
            problems.iter().map(|p| p.message.split(' ').nth(1).unwrap()).collect::<Vec<_>>(),
            ["1", "2", "3", "4"]
        );
        assert!(problems.iter().all(|p| p.id == ProblemId::DdpChecksum));
    }

    #[test]
    fn files_are_hashed_in_pieces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let mut md5 = Md5::new();
        md5.update(&data);
        assert_eq!(hash_file(&path).unwrap(), (hex(md5.clone()), 200_000));
        assert!(hash_file(&dir.path().join("missing")).is_err());
        let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
        std::fs::write(&path, &big).unwrap();
        let mut seen = Vec::new();
        let hashed = hash_file_with(&path, &mut |offset, bytes| {
            assert_eq!(offset, seen.len() as u64);
            seen.extend_from_slice(bytes);
        });
        assert_eq!(hashed.unwrap(), hash_file(&path).unwrap());
        assert_eq!(seen, big, "the tap sees every byte once, in order");
    }
}
