//! The bytes a file's audio is decoded from, for proving a tagged copy kept its audio.
//!
//! For WAV the audio id is a function of the `fmt ` and `data` chunk bodies only; for
//! FLAC, of the STREAMINFO block and the frames after the metadata. A tag write that
//! leaves those bytes identical leaves the audio id identical, so for these two formats
//! the safe writer compares them byte for byte between the original and the tagged
//! copy (reading both back from disk) instead of decoding the copy again: the same
//! guarantee, at the cost of reading rather than decoding. Every other format is
//! proven by a full decode.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

use crate::format::Format;

/// Byte ranges of a file that determine its decoded audio.
pub fn regions(path: &Path, format: Format) -> io::Result<Option<Vec<Range<u64>>>> {
    let mut file = File::open(path)?;
    Ok(match format {
        Format::Wav => {
            let chunks = crate::riff::chunks(&mut file)?;
            let body = |id: &[u8; 4]| {
                let chunk = chunks.iter().find(|c| &c.id == id)?;
                Some(chunk.body_offset..chunk.body_offset + u64::from(chunk.body_len))
            };
            match (body(b"fmt "), body(b"data")) {
                (Some(fmt), Some(data)) => Some(vec![fmt, data]),
                _ => None,
            }
        }
        Format::Flac => {
            let frames = crate::audio::flac_frames_region(&mut file)?;
            // STREAMINFO is the first block: 4 bytes after "fLaC", 34 bytes long.
            let marker = crate::audio::flac_marker_offset(&mut file)?;
            marker.map(|at| vec![at + 8..at + 8 + 34, frames])
        }
        _ => None,
    })
}

/// Whether the audio-determining bytes of `copy` equal those of `original`.
///
/// `Ok(None)` when the format is not covered (the caller decodes instead).
pub fn same_audio_bytes(original: &Path, copy: &Path, format: Format) -> io::Result<Option<bool>> {
    let (Some(a), Some(b)) = (regions(original, format)?, regions(copy, format)?) else {
        return Ok(None);
    };
    if a.len() != b.len() || a.iter().zip(&b).any(|(x, y)| x.end - x.start != y.end - y.start) {
        return Ok(Some(false));
    }
    let (mut left, mut right) = (File::open(original)?, File::open(copy)?);
    for (x, y) in a.iter().zip(&b) {
        if !equal_ranges(&mut left, x, &mut right, y)? {
            return Ok(Some(false));
        }
    }
    Ok(Some(true))
}

/// Compares two equally long byte ranges of two files.
fn equal_ranges(left: &mut File, x: &Range<u64>, right: &mut File, y: &Range<u64>) -> io::Result<bool> {
    const BLOCK: usize = 1 << 20;
    let (mut a, mut b) = (vec![0u8; BLOCK], vec![0u8; BLOCK]);
    left.seek(SeekFrom::Start(x.start))?;
    right.seek(SeekFrom::Start(y.start))?;
    let mut remaining = x.end - x.start;
    while remaining > 0 {
        let n = remaining.min(BLOCK as u64) as usize;
        left.read_exact(&mut a[..n])?;
        right.read_exact(&mut b[..n])?;
        if a[..n] != b[..n] {
            return Ok(false);
        }
        remaining -= n as u64;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(rel: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(rel)
    }

    #[test]
    fn tag_differences_do_not_count_and_sample_differences_do() {
        // Same samples, different chunks and tags.
        assert_eq!(
            same_audio_bytes(&fixture("same/plain.wav"), &fixture("same/bext.wav"), Format::Wav).unwrap(),
            Some(true)
        );
        // One changed sample.
        let changed = same_audio_bytes(&fixture("same/plain.wav"), &fixture("same/changed-sample.wav"), Format::Wav);
        assert_eq!(changed.unwrap(), Some(false));
        // Same samples, another rate in the fmt chunk.
        assert_eq!(
            same_audio_bytes(&fixture("same/plain.wav"), &fixture("same/rate48k.wav"), Format::Wav).unwrap(),
            Some(false)
        );
        // FLAC: the same file, and another FLAC.
        let flac = fixture("same/same.flac");
        assert_eq!(same_audio_bytes(&flac, &flac, Format::Flac).unwrap(), Some(true));
        assert_eq!(same_audio_bytes(&flac, &fixture("formats/plain.flac"), Format::Flac).unwrap(), Some(false));
        // Other formats are decoded instead.
        let mp3 = fixture("formats/v24.mp3");
        assert_eq!(same_audio_bytes(&mp3, &mp3, Format::Mp3).unwrap(), None);
    }

    #[test]
    fn a_flipped_byte_in_the_frames_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("copy.flac");
        let mut bytes = std::fs::read(fixture("same/same.flac")).unwrap();
        let last = bytes.len() - 100;
        bytes[last] ^= 1;
        std::fs::write(&copy, bytes).unwrap();
        assert_eq!(same_audio_bytes(&fixture("same/same.flac"), &copy, Format::Flac).unwrap(), Some(false));
    }
}
