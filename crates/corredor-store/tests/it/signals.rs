use corredor_core::{CorridorCode, Measure, SignalKind, SignalOutcome};
use corredor_store::{
    DecisionFilter, NewSignal, SignalFilter, SignalScope, Store, StoreError, StoredSignal,
};
use serde_json::json;

use crate::support::{at, country, each_backend, nationality, period, place_code, with_reference};

/// The Darién build-up as a Farrington Flexible alarm: Venezuelans entering Panama in
/// August 2023, well above the bound their history gave.
fn darien_surge() -> NewSignal {
    NewSignal {
        kind: SignalKind::Surge,
        scope: SignalScope::Country(country("PAN")),
        place: None,
        measure: Measure::IrregularEntry,
        nationality: Some(nationality("VEN")),
        period: period("2023-08"),
        observed: Some(63_201.0),
        expected: 21_400.5,
        upper_bound: 38_950.25,
        score: 2.38,
        algorithm: "farrington-flexible".to_owned(),
        parameters: json!({"b": 2, "w": 2, "no_periods": 10, "alpha": 0.01}),
        detected_at: at(5, 9),
    }
}

fn rgv_surge() -> NewSignal {
    NewSignal {
        scope: SignalScope::Country(country("USA")),
        place: Some(place_code("US-BP-RGV")),
        measure: Measure::Encounter,
        nationality: None,
        period: period("2023-W50"),
        observed: Some(14_002.0),
        expected: 6_100.0,
        upper_bound: 9_800.0,
        score: 1.9,
        algorithm: "ears-c3".to_owned(),
        parameters: json!({"baseline": 7, "alpha": 0.025}),
        ..darien_surge()
    }
}

fn corridor_surge() -> NewSignal {
    NewSignal {
        scope: SignalScope::Corridor(
            CorridorCode::parse("northbound").expect("a valid corridor code"),
        ),
        nationality: None,
        measure: Measure::IrregularEntry,
        period: period("2023-09"),
        ..darien_surge()
    }
}

/// A capacity signal as forecasting records it: no observed count yet.
fn shelter_capacity() -> NewSignal {
    NewSignal {
        kind: SignalKind::Capacity,
        scope: SignalScope::Country(country("PAN")),
        place: Some(place_code("PA-LB")),
        measure: Measure::IrregularEntry,
        nationality: None,
        period: period("2023-W40"),
        observed: None,
        expected: 3_500.0,
        upper_bound: 2_000.0,
        score: 1.75,
        algorithm: "corridor-propagation".to_owned(),
        parameters: json!({"horizon_weeks": 2}),
        detected_at: at(5, 10),
    }
}

async fn stored(store: &Store) -> Vec<StoredSignal> {
    with_reference(store).await;
    let signals = [
        darien_surge(),
        rgv_surge(),
        corridor_surge(),
        shelter_capacity(),
    ];
    let new = store
        .record_signals(&signals)
        .await
        .expect("the signals are recorded");
    assert_eq!(new, 4);
    store
        .signals(&SignalFilter::default())
        .await
        .expect("the signals are read")
}

fn find<'a>(signals: &'a [StoredSignal], wanted: &NewSignal) -> &'a StoredSignal {
    signals
        .iter()
        .find(|stored| stored.signal == *wanted)
        .expect("the signal was stored as given")
}

#[tokio::test]
async fn signals_read_back_with_all_their_evidence_latest_period_first() {
    each_backend(|store| async move {
        let signals = stored(&store).await;
        let periods: Vec<String> = signals
            .iter()
            .map(|s| s.signal.period.to_string())
            .collect();
        assert_eq!(periods, ["2023-W50", "2023-W40", "2023-09", "2023-08"]);
        for wanted in [
            darien_surge(),
            rgv_surge(),
            corridor_surge(),
            shelter_capacity(),
        ] {
            let found = find(&signals, &wanted);
            assert_eq!(found.decision, None);
            assert_eq!(
                store.signal(found.id).await.expect("one signal is read"),
                *found
            );
        }
        assert_eq!(find(&signals, &shelter_capacity()).signal.observed, None);
    })
    .await;
}

#[tokio::test]
async fn rescanning_records_nothing_twice_and_keeps_the_decision() {
    each_backend(|store| async move {
        let signals = stored(&store).await;
        let darien = find(&signals, &darien_surge()).id;
        store
            .decide_signal(
                darien,
                SignalOutcome::Escalated,
                "analyst.pan",
                "Confirmed by SNM",
                at(6, 8),
            )
            .await
            .expect("the decision is recorded");

        // The same alarms again, one with different evidence (a revised count): nothing new.
        let mut revised = darien_surge();
        revised.observed = Some(64_000.0);
        revised.detected_at = at(7, 9);
        let new = store
            .record_signals(&[revised, rgv_surge(), corridor_surge()])
            .await
            .expect("the scan is recorded again");
        assert_eq!(new, 0);

        let again = store.signal(darien).await.expect("the signal is read");
        assert_eq!(again.signal, darien_surge());
        let decision = again.decision.expect("the decision stays");
        assert_eq!(decision.outcome, SignalOutcome::Escalated);
        assert_eq!(decision.decided_by, "analyst.pan");
        assert_eq!(
            store
                .signals(&SignalFilter::default())
                .await
                .expect("the signals are read")
                .len(),
            4
        );

        // The same series and period under another algorithm is another signal.
        let mut other = darien_surge();
        other.algorithm = "ears-c3".to_owned();
        assert_eq!(store.record_signals(&[other]).await, Ok(1));
    })
    .await;
}

#[tokio::test]
async fn a_new_decision_becomes_current_and_the_earlier_one_stays_readable() {
    each_backend(|store| async move {
        let signals = stored(&store).await;
        let rgv = find(&signals, &rgv_surge()).id;
        let first = store
            .decide_signal(
                rgv,
                SignalOutcome::Monitoring,
                "analyst.usa",
                "Within the seasonal range of the sector",
                at(6, 8),
            )
            .await
            .expect("the first decision is recorded");
        assert_eq!(
            first.decision.as_ref().map(|d| d.outcome),
            Some(SignalOutcome::Monitoring)
        );
        let second = store
            .decide_signal(
                rgv,
                SignalOutcome::Discarded,
                "supervisor.usa",
                "Backlog of November entries processed in December",
                at(9, 16),
            )
            .await
            .expect("the second decision is recorded");
        let current = second.decision.expect("the signal is decided");
        assert_eq!(current.outcome, SignalOutcome::Discarded);
        assert_eq!(current.decided_at, at(9, 16));

        let history = store
            .signal_decisions(rgv)
            .await
            .expect("the decisions are read");
        let outcomes: Vec<(SignalOutcome, &str)> = history
            .iter()
            .map(|d| (d.outcome, d.decided_by.as_str()))
            .collect();
        assert_eq!(
            outcomes,
            [
                (SignalOutcome::Monitoring, "analyst.usa"),
                (SignalOutcome::Discarded, "supervisor.usa")
            ]
        );
        assert_eq!(history[0].reason, "Within the seasonal range of the sector");
        assert_eq!(history[0].decided_at, at(6, 8));
    })
    .await;
}

#[tokio::test]
async fn deciding_an_unknown_signal_or_without_a_reason_changes_nothing() {
    each_backend(|store| async move {
        let signals = stored(&store).await;
        let darien = find(&signals, &darien_surge()).id;
        let unknown = signals.iter().map(|s| s.id).max().unwrap_or(0) + 1_000;
        assert!(matches!(
            store
                .decide_signal(unknown, SignalOutcome::Discarded, "a", "b", at(6, 8))
                .await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            store
                .decide_signal(
                    darien,
                    SignalOutcome::Discarded,
                    "analyst.pan",
                    "  ",
                    at(6, 8)
                )
                .await,
            Err(StoreError::Conflict { .. })
        ));
        assert!(matches!(
            store
                .decide_signal(darien, SignalOutcome::Discarded, "", "A backlog", at(6, 8))
                .await,
            Err(StoreError::Conflict { .. })
        ));
        assert_eq!(store.signal(darien).await.expect("read").decision, None);
        assert_eq!(store.signal_decisions(darien).await, Ok(Vec::new()));
        assert!(matches!(
            store.signal(unknown).await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn signals_are_filtered_by_country_kind_measure_decision_and_period() {
    each_backend(|store| async move {
        let signals = stored(&store).await;
        let darien = find(&signals, &darien_surge()).id;
        store
            .decide_signal(
                darien,
                SignalOutcome::Discarded,
                "analyst.pan",
                "Backlog",
                at(6, 8),
            )
            .await
            .expect("the decision is recorded");

        let read = |filter: SignalFilter| {
            let store = store.clone();
            async move {
                let mut periods: Vec<String> = store
                    .signals(&filter)
                    .await
                    .expect("the signals are read")
                    .into_iter()
                    .map(|s| format!("{}:{}", s.signal.algorithm, s.signal.period))
                    .collect();
                periods.sort();
                periods
            }
        };
        assert_eq!(
            read(SignalFilter {
                countries: vec![country("PAN")],
                ..SignalFilter::default()
            })
            .await,
            [
                "corridor-propagation:2023-W40",
                "farrington-flexible:2023-08"
            ]
        );
        assert_eq!(
            read(SignalFilter {
                kind: Some(SignalKind::Surge),
                measure: Some(Measure::IrregularEntry),
                ..SignalFilter::default()
            })
            .await,
            ["farrington-flexible:2023-08", "farrington-flexible:2023-09"]
        );
        assert_eq!(
            read(SignalFilter {
                decision: DecisionFilter::Open,
                kind: Some(SignalKind::Surge),
                ..SignalFilter::default()
            })
            .await,
            ["ears-c3:2023-W50", "farrington-flexible:2023-09"]
        );
        assert_eq!(
            read(SignalFilter {
                decision: DecisionFilter::Outcome(SignalOutcome::Discarded),
                ..SignalFilter::default()
            })
            .await,
            ["farrington-flexible:2023-08"]
        );
        assert_eq!(
            read(SignalFilter {
                from: Some(period("2023-09").start()),
                to: Some(period("2023-10").end()),
                ..SignalFilter::default()
            })
            .await,
            [
                "corridor-propagation:2023-W40",
                "farrington-flexible:2023-09"
            ]
        );
        assert_eq!(
            store
                .signals(&SignalFilter {
                    limit: Some(1),
                    ..SignalFilter::default()
                })
                .await
                .expect("read")
                .len(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn statistics_give_the_share_of_discarded_signals_per_algorithm() {
    each_backend(|store| async move {
        let signals = stored(&store).await;
        for (wanted, outcome) in [
            (darien_surge(), SignalOutcome::Discarded),
            (corridor_surge(), SignalOutcome::Escalated),
        ] {
            store
                .decide_signal(
                    find(&signals, &wanted).id,
                    outcome,
                    "analyst.pan",
                    "Verified with the reception stations",
                    at(6, 8),
                )
                .await
                .expect("the decision is recorded");
        }
        let statistics = store
            .signal_statistics()
            .await
            .expect("the statistics are read");
        let summary: Vec<String> = statistics
            .iter()
            .map(|s| {
                format!(
                    "{}: {} signals, {} open, {} discarded, {} escalated, share {:?}",
                    s.algorithm,
                    s.signals,
                    s.open,
                    s.discarded,
                    s.escalated,
                    s.discarded_share()
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                "corridor-propagation: 1 signals, 1 open, 0 discarded, 0 escalated, share None",
                "ears-c3: 1 signals, 1 open, 0 discarded, 0 escalated, share None",
                "farrington-flexible: 2 signals, 0 open, 1 discarded, 1 escalated, share Some(0.5)",
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn a_signal_with_a_number_that_is_not_finite_is_refused_and_nothing_is_recorded() {
    each_backend(|store| async move {
        with_reference(&store).await;
        let mut broken = rgv_surge();
        broken.upper_bound = f64::NAN;
        assert!(matches!(
            store.record_signals(&[darien_surge(), broken]).await,
            Err(StoreError::Conflict { .. })
        ));
        assert_eq!(
            store.signals(&SignalFilter::default()).await,
            Ok(Vec::new())
        );
    })
    .await;
}
