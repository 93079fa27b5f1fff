//! Ingestion and query benchmarks on seeded synthetic data, for `corredor bench` and the
//! `store-bench` example.
//!
//! The data has the shape of the real exchange: the eight countries of the northbound
//! corridor, each reporting at the country level and at nine places, two flow measures,
//! monthly, broken down by 51 nationalities (plus their total) and crossed with sex and age
//! group totals and parts. Values are a deterministic hash of the row number, so two runs
//! store the same data.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use corredor_core::{
    AgeGroup, Breakdown, Country, CountryCode, Granularity, Measure, Nationality, Observation,
    ObservationKey, Period, Place, PlaceCode, PlaceKind, RcmStatus, Sex,
};

use crate::error::StoreError;
use crate::model::{DimensionFilter, GroupBy, PlaceFilter, SeriesQuery, Submission};
use crate::Store;

const COUNTRIES: [&str; 8] = ["COL", "PAN", "CRI", "NIC", "HND", "GTM", "MEX", "USA"];
const PLACES_PER_COUNTRY: usize = 9;
const MEASURES: [Measure; 2] = [Measure::Encounter, Measure::IrregularEntry];
const NATIONALITIES: [&str; 51] = [
    "VEN", "HTI", "ECU", "CUB", "COL", "CHN", "IND", "AFG", "PER", "BRA", "CHL", "NIC", "HND",
    "GTM", "SLV", "MEX", "DOM", "SEN", "CMR", "GHA", "NGA", "UZB", "NPL", "BGD", "PAK", "VNM",
    "TUR", "RUS", "UKR", "GEO", "SOM", "ERI", "ETH", "MRT", "GIN", "ARG", "BOL", "PRY", "URY",
    "PAN", "CRI", "JAM", "TTO", "GUY", "SUR", "KEN", "AGO", "COD", "SYR", "IRN", "IRQ",
];
const SEXES: [Option<Sex>; 3] = [None, Some(Sex::Female), Some(Sex::Male)];
const AGE_GROUPS: [Option<AgeGroup>; 3] =
    [None, Some(AgeGroup::Age0To17), Some(AgeGroup::Age18Plus)];

/// The month the synthetic data starts with.
pub const FIRST_MONTH: Period = Period::Month {
    year: 2015,
    month: 1,
};

/// How fast a batch was recorded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IngestFigures {
    pub rows: usize,
    pub elapsed: Duration,
    pub rows_per_second: f64,
}

/// How long one series query took, over several runs.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesFigures {
    pub stored_observations: u64,
    pub runs: usize,
    pub rows_per_query: usize,
    pub p50: Duration,
    pub p99: Duration,
}

/// The countries and places the synthetic observations refer to.
pub fn synthetic_reference() -> Result<(Vec<Country>, Vec<Place>), StoreError> {
    let mut countries = Vec::new();
    let mut places = Vec::new();
    for (c, code) in COUNTRIES.iter().enumerate() {
        let country = country(code)?;
        countries.push(Country {
            code: country,
            name_en: format!("Country {code}"),
            name_es: format!("País {code}"),
            rcm_status: Some(RcmStatus::Member),
        });
        for p in 0..PLACES_PER_COUNTRY {
            let code = PlaceCode::parse(&format!("{code}-BENCH-{p}")).map_err(invalid)?;
            let place = Place::new(
                code,
                &format!("Bench place {p}"),
                country,
                PlaceKind::ReceptionStation,
                None,
                (c as f64, p as f64),
            )
            .map_err(invalid)?;
            places.push(place);
        }
    }
    Ok((countries, places))
}

/// The `n`-th synthetic observation. Rows enumerate keys month by month from
/// [`FIRST_MONTH`], so any prefix of them is a set of distinct keys.
pub fn synthetic_observation(n: u64) -> Result<Observation, StoreError> {
    let mut rest = n;
    let mut digit = |radix: u64| {
        let d = rest % radix;
        rest /= radix;
        d as usize
    };
    let age_group = AGE_GROUPS[digit(AGE_GROUPS.len() as u64)];
    let sex = SEXES[digit(SEXES.len() as u64)];
    let nationality = match digit(NATIONALITIES.len() as u64 + 1) {
        0 => None,
        i => Some(Nationality::parse(NATIONALITIES[i - 1]).map_err(invalid)?),
    };
    let measure = MEASURES[digit(MEASURES.len() as u64)];
    let place = digit(PLACES_PER_COUNTRY as u64 + 1);
    let country_code = COUNTRIES[digit(COUNTRIES.len() as u64)];
    let month = rest as i64;
    let place = match place {
        0 => None,
        p => Some(PlaceCode::parse(&format!("{country_code}-BENCH-{}", p - 1)).map_err(invalid)?),
    };
    Ok(Observation {
        key: ObservationKey {
            country: country(country_code)?,
            place,
            period: FIRST_MONTH.offset(month),
            measure,
            breakdown: Breakdown {
                nationality,
                sex,
                age_group,
                vulnerability: None,
            },
        },
        value: splitmix64(n) % 5_000,
        source: Some("corredor bench".to_owned()),
    })
}

/// Synthetic observations `first..first + count`.
pub fn synthetic_observations(first: u64, count: usize) -> Result<Vec<Observation>, StoreError> {
    (first..first + count as u64)
        .map(synthetic_observation)
        .collect()
}

/// Stores the synthetic countries and places (idempotent).
pub async fn prepare(store: &Store) -> Result<(), StoreError> {
    let (countries, places) = synthetic_reference()?;
    store.put_countries(&countries).await?;
    store.put_places(&places).await
}

/// Records `observations` as one submission and measures how fast.
pub async fn ingest(
    store: &Store,
    observations: &[Observation],
) -> Result<IngestFigures, StoreError> {
    let submission = Submission {
        submitted_by: "bench".to_owned(),
        submitted_at: Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("1 January 2026 is a valid UTC time"),
        note: Some(format!("{} synthetic rows", observations.len())),
    };
    let started = Instant::now();
    store.record_observations(observations, &submission).await?;
    let elapsed = started.elapsed();
    Ok(IngestFigures {
        rows: observations.len(),
        elapsed,
        rows_per_second: observations.len() as f64 / elapsed.as_secs_f64(),
    })
}

/// The benchmark's series: ten years of monthly encounters reported by Panama for the whole
/// country, by nationality.
pub fn ten_year_monthly_query() -> Result<SeriesQuery, StoreError> {
    Ok(SeriesQuery {
        measure: Measure::Encounter,
        countries: vec![country("PAN")?],
        places: PlaceFilter::CountryLevel,
        granularity: Granularity::Month,
        group_by: GroupBy {
            nationality: true,
            ..GroupBy::default()
        },
        nationality: DimensionFilter::Any,
        sex: DimensionFilter::Any,
        age_group: DimensionFilter::Any,
        vulnerability: DimensionFilter::Any,
        from: Some(FIRST_MONTH.start()),
        to: Some(FIRST_MONTH.offset(119).start()),
    })
}

/// Runs `query` `runs` times and reports the median and 99th percentile latency.
pub async fn series_latency(
    store: &Store,
    query: &SeriesQuery,
    runs: usize,
) -> Result<SeriesFigures, StoreError> {
    let stored_observations = store.count_observations().await?;
    let mut times = Vec::with_capacity(runs);
    let mut rows_per_query = 0;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        rows_per_query = store.series(query).await?.len();
        times.push(started.elapsed());
    }
    times.sort();
    let percentile = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    Ok(SeriesFigures {
        stored_observations,
        runs: times.len(),
        rows_per_query,
        p50: percentile(0.50),
        p99: percentile(0.99),
    })
}

fn country(code: &str) -> Result<CountryCode, StoreError> {
    CountryCode::parse(code).map_err(invalid)
}

fn invalid(error: corredor_core::CoreError) -> StoreError {
    StoreError::Backend(format!("synthetic data is invalid: {error}"))
}

/// SplitMix64 (Steele, Lea and Flood 2014): a fast, well-mixed hash of the row number.
fn splitmix64(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn synthetic_rows_are_distinct_keys_on_monthly_periods() {
        let rows = synthetic_observations(0, 200_000).unwrap();
        let keys: HashSet<_> = rows.iter().map(|o| o.key.clone()).collect();
        assert_eq!(keys.len(), rows.len());
        assert!(rows
            .iter()
            .all(|o| o.key.period.granularity() == Granularity::Month));
        assert_eq!(rows[0].key.period, FIRST_MONTH);
        assert!(rows.iter().any(|o| o.key.breakdown.is_total()));
    }
}
