//! Import, second pass: the staged rows ([`super::stage`]) checked against the ledger,
//! then written, all inside the caller's transaction, reading the scratch database one
//! row at a time.

use serde::Serialize;

use super::read::ImportRow;
use super::stage::{BadRows, Staged, bad, in_file};
use super::{Column, RowError};
use crate::ledger::LedgerTx;
use crate::ledger::error::LedgerError;
use crate::ledger::types::{AudioRecord, EventKind, NewEvent, NewRecording, Release, Status};

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Bad rows: the transaction must be rolled back.
    #[error("{} bad row(s), nothing imported", .0.rows)]
    Rows(BadRows),
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The scratch database failed.
    #[error("the import's scratch file failed: {0}")]
    Scratch(String),
}

impl From<rusqlite::Error> for ImportError {
    fn from(error: rusqlite::Error) -> Self {
        ImportError::Scratch(error.to_string())
    }
}

/// What an import may do beyond adding what is new.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// `--foreign`: codes of another registrant (a prefix the ledger does not hold, a
    /// designation outside its range, a year of reference not yet reached) are
    /// imported, keeping their own prefix; without it they are bad rows.
    pub foreign: bool,
    /// `--update`: a code (or release) the ledger holds with other descriptive data
    /// (title, artist, version, declared duration, content type, P-date, (P) line,
    /// parental warning) is corrected, each change an event
    /// with the old and the new value; without it the difference is reported and the
    /// ledger kept.
    pub update: bool,
    /// This year's two digits, for "a year of reference not yet reached".
    pub this_year: u8,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// Codes added to the ledger.
    pub recordings_imported: usize,
    /// Codes the ledger already held with the same data.
    pub recordings_skipped: usize,
    /// Audio ids added to the ledger.
    pub audio_imported: usize,
    /// Audio ids the ledger already held with the same data (or repeated in the file).
    pub audio_skipped: usize,
    /// Codes whose descriptive data was corrected (`--update`).
    pub recordings_updated: usize,
    /// Releases added.
    pub releases_imported: usize,
    /// Releases corrected (`--update`).
    pub releases_updated: usize,
    /// Rows naming a release without a UPC/EAN: no release is entered for them.
    pub release_rows_without_upc: usize,
    /// Codes given the date of first publication or the (P) line of a release entered
    /// (the ones that had none).
    pub codes_filled_from_releases: usize,
    /// Where the file and the ledger differ and the ledger was kept (no `--update`).
    pub differences: Vec<Difference>,
}

/// One field the file gives otherwise than the ledger holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The line of the file.
    pub line: u64,
    /// The code, or the release's UPC/EAN.
    pub what: String,
    /// The field.
    pub field: String,
    /// What the file says.
    pub file: String,
    /// What the ledger holds.
    pub ledger: String,
}

/// Descriptive fields: what `--update` corrects (the rest of a code is its identity).
const DESCRIPTIVE: [Column; 9] = [
    Column::Title,
    Column::Artist,
    Column::VersionNote,
    Column::DeclaredDuration,
    Column::ContentType,
    Column::PDate,
    Column::PLineYear,
    Column::PLineOwner,
    Column::ParentalWarning,
];

/// A correction `--update` makes to a code: the edit, and the words of its event.
struct Update {
    isrc: crate::isrc::Isrc,
    edit: crate::ledger::MetadataEdit,
    detail: String,
}

/// Imports the staged rows in the caller's transaction (commit on `Ok`, roll back on
/// `Err`).
///
/// Every row is checked against the ledger first; any bad row (there, or found while
/// staging) gives [`ImportError::Rows`] and nothing is written. Then new codes are
/// adopted with the row's origin (parents before children), audio ids bound, void codes
/// voided, and an `import` event logged for each code and audio id, naming `source` and
/// the line.
pub fn import(
    tx: &mut dyn LedgerTx,
    staged: &mut Staged,
    source: &str,
    options: &ImportOptions,
) -> Result<ImportSummary, ImportError> {
    let mut summary = ImportSummary { audio_skipped: staged.repeated_audio, ..ImportSummary::default() };
    let updates = check_codes(tx, staged, options, &mut summary)?;
    check_audio(tx, staged, &mut summary)?;
    order_parents_first(staged)?;
    let releases = gather_releases(staged, &mut summary)?;
    if let Some(bad) = staged.bad_rows() {
        return Err(ImportError::Rows(bad));
    }
    let defaults = staged.defaults.clone();
    let event = |action: EventKind, row: &ImportRow| NewEvent {
        isrc: Some(row.recording.isrc),
        detail: format!("{source}, line {}", row.line),
        ..NewEvent::new(&defaults.user, defaults.at, action)
    };
    for_each(staged, "WHERE new_code = 1 ORDER BY depth, isrc", |row| {
        let r = &row.recording;
        let new = NewRecording {
            title: r.title.clone(),
            artist: r.artist.clone(),
            version_note: r.version_note.clone(),
            parent: r.parent,
            relation: r.relation,
            entered_at: r.entered_at,
            listed_issued_at: r.issued_at,
            declared_ms: r.declared_ms,
            publication: r.publication.clone(),
            issued_by: r.issued_by.clone(),
        };
        tx.adopt(r.isrc, r.origin, &new)?;
        tx.log(&event(EventKind::Import, &row))?;
        summary.recordings_imported += 1;
        Ok(())
    })?;
    for_each(staged, "WHERE new_audio = 1 ORDER BY id", |row| {
        if let Some(audio) = &row.audio {
            tx.bind_audio(audio)?;
            let path = Some(audio.first_path.clone()).filter(|path| !path.is_empty());
            tx.log(&NewEvent { audio_id: Some(audio.audio_id.clone()), path, ..event(EventKind::Import, &row) })?;
            summary.audio_imported += 1;
        }
        Ok(())
    })?;
    // Void codes are voided once their audio ids are bound.
    for_each(staged, "WHERE new_code = 1 ORDER BY depth, isrc", |row| {
        if let (Status::Void, Some(reason)) = (row.recording.status, &row.recording.void_reason) {
            tx.void(row.recording.isrc, reason)?;
            tx.log(&NewEvent {
                detail: format!("{reason} ({source}, line {})", row.line),
                ..event(EventKind::Void, &row)
            })?;
        }
        Ok(())
    })?;
    for update in updates {
        tx.edit_metadata(update.isrc, &update.edit)?;
        tx.log(&NewEvent {
            isrc: Some(update.isrc),
            detail: format!("{} ({source}, --update)", update.detail),
            ..NewEvent::new(&defaults.user, defaults.at, EventKind::Edit)
        })?;
        summary.recordings_updated += 1;
    }
    for (line, release) in releases {
        apply_release(tx, release, line, source, options, &defaults, &mut summary)?;
    }
    Ok(summary)
}

/// Enters a release the file names, or compares it with the one the ledger holds:
/// corrected with `--update`, else each difference reported.
fn apply_release(
    tx: &mut dyn LedgerTx,
    release: Release,
    line: u64,
    source: &str,
    options: &ImportOptions,
    defaults: &super::Defaults,
    summary: &mut ImportSummary,
) -> Result<(), ImportError> {
    let upc = release.upc.as_typed().to_owned();
    let differ = match tx.release(&release.upc)? {
        None => Vec::new(),
        Some(held) => release_differences(&release, &held),
    };
    if tx.release(&release.upc)?.is_some() && differ.is_empty() {
        return Ok(());
    }
    if !differ.is_empty() && !options.update {
        summary.differences.extend(differ.into_iter().map(|(field, file, ledger)| Difference {
            line,
            what: upc.clone(),
            field,
            file,
            ledger,
        }));
        return Ok(());
    }
    let new = tx.put_release(&release)?;
    summary.codes_filled_from_releases +=
        crate::ledger::fill_from_release(tx, &release, &defaults.user, defaults.at, source)?.len();
    let detail = if new {
        format!("release {upc} {:?}, {} tracks ({source}, line {line})", release.title, release.tracks.len())
    } else {
        let changes: Vec<String> =
            differ.iter().map(|(field, file, ledger)| format!("{field} {ledger} -> {file}")).collect();
        format!("release {upc}: {} ({source}, line {line}, --update)", changes.join("; "))
    };
    for track in &release.tracks {
        tx.log(&NewEvent {
            isrc: Some(track.isrc),
            detail: format!("{detail}: disc {} track {}", track.disc, track.number),
            ..NewEvent::new(&defaults.user, defaults.at, EventKind::Release)
        })?;
    }
    if new {
        summary.releases_imported += 1;
    } else {
        summary.releases_updated += 1;
    }
    Ok(())
}

/// The fields where a release differs from the one the ledger holds: (field, file, ledger).
fn release_differences(file: &Release, held: &Release) -> Vec<(String, String, String)> {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let tracks = |release: &Release| {
        release.tracks.iter().map(|t| format!("{}-{} {}", t.disc, t.number, t.isrc)).collect::<Vec<_>>().join(", ")
    };
    [
        ("title", file.title.clone(), held.title.clone()),
        ("artist", text(&file.artist), text(&held.artist)),
        ("date", text(&file.date), text(&held.date)),
        ("p_line", text(&file.p_line), text(&held.p_line)),
        ("tracks", tracks(file), tracks(held)),
    ]
    .into_iter()
    .filter(|(_, a, b)| a != b)
    .map(|(field, a, b)| (field.to_owned(), a, b))
    .collect()
}

/// The releases the file names (rows with a UPC/EAN): one per UPC/EAN, its title, artist,
/// date and (P) line from its rows (which must agree), its tracks by disc and number (rows
/// without a number are numbered after the others, in file order). With the line of each
/// release's first row.
fn gather_releases(staged: &mut Staged, summary: &mut ImportSummary) -> Result<Vec<(u64, Release)>, ImportError> {
    // By EAN-13 digits: the line of its first row, the release, the line of each track.
    let mut releases: std::collections::BTreeMap<String, (u64, Release, Vec<u64>)> = std::collections::BTreeMap::new();
    let mut problems = Vec::new();
    let at = staged.defaults.at;
    for_each(staged, "ORDER BY id", |row| {
        let Some(cells) = &row.release else { return Ok(()) };
        let Some(upc) = cells.upc else {
            summary.release_rows_without_upc += 1;
            return Ok(());
        };
        let r = &row.recording;
        let entry = releases.entry(upc.as_str().to_owned()).or_insert_with(|| {
            let release = Release {
                upc,
                title: cells.title.clone().unwrap_or_default(),
                artist: r.artist.clone(),
                label: None,
                date: cells.date.clone(),
                p_line: cells.p_line.clone(),
                c_line: None,
                created_at: at,
                tracks: Vec::new(),
            };
            (row.line, release, Vec::new())
        });
        let (first, release, places) = entry;
        let mut clash = |field: &str, here: &Option<String>, there: &Option<String>| {
            if here.is_some() && there.is_some() && here != there {
                problems.push(bad(
                    &row,
                    format!("release {} has {field} {there:?} on line {first}, {here:?} here", upc.as_typed()),
                ));
            }
        };
        clash("title", &cells.title, &Some(release.title.clone()).filter(|t| !t.is_empty()));
        clash("date", &cells.date, &release.date);
        clash("p_line", &cells.p_line, &release.p_line);
        if release.title.is_empty() {
            release.title = cells.title.clone().unwrap_or_default();
        }
        release.date = release.date.take().or(cells.date.clone());
        release.p_line = release.p_line.take().or(cells.p_line.clone());
        places.push(row.line);
        release.tracks.push(crate::ledger::ReleaseTrack {
            disc: cells.disc,
            number: cells.track.unwrap_or(0),
            isrc: r.isrc,
        });
        Ok(())
    })?;
    let mut out = Vec::new();
    for (first, mut release, places) in releases.into_values() {
        if release.title.trim().is_empty() {
            problems.push(RowError::new(
                first,
                None,
                format!("release {} has no title (a Release Title column)", release.upc.as_typed()),
            ));
            continue;
        }
        // Rows without a number follow the numbered ones on their disc, in file order.
        let mut next: std::collections::BTreeMap<u32, u32> = std::collections::BTreeMap::new();
        for track in &release.tracks {
            let top = next.entry(track.disc).or_insert(0);
            *top = (*top).max(track.number);
        }
        for track in &mut release.tracks {
            if track.number == 0 {
                let top = next.entry(track.disc).or_insert(0);
                *top += 1;
                track.number = *top;
            }
        }
        let mut seen: std::collections::HashMap<(u32, u32), crate::isrc::Isrc> = std::collections::HashMap::new();
        let mut kept = Vec::new();
        for (track, line) in release.tracks.iter().zip(&places) {
            match seen.insert((track.disc, track.number), track.isrc) {
                Some(other) if other != track.isrc => problems.push(RowError::new(
                    *line,
                    Some(track.isrc.to_string()),
                    format!(
                        "release {} disc {} track {} is {other} on another row",
                        release.upc.as_typed(),
                        track.disc,
                        track.number
                    ),
                )),
                Some(_) => {}
                None => kept.push(*track),
            }
        }
        kept.sort_by_key(|t| (t.disc, t.number));
        release.tracks = kept;
        out.push((first, release));
    }
    problems.into_iter().for_each(|error| staged.problem(error));
    Ok(out)
}

/// Runs `each` on every staged row the `filter` (a `WHERE ... ORDER BY ...` clause)
/// selects, decoded, one at a time.
fn for_each(
    staged: &Staged,
    filter: &str,
    mut each: impl FnMut(ImportRow) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let mut stmt = staged.db.prepare(&format!("SELECT line, cells FROM row {filter}"))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (line, cells): (i64, String) = (r.get(0)?, r.get(1)?);
        if let Some(row) = staged.decode(line, &cells) {
            each(row)?;
        }
    }
    Ok(())
}

/// The first row of each code: a code the ledger holds must agree with the file on its
/// identity (status, origin, lineage, ...) and is then skipped; where only descriptive
/// fields differ, it is corrected with `--update` (returned) or the difference reported.
/// A new code must be the registrant's (a prefix the ledger holds, inside its range, a
/// year reached) unless `--foreign`, and its parent must be in the file or the ledger.
/// Marks the new codes, and the codes void in the ledger.
fn check_codes(
    tx: &mut dyn LedgerTx,
    staged: &mut Staged,
    options: &ImportOptions,
    summary: &mut ImportSummary,
) -> Result<Vec<Update>, ImportError> {
    let mut problems = Vec::new();
    let mut marks: Vec<(String, &'static str)> = Vec::new();
    let mut updates = Vec::new();
    let prefixes: std::collections::HashMap<_, _> =
        tx.prefixes()?.into_iter().map(|record| (record.prefix, record.range)).collect();
    for_each(staged, "WHERE first_of_code = 1 ORDER BY isrc", |row| {
        let code = row.recording.isrc;
        if let Some(existing) = tx.recording(code)? {
            let mut identity = Vec::new();
            let mut descriptive = Vec::new();
            for column in row.given.iter().filter(|column| column.is_code()) {
                let here = column.render(&row.recording, None);
                let there = column.render(&existing, None);
                if here == there {
                    continue;
                }
                if DESCRIPTIVE.contains(column) {
                    descriptive.push((*column, here, there));
                } else {
                    identity.push(format!("{} {here:?} here, {there:?} in the ledger", column.name()));
                }
            }
            if !identity.is_empty() {
                problems.push(bad(&row, format!("already in the ledger with other data: {}", identity.join(", "))));
            } else if !descriptive.is_empty() && options.update && existing.status == Status::Active {
                updates.push(update_of(&row, &descriptive));
            } else if !descriptive.is_empty() {
                summary.differences.extend(descriptive.into_iter().map(|(column, file, ledger)| Difference {
                    line: row.line,
                    what: code.to_string(),
                    field: column.name().to_owned(),
                    file,
                    ledger,
                }));
            }
            if existing.status == Status::Void {
                marks.push((code.to_string(), "void_in_ledger"));
            }
            summary.recordings_skipped += 1;
            return Ok(());
        }
        if !options.foreign
            && let Some(why) = not_ours(code, &prefixes, options.this_year)
        {
            problems.push(RowError { another_registrant: true, ..bad(&row, why) });
        }
        marks.push((code.to_string(), "new_code"));
        if let Some(parent) = row.recording.parent
            && !in_file(&staged.db, parent.as_str())?
            && tx.recording(parent)?.is_none()
        {
            problems.push(bad(&row, format!("parent {parent} is neither in the file nor in the ledger")));
        }
        Ok(())
    })?;
    for (code, column) in marks {
        staged.db.execute(&format!("UPDATE row SET {column} = 1 WHERE isrc = ?1 AND first_of_code = 1"), [code])?;
    }
    problems.into_iter().for_each(|error| staged.problem(error));
    Ok(updates)
}

/// Why a code is not one this ledger's registrant issued, if it is not: a prefix the
/// ledger does not hold, a designation outside its range, or a year of reference not
/// reached yet (two digits after this year's and before 86, when ISRCs began).
fn not_ours(
    code: crate::isrc::Isrc,
    prefixes: &std::collections::HashMap<crate::isrc::Prefix, crate::isrc::DesignationRange>,
    this_year: u8,
) -> Option<String> {
    let Some(range) = prefixes.get(&code.prefix()) else {
        return Some(format!("{code} is of prefix {}, which the ledger does not hold", code.prefix()));
    };
    if !(range.first..=range.last).contains(&code.designation()) {
        return Some(format!("{code} is outside the range {range} of prefix {}", code.prefix()));
    }
    if code.year() > this_year && code.year() < 86 {
        return Some(format!("{code} has the year of reference {:02}, not reached yet", code.year()));
    }
    None
}

/// The correction of a code's descriptive fields, with its event's words.
fn update_of(row: &ImportRow, fields: &[(Column, String, String)]) -> Update {
    let r = &row.recording;
    let mut edit = crate::ledger::MetadataEdit::default();
    let mut changes = Vec::new();
    for (column, file, ledger) in fields {
        changes.push(format!("{} {ledger:?} -> {file:?}", column.name()));
        match column {
            Column::Title => edit.title = Some(r.title.clone().unwrap_or_default()),
            Column::Artist => edit.artist = Some(r.artist.clone().unwrap_or_default()),
            Column::VersionNote => edit.version_note = Some(r.version_note.clone().unwrap_or_default()),
            Column::DeclaredDuration => edit.declared_ms = r.declared_ms,
            Column::ContentType => edit.content_type = Some(r.publication.content_type),
            Column::PDate => edit.p_date = Some(r.publication.p_date.clone().unwrap_or_default()),
            Column::PLineYear => edit.p_line_year = Some(r.publication.p_line_year),
            Column::PLineOwner => edit.p_line_owner = Some(r.publication.p_line_owner.clone().unwrap_or_default()),
            Column::ParentalWarning => edit.parental_warning = Some(r.publication.parental_warning),
            _ => {}
        }
    }
    Update { isrc: r.isrc, edit, detail: format!("line {}: {}", row.line, changes.join("; ")) }
}

/// The first row of each audio id, against the ledger: new (marked), already bound to
/// the same code with the same numbers (skipped), or a bad row.
fn check_audio(tx: &mut dyn LedgerTx, staged: &mut Staged, summary: &mut ImportSummary) -> Result<(), ImportError> {
    let mut problems = Vec::new();
    let mut new = Vec::new();
    let void_codes: std::collections::HashSet<String> = {
        let mut stmt = staged.db.prepare("SELECT isrc FROM row WHERE void_in_ledger = 1")?;
        let codes = stmt.query_map([], |r| r.get::<_, String>(0))?;
        codes.collect::<rusqlite::Result<_>>()?
    };
    for_each(staged, "WHERE first_of_audio = 1 ORDER BY id", |row| {
        let Some(audio) = &row.audio else { return Ok(()) };
        match tx.code_for_audio(&audio.audio_id)? {
            Some(bound) if bound != audio.isrc => {
                problems.push(bad(&row, format!("audio id {} is bound to {bound} in the ledger", audio.audio_id)));
                summary.audio_skipped += 1;
            }
            Some(_) => {
                let stored = tx.audio_for_code(audio.isrc)?.into_iter().find(|a| a.audio_id == audio.audio_id);
                if let Some(stored) = stored {
                    let differ = audio_differences(&row, audio, &stored);
                    if !differ.is_empty() {
                        let message = format!(
                            "audio id {} is in the ledger with other data: {}",
                            audio.audio_id,
                            differ.join(", ")
                        );
                        problems.push(bad(&row, message));
                    }
                }
                summary.audio_skipped += 1;
            }
            None if void_codes.contains(audio.isrc.as_str()) => {
                problems
                    .push(bad(&row, format!("{} is void in the ledger: no audio id can be bound to it", audio.isrc)));
            }
            None => new.push(audio.audio_id.to_string()),
        }
        Ok(())
    })?;
    for audio_id in new {
        staged.db.execute("UPDATE row SET new_audio = 1 WHERE audio_id = ?1 AND first_of_audio = 1", [audio_id])?;
    }
    problems.into_iter().for_each(|error| staged.problem(error));
    Ok(())
}

/// Numbers the new codes so that each comes after its parent when the parent is new
/// too (`depth`); a loop of parents is a bad row for each code in it.
fn order_parents_first(staged: &mut Staged) -> Result<(), ImportError> {
    staged.db.execute_batch(
        "UPDATE row SET depth = 0 WHERE new_code = 1 AND (parent IS NULL
             OR parent NOT IN (SELECT isrc FROM row WHERE new_code = 1))",
    )?;
    for depth in 0i64.. {
        let changed = staged.db.execute(
            "UPDATE row SET depth = ?1 + 1 WHERE new_code = 1 AND depth IS NULL
                 AND parent IN (SELECT isrc FROM row WHERE new_code = 1 AND depth = ?1)",
            [depth],
        )?;
        if changed == 0 {
            break;
        }
    }
    let mut looping = Vec::new();
    for_each(staged, "WHERE new_code = 1 AND depth IS NULL ORDER BY isrc", |row| {
        looping.push(bad(&row, "its parent chain loops back to itself".into()));
        Ok(())
    })?;
    looping.into_iter().for_each(|error| staged.problem(error));
    Ok(())
}

/// The audio columns the row gives that differ from the ledger's record.
fn audio_differences(row: &ImportRow, audio: &AudioRecord, stored: &AudioRecord) -> Vec<String> {
    Column::ALL
        .iter()
        .copied()
        .filter(|column| column.is_audio() && row.given.contains(column))
        .filter_map(|column| {
            let here = column.render(&row.recording, Some(audio));
            let there = column.render(&row.recording, Some(stored));
            (here != there).then(|| format!("{} {here:?} here, {there:?} in the ledger", column.name()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isrc::Isrc;
    use crate::ledger::exchange::{Defaults, entries, parse, stage, write_csv, write_json};
    use crate::ledger::{Ledger, Lookup, Origin, SqliteLedger};

    const A1: &str = "pcm1:00000000000000000000000000000000000000000000000000000000000000a1";
    const A2: &str = "pcm1:00000000000000000000000000000000000000000000000000000000000000a2";

    fn defaults() -> Defaults {
        Defaults { user: "importer".into(), at: 1_767_225_600, header: Default::default() }
    }

    /// Stages `text` and imports it in one transaction, as `ledger import --foreign` does.
    fn run(ledger: &mut SqliteLedger, text: &str) -> Result<ImportSummary, ImportError> {
        run_with(ledger, text, &ImportOptions { foreign: true, update: false, this_year: 26 })
    }

    /// Stages `text` and imports it in one transaction with `options`.
    fn run_with(ledger: &mut SqliteLedger, text: &str, options: &ImportOptions) -> Result<ImportSummary, ImportError> {
        let mut staged = stage(text.as_bytes(), &defaults()).unwrap();
        let ledger: &mut dyn Ledger = ledger;
        ledger.transaction(|tx| import(tx, &mut staged, "list.csv", options))
    }

    fn bad_lines(result: Result<ImportSummary, ImportError>) -> Vec<(u64, String)> {
        match result {
            Err(ImportError::Rows(bad)) => bad.shown.into_iter().map(|e| (e.line, e.message)).collect(),
            other => panic!("expected bad rows, got {other:?}"),
        }
    }

    fn csv(ledger: &mut SqliteLedger) -> String {
        let mut out = Vec::new();
        write_csv(&entries(ledger).unwrap(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    const FULL: &str = "isrc,title,status,origin,parent,relation,issued_at,issued_by,void_reason,\
                        audio_id,frames,sample_rate,channels,bits,first_path,added_at\n\
                        QZTST2600002,'=HYPERLINK(\"http://x\"),active,issued,QZTST2600001,edit,2026-01-02T00:00:00Z,ann,,,,,,,,\n\
                        QZTST2600001,Parent,void,issued,,,2026-01-01T00:00:00Z,ann,mistake,\
                        pcm1:00000000000000000000000000000000000000000000000000000000000000a1,10,44100,2,16,/m/a.wav,2026-01-01T00:00:01Z\n\
                        QZTST2600001,Parent,void,issued,,,2026-01-01T00:00:00Z,ann,mistake,\
                        pcm1:00000000000000000000000000000000000000000000000000000000000000a2,20,48000,2,24,/m/b.flac,2026-01-01T00:00:02Z\n\
                        GBBBB9905305,Theirs,,,,,,,,,,,,,,\n";

    #[test]
    fn children_before_parents_void_codes_and_round_trips() {
        let mut ledger = SqliteLedger::open_in_memory().unwrap();
        let summary = run(&mut ledger, FULL).unwrap();
        assert_eq!(
            summary,
            ImportSummary {
                recordings_imported: 3,
                recordings_skipped: 0,
                audio_imported: 2,
                audio_skipped: 0,
                ..ImportSummary::default()
            }
        );
        let parent = ledger.recording(Isrc::parse("QZTST2600001").unwrap()).unwrap().unwrap();
        assert_eq!((parent.status, parent.void_reason.as_deref()), (Status::Void, Some("mistake")));
        assert_eq!(
            (parent.origin, parent.issued_by.as_str(), parent.issued_at),
            (Origin::Issued, "ann", Some(1_767_225_600))
        );
        let theirs = ledger.recording(Isrc::parse("GBBBB9905305").unwrap()).unwrap().unwrap();
        assert_eq!((theirs.origin, theirs.issued_by.as_str()), (Origin::Imported, "importer"));
        let child = ledger.recording(Isrc::parse("QZTST2600002").unwrap()).unwrap().unwrap();
        assert_eq!(child.title.as_deref(), Some("=HYPERLINK(\"http://x\")"));
        assert_eq!(
            ledger.events_for(parent.isrc).unwrap().iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["import", "import", "import", "void"]
        );

        // export -> import into a fresh ledger -> export: identical, as CSV and as JSON.
        let first = csv(&mut ledger);
        assert!(first.contains("'=HYPERLINK"), "{first}");
        let mut fresh = SqliteLedger::open_in_memory().unwrap();
        run(&mut fresh, &first).unwrap();
        assert_eq!(csv(&mut fresh), first);
        let mut json = Vec::new();
        write_json(&entries(&mut ledger).unwrap(), &mut json).unwrap();
        let mut from_json = SqliteLedger::open_in_memory().unwrap();
        run(&mut from_json, std::str::from_utf8(&json).unwrap()).unwrap();
        let mut again = Vec::new();
        write_json(&entries(&mut from_json).unwrap(), &mut again).unwrap();
        assert_eq!(again, json);
        assert_eq!(csv(&mut from_json), first);
    }

    #[test]
    fn only_the_first_hundred_problems_are_kept_and_every_bad_row_is_counted() {
        let mut text = String::from("isrc\n");
        for n in 0..250 {
            text.push_str(&format!("bad{n}\n"));
        }
        let staged = stage(text.as_bytes(), &defaults()).unwrap();
        let bad = staged.bad_rows().unwrap();
        assert_eq!(bad.rows, 250);
        assert_eq!(bad.shown.len(), crate::ledger::exchange::SHOWN_ERRORS);
        assert_eq!(bad.shown.first().map(|e| e.line), Some(2), "the first lines are the ones shown");
        assert_eq!(bad.shown.last().map(|e| e.line), Some(101));
    }

    #[test]
    fn importing_again_skips_what_is_there() {
        let mut ledger = SqliteLedger::open_in_memory().unwrap();
        run(&mut ledger, FULL).unwrap();
        let before = csv(&mut ledger);
        let summary = run(&mut ledger, FULL).unwrap();
        assert_eq!(
            summary,
            ImportSummary {
                recordings_imported: 0,
                recordings_skipped: 3,
                audio_imported: 0,
                audio_skipped: 2,
                ..ImportSummary::default()
            }
        );
        // A plain list naming the same codes (defaults are not compared) is skipped too.
        let summary = run(&mut ledger, "isrc,title\nGBBBB9905305,Theirs\nQZTST2600001,Parent\n").unwrap();
        assert_eq!(summary.recordings_skipped, 2);
        assert_eq!(csv(&mut ledger), before);
    }

    #[test]
    fn conflicts_with_the_ledger_and_within_the_file_are_bad_rows_and_nothing_is_written() {
        let mut ledger = SqliteLedger::open_in_memory().unwrap();
        run(&mut ledger, FULL).unwrap();
        let before = csv(&mut ledger);
        let text = format!(
            "isrc,title,parent,audio_id,frames,sample_rate,channels,bits\n\
             GBBBB9905305,Other title,,,,,,\n\
             USPR37300012,New,,{A2},20,48000,2,24\n\
             USPR37300013,New,USPR37399999,,,,,\n\
             USPR37300014,A,,,,,,\n\
             USPR37300014,B,,,,,,\n\
             QZTST2600001,Parent,,pcm1:{},1,1,1,1\n\
             USPR37300015,Loop,USPR37300016,,,,,\n\
             USPR37300016,Loop,USPR37300015,,,,,\n\
             USPR37300017,Fine,,,,,,\n",
            "b".repeat(64)
        );
        let bad = bad_lines(run(&mut ledger, &text));
        let lines: Vec<u64> = bad.iter().map(|(line, _)| *line).collect();
        // Line 2 only differs in its title: a difference, not a bad row.
        assert_eq!(lines, [3, 4, 6, 7, 8, 9], "{bad:#?}");
        assert!(bad[0].1.contains("is bound to QZTST2600001"), "{bad:#?}");
        assert!(bad[1].1.contains("parent USPR37399999 is neither"), "{bad:#?}");
        assert!(bad[2].1.contains("differs from line 5"), "{bad:#?}");
        assert!(bad[3].1.contains("void in the ledger"), "{bad:#?}");
        assert!(bad[4].1.contains("loops"), "{bad:#?}");
        assert_eq!(csv(&mut ledger), before, "all or nothing");
    }

    #[test]
    fn a_different_title_is_a_difference_and_update_corrects_it_with_an_event() {
        let mut ledger = SqliteLedger::open_in_memory().unwrap();
        run(&mut ledger, FULL).unwrap();
        let before = csv(&mut ledger);
        let corrected = "isrc,title\nGBBBB9905305,Harbour Lights\n";
        let summary = run(&mut ledger, corrected).unwrap();
        assert_eq!(summary.differences.len(), 1, "{summary:?}");
        let d = &summary.differences[0];
        assert_eq!((d.line, d.what.as_str(), d.field.as_str()), (2, "GBBBB9905305", "title"));
        assert_eq!((d.file.as_str(), d.ledger.as_str()), ("Harbour Lights", "Theirs"));
        assert_eq!(csv(&mut ledger), before, "without --update the ledger is kept");
        let update = ImportOptions { foreign: true, update: true, this_year: 26 };
        let summary = run_with(&mut ledger, corrected, &update).unwrap();
        assert_eq!((summary.recordings_updated, summary.differences.len()), (1, 0));
        let code = Isrc::parse("GBBBB9905305").unwrap();
        assert_eq!(ledger.recording(code).unwrap().unwrap().title.as_deref(), Some("Harbour Lights"));
        let event = ledger.events_for(code).unwrap().pop().unwrap();
        assert_eq!(event.action, EventKind::Edit);
        assert!(event.detail.contains("\"Theirs\" -> \"Harbour Lights\""), "{}", event.detail);
    }

    #[test]
    fn another_registrants_codes_need_foreign() {
        let mut ledger = SqliteLedger::open_in_memory().unwrap();
        let prefix = crate::isrc::Prefix::parse("QZTST").unwrap();
        ledger.add_prefix(prefix, crate::isrc::DesignationRange { first: 1, last: 500 }, 0).unwrap();
        let ours = ImportOptions { foreign: false, update: false, this_year: 26 };
        let text = "isrc\nQZTST2600001\nGBBBB9905305\nQZTST2600777\nQZTST3000001\n";
        let bad = bad_lines(run_with(&mut ledger, text, &ours));
        assert_eq!(bad.iter().map(|(line, _)| *line).collect::<Vec<_>>(), [3, 4, 5], "{bad:#?}");
        assert!(bad[0].1.contains("prefix GB-BBB") && !bad[0].1.contains("--foreign"), "{bad:#?}");
        assert!(bad[1].1.contains("outside the range"), "{bad:#?}");
        assert!(bad[2].1.contains("not reached yet"), "{bad:#?}");
        let foreign = ImportOptions { foreign: true, ..ours };
        assert_eq!(run_with(&mut ledger, text, &foreign).unwrap().recordings_imported, 4);
    }

    #[test]
    fn a_distributors_spreadsheet_brings_its_releases_and_keeps_its_durations() {
        let mut ledger = SqliteLedger::open_in_memory().unwrap();
        let text = "ISRC,Track Title,Artist,Release Title,UPC,Track #,Duration\n\
                    GBLBL2300001,Harbour Lights,Lumen,Harbour EP,036000291452,1,3:45\n\
                    GBLBL2300002,Slow Tide,Lumen,Harbour EP,036000291452,2,4:02.5\n\
                    GBLBL2300002,Slow Tide,Lumen,Best Of,4006381333931,7,4:02.5\n";
        let summary = run(&mut ledger, text).unwrap();
        assert_eq!((summary.recordings_imported, summary.releases_imported), (2, 2), "{summary:?}");
        let first = ledger.recording(Isrc::parse("GBLBL2300001").unwrap()).unwrap().unwrap();
        assert_eq!(
            (first.title.as_deref(), first.declared_ms, first.issued_at),
            (Some("Harbour Lights"), Some(225_000), None)
        );
        let ep = ledger.release(&crate::isrc::Catalog::parse("036000291452").unwrap()).unwrap().unwrap();
        assert_eq!((ep.title.as_str(), ep.upc.as_typed(), ep.tracks.len()), ("Harbour EP", "036000291452", 2));
        let second = Isrc::parse("GBLBL2300002").unwrap();
        let places: Vec<(String, u32)> =
            ledger.tracks_of(second).unwrap().iter().map(|(upc, t)| (upc.as_typed().to_owned(), t.number)).collect();
        assert_eq!(places, [("036000291452".to_owned(), 2), ("4006381333931".to_owned(), 7)]);
        // The same sheet again: nothing new, no difference.
        let again = run(&mut ledger, text).unwrap();
        assert_eq!((again.recordings_imported, again.releases_imported, again.differences.len()), (0, 0, 0));
    }

    #[test]
    fn publication_fields_come_in_by_their_names_round_trip_and_update_corrects_them() {
        let mut ledger = SqliteLedger::open_in_memory().unwrap();
        let text = "ISRC,Track Title,Artist,Content Type,First Publication Date,P Line Year,P Line Owner,Explicit\n\
                    GBLBL2300001,Harbour Lights,Lumen,audio,2023-05-12,2023,Harbour Records,Yes\n\
                    GBLBL2300002,Slow Tide,Lumen,Video,2023,,,Clean\n\
                    GBLBL2300003,Deep Water,Lumen,,,,,\n";
        run(&mut ledger, text).unwrap();
        let held = |ledger: &mut SqliteLedger, code: &str| {
            ledger.recording(Isrc::parse(code).unwrap()).unwrap().unwrap().publication
        };
        let first = held(&mut ledger, "GBLBL2300001");
        assert_eq!(first.p_date.as_deref(), Some("2023-05-12"));
        assert_eq!(first.p_line().as_deref(), Some("2023 Harbour Records"));
        assert_eq!(first.parental_warning, Some(crate::ledger::ParentalWarning::Explicit));
        let second = held(&mut ledger, "GBLBL2300002");
        assert_eq!((second.content_type, second.p_date.as_deref()), (crate::ledger::ContentType::Video, Some("2023")));
        assert_eq!(second.parental_warning, Some(crate::ledger::ParentalWarning::Clean));
        assert_eq!(held(&mut ledger, "GBLBL2300003"), crate::ledger::Publication::default());
        // The export carries them, and comes back byte for byte.
        let first_export = csv(&mut ledger);
        let header = first_export.lines().next().unwrap();
        assert!(header.ends_with(",content_type,p_date,p_line_year,p_line_owner,parental_warning"), "{header}");
        assert!(first_export.contains(",audio,2023-05-12,2023,Harbour Records,explicit\n"), "{first_export}");
        let mut fresh = SqliteLedger::open_in_memory().unwrap();
        run(&mut fresh, &first_export).unwrap();
        assert_eq!(csv(&mut fresh), first_export);
        // Another value is a difference, kept unless --update, which corrects it with an event.
        let corrected = "ISRC,P Date,Parental Warning\nGBLBL2300003,2022-11-30,not-explicit\n";
        let summary = run(&mut ledger, corrected).unwrap();
        let fields: Vec<&str> = summary.differences.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["p_date", "parental_warning"]);
        assert_eq!(held(&mut ledger, "GBLBL2300003").p_date, None);
        let update = ImportOptions { update: true, foreign: true, this_year: 26 };
        run_with(&mut ledger, corrected, &update).unwrap();
        let third = held(&mut ledger, "GBLBL2300003");
        assert_eq!(third.p_date.as_deref(), Some("2022-11-30"));
        assert_eq!(third.parental_warning, Some(crate::ledger::ParentalWarning::NotExplicit));
        let bad = "ISRC,P Date,P Line Year,Explicit\nGBLBL2300009,May 2023,23,maybe\n";
        let Err(ImportError::Rows(rows)) = run(&mut ledger, bad) else { panic!("refused") };
        assert_eq!(rows.shown.len(), 3, "{rows:?}");
    }

    #[test]
    fn a_release_gives_its_date_and_p_line_to_the_codes_that_have_none() {
        let mut ledger = SqliteLedger::open_in_memory().unwrap();
        let text = "ISRC,Track Title,Release Title,UPC,Track #,P Line,Release Date,P Date\n\
                    GBLBL2300001,Harbour Lights,Harbour EP,036000291452,1,2023 Harbour Records,2023-05-12,\n\
                    GBLBL2300002,Slow Tide,Harbour EP,036000291452,2,2023 Harbour Records,2023-05-12,2019\n";
        let summary = run(&mut ledger, text).unwrap();
        assert_eq!(summary.codes_filled_from_releases, 2);
        let first = ledger.recording(Isrc::parse("GBLBL2300001").unwrap()).unwrap().unwrap().publication;
        assert_eq!(
            (first.p_date.as_deref(), first.p_line().as_deref()),
            (Some("2023-05-12"), Some("2023 Harbour Records"))
        );
        let second = ledger.recording(Isrc::parse("GBLBL2300002").unwrap()).unwrap().unwrap().publication;
        assert_eq!(second.p_date.as_deref(), Some("2019"), "its own first publication is kept");
    }

    #[test]
    fn an_audio_id_in_the_ledger_with_other_numbers_is_a_bad_row() {
        let mut ledger = SqliteLedger::open_in_memory().unwrap();
        run(&mut ledger, FULL).unwrap();
        let text = format!("isrc,audio_id,frames,sample_rate,channels,bits\nQZTST2600001,{A1},11,44100,2,16\n");
        let bad = bad_lines(run(&mut ledger, &text));
        assert_eq!(bad.len(), 1);
        assert!(bad[0].1.contains("frames \"11\" here, \"10\" in the ledger"), "{bad:#?}");
        // The same audio id twice in one file with the same numbers is one audio id.
        let text = format!(
            "isrc,audio_id,frames,sample_rate,channels,bits\n\
             USPR37300012,{A2}x,1,1,1,1\n"
        );
        assert!(!parse(text.as_bytes(), &defaults()).errors.is_empty());
        let mut fresh = SqliteLedger::open_in_memory().unwrap();
        fresh
            .add_prefix(
                crate::isrc::Prefix::parse("USPR3").unwrap(),
                crate::isrc::DesignationRange { first: 1, last: 99_999 },
                0,
            )
            .unwrap();
        let text = format!(
            "isrc,audio_id,frames,sample_rate,channels,bits\n\
             USPR37300012,{A1},1,1,1,1\n\
             USPR37300012,{A1},1,1,1,1\n\
             USPR37300013,{A1},1,1,1,1\n"
        );
        let bad = bad_lines(run(&mut fresh, &text));
        assert_eq!(bad.iter().map(|(line, _)| *line).collect::<Vec<_>>(), [4], "{bad:#?}");
        let text = format!(
            "isrc,audio_id,frames,sample_rate,channels,bits\nUSPR37300012,{A1},1,1,1,1\nUSPR37300012,{A1},1,1,1,1\n"
        );
        let summary = run(&mut fresh, &text).unwrap();
        assert_eq!((summary.audio_imported, summary.audio_skipped), (1, 1));
    }
}
