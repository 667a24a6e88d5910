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
//! isrc-stamp writes): one valid code gives the `ISRC` line; no code gives no line and a
//! warning on stderr; an invalid code, locations that disagree or a location holding
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

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, bail};

use crate::code::Isrc;
use crate::cue::{Catalog, CueSheet, CueTrack, MAX_TRACKS};
use crate::policy::{self, Carried};
use crate::report::{self, Exit};
use crate::scan::Scanned;
use crate::walk::{self, TEMP_PREFIX};

/// What `cue` was asked to do.
#[derive(Debug, Clone)]
pub struct CueOptions {
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
}

/// A reason no sheet is written, with the exit it calls for.
struct Problem {
    exit: Exit,
    message: String,
}

/// Runs `cue`: exit 0 with the sheet written, 1 when a track's codes are wrong, 2 when a
/// file could not be read (no sheet in either case).
pub fn run(options: &CueOptions, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let files = match walked_files(&options.paths) {
        Ok(files) => files,
        Err(problems) => return Ok(give_up(&problems)),
    };
    let files = match &options.order {
        Some(order) => apply_order(files, order)?,
        None => files,
    };
    if files.is_empty() {
        bail!("no audio files under the paths given");
    }
    if files.len() > MAX_TRACKS {
        bail!("{} audio files: a CUE sheet (and a CD) holds at most {MAX_TRACKS} tracks", files.len());
    }
    let base = names_base(options.output.as_deref())?;
    let (sheet, warnings) = match build_sheet(&files, &base, options) {
        Ok(built) => built,
        Err(problems) => return Ok(give_up(&problems)),
    };
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

/// The audio files under `paths` in walk order, or every path that could not be walked.
fn walked_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Vec<Problem>> {
    let (files, failed): (Vec<_>, Vec<_>) = walk::audio_files(paths).into_iter().partition(Result::is_ok);
    if failed.is_empty() {
        return Ok(files.into_iter().flatten().collect());
    }
    Err(failed
        .into_iter()
        .filter_map(Result::err)
        .map(|e| Problem { exit: Exit::Errors, message: e.to_string() })
        .collect())
}

/// Puts `files` in the order the order file lists them; every mismatch is an error.
fn apply_order(files: Vec<PathBuf>, order_file: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let text = fs::read_to_string(order_file)
        .with_context(|| format!("cannot read the order file {}", order_file.display()))?;
    let folder = parent_folder(order_file);
    let identity = |path: &Path| fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut unlisted: HashMap<PathBuf, PathBuf> = files.iter().map(|f| (identity(f), f.clone())).collect();
    let mut seen = HashSet::new();
    let (mut ordered, mut problems) = (Vec::new(), Vec::new());
    for (index, line) in text.lines().enumerate() {
        let entry = line.trim().trim_start_matches('\u{feff}');
        if entry.is_empty() || entry.starts_with('#') {
            continue;
        }
        let listed = folder.join(entry);
        let at = format!("{}:{}", order_file.display(), index + 1);
        match fs::canonicalize(&listed) {
            Err(e) => problems.push(format!("{at}: {}: {}", listed.display(), walk::describe_io(&e))),
            Ok(id) if !seen.insert(id.clone()) => problems.push(format!("{at}: {} is listed twice", listed.display())),
            Ok(id) => match unlisted.remove(&id) {
                Some(path) => ordered.push(path),
                None => problems.push(format!("{at}: {} is not among the files under PATH", listed.display())),
            },
        }
    }
    for file in files.iter().filter(|f| unlisted.contains_key(&identity(f))) {
        problems.push(format!("{} is not listed in the order file", file.display()));
    }
    if !problems.is_empty() {
        bail!("the order file {} does not match the files:\n  {}", order_file.display(), problems.join("\n  "));
    }
    Ok(ordered)
}

/// The folder `FILE` names are relative to: the output file's, else the current one.
fn names_base(output: Option<&Path>) -> anyhow::Result<PathBuf> {
    let folder = match output {
        Some(output) => parent_folder(output),
        None => PathBuf::from("."),
    };
    fs::canonicalize(&folder).with_context(|| format!("cannot use the folder {}", folder.display()))
}

/// A path's folder, `.` for a bare name.
fn parent_folder(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Scans the files and builds the sheet, with warnings; or every problem found.
fn build_sheet(files: &[PathBuf], base: &Path, options: &CueOptions) -> Result<(CueSheet, Vec<String>), Vec<Problem>> {
    let scanned = crate::progress::scan_with_progress(files, options.jobs, options.quiet, "reading");
    let (mut tracks, mut problems, mut warnings) = (Vec::new(), Vec::new(), Vec::new());
    for (index, result) in scanned.into_iter().enumerate() {
        let file = match result {
            Ok(file) => file,
            Err(failed) => {
                let message = format!("{}: {}", failed.path.display(), failed.error);
                problems.push(Problem { exit: Exit::Errors, message });
                continue;
            }
        };
        match track(&file, index, base) {
            Ok(track) => {
                if track.isrc.is_none() {
                    warnings.push(format!(
                        "{}: no ISRC in the tags, so track {} has no ISRC line (`isrc-stamp assign` gives it one)",
                        file.path.display(),
                        track.number
                    ));
                }
                tracks.push((track, file));
            }
            Err(problem) => problems.push(problem),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok((album(tracks, options.catalog), warnings))
}

/// One track of the sheet, from a scanned file.
fn track(file: &Scanned, index: usize, base: &Path) -> Result<CueTrack, Problem> {
    let path = file.path.display();
    let name = cue_name(&file.path, base)
        .map_err(|message| Problem { exit: Exit::Errors, message: format!("{path}: {message}") })?;
    let isrc = carried_isrc(file)
        .map_err(|message| Problem { exit: Exit::Findings, message: format!("{path}: {message}") })?;
    Ok(CueTrack {
        file: name,
        number: u8::try_from(index + 1).unwrap_or(u8::MAX),
        title: file.tags.title.clone(),
        performer: file.tags.artist.clone(),
        isrc,
    })
}

/// The one code the file's tags carry, none, or why they cannot give one.
fn carried_isrc(file: &Scanned) -> Result<Option<Isrc>, String> {
    let hint = "see `isrc-stamp inspect` for where each value is, and correct the tags";
    match policy::carried(&file.tags, crate::tags::written_locations(file.audio.format)) {
        Carried::Nothing => Ok(None),
        Carried::Code { isrc, .. } => Ok(Some(isrc)),
        Carried::Malformed(values) => Err(format!("not a valid ISRC in the tags: {}; {hint}", quoted(&values))),
        Carried::Disagree(codes) if codes.len() == 1 => {
            Err(format!("a tag location holds {} more than once; {hint}", quoted(&codes)))
        }
        Carried::Disagree(codes) => Err(format!("the tags hold different ISRCs ({}); {hint}", quoted(&codes))),
    }
}

/// Values as `"a", "b"`.
fn quoted(values: &[impl std::fmt::Display]) -> String {
    values.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(", ")
}

/// The file's name as the sheet gives it: relative to `base` (a canonical folder).
fn cue_name(path: &Path, base: &Path) -> Result<String, String> {
    let folder = fs::canonicalize(parent_folder(path)).map_err(|e| walk::describe_io(&e))?;
    let name = path.file_name().ok_or("not a file name")?;
    let relative = relative_to(&folder.join(name), base);
    let text = relative.to_str().ok_or("the path is not valid UTF-8, so a CUE sheet cannot name it; rename it")?;
    if !crate::cue::is_representable_file_name(text) {
        return Err(format!(
            "the name {text:?} holds a double quote or a control character, which a CUE sheet cannot hold; rename it"
        ));
    }
    Ok(text.to_owned())
}

/// `path` relative to `base` (both absolute); `path` itself when they share no root.
fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let (ours, theirs): (Vec<Component>, Vec<Component>) = (path.components().collect(), base.components().collect());
    let common = ours.iter().zip(&theirs).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return path.to_path_buf();
    }
    let mut relative = PathBuf::new();
    theirs[common..].iter().for_each(|_| relative.push(".."));
    ours[common..].iter().for_each(|part| relative.push(part));
    relative
}

/// The sheet: tracks, catalog, and the album's performer and title when all tracks share them.
fn album(tracks: Vec<(CueTrack, Scanned)>, catalog: Option<Catalog>) -> CueSheet {
    let performer = shared(tracks.iter().map(|(track, _)| track.performer.clone()));
    let title = shared(tracks.iter().map(|(_, file)| file.tags.album.clone()));
    CueSheet { catalog, performer, title, tracks: tracks.into_iter().map(|(track, _)| track).collect() }
}

/// The value every item has, if they all have the same one.
fn shared(mut values: impl Iterator<Item = Option<String>>) -> Option<String> {
    let first = values.next()??;
    values.all(|v| v.as_deref() == Some(first.as_str())).then_some(first)
}

/// Writes the sheet to `--output` and/or stdout.
fn emit(sheet: &CueSheet, options: &CueOptions, out: &mut dyn Write) -> anyhow::Result<()> {
    let text = sheet.to_cue()?;
    if let Some(output) = &options.output {
        write_atomically(output, &text)?;
        if !options.quiet {
            eprintln!("isrc-stamp: wrote {} ({} tracks)", output.display(), sheet.tracks.len());
        }
    }
    if options.json {
        report::json_line(out, sheet)?;
    } else if options.output.is_none() {
        out.write_all(text.as_bytes())?;
    }
    Ok(())
}

/// Writes `text` to `path` through a temporary file in the same folder, renamed over it.
fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let folder = parent_folder(path);
    let context = || format!("cannot write {}", path.display());
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(".cue");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o7777);
        builder.permissions(fs::Permissions::from_mode(mode));
    }
    let mut temp = builder.tempfile_in(&folder).with_context(context)?;
    temp.write_all(text.as_bytes()).with_context(context)?;
    temp.as_file().sync_all().with_context(context)?;
    temp.persist(path).map_err(|e| e.error).with_context(context)?;
    #[cfg(unix)]
    if let Ok(dir) = fs::File::open(&folder) {
        // The rename is only durable once the folder is on disk; failing here loses nothing.
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_made_relative_to_the_base() {
        let rel = |path: &str, base: &str| relative_to(Path::new(path), Path::new(base));
        assert_eq!(rel("/a/b/c.wav", "/a/b"), Path::new("c.wav"));
        assert_eq!(rel("/a/b/c.wav", "/a"), Path::new("b/c.wav"));
        assert_eq!(rel("/a/b/c.wav", "/a/x/y"), Path::new("../../b/c.wav"));
        assert_eq!(rel("/c.wav", "/"), Path::new("c.wav"));
    }

    #[test]
    fn a_shared_value_is_one_every_item_has() {
        let some = |s: &str| Some(s.to_owned());
        assert_eq!(shared([some("a"), some("a")].into_iter()), some("a"));
        assert_eq!(shared([some("a"), some("b")].into_iter()), None);
        assert_eq!(shared([some("a"), None].into_iter()), None);
        assert_eq!(shared(std::iter::empty()), None);
    }
}
