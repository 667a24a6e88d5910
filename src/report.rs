//! How results leave the program: exit codes, JSON Lines, and human tables.
//!
//! Like ripgrep: 0 when clean, 1 when there are findings (conflicts, failed checks,
//! invalid codes), 2 when something could not be read or the usage was wrong. Results go
//! to stdout; progress and diagnostics to stderr.

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
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Clean => 0,
            Exit::Findings => 1,
            Exit::Errors => 2,
        }
    }

    /// The more severe of two outcomes.
    pub fn worst(self, other: Exit) -> Exit {
        self.max(other)
    }
}

/// Writes one JSON object as a line.
pub fn json_line(out: &mut dyn Write, value: &impl serde::Serialize) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}
