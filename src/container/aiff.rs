//! AIFF and AIFF-C: the ISRC in the `TSRC` frame of the ID3 chunk.

use std::fs::File;
use std::io;

use lofty::file::AudioFile;
use lofty::iff::aiff::AiffFile;

use super::{Container, Location, Probe, Sniff, TagError, TagReport, copy_whole, id3, read_options, rewrite_options};

/// AIFF and AIFF-C files.
pub(super) struct Aiff;

impl Container for Aiff {
    fn name(&self) -> &'static str {
        "aiff"
    }

    fn sniff(&self, probe: &mut Probe<'_>) -> io::Result<Sniff> {
        let aiff = probe.at(0..4) == b"FORM" && matches!(probe.at(8..12), b"AIFF" | b"AIFC");
        Ok(if aiff { Sniff::Yes } else { Sniff::No })
    }

    fn written_locations(&self) -> &'static [Location] {
        &[Location::Id3v2Tsrc]
    }

    fn read_tags(&self, file: &mut File) -> Result<TagReport, TagError> {
        let mut report = TagReport::default();
        if let Some(tag) = AiffFile::read_from(file, read_options())?.id3v2() {
            id3::read(tag, &mut report);
        }
        Ok(report)
    }

    fn write_tags(&self, source: &mut File, target: &mut File, code: &str) -> Result<(), TagError> {
        let mut aiff = AiffFile::read_from(source, rewrite_options())?;
        let (tag, options) = id3::with_tsrc(aiff.id3v2().cloned(), code);
        aiff.set_id3v2(tag);
        copy_whole(source, target)?;
        aiff.save_to(target, options).map_err(|e| TagError::Write(e.to_string()))
    }
}
