//! RIFF WAVE and its 64-bit forms RF64 (EBU Tech 3306) and BW64 (ITU-R BS.2088): the
//! ISRC in the ID3 chunk (`TSRC`) and in RIFF INFO (`ISRC`), always equal, and in a
//! broadcast WAV (one with a `bext` chunk) also as the EBU Tech 3352 identifier of its
//! aXML ([`axml`]). INFO `ISRC` is "Source" in Microsoft's spec, but TagLib, ffmpeg and
//! BWF MetaEdit read it as the ISRC, and ffmpeg ignores the ID3 chunk when INFO exists.
//!
//! The three are one container ([`Riff`]) registered three times, one per magic, each
//! with its own format name (`wav`, `rf64`, `bw64`) so that output says what the file
//! is. Neither lofty nor symphonia reads RF64, so everything below the magic is the
//! project's own: the chunk list with 64-bit sizes ([`chunks`]), the tag chunks handed
//! to lofty's readers in a small RIFF built in memory, the streamed rewrite
//! ([`rewrite`]) and plain PCM hashed straight from `data` ([`plain`]). A WAV that is not
//! plain PCM is decoded by symphonia; an RF64 or BW64 one is refused, with the reason.
//!
//! The aXML location is written only where it can be honestly: in a BWF file whose aXML
//! is absent or an EBUCore document that is not ADM (no `chna` chunk, no
//! `audioFormatExtended`); ADM files keep `axml` byte for byte. Whether a file gets it
//! is told per file, in [`TagReport::written`].

mod axml;
mod chunks;
mod plain;
mod rewrite;

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom};
use std::ops::Range;

use lofty::file::AudioFile;
use lofty::iff::wav::{RiffInfoList, WavFile};

use super::{Container, Location, PlainPcm, Probe, Sink, Sniff, TagError, TagReport, id3, write_buffered};
use chunks::{Chunk, Layout, MAX_TAG_CHUNK, Magic};

/// RIFF WAVE files of one magic.
pub(super) struct Riff(Magic);

impl Riff {
    /// `RIFF` WAVE.
    pub(super) const WAV: Riff = Riff(Magic::Riff);
    /// `RF64` WAVE.
    pub(super) const RF64: Riff = Riff(Magic::Rf64);
    /// `BW64` WAVE.
    pub(super) const BW64: Riff = Riff(Magic::Bw64);
}

/// The locations every file gets; a broadcast WAV may get [`Location::AxmlIsrc`] too.
const LOCATIONS: &[Location] = &[Location::Id3v2Tsrc, Location::RiffInfoIsrc];

impl Container for Riff {
    fn name(&self) -> &'static str {
        match self.0 {
            Magic::Riff => "wav",
            Magic::Rf64 => "rf64",
            Magic::Bw64 => "bw64",
        }
    }

    fn sniff(&self, probe: &mut Probe<'_>) -> io::Result<Sniff> {
        let yes = probe.at(0..4) == self.0.bytes() && probe.at(8..12) == b"WAVE";
        Ok(if yes { Sniff::Yes } else { Sniff::No })
    }

    fn written_locations(&self) -> &'static [Location] {
        LOCATIONS
    }

    fn read_tags(&self, file: &mut File) -> Result<TagReport, TagError> {
        let layout = chunks::read(file)?;
        let wav = WavFile::read_from(&mut Cursor::new(tag_chunks(file, &layout)?), super::read_options())?;
        let mut report = TagReport::default();
        if let Some(tag) = wav.id3v2() {
            id3::read(tag, &mut report);
        }
        if let Some(info) = wav.riff_info() {
            read_info(info, &mut report);
        }
        let document = axml_document(file, &layout)?;
        for isrc in document.iter().flat_map(|d| &d.isrcs) {
            report.found(Location::AxmlIsrc, isrc.as_str());
        }
        report.written = LOCATIONS.to_vec();
        if writes_axml(&layout, document.as_ref()) {
            report.written.push(Location::AxmlIsrc);
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
        let layout = chunks::read(source)?;
        let wav = WavFile::read_from(&mut Cursor::new(tag_chunks(source, &layout)?), super::rewrite_options())?;
        let (tag, options) = id3::with_tsrc(wav.id3v2().cloned(), code);
        let mut id3_bytes = Vec::new();
        lofty::tag::TagExt::dump_to(&tag, &mut id3_bytes, options).map_err(|e| TagError::Write(e.to_string()))?;
        let axml = if writes_axml(&layout, axml_document(source, &layout)?.as_ref()) {
            let existing =
                layout.find(b"axml").map(|chunk| chunks::read_body(source, chunk, MAX_TAG_CHUNK)).transpose()?;
            match (existing, code.is_empty()) {
                // `untag` of a file with no aXML: nothing to take out.
                (None, true) => None,
                (existing, _) => Some(axml::with_isrc(existing.as_deref(), code)?),
            }
        } else {
            None
        };
        rewrite::rewrite(source, &layout, out, &rewrite::NewTags { id3: &id3_bytes, isrc: code, axml: axml.as_deref() })
    }

    fn audio_regions(&self, file: &mut File) -> io::Result<Option<Vec<Range<u64>>>> {
        let layout = chunks::read(file)?;
        let body = |id: &[u8; 4]| Some(layout.find(id)?.body());
        Ok(match (body(b"fmt "), body(b"data")) {
            (Some(fmt), Some(data)) => Some(vec![fmt, data]),
            _ => None,
        })
    }

    fn plain_pcm(&self, file: &mut File) -> io::Result<Option<PlainPcm>> {
        match chunks::read(file) {
            Ok(layout) => plain::plain_pcm(file, &layout),
            // A damaged WAV goes to the decoder, whose messages say what is wrong.
            Err(e) if self.0 == Magic::Riff && e.kind() == io::ErrorKind::InvalidData => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The file's ID3 chunks and INFO lists, in a small RIFF WAVE built in memory for
/// lofty's readers (which take no RF64): the same chunks, so the same reading.
fn tag_chunks(file: &mut File, layout: &Layout) -> io::Result<Vec<u8>> {
    let mut riff = b"RIFF\0\0\0\0WAVE".to_vec();
    for chunk in &layout.chunks {
        if chunk.is_id3() || is_info_list(file, chunk)? {
            let body = chunks::read_body(file, chunk, MAX_TAG_CHUNK)?;
            riff.extend_from_slice(&chunk.id);
            riff.extend_from_slice(&(body.len() as u32).to_le_bytes());
            riff.extend_from_slice(&body);
            if body.len() % 2 == 1 {
                riff.push(0);
            }
        }
    }
    let len = (riff.len() - 8) as u32;
    riff[4..8].copy_from_slice(&len.to_le_bytes());
    Ok(riff)
}

/// The file's aXML document as read (streamed: an ADM document may be large).
fn axml_document(file: &mut File, layout: &Layout) -> io::Result<Option<axml::Document>> {
    let Some(chunk) = layout.find(b"axml") else {
        return Ok(None);
    };
    file.seek(SeekFrom::Start(chunk.body_offset))?;
    axml::read(BufReader::new(Read::by_ref(file).take(chunk.body_len))).map(Some)
}

/// Whether the file gets the aXML location: a broadcast WAV (`bext`) that is not ADM
/// (no `chna`), whose aXML is absent or an EBUCore document that is not ADM.
fn writes_axml(layout: &Layout, document: Option<&axml::Document>) -> bool {
    layout.has(b"bext") && !layout.has(b"chna") && document.is_none_or(axml::Document::is_writable)
}

fn read_info(info: &RiffInfoList, report: &mut TagReport) {
    if let Some(value) = info.get("ISRC").map(|v| v.trim_end_matches('\0')).filter(|v| !v.is_empty()) {
        report.found(Location::RiffInfoIsrc, value);
    }
    TagReport::fill(&mut report.title, info.get("INAM"));
    TagReport::fill(&mut report.artist, info.get("IART"));
    TagReport::fill(&mut report.album, info.get("IPRD"));
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
