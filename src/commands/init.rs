//! `isrc-stamp init --prefix CC-XXX [--range 00001-99999]`: create the ledger or add a
//! registrant prefix to it.

use std::io::Write;
use std::path::Path;

use crate::code::{DesignationRange, Prefix};
use crate::ledger::{Ledger, SqliteLedger};
use crate::report::Exit;

/// Runs `init`: opens (creating) the ledger at `path` and adds `prefix` with `range`.
pub fn run(path: &Path, prefix: Prefix, range: DesignationRange, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let mut ledger = SqliteLedger::open(path)?;
    let added = ledger.add_prefix(prefix, range, crate::ledger::now())?;
    let what = if added { "added" } else { "already in the ledger" };
    writeln!(out, "prefix {prefix} (designations {range}) {what}: {}", path.display())?;
    if !crate::code::is_known_country(prefix.country()) {
        eprintln!(
            "warning: unknown country code {:?} (list of {}); check it with your ISRC agency",
            prefix.country(),
            crate::code::COUNTRY_LIST_DATE
        );
    }
    Ok(Exit::Clean)
}
