//! The canonical PCM byte layout that the audio id and `MD5(pcm)` are computed over.
//!
//! Every decoded sample of the default track, interleaved, as signed two's-complement
//! little-endian integers of `ceil(bits / 8)` bytes (8-bit unsigned PCM becomes signed),
//! or IEEE-754 little-endian floats of the stored width. This is the byte stream whose
//! MD5 FLAC keeps in STREAMINFO.

use symphonia::core::audio::{Audio, AudioBuffer, GenericAudioBufferRef};

/// Integer or floating-point samples: part of the audio id header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SampleKind {
    /// Two's-complement integers.
    Int,
    /// IEEE-754 floating point.
    Float,
}

impl SampleKind {
    /// The byte that stands for this kind in the audio id header.
    pub fn header_byte(self) -> u8 {
        match self {
            SampleKind::Int => 0,
            SampleKind::Float => 1,
        }
    }

    /// `int` or `float`.
    pub fn as_str(self) -> &'static str {
        match self {
            SampleKind::Int => "int",
            SampleKind::Float => "float",
        }
    }
}

/// The sample layout of a decoded buffer: what the header of the audio id describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleLayout {
    /// Integer or float.
    pub kind: SampleKind,
    /// Significant bits per sample (e.g. 16, 24, 12 for a 12-bit FLAC, 32 for f32).
    pub bits: u16,
}

impl SampleLayout {
    /// Bytes one sample takes in the canonical layout.
    pub fn bytes_per_sample(self) -> usize {
        usize::from(self.bits).div_ceil(8)
    }

    /// The layout of a decoded buffer, given the significant bits the codec declared.
    ///
    /// Returns `None` when the declared bits do not fit the buffer's sample type.
    pub fn of(buffer: &GenericAudioBufferRef<'_>, declared_bits: Option<u32>) -> Option<Self> {
        let (kind, width) = match buffer {
            GenericAudioBufferRef::U8(_) | GenericAudioBufferRef::S8(_) => (SampleKind::Int, 8),
            GenericAudioBufferRef::U16(_) | GenericAudioBufferRef::S16(_) => (SampleKind::Int, 16),
            GenericAudioBufferRef::U24(_) | GenericAudioBufferRef::S24(_) => (SampleKind::Int, 24),
            GenericAudioBufferRef::U32(_) | GenericAudioBufferRef::S32(_) => (SampleKind::Int, 32),
            GenericAudioBufferRef::F32(_) => (SampleKind::Float, 32),
            GenericAudioBufferRef::F64(_) => (SampleKind::Float, 64),
        };
        let bits = match kind {
            SampleKind::Float => width,
            SampleKind::Int => declared_bits.unwrap_or(width),
        };
        if bits == 0 || bits > width {
            return None;
        }
        Some(SampleLayout { kind, bits: bits as u16 })
    }
}

/// Appends frames `range` of `buffer`, interleaved, in the canonical layout to `out`.
///
/// Integer samples are taken as left-aligned in their container (as symphonia's
/// decoders produce them) and shifted down to `layout.bits` significant bits.
pub fn append_interleaved(
    buffer: &GenericAudioBufferRef<'_>,
    layout: SampleLayout,
    range: std::ops::Range<usize>,
    out: &mut Vec<u8>,
) {
    let bits = u32::from(layout.bits);
    match buffer {
        GenericAudioBufferRef::U8(b) => ints(b, range, bits, out, |s: u8| i32::from((s ^ 0x80) as i8) << 24),
        GenericAudioBufferRef::S8(b) => ints(b, range, bits, out, |s: i8| i32::from(s) << 24),
        GenericAudioBufferRef::U16(b) => ints(b, range, bits, out, |s: u16| i32::from((s ^ 0x8000) as i16) << 16),
        GenericAudioBufferRef::S16(b) => ints(b, range, bits, out, |s: i16| i32::from(s) << 16),
        GenericAudioBufferRef::U24(b) => ints(b, range, bits, out, |s| ((s.0 ^ 0x80_0000) << 8) as i32),
        GenericAudioBufferRef::S24(b) => ints(b, range, bits, out, |s| s.inner() << 8),
        GenericAudioBufferRef::U32(b) => ints(b, range, bits, out, |s: u32| (s ^ 0x8000_0000) as i32),
        GenericAudioBufferRef::S32(b) => ints(b, range, bits, out, |s: i32| s),
        GenericAudioBufferRef::F32(b) => interleave::<_, 4>(b, range, out, |s: f32| s.to_le_bytes()),
        GenericAudioBufferRef::F64(b) => interleave::<_, 8>(b, range, out, |s: f64| s.to_le_bytes()),
    }
}

/// Integer samples: left-aligned by `to_left`, then the top `bits` bits as
/// `ceil(bits/8)` little-endian bytes, sign-extended.
#[inline(always)]
fn ints<S, F>(buffer: &AudioBuffer<S>, range: std::ops::Range<usize>, bits: u32, out: &mut Vec<u8>, to_left: F)
where
    S: symphonia::core::audio::sample::Sample + Copy,
    F: Fn(S) -> i32 + Copy,
{
    let shift = 32 - bits.clamp(1, 32);
    match bits.div_ceil(8) {
        1 => interleave::<_, 1>(buffer, range, out, move |s| low_bytes(to_left(s) >> shift)),
        2 => interleave::<_, 2>(buffer, range, out, move |s| low_bytes(to_left(s) >> shift)),
        3 => interleave::<_, 3>(buffer, range, out, move |s| low_bytes(to_left(s) >> shift)),
        _ => interleave::<_, 4>(buffer, range, out, move |s| low_bytes(to_left(s) >> shift)),
    }
}

/// The `W` low bytes of `value`, little-endian.
#[inline(always)]
fn low_bytes<const W: usize>(value: i32) -> [u8; W] {
    let bytes = value.to_le_bytes();
    std::array::from_fn(|i| bytes[i])
}

/// Converts canonical PCM bytes (whole samples of `layout`) to 16-bit samples, the
/// input of the acoustic fingerprint ([`crate::acoustic`]), appending them to `out`.
///
/// Integers keep their top 16 bits (narrower ones are shifted up); floats are scaled by
/// 32767, rounded and clamped (NaN becomes 0). A trailing partial sample is ignored.
pub fn canonical_to_i16(bytes: &[u8], layout: SampleLayout, out: &mut Vec<i16>) {
    let width = layout.bytes_per_sample();
    if width == 0 || width > 8 {
        return;
    }
    let samples = bytes.chunks_exact(width);
    // Integers: left-align the container in 32 bits, then the significant bits.
    let align = (8 * width as u32).saturating_sub(u32::from(layout.bits)).min(31);
    match (layout.kind, width) {
        (SampleKind::Float, 4) => {
            out.extend(samples.map(|b| float_to_i16(f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])))))
        }
        (SampleKind::Float, 8) => out.extend(
            samples.map(|b| float_to_i16(f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))),
        ),
        (SampleKind::Float, _) => {}
        (SampleKind::Int, 1) => out.extend(samples.map(|b| top16(i32::from(b[0] as i8) << 24 << align))),
        (SampleKind::Int, 2) => {
            let pairs = bytes.chunks_exact(2);
            // The top 16 bits of a left-aligned 16-bit container are the sample shifted up.
            out.extend(pairs.map(|b| i16::from_le_bytes([b[0], b[1]]) << align));
        }
        (SampleKind::Int, 3) if align == 0 => top_two_of_three(bytes, out),
        (SampleKind::Int, 3) => out.extend(samples.map(|b| top16(i32::from_le_bytes([0, b[0], b[1], b[2]]) << align))),
        (SampleKind::Int, _) => {
            out.extend(samples.map(|b| top16(i32::from_le_bytes([b[0], b[1], b[2], b[3]]) << align)))
        }
    }
}

/// Full 24-bit samples: the top two bytes of each three, sixteen samples (48 bytes) a
/// step through fixed-size arrays, which the compiler turns into byte shuffles (2.5×
/// the sample-by-sample loop; see `bench/`).
fn top_two_of_three(bytes: &[u8], out: &mut Vec<i16>) {
    const STEP: usize = 16;
    let samples = bytes.len() / 3;
    let start = out.len();
    out.resize(start + samples, 0);
    let blocks = samples / STEP * STEP;
    let (source, tail) = bytes[..samples * 3].split_at(blocks * 3);
    let (target, target_tail) = out[start..].split_at_mut(blocks);
    for (to, from) in target.chunks_exact_mut(STEP).zip(source.chunks_exact(3 * STEP)) {
        for (i, slot) in to.iter_mut().enumerate() {
            *slot = i16::from_le_bytes([from[3 * i + 1], from[3 * i + 2]]);
        }
    }
    for (slot, b) in target_tail.iter_mut().zip(tail.chunks_exact(3)) {
        *slot = i16::from_le_bytes([b[1], b[2]]);
    }
}

/// The top 16 bits of a left-aligned 32-bit sample.
#[inline(always)]
fn top16(left_aligned: i32) -> i16 {
    (left_aligned >> 16) as i16
}

/// A float sample (nominally -1 to 1) as a 16-bit one, clamped; NaN becomes 0.
#[inline(always)]
fn float_to_i16(sample: f64) -> i16 {
    // `as` saturates and maps NaN to 0.
    (sample * f64::from(i16::MAX)).round() as i16
}

/// Interleaves the planes of `buffer` over `range` into `out`, each sample encoded
/// as `W` bytes by `encode` (written in place, no per-sample copies).
#[inline(always)]
fn interleave<S, const W: usize>(
    buffer: &AudioBuffer<S>,
    range: std::ops::Range<usize>,
    out: &mut Vec<u8>,
    encode: impl Fn(S) -> [u8; W],
) where
    S: symphonia::core::audio::sample::Sample + Copy,
{
    let planes: Vec<&[S]> = (0..buffer.num_planes()).filter_map(|i| buffer.plane(i)).collect();
    let (frames, channels) = (range.len(), planes.len());
    let start = out.len();
    out.resize(start + frames * channels * W, 0);
    let target = &mut out[start..];
    match planes.as_slice() {
        [mono] => {
            for (slot, &s) in target.chunks_exact_mut(W).zip(&mono[range]) {
                slot.copy_from_slice(&encode(s));
            }
        }
        [left, right] => {
            for ((slot, &l), &r) in target.chunks_exact_mut(2 * W).zip(&left[range.clone()]).zip(&right[range]) {
                slot[..W].copy_from_slice(&encode(l));
                slot[W..].copy_from_slice(&encode(r));
            }
        }
        _ => {
            for (frame, slot) in range.zip(target.chunks_exact_mut(channels * W)) {
                for (plane, sample_slot) in planes.iter().zip(slot.chunks_exact_mut(W)) {
                    sample_slot.copy_from_slice(&encode(plane[frame]));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_bytes_keep_the_significant_bits_sign_extended() {
        // A 12-bit sample of -1, shifted down from left-aligned: two bytes 0xffff.
        assert_eq!(low_bytes::<2>((-1i32 << 20) >> 20), [0xff, 0xff]);
        // A 24-bit sample 0x123456.
        assert_eq!(low_bytes::<3>((0x123456 << 8) >> 8), [0x56, 0x34, 0x12]);
        // An 8-bit sample of -128.
        assert_eq!(low_bytes::<1>((-128i32 << 24) >> 24), [0x80]);
    }

    #[test]
    fn canonical_samples_become_their_top_16_bits() {
        let convert = |bytes: &[u8], kind, bits| {
            let mut out = Vec::new();
            canonical_to_i16(bytes, SampleLayout { kind, bits }, &mut out);
            out
        };
        // 16-bit as it is; 24-bit keeps its top two bytes; a trailing partial sample is dropped.
        assert_eq!(convert(&[0x34, 0x12, 0xff], SampleKind::Int, 16), [0x1234]);
        assert_eq!(convert(&[0x56, 0x34, 0x12, 0x00, 0x00, 0x80], SampleKind::Int, 24), [0x1234, i16::MIN]);
        // 12-bit -1 and 2047 (sign-extended in two bytes) are shifted up by 4.
        assert_eq!(convert(&[0xff, 0xff, 0xff, 0x07], SampleKind::Int, 12), [-16, 0x7ff0]);
        // 8-bit (signed in the canonical form) and 32-bit.
        assert_eq!(convert(&[0x80, 0x7f], SampleKind::Int, 8), [i16::MIN, 0x7f00]);
        assert_eq!(convert(&0x1234_5678i32.to_le_bytes(), SampleKind::Int, 32), [0x1234]);
        // 20-bit in three bytes: the top 16 of 20 bits.
        assert_eq!(convert(&[0x45, 0x23, 0x01], SampleKind::Int, 20), [0x1234]);
        // Floats are scaled and clamped; NaN is silence.
        let floats: Vec<u8> = [0.5f32, -2.0, f32::NAN].iter().flat_map(|f| f.to_le_bytes()).collect();
        assert_eq!(convert(&floats, SampleKind::Float, 32), [16384, i16::MIN, 0]);
        assert_eq!(convert(&1.0f64.to_le_bytes(), SampleKind::Float, 64), [i16::MAX]);
    }

    #[test]
    fn the_fast_conversions_equal_the_sample_by_sample_one() {
        // Pseudo-random bytes of every length near a block, 12 to 24 bits.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let bytes: Vec<u8> = (0..4096)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let reference = |chunk: &[u8], layout: SampleLayout| -> Vec<i16> {
            let width = layout.bytes_per_sample();
            let align = (8 * width as u32) - u32::from(layout.bits);
            chunk
                .chunks_exact(width)
                .map(|b| {
                    let mut four = [0u8; 4];
                    four[4 - width..].copy_from_slice(b);
                    top16(i32::from_le_bytes(four) << align)
                })
                .collect()
        };
        for bits in [12u16, 16, 17, 20, 24] {
            let layout = SampleLayout { kind: SampleKind::Int, bits };
            for len in [0, 1, 2, 3, 47, 48, 49, 95, 96, 97, 1001, 4096] {
                let mut out = vec![7i16];
                canonical_to_i16(&bytes[..len], layout, &mut out);
                assert_eq!(out[0], 7, "appends");
                assert_eq!(out[1..], reference(&bytes[..len], layout), "{bits} bits, {len} bytes");
            }
        }
    }

    #[test]
    fn bytes_per_sample_rounds_up() {
        let layout = |bits| SampleLayout { kind: SampleKind::Int, bits };
        assert_eq!(layout(8).bytes_per_sample(), 1);
        assert_eq!(layout(12).bytes_per_sample(), 2);
        assert_eq!(layout(20).bytes_per_sample(), 3);
        assert_eq!(layout(32).bytes_per_sample(), 4);
    }
}
