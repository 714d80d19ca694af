//! Identifiers: record ids chosen by stewards, and 全国地方公共団体コード.

use std::fmt;

/// The id of a record (organization, resource, referral, need, kind, area, source).
///
/// Stewards choose ids; they stay stable across loads, so they may appear in URLs and
/// other apps' data. Lowercase ASCII letters, digits, `-` and `_`, starting with a letter
/// or digit, at most 100 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(transparent))]
pub struct Id(String);

/// Why a text is not a valid [`Id`] or [`MunicipalityCode`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("id is empty")]
    Empty,
    #[error("id `{0}` is longer than 100 characters")]
    TooLong(String),
    #[error("id `{0}` may use only lowercase a-z, 0-9, `-` and `_`, and must start with a letter or digit")]
    BadCharacters(String),
    #[error("municipality code `{0}` must be 6 digits (全国地方公共団体コード, e.g. 131083 for 江東区)")]
    CodeFormat(String),
    #[error(
        "municipality code `{code}` has check digit {found}, expected {expected}; check the code against 総務省's list"
    )]
    CodeCheckDigit { code: String, found: u32, expected: u32 },
}

impl Id {
    pub fn parse(text: &str) -> Result<Self, IdError> {
        if text.is_empty() {
            return Err(IdError::Empty);
        }
        if text.len() > 100 {
            return Err(IdError::TooLong(text.to_owned()));
        }
        let mut chars = text.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !(first_ok && rest_ok) {
            return Err(IdError::BadCharacters(crate::text_rules::escaped(text)));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 全国地方公共団体コード: five digits plus a check digit (総務省).
///
/// Prefectures end in `0001` before the check digit (東京都 130001); 政令指定都市's wards
/// have their own codes (名古屋市北区 231037).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "String", into = "String")
)]
pub struct MunicipalityCode(u32);

impl MunicipalityCode {
    pub fn parse(text: &str) -> Result<Self, IdError> {
        if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdError::CodeFormat(text.to_owned()));
        }
        let digits: Vec<u32> = text.bytes().map(|b| u32::from(b - b'0')).collect();
        let expected = check_digit(&digits[..5]);
        if digits[5] != expected {
            return Err(IdError::CodeCheckDigit { code: text.to_owned(), found: digits[5], expected });
        }
        Ok(Self(text.parse().expect("six ASCII digits parse as u32")))
    }

    /// The two-digit prefecture number (13 = 東京都).
    pub fn prefecture_number(self) -> u32 {
        self.0 / 10_000
    }

    /// Whether this is a prefecture's own code (e.g. 130001).
    pub fn is_prefecture(self) -> bool {
        (self.0 / 10).is_multiple_of(1000)
    }
}

/// The check digit of 全国地方公共団体コード: weights 6,5,4,3,2, modulus 11.
fn check_digit(first_five: &[u32]) -> u32 {
    let sum: u32 = first_five.iter().zip([6, 5, 4, 3, 2]).map(|(d, w)| d * w).sum();
    (11 - sum % 11) % 10
}

impl fmt::Display for MunicipalityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

impl TryFrom<String> for MunicipalityCode {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<MunicipalityCode> for String {
    fn from(code: MunicipalityCode) -> Self {
        code.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn municipality_codes_of_the_seed_documents_pass_the_check_digit() {
        for code in ["131083", "130001", "131181", "131172", "131211", "132012", "231037", "231002", "230006"] {
            assert!(MunicipalityCode::parse(code).is_ok(), "{code}");
        }
        assert_eq!(
            MunicipalityCode::parse("131084").unwrap_err().to_string(),
            "municipality code `131084` has check digit 4, expected 3; check the code against 総務省's list"
        );
        assert!(matches!(MunicipalityCode::parse("13108"), Err(IdError::CodeFormat(_))));
        assert!(MunicipalityCode::parse("130001").unwrap().is_prefecture());
        assert!(!MunicipalityCode::parse("131083").unwrap().is_prefecture());
        assert_eq!(MunicipalityCode::parse("231037").unwrap().prefecture_number(), 23);
    }

    #[test]
    fn ids_are_stable_slugs() {
        assert!(Id::parse("koto-choju-support-toyo").is_ok());
        assert!(Id::parse("8050").is_ok());
        assert_eq!(Id::parse("").unwrap_err(), IdError::Empty);
        assert!(matches!(Id::parse("Koto"), Err(IdError::BadCharacters(_))));
        assert!(matches!(Id::parse("-koto"), Err(IdError::BadCharacters(_))));
        assert!(matches!(Id::parse("江東"), Err(IdError::BadCharacters(_))));
    }
}
