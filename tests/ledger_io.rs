//! `ledger export`, `ledger import` and `ledger void` end to end: a ledger built by
//! `assign` goes out as CSV (and JSON Lines) and back into a fresh ledger unchanged,
//! formulas come out inert, bad rows are reported by line and nothing is imported, and a
//! void code is never issued again.

mod common;

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

/// Writes a 16-bit stereo 44.1 kHz WAV of pseudo-random audio (depending on `seed`) with
/// a RIFF INFO chunk whose INAM (title) is `title`.
fn write_titled_wav(path: &Path, seed: u32, title: &str) {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(12_345);
    let mut data = Vec::new();
    for _ in 0..4_410 * 2 {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        data.extend_from_slice(&((state >> 16) as i16 / 4).to_le_bytes());
    }
    let mut inam = title.as_bytes().to_vec();
    inam.push(0);
    let inam_len = inam.len() as u32;
    if inam.len() % 2 == 1 {
        inam.push(0);
    }
    let mut info = b"INFO".to_vec();
    info.extend_from_slice(b"INAM");
    info.extend_from_slice(&inam_len.to_le_bytes());
    info.extend_from_slice(&inam);
    let mut body = b"WAVEfmt ".to_vec();
    body.extend_from_slice(&16u32.to_le_bytes());
    for (value, width) in [(1u32, 2), (2, 2), (44_100, 4), (44_100 * 4, 4), (4, 2), (16, 2)] {
        body.extend_from_slice(&value.to_le_bytes()[..width]);
    }
    body.extend_from_slice(b"data");
    body.extend_from_slice(&(data.len() as u32).to_le_bytes());
    body.extend_from_slice(&data);
    body.extend_from_slice(b"LIST");
    body.extend_from_slice(&(info.len() as u32).to_le_bytes());
    body.extend_from_slice(&info);
    let mut bytes = b"RIFF".to_vec();
    bytes.extend_from_slice(&(body.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&body);
    std::fs::write(path, bytes).unwrap();
}

const EVIL_TITLE: &str = r#"=HYPERLINK("http://evil","x")"#;

/// Runs the binary and requires exit code `expected`; returns stdout.
fn ok(ledger: &Path, args: &[&str], expected: i32) -> String {
    let (stdout, stderr, code) = common::run_with_ledger(ledger, args);
    assert_eq!(code, expected, "{args:?}\nstdout: {stdout}\nstderr: {stderr}");
    stdout
}

/// `assign --json` on `paths`: relative file name -> code.
fn assign(ledger: &Path, extra: &[&str], paths: &[&Path]) -> HashMap<String, String> {
    let mut args = vec!["assign", "--json"];
    args.extend_from_slice(extra);
    args.extend(paths.iter().map(|p| p.to_str().unwrap()));
    common::json_lines(&ok(ledger, &args, 0))
        .into_iter()
        .map(|line| {
            let name = Path::new(line["path"].as_str().unwrap()).file_name().unwrap().to_str().unwrap().to_owned();
            (name, line["isrc"].as_str().unwrap().to_owned())
        })
        .collect()
}

/// A ledger built by `assign` on the album and the `same` group, a WAV titled with a
/// formula, an edit made `--new-version-of` the first track, and one void code.
struct Built {
    dir: tempfile::TempDir,
    codes: HashMap<String, String>,
    void_code: String,
    edit_code: String,
}

impl Built {
    fn ledger(&self) -> std::path::PathBuf {
        self.dir.path().join("ledger.sqlite3")
    }
}

fn build() -> Built {
    let dir = common::copy_fixtures(&["album", "same"]);
    write_titled_wav(&dir.path().join("evil.wav"), 7, EVIL_TITLE);
    let ledger = dir.path().join("ledger.sqlite3");
    ok(&ledger, &["init", "--prefix", "QZ-TST"], 0);
    let codes = assign(&ledger, &[], &[dir.path()]);
    let parent = codes["01 - First Light.flac"].clone();
    let edits = tempfile::tempdir().unwrap();
    let edit = edits.path().join("radio edit.wav");
    std::fs::copy(common::fixtures().join("formats/s16.wav"), &edit).unwrap();
    let edit_code = assign(&ledger, &["--new-version-of", &parent, "--as", "edit"], &[&edit])["radio edit.wav"].clone();
    let void_code = codes["04 - Lantern.flac"].clone();
    ok(&ledger, &["ledger", "void", &void_code, "--reason", "withdrawn: released under another code"], 0);
    Built { dir, codes, void_code, edit_code }
}

/// Every record of a CSV text, header first.
fn records(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn export_import_export_is_identical_and_formulas_are_inert() {
    let built = build();
    let ledger = built.ledger();
    let exported = ok(&ledger, &["ledger", "export"], 0);

    // The layout: header, one row per (recording, audio id), ordered by code then audio id.
    let rows = records(&exported);
    let header = &rows[0];
    assert_eq!(
        header.join(","),
        "isrc,title,artist,version_note,status,origin,parent,relation,issued_at,issued_by,void_reason,\
         audio_id,frames,sample_rate,channels,bits,first_path,added_at,codec,entered_at,declared_duration,\
         content_type,p_date,p_line_year,p_line_owner,parental_warning"
    );
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let keys: Vec<(String, String)> =
        rows[1..].iter().map(|r| (r[column("isrc")].clone(), r[column("audio_id")].clone())).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "ordered by code, then audio id");
    let distinct: std::collections::HashSet<&String> = built.codes.values().collect();
    assert_eq!(
        keys.iter().map(|(code, _)| code).collect::<std::collections::HashSet<_>>().len(),
        distinct.len() + 1,
        "every code, and the edit's"
    );

    // The formula is inert; no cell starts with a formula character.
    let evil = &built.codes["evil.wav"];
    let evil_row = rows.iter().find(|r| &r[column("isrc")] == evil).unwrap();
    assert_eq!(evil_row[column("title")], format!("'{EVIL_TITLE}"));
    for row in &rows {
        for cell in row {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "live formula cell {cell:?}");
        }
    }
    // Lineage and the void code are there.
    let edit_row = rows.iter().find(|r| r[column("isrc")] == built.edit_code).unwrap();
    assert_eq!(edit_row[column("parent")], built.codes["01 - First Light.flac"]);
    assert_eq!(edit_row[column("relation")], "edit");
    let void_row = rows.iter().find(|r| r[column("isrc")] == built.void_code).unwrap();
    assert_eq!(void_row[column("status")], "void");
    assert_eq!(void_row[column("void_reason")], "withdrawn: released under another code");
    assert!(void_row[column("audio_id")].starts_with("pcm1:"), "a void code keeps its audio ids");
    let group = rows.iter().filter(|r| r[column("isrc")] == built.codes["same.flac"]).count();
    assert_eq!(group, 1, "six files of the same audio: one audio id");

    // --output writes the same bytes.
    let file = built.dir.path().join("export.csv");
    ok(&ledger, &["ledger", "export", "--output", file.to_str().unwrap(), "-q"], 0);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), exported);

    // Into a fresh ledger (import creates it), and out again: byte-identical.
    let fresh = built.dir.path().join("fresh.sqlite3");
    let summary = ok(&fresh, &["ledger", "import", "--foreign", "--json", file.to_str().unwrap()], 0);
    let summary = &common::json_lines(&summary)[0]["summary"];
    assert_eq!(
        summary["recordings_imported"].as_u64(),
        Some(keys.iter().map(|k| &k.0).collect::<std::collections::HashSet<_>>().len() as u64)
    );
    assert_eq!(summary["recordings_skipped"], 0);
    assert_eq!(ok(&fresh, &["ledger", "export"], 0), exported);

    // Importing the same file again changes nothing.
    let again = ok(&fresh, &["ledger", "import", "--foreign", "--json", file.to_str().unwrap()], 0);
    assert_eq!(common::json_lines(&again)[0]["summary"]["recordings_imported"], 0);
    assert_eq!(ok(&fresh, &["ledger", "export"], 0), exported);

    // JSON Lines: one object per recording, and the same round trip.
    let json = ok(&ledger, &["ledger", "export", "--format", "json"], 0);
    let lines = common::json_lines(&json);
    assert_eq!(lines.len(), rows[1..].iter().map(|r| &r[0]).collect::<std::collections::HashSet<_>>().len());
    let evil_line = lines.iter().find(|l| l["isrc"] == evil.as_str()).unwrap();
    assert_eq!(evil_line["title"], EVIL_TITLE, "JSON is not a spreadsheet: the text as it is");
    assert!(lines.iter().all(|l| l["audio"].is_array()));
    assert_eq!(ok(&ledger, &["ledger", "export", "--json"], 0), json, "--json means --format json");
    let json_file = built.dir.path().join("export.jsonl");
    std::fs::write(&json_file, &json).unwrap();
    let from_json = built.dir.path().join("from-json.sqlite3");
    ok(&from_json, &["ledger", "import", "--foreign", json_file.to_str().unwrap()], 0);
    assert_eq!(ok(&from_json, &["ledger", "export", "--format", "json"], 0), json);
    assert_eq!(ok(&from_json, &["ledger", "export"], 0), exported);

    // The imported ledger knows the audio: assign reuses its codes, verify reports the void one.
    let album = built.dir.path().join("album");
    let (stdout, _, code) = common::run_with_ledger(&fresh, &["verify", "--json", album.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}");
    let void_ids: Vec<String> = common::json_lines(&stdout)
        .iter()
        .filter(|l| l["findings"].as_array().is_some_and(|f| f.iter().any(|f| f["id"] == "void-code")))
        .map(|l| l["isrc"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(void_ids, std::slice::from_ref(&built.void_code));
}

#[test]
fn bad_rows_are_reported_by_line_and_nothing_is_imported() {
    let built = build();
    let ledger = built.ledger();
    let before = ok(&ledger, &["ledger", "export"], 0);
    let list = built.dir.path().join("bad.csv");
    let text = "isrc,title,status,audio_id,frames,sample_rate,channels,bits\n\
                GBBBB9905305,Good one,active,,,,,\n\
                USPR3730001O,Bad code,active,,,,,\n\
                NLA508700208,\"Good, with a comma\",,,,,,\n\
                USDO19800058,Bad status,withdrawn,,,,,\n\
                JPA840501147,Bad audio id,active,pcm1:not-hex,44100,44100,2,16\n\
                FROV65736517,Good too,void,,,,,\n";
    std::fs::write(&list, text).unwrap();
    let (stdout, stderr, code) =
        common::run_with_ledger(&ledger, &["ledger", "import", "--foreign", list.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    for line in [
        "line 3 (USPR3730001O): invalid ISRC",
        "line 5 (USDO19800058): unknown status \"withdrawn\"",
        "line 6 (JPA840501147): invalid audio_id",
    ] {
        assert!(stderr.contains(line), "{line} in {stderr}");
    }
    for good in ["line 2", "line 4", "line 7"] {
        assert!(!stderr.contains(good), "{good} is good: {stderr}");
    }
    assert!(stderr.contains("3 bad row(s)") && stderr.contains("nothing imported"), "{stderr}");
    assert_eq!(ok(&ledger, &["ledger", "export"], 0), before, "all or nothing");

    let (stdout, _, code) =
        common::run_with_ledger(&ledger, &["ledger", "import", "--foreign", "--json", list.to_str().unwrap()]);
    assert_eq!(code, 1);
    let lines: Vec<u64> = common::json_lines(&stdout).iter().map(|l| l["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [3, 5, 6]);

    // A row that conflicts with the ledger's identity of a code is a bad row too.
    let conflicting = built.dir.path().join("conflict.csv");
    std::fs::write(&conflicting, format!("isrc,origin\n{},adopted\nGBBBB9905305,imported\n", built.edit_code)).unwrap();
    let (_, stderr, code) =
        common::run_with_ledger(&ledger, &["ledger", "import", "--foreign", conflicting.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("line 2") && stderr.contains("already in the ledger with other data"), "{stderr}");
    assert_eq!(ok(&ledger, &["ledger", "export"], 0), before, "all or nothing");
    // Another title is a difference: shown, the ledger kept, the rest imported.
    let retitled = built.dir.path().join("retitled.csv");
    std::fs::write(&retitled, format!("isrc,title\n{},Another title\nGBBBB9905306,x\n", built.edit_code)).unwrap();
    let (stdout, stderr, code) =
        common::run_with_ledger(&ledger, &["ledger", "import", "--foreign", retitled.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.contains("difference  line 2") && stdout.contains("\"Another title\" in the file"), "{stdout}");
    assert!(stdout.contains("imported 1 recordings"), "{stdout}");

    // A file that cannot be read is an error (2), not a finding.
    let missing = built.dir.path().join("missing.csv");
    let (_, stderr, code) =
        common::run_with_ledger(&ledger, &["ledger", "import", "--foreign", missing.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot read"), "{stderr}");
}

#[test]
fn a_distributor_list_with_codes_titles_and_artists_imports() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.sqlite3");
    let list = dir.path().join("distributor.csv");
    std::fs::write(
        &list,
        "\u{feff}ISRC,Title,Artist\r\nUS-PR3-73-00012,Harbour Wall,The Fixture Ensemble\r\nGBBBB9905305,\"Slow Tide, Pt. 2\",\r\n",
    )
    .unwrap();
    let output = common::isrc_stamp()
        .arg("--ledger")
        .arg(&ledger)
        .args(["ledger", "import", "--foreign"])
        .arg(&list)
        .env("USER", "label-admin")
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("imported 2 recordings and 0 audio ids"), "{stdout}");
    let listed = common::json_lines(&ok(&ledger, &["ledger", "list", "--json"], 0));
    assert_eq!(listed.len(), 2);
    let by_code: HashMap<&str, &Value> = listed.iter().map(|l| (l["isrc"].as_str().unwrap(), l)).collect();
    let first = by_code["USPR37300012"];
    assert_eq!(
        (first["title"].as_str(), first["artist"].as_str()),
        (Some("Harbour Wall"), Some("The Fixture Ensemble"))
    );
    assert_eq!((first["origin"].as_str(), first["status"].as_str()), (Some("imported"), Some("active")));
    assert!(first["issued_by"].as_str().unwrap().starts_with("label-admin@"), "the user and the host");
    assert!(first["issued_at"].is_null(), "the list says nothing of when it was issued: unknown, not today");
    assert!(first["entered_at"].as_i64().unwrap() > 1_700_000_000);
    let second = by_code["GBBBB9905305"];
    assert_eq!((second["title"].as_str(), second["artist"].as_str()), (Some("Slow Tide, Pt. 2"), None));

    // The same list again: nothing new, nothing wrong.
    let again = ok(&ledger, &["ledger", "import", "--foreign", list.to_str().unwrap()], 0);
    assert!(again.contains("imported 0 recordings") && again.contains("skipped 2 recordings"), "{again}");
    // An adopted code is then reused by assign for a file that carries it.
    let show = ok(&ledger, &["ledger", "show", "USPR37300012"], 0);
    assert!(show.contains("imported by label-admin"), "{show}");
}

#[test]
fn a_void_code_is_never_issued_again() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.sqlite3");
    ok(&ledger, &["init", "--prefix", "QZ-TST", "--range", "00001-00003"], 0);
    let files: Vec<_> = (0..4).map(|n| dir.path().join(format!("track{n}.wav"))).collect();
    for (n, file) in files.iter().enumerate() {
        write_titled_wav(file, 100 + n as u32, &format!("Track {n}"));
    }
    let first = assign(&ledger, &[], &[&files[0]])["track0.wav"].clone();
    let second = assign(&ledger, &[], &[&files[1]])["track1.wav"].clone();
    assert!(first.ends_with("00001") && second.ends_with("00002"), "{first} {second}");

    // Voiding the highest code: the next one is above it.
    let stdout = ok(&ledger, &["ledger", "void", "--json", &second, "--reason", "issued by mistake"], 0);
    let voided = &common::json_lines(&stdout)[0];
    assert_eq!((voided["isrc"].as_str(), voided["status"].as_str()), (Some(second.as_str()), Some("void")));
    assert_eq!(voided["audio_ids"], 1);
    let third = assign(&ledger, &[], &[&files[2]])["track2.wav"].clone();
    assert!(third.ends_with("00003"), "{third}");

    // The range is full but for the void code: it is not reissued.
    let (stdout, _, code) = common::run_with_ledger(&ledger, &["assign", "--json", files[3].to_str().unwrap()]);
    assert_ne!(code, 0, "{stdout}");
    let line = &common::json_lines(&stdout)[0];
    assert_eq!(line["action"], "error", "{line}");
    assert!(line["isrc"].is_null(), "{line}");
    assert!(line["detail"].as_str().unwrap().contains("range exhausted"), "{line}");

    // The history says who voided it and why.
    let shown: Value = serde_json::from_str(&ok(&ledger, &["ledger", "show", "--json", &second], 0)).unwrap();
    assert_eq!(shown["recording"]["status"], "void");
    assert_eq!(shown["recording"]["void_reason"], "issued by mistake");
    let events = shown["events"].as_array().unwrap();
    assert!(events.iter().any(|e| e["action"] == "void" && e["detail"] == "issued by mistake"), "{events:?}");

    // The file that carries it fails verify; assign refuses to reuse it.
    let (stdout, _, code) = common::run_with_ledger(&ledger, &["verify", "--json", files[1].to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("\"void-code\""), "{stdout}");
    let (stdout, _, code) = common::run_with_ledger(&ledger, &["assign", "--json", files[1].to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(common::json_lines(&stdout)[0]["action"], "conflict");

    // Voiding again, or a code the ledger does not have: exit 1 with a message.
    let (_, stderr, code) = common::run_with_ledger(&ledger, &["ledger", "void", &second, "--reason", "again"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("already void"), "{stderr}");
    let (_, stderr, code) = common::run_with_ledger(&ledger, &["ledger", "void", "QZTST2699999", "--reason", "x"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("not in the ledger"), "{stderr}");
    let (_, _, code) = common::run_with_ledger(&ledger, &["ledger", "void", &first, "--reason", "  "]);
    assert_eq!(code, 2, "an empty reason is bad usage");
    let (_, _, code) = common::run_with_ledger(&ledger, &["ledger", "void", &first]);
    assert_eq!(code, 2, "--reason is required");
}

#[test]
fn fingerprints_stay_behind_in_an_export_and_one_assign_over_the_masters_stores_them_again() {
    let dir = tempfile::tempdir().unwrap();
    let masters = dir.path().join("masters");
    std::fs::create_dir_all(&masters).unwrap();
    let master = masters.join("master.wav");
    common::write_music_wav(&master, 1, 20.0);
    // The same recording with one byte of one sample changed: other audio, the same sound.
    let nudged = dir.path().join("nudged.wav");
    let mut bytes = std::fs::read(&master).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&nudged, bytes).unwrap();
    let dry_run = |ledger: &Path| {
        let (stdout, stderr, code) =
            common::run_with_ledger(ledger, &["assign", "--json", "--dry-run", nudged.to_str().unwrap()]);
        assert_ne!(code, 2, "{stdout}\n{stderr}");
        common::json_lines(&stdout).remove(0)
    };

    let first = dir.path().join("first.sqlite3");
    ok(&first, &["init", "--prefix", "QZ-TST"], 0);
    let code = assign(&first, &[], &[&master])["master.wav"].clone();
    assert_eq!(dry_run(&first)["action"], "conflict", "the first ledger knows the master by sound");
    let export = dir.path().join("export.jsonl");
    ok(&first, &["ledger", "export", "--format", "json", "--output", export.to_str().unwrap()], 0);

    // Moved: the recordings and audio ids arrive, the prefix and the fingerprints do not.
    let second = dir.path().join("second.sqlite3");
    ok(&second, &["ledger", "import", "--foreign", export.to_str().unwrap()], 0);
    ok(&second, &["init", "--prefix", "QZ-TST"], 0);
    assert_eq!(dry_run(&second)["action"], "issued", "no fingerprint to compare with yet");
    let (stdout, _, _) = common::run_with_ledger(&second, &["assign", "--json", masters.to_str().unwrap()]);
    let line = common::json_lines(&stdout).remove(0);
    assert_eq!((line["action"].as_str(), line["isrc"].as_str()), (Some("unchanged"), Some(code.as_str())));
    let line = dry_run(&second);
    assert_eq!((line["action"].as_str(), line["isrc"].as_str()), (Some("conflict"), Some(code.as_str())));
    assert!(line["detail"].as_str().unwrap().starts_with(&format!("sounds like ISRC {code}")), "{line}");
}

#[test]
fn ledger_edit_then_the_code_list_has_one_row_per_code_with_titles_versions_and_durations() {
    let built = build();
    let ledger = built.ledger();
    let first = built.codes["01 - First Light.flac"].clone();
    let before = ok(&ledger, &["ledger", "export"], 0);
    let edited =
        ok(&ledger, &["ledger", "edit", &built.edit_code, "--title", "First Light", "--version", "Radio Edit"], 0);
    let published = ok(
        &ledger,
        &[
            "ledger",
            "edit",
            &built.edit_code,
            "--p-date",
            "2026-03-20",
            "--p-line",
            "2026 Harbour",
            "--parental-warning",
            "clean",
        ],
        0,
    );
    assert!(
        published.contains(
            "p_date (none) -> \"2026-03-20\"; p_line (none) -> \"2026 Harbour\"; parental_warning (none) -> \"clean\""
        ),
        "{published}"
    );
    let (_, stderr, code) =
        common::run_with_ledger(&ledger, &["ledger", "edit", &built.edit_code, "--p-date", "20 March 2026"]);
    assert_eq!(code, 2, "a P-date is a date or a year: {stderr}");
    assert!(edited.contains("title (none) -> \"First Light\"; version (none) -> \"Radio Edit\""), "{edited}");
    ok(&ledger, &["ledger", "edit", &first, "--artist", "Fixture Ensemble & Friends"], 0);
    let (_, stderr, code) = common::run_with_ledger(&ledger, &["ledger", "edit", &built.void_code, "--title", "x"]);
    assert_eq!(code, 1, "a void code is not edited: {stderr}");
    let (_, stderr, code) = common::run_with_ledger(&ledger, &["ledger", "edit", &first]);
    assert_eq!(code, 2, "nothing to change: {stderr}");
    assert!(stderr.contains("nothing to change"), "{stderr}");
    let history = ok(&ledger, &["ledger", "show", &built.edit_code], 0);
    assert!(history.contains("version     Radio Edit") && history.contains("edit  "), "{history}");

    let list = ok(&ledger, &["ledger", "export", "--recordings"], 0);
    let rows = records(&list);
    assert_eq!(
        rows[0].join(","),
        "isrc,isrc_display,title,version,artist,duration,duration_seconds,status,origin,parent,relation,\
         issued_at,audio_ids,formats,content_type,p_date,p_line_year,p_line_owner,parental_warning"
    );
    let codes: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    let mut distinct: Vec<&str> = built.codes.values().map(String::as_str).chain([built.edit_code.as_str()]).collect();
    distinct.sort();
    distinct.dedup();
    assert_eq!(codes, distinct, "one row per code, ordered by code");
    let row = |code: &str| rows.iter().find(|r| r[0] == code).unwrap().clone();
    let edit = row(&built.edit_code);
    assert_eq!((edit[2].as_str(), edit[3].as_str()), ("First Light", "Radio Edit"));
    assert_eq!(edit[10], "edit");
    assert_eq!(edit[14..], ["audio", "2026-03-20", "2026", "Harbour", "clean"]);
    let first_row = row(&first);
    assert_eq!(
        (first_row[4].as_str(), first_row[5].as_str(), first_row[6].as_str()),
        ("Fixture Ensemble & Friends", "0:00:02.000", "2.000")
    );
    assert_eq!((first_row[12].as_str(), first_row[13].as_str()), ("1", "flac 44.1/16"));
    assert_eq!(first_row[14..], ["audio", "", "", "", ""], "audio, the rest unknown");
    let same = row(&built.codes["same.flac"]);
    assert_eq!(same[12], "1", "six files of one audio are one audio id");
    let evil = row(&built.codes["evil.wav"]);
    assert_eq!(evil[2], format!("'{EVIL_TITLE}"), "formula-safe");
    assert_eq!(row(&built.void_code)[7], "void");

    let json = common::json_lines(&ok(&ledger, &["ledger", "export", "--recordings", "--format", "json"], 0));
    assert_eq!(json.len(), distinct.len());
    let edit_line = json.iter().find(|l| l["isrc"] == built.edit_code.as_str()).unwrap();
    assert_eq!((edit_line["version"].as_str(), edit_line["audio_ids"].as_u64()), (Some("Radio Edit"), Some(1)));

    // The full export is unchanged in layout and still round-trips exactly.
    let after = ok(&ledger, &["ledger", "export"], 0);
    assert_eq!(records(&after)[0], records(&before)[0]);
    let file = built.dir.path().join("edited.csv");
    std::fs::write(&file, &after).unwrap();
    let fresh = built.dir.path().join("fresh-edited.sqlite3");
    ok(&fresh, &["ledger", "import", "--foreign", file.to_str().unwrap()], 0);
    assert_eq!(ok(&fresh, &["ledger", "export"], 0), after);

    // `ledger list` shows the version and the duration.
    let list = ok(&ledger, &["ledger", "list"], 0);
    let line = list.lines().find(|l| l.starts_with(&built.edit_code)).unwrap();
    assert!(line.contains("Radio Edit") && line.contains("0:00.250"), "{line}");
}

#[test]
fn issued_by_is_the_os_account_when_user_is_unset() {
    let dir = common::copy_fixtures(&["album"]);
    let ledger = dir.path().join("ledger.sqlite3");
    ok(&ledger, &["init", "--prefix", "QZ-TST"], 0);
    let account = std::process::Command::new("id").arg("-un").output().unwrap();
    let account = String::from_utf8(account.stdout).unwrap().trim().to_owned();
    assert!(!account.is_empty());
    let output = common::isrc_stamp()
        .env_remove("USER")
        .env_remove("USERNAME")
        .arg("--ledger")
        .arg(&ledger)
        .args(["assign", "-q"])
        .arg(dir.path().join("album"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let exported = ok(&ledger, &["ledger", "export", "--format", "json"], 0);
    for line in common::json_lines(&exported) {
        let by = line["issued_by"].as_str().unwrap();
        assert!(by.starts_with(&format!("{account}@")), "never \"unknown\" when the OS names the account: {by}");
    }
}
