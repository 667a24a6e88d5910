//! One CSV cell: formula neutralisation, and the text forms of times.

/// The first characters that make a spreadsheet run a cell as a formula (OWASP, "CSV
/// Injection"): `=`, `+`, `-`, `@`, tab and carriage return.
const TRIGGERS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// Whether the text after any leading apostrophes starts with a formula trigger.
fn armed(text: &str) -> bool {
    text.trim_start_matches('\'').starts_with(TRIGGERS)
}

/// Makes a cell inert in a spreadsheet: a leading apostrophe when the cell (after the
/// apostrophes it already has) starts with `=`, `+`, `-`, `@`, tab or carriage return.
///
/// A cell that already starts with apostrophes before such a character gets one more, so
/// [`restore`] gives every cell back exactly.
pub fn neutralise(text: &str) -> String {
    if armed(text) { format!("'{text}") } else { text.to_owned() }
}

/// Undoes [`neutralise`]: drops exactly one leading apostrophe when the rest (after any
/// further apostrophes) starts with a formula trigger. Any other cell is kept as it is.
pub fn restore(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if armed(rest) => rest,
        _ => text,
    }
}

/// A time as exported: RFC 3339 in UTC (`2026-05-01T12:00:00Z`), or plain seconds when it
/// lies outside the years a calendar date can show.
pub fn format_time(seconds: i64) -> String {
    match jiff::Timestamp::from_second(seconds) {
        Ok(at) => at.to_string(),
        Err(_) => seconds.to_string(),
    }
}

/// Parses a time: seconds since the epoch, RFC 3339 (`2026-05-01T12:00:00Z`, any offset),
/// or a date and time without offset taken as UTC (`2026-05-01 12:00:00`, with or
/// without a trailing `UTC`, as `ledger show` prints it), or a bare date (midnight UTC).
pub fn parse_time(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<i64>() {
        return Some(seconds);
    }
    if let Ok(at) = text.parse::<jiff::Timestamp>() {
        return Some(at.as_second());
    }
    let civil = text.strip_suffix("UTC").map_or(text, str::trim_end);
    let utc = jiff::tz::TimeZone::UTC;
    if let Ok(at) = civil.parse::<jiff::civil::DateTime>() {
        return at.to_zoned(utc).ok().map(|zoned| zoned.timestamp().as_second());
    }
    civil.parse::<jiff::civil::Date>().ok()?.to_zoned(utc).ok().map(|zoned| zoned.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_get_an_apostrophe() {
        assert_eq!(neutralise(r#"=HYPERLINK("http://x","y")"#), r#"'=HYPERLINK("http://x","y")"#);
        for armed in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(armed), format!("'{armed}"), "{armed:?}");
        }
        for inert in ["", "Harbour Wall", "1", "a=b", " =x", "'", "'plain", "USPR37300012"] {
            assert_eq!(neutralise(inert), inert, "{inert:?}");
        }
    }

    #[test]
    fn restore_undoes_neutralise_exactly() {
        let cells = [
            "",
            "=x",
            "'=x",
            "''=x",
            "'",
            "''",
            "'plain",
            "plain",
            "-",
            "@",
            "\t",
            "'\r",
            r#"=HYPERLINK("http://evil","x")"#,
            "caf\u{e9} \u{1f3b5}",
        ];
        for cell in cells {
            assert_eq!(restore(&neutralise(cell)), cell, "{cell:?}");
        }
    }

    #[test]
    fn restore_strips_only_the_apostrophe_neutralise_adds() {
        assert_eq!(restore("'=x"), "=x");
        assert_eq!(restore("''=x"), "'=x");
        assert_eq!(restore("'plain"), "'plain");
        assert_eq!(restore("'"), "'");
        assert_eq!(restore("=x"), "=x", "a formula typed by hand is kept as text");
    }

    #[test]
    fn times_round_trip_and_read_common_forms() {
        for seconds in [0, 1_767_225_600, 1_795_306_000, -1] {
            assert_eq!(parse_time(&format_time(seconds)), Some(seconds));
        }
        assert_eq!(format_time(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(parse_time("1767225600"), Some(1_767_225_600));
        assert_eq!(parse_time("2026-01-01T02:00:00+02:00"), Some(1_767_225_600));
        assert_eq!(parse_time("2026-01-01 00:00:00 UTC"), Some(1_767_225_600));
        assert_eq!(parse_time("2026-01-01 00:00"), Some(1_767_225_600));
        assert_eq!(parse_time("2026-01-01"), Some(1_767_225_600));
        assert_eq!(parse_time(&format_time(i64::MAX)), Some(i64::MAX));
        for bad in ["", "yesterday", "2026-13-01", "1/1/2026"] {
            assert_eq!(parse_time(bad), None, "{bad:?}");
        }
    }
}
