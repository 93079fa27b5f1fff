//! Every detector on the 100 reference series against R `surveillance` 1.20.3
//! (`tests/data/surveillance/README.md` says how the outputs were made): the same alarms
//! everywhere, and bounds (plus expected, mu0, phi for Farrington Flexible) within 1e-6
//! relative, or 1e-6 absolute below 1.

use std::collections::BTreeMap;
use std::path::PathBuf;

use corredor_analytics::detection::{
    ears, farrington, farrington_flexible, Detection, EarsConfig, EarsMethod, FarringtonConfig,
    FarringtonFlexibleConfig, Series,
};
use corredor_core::Period;

const FIRST_EVALUATED: usize = 416;
const LENGTH: usize = 520;

fn data_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/surveillance")
        .join(name)
}

/// Counts of each reference series, in period order (2015-W01 .. 2024-W50).
fn reference_series() -> BTreeMap<u32, Vec<f64>> {
    let mut reader =
        csv::Reader::from_path(data_file("series.csv")).expect("series.csv is readable");
    let start = Period::week(2015, 1).expect("2015 has a week 1");
    let mut series: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
    for record in reader.records() {
        let record = record.expect("series.csv rows are well formed");
        let id: u32 = record[0].parse().expect("series ids are integers");
        let period = Period::parse(&record[1]).expect("periods are ISO weeks");
        let index = start.periods_until(&period).expect("weeks") as usize;
        let counts = series.entry(id).or_insert_with(|| vec![f64::NAN; LENGTH]);
        counts[index] = record[2].parse().expect("counts are numbers");
    }
    assert_eq!(series.len(), 100);
    assert!(series.values().all(|c| c.iter().all(|x| !x.is_nan())));
    series
}

/// One row of an R output: the named columns, `None` for R's NA.
struct Expected {
    series: u32,
    index: usize,
    alarm: bool,
    values: BTreeMap<String, Option<f64>>,
}

fn reference_output(name: &str) -> Vec<Expected> {
    let mut reader = csv::Reader::from_path(data_file(name)).expect("output is readable");
    let headers = reader.headers().expect("header").clone();
    let start = Period::week(2015, 1).expect("2015 has a week 1");
    reader
        .records()
        .map(|record| {
            let record = record.expect("rows are well formed");
            let period = Period::parse(&record[1]).expect("ISO week");
            let mut values = BTreeMap::new();
            for (column, cell) in headers.iter().zip(record.iter()).skip(4) {
                values.insert(column.to_owned(), cell.parse::<f64>().ok());
            }
            values.insert("upperbound".to_owned(), record[4].parse::<f64>().ok());
            Expected {
                series: record[0].parse().expect("series id"),
                index: start.periods_until(&period).expect("weeks") as usize,
                alarm: &record[3] == "true",
                values,
            }
        })
        .collect()
}

fn agree(actual: Option<f64>, expected: Option<f64>) -> bool {
    match (actual, expected) {
        (None, None) => true,
        (Some(a), Some(e)) => (a - e).abs() <= 1e-6 * e.abs().max(1.0),
        _ => false,
    }
}

/// Compares every row and lists all disagreements, so one run shows the whole picture.
fn check(
    output: &str,
    columns: &[&str],
    detect: impl Fn(&[f64]) -> Vec<Detection>,
    value: impl Fn(&Detection, &str) -> Option<f64>,
) {
    let series = reference_series();
    let results: BTreeMap<u32, Vec<Detection>> = series
        .iter()
        .map(|(id, counts)| (*id, detect(counts)))
        .collect();
    let expected = reference_output(output);
    assert_eq!(expected.len(), 100 * (LENGTH - FIRST_EVALUATED));
    let mut problems = Vec::new();
    for row in &expected {
        let detection = &results[&row.series][row.index - FIRST_EVALUATED];
        assert_eq!(detection.index, row.index);
        if detection.alarm != row.alarm {
            problems.push(format!(
                "series {} index {}: alarm {} but R {}",
                row.series, row.index, detection.alarm, row.alarm
            ));
        }
        for column in columns {
            let actual = value(detection, column);
            let wanted = row.values[*column];
            if !agree(actual, wanted) {
                problems.push(format!(
                    "series {} index {}: {column} {actual:?} but R {wanted:?}",
                    row.series, row.index
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{output}: {} disagreements, first ones:\n{}",
        problems.len(),
        problems[..problems.len().min(25)].join("\n")
    );
}

fn common_value(detection: &Detection, column: &str) -> Option<f64> {
    match column {
        "upperbound" => detection.upper_bound,
        "expected" => detection.expected,
        "mu0" => detection.fit.map(|f| f.mu0),
        "phi" => detection.fit.map(|f| f.phi),
        other => panic!("no column {other}"),
    }
}

#[test]
fn farrington_flexible_gives_the_alarms_bounds_and_fits_of_r() {
    let config = FarringtonFlexibleConfig::noufaily();
    let start = Period::week(2015, 1).expect("2015 has a week 1");
    check(
        "farrington-flexible.csv",
        &["upperbound", "expected", "mu0", "phi"],
        |counts| {
            let series = Series::calendar(counts, start).expect("weekly");
            farrington_flexible(&series, &config, FIRST_EVALUATED..LENGTH)
        },
        common_value,
    );
}

#[test]
fn original_farrington_gives_the_alarms_and_bounds_of_r() {
    let config = FarringtonConfig::default();
    check(
        "farrington.csv",
        &["upperbound"],
        |counts| {
            farrington(
                &Series::indexed(counts, 52),
                &config,
                FIRST_EVALUATED..LENGTH,
            )
        },
        common_value,
    );
}

fn check_ears(method: EarsMethod, output: &str) {
    let config = EarsConfig::for_method(method);
    check(
        output,
        &["upperbound"],
        |counts| {
            ears(
                &Series::indexed(counts, 52),
                &config,
                FIRST_EVALUATED..LENGTH,
            )
        },
        common_value,
    );
}

#[test]
fn ears_c1_gives_the_alarms_and_bounds_of_r() {
    check_ears(EarsMethod::C1, "ears-c1.csv");
}

#[test]
fn ears_c2_gives_the_alarms_and_bounds_of_r() {
    check_ears(EarsMethod::C2, "ears-c2.csv");
}

#[test]
fn ears_c3_gives_the_alarms_and_bounds_of_r() {
    check_ears(EarsMethod::C3, "ears-c3.csv");
}
