//! Turning the parsed arguments into what each command needs, once ([`options`]): the
//! ledger's location and handle, the worker count, `assign`'s prefix, year and user, and
//! every other command's options, so that `cli::run` only dispatches.

use anyhow::bail;

use std::io::IsTerminal;

use super::{
    AcceptWord, AssignArgs, Cli, Command, Common, DdpCommand, DiscArgs, EditArgs, LedgerCommand, PrefixCommand,
};
use crate::assign::policy::{Accept, Answer, Request};
use crate::assign::{Answers, AssignOptions, RunContext, decisions_file};
use crate::carrier::disc::{DiscRequest, Gaps};
use crate::commands;
use crate::ledger::{self, Ledger, Location, NewRun};
use crate::stop::Stop;
use crate::write::WriteOptions;

/// A command with its options built: what `cli::run` hands to `commands::X::run`.
pub(super) enum Options {
    /// `check`.
    Check(commands::check::CheckOptions),
    /// `init`.
    Init(commands::init::InitOptions),
    /// `assign`.
    Assign(commands::assign::AssignCommand),
    /// `untag`.
    Untag(commands::untag::UntagCommand),
    /// A `ledger` subcommand.
    Ledger(commands::ledger::LedgerOptions),
    /// A `release` subcommand.
    Release(commands::release::ReleaseOptions),
    /// `verify`.
    Verify(commands::verify::VerifyCommand),
    /// `inspect`.
    Inspect(commands::inspect::InspectOptions),
    /// `dupes`.
    Dupes(commands::dupes::DupesCommand),
    /// `cue`.
    Cue(commands::cue::CueCommand),
    /// `ddp write`.
    DdpWrite(commands::ddp::WriteCommand),
    /// `pq`.
    Pq(commands::pq::PqCommand),
    /// `completions SHELL`.
    Completions(clap_complete::Shell),
    /// `man [-o FILE]`.
    Man(Option<std::path::PathBuf>),
}

/// Every command's arguments turned into its options, once: the ledger opened (for
/// reading only where the command only reads, or a dry run), the user, the worker
/// count, and what each command's own arguments mean. What cannot be read is refused
/// here, before any work, in the order the command would meet it.
pub(super) fn options(cli: &Cli) -> anyhow::Result<Options> {
    let common = &cli.common;
    Ok(match &cli.command {
        Command::Check { codes } => {
            Options::Check(commands::check::CheckOptions { codes: codes.clone(), json: common.json })
        }
        Command::Init { prefix, range, add } => Options::Init(commands::init::InitOptions {
            location: location(common)?,
            prefix: *prefix,
            range: *range,
            add: *add,
            ledger_arg: ledger_arg(common),
        }),
        Command::Assign(args) => {
            // A dry run writes nothing, so it opens the ledger for reading only: a user
            // (or a role) who may only read the ledger can still see what would happen.
            let mut ledger = if args.dry_run { open_existing_to_read(common)? } else { open_existing(common)? };
            let options = assign_options(args, common, ledger.as_mut())?;
            Options::Assign(commands::assign::AssignCommand { ledger, options, json: common.json })
        }
        Command::Ledger { command } => Options::Ledger(ledger_options(command, common)?),
        Command::Release { command } => Options::Release(release_options(command, common)?),
        Command::Untag { paths, dry_run } => {
            let mut ledger = if *dry_run { open_existing_to_read(common)? } else { open_existing(common)? };
            let options = crate::untag::UntagOptions {
                paths: paths.clone(),
                dry_run: *dry_run,
                user: actor(ledger.as_mut())?,
                jobs: jobs(common),
                quiet: common.quiet,
                stop: Stop::on_signals()?,
            };
            Options::Untag(commands::untag::UntagCommand { ledger, options, json: common.json })
        }
        Command::Verify { paths, max_total, masters, .. } if paths.iter().any(|p| crate::carrier::ddp::is_image(p)) => {
            let [image] = paths.as_slice() else {
                bail!("a DDP image is verified on its own: give its folder as the only PATH");
            };
            let ledger = ledger_if_any(common)?;
            let options = crate::verify::ddp::DdpOptions {
                image: image.clone(),
                masters: masters.clone(),
                cd_limits: crate::verify::findings::CdLimits { max_total_seconds: *max_total },
                jobs: jobs(common),
                quiet: common.quiet,
            };
            let checked = commands::verify::Checked::Image(options);
            Options::Verify(commands::verify::VerifyCommand { ledger, checked, json: common.json })
        }
        Command::Verify { paths, carrier, max_total, masters } => {
            if masters.is_some() {
                bail!("--masters is for verifying a DDP image: give the image's folder as PATH");
            }
            let ledger = ledger_if_any(common)?;
            let options = crate::verify::VerifyOptions {
                paths: paths.clone(),
                carrier: *carrier,
                cd_limits: crate::verify::findings::CdLimits { max_total_seconds: *max_total },
                jobs: jobs(common),
                quiet: common.quiet,
            };
            let checked = commands::verify::Checked::Files(options);
            Options::Verify(commands::verify::VerifyCommand { ledger, checked, json: common.json })
        }
        Command::Inspect { paths } => Options::Inspect(commands::inspect::InspectOptions {
            paths: paths.clone(),
            json: common.json,
            jobs: jobs(common),
            quiet: common.quiet,
        }),
        Command::Dupes { paths } => {
            let options = crate::dupes::DupesOptions { paths: paths.clone(), jobs: jobs(common), quiet: common.quiet };
            Options::Dupes(commands::dupes::DupesCommand { options, json: common.json })
        }
        Command::Cue { paths, output, catalog, release, disc, order, gap, gaps: gap_file, allow_missing } => {
            let ledger = ledger_if_any(common)?;
            let options = commands::cue::CueOptions {
                paths: paths.clone(),
                output: output.clone(),
                catalog: *catalog,
                release: release.map(|upc| crate::carrier::album::ReleaseChoice { upc, disc: *disc }),
                order: order.clone(),
                gaps: gaps(gap_file.as_ref(), *gap),
                jobs: jobs(common),
                json: common.json,
                quiet: common.quiet,
                allow_missing: *allow_missing,
            };
            Options::Cue(commands::cue::CueCommand { ledger, options })
        }
        Command::Ddp { command: DdpCommand::Write { disc, output } } => {
            let ledger = ledger_if_any(common)?;
            Options::DdpWrite(commands::ddp::WriteCommand {
                ledger,
                request: disc_request(disc, common),
                output: output.clone(),
                json: common.json,
                quiet: common.quiet,
            })
        }
        Command::Pq { disc, output } => {
            let ledger = ledger_if_any(common)?;
            Options::Pq(commands::pq::PqCommand {
                ledger,
                request: disc_request(disc, common),
                output: output.clone(),
                quiet: common.quiet,
            })
        }
        Command::Completions { shell } => Options::Completions(*shell),
        Command::Man { output } => Options::Man(output.clone()),
    })
}

/// A `ledger` subcommand's options: its ledger opened (for reading only where it only
/// reads), the user, what its arguments mean.
fn ledger_options(command: &LedgerCommand, common: &Common) -> anyhow::Result<commands::ledger::LedgerOptions> {
    use commands::ledger::{ExportFormat, LedgerOptions as O, List};
    let json = common.json;
    let quiet = common.quiet;
    Ok(match command {
        LedgerCommand::List { unbound } => O::List { ledger: open_existing_to_read(common)?, unbound: *unbound, json },
        LedgerCommand::Show { isrc } => O::Show { ledger: open_existing_to_read(common)?, isrc: *isrc, json },
        LedgerCommand::Check { metadata: false } => O::Check { ledger: open_existing_to_read(common)?, json },
        LedgerCommand::Check { metadata: true } => {
            O::CheckMetadata { ledger: open_existing_to_read(common)?, json, quiet }
        }
        LedgerCommand::Backup { file } => {
            O::Backup { ledger: open_existing_to_read(common)?, file: file.clone(), quiet }
        }
        LedgerCommand::Edit(args) => {
            let edit = metadata_edit(args)?;
            let mut ledger = open_existing(common)?;
            let user = actor(ledger.as_mut())?;
            O::Edit { ledger, isrc: args.isrc, edit, user, json }
        }
        LedgerCommand::Export { format, recordings, output, prefix, release, codes, since } => {
            let format = format.unwrap_or(if json { ExportFormat::Json } else { ExportFormat::Csv });
            let mut ledger = open_existing_to_read(common)?;
            let list = if *recordings { List::Codes } else { List::Full };
            let filter = export_filter(ledger.as_mut(), *prefix, release.as_ref(), codes.as_deref(), since.as_deref())?;
            O::Export { ledger, format, list, filter, output: output.clone(), quiet }
        }
        LedgerCommand::Import { file, columns, ignore, update, .. } if crate::carrier::adopt::is_carrier(file) => {
            if columns.is_some() || !ignore.is_empty() {
                bail!("--columns and --ignore read a list's header; a DDP image or a CUE sheet has none");
            }
            // A carrier's codes are adopted whatever their prefix, as `assign` adopts a
            // file's: --foreign is not needed.
            let adopter =
                crate::carrier::adopt::Adopter { user: actor_with(None), at: crate::ledger::now(), update: *update };
            O::ImportCarrier { location: location(common)?, file: file.clone(), adopter, json, quiet }
        }
        LedgerCommand::Import { file, columns, ignore, foreign, update } => {
            // Importing into a ledger that does not exist yet creates it (if the import succeeds).
            let location = location(common)?;
            let request = import_request(file, columns.as_deref(), ignore, *foreign, *update)?;
            O::Import { location, request, json, quiet }
        }
        LedgerCommand::Copy { to } => {
            let from = location(common)?;
            let ledger = crate::ledger::open_existing(&from)?;
            let to = crate::ledger::Location::parse(to)?;
            O::Copy { ledger, from, to, json }
        }
        LedgerCommand::Void { isrc, run, reason } => {
            let mut ledger = open_existing(common)?;
            let user = actor(ledger.as_mut())?;
            let which = match run {
                Some(run) => crate::ledger::ops::Voiding::Run(*run),
                None => crate::ledger::ops::Voiding::Codes(isrc.clone()),
            };
            O::Void { ledger, which, reason: reason.clone(), user, json }
        }
        LedgerCommand::Runs { last } => O::Runs { ledger: open_existing_to_read(common)?, last: *last, json },
        LedgerCommand::Unlink { target, reason } => {
            let mut ledger = open_existing(common)?;
            let user = actor(ledger.as_mut())?;
            let ledger_arg = ledger_arg(common);
            O::Unlink { ledger, target: target.clone(), reason: reason.clone(), user, ledger_arg, json }
        }
        LedgerCommand::Prefixes => O::Prefixes { ledger: open_existing(common)?, json },
        LedgerCommand::Prefix { command: PrefixCommand::Remove { prefix } } => {
            O::RemovePrefix { ledger: open_existing(common)?, prefix: *prefix }
        }
    })
}

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
        return open_existing_to_read(common).map(Some);
    }
    match ledger::open_read_only(&location(common)?) {
        Ok(ledger) => Ok(Some(ledger)),
        Err(ledger::LedgerError::NoLedger { .. }) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Opens the existing ledger, or says how to create one; creates nothing.
pub(super) fn open_existing(common: &Common) -> anyhow::Result<Box<dyn Ledger>> {
    opened(common, ledger::open_existing)
}

/// Opens the existing ledger for reading only (the commands that only read), or says
/// how to create one.
pub(super) fn open_existing_to_read(common: &Common) -> anyhow::Result<Box<dyn Ledger>> {
    opened(common, ledger::open_read_only)
}

/// Opens the ledger, which must exist, with `open`; where there is none, says how to
/// create it, with the `--ledger` the user gave.
fn opened(common: &Common, open: fn(&Location) -> ledger::Result<Box<dyn Ledger>>) -> anyhow::Result<Box<dyn Ledger>> {
    let location = location(common)?;
    match open(&location) {
        Err(ledger::LedgerError::NoLedger { .. }) => {
            let ledger = ledger_arg(common);
            bail!(
                "no ledger at {location}: create it with `isrc-stamp{ledger} init --prefix CC-XXX` (or pass --ledger PATH)"
            );
        }
        opened => Ok(opened?),
    }
}

/// ` --ledger LOCATION` as the user gave it, for commands a message suggests (empty
/// when the ledger is the default one or comes from `ISRC_STAMP_LEDGER`... which the
/// suggested command then finds the same way).
pub(super) fn ledger_arg(common: &Common) -> String {
    match &common.ledger {
        Some(given) if std::env::var_os("ISRC_STAMP_LEDGER").as_deref() != Some(given.as_os_str()) => {
            // A server's URL is shown without its password.
            let shown = match Location::parse(given) {
                Ok(server) if server.path().is_none() => server.to_string(),
                _ => given.to_string_lossy().into_owned(),
            };
            format!(" --ledger {}", crate::output::shell_word(&shown))
        }
        _ => String::new(),
    }
}

/// The gaps `--gaps FILE` or `--gap SECONDS` ask for.
pub(super) fn gaps(file: Option<&std::path::PathBuf>, gap: Option<u64>) -> Gaps {
    match (file, gap) {
        (Some(file), _) => Gaps::File(file.clone()),
        (None, Some(sectors)) => Gaps::All(sectors),
        (None, None) => Gaps::Default,
    }
}

/// What disc `ddp write` and `pq` make of their arguments.
pub(super) fn disc_request(args: &DiscArgs, common: &Common) -> DiscRequest {
    DiscRequest {
        paths: args.paths.clone(),
        order: args.order.clone(),
        catalog: args.catalog,
        release: args.release.map(|upc| crate::carrier::album::ReleaseChoice { upc, disc: args.disc }),
        gaps: gaps(args.gaps.as_ref(), args.gap),
        jobs: jobs(common),
        quiet: common.quiet,
    }
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
    let names: Vec<String> = prefixes.iter().map(|p| p.prefix.to_string()).collect();
    let with_ledger = ledger_arg(common);
    let prefix = match (args.prefix, prefixes.as_slice()) {
        (Some(prefix), _) if prefixes.iter().any(|p| p.prefix == prefix) => prefix,
        (Some(prefix), []) => {
            bail!(
                "prefix {prefix} is not in the ledger, which holds none; add it with `isrc-stamp{with_ledger} init --prefix {prefix}`"
            )
        }
        (Some(prefix), _) => bail!(
            "prefix {prefix} is not in the ledger, which holds {}: check it for a typo (a new prefix is added with \
             `isrc-stamp{with_ledger} init --prefix {prefix} --add`)",
            names.join(", ")
        ),
        (None, [only]) => only.prefix,
        (None, []) => bail!("the ledger holds no prefix; add one with `isrc-stamp{with_ledger} init --prefix CC-XXX`"),
        (None, _) => bail!("the ledger holds several prefixes ({}); choose one with --prefix", names.join(", ")),
    };
    let answer = match (args.same_recording_as, args.new_version_of.zip(args.relation)) {
        (Some(target), _) => Some(Answer::SameRecordingAs(target)),
        (None, Some((parent, relation))) => Some(Answer::NewVersionOf(parent, relation)),
        (None, None) => None,
    };
    let decisions = match &args.decisions {
        Some(path) => decisions_file::read(path).map_err(|errors| {
            anyhow::anyhow!(
                "{}: {} bad line(s), nothing done:\n  {}",
                path.display(),
                errors.len(),
                errors.join("\n  ")
            )
        })?,
        None => Vec::new(),
    };
    if args.interactive && !std::io::stdin().is_terminal() {
        bail!("--interactive asks on a terminal, and stdin is not one; answer with --decisions FILE instead");
    }
    Ok(AssignOptions {
        paths: args.paths.clone(),
        dry_run: args.dry_run,
        decide: RunContext {
            prefix,
            year: year_of_reference(args.year, ledger)?,
            request: Request {
                fix: args.fix,
                answer,
                accept: Accept {
                    encodes: args.accept.contains(&AcceptWord::Encodes),
                    edits: args.accept.contains(&AcceptWord::Edits),
                    imported: args.accept.contains(&AcceptWord::Imported),
                },
                force_link: args.force_link,
            },
            answers: Answers::default(),
            user: actor(ledger)?,
            void_unused: args.void_unused,
            run: None,
        },
        jobs: jobs(common),
        quiet: common.quiet,
        interactive: args.interactive,
        decisions,
        rehash: args.rehash,
        location: location(common)?,
        write: WriteOptions { break_hard_links: args.break_hard_links },
        stop: Stop::on_signals()?,
        run: NewRun {
            started_at: 0,
            user: current_user(),
            host: host_name(),
            role: ledger.role()?,
            paths: args.paths.iter().map(|path| crate::output::path(path)).collect(),
        },
    })
}

/// The two-digit year of reference: `--year`, or this year; never a future year, and
/// neither the clock nor `--year` earlier than the ledger's latest issue (nor the clock
/// earlier than the build: `assign::clock`).
fn year_of_reference(requested: Option<i16>, ledger: &mut dyn Ledger) -> anyhow::Result<u8> {
    let now = jiff::Zoned::now();
    let this_year = now.year();
    let year = requested.unwrap_or(this_year);
    if year > this_year {
        bail!("--year {year} is in the future: the year of reference is the year the code is assigned");
    }
    if year < 1900 {
        bail!("--year {year} is not a plausible year of reference");
    }
    crate::assign::clock::check(ledger, &now.date().to_string(), this_year, requested)?;
    Ok((year % 100) as u8)
}

/// The codes `ledger export` is limited to (`--prefix`, `--release`, `--codes`, `--since`).
pub(super) fn export_filter(
    ledger: &mut dyn Ledger,
    prefix: Option<crate::isrc::Prefix>,
    release: Option<&crate::isrc::Catalog>,
    codes: Option<&str>,
    since: Option<&str>,
) -> anyhow::Result<crate::commands::ledger::ExportFilter> {
    let release = match release {
        Some(upc) => {
            let Some(found) = ledger.release(upc)? else {
                bail!("release {} is not in the ledger", upc.as_typed());
            };
            Some(found.tracks.iter().map(|track| track.isrc).collect())
        }
        None => None,
    };
    let codes = match codes {
        Some(given) => {
            let text = if std::path::Path::new(given).is_file() {
                std::fs::read_to_string(given).map_err(|e| anyhow::anyhow!("--codes {given}: {e}"))?
            } else {
                given.to_owned()
            };
            let words = text.split(|c: char| c == ',' || c == ';' || c.is_whitespace()).filter(|w| !w.is_empty());
            let parsed: Result<std::collections::HashSet<_>, _> = words
                .map(|word| crate::isrc::Isrc::parse(word).map_err(|e| anyhow::anyhow!("--codes: {word:?}: {e}")))
                .collect();
            Some(parsed?)
        }
        None => None,
    };
    let since = match since {
        Some(text) => Some(
            crate::ledger::exchange::cell::parse_time(text)
                .ok_or_else(|| anyhow::anyhow!("--since {text:?}: expected a date like 2026-01-31"))?,
        ),
        None => None,
    };
    Ok(crate::commands::ledger::ExportFilter { prefix, release, codes, since })
}

/// What `ledger import` was asked: the file, how its header is read, what it may do.
pub(super) fn import_request(
    file: &std::path::Path,
    columns: Option<&str>,
    ignore: &[String],
    foreign: bool,
    update: bool,
) -> anyhow::Result<crate::commands::ledger::ImportRequest> {
    use crate::ledger::exchange::{Defaults, Header, ImportOptions};
    let mapped = match columns {
        Some(text) => Header::parse_columns(text).map_err(|why| anyhow::anyhow!("--columns: {why}"))?,
        None => Vec::new(),
    };
    let this_year = (jiff::Zoned::now().year().rem_euclid(100)) as u8;
    Ok(crate::commands::ledger::ImportRequest {
        file: file.to_path_buf(),
        defaults: Defaults {
            user: actor_with(None),
            at: crate::ledger::now(),
            header: Header { mapped, ignored: ignore.to_vec() },
        },
        options: ImportOptions { foreign, update, this_year },
    })
}

/// Who the ledger's history names for what this process does: the OS user and the
/// machine (`anna@room-2`), and on a server the role it writes as
/// (`anna@room-2 as isrc_rooms`), so a house ledger tells its rooms apart.
pub(super) fn actor(ledger: &mut dyn Ledger) -> anyhow::Result<String> {
    Ok(actor_with(ledger.role()?))
}

/// [`actor`] with the role known (or none).
pub(super) fn actor_with(role: Option<String>) -> String {
    let mut actor = format!("{}@{}", current_user(), host_name());
    if let Some(role) = role {
        actor.push_str(" as ");
        actor.push_str(&role);
    }
    actor
}

/// The machine's name (`HOSTNAME`/`COMPUTERNAME`, else the kernel's node name), or
/// "unknown".
pub(super) fn host_name() -> String {
    let from_env = |name| std::env::var(name).ok().filter(|host: &String| !host.trim().is_empty());
    from_env("HOSTNAME").or_else(|| from_env("COMPUTERNAME")).or_else(node_name).unwrap_or_else(|| "unknown".into())
}

/// The kernel's node name.
#[cfg(unix)]
fn node_name() -> Option<String> {
    let name = rustix::system::uname().nodename().to_string_lossy().into_owned();
    (!name.is_empty()).then_some(name)
}

/// No kernel node name outside Unix (`COMPUTERNAME` is the Windows way).
#[cfg(not(unix))]
fn node_name() -> Option<String> {
    None
}

/// The OS user: `USER` or `USERNAME`, else the name of the account the process runs as
/// (a cron job or a service has no `USER`), else "unknown".
pub(super) fn current_user() -> String {
    let from_env = |name| std::env::var(name).ok().filter(|user: &String| !user.trim().is_empty());
    from_env("USER")
        .or_else(|| from_env("USERNAME"))
        .or_else(crate::platform::user::account_name)
        .unwrap_or_else(|| "unknown".into())
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

/// What `ledger edit` changes: every field given, an empty value clearing it; a (P)
/// line, year, date or warning that cannot be read is refused before the ledger is opened.
pub(super) fn metadata_edit(args: &EditArgs) -> anyhow::Result<ledger::MetadataEdit> {
    let blank = |text: &str| text.trim().is_empty();
    let (mut p_line_year, mut p_line_owner) = (None, args.p_line_owner.clone());
    if let Some(text) = &args.p_line {
        let (year, owner) = ledger::parse_p_line(text).unwrap_or((None, None));
        if !blank(text) && year.is_none() {
            bail!("--p-line {text:?}: expected the year and the owner, as \"2026 Harbour Records\"");
        }
        p_line_year = Some(year);
        p_line_owner = Some(owner.unwrap_or_default());
    }
    if let Some(text) = &args.p_line_year {
        p_line_year = Some(if blank(text) {
            None
        } else {
            let year = text.trim().parse::<u16>().ok().filter(|y| (1000..=9999).contains(y));
            Some(year.ok_or_else(|| anyhow::anyhow!("--p-line-year {text:?}: expected a year of four digits"))?)
        });
    }
    if let Some(text) = args.p_date.as_deref().filter(|t| !blank(t))
        && ledger::p_date(text).is_none()
    {
        bail!("--p-date {text:?}: expected a date YYYY-MM-DD or a year YYYY");
    }
    let parental_warning = match args.parental_warning.as_deref() {
        None => None,
        Some(text) if blank(text) => Some(None),
        Some(text) => Some(Some(text.parse::<ledger::ParentalWarning>()?)),
    };
    Ok(ledger::MetadataEdit {
        title: args.title.clone(),
        artist: args.artist.clone(),
        version_note: args.version.clone(),
        declared_ms: None,
        content_type: args.content_type,
        p_date: args.p_date.clone(),
        p_line_year,
        p_line_owner,
        parental_warning,
    })
}

/// A release's fields as given.
fn release_fields(args: &super::ReleaseFieldArgs) -> crate::release::Fields {
    crate::release::Fields {
        title: args.title.clone(),
        artist: args.artist.clone(),
        label: args.label.clone(),
        date: args.date.clone(),
        p_line: args.p_line.clone(),
        c_line: args.c_line.clone(),
    }
}

/// A `release` subcommand's options: its ledger opened (for reading only where it only
/// reads), the user, what its arguments mean.
fn release_options(
    command: &super::ReleaseCommand,
    common: &Common,
) -> anyhow::Result<commands::release::ReleaseOptions> {
    use super::{ReleaseCommand, ReleaseFormat};
    use commands::release::{Asked, ExportAs, ReleaseOptions, TrackSource};
    let source = |paths: &[std::path::PathBuf], order: &Option<std::path::PathBuf>| TrackSource {
        paths: paths.to_vec(),
        order: order.clone(),
        jobs: jobs(common),
        quiet: common.quiet,
    };
    let (ledger, asked) = match command {
        ReleaseCommand::Add(args) => {
            if args.fields.artist.as_deref().is_none_or(|a| a.trim().is_empty()) {
                bail!("a release needs its display artist: --artist A");
            }
            let mut ledger = open_existing(common)?;
            let user = actor(ledger.as_mut())?;
            let source = source(&args.paths, &args.order);
            (ledger, Asked::Add { upc: args.upc, fields: release_fields(&args.fields), source, user })
        }
        ReleaseCommand::Edit(args) => {
            let mut ledger = open_existing(common)?;
            let user = actor(ledger.as_mut())?;
            let source = (!args.paths.is_empty()).then(|| source(&args.paths, &args.order));
            (ledger, Asked::Edit { upc: args.upc, fields: release_fields(&args.fields), source, user })
        }
        ReleaseCommand::Remove { upc } => {
            let mut ledger = open_existing(common)?;
            let user = actor(ledger.as_mut())?;
            (ledger, Asked::Remove { upc: *upc, user })
        }
        ReleaseCommand::List => (open_existing_to_read(common)?, Asked::List),
        ReleaseCommand::Show { upc } => (open_existing_to_read(common)?, Asked::Show(*upc)),
        ReleaseCommand::Export(args) => {
            let format = args.format.unwrap_or(if common.json { ReleaseFormat::Json } else { ReleaseFormat::Csv });
            let format = match format {
                ReleaseFormat::Csv => ExportAs::Csv,
                ReleaseFormat::Json => ExportAs::Json,
                ReleaseFormat::Ern => ExportAs::Ern(ern_options(args)?),
            };
            let ledger = open_existing_to_read(common)?;
            (ledger, Asked::Export { upc: args.upc, format, output: args.output.clone() })
        }
    };
    Ok(ReleaseOptions { ledger, json: common.json, quiet: common.quiet, asked })
}

/// The ERN message's header and choices, from `release export`'s options.
fn ern_options(args: &super::ReleaseExportArgs) -> anyhow::Result<crate::release::ern::ErnOptions> {
    use crate::release::ern::{ErnOptions, MessageParty, is_dpid};
    let given = |value: &Option<String>, option: &str| -> anyhow::Result<String> {
        match value.as_deref().map(str::trim) {
            Some(text) if !text.is_empty() => Ok(text.to_owned()),
            _ => bail!("--format ern needs {option}"),
        }
    };
    let party = |dpid: &Option<String>, name: &Option<String>, option: &str| -> anyhow::Result<MessageParty> {
        let dpid = given(dpid, &format!("--{option} DPID"))?;
        if !is_dpid(&dpid) {
            bail!("--{option} {dpid:?}: a DDEX party id is PADPIDA followed by letters and digits");
        }
        Ok(MessageParty { dpid, name: given(name, &format!("--{option}-name NAME"))? })
    };
    let now = jiff::Timestamp::now();
    let created = now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    Ok(ErnOptions {
        sender: party(&args.sender, &args.sender_name, "sender")?,
        recipient: party(&args.recipient, &args.recipient_name, "recipient")?,
        message_id: match &args.message_id {
            Some(id) => given(&Some(id.clone()), "--message-id ID")?,
            None => format!("{}-{}", args.upc.as_typed(), now.strftime("%Y%m%dT%H%M%SZ")),
        },
        created,
        genre: given(&args.genre, "--genre GENRE")?,
        language: args.language.clone(),
        test: args.test,
        deals: args.deals,
    })
}
