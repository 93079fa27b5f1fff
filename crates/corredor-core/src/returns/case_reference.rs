//! Pseudonymous case references and the retention period of the personal part of a return.

use std::fmt;

use chrono::{Days, NaiveDate};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::code::CountryCode;
use crate::returns::ReturnError;

/// The number of hexadecimal digits kept from the keyed hash: 80 bits. A country's caseload
/// would need about 2^40 cases before two references were likely to collide (birthday
/// bound), and a shorter reference is easier to read out over a telephone line.
const DIGITS: usize = 20;

/// The shortest key accepted: 256 bits, the output size of SHA-256, as RFC 2104 §3
/// recommends (a shorter key weakens the function; a longer one adds nothing).
const MIN_KEY_BYTES: usize = 32;

/// A country's secret key for case references. Never stored with the references, never
/// serialised and never printed: whoever holds it can confirm a guessed case number.
pub struct CaseReferenceKey(Vec<u8>);

impl CaseReferenceKey {
    /// A key of at least 32 bytes, e.g. from the country's secret store.
    pub fn new(bytes: &[u8]) -> Result<CaseReferenceKey, ReturnError> {
        if bytes.len() < MIN_KEY_BYTES {
            return Err(ReturnError::InvalidKey {
                reason: format!(
                    "a key has at least {MIN_KEY_BYTES} bytes (256 bits), not {}",
                    bytes.len()
                ),
            });
        }
        if bytes.iter().all(|byte| *byte == bytes[0]) {
            return Err(ReturnError::InvalidKey {
                reason: "a key of one repeated byte is not secret".to_owned(),
            });
        }
        Ok(CaseReferenceKey(bytes.to_vec()))
    }
}

impl fmt::Debug for CaseReferenceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CaseReferenceKey(<secret>)")
    }
}

/// A pseudonymous reference to one case (a person or a family travelling together) of a
/// return operation: `MEX-` followed by 20 lower-case hexadecimal digits, e.g.
/// `MEX-4f1c0a9e27b35d8c61f0`.
///
/// It is the first 80 bits of HMAC-SHA256 (RFC 2104, FIPS 180-4), under the country's
/// secret [`CaseReferenceKey`], of the country's code and its internal case number. The
/// country that holds the key derives the same reference again from its case number, and so
/// finds the case when the partner country writes about it; nobody else can go back from the
/// reference to the case number. HMAC is a pseudo-random function: without the key the
/// reference reveals nothing about the input, and a keyless hash would not do, because case
/// numbers are short and sequential and could be found by trying them all. The key is never
/// stored with the references, so a copy of the return records does not reveal who returned.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct CaseReference(String);

impl CaseReference {
    /// The reference of `internal_case_number` (trimmed; 1 to 200 characters) for `country`.
    pub fn derive(
        country: CountryCode,
        key: &CaseReferenceKey,
        internal_case_number: &str,
    ) -> Result<CaseReference, ReturnError> {
        let number = crate::returns::checked_text(internal_case_number, 200, "case number")?;
        let mut mac = Hmac::<Sha256>::new_from_slice(&key.0)
            .expect("HMAC accepts keys of any length; ours are at least 32 bytes");
        // The country is part of the message, separated by a unit separator that no case
        // number contains, so that two countries sharing a key still get different
        // references for the same number.
        mac.update(country.as_str().as_bytes());
        mac.update(&[0x1f]);
        mac.update(number.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut text = String::with_capacity(4 + DIGITS);
        text.push_str(country.as_str());
        text.push('-');
        for byte in digest.iter().take(DIGITS / 2) {
            text.push_str(&format!("{byte:02x}"));
        }
        Ok(CaseReference(text))
    }

    /// Checks a reference read back from storage or a partner system.
    pub fn parse(raw: &str) -> Result<CaseReference, ReturnError> {
        let text = raw.trim();
        let invalid = || ReturnError::InvalidCaseReference {
            code: raw.to_owned(),
        };
        let (country, digits) = text.split_once('-').ok_or_else(invalid)?;
        CountryCode::parse(country)
            .ok()
            .filter(|code| code.as_str() == country)
            .ok_or_else(invalid)?;
        let hexadecimal = digits.len() == DIGITS
            && digits
                .bytes()
                .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte));
        if !hexadecimal {
            return Err(invalid());
        }
        Ok(CaseReference(text.to_owned()))
    }

    /// The country whose key made the reference.
    pub fn country(&self) -> CountryCode {
        CountryCode::parse(&self.0[..3]).expect("a case reference starts with its country code")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CaseReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for CaseReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CaseReference({})", self.0)
    }
}

impl<'de> Deserialize<'de> for CaseReference {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        CaseReference::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// How long the personal part of a return operation (its case references and best-interest
/// determination references) is kept after the operation ends (received, declined or
/// cancelled): 1 to 3,650 days. Configured per installation; the counts are kept for ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct RetentionPeriod(u32);

impl RetentionPeriod {
    pub fn days(days: u32) -> Result<RetentionPeriod, ReturnError> {
        // Ten years is longer than any records schedule for return files in the region; a
        // longer period is a typing error, and zero would purge what is still needed.
        if (1..=3650).contains(&days) {
            Ok(RetentionPeriod(days))
        } else {
            Err(ReturnError::Invalid {
                field: "retention",
                reason: format!("a retention period is 1 to 3650 days, not {days}"),
            })
        }
    }

    pub fn as_days(self) -> u32 {
        self.0
    }

    /// The last day the personal part of an operation ended on `ended_on` is kept.
    pub fn purge_after(self, ended_on: NaiveDate) -> NaiveDate {
        ended_on
            .checked_add_days(Days::new(u64::from(self.0)))
            .unwrap_or(NaiveDate::MAX)
    }
}

impl TryFrom<u32> for RetentionPeriod {
    type Error = ReturnError;
    fn try_from(days: u32) -> Result<RetentionPeriod, ReturnError> {
        RetentionPeriod::days(days)
    }
}

impl From<RetentionPeriod> for u32 {
    fn from(period: RetentionPeriod) -> u32 {
        period.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> CaseReferenceKey {
        let bytes: Vec<u8> = (0..32u8)
            .map(|i| i.wrapping_mul(37).wrapping_add(seed))
            .collect();
        CaseReferenceKey::new(&bytes).unwrap()
    }

    fn mexico() -> CountryCode {
        CountryCode::parse("MEX").unwrap()
    }

    #[test]
    fn the_same_case_number_and_key_give_the_same_reference() {
        let first = CaseReference::derive(mexico(), &key(1), "INM-TAP-2024-000187").unwrap();
        let again = CaseReference::derive(mexico(), &key(1), " INM-TAP-2024-000187 ").unwrap();
        assert_eq!(first, again);
        assert!(first.as_str().starts_with("MEX-"));
        assert_eq!(first.as_str().len(), 24);
        assert_eq!(CaseReference::parse(first.as_str()).unwrap(), first);
        assert_eq!(first.country(), mexico());
    }

    #[test]
    fn another_key_or_another_country_gives_another_reference() {
        let number = "INM-TAP-2024-000187";
        let ours = CaseReference::derive(mexico(), &key(1), number).unwrap();
        let other_key = CaseReference::derive(mexico(), &key(2), number).unwrap();
        let other_country =
            CaseReference::derive(CountryCode::parse("USA").unwrap(), &key(1), number).unwrap();
        assert_ne!(ours, other_key);
        assert_ne!(ours.as_str()[4..], other_country.as_str()[4..]);
        let next = CaseReference::derive(mexico(), &key(1), "INM-TAP-2024-000188").unwrap();
        assert_ne!(ours, next);
    }

    #[test]
    fn no_part_of_the_case_number_appears_in_the_reference() {
        // Sequential numbers, the easiest to guess: no run of four characters survives.
        for number in [
            "INM-TAP-2024-000187",
            "A-1234567",
            "USCIS 0099 8877",
            "20240001",
        ] {
            let reference = CaseReference::derive(mexico(), &key(7), number).unwrap();
            let digest = &reference.as_str()[4..];
            let chars: Vec<char> = number.to_lowercase().chars().collect();
            for window in chars.windows(4) {
                let piece: String = window.iter().collect();
                assert!(!digest.contains(&piece), "{piece} in {reference}");
            }
        }
    }

    #[test]
    fn weak_keys_and_malformed_references_are_refused() {
        assert!(CaseReferenceKey::new(&[7; 16]).is_err());
        assert!(CaseReferenceKey::new(&[7; 32]).is_err());
        assert_eq!(format!("{:?}", key(3)), "CaseReferenceKey(<secret>)");
        for bad in [
            "",
            "MEX",
            "MEX-123",
            "mex-4f1c0a9e27b35d8c61f0",
            "MEX-4F1C0A9E27B35D8C61F0",
            "XXX-4f1c0a9e27b35d8c61f0",
            "MEX-4f1c0a9e27b35d8c61f0aa",
            "MEX-4f1c0a9e27b35d8c61fz",
        ] {
            assert!(CaseReference::parse(bad).is_err(), "{bad}");
        }
        assert!(CaseReference::derive(mexico(), &key(1), "  ").is_err());
    }

    #[test]
    fn the_retention_period_counts_days_from_the_end_of_the_operation() {
        let period = RetentionPeriod::days(180).unwrap();
        let ended = NaiveDate::from_ymd_opt(2024, 3, 14).unwrap();
        assert_eq!(
            period.purge_after(ended),
            NaiveDate::from_ymd_opt(2024, 9, 10).unwrap()
        );
        assert!(RetentionPeriod::days(0).is_err());
        assert!(RetentionPeriod::days(3651).is_err());
        assert!(serde_json::from_str::<RetentionPeriod>("0").is_err());
    }
}
