//! `assign --interactive`: the open questions asked on the terminal, one at a time,
//! before anything is decided for real.
//!
//! Each round decides the whole run in a transaction that is rolled back, with the
//! answers given so far, and asks the first question still open (an answer can settle
//! or raise later ones: the edit's MP3 is asked about only once the edit has its code).
//! No lock is held while the engineer thinks. The answers are then applied in the same
//! run, exactly as a decisions file would be. `q` (or the end of input) quits: nothing
//! is decided or written.

use std::io::{BufRead, Write};

use super::decide::{self, Answers, Question, RunContext};
use super::policy::{Accept, Answer};
use crate::isrc::Isrc;
use crate::ledger::{Ledger, LedgerError, Relation};
use crate::scan::Scanned;

/// Why the questions could not be asked to the end.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AskError {
    /// The ledger could not be read.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The terminal could not be read or written.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Asks every open question of the run; the answers, or `None` if the engineer quit.
pub(super) fn ask(
    ledger: &mut dyn Ledger,
    files: &[&Scanned],
    decide: &RunContext,
) -> Result<Option<Answers>, AskError> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut answers = decide.answers.clone();
    loop {
        let current = RunContext { answers: answers.clone(), ..decide.clone() };
        let Some((file, question)) = first_question(ledger, files, &current)? else {
            return Ok(Some(answers));
        };
        let proposal = proposal_for(ledger, files, &current, file)?;
        let mut err = std::io::stderr().lock();
        show(&mut err, file, &question, proposal.as_ref())?;
        let Some(answer) = read_answer(&mut input, &mut err, &question, proposal)? else {
            writeln!(err, "quit: nothing decided, nothing written")?;
            return Ok(None);
        };
        answers.by_path.insert(crate::output::path(&file.path), answer);
    }
}

/// The first file of the run, in walk order, that a rolled-back decision leaves with an
/// open question.
fn first_question<'f>(
    ledger: &mut dyn Ledger,
    files: &[&'f Scanned],
    decide: &RunContext,
) -> Result<Option<(&'f Scanned, Question)>, AskError> {
    let decided = ledger.dry_run(|tx| decide::decide_run(tx, files, decide, None))?.decided;
    Ok(files.iter().zip(decided).find_map(|(file, d)| Some((*file, d.outcome.question?))))
}

/// What `--accept encodes,edits` would answer for `file`, offered as the default.
fn proposal_for(
    ledger: &mut dyn Ledger,
    files: &[&Scanned],
    decide: &RunContext,
    file: &Scanned,
) -> Result<Option<Answer>, AskError> {
    let accepting = RunContext {
        request: super::policy::Request {
            accept: Accept { encodes: true, edits: true, imported: true },
            ..decide.request.clone()
        },
        ..decide.clone()
    };
    let decided = ledger.dry_run(|tx| decide::decide_run(tx, files, &accepting, None))?.decided;
    let at = files.iter().position(|f| std::ptr::eq(*f, file));
    Ok(at.and_then(|at| answer_of(&decided[at].decision)))
}

/// The answer a decision amounts to.
fn answer_of(decision: &super::policy::Decision) -> Option<Answer> {
    use super::policy::Decision;
    match decision {
        Decision::Link(isrc) => Some(Answer::SameRecordingAs(*isrc)),
        Decision::Issue { lineage: Some((parent, relation)) } => Some(Answer::NewVersionOf(*parent, *relation)),
        Decision::Issue { lineage: None } => Some(Answer::New),
        _ => None,
    }
}

/// The question, its candidates and the choices.
fn show(out: &mut dyn Write, file: &Scanned, question: &Question, proposal: Option<&Answer>) -> std::io::Result<()> {
    let kind = serde_json::to_value(question.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    writeln!(out)?;
    writeln!(out, "{}  ({kind})", crate::output::path(&file.path))?;
    for (n, candidate) in question.candidates.iter().enumerate() {
        match candidate.ber {
            Some(ber) => writeln!(
                out,
                "  {}. sounds like {} ({}): bit error rate {ber:.3}, {:+.1} s",
                n + 1,
                candidate.isrc,
                candidate.path,
                candidate.duration_difference_seconds
            )?,
            None => writeln!(
                out,
                "  {}. listed as {} {:?} (no audio yet): {:+.1} s from its declared length",
                n + 1,
                candidate.isrc,
                candidate.title.as_deref().unwrap_or(""),
                candidate.duration_difference_seconds
            )?,
        }
    }
    writeln!(out, "  [1-{}] the same recording as that one (its code)", question.candidates.len().max(1))?;
    writeln!(out, "  [v] a new version of the first one (asks which kind)")?;
    writeln!(out, "  [n] a new recording (a new code)")?;
    writeln!(out, "  [s] skip this file    [q] quit")?;
    if let Some(proposal) = proposal {
        writeln!(out, "  [Enter] {}", describe(proposal))?;
    }
    Ok(())
}

/// An answer in words.
fn describe(answer: &Answer) -> String {
    match answer {
        Answer::SameRecordingAs(isrc) => format!("the same recording as {isrc}"),
        Answer::NewVersionOf(parent, relation) => format!("a new version of {parent}, as {relation}"),
        Answer::New => "a new recording".into(),
        Answer::Skip => "skip".into(),
    }
}

/// Reads an answer, asking again until one is valid; `None` to quit.
fn read_answer(
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    question: &Question,
    proposal: Option<Answer>,
) -> Result<Option<Answer>, AskError> {
    let codes: Vec<Isrc> = question.candidates.iter().filter_map(|c| Isrc::parse(&c.isrc).ok()).collect();
    loop {
        write!(out, "> ")?;
        out.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let choice = line.trim().to_ascii_lowercase();
        let answer = match choice.as_str() {
            "" => proposal.clone(),
            "q" | "quit" => return Ok(None),
            "s" | "skip" => Some(Answer::Skip),
            "n" | "new" => Some(Answer::New),
            "v" | "version" => match codes.first() {
                Some(parent) => read_relation(input, out)?.map(|relation| Answer::NewVersionOf(*parent, relation)),
                None => None,
            },
            number => number
                .parse::<usize>()
                .ok()
                .and_then(|n| codes.get(n.checked_sub(1)?))
                .map(|c| Answer::SameRecordingAs(*c)),
        };
        match answer {
            Some(answer) => return Ok(Some(answer)),
            None => writeln!(out, "  not a choice: type a number, v, n, s or q")?,
        }
    }
}

/// Reads the kind of a new version.
fn read_relation(input: &mut dyn BufRead, out: &mut dyn Write) -> Result<Option<Relation>, AskError> {
    let words: Vec<&str> = Relation::ALL.iter().map(|r| r.as_str()).collect();
    loop {
        write!(out, "  which kind ({})? ", words.join(", "))?;
        out.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        match line.trim().parse::<Relation>() {
            Ok(relation) => return Ok(Some(relation)),
            Err(error) => writeln!(out, "  {error}")?,
        }
    }
}
