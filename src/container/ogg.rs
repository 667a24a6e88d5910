//! Ogg Vorbis: the ISRC in the Vorbis comment `ISRC`.

use std::fs::File;
use std::io;

use lofty::config::WriteOptions;
use lofty::file::AudioFile;
use lofty::ogg::VorbisFile;

use super::{
    Container, Location, Probe, Sniff, TagError, TagReport, copy_whole, read_options, rewrite_options, vorbis,
};

/// Ogg Vorbis files.
pub(super) struct Ogg;

impl Container for Ogg {
    fn name(&self) -> &'static str {
        "ogg"
    }

    fn sniff(&self, probe: &mut Probe<'_>) -> io::Result<Sniff> {
        Ok(if probe.at(0..4) == b"OggS" { Sniff::Yes } else { Sniff::No })
    }

    fn written_locations(&self) -> &'static [Location] {
        &[Location::VorbisIsrc]
    }

    fn read_tags(&self, file: &mut File) -> Result<TagReport, TagError> {
        let mut report = TagReport::default();
        vorbis::read(VorbisFile::read_from(file, read_options())?.vorbis_comments(), &mut report);
        Ok(report)
    }

    fn write_tags(&self, source: &mut File, target: &mut File, code: &str) -> Result<(), TagError> {
        let mut ogg = VorbisFile::read_from(source, rewrite_options())?;
        vorbis::set_isrc(ogg.vorbis_comments_mut(), code);
        copy_whole(source, target)?;
        ogg.save_to(target, WriteOptions::new()).map_err(|e| TagError::Write(e.to_string()))
    }
}
