//! Acoustic fingerprints: recognising the same recording in another encoding, sample
//! rate or bit depth, where the audio id (an exact hash) differs.
//!
//! A [`Fingerprint`] is the Chromaprint fingerprint (rusty-chromaprint's default
//! configuration, `preset_test2`, the one AcoustID uses) of the first
//! [`MAX_SECONDS`] of a file: one 32-bit item per [`ITEM_SECONDS`] (about 0.124 s) of
//! audio. It is computed in the same decode pass as the audio id
//! ([`crate::audio::analyze_with`], through its fingerprint feed).
//!
//! # Comparing
//!
//! [`align`] compares two fingerprints like AcoustID does: for every offset at which
//! they overlap by at least [`MIN_OVERLAP_ITEMS`] (10 s, or the whole of a shorter
//! fingerprint), the bit error rate `BER = popcount(a[i] ^ b[i - offset]) / (32 ×
//! overlap)`; the best alignment is the offset with the lowest BER. Unrelated audio
//! scores about 0.5 (random bits), the same audio 0.
//!
//! [`compare`] turns an alignment and the two durations into a [`Verdict`]:
//!
//! - **same recording**: BER ≤ [`MATCH_BER`] over the overlap and durations within
//!   [`EDIT_SECONDS`] (10 s, the threshold PPL and the US agency use): the code should
//!   be shared;
//! - **likely edit**: durations more than 10 s apart, and either the whole overlap
//!   matches (BER ≤ [`MATCH_BER`]: an intro or an ending cut) or a stretch of at least
//!   [`MIN_SEGMENT_ITEMS`] (10 s) does, block by block of [`BLOCK_ITEMS`] (about 1 s)
//!   each at BER ≤ [`MATCH_BER`] (a section cut out of the middle): a new code is due;
//! - **no match** otherwise (also a partial match between audio of about the same
//!   length: that is other material, not an edit).
//!
//! The thresholds and the measurements behind them are in `bench/thresholds.md`: every
//! copy measured stays far below [`MATCH_BER`], unrelated music far above it.
//!
//! A fingerprint with little variety (silence, a steady tone: fewer than
//! [`MIN_DISTINCT`] distinct items) matches too easily and is never called a match.
//!
//! # Finding candidates cheaply
//!
//! [`Fingerprint::keys`] picks a small, content-defined sample of the items (those whose
//! mixed hash falls in one of [`KEY_SAMPLING`](crate::base::ids::KEY_SAMPLING) buckets,
//! at most [`MAX_KEYS`](crate::base::ids::MAX_KEYS)): the same audio in another encoding yields many of the same items, wherever they sit in time,
//! so it shares keys. The ledger indexes these keys, and a new fingerprint is compared
//! in full only with the few recordings that share keys with it (see
//! `Lookup::fingerprint_candidates` in the ledger).

pub(crate) mod group;

use std::time::Duration;

use rusty_chromaprint::{Configuration, Fingerprinter};

use crate::base::ids::{Fingerprint, ITEM_SECONDS};

/// Seconds of audio fingerprinted, from the start: bounds the cost on long files.
pub const MAX_SECONDS: u32 = 120;

/// The least overlap compared: 10 s of items (or all of a shorter fingerprint).
pub const MIN_OVERLAP_ITEMS: usize = 81;

/// The least items a fingerprint must have to be compared at all (5 s).
pub const MIN_ITEMS: usize = 40;

/// The highest bit error rate over an alignment that still counts as the same audio.
pub const MATCH_BER: f64 = 0.15;

/// A duration difference above this many seconds makes a match a likely edit.
pub const EDIT_SECONDS: f64 = 10.0;

/// Items per block when looking for a matching stretch (about 1 s).
pub const BLOCK_ITEMS: usize = 8;

/// The least matching stretch that makes a partial match a likely edit (10 s).
pub const MIN_SEGMENT_ITEMS: usize = 81;

/// The least distinct items a fingerprint needs to be called a match.
pub const MIN_DISTINCT: usize = 24;

/// Computes a fingerprint from interleaved 16-bit samples, fed in pieces.
pub struct FingerprintBuilder {
    printer: Fingerprinter,
    channels: usize,
    sample_rate: u32,
    remaining_frames: u64,
    fed_frames: u64,
}

impl FingerprintBuilder {
    /// Starts a fingerprint of the first [`MAX_SECONDS`] of a stream; `None` for a
    /// stream Chromaprint cannot take (no channels, a rate of 1 kHz or less).
    pub fn new(sample_rate: u32, channels: u16) -> Option<FingerprintBuilder> {
        let mut printer = Fingerprinter::new(&Configuration::preset_test2());
        printer.start(sample_rate, u32::from(channels)).ok()?;
        Some(FingerprintBuilder {
            printer,
            channels: usize::from(channels),
            sample_rate,
            remaining_frames: u64::from(sample_rate) * u64::from(MAX_SECONDS),
            fed_frames: 0,
        })
    }

    /// Frames still wanted (0 once [`MAX_SECONDS`] are in).
    pub fn wanted_frames(&self) -> u64 {
        self.remaining_frames
    }

    /// Feeds interleaved samples (whole frames); anything beyond [`MAX_SECONDS`] or a
    /// trailing partial frame is ignored.
    pub fn feed(&mut self, interleaved: &[i16]) {
        let frames = (interleaved.len() / self.channels.max(1)) as u64;
        let take = frames.min(self.remaining_frames);
        if take == 0 {
            return;
        }
        let samples = usize::try_from(take).unwrap_or(usize::MAX).saturating_mul(self.channels);
        self.printer.consume(&interleaved[..samples.min(interleaved.len())]);
        self.remaining_frames -= take;
        self.fed_frames += take;
    }

    /// The fingerprint, or `None` when the audio was too short for [`MIN_ITEMS`] items.
    pub fn finish(mut self) -> Option<Fingerprint> {
        self.printer.finish();
        let items = self.printer.fingerprint().to_vec();
        let seconds = self.fed_frames as f64 / f64::from(self.sample_rate.max(1));
        let covers = Duration::try_from_secs_f64(seconds).unwrap_or_default();
        (items.len() >= MIN_ITEMS).then(|| Fingerprint::new(items, covers))
    }
}

/// The best alignment of two fingerprints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alignment {
    /// Where the second fingerprint starts in the first, in items (negative: before it):
    /// item `i` of the first lines up with item `i - offset` of the second.
    pub offset: i64,
    /// Items compared.
    pub overlap: usize,
    /// Bits that differ over the overlap.
    pub bit_errors: u64,
    /// The longest stretch of consecutive matching blocks, in items.
    pub matched_items: usize,
}

impl Alignment {
    /// The bit error rate over the overlap, 0 (identical) to 1; about 0.5 for unrelated audio.
    pub fn ber(&self) -> f64 {
        if self.overlap == 0 { 1.0 } else { self.bit_errors as f64 / (32.0 * self.overlap as f64) }
    }

    /// The offset in seconds.
    pub fn offset_seconds(&self) -> f64 {
        self.offset as f64 * ITEM_SECONDS
    }
}

/// Finds the offset with the lowest bit error rate among those where `a` and `b`
/// overlap by at least [`MIN_OVERLAP_ITEMS`] (or all of the shorter one, if shorter);
/// ties go to the offset closest to 0. `None` when either has fewer than [`MIN_ITEMS`].
pub fn align(a: &[u32], b: &[u32]) -> Option<Alignment> {
    if a.len() < MIN_ITEMS || b.len() < MIN_ITEMS {
        return None;
    }
    let min_overlap = MIN_OVERLAP_ITEMS.min(a.len()).min(b.len());
    let lowest = -(b.len() as i64 - min_overlap as i64);
    let highest = a.len() as i64 - min_overlap as i64;
    let mut best: Option<(u64, usize, i64)> = None;
    for offset in lowest..=highest {
        let (left, right) = overlapping(a, b, offset);
        let errors: u64 = left.iter().zip(right).map(|(x, y)| u64::from((x ^ y).count_ones())).sum();
        let overlap = left.len();
        let better = match best {
            None => true,
            // errors / overlap < best_errors / best_overlap, without division.
            Some((e, o, off)) => {
                let (lhs, rhs) = (u128::from(errors) * o as u128, u128::from(e) * overlap as u128);
                lhs < rhs || (lhs == rhs && offset.abs() < off.abs())
            }
        };
        if better {
            best = Some((errors, overlap, offset));
        }
    }
    let (bit_errors, overlap, offset) = best?;
    let (left, right) = overlapping(a, b, offset);
    Some(Alignment { offset, overlap, bit_errors, matched_items: longest_matching_stretch(left, right) })
}

/// The parts of `a` and `b` that line up at `offset` (equal lengths, possibly empty).
fn overlapping<'f>(a: &'f [u32], b: &'f [u32], offset: i64) -> (&'f [u32], &'f [u32]) {
    let (a_start, b_start) = if offset >= 0 { (offset as usize, 0) } else { (0, offset.unsigned_abs() as usize) };
    let a_rest = a.get(a_start..).unwrap_or(&[]);
    let b_rest = b.get(b_start..).unwrap_or(&[]);
    let len = a_rest.len().min(b_rest.len());
    (&a_rest[..len], &b_rest[..len])
}

/// The longest run of consecutive blocks of [`BLOCK_ITEMS`] whose BER is at most
/// [`MATCH_BER`], in items.
fn longest_matching_stretch(left: &[u32], right: &[u32]) -> usize {
    let (mut best, mut run) = (0, 0);
    for (x, y) in left.chunks(BLOCK_ITEMS).zip(right.chunks(BLOCK_ITEMS)) {
        let errors: u32 = x.iter().zip(y).map(|(p, q)| (p ^ q).count_ones()).sum();
        if f64::from(errors) <= MATCH_BER * 32.0 * x.len() as f64 {
            run += x.len();
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// What two fingerprints say about two pieces of audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The same recording in another encoding, rate or bit depth: one code.
    SameRecording,
    /// The same material with a different playing time: a new code is due.
    LikelyEdit,
    /// Not the same recording.
    NoMatch,
}

/// The comparison of two recordings: the verdict and the numbers behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// Same recording, likely edit, or no match.
    pub verdict: Verdict,
    /// The best alignment (`None` when a fingerprint was too short).
    pub alignment: Option<Alignment>,
    /// The second duration minus the first, in seconds.
    pub duration_difference: f64,
    /// Whether the fingerprints could tell at all: both long and varied enough to align
    /// (silence, a test tone or a few seconds say nothing, and their `NoMatch` means
    /// "cannot tell", not "another recording").
    pub told: bool,
}

impl Comparison {
    /// The bit error rate of the best alignment, if there is one.
    pub fn ber(&self) -> Option<f64> {
        self.alignment.map(|a| a.ber())
    }
}

/// Compares two recordings by fingerprint and full duration (in seconds).
pub fn compare(a: &Fingerprint, a_seconds: f64, b: &Fingerprint, b_seconds: f64) -> Comparison {
    let duration_difference = b_seconds - a_seconds;
    let varied = a.distinct_items() >= MIN_DISTINCT && b.distinct_items() >= MIN_DISTINCT;
    let alignment = align(a.items(), b.items());
    let verdict = match alignment {
        Some(alignment) if varied => judge(&alignment, duration_difference),
        _ => Verdict::NoMatch,
    };
    Comparison { verdict, alignment, duration_difference, told: varied && alignment.is_some() }
}

/// The verdict for an alignment and a duration difference.
pub fn judge(alignment: &Alignment, duration_difference: f64) -> Verdict {
    let close = duration_difference.abs() <= EDIT_SECONDS;
    if alignment.ber() <= MATCH_BER {
        if close { Verdict::SameRecording } else { Verdict::LikelyEdit }
    } else if alignment.matched_items >= MIN_SEGMENT_ITEMS && !close {
        Verdict::LikelyEdit
    } else {
        Verdict::NoMatch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::base::ids::test_items as items;
    use crate::base::ids::{ALGORITHM, MAX_KEYS, is_key};

    /// Flips `bits` low bits of every item.
    fn noisy(items: &[u32], bits: u32) -> Vec<u32> {
        items.iter().map(|&x| x ^ ((1u32 << bits) - 1)).collect()
    }

    fn fingerprint(items: Vec<u32>) -> Fingerprint {
        let seconds = items.len() as f64 * ITEM_SECONDS;
        Fingerprint::new(items, Duration::from_secs_f64(seconds))
    }

    #[test]
    fn identical_fingerprints_align_at_zero_with_no_errors() {
        let a = items(1, 300);
        let alignment = align(&a, &a).expect("long enough");
        assert_eq!((alignment.offset, alignment.overlap, alignment.bit_errors), (0, 300, 0));
        assert_eq!(alignment.ber(), 0.0);
        assert_eq!(alignment.matched_items, 300);
    }

    #[test]
    fn the_ber_counts_differing_bits_over_the_overlap() {
        let a = items(2, 200);
        let b = noisy(&a, 4);
        let alignment = align(&a, &b).expect("long enough");
        assert_eq!(alignment.offset, 0);
        assert!((alignment.ber() - 4.0 / 32.0).abs() < 1e-12, "{}", alignment.ber());
    }

    #[test]
    fn a_shifted_copy_is_found_at_its_offset_either_way() {
        let a = items(3, 400);
        let later = a[120..].to_vec();
        let found = align(&a, &later).expect("long enough");
        assert_eq!((found.offset, found.overlap, found.bit_errors), (120, 280, 0));
        let found = align(&later, &a).expect("long enough");
        assert_eq!((found.offset, found.overlap, found.bit_errors), (-120, 280, 0));
        assert!((found.offset_seconds() + 120.0 * ITEM_SECONDS).abs() < 1e-9);
    }

    #[test]
    fn unrelated_fingerprints_score_about_one_half() {
        let alignment = align(&items(4, 300), &items(5, 300)).expect("long enough");
        assert!((0.40..0.55).contains(&alignment.ber()), "{}", alignment.ber());
        assert!(alignment.matched_items < MIN_SEGMENT_ITEMS);
    }

    #[test]
    fn short_overlaps_are_not_considered() {
        let a = items(6, 200);
        // Only the last 50 items of `a` appear at the start of `b`: below the minimum overlap.
        let mut b = a[150..].to_vec();
        b.extend(items(7, 150));
        let alignment = align(&a, &b).expect("long enough");
        assert!(alignment.overlap >= MIN_OVERLAP_ITEMS);
        assert!(alignment.ber() > MATCH_BER);
    }

    #[test]
    fn too_short_fingerprints_are_not_aligned() {
        assert_eq!(align(&items(8, MIN_ITEMS - 1), &items(8, 300)), None);
        assert_eq!(align(&[], &[]), None);
        // A short one is compared over all of itself.
        let a = items(9, 300);
        let found = align(&a, &a[10..60]).expect("long enough");
        assert_eq!((found.offset, found.overlap, found.bit_errors), (10, 50, 0));
    }

    #[test]
    fn a_middle_cut_leaves_a_long_matching_stretch() {
        let a = items(10, 400);
        let mut cut = a[..150].to_vec();
        cut.extend_from_slice(&a[270..]);
        let alignment = align(&a, &cut).expect("long enough");
        assert!(alignment.ber() > MATCH_BER, "{}", alignment.ber());
        assert!(alignment.matched_items >= 150, "{}", alignment.matched_items);
    }

    #[test]
    fn verdicts_follow_ber_and_duration() {
        let a = fingerprint(items(11, 400));
        let same = compare(&a, 50.0, &fingerprint(noisy(a.items(), 2)), 50.5);
        assert_eq!(same.verdict, Verdict::SameRecording);
        let edit = compare(&a, 50.0, &fingerprint(a.items()[121..].to_vec()), 35.0);
        assert_eq!(edit.verdict, Verdict::LikelyEdit);
        assert!((edit.duration_difference + 15.0).abs() < 1e-9);
        let other = compare(&a, 50.0, &fingerprint(items(12, 400)), 50.0);
        assert_eq!(other.verdict, Verdict::NoMatch);
        // A partial match of equal length is no edit: the rest differs.
        let mut half = a.items()[..200].to_vec();
        half.extend(items(13, 200));
        assert_eq!(compare(&a, 50.0, &fingerprint(half), 50.0).verdict, Verdict::NoMatch);
    }

    #[test]
    fn fingerprints_without_variety_never_match() {
        let flat = fingerprint(vec![0x1234_5678; 300]);
        assert_eq!(compare(&flat, 40.0, &flat, 40.0).verdict, Verdict::NoMatch);
    }

    #[test]
    fn bytes_round_trip_and_odd_lengths_are_refused() {
        let a = fingerprint(items(14, 50));
        let back = Fingerprint::from_bytes(&a.to_bytes(), a.covers()).expect("whole items");
        assert_eq!(back, a);
        assert_eq!(Fingerprint::from_bytes(&[1, 2, 3], Duration::ZERO), None);
    }

    #[test]
    fn keys_are_a_sorted_content_defined_sample_that_survives_a_shift() {
        let a = fingerprint(items(15, 900));
        let keys = a.keys();
        assert!(!keys.is_empty() && keys.len() <= MAX_KEYS);
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        assert!(keys.iter().all(|&k| is_key(k)));
        let shifted = fingerprint(a.items()[100..].to_vec());
        let shared = shifted.keys().iter().filter(|k| keys.binary_search(k).is_ok()).count();
        assert!(shared * 10 >= shifted.keys().len() * 8, "{shared} of {}", shifted.keys().len());
    }

    #[test]
    fn the_algorithm_id_is_chromaprints() {
        assert_eq!(Configuration::preset_test2().id(), ALGORITHM);
    }

    #[test]
    fn the_builder_needs_a_usable_stream() {
        assert!(FingerprintBuilder::new(44_100, 0).is_none());
        assert!(FingerprintBuilder::new(800, 2).is_none());
        let mut builder = FingerprintBuilder::new(11_025, 1).expect("usable");
        builder.feed(&[0; 1000]);
        assert_eq!(builder.finish(), None, "0.1 s is too short");
    }
}
