//! The migratory alert's use cases: who sees what, reminders for recipients late to
//! acknowledge, levels raised by active alerts, two focal points acting at once, stranded
//! populations read under the sharing rules.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use corredor_app::store::Store;
use corredor_app::{AlertEventKind, App, AppError, Clock, NewAlert};
use corredor_core::{
    AlertLevel, AlertState, Caller, CountryCode, OrganisationCode, OrganisationKind, Principal,
    RequiredAction, Role, StrandedPopulationParts,
};

/// A clock the test moves.
#[derive(Clone)]
struct TestClock(Arc<Mutex<DateTime<Utc>>>);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

impl TestClock {
    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

async fn app() -> (App, TestClock, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.path().join("a.db").display()))
        .await
        .unwrap();
    let clock = TestClock(Arc::new(Mutex::new(
        Utc.with_ymd_and_hms(2023, 9, 14, 12, 0, 0).unwrap(),
    )));
    let app = App::new(store, Arc::new(clock.clone()));
    app.install_reference_data().await.unwrap();
    app.install_organisations().await.unwrap();
    (app, clock, dir)
}

fn person(organisation: &str, role: Role) -> Caller {
    let code = OrganisationCode::parse(organisation).unwrap();
    let kind = match organisation {
        "RCM" => OrganisationKind::Secretariat,
        "IOM" | "UNHCR" => OrganisationKind::Observer,
        country => OrganisationKind::Country(CountryCode::parse(country).unwrap()),
    };
    Caller::Principal(Principal {
        name: format!("{}.{}", organisation.to_lowercase(), role),
        organisation: code,
        kind,
        role,
    })
}

fn focal(country: &str) -> Caller {
    person(country, Role::FocalPoint)
}

/// 1,200 people leaving Lajas Blancas northbound, shared with IOM when asked.
fn lajas_blancas(activate: bool, shared_with_iom: bool) -> NewAlert {
    serde_json::from_value(serde_json::json!({
        "composition": { "estimated_people": 1200, "children": 310, "unaccompanied_children": 12 },
        "location": { "area": { "kind": "place", "place": "PA-ERM-LB" }, "description": "Lajas Blancas, Darién" },
        "route": { "corridor": "northbound", "direction": "northbound" },
        "stage": "in_transit",
        "needs": { "actions": ["health_care"] },
        "text": { "spanish": { "headline": "1.200 personas salen de Lajas Blancas", "description": "Grupo numeroso." } },
        "shared_with": if shared_with_iom { vec!["IOM"] } else { vec![] },
        "activate": activate,
    }))
    .unwrap()
}

#[tokio::test]
async fn a_draft_is_seen_by_its_country_only_and_a_sent_alert_by_recipients_sharers_and_the_secretariat(
) {
    let (app, _clock, _dir) = app().await;
    let draft = app
        .issue_alert(&focal("PAN"), lajas_blancas(false, true))
        .await
        .unwrap();
    let id = draft.id();
    let sees = |caller: Caller| {
        let app = app.clone();
        async move { app.alert(&caller, id).await.is_ok() }
    };
    assert!(sees(focal("PAN")).await);
    assert!(sees(person("PAN", Role::Analyst)).await);
    for outsider in [
        focal("CRI"),
        person("RCM", Role::Administrator),
        person("IOM", Role::Observer),
    ] {
        assert!(!sees(outsider).await, "a draft is its country's alone");
    }
    app.activate_alert(&focal("PAN"), id).await.unwrap();
    for reader in [
        focal("CRI"),
        person("MEX", Role::Analyst),
        person("RCM", Role::Administrator),
        person("IOM", Role::Observer),
    ] {
        assert!(sees(reader).await);
    }
    assert!(
        !sees(person("UNHCR", Role::Observer)).await,
        "not shared with UNHCR"
    );
    assert!(!sees(focal("BLZ")).await, "Belize is off the route");
    assert!(matches!(
        app.alert(&Caller::Anonymous, id).await,
        Err(AppError::Unauthenticated)
    ));
    // Seeing is not speaking: only the issuer's focal points change it.
    assert!(matches!(
        app.close_alert(&person("PAN", Role::Analyst), id).await,
        Err(AppError::Forbidden(_))
    ));
}

#[tokio::test]
async fn a_recipient_that_has_not_acknowledged_in_time_gets_one_reminder_and_an_event() {
    let (app, clock, _dir) = app().await;
    let app = app.with_acknowledgement_deadline(Duration::hours(12));
    let mut events = app.alert_events();
    let id = app
        .issue_alert(&focal("PAN"), lajas_blancas(true, false))
        .await
        .unwrap()
        .id();
    assert_eq!(events.recv().await.unwrap().kind, AlertEventKind::Activated);
    app.acknowledge_alert(&focal("CRI"), id).await.unwrap();
    assert_eq!(
        events.recv().await.unwrap().kind,
        AlertEventKind::Acknowledged
    );

    clock.advance(Duration::hours(11));
    assert!(
        app.raise_alert_reminders().await.unwrap().is_empty(),
        "not late yet"
    );
    clock.advance(Duration::hours(2));
    let raised = app.raise_alert_reminders().await.unwrap();
    let late: Vec<&str> = raised.iter().map(|r| r.country.as_str()).collect();
    assert_eq!(late, ["NIC", "HND", "GTM", "MEX", "USA"]);
    let reminder = events.recv().await.unwrap();
    assert_eq!(
        (reminder.kind, reminder.country.map(|c| c.to_string())),
        (AlertEventKind::Reminder, Some("NIC".to_owned()))
    );
    assert!(
        app.raise_alert_reminders().await.unwrap().is_empty(),
        "once per recipient"
    );
    let view = app.alert(&focal("PAN"), id).await.unwrap();
    assert_eq!(view.overdue.len(), 5);
    assert!(
        view.timeline
            .iter()
            .filter(|entry| entry.kind == "reminder")
            .count()
            == 5
    );
}

#[tokio::test]
async fn an_active_alert_raises_the_level_of_the_countries_it_concerns_and_what_it_obliges() {
    let (app, _clock, _dir) = app().await;
    app.set_alert_level(
        &focal("MEX"),
        CountryCode::parse("MEX").unwrap(),
        None,
        AlertLevel::High,
        "Tapachula shelters at capacity",
    )
    .await
    .unwrap();
    let refused = app
        .set_alert_level(
            &focal("MEX"),
            CountryCode::parse("MEX").unwrap(),
            Some(corredor_core::PlaceCode::parse("PA-ERM-LB").unwrap()),
            AlertLevel::High,
            "wrong place",
        )
        .await;
    assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");
    app.issue_alert(&focal("PAN"), lajas_blancas(true, false))
        .await
        .unwrap();
    let levels = app.alert_levels(&focal("CRI")).await.unwrap();
    let level = |country: &str| {
        levels
            .iter()
            .find(|view| view.country.as_str() == country && view.place.is_none())
            .unwrap_or_else(|| panic!("{country} has a level"))
    };
    // In transit: Costa Rica is raised to elevated; Mexico keeps the high it set.
    assert_eq!(level("CRI").set_level, AlertLevel::Normal);
    assert_eq!(level("CRI").effective_level, AlertLevel::Elevated);
    assert_eq!(level("MEX").effective_level, AlertLevel::High);
    assert!(level("MEX").required.len() > level("CRI").required.len());
    assert!(level("CRI")
        .required
        .contains(&RequiredAction::ProtectionScreening));
}

#[tokio::test]
async fn two_recipients_acting_at_once_both_land_and_a_stale_change_is_never_lost() {
    let (app, _clock, _dir) = app().await;
    let id = app
        .issue_alert(&focal("PAN"), lajas_blancas(true, false))
        .await
        .unwrap()
        .id();
    let (costa_rica_focal, mexico_focal) = (focal("CRI"), focal("MEX"));
    let (costa_rica, mexico) = tokio::join!(
        app.acknowledge_alert(&costa_rica_focal, id),
        app.acknowledge_alert(&mexico_focal, id)
    );
    // One of them may have been told to reload (a conflict); after retrying, both stand.
    for (caller, result) in [(focal("CRI"), costa_rica), (focal("MEX"), mexico)] {
        match result {
            Ok(_) => {}
            Err(AppError::Conflict(_)) => {
                app.acknowledge_alert(&caller, id).await.unwrap();
            }
            Err(other) => panic!("{other:?}"),
        }
    }
    let alert = app.alert(&focal("PAN"), id).await.unwrap().stored.alert;
    assert!(alert.has_acknowledged(CountryCode::parse("CRI").unwrap()));
    assert!(alert.has_acknowledged(CountryCode::parse("MEX").unwrap()));
    let again = app.acknowledge_alert(&focal("CRI"), id).await;
    assert!(matches!(again, Err(AppError::Conflict(_))), "{again:?}");
    let closed = app.close_alert(&focal("PAN"), id).await.unwrap();
    assert_eq!(closed.alert.state(), AlertState::Closed);
    let revisions = app.alert_revisions(&focal("PAN"), id).await.unwrap();
    assert_eq!(
        revisions.len(),
        4,
        "issued, two acknowledgements, closed: every document kept"
    );
}

#[tokio::test]
async fn stranded_populations_are_reported_by_their_country_and_read_as_it_shares_them() {
    let (app, _clock, _dir) = app().await;
    let parts: StrandedPopulationParts = serde_json::from_value(serde_json::json!({
        "country": "PAN",
        "location": { "area": { "kind": "place", "place": "PA-ERM-SV" }, "description": "San Vicente" },
        "estimated_people": 2400,
        "estimated_by": "SNM Panamá",
        "estimated_at": "2023-09-14T08:00:00-05:00",
        "shelter": { "capacity": 500, "occupancy": 800 },
    }))
    .unwrap();
    let refused = app.record_stranded(&focal("CRI"), parts.clone()).await;
    assert!(matches!(refused, Err(AppError::Forbidden(_))));
    let stored = app
        .record_stranded(&person("PAN", Role::Analyst), parts)
        .await
        .unwrap();
    assert!(stored.population.overcrowded());
    assert_eq!(
        app.stranded_populations(&focal("CRI")).await.unwrap().len(),
        1
    );
    assert!(
        app.stranded_populations(&Caller::Anonymous)
            .await
            .unwrap()
            .is_empty(),
        "stranded counts are shared with members by default, not published"
    );
}

#[tokio::test]
async fn a_surge_signal_becomes_a_draft_alert_that_an_analyst_proposes_and_the_focal_point_sends() {
    use corredor_app::store::{NewSignal, SignalScope};
    use corredor_core::{Measure, Nationality, Period, SignalKind};
    let (app, _clock, _dir) = app().await;
    // The Darién build-up: Venezuelans entering Panama in August 2023.
    app.store()
        .record_signals(&[NewSignal {
            kind: SignalKind::Surge,
            scope: SignalScope::Country(CountryCode::parse("PAN").unwrap()),
            place: None,
            measure: Measure::IrregularEntry,
            nationality: Some(Nationality::parse("VEN").unwrap()),
            period: Period::parse("2023-08").unwrap(),
            observed: Some(57_862.0),
            expected: 21_400.5,
            upper_bound: 38_950.25,
            score: 1.49,
            algorithm: "farrington-flexible".to_owned(),
            parameters: serde_json::json!({}),
            detected_at: Utc::now(),
        }])
        .await
        .unwrap();
    let signal = app
        .signals(&Caller::System, &Default::default())
        .await
        .unwrap()[0]
        .id;
    let refused = app.propose_alert_from_signal(&focal("CRI"), signal).await;
    assert!(
        matches!(refused, Err(AppError::Forbidden(_))),
        "{refused:?}"
    );
    let draft = app
        .propose_alert_from_signal(&person("PAN", Role::Analyst), signal)
        .await
        .unwrap();
    let alert = &draft.alert;
    assert_eq!(alert.state(), AlertState::Draft);
    let content = &alert.latest().content;
    assert_eq!(content.composition.estimated_people(), 57_862);
    let spanish = content.text.spanish().unwrap();
    assert_eq!(
        spanish.headline,
        "Aumento de entradas irregulares (VEN) en PAN: 57.862 en 2023-08"
    );
    assert!(content
        .text
        .english()
        .unwrap()
        .description
        .contains("21400 expected"));
    let recipients: Vec<&str> = alert
        .recipients()
        .iter()
        .map(|r| r.country.as_str())
        .collect();
    assert_eq!(recipients, ["CRI", "NIC", "HND", "GTM", "MEX", "USA"]);
    // The analyst proposed; only a focal point sends.
    assert!(matches!(
        app.activate_alert(&person("PAN", Role::Analyst), draft.id())
            .await,
        Err(AppError::Forbidden(_))
    ));
    let sent = app.activate_alert(&focal("PAN"), draft.id()).await.unwrap();
    assert_eq!(sent.alert.state(), AlertState::Active);
}

#[tokio::test]
async fn a_weekly_forecast_gives_the_windows_of_the_countries_its_fitted_legs_reach() {
    use corredor_app::store::{ForecastLeg, NewForecastRun};
    use corredor_core::{CorridorCode, Nationality, Period, WindowBasis};
    let (app, _clock, _dir) = app().await;
    let leg = |nationality: Option<&str>, from: &str, to: &str, weights: Vec<f64>| ForecastLeg {
        nationality: nationality.map(|n| Nationality::parse(n).unwrap()),
        from: CountryCode::parse(from).unwrap(),
        to: CountryCode::parse(to).unwrap(),
        continuation: weights.iter().sum(),
        mean_transit: Some(1.0),
        weights,
    };
    // Weekly legs fitted for Venezuelans: Panama → Honduras in 1–2 weeks, Honduras → Mexico
    // in 2–3; the total's legs (slower) must not be used for a Venezuelan flow.
    app.store()
        .record_forecast_run(&NewForecastRun {
            corridor: CorridorCode::parse("northbound").unwrap(),
            model: corredor_app::FORECAST_MODEL.to_owned(),
            created_at: Utc::now(),
            origin: Period::parse("2023-W36").unwrap(),
            parameters: serde_json::json!({}),
            rows: Vec::new(),
            legs: vec![
                leg(Some("VEN"), "PAN", "HND", vec![0.0, 0.45, 0.45]),
                leg(Some("VEN"), "HND", "MEX", vec![0.0, 0.0, 0.4, 0.4]),
                leg(None, "PAN", "HND", vec![0.0, 0.0, 0.0, 0.0, 0.9]),
            ],
        })
        .await
        .unwrap();
    let mut request = lajas_blancas(false, false);
    request.content.composition =
        corredor_core::FlowComposition::new(corredor_core::FlowCompositionParts {
            estimated_people: 1200,
            nationalities: vec![corredor_core::NationalityEstimate {
                nationality: Nationality::parse("VEN").unwrap(),
                estimated_people: 900,
            }],
            ..Default::default()
        })
        .unwrap();
    request.seen_on = Some(chrono::NaiveDate::from_ymd_opt(2023, 9, 14).unwrap());
    let stored = app.issue_alert(&focal("PAN"), request).await.unwrap();
    let window = |country: &str| {
        stored
            .alert
            .recipients()
            .iter()
            .find(|r| r.country.as_str() == country)
            .and_then(|r| r.arrival)
            .unwrap()
    };
    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2023, 9, d).unwrap();
    // Honduras: lags of 1–2 weeks, so from day 7 to day 20 after the flow was seen.
    let honduras = window("HND");
    assert_eq!(
        (honduras.basis, honduras.from, honduras.to),
        (
            WindowBasis::Forecast,
            day(21),
            chrono::NaiveDate::from_ymd_opt(2023, 10, 4).unwrap()
        )
    );
    // Mexico: the two legs convolved, lags of 3–5 weeks: days 21 to 41.
    let mexico = window("MEX");
    assert_eq!(mexico.basis, WindowBasis::Forecast);
    assert_eq!(
        (mexico.from, mexico.to),
        (
            chrono::NaiveDate::from_ymd_opt(2023, 10, 5).unwrap(),
            chrono::NaiveDate::from_ymd_opt(2023, 10, 25).unwrap()
        )
    );
    // Costa Rica is not a fitted node: the transit-time window stays.
    assert_eq!(window("CRI").basis, WindowBasis::TransitTimes);
}
