//! The audio id: `"pcm1:" + hex(SHA-256(header || pcm))`, and `MD5(pcm)` beside it.

use md5::Md5;
use sha2::{Digest, Sha256};

use super::pcm::SampleLayout;
use crate::base::ids::AudioId;

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

/// Hashes canonical PCM into the audio id (SHA-256) and `MD5(pcm)`.
///
/// With one thread both digests run where the bytes arrive. With more, each digest
/// runs on a thread of its own and the caller only produces the bytes (decoding, or
/// reading a WAV's data chunk): the three stages overlap. Channels are bounded, so
/// memory stays at a few buffers whatever the file's length.
pub struct PcmHasher {
    sink: Sink,
}

enum Sink {
    Inline { sha: Sha256, md5: Option<Md5> },
    Threads { sha: Worker<Sha256>, md5: Option<Worker<Md5>> },
}

/// A digest running on its own thread, fed shared buffers.
struct Worker<D> {
    to: std::sync::mpsc::SyncSender<std::sync::Arc<Vec<u8>>>,
    done: std::thread::JoinHandle<D>,
}

/// Buffers queued for each worker.
const BUFFERS_IN_FLIGHT: usize = 8;

impl<D: Digest + Send + 'static> Worker<D> {
    fn spawn(name: &str, mut digest: D) -> Option<Self> {
        let (to, from) = std::sync::mpsc::sync_channel::<std::sync::Arc<Vec<u8>>>(BUFFERS_IN_FLIGHT);
        let done = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                for buffer in from {
                    digest.update(buffer.as_slice());
                }
                digest
            })
            .ok()?;
        Some(Worker { to, done })
    }

    fn finish(self) -> Option<D> {
        drop(self.to);
        self.done.join().ok()
    }
}

impl PcmHasher {
    /// Starts hashing a stream with this header, on `threads` threads (1, or more to
    /// give each digest a thread of its own); `md5`: also compute `MD5(pcm)`.
    pub fn new(header: StreamHeader, threads: usize, md5: bool) -> Self {
        let mut sha = Sha256::new();
        sha.update(header.to_bytes());
        let md5 = md5.then(Md5::new);
        if threads > 1
            && let Some(sha_worker) = Worker::spawn("sha256", sha.clone())
        {
            match md5.clone().map(|m| Worker::spawn("md5", m)) {
                None => return PcmHasher { sink: Sink::Threads { sha: sha_worker, md5: None } },
                Some(Some(md5)) => return PcmHasher { sink: Sink::Threads { sha: sha_worker, md5: Some(md5) } },
                // No thread for MD5: hash everything here (the SHA worker just exits).
                Some(None) => drop(sha_worker.finish()),
            }
        }
        PcmHasher { sink: Sink::Inline { sha, md5 } }
    }

    /// Hashes a filled buffer.
    pub fn update(&mut self, buffer: Vec<u8>) {
        match &mut self.sink {
            Sink::Inline { sha, md5 } => {
                sha.update(&buffer);
                if let Some(md5) = md5 {
                    md5.update(&buffer);
                }
            }
            Sink::Threads { sha, md5 } => {
                let shared = std::sync::Arc::new(buffer);
                // A worker only stops when its channel closes, so a send cannot fail
                // while it runs; `finish` reports a worker that died.
                if let Some(md5) = md5 {
                    let _ = md5.to.send(shared.clone());
                }
                let _ = sha.to.send(shared);
            }
        }
    }

    /// The audio id and `MD5(pcm)` (if asked for); `None` only if a worker thread
    /// died (they cannot panic, but a wrong digest must never be returned).
    pub fn finish(self) -> Option<(AudioId, Option<[u8; 16]>)> {
        let (sha, md5) = match self.sink {
            Sink::Inline { sha, md5 } => (sha, md5),
            Sink::Threads { sha, md5 } => {
                let md5 = match md5 {
                    Some(worker) => Some(worker.finish()?),
                    None => None,
                };
                (sha.finish()?, md5)
            }
        };
        Some((AudioId::from_digest(sha), md5.map(|m| m.finalize().into())))
    }
}

#[cfg(test)]
mod tests {
    use super::super::pcm::SampleKind;
    use super::*;
    use crate::base::ids::hex;

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
        let mut hasher = PcmHasher::new(header(), 1, true);
        hasher.update(vec![1, 2]);
        hasher.update(vec![3, 4]);
        let (id, md5) = hasher.finish().unwrap();
        let md5 = md5.expect("asked for");
        let mut expected = header().to_bytes();
        expected.extend_from_slice(&[1, 2, 3, 4]);
        assert_eq!(id.as_str(), format!("pcm1:{}", hex(&Sha256::digest(&expected))));
        assert_eq!(md5, <[u8; 16]>::from(Md5::digest([1, 2, 3, 4])));
        assert_eq!(AudioId::parse(id.as_str()), Some(id));
    }

    #[test]
    fn two_threads_hash_exactly_like_one() {
        let run = |threads, md5| {
            let mut hasher = PcmHasher::new(header(), threads, md5);
            for chunk in 0..50u8 {
                let mut buffer = Vec::new();
                buffer.extend((0..10_000u32).map(|i| (i as u8).wrapping_mul(chunk)));
                hasher.update(buffer);
            }
            hasher.finish().unwrap()
        };
        assert_eq!(run(1, true), run(2, true));
        assert_eq!(run(1, false), run(2, false));
        assert_eq!(run(2, false).0, run(2, true).0);
        assert!(run(2, false).1.is_none());
    }

    #[test]
    fn parse_rejects_malformed_ids() {
        assert_eq!(AudioId::parse("pcm1:abc"), None);
        assert_eq!(AudioId::parse(&format!("pcm2:{}", "0".repeat(64))), None);
        assert_eq!(AudioId::parse(&format!("pcm1:{}", "A".repeat(64))), None);
    }
}
