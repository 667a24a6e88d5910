//! A strict reader of the frames of a FLAC file.
//!
//! symphonia's FLAC demuxer is built for playback: it resynchronises past damaged
//! frames and stops quietly at a frame whose sample rate, channels or bit depth
//! differ from STREAMINFO. For an audio id that would be a silently wrong answer, so
//! isrc-stamp splits the frames itself and demands that they tile the file exactly:
//! each frame starts with a valid header (CRC-8) that states the STREAMINFO layout,
//! numbers follow one another, and each frame's CRC-16 holds. Anything else is an
//! error naming the byte offset. The frames are then decoded by symphonia's decoder.

use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;

use symphonia::core::checksum::{Crc8Ccitt, Crc16Ansi};
use symphonia::core::io::Monitor;

use crate::container::{FrameSource, StreamLayout};

/// The largest frame the format allows (bytes); a frame that long without a next
/// header means the stream is damaged.
const MAX_FRAME_LEN: usize = 16 << 20;

/// A parsed frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// Fixed blocking: the number is a frame number; variable: a sample number.
    pub variable_blocking: bool,
    /// The frame or sample number.
    pub number: u64,
    /// Samples per channel in this frame.
    pub block_size: u32,
    /// The stated sample rate, if any.
    pub sample_rate: Option<u32>,
    /// The channel count.
    pub channels: u16,
    /// The stated bit depth, if any.
    pub bits_per_sample: Option<u32>,
    /// Length of the header in bytes, CRC-8 included.
    pub len: usize,
}

/// Parses and checks (CRC-8) the frame header at the start of `bytes`.
///
/// Returns `None` when `bytes` does not start with a valid header.
pub fn parse_header(bytes: &[u8]) -> Option<FrameHeader> {
    if bytes.len() < 6 || bytes[0] != 0xff || bytes[1] & 0xfe != 0xf8 || bytes[3] & 0x01 != 0 {
        return None;
    }
    let block_code = bytes[2] >> 4;
    let rate_code = bytes[2] & 0x0f;
    let channel_code = bytes[3] >> 4;
    let channels = match channel_code {
        0..=7 => u16::from(channel_code) + 1,
        8..=10 => 2,
        _ => return None,
    };
    let bits_per_sample = match (bytes[3] >> 1) & 0x07 {
        0 => None,
        1 => Some(8),
        2 => Some(12),
        4 => Some(16),
        5 => Some(20),
        6 => Some(24),
        7 => Some(32),
        _ => return None,
    };
    let (number, number_len) = coded_number(&bytes[4..])?;
    let mut at = 4 + number_len;
    let mut read = |len: usize| -> Option<u32> {
        let field = bytes.get(at..at + len)?;
        at += len;
        Some(field.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
    };
    let block_size = match block_code {
        0 => return None,
        1 => 192,
        2..=5 => 576 << (block_code - 2),
        6 => read(1)? + 1,
        7 => read(2)? + 1,
        _ => 256 << (block_code - 8),
    };
    let sample_rate = match rate_code {
        0 => None,
        1 => Some(88_200),
        2 => Some(176_400),
        3 => Some(192_000),
        4 => Some(8_000),
        5 => Some(16_000),
        6 => Some(22_050),
        7 => Some(24_000),
        8 => Some(32_000),
        9 => Some(44_100),
        10 => Some(48_000),
        11 => Some(96_000),
        12 => Some(read(1)? * 1000),
        13 => Some(read(2)?),
        14 => Some(read(2)? * 10),
        _ => return None,
    };
    let mut crc = Crc8Ccitt::new(0);
    crc.process_buf_bytes(&bytes[..at]);
    if *bytes.get(at)? != crc.crc() {
        return None;
    }
    Some(FrameHeader {
        variable_blocking: bytes[1] & 0x01 != 0,
        number,
        block_size,
        sample_rate,
        channels,
        bits_per_sample,
        len: at + 1,
    })
}

/// Decodes the UTF-8-style coded frame/sample number: (value, length in bytes).
fn coded_number(bytes: &[u8]) -> Option<(u64, usize)> {
    let first = *bytes.first()?;
    let len = match first.leading_ones() {
        0 => return Some((u64::from(first), 1)),
        n @ 2..=7 => n as usize,
        _ => return None,
    };
    let mut value = u64::from(first & (0x7f >> len));
    for &b in bytes.get(1..len)? {
        if b & 0xc0 != 0x80 {
            return None;
        }
        value = (value << 6) | u64::from(b & 0x3f);
    }
    Some((value, len))
}

/// Where the frames of a FLAC file lie: from the end of its metadata blocks (after a
/// leading ID3v2 tag, if any) to the end of the file, less a trailing ID3v1 tag.
pub fn frames_region(file: &mut (impl Read + Seek)) -> std::io::Result<Range<u64>> {
    let len = file.seek(SeekFrom::End(0))?;
    let mut at = 0u64;
    if let Some(marker) = marker_offset(file)? {
        at = marker + 4;
        loop {
            let mut block = [0u8; 4];
            file.seek(SeekFrom::Start(at))?;
            if read_at_most(file, &mut block)? < 4 {
                break;
            }
            at += 4 + u64::from(u32::from_be_bytes([0, block[1], block[2], block[3]]));
            if block[0] & 0x80 != 0 || at >= len {
                break;
            }
        }
    }
    let mut end = len;
    if len >= at + 128 {
        let mut tag = [0u8; 3];
        file.seek(SeekFrom::Start(len - 128))?;
        if read_at_most(file, &mut tag)? == 3 && &tag == b"TAG" {
            end = len - 128;
        }
    }
    Ok(at.min(end)..end)
}

/// The offset of the `fLaC` marker: 0, or just after a leading ID3v2 tag; `None`
/// when there is no marker there (a bare frame stream, or not FLAC).
pub fn marker_offset(file: &mut (impl Read + Seek)) -> std::io::Result<Option<u64>> {
    let mut head = [0u8; 10];
    file.seek(SeekFrom::Start(0))?;
    let mut at = 0;
    if read_at_most(file, &mut head)? == 10 && head.starts_with(b"ID3") {
        at = crate::container::id3::tag_len(&head).unwrap_or(0);
    }
    let mut marker = [0u8; 4];
    file.seek(SeekFrom::Start(at))?;
    Ok((read_at_most(file, &mut marker)? == 4 && &marker == b"fLaC").then_some(at))
}

/// Reads as many bytes as fit in `buf` or the source has left.
fn read_at_most(source: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match source.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Why the frames do not tile the stream.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// Reading failed.
    #[error("read error: {0}")]
    Io(#[from] std::io::Error),
    /// No valid frame header where one must start.
    #[error("no valid FLAC frame header at byte {offset}")]
    BadHeader {
        /// File offset.
        offset: u64,
    },
    /// A frame states another layout than STREAMINFO.
    #[error(
        "the frame at byte {offset} changes the {what} from {from} to {to}; one audio id cannot describe such a stream"
    )]
    LayoutChange {
        /// File offset.
        offset: u64,
        /// Which property.
        what: &'static str,
        /// STREAMINFO's value.
        from: u32,
        /// The frame's value.
        to: u32,
    },
    /// A frame's CRC-16 fails or no next frame follows it.
    #[error("the frame at byte {offset} is damaged (CRC mismatch or no valid frame follows)")]
    Damaged {
        /// File offset.
        offset: u64,
    },
}

/// Yields the frames of a FLAC stream one by one, strictly.
pub struct FrameReader<R> {
    source: R,
    /// Buffered bytes; `window[start..]` is unread.
    window: Vec<u8>,
    start: usize,
    /// File offset of `window[start]`.
    offset: u64,
    /// Bytes of the region not yet read into the window.
    remaining: u64,
    layout: StreamLayout,
    /// The number the next frame must carry (frame or sample number).
    next_number: Option<u64>,
}

impl<R: Read> FrameReader<R> {
    /// Reads frames from `source`, positioned at `region.start`, up to `region.end`.
    pub fn new(source: R, region: Range<u64>, layout: StreamLayout) -> Self {
        FrameReader {
            source,
            window: Vec::with_capacity(1 << 20),
            start: 0,
            offset: region.start,
            remaining: region.end - region.start,
            layout,
            next_number: None,
        }
    }

    /// The next frame's bytes and header, or `None` at the end of the stream.
    pub fn next_frame(&mut self) -> Result<Option<(Vec<u8>, FrameHeader)>, FrameError> {
        self.fill(64)?;
        if self.start == self.window.len() {
            return Ok(None);
        }
        let offset = self.offset;
        let header = parse_header(&self.window[self.start..]).ok_or(FrameError::BadHeader { offset })?;
        self.check_layout(&header, offset)?;
        if let Some(expected) = self.next_number
            && header.number != expected
        {
            return Err(FrameError::Damaged { offset });
        }
        let next =
            if header.variable_blocking { header.number + u64::from(header.block_size) } else { header.number + 1 };
        let len = self.find_frame_end(header.len, next)?.ok_or(FrameError::Damaged { offset })?;
        let frame = self.window[self.start..self.start + len].to_vec();
        self.start += len;
        self.offset += len as u64;
        self.next_number = Some(next);
        Ok(Some((frame, header)))
    }

    /// Finds where the frame at the window's start ends: at the next header carrying
    /// `next_number` where the CRC-16 holds, or at the end of the stream.
    fn find_frame_end(&mut self, header_len: usize, next_number: u64) -> Result<Option<usize>, FrameError> {
        let mut scan = header_len;
        loop {
            let unread = &self.window[self.start..];
            while let Some(pos) = memchr::memchr(0xff, &unread[scan..]) {
                let at = scan + pos;
                if unread.len() - at < 24 && self.remaining > 0 {
                    break; // A header may straddle the window's end: read more first.
                }
                if let Some(next) = parse_header(&unread[at..])
                    && next.number == next_number
                    && crc16(&unread[..at]) == 0
                {
                    return Ok(Some(at));
                }
                scan = at + 1;
            }
            if self.remaining == 0 {
                let whole = self.window.len() - self.start;
                return Ok((crc16(&self.window[self.start..]) == 0).then_some(whole));
            }
            if self.window.len() - self.start > MAX_FRAME_LEN {
                return Ok(None);
            }
            scan = scan.max((self.window.len() - self.start).saturating_sub(24));
            let want = self.window.len() - self.start + (256 << 10);
            self.fill(want)?;
        }
    }

    /// Fails when a header states another layout than STREAMINFO.
    fn check_layout(&self, header: &FrameHeader, offset: u64) -> Result<(), FrameError> {
        let change = |what, from: u32, to: Option<u32>| match to {
            Some(to) if to != from => Err(FrameError::LayoutChange { offset, what, from, to }),
            _ => Ok(()),
        };
        change("sample rate", self.layout.sample_rate, header.sample_rate)?;
        change("channel count", u32::from(self.layout.channels), Some(u32::from(header.channels)))?;
        change("bit depth", self.layout.bits_per_sample, header.bits_per_sample)
    }

    /// Makes at least `want` unread bytes available, or all that remain.
    fn fill(&mut self, want: usize) -> std::io::Result<()> {
        if self.window.len() - self.start >= want || self.remaining == 0 {
            return Ok(());
        }
        self.window.drain(..self.start);
        self.start = 0;
        let have = self.window.len();
        let target = want.max(1 << 20);
        let extra = (target - have).min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        self.window.resize(have + extra, 0);
        let got = read_at_most(&mut self.source, &mut self.window[have..])?;
        self.window.truncate(have + got);
        self.remaining = if got < extra { 0 } else { self.remaining - got as u64 };
        Ok(())
    }
}

impl<R: Read + Send> FrameSource for FrameReader<R> {
    fn next_frame(&mut self) -> Result<Option<(Vec<u8>, u32)>, FrameError> {
        Ok(FrameReader::next_frame(self)?.map(|(data, header)| (data, header.block_size)))
    }
}

/// CRC-16 (polynomial 0x8005) over `bytes`; a frame including its footer gives 0.
fn crc16(bytes: &[u8]) -> u16 {
    let mut crc = Crc16Ansi::new(0);
    crc.process_buf_bytes(bytes);
    crc.crc()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Appends the CRC-8 of `header` to it.
    fn with_crc8(mut header: Vec<u8>) -> Vec<u8> {
        let mut crc = Crc8Ccitt::new(0);
        crc.process_buf_bytes(&header);
        header.push(crc.crc());
        header
    }

    #[test]
    fn reads_a_stereo_16_bit_44100_header() {
        // Block size code 0xc (4096), rate 9 (44.1k), left/side (8), 16 bit (4), frame 0.
        let header = with_crc8(vec![0xff, 0xf8, 0xc9, 0x88, 0x00]);
        let parsed = parse_header(&header).expect("header");
        assert_eq!(parsed.block_size, 4096);
        assert_eq!(parsed.sample_rate, Some(44_100));
        assert_eq!(parsed.channels, 2);
        assert_eq!(parsed.bits_per_sample, Some(16));
        assert_eq!(parsed.number, 0);
        assert_eq!(parsed.len, 6);
    }

    #[test]
    fn reads_sizes_and_rates_stated_after_the_number() {
        // Block size code 6 (one byte + 1), rate code 13 (16-bit Hz), mono, frame 5.
        let header = with_crc8(vec![0xff, 0xf8, 0x6d, 0x00, 0x05, 0xff, 0x8a, 0x8b]);
        let parsed = parse_header(&header).expect("header");
        assert_eq!(parsed.block_size, 256);
        assert_eq!(parsed.sample_rate, Some(35_467));
        assert_eq!(parsed.number, 5);
        assert_eq!(parsed.bits_per_sample, None);
    }

    #[test]
    fn rejects_a_bad_crc_and_what_is_not_a_header() {
        let mut header = with_crc8(vec![0xff, 0xf8, 0xc9, 0x88, 0x00]);
        header[5] ^= 1;
        assert_eq!(parse_header(&header), None);
        assert_eq!(parse_header(b"fLaC\0\0"), None);
        assert_eq!(parse_header(&[0xff, 0xf8]), None);
    }

    #[test]
    fn coded_numbers_of_several_bytes() {
        assert_eq!(coded_number(&[0x7f]), Some((0x7f, 1)));
        assert_eq!(coded_number(&[0xc2, 0x80]), Some((0x80, 2)));
        assert_eq!(coded_number(&[0xc2, 0x00]), None);
        assert_eq!(coded_number(&[0x80]), None);
    }
}
