//! Words for numbers, times and errors: counts with their noun, durations, timestamps,
//! an error with its causes (pure: no output of its own).

/// `1 file`, `2 files`: a count with the noun that agrees with it.
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `error` and each of its causes, after a colon (`cannot write x: permission denied`),
/// as anyhow's `{:#}` shows an error.
pub(crate) fn with_causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut said = error.to_string();
    let mut cause = error.source();
    while let Some(next) = cause {
        said.push_str(": ");
        said.push_str(&next.to_string());
        cause = next.source();
    }
    said
}

/// A duration as `m:ss.mmm` (or `h:mm:ss.mmm`).
pub(crate) fn duration(seconds: f64) -> String {
    let millis = (seconds.max(0.0) * 1000.0).round() as u64;
    let (h, m, s, ms) = (millis / 3_600_000, millis / 60_000 % 60, millis / 1000 % 60, millis % 1000);
    if h > 0 { format!("{h}:{m:02}:{s:02}.{ms:03}") } else { format!("{m}:{s:02}.{ms:03}") }
}

/// Seconds since the epoch as `YYYY-MM-DD HH:MM:SS UTC`.
pub(crate) fn timestamp(seconds: i64) -> String {
    match jiff::Timestamp::from_second(seconds) {
        Ok(at) => at.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
        Err(_) => format!("{seconds} s after 1970"),
    }
}
