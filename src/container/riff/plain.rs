//! Plain PCM WAV: when the `data` chunk already *is* the canonical PCM.
//!
//! For little-endian integer PCM whose container width equals its bit depth (16, 24,
//! 32 bits), and for 32- or 64-bit float, the bytes of the `data` chunk are exactly the
//! canonical layout of DESIGN.md section 2, so they can be hashed as they are read, with
//! no decoder in between; 8-bit PCM only needs its sign bit flipped. Anything else
//! (extensible files with fewer valid bits than the container, compressed WAV, a data
//! chunk that is not a whole number of frames, a damaged chunk list) goes through the
//! decoder, which also produces the error messages for damaged files.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use super::{chunks, find};
use crate::container::PlainPcm;

/// The plain PCM a WAV file holds; `Ok(None)` when it needs a decoder.
pub(super) fn plain_pcm(file: &mut File) -> io::Result<Option<PlainPcm>> {
    let Ok(chunks) = chunks(file) else {
        return Ok(None);
    };
    let (Some(fmt), Some(data)) = (find(&chunks, b"fmt "), find(&chunks, b"data")) else {
        return Ok(None);
    };
    let mut fmt_body = vec![0u8; fmt.body_len.min(64) as usize];
    file.seek(SeekFrom::Start(fmt.body_offset))?;
    file.read_exact(&mut fmt_body)?;
    let Some(mut pcm) = parse_fmt(&fmt_body) else {
        return Ok(None);
    };
    if pcm.block_align == 0 || data.body_len % u64::from(pcm.block_align) != 0 || data.body_len == 0 {
        return Ok(None);
    }
    pcm.data = data.body();
    Ok(Some(pcm))
}

/// Reads a `fmt ` chunk body; `None` unless the data chunk is canonical PCM as it is.
fn parse_fmt(fmt: &[u8]) -> Option<PlainPcm> {
    let u16_at = |at: usize| Some(u16::from_le_bytes([*fmt.get(at)?, *fmt.get(at + 1)?]));
    let u32_at =
        |at: usize| Some(u32::from_le_bytes([*fmt.get(at)?, *fmt.get(at + 1)?, *fmt.get(at + 2)?, *fmt.get(at + 3)?]));
    let mut format_tag = u16_at(0)?;
    let channels = u16_at(2)?;
    let sample_rate = u32_at(4)?;
    let block_align = u16_at(12)?;
    let bits = u16_at(14)?;
    if format_tag == 0xfffe {
        // WAVE_FORMAT_EXTENSIBLE: valid bits must fill the container; the sub-format
        // GUID's first two bytes are the format tag.
        if u16_at(16)? < 22 || u16_at(18)? != bits {
            return None;
        }
        format_tag = u16_at(24)?;
    }
    let (float, codec) = match (format_tag, bits) {
        (1, 8) => (false, "pcm_u8"),
        (1, 16) => (false, "pcm_s16le"),
        (1, 24) => (false, "pcm_s24le"),
        (1, 32) => (false, "pcm_s32le"),
        (3, 32) => (true, "pcm_f32le"),
        (3, 64) => (true, "pcm_f64le"),
        _ => return None,
    };
    if channels == 0 || sample_rate == 0 || u32::from(block_align) != u32::from(channels) * u32::from(bits / 8) {
        return None;
    }
    Some(PlainPcm { sample_rate, channels, bits, float, unsigned: bits == 8, codec, block_align, data: 0..0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(tag: u16, channels: u16, rate: u32, bits: u16) -> Vec<u8> {
        let align = channels * bits / 8;
        let mut body = Vec::new();
        body.extend(tag.to_le_bytes());
        body.extend(channels.to_le_bytes());
        body.extend(rate.to_le_bytes());
        body.extend((rate * u32::from(align)).to_le_bytes());
        body.extend(align.to_le_bytes());
        body.extend(bits.to_le_bytes());
        body
    }

    #[test]
    fn plain_integer_and_float_pcm_take_the_fast_path() {
        let pcm = parse_fmt(&fmt(1, 2, 96_000, 24)).expect("24-bit PCM");
        assert_eq!((pcm.bits, pcm.float, pcm.unsigned), (24, false, false));
        assert_eq!((pcm.block_align, pcm.codec), (6, "pcm_s24le"));
        assert!(parse_fmt(&fmt(3, 2, 44_100, 32)).unwrap().float);
        assert!(parse_fmt(&fmt(1, 1, 8_000, 8)).unwrap().unsigned);
    }

    #[test]
    fn everything_else_goes_through_the_decoder() {
        assert_eq!(parse_fmt(&fmt(1, 2, 44_100, 20)), None, "20-bit samples");
        assert_eq!(parse_fmt(&fmt(2, 2, 44_100, 4)), None, "ADPCM");
        assert_eq!(parse_fmt(&fmt(1, 0, 44_100, 16)), None, "no channels");
        let mut extensible = fmt(0xfffe, 2, 48_000, 24);
        extensible.extend(22u16.to_le_bytes());
        extensible.extend(20u16.to_le_bytes()); // 20 valid bits in a 24-bit container
        extensible.extend(3u32.to_le_bytes());
        extensible.extend(1u16.to_le_bytes());
        extensible.extend([0u8; 14]);
        assert_eq!(parse_fmt(&extensible), None);
        extensible[18] = 24; // all 24 bits valid
        assert_eq!(parse_fmt(&extensible).unwrap().codec, "pcm_s24le");
        assert_eq!(parse_fmt(&[1, 0]), None, "a short fmt chunk");
    }
}
