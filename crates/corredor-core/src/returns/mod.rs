//! Assisted voluntary return, reintegration and origin territories (phases IV, V and I of the
//! RCM Regional Strategy).
//!
//! - [`ReturnOperation`]: one coordinated return of a group from a host country to an origin
//!   country, with the safeguards that make it voluntary and lawful (informed consent,
//!   non-refoulement, best-interest determinations for children) enforced by its workflow:
//!   draft → proposed → accepted / rescheduled / declined → departed → received → closed, or
//!   cancelled before reception.
//! - [`CaseReference`]: a keyed hash that lets the two countries speak of a case without
//!   names or document numbers; [`ReturnOperation::anonymise`] drops them once the retention
//!   period has passed, keeping the counts.
//! - [`ReintegrationRecord`]: services delivered to returnees of a cohort in an origin
//!   territory, and their outcomes at 3, 6 and 12 months, as counts.
//! - [`PreventionProgramme`] and [`summarise_territories`]: what is done where people leave
//!   from, beside how many come back there and how they fare.
//!
//! Everything here is pure: times are passed in, ids are assigned by storage, and every
//! lifecycle step either returns the changed operation or an error that names the state (or
//! the missing safeguard) and changes nothing. Who may take a step is decided by
//! [`authorize_return`] and [`may_read_return`]; the operation decides whether the step makes
//! sense for it.

mod access;
mod case_reference;
#[cfg(test)]
mod fixtures;
mod operation;
mod reintegration;
mod territory;

use std::fmt;

use thiserror::Error;

pub use access::{authorize_return, may_read_return, ReturnRead};
pub use case_reference::{CaseReference, CaseReferenceKey, RetentionPeriod};
pub use operation::{
    BestInterestDetermination, CaseSafeguards, GroupDifference, MissingSafeguard,
    MissingSafeguards, Reception, ReceptionNeed, ReceptionNeeds, ReceptionParts, ReturnEvent,
    ReturnGroup, ReturnGroupParts, ReturnOperation, ReturnOperationId, ReturnOperationParts,
    ReturnPlan, ReturnPoint, ReturnState, ReturnStep, SafeguardTotals, Safeguards, Transport,
};
pub use reintegration::{
    Cohort, FollowUp, Provider, ReintegrationRecord, ReintegrationRecordParts,
    ReintegrationService, ServiceDelivery,
};
pub use territory::{
    summarise_territories, OutcomeSummary, PreventionProgramme, PreventionProgrammeParts,
    ProgrammeType, TerritoriesSummary, TerritoryCode, TerritorySummary,
};

/// Why a return, reintegration or territory value could not be built, or a step not taken.
/// Each variant names the field, state or safeguard at fault, for the person who must fix it.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ReturnError {
    #[error("`{code}` is not a {vocabulary} (expected one of: {expected})")]
    UnknownCode {
        vocabulary: &'static str,
        code: String,
        expected: &'static str,
    },
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("cannot {attempted}: the return operation is {state}")]
    NotAllowed {
        state: ReturnState,
        attempted: &'static str,
    },
    #[error("cannot {attempted}: {missing}")]
    SafeguardsMissing {
        attempted: &'static str,
        missing: MissingSafeguards,
    },
    #[error("`{code}` is not a case reference (a country's alpha-3 code, `-` and 20 lower-case hexadecimal digits)")]
    InvalidCaseReference { code: String },
    #[error("`{code}` is not a territory code: {reason}")]
    InvalidTerritoryCode { code: String, reason: String },
    #[error("the case reference key is unusable: {reason}")]
    InvalidKey { reason: String },
}

/// Declares a closed vocabulary of this module, like `crate::measure::vocabulary` but with
/// [`ReturnError`] for unknown codes, so that the core's error type stays as it is.
macro_rules! return_vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($label:literal) { $( $(#[$vmeta:meta])* $variant:ident = $code:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The written codes, for error messages and documentation.
            pub const CODES: &'static str = concat!($($code, " "),+);

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(raw: &str) -> Result<$name, $crate::returns::ReturnError> {
                let text = raw.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|value| value.code().eq_ignore_ascii_case(text))
                    .ok_or_else(|| $crate::returns::ReturnError::UnknownCode {
                        vocabulary: $label,
                        code: raw.to_owned(),
                        expected: $name::CODES,
                    })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::returns::ReturnError;
            fn from_str(raw: &str) -> Result<$name, $crate::returns::ReturnError> {
                $name::parse(raw)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                $name::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use return_vocabulary;

/// Trims a text and checks it is not empty and at most `max` characters.
fn checked_text(raw: &str, max: usize, field: &'static str) -> Result<String, ReturnError> {
    let text = raw.trim();
    let length = text.chars().count();
    let reason = if text.is_empty() {
        "is empty".to_owned()
    } else if length > max {
        format!("has {length} characters, more than {max}")
    } else {
        return Ok(text.to_owned());
    };
    Err(ReturnError::Invalid { field, reason })
}

/// An optional text: blank is none, anything else is checked.
fn optional_text(
    raw: Option<&str>,
    max: usize,
    field: &'static str,
) -> Result<Option<String>, ReturnError> {
    raw.filter(|text| !text.trim().is_empty())
        .map(|text| checked_text(text, max, field))
        .transpose()
}

/// The name of who acts (a user name or `token:<id>`).
fn person(by: &str) -> Result<String, ReturnError> {
    checked_text(by, 200, "by")
}

/// Writes "1 person" or "3 people", for refusals a person reads.
struct People(u64);

impl fmt::Display for People {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => f.write_str("1 person"),
            n => write!(f, "{n} people"),
        }
    }
}

/// Writes "1 case" or "3 cases".
struct Cases(u64);

impl fmt::Display for Cases {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => f.write_str("1 case"),
            n => write!(f, "{n} cases"),
        }
    }
}
