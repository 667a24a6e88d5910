//! `assign` under stress, end to end: eight processes on one ledger, SIGKILL at many
//! points of a run, bad files in the batch, an exhausted designation range, a future
//! year and a dry run. Every test has its own temporary folder and its own ledger
//! (`--ledger`), never the default one.
// The SIGKILL test and its helpers are Unix only.
#![cfg_attr(not(unix), allow(dead_code))]

#[macro_use]
mod common;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Backend;
use serde_json::Value;

// Concurrent processes and the dry run: on both backends.
on_both_backends!(
    eight_processes_on_one_ledger_never_issue_a_code_twice,
    a_dry_run_changes_nothing_and_shows_the_codes_a_real_run_issues,
);

/// The prefix every test issues under, and its stored form.
const PREFIX: &str = "QZ-TST";
const PREFIX_STORED: &str = "QZTST";

/// Frames of the generated WAVs: 0.2 s, small enough to keep the runs short.
const FRAMES: u32 = 8_820;

/// Frames of the masters the SIGKILL test writes: 1 s, so a run lasts long enough for
/// the kill points to fall in every phase.
const KILL_FRAMES: u32 = 44_100;

/// A temporary folder holding a ledger path (in `ledger/`) and audio folders.
struct Workspace {
    dir: tempfile::TempDir,
    ledger: PathBuf,
}

impl Workspace {
    /// A workspace whose ledger has the prefix `QZ-TST` with the default range.
    fn new() -> Workspace {
        Workspace::with_range(None)
    }

    /// A workspace whose ledger has `QZ-TST` with `range` (`None`: the default).
    fn with_range(range: Option<&str>) -> Workspace {
        Workspace::on_with_range(Backend::Sqlite, range).expect("SQLite is always there")
    }

    /// A workspace whose ledger, on `backend`, has the prefix `QZ-TST` with the default
    /// range; `None` when there is no server to run on (outside CI).
    fn on(backend: Backend) -> Option<Workspace> {
        Workspace::on_with_range(backend, None)
    }

    /// A workspace on `backend` whose ledger has `QZ-TST` with `range`.
    fn on_with_range(backend: Backend, range: Option<&str>) -> Option<Workspace> {
        let dir = tempfile::tempdir().expect("temp dir");
        let ledger = common::fresh_ledger(backend, &dir.path().join("ledger"))?;
        let workspace = Workspace { dir, ledger };
        let mut args = vec!["init", "--prefix", PREFIX];
        if let Some(range) = range {
            args.extend(["--range", range]);
        }
        let (stdout, stderr, code) = workspace.run(&args);
        assert_eq!(code, 0, "init failed: {stdout}\n{stderr}");
        Some(workspace)
    }

    /// A new empty folder `name` in the workspace.
    fn folder(&self, name: &str) -> PathBuf {
        let folder = self.dir.path().join(name);
        std::fs::create_dir_all(&folder).expect("mkdir");
        folder
    }

    /// Runs the binary on this workspace's ledger: (stdout, stderr, exit code).
    fn run(&self, args: &[&str]) -> (String, String, i32) {
        common::run_with_ledger(&self.ledger, args)
    }

    /// `assign --json [extra...] paths...`: (parsed lines, stderr, exit code).
    fn assign(&self, paths: &[&Path], extra: &[&str]) -> (Vec<Value>, String, i32) {
        let mut args = vec!["assign", "--json"];
        args.extend(extra);
        args.extend(paths.iter().map(|p| p.to_str().expect("UTF-8 path")));
        let (stdout, stderr, code) = self.run(&args);
        (common::json_lines(&stdout), stderr, code)
    }

    /// A command spawning `assign` on this ledger, for running concurrently or killing.
    fn assign_command(&self, folder: &Path, extra: &[&str]) -> Command {
        let mut command = Command::new(common::binary());
        command.arg("--ledger").arg(&self.ledger).arg("assign").args(extra).arg(folder);
        command
    }

    /// The codes of `ledger list --json`, in its order (duplicates kept, to be caught).
    fn ledger_codes(&self) -> Vec<String> {
        let (stdout, stderr, code) = self.run(&["ledger", "list", "--json"]);
        assert_eq!(code, 0, "the ledger must open and list: {stderr}");
        common::json_lines(&stdout).iter().map(|r| r["isrc"].as_str().expect("isrc").to_owned()).collect()
    }
}

/// This year, as `assign` sees it.
fn this_year() -> i16 {
    jiff::Zoned::now().year()
}

/// A stored-form code's (year of reference, designation).
fn parts(code: &str) -> (u8, u32) {
    assert_eq!(code.len(), 12, "stored form: {code}");
    assert!(code.starts_with(PREFIX_STORED), "{code} is under {PREFIX}");
    (code[5..7].parse().expect("year digits"), code[7..].parse().expect("designation digits"))
}

/// Panics if a code appears twice.
fn assert_no_code_twice(codes: &[String], what: &str) {
    let mut seen = HashSet::new();
    for code in codes {
        assert!(seen.insert(code), "{what}: {code} appears twice in {codes:?}");
    }
}

/// Asserts that, per year, the designations are exactly `1..=n` (no gap, no duplicate),
/// that the year is this year, and that `total` codes were issued in all.
fn assert_contiguous_from_one(codes: &[String], total: usize) {
    let mut per_year: BTreeMap<u8, Vec<u32>> = BTreeMap::new();
    for code in codes {
        let (year, designation) = parts(code);
        per_year.entry(year).or_default().push(designation);
    }
    let expected_year = (this_year() % 100) as u8;
    assert_eq!(per_year.keys().copied().collect::<Vec<_>>(), [expected_year], "one year, this one: {codes:?}");
    for designations in per_year.values_mut() {
        designations.sort_unstable();
        let n = designations.len() as u32;
        assert_eq!(*designations, (1..=n).collect::<Vec<_>>(), "contiguous designations from 00001");
    }
    assert_eq!(codes.len(), total, "codes issued: {codes:?}");
}

/// A file's name, from a JSON line's `path`.
fn name_of(line: &Value) -> String {
    let path = Path::new(line["path"].as_str().expect("path"));
    path.file_name().expect("file name").to_str().expect("UTF-8").to_owned()
}

/// `inspect --json` of a folder, by file name: (audio id, ISRC values); asserts exit 0.
fn inspect_folder(folder: &Path) -> BTreeMap<String, (String, Vec<String>)> {
    let (lines, code) = common::inspect_json(&[folder]);
    assert_eq!(code, 0, "inspect {}: {lines:?}", folder.display());
    let mut files = BTreeMap::new();
    for line in &lines {
        let id = line["audio_id"].as_str().unwrap_or_else(|| panic!("decodes: {line}")).to_owned();
        let isrcs = line["isrcs"].as_array().expect("isrcs").iter().map(|i| i["value"].as_str().unwrap().to_owned());
        let previous = files.insert(name_of(line), (id, isrcs.collect()));
        assert!(previous.is_none(), "inspect lists {} once", name_of(line));
    }
    files
}

/// Writes `count` WAVs `take-NN.wav` with seeds `first_seed..` into `folder`.
fn write_takes(folder: &Path, first_seed: u64, count: u64) {
    for n in 0..count {
        common::write_wav(&folder.join(format!("take-{n:02}.wav")), first_seed + n, FRAMES);
    }
}

/// Whether a name is one of the temporary files a safe write creates.
fn is_temp_name(name: &str) -> bool {
    name.starts_with(".isrc-stamp-") && name.ends_with(".tmp")
}

/// Every entry of `folder` by name.
fn entries(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .expect("read the folder")
        .map(|e| e.expect("entry").file_name().into_string().expect("UTF-8 name"))
        .collect();
    names.sort();
    names
}

// ---------------------------------------------------------------------------------------
// 1. Concurrency
// ---------------------------------------------------------------------------------------

fn eight_processes_on_one_ledger_never_issue_a_code_twice(backend: Backend) {
    const PROCESSES: u64 = 8;
    const PER_FOLDER: u64 = 3;
    let Some(workspace) = Workspace::on(backend) else { return };
    let root = workspace.folder("sessions");
    let folders: Vec<PathBuf> = (0..PROCESSES)
        .map(|f| {
            let folder = workspace.folder(&format!("sessions/session-{f}"));
            write_takes(&folder, 1_000 + f * PER_FOLDER, PER_FOLDER);
            folder
        })
        .collect();
    let before = inspect_all(&root);
    let distinct: HashSet<&String> = before.values().collect();
    assert_eq!(distinct.len(), (PROCESSES * PER_FOLDER) as usize, "the generated audio is distinct");

    // Start all eight, then collect them: they run at the same time.
    let children: Vec<_> = folders
        .iter()
        .map(|folder| {
            workspace
                .assign_command(folder, &["--json"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn assign")
        })
        .collect();
    let outputs: Vec<_> = children.into_iter().map(|child| child.wait_with_output().expect("wait")).collect();

    let mut issued = Vec::new();
    let mut by_path = BTreeMap::new();
    for (folder, output) in folders.iter().zip(&outputs) {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "assign {}: {stdout}\n{stderr}", folder.display());
        let lines = common::json_lines(&stdout);
        assert_eq!(lines.len(), PER_FOLDER as usize, "{stdout}");
        for line in &lines {
            assert_eq!(line["action"], "issued", "{line}");
            let path = PathBuf::from(line["path"].as_str().unwrap());
            assert!(path.starts_with(folder), "{line}");
            assert_eq!(line["audio_id"].as_str(), Some(before[&path].as_str()), "{line}");
            let code = line["isrc"].as_str().expect("a code").to_owned();
            issued.push(code.clone());
            by_path.insert(path, code);
        }
    }
    assert_no_code_twice(&issued, "assign outputs");
    assert_contiguous_from_one(&issued, (PROCESSES * PER_FOLDER) as usize);

    let listed = workspace.ledger_codes();
    assert_no_code_twice(&listed, "ledger list");
    assert_eq!(
        listed.iter().collect::<BTreeSet<_>>(),
        issued.iter().collect::<BTreeSet<_>>(),
        "the ledger holds exactly the codes the processes reported"
    );

    // Every file carries the code its process reported, and still the same audio.
    let (lines, code) = common::inspect_json(&[root.as_path()]);
    assert_eq!(code, 0);
    assert_eq!(lines.len(), by_path.len());
    for line in &lines {
        let path = PathBuf::from(line["path"].as_str().unwrap());
        assert_eq!(line["audio_id"].as_str(), Some(before[&path].as_str()), "{line}");
        let values: Vec<&str> =
            line["isrcs"].as_array().unwrap().iter().map(|i| i["value"].as_str().unwrap()).collect();
        assert_eq!(values.len(), 2, "a WAV carries the code in ID3 and INFO: {line}");
        assert!(values.iter().all(|v| *v == by_path[&path]), "{line}");
    }
}

/// `inspect --json` of a tree: audio id by full path.
fn inspect_all(root: &Path) -> BTreeMap<PathBuf, String> {
    let (lines, code) = common::inspect_json(&[root]);
    assert_eq!(code, 0, "{lines:?}");
    lines
        .iter()
        .map(|l| (PathBuf::from(l["path"].as_str().unwrap()), l["audio_id"].as_str().unwrap().to_owned()))
        .collect()
}

// ---------------------------------------------------------------------------------------
// 2. SIGKILL at many points
// ---------------------------------------------------------------------------------------

/// The masters every kill starts from: bytes and audio id by file name.
struct Masters {
    bytes: BTreeMap<String, Vec<u8>>,
    ids: BTreeMap<String, String>,
}

impl Masters {
    fn generate(count: u64, frames: u32) -> Masters {
        let dir = tempfile::tempdir().expect("temp dir");
        for n in 0..count {
            common::write_wav(&dir.path().join(format!("take-{n:02}.wav")), 2_000 + n, frames);
        }
        let ids: BTreeMap<String, String> = inspect_folder(dir.path())
            .into_iter()
            .map(|(name, (id, isrcs))| {
                assert!(isrcs.is_empty(), "{name} starts untagged");
                (name, id)
            })
            .collect();
        assert_eq!(ids.values().collect::<HashSet<_>>().len(), count as usize, "distinct audio");
        let bytes = ids.keys().map(|name| (name.clone(), std::fs::read(dir.path().join(name)).unwrap())).collect();
        Masters { bytes, ids }
    }

    /// A fresh copy in a new folder of `workspace`.
    fn copy_into(&self, workspace: &Workspace, name: &str) -> PathBuf {
        let folder = workspace.folder(name);
        for (file, bytes) in &self.bytes {
            std::fs::write(folder.join(file), bytes).expect("copy a master");
        }
        folder
    }
}

/// What a folder looks like after a killed run.
#[derive(Debug)]
struct AfterKill {
    /// Codes carried by the files that were tagged, by name.
    tagged: BTreeMap<String, String>,
    /// `ledger list` codes.
    ledger: BTreeSet<String>,
    /// Temporary files left behind.
    temps: usize,
}

/// Checks the folder and ledger after a kill: every original is there, decodes to its
/// audio id, and is either byte-identical or completely tagged with a code the ledger
/// holds; only temporary files are extra; the ledger opens and holds no code twice.
fn check_after_kill(workspace: &Workspace, folder: &Path, masters: &Masters, context: &str) -> AfterKill {
    let mut temps = 0;
    for name in entries(folder) {
        if is_temp_name(&name) {
            temps += 1;
            continue;
        }
        assert!(masters.bytes.contains_key(&name), "{context}: unexpected file {name} in the folder");
        let meta = std::fs::symlink_metadata(folder.join(&name)).unwrap();
        assert!(meta.is_file(), "{context}: {name} is still a regular file");
    }
    let seen = inspect_folder(folder);
    assert_eq!(
        seen.keys().collect::<Vec<_>>(),
        masters.ids.keys().collect::<Vec<_>>(),
        "{context}: every original is there, and temporary files are not taken for audio"
    );
    let mut tagged = BTreeMap::new();
    for (name, (id, isrcs)) in &seen {
        assert_eq!(id, &masters.ids[name], "{context}: {name} decodes to its original audio");
        if isrcs.is_empty() {
            let bytes = std::fs::read(folder.join(name)).unwrap();
            assert!(bytes == masters.bytes[name], "{context}: untagged {name} is byte-identical to the original");
        } else {
            assert_eq!(isrcs.len(), 2, "{context}: {name} is tagged completely (ID3 and INFO): {isrcs:?}");
            assert_eq!(isrcs[0], isrcs[1], "{context}: {name}'s locations agree");
            tagged.insert(name.clone(), isrcs[0].clone());
        }
    }
    let listed = workspace.ledger_codes();
    assert_no_code_twice(&listed, context);
    let ledger: BTreeSet<String> = listed.into_iter().collect();
    assert!(
        ledger.is_empty() || ledger.len() == masters.ids.len(),
        "{context}: the decisions are one transaction, all or nothing: {ledger:?}"
    );
    for (name, code) in &tagged {
        assert!(ledger.contains(code), "{context}: {name} carries {code}, which the ledger holds");
    }
    let carried: Vec<String> = tagged.values().cloned().collect();
    assert_no_code_twice(&carried, &format!("{context}: codes carried by different audio"));
    AfterKill { tagged, ledger, temps }
}

/// Spawns `assign --json --jobs JOBS` on `folder`, its output discarded, to be killed.
fn spawn_silent_assign(workspace: &Workspace, folder: &Path, jobs: &str) -> std::process::Child {
    workspace
        .assign_command(folder, &["--json", "--jobs", jobs])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn assign")
}

/// Spawns `assign` on `folder`, kills it (SIGKILL) after `delay`, and reaps it.
/// Returns whether the kill arrived before the process ended on its own.
fn kill_after(workspace: &Workspace, folder: &Path, jobs: &str, delay: Duration) -> bool {
    let mut child = spawn_silent_assign(workspace, folder, jobs);
    if !delay.is_zero() {
        std::thread::sleep(delay);
    }
    // SIGKILL on Unix; harmless if the run already ended.
    let _ = child.kill();
    let status = child.wait().expect("reap");
    status.code().is_none()
}

/// Spawns `assign` on `folder` and kills it (SIGKILL) the moment any file in the folder
/// is replaced (its inode changes). Returns whether the kill arrived before the process
/// ended on its own.
#[cfg(unix)]
fn kill_when_first_replaced(workspace: &Workspace, folder: &Path, jobs: &str) -> bool {
    use std::os::unix::fs::MetadataExt;
    let inode = |name: &String| std::fs::metadata(folder.join(name)).map(|m| m.ino()).ok();
    let names = entries(folder);
    let before: Vec<_> = names.iter().map(inode).collect();
    let mut child = spawn_silent_assign(workspace, folder, jobs);
    while child.try_wait().expect("poll").is_none() {
        if names.iter().map(inode).zip(&before).any(|(now, then)| now != *then) {
            let _ = child.kill();
            break;
        }
        std::thread::yield_now();
    }
    child.wait().expect("reap").code().is_none()
}

/// A run that is not killed finishes the job after `after`: exit 0, every file carries
/// one code, tagged files keep theirs, codes the ledger already held are reused (none
/// wasted), designations are 1..=n; a second rerun finds everything unchanged.
fn finish_and_check(workspace: &Workspace, folder: &Path, masters: &Masters, after: &AfterKill, context: &str) {
    let (lines, stderr, code) = workspace.assign(&[folder], &[]);
    assert_eq!(code, 0, "{context}: the rerun finishes cleanly: {lines:?}\n{stderr}");
    assert_eq!(lines.len(), masters.ids.len(), "{context}: one line per original, none for temporary files");
    let mut codes = BTreeMap::new();
    for line in &lines {
        let name = name_of(line);
        assert_eq!(line["audio_id"].as_str(), Some(masters.ids[&name].as_str()), "{context}: {line}");
        let isrc = line["isrc"].as_str().unwrap_or_else(|| panic!("{context}: a code for {line}")).to_owned();
        let expected = match after.tagged.get(&name) {
            Some(carried) => {
                assert_eq!(&isrc, carried, "{context}: {name} keeps the code it carries");
                "unchanged"
            }
            None if !after.ledger.is_empty() => "reused",
            None => "issued",
        };
        assert_eq!(line["action"], expected, "{context}: {line}");
        codes.insert(name, isrc);
    }
    let all: Vec<String> = codes.values().cloned().collect();
    assert_no_code_twice(&all, &format!("{context}: one code per audio id"));
    let listed = workspace.ledger_codes();
    assert_no_code_twice(&listed, context);
    if !after.ledger.is_empty() {
        assert_eq!(listed.iter().cloned().collect::<BTreeSet<_>>(), after.ledger, "{context}: nothing wasted");
    }
    assert_contiguous_from_one(&listed, masters.ids.len());

    for (name, (id, isrcs)) in inspect_folder(folder) {
        assert_eq!(id, masters.ids[&name], "{context}: {name} keeps its audio");
        assert_eq!(isrcs, [codes[&name].clone(), codes[&name].clone()], "{context}: {name} carries its code");
    }
    let temps = entries(folder).iter().filter(|n| is_temp_name(n)).count();
    assert_eq!(temps, 0, "{context}: a clean run removes the temporary files a kill left ({} before)", after.temps);

    let (lines, stderr, code) = workspace.assign(&[folder], &[]);
    assert_eq!(code, 0, "{context}: second rerun: {stderr}");
    assert_eq!(lines.len(), masters.ids.len());
    for line in &lines {
        assert_eq!(line["action"], "unchanged", "{context}: second rerun: {line}");
        assert_eq!(line["isrc"].as_str(), Some(codes[&name_of(line)].as_str()), "{context}: {line}");
    }
}

/// How long a whole run of `assign --jobs jobs` on a fresh copy of the masters takes.
fn whole_run(masters: &Masters, jobs: &str) -> Duration {
    let workspace = Workspace::new();
    let folder = masters.copy_into(&workspace, "masters");
    let mut command = workspace.assign_command(&folder, &["--jobs", jobs, "-q"]);
    let start = Instant::now();
    let status = command.stdout(Stdio::null()).status().expect("runs");
    let took = start.elapsed();
    assert!(status.success(), "a whole run succeeds");
    took
}

#[cfg(unix)]
#[test]
fn sigkill_at_many_points_loses_no_master_and_wastes_no_code() {
    const FILES: u64 = 20;
    const POINTS: u32 = 16;
    let masters = Masters::generate(FILES, KILL_FRAMES);

    // How long whole runs take, to spread the kill points over them.
    let whole = [("1", whole_run(&masters, "1")), ("2", whole_run(&masters, "2"))];
    eprintln!("whole runs of {FILES} files: {whole:?}");

    let mut killed_runs = 0;
    let mut mid_write = 0;
    for point in 0..POINTS {
        let (jobs, full) = whole[point as usize % 2];
        let first = full.mul_f64(f64::from(point) / f64::from(POINTS - 1));
        // A second kill on the same folder, at another point of a run.
        let second = full.mul_f64(f64::from((point * 7 + 3) % POINTS) / f64::from(POINTS - 1));
        let workspace = Workspace::new();
        let folder = masters.copy_into(&workspace, "masters");

        let context = format!("kill {point} after {first:?} (--jobs {jobs})");
        killed_runs += usize::from(kill_after(&workspace, &folder, jobs, first));
        let after_first = check_after_kill(&workspace, &folder, &masters, &context);
        if !after_first.ledger.is_empty() && after_first.tagged.len() < FILES as usize {
            mid_write += 1;
        }

        let context = format!("{context}, then after {second:?}");
        killed_runs += usize::from(kill_after(&workspace, &folder, jobs, second));
        let after_second = check_after_kill(&workspace, &folder, &masters, &context);
        for (name, code) in &after_first.tagged {
            assert_eq!(after_second.tagged.get(name), Some(code), "{context}: {name} stays tagged with {code}");
        }
        if !after_first.ledger.is_empty() {
            assert_eq!(after_second.ledger, after_first.ledger, "{context}: the second run reuses the codes");
        }
        eprintln!(
            "{context}: {} then {} files tagged, {} codes in the ledger, {} temporary files",
            after_first.tagged.len(),
            after_second.tagged.len(),
            after_second.ledger.len(),
            after_second.temps
        );
        finish_and_check(&workspace, &folder, &masters, &after_second, &context);
    }
    // Kills timed by what happens rather than by the clock: as soon as the first master
    // is replaced, when the ledger has committed and the other files are being written.
    for jobs in ["1", "2"] {
        let workspace = Workspace::new();
        let folder = masters.copy_into(&workspace, "masters");
        let context = format!("kill at the first replaced file (--jobs {jobs})");
        killed_runs += usize::from(kill_when_first_replaced(&workspace, &folder, jobs));
        let after = check_after_kill(&workspace, &folder, &masters, &context);
        if !after.ledger.is_empty() && after.tagged.len() < FILES as usize {
            mid_write += 1;
        }
        eprintln!("{context}: {} files tagged, {} temporary files", after.tagged.len(), after.temps);
        finish_and_check(&workspace, &folder, &masters, &after, &context);
    }
    eprintln!(
        "{killed_runs} of {} runs were killed before they ended; {mid_write} first kills fell between commit and the last write",
        2 * POINTS + 2
    );
    // The kill points must really fall inside runs, some of them while files are written;
    // otherwise the checks above prove little.
    assert!(killed_runs >= POINTS as usize / 2, "too few kills landed inside a run: {killed_runs}");
    assert!(mid_write >= 1, "no kill landed after the ledger commit and before the last write");
}

// ---------------------------------------------------------------------------------------
// 3. Bad files in the folder
// ---------------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn bad_files_get_their_own_error_and_stay_as_they_were() {
    use std::os::unix::fs::PermissionsExt;

    let workspace = Workspace::new();
    let folder = workspace.folder("batch");
    common::write_wav(&folder.join("good-1.wav"), 3_001, FRAMES);
    common::write_wav(&folder.join("good-2.wav"), 3_002, FRAMES);
    std::fs::copy(common::fixtures().join("album/01 - First Light.flac"), folder.join("good-3.flac")).unwrap();
    std::fs::copy(common::fixtures().join("cases/truncated.flac"), folder.join("truncated.flac")).unwrap();
    std::fs::copy(common::fixtures().join("cases/not-audio.wav"), folder.join("not-audio.wav")).unwrap();
    let read_only = folder.join("read-only.wav");
    common::write_wav(&read_only, 3_003, FRAMES);
    std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o444)).unwrap();

    // chmod 000 makes a file unreadable, except for root. Root reads it, but mode 000 has
    // no write bit either, so the tool refuses it as read-only; a dangling symlink then
    // stands for the file that cannot be read.
    let unreadable = folder.join("unreadable.wav");
    common::write_wav(&unreadable, 3_004, FRAMES);
    std::fs::set_permissions(&unreadable, std::fs::Permissions::from_mode(0o000)).unwrap();
    let mut causes = vec![
        ("truncated.flac", "truncated"),
        ("not-audio.wav", "not a supported audio file"),
        ("read-only.wav", "read-only"),
    ];
    let dangling = folder.join("dangling.wav");
    if std::fs::read(&unreadable).is_err() {
        causes.push(("unreadable.wav", "permission denied"));
    } else {
        eprintln!("note: chmod 000 does not block reads here (root): a dangling symlink is the unreadable file");
        causes.push(("unreadable.wav", "read-only"));
        std::os::unix::fs::symlink("no-such-master.wav", &dangling).unwrap();
        causes.push(("dangling.wav", "no such file"));
    }
    let before: BTreeMap<&str, Option<Vec<u8>>> =
        causes.iter().map(|(name, _)| (*name, read_as_root_would(&folder.join(name)))).collect();

    let (lines, stderr, code) = workspace.assign(&[folder.as_path()], &[]);
    assert_eq!(code, 2, "errors give exit code 2: {lines:?}\n{stderr}");
    let by_name: BTreeMap<String, &Value> = lines.iter().map(|line| (name_of(line), line)).collect();
    assert_eq!(by_name.len(), lines.len(), "one line per file: {lines:?}");
    let mut expected: Vec<&str> = causes.iter().map(|(name, _)| *name).collect();
    expected.extend(["good-1.wav", "good-2.wav", "good-3.flac"]);
    expected.sort_unstable();
    assert_eq!(by_name.keys().map(String::as_str).collect::<Vec<_>>(), expected, "every file is reported");

    let mut good_codes = Vec::new();
    for name in ["good-1.wav", "good-2.wav", "good-3.flac"] {
        let line = by_name[name];
        assert_eq!(line["action"], "issued", "the good files are processed: {line}");
        good_codes.push(line["isrc"].as_str().unwrap().to_owned());
    }
    assert_no_code_twice(&good_codes, "good files");

    for &(name, cause) in &causes {
        let line = by_name[name];
        assert_eq!(line["action"], "error", "{line}");
        assert!(line["path"].as_str().unwrap().ends_with(name), "the line names the file: {line}");
        let detail = line["detail"].as_str().unwrap_or_default();
        assert!(!detail.is_empty(), "the error says why: {line}");
        assert!(detail.to_lowercase().contains(cause), "{name}: the cause ({cause}) in {detail:?}");
    }

    // The bad files are exactly as they were, modes included.
    for (name, bytes) in &before {
        assert_eq!(&read_as_root_would(&folder.join(name)), bytes, "{name} is byte-identical afterwards");
    }
    let mode = |path: &Path| std::fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&read_only), 0o444, "the read-only file keeps mode 444");
    assert_eq!(mode(&unreadable), 0o000, "the unreadable file keeps mode 000");
    if before.contains_key("dangling.wav") {
        assert_eq!(std::fs::read_link(&dangling).unwrap(), Path::new("no-such-master.wav"), "the link is unchanged");
    }

    // The good files carry their codes; no temporary file is left behind.
    let (inspected, _) = common::inspect_json(&[folder.join("good-1.wav").as_path(), &folder.join("good-3.flac")]);
    assert_eq!(inspected[0]["isrcs"][0]["value"].as_str(), Some(good_codes[0].as_str()), "{inspected:?}");
    assert_eq!(inspected[1]["isrcs"][0]["value"].as_str(), Some(good_codes[2].as_str()), "{inspected:?}");
    let temps: Vec<String> = entries(&folder).into_iter().filter(|n| n.starts_with(".isrc-stamp-")).collect();
    assert!(temps.is_empty(), "no temporary file is left after a run that was not killed: {temps:?}");
    let listed = workspace.ledger_codes();
    assert_no_code_twice(&listed, "ledger");
    for code in &good_codes {
        assert!(listed.contains(code), "{code} is in the ledger: {listed:?}");
    }
}

/// A file's bytes, reading it even when its mode forbids (by granting the owner read
/// for a moment); `None` when there is nothing to read (a dangling symlink).
#[cfg(unix)]
fn read_as_root_would(path: &Path) -> Option<Vec<u8>> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return std::fs::read(path).ok();
    }
    let mode = meta.permissions().mode();
    if mode & 0o400 != 0 {
        return Some(std::fs::read(path).expect("readable"));
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode | 0o400)).unwrap();
    let bytes = std::fs::read(path).expect("readable once granted");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    Some(bytes)
}

// ---------------------------------------------------------------------------------------
// 4. Range exhausted
// ---------------------------------------------------------------------------------------

#[test]
fn an_exhausted_range_is_an_error_naming_it_and_never_left() {
    let workspace = Workspace::with_range(Some("00001-00002"));
    let folder = workspace.folder("three");
    write_takes(&folder, 4_000, 3);
    let third = folder.join("take-02.wav");
    let third_before = std::fs::read(&third).unwrap();

    let (lines, stderr, code) = workspace.assign(&[folder.as_path()], &[]);
    assert_eq!(code, 2, "{lines:?}\n{stderr}");
    assert_eq!(lines.len(), 3, "{lines:?}");
    let year = this_year() % 100;
    for (line, designation) in lines[..2].iter().zip(["00001", "00002"]) {
        assert_eq!(line["action"], "issued", "{line}");
        assert_eq!(line["isrc"].as_str(), Some(format!("{PREFIX_STORED}{year:02}{designation}").as_str()), "{line}");
    }
    let error = &lines[2];
    assert_eq!(name_of(error), "take-02.wav");
    assert_eq!(error["action"], "error", "{error}");
    assert!(error["isrc"].is_null(), "no code for the third file: {error}");
    let detail = error["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("range"), "the detail names the range: {detail:?}");
    assert!(detail.contains(PREFIX) || detail.contains(PREFIX_STORED), "the detail names the prefix: {detail:?}");
    assert!(detail.contains("00001-00002"), "the detail gives the range: {detail:?}");

    let listed = workspace.ledger_codes();
    assert_eq!(listed.len(), 2, "{listed:?}");
    for code in &listed {
        assert!((1..=2).contains(&parts(code).1), "{code} lies inside the range");
    }
    assert_eq!(std::fs::read(&third).unwrap(), third_before, "the third file is untouched");
    for (name, (_, isrcs)) in inspect_folder(&folder) {
        for isrc in &isrcs {
            assert!(listed.contains(isrc), "{name} carries {isrc}, a code of the range");
        }
    }
}

// ---------------------------------------------------------------------------------------
// 5. Future year
// ---------------------------------------------------------------------------------------

#[test]
fn a_future_year_is_refused_and_changes_nothing() {
    let workspace = Workspace::new();
    let folder = workspace.folder("masters");
    write_takes(&folder, 5_000, 1);
    // One recording already in the ledger, so "no row changed" means something.
    let (lines, stderr, code) = workspace.assign(&[folder.as_path()], &[]);
    assert_eq!(code, 0, "{lines:?}\n{stderr}");
    common::write_wav(&folder.join("new.wav"), 5_001, FRAMES);
    let files_before = common::snapshot(&folder);
    let (ledger_before, _, _) = workspace.run(&["ledger", "list", "--json"]);

    let next_year = (this_year() + 1).to_string();
    let (stdout, stderr, code) = workspace.run(&["assign", "--json", "--year", &next_year, folder.to_str().unwrap()]);
    assert_eq!(code, 2, "a future year is bad usage: {stdout}\n{stderr}");
    assert!(stderr.contains("future"), "stderr says why: {stderr:?}");
    assert!(stdout.is_empty(), "no results: {stdout:?}");

    assert_eq!(common::snapshot(&folder), files_before, "no file changed");
    let (ledger_after, _, code) = workspace.run(&["ledger", "list", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(ledger_after, ledger_before, "no ledger row changed");
    assert_eq!(common::json_lines(&ledger_after).len(), 1);
}

// ---------------------------------------------------------------------------------------
// 6. Dry run
// ---------------------------------------------------------------------------------------

fn a_dry_run_changes_nothing_and_shows_the_codes_a_real_run_issues(backend: Backend) {
    let Some(workspace) = Workspace::on(backend) else { return };
    let folder = workspace.folder("masters");
    write_takes(&folder, 6_000, 3);
    for entry in std::fs::read_dir(common::fixtures().join("album")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), folder.join(entry.file_name())).unwrap();
    }
    let before = common::snapshot(&folder);

    let codes_of = |lines: &[Value]| -> BTreeMap<String, String> {
        lines
            .iter()
            .map(|line| {
                assert_eq!(line["action"], "issued", "{line}");
                (name_of(line), line["isrc"].as_str().expect("a code").to_owned())
            })
            .collect()
    };
    let (lines, stderr, code) = workspace.assign(&[folder.as_path()], &["--dry-run"]);
    assert_eq!(code, 0, "{lines:?}\n{stderr}");
    assert_eq!(lines.len(), 7, "{lines:?}");
    let dry = codes_of(&lines);
    let dry_codes: Vec<String> = dry.values().cloned().collect();
    assert_no_code_twice(&dry_codes, "dry run");

    assert_eq!(common::snapshot(&folder), before, "a dry run changes no file");
    let (listed, _, code) = workspace.run(&["ledger", "list", "--json"]);
    assert_eq!(code, 0);
    assert!(listed.is_empty(), "the ledger holds no recording after a dry run: {listed:?}");

    // A second dry run shows the same codes: nothing was taken by the first.
    let (lines, _, code) = workspace.assign(&[folder.as_path()], &["--dry-run"]);
    assert_eq!(code, 0);
    assert_eq!(codes_of(&lines), dry, "dry runs repeat");

    let (lines, stderr, code) = workspace.assign(&[folder.as_path()], &[]);
    assert_eq!(code, 0, "{lines:?}\n{stderr}");
    assert_eq!(codes_of(&lines), dry, "the real run issues the very codes the dry run showed");
    assert_contiguous_from_one(&workspace.ledger_codes(), 7);
    for (name, (_, isrcs)) in inspect_folder(&folder) {
        assert!(
            !isrcs.is_empty() && isrcs.iter().all(|v| *v == dry[&name]),
            "{name} carries {}: {isrcs:?}",
            dry[&name]
        );
    }
}
