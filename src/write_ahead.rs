//! Scanning a batch while background threads prepare tagged copies of the files already
//! scanned ([`crate::safe_write::prepare`]), so that the copying and flushing of masters
//! overlaps the decoding of the rest of the batch.
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
use std::path::PathBuf;
use std::sync::{Mutex, mpsc};

use crate::audio::AnalyzeOptions;
use crate::format::Format;
use crate::progress;
use crate::safe_write::{self, Prepared};
use crate::scan::{Failed, FileStamp, Scanned};

/// Threads preparing copies. Preparing mostly waits on the disk (flushing each copy),
/// so two keep one flush in flight while the other copies, at little cost to the
/// decoding.
const PREPARING_THREADS: usize = 2;

/// Most copies prepared at once (each holds two open files).
const MAX_PREPARED: usize = 64;

/// Most bytes of prepared copies at once (each is a second copy of a master on disk).
const MAX_PREPARED_BYTES: u64 = 4 << 30;

/// What a preparing thread needs to know of a scanned file.
struct Job {
    path: PathBuf,
    format: Format,
    stamp: FileStamp,
}

/// Scans `paths` like [`progress::scan_with_options`] and, as each file is read,
/// prepares a tagged copy of it if `wanted` says so. Returns the scan results and the
/// copies prepared, by path.
pub fn scan_preparing(
    paths: &[PathBuf],
    options: &AnalyzeOptions,
    jobs: usize,
    quiet: bool,
    label: &'static str,
    wanted: impl Fn(&Scanned) -> bool + Sync,
) -> (Vec<Result<Scanned, Failed>>, HashMap<PathBuf, Prepared>) {
    let (sender, receiver) = mpsc::channel::<Job>();
    let receiver = Mutex::new(receiver);
    let budget = Mutex::new(Budget { copies: 0, bytes: 0 });
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..PREPARING_THREADS).map(|_| scope.spawn(|| prepare_all(&receiver, &budget))).collect();
        let hand_on = |file: &Scanned| {
            if wanted(file) {
                let job = Job { path: file.path.clone(), format: file.audio.format, stamp: file.stamp };
                // A closed channel (a worker gone) only means fewer copies prepared.
                let _ = sender.send(job);
            }
        };
        let scanned = progress::scan_handing_on(paths, options, jobs, quiet, label, &hand_on);
        drop(sender); // the workers finish the queue, then stop
        let prepared = workers.into_iter().filter_map(|worker| worker.join().ok()).flatten().collect();
        (scanned, prepared)
    })
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

/// Prepares copies for the jobs on `receiver` until it closes, while `budget` allows.
fn prepare_all(receiver: &Mutex<mpsc::Receiver<Job>>, budget: &Mutex<Budget>) -> Vec<(PathBuf, Prepared)> {
    let mut prepared = Vec::new();
    loop {
        let job = match receiver.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => break,
        };
        let Ok(job) = job else { break };
        // A failed preparation keeps its share: the budget only ever shrinks, simply.
        if !budget.lock().is_ok_and(|mut budget| budget.take(job.stamp.len)) {
            continue;
        }
        if let Some(copy) = safe_write::prepare(&job.path, job.format, &job.stamp) {
            prepared.push((job.path, copy));
        }
    }
    prepared
}

#[cfg(test)]
mod tests {
    use super::*;

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
