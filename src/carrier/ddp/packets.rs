//! The three fixed-width ASCII records of a DDP image: `DDPID`, the `DDPMS` map packets
//! and the `PQDESCR` entries. Field positions: see the module documentation of
//! [`super`], which says where each was cross-checked.
//!
//! Every field is ASCII, left-aligned and padded with spaces; numbers are written with
//! leading zeros and read with or without them. A reader also takes NUL bytes as blanks
//! (the DVD variant pads with 00h).

use serde::Serialize;

use super::Msf;
use crate::carrier::{Problem, ProblemId};
use crate::isrc::Catalog;

/// Puts `text` at `at`, at most `width` characters of it; any character but printable
/// ASCII becomes one space, so a value can never break the record.
fn put_text(record: &mut [u8], at: usize, width: usize, text: &str) {
    let Some(slot) = record.get_mut(at..at + width) else { return };
    for (place, c) in slot.iter_mut().zip(text.chars()) {
        *place = if c.is_ascii_graphic() || c == ' ' { c as u8 } else { b' ' };
    }
}

/// Puts `value` at `at` as `width` decimal digits with leading zeros. A value too large
/// for the field (which a checked plan never has) is written as all nines.
fn put_number(record: &mut [u8], at: usize, width: usize, value: u64) {
    let max = 10u64.checked_pow(width as u32).map_or(u64::MAX, |limit| limit - 1);
    debug_assert!(value <= max, "{value} does not fit {width} digits");
    put_text(record, at, width, &format!("{:0width$}", value.min(max)));
}

/// The bytes `at..at + width`, or as many of them as there are.
fn field(record: &[u8], at: usize, width: usize) -> &[u8] {
    let end = (at + width).min(record.len());
    record.get(at.min(end)..end).unwrap_or_default()
}

/// A text field: `None` when blank; bytes other than printable ASCII shown as `?`.
fn text(record: &[u8], at: usize, width: usize) -> Option<String> {
    let value: String = field(record, at, width)
        .iter()
        .map(|&b| match b {
            0 => ' ',
            b if b.is_ascii_graphic() || b == b' ' => char::from(b),
            _ => '?',
        })
        .collect();
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// A decimal field: `Ok(None)` when blank, `Err` with the text when it is not a number.
fn number(record: &[u8], at: usize, width: usize) -> Result<Option<u64>, String> {
    match text(record, at, width) {
        None => Ok(None),
        Some(value) if value.bytes().all(|b| b.is_ascii_digit()) => value.parse().map(Some).map_err(|_| value),
        Some(value) => Err(value),
    }
}

/// The `DDPID` packet: which DDP level the image is, and what disc it describes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DdpId {
    /// The level identifier, bytes 0-7: `DDP 2.00` for the images written here.
    pub level: String,
    /// The release's UPC/EAN as written, bytes 8-20.
    pub upc_ean: Option<String>,
    /// Map stream start, bytes 21-28: blank for a fileset on disk.
    pub map_stream_start: Option<String>,
    /// Bytes 29-36: reserved (ddpLib) or the map stream length (other writers).
    pub map_stream_length: Option<String>,
    /// Media number, byte 37: blank for a single input medium.
    pub media_number: Option<String>,
    /// Master id, bytes 38-85: the plant's or label's identifier for the master.
    pub master_id: Option<String>,
    /// Book specifier, byte 86: blank for a Red Book CD.
    pub book: Option<String>,
    /// Type of disc, bytes 87-88: `CD`.
    pub disc_type: Option<String>,
    /// User text, bytes 95-127 (its length at 93-94): never put on the disc.
    pub user_text: Option<String>,
}

impl DdpId {
    /// The size of the packet.
    pub const LEN: usize = 128;

    /// The packet for a CD with this UPC/EAN and master id.
    pub fn for_cd(catalog: Option<&Catalog>, master_id: Option<&str>) -> DdpId {
        DdpId {
            level: "DDP 2.00".into(),
            upc_ean: catalog.map(|c| c.as_str().to_owned()),
            master_id: master_id.map(str::to_owned),
            disc_type: Some("CD".into()),
            ..DdpId::default()
        }
    }

    /// The 128 bytes.
    pub fn encode(&self) -> [u8; DdpId::LEN] {
        let mut record = [b' '; DdpId::LEN];
        put_text(&mut record, 0, 8, &self.level);
        let optional = [
            (8, 13, &self.upc_ean),
            (21, 8, &self.map_stream_start),
            (29, 8, &self.map_stream_length),
            (37, 1, &self.media_number),
            (38, 48, &self.master_id),
            (86, 1, &self.book),
            (87, 2, &self.disc_type),
        ];
        for (at, width, value) in optional {
            if let Some(value) = value {
                put_text(&mut record, at, width, value);
            }
        }
        if let Some(user_text) = &self.user_text {
            let user_text: String = user_text.chars().take(33).collect();
            put_number(&mut record, 93, 2, user_text.chars().count() as u64);
            put_text(&mut record, 95, 33, &user_text);
        }
        record
    }

    /// Reads a packet (missing bytes count as blanks), with what is wrong in it.
    pub fn decode(bytes: &[u8]) -> (DdpId, Vec<Problem>) {
        let mut problems = Vec::new();
        let user_text = match number(bytes, 93, 2) {
            Ok(Some(length)) => text(bytes, 95, length.min(33) as usize),
            _ => text(bytes, 95, 33),
        };
        let id = DdpId {
            level: text(bytes, 0, 8).unwrap_or_default(),
            upc_ean: text(bytes, 8, 13),
            map_stream_start: text(bytes, 21, 8),
            map_stream_length: text(bytes, 29, 8),
            media_number: text(bytes, 37, 1),
            master_id: text(bytes, 38, 48),
            book: text(bytes, 86, 1),
            disc_type: text(bytes, 87, 2),
            user_text,
        };
        if id.level != "DDP 2.00" {
            problems.push(Problem::new(
                ProblemId::DdpStructure,
                format!("DDPID gives the level {:?}: this reader knows \"DDP 2.00\"", id.level),
            ));
        }
        if id.disc_type.as_deref() != Some("CD") {
            problems.push(Problem::new(
                ProblemId::DdpStructure,
                format!("DDPID gives the disc type {:?}, not \"CD\"", id.disc_type.as_deref().unwrap_or("")),
            ));
        }
        (id, problems)
    }
}

/// One `DDPMS` map packet: a stream of the image and the file that holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MapPacket {
    /// Data stream type, bytes 4-5: `D0` audio, `S0` subcode, `T0`-`T3` text.
    pub stream_type: String,
    /// Data stream pointer, bytes 6-13: blank for a fileset on disk.
    pub pointer: Option<u64>,
    /// Data stream length, bytes 14-21: sectors for `D0`, bytes for `S0`.
    pub length: Option<u64>,
    /// Data stream start, bytes 22-29: the disc sector the stream starts at.
    pub start: Option<u64>,
    /// Subcode descriptor, bytes 30-37: `PQ DESCR` or `CDTEXT` for `S0`.
    pub subcode: Option<String>,
    /// CD mode, bytes 38-39: `DA` for audio.
    pub cd_mode: Option<String>,
    /// Source storage mode, byte 40.
    pub storage_mode: Option<String>,
    /// Source materials scrambled, byte 41: `0` or `1`.
    pub scrambled: Option<String>,
    /// Pre-gap part 1 included in the stream, bytes 42-45, sectors.
    pub pregap1: Option<u64>,
    /// Pre-gap part 2 (the pause) included in the stream, bytes 46-49, sectors.
    pub pregap2: Option<u64>,
    /// Post-gap included in the stream, bytes 50-53, sectors.
    pub postgap: Option<u64>,
    /// Media number, byte 54.
    pub media_number: Option<String>,
    /// Track number, bytes 55-56.
    pub track: Option<String>,
    /// Index number, bytes 57-58.
    pub index: Option<String>,
    /// ISRC, bytes 59-70 (blank in the images written here: the PQ stream has them).
    pub isrc: Option<String>,
    /// Data stream identifier, bytes 74-90 (its size at 71-73): the stream's file name.
    pub file_name: Option<String>,
    /// Starting file offset, bytes 104-112.
    pub file_offset: Option<u64>,
}

impl MapPacket {
    /// The size of a packet.
    pub const LEN: usize = 128;

    /// The 128 bytes.
    pub fn encode(&self) -> [u8; MapPacket::LEN] {
        let mut record = [b' '; MapPacket::LEN];
        put_text(&mut record, 0, 4, "VVVM");
        put_text(&mut record, 4, 2, &self.stream_type);
        let numbers = [
            (6, 8, self.pointer),
            (14, 8, self.length),
            (22, 8, self.start),
            (42, 4, self.pregap1),
            (46, 4, self.pregap2),
            (50, 4, self.postgap),
            (104, 9, self.file_offset),
        ];
        for (at, width, value) in numbers {
            if let Some(value) = value {
                put_number(&mut record, at, width, value);
            }
        }
        let texts = [
            (30, 8, &self.subcode),
            (38, 2, &self.cd_mode),
            (40, 1, &self.storage_mode),
            (41, 1, &self.scrambled),
            (54, 1, &self.media_number),
            (55, 2, &self.track),
            (57, 2, &self.index),
            (59, 12, &self.isrc),
        ];
        for (at, width, value) in texts {
            if let Some(value) = value {
                put_text(&mut record, at, width, value);
            }
        }
        if let Some(name) = &self.file_name {
            // Every reader and writer looked at uses the full 17 bytes, name space-padded.
            put_number(&mut record, 71, 3, 17);
            put_text(&mut record, 74, 17, name);
        }
        record
    }

    /// Reads packet number `n` (from 1, for messages) of the map stream.
    ///
    /// A packet without the `VVVM` mark is an error; a malformed number is a problem
    /// and reads as blank.
    pub fn decode(record: &[u8], n: usize) -> Result<(MapPacket, Vec<Problem>), Problem> {
        if record.len() < MapPacket::LEN {
            let message = format!("DDPMS packet {n} has {} bytes, not {}", record.len(), MapPacket::LEN);
            return Err(Problem::new(ProblemId::DdpStructure, message));
        }
        if field(record, 0, 4) != b"VVVM" {
            return Err(Problem::new(ProblemId::DdpStructure, format!("DDPMS packet {n} does not start with VVVM")));
        }
        let mut problems = Vec::new();
        let mut number_at = |at, width, name: &str| {
            number(record, at, width).unwrap_or_else(|value| {
                problems.push(Problem::new(
                    ProblemId::DdpStructure,
                    format!("DDPMS packet {n}: {name} {value:?} is not a number"),
                ));
                None
            })
        };
        let pointer = number_at(6, 8, "data stream pointer");
        let length = number_at(14, 8, "data stream length");
        let start = number_at(22, 8, "data stream start");
        let pregap1 = number_at(42, 4, "pre-gap 1");
        let pregap2 = number_at(46, 4, "pre-gap 2");
        let postgap = number_at(50, 4, "post-gap");
        let file_offset = number_at(104, 9, "starting file offset");
        let name_size = number_at(71, 3, "data stream identifier size");
        let file_name = text(record, 74, name_size.map_or(17, |size| size.min(17) as usize));
        let packet = MapPacket {
            stream_type: text(record, 4, 2).unwrap_or_default(),
            pointer,
            length,
            start,
            subcode: text(record, 30, 8),
            cd_mode: text(record, 38, 2),
            storage_mode: text(record, 40, 1),
            scrambled: text(record, 41, 1),
            pregap1,
            pregap2,
            postgap,
            media_number: text(record, 54, 1),
            track: text(record, 55, 2),
            index: text(record, 57, 2),
            isrc: text(record, 59, 12),
            file_name,
            file_offset,
        };
        Ok((packet, problems))
    }
}

/// The track field of a PQ entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum PqTrack {
    /// `00`: the lead-in, which carries the UPC/EAN.
    LeadIn,
    /// `01`-`99`.
    Track(u8),
    /// `AA`: the lead-out.
    LeadOut,
}

impl PqTrack {
    fn code(self) -> String {
        match self {
            PqTrack::LeadIn => "00".into(),
            PqTrack::Track(n) => format!("{n:02}"),
            PqTrack::LeadOut => "AA".into(),
        }
    }
}

/// One `PQDESCR` entry: where a track's index starts, and the codes that go with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PqEntry {
    /// Lead-in, track or lead-out (bytes 4-5).
    pub track: PqTrack,
    /// Index number, bytes 6-7: 0 for a gap, 1 for the start of the audio.
    pub index: u8,
    /// Absolute time on the disc, bytes 10-15 (`mm ss ff`; hours at 8-9 are added in).
    pub time: Msf,
    /// Control byte 1, bytes 16-17: `01` for plain two-channel audio.
    pub control: Option<String>,
    /// ISRC as written, bytes 20-31: on each track's first entry.
    pub isrc: Option<String>,
    /// UPC/EAN as written, bytes 32-44: once, on the lead-in entry.
    pub upc_ean: Option<String>,
    /// User text, bytes 45-63: never put on the disc.
    pub user_text: Option<String>,
}

impl PqEntry {
    /// The size of an entry.
    pub const LEN: usize = 64;

    /// An entry with control `01` and no codes.
    pub fn new(track: PqTrack, index: u8, time: Msf) -> PqEntry {
        PqEntry { track, index, time, control: Some("01".into()), isrc: None, upc_ean: None, user_text: None }
    }

    /// The 64 bytes.
    pub fn encode(&self) -> [u8; PqEntry::LEN] {
        let mut record = [b' '; PqEntry::LEN];
        put_text(&mut record, 0, 4, "VVVS");
        put_text(&mut record, 4, 2, &self.track.code());
        put_number(&mut record, 6, 2, u64::from(self.index));
        put_number(&mut record, 10, 2, self.time.minutes);
        put_number(&mut record, 12, 2, u64::from(self.time.seconds));
        put_number(&mut record, 14, 2, u64::from(self.time.frames));
        let texts = [(16, 2, &self.control), (20, 12, &self.isrc), (32, 13, &self.upc_ean), (45, 19, &self.user_text)];
        for (at, width, value) in texts {
            if let Some(value) = value {
                put_text(&mut record, at, width, value);
            }
        }
        record
    }

    /// Reads entry number `n` (from 1, for messages) of the PQ stream.
    pub fn decode(record: &[u8], n: usize) -> Result<PqEntry, Problem> {
        let wrong = |what: String| Problem::new(ProblemId::DdpStructure, format!("PQ entry {n}: {what}"));
        if record.len() < PqEntry::LEN {
            return Err(wrong(format!("has {} bytes, not {}", record.len(), PqEntry::LEN)));
        }
        if field(record, 0, 4) != b"VVVS" {
            return Err(wrong("does not start with VVVS".into()));
        }
        let track = match text(record, 4, 2).as_deref() {
            Some("00") => PqTrack::LeadIn,
            Some("AA") => PqTrack::LeadOut,
            Some(t) if t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit()) => {
                PqTrack::Track(t.parse().map_err(|_| wrong(format!("track {t:?}")))?)
            }
            other => return Err(wrong(format!("track {:?} is not 00-99 or AA", other.unwrap_or("")))),
        };
        let two_digits = |at, name: &str| match number(record, at, 2) {
            Ok(Some(value)) => Ok(value),
            Ok(None) => Err(wrong(format!("{name} is blank"))),
            Err(value) => Err(wrong(format!("{name} {value:?} is not a number"))),
        };
        let index = two_digits(6, "index")?;
        let hours = number(record, 8, 2).ok().flatten().unwrap_or(0);
        let minutes = two_digits(10, "minutes")?;
        let seconds = two_digits(12, "seconds")?;
        let frames = two_digits(14, "frames")?;
        if seconds >= 60 || frames >= 75 {
            return Err(wrong(format!(
                "time {minutes:02}:{seconds:02}:{frames:02} has seconds over 59 or frames over 74"
            )));
        }
        Ok(PqEntry {
            track,
            index: index as u8,
            // Both checked above to fit a byte.
            time: Msf { minutes: hours * 60 + minutes, seconds: seconds as u8, frames: frames as u8 },
            control: text(record, 16, 2),
            isrc: text(record, 20, 12),
            upc_ean: text(record, 32, 13),
            user_text: text(record, 45, 19),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(record: &[u8], at: usize, width: usize) -> &str {
        std::str::from_utf8(&record[at..at + width]).unwrap()
    }

    #[test]
    fn ddpid_fields_are_where_the_readers_look() {
        let catalog = Catalog::parse("4006381333931").unwrap();
        let record = DdpId::for_cd(Some(&catalog), Some("FIXTURE-001")).encode();
        assert_eq!(at(&record, 0, 8), "DDP 2.00");
        assert_eq!(at(&record, 8, 13), "4006381333931");
        assert_eq!(at(&record, 21, 17), " ".repeat(17), "map stream start and length blank");
        assert_eq!(at(&record, 38, 48).trim_end(), "FIXTURE-001");
        assert_eq!(at(&record, 87, 2), "CD");
        assert!(record.iter().all(|&b| b.is_ascii_graphic() || b == b' '));
        let (back, problems) = DdpId::decode(&record);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(back, DdpId::for_cd(Some(&catalog), Some("FIXTURE-001")));
    }

    #[test]
    fn ddpid_user_text_and_levels() {
        let id = DdpId { user_text: Some("made by isrc-stamp".into()), ..DdpId::for_cd(None, None) };
        let record = id.encode();
        assert_eq!(at(&record, 93, 2), "18");
        assert_eq!(DdpId::decode(&record).0, id);
        let mut old = record;
        old[..8].copy_from_slice(b"DDP 1.01");
        old[87..89].copy_from_slice(b"DV");
        let (_, problems) = DdpId::decode(&old);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].message.contains("DDP 1.01"));
        assert!(problems[1].message.contains("DV"));
        let (short, problems) = DdpId::decode(b"DDP 2.00");
        assert_eq!(short.level, "DDP 2.00");
        assert_eq!(problems.len(), 1, "no disc type: {problems:?}");
    }

    #[test]
    fn map_packet_fields_are_where_the_readers_look() {
        let packet = MapPacket {
            stream_type: "D0".into(),
            length: Some(31_234),
            start: Some(0),
            cd_mode: Some("DA".into()),
            storage_mode: Some("7".into()),
            scrambled: Some("0".into()),
            pregap2: Some(150),
            file_name: Some("IMAGE.DAT".into()),
            ..MapPacket::default()
        };
        let record = packet.encode();
        assert_eq!(at(&record, 0, 6), "VVVMD0");
        assert_eq!(at(&record, 6, 8), "        ");
        assert_eq!(at(&record, 14, 8), "00031234");
        assert_eq!(at(&record, 22, 8), "00000000");
        assert_eq!(at(&record, 38, 4), "DA70");
        assert_eq!(at(&record, 46, 4), "0150");
        assert_eq!(at(&record, 71, 3), "017");
        assert_eq!(at(&record, 74, 17), "IMAGE.DAT        ");
        assert_eq!(at(&record, 91, 37), " ".repeat(37));
        assert_eq!(MapPacket::decode(&record, 1), Ok((packet, vec![])));

        let pq = MapPacket {
            stream_type: "S0".into(),
            length: Some(640),
            subcode: Some("PQ DESCR".into()),
            file_name: Some("PQDESCR".into()),
            ..MapPacket::default()
        };
        let record = pq.encode();
        assert_eq!(at(&record, 30, 8), "PQ DESCR");
        assert_eq!(at(&record, 14, 8), "00000640");
        assert_eq!(MapPacket::decode(&record, 2).unwrap().0, pq);
    }

    #[test]
    fn map_packets_from_other_writers_are_read() {
        // Space-padded numbers, a short identifier size, NUL padding.
        let mut record = [b' '; 128];
        record[..6].copy_from_slice(b"VVVMD0");
        record[14..22].copy_from_slice(b"   31234");
        record[46..50].copy_from_slice(b" 150");
        record[71..74].copy_from_slice(b" 09");
        record[74..91].copy_from_slice(b"AUDIO.IMGxxxxxxxx");
        record[91..].fill(0);
        let (packet, problems) = MapPacket::decode(&record, 1).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!((packet.length, packet.pregap2, packet.start), (Some(31_234), Some(150), None));
        assert_eq!(packet.file_name.as_deref(), Some("AUDIO.IMG"));

        record[14..22].copy_from_slice(b"12x45678");
        let (packet, problems) = MapPacket::decode(&record, 3).unwrap();
        assert_eq!(packet.length, None);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("packet 3: data stream length \"12x45678\""), "{problems:?}");

        record[..4].copy_from_slice(b"XXXM");
        assert!(MapPacket::decode(&record, 4).unwrap_err().message.contains("packet 4 does not start with VVVM"));
        assert!(MapPacket::decode(b"VVVM", 5).unwrap_err().message.contains("has 4 bytes"));
    }

    #[test]
    fn pq_entry_fields_are_where_the_readers_look() {
        let entry = PqEntry {
            isrc: Some("USPR37300012".into()),
            ..PqEntry::new(PqTrack::Track(7), 0, Msf::from_sectors(4500 * 12 + 75 * 34 + 56))
        };
        let record = entry.encode();
        assert_eq!(at(&record, 0, 8), "VVVS0700");
        assert_eq!(at(&record, 8, 2), "  ", "hours unused");
        assert_eq!(at(&record, 10, 6), "123456");
        assert_eq!(at(&record, 16, 4), "01  ");
        assert_eq!(at(&record, 20, 12), "USPR37300012");
        assert_eq!(at(&record, 32, 32), " ".repeat(32));
        assert_eq!(PqEntry::decode(&record, 1), Ok(entry));

        let lead_in =
            PqEntry { upc_ean: Some("4006381333931".into()), ..PqEntry::new(PqTrack::LeadIn, 0, Msf::default()) };
        let record = lead_in.encode();
        assert_eq!(at(&record, 4, 12), "0000  000000");
        assert_eq!(at(&record, 32, 13), "4006381333931");
        assert_eq!(PqEntry::decode(&record, 1), Ok(lead_in));
        let lead_out = PqEntry::new(PqTrack::LeadOut, 1, Msf::from_sectors(359_775));
        assert_eq!(at(&lead_out.encode(), 4, 12), "AA01  795700");
        assert_eq!(PqEntry::decode(&lead_out.encode(), 1), Ok(lead_out));
    }

    #[test]
    fn malformed_pq_entries_are_problems() {
        let good = PqEntry::new(PqTrack::Track(1), 1, Msf::from_sectors(150)).encode();
        let cases: [(usize, &[u8], &str); 6] = [
            (0, b"VVVX", "VVVS"),
            (4, b"A1", "track \"A1\""),
            (6, b"  ", "index is blank"),
            (12, b"60", "seconds over 59"),
            (14, b"75", "frames over 74"),
            (10, b"-1", "minutes \"-1\""),
        ];
        for (offset, bytes, message) in cases {
            let mut record = good;
            record[offset..offset + bytes.len()].copy_from_slice(bytes);
            let problem = PqEntry::decode(&record, 9).unwrap_err();
            assert!(problem.message.contains(message) && problem.message.contains("entry 9"), "{problem:?}");
        }
        assert!(PqEntry::decode(&good[..63], 1).unwrap_err().message.contains("has 63 bytes, not 64"));
    }

    #[test]
    fn values_that_would_break_a_record_are_blanked() {
        let id = DdpId::for_cd(None, Some("a\u{e9}b\nc"));
        let record = id.encode();
        assert!(record.iter().all(|&b| b.is_ascii_graphic() || b == b' '));
        assert_eq!(at(&record, 38, 6), "a b c ", "the e-acute and the line break");
    }
}
