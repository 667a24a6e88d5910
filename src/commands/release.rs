//! `isrc-stamp release add UPC PATH... | list | show UPC | edit UPC | remove UPC | export
//! UPC`: releases in the ledger, their label copy and their DDEX ERN message. The engine
//! is [`crate::release`].

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Serialize;

use crate::isrc::Catalog;
use crate::ledger::{self, Ledger, Release};
use crate::output::{self, Exit};
use crate::release::{self, Fields, Placed, ReleaseProblem, ern, order::By, sheet};

/// A `release` subcommand as asked: its ledger (opened to read only where it only reads)
/// and its options, built once from the command line.
pub(crate) struct ReleaseOptions {
    /// The ledger.
    pub ledger: Box<dyn Ledger>,
    /// JSON Lines instead of a table.
    pub json: bool,
    /// No progress or notes.
    pub quiet: bool,
    /// The subcommand.
    pub asked: Asked,
}

/// What a `release` subcommand was asked.
pub(crate) enum Asked {
    /// `release add`.
    Add {
        /// The release.
        upc: Catalog,
        /// Its fields.
        fields: Fields,
        /// Its tracks.
        source: TrackSource,
        /// Who the events name.
        user: String,
    },
    /// `release edit`.
    Edit {
        /// The release.
        upc: Catalog,
        /// The fields changed.
        fields: Fields,
        /// The new tracks, if given.
        source: Option<TrackSource>,
        /// Who the events name.
        user: String,
    },
    /// `release remove`.
    Remove {
        /// The release.
        upc: Catalog,
        /// Who the events name.
        user: String,
    },
    /// `release list`.
    List,
    /// `release show`.
    Show(Catalog),
    /// `release export`.
    Export {
        /// The release.
        upc: Catalog,
        /// What to write.
        format: ExportAs,
        /// Where (stdout when absent).
        output: Option<PathBuf>,
    },
}

/// Runs a `release` subcommand as asked.
pub(crate) fn run(options: ReleaseOptions, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let ReleaseOptions { mut ledger, json, quiet, asked } = options;
    let ledger = ledger.as_mut();
    match asked {
        Asked::Add { upc, fields, source, user } => add(ledger, upc, &fields, &source, &user, json, out),
        Asked::Edit { upc, fields, source, user } => edit(ledger, upc, &fields, source.as_ref(), &user, json, out),
        Asked::Remove { upc, user } => remove(ledger, upc, &user, out),
        Asked::List => list(ledger, json, out),
        Asked::Show(upc) => show(ledger, upc, json, out),
        Asked::Export { upc, format, output } => export(ledger, upc, &format, output.as_deref(), quiet, out),
    }
}

/// Where a release's tracks come from, for `add` and `edit`.
pub(crate) struct TrackSource {
    /// The masters.
    pub paths: Vec<PathBuf>,
    /// The order file, if any.
    pub order: Option<PathBuf>,
    /// Files decoded at once.
    pub jobs: usize,
    /// No progress.
    pub quiet: bool,
}

/// A track as `release add --json` prints it.
#[derive(Debug, Serialize)]
struct TrackLine<'a> {
    disc: u32,
    track: u32,
    isrc: String,
    path: &'a str,
}

/// The summary line of `release add` and `release edit`.
#[derive(Debug, Serialize)]
struct Entered<'a> {
    upc: &'a str,
    title: &'a str,
    tracks: usize,
    placed_by: Option<&'static str>,
    codes_filled: usize,
}

/// Prints every problem on stderr; the exit is the worst.
fn report(problems: &[ReleaseProblem]) -> Exit {
    for problem in problems {
        eprintln!("isrc-stamp: {}", problem.message);
    }
    problems.iter().fold(Exit::Clean, |exit, problem| exit.worst(problem.exit))
}

/// Prints the tracks entered (a table, or JSON lines) and the summary.
fn print_entered(
    release: &Release,
    placed: Option<&[Placed]>,
    by: Option<By>,
    filled: usize,
    what: &str,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let path_of = |track: &ledger::ReleaseTrack| {
        placed.and_then(|p| p.iter().find(|p| p.track == *track)).map(|p| output::path(&p.path)).unwrap_or_default()
    };
    if json {
        for track in &release.tracks {
            let path = path_of(track);
            let line = TrackLine { disc: track.disc, track: track.number, isrc: track.isrc.to_string(), path: &path };
            output::json_line(out, &line)?;
        }
        let summary = Entered {
            upc: release.upc.as_typed(),
            title: &release.title,
            tracks: release.tracks.len(),
            placed_by: by.map(By::words),
            codes_filled: filled,
        };
        output::json_line(out, &serde_json::json!({ "summary": summary }))?;
        return Ok(());
    }
    writeln!(out, "{:<4}  {:<5}  {:<12}  FILE", "DISC", "TRACK", "ISRC")?;
    for track in &release.tracks {
        writeln!(out, "{:<4}  {:<5}  {:<12}  {}", track.disc, track.number, track.isrc.as_str(), path_of(track))?;
    }
    let by = by.map(|by| format!(", placed by {}", by.words())).unwrap_or_default();
    eprintln!(
        "{what} release {} {:?}: {}{by}",
        release.upc.as_typed(),
        release.title,
        output::count(release.tracks.len(), "track", "tracks")
    );
    if filled > 0 {
        eprintln!("gave {filled} code(s) that had none the release's date as their P-date, or its (P) line");
    }
    Ok(())
}

/// Runs `release add UPC PATH...`: the tracks gathered from the masters, the release
/// entered with a `release` event per code, and its date and (P) line given to the codes
/// that have none. Exit 1 (nothing entered) when the ledger has the release already or
/// a file has no code; 2 when a file cannot be read.
fn add(
    ledger: &mut dyn Ledger,
    upc: Catalog,
    fields: &Fields,
    source: &TrackSource,
    user: &str,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let mut release = release::new_release(upc, fields, ledger::now())?;
    if ledger.release(&upc)?.is_some() {
        eprintln!(
            "isrc-stamp: release {} is in the ledger already: `release edit` changes it, `release remove` takes it out",
            upc.as_typed()
        );
        return Ok(Exit::Findings);
    }
    let (placed, by) =
        match release::tracks_from_files(ledger, &source.paths, source.order.as_deref(), source.jobs, source.quiet) {
            Ok(found) => found,
            Err(problems) => return Ok(report(&problems)),
        };
    release.tracks = placed.iter().map(|p| p.track).collect();
    let detail = format!("release {} {:?} (release add)", upc.as_typed(), release.title);
    let filled = ledger::ops::enter_release(ledger, &release, user, &detail)?;
    print_entered(&release, Some(&placed), Some(by), filled, "entered", json, out)?;
    Ok(Exit::Clean)
}

/// The release `upc`, or exit 1 with a message when the ledger has none.
fn held(ledger: &mut dyn Ledger, upc: &Catalog) -> anyhow::Result<Option<Release>> {
    let found = ledger.release(upc)?;
    if found.is_none() {
        eprintln!("isrc-stamp: release {} is not in the ledger (`release list` lists them)", upc.as_typed());
    }
    Ok(found)
}

/// Runs `release edit UPC`: the fields given changed (and the tracks, from PATH... when
/// given), with a `release` event per code saying what changed; the codes that lack a
/// P-date or (P) line get the release's.
fn edit(
    ledger: &mut dyn Ledger,
    upc: Catalog,
    fields: &Fields,
    source: Option<&TrackSource>,
    user: &str,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let Some(before) = held(ledger, &upc)? else { return Ok(Exit::Findings) };
    let mut after = fields.apply(before.clone())?;
    let mut placed = None;
    let mut by = None;
    if let Some(source) = source {
        match release::tracks_from_files(ledger, &source.paths, source.order.as_deref(), source.jobs, source.quiet) {
            Ok((found, how)) => {
                after.tracks = found.iter().map(|p| p.track).collect();
                placed = Some(found);
                by = Some(how);
            }
            Err(problems) => return Ok(report(&problems)),
        }
    }
    let changes = release::changes(&before, &after);
    if changes.is_empty() {
        eprintln!("isrc-stamp: nothing to change in release {}", upc.as_typed());
        return Ok(Exit::Findings);
    }
    let detail = format!("release {}: {} (release edit)", upc.as_typed(), changes.join("; "));
    let filled = ledger::ops::change_release(ledger, &before, &after, user, &detail)?;
    print_entered(&after, placed.as_deref(), by, filled, "changed", json, out)?;
    if !json {
        eprintln!("{}", changes.join("; "));
    }
    Ok(Exit::Clean)
}

/// Runs `release remove UPC`: the release and its tracks taken out (its codes stay),
/// with a `release` event per code.
fn remove(ledger: &mut dyn Ledger, upc: Catalog, user: &str, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let Some(release) = held(ledger, &upc)? else { return Ok(Exit::Findings) };
    let detail = format!("removed from release {} {:?} (release remove)", upc.as_typed(), release.title);
    ledger::ops::remove_release(ledger, &release, user, &detail)?;
    writeln!(
        out,
        "removed release {} {:?} ({}); its codes stay in the ledger",
        upc.as_typed(),
        release.title,
        output::count(release.tracks.len(), "track", "tracks")
    )?;
    Ok(Exit::Clean)
}

/// Runs `release list`: every release, by EAN-13 digits.
fn list(ledger: &mut dyn Ledger, json: bool, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let releases = ledger.snapshot()?.releases()?;
    if json {
        for release in &releases {
            output::json_line(out, release)?;
        }
        return Ok(Exit::Clean);
    }
    writeln!(out, "{:<13}  {:<10}  {:>6}  {:<30}  ARTIST", "UPC/EAN", "DATE", "TRACKS", "TITLE")?;
    for release in &releases {
        writeln!(
            out,
            "{:<13}  {:<10}  {:>6}  {:<30}  {}",
            release.upc.as_typed(),
            release.date.as_deref().unwrap_or("-"),
            release.tracks.len(),
            output::escape_controls(&release.title),
            output::escape_controls(release.artist.as_deref().unwrap_or("-"))
        )?;
    }
    Ok(Exit::Clean)
}

/// What `release show --json` prints.
#[derive(Debug, Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    release: &'a Release,
    label_copy: Vec<sheet::LabelRow>,
}

/// Runs `release show UPC`: the release and its tracks with their codes' text and
/// durations; exit 1 when the ledger has no such release.
fn show(ledger: &mut dyn Ledger, upc: Catalog, json: bool, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let mut snapshot = ledger.snapshot()?;
    let Some(sheet) = sheet::read_sheet(snapshot.as_mut(), &upc)? else {
        eprintln!("isrc-stamp: release {} is not in the ledger (`release list` lists them)", upc.as_typed());
        return Ok(Exit::Findings);
    };
    let r = &sheet.release;
    if json {
        output::json_line(out, &Shown { release: r, label_copy: sheet.label_rows() })?;
        return Ok(Exit::Clean);
    }
    let or_dash = |value: &Option<String>| output::escape_controls(value.as_deref().unwrap_or("-")).into_owned();
    writeln!(out, "{}  {}", r.upc.as_typed(), output::escape_controls(&r.title))?;
    writeln!(out, "  artist      {}", or_dash(&r.artist))?;
    writeln!(out, "  label       {}", or_dash(&r.label))?;
    writeln!(out, "  date        {}", or_dash(&r.date))?;
    writeln!(out, "  p line      {}", or_dash(&r.p_line))?;
    writeln!(out, "  c line      {}", or_dash(&r.c_line))?;
    writeln!(out, "  entered     {}", output::timestamp(r.created_at))?;
    writeln!(
        out,
        "{:<4}  {:<5}  {:<12}  {:>12}  {:<30}  {:<16}  ARTIST",
        "DISC", "TRACK", "ISRC", "DURATION", "TITLE", "VERSION"
    )?;
    for row in sheet.label_rows() {
        writeln!(
            out,
            "{:<4}  {:<5}  {:<12}  {:>12}  {:<30}  {:<16}  {}",
            row.disc,
            row.track,
            row.isrc,
            row.duration.as_deref().unwrap_or("-"),
            or_dash(&row.title),
            or_dash(&row.version),
            or_dash(&row.artist)
        )?;
    }
    Ok(Exit::Clean)
}

/// The format `release export` writes.
#[derive(Debug, Clone)]
pub(crate) enum ExportAs {
    /// The label copy as CSV.
    Csv,
    /// The label copy as JSON Lines.
    Json,
    /// The ERN message.
    Ern(ern::ErnOptions),
}

/// Runs `release export UPC`: the label copy or the ERN message, to `out` or, written
/// atomically, to `output`; exit 1 when the ledger has no such release or the release
/// lacks what an ERN message needs (listed).
fn export(
    ledger: &mut dyn Ledger,
    upc: Catalog,
    format: &ExportAs,
    output: Option<&Path>,
    quiet: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let mut snapshot = ledger.snapshot()?;
    let Some(sheet) = sheet::read_sheet(snapshot.as_mut(), &upc)? else {
        eprintln!("isrc-stamp: release {} is not in the ledger (`release list` lists them)", upc.as_typed());
        return Ok(Exit::Findings);
    };
    let mut bytes = Vec::new();
    match format {
        ExportAs::Csv => sheet.write_csv(&mut bytes)?,
        ExportAs::Json => sheet.write_json(&mut bytes)?,
        ExportAs::Ern(options) => match ern::write_ern(&sheet, options, &mut bytes) {
            Ok(()) => {}
            Err(error @ (ern::ErnError::Incomplete { .. } | ern::ErnError::PartyId(_))) => {
                eprintln!("isrc-stamp: {error}");
                return Ok(Exit::Findings);
            }
            Err(error) => return Err(error.into()),
        },
    }
    match output {
        Some(path) => {
            crate::write::guard::write_output(path, |file| file.write_all(&bytes))
                .with_context(|| format!("cannot write {}", path.display()))?;
            if !quiet {
                eprintln!(
                    "exported release {} ({}) to {}",
                    upc.as_typed(),
                    output::count(sheet.tracks.len(), "track", "tracks"),
                    path.display()
                );
            }
        }
        None => out.write_all(&bytes)?,
    }
    Ok(Exit::Clean)
}
