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

use crate::carrier::album::Problem;
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

/// Runs `ddp write`.
pub(crate) fn write(
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
pub(crate) fn give_up(problems: &[Problem]) -> Exit {
    for problem in problems {
        eprintln!("isrc-stamp: {}", problem.message);
    }
    let count = problems.len();
    eprintln!("isrc-stamp: nothing written ({count} problem{})", if count == 1 { "" } else { "s" });
    problems.iter().map(|p| p.exit).fold(Exit::Clean, Exit::worst)
}

