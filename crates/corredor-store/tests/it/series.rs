use chrono::NaiveDate;
use corredor_core::{Granularity, Measure, Sex};
use corredor_store::{DimensionFilter, GroupBy, PlaceFilter, SeriesQuery, Store};

use crate::support::{
    at, batch, country, each_backend, nationality, obs, period, place_code, submission,
    with_reference,
};

async fn monthly_flows(store: &Store) {
    with_reference(store).await;
    // Each month: a country total, its parts by nationality (which add up to it), a part by
    // nationality and sex, and place values.
    let mut rows = Vec::new();
    for (month, total, venezuelans, ecuadorians) in [
        ("2023-07", 50_000, 40_000, 10_000),
        ("2023-08", 81_946, 63_201, 18_745),
        ("2023-09", 75_000, 60_000, 15_000),
    ] {
        rows.push(obs("PAN", month, Measure::IrregularEntry, total));
        rows.push(obs("PAN", month, Measure::IrregularEntry, venezuelans).nationality("VEN"));
        rows.push(obs("PAN", month, Measure::IrregularEntry, ecuadorians).nationality("ECU"));
        rows.push(
            obs("PAN", month, Measure::IrregularEntry, venezuelans / 2)
                .nationality("VEN")
                .sex(Sex::Female),
        );
        rows.push(obs("PAN", month, Measure::IrregularEntry, total / 2).at("PA-LB"));
        rows.push(obs("PAN", month, Measure::IrregularEntry, total - total / 2).at("PA-SV"));
        rows.push(obs("CRI", month, Measure::IrregularEntry, total - 1_000));
        rows.push(
            obs("CRI", month, Measure::IrregularEntry, venezuelans - 1_000).nationality("VEN"),
        );
    }
    rows.push(obs("PAN", "2023-W33", Measure::IrregularEntry, 18_000));
    rows.push(obs("PAN", "2023-08", Measure::Encounter, 12));
    store
        .record_observations(&batch(rows), &submission("ana", at(2, 9)))
        .await
        .expect("the flows are recorded");
}

fn query() -> SeriesQuery {
    SeriesQuery {
        measure: Measure::IrregularEntry,
        countries: vec![country("PAN")],
        places: PlaceFilter::CountryLevel,
        granularity: Granularity::Month,
        group_by: GroupBy::default(),
        nationality: DimensionFilter::Any,
        sex: DimensionFilter::Any,
        age_group: DimensionFilter::Any,
        vulnerability: DimensionFilter::Any,
        from: None,
        to: None,
    }
}

async fn points(store: &Store, query: &SeriesQuery) -> Vec<(String, u64)> {
    store
        .series(query)
        .await
        .unwrap()
        .into_iter()
        .map(|row| (row.period.to_string(), row.value))
        .collect()
}

fn expected(points: &[(&str, u64)]) -> Vec<(String, u64)> {
    points.iter().map(|(p, v)| (p.to_string(), *v)).collect()
}

#[tokio::test]
async fn an_ungrouped_series_is_the_total_and_never_adds_the_parts_to_it() {
    each_backend(|store| async move {
        monthly_flows(&store).await;
        let rows = store.series(&query()).await.unwrap();
        assert_eq!(
            rows.iter()
                .map(|r| (r.period, r.value, r.observations))
                .collect::<Vec<_>>(),
            vec![
                (period("2023-07"), 50_000, 1),
                (period("2023-08"), 81_946, 1),
                (period("2023-09"), 75_000, 1)
            ]
        );
        assert!(rows
            .iter()
            .all(|r| r.nationality.is_none() && r.country.is_none()));
        let nothing = SeriesQuery {
            countries: vec![country("MEX")],
            ..query()
        };
        assert!(store.series(&nothing).await.unwrap().is_empty());
        let nothing_grouped = SeriesQuery {
            group_by: GroupBy {
                nationality: true,
                ..GroupBy::default()
            },
            ..nothing
        };
        assert!(store.series(&nothing_grouped).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn grouping_by_nationality_uses_only_the_nationality_parts() {
    each_backend(|store| async move {
        monthly_flows(&store).await;
        let by_nationality = SeriesQuery {
            group_by: GroupBy {
                nationality: true,
                ..GroupBy::default()
            },
            ..query()
        };
        let rows = store.series(&by_nationality).await.unwrap();
        let summary: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.period.to_string(),
                    r.nationality.map(|n| n.to_string()),
                    r.value,
                )
            })
            .collect();
        let row = |p: &str, n: &str, v: u64| (p.to_owned(), Some(n.to_owned()), v);
        assert_eq!(
            summary,
            vec![
                row("2023-07", "ECU", 10_000),
                row("2023-07", "VEN", 40_000),
                row("2023-08", "ECU", 18_745),
                row("2023-08", "VEN", 63_201),
                row("2023-09", "ECU", 15_000),
                row("2023-09", "VEN", 60_000),
            ]
        );
        // The parts add up to the published total, as the rule intends.
        let august: u64 = rows
            .iter()
            .filter(|r| r.period == period("2023-08"))
            .map(|r| r.value)
            .sum();
        assert_eq!(august, 81_946);
    })
    .await;
}

#[tokio::test]
async fn filtering_on_values_keeps_those_parts_and_adds_them_when_not_grouped() {
    each_backend(|store| async move {
        monthly_flows(&store).await;
        let venezuelans = SeriesQuery {
            nationality: DimensionFilter::Values(vec![nationality("VEN")]),
            ..query()
        };
        assert_eq!(
            points(&store, &venezuelans).await,
            expected(&[
                ("2023-07", 40_000),
                ("2023-08", 63_201),
                ("2023-09", 60_000)
            ])
        );
        let both = SeriesQuery {
            nationality: DimensionFilter::Values(vec![nationality("VEN"), nationality("ECU")]),
            ..query()
        };
        assert_eq!(
            points(&store, &both).await,
            expected(&[
                ("2023-07", 50_000),
                ("2023-08", 81_946),
                ("2023-09", 75_000)
            ])
        );
        let venezuelan_women = SeriesQuery {
            nationality: DimensionFilter::Values(vec![nationality("VEN")]),
            sex: DimensionFilter::Values(vec![Sex::Female]),
            ..query()
        };
        assert_eq!(
            points(&store, &venezuelan_women).await,
            expected(&[
                ("2023-07", 20_000),
                ("2023-08", 31_600),
                ("2023-09", 30_000)
            ])
        );
    })
    .await;
}

#[tokio::test]
async fn grouping_by_country_and_place_splits_the_sums() {
    each_backend(|store| async move {
        monthly_flows(&store).await;
        let by_country = SeriesQuery {
            countries: vec![],
            group_by: GroupBy {
                country: true,
                ..GroupBy::default()
            },
            from: NaiveDate::from_ymd_opt(2023, 8, 1),
            to: NaiveDate::from_ymd_opt(2023, 8, 31),
            ..query()
        };
        let rows = store.series(&by_country).await.unwrap();
        let summary: Vec<_> = rows
            .iter()
            .map(|r| (r.country.map(|c| c.to_string()), r.value))
            .collect();
        assert_eq!(
            summary,
            vec![(Some("CRI".into()), 80_946), (Some("PAN".into()), 81_946)]
        );

        let at_places = SeriesQuery {
            places: PlaceFilter::AnyPlace,
            ..query()
        };
        assert_eq!(
            points(&store, &at_places).await,
            expected(&[
                ("2023-07", 50_000),
                ("2023-08", 81_946),
                ("2023-09", 75_000)
            ])
        );
        let by_place = SeriesQuery {
            places: PlaceFilter::AnyPlace,
            group_by: GroupBy {
                place: true,
                ..GroupBy::default()
            },
            from: NaiveDate::from_ymd_opt(2023, 9, 1),
            ..query()
        };
        let rows = store.series(&by_place).await.unwrap();
        let summary: Vec<_> = rows
            .iter()
            .map(|r| (r.place.clone(), r.value, r.observations))
            .collect();
        assert_eq!(
            summary,
            vec![
                (Some(place_code("PA-LB")), 37_500, 1),
                (Some(place_code("PA-SV")), 37_500, 1)
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn a_series_uses_only_its_granularity_and_measure_and_the_current_values() {
    each_backend(|store| async move {
        monthly_flows(&store).await;
        let weekly = SeriesQuery {
            granularity: Granularity::Week,
            ..query()
        };
        assert_eq!(
            points(&store, &weekly).await,
            expected(&[("2023-W33", 18_000)])
        );
        let encounters = SeriesQuery {
            measure: Measure::Encounter,
            ..query()
        };
        assert_eq!(
            points(&store, &encounters).await,
            expected(&[("2023-08", 12)])
        );

        store
            .record_observations(
                &batch([obs("PAN", "2023-08", Measure::IrregularEntry, 82_000)]),
                &submission("luis", at(3, 9)),
            )
            .await
            .unwrap();
        assert_eq!(
            points(&store, &query()).await,
            expected(&[
                ("2023-07", 50_000),
                ("2023-08", 82_000),
                ("2023-09", 75_000)
            ])
        );
    })
    .await;
}

#[tokio::test]
async fn reported_periods_say_when_each_was_first_submitted_and_by_how_many_places() {
    each_backend(|store| async move {
        monthly_flows(&store).await;
        // A later correction does not make August late; a new month is reported later.
        store
            .record_observations(
                &batch([
                    obs("PAN", "2023-08", Measure::IrregularEntry, 82_000),
                    obs("PAN", "2023-10", Measure::IrregularEntry, 70_000).at("PA-LB"),
                ]),
                &submission("luis", at(20, 9)),
            )
            .await
            .unwrap();
        let reported = store
            .reported_periods(country("PAN"), Measure::IrregularEntry)
            .await
            .unwrap();
        let summary: Vec<_> = reported
            .iter()
            .map(|r| (r.period.to_string(), r.first_submitted_at, r.place_count))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("2023-07".to_owned(), at(2, 9), 3),
                ("2023-08".to_owned(), at(2, 9), 3),
                ("2023-W33".to_owned(), at(2, 9), 1),
                ("2023-09".to_owned(), at(2, 9), 3),
                ("2023-10".to_owned(), at(20, 9), 1),
            ]
        );
        assert!(store
            .reported_periods(country("MEX"), Measure::IrregularEntry)
            .await
            .unwrap()
            .is_empty());
    })
    .await;
}
