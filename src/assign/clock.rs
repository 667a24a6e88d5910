//! The clock is not trusted blindly (DESIGN.md section 10): a code's year of reference
//! and its `issued_at` come from it, so a machine whose clock was reset (a dead CMOS
//! battery puts it in 1970) would issue codes of a year long past.
//!
//! `assign` refuses to run when the clock's year is earlier than [`BUILD_YEAR`] (the year
//! this isrc-stamp was built in, recorded by `build.rs` from `SOURCE_DATE_EPOCH` or the
//! building machine's clock), or earlier than the latest year the ledger has issued a
//! code in; and when `--year` is earlier than that latest year. `--year` may name a year
//! before the build's (the codes of last year, issued in January): only the clock itself
//! is held to the build's year.
//!
//! The latest year of issue is found without reading the whole ledger: for each prefix,
//! the years of reference after the year asked about (read as 2000 to 2099: no code this
//! tool issued is older) are probed for their highest designation, one index seek each,
//! and an issued code found there tells the year it was issued in (`issued_at`).

use crate::isrc::Isrc;
use crate::ledger::{Ledger, LedgerError, Origin};

/// The year this isrc-stamp was built in (`build.rs`): no correct clock is earlier.
pub(crate) const BUILD_YEAR: i16 = parse_year(env!("ISRC_STAMP_BUILD_YEAR"));

/// The decimal year `build.rs` wrote (0 if it is not one, which no clock is before).
const fn parse_year(text: &str) -> i16 {
    let bytes = text.as_bytes();
    let mut year: i16 = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() || i >= 4 {
            return 0;
        }
        year = year * 10 + (bytes[i] - b'0') as i16;
        i += 1;
    }
    year
}

/// How many lower designations of one year are looked at for an issued code when the
/// highest is adopted or imported.
const PROBES_PER_YEAR: usize = 8;

/// Why `assign` does not trust the clock, or the year asked for.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ClockError {
    /// The clock is earlier than the build.
    #[error(
        "the clock says {today}, but this isrc-stamp was built in {build}: the clock is wrong, and a code's year \
         of reference comes from it. Set the clock right (`timedatectl set-ntp true`, or `date -s`) and run again"
    )]
    BeforeBuild {
        /// Today, as the clock says.
        today: String,
        /// [`BUILD_YEAR`].
        build: i16,
    },
    /// The clock is earlier than a code the ledger issued.
    #[error(
        "the clock says {today}, but the ledger issued {isrc} in {issued}: the clock is wrong (codes would be \
         issued under a year already past). Set the clock right (`timedatectl set-ntp true`, or `date -s`) and run again"
    )]
    BeforeLedger {
        /// Today, as the clock says.
        today: String,
        /// The later code.
        isrc: Isrc,
        /// The year it was issued in.
        issued: i16,
    },
    /// `--year` is earlier than a code the ledger issued.
    #[error(
        "--year {year} is earlier than {issued}, when the ledger issued {isrc}: codes are issued under the year \
         they are assigned in, which never goes back; leave --year out (this year) or give {issued} or later"
    )]
    YearBeforeLedger {
        /// The year asked for.
        year: i16,
        /// The later code.
        isrc: Isrc,
        /// The year it was issued in.
        issued: i16,
    },
    /// The ledger could not be read.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// Checks the clock (`today`, `this_year`) and the year asked for (`requested`) against
/// [`BUILD_YEAR`] and the ledger's latest issue.
pub(crate) fn check(
    ledger: &mut dyn Ledger,
    today: &str,
    this_year: i16,
    requested: Option<i16>,
) -> Result<(), ClockError> {
    if this_year < BUILD_YEAR {
        return Err(ClockError::BeforeBuild { today: today.to_owned(), build: BUILD_YEAR });
    }
    let earliest = requested.map_or(this_year, |year| year.min(this_year));
    let Some((isrc, issued)) = issued_after(ledger, earliest)? else { return Ok(()) };
    if issued > this_year {
        return Err(ClockError::BeforeLedger { today: today.to_owned(), isrc, issued });
    }
    match requested {
        Some(year) if issued > year => Err(ClockError::YearBeforeLedger { year, isrc, issued }),
        _ => Ok(()),
    }
}

/// A code the ledger issued (origin `issued`) in a year after `year`, with that year:
/// probed among the years of reference after `year`.
fn issued_after(ledger: &mut dyn Ledger, year: i16) -> Result<Option<(Isrc, i16)>, LedgerError> {
    let mut snapshot = ledger.snapshot()?;
    let prefixes = snapshot.prefixes()?;
    let mut latest: Option<(Isrc, i16)> = None;
    for record in prefixes {
        for reference in (year.max(1999) + 1..=2099).rev() {
            let yy = (reference % 100) as u8;
            let mut last = record.range.last;
            for _ in 0..PROBES_PER_YEAR {
                let Some(top) = snapshot.highest_used(record.prefix, yy, (record.range.first, last))? else { break };
                let Ok(isrc) = Isrc::from_parts(record.prefix, yy, top) else { break };
                match snapshot.recording(isrc)? {
                    Some(recording) if recording.origin == Origin::Issued => {
                        let issued = year_of(recording.entered_at);
                        if issued > year && latest.as_ref().is_none_or(|(_, seen)| issued > *seen) {
                            latest = Some((isrc, issued));
                        }
                        break;
                    }
                    _ if top > record.range.first => last = top - 1,
                    _ => break,
                }
            }
        }
    }
    Ok(latest)
}

/// The year (UTC) of a time in seconds since 1970.
fn year_of(seconds: i64) -> i16 {
    jiff::Timestamp::from_second(seconds).map_or(0, |t| t.to_zoned(jiff::tz::TimeZone::UTC).year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isrc::{DesignationRange, Prefix};
    use crate::ledger::{NewRecording, SqliteLedger};

    fn ledger_with(codes: &[(u8, Origin, i64)]) -> (tempfile::TempDir, SqliteLedger) {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = SqliteLedger::open(dir.path().join("l.sqlite3")).unwrap();
        let prefix = Prefix::parse("QZ-DEM").unwrap();
        ledger.add_prefix(prefix, DesignationRange::new(1, 99_999).unwrap(), 0).unwrap();
        let mut tx = ledger.begin().unwrap();
        for (n, (yy, origin, at)) in codes.iter().enumerate() {
            let new = NewRecording { entered_at: *at, issued_by: "t".into(), ..NewRecording::default() };
            match origin {
                Origin::Issued => {
                    tx.issue_next(prefix, *yy, &new).unwrap();
                }
                other => tx.adopt(Isrc::from_parts(prefix, *yy, 90_000 + n as u32).unwrap(), *other, &new).unwrap(),
            }
        }
        tx.commit().unwrap();
        (dir, ledger)
    }

    /// 2027-03-01 in seconds since 1970.
    const IN_2027: i64 = 1_803_945_600;

    #[test]
    fn the_build_year_is_recorded() {
        const { assert!(BUILD_YEAR >= 2026) };
        assert_eq!(parse_year("2031"), 2031);
        assert_eq!(parse_year("x"), 0);
    }

    #[test]
    fn a_clock_before_the_build_is_refused() {
        let (_dir, mut ledger) = ledger_with(&[]);
        let error = check(&mut ledger, "1970-01-01", 1970, None).unwrap_err().to_string();
        assert!(error.contains("the clock says 1970-01-01") && error.contains("timedatectl"), "{error}");
        assert!(check(&mut ledger, "today", BUILD_YEAR, None).is_ok());
        // --year may be earlier than the build; the clock may not.
        assert!(check(&mut ledger, "today", BUILD_YEAR, Some(BUILD_YEAR - 1)).is_ok());
    }

    #[test]
    fn a_clock_or_year_before_the_ledgers_latest_issue_is_refused() {
        let (_dir, mut ledger) = ledger_with(&[(27, Origin::Issued, IN_2027), (27, Origin::Issued, IN_2027)]);
        let error = check(&mut ledger, "2026-12-07", 2026, None).unwrap_err().to_string();
        assert!(error.contains("the ledger issued QZDEM2700002 in 2027"), "{error}");
        let error = check(&mut ledger, "2027-05-01", 2027, Some(2026)).unwrap_err().to_string();
        assert!(error.starts_with("--year 2026 is earlier than 2027"), "{error}");
        assert!(check(&mut ledger, "2027-05-01", 2027, None).is_ok());
        assert!(check(&mut ledger, "2028-05-01", 2028, Some(2027)).is_ok());
    }

    #[test]
    fn adopted_codes_and_codes_a_wrong_clock_issued_do_not_count() {
        // A code adopted from a file under a later year, and one issued under a clock of
        // 1969 (year of reference 69, issued in 1970): neither is an issue after 2026.
        let (_dir, mut ledger) = ledger_with(&[(30, Origin::Adopted, 0), (69, Origin::Issued, 0)]);
        assert!(check(&mut ledger, "2026-12-07", 2026, None).is_ok());
        // An issued code under an adopted one of the same year is still found.
        let (_dir, mut ledger) = ledger_with(&[(27, Origin::Issued, IN_2027), (27, Origin::Adopted, IN_2027)]);
        assert!(check(&mut ledger, "2026-12-07", 2026, None).is_err());
    }
}
