//! `isrc-stamp check CODE...`: validate codes and show their parts.

use std::io::Write;

use serde::Serialize;

use crate::code::{Isrc, IsrcError};
use crate::report::{self, Exit};

/// One checked code, as `check --json` prints it (keys in this order).
#[derive(Debug, Serialize)]
pub struct CheckLine {
    input: String,
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

impl CheckLine {
    /// Checks one input.
    pub fn new(input: &str) -> Self {
        match Isrc::parse(input) {
            Ok(isrc) => CheckLine {
                input: input.to_owned(),
                valid: true,
                isrc: Some(isrc.as_str().to_owned()),
                display: Some(isrc.display_form()),
                country: Some(isrc.country().to_owned()),
                registrant: Some(isrc.registrant().to_owned()),
                year: Some(isrc.as_str()[5..7].to_owned()),
                designation: Some(isrc.as_str()[7..].to_owned()),
                warnings: isrc.warnings(),
                error: None,
            },
            Err(error) => CheckLine {
                input: input.to_owned(),
                valid: false,
                isrc: None,
                display: None,
                country: None,
                registrant: None,
                year: None,
                designation: None,
                warnings: confusion_warning(&error).into_iter().collect(),
                error: Some(error.to_string()),
            },
        }
    }
}

/// The O/0 and I/1 hint as a warning of its own, for scripts that read warnings.
fn confusion_warning(error: &IsrcError) -> Option<String> {
    match error {
        IsrcError::Digit { position, found, hint } if !hint.is_empty() => {
            Some(format!("letter {found:?} at position {position}{hint}"))
        }
        _ => None,
    }
}

/// Runs `check`: exit 0 when every code is valid (warnings allowed), 1 when any is invalid.
pub fn run(codes: &[String], json: bool, out: &mut dyn Write) -> std::io::Result<Exit> {
    let lines: Vec<CheckLine> = codes.iter().map(|code| CheckLine::new(code)).collect();
    let width = lines.iter().map(|l| l.input.chars().count()).max().unwrap_or(0);
    for line in &lines {
        if json {
            report::json_line(out, line)?;
        } else if let Some(display) = &line.display {
            write!(out, "{:<width$}  valid    {display}", line.input)?;
            for warning in &line.warnings {
                write!(out, "  warning: {warning}")?;
            }
            writeln!(out)?;
        } else {
            writeln!(out, "{:<width$}  INVALID  {}", line.input, line.error.as_deref().unwrap_or_default())?;
        }
    }
    Ok(if lines.iter().all(|l| l.valid) { Exit::Clean } else { Exit::Findings })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(codes: &[&str], json: bool) -> (String, Exit) {
        let codes: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
        let mut out = Vec::new();
        let exit = run(&codes, json, &mut out).unwrap();
        (String::from_utf8(out).unwrap(), exit)
    }

    #[test]
    fn json_lines_have_the_documented_keys_in_order() {
        let (text, exit) = output(&["us-pr3-73-00012", "QX1234567890"], true);
        assert_eq!(exit, Exit::Clean);
        let first = text.lines().next().unwrap();
        assert_eq!(
            first,
            r#"{"input":"us-pr3-73-00012","valid":true,"isrc":"USPR37300012","display":"ISRC US-PR3-73-00012","country":"US","registrant":"PR3","year":"73","designation":"00012","warnings":[],"error":null}"#
        );
        let second: serde_json::Value = serde_json::from_str(text.lines().nth(1).unwrap()).unwrap();
        assert_eq!(second["valid"], true);
        assert_eq!(second["warnings"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn an_invalid_code_is_a_finding_with_nulls() {
        let (text, exit) = output(&["USPR37300012", "USPR3730001O"], true);
        assert_eq!(exit, Exit::Findings);
        let bad: serde_json::Value = serde_json::from_str(text.lines().nth(1).unwrap()).unwrap();
        assert_eq!(bad["valid"], false);
        for key in ["isrc", "display", "country", "registrant", "year", "designation"] {
            assert!(bad[key].is_null(), "{key}");
        }
        assert!(bad["error"].as_str().unwrap().contains("position 12"));
        assert!(bad["warnings"][0].as_str().unwrap().contains("digit 0"));
    }

    #[test]
    fn human_lines_are_aligned() {
        let (text, exit) = output(&["USPR37300012", "12PR37300012x"], false);
        assert_eq!(exit, Exit::Findings);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("USPR37300012   valid    ISRC US-PR3-73-00012"), "{}", lines[0]);
        assert!(lines[1].starts_with("12PR37300012x  INVALID  "), "{}", lines[1]);
    }
}
