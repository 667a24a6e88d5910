//! ID3v2, shared by MP3 and by the ID3 chunks of WAV and AIFF: the `TSRC` frame.

use std::borrow::Cow;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use lofty::id3::v2::{Frame, FrameId, Id3v2Tag};

use super::limits::{self, Lease};
use super::{TagError, TagPlace, TagReport};

/// The ID3v2 frame that holds the ISRC.
const TSRC: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TSRC"));
const TIT2: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TIT2"));
const TPE1: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TPE1"));
const TRCK: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TRCK"));
const TPOS: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TPOS"));
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
        report.found(TagPlace::Id3v2Tsrc, value);
    }
    let first = |id: &FrameId<'_>| id3.get_text(id).map(|t| t.split('\0').next().unwrap_or(t));
    TagReport::fill(&mut report.title, first(&TIT2));
    TagReport::fill(&mut report.artist, first(&TPE1));
    TagReport::fill(&mut report.album, first(&TALB));
    TagReport::fill_number(&mut report.track, first(&TRCK));
    TagReport::fill_number(&mut report.disc, first(&TPOS));
    let advisory = id3
        .get_user_text("ITUNESADVISORY")
        .or_else(|| id3.get_user_text("iTunesAdvisory"))
        .and_then(super::tags::Advisory::from_text);
    report.fill_advisory(advisory);
}

/// The ID3v2 tag `tag` (its bytes as stored, header included; `None` for a file without
/// one) with one `TSRC` frame holding `code`, built by the project: every other frame is
/// kept byte for byte, in its place and its version's form (lofty would drop a second
/// frame of one id, a frame it cannot parse, and re-encode the rest). The first `TSRC`
/// frame (`TRC` in ID3v2.2) is replaced in place, further ones go, and a tag without one
/// gets it at the end of its frames; the tag keeps its version, and its size when the
/// frames still fit (the padding takes up the difference). A tag unsynchronised as a
/// whole (ID3v2.3) is written resynchronised, its flag cleared; an extended header (its
/// padding size and CRC would no longer hold) is left out, its flag cleared. A new tag
/// is ID3v2.3, the version every reader handles. An empty `code` takes every `TSRC`
/// frame out (`untag`), and gives no tag for a file without one.
pub(super) fn with_tsrc(tag: Option<&[u8]>, code: &str) -> Result<Vec<u8>, TagError> {
    let Some(tag) = tag else {
        if code.is_empty() {
            return Ok(Vec::new());
        }
        return Ok(assemble(3, 0, &tsrc_frame(3, code), 0));
    };
    let refuse = |detail: &str| {
        TagError::Refused(format!(
            "the ID3v2 tag {detail}; the file is not tagged: write its tags again with a tag editor, then run again"
        ))
    };
    let header = tag.get(..10).filter(|h| h.starts_with(b"ID3")).ok_or_else(|| refuse("is cut off"))?;
    let (version, flags) = (header[3], header[5]);
    if !(2..=4).contains(&version) {
        return Err(refuse(&format!("is of version 2.{version}, which isrc-stamp does not write")));
    }
    if version == 2 && flags & 0x40 != 0 {
        return Err(refuse("is compressed (ID3v2.2), which no reader of today reads"));
    }
    let size = header[6..10].iter().fold(0usize, |acc, &b| (acc << 7) | usize::from(b & 0x7f));
    let body = tag.get(10..10 + size).ok_or_else(|| refuse("is shorter than its header says"))?;
    let body: Cow<'_, [u8]> = if version < 4 && flags & 0x80 != 0 { resynchronise(body).into() } else { body.into() };
    let mut at = 0;
    if flags & 0x40 != 0 && version >= 3 {
        let extended = body.get(..4).ok_or_else(|| refuse("ends inside its extended header"))?;
        at = match version {
            3 => 4 + u32::from_be_bytes([extended[0], extended[1], extended[2], extended[3]]) as usize,
            _ => extended.iter().fold(0usize, |acc, &b| (acc << 7) | usize::from(b & 0x7f)),
        };
    }
    let (id_len, header_len) = if version == 2 { (3, 6) } else { (4, 10) };
    let mut frames = Vec::with_capacity(body.len() + 32);
    let mut replaced = false;
    while let Some(frame) = body.get(at..at + header_len) {
        if frame[0] == 0 {
            break; // padding
        }
        if !frame[..id_len].iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
            break; // what a writer left after its frames: kept below as it is
        }
        let len = match version {
            2 => usize::from(frame[3]) << 16 | usize::from(frame[4]) << 8 | usize::from(frame[5]),
            3 => u32::from_be_bytes([frame[4], frame[5], frame[6], frame[7]]) as usize,
            _ => frame[4..8].iter().fold(0usize, |acc, &b| (acc << 7) | usize::from(b & 0x7f)),
        };
        let end = (at + header_len).checked_add(len).filter(|&end| end <= body.len()).ok_or_else(|| {
            refuse(&format!(
                "has a {} frame that claims {len} bytes, past the end of the tag",
                String::from_utf8_lossy(&frame[..id_len])
            ))
        })?;
        if &frame[..id_len] == b"TSRC" || &frame[..id_len] == b"TRC" {
            if !replaced && !code.is_empty() {
                frames.extend(tsrc_frame(version, code));
            }
            replaced = true;
        } else {
            frames.extend_from_slice(&body[at..end]);
        }
        at = end;
    }
    if !replaced && !code.is_empty() {
        frames.extend(tsrc_frame(version, code));
    }
    let rest = body.get(at..).unwrap_or_default();
    if rest.iter().any(|&b| b != 0) {
        frames.extend_from_slice(rest);
    }
    // The same size when the frames fit, so what follows the tag stays where it was.
    let padding = size.saturating_sub(frames.len());
    if frames.len() + padding >= 1 << 28 {
        return Err(refuse("would pass 256 MB, the most an ID3v2 tag holds"));
    }
    Ok(assemble(version, flags & !0xc0, &frames, padding))
}

/// A `TSRC` frame (`TRC` in ID3v2.2) holding `code` in ISO-8859-1.
fn tsrc_frame(version: u8, code: &str) -> Vec<u8> {
    let len = code.len() + 1;
    let mut frame = Vec::with_capacity(len + 10);
    match version {
        2 => {
            frame.extend_from_slice(b"TRC");
            frame.extend_from_slice(&(len as u32).to_be_bytes()[1..]);
        }
        3 => {
            frame.extend_from_slice(b"TSRC");
            frame.extend_from_slice(&(len as u32).to_be_bytes());
            frame.extend_from_slice(&[0, 0]);
        }
        _ => {
            frame.extend_from_slice(b"TSRC");
            frame.extend_from_slice(&syncsafe(len));
            frame.extend_from_slice(&[0, 0]);
        }
    }
    frame.push(0);
    frame.extend_from_slice(code.as_bytes());
    frame
}

/// A whole tag: header, frames, padding, and the footer when `flags` asks for one.
fn assemble(version: u8, flags: u8, frames: &[u8], padding: usize) -> Vec<u8> {
    let footer = version == 4 && flags & 0x10 != 0;
    // A tag with a footer has no padding (ID3v2.4, 3.4).
    let padding = if footer { 0 } else { padding };
    let size = syncsafe(frames.len() + padding);
    let mut tag = Vec::with_capacity(20 + frames.len() + padding);
    tag.extend_from_slice(&[b'I', b'D', b'3', version, 0, flags]);
    tag.extend_from_slice(&size);
    tag.extend_from_slice(frames);
    tag.resize(tag.len() + padding, 0);
    if footer {
        tag.extend_from_slice(&[b'3', b'D', b'I', version, 0, flags]);
        tag.extend_from_slice(&size);
    }
    tag
}

/// A 28-bit number as four syncsafe bytes.
fn syncsafe(n: usize) -> [u8; 4] {
    [(n >> 21) as u8 & 0x7f, (n >> 14) as u8 & 0x7f, (n >> 7) as u8 & 0x7f, n as u8 & 0x7f]
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An ID3v2.3 frame.
    fn frame(id: &[u8; 4], content: &[u8]) -> Vec<u8> {
        let mut out = id.to_vec();
        out.extend_from_slice(&(content.len() as u32).to_be_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(content);
        out
    }

    #[test]
    fn every_other_frame_is_kept_byte_for_byte_and_the_tsrc_replaced_in_place() {
        // Two TXXX frames of one description and two COMM frames (lofty keeps one of
        // each), a frame lofty cannot parse, and two TSRC frames.
        let frames = [
            frame(b"TIT2", b"\x00Title"),
            frame(b"TXXX", b"\x00same\x00one"),
            frame(b"TXXX", b"\x00same\x00two"),
            frame(b"TSRC", b"\x00GBBBB9905305"),
            frame(b"COMM", b"\x00engx\x00a"),
            frame(b"COMM", b"\x00engx\x00b"),
            frame(b"ZZZZ", b"\xff\xfe\xfd"),
            frame(b"TSRC", b"\x00USPR37300012"),
        ];
        let old = assemble(3, 0, &frames.concat(), 100);
        let new = with_tsrc(Some(&old), "QZTST2600001").unwrap();
        let mut expected = frames.to_vec();
        expected[3] = frame(b"TSRC", b"\x00QZTST2600001");
        expected.pop();
        let body: Vec<u8> = expected.concat();
        assert_eq!(new.len(), old.len(), "the padding takes up the difference");
        assert_eq!(&new[..10], &old[..10]);
        assert_eq!(&new[10..10 + body.len()], &body[..]);
        assert!(new[10 + body.len()..].iter().all(|&b| b == 0));
        assert_eq!(raw_tsrc_values(&new), ["QZTST2600001"]);
        assert_eq!(raw_tsrc_values(&old), ["GBBBB9905305", "USPR37300012"]);
    }

    #[test]
    fn versions_are_kept_a_new_tag_is_v23_and_damage_is_named() {
        let new = with_tsrc(None, "QZTST2600001").unwrap();
        assert_eq!(&new[..4], b"ID3\x03");
        assert_eq!(raw_tsrc_values(&new), ["QZTST2600001"]);
        // ID3v2.2: TRC with a three-byte size.
        let v22 = assemble(2, 0, b"TT2\x00\x00\x03\x00ab", 0);
        let new = with_tsrc(Some(&v22), "QZTST2600001").unwrap();
        assert_eq!(&new[10..19], b"TT2\x00\x00\x03\x00ab");
        assert_eq!(&new[19..25], b"TRC\x00\x00\x0d");
        assert_eq!(raw_tsrc_values(&new), ["QZTST2600001"]);
        // ID3v2.4 with a footer: syncsafe sizes, the footer rebuilt.
        let v24 = assemble(4, 0x10, b"TIT2\x00\x00\x00\x02\x00\x00\x03t", 0);
        let new = with_tsrc(Some(&v24), "QZTST2600001").unwrap();
        assert!(new.ends_with(&[&b"3DI\x04\x00\x10"[..], &new[6..10]].concat()));
        assert_eq!(raw_tsrc_values(&new), ["QZTST2600001"]);
        let mut lying = assemble(3, 0, &frame(b"TIT2", b"\x00t"), 0);
        lying[14..18].copy_from_slice(&1000u32.to_be_bytes());
        let error = with_tsrc(Some(&lying), "QZTST2600001").unwrap_err().to_string();
        assert!(error.contains("a TIT2 frame that claims 1000 bytes, past the end of the tag"), "{error}");
    }
}
