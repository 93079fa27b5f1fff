use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::CoreError;
use crate::iso3166::ALPHA3;

/// Codes outside ISO 3166-1 that corredor accepts as nationalities.
///
/// `UNK` (unknown) and `XXA` (stateless) come from ICAO Doc 9303, the travel-document
/// standard border authorities already use; `XKX` (Kosovo) is the user-assigned code used by
/// the European Union, IOM and most border statistics.
const EXTRA_NATIONALITIES: [&str; 3] = ["UNK", "XKX", "XXA"];

fn three_letters(raw: &str) -> Option<[u8; 3]> {
    let bytes = raw.trim().as_bytes();
    if bytes.len() != 3 {
        return None;
    }
    let mut out = [0u8; 3];
    for (slot, byte) in out.iter_mut().zip(bytes) {
        if !byte.is_ascii_alphabetic() {
            return None;
        }
        *slot = byte.to_ascii_uppercase();
    }
    Some(out)
}

fn as_str(bytes: &[u8; 3]) -> &str {
    std::str::from_utf8(bytes).expect("codes are built from ASCII letters only")
}

/// A country: an officially assigned ISO 3166-1 alpha-3 code. Invariant: upper case, assigned.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountryCode([u8; 3]);

impl CountryCode {
    /// Parses an ISO 3166-1 alpha-3 code; lower case is accepted and normalised.
    pub fn parse(raw: &str) -> Result<CountryCode, CoreError> {
        three_letters(raw)
            .filter(|code| ALPHA3.binary_search(&as_str(code)).is_ok())
            .map(CountryCode)
            .ok_or_else(|| CoreError::UnknownCountry {
                code: raw.to_owned(),
            })
    }

    pub fn as_str(&self) -> &str {
        as_str(&self.0)
    }
}

/// A nationality: an ISO 3166-1 alpha-3 code, or `UNK` (unknown), `XXA` (stateless) or `XKX`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Nationality([u8; 3]);

impl Nationality {
    pub const UNKNOWN: Nationality = Nationality(*b"UNK");
    pub const STATELESS: Nationality = Nationality(*b"XXA");

    pub fn parse(raw: &str) -> Result<Nationality, CoreError> {
        three_letters(raw)
            .filter(|code| {
                let code = as_str(code);
                ALPHA3.binary_search(&code).is_ok() || EXTRA_NATIONALITIES.contains(&code)
            })
            .map(Nationality)
            .ok_or_else(|| CoreError::UnknownNationality {
                code: raw.to_owned(),
            })
    }

    pub fn as_str(&self) -> &str {
        as_str(&self.0)
    }

    /// The country whose nationals these are, if it is a country.
    pub fn country(&self) -> Option<CountryCode> {
        CountryCode::parse(self.as_str()).ok()
    }
}

impl From<CountryCode> for Nationality {
    fn from(country: CountryCode) -> Nationality {
        Nationality(country.0)
    }
}

macro_rules! code_traits {
    ($ty:ident) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($ty), self.as_str())
            }
        }
        impl FromStr for $ty {
            type Err = CoreError;
            fn from_str(raw: &str) -> Result<Self, CoreError> {
                $ty::parse(raw)
            }
        }
        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                $ty::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

code_traits!(CountryCode);
code_traits!(Nationality);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes_are_normalised_to_upper_case() {
        assert_eq!(CountryCode::parse("pan").unwrap().as_str(), "PAN");
    }

    #[test]
    fn unassigned_codes_are_not_countries() {
        for raw in ["OOO", "UNK", "XXA", "PA", "PANA", "P4N", ""] {
            assert!(CountryCode::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn unknown_and_stateless_are_nationalities_but_not_countries() {
        assert_eq!(Nationality::parse("UNK").unwrap(), Nationality::UNKNOWN);
        assert_eq!(Nationality::parse("xxa").unwrap(), Nationality::STATELESS);
        assert_eq!(Nationality::UNKNOWN.country(), None);
        assert_eq!(
            Nationality::parse("VEN").unwrap().country(),
            Some(CountryCode::parse("VEN").unwrap())
        );
        assert!(Nationality::parse("OOO").is_err());
    }

    #[test]
    fn codes_round_trip_through_json() {
        let code: CountryCode = serde_json::from_str("\"HND\"").unwrap();
        assert_eq!(serde_json::to_string(&code).unwrap(), "\"HND\"");
        assert!(serde_json::from_str::<CountryCode>("\"HNX\"").is_err());
    }
}
