//! `isrc-stamp cue PATH... [--output FILE] [--catalog UPC/EAN] [--order FILE]`: a CUE
//! sheet for an album, each track with the ISRC its file carries.
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
//! `TITLE` and `PERFORMER` come from each file's tags. The album's `PERFORMER` is the
//! artist every track shares, its `TITLE` the album title every track shares (when
//! there is one). `FILE` names are relative to the output file's folder with
//! `--output`, else to the current folder.
//!
//! Output: the sheet goes to `--output` (written atomically: a temporary file in the
//! same folder, fsynced, renamed over the target) or to stdout. With `--json`, stdout
//! gets the sheet as one JSON object instead of CUE text:
//! `{"catalog","performer","title","tracks":[{"file","track","title","performer","isrc"}]}`
//! (with `--output`, the file still gets the CUE text).

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;

use crate::carrier::album::{self, Problem};
use crate::carrier::cue::{CueSheet, MAX_TRACKS};
use crate::isrc::Catalog;
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
    /// A file listing the tracks in order, one path per line.
    pub order: Option<PathBuf>,
    /// Files decoded at once.
    pub jobs: usize,
    /// The sheet as one JSON object on stdout instead of CUE text.
    pub json: bool,
    /// No progress or notes on stderr.
    pub quiet: bool,
    /// Write the sheet even when a track carries no ISRC.
    pub allow_missing: bool,
}

/// Runs `cue`: exit 0 with the sheet written, 1 when a track's codes are wrong or
/// missing (unless `--allow-missing`), 2 when a file could not be read (no sheet then).
pub(crate) fn run(options: &CueOptions, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let files = match album::walked_files(&options.paths) {
        Ok(files) => files,
        Err(problems) => return Ok(give_up(&problems)),
    };
    let files = match &options.order {
        Some(order) => album::apply_order(files, order)?,
        None => files,
    };
    if files.is_empty() {
        bail!("no audio files under the paths given");
    }
    if files.len() > MAX_TRACKS {
        bail!("{} audio files: a CUE sheet (and a CD) holds at most {MAX_TRACKS} tracks", files.len());
    }
    let base = album::names_base(options.output.as_deref())?;
    let (sheet, warnings) = match album::build_sheet(&files, &base, options.catalog, options.jobs, options.quiet) {
        Ok(built) => built,
        Err(problems) => return Ok(give_up(&problems)),
    };
    if !warnings.is_empty() && !options.allow_missing {
        let problems: Vec<Problem> =
            warnings.into_iter().map(|message| Problem { exit: Exit::Findings, message }).collect();
        let exit = give_up(&problems);
        eprintln!("isrc-stamp: assign the codes first, or pass --allow-missing to write the sheet without them");
        return Ok(exit);
    }
    for warning in &warnings {
        eprintln!("isrc-stamp: warning: {warning}");
    }
    emit(&sheet, options, out)?;
    Ok(Exit::Clean)
}

/// Prints every problem on stderr and says no sheet was written; the worst exit.
fn give_up(problems: &[Problem]) -> Exit {
    for problem in problems {
        eprintln!("isrc-stamp: {}", problem.message);
    }
    let count = problems.len();
    eprintln!("isrc-stamp: no CUE sheet written ({count} problem{})", if count == 1 { "" } else { "s" });
    problems.iter().map(|p| p.exit).fold(Exit::Clean, Exit::worst)
}

/// Writes the sheet to `--output` and/or stdout.
fn emit(sheet: &CueSheet, options: &CueOptions, out: &mut dyn Write) -> anyhow::Result<()> {
    let text = sheet.to_cue()?;
    if let Some(output) = &options.output {
        crate::write::guard::write_output(output, |out| Ok(out.write_all(text.as_bytes())?))?;
        if !options.quiet {
            let tracks = output::count(sheet.tracks.len(), "track", "tracks");
            eprintln!("isrc-stamp: wrote {} ({tracks})", output.display());
        }
    }
    if options.json {
        output::json_line(out, sheet)?;
    } else if options.output.is_none() {
        out.write_all(text.as_bytes())?;
    }
    Ok(())
}
