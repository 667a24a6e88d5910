//! A release gives the codes on it what they lack: its date becomes the date of first
//! publication, and its (P) line the (P) line, of each code that has none (the first
//! release of a recording is its first publication). Fields a code has, from an earlier
//! release, a list or `ledger edit`, are never changed. Used when a release is entered
//! (`release add`, `release edit`, `ledger import`).

use super::error::Result;
use super::types::{EventKind, NewEvent, Release, Status};
use super::{LedgerTx, rules};
use crate::isrc::Isrc;

/// Fills in what `release` gives each code on it that lacks it, with one `fill` event per
/// code changed (naming the release and `source`); returns the codes changed.
pub fn fill_from_release(
    tx: &mut dyn LedgerTx,
    release: &Release,
    user: &str,
    at: i64,
    source: &str,
) -> Result<Vec<Isrc>> {
    let mut seen = std::collections::HashSet::new();
    let mut filled = Vec::new();
    for track in &release.tracks {
        if !seen.insert(track.isrc) {
            continue;
        }
        let Some(recording) = tx.recording(track.isrc)? else { continue };
        if recording.status == Status::Void {
            continue;
        }
        let edit = rules::publication_from_release(release, &recording);
        if edit.is_empty() {
            continue;
        }
        let after = tx.edit_metadata(track.isrc, &edit)?;
        let mut words = Vec::new();
        if edit.p_date.is_some() {
            words.push(format!("p_date {:?}", after.publication.p_date.clone().unwrap_or_default()));
        }
        if let Some(line) =
            after.publication.p_line().filter(|_| edit.p_line_year.is_some() || edit.p_line_owner.is_some())
        {
            words.push(format!("p_line {line:?}"));
        }
        tx.log(&NewEvent {
            isrc: Some(track.isrc),
            detail: format!("filled in from release {} ({source}): {}", release.upc.as_typed(), words.join(", ")),
            ..NewEvent::new(user, at, EventKind::Fill)
        })?;
        filled.push(track.isrc);
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isrc::{Catalog, DesignationRange, Prefix};
    use crate::ledger::{
        Ledger, MetadataEdit, NewRecording, Publication, ReleaseTrack, SqliteLedger, p_date, parse_p_line,
    };

    #[test]
    fn a_release_fills_what_its_codes_lack_and_nothing_else() {
        let mut ledger: Box<dyn Ledger> = Box::new(SqliteLedger::open_in_memory().unwrap());
        let prefix = Prefix::parse("QZTST").unwrap();
        ledger.add_prefix(prefix, DesignationRange::parse("00001-99999").unwrap(), 0).unwrap();
        let codes = ledger
            .transaction(|tx| {
                (0..3).map(|_| tx.issue_next(prefix, 26, &NewRecording::new("t", 0))).collect::<Result<Vec<_>>>()
            })
            .unwrap();
        // One code has its own P-date, one its own (P) line, one is void.
        let edit = MetadataEdit { p_date: Some("2019".into()), ..MetadataEdit::default() };
        ledger.transaction(|tx| tx.edit_metadata(codes[0], &edit)).unwrap();
        let edit = MetadataEdit { p_line_owner: Some("Old Owner".into()), ..MetadataEdit::default() };
        ledger.transaction(|tx| tx.edit_metadata(codes[1], &edit)).unwrap();
        ledger.transaction(|tx| tx.void(codes[2], "a mistake")).unwrap();
        let release = Release {
            upc: Catalog::parse("036000291452").unwrap(),
            title: "EP".into(),
            artist: None,
            label: None,
            date: Some("2024-05-17".into()),
            p_line: Some("℗ 2024 Harbour Records".into()),
            c_line: None,
            created_at: 0,
            tracks: codes
                .iter()
                .enumerate()
                .map(|(n, &isrc)| ReleaseTrack { disc: 1, number: n as u32 + 1, isrc })
                .collect(),
        };
        let filled = ledger.transaction(|tx| fill_from_release(tx, &release, "t", 5, "release add")).unwrap();
        assert_eq!(filled, codes[..2]);
        let first = ledger.recording(codes[0]).unwrap().unwrap().publication;
        assert_eq!(first.p_date.as_deref(), Some("2019"), "its own P-date is kept");
        assert_eq!(first.p_line().as_deref(), Some("2024 Harbour Records"));
        let second = ledger.recording(codes[1]).unwrap().unwrap().publication;
        assert_eq!((second.p_date.as_deref(), second.p_line().as_deref()), (Some("2024-05-17"), Some("Old Owner")));
        assert_eq!(ledger.recording(codes[2]).unwrap().unwrap().publication, Publication::default(), "void: untouched");
        let events = ledger.events_for(codes[1]).unwrap();
        assert_eq!(
            events.last().map(|e| (e.action.as_str(), e.detail.as_str())),
            Some(("fill", "filled in from release 036000291452 (release add): p_date \"2024-05-17\""))
        );
        // Entered again, nothing is left to fill.
        let again = ledger.transaction(|tx| fill_from_release(tx, &release, "t", 6, "release add")).unwrap();
        assert!(again.is_empty());
    }

    #[test]
    fn p_lines_and_p_dates_are_read_as_typed() {
        assert_eq!(parse_p_line("2026 Harbour Records"), Some((Some(2026), Some("Harbour Records".into()))));
        assert_eq!(parse_p_line("℗ 2026 Harbour Records"), Some((Some(2026), Some("Harbour Records".into()))));
        assert_eq!(parse_p_line("(P) 1999  Old Label Ltd."), Some((Some(1999), Some("Old Label Ltd.".into()))));
        assert_eq!(parse_p_line("Harbour Records"), Some((None, Some("Harbour Records".into()))));
        assert_eq!(parse_p_line("2026"), Some((Some(2026), None)));
        assert_eq!(parse_p_line("   "), None);
        assert_eq!(p_date(" 2024-05-17 ").as_deref(), Some("2024-05-17"));
        assert_eq!(p_date("2024").as_deref(), Some("2024"));
        for bad in ["2024-5-17", "17/05/2024", "2024-02-30", "0024", "20245", ""] {
            assert_eq!(p_date(bad), None, "{bad}");
        }
    }
}
