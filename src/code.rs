//! The ISRC (ISO 3901:2019): parsing, validation, its parts and its two written forms.
//!
//! Stored form (tags, ledger, CUE sheets, CSV): 12 bare uppercase characters,
//! `CC XXX YY NNNNN` run together. Display form: `ISRC CC-XXX-YY-NNNNN`. Input is
//! normalised: case, hyphens, spaces and a leading `ISRC` are accepted and stripped.

use std::fmt;
use std::str::FromStr;

/// The date of the country list below.
pub const COUNTRY_LIST_DATE: &str = "2026-11-01";

/// ISO 3166-1 alpha-2 codes officially assigned as of [`COUNTRY_LIST_DATE`].
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

/// Codes ISRC agencies allocate beyond ISO 3166-1 (DESIGN.md section 1): US QM QZ QT,
/// Canada CB, UK GX UK, France FX, Brazil BC BK BP BX, Korea KS, South Africa ZB, the
/// international agency ZZ QN CP DG VV XK, TuneCore TC, and the retired YU and CS.
const AGENCY_CODES: &[&str] = &[
    "QM", "QZ", "QT", "CB", "GX", "UK", "FX", "BC", "BK", "BP", "BX", "KS", "ZB", "ZZ", "QN", "CP", "DG", "VV", "XK",
    "TC", "YU", "CS",
];

/// Whether `country` is in the shipped list (ISO 3166-1 plus agency codes).
pub fn is_known_country(country: &str) -> bool {
    ISO_3166_ALPHA2.contains(&country) || AGENCY_CODES.contains(&country)
}

/// Why a text is not an ISRC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IsrcError {
    /// Nothing left after normalising.
    #[error("empty code")]
    Empty,
    /// Not 12 characters after normalising.
    #[error("an ISRC has 12 characters, this has {0}")]
    Length(usize),
    /// A character that is not an ASCII letter or digit.
    #[error("character {found:?} at position {position} is not a letter or digit")]
    Character {
        /// 1-based position in the normalised code.
        position: usize,
        /// The character.
        found: char,
    },
    /// The country code (positions 1-2) is not two letters.
    #[error("the country code {0:?} must be two letters")]
    Country(String),
    /// A letter in the year or designation (positions 6-12).
    #[error("{found:?} at position {position} must be a digit (year and designation are digits){hint}")]
    Digit {
        /// 1-based position.
        position: usize,
        /// The character.
        found: char,
        /// A hint about O/0 or I/1 confusion, or empty.
        hint: String,
    },
    /// A designation above 99999 or a year above 99.
    #[error("year {year} or designation {designation} out of range")]
    Parts {
        /// The year of reference.
        year: u8,
        /// The designation code.
        designation: u32,
    },
    /// A prefix that is not two letters and three letters or digits.
    #[error("a prefix is a 2-letter country code and a 3-character registrant code, like US-PR3; got {0:?}")]
    Prefix(String),
    /// A designation range that is not `NNNNN-NNNNN` with first <= last.
    #[error("a designation range looks like 00001-99999 (first <= last); got {0:?}")]
    Range(String),
}

/// A valid ISRC, held in its stored form.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Isrc([u8; 12]);

impl Isrc {
    /// Parses and validates `input`, accepting lowercase, hyphens, spaces and a leading `ISRC`.
    pub fn parse(input: &str) -> Result<Isrc, IsrcError> {
        let code = normalise(input);
        let chars: Vec<char> = code.chars().collect();
        if chars.is_empty() {
            return Err(IsrcError::Empty);
        }
        if let Some((i, &found)) = chars.iter().enumerate().find(|(_, c)| !c.is_ascii_alphanumeric()) {
            return Err(IsrcError::Character { position: i + 1, found });
        }
        if chars.len() != 12 {
            return Err(IsrcError::Length(chars.len()));
        }
        if !chars[..2].iter().all(char::is_ascii_uppercase) {
            return Err(IsrcError::Country(chars[..2].iter().collect()));
        }
        if let Some((i, &found)) = chars.iter().enumerate().skip(5).find(|(_, c)| !c.is_ascii_digit()) {
            let hint = match found {
                'O' => ": the letter O looks like the digit 0",
                'I' | 'L' => ": the letter looks like the digit 1",
                _ => "",
            };
            return Err(IsrcError::Digit { position: i + 1, found, hint: hint.to_owned() });
        }
        let mut bytes = [0u8; 12];
        bytes.copy_from_slice(code.as_bytes());
        Ok(Isrc(bytes))
    }

    /// Builds the code for `prefix`, a two-digit year and a designation.
    pub fn from_parts(prefix: Prefix, year: u8, designation: u32) -> Result<Isrc, IsrcError> {
        if year > 99 || designation > 99_999 {
            return Err(IsrcError::Parts { year, designation });
        }
        Isrc::parse(&format!("{}{year:02}{designation:05}", prefix.as_str()))
    }

    /// The stored form: 12 bare uppercase characters.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters and digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The country code (2 letters).
    pub fn country(&self) -> &str {
        &self.as_str()[..2]
    }

    /// The registrant code (3 letters or digits).
    pub fn registrant(&self) -> &str {
        &self.as_str()[2..5]
    }

    /// The registrant prefix: country and registrant code.
    pub fn prefix(&self) -> Prefix {
        let mut bytes = [0u8; 5];
        bytes.copy_from_slice(&self.0[..5]);
        Prefix(bytes)
    }

    /// The year of reference, two digits (0-99).
    pub fn year(&self) -> u8 {
        self.as_str()[5..7].parse().unwrap_or(0)
    }

    /// The designation code (0-99999).
    pub fn designation(&self) -> u32 {
        self.as_str()[7..].parse().unwrap_or(0)
    }

    /// The display form `ISRC CC-XXX-YY-NNNNN`.
    pub fn display_form(&self) -> String {
        let s = self.as_str();
        format!("ISRC {}-{}-{}-{}", &s[..2], &s[2..5], &s[5..7], &s[7..])
    }

    /// Warnings about a valid code: an unknown country code.
    pub fn warnings(&self) -> Vec<String> {
        if is_known_country(self.country()) {
            Vec::new()
        } else {
            vec![format!(
                "unknown country code {:?} (list of {COUNTRY_LIST_DATE}); check it with your ISRC agency",
                self.country()
            )]
        }
    }
}

/// Uppercases and strips spaces, hyphens and a leading `ISRC`.
fn normalise(input: &str) -> String {
    let mut code: String =
        input.chars().filter(|c| !matches!(c, ' ' | '-' | '\t')).collect::<String>().to_ascii_uppercase();
    if code.len() > 12 && code.starts_with("ISRC") {
        code.drain(..4);
    }
    code
}

impl fmt::Display for Isrc {
    /// The stored form, so that a code formatted into a tag never carries hyphens.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Isrc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Isrc({})", self.as_str())
    }
}

impl FromStr for Isrc {
    type Err = IsrcError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Isrc::parse(s)
    }
}

impl serde::Serialize for Isrc {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Isrc {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Isrc::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A registrant prefix: 2-letter country code and 3-character registrant code.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Prefix([u8; 5]);

impl Prefix {
    /// Parses `CC-XXX`, `ccxxx` or `CC XXX`.
    pub fn parse(input: &str) -> Result<Prefix, IsrcError> {
        let code = normalise(input);
        let bytes = code.as_bytes();
        let valid = bytes.len() == 5
            && bytes[..2].iter().all(u8::is_ascii_uppercase)
            && bytes[2..].iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !valid {
            return Err(IsrcError::Prefix(input.to_owned()));
        }
        let mut prefix = [0u8; 5];
        prefix.copy_from_slice(bytes);
        Ok(Prefix(prefix))
    }

    /// The 5 bare characters.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The country code.
    pub fn country(&self) -> &str {
        &self.as_str()[..2]
    }
}

impl fmt::Display for Prefix {
    /// `CC-XXX`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", &self.as_str()[..2], &self.as_str()[2..])
    }
}

impl fmt::Debug for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Prefix({self})")
    }
}

impl FromStr for Prefix {
    type Err = IsrcError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Prefix::parse(s)
    }
}

/// The designation codes a prefix is authorised for, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DesignationRange {
    /// The first designation.
    pub first: u32,
    /// The last designation.
    pub last: u32,
}

impl DesignationRange {
    /// The whole range, 00000-99999.
    pub const FULL: DesignationRange = DesignationRange { first: 0, last: 99_999 };

    /// Parses `00001-99999`.
    pub fn parse(input: &str) -> Result<DesignationRange, IsrcError> {
        let error = || IsrcError::Range(input.to_owned());
        let (first, last) = input.trim().split_once('-').ok_or_else(error)?;
        let number = |text: &str| -> Result<u32, IsrcError> {
            let text = text.trim();
            if text.is_empty() || text.len() > 5 || !text.bytes().all(|b| b.is_ascii_digit()) {
                return Err(error());
            }
            text.parse().map_err(|_| error())
        };
        let (first, last) = (number(first)?, number(last)?);
        if first > last {
            return Err(error());
        }
        Ok(DesignationRange { first, last })
    }

    /// Whether `designation` lies in the range.
    pub fn contains(&self, designation: u32) -> bool {
        (self.first..=self.last).contains(&designation)
    }
}

impl fmt::Display for DesignationRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:05}-{:05}", self.first, self.last)
    }
}

impl FromStr for DesignationRange {
    type Err = IsrcError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DesignationRange::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn valid_vectors_parse() {
        for code in ["USPR37300012", "NLA508700208", "GBBBB9905305", "USDO19800058", "JPA840501147", "FROV65736517"] {
            let isrc = Isrc::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert_eq!(isrc.as_str(), code);
            assert!(isrc.warnings().is_empty(), "{code}");
        }
    }

    #[test]
    fn invalid_vectors_fail_with_the_reason() {
        assert_eq!(Isrc::parse("USPR373000128"), Err(IsrcError::Length(13)));
        assert_eq!(Isrc::parse("12PR37300012"), Err(IsrcError::Country("12".into())));
        assert_eq!(Isrc::parse("000000000000"), Err(IsrcError::Country("00".into())));
        let err = Isrc::parse("USPR3730001O").unwrap_err();
        assert!(matches!(err, IsrcError::Digit { position: 12, found: 'O', .. }), "{err:?}");
        assert!(err.to_string().contains("looks like the digit 0"), "{err}");
        let err = Isrc::parse("USPR373I0012").unwrap_err();
        assert!(err.to_string().contains("looks like the digit 1"), "{err}");
        assert_eq!(Isrc::parse(""), Err(IsrcError::Empty));
        assert!(matches!(Isrc::parse("US.PR37300012"), Err(IsrcError::Character { position: 3, found: '.' })));
    }

    #[test]
    fn input_is_normalised() {
        let expected = Isrc::parse("USPR37300012").unwrap();
        for input in
            ["usPR37300012", "US-PR3-73-00012", "ISRC US-PR3-73-00012", "isrc us pr3 73 00012", " USPR37300012 "]
        {
            assert_eq!(Isrc::parse(input), Ok(expected), "{input}");
        }
        assert_eq!(expected.display_form(), "ISRC US-PR3-73-00012");
        assert_eq!(expected.to_string(), "USPR37300012");
    }

    #[test]
    fn parts_are_read_back() {
        let isrc = Isrc::parse("GBBBB9905305").unwrap();
        assert_eq!((isrc.country(), isrc.registrant(), isrc.year(), isrc.designation()), ("GB", "BBB", 99, 5305));
        assert_eq!(isrc.prefix().to_string(), "GB-BBB");
        assert_eq!(Isrc::from_parts(isrc.prefix(), 99, 5305), Ok(isrc));
        assert!(Isrc::from_parts(isrc.prefix(), 100, 1).is_err());
        assert!(Isrc::from_parts(isrc.prefix(), 26, 100_000).is_err());
    }

    #[test]
    fn an_unknown_country_is_a_warning_not_an_error() {
        let isrc = Isrc::parse("QX1234567890").expect("valid syntax");
        let warnings = isrc.warnings();
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("QX") && warnings[0].contains(COUNTRY_LIST_DATE));
        for agency in ["QM", "CB", "GX", "UK", "FX", "BK", "KS", "ZB", "ZZ", "TC", "YU"] {
            assert!(is_known_country(agency), "{agency}");
        }
    }

    #[test]
    fn prefixes_and_ranges_parse() {
        let prefix = Prefix::parse("us-pr3").unwrap();
        assert_eq!((prefix.as_str(), prefix.to_string()), ("USPR3", "US-PR3".to_owned()));
        assert_eq!(Prefix::parse("US PR3"), Ok(prefix));
        assert!(Prefix::parse("U1-PR3").is_err());
        assert!(Prefix::parse("US-PR").is_err());
        let range = DesignationRange::parse("00500-00502").unwrap();
        assert_eq!(range.to_string(), "00500-00502");
        assert!(range.contains(501) && !range.contains(503));
        assert!(DesignationRange::parse("00502-00500").is_err());
        assert!(DesignationRange::parse("1-100000").is_err());
    }

    #[test]
    fn serde_uses_the_stored_form() {
        let isrc = Isrc::parse("US-PR3-73-00012").unwrap();
        assert_eq!(serde_json::to_string(&isrc).unwrap(), "\"USPR37300012\"");
        assert_eq!(serde_json::from_str::<Isrc>("\"usPR37300012\"").unwrap(), isrc);
        assert!(serde_json::from_str::<Isrc>("\"nope\"").is_err());
    }

    fn any_isrc() -> impl Strategy<Value = Isrc> {
        ("[A-Z]{2}", "[A-Z0-9]{3}", 0u8..100, 0u32..100_000).prop_map(|(country, registrant, year, designation)| {
            let prefix = Prefix::parse(&format!("{country}{registrant}")).expect("generated prefix");
            Isrc::from_parts(prefix, year, designation).expect("generated code")
        })
    }

    proptest! {
        #[test]
        fn display_form_parses_back(isrc in any_isrc()) {
            prop_assert_eq!(Isrc::parse(&isrc.display_form()), Ok(isrc));
            prop_assert_eq!(Isrc::parse(isrc.as_str()), Ok(isrc));
        }

        #[test]
        fn parse_never_panics(input in "\\PC{0,20}") {
            let _ = Isrc::parse(&input);
            let _ = Prefix::parse(&input);
            let _ = DesignationRange::parse(&input);
        }
    }
}
