//! The command line: parsing with clap and dispatching to the commands.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::commands;
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
    /// Show what a file is: format, audio id, duration, MD5s and every ISRC location.
    Inspect {
        /// Files (or folders, walked recursively).
        #[arg(required = true, value_name = "FILE")]
        paths: Vec<PathBuf>,
    },
}

/// Runs the parsed command line, writing results to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let common = &cli.common;
    let exit = match &cli.command {
        Command::Check { codes } => commands::check::run(codes, common.json, out)?,
        Command::Inspect { paths } => commands::inspect::run(paths, common.json, common.jobs(), out)?,
    };
    Ok(exit)
}
