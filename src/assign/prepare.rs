//! Scanning a batch while background threads prepare tagged copies of the files being
//! scanned ([`crate::write::prepare`]), so that the copying and flushing of masters
//! overlaps the decoding of the batch.
//!
//! The decisions still wait for the whole batch and are made in one transaction; only
//! the code-independent part of the writing moves earlier. A prepared copy that is not
//! needed (the decision was not to write) is removed when it is dropped.
//!
//! Prepared copies wait for the end of the scan, each holding disk space and two open
//! files, so they are rationed: at most [`MAX_PREPARED`] copies and [`MAX_PREPARED_BYTES`]
//! bytes at once. The files beyond are written the ordinary way after the decisions,
//! one copy per writing thread at a time, as without preparation.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, mpsc};

use crate::audio::AnalyzeOptions;
use crate::base::stamp::FileStamp;
use crate::container::{self, Format, TagReport};
use crate::scan::{self, Failed, KnownAudio, Scanned};
use crate::stop::Stop;
use crate::write::{self, Prepared, WriteOptions};

/// Threads preparing copies. Preparing mostly waits on the disk (flushing each copy),
/// so two keep one flush in flight while the other copies, at little cost to the
/// decoding.
const PREPARING_THREADS: usize = 2;

/// Most copies prepared at once (each holds two open files).
const MAX_PREPARED: usize = 64;

/// Most bytes of prepared copies at once (each is a second copy of a master on disk).
const MAX_PREPARED_BYTES: u64 = 4 << 30;

/// What a preparing thread needs to know of a file being scanned.
struct Job {
    path: PathBuf,
    /// The stamp the scan took, which the copy and the later rename are checked against.
    stamp: FileStamp,
}

/// Scans `paths` like [`scan::scan_with_options`] and, as each file's scan starts,
/// prepares a tagged copy of it beside the decoding if its tags are what `wanted` asks
/// for. Returns the scan results and the copies prepared, by path.
///
/// The copy starts with the file's scan, not after it, so that the last files of a batch
/// are copied while they decode rather than after. The preparing thread reads the tags
/// itself (a few milliseconds), to leave alone the files that will not be written.
///
/// Once `stop` is asked for, no file is started and no copy prepared.
pub(super) fn scan_preparing(
    paths: &[PathBuf],
    options: &AnalyzeOptions,
    run: &Run<'_>,
    known: &KnownAudio<'_>,
    wanted: impl Fn(&TagReport) -> bool + Sync,
) -> (Vec<Result<Scanned, Failed>>, HashMap<PathBuf, Prepared>) {
    let (sender, receiver) = mpsc::channel::<Job>();
    let receiver = Mutex::new(receiver);
    let budget = Mutex::new(Budget { copies: 0, bytes: 0 });
    std::thread::scope(|scope| {
        let workers: Vec<_> =
            (0..PREPARING_THREADS).map(|_| scope.spawn(|| prepare_all(&receiver, &budget, &wanted, run))).collect();
        let hand_on = |path: &Path, stamp: &FileStamp| {
            // A closed channel (a worker gone) only means fewer copies prepared.
            let _ = sender.send(Job { path: path.to_path_buf(), stamp: *stamp });
        };
        let scanned = scan::scan_handing_on(paths, options, &run.batch(), &hand_on, known);
        drop(sender); // the workers finish the queue, then stop
        let prepared = workers.into_iter().filter_map(|worker| worker.join().ok()).flatten().collect();
        (scanned, prepared)
    })
}

/// How the batch is run: threads, progress, how files are written, when to stop.
pub(super) struct Run<'a> {
    /// Threads decoding.
    pub jobs: usize,
    /// No progress bar.
    pub quiet: bool,
    /// The progress bar's label.
    pub label: &'static str,
    /// What writing may do (hard links).
    pub write: WriteOptions,
    /// Asked for by a signal: start nothing new.
    pub stop: &'a Stop,
}

impl Run<'_> {
    /// How the scan of the batch runs.
    pub(super) fn batch(&self) -> scan::Batch<'_> {
        scan::Batch { jobs: self.jobs, quiet: self.quiet, label: self.label, stop: self.stop }
    }
}

/// The copies prepared so far and their bytes.
struct Budget {
    copies: usize,
    bytes: u64,
}

impl Budget {
    /// Takes room for a copy of `len` bytes, if there is any left.
    fn take(&mut self, len: u64) -> bool {
        let fits = self.copies < MAX_PREPARED && self.bytes.saturating_add(len) <= MAX_PREPARED_BYTES;
        if fits {
            self.copies += 1;
            self.bytes += len;
        }
        fits
    }
}

/// Prepares copies for the wanted jobs on `receiver` until it closes, while `budget` allows.
fn prepare_all(
    receiver: &Mutex<mpsc::Receiver<Job>>,
    budget: &Mutex<Budget>,
    wanted: &(dyn Fn(&TagReport) -> bool + Sync),
    run: &Run<'_>,
) -> Vec<(PathBuf, Prepared)> {
    let mut prepared = Vec::new();
    loop {
        let job = match receiver.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => break,
        };
        let Ok(job) = job else { break };
        if run.stop.requested() {
            continue;
        }
        let Some(format) = wanted_format(&job.path, wanted) else {
            continue;
        };
        // A failed preparation keeps its share: the budget only ever shrinks, simply.
        if !budget.lock().is_ok_and(|mut budget| budget.take(job.stamp.len)) {
            continue;
        }
        if let Some(copy) = write::prepare(&job.path, format, &job.stamp, run.write) {
            prepared.push((job.path, copy));
        }
    }
    prepared
}

/// The format of the file at `path` if a copy of it is wanted: one of the formats that
/// are prepared ([`Format::is_streamed`]), with tags that `wanted` accepts. Any failure
/// means no copy; the scan reports it properly.
fn wanted_format(path: &Path, wanted: &(dyn Fn(&TagReport) -> bool + Sync)) -> Option<Format> {
    let format = container::sniff(path).ok()?;
    let tags = format.is_streamed().then(|| container::read(path, format).ok()).flatten()?;
    wanted(&tags).then_some(format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_are_prepared_for_the_untagged_wav_and_flac_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        // Untagged WAV and FLAC; a WAV carrying a code; an untagged AIFF (not prepared).
        for rel in ["same/plain.wav", "formats/plain.flac", "same/info.wav", "formats/aiff16.aiff"] {
            std::fs::copy(fixtures.join(rel), dir.path().join(Path::new(rel).file_name().unwrap())).unwrap();
        }
        let paths = [dir.path().to_path_buf()];
        let carries_nothing = |tags: &TagReport| tags.isrcs.is_empty();
        let stop = Stop::never();
        let run = Run { jobs: 2, quiet: true, label: "decoding", write: WriteOptions::default(), stop: &stop };
        let (scanned, prepared) =
            scan_preparing(&paths, &AnalyzeOptions::default(), &run, &scan::nothing_known, carries_nothing);
        assert!(scanned.iter().all(Result::is_ok));
        let mut names: Vec<_> = prepared.keys().map(|p| p.file_name().unwrap().to_str().unwrap().to_owned()).collect();
        names.sort();
        assert_eq!(names, ["plain.flac", "plain.wav"]);
        let temporary = || {
            std::fs::read_dir(dir.path()).unwrap().filter(|e| {
                e.as_ref().unwrap().file_name().to_str().unwrap().starts_with(crate::base::replace::TEMP_PREFIX)
            })
        };
        assert_eq!(temporary().count(), 2, "one copy beside each");
        drop(prepared);
        assert_eq!(temporary().count(), 0, "unused copies are removed");
    }

    #[test]
    fn the_budget_caps_copies_and_bytes() {
        let mut budget = Budget { copies: 0, bytes: 0 };
        assert!(budget.take(MAX_PREPARED_BYTES - 10));
        assert!(!budget.take(11), "over the bytes");
        assert!(budget.take(10));
        let mut budget = Budget { copies: 0, bytes: 0 };
        assert!((0..MAX_PREPARED).all(|_| budget.take(1)));
        assert!(!budget.take(1), "over the count");
    }
}
