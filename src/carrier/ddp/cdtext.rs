//! CD-Text as a DDP image carries it (`CDTEXT.BIN`): the raw 18-byte packs of the
//! lead-in, as described in libburn's doc/cdtext.txt.
//!
//! A pack is a 4-byte header (pack type; track number of the first text piece, 0 for
//! the album; sequence number; double-byte flag, block and character position), 12
//! bytes of payload and a CRC-16 (polynomial 0x11021, stored inverted, big-endian).
//! Texts are NUL-terminated and run on from pack to pack of the same type.
//!
//! What is written: block 0 only, ISO 8859-1, language English; pack types 0x80
//! (titles) and 0x81 (performers), each with one text for the album and one per track
//! when any of them is given; 0x8E, the UPC/EAN of the album (as track 0's text) and
//! each track's ISRC, in ASCII, when any is given; then the three 0x8F size-information
//! packs. A track text
//! equal to the previous track's is written as a TAB (the format's shortcut) only when
//! the block would otherwise pass its 253 text packs. A character outside ISO 8859-1,
//! or a control character, is a problem rather than a silent substitution: it would be
//! pressed into every copy.
//!
//! What is read: block 0's titles, performers and codes (0x8E), in ISO 8859-1 or ASCII;
//! other blocks (languages) and types are skipped, double-byte text is reported and
//! skipped.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::carrier::{Problem, ProblemId};

/// Bytes in one pack.
pub const PACK_LEN: usize = 18;
/// Payload bytes in one pack.
const PAYLOAD: usize = 12;
/// Text packs one block may hold (256 sequence numbers, less the 3 size packs).
const MAX_TEXT_PACKS: usize = 253;
/// The most packs a lead-in holds: 8 blocks of 256.
const MAX_PACKS: usize = 8 * 256;
/// Pack type of titles.
const TITLE: u8 = 0x80;
/// Pack type of performers.
const PERFORMER: u8 = 0x81;
/// Pack type of the UPC/EAN (track 0) and the ISRCs (tracks).
const CODES: u8 = 0x8E;
/// Pack type of the size information.
const SIZE_INFO: u8 = 0x8F;
/// Character code of ISO 8859-1 in the size information.
const LATIN_1: u8 = 0x00;
/// Character code of 7-bit ASCII.
const ASCII: u8 = 0x01;
/// Language code of English (EBU Tech 3264).
const ENGLISH: u8 = 0x09;
/// The "same as the previous track" shortcut.
const TAB: u8 = 0x09;

/// The CD-Text of a disc: titles, performers and codes by track, track 0 being the album.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CdText {
    /// Titles (pack type 0x80).
    pub titles: BTreeMap<u8, String>,
    /// Performers (pack type 0x81).
    pub performers: BTreeMap<u8, String>,
    /// The album's UPC/EAN (track 0) and the tracks' ISRCs (pack type 0x8E).
    pub codes: BTreeMap<u8, String>,
}

impl CdText {
    /// Whether there is no text at all, codes included.
    pub fn is_empty(&self) -> bool {
        self.titles.is_empty() && self.performers.is_empty() && self.codes.is_empty()
    }

    /// Whether there is no title and no performer: nothing a player would show.
    pub fn has_no_names(&self) -> bool {
        self.titles.is_empty() && self.performers.is_empty()
    }
}

/// The CRC field of a pack whose first 16 bytes are `data`: CRC-16 with polynomial
/// 0x11021 and initial value 0, inverted (as libburn's doc/cdtext.txt describes).
pub fn cdtext_crc(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &byte in data {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        }
    }
    !crc
}

/// A pack before its sequence number and CRC are known.
struct Draft {
    kind: u8,
    track: u8,
    position: u8,
    payload: [u8; PAYLOAD],
}

/// The packs of one pack type: the texts (track 0 first) NUL-terminated, back to back.
fn drafts(kind: u8, texts: &[Vec<u8>]) -> Vec<Draft> {
    let mut drafts = Vec::new();
    let mut current: Option<(Draft, usize)> = None;
    for (track, text) in texts.iter().enumerate() {
        let track = u8::try_from(track).unwrap_or(u8::MAX);
        for (offset, &byte) in text.iter().chain(std::iter::once(&0)).enumerate() {
            let (draft, filled) = current.get_or_insert_with(|| {
                let position = offset.min(15) as u8;
                (Draft { kind, track, position, payload: [0; PAYLOAD] }, 0)
            });
            draft.payload[*filled] = byte;
            *filled += 1;
            if *filled == PAYLOAD
                && let Some((draft, _)) = current.take()
            {
                drafts.push(draft);
            }
        }
    }
    drafts.extend(current.map(|(draft, _)| draft));
    drafts
}

/// `text` in ISO 8859-1, or why it cannot be.
fn latin_1(text: &str, what: &str) -> Result<Vec<u8>, Problem> {
    text.chars()
        .map(|c| match u8::try_from(u32::from(c)) {
            Ok(byte) if !c.is_control() => Ok(byte),
            _ => Err(Problem::new(
                ProblemId::CdtextCharset,
                format!(
                    "the {what} {text:?} has {c:?}, which CD-Text (ISO 8859-1, no control characters) cannot hold; \
                     transliterate it"
                ),
            )),
        })
        .collect()
}

/// A code (UPC/EAN or ISRC) as pack type 0x8E holds it: printable ASCII, or why not.
fn ascii_code(code: &str, what: &str) -> Result<Vec<u8>, Problem> {
    if code.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(code.as_bytes().to_vec())
    } else {
        Err(Problem::new(ProblemId::CdtextCharset, format!("the {what} {code:?} is not printable ASCII")))
    }
}

/// The CD-Text packs for `text` on a disc whose last track is `last_track`; `None` when
/// there is no text. Texts for tracks past `last_track` are left out. Every character
/// that cannot be written and a block that does not fit are problems.
pub fn encode_cdtext(text: &CdText, last_track: u8) -> Result<Option<Vec<u8>>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut kinds = Vec::new();
    let kinds_given =
        [(TITLE, &text.titles, "title"), (PERFORMER, &text.performers, "performer"), (CODES, &text.codes, "code")];
    for (kind, map, what) in kinds_given {
        if !map.keys().any(|&track| track <= last_track) {
            continue;
        }
        let mut texts = Vec::new();
        for track in 0..=last_track {
            let scope = match (track, kind) {
                (0, CODES) => "UPC/EAN".to_owned(),
                (_, CODES) => format!("track {track} ISRC"),
                (0, _) => format!("album {what}"),
                _ => format!("track {track} {what}"),
            };
            let value = map.get(&track).map_or("", String::as_str);
            let encoded = if kind == CODES { ascii_code(value, &scope) } else { latin_1(value, &scope) };
            match encoded {
                Ok(bytes) => texts.push(bytes),
                Err(problem) => problems.push(problem),
            }
        }
        kinds.push((kind, texts));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if kinds.is_empty() {
        return Ok(None);
    }
    let build = |shortcut: bool| -> Vec<Draft> {
        kinds
            .iter()
            .flat_map(|(kind, texts)| {
                let texts: Vec<Vec<u8>> = texts
                    .iter()
                    .enumerate()
                    .map(|(i, t)| {
                        let repeat = shortcut && i >= 2 && !t.is_empty() && texts.get(i - 1) == Some(t);
                        if repeat { vec![TAB] } else { t.clone() }
                    })
                    .collect();
                drafts(*kind, &texts)
            })
            .collect()
    };
    let mut packs = build(false);
    if packs.len() > MAX_TEXT_PACKS {
        packs = build(true);
    }
    if packs.len() > MAX_TEXT_PACKS {
        return Err(vec![Problem::new(
            ProblemId::CdtextSize,
            format!(
                "the CD-Text needs {} packs; one block holds {MAX_TEXT_PACKS}. Shorten titles or performers",
                packs.len()
            ),
        )]);
    }

    let mut info = [0u8; 3 * PAYLOAD];
    info[0] = LATIN_1;
    info[1] = 1;
    info[2] = last_track;
    for pack in &packs {
        info[4 + usize::from(pack.kind - TITLE)] += 1;
    }
    info[4 + usize::from(SIZE_INFO - TITLE)] = 3;
    // At most 253 text packs and 3 size packs: the last sequence number fits a byte.
    info[20] = (packs.len() + 2) as u8;
    info[28] = ENGLISH;
    for (part, chunk) in info.chunks(PAYLOAD).enumerate() {
        let mut payload = [0u8; PAYLOAD];
        payload.copy_from_slice(chunk);
        packs.push(Draft { kind: SIZE_INFO, track: part as u8, position: 0, payload });
    }

    let mut bytes = Vec::with_capacity(packs.len() * PACK_LEN);
    for (sequence, draft) in packs.iter().enumerate() {
        let mut pack = [0u8; PACK_LEN];
        pack[0] = draft.kind;
        pack[1] = draft.track;
        pack[2] = sequence as u8;
        pack[3] = draft.position & 0x0F; // single-byte characters, block 0
        pack[4..16].copy_from_slice(&draft.payload);
        let crc = cdtext_crc(&pack[..16]);
        pack[16..].copy_from_slice(&crc.to_be_bytes());
        bytes.extend_from_slice(&pack);
    }
    Ok(Some(bytes))
}

/// Reads CD-Text packs: block 0's titles and performers, with everything wrong in them
/// (bad CRCs, sequence gaps, a missing size information, unsupported encodings).
///
/// A 4-byte header before the packs (as CD-Text files of CD burning tools have) is
/// skipped; at most 2048 packs are read.
pub fn decode_cdtext(bytes: &[u8]) -> (CdText, Vec<Problem>) {
    let mut problems = Vec::new();
    let problem = |message: String| Problem::new(ProblemId::DdpCdtext, message);
    let bytes = if bytes.len() % PACK_LEN == 4 { bytes.get(4..).unwrap_or_default() } else { bytes };
    if bytes.len() % PACK_LEN != 0 {
        problems.push(problem(format!(
            "the CD-Text file ends in {} bytes that are not a whole 18-byte pack",
            bytes.len() % PACK_LEN
        )));
    }
    let mut packs: Vec<&[u8]> = bytes.chunks_exact(PACK_LEN).collect();
    if packs.len() > MAX_PACKS {
        problems.push(problem(format!("{} CD-Text packs; a lead-in holds at most {MAX_PACKS}", packs.len())));
        packs.truncate(MAX_PACKS);
    }

    let mut bad_crc = Vec::new();
    let mut texts: BTreeMap<u8, (u8, Vec<u8>)> = BTreeMap::new();
    let mut info = [None::<[u8; PAYLOAD]>; 3];
    let mut expected_sequence = None;
    let mut double_byte = false;
    let mut sequence_reported = false;
    for (i, pack) in packs.iter().enumerate() {
        let stored = u16::from_be_bytes([pack[16], pack[17]]);
        if stored != cdtext_crc(&pack[..16]) {
            bad_crc.push(i + 1);
            expected_sequence = None; // the skipped pack's number is not known
            continue;
        }
        let (kind, track, sequence, flags) = (pack[0], pack[1], pack[2], pack[3]);
        if (flags >> 4) & 0x07 != 0 {
            continue; // another language block
        }
        if expected_sequence.is_some_and(|expected| expected != sequence) && !sequence_reported {
            problems.push(problem(format!("CD-Text pack {} has sequence number {sequence}, not the next one", i + 1)));
            sequence_reported = true;
        }
        expected_sequence = Some(sequence.wrapping_add(1));
        let mut payload = [0u8; PAYLOAD];
        payload.copy_from_slice(&pack[4..16]);
        match kind {
            SIZE_INFO => {
                if let Some(slot) = info.get_mut(usize::from(track)) {
                    *slot = Some(payload);
                }
            }
            TITLE | PERFORMER | CODES if flags & 0x80 != 0 => double_byte = true,
            TITLE | PERFORMER | CODES => {
                texts.entry(kind).or_insert_with(|| (track, Vec::new())).1.extend_from_slice(&payload)
            }
            _ => {}
        }
    }
    if let Some(first) = bad_crc.first() {
        problems.push(problem(format!(
            "{} CD-Text pack(s) fail their CRC (the first is pack {first}); they were skipped",
            bad_crc.len()
        )));
    }
    if double_byte {
        problems.push(problem("double-byte CD-Text is not supported; it was skipped".into()));
    }

    let (code, last_track) = match info {
        [Some(first), _, _] => (first[0], first[2]),
        _ => {
            if !packs.is_empty() {
                problems.push(problem("the CD-Text has no size information (pack type 0x8F, part 0)".into()));
            }
            (LATIN_1, 99)
        }
    };
    let decode_byte: fn(u8) -> char = match code {
        LATIN_1 => |b: u8| char::from(b),
        ASCII => |b: u8| if b.is_ascii() { char::from(b) } else { '?' },
        other => {
            problems.push(problem(format!(
                "CD-Text character code {other:#04x} is not supported (only ISO 8859-1 and ASCII)"
            )));
            return (CdText::default(), problems);
        }
    };

    let mut text = CdText::default();
    for (kind, (first_track, payload)) in texts {
        let map = match kind {
            TITLE => &mut text.titles,
            PERFORMER => &mut text.performers,
            _ => &mut text.codes,
        };
        let mut previous: Option<String> = None;
        let mut track = first_track;
        for piece in payload.split(|&b| b == 0) {
            if track > last_track {
                break;
            }
            let value = if piece == [TAB] {
                previous.clone().unwrap_or_default()
            } else {
                piece.iter().map(|&b| decode_byte(b)).collect()
            };
            if !value.is_empty() {
                map.insert(track, value.clone());
            }
            previous = Some(value);
            track = track.saturating_add(1);
            if track == u8::MAX {
                break;
            }
        }
    }
    (text, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(text: &str) -> Vec<u8> {
        text.split_whitespace().map(|b| u8::from_str_radix(b, 16).unwrap()).collect()
    }

    /// Packs printed in libburn's doc/cdtext.txt: three size-information packs, a TOC
    /// pack (0x88) and a second-TOC pack (0x89), each ending in its CRC.
    const LIBBURN_PACKS: [&str; 5] = [
        "8f 00 2a 00 01 01 03 00 06 05 04 05 07 06 01 02 48 65",
        "8f 01 2b 00 00 00 00 00 00 00 06 03 2c 00 00 00 c0 20",
        "8f 02 2c 00 00 00 00 00 09 00 00 00 00 00 00 00 11 45",
        "88 00 23 00 01 0e 00 3f 02 12 00 00 00 00 00 00 12 00",
        "89 01 28 00 01 04 00 00 00 00 02 29 30 02 34 3a f3 0c",
    ];

    #[test]
    fn the_crc_matches_libburns_sample_packs() {
        for pack in LIBBURN_PACKS {
            let pack = hex(pack);
            assert_eq!(cdtext_crc(&pack[..16]).to_be_bytes(), [pack[16], pack[17]], "{pack:02x?}");
        }
        // Without the inversion this would be CRC-16/XMODEM, whose check value is 0x31C3.
        assert_eq!(!cdtext_crc(b"123456789"), 0x31C3);
    }

    fn album() -> CdText {
        let mut text = CdText::default();
        text.titles.insert(0, "Fixture Harbour".into());
        text.titles.insert(1, "First Light".into());
        text.titles.insert(2, "\u{c9}l\u{e9}phant".into());
        text.performers.insert(0, "Fixture Ensemble".into());
        text
    }

    #[test]
    fn packs_are_laid_out_as_libburn_describes() {
        let bytes = encode_cdtext(&album(), 2).unwrap().unwrap();
        let packs: Vec<&[u8]> = bytes.chunks(PACK_LEN).collect();
        assert_eq!(bytes.len() % PACK_LEN, 0);
        // Titles: "Fixture Harbour\0First Light\0Éléphant\0" is 37 bytes: 4 packs.
        // Performers: "Fixture Ensemble\0\0\0" is 19 bytes: 2 packs. Then 3 size packs.
        assert_eq!(packs.len(), 9);
        assert_eq!(&packs[0][..4], [0x80, 0, 0, 0]);
        assert_eq!(&packs[0][4..16], b"Fixture Harb");
        assert_eq!(&packs[1][..4], [0x80, 0, 1, 12], "continues the album title at character 12");
        assert_eq!(&packs[1][4..16], b"our\0First Li");
        assert_eq!(&packs[2][..4], [0x80, 1, 2, 8], "track 1's title, 8 characters in");
        assert_eq!(&packs[2][4..16], [b'g', b'h', b't', 0, 0xC9, b'l', 0xE9, b'p', b'h', b'a', b'n', b't'], "Latin-1");
        assert_eq!(&packs[3][..4], [0x80, 2, 3, 8], "only the NUL of track 2's title is left");
        assert_eq!(packs[3][4..16], [0; 12]);
        assert_eq!(&packs[4][..4], [0x81, 0, 4, 0]);
        assert_eq!(&packs[5][..4], [0x81, 0, 5, 12]);
        assert_eq!(&packs[5][4..16], [b'm', b'b', b'l', b'e', 0, 0, 0, 0, 0, 0, 0, 0], "empty track performers");
        for (i, pack) in packs.iter().enumerate() {
            assert_eq!(usize::from(pack[2]), i, "sequence numbers run on");
            assert_eq!(cdtext_crc(&pack[..16]).to_be_bytes(), [pack[16], pack[17]]);
        }
        let info: Vec<u8> = packs[6..].iter().flat_map(|p| p[4..16].to_vec()).collect();
        assert_eq!(packs[6..].iter().map(|p| (p[0], p[1])).collect::<Vec<_>>(), [(0x8f, 0), (0x8f, 1), (0x8f, 2)]);
        assert_eq!(&info[..4], [LATIN_1, 1, 2, 0]);
        assert_eq!(&info[4..20], [4, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3], "packs per type");
        assert_eq!(info[20], 8, "last sequence number");
        assert_eq!(info[28], ENGLISH);
    }

    #[test]
    fn written_text_reads_back() {
        let bytes = encode_cdtext(&album(), 2).unwrap().unwrap();
        let (text, problems) = decode_cdtext(&bytes);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(text, album());
        assert_eq!(encode_cdtext(&CdText::default(), 5), Ok(None));
    }

    #[test]
    fn the_upc_and_isrcs_go_in_pack_type_0x8e() {
        let mut text = album();
        text.codes.insert(0, "4006381333931".into());
        text.codes.insert(1, "QZTST2600001".into());
        text.codes.insert(2, "QZTST2600002".into());
        let bytes = encode_cdtext(&text, 2).unwrap().unwrap();
        let packs: Vec<&[u8]> = bytes.chunks(PACK_LEN).collect();
        let codes: Vec<&[u8]> = packs.iter().copied().filter(|p| p[0] == CODES).collect();
        // "4006381333931\0QZTST2600001\0QZTST2600002\0" is 40 bytes: 4 packs.
        assert_eq!(codes.len(), 4);
        assert_eq!(&codes[0][..4], [CODES, 0, 6, 0], "after the 4 title and 2 performer packs");
        assert_eq!(&codes[0][4..16], b"400638133393");
        assert_eq!(&codes[1][..4], [CODES, 0, 7, 12], "the UPC/EAN runs on");
        assert_eq!(&codes[1][4..16], b"1\0QZTST26000");
        assert_eq!(&codes[2][..4], [CODES, 1, 8, 10], "track 1's ISRC, 10 characters in");
        assert_eq!(&codes[3][..4], [CODES, 2, 9, 9], "track 2's, 9 characters in");
        let info: Vec<u8> = packs[packs.len() - 3..].iter().flat_map(|p| p[4..16].to_vec()).collect();
        assert_eq!(info[4 + 14], 4, "packs of type 0x8E counted");
        assert_eq!(info[20], 12, "last sequence number");
        let (back, problems) = decode_cdtext(&bytes);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(back, text);
        assert!(!back.has_no_names());

        let mut bad = CdText::default();
        bad.codes.insert(1, "QZ TST".into());
        assert_eq!(encode_cdtext(&bad, 1).unwrap_err()[0].id, ProblemId::CdtextCharset);
    }

    #[test]
    fn repeated_texts_use_the_tab_shortcut_only_when_needed() {
        let mut text = CdText::default();
        for track in 0..=99 {
            text.performers.insert(track, "The Fixture Ensemble and Friends".into());
        }
        let bytes = encode_cdtext(&text, 99).unwrap().unwrap();
        let packs = bytes.len() / PACK_LEN;
        assert!(packs < 40, "{packs} packs: the TAB shortcut was used");
        assert!(bytes.windows(3).any(|w| w == [0, TAB, 0]));
        let (back, problems) = decode_cdtext(&bytes);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(back, text);

        let mut few = CdText::default();
        for track in 0..=3 {
            few.performers.insert(track, "Same".into());
        }
        let bytes = encode_cdtext(&few, 3).unwrap().unwrap();
        let spelled_out = bytes.chunks(PACK_LEN).filter(|p| p[0] == PERFORMER).all(|p| !p[4..16].contains(&TAB));
        assert!(spelled_out, "small blocks spell every text out");

        let mut long = CdText::default();
        for track in 0..=99 {
            long.titles.insert(track, format!("A title long enough to fill packs, number {track}"));
        }
        let problems = encode_cdtext(&long, 99).unwrap_err();
        assert_eq!(problems[0].id, ProblemId::CdtextSize);
    }

    #[test]
    fn characters_cdtext_cannot_hold_are_problems() {
        let mut text = album();
        text.titles.insert(1, "Caf\u{e9} \u{2014} live".into());
        text.performers.insert(2, "tab\there".into());
        let problems = encode_cdtext(&text, 2).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().all(|p| p.id == ProblemId::CdtextCharset));
        assert!(problems[0].message.contains("track 1 title") && problems[0].message.contains("'\u{2014}'"));
        assert!(problems[1].message.contains("track 2 performer"));
    }

    #[test]
    fn damaged_text_is_reported_not_trusted() {
        let bytes = encode_cdtext(&album(), 2).unwrap().unwrap();
        let mut flipped = bytes.clone();
        flipped[4 + PACK_LEN] ^= 0x20; // a letter of the album title, in pack 2
        let (text, problems) = decode_cdtext(&flipped);
        assert!(problems[0].message.contains("fail their CRC (the first is pack 2)"), "{problems:?}");
        assert_ne!(text.titles.get(&0).map(String::as_str), Some("Fixture Harbour"));

        let (_, problems) = decode_cdtext(&bytes[..bytes.len() - 5]);
        assert!(problems[0].message.contains("not a whole 18-byte pack"), "{problems:?}");
        let (_, problems) = decode_cdtext(&bytes[..6 * PACK_LEN]);
        assert!(problems[0].message.contains("no size information"), "{problems:?}");

        let mut header = vec![0, 0x7e, 0, 0];
        header.extend_from_slice(&bytes);
        assert_eq!(decode_cdtext(&header), (album(), vec![]), "a 4-byte file header is skipped");
    }

    #[test]
    fn decoding_never_panics_on_garbage() {
        let mut seed = 0x1234_5678_u32;
        for length in [0, 1, 17, 18, 19, 22, 36, 180, 1000, 40_000] {
            let garbage: Vec<u8> = (0..length)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    seed as u8
                })
                .collect();
            let _ = decode_cdtext(&garbage);
        }
        // Valid CRCs over hostile contents: every track byte, an unknown character code.
        let mut packs = Vec::new();
        for (i, track) in [255u8, 0, 200, 2].into_iter().enumerate() {
            let mut pack = [0u8; PACK_LEN];
            pack[0] = if i == 3 { SIZE_INFO } else { TITLE };
            pack[1] = track;
            pack[2] = i as u8;
            pack[4..16].fill(b'x');
            if i == 3 {
                pack[4] = 0x42;
            }
            let crc = cdtext_crc(&pack[..16]);
            pack[16..].copy_from_slice(&crc.to_be_bytes());
            packs.extend_from_slice(&pack);
        }
        let (_, problems) = decode_cdtext(&packs);
        assert!(problems.iter().any(|p| p.message.contains("no size information")), "{problems:?}");
    }
}
