//! What the ledger knows about one file: the code its audio id is bound to, and the
//! standing of the code its tags carry. `assign` decides on these facts and `verify`
//! judges by them, so both read the ledger the same way, through [`facts_about`].

use super::Lookup;
use super::error::Result;
use super::types::{CodeFacts, FileFacts, Status};
use crate::base::ids::AudioId;
use crate::isrc::Isrc;

/// Reads the facts about a file whose audio id is `audio_id` and whose tags carry `carried`.
pub fn facts_about(lookup: &mut dyn Lookup, audio_id: &AudioId, carried: Option<Isrc>) -> Result<FileFacts> {
    let mut code_for_audio = lookup.code_for_audio(audio_id)?;
    let mut void_code_for_audio = None;
    if let Some(code) = code_for_audio
        && lookup.recording(code)?.is_some_and(|recording| recording.status == Status::Void)
    {
        void_code_for_audio = code_for_audio.take();
    }
    let mut facts = CodeFacts::default();
    if let Some(code) = carried
        && let Some(recording) = lookup.recording(code)?
    {
        facts.status = Some(recording.status);
        let audio = lookup.audio_for_code(code)?;
        facts.bound_here = audio.iter().any(|a| &a.audio_id == audio_id);
        facts.bound_elsewhere = audio.iter().any(|a| &a.audio_id != audio_id);
    }
    Ok(FileFacts { code_for_audio, void_code_for_audio, carried: facts })
}
