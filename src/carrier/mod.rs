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

pub(crate) mod adopt;
pub(crate) mod album;
pub mod cue;
pub mod ddp;
pub(crate) mod disc;
mod error;
pub mod pq;
mod problem;

pub use error::{CarrierError, CutError};
pub(crate) use problem::id_enum;
pub use problem::{Problem, ProblemId, UnknownId};
