use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::CoreError;

/// How long a period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Day,
    Week,
    Month,
    Year,
}

impl Granularity {
    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Day => "day",
            Granularity::Week => "week",
            Granularity::Month => "month",
            Granularity::Year => "year",
        }
    }

    pub fn parse(raw: &str) -> Option<Granularity> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "day" => Some(Granularity::Day),
            "week" => Some(Granularity::Week),
            "month" => Some(Granularity::Month),
            "year" => Some(Granularity::Year),
            _ => None,
        }
    }

    /// How many periods of this granularity make a year: the seasonal cycle of a series.
    pub fn periods_per_year(self) -> u32 {
        match self {
            Granularity::Day => 365,
            Granularity::Week => 52,
            Granularity::Month => 12,
            Granularity::Year => 1,
        }
    }
}

impl fmt::Display for Granularity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The time an observation covers: a calendar day, an ISO 8601 week, a calendar month or a
/// calendar year. Written `2023-08-14`, `2023-W33`, `2023-08` and `2023`.
///
/// Invariant: the week exists in its ISO year, the month is 1–12, the year is 1900–9999.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Day(NaiveDate),
    Week { year: i32, week: u32 },
    Month { year: i32, month: u32 },
    Year(i32),
}

const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 9999;

impl Period {
    pub fn parse(raw: &str) -> Result<Period, CoreError> {
        let text = raw.trim();
        Self::parse_inner(text).ok_or_else(|| CoreError::InvalidPeriod {
            raw: raw.to_owned(),
        })
    }

    fn parse_inner(text: &str) -> Option<Period> {
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        let year_of = |s: &str| -> Option<i32> {
            let year: i32 = s.parse().ok()?;
            (MIN_YEAR..=MAX_YEAR).contains(&year).then_some(year)
        };
        match text.len() {
            4 if digits(text, 4) => Some(Period::Year(year_of(text)?)),
            7 if digits(&text[..4], 4) && &text[4..5] == "-" && digits(&text[5..], 2) => {
                Period::month(year_of(&text[..4])?, text[5..].parse().ok()?)
            }
            8 if digits(&text[..4], 4)
                && (&text[4..6] == "-W" || &text[4..6] == "-w")
                && digits(&text[6..], 2) =>
            {
                Period::week(year_of(&text[..4])?, text[6..].parse().ok()?)
            }
            10 => {
                let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
                (digits(&text[..4], 4) && (MIN_YEAR..=MAX_YEAR).contains(&date.year()))
                    .then_some(Period::Day(date))
            }
            _ => None,
        }
    }

    pub fn day(date: NaiveDate) -> Period {
        Period::Day(date)
    }

    /// An ISO week, if the ISO year has that week (52 or 53 weeks).
    pub fn week(year: i32, week: u32) -> Option<Period> {
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)?;
        Some(Period::Week { year, week })
    }

    pub fn month(year: i32, month: u32) -> Option<Period> {
        ((1..=12).contains(&month) && (MIN_YEAR..=MAX_YEAR).contains(&year))
            .then_some(Period::Month { year, month })
    }

    pub fn year(year: i32) -> Option<Period> {
        (MIN_YEAR..=MAX_YEAR)
            .contains(&year)
            .then_some(Period::Year(year))
    }

    pub fn granularity(&self) -> Granularity {
        match self {
            Period::Day(_) => Granularity::Day,
            Period::Week { .. } => Granularity::Week,
            Period::Month { .. } => Granularity::Month,
            Period::Year(_) => Granularity::Year,
        }
    }

    /// The first day of the period.
    pub fn start(&self) -> NaiveDate {
        match *self {
            Period::Day(date) => date,
            Period::Week { year, week } => NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)
                .expect("a Period::Week is only built for weeks its ISO year has"),
            Period::Month { year, month } => NaiveDate::from_ymd_opt(year, month, 1)
                .expect("a Period::Month is only built for months 1-12"),
            Period::Year(year) => {
                NaiveDate::from_ymd_opt(year, 1, 1).expect("years 1900-9999 have a 1 January")
            }
        }
    }

    /// The last day of the period (inclusive).
    pub fn end(&self) -> NaiveDate {
        self.next()
            .start()
            .pred_opt()
            .expect("periods start after 1900")
    }

    /// The period of the same granularity that follows this one.
    pub fn next(&self) -> Period {
        match *self {
            Period::Day(date) => Period::Day(date + Days::new(1)),
            Period::Week { .. } => {
                Period::containing(self.start() + Days::new(7), Granularity::Week)
            }
            Period::Month { .. } => {
                Period::containing(self.start() + Months::new(1), Granularity::Month)
            }
            Period::Year(year) => Period::Year(year + 1),
        }
    }

    /// The period of the same granularity that precedes this one.
    pub fn previous(&self) -> Period {
        match *self {
            Period::Day(date) => Period::Day(date - Days::new(1)),
            Period::Week { .. } => {
                Period::containing(self.start() - Days::new(7), Granularity::Week)
            }
            Period::Month { .. } => {
                Period::containing(self.start() - Months::new(1), Granularity::Month)
            }
            Period::Year(year) => Period::Year(year - 1),
        }
    }

    /// The period of `granularity` that contains `date`.
    pub fn containing(date: NaiveDate, granularity: Granularity) -> Period {
        match granularity {
            Granularity::Day => Period::Day(date),
            Granularity::Week => {
                let iso = date.iso_week();
                Period::Week {
                    year: iso.year(),
                    week: iso.week(),
                }
            }
            Granularity::Month => Period::Month {
                year: date.year(),
                month: date.month(),
            },
            Granularity::Year => Period::Year(date.year()),
        }
    }

    /// The coarser period this one falls in, when it nests exactly: a day rolls up into any
    /// granularity, a month into its year. A week does not nest in a month or a calendar year
    /// (it may straddle two), so it only rolls up into itself.
    pub fn roll_up(&self, granularity: Granularity) -> Option<Period> {
        if granularity == self.granularity() {
            return Some(*self);
        }
        match (self, granularity) {
            (Period::Day(date), target) => Some(Period::containing(*date, target)),
            (Period::Month { year, .. }, Granularity::Year) => Some(Period::Year(*year)),
            _ => None,
        }
    }

    /// Whether any day of the period lies after `today`: such a period cannot have been
    /// observed yet.
    pub fn is_after(&self, today: NaiveDate) -> bool {
        self.start() > today
    }

    /// Whether the whole period lies on or before `today`.
    pub fn is_complete_by(&self, today: NaiveDate) -> bool {
        self.end() <= today
    }

    /// Number of periods of this granularity from `self` to `other` (positive when `other`
    /// is later). Both must have the same granularity.
    pub fn periods_until(&self, other: &Period) -> Option<i64> {
        if self.granularity() != other.granularity() {
            return None;
        }
        Some(match (*self, *other) {
            (Period::Day(a), Period::Day(b)) => (b - a).num_days(),
            (Period::Week { .. }, Period::Week { .. }) => {
                (other.start() - self.start()).num_days() / 7
            }
            (
                Period::Month {
                    year: ya,
                    month: ma,
                },
                Period::Month {
                    year: yb,
                    month: mb,
                },
            ) => i64::from(yb - ya) * 12 + i64::from(mb) - i64::from(ma),
            (Period::Year(a), Period::Year(b)) => i64::from(b - a),
            _ => unreachable!("granularities were checked to be equal"),
        })
    }

    /// The period `n` steps away (negative for earlier).
    pub fn offset(&self, n: i64) -> Period {
        match *self {
            Period::Day(date) => Period::Day(date + chrono::Duration::days(n)),
            Period::Week { .. } => Period::containing(
                self.start() + chrono::Duration::days(7 * n),
                Granularity::Week,
            ),
            Period::Month { year, month } => {
                let index = i64::from(year) * 12 + i64::from(month) - 1 + n;
                Period::Month {
                    year: index.div_euclid(12) as i32,
                    month: index.rem_euclid(12) as u32 + 1,
                }
            }
            Period::Year(year) => Period::Year(year + n as i32),
        }
    }
}

impl Ord for Period {
    fn cmp(&self, other: &Period) -> Ordering {
        self.start()
            .cmp(&other.start())
            .then(self.granularity().cmp(&other.granularity()))
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Period) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Day(date) => write!(f, "{}", date.format("%Y-%m-%d")),
            Period::Week { year, week } => write!(f, "{year:04}-W{week:02}"),
            Period::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Period::Year(year) => write!(f, "{year:04}"),
        }
    }
}

impl fmt::Debug for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Period({self})")
    }
}

impl FromStr for Period {
    type Err = CoreError;
    fn from_str(raw: &str) -> Result<Period, CoreError> {
        Period::parse(raw)
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Period, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Period::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn every_written_form_parses_to_its_granularity() {
        let cases = [
            (
                "2023-08-14",
                Granularity::Day,
                date(2023, 8, 14),
                date(2023, 8, 14),
            ),
            (
                "2023-W33",
                Granularity::Week,
                date(2023, 8, 14),
                date(2023, 8, 20),
            ),
            (
                "2023-08",
                Granularity::Month,
                date(2023, 8, 1),
                date(2023, 8, 31),
            ),
            (
                "2023",
                Granularity::Year,
                date(2023, 1, 1),
                date(2023, 12, 31),
            ),
            (
                "2020-W53",
                Granularity::Week,
                date(2020, 12, 28),
                date(2021, 1, 3),
            ),
            (
                "2024-02",
                Granularity::Month,
                date(2024, 2, 1),
                date(2024, 2, 29),
            ),
        ];
        for (raw, granularity, start, end) in cases {
            let period = Period::parse(raw).unwrap();
            assert_eq!(period.granularity(), granularity, "{raw}");
            assert_eq!((period.start(), period.end()), (start, end), "{raw}");
            assert_eq!(period.to_string(), raw);
        }
    }

    #[test]
    fn malformed_periods_are_rejected() {
        for raw in [
            "",
            "23",
            "2023-13",
            "2023-00",
            "2023-W54",
            "2023-W53",
            "2023-02-30",
            "2023/08",
            "August",
            "1899",
            "2023-8",
            "+2023",
            "2023-W3",
            "20230814",
            "2023-08-14T00:00",
        ] {
            assert!(Period::parse(raw).is_err(), "{raw} should be rejected");
        }
    }

    #[test]
    fn days_roll_up_into_weeks_months_and_years_but_weeks_do_not_roll_into_months() {
        let day = Period::parse("2021-01-02").unwrap();
        assert_eq!(
            day.roll_up(Granularity::Week).unwrap().to_string(),
            "2020-W53"
        );
        assert_eq!(
            day.roll_up(Granularity::Month).unwrap().to_string(),
            "2021-01"
        );
        assert_eq!(day.roll_up(Granularity::Year).unwrap().to_string(), "2021");
        let week = Period::parse("2020-W53").unwrap();
        assert_eq!(week.roll_up(Granularity::Month), None);
        assert_eq!(week.roll_up(Granularity::Year), None);
        let month = Period::parse("2023-12").unwrap();
        assert_eq!(
            month.roll_up(Granularity::Year).unwrap().to_string(),
            "2023"
        );
    }

    #[test]
    fn a_period_that_has_not_started_is_in_the_future() {
        let today = date(2026, 11, 24);
        assert!(Period::parse("2026-12").unwrap().is_after(today));
        assert!(!Period::parse("2026-11").unwrap().is_after(today));
        assert!(!Period::parse("2026-11").unwrap().is_complete_by(today));
        assert!(Period::parse("2026-10").unwrap().is_complete_by(today));
    }

    #[test]
    fn offsets_and_distances_agree() {
        let month = Period::parse("2023-11").unwrap();
        assert_eq!(month.offset(3).to_string(), "2024-02");
        assert_eq!(month.offset(-11).to_string(), "2022-12");
        assert_eq!(month.periods_until(&month.offset(-25)), Some(-25));
        let week = Period::parse("2020-W52").unwrap();
        assert_eq!(week.offset(2).to_string(), "2021-W01");
        assert_eq!(
            week.periods_until(&Period::parse("2021-W01").unwrap()),
            Some(2)
        );
    }

    proptest! {
        #[test]
        fn next_and_previous_are_inverse(days in 0i64..60_000, g in 0usize..4) {
            let granularity = [Granularity::Day, Granularity::Week, Granularity::Month, Granularity::Year][g];
            let period = Period::containing(date(1950, 1, 1) + chrono::Duration::days(days), granularity);
            prop_assert_eq!(period.next().previous(), period);
            prop_assert_eq!(period.next().start(), period.end() + Days::new(1));
            prop_assert_eq!(period.offset(1), period.next());
            prop_assert_eq!(Period::parse(&period.to_string()).unwrap(), period);
        }
    }
}
