//! The PostgreSQL ledger end to end, on the server `ISRC_STAMP_TEST_POSTGRES` names (a
//! throw-away one `.ci/run` starts; each test makes databases of its own): `ledger copy`
//! SQLite → PostgreSQL → SQLite, a role that may only read, bad locations, and read
//! commands that never create a ledger. Without a server these skip, except under CI.
#![cfg(feature = "postgres")]

mod common;

use std::path::Path;

use serde_json::Value;

/// Seconds of the synthesized master.
const SECONDS: f64 = 30.0;

/// Runs the binary on `ledger` (a path or a URL).
fn run(ledger: &str, args: &[&str]) -> (String, String, i32) {
    common::run_with_ledger(Path::new(ledger), args)
}

/// A path as the `&str` the binary takes.
fn text(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// `ledger copy --json --to to` from `from`: the counts it reports.
fn copy(from: &str, to: &str) -> Value {
    let (stdout, stderr, code) = run(from, &["ledger", "copy", "--json", "--to", to]);
    assert_eq!(code, 0, "copy {from} -> {to}: {stdout}\n{stderr}");
    common::json_lines(&stdout).remove(0)["copied"].clone()
}

/// `ledger export` (CSV) of a ledger.
fn export(ledger: &str) -> String {
    let (stdout, stderr, code) = run(ledger, &["ledger", "export"]);
    assert_eq!(code, 0, "{stderr}");
    stdout
}

#[test]
fn a_copy_to_postgresql_and_back_keeps_everything_and_still_finds_an_encode_by_sound() {
    if !common::have_tool("ffmpeg", &["-version"]) {
        return;
    }
    let Some(house) = common::postgres_database("writer") else { return };
    let dir = tempfile::tempdir().unwrap();
    let masters = dir.path().join("masters");
    std::fs::create_dir_all(&masters).unwrap();
    let master = masters.join("master.wav");
    common::write_music_wav(&master, 1, SECONDS);
    for entry in std::fs::read_dir(common::fixtures().join("album")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), masters.join(entry.file_name())).unwrap();
    }
    let mp3 = dir.path().join("master.mp3");
    let status = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-i", text(&master), "-c:a", "libmp3lame", "-b:a", "192k", text(&mp3)])
        .status()
        .unwrap();
    assert!(status.success());

    // A room's ledger, with codes issued, one voided, and a new version with its lineage.
    let room = dir.path().join("room.sqlite3");
    let room = text(&room);
    assert_eq!(run(room, &["init", "--prefix", "QZ-TST"]).2, 0);
    let (stdout, stderr, code) = run(room, &["assign", "--json", text(&masters)]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let lines = common::json_lines(&stdout);
    let code_of = |name: &str| {
        let line = lines.iter().find(|l| l["path"].as_str().is_some_and(|p| p.ends_with(name))).expect(name);
        line["isrc"].as_str().unwrap().to_owned()
    };
    let master_code = code_of("master.wav");
    assert_eq!(run(room, &["ledger", "void", &code_of("04 - Lantern.flac"), "--reason", "withdrawn"]).2, 0);
    let edit = dir.path().join("edit.wav");
    std::fs::copy(common::fixtures().join("formats/s16.wav"), &edit).unwrap();
    let args = ["assign", "--new-version-of", &master_code, "--as", "edit", text(&edit)];
    assert_eq!(run(room, &args).2, 0);
    let fingerprints: i64 = rusqlite::Connection::open(room)
        .unwrap()
        .query_row("SELECT count(*) FROM fingerprint", [], |row| row.get(0))
        .unwrap();
    assert!(fingerprints >= 1, "the room's ledger holds fingerprints: {fingerprints}");

    let there = copy(room, &house);
    let back = dir.path().join("back.sqlite3");
    let back = text(&back);
    let again = copy(&house, back);
    assert_eq!(there, again, "the same counts both ways");
    assert_eq!(there["fingerprints"], fingerprints, "{there}");
    assert_eq!(there["recordings"], 6, "{there}");
    assert_eq!(export(room), export(&house), "PostgreSQL exports what the room exported, byte for byte");
    assert_eq!(export(room), export(back), "and so does the copy back");
    let show = |ledger: &str| run(ledger, &["ledger", "show", "--json", &master_code]).0;
    assert_eq!(show(room), show(back), "the history comes back with its event ids");

    // Both copies find the MP3 by the master's stored fingerprint.
    for ledger in [house.as_str(), back] {
        let before = std::fs::read(&mp3).unwrap();
        let (stdout, _, code) = run(ledger, &["assign", "--json", text(&mp3)]);
        assert_eq!(code, 1, "{stdout}");
        let line = &common::json_lines(&stdout)[0];
        assert_eq!((line["action"].as_str(), line["isrc"].as_str()), (Some("conflict"), Some(master_code.as_str())));
        assert!(line["detail"].as_str().unwrap().starts_with(&format!("sounds like ISRC {master_code}")), "{line}");
        assert_eq!(std::fs::read(&mp3).unwrap(), before);
    }

    // A target that holds a ledger is refused, and left as it was.
    let before = export(back);
    let (_, stderr, code) = run(room, &["ledger", "copy", "--to", back]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("the target ledger is not empty"), "{stderr}");
    assert_eq!(export(back), before);
}

#[test]
fn a_role_that_may_only_read_verifies_and_dry_runs_but_cannot_assign() {
    let Some(owner) = common::postgres_database("writer") else { return };
    let dir = common::copy_fixtures(&["album", "formats/s16.wav"]);
    assert_eq!(run(&owner, &["init", "--prefix", "QZ-TST"]).2, 0);
    let album = dir.path().join("album");
    assert_eq!(run(&owner, &["assign", text(&album)]).2, 0);
    let database = owner.rsplit('/').next().unwrap().split('?').next().unwrap();
    let mut admin = common::postgres_admin().unwrap();
    admin.batch_execute(&format!("GRANT CONNECT ON DATABASE {database} TO reader")).unwrap();
    let mut in_ledger: postgres::Config = common::postgres_server().unwrap().parse().unwrap();
    in_ledger.dbname(database);
    let mut client = in_ledger.connect(postgres::NoTls).unwrap();
    client.batch_execute("SET ROLE writer; GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader").unwrap();
    let reader = common::postgres_url("reader", database);

    let (stdout, stderr, code) = run(&reader, &["verify", text(&album)]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stderr.contains("4 files") && stderr.contains("0 errors"), "the summary, on stderr: {stderr}");
    assert_eq!(run(&reader, &["ledger", "export"]).0, export(&owner));

    let new = dir.path().join("formats");
    let before = common::snapshot(&new);
    let listed = run(&owner, &["ledger", "list", "--json"]).0;
    let (stdout, stderr, code) = run(&reader, &["assign", "--json", "--dry-run", text(&new)]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(common::json_lines(&stdout)[0]["isrc"], "QZTST2600005", "the code a real run would issue");

    let (stdout, stderr, code) = run(&reader, &["assign", text(&new)]);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(stderr.contains("permission denied for table"), "names what was refused: {stderr}");
    assert!(stderr.contains("grant it SELECT, INSERT and UPDATE"), "says what to ask for: {stderr}");
    assert_eq!(common::snapshot(&new), before, "no file written");
    assert_eq!(run(&owner, &["ledger", "list", "--json"]).0, listed, "nothing recorded");
}

#[test]
fn bad_locations_are_clear_errors_naming_what_to_fix() {
    let Some(good) = common::postgres_database("writer") else { return };
    let database = good.rsplit('/').next().unwrap().split('?').next().unwrap().to_owned();
    let port = good.rsplit(':').next().unwrap().split('/').next().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let cases: [(String, &str); 5] = [
        (format!("postgresql://writer:writer@127.0.0.1:1/{database}"), "cannot reach the ledger server"),
        ("postgresql://writer:writer@no-such-host.invalid/ledger".into(), "check the host and port"),
        (format!("postgresql://writer:wrong@127.0.0.1:{port}/{database}"), "refused the login"),
        (format!("postgresql://writer:writer@127.0.0.1:{port}/no_such_database"), "has no database no_such_database"),
        (text(dir.path()).to_owned(), "is a folder: --ledger needs the path of a ledger file"),
    ];
    for (location, expected) in &cases {
        let (stdout, stderr, code) = run(location, &["ledger", "list"]);
        assert_eq!(code, 2, "{location}: {stdout}{stderr}");
        assert!(stderr.contains(expected), "{location}: {stderr}");
        assert!(!stderr.contains("wrong"), "a password is never shown: {stderr}");
    }
}

#[test]
fn commands_that_only_read_create_no_ledger() {
    let Some(url) = common::postgres_database("writer") else { return };
    let dir = common::copy_fixtures(&["album"]);
    for args in [&["ledger", "list"][..], &["ledger", "export"], &["verify", text(dir.path())]] {
        let (_, stderr, code) = run(&url, args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains("no ledger at") && stderr.contains("init --prefix"), "{stderr}");
    }
    let database = url.rsplit('/').next().unwrap().split('?').next().unwrap();
    let mut config: postgres::Config = common::postgres_server().unwrap().parse().unwrap();
    config.dbname(database);
    let tables: i64 = config
        .connect(postgres::NoTls)
        .unwrap()
        .query_one("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", &[])
        .unwrap()
        .get(0);
    assert_eq!(tables, 0, "no table was created");
    let (_, stderr, code) = run(&url, &["init", "--prefix", "QZ-TST"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(run(&url, &["ledger", "list"]).2, 0);
}

#[test]
fn a_house_ledger_names_the_user_the_host_and_the_role_and_lists_its_runs() {
    let Some(house) = common::postgres_database("writer") else { return };
    let dir = tempfile::tempdir().unwrap();
    let album = dir.path().join("album");
    std::fs::create_dir_all(&album).unwrap();
    for entry in std::fs::read_dir(common::fixtures().join("album")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), album.join(entry.file_name())).unwrap();
    }
    let (_, stderr, code) = run(&house, &["init", "--prefix", "QZ-TST"]);
    assert_eq!(code, 0, "{stderr}");
    let (stdout, stderr, code) = run(&house, &["assign", "--json", text(&album)]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let code_of_first = common::json_lines(&stdout)[0]["isrc"].as_str().unwrap().to_owned();
    let (stdout, _, code) = run(&house, &["--json", "ledger", "show", &code_of_first]);
    assert_eq!(code, 0);
    let by = common::json_lines(&stdout)[0]["recording"]["issued_by"].as_str().unwrap().to_owned();
    assert!(by.contains('@') && by.ends_with(" as writer"), "the user, the host and the role: {by}");
    let (stdout, _, code) = run(&house, &["--json", "ledger", "runs"]);
    assert_eq!(code, 0);
    let runs = common::json_lines(&stdout);
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!((runs[0]["role"].as_str(), runs[0]["counts"]["issued"].as_u64()), (Some("writer"), Some(4)));
}
