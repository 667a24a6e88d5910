//! Fills a ledger with many recordings for the benchmark (`bench/run.sh`): one issue,
//! one audio id and one event each, in one transaction, spread over years of reference
//! so that no year exceeds 99,999 codes.
//!
//! Usage: `cargo run --release --example fill_ledger -- LEDGER COUNT`

use isrc_stamp::audio::AudioId;
use isrc_stamp::isrc::{DesignationRange, Prefix};
use isrc_stamp::ledger::{AudioRecord, EventKind, LedgerError, Location, NewEvent, NewRecording};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(count)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: fill_ledger LEDGER COUNT");
    };
    let count: u64 = count.parse()?;
    let prefix = Prefix::parse("QZ-BEN")?;
    let mut ledger = isrc_stamp::ledger::open(&Location::Sqlite(path.clone().into()))?;
    ledger.add_prefix(prefix, DesignationRange::parse("00001-99999")?, 0)?;
    let at = isrc_stamp::ledger::now();
    ledger.transaction(|tx| {
        for n in 0..count {
            // Years 00 to 09, then on: never this year, so the benchmark's year is fresh.
            let year = (n / 99_999) as u8;
            let new = NewRecording {
                title: Some(format!("Recording {n}")),
                artist: Some("Benchmark Ensemble".into()),
                ..NewRecording::new("bench", at)
            };
            let isrc = tx.issue_next(prefix, year, &new)?;
            let audio_id = AudioId::parse(&format!("pcm1:{n:064x}")).expect("well-formed id");
            tx.bind_audio(&AudioRecord {
                audio_id: audio_id.clone(),
                isrc,
                frames: 13_230_000,
                sample_rate: 44_100,
                channels: 2,
                bits: 16,
                first_path: format!("/masters/{n}.wav"),
                added_at: at,
                codec: Some("pcm_s24le".into()),
            })?;
            tx.log(&NewEvent {
                isrc: Some(isrc),
                audio_id: Some(audio_id),
                ..NewEvent::new("bench", at, EventKind::Issued)
            })?;
        }
        Ok::<_, LedgerError>(())
    })?;
    println!("{count} recordings in {path}");
    Ok(())
}
