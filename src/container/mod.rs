//! Containers: one module per format behind the [`Container`] seam.
//!
//! A container knows how to tell its files from their first bytes (never from their
//! names), where it keeps ISRCs (DESIGN.md section 3), how to read and write them
//! without losing anything else, and which bytes its audio is decoded from. Everything
//! format-specific lives in its module; the rest of the program asks [`Format`].
//!
//! Adding a format: a module implementing [`Container`], and one line in the
//! `containers!` registration below (which also gives the [`Format`] variant).

mod aiff;
pub(crate) mod flac;
mod id3;
pub(crate) mod limits;
mod mp3;
mod mp4;
mod ogg;
pub(crate) mod read_ahead;
pub(crate) mod riff;
mod tags;
mod vorbis;

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::Path;

use lofty::config::ParseOptions;

use crate::isrc::Isrc;

pub use tags::{Advisory, Carried, FoundIsrc, TagError, TagPlace, TagReport, carried, leading_number};

/// What one container format must answer. Implemented once per format module.
pub(crate) trait Container: Sync {
    /// The short name used in output (`wav`, `flac`, ...).
    fn name(&self) -> &'static str;

    /// Whether the file whose first bytes `probe` holds is of this format.
    fn sniff(&self, probe: &mut Probe<'_>) -> io::Result<Sniff>;

    /// The ISRC locations written in every file of this format.
    fn written_locations(&self) -> &'static [TagPlace];

    /// Every ISRC location, title, artist and album of the file, and the locations
    /// written in it ([`TagReport::written`]): left empty, they are the format's
    /// [`Container::written_locations`].
    fn read_tags(&self, file: &mut File) -> Result<TagReport, TagError>;

    /// Writes the whole file read from `source`, tagged with `code` in every location,
    /// into `target`; every other field, picture and chunk is kept. An empty `code` takes
    /// the ISRC out of every location instead (`untag`). Every format streams its rewrite
    /// ([`Container::stream_tags`]) through a buffer.
    fn write_tags(&self, source: &mut File, target: &mut File, code: &str) -> Result<(), TagError> {
        let mut out = io::BufWriter::with_capacity(1 << 16, target);
        self.stream_tags(source, &mut out, code)?;
        out.flush()?;
        Ok(())
    }

    /// Checks, writing nothing, that the file's tags can be written with `code`: the
    /// whole rewrite runs into a sink that keeps nothing (the audio is not read), so a
    /// tag that cannot be written is found before a code is bound to the file's audio.
    fn check_writable(&self, source: &mut File, code: &str) -> Result<(), TagError> {
        self.stream_tags(source, &mut Discard, code)
    }

    /// Whether [`Container::stream_tags`] can write this format strictly in order.
    fn is_streamed(&self) -> bool {
        false
    }

    /// Streams the tagged file into `out` strictly in order (the tags rebuilt in memory,
    /// the audio copied through [`Sink::copy_from`]); only where [`Container::is_streamed`].
    fn stream_tags(&self, _source: &mut File, _out: &mut dyn Sink, _code: &str) -> Result<(), TagError> {
        Err(TagError::Write(format!("{} files are not written as a stream", self.name())))
    }

    /// The byte ranges of the file that alone determine its decoded audio, when the
    /// format knows them (WAV: `fmt ` and `data`; FLAC: STREAMINFO and the frames).
    fn audio_regions(&self, _file: &mut File) -> io::Result<Option<Vec<Range<u64>>>> {
        Ok(None)
    }

    /// Samples stored exactly in the canonical PCM layout, which the audio id can hash
    /// as they are, without a decoder.
    fn plain_pcm(&self, _file: &mut File) -> io::Result<Option<PlainPcm>> {
        Ok(None)
    }

    /// Whether the format has a strict frame reader ([`Container::strict_frames`]).
    fn has_strict_frames(&self) -> bool {
        false
    }

    /// A strict frame reader, for a format whose demuxer is too forgiving for an
    /// identity (FLAC): `None` to use the demuxer.
    fn strict_frames(&self, _file: File, _layout: StreamLayout) -> io::Result<Option<Box<dyn FrameSource>>> {
        Ok(None)
    }
}

/// Declares [`Format`] and the registry of containers from one list. The order is the
/// order files are sniffed in.
macro_rules! containers {
    ($($(#[$doc:meta])* $variant:ident => $container:expr),+ $(,)?) => {
        /// A container format isrc-stamp reads and tags.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(rename_all = "lowercase")]
        pub enum Format {
            $($(#[$doc])* $variant),+
        }

        /// Every format with its container, in sniffing order.
        const REGISTRY: &[(Format, &dyn Container)] = &[$((Format::$variant, &$container)),+];

        impl Format {
            /// The container that implements this format.
            pub(crate) fn container(self) -> &'static dyn Container {
                match self {
                    $(Format::$variant => &$container),+
                }
            }
        }
    };
}

containers! {
    /// RIFF WAVE.
    Wav => riff::Riff::WAV,
    /// RF64 WAVE (EBU Tech 3306): RIFF with 64-bit sizes in a `ds64` chunk.
    Rf64 => riff::Riff::RF64,
    /// BW64 WAVE (ITU-R BS.2088): RF64 under another magic, the home of ADM masters.
    Bw64 => riff::Riff::BW64,
    /// AIFF or AIFF-C.
    Aiff => aiff::Aiff,
    /// Native FLAC (also behind a leading ID3v2 tag).
    Flac => flac::Flac,
    /// Ogg (Vorbis).
    Ogg => ogg::Ogg,
    /// ISO base media (M4A / MP4).
    Mp4 => mp4::Mp4,
    /// MPEG audio (layer III), possibly behind an ID3v2 tag.
    Mp3 => mp3::Mp3,
}

impl Format {
    /// The short name used in output: `wav`, `rf64`, `bw64`, `flac`, `aiff`, `mp3`, `mp4`,
    /// `ogg`. RF64 and BW64 have names of their own (not `wav`) because not every reader
    /// that takes a WAV takes them: the output says which a file is.
    pub fn as_str(self) -> &'static str {
        self.container().name()
    }

    /// The format whose short name this is.
    pub fn from_name(name: &str) -> Option<Format> {
        REGISTRY.iter().map(|(format, _)| *format).find(|format| format.as_str() == name)
    }

    /// The ISRC locations isrc-stamp writes in every file of this format (a FLAC cue sheet
    /// and an MP4 `©isr` are read and compared, and `©isr` is rewritten when present, but
    /// never added). One file may get more: see [`TagReport::written`].
    pub fn written_locations(self) -> &'static [TagPlace] {
        self.container().written_locations()
    }

    /// Whether the tagged file can be streamed strictly in order ([`write_streamed`]).
    pub fn is_streamed(self) -> bool {
        self.container().is_streamed()
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A container's answer to a file's first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sniff {
    /// The file is of this format.
    Yes,
    /// It is not.
    No,
}

/// The first bytes of a file, and the file itself for a container that must look further.
pub(crate) struct Probe<'a> {
    head: &'a [u8],
    file: Option<&'a mut File>,
}

impl Probe<'_> {
    /// The first bytes (64, or fewer in a shorter file).
    pub(crate) fn head(&self) -> &[u8] {
        self.head
    }

    /// `head[range]`, or empty when the head is shorter.
    pub(crate) fn at(&self, range: Range<usize>) -> &[u8] {
        self.head.get(range).unwrap_or(&[])
    }

    /// Up to `len` bytes at `offset`, from the head or the file.
    pub(crate) fn read_at(&mut self, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        if let Some(bytes) = self.head.get(start..start.saturating_add(len)) {
            return Ok(bytes.to_vec());
        }
        let Some(file) = self.file.as_deref_mut() else {
            return Ok(self.head.get(start..).unwrap_or(&[]).to_vec());
        };
        let mut bytes = Vec::with_capacity(len);
        file.seek(SeekFrom::Start(offset))?;
        file.take(len as u64).read_to_end(&mut bytes)?;
        Ok(bytes)
    }
}

/// Why a file's format could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    /// Not an audio container isrc-stamp knows.
    #[error("not a supported audio file (WAV, RF64, BW64, FLAC, AIFF, MP3, M4A or Ogg Vorbis expected)")]
    Unknown,
    /// A file of 0 bytes: a copy or an export that never finished.
    #[error("empty file (0 bytes): a copy or an export that did not finish? Deliver the file again")]
    Empty,
}

/// Tells the container of the file at `path` from its leading bytes.
pub fn sniff(path: &Path) -> Result<Format, FormatError> {
    let mut file = File::open(path)?;
    let mut head = Vec::with_capacity(64);
    (&mut file).take(64).read_to_end(&mut head)?;
    if head.is_empty() {
        return Err(FormatError::Empty);
    }
    sniff_probe(&mut Probe { head: &head, file: Some(&mut file) })
}

/// Tells the container from the first bytes of a file alone (64 are plenty).
pub fn sniff_bytes(head: &[u8]) -> Result<Format, FormatError> {
    sniff_probe(&mut Probe { head, file: None })
}

fn sniff_probe(probe: &mut Probe<'_>) -> Result<Format, FormatError> {
    for (format, container) in REGISTRY {
        match container.sniff(probe)? {
            Sniff::Yes => return Ok(*format),
            Sniff::No => {}
        }
    }
    Err(FormatError::Unknown)
}

/// Reads every ISRC location, title and artist of the file at `path`, and the
/// locations isrc-stamp writes in it.
pub fn read(path: &Path, format: Format) -> Result<TagReport, TagError> {
    let mut report = crate::guard::catch(|| format.container().read_tags(&mut File::open(path)?))
        .unwrap_or_else(|panic| Err(TagError::ReaderFailed(panic)))?;
    if report.written.is_empty() {
        report.written = format.written_locations().to_vec();
    }
    Ok(report)
}

/// Writes the file at `original`, tagged with `isrc` in every location, into `target`.
/// The original is only read.
pub fn write(original: &Path, target: &mut File, format: Format, isrc: Isrc) -> Result<(), TagError> {
    crate::guard::catch(|| format.container().write_tags(&mut File::open(original)?, target, isrc.as_str()))
        .unwrap_or_else(|panic| Err(TagError::ReaderFailed(panic)))
}

/// Writes the file at `original`, with the ISRC taken out of every location, into
/// `target`. The original is only read.
pub fn untag(original: &Path, target: &mut File, format: Format) -> Result<(), TagError> {
    crate::guard::catch(|| format.container().write_tags(&mut File::open(original)?, target, ""))
        .unwrap_or_else(|panic| Err(TagError::ReaderFailed(panic)))
}

/// Checks, writing nothing, that the tags of the file at `path` can be written
/// ([`Container::check_writable`]).
pub fn check_writable(path: &Path, format: Format) -> Result<(), TagError> {
    let code = write_check_code();
    crate::guard::catch(|| format.container().check_writable(&mut File::open(path)?, code))
        .unwrap_or_else(|panic| Err(TagError::ReaderFailed(panic)))
}

/// The code a write check writes (twelve characters, as every code).
fn write_check_code() -> &'static str {
    "ZZZZZ9999999"
}

/// A sink that keeps nothing: what a write check streams into. Runs of the original are
/// skipped over, not read.
struct Discard;

impl Write for Discard {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Sink for Discard {
    fn copy_from(&mut self, source: &mut File, len: u64) -> io::Result<u64> {
        let at = source.stream_position()?;
        let end = source.metadata()?.len();
        let skipped = len.min(end.saturating_sub(at));
        source.seek(SeekFrom::Start(at + skipped))?;
        Ok(skipped)
    }
}

/// Streams the file at `original`, tagged with `isrc` in every location, into `out`,
/// strictly in order. Only for formats where [`Format::is_streamed`].
pub fn write_streamed(original: &Path, out: &mut dyn Sink, format: Format, isrc: Isrc) -> Result<(), TagError> {
    crate::guard::catch(|| format.container().stream_tags(&mut File::open(original)?, out, isrc.as_str()))
        .unwrap_or_else(|panic| Err(TagError::ReaderFailed(panic)))
}

/// The byte ranges of the file at `path` that determine its decoded audio, when the
/// format knows them.
pub fn audio_regions(path: &Path, format: Format) -> io::Result<Option<Vec<Range<u64>>>> {
    format.container().audio_regions(&mut File::open(path)?)
}

/// Samples a file stores exactly in the canonical PCM layout (DESIGN.md section 2): the
/// stream they describe and where they lie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlainPcm {
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Channel count.
    pub channels: u16,
    /// Bits per sample (the whole container width).
    pub bits: u16,
    /// IEEE-754 floats rather than integers.
    pub float: bool,
    /// 8-bit samples stored unsigned: their sign bit is flipped to make them canonical.
    pub unsigned: bool,
    /// The codec's short name (`pcm_s24le`, ...).
    pub codec: &'static str,
    /// Bytes of one frame.
    pub block_align: u16,
    /// Where the samples are in the file.
    pub data: Range<u64>,
}

/// The stream layout a strict frame reader must find in every frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamLayout {
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Channel count.
    pub channels: u16,
    /// Bits per sample.
    pub bits_per_sample: u32,
}

/// Compressed frames read strictly from a file, for the decoder.
pub(crate) trait FrameSource: Send {
    /// The next frame's bytes and its samples per channel, or `None` at the end.
    fn next_frame(&mut self) -> Result<Option<(Vec<u8>, u32)>, FrameError>;
}

pub use flac::frames::FrameError;

/// Where a streamed rewrite goes: bytes written one by one, and long runs of the
/// original (the audio) copied in bulk.
pub trait Sink: Write {
    /// Copies up to `len` bytes from `source`'s position; returns how many there were.
    fn copy_from(&mut self, source: &mut File, len: u64) -> io::Result<u64>;
}

/// A buffered file: long runs go file to file, in the kernel where the OS can
/// (`copy_file_range`), without passing through this process's buffers.
impl Sink for io::BufWriter<&mut File> {
    fn copy_from(&mut self, source: &mut File, len: u64) -> io::Result<u64> {
        if len > 1 << 16 {
            self.flush()?;
            io::copy(&mut source.take(len), self.get_mut())
        } else {
            io::copy(&mut source.take(len), self)
        }
    }
}

/// How lofty parses a file's ID3v2 tags for reading (its only use: every tag is written
/// by the project): no audio properties, no pictures, no conversions between tag types.
fn read_options() -> ParseOptions {
    ParseOptions::new().read_properties(false).implicit_conversions(false).read_cover_art(false)
}

/// Sets the primary tag's title with lofty, for other rooms' tests (lofty stays in
/// `container/`): a file tagged by another tool.
#[cfg(test)]
pub(crate) fn set_title_for_tests(path: &Path, title: &str) {
    use lofty::file::TaggedFileExt;
    use lofty::tag::{Accessor, TagExt};
    let mut tagged = lofty::read_from_path(path).unwrap();
    let tag = tagged.primary_tag_mut().unwrap();
    tag.set_title(title.to_owned());
    tag.save_to_path(path, lofty::config::WriteOptions::new()).unwrap();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_containers_from_magic_bytes() {
        assert_eq!(sniff_bytes(b"RIFF\0\0\0\0WAVEfmt ").unwrap(), Format::Wav);
        assert_eq!(sniff_bytes(b"FORM\0\0\0\0AIFC").unwrap(), Format::Aiff);
        assert_eq!(sniff_bytes(b"fLaC\0\0\0\x22").unwrap(), Format::Flac);
        assert_eq!(sniff_bytes(b"OggS\0\x02").unwrap(), Format::Ogg);
        assert_eq!(sniff_bytes(b"\0\0\0\x20ftypM4A ").unwrap(), Format::Mp4);
        assert_eq!(sniff_bytes(b"ID3\x04\0\0\0\0\0\0").unwrap(), Format::Mp3);
        assert_eq!(sniff_bytes(&[0xff, 0xfb, 0x90, 0x00]).unwrap(), Format::Mp3);
    }

    #[test]
    fn tells_the_riff_magics_apart_and_refuses_unknown_bytes() {
        assert_eq!(sniff_bytes(b"RF64\xff\xff\xff\xffWAVEds64").unwrap(), Format::Rf64);
        assert_eq!(sniff_bytes(b"BW64\xff\xff\xff\xffWAVEds64").unwrap(), Format::Bw64);
        assert!(matches!(sniff_bytes(b"RF64\xff\xff\xff\xffAVI "), Err(FormatError::Unknown)));
        assert!(matches!(sniff_bytes(b"hello world"), Err(FormatError::Unknown)));
        assert!(matches!(sniff_bytes(b""), Err(FormatError::Unknown)));
        // ADTS AAC has layer bits 00: not MPEG layer III.
        assert!(matches!(sniff_bytes(&[0xff, 0xf1, 0x50, 0x80]), Err(FormatError::Unknown)));
    }

    #[test]
    fn every_format_is_registered_under_its_own_name() {
        let names: Vec<&str> = REGISTRY.iter().map(|(format, _)| format.as_str()).collect();
        assert_eq!(names, ["wav", "rf64", "bw64", "aiff", "flac", "ogg", "mp4", "mp3"]);
        for (format, _) in REGISTRY {
            assert_eq!(serde_json::to_value(format).unwrap(), format.as_str());
            assert!(!format.written_locations().is_empty());
        }
    }
}
