//! Releases: a UPC/EAN with its title, artist, label, date and lines, and its tracks in
//! order, each the code its master's audio has in the ledger (`release add PATH...`:
//! the files are decoded to their audio ids; a file without a code is refused, `assign`
//! first). A code is on as many releases as it is (a compilation reuses an album's
//! codes). Entering a release gives its codes that have none its date as their date of
//! first publication and its (P) line as theirs ([`crate::ledger::fill_from_release`]).
//!
//! - [`order`]: the disc and track number of each file (tags, file names, walk, order file);
//! - [`sheet`]: a release with every track's recording and duration, and its label copy;
//! - [`ern`]: the DDEX ERN 4.3 `NewReleaseMessage` of a release.

pub mod ern;
pub mod order;
pub mod sheet;

use std::path::{Path, PathBuf};

use crate::audio::AnalyzeOptions;
use crate::isrc::{Catalog, Isrc};
use crate::ledger::{Ledger, LedgerError, Release, ReleaseTrack, Status};
use crate::output::Exit;

/// A reason the tracks of a release cannot be gathered, with the exit it calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseProblem {
    /// 1 for a file without a code (or two files in one place), 2 for one that cannot be read.
    pub exit: Exit,
    /// What is wrong, naming the file.
    pub message: String,
}

impl ReleaseProblem {
    fn findings(message: String) -> ReleaseProblem {
        ReleaseProblem { exit: Exit::Findings, message }
    }

    fn errors(message: String) -> ReleaseProblem {
        ReleaseProblem { exit: Exit::Errors, message }
    }
}

/// One track gathered from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// Its place.
    pub track: ReleaseTrack,
    /// The file it came from.
    pub path: PathBuf,
}

/// The tracks of the files under `paths`: each file decoded to its audio id and bound to
/// that audio's code in the ledger, placed by [`order::places`] (with `order`, the order
/// file's sequence); with how they were placed. Every file without a code, with a void
/// one, or with the code of another file of the release, and every file that cannot be
/// read, is a problem; then there are no tracks.
pub fn tracks_from_files(
    ledger: &mut dyn Ledger,
    paths: &[PathBuf],
    order: Option<&Path>,
    jobs: usize,
    quiet: bool,
) -> Result<(Vec<Placed>, order::By), Vec<ReleaseProblem>> {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    for found in crate::scan::walk::audio_files(paths) {
        match found {
            Ok(path) => files.push(path),
            Err(error) => problems.push(ReleaseProblem::errors(error.to_string())),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if files.is_empty() {
        return Err(vec![ReleaseProblem::findings("no audio files under the paths given".into())]);
    }
    if let Some(order_file) = order {
        files = crate::carrier::album::apply_order(files, order_file)
            .map_err(|error| vec![ReleaseProblem::errors(crate::output::with_causes(&error))])?;
    }
    let options = AnalyzeOptions { skip_md5: true, ..AnalyzeOptions::default() };
    let scanned = crate::scan::scan_with_options(&files, &options, jobs, quiet, "reading");
    let mut found: Vec<(crate::scan::Scanned, Isrc)> = Vec::new();
    for result in scanned {
        let file = match result {
            Ok(file) => file,
            Err(failed) => {
                problems.push(ReleaseProblem::errors(format!("{}: {}", failed.path.display(), failed.error)));
                continue;
            }
        };
        let shown = file.path.display().to_string();
        let code =
            ledger.code_for_audio(&file.audio.audio_id).map_err(|e| vec![ReleaseProblem::errors(e.to_string())])?;
        let status = match code {
            Some(code) => {
                ledger.recording(code).map_err(|e| vec![ReleaseProblem::errors(e.to_string())])?.map(|r| r.status)
            }
            None => None,
        };
        match (code, status) {
            (Some(code), Some(Status::Active)) => found.push((file, code)),
            (Some(code), _) => problems.push(ReleaseProblem::findings(format!(
                "{shown}: its audio is bound to {code}, which is void; `isrc-stamp assign --fix` gives it a code"
            ))),
            (None, _) => problems.push(ReleaseProblem::findings(format!(
                "{shown}: its audio has no code in the ledger; run `isrc-stamp assign` on it first"
            ))),
        }
    }
    let mut seen: std::collections::HashMap<Isrc, &Path> = std::collections::HashMap::new();
    for (file, code) in &found {
        if let Some(other) = seen.insert(*code, &file.path) {
            problems.push(ReleaseProblem::findings(format!(
                "{} and {} are both {code} (one recording in two files): give one file per track",
                other.display(),
                file.path.display()
            )));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let candidates: Vec<order::Candidate> = found
        .iter()
        .map(|(file, _)| order::Candidate {
            name: file.path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            disc_tag: file.tags.disc,
            track_tag: file.tags.track,
        })
        .collect();
    let (places, by) =
        order::places(&candidates, order.is_some()).map_err(|why| vec![ReleaseProblem::findings(why)])?;
    let mut placed: Vec<Placed> = found
        .into_iter()
        .zip(places)
        .map(|((file, isrc), (disc, number))| Placed { track: ReleaseTrack { disc, number, isrc }, path: file.path })
        .collect();
    placed.sort_by_key(|p| (p.track.disc, p.track.number));
    Ok((placed, by))
}

/// A release's text fields as given on the command line: `None` keeps (or, for a new
/// release, leaves unknown), an empty text clears.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    /// The title.
    pub title: Option<String>,
    /// The display artist.
    pub artist: Option<String>,
    /// The label.
    pub label: Option<String>,
    /// The release date, `YYYY-MM-DD` (or a year).
    pub date: Option<String>,
    /// The (P) line, `YYYY Owner`.
    pub p_line: Option<String>,
    /// The (C) line.
    pub c_line: Option<String>,
}

/// Why a release's fields are refused.
#[derive(Debug, thiserror::Error)]
pub enum FieldError {
    /// A value that cannot be read.
    #[error("{0}")]
    Invalid(String),
    /// The ledger's rules for text refuse it.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

impl Fields {
    /// `release` with these fields applied, checked: a title is required, the date is a
    /// date (or a year), the (P) line has a year and an owner, no text holds a control
    /// character or is over 1000 characters.
    pub fn apply(&self, mut release: Release) -> Result<Release, FieldError> {
        let text = |name: &'static str, given: &Option<String>, held: Option<String>| match given {
            None => Ok(held),
            Some(given) => crate::ledger::rules_text(name, given),
        };
        if let Some(title) = &self.title {
            release.title = text("title", &Some(title.clone()), None)?
                .ok_or_else(|| FieldError::Invalid("a release needs a title".into()))?;
        }
        release.artist = text("artist", &self.artist, release.artist)?;
        release.label = text("label", &self.label, release.label)?;
        release.c_line = text("c_line", &self.c_line, release.c_line)?;
        release.date = text("date", &self.date, release.date)?;
        if let Some(date) = &release.date
            && self.date.is_some()
            && crate::ledger::p_date(date).as_deref() != Some(date.as_str())
        {
            return Err(FieldError::Invalid(format!("--date {date:?}: expected YYYY-MM-DD (or a year)")));
        }
        release.p_line = text("p_line", &self.p_line, release.p_line)?;
        if let Some(line) = &release.p_line
            && self.p_line.is_some()
            && !matches!(crate::ledger::parse_p_line(line), Some((Some(_), Some(_))))
        {
            return Err(FieldError::Invalid(format!(
                "--p-line {line:?}: expected the year and the owner, as \"2026 Harbour Records\""
            )));
        }
        Ok(release)
    }
}

/// A new release of `upc` with `fields` (title and artist required) and no tracks yet.
pub fn new_release(upc: Catalog, fields: &Fields, at: i64) -> Result<Release, FieldError> {
    if fields.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
        return Err(FieldError::Invalid("a release needs a title (--title)".into()));
    }
    let empty = Release {
        upc,
        title: String::new(),
        artist: None,
        label: None,
        date: None,
        p_line: None,
        c_line: None,
        created_at: at,
        tracks: Vec::new(),
    };
    fields.apply(empty)
}

/// What changed between two states of a release, as an event says it.
pub fn changes(before: &Release, after: &Release) -> Vec<String> {
    let shown = |value: &Option<String>| value.as_ref().map_or_else(|| "(none)".to_owned(), |v| format!("{v:?}"));
    let tracks = |release: &Release| {
        release.tracks.iter().map(|t| format!("{}-{} {}", t.disc, t.number, t.isrc)).collect::<Vec<_>>().join(", ")
    };
    let mut changed: Vec<String> = [
        ("title", Some(before.title.clone()), Some(after.title.clone())),
        ("artist", before.artist.clone(), after.artist.clone()),
        ("label", before.label.clone(), after.label.clone()),
        ("date", before.date.clone(), after.date.clone()),
        ("p_line", before.p_line.clone(), after.p_line.clone()),
        ("c_line", before.c_line.clone(), after.c_line.clone()),
    ]
    .iter()
    .filter(|(_, was, is)| was != is)
    .map(|(name, was, is)| format!("{name} {} -> {}", shown(was), shown(is)))
    .collect();
    if before.tracks != after.tracks {
        changed.push(format!("tracks {} -> {}", tracks(before), tracks(after)));
    }
    changed
}
