//! Small counts are suppressed for observers and readers who are not signed in, and cannot
//! be recovered by combining the responses they can ask for.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use corredor_analytics::disclosure::{suppress, Table, DEFAULT_THRESHOLD};
use corredor_app::{AppError, Dimension, ImportRequest, SeriesRequest, SeriesResponse, Suppressed};
use corredor_core::{
    Caller, CountryCode, Granularity, Measure, Nationality, OrganisationCode, OrganisationKind,
    Period, Principal, Role, SharingLevel, SharingPolicy,
};
use corredor_exchange::observations::Format;

use crate::support::TestApp;

/// Panama's irregular entries through the Darién in 2023, by month (SENAFRONT's order of
/// magnitude).
const TOTALS: [u64; 12] = [
    24_634, 21_475, 38_099, 40_297, 41_051, 29_836, 55_548, 81_946, 75_113, 53_011, 34_422, 24_606,
];
/// Nationalities with a few people a month, 0 to 7: most months below five.
const SMALL: [(&str, [u64; 12]); 3] = [
    ("AFG", [3, 1, 4, 0, 2, 6, 3, 1, 0, 2, 4, 1]),
    ("CMR", [2, 0, 1, 5, 3, 1, 0, 2, 4, 1, 0, 3]),
    ("NPL", [4, 6, 3, 2, 7, 5, 1, 4, 3, 6, 2, 4]),
];
/// The large nationalities, as shares of the month's total (the rest is not broken down).
const LARGE: [(&str, f64); 5] = [
    ("VEN", 0.60),
    ("ECU", 0.12),
    ("HTI", 0.08),
    ("CHN", 0.05),
    ("COL", 0.04),
];
/// People with another sex marker (ICAO `X`): three, in March only (no other month reports
/// one). Women are 35 % of a month, 60 % in March; men the rest. So March protects its `x`
/// by hiding men, while the year protects its `x` by hiding women: only if the months are
/// fixed by the year can the year's women not be added up from the months.
const OTHER_SEX: [u64; 12] = [0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];

fn pan() -> CountryCode {
    CountryCode::parse("PAN").expect("Panama has an ISO code")
}

fn by_nationality() -> BTreeMap<String, [u64; 12]> {
    let mut lines = BTreeMap::new();
    for (code, share) in LARGE {
        let mut values = [0; 12];
        for (month, total) in TOTALS.iter().enumerate() {
            values[month] = (*total as f64 * share).round() as u64;
        }
        lines.insert(code.to_owned(), values);
    }
    for (code, values) in SMALL {
        lines.insert(code.to_owned(), values);
    }
    lines
}

fn by_sex() -> BTreeMap<String, [u64; 12]> {
    let mut women = [0; 12];
    let mut men = [0; 12];
    for month in 0..12 {
        let share = if month == 2 { 0.60 } else { 0.35 };
        women[month] = (TOTALS[month] as f64 * share).round() as u64;
        men[month] = TOTALS[month] - women[month] - OTHER_SEX[month];
    }
    [
        ("f".to_owned(), women),
        ("m".to_owned(), men),
        ("x".to_owned(), OTHER_SEX),
    ]
    .into_iter()
    .collect()
}

/// Whether a line reports a month: the `x` marker is absent from the months without one.
fn reported(code: &str, value: u64) -> bool {
    code != "x" || value > 0
}

fn focal_point() -> Caller {
    Caller::Principal(Principal {
        name: "pan-focal-point".to_owned(),
        organisation: OrganisationCode::of_country(pan()),
        kind: OrganisationKind::Country(pan()),
        role: Role::FocalPoint,
    })
}

fn analyst() -> Caller {
    Caller::Principal(Principal {
        name: "pan-analyst".to_owned(),
        organisation: OrganisationCode::of_country(pan()),
        kind: OrganisationKind::Country(pan()),
        role: Role::Analyst,
    })
}

fn observer() -> Caller {
    Caller::Principal(Principal {
        name: "iom-analyst".to_owned(),
        organisation: OrganisationCode::parse("IOM").expect("a valid organisation code"),
        kind: OrganisationKind::Observer,
        role: Role::Observer,
    })
}

/// Panama's 2023 data, shared with everyone by its focal point.
async fn panama_2023() -> TestApp {
    let test = TestApp::new().await;
    test.app
        .install_reference_data()
        .await
        .expect("reference data");
    test.app
        .install_organisations()
        .await
        .expect("organisations");
    let mut totals = String::from("period,measure,value\n");
    let mut nationalities = String::from("period,measure,nationality,value\n");
    let mut sexes = String::from("period,measure,sex,value\n");
    for month in 0..12 {
        let period = format!("2023-{:02}", month + 1);
        totals.push_str(&format!("{period},irregular_entry,{}\n", TOTALS[month]));
        for (code, values) in by_nationality() {
            nationalities.push_str(&format!(
                "{period},irregular_entry,{code},{}\n",
                values[month]
            ));
        }
        for (code, values) in by_sex() {
            if !reported(&code, values[month]) {
                continue;
            }
            sexes.push_str(&format!(
                "{period},irregular_entry,{code},{}\n",
                values[month]
            ));
        }
    }
    for (name, text) in [
        ("totals.csv", totals),
        ("nationalities.csv", nationalities),
        ("sexes.csv", sexes),
    ] {
        let request = ImportRequest {
            country: Some(pan()),
            format: Format::Csv,
            caller: &Caller::System,
            on_behalf_of: Some("SENAFRONT"),
        };
        test.app
            .import(request, name, text.as_bytes())
            .await
            .expect("the file imports");
    }
    test.app
        .set_sharing(
            &focal_point(),
            &SharingPolicy {
                country: pan(),
                measure: Measure::IrregularEntry,
                level: SharingLevel::Public,
            },
        )
        .await
        .expect("Panama's focal point chooses who reads Panama's data");
    test
}

fn request(granularity: Granularity, by: Option<Dimension>) -> SeriesRequest {
    let mut request = SeriesRequest::new(Measure::IrregularEntry, granularity);
    request.countries = vec![pan()];
    request.by = by.into_iter().collect();
    request.from = NaiveDate::from_ymd_opt(2023, 1, 1);
    request.to = NaiveDate::from_ymd_opt(2023, 12, 31);
    request
}

/// A cell of the attacker's tables: (line, period), the line `"total"` or a code.
type Cell = (String, Period);
/// A relation the reader knows: a cell and the cells that add up to it (with a rest).
type Sum = (Cell, Vec<Cell>);

/// What a reader learns from a response: shown values and hidden cells.
fn learn(response: &SeriesResponse, shown: &mut BTreeMap<Cell, u64>, hidden: &mut BTreeSet<Cell>) {
    for line in &response.lines {
        let name = line
            .nationality
            .map(|nationality| nationality.to_string())
            .or(line.sex.map(|sex| sex.code().to_owned()))
            .unwrap_or_else(|| "total".to_owned());
        for point in &line.points {
            let cell = (name.clone(), point.period);
            match point.suppressed {
                None => {
                    assert!(
                        point.value >= DEFAULT_THRESHOLD,
                        "{cell:?} is shown as {}",
                        point.value
                    );
                    if let Some(before) = shown.insert(cell.clone(), point.value) {
                        assert_eq!(before, point.value, "{cell:?} is shown twice, differently");
                    }
                }
                Some(_) => {
                    assert_eq!(point.value, 0, "a suppressed point carries no count");
                    hidden.insert(cell);
                }
            }
        }
        if line.total_withheld {
            assert_eq!(line.total, 0);
        } else {
            assert!(line.points.iter().all(|point| point.suppressed.is_none()));
        }
    }
}

fn months() -> Vec<Period> {
    (1..=12)
        .map(|month| Period::month(2023, month).expect("a month of 2023"))
        .collect()
}

/// The true value of every cell, and the relations a reader knows: each year is the sum of
/// its months; each period's total is its nationalities plus a rest, and exactly its sexes.
fn truth_and_relations() -> (BTreeMap<Cell, u64>, Vec<Sum>) {
    let year = Period::year(2023).expect("2023");
    let mut truth = BTreeMap::new();
    let mut relations = Vec::new();
    let lines: Vec<(String, [u64; 12])> = std::iter::once(("total".to_owned(), TOTALS))
        .chain(by_nationality())
        .chain(by_sex())
        .collect();
    for (name, values) in &lines {
        let mut parts = Vec::new();
        for (month, period) in months().into_iter().enumerate() {
            if reported(name, values[month]) {
                truth.insert((name.clone(), period), values[month]);
                parts.push((name.clone(), period));
            }
        }
        truth.insert((name.clone(), year), values.iter().sum());
        relations.push(((name.clone(), year), parts));
    }
    for period in months().into_iter().chain([year]) {
        let total = ("total".to_owned(), period);
        relations.push((
            total.clone(),
            by_nationality()
                .into_keys()
                .map(|code| (code, period))
                .collect(),
        ));
        relations.push((
            total,
            by_sex()
                .into_keys()
                .map(|code| (code, period))
                .filter(|cell| truth.contains_key(cell))
                .collect(),
        ));
    }
    (truth, relations)
}

#[tokio::test]
async fn no_response_shows_a_count_below_five_to_observers_or_readers_not_signed_in() {
    let test = panama_2023().await;
    for caller in [Caller::Anonymous, observer()] {
        let mut shown = BTreeMap::new();
        let mut hidden = BTreeSet::new();
        for granularity in [Granularity::Month, Granularity::Year] {
            for by in [None, Some(Dimension::Nationality), Some(Dimension::Sex)] {
                let response = test
                    .app
                    .series(&caller, &request(granularity, by))
                    .await
                    .expect("the series reads");
                assert!(!response.lines.is_empty());
                learn(&response, &mut shown, &mut hidden);
            }
        }
        // Every small count of the data is among the hidden cells.
        let (truth, _) = truth_and_relations();
        for (cell, value) in &truth {
            if *value < DEFAULT_THRESHOLD {
                assert!(hidden.contains(cell), "{cell:?} ({value}) is not hidden");
            }
        }
        assert!(hidden.contains(&("AFG".to_owned(), months()[3])));
    }
}

#[tokio::test]
async fn suppressed_points_read_as_below_five_or_hidden_in_json_and_their_total_is_null() {
    let test = panama_2023().await;
    let response = test
        .app
        .series(
            &Caller::Anonymous,
            &request(Granularity::Month, Some(Dimension::Nationality)),
        )
        .await
        .expect("the series reads");
    let afghans = response
        .lines
        .iter()
        .find(|line| line.nationality == Some(Nationality::parse("AFG").expect("AFG")))
        .expect("the Afghan line is listed");
    let april = afghans.points[3];
    assert_eq!(april.suppressed, Some(Suppressed::BelowThreshold));
    let json = serde_json::to_value(afghans).expect("a line serializes");
    assert_eq!(json["total"], serde_json::Value::Null);
    assert_eq!(json["points"][3]["value"], serde_json::Value::Null);
    assert_eq!(json["points"][3]["suppressed"], "<5");

    // The sexes add up to the total: a month's `x` below five is protected by hiding one
    // more sex of that month.
    let response = test
        .app
        .series(
            &Caller::Anonymous,
            &request(Granularity::Month, Some(Dimension::Sex)),
        )
        .await
        .expect("the series reads");
    assert!(response.lines.iter().any(|line| line
        .points
        .iter()
        .any(|point| point.suppressed == Some(Suppressed::Complementary))));
    let text = serde_json::to_string(&response).expect("a response serializes");
    assert!(text.contains("\"suppressed\":\"hidden\""));
}

#[tokio::test]
async fn a_reader_who_combines_every_response_recovers_no_hidden_count() {
    let test = panama_2023().await;
    let mut shown = BTreeMap::new();
    let mut hidden = BTreeSet::new();
    for granularity in [Granularity::Month, Granularity::Year] {
        for by in [None, Some(Dimension::Nationality), Some(Dimension::Sex)] {
            let response = test
                .app
                .series(&Caller::Anonymous, &request(granularity, by))
                .await
                .expect("the series reads");
            learn(&response, &mut shown, &mut hidden);
        }
    }
    // A narrower range gives the same statuses: the views are computed over whole years.
    let mut spring = request(Granularity::Month, Some(Dimension::Nationality));
    spring.from = NaiveDate::from_ymd_opt(2023, 3, 1);
    spring.to = NaiveDate::from_ymd_opt(2023, 5, 31);
    let mut spring_shown = BTreeMap::new();
    let mut spring_hidden = BTreeSet::new();
    let response = test
        .app
        .series(&Caller::Anonymous, &spring)
        .await
        .expect("reads");
    learn(&response, &mut spring_shown, &mut spring_hidden);
    assert!(spring_hidden.is_subset(&hidden));
    assert!(spring_shown
        .iter()
        .all(|(cell, value)| shown.get(cell) == Some(value)));

    let (truth, relations) = truth_and_relations();
    assert!(!hidden.is_empty());

    // The iterative reader: a relation with one unknown left gives it back, and the rest of
    // a breakdown is known to be zero where the reader can tell (the sexes add up).
    let mut known = shown.clone();
    loop {
        let mut learned = false;
        for (total, parts) in &relations {
            let exact = parts.iter().map(|part| truth[part]).sum::<u64>() == truth[total];
            if !exact {
                continue;
            }
            let unknown: Vec<&Cell> = std::iter::once(total)
                .chain(parts)
                .filter(|cell| !known.contains_key(*cell))
                .collect();
            if let [cell] = unknown.as_slice() {
                let others: u64 = parts
                    .iter()
                    .filter(|part| part != cell)
                    .map(|part| known[part])
                    .sum();
                let value = if *cell == total {
                    others
                } else {
                    known[total] - others
                };
                assert_eq!(value, truth[*cell]);
                known.insert((*cell).clone(), value);
                learned = true;
            }
        }
        if !learned {
            break;
        }
    }
    let recovered: Vec<&Cell> = hidden
        .iter()
        .filter(|cell| known.contains_key(*cell))
        .collect();
    assert!(recovered.is_empty(), "recovered: {recovered:?}");

    // The exact reader: the engine's linear audit over every relation, with every shown
    // cell published and every hidden one unknown, finds nothing determined.
    let mut builder = Table::builder();
    let mut index = BTreeMap::new();
    for (cell, value) in &truth {
        let id = if hidden.contains(cell) {
            builder.cell_hidden_elsewhere(*value)
        } else {
            assert!(shown.contains_key(cell), "{cell:?} is in some response");
            builder.cell_published_elsewhere(*value)
        };
        index.insert(cell.clone(), id);
    }
    for (total, parts) in &relations {
        let parts: Vec<usize> = parts.iter().map(|part| index[part]).collect();
        builder.relation(index[total], &parts);
    }
    let table = builder.build().expect("the relations name known cells");
    let audit = suppress(&table, DEFAULT_THRESHOLD);
    assert!(audit.audit_complete);
    assert!(
        audit.unprotected_cells.is_empty(),
        "{:?}",
        audit.unprotected_cells
    );
    assert!(audit.unprotected_relations.is_empty());
}

#[tokio::test]
async fn a_member_of_panama_reads_the_exact_counts() {
    let test = panama_2023().await;
    let response = test
        .app
        .series(
            &analyst(),
            &request(Granularity::Month, Some(Dimension::Nationality)),
        )
        .await
        .expect("the series reads");
    let afghans = response
        .lines
        .iter()
        .find(|line| line.nationality == Some(Nationality::parse("AFG").expect("AFG")))
        .expect("the Afghan line is listed");
    let values: Vec<u64> = afghans.points.iter().map(|point| point.value).collect();
    assert_eq!(values, SMALL[0].1.to_vec());
    assert!(afghans
        .points
        .iter()
        .all(|point| point.suppressed.is_none()));
    assert_eq!(afghans.total, 27);
    assert!(!afghans.total_withheld);
}

#[tokio::test]
async fn observers_read_one_breakdown_at_a_time() {
    let test = panama_2023().await;
    let mut two = request(Granularity::Month, Some(Dimension::Nationality));
    two.by.push(Dimension::Sex);
    let mut filtered = request(Granularity::Month, Some(Dimension::Sex));
    filtered.nationalities = vec![Nationality::parse("VEN").expect("VEN")];
    for request in [two, filtered] {
        for caller in [Caller::Anonymous, observer()] {
            let Err(AppError::Invalid(problems)) = test.app.series(&caller, &request).await else {
                panic!("two dimensions must be refused");
            };
            assert_eq!(problems[0].column.as_deref(), Some("by"));
            assert!(problems[0].reason.contains("one breakdown at a time"));
        }
        assert!(test.app.series(&analyst(), &request).await.is_ok());
    }

    // A filter alone is its dimension's table, then the lines asked for.
    let mut venezuelans = request(Granularity::Month, None);
    venezuelans.nationalities = vec![Nationality::parse("VEN").expect("VEN")];
    let response = test
        .app
        .series(&Caller::Anonymous, &venezuelans)
        .await
        .expect("one nationality reads");
    assert_eq!(response.lines.len(), 1);
    assert_eq!(
        response.lines[0].nationality,
        Some(Nationality::parse("VEN").expect("VEN"))
    );
}
