//! Adopting a carrier made elsewhere (`ledger import DDPDIR`, `ledger import SHEET.cue`):
//! a DDP image from WaveLab, Pyramix, Sequoia, SADiE or HOFA, or a CUE sheet with its
//! audio, brings each track's ISRC into the ledger bound to the track's audio, and its
//! UPC/EAN and text in as a release, so that the next remaster or compilation finds them.
//!
//! Reading ([`read_ddp`], [`read_cue`]) gives a [`Carrier`]: its tracks, each with its
//! code, text and audio ids, and whatever makes the carrier untrustworthy (`refusals`).
//! A track's audio is the PCM from its INDEX 01 to the next track's INDEX 00 (or
//! INDEX 01, or the end), as `verify` cuts it:
//! - in a DDP image that is whole sectors, the last padded with silence by whoever wrote
//!   the image; its audio id as on the disc is bound, and, when its last sector ends in
//!   padding after a sample that is not silence, also the audio id without that padding:
//!   the master's, which `assign` of the master then finds (a master whose last sector
//!   is all silence leaves its length unknown: only the disc's audio id is bound, and its
//!   fingerprint lets `assign` find the master by sound);
//! - in a CUE sheet's files, the cut at 1/75 s of the file's rate (a file per track: the
//!   whole file).
//!
//! Nothing is adopted from an image whose checksums fail or whose structure or codes
//! are broken ([`Carrier::refusals`]). Then [`adopt`] decides every track inside the
//! caller's transaction before writing anything, with the usual conflicts: a code the
//! ledger holds for other audio, audio the ledger knows under another code, a void code.
//! With any conflict nothing is written.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::cue;
use super::ddp::tracks::{self, TrackAudio};
use super::error::{CarrierError, CutError};
use crate::acoustic;
use crate::audio::Feed;
use crate::base::ids::{AudioId, Fingerprint};
use crate::carrier::ProblemId;
use crate::isrc::{Catalog, Isrc};
use crate::ledger::{
    AudioRecord, EventKind, LedgerError, LedgerTx, NewEvent, NewRecording, Origin, Release, ReleaseTrack, Status,
};

/// One track of a carrier.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CarrierTrack {
    /// The track number.
    pub number: u8,
    /// Its valid ISRC.
    pub isrc: Option<Isrc>,
    /// Its title (CD-Text, or the sheet's `TITLE`).
    pub title: Option<String>,
    /// Its performer.
    pub performer: Option<String>,
    /// Its audio ids, the one as on the carrier first.
    pub audio: Vec<TrackAudio>,
    /// The stream its audio was cut from: (rate, channels, bits).
    pub stream: (u32, u16, u16),
    /// The codec the audio was read as, when known.
    pub codec: Option<String>,
    /// Where its audio was seen: the file it was cut from.
    pub path: String,
    /// Its acoustic fingerprint.
    pub fingerprint: Option<Fingerprint>,
}

/// A carrier read back: its release and tracks, and what stands in the way of adopting it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Carrier {
    /// The carrier as named in messages.
    pub source: String,
    /// What kind: `DDP image` or `CUE sheet`.
    pub kind: &'static str,
    /// Its UPC/EAN.
    pub catalog: Option<Catalog>,
    /// The album title.
    pub title: Option<String>,
    /// The album performer.
    pub performer: Option<String>,
    /// The tracks.
    pub tracks: Vec<CarrierTrack>,
    /// Why nothing may be adopted from it (checksums that fail, a broken structure).
    pub refusals: Vec<String>,
    /// What is worth knowing and does not stop the adoption.
    pub warnings: Vec<String>,
}

/// Problem ids of an image that do not stop its adoption: they are about the disc, not
/// about which audio carries which code.
const HARMLESS: [ProblemId; 6] = [
    ProblemId::DdpChecksumMissing,
    ProblemId::DdpChecksumUnread,
    ProblemId::RedbookTrackLength,
    ProblemId::RedbookPregap,
    ProblemId::RedbookTotalLength,
    ProblemId::RedbookTrackCount,
];

/// Reads a DDP image for adoption: every track's audio ids (computed in the one pass that
/// checks the checksums) and fingerprint, its PQ code, its CD-Text.
pub(crate) fn read_ddp(dir: &Path) -> Result<Carrier, CarrierError> {
    let (image, ids) = tracks::image_with_audio_ids(dir)?;
    let source = dir.display().to_string();
    let mut carrier =
        Carrier { source: source.clone(), kind: "DDP image", catalog: image.catalog, ..Carrier::default() };
    for problem in &image.problems {
        if HARMLESS.contains(&problem.id) {
            carrier.warnings.push(format!("{source}: {problem}"));
        } else {
            carrier.refusals.push(format!("{source}: {problem}"));
        }
    }
    let text = image.cdtext.clone().unwrap_or_default();
    carrier.title = text.titles.get(&0).cloned();
    carrier.performer = text.performers.get(&0).cloned();
    let audio_file = image.audio_file.as_ref().map(|name| dir.join(name));
    let path = audio_file.as_ref().map_or_else(|| source.clone(), |p| p.display().to_string());
    for track in &image.tracks {
        let audio = ids.iter().find(|(n, _)| *n == track.number).map(|(_, ids)| ids.clone()).unwrap_or_default();
        let fingerprint = match (&audio_file, &track.image_bytes, audio.is_empty()) {
            (Some(file), Some(range), false) => tracks::track_fingerprint(file, range),
            _ => None,
        };
        carrier.tracks.push(CarrierTrack {
            number: track.number,
            isrc: track.isrc,
            title: text.titles.get(&track.number).cloned(),
            performer: text.performers.get(&track.number).cloned(),
            audio,
            stream: (44_100, 2, 16),
            codec: Some("pcm_s16le".into()),
            path: path.clone(),
            fingerprint,
        });
    }
    if image.tracks.is_empty() && carrier.refusals.is_empty() {
        carrier.refusals.push(format!("{source}: the PQ data describes no track"));
    }
    Ok(carrier)
}

/// Reads a CUE sheet and cuts each track's audio out of the files it names (relative to
/// the sheet's folder): a file is read once, whatever number of tracks it holds.
pub(crate) fn read_cue(sheet_path: &Path) -> Result<Carrier, CarrierError> {
    let text = crate::base::filekind::read_text(sheet_path, 1 << 20)
        .map_err(|e| CarrierError::io(format!("cannot read the CUE sheet {}", sheet_path.display()), e))?;
    let sheet =
        cue::parse(&text).map_err(|reason| CarrierError::CueSheet { sheet: sheet_path.to_path_buf(), reason })?;
    let source = sheet_path.display().to_string();
    let folder = super::album::parent_folder(sheet_path);
    let mut carrier = Carrier {
        source: source.clone(),
        kind: "CUE sheet",
        catalog: sheet.catalog,
        title: sheet.title.clone(),
        performer: sheet.performer.clone(),
        ..Carrier::default()
    };
    if sheet.tracks.is_empty() {
        carrier.refusals.push(format!("{source}: the sheet has no track"));
        return Ok(carrier);
    }
    // Each file's cuts: (track index, start sector, end sector or the end of the file).
    let mut cuts: BTreeMap<String, Vec<(usize, u64, Option<u64>)>> = BTreeMap::new();
    for (i, track) in sheet.tracks.iter().enumerate() {
        let Some((file, start)) = track.index1.clone() else {
            carrier.refusals.push(format!("{source}: track {} has no INDEX 01", track.number));
            continue;
        };
        let next = sheet.tracks.get(i + 1);
        let end = next.and_then(|next| {
            let index0 = next.index0.as_ref().filter(|(f, _)| *f == file).map(|(_, at)| *at);
            index0.or_else(|| next.index1.as_ref().filter(|(f, _)| *f == file).map(|(_, at)| *at))
        });
        if end.is_some_and(|end| end < start) {
            carrier.refusals.push(format!("{source}: track {} ends before it starts", track.number));
            continue;
        }
        cuts.entry(file).or_default().push((i, start, end));
    }
    let mut audio: BTreeMap<usize, (CutAudio, String)> = BTreeMap::new();
    for (name, file_cuts) in &cuts {
        let path = folder.join(name);
        match cut_file(&path, file_cuts) {
            Ok(found) => {
                for (i, cut) in found {
                    audio.insert(i, (cut, path.display().to_string()));
                }
            }
            Err(reason) => {
                return Err(CarrierError::Cut {
                    file: path,
                    sheet: sheet_path.to_path_buf(),
                    reason: Box::new(reason),
                });
            }
        }
    }
    for (i, track) in sheet.tracks.iter().enumerate() {
        let ((ids, fingerprint, stream), path) = audio.remove(&i).unwrap_or_default();
        carrier.tracks.push(CarrierTrack {
            number: track.number,
            isrc: track.isrc,
            title: track.title.clone(),
            performer: track.performer.clone(),
            audio: ids,
            stream,
            codec: None,
            path,
            fingerprint,
        });
    }
    let mut seen: BTreeMap<Isrc, u8> = BTreeMap::new();
    for track in &carrier.tracks {
        if let Some(code) = track.isrc
            && let Some(first) = seen.insert(code, track.number)
        {
            carrier.refusals.push(format!("{source}: tracks {first} and {} both give {code}", track.number));
        }
    }
    Ok(carrier)
}

/// A track's audio ids, fingerprint and stream.
type CutAudio = (Vec<TrackAudio>, Option<Fingerprint>, (u32, u16, u16));
/// One track's [`CutAudio`], by its index in the sheet.
type Cut = (usize, CutAudio);

/// Reads a file's canonical PCM once and hashes each cut: `(track, start, end)` in
/// sectors of 1/75 s of the file's rate, `end` `None` for the end of the file.
fn cut_file(path: &Path, cuts: &[(usize, u64, Option<u64>)]) -> Result<Vec<Cut>, CutError> {
    // A sheet may name anything: only a regular file is read (a named pipe never ends).
    crate::base::filekind::open_regular(path).map_err(CutError::Open)?;
    let mut reader = crate::audio::open_pcm(path)?;
    let header = reader.header();
    if header.sample_rate % 75 != 0 {
        return Err(CutError::Rate(header.sample_rate));
    }
    let frame_bytes = (header.layout.bytes_per_sample() * usize::from(header.channels)) as u64;
    if frame_bytes == 0 {
        return Err(CutError::NoSamples);
    }
    let sector_bytes = u64::from(header.sample_rate / 75) * frame_bytes;
    struct Running {
        index: usize,
        range: (u64, Option<u64>),
        sha: Sha256,
        seen: u64,
        feed: Option<Feed>,
        fed: u64,
    }
    let wanted_print = u64::from(acoustic::MAX_SECONDS) * u64::from(header.sample_rate) * frame_bytes;
    let mut running: Vec<Running> = cuts
        .iter()
        .map(|&(index, start, end)| {
            let mut sha = Sha256::new();
            sha.update(header.to_bytes());
            let range = (start.saturating_mul(sector_bytes), end.map(|e| e.saturating_mul(sector_bytes)));
            Running { index, range, sha, seen: 0, feed: Feed::start(true, &header), fed: 0 }
        })
        .collect();
    let mut offset = 0u64;
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = loop {
            match reader.read(&mut buffer) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => break other.map_err(CutError::Read)?,
            }
        };
        if n == 0 {
            break;
        }
        let end = offset + n as u64;
        for cut in &mut running {
            let from = offset.max(cut.range.0);
            let to = cut.range.1.map_or(end, |e| e.min(end));
            if from >= to {
                continue;
            }
            let piece = &buffer[(from - offset) as usize..(to - offset) as usize];
            cut.sha.update(piece);
            cut.seen += piece.len() as u64;
            if let Some(feed) = cut.feed.as_mut().filter(|_| cut.fed < wanted_print) {
                let take = piece.len().min((wanted_print - cut.fed) as usize);
                feed.feed(&piece[..take]);
                cut.fed += take as u64;
            }
        }
        offset = end;
    }
    let stream = (header.sample_rate, header.channels, header.layout.bits);
    running
        .into_iter()
        .map(|cut| {
            let whole = cut.range.1.map_or(offset, |e| e.min(offset));
            if cut.range.0 > offset || whole.saturating_sub(cut.range.0) != cut.seen || cut.seen == 0 {
                return Err(CutError::EndsEarly);
            }
            let audio = TrackAudio { audio_id: AudioId::from_digest(cut.sha), frames: cut.seen / frame_bytes };
            Ok((cut.index, (vec![audio], cut.feed.and_then(Feed::finish), stream)))
        })
        .collect()
}

/// What happened to one track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Action {
    /// Its code was new to the ledger: adopted, its audio bound.
    Adopted,
    /// Its code was in the ledger: its audio bound to it (audio new to the ledger).
    Bound,
    /// The ledger already had all of it.
    Unchanged,
    /// It carries no code: nothing entered.
    Skipped,
    /// It contradicts the ledger: nothing entered from the carrier.
    Conflict,
}

impl Action {
    /// The word printed.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Action::Adopted => "adopted",
            Action::Bound => "bound",
            Action::Unchanged => "unchanged",
            Action::Skipped => "skipped",
            Action::Conflict => "conflict",
        }
    }
}

/// What adopting did (or would do) with one track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct TrackOutcome {
    /// The track number.
    pub track: u8,
    /// Its code.
    pub isrc: Option<String>,
    /// Its audio ids, the one as on the carrier first.
    pub audio_ids: Vec<String>,
    /// What was done.
    pub action: Action,
    /// Why, for a conflict or a skipped track.
    pub detail: Option<String>,
}

/// Where the carrier's text and the ledger's differ, the ledger kept (without `--update`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Difference {
    /// The code, or the release's UPC/EAN.
    pub what: String,
    /// The field.
    pub field: String,
    /// What the carrier says.
    pub carrier: String,
    /// What the ledger holds.
    pub ledger: String,
}

/// What adopting a carrier did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Adoption {
    /// Each track.
    pub tracks: Vec<TrackOutcome>,
    /// The release: `entered`, `updated`, `unchanged`, `differs` or `none` (no UPC/EAN or title).
    pub release: &'static str,
    /// Text the carrier gives otherwise than the ledger.
    pub differences: Vec<Difference>,
    /// Recordings whose missing title or performer the carrier filled in (or corrected, with `--update`).
    pub texts_filled: usize,
}

impl Adoption {
    /// Whether any track conflicts with the ledger.
    pub(crate) fn conflicts(&self) -> bool {
        self.tracks.iter().any(|t| t.action == Action::Conflict)
    }
}

/// Who adopts, and when, and whether the carrier's text corrects the ledger's.
#[derive(Debug, Clone)]
pub(crate) struct Adopter {
    /// `user@host`.
    pub user: String,
    /// Seconds since 1970.
    pub at: i64,
    /// `--update`: text the carrier gives otherwise replaces the ledger's.
    pub update: bool,
}

/// Adopts `carrier` ([`adopt`]) into the ledger at `location` in one transaction, rolled
/// back when a track conflicts (the outcome then lists every track). A ledger that does
/// not exist yet is made whole beside its place and put there only when the adoption
/// succeeds (`ledger::create_whole`), the scratch folders killed imports left removed
/// first.
pub(crate) fn adopt_at(
    location: &crate::ledger::Location,
    carrier: &Carrier,
    by: &Adopter,
) -> Result<Adoption, CarrierError> {
    /// Why the transaction rolled back: the ledger failed, or a track conflicts (the
    /// outcome kept to return).
    #[derive(Debug, thiserror::Error)]
    enum Failed {
        #[error(transparent)]
        Ledger(#[from] LedgerError),
        #[error("conflicts")]
        Conflicts(Box<Adoption>),
    }
    let run = |ledger: &mut dyn crate::ledger::Ledger| {
        ledger.transaction(|tx| {
            let adoption = adopt(tx, carrier, by)?;
            if adoption.conflicts() { Err(Failed::Conflicts(Box::new(adoption))) } else { Ok(adoption) }
        })
    };
    let result = match location.path() {
        Some(ledger_path) if !ledger_path.exists() => {
            // The scratch folders killed imports left (of lists or carriers) go first.
            crate::ledger::exchange::remove_stale_scratch(crate::base::replace::folder_of(ledger_path));
            crate::ledger::create_whole(ledger_path, run)?
        }
        _ => run(crate::ledger::open(location)?.as_mut()),
    };
    match result {
        Ok(adoption) => Ok(adoption),
        Err(Failed::Conflicts(adoption)) => Ok(*adoption),
        Err(Failed::Ledger(error)) => Err(error.into()),
    }
}

/// Decides every track of `carrier` against the ledger, then, when none conflicts,
/// writes: new codes adopted (origin `adopted`), audio ids bound with their fingerprints,
/// missing text filled, the release entered; each an event naming the carrier. With a
/// conflict nothing is written (the outcome lists every track), and the caller rolls back.
pub(crate) fn adopt(tx: &mut dyn LedgerTx, carrier: &Carrier, by: &Adopter) -> Result<Adoption, LedgerError> {
    let mut adoption = Adoption { release: "none", ..Adoption::default() };
    // Audio ids seen in the carrier so far, with their track: one audio on two codes is a conflict.
    let mut audio_seen: BTreeMap<AudioId, (u8, Option<Isrc>)> = BTreeMap::new();
    let mut plans = Vec::new();
    for track in &carrier.tracks {
        let ids: Vec<String> = track.audio.iter().map(|a| a.audio_id.to_string()).collect();
        let outcome = |action, detail: Option<String>| TrackOutcome {
            track: track.number,
            isrc: track.isrc.map(|c| c.to_string()),
            audio_ids: ids.clone(),
            action,
            detail,
        };
        let Some(code) = track.isrc else {
            adoption.tracks.push(outcome(Action::Skipped, Some("no valid ISRC on the carrier".into())));
            continue;
        };
        if track.audio.is_empty() {
            adoption.tracks.push(outcome(Action::Conflict, Some("its audio could not be read".into())));
            continue;
        }
        let mut conflict = None;
        for audio in &track.audio {
            if let Some((other, other_code)) = audio_seen.insert(audio.audio_id.clone(), (track.number, Some(code)))
                && other_code != Some(code)
            {
                conflict = Some(format!("track {other} has the same audio under another code"));
            }
        }
        let recording = tx.recording(code)?;
        let mut new_ids = Vec::new();
        for audio in &track.audio {
            match tx.code_for_audio(&audio.audio_id)? {
                Some(known) if known != code => {
                    conflict.get_or_insert(format!(
                        "the ledger has this audio as {known}, not {code}: correct the carrier, or the ledger \
                         (`isrc-stamp ledger unlink`)"
                    ));
                }
                Some(_) => {}
                None => new_ids.push(audio.clone()),
            }
        }
        let action = match &recording {
            Some(r) if r.status == Status::Void => {
                conflict
                    .get_or_insert(format!("{code} is void in the ledger: {}", r.void_reason.as_deref().unwrap_or("")));
                Action::Conflict
            }
            Some(_) if new_ids.len() == track.audio.len() => {
                let bound = tx.audio_for_code(code)?;
                if let Some(first) = bound.first() {
                    conflict.get_or_insert(format!(
                        "the ledger has {code} for other audio (first seen at {}): the carrier's track is not that \
                         recording's audio, sample for sample (another encoding of it? `isrc-stamp assign \
                         --same-recording-as {code}` its master first)",
                        first.first_path
                    ));
                }
                Action::Bound
            }
            Some(_) if new_ids.is_empty() => Action::Unchanged,
            Some(_) => Action::Bound,
            None => Action::Adopted,
        };
        match conflict {
            Some(detail) => adoption.tracks.push(outcome(Action::Conflict, Some(detail))),
            None => {
                adoption.tracks.push(outcome(action, None));
                plans.push((track, code, recording, new_ids));
            }
        }
    }
    if adoption.conflicts() {
        return Ok(adoption);
    }
    let event = |action: EventKind, track: &CarrierTrack, code: Isrc| NewEvent {
        isrc: Some(code),
        path: Some(track.path.clone()),
        detail: format!("{} {}, track {:02}", carrier.kind, carrier.source, track.number),
        ..NewEvent::new(&by.user, by.at, action)
    };
    for (track, code, recording, new_ids) in plans {
        match recording {
            None => {
                let new = NewRecording {
                    title: track.title.clone(),
                    artist: track.performer.clone().or_else(|| carrier.performer.clone()),
                    ..NewRecording::new(&by.user, by.at)
                };
                tx.adopt(code, Origin::Adopted, &new)?;
                tx.log(&event(EventKind::Adopted, track, code))?;
            }
            Some(recording) => fill_text(tx, carrier, track, &recording, by, &mut adoption)?,
        }
        for audio in new_ids {
            let (sample_rate, channels, bits) = track.stream;
            let record = AudioRecord {
                audio_id: audio.audio_id.clone(),
                isrc: code,
                frames: audio.frames,
                sample_rate,
                channels,
                bits,
                first_path: track.path.clone(),
                added_at: by.at,
                codec: track.codec.clone(),
            };
            tx.bind_audio(&record)?;
            if let Some(print) = &track.fingerprint {
                tx.store_fingerprint(&audio.audio_id, print)?;
            }
            tx.log(&NewEvent { audio_id: Some(audio.audio_id), ..event(EventKind::Linked, track, code) })?;
        }
    }
    enter_release(tx, carrier, by, &mut adoption)?;
    Ok(adoption)
}

/// Fills a recording's missing title and performer from the carrier; a value that
/// differs is a difference, or (`--update`) a correction.
fn fill_text(
    tx: &mut dyn LedgerTx,
    carrier: &Carrier,
    track: &CarrierTrack,
    recording: &crate::ledger::Recording,
    by: &Adopter,
    adoption: &mut Adoption,
) -> Result<(), LedgerError> {
    let code = recording.isrc;
    let performer = track.performer.clone().or_else(|| carrier.performer.clone());
    let mut edit = crate::ledger::MetadataEdit::default();
    let mut said = Vec::new();
    for (field, given, held, slot) in [
        ("title", &track.title, &recording.title, &mut edit.title),
        ("artist", &performer, &recording.artist, &mut edit.artist),
    ] {
        let Some(given) = given.as_ref().filter(|g| !g.trim().is_empty()) else { continue };
        match held {
            None => {
                *slot = Some(given.clone());
                said.push(format!("{field} {given:?}"));
            }
            Some(held) if held.trim() != given.trim() && by.update => {
                *slot = Some(given.clone());
                said.push(format!("{field} {held:?} -> {given:?}"));
            }
            Some(held) if held.trim() != given.trim() => adoption.differences.push(Difference {
                what: code.to_string(),
                field: field.to_owned(),
                carrier: given.clone(),
                ledger: held.clone(),
            }),
            Some(_) => {}
        }
    }
    if edit.is_empty() {
        return Ok(());
    }
    tx.edit_metadata(code, &edit)?;
    tx.log(&NewEvent {
        isrc: Some(code),
        detail: format!("{} (from {} {}, track {:02})", said.join(", "), carrier.kind, carrier.source, track.number),
        ..NewEvent::new(&by.user, by.at, if by.update { EventKind::Edit } else { EventKind::Fill })
    })?;
    adoption.texts_filled += 1;
    Ok(())
}

/// Enters the carrier's release (its UPC/EAN, album title and performer, its tracks with
/// codes as disc 1), or compares it with the one the ledger holds.
fn enter_release(
    tx: &mut dyn LedgerTx,
    carrier: &Carrier,
    by: &Adopter,
    adoption: &mut Adoption,
) -> Result<(), LedgerError> {
    let (Some(upc), Some(title)) = (carrier.catalog, carrier.title.clone().filter(|t| !t.trim().is_empty())) else {
        return Ok(());
    };
    let tracks: Vec<ReleaseTrack> = carrier
        .tracks
        .iter()
        .filter_map(|t| Some(ReleaseTrack { disc: 1, number: u32::from(t.number), isrc: t.isrc? }))
        .collect();
    let release = Release {
        upc,
        title,
        artist: carrier.performer.clone(),
        label: None,
        date: None,
        p_line: None,
        c_line: None,
        created_at: by.at,
        tracks,
    };
    let listed =
        |r: &Release| r.tracks.iter().map(|t| format!("{}-{} {}", t.disc, t.number, t.isrc)).collect::<Vec<_>>();
    let differ: Vec<(&str, String, String)> = match tx.release(&upc)? {
        None => Vec::new(),
        Some(held) => [
            ("title", release.title.clone(), held.title.clone()),
            ("artist", release.artist.clone().unwrap_or_default(), held.artist.clone().unwrap_or_default()),
            ("tracks", listed(&release).join(", "), listed(&held).join(", ")),
        ]
        .into_iter()
        .filter(|(field, carrier, ledger)| carrier != ledger && !(*field == "artist" && carrier.is_empty()))
        .collect(),
    };
    let held = tx.release(&upc)?;
    if held.is_some() && differ.is_empty() {
        adoption.release = "unchanged";
        return Ok(());
    }
    if held.is_some() && !by.update {
        adoption.release = "differs";
        adoption.differences.extend(differ.into_iter().map(|(field, carrier, ledger)| Difference {
            what: upc.as_typed().to_owned(),
            field: field.to_owned(),
            carrier,
            ledger,
        }));
        return Ok(());
    }
    // A held release keeps its label, lines and date: the carrier does not carry them.
    let release = match held {
        Some(held) => {
            Release { label: held.label, date: held.date, p_line: held.p_line, c_line: held.c_line, ..release }
        }
        None => release,
    };
    let new = tx.put_release(&release)?;
    adoption.release = if new { "entered" } else { "updated" };
    for track in &release.tracks {
        tx.log(&NewEvent {
            isrc: Some(track.isrc),
            detail: format!(
                "release {} {:?}: disc {} track {} (from {} {})",
                upc.as_typed(),
                release.title,
                track.disc,
                track.number,
                carrier.kind,
                carrier.source
            ),
            ..NewEvent::new(&by.user, by.at, EventKind::Release)
        })?;
    }
    Ok(())
}

/// Whether `path` is a carrier `ledger import` adopts rather than a list: a DDP image's
/// folder, or a CUE sheet (by its extension).
pub(crate) fn is_carrier(path: &Path) -> bool {
    super::ddp::is_image(path) || is_cue(path)
}

/// Whether `path` names a CUE sheet (`.cue`, any case).
pub(crate) fn is_cue(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("cue"))
}

/// Reads the carrier at `path`: a DDP image's folder or a CUE sheet.
pub(crate) fn read(path: &Path) -> Result<Carrier, CarrierError> {
    if super::ddp::is_image(path) { read_ddp(path) } else { read_cue(path) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{Ledger, Lookup, SqliteLedger};

    fn code(n: u32) -> Isrc {
        Isrc::parse(&format!("DEXYZ24{n:05}")).unwrap()
    }

    fn audio(n: u8) -> TrackAudio {
        TrackAudio {
            audio_id: AudioId::parse(&format!("pcm1:{}", format!("{n:02x}").repeat(32))).unwrap(),
            frames: 588,
        }
    }

    fn track(number: u8, isrc: Option<Isrc>, ids: &[u8]) -> CarrierTrack {
        CarrierTrack {
            number,
            isrc,
            title: Some(format!("Song {number}")),
            performer: None,
            audio: ids.iter().map(|&n| audio(n)).collect(),
            stream: (44_100, 2, 16),
            codec: Some("pcm_s16le".into()),
            path: "image/IMAGE.DAT".into(),
            fingerprint: None,
        }
    }

    fn carrier(tracks: Vec<CarrierTrack>) -> Carrier {
        Carrier {
            source: "image".into(),
            kind: "DDP image",
            catalog: Some(Catalog::parse("4050538793819").unwrap()),
            title: Some("Castle Nights".into()),
            performer: Some("Drascula Band".into()),
            tracks,
            ..Carrier::default()
        }
    }

    fn by(update: bool) -> Adopter {
        Adopter { user: "anna@room-2".into(), at: 1_800_000_000, update }
    }

    /// Adopts in a transaction that commits only without conflicts, as the command does.
    fn run(ledger: &mut SqliteLedger, carrier: &Carrier, update: bool) -> Adoption {
        let ledger: &mut dyn Ledger = ledger;
        let mut kept = None;
        let result: Result<Adoption, LedgerError> = ledger.transaction(|tx| {
            let adoption = adopt(tx, carrier, &by(update))?;
            if adoption.conflicts() {
                kept = Some(adoption);
                return Err(LedgerError::NothingToEdit(code(0)));
            }
            Ok(adoption)
        });
        result.unwrap_or_else(|_| kept.expect("a conflict"))
    }

    fn actions(adoption: &Adoption) -> Vec<Action> {
        adoption.tracks.iter().map(|t| t.action).collect()
    }

    #[test]
    fn a_carrier_is_adopted_once_and_then_unchanged() {
        let mut ledger = SqliteLedger::open_in_memory().unwrap();
        let disc = carrier(vec![track(1, Some(code(1)), &[1, 2]), track(2, None, &[3]), track(3, Some(code(3)), &[4])]);
        let adoption = run(&mut ledger, &disc, false);
        assert_eq!(actions(&adoption), [Action::Adopted, Action::Skipped, Action::Adopted]);
        assert_eq!(adoption.release, "entered");
        assert_eq!(ledger.code_for_audio(&audio(2).audio_id).unwrap(), Some(code(1)), "both audio ids bound");
        let recording = ledger.recording(code(1)).unwrap().unwrap();
        assert_eq!((recording.origin, recording.title.as_deref()), (Origin::Adopted, Some("Song 1")));
        assert_eq!(recording.artist.as_deref(), Some("Drascula Band"), "the album performer when the track has none");
        let release = ledger.release(&Catalog::parse("4050538793819").unwrap()).unwrap().unwrap();
        assert_eq!(release.tracks.iter().map(|t| (t.number, t.isrc)).collect::<Vec<_>>(), [(1, code(1)), (3, code(3))]);

        let again = run(&mut ledger, &disc, false);
        assert_eq!(actions(&again), [Action::Unchanged, Action::Skipped, Action::Unchanged]);
        assert_eq!(again.release, "unchanged");
    }

    #[test]
    fn the_usual_conflicts_write_nothing() {
        let mut ledger = SqliteLedger::open_in_memory().unwrap();
        run(&mut ledger, &carrier(vec![track(1, Some(code(1)), &[1]), track(2, Some(code(2)), &[2])]), false);
        let before = ledger.recordings().unwrap();
        // Track 1's audio under another code; track 2's code on other audio; a new code beside them.
        let forged =
            carrier(vec![track(1, Some(code(9)), &[1]), track(2, Some(code(2)), &[7]), track(3, Some(code(3)), &[8])]);
        let adoption = run(&mut ledger, &forged, false);
        assert_eq!(actions(&adoption), [Action::Conflict, Action::Conflict, Action::Adopted]);
        assert!(adoption.tracks[0].detail.as_deref().unwrap().contains(&format!("this audio as {}", code(1))));
        assert!(adoption.tracks[1].detail.as_deref().unwrap().contains("for other audio"));
        assert_eq!(ledger.recordings().unwrap(), before, "nothing written");
        assert_eq!(ledger.code_for_audio(&audio(8).audio_id).unwrap(), None);

        // A void code; one audio on two codes within the carrier.
        let dynamic: &mut dyn Ledger = &mut ledger;
        dynamic.transaction(|tx| tx.void(code(2), "issued twice")).unwrap();
        let adoption = run(&mut ledger, &carrier(vec![track(2, Some(code(2)), &[2])]), false);
        assert_eq!(actions(&adoption), [Action::Conflict]);
        assert!(adoption.tracks[0].detail.as_deref().unwrap().contains("void"));
        let twice = carrier(vec![track(1, Some(code(5)), &[5]), track(2, Some(code(6)), &[5])]);
        assert_eq!(actions(&run(&mut ledger, &twice, false))[1], Action::Conflict);
    }

    #[test]
    fn text_fills_what_the_ledger_lacks_and_differences_are_kept_unless_updated() {
        let mut ledger = SqliteLedger::open_in_memory().unwrap();
        let mut first = carrier(vec![track(1, Some(code(1)), &[1])]);
        first.tracks[0].title = None;
        first.performer = None;
        first.title = None;
        assert_eq!(run(&mut ledger, &first, false).release, "none", "no album title: no release");
        let later = carrier(vec![track(1, Some(code(1)), &[1])]);
        let adoption = run(&mut ledger, &later, false);
        assert_eq!((adoption.texts_filled, adoption.release), (1, "entered"));
        assert_eq!(ledger.recording(code(1)).unwrap().unwrap().title.as_deref(), Some("Song 1"));

        let mut renamed = carrier(vec![track(1, Some(code(1)), &[1])]);
        renamed.tracks[0].title = Some("Song One".into());
        renamed.title = Some("Castle Nights (Deluxe)".into());
        let adoption = run(&mut ledger, &renamed, false);
        let fields: Vec<&str> = adoption.differences.iter().map(|d| d.field.as_str()).collect();
        assert_eq!((fields.as_slice(), adoption.release), (["title", "title"].as_slice(), "differs"));
        assert_eq!(ledger.recording(code(1)).unwrap().unwrap().title.as_deref(), Some("Song 1"), "kept");
        let adoption = run(&mut ledger, &renamed, true);
        assert_eq!((adoption.texts_filled, adoption.release), (1, "updated"));
        assert_eq!(ledger.recording(code(1)).unwrap().unwrap().title.as_deref(), Some("Song One"));
    }
}
