//! Hashing samples a container stores in the canonical layout already
//! ([`crate::container::PlainPcm`]): read ahead in large buffers and hashed as they
//! are, with no decoder in between. Both paths give the same audio id, which the tests check on
//! every WAV fixture.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use crate::container::read_ahead::ReadAhead;

use super::feed::Feed;
use super::id::{PcmHasher, StreamHeader};
use super::pcm::{SampleKind, SampleLayout};
use super::{AnalyzeOptions, AudioError, AudioFacts};
use crate::container::{Format, FormatError, PlainPcm};

/// Bytes read per buffer.
const BUFFER_LEN: usize = 1 << 20;

/// Identifies the plain PCM that `file` holds at `pcm.data`.
pub(super) fn analyze(
    mut file: File,
    format: Format,
    pcm: &PlainPcm,
    options: &AnalyzeOptions,
) -> Result<AudioFacts, AudioError> {
    let kind = if pcm.float { SampleKind::Float } else { SampleKind::Int };
    let header = StreamHeader {
        sample_rate: pcm.sample_rate,
        channels: pcm.channels,
        layout: SampleLayout { kind, bits: pcm.bits },
    };
    file.seek(SeekFrom::Start(pcm.data.start)).map_err(FormatError::Io)?;
    let data_len = pcm.data.end - pcm.data.start;
    let mut file = ReadAhead::new(file, data_len);
    let mut hasher = PcmHasher::new(header, options.threads, !options.skip_md5);
    let mut fingerprinting = Feed::start(options.fingerprint, &header);
    let mut remaining = data_len;
    while remaining > 0 {
        let want = remaining.min(BUFFER_LEN as u64) as usize;
        let mut buffer = vec![0u8; want];
        file.read_exact(&mut buffer).map_err(FormatError::Io)?;
        if let Some(meter) = options.meter {
            meter.count(want as u64);
        }
        if pcm.unsigned {
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
    Ok(AudioFacts {
        format,
        codec: pcm.codec.to_owned(),
        stream: header,
        frames: data_len / u64::from(pcm.block_align),
        audio_id,
        pcm_md5,
        stored_md5: None,
        fingerprint: fingerprinting.and_then(Feed::finish),
    })
}
