//! Looking after the SQLite file: SQLite's own full integrity check (every page, every
//! index against its table, the foreign keys), and a consistent copy taken with its
//! online backup while other processes go on using the ledger.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;
use rusqlite::backup::Backup;

use crate::ledger::error::{LedgerError, Result};

/// Most problems `PRAGMA integrity_check` is asked to list.
const MOST_PROBLEMS: u32 = 100;

/// What SQLite's own checks find, one line each (empty when the file is sound): the
/// full `integrity_check` (every page, every index against its table), and
/// `foreign_key_check`.
///
/// A page so damaged that the full check stops at it ("database disk image is
/// malformed") is looked for with `quick_check`, and failing that table by table, so
/// the report still names what is damaged; a page that is the root of a table or an
/// index is named by that table or index.
pub(super) fn check_integrity(conn: &Connection) -> Result<Vec<String>> {
    let roots = root_pages(conn).unwrap_or_default();
    let mut problems = match pragma_lines(conn, &format!("PRAGMA integrity_check({MOST_PROBLEMS})")) {
        Ok(lines) => lines,
        Err(full) => match pragma_lines(conn, &format!("PRAGMA quick_check({MOST_PROBLEMS})")) {
            Ok(lines) if !lines.is_empty() => lines,
            _ => table_by_table(conn, &roots, &full),
        },
    };
    for line in &mut problems {
        *line = format!("sqlite: {}", name_pages(line, &roots));
    }
    match foreign_key_problems(conn) {
        Ok(lines) => problems.extend(lines),
        Err(error) => problems.push(format!("sqlite: the foreign key check could not run: {error}")),
    }
    Ok(problems)
}

/// The lines a checking pragma prints, without its `ok`.
fn pragma_lines(conn: &Connection, sql: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
    let lines: Vec<String> = rows.collect::<rusqlite::Result<_>>()?;
    // A line may hold several problems, and a `*** in database main ***` heading.
    let problems = lines.iter().flat_map(|line| line.lines());
    Ok(problems.filter(|l| *l != "ok" && !l.starts_with("*** in database")).map(str::to_owned).collect())
}

/// Each table's own check, for a file the whole check cannot get through.
fn table_by_table(conn: &Connection, roots: &[(i64, String, String)], full: &rusqlite::Error) -> Vec<String> {
    let mut problems = Vec::new();
    for (_, _, name) in roots.iter().filter(|(_, kind, _)| kind == "table") {
        match pragma_lines(conn, &format!("PRAGMA integrity_check(\"{}\")", name.replace('"', "\"\""))) {
            Ok(lines) => problems.extend(lines.into_iter().map(|line| format!("table {name}: {line}"))),
            Err(error) => problems.push(format!("table {name} or one of its indexes cannot be read: {error}")),
        }
    }
    if problems.is_empty() {
        problems.push(format!("the integrity check could not run: {full}"));
    }
    problems
}

/// Every table and index with its root page, from the schema (which is read first).
fn root_pages(conn: &Connection) -> rusqlite::Result<Vec<(i64, String, String)>> {
    let mut stmt =
        conn.prepare("SELECT rootpage, type, name FROM sqlite_schema WHERE rootpage > 0 ORDER BY rootpage")?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    rows.collect()
}

/// `Page 9: ...` becomes `Page 9 (the root of index sqlite_autoindex_audio_1): ...`.
fn name_pages(line: &str, roots: &[(i64, String, String)]) -> String {
    let Some(rest) = line.strip_prefix("Page ") else {
        return line.to_owned();
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    match roots.iter().find(|(page, _, _)| digits.parse() == Ok(*page)) {
        Some((_, kind, name)) => format!("Page {digits} (the root of {kind} {name}){}", &rest[digits.len()..]),
        None => line.to_owned(),
    }
}

/// Rows whose foreign key names a missing row.
fn foreign_key_problems(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let rows = stmt.query_map([], |row| {
        let (table, rowid, parent): (String, Option<i64>, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
        Ok(format!("sqlite: row {} of {table} names a missing {parent} row", rowid.unwrap_or_default()))
    })?;
    rows.collect()
}

/// Pages copied per step of the backup; between steps other connections may write.
const PAGES_PER_STEP: i32 = 1024;

/// Copies the database into a new file at `to`, consistently, with SQLite's online
/// backup: a copy of one committed state even while other processes write (a write
/// by another connection restarts the copy). The copy is made in a temporary file
/// beside `to` and renamed into place only when whole, and it is itself a ledger
/// (WAL mode, same schema) that `ledger check` accepts.
pub(super) fn backup_to(conn: &Connection, to: &Path) -> Result<()> {
    let failed = |reason: String| LedgerError::Open { location: to.display().to_string(), reason };
    let folder = crate::base::replace::folder_of(to);
    let temp = crate::base::replace::temp_in(folder).map_err(|e| failed(e.to_string()))?;
    {
        let mut copy = Connection::open(temp.path()).map_err(|e| failed(e.to_string()))?;
        let backup = Backup::new(conn, &mut copy)?;
        backup.run_to_completion(PAGES_PER_STEP, Duration::from_millis(10), None)?;
        drop(backup);
        copy.pragma_update(None, "journal_mode", "wal")?;
        // Closing the only connection folds its WAL into the file and removes it.
        copy.close().map_err(|(_, error)| LedgerError::from(error))?;
    }
    super::set_mode_644(temp.as_file()).map_err(|e| failed(e.to_string()))?;
    crate::base::replace::sync_file(temp.as_file()).map_err(|e| failed(e.to_string()))?;
    crate::base::replace::commit(temp, to).map_err(|e| failed(e.to_string()))
}
