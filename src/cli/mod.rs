//! The command line: the clap types, and [`run`], which turns them into each command's
//! options once ([`config`]) and dispatches.

mod config;

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::commands;
use crate::isrc::{Catalog, DesignationRange, Isrc, Prefix};
use crate::ledger::Relation;
use crate::output::Exit;
use crate::verify::Carrier;

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
    /// The ledger: an SQLite file, or a PostgreSQL server as postgresql://USER@HOST[:PORT]/DB
    /// [default: the user's data folder, isrc-stamp/ledger.sqlite3].
    #[arg(long, global = true, env = "ISRC_STAMP_LEDGER", value_name = "PATH|URL")]
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
        carrier: Carrier,
        /// Longest total playing time for a CD, as MM:SS or seconds.
        #[arg(long, value_name = "MM:SS", default_value = "79:57", value_parser = config::parse_minutes_seconds)]
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
        catalog: Option<Catalog>,
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
    /// Copy everything (prefixes, recordings, audio ids, fingerprints, the history) from
    /// the --ledger in use into an empty ledger at LOCATION, in one transaction.
    Copy {
        /// The target: an SQLite path or a postgresql:// URL; it must hold no ledger yet.
        #[arg(long, value_name = "LOCATION")]
        to: PathBuf,
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
        Command::Init { prefix, range } => commands::init::run(&config::location(common)?, *prefix, *range, out)?,
        Command::Assign(args) => {
            let mut ledger = config::open_existing(common)?;
            let options = config::assign_options(args, common, ledger.as_mut())?;
            commands::assign::run(ledger.as_mut(), &options, common.json, out)?
        }
        Command::Ledger { command: LedgerCommand::List } => {
            commands::ledger::list(config::open_existing(common)?.as_mut(), common.json, out)?
        }
        Command::Ledger { command: LedgerCommand::Show { isrc } } => {
            commands::ledger::show(config::open_existing(common)?.as_mut(), *isrc, common.json, out)?
        }
        Command::Ledger { command: LedgerCommand::Export { format, output } } => {
            let json = commands::ledger::ExportFormat::Json;
            let format = format.unwrap_or(if common.json { json } else { commands::ledger::ExportFormat::Csv });
            let mut ledger = config::open_existing(common)?;
            commands::ledger::export(ledger.as_mut(), format, output.as_deref(), common.quiet, out)?
        }
        Command::Ledger { command: LedgerCommand::Import { file } } => {
            // Importing into a ledger that does not exist yet creates it.
            let mut ledger = crate::ledger::open(&config::location(common)?)?;
            commands::ledger::import(ledger.as_mut(), file, &config::current_user(), common.json, common.quiet, out)?
        }
        Command::Ledger { command: LedgerCommand::Copy { to } } => {
            let from = config::location(common)?;
            let mut source = crate::ledger::open_existing(&from)?;
            let to = crate::ledger::Location::parse(to)?;
            commands::ledger::copy(source.as_mut(), &from, &to, common.json, out)?
        }
        Command::Ledger { command: LedgerCommand::Void { isrc, reason } } => {
            let mut ledger = config::open_existing(common)?;
            commands::ledger::void(ledger.as_mut(), *isrc, reason, &config::current_user(), common.json, out)?
        }
        Command::Verify { paths, carrier, max_total } => {
            let mut ledger = config::ledger_if_any(common)?;
            let options = crate::verify::VerifyOptions {
                paths: paths.clone(),
                carrier: *carrier,
                cd_limits: crate::verify::findings::CdLimits { max_total_seconds: *max_total },
                jobs: config::jobs(common),
                quiet: common.quiet,
            };
            commands::verify::run(ledger.as_deref_mut(), &options, common.json, out)?
        }
        Command::Inspect { paths } => {
            commands::inspect::run(paths, common.json, config::jobs(common), common.quiet, out)?
        }
        Command::Dupes { paths } => {
            let options =
                crate::dupes::DupesOptions { paths: paths.clone(), jobs: config::jobs(common), quiet: common.quiet };
            commands::dupes::run(&options, common.json, out)?
        }
        Command::Cue { paths, output, catalog, order } => {
            let options = commands::cue::CueOptions {
                paths: paths.clone(),
                output: output.clone(),
                catalog: *catalog,
                order: order.clone(),
                jobs: config::jobs(common),
                json: common.json,
                quiet: common.quiet,
            };
            commands::cue::run(&options, out)?
        }
    };
    Ok(exit)
}
