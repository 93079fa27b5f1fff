//! Guatemala, Instituto Guatemalteco de Migración (IGM): Guatemalans returned from Mexico
//! and the United States (`data/real/guatemala-igm-returns/irreg_guatemala.csv`).
//!
//! Mapping:
//!
//! - reporting country GTM, measure `returnee_received` (nationals received back; the
//!   returning country's own count would be `return_executed`);
//! - place, from the country that returned the person (`origin`): `USA` → `GT-CRR-FAG`, the
//!   reception centre at the air force base beside La Aurora airport, where return flights
//!   land; `MEX` → `GT-CRR-TU`, the reception centre at Tecún Umán, where most land returns
//!   from Mexico arrive (some arrive at other crossings, which IGM does not distinguish).
//!   From 2024 `origin` is empty for most rows: the SOURCE.md judges them almost certainly US
//!   returns, but the source does not say so, so corredor counts them for the whole country
//!   only, never at a reception centre;
//! - sex `male`/`female` → `m`/`f`; age `adult` → `18+`, `accompanied child` → `0-17`,
//!   `unaccompanied child` → `0-17` and also vulnerability `unaccompanied_child`.
//!
//! Emitted, per month: at each reception centre and for the whole country (which includes
//! the rows without origin), the total, one row per sex and age group, and the unaccompanied
//! children.

use std::io::Read;

use corredor_core::{AgeGroup, Breakdown, Measure, PlaceCode, Sex, Vulnerability};

use super::{for_each_row, month, place, thousands, SourceBatch, Tally};
use crate::problem::Problem;

const SOURCE: &str = "IGM Guatemala, informes estadísticos de retornados (compiled in iom/gdidata)";

/// The reception centre of each returning country.
const RECEPTION: [(&str, &str); 2] = [("USA", "GT-CRR-FAG"), ("MEX", "GT-CRR-TU")];

/// The place codes this adapter uses, for checks against the reference places.
pub fn places() -> Vec<PlaceCode> {
    RECEPTION.iter().map(|(_, code)| place(code)).collect()
}

/// Reads `irreg_guatemala.csv` (`t,sex,age,origin,n`).
pub fn read(input: impl Read, file: &str) -> Result<SourceBatch, Vec<Problem>> {
    let mut tally = Tally::new("GTM", Measure::ReturneeReceived);
    let mut without_origin = 0u64;
    for_each_row(
        input,
        file,
        &["t", "sex", "age", "origin", "n"],
        |_, cells| {
            let period = month(cells, "t");
            let sex = cells.parse("sex", |raw| match raw {
                "male" => Ok(Sex::Male),
                "female" => Ok(Sex::Female),
                other => Err(format!(
                    "`{other}` is not a sex of this source (expected male or female)"
                )),
            });
            let age = cells.parse("age", |raw| match raw {
            "adult" => Ok((AgeGroup::Age18Plus, false)),
            "accompanied child" => Ok((AgeGroup::Age0To17, false)),
            "unaccompanied child" => Ok((AgeGroup::Age0To17, true)),
            other => Err(format!(
                "`{other}` is not an age group of this source (expected adult, `accompanied child` or `unaccompanied child`)"
            )),
        });
            let origin = cells.raw("origin");
            let reception = if origin.is_empty() {
                Some(None)
            } else if let Some((_, code)) = RECEPTION.iter().find(|(country, _)| *country == origin)
            {
                Some(Some(place(code)))
            } else {
                cells.problem(
                "origin",
                format!("`{origin}` is not a returning country of this source (expected MEX, USA or empty)"),
            );
                None
            };
            let value = cells.count("n");
            let (Some(period), Some(sex), Some((age_group, alone)), Some(reception), Some(value)) =
                (period, sex, age, reception, value)
            else {
                return;
            };
            if reception.is_none() {
                without_origin += value;
            }
            let levels = [reception.as_ref(), None];
            let levels = if reception.is_some() {
                &levels[..]
            } else {
                &levels[1..]
            };
            for level in levels {
                tally.add(*level, period, Breakdown::TOTAL, value);
                let by_sex_and_age = Breakdown {
                    sex: Some(sex),
                    age_group: Some(age_group),
                    ..Breakdown::TOTAL
                };
                tally.add(*level, period, by_sex_and_age, value);
                if alone {
                    let unaccompanied = Breakdown {
                        vulnerability: Some(Vulnerability::UnaccompaniedChild),
                        ..Breakdown::TOTAL
                    };
                    tally.add(*level, period, unaccompanied, value);
                }
            }
        },
    )?;
    let notes = vec![
        "returns from the United States counted at GT-CRR-FAG (La Aurora), from Mexico at GT-CRR-TU (Tecún Umán)".to_owned(),
        format!(
            "{} returnees without returning country (mostly from 2024) counted for the whole country only",
            thousands(without_origin)
        ),
        "adult → 18+; accompanied and unaccompanied child → 0-17; unaccompanied child also → unaccompanied_child".to_owned(),
    ];
    Ok(tally.into_batch(SOURCE, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_count_at_the_reception_centre_of_their_origin_and_for_the_country() {
        let batch = read(
            "t,sex,age,origin,n\n2024-01,male,adult,USA,10\n2024-01,female,unaccompanied child,MEX,2\n2024-01,male,adult,,7\n"
                .as_bytes(),
            "irreg_guatemala.csv",
        )
        .unwrap();
        let total = |place: Option<&str>| {
            batch
                .observations
                .iter()
                .find(|o| {
                    o.key.place.as_ref().map(PlaceCode::as_str) == place
                        && o.key.breakdown.is_total()
                })
                .map(|o| o.value)
        };
        assert_eq!(total(Some("GT-CRR-FAG")), Some(10));
        assert_eq!(total(Some("GT-CRR-TU")), Some(2));
        assert_eq!(total(None), Some(19));
        let alone: Vec<(Option<&str>, u64)> = batch
            .observations
            .iter()
            .filter(|o| o.key.breakdown.vulnerability.is_some())
            .map(|o| (o.key.place.as_ref().map(PlaceCode::as_str), o.value))
            .collect();
        assert_eq!(alone, vec![(None, 2), (Some("GT-CRR-TU"), 2)]);
        assert!(batch.notes[1].starts_with("7 returnees"));
    }

    #[test]
    fn an_unknown_returning_country_is_refused() {
        let problems = read(
            "t,sex,age,origin,n\n2024-01,male,adult,CAN,10\n".as_bytes(),
            "irreg_guatemala.csv",
        )
        .unwrap_err();
        assert_eq!(problems[0].column.as_deref(), Some("origin"));
    }
}
