//! Proving a tagged copy kept its audio by the bytes the audio is decoded from.
//!
//! For WAV the audio id is a function of the `fmt ` and `data` chunk bodies only; for
//! FLAC, of the STREAMINFO block and the frames after the metadata
//! ([`crate::container::audio_regions`]). A tag write that
//! leaves those bytes identical leaves the audio id identical, so for these two formats
//! the safe writer compares them byte for byte between the original and the tagged
//! copy (reading both back from disk) instead of decoding the copy again: the same
//! guarantee, at the cost of reading rather than decoding. Every other format is
//! proven by a full decode.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

use super::direct_io::DirectReader;
use crate::container::{Format, audio_regions};

/// Whether the audio-determining bytes of `copy` equal those of `original`.
///
/// `Ok(None)` when the format is not covered (the caller decodes instead).
pub(super) fn same_audio_bytes(original: &Path, copy: &Path, format: Format) -> io::Result<Option<bool>> {
    compare(original, copy, format, &mut File::open(copy)?)
}

/// [`same_audio_bytes`], reading the copy past the page cache where the file system
/// allows it ([`DirectReader`]): what the disk holds, at little CPU cost.
pub(super) fn same_audio_bytes_on_disk(original: &Path, copy: &Path, format: Format) -> io::Result<Option<bool>> {
    match DirectReader::open(copy) {
        Some(mut direct) => compare(original, copy, format, &mut direct),
        None => same_audio_bytes(original, copy, format),
    }
}

fn compare(original: &Path, copy: &Path, format: Format, copy_bytes: &mut dyn ReadAt) -> io::Result<Option<bool>> {
    let (Some(a), Some(b)) = (audio_regions(original, format)?, audio_regions(copy, format)?) else {
        return Ok(None);
    };
    if a.len() != b.len() || a.iter().zip(&b).any(|(x, y)| x.end - x.start != y.end - y.start) {
        return Ok(Some(false));
    }
    let mut left = File::open(original)?;
    for (x, y) in a.iter().zip(&b) {
        if !equal_ranges(&mut left, x, copy_bytes, y)? {
            return Ok(Some(false));
        }
    }
    Ok(Some(true))
}

/// Reading bytes at an offset: through the page cache, or past it.
trait ReadAt {
    fn read_exact_at(&mut self, out: &mut [u8], offset: u64) -> io::Result<()>;
}

impl ReadAt for File {
    fn read_exact_at(&mut self, out: &mut [u8], offset: u64) -> io::Result<()> {
        self.seek(SeekFrom::Start(offset))?;
        self.read_exact(out)
    }
}

impl ReadAt for DirectReader {
    fn read_exact_at(&mut self, out: &mut [u8], offset: u64) -> io::Result<()> {
        DirectReader::read_exact_at(self, out, offset)
    }
}

/// Compares two equally long byte ranges of two files.
fn equal_ranges(left: &mut File, x: &Range<u64>, right: &mut dyn ReadAt, y: &Range<u64>) -> io::Result<bool> {
    const BLOCK: usize = 1 << 20;
    let (mut a, mut b) = (vec![0u8; BLOCK], vec![0u8; BLOCK]);
    left.seek(SeekFrom::Start(x.start))?;
    let mut done = 0;
    let len = x.end - x.start;
    while done < len {
        let n = (len - done).min(BLOCK as u64) as usize;
        left.read_exact(&mut a[..n])?;
        right.read_exact_at(&mut b[..n], y.start + done)?;
        if a[..n] != b[..n] {
            return Ok(false);
        }
        done += n as u64;
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
    fn reading_the_copy_past_the_cache_gives_the_same_answers() {
        let (plain, bext) = (fixture("same/plain.wav"), fixture("same/bext.wav"));
        assert_eq!(same_audio_bytes_on_disk(&plain, &bext, Format::Wav).unwrap(), Some(true));
        let changed = fixture("same/changed-sample.wav");
        assert_eq!(same_audio_bytes_on_disk(&plain, &changed, Format::Wav).unwrap(), Some(false));
        let flac = fixture("same/same.flac");
        assert_eq!(same_audio_bytes_on_disk(&flac, &flac, Format::Flac).unwrap(), Some(true));
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
        assert_eq!(same_audio_bytes_on_disk(&fixture("same/same.flac"), &copy, Format::Flac).unwrap(), Some(false));
    }
}
