//! The version a title names in its trailing brackets: `Harbour Wall (Radio Edit)` is
//! the title `Harbour Wall` with the version `Radio Edit`, as a label lists them (the
//! IFPI keeps the version title apart from the track title). Only a bracket that names a
//! version is taken (an edit, a mix, a remaster, a live take, ...): `(feat. Ana)` and
//! `(Part 2)` stay in the title. Pure: no I/O.

/// Words that make a trailing bracket a version, lowercase.
const VERSION_WORDS: &[&str] = &[
    "edit",
    "mix",
    "remix",
    "version",
    "remaster",
    "remastered",
    "live",
    "acoustic",
    "instrumental",
    "demo",
    "mono",
    "stereo",
    "extended",
    "dub",
    "session",
    "unplugged",
    "rework",
    "reprise",
    "acapella",
    "cappella",
    "karaoke",
    "orchestral",
    "take",
];

/// Words that start a bracket that is not a version, whatever follows.
const NOT_VERSION_STARTS: &[&str] = &["feat", "feat.", "ft", "ft.", "featuring", "with", "from"];

/// `title` split into the title and the version its last bracket names (round or
/// square, at the very end), or the title as it is with no version.
pub(crate) fn split_version(title: &str) -> (String, Option<String>) {
    let trimmed = title.trim();
    let whole = || (trimmed.to_owned(), None);
    let (open, close) = match trimmed.chars().last() {
        Some(')') => ('(', ')'),
        Some(']') => ('[', ']'),
        _ => return whole(),
    };
    let Some(start) = trimmed[..trimmed.len() - 1].rfind(open) else { return whole() };
    let inner = trimmed[start + open.len_utf8()..trimmed.len() - close.len_utf8()].trim();
    let head = trimmed[..start].trim_end();
    if inner.is_empty() || head.is_empty() || inner.contains(open) || inner.contains(close) {
        return whole();
    }
    let words: Vec<String> = inner
        .split(|c: char| c.is_whitespace() || c == '-' || c == '/')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.first().is_some_and(|first| NOT_VERSION_STARTS.contains(&first.as_str())) {
        return whole();
    }
    if !words.iter().any(|word| VERSION_WORDS.contains(&word.trim_matches(|c: char| !c.is_alphanumeric()))) {
        return whole();
    }
    (head.to_owned(), Some(inner.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::split_version;

    fn split(title: &str) -> (String, Option<String>) {
        split_version(title)
    }

    #[test]
    fn a_trailing_bracket_naming_a_version_is_the_version() {
        assert_eq!(split("Harbour Wall (Radio Edit)"), ("Harbour Wall".into(), Some("Radio Edit".into())));
        assert_eq!(split("Slow Tide [2024 Remaster]"), ("Slow Tide".into(), Some("2024 Remaster".into())));
        assert_eq!(
            split("Deep Water (Live at the Harbour)"),
            ("Deep Water".into(), Some("Live at the Harbour".into()))
        );
        assert_eq!(split("Song (feat. Ana) (Club Mix)"), ("Song (feat. Ana)".into(), Some("Club Mix".into())));
        assert_eq!(split("  Song (Single Version)  "), ("Song".into(), Some("Single Version".into())));
        assert_eq!(split("Song (Re-Edit)"), ("Song".into(), Some("Re-Edit".into())));
    }

    #[test]
    fn other_brackets_stay_in_the_title() {
        for title in [
            "Song (feat. Ana)",
            "Song (with the Live Band)",
            "Song (Part 2)",
            "Song (From the film Harbour)",
            "(Radio Edit)",
            "Song (Radio Edit",
            "Song ()",
            "Song (Radio Edit) Reprised",
            "Editorial",
            "Song (Remix (Dub))",
        ] {
            assert_eq!(split(title), (title.trim().to_owned(), None), "{title}");
        }
    }
}
