//! Writing an ISRC into every location a format has, into a new file.
//!
//! The original is only read; the tagged result goes to `target` (a temporary file the
//! safe writer renames over the original once verified). Tags are edited through
//! lofty's format-specific types so that every other field, picture and chunk
//! survives; WAV is streamed chunk by chunk (see [`super::riff`]).
//!
//! ID3v2 tags keep their version (v2.2 tags, which lofty cannot write, become v2.3);
//! a new ID3v2 tag is written as v2.3, the version every reader handles.

use std::borrow::Cow;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use lofty::config::{ParseOptions, WriteOptions};
use lofty::file::AudioFile;
use lofty::flac::FlacFile;
use lofty::id3::v2::{Frame, Id3v2Tag, Id3v2Version, TextInformationFrame};
use lofty::iff::aiff::AiffFile;
use lofty::iff::wav::WavFile;
use lofty::mp4::{Atom, AtomData, Ilst, Mp4File};
use lofty::mpeg::MpegFile;
use lofty::ogg::VorbisFile;
use lofty::ogg::tag::VorbisComments;
use lofty::tag::TagExt;

use super::read::{MP4_ISR, MP4_XID, TSRC, atom_text, mp4_freeform_isrc, split_xid_isrc};
use super::riff::Sink;
use super::{Location, TagError, riff};
use crate::code::Isrc;
use crate::format::Format;

/// The locations isrc-stamp writes for `format` (a FLAC cue sheet and an MP4 `©isr`
/// are read and compared, and `©isr` is rewritten when present, but never added).
pub fn written_locations(format: Format) -> &'static [Location] {
    match format {
        Format::Wav => &[Location::Id3v2Tsrc, Location::RiffInfoIsrc],
        Format::Flac | Format::Ogg => &[Location::VorbisIsrc],
        Format::Aiff | Format::Mp3 => &[Location::Id3v2Tsrc],
        Format::Mp4 => &[Location::Mp4FreeformIsrc],
    }
}

/// Writes the file at `original`, tagged with `isrc` in every location, into `target`.
pub fn write(original: &Path, target: &mut File, format: Format, isrc: Isrc) -> Result<(), TagError> {
    crate::guard::catch(|| write_unguarded(original, target, format, isrc))
        .unwrap_or_else(|panic| Err(TagError::ReaderFailed(panic)))
}

/// Whether [`write_streamed`] handles `format`.
pub fn is_streamed(format: Format) -> bool {
    matches!(format, Format::Wav | Format::Flac)
}

/// Streams the WAV or FLAC file at `original`, tagged with `isrc` in every location,
/// into `out`, strictly in order: the tags are rebuilt in memory, the audio is copied
/// through [`Sink::copy_from`]. Other formats are refused (see [`is_streamed`]).
pub fn write_streamed(original: &Path, out: &mut impl Sink, format: Format, isrc: Isrc) -> Result<(), TagError> {
    crate::guard::catch(|| stream(&mut File::open(original)?, out, format, isrc.as_str()))
        .unwrap_or_else(|panic| Err(TagError::ReaderFailed(panic)))
}

/// [`write_streamed`] from the opened original, unguarded.
fn stream(source: &mut File, out: &mut impl Sink, format: Format, code: &str) -> Result<(), TagError> {
    let options = parse_options();
    match format {
        Format::Wav => {
            let wav = WavFile::read_from(source, options)?;
            let (id3, write_options) = id3_with_tsrc(wav.id3v2().cloned(), code);
            let mut id3_bytes = Vec::new();
            id3.dump_to(&mut id3_bytes, write_options).map_err(|e| TagError::Write(e.to_string()))?;
            riff::rewrite(source, out, &riff::NewTags { id3: &id3_bytes, isrc: code })?;
            Ok(())
        }
        Format::Flac => write_flac(source, out, options, code),
        other => Err(TagError::Write(format!("{other:?} files are not written as a stream"))),
    }
}

/// How the tags of an original are parsed for rewriting: no audio properties, no
/// conversions between tag types.
fn parse_options() -> ParseOptions {
    ParseOptions::new().read_properties(false).implicit_conversions(false)
}

fn write_unguarded(original: &Path, target: &mut File, format: Format, isrc: Isrc) -> Result<(), TagError> {
    let mut source = File::open(original)?;
    let options = parse_options();
    let code = isrc.as_str();
    let saved = match format {
        Format::Wav | Format::Flac => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, target);
            stream(&mut source, &mut out, format, code)?;
            out.flush()?;
            return Ok(());
        }
        Format::Ogg => {
            let mut ogg = VorbisFile::read_from(&mut source, options)?;
            let comments: &mut VorbisComments = ogg.vorbis_comments_mut();
            comments.insert("ISRC".into(), code.into());
            copy_into(&mut source, target)?;
            ogg.save_to(target, WriteOptions::new())
        }
        Format::Aiff => {
            let mut aiff = AiffFile::read_from(&mut source, options)?;
            let (id3, write_options) = id3_with_tsrc(aiff.id3v2().cloned(), code);
            aiff.set_id3v2(id3);
            copy_into(&mut source, target)?;
            aiff.save_to(target, write_options)
        }
        Format::Mp3 => {
            let mut mp3 = MpegFile::read_from(&mut source, options)?;
            let (id3, write_options) = id3_with_tsrc(mp3.id3v2().cloned(), code);
            mp3.set_id3v2(id3);
            copy_into(&mut source, target)?;
            mp3.save_to(target, write_options)
        }
        Format::Mp4 => {
            let mut mp4 = Mp4File::read_from(&mut source, options)?;
            let mut ilst = mp4.ilst().cloned().unwrap_or_else(Ilst::new);
            ilst.replace_atom(Atom::new(mp4_freeform_isrc(), AtomData::UTF8(code.into())));
            if ilst.get(&MP4_ISR).is_some() {
                ilst.replace_atom(Atom::new(MP4_ISR, AtomData::UTF8(code.into())));
            }
            if let Some(xid) = ilst.get(&MP4_XID).and_then(|atom| xid_with_code(atom, code)) {
                ilst.replace_atom(xid);
            }
            mp4.set_ilst(ilst);
            copy_into(&mut source, target)?;
            mp4.save_to(target, WriteOptions::new())
        }
    };
    saved.map_err(|e| TagError::Write(e.to_string()))
}

/// The `xid ` atom with the code in every value that names an ISRC; the provider and
/// every other value are kept as they were.
fn xid_with_code(atom: &Atom<'_>, code: &str) -> Option<Atom<'static>> {
    let data = atom.data().map(|data| match atom_text(data).as_deref().and_then(split_xid_isrc) {
        Some((head, _)) => AtomData::UTF8(format!("{head}{code}")),
        None => data.clone(),
    });
    Atom::from_collection(MP4_XID, data.collect())
}

/// FLAC: lofty rewrites the metadata of an in-memory copy of the file's head (the
/// metadata blocks only), then the new head and the original frames, copied in bulk,
/// make the tagged file. lofty editing the whole file in place would shift all the
/// frames whenever the metadata changes length: a second copy of the audio.
fn write_flac(source: &mut File, out: &mut impl Sink, options: ParseOptions, code: &str) -> Result<(), TagError> {
    let frames_start = crate::audio::flac_frames_region(source)?.start;
    let mut head = vec![0u8; usize::try_from(frames_start).map_err(|_| TagError::Write("metadata too large".into()))?];
    source.seek(SeekFrom::Start(0))?;
    source.read_exact(&mut head)?;
    let mut head = std::io::Cursor::new(head);
    let mut flac = FlacFile::read_from(&mut head, options)?;
    let mut comments = flac.vorbis_comments().cloned().unwrap_or_default();
    comments.insert("ISRC".into(), code.into());
    flac.set_vorbis_comments(comments);
    head.set_position(0);
    flac.save_to(&mut head, WriteOptions::new()).map_err(|e| TagError::Write(e.to_string()))?;
    out.write_all(head.get_ref())?;
    source.seek(SeekFrom::Start(frames_start))?;
    out.copy_from(source, u64::MAX)?;
    Ok(())
}

/// `tag` (or a new tag) with one `TSRC` frame holding `code`, and the write options
/// that keep its version.
fn id3_with_tsrc(tag: Option<Id3v2Tag>, code: &str) -> (Id3v2Tag, WriteOptions) {
    let is_new = tag.is_none();
    let mut tag = tag.unwrap_or_default();
    let v24 = !is_new && tag.original_version() == Id3v2Version::V4;
    let _ = tag.remove(&TSRC).count();
    tag.insert(Frame::Text(TextInformationFrame::new(TSRC, lofty::TextEncoding::Latin1, Cow::Owned(code.to_owned()))));
    (tag, WriteOptions::new().use_id3v23(!v24))
}

/// Copies the whole original into `target` (in-kernel where the OS can), for lofty to
/// edit in place; both are left at their start.
fn copy_into(source: &mut File, target: &mut File) -> std::io::Result<()> {
    source.seek(SeekFrom::Start(0))?;
    std::io::copy(source, target)?;
    target.seek(SeekFrom::Start(0))?;
    Ok(())
}
