use corredor_core::{CorridorCode, Measure};
use corredor_store::{
    ForecastLeg, ForecastRow, ForecastRunFilter, NewForecastRun, Store, StoreError,
};
use serde_json::json;

use crate::support::{at, country, each_backend, nationality, period};

fn northbound() -> CorridorCode {
    CorridorCode::parse("northbound").unwrap()
}

/// A forecast of `nationality` (or the total) at `node` for `target`, `horizon` months after
/// the origin, with an interval around it.
fn row(node: &str, nat: Option<&str>, target: &str, horizon: u32, forecast: f64) -> ForecastRow {
    ForecastRow {
        country: country(node),
        measure: if node == "PAN" || node == "HND" {
            Measure::IrregularEntry
        } else {
            Measure::Encounter
        },
        nationality: nat.map(nationality),
        target: period(target),
        horizon,
        forecast,
        lower80: forecast * 0.8,
        upper80: forecast * 1.25,
        lower95: forecast * 0.6,
        upper95: forecast * 1.6,
        scale: (horizon != 3).then_some(1234.5),
    }
}

/// Venezuelans in Panama and Honduras, forecast from `origin` for three months.
fn run(origin: &str, day: u32, level: f64) -> NewForecastRun {
    let origin_period = period(origin);
    let mut rows = Vec::new();
    for horizon in 1..=3 {
        let target = origin_period.offset(i64::from(horizon)).to_string();
        rows.push(row("PAN", Some("VEN"), &target, horizon, level));
        rows.push(row("HND", Some("VEN"), &target, horizon, level * 0.9));
        rows.push(row("HND", None, &target, horizon, level * 1.5));
    }
    NewForecastRun {
        corridor: northbound(),
        model: "propagation".to_owned(),
        created_at: at(day, 9),
        origin: origin_period,
        parameters: json!({ "horizon": 3, "notes": ["CRI: no counts of irregular entries or encounters"] }),
        rows,
        legs: vec![
            ForecastLeg {
                nationality: Some(nationality("VEN")),
                from: country("PAN"),
                to: country("HND"),
                continuation: 0.93,
                mean_transit: Some(0.2),
                weights: vec![0.75, 0.18, 0.0],
            },
            ForecastLeg {
                nationality: Some(nationality("CUB")),
                from: country("PAN"),
                to: country("HND"),
                continuation: 0.0,
                mean_transit: None,
                weights: vec![0.0, 0.0, 0.0],
            },
        ],
    }
}

async fn record(store: &Store, new: &NewForecastRun) -> i64 {
    store
        .record_forecast_run(new)
        .await
        .expect("the forecast run is recorded")
}

#[tokio::test]
async fn a_recorded_run_reads_back_with_its_rows_and_legs() {
    each_backend(|store| async move {
        let new = run("2025-04", 2, 30_000.0);
        let id = record(&store, &new).await;
        let detail = store.forecast_run(id).await.expect("the run reads back");
        assert_eq!(detail.run.id, id);
        assert_eq!(detail.run.corridor, northbound());
        assert_eq!(detail.run.origin, period("2025-04"));
        assert_eq!(detail.run.created_at, at(2, 9));
        assert_eq!(detail.run.parameters, new.parameters);
        assert_eq!(detail.rows.len(), 9);
        for expected in &new.rows {
            assert!(
                detail.rows.contains(expected),
                "{expected:?} is kept as written"
            );
        }
        // An undefined scale and an undefined transit come back undefined.
        assert!(detail.rows.iter().any(|row| row.scale.is_none()));
        assert_eq!(detail.legs.len(), 2);
        for expected in &new.legs {
            assert!(detail.legs.contains(expected), "{expected:?}");
        }
        assert!(matches!(
            store.forecast_run(id + 100).await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn every_run_is_kept_and_the_latest_is_served_first() {
    each_backend(|store| async move {
        let first = record(&store, &run("2025-03", 1, 20_000.0)).await;
        let second = record(&store, &run("2025-04", 2, 30_000.0)).await;
        let mut other_model = run("2025-04", 2, 1.0);
        other_model.model = "snaive".to_owned();
        record(&store, &other_model).await;

        let runs = store
            .forecast_runs(&ForecastRunFilter {
                corridor: Some(northbound()),
                model: Some("propagation".to_owned()),
                limit: None,
            })
            .await
            .unwrap();
        let ids: Vec<i64> = runs.iter().map(|run| run.id).collect();
        assert_eq!(ids, vec![second, first]);
        assert_eq!(
            store
                .forecast_runs(&ForecastRunFilter::default())
                .await
                .unwrap()
                .len(),
            3
        );

        let latest = store
            .latest_forecasts(&northbound(), "propagation")
            .await
            .unwrap()
            .expect("a run exists");
        assert_eq!(latest.run.id, second);
        assert!(latest.rows.iter().all(|row| row.forecast >= 27_000.0));
        // The earlier run is still there, unchanged.
        let kept = store.forecast_run(first).await.unwrap();
        assert!(kept.rows.iter().all(|row| row.forecast <= 30_000.0));
        assert!(store
            .latest_forecasts(&CorridorCode::parse("southbound").unwrap(), "propagation")
            .await
            .unwrap()
            .is_none());
    })
    .await;
}

#[tokio::test]
async fn rows_for_scoring_are_those_whose_target_has_begun_once_per_origin() {
    each_backend(|store| async move {
        // Two runs from the same origin (a re-import), one from a later origin.
        record(&store, &run("2025-03", 1, 20_000.0)).await;
        let republished = record(&store, &run("2025-03", 2, 21_000.0)).await;
        let later = record(&store, &run("2025-04", 3, 30_000.0)).await;

        let through = period("2025-05").start();
        let kept = store
            .forecast_rows_for_scoring(&northbound(), through)
            .await
            .unwrap();
        // From 2025-03: targets 2025-04 and 2025-05 (3 rows each); from 2025-04: 2025-05.
        assert_eq!(kept.len(), 9, "{kept:#?}");
        assert!(kept.iter().all(|k| k.row.target.start() <= through));
        let from_march: Vec<_> = kept
            .iter()
            .filter(|k| k.origin == period("2025-03"))
            .collect();
        assert_eq!(from_march.len(), 6);
        assert!(
            from_march.iter().all(|k| k.run_id == republished),
            "only the republished forecast of an origin is scored"
        );
        assert!(kept
            .iter()
            .filter(|k| k.origin == period("2025-04"))
            .all(|k| k.run_id == later && k.row.horizon == 1));
        assert!(kept.iter().all(|k| k.model == "propagation"));
        assert!(store
            .forecast_rows_for_scoring(&northbound(), period("2025-03").start())
            .await
            .unwrap()
            .is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_forecast_that_is_not_a_number_is_refused_and_nothing_is_written() {
    each_backend(|store| async move {
        let mut bad = run("2025-04", 2, 30_000.0);
        bad.rows[4].upper95 = f64::NAN;
        assert!(matches!(
            store.record_forecast_run(&bad).await,
            Err(StoreError::Conflict { .. })
        ));
        assert!(store
            .forecast_runs(&ForecastRunFilter::default())
            .await
            .unwrap()
            .is_empty());
    })
    .await;
}
