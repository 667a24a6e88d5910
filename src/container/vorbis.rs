//! Vorbis comments, shared by FLAC (the VORBIS_COMMENT block) and Ogg Vorbis (the
//! comment header packet): the `ISRC` comment.
//!
//! The project reads and writes the comment block itself, from its bytes: a vendor
//! string and a count of fields, each field length-prefixed raw bytes, meant to be
//! `KEY=value` in UTF-8. lofty drops on reading what does not fit its types (a field
//! without `=`, a key outside the spec's ASCII range, a value that is not UTF-8) and
//! on writing what it reads as empty, so its save path would lose them. Here every
//! field other than `ISRC` is kept byte for byte, in its place, whatever its key, value,
//! encoding or emptiness; the first `ISRC` field (its key in any case) gets the code,
//! further `ISRC` fields go, and a block without one gets `ISRC=CODE` at its end.
//!
//! A block is read whole into memory (at most one tag block's limit, and under the run's
//! lease, [`super::limits`]) and walked without allocating per field, so a block of
//! millions of fields costs its own size.

use super::{TagError, TagPlace, TagReport};

/// The vendor string written into a comment block isrc-stamp creates.
pub(super) const VENDOR: &str = concat!("isrc-stamp ", env!("CARGO_PKG_VERSION"));

/// A comment block as stored, checked to hold what its counts say.
pub(super) struct Block<'a> {
    /// The vendor string's bytes.
    vendor: &'a [u8],
    /// The bytes from the first field's length to the end of the last field.
    fields: &'a [u8],
    /// Bytes after the last field (the framing bit of an Ogg Vorbis comment header).
    rest: &'a [u8],
}

impl<'a> Block<'a> {
    /// Parses the block, naming what is wrong with a damaged one (`what`: "the
    /// VORBIS_COMMENT block").
    pub(super) fn parse(bytes: &'a [u8], what: &str) -> Result<Block<'a>, TagError> {
        let damaged = |detail: String| {
            TagError::Refused(format!(
                "{what} is damaged: {detail}; isrc-stamp does not tag a file whose comments it cannot read whole: \
                 write the tags again with a tag editor (or export the master again), then run again"
            ))
        };
        let u32_at = |at: usize| bytes.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        let vendor_len =
            u32_at(0).ok_or_else(|| damaged(format!("{} bytes, too short for a vendor length", bytes.len())))? as usize;
        let vendor = bytes.get(4..4 + vendor_len).ok_or_else(|| {
            damaged(format!("its vendor string claims {vendor_len} bytes, but the block has {}", bytes.len()))
        })?;
        let at = 4 + vendor_len;
        let count = u32_at(at).ok_or_else(|| damaged("it ends before the count of fields".to_owned()))?;
        let start = at + 4;
        // Every field takes at least its four bytes of length.
        let room = (bytes.len() - start) / 4;
        if count as usize > room {
            return Err(damaged(format!(
                "it says it holds {count} fields, but its {} bytes hold at most {room}",
                bytes.len()
            )));
        }
        let mut end = start;
        for n in 0..count {
            let len = u32_at(end).unwrap_or(u32::MAX) as usize;
            let field_end = (end + 4).checked_add(len).filter(|&e| e <= bytes.len()).ok_or_else(|| {
                damaged(format!("field {} claims {len} bytes, past the end of the block", u64::from(n) + 1))
            })?;
            end = field_end;
        }
        Ok(Block { vendor, fields: &bytes[start..end], rest: &bytes[end..] })
    }

    /// Every field's bytes, in order.
    pub(super) fn fields(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let mut rest = self.fields;
        std::iter::from_fn(move || {
            let len = rest.get(..4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)?;
            let field = rest.get(4..4 + len)?;
            rest = &rest[4 + len..];
            Some(field)
        })
    }
}

/// The key of a field (the bytes before its first `=`, all of it without one) and its
/// value.
fn split(field: &[u8]) -> (&[u8], Option<&[u8]>) {
    match memchr::memchr(b'=', field) {
        Some(at) => (&field[..at], Some(&field[at + 1..])),
        None => (field, None),
    }
}

/// Adds the block's ISRCs (every non-empty `ISRC` value), title, artist, album, track
/// and disc numbers and advisory rating to `report`.
pub(super) fn read(block: &Block<'_>, report: &mut TagReport) {
    for field in block.fields() {
        let (key, Some(value)) = split(field) else { continue };
        let text = || String::from_utf8_lossy(value).into_owned();
        if key.eq_ignore_ascii_case(b"ISRC") {
            if !value.is_empty() {
                report.found(TagPlace::VorbisIsrc, text());
            }
        } else if key.eq_ignore_ascii_case(b"TITLE") {
            TagReport::fill(&mut report.title, Some(&text()));
        } else if key.eq_ignore_ascii_case(b"ARTIST") {
            TagReport::fill(&mut report.artist, Some(&text()));
        } else if key.eq_ignore_ascii_case(b"ALBUM") {
            TagReport::fill(&mut report.album, Some(&text()));
        } else if key.eq_ignore_ascii_case(b"TRACKNUMBER") {
            TagReport::fill_number(&mut report.track, Some(&text()));
        } else if key.eq_ignore_ascii_case(b"DISCNUMBER") {
            TagReport::fill_number(&mut report.disc, Some(&text()));
        } else if key.eq_ignore_ascii_case(b"ITUNESADVISORY") {
            report.fill_advisory(super::tags::Advisory::from_text(&text()));
        }
    }
}

/// The block with its one `ISRC` field set to `code` (a new block, with isrc-stamp's
/// vendor, when there is none): every other field, the vendor string and any bytes
/// after the fields kept as they were. An empty `code` takes every `ISRC` field out
/// (`untag`).
pub(super) fn with_isrc(block: Option<&Block<'_>>, code: &str) -> Vec<u8> {
    let isrc_field = format!("ISRC={code}");
    let (vendor, rest) = block.map_or((VENDOR.as_bytes(), &[][..]), |b| (b.vendor, b.rest));
    let mut out = Vec::with_capacity(block.map_or(0, |b| b.fields.len()) + vendor.len() + isrc_field.len() + 16);
    out.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
    out.extend_from_slice(vendor);
    let count_at = out.len();
    out.extend_from_slice(&[0; 4]);
    let mut count: u32 = 0;
    let mut replaced = false;
    let mut push = |out: &mut Vec<u8>, field: &[u8]| {
        out.extend_from_slice(&(field.len() as u32).to_le_bytes());
        out.extend_from_slice(field);
        count += 1;
    };
    for field in block.into_iter().flat_map(Block::fields) {
        if split(field).0.eq_ignore_ascii_case(b"ISRC") {
            if !replaced && !code.is_empty() {
                push(&mut out, isrc_field.as_bytes());
            }
            replaced = true;
        } else {
            push(&mut out, field);
        }
    }
    if !replaced && !code.is_empty() {
        push(&mut out, isrc_field.as_bytes());
    }
    out[count_at..count_at + 4].copy_from_slice(&count.to_le_bytes());
    out.extend_from_slice(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(vendor: &[u8], fields: &[&[u8]]) -> Vec<u8> {
        let mut out = (vendor.len() as u32).to_le_bytes().to_vec();
        out.extend_from_slice(vendor);
        out.extend_from_slice(&(fields.len() as u32).to_le_bytes());
        for field in fields {
            out.extend_from_slice(&(field.len() as u32).to_le_bytes());
            out.extend_from_slice(field);
        }
        out
    }

    #[test]
    fn every_other_field_is_kept_byte_for_byte_and_the_isrc_replaced_in_place() {
        let odd: [&[u8]; 6] =
            [b"COMMENT=", b"K\xc3\xa9Y=x", b"no separator", b"ARTIST=\xff\xfe", b"isrc=bad", b"TITLE=t"];
        let bytes = block(b"\xffvendor", &odd);
        let parsed = Block::parse(&bytes, "the block").unwrap();
        let new = with_isrc(Some(&parsed), "USPR37300012");
        let expected = block(
            b"\xffvendor",
            &[b"COMMENT=", b"K\xc3\xa9Y=x", b"no separator", b"ARTIST=\xff\xfe", b"ISRC=USPR37300012", b"TITLE=t"],
        );
        assert_eq!(new, expected);
        // Without one, it is added at the end; a second ISRC field goes.
        let bytes = block(b"v", &[b"A=1", b"ISRC=X", b"B=2", b"ISRC=Y"]);
        let new = with_isrc(Some(&Block::parse(&bytes, "b").unwrap()), "USPR37300012");
        assert_eq!(new, block(b"v", &[b"A=1", b"ISRC=USPR37300012", b"B=2"]));
        let bytes = block(b"v", &[b"A=1"]);
        let new = with_isrc(Some(&Block::parse(&bytes, "b").unwrap()), "USPR37300012");
        assert_eq!(new, block(b"v", &[b"A=1", b"ISRC=USPR37300012"]));
        assert_eq!(with_isrc(None, "USPR37300012"), block(VENDOR.as_bytes(), &[b"ISRC=USPR37300012"]));
        // `untag`: every ISRC field out, every other field kept.
        let bytes = block(b"v", &[b"A=1", b"ISRC=X", b"COMMENT=", b"isrc=Y"]);
        assert_eq!(with_isrc(Some(&Block::parse(&bytes, "b").unwrap()), ""), block(b"v", &[b"A=1", b"COMMENT="]));
    }

    #[test]
    fn every_isrc_value_is_read_and_a_damaged_block_is_named() {
        let bytes = block(b"v", &[b"ISRC=USPR37300012", b"Isrc=GBBBB9905305", b"ISRC=", b"TITLE=T\xe9", b"ARTIST=A"]);
        let mut report = TagReport::default();
        read(&Block::parse(&bytes, "b").unwrap(), &mut report);
        let values: Vec<&str> = report.isrcs.iter().map(|f| f.value.as_str()).collect();
        assert_eq!(values, ["USPR37300012", "GBBBB9905305"]);
        assert_eq!(report.title.as_deref(), Some("T\u{fffd}"));
        assert_eq!(report.artist.as_deref(), Some("A"));

        let mut huge = block(b"v", &[b"A=1"]);
        huge[5..9].copy_from_slice(&u32::MAX.to_le_bytes());
        let error = Block::parse(&huge, "the VORBIS_COMMENT block").err().unwrap().to_string();
        assert!(error.contains("says it holds 4294967295 fields, but its 16 bytes hold at most 1"), "{error}");
        let mut vendor = block(b"v", &[]);
        vendor[0..4].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
        let error = Block::parse(&vendor, "the VORBIS_COMMENT block").err().unwrap().to_string();
        assert!(error.contains("vendor string claims 2147483647 bytes"), "{error}");
        let mut field = block(b"v", &[b"A=1"]);
        field[9..13].copy_from_slice(&1000u32.to_le_bytes());
        let error = Block::parse(&field, "the block").err().unwrap().to_string();
        assert!(error.contains("field 1 claims 1000 bytes, past the end"), "{error}");
    }
}
