//! One thin module per subcommand: call the engine, print what it found, return the
//! exit code.

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
