//! `isrc-stamp inspect FILE...`: what a file is, without changing it.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use crate::base::ids::hex;
use crate::isrc::Isrc;
use crate::output::{self, Exit};
use crate::scan::{Failed, Scanned};

/// One file as `inspect --json` prints it; every field but `path` and `error` is null
/// when the file could not be read.
#[derive(Debug, Serialize, Default)]
pub(crate) struct InspectLine {
    path: String,
    format: Option<&'static str>,
    codec: Option<String>,
    sample_rate: Option<u32>,
    channels: Option<u16>,
    bits_per_sample: Option<u16>,
    sample_kind: Option<&'static str>,
    frames: Option<u64>,
    duration_seconds: Option<f64>,
    audio_id: Option<String>,
    pcm_md5: Option<String>,
    stored_md5: Option<String>,
    md5_ok: Option<bool>,
    isrcs: Option<Vec<IsrcLine>>,
    title: Option<String>,
    artist: Option<String>,
    error: Option<String>,
}

/// One ISRC location of a file.
#[derive(Debug, Serialize)]
pub(crate) struct IsrcLine {
    location: String,
    value: String,
    valid: bool,
}

impl InspectLine {
    /// The line for a file that was read.
    pub(crate) fn from_scanned(file: &Scanned) -> Self {
        let audio = &file.audio;
        InspectLine {
            path: crate::output::path(&file.path),
            format: Some(audio.format.as_str()),
            codec: Some(audio.codec.clone()),
            sample_rate: Some(audio.stream.sample_rate),
            channels: Some(audio.stream.channels),
            bits_per_sample: Some(audio.stream.layout.bits),
            sample_kind: Some(audio.stream.layout.kind.as_str()),
            frames: Some(audio.frames),
            duration_seconds: Some(audio.duration_seconds()),
            audio_id: Some(audio.audio_id.to_string()),
            pcm_md5: audio.pcm_md5.map(|md5| hex(&md5)),
            stored_md5: audio.stored_md5.map(|m| hex(&m)),
            md5_ok: audio.md5_ok(),
            isrcs: Some(
                file.tags
                    .isrcs
                    .iter()
                    .map(|found| IsrcLine {
                        location: found.location.to_string(),
                        value: found.value.clone(),
                        valid: Isrc::parse(&found.value).is_ok(),
                    })
                    .collect(),
            ),
            title: file.tags.title.clone(),
            artist: file.tags.artist.clone(),
            error: None,
        }
    }

    /// The line for a file that failed.
    pub(crate) fn from_failed(failed: &Failed) -> Self {
        InspectLine {
            path: crate::output::path(&failed.path),
            error: Some(failed.error.to_string()),
            ..InspectLine::default()
        }
    }
}

/// What `inspect` was asked, built once from the command line.
#[derive(Debug, Clone)]
pub(crate) struct InspectOptions {
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    /// JSON Lines instead of the text.
    pub json: bool,
    /// Files decoded at once.
    pub jobs: usize,
    /// No progress.
    pub quiet: bool,
}

/// Runs `inspect` over `paths`; exit 2 if any file failed, else 0.
pub(crate) fn run(options: &InspectOptions, out: &mut dyn Write) -> std::io::Result<Exit> {
    let InspectOptions { paths, json, jobs, quiet } = options;
    let (json, jobs, quiet) = (*json, *jobs, *quiet);
    let mut exit = Exit::Clean;
    for result in crate::scan::scan_with_progress(paths, jobs, quiet, "decoding") {
        let line = match &result {
            Ok(file) => InspectLine::from_scanned(file),
            Err(failed) => {
                exit = Exit::Errors;
                InspectLine::from_failed(failed)
            }
        };
        if json {
            output::json_line(out, &line)?;
        } else {
            write_block(out, &line)?;
        }
    }
    Ok(exit)
}

/// The human-readable block for one file.
fn write_block(out: &mut dyn Write, line: &InspectLine) -> std::io::Result<()> {
    writeln!(out, "{}", output::escape_controls(&line.path))?;
    if let Some(error) = &line.error {
        writeln!(out, "  error       {}", output::escape_controls(error))?;
        return writeln!(out);
    }
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    writeln!(
        out,
        "  format      {} ({}), {} Hz, {} ch, {}-bit {}",
        line.format.unwrap_or("-"),
        or_dash(&line.codec),
        line.sample_rate.unwrap_or(0),
        line.channels.unwrap_or(0),
        line.bits_per_sample.unwrap_or(0),
        line.sample_kind.unwrap_or("-"),
    )?;
    writeln!(out, "  duration    {:.3} s ({} frames)", line.duration_seconds.unwrap_or(0.0), line.frames.unwrap_or(0))?;
    writeln!(out, "  audio id    {}", or_dash(&line.audio_id))?;
    writeln!(out, "  pcm md5     {}", or_dash(&line.pcm_md5))?;
    if let Some(stored) = &line.stored_md5 {
        let verdict = if line.md5_ok == Some(true) { "matches" } else { "MISMATCH: the audio is corrupt" };
        writeln!(out, "  stored md5  {stored} ({verdict})")?;
    }
    match line.isrcs.as_deref() {
        Some([]) | None => writeln!(out, "  isrc        none")?,
        Some(isrcs) => {
            for isrc in isrcs {
                let verdict = if isrc.valid { "valid" } else { "INVALID" };
                writeln!(out, "  isrc        {:<32} {:<14} {verdict}", isrc.location, isrc.value)?;
            }
        }
    }
    writeln!(out, "  title       {}", output::escape_controls(&or_dash(&line.title)))?;
    writeln!(out, "  artist      {}", output::escape_controls(&or_dash(&line.artist)))?;
    writeln!(out)
}
