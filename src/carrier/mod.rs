//! What carries the codes to the plant and the label: CUE sheets ([`cue`]), built from an
//! album of masters in track order ([`album`]).

pub(crate) mod album;
pub mod cue;
