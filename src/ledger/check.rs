//! The ledger proving itself, written once for every backend.
//!
//! - [`confirm_lookups`]: before a write transaction commits, every audio id it looked
//!   up is read again through the ledger's other indexes (its code's recording, the
//!   code's list of audio ids, the fingerprint index), a few index seeks per file. A
//!   damaged index that hid a binding, or a damaged table behind it, then stops the
//!   commit instead of letting a second code be issued for the same audio.
//! - [`invariants`]: what `ledger check` asks of the whole ledger beside the backend's
//!   own structural check: one code per audio id, every audio id's code in the ledger,
//!   issued codes inside their prefix's range, and a history that agrees with each
//!   code's status.

use std::collections::HashMap;

use super::error::{LedgerError, Result};
use super::types::{EventKind, Origin, Status};
use super::{LedgerTx, Lookup};
use crate::base::ids::AudioId;
use crate::isrc::Isrc;

/// Most audio ids one transaction re-checks before it commits; a bigger transaction
/// (an import) is checked by the backend's own constraints alone.
pub(crate) const MAX_CONFIRMED: usize = 100_000;

/// Reads every audio id in `looked_up` again, inside `tx` and after its writes, through
/// the other indexes: a code bound to it must name a recording that lists it among its
/// audio ids; an audio id bound to no code must have no stored fingerprint (a
/// fingerprint is only ever stored for bound audio). Any disagreement is
/// [`LedgerError::Damaged`].
pub(crate) fn confirm_lookups(tx: &mut dyn LedgerTx, looked_up: &[AudioId]) -> Result<()> {
    // Each code's list of audio ids is read once, however many of its audio ids were
    // looked up (an import of thousands of audio ids of one code stays linear).
    let mut listed: HashMap<Isrc, std::collections::HashSet<AudioId>> = HashMap::new();
    for audio_id in looked_up {
        match tx.code_for_audio(audio_id)? {
            Some(code) => {
                if let std::collections::hash_map::Entry::Vacant(slot) = listed.entry(code) {
                    if tx.recording(code)?.is_none() {
                        return Err(LedgerError::Damaged(format!(
                            "audio id {audio_id} is bound to {code}, which the ledger's recordings do not hold"
                        )));
                    }
                    slot.insert(tx.audio_for_code(code)?.into_iter().map(|audio| audio.audio_id).collect());
                }
                if !listed.get(&code).is_some_and(|ids| ids.contains(audio_id)) {
                    return Err(LedgerError::Damaged(format!(
                        "audio id {audio_id} is bound to {code}, but {code}'s audio ids do not include it"
                    )));
                }
            }
            None if tx.fingerprint(audio_id)?.is_some() => {
                return Err(LedgerError::Damaged(format!(
                    "audio id {audio_id} has a stored fingerprint but its binding to a code is not found"
                )));
            }
            None => {}
        }
    }
    Ok(())
}

/// The ledger's own invariants over everything it holds, one line per finding (empty
/// when all hold). Reads every recording and its audio ids and history once.
pub(crate) fn invariants(lookup: &mut dyn Lookup) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let ranges: HashMap<_, _> = lookup.prefixes()?.into_iter().map(|p| (p.prefix, p.range)).collect();
    let mut owner: HashMap<AudioId, Isrc> = HashMap::new();
    for recording in lookup.recordings()? {
        let code = recording.isrc;
        if recording.origin == Origin::Issued
            && let Some(range) = ranges.get(&code.prefix())
            && !(range.first..=range.last).contains(&code.designation())
        {
            problems.push(format!("{code} was issued outside its prefix's range {range}"));
        }
        if let Some(parent) = recording.parent
            && lookup.recording(parent)?.is_none()
        {
            problems.push(format!("{code} is a version of {parent}, which is not in the ledger"));
        }
        for audio in lookup.audio_for_code(code)? {
            if audio.isrc != code {
                problems
                    .push(format!("audio id {} is listed under {code} but bound to {}", audio.audio_id, audio.isrc));
            }
            match lookup.code_for_audio(&audio.audio_id)? {
                Some(bound) if bound == code => {}
                Some(bound) => problems
                    .push(format!("audio id {} is listed under {code} but its binding names {bound}", audio.audio_id)),
                None => problems.push(format!("audio id {} is listed under {code} but has no binding", audio.audio_id)),
            }
            if let Some(first) = owner.insert(audio.audio_id.clone(), code)
                && first != code
            {
                problems.push(format!("audio id {} has two codes: {first} and {code}", audio.audio_id));
            }
        }
        let voided = lookup.events_for(code)?.iter().filter(|event| event.action == EventKind::Void).count();
        match (recording.status, voided) {
            (Status::Void, 0) => problems.push(format!("{code} is void but its history has no void event")),
            (Status::Active, n) if n > 0 => problems.push(format!("{code} is active but its history voided it")),
            _ => {}
        }
    }
    Ok(problems)
}
