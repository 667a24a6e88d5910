//! Writing an image: [`write_image`] checks the plan, then streams every track's PCM into
//! `IMAGE.DAT` (a 1 MiB buffer at a time, its MD5 computed on a thread of its own while
//! the next buffer is read) and writes the small files and `CHECKSUM.MD5` after it.
//!
//! Files are created new, never written over: a folder that already holds one of them
//! is refused. When anything fails half-way, the files written so far are removed, so a
//! folder never holds half an image that could be mistaken for a whole one.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::cdtext::encode_cdtext;
use super::checksum::{ChecksumEntry, Md5Thread, format_md5sum};
use super::packets::{DdpId, MapPacket, PqEntry, PqTrack};
use super::plan::{DiscPlan, Layout, Limits};
use super::{Msf, SECTOR_BYTES};
use crate::carrier::Problem;

/// The audio file's name.
const IMAGE: &str = "IMAGE.DAT";
/// The PQ stream's file name.
const PQ: &str = "PQDESCR";
/// The CD-Text stream's file name.
const CDTEXT: &str = "CDTEXT.BIN";
/// The checksum file's name.
pub(crate) const CHECKSUMS: &str = "CHECKSUM.MD5";
/// Bytes read from a source, or written as silence, at a time: 448 sectors (1 MiB).
const CHUNK: usize = 448 * SECTOR_BYTES as usize;
/// Bytes written between two hints to the kernel to start writing them to the disk
/// ([`crate::write::direct_io::start_writeback`]): the final sync of a 500 MB image
/// then waits for the last few of them, not for the whole image.
const WRITEBACK: u64 = 8 << 20;

/// One file of a written image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    /// Its name in the image's folder.
    pub name: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its MD5, as 32 lowercase hex digits.
    pub md5: String,
}

/// What [`write_image`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Where everything landed on the disc.
    pub layout: Layout,
    /// The files, `CHECKSUM.MD5` last (its own MD5 included).
    pub files: Vec<WrittenFile>,
    /// The MD5 of `IMAGE.DAT`, for the PQ sheet.
    pub image_md5: String,
}

/// Why an image was not written.
#[derive(Debug, thiserror::Error)]
pub enum ImageWriteError {
    /// The plan breaks Red Book rules or DDP limits: nothing was written.
    #[error("the disc cannot be written:{}", list(.0))]
    Refused(Vec<Problem>),
    /// A file of the image is already there.
    #[error("{} already exists; an image is never written over, so choose an empty folder", .0.display())]
    Exists(PathBuf),
    /// Writing a file failed.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: io::Error,
    },
    /// Opening or reading a track's PCM failed.
    #[error("cannot read the audio of track {track}: {source}")]
    Source {
        /// The track number.
        track: u8,
        /// What the source said.
        #[source]
        source: io::Error,
    },
    /// A track's PCM ended before the plan's length.
    #[error("track {track} gave {got} bytes of PCM where its plan says {expected}; the plan does not match the audio")]
    SourceShort {
        /// The track number.
        track: u8,
        /// Bytes the plan promised (4 per stereo sample).
        expected: u64,
        /// Bytes the source gave.
        got: u64,
    },
    /// A track's PCM went on past the plan's length.
    #[error(
        "track {track} gave more than the {expected} bytes of PCM its plan says; the plan does not match the audio"
    )]
    SourceLong {
        /// The track number.
        track: u8,
        /// Bytes the plan promised.
        expected: u64,
    },
}

/// The problems as an indented list, for [`ImageWriteError::Refused`].
fn list(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("\n  {p}")).collect()
}

/// Writes the image of `plan` into `dir` (created if missing): `IMAGE.DAT`, `DDPID`,
/// `DDPMS`, `PQDESCR`, `CDTEXT.BIN` when the plan has text, and `CHECKSUM.MD5`.
///
/// `source(i)` gives the PCM of `plan.tracks[i]`: 16-bit little-endian interleaved
/// stereo, exactly `4 * sample_frames` bytes. It is read a piece at a time, never whole.
/// The plan is checked first ([`DiscPlan::check`] against `limits`); with any problem
/// nothing is written and every problem is returned.
pub fn write_image<R: Read>(
    plan: &DiscPlan,
    limits: &Limits,
    dir: &Path,
    mut source: impl FnMut(usize) -> io::Result<R>,
) -> Result<Written, ImageWriteError> {
    let problems = plan.check(limits);
    if !problems.is_empty() {
        return Err(ImageWriteError::Refused(problems));
    }
    let layout = plan.layout();
    let last_track = u8::try_from(plan.tracks.len()).unwrap_or(u8::MAX);
    let cdtext = encode_cdtext(&plan.cdtext(), last_track).map_err(ImageWriteError::Refused)?;
    let pq = pq_stream(plan, &layout);
    let map = map_stream(&layout, pq.len(), cdtext.as_ref().map(Vec::len));
    let id = DdpId::for_cd(plan.catalog.as_ref(), plan.master_id.as_deref()).encode();

    fs::create_dir_all(dir).map_err(|source| ImageWriteError::Io { path: dir.to_owned(), source })?;
    let mut created = Created::default();
    let mut files = Vec::new();

    let mut image = HashingFile::create(dir, IMAGE, &mut created)?;
    for (i, (track, placed)) in plan.tracks.iter().zip(&layout.tracks).enumerate() {
        image.silence(placed.pregap.saturating_mul(SECTOR_BYTES))?;
        let number = placed.number;
        let mut pcm = source(i).map_err(|source| ImageWriteError::Source { track: number, source })?;
        let expected = track.audio.pcm_bytes();
        copy_exactly(&mut pcm, &mut image, expected, number)?;
        image.silence(placed.length.saturating_mul(SECTOR_BYTES).saturating_sub(expected))?;
    }
    let image = image.finish()?;
    let image_md5 = image.md5.clone();
    files.push(image);

    let small: [(&str, Option<&[u8]>); 4] =
        [("DDPID", Some(&id)), ("DDPMS", Some(&map)), (PQ, Some(&pq)), (CDTEXT, cdtext.as_deref())];
    for (name, bytes) in small {
        if let Some(bytes) = bytes {
            let mut file = HashingFile::create(dir, name, &mut created)?;
            file.write(bytes)?;
            files.push(file.finish()?);
        }
    }
    let entries: Vec<ChecksumEntry> =
        files.iter().map(|f| ChecksumEntry { name: f.name.clone(), md5: f.md5.clone() }).collect();
    let mut checksums = HashingFile::create(dir, CHECKSUMS, &mut created)?;
    checksums.write(format_md5sum(&entries).as_bytes())?;
    files.push(checksums.finish()?);

    created.keep();
    Ok(Written { layout, files, image_md5 })
}

/// The PQ entries of a plan: the lead-in (with the UPC/EAN), each track's INDEX 00 (when
/// it has a gap) and INDEX 01, the ISRC on the first of them, and the lead-out.
fn pq_stream(plan: &DiscPlan, layout: &Layout) -> Vec<u8> {
    let mut entries = vec![PqEntry {
        upc_ean: plan.catalog.map(|c| c.as_str().to_owned()),
        ..PqEntry::new(PqTrack::LeadIn, 0, Msf::from_sectors(0))
    }];
    for (track, placed) in plan.tracks.iter().zip(&layout.tracks) {
        let mut isrc = track.isrc.map(|code| code.as_str().to_owned());
        let number = PqTrack::Track(placed.number);
        if let Some(index0) = placed.index0 {
            entries.push(PqEntry { isrc: isrc.take(), ..PqEntry::new(number, 0, Msf::from_sectors(index0)) });
        }
        entries.push(PqEntry { isrc, ..PqEntry::new(number, 1, Msf::from_sectors(placed.index1)) });
    }
    entries.push(PqEntry::new(PqTrack::LeadOut, 1, Msf::from_sectors(layout.lead_out)));
    entries.iter().flat_map(PqEntry::encode).collect()
}

/// The map stream: the audio (`D0`), the PQ stream and, when there is one, the CD-Text.
fn map_stream(layout: &Layout, pq_bytes: usize, cdtext_bytes: Option<usize>) -> Vec<u8> {
    let pause = layout.tracks.first().map_or(0, |t| t.index1);
    let mut packets = vec![
        MapPacket {
            stream_type: "D0".into(),
            length: Some(layout.lead_out),
            start: Some(0),
            cd_mode: Some("DA".into()),
            storage_mode: Some("7".into()),
            scrambled: Some("0".into()),
            pregap2: Some(pause),
            file_name: Some(IMAGE.into()),
            ..MapPacket::default()
        },
        MapPacket {
            stream_type: "S0".into(),
            length: Some(pq_bytes as u64),
            subcode: Some("PQ DESCR".into()),
            file_name: Some(PQ.into()),
            ..MapPacket::default()
        },
    ];
    if let Some(bytes) = cdtext_bytes {
        packets.push(MapPacket {
            stream_type: "S0".into(),
            length: Some(bytes as u64),
            subcode: Some("CDTEXT".into()),
            track: Some("00".into()),
            file_name: Some(CDTEXT.into()),
            ..MapPacket::default()
        });
    }
    packets.iter().flat_map(MapPacket::encode).collect()
}

/// Copies exactly `expected` bytes from `pcm` to `image`, then makes sure there are none
/// left.
fn copy_exactly(pcm: &mut impl Read, image: &mut HashingFile, expected: u64, track: u8) -> Result<(), ImageWriteError> {
    let mut remaining = expected;
    let read = |pcm: &mut dyn Read, into: &mut [u8]| loop {
        match pcm.read(into) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            result => break result.map_err(|source| ImageWriteError::Source { track, source }),
        }
    };
    while remaining > 0 {
        let want = usize::try_from(remaining).unwrap_or(CHUNK).min(CHUNK);
        // A buffer of its own each time: the MD5 thread takes it.
        let mut buffer = vec![0u8; want];
        let mut n = 0;
        while n < want {
            match read(pcm, &mut buffer[n..])? {
                0 => break,
                got => n += got,
            }
        }
        if n == 0 {
            return Err(ImageWriteError::SourceShort { track, expected, got: expected - remaining });
        }
        buffer.truncate(n);
        image.write_owned(buffer)?;
        remaining -= n as u64;
    }
    if read(pcm, &mut [0u8; 1])? > 0 {
        return Err(ImageWriteError::SourceLong { track, expected });
    }
    Ok(())
}

/// A new file being written and hashed.
struct HashingFile {
    file: File,
    path: PathBuf,
    name: String,
    md5: Md5Thread,
    bytes: u64,
    /// Bytes up to which writeback has been started.
    flushing: u64,
}

impl HashingFile {
    /// Creates `dir/name`, which must not exist, and notes it in `created`.
    fn create(dir: &Path, name: &str, created: &mut Created) -> Result<HashingFile, ImageWriteError> {
        let path = dir.join(name);
        let file = OpenOptions::new().write(true).create_new(true).open(&path).map_err(|source| {
            if source.kind() == io::ErrorKind::AlreadyExists {
                ImageWriteError::Exists(path.clone())
            } else {
                ImageWriteError::Io { path: path.clone(), source }
            }
        })?;
        created.0.push(path.clone());
        let md5 = Md5Thread::spawn().ok_or_else(|| ImageWriteError::Io {
            path: path.clone(),
            source: io::Error::other("cannot start a thread to compute the MD5"),
        })?;
        Ok(HashingFile { file, path, name: name.to_owned(), md5, bytes: 0, flushing: 0 })
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), ImageWriteError> {
        self.write_owned(bytes.to_vec())
    }

    /// Writes a buffer and hands it to the MD5 thread.
    fn write_owned(&mut self, bytes: Vec<u8>) -> Result<(), ImageWriteError> {
        self.file.write_all(&bytes).map_err(|source| ImageWriteError::Io { path: self.path.clone(), source })?;
        self.bytes += bytes.len() as u64;
        self.md5.update(bytes);
        if self.bytes - self.flushing >= WRITEBACK {
            crate::write::direct_io::start_writeback(&self.file, self.flushing, self.bytes - self.flushing);
            self.flushing = self.bytes;
        }
        Ok(())
    }

    /// Writes `bytes` zero bytes: digital silence.
    fn silence(&mut self, mut bytes: u64) -> Result<(), ImageWriteError> {
        while bytes > 0 {
            let n = usize::try_from(bytes).unwrap_or(CHUNK).min(CHUNK);
            self.write_owned(vec![0u8; n])?;
            bytes -= n as u64;
        }
        Ok(())
    }

    /// Flushes the file to the disk and gives its name, size and MD5.
    fn finish(self) -> Result<WrittenFile, ImageWriteError> {
        let io = |source| ImageWriteError::Io { path: self.path.clone(), source };
        crate::base::replace::sync_file(&self.file).map_err(io)?;
        let md5 = self.md5.finish().map_err(io)?;
        Ok(WrittenFile { name: self.name, bytes: self.bytes, md5 })
    }
}

/// The files written so far: removed when dropped, unless [`Created::keep`] was called.
#[derive(Default)]
struct Created(Vec<PathBuf>);

impl Created {
    fn keep(mut self) {
        self.0.clear();
    }
}

impl Drop for Created {
    fn drop(&mut self) {
        for path in &self.0 {
            let _ = fs::remove_file(path);
        }
    }
}
