use serde::{Deserialize, Serialize};

use crate::error::CoreError;

/// Declares a closed vocabulary: an enum whose variants have one written code each, with
/// `parse`, `code`, `ALL`, `Display` and serde as that code.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($error:ident) { $( $(#[$vmeta:meta])* $variant:ident = $code:literal ),+ $(,)? }
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

            pub fn parse(raw: &str) -> Result<$name, $crate::error::CoreError> {
                let text = raw.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|value| value.code().eq_ignore_ascii_case(text))
                    .ok_or_else(|| vocabulary!(@error $error raw))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::error::CoreError;
            fn from_str(raw: &str) -> Result<$name, $crate::error::CoreError> {
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
    (@error UnknownMeasure $raw:ident) => {
        CoreError::UnknownMeasure { code: $raw.to_owned(), expected: Measure::CODES }
    };
    (@error $error:ident $raw:ident) => {
        CoreError::$error { code: $raw.to_owned() }
    };
}

pub(crate) use vocabulary;

vocabulary! {
    /// What an observation counts.
    pub enum Measure (UnknownMeasure) {
        /// People entering a country irregularly (registered at a reception station or border).
        IrregularEntry = "irregular_entry",
        /// Encounters by border authorities (apprehensions, inadmissibles, expulsions).
        Encounter = "encounter",
        /// People unable to continue or return, present at a place.
        Stranded = "stranded",
        /// Applications for international protection lodged.
        AsylumApplication = "asylum_application",
        /// Returns carried out by the reporting (host) country.
        ReturnExecuted = "return_executed",
        /// Nationals received back by the reporting (origin) country.
        ReturneeReceived = "returnee_received",
        /// People sheltered at a place.
        ShelterOccupancy = "shelter_occupancy",
        /// Places available in shelters.
        ShelterCapacity = "shelter_capacity",
    }
}

/// Whether a measure counts movements over a period or people present at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MeasureKind {
    /// Movements over the period; summed over time.
    Flow,
    /// People present at a moment; never summed over time.
    Stock,
}

impl Measure {
    pub fn kind(self) -> MeasureKind {
        match self {
            Measure::IrregularEntry
            | Measure::Encounter
            | Measure::AsylumApplication
            | Measure::ReturnExecuted
            | Measure::ReturneeReceived => MeasureKind::Flow,
            Measure::Stranded | Measure::ShelterOccupancy | Measure::ShelterCapacity => {
                MeasureKind::Stock
            }
        }
    }

    /// Whether the measure counts people crossing a point of the corridor. Adding such counts
    /// over several successive points counts the same people again, so the sum is events.
    pub fn is_transit_count(self) -> bool {
        matches!(self, Measure::IrregularEntry | Measure::Encounter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_parse_from_their_codes_and_know_their_kind() {
        assert_eq!(
            Measure::parse("irregular_entry").unwrap(),
            Measure::IrregularEntry
        );
        assert_eq!(
            Measure::parse("STRANDED").unwrap().kind(),
            MeasureKind::Stock
        );
        assert_eq!(Measure::Encounter.kind(), MeasureKind::Flow);
        let error = Measure::parse("arrivals").unwrap_err().to_string();
        assert!(
            error.contains("arrivals") && error.contains("shelter_capacity"),
            "{error}"
        );
        assert_eq!(Measure::ALL.len(), 8);
    }
}
