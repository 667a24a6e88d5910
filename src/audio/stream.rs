//! A file's canonical PCM as a byte stream ([`open_pcm`]), produced as it is read, in
//! bounded memory (one decoded packet, or one 1 MiB read, at a time): for writers that
//! need the samples themselves, like a DDP image's `IMAGE.DAT`. The audio id is computed
//! on the way, so the writer can prove it wrote the very audio it identified before.
//!
//! The bytes are exactly those the audio id hashes ([`super::pcm`]): plain PCM WAV is
//! read as it is stored, everything else decoded as [`super::analyze`] decodes it, with
//! the same checks (a stream changing midway, a truncated lossless file).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use sha2::{Digest, Sha256};
use symphonia::core::formats::FormatOptions;
use symphonia::core::formats::probe::Hint;
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;

use super::id::StreamHeader;
use super::pcm::{self, SampleKind, SampleLayout};
use super::{AudioError, Decoding, check_same_stream, strict_frames};
use crate::base::ids::AudioId;
use crate::container::{self, FormatError};

/// Bytes read at a time from a plain PCM file.
const READ_LEN: usize = 1 << 20;

/// A file's canonical PCM, read as it is produced; see the module documentation.
pub struct PcmReader {
    header: StreamHeader,
    source: Source,
    /// Produced bytes not yet read, from `offset`.
    pending: Vec<u8>,
    offset: usize,
    sha: Sha256,
    frames: u64,
    audio_id: Option<AudioId>,
}

enum Source {
    /// A plain PCM file positioned in its data, with the bytes left to read.
    Plain { file: File, remaining: u64, unsigned: bool },
    /// A decoder.
    Decoded(Box<Decoding<'static>>),
    /// Everything was produced.
    Done,
}

/// Opens the file at `path` for reading its canonical PCM. Fails as [`super::analyze`]
/// does on a file it cannot identify.
pub fn open_pcm(path: &Path) -> Result<PcmReader, AudioError> {
    crate::guard::catch(|| open_unguarded(path)).unwrap_or_else(|panic| Err(AudioError::DecoderFailed(panic)))
}

fn open_unguarded(path: &Path) -> Result<PcmReader, AudioError> {
    let format = container::sniff(path)?;
    let mut file = File::open(path).map_err(FormatError::Io)?;
    if let Ok(Some(plain)) = format.container().plain_pcm(&mut file) {
        let kind = if plain.float { SampleKind::Float } else { SampleKind::Int };
        let header = StreamHeader {
            sample_rate: plain.sample_rate,
            channels: plain.channels,
            layout: SampleLayout { kind, bits: plain.bits },
        };
        file.seek(SeekFrom::Start(plain.data.start)).map_err(FormatError::Io)?;
        let remaining = plain.data.end - plain.data.start;
        let source = Source::Plain { file, remaining, unsigned: plain.unsigned };
        return Ok(PcmReader::new(header, source, Vec::new(), 0));
    }
    let file = File::open(path).map_err(FormatError::Io)?;
    let source = super::view::media_source(file, format).map_err(FormatError::Io)?;
    let stream = MediaSourceStream::new(source, MediaSourceStreamOptions { buffer_len: 1 << 20 });
    let reader = symphonia::default::get_probe()
        .probe(&Hint::new(), stream, FormatOptions::default(), MetadataOptions::default())
        .map_err(|e| AudioError::NoAudio(e.to_string()))?;
    let mut decoding = Box::new(Decoding::start(format, reader)?);
    if let Some(frames) = strict_frames(path, format, &decoding.params)? {
        decoding.packets = super::PacketSource::Strict(frames);
    }
    // The first packet fixes the header.
    let mut pending = Vec::new();
    let Some(first) = decoding.next_decoded(0)? else {
        return Err(AudioError::Empty);
    };
    let (header, frames) = (first.header, first.frames.len() as u64);
    pcm::append_interleaved(&first.buffer, header.layout, first.frames, &mut pending);
    Ok(PcmReader::new(header, Source::Decoded(decoding), pending, frames))
}

impl PcmReader {
    fn new(header: StreamHeader, source: Source, pending: Vec<u8>, frames: u64) -> PcmReader {
        let mut sha = Sha256::new();
        sha.update(header.to_bytes());
        sha.update(&pending);
        PcmReader { header, source, pending, offset: 0, sha, frames, audio_id: None }
    }

    /// The stream's rate, channels and sample layout.
    pub fn header(&self) -> StreamHeader {
        self.header
    }

    /// The audio id of what was read, once the stream has ended.
    pub fn audio_id(&self) -> Option<&AudioId> {
        self.audio_id.as_ref()
    }

    /// Produces the next bytes into `pending`; at the end, computes the audio id.
    fn produce(&mut self) -> Result<(), AudioError> {
        self.pending.clear();
        self.offset = 0;
        match &mut self.source {
            Source::Plain { file, remaining, unsigned } => {
                let want = (*remaining).min(READ_LEN as u64) as usize;
                if want > 0 {
                    self.pending.resize(want, 0);
                    file.read_exact(&mut self.pending).map_err(FormatError::Io)?;
                    if *unsigned {
                        self.pending.iter_mut().for_each(|b| *b ^= 0x80);
                    }
                    *remaining -= want as u64;
                }
            }
            Source::Decoded(decoding) => {
                // Skip packets that decode to no frames (encoder delay), until data or the end.
                while self.pending.is_empty() {
                    let Some(next) = decoding.next_decoded(self.frames)? else { break };
                    check_same_stream(&self.header, &next.header)?;
                    self.frames += next.frames.len() as u64;
                    pcm::append_interleaved(&next.buffer, next.header.layout, next.frames, &mut self.pending);
                }
                if self.pending.is_empty() {
                    decoding.check_complete(self.frames)?;
                }
            }
            Source::Done => {}
        }
        if self.pending.is_empty() {
            self.source = Source::Done;
            self.audio_id.get_or_insert_with(|| AudioId::from_digest(self.sha.clone()));
        } else {
            self.sha.update(&self.pending);
        }
        Ok(())
    }
}

impl Read for PcmReader {
    fn read(&mut self, into: &mut [u8]) -> io::Result<usize> {
        if self.offset == self.pending.len() && !matches!(self.source, Source::Done) {
            crate::guard::catch(|| self.produce())
                .unwrap_or_else(|panic| Err(AudioError::DecoderFailed(panic)))
                .map_err(io::Error::other)?;
        }
        let available = &self.pending[self.offset..];
        let n = available.len().min(into.len());
        into[..n].copy_from_slice(&available[..n]);
        self.offset += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every WAV, FLAC and AIFF fixture reads back as the bytes its audio id hashes.
    #[test]
    fn the_stream_is_what_the_audio_id_hashes() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut compared = 0;
        for folder in ["same", "formats", "album"] {
            for entry in std::fs::read_dir(fixtures.join(folder)).unwrap() {
                let path = entry.unwrap().path();
                let Ok(facts) = super::super::analyze(&path) else { continue };
                let mut reader = open_pcm(&path).unwrap();
                assert_eq!(reader.header(), facts.stream, "{}", path.display());
                let mut bytes = Vec::new();
                // Small reads, so the stream is produced across many calls.
                let mut piece = [0u8; 1000];
                loop {
                    let n = reader.read(&mut piece).unwrap();
                    if n == 0 {
                        break;
                    }
                    bytes.extend_from_slice(&piece[..n]);
                }
                let frame_bytes = usize::from(facts.stream.channels) * facts.stream.layout.bytes_per_sample();
                assert_eq!(bytes.len() as u64, facts.frames * frame_bytes as u64, "{}", path.display());
                assert_eq!(reader.audio_id(), Some(&facts.audio_id), "{}", path.display());
                compared += 1;
            }
        }
        assert!(compared >= 20, "only {compared} fixtures compared");
    }
}
