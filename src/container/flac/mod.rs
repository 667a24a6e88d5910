//! FLAC: the ISRC in the Vorbis comment `ISRC`; a CUESHEET block's track ISRCs are
//! read and compared, never written. The frames are split strictly ([`frames`]) for
//! the audio id, and the metadata head is rewritten without moving the frames.

mod cuesheet;
pub(crate) mod frames;
mod untag;

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;

use lofty::config::WriteOptions;
use lofty::file::AudioFile;
use lofty::flac::FlacFile;

use super::{
    Container, FrameSource, Location, Probe, Sink, Sniff, StreamLayout, TagError, TagReport, read_options,
    rewrite_options, vorbis, write_buffered,
};

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

    fn written_locations(&self) -> &'static [Location] {
        &[Location::VorbisIsrc]
    }

    fn read_tags(&self, file: &mut File) -> Result<TagReport, TagError> {
        let mut report = TagReport::default();
        if let Some(comments) = FlacFile::read_from(file, read_options())?.vorbis_comments() {
            vorbis::read(comments, &mut report);
        }
        for track in cuesheet::read_flac_cuesheet(file)? {
            report.found(Location::FlacCuesheetTrack(track.number), track.isrc);
        }
        Ok(report)
    }

    fn write_tags(&self, source: &mut File, target: &mut File, code: &str) -> Result<(), TagError> {
        write_buffered(self, source, target, code)
    }

    fn is_streamed(&self) -> bool {
        true
    }

    /// lofty rewrites the metadata of an in-memory copy of the file's head (the metadata
    /// blocks only), then the new head and the original frames, copied in bulk, make the
    /// tagged file. lofty editing the whole file in place would shift all the frames
    /// whenever the metadata changes length: a second copy of the audio.
    fn stream_tags(&self, source: &mut File, out: &mut dyn Sink, code: &str) -> Result<(), TagError> {
        let frames_start = frames_region(source)?.start;
        let len = usize::try_from(frames_start).map_err(|_| TagError::Write("metadata too large".into()))?;
        let mut head = vec![0u8; len];
        source.seek(SeekFrom::Start(0))?;
        source.read_exact(&mut head)?;
        if code.is_empty() {
            // `untag`: the ISRC fields cut from the Vorbis comments, every other byte of
            // every block kept (lofty would drop a block left empty, and fields it cannot
            // carry).
            out.write_all(&untag::without_isrc(&head)?)?;
            source.seek(SeekFrom::Start(frames_start))?;
            out.copy_from(source, u64::MAX)?;
            return Ok(());
        }
        let mut head = io::Cursor::new(head);
        let mut flac = FlacFile::read_from(&mut head, rewrite_options())?;
        let mut comments = flac.vorbis_comments().cloned().unwrap_or_default();
        vorbis::set_isrc(&mut comments, code);
        flac.set_vorbis_comments(comments);
        head.set_position(0);
        flac.save_to(&mut head, WriteOptions::new()).map_err(|e| TagError::Write(e.to_string()))?;
        out.write_all(head.get_ref())?;
        source.seek(SeekFrom::Start(frames_start))?;
        out.copy_from(source, u64::MAX)?;
        Ok(())
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
