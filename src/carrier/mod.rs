//! What carries the codes to the plant and the label once they leave the masters
//! (DESIGN.md section 9), built from an album of masters in track order ([`album`]):
//!
//! - [`cue`]: CUE sheets, one `FILE` per track.
//! - [`ddp`]: DDP 2.00 images, the deliverable CD pressing plants take, written from a
//!   [`ddp::DiscPlan`] and read back for checking. The ISRCs a CD carries are the ones in
//!   its PQ data, so this is where a code reaches the disc.
//! - [`pq`]: the printable PQ sheet the plant checks the image against.
//! - `disc`: a disc planned from an album of masters, its codes checked against the
//!   ledger, and its image written as a whole folder or not at all.
//!
//! `ddp` and `pq` are pure library code: no command-line parsing, no terminal output.
//! Problems are returned as [`Problem`] lists rather than stopping at the first, because
//! a person fixing a master wants to see everything that is wrong at once.

use serde::Serialize;

pub(crate) mod adopt;
pub(crate) mod album;
pub mod cue;
pub mod ddp;
pub(crate) mod disc;
pub mod pq;

/// One thing wrong with a plan or an image: a stable id (like `ddp-checksum`) for tools
/// and tests, and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Stable identifier of the rule broken, like `redbook-sample-rate` or `ddp-structure`.
    pub id: &'static str,
    /// The track it is about, when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub track: Option<u8>,
    /// What is wrong, where, and what to do about it.
    pub message: String,
}

impl Problem {
    /// A problem with the given id and message.
    pub fn new(id: &'static str, message: impl Into<String>) -> Problem {
        Problem { id, track: None, message: message.into() }
    }

    /// A problem about one track.
    pub fn for_track(id: &'static str, track: u8, message: impl Into<String>) -> Problem {
        Problem { id, track: Some(track), message: message.into() }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {}", self.id, self.message)
    }
}
