use std::fmt;

use serde::{Deserialize, Serialize};

use crate::code::CountryCode;
use crate::error::CoreError;
use crate::measure::vocabulary;

/// The code of a place, unique across corredor (e.g. `PA-ERM-LB`, `US-BP-RGV`).
/// Invariant: 2–32 characters, capital letters, digits, `-` or `_`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PlaceCode(String);

impl PlaceCode {
    pub fn parse(raw: &str) -> Result<PlaceCode, CoreError> {
        let text = raw.trim();
        let valid = (2..=32).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if valid {
            Ok(PlaceCode(text.to_owned()))
        } else {
            Err(CoreError::InvalidPlaceCode {
                code: raw.to_owned(),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PlaceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PlaceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PlaceCode({})", self.0)
    }
}

impl<'de> Deserialize<'de> for PlaceCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<PlaceCode, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        PlaceCode::parse(&raw).map_err(serde::de::Error::custom)
    }
}

vocabulary! {
    /// What kind of point a place is.
    pub enum PlaceKind (UnknownPlaceKind) {
        /// An official land border crossing (port of entry).
        BorderCrossing = "official_land_crossing",
        /// A migration reception station run by the authorities (e.g. Lajas Blancas).
        ReceptionStation = "reception_station",
        /// A community or point where arrivals are first registered (e.g. Bajo Chiquito).
        ReceptionPoint = "reception_point",
        MigrationControlPost = "migration_control_post",
        /// An informal point where people gather before a crossing (e.g. Necoclí).
        StagingPoint = "staging_point",
        Shelter = "shelter",
        /// A US Border Patrol sector (an area between ports of entry).
        BorderPatrolSector = "border_patrol_sector",
        /// A CBP Office of Field Operations field office (ports of entry).
        FieldOffice = "field_office",
    }
}

/// A named point where counts are made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub code: PlaceCode,
    pub name: String,
    pub country: CountryCode,
    pub kind: PlaceKind,
    /// The country across the border, for crossings.
    pub counterpart: Option<CountryCode>,
    pub latitude: f64,
    pub longitude: f64,
}

impl Place {
    pub fn new(
        code: PlaceCode,
        name: &str,
        country: CountryCode,
        kind: PlaceKind,
        counterpart: Option<CountryCode>,
        (latitude, longitude): (f64, f64),
    ) -> Result<Place, CoreError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(CoreError::InvalidText {
                text: name.to_owned(),
                max: 200,
            });
        }
        if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
            return Err(CoreError::InvalidCoordinates {
                latitude,
                longitude,
            });
        }
        Ok(Place {
            code,
            name: name.to_owned(),
            country,
            kind,
            counterpart,
            latitude,
            longitude,
        })
    }
}

/// A country's standing in the Regional Conference on Migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RcmStatus {
    Member,
    Observer,
}

/// A country of the reference data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Country {
    pub code: CountryCode,
    pub name_en: String,
    pub name_es: String,
    pub rcm_status: Option<RcmStatus>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_codes_follow_the_crossing_point_ids() {
        assert!(PlaceCode::parse("PA-ERM-LB").is_ok());
        assert!(PlaceCode::parse("US-BP-RGV").is_ok());
        for bad in ["", "x", "pa-erm", "PA ERM", "PA/ERM", &"A".repeat(33)] {
            assert!(PlaceCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn places_need_a_name_and_coordinates_on_earth() {
        let pan = CountryCode::parse("PAN").unwrap();
        let code = PlaceCode::parse("PA-X").unwrap();
        assert!(Place::new(
            code.clone(),
            "Lajas Blancas",
            pan,
            PlaceKind::ReceptionStation,
            None,
            (8.29, -77.81)
        )
        .is_ok());
        assert!(Place::new(
            code.clone(),
            " ",
            pan,
            PlaceKind::ReceptionStation,
            None,
            (8.29, -77.81)
        )
        .is_err());
        assert!(Place::new(
            code,
            "X",
            pan,
            PlaceKind::ReceptionStation,
            None,
            (98.0, -77.81)
        )
        .is_err());
    }
}
