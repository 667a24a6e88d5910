//! What symphonia is given to read. For FLAC, a view of the file that holds only the
//! `fLaC` marker, STREAMINFO (marked the last block) and the frames: symphonia's FLAC
//! reader parses every metadata block as it opens a file, so a VORBIS_COMMENT block of
//! millions of fields cost hundreds of megabytes there, and a damaged comment or
//! PICTURE block stopped the decoding with "out of bounds". The tags are the container
//! module's to read ([`crate::container`], which names what is damaged); the audio needs
//! STREAMINFO and the frames alone. Every other format is given the file itself.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use symphonia::core::io::MediaSource;

use crate::container::Format;
use crate::container::flac::{frames_region, marker_offset};

/// The source symphonia reads the file `file` (of `format`) from.
pub(super) fn media_source(mut file: File, format: Format) -> io::Result<Box<dyn MediaSource>> {
    match format {
        Format::Flac => match flac_parts(&mut file)? {
            Some((head, frames)) => Ok(Box::new(FlacView { file, head, frames, at: 0 })),
            None => Ok(Box::new(file)),
        },
        Format::Mp4 => match open_ended_atom(&mut file)? {
            Some((at, size)) => Ok(Box::new(Patched { file, at, bytes: size.to_be_bytes() })),
            None => Ok(Box::new(file)),
        },
        _ => Ok(Box::new(file)),
    }
}

/// The last top-level atom of an MP4 file when its size field is 0 ("to the end of the
/// file", legal for the last atom, as `mdat` or `moov` sometimes is): the offset of
/// that field and the size it stands for. symphonia's MP4 reader does not take a size
/// of 0, so it is shown the real size instead (when it fits the 32-bit field).
fn open_ended_atom(file: &mut File) -> io::Result<Option<(u64, u32)>> {
    let len = file.seek(SeekFrom::End(0))?;
    let mut at = 0u64;
    while at + 8 <= len {
        let mut header = [0u8; 16];
        file.seek(SeekFrom::Start(at))?;
        let got = file.read(&mut header)?;
        let size = u64::from(u32::from_be_bytes([header[0], header[1], header[2], header[3]]));
        let size = match size {
            0 => return Ok(u32::try_from(len - at).ok().map(|size| (at, size))),
            1 if got >= 16 => u64::from_be_bytes(header[8..16].try_into().expect("eight bytes")),
            size => size,
        };
        if size < 8 {
            return Ok(None);
        }
        at += size;
    }
    Ok(None)
}

/// A file with four bytes at `at` read as `bytes`.
struct Patched {
    file: File,
    at: u64,
    bytes: [u8; 4],
}

impl Read for Patched {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let start = self.file.stream_position()?;
        let n = self.file.read(buffer)?;
        for (i, byte) in buffer[..n].iter_mut().enumerate() {
            let offset = start + i as u64;
            if (self.at..self.at + 4).contains(&offset) {
                *byte = self.bytes[(offset - self.at) as usize];
            }
        }
        Ok(n)
    }
}

impl Seek for Patched {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.file.seek(to)
    }
}

impl MediaSource for Patched {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        self.file.metadata().ok().map(|m| m.len())
    }
}

/// The head and the frames' range, when the file starts its metadata with a
/// well-formed STREAMINFO; `None` leaves symphonia to the file itself.
fn flac_parts(file: &mut File) -> io::Result<Option<(Vec<u8>, std::ops::Range<u64>)>> {
    let Some(marker) = marker_offset(file)? else { return Ok(None) };
    let mut head = vec![0u8; 4 + 4 + 34];
    file.seek(SeekFrom::Start(marker))?;
    if file.read_exact(&mut head).is_err() || head[4] & 0x7f != 0 || head[5..8] != [0, 0, 34] {
        return Ok(None);
    }
    head[4] = 0x80;
    let frames = frames_region(file)?;
    Ok(Some((head, frames)))
}

/// A FLAC file seen as its marker, STREAMINFO and frames.
struct FlacView {
    file: File,
    /// `fLaC` and the STREAMINFO block, its last-block flag set.
    head: Vec<u8>,
    /// Where the frames are in the file.
    frames: std::ops::Range<u64>,
    /// The position in the view.
    at: u64,
}

impl FlacView {
    fn len(&self) -> u64 {
        self.head.len() as u64 + (self.frames.end - self.frames.start)
    }
}

impl Read for FlacView {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let head = self.head.len() as u64;
        if self.at < head {
            let from = &self.head[self.at as usize..];
            let n = from.len().min(buffer.len());
            buffer[..n].copy_from_slice(&from[..n]);
            self.at += n as u64;
            return Ok(n);
        }
        let left = self.len().saturating_sub(self.at);
        let wanted = (buffer.len() as u64).min(left) as usize;
        if wanted == 0 {
            return Ok(0);
        }
        self.file.seek(SeekFrom::Start(self.frames.start + (self.at - head)))?;
        let n = self.file.read(&mut buffer[..wanted])?;
        self.at += n as u64;
        Ok(n)
    }
}

impl Seek for FlacView {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(at) => Some(at),
            SeekFrom::End(delta) => self.len().checked_add_signed(delta),
            SeekFrom::Current(delta) => self.at.checked_add_signed(delta),
        };
        self.at = target.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "a seek before the start"))?;
        Ok(self.at)
    }
}

impl MediaSource for FlacView {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        Some(self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_holds_streaminfo_and_the_frames_only() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/formats/picture.flac");
        let bytes = std::fs::read(&path).unwrap();
        let mut view = media_source(File::open(&path).unwrap(), Format::Flac).unwrap();
        let mut seen = Vec::new();
        view.read_to_end(&mut seen).unwrap();
        let frames = frames_region(&mut File::open(&path).unwrap()).unwrap();
        assert_eq!(&seen[..4], b"fLaC");
        assert_eq!(seen[4], 0x80, "STREAMINFO is the last block");
        assert_eq!(&seen[5..42], &bytes[5..42]);
        assert_eq!(&seen[42..], &bytes[frames.start as usize..frames.end as usize]);
        assert_eq!(view.byte_len(), Some(seen.len() as u64));
        view.seek(SeekFrom::Start(40)).unwrap();
        let mut two = [0u8; 4];
        view.read_exact(&mut two).unwrap();
        assert_eq!(&two, &seen[40..44]);
    }
}
