//! The fast path for plain PCM WAV: the `data` chunk already *is* the canonical PCM.
//!
//! For little-endian integer PCM whose container width equals its bit depth (16, 24,
//! 32 bits), and for 32- or 64-bit float, the bytes of the `data` chunk are exactly the
//! canonical layout of DESIGN.md section 2, so they are hashed as they are read, with
//! no decoder in between; 8-bit PCM only needs its sign bit flipped. Anything else
//! (extensible files with fewer valid bits than the container, compressed WAV, a data
//! chunk that is not a whole number of frames, a damaged chunk list) goes through
//! symphonia, which also produces the error messages for damaged files. Both paths
//! give the same audio id, which the tests check on every WAV fixture.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::fingerprinting::{AnalyzeOptions, Fingerprinting};
use super::id::{PcmHasher, StreamHeader};
use super::pcm::{SampleKind, SampleLayout};
use super::{AudioError, AudioFacts};
use crate::format::{Format, FormatError};
use crate::riff::{self, Chunk};

/// Bytes read per buffer.
const BUFFER_LEN: usize = 1 << 20;

/// The stream a `fmt ` chunk describes, when the fast path can hash it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PlainPcm {
    header: StreamHeader,
    block_align: u16,
    codec: &'static str,
}

/// Identifies a plain PCM WAV without a decoder; `Ok(None)` when the file needs one.
pub fn analyze_plain(path: &Path, options: &AnalyzeOptions) -> Result<Option<AudioFacts>, AudioError> {
    let mut file = File::open(path).map_err(FormatError::Io)?;
    let Ok(chunks) = riff::chunks(&mut file) else {
        return Ok(None);
    };
    let (Some(fmt), Some(data)) = (find(&chunks, b"fmt "), find(&chunks, b"data")) else {
        return Ok(None);
    };
    let mut fmt_body = vec![0u8; fmt.body_len.min(64) as usize];
    file.seek(SeekFrom::Start(fmt.body_offset)).map_err(FormatError::Io)?;
    file.read_exact(&mut fmt_body).map_err(FormatError::Io)?;
    let Some(pcm) = plain_pcm(&fmt_body) else {
        return Ok(None);
    };
    let data_len = u64::from(data.body_len);
    if pcm.block_align == 0 || data_len % u64::from(pcm.block_align) != 0 || data_len == 0 {
        return Ok(None);
    }
    file.seek(SeekFrom::Start(data.body_offset)).map_err(FormatError::Io)?;
    let mut hasher = PcmHasher::new(pcm.header, options.threads, !options.skip_md5);
    let mut fingerprinting = Fingerprinting::start(options, &pcm.header);
    let mut remaining = data_len;
    let unsigned_bytes = pcm.header.layout.bits == 8;
    while remaining > 0 {
        let want = remaining.min(BUFFER_LEN as u64) as usize;
        let mut buffer = vec![0u8; want];
        file.read_exact(&mut buffer).map_err(FormatError::Io)?;
        if unsigned_bytes {
            buffer.iter_mut().for_each(|b| *b ^= 0x80);
        }
        if let Some(fingerprinting) = &mut fingerprinting {
            fingerprinting.feed(&buffer);
        }
        hasher.update(buffer);
        remaining -= want as u64;
    }
    let (audio_id, pcm_md5) =
        hasher.finish().ok_or_else(|| AudioError::DecoderFailed("the MD5 worker stopped".into()))?;
    Ok(Some(AudioFacts {
        format: Format::Wav,
        codec: pcm.codec.to_owned(),
        stream: pcm.header,
        frames: data_len / u64::from(pcm.block_align),
        audio_id,
        pcm_md5,
        stored_md5: None,
        fingerprint: fingerprinting.and_then(Fingerprinting::finish),
    }))
}

fn find<'a>(chunks: &'a [Chunk], id: &[u8; 4]) -> Option<&'a Chunk> {
    chunks.iter().find(|chunk| &chunk.id == id)
}

/// Reads a `fmt ` chunk body; `None` unless the data chunk is canonical PCM as it is.
fn plain_pcm(fmt: &[u8]) -> Option<PlainPcm> {
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
    let (kind, codec) = match (format_tag, bits) {
        (1, 8) => (SampleKind::Int, "pcm_u8"),
        (1, 16) => (SampleKind::Int, "pcm_s16le"),
        (1, 24) => (SampleKind::Int, "pcm_s24le"),
        (1, 32) => (SampleKind::Int, "pcm_s32le"),
        (3, 32) => (SampleKind::Float, "pcm_f32le"),
        (3, 64) => (SampleKind::Float, "pcm_f64le"),
        _ => return None,
    };
    if channels == 0 || sample_rate == 0 || u32::from(block_align) != u32::from(channels) * u32::from(bits / 8) {
        return None;
    }
    let header = StreamHeader { sample_rate, channels, layout: SampleLayout { kind, bits } };
    Some(PlainPcm { header, block_align, codec })
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
        let pcm = plain_pcm(&fmt(1, 2, 96_000, 24)).expect("24-bit PCM");
        assert_eq!(pcm.header.layout, SampleLayout { kind: SampleKind::Int, bits: 24 });
        assert_eq!((pcm.block_align, pcm.codec), (6, "pcm_s24le"));
        assert_eq!(plain_pcm(&fmt(3, 2, 44_100, 32)).unwrap().header.layout.kind, SampleKind::Float);
        assert!(plain_pcm(&fmt(1, 1, 8_000, 8)).is_some());
    }

    #[test]
    fn everything_else_goes_through_the_decoder() {
        assert_eq!(plain_pcm(&fmt(1, 2, 44_100, 20)), None, "20-bit samples");
        assert_eq!(plain_pcm(&fmt(2, 2, 44_100, 4)), None, "ADPCM");
        assert_eq!(plain_pcm(&fmt(1, 0, 44_100, 16)), None, "no channels");
        let mut extensible = fmt(0xfffe, 2, 48_000, 24);
        extensible.extend(22u16.to_le_bytes());
        extensible.extend(20u16.to_le_bytes()); // 20 valid bits in a 24-bit container
        extensible.extend(3u32.to_le_bytes());
        extensible.extend(1u16.to_le_bytes());
        extensible.extend([0u8; 14]);
        assert_eq!(plain_pcm(&extensible), None);
        extensible[18] = 24; // all 24 bits valid
        assert_eq!(plain_pcm(&extensible).unwrap().codec, "pcm_s24le");
        assert_eq!(plain_pcm(&[1, 0]), None, "a short fmt chunk");
    }
}
