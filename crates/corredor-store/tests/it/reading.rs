use chrono::NaiveDate;
use corredor_core::{AgeGroup, Granularity, Measure, Sex, Vulnerability};
use corredor_store::{DimensionFilter, ObservationFilter, PlaceFilter, Store};

use crate::support::{
    at, batch, country, each_backend, nationality, obs, place_code, submission, with_reference,
};

async fn corridor_data(store: &Store) {
    with_reference(store).await;
    let rows = batch([
        obs("PAN", "2023-07", Measure::IrregularEntry, 50_000),
        obs("PAN", "2023-08", Measure::IrregularEntry, 81_946),
        obs("PAN", "2023-08", Measure::IrregularEntry, 63_201).nationality("VEN"),
        obs("PAN", "2023-08", Measure::IrregularEntry, 5_000).nationality("ECU"),
        obs("PAN", "2023-08", Measure::IrregularEntry, 30_000)
            .nationality("VEN")
            .sex(Sex::Female),
        obs("PAN", "2023-08", Measure::IrregularEntry, 9_000).age(AgeGroup::Age0To17),
        obs("PAN", "2023-08", Measure::IrregularEntry, 700)
            .vulnerability(Vulnerability::UnaccompaniedChild),
        obs("PAN", "2023-08", Measure::IrregularEntry, 40_000).at("PA-LB"),
        obs("PAN", "2023-08", Measure::IrregularEntry, 41_946).at("PA-SV"),
        obs("PAN", "2023-W33", Measure::IrregularEntry, 18_000).at("PA-LB"),
        obs("PAN", "2023-08-14", Measure::IrregularEntry, 2_600).at("PA-LB"),
        obs("PAN", "2023", Measure::IrregularEntry, 520_085),
        obs("CRI", "2023-08", Measure::IrregularEntry, 80_000),
        obs("USA", "2023-08", Measure::Encounter, 181_000).at("US-BP-RGV"),
        obs("MEX", "2023-08", Measure::Stranded, 3_000),
    ]);
    store
        .record_observations(&rows, &submission("ana", at(2, 9)))
        .await
        .expect("the corridor data is recorded");
}

async fn values(store: &Store, filter: ObservationFilter) -> Vec<u64> {
    let mut values: Vec<u64> = store
        .observations(&filter)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.observation.value)
        .collect();
    values.sort_unstable();
    values
}

#[tokio::test]
async fn filters_select_by_country_place_measure_and_granularity() {
    each_backend(|store| async move {
        corridor_data(&store).await;
        assert_eq!(values(&store, ObservationFilter::default()).await.len(), 15);
        assert_eq!(
            values(
                &store,
                ObservationFilter {
                    countries: vec![country("CRI"), country("MEX")],
                    ..Default::default()
                }
            )
            .await,
            vec![3_000, 80_000]
        );
        assert_eq!(
            values(
                &store,
                ObservationFilter {
                    measures: vec![Measure::Encounter, Measure::Stranded],
                    ..Default::default()
                }
            )
            .await,
            vec![3_000, 181_000]
        );
        assert_eq!(
            values(
                &store,
                ObservationFilter {
                    countries: vec![country("PAN")],
                    places: PlaceFilter::Places(vec![place_code("PA-SV")]),
                    ..Default::default()
                }
            )
            .await,
            vec![41_946]
        );
        assert_eq!(
            values(
                &store,
                ObservationFilter {
                    countries: vec![country("PAN")],
                    places: PlaceFilter::AnyPlace,
                    granularity: Some(Granularity::Month),
                    ..Default::default()
                }
            )
            .await,
            vec![40_000, 41_946]
        );
        assert_eq!(
            values(
                &store,
                ObservationFilter {
                    places: PlaceFilter::CountryLevel,
                    granularity: Some(Granularity::Year),
                    ..Default::default()
                }
            )
            .await,
            vec![520_085]
        );
        assert_eq!(
            values(
                &store,
                ObservationFilter {
                    places: PlaceFilter::Places(vec![]),
                    ..Default::default()
                }
            )
            .await,
            Vec::<u64>::new()
        );
    })
    .await;
}

#[tokio::test]
async fn filters_select_totals_or_parts_of_each_breakdown() {
    each_backend(|store| async move {
        corridor_data(&store).await;
        let pan_august = || ObservationFilter {
            countries: vec![country("PAN")],
            places: PlaceFilter::CountryLevel,
            granularity: Some(Granularity::Month),
            from: NaiveDate::from_ymd_opt(2023, 8, 1),
            to: NaiveDate::from_ymd_opt(2023, 8, 31),
            ..Default::default()
        };
        assert_eq!(values(&store, pan_august()).await.len(), 6);
        assert_eq!(
            values(
                &store,
                ObservationFilter {
                    nationality: DimensionFilter::Total,
                    sex: DimensionFilter::Total,
                    age_group: DimensionFilter::Total,
                    vulnerability: DimensionFilter::Total,
                    ..pan_august()
                }
            )
            .await,
            vec![81_946]
        );
        assert_eq!(
            values(
                &store,
                ObservationFilter {
                    nationality: DimensionFilter::Values(vec![nationality("VEN")]),
                    ..pan_august()
                }
            )
            .await,
            vec![30_000, 63_201]
        );
        assert_eq!(
            values(
                &store,
                ObservationFilter {
                    nationality: DimensionFilter::Values(vec![
                        nationality("VEN"),
                        nationality("ECU")
                    ]),
                    sex: DimensionFilter::Total,
                    ..pan_august()
                }
            )
            .await,
            vec![5_000, 63_201]
        );
        assert_eq!(
            values(
                &store,
                ObservationFilter {
                    sex: DimensionFilter::Values(vec![Sex::Female]),
                    ..pan_august()
                }
            )
            .await,
            vec![30_000]
        );
        assert_eq!(
            values(
                &store,
                ObservationFilter {
                    age_group: DimensionFilter::Values(vec![AgeGroup::Age0To17]),
                    ..pan_august()
                }
            )
            .await,
            vec![9_000]
        );
        assert_eq!(
            values(
                &store,
                ObservationFilter {
                    vulnerability: DimensionFilter::Values(vec![Vulnerability::UnaccompaniedChild]),
                    ..pan_august()
                }
            )
            .await,
            vec![700]
        );
    })
    .await;
}

#[tokio::test]
async fn date_bounds_select_periods_by_their_start() {
    each_backend(|store| async move {
        corridor_data(&store).await;
        let filter = |from: (i32, u32, u32), to: (i32, u32, u32)| ObservationFilter {
            countries: vec![country("PAN")],
            places: PlaceFilter::Places(vec![place_code("PA-LB")]),
            from: NaiveDate::from_ymd_opt(from.0, from.1, from.2),
            to: NaiveDate::from_ymd_opt(to.0, to.1, to.2),
            ..Default::default()
        };
        // The month starts on 1 August, week 33 on 14 August, and the day is 14 August.
        assert_eq!(
            values(&store, filter((2023, 8, 1), (2023, 8, 31))).await,
            vec![2_600, 18_000, 40_000]
        );
        assert_eq!(
            values(&store, filter((2023, 8, 2), (2023, 8, 31))).await,
            vec![2_600, 18_000]
        );
        assert_eq!(
            values(&store, filter((2023, 8, 1), (2023, 8, 13))).await,
            vec![40_000]
        );
        assert_eq!(
            values(&store, filter((2023, 9, 1), (2023, 12, 31))).await,
            Vec::<u64>::new()
        );
    })
    .await;
}

#[tokio::test]
async fn limit_and_offset_page_through_a_stable_order() {
    each_backend(|store| async move {
        corridor_data(&store).await;
        let all = store
            .observations(&ObservationFilter::default())
            .await
            .unwrap();
        let starts: Vec<_> = all
            .iter()
            .map(|o| o.observation.key.period.start())
            .collect();
        let mut sorted = starts.clone();
        sorted.sort();
        assert_eq!(starts, sorted, "ordered by period start");

        let mut paged = Vec::new();
        for page in 0..4 {
            let filter = ObservationFilter {
                limit: Some(4),
                offset: page * 4,
                ..Default::default()
            };
            paged.extend(store.observations(&filter).await.unwrap());
        }
        assert_eq!(paged, all);
        let tail = store
            .observations(&ObservationFilter {
                offset: 13,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(tail, all[13..].to_vec());
    })
    .await;
}
