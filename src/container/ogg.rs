//! Ogg Vorbis: the ISRC in the Vorbis comment `ISRC`.
//!
//! The comment header is read and rewritten by the project, from the Ogg pages: lofty's
//! Ogg save drops comment fields its types cannot carry (a field without `=`, a key
//! outside the spec's range, a value that is not UTF-8, an empty value) and reads the
//! whole file into memory. Here the three header packets of the first logical stream
//! (identification, comment, setup) are gathered from their pages, the comment packet
//! gets the code with every other field kept byte for byte ([`super::vorbis`]), the
//! headers are laid out on pages again (the identification header alone on the first,
//! as the Vorbis I spec asks), and the audio pages follow unchanged but for their
//! sequence numbers (and so their CRCs) when the header pages grew or shrank in number,
//! one page at a time. An Ogg file whose headers are not laid out as the spec says (the
//! setup header sharing its page with audio, another stream in between) is refused with
//! the reason, not rewritten.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};

use super::limits::{self, MAX_TAG_BLOCK};
use super::{Container, Probe, Sink, Sniff, TagError, TagPlace, TagReport, vorbis};

/// Ogg Vorbis files.
pub(super) struct Ogg;

impl Container for Ogg {
    fn name(&self) -> &'static str {
        "ogg"
    }

    fn sniff(&self, probe: &mut Probe<'_>) -> io::Result<Sniff> {
        Ok(if probe.at(0..4) == b"OggS" { Sniff::Yes } else { Sniff::No })
    }

    fn written_locations(&self) -> &'static [TagPlace] {
        &[TagPlace::VorbisIsrc]
    }

    fn read_tags(&self, file: &mut File) -> Result<TagReport, TagError> {
        file.seek(SeekFrom::Start(0))?;
        let headers = Headers::read(&mut BufReader::new(file))?;
        let mut report = TagReport::default();
        vorbis::read(&headers.comments()?, &mut report);
        Ok(report)
    }

    /// Not [`Container::is_streamed`] (a prepared copy needs audio bytes to compare, and
    /// Ogg's are proven by decoding), but written strictly in order all the same.
    fn stream_tags(&self, source: &mut File, out: &mut dyn Sink, code: &str) -> Result<(), TagError> {
        source.seek(SeekFrom::Start(0))?;
        let mut reader = BufReader::with_capacity(1 << 16, &mut *source);
        let headers = Headers::read(&mut reader)?;
        let mut comment = b"\x03vorbis".to_vec();
        comment.extend(vorbis::with_isrc(Some(&headers.comments()?), code));
        if comment.len() as u64 > MAX_TAG_BLOCK {
            return Err(limits::over_limit(comment.len() as u64, "the Ogg comment header with the code"));
        }
        drop(reader);
        rewrite(source, out, &headers, &comment)
    }
}

/// Writes the file with `comment` as its comment header: the headers on new pages, then
/// every page after them (renumbered if need be) and any trailing bytes.
fn rewrite(source: &mut File, out: &mut dyn Sink, headers: &Headers, comment: &[u8]) -> Result<(), TagError> {
    let packets = [&headers.packets[0][..], comment, &headers.packets[2]];
    let written = write_headers(out, headers.serial, &packets)?;
    let shift = written.wrapping_sub(headers.next_sequence);
    source.seek(SeekFrom::Start(headers.end))?;
    if shift == 0 {
        out.copy_from(source, u64::MAX)?;
        return Ok(());
    }
    // The pages after the headers, renumbered; another stream's pages, and whatever
    // follows the last page, as they are.
    let mut reader = BufReader::with_capacity(1 << 16, source);
    loop {
        match Page::read(&mut reader)? {
            Ok(mut page) => {
                if page.serial() == headers.serial {
                    page.set_sequence(page.sequence().wrapping_add(shift));
                }
                out.write_all(&page.bytes)?;
            }
            Err(trailing) => {
                out.write_all(&trailing)?;
                io::copy(&mut reader, out)?;
                return Ok(());
            }
        }
    }
}

/// The three header packets of the first logical stream, and where its pages end.
struct Headers {
    serial: u32,
    packets: Vec<Vec<u8>>,
    /// The sequence number after the last header page's.
    next_sequence: u32,
    /// The offset just past them.
    end: u64,
}

impl Headers {
    fn read(reader: &mut impl Read) -> Result<Headers, TagError> {
        let refuse = |detail: &str| {
            TagError::Refused(format!(
                "the Ogg Vorbis headers are not as the Vorbis I spec lays them out: {detail}; the file is not \
                 tagged: encode it again (oggenc, ffmpeg) from its source"
            ))
        };
        let mut packets: Vec<Vec<u8>> = vec![Vec::new()];
        let mut serial = None;
        let mut next_sequence = 0u32;
        let mut end = 0u64;
        while packets.len() <= 3 {
            let Ok(page) = Page::read(reader)? else {
                return Err(refuse("the file ends before its three header packets do"));
            };
            end += page.bytes.len() as u64;
            next_sequence = page.sequence().wrapping_add(1);
            match serial {
                None if page.flags() & 0x02 == 0 => return Err(refuse("the first page does not begin a stream")),
                None => serial = Some(page.serial()),
                Some(serial) if serial != page.serial() => {
                    return Err(refuse("another stream's pages come between its headers (a multiplexed Ogg)"));
                }
                Some(_) => {}
            }
            let mut at = 0;
            for (n, &lace) in page.segments().iter().enumerate() {
                let Some(current) = packets.last_mut() else { break };
                current.extend_from_slice(&page.body()[at..at + usize::from(lace)]);
                at += usize::from(lace);
                if current.len() as u64 > MAX_TAG_BLOCK {
                    return Err(limits::over_limit(current.len() as u64, "an Ogg header packet"));
                }
                if lace < 255 {
                    if packets.len() == 3 && n + 1 < page.segments().len() {
                        return Err(refuse("audio shares a page with the setup header"));
                    }
                    packets.push(Vec::new());
                }
            }
        }
        packets.truncate(3);
        let kinds = [&b"\x01vorbis"[..], b"\x03vorbis", b"\x05vorbis"];
        if packets.iter().zip(kinds).any(|(packet, kind)| !packet.starts_with(kind)) {
            return Err(refuse("the first three packets are not Vorbis's identification, comment and setup headers"));
        }
        Ok(Headers { serial: serial.unwrap_or_default(), packets, next_sequence, end })
    }

    /// The comment packet's block (after its `\x03vorbis`).
    fn comments(&self) -> Result<vorbis::Block<'_>, TagError> {
        vorbis::Block::parse(&self.packets[1][7..], "the Ogg Vorbis comment header")
    }
}

/// Lays the header packets out on pages (the first alone on its page, the others as
/// they fit, the last ending its page), numbered from 0; returns how many pages were
/// written.
fn write_headers(out: &mut dyn Sink, serial: u32, packets: &[&[u8]]) -> Result<u32, TagError> {
    let mut pager =
        Pager { out, serial, sequence: 0, segments: Vec::new(), body: Vec::new(), continued: false, ended: false };
    for (n, packet) in packets.iter().enumerate() {
        let mut rest: &[u8] = packet;
        let mut started = false;
        loop {
            if pager.segments.len() == 255 {
                pager.flush()?;
                pager.continued = started;
            }
            let lace = rest.len().min(255);
            pager.segments.push(lace as u8);
            pager.body.extend_from_slice(&rest[..lace]);
            rest = &rest[lace..];
            started = true;
            if lace < 255 {
                pager.ended = true;
                break;
            }
        }
        if n == 0 || n + 1 == packets.len() {
            pager.flush()?;
            pager.continued = false;
        }
    }
    Ok(pager.sequence)
}

/// The header page being filled.
struct Pager<'o> {
    out: &'o mut dyn Sink,
    serial: u32,
    sequence: u32,
    segments: Vec<u8>,
    body: Vec<u8>,
    /// The page starts with the rest of a packet begun on the page before.
    continued: bool,
    /// A packet ends on the page (its granule position is then 0, else -1).
    ended: bool,
}

impl Pager<'_> {
    fn flush(&mut self) -> io::Result<()> {
        let flags = u8::from(self.continued) | if self.sequence == 0 { 0x02 } else { 0 };
        let granule: u64 = if self.ended { 0 } else { u64::MAX };
        let page = Page::build(flags, granule, self.serial, self.sequence, &self.segments, &self.body);
        self.out.write_all(&page.bytes)?;
        self.sequence += 1;
        self.segments.clear();
        self.body.clear();
        self.ended = false;
        Ok(())
    }
}

/// One Ogg page, as its bytes.
struct Page {
    bytes: Vec<u8>,
}

impl Page {
    /// The next page; at the end, `Err` with the bytes read that start no page (none
    /// at the end of the file; trailing bytes a writer left are kept by the caller).
    fn read(reader: &mut impl Read) -> io::Result<Result<Page, Vec<u8>>> {
        let mut header = [0u8; 27];
        let got = crate::base::io::read_full(reader, &mut header)?;
        if got < 27 || &header[..4] != b"OggS" {
            return Ok(Err(header[..got].to_vec()));
        }
        let mut bytes = header.to_vec();
        let count = usize::from(header[26]);
        bytes.resize(27 + count, 0);
        reader.read_exact(&mut bytes[27..])?;
        let body: usize = bytes[27..].iter().map(|&s| usize::from(s)).sum();
        let start = bytes.len();
        bytes.resize(start + body, 0);
        reader.read_exact(&mut bytes[start..])?;
        Ok(Ok(Page { bytes }))
    }

    fn build(flags: u8, granule: u64, serial: u32, sequence: u32, segments: &[u8], body: &[u8]) -> Page {
        let mut bytes = b"OggS\0".to_vec();
        bytes.push(flags);
        bytes.extend_from_slice(&granule.to_le_bytes());
        bytes.extend_from_slice(&serial.to_le_bytes());
        bytes.extend_from_slice(&sequence.to_le_bytes());
        bytes.extend_from_slice(&[0; 4]);
        bytes.push(segments.len() as u8);
        bytes.extend_from_slice(segments);
        bytes.extend_from_slice(body);
        let mut page = Page { bytes };
        page.seal();
        page
    }

    fn flags(&self) -> u8 {
        self.bytes[5]
    }

    fn serial(&self) -> u32 {
        u32::from_le_bytes([self.bytes[14], self.bytes[15], self.bytes[16], self.bytes[17]])
    }

    fn sequence(&self) -> u32 {
        u32::from_le_bytes([self.bytes[18], self.bytes[19], self.bytes[20], self.bytes[21]])
    }

    fn segments(&self) -> &[u8] {
        &self.bytes[27..27 + usize::from(self.bytes[26])]
    }

    fn body(&self) -> &[u8] {
        &self.bytes[27 + usize::from(self.bytes[26])..]
    }

    fn set_sequence(&mut self, sequence: u32) {
        self.bytes[18..22].copy_from_slice(&sequence.to_le_bytes());
        self.seal();
    }

    /// Computes the page's CRC into its header.
    fn seal(&mut self) {
        self.bytes[22..26].copy_from_slice(&[0; 4]);
        let crc = crc32(&self.bytes);
        self.bytes[22..26].copy_from_slice(&crc.to_le_bytes());
    }
}

/// Ogg's CRC-32: polynomial 0x04C11DB7, initial value 0, not reflected, no final XOR.
fn crc32(bytes: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = [0u32; 256];
        for (i, entry) in table.iter_mut().enumerate() {
            let mut r = (i as u32) << 24;
            for _ in 0..8 {
                r = if r & 0x8000_0000 != 0 { (r << 1) ^ 0x04c1_1db7 } else { r << 1 };
            }
            *entry = r;
        }
        table
    });
    bytes.iter().fold(0u32, |crc, &b| (crc << 8) ^ table[((crc >> 24) as u8 ^ b) as usize])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn fixture() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/formats/vorbis.ogg")
    }

    /// The fixture rewritten with a comment packet holding `fields` (and a vendor).
    fn with_fields(fields: &[&[u8]]) -> tempfile::NamedTempFile {
        let mut source = File::open(fixture()).unwrap();
        let headers = Headers::read(&mut BufReader::new(&mut source)).unwrap();
        let mut comment = b"\x03vorbis".to_vec();
        comment.extend_from_slice(&3u32.to_le_bytes());
        comment.extend_from_slice(b"\xffen");
        comment.extend_from_slice(&(fields.len() as u32).to_le_bytes());
        for field in fields {
            comment.extend_from_slice(&(field.len() as u32).to_le_bytes());
            comment.extend_from_slice(field);
        }
        comment.push(1);
        let mut made = tempfile::NamedTempFile::new().unwrap();
        {
            let mut out = io::BufWriter::new(made.as_file_mut());
            rewrite(&mut source, &mut out, &headers, &comment).unwrap();
            out.flush().unwrap();
        }
        made
    }

    fn fields_of(path: &std::path::Path) -> Vec<Vec<u8>> {
        let headers = Headers::read(&mut BufReader::new(File::open(path).unwrap())).unwrap();
        headers.comments().unwrap().fields().map(<[u8]>::to_vec).collect()
    }

    #[test]
    fn odd_fields_survive_and_the_audio_pages_are_renumbered_when_the_headers_grow() {
        let big = [b"BIG=".to_vec(), vec![b'x'; 200_000]].concat();
        let odd: [&[u8]; 5] = [b"COMMENT=", b"K\xc3\xa9Y=x", b"no separator", b"ARTIST=\xff\xfe", &big];
        let made = with_fields(&odd);
        let before = crate::audio::analyze(made.path()).unwrap();
        assert_eq!(before.audio_id, crate::audio::analyze(&fixture()).unwrap().audio_id);
        let mut tagged = tempfile::NamedTempFile::new().unwrap();
        Ogg.write_tags(&mut File::open(made.path()).unwrap(), tagged.as_file_mut(), "USPR37300012").unwrap();
        let mut expected: Vec<Vec<u8>> = odd.iter().map(|f| f.to_vec()).collect();
        expected.push(b"ISRC=USPR37300012".to_vec());
        assert_eq!(fields_of(tagged.path()), expected);
        assert_eq!(crate::audio::analyze(tagged.path()).unwrap().audio_id, before.audio_id);
        let report = Ogg.read_tags(&mut File::open(tagged.path()).unwrap()).unwrap();
        assert_eq!(report.isrcs.len(), 1);
        // Shrinking the headers again (the big field gone) renumbers the other way.
        let small = with_fields(&odd[..4]);
        let mut again = tempfile::NamedTempFile::new().unwrap();
        Ogg.write_tags(&mut File::open(small.path()).unwrap(), again.as_file_mut(), "USPR37300012").unwrap();
        assert_eq!(fields_of(again.path()).len(), 5);
        assert_eq!(crate::audio::analyze(again.path()).unwrap().audio_id, before.audio_id);
    }

    #[test]
    fn the_crc_is_oggs() {
        // The CRC of a page libogg wrote: the fixture's first page reads back sealed as it was.
        let mut file = BufReader::new(File::open(fixture()).unwrap());
        let page = Page::read(&mut file).unwrap().unwrap();
        let mut resealed = Page { bytes: page.bytes.clone() };
        resealed.seal();
        assert_eq!(resealed.bytes, page.bytes);
    }
}
