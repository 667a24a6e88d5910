//! Colour and alignment for tables.
//!
//! Whether to colour is decided once, in `main`, for stdout ([`anstream`]'s choice: a
//! terminal, `NO_COLOR`, `--color never|always`), and kept here ([`set_colour`]); a
//! table's words are styled only when it is on, so no command asks. Stdout is never
//! filtered: data written there (an export, a cue sheet) keeps every byte, an escape
//! character in a title included.
//!
//! Columns are padded by display width ([`unicode_width`]), so a CJK file name or an
//! emoji takes the columns a terminal gives it.

use std::sync::atomic::{AtomicBool, Ordering};

use anstyle::{AnsiColor, Style};
use unicode_width::UnicodeWidthStr;

/// What a word says, which decides its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    /// Done as asked: issued, reused, adopted, linked, ok (green).
    Good,
    /// Worth a look: a warning, a skipped file (yellow).
    Warn,
    /// Needs a person: a conflict, an error, a failed check (red, bold).
    Bad,
    /// No colour.
    Plain,
}

impl Tone {
    fn style(self) -> Style {
        match self {
            Tone::Good => AnsiColor::Green.on_default(),
            Tone::Warn => AnsiColor::Yellow.on_default(),
            Tone::Bad => AnsiColor::Red.on_default().bold(),
            Tone::Plain => Style::new(),
        }
    }
}

/// The columns `text` takes on a terminal.
pub(crate) fn width(text: &str) -> usize {
    text.width()
}

/// `text` padded with spaces to `columns` display columns (left-aligned).
pub(crate) fn pad(text: &str, columns: usize) -> String {
    let mut padded = text.to_owned();
    padded.extend(std::iter::repeat_n(' ', columns.saturating_sub(width(text))));
    padded
}

/// `text` padded to `columns` (right-aligned).
pub(crate) fn pad_left(text: &str, columns: usize) -> String {
    let mut padded: String = std::iter::repeat_n(' ', columns.saturating_sub(width(text))).collect();
    padded.push_str(text);
    padded
}

/// Whether tables colour their words; off until `main` says otherwise.
static COLOUR: AtomicBool = AtomicBool::new(false);

/// Turns table colour on or off for the rest of the run.
pub(crate) fn set_colour(on: bool) {
    COLOUR.store(on, Ordering::Relaxed);
}

/// `text` padded to `columns`, then coloured for `tone` when colour is on (the escape
/// codes take no columns, so the table lines up either way).
pub(crate) fn paint(text: &str, columns: usize, tone: Tone) -> String {
    paint_if(COLOUR.load(Ordering::Relaxed), text, columns, tone)
}

fn paint_if(colour: bool, text: &str, columns: usize, tone: Tone) -> String {
    let padded = pad(text, columns);
    if !colour {
        return padded;
    }
    let style = tone.style();
    format!("{style}{padded}{style:#}")
}

/// The widest of `texts` (and `at_least`), in display columns.
pub(crate) fn widest<'a>(texts: impl IntoIterator<Item = &'a str>, at_least: usize) -> usize {
    texts.into_iter().map(width).max().unwrap_or(0).max(at_least)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_are_padded_by_the_columns_they_take() {
        assert_eq!(width("日本語.wav"), 10);
        assert_eq!(pad("日本語.wav", 12), "日本語.wav  ");
        assert_eq!(pad("a.wav", 7), "a.wav  ");
        assert_eq!(pad_left("0:01.000", 11), "   0:01.000");
        assert_eq!(pad("longer than", 3), "longer than");
    }

    #[test]
    fn painted_words_keep_their_columns_once_the_styles_are_stripped() {
        let painted = paint_if(true, "conflict", 9, Tone::Bad);
        assert!(painted.contains('\x1b'), "{painted:?}");
        let stripped = anstream::adapter::strip_str(&painted).to_string();
        assert_eq!(stripped, "conflict ");
        assert_eq!(paint_if(false, "conflict", 9, Tone::Bad), "conflict ");
        assert_eq!(paint_if(true, "x", 2, Tone::Plain), "x ");
    }
}
