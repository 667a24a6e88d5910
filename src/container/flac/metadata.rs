//! The metadata blocks of a FLAC file, read and rewritten by the project itself: every
//! block is copied byte for byte (STREAMINFO, SEEKTABLE, CUESHEET, PICTURE,
//! APPLICATION, unknown ones) except the VORBIS_COMMENT block, whose fields are kept
//! byte for byte but for `ISRC` ([`crate::container::vorbis`]). A file without one gets
//! it after STREAMINFO. A PADDING block absorbs what the comments grow or shrink by,
//! when it can, so the frames stay where they were, as `metaflac` does.
//!
//! Every block's length is checked against the file before anything is read; a comment
//! block is read whole under the run's lease ([`crate::container::limits`]).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use super::super::limits::{self, MAX_TAG_BLOCK};
use super::super::{Sink, TagError, TagReport, vorbis};

/// The block types this module tells apart.
const STREAMINFO: u8 = 0;
const PADDING: u8 = 1;
const VORBIS_COMMENT: u8 = 4;

/// The most bytes a metadata block holds (a 24-bit length).
const MAX_BLOCK: u64 = (1 << 24) - 1;

/// One metadata block: where its header is, its type and length, and whether it is last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct BlockHeader {
    offset: u64,
    kind: u8,
    len: u64,
    last: bool,
}

impl BlockHeader {
    fn body(&self) -> u64 {
        self.offset + 4
    }

    fn end(&self) -> u64 {
        self.offset + 4 + self.len
    }
}

/// The metadata of a file: the `fLaC` marker's offset and the blocks.
struct Metadata {
    marker: u64,
    blocks: Vec<BlockHeader>,
}

/// Walks the metadata blocks, checking each lies inside the file.
fn metadata(file: &mut File) -> Result<Metadata, TagError> {
    let damaged = |detail: String| {
        TagError::Refused(format!(
            "the FLAC metadata is damaged: {detail}; the file is not tagged: export or encode the master again"
        ))
    };
    let len = file.seek(SeekFrom::End(0))?;
    let marker = super::marker_offset(file)?.ok_or_else(|| damaged("no fLaC marker where it belongs".into()))?;
    let mut blocks = Vec::new();
    let mut at = marker + 4;
    loop {
        let mut header = [0u8; 4];
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(&mut header)
            .map_err(|_| damaged(format!("the file ends inside block {}", blocks.len() + 1)))?;
        let block = BlockHeader {
            offset: at,
            kind: header[0] & 0x7f,
            len: u64::from(u32::from_be_bytes([0, header[1], header[2], header[3]])),
            last: header[0] & 0x80 != 0,
        };
        if block.end() > len {
            return Err(damaged(format!(
                "metadata block {} (type {}) claims {} bytes, past the end of the file",
                blocks.len() + 1,
                block.kind,
                block.len
            )));
        }
        at = block.end();
        blocks.push(block);
        if block.last {
            break;
        }
    }
    if blocks.first().map(|b| b.kind) != Some(STREAMINFO) {
        return Err(damaged("the first block is not STREAMINFO".into()));
    }
    Ok(Metadata { marker, blocks })
}

/// Reads a VORBIS_COMMENT block's body under a lease of its size.
fn comment_body(file: &mut File, block: &BlockHeader) -> Result<(Vec<u8>, limits::Lease), TagError> {
    let lease = limits::lease(block.len * 2, "the VORBIS_COMMENT block")?;
    let mut body = vec![0u8; block.len as usize];
    file.seek(SeekFrom::Start(block.body()))?;
    file.read_exact(&mut body)?;
    Ok((body, lease))
}

/// Adds the ISRCs, title, artist and album of every VORBIS_COMMENT block to `report`.
pub(super) fn read_comments(file: &mut File, report: &mut TagReport) -> Result<(), TagError> {
    for block in metadata(file)?.blocks.iter().filter(|b| b.kind == VORBIS_COMMENT) {
        let (body, _lease) = comment_body(file, block)?;
        vorbis::read(&vorbis::Block::parse(&body, "the VORBIS_COMMENT block")?, report);
    }
    Ok(())
}

/// Streams the file into `out` with its comments carrying `code`, every other byte as
/// it was (the frames copied in bulk).
pub(super) fn stream_with_isrc(source: &mut File, out: &mut dyn Sink, code: &str) -> Result<(), TagError> {
    let Metadata { marker, blocks } = metadata(source)?;
    let comments: Vec<&BlockHeader> = blocks.iter().filter(|b| b.kind == VORBIS_COMMENT).collect();
    if comments.len() > 1 {
        return Err(TagError::Refused(format!(
            "the file has {} VORBIS_COMMENT blocks, and FLAC allows one: readers disagree on which counts, so it is \
             not tagged; merge them with a tag editor, then run again",
            comments.len()
        )));
    }
    let (old_body, _lease) = match comments.first() {
        Some(block) => {
            let (body, lease) = comment_body(source, block)?;
            (Some(body), Some(lease))
        }
        None => (None, None),
    };
    let parsed = old_body.as_deref().map(|body| vorbis::Block::parse(body, "the VORBIS_COMMENT block")).transpose()?;
    let new_body = vorbis::with_isrc(parsed.as_ref(), code);
    if new_body.len() as u64 > MAX_BLOCK.min(MAX_TAG_BLOCK) {
        return Err(TagError::Refused(format!(
            "the VORBIS_COMMENT block would be {} bytes with the code, more than the {MAX_BLOCK} a FLAC metadata \
             block holds: remove comments the master does not need with a tag editor, then run again",
            new_body.len()
        )));
    }
    // What the comments grow by (a new block brings its 4-byte header).
    let grown = new_body.len() as i64 - comments.first().map_or(-4, |b| b.len as i64);
    let padding = blocks.iter().position(|b| b.kind == PADDING);
    let new_padding = padding.and_then(|i| {
        let len = blocks[i].len as i64 - grown;
        (0..=MAX_BLOCK as i64).contains(&len).then_some(len as u64)
    });

    source.seek(SeekFrom::Start(0))?;
    copy_exactly(source, out, marker + 4)?;
    let last_index = blocks.len() - 1;
    for (i, block) in blocks.iter().enumerate() {
        let is_last = i == last_index;
        match block.kind {
            VORBIS_COMMENT => write_block(out, VORBIS_COMMENT, is_last, &new_body)?,
            PADDING if Some(i) == padding && new_padding.is_some() => {
                let len = new_padding.unwrap_or(block.len);
                write_header(out, PADDING, is_last, len)?;
                std::io::copy(&mut std::io::repeat(0).take(len), out)?;
            }
            _ => {
                // STREAMINFO loses its last flag when a new comment block follows it.
                let adds_comments = i == 0 && comments.is_empty();
                write_header(out, block.kind, is_last && !adds_comments, block.len)?;
                source.seek(SeekFrom::Start(block.body()))?;
                copy_exactly(source, out, block.len)?;
                if adds_comments {
                    write_block(out, VORBIS_COMMENT, is_last, &new_body)?;
                }
            }
        }
    }
    let frames = blocks[last_index].end();
    source.seek(SeekFrom::Start(frames))?;
    out.copy_from(source, u64::MAX)?;
    Ok(())
}

fn write_header(out: &mut dyn Sink, kind: u8, last: bool, len: u64) -> Result<(), TagError> {
    let len = u32::try_from(len).ok().filter(|&l| u64::from(l) <= MAX_BLOCK).ok_or_else(|| {
        TagError::Refused(format!("a FLAC metadata block of {len} bytes is more than the format holds"))
    })?;
    let mut header = len.to_be_bytes();
    header[0] = kind | if last { 0x80 } else { 0 };
    out.write_all(&header)?;
    Ok(())
}

fn write_block(out: &mut dyn Sink, kind: u8, last: bool, body: &[u8]) -> Result<(), TagError> {
    write_header(out, kind, last, body.len() as u64)?;
    out.write_all(body)?;
    Ok(())
}

/// Copies exactly `len` bytes from `source`'s position.
fn copy_exactly(source: &mut File, out: &mut dyn Sink, len: u64) -> Result<(), TagError> {
    if out.copy_from(source, len)? != len {
        return Err(TagError::Io(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the file ended early")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A FLAC head: STREAMINFO, the given blocks, then four bytes of "frames".
    fn flac(blocks: &[(u8, Vec<u8>)]) -> Vec<u8> {
        let mut out = b"fLaC".to_vec();
        let all: Vec<(u8, Vec<u8>)> =
            std::iter::once((STREAMINFO, vec![7u8; 34])).chain(blocks.iter().cloned()).collect();
        for (i, (kind, body)) in all.iter().enumerate() {
            let mut header = (body.len() as u32).to_be_bytes();
            header[0] = kind | if i + 1 == all.len() { 0x80 } else { 0 };
            out.extend_from_slice(&header);
            out.extend_from_slice(body);
        }
        out.extend_from_slice(b"\xff\xf8AU");
        out
    }

    fn comments(fields: &[&[u8]]) -> Vec<u8> {
        let mut out = 1u32.to_le_bytes().to_vec();
        out.push(b'v');
        out.extend_from_slice(&(fields.len() as u32).to_le_bytes());
        for field in fields {
            out.extend_from_slice(&(field.len() as u32).to_le_bytes());
            out.extend_from_slice(field);
        }
        out
    }

    fn rewrite(bytes: &[u8]) -> Result<Vec<u8>, TagError> {
        let mut source = tempfile::tempfile().unwrap();
        source.write_all(bytes).unwrap();
        let mut target = tempfile::tempfile().unwrap();
        {
            let mut out = std::io::BufWriter::new(&mut target);
            stream_with_isrc(&mut source, &mut out, "USPR37300012")?;
            out.flush().unwrap();
        }
        let mut written = Vec::new();
        target.seek(SeekFrom::Start(0)).unwrap();
        target.read_to_end(&mut written).unwrap();
        Ok(written)
    }

    #[test]
    fn only_the_isrc_changes_and_padding_absorbs_the_difference() {
        let odd: [&[u8]; 4] = [b"COMMENT=", b"K\xc3\xa9Y=x", b"no separator", b"ARTIST=\xff"];
        let picture = (6u8, b"any picture bytes, never parsed".to_vec());
        let before = flac(&[(VORBIS_COMMENT, comments(&odd)), picture.clone(), (PADDING, vec![0; 100])]);
        let after = rewrite(&before).unwrap();
        let with: Vec<&[u8]> = odd.iter().copied().chain([&b"ISRC=USPR37300012"[..]]).collect();
        let grown = 4 + b"ISRC=USPR37300012".len();
        let expected = flac(&[(VORBIS_COMMENT, comments(&with)), picture, (PADDING, vec![0; 100 - grown])]);
        assert_eq!(after, expected);
        assert_eq!(after.len(), before.len(), "the frames stay where they were");
    }

    #[test]
    fn a_file_without_comments_gets_a_block_after_streaminfo() {
        let after = rewrite(&flac(&[])).unwrap();
        let mut body = (vorbis::VENDOR.len() as u32).to_le_bytes().to_vec();
        body.extend_from_slice(vorbis::VENDOR.as_bytes());
        body.extend_from_slice(&1u32.to_le_bytes());
        body.extend_from_slice(&17u32.to_le_bytes());
        body.extend_from_slice(b"ISRC=USPR37300012");
        assert_eq!(after, flac(&[(VORBIS_COMMENT, body)]));
    }

    #[test]
    fn damaged_metadata_is_refused_with_the_cause() {
        let mut lying = flac(&[(VORBIS_COMMENT, comments(&[b"A=1"]))]);
        // The comment block's length claims 16 MiB - 1.
        lying[42..46].copy_from_slice(&[0x84, 0xff, 0xff, 0xff]);
        let error = rewrite(&lying).unwrap_err().to_string();
        assert!(error.contains("metadata block 2 (type 4) claims 16777215 bytes, past the end of the file"), "{error}");
        let two = flac(&[(VORBIS_COMMENT, comments(&[])), (VORBIS_COMMENT, comments(&[]))]);
        assert!(rewrite(&two).unwrap_err().to_string().contains("2 VORBIS_COMMENT blocks"));
    }
}
