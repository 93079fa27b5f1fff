use serde::{Deserialize, Serialize};

use crate::code::Nationality;
use crate::error::CoreError;
use crate::measure::vocabulary;

vocabulary! {
    pub enum Sex (UnknownSex) {
        Female = "f",
        Male = "m",
        /// Another sex or gender marker (ICAO `X`).
        Other = "x",
        Unknown = "unknown",
    }
}

vocabulary! {
    /// Age groups. The narrow groups nest in the wide ones (`0-4`, `5-11`, `12-17` in `0-17`;
    /// `18-59`, `60+` in `18+`), because countries publish either.
    pub enum AgeGroup (UnknownAgeGroup) {
        Age0To4 = "0-4",
        Age5To11 = "5-11",
        Age12To17 = "12-17",
        Age0To17 = "0-17",
        Age18To59 = "18-59",
        Age60Plus = "60+",
        Age18Plus = "18+",
        Unknown = "unknown",
    }
}

impl AgeGroup {
    pub fn is_child(self) -> bool {
        matches!(
            self,
            AgeGroup::Age0To4 | AgeGroup::Age5To11 | AgeGroup::Age12To17 | AgeGroup::Age0To17
        )
    }
}

vocabulary! {
    /// Situations that call for specific protection. An observation with a vulnerability
    /// counts the people in that situation, not everyone.
    pub enum Vulnerability (UnknownVulnerability) {
        UnaccompaniedChild = "unaccompanied_child",
        SeparatedChild = "separated_child",
        FamilyUnit = "family_unit",
        Pregnant = "pregnant",
        Disability = "disability",
    }
}

/// The breakdown of an observation. `None` in a dimension means the total over it.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Breakdown {
    pub nationality: Option<Nationality>,
    pub sex: Option<Sex>,
    pub age_group: Option<AgeGroup>,
    pub vulnerability: Option<Vulnerability>,
}

impl Breakdown {
    /// The total over every dimension.
    pub const TOTAL: Breakdown = Breakdown {
        nationality: None,
        sex: None,
        age_group: None,
        vulnerability: None,
    };

    pub fn nationality(nationality: Nationality) -> Breakdown {
        Breakdown {
            nationality: Some(nationality),
            ..Breakdown::TOTAL
        }
    }

    pub fn is_total(&self) -> bool {
        *self == Breakdown::TOTAL
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breakdown_codes_parse_and_bad_ones_are_named() {
        assert_eq!(Sex::parse("F").unwrap(), Sex::Female);
        assert_eq!(AgeGroup::parse("60+").unwrap(), AgeGroup::Age60Plus);
        assert!(AgeGroup::parse("0-17").unwrap().is_child());
        assert_eq!(
            Vulnerability::parse("pregnant").unwrap(),
            Vulnerability::Pregnant
        );
        assert_eq!(
            Sex::parse("female").unwrap_err(),
            CoreError::UnknownSex {
                code: "female".into()
            }
        );
        assert!(AgeGroup::parse("0-5").is_err());
    }
}
