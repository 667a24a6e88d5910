//! MPEG audio (layer III): the ISRC in the ID3v2 `TSRC` frame, which the project writes
//! itself (every other frame kept byte for byte).

use std::fs::File;
use std::io::{self, Seek, SeekFrom};

use lofty::file::AudioFile;
use lofty::mpeg::MpegFile;

use super::{Container, Probe, Sink, Sniff, TagError, TagPlace, TagReport, id3, read_options};

/// MP3 files.
pub(super) struct Mp3;

impl Container for Mp3 {
    fn name(&self) -> &'static str {
        "mp3"
    }

    fn sniff(&self, probe: &mut Probe<'_>) -> io::Result<Sniff> {
        // An MPEG audio layer I-III frame sync (not ADTS AAC, whose layer bits are 0).
        let sync = matches!(probe.head(), [0xff, b, ..] if b & 0xe0 == 0xe0 && (b >> 1) & 0x03 != 0);
        Ok(if probe.head().starts_with(b"ID3") || sync { Sniff::Yes } else { Sniff::No })
    }

    fn written_locations(&self) -> &'static [TagPlace] {
        &[TagPlace::Id3v2Tsrc]
    }

    fn read_tags(&self, file: &mut File) -> Result<TagReport, TagError> {
        let raw = id3::leading_tag(file)?;
        let mut report = TagReport::default();
        file.seek(SeekFrom::Start(0))?;
        if let Some(tag) = MpegFile::read_from(file, read_options())?.id3v2() {
            let raw: Vec<&[u8]> = raw.iter().map(|(tag, _)| tag.as_slice()).collect();
            id3::read(tag, &raw, &mut report);
        }
        Ok(report)
    }

    /// The leading ID3v2 tag rebuilt by the project with the code ([`id3::with_tsrc`]:
    /// every other frame kept byte for byte; a new ID3v2.3 tag for a file without one),
    /// then the rest of the file as it is.
    fn stream_tags(&self, source: &mut File, out: &mut dyn Sink, code: &str) -> Result<(), TagError> {
        let old = id3::leading_tag(source)?;
        let new_tag = id3::with_tsrc(old.as_ref().map(|(tag, _)| tag.as_slice()), code)?;
        out.write_all(&new_tag)?;
        source.seek(SeekFrom::Start(old.map_or(0, |(tag, _)| tag.len() as u64)))?;
        out.copy_from(source, u64::MAX)?;
        Ok(())
    }
}
