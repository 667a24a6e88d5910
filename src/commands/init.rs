//! `isrc-stamp init --prefix CC-XXX [--range 00001-99999] [--add]`: create the ledger or add a
//! registrant prefix to it.

use std::io::Write;

use crate::isrc::{DesignationRange, Prefix};
use crate::ledger::{self, Location};
use crate::output::Exit;

/// What `init` was asked: built once from the command line.
#[derive(Debug, Clone)]
pub(crate) struct InitOptions {
    /// Where the ledger is (created if it is not there).
    pub location: Location,
    /// The registrant prefix.
    pub prefix: Prefix,
    /// The designations it may issue.
    pub range: DesignationRange,
    /// `--add`: a further prefix.
    pub add: bool,
    /// ` --ledger LOCATION` as the user gave it, for the commands a message suggests.
    pub ledger_arg: String,
}

/// Runs `init`: opens (creating) the ledger at `location` and adds `prefix` with `range`.
///
/// A ledger that holds other prefixes takes a new one only with `add`: a typo in the
/// prefix would otherwise become a second registrant, issuing codes no agency allocated.
pub(crate) fn run(options: &InitOptions, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let InitOptions { location, prefix, range, add, ledger_arg } = options;
    let (prefix, range, add) = (*prefix, *range, *add);
    let mut ledger = ledger::open(location)?;
    let held = ledger.prefixes()?;
    if !add && !held.is_empty() && !held.iter().any(|p| p.prefix == prefix) {
        let names: Vec<String> = held.iter().map(|p| p.prefix.to_string()).collect();
        anyhow::bail!(
            "the ledger {location} holds prefix {} already; to add {prefix} as a further prefix, run \
             `isrc-stamp{ledger_arg} init --prefix {prefix} --add` (check it for a typo first)",
            names.join(", ")
        );
    }
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
