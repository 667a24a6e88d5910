//! How results leave the program: exit codes, JSON Lines, and human tables.
//!
//! Like ripgrep: 0 when clean, 1 when there are findings (conflicts, failed checks,
//! invalid codes), 2 when something could not be read or the usage was wrong; 128 + the
//! signal's number (130, 143) when a signal stopped the run part way. Results go to
//! stdout; progress and diagnostics to stderr. Tables escape control characters
//! ([`escape_controls`]).

pub(crate) mod progress;
pub(crate) mod style;
mod text;

pub(crate) use text::{count, duration, timestamp, with_causes};

use std::io::Write;

/// The outcome of a command, most severe wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// Everything checked out.
    Clean,
    /// Findings: conflicts, failed checks, invalid codes.
    Findings,
    /// Errors: unreadable or undecodable files, bad usage.
    Errors,
    /// Stopped by a signal (its number) before the work was done.
    Interrupted(u8),
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Clean => 0,
            Exit::Findings => 1,
            Exit::Errors => 2,
            Exit::Interrupted(signal) => 128u8.saturating_add(signal),
        }
    }

    /// The more severe of two outcomes.
    pub fn worst(self, other: Exit) -> Exit {
        self.max(other)
    }
}

/// A word of a command a message suggests, as a POSIX shell reads it back (bare when
/// plain, else quoted; the `shlex` crate's rules), so the suggestion works when pasted.
pub(crate) fn shell_word(word: &str) -> String {
    match shlex::try_quote(word) {
        Ok(quoted) => quoted.into_owned(),
        // A NUL cannot be passed to a command at all: shown escaped, for a person.
        Err(_) => format!("'{}'", word.replace('\0', "\\0").replace('\'', "'\\''")),
    }
}

/// A path as reported in JSON and the ledger: its text where it is valid UTF-8 (control
/// characters too: JSON escapes them, so a script gets the name exactly), with bytes
/// that are not shown as `\xNN` and `\` doubled (any file name the OS allows is
/// reported, and two different names never print alike; on Windows a lone surrogate as
/// `<U+D800>` and `\` single: [`crate::platform::path::report`]). Tables show it through
/// [`escape_controls`], so that one file stays on one line.
pub(crate) fn path(path: &std::path::Path) -> String {
    crate::platform::path::report(path)
}

/// Writes one JSON object as a line.
pub(crate) fn json_line(out: &mut dyn Write, value: &impl serde::Serialize) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

/// Text for a table, with control characters escaped (`\n`, `\t`, `\r`, `\x1b`,
/// `\u{85}`, ...): a file name may hold any byte but `/` and NUL, and one holding an
/// escape sequence or a newline must not redraw the terminal or fake a table row.
/// JSON output needs no such care: the JSON encoder escapes them.
pub(crate) fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        escape_char(c, &mut escaped);
    }
    std::borrow::Cow::Owned(escaped)
}

/// Pushes `c`, escaped if it is a control character.
fn escape_char(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if (c as u32) < 0x80 && c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_on_one_line_with_invalid_bytes_escaped() {
        assert_eq!(path(std::path::Path::new("masters/01 Café.wav")), "masters/01 Café.wav");
        assert_eq!(path(std::path::Path::new("a\nb\tc.wav")), "a\nb\tc.wav", "JSON escapes controls itself");
        assert_eq!(escape_controls(&path(std::path::Path::new("a\nb\tc.wav"))), "a\\nb\\tc.wav");
        #[cfg(unix)]
        {
            assert_eq!(path(std::path::Path::new("back\\slash")), "back\\\\slash");
            use std::os::unix::ffi::OsStrExt;
            let name = std::ffi::OsStr::from_bytes(b"bad\xffname.wav");
            assert_eq!(path(std::path::Path::new(name)), "bad\\xffname.wav");
        }
    }

    #[test]
    fn durations_read_like_a_clock() {
        assert_eq!(duration(0.6667), "0:00.667");
        assert_eq!(duration(245.5), "4:05.500");
        assert_eq!(duration(3723.0), "1:02:03.000");
    }

    #[test]
    fn timestamps_are_utc_dates() {
        assert_eq!(timestamp(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(timestamp(1_795_306_000), "2026-11-22 00:06:40 UTC");
    }

    #[test]
    fn control_characters_are_escaped_in_tables() {
        assert_eq!(escape_controls("01 Intro.wav"), "01 Intro.wav");
        assert_eq!(escape_controls("a\nb\tc\x1b[31md\u{85}é"), "a\\nb\\tc\\x1b[31md\\u{85}é");
    }

    #[test]
    fn the_worst_outcome_wins() {
        assert_eq!(Exit::Clean.worst(Exit::Findings), Exit::Findings);
        assert_eq!(Exit::Errors.worst(Exit::Findings), Exit::Errors);
        assert_eq!(Exit::Errors.code(), 2);
    }
}
