//! What the command line adds to a ledger's or a carrier's error: the engine words what
//! went wrong and names no flag ([`LedgerError`], [`CarrierError`]); the flag or command
//! that helps is worded here, so every message the user sees reads as one sentence.

use crate::carrier::CarrierError;
use crate::ledger::LedgerError;
use crate::ledger::exchange::RowError;

/// `error`'s message as the user sees it: the ledger's words, with the command line's
/// advice (the flag or command that helps) where it has some.
pub(crate) fn said(error: &LedgerError) -> String {
    match error {
        LedgerError::NetworkShare { .. } => format!("{error} (--ledger postgresql://...)"),
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

/// A carrier's error as the user sees it: with the flag that helps, where one does.
pub(crate) fn carrier_said(error: &CarrierError) -> String {
    match error {
        CarrierError::ReleaseWithoutLedger => {
            "--release takes the release from the ledger, and there is none: pass --ledger PATH".to_owned()
        }
        CarrierError::WhichDisc { .. } => format!("{error}: choose one with --disc N"),
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
    } else if let Some(CarrierError::Ledger(error)) = cause.downcast_ref::<CarrierError>() {
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
        .map(|cause| match (ledger_error(cause), cause.downcast_ref::<CarrierError>()) {
            (Some(ledger), _) => said(ledger),
            (None, Some(carrier)) => carrier_said(carrier),
            (None, None) => cause.to_string(),
        })
        .collect();
    causes.join(": ")
}

/// A bad row of an import as the command line words it: another registrant's code gets
/// the option that imports it anyway.
pub(crate) fn row(error: &RowError) -> RowError {
    let mut worded = error.clone();
    if error.another_registrant {
        worded.message = format!("{}: pass --foreign to import another registrant's codes", error.message);
    }
    worded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isrc::{Isrc, Prefix};

    /// Every message the command line words is the one the user saw before the ledger's
    /// messages left the flags out.
    #[test]
    fn the_advice_makes_the_messages_the_user_knows() {
        let isrc = Isrc::parse("USPR32600001").unwrap();
        let prefix = Prefix::parse("US-PR3").unwrap();
        let folder = std::path::PathBuf::from("masters");
        let cases = [
            (
                LedgerError::NotALedger { location: "x.db".into(), why: "another database".into() },
                "x.db is not an isrc-stamp ledger (another database); nothing was changed. If it was your ledger, \
                 restore it from a backup; otherwise pass another location with --ledger"
                    .to_owned(),
            ),
            (
                LedgerError::IsAFolder(folder.clone()),
                format!(
                    "masters is a folder: --ledger needs the path of a ledger file (for example {}) or a \
                     postgresql:// URL",
                    folder.join("ledger.sqlite3").display()
                ),
            ),
            (
                LedgerError::NoLedger { location: "x.db".into() },
                "no ledger at x.db: create it with `isrc-stamp init --prefix CC-XXX` (or pass another --ledger)"
                    .to_owned(),
            ),
            (
                LedgerError::NotPermitted("permission denied".into()),
                "the ledger refused to record this: permission denied; this role may only read the ledger: ask its \
                 owner to grant it SELECT, INSERT and UPDATE on the ledger's tables (see README), or use --dry-run"
                    .to_owned(),
            ),
            (
                LedgerError::NotEmpty,
                "the target ledger is not empty: `ledger copy` copies only into an empty ledger, so nothing is \
                 overwritten or mixed; pass a new location with --to"
                    .to_owned(),
            ),
            (
                LedgerError::UnknownPrefix(prefix),
                "prefix US-PR3 is not in the ledger; run `isrc-stamp init --prefix US-PR3` first".to_owned(),
            ),
            (
                LedgerError::NothingToEdit(isrc),
                "nothing to change for USPR32600001: give --title, --artist or --version".to_owned(),
            ),
            (
                LedgerError::NetworkShare { location: "/mnt/x.db".into(), kind: "nfs".into() },
                "cannot open the ledger /mnt/x.db: it is on a network file system (nfs), where SQLite's locking \
                 does not hold and two computers could issue one code twice; keep the SQLite ledger on a local \
                 disk, or share a PostgreSQL ledger between rooms (--ledger postgresql://...)"
                    .to_owned(),
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(said(&error), expected);
            assert!(!error.to_string().contains("--"), "the ledger's own words name no flag: {error}");
        }
    }

    /// In a chain, a ledger error (bare, under a context, or in a transparent wrapper) is
    /// said with its advice; the rest as `{:#}` says it.
    #[test]
    fn a_chain_says_its_ledger_errors_with_their_advice() {
        let error = anyhow::Error::from(LedgerError::NotEmpty).context("cannot copy into b.db");
        assert_eq!(error_text(&error), format!("cannot copy into b.db: {}", said(&LedgerError::NotEmpty)));
        let wrapped = anyhow::Error::from(crate::ledger::CreateError::Ledger(LedgerError::NotEmpty));
        assert_eq!(error_text(&wrapped), said(&LedgerError::NotEmpty));
        let plain = anyhow::anyhow!("inner").context("outer");
        assert_eq!(error_text(&plain), format!("{plain:#}"));
    }

    /// The carrier's errors that a flag helps read as they did when the carrier named
    /// the flag itself; the carrier's own words name none.
    #[test]
    fn the_advice_words_the_carriers_flags() {
        let upc = crate::isrc::Catalog::parse("4050538793819").unwrap();
        let cases = [
            (
                CarrierError::ReleaseWithoutLedger,
                "--release takes the release from the ledger, and there is none: pass --ledger PATH",
            ),
            (
                CarrierError::WhichDisc { upc, discs: vec![1, 2] },
                "release 4050538793819 has 2 discs (1, 2): choose one with --disc N",
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(error_text(&anyhow::Error::from(error)), expected);
        }
        for error in [CarrierError::ReleaseWithoutLedger, CarrierError::WhichDisc { upc, discs: vec![1, 2] }] {
            assert!(!error.to_string().contains("--"), "the carrier's own words name no flag: {error}");
        }
        let ledger = anyhow::Error::from(CarrierError::Ledger(LedgerError::NotEmpty));
        assert_eq!(error_text(&ledger), said(&LedgerError::NotEmpty));
    }

    #[test]
    fn another_registrants_row_is_told_how_to_import_it() {
        let mut row = RowError::new(3, Some("GBBBB9905305".into()), "the ledger holds no prefix GB-BBB".into());
        assert_eq!(super::row(&row).message, "the ledger holds no prefix GB-BBB");
        row.another_registrant = true;
        assert_eq!(
            super::row(&row).message,
            "the ledger holds no prefix GB-BBB: pass --foreign to import another registrant's codes"
        );
        assert_eq!(super::row(&row).line, 3);
    }
}
