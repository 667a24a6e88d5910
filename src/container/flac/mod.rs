//! FLAC: the ISRC in the Vorbis comment `ISRC`; a CUESHEET block's track ISRCs are
//! read and compared, never written. The frames are split strictly ([`frames`]) for
//! the audio id, and the metadata blocks are read and rewritten by the project
//! ([`metadata`]), every other block and comment field kept byte for byte.

mod cuesheet;
pub(crate) mod frames;
mod metadata;

use std::fs::File;
use std::io::{self, Seek, SeekFrom};
use std::ops::Range;

use super::{Container, FrameSource, Probe, Sink, Sniff, StreamLayout, TagError, TagPlace, TagReport};

pub(crate) use frames::{frames_region, marker_offset};

/// FLAC files.
pub(super) struct Flac;

impl Container for Flac {
    fn name(&self) -> &'static str {
        "flac"
    }

    fn sniff(&self, probe: &mut Probe<'_>) -> io::Result<Sniff> {
        if probe.at(0..4) == b"fLaC" {
            return Ok(Sniff::Yes);
        }
        // FLAC files sometimes carry an ID3v2 tag in front: look behind it.
        if probe.head().starts_with(b"ID3") {
            let behind = super::id3::tag_len(probe.head()).unwrap_or(0);
            if probe.read_at(behind, 4)? == b"fLaC" {
                return Ok(Sniff::Yes);
            }
        }
        Ok(Sniff::No)
    }

    fn written_locations(&self) -> &'static [TagPlace] {
        &[TagPlace::VorbisIsrc]
    }

    fn read_tags(&self, file: &mut File) -> Result<TagReport, TagError> {
        let mut report = TagReport::default();
        metadata::read_comments(file, &mut report)?;
        for track in cuesheet::read_flac_cuesheet(file)? {
            report.found(TagPlace::FlacCuesheetTrack(track.number), track.isrc);
        }
        Ok(report)
    }

    fn is_streamed(&self) -> bool {
        true
    }

    /// The metadata blocks are rewritten by the project ([`metadata`]): every block and
    /// every comment field kept byte for byte but the ISRC, then the original frames,
    /// copied in bulk, make the tagged file.
    fn stream_tags(&self, source: &mut File, out: &mut dyn Sink, code: &str) -> Result<(), TagError> {
        metadata::stream_with_isrc(source, out, code)
    }

    fn audio_regions(&self, file: &mut File) -> io::Result<Option<Vec<Range<u64>>>> {
        let frames = frames_region(file)?;
        // STREAMINFO is the first block: 4 bytes after "fLaC", 34 bytes long.
        Ok(marker_offset(file)?.map(|at| vec![at + 8..at + 8 + 34, frames]))
    }

    fn has_strict_frames(&self) -> bool {
        true
    }

    fn strict_frames(&self, mut file: File, layout: StreamLayout) -> io::Result<Option<Box<dyn FrameSource>>> {
        let region = frames_region(&mut file)?;
        file.seek(SeekFrom::Start(region.start))?;
        let len = region.end - region.start;
        let reader = frames::FrameReader::new(super::read_ahead::ReadAhead::new(file, len), region, layout);
        Ok(Some(Box::new(reader)))
    }
}
