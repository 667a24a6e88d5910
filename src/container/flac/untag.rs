//! Taking the ISRC out of a FLAC file's Vorbis comments by hand (`untag`): every
//! metadata block is kept byte for byte but the `VORBIS_COMMENT` block, whose `ISRC`
//! fields (any case) are cut and whose other fields, vendor string and block flags are
//! kept as they were, whatever their bytes.

use crate::container::TagError;

/// The metadata `head` (from `fLaC`, or a leading ID3v2 tag, to the first frame) with
/// every `ISRC` field of every Vorbis comment block removed.
pub(super) fn without_isrc(head: &[u8]) -> Result<Vec<u8>, TagError> {
    let start = head
        .windows(4)
        .position(|w| w == b"fLaC")
        .ok_or_else(|| TagError::Write("no fLaC marker before the frames".into()))?;
    let mut out = head[..start + 4].to_vec();
    let mut at = start + 4;
    while at + 4 <= head.len() {
        let kind = head[at];
        let len = u32::from_be_bytes([0, head[at + 1], head[at + 2], head[at + 3]]) as usize;
        let body = head
            .get(at + 4..at + 4 + len)
            .ok_or_else(|| TagError::Write("a metadata block runs past the frames".into()))?;
        if kind & 0x7f == 4 {
            let body = comments_without_isrc(body)?;
            let len = u32::try_from(body.len()).ok().filter(|&n| n < 1 << 24);
            let len = len.ok_or_else(|| TagError::Write("a Vorbis comment block over 16 MiB".into()))?;
            out.push(kind);
            out.extend_from_slice(&len.to_be_bytes()[1..]);
            out.extend_from_slice(&body);
        } else {
            out.extend_from_slice(&head[at..at + 4 + len]);
        }
        at += 4 + len;
        if kind & 0x80 != 0 {
            break;
        }
    }
    out.extend_from_slice(&head[at.min(head.len())..]);
    Ok(out)
}

/// A Vorbis comment body (little-endian lengths) without its `ISRC` fields.
fn comments_without_isrc(body: &[u8]) -> Result<Vec<u8>, TagError> {
    let bad = || TagError::Write("the Vorbis comment block is truncated".into());
    let u32_at = |at: usize| -> Result<usize, TagError> {
        let bytes = body.get(at..at + 4).ok_or_else(bad)?;
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize)
    };
    let vendor_len = u32_at(0)?;
    let mut at = 4 + vendor_len;
    body.get(..at).ok_or_else(bad)?;
    let count = u32_at(at)?;
    at += 4;
    let mut kept: Vec<&[u8]> = Vec::new();
    for _ in 0..count {
        let len = u32_at(at)?;
        let field = body.get(at + 4..at + 4 + len).ok_or_else(bad)?;
        let key = field.split(|&b| b == b'=').next().unwrap_or_default();
        if !key.eq_ignore_ascii_case(b"ISRC") {
            kept.push(field);
        }
        at += 4 + len;
    }
    let mut out = body[..4 + vendor_len].to_vec();
    out.extend_from_slice(&(kept.len() as u32).to_le_bytes());
    for field in kept {
        out.extend_from_slice(&(field.len() as u32).to_le_bytes());
        out.extend_from_slice(field);
    }
    // Bytes after the last field (the framing bit of an Ogg packet has none here) kept.
    out.extend_from_slice(&body[at.min(body.len())..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![kind];
        out.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        out.extend_from_slice(body);
        out
    }

    fn comments(fields: &[&[u8]]) -> Vec<u8> {
        let mut out = 3u32.to_le_bytes().to_vec();
        out.extend_from_slice(b"ven");
        out.extend_from_slice(&(fields.len() as u32).to_le_bytes());
        for field in fields {
            out.extend_from_slice(&(field.len() as u32).to_le_bytes());
            out.extend_from_slice(field);
        }
        out
    }

    #[test]
    fn only_the_isrc_fields_go_and_every_other_byte_stays() {
        let odd: &[&[u8]] =
            &[b"TITLE=x", b"isrc=USPR37300012", b"COMMENT=", b"no equals", b"K\xc3\xa9Y=\xff", b"ISRC=Y"];
        let mut head = b"fLaC".to_vec();
        head.extend(block(0, &[7; 34]));
        head.extend(block(1, &[0; 16]));
        head.extend(block(0x84, &comments(odd)));
        let out = without_isrc(&head).unwrap();
        let mut expected = b"fLaC".to_vec();
        expected.extend(block(0, &[7; 34]));
        expected.extend(block(1, &[0; 16]));
        expected.extend(block(0x84, &comments(&[b"TITLE=x", b"COMMENT=", b"no equals", b"K\xc3\xa9Y=\xff"])));
        assert_eq!(out, expected);
    }

    #[test]
    fn a_truncated_block_is_an_error_not_a_panic() {
        let mut head = b"fLaC".to_vec();
        head.extend(block(0x84, &comments(&[b"ISRC=X"])[..9]));
        assert!(without_isrc(&head).is_err());
        assert!(without_isrc(b"nothing").is_err());
    }
}
