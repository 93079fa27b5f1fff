use corredor_app::store::{ForecastRunFilter, SignalFilter, StoredSignal};
use corredor_app::{demo, ForecastQuery, ForecastSeries, ImportRequest, CAPACITY_ALGORITHM};
use corredor_core::{CountryCode, Nationality, Period, Place, PlaceCode, PlaceKind, SignalKind};
use corredor_exchange::observations::Format;

use crate::support::TestApp;

fn country(code: &str) -> CountryCode {
    CountryCode::parse(code).unwrap()
}

fn venezuelans() -> Nationality {
    Nationality::parse("VEN").unwrap()
}

async fn with_demo() -> TestApp {
    let test = TestApp::new().await;
    demo::load(&test.app, &mut |_| {})
        .await
        .expect("the demo loads");
    test
}

async fn latest(test: &TestApp, query: &ForecastQuery) -> Vec<ForecastSeries> {
    let mut corridors = test
        .app
        .forecasts(&corredor_core::Caller::System, query)
        .await
        .expect("the forecasts read");
    assert_eq!(corridors.len(), 1, "the shipped northbound corridor only");
    corridors.remove(0).series
}

async fn import(test: &TestApp, code: &str, file: &str) {
    let request = ImportRequest {
        country: Some(country(code)),
        format: Format::Csv,
        caller: &corredor_core::Caller::System,
        on_behalf_of: Some("test"),
    };
    test.app
        .import(request, "test.csv", file.as_bytes())
        .await
        .expect("the file imports");
}

#[tokio::test]
async fn after_the_demo_venezuelans_are_forecast_at_every_node_with_data_inside_their_intervals() {
    let test = with_demo().await;
    let query = ForecastQuery {
        nationalities: vec![venezuelans()],
        history: 12,
        ..ForecastQuery::default()
    };
    let series = latest(&test, &query).await;
    for code in ["PAN", "HND", "MEX", "USA"] {
        let node = series
            .iter()
            .find(|s| s.country == country(code) && s.nationality == Some(venezuelans()))
            .unwrap_or_else(|| panic!("Venezuelans are forecast in {code}"));
        assert_eq!(node.steps.len(), 3, "three months ahead in {code}");
        for (step, horizon) in node.steps.iter().zip(1..) {
            assert_eq!(step.horizon, horizon);
            assert!(
                step.lower95 <= step.forecast && step.forecast <= step.upper95,
                "{code}: {step:?}"
            );
            assert!(step.lower95 <= step.lower80 && step.upper80 <= step.upper95);
        }
        assert!(!node.observed.is_empty(), "{code} shows what was counted");
        let last = node.observed.last().unwrap().0;
        assert_eq!(node.steps[0].target, last.next(), "{code}");
    }
    // Countries without counts are not forecast, and the run says why.
    assert!(series
        .iter()
        .all(|s| !["CRI", "NIC", "GTM"].contains(&s.country.as_str())));
    let corridors = test
        .app
        .forecasts(&corredor_core::Caller::System, &query)
        .await
        .unwrap();
    let notes = corridors[0].notes.join("\n");
    for code in ["CRI", "NIC", "GTM", "COL"] {
        assert!(notes.contains(code), "{code} is explained: {notes}");
    }
    // The legs were fitted: Venezuelans crossing the Darién continue to Honduras.
    let legs = test
        .app
        .forecast_legs(&corredor_core::Caller::System)
        .await
        .unwrap();
    let darien = legs[0]
        .legs
        .iter()
        .find(|leg| {
            leg.nationality == Some(venezuelans())
                && leg.from == country("PAN")
                && leg.to == country("HND")
        })
        .expect("the Panama–Honduras leg of Venezuelans");
    assert!(darien.continuation > 0.3, "{darien:?}");
}

#[tokio::test]
async fn a_kept_forecast_is_scored_when_the_count_of_its_target_arrives() {
    let test = with_demo().await;
    let query = ForecastQuery {
        countries: vec![country("PAN")],
        nationalities: vec![venezuelans()],
        ..ForecastQuery::default()
    };
    let series = latest(&test, &query).await;
    let next = series[0].steps[0].clone();
    let target: Period = next.target;
    let skill_before = test
        .app
        .forecast_skill(&corredor_core::Caller::System)
        .await
        .unwrap();
    assert!(
        !skill_before
            .scored
            .iter()
            .any(|s| s.row.country == country("PAN") && s.row.target == target),
        "nothing counted yet for {target}"
    );

    // Panama reports the month: 2,000 Venezuelans out of 2,500 people.
    let file = format!(
        "period,place,measure,nationality,value\n\
         {target},,irregular_entry,,2500\n\
         {target},,irregular_entry,VEN,2000\n"
    );
    import(&test, "PAN", &file).await;
    let runs = test
        .app
        .store()
        .forecast_runs(&ForecastRunFilter::default())
        .await
        .unwrap();
    assert_eq!(
        runs.len(),
        4,
        "the demo's runs and those after the import, each with its ETS baseline"
    );
    // The same file again changes nothing, so no forecast is published again.
    import(&test, "PAN", &file).await;
    let again = test
        .app
        .store()
        .forecast_runs(&ForecastRunFilter::default())
        .await
        .unwrap();
    assert_eq!(again.len(), 4);

    let skill = test
        .app
        .forecast_skill(&corredor_core::Caller::System)
        .await
        .unwrap();
    let scored = skill
        .scored
        .iter()
        .find(|s| {
            s.row.country == country("PAN")
                && s.row.nationality == Some(venezuelans())
                && s.row.target == target
                && s.row.horizon == 1
        })
        .expect("the forecast of the month is scored");
    assert_eq!(scored.actual, 2000);
    assert!((scored.absolute_error - (2000.0 - next.forecast).abs()).abs() < 1e-9);
    assert_eq!(
        scored.inside80,
        (next.lower80..=next.upper80).contains(&2000.0)
    );
    let running = skill
        .skills
        .iter()
        .find(|s| s.country == country("PAN") && s.nationality == Some(venezuelans()))
        .expect("Panama's Venezuelans have a running skill");
    assert!(running.scored >= 1);
    assert!((0.0..=1.0).contains(&running.coverage80));
    assert!(
        skill.skills.iter().any(|s| s.country == country("PAN")
            && s.nationality == Some(venezuelans())
            && s.model == "ets"),
        "the ETS baseline of the same month is scored beside it"
    );
    // And the node shows it beside its forecast.
    let series = latest(&test, &query).await;
    assert_eq!(
        series[0].skill.as_ref().map(|s| s.scored),
        Some(running.scored)
    );
}

#[tokio::test]
async fn forecast_arrivals_above_the_room_left_in_a_shelter_raise_a_capacity_signal() {
    let test = with_demo().await;
    let shelter = |code: &str, name: &str| {
        Place::new(
            PlaceCode::parse(code).unwrap(),
            name,
            country("MEX"),
            PlaceKind::Shelter,
            None,
            (14.9, -92.26),
        )
        .unwrap()
    };
    test.app
        .put_place(
            &corredor_core::Caller::System,
            &shelter("MX-TAP-SHELTER", "Albergue de Tapachula"),
        )
        .await
        .unwrap();
    test.app
        .put_place(
            &corredor_core::Caller::System,
            &shelter("MX-TAP-LARGE", "Albergue grande"),
        )
        .await
        .unwrap();
    import(
        &test,
        "MEX",
        "period,place,measure,value\n\
         2025-04,MX-TAP-SHELTER,shelter_capacity,1000\n\
         2025-04,MX-TAP-SHELTER,shelter_occupancy,800\n\
         2025-04,MX-TAP-LARGE,shelter_capacity,50000000\n\
         2025-04,MX-TAP-LARGE,shelter_occupancy,10\n",
    )
    .await;

    let warnings = test
        .app
        .capacity_warnings(&corredor_core::Caller::System)
        .await
        .unwrap();
    assert!(!warnings.is_empty());
    assert!(
        warnings
            .iter()
            .all(|w| w.place.code.as_str() == "MX-TAP-SHELTER"),
        "the large shelter has room: {warnings:#?}"
    );
    let mexico = latest(
        &test,
        &ForecastQuery {
            countries: vec![country("MEX")],
            total_only: true,
            ..ForecastQuery::default()
        },
    )
    .await;
    for warning in &warnings {
        assert_eq!((warning.capacity, warning.occupancy), (1000, 800));
        let step = mexico[0]
            .steps
            .iter()
            .find(|step| step.target == warning.period)
            .expect("a warning is about a forecast period");
        // The shelter counts no arrivals, so it is given all of Mexico's.
        assert_eq!(warning.place_share, 1.0);
        assert!((warning.arrivals_upper80 - step.upper80).abs() < 1e-9);
        assert_eq!(
            warning.excess,
            (step.upper80 + 800.0 - 1000.0).ceil() as u64,
            "by how many"
        );
    }

    let signals: Vec<StoredSignal> = test
        .app
        .store()
        .signals(&SignalFilter {
            kind: Some(SignalKind::Capacity),
            ..SignalFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(signals.len(), warnings.len(), "one signal per warning");
    for signal in &signals {
        assert_eq!(signal.signal.algorithm, CAPACITY_ALGORITHM);
        assert_eq!(signal.signal.upper_bound, 1000.0);
        assert!(signal.signal.expected > 1000.0);
        assert!(warnings.iter().any(|w| w.period == signal.signal.period));
    }
}
