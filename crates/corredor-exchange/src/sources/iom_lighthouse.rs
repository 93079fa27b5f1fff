//! Colombia, Migración Colombia, through the IOM Lighthouse Project compilation
//! (`data/real/iom-lighthouse-irregular-entries/irreg.csv`).
//!
//! Mapping:
//!
//! - only the rows of `geo` = `COL` are read. The `PAN`, `HND` and `MEX` rows duplicate the
//!   national datasets corredor ships (`darien-panama-snm`, `honduras-inm-irregular`,
//!   `mexico-upm-irregular`) with other extraction dates; `HND` 2025-02..04 mix regular
//!   entries in, and `MEX` is a smaller measure than UPM's. Importing them would report the
//!   same flows twice under another owner;
//! - reporting country COL, measure **`encounter`**, the whole country. The compilation calls
//!   the table "irregular entries", but what Colombia counts here are migrants in an irregular
//!   situation detected in transit towards Panama (mostly in Urabá: Necoclí, Turbo,
//!   Capurganá), many of whom entered Colombia long before (Venezuelans who lived there):
//!   they are the authority's encounters with the northbound flow, one step before Darién,
//!   not entries into Colombia. Counting them as `irregular_entry` would suggest that
//!   Colombia's and Panama's entries are two successive crossings of a border, which they are
//!   not;
//! - **2022 is skipped**: Colombia's 2022 values are about 150 a month and jump to about
//!   22,000 in 2023-01 because what Colombia published changed (SOURCE.md), not because of a
//!   150-fold surge. Read as one series they would make the largest surge in the data;
//! - nationality: ISO alpha-3; `OOO` → `UNK`.
//!
//! Emitted, per month from 2023-01: the total (sum of the nationality rows) and one row per
//! nationality.

use std::io::Read;

use corredor_core::{Breakdown, Measure, Period};

use super::{for_each_row, month, nationality, Recodings, SourceBatch, Tally, UNKNOWN};
use crate::problem::Problem;

const SOURCE: &str =
    "Migración Colombia, via the IOM Lighthouse Project (compiled in iom/amerdigest)";

/// The first month whose figures measure the flow as Colombia publishes it now.
const FIRST_COMPARABLE_YEAR: i32 = 2023;

/// Reads `irreg.csv` (`t,geo,nat,n`), keeping the rows of Colombia.
pub fn read(input: impl Read, file: &str) -> Result<SourceBatch, Vec<Problem>> {
    let mut tally = Tally::new("COL", Measure::Encounter);
    let mut recodings = Recodings::default();
    let mut other_countries = 0u64;
    let mut before_change = 0u64;
    for_each_row(input, file, &["t", "geo", "nat", "n"], |_, cells| {
        if cells.raw("geo") != "COL" {
            other_countries += 1;
            return;
        }
        let period = month(cells, "t");
        let value = cells.count("n");
        let nationality = nationality(
            cells,
            "nat",
            &[("OOO", UNKNOWN)],
            value.unwrap_or(0),
            &mut recodings,
        );
        let (Some(period), Some(value), Some(nationality)) = (period, value, nationality) else {
            return;
        };
        if matches!(period, Period::Month { year, .. } if year < FIRST_COMPARABLE_YEAR) {
            before_change += 1;
            return;
        }
        tally.add(None, period, Breakdown::TOTAL, value);
        tally.add(None, period, Breakdown::nationality(nationality), value);
    })?;
    let mut notes = vec![
        format!("{other_countries} rows of PAN, HND and MEX skipped: the national datasets report them"),
        format!("{before_change} rows of COL before {FIRST_COMPARABLE_YEAR}-01 skipped: Colombia then published another, much smaller measure"),
        "Colombian detections of migrants in irregular transit read as encounters".to_owned(),
    ];
    notes.extend(recodings.notes());
    Ok(tally.into_batch(SOURCE, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_colombia_from_2023_is_read() {
        let batch = read(
            "t,geo,nat,n\n2022-12,COL,VEN,100\n2023-01,COL,VEN,20000\n2023-01,COL,OOO,5\n2023-01,PAN,VEN,19000\n2024-07,PAN,GUF,\n"
                .as_bytes(),
            "irreg.csv",
        )
        .unwrap();
        let found: Vec<(String, Option<String>, u64)> = batch
            .observations
            .iter()
            .map(|o| {
                (
                    o.key.period.to_string(),
                    o.key.breakdown.nationality.map(|n| n.to_string()),
                    o.value,
                )
            })
            .collect();
        assert_eq!(
            found,
            vec![
                ("2023-01".to_owned(), None, 20005),
                ("2023-01".to_owned(), Some("UNK".to_owned()), 5),
                ("2023-01".to_owned(), Some("VEN".to_owned()), 20000),
            ]
        );
        assert_eq!(batch.country.as_str(), "COL");
        assert!(batch.notes[0].starts_with("2 rows"));
    }

    #[test]
    fn a_bad_colombian_count_is_refused() {
        let problems =
            read("t,geo,nat,n\n2023-01,COL,VEN,-4\n".as_bytes(), "irreg.csv").unwrap_err();
        assert_eq!(problems[0].column.as_deref(), Some("n"));
        assert_eq!(problems[0].line, 2);
    }
}
