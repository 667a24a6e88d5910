//! ID3v2, shared by MP3 and by the ID3 chunks of WAV and AIFF: the `TSRC` frame.

use std::borrow::Cow;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use lofty::config::WriteOptions;
use lofty::id3::v2::{Frame, FrameId, Id3v2Tag, Id3v2Version, TextInformationFrame};

use super::limits::{self, Lease};
use super::{Location, TagError, TagReport};

/// The ID3v2 frame that holds the ISRC.
const TSRC: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TSRC"));
const TIT2: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TIT2"));
const TPE1: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TPE1"));
const TALB: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TALB"));

/// Every value of every `TSRC` frame (ID3v2.4 separates several values with NUL).
fn tsrc_values(id3: &Id3v2Tag) -> Vec<String> {
    id3.into_iter()
        .filter(|frame| frame.id() == &TSRC)
        .filter_map(|frame| match frame {
            Frame::Text(text) => Some(text.value.to_string()),
            _ => None,
        })
        .flat_map(|value| value.split('\0').map(str::to_owned).collect::<Vec<_>>())
        .filter(|value| !value.is_empty())
        .collect()
}

/// Adds the tag's ISRCs, title, artist and album to `report`. `raw` are the bytes of the
/// tag (or tags) as stored, when the caller has them: lofty keeps only the last of
/// several frames with one id, so every `TSRC` frame is read from them
/// ([`raw_tsrc_values`]), and two frames are two values, a finding like two values in one.
pub(super) fn read(id3: &Id3v2Tag, raw: &[&[u8]], report: &mut TagReport) {
    let values =
        if raw.is_empty() { tsrc_values(id3) } else { raw.iter().flat_map(|tag| raw_tsrc_values(tag)).collect() };
    for value in values {
        report.found(Location::Id3v2Tsrc, value);
    }
    let first = |id: &FrameId<'_>| id3.get_text(id).map(|t| t.split('\0').next().unwrap_or(t));
    TagReport::fill(&mut report.title, first(&TIT2));
    TagReport::fill(&mut report.artist, first(&TPE1));
    TagReport::fill(&mut report.album, first(&TALB));
}

/// `tag` (or a new tag) with one `TSRC` frame holding `code`, and the write options
/// that keep its version: ID3v2 tags keep their version (v2.2 tags, which lofty cannot
/// write, become v2.3); a new tag is written as v2.3, the version every reader handles.
pub(super) fn with_tsrc(tag: Option<Id3v2Tag>, code: &str) -> (Id3v2Tag, WriteOptions) {
    let is_new = tag.is_none();
    let mut tag = tag.unwrap_or_default();
    let v24 = !is_new && tag.original_version() == Id3v2Version::V4;
    let _ = tag.remove(&TSRC).count();
    tag.insert(Frame::Text(TextInformationFrame::new(TSRC, lofty::TextEncoding::Latin1, Cow::Owned(code.to_owned()))));
    (tag, WriteOptions::new().use_id3v23(!v24))
}

/// Every value of every `TSRC` frame (`TRC` in ID3v2.2) of the ID3v2 tag whose bytes
/// (header included) are `tag`, read from the bytes as stored: a frame that cannot be
/// read as text (compressed, encrypted) gives a value that is no ISRC, so the file is
/// not taken as carrying none.
pub(super) fn raw_tsrc_values(tag: &[u8]) -> Vec<String> {
    let mut values = Vec::new();
    let Some(header) = tag.get(..10).filter(|h| h.starts_with(b"ID3")) else { return values };
    let version = header[3];
    let flags = header[5];
    let size = header[6..10].iter().fold(0usize, |acc, &b| (acc << 7) | usize::from(b & 0x7f));
    let body = &tag[10..tag.len().min(10 + size)];
    // ID3v2.3 unsynchronises the whole tag; ID3v2.4 each frame (its own flag).
    let body: std::borrow::Cow<'_, [u8]> =
        if version < 4 && flags & 0x80 != 0 { resynchronise(body).into() } else { body.into() };
    let mut at = 0;
    if flags & 0x40 != 0 && version >= 3 {
        let Some(extended) = body.get(..4) else { return values };
        at = match version {
            3 => 4 + u32::from_be_bytes([extended[0], extended[1], extended[2], extended[3]]) as usize,
            _ => extended.iter().fold(0usize, |acc, &b| (acc << 7) | usize::from(b & 0x7f)),
        };
    }
    let (id_len, header_len) = if version == 2 { (3, 6) } else { (4, 10) };
    while let Some(frame) = body.get(at..at + header_len) {
        if frame[0] == 0 {
            break; // padding
        }
        let len = match version {
            2 => usize::from(frame[3]) << 16 | usize::from(frame[4]) << 8 | usize::from(frame[5]),
            3 => u32::from_be_bytes([frame[4], frame[5], frame[6], frame[7]]) as usize,
            _ => frame[4..8].iter().fold(0usize, |acc, &b| (acc << 7) | usize::from(b & 0x7f)),
        };
        let start = at + header_len;
        let Some(content) = body.get(start..start.saturating_add(len)) else { break };
        let id = &frame[..id_len];
        if id == b"TSRC" || id == b"TRC" {
            let frame_flags = if version >= 3 { frame[9] } else { 0 };
            values.extend(frame_text(content, version, frame_flags));
        }
        at = start + len;
    }
    values
}

/// The values of a text frame's content, split at NULs.
fn frame_text(content: &[u8], version: u8, flags: u8) -> Vec<String> {
    let unreadable = || vec!["(a TSRC frame that cannot be read as text)".to_owned()];
    let (compressed, encrypted, unsynchronised, length_given) = match version {
        3 => (flags & 0x80 != 0, flags & 0x40 != 0, false, false),
        4 => (flags & 0x08 != 0, flags & 0x04 != 0, flags & 0x02 != 0, flags & 0x01 != 0),
        _ => (false, false, false, false),
    };
    if compressed || encrypted {
        return unreadable();
    }
    let content = if length_given { content.get(4..).unwrap_or_default() } else { content };
    let content: std::borrow::Cow<'_, [u8]> =
        if unsynchronised { resynchronise(content).into() } else { content.into() };
    let Some((&encoding, text)) = content.split_first() else { return Vec::new() };
    let text = match encoding {
        0 => text.iter().map(|&b| char::from(b)).collect(),
        1 | 2 => {
            let big_endian = match text {
                [0xfe, 0xff, ..] => true,
                [0xff, 0xfe, ..] => false,
                _ => encoding == 2,
            };
            let units: Vec<u16> = text
                .chunks_exact(2)
                .map(|pair| {
                    if big_endian {
                        u16::from_be_bytes([pair[0], pair[1]])
                    } else {
                        u16::from_le_bytes([pair[0], pair[1]])
                    }
                })
                .collect();
            let units = if encoding == 1 && matches!(text, [0xfe, 0xff, ..] | [0xff, 0xfe, ..]) {
                &units[1..]
            } else {
                &units[..]
            };
            // A BOM may start each value again.
            String::from_utf16_lossy(units).replace('\u{feff}', "")
        }
        3 => String::from_utf8_lossy(text).into_owned(),
        _ => return unreadable(),
    };
    text.split('\0').filter(|value| !value.is_empty()).map(str::to_owned).collect()
}

/// Undoes ID3 unsynchronisation: every `FF 00` becomes `FF`.
fn resynchronise(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut previous = 0u8;
    for &byte in bytes {
        if !(previous == 0xff && byte == 0) {
            out.push(byte);
        }
        previous = if previous == 0xff && byte == 0 { 0 } else { byte };
    }
    out
}

/// The ID3v2 tag at the start of `file`, as stored (header included), under a lease of
/// its size; `None` when the file does not start with one. A tag whose size is not
/// syncsafe, or that claims more than the file holds or than one tag block may be
/// ([`super::limits`]), is refused with the cause.
pub(super) fn leading_tag(file: &mut File) -> Result<Option<(Vec<u8>, Lease)>, TagError> {
    let file_len = file.seek(SeekFrom::End(0))?;
    file.seek(SeekFrom::Start(0))?;
    let mut head = [0u8; 10];
    if file.read_exact(&mut head).is_err() || !head.starts_with(b"ID3") {
        return Ok(None);
    }
    let damaged = |detail: String| {
        TagError::Refused(format!(
            "the ID3v2 tag is damaged: {detail}; the file is not tagged: write its tags again with a tag editor \
             (or export the master again), then run again"
        ))
    };
    if head[6..10].iter().any(|&b| b & 0x80 != 0) {
        return Err(damaged(format!(
            "its size bytes {:02X} {:02X} {:02X} {:02X} are not syncsafe (a byte over 0x7F)",
            head[6], head[7], head[8], head[9]
        )));
    }
    let len = tag_len(&head).unwrap_or(10);
    if len > file_len {
        return Err(damaged(format!("it claims {len} bytes, but the whole file has {file_len}")));
    }
    let lease = limits::lease(len, "the ID3v2 tag")?;
    let mut tag = vec![0u8; len as usize];
    file.seek(SeekFrom::Start(0))?;
    file.read_exact(&mut tag)?;
    Ok(Some((tag, lease)))
}

/// The total length of an ID3v2 tag at the start of `head`, header and footer included.
pub(crate) fn tag_len(head: &[u8]) -> Option<u64> {
    let size = head.get(6..10)?;
    let syncsafe = size.iter().fold(0u64, |acc, &b| (acc << 7) | u64::from(b & 0x7f));
    let footer = if head.get(5)? & 0x10 != 0 { 10 } else { 0 };
    Some(10 + syncsafe + footer)
}
