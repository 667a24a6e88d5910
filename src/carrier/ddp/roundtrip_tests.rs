//! Writing images into a temporary folder and reading them back, intact and tampered with.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use super::*;
use crate::carrier::{Problem, ProblemId};
use crate::isrc::{Catalog, Isrc};

/// PCM made up as it is read, never held whole: byte `i` of track `seed` is a function
/// of both, so a misplaced byte shows.
struct Pcm {
    seed: u8,
    position: u64,
    length: u64,
}

impl Pcm {
    fn byte(seed: u8, position: u64) -> u8 {
        (position.wrapping_mul(31) as u8) ^ seed.wrapping_mul(101) ^ 0x5a
    }
}

impl Read for Pcm {
    fn read(&mut self, into: &mut [u8]) -> io::Result<usize> {
        let n = into.len().min((self.length - self.position) as usize);
        for (i, byte) in into[..n].iter_mut().enumerate() {
            *byte = Pcm::byte(self.seed, self.position + i as u64);
        }
        self.position += n as u64;
        Ok(n)
    }
}

fn isrc(code: &str) -> Option<Isrc> {
    Some(Isrc::parse(code).unwrap())
}

/// Three tracks: the default pause, no gap, a 1 s gap; lengths off the sector grid.
fn plan() -> DiscPlan {
    let track = |samples, code: &str, title: &str, pregap| TrackPlan {
        isrc: isrc(code),
        title: Some(title.into()),
        performer: Some("Fixture Ensemble".into()),
        pregap,
        ..TrackPlan::new(TrackStream::cd(samples))
    };
    DiscPlan {
        catalog: Some(Catalog::parse("4006381333931").unwrap()),
        title: Some("Fixture Harbour".into()),
        performer: Some("Fixture Ensemble".into()),
        master_id: Some("FIXTURE-001".into()),
        tracks: vec![
            track(4 * 44_100 + 100, "USPR37300012", "First Light", None),
            track(4 * 44_100 + 588, "USPR37300013", "Harbour Wall", Some(0)),
            track(5 * 44_100, "USPR37300014", "\u{c9}l\u{e9}phant", Some(75)),
        ],
    }
}

fn sources(plan: &DiscPlan) -> impl FnMut(usize) -> io::Result<Pcm> + '_ {
    |i| Ok(Pcm { seed: i as u8, position: 0, length: plan.tracks[i].audio.pcm_bytes() })
}

fn write(dir: &Path, plan: &DiscPlan) -> Written {
    write_image(plan, &Limits::default(), dir, sources(plan)).unwrap()
}

fn ids(problems: &[Problem]) -> Vec<ProblemId> {
    problems.iter().map(|p| p.id).collect()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    names
}

#[test]
fn an_image_reads_back_as_it_was_planned() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan();
    let written = write(dir.path(), &plan);
    let layout = plan.layout();
    assert_eq!(written.layout, layout);
    assert_eq!(names(dir.path()), ["CDTEXT.BIN", "CHECKSUM.MD5", "DDPID", "DDPMS", "IMAGE.DAT", "PQDESCR"]);

    let image = read_image(dir.path()).unwrap();
    assert!(image.problems.is_empty(), "{:#?}", image.problems);
    assert_eq!(image.id.as_ref().map(|id| id.level.as_str()), Some("DDP 2.00"));
    assert_eq!(image.id.as_ref().and_then(|id| id.master_id.as_deref()), Some("FIXTURE-001"));
    assert_eq!(image.catalog, plan.catalog);
    assert_eq!(image.lead_out, Some(layout.lead_out));
    assert_eq!(image.audio_file.as_deref(), Some("IMAGE.DAT"));
    assert_eq!(image.audio_bytes, Some(layout.lead_out * SECTOR_BYTES));
    assert_eq!(image.image_md5.as_deref(), Some(written.image_md5.as_str()));
    assert_eq!(image.cdtext.as_ref(), Some(&plan.cdtext()));
    assert_eq!(image.tracks.len(), 3);
    for ((track, placed), planned) in image.tracks.iter().zip(&layout.tracks).zip(&plan.tracks) {
        assert_eq!(
            (track.number, track.index0, track.index1, track.end, track.isrc),
            (placed.number, placed.index0, placed.index1, placed.end(), planned.isrc)
        );
        assert_eq!(track.control.as_deref(), Some("01"));
    }
    // The checksum file lists every other file, with its MD5.
    assert_eq!(image.checksums.len(), 5);
    for entry in &image.checksums {
        let file = written.files.iter().find(|f| f.name == entry.name).unwrap();
        assert_eq!(entry.md5, file.md5);
        assert_eq!(fs::metadata(dir.path().join(&entry.name)).unwrap().len(), file.bytes);
    }
}

#[test]
fn the_audio_lies_where_the_pq_data_says() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan();
    write(dir.path(), &plan);
    let image = read_image(dir.path()).unwrap();
    let data = fs::read(dir.path().join("IMAGE.DAT")).unwrap();
    assert!(data[..150 * 2352].iter().all(|&b| b == 0), "the 2 s pause is silence");
    for (i, (track, planned)) in image.tracks.iter().zip(&plan.tracks).enumerate() {
        let range = track.image_bytes.clone().unwrap();
        assert_eq!(range.start, track.index1 * 2352);
        let audio = planned.audio.pcm_bytes() as usize;
        let bytes = &data[range.start as usize..range.end as usize];
        assert!(bytes[..audio].iter().enumerate().all(|(p, &b)| b == Pcm::byte(i as u8, p as u64)), "track {i}");
        assert!(bytes[audio..].iter().all(|&b| b == 0), "track {i} is padded with silence");
        assert_eq!(bytes.len() % 2352, 0);
        if let Some(index0) = track.index0 {
            let gap = &data[(index0 * 2352) as usize..range.start as usize];
            assert!(gap.iter().all(|&b| b == 0), "the gap before track {} is silence", track.number);
        }
    }
    // Track 1 has 100 samples past 4 s: 301 sectors, the last mostly padding.
    assert_eq!(image.tracks[0].length(), 301);
    // Track 2 has no gap and starts where track 1 ends; track 3 has a 1 s gap.
    assert_eq!((image.tracks[1].index0, image.tracks[1].index1), (None, 451));
    assert_eq!((image.tracks[2].index0, image.tracks[2].index1), (Some(752), 827));
}

#[test]
fn the_pq_entries_carry_the_codes_on_the_first_entry_of_each_track() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &plan());
    let bytes = fs::read(dir.path().join("PQDESCR")).unwrap();
    let entries: Vec<PqEntry> = bytes.chunks(64).enumerate().map(|(i, r)| PqEntry::decode(r, i + 1).unwrap()).collect();
    let summary: Vec<_> = entries
        .iter()
        .map(|e| (e.track, e.index, e.time.to_string(), e.isrc.as_deref(), e.upc_ean.as_deref()))
        .collect();
    let expected = [
        (PqTrack::LeadIn, 0, "00:00:00", None, Some("4006381333931")),
        (PqTrack::Track(1), 0, "00:00:00", Some("USPR37300012"), None),
        (PqTrack::Track(1), 1, "00:02:00", None, None),
        (PqTrack::Track(2), 1, "00:06:01", Some("USPR37300013"), None),
        (PqTrack::Track(3), 0, "00:10:02", Some("USPR37300014"), None),
        (PqTrack::Track(3), 1, "00:11:02", None, None),
        (PqTrack::LeadOut, 1, "00:16:02", None, None),
    ];
    let expected: Vec<_> =
        expected.into_iter().map(|(t, i, time, isrc, upc)| (t, i, time.to_owned(), isrc, upc)).collect();
    assert_eq!(summary, expected);
    let map = fs::read(dir.path().join("DDPMS")).unwrap();
    assert_eq!(map.len(), 3 * 128);
    let text = |packet: usize, at: usize, width: usize| {
        String::from_utf8(map[packet * 128 + at..packet * 128 + at + width].to_vec()).unwrap()
    };
    assert_eq!(text(0, 0, 30), "VVVMD0        0000120200000000");
    assert_eq!(text(1, 0, 38), format!("VVVMS0        {:08}        PQ DESCR", bytes.len()));
    assert_eq!(text(2, 30, 8), "CDTEXT  ");
    assert_eq!(text(2, 74, 17).trim_end(), "CDTEXT.BIN");
}

#[test]
fn the_checksum_file_is_what_md5sum_checks() {
    let dir = tempfile::tempdir().unwrap();
    let written = write(dir.path(), &plan());
    let text = fs::read_to_string(dir.path().join("CHECKSUM.MD5")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5);
    for (line, file) in lines.iter().zip(&written.files) {
        assert_eq!(*line, format!("{}  {}", file.md5, file.name));
        let (md5, _) = checksum::hash_file(&dir.path().join(&file.name)).unwrap();
        assert_eq!(md5, file.md5);
    }
    assert!(text.ends_with('\n') && !text.contains('\r'));
    match std::process::Command::new("md5sum")
        .arg("-c")
        .arg("--quiet")
        .arg("CHECKSUM.MD5")
        .current_dir(dir.path())
        .output()
    {
        Ok(output) => assert!(output.status.success(), "md5sum -c: {}", String::from_utf8_lossy(&output.stdout)),
        Err(e) => eprintln!("md5sum not run: {e}"),
    }
}

#[test]
fn a_refused_plan_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("image");
    let mut plan = plan();
    plan.tracks[0].audio =
        TrackStream { sample_rate: 96_000, bits_per_sample: 24, channels: 2, sample_frames: 96_000 * 60 };
    plan.tracks[1].audio.channels = 1;
    plan.tracks[2].audio.sample_frames = 3 * 44_100;
    let mut called = false;
    let error = write_image(&plan, &Limits::default(), &target, |_| {
        called = true;
        Ok(io::empty())
    })
    .unwrap_err();
    let ImageWriteError::Refused(problems) = &error else { panic!("{error}") };
    assert_eq!(
        ids(problems),
        [
            ProblemId::RedbookSampleRate,
            ProblemId::RedbookBitDepth,
            ProblemId::RedbookChannels,
            ProblemId::RedbookTrackLength
        ]
    );
    assert!(error.to_string().contains("\n  [redbook-channels] track 2 has 1 channel"), "{error}");
    assert!(!called, "no audio was read");
    assert!(!target.exists(), "not even the folder was made");
}

#[test]
fn audio_that_does_not_match_the_plan_leaves_no_files() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan();
    for (short, expected) in [(true, "gave 707951 bytes of PCM where its plan says 707952"), (false, "more than the")] {
        let error = write_image(&plan, &Limits::default(), dir.path(), |i| {
            let length = plan.tracks[i].audio.pcm_bytes();
            let length = if i == 0 {
                length
            } else if short {
                length - 1
            } else {
                length + 1
            };
            Ok(Pcm { seed: 0, position: 0, length })
        })
        .unwrap_err();
        assert!(error.to_string().contains(expected) && error.to_string().contains("track 2"), "{error}");
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
    }
    let error = write_image(&plan, &Limits::default(), dir.path(), |i| {
        if i == 2 { Err(io::Error::other("decoder failed")) } else { sources(&plan)(i) }
    })
    .unwrap_err();
    assert!(matches!(error, ImageWriteError::Source { track: 3, .. }), "{error}");
    assert!(names(dir.path()).is_empty());
}

#[test]
fn an_image_is_never_written_over() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("PQDESCR"), b"keep me").unwrap();
    let error = write_image(&plan(), &Limits::default(), dir.path(), sources(&plan())).unwrap_err();
    assert!(matches!(&error, ImageWriteError::Exists(path) if path.ends_with("PQDESCR")), "{error}");
    assert_eq!(names(dir.path()), ["PQDESCR"], "what was written before the clash is gone");
    assert_eq!(fs::read(dir.path().join("PQDESCR")).unwrap(), b"keep me");
}

/// Writes the plan, lets `tamper` change the folder, and reads it back.
fn tampered(tamper: impl FnOnce(&Path)) -> DdpImage {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &plan());
    tamper(dir.path());
    read_image(dir.path()).unwrap()
}

/// Replaces the bytes at `at` in a file.
fn patch(path: &Path, at: usize, bytes: &[u8]) {
    let mut data = fs::read(path).unwrap();
    data[at..at + bytes.len()].copy_from_slice(bytes);
    fs::write(path, data).unwrap();
}

#[test]
fn a_changed_isrc_in_the_pq_data_is_seen() {
    // Entry 4 (offset 3 * 64) is track 2's INDEX 01, its ISRC at bytes 20-31.
    let changed = tampered(|dir| patch(&dir.join("PQDESCR"), 3 * 64 + 31, b"9"));
    assert_eq!(changed.tracks[1].isrc, isrc("USPR37300019"), "the changed code is what is read");
    assert_eq!(ids(&changed.problems), [ProblemId::DdpChecksum], "{:?}", changed.problems);
    assert!(changed.problems[0].message.starts_with("PQDESCR's MD5 is"), "{:?}", changed.problems);

    let invalid = tampered(|dir| patch(&dir.join("PQDESCR"), 3 * 64 + 31, b"O"));
    assert_eq!(invalid.tracks[1].isrc, None);
    assert_eq!(invalid.tracks[1].isrc_written.as_deref(), Some("USPR3730001O"));
    assert_eq!(ids(&invalid.problems), [ProblemId::DdpIsrcInvalid, ProblemId::DdpChecksum], "{:?}", invalid.problems);
    assert!(invalid.problems[0].message.contains("track 2's ISRC \"USPR3730001O\""));

    let duplicate = tampered(|dir| patch(&dir.join("PQDESCR"), 3 * 64 + 31, b"2"));
    assert_eq!(
        ids(&duplicate.problems),
        [ProblemId::DdpIsrcDuplicate, ProblemId::DdpChecksum],
        "{:?}",
        duplicate.problems
    );
}

#[test]
fn a_truncated_audio_file_is_a_structure_problem() {
    let image = tampered(|dir| {
        let file = fs::OpenOptions::new().write(true).open(dir.join("IMAGE.DAT")).unwrap();
        let length = file.metadata().unwrap().len();
        file.set_len(length - 2352 * 10).unwrap();
    });
    assert_eq!(
        ids(&image.problems),
        [ProblemId::DdpStructure, ProblemId::DdpStructure, ProblemId::DdpChecksum],
        "{:?}",
        image.problems
    );
    assert!(image.problems[0].message.contains("gives IMAGE.DAT 1202 sectors, but the file has 1192"));
    assert!(
        image.problems[1]
            .message
            .contains("IMAGE.DAT is truncated: it ends at 00:15:67 but the lead-out is at 00:16:02")
    );
    assert_eq!(image.tracks[2].image_bytes, None, "the last track is not all there");
    assert!(image.tracks[1].image_bytes.is_some());

    let odd = tampered(|dir| {
        let file = fs::OpenOptions::new().append(true).open(dir.join("IMAGE.DAT")).unwrap();
        file.set_len(file.metadata().unwrap().len() + 7).unwrap();
    });
    assert!(odd.problems[0].message.contains("not a whole number of 2352-byte sectors"), "{:?}", odd.problems);
}

#[test]
fn a_checksum_off_by_one_digit_is_a_checksum_problem() {
    let image = tampered(|dir| {
        let path = dir.join("CHECKSUM.MD5");
        let text = fs::read_to_string(&path).unwrap();
        let line = text.lines().position(|l| l.ends_with("  DDPID")).unwrap();
        let at = text.lines().take(line).map(|l| l.len() + 1).sum::<usize>();
        let digit = if text.as_bytes()[at] == b'0' { b"1" } else { b"0" };
        patch(&path, at, digit);
    });
    assert_eq!(ids(&image.problems), [ProblemId::DdpChecksum], "{:?}", image.problems);
    assert!(image.problems[0].message.starts_with("DDPID's MD5 is"));

    let missing = tampered(|dir| fs::remove_file(dir.join("CHECKSUM.MD5")).unwrap());
    assert_eq!(ids(&missing.problems), [ProblemId::DdpChecksumMissing]);

    let uncovered = tampered(|dir| {
        let path = dir.join("CHECKSUM.MD5");
        let text = fs::read_to_string(&path).unwrap();
        let kept: String = text.lines().filter(|l| !l.ends_with("IMAGE.DAT")).map(|l| format!("{l}\n")).collect();
        fs::write(&path, kept + "0123456789abcdef0123456789abcdef  ../../etc/passwd\n").unwrap();
    });
    assert_eq!(ids(&uncovered.problems), [ProblemId::DdpChecksum, ProblemId::DdpChecksum], "{:?}", uncovered.problems);
    assert!(uncovered.problems[0].message.contains("not a plain file name"));
    assert!(uncovered.problems[1].message.contains("does not cover IMAGE.DAT"));
}

#[test]
fn a_bad_upc_check_digit_is_a_catalog_problem() {
    let image = tampered(|dir| {
        patch(&dir.join("DDPID"), 8, b"4006381333932");
        patch(&dir.join("PQDESCR"), 32, b"4006381333932");
    });
    let problems: Vec<_> = image.problems.iter().filter(|p| p.id != ProblemId::DdpChecksum).collect();
    assert_eq!(problems.len(), 2, "{:?}", image.problems);
    assert!(problems.iter().all(|p| p.id == ProblemId::DdpCatalogInvalid));
    assert!(problems[0].message.contains("in the PQ data") && problems[0].message.contains("should be 1"));
    assert!(problems[1].message.contains("in DDPID"));
    assert_eq!(image.catalog, None);

    let mismatch = tampered(|dir| patch(&dir.join("DDPID"), 8, b"0036000291452"));
    assert!(mismatch.has_problem(ProblemId::DdpCatalogMismatch), "{:?}", mismatch.problems);
    assert_eq!(mismatch.catalog, Catalog::parse("4006381333931").ok(), "the PQ data's is what is pressed");
}

#[test]
fn file_names_come_from_the_map_stream() {
    // Another tool's names: the PQ stream as "SD", the audio in lowercase.
    let image = tampered(|dir| {
        fs::rename(dir.join("PQDESCR"), dir.join("SD")).unwrap();
        fs::rename(dir.join("IMAGE.DAT"), dir.join("image.dat")).unwrap();
        patch(&dir.join("DDPMS"), 128 + 74, b"SD     ");
    });
    assert_eq!(image.tracks.len(), 3);
    assert_eq!(image.tracks[2].isrc, isrc("USPR37300014"));
    assert!(image.image_md5.is_some(), "image.dat found for IMAGE.DAT");
    // The checksum file still names PQDESCR, and DDPMS changed.
    assert!(image.problems.iter().all(|p| p.id == ProblemId::DdpChecksum), "{:?}", image.problems);

    let hostile = tampered(|dir| patch(&dir.join("DDPMS"), 74, b"../IMAGE.DAT     "));
    assert!(hostile.problems.iter().any(|p| p.message.contains("\"../IMAGE.DAT\", which is not a plain file name")));
    assert_eq!(hostile.image_md5, None, "nothing outside the folder is read");
}

#[test]
fn lying_sizes_and_garbage_are_problems_not_panics() {
    let lying = tampered(|dir| {
        patch(&dir.join("DDPMS"), 14, b"99999999");
        patch(&dir.join("DDPMS"), 128 + 14, b"99999999");
    });
    let messages: Vec<&str> = lying.problems.iter().map(|p| p.message.as_str()).collect();
    assert!(messages.iter().any(|m| m.contains("gives IMAGE.DAT 99999999 sectors")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("gives PQDESCR 99999999 bytes")), "{messages:?}");
    assert_eq!(lying.tracks.len(), 3, "the real data is still read");

    let dir = tempfile::tempdir().unwrap();
    let small = DiscPlan { tracks: vec![TrackPlan::new(TrackStream::cd(4 * 44_100))], ..plan() };
    write(dir.path(), &small);
    let originals: Vec<(String, Vec<u8>)> = ["DDPID", "DDPMS", "PQDESCR", "CDTEXT.BIN", "CHECKSUM.MD5"]
        .iter()
        .map(|name| (name.to_string(), fs::read(dir.path().join(name)).unwrap()))
        .collect();
    let mut seed = 0x9e37_79b9_u32;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    for round in 0..150 {
        let (name, original) = &originals[round % originals.len()];
        let mut data = original.clone();
        match next() % 4 {
            0 => data.truncate(next() as usize % (data.len() + 1)),
            1 => {
                for _ in 0..1 + next() % 8 {
                    let at = next() as usize % data.len().max(1);
                    if let Some(byte) = data.get_mut(at) {
                        *byte = next() as u8;
                    }
                }
            }
            2 => data.extend((0..next() % 300).map(|_| next() as u8)),
            _ => data = (0..next() % 600).map(|_| next() as u8).collect(),
        }
        fs::write(dir.path().join(name), &data).unwrap();
        let image = read_image(dir.path()).unwrap();
        // A change to a listed file always shows; one to the checksum file may not (a
        // comment added, a hex digit's case changed).
        let noticed = !image.problems.is_empty() || data == *original || name == "CHECKSUM.MD5";
        assert!(noticed, "round {round}: {name} changed unnoticed");
        fs::write(dir.path().join(name), original).unwrap();
    }
    assert!(read_image(dir.path()).unwrap().problems.is_empty());
}
