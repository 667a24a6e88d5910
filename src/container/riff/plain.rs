//! Plain PCM WAV, RF64 and BW64: when the `data` chunk already *is* the canonical PCM.
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

use super::chunks::{Layout, malformed_in};
use crate::container::PlainPcm;

/// The plain PCM a file of `layout` holds; `Ok(None)` when a WAV needs the decoder. An
/// RF64 or BW64 file that is not plain PCM, or whose `ds64` sample count is not its
/// data's, is an error.
pub(super) fn plain_pcm(file: &mut File, layout: &Layout) -> io::Result<Option<PlainPcm>> {
    let wide = layout.magic.is_wide();
    let (Some(fmt), Some(data)) = (layout.find(b"fmt "), layout.find(b"data")) else {
        return if wide { Err(malformed_in(layout.magic, "it has no fmt chunk or no data chunk")) } else { Ok(None) };
    };
    let mut fmt_body = vec![0u8; fmt.body_len.min(64) as usize];
    file.seek(SeekFrom::Start(fmt.body_offset))?;
    file.read_exact(&mut fmt_body)?;
    let pcm = parse_fmt(&fmt_body).filter(|pcm| data.body_len > 0 && data.body_len % u64::from(pcm.block_align) == 0);
    let Some(mut pcm) = pcm else {
        return if wide { Err(not_plain(layout, &fmt_body, data.body_len)) } else { Ok(None) };
    };
    let frames = data.body_len / u64::from(pcm.block_align);
    if let Some(ds64) = &layout.ds64
        && ds64.sample_count != 0
        && ds64.sample_count != frames
    {
        let message = format!(
            "the ds64 chunk counts {} sample frames but the data chunk holds {frames} ({} bytes of {}-byte frames)",
            ds64.sample_count, data.body_len, pcm.block_align
        );
        return Err(malformed_in(layout.magic, &message));
    }
    pcm.data = data.body();
    Ok(Some(pcm))
}

/// Why an RF64 or BW64 file's audio is not read.
fn not_plain(layout: &Layout, fmt: &[u8], data_len: u64) -> io::Error {
    let u16_at = |at: usize| fmt.get(at..at + 2).map_or(0, |b| u16::from_le_bytes([b[0], b[1]]));
    let described = format!("format tag {:#06x}, {} bits, {} channels", u16_at(0), u16_at(14), u16_at(2));
    let why = if data_len == 0 {
        "its data chunk is empty".to_owned()
    } else if parse_fmt(fmt).is_some() {
        format!("its data chunk ({data_len} bytes) is not a whole number of frames")
    } else {
        format!("its audio is not plain PCM ({described})")
    };
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!(
            "unsupported {}: {why}; isrc-stamp reads {} files of 8-, 16-, 24- or 32-bit integer or 32- or 64-bit \
             float PCM only",
            layout.magic.label(),
            layout.magic.label()
        ),
    )
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
