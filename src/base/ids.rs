//! The values every floor shares: the audio id, the acoustic fingerprint and its
//! algorithm, the codecs that keep every sample. Computing them (decoding, hashing,
//! Chromaprint) stays in `audio/` and `acoustic/`; the ledger only stores them.

use std::time::Duration;

use sha2::{Digest, Sha256};

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

    /// The audio id a SHA-256 over the header and the canonical PCM stands for (the
    /// digest must have been started with `audio::StreamHeader::to_bytes`).
    pub fn from_digest(sha: Sha256) -> AudioId {
        AudioId(format!("{}{}", AudioId::SCHEME, hex(&sha.finalize())))
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

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Whether a codec (its short name, as decoding reports it) keeps every sample: PCM,
/// FLAC, ALAC.
pub fn is_lossless_codec(codec: &str) -> bool {
    codec.starts_with("pcm") || codec == "flac" || codec == "alac"
}

/// The Chromaprint configuration id of the fingerprints (`preset_test2`), stored beside
/// them: fingerprints of different algorithms are never compared.
pub const ALGORITHM: u8 = 1;

/// Duration of one fingerprint item: 1365 samples at 11025 Hz.
pub const ITEM_SECONDS: f64 = 1365.0 / 11025.0;

/// Keys are items whose mixed hash is 0 modulo this: about one item in 16.
pub const KEY_SAMPLING: u32 = 16;

/// The most keys kept per fingerprint (those with the lowest mixed hashes).
pub const MAX_KEYS: usize = 96;

/// The Chromaprint fingerprint of the start of a recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    items: Vec<u32>,
    covers: Duration,
}

impl Fingerprint {
    /// A fingerprint from its items and the stretch of audio it covers.
    pub fn new(items: Vec<u32>, covers: Duration) -> Fingerprint {
        Fingerprint { items, covers }
    }

    /// The 32-bit items, one per [`ITEM_SECONDS`].
    pub fn items(&self) -> &[u32] {
        &self.items
    }

    /// The stretch of audio, from the start, the fingerprint was computed over.
    pub fn covers(&self) -> Duration {
        self.covers
    }

    /// The items as little-endian bytes, for storage.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.items.iter().flat_map(|item| item.to_le_bytes()).collect()
    }

    /// Reads items stored by [`Fingerprint::to_bytes`]; `None` if the length is not a
    /// multiple of 4.
    pub fn from_bytes(bytes: &[u8], covers: Duration) -> Option<Fingerprint> {
        if !bytes.len().is_multiple_of(4) {
            return None;
        }
        let items = bytes.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        Some(Fingerprint { items, covers })
    }

    /// The index keys: a content-defined sample of distinct items, sorted.
    ///
    /// An item is a key when its mixed hash is 0 modulo [`KEY_SAMPLING`]; of those, the
    /// [`MAX_KEYS`] with the lowest hashes are kept. Both choices depend on the item
    /// alone, so another encoding of the same audio picks the same keys wherever its
    /// items survived unchanged, at any time offset.
    pub fn keys(&self) -> Vec<u32> {
        let mut sampled: Vec<(u32, u32)> =
            self.items.iter().map(|&item| (mix(item), item)).filter(|&(_, item)| is_key(item)).collect();
        sampled.sort_unstable();
        sampled.dedup();
        sampled.truncate(MAX_KEYS);
        let mut keys: Vec<u32> = sampled.into_iter().map(|(_, item)| item).collect();
        keys.sort_unstable();
        keys
    }

    /// The number of distinct items.
    pub fn distinct_items(&self) -> usize {
        let mut items = self.items.clone();
        items.sort_unstable();
        items.dedup();
        items.len()
    }
}

/// Whether an item is sampled as an index key (its mixed hash is 0 modulo [`KEY_SAMPLING`]).
pub fn is_key(item: u32) -> bool {
    mix(item).is_multiple_of(KEY_SAMPLING)
}

/// A 32-bit mixing function (the finaliser of MurmurHash3), so key sampling does not
/// follow the bit patterns of the items.
fn mix(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x85eb_ca6b);
    x ^= x >> 13;
    x = x.wrapping_mul(0xc2b2_ae35);
    x ^ (x >> 16)
}

/// Deterministic pseudo-random fingerprint items (xorshift), for tests.
#[cfg(test)]
pub(crate) fn test_items(seed: u64, n: usize) -> Vec<u32> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u32
        })
        .collect()
}
