//! The command line: parsing with clap and dispatching to the commands.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, Parser, Subcommand};

use crate::code::{DesignationRange, Isrc, Prefix};
use crate::commands;
use crate::commands::assign::AssignOptions;
use crate::ledger::{Lookup, Relation, SqliteLedger};
use crate::policy::Request;
use crate::report::Exit;

/// Give every sound recording in a folder of masters the one ISRC that belongs to it.
#[derive(Debug, Parser)]
#[command(name = "isrc-stamp", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub common: Common,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Common {
    /// The ledger database [default: the user's data folder, isrc-stamp/ledger.sqlite3].
    #[arg(long, global = true, env = "ISRC_STAMP_LEDGER", value_name = "PATH")]
    pub ledger: Option<PathBuf>,
    /// One JSON object per line on stdout instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
    /// Files decoded at once (default: all cores).
    #[arg(long, short = 'j', global = true, value_name = "N")]
    pub jobs: Option<usize>,
    /// Print only results, no progress or notes.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    /// More detail on stderr.
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
}

impl Common {
    /// The ledger's path: `--ledger`, `ISRC_STAMP_LEDGER`, or the user's data folder.
    pub fn ledger_path(&self) -> anyhow::Result<PathBuf> {
        if let Some(path) = &self.ledger {
            return Ok(path.clone());
        }
        let dirs = directories::ProjectDirs::from("", "", "isrc-stamp")
            .ok_or_else(|| anyhow::anyhow!("no home folder to keep the ledger in; pass --ledger PATH"))?;
        Ok(dirs.data_dir().join("ledger.sqlite3"))
    }

    /// The ledger to compare with, if there is one: a ledger named with `--ledger` or
    /// `ISRC_STAMP_LEDGER` must exist; the default one is used when it exists.
    pub fn ledger_if_any(&self) -> anyhow::Result<Option<SqliteLedger>> {
        if self.ledger.is_some() {
            return self.open_ledger().map(Some);
        }
        let path = self.ledger_path()?;
        Ok(if path.is_file() { Some(SqliteLedger::open(&path)?) } else { None })
    }

    /// Opens the existing ledger, or says how to create one.
    pub fn open_ledger(&self) -> anyhow::Result<SqliteLedger> {
        let path = self.ledger_path()?;
        if !path.is_file() {
            bail!(
                "no ledger at {}: create it with `isrc-stamp init --prefix CC-XXX` (or pass --ledger PATH)",
                path.display()
            );
        }
        Ok(SqliteLedger::open(&path)?)
    }

    /// The number of worker threads to use.
    pub fn jobs(&self) -> usize {
        self.jobs.filter(|&n| n > 0).unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate ISRCs and show their parts.
    Check {
        /// Codes to check (hyphens, spaces, lowercase and a leading "ISRC" are accepted).
        #[arg(required = true, value_name = "CODE")]
        codes: Vec<String>,
    },
    /// Create the ledger, or add a registrant prefix to it.
    Init {
        /// The registrant prefix: country code and registrant code, like US-PR3.
        #[arg(long, value_name = "CC-XXX")]
        prefix: Prefix,
        /// The designation codes the prefix may issue.
        #[arg(long, value_name = "NNNNN-NNNNN", default_value = "00001-99999")]
        range: DesignationRange,
    },
    /// Give every recording under PATH its code and write it into the tags.
    Assign(AssignArgs),
    /// Show, export or import what the ledger holds, or void a code.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// Check, before pressing, that every file carries the right code.
    Verify {
        /// Files and folders (walked recursively).
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// The carrier: `cd` adds the Red Book checks.
        #[arg(long, value_enum, default_value = "digital")]
        carrier: commands::verify::Carrier,
        /// Longest total playing time for a CD, as MM:SS or seconds.
        #[arg(long, value_name = "MM:SS", default_value = "79:57", value_parser = parse_minutes_seconds)]
        max_total: f64,
    },
    /// Find the same recording more than once: exact copies (one audio id) and
    /// near-duplicates by acoustic fingerprint (other encodings, rates, bit depths, edits).
    Dupes {
        /// Files and folders (walked recursively).
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Show what a file is: format, audio id, duration, MD5s and every ISRC location.
    Inspect {
        /// Files (or folders, walked recursively).
        #[arg(required = true, value_name = "FILE")]
        paths: Vec<PathBuf>,
    },
    /// Write a CUE sheet for the album, each track with the ISRC its file carries.
    Cue {
        /// Files and folders (walked recursively), in track order.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Write the sheet to FILE (atomically) instead of stdout; FILE names are relative to its folder.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// The release's UPC/EAN for the CATALOG line (12 or 13 digits, check digit validated).
        #[arg(long, value_name = "UPC/EAN")]
        catalog: Option<crate::cue::Catalog>,
        /// The track order: a file listing one path per line (relative to its folder, or absolute).
        #[arg(long, value_name = "FILE")]
        order: Option<PathBuf>,
    },
}

/// `assign`'s own options.
#[derive(Debug, Args)]
pub struct AssignArgs {
    /// Files and folders (walked recursively).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Decide and report, change neither files nor the ledger.
    #[arg(long)]
    pub dry_run: bool,
    /// Year of reference for issued codes [default: this year]; a future year is refused.
    #[arg(long, value_name = "YYYY")]
    pub year: Option<i16>,
    /// Rewrite retagged duplicates to the ledger's code.
    #[arg(long)]
    pub fix: bool,
    /// The prefix to issue under (required when the ledger holds several).
    #[arg(long, value_name = "CC-XXX")]
    pub prefix: Option<Prefix>,
    /// The files are another encode or carrier of this recording: give them its code.
    #[arg(long, value_name = "ISRC", conflicts_with = "new_version_of")]
    pub same_recording_as: Option<Isrc>,
    /// The files are a new version of this recording: new codes, with the lineage.
    #[arg(long, value_name = "ISRC", requires = "relation")]
    pub new_version_of: Option<Isrc>,
    /// What kind of new version: edit, remix, remaster, live, language, mix, other.
    #[arg(long = "as", value_name = "KIND", requires = "new_version_of")]
    pub relation: Option<Relation>,
}

/// `ledger` subcommands.
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Every recording, by code.
    List,
    /// One recording: its audio ids and history.
    Show {
        /// The code.
        isrc: Isrc,
    },
    /// Write every recording with its audio ids and lineage (CSV, or JSON Lines).
    Export {
        /// csv: a header row, one row per (recording, audio id); json: one object per
        /// recording [default: csv, or json with --json].
        #[arg(long, value_enum)]
        format: Option<commands::ledger::ExportFormat>,
        /// Write to FILE (atomically) instead of stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Adopt the codes of a CSV or JSON Lines list: all rows or none.
    Import {
        /// The list: an export, a distributor's list (an isrc column is enough), ...
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Withdraw a code: it stays in the ledger, is never issued again, and `verify`
    /// reports files that carry it.
    Void {
        /// The code.
        isrc: Isrc,
        /// Why it is withdrawn.
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
}

/// Runs the parsed command line, writing results to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let common = &cli.common;
    let exit = match &cli.command {
        Command::Check { codes } => commands::check::run(codes, common.json, out)?,
        Command::Init { prefix, range } => commands::init::run(&common.ledger_path()?, *prefix, *range, out)?,
        Command::Assign(args) => {
            let mut ledger = common.open_ledger()?;
            let options = assign_options(args, common, &ledger)?;
            commands::assign::run(&mut ledger, &options, out)?
        }
        Command::Ledger { command: LedgerCommand::List } => {
            commands::ledger::list(&common.open_ledger()?, common.json, out)?
        }
        Command::Ledger { command: LedgerCommand::Show { isrc } } => {
            commands::ledger::show(&common.open_ledger()?, *isrc, common.json, out)?
        }
        Command::Ledger { command: LedgerCommand::Export { format, output } } => {
            let json = commands::ledger::ExportFormat::Json;
            let format = format.unwrap_or(if common.json { json } else { commands::ledger::ExportFormat::Csv });
            commands::ledger::export(&mut common.open_ledger()?, format, output.as_deref(), common.quiet, out)?
        }
        Command::Ledger { command: LedgerCommand::Import { file } } => {
            // Importing into a ledger that does not exist yet creates it.
            let mut ledger = SqliteLedger::open(common.ledger_path()?)?;
            commands::ledger::import(&mut ledger, file, &current_user(), common.json, common.quiet, out)?
        }
        Command::Ledger { command: LedgerCommand::Void { isrc, reason } } => {
            commands::ledger::void(&mut common.open_ledger()?, *isrc, reason, &current_user(), common.json, out)?
        }
        Command::Verify { paths, carrier, max_total } => {
            let ledger = common.ledger_if_any()?;
            let options = commands::verify::VerifyOptions {
                paths: paths.clone(),
                carrier: *carrier,
                cd_limits: crate::checks::CdLimits { max_total_seconds: *max_total },
                jobs: common.jobs(),
                json: common.json,
                quiet: common.quiet,
            };
            commands::verify::run(ledger.as_ref(), &options, out)?
        }
        Command::Inspect { paths } => commands::inspect::run(paths, common.json, common.jobs(), common.quiet, out)?,
        Command::Dupes { paths } => {
            let options = commands::dupes::DupesOptions {
                paths: paths.clone(),
                jobs: common.jobs(),
                json: common.json,
                quiet: common.quiet,
            };
            commands::dupes::run(&options, out)?
        }
        Command::Cue { paths, output, catalog, order } => {
            let options = commands::cue::CueOptions {
                paths: paths.clone(),
                output: output.clone(),
                catalog: *catalog,
                order: order.clone(),
                jobs: common.jobs(),
                json: common.json,
                quiet: common.quiet,
            };
            commands::cue::run(&options, out)?
        }
    };
    Ok(exit)
}

/// Resolves `assign`'s options against the ledger: the prefix, the year, the user.
fn assign_options(args: &AssignArgs, common: &Common, ledger: &SqliteLedger) -> anyhow::Result<AssignOptions> {
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
        prefix,
        year: year_of_reference(args.year)?,
        request: Request {
            fix: args.fix,
            same_recording_as: args.same_recording_as,
            new_version_of: args.new_version_of.zip(args.relation),
        },
        jobs: common.jobs(),
        user: current_user(),
        json: common.json,
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
fn current_user() -> String {
    std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "unknown".into())
}

/// Parses `MM:SS`, `H:MM:SS` or plain seconds.
fn parse_minutes_seconds(text: &str) -> Result<f64, String> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    let numbers: Result<Vec<f64>, _> = parts.iter().map(|p| p.parse::<f64>()).collect();
    let error = || format!("{text:?} is not a duration like 79:57 or 4797");
    let numbers = numbers.map_err(|_| error())?;
    if numbers.is_empty() || numbers.len() > 3 || numbers.iter().any(|n| !n.is_finite() || *n < 0.0) {
        return Err(error());
    }
    Ok(numbers.iter().fold(0.0, |total, n| total * 60.0 + n))
}
