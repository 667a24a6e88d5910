//! What changes the ledger, each one transaction with its events
//! ([`crate::ledger::ops`]), and what it prints: `ledger edit ISRC` (its text), `ledger
//! void` (codes withdrawn), `ledger unlink PATH|AUDIO_ID` (a binding made by mistake)
//! and `ledger prefix remove CC-XXX`.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::base::ids::AudioId;
use crate::isrc::{Isrc, Prefix};
use crate::ledger::ops::{NotVoided, Voiding};
use crate::ledger::{self, Ledger, LedgerError, MetadataEdit};
use crate::output::{self, Exit};

/// Runs `ledger edit ISRC`: changes the title, artist or version, with an `edit` event
/// saying what was and what is; exit 1 when the code is not in the ledger or void.
pub(super) fn edit(
    ledger: &mut dyn Ledger,
    isrc: Isrc,
    edit: &MetadataEdit,
    user: &str,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let result = ledger::ops::edit(ledger, isrc, edit, user);
    let (after, detail) = match result {
        Ok(done) => done,
        Err(error @ (LedgerError::UnknownCode(_) | LedgerError::CodeVoid(_))) => {
            eprintln!("isrc-stamp: {error}");
            return Ok(Exit::Findings);
        }
        Err(error) => return Err(error.into()),
    };
    if json {
        output::json_line(out, &after)?;
    } else {
        writeln!(out, "{} ({isrc}): {detail}", isrc.display_form())?;
    }
    Ok(Exit::Clean)
}

/// What `ledger void --json` prints, one line per code voided.
#[derive(Debug, Serialize)]
struct Voided<'a> {
    isrc: Isrc,
    status: &'static str,
    void_reason: &'a str,
    audio_ids: usize,
}

/// Runs `ledger void ISRC... --reason TEXT` or `ledger void --run RUN --reason TEXT`: all
/// the codes in one transaction, or none (exit 1 when a code is not in the ledger or
/// already void, or the run is not). A run's codes that are void already are passed
/// over, so taking a run back twice does no harm.
pub(super) fn void(
    ledger: &mut dyn Ledger,
    which: &Voiding,
    reason: &str,
    user: &str,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    if reason.trim().is_empty() {
        anyhow::bail!("--reason is empty: say why the codes are withdrawn, it stays in the ledger's history");
    }
    let result = ledger::ops::void(ledger, which, reason, user);
    let voided = match result {
        Ok(voided) => voided,
        Err(NotVoided::Refused(why)) => {
            eprintln!("isrc-stamp: {why}");
            return Ok(Exit::Findings);
        }
        Err(NotVoided::Ledger(error)) => return Err(error.into()),
    };
    if let (Voiding::Run(run), true) = (which, voided.is_empty()) {
        eprintln!("nothing to void: run {run} issued no code that is still active");
    }
    for (isrc, audio_ids) in &voided {
        if json {
            output::json_line(
                out,
                &Voided { isrc: *isrc, status: "void", void_reason: reason, audio_ids: *audio_ids },
            )?;
        } else {
            writeln!(out, "{} ({isrc}) is void: {reason} (audio ids bound to it: {audio_ids})", isrc.display_form())?;
        }
    }
    if !json && !voided.is_empty() {
        writeln!(
            out,
            "  never issued again, never written by `assign` (its audio gets a new code or a question), and `verify` \
             reports any file that carries it; `isrc-stamp untag PATH` removes it from the files"
        )?;
    }
    Ok(Exit::Clean)
}

/// What `ledger unlink --json` prints.
#[derive(Debug, Serialize)]
struct Unlinked<'a> {
    audio_id: String,
    isrc: Isrc,
    reason: &'a str,
}

/// Runs `ledger unlink PATH|AUDIO_ID --reason TEXT`: removes the audio id's binding (a
/// link made by mistake) with an `unlink` event; the code and its other audio stay.
/// Exit 1 when the audio id is not bound.
pub(super) fn unlink(
    ledger: &mut dyn Ledger,
    target: &Path,
    reason: &str,
    user: &str,
    ledger_arg: &str,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    if reason.trim().is_empty() {
        anyhow::bail!("--reason is empty: say why the binding was wrong, it stays in the ledger's history");
    }
    let (audio_id, path) = match target.to_str().and_then(AudioId::parse) {
        Some(audio_id) => (audio_id, None),
        None => {
            let facts = crate::audio::analyze(target)
                .with_context(|| format!("{}: cannot find its audio id", output::path(target)))?;
            (facts.audio_id, Some(output::path(target)))
        }
    };
    let result = ledger::ops::unlink(ledger, &audio_id, path.as_deref(), reason, user);
    let isrc = match result {
        Ok(isrc) => isrc,
        Err(error @ LedgerError::UnknownAudio(_)) => {
            eprintln!("isrc-stamp: {error}: nothing to unlink");
            return Ok(Exit::Findings);
        }
        Err(error) => return Err(error.into()),
    };
    if json {
        output::json_line(out, &Unlinked { audio_id: audio_id.to_string(), isrc, reason })?;
    } else {
        writeln!(out, "{audio_id} is no longer bound to {isrc}: {reason}")?;
        if let Some(path) = &path {
            writeln!(
                out,
                "  the file still carries {isrc}; give it its recording's code with \
                 `isrc-stamp{ledger_arg} assign --fix --same-recording-as ISRC {path}`, or decide it afresh with \
                 `isrc-stamp{ledger_arg} assign --fix {path}`",
                path = output::shell_word(path)
            )?;
        }
    }
    Ok(Exit::Clean)
}

/// Runs `ledger prefix remove CC-XXX`: exit 1 while a code uses it or when it is not there.
pub(super) fn remove_prefix(ledger: &mut dyn Ledger, prefix: Prefix, out: &mut dyn Write) -> anyhow::Result<Exit> {
    match ledger.remove_prefix(prefix) {
        Ok(()) => {
            writeln!(out, "prefix {prefix} removed")?;
            Ok(Exit::Clean)
        }
        Err(error @ (LedgerError::PrefixInUse { .. } | LedgerError::UnknownPrefix(_))) => {
            eprintln!("isrc-stamp: {}", crate::commands::advice::said(&error));
            Ok(Exit::Findings)
        }
        Err(error) => Err(error.into()),
    }
}
