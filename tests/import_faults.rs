//! `ledger import` under faults (issue 22's import items): a JSON row with a key twice is
//! refused by its line, and a killed import leaves neither a ledger it did not finish nor
//! a scratch file the next import does not remove.

mod common;

use std::path::Path;

fn leftovers(folder: &Path) -> Vec<String> {
    std::fs::read_dir(folder)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".isrc-stamp-import-"))
        .collect()
}

#[test]
fn a_json_row_giving_a_key_twice_is_refused_by_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.sqlite3");
    let list = dir.path().join("list.jsonl");
    std::fs::write(
        &list,
        "{\"isrc\":\"USPR37300012\",\"title\":\"One\"}\n{\"isrc\":\"USPR37300013\",\"isrc\":\"GBBBB9905305\"}\n",
    )
    .unwrap();
    let (stdout, stderr, code) =
        common::run_with_ledger(&ledger, &["ledger", "import", "--foreign", list.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("line 2") && stderr.contains("\"isrc\" is given twice"), "{stderr}");
    assert!(!ledger.exists(), "nothing imported, no ledger made");
}

#[test]
fn a_killed_import_leaves_no_ledger_and_the_next_import_removes_its_scratch() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.sqlite3");
    let list = dir.path().join("big.csv");
    let mut text = String::from("isrc,title,audio_id,frames,sample_rate,channels,bits\n");
    for n in 0..200_000u64 {
        text.push_str(&format!(
            "GBBBB{:02}{:05},Take {n},pcm1:{n:064x},441000,44100,2,16\n",
            10 + n / 100_000,
            n % 100_000
        ));
    }
    std::fs::write(&list, text).unwrap();
    let mut child = std::process::Command::new(common::binary())
        .arg("--ledger")
        .arg(&ledger)
        .args(["ledger", "import", "--foreign", "-q"])
        .arg(&list)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed while it works: after its scratch file appears, before it could finish.
    let started = std::time::Instant::now();
    while leftovers(dir.path()).is_empty() && started.elapsed() < std::time::Duration::from_secs(20) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let finished = child.try_wait().unwrap().is_some();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!finished, "the import should still have been running when killed");
    assert!(!ledger.exists(), "a killed import leaves no ledger it did not finish");
    assert!(!leftovers(dir.path()).is_empty(), "the kill left its scratch behind (what the next run must remove)");

    let small = dir.path().join("small.csv");
    std::fs::write(&small, "isrc\nUSPR37300012\n").unwrap();
    let (stdout, stderr, code) =
        common::run_with_ledger(&ledger, &["ledger", "import", "--foreign", small.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains("killed import"), "{stderr}");
    assert!(ledger.is_file());
    assert_eq!(leftovers(dir.path()), Vec::<String>::new(), "nothing left behind");
}
