//! `isrc-stamp assign PATH...`: run the assign engine ([`crate::assign`]) and print a
//! line per file: a table, or JSON Lines; a summary on stderr.

use std::io::Write;

use crate::assign::{self, Action, AskError, AssignError, AssignOptions, Outcome};
use crate::isrc::Isrc;
use crate::ledger::Ledger;
use crate::output::style::{self, Tone};
use crate::output::{self, Exit};

/// `assign` as asked: its ledger (opened to read only for a dry run) and its options,
/// built once from the command line.
pub(crate) struct AssignCommand {
    /// The ledger.
    pub ledger: Box<dyn Ledger>,
    /// The engine's options.
    pub options: AssignOptions,
    /// JSON Lines instead of a table.
    pub json: bool,
}

/// Runs `assign` and prints its outcomes; exit 1 with a conflict, 2 with an error.
pub(crate) fn run(command: AssignCommand, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let AssignCommand { mut ledger, options, json } = command;
    let (ledger, options) = (ledger.as_mut(), &options);
    let report = match assign::run(ledger, options) {
        Ok(report) => report,
        // The terminal's own error, as it is: a closed pipe is no failure (see `main`).
        Err(AssignError::Ask(AskError::Io(error))) => return Err(error.into()),
        Err(error) => return Err(error.into()),
    };
    if report.quit {
        return Ok(Exit::Findings);
    }
    if report.removed_leftovers > 0 && !options.quiet {
        let files = output::count(report.removed_leftovers, "temporary file", "temporary files");
        eprintln!("removed {files} an interrupted run had left");
    }
    let exit = report.outcomes.iter().fold(Exit::Clean, |exit, outcome| {
        exit.worst(match outcome.action {
            Action::Error => Exit::Errors,
            Action::Conflict => Exit::Findings,
            _ => Exit::Clean,
        })
    });
    print(out, &report.outcomes, json, options.quiet, options.dry_run, report.run)?;
    if let (Some(left @ 1..), false) = (report.listed_left, options.quiet) {
        eprintln!(
            "{} a list brought in still {} no audio (isrc-stamp ledger list --unbound)",
            output::count(left, "code", "codes"),
            if left == 1 { "has" } else { "have" }
        );
    }
    if report.remembered > 0 && !options.quiet {
        eprintln!(
            "{} unchanged on disk since decided: not decoded again (--rehash decodes them)",
            output::count(report.remembered, "file", "files")
        );
    }
    if let Some(error) = &report.history_error {
        eprintln!(
            "warning: the files above were written, but the ledger could not record that in its history \
             ({error}); the codes are bound all the same, and the next run records what it finds"
        );
    }
    if let Some(signal) = report.interrupted {
        eprintln!("isrc-stamp: interrupted (signal {signal}): the files marked not written were left as they were");
        return Ok(Exit::Interrupted(signal));
    }
    Ok(exit)
}

/// Prints the outcomes: a table, or JSON Lines; a summary on stderr.
fn print(
    out: &mut dyn Write,
    outcomes: &[Outcome],
    json: bool,
    quiet: bool,
    dry_run: bool,
    run: Option<i64>,
) -> std::io::Result<()> {
    if json {
        for outcome in outcomes {
            output::json_line(out, outcome)?;
        }
    } else {
        write_table(out, outcomes)?;
    }
    out.flush()?;
    if !quiet {
        eprintln!("{}", summary(outcomes, dry_run, run));
    }
    Ok(())
}

/// The table: columns aligned by display width, the action coloured by what it means.
/// Codes print compact (`QZDEM2600001`) in every table and JSON key, as they are stored
/// and embedded; only `check` shows the hyphenated display form, next to it.
fn write_table(out: &mut dyn Write, outcomes: &[Outcome]) -> std::io::Result<()> {
    let paths: Vec<_> = outcomes.iter().map(|o| output::escape_controls(&o.path)).collect();
    let durations: Vec<String> =
        outcomes.iter().map(|o| o.duration_seconds.map(output::duration).unwrap_or_else(|| "-".into())).collect();
    let width = style::widest(paths.iter().map(|p| p.as_ref()), 4);
    let long = style::widest(durations.iter().map(String::as_str), 8);
    writeln!(
        out,
        "{}  {}  {:<9}  {:<12}  DETAIL",
        style::pad("FILE", width),
        style::pad_left("DURATION", long),
        "ACTION",
        "ISRC"
    )?;
    for ((o, path), duration) in outcomes.iter().zip(&paths).zip(&durations) {
        let isrc = o.isrc.as_ref().map_or("-", Isrc::as_str);
        let detail = output::escape_controls(o.detail.as_deref().unwrap_or(""));
        let action = style::paint(o.action.as_str(), 9, tone(o.action));
        let (path, duration) = (style::pad(path, width), style::pad_left(duration, long));
        writeln!(out, "{path}  {duration}  {action}  {isrc:<12}  {detail}")?;
    }
    Ok(())
}

/// The colour of an action: done green, skipped yellow, a conflict or an error red.
fn tone(action: Action) -> Tone {
    match action {
        Action::Issued | Action::Reused | Action::Adopted | Action::Linked => Tone::Good,
        Action::Unchanged => Tone::Plain,
        Action::Skipped => Tone::Warn,
        Action::Conflict | Action::Error => Tone::Bad,
    }
}

/// `12 files: 4 issued, 8 unchanged (run 7)`, or `... (dry run: ...)`: the run's number is
/// what `ledger runs` lists and `ledger void --run` takes back.
fn summary(outcomes: &[Outcome], dry_run: bool, run: Option<i64>) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for action in Action::ALL {
        let n = outcomes.iter().filter(|o| o.action == action).count();
        if n > 0 {
            counts.push((action.as_str(), n));
        }
    }
    let parts: Vec<String> = counts.iter().map(|(name, n)| format!("{n} {name}")).collect();
    let files = if outcomes.len() == 1 { "file" } else { "files" };
    let tail = match (dry_run, run) {
        (true, _) => " (dry run: no file or ledger changed)".to_owned(),
        (false, Some(run)) => format!(" (run {run})"),
        (false, None) => String::new(),
    };
    format!("{} {files}: {}{tail}", outcomes.len(), parts.join(", "))
}
