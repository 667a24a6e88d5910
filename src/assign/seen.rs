//! What `assign` remembers of the files it has decided, so that a rerun need not decode
//! what has not changed: per file identity on disk (device, inode, size, modification and
//! change times in nanoseconds, [`Identity`]), its audio facts and the code it was left
//! carrying.
//!
//! A file whose identity is exactly as remembered is not decoded again; it still has its
//! tags read, and the decision still asks the ledger. It is trusted only when the ledger
//! binds its remembered audio id to the very code its tags carry in every location:
//! anything else (a binding undone, a tag changed) and it is decoded like a new file.
//! Writing a file in any way changes its change time, which only the kernel sets, so a
//! touched or rewritten file (even one sample, same size) is always decoded. `verify`
//! never uses this: it is the proof. `assign --rehash` decodes everything.
//!
//! Where it lives: beside an SQLite ledger (`LEDGER-seen.json`), else in the user's
//! cache folder, one file per ledger location. It is a cache, not a record: never
//! exported, safe to delete, and a damaged one is taken as empty.

use std::collections::HashMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::audio::{AudioFacts, SampleKind, SampleLayout, StreamHeader};
use crate::base::ids::AudioId;
use crate::base::stamp::Identity;
use crate::container::Format;
use crate::ledger::Location;

/// One remembered file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    identity: Identity,
    format: String,
    codec: String,
    sample_rate: u32,
    channels: u16,
    bits: u16,
    float: bool,
    frames: u64,
    audio_id: AudioId,
    isrc: String,
}

/// The remembered files of one ledger.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    /// Where it is kept, `None` when nowhere could be found.
    path: Option<PathBuf>,
    /// By device and inode.
    entries: HashMap<(u64, u64), Entry>,
}

impl Seen {
    /// What is remembered for the ledger at `location` (nothing, if none or damaged).
    pub(crate) fn load(location: &Location) -> Seen {
        let path = place(location);
        let entries = path
            .as_deref()
            .and_then(|path| std::fs::read(path).ok())
            .and_then(|bytes| serde_json::from_slice::<Vec<Entry>>(&bytes).ok())
            .unwrap_or_default()
            .into_iter()
            .map(|entry| ((entry.identity.device, entry.identity.inode), entry))
            .collect();
        Seen { path, entries }
    }

    /// The audio facts and code remembered for exactly this identity.
    pub(crate) fn known(&self, identity: &Identity) -> Option<(AudioFacts, String)> {
        let entry = self.entries.get(&(identity.device, identity.inode)).filter(|e| &e.identity == identity)?;
        let kind = if entry.float { SampleKind::Float } else { SampleKind::Int };
        let facts = AudioFacts {
            format: Format::from_name(&entry.format)?,
            codec: entry.codec.clone(),
            stream: StreamHeader {
                sample_rate: entry.sample_rate,
                channels: entry.channels,
                layout: SampleLayout { kind, bits: entry.bits },
            },
            frames: entry.frames,
            audio_id: entry.audio_id.clone(),
            pcm_md5: None,
            stored_md5: None,
            fingerprint: None,
        };
        Some((facts, entry.isrc.clone()))
    }

    /// Remembers a file left carrying `isrc`, with its identity now.
    pub(crate) fn record(&mut self, identity: Identity, audio: &AudioFacts, isrc: &str) {
        let entry = Entry {
            identity,
            format: audio.format.as_str().to_owned(),
            codec: audio.codec.clone(),
            sample_rate: audio.stream.sample_rate,
            channels: audio.stream.channels,
            bits: audio.stream.layout.bits,
            float: audio.stream.layout.kind == SampleKind::Float,
            frames: audio.frames,
            audio_id: audio.audio_id.clone(),
            isrc: isrc.to_owned(),
        };
        self.entries.insert((identity.device, identity.inode), entry);
    }

    /// Writes what is remembered (whole or not at all). A cache that cannot be written
    /// costs only the next run's decoding, so the caller warns and goes on.
    pub(crate) fn save(&self) -> Result<(), SaveError> {
        let Some(path) = &self.path else { return Ok(()) };
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)?;
        }
        let mut entries: Vec<&Entry> = self.entries.values().collect();
        entries.sort_by_key(|e| (e.identity.device, e.identity.inode));
        Ok(crate::base::replace::write_atomically(path, |out| serde_json::to_writer(out, &entries))?)
    }
}

/// Why the remembered files could not be saved.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SaveError {
    /// Its folder could not be made.
    #[error(transparent)]
    Folder(#[from] std::io::Error),
    /// The file could not be written.
    #[error(transparent)]
    Write(#[from] crate::base::replace::ReplaceError),
}

/// Where the remembered files of a ledger are kept.
pub(crate) fn place(location: &Location) -> Option<PathBuf> {
    if let Some(ledger) = location.path() {
        let mut name = ledger.file_name()?.to_os_string();
        name.push("-seen.json");
        return Some(ledger.with_file_name(name));
    }
    let dirs = directories::ProjectDirs::from("", "", "isrc-stamp")?;
    let key = crate::base::ids::hex(&sha2_of(location.to_string().as_bytes())[..8]);
    Some(dirs.cache_dir().join(format!("seen-{key}.json")))
}

/// SHA-256 of `bytes`.
fn sha2_of(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).to_vec()
}
