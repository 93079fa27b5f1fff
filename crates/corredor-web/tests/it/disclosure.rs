//! Over HTTP, observers and readers who are not signed in see `<5`, never a count below
//! five, in the API and on the situational picture.

use axum::http::StatusCode;
use corredor_app::ImportRequest;
use corredor_core::{
    Caller, CountryCode, Measure, OrganisationCode, OrganisationKind, Principal, Role,
    SharingLevel, SharingPolicy,
};
use corredor_exchange::observations::Format;

use crate::support::{TestApp, Who};

/// A few people of small nationalities each month, and Panama's August entries by place:
/// nearly everyone at Lajas Blancas, three people at San Vicente.
const SMALL_COUNTS: &str = "\
period,place,measure,nationality,value,source
2023-06,,irregular_entry,AFG,3,SNM Panamá
2023-07,,irregular_entry,AFG,1,SNM Panamá
2023-08,,irregular_entry,AFG,4,SNM Panamá
2023-06,,irregular_entry,CMR,2,SNM Panamá
2023-07,,irregular_entry,CMR,6,SNM Panamá
2023-08,,irregular_entry,CMR,0,SNM Panamá
2023-08,PA-ERM-LB,irregular_entry,,81943,SNM Panamá
2023-08,PA-ERM-SV,irregular_entry,,3,SNM Panamá
";

/// Panama's 2023 figures with small counts, made public by Panama's focal point.
async fn panama_in_public() -> TestApp {
    let test = TestApp::with_panama().await;
    let pan = CountryCode::parse("PAN").expect("Panama has an ISO code");
    let request = ImportRequest {
        country: Some(pan),
        format: Format::Csv,
        caller: &Caller::System,
        on_behalf_of: Some("test"),
    };
    test.app
        .import(request, "small.csv", SMALL_COUNTS.as_bytes())
        .await
        .expect("the file imports");
    let focal_point = Caller::Principal(Principal {
        name: "pan-focal-point".to_owned(),
        organisation: OrganisationCode::of_country(pan),
        kind: OrganisationKind::Country(pan),
        role: Role::FocalPoint,
    });
    test.app
        .set_sharing(
            &focal_point,
            &SharingPolicy {
                country: pan,
                measure: Measure::IrregularEntry,
                level: SharingLevel::Public,
            },
        )
        .await
        .expect("Panama's focal point shares its entries");
    test
}

/// Every number the body shows as a point value or a total, and the count of `<5` markers.
fn shown_numbers(body: &serde_json::Value) -> (Vec<u64>, usize) {
    let mut numbers = Vec::new();
    let mut markers = 0;
    for line in body["lines"].as_array().expect("lines") {
        numbers.extend(line["total"].as_u64());
        for point in line["points"].as_array().expect("points") {
            match point["suppressed"].as_str() {
                Some(marker) => {
                    assert!(point["value"].is_null(), "{point}");
                    assert!(marker == "<5" || marker == "hidden", "{point}");
                    markers += usize::from(marker == "<5");
                }
                None => numbers.push(point["value"].as_u64().expect("a count")),
            }
        }
    }
    (numbers, markers)
}

#[tokio::test]
async fn the_series_api_shows_below_five_markers_and_no_count_below_five() {
    let test = panama_in_public().await;
    for who in [Who::Anonymous, Who::Observer] {
        let reader = test.as_(who).await;
        for query in [
            "by=nationality&from=2023-06&to=2023-08",
            "by=nationality&granularity=year",
            "by=place&from=2023-06&to=2023-08",
            "from=2023-06&to=2023-08",
        ] {
            let uri = format!("/api/v1/series?measure=irregular_entry&country=PAN&{query}");
            let (status, body) = reader.get_json(&uri).await;
            assert_eq!(status, StatusCode::OK, "{uri}: {body}");
            let (numbers, _) = shown_numbers(&body);
            assert!(
                !body["lines"].as_array().expect("lines").is_empty(),
                "{uri}: {body}"
            );
            assert!(numbers.iter().all(|n| *n >= 5), "{who:?} {uri}: {body}");
        }
        let (_, body) = reader
            .get_json("/api/v1/series?measure=irregular_entry&country=PAN&by=nationality&from=2023-06&to=2023-08")
            .await;
        let (_, markers) = shown_numbers(&body);
        assert!(markers >= 4, "AFG and CMR months are below five: {body}");
        let afghans = body["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .find(|line| line["nationality"] == "AFG")
            .expect("the Afghan line");
        assert!(afghans["total"].is_null());
        assert_eq!(afghans["points"][0]["suppressed"], "<5");
    }

    // Panama's own focal point reads the exact figures.
    let (_, body) = test
        .get_json("/api/v1/series?measure=irregular_entry&country=PAN&by=nationality&from=2023-06&to=2023-08")
        .await;
    let afghans = body["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|line| line["nationality"] == "AFG")
        .expect("the Afghan line");
    assert_eq!(afghans["total"], 8);
}

#[tokio::test]
async fn two_breakdowns_at_once_are_refused_to_observers() {
    let test = panama_in_public().await;
    let reader = test.as_(Who::Observer).await;
    let (status, body) = reader
        .get("/api/v1/series?measure=irregular_entry&country=PAN&by=nationality,sex")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("one breakdown at a time"), "{body}");
}

#[tokio::test]
async fn the_picture_shows_below_five_where_a_small_latest_count_is() {
    let test = panama_in_public().await;
    let anonymous = test.as_(Who::Anonymous).await;
    let html = anonymous
        .request_with_header("/", "accept-language", "en")
        .await;
    let row = html
        .split("<tr")
        .find(|row| row.contains("San Vicente"))
        .expect("San Vicente has a row in the places table");
    assert!(row.contains("&lt;5"), "{row}");
    assert!(!row.contains(">3<"), "{row}");
    // Lajas Blancas would give San Vicente back (Panama's total minus it): it is hidden.
    let row = html
        .split("<tr")
        .find(|row| row.contains("Lajas Blancas") && row.contains("<td"))
        .expect("Lajas Blancas has a row in the places table");
    assert!(!row.contains("81"), "{row}");
    assert!(row.contains("–"), "{row}");
    assert!(
        row.contains("hidden so that small counts cannot be derived"),
        "{row}"
    );

    // Panama's own people read the counts.
    let (_, html) = test.get("/").await;
    let row = html
        .split("<tr")
        .find(|row| row.contains("San Vicente"))
        .expect("San Vicente has a row");
    assert!(!row.contains("&lt;5"), "{row}");
}
