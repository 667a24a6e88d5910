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
        GenericAudioBufferRef::U8(b) => interleave(b, range, out, |s: u8, o| o.push(s ^ 0x80)),
        GenericAudioBufferRef::S8(b) => interleave(b, range, out, |s: i8, o| o.push(s as u8)),
        GenericAudioBufferRef::U16(b) => {
            interleave(b, range, out, |s: u16, o| push_int(i32::from((s ^ 0x8000) as i16) << 16, bits, o))
        }
        GenericAudioBufferRef::S16(b) => {
            if bits == 16 {
                interleave(b, range, out, |s: i16, o| o.extend_from_slice(&s.to_le_bytes()))
            } else {
                interleave(b, range, out, |s: i16, o| push_int(i32::from(s) << 16, bits, o))
            }
        }
        GenericAudioBufferRef::U24(b) => {
            interleave(b, range, out, |s, o| push_int(((s.0 ^ 0x80_0000) << 8) as i32, bits, o))
        }
        GenericAudioBufferRef::S24(b) => {
            if bits == 24 {
                interleave(b, range, out, |s, o| o.extend_from_slice(&s.to_le_bytes()))
            } else {
                interleave(b, range, out, |s, o| push_int(s.inner() << 8, bits, o))
            }
        }
        GenericAudioBufferRef::U32(b) => {
            interleave(b, range, out, |s: u32, o| push_int((s ^ 0x8000_0000) as i32, bits, o))
        }
        GenericAudioBufferRef::S32(b) => interleave(b, range, out, |s: i32, o| push_int(s, bits, o)),
        GenericAudioBufferRef::F32(b) => interleave(b, range, out, |s: f32, o| o.extend_from_slice(&s.to_le_bytes())),
        GenericAudioBufferRef::F64(b) => interleave(b, range, out, |s: f64, o| o.extend_from_slice(&s.to_le_bytes())),
    }
}

/// Writes a left-aligned 32-bit sample as `ceil(bits/8)` little-endian bytes of its
/// top `bits` bits, sign-extended.
#[inline(always)]
fn push_int(left_aligned: i32, bits: u32, out: &mut Vec<u8>) {
    let value = left_aligned >> (32 - bits);
    let bytes = value.to_le_bytes();
    out.extend_from_slice(&bytes[..bits.div_ceil(8) as usize]);
}

/// Interleaves the planes of `buffer` over `range`, writing each sample with `write`.
#[inline(always)]
fn interleave<S, F>(buffer: &AudioBuffer<S>, range: std::ops::Range<usize>, out: &mut Vec<u8>, write: F)
where
    S: symphonia::core::audio::sample::Sample + Copy,
    F: Fn(S, &mut Vec<u8>),
{
    let planes: Vec<&[S]> = (0..buffer.num_planes()).filter_map(|i| buffer.plane(i)).collect();
    match planes.as_slice() {
        [mono] => mono[range].iter().for_each(|&s| write(s, out)),
        [left, right] => {
            for (&l, &r) in left[range.clone()].iter().zip(&right[range]) {
                write(l, out);
                write(r, out);
            }
        }
        _ => {
            for frame in range {
                for plane in &planes {
                    write(plane[frame], out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_int_keeps_the_significant_bits_sign_extended() {
        let mut out = Vec::new();
        // A 12-bit sample of -1, left-aligned: two bytes 0xffff.
        push_int(-1i32 << 20, 12, &mut out);
        assert_eq!(out, [0xff, 0xff]);
        out.clear();
        // A 24-bit sample 0x123456 left-aligned.
        push_int(0x123456 << 8, 24, &mut out);
        assert_eq!(out, [0x56, 0x34, 0x12]);
        out.clear();
        // An 8-bit sample of -128.
        push_int(-128i32 << 24, 8, &mut out);
        assert_eq!(out, [0x80]);
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
