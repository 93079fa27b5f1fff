//! Validation speed of the observation reader on a generated 1,000,000-row corredor CSV.
//!
//! The file is what a reception-station country sends: daily counts at three Panamanian
//! places, by twenty nationalities, as a total and by sex × child/adult, with a source on every
//! row; values come from a seeded generator. The goal (issue 2) is ≥ 1,000,000 rows validated
//! per second in a release build; criterion reports it as the throughput in elements/s.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::{Days, NaiveDate};
use corredor_core::{CountryCode, PlaceCode};
use corredor_exchange::observations::{read_observations, Format, ImportContext};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const ROWS: usize = 1_000_000;
const PLACES: [&str; 3] = ["PA-ERM-LB", "PA-ERM-SV", "PA-BCH"];
const NATIONALITIES: [&str; 20] = [
    "VEN", "ECU", "HTI", "COL", "CHN", "CHL", "AFG", "PER", "BRA", "IND", "NPL", "VNM", "BGD",
    "CMR", "AGO", "CUB", "SOM", "BFA", "PAK", "UNK",
];
const BREAKDOWNS: [(&str, &str); 5] = [
    ("", ""),
    ("f", "0-17"),
    ("m", "0-17"),
    ("f", "18+"),
    ("m", "18+"),
];

/// A corredor CSV of exactly `ROWS` rows with distinct keys, values from a seeded LCG.
fn generated_file() -> String {
    let mut text = String::with_capacity(ROWS * 64);
    text.push_str("period,place,measure,nationality,sex,age_group,vulnerability,value,source\n");
    let start = NaiveDate::from_ymd_opt(2016, 1, 1).expect("a date");
    let mut seed: u64 = 0x2023_0814;
    let mut rows = 0;
    'days: for day in 0.. {
        let date = start + Days::new(day);
        for place in PLACES {
            for nationality in NATIONALITIES {
                for (sex, age_group) in BREAKDOWNS {
                    seed = seed
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    let value = (seed >> 33) % 2_500;
                    writeln!(
                        text,
                        "{date},{place},irregular_entry,{nationality},{sex},{age_group},,{value},SNM Panamá"
                    )
                    .expect("writing to a String cannot fail");
                    rows += 1;
                    if rows == ROWS {
                        break 'days;
                    }
                }
            }
        }
    }
    text
}

fn bench(c: &mut Criterion) {
    let file = generated_file();
    let pan = CountryCode::parse("PAN").expect("PAN is a country");
    let places: HashMap<PlaceCode, CountryCode> = PLACES
        .iter()
        .map(|place| (PlaceCode::parse(place).expect("a place code"), pan))
        .collect();
    let context = ImportContext {
        country: Some(pan),
        today: NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date"),
        places: &places,
    };
    let mut group = c.benchmark_group("read_observations");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function(
        "corredor csv 1M rows, 3 places x 20 nationalities x 5 breakdowns daily",
        |b| {
            b.iter(|| {
                let observations =
                    read_observations(file.as_bytes(), "generated.csv", Format::Auto, &context)
                        .expect("the generated file is valid");
                assert_eq!(observations.len(), ROWS);
                observations
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
