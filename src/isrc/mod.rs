//! The ISRC (ISO 3901:2019, IFPI ISRC Handbook): parsing, validation, its parts and its
//! two written forms.
//!
//! An ISRC is 12 characters: a country code `[A-Z]{2}` and a registrant code `[A-Z0-9]{3}`
//! (together the [`Prefix`]), a two-digit year of reference and a five-digit designation
//! code: `^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$`.
//!
//! - Stored form (tags, ledger, CUE sheets, CSV): the 12 bare uppercase characters,
//!   `USPR37300012`. [`Isrc::as_str`], `Display` and serde all give this form, so a code
//!   formatted into a tag never carries hyphens.
//! - Display form, for people: `ISRC US-PR3-73-00012` ([`Isrc::display_form`]).
//!
//! Input is normalised before it is validated: case, whitespace, hyphens and a leading
//! `ISRC` are accepted and removed. A code whose country is not in the shipped list
//! ([`is_known_country`]) is valid, with a warning ([`Isrc::warnings`]).

mod catalog;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use catalog::{Catalog, CatalogError};

/// The date of the shipped country list: ISO 3166-1 alpha-2 as of this date, plus the
/// codes ISRC agencies allocate beyond it (see [`is_known_country`]).
pub const COUNTRY_LIST_DATE: &str = "2026-11-01";

/// The 249 officially assigned ISO 3166-1 alpha-2 codes as of [`COUNTRY_LIST_DATE`], sorted.
const ISO_3166_ALPHA2: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB", "BD",
    "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA",
    "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE",
    "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA",
    "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK",
    "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP",
    "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT",
    "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS",
    "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ",
    "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS",
    "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST",
    "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW",
    "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT", "ZA",
    "ZM", "ZW",
];

/// Codes ISRC agencies allocate beyond ISO 3166-1 (DESIGN.md section 1).
const AGENCY_CODES: &[&str] = &[
    "QM", "QZ", "QT", // United States
    "CB", // Canada, registrants since June 2021
    "GX", "UK", // United Kingdom
    "FX", // France
    "BC", "BK", "BP", "BX", // Brazil
    "KS", // Korea
    "ZB", // South Africa
    "ZZ", "QN", "CP", "DG", "VV", "XK", // international ISRC agency
    "TC", // TuneCore (also ISO 3166-1 for the Turks and Caicos Islands)
    "YU", "CS", // retired, still found on older recordings
];

/// Whether `country` (two uppercase letters) is in the shipped list: ISO 3166-1 alpha-2
/// as of [`COUNTRY_LIST_DATE`] plus the agency-allocated codes.
pub fn is_known_country(country: &str) -> bool {
    ISO_3166_ALPHA2.contains(&country) || AGENCY_CODES.contains(&country)
}

/// Why a text is not an ISRC, a prefix or a designation range.
///
/// Positions are 1-based and count characters of the normalised code, after case, spaces,
/// hyphens and a leading `ISRC` have been dealt with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IsrcError {
    /// Nothing left after normalising.
    #[error("empty code: an ISRC has 12 characters, like USPR37300012")]
    Empty,
    /// Not 12 characters after normalising.
    #[error(
        "wrong length: an ISRC has 12 characters, this has {0} (not counting spaces, hyphens and a leading \"ISRC\")"
    )]
    Length(usize),
    /// Positions 1-2 are not two letters.
    #[error("bad country code {0:?}: it must be two letters A-Z")]
    Country(String),
    /// Positions 3-5 are not letters or digits.
    #[error("bad registrant code {0:?}: it must be three letters A-Z or digits 0-9")]
    Registrant(String),
    /// A character that is not a digit in the year or designation (positions 6-12).
    #[error(
        "non-digit {found:?} at position {position}: the year and designation (positions 6-12) must be digits{}",
        hint_suffix(*.position, *.found)
    )]
    Digit {
        /// 1-based position in the normalised code.
        position: usize,
        /// The character found there.
        found: char,
    },
    /// A year of reference above 99 given to [`Isrc::from_parts`].
    #[error("year of reference {0} is out of range: it is two digits, 00-99")]
    Year(u8),
    /// A designation above 99999 given to [`Isrc::from_parts`].
    #[error("designation {0} is out of range: it is five digits, 00000-99999")]
    Designation(u32),
    /// A prefix that is not five characters after normalising.
    #[error("bad prefix {0:?}: a prefix is a 2-letter country code and a 3-character registrant code, like US-PR3")]
    Prefix(String),
    /// A designation range that is not `NNNNN-NNNNN` with first <= last <= 99999.
    #[error("bad designation range {input:?}: {reason}; write it like 00001-99999")]
    Range {
        /// The text given.
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl IsrcError {
    /// The O/0 or I/1 hint for a letter in the numeric part, like
    /// `letter 'O' at position 12 looks like the digit 0`; `None` for other errors.
    pub fn hint(&self) -> Option<String> {
        match *self {
            IsrcError::Digit { position, found } => confusion_hint(position, found),
            _ => None,
        }
    }
}

/// The hint for a letter that looks like a digit.
fn confusion_hint(position: usize, found: char) -> Option<String> {
    let digit = match found {
        'O' => '0',
        'I' | 'L' => '1',
        _ => return None,
    };
    Some(format!("letter {found:?} at position {position} looks like the digit {digit}"))
}

/// The hint as a suffix of the error message, or nothing.
fn hint_suffix(position: usize, found: char) -> String {
    confusion_hint(position, found).map(|hint| format!("; {hint}")).unwrap_or_default()
}

/// A valid ISRC, held in its stored form: 12 uppercase ASCII letters and digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Isrc([u8; 12]);

impl Isrc {
    /// Parses and validates `input`, accepting any case, whitespace, hyphens and a leading
    /// `ISRC` (`"isrc us-pr3-73-00012"`, `"USPR37300012"`). Never panics.
    ///
    /// The leading `ISRC` is only removed when more than 12 characters remain, so a code
    /// that itself starts with `ISRC` (country IS, registrant RC.) still parses.
    pub fn parse(input: &str) -> Result<Isrc, IsrcError> {
        // The stored form (what a ledger reads back a million times) needs no normalising.
        if let Ok(bytes) = <[u8; 12]>::try_from(input.as_bytes())
            && bytes[..2].iter().all(u8::is_ascii_uppercase)
            && bytes[2..5].iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && bytes[5..].iter().all(u8::is_ascii_digit)
        {
            return Ok(Isrc(bytes));
        }
        let mut code = normalise(input);
        if code.len() > 12 && code.starts_with(&['I', 'S', 'R', 'C']) {
            code.drain(..4);
        }
        match code.len() {
            0 => return Err(IsrcError::Empty),
            12 => {}
            length => return Err(IsrcError::Length(length)),
        }
        check_prefix(&code[..5])?;
        if let Some((index, &found)) = code.iter().enumerate().skip(5).find(|(_, c)| !c.is_ascii_digit()) {
            return Err(IsrcError::Digit { position: index + 1, found });
        }
        let text: String = code.iter().collect();
        let bytes = <[u8; 12]>::try_from(text.as_bytes()).map_err(|_| IsrcError::Length(code.len()))?;
        Ok(Isrc(bytes))
    }

    /// Builds the code for `prefix`, a year of reference (0-99) and a designation (0-99999).
    pub fn from_parts(prefix: Prefix, year: u8, designation: u32) -> Result<Isrc, IsrcError> {
        if year > 99 {
            return Err(IsrcError::Year(year));
        }
        if designation > 99_999 {
            return Err(IsrcError::Designation(designation));
        }
        Isrc::parse(&format!("{}{year:02}{designation:05}", prefix.as_str()))
    }

    /// The stored form: 12 bare uppercase characters, as written to tags.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Characters `range` of the stored form.
    fn part(&self, range: std::ops::Range<usize>) -> &str {
        self.as_str().get(range).unwrap_or_default()
    }

    /// The country code: 2 letters.
    pub fn country(&self) -> &str {
        self.part(0..2)
    }

    /// The registrant code: 3 letters or digits.
    pub fn registrant(&self) -> &str {
        self.part(2..5)
    }

    /// The registrant prefix: country code and registrant code.
    pub fn prefix(&self) -> Prefix {
        let [a, b, c, d, e, ..] = self.0;
        Prefix([a, b, c, d, e])
    }

    /// The year of reference: the last two digits of the year the code was assigned (0-99).
    pub fn year(&self) -> u8 {
        self.part(5..7).parse().unwrap_or_default()
    }

    /// The designation code (0-99999).
    pub fn designation(&self) -> u32 {
        self.part(7..12).parse().unwrap_or_default()
    }

    /// The display form for people: `ISRC CC-XXX-YY-NNNNN`. Never write it into a tag.
    pub fn display_form(&self) -> String {
        format!("ISRC {}-{}-{}-{}", self.country(), self.registrant(), self.part(5..7), self.part(7..12))
    }

    /// Warnings about a valid code: a country code outside the shipped list.
    pub fn warnings(&self) -> Vec<String> {
        let country = self.country();
        if is_known_country(country) {
            Vec::new()
        } else {
            vec![format!("unknown country code {country:?} (list of {COUNTRY_LIST_DATE}); check with your ISRC agency")]
        }
    }
}

/// Uppercases ASCII letters and removes whitespace and hyphens (ASCII and Unicode dashes).
///
/// Only ASCII is uppercased: a Unicode uppercase mapping can change the length (`ß` to
/// `SS`) and would let non-ASCII input pass.
fn normalise(input: &str) -> Vec<char> {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}'))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Checks a normalised 5-character prefix: 2 letters, then 3 letters or digits.
fn check_prefix(prefix: &[char]) -> Result<(), IsrcError> {
    let (country, registrant) = prefix.split_at(prefix.len().min(2));
    if country.len() != 2 || !country.iter().all(char::is_ascii_uppercase) {
        return Err(IsrcError::Country(country.iter().collect()));
    }
    if registrant.len() != 3 || !registrant.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
        return Err(IsrcError::Registrant(registrant.iter().collect()));
    }
    Ok(())
}

impl fmt::Display for Isrc {
    /// The stored form (12 characters, never hyphens), so a formatted code is safe in a tag.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Isrc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Isrc({:?})", self.as_str())
    }
}

impl FromStr for Isrc {
    type Err = IsrcError;

    /// Same as [`Isrc::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Isrc::parse(s)
    }
}

impl Serialize for Isrc {
    /// The stored form.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Isrc {
    /// Any text [`Isrc::parse`] accepts.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Isrc::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A registrant prefix: a 2-letter country code and a 3-character registrant code.
///
/// Displayed as `CC-XXX`; stored (and serialized) as the 5 bare characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Prefix([u8; 5]);

impl Prefix {
    /// Parses `CC-XXX`, `ccxxx` or `CC XXX`. Never panics.
    pub fn parse(input: &str) -> Result<Prefix, IsrcError> {
        let code = normalise(input);
        if code.len() != 5 {
            return Err(IsrcError::Prefix(input.trim().to_owned()));
        }
        check_prefix(&code)?;
        let text: String = code.iter().collect();
        let bytes = <[u8; 5]>::try_from(text.as_bytes()).map_err(|_| IsrcError::Prefix(input.trim().to_owned()))?;
        Ok(Prefix(bytes))
    }

    /// The stored form: 5 bare uppercase characters.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The country code: 2 letters.
    pub fn country(&self) -> &str {
        self.as_str().get(..2).unwrap_or_default()
    }

    /// The registrant code: 3 letters or digits.
    pub fn registrant(&self) -> &str {
        self.as_str().get(2..).unwrap_or_default()
    }
}

impl fmt::Display for Prefix {
    /// `CC-XXX`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.country(), self.registrant())
    }
}

impl fmt::Debug for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Prefix({:?})", self.as_str())
    }
}

impl FromStr for Prefix {
    type Err = IsrcError;

    /// Same as [`Prefix::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Prefix::parse(s)
    }
}

impl Serialize for Prefix {
    /// The 5 bare characters.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Prefix {
    /// Any text [`Prefix::parse`] accepts.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Prefix::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The designation codes a prefix is authorised for, both ends included.
///
/// Build it with [`DesignationRange::parse`] or [`DesignationRange::new`], which check
/// `first <= last <= 99999`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DesignationRange {
    /// The first designation.
    pub first: u32,
    /// The last designation.
    pub last: u32,
}

impl DesignationRange {
    /// Every designation, 00000-99999.
    pub const FULL: DesignationRange = DesignationRange { first: 0, last: 99_999 };

    /// The range `first..=last`, checking `first <= last <= 99999`.
    pub fn new(first: u32, last: u32) -> Result<DesignationRange, IsrcError> {
        let error = |reason| IsrcError::Range { input: format!("{first:05}-{last:05}"), reason };
        if last > 99_999 {
            return Err(error("a designation is at most 99999"));
        }
        if first > last {
            return Err(error("the first designation is after the last"));
        }
        Ok(DesignationRange { first, last })
    }

    /// Parses `NNNNN-NNNNN`, like `00001-99999`; each end is one to five digits.
    pub fn parse(input: &str) -> Result<DesignationRange, IsrcError> {
        let error = |reason| IsrcError::Range { input: input.trim().to_owned(), reason };
        let (first, last) = input.split_once('-').ok_or_else(|| error("expected two designations joined by '-'"))?;
        let number = |text: &str| {
            let text = text.trim();
            let digits = !text.is_empty() && text.len() <= 5 && text.bytes().all(|b| b.is_ascii_digit());
            digits.then(|| text.parse::<u32>().ok()).flatten().ok_or_else(|| error("each end is 1 to 5 digits"))
        };
        let (first, last) = (number(first)?, number(last)?);
        if first > last {
            return Err(error("the first designation is after the last"));
        }
        Ok(DesignationRange { first, last })
    }

    /// Whether `designation` lies in the range.
    pub fn contains(&self, designation: u32) -> bool {
        (self.first..=self.last).contains(&designation)
    }
}

impl fmt::Display for DesignationRange {
    /// `NNNNN-NNNNN`, like `00001-99999`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:05}-{:05}", self.first, self.last)
    }
}

impl FromStr for DesignationRange {
    type Err = IsrcError;

    /// Same as [`DesignationRange::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DesignationRange::parse(s)
    }
}

/// Codes for other modules' unit tests.
#[cfg(test)]
pub(crate) mod examples {
    use super::Isrc;

    /// A valid code the test names.
    pub(crate) fn code(text: &str) -> Isrc {
        Isrc::parse(text).expect("valid test code")
    }

    /// One code (`USPR37300012`).
    pub(crate) fn x() -> Isrc {
        code("USPR37300012")
    }

    /// Another code (`GBBBB9905305`).
    pub(crate) fn y() -> Isrc {
        code("GBBBB9905305")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const VALID: [&str; 6] =
        ["USPR37300012", "NLA508700208", "GBBBB9905305", "USDO19800058", "JPA840501147", "FROV65736517"];

    fn isrc(text: &str) -> Isrc {
        Isrc::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn valid_vectors_parse_without_warnings() {
        for code in VALID {
            let parsed = isrc(code);
            assert_eq!(parsed.as_str(), code);
            assert_eq!(parsed.to_string(), code);
            assert_eq!(code.parse::<Isrc>(), Ok(parsed));
            assert!(parsed.warnings().is_empty(), "{code}: {:?}", parsed.warnings());
        }
    }

    #[test]
    fn invalid_vectors_fail_with_the_reason() {
        assert_eq!(Isrc::parse("USPR373000128"), Err(IsrcError::Length(13)));
        assert_eq!(Isrc::parse("12PR37300012"), Err(IsrcError::Country("12".into())));
        assert_eq!(Isrc::parse("USPR3730001O"), Err(IsrcError::Digit { position: 12, found: 'O' }));
        assert_eq!(Isrc::parse("000000000000"), Err(IsrcError::Country("00".into())));
        assert_eq!(Isrc::parse("US.R37300012"), Err(IsrcError::Registrant(".R3".into())));
        assert_eq!(Isrc::parse("USPR37X00012"), Err(IsrcError::Digit { position: 7, found: 'X' }));
        assert_eq!(Isrc::parse("  - "), Err(IsrcError::Empty));
        assert_eq!(Isrc::parse("ISRC"), Err(IsrcError::Length(4)));
    }

    #[test]
    fn error_messages_name_what_is_wrong() {
        let message = |text: &str| Isrc::parse(text).map(|_| String::new()).unwrap_or_else(|e| e.to_string());
        assert!(message("USPR373000128").contains("12 characters, this has 13"));
        assert!(message("12PR37300012").contains("bad country code \"12\""));
        assert!(message("US.R37300012").contains("bad registrant code \".R3\""));
        assert!(message("USPR37X00012").starts_with("non-digit 'X' at position 7"));
        assert!(!message("USPR37X00012").contains("looks like"));
    }

    #[test]
    fn letters_that_look_like_digits_get_a_hint() {
        let err = Isrc::parse("USPR3730001O").unwrap_err();
        assert_eq!(err.hint().as_deref(), Some("letter 'O' at position 12 looks like the digit 0"));
        assert_eq!(
            err.to_string(),
            "non-digit 'O' at position 12: the year and designation (positions 6-12) must be digits; \
             letter 'O' at position 12 looks like the digit 0"
        );
        let hint = |text: &str| Isrc::parse(text).unwrap_err().hint();
        assert_eq!(hint("USPR373I0012").as_deref(), Some("letter 'I' at position 8 looks like the digit 1"));
        assert_eq!(hint("uspr3730001l").as_deref(), Some("letter 'L' at position 12 looks like the digit 1"));
        assert_eq!(hint("us-pr3-7o-00012").as_deref(), Some("letter 'O' at position 7 looks like the digit 0"));
        assert_eq!(hint("USPR37X00012"), None);
        assert_eq!(hint("12PR37300012"), None);
        // O in the registrant is a letter like any other.
        assert_eq!(isrc("USPRO7300012").registrant(), "PRO");
    }

    #[test]
    fn input_is_normalised() {
        let expected = isrc("USPR37300012");
        for input in [
            "isrc us-pr3-73-00012",
            "ISRC US-PR3-73-00012",
            "ISRCUSPR37300012",
            " usPR37300012\t",
            "US PR3 73 00012",
            "US\u{2013}PR3\u{2013}73\u{2013}00012",
            "US\u{a0}PR3\u{a0}73\u{a0}00012",
        ] {
            assert_eq!(Isrc::parse(input), Ok(expected), "{input:?}");
        }
        // A code that itself begins with ISRC (Iceland, registrant RCA) keeps its letters.
        assert_eq!(isrc("ISRCA7300012").as_str(), "ISRCA7300012");
        assert_eq!(isrc("ISRC IS-RCA-73-00012").as_str(), "ISRCA7300012");
    }

    #[test]
    fn non_ascii_input_is_an_error_not_a_panic() {
        assert_eq!(Isrc::parse("ÜSPR37300012"), Err(IsrcError::Country("ÜS".into())));
        assert_eq!(Isrc::parse("ßSPR37300012"), Err(IsrcError::Country("ßS".into())));
        assert_eq!(Isrc::parse("USPR3730001😀"), Err(IsrcError::Digit { position: 12, found: '😀' }));
        assert_eq!(Isrc::parse("🎵🎵🎵"), Err(IsrcError::Length(3)));
        assert_eq!(Isrc::parse("USPR3７３00012"), Err(IsrcError::Digit { position: 6, found: '７' }));
    }

    #[test]
    fn parts_are_read_back() {
        let code = isrc("GBBBB9905305");
        assert_eq!((code.country(), code.registrant(), code.year(), code.designation()), ("GB", "BBB", 99, 5305));
        assert_eq!(code.prefix(), Prefix::parse("GB-BBB").unwrap());
        assert_eq!(code.display_form(), "ISRC GB-BBB-99-05305");
        assert_eq!(isrc("USPR37300012").display_form(), "ISRC US-PR3-73-00012");
        assert_eq!(format!("{code:?}"), "Isrc(\"GBBBB9905305\")");
    }

    #[test]
    fn from_parts_checks_the_ranges() {
        let prefix = Prefix::parse("US-PR3").unwrap();
        assert_eq!(Isrc::from_parts(prefix, 73, 12), Ok(isrc("USPR37300012")));
        assert_eq!(Isrc::from_parts(prefix, 0, 0).map(|c| c.to_string()), Ok("USPR30000000".into()));
        assert_eq!(Isrc::from_parts(prefix, 99, 99_999).map(|c| c.to_string()), Ok("USPR39999999".into()));
        assert_eq!(Isrc::from_parts(prefix, 100, 1), Err(IsrcError::Year(100)));
        assert_eq!(Isrc::from_parts(prefix, 26, 100_000), Err(IsrcError::Designation(100_000)));
    }

    #[test]
    fn an_unknown_country_is_a_warning_not_an_error() {
        let code = isrc("QX1234567890");
        assert_eq!(code.warnings(), ["unknown country code \"QX\" (list of 2026-11-01); check with your ISRC agency"]);
        assert!(!is_known_country("QX"));
    }

    #[test]
    fn the_country_list_is_complete() {
        assert_eq!(ISO_3166_ALPHA2.len(), 249);
        assert!(ISO_3166_ALPHA2.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");
        let extras =
            ["QM", "QZ", "QT", "CB", "GX", "UK", "FX", "BC", "BK", "BP", "BX", "KS", "ZB", "ZZ", "QN", "CP", "DG"];
        for country in extras.into_iter().chain(["VV", "XK", "TC", "YU", "CS", "US", "SS", "AX", "CW"]) {
            assert!(is_known_country(country), "{country}");
        }
        for country in ["QX", "EU", "AA", "us", ""] {
            assert!(!is_known_country(country), "{country}");
        }
    }

    #[test]
    fn serde_uses_the_stored_forms() {
        let code = isrc("US-PR3-73-00012");
        assert_eq!(serde_json::to_string(&code).unwrap(), "\"USPR37300012\"");
        assert_eq!(serde_json::from_str::<Isrc>("\"isrc us-pr3-73-00012\"").unwrap(), code);
        assert!(serde_json::from_str::<Isrc>("\"USPR3730001O\"").is_err());
        assert_eq!(serde_json::to_string(&code.prefix()).unwrap(), "\"USPR3\"");
        assert_eq!(serde_json::from_str::<Prefix>("\"us-pr3\"").unwrap(), code.prefix());
    }

    #[test]
    fn prefixes_parse() {
        let prefix = Prefix::parse("US-PR3").unwrap();
        assert_eq!((prefix.as_str(), prefix.country(), prefix.registrant()), ("USPR3", "US", "PR3"));
        assert_eq!(prefix.to_string(), "US-PR3");
        for input in ["uspr3", "US PR3", " us-pr3 ", "USPR3"] {
            assert_eq!(input.parse::<Prefix>(), Ok(prefix), "{input:?}");
        }
        assert_eq!(Prefix::parse("U1-PR3"), Err(IsrcError::Country("U1".into())));
        assert_eq!(Prefix::parse("US-P_3"), Err(IsrcError::Registrant("P_3".into())));
        assert_eq!(Prefix::parse("US-PR"), Err(IsrcError::Prefix("US-PR".into())));
        assert_eq!(Prefix::parse("ÜS-PR3"), Err(IsrcError::Country("ÜS".into())));
        assert!(Prefix::parse("US-PR3-73").unwrap_err().to_string().contains("like US-PR3"));
    }

    #[test]
    fn designation_ranges_parse() {
        let range = DesignationRange::parse("00001-99999").unwrap();
        assert_eq!(range, DesignationRange { first: 1, last: 99_999 });
        assert_eq!(range.to_string(), "00001-99999");
        assert!(range.contains(1) && range.contains(99_999) && !range.contains(0));
        let small: DesignationRange = " 500 - 00502 ".parse().unwrap();
        assert_eq!(small.to_string(), "00500-00502");
        assert!(small.contains(501) && !small.contains(503));
        assert_eq!(DesignationRange::FULL.to_string(), "00000-99999");
        for bad in ["00502-00500", "1-100000", "00001", "-00005", "a-b", "00001-", "+1-5", "١-٥", ""] {
            assert!(matches!(DesignationRange::parse(bad), Err(IsrcError::Range { .. })), "{bad:?}");
        }
        let message = DesignationRange::parse("00502-00500").unwrap_err().to_string();
        assert_eq!(
            message,
            "bad designation range \"00502-00500\": the first designation is after the last; write it like 00001-99999"
        );
        assert_eq!(DesignationRange::new(5, 5), Ok(DesignationRange { first: 5, last: 5 }));
        assert!(DesignationRange::new(6, 5).is_err());
        assert!(DesignationRange::new(0, 100_000).is_err());
    }

    fn any_isrc() -> impl Strategy<Value = Isrc> {
        ("[A-Z]{2}[A-Z0-9]{3}", 0u8..100, 0u32..100_000).prop_map(|(prefix, year, designation)| {
            let prefix = Prefix::parse(&prefix).expect("generated prefix");
            Isrc::from_parts(prefix, year, designation).expect("generated code")
        })
    }

    proptest! {
        #[test]
        fn both_forms_parse_back(code in any_isrc()) {
            prop_assert_eq!(Isrc::parse(&code.display_form()), Ok(code));
            prop_assert_eq!(Isrc::parse(code.as_str()), Ok(code));
            prop_assert_eq!(Isrc::parse(&code.as_str().to_lowercase()), Ok(code));
            prop_assert_eq!(Isrc::from_parts(code.prefix(), code.year(), code.designation()), Ok(code));
        }

        #[test]
        fn parse_never_panics(input in prop_oneof![any::<String>(), "\\PC{0,20}", "(?i)(isrc)?[a-z0-9 oil-]{8,16}"]) {
            if let Ok(code) = Isrc::parse(&input) {
                prop_assert_eq!(code.as_str().len(), 12);
                prop_assert_eq!(Isrc::parse(code.as_str()), Ok(code));
            }
            let _ = Prefix::parse(&input);
            let _ = DesignationRange::parse(&input);
        }
    }
}
