//! A release's UPC/EAN: parsing with the check digit validated.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

/// A release's UPC/EAN (a CUE sheet's `CATALOG`, a DDP image's UPC): 13 digits (EAN-13),
/// check digit valid.
///
/// Input may hold spaces and hyphens; a 12-digit UPC-A is taken as the EAN-13 with a
/// leading 0 (the same number, the same check digit), and remembers that it was typed
/// with 12 digits ([`Catalog::as_typed`]): a label's UPC stays 12 digits in its lists.
/// Two catalogs are equal when their EAN-13 digits are.
#[derive(Clone, Copy)]
pub struct Catalog {
    /// The EAN-13 digits, as ASCII.
    digits: [u8; 13],
    /// Typed as a 12-digit UPC-A.
    upc_a: bool,
}

impl PartialEq for Catalog {
    fn eq(&self, other: &Catalog) -> bool {
        self.digits == other.digits
    }
}

impl Eq for Catalog {}

impl std::hash::Hash for Catalog {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.digits.hash(state);
    }
}

/// Why a text is not a valid UPC/EAN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// Nothing left after removing spaces and hyphens.
    #[error("empty catalog number: a UPC/EAN has 12 (UPC-A) or 13 (EAN-13) digits, like 4006381333931")]
    Empty,
    /// A character other than a digit, space or hyphen.
    #[error("{0:?} is not a digit: a UPC/EAN has only digits (spaces and hyphens are ignored)")]
    NotADigit(char),
    /// Neither 12 nor 13 digits.
    #[error("wrong length: a UPC/EAN has 12 (UPC-A) or 13 (EAN-13) digits, this has {0}")]
    Length(usize),
    /// The last digit is not the check digit of the others.
    #[error(
        "wrong check digit in {number}: the last digit should be {expected}, not {found}; check the number for a typo"
    )]
    CheckDigit {
        /// The digits as given (without spaces and hyphens).
        number: String,
        /// The check digit the other digits call for.
        expected: u8,
        /// The last digit given.
        found: u8,
    },
}

impl Catalog {
    /// Parses a UPC-A (12 digits) or EAN-13 (13 digits), ignoring spaces and hyphens,
    /// and validates its check digit.
    pub fn parse(input: &str) -> Result<Catalog, CatalogError> {
        let mut digits = Vec::with_capacity(13);
        for c in input.chars().filter(|c| !c.is_whitespace() && *c != '-') {
            if !c.is_ascii_digit() {
                return Err(CatalogError::NotADigit(c));
            }
            digits.push(c as u8 - b'0');
        }
        let given: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
        let upc_a = digits.len() == 12;
        match digits.len() {
            0 => return Err(CatalogError::Empty),
            12 => digits.insert(0, 0),
            13 => {}
            n => return Err(CatalogError::Length(n)),
        }
        let mut number = [0u8; 13];
        number.copy_from_slice(&digits);
        let expected = check_digit(&number[..12]);
        if expected != number[12] {
            return Err(CatalogError::CheckDigit { number: given, expected, found: number[12] });
        }
        Ok(Catalog { digits: number.map(|d| b'0' + d), upc_a })
    }

    /// The 13 digits, as a CUE sheet's `CATALOG` holds them.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.digits).unwrap_or_default()
    }

    /// The number as it was typed: 12 digits for a UPC-A, 13 for an EAN-13.
    pub fn as_typed(&self) -> &str {
        let digits = if self.upc_a { &self.digits[1..] } else { &self.digits[..] };
        std::str::from_utf8(digits).unwrap_or_default()
    }
}

/// The EAN-13 check digit of the first 12 digits: weights 1 and 3, alternating from the left.
fn check_digit(first_twelve: &[u8]) -> u8 {
    let sum: u32 = first_twelve.iter().enumerate().map(|(i, &d)| u32::from(d) * if i % 2 == 0 { 1 } else { 3 }).sum();
    ((10 - sum % 10) % 10) as u8
}

impl fmt::Display for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Catalog({})", self.as_str())
    }
}

impl FromStr for Catalog {
    type Err = CatalogError;

    fn from_str(s: &str) -> Result<Catalog, CatalogError> {
        Catalog::parse(s)
    }
}

impl Serialize for Catalog {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_check_digits() {
        assert_eq!(Catalog::parse("4006381333931").unwrap().as_str(), "4006381333931");
        assert_eq!(Catalog::parse("400-6381 333931").unwrap().as_str(), "4006381333931");
        assert_eq!(Catalog::parse("036000291452").unwrap().as_str(), "0036000291452", "UPC-A gets a leading 0");
        assert_eq!(Catalog::parse("0036000291452").unwrap().as_str(), "0036000291452");
        let wrong = Catalog::parse("4006381333932").unwrap_err();
        assert_eq!(wrong, CatalogError::CheckDigit { number: "4006381333932".into(), expected: 1, found: 2 });
        assert!(wrong.to_string().contains("should be 1, not 2"), "{wrong}");
        assert!(Catalog::parse("036000291453").unwrap_err().to_string().contains("should be 2"));
        assert_eq!(Catalog::parse("40063813339"), Err(CatalogError::Length(11)));
        assert_eq!(Catalog::parse("40063813339311"), Err(CatalogError::Length(14)));
        assert_eq!(Catalog::parse("4006381333 93x"), Err(CatalogError::NotADigit('x')));
        assert_eq!(Catalog::parse("400638133393١"), Err(CatalogError::NotADigit('١')), "ASCII digits only");
        assert_eq!(Catalog::parse(" - "), Err(CatalogError::Empty));
    }
}
