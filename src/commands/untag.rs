//! `isrc-stamp untag PATH...`: run [`crate::untag`] and print a line per file: a table,
//! or JSON Lines; a summary on stderr.

use std::io::Write;

use crate::ledger::Ledger;
use crate::output::style::{self, Tone};
use crate::output::{self, Exit};
use crate::untag::{self, UntagAction, UntagOptions, UntagOutcome};

/// `untag` as asked: its ledger (opened to read only for a dry run) and its options,
/// built once from the command line.
pub(crate) struct UntagCommand {
    /// The ledger.
    pub ledger: Box<dyn Ledger>,
    /// The engine's options.
    pub options: UntagOptions,
    /// JSON Lines instead of a table.
    pub json: bool,
}

/// Runs `untag` and prints its outcomes; exit 2 when a file could not be read or
/// written, 128 + the signal when one stopped it with a file left as it was.
pub(crate) fn run(command: UntagCommand, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let UntagCommand { mut ledger, options, json } = command;
    let (ledger, options) = (ledger.as_mut(), &options);
    let report = untag::run(ledger, options)?;
    if json {
        for outcome in &report.outcomes {
            output::json_line(out, outcome)?;
        }
    } else {
        write_table(out, &report.outcomes)?;
    }
    out.flush()?;
    if !options.quiet {
        eprintln!("{}", summary(&report.outcomes, options.dry_run));
    }
    if let Some(error) = &report.history_error {
        eprintln!("warning: the files above were untagged, but the ledger could not record it ({error})");
    }
    let errors = report.outcomes.iter().any(|o| o.action == UntagAction::Error);
    if let (Some(signal), true) = (report.interrupted, errors) {
        eprintln!("isrc-stamp: interrupted (signal {signal}): the files marked not untagged were left as they were");
        return Ok(Exit::Interrupted(signal));
    }
    Ok(if errors { Exit::Errors } else { Exit::Clean })
}

/// The table: file, action, the codes taken out, detail.
fn write_table(out: &mut dyn Write, outcomes: &[UntagOutcome]) -> std::io::Result<()> {
    let paths: Vec<_> = outcomes.iter().map(|o| output::escape_controls(&o.path)).collect();
    let width = style::widest(paths.iter().map(|p| p.as_ref()), 4);
    writeln!(out, "{}  {:<9}  {:<12}  DETAIL", style::pad("FILE", width), "ACTION", "REMOVED")?;
    for (o, path) in outcomes.iter().zip(&paths) {
        let tone = match o.action {
            UntagAction::Untagged => Tone::Good,
            UntagAction::Unchanged => Tone::Plain,
            UntagAction::Skipped => Tone::Warn,
            UntagAction::Error => Tone::Bad,
        };
        let removed = if o.removed.is_empty() { "-".to_owned() } else { o.removed.join(",") };
        let detail = output::escape_controls(o.detail.as_deref().unwrap_or(""));
        let action = style::paint(o.action.as_str(), 9, tone);
        writeln!(out, "{}  {action}  {:<12}  {detail}", style::pad(path, width), output::escape_controls(&removed))?;
    }
    Ok(())
}

/// `3 files: 2 untagged, 1 unchanged (dry run: nothing changed)`.
fn summary(outcomes: &[UntagOutcome], dry_run: bool) -> String {
    let all = [UntagAction::Untagged, UntagAction::Unchanged, UntagAction::Skipped, UntagAction::Error];
    let parts: Vec<String> = all
        .iter()
        .map(|action| (action, outcomes.iter().filter(|o| o.action == *action).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(action, n)| format!("{n} {}", action.as_str()))
        .collect();
    let files = output::count(outcomes.len(), "file", "files");
    let tail = if dry_run { " (dry run: no file or ledger changed)" } else { "" };
    format!("{files}: {}{tail}", parts.join(", "))
}
