//! Panama, Servicio Nacional de Migración (SNM): people who crossed the Darién irregularly
//! from Colombia, registered by the Panamanian authorities (`data/real/darien-panama-snm`).
//!
//! Mapping:
//!
//! - reporting country PAN, measure `irregular_entry`;
//! - **place: none (the whole country).** SNM registers people at the Darién reception
//!   stations (Bajo Chiquito, Lajas Blancas, San Vicente), but publishes one national figure:
//!   which station counted whom is not in the data, and the stations in use changed over the
//!   years. Putting the count on one station would invent a precision the source does not
//!   have; the corridor map shows Panama's count at the country.
//! - periods: the rows of 2010–2019 are **annual** totals stored at `YYYY-01`; they become
//!   year periods (`2015`), never January. From 2020 the rows are months. 2020-04, 2020-05
//!   and 2020-07 have no rows (border closure) and stay missing, not zero.
//! - nationalities (`irreg_darien_nat.csv`): ISO alpha-3 as published; `OOO` (other or
//!   unspecified) → `UNK`; `TIB` (Tibet, which is not an ISO 3166 country, and the source
//!   does not say which documents these people held) → `UNK`; `XKX` (Kosovo) is kept.
//! - demographics (`irreg_darien_dmg.csv`): from 2023 `men`/`women`/`boys`/`girls` become
//!   sex `m`/`f` with age group `18+` or `0-17`; in 2021–2022 the source has only `men` and
//!   `women` (all ages), which become sex alone with the age group empty.
//!
//! Emitted, per period, for the whole country: the total (the sum of the nationality rows),
//! one row per nationality, and one row per sex (and age group) combination.

use std::io::Read;

use corredor_core::{AgeGroup, Breakdown, Measure, Period, Sex};

use super::{for_each_row, month, nationality, thousands, Recodings, SourceBatch, Tally, UNKNOWN};
use crate::problem::Problem;

const SOURCE: &str = "SNM Panamá, tránsito irregular por Darién (compiled in iom/gdidata)";

/// The last year published as one annual total.
const LAST_ANNUAL_YEAR: i32 = 2019;

/// Reads `irreg_darien_nat.csv` (`t,q,nat,n`): the totals and the nationality breakdown.
pub fn read_nationalities(input: impl Read, file: &str) -> Result<SourceBatch, Vec<Problem>> {
    let recode = [("OOO", UNKNOWN), ("TIB", UNKNOWN)];
    let mut tally = Tally::new("PAN", Measure::IrregularEntry);
    let mut recodings = Recodings::default();
    let mut annual_rows = 0u64;
    for_each_row(input, file, &["t", "nat", "n"], |_, cells| {
        let period = period(cells);
        let value = cells.count("n");
        let nationality = nationality(cells, "nat", &recode, value.unwrap_or(0), &mut recodings);
        if let (Some(period), Some(value), Some(nationality)) = (period, value, nationality) {
            if matches!(period, Period::Year(_)) {
                annual_rows += 1;
            }
            tally.add(None, period, Breakdown::TOTAL, value);
            tally.add(None, period, Breakdown::nationality(nationality), value);
        }
    })?;
    let mut notes = vec![
        format!(
            "{annual_rows} rows of 2010–{LAST_ANNUAL_YEAR} are annual totals stored at YYYY-01: read as year periods"
        ),
        "counts are for the whole of Panama: SNM does not publish them by reception station"
            .to_owned(),
        "2020-04, 2020-05 and 2020-07 have no rows (border closure): left missing".to_owned(),
    ];
    notes.extend(recodings.notes());
    Ok(tally.into_batch(SOURCE, notes))
}

/// Reads `irreg_darien_dmg.csv` (`t,q,demog,n`): the breakdown by sex and age group.
pub fn read_demographics(input: impl Read, file: &str) -> Result<SourceBatch, Vec<Problem>> {
    let mut rows = Vec::new();
    for_each_row(input, file, &["t", "demog", "n"], |_, cells| {
        let period = period(cells);
        let group = cells.parse("demog", |raw| match raw {
            "men" => Ok((Sex::Male, true)),
            "women" => Ok((Sex::Female, true)),
            "boys" => Ok((Sex::Male, false)),
            "girls" => Ok((Sex::Female, false)),
            other => Err(format!(
                "`{other}` is not a demographic group of this source (expected men, women, boys or girls)"
            )),
        });
        let value = cells.count("n");
        if let (Some(period), Some(group), Some(value)) = (period, group, value) {
            rows.push((period, group, value));
        }
    })?;
    // Before 2023 the source splits by sex only: `men` and `women` then include children.
    // A period has the age split when it has any row of boys or girls.
    let with_children: Vec<Period> = rows
        .iter()
        .filter(|(_, (_, adult), _)| !adult)
        .map(|(period, _, _)| *period)
        .collect();
    let mut tally = Tally::new("PAN", Measure::IrregularEntry);
    let mut sex_only = 0u64;
    for (period, (sex, adult), value) in rows {
        let age_group = if !with_children.contains(&period) {
            sex_only += 1;
            None
        } else if adult {
            Some(AgeGroup::Age18Plus)
        } else {
            Some(AgeGroup::Age0To17)
        };
        let breakdown = Breakdown {
            sex: Some(sex),
            age_group,
            ..Breakdown::TOTAL
        };
        tally.add(None, period, breakdown, value);
    }
    let notes = vec![
        "men/women/boys/girls read as sex m/f with age group 18+/0-17".to_owned(),
        format!(
            "{} rows of periods without boys/girls (2021–2022) read as sex alone, all ages",
            thousands(sex_only)
        ),
        "the total is taken from irreg_darien_nat.csv, not from this file".to_owned(),
    ];
    Ok(tally.into_batch(SOURCE, notes))
}

/// `YYYY-MM`; before 2020 a year stored at `YYYY-01`.
fn period(cells: &mut crate::reference::Cells<'_>) -> Option<Period> {
    let period = month(cells, "t")?;
    match period {
        Period::Month { year, month } if year <= LAST_ANNUAL_YEAR => {
            if month == 1 {
                Period::year(year)
            } else {
                cells.problem(
                    "t",
                    format!(
                        "{period}: the years up to {LAST_ANNUAL_YEAR} are annual totals stored at YYYY-01, so no other month is expected"
                    ),
                );
                None
            }
        }
        other => Some(other),
    }
}

#[cfg(test)]
mod tests {
    use super::super::known;
    use super::*;

    fn values(batch: &SourceBatch) -> Vec<(String, String, u64)> {
        batch
            .observations
            .iter()
            .map(|o| {
                let b = &o.key.breakdown;
                let label = [
                    b.nationality.map(|n| n.to_string()),
                    b.sex.map(|s| s.to_string()),
                    b.age_group.map(|a| a.to_string()),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("/");
                (o.key.period.to_string(), label, o.value)
            })
            .collect()
    }

    #[test]
    fn annual_rows_become_years_and_other_codes_become_unknown() {
        let batch = read_nationalities(
            "t,q,nat,n\n2015-01,2015-Q1,CUB,10\n2015-01,2015-Q1,TIB,1\n2015-01,2015-Q1,OOO,2\n2020-01,2020-Q1,XKX,3\n"
                .as_bytes(),
            "irreg_darien_nat.csv",
        )
        .unwrap();
        assert_eq!(
            values(&batch),
            vec![
                ("2015".into(), "".into(), 13),
                ("2015".into(), "CUB".into(), 10),
                ("2015".into(), "UNK".into(), 3),
                ("2020-01".into(), "".into(), 3),
                ("2020-01".into(), "XKX".into(), 3),
            ]
        );
        assert!(batch
            .notes
            .iter()
            .any(|n| n.contains("`TIB` read as UNK: 1 rows")));
        assert_eq!(known("XKX").as_str(), "XKX");
    }

    #[test]
    fn an_annual_year_stored_in_another_month_is_refused() {
        let problems = read_nationalities(
            "t,q,nat,n\n2015-03,2015-Q1,CUB,10\n2021-02,2021-Q1,VEN,x\n".as_bytes(),
            "irreg_darien_nat.csv",
        )
        .unwrap_err();
        assert_eq!(problems.len(), 2);
        assert_eq!(
            (problems[0].line, problems[0].column.as_deref()),
            (2, Some("t"))
        );
        assert_eq!(
            (problems[1].line, problems[1].column.as_deref()),
            (3, Some("n"))
        );
    }

    #[test]
    fn children_split_the_age_only_where_the_source_has_them() {
        let batch = read_demographics(
            "t,q,demog,n\n2022-01,2022-Q1,men,5\n2022-01,2022-Q1,women,4\n\
             2023-01,2023-Q1,men,7\n2023-01,2023-Q1,boys,2\n2023-01,2023-Q1,girls,1\n"
                .as_bytes(),
            "irreg_darien_dmg.csv",
        )
        .unwrap();
        assert_eq!(
            values(&batch),
            vec![
                ("2022-01".into(), "f".into(), 4),
                ("2022-01".into(), "m".into(), 5),
                ("2023-01".into(), "f/0-17".into(), 1),
                ("2023-01".into(), "m/0-17".into(), 2),
                ("2023-01".into(), "m/18+".into(), 7),
            ]
        );
    }
}
