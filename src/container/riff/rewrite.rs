//! Rewriting the tag chunks of a WAV, RF64 or BW64 file by streaming it into a new file.
//!
//! lofty rewrites a WAV's RIFF INFO list by reading the whole file into memory and
//! always appends the list at the end. For multi-gigabyte masters isrc-stamp streams
//! the file instead: every chunk is copied byte for byte (`bext`, `iXML`, `chna`, an ADM
//! `axml`, `cue `, `MD5 `, `data` and unknown chunks alike) except the `LIST/INFO` list,
//! the `id3 ` chunk and, in a broadcast WAV that gets the aXML identifier, a non-ADM
//! `axml` chunk, which are replaced in place; when absent they are appended after the
//! last chunk. Inside the INFO list only the `ISRC` entry is replaced: the other entries
//! keep their bytes. RF64 and BW64 keep their magic; their `ds64` chunk gets the new
//! file size and a table of the chunks that still need it, the rest of it kept. Bytes
//! after the last chunk (fewer than a chunk header: a stray pad, a tool's leftovers) are
//! kept too, at the end of the new file, outside the RIFF size as a reader finds them.
//!
//! A plain WAV whose tagged copy would pass 4 GiB is refused: it would have to become
//! RF64, which not every reader takes, and converting a master is not tagging it.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};

use super::chunks::{self, Chunk, Layout, MAX_TAG_CHUNK, SEE_DS64};
use super::is_info_list;
use crate::container::{Sink, TagError};

/// The new tag chunks to put into the file.
pub(super) struct NewTags<'a> {
    /// The complete `id3 ` chunk body (an ID3v2 tag).
    pub id3: &'a [u8],
    /// The ISRC to put in the INFO list; empty to take it out (`untag`).
    pub isrc: &'a str,
    /// The new `axml` chunk body, when the file gets the aXML identifier.
    pub axml: Option<&'a [u8]>,
}

/// Streams `source` (whose chunks are `layout`) into `out`, replacing or adding the INFO
/// list, the ID3 chunk and, when given, the aXML chunk.
///
/// The new file's layout is planned first, so the header (and `ds64`) is written with
/// its final sizes and the output is written strictly in order (no seeking back).
pub(super) fn rewrite(
    source: &mut File,
    layout: &Layout,
    out: &mut dyn Sink,
    tags: &NewTags<'_>,
) -> Result<(), TagError> {
    let mut pieces = Vec::with_capacity(layout.chunks.len() + 3);
    let (mut has_info, mut has_id3, mut has_axml) = (false, false, tags.axml.is_none());
    for chunk in &layout.chunks {
        pieces.push(if layout.ds64.as_ref().is_some_and(|ds64| ds64.chunk == *chunk) {
            Piece::Ds64
        } else if !has_info && is_info_list(source, chunk)? {
            has_info = true;
            Piece::New(*b"LIST", info_with_isrc(&chunks::read_body(source, chunk, MAX_TAG_CHUNK)?, tags.isrc))
        } else if !has_id3 && chunk.is_id3() {
            has_id3 = true;
            if tags.id3.is_empty() {
                continue; // the tag held nothing but the ISRC taken out
            }
            Piece::New(chunk.id, tags.id3.to_vec())
        } else if !has_axml && &chunk.id == b"axml" {
            has_axml = true;
            Piece::New(chunk.id, tags.axml.unwrap_or_default().to_vec())
        } else {
            Piece::Copy(chunk)
        });
    }
    if !has_info && !tags.isrc.is_empty() {
        pieces.push(Piece::New(*b"LIST", info_with_isrc(b"INFO", tags.isrc)));
    }
    if !has_id3 && !tags.id3.is_empty() {
        pieces.push(Piece::New(*b"id3 ", tags.id3.to_vec()));
    }
    if let (false, Some(axml)) = (has_axml, tags.axml) {
        pieces.push(Piece::New(*b"axml", axml.to_vec()));
    }
    // Chunks over 4 GiB other than data keep their real size in the ds64 table.
    let table: Vec<([u8; 4], u64)> = pieces
        .iter()
        .filter_map(|piece| match piece {
            Piece::Copy(chunk) if chunk.sized_by_ds64 && &chunk.id != b"data" => Some((chunk.id, chunk.body_len)),
            _ => None,
        })
        .collect();
    let ds64_len = layout.ds64.as_ref().map(|ds64| ds64.body_with(0, &table).len() as u64);
    let total =
        pieces.iter().try_fold(4u64, |sum, piece| Ok::<_, TagError>(sum + piece.len(ds64_len.unwrap_or_default())?))?;
    let riff_len = match &layout.ds64 {
        None => u32::try_from(total).map_err(|_| too_large_for_riff(total))?,
        Some(_) => SEE_DS64,
    };
    out.write_all(layout.magic.bytes())?;
    out.write_all(&riff_len.to_le_bytes())?;
    out.write_all(b"WAVE")?;
    for piece in &pieces {
        match piece {
            Piece::Ds64 => {
                let ds64 = layout.ds64.as_ref().expect("a ds64 piece only in a file with ds64");
                write_chunk(out, *b"ds64", &ds64.body_with(total, &table))?;
            }
            Piece::New(id, body) => write_chunk(out, *id, body)?,
            Piece::Copy(chunk) => copy_chunk(source, out, chunk)?,
        }
    }
    let end = layout.chunks.last().map_or(12, Chunk::end);
    let file_len = source.seek(SeekFrom::End(0))?;
    if file_len > end {
        source.seek(SeekFrom::Start(end))?;
        out.copy_from(source, file_len - end)?;
    }
    Ok(())
}

/// Why a plain WAV is not tagged when its tagged copy would pass 4 GiB.
fn too_large_for_riff(total: u64) -> TagError {
    TagError::Write(format!(
        "the tagged file would be {} bytes, past the 4 GiB a RIFF WAV can hold; it would have to become RF64, \
         which not every reader takes, so isrc-stamp does not convert it: convert the master to RF64 yourself \
         (`ffmpeg -i IN.wav -c copy -rf64 always OUT.wav` keeps the samples, so the audio id and the code stay), \
         or remove tag chunks it does not need",
        total + 8
    ))
}

/// One chunk of the new file: copied from the original, new, or the rebuilt `ds64`.
enum Piece<'a> {
    Copy(&'a Chunk),
    New([u8; 4], Vec<u8>),
    Ds64,
}

impl Piece<'_> {
    /// Its length in the new file, header and pad byte included (`ds64_len`: the body
    /// of the rebuilt `ds64`).
    fn len(&self, ds64_len: u64) -> Result<u64, TagError> {
        let padded = |len: u64| 8 + len + (len & 1);
        Ok(match self {
            Piece::Copy(chunk) => chunk.end() - (chunk.body_offset - 8),
            Piece::New(_, body) => padded(u64::from(chunk_len(body)?)),
            Piece::Ds64 => padded(ds64_len),
        })
    }
}

/// A new chunk's 32-bit size: tag chunks are never near 4 GiB.
fn chunk_len(body: &[u8]) -> Result<u32, TagError> {
    u32::try_from(body.len()).map_err(|_| TagError::Write("a tag chunk over 4 GiB".into()))
}

/// The body of an INFO list with its `ISRC` entry set to `isrc` (added at the end when
/// absent; taken out when `isrc` is empty); every other entry keeps its bytes.
fn info_with_isrc(list_body: &[u8], isrc: &str) -> Vec<u8> {
    let mut body = b"INFO".to_vec();
    let mut at = 4;
    let mut replaced = false;
    while at + 8 <= list_body.len() {
        let len = u32::from_le_bytes([list_body[at + 4], list_body[at + 5], list_body[at + 6], list_body[at + 7]]);
        let end = (at + 8).saturating_add(len as usize).saturating_add(len as usize & 1).min(list_body.len());
        if &list_body[at..at + 4] == b"ISRC" {
            if !replaced && !isrc.is_empty() {
                push_info_entry(&mut body, b"ISRC", isrc);
            }
            replaced = true;
        } else {
            body.extend_from_slice(&list_body[at..end]);
        }
        at = end;
    }
    if !replaced && !isrc.is_empty() {
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

/// Writes a chunk with its header and pad byte.
fn write_chunk(out: &mut dyn Write, id: [u8; 4], body: &[u8]) -> Result<(), TagError> {
    let len = chunk_len(body)?;
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

    /// A sink that only counts what it is given.
    struct Counting(u64);

    impl Write for Counting {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0 += bytes.len() as u64;
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Sink for Counting {
        fn copy_from(&mut self, _: &mut File, len: u64) -> io::Result<u64> {
            self.0 += len;
            Ok(len)
        }
    }

    #[test]
    fn a_wav_whose_tagged_copy_would_pass_4_gib_is_refused_before_a_byte_is_written() {
        // A sparse WAV whose data ends 100 bytes short of the RIFF limit.
        let data_len: u64 = u64::from(u32::MAX) - 4 - 24 - 8 - 100;
        let mut header = b"RIFF".to_vec();
        header.extend(((4 + 24 + 8 + data_len) as u32).to_le_bytes());
        header.extend(b"WAVEfmt \x10\0\0\0\x01\0\x02\0\x44\xac\0\0\x10\xb1\x02\0\x04\0\x10\0data");
        header.extend((data_len as u32).to_le_bytes());
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&header).unwrap();
        file.set_len(header.len() as u64 + data_len).unwrap();
        let layout = chunks::read(&mut file).unwrap();
        let tags = NewTags { id3: &[0u8; 200], isrc: "USPR37300012", axml: None };
        let mut out = Counting(0);
        let error = rewrite(&mut file, &layout, &mut out, &tags).unwrap_err().to_string();
        assert!(error.contains("past the 4 GiB a RIFF WAV can hold") && error.contains("-rf64 always"), "{error}");
        assert_eq!(out.0, 0, "nothing written");
    }

    #[test]
    fn entries_are_nul_terminated_and_even() {
        assert_eq!(entry(b"ISRC", "USPR37300012"), b"ISRC\x0d\0\0\0USPR37300012\0\0".to_vec());
        assert_eq!(entry(b"INAM", "ab"), b"INAM\x03\0\0\0ab\0\0".to_vec());
        assert_eq!(entry(b"INAM", "abc"), b"INAM\x04\0\0\0abc\0".to_vec());
    }
}
