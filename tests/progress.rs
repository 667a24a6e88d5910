//! Progress in a real terminal: `verify` of one long master on a pseudo-terminal of 60
//! columns shows a line that moves by bytes, fits the width and is gone at the end;
//! piped, the same run shows none.

mod common;

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const COLUMNS: u16 = 60;

/// What `isrc-stamp verify FILE` wrote to a terminal of [`COLUMNS`], and its exit status.
fn verify_on_a_terminal(file: &Path, home: &Path) -> (Vec<u8>, u32) {
    let pty = native_pty_system()
        .openpty(PtySize { rows: 24, cols: COLUMNS, pixel_width: 0, pixel_height: 0 })
        .expect("a pseudo-terminal");
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_isrc-stamp"));
    command.args(["verify", "--jobs", "1"]);
    command.arg(file);
    // No ledger: the file checks only (the user's own ledger is not read).
    command.env("XDG_DATA_HOME", home);
    command.env("HOME", home);
    command.env_remove("ISRC_STAMP_LEDGER");
    let mut child = pty.slave.spawn_command(command).expect("spawned");
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().expect("a reader");
    let reading = std::thread::spawn(move || {
        let mut all = Vec::new();
        let mut chunk = [0u8; 4096];
        // EOF (or EIO, on Linux) once the child is gone.
        while let Ok(n) = reader.read(&mut chunk) {
            if n == 0 {
                break;
            }
            all.extend_from_slice(&chunk[..n]);
        }
        all
    });
    let status = child.wait().expect("waited");
    drop(pty.master);
    (reading.join().expect("read"), status.exit_code())
}

/// The text without ANSI escape sequences.
fn strip(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if ('\x40'..='\x7e').contains(&c) {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn progress_moves_by_bytes_fits_the_terminal_and_is_gone_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    // One long master: 30 minutes of 44.1 kHz stereo, 318 MB, a name longer than the line.
    let file = dir.path().join("an hour-long session master with a long name.wav");
    common::write_wav(&file, 7, 44_100 * 60 * 30);
    let (output, status) = verify_on_a_terminal(&file, dir.path());
    let text = String::from_utf8_lossy(&output).into_owned();
    assert_eq!(status, 1, "exit 1: the master carries no ISRC yet\n{text}");
    // Every state the bar was drawn in: each redraw starts at the line's start.
    let drawn: Vec<String> = text
        .split(['\r', '\n'])
        .map(strip)
        .filter(|line| line.contains('%') && line.contains("/s"))
        .map(|line| line.trim_end().to_owned())
        .collect();
    assert!(drawn.len() >= 2, "the bar was drawn {} time(s):\n{text:?}", drawn.len());
    let percents: std::collections::BTreeSet<String> =
        drawn.iter().filter_map(|l| l.split('%').next()?.split_whitespace().last().map(str::to_owned)).collect();
    assert!(percents.len() >= 2, "the bar moves through the one file: {percents:?}\n{drawn:#?}");
    for line in &drawn {
        let width = line.chars().count();
        assert!(width <= usize::from(COLUMNS), "{width} columns: {line:?}");
        assert!(line.starts_with("verifying"), "{line:?}");
    }
    // The name is shown, cut to fit.
    assert!(drawn.iter().any(|l| l.contains("an hour")), "{drawn:#?}");
    // At the end: the screen holds the verdict, and no bar.
    let mut screen = vt100::Parser::new(24, COLUMNS, 0);
    screen.process(&output);
    let contents = screen.screen().contents();
    assert!(!contents.contains("verifying") && !contents.contains("/s "), "{contents}");
    assert!(contents.contains("FAIL  -") && contents.contains("1 file, 30:00.000 total"), "{contents}");
    // Piped, the same run draws nothing.
    let piped = common::isrc_stamp()
        .env("XDG_DATA_HOME", dir.path())
        .env("HOME", dir.path())
        .env_remove("ISRC_STAMP_LEDGER")
        .args(["verify", "--jobs", "1"])
        .arg(&file)
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap();
    let stderr = String::from_utf8(piped.stderr).unwrap();
    assert!(!stderr.contains("verifying") && !stderr.contains('\r') && !stderr.contains('\x1b'), "{stderr:?}");
    assert!(stderr.contains("1 file, 30:00.000 total"), "{stderr}");
}
