//! Import, first pass: the file read row by row ([`super::read`]), each row checked,
//! the good ones kept in a scratch database on disk, then the rows checked against one
//! another there (a code given twice with different data, an audio id given twice with
//! other numbers). Memory stays bounded whatever the file's size: one row at a time in
//! memory, the rest in the scratch file (SQLite with a 2 MiB cache), and the first
//! [`SHOWN_ERRORS`] problems kept with a count of the others.
//!
//! The scratch database is a sorting aid private to the import, whatever the ledger's
//! backend; it is removed when the import ends.

use std::collections::BinaryHeap;
use std::io::Read;

use rusqlite::{Connection, OptionalExtension, params};

use super::read::{self, Defaults, ImportRow, Raw, RowSink};
use super::{Column, RowError};

/// Problems kept to be printed; the others are counted.
pub const SHOWN_ERRORS: usize = 100;

/// The rows of a file, checked and waiting to be applied ([`super::import`]).
pub struct Staged {
    /// The scratch database.
    pub(super) db: Connection,
    /// Its file, removed when dropped.
    _file: tempfile::NamedTempFile,
    /// The problems found so far.
    pub(super) errors: Errors,
    /// Header names (or JSON keys) that name no column and were not left out
    /// (`--ignore`): the file is refused for them.
    pub unknown: Vec<String>,
    /// The defaults rows were checked with (and are decoded with again).
    pub(super) defaults: Defaults,
    /// Rows whose audio id repeats an earlier row's with the same data.
    pub(super) repeated_audio: usize,
}

/// The problems of an import: the first [`SHOWN_ERRORS`] by line, and how many rows
/// have any.
#[derive(Debug, Default)]
pub(super) struct Errors {
    /// Max-heap by line of the kept problems (the smallest lines are kept).
    kept: BinaryHeap<(u64, u64, RowErrorOrd)>,
    /// Problems seen, for a stable order among those of one line.
    seen: u64,
}

/// A [`RowError`] in a heap (ordered by line only, through the tuple's first fields).
#[derive(Debug, PartialEq, Eq)]
struct RowErrorOrd(RowError);

impl PartialOrd for RowErrorOrd {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RowErrorOrd {
    fn cmp(&self, _other: &Self) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}

/// Bad rows: the first problems, by line, and the number of rows with any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRows {
    /// The first [`SHOWN_ERRORS`] problems, by line.
    pub shown: Vec<RowError>,
    /// Rows with a problem.
    pub rows: u64,
}

impl Staged {
    /// Records a problem of a row.
    pub(super) fn problem(&mut self, error: RowError) {
        let _ = self.db.execute("INSERT OR IGNORE INTO bad (line) VALUES (?1)", [to_i64(error.line)]);
        self.errors.push(error);
    }

    /// Whether any row has a problem.
    pub fn has_problems(&self) -> bool {
        self.errors.seen > 0
    }

    /// The problems found, if any.
    pub fn bad_rows(&self) -> Option<BadRows> {
        if !self.has_problems() {
            return None;
        }
        let rows = self.db.query_row("SELECT count(*) FROM bad", [], |row| row.get::<_, i64>(0)).unwrap_or(0);
        let mut shown: Vec<(u64, u64, RowError)> =
            self.errors.kept.iter().map(|(line, seq, error)| (*line, *seq, error.0.clone())).collect();
        shown.sort_by_key(|(line, seq, _)| (*line, *seq));
        Some(BadRows { shown: shown.into_iter().map(|(_, _, e)| e).collect(), rows: u64::try_from(rows).unwrap_or(0) })
    }

    /// A stored row (its line and cells) checked again into an [`ImportRow`].
    pub(super) fn decode(&self, line: i64, cells: &str) -> Option<ImportRow> {
        let raw = decode_raw(line, cells)?;
        read::check_row(&raw, &self.defaults).ok()
    }
}

impl Errors {
    fn push(&mut self, error: RowError) {
        self.seen += 1;
        self.kept.push((error.line, self.seen, RowErrorOrd(error)));
        if self.kept.len() > SHOWN_ERRORS {
            self.kept.pop();
        }
    }
}

/// Reads and checks every row of `input` into a scratch database, then checks the rows
/// against one another. Fails only when the file or the scratch database cannot be used.
#[cfg(test)]
pub fn stage(input: impl Read, defaults: &Defaults) -> std::io::Result<Staged> {
    stage_in(input, defaults, None)
}

/// The name every scratch file of an import starts with.
pub const SCRATCH_PREFIX: &str = ".isrc-stamp-import-";

/// [`stage`], with the scratch file in `folder` (beside an SQLite ledger, so that it is
/// on the ledger's disk and found again: [`remove_stale_scratch`]) or the temporary
/// folder. The scratch file is locked while the import uses it.
pub fn stage_in(input: impl Read, defaults: &Defaults, folder: Option<&std::path::Path>) -> std::io::Result<Staged> {
    let builder = tempfile::Builder::new().prefix(SCRATCH_PREFIX).suffix(".sqlite3").clone();
    let file = match folder {
        Some(folder) => builder.tempfile_in(folder)?,
        None => builder.tempfile()?,
    };
    // Held while the import runs: a later import takes only an unlocked one for a
    // leftover of a killed import.
    file.as_file().try_lock().map_err(std::io::Error::other)?;
    let db = Connection::open(file.path()).map_err(std::io::Error::other)?;
    db.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -2048; PRAGMA temp_store = FILE;
         CREATE TABLE row (
             id INTEGER PRIMARY KEY, line INTEGER NOT NULL, isrc TEXT NOT NULL, parent TEXT, audio_id TEXT,
             cells TEXT NOT NULL, first_of_code INTEGER NOT NULL DEFAULT 0, first_of_audio INTEGER NOT NULL DEFAULT 0,
             new_code INTEGER NOT NULL DEFAULT 0, void_in_ledger INTEGER NOT NULL DEFAULT 0,
             new_audio INTEGER NOT NULL DEFAULT 0, depth INTEGER);
         CREATE TABLE bad (line INTEGER PRIMARY KEY);
         BEGIN;",
    )
    .map_err(std::io::Error::other)?;
    let mut staged = Staged {
        db,
        _file: file,
        errors: Errors::default(),
        unknown: Vec::new(),
        defaults: defaults.clone(),
        repeated_audio: 0,
    };
    let mut sink = Loader { staged: &mut staged, failed: None };
    read::read(input, &defaults.header, &mut sink)?;
    if let Some(error) = sink.failed {
        return Err(std::io::Error::other(error));
    }
    staged
        .db
        .execute_batch(
            "COMMIT;
             CREATE INDEX row_by_isrc ON row (isrc, id);
             CREATE INDEX row_by_audio ON row (audio_id, id) WHERE audio_id IS NOT NULL;",
        )
        .map_err(std::io::Error::other)?;
    cross_check(&mut staged).map_err(std::io::Error::other)?;
    Ok(staged)
}

/// The lock file inside the scratch folder of an import into a new ledger.
pub const SCRATCH_LOCK: &str = "lock";

/// Removes what killed imports left in `folder`: scratch files (named
/// [`SCRATCH_PREFIX`]...) and scratch folders of new ledgers, that no running import
/// holds locked; returns how many.
pub fn remove_stale_scratch(folder: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(folder) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(SCRATCH_PREFIX) {
            continue;
        }
        let path = entry.path();
        let unlocked = |file: &std::path::Path| std::fs::File::open(file).is_ok_and(|f| f.try_lock().is_ok());
        let gone = match entry.file_type() {
            Ok(kind) if kind.is_file() => unlocked(&path) && std::fs::remove_file(&path).is_ok(),
            Ok(kind) if kind.is_dir() => {
                let lock = path.join(SCRATCH_LOCK);
                (!lock.exists() || unlocked(&lock)) && std::fs::remove_dir_all(&path).is_ok()
            }
            _ => false,
        };
        removed += usize::from(gone);
    }
    removed
}

/// Puts each row read into the scratch database.
struct Loader<'s> {
    staged: &'s mut Staged,
    failed: Option<rusqlite::Error>,
}

impl RowSink for Loader<'_> {
    fn row(&mut self, raw: Raw) {
        match read::check_row(&raw, &self.staged.defaults) {
            Ok(row) => {
                let inserted = self.staged.db.execute(
                    "INSERT INTO row (line, isrc, parent, audio_id, cells) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        to_i64(row.line),
                        row.recording.isrc.as_str(),
                        row.recording.parent.as_ref().map(|p| p.as_str()),
                        row.audio.as_ref().map(|a| a.audio_id.as_str()),
                        encode_raw(&raw),
                    ],
                );
                if let Err(error) = inserted {
                    self.failed.get_or_insert(error);
                }
            }
            Err(errors) => errors.into_iter().for_each(|error| self.staged.problem(error)),
        }
    }

    fn error(&mut self, error: RowError) {
        self.staged.problem(error);
    }

    fn unknown(&mut self, name: &str) {
        if !self.staged.unknown.iter().any(|known| known == name) {
            self.staged.unknown.push(name.to_owned());
        }
    }
}

/// Rows of one code must agree on the recording; an audio id must appear with one code
/// and one set of numbers (a repeat with the same data is counted, not imported twice).
fn cross_check(staged: &mut Staged) -> rusqlite::Result<()> {
    let mut problems = Vec::new();
    let mut first_of_code = Vec::new();
    let mut first_of_audio = Vec::new();
    {
        let mut stmt = staged.db.prepare("SELECT id, line, isrc, cells FROM row ORDER BY isrc, id")?;
        let mut rows = stmt.query([])?;
        let mut first: Option<(String, ImportRow)> = None;
        while let Some(r) = rows.next()? {
            let (id, line, isrc, cells): (i64, i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            let Some(row) = staged.decode(line, &cells) else { continue };
            match &first {
                Some((code, earlier)) if *code == isrc => {
                    let differ = differences(Column::ALL.iter().copied().filter(|c| c.is_code()), &row, earlier);
                    if !differ.is_empty() {
                        let message =
                            format!("differs from line {} for the same code: {}", earlier.line, differ.join(", "));
                        problems.push(bad(&row, message));
                    }
                }
                _ => {
                    first_of_code.push(id);
                    first = Some((isrc, row));
                }
            }
        }
    }
    {
        let mut stmt = staged
            .db
            .prepare("SELECT id, line, audio_id, cells FROM row WHERE audio_id IS NOT NULL ORDER BY audio_id, id")?;
        let mut rows = stmt.query([])?;
        let mut first: Option<(String, ImportRow)> = None;
        while let Some(r) = rows.next()? {
            let (id, line, audio_id, cells): (i64, i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            let Some(row) = staged.decode(line, &cells) else { continue };
            match &first {
                Some((seen, earlier)) if *seen == audio_id => {
                    let columns = Column::ALL.iter().copied().filter(|c| c.is_audio() || *c == Column::Isrc);
                    let differ = differences(columns, &row, earlier);
                    if differ.is_empty() {
                        staged.repeated_audio += 1;
                    } else {
                        let message = format!(
                            "audio id {audio_id} is also on line {} with other data: {}",
                            earlier.line,
                            differ.join(", ")
                        );
                        problems.push(bad(&row, message));
                    }
                }
                _ => {
                    first_of_audio.push(id);
                    first = Some((audio_id, row));
                }
            }
        }
    }
    staged.db.execute_batch("BEGIN")?;
    for id in first_of_code {
        staged.db.execute("UPDATE row SET first_of_code = 1 WHERE id = ?1", [id])?;
    }
    for id in first_of_audio {
        staged.db.execute("UPDATE row SET first_of_audio = 1 WHERE id = ?1", [id])?;
    }
    staged.db.execute_batch("COMMIT")?;
    problems.into_iter().for_each(|error| staged.problem(error));
    Ok(())
}

/// Whether a code is the code of some row of the file.
pub(super) fn in_file(db: &Connection, isrc: &str) -> rusqlite::Result<bool> {
    db.query_row("SELECT 1 FROM row WHERE isrc = ?1 LIMIT 1", [isrc], |_| Ok(()))
        .optional()
        .map(|found| found.is_some())
}

/// A row's cells as stored: a JSON object of column names to text or null.
fn encode_raw(raw: &Raw) -> String {
    let object: serde_json::Map<String, serde_json::Value> = raw
        .cells
        .iter()
        .map(|(column, value)| {
            let value = value.clone().map_or(serde_json::Value::Null, serde_json::Value::String);
            (column.name().to_owned(), value)
        })
        .collect();
    serde_json::Value::Object(object).to_string()
}

/// A row from its stored cells.
fn decode_raw(line: i64, cells: &str) -> Option<Raw> {
    let serde_json::Value::Object(object) = serde_json::from_str(cells).ok()? else {
        return None;
    };
    let mut raw = Raw { line: u64::try_from(line).ok()?, ..Raw::default() };
    for (name, value) in object {
        raw.cells.insert(Column::from_header(&name)?, value.as_str().map(str::to_owned));
    }
    Some(raw)
}

/// A line number as SQLite stores it.
fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A bad row.
pub(super) fn bad(row: &ImportRow, message: String) -> RowError {
    RowError::new(row.line, Some(row.recording.isrc.to_string()), message)
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
