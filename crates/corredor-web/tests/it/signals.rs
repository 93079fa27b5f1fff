//! `/api/v1/signals` on the demo data: the surges found by the scan, one signal with its
//! series, the analyst's decision and the share discarded per algorithm.

use axum::http::StatusCode;
use serde_json::Value;

use crate::support::{TestApp, Who};

async fn with_demo() -> TestApp {
    let test = TestApp::new().await;
    corredor_app::demo::load(&test.app, &mut |_| {})
        .await
        .expect("the demo loads");
    test
}

/// The id of the signal of December 2023 at the US southwest border.
async fn december_2023(test: &TestApp) -> i64 {
    let (status, body) = test
        .get_json(
            "/api/v1/signals?country=USA&measure=encounter&from=2023-12&to=2023-12&outcome=open",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let signals = body["signals"].as_array().expect("a list of signals");
    let signal = signals
        .iter()
        .find(|s| s["place"].is_null() && s["nationality"].is_null())
        .unwrap_or_else(|| panic!("the US total of 2023-12 alarmed: {body:#}"));
    assert_eq!(signal["observed"], 301_981.0);
    assert_eq!(signal["algorithm"], "farrington-flexible");
    assert_eq!(signal["kind"], "surge");
    assert_eq!(signal["granularity"], "month");
    assert!(signal["outcome"].is_null());
    signal["id"].as_i64().expect("an id")
}

#[tokio::test]
async fn signals_are_listed_with_their_evidence_and_filtered_by_country_measure_and_period() {
    let test = with_demo().await;
    december_2023(&test).await;

    let (status, body) = test
        .get_json("/api/v1/signals?country=PAN&measure=irregular_entry&from=2023-01&to=2023-12")
        .await;
    assert_eq!(status, StatusCode::OK);
    let signals = body["signals"].as_array().expect("a list");
    assert!(!signals.is_empty());
    for signal in signals {
        assert_eq!(signal["country"], "PAN");
        assert!(signal["period"].as_str().unwrap_or("").starts_with("2023-"));
        let observed = signal["observed"].as_f64().expect("a count");
        assert!(
            observed > signal["upper_bound"].as_f64().expect("a bound")
                || signal["algorithm"] != "farrington-flexible"
        );
        assert!(observed > signal["expected"].as_f64().expect("an expected count"));
    }
    assert_eq!(body["count"].as_u64(), Some(signals.len() as u64));

    let (status, body) = test
        .get_json("/api/v1/signals?outcome=ignored&colour=red")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body.to_string();
    assert!(
        message.contains("outcome") && message.contains("colour"),
        "{message}"
    );
}

#[tokio::test]
async fn one_signal_comes_with_the_series_around_it_for_its_chart() {
    let test = with_demo().await;
    let id = december_2023(&test).await;
    let (status, body) = test.get_json(&format!("/api/v1/signals/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["signal"]["id"], id);
    let history = body["history"].as_array().expect("the history");
    let december = history
        .iter()
        .find(|point| point["period"] == "2023-12")
        .expect("the signal's period is in its history");
    assert_eq!(december["alarm"], true);
    assert_eq!(december["upper_bound"], body["signal"]["upper_bound"]);
    assert!(history.iter().filter(|p| !p["expected"].is_null()).count() > 12);

    let (status, _) = test.get("/api/v1/signals/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = test.get("/api/v1/signals/december").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_decision_needs_a_known_outcome_and_a_reason_and_then_counts_in_the_statistics() {
    let test = with_demo().await;
    let id = december_2023(&test).await;
    let uri = format!("/api/v1/signals/{id}/decision");
    // Panama's focal point may read the United States' signal but not decide on it.
    let (status, body) = test
        .request(
            "POST",
            &uri,
            Some((
                "application/json",
                r#"{"outcome": "discarded", "reason": "not ours"}"#,
            )),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("USA's signals"), "{body}");
    let test = test.as_(Who::Analyst("USA")).await;
    let post = |body: &'static str| {
        let uri = uri.clone();
        let test = &test;
        async move {
            test.request("POST", &uri, Some(("application/json", body)))
                .await
        }
    };

    let (status, body) =
        post(r#"{"outcome": "ignored", "decided_by": "analyst.usa", "reason": "x"}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("outcome"), "{body}");
    let (status, body) =
        post(r#"{"outcome": "discarded", "decided_by": "analyst.usa", "reason": "  "}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("reason"), "{body}");
    let (status, _) = post(r#"{"outcome": "discarded"}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, detail) = test.get_json(&format!("/api/v1/signals/{id}")).await;
    assert!(detail["decisions"].as_array().expect("a list").is_empty());

    let (status, body) = post(r#"{"outcome": "escalated", "decided_by": "analyst.usa", "reason": "Record month confirmed by CBP"}"#).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let signal: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(signal["outcome"], "escalated");
    // The decision names the caller (here the analyst's API token), not what the body says.
    assert!(
        signal["decided_by"]
            .as_str()
            .is_some_and(|name| name.starts_with("token:")),
        "{signal}"
    );
    assert_eq!(signal["decided_at"], "2026-11-24T09:00:00Z");

    let (status, body) = test.get_json("/api/v1/signals/statistics").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let flexible = body["algorithms"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|a| a["algorithm"] == "farrington-flexible")
        .expect("Farrington Flexible alarmed")
        .clone();
    assert_eq!(flexible["escalated"], 1);
    assert_eq!(flexible["discarded_share"], 0.0);
    assert!(
        flexible["open"].as_u64().expect("a count") + 1
            == flexible["signals"].as_u64().expect("a count")
    );

    let (status, body) = test
        .get_json("/api/v1/signals?country=USA&outcome=escalated")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["count"], 1);
}

#[tokio::test]
async fn the_surges_page_draws_each_surging_series_with_its_band_and_alarms_in_both_languages() {
    let test = with_demo().await;
    december_2023(&test).await;
    let (status, html) = test.get("/signals?from=2023-12&to=2023-12&lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Surges</h1>"), "{html}");
    assert!(
        html.contains("United States · Encounters"),
        "the US series is named"
    );
    assert!(html.contains("<svg"), "each surging series has its chart");
    assert!(html.contains("Farrington") || html.contains("farrington-flexible"));
    assert!(html.contains("How often each algorithm cries wolf"));
    assert!(
        !html.contains("2023-11"),
        "only the chosen period is listed in the table"
    );

    let (status, html) = test.get("/signals?from=2023-12&to=2023-12&lang=es").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Aumentos repentinos</h1>"));
    assert!(html.contains("Estados Unidos"));
    assert!(html.contains("Abierta"));

    let (status, html) = test.get("/?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("id=\"surges-heading\""),
        "the picture has its Surges section"
    );
    assert!(html.contains("href=\"/signals?lang=en\""));
}

/// A request with a session cookie, and an optional form body.
async fn with_session(
    test: &TestApp,
    method: &str,
    uri: &str,
    session: &str,
    form: Option<&[(&str, &str)]>,
) -> (StatusCode, String) {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut request = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header("cookie", format!("corredor_session={session}"));
    let body = match form {
        Some(fields) => {
            request = request.header("content-type", "application/x-www-form-urlencoded");
            Body::from(
                form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(fields)
                    .finish(),
            )
        }
        None => Body::empty(),
    };
    let response = test
        .router
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn the_owning_countrys_analyst_records_a_decision_from_the_page_with_its_form_token() {
    let test = with_demo().await;
    let id = december_2023(&test).await;
    for (name, organisation) in [("usa.analyst", "USA"), ("pan.reader", "PAN")] {
        test.app
            .add_user(
                &corredor_core::Caller::System,
                &corredor_app::NewUser {
                    name: name.to_owned(),
                    display_name: name.to_owned(),
                    organisation: corredor_core::OrganisationCode::parse(organisation).unwrap(),
                    role: corredor_core::Role::Analyst,
                    password: "a long enough password".to_owned(),
                },
            )
            .await
            .unwrap();
    }
    let usa = test
        .app
        .sign_in("usa.analyst", "a long enough password", "test")
        .await
        .unwrap();
    let pan = test
        .app
        .sign_in("pan.reader", "a long enough password", "test")
        .await
        .unwrap();
    let action = format!("action=\"/signals/{id}/decision\"");
    let page = "/signals?country=USA&from=2023-12&to=2023-12&lang=en";

    let (status, html) = with_session(&test, "GET", page, &usa.cookie_value, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&action),
        "the United States' analyst gets the form"
    );
    let (_, html) = with_session(&test, "GET", page, &pan.cookie_value, None).await;
    assert!(!html.contains(&action), "Panama's analyst does not");

    let uri = format!("/signals/{id}/decision");
    let decision = [
        ("outcome", "escalated"),
        ("reason", "Record month confirmed by CBP"),
        ("lang", "en"),
        ("back", page),
    ];
    let (status, _) = with_session(&test, "POST", &uri, &usa.cookie_value, Some(&decision)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a form without its token");
    let mut forged = decision.to_vec();
    forged.push(("csrf", pan.csrf_token.as_str()));
    let (status, _) = with_session(&test, "POST", &uri, &usa.cookie_value, Some(&forged)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another session's token");
    let (_, detail) = test.get_json(&format!("/api/v1/signals/{id}")).await;
    assert!(detail["decisions"].as_array().unwrap().is_empty());

    let mut signed = decision.to_vec();
    signed.push(("csrf", usa.csrf_token.as_str()));
    let (status, _) = with_session(
        &test,
        "POST",
        &uri,
        &pan.cookie_value,
        Some(&{
            let mut with_pan = decision.to_vec();
            with_pan.push(("csrf", pan.csrf_token.as_str()));
            with_pan
        }),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "Panama may not decide on it");
    let (status, _) = with_session(&test, "POST", &uri, &usa.cookie_value, Some(&signed)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, detail) = test.get_json(&format!("/api/v1/signals/{id}")).await;
    assert_eq!(detail["decisions"][0]["decided_by"], "usa.analyst");
    assert_eq!(detail["decisions"][0]["outcome"], "escalated");
}

#[tokio::test]
async fn a_reader_not_signed_in_sees_the_published_signals_but_never_a_count_below_five() {
    let test = with_demo().await.as_(Who::Anonymous).await;
    let (status, body) = test.get_json("/api/v1/signals?limit=10000").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let signals = body["signals"].as_array().expect("a list");
    assert!(!signals.is_empty(), "the demo's data are public");
    let mut shown = 0;
    for signal in signals {
        if let Some(observed) = signal["observed"].as_f64() {
            assert!(observed >= 5.0, "a count below 5 in {signal}");
            shown += 1;
        }
    }
    assert!(shown > 0, "the large counts are shown");
    let december = signals
        .iter()
        .find(|s| {
            s["country"] == "USA"
                && s["period"] == "2023-12"
                && s["place"].is_null()
                && s["nationality"].is_null()
                && s["measure"] == "encounter"
        })
        .expect("the US record month is public");
    assert_eq!(december["observed"], 301_981.0);
    let id = december["id"].as_i64().unwrap();
    let (status, detail) = test.get_json(&format!("/api/v1/signals/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    for point in detail["history"].as_array().expect("a history") {
        if let Some(observed) = point["observed"].as_f64() {
            assert!(observed >= 5.0, "{point}");
        }
    }
}
