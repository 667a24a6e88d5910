//! `isrc-stamp check CODE...`: validate codes and show their parts.
//!
//! One line per code, in the order given: an aligned table for people, or with `--json`
//! one JSON object per line. Exit [`Exit::Clean`] when every code is valid (warnings
//! allowed), [`Exit::Findings`] when any is invalid.

use std::io::Write;

use serde::Serialize;

use crate::isrc::Isrc;
use crate::output::Exit;
use crate::output::style::{self, Tone};

/// One checked code, as `check --json` prints it: the field order is the key order.
#[derive(Debug, Serialize)]
struct Checked<'a> {
    input: &'a str,
    valid: bool,
    isrc: Option<String>,
    display: Option<String>,
    country: Option<String>,
    registrant: Option<String>,
    year: Option<String>,
    designation: Option<String>,
    warnings: Vec<String>,
    error: Option<String>,
}

impl<'a> Checked<'a> {
    /// Parses `input`; an invalid code keeps its O/0 or I/1 hint as a warning too.
    fn new(input: &'a str) -> Self {
        match Isrc::parse(input) {
            Ok(isrc) => Checked {
                input,
                valid: true,
                isrc: Some(isrc.as_str().to_owned()),
                display: Some(isrc.display_form()),
                country: Some(isrc.country().to_owned()),
                registrant: Some(isrc.registrant().to_owned()),
                year: Some(format!("{:02}", isrc.year())),
                designation: Some(format!("{:05}", isrc.designation())),
                warnings: isrc.warnings(),
                error: None,
            },
            Err(error) => Checked {
                input,
                valid: false,
                isrc: None,
                display: None,
                country: None,
                registrant: None,
                year: None,
                designation: None,
                warnings: error.hint().into_iter().collect(),
                error: Some(error.to_string()),
            },
        }
    }
}

/// What `check` was asked: built once from the command line.
#[derive(Debug, Clone)]
pub(crate) struct CheckOptions {
    /// The codes, as typed.
    pub codes: Vec<String>,
    /// JSON Lines instead of a table.
    pub json: bool,
}

/// Checks `codes` and writes one line per code to `out`: a table, or JSON Lines when `json`.
///
/// Returns [`Exit::Clean`] when every code is valid (warnings allowed) and
/// [`Exit::Findings`] when any is invalid.
pub(crate) fn run(options: &CheckOptions, out: &mut dyn Write) -> std::io::Result<Exit> {
    let CheckOptions { codes, json } = options;
    let json = *json;
    let checked: Vec<Checked<'_>> = codes.iter().map(|code| Checked::new(code)).collect();
    if json {
        for line in &checked {
            serde_json::to_writer(&mut *out, line)?;
            writeln!(out)?;
        }
    } else {
        write_table(&checked, out)?;
    }
    Ok(if checked.iter().all(|line| line.valid) { Exit::Clean } else { Exit::Findings })
}

/// Writes `input  status  detail` lines with the input and status columns aligned.
fn write_table(checked: &[Checked<'_>], out: &mut dyn Write) -> std::io::Result<()> {
    let inputs: Vec<String> = checked.iter().map(|line| shown(line.input)).collect();
    let width = style::widest(inputs.iter().map(String::as_str), 0);
    for (line, input) in checked.iter().zip(&inputs) {
        let input = style::pad(input, width);
        if let Some(display) = &line.display {
            write!(out, "{input}  {}  {display}", style::paint("valid", 7, Tone::Good))?;
            for warning in &line.warnings {
                write!(out, "  {} {warning}", style::paint("warning:", 0, Tone::Warn))?;
            }
        } else {
            // The error message already carries the O/0 hint.
            let error = line.error.as_deref().unwrap_or_default();
            write!(out, "{input}  {}  {error}", style::paint("invalid", 7, Tone::Bad))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// The input as shown in the table: quoted and escaped when it is empty or holds control
/// characters, so every code stays on one visible line.
fn shown(input: &str) -> String {
    if input.is_empty() || input.chars().any(char::is_control) { format!("{input:?}") } else { input.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(codes: &[&str], json: bool) -> (String, Exit) {
        let codes: Vec<String> = codes.iter().map(|code| code.to_string()).collect();
        let mut out = Vec::new();
        let exit = run(&CheckOptions { codes, json }, &mut out).expect("writing to a Vec");
        (String::from_utf8(out).expect("UTF-8 output"), exit)
    }

    #[test]
    fn json_lines_have_the_documented_keys_in_order() {
        let (text, exit) = check(&["isrc us-pr3-73-00012", "USPR3730001O", "QX1234567890"], true);
        assert_eq!(exit, Exit::Findings);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                r#"{"input":"isrc us-pr3-73-00012","valid":true,"isrc":"USPR37300012","display":"ISRC US-PR3-73-00012","country":"US","registrant":"PR3","year":"73","designation":"00012","warnings":[],"error":null}"#,
                r#"{"input":"USPR3730001O","valid":false,"isrc":null,"display":null,"country":null,"registrant":null,"year":null,"designation":null,"warnings":["letter 'O' at position 12 looks like the digit 0"],"error":"non-digit 'O' at position 12: the year and designation (positions 6-12) must be digits; letter 'O' at position 12 looks like the digit 0"}"#,
                r#"{"input":"QX1234567890","valid":true,"isrc":"QX1234567890","display":"ISRC QX-123-45-67890","country":"QX","registrant":"123","year":"45","designation":"67890","warnings":["unknown country code \"QX\" (list of 2026-11-01); check with your ISRC agency"],"error":null}"#,
            ]
        );
    }

    #[test]
    fn json_keeps_leading_zeros_and_parses_as_json() {
        let (text, exit) = check(&["NLA508700208", "\u{0}"], true);
        assert_eq!(exit, Exit::Findings);
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap_or_default()).unwrap();
        assert_eq!((first["year"].as_str(), first["designation"].as_str()), (Some("87"), Some("00208")));
        let second: serde_json::Value = serde_json::from_str(text.lines().nth(1).unwrap_or_default()).unwrap();
        assert_eq!(second["input"], "\u{0}");
        assert_eq!(second["warnings"], serde_json::json!([]));
    }

    #[test]
    fn human_lines_are_aligned() {
        let (text, exit) = check(&["USPR37300012", "12PR37300012x", "QX1234567890", "USPR3730001O"], false);
        assert_eq!(exit, Exit::Findings);
        let expected = [
            "USPR37300012   valid    ISRC US-PR3-73-00012",
            "12PR37300012x  invalid  wrong length: an ISRC has 12 characters, this has 13 \
             (not counting spaces, hyphens and a leading \"ISRC\")",
            "QX1234567890   valid    ISRC QX-123-45-67890  \
             warning: unknown country code \"QX\" (list of 2026-11-01); check with your ISRC agency",
            "USPR3730001O   invalid  non-digit 'O' at position 12: the year and designation (positions 6-12) \
             must be digits; letter 'O' at position 12 looks like the digit 0",
        ];
        assert_eq!(text.lines().collect::<Vec<_>>(), expected);
    }

    #[test]
    fn warnings_alone_are_clean() {
        let (text, exit) = check(&["QX1234567890", "gb-bbb-99-05305"], false);
        assert_eq!(exit, Exit::Clean);
        assert_eq!(text.lines().nth(1), Some("gb-bbb-99-05305  valid    ISRC GB-BBB-99-05305"));
    }

    #[test]
    fn odd_inputs_stay_on_one_line() {
        let (text, exit) = check(&["", "US\nPR37300012", "xyz"], false);
        assert_eq!(exit, Exit::Findings);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with(r#"""                invalid  empty code"#), "{}", lines[0]);
        assert!(lines[1].starts_with(r#""US\nPR37300012"  valid    ISRC US-PR3-73-00012"#), "{}", lines[1]);
        assert!(lines[2].starts_with("xyz               invalid  wrong length"), "{}", lines[2]);
    }
}
