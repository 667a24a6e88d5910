//! Why a carrier could not be planned, read or written ([`CarrierError`]) and why a file a
//! CUE sheet names could not be cut into tracks ([`CutError`]). What is wrong with a plan
//! or an image as data (every problem at once) is an [`AlbumProblem`](super::album::AlbumProblem)
//! or a [`Problem`](super::Problem) list; these errors are what stops the command.
//!
//! The messages name what failed and where; none names a flag. Where a flag helps (a
//! release without a ledger, a release of several discs), the command line adds it
//! (`commands/advice.rs`).

use std::io;
use std::path::PathBuf;

use super::cue::CueParseError;
use super::ddp::{ImageWriteError, ReadError};
use crate::audio::AudioError;
use crate::isrc::{Catalog, Isrc};
use crate::ledger::{CreateError, LedgerError};
use crate::write::guard::OutputRefused;

/// Why a carrier (an album's plan, a DDP image, a CUE sheet, an adoption) stopped.
#[derive(Debug, thiserror::Error)]
pub enum CarrierError {
    /// A file or folder could not be read, made or put in place: `what` says which and
    /// where (`cannot read the order file ...`), `source` why.
    #[error("{what}")]
    Io {
        /// What was being done, naming the file or folder.
        what: String,
        /// Why it failed.
        source: io::Error,
    },
    /// The order file does not list exactly the files given.
    #[error("the order file {} does not match the files:\n  {}", .file.display(), .problems.join("\n  "))]
    OrderMismatch {
        /// The order file.
        file: PathBuf,
        /// Every mismatch, each naming its line or file.
        problems: Vec<String>,
    },
    /// A release is to be made from the ledger, and there is no ledger.
    #[error("a carrier of a release takes the release from the ledger, and there is none")]
    ReleaseWithoutLedger,
    /// The release is not in the ledger.
    #[error(
        "release {} is not in the ledger: enter it first (`isrc-stamp ledger import` of a list with its UPC, \
         or of the DDP image it was pressed from)",
        .0.as_typed()
    )]
    UnknownRelease(Catalog),
    /// The release has no such disc.
    #[error("release {} has no disc {disc} (its discs: {})", .upc.as_typed(), list(.discs))]
    NoSuchDisc {
        /// The release.
        upc: Catalog,
        /// The disc asked for.
        disc: u32,
        /// The discs it has.
        discs: Vec<u32>,
    },
    /// The release has no tracks.
    #[error("release {} has no tracks in the ledger", .0.as_typed())]
    NoTracks(Catalog),
    /// The release has several discs and none was chosen.
    #[error("release {} has {} discs ({})", .upc.as_typed(), .discs.len(), list(.discs))]
    WhichDisc {
        /// The release.
        upc: Catalog,
        /// Its discs.
        discs: Vec<u32>,
    },
    /// The release's disc has more tracks than a CD holds.
    #[error("release {} disc {disc} has {tracks} tracks; a CD holds at most 99", .upc.as_typed())]
    TooManyReleaseTracks {
        /// The release.
        upc: Catalog,
        /// Its disc.
        disc: u32,
        /// How many tracks the disc has.
        tracks: usize,
    },
    /// The ledger binds one file's audio to two tracks' codes.
    #[error("{0}: the same file for two tracks")]
    SameFileTwice(Isrc),
    /// The paths hold no audio file.
    #[error("no audio files under the paths given")]
    NoAudio,
    /// More files than a CD has tracks.
    #[error("{files} audio files: a CD holds at most {most} tracks")]
    TooManyFiles {
        /// How many files were given.
        files: usize,
        /// How many tracks a CD holds.
        most: usize,
    },
    /// The image's folder is there already.
    #[error("{} already exists; an image is never written over: give a new folder, or remove it", .0.display())]
    ImageExists(PathBuf),
    /// A CUE sheet that cannot be parsed.
    #[error("{}: {reason}", .sheet.display())]
    CueSheet {
        /// The sheet.
        sheet: PathBuf,
        /// The line and what is wrong with it.
        reason: CueParseError,
    },
    /// A file a CUE sheet names cannot be cut into its tracks.
    #[error("{}: {reason} (named by {})", .file.display(), .sheet.display())]
    Cut {
        /// The audio file.
        file: PathBuf,
        /// The sheet naming it.
        sheet: PathBuf,
        /// Why (boxed: a decoder's error is large, and this error is returned often).
        reason: Box<CutError>,
    },
    /// The output is one that is never written (the ledger, an audio file).
    #[error(transparent)]
    Refused(#[from] OutputRefused),
    /// The DDP image cannot be read.
    #[error(transparent)]
    ImageRead(#[from] ReadError),
    /// The DDP image cannot be written.
    #[error(transparent)]
    ImageWrite(#[from] ImageWriteError),
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// A new ledger could not be made in its place.
    #[error(transparent)]
    CreateLedger(CreateError),
}

impl CarrierError {
    /// The error of `doing` (which names the file or folder), caused by `source`.
    pub(crate) fn io(doing: impl Into<String>, source: io::Error) -> CarrierError {
        CarrierError::Io { what: doing.into(), source }
    }
}

impl From<CreateError> for CarrierError {
    /// A ledger's own failure stays a [`CarrierError::Ledger`] (so its advice is found).
    fn from(error: CreateError) -> CarrierError {
        match error {
            CreateError::Ledger(error) => CarrierError::Ledger(error),
            error => CarrierError::CreateLedger(error),
        }
    }
}

/// Why a file a CUE sheet names cannot be cut into its tracks.
#[derive(Debug, thiserror::Error)]
pub enum CutError {
    /// It cannot be opened (or is no regular file).
    #[error("{0}")]
    Open(io::Error),
    /// It cannot be decoded.
    #[error("{0}")]
    Decode(#[from] AudioError),
    /// Reading its audio failed.
    #[error("{0}")]
    Read(io::Error),
    /// Its rate does not divide into CD frames.
    #[error("its rate of {0} Hz is not a whole number of samples per CD frame (1/75 s)")]
    Rate(u32),
    /// Its stream has no samples.
    #[error("its stream has no samples")]
    NoSamples,
    /// It ends before a track the sheet cuts from it.
    #[error("it ends before the track's audio does (the sheet's times are past its end)")]
    EndsEarly,
}

/// `1, 2, 3`.
fn list(discs: &[u32]) -> String {
    discs.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message reads word for word as it did when these were anyhow's `bail!`s and
    /// `context`s (scripts and tests match on them).
    #[test]
    fn the_messages_are_the_ones_users_know() {
        let upc = Catalog::parse("4050538793819").unwrap();
        let missing = || io::Error::from(io::ErrorKind::NotFound);
        let cases: Vec<(CarrierError, &str)> = vec![
            (
                CarrierError::io("cannot read the order file o.txt", missing()),
                "cannot read the order file o.txt: entity not found",
            ),
            (
                CarrierError::OrderMismatch { file: "o.txt".into(), problems: vec!["a".into(), "b".into()] },
                "the order file o.txt does not match the files:\n  a\n  b",
            ),
            (
                CarrierError::UnknownRelease(upc),
                "release 4050538793819 is not in the ledger: enter it first (`isrc-stamp ledger import` of a list \
                 with its UPC, or of the DDP image it was pressed from)",
            ),
            (
                CarrierError::NoSuchDisc { upc, disc: 3, discs: vec![1, 2] },
                "release 4050538793819 has no disc 3 (its discs: 1, 2)",
            ),
            (CarrierError::NoTracks(upc), "release 4050538793819 has no tracks in the ledger"),
            (
                CarrierError::TooManyReleaseTracks { upc, disc: 1, tracks: 100 },
                "release 4050538793819 disc 1 has 100 tracks; a CD holds at most 99",
            ),
            (
                CarrierError::SameFileTwice(Isrc::parse("DEXYZ2400001").unwrap()),
                "DEXYZ2400001: the same file for two tracks",
            ),
            (CarrierError::NoAudio, "no audio files under the paths given"),
            (CarrierError::TooManyFiles { files: 100, most: 99 }, "100 audio files: a CD holds at most 99 tracks"),
            (
                CarrierError::ImageExists("out".into()),
                "out already exists; an image is never written over: give a new folder, or remove it",
            ),
            (
                CarrierError::Cut {
                    file: "a.wav".into(),
                    sheet: "s.cue".into(),
                    reason: Box::new(CutError::Rate(44_000)),
                },
                "a.wav: its rate of 44000 Hz is not a whole number of samples per CD frame (1/75 s) (named by s.cue)",
            ),
            (
                CarrierError::Cut {
                    file: "a.wav".into(),
                    sheet: "s.cue".into(),
                    reason: Box::new(CutError::EndsEarly),
                },
                "a.wav: it ends before the track's audio does (the sheet's times are past its end) (named by s.cue)",
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(crate::output::with_causes(&error), expected);
        }
    }

    /// A ledger's failure inside making a new ledger stays the ledger's error, so the
    /// command line finds it and adds its advice.
    #[test]
    fn a_ledgers_error_in_a_new_ledger_stays_the_ledgers() {
        let error = CarrierError::from(CreateError::Ledger(LedgerError::NotEmpty));
        assert!(matches!(error, CarrierError::Ledger(LedgerError::NotEmpty)), "{error:?}");
        let placed = CarrierError::from(CreateError::Place { path: "l.db".into(), source: io::Error::other("x") });
        assert!(matches!(placed, CarrierError::CreateLedger(_)), "{placed:?}");
    }
}
