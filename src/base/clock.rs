//! The clock: what time the ledger records (the one reading of the system clock that
//! events, runs and codes are stamped with).

/// Seconds since the Unix epoch, UTC (0 if the clock is before 1970).
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
}
