//! The rules every ledger backend keeps, written once: which designation is issued
//! next, what a new recording, a binding or a voiding must satisfy, and how far a
//! fingerprint lookup may read. A backend answers the questions (what is used, what a
//! code's status is); the answers are judged here, so two backends cannot disagree.
//! The schema's constraints stand behind these checks.

use std::collections::HashMap;

use super::error::{LedgerError, Result};
use super::types::{
    AudioRecord, Completeness, FingerprintCandidate, MetadataEdit, NewRecording, Publication, Recording, Release,
    Status,
};
use crate::base::ids::AudioId;
use crate::isrc::{DesignationRange, Isrc, Prefix};

/// Rows read per fingerprint key at most; a key with more is too common to tell
/// recordings apart (silence, a common texture) and is skipped.
pub(crate) const KEY_ROWS: usize = 64;

/// Fails unless `range` lies within 00000-99999 with first <= last.
pub(crate) fn check_range(range: DesignationRange) -> Result<()> {
    if range.first > range.last || range.last > 99_999 {
        return Err(LedgerError::InvalidRange(range));
    }
    Ok(())
}

/// Fails unless `year` is a two-digit year of reference.
pub(crate) fn check_year(year: u8) -> Result<()> {
    if year > 99 {
        return Err(LedgerError::InvalidYear(year));
    }
    Ok(())
}

/// Whether adding `prefix` with `requested` is new (`true`), a repeat of the same range
/// (`false`), or a contradiction of the range already there (an error).
pub(crate) fn check_new_prefix(
    prefix: Prefix,
    requested: DesignationRange,
    existing: Option<DesignationRange>,
) -> Result<bool> {
    check_range(requested)?;
    match existing {
        None => Ok(true),
        Some(existing) if existing == requested => Ok(false),
        Some(existing) => Err(LedgerError::PrefixRangeMismatch { prefix, existing, requested }),
    }
}

/// What a ledger tells about the designations used under a prefix for a year (issued,
/// adopted or void alike), within bounds `(first, last)`: the questions the allocation
/// rule asks, each one index seek.
pub trait Designations {
    /// The highest designation used in `first..=last`.
    fn highest_used(&mut self, prefix: Prefix, year: u8, bounds: (u32, u32)) -> Result<Option<u32>>;
    /// Whether `designation` is used.
    fn is_used(&mut self, prefix: Prefix, year: u8, designation: u32) -> Result<bool>;
    /// The lowest free designation in `first..=last`, given that `first` is used.
    fn lowest_gap_above(&mut self, prefix: Prefix, year: u8, bounds: (u32, u32)) -> Result<Option<u32>>;
}

/// The next code to issue under `prefix` (authorised for `range`) for `year`: one above
/// the highest designation used in the range, so codes stay sequential; once the top of
/// the range is used, the lowest free one. Void codes count as used: never reissued.
pub(crate) fn next_code(
    used: &mut dyn Designations,
    prefix: Prefix,
    year: u8,
    range: DesignationRange,
) -> Result<Isrc> {
    check_year(year)?;
    let bounds = (range.first, range.last);
    let designation = match used.highest_used(prefix, year, bounds)? {
        None => Some(range.first),
        Some(top) if top < range.last => Some(top + 1),
        Some(_) if !used.is_used(prefix, year, range.first)? => Some(range.first),
        Some(_) => used.lowest_gap_above(prefix, year, bounds)?,
    };
    let designation = designation.ok_or(LedgerError::RangeExhausted { prefix, year, range })?;
    Isrc::from_parts(prefix, year, designation)
        .map_err(|_| LedgerError::Corrupt { column: "prefix.range_last", value: range.to_string() })
}

/// Checks a recording about to be inserted: its code must be new, a relation needs a
/// parent, the parent must be in the ledger (`parent_known` is asked only then), and its
/// publication fields must be well formed ([`check_publication`]).
pub(crate) fn check_new_recording(
    isrc: Isrc,
    existing: Option<Status>,
    new: &NewRecording,
    parent_known: impl FnOnce(Isrc) -> Result<bool>,
) -> Result<()> {
    if existing.is_some() {
        return Err(LedgerError::AlreadyInLedger(isrc));
    }
    check_publication(&new.publication)?;
    match (new.parent, new.relation) {
        (None, Some(relation)) => Err(LedgerError::RelationWithoutParent(relation)),
        (Some(parent), _) if !parent_known(parent)? => Err(LedgerError::UnknownCode(parent)),
        _ => Ok(()),
    }
}

/// Whether binding `audio` must insert a row (`true`) or is already there (`false`),
/// given the code its audio id is bound to and the status of the code asked for. One
/// audio id belongs to one active code.
pub(crate) fn check_bind(audio: &AudioRecord, bound: Option<Isrc>, status: Option<Status>) -> Result<bool> {
    match bound {
        Some(bound) if bound == audio.isrc => return Ok(false),
        Some(bound) => {
            return Err(LedgerError::AudioBoundElsewhere {
                audio_id: audio.audio_id.clone(),
                bound_to: bound,
                requested: audio.isrc,
            });
        }
        None => {}
    }
    match status {
        None => Err(LedgerError::UnknownCode(audio.isrc)),
        Some(Status::Void) => Err(LedgerError::CodeVoid(audio.isrc)),
        Some(Status::Active) => Ok(true),
    }
}

/// Fails unless a prefix may be removed: it is in the ledger and no code uses it.
pub(crate) fn check_prefix_removal(prefix: Prefix, exists: bool, codes: u64) -> Result<()> {
    match (exists, codes) {
        (false, _) => Err(LedgerError::UnknownPrefix(prefix)),
        (true, 0) => Ok(()),
        (true, codes) => Err(LedgerError::PrefixInUse { prefix, codes }),
    }
}

/// The code an audio id is bound to, which unbinding needs.
pub(crate) fn check_unbind(audio_id: &AudioId, bound: Option<Isrc>) -> Result<Isrc> {
    bound.ok_or_else(|| LedgerError::UnknownAudio(audio_id.clone()))
}

/// Fails unless the code may be voided: it is in the ledger and active.
pub(crate) fn check_void(isrc: Isrc, status: Option<Status>) -> Result<()> {
    match status {
        None => Err(LedgerError::UnknownCode(isrc)),
        Some(Status::Void) => Err(LedgerError::AlreadyVoid(isrc)),
        Some(Status::Active) => Ok(()),
    }
}

/// The longest title, artist or version note stored, in characters.
pub(crate) const MAX_TEXT_CHARS: usize = 1000;

/// A recording's descriptive fields after an edit ([`apply_edit`]).
pub(crate) struct Edited {
    /// The title.
    pub title: Option<String>,
    /// The artist.
    pub artist: Option<String>,
    /// The version note.
    pub version_note: Option<String>,
    /// The declared playing time, in milliseconds.
    pub declared_ms: Option<i64>,
    /// Content type, first publication, (P) line, parental warning.
    pub publication: Publication,
}

/// A text field after an edit: a given text replaces the stored one (trimmed), a blank one
/// clears it; no control characters (a line break in a title would break the CUE sheets
/// and CD-Text made from it) and at most [`MAX_TEXT_CHARS`] characters.
fn edited_text(name: &'static str, given: &Option<String>, stored: &Option<String>) -> Result<Option<String>> {
    let Some(given) = given else { return Ok(stored.clone()) };
    checked_text(name, given)
}

/// A given text trimmed and checked ([`edited_text`]); `None` when blank.
pub(crate) fn checked_text(name: &'static str, given: &str) -> Result<Option<String>> {
    let value = given.trim();
    let invalid = |reason| LedgerError::InvalidText { field: name, value: value.chars().take(60).collect(), reason };
    if value.chars().any(char::is_control) {
        return Err(invalid("it holds a control character (a line break, a tab)"));
    }
    if value.chars().count() > MAX_TEXT_CHARS {
        return Err(invalid("it is longer than 1000 characters"));
    }
    Ok((!value.is_empty()).then(|| value.to_owned()))
}

/// The fields of `recording` after `edit` (a given text replaces, a blank one clears),
/// checked: the code must be in the ledger and active, the edit must change a field, and
/// every value must be well formed.
pub(crate) fn apply_edit(isrc: Isrc, recording: Option<&Recording>, edit: &MetadataEdit) -> Result<Edited> {
    let recording = recording.ok_or(LedgerError::UnknownCode(isrc))?;
    if recording.status == Status::Void {
        return Err(LedgerError::CodeVoid(isrc));
    }
    if edit.is_empty() {
        return Err(LedgerError::NothingToEdit(isrc));
    }
    let stored = &recording.publication;
    let p_date = match &edit.p_date {
        None => stored.p_date.clone(),
        Some(given) if given.trim().is_empty() => None,
        Some(given) => Some(p_date(given).ok_or_else(|| LedgerError::InvalidText {
            field: "p_date",
            value: given.chars().take(60).collect(),
            reason: "it is neither a date YYYY-MM-DD nor a year YYYY",
        })?),
    };
    let publication = Publication {
        content_type: edit.content_type.unwrap_or(stored.content_type),
        p_date,
        p_line_year: edit.p_line_year.unwrap_or(stored.p_line_year),
        p_line_owner: edited_text("p_line_owner", &edit.p_line_owner, &stored.p_line_owner)?,
        parental_warning: edit.parental_warning.unwrap_or(stored.parental_warning),
    };
    check_publication(&publication)?;
    let declared_ms = edit.declared_ms.or(recording.declared_ms);
    Ok(Edited {
        title: edited_text("title", &edit.title, &recording.title)?,
        artist: edited_text("artist", &edit.artist, &recording.artist)?,
        version_note: edited_text("version", &edit.version_note, &recording.version_note)?,
        declared_ms: declared_ms.map(|ms| stored_int("the declared duration", ms)).transpose()?,
        publication,
    })
}

/// The earliest and latest years a (P) line or a date of first publication may name.
pub(crate) const YEARS: std::ops::RangeInclusive<u16> = 1000..=9999;

/// Fails unless a code's publication fields are well formed: a P-date that is a date
/// `YYYY-MM-DD` or a year `YYYY`, a (P) line year of four digits, an owner that is text.
pub(crate) fn check_publication(publication: &Publication) -> Result<()> {
    if let Some(date) = &publication.p_date
        && p_date(date).as_deref() != Some(date.as_str())
    {
        return Err(LedgerError::InvalidText {
            field: "p_date",
            value: date.chars().take(60).collect(),
            reason: "it is neither a date YYYY-MM-DD nor a year YYYY",
        });
    }
    if let Some(year) = publication.p_line_year
        && !YEARS.contains(&year)
    {
        return Err(LedgerError::InvalidText {
            field: "p_line_year",
            value: year.to_string(),
            reason: "a (P) line's year has four digits",
        });
    }
    if let Some(owner) = &publication.p_line_owner
        && checked_text("p_line_owner", owner)?.as_deref() != Some(owner.as_str())
    {
        return Err(LedgerError::InvalidText {
            field: "p_line_owner",
            value: owner.chars().take(60).collect(),
            reason: "it is blank or has spaces around it",
        });
    }
    Ok(())
}

/// A date of first publication as stored: `YYYY-MM-DD` (a real day) or `YYYY`, from
/// text that is one of them (white space around it ignored); `None` otherwise.
pub fn p_date(text: &str) -> Option<String> {
    let text = text.trim();
    let year_ok = |year: &str| year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) && !year.starts_with('0');
    if year_ok(text) {
        return Some(text.to_owned());
    }
    let date: jiff::civil::Date = text.parse().ok()?;
    (text.len() == 10 && year_ok(&text[..4]) && date.to_string() == text).then(|| text.to_owned())
}

/// A (P) line as typed (`2026 Harbour Records`, `℗ 2026 Harbour Records`, `(P) 2026
/// Harbour Records`, a year alone, or an owner alone) as its year and owner; `None` for
/// blank text.
pub fn parse_p_line(text: &str) -> Option<(Option<u16>, Option<String>)> {
    let mut rest = text.trim();
    for mark in ["\u{2117}", "(P)", "(p)", "P "] {
        if let Some(after) = rest.strip_prefix(mark) {
            rest = after.trim_start();
            break;
        }
    }
    let (first, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let year = first.parse::<u16>().ok().filter(|y| first.len() == 4 && YEARS.contains(y));
    let owner = if year.is_some() { after.trim() } else { rest };
    let owner = (!owner.is_empty()).then(|| owner.to_owned());
    (year.is_some() || owner.is_some()).then_some((year, owner))
}

/// What a release gives a code on it that lacks them: the release's date becomes its
/// date of first publication, and the release's (P) line its (P) line (the first release
/// of a recording is its first publication). Fields the code has are never changed; an
/// empty edit when it has them all (or the release does not say).
pub(crate) fn publication_from_release(release: &Release, recording: &Recording) -> MetadataEdit {
    let mut edit = MetadataEdit::default();
    let held = &recording.publication;
    if held.p_date.is_none()
        && let Some(date) = release.date.as_deref().and_then(p_date)
    {
        edit.p_date = Some(date);
    }
    if held.p_line_year.is_none()
        && held.p_line_owner.is_none()
        && let Some((year, owner)) = release.p_line.as_deref().and_then(parse_p_line)
    {
        edit.p_line_year = year.map(Some);
        edit.p_line_owner = owner;
    }
    edit
}

/// The fields the IFPI requires every registrant to keep for a code, and supply on
/// request, that `completeness` lacks: `title` (track title), `artist` (main artist),
/// `duration`, `p_date` (date of first publication). The content type is always known
/// (audio unless said otherwise), and a version title is kept only where there is one, so
/// neither is ever lacking.
pub fn missing_metadata(completeness: &Completeness) -> Missing {
    let lacks = [!completeness.title, !completeness.artist, !completeness.duration, !completeness.p_date];
    Missing(lacks.iter().enumerate().fold(0, |bits, (n, &lacking)| bits | (u8::from(lacking) << n)))
}

/// The required fields a code lacks ([`missing_metadata`]), as a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Missing(u8);

impl Missing {
    /// The names, in this order: `title`, `artist`, `duration`, `p_date`.
    pub const NAMES: [&'static str; 4] = ["title", "artist", "duration", "p_date"];

    /// Whether nothing is missing.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The set as a number below 16, to index a table by.
    pub fn bits(self) -> usize {
        usize::from(self.0)
    }

    /// The names of the fields missing, in [`Missing::NAMES`] order.
    pub fn names(self) -> Vec<&'static str> {
        Missing::NAMES.iter().enumerate().filter(|(n, _)| self.0 & (1 << n) != 0).map(|(_, name)| *name).collect()
    }
}

/// Checks a release before it is entered: a title, and tracks that are numbered from 1,
/// each place once, each code in the ledger (`known` is asked per code).
pub(crate) fn check_release(release: &Release, mut known: impl FnMut(Isrc) -> Result<bool>) -> Result<()> {
    let invalid = |reason: String| LedgerError::InvalidRelease { upc: release.upc.as_typed().to_owned(), reason };
    if release.title.trim().is_empty() {
        return Err(invalid("it has no title".into()));
    }
    let mut places = std::collections::HashSet::new();
    for track in &release.tracks {
        if track.disc == 0 || track.number == 0 {
            return Err(invalid(format!(
                "track {}-{} is numbered from 0; discs and tracks count from 1",
                track.disc, track.number
            )));
        }
        if !places.insert((track.disc, track.number)) {
            return Err(invalid(format!("disc {} track {} is given twice", track.disc, track.number)));
        }
        if !known(track.isrc)? {
            return Err(LedgerError::UnknownCode(track.isrc));
        }
    }
    Ok(())
}

/// A number as the ledger stores it (a signed 64-bit integer).
pub(crate) fn stored_int(what: &'static str, value: u64) -> Result<i64> {
    i64::try_from(value).map_err(|_| LedgerError::OutOfRange { what, value })
}

/// What a backend tells about its fingerprint key index. Both questions take the whole
/// batch, so a server answers each in one round trip.
pub(crate) trait FingerprintIndex {
    /// For each key, in order, up to `at_most` ids of fingerprints holding it.
    fn holders(&mut self, keys: &[u32], at_most: usize) -> Result<Vec<Vec<i64>>>;
    /// The candidates the fingerprint ids stand for, in the order given, leaving out
    /// those whose audio is not bound to an active code. Each id comes with the number
    /// of keys it shares.
    fn candidates(&mut self, ranked: &[(i64, usize)]) -> Result<Vec<FingerprintCandidate>>;
}

/// Stored fingerprints sharing keys with `keys`, most shared first (then oldest), at
/// most `limit`. A key found in more than [`KEY_ROWS`] fingerprints is skipped, so the
/// rows read are bounded whatever the ledger's size.
pub(crate) fn fingerprint_candidates(
    index: &mut dyn FingerprintIndex,
    keys: &[u32],
    limit: usize,
) -> Result<Vec<FingerprintCandidate>> {
    if keys.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for ids in index.holders(keys, KEY_ROWS + 1)? {
        if ids.len() > KEY_ROWS {
            continue;
        }
        for id in ids {
            *counts.entry(id).or_default() += 1;
        }
    }
    let mut ranked: Vec<(i64, usize)> = counts.into_iter().collect();
    ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    // A few more than `limit`, since some ids may be void or left over.
    ranked.truncate(limit.saturating_mul(2));
    if ranked.is_empty() {
        return Ok(Vec::new());
    }
    let mut found = index.candidates(&ranked)?;
    found.truncate(limit);
    Ok(found)
}

/// A value stored as JSON text (a run's paths and counts).
pub(crate) fn json_text<T: serde::Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| LedgerError::Backend(format!("cannot store a value as JSON: {e}")))
}

/// Fails unless an update of run `run` found its row.
pub(crate) fn check_run_found(run: i64, rows: usize) -> Result<()> {
    if rows == 0 {
        return Err(LedgerError::Backend(format!("run {run} is not in the ledger")));
    }
    Ok(())
}
