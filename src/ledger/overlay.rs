//! A dry run's transaction: it reads through a [`Snapshot`] of any backend and keeps
//! its own writes (codes issued and adopted, bindings, fingerprints, voids, events) in
//! memory, judged by the same rules, so `assign --dry-run` shows the very codes a real
//! run would issue, and writes nothing: a role or a file that may only be read can run
//! it. Committing it forgets it.
//!
//! One difference is kept small on purpose: a fingerprint lookup ranks the snapshot's
//! candidates and the dry run's own ones each by the shared rule, then merges them, so a
//! key very common across both together is not skipped as a real run would skip it.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::error::{LedgerError, Result};
use super::types::{
    AudioRecord, Event, FingerprintCandidate, MetadataEdit, NewEvent, NewRecording, NewRun, Origin, PrefixRecord,
    Recording, Release, ReleaseTrack, Run, Status, Stored,
};
use super::{Designations, LedgerTx, Lookup, Snapshot, rules};
use crate::base::ids::AudioId;
use crate::base::ids::Fingerprint;
use crate::isrc::{Catalog, Isrc, Prefix};

/// A transaction whose writes stay in memory, over a snapshot.
pub(super) struct Overlay<'s> {
    /// What the ledger holds.
    base: Box<dyn Snapshot + 's>,
    /// Recordings entered or changed (voided) by this dry run, by code.
    recordings: BTreeMap<Isrc, Recording>,
    /// Audio ids bound by this dry run.
    audio: HashMap<AudioId, AudioRecord>,
    /// Fingerprints stored by this dry run, with their keys.
    fingerprints: HashMap<AudioId, (Fingerprint, HashSet<u32>)>,
    /// Events logged by this dry run (their ids are its own).
    events: Vec<Event>,
    /// Audio ids of the snapshot whose binding this dry run removed.
    unbound: HashSet<AudioId>,
    /// Releases entered or replaced (`Some`) or removed (`None`) by this dry run, by
    /// EAN-13 digits.
    releases: BTreeMap<String, Option<Release>>,
}

impl<'s> Overlay<'s> {
    /// An overlay with no writes yet.
    pub(super) fn new(base: Box<dyn Snapshot + 's>) -> Overlay<'s> {
        Overlay {
            base,
            recordings: BTreeMap::new(),
            audio: HashMap::new(),
            fingerprints: HashMap::new(),
            events: Vec::new(),
            unbound: HashSet::new(),
            releases: BTreeMap::new(),
        }
    }

    /// The status of a code, as this dry run sees it.
    fn status(&mut self, isrc: Isrc) -> Result<Option<Status>> {
        Ok(self.recording(isrc)?.map(|recording| recording.status))
    }

    /// Enters a recording after the shared checks.
    fn insert(&mut self, isrc: Isrc, origin: Origin, new: &NewRecording) -> Result<()> {
        let existing = self.status(isrc)?;
        rules::check_new_recording(isrc, existing, new, |parent| Ok(self.recording(parent)?.is_some()))?;
        let recording = Recording {
            isrc,
            origin,
            status: Status::Active,
            title: new.title.clone(),
            artist: new.artist.clone(),
            version_note: new.version_note.clone(),
            parent: new.parent,
            relation: new.relation,
            issued_at: if origin == Origin::Imported { new.listed_issued_at } else { Some(new.entered_at) },
            entered_at: new.entered_at,
            issued_by: new.issued_by.clone(),
            void_reason: None,
            declared_ms: new.declared_ms,
            publication: new.publication.clone(),
        };
        self.recordings.insert(isrc, recording);
        Ok(())
    }

    /// The dry run's own fingerprints that share keys with `keys`, bound to active codes.
    fn own_candidates(&mut self, keys: &[u32]) -> Result<Vec<FingerprintCandidate>> {
        let mut found = Vec::new();
        let prints: Vec<(AudioId, Fingerprint, usize)> = self
            .fingerprints
            .iter()
            .map(|(id, (print, own))| (id.clone(), print.clone(), keys.iter().filter(|k| own.contains(k)).count()))
            .filter(|(_, _, shared)| *shared > 0)
            .collect();
        for (audio_id, fingerprint, shared_keys) in prints {
            let Some(audio) = self.audio.get(&audio_id).cloned() else {
                continue;
            };
            if self.status(audio.isrc)? != Some(Status::Active) {
                continue;
            }
            let rate = f64::from(audio.sample_rate);
            found.push(FingerprintCandidate {
                audio_id,
                isrc: audio.isrc,
                duration_seconds: if rate > 0.0 { audio.frames as f64 / rate } else { 0.0 },
                first_path: audio.first_path,
                fingerprint,
                shared_keys,
            });
        }
        Ok(found)
    }
}

impl Lookup for Overlay<'_> {
    fn prefixes(&mut self) -> Result<Vec<PrefixRecord>> {
        self.base.prefixes()
    }

    fn prefix(&mut self, prefix: Prefix) -> Result<Option<PrefixRecord>> {
        self.base.prefix(prefix)
    }

    fn recording(&mut self, isrc: Isrc) -> Result<Option<Recording>> {
        match self.recordings.get(&isrc) {
            Some(recording) => Ok(Some(recording.clone())),
            None => self.base.recording(isrc),
        }
    }

    fn code_for_audio(&mut self, audio_id: &AudioId) -> Result<Option<Isrc>> {
        match self.audio.get(audio_id) {
            Some(audio) => Ok(Some(audio.isrc)),
            None if self.unbound.contains(audio_id) => Ok(None),
            None => self.base.code_for_audio(audio_id),
        }
    }

    fn audio_for_code(&mut self, isrc: Isrc) -> Result<Vec<AudioRecord>> {
        let mut all = self.base.audio_for_code(isrc)?;
        all.retain(|audio| !self.unbound.contains(&audio.audio_id));
        all.extend(self.audio.values().filter(|audio| audio.isrc == isrc).cloned());
        all.sort_by(|a, b| a.added_at.cmp(&b.added_at).then_with(|| a.audio_id.as_str().cmp(b.audio_id.as_str())));
        Ok(all)
    }

    fn recordings(&mut self) -> Result<Vec<Recording>> {
        let mut all: BTreeMap<Isrc, Recording> = self.base.recordings()?.into_iter().map(|r| (r.isrc, r)).collect();
        all.extend(self.recordings.iter().map(|(isrc, recording)| (*isrc, recording.clone())));
        Ok(all.into_values().collect())
    }

    fn prefix_usage(&mut self, prefix: Prefix) -> Result<Vec<(u8, u64)>> {
        let mut usage: BTreeMap<u8, u64> = self.base.prefix_usage(prefix)?.into_iter().collect();
        // The recordings this dry run entered (not those of the snapshot it voided or edited).
        let own: Vec<Isrc> = self.recordings.keys().copied().filter(|isrc| isrc.prefix() == prefix).collect();
        for isrc in own {
            if self.base.recording(isrc)?.is_none() {
                *usage.entry(isrc.year()).or_default() += 1;
            }
        }
        Ok(usage.into_iter().collect())
    }

    fn events_for(&mut self, isrc: Isrc) -> Result<Vec<Event>> {
        let mut all = self.base.events_for(isrc)?;
        all.extend(self.events.iter().filter(|event| event.isrc == Some(isrc)).cloned());
        Ok(all)
    }

    fn events_for_audio(&mut self, audio_id: &AudioId) -> Result<Vec<Event>> {
        let mut all = self.base.events_for_audio(audio_id)?;
        all.extend(self.events.iter().filter(|event| event.audio_id.as_ref() == Some(audio_id)).cloned());
        Ok(all)
    }

    fn codes_without_audio(&mut self, imported_only: bool) -> Result<Vec<Recording>> {
        let mut all: BTreeMap<Isrc, Recording> =
            self.base.codes_without_audio(imported_only)?.into_iter().map(|r| (r.isrc, r)).collect();
        // The dry run's own recordings and changes (voids, edits) replace the snapshot's.
        for (isrc, recording) in self.recordings.clone() {
            all.remove(&isrc);
            let wanted = !imported_only || recording.origin == Origin::Imported;
            if wanted && recording.status == Status::Active && self.audio_for_code(isrc)?.is_empty() {
                all.insert(isrc, recording);
            }
        }
        let bound: HashSet<Isrc> = self.audio.values().map(|audio| audio.isrc).collect();
        all.retain(|isrc, _| !bound.contains(isrc));
        Ok(all.into_values().collect())
    }

    fn release(&mut self, upc: &Catalog) -> Result<Option<Release>> {
        match self.releases.get(upc.as_str()) {
            Some(release) => Ok(release.clone()),
            None => self.base.release(upc),
        }
    }

    fn releases(&mut self) -> Result<Vec<Release>> {
        let mut all: BTreeMap<String, Release> =
            self.base.releases()?.into_iter().map(|r| (r.upc.as_str().to_owned(), r)).collect();
        for (ean, release) in &self.releases {
            match release {
                Some(release) => all.insert(ean.clone(), release.clone()),
                None => all.remove(ean),
            };
        }
        Ok(all.into_values().collect())
    }

    fn tracks_of(&mut self, isrc: Isrc) -> Result<Vec<(Catalog, ReleaseTrack)>> {
        let mut all: Vec<(Catalog, ReleaseTrack)> = self
            .base
            .tracks_of(isrc)?
            .into_iter()
            .filter(|(upc, _)| !self.releases.contains_key(upc.as_str()))
            .collect();
        for release in self.releases.values().flatten() {
            all.extend(release.tracks.iter().filter(|t| t.isrc == isrc).map(|t| (release.upc, *t)));
        }
        all.sort_by(|a, b| (a.0.as_str(), a.1.disc, a.1.number).cmp(&(b.0.as_str(), b.1.disc, b.1.number)));
        Ok(all)
    }

    /// A dry run starts no run of its own: the snapshot's runs.
    fn runs(&mut self, limit: usize) -> Result<Vec<Run>> {
        self.base.runs(limit)
    }

    fn events_of_run(&mut self, run: i64) -> Result<Vec<Event>> {
        let mut all = self.base.events_of_run(run)?;
        all.extend(self.events.iter().filter(|event| event.run == Some(run)).cloned());
        Ok(all)
    }

    fn fingerprint(&mut self, audio_id: &AudioId) -> Result<Option<Fingerprint>> {
        match self.fingerprints.get(audio_id) {
            Some((print, _)) => Ok(Some(print.clone())),
            None if self.unbound.contains(audio_id) => Ok(None),
            None => self.base.fingerprint(audio_id),
        }
    }

    fn fingerprint_candidates(&mut self, keys: &[u32], limit: usize) -> Result<Vec<FingerprintCandidate>> {
        let mut all = Vec::new();
        for candidate in self.base.fingerprint_candidates(keys, limit)? {
            // A code this dry run voided, or audio it unbound, is no candidate any more.
            if !self.unbound.contains(&candidate.audio_id) && self.status(candidate.isrc)? == Some(Status::Active) {
                all.push(candidate);
            }
        }
        all.extend(self.own_candidates(keys)?);
        all.sort_by_key(|candidate| std::cmp::Reverse(candidate.shared_keys));
        all.truncate(limit);
        Ok(all)
    }
}

impl LedgerTx for Overlay<'_> {
    fn issue_next(&mut self, prefix: Prefix, year: u8, new: &NewRecording) -> Result<Isrc> {
        rules::check_year(year)?;
        let range = self.prefix(prefix)?.ok_or(LedgerError::UnknownPrefix(prefix))?.range;
        let own: Vec<u32> = self
            .recordings
            .keys()
            .filter(|isrc| isrc.prefix() == prefix && isrc.year() == year)
            .map(Isrc::designation)
            .collect();
        let isrc = rules::next_code(&mut Used { base: self.base.as_mut(), own: &own }, prefix, year, range)?;
        self.insert(isrc, Origin::Issued, new)?;
        Ok(isrc)
    }

    fn adopt(&mut self, isrc: Isrc, origin: Origin, new: &NewRecording) -> Result<()> {
        self.insert(isrc, origin, new)
    }

    fn bind_audio(&mut self, audio: &AudioRecord) -> Result<bool> {
        let bound = self.code_for_audio(&audio.audio_id)?;
        let status = if bound.is_none() { self.status(audio.isrc)? } else { None };
        if !rules::check_bind(audio, bound, status)? {
            return Ok(false);
        }
        rules::stored_int("the frame count", audio.frames)?;
        self.audio.insert(audio.audio_id.clone(), audio.clone());
        Ok(true)
    }

    fn log(&mut self, event: &NewEvent) -> Result<i64> {
        let id = i64::try_from(self.events.len()).unwrap_or(i64::MAX).saturating_add(1);
        self.events.push(Event {
            id,
            at: event.at,
            user: event.user.clone(),
            path: event.path.clone(),
            audio_id: event.audio_id.clone(),
            isrc: event.isrc,
            action: event.action.clone(),
            detail: event.detail.clone(),
            run: event.run,
        });
        Ok(id)
    }

    fn put_release(&mut self, release: &Release) -> Result<bool> {
        rules::check_release(release, |isrc| Ok(self.recording(isrc)?.is_some()))?;
        let new = self.release(&release.upc)?.is_none();
        self.releases.insert(release.upc.as_str().to_owned(), Some(release.clone()));
        Ok(new)
    }

    fn remove_release(&mut self, upc: &Catalog) -> Result<bool> {
        let held = self.release(upc)?.is_some();
        self.releases.insert(upc.as_str().to_owned(), None);
        Ok(held)
    }

    /// A dry run records no run: its events carry none.
    fn start_run(&mut self, _run: &NewRun) -> Result<i64> {
        Err(LedgerError::Backend("a dry run records no run".into()))
    }

    fn finish_run(&mut self, _run: i64, _counts: &BTreeMap<String, u64>) -> Result<()> {
        Err(LedgerError::Backend("a dry run records no run".into()))
    }

    fn store_fingerprint(&mut self, audio_id: &AudioId, fingerprint: &Fingerprint) -> Result<bool> {
        if self.code_for_audio(audio_id)?.is_none() {
            return Err(LedgerError::Backend(format!(
                "cannot store a fingerprint of {audio_id}: it is not in the ledger"
            )));
        }
        if self.fingerprint(audio_id)?.is_some() {
            return Ok(false);
        }
        let keys = fingerprint.keys().into_iter().collect();
        self.fingerprints.insert(audio_id.clone(), (fingerprint.clone(), keys));
        Ok(true)
    }

    fn void(&mut self, isrc: Isrc, reason: &str) -> Result<()> {
        let recording = self.recording(isrc)?;
        rules::check_void(isrc, recording.as_ref().map(|r| r.status))?;
        if let Some(mut recording) = recording {
            recording.status = Status::Void;
            recording.void_reason = Some(reason.to_owned());
            self.recordings.insert(isrc, recording);
        }
        Ok(())
    }

    fn edit_metadata(&mut self, isrc: Isrc, edit: &MetadataEdit) -> Result<Recording> {
        let recording = self.recording(isrc)?;
        let edited = rules::apply_edit(isrc, recording.as_ref(), edit)?;
        let mut recording = recording.ok_or(LedgerError::UnknownCode(isrc))?;
        (recording.title, recording.artist, recording.version_note) =
            (edited.title, edited.artist, edited.version_note);
        recording.publication = edited.publication;
        recording.declared_ms = edited.declared_ms.map(|ms| u64::try_from(ms).unwrap_or(0));
        self.recordings.insert(isrc, recording.clone());
        Ok(recording)
    }

    fn unbind_audio(&mut self, audio_id: &AudioId) -> Result<Isrc> {
        let isrc = rules::check_unbind(audio_id, self.code_for_audio(audio_id)?)?;
        self.audio.remove(audio_id);
        self.fingerprints.remove(audio_id);
        self.unbound.insert(audio_id.clone());
        Ok(isrc)
    }

    fn restore(&mut self, _items: &[Stored]) -> Result<()> {
        Err(LedgerError::Backend("a dry run restores nothing".into()))
    }

    /// Forgets every write: a dry run records nothing.
    fn commit(self: Box<Self>) -> Result<()> {
        Ok(())
    }
}

/// The designations used, the snapshot's and the dry run's together.
struct Used<'a, 's> {
    /// The snapshot.
    base: &'a mut (dyn Snapshot + 's),
    /// The designations this dry run entered under the prefix and year asked about.
    own: &'a [u32],
}

impl Used<'_, '_> {
    /// Whether the dry run entered `designation`.
    fn own(&self, designation: u32) -> bool {
        self.own.contains(&designation)
    }
}

impl Designations for Used<'_, '_> {
    fn highest_used(&mut self, prefix: Prefix, year: u8, (first, last): (u32, u32)) -> Result<Option<u32>> {
        let own = self.own.iter().copied().filter(|d| (first..=last).contains(d)).max();
        Ok(self.base.highest_used(prefix, year, (first, last))?.max(own))
    }

    fn is_used(&mut self, prefix: Prefix, year: u8, designation: u32) -> Result<bool> {
        Ok(self.own(designation) || self.base.is_used(prefix, year, designation)?)
    }

    fn lowest_gap_above(&mut self, prefix: Prefix, year: u8, (first, last): (u32, u32)) -> Result<Option<u32>> {
        // `first` is used (by either): step up past what the dry run entered, and jump
        // over the snapshot's runs with its own gap query.
        let mut used = first;
        loop {
            let next = used + 1;
            if next > last {
                return Ok(None);
            }
            if self.own(next) {
                used = next;
            } else if self.base.is_used(prefix, year, next)? {
                match self.base.lowest_gap_above(prefix, year, (next, last))? {
                    Some(gap) if self.own(gap) => used = gap,
                    gap => return Ok(gap),
                }
            } else {
                return Ok(Some(next));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isrc::DesignationRange;
    use crate::ledger::{Ledger, SqliteLedger};

    fn code(text: &str) -> Isrc {
        Isrc::parse(text).unwrap()
    }

    /// A ledger over 00001-00006 with 00002, 00004 and 00006 adopted: the top is used.
    fn ledger() -> Box<dyn Ledger> {
        let mut ledger: Box<dyn Ledger> = Box::new(SqliteLedger::open_in_memory().unwrap());
        ledger.add_prefix(Prefix::parse("USPR3").unwrap(), DesignationRange { first: 1, last: 6 }, 0).unwrap();
        ledger
            .transaction(|tx| {
                for text in ["USPR32600006", "USPR32600002", "USPR32600004"] {
                    tx.adopt(code(text), Origin::Adopted, &NewRecording::new("t", 0))?;
                }
                Ok::<_, LedgerError>(())
            })
            .unwrap();
        ledger
    }

    /// Issues codes until the range is exhausted, in `run` (a real or a dry run).
    fn issue_all(tx: &mut dyn LedgerTx) -> Result<Vec<u32>> {
        let prefix = Prefix::parse("USPR3").unwrap();
        let mut issued = Vec::new();
        loop {
            match tx.issue_next(prefix, 26, &NewRecording::new("t", 0)) {
                Ok(isrc) => issued.push(isrc.designation()),
                Err(LedgerError::RangeExhausted { .. }) => return Ok(issued),
                Err(other) => return Err(other),
            }
        }
    }

    #[test]
    fn gaps_are_filled_as_a_real_run_fills_them_and_nothing_is_kept() {
        let mut ledger = ledger();
        let dry = ledger.dry_run(|tx| issue_all(tx)).unwrap();
        assert_eq!(dry, [1, 3, 5]);
        assert_eq!(ledger.recordings().unwrap().len(), 3, "the dry run recorded nothing");
        assert_eq!(ledger.transaction(|tx| issue_all(tx)).unwrap(), dry);
    }

    #[test]
    fn its_own_writes_are_read_back_and_judged_by_the_rules() {
        let mut ledger = ledger();
        ledger
            .dry_run(|tx| {
                let isrc = tx.issue_next(Prefix::parse("USPR3").unwrap(), 26, &NewRecording::new("t", 0))?;
                let audio = AudioRecord {
                    audio_id: AudioId::parse(&format!("pcm1:{:064x}", 1)).unwrap(),
                    isrc,
                    frames: 10,
                    sample_rate: 44_100,
                    channels: 2,
                    bits: 16,
                    first_path: "a.wav".into(),
                    added_at: 0,
                    codec: Some("pcm_s16le".into()),
                };
                assert!(tx.bind_audio(&audio)?);
                assert!(!tx.bind_audio(&audio)?, "bound once");
                assert_eq!(tx.code_for_audio(&audio.audio_id)?, Some(isrc));
                assert_eq!(tx.audio_for_code(isrc)?, std::slice::from_ref(&audio));
                tx.void(isrc, "test")?;
                assert!(matches!(tx.bind_audio(&AudioRecord { isrc, ..audio }), Ok(false)));
                assert!(matches!(tx.void(isrc, "again"), Err(LedgerError::AlreadyVoid(_))));
                assert_eq!(tx.recordings()?.len(), 4);
                Ok::<_, LedgerError>(())
            })
            .unwrap();
        assert_eq!(ledger.recordings().unwrap().len(), 3);
    }
}
