//! Observation exports read back to what was written.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use corredor_core::{
    AgeGroup, Breakdown, CountryCode, Measure, Nationality, Observation, ObservationKey, Period,
    PlaceCode, Provenance, Sex, Vulnerability,
};
use corredor_exchange::observations::{
    read_export, read_observations, write_csv, write_hxl, write_json, ExportRow, Format,
    ImportContext,
};
use proptest::prelude::*;

const PLACES: [(&str, &str); 6] = [
    ("PA-ERM-LB", "PAN"),
    ("PA-ERM-SV", "PAN"),
    ("CR-NI-PB", "CRI"),
    ("HN-DNL", "HND"),
    ("GT-MX-TU", "GTM"),
    ("MX-TAP", "MEX"),
];

fn places() -> HashMap<PlaceCode, CountryCode> {
    PLACES
        .iter()
        .map(|(place, country)| {
            (
                PlaceCode::parse(place).expect("a test place"),
                CountryCode::parse(country).expect("a test country"),
            )
        })
        .collect()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date")
}

fn restore(bytes: &[u8], format: Format) -> Vec<ExportRow> {
    let places = places();
    let context = ImportContext {
        country: None,
        today: today(),
        places: &places,
    };
    read_export(bytes, "export", format, &context).unwrap_or_else(|problems| {
        panic!(
            "the export must read back: {problems:#?}\n{}",
            String::from_utf8_lossy(bytes)
        )
    })
}

fn period() -> impl Strategy<Value = Period> {
    prop_oneof![
        (0i64..9_000).prop_map(|days| Period::day(
            NaiveDate::from_ymd_opt(2002, 1, 1).expect("a date") + chrono::Duration::days(days)
        )),
        (2000i32..2026, 1u32..=52).prop_map(|(y, w)| Period::week(y, w).expect("weeks 1-52 exist")),
        (2000i32..2026, 1u32..=12).prop_map(|(y, m)| Period::month(y, m).expect("a month")),
        (2000i32..2026).prop_map(|y| Period::year(y).expect("a year")),
    ]
}

fn pick<T: Copy + std::fmt::Debug + 'static>(
    all: &'static [T],
) -> impl Strategy<Value = Option<T>> {
    prop::option::of(prop::sample::select(all))
}

fn observation() -> impl Strategy<Value = Observation> {
    let nationality = prop::option::of(
        prop::sample::select(&["VEN", "HTI", "ECU", "COL", "CHN", "UNK", "XXA", "AFG"][..])
            .prop_map(|n| Nationality::parse(n).expect("a nationality")),
    );
    // Sources with commas, quotes, line breaks, `#` and non-ASCII text, trimmed, never empty.
    let source = prop::option::of("[A-Za-zÁéñ#,\"\n ]{0,12}[A-Za-zñ]")
        .prop_map(|s| s.map(|s| s.trim().to_owned()));
    (
        prop::sample::select(&PLACES[..]),
        any::<bool>(),
        period(),
        prop::sample::select(Measure::ALL),
        nationality,
        pick(Sex::ALL),
        pick(AgeGroup::ALL),
        pick(Vulnerability::ALL),
        any::<u64>(),
        source,
    )
        .prop_map(
            |(
                (place, country),
                at_place,
                period,
                measure,
                nationality,
                sex,
                age_group,
                vulnerability,
                value,
                source,
            )| {
                Observation {
                    key: ObservationKey {
                        country: CountryCode::parse(country).expect("a country"),
                        place: at_place.then(|| PlaceCode::parse(place).expect("a place")),
                        period,
                        measure,
                        breakdown: Breakdown {
                            nationality,
                            sex,
                            age_group,
                            vulnerability,
                        },
                    },
                    value,
                    source,
                }
            },
        )
}

/// Observations with distinct keys, as an export of the current values has.
fn observations() -> impl Strategy<Value = Vec<Observation>> {
    prop::collection::vec(observation(), 1..40).prop_map(|list| {
        let mut by_key = BTreeMap::new();
        for observation in list {
            by_key.entry(observation.key.clone()).or_insert(observation);
        }
        by_key.into_values().collect()
    })
}

fn submitted_at() -> impl Strategy<Value = DateTime<Utc>> {
    (1_500_000_000i64..1_790_000_000, 0u32..1_000_000_000)
        .prop_map(|(seconds, nanos)| Utc.timestamp_opt(seconds, nanos).single().expect("a time"))
}

/// Every observation with one to three revisions, as an export of the history has.
fn history() -> impl Strategy<Value = Vec<ExportRow>> {
    observations()
        .prop_flat_map(|list| {
            let n = list.len();
            (
                Just(list),
                prop::collection::vec((1u32..4, "[a-z]{1,8}@[a-z]{2,6}\\.gob", submitted_at()), n),
            )
        })
        .prop_map(|(list, revisions)| {
            let mut rows = Vec::new();
            for (observation, (count, submitted_by, submitted_at)) in
                list.into_iter().zip(revisions)
            {
                for revision in 1..=count {
                    let mut observation = observation.clone();
                    observation.value = observation.value.wrapping_add(u64::from(revision));
                    let provenance = Provenance {
                        source: observation.source.clone(),
                        submitted_by: submitted_by.clone(),
                        submitted_at: submitted_at + chrono::Duration::days(i64::from(revision)),
                    };
                    rows.push(ExportRow {
                        observation,
                        revision: Some((revision, provenance)),
                    });
                }
            }
            rows
        })
}

proptest! {
    #[test]
    fn a_csv_export_reads_back_to_the_same_observations(list in observations()) {
        let rows: Vec<ExportRow> = list.iter().cloned().map(ExportRow::from).collect();
        let mut bytes = Vec::new();
        write_csv(&mut bytes, rows.clone()).unwrap();
        prop_assert_eq!(restore(&bytes, Format::Auto), rows.clone());
        // And through `read_observations`, as `corredor import` reads it.
        let places = places();
        let context = ImportContext { country: None, today: today(), places: &places };
        prop_assert_eq!(read_observations(&bytes[..], "export.csv", Format::Csv, &context).unwrap(), list);
    }

    #[test]
    fn an_hxl_export_reads_back_to_the_same_observations(list in observations()) {
        let rows: Vec<ExportRow> = list.into_iter().map(ExportRow::from).collect();
        let mut bytes = Vec::new();
        write_hxl(&mut bytes, rows.clone()).unwrap();
        prop_assert_eq!(restore(&bytes, Format::Auto), rows.clone());
        prop_assert_eq!(restore(&bytes, Format::Hxl), rows);
    }

    #[test]
    fn a_history_export_reads_back_to_the_same_revisions(rows in history()) {
        for hxl in [false, true] {
            let mut bytes = Vec::new();
            if hxl {
                write_hxl(&mut bytes, rows.clone()).unwrap();
            } else {
                write_csv(&mut bytes, rows.clone()).unwrap();
            }
            prop_assert_eq!(restore(&bytes, Format::Auto), rows.clone());
        }
    }
}

fn darien_rows() -> Vec<ExportRow> {
    let pan = CountryCode::parse("PAN").unwrap();
    let lajas_blancas = PlaceCode::parse("PA-ERM-LB").unwrap();
    let row = |nationality: &str, value: u64, revision: Option<u32>| ExportRow {
        observation: Observation {
            key: ObservationKey {
                country: pan,
                place: Some(lajas_blancas.clone()),
                period: Period::parse("2023-08").unwrap(),
                measure: Measure::IrregularEntry,
                breakdown: Breakdown::nationality(Nationality::parse(nationality).unwrap()),
            },
            value,
            source: Some("SNM Panamá, tránsito irregular".to_owned()),
        },
        revision: revision.map(|number| {
            (
                number,
                Provenance {
                    source: Some("SNM Panamá, tránsito irregular".to_owned()),
                    submitted_by: "focal.pan".to_owned(),
                    submitted_at: Utc.with_ymd_and_hms(2023, 9, 5, 14, 0, 0).unwrap(),
                },
            )
        }),
    };
    vec![
        row("VEN", 41_234, Some(1)),
        row("ECU", 7_118, Some(2)),
        row("HTI", 3_506, None),
    ]
}

#[test]
fn the_hxl_export_has_the_header_then_the_hashtag_row_of_the_profile() {
    let mut bytes = Vec::new();
    let current = darien_rows().into_iter().map(|row| ExportRow {
        revision: None,
        ..row
    });
    write_hxl(&mut bytes, current).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "country,period,place,measure,nationality,sex,age_group,vulnerability,value,source"
    );
    assert_eq!(
        lines[1],
        "#country+code,#date,#loc+code,#indicator+code,#country+code+origin,#group+sex,#group+age,#group+vulnerability,#indicator+value+num,#meta+source"
    );
    assert_eq!(
        lines[2],
        "PAN,2023-08,PA-ERM-LB,irregular_entry,VEN,,,,41234,\"SNM Panamá, tránsito irregular\""
    );
    assert_eq!(lines.len(), 5);
}

#[test]
fn the_history_export_appends_the_revision_columns() {
    let mut bytes = Vec::new();
    write_csv(&mut bytes, darien_rows()).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].ends_with(",value,source,revision,submitted_by,submitted_at"),
        "{}",
        lines[0]
    );
    assert!(
        lines[2].ends_with(",2,focal.pan,2023-09-05T14:00:00Z"),
        "{}",
        lines[2]
    );
    assert!(lines[3].ends_with(",,,"), "{}", lines[3]);
    assert_eq!(restore(text.as_bytes(), Format::Auto), darien_rows());
}

#[test]
fn a_revision_after_a_first_row_without_one_is_refused_by_the_writer() {
    let mut rows = darien_rows();
    rows.rotate_left(2);
    let error = write_csv(&mut Vec::new(), rows).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn the_json_export_is_an_array_of_objects_keyed_like_the_csv() {
    let mut bytes = Vec::new();
    write_json(&mut bytes, darien_rows()).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let array = json.as_array().unwrap();
    assert_eq!(array.len(), 3);
    assert_eq!(
        array[0],
        serde_json::json!({
            "country": "PAN", "period": "2023-08", "place": "PA-ERM-LB",
            "measure": "irregular_entry", "nationality": "VEN", "sex": null,
            "age_group": null, "vulnerability": null, "value": 41234,
            "source": "SNM Panamá, tránsito irregular", "revision": 1,
            "submitted_by": "focal.pan", "submitted_at": "2023-09-05T14:00:00Z"
        })
    );
    assert!(array[2].get("revision").is_none());
    let total: u64 = array.iter().map(|o| o["value"].as_u64().unwrap()).sum();
    assert_eq!(total, 41_234 + 7_118 + 3_506);
}

#[test]
fn an_empty_json_export_is_an_empty_array() {
    let mut bytes = Vec::new();
    write_json(&mut bytes, Vec::new()).unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&bytes).unwrap(),
        serde_json::json!([])
    );
}

#[test]
fn a_shipped_hxl_sample_reads_with_its_published_totals() {
    let bytes = include_bytes!("hxl/darien-2023-08.csv");
    let places = places();
    let context = ImportContext {
        country: CountryCode::parse("PAN").ok(),
        today: today(),
        places: &places,
    };
    let observations =
        read_observations(&bytes[..], "darien-2023-08.csv", Format::Auto, &context).unwrap();
    let sum = |keep: fn(&Breakdown) -> bool| -> u64 {
        observations
            .iter()
            .filter(|o| keep(&o.key.breakdown))
            .map(|o| o.value)
            .sum()
    };
    // SNM's published figure for August 2023, the monthly peak of the Darién crossings.
    assert_eq!(sum(Breakdown::is_total), 81_946);
    assert_eq!(sum(|b| b.nationality.is_some()), 81_946);
    assert_eq!(sum(|b| b.sex.is_some() && b.age_group.is_some()), 81_946);
    assert_eq!(
        sum(|b| b.age_group == Some(AgeGroup::Age0To17)),
        10_355 + 8_633
    );
    assert_eq!(observations.len(), 40);
}

#[test]
fn the_hxl_writer_output_is_the_file_libhxl_is_checked_on() {
    // tests/hxl/check_libhxl.py reads this file with libhxl, the reference HXL reader; this
    // test keeps it equal to what the writer produces today.
    let places = places();
    let context = ImportContext {
        country: CountryCode::parse("PAN").ok(),
        today: today(),
        places: &places,
    };
    let sample = include_bytes!("hxl/darien-2023-08.csv");
    let observations =
        read_observations(&sample[..], "darien-2023-08.csv", Format::Auto, &context).unwrap();
    let mut bytes = Vec::new();
    write_hxl(&mut bytes, observations.into_iter().map(ExportRow::from)).unwrap();
    let expected = include_str!("hxl/darien-2023-08-export.csv");
    assert_eq!(String::from_utf8(bytes).unwrap(), expected);
}
