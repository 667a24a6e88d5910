//! The ledger's own operations behind `ledger edit`, `void`, `unlink`, `import` and
//! `release add`/`edit`/`remove`: each
//! one transaction, its events logged, on any backend. The commands decide what to ask
//! (and decode a file to its audio id first) and print what was done; what is written,
//! and in which transaction, is decided here.

use super::exchange::{self, ImportError, ImportOptions, ImportSummary};
use super::{
    EventKind, Ledger, LedgerError, LedgerTx, Location, MetadataEdit, NewEvent, ParentalWarning, Recording, Release,
    ReleaseTrack, Status,
};
use crate::base::ids::AudioId;
use crate::isrc::Isrc;

/// A text for an event: quoted, or `(none)`.
fn shown(value: &Option<String>) -> String {
    value.as_ref().map_or_else(|| "(none)".to_owned(), |v| format!("{v:?}"))
}

/// The fields `ledger edit` (or a fill) changed, as its event says them: `title (none) ->
/// "Song"; p_date "2024" -> "2024-05-17"`.
pub fn changes(before: &Recording, after: &Recording) -> Vec<String> {
    let word = |value: Option<&str>| value.map(str::to_owned);
    let (b, a) = (&before.publication, &after.publication);
    let fields = [
        ("title", before.title.clone(), after.title.clone()),
        ("artist", before.artist.clone(), after.artist.clone()),
        ("version", before.version_note.clone(), after.version_note.clone()),
        ("content_type", Some(b.content_type.to_string()), Some(a.content_type.to_string())),
        ("p_date", b.p_date.clone(), a.p_date.clone()),
        ("p_line", b.p_line(), a.p_line()),
        (
            "parental_warning",
            word(b.parental_warning.map(ParentalWarning::as_str)),
            word(a.parental_warning.map(ParentalWarning::as_str)),
        ),
    ];
    fields
        .iter()
        .filter(|(_, was, is)| was != is)
        .map(|(name, was, is)| format!("{name} {} -> {}", shown(was), shown(is)))
        .collect()
}

/// Changes what the ledger keeps of `isrc` (`ledger edit`), with an `edit` event by
/// `user` saying what was and what is, in one transaction: the recording as it is now,
/// and the event's detail (`no change` when nothing changed).
pub fn edit(
    ledger: &mut dyn Ledger,
    isrc: Isrc,
    edit: &MetadataEdit,
    user: &str,
) -> super::Result<(Recording, String)> {
    ledger.transaction(|tx| {
        let before = tx.recording(isrc)?;
        let after = tx.edit_metadata(isrc, edit)?;
        let before = before.ok_or(LedgerError::UnknownCode(isrc))?;
        let changes = changes(&before, &after);
        let detail = if changes.is_empty() { "no change".to_owned() } else { changes.join("; ") };
        tx.log(&NewEvent {
            isrc: Some(isrc),
            detail: detail.clone(),
            ..NewEvent::new(user, super::now(), EventKind::Edit)
        })?;
        Ok((after, detail))
    })
}

/// Which codes [`void`] withdraws.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Voiding {
    /// These codes.
    Codes(Vec<Isrc>),
    /// Every code this `assign` run issued.
    Run(i64),
}

/// Why [`void`] withdrew nothing.
#[derive(Debug, thiserror::Error)]
pub enum NotVoided {
    /// The ledger failed.
    #[error("{0}")]
    Ledger(#[from] LedgerError),
    /// A code is not in the ledger or void already, or the run is not in the ledger: a
    /// finding, said in these words.
    #[error("nothing voided: {0}")]
    Refused(String),
}

/// Withdraws codes (`ledger void`) with `reason`, each with a `void` event by `user`: all
/// in one transaction, or none (refused when a code is not in the ledger or void
/// already, or the run is not). A run's codes that are void already are passed over, so
/// taking a run back twice does no harm. Each code voided, with the number of audio ids
/// bound to it.
pub fn void(
    ledger: &mut dyn Ledger,
    which: &Voiding,
    reason: &str,
    user: &str,
) -> Result<Vec<(Isrc, usize)>, NotVoided> {
    ledger.transaction(|tx| {
        let codes = match which {
            Voiding::Codes(codes) => {
                let mut problems = Vec::new();
                for &isrc in codes {
                    match tx.recording(isrc)? {
                        None => problems.push(format!("{isrc} is not in the ledger")),
                        Some(recording) if recording.status == Status::Void => {
                            problems.push(format!("{isrc} is already void"));
                        }
                        Some(_) => {}
                    }
                }
                if !problems.is_empty() {
                    return Err(NotVoided::Refused(problems.join("; ")));
                }
                let mut codes = codes.clone();
                codes.dedup();
                codes
            }
            Voiding::Run(run) => codes_issued_by(tx, *run)?,
        };
        let mut voided = Vec::new();
        for isrc in codes {
            tx.void(isrc, reason)?;
            tx.log(&NewEvent {
                isrc: Some(isrc),
                detail: reason.to_owned(),
                ..NewEvent::new(user, super::now(), EventKind::Void)
            })?;
            voided.push((isrc, tx.audio_for_code(isrc)?.len()));
        }
        Ok::<_, NotVoided>(voided)
    })
}

/// The codes run `run` issued that are still active, in the order it issued them; a
/// run the ledger does not hold is refused.
fn codes_issued_by(tx: &mut dyn LedgerTx, run: i64) -> Result<Vec<Isrc>, NotVoided> {
    let events = tx.events_of_run(run)?;
    if events.is_empty() && !tx.runs(usize::MAX)?.iter().any(|r| r.run == run) {
        return Err(NotVoided::Refused(format!("run {run} is not in the ledger (see `isrc-stamp ledger runs`)")));
    }
    let mut codes = Vec::new();
    for isrc in events.iter().filter(|event| event.action == EventKind::Issued).filter_map(|event| event.isrc) {
        let active = tx.recording(isrc)?.is_some_and(|recording| recording.status == Status::Active);
        if active && !codes.contains(&isrc) {
            codes.push(isrc);
        }
    }
    Ok(codes)
}

/// Removes `audio_id`'s binding (`ledger unlink`: a link made by mistake) with an `unlink`
/// event by `user` naming `path` (the file it was decoded from, if any) and `reason`; the
/// code and its other audio stay. The code it was bound to; [`LedgerError::UnknownAudio`]
/// when it is not bound.
pub fn unlink(
    ledger: &mut dyn Ledger,
    audio_id: &AudioId,
    path: Option<&str>,
    reason: &str,
    user: &str,
) -> super::Result<Isrc> {
    ledger.transaction(|tx| {
        let isrc = tx.unbind_audio(audio_id)?;
        tx.log(&NewEvent {
            isrc: Some(isrc),
            audio_id: Some(audio_id.clone()),
            path: path.map(str::to_owned),
            detail: reason.to_owned(),
            ..NewEvent::new(user, super::now(), EventKind::Unlink)
        })?;
        Ok::<_, LedgerError>(isrc)
    })
}

/// Imports the rows `staged` holds (`ledger import`, read from `source`) into the ledger at
/// `location`, in one transaction ([`exchange::import`]). A new SQLite ledger is made
/// whole beside its place and put there only once the import is done
/// (`sqlite::create_whole`): a killed import leaves no ledger it did not finish.
/// The outer error: the new ledger could not be made or put in place.
pub fn import(
    location: &Location,
    staged: &mut exchange::Staged,
    source: &str,
    options: &ImportOptions,
) -> Result<Result<ImportSummary, ImportError>, super::CreateError> {
    match location.path() {
        Some(path) if !path.exists() => {
            super::create_whole(path, |ledger| ledger.transaction(|tx| exchange::import(tx, staged, source, options)))
        }
        _ => {
            let mut ledger = super::open(location)?;
            Ok(ledger.transaction(|tx| exchange::import(tx, staged, source, options)))
        }
    }
}

/// One `release` event per track code, `detail` naming the release.
fn log_tracks(tx: &mut dyn LedgerTx, tracks: &[ReleaseTrack], user: &str, detail: &str) -> Result<(), LedgerError> {
    let at = super::now();
    for track in tracks {
        tx.log(&NewEvent {
            isrc: Some(track.isrc),
            detail: format!("{detail}: disc {} track {}", track.disc, track.number),
            ..NewEvent::new(user, at, EventKind::Release)
        })?;
    }
    Ok(())
}

/// Enters `release` (`release add`) in one transaction: refused when another process
/// entered it meanwhile; a `release` event per code; its date and (P) line given to its
/// codes that have none. Returns how many codes were given something.
pub fn enter_release(
    ledger: &mut dyn Ledger,
    release: &Release,
    user: &str,
    detail: &str,
) -> Result<usize, LedgerError> {
    ledger.transaction(|tx| {
        if !tx.put_release(release)? {
            return Err(LedgerError::InvalidRelease {
                upc: release.upc.as_typed().to_owned(),
                reason: "it was entered meanwhile by someone else".into(),
            });
        }
        log_tracks(tx, &release.tracks, user, detail)?;
        Ok(super::fill_from_release(tx, release, user, super::now(), "release add")?.len())
    })
}

/// Changes a release from `before` to `after` (`release edit`) in one transaction: a
/// `release` event on every code it had or now has; what it gives its codes that have
/// none, given. Returns how many codes were given something.
pub fn change_release(
    ledger: &mut dyn Ledger,
    before: &Release,
    after: &Release,
    user: &str,
    detail: &str,
) -> Result<usize, LedgerError> {
    ledger.transaction(|tx| {
        tx.put_release(after)?;
        let mut touched = before.tracks.clone();
        touched.extend(after.tracks.iter().filter(|t| !before.tracks.iter().any(|b| b.isrc == t.isrc)));
        log_tracks(tx, &touched, user, detail)?;
        Ok(super::fill_from_release(tx, after, user, super::now(), "release edit")?.len())
    })
}

/// Takes `release` out (`release remove`) in one transaction, with a `release` event per
/// code; its codes stay.
pub fn remove_release(ledger: &mut dyn Ledger, release: &Release, user: &str, detail: &str) -> Result<(), LedgerError> {
    ledger.transaction(|tx| {
        tx.remove_release(&release.upc)?;
        log_tracks(tx, &release.tracks, user, detail)
    })
}
