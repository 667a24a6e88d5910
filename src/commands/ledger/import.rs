//! `ledger import FILE` of a list (CSV or JSON Lines): what was asked
//! ([`ImportRequest`]), the import itself, the summary it prints, and the report of the
//! bad rows that refuse a file. A carrier made elsewhere (`ledger import DDPDIR|FILE.cue`)
//! is `commands/ddp.rs`'s.

use std::io::Write;

use anyhow::Context;
use serde::Serialize;

use crate::ledger::exchange::{self, BadRows, Defaults, ImportError, ImportOptions, ImportSummary};
use crate::ledger::{self, Location};
use crate::output::{self, Exit};

/// What `ledger import` was asked to do.
#[derive(Debug, Clone)]
pub(crate) struct ImportRequest {
    /// The list.
    pub file: std::path::PathBuf,
    /// Defaults for the rows, and how the header is read.
    pub defaults: Defaults,
    /// `--foreign`, `--update`.
    pub options: ImportOptions,
}

/// Runs `ledger import FILE`: every row is checked, and either all are imported in one
/// transaction or none, with the bad rows reported by line number (exit 1; the first
/// [`exchange::SHOWN_ERRORS`] problems and a count of the rest). A column isrc-stamp does
/// not know refuses the file, naming it (`--columns`, `--ignore`). Where the file and the
/// ledger differ in a code's descriptive fields, the ledger is kept and the differences
/// shown (exit 1) unless `--update`. The file is read twice, in bounded memory
/// ([`exchange::stage`], then [`exchange::import`]); a ledger that did not exist is created
/// only for an import that succeeds.
pub(super) fn import(
    location: &Location,
    request: &ImportRequest,
    json: bool,
    quiet: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let file = &request.file;
    let input = std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    // The scratch file lives beside an SQLite ledger (its disk, and found again): the
    // ones killed imports left there are removed first.
    let folder = location.path().map(|path| crate::base::replace::folder_of(path).to_path_buf());
    if let Some(folder) = &folder {
        let removed = exchange::remove_stale_scratch(folder);
        if removed > 0 && !quiet {
            eprintln!("removed {removed} scratch file(s) a killed import had left in {}", folder.display());
        }
    }
    let mut staged = exchange::stage_in(input, &request.defaults, folder.as_deref())
        .with_context(|| format!("cannot read {}", file.display()))?;
    let source = file.display().to_string();
    if !staged.unknown.is_empty() {
        let names: Vec<String> = staged.unknown.iter().map(|name| format!("{name:?}")).collect();
        let first = &staged.unknown[0];
        eprintln!(
            "isrc-stamp: {source}: column(s) isrc-stamp does not know: {}; nothing imported. Read one as a field \
             with --columns {} (the fields are the columns of `ledger export`), or leave it out with --ignore {}",
            names.join(", "),
            output::shell_word(&format!("{first}=title")),
            output::shell_word(first)
        );
        return Ok(Exit::Findings);
    }
    if let Some(bad) = staged.bad_rows() {
        report_bad_rows(&bad, &source, json, out)?;
        return Ok(Exit::Findings);
    }
    let result =
        ledger::ops::import(location, &mut staged, &source, &request.options).map_err(crate::commands::created)?;
    match result {
        Ok(summary) => {
            print_summary(&summary, &source, json, quiet, out)?;
            Ok(if summary.differences.is_empty() { Exit::Clean } else { Exit::Findings })
        }
        Err(ImportError::Rows(bad)) => {
            report_bad_rows(&bad, &source, json, out)?;
            Ok(Exit::Findings)
        }
        Err(ImportError::Ledger(error)) => Err(error.into()),
        Err(error @ ImportError::Scratch(_)) => Err(error.into()),
    }
}

/// What an import did, as a sentence or a `{"summary":{...}}` line, and each difference
/// kept in the ledger (a line each, or `{"difference":{...}}` lines).
fn print_summary(
    summary: &ImportSummary,
    source: &str,
    json: bool,
    quiet: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if json {
        #[derive(Serialize)]
        struct DifferenceLine<'a> {
            difference: &'a exchange::Difference,
        }
        for difference in &summary.differences {
            output::json_line(out, &DifferenceLine { difference })?;
        }
        #[derive(Serialize)]
        struct Line<'a> {
            summary: &'a ImportSummary,
        }
        output::json_line(out, &Line { summary })?;
        return Ok(());
    }
    for d in &summary.differences {
        writeln!(
            out,
            "difference  line {}  {}  {}: {:?} in the file, {:?} in the ledger",
            d.line,
            d.what,
            d.field,
            output::escape_controls(&d.file),
            output::escape_controls(&d.ledger)
        )?;
    }
    let ImportSummary { recordings_imported, recordings_skipped, audio_imported, audio_skipped, .. } = *summary;
    writeln!(
        out,
        "imported {recordings_imported} recordings and {audio_imported} audio ids from {source}; \
         skipped {recordings_skipped} recordings and {audio_skipped} audio ids already in the ledger"
    )?;
    if summary.recordings_updated + summary.releases_imported + summary.releases_updated > 0 {
        writeln!(
            out,
            "corrected {} recordings; entered {} releases, corrected {}",
            summary.recordings_updated, summary.releases_imported, summary.releases_updated
        )?;
    }
    if !quiet && summary.codes_filled_from_releases > 0 {
        eprintln!(
            "gave {} code(s) that had none the date of first publication or the (P) line of their release",
            summary.codes_filled_from_releases
        );
    }
    if !quiet && summary.release_rows_without_upc > 0 {
        eprintln!(
            "note: {} row(s) name a release without a UPC/EAN: no release was entered for them",
            summary.release_rows_without_upc
        );
    }
    if !quiet && !summary.differences.is_empty() {
        eprintln!(
            "isrc-stamp: {} difference(s) between {source} and the ledger: the ledger was kept; pass --update to \
             correct it from the file",
            summary.differences.len()
        );
    }
    Ok(())
}

/// The first bad rows on stderr (and as JSON lines on `out` with `--json`), then the
/// verdict with the count of all.
fn report_bad_rows(bad: &BadRows, source: &str, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    for error in &bad.shown {
        let error = &crate::commands::advice::row(error);
        if json {
            output::json_line(out, error)?;
        } else {
            eprintln!("isrc-stamp: {source}: {}", output::escape_controls(&error.to_string()));
        }
    }
    if bad.shown.len() == exchange::SHOWN_ERRORS {
        eprintln!("isrc-stamp: only the first {} problems are shown", exchange::SHOWN_ERRORS);
    }
    eprintln!("isrc-stamp: {} bad row(s) in {source}: nothing imported; fix them and import the file again", bad.rows);
    Ok(())
}
