//! Reading a file ahead of its consumer on a thread of its own, so that a cold read
//! (the disk) overlaps the hashing and decoding (the CPU) instead of alternating with
//! it. A few buffers at most are in flight, so memory stays bounded whatever the size.

use std::fs::File;
use std::io::{self, Read};
use std::sync::mpsc::{Receiver, sync_channel};

use crate::base::io::read_full;

/// Bytes per buffer read ahead.
const CHUNK: usize = 1 << 20;

/// Buffers read ahead at most.
const AHEAD: usize = 4;

/// A reader of `len` bytes of a file from its current position, read ahead on a thread.
pub(crate) struct ReadAhead {
    chunks: Receiver<io::Result<Vec<u8>>>,
    current: Vec<u8>,
    at: usize,
}

impl ReadAhead {
    /// Starts reading `len` bytes of `file` from its position (fewer if it ends first).
    /// Where no thread can be started, the file is read as it is consumed.
    pub(crate) fn new(mut file: File, len: u64) -> ReadAhead {
        // Read in order from here to the end: the kernel reads further ahead of us
        // (twice its usual window on Linux). Only advice; a refusal changes nothing.
        crate::platform::advice::sequential(&file);
        let (to, chunks) = sync_channel(AHEAD);
        let spawned = std::thread::Builder::new().name("read-ahead".into()).spawn(move || {
            let mut left = len;
            while left > 0 {
                let want = usize::try_from(left.min(CHUNK as u64)).unwrap_or(CHUNK);
                let mut buffer = vec![0u8; want];
                let result = read_full(&mut file, &mut buffer).map(|got| {
                    buffer.truncate(got);
                    buffer
                });
                let done = match &result {
                    Ok(buffer) => buffer.len() < want,
                    Err(_) => true,
                };
                left = left.saturating_sub(want as u64);
                // A closed channel: the consumer stopped early; so do we.
                if to.send(result).is_err() || done {
                    break;
                }
            }
        });
        if spawned.is_err() {
            // Unreachable in practice; the reader then reports the failure.
            let (to, chunks) = sync_channel(1);
            let _ = to.send(Err(io::Error::other("cannot start a thread to read the file")));
            return ReadAhead { chunks, current: Vec::new(), at: 0 };
        }
        ReadAhead { chunks, current: Vec::new(), at: 0 }
    }
}

impl Read for ReadAhead {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.at == self.current.len() {
            match self.chunks.recv() {
                Ok(chunk) => {
                    self.current = chunk?;
                    self.at = 0;
                }
                Err(_) => return Ok(0), // the reader finished
            }
        }
        let n = out.len().min(self.current.len() - self.at);
        out[..n].copy_from_slice(&self.current[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Seek, SeekFrom, Write};

    #[test]
    fn reads_exactly_the_bytes_asked_for_from_the_position() {
        let mut file = tempfile::tempfile().unwrap();
        let bytes: Vec<u8> = (0..(3 * CHUNK + 12_345)).map(|i| (i * 31 % 251) as u8).collect();
        file.write_all(&bytes).unwrap();
        for (start, len) in [(0u64, bytes.len() as u64), (7, 2 * CHUNK as u64 + 1), (100, 10), (0, u64::MAX)] {
            let mut copy = file.try_clone().unwrap();
            copy.seek(SeekFrom::Start(start)).unwrap();
            let mut read = Vec::new();
            ReadAhead::new(copy, len).read_to_end(&mut read).unwrap();
            let end = (start + len.min(bytes.len() as u64 - start)) as usize;
            assert_eq!(read, bytes[start as usize..end], "{start} {len}");
        }
    }
}
