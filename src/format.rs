//! Which container a file is, told from its first bytes (never from its name).

use std::io::Read;
use std::path::Path;

/// A container format isrc-stamp reads and tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// RIFF WAVE.
    Wav,
    /// Native FLAC.
    Flac,
    /// AIFF or AIFF-C.
    Aiff,
    /// MPEG audio (layer III), possibly behind an ID3v2 tag.
    Mp3,
    /// ISO base media (M4A / MP4).
    Mp4,
    /// Ogg (Vorbis).
    Ogg,
}

impl Format {
    /// The short name used in output: `wav`, `flac`, `aiff`, `mp3`, `mp4`, `ogg`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Wav => "wav",
            Format::Flac => "flac",
            Format::Aiff => "aiff",
            Format::Mp3 => "mp3",
            Format::Mp4 => "mp4",
            Format::Ogg => "ogg",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a file's format could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    /// A known container that isrc-stamp cannot handle yet.
    #[error("unsupported format: {0}")]
    Unsupported(&'static str),
    /// Not an audio container isrc-stamp knows.
    #[error("not a supported audio file (WAV, FLAC, AIFF, MP3, M4A or Ogg Vorbis expected)")]
    Unknown,
}

/// Tells the container of the file at `path` from its leading bytes.
pub fn sniff(path: &Path) -> Result<Format, FormatError> {
    let mut head = Vec::with_capacity(64);
    std::fs::File::open(path)?.take(64).read_to_end(&mut head)?;
    let mut format = sniff_bytes(&head)?;
    if format == Format::Mp3 && head.starts_with(b"ID3") {
        // FLAC files sometimes carry an ID3v2 tag in front: look behind it.
        let behind = id3v2_len(&head).unwrap_or(0);
        let mut probe = [0u8; 4];
        let mut file = std::fs::File::open(path)?;
        std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(behind))?;
        if file.read_exact(&mut probe).is_ok() && &probe == b"fLaC" {
            format = Format::Flac;
        }
    }
    Ok(format)
}

/// Tells the container from the first bytes of a file (64 are plenty).
pub fn sniff_bytes(head: &[u8]) -> Result<Format, FormatError> {
    let at = |range: std::ops::Range<usize>| head.get(range).unwrap_or(&[]);
    match at(0..4) {
        b"RIFF" if at(8..12) == b"WAVE" => return Ok(Format::Wav),
        b"RF64" | b"BW64" => {
            return Err(FormatError::Unsupported(
                "RF64/BW64 WAV is not supported yet (neither the tag writer nor the decoder reads it)",
            ));
        }
        b"FORM" if matches!(at(8..12), b"AIFF" | b"AIFC") => return Ok(Format::Aiff),
        b"fLaC" => return Ok(Format::Flac),
        b"OggS" => return Ok(Format::Ogg),
        _ => {}
    }
    if at(4..8) == b"ftyp" {
        return Ok(Format::Mp4);
    }
    if head.starts_with(b"ID3") || is_mpeg_audio_sync(head) {
        return Ok(Format::Mp3);
    }
    Err(FormatError::Unknown)
}

/// The total length of an ID3v2 tag at the start of `head`, header included.
pub(crate) fn id3v2_len(head: &[u8]) -> Option<u64> {
    let size = head.get(6..10)?;
    let syncsafe = size.iter().fold(0u64, |acc, &b| (acc << 7) | u64::from(b & 0x7f));
    let footer = if head.get(5)? & 0x10 != 0 { 10 } else { 0 };
    Some(10 + syncsafe + footer)
}

/// An MPEG audio layer I-III frame sync (not ADTS AAC, whose layer bits are 0).
fn is_mpeg_audio_sync(head: &[u8]) -> bool {
    matches!(head, [0xff, b, ..] if b & 0xe0 == 0xe0 && (b >> 1) & 0x03 != 0)
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
    fn refuses_rf64_and_unknown_bytes() {
        assert!(matches!(sniff_bytes(b"RF64\xff\xff\xff\xffWAVE"), Err(FormatError::Unsupported(_))));
        assert!(matches!(sniff_bytes(b"hello world"), Err(FormatError::Unknown)));
        assert!(matches!(sniff_bytes(b""), Err(FormatError::Unknown)));
        // ADTS AAC has layer bits 00: not MPEG layer III.
        assert!(matches!(sniff_bytes(&[0xff, 0xf1, 0x50, 0x80]), Err(FormatError::Unknown)));
    }
}
