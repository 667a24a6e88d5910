//! An album for a carrier: its tracks in order (the walk order, or an order file), each
//! with the code its tags carry, its title and performer, and the album's own; every
//! problem found on the way, so that nothing is pressed from a half-right album. The CUE
//! sheet is made from it here ([`build_sheet`]), the DDP image in [`super::disc`].

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, bail};

use super::cue::{CueSheet, CueTrack, is_representable_file_name};
use crate::audio::AnalyzeOptions;
use crate::container::{self, Carried};
use crate::isrc::{Catalog, Isrc};
use crate::output::Exit;
use crate::scan::{self, Scanned, walk};

/// A reason an album cannot be made, with the exit it calls for.
pub(crate) struct Problem {
    /// 1 for a wrong code, 2 for a file that could not be read.
    pub exit: Exit,
    /// What is wrong, naming the file.
    pub message: String,
}

/// The audio files under `paths` in walk order, or every path that could not be walked.
pub(crate) fn walked_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Vec<Problem>> {
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
pub(crate) fn apply_order(files: Vec<PathBuf>, order_file: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let text = crate::filekind::read_text(order_file, 16 << 20)
        .with_context(|| format!("cannot read the order file {}", order_file.display()))?;
    let folder = parent_folder(order_file);
    let identity = |path: &Path| crate::platform::path::resolve(path).unwrap_or_else(|_| path.to_path_buf());
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
        match crate::platform::path::resolve(&listed) {
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
pub(crate) fn names_base(output: Option<&Path>) -> anyhow::Result<PathBuf> {
    let folder = match output {
        Some(output) => parent_folder(output),
        None => PathBuf::from("."),
    };
    crate::platform::path::resolve(&folder).with_context(|| format!("cannot use the folder {}", folder.display()))
}

/// A path's folder, `.` for a bare name.
pub(crate) fn parent_folder(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// One track of an album: the file as scanned, and the code its tags carry.
pub(crate) struct AlbumTrack {
    /// The file, its audio facts and tags.
    pub file: Scanned,
    /// The one valid code its tags carry, if any.
    pub isrc: Option<Isrc>,
}

/// An album in track order, with the title and performer every track shares.
pub(crate) struct Album {
    /// The tracks, in order.
    pub tracks: Vec<AlbumTrack>,
    /// The album title every track's tags give, if they all give the same.
    pub title: Option<String>,
    /// The artist every track's tags give, if they all give the same.
    pub performer: Option<String>,
}

/// Scans `files` (in track order) into an album; or every problem found: a file that
/// cannot be read (exit 2), tags that give no one valid code (exit 1).
pub(crate) fn read_album(files: &[PathBuf], jobs: usize, quiet: bool) -> Result<Album, Vec<Problem>> {
    let options = AnalyzeOptions { skip_md5: true, ..AnalyzeOptions::default() };
    let scanned = scan::scan_with_options(files, &options, jobs, quiet, "reading");
    let (mut tracks, mut problems) = (Vec::new(), Vec::new());
    for result in scanned {
        let file = match result {
            Ok(file) => file,
            Err(failed) => {
                let message = format!("{}: {}", failed.path.display(), failed.error);
                problems.push(Problem { exit: Exit::Errors, message });
                continue;
            }
        };
        match carried_isrc(&file) {
            Ok(isrc) => tracks.push(AlbumTrack { file, isrc }),
            Err(message) => {
                problems.push(Problem { exit: Exit::Findings, message: format!("{}: {message}", file.path.display()) })
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let performer = shared(tracks.iter().map(|track| track.file.tags.artist.clone()));
    let title = shared(tracks.iter().map(|track| track.file.tags.album.clone()));
    Ok(Album { tracks, title, performer })
}

/// Scans the files and builds the sheet, with warnings; or every problem found.
pub(crate) fn build_sheet(
    files: &[PathBuf],
    base: &Path,
    catalog: Option<Catalog>,
    jobs: usize,
    quiet: bool,
) -> Result<(CueSheet, Vec<String>), Vec<Problem>> {
    let album = read_album(files, jobs, quiet)?;
    let (mut tracks, mut problems, mut warnings) = (Vec::new(), Vec::new(), Vec::new());
    for (index, track) in album.tracks.iter().enumerate() {
        let path = track.file.path.display();
        let number = u8::try_from(index + 1).unwrap_or(u8::MAX);
        match cue_name(&track.file.path, base) {
            Ok(file) => tracks.push(CueTrack {
                file,
                number,
                title: track.file.tags.title.clone(),
                performer: track.file.tags.artist.clone(),
                isrc: track.isrc,
            }),
            Err(message) => problems.push(Problem { exit: Exit::Errors, message: format!("{path}: {message}") }),
        }
        if track.isrc.is_none() {
            warnings.push(format!(
                "{path}: no ISRC in the tags, so track {number} has no ISRC line (`isrc-stamp assign` gives it one)"
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok((CueSheet { catalog, performer: album.performer, title: album.title, tracks }, warnings))
}

/// The one code the file's tags carry, none, or why they cannot give one.
fn carried_isrc(file: &Scanned) -> Result<Option<Isrc>, String> {
    let hint = "see `isrc-stamp inspect` for where each value is, and correct the tags";
    match container::carried(&file.tags, &file.tags.written) {
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
    let folder = crate::platform::path::resolve(&parent_folder(path)).map_err(|e| walk::describe_io(&e))?;
    let name = path.file_name().ok_or("not a file name")?;
    let relative = relative_to(&folder.join(name), base);
    let text = relative.to_str().ok_or("the path is not valid UTF-8, so a CUE sheet cannot name it; rename it")?;
    if !is_representable_file_name(text) {
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

/// The value every item has, if they all have the same one.
fn shared(mut values: impl Iterator<Item = Option<String>>) -> Option<String> {
    let first = values.next()??;
    values.all(|v| v.as_deref() == Some(first.as_str())).then_some(first)
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
