//! `isrc-stamp dupes PATH...`: run the grouping ([`crate::dupes`]) and print each group
//! and link, or JSON Lines; a summary on stderr.

use std::io::Write;

use crate::dupes::{self, DupesOptions, DupesReport, ErrorLine, FileLine, Findings};
use crate::output::{self, Exit};

/// `dupes` as asked, built once from the command line.
pub(crate) struct DupesCommand {
    /// The engine's options.
    pub options: DupesOptions,
    /// JSON Lines instead of a table.
    pub json: bool,
}

/// Runs `dupes` and prints what it found.
pub(crate) fn run(command: &DupesCommand, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let DupesCommand { options, json } = command;
    let json = *json;
    let report = dupes::run(options);
    print(out, &report.errors, &report.findings, json)?;
    if !options.quiet {
        eprintln!("{}", summary(&report));
    }
    Ok(report.exit())
}

/// Prints errors, exact groups, same-recording groups and likely edits: a report, or
/// JSON Lines.
fn print(out: &mut dyn Write, errors: &[ErrorLine], findings: &Findings, json: bool) -> std::io::Result<()> {
    if json {
        errors.iter().try_for_each(|line| output::json_line(out, line))?;
        findings.groups.iter().try_for_each(|line| output::json_line(out, line))?;
        findings.recordings.iter().try_for_each(|line| output::json_line(out, line))?;
        findings.edits.iter().try_for_each(|line| output::json_line(out, line))?;
        findings.shared.iter().try_for_each(|line| output::json_line(out, line))?;
    } else {
        write_report(out, errors, findings)?;
    }
    out.flush()
}

/// The human-readable report: one block per group or link.
fn write_report(out: &mut dyn Write, errors: &[ErrorLine], findings: &Findings) -> std::io::Result<()> {
    for error in errors {
        writeln!(
            out,
            "{}: {}: {}",
            error.kind,
            output::escape_controls(&error.path),
            output::escape_controls(&error.error)
        )?;
    }
    if findings.groups.is_empty()
        && findings.recordings.is_empty()
        && findings.edits.is_empty()
        && findings.shared.is_empty()
    {
        return writeln!(out, "no duplicates");
    }
    let missing = |missing: bool| if missing { "  CODES MISSING: some copies carry no code" } else { "" };
    for group in &findings.groups {
        let flag =
            if group.codes_differ { "  CODES DIFFER: one recording, one ISRC" } else { missing(group.codes_missing) };
        writeln!(out, "exact copies, {} ({}){flag}", output::duration(group.duration_seconds), group.audio_id)?;
        write_rows(out, group.files.iter().map(|f| (String::new(), f)).collect())?;
    }
    for recording in &findings.recordings {
        let flag = if recording.codes_differ {
            "  CODES DIFFER: the code should be shared"
        } else {
            missing(recording.codes_missing)
        };
        writeln!(out, "same recording in {} encodings{flag}", recording.members.len())?;
        let mut rows = Vec::new();
        for (n, member) in recording.members.iter().enumerate() {
            let label = if n == 0 {
                "reference".to_owned()
            } else {
                format!("ber {:.3}, {}", member.ber, length(member.duration_difference_seconds))
            };
            rows.extend(
                member.files.iter().enumerate().map(|(k, f)| (if k == 0 { label.clone() } else { String::new() }, f)),
            );
        }
        write_rows(out, rows)?;
    }
    for shared in &findings.shared {
        writeln!(
            out,
            "{} on {} recordings  ONE CODE, TWO RECORDINGS: a mislabelled copy, or an edit sharing its original's code",
            shared.isrc,
            shared.recordings.len()
        )?;
        for (n, files) in shared.recordings.iter().enumerate() {
            let label = format!("recording {}", n + 1);
            write_rows(
                out,
                files
                    .iter()
                    .enumerate()
                    .map(|(k, f)| (if k == 0 { label.clone() } else { String::new() }, f))
                    .collect(),
            )?;
        }
    }
    for edit in &findings.edits {
        let flag = if edit.shared_code { "  SHARED CODE: an edit needs its own code" } else { "" };
        writeln!(out, "likely edit, ber {:.3}{flag}", edit.ber)?;
        let mut rows: Vec<(String, &FileLine)> = edit.a.files.iter().map(|f| (String::new(), f)).collect();
        let label = match edit.offset_seconds {
            offset if offset.abs() < 0.5 => length(edit.duration_difference_seconds),
            offset => format!("{}, aligned at {offset:.1} s", length(edit.duration_difference_seconds)),
        };
        rows.extend(
            edit.b.files.iter().enumerate().map(|(k, f)| (if k == 0 { label.clone() } else { String::new() }, f)),
        );
        write_rows(out, rows)?;
    }
    Ok(())
}

/// `15.0 s shorter`, `0.2 s longer`, `same length`.
fn length(difference: f64) -> String {
    if difference.abs() < 0.05 {
        return "same length".to_owned();
    }
    format!("{:.1} s {}", difference.abs(), if difference < 0.0 { "shorter" } else { "longer" })
}

/// Rows of (label, file) in aligned columns: label, path, codes, title; then a blank line.
fn write_rows(out: &mut dyn Write, rows: Vec<(String, &FileLine)>) -> std::io::Result<()> {
    let label_width = rows.iter().map(|(label, _)| label.chars().count()).max().unwrap_or(0);
    let path_width = rows.iter().map(|(_, f)| f.path.chars().count()).max().unwrap_or(0);
    for (label, file) in rows {
        let codes = if file.isrcs.is_empty() { "-".to_owned() } else { file.isrcs.join(", ") };
        let title = file.title.as_deref().map(|t| format!("  \"{t}\"")).unwrap_or_default();
        let label = if label_width == 0 { String::new() } else { format!("{label:<label_width$}  ") };
        let line = format!("  {label}{:<path_width$}  {codes:<12}{title}", file.path);
        writeln!(out, "{}", output::escape_controls(line.trim_end()))?;
    }
    writeln!(out)
}

/// `9 files, 7 distinct audio: 1 exact group, 1 same-recording group, 1 likely edit`.
fn summary(report: &DupesReport) -> String {
    let (files, findings) = (report.files, &report.findings);
    let failed = report.errors.iter().filter(|line| line.kind == "error").count();
    let skipped = report.errors.len() - failed;
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut text = format!(
        "{}, {} distinct audio: {}, {}, {}",
        plural(files, "file", "files"),
        report.distinct,
        plural(findings.groups.len(), "exact group", "exact groups"),
        plural(findings.recordings.len(), "same-recording group", "same-recording groups"),
        plural(findings.edits.len(), "likely edit", "likely edits"),
    );
    let unprinted = report.unfingerprinted;
    if unprinted > 0 {
        text.push_str(&format!("; {unprinted} too short to fingerprint (under about 8 s)"));
    }
    if failed > 0 {
        text.push_str(&format!("; {failed} could not be read"));
    }
    if skipped > 0 {
        text.push_str(&format!("; {skipped} skipped (formats not read)"));
    }
    text
}
