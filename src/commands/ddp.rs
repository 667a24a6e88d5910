//! `isrc-stamp ddp write PATH... --output DIR [--catalog EAN | --release UPC [--disc N]]
//! [--order FILE] [--gap SECONDS | --gaps FILE]`: the album's DDP 2.0 image for the CD
//! plant ([`crate::carrier::disc`]), and what landed where. With `--release`, the track
//! order, codes, titles, performers and UPC/EAN are the ledger's release; the files give
//! only the audio.
//!
//! Exit 0 with the image written; 1 when a track's code is wrong or the audio breaks a
//! Red Book rule; 2 when a file could not be read or the image could not be written. In
//! every case but 0 nothing is written, and every problem is listed on stderr. `--json`
//! prints one object per track and a last `{"summary":{...}}`, whose `warnings` repeat
//! what was said on stderr (a CD-Text with no title, a file left out of a release).

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::carrier::album::AlbumProblem;
use crate::carrier::ddp::Msf;
use crate::carrier::disc::{self, DiscRequest};
use crate::ledger::Ledger;
use crate::output::{self, Exit};

/// One track of the image, as `--json` prints it.
#[derive(Debug, Serialize)]
struct TrackLine<'a> {
    track: u8,
    index0: Option<Msf>,
    index1: Msf,
    length: Msf,
    pregap: Msf,
    isrc: Option<String>,
    title: Option<&'a str>,
    performer: Option<&'a str>,
    path: String,
}

/// The last line of `--json`.
#[derive(Debug, Serialize)]
struct SummaryLine<'a> {
    summary: Summary<'a>,
}

#[derive(Debug, Serialize)]
struct Summary<'a> {
    output: String,
    tracks: usize,
    catalog: Option<String>,
    playing_time: Msf,
    lead_out: Msf,
    image_md5: &'a str,
    files: Vec<&'a str>,
    /// What is worth knowing and did not stop the image (also on stderr).
    warnings: &'a [String],
}

/// `ddp write` as asked: the ledger, if any, the disc and where its image goes, built
/// once from the command line.
pub(crate) struct WriteCommand {
    /// The ledger, if there is one.
    pub ledger: Option<Box<dyn Ledger>>,
    /// The disc.
    pub request: DiscRequest,
    /// The image's folder.
    pub output: std::path::PathBuf,
    /// JSON Lines instead of the text.
    pub json: bool,
    /// No progress or notes.
    pub quiet: bool,
}

/// Runs `ddp write` as asked.
pub(crate) fn run(command: WriteCommand, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let WriteCommand { mut ledger, request, output, json, quiet } = command;
    write(ledger.as_deref_mut(), &request, &output, json, quiet, out)
}

/// Runs `ddp write`.
fn write(
    ledger: Option<&mut (dyn Ledger + '_)>,
    request: &DiscRequest,
    output: &Path,
    json: bool,
    quiet: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let ledger = ledger.map(|l| l as &mut dyn crate::ledger::Lookup);
    let disc = match disc::plan_disc(request, ledger)? {
        Ok(disc) => disc,
        Err(problems) => return Ok(give_up(&problems)),
    };
    if !quiet {
        for warning in &disc.warnings {
            eprintln!("isrc-stamp: warning: {warning}");
        }
    }
    let written = disc::write_disc(&disc, output)?;
    let layout = &written.layout;
    for ((placed, planned), track) in layout.tracks.iter().zip(&disc.plan.tracks).zip(&disc.album.tracks) {
        let path = track.file.path.display().to_string();
        if json {
            output::json_line(
                out,
                &TrackLine {
                    track: placed.number,
                    index0: placed.index0.map(Msf::from_sectors),
                    index1: Msf::from_sectors(placed.index1),
                    length: Msf::from_sectors(placed.length),
                    pregap: Msf::from_sectors(placed.pregap),
                    isrc: planned.isrc.map(|c| c.to_string()),
                    title: planned.title.as_deref(),
                    performer: planned.performer.as_deref(),
                    path,
                },
            )?;
        } else {
            writeln!(
                out,
                "{:02}  {}  {}  {:<12}  {}  {path}",
                placed.number,
                Msf::from_sectors(placed.index1),
                Msf::from_sectors(placed.length),
                planned.isrc.map_or_else(|| "-".to_owned(), |c| c.to_string()),
                planned.title.as_deref().unwrap_or("-"),
            )?;
        }
    }
    if json {
        let summary = Summary {
            output: output.display().to_string(),
            tracks: layout.tracks.len(),
            catalog: disc.plan.catalog.map(|c| c.to_string()),
            playing_time: Msf::from_sectors(layout.playing_time()),
            lead_out: Msf::from_sectors(layout.lead_out),
            image_md5: &written.image_md5,
            files: written.files.iter().map(|f| f.name.as_str()).collect(),
            warnings: &disc.warnings,
        };
        output::json_line(out, &SummaryLine { summary })?;
    } else {
        writeln!(
            out,
            "wrote {}: {}, playing time {}, lead-out {}, IMAGE.DAT MD5 {}",
            output.display(),
            crate::output::count(layout.tracks.len(), "track", "tracks"),
            Msf::from_sectors(layout.playing_time()),
            Msf::from_sectors(layout.lead_out),
            written.image_md5
        )?;
    }
    Ok(Exit::Clean)
}

/// Prints every problem on stderr and says nothing was written; the worst exit.
pub(crate) fn give_up(problems: &[AlbumProblem]) -> Exit {
    for problem in problems {
        eprintln!("isrc-stamp: {}", problem.message);
    }
    let count = problems.len();
    eprintln!("isrc-stamp: nothing written ({count} problem{})", if count == 1 { "" } else { "s" });
    problems.iter().map(|p| p.exit).fold(Exit::Clean, Exit::worst)
}

/// One track of `ledger import DDPDIR|SHEET.cue`, as `--json` prints it.
#[derive(Debug, Serialize)]
struct AdoptedLine<'a> {
    #[serde(flatten)]
    track: &'a crate::carrier::adopt::TrackOutcome,
}

/// The last line of `ledger import DDPDIR|SHEET.cue --json`.
#[derive(Debug, Serialize)]
struct AdoptionSummary<'a> {
    source: &'a str,
    kind: &'a str,
    tracks: usize,
    adopted: usize,
    bound: usize,
    unchanged: usize,
    skipped: usize,
    conflicts: usize,
    catalog: Option<String>,
    release: &'a str,
    texts_filled: usize,
    differences: &'a [crate::carrier::adopt::Difference],
    refused: &'a [String],
    warnings: &'a [String],
}

/// `ledger import DDPDIR` or `ledger import SHEET.cue`: adopts a carrier made elsewhere
/// ([`crate::carrier::adopt`]) into the ledger at `location` (created when it does not
/// exist, only once the import succeeds). Exit 0 when everything was entered; 1 when the
/// image is refused (its checksums fail, its structure or codes are broken: nothing
/// adopted), a track conflicts with the ledger (nothing adopted), or the carrier's text
/// differs from the ledger's (the rest entered, the ledger's text kept); 2 when its
/// files cannot be read.
pub(crate) fn import(
    location: &crate::ledger::Location,
    path: &Path,
    adopter: &crate::carrier::adopt::Adopter,
    json: bool,
    quiet: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    use crate::carrier::adopt::{self, Action};
    let carrier = adopt::read(path)?;
    if !quiet {
        for warning in &carrier.warnings {
            eprintln!("isrc-stamp: warning: {warning}");
        }
    }
    let summary = |adoption: &adopt::Adoption| {
        let count = |action| adoption.tracks.iter().filter(|t| t.action == action).count();
        AdoptionSummary {
            source: &carrier.source,
            kind: carrier.kind,
            tracks: carrier.tracks.len(),
            adopted: count(Action::Adopted),
            bound: count(Action::Bound),
            unchanged: count(Action::Unchanged),
            skipped: count(Action::Skipped),
            conflicts: count(Action::Conflict),
            catalog: carrier.catalog.map(|c| c.as_typed().to_owned()),
            release: adoption.release,
            texts_filled: adoption.texts_filled,
            differences: &[],
            refused: &carrier.refusals,
            warnings: &carrier.warnings,
        }
    };
    if !carrier.refusals.is_empty() {
        for refusal in &carrier.refusals {
            eprintln!("isrc-stamp: {refusal}");
        }
        eprintln!(
            "isrc-stamp: nothing adopted from the {} {}: it cannot be trusted as it is (see `isrc-stamp verify`)",
            carrier.kind, carrier.source
        );
        if json {
            let empty = adopt::Adoption { release: "none", ..adopt::Adoption::default() };
            output::json_line(out, &serde_json::json!({ "summary": summary(&empty) }))?;
        }
        return Ok(Exit::Findings);
    }
    let adoption = adopt::adopt_at(location, &carrier, adopter)?;
    for track in &adoption.tracks {
        if json {
            output::json_line(out, &AdoptedLine { track })?;
        } else {
            writeln!(
                out,
                "track {:02}  {:<12}  {:<9}  {}",
                track.track,
                track.isrc.as_deref().unwrap_or("-"),
                track.action.as_str(),
                track.detail.as_deref().map(output::escape_controls).unwrap_or_default()
            )?;
        }
    }
    let conflicts = adoption.conflicts();
    if json {
        let line = AdoptionSummary { differences: &adoption.differences, ..summary(&adoption) };
        output::json_line(out, &serde_json::json!({ "summary": line }))?;
    } else {
        for d in &adoption.differences {
            writeln!(
                out,
                "difference  {}  {}: {:?} on the carrier, {:?} in the ledger (kept; --update takes the carrier's)",
                d.what,
                d.field,
                output::escape_controls(&d.carrier),
                output::escape_controls(&d.ledger)
            )?;
        }
    }
    if !quiet {
        let s = summary(&adoption);
        if conflicts {
            eprintln!(
                "isrc-stamp: nothing adopted from the {} {}: {} track(s) conflict with the ledger",
                carrier.kind, carrier.source, s.conflicts
            );
        } else {
            let release = match (adoption.release, &s.catalog) {
                (_, None) => "no UPC/EAN, so no release".to_owned(),
                ("none", Some(upc)) => format!("no album title, so release {upc} was not entered"),
                (word, Some(upc)) => format!("release {upc} {word}"),
            };
            eprintln!(
                "isrc-stamp: {} {}: {} tracks: {} adopted, {} bound, {} unchanged, {} skipped; {release}",
                carrier.kind, carrier.source, s.tracks, s.adopted, s.bound, s.unchanged, s.skipped
            );
        }
    }
    Ok(if conflicts || !adoption.differences.is_empty() { Exit::Findings } else { Exit::Clean })
}
