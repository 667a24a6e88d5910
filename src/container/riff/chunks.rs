//! The top-level chunk list of a RIFF WAVE, RF64 or BW64 file, with 64-bit sizes.
//!
//! RF64 (EBU Tech 3306) and BW64 (ITU-R BS.2088) are RIFF WAVE with another magic and
//! a `ds64` chunk first: a 32-bit size field of `0xFFFFFFFF` means "see `ds64`", which
//! holds the real sizes of the whole file and of `data` (and of any other chunk over
//! 4 GiB, in its table) and the data's sample count. Every size is checked against the
//! file here, so the rest of the program sees one list of chunks whatever the magic.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;

/// The 32-bit size that sends a reader to `ds64`.
pub(super) const SEE_DS64: u32 = u32::MAX;

/// Which RIFF variant a file is, by its first four bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Magic {
    /// `RIFF`: 32-bit sizes, at most 4 GiB.
    Riff,
    /// `RF64` (EBU Tech 3306).
    Rf64,
    /// `BW64` (ITU-R BS.2088).
    Bw64,
}

impl Magic {
    /// The four bytes the file starts with.
    pub(crate) fn bytes(self) -> &'static [u8; 4] {
        match self {
            Magic::Riff => b"RIFF",
            Magic::Rf64 => b"RF64",
            Magic::Bw64 => b"BW64",
        }
    }

    /// How the format is named in messages.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Magic::Riff => "WAV",
            Magic::Rf64 => "RF64",
            Magic::Bw64 => "BW64",
        }
    }

    /// Whether the sizes over 4 GiB are in a `ds64` chunk.
    pub(crate) fn is_wide(self) -> bool {
        self != Magic::Riff
    }
}

/// A chunk of a RIFF file: id, body offset and body length (without the pad byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Chunk {
    /// The four-character id.
    pub id: [u8; 4],
    /// Offset of the body in the file.
    pub body_offset: u64,
    /// Length of the body: the 32-bit size field, or the real size `ds64` gives.
    pub body_len: u64,
    /// Whether the 32-bit size field is `0xFFFFFFFF` (the real size is in `ds64`).
    pub sized_by_ds64: bool,
}

impl Chunk {
    /// Offset just past the body and its pad byte.
    pub fn end(&self) -> u64 {
        self.body_offset + self.body_len + (self.body_len & 1)
    }

    /// The body's byte range.
    pub fn body(&self) -> Range<u64> {
        self.body_offset..self.body_offset + self.body_len
    }

    /// Whether this is an ID3v2 chunk (`id3 ` or `ID3 `).
    pub fn is_id3(&self) -> bool {
        self.id.eq_ignore_ascii_case(b"id3 ")
    }

    /// The id as text, for messages.
    pub fn name(&self) -> String {
        String::from_utf8_lossy(&self.id).into_owned()
    }
}

/// What an RF64 or BW64 file's `ds64` chunk says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ds64 {
    /// The `ds64` chunk itself.
    pub chunk: Chunk,
    /// The size of the whole file less 8 (the RIFF size).
    pub riff_size: u64,
    /// The size of the `data` chunk's body.
    pub data_size: u64,
    /// Sample frames in `data` (0 when the writer left it out).
    pub sample_count: u64,
    /// The table: the real sizes of other chunks over 4 GiB, in order.
    pub table: Vec<([u8; 4], u64)>,
    /// The bytes of the body after the table (kept as they are on rewriting).
    pub rest: Vec<u8>,
}

impl Ds64 {
    /// The fixed part of the body: three sizes and the table length.
    const FIXED: usize = 28;

    /// Parses a `ds64` body.
    fn parse(magic: Magic, chunk: Chunk, body: &[u8]) -> io::Result<Ds64> {
        let bad = |what: &str| malformed_in(magic, &format!("the ds64 chunk is {what}"));
        if body.len() < Self::FIXED {
            return Err(bad(&format!("{} bytes, shorter than its 28 fixed bytes", body.len())));
        }
        let u64_at = |at: usize| u64::from_le_bytes(body[at..at + 8].try_into().expect("eight bytes"));
        let entries = u32::from_le_bytes(body[24..28].try_into().expect("four bytes")) as usize;
        let table_end = entries.checked_mul(12).and_then(|n| n.checked_add(Self::FIXED));
        let Some(table_end) = table_end.filter(|&end| end <= body.len()) else {
            return Err(bad(&format!("too short for the {entries} table entries it announces")));
        };
        let table = body[Self::FIXED..table_end]
            .chunks_exact(12)
            .map(|entry| {
                let id = [entry[0], entry[1], entry[2], entry[3]];
                (id, u64::from_le_bytes(entry[4..12].try_into().expect("eight bytes")))
            })
            .collect();
        Ok(Ds64 {
            chunk,
            riff_size: u64_at(0),
            data_size: u64_at(8),
            sample_count: u64_at(16),
            table,
            rest: body[table_end..].to_vec(),
        })
    }

    /// The body of this `ds64` with another RIFF size and table; everything else kept.
    pub(super) fn body_with(&self, riff_size: u64, table: &[([u8; 4], u64)]) -> Vec<u8> {
        let mut body = Vec::with_capacity(Self::FIXED + 12 * table.len() + self.rest.len());
        body.extend_from_slice(&riff_size.to_le_bytes());
        body.extend_from_slice(&self.data_size.to_le_bytes());
        body.extend_from_slice(&self.sample_count.to_le_bytes());
        body.extend_from_slice(&(table.len() as u32).to_le_bytes());
        for (id, size) in table {
            body.extend_from_slice(id);
            body.extend_from_slice(&size.to_le_bytes());
        }
        body.extend_from_slice(&self.rest);
        body
    }
}

/// A RIFF-family file's layout: its magic, its `ds64` if wide, and its chunks in order
/// (`ds64` included).
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// The magic.
    pub magic: Magic,
    /// The `ds64` chunk's contents (RF64 and BW64 only).
    pub ds64: Option<Ds64>,
    /// Every top-level chunk, in file order.
    pub chunks: Vec<Chunk>,
}

impl Layout {
    /// The first chunk with this id.
    pub fn find(&self, id: &[u8; 4]) -> Option<&Chunk> {
        self.chunks.iter().find(|chunk| &chunk.id == id)
    }

    /// Whether the file has a chunk with this id.
    pub fn has(&self, id: &[u8; 4]) -> bool {
        self.find(id).is_some()
    }
}

/// Reads the chunk list of a RIFF WAVE, RF64 or BW64 file, checking every size against
/// the file (and, when wide, against its `ds64`).
pub(crate) fn read(file: &mut File) -> io::Result<Layout> {
    let len = file.seek(SeekFrom::End(0))?;
    let mut header = [0u8; 12];
    file.seek(SeekFrom::Start(0))?;
    file.read_exact(&mut header).map_err(|_| malformed_in(Magic::Riff, "the file is shorter than its header"))?;
    let magic = match &header[..4] {
        b"RIFF" => Magic::Riff,
        b"RF64" => Magic::Rf64,
        b"BW64" => Magic::Bw64,
        _ => return Err(malformed_in(Magic::Riff, "not a RIFF WAVE file")),
    };
    if &header[8..] != b"WAVE" {
        return Err(malformed_in(magic, "not a WAVE file"));
    }
    let mut layout = Layout { magic, ds64: None, chunks: Vec::new() };
    let mut table_used = Vec::new();
    let mut at = 12u64;
    while at + 8 <= len {
        let mut head = [0u8; 8];
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(&mut head)?;
        let id = [head[0], head[1], head[2], head[3]];
        let size = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        let mut chunk = Chunk { id, body_offset: at + 8, body_len: u64::from(size), sized_by_ds64: false };
        if layout.chunks.is_empty() && magic.is_wide() {
            if &id != b"ds64" {
                return Err(malformed_in(magic, "the first chunk is not ds64, which holds the real sizes"));
            }
            let body = read_body(file, &chunk, 1 << 16)?;
            layout.ds64 = Some(Ds64::parse(magic, chunk, &body)?);
        } else if size == SEE_DS64 {
            chunk.body_len = size_from_ds64(&layout, &chunk, &mut table_used)?;
            chunk.sized_by_ds64 = true;
        } else if &id == b"data"
            && let Some(ds64) = &layout.ds64
            && ds64.data_size != chunk.body_len
        {
            return Err(malformed_in(
                magic,
                &format!("the data chunk's size field says {size} bytes but ds64 says {}", ds64.data_size),
            ));
        }
        if chunk.body_offset + chunk.body_len > len {
            let message = format!(
                "the {:?} chunk is {} bytes but the file ends {} bytes after its start: the file is truncated{}",
                chunk.name(),
                chunk.body_len,
                len - chunk.body_offset,
                if chunk.sized_by_ds64 { " or its ds64 chunk is wrong" } else { "" }
            );
            return Err(malformed_in(magic, &message));
        }
        layout.chunks.push(chunk);
        at = chunk.end();
    }
    if let Some(ds64) = &layout.ds64 {
        check_riff_size(magic, ds64, len)?;
    }
    Ok(layout)
}

/// The real size of a chunk whose size field is `0xFFFFFFFF`: `data`'s from `ds64`,
/// another's from the next unused table entry with its id. A plain RIFF file has no
/// `ds64`: such a size is refused (a WAV still being written, or an RF64 relabelled).
fn size_from_ds64(layout: &Layout, chunk: &Chunk, used: &mut Vec<usize>) -> io::Result<u64> {
    let Some(ds64) = &layout.ds64 else {
        return Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!(
                "unsupported WAV: the {:?} chunk's size is 0xFFFFFFFF (unknown) and the file has no ds64 chunk: \
                 a recording not finished, or an RF64 file relabelled as RIFF; finish or repair it (e.g. rewrite \
                 it with `ffmpeg -i IN -c copy OUT.wav`)",
                chunk.name()
            ),
        ));
    };
    if &chunk.id == b"data" {
        return Ok(ds64.data_size);
    }
    let entry = (0..ds64.table.len()).find(|i| ds64.table[*i].0 == chunk.id && !used.contains(i));
    let Some(entry) = entry else {
        return Err(malformed_in(
            layout.magic,
            &format!("the {:?} chunk's size is in ds64, but its table has no entry for it", chunk.name()),
        ));
    };
    used.push(entry);
    Ok(ds64.table[entry].1)
}

/// The RIFF size `ds64` gives must be the file's (a missing final pad byte allowed).
fn check_riff_size(magic: Magic, ds64: &Ds64, len: u64) -> io::Result<()> {
    let declared = ds64.riff_size.saturating_add(8);
    if declared == len || declared == len + 1 {
        return Ok(());
    }
    Err(malformed_in(
        magic,
        &format!(
            "the ds64 chunk says the file is {declared} bytes but it is {len}: the file is {}",
            if declared > len { "truncated" } else { "followed by bytes its chunks do not account for" }
        ),
    ))
}

/// The largest tag chunk read into memory.
pub(super) const MAX_TAG_CHUNK: u64 = 64 << 20;

/// Reads a chunk's body into memory, refusing one over `limit` bytes.
pub(super) fn read_body(file: &mut File, chunk: &Chunk, limit: u64) -> io::Result<Vec<u8>> {
    if chunk.body_len > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "the {:?} chunk is {} bytes, more than the {} MiB isrc-stamp reads of a tag chunk",
                chunk.name(),
                chunk.body_len,
                limit >> 20
            ),
        ));
    }
    let mut body = vec![0u8; chunk.body_len as usize];
    file.seek(SeekFrom::Start(chunk.body_offset))?;
    file.read_exact(&mut body)?;
    Ok(body)
}

/// An `InvalidData` error about a malformed file of this variant.
pub(super) fn malformed_in(magic: Magic, message: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("malformed {}: {message}; export the master again from its source", magic.label()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn chunk(id: &[u8; 4], size: u32, body: &[u8]) -> Vec<u8> {
        let mut bytes = id.to_vec();
        bytes.extend(size.to_le_bytes());
        bytes.extend(body);
        if body.len() % 2 == 1 {
            bytes.push(0);
        }
        bytes
    }

    fn ds64(riff: u64, data: u64, samples: u64, table: &[(&[u8; 4], u64)]) -> Vec<u8> {
        let mut body = Vec::new();
        for v in [riff, data, samples] {
            body.extend(v.to_le_bytes());
        }
        body.extend((table.len() as u32).to_le_bytes());
        for (id, size) in table {
            body.extend(*id);
            body.extend(size.to_le_bytes());
        }
        chunk(b"ds64", body.len() as u32, &body)
    }

    fn file_of(magic: &[u8; 4], chunks: &[Vec<u8>]) -> (tempfile::NamedTempFile, u64) {
        let mut bytes = magic.to_vec();
        bytes.extend(u32::MAX.to_le_bytes());
        bytes.extend(b"WAVE");
        chunks.iter().for_each(|c| bytes.extend(c));
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&bytes).unwrap();
        (file, bytes.len() as u64)
    }

    fn layout(magic: &[u8; 4], chunks: &[Vec<u8>]) -> io::Result<Layout> {
        let (file, _) = file_of(magic, chunks);
        read(&mut file.reopen().unwrap())
    }

    /// An RF64 file of `chunks` after a ds64 whose RIFF size fits them.
    fn rf64(data: u64, samples: u64, table: &[(&[u8; 4], u64)], chunks: &[Vec<u8>]) -> io::Result<Layout> {
        let head = ds64(0, data, samples, table);
        let len = 12 + head.len() as u64 + chunks.iter().map(|c| c.len() as u64).sum::<u64>();
        let mut all = vec![ds64(len - 8, data, samples, table)];
        all.extend_from_slice(chunks);
        layout(b"RF64", &all)
    }

    #[test]
    fn sizes_of_minus_one_come_from_ds64() {
        let layout =
            rf64(6, 1, &[(b"axml", 3)], &[chunk(b"axml", SEE_DS64, b"<a>"), chunk(b"data", SEE_DS64, b"123456")])
                .unwrap();
        assert_eq!(layout.magic, Magic::Rf64);
        let ids: Vec<_> = layout.chunks.iter().map(|c| (c.id, c.body_len, c.sized_by_ds64)).collect();
        assert_eq!(ids, [(*b"ds64", 40, false), (*b"axml", 3, true), (*b"data", 6, true)]);
        let ds64 = layout.ds64.unwrap();
        assert_eq!((ds64.data_size, ds64.sample_count, ds64.table.len()), (6, 1, 1));
    }

    #[test]
    fn a_ds64_that_disagrees_with_the_file_is_an_error() {
        let data = chunk(b"data", SEE_DS64, b"123456");
        let error = rf64(600, 0, &[], std::slice::from_ref(&data)).unwrap_err().to_string();
        assert!(error.contains("malformed RF64") && error.contains("its ds64 chunk is wrong"), "{error}");
        let (file, len) = file_of(b"BW64", &[ds64(1000, 6, 0, &[]), data.clone()]);
        let error = read(&mut file.reopen().unwrap()).unwrap_err().to_string();
        assert!(error.contains(&format!("says the file is 1008 bytes but it is {len}")), "{error}");
        assert!(error.starts_with("malformed BW64"), "{error}");
        let error = rf64(6, 0, &[], &[chunk(b"axml", SEE_DS64, b"<a>"), data.clone()]).unwrap_err().to_string();
        assert!(error.contains("table has no entry"), "{error}");
        let error = rf64(8, 0, &[], &[chunk(b"data", 6, b"123456")]).unwrap_err().to_string();
        assert!(error.contains("says 6 bytes but ds64 says 8"), "{error}");
        let error = layout(b"RF64", &[data]).unwrap_err().to_string();
        assert!(error.contains("first chunk is not ds64"), "{error}");
        let error = layout(b"RF64", &[chunk(b"ds64", 4, b"abcd")]).unwrap_err().to_string();
        assert!(error.contains("shorter than its 28 fixed bytes"), "{error}");
    }

    #[test]
    fn a_riff_file_with_an_unknown_data_size_is_refused() {
        let error = layout(b"RIFF", &[chunk(b"data", SEE_DS64, b"1234")]).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::Unsupported);
        assert!(error.to_string().contains("no ds64 chunk"), "{error}");
    }

    #[test]
    fn the_ds64_body_is_rebuilt_with_its_other_bytes_kept() {
        let mut body = ds64(100, 6, 1, &[(b"axml", 3)])[8..].to_vec();
        body.extend(b"zz");
        let chunk = Chunk { id: *b"ds64", body_offset: 20, body_len: body.len() as u64, sized_by_ds64: false };
        let parsed = Ds64::parse(Magic::Rf64, chunk, &body).unwrap();
        assert_eq!(parsed.rest, b"zz");
        assert_eq!(parsed.body_with(100, &parsed.table), body);
        let rebuilt = parsed.body_with(200, &[]);
        assert_eq!(&rebuilt[..8], &200u64.to_le_bytes());
        assert_eq!(rebuilt.len(), body.len() - 12);
    }
}
