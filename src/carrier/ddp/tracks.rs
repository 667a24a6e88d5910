//! The audio of a DDP image's tracks, hashed in the one pass over `IMAGE.DAT` that
//! checks its MD5: each track's candidate audio ids (one per possible padding of its
//! last sector), the ids a track is adopted with (`ledger import DDPDIR`), and its
//! fingerprint read on demand. Shared by `verify DDPDIR` and adopting an image.

use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{AudioTap, DdpImage, SAMPLES_PER_SECTOR, SECTOR_BYTES, read_image_with};
use crate::acoustic;
use crate::audio::{Feed, SampleKind, SampleLayout, StreamHeader};
use crate::base::ids::{AudioId, Fingerprint};

/// One audio id of a track: its id and its length in sample frames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TrackAudio {
    /// The audio id.
    pub audio_id: AudioId,
    /// Sample frames.
    pub frames: u64,
}

/// The stream header of CD audio: 44.1 kHz, 2 channels, 16-bit integers.
pub(crate) fn cd_header() -> StreamHeader {
    StreamHeader { sample_rate: 44_100, channels: 2, layout: SampleLayout { kind: SampleKind::Int, bits: 16 } }
}

/// Bytes of one stereo sample of CD audio.
pub(crate) const FRAME_BYTES: usize = 4;

/// One track's audio as it is hashed: everything before its last sector, and that sector.
pub(crate) struct Cut {
    range: Range<u64>,
    sha: Sha256,
    last_sector: Vec<u8>,
    seen: u64,
}

/// One possible audio id of a track: with `trimmed` zero samples of padding left out.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    /// Zero samples of padding left out.
    pub trimmed: u64,
    /// The audio id then.
    pub audio_id: AudioId,
}

impl Cut {
    /// A track's audio at `range` of `IMAGE.DAT`, not yet seen.
    pub(crate) fn new(range: Range<u64>) -> Cut {
        let mut sha = Sha256::new();
        sha.update(cd_header().to_bytes());
        Cut { range, sha, last_sector: Vec::new(), seen: 0 }
    }

    /// Where the last sector starts, in bytes of the file.
    fn last_sector_start(&self) -> u64 {
        self.range.end.saturating_sub(SECTOR_BYTES).max(self.range.start)
    }

    /// Hashes what of `bytes`, found at `offset` of `IMAGE.DAT`, is the track's.
    pub(crate) fn bytes(&mut self, offset: u64, bytes: &[u8]) {
        let end = offset + bytes.len() as u64;
        let (from, to) = (offset.max(self.range.start), end.min(self.range.end));
        if from >= to {
            return;
        }
        let split = self.last_sector_start().clamp(from, to);
        let at = |position: u64| (position - offset) as usize;
        self.sha.update(&bytes[at(from)..at(split)]);
        self.last_sector.extend_from_slice(&bytes[at(split)..at(to)]);
        self.seen += to - from;
    }

    /// The audio ids a track is adopted with (`ledger import DDPDIR`): its audio as on
    /// the disc, whole sectors; and, when its last sector ends in padding after a sample
    /// that is not silence, without that padding (the master's). None when the file did
    /// not hold all of it.
    pub(crate) fn adoptable(&self) -> Vec<TrackAudio> {
        let candidates = self.candidates();
        let frames = (self.range.end - self.range.start) / FRAME_BYTES as u64;
        let sounding = self.last_sector.chunks(FRAME_BYTES).any(|s| s.iter().any(|&b| b != 0));
        let mut ids: Vec<_> =
            candidates.first().map(|c| TrackAudio { audio_id: c.audio_id.clone(), frames }).into_iter().collect();
        if let Some(last) = candidates.last().filter(|c| c.trimmed > 0 && sounding) {
            ids.push(TrackAudio { audio_id: last.audio_id.clone(), frames: frames - last.trimmed });
        }
        ids
    }

    /// Every audio id the track can have (none when the file did not hold all of it).
    pub(crate) fn candidates(&self) -> Vec<Candidate> {
        if self.seen != self.range.end - self.range.start {
            return Vec::new();
        }
        let zero_samples = self.last_sector.rchunks(FRAME_BYTES).take_while(|s| s.iter().all(|&b| b == 0)).count();
        let most = zero_samples.min(SAMPLES_PER_SECTOR as usize - 1).min(self.last_sector.len() / FRAME_BYTES);
        (0..=most)
            .map(|trimmed| {
                let mut sha = self.sha.clone();
                sha.update(&self.last_sector[..self.last_sector.len() - trimmed * FRAME_BYTES]);
                Candidate { trimmed: trimmed as u64, audio_id: AudioId::from_digest(sha) }
            })
            .collect()
    }
}

/// The tap on `IMAGE.DAT` that hashes every track.
#[derive(Default)]
pub(crate) struct Tracks {
    /// Each track's number and its audio as hashed.
    pub cuts: Vec<(u8, Cut)>,
}

impl AudioTap for Tracks {
    fn start(&mut self, image: &DdpImage) {
        self.cuts = image.tracks.iter().filter_map(|t| Some((t.number, Cut::new(t.image_bytes.clone()?)))).collect();
    }

    fn bytes(&mut self, offset: u64, bytes: &[u8]) {
        for (_, cut) in &mut self.cuts {
            cut.bytes(offset, bytes);
        }
    }
}

/// Each track's number and the audio ids it is adopted with.
pub(crate) type TrackIds = Vec<(u8, Vec<TrackAudio>)>;

/// Reads an image as `verify` does, with each track's audio ids for adopting it
/// (`ledger import DDPDIR`): the disc's, and the master's when its padding can be told.
pub(crate) fn image_with_audio_ids(dir: &Path) -> Result<(DdpImage, TrackIds), crate::carrier::ddp::ReadError> {
    let mut tap = Tracks::default();
    let image = read_image_with(dir, Some(&mut tap))?;
    let ids = tap.cuts.iter().map(|(n, cut)| (*n, cut.adoptable())).collect();
    Ok((image, ids))
}

/// The fingerprint of a track's audio: its first seconds, read from the audio file.
pub(crate) fn track_fingerprint(audio_file: &Path, range: &Range<u64>) -> Option<Fingerprint> {
    let mut feed = Feed::start(true, &cd_header())?;
    let mut file = crate::base::filekind::open_regular(audio_file).ok()?;
    file.seek(SeekFrom::Start(range.start)).ok()?;
    let wanted = u64::from(acoustic::MAX_SECONDS) * 44_100 * FRAME_BYTES as u64;
    let mut left = (range.end - range.start).min(wanted);
    let mut buffer = vec![0u8; 1 << 20];
    while left > 0 {
        let n = file.read(&mut buffer[..left.min(1 << 20) as usize]).ok()?;
        if n == 0 {
            break;
        }
        feed.feed(&buffer[..n]);
        left -= n as u64;
    }
    feed.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_padding_the_last_sector_allows_is_a_candidate() {
        // 3 sectors of audio: a master of 2 sectors and 100 samples, the rest padding.
        let mut bytes = vec![7u8; SECTOR_BYTES as usize * 2 + 100 * FRAME_BYTES];
        bytes.resize(SECTOR_BYTES as usize * 3, 0);
        let mut cut = Cut::new(0..bytes.len() as u64);
        for (i, piece) in bytes.chunks(1000).enumerate() {
            cut.bytes(i as u64 * 1000, piece);
        }
        let candidates = cut.candidates();
        assert_eq!(candidates.len(), 489, "0 to 488 samples of padding left out");
        let master_id = |len: usize| {
            let mut sha = Sha256::new();
            sha.update(cd_header().to_bytes());
            sha.update(&bytes[..len]);
            AudioId::from_digest(sha)
        };
        let master = master_id(SECTOR_BYTES as usize * 2 + 100 * FRAME_BYTES);
        let found: Vec<u64> = candidates.iter().filter(|c| c.audio_id == master).map(|c| c.trimmed).collect();
        assert_eq!(found, [488], "the master's length picks its padding");
        assert_eq!(candidates[0].audio_id, master_id(bytes.len()), "no padding at all");
        // Bytes before the range, and a file that ended early: no candidates.
        let mut short = Cut::new(100..SECTOR_BYTES * 3 + 100);
        short.bytes(0, &bytes[..SECTOR_BYTES as usize]);
        assert!(short.candidates().is_empty());
    }
}
