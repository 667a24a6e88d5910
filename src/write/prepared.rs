//! Tagged copies made ahead of the decision, while the batch is still being decoded, so
//! that copying and flushing a master overlaps the decoding instead of following it.
//!
//! Every ISRC is twelve ASCII characters, so a copy tagged with a placeholder code has
//! exactly the layout of the copy tagged with the real one: [`prepare`] builds the
//! tagged copy with [`PLACEHOLDER`], flushes it and proves its audio bytes are the
//! original's (all before the code is known), and notes where the placeholder landed.
//! The copy is written and read back past the page cache ([`super::direct_io`]), so
//! that preparing costs the decoding little CPU and the proof reads what the disk holds.
//! Once the ledger has committed the code, [`Prepared::finish`] writes the twelve bytes
//! at those offsets, flushes them, reads every location back, and renames the copy
//! over the original exactly as [`super::write_isrc`] does.
//!
//! What keeps this as safe as writing in one go:
//! - the placeholder must be found exactly once per location the format has, and only
//!   outside the bytes the audio is decoded from ([`crate::container::audio_regions`]), so
//!   replacing it cannot touch the audio the copy was proven to carry;
//! - the read-back check runs on the finished copy, with the real code;
//! - the original must still be as scanned, checked before the copy and before the
//!   rename; the copy is named like every temporary file of the run, so a killed run's
//!   copies are removed by the next one.
//!
//! Only WAV and FLAC are prepared (their audio bytes are compared, not decoded).
//! [`prepare`] answers `None` whenever it cannot prepare a copy; the caller then writes
//! the file the ordinary way, which reports any error properly.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::Path;

use tempfile::NamedTempFile;

use super::direct_io::DirectWriter;
use super::{Original, Wanted, WriteError, WriteOptions, carries_as_wanted, io, proof};
use crate::base::stamp::FileStamp;
use crate::container::{self, Format};
use crate::isrc::Isrc;

/// The code a prepared copy carries until the real one is known: well-formed, so every
/// writer takes it. It never leaves the temporary copy; should an original's tags
/// already hold it anywhere, the count of its places is off and the file is not prepared.
pub(crate) const PLACEHOLDER: &str = "ZZZZZ9999999";

/// A tagged copy of a master, proven to carry its audio, waiting for its code.
/// Dropping it removes the copy.
#[derive(Debug)]
pub(crate) struct Prepared {
    original: Original,
    temp: NamedTempFile,
    format: Format,
    /// Where the placeholder's twelve bytes are, one offset per location.
    code_at: Vec<u64>,
}

/// Makes a tagged copy of the file at `path` ahead of the decision, or `None` if it
/// cannot (any failure, or a format that is not WAV or FLAC).
pub(crate) fn prepare(path: &Path, format: Format, stamp: &FileStamp, options: WriteOptions) -> Option<Prepared> {
    if !format.is_streamed() {
        return None;
    }
    let placeholder = Isrc::parse(PLACEHOLDER).ok()?;
    let original = Original::check(path, stamp, options).ok()?;
    let mut temp = original.temp_file().ok()?;
    match DirectWriter::open(temp.path()) {
        Some(mut direct) => {
            container::write_streamed(&original.target, &mut direct, format, placeholder).ok()?;
            direct.finish().ok()?;
        }
        None => container::write(&original.target, temp.as_file_mut(), format, placeholder).ok()?,
    }
    crate::base::replace::sync_data(temp.as_file()).ok()?;
    let proven = proof::same_audio_bytes_on_disk(&original.target, temp.path(), format).ok()?;
    if proven != Some(true) {
        return None;
    }
    let code_at = placeholder_offsets(temp.path(), format).ok()?;
    let locations = container::read(temp.path(), format).ok()?.written.len();
    (code_at.len() == locations).then_some(Prepared { original, temp, format, code_at })
}

impl Prepared {
    /// Writes `isrc` in place of the placeholder, flushes it, checks every location
    /// reads back `isrc`, and renames the copy over the original if it is still as
    /// scanned (`stamp`).
    pub fn finish(self, isrc: Isrc, stamp: &FileStamp) -> Result<(), WriteError> {
        let target = self.original.target.clone();
        self.finish_here(isrc, stamp).map_err(|error| error.located(&target))
    }

    fn finish_here(self, isrc: Isrc, stamp: &FileStamp) -> Result<(), WriteError> {
        let mut file = self.temp.as_file();
        for &at in &self.code_at {
            file.seek(SeekFrom::Start(at)).map_err(io("cannot write the code into the tagged copy"))?;
            file.write_all(isrc.as_str().as_bytes()).map_err(io("cannot write the code into the tagged copy"))?;
        }
        crate::base::replace::sync_data(file).map_err(io("cannot flush the tagged copy"))?;
        carries_as_wanted(&container::read(self.temp.path(), self.format)?, Some(isrc))?;
        let wanted = Wanted { format: self.format, isrc: Some(isrc), expected: None };
        self.original.replace_with(self.temp, stamp, &wanted)
    }
}

/// Every offset of [`PLACEHOLDER`] in `copy` outside the bytes its audio is decoded from.
fn placeholder_offsets(copy: &Path, format: Format) -> io::Result<Vec<u64>> {
    let mut file = File::open(copy)?;
    let len = file.metadata()?.len();
    let Some(audio) = container::audio_regions(copy, format)? else {
        return Err(io::Error::other("the format's audio bytes are not known"));
    };
    let mut found = Vec::new();
    for gap in gaps(audio, len) {
        found.extend(find_all(&mut file, gap, PLACEHOLDER.as_bytes())?);
    }
    Ok(found)
}

/// The parts of `0..len` outside `taken`.
fn gaps(mut taken: Vec<Range<u64>>, len: u64) -> Vec<Range<u64>> {
    taken.sort_by_key(|range| range.start);
    let mut gaps = Vec::new();
    let mut at = 0;
    for range in taken {
        if range.start > at {
            gaps.push(at..range.start.min(len));
        }
        at = at.max(range.end);
    }
    if at < len {
        gaps.push(at..len);
    }
    gaps
}

/// Every offset within `range` of `file` where `needle` starts and ends inside `range`.
fn find_all(file: &mut File, range: Range<u64>, needle: &[u8]) -> io::Result<Vec<u64>> {
    const BLOCK: usize = 64 * 1024;
    let mut found = Vec::new();
    let mut block = vec![0u8; BLOCK];
    let mut at = range.start;
    file.seek(SeekFrom::Start(at))?;
    while range.end.saturating_sub(at) >= needle.len() as u64 {
        let n = usize::try_from(range.end - at).map_or(BLOCK, |left| left.min(BLOCK));
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(&mut block[..n])?;
        let hits = block[..n].windows(needle.len()).enumerate().filter(|(_, window)| *window == needle);
        found.extend(hits.map(|(i, _)| at + i as u64));
        if at + n as u64 == range.end {
            break;
        }
        // The next block starts where a needle cut by this one's end would begin.
        at += (n - (needle.len() - 1)) as u64;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio;
    use crate::base::ids::AudioId;

    /// A copy of a fixture in a fresh folder, with its audio id and stamp.
    fn master(fixture: &str) -> (tempfile::TempDir, std::path::PathBuf, AudioId, FileStamp) {
        let dir = tempfile::tempdir().unwrap();
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(fixture);
        let path = dir.path().join(source.file_name().unwrap());
        std::fs::copy(&source, &path).unwrap();
        let id = audio::analyze(&path).unwrap().audio_id;
        let stamp = FileStamp::of(&path).unwrap();
        (dir, path, id, stamp)
    }

    fn files_in(dir: &Path) -> usize {
        std::fs::read_dir(dir).unwrap().count()
    }

    #[test]
    fn a_prepared_copy_finished_carries_the_code_everywhere_and_the_same_audio() {
        let isrc = Isrc::parse("QZDEM2600042").unwrap();
        let fixtures = [
            ("same/bext.wav", Format::Wav, 3), // ID3, INFO and the aXML identifier of a broadcast WAV
            ("same/rf64.wav", Format::Rf64, 2),
            ("same/bw64.wav", Format::Bw64, 2), // an ADM master: its axml is not written
            ("same/same.flac", Format::Flac, 1),
        ];
        for (fixture, format, places) in fixtures {
            let (dir, path, id, stamp) = master(fixture);
            let copy = prepare(&path, format, &stamp, super::WriteOptions::default()).expect("prepared");
            assert_eq!(copy.code_at.len(), places, "{fixture}");
            assert_eq!(files_in(dir.path()), 2, "{fixture}: the copy sits beside the original until finished");
            copy.finish(isrc, &stamp).unwrap();
            assert_eq!(files_in(dir.path()), 1, "{fixture}");
            assert_eq!(audio::analyze(&path).unwrap().audio_id, id, "{fixture}");
            let report = container::read(&path, format).unwrap();
            carries_as_wanted(&report, Some(isrc)).unwrap();
            let bytes = std::fs::read(&path).unwrap();
            assert!(!bytes.windows(12).any(|w| w == PLACEHOLDER.as_bytes()), "{fixture}: no placeholder left");
        }
    }

    #[test]
    fn a_prepared_copy_dropped_leaves_the_original_alone() {
        let (dir, path, _, stamp) = master("same/same.flac");
        let before = std::fs::read(&path).unwrap();
        drop(prepare(&path, Format::Flac, &stamp, super::WriteOptions::default()).expect("prepared"));
        assert_eq!(files_in(dir.path()), 1);
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_file_already_holding_the_placeholder_is_not_prepared() {
        let (dir, path, _, _) = master("same/same.flac");
        container::set_title_for_tests(&path, PLACEHOLDER);
        assert_eq!(container::read(&path, Format::Flac).unwrap().title.as_deref(), Some(PLACEHOLDER));
        let stamp = FileStamp::of(&path).unwrap();
        assert!(prepare(&path, Format::Flac, &stamp, super::WriteOptions::default()).is_none());
        assert_eq!(files_in(dir.path()), 1, "no copy left behind");
    }

    #[test]
    fn a_file_changed_after_the_scan_is_not_prepared_and_a_copy_is_not_finished() {
        let (_dir, path, _, stamp) = master("same/plain.wav");
        let copy = prepare(&path, Format::Wav, &stamp, super::WriteOptions::default()).expect("prepared");
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.push(0);
        std::fs::write(&path, &bytes).unwrap();
        let error = copy.finish(Isrc::parse("QZDEM2600042").unwrap(), &stamp).unwrap_err();
        assert!(matches!(error, WriteError::Changed), "{error}");
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "the changed file is left as it is");
        assert!(prepare(&path, Format::Wav, &stamp, super::WriteOptions::default()).is_none());
    }

    #[test]
    fn gaps_are_what_the_ranges_leave() {
        assert_eq!(gaps(vec![40..100, 10..20], 120), vec![0..10, 20..40, 100..120]);
        assert_eq!(gaps(vec![0..50, 40..120], 120), Vec::<Range<u64>>::new());
        assert_eq!(gaps(vec![], 7), vec![0..7]);
    }

    #[test]
    fn the_needle_is_found_across_block_edges_once_and_only_inside_the_range() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bytes");
        let mut bytes = vec![b'.'; 200_000];
        for at in [5, 65_530, 65_536 - 12, 131_060, 199_988] {
            bytes[at..at + 12].copy_from_slice(PLACEHOLDER.as_bytes());
        }
        std::fs::write(&path, &bytes).unwrap();
        let mut file = File::open(&path).unwrap();
        // The copy at 65_524 (across the first block's edge) cut off the end of the one at
        // 65_530, which is no longer whole.
        let all = find_all(&mut file, 0..200_000, PLACEHOLDER.as_bytes()).unwrap();
        assert_eq!(all, vec![5, 65_536 - 12, 131_060, 199_988]);
        assert_eq!(find_all(&mut file, 6..199_999, PLACEHOLDER.as_bytes()).unwrap(), vec![65_536 - 12, 131_060]);
    }
}
