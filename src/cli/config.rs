//! Turning the parsed arguments into what each command needs, once: the ledger's
//! location and handle, the worker count, `assign`'s prefix, year and user.

use anyhow::bail;

use super::{AssignArgs, Common};
use crate::assign::policy::Request;
use crate::assign::{AssignOptions, Decide};
use crate::ledger::{self, Ledger, Location};

/// The ledger's location: `--ledger`, `ISRC_STAMP_LEDGER` (a path or a `postgresql://`
/// URL), or the user's data folder.
pub(super) fn location(common: &Common) -> anyhow::Result<Location> {
    if let Some(given) = &common.ledger {
        return Ok(Location::parse(given)?);
    }
    let dirs = directories::ProjectDirs::from("", "", "isrc-stamp")
        .ok_or_else(|| anyhow::anyhow!("no home folder to keep the ledger in; pass --ledger PATH"))?;
    Ok(Location::Sqlite(dirs.data_dir().join("ledger.sqlite3")))
}

/// The ledger to compare with, if there is one: a ledger named with `--ledger` or
/// `ISRC_STAMP_LEDGER` must exist; the default one is used when it exists.
pub(super) fn ledger_if_any(common: &Common) -> anyhow::Result<Option<Box<dyn Ledger>>> {
    if common.ledger.is_some() {
        return open_existing(common).map(Some);
    }
    match ledger::open_existing(&location(common)?) {
        Ok(ledger) => Ok(Some(ledger)),
        Err(ledger::LedgerError::NoLedger { .. }) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Opens the existing ledger, or says how to create one; creates nothing.
pub(super) fn open_existing(common: &Common) -> anyhow::Result<Box<dyn Ledger>> {
    Ok(ledger::open_existing(&location(common)?)?)
}

/// The number of worker threads to use.
pub(super) fn jobs(common: &Common) -> usize {
    common.jobs.filter(|&n| n > 0).unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Resolves `assign`'s options against the ledger: the prefix, the year, the user.
pub(super) fn assign_options(
    args: &AssignArgs,
    common: &Common,
    ledger: &mut dyn Ledger,
) -> anyhow::Result<AssignOptions> {
    let prefixes = ledger.prefixes()?;
    let prefix = match (args.prefix, prefixes.as_slice()) {
        (Some(prefix), _) if prefixes.iter().any(|p| p.prefix == prefix) => prefix,
        (Some(prefix), _) => {
            bail!("prefix {prefix} is not in the ledger; add it with `isrc-stamp init --prefix {prefix}`")
        }
        (None, [only]) => only.prefix,
        (None, []) => bail!("the ledger holds no prefix; add one with `isrc-stamp init --prefix CC-XXX`"),
        (None, several) => {
            let names: Vec<String> = several.iter().map(|p| p.prefix.to_string()).collect();
            bail!("the ledger holds several prefixes ({}); choose one with --prefix", names.join(", "))
        }
    };
    Ok(AssignOptions {
        paths: args.paths.clone(),
        dry_run: args.dry_run,
        decide: Decide {
            prefix,
            year: year_of_reference(args.year)?,
            request: Request {
                fix: args.fix,
                same_recording_as: args.same_recording_as,
                new_version_of: args.new_version_of.zip(args.relation),
            },
            user: current_user(),
        },
        jobs: jobs(common),
        quiet: common.quiet,
    })
}

/// The two-digit year of reference: `--year`, or this year; never a future year.
fn year_of_reference(requested: Option<i16>) -> anyhow::Result<u8> {
    let this_year = jiff::Zoned::now().year();
    let year = requested.unwrap_or(this_year);
    if year > this_year {
        bail!("--year {year} is in the future: the year of reference is the year the code is assigned");
    }
    if year < 1900 {
        bail!("--year {year} is not a plausible year of reference");
    }
    Ok((year % 100) as u8)
}

/// The user recorded in the ledger: `USER` or `USERNAME`, else "unknown".
pub(super) fn current_user() -> String {
    std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "unknown".into())
}

/// Parses `MM:SS`, `H:MM:SS` or plain seconds.
pub(super) fn parse_minutes_seconds(text: &str) -> Result<f64, String> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    let numbers: Result<Vec<f64>, _> = parts.iter().map(|p| p.parse::<f64>()).collect();
    let error = || format!("{text:?} is not a duration like 79:57 or 4797");
    let numbers = numbers.map_err(|_| error())?;
    if numbers.is_empty() || numbers.len() > 3 || numbers.iter().any(|n| !n.is_finite() || *n < 0.0) {
        return Err(error());
    }
    Ok(numbers.iter().fold(0.0, |total, n| total * 60.0 + n))
}
