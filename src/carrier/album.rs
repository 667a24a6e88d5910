//! An album for a carrier: its tracks in order, each with its code, title and performer,
//! and the album's own; every problem found on the way, so that nothing is pressed from
//! a half-right album. The CUE sheet is made from it here ([`build_sheet`]), the DDP
//! image in [`super::disc`].
//!
//! Two ways to an album:
//! - from the files ([`read_album`]): the walk order or an order file, each track's code
//!   from its tags, its text from its tags, else from the ledger's recording of that
//!   code ([`fill_from_ledger`]);
//! - from a release in the ledger ([`release_album`], `--release UPC`): the release's
//!   track order, codes, titles and performers, its title, artist and UPC/EAN; the files
//!   give only the audio, each found by its audio id, whatever its tags say or lack.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use super::cue::{CueSheet, CueTrack, is_representable_file_name};
use super::error::CarrierError;
use crate::audio::AnalyzeOptions;
use crate::container::{self, Carried};
use crate::isrc::{Catalog, Isrc};
use crate::ledger::{LedgerError, Lookup, Status};
use crate::output::Exit;
use crate::scan::{self, Scanned, walk};

/// A reason an album cannot be made, with the exit it calls for.
pub(crate) struct AlbumProblem {
    /// 1 for a wrong code, 2 for a file that could not be read.
    pub exit: Exit,
    /// What is wrong, naming the file.
    pub message: String,
}

/// The audio files under `paths` in walk order, or every path that could not be walked.
pub(crate) fn walked_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Vec<AlbumProblem>> {
    let (files, failed): (Vec<_>, Vec<_>) = walk::audio_files(paths).into_iter().partition(Result::is_ok);
    if failed.is_empty() {
        return Ok(files.into_iter().flatten().collect());
    }
    Err(failed
        .into_iter()
        .filter_map(Result::err)
        .map(|e| AlbumProblem { exit: Exit::Errors, message: e.to_string() })
        .collect())
}

/// Puts `files` in the order the order file lists them; every mismatch is an error.
pub(crate) fn apply_order(files: Vec<PathBuf>, order_file: &Path) -> Result<Vec<PathBuf>, CarrierError> {
    let text = crate::base::filekind::read_text(order_file, 16 << 20)
        .map_err(|e| CarrierError::io(format!("cannot read the order file {}", order_file.display()), e))?;
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
            Err(e) => problems.push(format!("{at}: {}: {}", listed.display(), crate::base::io::describe_io(&e))),
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
        return Err(CarrierError::OrderMismatch { file: order_file.to_path_buf(), problems });
    }
    Ok(ordered)
}

/// The folder `FILE` names are relative to: the output file's, else the current one.
pub(crate) fn names_base(output: Option<&Path>) -> Result<PathBuf, CarrierError> {
    let folder = match output {
        Some(output) => parent_folder(output),
        None => PathBuf::from("."),
    };
    crate::platform::path::resolve(&folder)
        .map_err(|e| CarrierError::io(format!("cannot use the folder {}", folder.display()), e))
}

/// A path's folder, `.` for a bare name.
pub(crate) fn parent_folder(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// One track of an album: the file as scanned, its code, title and performer.
pub(crate) struct AlbumTrack {
    /// The file, its audio facts and tags.
    pub file: Scanned,
    /// The track's code: the one valid code its tags carry, or the release's.
    pub isrc: Option<Isrc>,
    /// The track's title: its tags', else the ledger's.
    pub title: Option<String>,
    /// The track's performer: its tags' artist, else the ledger's.
    pub performer: Option<String>,
}

/// An album in track order, with its title, performer and UPC/EAN.
pub(crate) struct Album {
    /// The tracks, in order.
    pub tracks: Vec<AlbumTrack>,
    /// The album's title: the release's, else the album title every track's tags give.
    pub title: Option<String>,
    /// The album's performer: the release's artist, else the artist every track shares.
    pub performer: Option<String>,
    /// The release's UPC/EAN: `--release`'s, else `--catalog`.
    pub catalog: Option<Catalog>,
    /// Whether it is a release of the ledger (its codes come from there, not the tags).
    pub from_release: bool,
}

impl Album {
    /// The numbers of the tracks without a title, and whether no track and not the
    /// album has any title or performer (a CD-Text or CUE sheet with no text).
    pub(crate) fn missing_text(&self) -> (Vec<usize>, bool) {
        let blank = |value: &Option<String>| value.as_deref().is_none_or(|v| v.trim().is_empty());
        let untitled: Vec<usize> =
            self.tracks.iter().enumerate().filter(|(_, t)| blank(&t.title)).map(|(i, _)| i + 1).collect();
        let nothing = blank(&self.title)
            && blank(&self.performer)
            && self.tracks.iter().all(|t| blank(&t.title) && blank(&t.performer));
        (untitled, nothing)
    }

    /// The warnings about text a carrier lacks: none at all (`what` is empty, and
    /// `so` says what follows), or some tracks without a title.
    pub(crate) fn text_warnings(&self, what: &str, so: &str) -> Vec<String> {
        let (untitled, nothing) = self.missing_text();
        let how = if self.from_release {
            "the ledger's recordings have no titles: set them with `isrc-stamp ledger edit ISRC --title T --artist A`"
        } else {
            "neither the tags nor the ledger give any: give the release with --release UPC, or tag the masters \
             (`isrc-stamp ledger edit ISRC --title T --artist A` sets the ledger's)"
        };
        if nothing {
            return vec![format!("{what} is empty: no album or track has a title or performer{so}; {how}")];
        }
        if untitled.is_empty() {
            return Vec::new();
        }
        let list: Vec<String> = untitled.iter().map(usize::to_string).collect();
        let tracks = if untitled.len() == 1 { "track" } else { "tracks" };
        vec![format!("{what} has no title for {tracks} {}; {how}", list.join(", "))]
    }
}

/// Scans `files` (in track order) into an album; or every problem found: a file that
/// cannot be read (exit 2), tags that give no one valid code (exit 1).
pub(crate) fn read_album(files: &[PathBuf], jobs: usize, quiet: bool) -> Result<Album, Vec<AlbumProblem>> {
    let options = AnalyzeOptions { skip_md5: true, ..AnalyzeOptions::default() };
    let scanned = scan::scan_with_options(files, &options, jobs, quiet, "reading");
    let (mut tracks, mut problems) = (Vec::new(), Vec::new());
    for result in scanned {
        let file = match result {
            Ok(file) => file,
            Err(failed) => {
                let message = format!("{}: {}", failed.path.display(), failed.error);
                problems.push(AlbumProblem { exit: Exit::Errors, message });
                continue;
            }
        };
        match carried_isrc(&file) {
            Ok(isrc) => {
                let (title, performer) = (file.tags.title.clone(), file.tags.artist.clone());
                tracks.push(AlbumTrack { file, isrc, title, performer })
            }
            Err(message) => problems
                .push(AlbumProblem { exit: Exit::Findings, message: format!("{}: {message}", file.path.display()) }),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let performer = shared(tracks.iter().map(|track| track.file.tags.artist.clone()));
    let title = shared(tracks.iter().map(|track| track.file.tags.album.clone()));
    Ok(Album { tracks, title, performer, catalog: None, from_release: false })
}

/// Fills the text the tags lack from the ledger: a track's title and performer from the
/// recording of its code, the album's title and performer from the release of its
/// UPC/EAN (then the performer every track shares). Nothing the tags give is replaced.
pub(crate) fn fill_from_ledger(album: &mut Album, ledger: &mut dyn Lookup) -> Result<(), LedgerError> {
    for track in &mut album.tracks {
        let Some(code) = track.isrc else { continue };
        if track.title.is_some() && track.performer.is_some() {
            continue;
        }
        if let Some(recording) = ledger.recording(code)? {
            track.title = track.title.take().or(recording.title);
            track.performer = track.performer.take().or(recording.artist);
        }
    }
    if let Some(catalog) = album.catalog
        && (album.title.is_none() || album.performer.is_none())
        && let Some(release) = ledger.release(&catalog)?
    {
        album.title = album.title.take().or(Some(release.title).filter(|t| !t.trim().is_empty()));
        album.performer = album.performer.take().or(release.artist);
    }
    if album.performer.is_none() {
        album.performer = shared(album.tracks.iter().map(|track| track.performer.clone()));
    }
    Ok(())
}

/// An album, and the warnings gathering it gave.
pub(crate) type AlbumWithWarnings = (Album, Vec<String>);

/// Which release, and which of its discs, `--release` makes the carrier of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReleaseChoice {
    /// The release's UPC/EAN.
    pub upc: Catalog,
    /// `--disc N`: the disc of a release of several.
    pub disc: Option<u32>,
}

/// Whether a file is CD audio: 44.1 kHz, 16-bit, stereo.
fn is_cd_audio(file: &Scanned) -> bool {
    let stream = &file.audio.stream;
    stream.sample_rate == 44_100 && stream.layout.bits == 16 && stream.channels == 2
}

/// The album of a release in the ledger: its tracks in the release's order, each the
/// file under `files` whose audio the ledger binds to the track's code (CD audio
/// preferred, when several encodings of a recording are there), with the ledger's
/// codes and text. Every track without its file, every track with several candidate
/// files, every file carrying a code the ledger does not have for its audio is a
/// problem; files of no track of the release are left out with a warning.
pub(crate) fn release_album(
    ledger: &mut dyn Lookup,
    choice: ReleaseChoice,
    files: &[PathBuf],
    jobs: usize,
    quiet: bool,
) -> Result<Result<AlbumWithWarnings, Vec<AlbumProblem>>, CarrierError> {
    let upc = choice.upc;
    let Some(release) = ledger.release(&upc)? else {
        return Err(CarrierError::UnknownRelease(upc));
    };
    let mut discs: Vec<u32> = release.tracks.iter().map(|t| t.disc).collect();
    discs.sort_unstable();
    discs.dedup();
    let disc = match (choice.disc, discs.as_slice()) {
        (Some(disc), _) if discs.contains(&disc) => disc,
        (Some(disc), _) => return Err(CarrierError::NoSuchDisc { upc, disc, discs }),
        (None, [only]) => *only,
        (None, []) => return Err(CarrierError::NoTracks(upc)),
        (None, _) => return Err(CarrierError::WhichDisc { upc, discs }),
    };
    let wanted: Vec<_> = release.tracks.iter().filter(|t| t.disc == disc).copied().collect();
    if wanted.len() > super::cue::MAX_TRACKS {
        return Err(CarrierError::TooManyReleaseTracks { upc, disc, tracks: wanted.len() });
    }

    let options = AnalyzeOptions { skip_md5: true, ..AnalyzeOptions::default() };
    let (mut scanned, mut problems, mut warnings) = (Vec::new(), Vec::new(), Vec::new());
    for result in scan::scan_with_options(files, &options, jobs, quiet, "reading") {
        match result {
            Ok(file) => scanned.push(file),
            Err(failed) => problems.push(AlbumProblem {
                exit: Exit::Errors,
                message: format!("{}: {}", failed.path.display(), failed.error),
            }),
        }
    }
    // Each file's code: the ledger's for its audio; a code its tags carry must be that one.
    let mut codes = Vec::with_capacity(scanned.len());
    for file in &scanned {
        let path = file.path.display();
        let known = ledger.code_for_audio(&file.audio.audio_id)?;
        match (carried_isrc(file), known) {
            (Err(message), _) => {
                problems.push(AlbumProblem { exit: Exit::Findings, message: format!("{path}: {message}") })
            }
            (Ok(Some(carried)), Some(known)) if carried != known => problems.push(AlbumProblem {
                exit: Exit::Findings,
                message: format!(
                    "{path}: the ledger has this audio as {known} but the file carries {carried} (a retagged \
                     duplicate); run `isrc-stamp assign --fix` on it"
                ),
            }),
            (Ok(Some(carried)), None) if wanted.iter().any(|t| t.isrc == carried) => problems.push(AlbumProblem {
                exit: Exit::Findings,
                message: format!(
                    "{path}: the file carries {carried}, a code of release {}, but the ledger has no code for \
                     this audio; run `isrc-stamp assign` on it first",
                    upc.as_typed()
                ),
            }),
            _ => {}
        }
        codes.push(known);
    }
    let mut used = vec![false; scanned.len()];
    let mut chosen = Vec::with_capacity(wanted.len());
    for track in &wanted {
        let recording = ledger.recording(track.isrc)?;
        let label = format!(
            "release {} track {} ({}{})",
            upc.as_typed(),
            track.number,
            track.isrc,
            recording.as_ref().and_then(|r| r.title.as_deref()).map(|t| format!(", {t:?}")).unwrap_or_default()
        );
        if recording.as_ref().is_some_and(|r| r.status == Status::Void) {
            problems.push(AlbumProblem {
                exit: Exit::Findings,
                message: format!("{label}: {} is void in the ledger and must not go on a disc", track.isrc),
            });
        }
        let candidates: Vec<usize> = (0..scanned.len()).filter(|&i| codes[i] == Some(track.isrc)).collect();
        candidates.iter().for_each(|&i| used[i] = true);
        let best = candidates.iter().map(|&i| is_cd_audio(&scanned[i])).max();
        let top = candidates.into_iter().filter(|&i| Some(is_cd_audio(&scanned[i])) == best);
        let mut distinct: Vec<usize> = Vec::new();
        for i in top {
            if !distinct.iter().any(|&j| scanned[j].audio.audio_id == scanned[i].audio.audio_id) {
                distinct.push(i);
            }
        }
        match distinct.as_slice() {
            [] => problems.push(AlbumProblem {
                exit: Exit::Findings,
                message: format!("{label}: no file under the paths given has its audio"),
            }),
            [one] => chosen.push((*one, track.isrc, recording)),
            several => problems.push(AlbumProblem {
                exit: Exit::Findings,
                message: format!(
                    "{label}: several files have other audio of it ({}); give the paths of one",
                    several.iter().map(|&i| scanned[i].path.display().to_string()).collect::<Vec<_>>().join(", ")
                ),
            }),
        }
    }
    for (file, _) in scanned.iter().zip(&used).filter(|(_, used)| !**used) {
        warnings.push(format!(
            "{}: its audio is on no track of release {} disc {disc}; left out",
            file.path.display(),
            upc.as_typed()
        ));
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let mut slots: Vec<Option<Scanned>> = scanned.into_iter().map(Some).collect();
    let mut tracks = Vec::with_capacity(chosen.len());
    for (i, isrc, recording) in chosen {
        let Some(file) = slots[i].take() else {
            // One file cannot be two tracks: the ledger binds its audio to one code.
            return Err(CarrierError::SameFileTwice(isrc));
        };
        let (title, artist) = recording.map(|r| (r.title, r.artist)).unwrap_or_default();
        let performer = artist.or_else(|| release.artist.clone());
        tracks.push(AlbumTrack { file, isrc: Some(isrc), title, performer });
    }
    let title = Some(release.title.clone()).filter(|t| !t.trim().is_empty());
    let performer = release.artist.clone().or_else(|| shared(tracks.iter().map(|track| track.performer.clone())));
    Ok(Ok((Album { tracks, title, performer, catalog: Some(upc), from_release: true }, warnings)))
}

/// Builds the CUE sheet of an album, with warnings; or every problem found. `gaps` are
/// the sectors of silence before each track's INDEX 01 (the pause before track 1
/// counted, as on the disc): the same as the DDP image's.
pub(crate) fn build_sheet(
    album: &Album,
    base: &Path,
    gaps: &[u64],
) -> Result<(CueSheet, Vec<String>), Vec<AlbumProblem>> {
    let (mut tracks, mut problems, mut warnings) = (Vec::new(), Vec::new(), Vec::new());
    for (index, track) in album.tracks.iter().enumerate() {
        let path = track.file.path.display();
        let number = u8::try_from(index + 1).unwrap_or(u8::MAX);
        match cue_name(&track.file.path, base) {
            Ok(file) => tracks.push(CueTrack {
                number,
                title: track.title.clone(),
                performer: track.performer.clone(),
                isrc: track.isrc,
                pregap: gaps.get(index).copied().unwrap_or(0),
                ..CueTrack::new(file, number)
            }),
            Err(message) => problems.push(AlbumProblem { exit: Exit::Errors, message: format!("{path}: {message}") }),
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
    warnings.extend(album.text_warnings(
        "the CUE sheet's text (TITLE, PERFORMER: what a burner writes as CD-Text)",
        ", so the sheet has no TITLE or PERFORMER line",
    ));
    let sheet =
        CueSheet { catalog: album.catalog, performer: album.performer.clone(), title: album.title.clone(), tracks };
    Ok((sheet, warnings))
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
    let folder = crate::platform::path::resolve(&parent_folder(path)).map_err(|e| crate::base::io::describe_io(&e))?;
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
