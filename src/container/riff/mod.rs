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
use lofty::iff::wav::WavFile;

use super::{Container, PlainPcm, Probe, Sink, Sniff, TagError, TagPlace, TagReport, id3};
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

/// The locations every file gets; a broadcast WAV may get [`TagPlace::AxmlIsrc`] too.
const LOCATIONS: &[TagPlace] = &[TagPlace::Id3v2Tsrc, TagPlace::RiffInfoIsrc];

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

    fn written_locations(&self) -> &'static [TagPlace] {
        LOCATIONS
    }

    fn read_tags(&self, file: &mut File) -> Result<TagReport, TagError> {
        let layout = chunks::read(file)?;
        let tags = TagChunks::read(file, &layout)?;
        let wav = WavFile::read_from(&mut Cursor::new(tags.id3_riff()), super::read_options())?;
        let mut report = TagReport::default();
        if let Some(tag) = wav.id3v2() {
            let raw: Vec<&[u8]> = tags.id3.iter().map(Vec::as_slice).collect();
            id3::read(tag, &raw, &mut report);
        }
        for list in &tags.info {
            read_info(list, &mut report)?;
        }
        let document = axml_document(file, &layout)?;
        for isrc in document.iter().flat_map(|d| &d.isrcs) {
            report.found(TagPlace::AxmlIsrc, isrc.as_str());
        }
        report.written = LOCATIONS.to_vec();
        if writes_axml(&layout, document.as_ref()) {
            report.written.push(TagPlace::AxmlIsrc);
        }
        Ok(report)
    }

    fn is_streamed(&self) -> bool {
        true
    }

    fn stream_tags(&self, source: &mut File, out: &mut dyn Sink, code: &str) -> Result<(), TagError> {
        let layout = chunks::read(source)?;
        let tags = TagChunks::read(source, &layout)?;
        let id3_bytes = id3::with_tsrc(tags.id3.first().map(Vec::as_slice), code)?;
        drop(tags);
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

/// The file's ID3 chunks and INFO lists, read into memory under one lease
/// ([`super::limits`]): lofty reads the ID3 chunks from a small RIFF WAVE built of them
/// ([`TagChunks::id3_riff`]), which it reads though it takes no RF64; the INFO lists are
/// read here, entry by entry, without lofty (which keeps only the entries it can type,
/// and allocates per entry).
struct TagChunks {
    id3: Vec<Vec<u8>>,
    info: Vec<Vec<u8>>,
    _lease: super::limits::Lease,
}

impl TagChunks {
    fn read(file: &mut File, layout: &Layout) -> Result<TagChunks, TagError> {
        let mut wanted = Vec::new();
        for chunk in &layout.chunks {
            if chunk.is_id3() || is_info_list(file, chunk)? {
                if chunk.body_len > MAX_TAG_CHUNK {
                    return Err(super::limits::over_limit(chunk.body_len, &format!("the {:?} chunk", chunk.name())));
                }
                wanted.push(*chunk);
            }
        }
        let total = wanted.iter().map(|c| c.body_len).sum::<u64>();
        let lease = super::limits::lease(total, "the tag chunks")?;
        let (mut id3, mut info) = (Vec::new(), Vec::new());
        for chunk in wanted {
            let body = chunks::read_body(file, &chunk, MAX_TAG_CHUNK)?;
            if chunk.is_id3() { id3.push(body) } else { info.push(body) }
        }
        Ok(TagChunks { id3, info, _lease: lease })
    }

    /// The ID3 chunks in a small RIFF WAVE, for lofty's reader.
    fn id3_riff(&self) -> Vec<u8> {
        let mut riff = b"RIFF\0\0\0\0WAVE".to_vec();
        for body in &self.id3 {
            riff.extend_from_slice(b"ID3 ");
            riff.extend_from_slice(&(body.len() as u32).to_le_bytes());
            riff.extend_from_slice(body);
            if body.len() % 2 == 1 {
                riff.push(0);
            }
        }
        let len = (riff.len() - 8) as u32;
        riff[4..8].copy_from_slice(&len.to_le_bytes());
        riff
    }
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

/// Adds an INFO list's ISRCs (every `ISRC` entry), title, artist and album to `report`.
/// The list (`INFO` then entries: a four-byte id, a 32-bit length, the bytes and a pad
/// byte) is read as it is stored, whatever the ids' bytes; an entry that claims more
/// than the list holds is refused, naming it.
fn read_info(list: &[u8], report: &mut TagReport) -> Result<(), TagError> {
    let mut at = 4;
    let mut n = 0u64;
    while at + 8 <= list.len() {
        n += 1;
        let id = &list[at..at + 4];
        let len = u32::from_le_bytes([list[at + 4], list[at + 5], list[at + 6], list[at + 7]]) as usize;
        let Some(value) = list.get(at + 8..(at + 8).saturating_add(len)) else {
            return Err(TagError::Refused(format!(
                "the RIFF INFO list is damaged: its entry {n} ({:?}) claims {len} bytes, but the list holds {} after \
                 it; the file is not tagged: write its INFO tags again with a tag editor (or export it again)",
                String::from_utf8_lossy(id),
                list.len() - at - 8
            )));
        };
        let value = value.split(|&b| b == 0).next().unwrap_or_default();
        let text = || String::from_utf8_lossy(value).into_owned();
        match id {
            b"ISRC" if !value.is_empty() => report.found(TagPlace::RiffInfoIsrc, text()),
            b"INAM" => TagReport::fill(&mut report.title, Some(&text())),
            b"IART" => TagReport::fill(&mut report.artist, Some(&text())),
            b"IPRD" => TagReport::fill(&mut report.album, Some(&text())),
            b"ITRK" | b"IPRT" => TagReport::fill_number(&mut report.track, Some(&text())),
            _ => {}
        }
        at += 8 + len + (len & 1);
    }
    Ok(())
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
