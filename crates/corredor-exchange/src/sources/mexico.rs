//! Mexico, Unidad de Política Migratoria (UPM, SEGOB), *Boletines Estadísticos*: foreigners
//! presented to INM for not proving their legal status, and the returns Mexico carried out
//! (`data/real/mexico-upm-irregular`).
//!
//! Mapping:
//!
//! - reporting country MEX, the whole country (the compilation has no breakdown by state);
//! - `irreg_mexico_nat.csv` (table 3.1.1) → measure **`encounter`**: the source counts
//!   *events* (eventos) of people presented to INM or channelled to DIF shelters, so one
//!   person detained twice counts twice; these are encounters by the authority, not entries.
//!   Per month: the total (sum of the nationality rows) and one row per nationality
//!   (`OOO` → `UNK`, `STL` stateless → `XXA`; rows landing on one code are added up);
//! - `irreg_mexico_dmg.csv` (table 3.1.3) → `encounter` by sex and age group: `18+` → `18+`;
//!   `12-17`, `under 12, accompanied` and `under 12, unaccompanied` → `0-17` (their sum).
//!   corredor has no "under 12" group, and emitting `12-17` next to an "under 12" row filed
//!   as `0-17` would double-count `12-17` (it nests in `0-17`), so the split of children at 12
//!   is lost. `under 12, unaccompanied` is also emitted, summed over sex, as vulnerability
//!   `unaccompanied_child`: **a lower bound**, because the table does not say which
//!   12–17-year-olds travelled alone. In 2024 this table sums to 1,194 less than table 3.1.1
//!   (the source's own discrepancy); its rows are kept as published;
//! - `irreg_mexico_exp.csv` (table 3.2.4) → measure **`return_executed`**: deportations,
//!   assisted returns and assisted returns of children, added up, per month: the total and
//!   one row per nationality.

use std::io::Read;

use corredor_core::{AgeGroup, Breakdown, Measure, Nationality, Sex, Vulnerability};

use super::{for_each_row, month, nationality, Recodings, SourceBatch, Tally, UNKNOWN};
use crate::problem::Problem;

const SOURCE_EVENTS: &str =
    "UPM SEGOB México, Boletines Estadísticos, eventos de extranjeros presentados ante el INM (compiled in iom/gdidata)";
const SOURCE_RETURNS: &str =
    "UPM SEGOB México, Boletines Estadísticos, deportaciones y retornos asistidos (compiled in iom/gdidata)";

const RECODE: [(&str, Nationality); 2] = [("OOO", UNKNOWN), ("STL", Nationality::STATELESS)];

/// Reads `irreg_mexico_nat.csv` (`t,nat,n`): encounters, total and by nationality.
pub fn read_nationalities(input: impl Read, file: &str) -> Result<SourceBatch, Vec<Problem>> {
    let mut tally = Tally::new("MEX", Measure::Encounter);
    let mut recodings = Recodings::default();
    let mut rows = 0usize;
    for_each_row(input, file, &["t", "nat", "n"], |_, cells| {
        let period = month(cells, "t");
        let value = cells.count("n");
        let nationality = nationality(cells, "nat", &RECODE, value.unwrap_or(0), &mut recodings);
        if let (Some(period), Some(value), Some(nationality)) = (period, value, nationality) {
            rows += 1;
            tally.add(None, period, Breakdown::TOTAL, value);
            tally.add(None, period, Breakdown::nationality(nationality), value);
        }
    })?;
    let batch = tally.into_batch(SOURCE_EVENTS, Vec::new());
    let values = batch
        .observations
        .iter()
        .filter(|o| o.key.breakdown.nationality.is_some())
        .count();
    let mut notes = vec![
        "events (eventos) of foreigners presented to INM: read as encounters, not people".to_owned(),
        format!("{rows} source rows became {values} nationality values: rows with the same month and code (two names mapped to one code by the compiler) were added up"),
    ];
    notes.extend(recodings.notes());
    Ok(SourceBatch { notes, ..batch })
}

/// Reads `irreg_mexico_dmg.csv` (`t,sex,age,n`): encounters by sex and age group, and
/// unaccompanied children under 12.
pub fn read_demographics(input: impl Read, file: &str) -> Result<SourceBatch, Vec<Problem>> {
    let mut tally = Tally::new("MEX", Measure::Encounter);
    for_each_row(input, file, &["t", "sex", "age", "n"], |_, cells| {
        let period = month(cells, "t");
        let sex = cells.parse("sex", sex);
        let age = cells.parse("age", |raw| match raw {
            "18+" => Ok((AgeGroup::Age18Plus, false)),
            "12-17" | "under 12, accompanied" => Ok((AgeGroup::Age0To17, false)),
            "under 12, unaccompanied" => Ok((AgeGroup::Age0To17, true)),
            other => Err(format!(
                "`{other}` is not an age group of this source (expected 18+, 12-17, `under 12, accompanied` or `under 12, unaccompanied`)"
            )),
        });
        let value = cells.count("n");
        if let (Some(period), Some(sex), Some((age_group, alone)), Some(value)) =
            (period, sex, age, value)
        {
            let breakdown = Breakdown {
                sex: Some(sex),
                age_group: Some(age_group),
                ..Breakdown::TOTAL
            };
            tally.add(None, period, breakdown, value);
            if alone {
                let unaccompanied = Breakdown {
                    vulnerability: Some(Vulnerability::UnaccompaniedChild),
                    ..Breakdown::TOTAL
                };
                tally.add(None, period, unaccompanied, value);
            }
        }
    })?;
    let notes = vec![
        "12-17 and under 12 (accompanied or not) read together as 0-17: corredor has no under-12 group".to_owned(),
        "unaccompanied_child counts only unaccompanied children under 12 (the table does not separate unaccompanied 12-17-year-olds): a lower bound".to_owned(),
        "the total is taken from irreg_mexico_nat.csv; in 2024 this table is 1,194 lower (source discrepancy)".to_owned(),
    ];
    Ok(tally.into_batch(SOURCE_EVENTS, notes))
}

/// Reads `irreg_mexico_exp.csv` (`t,nat,type,n`): returns executed by Mexico, total and by
/// nationality, over the three types.
pub fn read_returns(input: impl Read, file: &str) -> Result<SourceBatch, Vec<Problem>> {
    let mut tally = Tally::new("MEX", Measure::ReturnExecuted);
    let mut recodings = Recodings::default();
    for_each_row(input, file, &["t", "nat", "type", "n"], |_, cells| {
        let period = month(cells, "t");
        let kind = cells.parse("type", |raw| match raw {
            "deportation" | "assisted return" | "assisted return of children" => Ok(()),
            other => Err(format!(
                "`{other}` is not a return type of this source (expected deportation, assisted return or `assisted return of children`)"
            )),
        });
        let value = cells.count("n");
        let nationality = nationality(cells, "nat", &RECODE, value.unwrap_or(0), &mut recodings);
        if let (Some(period), Some(()), Some(value), Some(nationality)) =
            (period, kind, value, nationality)
        {
            tally.add(None, period, Breakdown::TOTAL, value);
            tally.add(None, period, Breakdown::nationality(nationality), value);
        }
    })?;
    let mut notes = vec![
        "deportations, assisted returns and assisted returns of children added up as returns executed".to_owned(),
    ];
    notes.extend(recodings.notes());
    Ok(tally.into_batch(SOURCE_RETURNS, notes))
}

fn sex(raw: &str) -> Result<Sex, String> {
    match raw {
        "male" => Ok(Sex::Male),
        "female" => Ok(Sex::Female),
        other => Err(format!(
            "`{other}` is not a sex of this source (expected male or female)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_are_one_age_group_and_unaccompanied_ones_are_also_counted_alone() {
        let batch = read_demographics(
            "t,sex,age,n\n2023-01,male,18+,50\n2023-01,male,12-17,7\n\
             2023-01,male,\"under 12, accompanied\",3\n2023-01,male,\"under 12, unaccompanied\",2\n\
             2023-01,female,\"under 12, unaccompanied\",1\n"
                .as_bytes(),
            "irreg_mexico_dmg.csv",
        )
        .unwrap();
        type Value = (Option<Sex>, Option<AgeGroup>, Option<Vulnerability>, u64);
        let found: Vec<Value> = batch
            .observations
            .iter()
            .map(|o| {
                let b = o.key.breakdown;
                (b.sex, b.age_group, b.vulnerability, o.value)
            })
            .collect();
        assert_eq!(
            found,
            vec![
                (None, None, Some(Vulnerability::UnaccompaniedChild), 3),
                (Some(Sex::Female), Some(AgeGroup::Age0To17), None, 1),
                (Some(Sex::Male), Some(AgeGroup::Age0To17), None, 12),
                (Some(Sex::Male), Some(AgeGroup::Age18Plus), None, 50),
            ]
        );
    }

    #[test]
    fn returns_add_up_their_types_by_nationality() {
        let batch = read_returns(
            "t,nat,type,n\n2023-01,HND,deportation,4\n2023-01,HND,assisted return,6\n2023-01,STL,assisted return of children,1\n"
                .as_bytes(),
            "irreg_mexico_exp.csv",
        )
        .unwrap();
        let found: Vec<(Option<String>, u64)> = batch
            .observations
            .iter()
            .map(|o| (o.key.breakdown.nationality.map(|n| n.to_string()), o.value))
            .collect();
        assert_eq!(
            found,
            vec![
                (None, 11),
                (Some("HND".to_owned()), 10),
                (Some("XXA".to_owned()), 1)
            ]
        );
        assert!(batch
            .observations
            .iter()
            .all(|o| o.key.measure == Measure::ReturnExecuted));
    }

    #[test]
    fn an_unknown_sex_or_return_type_is_refused_with_its_column() {
        let problems = read_demographics(
            "t,sex,age,n\n2023-01,other,18+,5\n".as_bytes(),
            "irreg_mexico_dmg.csv",
        )
        .unwrap_err();
        assert_eq!(problems[0].column.as_deref(), Some("sex"));
        let problems = read_returns(
            "t,nat,type,n\n2023-01,HND,expulsion,4\n".as_bytes(),
            "irreg_mexico_exp.csv",
        )
        .unwrap_err();
        assert_eq!(problems[0].column.as_deref(), Some("type"));
    }
}
