//! `ledger export`: its formats and lists ([`ExportFormat`], [`List`]), the codes it is
//! limited to ([`ExportFilter`]), and the export itself, read from one snapshot a page
//! at a time and written a recording at a time ([`Rows`], [`write_export`]), to stdout
//! or atomically to a file.

use std::io::Write;
use std::path::Path;

use crate::isrc::{Isrc, Prefix};
use crate::ledger::exchange::{self, recordings};
use crate::ledger::{Ledger, LedgerError, Recording, Snapshot};
use crate::output::Exit;

/// The format of `ledger export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// CSV with a header row, one row per (recording, audio id) pair.
    Csv,
    /// JSON Lines, one object per recording with an `audio` array.
    Json,
}

/// Which list `ledger export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum List {
    /// Every recording with its audio ids: what import reads back.
    Full,
    /// `--recordings`: one row per code, for a label.
    Codes,
}

/// The codes an export is limited to; every code when nothing is set.
#[derive(Debug, Clone, Default)]
pub(crate) struct ExportFilter {
    /// Only this prefix.
    pub prefix: Option<Prefix>,
    /// Only the codes on a release.
    pub release: Option<std::collections::HashSet<Isrc>>,
    /// Only these codes.
    pub codes: Option<std::collections::HashSet<Isrc>>,
    /// Only codes that entered the ledger at or after this time.
    pub since: Option<i64>,
}

impl ExportFilter {
    /// Whether `recording` is in the export.
    fn keeps(&self, recording: &Recording) -> bool {
        let code = recording.isrc;
        self.prefix.is_none_or(|prefix| code.prefix() == prefix)
            && self.release.as_ref().is_none_or(|codes| codes.contains(&code))
            && self.codes.as_ref().is_none_or(|codes| codes.contains(&code))
            && self.since.is_none_or(|since| recording.entered_at >= since)
    }
}

/// Runs `ledger export`: every recording with its audio ids (or the code list), to `out`
/// or, written atomically, to `output`. The ledger is read one page of
/// [`exchange::PAGE`] recordings at a time from one snapshot, and each page written as it
/// comes, so memory stays bounded whatever the ledger's size.
pub(super) fn export(
    ledger: &mut dyn Ledger,
    format: ExportFormat,
    list: List,
    filter: &ExportFilter,
    output: Option<&Path>,
    quiet: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    // A snapshot is consistent while others assign, and needs no right to write.
    let mut snapshot = ledger.snapshot()?;
    let Some(path) = output else {
        write_export(snapshot.as_mut(), exchange::PAGE, format, list, filter, out)
            .map_err(ExportFailure::into_error)?;
        return Ok(Exit::Clean);
    };
    // A ledger that cannot be read is reported as such, not as a file that cannot be
    // written (the temporary file is removed either way).
    let mut unread: Option<LedgerError> = None;
    let mut written = Written::default();
    let result = crate::write::guard::write_output(path, |out| {
        match write_export(snapshot.as_mut(), exchange::PAGE, format, list, filter, out) {
            Ok(done) => {
                written = done;
                Ok(())
            }
            Err(ExportFailure::Output(error)) => Err(error),
            Err(ExportFailure::Ledger(error)) => {
                let message = error.to_string();
                unread = Some(error);
                Err(anyhow::anyhow!(message))
            }
        }
    });
    if let Some(error) = unread {
        return Err(error.into());
    }
    result?;
    if !quiet {
        eprintln!("exported {} recordings and {} audio ids to {}", written.recordings, written.audio, path.display());
    }
    Ok(Exit::Clean)
}

/// How much an export wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Written {
    recordings: usize,
    audio: usize,
}

/// Why an export stopped: the ledger could not be read, or the list not written.
#[derive(Debug)]
enum ExportFailure {
    Ledger(LedgerError),
    Output(anyhow::Error),
}

impl ExportFailure {
    fn into_error(self) -> anyhow::Error {
        match self {
            ExportFailure::Ledger(error) => error.into(),
            ExportFailure::Output(error) => error,
        }
    }
}

/// One list in one format, written a recording at a time.
enum Rows<'w> {
    FullCsv(exchange::CsvRows<&'w mut dyn Write>),
    FullJson(&'w mut dyn Write),
    CodesCsv(recordings::CodesCsv<&'w mut dyn Write>),
    CodesJson(&'w mut dyn Write),
}

impl<'w> Rows<'w> {
    /// Starts the list (a CSV list with its header row).
    fn new(list: List, format: ExportFormat, out: &'w mut dyn Write) -> anyhow::Result<Rows<'w>> {
        Ok(match (list, format) {
            (List::Full, ExportFormat::Csv) => Rows::FullCsv(exchange::CsvRows::new(out)?),
            (List::Full, ExportFormat::Json) => Rows::FullJson(out),
            (List::Codes, ExportFormat::Csv) => Rows::CodesCsv(recordings::CodesCsv::new(out)?),
            (List::Codes, ExportFormat::Json) => Rows::CodesJson(out),
        })
    }

    /// Writes one recording's rows.
    fn write(&mut self, entry: &exchange::Entry) -> anyhow::Result<()> {
        match self {
            Rows::FullCsv(rows) => rows.write(entry)?,
            Rows::FullJson(out) => exchange::write_json_entry(entry, *out)?,
            Rows::CodesCsv(rows) => rows.write(entry)?,
            Rows::CodesJson(out) => recordings::write_code_json(entry, *out)?,
        }
        Ok(())
    }

    /// Flushes what a CSV writer holds.
    fn finish(self) -> anyhow::Result<()> {
        match self {
            Rows::FullCsv(rows) => rows.finish()?,
            Rows::CodesCsv(rows) => rows.finish()?,
            Rows::FullJson(_) | Rows::CodesJson(_) => {}
        }
        Ok(())
    }
}

/// Writes `list` in `format` from `snapshot`, read `page` recordings at a time
/// ([`exchange::Pages`]), each page's rows written before the next page is read.
fn write_export(
    snapshot: &mut dyn Snapshot,
    page: usize,
    format: ExportFormat,
    list: List,
    filter: &ExportFilter,
    out: &mut dyn Write,
) -> Result<Written, ExportFailure> {
    let mut rows = Rows::new(list, format, out).map_err(ExportFailure::Output)?;
    let mut written = Written::default();
    for entry in exchange::Pages::new(snapshot, page) {
        let entry = entry.map_err(ExportFailure::Ledger)?;
        if !filter.keeps(&entry.recording) {
            continue;
        }
        rows.write(&entry).map_err(ExportFailure::Output)?;
        written.recordings += 1;
        written.audio += entry.audio.len();
    }
    rows.finish().map_err(ExportFailure::Output)?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;
    use crate::base::ids::{AudioId, Fingerprint};
    use crate::isrc::DesignationRange;
    use crate::ledger::{
        AudioRecord, Designations, Event, FingerprintCandidate, LedgerTx, Lookup, NewRecording, PrefixRecord, Relation,
        SqliteLedger,
    };

    /// What the export wrote so far, shared with the snapshot that watches it.
    #[derive(Clone, Default)]
    struct Shared(Rc<RefCell<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// A snapshot that passes every read on, refuses the whole list at once
    /// (`recordings`), and notes each page asked for: its limit, how many recordings it
    /// held, and how many lines the export had written when it was asked for.
    struct Watched<'a> {
        inner: Box<dyn Snapshot + 'a>,
        written: Shared,
        pages: Vec<(usize, usize, usize)>,
    }

    impl Lookup for Watched<'_> {
        fn prefixes(&mut self) -> crate::ledger::Result<Vec<PrefixRecord>> {
            self.inner.prefixes()
        }
        fn prefix(&mut self, prefix: Prefix) -> crate::ledger::Result<Option<PrefixRecord>> {
            self.inner.prefix(prefix)
        }
        fn recording(&mut self, isrc: Isrc) -> crate::ledger::Result<Option<Recording>> {
            self.inner.recording(isrc)
        }
        fn code_for_audio(&mut self, audio_id: &AudioId) -> crate::ledger::Result<Option<Isrc>> {
            self.inner.code_for_audio(audio_id)
        }
        fn audio_for_code(&mut self, isrc: Isrc) -> crate::ledger::Result<Vec<AudioRecord>> {
            self.inner.audio_for_code(isrc)
        }
        fn recordings(&mut self) -> crate::ledger::Result<Vec<Recording>> {
            panic!("an export must not read every recording at once")
        }
        fn prefix_usage(&mut self, prefix: Prefix) -> crate::ledger::Result<Vec<(u8, u64)>> {
            self.inner.prefix_usage(prefix)
        }
        fn events_for(&mut self, isrc: Isrc) -> crate::ledger::Result<Vec<Event>> {
            self.inner.events_for(isrc)
        }
        fn events_for_audio(&mut self, audio_id: &AudioId) -> crate::ledger::Result<Vec<Event>> {
            self.inner.events_for_audio(audio_id)
        }
        fn runs(&mut self, limit: usize) -> crate::ledger::Result<Vec<crate::ledger::Run>> {
            self.inner.runs(limit)
        }
        fn events_of_run(&mut self, run: i64) -> crate::ledger::Result<Vec<Event>> {
            self.inner.events_of_run(run)
        }
        fn codes_without_audio(&mut self, imported_only: bool) -> crate::ledger::Result<Vec<Recording>> {
            self.inner.codes_without_audio(imported_only)
        }
        fn release(&mut self, upc: &crate::isrc::Catalog) -> crate::ledger::Result<Option<crate::ledger::Release>> {
            self.inner.release(upc)
        }
        fn tracks_of(
            &mut self,
            isrc: Isrc,
        ) -> crate::ledger::Result<Vec<(crate::isrc::Catalog, crate::ledger::ReleaseTrack)>> {
            self.inner.tracks_of(isrc)
        }
        fn releases(&mut self) -> crate::ledger::Result<Vec<crate::ledger::Release>> {
            self.inner.releases()
        }
        fn fingerprint(&mut self, audio_id: &AudioId) -> crate::ledger::Result<Option<Fingerprint>> {
            self.inner.fingerprint(audio_id)
        }
        fn fingerprint_candidates(
            &mut self,
            keys: &[u32],
            limit: usize,
        ) -> crate::ledger::Result<Vec<FingerprintCandidate>> {
            self.inner.fingerprint_candidates(keys, limit)
        }
    }

    impl Designations for Watched<'_> {
        fn highest_used(&mut self, prefix: Prefix, year: u8, bounds: (u32, u32)) -> crate::ledger::Result<Option<u32>> {
            self.inner.highest_used(prefix, year, bounds)
        }
        fn is_used(&mut self, prefix: Prefix, year: u8, designation: u32) -> crate::ledger::Result<bool> {
            self.inner.is_used(prefix, year, designation)
        }
        fn lowest_gap_above(
            &mut self,
            prefix: Prefix,
            year: u8,
            bounds: (u32, u32),
        ) -> crate::ledger::Result<Option<u32>> {
            self.inner.lowest_gap_above(prefix, year, bounds)
        }
    }

    impl Snapshot for Watched<'_> {
        fn recordings_after(&mut self, after: Option<Isrc>, limit: usize) -> crate::ledger::Result<Vec<Recording>> {
            let page = self.inner.recordings_after(after, limit)?;
            let lines = self.written.0.borrow().iter().filter(|&&byte| byte == b'\n').count();
            self.pages.push((limit, page.len(), lines));
            Ok(page)
        }
        fn audio_after(
            &mut self,
            after: Option<&AudioId>,
            limit: usize,
        ) -> crate::ledger::Result<Vec<(AudioRecord, Option<Fingerprint>)>> {
            self.inner.audio_after(after, limit)
        }
        fn events_after(&mut self, after: i64, limit: usize) -> crate::ledger::Result<Vec<Event>> {
            self.inner.events_after(after, limit)
        }
        fn runs_after(&mut self, after: i64, limit: usize) -> crate::ledger::Result<Vec<crate::ledger::Run>> {
            self.inner.runs_after(after, limit)
        }
        fn releases_after(
            &mut self,
            after: Option<&crate::isrc::Catalog>,
            limit: usize,
        ) -> crate::ledger::Result<Vec<crate::ledger::Release>> {
            self.inner.releases_after(after, limit)
        }
        fn completeness_after(
            &mut self,
            after: Option<Isrc>,
            limit: usize,
        ) -> crate::ledger::Result<Vec<crate::ledger::Completeness>> {
            self.inner.completeness_after(after, limit)
        }
    }

    /// Ten recordings: 0 to 3 audio ids each (bound out of audio-id order), one void, one
    /// a new version of another, texts a CSV must quote and a spreadsheet would run.
    fn ten_recordings() -> SqliteLedger {
        let mut ledger = SqliteLedger::open_in_memory().unwrap();
        let prefix = Prefix::parse("QZ-TST").unwrap();
        let handle: &mut dyn Ledger = &mut ledger;
        handle.add_prefix(prefix, DesignationRange::parse("00001-99999").unwrap(), 0).unwrap();
        handle
            .transaction(|tx: &mut dyn LedgerTx| {
                let mut first = None;
                for n in 0..10u64 {
                    let title = match n {
                        1 => "=HYPERLINK(\"http://x\",\"y\")".to_owned(),
                        2 => "Comma, \"quote\"\nand a line".to_owned(),
                        _ => format!("Recording {n} – Überspielung"),
                    };
                    let new = NewRecording {
                        title: Some(title),
                        artist: (n % 3 != 0).then(|| "Fixture Ensemble".to_owned()),
                        version_note: (n == 5).then(|| "Radio Edit".to_owned()),
                        parent: if n == 5 { first } else { None },
                        relation: (n == 5).then_some(Relation::Edit),
                        ..NewRecording::new("tester", 1_767_225_600 + n as i64)
                    };
                    let isrc = tx.issue_next(prefix, 26, &new)?;
                    first.get_or_insert(isrc);
                    for k in 0..n % 4 {
                        let extension = ["wav", "flac", "mp3"][k as usize];
                        tx.bind_audio(&AudioRecord {
                            // Bound in descending audio-id order: the export sorts them.
                            audio_id: AudioId::parse(&format!("pcm1:{:064x}", n * 16 + 3 - k)).unwrap(),
                            isrc,
                            frames: 44_100 * (200 + n),
                            sample_rate: if k == 0 { 96_000 } else { 44_100 },
                            channels: 2,
                            bits: if k == 0 { 24 } else { 16 },
                            first_path: format!("/masters/{n}/take {k}.{extension}"),
                            added_at: 1_767_225_700 + (n * 4 + k) as i64,
                            codec: None,
                        })?;
                    }
                    if n == 7 {
                        tx.void(isrc, "issued twice, by mistake")?;
                    }
                }
                Ok::<_, LedgerError>(())
            })
            .unwrap();
        ledger
    }

    /// What the writers of the whole list write, from every entry at once.
    fn whole(ledger: &mut SqliteLedger, list: List, format: ExportFormat) -> Vec<u8> {
        let entries = exchange::entries(ledger).unwrap();
        let mut out = Vec::new();
        match (list, format) {
            (List::Full, ExportFormat::Csv) => exchange::write_csv(&entries, &mut out).unwrap(),
            (List::Full, ExportFormat::Json) => exchange::write_json(&entries, &mut out).unwrap(),
            (List::Codes, ExportFormat::Csv) => recordings::write_codes_csv(&entries, &mut out).unwrap(),
            (List::Codes, ExportFormat::Json) => recordings::write_codes_json(&entries, &mut out).unwrap(),
        }
        out
    }

    /// The export read `page` recordings at a time: its bytes, what it counted, the pages.
    fn paged(
        ledger: &mut SqliteLedger,
        page: usize,
        list: List,
        format: ExportFormat,
    ) -> (Vec<u8>, Written, Vec<(usize, usize, usize)>) {
        let written = Shared::default();
        let handle: &mut dyn Ledger = ledger;
        let mut watched = Watched { inner: handle.snapshot().unwrap(), written: written.clone(), pages: Vec::new() };
        let mut out = written.clone();
        let counted = write_export(&mut watched, page, format, list, &ExportFilter::default(), &mut out).unwrap();
        let pages = watched.pages;
        drop(watched.inner);
        let bytes = written.0.borrow().clone();
        (bytes, counted, pages)
    }

    #[test]
    fn the_export_reads_pages_and_writes_the_bytes_of_the_whole_list() {
        let mut ledger = ten_recordings();
        let audio_ids = (0..10).map(|n| n % 4).sum::<usize>();
        for list in [List::Full, List::Codes] {
            for format in [ExportFormat::Csv, ExportFormat::Json] {
                let expected = whole(&mut ledger, list, format);
                let (small, counted, pages) = paged(&mut ledger, 3, list, format);
                assert_eq!(
                    String::from_utf8(small).unwrap(),
                    String::from_utf8(expected.clone()).unwrap(),
                    "{list:?} {format:?}"
                );
                assert_eq!(counted, Written { recordings: 10, audio: audio_ids });
                let asked: Vec<(usize, usize)> = pages.iter().map(|&(limit, held, _)| (limit, held)).collect();
                assert_eq!(asked, [(3, 3), (3, 3), (3, 3), (3, 1), (3, 0)], "{list:?} {format:?}");
                let (one_page, _, pages) = paged(&mut ledger, exchange::PAGE, list, format);
                assert_eq!(one_page, expected, "{list:?} {format:?}");
                assert_eq!(pages.iter().map(|&(_, held, _)| held).collect::<Vec<_>>(), [10, 0]);
            }
        }
        // JSON Lines go out unbuffered: each page's lines are written before the next
        // page is read (one line per recording).
        let (_, _, pages) = paged(&mut ledger, 3, List::Full, ExportFormat::Json);
        assert_eq!(pages.iter().map(|&(_, _, lines)| lines).collect::<Vec<_>>(), [0, 3, 6, 9, 10]);
        let (_, _, pages) = paged(&mut ledger, 3, List::Codes, ExportFormat::Json);
        assert_eq!(pages.iter().map(|&(_, _, lines)| lines).collect::<Vec<_>>(), [0, 3, 6, 9, 10]);
    }
}
