//! Reading every ISRC location of a file, per format.

use std::borrow::Cow;
use std::fs::File;
use std::path::Path;

use lofty::config::ParseOptions;
use lofty::file::AudioFile;
use lofty::flac::FlacFile;
use lofty::id3::v2::{Frame, FrameId, Id3v2Tag};
use lofty::iff::aiff::AiffFile;
use lofty::iff::wav::{RiffInfoList, WavFile};
use lofty::mp4::{AtomData, AtomIdent, Ilst, Mp4File};
use lofty::mpeg::MpegFile;
use lofty::ogg::VorbisFile;
use lofty::ogg::tag::VorbisComments;

use super::{FoundIsrc, Location, TagError, TagReport, cuesheet};
use crate::format::Format;

/// The ID3v2 frame that holds the ISRC.
pub(crate) const TSRC: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TSRC"));
const TIT2: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TIT2"));
const TPE1: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TPE1"));
const TALB: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TALB"));

/// The MP4 freeform atom iTunes uses for the ISRC.
pub(crate) fn mp4_freeform_isrc() -> AtomIdent<'static> {
    AtomIdent::Freeform { mean: Cow::Borrowed("com.apple.iTunes"), name: Cow::Borrowed("ISRC") }
}

/// The MP4 `©isr` atom.
pub(crate) const MP4_ISR: AtomIdent<'static> = AtomIdent::Fourcc(*b"\xa9isr");

/// The MP4 `xid ` atom: Apple's content identifier, `provider:kind:identifier`.
pub(crate) const MP4_XID: AtomIdent<'static> = AtomIdent::Fourcc(*b"xid ");

/// The identifier of an `xid ` value whose kind is `isrc` (`Label:isrc:USPR37300012`),
/// split into the `provider:isrc:` part before it and the identifier itself. The
/// provider may itself hold colons; other kinds (`upc`, `vendor_id`, ...) give `None`.
pub(crate) fn split_xid_isrc(value: &str) -> Option<(&str, &str)> {
    let (rest, code) = value.rsplit_once(':')?;
    let (_provider, kind) = rest.rsplit_once(':')?;
    kind.eq_ignore_ascii_case("isrc").then(|| (&value[..=rest.len()], code))
}

/// Reads every ISRC location, title and artist of the file at `path`.
pub fn read(path: &Path, format: Format) -> Result<TagReport, TagError> {
    crate::guard::catch(|| read_unguarded(path, format)).unwrap_or_else(|panic| Err(TagError::ReaderFailed(panic)))
}

fn read_unguarded(path: &Path, format: Format) -> Result<TagReport, TagError> {
    let mut file = File::open(path)?;
    let options = ParseOptions::new().read_properties(false).read_cover_art(false).implicit_conversions(false);
    let mut report = TagReport::default();
    match format {
        Format::Wav => {
            let wav = WavFile::read_from(&mut file, options)?;
            if let Some(id3) = wav.id3v2() {
                from_id3v2(id3, &mut report);
            }
            if let Some(info) = wav.riff_info() {
                from_riff_info(info, &mut report);
            }
        }
        Format::Aiff => {
            if let Some(id3) = AiffFile::read_from(&mut file, options)?.id3v2() {
                from_id3v2(id3, &mut report);
            }
        }
        Format::Mp3 => {
            if let Some(id3) = MpegFile::read_from(&mut file, options)?.id3v2() {
                from_id3v2(id3, &mut report);
            }
        }
        Format::Flac => {
            if let Some(comments) = FlacFile::read_from(&mut file, options)?.vorbis_comments() {
                from_vorbis(comments, &mut report);
            }
            for track in cuesheet::read_flac_cuesheet(&mut file)? {
                report.isrcs.push(FoundIsrc { location: Location::FlacCuesheetTrack(track.number), value: track.isrc });
            }
        }
        Format::Ogg => from_vorbis(VorbisFile::read_from(&mut file, options)?.vorbis_comments(), &mut report),
        Format::Mp4 => {
            if let Some(ilst) = Mp4File::read_from(&mut file, options)?.ilst() {
                from_ilst(ilst, &mut report);
            }
        }
    }
    Ok(report)
}

/// Adds `value` as the title or artist unless one was found already.
fn fill(slot: &mut Option<String>, value: Option<&str>) {
    if slot.is_none() {
        *slot = value.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    }
}

/// Every value of every `TSRC` frame (ID3v2.4 separates several values with NUL).
pub(crate) fn tsrc_values(id3: &Id3v2Tag) -> Vec<String> {
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

fn from_id3v2(id3: &Id3v2Tag, report: &mut TagReport) {
    for value in tsrc_values(id3) {
        report.isrcs.push(FoundIsrc { location: Location::Id3v2Tsrc, value });
    }
    fill(&mut report.title, id3.get_text(&TIT2).map(|t| t.split('\0').next().unwrap_or(t)));
    fill(&mut report.artist, id3.get_text(&TPE1).map(|t| t.split('\0').next().unwrap_or(t)));
    fill(&mut report.album, id3.get_text(&TALB).map(|t| t.split('\0').next().unwrap_or(t)));
}

fn from_riff_info(info: &RiffInfoList, report: &mut TagReport) {
    if let Some(value) = info.get("ISRC").map(|v| v.trim_end_matches('\0')).filter(|v| !v.is_empty()) {
        report.isrcs.push(FoundIsrc { location: Location::RiffInfoIsrc, value: value.to_owned() });
    }
    fill(&mut report.title, info.get("INAM"));
    fill(&mut report.artist, info.get("IART"));
    fill(&mut report.album, info.get("IPRD"));
}

fn from_vorbis(comments: &VorbisComments, report: &mut TagReport) {
    for value in comments.get_all("ISRC").filter(|v| !v.is_empty()) {
        report.isrcs.push(FoundIsrc { location: Location::VorbisIsrc, value: value.to_owned() });
    }
    fill(&mut report.title, comments.get("TITLE"));
    fill(&mut report.artist, comments.get("ARTIST"));
    fill(&mut report.album, comments.get("ALBUM"));
}

fn from_ilst(ilst: &Ilst, report: &mut TagReport) {
    let values = |ident: &AtomIdent<'_>| ilst.get(ident).into_iter().flat_map(|atom| atom.data()).filter_map(atom_text);
    for (ident, location) in [(mp4_freeform_isrc(), Location::Mp4FreeformIsrc), (MP4_ISR, Location::Mp4Isr)] {
        for value in values(&ident) {
            report.isrcs.push(FoundIsrc { location: location.clone(), value });
        }
    }
    for value in values(&MP4_XID) {
        if let Some((_, code)) = split_xid_isrc(&value) {
            report.isrcs.push(FoundIsrc { location: Location::Mp4Xid, value: code.to_owned() });
        }
    }
    let text = |fourcc: &[u8; 4]| ilst.get(&AtomIdent::Fourcc(*fourcc)).and_then(|a| a.data().find_map(atom_text));
    fill(&mut report.title, text(b"\xa9nam").as_deref());
    fill(&mut report.artist, text(b"\xa9ART").as_deref());
    fill(&mut report.album, text(b"\xa9alb").as_deref());
}

/// The text of an MP4 data atom (freeform atoms are sometimes stored as raw bytes).
pub(crate) fn atom_text(data: &AtomData) -> Option<String> {
    match data {
        AtomData::UTF8(text) | AtomData::UTF16(text) => Some(text.clone()),
        AtomData::Unknown { data, .. } => String::from_utf8(data.clone()).ok(),
        _ => None,
    }
    .filter(|text| !text.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_xid_yields_its_isrc_and_keeps_what_stands_before_it() {
        assert_eq!(split_xid_isrc("Label:isrc:USPR37300012"), Some(("Label:isrc:", "USPR37300012")));
        assert_eq!(split_xid_isrc("A:B Music:ISRC:gbbbb9905305"), Some(("A:B Music:ISRC:", "gbbbb9905305")));
        assert_eq!(split_xid_isrc(":isrc:USPR37300012"), Some((":isrc:", "USPR37300012")));
        assert_eq!(split_xid_isrc("Label:upc:0123456789012"), None);
        assert_eq!(split_xid_isrc("isrc:USPR37300012"), None, "no provider");
        assert_eq!(split_xid_isrc("USPR37300012"), None);
    }
}
