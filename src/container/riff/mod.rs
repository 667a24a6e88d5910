//! RIFF WAVE: the ISRC in the ID3 chunk (`TSRC`) and in RIFF INFO (`ISRC`), always
//! equal. INFO `ISRC` is "Source" in Microsoft's spec, but TagLib, ffmpeg and BWF
//! MetaEdit read it as the ISRC, and ffmpeg ignores the ID3 chunk when INFO exists.
//!
//! The chunk list is read here ([`chunks`]) with 64-bit sizes; tagging streams the file
//! chunk by chunk ([`rewrite`]); plain PCM is hashed straight from `data` ([`plain`]).

mod plain;
mod rewrite;

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;

use lofty::file::AudioFile;
use lofty::iff::wav::{RiffInfoList, WavFile};

use super::{
    Container, Location, PlainPcm, Probe, Sink, Sniff, TagError, TagReport, id3, read_options, rewrite_options,
    write_buffered,
};

/// WAV files.
pub(super) struct Wav;

impl Container for Wav {
    fn name(&self) -> &'static str {
        "wav"
    }

    fn sniff(&self, probe: &mut Probe<'_>) -> io::Result<Sniff> {
        Ok(match probe.at(0..4) {
            b"RIFF" if probe.at(8..12) == b"WAVE" => Sniff::Yes,
            b"RF64" | b"BW64" => Sniff::Unsupported(
                "RF64/BW64 WAV is not supported yet (neither the tag writer nor the decoder reads it)",
            ),
            _ => Sniff::No,
        })
    }

    fn written_locations(&self) -> &'static [Location] {
        &[Location::Id3v2Tsrc, Location::RiffInfoIsrc]
    }

    fn read_tags(&self, file: &mut File) -> Result<TagReport, TagError> {
        let wav = WavFile::read_from(file, read_options())?;
        let mut report = TagReport::default();
        if let Some(tag) = wav.id3v2() {
            id3::read(tag, &mut report);
        }
        if let Some(info) = wav.riff_info() {
            read_info(info, &mut report);
        }
        Ok(report)
    }

    fn write_tags(&self, source: &mut File, target: &mut File, code: &str) -> Result<(), TagError> {
        write_buffered(self, source, target, code)
    }

    fn is_streamed(&self) -> bool {
        true
    }

    fn stream_tags(&self, source: &mut File, out: &mut dyn Sink, code: &str) -> Result<(), TagError> {
        let wav = WavFile::read_from(source, rewrite_options())?;
        let (tag, options) = id3::with_tsrc(wav.id3v2().cloned(), code);
        let mut id3_bytes = Vec::new();
        lofty::tag::TagExt::dump_to(&tag, &mut id3_bytes, options).map_err(|e| TagError::Write(e.to_string()))?;
        rewrite::rewrite(source, out, &rewrite::NewTags { id3: &id3_bytes, isrc: code })?;
        Ok(())
    }

    fn audio_regions(&self, file: &mut File) -> io::Result<Option<Vec<Range<u64>>>> {
        let chunks = chunks(file)?;
        let body = |id: &[u8; 4]| Some(find(&chunks, id)?.body());
        Ok(match (body(b"fmt "), body(b"data")) {
            (Some(fmt), Some(data)) => Some(vec![fmt, data]),
            _ => None,
        })
    }

    fn plain_pcm(&self, file: &mut File) -> io::Result<Option<PlainPcm>> {
        plain::plain_pcm(file)
    }
}

fn read_info(info: &RiffInfoList, report: &mut TagReport) {
    if let Some(value) = info.get("ISRC").map(|v| v.trim_end_matches('\0')).filter(|v| !v.is_empty()) {
        report.found(Location::RiffInfoIsrc, value);
    }
    TagReport::fill(&mut report.title, info.get("INAM"));
    TagReport::fill(&mut report.artist, info.get("IART"));
    TagReport::fill(&mut report.album, info.get("IPRD"));
}

/// A chunk of a RIFF file: id, body offset and body length (without the pad byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Chunk {
    /// The four-character id.
    pub id: [u8; 4],
    /// Offset of the body in the file.
    pub body_offset: u64,
    /// Length of the body as declared.
    pub body_len: u64,
}

impl Chunk {
    /// Offset just past the body and its pad byte.
    pub fn end(&self) -> u64 {
        self.body_offset + self.body_len + (self.body_len & 1)
    }

    /// The body's byte range.
    pub fn body(&self) -> Range<u64> {
        self.body_offset..self.body_offset + self.body_len
    }

    /// Whether this is an ID3v2 chunk (`id3 ` or `ID3 `).
    pub fn is_id3(&self) -> bool {
        self.id.eq_ignore_ascii_case(b"id3 ")
    }
}

/// The first chunk with this id.
pub(crate) fn find<'a>(chunks: &'a [Chunk], id: &[u8; 4]) -> Option<&'a Chunk> {
    chunks.iter().find(|chunk| &chunk.id == id)
}

/// Lists the top-level chunks of a RIFF WAVE file.
pub(crate) fn chunks(file: &mut File) -> io::Result<Vec<Chunk>> {
    let len = file.seek(SeekFrom::End(0))?;
    let mut header = [0u8; 12];
    file.seek(SeekFrom::Start(0))?;
    file.read_exact(&mut header)?;
    if &header[..4] != b"RIFF" || &header[8..] != b"WAVE" {
        return Err(malformed("not a RIFF WAVE file"));
    }
    let mut found = Vec::new();
    let mut at = 12u64;
    while at + 8 <= len {
        let mut head = [0u8; 8];
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(&mut head)?;
        let chunk = Chunk {
            id: [head[0], head[1], head[2], head[3]],
            body_offset: at + 8,
            body_len: u64::from(u32::from_le_bytes([head[4], head[5], head[6], head[7]])),
        };
        if chunk.body_offset + chunk.body_len > len {
            let id = String::from_utf8_lossy(&chunk.id).into_owned();
            return Err(malformed(&format!("chunk {id:?} runs past the end of the file")));
        }
        found.push(chunk);
        at = chunk.end();
    }
    Ok(found)
}

/// Whether a `LIST` chunk is an INFO list.
fn is_info_list(file: &mut File, chunk: &Chunk) -> io::Result<bool> {
    if &chunk.id != b"LIST" || chunk.body_len < 4 {
        return Ok(false);
    }
    let mut kind = [0u8; 4];
    file.seek(SeekFrom::Start(chunk.body_offset))?;
    file.read_exact(&mut kind)?;
    Ok(&kind == b"INFO")
}

/// An `InvalidData` error about a malformed WAV file.
fn malformed(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("malformed WAV: {message}"))
}
