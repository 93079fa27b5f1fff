//! The long series CSV shared by `corredor detect` and `corredor backtest`:
//! `series,period,count`, one row per series and period, rows in any order.
//!
//! A period is an integer index (`417`), an ISO week (`2023-W33`) or a month (`2023-08`);
//! one file uses one kind. Counts are whole numbers, zero or more.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;

use corredor_core::{Granularity, Period};

use crate::problem::Problem;

/// The time axis of a series in the long CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SeriesPeriod {
    /// A bare integer index, as R's `surveillance` uses without dates.
    Index(i64),
    /// An ISO week or a calendar month.
    Calendar(Period),
}

impl SeriesPeriod {
    pub fn parse(raw: &str) -> Option<SeriesPeriod> {
        let text = raw.trim();
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && text.len() <= 12 {
            return text.parse().ok().map(SeriesPeriod::Index);
        }
        match Period::parse(text) {
            Ok(period)
                if matches!(period.granularity(), Granularity::Week | Granularity::Month) =>
            {
                Some(SeriesPeriod::Calendar(period))
            }
            _ => None,
        }
    }

    /// Which kind of axis this is, for checking that a file does not mix kinds.
    pub fn axis(&self) -> Axis {
        match self {
            SeriesPeriod::Index(_) => Axis::Index,
            SeriesPeriod::Calendar(period) if period.granularity() == Granularity::Week => {
                Axis::Week
            }
            SeriesPeriod::Calendar(_) => Axis::Month,
        }
    }

    /// The next period on the same axis.
    pub fn next(&self) -> SeriesPeriod {
        self.offset(1)
    }

    pub fn offset(&self, n: i64) -> SeriesPeriod {
        match self {
            SeriesPeriod::Index(i) => SeriesPeriod::Index(i + n),
            SeriesPeriod::Calendar(period) => SeriesPeriod::Calendar(period.offset(n)),
        }
    }

    /// Periods from `self` to `other` on the same axis.
    pub fn steps_until(&self, other: &SeriesPeriod) -> Option<i64> {
        match (self, other) {
            (SeriesPeriod::Index(a), SeriesPeriod::Index(b)) => Some(b - a),
            (SeriesPeriod::Calendar(a), SeriesPeriod::Calendar(b)) => a.periods_until(b),
            _ => None,
        }
    }
}

impl fmt::Display for SeriesPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SeriesPeriod::Index(i) => write!(f, "{i}"),
            SeriesPeriod::Calendar(period) => write!(f, "{period}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    Index,
    Week,
    Month,
}

impl Axis {
    /// Periods per year on this axis, when it is a calendar.
    pub fn frequency(self) -> Option<u32> {
        match self {
            Axis::Index => None,
            Axis::Week => Some(52),
            Axis::Month => Some(12),
        }
    }
}

/// One named series: consecutive periods from `start`, with a count (or `None` where the
/// file has no row for that period) at each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongSeries {
    pub name: String,
    pub start: SeriesPeriod,
    pub counts: Vec<Option<u64>>,
}

impl LongSeries {
    pub fn period_at(&self, index: usize) -> SeriesPeriod {
        self.start.offset(index as i64)
    }

    /// The counts with missing periods as zero, for methods that need a complete series.
    pub fn filled(&self) -> Vec<u64> {
        self.counts.iter().map(|count| count.unwrap_or(0)).collect()
    }
}

/// The series of a file, in the order their names first appear, and the axis they share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesFile {
    pub axis: Axis,
    pub series: Vec<LongSeries>,
}

impl SeriesFile {
    pub fn get(&self, name: &str) -> Option<&LongSeries> {
        self.series.iter().find(|series| series.name == name)
    }
}

/// Reads a long series CSV. Every problem in the file is reported, not only the first.
pub fn read_series_csv(input: impl Read, file: &str) -> Result<SeriesFile, Vec<Problem>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let mut problems = Vec::new();
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(error) => {
            return Err(vec![Problem::new(
                file,
                1,
                None,
                format!("cannot read the header: {error}"),
            )])
        }
    };
    let column = |name: &str| {
        headers
            .iter()
            .position(|header| header.eq_ignore_ascii_case(name))
    };
    let (Some(series_col), Some(period_col), Some(count_col)) =
        (column("series"), column("period"), column("count"))
    else {
        let missing: Vec<&str> = ["series", "period", "count"]
            .into_iter()
            .filter(|name| column(name).is_none())
            .collect();
        return Err(vec![Problem::new(
            file,
            1,
            None,
            format!(
                "missing column(s) {}: the header must be `series,period,count`",
                missing.join(", ")
            ),
        )]);
    };

    let mut order: Vec<String> = Vec::new();
    let mut rows: BTreeMap<String, BTreeMap<SeriesPeriod, (u64, u64)>> = BTreeMap::new();
    let mut axis: Option<(Axis, u64)> = None;
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 2;
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                problems.push(Problem::new(
                    file,
                    line,
                    None,
                    format!("unreadable row: {error}"),
                ));
                continue;
            }
        };
        let name = record.get(series_col).unwrap_or("");
        let raw_period = record.get(period_col).unwrap_or("");
        let raw_count = record.get(count_col).unwrap_or("");
        if name.is_empty() {
            problems.push(Problem::new(
                file,
                line,
                Some("series"),
                "the series name is empty",
            ));
            continue;
        }
        let Some(period) = SeriesPeriod::parse(raw_period) else {
            problems.push(Problem::new(
                file,
                line,
                Some("period"),
                format!("`{raw_period}` is not a period (an integer index, an ISO week `2023-W33` or a month `2023-08`)"),
            ));
            continue;
        };
        match axis {
            None => axis = Some((period.axis(), line)),
            Some((first, first_line)) if first != period.axis() => {
                problems.push(Problem::new(
                    file,
                    line,
                    Some("period"),
                    format!("`{raw_period}` is a {:?} period but line {first_line} is {:?}; one file uses one kind", period.axis(), first),
                ));
                continue;
            }
            Some(_) => {}
        }
        let count = match parse_count(raw_count) {
            Ok(count) => count,
            Err(reason) => {
                problems.push(Problem::new(file, line, Some("count"), reason));
                continue;
            }
        };
        if !rows.contains_key(name) {
            order.push(name.to_owned());
        }
        let periods = rows.entry(name.to_owned()).or_default();
        if let Some((_, earlier)) = periods.get(&period) {
            problems.push(Problem::new(
                file,
                line,
                Some("period"),
                format!("series `{name}` has period {period} twice (also on line {earlier})"),
            ));
            continue;
        }
        periods.insert(period, (count, line));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let Some((axis, _)) = axis else {
        return Err(vec![Problem::new(file, 0, None, "the file has no rows")]);
    };
    let series = order
        .into_iter()
        .map(|name| {
            let periods = &rows[&name];
            let (&start, _) = periods
                .first_key_value()
                .expect("a series exists only with a row");
            let (&end, _) = periods
                .last_key_value()
                .expect("a series exists only with a row");
            let length = start.steps_until(&end).expect("one file has one axis") as usize + 1;
            let mut counts = vec![None; length];
            for (period, (count, _)) in periods {
                let at = start.steps_until(period).expect("one file has one axis") as usize;
                counts[at] = Some(*count);
            }
            LongSeries {
                name,
                start,
                counts,
            }
        })
        .collect();
    Ok(SeriesFile { axis, series })
}

fn parse_count(raw: &str) -> Result<u64, String> {
    if raw.is_empty() {
        return Err("the count is empty".to_owned());
    }
    if let Ok(count) = raw.parse::<u64>() {
        return Ok(count);
    }
    match raw.parse::<f64>() {
        Ok(value) if value < 0.0 => Err(format!("`{raw}` is negative; counts are zero or more")),
        Ok(value) if value.fract() == 0.0 && value.is_finite() && value < 9.0e15 => {
            Ok(value as u64)
        }
        Ok(_) => Err(format!(
            "`{raw}` is not a whole number; counts are whole numbers"
        )),
        Err(_) => Err(format!("`{raw}` is not a number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<SeriesFile, Vec<Problem>> {
        read_series_csv(text.as_bytes(), "series.csv")
    }

    #[test]
    fn rows_in_any_order_become_consecutive_series_with_gaps() {
        let file = read("series,period,count\nB,2023-03,5\nA,2023-W02,1\n").unwrap_err();
        assert_eq!(file.len(), 1, "mixing weeks and months is refused");
        let file =
            read("series,period,count\nPAN:VEN,2023-03,5\nHND:VEN,2023-01,7\nPAN:VEN,2023-01,3\n")
                .unwrap();
        assert_eq!(file.axis, Axis::Month);
        let pan = file.get("PAN:VEN").unwrap();
        assert_eq!(pan.start.to_string(), "2023-01");
        assert_eq!(pan.counts, vec![Some(3), None, Some(5)]);
        assert_eq!(pan.filled(), vec![3, 0, 5]);
        assert_eq!(file.series[0].name, "PAN:VEN");
    }

    #[test]
    fn integer_periods_are_indices() {
        let file = read("series,period,count\n1,10,4\n1,9,2\n").unwrap();
        assert_eq!(file.axis, Axis::Index);
        assert_eq!(file.series[0].start, SeriesPeriod::Index(9));
        assert_eq!(file.series[0].counts, vec![Some(2), Some(4)]);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line_and_column() {
        let problems = read("series,period,count\nA,2023-W01,-1\nA,2023-W02,1.5\nA,2023-W99,1\nA,2023-W03,x\nA,2023-W04,2\nA,2023-W04,3\n,2023-W05,1\n").unwrap_err();
        let described: Vec<(u64, Option<&str>)> = problems
            .iter()
            .map(|p| (p.line, p.column.as_deref()))
            .collect();
        assert_eq!(
            described,
            vec![
                (2, Some("count")),
                (3, Some("count")),
                (4, Some("period")),
                (5, Some("count")),
                (7, Some("period")),
                (8, Some("series")),
            ]
        );
        assert!(
            problems[5 - 1].reason.contains("twice"),
            "{:?}",
            problems[4]
        );
    }

    #[test]
    fn a_missing_column_is_named() {
        let problems = read("series,week,count\nA,1,1\n").unwrap_err();
        assert!(problems[0].reason.contains("period"), "{}", problems[0]);
    }
}
