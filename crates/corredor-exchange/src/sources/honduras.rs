//! Honduras, Instituto Nacional de Migración (INM): people who entered irregularly and
//! presented to INM (`data/real/honduras-inm-irregular`).
//!
//! Mapping:
//!
//! - reporting country HND, measure `irregular_entry`, the whole country (INM publishes no
//!   breakdown by registration point, though most people register in Danlí);
//! - the total of each month comes from `irreg_honduras.csv` (2014-01 – 2025-04; 2014–2017
//!   credited by the compiler to IOM's DTM Americas, which the `source` of those rows says);
//!   2020-04 and 2020-05 are published zeros and stay zeros;
//! - nationalities (`irreg_honduras_nat.csv`): the compiler's name → ISO mapping has errors
//!   that the SOURCE.md documents. **`TWN` → `CHN`**: Chinese nationals appear almost only as
//!   `TWN` (12,188 in 2023, `CHN` about 0), so corredor reads them as China (PRC), which is
//!   what Panama, Mexico and the US report for the same people; `STL` (stateless) → `XXA`;
//!   `OOO` → `UNK`. Other suspicious codes (`CCK`, `COK`, `FLK`, `GIB`) are valid ISO codes
//!   whose true country we cannot know, and are kept as published. Several source rows can
//!   land on one code (two names mapped to `TWN`, or `TWN` and `CHN`); they are added up;
//! - demographics (`irreg_honduras_dmg.csv`): `men`/`women`/`boys`/`girls` → sex `m`/`f` with
//!   age group `18+`/`0-17`.
//!
//! The three files agree month by month (SOURCE.md), so the total is not recomputed from the
//! breakdowns; the tests check the agreement.

use std::io::Read;

use corredor_core::{AgeGroup, Breakdown, Measure, Nationality, Period, Sex};

use super::{for_each_row, known, month, nationality, Recodings, SourceBatch, Tally, UNKNOWN};
use crate::problem::Problem;

const SOURCE: &str = "INM Honduras, flujo migratorio irregular (compiled in iom/gdidata)";
const SOURCE_DTM: &str =
    "DTM Americas (IOM), irregular entries into Honduras (compiled in iom/gdidata)";

/// Reads `irreg_honduras.csv` (`t,n`): the monthly totals.
pub fn read_totals(input: impl Read, file: &str) -> Result<SourceBatch, Vec<Problem>> {
    let mut tally = Tally::new("HND", Measure::IrregularEntry);
    for_each_row(input, file, &["t", "n"], |_, cells| {
        if let (Some(period), Some(value)) = (month(cells, "t"), cells.count("n")) {
            if let Period::Month { year, .. } = period {
                if year <= 2017 {
                    tally.set_source(period, SOURCE_DTM);
                }
            }
            tally.add(None, period, Breakdown::TOTAL, value);
        }
    })?;
    let notes =
        vec!["monthly totals, 2014–2017 credited to IOM DTM Americas by the compiler".to_owned()];
    Ok(tally.into_batch(SOURCE, notes))
}

/// Reads `irreg_honduras_nat.csv` (`t,nat,n`): the nationality breakdown.
pub fn read_nationalities(input: impl Read, file: &str) -> Result<SourceBatch, Vec<Problem>> {
    let recode = [
        ("TWN", known("CHN")),
        ("STL", Nationality::STATELESS),
        ("OOO", UNKNOWN),
    ];
    let mut tally = Tally::new("HND", Measure::IrregularEntry);
    let mut recodings = Recodings::default();
    let mut rows = 0usize;
    for_each_row(input, file, &["t", "nat", "n"], |_, cells| {
        let period = month(cells, "t");
        let value = cells.count("n");
        let nationality = nationality(cells, "nat", &recode, value.unwrap_or(0), &mut recodings);
        if let (Some(period), Some(value), Some(nationality)) = (period, value, nationality) {
            rows += 1;
            tally.add(None, period, Breakdown::nationality(nationality), value);
        }
    })?;
    let batch = tally.into_batch(SOURCE, Vec::new());
    let mut notes = vec![format!(
        "{rows} source rows became {} nationality values: rows with the same month and code (two names mapped to one code by the compiler) were added up",
        batch.observations.len()
    )];
    notes.extend(recodings.notes());
    notes.push(
        "CCK, COK, FLK, GIB and other doubtful codes are kept as published: their true country is unknown"
            .to_owned(),
    );
    Ok(SourceBatch { notes, ..batch })
}

/// Reads `irreg_honduras_dmg.csv` (`t,demog,n`): the breakdown by sex and age group.
pub fn read_demographics(input: impl Read, file: &str) -> Result<SourceBatch, Vec<Problem>> {
    let mut tally = Tally::new("HND", Measure::IrregularEntry);
    for_each_row(input, file, &["t", "demog", "n"], |_, cells| {
        let period = month(cells, "t");
        let group = cells.parse("demog", |raw| match raw {
            "men" => Ok((Sex::Male, AgeGroup::Age18Plus)),
            "women" => Ok((Sex::Female, AgeGroup::Age18Plus)),
            "boys" => Ok((Sex::Male, AgeGroup::Age0To17)),
            "girls" => Ok((Sex::Female, AgeGroup::Age0To17)),
            other => Err(format!(
                "`{other}` is not a demographic group of this source (expected men, women, boys or girls)"
            )),
        });
        let value = cells.count("n");
        if let (Some(period), Some((sex, age_group)), Some(value)) = (period, group, value) {
            let breakdown = Breakdown {
                sex: Some(sex),
                age_group: Some(age_group),
                ..Breakdown::TOTAL
            };
            tally.add(None, period, breakdown, value);
        }
    })?;
    let notes = vec!["men/women/boys/girls read as sex m/f with age group 18+/0-17".to_owned()];
    Ok(tally.into_batch(SOURCE, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taiwan_is_read_as_china_and_rows_on_one_code_are_added() {
        let batch = read_nationalities(
            "t,nat,n\n2023-03,TWN,100\n2023-03,TWN,5\n2023-03,CHN,1\n2023-03,STL,2\n".as_bytes(),
            "irreg_honduras_nat.csv",
        )
        .unwrap();
        let found: Vec<(String, u64)> = batch
            .observations
            .iter()
            .map(|o| {
                let code = o.key.breakdown.nationality.expect("nationality rows");
                (code.to_string(), o.value)
            })
            .collect();
        assert_eq!(found, vec![("CHN".to_owned(), 106), ("XXA".to_owned(), 2)]);
        assert!(batch.notes[0].contains("4 source rows became 2"));
    }

    #[test]
    fn totals_before_2018_name_the_dtm_as_their_source() {
        let batch = read_totals(
            "t,n\n2017-12,204\n2018-01,579\n".as_bytes(),
            "irreg_honduras.csv",
        )
        .unwrap();
        let sources: Vec<&str> = batch
            .observations
            .iter()
            .filter_map(|o| o.source.as_deref())
            .collect();
        assert_eq!(sources, vec![SOURCE_DTM, SOURCE]);
    }

    #[test]
    fn an_unknown_demographic_group_is_named() {
        let problems = read_demographics(
            "t,demog,n\n2018-01,elders,3\n".as_bytes(),
            "irreg_honduras_dmg.csv",
        )
        .unwrap_err();
        assert!(problems[0].reason.contains("elders"), "{problems:?}");
    }
}
