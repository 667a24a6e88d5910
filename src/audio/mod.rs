//! Decoding: the audio id, the exact frame count and `MD5(pcm)` of a file's default track.
//!
//! See DESIGN.md section 2. The samples are decoded with symphonia, laid out in the
//! canonical PCM form ([`pcm`]) and hashed ([`id`]). Any decode error fails the file:
//! a master that does not decode cleanly is not given an identity.
//!
//! Where the container stores the samples in the canonical layout already (plain PCM
//! WAV, RF64 and BW64), they are hashed as they are read ([`plain`]); where its demuxer is too
//! forgiving for an identity (FLAC), the container's strict frame reader feeds the
//! decoder. On request ([`AnalyzeOptions::fingerprint`]) the same pass also computes
//! the acoustic fingerprint of the first seconds ([`crate::acoustic`]) from the very
//! bytes it hashes; the audio id is the same either way. A writer that needs the samples
//! themselves (a DDP image) reads them as a stream ([`open_pcm`]).

mod feed;
mod id;
pub(crate) mod pcm;
mod plain;
mod stream;
mod view;

use std::fs::File;
use std::path::Path;

use symphonia::core::codecs::audio::well_known::{CODEC_ID_ALAC, CODEC_ID_FLAC};
use symphonia::core::codecs::audio::{AudioCodecParameters, AudioDecoderOptions, VerificationCheck};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::packet::Packet;
use symphonia::core::units::{Duration, Timestamp};

use crate::base::ids::is_lossless_codec;
/// The audio id and hex, kept here for the library's users (tests, the bench).
pub use crate::base::ids::{AudioId, hex};
pub use id::{PcmHasher, StreamHeader};
pub use pcm::{SampleKind, SampleLayout};
pub use stream::{PcmReader, open_pcm};

use crate::container::{self, Format, FormatError, FrameError, FrameSource, StreamLayout};
pub(crate) use feed::Feed;

/// What [`analyze_with`] computes beyond the audio id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnalyzeOptions {
    /// Also compute the acoustic fingerprint of the first
    /// [`crate::acoustic::MAX_SECONDS`], in the same decode pass.
    pub fingerprint: bool,
    /// Threads this one file may use (hashing beside decoding); 0 or 1 for one.
    /// Callers decoding many files at once give each file one thread.
    pub threads: usize,
    /// Leave out `MD5(pcm)` (the audio id never needs it; `inspect` and `verify` do).
    pub skip_md5: bool,
    /// Told the bytes read as decoding consumes them (a progress display's, kept by
    /// the caller); `None`: nobody counts.
    pub meter: Option<Meter>,
}

/// Counts the bytes a decode pass consumes, as it consumes them: how a caller keeps a
/// progress display without decoding knowing of it.
#[derive(Clone, Copy)]
pub struct Meter(pub fn(u64));

impl Meter {
    /// Reports `n` more bytes consumed.
    pub fn count(self, n: u64) {
        (self.0)(n);
    }
}

impl std::fmt::Debug for Meter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Meter")
    }
}

impl PartialEq for Meter {
    fn eq(&self, other: &Meter) -> bool {
        std::ptr::fn_addr_eq(self.0, other.0)
    }
}

impl Eq for Meter {}

/// What decoding a file established about its audio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioFacts {
    /// The container.
    pub format: Format,
    /// The codec's short name (`pcm_s16le`, `flac`, `mp3`, `aac`, `alac`, `vorbis`, ...).
    pub codec: String,
    /// Sample rate, channels, sample kind and bits: the header of the audio id.
    pub stream: StreamHeader,
    /// Decoded sample frames (after encoder delay and padding are trimmed).
    pub frames: u64,
    /// The audio id.
    pub audio_id: AudioId,
    /// `MD5` of the canonical PCM bytes (unless the caller skipped it).
    pub pcm_md5: Option<[u8; 16]>,
    /// The MD5 a FLAC file stores in STREAMINFO (`None` for other formats, and for a
    /// FLAC file whose encoder left it unset, all zeros).
    pub stored_md5: Option<[u8; 16]>,
    /// The acoustic fingerprint of the first [`crate::acoustic::MAX_SECONDS`], when
    /// asked for ([`analyze_with`]) and the audio is long enough (about 8 s).
    pub fingerprint: Option<crate::base::ids::Fingerprint>,
}

impl AudioFacts {
    /// Whether the codec keeps every sample (PCM, FLAC, ALAC), unlike MP3, AAC, Vorbis.
    pub fn is_lossless(&self) -> bool {
        is_lossless_codec(&self.codec)
    }

    /// How good a source this is, for choosing the reference of a recording's files
    /// (greater is better): lossless over lossy, then the higher sample rate × bit
    /// depth, then the longer.
    pub fn source_rank(&self) -> (bool, u64, u64) {
        let resolution = u64::from(self.stream.sample_rate) * u64::from(self.stream.layout.bits);
        let millis = (self.duration_seconds() * 1000.0) as u64;
        (self.is_lossless(), resolution, millis)
    }

    /// Duration in seconds, from the decoded frame count.
    pub fn duration_seconds(&self) -> f64 {
        self.frames as f64 / f64::from(self.stream.sample_rate)
    }

    /// Whether the decoded audio matches the stored MD5, when there is one.
    pub fn md5_ok(&self) -> Option<bool> {
        Some(self.stored_md5? == self.pcm_md5?)
    }
}

/// Why a file's audio could not be identified.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// The container is unknown, unsupported or unreadable.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// The container's own reader refused the file: a malformed RF64 or BW64 chunk list,
    /// a variant it does not read, a WAV whose data size is unknown.
    #[error("{0}")]
    Container(std::io::Error),
    /// The file has no audio track symphonia can decode.
    #[error("no decodable audio track: {0}")]
    NoAudio(String),
    /// The audio data is damaged.
    #[error("audio is corrupt or truncated after {frames} frames: {cause}")]
    Corrupt {
        /// Frames decoded before the damage.
        frames: u64,
        /// What the decoder said.
        cause: String,
    },
    /// The stream ends before the length its header declares.
    #[error("audio is truncated: the header declares {declared} frames, only {decoded} decode")]
    Truncated {
        /// Frames the container declares.
        declared: u64,
        /// Frames that decoded.
        decoded: u64,
    },
    /// The sample rate, channel count or sample format changes midway.
    #[error("the stream changes {what} midway ({from} to {to}); one audio id cannot describe it")]
    StreamChanges {
        /// Which property changes.
        what: &'static str,
        /// The value at the start.
        from: String,
        /// The value it changes to.
        to: String,
    },
    /// The decoder broke down on this file (an internal panic, caught).
    #[error("the decoder failed on this file ({0}); it is damaged or uses a feature not supported")]
    DecoderFailed(String),
    /// The track holds no samples at all.
    #[error("the audio track holds no samples")]
    Empty,
}

/// Decodes the default audio track of the file at `path` and identifies it.
pub fn analyze(path: &Path) -> Result<AudioFacts, AudioError> {
    analyze_with(path, &AnalyzeOptions::default())
}

/// [`analyze`], also computing what `options` ask for, in the same decode pass.
pub fn analyze_with(path: &Path, options: &AnalyzeOptions) -> Result<AudioFacts, AudioError> {
    crate::guard::catch(|| analyze_unguarded(path, options))
        .unwrap_or_else(|panic| Err(AudioError::DecoderFailed(panic)))
}

fn analyze_unguarded(path: &Path, options: &AnalyzeOptions) -> Result<AudioFacts, AudioError> {
    let format = container::sniff(path)?;
    let mut file = File::open(path).map_err(FormatError::Io)?;
    match format.container().plain_pcm(&mut file) {
        Ok(Some(pcm)) => plain::analyze(file, format, &pcm, options),
        Ok(None) => analyze_decoded(path, format, options),
        Err(e) => Err(AudioError::Container(e)),
    }
}

/// How far the probe looks for the start of the audio: past an ID3v2 tag of up to
/// 16 MB (a large cover picture) with room to spare. symphonia's default probe gives up
/// after 1 MiB, and then calls a valid MP3 with a large tag "no suitable format reader".
const PROBE_DEPTH: u32 = 64 << 20;

/// symphonia's probe with every enabled format, looking [`PROBE_DEPTH`] bytes deep.
fn probe() -> &'static symphonia::core::formats::probe::Probe {
    use symphonia::core::formats::probe::{Probe, ProbeOptions};
    static PROBE: std::sync::OnceLock<Probe> = std::sync::OnceLock::new();
    PROBE.get_or_init(|| {
        let options = ProbeOptions { max_probe_depth: PROBE_DEPTH, ..ProbeOptions::default() };
        let mut probe = Probe::new_with_options(&options);
        symphonia::default::register_enabled_formats(&mut probe);
        probe
    })
}

/// Identifies the file by decoding it with symphonia (every format, every WAV).
fn analyze_decoded(path: &Path, format: Format, options: &AnalyzeOptions) -> Result<AudioFacts, AudioError> {
    let file = File::open(path).map_err(FormatError::Io)?;
    let source = view::media_source(file, format).map_err(FormatError::Io)?;
    let stream = MediaSourceStream::new(source, MediaSourceStreamOptions { buffer_len: 1 << 20 });
    let reader = probe()
        .probe(&Hint::new(), stream, FormatOptions::default(), MetadataOptions::default())
        .map_err(|e| AudioError::NoAudio(e.to_string()))?;
    let mut decoding = Decoding::start(format, reader)?;
    if let Some(frames) = strict_frames(path, format, &decoding.params)? {
        decoding.packets = PacketSource::Strict(frames);
    }
    decoding.run(options)
}

/// Opens the container's strict frame reader, if it has one.
fn strict_frames(
    path: &Path,
    format: Format,
    params: &AudioCodecParameters,
) -> Result<Option<Box<dyn FrameSource>>, AudioError> {
    if !format.container().has_strict_frames() {
        return Ok(None);
    }
    let missing = || AudioError::NoAudio("the stream info lacks the sample rate, channels or bit depth".into());
    let file = File::open(path).map_err(FormatError::Io)?;
    let layout = StreamLayout {
        sample_rate: params.sample_rate.ok_or_else(missing)?,
        channels: params.channels.as_ref().map(|c| c.count() as u16).ok_or_else(missing)?,
        bits_per_sample: params.bits_per_sample.ok_or_else(missing)?,
    };
    Ok(format.container().strict_frames(file, layout).map_err(FormatError::Io)?)
}

/// Where the packets of the default track come from.
enum PacketSource {
    /// symphonia's demuxer, filtered to the default track.
    Demuxer(u32),
    /// The container's strict frame reader.
    Strict(Box<dyn FrameSource>),
}

/// Decoded PCM gathered before it is handed to the hashers: one hand-over per packet
/// (a FLAC frame is a few KB) costs more in thread wake-ups than the hashing saves.
const BATCH_LEN: usize = 1 << 20;

/// One file being decoded and hashed.
struct Decoding<'s> {
    format: Format,
    reader: Box<dyn FormatReader + 's>,
    decoder: Box<dyn symphonia::core::codecs::audio::AudioDecoder>,
    packets: PacketSource,
    declared_frames: Option<u64>,
    lossless: bool,
    params: AudioCodecParameters,
    /// Told the bytes of each packet read ([`AnalyzeOptions::meter`]).
    meter: Option<Meter>,
}

/// One decoded packet: its samples' header, the buffer, and the frames of it to keep.
struct DecodedPacket<'d> {
    header: StreamHeader,
    buffer: symphonia::core::audio::GenericAudioBufferRef<'d>,
    frames: std::ops::Range<usize>,
}

/// The hashing state once the first buffer fixed the stream's header.
struct Hashing {
    header: StreamHeader,
    hasher: PcmHasher,
    /// The acoustic fingerprint, when asked for.
    fingerprinting: Option<Feed>,
}

impl<'s> Decoding<'s> {
    fn start(format: Format, reader: Box<dyn FormatReader + 's>) -> Result<Self, AudioError> {
        let track = reader
            .default_track(TrackType::Audio)
            .ok_or_else(|| AudioError::NoAudio("the file has no audio track".into()))?;
        let track_params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or_else(|| AudioError::NoAudio("the audio track has no codec parameters".into()))?;
        let decoder = symphonia::default::get_codecs()
            .make_audio_decoder(track_params, &AudioDecoderOptions::default())
            .map_err(|e| AudioError::NoAudio(e.to_string()))?;
        let mut params = decoder.codec_params().clone();
        // Some decoders (ALAC) leave the bit depth to the container.
        params.bits_per_sample =
            params.bits_per_sample.or(track_params.bits_per_sample).or_else(|| alac_bit_depth(&params));
        let lossless = is_lossless_codec(decoder.codec_info().short_name);
        Ok(Decoding {
            format,
            packets: PacketSource::Demuxer(track.id),
            declared_frames: track.num_frames,
            lossless,
            params,
            decoder,
            reader,
            meter: None,
        })
    }

    /// The next packet of the default track, or `None` at its end.
    fn next_packet(&mut self, frames: u64) -> Result<Option<Packet>, AudioError> {
        let corrupt = |cause: String| AudioError::Corrupt { frames, cause };
        match &mut self.packets {
            PacketSource::Demuxer(track_id) => loop {
                match self.reader.next_packet() {
                    Ok(Some(packet)) if packet.track_id == *track_id => {
                        if let Some(meter) = self.meter {
                            meter.count(packet.data.len() as u64);
                        }
                        return Ok(Some(packet));
                    }
                    Ok(Some(_)) => continue,
                    Ok(None) => return Ok(None),
                    Err(SymphoniaError::ResetRequired) => {
                        return Err(AudioError::StreamChanges {
                            what: "track layout",
                            from: "the first stream".into(),
                            to: "a chained stream".into(),
                        });
                    }
                    Err(e) => return Err(corrupt(e.to_string())),
                }
            },
            PacketSource::Strict(frames_reader) => match frames_reader.next_frame() {
                Ok(Some((data, block_size))) => {
                    Ok(Some(Packet::new(0, Timestamp::new(0), Duration::new(u64::from(block_size)), data)))
                }
                Ok(None) => Ok(None),
                Err(FrameError::LayoutChange { offset, what, from, to }) => Err(AudioError::StreamChanges {
                    what,
                    from: from.to_string(),
                    to: format!("{to} at byte {offset}"),
                }),
                Err(e) => Err(corrupt(e.to_string())),
            },
        }
    }

    /// Decodes the next packet of the default track: the header of its samples, the
    /// buffer, and the frames of it to keep (encoder delay and padding trimmed); `None`
    /// at the end of the track.
    fn next_decoded(&mut self, frames: u64) -> Result<Option<DecodedPacket<'_>>, AudioError> {
        let Some(packet) = self.next_packet(frames)? else {
            return Ok(None);
        };
        let buffer = self.decoder.decode(&packet).map_err(|e| AudioError::Corrupt { frames, cause: e.to_string() })?;
        let spec = buffer.spec();
        let channels = u16::try_from(spec.channels().count()).unwrap_or(u16::MAX);
        let layout = SampleLayout::of(&buffer, self.params.bits_per_sample)
            .ok_or_else(|| AudioError::NoAudio("the decoder's sample format does not fit its bit depth".into()))?;
        let header = StreamHeader { sample_rate: spec.rate(), channels, layout };
        let total = buffer.frames();
        let start = (packet.trim_start.get() as usize).min(total);
        let end = total.saturating_sub(packet.trim_end.get() as usize).max(start);
        Ok(Some(DecodedPacket { header, buffer, frames: start..end }))
    }

    /// Fails when a lossless stream ended before the frames its container declares.
    fn check_complete(&self, frames: u64) -> Result<(), AudioError> {
        match self.declared_frames.filter(|&n| self.lossless && n > 0) {
            Some(declared) if frames < declared => Err(AudioError::Truncated { declared, decoded: frames }),
            _ => Ok(()),
        }
    }

    fn run(mut self, options: &AnalyzeOptions) -> Result<AudioFacts, AudioError> {
        let is_flac = self.params.codec == CODEC_ID_FLAC;
        self.meter = options.meter;
        let mut hashing: Option<Hashing> = None;
        let mut frames: u64 = 0;
        let mut batch = Vec::with_capacity(BATCH_LEN);
        while let Some(DecodedPacket { header, buffer, frames: range }) = self.next_decoded(frames)? {
            let state = match &mut hashing {
                Some(state) => {
                    check_same_stream(&state.header, &header)?;
                    state
                }
                None => hashing.insert(Hashing {
                    header: describable(header)?,
                    hasher: PcmHasher::new(header, options.threads, !options.skip_md5),
                    fingerprinting: Feed::start(options.fingerprint, &header),
                }),
            };
            // Hand the batch on before it would have to grow: growing copies it whole.
            let needed = range.len() * usize::from(header.channels) * header.layout.bytes_per_sample();
            if !batch.is_empty() && batch.len() + needed > batch.capacity() {
                state.hasher.update(std::mem::replace(&mut batch, Vec::with_capacity(BATCH_LEN.max(needed))));
            }
            let before = batch.len();
            frames += range.len() as u64;
            pcm::append_interleaved(&buffer, header.layout, range, &mut batch);
            if let Some(fingerprinting) = &mut state.fingerprinting {
                fingerprinting.feed(&batch[before..]);
            }
        }
        let Some(Hashing { header, mut hasher, fingerprinting }) = hashing else {
            return Err(AudioError::Empty);
        };
        if !batch.is_empty() {
            hasher.update(batch);
        }
        if frames == 0 {
            return Err(AudioError::Empty);
        }
        self.check_complete(frames)?;
        let (audio_id, pcm_md5) =
            hasher.finish().ok_or_else(|| AudioError::DecoderFailed("the MD5 worker stopped".into()))?;
        let stored_md5 = match self.params.verification_check {
            Some(VerificationCheck::Md5(md5)) if is_flac && md5 != [0; 16] => Some(md5),
            _ => None,
        };
        Ok(AudioFacts {
            format: self.format,
            codec: self.decoder.codec_info().short_name.to_owned(),
            stream: header,
            frames,
            audio_id,
            pcm_md5,
            stored_md5,
            fingerprint: fingerprinting.and_then(Feed::finish),
        })
    }
}

/// The stream header, if it can describe audio: a sample rate of 0 Hz (or no channel,
/// or no bits) describes none, and would give a duration that is no number.
fn describable(header: StreamHeader) -> Result<StreamHeader, AudioError> {
    let zero = if header.sample_rate == 0 {
        "a sample rate of 0 Hz"
    } else if header.channels == 0 {
        "0 channels"
    } else if header.layout.bits == 0 {
        "0 bits per sample"
    } else {
        return Ok(header);
    };
    Err(AudioError::NoAudio(format!(
        "the stream header gives {zero}, which describes no audio; the file is damaged: export the master again"
    )))
}

/// The bit depth an ALAC magic cookie declares (its decoder left-aligns samples to 32 bits).
fn alac_bit_depth(params: &AudioCodecParameters) -> Option<u32> {
    if params.codec != CODEC_ID_ALAC {
        return None;
    }
    let cookie = symphonia_common::apple::audio::alac::MagicCookie::read(params.extra_data.as_deref()?).ok()?;
    Some(u32::from(cookie.bit_depth))
}

/// Fails when a later buffer's header differs from the first one.
fn check_same_stream(first: &StreamHeader, now: &StreamHeader) -> Result<(), AudioError> {
    let change = |what, from: String, to: String| Err(AudioError::StreamChanges { what, from, to });
    if first.sample_rate != now.sample_rate {
        return change("sample rate", first.sample_rate.to_string(), now.sample_rate.to_string());
    }
    if first.channels != now.channels {
        return change("channel count", first.channels.to_string(), now.channels.to_string());
    }
    if first.layout != now.layout {
        let describe = |l: SampleLayout| format!("{}-bit {}", l.bits, l.kind.as_str());
        return change("sample format", describe(first.layout), describe(now.layout));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wav_fast_path_agrees_with_the_decoder_on_every_wav_fixture() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut compared = 0;
        for entry in walkdir::WalkDir::new(&fixtures).into_iter().filter_map(Result::ok) {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "wav") {
                continue;
            }
            let Ok(decoded) = analyze_decoded(path, Format::Wav, &AnalyzeOptions::default()) else {
                continue;
            };
            for threads in [1, 2] {
                let options = AnalyzeOptions { threads, ..AnalyzeOptions::default() };
                let mut file = File::open(path).unwrap();
                let pcm = Format::Wav.container().plain_pcm(&mut file).unwrap().expect("plain PCM takes the fast path");
                let fast = plain::analyze(file, Format::Wav, &pcm, &options).unwrap();
                assert_eq!(fast, decoded, "{}", path.display());
            }
            compared += 1;
        }
        assert!(compared >= 12, "only {compared} WAV fixtures compared");
    }
}
