//! MPEG audio (layer III): the ISRC in the ID3v2 `TSRC` frame.

use std::fs::File;
use std::io::{self, Seek, SeekFrom};

use lofty::file::AudioFile;
use lofty::mpeg::MpegFile;

use super::{Container, Location, Probe, Sniff, TagError, TagReport, copy_whole, id3, read_options, rewrite_options};

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

    fn written_locations(&self) -> &'static [Location] {
        &[Location::Id3v2Tsrc]
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

    fn write_tags(&self, source: &mut File, target: &mut File, code: &str) -> Result<(), TagError> {
        // The tag is checked (syncsafe, inside the file, within the limit) before lofty reads it.
        let _lease = id3::leading_tag(source)?.map(|(_, lease)| lease);
        source.seek(SeekFrom::Start(0))?;
        let mut mp3 = MpegFile::read_from(source, rewrite_options())?;
        let (tag, options) = id3::with_tsrc(mp3.id3v2().cloned(), code);
        mp3.set_id3v2(tag);
        copy_whole(source, target)?;
        mp3.save_to(target, options).map_err(|e| TagError::Write(e.to_string()))
    }

    fn check_writable(&self, source: &mut File, code: &str) -> Result<(), TagError> {
        let _lease = id3::leading_tag(source)?.map(|(_, lease)| lease);
        source.seek(SeekFrom::Start(0))?;
        let file = MpegFile::read_from(source, rewrite_options())?;
        let (tag, options) = id3::with_tsrc(file.id3v2().cloned(), code);
        lofty::tag::TagExt::dump_to(&tag, &mut Vec::new(), options).map_err(|e| TagError::Write(e.to_string()))
    }
}
