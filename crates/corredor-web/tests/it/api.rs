use axum::http::StatusCode;
use serde_json::Value;

use crate::support::{TestApp, PANAMA_2023};

fn problem_columns(body: &Value) -> Vec<String> {
    body["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("no problems listed in {body}"))
        .iter()
        .map(|problem| problem["column"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_of_the_router() {
    let test = TestApp::new().await;
    let (status, document) = test.get_json("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(document["openapi"], "3.0.3");
    for route in corredor_web::routes() {
        let method = route.method.as_str().to_ascii_lowercase();
        assert!(
            document["paths"][route.path][&method].is_object(),
            "{} {} is served but not documented",
            route.method,
            route.path
        );
    }
}

#[tokio::test]
async fn places_include_every_corridor_crossing_point_and_the_border_patrol_sectors() {
    let test = TestApp::new().await;
    let (status, body) = test.get_json("/api/v1/places").await;
    assert_eq!(status, StatusCode::OK);
    let codes: Vec<&str> = body["places"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    for code in ["CO-NEC", "PA-BCH", "PA-ERM-LB", "US-BP-RGV"] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    let (status, body) = test.get_json("/api/v1/places?country=PAN").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["places"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["country"] == "PAN"));
}

#[tokio::test]
async fn the_northbound_corridor_runs_from_colombia_to_the_united_states() {
    let test = TestApp::new().await;
    let (status, body) = test.get_json("/api/v1/corridors/northbound").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let nodes: Vec<&str> = body["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["country"].as_str().unwrap())
        .collect();
    assert_eq!(
        nodes,
        ["COL", "PAN", "CRI", "NIC", "HND", "GTM", "MEX", "USA"]
    );
}

#[tokio::test]
async fn a_monthly_series_by_nationality_adds_up_the_reported_values() {
    let test = TestApp::with_panama().await;
    let (status, body) =
        test.get_json("/api/v1/series?measure=irregular_entry&country=PAN&by=nationality&from=2023-06&to=2023-08").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let lines = body["lines"].as_array().unwrap();
    assert_eq!(lines[0]["nationality"], "VEN");
    assert_eq!(lines[0]["total"], 24389 + 37140 + 57862);
    assert_eq!(body["unit"], "people");
    assert_eq!(body["kind"], "flow");

    let (_, yearly) = test
        .get_json("/api/v1/series?measure=irregular_entry&country=PAN&granularity=year")
        .await;
    assert_eq!(yearly["lines"][0]["points"][0]["period"], "2023");
    assert_eq!(
        yearly["lines"][0]["points"][0]["value"],
        42210 + 55598 + 81946
    );
}

#[tokio::test]
async fn a_total_over_several_corridor_countries_is_labelled_events() {
    let test = TestApp::with_panama().await;
    let (status, body) = test
        .get_json("/api/v1/series?measure=irregular_entry")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["unit"], "events");
}

#[tokio::test]
async fn a_corrected_value_keeps_its_earlier_revision_readable() {
    let test = TestApp::with_panama().await;
    let corrected = "period,measure,nationality,value,source\n2023-08,irregular_entry,VEN,57900,SNM Panamá (revised)\n";
    let (status, body) = test
        .request(
            "POST",
            "/api/v1/observations?country=PAN&file=correction.csv",
            Some(("text/csv", corrected)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let report: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (report["inserted"].as_u64(), report["revised"].as_u64()),
        (Some(0), Some(1))
    );

    let (status, body) = test
        .get_json("/api/v1/observations/revisions?country=PAN&period=2023-08&measure=irregular_entry&nationality=VEN")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let values: Vec<u64> = body["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"].as_u64().unwrap())
        .collect();
    assert_eq!(values, [57862, 57900]);

    let (_, again) = test
        .request(
            "POST",
            "/api/v1/observations?country=PAN&file=correction.csv",
            Some(("text/csv", corrected)),
        )
        .await;
    let again: Value = serde_json::from_str(&again).unwrap();
    assert_eq!(
        again["unchanged"], 1,
        "re-importing the same file changes nothing"
    );
}

#[tokio::test]
async fn an_export_imports_into_an_empty_database_as_the_same_data() {
    let source = TestApp::with_panama().await;
    let (status, exported) = source.get("/api/v1/observations/export?format=csv").await;
    assert_eq!(status, StatusCode::OK);
    let target = TestApp::new().await;
    let report = target
        .app
        .import(
            corredor_app::ImportRequest {
                country: None,
                format: corredor_exchange::observations::Format::Csv,
                caller: &corredor_core::Caller::System,
                on_behalf_of: Some("restore"),
            },
            "export.csv",
            exported.as_bytes(),
        )
        .await
        .expect("an export imports");
    assert_eq!(report.inserted, 12);
    let (_, before) = source.get_json("/api/v1/observations?country=PAN").await;
    let (_, after) = target.get_json("/api/v1/observations?country=PAN").await;
    let strip = |body: &Value| -> Vec<(String, String, u64)> {
        let mut rows: Vec<_> = body["observations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["period"].to_string(),
                    o["nationality"].to_string(),
                    o["value"].as_u64().unwrap(),
                )
            })
            .collect();
        rows.sort();
        rows
    };
    assert_eq!(strip(&before), strip(&after));
    assert_eq!(PANAMA_2023.lines().count() - 1, 12);
}

/// Each bad request is refused with the field at fault, and writes nothing.
#[tokio::test]
async fn bad_requests_are_refused_with_the_field_and_nothing_is_written() {
    let test = TestApp::with_panama().await;
    let before = test.observation_count().await;
    let cases: [(&str, &str, Option<&str>, &str); 12] = [
        ("GET", "/api/v1/observations?contry=PAN", None, "contry"),
        (
            "GET",
            "/api/v1/observations?country=PANAMA",
            None,
            "country",
        ),
        ("GET", "/api/v1/observations?limit=0", None, "limit"),
        ("GET", "/api/v1/observations?from=2023-13", None, "from"),
        ("GET", "/api/v1/series?country=PAN", None, "measure"),
        (
            "GET",
            "/api/v1/series?measure=irregular_entry&by=colour",
            None,
            "by",
        ),
        (
            "GET",
            "/api/v1/series?measure=irregular_entry&from=2024-01&to=2023-01",
            None,
            "from",
        ),
        ("GET", "/api/v1/completeness?country=PAN", None, "measure"),
        ("POST", "/api/v1/observations", Some(PANAMA_2023), "country"),
        (
            "POST",
            "/api/v1/observations?country=PAN&format=xlsx",
            Some(PANAMA_2023),
            "format",
        ),
        (
            "GET",
            "/api/v1/observations/export?format=pdf",
            None,
            "format",
        ),
        (
            "GET",
            "/api/v1/observations/revisions?country=PAN&measure=irregular_entry",
            None,
            "period",
        ),
    ];
    for (method, uri, body, field) in cases {
        let (status, text) = test
            .request(method, uri, body.map(|text| ("text/csv", text)))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {uri}: {text}"
        );
        let json: Value = serde_json::from_str(&text).unwrap();
        assert!(
            problem_columns(&json).iter().any(|column| column == field),
            "{method} {uri} should name {field}: {text}"
        );
    }
    assert_eq!(test.observation_count().await, before);
}

#[tokio::test]
async fn a_file_with_bad_rows_is_refused_whole_and_every_row_is_named() {
    let test = TestApp::with_panama().await;
    let before = test.observation_count().await;
    let file = "period,measure,nationality,value\n2023-09,irregular_entry,VEN,100\n2023-09,irregular_entry,VENEZUELA,5\n2023-10,irregular_entry,HTI,-3\n2099-01,irregular_entry,CUB,4\n";
    let (status, text) = test
        .request(
            "POST",
            "/api/v1/observations?country=PAN&file=bad.csv",
            Some(("text/csv", file)),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    let json: Value = serde_json::from_str(&text).unwrap();
    let lines: Vec<u64> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4, 5]);
    assert!(json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["file"] == "bad.csv"));
    assert_eq!(
        test.observation_count().await,
        before,
        "the good row of a refused file is not written"
    );
}

#[tokio::test]
async fn places_are_edited_through_the_api_and_bad_places_are_refused() {
    let test = TestApp::new().await;
    let shelter = r#"{"code":"PA-ALB-TEST","name":"Albergue de prueba","country":"PAN","kind":"shelter","counterpart":null,"latitude":8.9,"longitude":-79.5}"#;
    let (status, body) = test
        .request(
            "PUT",
            "/api/v1/places/PA-ALB-TEST",
            Some(("application/json", shelter)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = test.get_json("/api/v1/places/PA-ALB-TEST").await;
    assert_eq!(
        (status, body["kind"].as_str()),
        (StatusCode::OK, Some("shelter"))
    );

    let mismatched = test
        .request(
            "PUT",
            "/api/v1/places/PA-OTHER",
            Some(("application/json", shelter)),
        )
        .await;
    assert_eq!(
        mismatched.0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        mismatched.1
    );
    let broken = test
        .request(
            "PUT",
            "/api/v1/places/PA-ALB-TEST",
            Some(("application/json", "{\"code\": ")),
        )
        .await;
    assert_eq!(broken.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", broken.1);
    let off_earth = shelter.replace("8.9", "98.9");
    let off_earth = test
        .request(
            "PUT",
            "/api/v1/places/PA-ALB-TEST",
            Some(("application/json", &off_earth)),
        )
        .await;
    assert_eq!(
        off_earth.0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        off_earth.1
    );
    let (status, _) = test.get("/api/v1/places/XX-NOWHERE").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn completeness_shows_the_months_panama_has_not_reported() {
    let test = TestApp::with_panama().await;
    let (status, body) = test
        .get_json("/api/v1/completeness?country=PAN&measure=irregular_entry")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["granularity"], "month");
    // Reported June-August 2023 (late: submitted in 2026); expected every month since, up to
    // October 2026, the last month ended before 24 November 2026.
    assert_eq!(body["late"], 3);
    assert_eq!(body["missing"], 38);
    assert_eq!(
        body["periods"].as_array().unwrap().last().unwrap()["period"],
        "2026-10"
    );
}
