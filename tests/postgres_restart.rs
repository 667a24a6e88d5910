//! Eight processes assign against one PostgreSQL ledger while the server is restarted
//! under them: each finishes or fails cleanly (exit 2, saying so), no master is damaged,
//! no temporary file is left, and a rerun completes the set with no code twice and
//! designations contiguous. Alone in its file, so the restart meets no other test (test
//! files run one after another). Needs a server the test may restart: the superuser
//! `ISRC_STAMP_TEST_POSTGRES` of `.ci/postgres`.
#![cfg(all(feature = "postgres", unix))]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Processes, and takes per process (5 s each, so the restart falls inside the runs).
const PROCESSES: u64 = 8;
const TAKES: u64 = 4;
const FRAMES: u32 = 44_100 * 5;

/// Restarts the test server (`pg_ctl restart -m fast`, as the server's owner), which
/// ends every session at once and refuses new ones until it is back.
fn restart_server() {
    let mut admin = common::postgres_admin().expect("a server");
    let data: String = admin.query_one("SHOW data_directory", &[]).unwrap().get(0);
    let bin: String = admin.query_one("SELECT setting FROM pg_config WHERE name = 'BINDIR'", &[]).unwrap().get(0);
    drop(admin);
    let pg_ctl = format!("{bin}/pg_ctl");
    let log = format!("{data}/restart.log");
    let args = ["-D", data.as_str(), "-l", log.as_str(), "-m", "fast", "-w", "-s", "restart"];
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let status = if root {
        Command::new("runuser").args(["-u", "postgres", "--", &pg_ctl]).args(args).status()
    } else {
        Command::new(&pg_ctl).args(args).status()
    }
    .expect("pg_ctl runs");
    assert!(status.success(), "the server restarted");
}

/// `inspect --json` of a tree: (audio id, codes carried) by path.
fn inspect(root: &Path) -> BTreeMap<PathBuf, (String, Vec<String>)> {
    let (lines, code) = common::inspect_json(&[root]);
    assert_eq!(code, 0, "every master still decodes: {lines:?}");
    lines
        .iter()
        .map(|l| {
            let codes = l["isrcs"].as_array().unwrap().iter().map(|i| i["value"].as_str().unwrap().to_owned());
            (PathBuf::from(l["path"].as_str().unwrap()), (l["audio_id"].as_str().unwrap().to_owned(), codes.collect()))
        })
        .collect()
}

/// Runs `assign` on every folder, each started `stagger` after the one before, and
/// `meanwhile` once all are started: (exit code, stderr) per folder.
fn assign_all(ledger: &str, folders: &[PathBuf], stagger: Duration, meanwhile: impl FnOnce()) -> Vec<(i32, String)> {
    let children: Vec<_> = folders
        .iter()
        .map(|folder| {
            std::thread::sleep(stagger);
            Command::new(common::binary())
                .args(["--ledger", ledger, "assign", "-q"])
                .arg(folder)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn assign")
        })
        .collect();
    meanwhile();
    children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().expect("wait");
            (output.status.code().expect("exited, not killed"), String::from_utf8_lossy(&output.stderr).into_owned())
        })
        .collect()
}

#[test]
fn a_server_restart_mid_run_damages_nothing_and_a_rerun_completes_the_set() {
    let Some(ledger) = common::postgres_database("writer") else { return };
    let dir = tempfile::tempdir().unwrap();
    let folders: Vec<PathBuf> = (0..PROCESSES)
        .map(|f| {
            let folder = dir.path().join(format!("room-{f}"));
            std::fs::create_dir_all(&folder).unwrap();
            for n in 0..TAKES {
                common::write_wav(&folder.join(format!("take-{n}.wav")), 5_000 + f * TAKES + n, FRAMES);
            }
            folder
        })
        .collect();
    let before = inspect(dir.path());
    assert_eq!(run_init(&ledger), 0);

    // Started one by one, so the restart meets runs in every phase: some done, some
    // deciding or writing, some not yet connected.
    let results = assign_all(&ledger, &folders, Duration::from_millis(150), restart_server);
    let failed: Vec<&String> = results.iter().filter(|(code, _)| *code != 0).map(|(_, stderr)| stderr).collect();
    for (code, stderr) in &results {
        assert!(*code == 0 || *code == 2, "finished (0) or failed cleanly (2), not {code}: {stderr}");
        if *code == 2 {
            let said = ["connection to the ledger server was lost", "cannot reach the ledger server"];
            assert!(said.iter().any(|s| stderr.contains(s)), "a failure says what happened: {stderr}");
        }
    }
    assert!(!failed.is_empty(), "the restart fell inside the runs: some process lost its server");
    eprintln!("{} of {PROCESSES} processes lost the server and failed cleanly", failed.len());

    let after = inspect(dir.path());
    assert_eq!(after.len(), before.len(), "no file lost, none left behind (temporary files included)");
    for (path, (audio_id, codes)) in &after {
        assert_eq!(&before[path].0, audio_id, "{}: the same audio", path.display());
        assert!(codes.is_empty() || codes.len() == 2 && codes[0] == codes[1], "{}: {codes:?}", path.display());
    }

    // The rerun completes the set: every file carries a code, none twice.
    let results = assign_all(&ledger, &folders, Duration::ZERO, || {});
    for (code, stderr) in &results {
        assert_eq!(*code, 0, "{stderr}");
    }
    let done = inspect(dir.path());
    let mut carried = BTreeMap::new();
    for (path, (audio_id, codes)) in &done {
        assert_eq!(&before[path].0, audio_id);
        assert_eq!(codes.len(), 2, "{}: {codes:?}", path.display());
        assert!(carried.insert(codes[0].clone(), path.clone()).is_none(), "{} is carried twice", codes[0]);
        if let Some((_, earlier)) = after.get(path).filter(|(_, c)| !c.is_empty()) {
            assert_eq!(earlier, codes, "a code written before the restart is kept");
        }
    }
    let (listed, _, code) = common::run_with_ledger(Path::new(&ledger), &["ledger", "list", "--json"]);
    assert_eq!(code, 0);
    let listed: BTreeSet<String> =
        common::json_lines(&listed).iter().map(|r| r["isrc"].as_str().unwrap().to_owned()).collect();
    assert_eq!(listed, carried.keys().cloned().collect(), "the ledger holds exactly the codes carried");
    let mut designations: Vec<u32> = listed.iter().map(|code| code[7..].parse().unwrap()).collect();
    designations.sort_unstable();
    assert_eq!(designations, (1..=(PROCESSES * TAKES) as u32).collect::<Vec<_>>(), "contiguous from 00001");
}

/// `init` on the ledger; its exit code.
fn run_init(ledger: &str) -> i32 {
    common::run_with_ledger(Path::new(ledger), &["init", "--prefix", "QZ-TST"]).2
}
