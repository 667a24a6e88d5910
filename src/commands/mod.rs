//! One thin module per subcommand: call the engine, print what it found, return the
//! exit code.

pub(crate) mod advice;
pub(crate) mod assign;
pub(crate) mod check;
pub(crate) mod cue;
pub(crate) mod ddp;
pub(crate) mod dupes;
pub(crate) mod init;
pub(crate) mod inspect;
pub(crate) mod ledger;
pub(crate) mod pq;
pub(crate) mod release;
pub(crate) mod untag;
pub(crate) mod verify;

/// A new ledger that could not be made or put in place, as the error the user sees (a
/// ledger error as itself, so its message is said in full).
pub(crate) fn created(error: crate::ledger::CreateError) -> anyhow::Error {
    match error {
        crate::ledger::CreateError::Ledger(error) => error.into(),
        error => error.into(),
    }
}
