//! A batch: every audio file under the paths, scanned in parallel on a pool of `jobs`
//! threads, results in walk order, with a progress bar.

use std::path::PathBuf;

use crate::audio::AnalyzeOptions;
use crate::output::progress;
use crate::scan::{Failed, KnownAudio, OnStamped, Scanned, nothing_known, scan_each_with};
use crate::stop::Stop;

/// Scans every audio file under `paths` on `jobs` threads, with a progress bar.
pub(crate) fn scan_with_progress(
    paths: &[PathBuf],
    jobs: usize,
    quiet: bool,
    label: &'static str,
) -> Vec<Result<Scanned, Failed>> {
    scan_with_options(paths, &AnalyzeOptions::default(), jobs, quiet, label)
}

/// [`scan_with_progress`], also computing what `options` ask for (the fingerprint).
pub(crate) fn scan_with_options(
    paths: &[PathBuf],
    options: &AnalyzeOptions,
    jobs: usize,
    quiet: bool,
    label: &'static str,
) -> Vec<Result<Scanned, Failed>> {
    let batch = Batch { jobs, quiet, label, stop: &Stop::never() };
    scan_handing_on(paths, options, &batch, &|_, _| {}, &nothing_known)
}

/// How a batch runs: threads, progress, when to stop.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Batch<'a> {
    /// Threads decoding.
    pub jobs: usize,
    /// No progress bar.
    pub quiet: bool,
    /// The progress bar's label.
    pub label: &'static str,
    /// Asked for by a signal: start no file more.
    pub stop: &'a Stop,
}

/// [`scan_with_options`], handing every file to `on_stamped` as its scan starts (on the
/// scanning thread, before its decoding), while the others are still being read, and
/// taking the audio facts `known` remembers for a file's identity instead of decoding it,
/// and starting no file once `stop` is asked for.
pub(crate) fn scan_handing_on(
    paths: &[PathBuf],
    options: &AnalyzeOptions,
    batch: &Batch<'_>,
    on_stamped: &OnStamped<'_>,
    known: &KnownAudio<'_>,
) -> Vec<Result<Scanned, Failed>> {
    let Batch { jobs, quiet, label, stop } = *batch;
    let files = super::walk::audio_files(paths);
    let total = files.iter().flatten().map(|path| std::fs::metadata(path).map_or(0, |m| m.len())).sum();
    let bar = progress::bytes(total, quiet, label);
    // Fewer files than jobs: the spare threads hash beside each file's decoding.
    let options = AnalyzeOptions { threads: (jobs / files.len().max(1)).max(1), ..*options };
    let scanned = in_pool(jobs, || scan_each_with(files, &options, on_stamped, known, &bar, stop));
    bar.finish_and_clear();
    scanned
}

/// Runs `work` on a pool of `jobs` threads (on the current thread if none can start).
pub(crate) fn in_pool<T: Send>(jobs: usize, work: impl FnOnce() -> T + Send) -> T {
    match rayon::ThreadPoolBuilder::new().num_threads(jobs.max(1)).build() {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}
