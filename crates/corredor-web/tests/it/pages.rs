use axum::http::StatusCode;

use crate::support::TestApp;

#[tokio::test]
async fn the_completeness_page_lists_what_panama_reported_late_and_what_is_missing() {
    let test = TestApp::with_panama().await;
    let (status, html) = test.get("/completeness?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Reporting completeness"));
    let row = html
        .split("<tr>")
        .find(|row| row.contains("Panama"))
        .expect("a row for Panama");
    // June to August 2023 were reported (late: submitted in 2026); 38 months since are missing.
    assert!(row.contains(">3<") && row.contains(">38<"), "{row}");
    assert!(
        row.contains("Oct 2026"),
        "the latest missing month is named: {row}"
    );
}

#[tokio::test]
async fn pages_follow_the_language_of_the_browser_unless_asked() {
    let test = TestApp::new().await;
    let spanish = test
        .request_with_header("/completeness", "accept-language", "es-HN,es;q=0.9")
        .await;
    assert!(
        spanish.contains("<html lang=\"es\"") && spanish.contains("Completitud de los reportes")
    );
    let english = test
        .request_with_header("/completeness?lang=en", "accept-language", "es-HN,es;q=0.9")
        .await;
    assert!(english.contains("<html lang=\"en\"") && english.contains("Reporting completeness"));
}
