//! Feeding the canonical PCM of a decode pass to the acoustic fingerprint.
//!
//! Both decode paths (the decoder and plain PCM) produce the canonical PCM bytes the
//! audio id hashes; the fingerprint takes the same bytes, converted to 16-bit samples
//! ([`super::pcm::canonical_to_i16`]), so the same samples give the same
//! fingerprint whichever path read them, and nothing is decoded twice.
//!
//! The fingerprint is a help, the audio id the identity: should the fingerprinter ever
//! fail (panic) on some stream, the file simply has no fingerprint.

use super::StreamHeader;
use super::pcm::canonical_to_i16;
use crate::acoustic::FingerprintBuilder;
use crate::base::ids::Fingerprint;

/// A fingerprint being computed from canonical PCM bytes.
pub(crate) struct Feed {
    builder: FingerprintBuilder,
    header: StreamHeader,
    /// Bytes of one frame.
    frame_bytes: usize,
    /// The start of a frame split across two buffers.
    pending: Vec<u8>,
    /// 16-bit samples, reused between buffers.
    samples: Vec<i16>,
    /// Set when the fingerprinter failed: no fingerprint, the decoding goes on.
    failed: bool,
}

impl Feed {
    /// Starts a fingerprint for a stream, if `wanted` and the stream allows it.
    pub(crate) fn start(wanted: bool, header: &StreamHeader) -> Option<Feed> {
        if !wanted {
            return None;
        }
        let frame_bytes = header.layout.bytes_per_sample() * usize::from(header.channels);
        if frame_bytes == 0 {
            return None;
        }
        let builder = FingerprintBuilder::new(header.sample_rate, header.channels)?;
        Some(Feed { builder, header: *header, frame_bytes, pending: Vec::new(), samples: Vec::new(), failed: false })
    }

    /// Feeds canonical PCM bytes; buffers need not end on a frame boundary.
    pub(crate) fn feed(&mut self, canonical: &[u8]) {
        if !self.failed && crate::guard::catch(|| self.feed_unguarded(canonical)).is_err() {
            self.failed = true;
        }
    }

    fn feed_unguarded(&mut self, mut canonical: &[u8]) {
        let wanted = usize::try_from(self.builder.wanted_frames()).unwrap_or(usize::MAX);
        if wanted == 0 {
            return;
        }
        self.samples.clear();
        if !self.pending.is_empty() {
            let missing = (self.frame_bytes - self.pending.len()).min(canonical.len());
            self.pending.extend_from_slice(&canonical[..missing]);
            canonical = &canonical[missing..];
            if self.pending.len() < self.frame_bytes {
                return;
            }
            canonical_to_i16(&self.pending, self.header.layout, &mut self.samples);
            self.pending.clear();
        }
        let whole = canonical.len() / self.frame_bytes * self.frame_bytes;
        let limit = wanted.saturating_mul(self.frame_bytes).min(whole);
        canonical_to_i16(&canonical[..limit], self.header.layout, &mut self.samples);
        if limit == whole {
            self.pending.extend_from_slice(&canonical[whole..]);
        }
        self.builder.feed(&self.samples);
    }

    /// The fingerprint, or `None` when the audio was too short (or the fingerprinter failed).
    pub(crate) fn finish(self) -> Option<Fingerprint> {
        if self.failed {
            return None;
        }
        let builder = self.builder;
        crate::guard::catch(move || builder.finish()).ok().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::{SampleKind, SampleLayout};

    fn header(bits: u16) -> StreamHeader {
        StreamHeader { sample_rate: 11_025, channels: 2, layout: SampleLayout { kind: SampleKind::Int, bits } }
    }

    /// Ten seconds of a stereo 24-bit chirp with a beat, as canonical bytes.
    fn chirp() -> Vec<u8> {
        let mut bytes = Vec::new();
        for n in 0..11_025 * 10 {
            let t = f64::from(n) / 11_025.0;
            let beat = if (t * 2.0).fract() < 0.1 { 1.0 } else { 0.3 };
            let value = (beat * 0.5 * (std::f64::consts::TAU * (200.0 + 60.0 * t) * t).sin() * 8_388_607.0) as i32;
            for _ in 0..2 {
                bytes.extend_from_slice(&value.to_le_bytes()[..3]);
            }
        }
        bytes
    }

    fn fingerprint_in_pieces(bytes: &[u8], piece: usize) -> Option<Fingerprint> {
        let mut feeding = Feed::start(true, &header(24))?;
        bytes.chunks(piece).for_each(|chunk| feeding.feed(chunk));
        feeding.finish()
    }

    #[test]
    fn buffers_split_mid_frame_give_the_same_fingerprint() {
        let bytes = chirp();
        let whole = fingerprint_in_pieces(&bytes, bytes.len()).expect("10 s is long enough");
        assert_eq!(fingerprint_in_pieces(&bytes, 4_097), Some(whole.clone()));
        assert_eq!(fingerprint_in_pieces(&bytes, 5), Some(whole));
    }

    #[test]
    fn nothing_is_computed_unless_asked() {
        assert!(Feed::start(false, &header(16)).is_none());
    }
}
