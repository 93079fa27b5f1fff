//! The shipped public datasets import through their adapters, and the imported totals equal
//! the figures the publishers announced.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::path::PathBuf;

use corredor_core::{Breakdown, Measure, Nationality, Observation, Period};
use corredor_exchange::reference::read_places;
use corredor_exchange::sources::{self, SourceBatch, SHIPPED};

fn data_path(parts: &[&str]) -> PathBuf {
    let mut path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "..", "..", "data"]
        .iter()
        .collect();
    path.extend(parts);
    path
}

fn shipped(dataset: &str, file: &str) -> SourceBatch {
    let source = SHIPPED
        .iter()
        .find(|source| source.dataset == dataset && source.file == file)
        .unwrap_or_else(|| panic!("{dataset}/{file} is not in SHIPPED"));
    let path = data_path(&["real", dataset, file]);
    let mut input = File::open(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    (source.read)(&mut input, &path.display().to_string())
        .unwrap_or_else(|problems| panic!("{problems:#?}"))
}

fn month(raw: &str) -> Period {
    Period::parse(raw).expect("test periods are valid")
}

fn nationality(raw: &str) -> Nationality {
    Nationality::parse(raw).expect("test nationalities are valid")
}

/// The sum of the country-level values with this breakdown over the months `from..=to`.
fn sum(batch: &SourceBatch, breakdown: Breakdown, from: &str, to: &str) -> u64 {
    let (from, to) = (month(from), month(to));
    batch
        .observations
        .iter()
        .filter(|o| o.key.place.is_none() && o.key.breakdown == breakdown)
        .filter(|o| o.key.period >= from && o.key.period <= to)
        .map(|o| o.value)
        .sum()
}

/// Country-level values with breakdowns of one shape, summed by period.
fn by_period(batch: &SourceBatch, shape: impl Fn(&Breakdown) -> bool) -> BTreeMap<Period, u64> {
    let mut sums = BTreeMap::new();
    for o in batch.observations.iter().filter(|o| o.key.place.is_none()) {
        if shape(&o.key.breakdown) {
            *sums.entry(o.key.period).or_insert(0) += o.value;
        }
    }
    sums
}

fn totals(batch: &SourceBatch) -> BTreeMap<Period, u64> {
    by_period(batch, Breakdown::is_total)
}

fn by_nationality(b: &Breakdown) -> bool {
    b.nationality.is_some() && b.sex.is_none() && b.age_group.is_none() && b.vulnerability.is_none()
}

fn by_sex(b: &Breakdown) -> bool {
    b.nationality.is_none() && b.sex.is_some() && b.vulnerability.is_none()
}

#[test]
fn darien_2023_equals_the_published_520085_with_328650_venezuelans() {
    let batch = shipped("darien-panama-snm", "irreg_darien_nat.csv");
    assert_eq!(batch.country.as_str(), "PAN");
    assert_eq!(sum(&batch, Breakdown::TOTAL, "2023-01", "2023-12"), 520_085);
    let venezuelans = Breakdown::nationality(nationality("VEN"));
    assert_eq!(sum(&batch, venezuelans, "2023-01", "2023-12"), 328_650);
    assert_eq!(sum(&batch, Breakdown::TOTAL, "2023-08", "2023-08"), 81_946);
    for (year, published) in [(2021, 133_726), (2022, 248_284), (2024, 302_203)] {
        let total = sum(
            &batch,
            Breakdown::TOTAL,
            &format!("{year}-01"),
            &format!("{year}-12"),
        );
        assert_eq!(total, published, "{year}");
    }
}

#[test]
fn darien_years_before_2020_are_annual_periods_not_januaries() {
    let batch = shipped("darien-panama-snm", "irreg_darien_nat.csv");
    let years: Vec<Period> = totals(&batch)
        .into_keys()
        .filter(|period| *period < month("2020-01"))
        .collect();
    let expected: Vec<Period> = (2010..=2019)
        .map(|year| Period::year(year).expect("valid year"))
        .collect();
    assert_eq!(years, expected);
    assert!(!totals(&batch).contains_key(&month("2020-04")));
}

#[test]
fn darien_demographics_add_up_to_the_nationality_totals_every_month() {
    let totals = totals(&shipped("darien-panama-snm", "irreg_darien_nat.csv"));
    let demographics = by_period(
        &shipped("darien-panama-snm", "irreg_darien_dmg.csv"),
        by_sex,
    );
    assert!(demographics.len() >= 50);
    for (period, value) in demographics {
        assert_eq!(Some(&value), totals.get(&period), "{period}");
    }
}

#[test]
fn honduras_2023_equals_the_published_545043_and_its_three_files_agree() {
    let total = shipped("honduras-inm-irregular", "irreg_honduras.csv");
    assert_eq!(sum(&total, Breakdown::TOTAL, "2023-01", "2023-12"), 545_043);
    let totals = totals(&total);
    let nationalities = shipped("honduras-inm-irregular", "irreg_honduras_nat.csv");
    let chinese = Breakdown::nationality(nationality("CHN"));
    assert!(sum(&nationalities, chinese, "2023-01", "2023-12") >= 12_188);
    let venezuelans = Breakdown::nationality(nationality("VEN"));
    assert_eq!(
        sum(&nationalities, venezuelans, "2023-01", "2023-12"),
        228_889
    );
    let demographics = shipped("honduras-inm-irregular", "irreg_honduras_dmg.csv");
    for (name, sums) in [
        ("nationality", by_period(&nationalities, by_nationality)),
        ("demographics", by_period(&demographics, by_sex)),
    ] {
        assert!(sums.len() > 80, "{name}");
        for (period, value) in sums {
            assert_eq!(Some(&value), totals.get(&period), "{name} {period}");
        }
    }
}

#[test]
fn mexico_2023_equals_the_published_778907_events() {
    let batch = shipped("mexico-upm-irregular", "irreg_mexico_nat.csv");
    assert!(batch
        .observations
        .iter()
        .all(|o| o.key.measure == Measure::Encounter));
    assert_eq!(sum(&batch, Breakdown::TOTAL, "2023-01", "2023-12"), 778_907);
    assert_eq!(sum(&batch, Breakdown::TOTAL, "2019-01", "2019-12"), 182_940);
    let venezuelans = Breakdown::nationality(nationality("VEN"));
    assert_eq!(sum(&batch, venezuelans, "2023-01", "2023-12"), 222_143);
    let demographics = shipped("mexico-upm-irregular", "irreg_mexico_dmg.csv");
    let by_sex_2023: u64 = by_period(&demographics, by_sex)
        .range(month("2023-01")..=month("2023-12"))
        .map(|(_, value)| value)
        .sum();
    assert_eq!(by_sex_2023, 778_907);
}

#[test]
fn mexico_returns_fall_as_published_after_2022() {
    let batch = shipped("mexico-upm-irregular", "irreg_mexico_exp.csv");
    assert!(batch
        .observations
        .iter()
        .all(|o| o.key.measure == Measure::ReturnExecuted));
    for (year, published) in [(2022, 121_963), (2023, 54_728), (2024, 20_834)] {
        let total = sum(
            &batch,
            Breakdown::TOTAL,
            &format!("{year}-01"),
            &format!("{year}-12"),
        );
        assert_eq!(total, published, "{year}");
    }
}

#[test]
fn cbp_southwest_border_fy2023_equals_the_published_2475669_and_december_2022_252315() {
    let batch = shipped("cbp-swb-encounters", "irreg_usa.csv");
    assert_eq!(
        sum(&batch, Breakdown::TOTAL, "2022-10", "2023-09"),
        2_475_669
    );
    assert_eq!(sum(&batch, Breakdown::TOTAL, "2022-12", "2022-12"), 252_315);
    assert_eq!(sum(&batch, Breakdown::TOTAL, "2018-10", "2019-09"), 977_509);
    let mexicans = Breakdown::nationality(nationality("MEX"));
    assert_eq!(sum(&batch, mexicans, "2022-10", "2023-09"), 717_333);
}

#[test]
fn cbp_sectors_and_field_offices_add_up_to_the_country_total_every_month() {
    let batch = shipped("cbp-swb-encounters", "irreg_usa.csv");
    let mut by_place: BTreeMap<Period, u64> = BTreeMap::new();
    for o in &batch.observations {
        if o.key.place.is_some() && o.key.breakdown.is_total() {
            *by_place.entry(o.key.period).or_insert(0) += o.value;
        }
    }
    let totals = totals(&batch);
    assert_eq!(by_place.keys().next(), Some(&month("2019-10")));
    for (period, value) in &by_place {
        assert_eq!(Some(value), totals.get(period), "{period}");
    }
}

#[test]
fn guatemala_2022_equals_the_published_94216_returnees() {
    let batch = shipped("guatemala-igm-returns", "irreg_guatemala.csv");
    assert_eq!(batch.country.as_str(), "GTM");
    assert_eq!(sum(&batch, Breakdown::TOTAL, "2022-01", "2022-12"), 94_216);
    assert_eq!(sum(&batch, Breakdown::TOTAL, "2024-01", "2024-12"), 76_768);
    // From 2024 most rows have no returning country: they count for the country only.
    let at_places_2024: u64 = batch
        .observations
        .iter()
        .filter(|o| o.key.place.is_some() && o.key.breakdown.is_total())
        .filter(|o| o.key.period >= month("2024-01") && o.key.period <= month("2024-12"))
        .map(|o| o.value)
        .sum();
    assert_eq!(at_places_2024, 76_768 - 61_680);
}

#[test]
fn colombia_2023_08_counts_85369_with_66466_venezuelans() {
    let batch = shipped("iom-lighthouse-irregular-entries", "irreg.csv");
    assert_eq!(batch.country.as_str(), "COL");
    assert_eq!(sum(&batch, Breakdown::TOTAL, "2023-08", "2023-08"), 85_369);
    let venezuelans = Breakdown::nationality(nationality("VEN"));
    assert_eq!(sum(&batch, venezuelans, "2023-08", "2023-08"), 66_466);
    assert_eq!(totals(&batch).keys().next(), Some(&month("2023-01")));
}

fn every_observation() -> Vec<(String, Observation)> {
    let mut all = Vec::new();
    for source in SHIPPED {
        let batch = shipped(source.dataset, source.file);
        assert!(!batch.notes.is_empty(), "{}", source.file);
        for observation in batch.observations {
            assert_eq!(observation.key.country, batch.country, "{}", source.file);
            all.push((source.file.to_owned(), observation));
        }
    }
    all
}

#[test]
fn no_key_appears_twice_across_every_shipped_file() {
    let all = every_observation();
    assert!(all.len() > 30_000, "{}", all.len());
    let mut seen = HashSet::new();
    for (file, observation) in &all {
        assert!(
            seen.insert(observation.key.clone()),
            "{file}: {:?} twice",
            observation.key
        );
        assert!(observation.source.as_deref().is_some_and(|s| !s.is_empty()));
    }
}

#[test]
fn every_place_used_is_a_reference_place_of_the_reporting_country() {
    let path = data_path(&["reference", "places.csv"]);
    let file = File::open(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let places = read_places(file, "places.csv").unwrap_or_else(|problems| panic!("{problems:#?}"));
    let mut used = HashSet::new();
    for (_, observation) in every_observation() {
        if let Some(code) = &observation.key.place {
            used.insert((code.clone(), observation.key.country));
        }
    }
    let mut adapters = sources::cbp::places();
    adapters.extend(sources::guatemala::places());
    assert_eq!(used.len(), adapters.len());
    for (code, country) in used {
        let place = places
            .iter()
            .find(|place| place.code == code)
            .unwrap_or_else(|| panic!("{code} is not in places.csv"));
        assert_eq!(place.country, country, "{code}");
    }
}

mod properties {
    use std::collections::{BTreeMap, HashSet};

    use corredor_core::{Period, PlaceCode};
    use corredor_exchange::sources::{cbp, mexico, SourceBatch};
    use proptest::prelude::*;

    fn month_text() -> impl Strategy<Value = String> {
        (2019i32..=2025, 1u32..=12).prop_map(|(year, month)| format!("{year}-{month:02}"))
    }

    /// For every place (or the country) and period: the total equals the sum of the source
    /// rows, and each breakdown shape adds up to the total; no key twice.
    fn check_additivity(batch: &SourceBatch, input: &BTreeMap<(Option<String>, String), u64>) {
        let mut seen = HashSet::new();
        let mut shapes: BTreeMap<(Option<PlaceCode>, Period, u8), u64> = BTreeMap::new();
        for o in &batch.observations {
            assert!(seen.insert(o.key.clone()), "{:?} twice", o.key);
            let b = o.key.breakdown;
            let shape = if b.is_total() {
                0
            } else if b.nationality.is_some() {
                1
            } else {
                2
            };
            *shapes
                .entry((o.key.place.clone(), o.key.period, shape))
                .or_insert(0) += o.value;
        }
        for ((place, period), expected) in input {
            let place = place
                .as_deref()
                .map(|code| PlaceCode::parse(code).expect("valid"));
            let period = Period::parse(period).expect("valid");
            for shape in [0u8, 1, 2] {
                let found = shapes.get(&(place.clone(), period, shape)).copied();
                if shape == 0 || found.is_some() {
                    assert_eq!(found, Some(*expected), "{place:?} {period} shape {shape}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn mexican_totals_are_the_sum_of_the_rows_and_of_the_nationalities(
            rows in prop::collection::vec(
                (month_text(), prop::sample::select(vec!["VEN", "HND", "OOO", "STL", "XKX"]), 0u64..100_000),
                1..60,
            )
        ) {
            let mut text = String::from("t,nat,n\n");
            let mut input = BTreeMap::new();
            for (month, nat, n) in &rows {
                text.push_str(&format!("{month},{nat},{n}\n"));
                *input.entry((None, month.clone())).or_insert(0) += n;
            }
            let batch = mexico::read_nationalities(text.as_bytes(), "generated.csv")
                .expect("generated rows are valid");
            check_additivity(&batch, &input);
        }

        #[test]
        fn cbp_places_and_the_country_add_up_whatever_the_rows(
            rows in prop::collection::vec(
                (
                    month_text(),
                    prop::sample::select(vec![
                        ("U.S. Border Patrol", "Yuma Sector"),
                        ("U.S. Border Patrol", "Rio Grande Valley Sector"),
                        ("Office of Field Operations", "Laredo Field Office"),
                        ("U.S. Border Patrol", ""),
                    ]),
                    prop::sample::select(vec!["Single Adults", "FMUA", "UAC", "Accompanied Minors"]),
                    prop::sample::select(vec!["MEX", "OOO", "VEN"]),
                    0u64..50_000,
                ),
                1..60,
            )
        ) {
            let mut text = String::from("t,t_fy,component,area,authority,type,demog,nat,n\n");
            let mut input = BTreeMap::new();
            let place_of = |area: &str| match area {
                "Yuma Sector" => Some("US-BP-YUM".to_owned()),
                "Rio Grande Valley Sector" => Some("US-BP-RGV".to_owned()),
                "Laredo Field Office" => Some("US-OFO-LRD".to_owned()),
                _ => None,
            };
            for (month, (component, area), demog, nat, n) in &rows {
                // As in the source, rows without area have no nationality either, and come
                // from months (before FY2020) without any area.
                let (month, nat) = if area.is_empty() {
                    (format!("2018-{}", &month[5..]), "")
                } else {
                    (month.clone(), *nat)
                };
                text.push_str(&format!("{month},{month},{component},{area},Title 8,Apprehensions,{demog},{nat},{n}\n"));
                if let Some(place) = place_of(area) {
                    *input.entry((Some(place), month.clone())).or_insert(0) += n;
                }
                *input.entry((None, month.clone())).or_insert(0) += n;
            }
            let batch = cbp::read(text.as_bytes(), "generated.csv").expect("generated rows are valid");
            check_additivity(&batch, &input);
        }
    }
}
