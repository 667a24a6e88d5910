//! The command line a person meets: help with examples that parse, completions and a
//! man page naming every subcommand, colour only where it belongs, and the messages
//! for common mistakes.

mod common;

use clap::{CommandFactory, FromArgMatches};
use isrc_stamp::cli::Cli;

/// Every subcommand, as its path of names (`["ledger", "export"]`), with its command.
fn subcommands(command: &clap::Command, path: Vec<String>, all: &mut Vec<(Vec<String>, clap::Command)>) {
    // clap's own `help` subcommands (added by `build`) are not ours.
    for sub in command.get_subcommands().filter(|sub| sub.get_name() != "help") {
        let mut at = path.clone();
        at.push(sub.get_name().to_owned());
        all.push((at.clone(), sub.clone()));
        subcommands(sub, at, all);
    }
}

fn all_subcommands() -> Vec<(Vec<String>, clap::Command)> {
    let mut all = Vec::new();
    // Built, so that the global options are propagated to every subcommand.
    subcommands(&isrc_stamp::cli::command(), Vec::new(), &mut all);
    all
}

#[test]
fn every_subcommand_ends_its_help_with_examples_that_parse() {
    let all = all_subcommands();
    assert!(all.len() >= 20, "{} subcommands", all.len());
    let mut parsed = 0;
    for (path, command) in &all {
        let help = command.get_after_help().map(|h| h.to_string()).unwrap_or_default();
        let examples: Vec<&str> = help.lines().filter_map(|l| l.trim().strip_prefix("isrc-stamp ")).collect();
        assert!(!examples.is_empty(), "{path:?} has no examples in its help");
        for example in examples {
            let args = std::iter::once("isrc-stamp").chain(example.split_whitespace());
            let result = isrc_stamp::cli::command().try_get_matches_from(args).and_then(|m| Cli::from_arg_matches(&m));
            if let Err(error) = result {
                panic!("the example `isrc-stamp {example}` of {path:?} does not parse:\n{error}");
            }
            parsed += 1;
        }
    }
    assert!(parsed >= 40, "{parsed} examples");
}

#[test]
fn global_options_parse_after_every_subcommand_whether_listed_or_not() {
    let parse = |args: &[&str]| {
        let matches = isrc_stamp::cli::command().try_get_matches_from(args).unwrap();
        Cli::from_arg_matches(&matches).unwrap()
    };
    let cli = parse(&["isrc-stamp", "inspect", "--json", "a.wav", "-j", "3"]);
    assert!(cli.common.json && cli.common.jobs == Some(3), "{cli:?}");
    let cli = parse(&["isrc-stamp", "check", "--json", "--jobs", "2", "US-PR3-26-00001"]);
    assert!(cli.common.json && cli.common.jobs == Some(2), "not listed for check, still accepted: {cli:?}");
    let cli = parse(&["isrc-stamp", "--ledger", "l.sqlite3", "ledger", "backup", "--quiet", "b.sqlite3"]);
    assert!(cli.common.quiet && cli.common.ledger.as_deref() == Some(std::path::Path::new("l.sqlite3")), "{cli:?}");
}

#[test]
fn each_subcommand_lists_its_own_options_before_the_global_ones() {
    for (path, mut command) in all_subcommands() {
        let help = command.render_long_help().to_string();
        let (own, global) = help.split_once("Global options:").unwrap_or((help.as_str(), ""));
        assert!(own.contains("-h, --help"), "{path:?}: its own options come first:\n{help}");
        assert!(global.contains("--color") || path == ["completions"] || path == ["man"], "{path:?}:\n{help}");
        // Only the global options that apply: no --jobs where nothing is decoded, no
        // --ledger where no ledger is read.
        let decodes = ["assign", "verify", "dupes", "inspect", "cue", "ddp", "pq", "untag"].contains(&path[0].as_str())
            || path == ["ledger", "unlink"]
            || path == ["release", "add"]
            || path == ["release", "edit"];
        assert_eq!(global.contains("--jobs"), decodes, "{path:?}:\n{help}");
        let reads_the_ledger = !["check", "dupes", "inspect", "completions", "man"].contains(&path[0].as_str());
        assert_eq!(global.contains("--ledger"), reads_the_ledger, "{path:?}:\n{help}");
        assert!(!global.contains("--verbose"), "{path:?}: --verbose does nothing, so it is not listed");
        insta::assert_snapshot!(format!("help-{}", path.join("-")), help);
    }
}

#[test]
fn completions_and_the_man_page_name_every_subcommand() {
    let top: Vec<String> = Cli::command().get_subcommands().map(|s| s.get_name().to_owned()).collect();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = common::isrc_stamp().args(["completions", shell]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = String::from_utf8(output.stdout).unwrap();
        for name in &top {
            assert!(script.contains(name.as_str()), "{shell} completions lack {name}");
        }
        assert!(script.contains("export") && script.contains("--dry-run"), "{shell}: nested commands and flags");
    }
    let output = common::isrc_stamp().arg("man").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let page = String::from_utf8(output.stdout).unwrap();
    assert!(page.starts_with(".ie") && page.contains(".TH isrc-stamp 1"), "{}", &page[..200.min(page.len())]);
    for name in &top {
        assert!(page.contains(&format!("isrc\\-stamp\\-{}", name.replace('-', "\\-"))), "man page lacks {name}");
    }
    // Piped into a reader that stops early, nothing panics.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("isrc-stamp.1");
    let output = common::isrc_stamp().args(["man", "--output", file.to_str().unwrap()]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), page);
}

/// `assign --dry-run` on two fixture files, with `args` before the subcommand and `env`.
fn dry_run_table(args: &[&str], env: &[(&str, &str)]) -> String {
    let dir = common::copy_fixtures(&["album"]);
    let ledger = dir.path().join("ledger.sqlite3");
    let (_, stderr, code) = common::run_with_ledger(&ledger, &["init", "--prefix", "QZ-TST"]);
    assert_eq!(code, 0, "{stderr}");
    let mut command = common::isrc_stamp();
    command.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE").arg("--ledger").arg(&ledger).args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.args(["assign", "--dry-run"]).arg(dir.path().join("album")).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    String::from_utf8(output.stdout).unwrap().replace(dir.path().to_str().unwrap(), "DIR")
}

#[test]
fn colour_only_where_asked_for_or_on_a_terminal() {
    let forced = dry_run_table(&["--color", "always"], &[]);
    assert!(forced.contains("\x1b[32missued"), "issued is green: {forced:?}");
    for (args, env) in [
        (&[][..], &[][..]),                   // piped: no terminal
        (&["--color", "never"][..], &[][..]), // asked not to
        (&[][..], &[("NO_COLOR", "1")][..]),  // NO_COLOR
        (&["--color", "never"][..], &[("CLICOLOR_FORCE", "1")][..]),
    ] {
        let plain = dry_run_table(args, env);
        assert!(!plain.contains('\x1b'), "{args:?} {env:?}: {plain:?}");
        assert!(plain.contains("issued"), "{plain}");
    }
    // The colour takes no columns: stripped, the forced table is the plain one.
    let stripped = String::from_utf8(strip(forced.as_bytes())).unwrap();
    assert_eq!(stripped, dry_run_table(&[], &[]));
}

#[test]
fn data_on_stdout_keeps_every_byte_with_colour_off() {
    // Colour off decides how tables look; it must not filter what goes to stdout. A
    // master whose name holds an escape sequence is exported under that exact name.
    let dir = common::copy_fixtures(&["album"]);
    let ledger = dir.path().join("ledger.sqlite3");
    let (_, stderr, code) = common::run_with_ledger(&ledger, &["init", "--prefix", "QZ-TST"]);
    assert_eq!(code, 0, "{stderr}");
    let album = dir.path().join("album");
    let first = std::fs::read_dir(&album).unwrap().map(|e| e.unwrap().path()).min().unwrap();
    let name = "Red \x1b[31mTake\x1b[0m.flac";
    let master = album.join(name);
    std::fs::rename(&first, &master).unwrap();
    let (stdout, stderr, code) = common::run_with_ledger(&ledger, &["assign", master.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    for colour in ["never", "auto"] {
        let (stdout, stderr, code) =
            common::run_with_ledger(&ledger, &["--color", colour, "ledger", "export", "--format", "csv"]);
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.contains(name), "--color {colour}: the name kept byte for byte: {stdout:?}");
    }
}

/// The bytes without ANSI escape sequences.
fn strip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0x1b && bytes.get(i + 1) == Some(&b'[') {
            i += 2;
            while i < bytes.len() && !(0x40..=0x7e).contains(&bytes[i]) {
                i += 1;
            }
            i += 1;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn common_mistakes_get_one_clear_message() {
    let dir = tempfile::Builder::new().prefix("mistakes").tempdir().unwrap();
    let ledger = dir.path().join("ledger.sqlite3");
    let (_, stderr, code) = common::run_with_ledger(&ledger, &["init", "--prefix", "QZ-TST"]);
    assert_eq!(code, 0, "{stderr}");
    // A zero-byte master.
    let masters = dir.path().join("masters");
    std::fs::create_dir(&masters).unwrap();
    std::fs::write(masters.join("empty.wav"), b"").unwrap();
    let (stdout, stderr, code) = common::run_with_ledger(&ledger, &["assign", masters.to_str().unwrap()]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.contains("empty.wav") && stdout.contains("empty file"), "{stdout}");
    assert!(!stdout.contains("not a supported audio file"), "{stdout}");
    // An export into a folder that does not exist names the file asked for, not a temporary one.
    let missing = dir.path().join("no-such-folder/codes.csv");
    let (_, stderr, code) = common::run_with_ledger(&ledger, &["ledger", "export", "-o", missing.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no-such-folder/codes.csv") && stderr.contains("no such file or folder"), "{stderr}");
    assert!(!stderr.contains(".tmp") && !stderr.contains(".isrc-stamp-"), "no temporary name: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one message: {stderr}");
    // A ledger path that is a folder: said once, by name.
    let (_, stderr, code) = common::run_with_ledger(dir.path(), &["ledger", "list"]);
    assert_eq!(code, 2);
    assert_eq!(stderr.lines().count(), 1, "one message: {stderr}");
    assert!(stderr.contains("is a folder") && !stderr.contains("unable to open database file"), "{stderr}");
}

#[test]
fn tables_on_the_fixtures_keep_their_shape() {
    let dir = common::copy_fixtures(&["album", "same"]);
    let ledger = dir.path().join("ledger.sqlite3");
    let run = |args: &[&str]| {
        let output = common::isrc_stamp()
            .current_dir(dir.path())
            .env_remove("NO_COLOR")
            .arg("--ledger")
            .arg(&ledger)
            .args(args)
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        (stdout, String::from_utf8(output.stderr).unwrap(), output.status.code())
    };
    assert_eq!(run(&["init", "--prefix", "QZ-TST"]).2, Some(0));
    // The year is given, so the codes are those of this snapshot in any year.
    let tables = [
        ("assign-dry-run", &["assign", "--dry-run", "--year", "2026", "album"][..]),
        ("assign", &["assign", "--year", "2026", "album"]),
        ("assign-again", &["assign", "--year", "2026", "album"]),
        ("verify", &["verify", "album"]),
        ("dupes", &["dupes", "same"]),
        ("inspect", &["inspect", "album/01 - First Light.flac"]),
        ("ledger-list", &["ledger", "list"]),
        ("ledger-prefixes", &["ledger", "prefixes"]),
        ("check", &["check", "US-PR3-26-00001", "usPR3"]),
    ];
    for (name, args) in tables {
        let (stdout, stderr, code) = run(args);
        assert!(matches!(code, Some(0 | 1)), "{name}: {stderr}");
        assert!(!stdout.contains('\x1b'), "{name}: piped, no colour");
        insta::assert_snapshot!(format!("table-{name}"), format!("{stdout}--- stderr ---\n{stderr}"));
    }
}
