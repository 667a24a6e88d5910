//! What the command line adds to a ledger error: the ledger words what went wrong and
//! names no flag ([`LedgerError`]); the flag or command that helps is worded here, so
//! every message the user sees reads as one sentence.

use crate::ledger::LedgerError;

/// `error`'s message as the user sees it: the ledger's words, with the command line's
/// advice (the flag or command that helps) where it has some.
pub(crate) fn said(error: &LedgerError) -> String {
    match error {
        LedgerError::NotALedger { .. } => format!("{error}; otherwise pass another location with --ledger"),
        LedgerError::IsAFolder(path) => format!(
            "{} is a folder: --ledger needs the path of a ledger file (for example {}) or a postgresql:// URL",
            path.display(),
            path.join("ledger.sqlite3").display()
        ),
        LedgerError::NoLedger { .. } => {
            format!("{error}: create it with `isrc-stamp init --prefix CC-XXX` (or pass another --ledger)")
        }
        LedgerError::NotPermitted(_) => format!("{error}, or use --dry-run"),
        LedgerError::NotEmpty => "the target ledger is not empty: `ledger copy` copies only into an empty ledger, so \
                                  nothing is overwritten or mixed; pass a new location with --to"
            .to_owned(),
        LedgerError::UnknownPrefix(prefix) => format!("{error}; run `isrc-stamp init --prefix {prefix}` first"),
        LedgerError::NothingToEdit(_) => format!("{error}: give --title, --artist or --version"),
        _ => error.to_string(),
    }
}

/// The ledger error `cause` is, or wraps transparently (so its message is the ledger
/// error's own), if any.
fn ledger_error<'a>(cause: &'a (dyn std::error::Error + 'static)) -> Option<&'a LedgerError> {
    use crate::assign::clock::ClockError;
    use crate::ledger::CreateError;
    use crate::ledger::exchange::ImportError;
    use crate::release::FieldError;
    if let Some(error) = cause.downcast_ref::<LedgerError>() {
        Some(error)
    } else if let Some(ImportError::Ledger(error)) = cause.downcast_ref::<ImportError>() {
        Some(error)
    } else if let Some(CreateError::Ledger(error)) = cause.downcast_ref::<CreateError>() {
        Some(error)
    } else if let Some(FieldError::Ledger(error)) = cause.downcast_ref::<FieldError>() {
        Some(error)
    } else if let Some(ClockError::Ledger(error)) = cause.downcast_ref::<ClockError>() {
        Some(error)
    } else {
        None
    }
}

/// An error as `{:#}` shows it (each cause after a colon), every ledger error in it said
/// with the command line's advice ([`said`]).
pub(crate) fn error_text(error: &anyhow::Error) -> String {
    let causes: Vec<String> = error
        .chain()
        .map(|cause| match ledger_error(cause) {
            Some(ledger) => said(ledger),
            None => cause.to_string(),
        })
        .collect();
    causes.join(": ")
}
