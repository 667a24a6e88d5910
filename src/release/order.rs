//! Where each file of a release goes: its disc and track number. Pure: no I/O.
//!
//! The tracks are numbered by the disc and track number tags when every file has a track
//! number; else by the leading number of every file's name (`03 - Slow Tide.wav`); else
//! in walk order. An order file (`--order`) gives the sequence itself: each file then
//! takes the next number on its disc. A disc is its disc tag, else 1.

/// What is known of one file for its place, in walk (or order file) order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Its name, for messages.
    pub name: String,
    /// Its disc number tag.
    pub disc_tag: Option<u32>,
    /// Its track number tag.
    pub track_tag: Option<u32>,
}

/// How the places were chosen, for the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// The disc and track number tags.
    Tags,
    /// The leading numbers of the file names.
    Names,
    /// The walk order.
    Walk,
    /// The order file.
    OrderFile,
}

impl By {
    /// The words for the summary.
    pub fn words(self) -> &'static str {
        match self {
            By::Tags => "the disc and track number tags",
            By::Names => "the numbers the file names start with",
            By::Walk => "walk order (not every file has a track number tag or a name starting with one)",
            By::OrderFile => "the order file",
        }
    }
}

/// The number a file name starts with (`03 - Slow Tide.wav` is 3), when one above 0.
pub fn name_number(name: &str) -> Option<u32> {
    let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
    digits.parse::<u32>().ok().filter(|&n| n > 0)
}

/// The (disc, track) of each candidate, in the given order, and how they were chosen;
/// or why two files would share a place.
pub fn places(candidates: &[Candidate], from_order_file: bool) -> Result<(Vec<(u32, u32)>, By), String> {
    let disc = |c: &Candidate| c.disc_tag.unwrap_or(1);
    let (places, by): (Vec<(u32, u32)>, By) = if from_order_file {
        let mut next: std::collections::BTreeMap<u32, u32> = std::collections::BTreeMap::new();
        let places = candidates
            .iter()
            .map(|c| {
                let number = next.entry(disc(c)).or_insert(0);
                *number += 1;
                (disc(c), *number)
            })
            .collect();
        (places, By::OrderFile)
    } else if !candidates.is_empty() && candidates.iter().all(|c| c.track_tag.is_some()) {
        (candidates.iter().map(|c| (disc(c), c.track_tag.unwrap_or(0))).collect(), By::Tags)
    } else if !candidates.is_empty() && candidates.iter().all(|c| name_number(&c.name).is_some()) {
        (candidates.iter().map(|c| (disc(c), name_number(&c.name).unwrap_or(0))).collect(), By::Names)
    } else {
        (candidates.iter().enumerate().map(|(n, _)| (1, n as u32 + 1)).collect(), By::Walk)
    };
    let mut seen: std::collections::HashMap<(u32, u32), &str> = std::collections::HashMap::new();
    for (candidate, place) in candidates.iter().zip(&places) {
        if let Some(other) = seen.insert(*place, candidate.name.as_str()) {
            return Err(format!(
                "{other} and {} would both be disc {} track {} (by {}); give the order with --order FILE",
                candidate.name,
                place.0,
                place.1,
                by.words()
            ));
        }
    }
    Ok((places, by))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, disc: Option<u32>, track: Option<u32>) -> Candidate {
        Candidate { name: name.into(), disc_tag: disc, track_tag: track }
    }

    #[test]
    fn tags_first_then_names_then_the_walk() {
        let tagged = [file("b.wav", Some(2), Some(1)), file("a.wav", None, Some(2))];
        assert_eq!(places(&tagged, false), Ok((vec![(2, 1), (1, 2)], By::Tags)));
        let named = [file("10 - Ten.wav", None, Some(3)), file("02 - Two.wav", None, None)];
        assert_eq!(places(&named, false), Ok((vec![(1, 10), (1, 2)], By::Names)));
        let walked = [file("Intro.wav", None, None), file("02 - Two.wav", None, Some(7))];
        assert_eq!(places(&walked, false), Ok((vec![(1, 1), (1, 2)], By::Walk)));
        let ordered = [file("x.wav", Some(2), Some(9)), file("y.wav", None, None), file("z.wav", Some(2), None)];
        assert_eq!(places(&ordered, true), Ok((vec![(2, 1), (1, 1), (2, 2)], By::OrderFile)));
    }

    #[test]
    fn two_files_in_one_place_are_refused_by_name() {
        let twice = [file("01 - One.wav", None, None), file("01 - Uno.flac", None, None)];
        let error = places(&twice, false).unwrap_err();
        assert!(error.contains("01 - One.wav and 01 - Uno.flac would both be disc 1 track 1"), "{error}");
        assert_eq!(name_number("007 Bond.wav"), Some(7));
        assert_eq!(name_number("0 - Hidden.wav"), None);
        assert_eq!(name_number("Side A.wav"), None);
    }
}
