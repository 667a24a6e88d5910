//! MP4 / M4A (ALAC, AAC): the ISRC in the iTunes freeform atom
//! `----:com.apple.iTunes:ISRC`; also read, compared and kept in step: `©isr` and the
//! code an Apple `xid ` atom names (`provider:isrc:CODE`).
//!
//! The project reads and rewrites the `ilst` atom itself: lofty drops on saving what its
//! types cannot carry (a freeform atom with an empty value among them). Every item of
//! `ilst` is copied byte for byte except the ISRC's: the first freeform ISRC atom is
//! replaced (further ones go), `©isr` gets the code when present, and each `xid ` value
//! naming an ISRC gets it with its provider kept. The `moov` atom is rebuilt in memory
//! (within one tag block's limit, [`super::limits`]): the atoms on the path
//! `moov/udta/meta/ilst` get their new sizes (missing ones are made, with the `hdlr` an
//! iTunes `meta` has), a `free` atom right after `ilst` absorbs the change when it can
//! (as iTunes leaves one for), and when `moov` comes before the media data and grew or
//! shrank, every chunk offset (`stco`, `co64`) is moved by as much. Everything outside
//! `moov` is copied as it is. A fragmented file (`mvex`) whose `moov` would move its
//! fragments is refused with the reason.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;

use super::limits::{self, MAX_TAG_BLOCK};
use super::{Container, Probe, Sink, Sniff, TagError, TagPlace, TagReport};

/// MP4 and M4A files.
pub(super) struct Mp4;

impl Container for Mp4 {
    fn name(&self) -> &'static str {
        "mp4"
    }

    fn sniff(&self, probe: &mut Probe<'_>) -> io::Result<Sniff> {
        Ok(if probe.at(4..8) == b"ftyp" { Sniff::Yes } else { Sniff::No })
    }

    fn written_locations(&self) -> &'static [TagPlace] {
        &[TagPlace::Mp4FreeformIsrc]
    }

    fn read_tags(&self, file: &mut File) -> Result<TagReport, TagError> {
        let (moov, _lease) = read_moov(file)?;
        let mut report = TagReport::default();
        if let Some(ilst) = find_path(&moov, &[b"udta", b"meta", b"ilst"])? {
            read_ilst(&moov[ilst.body.clone()], &mut report)?;
        }
        Ok(report)
    }

    /// Not [`Container::is_streamed`] (its audio is proven by decoding, not by bytes),
    /// but written strictly in order all the same.
    fn stream_tags(&self, source: &mut File, out: &mut dyn Sink, code: &str) -> Result<(), TagError> {
        let top = top_level(source)?;
        let moov_at = top.iter().find(|a| &a.kind == b"moov").ok_or_else(no_moov)?.clone();
        let (moov, _lease) = read_moov(source)?;
        let new_moov = rewrite_moov(&moov, code, &top, &moov_at)?;
        source.seek(SeekFrom::Start(0))?;
        copy_exactly(source, out, moov_at.start)?;
        out.write_all(&new_moov)?;
        source.seek(SeekFrom::Start(moov_at.end))?;
        out.copy_from(source, u64::MAX)?;
        Ok(())
    }
}

/// The freeform atom's mean and name of the ISRC.
const MEAN: &[u8] = b"com.apple.iTunes";
const NAME: &[u8] = b"ISRC";

/// An atom in a buffer or a file: its type, where it starts, where its body starts and
/// where it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Atom<T> {
    kind: [u8; 4],
    start: T,
    body: Range<T>,
    end: T,
}

fn damaged(detail: String) -> TagError {
    TagError::Refused(format!(
        "the MP4 atoms are damaged: {detail}; the file is not tagged: export or encode it again (or rewrite it \
         with `ffmpeg -i IN -c copy OUT.m4a`)"
    ))
}

fn no_moov() -> TagError {
    damaged("there is no moov atom (the file's index)".into())
}

/// The top-level atoms of the file. A size of 0 runs to the end of the file (legal for
/// the last atom), a size of 1 is given in 64 bits.
fn top_level(file: &mut File) -> Result<Vec<Atom<u64>>, TagError> {
    let len = file.seek(SeekFrom::End(0))?;
    let mut atoms = Vec::new();
    let mut at = 0u64;
    while at + 8 <= len {
        let mut header = [0u8; 16];
        file.seek(SeekFrom::Start(at))?;
        let got = crate::base::io::read_full(file, &mut header)?;
        let size = u64::from(u32::from_be_bytes([header[0], header[1], header[2], header[3]]));
        let kind = [header[4], header[5], header[6], header[7]];
        let (header_len, size) = match size {
            0 => (8, len - at),
            1 if got >= 16 => (16, u64::from_be_bytes(header[8..16].try_into().expect("eight bytes"))),
            1 => return Err(damaged(format!("the {} atom at byte {at} is cut off", shown(&kind)))),
            size => (8, size),
        };
        if size < header_len || at + size > len {
            return Err(damaged(format!(
                "the {} atom at byte {at} claims {size} bytes, but the file has {} from there",
                shown(&kind),
                len - at
            )));
        }
        atoms.push(Atom { kind, start: at, body: at + header_len..at + size, end: at + size });
        at += size;
    }
    Ok(atoms)
}

/// The `moov` atom, whole (header included), read under a lease of its size.
fn read_moov(file: &mut File) -> Result<(Vec<u8>, limits::Lease), TagError> {
    let top = top_level(file)?;
    let moov = top.iter().find(|a| &a.kind == b"moov").ok_or_else(no_moov)?;
    let len = moov.end - moov.start;
    if len > MAX_TAG_BLOCK {
        return Err(limits::over_limit(len, "the moov atom (the file's index and tags)"));
    }
    let lease = limits::lease(len, "the moov atom")?;
    let mut bytes = vec![0u8; len as usize];
    file.seek(SeekFrom::Start(moov.start))?;
    file.read_exact(&mut bytes)?;
    Ok((bytes, lease))
}

/// The atoms in `buffer[range]`, one after another.
fn children(buffer: &[u8], range: Range<usize>) -> Result<Vec<Atom<usize>>, TagError> {
    let mut atoms = Vec::new();
    let mut at = range.start;
    while at + 8 <= range.end {
        let size = u32::from_be_bytes(buffer[at..at + 4].try_into().expect("four bytes")) as usize;
        let kind: [u8; 4] = buffer[at + 4..at + 8].try_into().expect("four bytes");
        let (header_len, size) = match size {
            0 => (8, range.end - at),
            1 => {
                let wide = buffer
                    .get(at + 8..at + 16)
                    .ok_or_else(|| damaged(format!("the {} atom is cut off", shown(&kind))))?;
                (16, usize::try_from(u64::from_be_bytes(wide.try_into().expect("eight bytes"))).unwrap_or(usize::MAX))
            }
            size => (8, size),
        };
        if size < header_len || size > range.end - at {
            return Err(damaged(format!(
                "the {} atom claims {size} bytes, more than the {} its parent holds from there",
                shown(&kind),
                range.end - at
            )));
        }
        atoms.push(Atom { kind, start: at, body: at + header_len..at + size, end: at + size });
        at += size;
    }
    Ok(atoms)
}

/// Where the children of `atom` start: past the version and flags of a `meta` that is a
/// full box (iTunes'), else at its body.
fn child_start(buffer: &[u8], atom: &Atom<usize>) -> usize {
    let body = &buffer[atom.body.clone()];
    if &atom.kind == b"meta" && body.get(4..8) != Some(b"hdlr") { atom.body.start + 4 } else { atom.body.start }
}

/// The atom at `path` below `moov` (whole, `moov` included, in `moov`).
fn find_path(moov: &[u8], path: &[&[u8; 4]]) -> Result<Option<Atom<usize>>, TagError> {
    let mut current = children(moov, 0..moov.len())?.into_iter().next().ok_or_else(no_moov)?;
    for kind in path {
        let start = child_start(moov, &current);
        match children(moov, start..current.end)?.into_iter().find(|a| &a.kind == *kind) {
            Some(child) => current = child,
            None => return Ok(None),
        }
    }
    Ok(Some(current))
}

/// What an item atom of `ilst` is, as far as the ISRC goes.
fn item_kind(ilst: &[u8], item: &Atom<usize>) -> Result<Item, TagError> {
    Ok(match &item.kind {
        b"\xa9isr" => Item::Isr,
        b"xid " => Item::Xid,
        b"----" => {
            let parts = children(ilst, item.body.clone())?;
            let text = |kind: &[u8; 4]| {
                parts.iter().find(|a| &a.kind == kind).and_then(|a| ilst.get(a.body.start + 4..a.body.end))
            };
            if text(b"mean") == Some(MEAN) && text(b"name").is_some_and(|name| name.eq_ignore_ascii_case(NAME)) {
                Item::FreeformIsrc
            } else {
                Item::Other
            }
        }
        _ => Item::Other,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    FreeformIsrc,
    Isr,
    Xid,
    Other,
}

/// A `data` atom and its text, when it holds text.
type DataValue = (Atom<usize>, Option<String>);

/// The values of an item's `data` atoms, as text (UTF-8, UTF-16 or untyped bytes that are
/// UTF-8); empty ones left out.
fn data_values(ilst: &[u8], item: &Atom<usize>) -> Result<Vec<DataValue>, TagError> {
    Ok(children(ilst, item.body.clone())?
        .into_iter()
        .filter(|a| &a.kind == b"data")
        .map(|data| {
            let bytes = ilst.get(data.body.clone()).unwrap_or_default();
            let kind = bytes.get(..4).map(|b| u32::from_be_bytes(b.try_into().expect("four bytes")) & 0x00ff_ffff);
            let payload = bytes.get(8..).unwrap_or_default();
            let text = match kind {
                Some(1 | 0) => String::from_utf8(payload.to_vec()).ok(),
                Some(2) => {
                    let units: Vec<u16> = payload.chunks_exact(2).map(|p| u16::from_be_bytes([p[0], p[1]])).collect();
                    String::from_utf16(&units).ok()
                }
                _ => None,
            };
            (data, text.filter(|t| !t.is_empty()))
        })
        .collect())
}

fn read_ilst(ilst: &[u8], report: &mut TagReport) -> Result<(), TagError> {
    let items = children(ilst, 0..ilst.len())?;
    for item in &items {
        let values = || data_values(ilst, item);
        match item_kind(ilst, item)? {
            Item::FreeformIsrc => {
                values()?.into_iter().filter_map(|(_, t)| t).for_each(|v| report.found(TagPlace::Mp4FreeformIsrc, v))
            }
            Item::Isr => values()?.into_iter().filter_map(|(_, t)| t).for_each(|v| report.found(TagPlace::Mp4Isr, v)),
            Item::Xid => {
                for value in values()?.into_iter().filter_map(|(_, t)| t) {
                    if let Some((_, code)) = split_xid_isrc(&value) {
                        report.found(TagPlace::Mp4Xid, code);
                    }
                }
            }
            Item::Other => {
                let slot = match &item.kind {
                    b"\xa9nam" => &mut report.title,
                    b"\xa9ART" => &mut report.artist,
                    b"\xa9alb" => &mut report.album,
                    b"trkn" | b"disk" | b"rtng" => {
                        read_number_item(ilst, item, report)?;
                        continue;
                    }
                    _ => continue,
                };
                let first = values()?.into_iter().find_map(|(_, t)| t);
                TagReport::fill(slot, first.as_deref());
            }
        }
    }
    Ok(())
}

/// Reads a binary item: `trkn` and `disk` (a pad, the number and the total, big-endian
/// 16-bit) and `rtng` (the advisory rating, one integer).
fn read_number_item(ilst: &[u8], item: &Atom<usize>, report: &mut TagReport) -> Result<(), TagError> {
    let Some((data, _)) = data_values(ilst, item)?.into_iter().next() else { return Ok(()) };
    let payload = ilst.get(data.body.clone()).and_then(|bytes| bytes.get(8..)).unwrap_or_default();
    match &item.kind {
        b"trkn" | b"disk" => {
            let number = payload.get(2..4).map(|b| u32::from(u16::from_be_bytes([b[0], b[1]]))).filter(|&n| n > 0);
            let slot = if &item.kind == b"trkn" { &mut report.track } else { &mut report.disc };
            if slot.is_none() {
                *slot = number;
            }
        }
        _ => {
            let rating = payload.iter().fold(0u64, |value, &byte| value.saturating_mul(256) + u64::from(byte));
            report.fill_advisory(super::tags::Advisory::from_rating(rating));
        }
    }
    Ok(())
}

/// A whole atom of `kind` with `body`.
fn atom(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 16);
    match u32::try_from(body.len() + 8) {
        Ok(size) => {
            out.extend_from_slice(&size.to_be_bytes());
            out.extend_from_slice(kind);
        }
        Err(_) => {
            out.extend_from_slice(&1u32.to_be_bytes());
            out.extend_from_slice(kind);
            out.extend_from_slice(&(body.len() as u64 + 16).to_be_bytes());
        }
    }
    out.extend_from_slice(body);
    out
}

/// A `data` atom holding UTF-8 text.
fn text_data(text: &str) -> Vec<u8> {
    let mut body = vec![0, 0, 0, 1, 0, 0, 0, 0];
    body.extend_from_slice(text.as_bytes());
    atom(b"data", &body)
}

/// The freeform ISRC item holding `code`.
fn freeform_isrc(code: &str) -> Vec<u8> {
    let mut body = atom(b"mean", &[&[0u8; 4][..], MEAN].concat());
    body.extend(atom(b"name", &[&[0u8; 4][..], NAME].concat()));
    body.extend(text_data(code));
    atom(b"----", &body)
}

/// The new body of `ilst`: every item as it was but the ISRC's. An empty `code` takes
/// the ISRC items out (`untag`): the freeform atom, `©isr`, and an `xid ` whose values
/// are all ISRCs (one holding other identifiers too is kept as it is).
fn ilst_with_isrc(ilst: &[u8], code: &str) -> Result<Vec<u8>, TagError> {
    let mut out = Vec::with_capacity(ilst.len() + 64);
    let mut freeform_done = false;
    for item in children(ilst, 0..ilst.len())? {
        match item_kind(ilst, &item)? {
            Item::FreeformIsrc | Item::Isr if code.is_empty() => {}
            Item::Xid if code.is_empty() => {
                let values = data_values(ilst, &item)?;
                if !values.iter().all(|(_, text)| text.as_deref().and_then(split_xid_isrc).is_some()) {
                    out.extend_from_slice(&ilst[item.start..item.end]);
                }
            }
            Item::FreeformIsrc if freeform_done => {}
            Item::FreeformIsrc => {
                out.extend(freeform_isrc(code));
                freeform_done = true;
            }
            Item::Isr => out.extend(atom(b"\xa9isr", &text_data(code))),
            Item::Xid => {
                let mut body = Vec::new();
                let mut at = item.body.start;
                for (data, text) in data_values(ilst, &item)? {
                    body.extend_from_slice(&ilst[at..data.start]);
                    match text.as_deref().and_then(split_xid_isrc) {
                        Some((head, _)) => body.extend(text_data(&format!("{head}{code}"))),
                        None => body.extend_from_slice(&ilst[data.start..data.end]),
                    }
                    at = data.end;
                }
                body.extend_from_slice(&ilst[at..item.end]);
                out.extend(atom(b"xid ", &body));
            }
            Item::Other => out.extend_from_slice(&ilst[item.start..item.end]),
        }
    }
    if !freeform_done && !code.is_empty() {
        out.extend(freeform_isrc(code));
    }
    Ok(out)
}

/// The `hdlr` an iTunes `meta` atom holds.
fn itunes_hdlr() -> Vec<u8> {
    atom(b"hdlr", &[&[0u8; 8][..], b"mdirappl", &[0u8; 9]].concat())
}

/// The new `moov`: the path to `ilst` rebuilt (made where missing), chunk offsets moved
/// when `moov` precedes the media and changed size.
fn rewrite_moov(moov: &[u8], code: &str, top: &[Atom<u64>], at: &Atom<u64>) -> Result<Vec<u8>, TagError> {
    let root = children(moov, 0..moov.len())?.into_iter().next().ok_or_else(no_moov)?;
    let mut new = rebuild(moov, &root, &[b"udta", b"meta", b"ilst"], code)?;
    let delta = new.len() as i64 - moov.len() as i64;
    let media_after = top.iter().any(|a| &a.kind == b"mdat" && a.start > at.start);
    if delta != 0 && media_after {
        if find_path(&new, &[b"mvex"])?.is_some() {
            return Err(TagError::Refused(
                "a fragmented MP4 whose index comes before its fragments: its tags cannot grow or shrink without \
                 moving the fragments, which isrc-stamp does not rewrite; make it a plain file first with \
                 `ffmpeg -i IN -c copy OUT.m4a`"
                    .into(),
            ));
        }
        shift_chunk_offsets(&mut new, at.end, delta)?;
    }
    Ok(new)
}

/// `atom` rebuilt with its child on `path` rebuilt (or made), ending with the `ilst`
/// carrying `code`; a `free` right after `ilst` absorbs the difference when it can.
fn rebuild(buffer: &[u8], atom_at: &Atom<usize>, path: &[&[u8; 4]], code: &str) -> Result<Vec<u8>, TagError> {
    let Some((next, rest)) = path.split_first() else {
        // `ilst` itself.
        return Ok(atom(b"ilst", &ilst_with_isrc(&buffer[atom_at.body.clone()], code)?));
    };
    let start = child_start(buffer, atom_at);
    let kids = children(buffer, start..atom_at.end)?;
    let mut body = buffer[atom_at.body.start..start].to_vec();
    let mut found = false;
    let mut skip_free: Option<usize> = None;
    for (i, kid) in kids.iter().enumerate() {
        if Some(i) == skip_free {
            continue;
        }
        if &kid.kind == *next && !found {
            found = true;
            let new_kid = rebuild(buffer, kid, rest, code)?;
            let old_len = kid.end - kid.start;
            // iTunes leaves a `free` after `ilst` for the tags to grow into.
            if rest.is_empty()
                && let Some(free) = kids.get(i + 1).filter(|f| &f.kind == b"free")
            {
                let free_len = free.end - free.start;
                let room = (old_len + free_len) as i64 - new_kid.len() as i64;
                if room >= 8 {
                    body.extend(new_kid);
                    body.extend(atom(b"free", &vec![0u8; room as usize - 8]));
                    skip_free = Some(i + 1);
                    continue;
                }
            }
            body.extend(new_kid);
        } else {
            body.extend_from_slice(&buffer[kid.start..kid.end]);
        }
    }
    if !found {
        body.extend(made(path, code));
    }
    Ok(atom(&atom_at.kind, &body))
}

/// The atoms on `path` made from nothing, `ilst` holding only the code.
fn made(path: &[&[u8; 4]], code: &str) -> Vec<u8> {
    match path {
        [] => Vec::new(),
        [ilst] => atom(ilst, &freeform_isrc(code)),
        [meta, rest @ ..] if *meta == b"meta" => {
            let mut body = vec![0u8; 4];
            body.extend(itunes_hdlr());
            body.extend(made(rest, code));
            atom(meta, &body)
        }
        [kind, rest @ ..] => atom(kind, &made(rest, code)),
    }
}

/// Moves every chunk offset past `after` (in the file) by `delta`, in every track's
/// `stco` and `co64`.
fn shift_chunk_offsets(moov: &mut [u8], after: u64, delta: i64) -> Result<(), TagError> {
    let mut tables = Vec::new();
    collect_tables(moov, 0..moov.len(), &mut tables)?;
    for table in tables {
        let wide = &table.kind == b"co64";
        let width = if wide { 8 } else { 4 };
        let count = moov
            .get(table.body.start + 4..table.body.start + 8)
            .map(|b| u32::from_be_bytes(b.try_into().expect("four bytes")));
        let entries = table.body.start + 8;
        let count = count
            .filter(|&n| entries + n as usize * width <= table.end)
            .ok_or_else(|| damaged(format!("the {} table holds fewer entries than it counts", shown(&table.kind))))?;
        for n in 0..count as usize {
            let at = entries + n * width;
            let offset = if wide {
                u64::from_be_bytes(moov[at..at + 8].try_into().expect("eight bytes"))
            } else {
                u64::from(u32::from_be_bytes(moov[at..at + 4].try_into().expect("four bytes")))
            };
            if offset < after {
                continue;
            }
            let moved =
                offset.checked_add_signed(delta).ok_or_else(|| damaged("a chunk offset before the file".into()))?;
            if wide {
                moov[at..at + 8].copy_from_slice(&moved.to_be_bytes());
            } else {
                let moved = u32::try_from(moved).map_err(|_| {
                    TagError::Refused(
                        "the tags would move the media past 4 GiB, where this file's 32-bit chunk offsets (stco) \
                         cannot reach; rewrite it with `ffmpeg -i IN -c copy OUT.m4a` first"
                            .into(),
                    )
                })?;
                moov[at..at + 4].copy_from_slice(&moved.to_be_bytes());
            }
        }
    }
    Ok(())
}

/// Every `stco` and `co64` atom under `range`, through `trak/mdia/minf/stbl`.
fn collect_tables(moov: &[u8], range: Range<usize>, tables: &mut Vec<Atom<usize>>) -> Result<(), TagError> {
    for kid in children(moov, range)? {
        match &kid.kind {
            b"moov" | b"trak" | b"mdia" | b"minf" | b"stbl" => collect_tables(moov, kid.body.clone(), tables)?,
            b"stco" | b"co64" => tables.push(kid),
            _ => {}
        }
    }
    Ok(())
}

/// An atom type for messages.
fn shown(kind: &[u8; 4]) -> String {
    format!("{:?}", String::from_utf8_lossy(kind))
}

/// Copies exactly `len` bytes from `source`'s position.
fn copy_exactly(source: &mut File, out: &mut dyn Sink, len: u64) -> Result<(), TagError> {
    if out.copy_from(source, len)? != len {
        return Err(TagError::Io(io::Error::new(io::ErrorKind::UnexpectedEof, "the file ended early")));
    }
    Ok(())
}

/// The identifier of an `xid ` value whose kind is `isrc` (`Label:isrc:USPR37300012`),
/// split into the `provider:isrc:` part before it and the identifier itself. The
/// provider may itself hold colons; other kinds (`upc`, `vendor_id`, ...) give `None`.
fn split_xid_isrc(value: &str) -> Option<(&str, &str)> {
    let (rest, code) = value.rsplit_once(':')?;
    let (_provider, kind) = rest.rsplit_once(':')?;
    kind.eq_ignore_ascii_case("isrc").then(|| (&value[..=rest.len()], code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn an_xid_yields_its_isrc_and_keeps_what_stands_before_it() {
        assert_eq!(split_xid_isrc("Label:isrc:USPR37300012"), Some(("Label:isrc:", "USPR37300012")));
        assert_eq!(split_xid_isrc("A:B Music:ISRC:gbbbb9905305"), Some(("A:B Music:ISRC:", "gbbbb9905305")));
        assert_eq!(split_xid_isrc(":isrc:USPR37300012"), Some((":isrc:", "USPR37300012")));
        assert_eq!(split_xid_isrc("Label:upc:0123456789012"), None);
        assert_eq!(split_xid_isrc("isrc:USPR37300012"), None, "no provider");
        assert_eq!(split_xid_isrc("USPR37300012"), None);
    }

    fn fixture(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/formats").join(name)
    }

    fn tagged(source: &std::path::Path, code: &str) -> tempfile::NamedTempFile {
        let mut out = tempfile::NamedTempFile::new().unwrap();
        Mp4.write_tags(&mut File::open(source).unwrap(), out.as_file_mut(), code).unwrap();
        out.flush().unwrap();
        out
    }

    fn ilst_of(path: &std::path::Path) -> Vec<u8> {
        let (moov, _lease) = read_moov(&mut File::open(path).unwrap()).unwrap();
        let ilst = find_path(&moov, &[b"udta", b"meta", b"ilst"]).unwrap().unwrap();
        moov[ilst.body].to_vec()
    }

    #[test]
    fn every_other_item_is_kept_byte_for_byte_and_the_audio_is_the_same() {
        for name in ["aac.m4a", "alac.m4a"] {
            let source = fixture(name);
            let before = crate::audio::analyze(&source).unwrap().audio_id;
            let out = tagged(&source, "USPR37300012");
            let report = Mp4.read_tags(&mut File::open(out.path()).unwrap()).unwrap();
            assert!(report.isrcs.iter().all(|f| f.value == "USPR37300012") && !report.isrcs.is_empty(), "{report:?}");
            assert_eq!(crate::audio::analyze(out.path()).unwrap().audio_id, before, "{name}");
            let (old, new) = (ilst_of(&source), ilst_of(out.path()));
            let others = |ilst: &[u8]| -> Vec<Vec<u8>> {
                children(ilst, 0..ilst.len())
                    .unwrap()
                    .into_iter()
                    .filter(|item| item_kind(ilst, item).unwrap() == Item::Other)
                    .map(|item| ilst[item.start..item.end].to_vec())
                    .collect()
            };
            assert_eq!(others(&old), others(&new), "{name}");
        }
    }

    #[test]
    fn an_ilst_is_made_where_there_is_none_and_chunk_offsets_follow() {
        // A freeform item with an empty value, added by hand to the ilst, survives; and
        // a file whose ilst grows past its free atom has its chunk offsets moved.
        let source = fixture("alac.m4a");
        let out = tagged(&source, "USPR37300012");
        let again = tagged(out.path(), "GBBBB9905305");
        let report = Mp4.read_tags(&mut File::open(again.path()).unwrap()).unwrap();
        assert_eq!(report.isrcs.iter().map(|f| f.value.as_str()).collect::<Vec<_>>(), ["GBBBB9905305"]);
        assert_eq!(
            crate::audio::analyze(again.path()).unwrap().audio_id,
            crate::audio::analyze(&source).unwrap().audio_id
        );
        let made = made(&[b"udta", b"meta", b"ilst"], "USPR37300012");
        let udta = children(&made, 0..made.len()).unwrap().remove(0);
        assert_eq!(&udta.kind, b"udta");
        let ilst = find_path(&[atom(b"moov", &made)].concat(), &[b"udta", b"meta", b"ilst"]).unwrap().unwrap();
        assert_eq!(ilst.end - ilst.start, 8 + freeform_isrc("USPR37300012").len());
    }
}
