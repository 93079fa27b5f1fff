//! The permission matrix: every route of the API's route table, called by every role, for
//! Panama's data as Panama ("own") and as Costa Rica ("other"), gets the expected answer.
//! A route the table has and this matrix does not fails the test, so no route can be added
//! without deciding who may call it.

use std::collections::HashMap;

use axum::http::StatusCode;
use chrono::Utc;
use corredor_app::store::{NewSignal, SignalScope};
use corredor_core::{Caller, Measure, OrganisationCode, Period, Role, SignalKind};
use corredor_web::{routes, Access};

use crate::support::{TestApp, Who, PANAMA_2023};

/// The callers of the matrix, in the order of the expectation strings.
const CALLERS: [Who; 7] = [
    Who::Anonymous,
    Who::Observer,
    Who::Administrator,
    Who::FocalPoint("PAN"),
    Who::FocalPoint("CRI"),
    Who::Analyst("PAN"),
    Who::Analyst("CRI"),
];

/// What a caller gets: `a` allowed (2xx), `d` denied (401 for the anonymous reader, 403 for
/// the others), `h` hidden (404: whether it exists is not shared with this caller).
fn expectations() -> HashMap<(&'static str, &'static str), &'static str> {
    HashMap::from([
        (("GET", "/api/v1/openapi.json"), "aaaaaaa"),
        (("GET", "/api/v1/countries"), "aaaaaaa"),
        (("GET", "/api/v1/places"), "aaaaaaa"),
        (("GET", "/api/v1/places/{code}"), "aaaaaaa"),
        (("PUT", "/api/v1/places/{code}"), "ddaaddd"),
        (("GET", "/api/v1/corridors"), "aaaaaaa"),
        (("GET", "/api/v1/corridors/{code}"), "aaaaaaa"),
        (("PUT", "/api/v1/corridors/{code}"), "ddadddd"),
        (("GET", "/api/v1/observations"), "ddaaaaa"),
        (("POST", "/api/v1/observations"), "dddadad"),
        (("GET", "/api/v1/observations/revisions"), "ddaaaaa"),
        (("GET", "/api/v1/observations/export"), "ddaaaaa"),
        (("GET", "/api/v1/series"), "aaaaaaa"),
        (("GET", "/api/v1/completeness"), "ddaadad"),
        (("GET", "/api/v1/forecasts"), "aaaaaaa"),
        (("GET", "/api/v1/forecasts/skill"), "aaaaaaa"),
        (("GET", "/api/v1/forecasts/legs"), "aaaaaaa"),
        (("GET", "/api/v1/forecasts/capacity"), "aaaaaaa"),
        (("GET", "/api/v1/signals"), "aaaaaaa"),
        (("GET", "/api/v1/signals/statistics"), "daaaaaa"),
        (("GET", "/api/v1/signals/{id}"), "hhaaaaa"),
        (("POST", "/api/v1/signals/{id}/decision"), "dddadad"),
        (("GET", "/api/v1/me"), "aaaaaaa"),
        (("GET", "/api/v1/organisations"), "daaaaaa"),
        (("PUT", "/api/v1/organisations/{code}"), "ddadddd"),
        (("GET", "/api/v1/users"), "ddadddd"),
        (("POST", "/api/v1/users"), "ddadddd"),
        (("POST", "/api/v1/users/{name}/disable"), "ddadddd"),
        (("GET", "/api/v1/tokens"), "ddaaadd"),
        (("POST", "/api/v1/tokens"), "ddaaddd"),
        (("POST", "/api/v1/tokens/{id}/revoke"), "ddaaddd"),
        (("GET", "/api/v1/sharing"), "daaaaaa"),
        (("PUT", "/api/v1/sharing/{country}/{measure}"), "dddaddd"),
        (("GET", "/api/v1/audit"), "ddaaddd"),
        (("GET", "/api/v1/audit/verify"), "ddadddd"),
        (("GET", "/api/v1/alerts"), "daaaaaa"),
        (("POST", "/api/v1/alerts"), "dddaddd"),
        (("GET", "/api/v1/alerts/events"), "daaaaaa"),
        (("POST", "/api/v1/signals/{id}/propose-alert"), "dhdadad"),
        (("GET", "/api/v1/alerts/feed.atom"), "daaaaaa"),
        (("POST", "/api/v1/alerts/cap"), "dddaddd"),
        (("GET", "/api/v1/alerts/{id}/cap"), "dhaaaaa"),
        (("GET", "/api/v1/alerts/{id}"), "dhaaaaa"),
        (("GET", "/api/v1/alerts/{id}/revisions"), "dhaaaaa"),
        (("POST", "/api/v1/alerts/{id}/activate"), "dhhahdh"),
        (("POST", "/api/v1/alerts/{id}/update"), "dhdaddd"),
        (("POST", "/api/v1/alerts/{id}/close"), "dhdaddd"),
        (("POST", "/api/v1/alerts/{id}/cancel"), "dhdaddd"),
        (("POST", "/api/v1/alerts/{id}/recipients"), "dhdaddd"),
        (("POST", "/api/v1/alerts/{id}/acknowledge"), "ddddadd"),
        (("POST", "/api/v1/alerts/{id}/actions"), "ddddadd"),
        (("GET", "/api/v1/alert-levels"), "daaaaaa"),
        (("PUT", "/api/v1/alert-levels/{country}"), "dddaddd"),
        (("GET", "/api/v1/level-checklists"), "daaaaaa"),
        (("PUT", "/api/v1/level-checklists"), "ddadddd"),
        (("GET", "/api/v1/stranded"), "aaaaaaa"),
        (("POST", "/api/v1/stranded"), "dddadad"),
        (("PUT", "/api/v1/stranded/{id}"), "dddadad"),
        (("GET", "/api/v1/webhooks"), "ddaaadd"),
        (("POST", "/api/v1/webhooks"), "ddaaddd"),
        (("POST", "/api/v1/webhooks/{id}/disable"), "dhaahhh"),
        (("GET", "/api/v1/webhooks/{id}/deliveries"), "dhaahhh"),
        // Returns from Panama (host) to Costa Rica (origin).
        (("GET", "/api/v1/returns"), "ddaaaaa"),
        (("POST", "/api/v1/returns"), "dddaddd"),
        (("GET", "/api/v1/returns/aggregates"), "daaaaaa"),
        (("GET", "/api/v1/returns/{id}"), "dhaaaaa"),
        (("GET", "/api/v1/returns/{id}/revisions"), "dhaaaaa"),
        (("POST", "/api/v1/returns/{id}/safeguards"), "dhhahdh"),
        (("POST", "/api/v1/returns/{id}/propose"), "dhhahdh"),
        (("POST", "/api/v1/returns/{id}/accept"), "dhddadd"),
        (("POST", "/api/v1/returns/{id}/reschedule"), "dhddadd"),
        (("POST", "/api/v1/returns/{id}/decline"), "dhddadd"),
        (("POST", "/api/v1/returns/{id}/depart"), "dhdaddd"),
        (("POST", "/api/v1/returns/{id}/receive"), "dhddadd"),
        (("POST", "/api/v1/returns/{id}/close"), "dhdaadd"),
        (("POST", "/api/v1/returns/{id}/cancel"), "dhdaddd"),
        (("GET", "/api/v1/reintegration"), "ddadada"),
        (("POST", "/api/v1/reintegration"), "ddddada"),
        (("GET", "/api/v1/prevention-programmes"), "daaaaaa"),
        (("POST", "/api/v1/prevention-programmes"), "ddddada"),
        (("GET", "/api/v1/territories/{country}"), "daaaaaa"),
    ])
}

/// The things of Panama the requests are about.
struct Fixtures {
    place: String,
    place_json: String,
    corridor: String,
    corridor_json: String,
    signal: i64,
    alert: i64,
}

async fn fixtures(test: &TestApp) -> Fixtures {
    let system = Caller::System;
    let place = test
        .app
        .places()
        .await
        .unwrap()
        .into_iter()
        .find(|place| place.country.as_str() == "PAN")
        .expect("Panama has places");
    let corridor = test.app.corridors().await.unwrap().remove(0);
    test.app
        .store()
        .record_signals(&[NewSignal {
            kind: SignalKind::Surge,
            scope: SignalScope::Country(place.country),
            place: None,
            measure: Measure::IrregularEntry,
            nationality: None,
            period: Period::parse("2023-08").unwrap(),
            observed: Some(81_946.0),
            expected: 40_000.0,
            upper_bound: 60_000.0,
            score: 1.4,
            algorithm: "farrington-flexible".to_owned(),
            parameters: serde_json::json!({}),
            detected_at: Utc::now(),
        }])
        .await
        .unwrap();
    let signal = test
        .app
        .signals(&system, &Default::default())
        .await
        .unwrap()[0]
        .id;
    Fixtures {
        place: place.code.to_string(),
        place_json: serde_json::to_string(&place).unwrap(),
        corridor: corridor.code().to_string(),
        corridor_json: serde_json::to_string(&corridor).unwrap(),
        signal,
        alert: panama_alert(test, true, false).await,
    }
}

/// The request that exercises a route, with what it needs created beforehand (a user to
/// disable, a token to revoke), so that every call is independent of the others.
async fn request_for(
    test: &TestApp,
    fixtures: &Fixtures,
    method: &str,
    path: &str,
    call: usize,
) -> (String, Option<(&'static str, String)>) {
    let json = |body: String| Some(("application/json", body));
    match (method, path) {
        ("GET", "/api/v1/places/{code}") => (format!("/api/v1/places/{}", fixtures.place), None),
        ("PUT", "/api/v1/places/{code}") => (
            format!("/api/v1/places/{}", fixtures.place),
            json(fixtures.place_json.clone()),
        ),
        ("GET", "/api/v1/corridors/{code}") => {
            (format!("/api/v1/corridors/{}", fixtures.corridor), None)
        }
        ("PUT", "/api/v1/corridors/{code}") => (
            format!("/api/v1/corridors/{}", fixtures.corridor),
            json(fixtures.corridor_json.clone()),
        ),
        ("POST", "/api/v1/observations") => (
            "/api/v1/observations?country=PAN&file=panama.csv".to_owned(),
            Some(("text/csv", PANAMA_2023.to_owned())),
        ),
        ("GET", "/api/v1/observations/revisions") => (
            "/api/v1/observations/revisions?country=PAN&period=2023-08&measure=irregular_entry"
                .to_owned(),
            None,
        ),
        ("GET", "/api/v1/series") => ("/api/v1/series?measure=irregular_entry".to_owned(), None),
        ("GET", "/api/v1/completeness") => (
            "/api/v1/completeness?country=PAN&measure=irregular_entry".to_owned(),
            None,
        ),
        ("GET", "/api/v1/signals/{id}") => (format!("/api/v1/signals/{}", fixtures.signal), None),
        ("POST", "/api/v1/signals/{id}/decision") => (
            format!("/api/v1/signals/{}/decision", fixtures.signal),
            json(
                r#"{"outcome":"monitoring","reason":"Checked with the reception stations"}"#
                    .to_owned(),
            ),
        ),
        ("PUT", "/api/v1/organisations/{code}") => (
            "/api/v1/organisations/IOM".to_owned(),
            json(
                r#"{"name":"International Organization for Migration","kind":"observer"}"#
                    .to_owned(),
            ),
        ),
        ("POST", "/api/v1/users") => (
            "/api/v1/users".to_owned(),
            json(format!(
                r#"{{"name":"new.analyst.{call}","organisation":"PAN","role":"analyst","password":"a long enough password"}}"#
            )),
        ),
        ("POST", "/api/v1/users/{name}/disable") => {
            let name = format!("leaving.analyst.{call}");
            test.app
                .add_user(
                    &Caller::System,
                    &corredor_app::NewUser {
                        name: name.clone(),
                        display_name: name.clone(),
                        organisation: OrganisationCode::parse("PAN").unwrap(),
                        role: Role::Analyst,
                        password: "a long enough password".to_owned(),
                    },
                )
                .await
                .expect("a user to disable is added");
            (format!("/api/v1/users/{name}/disable"), None)
        }
        ("POST", "/api/v1/tokens") => (
            "/api/v1/tokens".to_owned(),
            json(
                r#"{"organisation":"PAN","role":"analyst","label":"reporting system","days":30}"#
                    .to_owned(),
            ),
        ),
        ("POST", "/api/v1/tokens/{id}/revoke") => {
            let created = test
                .app
                .create_token(
                    &Caller::System,
                    &OrganisationCode::parse("PAN").unwrap(),
                    Role::Analyst,
                    "to revoke",
                    chrono::Duration::days(30),
                )
                .await
                .expect("a token to revoke is created");
            (format!("/api/v1/tokens/{}/revoke", created.token.id), None)
        }
        ("PUT", "/api/v1/sharing/{country}/{measure}") => (
            "/api/v1/sharing/PAN/stranded".to_owned(),
            json(r#"{"level":"named_members","members":["CRI"]}"#.to_owned()),
        ),
        ("GET", "/api/v1/audit") => ("/api/v1/audit?country=PAN".to_owned(), None),
        ("POST", "/api/v1/alerts") => ("/api/v1/alerts".to_owned(), json(alert_body(true))),
        ("GET", "/api/v1/alerts/{id}") => (format!("/api/v1/alerts/{}", fixtures.alert), None),
        ("POST", "/api/v1/signals/{id}/propose-alert") => (
            format!("/api/v1/signals/{}/propose-alert", fixtures.signal),
            None,
        ),
        ("POST", "/api/v1/alerts/cap") => (
            "/api/v1/alerts/cap?country=PAN".to_owned(),
            Some(("application/cap+xml", partner_alert(call))),
        ),
        ("GET", "/api/v1/alerts/{id}/cap") => {
            (format!("/api/v1/alerts/{}/cap", fixtures.alert), None)
        }
        ("GET", "/api/v1/alerts/{id}/revisions") => {
            (format!("/api/v1/alerts/{}/revisions", fixtures.alert), None)
        }
        ("POST", "/api/v1/alerts/{id}/activate") => (
            format!(
                "/api/v1/alerts/{}/activate",
                panama_alert(test, false, false).await
            ),
            None,
        ),
        ("POST", "/api/v1/alerts/{id}/update") => {
            let mut body: serde_json::Value = serde_json::from_str(&alert_body(false)).unwrap();
            body["what_changed"] = serde_json::json!("The group reached Paso Canoas");
            body.as_object_mut().unwrap().remove("issuing_country");
            body.as_object_mut().unwrap().remove("activate");
            (
                format!(
                    "/api/v1/alerts/{}/update",
                    panama_alert(test, true, false).await
                ),
                json(body.to_string()),
            )
        }
        ("POST", "/api/v1/alerts/{id}/close") => (
            format!(
                "/api/v1/alerts/{}/close",
                panama_alert(test, true, false).await
            ),
            None,
        ),
        ("POST", "/api/v1/alerts/{id}/cancel") => (
            format!(
                "/api/v1/alerts/{}/cancel",
                panama_alert(test, true, false).await
            ),
            json(r#"{"reason":"The group dispersed in Metetí"}"#.to_owned()),
        ),
        ("POST", "/api/v1/alerts/{id}/recipients") => (
            format!(
                "/api/v1/alerts/{}/recipients",
                panama_alert(test, true, false).await
            ),
            json(r#"{"country":"BLZ"}"#.to_owned()),
        ),
        ("POST", "/api/v1/alerts/{id}/acknowledge") => (
            format!(
                "/api/v1/alerts/{}/acknowledge",
                panama_alert(test, true, false).await
            ),
            None,
        ),
        ("POST", "/api/v1/alerts/{id}/actions") => (
            format!(
                "/api/v1/alerts/{}/actions",
                panama_alert(test, true, true).await
            ),
            json(r#"{"action":"health_care","status":"guaranteed"}"#.to_owned()),
        ),
        ("PUT", "/api/v1/alert-levels/{country}") => (
            "/api/v1/alert-levels/PAN".to_owned(),
            json(
                r#"{"level":"elevated","reason":"1,200 people leaving Lajas Blancas"}"#.to_owned(),
            ),
        ),
        ("PUT", "/api/v1/level-checklists") => (
            "/api/v1/level-checklists".to_owned(),
            json(
                serde_json::to_string(&corredor_core::LevelChecklists::regional_default()).unwrap(),
            ),
        ),
        ("POST", "/api/v1/stranded") => ("/api/v1/stranded".to_owned(), json(stranded_body(None))),
        ("PUT", "/api/v1/stranded/{id}") => {
            let stored = test
                .app
                .record_stranded(
                    &Caller::System,
                    serde_json::from_str(&stranded_body(None)).unwrap(),
                )
                .await
                .expect("a stranded population to update");
            (
                format!("/api/v1/stranded/{}", stored.id),
                json(stranded_body(Some(stored.revision))),
            )
        }
        ("POST", "/api/v1/webhooks") => (
            "/api/v1/webhooks".to_owned(),
            json(
                r#"{"url":"https://alertas.migracion.gob.pa/corredor","organisation":"PAN"}"#
                    .to_owned(),
            ),
        ),
        ("POST", "/api/v1/webhooks/{id}/disable") => (
            format!("/api/v1/webhooks/{}/disable", panama_webhook(test).await),
            None,
        ),
        ("GET", "/api/v1/webhooks/{id}/deliveries") => (
            format!("/api/v1/webhooks/{}/deliveries", panama_webhook(test).await),
            None,
        ),
        ("POST", "/api/v1/returns") => (
            "/api/v1/returns".to_owned(),
            json(crate::returns::plan_body().to_string()),
        ),
        ("GET", "/api/v1/returns/{id}") => (
            format!(
                "/api/v1/returns/{}",
                crate::returns::panama_return(test, "proposed").await
            ),
            None,
        ),
        ("GET", "/api/v1/returns/{id}/revisions") => (
            format!(
                "/api/v1/returns/{}/revisions",
                crate::returns::panama_return(test, "proposed").await
            ),
            None,
        ),
        ("POST", "/api/v1/returns/{id}/safeguards") => (
            format!(
                "/api/v1/returns/{}/safeguards",
                crate::returns::panama_return(test, "draft").await
            ),
            json(crate::returns::safeguards_body(false).to_string()),
        ),
        ("POST", "/api/v1/returns/{id}/propose") => (
            format!(
                "/api/v1/returns/{}/propose",
                crate::returns::panama_return(test, "ready").await
            ),
            None,
        ),
        ("POST", "/api/v1/returns/{id}/accept") => (
            format!(
                "/api/v1/returns/{}/accept",
                crate::returns::panama_return(test, "proposed").await
            ),
            None,
        ),
        ("POST", "/api/v1/returns/{id}/reschedule") => (
            format!(
                "/api/v1/returns/{}/reschedule",
                crate::returns::panama_return(test, "proposed").await
            ),
            json(
                r#"{"planned_date":"2026-12-17","reason":"Paso Canoas closes for the holiday"}"#
                    .to_owned(),
            ),
        ),
        ("POST", "/api/v1/returns/{id}/decline") => (
            format!(
                "/api/v1/returns/{}/decline",
                crate::returns::panama_return(test, "proposed").await
            ),
            json(r#"{"reason":"Nationality not confirmed"}"#.to_owned()),
        ),
        ("POST", "/api/v1/returns/{id}/depart") => (
            format!(
                "/api/v1/returns/{}/depart",
                crate::returns::panama_return(test, "accepted").await
            ),
            None,
        ),
        ("POST", "/api/v1/returns/{id}/receive") => (
            format!(
                "/api/v1/returns/{}/receive",
                crate::returns::panama_return(test, "departed").await
            ),
            json(
                r#"{"group":{"people":7,"unaccompanied_children":1,"family_units":1,"people_in_family_units":3},"by_territory":{"CR-P":7}}"#
                    .to_owned(),
            ),
        ),
        ("POST", "/api/v1/returns/{id}/close") => (
            format!(
                "/api/v1/returns/{}/close",
                crate::returns::panama_return(test, "received").await
            ),
            None,
        ),
        ("POST", "/api/v1/returns/{id}/cancel") => (
            format!(
                "/api/v1/returns/{}/cancel",
                crate::returns::panama_return(test, "proposed").await
            ),
            json(r#"{"reason":"The group asked for protection"}"#.to_owned()),
        ),
        ("GET", "/api/v1/reintegration") => ("/api/v1/reintegration?origin=CRI".to_owned(), None),
        ("POST", "/api/v1/reintegration") => (
            "/api/v1/reintegration".to_owned(),
            json(
                r#"{"origin":"CRI","cohort":{"kind":"month","month":"2026-03"},"territory":"CR-P","follow_up":"6_months","returnees":14,"followed_up":11,"services":[{"service":"identity_documents","people":9,"by_provider":{"government":9}}]}"#
                    .to_owned(),
            ),
        ),
        ("POST", "/api/v1/prevention-programmes") => (
            "/api/v1/prevention-programmes".to_owned(),
            json(
                r#"{"territory":"CR-P","name":"Empléate Puntarenas","run_by":"Ministerio de Trabajo y Seguridad Social","run_by_kind":"government","programme_type":"vocational_training","beneficiaries":420,"from":"2026-01-01"}"#
                    .to_owned(),
            ),
        ),
        ("GET", "/api/v1/territories/{country}") => ("/api/v1/territories/CRI".to_owned(), None),
        (_, path) => {
            assert!(
                !path.contains('{'),
                "the matrix has no request for {method} {path}: add one"
            );
            (path.to_owned(), None)
        }
    }
}

/// A Panamanian alert on a flow leaving Lajas Blancas, as the API takes it.
fn alert_body(activate: bool) -> String {
    serde_json::json!({
        "issuing_country": "PAN",
        "composition": { "estimated_people": 1200, "children": 310 },
        "location": { "area": { "kind": "place", "place": "PA-ERM-LB" }, "description": "Lajas Blancas, Darién" },
        "route": { "corridor": "northbound", "direction": "northbound" },
        "stage": "in_transit",
        "needs": { "actions": ["health_care"] },
        "text": { "spanish": { "headline": "1.200 personas salen de Lajas Blancas", "description": "Grupo numeroso hacia Costa Rica." } },
        "seen_on": "2026-11-24",
        "activate": activate,
    })
    .to_string()
}

/// A CAP message from Panama's national system, a new one for each call.
fn partner_alert(call: usize) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>SNM-PA-{call}</identifier>
  <sender>alertas@migracion.gob.pa</sender>
  <sent>2026-11-24T07:30:00-05:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Private</scope>
  <addresses>CRI</addresses>
  <info>
    <language>es-419</language>
    <category>Safety</category>
    <event>Flujo migratorio masivo</event>
    <urgency>Expected</urgency>
    <severity>Moderate</severity>
    <certainty>Observed</certainty>
    <headline>800 personas salen de San Vicente</headline>
    <description>Grupo de 800 personas hacia Costa Rica.</description>
    <parameter><valueName>estimated_people</valueName><value>800</value></parameter>
    <area><areaDesc>ERM San Vicente</areaDesc><circle>8.42,-78.06 5</circle></area>
  </info>
</alert>"#
    )
}

/// A new Panamanian alert (sent or a draft), acknowledged by Costa Rica if asked; its id.
async fn panama_alert(test: &TestApp, active: bool, acknowledged_by_costa_rica: bool) -> i64 {
    let focal = |country: &str| {
        Caller::Principal(corredor_core::Principal {
            name: format!("{}.focal", country.to_lowercase()),
            organisation: OrganisationCode::parse(country).unwrap(),
            kind: corredor_core::OrganisationKind::Country(
                corredor_core::CountryCode::parse(country).unwrap(),
            ),
            role: Role::FocalPoint,
        })
    };
    let stored = test
        .app
        .issue_alert(
            &focal("PAN"),
            serde_json::from_str(&alert_body(active)).unwrap(),
        )
        .await
        .expect("an alert to act on");
    if acknowledged_by_costa_rica {
        test.app
            .acknowledge_alert(&focal("CRI"), stored.id())
            .await
            .expect("Costa Rica acknowledges");
    }
    stored.id().0
}

async fn panama_webhook(test: &TestApp) -> i64 {
    test.app
        .create_webhook(
            &Caller::System,
            &OrganisationCode::parse("PAN").unwrap(),
            "https://alertas.migracion.gob.pa/corredor",
        )
        .await
        .expect("a webhook")
        .webhook
        .id
}

/// The people stranded at San Vicente, as Panama estimates them.
fn stranded_body(revision: Option<i64>) -> String {
    let mut body = serde_json::json!({
        "country": "PAN",
        "location": { "area": { "kind": "place", "place": "PA-ERM-SV" }, "description": "San Vicente, Darién" },
        "estimated_people": 2400,
        "estimated_by": "SNM Panamá",
        "estimated_at": "2026-11-24T08:00:00-05:00",
        "shelter": { "capacity": 500, "occupancy": 800 },
    });
    if let Some(revision) = revision {
        body["revision"] = serde_json::json!(revision);
    }
    body.to_string()
}

fn outcome(status: StatusCode) -> char {
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => 'd',
        StatusCode::NOT_FOUND => 'h',
        status if status.is_success() => 'a',
        _ => '?',
    }
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_matrix_says() {
    let test = TestApp::with_panama().await;
    let fixtures = fixtures(&test).await;
    let mut callers = Vec::new();
    for who in CALLERS {
        callers.push((who, test.as_(who).await));
    }
    let expected = expectations();
    let mut missing = Vec::new();
    let mut wrong = Vec::new();
    let mut call = 0;
    for route in routes() {
        let method = route.method.as_str();
        let Some(row) = expected.get(&(method, route.path)) else {
            missing.push(format!("{method} {}", route.path));
            continue;
        };
        // The documented rule and the matrix agree: a route for anyone denies no one, and a
        // route for those signed in denies at least the anonymous reader.
        match route.access {
            Access::Anyone => assert!(
                !row.contains('d'),
                "{method} {} is documented as open to anyone but the matrix denies some",
                route.path
            ),
            Access::SignedIn => assert!(row.starts_with('d') && !row[1..].contains('d')),
            Access::Policy(_) => assert!(row.contains('d'), "{method} {}", route.path),
        }
        for ((who, caller), want) in callers.iter().zip(row.chars()) {
            call += 1;
            let (uri, body) = request_for(&test, &fixtures, method, route.path, call).await;
            // An event stream never ends: only its status is read.
            let (status, text) = if route.response.content_type == "text/event-stream" {
                (caller.status_only(method, &uri).await, String::new())
            } else {
                caller
                    .request(method, &uri, body.as_ref().map(|(t, b)| (*t, b.as_str())))
                    .await
            };
            let got = outcome(status);
            if got != want {
                wrong.push(format!(
                    "{method} {uri} as {who:?}: expected {want}, got {status}: {}",
                    text.chars().take(200).collect::<String>()
                ));
            }
            if got == 'd' && *who == Who::Anonymous {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {uri}: {text}");
            }
        }
    }
    assert!(
        missing.is_empty(),
        "routes without a row in the permission matrix: {missing:#?}"
    );
    assert!(
        wrong.is_empty(),
        "{} wrong answers: {wrong:#?}",
        wrong.len()
    );
}
