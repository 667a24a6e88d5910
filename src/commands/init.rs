//! `isrc-stamp init --prefix CC-XXX [--range 00001-99999]`: create the ledger or add a
//! registrant prefix to it.

use std::io::Write;

use crate::isrc::{DesignationRange, Prefix};
use crate::ledger::{self, Location};
use crate::output::Exit;

/// Runs `init`: opens (creating) the ledger at `location` and adds `prefix` with `range`.
pub(crate) fn run(
    location: &Location,
    prefix: Prefix,
    range: DesignationRange,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let mut ledger = ledger::open(location)?;
    let added = ledger.add_prefix(prefix, range, ledger::now())?;
    let what = if added { "added" } else { "already in the ledger" };
    writeln!(out, "prefix {prefix} (designations {range}) {what}: {location}")?;
    if !crate::isrc::is_known_country(prefix.country()) {
        eprintln!(
            "warning: unknown country code {:?} (list of {}); check it with your ISRC agency",
            prefix.country(),
            crate::isrc::COUNTRY_LIST_DATE
        );
    }
    Ok(Exit::Clean)
}
