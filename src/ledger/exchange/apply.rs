//! Import, second pass: the staged rows ([`super::stage`]) checked against the ledger,
//! then written, all inside the caller's transaction, reading the scratch database one
//! row at a time.

use serde::Serialize;

use super::read::ImportRow;
use super::stage::{BadRows, Staged, in_file};
use super::{Column, RowError};
use crate::ledger::LedgerTx;
use crate::ledger::error::LedgerError;
use crate::ledger::types::{AudioRecord, NewEvent, NewRecording, Status};

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

/// Imports the staged rows in the caller's transaction (commit on `Ok`, roll back on
/// `Err`).
///
/// Every row is checked against the ledger first; any bad row (there, or found while
/// staging) gives [`ImportError::Rows`] and nothing is written. Then new codes are
/// adopted with the row's origin (parents before children), audio ids bound, void codes
/// voided, and an `import` event logged for each code and audio id, naming `source` and
/// the line.
pub fn import(tx: &mut dyn LedgerTx, staged: &mut Staged, source: &str) -> Result<ImportSummary, ImportError> {
    let mut summary = ImportSummary { audio_skipped: staged.repeated_audio, ..ImportSummary::default() };
    check_codes(tx, staged, &mut summary)?;
    check_audio(tx, staged, &mut summary)?;
    order_parents_first(staged)?;
    if let Some(bad) = staged.bad_rows() {
        return Err(ImportError::Rows(bad));
    }
    let defaults = staged.defaults.clone();
    let event = |action: &str, row: &ImportRow| NewEvent {
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
            issued_at: r.issued_at,
            issued_by: r.issued_by.clone(),
        };
        tx.adopt(r.isrc, r.origin, &new)?;
        tx.log(&event("import", &row))?;
        summary.recordings_imported += 1;
        Ok(())
    })?;
    for_each(staged, "WHERE new_audio = 1 ORDER BY id", |row| {
        if let Some(audio) = &row.audio {
            tx.bind_audio(audio)?;
            let path = Some(audio.first_path.clone()).filter(|path| !path.is_empty());
            tx.log(&NewEvent { audio_id: Some(audio.audio_id.clone()), path, ..event("import", &row) })?;
            summary.audio_imported += 1;
        }
        Ok(())
    })?;
    // Void codes are voided once their audio ids are bound.
    for_each(staged, "WHERE new_code = 1 ORDER BY depth, isrc", |row| {
        if let (Status::Void, Some(reason)) = (row.recording.status, &row.recording.void_reason) {
            tx.void(row.recording.isrc, reason)?;
            tx.log(&NewEvent { detail: format!("{reason} ({source}, line {})", row.line), ..event("void", &row) })?;
        }
        Ok(())
    })?;
    Ok(summary)
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

/// The first row of each code: a code the ledger holds must agree with the file on
/// every column the file gives (then it is skipped); a new code's parent must be in the
/// file or the ledger. Marks the new codes, and the codes void in the ledger.
fn check_codes(tx: &mut dyn LedgerTx, staged: &mut Staged, summary: &mut ImportSummary) -> Result<(), ImportError> {
    let mut problems = Vec::new();
    let mut marks: Vec<(String, &'static str)> = Vec::new();
    for_each(staged, "WHERE first_of_code = 1 ORDER BY isrc", |row| {
        let code = row.recording.isrc;
        if let Some(existing) = tx.recording(code)? {
            let differ: Vec<String> = row
                .given
                .iter()
                .filter(|column| !column.is_audio())
                .filter_map(|column| {
                    let here = column.render(&row.recording, None);
                    let there = column.render(&existing, None);
                    (here != there).then(|| format!("{} {here:?} here, {there:?} in the ledger", column.name()))
                })
                .collect();
            if !differ.is_empty() {
                problems.push(bad(&row, format!("already in the ledger with other data: {}", differ.join(", "))));
            }
            if existing.status == Status::Void {
                marks.push((code.to_string(), "void_in_ledger"));
            }
            summary.recordings_skipped += 1;
            return Ok(());
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
    Ok(())
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

/// A bad row.
pub(super) fn bad(row: &ImportRow, message: String) -> RowError {
    RowError { line: row.line, isrc: Some(row.recording.isrc.to_string()), message }
}

/// The columns where two rows differ, as `name "here" vs "there"`.
pub(super) fn differences(columns: impl Iterator<Item = Column>, here: &ImportRow, there: &ImportRow) -> Vec<String> {
    columns
        .filter_map(|column| {
            let a = column.render(&here.recording, here.audio.as_ref());
            let b = column.render(&there.recording, there.audio.as_ref());
            (a != b).then(|| format!("{} {a:?} vs {b:?}", column.name()))
        })
        .collect()
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
        Defaults { user: "importer".into(), at: 1_767_225_600 }
    }

    /// Stages `text` and imports it in one transaction, as `ledger import` does.
    fn run(ledger: &mut SqliteLedger, text: &str) -> Result<ImportSummary, ImportError> {
        let mut staged = stage(text.as_bytes(), &defaults()).unwrap();
        let ledger: &mut dyn Ledger = ledger;
        ledger.transaction(|tx| import(tx, &mut staged, "list.csv"))
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
