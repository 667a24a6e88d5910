//! Records the year isrc-stamp is built in (`ISRC_STAMP_BUILD_YEAR`), so that `assign`
//! can tell a clock set before the build for what it is (`assign::clock`).
//!
//! The year comes from `SOURCE_DATE_EPOCH` when it is set (reproducible builds set it to
//! the time of the last commit), else from the clock of the machine building. It is
//! taken again only when this script or `SOURCE_DATE_EPOCH` changes: a year recorded
//! earlier is still a year the clock cannot be before.

use std::time::{SystemTime, UNIX_EPOCH};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|value| value.trim().parse::<i64>().ok())
        .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64));
    println!("cargo:rustc-env=ISRC_STAMP_BUILD_YEAR={}", year_of(seconds));
}

/// The proleptic Gregorian year (UTC) of a time in seconds since 1970
/// (Howard Hinnant's `civil_from_days`).
fn year_of(seconds: i64) -> i64 {
    let days = seconds.div_euclid(86_400) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let year = year_of_era + era * 400;
    if month_index >= 10 { year + 1 } else { year }
}
