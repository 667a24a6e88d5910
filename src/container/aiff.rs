//! AIFF and AIFF-C: the ISRC in the `TSRC` frame of the ID3 chunk.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use lofty::file::AudioFile;
use lofty::iff::aiff::AiffFile;

use super::limits::{self, Lease, MAX_TAG_BLOCK};
use super::{Container, Location, Probe, Sniff, TagError, TagReport, copy_whole, id3, read_options, rewrite_options};

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

    fn written_locations(&self) -> &'static [Location] {
        &[Location::Id3v2Tsrc]
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

    fn write_tags(&self, source: &mut File, target: &mut File, code: &str) -> Result<(), TagError> {
        // The ID3 chunks are checked (inside the file, within the limit) before lofty reads them.
        let (_, _lease) = id3_chunks(source)?;
        source.seek(SeekFrom::Start(0))?;
        let mut aiff = AiffFile::read_from(source, rewrite_options())?;
        let (tag, options) = id3::with_tsrc(aiff.id3v2().cloned(), code);
        aiff.set_id3v2(tag);
        copy_whole(source, target)?;
        aiff.save_to(target, options).map_err(|e| TagError::Write(e.to_string()))
    }

    fn check_writable(&self, source: &mut File, code: &str) -> Result<(), TagError> {
        let (_, _lease) = id3_chunks(source)?;
        source.seek(SeekFrom::Start(0))?;
        let file = AiffFile::read_from(source, rewrite_options())?;
        let (tag, options) = id3::with_tsrc(file.id3v2().cloned(), code);
        lofty::tag::TagExt::dump_to(&tag, &mut Vec::new(), options).map_err(|e| TagError::Write(e.to_string()))
    }
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
