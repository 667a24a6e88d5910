//! Writing and reading a file past the page cache (`O_DIRECT`), for the tagged copies
//! prepared ahead ([`crate::write::prepare`]).
//!
//! Copying a master through the page cache costs the kernel much CPU (allocating and
//! dirtying every page of the copy, then flushing it; see `bench/`); written with
//! `O_DIRECT` the copy goes from this process's buffer to the disk, and the CPU stays
//! with the decoding of the rest of the batch. Reading the copy back the same
//! way checks what the disk holds rather than what the cache remembers.
//!
//! `O_DIRECT` wants the buffer, the file offset and the length aligned to the device's
//! block: everything goes through one buffer aligned to [`ALIGN`], and the last,
//! partial block is written padded and the file then cut to its true length. Where the
//! file system refuses `O_DIRECT` (tmpfs, some network file systems) [`DirectWriter::open`]
//! and [`DirectReader::open`] answer `None` and the caller uses ordinary I/O.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

/// Alignment of buffers, offsets and lengths: a page, which covers 512-byte and
/// 4096-byte devices alike.
const ALIGN: usize = 4096;

/// Size of the buffer: large enough that the disk sees few, big requests.
const CAPACITY: usize = 4 << 20;

/// A heap buffer of [`CAPACITY`] bytes starting at an [`ALIGN`]ed address.
struct AlignedBuffer {
    storage: Vec<u8>,
    start: usize,
}

impl AlignedBuffer {
    fn new() -> AlignedBuffer {
        let storage = vec![0u8; CAPACITY + ALIGN];
        let start = storage.as_ptr().align_offset(ALIGN);
        AlignedBuffer { storage, start }
    }

    fn bytes(&self) -> &[u8] {
        &self.storage[self.start..self.start + CAPACITY]
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.storage[self.start..self.start + CAPACITY]
    }
}

#[cfg(target_os = "linux")]
fn open_direct(options: &mut OpenOptions, path: &Path) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    options.custom_flags(libc::O_DIRECT).open(path).ok()
}

#[cfg(not(target_os = "linux"))]
fn open_direct(_options: &mut OpenOptions, _path: &Path) -> Option<File> {
    None
}

/// Asks the kernel to start writing `len` bytes of `file` from `offset` to the disk now,
/// without waiting for them (`sync_file_range` with `SYNC_FILE_RANGE_WRITE`). A long
/// file written through the page cache and synced at its end then has most of its
/// pages on the disk already when the sync comes, instead of all of them waiting for
/// it. Only a hint: the durable point is still the caller's `sync_all`, which also
/// reports any error of this writeback; elsewhere than Linux it does nothing.
#[cfg(target_os = "linux")]
pub(crate) fn start_writeback(file: &File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(len)) = (libc::off64_t::try_from(offset), libc::off64_t::try_from(len)) else {
        return;
    };
    // SAFETY: the descriptor is open for as long as `file` is borrowed; the call reads
    // no memory of this process.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE);
    }
}

/// Does nothing where `sync_file_range` does not exist.
#[cfg(not(target_os = "linux"))]
pub(crate) fn start_writeback(_file: &File, _offset: u64, _len: u64) {}

/// A file written in aligned blocks past the page cache. Call [`DirectWriter::finish`]
/// at the end: dropping it unfinished loses what is still buffered.
pub(crate) struct DirectWriter {
    file: File,
    buffer: AlignedBuffer,
    filled: usize,
    written: u64,
}

impl DirectWriter {
    /// Opens the existing, empty file at `path` for direct writing, or `None` where
    /// the file system does not allow it.
    pub fn open(path: &Path) -> Option<DirectWriter> {
        let file = open_direct(OpenOptions::new().write(true), path)?;
        Some(DirectWriter { file, buffer: AlignedBuffer::new(), filled: 0, written: 0 })
    }

    /// Copies up to `len` bytes from `source`'s position, reading straight into the
    /// buffer; returns how many there were (fewer at the end of `source`).
    pub fn copy_from(&mut self, source: &mut File, len: u64) -> io::Result<u64> {
        let mut copied = 0;
        while copied < len {
            let room = (CAPACITY - self.filled).min(usize::try_from(len - copied).unwrap_or(usize::MAX));
            let n = source.read(&mut self.buffer.bytes_mut()[self.filled..self.filled + room])?;
            if n == 0 {
                break;
            }
            self.filled += n;
            copied += n as u64;
            if self.filled == CAPACITY {
                self.write_buffer(CAPACITY)?;
            }
        }
        Ok(copied)
    }

    /// Writes what is buffered (the last block padded), cuts the file to the bytes
    /// written, and returns their number. The data is on the disk; the file's size is
    /// not flushed until the caller syncs the file.
    pub fn finish(mut self) -> io::Result<u64> {
        let tail = self.filled;
        if tail > 0 {
            let padded = tail.next_multiple_of(ALIGN);
            self.buffer.bytes_mut()[tail..padded].fill(0);
            self.write_buffer(padded)?;
            self.written -= (padded - tail) as u64;
        }
        self.file.set_len(self.written)?;
        Ok(self.written)
    }

    /// Writes the first `len` (aligned) bytes of the buffer and empties it.
    fn write_buffer(&mut self, len: usize) -> io::Result<()> {
        self.file.write_all(&self.buffer.bytes()[..len])?;
        self.written += len as u64;
        self.filled = 0;
        Ok(())
    }
}

impl Write for DirectWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = data.len().min(CAPACITY - self.filled);
        self.buffer.bytes_mut()[self.filled..self.filled + n].copy_from_slice(&data[..n]);
        self.filled += n;
        if self.filled == CAPACITY {
            self.write_buffer(CAPACITY)?;
        }
        Ok(n)
    }

    /// Blocks are written as they fill; the partial last one only by [`DirectWriter::finish`].
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A file written past the page cache: long runs are read straight into its buffer.
impl crate::container::Sink for DirectWriter {
    fn copy_from(&mut self, source: &mut File, len: u64) -> io::Result<u64> {
        DirectWriter::copy_from(self, source, len)
    }
}

/// A file read in aligned blocks past the page cache.
pub(crate) struct DirectReader {
    file: File,
    buffer: AlignedBuffer,
}

impl DirectReader {
    /// Opens `path` for direct reading, or `None` where the file system does not allow it.
    pub fn open(path: &Path) -> Option<DirectReader> {
        let file = open_direct(OpenOptions::new().read(true), path)?;
        Some(DirectReader { file, buffer: AlignedBuffer::new() })
    }

    /// Fills `out` with the bytes at `offset`; fails if the file ends first.
    pub fn read_exact_at(&mut self, out: &mut [u8], offset: u64) -> io::Result<()> {
        let mut done = 0;
        while done < out.len() {
            let at = offset + done as u64;
            let block_start = at - at % ALIGN as u64;
            let skip = (at - block_start) as usize;
            let want = (skip + out.len() - done).next_multiple_of(ALIGN).min(CAPACITY);
            let got = self.read_block(block_start, want)?;
            if got <= skip {
                return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
            }
            let n = (got - skip).min(out.len() - done);
            out[done..done + n].copy_from_slice(&self.buffer.bytes()[skip..skip + n]);
            done += n;
        }
        Ok(())
    }

    /// Reads up to `len` (aligned) bytes at the aligned `offset` into the buffer;
    /// returns how many there were before the end of the file.
    fn read_block(&mut self, offset: u64, len: usize) -> io::Result<usize> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileExt;
            let mut got = 0;
            while got < len {
                let n = self.file.read_at(&mut self.buffer.bytes_mut()[got..len], offset + got as u64)?;
                if n == 0 {
                    break;
                }
                got += n;
            }
            Ok(got)
        }
        #[cfg(not(unix))]
        {
            // Never reached where `O_DIRECT` does not exist (no reader is opened), but
            // correct all the same.
            use std::io::{Seek, SeekFrom};
            self.file.seek(SeekFrom::Start(offset))?;
            let mut got = 0;
            while got < len {
                let n = self.file.read(&mut self.buffer.bytes_mut()[got..len])?;
                if n == 0 {
                    break;
                }
                got += n;
            }
            Ok(got)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes that differ from block to block, so misplaced blocks show.
    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + i / 4096) as u8).collect()
    }

    #[test]
    fn what_is_written_directly_reads_back_whole_at_any_length_and_offset() {
        let dir = tempfile::tempdir().unwrap();
        let source_path = dir.path().join("source");
        let bytes = pattern(CAPACITY * 2 + 12_345);
        std::fs::write(&source_path, &bytes).unwrap();
        for head in [0usize, 1, 44, ALIGN, CAPACITY - 3] {
            let path = dir.path().join(format!("copy-{head}"));
            File::create(&path).unwrap();
            let Some(mut writer) = DirectWriter::open(&path) else {
                eprintln!("this file system refuses O_DIRECT: nothing to test");
                return;
            };
            writer.write_all(&bytes[..head]).unwrap();
            let mut source = File::open(&source_path).unwrap();
            std::io::Seek::seek(&mut source, std::io::SeekFrom::Start(head as u64)).unwrap();
            let rest = (bytes.len() - head) as u64;
            assert_eq!(writer.copy_from(&mut source, rest + 100).unwrap(), rest, "stops at the end of the source");
            assert_eq!(writer.finish().unwrap(), bytes.len() as u64);
            assert_eq!(std::fs::read(&path).unwrap(), bytes, "head {head}");

            let mut reader = DirectReader::open(&path).unwrap();
            for (offset, len) in [(0, 10), (4095, 2), (CAPACITY - 5, CAPACITY + 9), (bytes.len() - 7, 7)] {
                let mut out = vec![0u8; len];
                reader.read_exact_at(&mut out, offset as u64).unwrap();
                assert_eq!(out, bytes[offset..offset + len], "read {len} at {offset}");
            }
            let mut past = [0u8; 8];
            assert!(reader.read_exact_at(&mut past, bytes.len() as u64 - 4).is_err(), "reading past the end fails");
        }
    }
}
