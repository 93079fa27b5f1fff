use axum::http::StatusCode;
use serde_json::Value;

use crate::support::TestApp;

async fn with_demo() -> TestApp {
    let test = TestApp::new().await;
    corredor_app::demo::load(&test.app, &mut |_| {})
        .await
        .expect("the demo loads");
    test
}

fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("{value} is a number"))
}

#[tokio::test]
async fn forecasts_of_the_demo_data_have_intervals_the_running_skill_and_the_notes_of_nodes_left_out(
) {
    let test = with_demo().await;
    let (status, body) = test
        .get_json("/api/v1/forecasts?country=HND,USA&nationality=VEN")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let corridor = &body["corridors"][0];
    assert_eq!(corridor["corridor"], "northbound");
    assert_eq!(corridor["granularity"], "month");
    let notes = corridor["notes"].to_string();
    assert!(
        notes.contains("CRI") && notes.contains("GTM"),
        "countries without counts are named: {notes}"
    );
    let rows = corridor["forecasts"].as_array().unwrap();
    assert_eq!(rows.len(), 6, "3 months for each of 2 nodes: {rows:#?}");
    for row in rows {
        assert_eq!(row["nationality"], "VEN");
        assert!(["HND", "USA"].contains(&row["country"].as_str().unwrap()));
        let forecast = number(&row["forecast"]);
        assert!(number(&row["lower95"]) <= forecast && forecast <= number(&row["upper95"]));
        assert!(
            row.get("skill").is_some(),
            "every row says how far to trust it"
        );
    }
    // The United States reported a month beyond the common origin: its forecast of that
    // month is already scored.
    let usa = rows
        .iter()
        .find(|row| row["country"] == "USA" && row["horizon"] == 1)
        .unwrap();
    assert!(usa["skill"]["scored"].as_u64().unwrap() >= 1, "{usa}");
    assert_eq!(usa["skill"]["model"], "propagation");
    assert_eq!(
        usa["baseline_skill"]["model"], "ets",
        "the baseline is scored beside it"
    );

    let (_, totals) = test
        .get_json("/api/v1/forecasts?country=MEX&nationality=total")
        .await;
    let rows = totals["corridors"][0]["forecasts"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|row| row["nationality"].is_null()));
}

#[tokio::test]
async fn the_skill_and_the_legs_of_the_kept_forecasts_are_served() {
    let test = with_demo().await;
    let (status, body) = test
        .get_json("/api/v1/forecasts/skill?country=USA&scored")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let skills = body["skills"].as_array().unwrap();
    assert!(!skills.is_empty());
    for skill in skills {
        assert_eq!(skill["country"], "USA");
        let coverage = number(&skill["coverage80"]);
        assert!((0.0..=1.0).contains(&coverage));
    }
    let scored = body["scored"].as_array().unwrap();
    assert_eq!(
        scored.len() as u64,
        skills
            .iter()
            .map(|s| s["scored"].as_u64().unwrap())
            .sum::<u64>()
    );

    let (status, body) = test
        .get_json("/api/v1/forecasts/legs?nationality=VEN")
        .await;
    assert_eq!(status, StatusCode::OK);
    let legs = body["corridors"][0]["legs"].as_array().unwrap();
    assert_eq!(
        legs.len(),
        3,
        "Panama, Honduras, Mexico, United States: {legs:#?}"
    );
    for leg in legs {
        assert_eq!(leg["nationality"], "VEN");
        let continuation = number(&leg["continuation"]);
        let transit: f64 = leg["transit"].as_array().unwrap().iter().map(number).sum();
        if continuation > 0.0 {
            assert!((transit - 1.0).abs() < 1e-9, "{leg}");
        }
    }
}

#[tokio::test]
async fn a_misspelt_forecast_filter_is_refused_with_the_parameter_named() {
    let test = TestApp::new().await;
    let (status, body) = test
        .get_json("/api/v1/forecasts?nationality=Venezuela&horizon=3")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let columns: Vec<&str> = body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|problem| problem["column"].as_str())
        .collect();
    assert!(columns.contains(&"nationality"), "{body}");
    assert!(columns.contains(&"horizon"), "{body}");
    // Before any data, there is nothing to forecast and nothing is invented.
    let (status, body) = test.get_json("/api/v1/forecasts").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["corridors"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn the_forecasts_page_draws_each_node_with_its_range_and_the_picture_links_to_it() {
    let test = with_demo().await;
    let (status, html) = test.get("/forecasts?lang=es").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Llegadas esperadas</h1>"), "{html}");
    for node in ["pan", "hnd", "mex", "usa"] {
        assert!(
            html.contains(&format!("id=\"forecast-{node}-title\"")),
            "a chart for {node}"
        );
        assert!(html.contains(&format!("id=\"forecast-{node}-table\"")));
    }
    assert!(
        !html.contains("id=\"forecast-cri-title\""),
        "no chart without counts"
    );
    assert!(
        html.contains("class=\"chart__band\""),
        "the 80% range is drawn"
    );
    assert!(html.contains("Venezuela"), "nationalities are named");
    assert!(
        html.contains("Rango del 95 %, límite superior"),
        "the 95% range is drawn and named"
    );
    assert!(html.contains("No se espera que ningún albergue se quede sin plazas."));
    assert!(html.contains("pronósticos evaluados") || html.contains("pronóstico evaluado"));

    let (status, html) = test.get("/forecasts?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Expected arrivals in Honduras by nationality</caption>"));

    let (status, picture) = test.get("/?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(picture.contains("id=\"expected-heading\""), "{picture}");
    assert!(picture.contains("href=\"/forecasts?lang=en\""));
    assert!(picture.contains("id=\"expected-arrivals\""));
}
