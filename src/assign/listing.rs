//! Matching a file to the codes a list brought in with no audio yet (a distributor's
//! spreadsheet, `ledger import`): by title, track number and declared duration, so that
//! a back catalogue's files find the codes they already have instead of being issued a
//! second one. Pure functions of plain values; the engine gathers them ([`super::decide`]).
//!
//! A file is a candidate of a listed code when nothing it shows contradicts the code (a
//! title that differs, a playing time more than 1 s from the declared one; a track number
//! that differs when there is no title to go by) and something positive ties them: the
//! same title (the code's title, or its title with its version: "Harbour Lights (Radio
//! Edit)"), or the same track number and duration. A file's title is its tags' title,
//! else its file name without a leading track number and trailing format labels
//! (`01 - Harbour Lights (24-96).wav` is "Harbour Lights", track 1).

use crate::isrc::Isrc;

/// What a file shows of itself, for the match.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// Its title, squashed ([`squash`]), when it has one.
    pub title: Option<String>,
    /// Whether the title is its tags' (strong: another title contradicts a code), not
    /// read from its file name (weak: it can only tie, a name like "take 3" says nothing
    /// against a code).
    pub tagged: bool,
    /// The track number its file name leads with.
    pub track: Option<u32>,
    /// Its playing time in seconds.
    pub seconds: f64,
}

/// What a list says of a code with no audio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The code.
    pub isrc: Isrc,
    /// Its titles, squashed: the title, and the title with its version.
    pub titles: Vec<String>,
    /// Its declared playing time, in milliseconds.
    pub declared_ms: Option<u64>,
    /// Its track numbers on the releases it is on.
    pub tracks: Vec<u32>,
}

/// How far a file's playing time may be from a declared one (lists give whole seconds).
const DURATION_SLACK_SECONDS: f64 = 1.0;

/// A title as compared: lowercase letters and digits only ("Harbour Lights (Radio
/// Edit)" and "harbour lights radio edit" are one).
pub fn squash(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

impl Listed {
    /// A listed code from what the ledger holds of it.
    pub fn new(
        isrc: Isrc,
        title: Option<&str>,
        version: Option<&str>,
        declared_ms: Option<u64>,
        tracks: Vec<u32>,
    ) -> Listed {
        let mut titles = Vec::new();
        if let Some(title) = title.map(squash).filter(|t| !t.is_empty()) {
            if let Some(version) = version.map(squash).filter(|v| !v.is_empty()) {
                titles.push(format!("{title}{version}"));
            }
            titles.push(title);
        }
        Listed { isrc, titles, declared_ms, tracks }
    }
}

impl Label {
    /// A file's label from its tags' title (if any), its file name and playing time.
    pub fn new(tag_title: Option<&str>, file_name: &str, seconds: f64) -> Label {
        let stem = file_name.rsplit_once('.').map_or(file_name, |(stem, _)| stem);
        let (track, rest) = leading_track(stem);
        let from_name = squash(strip_format_labels(rest));
        let tagged = tag_title.map(squash).filter(|t| !t.is_empty());
        let title = tagged.clone().or((!from_name.is_empty()).then_some(from_name));
        Label { title, tagged: tagged.is_some(), track, seconds }
    }
}

/// The track number a file name leads with (1 to 3 digits, then a separator), and the rest.
fn leading_track(stem: &str) -> (Option<u32>, &str) {
    let digits = stem.chars().take_while(char::is_ascii_digit).count();
    let rest = &stem[digits..];
    let separated = rest.starts_with([' ', '-', '.', '_']);
    if (1..=3).contains(&digits) && separated {
        let rest = rest.trim_start_matches([' ', '-', '.', '_']);
        return (stem[..digits].parse().ok(), rest);
    }
    (None, stem)
}

/// The name without trailing bracketed labels of format or carrier (`(24-96)`, `[CD]`,
/// `(Hi-Res Master)`): words of a file's kind, not of its recording.
fn strip_format_labels(name: &str) -> &str {
    const WORDS: &[&str] = &[
        "bit", "khz", "k", "cd", "hd", "hires", "hi", "res", "master", "wav", "flac", "mp3", "aac", "m4a", "alac",
        "aiff",
    ];
    let mut rest = name.trim_end();
    loop {
        let Some(close) = rest.chars().last().filter(|c| *c == ')' || *c == ']') else { return rest };
        let open = if close == ')' { '(' } else { '[' };
        let Some(start) = rest.rfind(open) else { return rest };
        let inside = &rest[start + 1..rest.len() - 1];
        let words = inside.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty());
        let format_only = words.clone().count() > 0
            && words
                .clone()
                .all(|w| w.chars().all(|c| c.is_ascii_digit()) || WORDS.contains(&w.to_lowercase().as_str()));
        if !format_only {
            return rest;
        }
        rest = rest[..start].trim_end();
    }
}

/// How a file stands against one listed code: `None` when something contradicts it or
/// nothing ties them, else whether the track number agrees too (a better match).
fn stand(file: &Label, code: &Listed) -> Option<bool> {
    let title = match (&file.title, code.titles.is_empty()) {
        (Some(title), false) => Some(code.titles.contains(title)),
        _ => None,
    };
    let duration = code.declared_ms.map(|ms| (file.seconds - ms as f64 / 1000.0).abs() <= DURATION_SLACK_SECONDS);
    let track = match (file.track, code.tracks.is_empty()) {
        (Some(track), false) => Some(code.tracks.contains(&track)),
        _ => None,
    };
    let title_against = title == Some(false) && file.tagged;
    let title_for = title == Some(true);
    if title_against || duration == Some(false) || (!title_for && track == Some(false)) {
        return None;
    }
    let tied = title == Some(true) || (duration == Some(true) && track == Some(true));
    tied.then_some(track == Some(true))
}

/// The listed codes a file is a candidate of, the best first: those whose track number
/// agrees too, when some do, else all that match.
pub fn candidates(file: &Label, listed: &[Listed]) -> Vec<Isrc> {
    let matched: Vec<(Isrc, bool)> =
        listed.iter().filter_map(|code| stand(file, code).map(|track| (code.isrc, track))).collect();
    let with_track: Vec<Isrc> = matched.iter().filter(|(_, track)| *track).map(|(isrc, _)| *isrc).collect();
    if with_track.is_empty() { matched.into_iter().map(|(isrc, _)| isrc).collect() } else { with_track }
}

/// Whether what a list says of a code contradicts the file carrying it: its tags' title
/// differs, or its playing time is more than 1 s from the declared one. (The code
/// carried by a file is evidence, not proof: a mislabelled copy carries another
/// track's code.)
pub fn contradicts(file: &Label, code: &Listed) -> bool {
    let title = file.tagged
        && matches!((&file.title, code.titles.is_empty()), (Some(title), false) if !code.titles.contains(title));
    let duration =
        code.declared_ms.is_some_and(|ms| (file.seconds - ms as f64 / 1000.0).abs() > DURATION_SLACK_SECONDS);
    title || duration
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> Isrc {
        Isrc::parse(text).unwrap()
    }

    fn listed(isrc: &str, title: &str, version: Option<&str>, seconds: u64, tracks: &[u32]) -> Listed {
        Listed::new(code(isrc), Some(title), version, Some(seconds * 1000), tracks.to_vec())
    }

    #[test]
    fn a_file_name_gives_its_track_and_its_title_without_format_labels() {
        let label = Label::new(None, "01 - Harbour Lights (24-96).wav", 225.4);
        assert_eq!((label.title.as_deref(), label.track), (Some("harbourlights"), Some(1)));
        let label = Label::new(None, "07. Slow Tide [CD].flac", 242.0);
        assert_eq!((label.title.as_deref(), label.track), (Some("slowtide"), Some(7)));
        let label = Label::new(None, "Harbour Lights (Radio Edit).wav", 180.0);
        assert_eq!(label.title.as_deref(), Some("harbourlightsradioedit"), "a version is kept");
        let label = Label::new(None, "2023 Live.wav", 1.0);
        assert_eq!((label.title.as_deref(), label.track), (Some("2023live"), None), "a year is no track");
        let label = Label::new(Some("The Wall"), "01 - track.wav", 1.0);
        assert_eq!(label.title.as_deref(), Some("thewall"), "the tags' title first");
    }

    #[test]
    fn titles_durations_and_track_numbers_decide_the_candidates() {
        let list = [
            listed("GBLBL2300001", "Harbour Lights", None, 225, &[1, 5]),
            listed("GBLBL2300002", "Slow Tide", None, 242, &[2]),
            listed("GBLBL2300003", "Harbour Lights", Some("Radio Edit"), 180, &[3]),
        ];
        let file = |title: Option<&str>, name: &str, seconds: f64| Label::new(title, name, seconds);
        assert_eq!(candidates(&file(None, "05 - Harbour Lights.wav", 225.6), &list), [code("GBLBL2300001")]);
        assert_eq!(
            candidates(&file(None, "Harbour Lights (Radio Edit).wav", 180.2), &list),
            [code("GBLBL2300003")],
            "the edit matches the edit"
        );
        assert!(candidates(&file(None, "01 - Harbour Lights.wav", 230.0), &list).is_empty(), "5 s too long");
        assert!(candidates(&file(Some("Other"), "02.wav", 242.0), &list).is_empty(), "another title");
        assert_eq!(candidates(&file(None, "02 - x.wav", 242.3), &list), [code("GBLBL2300002")]);
        assert!(candidates(&file(None, "track.wav", 242.3), &list).is_empty(), "a duration alone ties nothing");
        // Two codes of one title and length: the track number chooses, else both are asked about.
        let twins = [listed("GBLBL2300001", "Intro", None, 60, &[1]), listed("GBLBL2300009", "Intro", None, 60, &[9])];
        assert_eq!(candidates(&file(None, "09 - Intro.wav", 60.0), &twins), [code("GBLBL2300009")]);
        assert_eq!(candidates(&file(None, "Intro.wav", 60.0), &twins).len(), 2);
    }

    #[test]
    fn a_carried_code_is_contradicted_by_another_title_or_length() {
        let slow = listed("GBLBL2300002", "Slow Tide", None, 242, &[2]);
        assert!(contradicts(&Label::new(None, "01 - Harbour Lights.flac", 225.0), &slow));
        assert!(contradicts(&Label::new(None, "track.flac", 225.0), &slow), "3:45 is not 4:02");
        assert!(contradicts(&Label::new(Some("Harbour Lights"), "x.flac", 242.0), &slow), "the tags' title");
        assert!(!contradicts(&Label::new(None, "02 - Slow Tide.flac", 242.4), &slow));
        assert!(!contradicts(&Label::new(None, "take.flac", 241.6), &slow), "a file name says nothing against it");
    }
}
