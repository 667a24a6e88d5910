//! Progress on stderr: only on a terminal, never with `--quiet`, cleared at the end.
//!
//! A batch's bar counts bytes of audio, not files: one hour-long master moves it as it
//! is decoded, and a folder of short ones does not race ahead of a long one. The file
//! being read reports the bytes it has consumed through [`advance`] (the PCM read, the
//! packets demuxed), to the bar the scan set for its thread ([`metering`]); when a
//! file is done, whatever it did not report (headers, tags, a file read from the rerun
//! cache) is counted at once, so the bar ends at exactly the bytes of the batch.
//!
//! One line: the label, a bar, the bytes done and in all, the rate, the time left, and
//! the name of the file being read, which is cut to fit what is left of the
//! terminal's width (indicatif's `wide_msg`), so the line never wraps, at 60 columns
//! too.

use std::cell::RefCell;
use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar of `total` bytes on stderr, hidden unless stderr is a terminal.
pub(crate) fn bytes(total: u64, quiet: bool, label: &'static str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let template = template(terminal_width());
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style =
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()).progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(label);
    bar
}

/// The line for a terminal of `columns`: every field that fits, then the file's name
/// in what is left (cut by indicatif to fit).
fn template(columns: u16) -> &'static str {
    match columns {
        80.. => {
            "{prefix:>9} [{bar:20}] {binary_bytes:>9}/{binary_total_bytes:<9} {binary_bytes_per_sec:>11} \
             {eta:>3} {wide_msg}"
        }
        55..=79 => "{prefix} {bar:10} {percent:>3}% {binary_bytes_per_sec:>11} {eta:>3} {wide_msg}",
        _ => "{percent:>3}% {eta:>3} {wide_msg}",
    }
}

/// The columns of the terminal on stderr (80 when it cannot be asked).
fn terminal_width() -> u16 {
    console::Term::stderr().size_checked().map_or(80, |(_, columns)| columns)
}

thread_local! {
    /// The bar this thread's file reports to, and the bytes of that file not yet counted.
    static CURRENT: RefCell<Option<(ProgressBar, u64)>> = const { RefCell::new(None) };
}

/// Runs `read` (the reading of one file of `len` bytes, named `name`) with [`advance`]
/// reporting to `bar`; counts the rest of the file when it is done.
pub(crate) fn metering<T>(bar: &ProgressBar, len: u64, name: &str, read: impl FnOnce() -> T) -> T {
    if bar.is_hidden() {
        return read();
    }
    bar.set_message(name.to_owned());
    let outer = CURRENT.with(|current| current.replace(Some((bar.clone(), len))));
    let result = read();
    let left = CURRENT.with(|current| current.replace(outer)).map_or(0, |(_, left)| left);
    bar.inc(left);
    result
}

/// Reports `n` bytes of the current file consumed (nothing outside [`metering`]); never
/// more than the file's length in all.
pub(crate) fn advance(n: u64) {
    CURRENT.with(|current| {
        if let Some((bar, left)) = current.borrow_mut().as_mut() {
            let n = n.min(*left);
            *left -= n;
            bar.inc(n);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixed_fields_leave_room_for_a_name_at_every_width() {
        // The widest each field gets: "verifying", "1023.9 MiB", "1023.9 MiB/s", "59m".
        let fixed = |template: &str| {
            let widest = [
                ("{prefix:>9}", 9),
                ("{prefix}", 9),
                ("{bar:20}", 20),
                ("{bar:10}", 10),
                ("{binary_bytes:>9}", 10),
                ("{binary_total_bytes:<9}", 10),
                ("{binary_bytes_per_sec:>11}", 12),
                ("{percent:>3}", 3),
                ("{eta:>3}", 3),
                ("{wide_msg}", 0),
            ];
            widest.iter().fold(template.to_owned(), |t, (field, width)| t.replace(field, &"x".repeat(*width))).len()
        };
        for columns in [20u16, 40, 54, 55, 60, 79, 80, 160] {
            let room = i32::from(columns) - fixed(template(columns)) as i32;
            assert!(room >= 8, "{columns} columns leave {room} for the name: {}", template(columns));
        }
    }

    #[test]
    fn without_a_terminal_nothing_is_metered() {
        let bar = ProgressBar::hidden();
        let counted = metering(&bar, 600, "a.wav", || {
            advance(100);
            bar.position()
        });
        assert_eq!((counted, bar.position()), (0, 0));
        advance(10); // outside metering: reported to no one
        assert_eq!(bar.position(), 0);
    }

    #[test]
    fn metered_bytes_never_pass_the_file_and_end_at_its_length() {
        let bar = ProgressBar::with_draw_target(Some(1000), ProgressDrawTarget::term_like(Box::new(Sink)));
        let during = metering(&bar, 600, "a.wav", || {
            advance(100);
            advance(50);
            let during = bar.position();
            advance(10_000); // more than the file: capped
            during
        });
        assert_eq!(during, 150);
        assert_eq!(bar.position(), 600, "the file counts its length, no more");
        metering(&bar, 400, "b.wav", || ());
        assert_eq!(bar.position(), 1000);
    }

    /// A terminal that draws nowhere.
    #[derive(Debug)]
    struct Sink;

    impl indicatif::TermLike for Sink {
        fn width(&self) -> u16 {
            60
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, _: &str) -> std::io::Result<()> {
            Ok(())
        }
        fn write_str(&self, _: &str) -> std::io::Result<()> {
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }
}
