//! `isrc-stamp cue PATH... [--output FILE] [--catalog UPC/EAN | --release UPC [--disc N]]
//! [--order FILE] [--gap SECONDS | --gaps FILE]`: a CUE sheet for an album, each track
//! with the ISRC its file carries (or, with `--release`, the ledger's release: its order,
//! codes, titles, performers and UPC/EAN, the files giving only the audio), and the same
//! gaps as the DDP image of the album (`PREGAP`, 2 s by default).
//!
//! Tracks follow the walk order of the paths (folders in byte order of their paths), or
//! the order file: one path per line, relative to the order file's folder or absolute,
//! blank lines and `#` comments skipped. The order file and the paths must name the same
//! files: a file under PATH that is not listed, a listed file that does not exist or is
//! not under PATH, or a file listed twice is an error (exit 2) listing every mismatch.
//!
//! Each track's ISRC is what its tags carry ([`policy::carried`] over the locations
//! isrc-stamp writes): one valid code gives the `ISRC` line. A track with no code is a
//! finding (exit 1, no sheet): a sheet for the plant without a track's ISRC is a sheet
//! that loses it; `--allow-missing` writes it anyway, with no `ISRC` line for that track
//! and a warning. An invalid code, locations that disagree or a location holding
//! several values is a finding. A sheet is only worth pressing from when every track is
//! right, so with any finding (exit 1) or any unreadable file (exit 2) no sheet is
//! written; every problem is listed on stderr.
//!
//! `TITLE` and `PERFORMER` come from each file's tags, else from the ledger's recording
//! of its code. The album's `PERFORMER` is the artist every track shares, its `TITLE`
//! the album title every track shares (when there is one), else the release's of
//! `--catalog`. A sheet with no title or performer at all is said aloud (a warning). `FILE` names are relative to the output file's folder with
//! `--output`, else to the current folder.
//!
//! Output: the sheet goes to `--output` (written atomically: a temporary file in the
//! same folder, fsynced, renamed over the target) or to stdout. With `--json`, stdout
//! gets the sheet as one JSON object instead of CUE text:
//! `{"catalog","performer","title","tracks":[{"file","track","title","performer","isrc","pregap"}],"warnings"}`
//! (with `--output`, the file still gets the CUE text).

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use crate::carrier::album::{self, AlbumProblem, ReleaseChoice};
use crate::carrier::cue::{CueSheet, MAX_TRACKS};
use crate::carrier::disc::{self, Gaps};
use crate::isrc::Catalog;
use crate::ledger::Lookup;
use crate::output::{self, Exit};

/// What `cue` was asked to do.
#[derive(Debug, Clone)]
pub(crate) struct CueOptions {
    /// Files and folders (walked recursively).
    pub paths: Vec<PathBuf>,
    /// Where to write the sheet (stdout when absent).
    pub output: Option<PathBuf>,
    /// The release's UPC/EAN.
    pub catalog: Option<Catalog>,
    /// `--release UPC`: the tracks, codes and text of this release of the ledger.
    pub release: Option<ReleaseChoice>,
    /// A file listing the tracks in order, one path per line.
    pub order: Option<PathBuf>,
    /// The gaps, as `ddp write` takes them.
    pub gaps: Gaps,
    /// Files decoded at once.
    pub jobs: usize,
    /// The sheet as one JSON object on stdout instead of CUE text.
    pub json: bool,
    /// No progress or notes on stderr.
    pub quiet: bool,
    /// Write the sheet even when a track carries no ISRC.
    pub allow_missing: bool,
}

/// `cue` as asked: the ledger, if any, and the options, built once from the command line.
pub(crate) struct CueCommand {
    /// The ledger, if there is one.
    pub ledger: Option<Box<dyn crate::ledger::Ledger>>,
    /// What to do.
    pub options: CueOptions,
}

/// The sheet as `--json` prints it: its keys, and the warnings said on stderr.
#[derive(Serialize)]
struct SheetLine<'a> {
    #[serde(flatten)]
    sheet: &'a CueSheet,
    warnings: &'a [String],
}

/// Runs `cue`: exit 0 with the sheet written, 1 when a track's codes are wrong or
/// missing (unless `--allow-missing`), 2 when a file could not be read (no sheet then).
/// `ledger` fills the text the tags lack, and gives `--release`'s album.
pub(crate) fn run(command: CueCommand, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let CueCommand { mut ledger, options } = command;
    let options = &options;
    let ledger = ledger.as_deref_mut().map(|l| l as &mut dyn Lookup);
    let mut warnings = Vec::new();
    let album = match disc::gather_album(
        &options.paths,
        options.order.as_deref(),
        options.catalog,
        options.release,
        ledger,
        (options.jobs, options.quiet),
        &mut warnings,
    )? {
        Ok(album) => album,
        Err(problems) => return Ok(give_up(&problems)),
    };
    if album.tracks.len() > MAX_TRACKS {
        anyhow::bail!("{} audio files: a CUE sheet (and a CD) holds at most {MAX_TRACKS} tracks", album.tracks.len());
    }
    let gaps = match disc::gap_list(&options.gaps, album.tracks.len()) {
        Ok(gaps) => gaps,
        Err(problems) => return Ok(give_up(&problems)),
    };
    let base = album::names_base(options.output.as_deref())?;
    let (sheet, more) = match album::build_sheet(&album, &base, &gaps) {
        Ok(built) => built,
        Err(problems) => return Ok(give_up(&problems)),
    };
    let missing: Vec<&String> = more.iter().filter(|w| w.contains("no ISRC in the tags")).collect();
    if !missing.is_empty() && !options.allow_missing {
        let problems: Vec<AlbumProblem> = missing
            .into_iter()
            .map(|message| AlbumProblem { exit: Exit::Findings, message: message.clone() })
            .collect();
        let exit = give_up(&problems);
        eprintln!("isrc-stamp: assign the codes first, or pass --allow-missing to write the sheet without them");
        return Ok(exit);
    }
    warnings.extend(more);
    if !options.quiet {
        for warning in &warnings {
            eprintln!("isrc-stamp: warning: {warning}");
        }
    }
    emit(&sheet, &warnings, options, out)?;
    Ok(Exit::Clean)
}

/// Prints every problem on stderr and says no sheet was written; the worst exit.
fn give_up(problems: &[AlbumProblem]) -> Exit {
    for problem in problems {
        eprintln!("isrc-stamp: {}", problem.message);
    }
    let count = problems.len();
    eprintln!("isrc-stamp: no CUE sheet written ({count} problem{})", if count == 1 { "" } else { "s" });
    problems.iter().map(|p| p.exit).fold(Exit::Clean, Exit::worst)
}

/// Writes the sheet to `--output` and/or stdout.
fn emit(sheet: &CueSheet, warnings: &[String], options: &CueOptions, out: &mut dyn Write) -> anyhow::Result<()> {
    let text = sheet.to_cue()?;
    if let Some(output) = &options.output {
        crate::write::guard::write_output(output, |out| out.write_all(text.as_bytes()))?;
        if !options.quiet {
            let tracks = output::count(sheet.tracks.len(), "track", "tracks");
            eprintln!("isrc-stamp: wrote {} ({tracks})", output.display());
        }
    }
    if options.json {
        output::json_line(out, &SheetLine { sheet, warnings })?;
    } else if options.output.is_none() {
        out.write_all(text.as_bytes())?;
    }
    Ok(())
}
