//! A decisions file (`assign --decisions FILE`): the engineer's answers to the open
//! questions, one per file, in JSON Lines or CSV with a header.
//!
//! A row names its file by `path` (as isrc-stamp prints it, or any path to the same
//! file) or `audio_id`, and gives a `decision`: `same-recording-as` (with `isrc`),
//! `new-version-of` (with `isrc` and `as`: edit, remix, remaster, live, language, mix,
//! other), `new` or `skip`. The JSON Lines that `assign --dry-run --json` prints are
//! read as they are: a line with a `question` gives the question's `proposal` as its
//! row (none when the proposal is `null`), and a line with neither `decision` nor
//! `question` (a file decided without question) is no row. Every row is checked before
//! anything is done: an unknown word, a missing code, or a row naming no file of the
//! run is an error with its line number, and the run stops.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::decide::Answers;
use super::policy::Answer;
use crate::base::ids::AudioId;
use crate::isrc::Isrc;
use crate::ledger::Relation;
use crate::scan::Scanned;

/// How a row names its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Key {
    /// A path, as printed or as any path to the file.
    Path(String),
    /// An audio id.
    Audio(AudioId),
}

/// One row: its line, the file it names, the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    /// The line (the header of a CSV file is line 1).
    pub line: u64,
    /// The file it names.
    pub key: Key,
    /// The answer.
    pub answer: Answer,
}

/// The longest line a decisions file may have: a row names one file (a path is at most
/// 4096 bytes on Linux) and four short words. A longer line is refused by its number,
/// without being held in memory or echoed.
pub(crate) const MAX_LINE: usize = 64 * 1024;

/// Reads a decisions file; every bad line is reported (`line N: what`). The file is read
/// a line at a time, each held only up to [`MAX_LINE`] bytes.
pub(crate) fn read(path: &Path) -> Result<Vec<Row>, Vec<String>> {
    let cannot = |e: std::io::Error| vec![format!("cannot read {}: {e}", path.display())];
    let file = crate::base::filekind::open_regular(path).map_err(cannot)?;
    let mut reader = std::io::BufReader::new(file);
    let mut lines = Vec::new();
    let mut number = 0u64;
    while let Some(line) = bounded_line(&mut reader).map_err(cannot)? {
        number += 1;
        match line {
            Ok(line) => lines.push(line),
            Err(len) => {
                return Err(vec![format!(
                    "line {number}: {len} bytes long, more than the {} KiB a row of a decisions file may be \
                     (a path is at most 4096 bytes): not a decisions file, or a damaged one",
                    MAX_LINE / 1024
                )]);
            }
        }
    }
    if let Some(first) = lines.first_mut()
        && first.starts_with(b"\xEF\xBB\xBF")
    {
        first.drain(..3);
    }
    let json = lines.iter().flatten().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let (rows, errors) = if json { read_json(&lines) } else { read_csv(&lines.concat()) };
    if errors.is_empty() { Ok(rows) } else { Err(errors) }
}

/// The next line (its newline kept), or `Err` with its length when it is longer than
/// [`MAX_LINE`] (read to its end, not kept); `None` at the end of the file.
fn bounded_line(reader: &mut impl std::io::BufRead) -> std::io::Result<Option<Result<Vec<u8>, u64>>> {
    let mut line = Vec::new();
    let mut len = 0u64;
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            break;
        }
        let (taken, done) = match memchr::memchr(b'\n', available) {
            Some(at) => (at + 1, true),
            None => (available.len(), false),
        };
        if line.len() + taken <= MAX_LINE {
            line.extend_from_slice(&available[..taken]);
        }
        len += taken as u64;
        reader.consume(taken);
        if done {
            break;
        }
    }
    Ok(match len {
        0 => None,
        len if len as usize > MAX_LINE => Some(Err(len)),
        _ => Some(Ok(line)),
    })
}

/// JSON Lines: one object per line.
fn read_json(lines: &[Vec<u8>]) -> (Vec<Row>, Vec<String>) {
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    for (index, text) in lines.iter().enumerate() {
        let line = index as u64 + 1;
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let object = match crate::ledger::exchange::strict::parse(text) {
            Ok(Value::Object(object)) => object,
            Ok(_) => {
                errors.push(format!("line {line}: not a JSON object"));
                continue;
            }
            Err(error) => {
                errors.push(format!("line {line}: not JSON: {error}"));
                continue;
            }
        };
        let answer = if object.contains_key("decision") {
            Some(&object)
        } else {
            match object.get("question").and_then(|q| q.get("proposal")) {
                Some(Value::Object(proposal)) => Some(proposal),
                _ => None,
            }
        };
        let Some(fields) = answer else { continue };
        let text =
            |map: &serde_json::Map<String, Value>, key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
        let cells = Cells {
            path: text(&object, "path"),
            audio_id: text(&object, "audio_id"),
            decision: text(fields, "decision"),
            isrc: text(fields, "isrc"),
            relation: text(fields, "as"),
        };
        match cells.row(line) {
            Ok(row) => rows.push(row),
            Err(error) => errors.push(error),
        }
    }
    (rows, errors)
}

/// CSV with a header naming `path` or `audio_id`, `decision`, `isrc`, `as`.
fn read_csv(bytes: &[u8]) -> (Vec<Row>, Vec<String>) {
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(bytes);
    let header = match reader.headers() {
        Ok(header) => header.iter().map(|h| h.to_ascii_lowercase()).collect::<Vec<_>>(),
        Err(error) => return (rows, vec![format!("line 1: unreadable CSV: {error}")]),
    };
    let column = |name: &str| header.iter().position(|h| h == name);
    let (path, audio_id, decision, isrc, relation) =
        (column("path"), column("audio_id"), column("decision"), column("isrc"), column("as"));
    if decision.is_none() || (path.is_none() && audio_id.is_none()) {
        return (rows, vec!["line 1: the header needs a decision column and a path or audio_id column".into()]);
    }
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, csv::Position::line);
                errors.push(format!("line {line}: unreadable CSV: {error}"));
                break;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        let cell = |at: Option<usize>| at.and_then(|at| record.get(at)).filter(|c| !c.is_empty()).map(str::to_owned);
        let cells = Cells {
            path: cell(path),
            audio_id: cell(audio_id),
            decision: cell(decision),
            isrc: cell(isrc),
            relation: cell(relation),
        };
        match cells.row(line) {
            Ok(row) => rows.push(row),
            Err(error) => errors.push(error),
        }
    }
    (rows, errors)
}

/// The cells of one row, as read.
struct Cells {
    path: Option<String>,
    audio_id: Option<String>,
    decision: Option<String>,
    isrc: Option<String>,
    relation: Option<String>,
}

impl Cells {
    /// The row, or what is wrong with it.
    fn row(self, line: u64) -> Result<Row, String> {
        let key = match (self.path, self.audio_id) {
            (Some(path), _) => Key::Path(path),
            (None, Some(id)) => Key::Audio(
                AudioId::parse(&id)
                    .ok_or_else(|| format!("line {line}: {id:?} is not an audio id (pcm1: and 64 hex digits)"))?,
            ),
            (None, None) => return Err(format!("line {line}: no path or audio_id names the file")),
        };
        let code = |what: &str| -> Result<Isrc, String> {
            let text = self.isrc.as_deref().ok_or_else(|| format!("line {line}: {what} needs the isrc it names"))?;
            Isrc::parse(text).map_err(|e| format!("line {line}: invalid ISRC {text:?}: {e}"))
        };
        let answer = match self.decision.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("same-recording-as") => Answer::SameRecordingAs(code("same-recording-as")?),
            Some("new-version-of") => {
                let parent = code("new-version-of")?;
                let word =
                    self.relation.ok_or_else(|| format!("line {line}: new-version-of needs as (edit, remix, ...)"))?;
                let relation: Relation = word.parse().map_err(|e| format!("line {line}: {e}"))?;
                Answer::NewVersionOf(parent, relation)
            }
            Some("new") => Answer::New,
            Some("skip") => Answer::Skip,
            Some(other) => {
                return Err(format!(
                    "line {line}: unknown decision {other:?}: expected same-recording-as, new-version-of, new or skip"
                ));
            }
            None => return Err(format!("line {line}: no decision")),
        };
        Ok(Row { line, key, answer })
    }
}

/// A value from the file as a message shows it: at most 200 characters.
fn shown(text: &str) -> String {
    match text.char_indices().nth(200) {
        Some((at, _)) => format!("{}... ({} bytes)", &text[..at], text.len()),
        None => text.to_owned(),
    }
}

/// The answers for the files of this run; every row naming no file of it is an error.
pub(crate) fn answers(rows: &[Row], files: &[&Scanned]) -> Result<Answers, Vec<String>> {
    let printed: HashMap<String, &Scanned> = files.iter().map(|f| (crate::output::path(&f.path), *f)).collect();
    let canonical: HashMap<PathBuf, &Scanned> =
        files.iter().filter_map(|f| Some((std::fs::canonicalize(&f.path).ok()?, *f))).collect();
    let mut answers = Answers::default();
    let mut errors = Vec::new();
    for row in rows {
        match &row.key {
            Key::Path(path) => {
                let file = printed
                    .get(path)
                    .or_else(|| std::fs::canonicalize(path).ok().and_then(|c| canonical.get(&c)))
                    .copied();
                match file {
                    Some(file) => {
                        answers.by_path.insert(crate::output::path(&file.path), row.answer.clone());
                    }
                    None => errors.push(format!("line {}: {} is no file of this run", row.line, shown(path))),
                }
            }
            Key::Audio(id) if files.iter().any(|f| &f.audio.audio_id == id) => {
                answers.by_audio.insert(id.clone(), row.answer.clone());
            }
            Key::Audio(id) => errors.push(format!("line {}: no file of this run has the audio id {id}", row.line)),
        }
    }
    if errors.is_empty() { Ok(answers) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Result<Vec<Row>, Vec<String>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("decisions");
        std::fs::write(&path, text).unwrap();
        read(&path)
    }

    fn x() -> Isrc {
        Isrc::parse("QZTST2600001").unwrap()
    }

    #[test]
    fn json_lines_give_rows_and_dry_run_lines_their_proposals() {
        let text = concat!(
            r#"{"path":"a.wav","decision":"same-recording-as","isrc":"QZTST2600001"}"#,
            "\n",
            r#"{"path":"b.mp3","action":"conflict","question":{"kind":"edit","candidates":[],"proposal":{"decision":"new-version-of","isrc":"QZTST2600001","as":"edit"}}}"#,
            "\n",
            r#"{"path":"c.wav","action":"conflict","question":{"kind":"same-format","candidates":[],"proposal":null}}"#,
            "\n",
            r#"{"path":"d.wav","action":"issued","isrc":"QZTST2600002"}"#,
            "\n\n",
            r#"{"path":"e.wav","decision":"skip"}"#,
            "\n"
        );
        let rows = rows(text).unwrap();
        let got: Vec<(u64, Answer)> = rows.into_iter().map(|r| (r.line, r.answer)).collect();
        assert_eq!(
            got,
            [(1, Answer::SameRecordingAs(x())), (2, Answer::NewVersionOf(x(), Relation::Edit)), (6, Answer::Skip),]
        );
    }

    #[test]
    fn csv_rows_and_every_bad_line_with_its_number() {
        let good = rows("path,decision,isrc,as\na.wav,new-version-of,QZTST2600001,remaster\nb.wav,new,,\n").unwrap();
        assert_eq!(good[0].answer, Answer::NewVersionOf(x(), Relation::Remaster));
        assert_eq!((good[1].line, &good[1].answer), (3, &Answer::New));
        let bad = rows(
            "path,decision,isrc,as\na.wav,link,QZTST2600001,\nb.wav,same-recording-as,,\nc.wav,new-version-of,QZTST2600001,cover\n",
        )
        .unwrap_err();
        assert_eq!(bad.len(), 3, "{bad:?}");
        assert!(bad[0].starts_with("line 2: unknown decision \"link\""), "{bad:?}");
        assert!(bad[1].starts_with("line 3: same-recording-as needs the isrc"), "{bad:?}");
        assert!(bad[2].starts_with("line 4: unknown relation \"cover\""), "{bad:?}");
        assert!(rows("file,answer\nx,y\n").unwrap_err()[0].starts_with("line 1:"));
        assert!(
            rows("{\"path\":\"a\",\"decision\":\"new\"}\nnot json\n").unwrap_err()[0].starts_with("line 2: not JSON")
        );
    }

    #[test]
    fn a_row_longer_than_the_limit_is_refused_by_its_number_and_not_echoed() {
        let long = format!("{{\"path\":\"{}\",\"decision\":\"new\"}}\n", "a".repeat(MAX_LINE + 10));
        let errors = rows(&format!("{{\"path\":\"b\",\"decision\":\"new\"}}\n{long}")).unwrap_err();
        assert_eq!(errors.len(), 1);
        let expected = format!("line 2: {} bytes long, more than the 64 KiB", long.len());
        assert!(errors[0].starts_with(&expected), "{errors:?}");
        assert!(errors[0].len() < 300, "the row is not echoed");
        assert_eq!(shown(&"é".repeat(300)).chars().count(), 200 + " (600 bytes)".len() + 3);
    }
}
