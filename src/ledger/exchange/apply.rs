//! Import, second half: checking the rows against each other and the ledger, then writing
//! them, all inside the caller's transaction.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::read::{Defaults, ImportRow};
use super::{Column, RowError};
use crate::isrc::Isrc;
use crate::ledger::LedgerTx;
use crate::ledger::error::LedgerError;
use crate::ledger::types::{AudioRecord, NewEvent, NewRecording, Recording, Status};

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Bad rows, in line order: the transaction must be rolled back.
    #[error("{} bad row(s), nothing imported", .0.len())]
    Rows(Vec<RowError>),
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// Codes added to the ledger.
    pub recordings_imported: usize,
    /// Codes the ledger already held with the same data.
    pub recordings_skipped: usize,
    /// Audio ids added to the ledger.
    pub audio_imported: usize,
    /// Audio ids the ledger already held with the same data (or repeated in the file).
    pub audio_skipped: usize,
}

/// One code of the file: its first row (the recording) and its new audio ids.
struct Group<'r> {
    /// The first row naming the code.
    row: &'r ImportRow,
    /// Rows with an audio id not seen before in the file.
    audio: Vec<&'r ImportRow>,
    /// What the ledger holds for the code, if anything.
    existing: Option<Recording>,
}

/// Imports checked rows in the caller's transaction (commit on `Ok`, roll back on `Err`).
///
/// Every row is checked against the others and the ledger first; any bad row gives
/// [`ImportError::Rows`] and nothing is written. Then new codes are adopted with the
/// row's origin (parents before children), audio ids bound, void codes voided, and an
/// `import` event logged for each code and audio id, naming `source` and the line.
pub fn import(
    tx: &mut dyn LedgerTx,
    rows: &[ImportRow],
    source: &str,
    defaults: &Defaults,
) -> Result<ImportSummary, ImportError> {
    let mut errors = Vec::new();
    let mut summary = ImportSummary::default();
    let mut groups = group(rows, &mut errors, &mut summary);
    for (isrc, group) in &mut groups {
        group.existing = tx.recording(*isrc)?;
    }
    for group in groups.values() {
        check_against_ledger(tx, group, &groups, &mut errors)?;
    }
    let mut new_audio = Vec::new();
    for group in groups.values() {
        for row in &group.audio {
            if check_audio(tx, group, row, &mut errors)? {
                new_audio.push(*row);
            } else {
                summary.audio_skipped += 1;
            }
        }
    }
    let order = parents_first(&groups, &mut errors);
    if !errors.is_empty() {
        errors.sort_by_key(|error| error.line);
        return Err(ImportError::Rows(errors));
    }
    let event = |action: &str, row: &ImportRow| NewEvent {
        isrc: Some(row.recording.isrc),
        detail: format!("{source}, line {}", row.line),
        ..NewEvent::new(&defaults.user, defaults.at, action)
    };
    for isrc in &order {
        let row = groups[isrc].row;
        let r = &row.recording;
        let new = NewRecording {
            title: r.title.clone(),
            artist: r.artist.clone(),
            version_note: r.version_note.clone(),
            parent: r.parent,
            relation: r.relation,
            issued_at: r.issued_at,
            issued_by: r.issued_by.clone(),
        };
        tx.adopt(*isrc, r.origin, &new)?;
        tx.log(&event("import", row))?;
    }
    for row in &new_audio {
        if let Some(audio) = &row.audio {
            tx.bind_audio(audio)?;
            let path = Some(audio.first_path.clone()).filter(|path| !path.is_empty());
            tx.log(&NewEvent { audio_id: Some(audio.audio_id.clone()), path, ..event("import", row) })?;
        }
    }
    for isrc in &order {
        let row = groups[isrc].row;
        if let (Status::Void, Some(reason)) = (row.recording.status, &row.recording.void_reason) {
            tx.void(*isrc, reason)?;
            tx.log(&NewEvent { detail: format!("{reason} ({source}, line {})", row.line), ..event("void", row) })?;
        }
    }
    summary.recordings_imported = order.len();
    summary.recordings_skipped = groups.len() - order.len();
    summary.audio_imported = new_audio.len();
    Ok(summary)
}

/// A bad row.
fn bad(row: &ImportRow, message: String) -> RowError {
    RowError { line: row.line, isrc: Some(row.recording.isrc.to_string()), message }
}

/// The recording columns (and, for audio rows, the audio columns) where two rows differ,
/// as `name "here" vs "there"`.
fn differences(columns: impl Iterator<Item = Column>, here: &ImportRow, there: &ImportRow) -> Vec<String> {
    columns
        .filter_map(|column| {
            let a = column.render(&here.recording, here.audio.as_ref());
            let b = column.render(&there.recording, there.audio.as_ref());
            (a != b).then(|| format!("{} {a:?} vs {b:?}", column.name()))
        })
        .collect()
}

/// Groups the rows by code; rows of one code must agree on the recording, an audio id
/// must appear with one code and one set of numbers.
fn group<'r>(
    rows: &'r [ImportRow],
    errors: &mut Vec<RowError>,
    summary: &mut ImportSummary,
) -> BTreeMap<Isrc, Group<'r>> {
    let mut groups: BTreeMap<Isrc, Group<'r>> = BTreeMap::new();
    let mut seen_audio: HashMap<&str, &ImportRow> = HashMap::new();
    for row in rows {
        let group =
            groups.entry(row.recording.isrc).or_insert_with(|| Group { row, audio: Vec::new(), existing: None });
        let recording_columns = Column::ALL.iter().copied().filter(|c| !c.is_audio());
        let differ = differences(recording_columns, row, group.row);
        if !differ.is_empty() {
            let message = format!("differs from line {} for the same code: {}", group.row.line, differ.join(", "));
            errors.push(bad(row, message));
            continue;
        }
        let Some(audio) = &row.audio else { continue };
        match seen_audio.get(audio.audio_id.as_str()) {
            None => {
                seen_audio.insert(audio.audio_id.as_str(), row);
                group.audio.push(row);
            }
            Some(earlier) => {
                let differ = differences(
                    Column::ALL.iter().copied().filter(|c| c.is_audio() || *c == Column::Isrc),
                    row,
                    earlier,
                );
                if differ.is_empty() {
                    summary.audio_skipped += 1;
                } else {
                    let message = format!(
                        "audio id {} is also on line {} with other data: {}",
                        audio.audio_id,
                        earlier.line,
                        differ.join(", ")
                    );
                    errors.push(bad(row, message));
                }
            }
        }
    }
    groups
}

/// A code the ledger holds must agree with the file on every column the file gives; a
/// new code's parent must be in the file or the ledger.
fn check_against_ledger(
    tx: &mut dyn LedgerTx,
    group: &Group<'_>,
    groups: &BTreeMap<Isrc, Group<'_>>,
    errors: &mut Vec<RowError>,
) -> Result<(), LedgerError> {
    let row = group.row;
    if let Some(existing) = &group.existing {
        let differ: Vec<String> = row
            .given
            .iter()
            .filter(|column| !column.is_audio())
            .filter_map(|column| {
                let here = column.render(&row.recording, None);
                let there = column.render(existing, None);
                (here != there).then(|| format!("{} {here:?} here, {there:?} in the ledger", column.name()))
            })
            .collect();
        if !differ.is_empty() {
            errors.push(bad(row, format!("already in the ledger with other data: {}", differ.join(", "))));
        }
        return Ok(());
    }
    if let Some(parent) = row.recording.parent
        && !groups.contains_key(&parent)
        && tx.recording(parent)?.is_none()
    {
        errors.push(bad(row, format!("parent {parent} is neither in the file nor in the ledger")));
    }
    Ok(())
}

/// Checks an audio row against the ledger: `true` if it is new, `false` if the ledger
/// already binds it to the same code with the same numbers.
fn check_audio(
    tx: &mut dyn LedgerTx,
    group: &Group<'_>,
    row: &ImportRow,
    errors: &mut Vec<RowError>,
) -> Result<bool, LedgerError> {
    let Some(audio) = &row.audio else { return Ok(false) };
    match tx.code_for_audio(&audio.audio_id)? {
        Some(bound) if bound != audio.isrc => {
            errors.push(bad(row, format!("audio id {} is bound to {bound} in the ledger", audio.audio_id)));
            Ok(false)
        }
        Some(_) => {
            let stored = tx.audio_for_code(audio.isrc)?.into_iter().find(|a| a.audio_id == audio.audio_id);
            if let Some(stored) = stored {
                let differ = audio_differences(row, audio, &stored);
                if !differ.is_empty() {
                    let message =
                        format!("audio id {} is in the ledger with other data: {}", audio.audio_id, differ.join(", "));
                    errors.push(bad(row, message));
                }
            }
            Ok(false)
        }
        None if group.existing.as_ref().is_some_and(|r| r.status == Status::Void) => {
            errors.push(bad(row, format!("{} is void in the ledger: no audio id can be bound to it", audio.isrc)));
            Ok(false)
        }
        None => Ok(true),
    }
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

/// The new codes, each after its parent when the parent is new too; a loop of parents is
/// a bad row for each code in it.
fn parents_first(groups: &BTreeMap<Isrc, Group<'_>>, errors: &mut Vec<RowError>) -> Vec<Isrc> {
    let new: Vec<Isrc> = groups.iter().filter(|(_, g)| g.existing.is_none()).map(|(isrc, _)| *isrc).collect();
    let is_new: HashSet<Isrc> = new.iter().copied().collect();
    let mut done: HashSet<Isrc> = HashSet::new();
    let mut order = Vec::with_capacity(new.len());
    while order.len() < new.len() {
        let before = order.len();
        for isrc in &new {
            let parent = groups[isrc].row.recording.parent;
            let ready = parent.is_none_or(|parent| !is_new.contains(&parent) || done.contains(&parent));
            if !done.contains(isrc) && ready {
                done.insert(*isrc);
                order.push(*isrc);
            }
        }
        if order.len() == before {
            for isrc in new.iter().filter(|isrc| !done.contains(isrc)) {
                let row = groups[isrc].row;
                errors.push(bad(row, "its parent chain loops back to itself".into()));
            }
            break;
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::exchange::{entries, parse, write_csv, write_json};
    use crate::ledger::{Ledger, Lookup, Origin, SqliteLedger};

    const A1: &str = "pcm1:00000000000000000000000000000000000000000000000000000000000000a1";
    const A2: &str = "pcm1:00000000000000000000000000000000000000000000000000000000000000a2";

    fn defaults() -> Defaults {
        Defaults { user: "importer".into(), at: 1_767_225_600 }
    }

    /// Parses `text` (which must be all good rows) and imports it in one transaction.
    fn run(ledger: &mut SqliteLedger, text: &str) -> Result<ImportSummary, ImportError> {
        let parsed = parse(text.as_bytes(), &defaults());
        assert!(parsed.errors.is_empty(), "{:#?}", parsed.errors);
        let ledger: &mut dyn Ledger = ledger;
        ledger.transaction(|tx| import(tx, &parsed.rows, "list.csv", &defaults()))
    }

    fn bad_lines(result: Result<ImportSummary, ImportError>) -> Vec<(u64, String)> {
        match result {
            Err(ImportError::Rows(errors)) => errors.into_iter().map(|e| (e.line, e.message)).collect(),
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
            ImportSummary { recordings_imported: 3, recordings_skipped: 0, audio_imported: 2, audio_skipped: 0 }
        );
        let parent = ledger.recording(Isrc::parse("QZTST2600001").unwrap()).unwrap().unwrap();
        assert_eq!((parent.status, parent.void_reason.as_deref()), (Status::Void, Some("mistake")));
        assert_eq!(
            (parent.origin, parent.issued_by.as_str(), parent.issued_at),
            (Origin::Issued, "ann", 1_767_225_600)
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
    fn importing_again_skips_what_is_there() {
        let mut ledger = SqliteLedger::open_in_memory().unwrap();
        run(&mut ledger, FULL).unwrap();
        let before = csv(&mut ledger);
        let summary = run(&mut ledger, FULL).unwrap();
        assert_eq!(
            summary,
            ImportSummary { recordings_imported: 0, recordings_skipped: 3, audio_imported: 0, audio_skipped: 2 }
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
        assert_eq!(lines, [2, 3, 4, 6, 7, 8, 9], "{bad:#?}");
        assert!(bad[0].1.contains("title \"Other title\" here, \"Theirs\" in the ledger"), "{bad:#?}");
        assert!(bad[1].1.contains("is bound to QZTST2600001"), "{bad:#?}");
        assert!(bad[2].1.contains("parent USPR37399999 is neither"), "{bad:#?}");
        assert!(bad[3].1.contains("differs from line 5"), "{bad:#?}");
        assert!(bad[4].1.contains("void in the ledger"), "{bad:#?}");
        assert!(bad[5].1.contains("loops"), "{bad:#?}");
        assert_eq!(csv(&mut ledger), before, "all or nothing");
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
