//! What a studio's machines do to a run, tried end to end: a damaged or empty ledger,
//! full disks, signals, other users, links, extended attributes, odd files. Each test
//! is one defect of the fault-injection pass (issue 12) and failed before its fix.
//!
//! Tests that mount a small file system or run as `nobody` need root; they skip
//! outside CI when they cannot, and fail under CI (`CI` set), which runs as root.
//! Linux only: the same promises' Windows forms are tested in `src/platform/` (under
//! Wine in CI), and end to end by CI's Wine run.
#![cfg(target_os = "linux")]

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Studio, binary, fixtures, isrc_stamp, run_with_ledger, write_wav};

/// Whether this process may do what root does (mount, change users).
fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// Root, or else skip (outside CI) or fail (under CI).
fn need_root(what: &str) -> bool {
    if is_root() {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "{what} needs root under CI");
    eprintln!("skipping: {what} needs root");
    false
}

/// The temporary files isrc-stamp left under `dir`.
fn temporaries(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".isrc-stamp-"))
        .map(|e| e.into_path())
        .collect()
}

/// The ISRC values `inspect --json` finds in a file.
fn codes_in(path: &Path) -> Vec<String> {
    let (lines, _) = common::inspect_json(&[path]);
    lines[0]["isrcs"]
        .as_array()
        .map(|found| found.iter().map(|f| f["value"].as_str().unwrap_or_default().to_owned()).collect())
        .unwrap_or_default()
}

/// The audio id `inspect --json` reports for a file.
fn audio_id(path: &Path) -> String {
    let (lines, _) = common::inspect_json(&[path]);
    lines[0]["audio_id"].as_str().unwrap_or_default().to_owned()
}

/// Zeroes the page of `object` (a table or index, by name) in the SQLite file at `path`.
fn zero_page_of(path: &Path, object: &str) {
    let page: i64 = {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
        conn.query_row("SELECT rootpage FROM sqlite_schema WHERE name = ?1", [object], |r| r.get(0)).unwrap()
    };
    let mut bytes = std::fs::read(path).unwrap();
    let at = usize::try_from(page - 1).unwrap() * 4096;
    bytes[at..at + 4096].fill(0);
    std::fs::write(path, bytes).unwrap();
}

// ---- 1. a ledger that proves itself ------------------------------------------------

#[test]
fn an_empty_ledger_file_is_refused_by_every_command_init_too() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.sqlite3");
    std::fs::write(&ledger, b"").unwrap();
    let masters = common::copy_fixtures(&["album"]);
    let list = dir.path().join("list.csv");
    std::fs::write(&list, "isrc\nQZK4B2600001\n").unwrap();
    let album = masters.path().join("album");
    let album = album.to_str().unwrap();
    for args in [
        vec!["init", "--prefix", "QZ-K4B"],
        vec!["ledger", "list"],
        vec!["ledger", "import", "--foreign", list.to_str().unwrap()],
        vec!["assign", album],
        vec!["verify", album],
    ] {
        let (_, err, code) = run_with_ledger(&ledger, &args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("is not an isrc-stamp ledger (the file is empty: 0 bytes)"), "{args:?}: {err}");
        assert!(err.contains("restore it from a backup"), "{args:?}: {err}");
        assert_eq!(std::fs::metadata(&ledger).unwrap().len(), 0, "{args:?}: nothing was made of it");
    }
    assert!(codes_in(&masters.path().join("album/01 - First Light.flac")).is_empty(), "no master tagged");
}

/// Tags the album under `studio`, then gives back untagged copies of the same masters.
fn known_masters_untagged(studio: &Studio) -> tempfile::TempDir {
    let tagged = common::copy_fixtures(&["album"]);
    let (_, err, code) = studio.run(&["assign", tagged.path().join("album").to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    common::copy_fixtures(&["album"])
}

#[test]
fn a_zeroed_recording_page_stops_assign_before_any_file_is_written() {
    let studio = Studio::new("QZ-K4B");
    let copies = known_masters_untagged(&studio);
    zero_page_of(&studio.ledger(), "recording");
    let before = common::snapshot(copies.path());
    let (out, err, code) = studio.run(&["assign", copies.path().join("album").to_str().unwrap()]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("the ledger is damaged"), "{err}");
    assert!(err.contains("Restore it from a backup"), "{err}");
    assert_eq!(common::snapshot(copies.path()), before, "no master was written");
    let (out, _, code) = studio.run(&["ledger", "check"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("table recording"), "ledger check names the damaged table: {out}");
}

#[test]
fn a_zeroed_audio_id_index_stops_assign_and_ledger_check_names_it() {
    let studio = Studio::new("QZ-K4B");
    let copies = known_masters_untagged(&studio);
    zero_page_of(&studio.ledger(), "sqlite_autoindex_audio_1");
    let before = common::snapshot(copies.path());
    let (out, err, code) = studio.run(&["assign", copies.path().join("album").to_str().unwrap()]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("the ledger is damaged") && err.contains("Restore it from a backup"), "{err}");
    assert_eq!(common::snapshot(copies.path()), before, "no master was written");
    let (out, _, code) = studio.run(&["ledger", "check", "--json"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("sqlite_autoindex_audio_1"), "the damaged index is named: {out}");
}

#[test]
fn ledger_backup_is_a_consistent_ledger_that_checks_clean() {
    let studio = Studio::new("QZ-K4B");
    let masters = known_masters_untagged(&studio);
    let backup = studio.dir.path().join("backup.sqlite3");
    // Another process assigns while the backup is taken.
    let mut other = Command::new(binary())
        .arg("--ledger")
        .arg(studio.ledger())
        .args(["assign", "-q"])
        .arg(masters.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (out, err, code) = studio.run(&["ledger", "backup", backup.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(other.wait().unwrap().success());
    let (out, err, code) = run_with_ledger(&backup, &["ledger", "check"]);
    assert_eq!(code, 0, "{out}{err}");
    let (listed, _, _) = run_with_ledger(&backup, &["ledger", "list"]);
    assert_eq!(listed.lines().count(), 5, "the four codes of the album: {listed}");
    let (out, _, code) = studio.run(&["ledger", "check"]);
    assert_eq!((code, out.trim()), (0, "ok: the database is sound and every invariant holds"));
}

// ---- 2. full disks -----------------------------------------------------------------

/// A 64 MiB ext4 file system with 1 KiB blocks (what mkfs makes of a small volume),
/// loop-mounted for the test and unmounted when dropped.
struct SmallDisk {
    _dir: tempfile::TempDir,
    mount: PathBuf,
}

impl SmallDisk {
    fn new() -> Option<SmallDisk> {
        if !need_root("mounting a small file system") {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let image = dir.path().join("disk.img");
        let mount = dir.path().join("disk");
        std::fs::create_dir(&mount).unwrap();
        std::fs::File::create(&image).unwrap().set_len(64 << 20).unwrap();
        let ok =
            |cmd: &mut Command| cmd.stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success());
        assert!(ok(Command::new("mkfs.ext4").args(["-q", "-F", "-b", "1024", "-m", "0"]).arg(&image)), "mkfs.ext4");
        if !ok(Command::new("mount").args(["-o", "loop"]).arg(&image).arg(&mount)) {
            assert!(std::env::var_os("CI").is_none(), "mounting a loop device must work under CI");
            eprintln!("skipping: cannot mount a loop device here");
            return None;
        }
        Some(SmallDisk { _dir: dir, mount })
    }

    /// Fills the disk up to `free` bytes left.
    fn fill_leaving(&self, free: u64) {
        let filler = self.mount.join("filler");
        let _ = std::fs::remove_file(&filler);
        rustix::fs::sync();
        let stat = rustix::fs::statvfs(&self.mount).unwrap();
        let available = stat.f_bavail * stat.f_frsize;
        let file = std::fs::File::create(&filler).unwrap();
        rustix::fs::fallocate(&file, rustix::fs::FallocateFlags::empty(), 0, available.saturating_sub(free)).unwrap();
        rustix::fs::sync();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.mount).status();
    }
}

#[test]
fn a_full_disk_under_the_ledger_and_masters_is_a_clear_error_never_sigbus() {
    let Some(disk) = SmallDisk::new() else { return };
    let ledger = disk.mount.join("ledger.sqlite3");
    let masters = disk.mount.join("masters");
    // Different free space leaves the disk full at different moments: before the
    // ledger opens, while copies are made, at the commit (64 KiB was SIGBUS before).
    for free in [8 << 10, 64 << 10, 600 << 10, 900 << 10] {
        let _ = std::fs::remove_dir_all(&masters);
        let _ = std::fs::remove_file(disk.mount.join("filler"));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", ledger.display()));
        }
        std::fs::create_dir(&masters).unwrap();
        for n in 0..6 {
            std::fs::copy(fixtures().join("same/plain.wav"), masters.join(format!("{n}.wav"))).unwrap();
        }
        let original = std::fs::read(masters.join("0.wav")).unwrap();
        let (_, err, code) = run_with_ledger(&ledger, &["init", "--prefix", "QZ-K4B"]);
        assert_eq!(code, 0, "{err}");
        disk.fill_leaving(free);
        let output = isrc_stamp().arg("--ledger").arg(&ledger).arg("assign").arg(&masters).output().unwrap();
        let (out, err) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        let context = format!("{} KiB free: {out}{err}", free >> 10);
        // With the most room, the run may just fit (copies free their originals' blocks).
        let code = output.status.code();
        assert!(code == Some(2) || (code == Some(0) && free >= 600 << 10), "{context}: {code:?}, not a signal");
        if code == Some(2) {
            assert!(err.contains("is full") || out.contains("is full"), "{context}");
            assert!(format!("{out}{err}").contains(&format!("mounted at {}", disk.mount.display())), "{context}");
        }
        assert!(temporaries(&masters).is_empty(), "{context}: temporaries removed");
        if !out.is_empty() {
            assert_eq!(out.lines().count(), 7, "{context}: a line per file under the header");
        }
        for n in 0..6 {
            let path = masters.join(format!("{n}.wav"));
            let bytes = std::fs::read(&path).unwrap();
            assert!(bytes == original || codes_in(&path).len() == 2, "{context}: {n}.wav untouched or tagged whole");
        }
        // With room again, the next run finishes the job and records it.
        let _ = std::fs::remove_file(disk.mount.join("filler"));
        let (out, err, code) = run_with_ledger(&ledger, &["assign", masters.to_str().unwrap()]);
        assert_eq!(code, 0, "{context}: the rerun: {out}{err}");
    }
}

#[test]
fn a_full_disk_while_an_ogg_or_m4a_is_tagged_names_the_disk() {
    let Some(disk) = SmallDisk::new() else { return };
    let Some(python) = common::mutagen_python() else { return };
    // The ledger elsewhere: only the masters' disk is full.
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.sqlite3");
    let (_, err, code) = run_with_ledger(&ledger, &["init", "--prefix", "QZ-K4B"]);
    assert_eq!(code, 0, "{err}");
    let masters = disk.mount.join("masters");
    // Its code removed (by mutagen), so that the file is to be written.
    let untag = "import sys, mutagen\nf = mutagen.File(sys.argv[1])\n\
                 for k in [k for k in f.tags.keys() if 'isr' in k.lower()]:\n    del f.tags[k]\nf.save()";
    let mut full = 0;
    for fixture in ["formats/vorbis.ogg", "formats/alac.m4a"] {
        // Room for nothing, for a copy of the file but not its tags, and a little more.
        let len = std::fs::metadata(fixtures().join(fixture)).unwrap().len();
        for free in [2048, len.div_ceil(1024) * 1024, len.div_ceil(1024) * 1024 + 1024] {
            let _ = std::fs::remove_dir_all(&masters);
            let _ = std::fs::remove_file(disk.mount.join("filler"));
            std::fs::create_dir(&masters).unwrap();
            let master = masters.join(Path::new(fixture).file_name().unwrap());
            std::fs::copy(fixtures().join(fixture), &master).unwrap();
            assert!(Command::new(python).args(["-c", untag]).arg(&master).status().unwrap().success());
            let before = std::fs::read(&master).unwrap();
            disk.fill_leaving(free);
            let (out, err, code) = run_with_ledger(&ledger, &["assign", masters.to_str().unwrap()]);
            let context = format!("{fixture}, {free} bytes free: {out}{err}");
            assert!(code == 0 || code == 2, "{context}");
            if code == 2 {
                full += 1;
                let mount = format!("mounted at {}", disk.mount.display());
                assert!(out.contains("is full") && out.contains(&mount), "{context}");
                assert_eq!(std::fs::read(&master).unwrap(), before, "{context}: untouched");
            }
            assert!(temporaries(&masters).is_empty(), "{context}: temporaries removed");
        }
    }
    assert!(full >= 2, "the disk was full for at least one write of each format");
}

// ---- 3 and 4. other users, modes, xattrs, ACLs, hard links ---------------------------

/// A folder anyone may use, with a ledger anyone may write.
fn shared_studio() -> Studio {
    let studio = Studio::new("QZ-K4B");
    for path in [studio.dir.path(), &studio.masters()] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    std::fs::set_permissions(studio.ledger(), std::fs::Permissions::from_mode(0o666)).unwrap();
    studio
}

/// A copy of the binary that `nobody` may run (the build folder may be out of its reach).
fn binary_for_anyone() -> PathBuf {
    static COPY: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    let (_, path) = COPY.get_or_init(|| {
        // Removed when the process exits (a `TempDir` in a static never is).
        let dir = common::music::scratch();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = dir.path().join("isrc-stamp");
        std::fs::copy(binary(), &path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        (dir, path)
    });
    path.clone()
}

/// Runs the binary as `nobody` (group `nogroup`) with `--ledger` and `args`.
fn as_nobody(ledger: &Path, args: &[&str]) -> (String, String, i32) {
    let output = Command::new("setpriv")
        .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"])
        .arg(binary_for_anyone())
        .arg("--ledger")
        .arg(ledger)
        .args(args)
        .env("HOME", "/nonexistent")
        .output()
        .expect("setpriv runs");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

fn nogroup() -> u32 {
    std::fs::read_to_string("/etc/group")
        .unwrap()
        .lines()
        .find_map(|line| line.strip_prefix("nogroup:x:")?.split(':').next()?.parse().ok())
        .expect("a nogroup group")
}

#[test]
fn a_master_nobody_may_only_read_is_refused_when_nobody_runs_assign() {
    if !need_root("running as nobody") {
        return;
    }
    let studio = shared_studio();
    let master = studio.add(&["same/plain.wav"]).remove(0);
    std::os::unix::fs::chown(&master, Some(0), Some(nogroup())).unwrap();
    std::fs::set_permissions(&master, std::fs::Permissions::from_mode(0o640)).unwrap();
    let before = std::fs::read(&master).unwrap();
    let (out, err, code) = as_nobody(&studio.ledger(), &["assign", studio.masters().to_str().unwrap()]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("refused: you may not write it"), "{out}");
    assert_eq!(std::fs::read(&master).unwrap(), before);
    let meta = std::fs::metadata(&master).unwrap();
    assert_eq!((meta.uid(), meta.gid(), meta.mode() & 0o7777), (0, nogroup(), 0o640), "still root's");
}

#[test]
fn a_master_owned_by_another_user_is_refused_rather_than_given_to_the_caller() {
    if !need_root("running as nobody") {
        return;
    }
    let studio = shared_studio();
    let master = studio.add(&["same/plain.wav"]).remove(0);
    std::os::unix::fs::chown(&master, Some(0), Some(0)).unwrap();
    std::fs::set_permissions(&master, std::fs::Permissions::from_mode(0o666)).unwrap();
    let (out, err, code) = as_nobody(&studio.ledger(), &["assign", studio.masters().to_str().unwrap()]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("it is owned by uid 0"), "{out}");
    assert_eq!(std::fs::metadata(&master).unwrap().uid(), 0, "still root's, not nobody's");
    assert!(codes_in(&master).is_empty());
}

#[test]
fn owner_group_and_setuid_setgid_bits_come_back_as_they_were() {
    if !need_root("changing owners") {
        return;
    }
    let studio = Studio::new("QZ-K4B");
    let masters = studio.add(&["same/plain.wav", "formats/plain.flac", "formats/v24.mp3"]);
    for master in &masters {
        std::os::unix::fs::chown(master, Some(65534), Some(nogroup())).unwrap();
        std::fs::set_permissions(master, std::fs::Permissions::from_mode(0o6750)).unwrap();
    }
    let (out, err, code) = studio.run(&["assign", studio.masters().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    for master in &masters {
        let meta = std::fs::metadata(master).unwrap();
        assert_eq!((meta.uid(), meta.gid(), meta.mode() & 0o7777), (65534, nogroup(), 0o6750), "{master:?}");
        assert_eq!(codes_in(master).first().map(String::len), Some(12), "{master:?} tagged");
    }
}

#[test]
fn xattrs_and_acls_survive_tagging_in_all_six_formats() {
    if !common::have_tool("setfacl", &["--version"]) {
        return;
    }
    let studio = Studio::new("QZ-K4B");
    let masters = studio.add(&[
        "same/plain.wav",
        "formats/plain.flac",
        "formats/aiff16.aiff",
        "formats/v24.mp3",
        "formats/alac.m4a",
        "formats/vorbis.ogg",
    ]);
    for master in &masters {
        xattr::set(master, "user.studio.take", b"7").unwrap();
        let status = Command::new("setfacl").args(["-m", "u:nobody:rw"]).arg(master).status().unwrap();
        assert!(status.success());
    }
    let acl = |path: &Path| xattr::get(path, "system.posix_acl_access").unwrap();
    let acls: Vec<_> = masters.iter().map(|m| acl(m)).collect();
    assert!(acls.iter().all(Option::is_some));
    let (out, err, code) = studio.run(&["assign", studio.masters().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    for (master, before) in masters.iter().zip(&acls) {
        assert_eq!(codes_in(master).first().map(String::len), Some(12), "{master:?} tagged");
        assert_eq!(xattr::get(master, "user.studio.take").unwrap().as_deref(), Some(&b"7"[..]), "{master:?}");
        assert_eq!(&acl(master), before, "{master:?}: the ACL");
    }
}

#[test]
fn a_hard_linked_master_is_refused_unless_breaking_the_links_is_asked() {
    let studio = Studio::new("QZ-K4B");
    let master = studio.add(&["same/plain.wav"]).remove(0);
    let other_name = studio.dir.path().join("elsewhere.wav");
    std::fs::hard_link(&master, &other_name).unwrap();
    let (out, err, code) = studio.run(&["assign", master.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("the file has 2 hard links"), "{out}");
    assert!(codes_in(&master).is_empty() && codes_in(&other_name).is_empty(), "not split");
    let (out, err, code) = studio.run(&["assign", "--break-hard-links", master.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(codes_in(&master).len(), 2, "tagged");
    assert!(codes_in(&other_name).is_empty(), "the other name keeps the old file, as asked");
}

// ---- 5. signals ------------------------------------------------------------------

/// Runs `assign` on 12 half-minute untagged AIFF masters (written in full after the
/// decisions, not prepared ahead like WAV and FLAC) and sends `signal` as soon as the
/// first master is replaced (its inode changes): the writing is under way.
fn signal_during_writing(signal: rustix::process::Signal) -> Option<(Studio, Vec<PathBuf>, String, i32)> {
    if !common::have_tool("ffmpeg", &["-version"]) {
        return None;
    }
    let studio = Studio::new("QZ-K4B");
    let masters: Vec<PathBuf> = (0..12)
        .map(|n| {
            let wav = studio.dir.path().join(format!("take{n:02}.wav"));
            write_wav(&wav, n, 44_100 * 30);
            let path = studio.masters().join(format!("take{n:02}.aiff"));
            let status =
                Command::new("ffmpeg").args(["-loglevel", "error", "-i"]).arg(&wav).arg(&path).status().unwrap();
            assert!(status.success());
            std::fs::remove_file(wav).unwrap();
            path
        })
        .collect();
    let inodes: Vec<u64> = masters.iter().map(|m| std::fs::metadata(m).unwrap().ino()).collect();
    let child = Command::new(binary())
        .arg("--ledger")
        .arg(studio.ledger())
        .args(["assign", "--jobs", "1"])
        .arg(studio.masters())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let replaced = || masters.iter().zip(&inodes).any(|(m, &ino)| std::fs::metadata(m).is_ok_and(|m| m.ino() != ino));
    while !replaced() && started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(2));
    }
    let pid = rustix::process::Pid::from_raw(i32::try_from(child.id()).unwrap()).unwrap();
    rustix::process::kill_process(pid, signal).unwrap();
    let output = child.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&output.stdout).into_owned();
    Some((studio, masters, out, output.status.code().unwrap_or(-1)))
}

/// After a stop: a report line per master, each either written whole or untouched and
/// reported as not written, and no temporary file left.
fn check_stopped_cleanly(studio: &Studio, masters: &[PathBuf], out: &str) {
    assert!(temporaries(&studio.masters()).is_empty(), "no temporary left: {out}");
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(rows.len(), masters.len(), "a line per file: {out}");
    let (found, _) = common::inspect_json(&[&studio.masters()]);
    let mut written = 0;
    for (found, row) in found.iter().zip(&rows) {
        if found["isrcs"].as_array().is_some_and(|codes| codes.len() == 1) {
            written += 1;
            assert!(row.contains(" issued "), "{row}");
        } else {
            assert!(row.contains("not written") || row.contains("not read"), "{row}");
        }
    }
    assert!(written >= 1 && written < masters.len(), "stopped part way: {written} written\n{out}");
}

#[test]
fn sigint_while_writing_finishes_the_file_in_flight_reports_and_exits_130() {
    let Some((studio, masters, out, code)) = signal_during_writing(rustix::process::Signal::INT) else {
        return;
    };
    assert_eq!(code, 130, "{out}");
    check_stopped_cleanly(&studio, &masters, &out);
}

#[test]
fn sigterm_while_writing_stops_the_same_way_with_143() {
    let Some((studio, masters, out, code)) = signal_during_writing(rustix::process::Signal::TERM) else {
        return;
    };
    assert_eq!(code, 143, "{out}");
    check_stopped_cleanly(&studio, &masters, &out);
    // The next run writes the rest with the codes already bound.
    let (out, err, code) = studio.run(&["assign", studio.masters().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let (found, _) = common::inspect_json(&[&studio.masters()]);
    assert!(found.iter().all(|f| f["isrcs"].as_array().is_some_and(|codes| codes.len() == 1)), "{found:?}");
}

// ---- 7. read-only readers ------------------------------------------------------------

#[test]
fn a_user_who_may_only_read_the_ledger_can_list_export_and_verify() {
    if !need_root("running as nobody") {
        return;
    }
    let studio = Studio::new("QZ-K4B");
    let masters = known_masters_untagged(&studio);
    std::fs::set_permissions(studio.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(studio.ledger(), std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(masters.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let before = std::fs::read(studio.ledger()).unwrap();
    let (out, err, code) = as_nobody(&studio.ledger(), &["ledger", "list"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 5, "{out}");
    let (out, err, code) = as_nobody(&studio.ledger(), &["ledger", "export"]);
    assert_eq!((code, out.lines().count()), (0, 5), "{out}{err}");
    let (out, err, code) = as_nobody(&studio.ledger(), &["verify", masters.path().to_str().unwrap()]);
    assert_eq!(code, 1, "the untagged copies are findings, not errors: {out}{err}");
    assert!(out.contains("missing-isrc") && !err.contains("readonly"), "{out}{err}");
    let (_, err, code) = as_nobody(&studio.ledger(), &["ledger", "check"]);
    assert_eq!(code, 0, "{err}");
    // A dry run shows what assign would do; a real run is refused, by name.
    let (out, err, code) = as_nobody(&studio.ledger(), &["assign", "--dry-run", masters.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("reused") && err.contains("dry run"), "{out}{err}");
    let (out, err, code) = as_nobody(&studio.ledger(), &["assign", masters.path().to_str().unwrap()]);
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(std::fs::read(studio.ledger()).unwrap(), before, "the ledger is unchanged");
}

// ---- 8. messages and details ---------------------------------------------------------

/// The fixture MP3 with its ID3v2 tag replaced by one of about `size` bytes (a big
/// private frame, as a large cover picture makes).
fn mp3_with_tag_of(path: &Path, size: usize) {
    let original = std::fs::read(fixtures().join("formats/v24.mp3")).unwrap();
    assert_eq!(&original[..3], b"ID3");
    let syncsafe = |b: &[u8]| b.iter().fold(0usize, |n, &x| (n << 7) | usize::from(x & 0x7f));
    let audio = &original[10 + syncsafe(&original[6..10])..];
    let mut frame_body = b"isrc-stamp-test\0".to_vec();
    frame_body.resize(size, 0x55);
    let mut tag = Vec::new();
    tag.extend_from_slice(b"PRIV");
    tag.extend_from_slice(&u32::try_from(frame_body.len()).unwrap().to_be_bytes());
    tag.extend_from_slice(&[0, 0]);
    tag.extend_from_slice(&frame_body);
    let len = tag.len();
    let mut bytes = b"ID3\x03\x00\x00".to_vec();
    bytes.extend((0..4).rev().map(|i| u8::try_from((len >> (7 * i)) & 0x7f).unwrap()));
    bytes.extend_from_slice(&tag);
    bytes.extend_from_slice(audio);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn an_mp3_with_a_large_id3v2_tag_decodes() {
    let dir = tempfile::tempdir().unwrap();
    let reference = common::inspect_json(&[&fixtures().join("formats/v24.mp3")]).0.remove(0);
    for size in [3 << 20, 15 << 20] {
        let path = dir.path().join(format!("cover-{}.mp3", size >> 20));
        mp3_with_tag_of(&path, size);
        let (lines, code) = common::inspect_json(&[&path]);
        assert_eq!(code, 0, "{size}: {:?}", lines[0]["error"]);
        assert_eq!(lines[0]["audio_id"], reference["audio_id"], "{size}: the same audio");
    }
}

#[test]
fn a_file_reached_twice_through_a_symlink_is_written_once() {
    let studio = Studio::new("QZ-K4B");
    let master = studio.add(&["same/plain.wav"]).remove(0);
    std::os::unix::fs::symlink(&master, studio.masters().join("link.wav")).unwrap();
    let (out, err, code) = studio.run(&["assign", studio.masters().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out.lines().count(), 3, "both names reported: {out}");
    assert!(out.contains("the same file as"), "{out}");
    assert_eq!(codes_in(&master).len(), 2);
}

#[test]
fn two_runs_at_once_that_agree_both_succeed() {
    let studio = Studio::new("QZ-K4B");
    for n in 0..6 {
        write_wav(&studio.masters().join(format!("{n}.wav")), 100 + n, 44_100 * 20);
    }
    let spawn = || {
        Command::new(binary())
            .arg("--ledger")
            .arg(studio.ledger())
            .args(["assign", "-q"])
            .arg(studio.masters())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    for child in [a, b] {
        let output = child.wait_with_output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert_eq!(output.status.code(), Some(0), "{text}");
        assert!(!text.contains("changed since it was read"), "{text}");
    }
    let (out, _, code) = studio.run(&["verify", studio.masters().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn control_characters_in_names_are_escaped_in_tables() {
    let studio = Studio::new("QZ-K4B");
    let name = "evil\n\x1b[31mred\t.wav";
    std::fs::copy(fixtures().join("same/plain.wav"), studio.masters().join(name)).unwrap();
    let (out, err, code) = studio.run(&["assign", studio.masters().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains('\x1b') && !out.contains("\t."), "{out:?}");
    assert!(out.contains("evil\\n\\x1b[31mred\\t.wav"), "{out}");
    assert_eq!(out.lines().count(), 2, "one row, not split by the newline");
    let (out, _, _) = studio.run(&["verify", studio.masters().to_str().unwrap()]);
    assert!(!out.contains('\x1b'), "{out:?}");
    let (json, _, _) = studio.run(&["--json", "assign", "--dry-run", studio.masters().to_str().unwrap()]);
    let line: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    assert!(line["path"].as_str().unwrap().ends_with(name), "JSON keeps the name exactly");
}

#[test]
fn bytes_after_the_last_chunk_of_a_wav_are_kept() {
    let studio = Studio::new("QZ-K4B");
    let master = studio.masters().join("tail.wav");
    let mut bytes = std::fs::read(fixtures().join("same/plain.wav")).unwrap();
    bytes.extend_from_slice(b"xyz");
    std::fs::write(&master, &bytes).unwrap();
    let id = audio_id(&master);
    let (out, err, code) = studio.run(&["assign", master.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let tagged = std::fs::read(&master).unwrap();
    assert!(tagged.ends_with(b"xyz"), "the three bytes are still at the end");
    assert_eq!(audio_id(&master), id);
    assert_eq!(codes_in(&master).len(), 2);
}

// ---- 6. import in bounded memory -------------------------------------------------------

#[test]
fn importing_100_mb_of_junk_under_a_1_gib_address_space_limit_is_a_clear_error() {
    if !common::have_tool("prlimit", &["--version"]) {
        return;
    }
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.csv");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&junk).unwrap());
        out.write_all(b"isrc,title,artist\n").unwrap();
        let mut n = 0u64;
        while out.get_ref().metadata().unwrap().len() < 100 << 20 {
            for _ in 0..10_000 {
                n += 1;
                writeln!(out, "junk{n:012},{},\"{n}\"", "x".repeat(60)).unwrap();
            }
            out.flush().unwrap();
        }
    }
    let ledger = dir.path().join("new.sqlite3");
    let output = Command::new("prlimit")
        .arg(format!("--as={}", 1u64 << 30))
        .arg("--")
        .arg(binary())
        .arg("--ledger")
        .arg(&ledger)
        .args(["ledger", "import", "--foreign"])
        .arg(&junk)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{}", &err[err.len().saturating_sub(2000)..]);
    assert_eq!(err.lines().filter(|l| l.contains("invalid ISRC")).count(), 100, "the first hundred shown");
    assert!(err.contains("only the first 100 problems are shown"), "{}", &err[err.len().saturating_sub(500)..]);
    assert!(err.contains(" bad row(s) in ") && err.contains("nothing imported"), "{}", &err[err.len() - 500..]);
    assert!(!ledger.exists(), "nothing created");
}

#[test]
fn a_failed_import_creates_no_ledger_and_an_unterminated_quote_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("new.sqlite3");
    let cases = [
        (
            "open.csv",
            "isrc,title\nUSPR37300012,\"never closed\n",
            "line 2: a quoted field opened on this row is never closed",
        ),
        ("orphan.csv", "isrc,parent\nUSPR37300013,USPR37399999\n", "parent USPR37399999 is neither"),
    ];
    for (name, text, expected) in cases {
        let list = dir.path().join(name);
        std::fs::write(&list, text).unwrap();
        let (out, err, code) = run_with_ledger(&ledger, &["ledger", "import", "--foreign", list.to_str().unwrap()]);
        assert_eq!(code, 1, "{name}: {out}{err}");
        assert!(err.contains(expected), "{name}: {err}");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert!(!ledger.exists(), "{name}: no ledger made: {left:?}");
    }
}

#[test]
fn a_ledger_on_a_read_only_file_system_can_be_read() {
    let Some(disk) = SmallDisk::new() else { return };
    let ledger = disk.mount.join("ledger.sqlite3");
    let masters = disk.mount.join("masters");
    std::fs::create_dir(&masters).unwrap();
    std::fs::copy(fixtures().join("same/plain.wav"), masters.join("a.wav")).unwrap();
    run_with_ledger(&ledger, &["init", "--prefix", "QZ-K4B"]);
    let (_, err, code) = run_with_ledger(&ledger, &["assign", masters.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let status = Command::new("mount").args(["-o", "remount,ro"]).arg(&disk.mount).status().unwrap();
    assert!(status.success());
    let (out, err, code) = run_with_ledger(&ledger, &["ledger", "list"]);
    assert_eq!((code, out.lines().count()), (0, 2), "{out}{err}");
    let (out, err, code) = run_with_ledger(&ledger, &["verify", masters.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let (_, err, code) = run_with_ledger(&ledger, &["assign", masters.to_str().unwrap()]);
    assert_eq!(code, 2, "a write is refused with an error, not a crash: {err}");
}
