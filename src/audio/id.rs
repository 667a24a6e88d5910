//! The audio id: `"pcm1:" + hex(SHA-256(header || pcm))`, and `MD5(pcm)` beside it.

use md5::Md5;
use sha2::{Digest, Sha256};

use super::pcm::SampleLayout;

/// The identity of a recording's decoded samples, independent of container and tags.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct AudioId(String);

impl AudioId {
    /// The scheme prefix of version 1 audio ids.
    pub const SCHEME: &'static str = "pcm1:";

    /// Parses a stored audio id (`pcm1:` and 64 lowercase hex digits).
    pub fn parse(text: &str) -> Option<AudioId> {
        let hex = text.strip_prefix(Self::SCHEME)?;
        let ok = hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        ok.then(|| AudioId(text.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for AudioId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The stream description hashed ahead of the samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamHeader {
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Channel count.
    pub channels: u16,
    /// Sample kind and significant bits.
    pub layout: SampleLayout,
}

impl StreamHeader {
    /// The header bytes: magic, rate u32 LE, channels u16 LE, bits u16 LE, kind u8.
    pub fn to_bytes(self) -> Vec<u8> {
        let mut bytes = b"isrc-stamp pcm1\0".to_vec();
        bytes.extend_from_slice(&self.sample_rate.to_le_bytes());
        bytes.extend_from_slice(&self.channels.to_le_bytes());
        bytes.extend_from_slice(&self.layout.bits.to_le_bytes());
        bytes.push(self.layout.kind.header_byte());
        bytes
    }
}

/// Hashes canonical PCM bytes into the audio id and `MD5(pcm)` at once.
pub struct PcmDigest {
    sha: Sha256,
    md5: Md5,
}

impl PcmDigest {
    /// Starts a digest for a stream with this header.
    pub fn new(header: StreamHeader) -> Self {
        let mut sha = Sha256::new();
        sha.update(header.to_bytes());
        PcmDigest { sha, md5: Md5::new() }
    }

    /// Feeds canonical PCM bytes.
    pub fn update(&mut self, pcm: &[u8]) {
        self.sha.update(pcm);
        self.md5.update(pcm);
    }

    /// The audio id and `MD5(pcm)`.
    pub fn finish(self) -> (AudioId, [u8; 16]) {
        let id = format!("{}{}", AudioId::SCHEME, hex(&self.sha.finalize()));
        (AudioId(id), self.md5.finalize().into())
    }
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::super::pcm::SampleKind;
    use super::*;

    fn header() -> StreamHeader {
        StreamHeader { sample_rate: 44_100, channels: 2, layout: SampleLayout { kind: SampleKind::Int, bits: 16 } }
    }

    #[test]
    fn header_bytes_follow_the_design() {
        let bytes = header().to_bytes();
        assert_eq!(&bytes[..16], b"isrc-stamp pcm1\0");
        assert_eq!(&bytes[16..], &[0x44, 0xac, 0, 0, 2, 0, 16, 0, 0]);
    }

    #[test]
    fn the_id_is_sha256_of_header_and_pcm_and_the_md5_of_pcm_alone() {
        let mut digest = PcmDigest::new(header());
        digest.update(&[1, 2]);
        digest.update(&[3, 4]);
        let (id, md5) = digest.finish();
        let mut expected = header().to_bytes();
        expected.extend_from_slice(&[1, 2, 3, 4]);
        assert_eq!(id.as_str(), format!("pcm1:{}", hex(&Sha256::digest(&expected))));
        assert_eq!(md5, <[u8; 16]>::from(Md5::digest([1, 2, 3, 4])));
        assert_eq!(AudioId::parse(id.as_str()), Some(id));
    }

    #[test]
    fn parse_rejects_malformed_ids() {
        assert_eq!(AudioId::parse("pcm1:abc"), None);
        assert_eq!(AudioId::parse(&format!("pcm2:{}", "0".repeat(64))), None);
        assert_eq!(AudioId::parse(&format!("pcm1:{}", "A".repeat(64))), None);
    }
}
