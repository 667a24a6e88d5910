//! Import, first half: reading a CSV or JSON Lines file into checked rows, with every bad
//! row reported by line number. Nothing here touches the ledger.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::{BufRead, BufReader, Read};

use serde_json::Value;

use super::cell::{parse_time, restore};
use super::{Column, RowError};
use crate::base::ids::AudioId;
use crate::isrc::{Catalog, Isrc};
use crate::ledger::types::{AudioRecord, Origin, ParentalWarning, Publication, Recording, Relation, Status};

/// The values a row gets for the columns it lacks, and how the file's header is read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Defaults {
    /// `issued_by`: the importing user.
    pub user: String,
    /// `entered_at` and `added_at`: the time of the import (see [`crate::ledger::now`]).
    /// Never an imported code's `issued_at`: that is what the list says, or unknown.
    pub at: i64,
    /// The header names the engineer placed or left out (`--columns`, `--ignore`).
    pub header: Header,
}

/// How the header names of a list are placed beyond the known ones: `--columns "Their
/// Name=field,..."` and `--ignore NAME`. A name that is none of these, and no known
/// column ([`Column::from_header`]), makes the file refused, naming it: nothing a list
/// holds is dropped without a word.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// Header names (as written) and the column each is read as.
    pub mapped: Vec<(String, Column)>,
    /// Header names (as written) left out.
    pub ignored: Vec<String>,
}

/// What a header name is, read through a [`Header`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Named {
    /// A column.
    Column(Column),
    /// Left out, as the engineer asked.
    Ignored,
    /// Nothing isrc-stamp knows.
    Unknown,
}

impl Header {
    /// Parses `--columns "Their Name=field,Other=field"`.
    pub fn parse_columns(text: &str) -> Result<Vec<(String, Column)>, String> {
        text.split(',')
            .filter(|pair| !pair.trim().is_empty())
            .map(|pair| {
                let (theirs, ours) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("{pair:?} is not NAME=field (for example \"Song Name=title\")"))?;
                let column = Column::from_header(ours).ok_or_else(|| {
                    let fields: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
                    format!("{ours:?} is no field isrc-stamp stores; the fields are {}", fields.join(", "))
                })?;
                Ok((theirs.trim().to_owned(), column))
            })
            .collect()
    }

    /// What the header name `name` is.
    fn named(&self, name: &str) -> Named {
        let same = |given: &String| given.trim().eq_ignore_ascii_case(name.trim());
        if let Some((_, column)) = self.mapped.iter().find(|(given, _)| same(given)) {
            return Named::Column(*column);
        }
        if self.ignored.iter().any(same) {
            return Named::Ignored;
        }
        Column::from_header(name).map_or(Named::Unknown, Named::Column)
    }
}

/// One checked row: a recording, and one of its audio ids when the row has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// The line the row starts on (the header is line 1).
    pub line: u64,
    /// The recording, with defaults for what the row lacks.
    pub recording: Recording,
    /// The audio id on this row, if any.
    pub audio: Option<AudioRecord>,
    /// The release track on this row (a distributor's list), if it names a UPC/EAN.
    pub release: Option<ReleaseCells>,
    /// The columns the row gives values for (not defaulted): the ones compared with a
    /// ledger that already holds the code or audio id.
    pub given: BTreeSet<Column>,
}

/// What a row says of the release its code is on. Without a UPC/EAN there is no release
/// to enter; the track number still helps match files to the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseCells {
    /// The release's UPC/EAN.
    pub upc: Option<Catalog>,
    /// Its title.
    pub title: Option<String>,
    /// The disc (1 when not given).
    pub disc: u32,
    /// The track number, when given.
    pub track: Option<u32>,
    /// Its (P) line.
    pub p_line: Option<String>,
    /// Its date.
    pub date: Option<String>,
}

/// Most bytes one row (a CSV record, a JSON line) may take: the longest real row is a
/// few kilobytes, and a row beyond this is almost always an unterminated quote that
/// swallowed the rest of the file. It bounds the memory an import takes.
pub const MAX_ROW_BYTES: usize = 1 << 20;

/// Where the rows of a file go as they are read, one at a time, in file order: a row
/// that could be read (to be checked), a line that could not, a header name ignored.
pub(super) trait RowSink {
    /// A row as read, not yet checked.
    fn row(&mut self, raw: Raw);
    /// A line that could not be read as a row.
    fn error(&mut self, error: RowError);
    /// A header name (or JSON key) that names no column and was not left out: the file
    /// is refused for it.
    fn unknown(&mut self, name: &str);
}

/// A row as read: the cells of the columns the file has. A present column maps to `None`
/// when its cell is empty (CSV) or null (JSON).
#[derive(Debug, Clone, Default)]
pub(super) struct Raw {
    pub line: u64,
    pub cells: BTreeMap<Column, Option<String>>,
}

/// Reads a CSV or JSON Lines file row by row into `sink` (JSON Lines when its first
/// character, after a byte order mark and white space, is `{`), in memory bounded by
/// [`MAX_ROW_BYTES`] whatever the file's size. Never panics on any input; fails only
/// when the file cannot be read.
pub(super) fn read(input: impl Read, header: &Header, sink: &mut dyn RowSink) -> std::io::Result<()> {
    let mut input = BufReader::with_capacity(64 << 10, input);
    let start = input.fill_buf()?;
    let bom = usize::from(start.starts_with(b"\xEF\xBB\xBF")) * 3;
    let is_json = start[bom..].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let delimiter = sniff_delimiter(&start[bom..]);
    input.consume(bom);
    if is_json { read_json(input, header, sink) } else { read_csv(input, delimiter, header, sink) }
}

/// One checked row, or every problem of the row.
pub(super) fn check_row(raw: &Raw, defaults: &Defaults) -> Result<ImportRow, Vec<RowError>> {
    check(raw, defaults).map_err(|problems| {
        let isrc = raw.cells.get(&Column::Isrc).cloned().flatten();
        problems.into_iter().map(|message| RowError::new(raw.line, isrc.clone(), message)).collect()
    })
}

/// What [`parse`] read: for tests of the reading alone.
#[cfg(test)]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The good rows, in file order.
    pub rows: Vec<ImportRow>,
    /// The bad rows, in file order.
    pub errors: Vec<RowError>,
    /// Header names (or JSON keys) that name no column.
    pub unknown: Vec<String>,
}

/// Reads and checks a whole file held in memory.
#[cfg(test)]
pub fn parse(bytes: &[u8], defaults: &Defaults) -> Parsed {
    struct Collect<'d>(Parsed, &'d Defaults);
    impl RowSink for Collect<'_> {
        fn row(&mut self, raw: Raw) {
            match check_row(&raw, self.1) {
                Ok(row) => self.0.rows.push(row),
                Err(errors) => self.0.errors.extend(errors),
            }
        }
        fn error(&mut self, error: RowError) {
            self.0.errors.push(error);
        }
        fn unknown(&mut self, name: &str) {
            if !self.0.unknown.iter().any(|known| known == name) {
                self.0.unknown.push(name.to_owned());
            }
        }
    }
    let mut collect = Collect(Parsed::default(), defaults);
    read(bytes, &defaults.header, &mut collect).expect("reading memory cannot fail");
    collect.0.errors.sort_by_key(|error| error.line);
    collect.0
}

/// An error about a whole line (not about one cell of a readable row).
fn line_error(line: u64, message: impl Into<String>) -> RowError {
    RowError::new(line, None, message.into())
}

/// The separator: `,` unless the first line has none and has `;` or a tab.
fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |wanted: u8| first_line.iter().filter(|&&b| b == wanted).count();
    match (count(b','), count(b';'), count(b'\t')) {
        (0, semicolons, tabs) if semicolons > 0 && semicolons >= tabs => b';',
        (0, _, tabs) if tabs > 0 => b'\t',
        _ => b',',
    }
}

/// What the CSV reader has been given of the file, shared with the code that reads
/// its records: the line ends seen, and the bytes since the previous record's start.
#[derive(Default)]
struct ReadSoFar {
    /// Offset of the next byte to pass.
    offset: u64,
    /// Offsets of the `\r` and `\n` bytes not yet counted, with whether each ends a
    /// line (a `\r` followed by `\n` does not: the `\n` does).
    ends: VecDeque<(u64, bool)>,
    /// The line at `counted` (from 1), and how far lines are counted.
    line: u64,
    counted: u64,
    /// The bytes from `kept_from` on (the record being read and the one before).
    kept: Vec<u8>,
    kept_from: u64,
    /// The last byte passed.
    previous: u8,
}

/// The file as the CSV reader reads it, noting [`ReadSoFar`] and refusing a row longer than
/// [`MAX_ROW_BYTES`] (an error the record reader reports with its line).
struct Watched<R> {
    inner: R,
    seen: std::rc::Rc<std::cell::RefCell<ReadSoFar>>,
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut seen = self.seen.borrow_mut();
        if seen.kept.len() > 2 * MAX_ROW_BYTES {
            return Err(std::io::Error::other(TOO_LONG));
        }
        let n = self.inner.read(buf)?;
        for (i, &byte) in buf[..n].iter().enumerate() {
            let at = seen.offset + i as u64;
            if byte == b'\n'
                && seen.previous == b'\r'
                && let Some(last) = seen.ends.back_mut()
            {
                last.1 = false; // CRLF: the LF ends the line
            }
            if byte == b'\r' || byte == b'\n' {
                seen.ends.push_back((at, true));
            }
            seen.previous = byte;
            seen.kept.push(byte);
        }
        seen.offset += n as u64;
        Ok(n)
    }
}

/// The message of a row over [`MAX_ROW_BYTES`].
const TOO_LONG: &str = "a row longer than 1 MiB: a quoted field that is never closed?";

impl ReadSoFar {
    /// The line of the first character at or after `offset` that does not end a line.
    /// Offsets must not decrease from one call to the next. The csv crate's own line
    /// count goes wrong after CRLF and blank lines, and a record's offset may point at
    /// the line ends before it, so those are skipped first.
    fn line_of(&mut self, offset: u64) -> u64 {
        let mut end = offset.max(self.counted);
        while let Some(&(at, ends_line)) = self.ends.front() {
            if at > end {
                break;
            }
            if at == end {
                end += 1; // a line end right at the offset: the row starts after it
            }
            if ends_line {
                self.line += 1;
            }
            self.ends.pop_front();
        }
        self.counted = end;
        self.line
    }

    /// Forgets the bytes before `offset` (the start of the record just read).
    fn keep_from(&mut self, offset: u64) {
        let drop = usize::try_from(offset.saturating_sub(self.kept_from)).unwrap_or(usize::MAX).min(self.kept.len());
        self.kept.drain(..drop);
        self.kept_from += drop as u64;
    }
}

/// Reads CSV rows through the header's columns, one record at a time.
fn read_csv(input: impl Read, delimiter: u8, header: &Header, sink: &mut dyn RowSink) -> std::io::Result<()> {
    let seen = std::rc::Rc::new(std::cell::RefCell::new(ReadSoFar { line: 1, ..ReadSoFar::default() }));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(Watched { inner: input, seen: std::rc::Rc::clone(&seen) });
    let mut record = csv::ByteRecord::new();
    let columns = match reader.read_byte_record(&mut record) {
        Ok(true) => header_columns(&record, header, sink),
        Ok(false) => {
            sink.error(line_error(1, "the file is empty: it needs a header row naming an isrc column"));
            return Ok(());
        }
        Err(error) => {
            sink.error(line_error(1, format!("unreadable CSV: {}", csv_error(&error))));
            return Ok(());
        }
    };
    let mut last_start = 0;
    let Some(columns) = columns else {
        return Ok(());
    };
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let start = record.position().map_or(0, csv::Position::byte);
                let line = seen.borrow_mut().line_of(start);
                seen.borrow_mut().keep_from(start);
                last_start = start;
                if let Some(raw) = csv_row(&record, line, &columns, sink) {
                    sink.row(raw);
                }
            }
            Err(error) => {
                let at = error.position().map_or(seen.borrow().offset, csv::Position::byte);
                let line = seen.borrow_mut().line_of(at);
                sink.error(line_error(line, format!("unreadable CSV: {}", csv_error(&error))));
                return Ok(());
            }
        }
    }
    let seen = seen.borrow();
    let skip = usize::try_from(last_start.saturating_sub(seen.kept_from)).unwrap_or(usize::MAX);
    if let Some(last) = seen.kept.get(skip..)
        && ends_inside_quotes(last, delimiter)
    {
        let line = seen.line;
        sink.error(line_error(line, "a quoted field opened on this row is never closed: the file ends inside it"));
    }
    Ok(())
}

/// An error of the csv crate in words, the row-size limit included.
fn csv_error(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Io(io) if io.to_string() == TOO_LONG => TOO_LONG.to_owned(),
        _ => error.to_string(),
    }
}

/// Whether the last record of a file, `raw` (its bytes to the end of the file), ends
/// inside a quoted field. A line end appended to a record that ended properly ends it;
/// appended inside an open quote, it becomes part of the last field.
fn ends_inside_quotes(raw: &[u8], delimiter: u8) -> bool {
    let mut bytes = raw.to_vec();
    bytes.push(b'\n');
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(&bytes[..]);
    let mut record = csv::ByteRecord::new();
    matches!(reader.read_byte_record(&mut record), Ok(true))
        && record.iter().next_back().is_some_and(|field| field.ends_with(b"\n"))
}

/// The column of each header cell (`None` for ones left out); `None` overall, with an
/// error on line 1, when the header is unusable.
fn header_columns(record: &csv::ByteRecord, header: &Header, sink: &mut dyn RowSink) -> Option<Vec<Option<Column>>> {
    let mut columns = Vec::new();
    let mut ok = true;
    for cell in record {
        let Ok(name) = std::str::from_utf8(cell) else {
            sink.error(line_error(1, "the header row is not UTF-8 text: save the file as UTF-8 CSV"));
            return None;
        };
        let column = match header.named(name) {
            Named::Column(column) => Some(column),
            Named::Unknown if !name.trim().is_empty() => {
                sink.unknown(name);
                None
            }
            Named::Unknown | Named::Ignored => None,
        };
        if let Some(column) = column.filter(|column| columns.contains(&Some(*column))) {
            sink.error(line_error(1, format!("two columns of the header are read as {}", column.name())));
            ok = false;
        }
        columns.push(column);
    }
    if !columns.contains(&Some(Column::Isrc)) {
        let names: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
        let names = names.join(",");
        sink.error(line_error(1, format!("the header row has no isrc column (the full layout is {names})")));
        ok = false;
    }
    ok.then_some(columns)
}

/// One CSV record as a [`Raw`] row; `None` for a blank row or one that cannot be read.
fn csv_row(record: &csv::ByteRecord, line: u64, columns: &[Option<Column>], sink: &mut dyn RowSink) -> Option<Raw> {
    if record.iter().all(|cell| cell.iter().all(u8::is_ascii_whitespace)) {
        return None;
    }
    let mut raw = Raw { line, cells: BTreeMap::new() };
    for (index, cell) in record.iter().enumerate() {
        let Some(column) = columns.get(index) else {
            if !cell.iter().all(u8::is_ascii_whitespace) {
                let message = format!("{} cells, but the header has {} columns", record.len(), columns.len());
                sink.error(line_error(line, message));
                return None;
            }
            continue;
        };
        let Ok(text) = std::str::from_utf8(cell) else {
            sink.error(line_error(line, format!("cell {} is not UTF-8 text: save the file as UTF-8", index + 1)));
            return None;
        };
        if let Some(column) = column {
            let text = restore(text);
            raw.cells.insert(*column, (!text.is_empty()).then(|| text.to_owned()));
        }
    }
    for column in columns.iter().skip(record.len()).flatten() {
        raw.cells.insert(*column, None);
    }
    Some(raw)
}

/// Reads JSON Lines: one object per recording, its audio ids in an `audio` array; a
/// line is read whole, up to [`MAX_ROW_BYTES`].
fn read_json(mut input: impl BufRead, header: &Header, sink: &mut dyn RowSink) -> std::io::Result<()> {
    let mut line = Vec::new();
    let mut line_number = 0u64;
    loop {
        line.clear();
        let (read, too_long) = read_line_up_to(&mut input, &mut line, MAX_ROW_BYTES)?;
        if read == 0 {
            return Ok(());
        }
        line_number += 1;
        if too_long {
            sink.error(line_error(line_number, "a line longer than 1 MiB"));
            continue;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match super::strict::parse(&line) {
            Ok(Value::Object(object)) => match json_rows(object, line_number, header, sink) {
                Ok(rows) => rows.into_iter().for_each(|raw| sink.row(raw)),
                Err(message) => sink.error(line_error(line_number, message)),
            },
            Ok(_) => sink.error(line_error(line_number, "not a JSON object")),
            Err(error) => sink.error(line_error(line_number, format!("not JSON: {error}"))),
        }
    }
}

/// Reads one line (to `\n` or the end) into `line`, keeping at most `limit` bytes of
/// it; returns the bytes read and whether the line was longer than `limit`.
fn read_line_up_to(input: &mut impl BufRead, line: &mut Vec<u8>, limit: usize) -> std::io::Result<(usize, bool)> {
    let mut read = 0;
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            return Ok((read, read > limit));
        }
        let (chunk, done) = match memchr::memchr(b'\n', available) {
            Some(at) => (&available[..=at], true),
            None => (available, false),
        };
        let room = (limit + 1).saturating_sub(line.len()).min(chunk.len());
        line.extend_from_slice(&chunk[..room]);
        let used = chunk.len();
        read += used;
        input.consume(used);
        if done {
            return Ok((read, read > limit));
        }
    }
}

/// The rows of one JSON object: one per element of its `audio` array, or one.
fn json_rows(
    object: serde_json::Map<String, Value>,
    line: u64,
    header: &Header,
    sink: &mut dyn RowSink,
) -> Result<Vec<Raw>, String> {
    let mut base = Raw { line, cells: BTreeMap::new() };
    let mut audio = Vec::new();
    for (key, value) in object {
        if key == "audio" {
            match value {
                Value::Array(items) => audio = items,
                Value::Null => {}
                _ => return Err("audio must be an array of objects".into()),
            }
            continue;
        }
        json_cell(&mut base, &key, value, header, sink)?;
    }
    if audio.is_empty() {
        return Ok(vec![base]);
    }
    audio
        .into_iter()
        .map(|item| {
            let Value::Object(item) = item else {
                return Err("each element of audio must be an object".to_owned());
            };
            let mut raw = base.clone();
            for (key, value) in item {
                json_cell(&mut raw, &key, value, header, sink)?;
            }
            Ok(raw)
        })
        .collect()
}

/// Puts one JSON member into a row: strings as they are, numbers and booleans as text,
/// null as an empty cell; an unknown key refuses the file.
fn json_cell(raw: &mut Raw, key: &str, value: Value, header: &Header, sink: &mut dyn RowSink) -> Result<(), String> {
    let column = match header.named(key) {
        Named::Column(column) => column,
        Named::Ignored => return Ok(()),
        Named::Unknown => {
            sink.unknown(key);
            return Ok(());
        }
    };
    let text = match value {
        Value::Null => None,
        Value::String(text) => Some(text),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Array(_) | Value::Object(_) => return Err(format!("{key} must be a string or a number")),
    };
    raw.cells.insert(column, text);
    Ok(())
}

/// Checks one row: every problem is collected, so a row reports all of them at once.
fn check(raw: &Raw, defaults: &Defaults) -> Result<ImportRow, Vec<String>> {
    let mut c = Checker { raw, problems: Vec::new() };
    let isrc = match c.word(Column::Isrc) {
        None => c.problem("no ISRC: the isrc cell is empty".into()),
        Some(text) => c.result(Isrc::parse(text).map_err(|e| format!("invalid ISRC {text:?}: {e}"))),
    };
    let status: Status = c.parse_word(Column::Status).unwrap_or(Status::Active);
    let origin: Origin = c.parse_word(Column::Origin).unwrap_or(Origin::Imported);
    let relation: Option<Relation> = c.parse_word(Column::Relation);
    let parent = c.parse(Column::Parent, |text| Isrc::parse(text).map_err(|e| format!("invalid parent ISRC: {e}")));
    let issued_at = c.parse(Column::IssuedAt, time);
    // A code issued or adopted in a ledger entered it when it was issued; an imported
    // code enters this ledger now, unless the file says when it entered another.
    let entered_at =
        c.parse(Column::EnteredAt, time).or(issued_at.filter(|_| origin != Origin::Imported)).unwrap_or(defaults.at);
    let declared_ms = c.parse(Column::DeclaredDuration, duration_ms);
    let publication = Publication {
        content_type: c.parse_word(Column::ContentType).unwrap_or_default(),
        p_date: c.parse(Column::PDate, |text| {
            crate::ledger::p_date(text).ok_or_else(|| "expected a date YYYY-MM-DD or a year YYYY".to_owned())
        }),
        p_line_year: c.parse(Column::PLineYear, |text| {
            number::<u16>(text)
                .ok()
                .filter(|year| crate::ledger::rules::YEARS.contains(year))
                .ok_or_else(|| "expected a year of four digits".to_owned())
        }),
        p_line_owner: c.word(Column::PLineOwner).map(str::to_owned),
        parental_warning: c.parse(Column::ParentalWarning, parental_warning),
    };
    let release = c.release();
    if let (None, Some(relation)) = (parent, relation) {
        c.problem::<()>(format!("relation {relation} needs the parent code it relates to (the parent column)"));
    }
    if parent.is_some() && parent == isrc {
        c.problem::<()>("a recording cannot be a new version of itself (parent is its own code)".into());
    }
    let void_reason = match (status, c.text(Column::VoidReason)) {
        (Status::Void, reason) => Some(reason.unwrap_or_default().to_owned()),
        (Status::Active, Some(reason)) if !reason.trim().is_empty() => {
            c.problem(format!("void_reason {reason:?} given, but the status is active (write void)"))
        }
        (Status::Active, _) => None,
    };
    let audio = c.audio(isrc, defaults);
    let Some(isrc) = isrc.filter(|_| c.problems.is_empty()) else {
        return Err(c.problems);
    };
    let text = |column| c.text(column).map(str::to_owned);
    let recording = Recording {
        isrc,
        origin,
        status,
        title: text(Column::Title),
        artist: text(Column::Artist),
        version_note: text(Column::VersionNote),
        parent,
        relation,
        // A code issued or adopted in a ledger entered it when it was issued.
        issued_at: if origin == Origin::Imported { issued_at } else { issued_at.or(Some(entered_at)) },
        entered_at,
        issued_by: c.word(Column::IssuedBy).map_or_else(|| defaults.user.clone(), str::to_owned),
        void_reason,
        declared_ms,
        publication,
    };
    Ok(ImportRow { line: raw.line, recording, audio, release, given: c.given() })
}

/// Collects the problems of one row while reading its cells.
struct Checker<'a> {
    raw: &'a Raw,
    problems: Vec<String>,
}

impl<'a> Checker<'a> {
    /// The cell's text, `None` when the column is missing or the cell empty or null.
    fn text(&self, column: Column) -> Option<&'a str> {
        self.raw.cells.get(&column).and_then(Option::as_deref)
    }

    /// The cell's text trimmed, `None` when that is empty.
    fn word(&self, column: Column) -> Option<&'a str> {
        self.text(column).map(str::trim).filter(|text| !text.is_empty())
    }

    /// Records a problem; returns `None` for the value that could not be read.
    fn problem<T>(&mut self, message: String) -> Option<T> {
        self.problems.push(message);
        None
    }

    /// The value, or `None` with the problem recorded.
    fn result<T>(&mut self, result: Result<T, String>) -> Option<T> {
        result.map_or_else(|message| self.problem(message), Some)
    }

    /// Parses a non-empty cell with `parse`; `None` when it is empty or bad (recorded).
    fn parse<T>(&mut self, column: Column, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let text = self.word(column)?;
        let parsed = parse(text).map_err(|why| format!("invalid {} {text:?}: {why}", column.name()));
        self.result(parsed)
    }

    /// Parses a non-empty cell holding one of a closed set of words.
    fn parse_word<T: std::str::FromStr<Err = crate::ledger::ParseWordError>>(&mut self, column: Column) -> Option<T> {
        let text = self.word(column)?;
        let parsed = text.parse::<T>().map_err(|e| e.to_string());
        self.result(parsed)
    }

    /// Parses a cell that must be there because the row has an audio id.
    fn required<T>(&mut self, column: Column, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        if self.word(column).is_none() {
            return self.problem(format!("{} is empty: a row with an audio_id needs it", column.name()));
        }
        self.parse(column, parse)
    }

    /// The row's audio id with its numbers, if it has one.
    fn audio(&mut self, isrc: Option<Isrc>, defaults: &Defaults) -> Option<AudioRecord> {
        let Some(text) = self.word(Column::AudioId) else {
            for column in Column::ALL.iter().copied().filter(|c| c.is_audio()) {
                if self.word(column).is_some() {
                    self.problem::<()>(format!("{} given without an audio_id", column.name()));
                }
            }
            return None;
        };
        let audio_id = AudioId::parse(&text.to_ascii_lowercase());
        if audio_id.is_none() {
            self.problem::<()>(format!("invalid audio_id {text:?}: expected pcm1: followed by 64 hex digits"));
        }
        let frames = self.required(Column::Frames, |text| {
            number::<u64>(text).and_then(|n| if i64::try_from(n).is_ok() { Ok(n) } else { Err("too large".into()) })
        });
        let sample_rate = self.required(Column::SampleRate, number::<u32>);
        let channels = self.required(Column::Channels, number::<u16>);
        let bits = self.required(Column::Bits, number::<u16>);
        let added_at = self.parse(Column::AddedAt, time).unwrap_or(defaults.at);
        Some(AudioRecord {
            audio_id: audio_id?,
            isrc: isrc?,
            frames: frames?,
            sample_rate: sample_rate?,
            channels: channels?,
            bits: bits?,
            first_path: self.text(Column::FirstPath).unwrap_or_default().to_owned(),
            added_at,
            codec: self.word(Column::Codec).map(str::to_owned),
        })
    }

    /// The release track the row names, when it gives any release cell.
    fn release(&mut self) -> Option<ReleaseCells> {
        let upc = self.parse(Column::Upc, |text| Catalog::parse(text).map_err(|e| e.to_string()));
        let disc = self.parse(Column::Disc, number::<u32>);
        let track = self.parse(Column::Track, number::<u32>);
        let text = |column| self.text(column).map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
        let cells = ReleaseCells {
            upc,
            title: text(Column::ReleaseTitle),
            disc: disc.filter(|&d| d > 0).unwrap_or(1),
            track: track.filter(|&t| t > 0),
            p_line: text(Column::PLine),
            date: text(Column::ReleaseDate),
        };
        let any = cells.upc.is_some()
            || cells.title.is_some()
            || cells.track.is_some()
            || cells.p_line.is_some()
            || cells.date.is_some();
        any.then_some(cells)
    }

    /// The columns the row gives: every column it has, except the defaulted ones
    /// (status, origin, issued_at, issued_by, added_at) when their cell is empty.
    fn given(&self) -> BTreeSet<Column> {
        let defaulted =
            [Column::Status, Column::Origin, Column::IssuedAt, Column::IssuedBy, Column::AddedAt, Column::EnteredAt];
        self.raw
            .cells
            .keys()
            .copied()
            .filter(|column| !defaulted.contains(column) || self.word(*column).is_some())
            .collect()
    }
}

/// Parses a parental warning: `explicit`, `clean`, `not-explicit`, `unknown`, and the
/// words distributors' sheets use for them (`Yes`/`No` in an Explicit column, `Cleaned`,
/// `Not Explicit`, `NotExplicit`, `ExplicitContentEdited`, `NoAdviceAvailable`).
fn parental_warning(text: &str) -> Result<ParentalWarning, String> {
    let squashed: String = text.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
    Ok(match squashed.as_str() {
        "explicit" | "yes" | "y" | "true" | "1" => ParentalWarning::Explicit,
        "clean" | "cleaned" | "edited" | "explicitcontentedited" => ParentalWarning::Clean,
        "notexplicit" | "nonexplicit" | "no" | "n" | "false" | "0" => ParentalWarning::NotExplicit,
        "unknown" | "noadviceavailable" => ParentalWarning::Unknown,
        _ => return Err("expected explicit, clean, not-explicit or unknown".to_owned()),
    })
}

/// Parses a whole number.
fn number<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.parse::<T>().map_err(|_| "expected a whole number in range".to_owned())
}

/// Parses a duration: `m:ss`, `h:mm:ss` (seconds may have decimals) or plain seconds,
/// into milliseconds.
pub(super) fn duration_ms(text: &str) -> Result<u64, String> {
    let bad = || format!("expected a duration like 3:45, 1:02:03 or 225.5, not {text:?}");
    let parts: Vec<&str> = text.trim().split(':').collect();
    if parts.len() > 3 || parts.iter().any(|p| p.trim().is_empty()) {
        return Err(bad());
    }
    let (last, whole) = parts.split_last().ok_or_else(bad)?;
    let seconds: f64 = last.trim().parse().map_err(|_| bad())?;
    if !seconds.is_finite() || seconds < 0.0 || (!whole.is_empty() && seconds >= 60.0) {
        return Err(bad());
    }
    let mut minutes: u64 = 0;
    for (i, part) in whole.iter().enumerate() {
        let n: u64 = part.trim().parse().map_err(|_| bad())?;
        if i > 0 && n >= 60 {
            return Err(bad());
        }
        minutes = minutes.checked_mul(60).and_then(|m| m.checked_add(n)).ok_or_else(bad)?;
    }
    let ms = (minutes as f64 * 60.0 + seconds) * 1000.0;
    if ms > 1e15 {
        return Err(bad());
    }
    Ok(ms.round() as u64)
}

/// Parses a time cell.
fn time(text: &str) -> Result<i64, String> {
    parse_time(text).ok_or_else(|| "expected a time like 2026-05-01T12:00:00Z or 2026-05-01".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUDIO: &str = "pcm1:00000000000000000000000000000000000000000000000000000000000000ab";

    fn defaults() -> Defaults {
        Defaults { user: "importer".into(), at: 1_767_225_600, header: Header::default() }
    }

    fn lines(parsed: &Parsed) -> Vec<u64> {
        parsed.errors.iter().map(|e| e.line).collect()
    }

    #[test]
    fn a_distributor_list_gets_defaults() {
        let parsed = parse(b"ISRC,Title,Artist,Royalty Split\nus-pr3-73-00012,First Light,Ensemble,50\n", &defaults());
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.unknown, ["Royalty Split"], "a column it cannot place is named, never dropped");
        let row = &parsed.rows[0];
        assert_eq!(row.line, 2);
        let r = &row.recording;
        assert_eq!(r.isrc.as_str(), "USPR37300012");
        assert_eq!((r.title.as_deref(), r.artist.as_deref()), (Some("First Light"), Some("Ensemble")));
        assert_eq!((r.origin, r.status, r.issued_at), (Origin::Imported, Status::Active, None), "unknown, not today");
        assert_eq!(r.entered_at, 1_767_225_600);
        assert_eq!(r.issued_by, "importer");
        assert_eq!(row.audio, None);
        assert_eq!(row.given, [Column::Isrc, Column::Title, Column::Artist].into());
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let text = format!(
            "isrc,status,audio_id,frames,sample_rate,channels,bits\n\
             USPR37300012,active,{AUDIO},10,44100,2,16\n\
             USPR3730001O,active,,,,,\n\
             USPR37300013,sideways,,,,,\n\
             \"USPR37300014\",void,pcm1:xyz,10,44100,2,16\n\
             USPR37300015,,{AUDIO},ten,44100,2,16\n\
             USPR37300016,,,10,,,\n"
        );
        let parsed = parse(text.as_bytes(), &defaults());
        assert_eq!(lines(&parsed), [3, 4, 5, 6, 7], "{:#?}", parsed.errors);
        assert!(parsed.errors[0].message.contains("invalid ISRC"), "{}", parsed.errors[0]);
        assert!(parsed.errors[0].message.contains("looks like the digit 0"), "{}", parsed.errors[0]);
        assert!(parsed.errors[1].message.contains("unknown status \"sideways\""), "{}", parsed.errors[1]);
        assert!(parsed.errors[2].message.contains("invalid audio_id"), "{}", parsed.errors[2]);
        assert!(parsed.errors[3].message.contains("invalid frames \"ten\""), "{}", parsed.errors[3]);
        assert!(parsed.errors[4].message.contains("frames given without an audio_id"), "{}", parsed.errors[4]);
        assert_eq!(
            parsed.errors[1].to_string(),
            "line 4 (USPR37300013): unknown status \"sideways\": expected one of active|void"
        );
        assert_eq!(parsed.rows.len(), 1);
    }

    #[test]
    fn a_row_reports_all_its_problems() {
        let parsed = parse(b"isrc,origin,relation,void_reason,issued_at\nXX,stolen,remix,oops,soon\n", &defaults());
        let messages: Vec<&str> = parsed.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages.len(), 5, "{messages:#?}");
        assert!(parsed.errors.iter().all(|e| e.line == 2));
    }

    #[test]
    fn lineage_and_void_are_checked() {
        let text = "isrc,parent,relation,status,void_reason\n\
                    USPR37300012,USPR37300012,edit,,\n\
                    USPR37300013,USPR37300012,,void,\n\
                    USPR37300014,,,active,   \n";
        let parsed = parse(text.as_bytes(), &defaults());
        assert_eq!(lines(&parsed), [2], "{:#?}", parsed.errors);
        assert!(parsed.errors[0].message.contains("new version of itself"));
        let void = &parsed.rows[0].recording;
        assert_eq!((void.status, void.void_reason.as_deref()), (Status::Void, Some("")));
        assert_eq!(void.relation, None);
        assert_eq!(parsed.rows[1].recording.void_reason, None);
    }

    #[test]
    fn neutralised_cells_are_restored_and_quoting_is_the_csv_crates() {
        let text = "isrc,title,first_path,audio_id,frames,sample_rate,channels,bits\n\
                    USPR37300012,\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",\"a,\nb\",,,,,\n\
                    USPR37300013,'plain,,,,,,\n";
        let parsed = parse(text.as_bytes(), &defaults());
        assert_eq!(lines(&parsed), [2], "first_path without an audio id; {:#?}", parsed.errors);
        let text = text.replace("\"a,\nb\"", "");
        let parsed = parse(text.as_bytes(), &defaults());
        assert!(parsed.errors.is_empty(), "{:#?}", parsed.errors);
        assert_eq!(parsed.rows[0].recording.title.as_deref(), Some(r#"=HYPERLINK("http://evil","x")"#));
        assert_eq!(parsed.rows[1].recording.title.as_deref(), Some("'plain"));
    }

    #[test]
    fn a_quoted_newline_does_not_shift_line_numbers() {
        let text = "isrc,title\nUSPR37300012,\"two\nlines\"\nbad,x\n";
        let parsed = parse(text.as_bytes(), &defaults());
        assert_eq!(lines(&parsed), [4]);
        assert_eq!(parsed.rows[0].recording.title.as_deref(), Some("two\nlines"));
        let text = "isrc,title\r\nUSPR37300012,\"two\r\nlines\"\r\n\r\nbad,x\r\n";
        assert_eq!(lines(&parse(text.as_bytes(), &defaults())), [5]);
    }

    #[test]
    fn header_problems_are_line_one() {
        for text in ["", "title,artist\nx,y\n", "isrc,ISRC\nUSPR37300012,USPR37300012\n"] {
            let parsed = parse(text.as_bytes(), &defaults());
            assert_eq!(lines(&parsed), [1], "{text:?}: {:#?}", parsed.errors);
            assert!(parsed.rows.is_empty());
        }
    }

    #[test]
    fn bom_semicolons_blank_rows_and_short_rows_are_read() {
        let text = "\u{feff}isrc;title;artist\r\nUSPR37300012;A;B\r\n;;\r\n\r\nUSPR37300013;C\r\n";
        let parsed = parse(text.as_bytes(), &defaults());
        assert!(parsed.errors.is_empty(), "{:#?}", parsed.errors);
        assert_eq!(parsed.rows.len(), 2);
        assert_eq!(parsed.rows[1].line, 5);
        assert_eq!(parsed.rows[1].recording.artist, None);
        assert!(parsed.rows[1].given.contains(&Column::Artist));
    }

    #[test]
    fn too_many_cells_and_bad_utf8_are_bad_rows() {
        let mut bytes = b"isrc,title\nUSPR37300012,a,extra\nUSPR37300013,".to_vec();
        bytes.extend_from_slice(b"\xff\xfe\n");
        let parsed = parse(&bytes, &defaults());
        assert_eq!(lines(&parsed), [2, 3], "{:#?}", parsed.errors);
    }

    #[test]
    fn json_lines_give_one_row_per_audio_id() {
        let text = format!(
            "{{\"isrc\":\"USPR37300012\",\"title\":\"\",\"issued_at\":1767225600,\"audio\":[\
             {{\"audio_id\":\"{AUDIO}\",\"frames\":10,\"sample_rate\":44100,\"channels\":2,\"bits\":16}}]}}\n\
             \n{{\"isrc\":\"USPR37300013\",\"title\":null,\"audio\":[]}}\n[1]\n{{\"isrc\":\"bad\"}}\n"
        );
        let parsed = parse(text.as_bytes(), &defaults());
        assert_eq!(lines(&parsed), [4, 5], "{:#?}", parsed.errors);
        assert_eq!(parsed.rows.len(), 2);
        assert_eq!(parsed.rows[0].recording.title.as_deref(), Some(""), "an empty JSON string is kept");
        assert_eq!(parsed.rows[0].audio.as_ref().map(|a| a.frames), Some(10));
        assert_eq!(parsed.rows[1].line, 3);
        assert_eq!(parsed.rows[1].recording.title, None);
    }

    #[test]
    fn a_quote_never_closed_is_an_error_on_its_line() {
        for text in ["isrc,title\nUSPR37300012,\"open", "isrc,title\nUSPR37300012,ok\nUSPR37300013,\"open\nmore\n"] {
            let parsed = parse(text.as_bytes(), &defaults());
            let last = parsed.errors.last().unwrap_or_else(|| panic!("{text:?}: no error"));
            assert!(last.message.contains("never closed"), "{text:?}: {last}");
            assert_eq!(last.line, text.lines().position(|l| l.contains('"')).unwrap() as u64 + 1, "{text:?}");
        }
        for text in
            ["isrc,title\nUSPR37300012,\"closed\"", "isrc,title\nUSPR37300012,\"two\nlines\"\n", "isrc\nUSPR37300012"]
        {
            assert!(parse(text.as_bytes(), &defaults()).errors.is_empty(), "{text:?}");
        }
    }

    #[test]
    fn a_row_over_the_limit_is_an_error_not_a_huge_allocation() {
        let mut text = b"isrc,title\nUSPR37300012,\"".to_vec();
        text.resize(text.len() + 3 * MAX_ROW_BYTES, b'x');
        let parsed = parse(&text, &defaults());
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
        assert!(parsed.errors[0].message.contains("longer than 1 MiB"), "{}", parsed.errors[0]);
        let mut json = b"{\"isrc\":\"".to_vec();
        json.resize(json.len() + 2 * MAX_ROW_BYTES, b'x');
        json.extend_from_slice(b"\"}\n{\"isrc\":\"USPR37300012\"}\n");
        let parsed = parse(&json, &defaults());
        assert_eq!(parsed.errors.iter().map(|e| e.line).collect::<Vec<_>>(), [1]);
        assert_eq!(parsed.rows.len(), 1, "the next line is read");
    }

    #[test]
    fn uppercase_audio_ids_are_accepted() {
        let text = format!("isrc,audio_id,frames,rate,channels,bits\nUSPR37300012,{},1,2,3,4\n", AUDIO.to_uppercase());
        let parsed = parse(text.as_bytes(), &defaults());
        assert!(parsed.errors.is_empty(), "{:#?}", parsed.errors);
        assert_eq!(parsed.rows[0].audio.as_ref().map(|a| a.audio_id.as_str()), Some(AUDIO));
    }
}
