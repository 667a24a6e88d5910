//! Rewriting the tag chunks of a WAV file by streaming it into a new file.
//!
//! lofty rewrites a WAV's RIFF INFO list by reading the whole file into memory and
//! always appends the list at the end. For multi-gigabyte masters isrc-stamp streams
//! the file instead: every chunk is copied byte for byte (`bext`, `iXML`, `axml`,
//! `cue `, `MD5 `, `data` and unknown chunks alike) except the `LIST/INFO` list and
//! the `id3 ` chunk, which are replaced in place; when absent they are appended after
//! the last chunk. Inside the INFO list only the `ISRC` entry is replaced: the other
//! entries keep their bytes. Bytes after the last chunk (fewer than a chunk header:
//! a stray pad, a tool's leftovers) are kept too, at the end of the new file, outside
//! the RIFF size as a reader finds them.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};

use super::{Chunk, chunks, is_info_list, malformed};
use crate::container::Sink;

/// The new tag chunks to put into the file.
pub(super) struct NewTags<'a> {
    /// The complete `id3 ` chunk body (an ID3v2 tag).
    pub id3: &'a [u8],
    /// The ISRC to put in the INFO list.
    pub isrc: &'a str,
}

/// Streams `source` into `out`, replacing or adding the INFO list and the ID3 chunk.
///
/// The new file's layout is planned first, so the RIFF header is written with its
/// final size and the output is written strictly in order (no seeking back).
pub(super) fn rewrite(source: &mut File, out: &mut dyn Sink, tags: &NewTags<'_>) -> io::Result<()> {
    let chunks = chunks(source)?;
    let mut pieces = Vec::with_capacity(chunks.len() + 2);
    let (mut has_info, mut has_id3) = (false, false);
    for chunk in &chunks {
        pieces.push(if !has_info && is_info_list(source, chunk)? {
            has_info = true;
            Piece::New(*b"LIST", info_with_isrc(&read_body(source, chunk)?, tags.isrc))
        } else if !has_id3 && chunk.is_id3() {
            has_id3 = true;
            Piece::New(chunk.id, tags.id3.to_vec())
        } else {
            Piece::Copy(chunk)
        });
    }
    if !has_info {
        pieces.push(Piece::New(*b"LIST", info_with_isrc(b"INFO", tags.isrc)));
    }
    if !has_id3 {
        pieces.push(Piece::New(*b"id3 ", tags.id3.to_vec()));
    }
    let total = pieces.iter().try_fold(4u64, |sum, piece| Ok::<_, io::Error>(sum + piece.len()?))?;
    let riff_len = u32::try_from(total).map_err(|_| malformed("the file would exceed the 4 GiB RIFF limit"))?;
    out.write_all(b"RIFF")?;
    out.write_all(&riff_len.to_le_bytes())?;
    out.write_all(b"WAVE")?;
    for piece in &pieces {
        match piece {
            Piece::New(id, body) => write_chunk(out, *id, body)?,
            Piece::Copy(chunk) => copy_chunk(source, out, chunk)?,
        }
    }
    let end = chunks.last().map_or(12, Chunk::end);
    let file_len = source.seek(SeekFrom::End(0))?;
    if file_len > end {
        source.seek(SeekFrom::Start(end))?;
        out.copy_from(source, file_len - end)?;
    }
    Ok(())
}

/// One chunk of the new file: copied from the original, or new.
enum Piece<'a> {
    Copy(&'a Chunk),
    New([u8; 4], Vec<u8>),
}

impl Piece<'_> {
    /// Its length in the new file, header and pad byte included.
    fn len(&self) -> io::Result<u64> {
        Ok(match self {
            Piece::Copy(chunk) => chunk.end() - (chunk.body_offset - 8),
            Piece::New(_, body) => {
                let len = u32::try_from(body.len()).map_err(|_| malformed("a tag chunk over 4 GiB"))?;
                8 + u64::from(len) + u64::from(len & 1)
            }
        })
    }
}

/// The body of an INFO list with its `ISRC` entry set to `isrc` (added at the end when
/// absent); every other entry keeps its bytes.
fn info_with_isrc(list_body: &[u8], isrc: &str) -> Vec<u8> {
    let mut body = b"INFO".to_vec();
    let mut at = 4;
    let mut replaced = false;
    while at + 8 <= list_body.len() {
        let len = u32::from_le_bytes([list_body[at + 4], list_body[at + 5], list_body[at + 6], list_body[at + 7]]);
        let end = (at + 8).saturating_add(len as usize).saturating_add(len as usize & 1).min(list_body.len());
        if &list_body[at..at + 4] == b"ISRC" {
            if !replaced {
                push_info_entry(&mut body, b"ISRC", isrc);
                replaced = true;
            }
        } else {
            body.extend_from_slice(&list_body[at..end]);
        }
        at = end;
    }
    if !replaced {
        push_info_entry(&mut body, b"ISRC", isrc);
    }
    body
}

/// Appends one NUL-terminated, even-padded INFO entry.
fn push_info_entry(body: &mut Vec<u8>, id: &[u8; 4], value: &str) {
    let len = value.len() + 1;
    body.extend_from_slice(id);
    body.extend_from_slice(&(len as u32).to_le_bytes());
    body.extend_from_slice(value.as_bytes());
    body.push(0);
    if len % 2 == 1 {
        body.push(0);
    }
}

fn read_body(source: &mut File, chunk: &Chunk) -> io::Result<Vec<u8>> {
    let len = usize::try_from(chunk.body_len).map_err(|_| malformed("a tag chunk too large to read"))?;
    let mut body = vec![0u8; len];
    source.seek(SeekFrom::Start(chunk.body_offset))?;
    source.read_exact(&mut body)?;
    Ok(body)
}

/// Writes a chunk with its header and pad byte.
fn write_chunk(out: &mut dyn Write, id: [u8; 4], body: &[u8]) -> io::Result<()> {
    let len = u32::try_from(body.len()).map_err(|_| malformed("a tag chunk over 4 GiB"))?;
    out.write_all(&id)?;
    out.write_all(&len.to_le_bytes())?;
    out.write_all(body)?;
    if len % 2 == 1 {
        out.write_all(&[0])?;
    }
    Ok(())
}

/// Copies a chunk (header, body, pad byte) byte for byte.
fn copy_chunk(source: &mut File, out: &mut dyn Sink, chunk: &Chunk) -> io::Result<()> {
    let start = chunk.body_offset - 8;
    source.seek(SeekFrom::Start(start))?;
    let len = chunk.end() - start;
    let copied = out.copy_from(source, len)?;
    if copied < len {
        // The pad byte of a final odd-sized chunk may be missing: supply it.
        if copied + 1 == len {
            out.write_all(&[0])?;
            return Ok(());
        }
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the file ended inside a chunk"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &[u8; 4], value: &str) -> Vec<u8> {
        let mut body = Vec::new();
        push_info_entry(&mut body, id, value);
        body
    }

    #[test]
    fn the_isrc_entry_is_replaced_and_others_keep_their_bytes() {
        let mut list = b"INFO".to_vec();
        list.extend(entry(b"INAM", "Title"));
        list.extend(entry(b"ISRC", "GBBBB9905305"));
        list.extend(entry(b"IART", "Artist!"));
        let new = info_with_isrc(&list, "USPR37300012");
        let mut expected = b"INFO".to_vec();
        expected.extend(entry(b"INAM", "Title"));
        expected.extend(entry(b"ISRC", "USPR37300012"));
        expected.extend(entry(b"IART", "Artist!"));
        assert_eq!(new, expected);
    }

    #[test]
    fn an_absent_isrc_entry_is_appended() {
        let mut list = b"INFO".to_vec();
        list.extend(entry(b"INAM", "Odd"));
        let new = info_with_isrc(&list, "USPR37300012");
        assert!(new.ends_with(&entry(b"ISRC", "USPR37300012")));
        assert!(new.starts_with(&list));
    }

    #[test]
    fn entries_are_nul_terminated_and_even() {
        assert_eq!(entry(b"ISRC", "USPR37300012"), b"ISRC\x0d\0\0\0USPR37300012\0\0".to_vec());
        assert_eq!(entry(b"INAM", "ab"), b"INAM\x03\0\0\0ab\0\0".to_vec());
        assert_eq!(entry(b"INAM", "abc"), b"INAM\x04\0\0\0abc\0".to_vec());
    }
}
