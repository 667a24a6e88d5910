//! Vorbis comments, shared by FLAC and Ogg Vorbis: the `ISRC` comment.

use lofty::ogg::tag::VorbisComments;

use super::{Location, TagReport};

/// Adds the comments' ISRCs, title, artist and album to `report`.
pub(super) fn read(comments: &VorbisComments, report: &mut TagReport) {
    for value in comments.get_all("ISRC").filter(|v| !v.is_empty()) {
        report.found(Location::VorbisIsrc, value);
    }
    TagReport::fill(&mut report.title, comments.get("TITLE"));
    TagReport::fill(&mut report.artist, comments.get("ARTIST"));
    TagReport::fill(&mut report.album, comments.get("ALBUM"));
}

/// Sets the one `ISRC` comment to `code`; every other comment is kept.
pub(super) fn set_isrc(comments: &mut VorbisComments, code: &str) {
    if code.is_empty() {
        let _ = comments.remove("ISRC").count();
    } else {
        comments.insert("ISRC".into(), code.into());
    }
}
