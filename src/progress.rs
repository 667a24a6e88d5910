//! Progress on stderr (only on a terminal, never with `--quiet`) and the worker pool.

use std::io::IsTerminal;
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::audio::AnalyzeOptions;
use crate::scan::{self, Failed, OnStamped, Scanned};

/// A progress bar of `len` steps on stderr, hidden unless stderr is a terminal.
pub fn bar(len: usize, quiet: bool, label: &'static str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{msg:>9} [{bar:40}] {pos}/{len} files, {eta} left")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(label);
    bar
}

/// Scans every audio file under `paths` on `jobs` threads, with a progress bar.
pub fn scan_with_progress(
    paths: &[PathBuf],
    jobs: usize,
    quiet: bool,
    label: &'static str,
) -> Vec<Result<Scanned, Failed>> {
    scan_with_options(paths, &AnalyzeOptions::default(), jobs, quiet, label)
}

/// [`scan_with_progress`], also computing what `options` ask for (the fingerprint).
pub fn scan_with_options(
    paths: &[PathBuf],
    options: &AnalyzeOptions,
    jobs: usize,
    quiet: bool,
    label: &'static str,
) -> Vec<Result<Scanned, Failed>> {
    scan_handing_on(paths, options, jobs, quiet, label, &|_, _| {})
}

/// [`scan_with_options`], handing every file to `on_stamped` as its scan starts (on the
/// scanning thread, before its decoding), while the others are still being read.
pub fn scan_handing_on(
    paths: &[PathBuf],
    options: &AnalyzeOptions,
    jobs: usize,
    quiet: bool,
    label: &'static str,
    on_stamped: &OnStamped<'_>,
) -> Vec<Result<Scanned, Failed>> {
    let files = crate::walk::audio_files(paths);
    let bar = bar(files.len(), quiet, label);
    // Fewer files than jobs: the spare threads hash beside each file's decoding.
    let options = AnalyzeOptions { threads: (jobs / files.len().max(1)).max(1), ..*options };
    let scanned = in_pool(jobs, || scan::scan_each_with(files, &options, on_stamped, |_| bar.inc(1)));
    bar.finish_and_clear();
    scanned
}

/// Runs `work` on a pool of `jobs` threads (on the current thread if none can start).
pub fn in_pool<T: Send>(jobs: usize, work: impl FnOnce() -> T + Send) -> T {
    match rayon::ThreadPoolBuilder::new().num_threads(jobs.max(1)).build() {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}
