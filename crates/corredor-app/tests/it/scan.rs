//! The surge scan on the real public data of the demo: the known surges of the corridor are
//! found, stocks are never scanned, re-scanning records nothing twice, and a decision is kept.

use corredor_app::store::{DecisionFilter, SignalFilter, SignalScope, StoredSignal};
use corredor_app::{demo, AppError, ScanRequest, FARRINGTON_FLEXIBLE};
use corredor_core::{CountryCode, Measure, MeasureKind, Nationality, Period, SignalOutcome};

use crate::support::TestApp;

fn country(code: &str) -> CountryCode {
    CountryCode::parse(code).expect("a valid country code")
}

fn month(raw: &str) -> Period {
    Period::parse(raw).expect("a valid month")
}

async fn with_demo() -> (TestApp, Vec<StoredSignal>) {
    let test = TestApp::new().await;
    let report = demo::load(&test.app, &mut |_| {})
        .await
        .expect("the demo loads");
    assert!(report.scan.series_scanned > 100, "{:?}", report.scan);
    assert_eq!(report.scan.signals_new, report.scan.signals_total);
    let signals = test
        .app
        .signals(&corredor_core::Caller::System, &SignalFilter::default())
        .await
        .expect("the signals are read");
    (test, signals)
}

fn country_signals<'a>(
    signals: &'a [StoredSignal],
    code: &str,
    measure: Measure,
    nationality: Option<&str>,
) -> Vec<&'a StoredSignal> {
    let nationality = nationality.map(|code| Nationality::parse(code).expect("valid"));
    signals
        .iter()
        .filter(|s| {
            s.signal.scope == SignalScope::Country(country(code))
                && s.signal.place.is_none()
                && s.signal.measure == measure
                && s.signal.nationality == nationality
        })
        .collect()
}

#[tokio::test]
async fn the_scan_of_the_demo_flags_the_2023_darien_build_up_and_the_record_december_2023_at_the_us_border(
) {
    let (_test, signals) = with_demo().await;

    // Venezuelans entering Panama through the Darién: the build-up of the second half of 2023.
    let venezuelans: Vec<Period> =
        country_signals(&signals, "PAN", Measure::IrregularEntry, Some("VEN"))
            .iter()
            .map(|s| s.signal.period)
            .collect();
    assert!(
        venezuelans.contains(&month("2023-09")),
        "Venezuelans in Panama alarmed in {venezuelans:?}"
    );
    let panama_2023: Vec<&StoredSignal> =
        country_signals(&signals, "PAN", Measure::IrregularEntry, None)
            .into_iter()
            .filter(|s| s.signal.period.start().format("%Y").to_string() == "2023")
            .collect();
    assert!(!panama_2023.is_empty(), "no 2023 alarm on Panama's total");
    for signal in &panama_2023 {
        let observed = signal.signal.observed.expect("a surge has its count");
        assert!(observed > signal.signal.expected, "{signal:?}");
    }

    // The record month at the US southwest border: 301,981 encounters in December 2023,
    // above the bound Farrington Flexible gives from the years before.
    let december = country_signals(&signals, "USA", Measure::Encounter, None)
        .into_iter()
        .find(|s| s.signal.period == month("2023-12"))
        .expect("December 2023 at the US southwest border is flagged");
    assert_eq!(december.signal.observed, Some(301_981.0));
    assert_eq!(december.signal.algorithm, FARRINGTON_FLEXIBLE);
    assert!(december.signal.observed.unwrap_or(0.0) > december.signal.upper_bound);
    assert!(december.signal.score > 1.0);
    assert_eq!(december.signal.parameters["w"], 1);
}

#[tokio::test]
async fn no_stock_is_ever_scanned_and_every_signal_is_above_its_expected_value() {
    let (_test, signals) = with_demo().await;
    assert!(!signals.is_empty());
    for stored in &signals {
        let signal = &stored.signal;
        assert_eq!(signal.measure.kind(), MeasureKind::Flow, "{signal:?}");
        let observed = signal.observed.expect("a surge has its count");
        assert!(observed > signal.expected, "{signal:?}");
        assert!(observed >= 5.0, "{signal:?}");
    }
    // The corridor sum is scanned too, as its own series.
    assert!(signals
        .iter()
        .any(|s| matches!(s.signal.scope, SignalScope::Corridor(_))));
}

#[tokio::test]
async fn rescanning_records_nothing_twice_and_keeps_the_recorded_decision() {
    let (test, signals) = with_demo().await;
    let december = country_signals(&signals, "USA", Measure::Encounter, None)
        .into_iter()
        .find(|s| s.signal.period == month("2023-12"))
        .expect("December 2023 is flagged");
    test.app
        .decide_signal(
            &usa_analyst(),
            december.id,
            SignalOutcome::Escalated,
            "Record month confirmed by CBP",
        )
        .await
        .expect("the decision is recorded");

    let again = test
        .app
        .scan(&ScanRequest {
            countries: Vec::new(),
            evaluate_last: Some(demo::DEMO_EVALUATE_LAST),
        })
        .await
        .expect("the scan runs again");
    assert_eq!(again.signals_new, 0);
    assert_eq!(again.signals_total, signals.len() as u64);

    let escalated = test
        .app
        .signals(
            &corredor_core::Caller::System,
            &SignalFilter {
                decision: DecisionFilter::Outcome(SignalOutcome::Escalated),
                ..SignalFilter::default()
            },
        )
        .await
        .expect("the signals are read");
    assert_eq!(escalated.len(), 1);
    assert_eq!(escalated[0].id, december.id);

    let statistics = test
        .app
        .signal_statistics()
        .await
        .expect("the statistics are read");
    let flexible = statistics
        .iter()
        .find(|s| s.algorithm == FARRINGTON_FLEXIBLE)
        .expect("Farrington Flexible alarmed");
    assert_eq!(flexible.escalated, 1);
    assert_eq!(flexible.discarded_share(), Some(0.0));
}

#[tokio::test]
async fn a_decision_without_a_reason_is_refused_and_the_detail_shows_the_series_around_the_signal()
{
    let (test, signals) = with_demo().await;
    let december = country_signals(&signals, "USA", Measure::Encounter, None)
        .into_iter()
        .find(|s| s.signal.period == month("2023-12"))
        .expect("December 2023 is flagged");
    let refused = test
        .app
        .decide_signal(&usa_analyst(), december.id, SignalOutcome::Discarded, " ")
        .await;
    assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");

    let detail = test
        .app
        .signal_detail(&corredor_core::Caller::System, december.id)
        .await
        .expect("the detail is read");
    assert!(detail.decisions.is_empty());
    let point = detail
        .history
        .iter()
        .find(|point| point.period == month("2023-12"))
        .expect("the history covers the signal's period");
    assert_eq!(point.observed, Some(301_981.0));
    assert!(point.alarm);
    assert_eq!(point.upper_bound, Some(december.signal.upper_bound));
    assert!(detail.history.len() >= 36);
}

/// Monthly irregular entries from January 2019 to September 2023 with a yearly rhythm, and
/// (for Panama) the build-up of August and September 2023.
fn monthly_file(country_share: f64, surge: bool) -> String {
    let mut csv = String::from("period,place,measure,nationality,value,source\n");
    for index in 0..57u32 {
        let (year, month) = (2019 + index / 12, index % 12 + 1);
        let season = (f64::from(month) / 12.0 * std::f64::consts::TAU).sin();
        let noise = f64::from((index * 37) % 200);
        let mut total = (2_000.0 + 300.0 * season + noise) * country_share;
        if surge && year == 2023 && month >= 8 {
            total *= 5.0;
        }
        let total = total.round() as u64;
        csv.push_str(&format!(
            "{year}-{month:02},,irregular_entry,,{total},test\n{year}-{month:02},,irregular_entry,VEN,{},test\n",
            total * 6 / 10
        ));
    }
    csv
}

#[tokio::test]
async fn an_import_scans_the_importing_country_and_the_corridor_sum_only() {
    let test = TestApp::new().await;
    test.app
        .install_reference_data()
        .await
        .expect("the reference data installs");
    let import = |code: &'static str, file: String| {
        let app = test.app.clone();
        async move {
            let request = corredor_app::ImportRequest {
                country: Some(country(code)),
                format: corredor_exchange::observations::Format::Csv,
                caller: &corredor_core::Caller::System,
                on_behalf_of: Some("analyst"),
            };
            app.import(request, "entries.csv", file.as_bytes())
                .await
                .expect("the file imports")
        }
    };
    import("CRI", monthly_file(0.8, false)).await;
    let costa_rica = SignalFilter {
        countries: vec![country("CRI")],
        ..SignalFilter::default()
    };
    let before = test
        .app
        .signals(&corredor_core::Caller::System, &costa_rica)
        .await
        .expect("read");

    let report = import("PAN", monthly_file(1.0, true)).await;
    let scan = report.scan.expect("the import was scanned");
    // Panama's total and Venezuelans, and the corridor sum of Panama and Costa Rica.
    assert_eq!(scan.series_scanned, 3, "{scan:?}");
    assert_eq!(
        test.app
            .signals(&corredor_core::Caller::System, &costa_rica)
            .await
            .expect("read"),
        before
    );

    let signals = test
        .app
        .signals(&corredor_core::Caller::System, &SignalFilter::default())
        .await
        .expect("read");
    let panama = country_signals(&signals, "PAN", Measure::IrregularEntry, None);
    let periods: Vec<Period> = panama.iter().map(|s| s.signal.period).collect();
    assert!(periods.contains(&month("2023-08")), "{periods:?}");
    assert!(panama
        .iter()
        .all(|s| s.signal.algorithm == FARRINGTON_FLEXIBLE));
    assert!(!country_signals(&signals, "PAN", Measure::IrregularEntry, Some("VEN")).is_empty());
    assert!(signals
        .iter()
        .all(|s| s.signal.scope != SignalScope::Country(country("CRI"))
            || before.iter().any(|b| b.id == s.id)));
}

/// An analyst of the United States, the country owning the CBP series.
fn usa_analyst() -> corredor_core::Caller {
    let usa = corredor_core::CountryCode::parse("USA").unwrap();
    corredor_core::Caller::Principal(corredor_core::Principal {
        name: "analyst.usa".to_owned(),
        organisation: corredor_core::OrganisationCode::of_country(usa),
        kind: corredor_core::OrganisationKind::Country(usa),
        role: corredor_core::Role::Analyst,
    })
}
