//! Reads the track ISRCs of a FLAC CUESHEET metadata block.
//!
//! Layout (FLAC format, METADATA_BLOCK_CUESHEET): media catalog number (128 bytes),
//! lead-in samples (u64), CD flag and reserved (259 bytes), track count (u8), then per
//! track: offset (u64), number (u8), ISRC (12 bytes), flags (1), reserved (13), index
//! count (u8) and 12 bytes per index.

use std::io::{Read, Seek, SeekFrom};

/// The METADATA_BLOCK type of a CUESHEET.
const CUESHEET_BLOCK: u8 = 5;

/// One track of a cue sheet with its ISRC (empty tracks are left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CuesheetTrack {
    /// The track number (170 is the lead-out, which has no ISRC).
    pub number: u8,
    /// The ISRC field, NULs trimmed.
    pub isrc: String,
}

/// The tracks with a non-empty ISRC in the CUESHEET block of a FLAC file, if any.
pub(crate) fn read_flac_cuesheet(file: &mut (impl Read + Seek)) -> std::io::Result<Vec<CuesheetTrack>> {
    let Some(block) = find_block(file, CUESHEET_BLOCK)? else {
        return Ok(Vec::new());
    };
    Ok(parse(&block).unwrap_or_default())
}

/// Finds a metadata block of `kind` in a FLAC file and returns its body.
fn find_block(file: &mut (impl Read + Seek), kind: u8) -> std::io::Result<Option<Vec<u8>>> {
    let Some(marker) = super::marker_offset(file)? else {
        return Ok(None);
    };
    let mut at = marker + 4;
    loop {
        let mut header = [0u8; 4];
        file.seek(SeekFrom::Start(at))?;
        if file.read_exact(&mut header).is_err() {
            return Ok(None);
        }
        let len = u32::from_be_bytes([0, header[1], header[2], header[3]]);
        if header[0] & 0x7f == kind {
            let mut body = Vec::new();
            file.take(u64::from(len)).read_to_end(&mut body)?;
            return Ok(Some(body));
        }
        if header[0] & 0x80 != 0 {
            return Ok(None);
        }
        at += 4 + u64::from(len);
    }
}

/// Parses a CUESHEET body; `None` when it is malformed.
pub(crate) fn parse(body: &[u8]) -> Option<Vec<CuesheetTrack>> {
    let track_count = *body.get(395)?;
    let mut at = 396;
    let mut tracks = Vec::new();
    for _ in 0..track_count {
        let number = *body.get(at + 8)?;
        let isrc_bytes = body.get(at + 9..at + 21)?;
        let indices = usize::from(*body.get(at + 35)?);
        let isrc: String = isrc_bytes.iter().take_while(|&&b| b != 0).map(|&b| char::from(b)).collect();
        if !isrc.trim().is_empty() {
            tracks.push(CuesheetTrack { number, isrc });
        }
        at += 36 + 12 * indices;
    }
    Some(tracks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cuesheet_with(tracks: &[(u8, &[u8; 12])]) -> Vec<u8> {
        let mut body = vec![0u8; 395];
        body.push(tracks.len() as u8);
        for (number, isrc) in tracks {
            body.extend_from_slice(&0u64.to_be_bytes());
            body.push(*number);
            body.extend_from_slice(*isrc);
            body.extend_from_slice(&[0u8; 14]);
            body.push(1); // one index
            body.extend_from_slice(&[0u8; 12]);
        }
        body
    }

    #[test]
    fn reads_track_isrcs_and_skips_empty_ones() {
        let body = cuesheet_with(&[(1, b"GBBBB9905305"), (2, &[0; 12]), (170, &[0; 12])]);
        assert_eq!(parse(&body), Some(vec![CuesheetTrack { number: 1, isrc: "GBBBB9905305".into() }]));
    }

    #[test]
    fn a_short_block_is_malformed_not_a_panic() {
        let mut body = cuesheet_with(&[(1, b"GBBBB9905305")]);
        body.truncate(400);
        assert_eq!(parse(&body), None);
    }
}
