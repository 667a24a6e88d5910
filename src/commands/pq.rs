//! `isrc-stamp pq DDPDIR|PATH... [--release UPC] --output FILE.html`: the printable PQ
//! sheet ([`crate::carrier::pq`]) of a DDP image as it is (its PQ data, CD-Text and MD5),
//! or of the disc an album would make (as `ddp write` would lay it out, `--release`
//! included, the same checks first; no image MD5 then). Written atomically. The sheet is
//! dated today and names the registrant: the ledger's prefixes that the disc's codes are
//! under. A title or performer the image's CD-Text (or the masters' tags) lack is the
//! ledger's, by the track's ISRC (the album's by its UPC/EAN); a sheet with no title at
//! all is said aloud.
//!
//! Exit 0 with the sheet written; 1 when the image has problems, or the album's codes
//! or audio would be refused by `ddp write` (no sheet: a PQ sheet must describe a disc
//! that can be pressed); 2 when a file could not be read.

use std::path::{Path, PathBuf};

use crate::carrier::ProblemId;
use crate::carrier::ddp::{self, read_image};
use crate::carrier::disc::{self, DiscRequest};
use crate::carrier::pq::PqSheet;
use crate::isrc::Isrc;
use crate::ledger::Ledger;
use crate::output::Exit;

/// `pq` as asked: the ledger, if any, the disc or image and the sheet's file, built once
/// from the command line.
pub(crate) struct PqCommand {
    /// The ledger, if there is one.
    pub ledger: Option<Box<dyn Ledger>>,
    /// The disc, or the image's folder.
    pub request: DiscRequest,
    /// The sheet's file.
    pub output: PathBuf,
    /// No progress or notes.
    pub quiet: bool,
}

/// Runs `pq` as asked.
pub(crate) fn run(command: PqCommand) -> anyhow::Result<Exit> {
    let PqCommand { mut ledger, request, output, quiet } = command;
    sheet(ledger.as_deref_mut(), &request, &output, quiet)
}

/// Writes the PQ sheet.
fn sheet(
    mut ledger: Option<&mut (dyn Ledger + '_)>,
    request: &DiscRequest,
    output: &Path,
    quiet: bool,
) -> anyhow::Result<Exit> {
    let mut sheet = match image_folder(&request.paths) {
        Some(folder) => {
            let image = read_image(folder)?;
            let problems: Vec<_> = image
                .problems
                .iter()
                .filter(|p| !matches!(p.id, ProblemId::DdpChecksumMissing | ProblemId::DdpChecksumUnread))
                .collect();
            if !problems.is_empty() {
                for problem in &problems {
                    eprintln!("isrc-stamp: {}: {problem}", folder.display());
                }
                eprintln!("isrc-stamp: no PQ sheet written: see `isrc-stamp verify {}`", folder.display());
                return Ok(Exit::Findings);
            }
            let mut sheet = PqSheet::from_image(&image);
            if let Some(ledger) = ledger.as_deref_mut() {
                fill_from_ledger(&mut sheet, ledger)?;
            }
            sheet
        }
        None => {
            let lookup = ledger.as_deref_mut().map(|l| l as &mut dyn crate::ledger::Lookup);
            let disc = match disc::plan_disc(request, lookup)? {
                Ok(disc) => disc,
                Err(problems) => return Ok(super::ddp::give_up(&problems)),
            };
            if !quiet {
                for warning in disc.warnings.iter().filter(|w| !w.contains("CD-Text")) {
                    eprintln!("isrc-stamp: warning: {warning}");
                }
            }
            PqSheet::from_plan(&disc.plan, &disc.plan.layout())
        }
    };
    sheet.date = jiff::Zoned::now().date().to_string();
    let codes: Vec<Isrc> = sheet.tracks.iter().filter_map(|t| t.isrc).collect();
    sheet.registrant = match ledger {
        Some(ledger) => registrant(ledger, &codes)?,
        None => None,
    };
    if !quiet && sheet.title.is_none() && sheet.tracks.iter().all(|t| t.title.is_none()) {
        eprintln!(
            "isrc-stamp: warning: the PQ sheet has no titles: neither the disc nor the ledger gives any \
             (`--release UPC` takes them from a release in the ledger)"
        );
    }
    let html = sheet.to_html();
    crate::write::guard::write_output(output, |out| out.write_all(html.as_bytes()))?;
    if !quiet {
        let tracks = crate::output::count(sheet.tracks.len(), "track", "tracks");
        eprintln!("isrc-stamp: wrote {} ({tracks})", output.display());
    }
    Ok(Exit::Clean)
}

/// Fills the titles and performers an image's CD-Text lacks from the ledger: a track's
/// from the recording of its PQ code, the disc's from the release of its UPC/EAN.
fn fill_from_ledger(sheet: &mut PqSheet, ledger: &mut dyn Ledger) -> anyhow::Result<()> {
    for track in &mut sheet.tracks {
        let Some(code) = track.isrc else { continue };
        if (track.title.is_none() || track.performer.is_none())
            && let Some(recording) = ledger.recording(code)?
        {
            track.title = track.title.take().or(recording.title);
            track.performer = track.performer.take().or(recording.artist);
        }
    }
    if let Some(catalog) = sheet.catalog
        && (sheet.title.is_none() || sheet.performer.is_none())
        && let Some(release) = ledger.release(&catalog)?
    {
        sheet.title = sheet.title.take().or(Some(release.title).filter(|t| !t.trim().is_empty()));
        sheet.performer = sheet.performer.take().or(release.artist);
    }
    Ok(())
}

/// The one path given, when it is a DDP image's folder.
fn image_folder(paths: &[PathBuf]) -> Option<&Path> {
    match paths {
        [only] if ddp::is_image(only) => Some(only),
        _ => None,
    }
}

/// The ledger's prefixes the codes are under (`QZ-DEM`), or all its prefixes when none is.
fn registrant(ledger: &mut dyn Ledger, codes: &[Isrc]) -> anyhow::Result<Option<String>> {
    let prefixes = ledger.prefixes()?;
    let used: Vec<String> = prefixes
        .iter()
        .filter(|p| codes.iter().any(|code| code.prefix() == p.prefix))
        .map(|p| p.prefix.to_string())
        .collect();
    let shown = if used.is_empty() { prefixes.iter().map(|p| p.prefix.to_string()).collect() } else { used };
    Ok((!shown.is_empty()).then(|| format!("ISRC prefix {}", shown.join(", "))))
}
