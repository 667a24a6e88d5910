//! DDP 2.00 images for CD pressing plants: writing one from a [`DiscPlan`], reading one
//! back ([`read_image`]) with every structural problem listed.
//!
//! An image is a folder of flat files:
//!
//! | file | what | written by [`write_image`] as |
//! | --- | --- | --- |
//! | `DDPID` | one 128-byte packet: level `DDP 2.00`, UPC/EAN, master id, disc type `CD` | `DDPID` |
//! | `DDPMS` | the map stream: one 128-byte `VVVM` packet per other stream, naming its file | `DDPMS` |
//! | audio (`D0`) | 16-bit little-endian stereo 44.1 kHz PCM in 2352-byte sectors | `IMAGE.DAT` |
//! | PQ (`S0`, `PQ DESCR`) | 64-byte `VVVS` packets: track, index, absolute time, ISRC, UPC/EAN | `PQDESCR` |
//! | CD-Text (`S0`, `CDTEXT`) | 18-byte CD-Text packs, optional | `CDTEXT.BIN` |
//! | checksums | not part of DDP; what plants' tools check after a transfer | `CHECKSUM.MD5` |
//!
//! The reader takes every stream's file name from `DDPMS` (other tools name the PQ
//! stream `SD` or `DDPPQ`); only `DDPID`, `DDPMS` and `CHECKSUM.MD5` have fixed names.
//!
//! Conventions of the images written, all positions absolute on the disc in sectors (a
//! sector is one CD frame, 1/75 s, 588 stereo samples, 2352 bytes):
//! - `IMAGE.DAT` starts at sector 0 and holds the 2-second pause before track 1 (its
//!   INDEX 00), so byte `n * 2352` is sector `n`. The `D0` packet says so: `DSS` 0,
//!   `PRE2` = that pause.
//! - Each later track has a gap of silence before its INDEX 01, 2 s unless the plan says
//!   otherwise, with INDEX 00 at the gap's start; a gap of 0 means no INDEX 00.
//! - Each track's audio is padded with silence to a whole sector, so every track starts
//!   on a sector.
//! - The ISRC is on each track's first PQ entry (its INDEX 00, or INDEX 01 without a
//!   gap); the UPC/EAN on the lead-in entry (track `00`) and in `DDPID`.
//!
//! Field positions were cross-checked against these public readers and writers (none of
//! their code is used here):
//! - `DDPID` (level 0-7, UPC/EAN 8-20, map stream start 21-28, map stream length 29-36,
//!   media number 37, master id 38-85, book 86, type 87-88, sides and layers 89-92, user
//!   text length 93-94 and text 95-127): suntriprecords/ddpLib (`AbstractDdpIdLoader`,
//!   v20 `DdpIdLoader`), the `ddp-fileset` writer in GarageDeveloper/audio-distillery,
//!   and a TypeScript DDP parser. They disagree on bytes 29-36: ddpLib calls them
//!   reserved, `ddp-fileset` writes the map stream length in bytes. We leave both map
//!   stream fields blank (a fileset on disk has no map stream sector), as two other
//!   writers do.
//! - `DDPMS` (`VVVM` 0-3, type 4-5, pointer 6-13, length 14-21 in sectors for `D0` and
//!   bytes for `S0`, start 22-29, subcode descriptor 30-37, CD mode 38-39, storage mode
//!   40, scrambled 41, pre-gap 1 42-45, pre-gap 2 46-49, post-gap 50-53, media 54, track
//!   55-56, index 57-58, ISRC 59-70, file-name size 71-73, file name 74-90, then new,
//!   pre-gap of the next track, pause, file offset 91-112): ddpLib
//!   (`AbstractMapPacketLoader`, v20 `MapPacketLoader`), XLD's `XLDDDPParser` (its
//!   packed struct), `ddp-fileset`, and the DVD Cutting Master Format table derived from
//!   DDP. XLD reads `DSS` as the disc sector the audio file starts at (blank = 0); we
//!   write 0. Storage mode and scrambling disagree between writers: `ddp-fileset`
//!   writes `0` / `0`, two writers that say they check against cue2ddp/ddpinfo write
//!   `7` (complete 2352-byte sectors) / `1`. We write `7` and `0`: audio is never
//!   scrambled, and a reader that honoured `1` on audio would descramble it into noise.
//!   Those two writers also put track `00` on the CD-Text packet; we do the same.
//!   The design notes call the CD-Text stream `T*`; every reader looked at takes it as
//!   an `S0` stream with descriptor `CDTEXT` (`T0`-`T3` are comment and customer text),
//!   so that is what is written.
//! - `PQDESCR` (`VVVS` 0-3, track 4-5, index 6-7, hours 8-9 unused, minutes 10-11,
//!   seconds 12-13, frames 14-15, control 16-17, reserved 18-19, ISRC 20-31, UPC/EAN
//!   32-44, user text 45-63): ddpLib (`AbstractPqDescriptorLoader`), XLD (`ddppq_s`),
//!   `ddp-fileset`. All agree; all put the ISRC on the track's first entry and the
//!   UPC/EAN once, on the lead-in entry. Control `01`: two-channel audio, no
//!   pre-emphasis, copy not permitted, a normal entry.
//! - CD-Text packs: libburn's doc/cdtext.txt (pack layout, CRC, size information); the
//!   CRC is tested against the size-information packs printed there.
//!
//! Every reading function takes hostile input: lying sizes, truncated files, garbage.
//! None panics, files are read with size limits, and the audio is only ever streamed.

use std::fmt;

mod cdtext;
mod checksum;
mod packets;
mod plan;
mod read;
#[cfg(test)]
mod roundtrip_tests;
pub(crate) mod tracks;
mod write;

pub use cdtext::{CdText, cdtext_crc, decode_cdtext, encode_cdtext};
pub use checksum::{ChecksumEntry, format_md5sum, parse_md5sum};
pub use packets::{DdpId, MapPacket, PqEntry, PqTrack};
pub use plan::{DiscPlan, Layout, Limits, TrackLayout, TrackPlan, TrackStream};
pub use read::{AudioTap, DdpImage, DdpTrack, ReadError, read_image, read_image_with};
pub use write::{ImageWriteError, Written, WrittenFile, write_image};

/// Bytes in one audio sector: 588 stereo samples of 2 bytes each.
pub const SECTOR_BYTES: u64 = 2352;
/// Stereo samples in one sector (44100 / 75).
pub const SAMPLES_PER_SECTOR: u64 = 588;
/// Sectors (CD frames) per second.
pub const SECTORS_PER_SECOND: u64 = 75;
/// The pause before track 1 and the default gap before later tracks: 2 seconds.
pub const DEFAULT_PREGAP: u64 = 2 * SECTORS_PER_SECOND;
/// The most tracks a CD holds.
pub const MAX_TRACKS: usize = 99;
/// The first sector the PQ time fields cannot express (100:00:00).
pub const MSF_LIMIT: u64 = 100 * 60 * SECTORS_PER_SECOND;

/// Whether `path` is a DDP image's folder: a folder holding a `DDPID` file (any case).
pub fn is_image(path: &std::path::Path) -> bool {
    path.is_dir()
        && std::fs::read_dir(path).is_ok_and(|entries| {
            entries.filter_map(Result::ok).take(10_000).any(|e| e.file_name().eq_ignore_ascii_case("DDPID"))
        })
}

/// An absolute or relative CD time: minutes, seconds, and frames of 1/75 s.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Msf {
    /// Whole minutes.
    pub minutes: u64,
    /// Seconds, 0-59.
    pub seconds: u8,
    /// Frames (sectors), 0-74.
    pub frames: u8,
}

impl Msf {
    /// The time of `sectors` sectors.
    pub fn from_sectors(sectors: u64) -> Msf {
        let seconds = sectors / SECTORS_PER_SECOND;
        // Both remainders are below 75 and 60, so they fit a byte.
        Msf { minutes: seconds / 60, seconds: (seconds % 60) as u8, frames: (sectors % SECTORS_PER_SECOND) as u8 }
    }

    /// The number of sectors this time stands for (saturating for absurd minutes).
    pub fn to_sectors(self) -> u64 {
        self.minutes
            .saturating_mul(60 * SECTORS_PER_SECOND)
            .saturating_add(u64::from(self.seconds) * SECTORS_PER_SECOND)
            .saturating_add(u64::from(self.frames))
    }
}

impl serde::Serialize for Msf {
    /// `MM:SS:FF`, as on a PQ sheet.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Display for Msf {
    /// `MM:SS:FF`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}:{:02}", self.minutes, self.seconds, self.frames)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msf_conversion() {
        assert_eq!(Msf::from_sectors(0).to_string(), "00:00:00");
        assert_eq!(Msf::from_sectors(150).to_string(), "00:02:00");
        assert_eq!(Msf::from_sectors(74).to_string(), "00:00:74");
        assert_eq!(Msf::from_sectors(75).to_string(), "00:01:00");
        assert_eq!(Msf::from_sectors(4499).to_string(), "00:59:74");
        assert_eq!(Msf::from_sectors(4500).to_string(), "01:00:00");
        assert_eq!(Msf::from_sectors(359_775).to_string(), "79:57:00");
        assert_eq!(Msf::from_sectors(MSF_LIMIT - 1).to_string(), "99:59:74");
        for sectors in [0, 1, 74, 75, 149, 150, 4499, 4500, 123_456, MSF_LIMIT - 1] {
            assert_eq!(Msf::from_sectors(sectors).to_sectors(), sectors);
        }
        assert_eq!(Msf { minutes: u64::MAX, seconds: 59, frames: 74 }.to_sectors(), u64::MAX);
    }
}
