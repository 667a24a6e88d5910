//! A CD from an album of masters: the disc plan (tracks in order, each with the code its
//! file carries, which must be the ledger's code for its audio when there is a ledger;
//! or, with `--release UPC`, the release's tracks, codes and text from the ledger, the
//! files giving only the audio; the gaps; CD-Text from the tags, else the ledger),
//! checked against the Red Book before anything is written ([`plan_disc`]), and its DDP
//! image written as a whole folder or not at all ([`write_disc`]). A disc whose CD-Text
//! would have no title or performer, or lacks a track's title, is said aloud (a warning).
//!
//! Writing streams each master's decoded PCM into the image ([`crate::audio::open_pcm`])
//! and computes its audio id on the way: a track whose audio is not the audio scanned
//! (the file changed meanwhile) fails the image. Everything goes into a temporary
//! folder beside the target, flushed, then renamed into place, so a folder named
//! `--output` is either a whole image or absent; a temporary folder a killed run left
//! behind is removed by the next run writing beside it.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::album::{self, Album, AlbumProblem, AlbumTrack, ReleaseChoice};
use super::ddp::{self, DiscPlan, Limits, SECTORS_PER_SECOND, TrackPlan, Written};
use super::error::CarrierError;
use crate::audio::PcmReader;
use crate::base::ids::AudioId;
use crate::base::replace;
use crate::isrc::Catalog;
use crate::ledger::{self, LedgerError, Lookup, Status};
use crate::output::Exit;

/// The gaps before tracks 2 and later.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum Gaps {
    /// 2 seconds before every track.
    #[default]
    Default,
    /// `--gap`: this many sectors before every track after the first.
    All(u64),
    /// `--gaps FILE`: per track, from a file.
    File(PathBuf),
}

/// What disc to make.
#[derive(Debug, Clone)]
pub(crate) struct DiscRequest {
    /// Files and folders, walked in a stable order.
    pub paths: Vec<PathBuf>,
    /// `--order FILE`.
    pub order: Option<PathBuf>,
    /// The release's UPC/EAN.
    pub catalog: Option<Catalog>,
    /// `--release UPC`: the tracks, codes and text of this release of the ledger.
    pub release: Option<ReleaseChoice>,
    /// The gaps.
    pub gaps: Gaps,
    /// Files decoded at once.
    pub jobs: usize,
    /// No progress bar.
    pub quiet: bool,
}

/// A planned disc: the plan, and the album its tracks come from (in the same order).
pub(crate) struct Disc {
    /// What the image will hold.
    pub plan: DiscPlan,
    /// The masters, track by track.
    pub album: Album,
    /// What is worth knowing but does not stop the disc (a track without an ISRC).
    pub warnings: Vec<String>,
}

/// Parses a gap as `--gap` takes it: seconds (`2`, `1.5`, rounded to the nearest CD
/// frame of 1/75 s) or `MM:SS:FF`; into sectors.
pub(crate) fn parse_gap(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let error = || format!("{text:?} is not a gap: give seconds (2, 1.5) or MM:SS:FF (00:02:00)");
    let sectors = if let [m, s, f] = text.split(':').collect::<Vec<_>>().as_slice() {
        let (m, s, f): (u64, u64, u64) =
            (m.parse().map_err(|_| error())?, s.parse().map_err(|_| error())?, f.parse().map_err(|_| error())?);
        if s >= 60 || f >= SECTORS_PER_SECOND {
            return Err(error());
        }
        (m * 60 + s) * SECTORS_PER_SECOND + f
    } else {
        let seconds: f64 = text.parse().map_err(|_| error())?;
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(error());
        }
        (seconds * SECTORS_PER_SECOND as f64).round() as u64
    };
    if sectors >= ddp::MSF_LIMIT {
        return Err(format!("{text:?} is longer than a CD"));
    }
    Ok(sectors)
}

/// The gap before each of `tracks` tracks, in sectors, the pause before track 1
/// included (as on the disc): 2 s unless `gaps` says otherwise.
pub(crate) fn gap_list(gaps: &Gaps, tracks: usize) -> Result<Vec<u64>, Vec<AlbumProblem>> {
    let given = match gaps {
        Gaps::File(path) => read_gaps(path, tracks)?,
        Gaps::All(sectors) => (2..=tracks).map(|track| (track, *sectors)).collect(),
        Gaps::Default => Vec::new(),
    };
    Ok((1..=tracks)
        .map(|n| given.iter().find(|&&(track, _)| track == n).map_or(ddp::DEFAULT_PREGAP, |&(_, sectors)| sectors))
        .collect())
}

/// The album `--release` or the paths give, its text filled from the ledger; or every
/// problem found. Warnings (files left out) go to `warnings`.
pub(crate) fn gather_album(
    paths: &[PathBuf],
    order: Option<&Path>,
    catalog: Option<Catalog>,
    release: Option<ReleaseChoice>,
    ledger: Option<&mut dyn Lookup>,
    (jobs, quiet): (usize, bool),
    warnings: &mut Vec<String>,
) -> Result<Result<Album, Vec<AlbumProblem>>, CarrierError> {
    let files = match album::walked_files(paths) {
        Ok(files) => files,
        Err(problems) => return Ok(Err(problems)),
    };
    if let Some(choice) = release {
        let Some(ledger) = ledger else {
            return Err(CarrierError::ReleaseWithoutLedger);
        };
        if files.is_empty() {
            return Err(CarrierError::NoAudio);
        }
        return Ok(match album::release_album(ledger, choice, &files, jobs, quiet)? {
            Ok((album, more)) => {
                warnings.extend(more);
                Ok(album)
            }
            Err(problems) => Err(problems),
        });
    }
    let files = match order {
        Some(order) => album::apply_order(files, order)?,
        None => files,
    };
    if files.is_empty() {
        return Err(CarrierError::NoAudio);
    }
    if files.len() > ddp::MAX_TRACKS {
        return Err(CarrierError::TooManyFiles { files: files.len(), most: ddp::MAX_TRACKS });
    }
    let mut album = match album::read_album(&files, jobs, quiet) {
        Ok(album) => album,
        Err(problems) => return Ok(Err(problems)),
    };
    album.catalog = catalog;
    if let Some(ledger) = ledger {
        album::fill_from_ledger(&mut album, ledger)?;
    }
    Ok(Ok(album))
}

/// Reads a gaps file: one `TRACK GAP` per line (`2 0`, `3 1.5`, `4 00:01:00`), `#`
/// comments and blank lines skipped; returns (track number, sectors) pairs.
fn read_gaps(path: &Path, tracks: usize) -> Result<Vec<(usize, u64)>, Vec<AlbumProblem>> {
    let text = crate::base::filekind::read_text(path, 1 << 20).map_err(|e| {
        vec![AlbumProblem { exit: Exit::Errors, message: format!("cannot read the gaps file {}: {e}", path.display()) }]
    })?;
    let (mut gaps, mut problems) = (Vec::new(), Vec::new());
    for (index, line) in text.lines().enumerate() {
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = format!("{}:{}", path.display(), index + 1);
        let parsed = line.split_once(char::is_whitespace).ok_or_else(|| "expected \"TRACK GAP\"".to_owned()).and_then(
            |(track, gap)| {
                let track: usize = track.parse().map_err(|_| format!("{track:?} is not a track number"))?;
                if track == 0 || track > tracks {
                    return Err(format!("there is no track {track} (the disc has {tracks})"));
                }
                Ok((track, parse_gap(gap)?))
            },
        );
        match parsed {
            Ok((track, _)) if gaps.iter().any(|&(t, _)| t == track) => {
                problems.push(format!("{at}: track {track} is given twice"))
            }
            Ok(gap) => gaps.push(gap),
            Err(message) => problems.push(format!("{at}: {message}")),
        }
    }
    if problems.is_empty() {
        Ok(gaps)
    } else {
        Err(problems.into_iter().map(|message| AlbumProblem { exit: Exit::Errors, message }).collect())
    }
}

/// Walks, orders and scans the masters, checks every code against the ledger (when
/// given) and the plan against the Red Book; the disc, or every problem found.
pub(crate) fn plan_disc(
    request: &DiscRequest,
    mut ledger: Option<&mut dyn Lookup>,
) -> Result<Result<Disc, Vec<AlbumProblem>>, CarrierError> {
    let mut warnings = Vec::new();
    let album = match gather_album(
        &request.paths,
        request.order.as_deref(),
        request.catalog,
        request.release,
        ledger.as_mut().map(|l| &mut **l as &mut dyn Lookup),
        (request.jobs, request.quiet),
        &mut warnings,
    )? {
        Ok(album) => album,
        Err(problems) => return Ok(Err(problems)),
    };
    let mut problems = Vec::new();
    // A release's codes are the ledger's by construction: its files were found by them.
    if let Some(ledger) = ledger
        && !album.from_release
    {
        for track in &album.tracks {
            match check_code(ledger, track)? {
                Ok(()) => {}
                Err(message) => problems.push(AlbumProblem { exit: Exit::Findings, message }),
            }
        }
    }
    for (number, track) in album.tracks.iter().enumerate() {
        if track.isrc.is_none() {
            warnings.push(format!(
                "{}: no ISRC in the tags, so track {} has none in the PQ data (`isrc-stamp assign` gives it one)",
                track.file.path.display(),
                number + 1
            ));
        }
    }
    let gaps = match gap_list(&request.gaps, album.tracks.len()) {
        Ok(gaps) => gaps,
        Err(more) => return Ok(Err(problems.into_iter().chain(more).collect())),
    };
    let plan = plan(&album, &gaps);
    for problem in plan.check(&Limits::default()) {
        let file = problem.track.and_then(|n| album.tracks.get(usize::from(n).checked_sub(1)?));
        let message = match file {
            Some(track) => format!("{}: {}", track.file.path.display(), problem.message),
            None => problem.message,
        };
        problems.push(AlbumProblem { exit: Exit::Findings, message: format!("[{}] {message}", problem.id) });
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    warnings.extend(album.text_warnings("the CD-Text (what a CD player shows)", ", so the image gets no CDTEXT.BIN"));
    if plan.cdtext_codes_left_out() {
        warnings.push(
            "the CD-Text has no room for the UPC/EAN and ISRC pack (0x8E) beside the titles and performers; \
             the codes are in the PQ data, as every plant reads them"
                .to_owned(),
        );
    }
    Ok(Ok(Disc { plan, album, warnings }))
}

/// Whether a track's code is the ledger's for its audio; the reason, naming the file,
/// when it is not.
fn check_code(ledger: &mut dyn Lookup, track: &AlbumTrack) -> Result<Result<(), String>, LedgerError> {
    let file = &track.file;
    let facts = ledger::facts_about(ledger, &file.audio.audio_id, track.isrc)?;
    let path = file.path.display();
    Ok(match (track.isrc, facts.code_for_audio) {
        (Some(carried), _) if facts.carried.status == Some(Status::Void) => {
            Err(format!("{path}: {carried} is void in the ledger and must not go on a disc"))
        }
        (Some(carried), Some(known)) if carried == known => Ok(()),
        (Some(carried), Some(known)) => Err(format!(
            "{path}: the ledger has this audio as {known} but the file carries {carried} (a retagged duplicate); \
             run `isrc-stamp assign --fix` on it"
        )),
        (Some(carried), None) => {
            let why = if facts.carried.status.is_some() { "belongs to other audio" } else { "is not in the ledger" };
            Err(format!(
                "{path}: the ledger has no code for this audio, and {carried} {why}; run `isrc-stamp assign` on it first"
            ))
        }
        (None, Some(known)) => Err(format!(
            "{path}: the file carries no ISRC, but the ledger has {known} for this audio; run `isrc-stamp assign` to write it"
        )),
        (None, None) => Ok(()),
    })
}

/// The plan of an album: its tracks with their codes, text and gaps (one per track).
fn plan(album: &Album, gaps: &[u64]) -> DiscPlan {
    let tracks = album
        .tracks
        .iter()
        .enumerate()
        .map(|(i, track)| {
            let stream = &track.file.audio.stream;
            let audio = ddp::TrackStream {
                sample_rate: stream.sample_rate,
                bits_per_sample: stream.layout.bits,
                channels: stream.channels,
                sample_frames: track.file.audio.frames,
            };
            TrackPlan {
                audio,
                isrc: track.isrc,
                title: track.title.clone(),
                performer: track.performer.clone(),
                pregap: gaps.get(i).copied(),
            }
        })
        .collect();
    DiscPlan {
        catalog: album.catalog,
        title: album.title.clone(),
        performer: album.performer.clone(),
        master_id: None,
        tracks,
    }
}

/// A master's PCM that fails at its end unless it is the audio that was scanned.
struct Proven {
    reader: PcmReader,
    expected: AudioId,
    path: PathBuf,
}

impl Read for Proven {
    fn read(&mut self, into: &mut [u8]) -> io::Result<usize> {
        let n = self.reader.read(into)?;
        if n == 0 && !into.is_empty() && self.reader.audio_id() != Some(&self.expected) {
            return Err(io::Error::other(format!(
                "{}: the audio changed since it was read (its audio id is no longer {}); run again",
                self.path.display(),
                self.expected
            )));
        }
        Ok(n)
    }
}

/// Writes the disc's DDP image to the folder `output`, which must not exist (or be
/// empty): into a temporary folder beside it, renamed into place once whole.
pub(crate) fn write_disc(disc: &Disc, output: &Path) -> Result<Written, CarrierError> {
    crate::write::guard::check_folder(output)?;
    let occupied = match fs::read_dir(output) {
        Ok(mut entries) => entries.next().is_some(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(_) => true,
    };
    if occupied {
        return Err(CarrierError::ImageExists(output.to_path_buf()));
    }
    let parent = replace::folder_of(output);
    replace::remove_stale_temp_folders(parent);
    let temp = replace::temp_folder_in(parent)
        .map_err(|e| CarrierError::io(format!("cannot create a temporary folder in {}", parent.display()), e))?;
    let source = |i: usize| -> io::Result<Proven> {
        let track: &AlbumTrack = &disc.album.tracks[i];
        let path = track.file.path.clone();
        let reader = crate::audio::open_pcm(&path).map_err(|e| io::Error::other(format!("{}: {e}", path.display())))?;
        Ok(Proven { reader, expected: track.file.audio.audio_id.clone(), path })
    };
    let written = ddp::write_image(&disc.plan, &Limits::default(), temp.path(), source)?;
    replace::publish_folder(temp, output)
        .map_err(|e| CarrierError::io(format!("cannot put the image in place at {}", output.display()), e))?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_are_seconds_or_cd_times() {
        assert_eq!(parse_gap("2"), Ok(150));
        assert_eq!(parse_gap("0"), Ok(0));
        assert_eq!(parse_gap("1.5"), Ok(113), "112.5 frames round to the nearest");
        assert_eq!(parse_gap("00:02:10"), Ok(160));
        assert_eq!(parse_gap(" 01:00:00 "), Ok(4500));
        for bad in ["-1", "x", "00:60:00", "00:00:75", "1:2", "NaN", "inf", "6000"] {
            assert!(parse_gap(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_gaps_file_names_every_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gaps.txt");
        fs::write(&path, "# gaps\n2 0\n3 00:01:00\n").unwrap();
        assert_eq!(read_gaps(&path, 3).ok(), Some(vec![(2, 0), (3, 75)]));
        fs::write(&path, "2 0\n2 1\n9 1\nx 1\n3\n").unwrap();
        let problems = read_gaps(&path, 3).err().unwrap();
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(messages[0].ends_with("gaps.txt:2: track 2 is given twice"), "{messages:?}");
        assert!(messages[1].contains(":3: there is no track 9"));
        assert!(messages[3].contains(":5: expected \"TRACK GAP\""));
    }
}
