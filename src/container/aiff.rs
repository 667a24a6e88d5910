//! AIFF and AIFF-C: the ISRC in the `TSRC` frame of the ID3 chunk, which the project
//! writes itself (every other frame and chunk kept byte for byte).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use lofty::file::AudioFile;
use lofty::iff::aiff::AiffFile;

use super::limits::{self, Lease, MAX_TAG_BLOCK};
use super::{Container, Probe, Sink, Sniff, TagError, TagPlace, TagReport, id3, read_options};

/// AIFF and AIFF-C files.
pub(super) struct Aiff;

impl Container for Aiff {
    fn name(&self) -> &'static str {
        "aiff"
    }

    fn sniff(&self, probe: &mut Probe<'_>) -> io::Result<Sniff> {
        let aiff = probe.at(0..4) == b"FORM" && matches!(probe.at(8..12), b"AIFF" | b"AIFC");
        Ok(if aiff { Sniff::Yes } else { Sniff::No })
    }

    fn written_locations(&self) -> &'static [TagPlace] {
        &[TagPlace::Id3v2Tsrc]
    }

    fn read_tags(&self, file: &mut File) -> Result<TagReport, TagError> {
        let (raw, _lease) = id3_chunks(file)?;
        let mut report = TagReport::default();
        file.seek(SeekFrom::Start(0))?;
        if let Some(tag) = AiffFile::read_from(file, read_options())?.id3v2() {
            let raw: Vec<&[u8]> = raw.iter().map(Vec::as_slice).collect();
            id3::read(tag, &raw, &mut report);
        }
        Ok(report)
    }

    /// The chunks streamed in order, each copied byte for byte but the first ID3 chunk,
    /// whose tag the project rebuilds with the code ([`id3::with_tsrc`]: every other
    /// frame kept as it was); a file without one gets an `ID3 ` chunk at the end. The
    /// `FORM` size follows; bytes after the `FORM` are kept.
    fn stream_tags(&self, source: &mut File, out: &mut dyn Sink, code: &str) -> Result<(), TagError> {
        let (bodies, _lease) = id3_chunks(source)?;
        let new_tag = id3::with_tsrc(bodies.first().map(Vec::as_slice), code)?;
        let chunks = chunk_list(source)?;
        let file_len = source.seek(SeekFrom::End(0))?;
        let mut has_id3 = false;
        let mut total = 4u64;
        // An empty tag (`untag` of a tag that held only the code) is no chunk at all.
        let id3_len = if new_tag.is_empty() { 0 } else { 8 + padded(new_tag.len() as u64) };
        for chunk in &chunks {
            total += if chunk.is_id3() && !has_id3 {
                has_id3 = true;
                id3_len
            } else {
                chunk.end - chunk.start
            };
        }
        if !has_id3 {
            total += id3_len;
        }
        let total = u32::try_from(total).map_err(|_| {
            TagError::Refused("the tagged AIFF would pass 4 GiB, which its FORM size cannot say".into())
        })?;
        let mut head = [0u8; 12];
        source.seek(SeekFrom::Start(0))?;
        source.read_exact(&mut head)?;
        out.write_all(b"FORM")?;
        out.write_all(&total.to_be_bytes())?;
        out.write_all(&head[8..12])?;
        let mut written_id3 = false;
        for chunk in &chunks {
            if chunk.is_id3() && !written_id3 {
                if !new_tag.is_empty() {
                    write_id3_chunk(out, &chunk.id, &new_tag)?;
                }
                written_id3 = true;
            } else {
                source.seek(SeekFrom::Start(chunk.start))?;
                let len = chunk.end - chunk.start;
                let copied = out.copy_from(source, len)?;
                if copied + 1 == len {
                    out.write_all(&[0])?; // the pad byte of a last odd chunk, missing
                } else if copied < len {
                    return Err(TagError::Io(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the file ended inside a chunk",
                    )));
                }
            }
        }
        if !written_id3 && !new_tag.is_empty() {
            write_id3_chunk(out, b"ID3 ", &new_tag)?;
        }
        let end = chunks.last().map_or(12, |c| c.end).min(file_len);
        if file_len > end {
            source.seek(SeekFrom::Start(end))?;
            out.copy_from(source, file_len - end)?;
        }
        Ok(())
    }
}

/// One chunk of the `FORM`: its id, and where it starts and ends (pad byte included).
struct Chunk {
    id: [u8; 4],
    start: u64,
    end: u64,
}

impl Chunk {
    fn is_id3(&self) -> bool {
        self.id.eq_ignore_ascii_case(b"id3 ")
    }
}

/// A length rounded up to even.
fn padded(len: u64) -> u64 {
    len + (len & 1)
}

/// The chunks of the `FORM`, in order; one that claims more than the file holds ends
/// the list (what decoders make of it is theirs to say).
fn chunk_list(file: &mut File) -> Result<Vec<Chunk>, TagError> {
    let len = file.seek(SeekFrom::End(0))?;
    let mut chunks = Vec::new();
    let mut at = 12u64;
    while at + 8 <= len {
        let mut header = [0u8; 8];
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(&mut header)?;
        let size = u64::from(u32::from_be_bytes([header[4], header[5], header[6], header[7]]));
        let end = at + 8 + padded(size);
        chunks.push(Chunk { id: [header[0], header[1], header[2], header[3]], start: at, end: end.min(len) });
        at = end;
    }
    Ok(chunks)
}

fn write_id3_chunk(out: &mut dyn Sink, id: &[u8; 4], tag: &[u8]) -> Result<(), TagError> {
    out.write_all(id)?;
    out.write_all(&(tag.len() as u32).to_be_bytes())?;
    out.write_all(tag)?;
    if tag.len() % 2 == 1 {
        out.write_all(&[0])?;
    }
    Ok(())
}

/// The bodies of the file's ID3 chunks (`ID3 `, `id3 `), under a lease of their size. The
/// chunks (a four-byte id, a 32-bit big-endian size, the body and a pad byte) are walked
/// from the `FORM` header; an ID3 chunk that claims more than the file holds, or more
/// than one tag block may be ([`super::limits`]), is refused with the cause.
fn id3_chunks(file: &mut File) -> Result<(Vec<Vec<u8>>, Option<Lease>), TagError> {
    let len = file.seek(SeekFrom::End(0))?;
    let mut at = 12u64;
    let mut found = Vec::new();
    while at + 8 <= len {
        let mut header = [0u8; 8];
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(&mut header)?;
        let size = u64::from(u32::from_be_bytes([header[4], header[5], header[6], header[7]]));
        let id = &header[..4];
        if id.eq_ignore_ascii_case(b"id3 ") {
            if at + 8 + size > len {
                return Err(TagError::Refused(format!(
                    "the {:?} chunk at byte {at} claims {size} bytes, but the file ends {} bytes after its header: \
                     the file is damaged or truncated, and is not tagged; export the master again",
                    String::from_utf8_lossy(id),
                    len - at - 8
                )));
            }
            if size > MAX_TAG_BLOCK {
                return Err(limits::over_limit(size, "the ID3 chunk"));
            }
            found.push((at + 8, size));
        }
        at += 8 + size + (size & 1);
    }
    if found.is_empty() {
        return Ok((Vec::new(), None));
    }
    let lease = limits::lease(found.iter().map(|(_, size)| size).sum(), "the ID3 chunks")?;
    let mut bodies = Vec::new();
    for (offset, size) in found {
        let mut body = vec![0u8; size as usize];
        file.seek(SeekFrom::Start(offset))?;
        file.read_exact(&mut body)?;
        bodies.push(body);
    }
    Ok((bodies, Some(lease)))
}
