//! Grouping distinct audio by recording, from fingerprints alone: which pairs match
//! (only pairs sharing an uncommon fingerprint item are compared in full, so a large
//! folder does not cost a comparison per pair), and which audio forms one recording
//! (same-recording matches, joined transitively). `dupes`, `assign` and `verify` all
//! group this way.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

use rayon::prelude::*;

use super::{Comparison, Fingerprint, Verdict, compare};

/// One distinct piece of audio: its fingerprint (none when too short) and duration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sound<'a> {
    /// The fingerprint of its start.
    pub fingerprint: Option<&'a Fingerprint>,
    /// Its full duration in seconds.
    pub duration: f64,
}

/// A fingerprint item found in more distinct audio than this is too common (silence, a
/// steady texture) to suggest that two of them are the same recording.
const COMMON_ITEM_AUDIO: usize = 32;

/// A fingerprint match between two distinct audio ids (by index, `a < b`).
pub(crate) struct SoundMatch {
    /// The first sound.
    pub a: usize,
    /// The second sound.
    pub b: usize,
    /// Their comparison (`a` first).
    pub comparison: Comparison,
}

/// Pairs of distinct audio (by index, lower first) that share at least one
/// fingerprint item that is not too common: the only ones worth comparing in full.
fn candidate_pairs(sounds: &[Sound<'_>]) -> Vec<(usize, usize)> {
    let mut holders: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, entry) in sounds.iter().enumerate() {
        let Some(print) = entry.fingerprint else { continue };
        let mut items = print.items().to_vec();
        items.sort_unstable();
        items.dedup();
        for item in items {
            holders.entry(item).or_default().push(i);
        }
    }
    let mut pairs = BTreeSet::new();
    for indices in holders.values().filter(|v| v.len() > 1 && v.len() <= COMMON_ITEM_AUDIO) {
        for (n, &i) in indices.iter().enumerate() {
            for &j in &indices[n + 1..] {
                pairs.insert((i.min(j), i.max(j)));
            }
        }
    }
    pairs.into_iter().collect()
}

/// Every match (same recording or likely edit) between the sounds, compared in
/// parallel on the current rayon pool; ordered by pair.
pub(crate) fn matches(sounds: &[Sound<'_>]) -> Vec<SoundMatch> {
    candidate_pairs(sounds)
        .into_par_iter()
        .filter_map(|(a, b)| {
            let comparison =
                compare(sounds[a].fingerprint?, sounds[a].duration, sounds[b].fingerprint?, sounds[b].duration);
            (comparison.verdict != Verdict::NoMatch).then_some(SoundMatch { a, b, comparison })
        })
        .collect()
}

/// Which same-recording group each audio id belongs to: the smallest index connected
/// to it by `same-recording` matches (union-find).
pub(crate) fn recording_roots(count: usize, matches: &[SoundMatch]) -> Vec<usize> {
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut parent: Vec<usize> = (0..count).collect();
    for m in matches.iter().filter(|m| m.comparison.verdict == Verdict::SameRecording) {
        let (x, y) = (root(&mut parent, m.a), root(&mut parent, m.b));
        parent[x.max(y)] = x.min(y);
    }
    (0..count).map(|i| root(&mut parent, i)).collect()
}

/// Items (files) grouped by recording: distinct keys (audio ids) are compared once.
pub(crate) struct Grouped<'a> {
    /// For each item, the index of its distinct sound.
    pub of_item: Vec<usize>,
    /// The distinct sounds, in the order first met.
    pub sounds: Vec<Sound<'a>>,
    /// The matches between distinct sounds.
    pub matches: Vec<SoundMatch>,
    /// For each distinct sound, its recording ([`recording_roots`]).
    pub roots: Vec<usize>,
}

impl Grouped<'_> {
    /// The recording of each item.
    pub(crate) fn recording_of_items(&self) -> Vec<usize> {
        self.of_item.iter().map(|&at| self.roots[at]).collect()
    }
}

/// Groups items by key (items with one key are one sound), then sounds by recording.
pub(crate) fn group<'a, K: Hash + Eq>(items: impl IntoIterator<Item = (K, Sound<'a>)>) -> Grouped<'a> {
    let mut index: HashMap<K, usize> = HashMap::new();
    let mut sounds: Vec<Sound<'a>> = Vec::new();
    let of_item = items
        .into_iter()
        .map(|(key, sound)| {
            *index.entry(key).or_insert_with(|| {
                sounds.push(sound);
                sounds.len() - 1
            })
        })
        .collect();
    let matches = self::matches(&sounds);
    let roots = recording_roots(sounds.len(), &matches);
    Grouped { of_item, sounds, matches, roots }
}
