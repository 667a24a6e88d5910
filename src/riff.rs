//! The chunk layout of RIFF WAVE files, shared by decoding (the fast PCM path) and
//! tagging (the streamed chunk rewrite).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

/// A chunk of a RIFF file: id, body offset and body length (without the pad byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    /// The four-character id.
    pub id: [u8; 4],
    /// Offset of the body in the file.
    pub body_offset: u64,
    /// Length of the body as declared.
    pub body_len: u32,
}

impl Chunk {
    /// Offset just past the body and its pad byte.
    pub fn end(&self) -> u64 {
        self.body_offset + u64::from(self.body_len) + u64::from(self.body_len & 1)
    }

    /// Whether this is an ID3v2 chunk (`id3 ` or `ID3 `).
    pub fn is_id3(&self) -> bool {
        self.id.eq_ignore_ascii_case(b"id3 ")
    }
}

/// Lists the top-level chunks of a RIFF WAVE file.
pub fn chunks(file: &mut File) -> io::Result<Vec<Chunk>> {
    let len = file.seek(SeekFrom::End(0))?;
    let mut header = [0u8; 12];
    file.seek(SeekFrom::Start(0))?;
    file.read_exact(&mut header)?;
    if &header[..4] != b"RIFF" || &header[8..] != b"WAVE" {
        return Err(malformed("not a RIFF WAVE file"));
    }
    let mut found = Vec::new();
    let mut at = 12u64;
    while at + 8 <= len {
        let mut head = [0u8; 8];
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(&mut head)?;
        let chunk = Chunk {
            id: [head[0], head[1], head[2], head[3]],
            body_offset: at + 8,
            body_len: u32::from_le_bytes([head[4], head[5], head[6], head[7]]),
        };
        if chunk.body_offset + u64::from(chunk.body_len) > len {
            let id = String::from_utf8_lossy(&chunk.id).into_owned();
            return Err(malformed(&format!("chunk {id:?} runs past the end of the file")));
        }
        found.push(chunk);
        at = chunk.end();
    }
    Ok(found)
}

/// Whether a `LIST` chunk is an INFO list.
pub fn is_info_list(file: &mut File, chunk: &Chunk) -> io::Result<bool> {
    if &chunk.id != b"LIST" || chunk.body_len < 4 {
        return Ok(false);
    }
    let mut kind = [0u8; 4];
    file.seek(SeekFrom::Start(chunk.body_offset))?;
    file.read_exact(&mut kind)?;
    Ok(&kind == b"INFO")
}

/// An `InvalidData` error about a malformed WAV file.
pub fn malformed(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("malformed WAV: {message}"))
}
