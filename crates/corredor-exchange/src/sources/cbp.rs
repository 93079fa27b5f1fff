//! United States, Customs and Border Protection (CBP), Nationwide Encounters, Southwest Land
//! Border (`data/real/cbp-swb-encounters/irreg_usa.csv`).
//!
//! Mapping:
//!
//! - reporting country USA, measure `encounter` (events, not people: one person caught twice
//!   counts twice, which was frequent under Title 42);
//! - place: the Border Patrol sector or the Office of Field Operations field office (`area`)
//!   → `US-BP-…` / `US-OFO-…` (see `data/reference/places.csv`). Before 2019-10 the
//!   compilation kept no area and no nationality, so those months are country-level only;
//! - the columns `component`, `authority` (Title 8 / Title 42) and `type` (apprehensions,
//!   inadmissibles, expulsions) are summed over: corredor counts encounters whatever the legal
//!   authority, as CBP's published totals do;
//! - nationality: the ~21 citizenships CBP names, as ISO alpha-3; `OOO` (all others) → `UNK`;
//! - demographic → one breakdown each: `FMUA` (individuals in family units) → vulnerability
//!   `family_unit`; `UC / Single Minors` and `UAC` (the same category, renamed in FY2022) →
//!   vulnerability `unaccompanied_child`; `Accompanied Minors` → age group `0-17`;
//!   `Single Adults` → age group `18+`. **Caveat**: the age rows are CBP's categories, not
//!   all people of that age: `0-17` holds only accompanied minors at ports of entry (children
//!   in family units and unaccompanied children are under their vulnerabilities), and `18+`
//!   only single adults (adults in family units are under `family_unit`).
//!
//! Emitted, per month: at each place, the total, one row per nationality and one per
//! demographic breakdown; for the whole country, the same rows summed over places (and,
//! before 2019-10, the only rows).

use std::io::Read;

use corredor_core::{AgeGroup, Breakdown, Measure, PlaceCode, Vulnerability};

use super::{for_each_row, month, nationality, place, Recodings, SourceBatch, Tally, UNKNOWN};
use crate::problem::Problem;

const SOURCE: &str =
    "U.S. CBP, Nationwide Encounters, Southwest Land Border (compiled in iom/gdidata)";

/// The places of the areas of responsibility CBP reports (sectors and field offices).
const AREAS: [(&str, &str, &str); 13] = [
    ("U.S. Border Patrol", "Big Bend Sector", "US-BP-BBT"),
    ("U.S. Border Patrol", "Del Rio Sector", "US-BP-DRT"),
    ("U.S. Border Patrol", "El Centro Sector", "US-BP-ELC"),
    ("U.S. Border Patrol", "El Paso Sector", "US-BP-ELP"),
    ("U.S. Border Patrol", "Laredo Sector", "US-BP-LRT"),
    (
        "U.S. Border Patrol",
        "Rio Grande Valley Sector",
        "US-BP-RGV",
    ),
    ("U.S. Border Patrol", "San Diego Sector", "US-BP-SDC"),
    ("U.S. Border Patrol", "Tucson Sector", "US-BP-TCA"),
    ("U.S. Border Patrol", "Yuma Sector", "US-BP-YUM"),
    (
        "Office of Field Operations",
        "El Paso Field Office",
        "US-OFO-ELP",
    ),
    (
        "Office of Field Operations",
        "Laredo Field Office",
        "US-OFO-LRD",
    ),
    (
        "Office of Field Operations",
        "San Diego Field Office",
        "US-OFO-SDG",
    ),
    (
        "Office of Field Operations",
        "Tucson Field Office",
        "US-OFO-TUS",
    ),
];

/// The place codes this adapter uses, for checks against the reference places.
pub fn places() -> Vec<PlaceCode> {
    AREAS.iter().map(|(_, _, code)| place(code)).collect()
}

/// Reads `irreg_usa.csv` (`t,t_fy,component,area,authority,type,demog,nat,n`).
pub fn read(input: impl Read, file: &str) -> Result<SourceBatch, Vec<Problem>> {
    let mut tally = Tally::new("USA", Measure::Encounter);
    let mut recodings = Recodings::default();
    let mut country_only = 0u64;
    let columns = ["t", "component", "area", "demog", "nat", "n"];
    for_each_row(input, file, &columns, |_, cells| {
        let period = month(cells, "t");
        let component = cells.raw("component");
        let area = cells.raw("area");
        let place = if area.is_empty() {
            Some(None)
        } else {
            match AREAS.iter().find(|(c, a, _)| *c == component && *a == area) {
                Some((_, _, code)) => Some(Some(place(code))),
                None => {
                    cells.problem(
                        "area",
                        format!("`{area}` of `{component}` is not a southwest border sector or field office"),
                    );
                    None
                }
            }
        };
        let demographic = cells.parse("demog", |raw| match raw {
            "FMUA" => Ok(Breakdown {
                vulnerability: Some(Vulnerability::FamilyUnit),
                ..Breakdown::TOTAL
            }),
            "UC / Single Minors" | "UAC" => Ok(Breakdown {
                vulnerability: Some(Vulnerability::UnaccompaniedChild),
                ..Breakdown::TOTAL
            }),
            "Accompanied Minors" => Ok(Breakdown {
                age_group: Some(AgeGroup::Age0To17),
                ..Breakdown::TOTAL
            }),
            "Single Adults" => Ok(Breakdown {
                age_group: Some(AgeGroup::Age18Plus),
                ..Breakdown::TOTAL
            }),
            other => Err(format!(
                "`{other}` is not a CBP demographic (expected Single Adults, FMUA, UC / Single Minors, UAC or Accompanied Minors)"
            )),
        });
        let value = cells.count("n");
        let nationality = if cells.raw("nat").is_empty() {
            Some(None)
        } else {
            let recode = [("OOO", UNKNOWN)];
            nationality(cells, "nat", &recode, value.unwrap_or(0), &mut recodings).map(Some)
        };
        let (Some(period), Some(place), Some(demographic), Some(value), Some(nationality)) =
            (period, place, demographic, value, nationality)
        else {
            return;
        };
        if place.is_none() {
            country_only += 1;
        }
        // The place rows, then the whole country: when the row has no place, only the latter.
        let levels = [place.as_ref(), None];
        let levels = if place.is_some() {
            &levels[..]
        } else {
            &levels[1..]
        };
        for level in levels {
            tally.add(*level, period, Breakdown::TOTAL, value);
            tally.add(*level, period, demographic, value);
            if let Some(nationality) = nationality {
                tally.add(*level, period, Breakdown::nationality(nationality), value);
            }
        }
    })?;
    let mut notes = vec![
        "summed over component, authority (Title 8 and Title 42) and encounter type".to_owned(),
        format!("{country_only} rows without area (before 2019-10) counted for the whole country only"),
        "FMUA → family_unit; UC / Single Minors and UAC → unaccompanied_child; Accompanied Minors → age 0-17; Single Adults → age 18+ (CBP categories, not all people of those ages)".to_owned(),
        "encounters are events: repeat crossers count each time".to_owned(),
    ];
    notes.extend(recodings.notes());
    Ok(tally.into_batch(SOURCE, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "t,t_fy,component,area,authority,type,demog,nat,n\n";

    fn read_text(rows: &str) -> Result<SourceBatch, Vec<Problem>> {
        read(format!("{HEADER}{rows}").as_bytes(), "irreg_usa.csv")
    }

    #[test]
    fn a_sector_row_counts_at_its_sector_and_for_the_whole_country() {
        let batch = read_text(
            "2023-01,2023-04,U.S. Border Patrol,Rio Grande Valley Sector,Title 8,Apprehensions,FMUA,VEN,10\n\
             2023-01,2023-04,U.S. Border Patrol,Rio Grande Valley Sector,Title 42,Expulsions,FMUA,OOO,5\n\
             2023-01,2023-04,Office of Field Operations,Laredo Field Office,Title 8,Inadmissibles,Accompanied Minors,VEN,2\n",
        )
        .unwrap();
        let value = |place: Option<&str>, breakdown: Breakdown| {
            batch
                .observations
                .iter()
                .find(|o| {
                    o.key.place.as_ref().map(PlaceCode::as_str) == place
                        && o.key.breakdown == breakdown
                })
                .map(|o| o.value)
        };
        let ven = Breakdown::nationality(super::super::known("VEN"));
        let family = Breakdown {
            vulnerability: Some(Vulnerability::FamilyUnit),
            ..Breakdown::TOTAL
        };
        assert_eq!(value(Some("US-BP-RGV"), Breakdown::TOTAL), Some(15));
        assert_eq!(value(Some("US-BP-RGV"), ven), Some(10));
        assert_eq!(value(Some("US-BP-RGV"), family), Some(15));
        assert_eq!(value(Some("US-OFO-LRD"), Breakdown::TOTAL), Some(2));
        assert_eq!(value(None, Breakdown::TOTAL), Some(17));
        assert_eq!(value(None, ven), Some(12));
        assert_eq!(value(None, Breakdown::nationality(UNKNOWN)), Some(5));
        // RGV: total, family, VEN, UNK; Laredo: total, 0-17, VEN; the country: all five.
        assert_eq!(batch.observations.len(), 4 + 3 + 5);
    }

    #[test]
    fn rows_without_area_count_for_the_country_only() {
        let batch = read_text(
            "2017-10,2018-10,U.S. Border Patrol,,Title 8,Apprehensions,UC / Single Minors,,3155\n",
        )
        .unwrap();
        assert_eq!(batch.observations.len(), 2);
        assert!(batch.observations.iter().all(|o| o.key.place.is_none()));
    }

    #[test]
    fn an_unknown_area_or_demographic_is_refused() {
        let problems = read_text(
            "2023-01,2023-04,U.S. Border Patrol,Miami Sector,Title 8,Apprehensions,FMUA,VEN,10\n\
             2023-01,2023-04,U.S. Border Patrol,Yuma Sector,Title 8,Apprehensions,Families,VEN,10\n",
        )
        .unwrap_err();
        let columns: Vec<_> = problems
            .iter()
            .map(|p| (p.line, p.column.as_deref()))
            .collect();
        assert_eq!(columns, vec![(2, Some("area")), (3, Some("demog"))]);
    }
}
