use chrono::NaiveDate;
use corredor_app::{demo, Dimension, SeriesRequest, Unit};
use corredor_core::{CountryCode, Granularity, Measure, Nationality, Period};

use crate::support::TestApp;

fn country(code: &str) -> CountryCode {
    CountryCode::parse(code).unwrap()
}

fn day(raw: &str) -> NaiveDate {
    Period::parse(raw).unwrap().start()
}

/// The total of one country's monthly series of `measure` between two months (inclusive).
async fn total(test: &TestApp, code: &str, measure: Measure, from: &str, to: &str) -> u64 {
    let mut request = SeriesRequest::new(measure, Granularity::Month);
    request.countries = vec![country(code)];
    request.from = Some(day(from));
    request.to = Some(Period::parse(to).unwrap().end());
    let response = test
        .app
        .series(&corredor_core::Caller::System, &request)
        .await
        .expect("the series reads");
    response.lines.iter().map(|line| line.total).sum()
}

#[tokio::test]
async fn the_demo_data_adds_up_to_the_published_totals() {
    let test = TestApp::new().await;
    let report = demo::load(&test.app, &mut |_| {})
        .await
        .expect("the demo loads");
    assert_eq!(report.datasets.len(), 11);

    // Darién 2023: 520,085 people (SNM), of whom 328,650 Venezuelans.
    assert_eq!(
        total(&test, "PAN", Measure::IrregularEntry, "2023-01", "2023-12").await,
        520_085
    );
    let mut venezuelans = SeriesRequest::new(Measure::IrregularEntry, Granularity::Year);
    venezuelans.countries = vec![country("PAN")];
    venezuelans.nationalities = vec![Nationality::parse("VEN").unwrap()];
    venezuelans.by = vec![Dimension::Nationality];
    venezuelans.from = Some(day("2023"));
    venezuelans.to = Some(Period::parse("2023").unwrap().end());
    let response = test
        .app
        .series(&corredor_core::Caller::System, &venezuelans)
        .await
        .unwrap();
    assert_eq!(response.lines[0].total, 328_650);
    assert_eq!(response.unit, Unit::People);

    // US southwest border, fiscal year 2023 (October 2022 to September 2023): 2,475,669
    // encounters, and the record month December 2022: 252,315.
    assert_eq!(
        total(&test, "USA", Measure::Encounter, "2022-10", "2023-09").await,
        2_475_669
    );
    assert_eq!(
        total(&test, "USA", Measure::Encounter, "2022-12", "2022-12").await,
        252_315
    );

    // Honduras 2023: 545,043; Mexico 2023: 778,907 events; Guatemala 2022: 94,216 returnees.
    assert_eq!(
        total(&test, "HND", Measure::IrregularEntry, "2023-01", "2023-12").await,
        545_043
    );
    assert_eq!(
        total(&test, "MEX", Measure::Encounter, "2023-01", "2023-12").await,
        778_907
    );
    assert_eq!(
        total(
            &test,
            "GTM",
            Measure::ReturneeReceived,
            "2022-01",
            "2022-12"
        )
        .await,
        94_216
    );
}

#[tokio::test]
async fn loading_the_demo_twice_changes_nothing() {
    let test = TestApp::new().await;
    let first = demo::load(&test.app, &mut |_| {}).await.unwrap();
    let count = test.app.store().count_observations().await.unwrap();
    let second = demo::load(&test.app, &mut |_| {}).await.unwrap();
    assert_eq!(
        second.observations, 0,
        "no value was inserted or revised the second time"
    );
    assert_eq!(test.app.store().count_observations().await.unwrap(), count);
    assert!(first.observations > 30_000);
}

#[tokio::test]
async fn the_us_total_by_sector_is_labelled_events_and_sums_the_sectors() {
    let test = TestApp::new().await;
    demo::load(&test.app, &mut |_| {}).await.unwrap();
    let mut by_place = SeriesRequest::new(Measure::Encounter, Granularity::Month);
    by_place.countries = vec![country("USA")];
    by_place.by = vec![Dimension::Place];
    by_place.from = Some(day("2022-12"));
    by_place.to = Some(Period::parse("2022-12").unwrap().end());
    let response = test
        .app
        .series(&corredor_core::Caller::System, &by_place)
        .await
        .unwrap();
    assert_eq!(response.unit, Unit::Events);
    assert!(
        response.lines.len() >= 9,
        "every Border Patrol sector and field office"
    );
    assert_eq!(
        response.lines.iter().map(|line| line.total).sum::<u64>(),
        252_315
    );
}

#[tokio::test]
async fn the_situational_picture_shows_every_corridor_country_in_order() {
    let test = TestApp::new().await;
    demo::load(&test.app, &mut |_| {}).await.unwrap();
    let picture = test
        .app
        .situational_picture(&corredor_core::Caller::System)
        .await
        .unwrap();
    let order: Vec<&str> = picture
        .nodes
        .iter()
        .map(|node| node.country.code.as_str())
        .collect();
    assert_eq!(
        order,
        ["COL", "PAN", "CRI", "NIC", "HND", "GTM", "MEX", "USA"]
    );
    let panama = &picture.nodes[1];
    assert_eq!(panama.measure, Some(Measure::IrregularEntry));
    assert_eq!(
        panama.latest.map(|(period, _)| period.to_string()),
        Some("2025-04".to_owned())
    );
    let venezuelans_lead = picture
        .trends
        .iter()
        .find(|trend| trend.country.code.as_str() == "PAN")
        .map(|trend| trend.lines[0].nationality.map(|n| n.to_string()));
    assert_eq!(venezuelans_lead, Some(Some("VEN".to_owned())));
}

#[tokio::test]
async fn the_demo_proposes_an_alert_from_a_real_surge_and_keeps_transit_time_windows_on_monthly_data(
) {
    use corredor_core::{Caller, OrganisationCode, OrganisationKind, Principal, Role, WindowBasis};
    let test = TestApp::new().await;
    let report = demo::load(&test.app, &mut |_| {})
        .await
        .expect("the demo loads");
    let panama = Caller::Principal(Principal {
        name: "pan.focal".to_owned(),
        organisation: OrganisationCode::parse("PAN").unwrap(),
        kind: OrganisationKind::Country(country("PAN")),
        role: Role::FocalPoint,
    });
    let request = serde_json::from_value(serde_json::json!({
        "composition": { "estimated_people": 1200, "nationalities": [{ "nationality": "VEN", "estimated_people": 900 }] },
        "location": { "area": { "kind": "place", "place": "PA-ERM-LB" }, "description": "Lajas Blancas" },
        "route": { "corridor": "northbound", "direction": "northbound" },
        "stage": "in_transit",
        "needs": { "actions": [] },
        "text": { "english": { "headline": "1,200 people leave Lajas Blancas", "description": "Mostly Venezuelan." } },
        "seen_on": "2024-03-01",
    }))
    .unwrap();
    let stored = test.app.issue_alert(&panama, request).await.unwrap();
    // The demo proposed a draft from Panama's strongest recent surge, seen by Panama only.
    let proposed = test
        .app
        .alert(&panama, report.proposed_alert.expect("a proposal"))
        .await
        .unwrap();
    assert_eq!(
        proposed.stored.alert.state(),
        corredor_core::AlertState::Draft
    );
    // The Darién in September 2023: 75,268 people entered Panama (SNM).
    let headline = &proposed
        .stored
        .alert
        .latest()
        .content
        .text
        .spanish()
        .unwrap()
        .headline;
    assert_eq!(
        headline,
        "Aumento de entradas irregulares en PAN: 75.268 en 2023-09"
    );
    // The demo's forecasts are monthly: too coarse to place an arrival within a leg.
    let mexico = stored.alert.recipients()[4].arrival.unwrap();
    assert_eq!(
        (mexico.basis, mexico.from, mexico.to),
        (
            WindowBasis::TransitTimes,
            day("2024-03-22"),
            day("2024-04-12")
        )
    );
}
