//! MP4 / M4A (ALAC, AAC): the ISRC in the iTunes freeform atom
//! `----:com.apple.iTunes:ISRC`; also read, compared and kept in step: `©isr` and the
//! code an Apple `xid ` atom names (`provider:isrc:CODE`).

use std::borrow::Cow;
use std::fs::File;
use std::io;

use lofty::config::WriteOptions;
use lofty::file::AudioFile;
use lofty::mp4::{Atom, AtomData, AtomIdent, Ilst, Mp4File};

use super::{Container, Location, Probe, Sniff, TagError, TagReport, copy_whole, read_options, rewrite_options};

/// MP4 and M4A files.
pub(super) struct Mp4;

/// The MP4 freeform atom iTunes uses for the ISRC.
fn freeform_isrc() -> AtomIdent<'static> {
    AtomIdent::Freeform { mean: Cow::Borrowed("com.apple.iTunes"), name: Cow::Borrowed("ISRC") }
}

/// The MP4 `©isr` atom.
const ISR: AtomIdent<'static> = AtomIdent::Fourcc(*b"\xa9isr");

/// The MP4 `xid ` atom: Apple's content identifier, `provider:kind:identifier`.
const XID: AtomIdent<'static> = AtomIdent::Fourcc(*b"xid ");

impl Container for Mp4 {
    fn name(&self) -> &'static str {
        "mp4"
    }

    fn sniff(&self, probe: &mut Probe<'_>) -> io::Result<Sniff> {
        Ok(if probe.at(4..8) == b"ftyp" { Sniff::Yes } else { Sniff::No })
    }

    fn written_locations(&self) -> &'static [Location] {
        &[Location::Mp4FreeformIsrc]
    }

    fn read_tags(&self, file: &mut File) -> Result<TagReport, TagError> {
        let mut report = TagReport::default();
        if let Some(ilst) = Mp4File::read_from(file, read_options())?.ilst() {
            read_ilst(ilst, &mut report);
        }
        Ok(report)
    }

    fn write_tags(&self, source: &mut File, target: &mut File, code: &str) -> Result<(), TagError> {
        let mut mp4 = Mp4File::read_from(source, rewrite_options())?;
        let mut ilst = mp4.ilst().cloned().unwrap_or_else(Ilst::new);
        if code.is_empty() {
            // `untag`: every ISRC atom taken out; an `xid ` whose values are all ISRCs too.
            let _ = ilst.remove(&freeform_isrc()).count();
            let _ = ilst.remove(&ISR).count();
            let only_isrcs = ilst.get(&XID).is_some_and(|atom| {
                atom.data().all(|data| atom_text(data).as_deref().and_then(split_xid_isrc).is_some())
            });
            if only_isrcs {
                let _ = ilst.remove(&XID).count();
            }
        } else {
            ilst.replace_atom(Atom::new(freeform_isrc(), AtomData::UTF8(code.into())));
            if ilst.get(&ISR).is_some() {
                ilst.replace_atom(Atom::new(ISR, AtomData::UTF8(code.into())));
            }
            if let Some(xid) = ilst.get(&XID).and_then(|atom| xid_with_code(atom, code)) {
                ilst.replace_atom(xid);
            }
        }
        mp4.set_ilst(ilst);
        copy_whole(source, target)?;
        mp4.save_to(target, WriteOptions::new()).map_err(|e| TagError::Write(e.to_string()))
    }
}

fn read_ilst(ilst: &Ilst, report: &mut TagReport) {
    let values = |ident: &AtomIdent<'_>| ilst.get(ident).into_iter().flat_map(|atom| atom.data()).filter_map(atom_text);
    for (ident, location) in [(freeform_isrc(), Location::Mp4FreeformIsrc), (ISR, Location::Mp4Isr)] {
        for value in values(&ident) {
            report.found(location.clone(), value);
        }
    }
    for value in values(&XID) {
        if let Some((_, code)) = split_xid_isrc(&value) {
            report.found(Location::Mp4Xid, code);
        }
    }
    let text = |fourcc: &[u8; 4]| ilst.get(&AtomIdent::Fourcc(*fourcc)).and_then(|a| a.data().find_map(atom_text));
    TagReport::fill(&mut report.title, text(b"\xa9nam").as_deref());
    TagReport::fill(&mut report.artist, text(b"\xa9ART").as_deref());
    TagReport::fill(&mut report.album, text(b"\xa9alb").as_deref());
}

/// The identifier of an `xid ` value whose kind is `isrc` (`Label:isrc:USPR37300012`),
/// split into the `provider:isrc:` part before it and the identifier itself. The
/// provider may itself hold colons; other kinds (`upc`, `vendor_id`, ...) give `None`.
fn split_xid_isrc(value: &str) -> Option<(&str, &str)> {
    let (rest, code) = value.rsplit_once(':')?;
    let (_provider, kind) = rest.rsplit_once(':')?;
    kind.eq_ignore_ascii_case("isrc").then(|| (&value[..=rest.len()], code))
}

/// The text of an MP4 data atom (freeform atoms are sometimes stored as raw bytes).
fn atom_text(data: &AtomData) -> Option<String> {
    match data {
        AtomData::UTF8(text) | AtomData::UTF16(text) => Some(text.clone()),
        AtomData::Unknown { data, .. } => String::from_utf8(data.clone()).ok(),
        _ => None,
    }
    .filter(|text| !text.is_empty())
}

/// The `xid ` atom with the code in every value that names an ISRC; the provider and
/// every other value are kept as they were.
fn xid_with_code(atom: &Atom<'_>, code: &str) -> Option<Atom<'static>> {
    let data = atom.data().map(|data| match atom_text(data).as_deref().and_then(split_xid_isrc) {
        Some((head, _)) => AtomData::UTF8(format!("{head}{code}")),
        None => data.clone(),
    });
    Atom::from_collection(XID, data.collect())
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
