//! Reporting completeness: for a country and a measure, which periods it was expected to
//! report, which it reported on time, late, or not at all.
//!
//! A country is expected to report every period of its usual granularity (the one most of its
//! reports use) from its first report up to the last period that has ended. A report is late
//! when its first submission came more than the grace period after the period ended.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use corredor_core::{Caller, CountryCode, Granularity, Measure, Period};
use serde::Serialize;

use crate::{App, AppError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodStatus {
    /// Reported within the grace period after it ended.
    OnTime,
    /// Reported after the grace period.
    Late,
    /// Ended, past the grace period, and not reported.
    Missing,
    /// Ended recently: still within the grace period, not reported yet.
    Due,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompletenessRow {
    pub period: Period,
    pub status: PeriodStatus,
    pub first_submitted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Completeness {
    pub country: CountryCode,
    pub measure: Measure,
    pub granularity: Option<Granularity>,
    pub grace_days: u32,
    pub on_time: u32,
    pub late: u32,
    pub missing: u32,
    pub due: u32,
    pub periods: Vec<CompletenessRow>,
}

/// Days after the end of a period within which its report counts as on time.
pub fn default_grace_days(granularity: Granularity) -> u32 {
    match granularity {
        Granularity::Day => 2,
        Granularity::Week => 7,
        Granularity::Month => 15,
        Granularity::Year => 60,
    }
}

impl App {
    /// Completeness of every country and measure that has reported anything, in the order of
    /// the first corridor and then by country code.
    /// A country sees its own; the secretariat sees every country's.
    pub async fn completeness_overview(
        &self,
        caller: &Caller,
    ) -> Result<Vec<Completeness>, AppError> {
        let corridor_order: Vec<CountryCode> = self
            .store
            .corridors()
            .await?
            .first()
            .map(|corridor| corridor.nodes().iter().map(|node| node.country).collect())
            .unwrap_or_default();
        let mut countries: Vec<CountryCode> = self
            .store
            .countries()
            .await?
            .into_iter()
            .map(|c| c.code)
            .collect();
        countries.sort_by_key(|code| {
            (
                corridor_order
                    .iter()
                    .position(|c| c == code)
                    .unwrap_or(usize::MAX),
                *code,
            )
        });
        let mut overview = Vec::new();
        countries.retain(|country| may_see_completeness(caller, *country));
        for country in countries {
            for &measure in Measure::ALL {
                let result = self.completeness(caller, country, measure).await?;
                if result.granularity.is_some() {
                    overview.push(result);
                }
            }
        }
        Ok(overview)
    }

    /// Reporting completeness is shown to the country and the secretariat.
    pub async fn completeness(
        &self,
        caller: &Caller,
        country: CountryCode,
        measure: Measure,
    ) -> Result<Completeness, AppError> {
        if !may_see_completeness(caller, country) {
            return Err(match caller {
                Caller::Anonymous => AppError::Unauthenticated,
                _ => AppError::Forbidden(format!(
                    "the reporting completeness of {country} is shown to {country} and the secretariat"
                )),
            });
        }
        let reported = self.store.reported_periods(country, measure).await?;
        Ok(assess(
            country,
            measure,
            &reported
                .iter()
                .map(|r| (r.period, r.first_submitted_at))
                .collect::<Vec<_>>(),
            self.today(),
        ))
    }
}

fn may_see_completeness(caller: &Caller, country: CountryCode) -> bool {
    match caller {
        Caller::System => true,
        Caller::Anonymous => false,
        Caller::Principal(principal) => {
            principal.country() == Some(country)
                || principal.kind == corredor_core::OrganisationKind::Secretariat
        }
    }
}

/// Pure assessment of completeness from the reported periods and today's date.
pub(crate) fn assess(
    country: CountryCode,
    measure: Measure,
    reported: &[(Period, DateTime<Utc>)],
    today: NaiveDate,
) -> Completeness {
    let mut usage: BTreeMap<Granularity, usize> = BTreeMap::new();
    for (period, _) in reported {
        *usage.entry(period.granularity()).or_default() += 1;
    }
    let granularity = usage
        .iter()
        .max_by_key(|(granularity, count)| (**count, std::cmp::Reverse(**granularity)))
        .map(|(g, _)| *g);
    let mut result = Completeness {
        country,
        measure,
        granularity,
        grace_days: granularity.map_or(0, default_grace_days),
        on_time: 0,
        late: 0,
        missing: 0,
        due: 0,
        periods: Vec::new(),
    };
    let Some(granularity) = granularity else {
        return result;
    };
    let submitted: BTreeMap<Period, DateTime<Utc>> = reported
        .iter()
        .filter(|(period, _)| period.granularity() == granularity)
        .map(|(period, at)| (*period, *at))
        .collect();
    let Some((&first, _)) = submitted.first_key_value() else {
        return result;
    };
    let grace = Days::new(u64::from(result.grace_days));
    let mut period = first;
    while period.is_complete_by(today) || submitted.contains_key(&period) {
        let deadline = period.end() + grace;
        let (status, at) = match submitted.get(&period) {
            Some(at) if at.date_naive() <= deadline => (PeriodStatus::OnTime, Some(*at)),
            Some(at) => (PeriodStatus::Late, Some(*at)),
            None if deadline < today => (PeriodStatus::Missing, None),
            None => (PeriodStatus::Due, None),
        };
        match status {
            PeriodStatus::OnTime => result.on_time += 1,
            PeriodStatus::Late => result.late += 1,
            PeriodStatus::Missing => result.missing += 1,
            PeriodStatus::Due => result.due += 1,
        }
        result.periods.push(CompletenessRow {
            period,
            status,
            first_submitted_at: at,
        });
        period = period.next();
    }
    result
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    fn month(raw: &str) -> Period {
        Period::parse(raw).unwrap()
    }

    #[test]
    fn periods_are_on_time_late_missing_or_due() {
        let reported = [
            (month("2026-07"), at(2026, 8, 10)),
            (month("2026-08"), at(2026, 9, 30)),
            (month("2026-10"), at(2026, 11, 3)),
        ];
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let result = assess(
            CountryCode::parse("PAN").unwrap(),
            Measure::IrregularEntry,
            &reported,
            today,
        );
        let statuses: Vec<(String, PeriodStatus)> = result
            .periods
            .iter()
            .map(|row| (row.period.to_string(), row.status))
            .collect();
        assert_eq!(
            statuses,
            vec![
                ("2026-07".into(), PeriodStatus::OnTime),
                ("2026-08".into(), PeriodStatus::Late),
                ("2026-09".into(), PeriodStatus::Missing),
                ("2026-10".into(), PeriodStatus::OnTime),
            ]
        );
        assert_eq!(
            (result.on_time, result.late, result.missing, result.due),
            (2, 1, 1, 0)
        );
    }

    #[test]
    fn a_period_just_ended_is_due_not_missing() {
        let reported = [(month("2026-09"), at(2026, 10, 2))];
        let today = NaiveDate::from_ymd_opt(2026, 11, 5).unwrap();
        let result = assess(
            CountryCode::parse("HND").unwrap(),
            Measure::IrregularEntry,
            &reported,
            today,
        );
        assert_eq!(result.periods.last().unwrap().status, PeriodStatus::Due);
        assert_eq!(result.periods.last().unwrap().period.to_string(), "2026-10");
    }

    #[test]
    fn a_country_that_never_reported_has_no_expected_periods() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 5).unwrap();
        let result = assess(
            CountryCode::parse("CRI").unwrap(),
            Measure::Stranded,
            &[],
            today,
        );
        assert_eq!(result.granularity, None);
        assert!(result.periods.is_empty());
    }
}
