//! The command line: the clap types, and [`run`], which turns them into each command's
//! options once ([`config`]) and dispatches.

mod config;
mod examples;

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
    #[arg(
        long,
        global = true,
        env = "ISRC_STAMP_LEDGER",
        hide_env_values = true,
        value_name = "PATH|URL",
        help_heading = GLOBAL
    )]
    pub ledger: Option<PathBuf>,
    /// One JSON object per line on stdout instead of a table.
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub json: bool,
    /// Files decoded at once (default: all cores).
    #[arg(long, short = 'j', global = true, value_name = "N", help_heading = GLOBAL)]
    pub jobs: Option<usize>,
    /// Print only results, no progress or notes.
    #[arg(long, short = 'q', global = true, help_heading = GLOBAL)]
    pub quiet: bool,
    /// Accepted for scripts written against earlier versions; it adds nothing (every
    /// command already says on stderr what it did), so no help lists it.
    #[arg(long, short = 'v', global = true, hide = true)]
    pub verbose: bool,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value = "auto", help_heading = GLOBAL)]
    pub color: ColorWhen,
}

/// The heading the options every command takes are listed under, after a command's own.
const GLOBAL: &str = "Global options";

/// The global options that mean nothing to a subcommand (by its path of names): they are
/// still accepted there, so a script that passes `--ledger` everywhere keeps working,
/// but its help does not list them. The others apply: `--ledger` wherever the ledger is
/// read or written, `--jobs` wherever audio is decoded, `--json` wherever results are
/// printed, `-q` wherever there is progress or a summary to silence.
const NOT_APPLYING: &[(&[&str], &[&str])] = &[
    (&["check"], &["ledger", "jobs", "quiet"]),
    (&["init"], &["jobs", "json"]),
    (&["ledger"], &["jobs"]),
    (&["ledger", "list"], &["jobs"]),
    (&["ledger", "show"], &["jobs"]),
    (&["ledger", "edit"], &["jobs"]),
    (&["ledger", "export"], &["jobs"]),
    (&["ledger", "import"], &["jobs"]),
    (&["ledger", "check"], &["jobs"]),
    (&["ledger", "backup"], &["jobs", "json"]),
    (&["ledger", "copy"], &["jobs"]),
    (&["ledger", "void"], &["jobs"]),
    (&["ledger", "runs"], &["jobs"]),
    (&["ledger", "prefixes"], &["jobs"]),
    (&["ledger", "prefix"], &["jobs"]),
    (&["ledger", "prefix", "remove"], &["jobs", "json"]),
    (&["release"], &["jobs"]),
    (&["release", "list"], &["jobs"]),
    (&["release", "show"], &["jobs"]),
    (&["release", "remove"], &["jobs"]),
    (&["release", "export"], &["jobs"]),
    (&["dupes"], &["ledger"]),
    (&["inspect"], &["ledger"]),
    (&["pq"], &["json"]),
    (&["completions"], &["ledger", "jobs", "json", "quiet", "color"]),
    (&["man"], &["ledger", "jobs", "json", "quiet", "color"]),
];

/// The command line: [`Cli`]'s, with the global options that do not apply to a
/// subcommand left out of its help ([`NOT_APPLYING`]). `main` parses with it; the help,
/// completions and man page come from it.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let mut command = Cli::command();
    command.build(); // the global options are in every subcommand from here on
    for (path, ids) in NOT_APPLYING {
        command = hide_in(command, path, ids);
    }
    command
}

/// `command` with the options `ids` hidden in its subcommand at `path`.
fn hide_in(command: clap::Command, path: &[&str], ids: &[&str]) -> clap::Command {
    match path {
        // In place (`mut_args` keeps every argument where it is; `mut_arg` would move one
        // to the end, and a built command's index of them would then point amiss).
        [] => command.mut_args(|arg| {
            let hidden = ids.contains(&arg.get_id().as_str()) || arg.is_hide_set();
            arg.hide(hidden)
        }),
        [first, rest @ ..] => command.mut_subcommand(*first, |sub| hide_in(sub, rest, ids)),
    }
}

/// When tables are coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless `NO_COLOR` is set (or `CLICOLOR_FORCE` forces it).
    Auto,
    /// Always, even into a pipe or a file.
    Always,
    /// Never.
    Never,
}

impl ColorWhen {
    /// The choice for [`anstream`] streams.
    pub fn choice(self) -> anstream::ColorChoice {
        match self {
            ColorWhen::Auto => anstream::ColorChoice::Auto,
            ColorWhen::Always => anstream::ColorChoice::Always,
            ColorWhen::Never => anstream::ColorChoice::Never,
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate ISRCs and show their parts.
    #[command(after_help = examples::CHECK)]
    Check {
        /// Codes to check (hyphens, spaces, lowercase and a leading "ISRC" are accepted).
        #[arg(required = true, value_name = "CODE")]
        codes: Vec<String>,
    },
    /// Create the ledger, or add a registrant prefix to it.
    #[command(after_help = examples::INIT)]
    Init {
        /// The registrant prefix: country code and registrant code, like US-PR3.
        #[arg(long, value_name = "CC-XXX")]
        prefix: Prefix,
        /// The designation codes the prefix may issue.
        #[arg(long, value_name = "NNNNN-NNNNN", default_value = "00001-99999")]
        range: DesignationRange,
        /// Add a further prefix to a ledger that holds another (a typo would otherwise
        /// issue codes no agency gave you).
        #[arg(long)]
        add: bool,
    },
    /// Give every recording under PATH its code and write it into the tags.
    #[command(after_help = examples::ASSIGN)]
    Assign(AssignArgs),
    /// Remove the ISRC from every tag location of each file (a run on the wrong folder
    /// taken back), through the same safe write; the ledger records it.
    #[command(after_help = examples::UNTAG)]
    Untag {
        /// Files and folders (walked recursively).
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Show what would be removed; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Show, export or import what the ledger holds, or void a code.
    #[command(after_help = examples::LEDGER)]
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// Releases: a UPC/EAN with its title, artist, label, date, lines and its tracks (the
    /// codes of its masters), the label copy and the DDEX ERN message.
    #[command(after_help = examples::RELEASE)]
    Release {
        #[command(subcommand)]
        command: ReleaseCommand,
    },
    /// Check, before pressing, that every file carries the right code.
    #[command(after_help = examples::VERIFY)]
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
        /// With a DDP image: the folder of its masters; each track must match one and carry its code.
        #[arg(long, value_name = "DIR")]
        masters: Option<PathBuf>,
    },
    /// Find the same recording more than once: exact copies (one audio id) and
    /// near-duplicates by acoustic fingerprint (other encodings, rates, bit depths, edits).
    #[command(after_help = examples::DUPES)]
    Dupes {
        /// Files and folders (walked recursively).
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Show what a file is: format, audio id, duration, MD5s and every ISRC location.
    #[command(after_help = examples::INSPECT)]
    Inspect {
        /// Files (or folders, walked recursively).
        #[arg(required = true, value_name = "FILE")]
        paths: Vec<PathBuf>,
    },
    /// Write a CUE sheet for the album, each track with the ISRC its file carries, and the
    /// DDP image's gaps.
    #[command(after_help = examples::CUE)]
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
        /// Make the sheet of this release of the ledger (its UPC/EAN): track order, codes,
        /// titles, performers and CATALOG from the ledger; the files give only the audio.
        #[arg(long, value_name = "UPC", conflicts_with_all = ["catalog", "order"])]
        release: Option<Catalog>,
        /// With --release: the disc of a release of several.
        #[arg(long, value_name = "N", requires = "release")]
        disc: Option<u32>,
        /// The track order: a file listing one path per line (relative to its folder, or absolute).
        #[arg(long, value_name = "FILE")]
        order: Option<PathBuf>,
        /// The gap (PREGAP) before every track after the first, in seconds or MM:SS:FF [default: 2].
        #[arg(long, value_name = "SECONDS", value_parser = crate::carrier::disc::parse_gap, conflicts_with = "gaps")]
        gap: Option<u64>,
        /// Gaps per track: a file of "TRACK GAP" lines (2 0, 3 1.5, 4 00:01:00).
        #[arg(long, value_name = "FILE")]
        gaps: Option<PathBuf>,
        /// Write the sheet even when a track carries no ISRC (that track gets no ISRC line).
        #[arg(long)]
        allow_missing: bool,
    },
    /// DDP 2.0 images for the CD plant.
    #[command(after_help = examples::DDP)]
    Ddp {
        #[command(subcommand)]
        command: DdpCommand,
    },
    /// Write a printable PQ sheet (HTML, for A4 and Letter) of a DDP image or an album.
    #[command(after_help = examples::PQ)]
    Pq {
        #[command(flatten)]
        disc: DiscArgs,
        /// The HTML file to write (atomically).
        #[arg(long, short = 'o', value_name = "FILE.html")]
        output: PathBuf,
    },
    /// Print a shell's completion script (install it as your shell's documentation says).
    #[command(after_help = examples::COMPLETIONS)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), for `man -l` or a folder of man pages.
    #[command(after_help = examples::MAN)]
    Man {
        /// Write it to FILE instead of stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// `ddp` subcommands.
#[derive(Debug, Subcommand)]
pub enum DdpCommand {
    /// Write a DDP 2.0 image of the album: tracks in walk order or --order, each with the
    /// ISRC its file carries (which must be the ledger's); Red Book audio only.
    #[command(after_help = examples::DDP)]
    Write {
        #[command(flatten)]
        disc: DiscArgs,
        /// The folder to create for the image (written whole, or not at all).
        #[arg(long, short = 'o', value_name = "DIR")]
        output: PathBuf,
    },
}

/// What makes a disc of an album: the masters, their order, the gaps, the UPC/EAN.
#[derive(Debug, Args)]
pub struct DiscArgs {
    /// Files and folders (walked recursively) in track order; for `pq`, or one DDP image folder.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The release's UPC/EAN (12 or 13 digits, check digit validated).
    #[arg(long, value_name = "EAN")]
    pub catalog: Option<Catalog>,
    /// Make the disc of this release of the ledger (its UPC/EAN): track order, codes,
    /// titles, performers and UPC/EAN from the ledger; the files give only the audio.
    #[arg(long, value_name = "UPC", conflicts_with_all = ["catalog", "order"])]
    pub release: Option<Catalog>,
    /// With --release: the disc of a release of several.
    #[arg(long, value_name = "N", requires = "release")]
    pub disc: Option<u32>,
    /// The track order: a file listing one path per line (relative to its folder, or absolute).
    #[arg(long, value_name = "FILE")]
    pub order: Option<PathBuf>,
    /// The gap before every track after the first, in seconds or MM:SS:FF [default: 2].
    #[arg(long, value_name = "SECONDS", value_parser = crate::carrier::disc::parse_gap, conflicts_with = "gaps")]
    pub gap: Option<u64>,
    /// Gaps per track: a file of "TRACK GAP" lines (2 0, 3 1.5, 4 00:01:00).
    #[arg(long, value_name = "FILE")]
    pub gaps: Option<PathBuf>,
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
    /// Rewrite retagged duplicates to the ledger's code; decide afresh a file carrying a
    /// void code or a code of other audio; with --same-recording-as (or --new-version-of),
    /// give the files that code whatever they carry, and move audio tied to another code.
    #[arg(long)]
    pub fix: bool,
    /// With --fix --same-recording-as: void the code the audio was wrongly tied to, when
    /// no other audio is left on it.
    #[arg(long, requires = "fix")]
    pub void_unused: bool,
    /// The prefix to issue under (required when the ledger holds several).
    #[arg(long, value_name = "CC-XXX")]
    pub prefix: Option<Prefix>,
    /// The files are another encode or carrier of this recording: give them its code
    /// (refused for audio that does not sound like it, unless --force-link).
    #[arg(long, value_name = "ISRC", conflicts_with = "new_version_of")]
    pub same_recording_as: Option<Isrc>,
    /// Link with --same-recording-as (or a decisions file) even where the sound says it
    /// is another recording or an edit.
    #[arg(long)]
    pub force_link: bool,
    /// The files are a new version of this recording: new codes, with the lineage.
    #[arg(long, value_name = "ISRC", requires = "relation")]
    pub new_version_of: Option<Isrc>,
    /// What kind of new version: edit, remix, remaster, live, language, mix, other.
    #[arg(long = "as", value_name = "KIND", requires = "new_version_of")]
    pub relation: Option<Relation>,
    /// Answer open questions in bulk: `encodes` links every other encoding of exactly
    /// one recording to its code; `edits` gives every likely edit a new code as an edit;
    /// `imported` links new audio matching exactly one imported code with no audio.
    #[arg(long, value_name = "encodes,edits,imported", value_delimiter = ',', value_enum)]
    pub accept: Vec<AcceptWord>,
    /// Answers per file (JSON Lines or CSV: path or audio_id, decision, isrc, as); the
    /// JSON Lines of `assign --dry-run --json` are read as they are.
    #[arg(long, value_name = "FILE")]
    pub decisions: Option<PathBuf>,
    /// Ask each open question on the terminal, then apply the answers.
    #[arg(long, conflicts_with = "decisions")]
    pub interactive: bool,
    /// Tag a master that has other hard links: it is replaced by a new file, so the
    /// other names keep the untagged audio (without this, such a master is refused).
    #[arg(long)]
    pub break_hard_links: bool,
    /// Decode every file, also those unchanged on disk since a run decided them.
    #[arg(long)]
    pub rehash: bool,
}

/// `release` subcommands.
#[derive(Debug, Subcommand)]
pub enum ReleaseCommand {
    /// Enter a release: its tracks are the masters under PATH, in order (disc and track
    /// number tags, else the file names' leading numbers, else walk order; or --order),
    /// each bound to the code its audio has in the ledger.
    #[command(after_help = examples::RELEASE_ADD)]
    Add(ReleaseAddArgs),
    /// Every release: UPC/EAN, date, tracks, title, artist.
    #[command(after_help = examples::RELEASE_LIST)]
    List,
    /// One release with its tracks: code, title, version, artist, duration.
    #[command(after_help = examples::RELEASE_SHOW)]
    Show {
        /// The release's UPC/EAN.
        #[arg(value_name = "UPC")]
        upc: Catalog,
    },
    /// Change a release's title, artist, label, date or lines (an empty value clears one),
    /// or its tracks (PATH...).
    #[command(after_help = examples::RELEASE_EDIT)]
    Edit(ReleaseEditArgs),
    /// Remove a release (its codes stay in the ledger).
    #[command(after_help = examples::RELEASE_REMOVE)]
    Remove {
        /// The release's UPC/EAN.
        #[arg(value_name = "UPC")]
        upc: Catalog,
    },
    /// Write a release's label copy (CSV or JSON Lines) or its DDEX ERN 4.3 message.
    #[command(after_help = examples::RELEASE_EXPORT)]
    Export(ReleaseExportArgs),
}

/// A release's text fields.
#[derive(Debug, Args)]
pub struct ReleaseFieldArgs {
    /// The release's title.
    #[arg(long, value_name = "T")]
    pub title: Option<String>,
    /// Its display artist.
    #[arg(long, value_name = "A")]
    pub artist: Option<String>,
    /// Its label.
    #[arg(long, value_name = "L")]
    pub label: Option<String>,
    /// Its release date, YYYY-MM-DD: the date of first publication of its codes that have none.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
    /// Its (P) line, "YYYY Owner": the (P) line of its codes that have none.
    #[arg(long, value_name = "YYYY OWNER")]
    pub p_line: Option<String>,
    /// Its (C) line.
    #[arg(long, value_name = "YYYY OWNER")]
    pub c_line: Option<String>,
}

/// `release add`'s options.
#[derive(Debug, Args)]
pub struct ReleaseAddArgs {
    /// The release's UPC (12 digits, kept as typed) or EAN (13), check digit validated.
    #[arg(value_name = "UPC")]
    pub upc: Catalog,
    /// The masters, files and folders (walked recursively).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub fields: ReleaseFieldArgs,
    /// The track order: a file listing one path per line (relative to its folder, or absolute).
    #[arg(long, value_name = "FILE")]
    pub order: Option<PathBuf>,
}

/// `release edit`'s options.
#[derive(Debug, Args)]
pub struct ReleaseEditArgs {
    /// The release's UPC/EAN.
    #[arg(value_name = "UPC")]
    pub upc: Catalog,
    /// New tracks: the masters, files and folders (the tracks are kept without).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub fields: ReleaseFieldArgs,
    /// The track order of PATH: a file listing one path per line.
    #[arg(long, value_name = "FILE", requires = "paths")]
    pub order: Option<PathBuf>,
}

/// What `release export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReleaseFormat {
    /// The label copy as CSV: disc, track, isrc, title, version, artist, duration, p_line, upc.
    Csv,
    /// The label copy as JSON Lines, one object per track with the same keys.
    Json,
    /// A DDEX ERN 4.3 NewReleaseMessage.
    Ern,
}

/// `release export`'s options.
#[derive(Debug, Args)]
pub struct ReleaseExportArgs {
    /// The release's UPC/EAN.
    #[arg(value_name = "UPC")]
    pub upc: Catalog,
    /// csv or json: the label copy; ern: the DDEX message [default: csv, or json with --json].
    #[arg(long, value_enum)]
    pub format: Option<ReleaseFormat>,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// ERN: the sender's DDEX party id (PADPIDA...).
    #[arg(long, value_name = "DPID", required_if_eq("format", "ern"))]
    pub sender: Option<String>,
    /// ERN: the sender's name.
    #[arg(long, value_name = "NAME", required_if_eq("format", "ern"))]
    pub sender_name: Option<String>,
    /// ERN: the recipient's DDEX party id (PADPIDA...).
    #[arg(long, value_name = "DPID", required_if_eq("format", "ern"))]
    pub recipient: Option<String>,
    /// ERN: the recipient's name.
    #[arg(long, value_name = "NAME", required_if_eq("format", "ern"))]
    pub recipient_name: Option<String>,
    /// ERN: the genre of the release and its tracks.
    #[arg(long, value_name = "GENRE", required_if_eq("format", "ern"))]
    pub genre: Option<String>,
    /// ERN: the message's id [default: the UPC and the time].
    #[arg(long, value_name = "ID")]
    pub message_id: Option<String>,
    /// ERN: the language and script of the message's text.
    #[arg(long, value_name = "CODE", default_value = "en")]
    pub language: String,
    /// ERN: a test message (MessageControlType TestMessage) rather than a live one.
    #[arg(long)]
    pub test: bool,
    /// ERN: add a DealList: worldwide, streaming and permanent download, from the release date.
    #[arg(long)]
    pub deals: bool,
}

/// `ledger edit`'s options.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// The code.
    pub isrc: Isrc,
    /// The title.
    #[arg(long, value_name = "T")]
    pub title: Option<String>,
    /// The artist.
    #[arg(long, value_name = "A")]
    pub artist: Option<String>,
    /// The version ("Radio Edit", "2024 Remaster").
    #[arg(long, value_name = "V")]
    pub version: Option<String>,
    /// What the code identifies: audio (a sound recording) or video (a music video).
    #[arg(long, value_name = "audio|video")]
    pub content_type: Option<crate::ledger::ContentType>,
    /// The date of first publication (P-date): YYYY-MM-DD, or a year.
    #[arg(long, value_name = "DATE")]
    pub p_date: Option<String>,
    /// The (P) line: its year and owner, as "2026 Harbour Records".
    #[arg(long, value_name = "YYYY OWNER", conflicts_with_all = ["p_line_year", "p_line_owner"])]
    pub p_line: Option<String>,
    /// The (P) line's year alone.
    #[arg(long, value_name = "YYYY")]
    pub p_line_year: Option<String>,
    /// The (P) line's owner alone.
    #[arg(long, value_name = "OWNER")]
    pub p_line_owner: Option<String>,
    /// The parental warning: explicit, clean, not-explicit or unknown.
    #[arg(long, value_name = "WORD")]
    pub parental_warning: Option<String>,
}

/// What `--accept` answers in bulk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AcceptWord {
    /// Other encodings of one recording: linked to its code.
    Encodes,
    /// Likely edits: a new code each, as an edit of the recording they were cut from.
    Edits,
    /// New audio matching exactly one code a list brought in (`ledger import`) with no
    /// audio yet, by title, track number and duration: linked to that code.
    Imported,
}

/// `ledger` subcommands.
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Every recording, by code.
    #[command(after_help = examples::LEDGER_LIST)]
    List {
        /// Only the active codes with no audio bound yet (imported from a list, say).
        #[arg(long)]
        unbound: bool,
    },
    /// One recording: its audio ids and history.
    #[command(after_help = examples::LEDGER_SHOW)]
    Show {
        /// The code.
        isrc: Isrc,
    },
    /// Change what the ledger keeps of a code: title, artist, version, content type, date
    /// of first publication, (P) line, parental warning (an empty value clears it).
    #[command(after_help = examples::LEDGER_EDIT)]
    Edit(EditArgs),
    /// Write every recording with its audio ids and lineage (CSV, or JSON Lines).
    #[command(after_help = examples::LEDGER_EXPORT)]
    Export {
        /// csv: a header row, one row per (recording, audio id); json: one object per
        /// recording [default: csv, or json with --json].
        #[arg(long, value_enum)]
        format: Option<commands::ledger::ExportFormat>,
        /// The code list for a label instead: one row per code with its title, version,
        /// artist, duration and formats (not read back by import).
        #[arg(long)]
        recordings: bool,
        /// Write to FILE (atomically) instead of stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// Only the codes of this prefix.
        #[arg(long, value_name = "CC-XXX")]
        prefix: Option<Prefix>,
        /// Only the codes on this release (its UPC/EAN).
        #[arg(long, value_name = "UPC")]
        release: Option<Catalog>,
        /// Only these codes: a list (comma- or space-separated) or a file of them, one or
        /// more per line.
        #[arg(long, value_name = "FILE|LIST")]
        codes: Option<String>,
        /// Only the codes that entered the ledger on or after this date (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
    },
    /// Adopt the codes of a CSV or JSON Lines list (all rows or none), or of a DDP image or
    /// CUE sheet made elsewhere.
    ///
    /// A carrier's tracks each get their ISRC bound to their audio, its UPC/EAN and CD-Text
    /// become a release; nothing is adopted from an image whose checksums fail, nor when a
    /// track conflicts with the ledger.
    #[command(after_help = examples::LEDGER_IMPORT)]
    Import {
        /// The list: an export, a distributor's spreadsheet (ISRC, Track Title, Artist,
        /// Release Title, UPC, Track #, Duration, ...: the usual names are known); or a DDP
        /// image's folder, or a CUE sheet (.cue) with the audio files it names.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Read columns with other names as fields: "Their Name=field,Other=field" (the
        /// fields are the export's column names: title, artist, version_note, ...).
        #[arg(long, value_name = "NAME=field,...")]
        columns: Option<String>,
        /// Leave out a column the file has and isrc-stamp does not store (repeat for
        /// several); any other unknown column refuses the file.
        #[arg(long, value_name = "COLUMN")]
        ignore: Vec<String>,
        /// The codes are another registrant's (a distributor's prefix): import them with
        /// their own prefix. Without it, a code outside the ledger's prefixes, their
        /// ranges or the years reached is a bad row.
        #[arg(long)]
        foreign: bool,
        /// Correct the title, artist, version and duration the ledger holds where the file
        /// says otherwise (each change an event); without it the differences are shown.
        #[arg(long)]
        update: bool,
    },
    /// Check the whole ledger: the database's own integrity check and the ledger's
    /// invariants (one code per audio id, codes inside their range, history consistent).
    #[command(after_help = examples::LEDGER_CHECK)]
    Check {
        /// Instead, list the active codes that lack a field the IFPI requires every
        /// registrant to keep: title, artist, duration, date of first publication.
        #[arg(long)]
        metadata: bool,
    },
    /// Write a consistent copy of the ledger to FILE, while others may go on using it.
    #[command(after_help = examples::LEDGER_BACKUP)]
    Backup {
        /// The copy to write (replaced atomically if it exists).
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Copy everything (prefixes, recordings, audio ids, fingerprints, the history) from
    /// the --ledger in use into an empty ledger at LOCATION, in one transaction.
    #[command(after_help = examples::LEDGER_COPY)]
    Copy {
        /// The target: an SQLite path or a postgresql:// URL; it must hold no ledger yet.
        #[arg(long, value_name = "LOCATION")]
        to: PathBuf,
    },
    /// Withdraw codes: they stay in the ledger, are never issued again, never written by
    /// `assign`, and `verify` reports files that carry them.
    #[command(after_help = examples::LEDGER_VOID)]
    Void {
        /// The codes.
        #[arg(value_name = "ISRC", required_unless_present = "run", conflicts_with = "run")]
        isrc: Vec<Isrc>,
        /// Every code one `assign` run issued (its number: `ledger runs`), to take back a
        /// run on the wrong folder.
        #[arg(long, value_name = "RUN")]
        run: Option<i64>,
        /// Why they are withdrawn.
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// The recent `assign` runs, oldest first: when, who, where, on which paths, and what
    /// each did (a run is taken back with `ledger void --run` and `untag`).
    #[command(after_help = examples::LEDGER_RUNS)]
    Runs {
        /// How many of the most recent runs.
        #[arg(long, value_name = "N", default_value_t = 20)]
        last: usize,
    },
    /// Remove a binding made by mistake (an audio id linked to the wrong code): the code
    /// and its other audio stay; then `assign --fix PATH` decides the file afresh.
    #[command(after_help = examples::LEDGER_UNLINK)]
    Unlink {
        /// The file (decoded to find its audio id) or the audio id itself.
        #[arg(value_name = "PATH|AUDIO_ID")]
        target: PathBuf,
        /// Why the binding was wrong.
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Every registrant prefix with its range and the codes used per year.
    #[command(after_help = examples::LEDGER_PREFIXES)]
    Prefixes,
    /// Manage the registrant prefixes.
    #[command(after_help = examples::LEDGER_PREFIX)]
    Prefix {
        #[command(subcommand)]
        command: PrefixCommand,
    },
}

/// `ledger prefix` subcommands.
#[derive(Debug, Subcommand)]
pub enum PrefixCommand {
    /// Remove a prefix no code uses (one added by mistake).
    #[command(after_help = examples::LEDGER_PREFIX)]
    Remove {
        /// The prefix, like US-PR3.
        #[arg(value_name = "CC-XXX")]
        prefix: Prefix,
    },
}

/// Whether tables colour their words (decided once by `main`, for the stream they go to:
/// a terminal, `NO_COLOR`, `--color`). Off unless called; data is never coloured.
pub fn colour_tables(on: bool) {
    crate::output::style::set_colour(on);
}

/// Refuses, before any work, an output that would replace the ledger in use (or a
/// file of it), an audio file or a folder (`crate::write::guard`); the outputs are
/// checked again when they are written.
fn guard_outputs(cli: &Cli) -> anyhow::Result<()> {
    use crate::write::guard;
    if let Ok(location) = config::location(&cli.common) {
        guard::protect_ledger(location.path(), crate::assign::seen_cache(&location));
    }
    match &cli.command {
        Command::Cue { output: Some(file), .. }
        | Command::Man { output: Some(file) }
        | Command::Pq { output: file, .. }
        | Command::Ledger { command: LedgerCommand::Export { output: Some(file), .. } }
        | Command::Release { command: ReleaseCommand::Export(ReleaseExportArgs { output: Some(file), .. }) }
        | Command::Ledger { command: LedgerCommand::Backup { file } } => guard::check(file)?,
        Command::Ddp { command: DdpCommand::Write { output, .. } } => guard::check_folder(output)?,
        _ => {}
    }
    Ok(())
}

/// An error as the user sees it on stderr: its causes after colons (as `{:#}` shows
/// them), each ledger error with the command line's advice (the flag or command that
/// helps), which the ledger's own messages leave to the command line.
pub fn error_message(error: &anyhow::Error) -> String {
    commands::advice::error_text(error)
}

/// Runs the parsed command line, writing results to `out`: the outputs guarded, every
/// argument turned into the command's options once ([`config::options`]), the command run.
pub fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<Exit> {
    use config::Options;
    guard_outputs(&cli)?;
    Ok(match config::options(&cli)? {
        Options::Check(options) => commands::check::run(&options, out)?,
        Options::Init(options) => commands::init::run(&options, out)?,
        Options::Assign(command) => commands::assign::run(command, out)?,
        Options::Untag(command) => commands::untag::run(command, out)?,
        Options::Ledger(options) => commands::ledger::run(options, out)?,
        Options::Release(options) => commands::release::run(options, out)?,
        Options::Verify(command) => commands::verify::run(command, out)?,
        Options::Inspect(options) => commands::inspect::run(&options, out)?,
        Options::Dupes(command) => commands::dupes::run(&command, out)?,
        Options::Cue(command) => commands::cue::run(command, out)?,
        Options::DdpWrite(command) => commands::ddp::run(command, out)?,
        Options::Pq(command) => commands::pq::run(command)?,
        Options::Completions(shell) => completions(shell, out)?,
        Options::Man(output) => man(output.as_deref(), out)?,
    })
}

/// Prints `shell`'s completion script.
fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> anyhow::Result<Exit> {
    // Generated whole first: clap_complete panics on a failed write (`| head`).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command(), "isrc-stamp", &mut script);
    out.write_all(&script)?;
    Ok(Exit::Clean)
}

/// Prints the man page, or writes it to `output` (atomically).
fn man(output: Option<&std::path::Path>, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let man = clap_mangen::Man::new(command());
    match output {
        Some(file) => crate::write::guard::write_output(file, |out| man.render(out))?,
        None => man.render(out)?,
    }
    Ok(Exit::Clean)
}
