//! Reading an image back: [`read_image`] parses every file it can and lists everything
//! wrong instead of stopping at the first problem, so one run shows a mastering engineer
//! all there is to fix.
//!
//! Problem ids: `ddp-structure` (a file missing, malformed, of the wrong size, or not
//! agreeing with another), `ddp-checksum` (a checksum that does not match, a file the
//! checksum file lists but the folder lacks, a stream it does not cover),
//! `ddp-checksum-missing` (no `CHECKSUM.MD5` nor another tool's checksum file),
//! `ddp-checksum-unread` (a checksum file in no format read), `ddp-catalog-invalid` (a UPC/EAN that is
//! not 13 digits with a valid check digit), `ddp-catalog-mismatch` (`DDPID` and the PQ
//! lead-in disagree), `ddp-isrc-invalid`, `ddp-isrc-duplicate`, `ddp-cdtext`, and the
//! Red Book's `redbook-track-length` and `redbook-pregap` for what the PQ data describes.
//!
//! Bounded work on hostile input: the small files are read with size limits, the audio
//! file is only hashed (in pieces, no further than its size when measured) and
//! measured, file names from `DDPMS` and the checksum file must be plain names inside
//! the folder (no `..`, no separators), and only regular files are opened: a named pipe
//! or a device (`/dev/zero`, a symlink to it) in an image's place is a `ddp-structure`
//! problem naming what it is, never read ([`crate::base::filekind::open_regular`]).

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{self, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::cdtext::{CdText, decode_cdtext};
use super::checksum::{
    ChecksumEntry, crc32_file, hash_file, hash_file_with, is_other_checksum_file, parse_md5sum, parse_other,
};
use super::packets::{DdpId, MapPacket, PqEntry, PqTrack};
use super::write::CHECKSUMS;
use super::{DEFAULT_PREGAP, Msf, SECTOR_BYTES, SECTORS_PER_SECOND};
use crate::carrier::{Problem, ProblemId};
use crate::isrc::{Catalog, Isrc};

/// The most names of a folder looked at when matching a file name without regard to case.
const MAX_FOLDER_ENTRIES: usize = 10_000;
/// Size limits of the small files.
const MAX_DDPID: u64 = 4 * 1024;
const MAX_MAP: u64 = 2048 * MapPacket::LEN as u64;
const MAX_PQ: u64 = 16 * 1024 * PqEntry::LEN as u64;
const MAX_CDTEXT: u64 = 64 * 1024;
const MAX_CHECKSUMS: u64 = 1024 * 1024;

/// One track as the PQ data of an image describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DdpTrack {
    /// Track number.
    pub number: u8,
    /// INDEX 00, in sectors from the start of the disc, when the track has a gap.
    pub index0: Option<u64>,
    /// INDEX 01, in sectors from the start of the disc.
    pub index1: u64,
    /// The end of the track's audio: the next track's first index, or the lead-out.
    pub end: u64,
    /// The ISRC, when the track has a valid one.
    pub isrc: Option<Isrc>,
    /// The ISRC as written in the PQ data, valid or not.
    pub isrc_written: Option<String>,
    /// The control field of the INDEX 01 entry.
    pub control: Option<String>,
    /// The track's audio (INDEX 01 to [`DdpTrack::end`]) as a byte range of the audio
    /// file, when the file holds all of it.
    pub image_bytes: Option<Range<u64>>,
}

impl DdpTrack {
    /// Sectors from INDEX 01 to the end.
    pub fn length(&self) -> u64 {
        self.end.saturating_sub(self.index1)
    }

    /// Sectors of gap before INDEX 01.
    pub fn pregap(&self) -> u64 {
        self.index0.map_or(0, |index0| self.index1.saturating_sub(index0))
    }
}

/// What [`read_image`] found in an image's folder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DdpImage {
    /// The `DDPID` packet, when there is one.
    pub id: Option<DdpId>,
    /// The `DDPMS` packets that start with `VVVM`, in order.
    pub map: Vec<MapPacket>,
    /// The PQ entries that could be read, in order.
    pub pq: Vec<PqEntry>,
    /// The UPC/EAN, when a valid one is given (the PQ lead-in's, else `DDPID`'s).
    pub catalog: Option<Catalog>,
    /// The tracks the PQ data describes.
    pub tracks: Vec<DdpTrack>,
    /// The lead-out, in sectors from the start of the disc.
    pub lead_out: Option<u64>,
    /// The audio file's name, as `DDPMS` gives it.
    pub audio_file: Option<String>,
    /// The disc sector the audio file starts at (`DSS` of the `D0` packet, blank = 0).
    pub audio_start: u64,
    /// The audio file's size in bytes.
    pub audio_bytes: Option<u64>,
    /// The MD5 of the audio file.
    pub image_md5: Option<String>,
    /// The CD-Text, when the image has a CD-Text stream.
    pub cdtext: Option<CdText>,
    /// The lines of `CHECKSUM.MD5`.
    pub checksums: Vec<ChecksumEntry>,
    /// Everything wrong with the image; empty for a sound one.
    pub problems: Vec<Problem>,
}

impl DdpImage {
    /// Whether a problem with this id was found.
    pub fn has_problem(&self, id: ProblemId) -> bool {
        self.problems.iter().any(|p| p.id == id)
    }
}

/// Why an image's folder could not be read at all. Everything else is a [`Problem`].
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The folder cannot be listed.
    #[error("cannot read the folder {}: {source}", path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: io::Error,
    },
}

/// Sees the audio file's bytes as [`read_image_with`] hashes them, so that a reader of
/// the tracks' audio needs no second pass over the file.
pub trait AudioTap {
    /// Called once, before the audio file is read, with the image as read so far (its
    /// tracks included).
    fn start(&mut self, image: &DdpImage);
    /// The next bytes of the audio file, starting at byte `offset` of the file.
    fn bytes(&mut self, offset: u64, bytes: &[u8]);
}

/// Reads the DDP image in `dir`: every file it has, every problem with it. File names of
/// the streams come from `DDPMS`; the audio file is hashed, not loaded.
pub fn read_image(dir: &Path) -> Result<DdpImage, ReadError> {
    read_image_with(dir, None)
}

/// [`read_image`], showing the audio file's bytes to `tap` as they are hashed.
pub fn read_image_with(dir: &Path, tap: Option<&mut dyn AudioTap>) -> Result<DdpImage, ReadError> {
    let mut reader = Reader::new(dir)?;
    let mut image = DdpImage::default();
    reader.id(&mut image);
    let streams = reader.map(&mut image);
    let audio_sectors = reader.audio(&mut image, streams.audio.as_ref());
    reader.pq(&mut image, streams.pq.as_ref(), audio_sectors);
    reader.hash_audio(&mut image, tap);
    reader.catalog(&mut image);
    reader.cdtext(&mut image, streams.cdtext.as_ref());
    reader.checksums(&mut image, &streams);
    image.problems = reader.problems;
    Ok(image)
}

/// The streams `DDPMS` names, each with its packet and the file name.
#[derive(Default)]
struct Streams {
    audio: Option<(MapPacket, String)>,
    pq: Option<(MapPacket, String)>,
    cdtext: Option<(MapPacket, String)>,
}

/// A read in progress: the folder, its names, the problems so far, MD5s computed.
struct Reader {
    dir: PathBuf,
    names: Vec<String>,
    problems: Vec<Problem>,
    hashes: HashMap<PathBuf, Option<(String, u64)>>,
    /// CRC-32s computed (the audio file's in the pass that hashes it).
    crcs: HashMap<PathBuf, u32>,
}

/// Whether `name` is a plain file name: no separators, not `.` or `..`, no controls.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.chars().any(|c| matches!(c, '/' | '\\' | ':') || c.is_control())
}

/// The text for a problem about a file name or value from the image: at most 40 characters.
fn shown(value: &str) -> String {
    value.chars().take(40).collect()
}

impl Reader {
    fn new(dir: &Path) -> Result<Reader, ReadError> {
        let folder = |source| ReadError::Folder { path: dir.to_owned(), source };
        let names = fs::read_dir(dir)
            .map_err(folder)?
            .take(MAX_FOLDER_ENTRIES)
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .collect();
        Ok(Reader { dir: dir.to_owned(), names, problems: Vec::new(), hashes: HashMap::new(), crcs: HashMap::new() })
    }

    fn problem(&mut self, id: ProblemId, message: impl Into<String>) {
        self.problems.push(Problem::new(id, message));
    }

    fn track_problem(&mut self, id: ProblemId, track: u8, message: impl Into<String>) {
        self.problems.push(Problem::for_track(id, track, message));
    }

    /// The path of the file `name` in the folder: the exact name, else the first name
    /// equal to it without regard to ASCII case (images travel between systems).
    fn resolve(&self, name: &str) -> Option<PathBuf> {
        if !is_plain_name(name) {
            return None;
        }
        if self.names.iter().any(|n| n == name) {
            return Some(self.dir.join(name));
        }
        self.names.iter().find(|n| n.eq_ignore_ascii_case(name)).map(|n| self.dir.join(n))
    }

    /// The first `max` bytes of the file `name`, noting a larger file as a problem;
    /// `None` (and a problem) when it is missing or unreadable.
    fn read_small(&mut self, name: &str, max: u64) -> Option<Vec<u8>> {
        let Some(path) = self.resolve(name) else {
            self.problem(ProblemId::DdpStructure, format!("the folder has no file {:?}", shown(name)));
            return None;
        };
        let mut bytes = Vec::new();
        let read =
            crate::base::filekind::open_regular(&path).and_then(|file| file.take(max + 1).read_to_end(&mut bytes));
        if let Err(e) = read {
            self.problem(ProblemId::DdpStructure, format!("cannot read {}: {e}", path.display()));
            return None;
        }
        if bytes.len() as u64 > max {
            self.problem(
                ProblemId::DdpStructure,
                format!("{name} is larger than {max} bytes; only the start was read"),
            );
            bytes.truncate(max as usize);
        }
        Some(bytes)
    }

    /// The MD5 and size of a file, computed once.
    fn hash(&mut self, path: &Path) -> Option<(String, u64)> {
        if let Some(known) = self.hashes.get(path) {
            return known.clone();
        }
        let result = match hash_file(path) {
            Ok(hash) => Some(hash),
            Err(e) => {
                self.problem(ProblemId::DdpStructure, format!("cannot read {}: {e}", path.display()));
                None
            }
        };
        self.hashes.insert(path.to_owned(), result.clone());
        result
    }

    fn id(&mut self, image: &mut DdpImage) {
        let Some(bytes) = self.read_small("DDPID", MAX_DDPID) else { return };
        if bytes.len() != DdpId::LEN {
            self.problem(ProblemId::DdpStructure, format!("DDPID has {} bytes, not {}", bytes.len(), DdpId::LEN));
        }
        let (id, problems) = DdpId::decode(&bytes);
        self.problems.extend(problems);
        image.id = Some(id);
    }

    /// Reads `DDPMS` and picks out the audio, PQ and CD-Text streams.
    fn map(&mut self, image: &mut DdpImage) -> Streams {
        let mut streams = Streams::default();
        let Some(bytes) = self.read_small("DDPMS", MAX_MAP) else { return streams };
        if bytes.is_empty() || bytes.len() % MapPacket::LEN != 0 {
            self.problem(
                ProblemId::DdpStructure,
                format!("DDPMS has {} bytes, not a whole number of {}-byte packets", bytes.len(), MapPacket::LEN),
            );
        }
        for (i, record) in bytes.chunks_exact(MapPacket::LEN).enumerate() {
            match MapPacket::decode(record, i + 1) {
                Ok((packet, problems)) => {
                    self.problems.extend(problems);
                    image.map.push(packet);
                }
                Err(problem) => self.problems.push(problem),
            }
        }
        for (i, packet) in image.map.iter().enumerate() {
            let slot = match (packet.stream_type.as_str(), packet.subcode.as_deref()) {
                ("D0", _) => &mut streams.audio,
                ("S0", Some("PQ DESCR")) => &mut streams.pq,
                ("S0", Some("CDTEXT")) => &mut streams.cdtext,
                _ => continue,
            };
            let what = format!("the {} stream of DDPMS packet {}", packet.stream_type, i + 1);
            let Some(name) = packet.file_name.clone() else {
                self.problems.push(Problem::new(ProblemId::DdpStructure, format!("{what} names no file")));
                continue;
            };
            if !is_plain_name(&name) {
                self.problems.push(Problem::new(
                    ProblemId::DdpStructure,
                    format!("{what} names {:?}, which is not a plain file name in the folder", shown(&name)),
                ));
                continue;
            }
            if slot.is_some() {
                self.problems.push(Problem::new(
                    ProblemId::DdpStructure,
                    format!("{what} is a second one of its kind; this reader takes one (the first)"),
                ));
                continue;
            }
            *slot = Some((packet.clone(), name));
        }
        if streams.audio.is_none() {
            self.problem(ProblemId::DdpStructure, "DDPMS has no audio stream (D0)");
        }
        if streams.pq.is_none() {
            self.problem(ProblemId::DdpStructure, "DDPMS has no PQ stream (S0, PQ DESCR)");
        }
        streams
    }

    /// Hashes the audio file once, showing its bytes to `tap`; the MD5 serves the image's
    /// [`DdpImage::image_md5`] and the checksum file's check alike.
    fn hash_audio(&mut self, image: &mut DdpImage, tap: Option<&mut dyn AudioTap>) {
        // Only an audio file that was measured (a regular file) is read.
        if image.audio_bytes.is_none() {
            return;
        }
        let Some(path) = image.audio_file.as_deref().and_then(|name| self.resolve(name)) else { return };
        // The CRC-32 only when a CRC32 file may list it: computed in the same pass.
        let mut crc = self.names.iter().any(|n| is_other_checksum_file(n)).then(crc32fast::Hasher::new);
        let result = match tap {
            Some(tap) => {
                tap.start(image);
                hash_file_with(&path, &mut |offset, bytes| {
                    crc.iter_mut().for_each(|crc| crc.update(bytes));
                    tap.bytes(offset, bytes)
                })
            }
            None if crc.is_some() => {
                hash_file_with(&path, &mut |_, bytes| crc.iter_mut().for_each(|c| c.update(bytes)))
            }
            None => hash_file(&path),
        };
        if let (Some(crc), Ok(_)) = (crc, &result) {
            self.crcs.insert(path.clone(), crc.finalize());
        }
        let hashed = match result {
            Ok(hashed) => Some(hashed),
            Err(e) => {
                self.problem(ProblemId::DdpStructure, format!("cannot read {}: {e}", path.display()));
                None
            }
        };
        image.image_md5 = hashed.as_ref().map(|(md5, _)| md5.clone());
        self.hashes.insert(path, hashed);
    }

    /// Measures the audio file (it is hashed later, once); returns its length in whole
    /// sectors.
    fn audio(&mut self, image: &mut DdpImage, audio: Option<&(MapPacket, String)>) -> Option<u64> {
        let (packet, name) = audio?;
        image.audio_file = Some(name.clone());
        image.audio_start = packet.start.unwrap_or(0);
        if packet.cd_mode.as_deref() != Some("DA") {
            self.problem(
                ProblemId::DdpStructure,
                format!("the D0 stream has CD mode {:?}, not DA (audio)", packet.cd_mode.as_deref().unwrap_or("")),
            );
        }
        if let Some(mode) = packet.storage_mode.as_deref().filter(|m| !matches!(*m, "0" | "7")) {
            self.problem(
                ProblemId::DdpStructure,
                format!("the D0 stream has storage mode {mode:?}; this reader takes 2352-byte sectors (0 or 7)"),
            );
        }
        if packet.file_offset.is_some_and(|offset| offset > 0) {
            self.problem(ProblemId::DdpStructure, "the D0 stream has a starting file offset; this reader takes none");
        }
        let Some(path) = self.resolve(name) else {
            self.problem(
                ProblemId::DdpStructure,
                format!("the audio file {:?} named in DDPMS is missing", shown(name)),
            );
            return None;
        };
        // A named pipe or a device (`/dev/zero`) never ends: only a regular file is read.
        let bytes = match fs::metadata(&path).and_then(|m| crate::base::filekind::refuse_special(&m).map(|()| m)) {
            Ok(metadata) => metadata.len(),
            Err(e) => {
                self.problem(ProblemId::DdpStructure, format!("cannot read {}: {e}", path.display()));
                return None;
            }
        };
        image.audio_bytes = Some(bytes);
        if bytes % SECTOR_BYTES != 0 {
            self.problem(
                ProblemId::DdpStructure,
                format!("{name} has {bytes} bytes, not a whole number of {SECTOR_BYTES}-byte sectors"),
            );
        }
        let sectors = bytes / SECTOR_BYTES;
        if let Some(length) = packet.length.filter(|&length| length != sectors) {
            self.problem(
                ProblemId::DdpStructure,
                format!("DDPMS gives {name} {length} sectors, but the file has {sectors}; is it truncated?"),
            );
        }
        Some(sectors)
    }

    /// Reads the PQ stream and builds the tracks from it.
    fn pq(&mut self, image: &mut DdpImage, pq: Option<&(MapPacket, String)>, audio_sectors: Option<u64>) {
        let Some((packet, name)) = pq else { return };
        let Some(bytes) = self.read_small(name, MAX_PQ) else { return };
        if bytes.is_empty() || bytes.len() % PqEntry::LEN != 0 {
            self.problem(
                ProblemId::DdpStructure,
                format!("{name} has {} bytes, not a whole number of {}-byte entries", bytes.len(), PqEntry::LEN),
            );
        }
        if let Some(length) = packet.length.filter(|&length| length != bytes.len() as u64) {
            self.problem(
                ProblemId::DdpStructure,
                format!("DDPMS gives {name} {length} bytes, but the file has {}", bytes.len()),
            );
        }
        for (i, record) in bytes.chunks_exact(PqEntry::LEN).enumerate() {
            match PqEntry::decode(record, i + 1) {
                Ok(entry) => image.pq.push(entry),
                Err(problem) => self.problems.push(problem),
            }
        }
        self.tracks(image, audio_sectors);
    }

    /// The tracks of the PQ entries, with every rule of their order checked.
    fn tracks(&mut self, image: &mut DdpImage, audio_sectors: Option<u64>) {
        struct Building {
            number: u8,
            index0: Option<u64>,
            index1: Option<u64>,
            first: u64,
            isrc: Option<String>,
            control: Option<String>,
            last_index: u8,
        }
        let mut building: Vec<Building> = Vec::new();
        let mut lead_out: Option<u64> = None;
        let mut previous_time = 0u64;
        let mut order_reported = false;
        for (i, entry) in image.pq.iter().enumerate() {
            let n = i + 1;
            let time = entry.time.to_sectors();
            if time < previous_time && !order_reported {
                self.problems.push(Problem::new(
                    ProblemId::DdpStructure,
                    format!("PQ entry {n} is at {}, before the entry above it", entry.time),
                ));
                order_reported = true;
            }
            previous_time = previous_time.max(time);
            match entry.track {
                PqTrack::LeadIn => {}
                PqTrack::LeadOut => match lead_out {
                    None => lead_out = Some(time),
                    Some(first) if first != time => self.problems.push(Problem::new(
                        ProblemId::DdpStructure,
                        format!(
                            "PQ entry {n} is a second lead-out, at {} not {}",
                            entry.time,
                            Msf::from_sectors(first)
                        ),
                    )),
                    Some(_) => {}
                },
                PqTrack::Track(number) => {
                    if lead_out.is_some() {
                        self.problems
                            .push(Problem::new(ProblemId::DdpStructure, format!("PQ entry {n} is after the lead-out")));
                        continue;
                    }
                    let expected = building.last().map_or(1, |t| t.number.saturating_add(1));
                    if building.last().is_none_or(|t| t.number != number) {
                        if number != expected {
                            self.problems.push(Problem::new(
                                ProblemId::DdpStructure,
                                format!("PQ entry {n} starts track {number}, where track {expected} was due"),
                            ));
                        }
                        building.push(Building {
                            number,
                            index0: None,
                            index1: None,
                            first: time,
                            isrc: entry.isrc.clone(),
                            control: None,
                            last_index: entry.index,
                        });
                    } else if let Some(track) = building.last_mut() {
                        if entry.index <= track.last_index {
                            self.problems.push(Problem::new(
                                ProblemId::DdpStructure,
                                format!(
                                    "PQ entry {n}: index {:02} of track {number} does not follow index {:02}",
                                    entry.index, track.last_index
                                ),
                            ));
                        }
                        track.last_index = entry.index;
                        if track.isrc.is_none() {
                            track.isrc = entry.isrc.clone();
                        }
                    }
                    if let Some(track) = building.last_mut() {
                        match entry.index {
                            0 => track.index0 = Some(time),
                            1 => {
                                track.index1 = Some(time);
                                track.control = entry.control.clone();
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        if lead_out.is_none() && !image.pq.is_empty() {
            self.problem(ProblemId::DdpStructure, "the PQ data has no lead-out (track AA)");
        }
        image.lead_out = lead_out;

        let start = image.audio_start;
        let audio_end = audio_sectors.map(|sectors| start.saturating_add(sectors));
        if let (Some(lead_out), Some(audio_end)) = (lead_out, audio_end) {
            if lead_out > audio_end {
                let name = image.audio_file.as_deref().unwrap_or("the audio file");
                self.problem(
                    ProblemId::DdpStructure,
                    format!(
                        "{name} is truncated: it ends at {} but the lead-out is at {}",
                        Msf::from_sectors(audio_end),
                        Msf::from_sectors(lead_out)
                    ),
                );
            } else if lead_out < audio_end {
                self.problem(
                    ProblemId::DdpStructure,
                    format!("the audio file holds {} sectors after the lead-out", audio_end - lead_out),
                );
            }
        }
        let starts: Vec<u64> = building.iter().map(|t| t.first).collect();
        let mut seen_isrcs: HashSet<Isrc> = HashSet::new();
        for (i, track) in building.into_iter().enumerate() {
            let Some(index1) = track.index1 else {
                self.track_problem(
                    ProblemId::DdpStructure,
                    track.number,
                    format!("track {} has no INDEX 01", track.number),
                );
                continue;
            };
            let end = starts.get(i + 1).copied().or(lead_out).or(audio_end).unwrap_or(index1).max(index1);
            let isrc = track.isrc.as_deref().and_then(|written| self.isrc(track.number, written));
            if let Some(code) = isrc
                && !seen_isrcs.insert(code)
            {
                self.track_problem(
                    ProblemId::DdpIsrcDuplicate,
                    track.number,
                    format!("track {} has the ISRC {code} of an earlier track", track.number),
                );
            }
            let length = end - index1;
            if length < 4 * SECTORS_PER_SECOND {
                self.track_problem(
                    ProblemId::RedbookTrackLength,
                    track.number,
                    format!(
                        "track {} lasts {}; a CD track lasts at least 00:04:00",
                        track.number,
                        Msf::from_sectors(length)
                    ),
                );
            }
            if track.number == 1 && index1 < DEFAULT_PREGAP {
                self.track_problem(
                    ProblemId::RedbookPregap,
                    1,
                    format!("track 1 starts at {}; the Red Book asks for at least 00:02:00", Msf::from_sectors(index1)),
                );
            }
            let image_bytes = (index1 >= start && audio_end.is_some_and(|audio_end| end <= audio_end))
                .then(|| (index1 - start) * SECTOR_BYTES..(end - start) * SECTOR_BYTES);
            image.tracks.push(DdpTrack {
                number: track.number,
                index0: track.index0,
                index1,
                end,
                isrc,
                isrc_written: track.isrc,
                control: track.control,
                image_bytes,
            });
        }
        if let Some(first) = image.tracks.first()
            && first.index0.unwrap_or(first.index1) < start
        {
            self.problem(
                ProblemId::DdpStructure,
                format!("the audio file starts at {}, after track 1 does", Msf::from_sectors(start)),
            );
        }
    }

    /// The valid ISRC written for a track, or a problem.
    fn isrc(&mut self, track: u8, written: &str) -> Option<Isrc> {
        match Isrc::parse(written) {
            Ok(code) if code.as_str() == written => Some(code),
            Ok(_) => {
                self.track_problem(
                    ProblemId::DdpIsrcInvalid,
                    track,
                    format!(
                        "track {track}'s ISRC {:?} is not in the stored form (12 bare uppercase characters)",
                        shown(written)
                    ),
                );
                None
            }
            Err(e) => {
                self.track_problem(
                    ProblemId::DdpIsrcInvalid,
                    track,
                    format!("track {track}'s ISRC {:?} is invalid: {e}", shown(written)),
                );
                None
            }
        }
    }

    /// The UPC/EAN of `DDPID` and of the PQ data: each valid, and the same.
    fn catalog(&mut self, image: &mut DdpImage) {
        let mut pq_codes: Vec<&str> = image.pq.iter().filter_map(|e| e.upc_ean.as_deref()).collect();
        pq_codes.dedup();
        if pq_codes.len() > 1 {
            self.problem(
                ProblemId::DdpStructure,
                "the PQ data gives more than one UPC/EAN; it holds one, on the lead-in",
            );
        }
        let pq_code = pq_codes.first().map(|code| code.to_string());
        let id_code = image.id.as_ref().and_then(|id| id.upc_ean.clone());
        let mut valid = |code: Option<String>, place: &str| -> Option<Catalog> {
            let code = code.filter(|c| c.bytes().any(|b| b != b'0'))?;
            let parsed = if code.len() == 13 && code.bytes().all(|b| b.is_ascii_digit()) {
                Catalog::parse(&code).map_err(|e| e.to_string())
            } else {
                Err("it is not 13 digits".to_owned())
            };
            parsed
                .map_err(|e| {
                    self.problem(
                        ProblemId::DdpCatalogInvalid,
                        format!("the UPC/EAN {:?} in {place} is invalid: {e}", shown(&code)),
                    )
                })
                .ok()
        };
        let from_pq = valid(pq_code, "the PQ data");
        let from_id = valid(id_code, "DDPID");
        if let (Some(pq), Some(id)) = (from_pq, from_id)
            && pq != id
        {
            self.problem(ProblemId::DdpCatalogMismatch, format!("DDPID gives the UPC/EAN {id}, the PQ data {pq}"));
        }
        image.catalog = from_pq.or(from_id);
    }

    fn cdtext(&mut self, image: &mut DdpImage, cdtext: Option<&(MapPacket, String)>) {
        let Some((packet, name)) = cdtext else { return };
        let Some(bytes) = self.read_small(name, MAX_CDTEXT) else { return };
        if let Some(length) = packet.length.filter(|&length| length != bytes.len() as u64) {
            self.problem(
                ProblemId::DdpStructure,
                format!("DDPMS gives {name} {length} bytes, but the file has {}", bytes.len()),
            );
        }
        let (text, problems) = decode_cdtext(&bytes);
        self.problems.extend(problems);
        image.cdtext = Some(text);
    }

    /// Checks every line of `CHECKSUM.MD5`, and that it covers every file of the image;
    /// then every line of the checksum files other tools write (MD5 or CRC32,
    /// [`is_other_checksum_file`]). An image with none of them gets `ddp-checksum-missing`.
    fn checksums(&mut self, image: &mut DdpImage, streams: &Streams) {
        let others: Vec<String> = self.names.iter().filter(|n| is_other_checksum_file(n)).cloned().collect();
        if self.resolve(CHECKSUMS).is_none() {
            if others.is_empty() {
                self.problem(
                    ProblemId::DdpChecksumMissing,
                    format!("the image has no {CHECKSUMS}; a plant cannot check its transfer"),
                );
            }
        } else if let Some(bytes) = self.read_small(CHECKSUMS, MAX_CHECKSUMS) {
            let (entries, problems) = parse_md5sum(&String::from_utf8_lossy(&bytes));
            self.problems.extend(problems);
            let mut covered = HashSet::new();
            for entry in &entries {
                if let Some(path) = self.check_md5(CHECKSUMS, entry) {
                    covered.insert(path);
                }
            }
            let stream_names =
                [&streams.audio, &streams.pq, &streams.cdtext].into_iter().flatten().map(|(_, name)| name.as_str());
            for name in ["DDPID", "DDPMS"].into_iter().chain(stream_names) {
                if let Some(path) = self.resolve(name)
                    && !covered.contains(&path)
                {
                    self.problem(ProblemId::DdpChecksum, format!("{CHECKSUMS} does not cover {name}"));
                }
            }
            image.checksums = entries;
        }
        for file in others {
            let Some(bytes) = self.read_small(&file, MAX_CHECKSUMS) else { continue };
            let (md5s, crcs, unread) = parse_other(&String::from_utf8_lossy(&bytes));
            if md5s.is_empty() && crcs.is_empty() {
                self.problem(
                    ProblemId::DdpChecksumUnread,
                    format!(
                        "{:?} looks like a checksum file, but none of its {unread} line(s) is an MD5 or CRC32 line \
                         isrc-stamp reads; it was not checked",
                        shown(&file)
                    ),
                );
                continue;
            }
            for entry in &md5s {
                self.check_md5(&file, entry);
            }
            for entry in &crcs {
                let Some(path) = self.resolve_listed(&file, &entry.name) else { continue };
                let crc = match self.crcs.get(&path) {
                    Some(crc) => Some(*crc),
                    None => match crc32_file(&path) {
                        Ok(crc) => {
                            self.crcs.insert(path.clone(), crc);
                            Some(crc)
                        }
                        Err(e) => {
                            self.problem(ProblemId::DdpStructure, format!("cannot read {}: {e}", path.display()));
                            None
                        }
                    },
                };
                if let Some(crc) = crc.filter(|&crc| crc != entry.crc32) {
                    self.problem(
                        ProblemId::DdpChecksum,
                        format!(
                            "{}'s CRC32 is {crc:08X}, but {} says {:08X}: the file changed or was damaged",
                            entry.name,
                            shown(&file),
                            entry.crc32
                        ),
                    );
                }
            }
        }
    }

    /// The file a checksum file lists, or a problem naming it.
    fn resolve_listed(&mut self, list: &str, name: &str) -> Option<PathBuf> {
        let found = self.resolve(name);
        if found.is_none() {
            let why = if is_plain_name(name) { "is missing" } else { "is not a plain file name in the folder" };
            self.problem(ProblemId::DdpChecksum, format!("{} lists {:?}, which {why}", shown(list), shown(name)));
        }
        found
    }

    /// Checks one MD5 line of the checksum file `list`; the file's path when it exists.
    fn check_md5(&mut self, list: &str, entry: &ChecksumEntry) -> Option<PathBuf> {
        let path = self.resolve_listed(list, &entry.name)?;
        if let Some((md5, _)) = self.hash(&path)
            && md5 != entry.md5
        {
            self.problem(
                ProblemId::DdpChecksum,
                format!(
                    "{}'s MD5 is {md5}, but {} says {}: the file changed or was damaged",
                    entry.name,
                    shown(list),
                    entry.md5
                ),
            );
        }
        Some(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_are_taken() {
        for name in ["IMAGE.DAT", "PQDESCR", "a b", "x..y"] {
            assert!(is_plain_name(name), "{name}");
        }
        for name in ["", ".", "..", "../DDPID", "sub/IMAGE.DAT", "C:IMAGE", "a\\b", "a\0b", "/etc/passwd"] {
            assert!(!is_plain_name(name), "{name:?}");
        }
    }

    #[test]
    fn a_missing_folder_is_an_error_and_an_empty_one_lists_problems() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(read_image(&dir.path().join("absent")), Err(ReadError::Folder { .. })));
        let image = read_image(dir.path()).unwrap();
        let ids: Vec<_> = image.problems.iter().map(|p| p.id).collect();
        assert_eq!(
            ids,
            [ProblemId::DdpStructure, ProblemId::DdpStructure, ProblemId::DdpChecksumMissing],
            "{:?}",
            image.problems
        );
        assert!(image.problems[0].message.contains("DDPID") && image.problems[1].message.contains("DDPMS"));
    }
}
