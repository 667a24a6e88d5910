//! One module per subcommand.

pub mod assign;
pub mod check;
pub mod cue;
pub mod dupes;
pub mod init;
pub mod inspect;
pub mod ledger;
pub mod verify;
