//! Random truncations and byte flips of the fixtures: never a panic, a clear error or a
//! result, and the damaged copy itself is left as it was.

mod common;

use proptest::prelude::*;

/// Fixtures to damage, one per format.
const SOURCES: &[&str] = &[
    "same/bext.wav",
    "same/rf64.wav",
    "same/bw64.wav",
    "same/axml.wav",
    "same/same.flac",
    "same/same.aiff",
    "formats/v24.mp3",
    "formats/alac.m4a",
    "formats/aac.m4a",
    "formats/vorbis.ogg",
    "formats/f32.wav",
    "cases/cuesheet.flac",
];

fn check_damaged(bytes: Vec<u8>, name: &str) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, &bytes).unwrap();
    let (lines, code) = common::inspect_json(&[&path]);
    prop_assert!(code == 0 || code == 2, "exit code {code}");
    prop_assert_eq!(lines.len(), 1);
    if let Some(error) = lines[0]["error"].as_str() {
        prop_assert!(error.len() > 10, "clear error: {error}");
    } else {
        prop_assert!(lines[0]["audio_id"].as_str().is_some());
    }
    prop_assert_eq!(std::fs::read(&path).unwrap(), bytes, "the file was modified");
    Ok(())
}

fn source() -> impl Strategy<Value = (String, Vec<u8>)> {
    prop::sample::select(SOURCES).prop_map(|rel| {
        let bytes = std::fs::read(common::fixtures().join(rel)).unwrap();
        (rel.rsplit('/').next().unwrap().to_owned(), bytes)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn truncated_files((name, bytes) in source(), cut in 0.0f64..1.0) {
        let keep = (bytes.len() as f64 * cut) as usize;
        check_damaged(bytes[..keep].to_vec(), &name)?;
    }

    #[test]
    fn flipped_bytes((name, bytes) in source(), flips in prop::collection::vec((0.0f64..1.0, 1u8..=255), 1..8)) {
        let mut bytes = bytes;
        let len = bytes.len();
        for (at, mask) in flips {
            bytes[((len as f64 * at) as usize).min(len - 1)] ^= mask;
        }
        check_damaged(bytes, &name)?;
    }
}
