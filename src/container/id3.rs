//! ID3v2, shared by MP3 and by the ID3 chunks of WAV and AIFF: the `TSRC` frame.

use std::borrow::Cow;

use lofty::config::WriteOptions;
use lofty::id3::v2::{Frame, FrameId, Id3v2Tag, Id3v2Version, TextInformationFrame};

use super::{Location, TagReport};

/// The ID3v2 frame that holds the ISRC.
const TSRC: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TSRC"));
const TIT2: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TIT2"));
const TPE1: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TPE1"));
const TALB: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TALB"));

/// Every value of every `TSRC` frame (ID3v2.4 separates several values with NUL).
fn tsrc_values(id3: &Id3v2Tag) -> Vec<String> {
    id3.into_iter()
        .filter(|frame| frame.id() == &TSRC)
        .filter_map(|frame| match frame {
            Frame::Text(text) => Some(text.value.to_string()),
            _ => None,
        })
        .flat_map(|value| value.split('\0').map(str::to_owned).collect::<Vec<_>>())
        .filter(|value| !value.is_empty())
        .collect()
}

/// Adds the tag's ISRCs, title, artist and album to `report`.
pub(super) fn read(id3: &Id3v2Tag, report: &mut TagReport) {
    for value in tsrc_values(id3) {
        report.found(Location::Id3v2Tsrc, value);
    }
    let first = |id: &FrameId<'_>| id3.get_text(id).map(|t| t.split('\0').next().unwrap_or(t));
    TagReport::fill(&mut report.title, first(&TIT2));
    TagReport::fill(&mut report.artist, first(&TPE1));
    TagReport::fill(&mut report.album, first(&TALB));
}

/// `tag` (or a new tag) with one `TSRC` frame holding `code` (none when `code` is empty:
/// `untag`), and the write options that keep its version: ID3v2 tags keep their version
/// (v2.2 tags, which lofty cannot write, become v2.3); a new tag is written as v2.3, the
/// version every reader handles.
pub(super) fn with_tsrc(tag: Option<Id3v2Tag>, code: &str) -> (Id3v2Tag, WriteOptions) {
    let is_new = tag.is_none();
    let mut tag = tag.unwrap_or_default();
    let v24 = !is_new && tag.original_version() == Id3v2Version::V4;
    let _ = tag.remove(&TSRC).count();
    if !code.is_empty() {
        let frame = TextInformationFrame::new(TSRC, lofty::TextEncoding::Latin1, Cow::Owned(code.to_owned()));
        tag.insert(Frame::Text(frame));
    }
    (tag, WriteOptions::new().use_id3v23(!v24))
}

/// The total length of an ID3v2 tag at the start of `head`, header and footer included.
pub(crate) fn tag_len(head: &[u8]) -> Option<u64> {
    let size = head.get(6..10)?;
    let syncsafe = size.iter().fold(0u64, |acc, &b| (acc << 7) | u64::from(b & 0x7f));
    let footer = if head.get(5)? & 0x10 != 0 { 10 } else { 0 };
    Some(10 + syncsafe + footer)
}
