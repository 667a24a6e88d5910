//! MPEG audio (layer III): the ISRC in the ID3v2 `TSRC` frame.

use std::fs::File;
use std::io;

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
        let mut report = TagReport::default();
        if let Some(tag) = MpegFile::read_from(file, read_options())?.id3v2() {
            id3::read(tag, &mut report);
        }
        Ok(report)
    }

    fn write_tags(&self, source: &mut File, target: &mut File, code: &str) -> Result<(), TagError> {
        let mut mp3 = MpegFile::read_from(source, rewrite_options())?;
        let (tag, options) = id3::with_tsrc(mp3.id3v2().cloned(), code);
        mp3.set_id3v2(tag);
        copy_whole(source, target)?;
        mp3.save_to(target, options).map_err(|e| TagError::Write(e.to_string()))
    }
}
