//! The alert pages: the list with its map, levels and stranded populations, the detail with
//! its timeline and forms, the issue form, in both languages; and in Chromium, the detail
//! page with the live region the script fills.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use corredor_app::store::{AlertAudience, AlertFilter};
use corredor_core::{AlertId, Caller};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::support::{send, signed_in, TestApp, Who};

/// The alert Panama's focal point sends on a flow leaving Lajas Blancas (as in the API
/// end-to-end test), issued through the API.
const LAJAS_BLANCAS: &str = r#"{
    "composition": {
        "estimated_people": 1200,
        "women": 420,
        "children": 310,
        "unaccompanied_children": 12,
        "pregnant_women": 9,
        "nationalities": [
            { "nationality": "VEN", "estimated_people": 900 },
            { "nationality": "ECU", "estimated_people": 150 }
        ]
    },
    "location": {
        "area": { "kind": "place", "place": "PA-ERM-LB" },
        "description": "Estación de Recepción Migratoria de Lajas Blancas, Darién"
    },
    "route": { "corridor": "northbound", "direction": "northbound" },
    "stage": "in_transit",
    "needs": { "actions": ["health_care", "unaccompanied_children_care"], "note": "Agua y atención a niños no acompañados" },
    "text": {
        "spanish": {
            "headline": "1.200 personas salen de Lajas Blancas hacia Costa Rica",
            "description": "Grupo numeroso, mayoría venezolana, con 12 niños no acompañados."
        },
        "english": {
            "headline": "1,200 people leave Lajas Blancas for Costa Rica",
            "description": "A large group, mostly Venezuelan, with 12 unaccompanied children."
        }
    },
    "seen_on": "2026-11-24",
    "activate": true
}"#;

async fn issue_alert(test: &TestApp) -> AlertId {
    let (status, body) = test
        .request(
            "POST",
            "/api/v1/alerts",
            Some(("application/json", LAJAS_BLANCAS)),
        )
        .await;
    assert!(status.is_success(), "{status}: {body}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    AlertId(json["alert"]["id"].as_i64().expect("the alert has an id"))
}

/// The form token the page put in the form posting to `action`.
fn token_of_form(page: &str, action: &str) -> String {
    let form = page
        .split(&format!("action=\"{action}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no form posting to {action}"));
    form.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the form carries its token")
        .to_owned()
}

/// The part of the page from its timeline to the end of the timeline's list.
fn timeline(page: &str) -> &str {
    let start = page
        .find("id=\"timeline\"")
        .expect("the page has a timeline");
    let end = page[start..].find("</ol>").expect("the timeline ends") + start;
    &page[start..end]
}

#[tokio::test]
async fn the_alert_list_shows_the_alert_its_recipients_map_levels_in_both_languages() {
    let test = TestApp::new().await;
    issue_alert(&test).await;
    let costa_rica = test.as_(Who::FocalPoint("CRI")).await;

    let (status, spanish) = costa_rica.get("/alerts?lang=es").await;
    assert_eq!(status, StatusCode::OK, "{spanish}");
    assert!(spanish.contains("<html lang=\"es\""));
    assert!(spanish.contains("<h1>Alertas migratorias</h1>"));
    assert!(spanish.contains("1.200 personas salen de Lajas Blancas hacia Costa Rica"));
    let row = spanish
        .split("<tr>")
        .find(|row| row.contains("1.200 personas salen"))
        .expect("a row for the alert");
    assert!(row.contains("Activa") && row.contains("Panamá") && row.contains("En tránsito"));
    // Spanish groups digits only from five on (RAE): 1200, not 1 200.
    assert!(row.contains(">1200<"), "estimated people: {row}");
    // Nobody has acknowledged yet: said in words for each recipient, with the windows.
    assert!(row.contains("Costa Rica: aún no acusa recibo"), "{row}");
    assert!(
        row.contains("México: del "),
        "Mexico's arrival window: {row}"
    );
    // The map marks the alert and hatches the countries it is addressed to.
    assert!(spanish.contains("id=\"alerts-map-title\">Mapa de las alertas activas</title>"));
    assert!(spanish.contains("Costa Rica (destinatario de una alerta activa)"));
    assert!(spanish.contains("class=\"alert-mark\""));
    // The active alert raises the recipients' level, and the level says what it obliges.
    let levels = spanish
        .split("id=\"alert-levels\"")
        .nth(1)
        .expect("the levels table");
    // A flow in transit raises them to "elevated", which obliges protection screening.
    let level = levels
        .split("<tr>")
        .find(|row| row.contains("Costa Rica"))
        .expect("a level for Costa Rica");
    assert!(level.contains("<strong>Elevado</strong>"), "{level}");
    assert!(level.contains("Identificación de necesidades de protección"));
    assert!(spanish.contains("role=\"status\"") && spanish.contains("aria-live=\"polite\""));
    assert!(spanish.contains("<script src=\"/static/alerts.js\" defer>"));
    // Costa Rica does not issue this alert but may issue its own.
    assert!(spanish.contains("href=\"/alerts/new?lang=es\""));

    let (_, english) = costa_rica.get("/alerts?lang=en").await;
    assert!(english.contains("<html lang=\"en\"") && english.contains("<h1>Migratory alerts</h1>"));
    assert!(english.contains("1,200 people leave Lajas Blancas for Costa Rica"));
    assert!(english.contains("Costa Rica: not yet acknowledged"));
    assert!(english.contains("Costa Rica (an active alert is addressed to it)"));

    // An observer the alert is not shared with sees the page, without the alert.
    let (status, observer) = test.as_(Who::Observer).await.get("/alerts?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!observer.contains("Lajas Blancas for Costa Rica"));
    assert!(observer.contains("There is no alert you may see."));
    assert!(
        !observer.contains("href=\"/alerts/new"),
        "no issue link for an observer"
    );
}

#[tokio::test]
async fn the_alert_detail_shows_content_recipients_and_timeline_in_both_languages() {
    let test = TestApp::new().await;
    let id = issue_alert(&test).await;
    let mexico = test.as_(Who::FocalPoint("MEX")).await;

    let (status, spanish) = mexico.get(&format!("/alerts/{}?lang=es", id.0)).await;
    assert_eq!(status, StatusCode::OK, "{spanish}");
    assert!(spanish.contains("<h1>1.200 personas salen de Lajas Blancas hacia Costa Rica</h1>"));
    // Both languages' words, each marked with its language.
    assert!(spanish.contains("<div class=\"alert-text\" lang=\"en\">"));
    assert!(spanish.contains("A large group, mostly Venezuelan, with 12 unaccompanied children."));
    // The composition with the vulnerable groups and the nationalities.
    let composition = spanish
        .split("id=\"composition\"")
        .nth(1)
        .expect("the composition table");
    assert!(composition.contains("Niñas y niños no acompañados</th><td class=\"numeric\">12<"));
    assert!(composition.contains("Mujeres embarazadas</th><td class=\"numeric\">9<"));
    assert!(composition.contains("Personas con discapacidad</th><td class=\"numeric\">no se sabe<"));
    assert!(composition.contains("Venezuela"), "{composition}");
    assert!(spanish.contains("Estación de Recepción Migratoria de Lajas Blancas, Darién"));
    assert!(spanish.contains("Atención de niñas y niños no acompañados"));
    // Recipients: every country ahead, with what it still owes.
    let recipients = spanish
        .split("id=\"recipients\"")
        .nth(1)
        .expect("the recipients table");
    for country in ["Costa Rica", "Nicaragua", "Honduras", "Guatemala", "México"] {
        assert!(recipients.contains(country), "{country} is a recipient");
    }
    assert!(recipients.contains("aún no acusa recibo"));
    // The timeline: issued, then sent.
    let steps = timeline(&spanish);
    assert!(steps.contains("Emitida") && steps.contains("Enviada a los destinatarios"));
    assert!(steps.contains("<time datetime=\"2026-11-24T09:00:00+00:00\">"));
    // Mexico is a recipient: it may answer (with a token only in a signed-in session), but
    // it does not issue this alert.
    assert!(!spanish.contains("/activate\"") && !spanish.contains("/close\""));

    let (_, english) = mexico.get(&format!("/alerts/{}?lang=en", id.0)).await;
    assert!(english.contains("<h1>1,200 people leave Lajas Blancas for Costa Rica</h1>"));
    assert!(english.contains("Unaccompanied children</th><td class=\"numeric\">12<"));
    let steps = timeline(&english);
    assert!(steps.contains("Issued") && steps.contains("Sent to the recipients"));
}

#[tokio::test]
async fn a_recipient_acknowledges_and_records_an_action_through_the_forms_and_the_timeline_shows_both(
) {
    let test = TestApp::new().await;
    let id = issue_alert(&test).await;
    let (session, _) = signed_in(&test, "CRI", "cri.focal").await;
    let detail = format!("/alerts/{}", id.0);

    let (status, _, page) = send(&test, "GET", &format!("{detail}?lang=es"), &session, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let acknowledge = format!("{detail}/acknowledge");
    let token = token_of_form(&page, &acknowledge);
    assert!(
        !page.contains(&format!("{detail}/close")),
        "a recipient is not shown the issuer's forms"
    );

    // Without the token nothing changes.
    let (status, _, _) = send(
        &test,
        "POST",
        &acknowledge,
        &session,
        Some(&[("csrf", "forged"), ("lang", "es")]),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let view = test.app.alert(&Caller::System, id).await.unwrap();
    assert!(view.unacknowledged.iter().any(|c| c.as_str() == "CRI"));

    let (status, headers, body) = send(
        &test,
        "POST",
        &acknowledge,
        &session,
        Some(&[("csrf", &token), ("lang", "es")]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(headers[header::LOCATION], format!("{detail}?lang=es"));

    let actions = format!("{detail}/actions");
    let (status, _, body) = send(
        &test,
        "POST",
        &actions,
        &session,
        Some(&[
            ("csrf", &token),
            ("lang", "es"),
            ("action", "health_care"),
            ("status", "guaranteed"),
            ("note", "Puesto de salud en Paso Canoas"),
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    let view = test.app.alert(&Caller::System, id).await.unwrap();
    assert!(!view.unacknowledged.iter().any(|c| c.as_str() == "CRI"));
    let (_, _, page) = send(&test, "GET", &format!("{detail}?lang=es"), &session, None).await;
    let steps = timeline(&page);
    assert!(
        steps.contains("Acuse de recibo</strong> · Costa Rica · por cri.focal"),
        "{steps}"
    );
    assert!(
        steps.contains("Atención de salud: Garantizada (Puesto de salud en Paso Canoas)"),
        "{steps}"
    );
    let recipients = page.split("id=\"recipients\"").nth(1).unwrap();
    let costa_rica = recipients
        .split("<tr>")
        .find(|row| row.contains("Costa Rica"))
        .unwrap();
    assert!(costa_rica.contains("✓ por cri.focal"), "{costa_rica}");
    // Acknowledged once: the form is not refused silently the second time, it says why.
    let (status, _, body) = send(
        &test,
        "POST",
        &acknowledge,
        &session,
        Some(&[("csrf", &token), ("lang", "en")]),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("not valid"), "{body}");
}

#[tokio::test]
async fn the_issuer_updates_and_closes_the_alert_through_the_forms() {
    let test = TestApp::new().await;
    let id = issue_alert(&test).await;
    let (session, _) = signed_in(&test, "PAN", "pan.focal").await;
    let detail = format!("/alerts/{}", id.0);
    let (_, _, page) = send(&test, "GET", &format!("{detail}?lang=en"), &session, None).await;
    let update = format!("{detail}/update");
    let token = token_of_form(&page, &update);
    assert!(
        page.contains("value=\"PA-ERM-LB\" selected"),
        "the update form holds the latest content"
    );
    let (status, _, body) = send(
        &test,
        "POST",
        &update,
        &session,
        Some(&[
            ("csrf", &token),
            ("lang", "en"),
            (
                "what_changed",
                "The group grew to 1,500 and reached the border",
            ),
            ("estimated_people", "1500"),
            ("children", "400"),
            ("unaccompanied_children", "15"),
            ("nationalities", "VEN:1100, ECU:200"),
            ("place", "PA-ERM-LB"),
            ("location_description", "Lajas Blancas"),
            ("corridor", "northbound"),
            ("direction", "northbound"),
            ("stage", "at_border"),
            ("need", "health_care"),
            ("headline_en", "1,500 people at the border with Costa Rica"),
            ("description_en", "The group grew overnight."),
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let close = format!("{detail}/close");
    let (status, _, body) = send(
        &test,
        "POST",
        &close,
        &session,
        Some(&[("csrf", &token), ("lang", "en")]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = send(&test, "GET", &format!("{detail}?lang=en"), &session, None).await;
    assert!(page.contains("<h1>1,500 people at the border with Costa Rica</h1>"));
    let steps = timeline(&page);
    assert!(
        steps.contains("New version</strong> · Panama · by pan.focal: v2: The group grew to 1,500"),
        "{steps}"
    );
    assert!(steps.contains("Closed"), "{steps}");
    let view = test.app.alert(&Caller::System, id).await.unwrap();
    assert_eq!(view.stored.alert.state().code(), "closed");
    assert_eq!(
        view.stored
            .alert
            .latest()
            .content
            .composition
            .estimated_people(),
        1500
    );
}

#[tokio::test]
async fn a_bad_issue_form_comes_back_naming_each_field_and_writes_nothing() {
    let test = TestApp::new().await;
    let (session, _) = signed_in(&test, "PAN", "pan.focal").await;
    let (status, _, page) = send(&test, "GET", "/alerts/new?lang=es", &session, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("<option value=\"PA-ERM-LB\">"),
        "Panama's places are offered"
    );
    let token = token_of_form(&page, "/alerts");
    let (status, _, page) = send(
        &test,
        "POST",
        "/alerts",
        &session,
        Some(&[
            ("csrf", &token),
            ("lang", "es"),
            ("estimated_people", "mil doscientas"),
            ("women", "3000"),
            ("nationalities", "VEN-900"),
            ("place", ""),
            ("latitude", "8,43"),
            ("corridor", "northbound"),
            ("direction", "northbound"),
            ("stage", "in_transit"),
            ("description_es", "Sin titular"),
            ("activate", "on"),
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("La alerta no se emitió."));
    assert!(page.contains("Personas estimadas: escriba un número entero de personas, 0 o más."));
    assert!(page.contains("Nacionalidades: escriba cada nacionalidad como un código"));
    assert!(page.contains("Latitud: escriba un número en grados"));
    // Each field's error is next to it and linked to it.
    assert!(page.contains(
        "id=\"estimated_people\" name=\"estimated_people\" value=\"mil doscientas\" inputmode=\"numeric\" aria-invalid=\"true\" aria-describedby=\"estimated_people-error\""
    ), "{page}");
    assert!(page.contains("<a href=\"#nationalities\">"));
    // What was typed is kept.
    assert!(page.contains("Sin titular"));
    let written = test
        .app
        .store()
        .alerts(&AlertFilter::for_audience(AlertAudience::Everything))
        .await
        .unwrap();
    assert!(written.is_empty(), "nothing is written");

    // The numbers right but the text without a headline: the domain's reason, on the field.
    let (status, _, page) = send(
        &test,
        "POST",
        "/alerts",
        &session,
        Some(&[
            ("csrf", &token),
            ("lang", "en"),
            ("estimated_people", "1200"),
            ("women", "3000"),
            ("place", "PA-ERM-LB"),
            ("corridor", "northbound"),
            ("direction", "northbound"),
            ("stage", "in_transit"),
            ("description_es", "Sin titular"),
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("women (3000) is more than the estimated people (1200)"),
        "{page}"
    );
    assert!(page.contains("<a href=\"#headline_es\">"), "{page}");
    let written = test
        .app
        .store()
        .alerts(&AlertFilter::for_audience(AlertAudience::Everything))
        .await
        .unwrap();
    assert!(written.is_empty(), "nothing is written");

    // A good form issues the alert and goes to it.
    let (status, headers, body) = send(
        &test,
        "POST",
        "/alerts",
        &session,
        Some(&[
            ("csrf", &token),
            ("lang", "es"),
            ("estimated_people", "300"),
            ("nationalities", "HTI:120"),
            ("place", ""),
            ("latitude", "8.43"),
            ("longitude", "-77.93"),
            ("radius_km", "25"),
            ("location_description", "Bajo Chiquito, Darién"),
            ("corridor", "northbound"),
            ("direction", "northbound"),
            ("stage", "forming"),
            ("need", "humanitarian_assistance"),
            ("headline_es", "300 personas se reúnen en Bajo Chiquito"),
            (
                "description_es",
                "Llegadas por la selva en las últimas 48 horas.",
            ),
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let location = headers[header::LOCATION].to_str().unwrap().to_owned();
    assert!(location.starts_with("/alerts/") && location.ends_with("?lang=es"));
    let (_, _, page) = send(&test, "GET", &location, &session, None).await;
    assert!(
        page.contains("Borrador"),
        "kept as a draft without “send now”"
    );
    assert!(page.contains("a menos de 25 km de 8.43, -77.93"), "{page}");
    assert!(
        page.contains("/activate\""),
        "the issuer may send the draft"
    );
}

#[tokio::test]
async fn an_observer_the_alert_is_not_shared_with_gets_404_for_its_detail() {
    let test = TestApp::new().await;
    let id = issue_alert(&test).await;
    let (status, page) = test
        .as_(Who::Observer)
        .await
        .get(&format!("/alerts/{}?lang=en", id.0))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("Page not found") && !page.contains("Lajas Blancas"));
    // A country off the route neither.
    let (status, _) = test
        .as_(Who::FocalPoint("BLZ"))
        .await
        .get(&format!("/alerts/{}", id.0))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = test.get("/alerts/not-a-number").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_reader_not_signed_in_is_sent_to_sign_in_and_comes_back() {
    let test = TestApp::new().await;
    let id = issue_alert(&test).await;
    let anonymous = test.as_(Who::Anonymous).await;
    for path in ["/alerts".to_owned(), format!("/alerts/{}", id.0)] {
        let response = anonymous
            .router
            .clone()
            .oneshot(
                Request::builder()
                    .uri(format!("{path}?lang=en"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        let location = response.headers()[header::LOCATION].to_str().unwrap();
        assert!(
            location.starts_with("/sign-in?lang=en&next=")
                && location.contains(&path.replace('/', "%2F")),
            "{location}"
        );
    }
}

#[tokio::test]
async fn the_live_script_is_served_and_the_policy_lets_only_the_sites_own_scripts_run() {
    let test = TestApp::new().await;
    let response = test
        .router
        .clone()
        .oneshot(
            Request::builder()
                .uri("/static/alerts.js")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("script-src 'self'") && !policy.contains("unsafe-eval"));
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let script = String::from_utf8_lossy(&bytes);
    assert!(script.contains("new EventSource(\"/api/v1/alerts/events\")"));
    assert!(script.contains("addEventListener(\"alert\""));
    // The words come from the page, never from the script.
    assert!(!script.contains("Nueva alerta"));
}

const CHROMIUM: &str = "/usr/bin/chromium";

fn chromium_available() -> bool {
    if std::path::Path::new(CHROMIUM).exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must install Debian's chromium for the browser tests"
    );
    eprintln!("browser tests not run: {CHROMIUM} is not installed (apt-get install chromium)");
    false
}

/// The DOM headless Chromium built for `url`.
fn dump_dom(url: &str) -> String {
    let profile = tempfile::tempdir().expect("a temporary profile directory");
    let output = std::process::Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_alert_detail_renders_in_chromium_in_both_languages_with_timeline_and_live_region() {
    if !chromium_available() {
        return;
    }
    let test = TestApp::new().await;
    let id = issue_alert(&test).await;
    // The browser reads as Costa Rica's focal point: every request it makes (the page, the
    // script, the event stream) carries Costa Rica's API token, as a signed-in browser
    // carries its session cookie.
    let costa_rica = test.as_(Who::FocalPoint("CRI")).await;
    let authorization = format!(
        "Bearer {}",
        costa_rica
            .bearer
            .clone()
            .expect("a focal point has a token")
    );
    let router = costa_rica
        .router
        .clone()
        .layer(axum::middleware::map_request(
            move |mut request: Request<Body>| {
                let authorization = authorization.clone();
                async move {
                    request.headers_mut().insert(
                        header::AUTHORIZATION,
                        authorization.parse().expect("a header value"),
                    );
                    request
                }
            },
        ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port is free");
    let address = listener.local_addr().expect("the listener has an address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    for (lang, heading, timeline_heading, issued) in [
        (
            "es",
            "1.200 personas salen de Lajas Blancas hacia Costa Rica",
            "Cronología",
            "Emitida",
        ),
        (
            "en",
            "1,200 people leave Lajas Blancas for Costa Rica",
            "Timeline",
            "Issued",
        ),
    ] {
        let url = format!("http://{address}/alerts/{}?lang={lang}", id.0);
        let dom = tokio::task::spawn_blocking(move || dump_dom(&url))
            .await
            .unwrap();
        assert!(
            dom.contains(&format!("<html lang=\"{lang}\"")),
            "{lang}: {dom}"
        );
        assert!(
            dom.contains(&format!("<h1>{heading}</h1>")),
            "{lang}: {dom}"
        );
        assert!(
            dom.contains(&format!(
                "<h2 id=\"timeline-heading\">{timeline_heading}</h2>"
            )),
            "{lang}"
        );
        let steps = timeline(&dom);
        assert!(steps.contains(issued), "{lang}: {steps}");
        assert!(
            dom.contains("id=\"alert-live\"")
                && dom.contains("role=\"status\"")
                && dom.contains("aria-live=\"polite\""),
            "{lang}: the live region is in the page"
        );
        assert!(
            dom.contains(&format!("data-alert-id=\"{}\"", id.0)),
            "{lang}: the region knows which alert the page shows"
        );
        assert!(dom.contains("class=\"alert-mark\"") || dom.contains("id=\"recipients\""));
    }
}

/// A WebDriver session in headless Chromium, driven over chromedriver's HTTP protocol.
struct WebDriver {
    process: std::process::Child,
    base: String,
    session: String,
    client: reqwest::Client,
    _profile: tempfile::TempDir,
}

impl WebDriver {
    /// Starts chromedriver on a free loopback port and opens a headless Chromium session;
    /// `None` when chromedriver is not installed (outside CI).
    async fn start() -> Option<WebDriver> {
        use std::io::BufRead as _;
        const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
        if !std::path::Path::new(CHROMEDRIVER).exists() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must install Debian's chromium-driver for the live-update test"
            );
            return None;
        }
        // A port the system just gave out and took back: free for chromedriver to take.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a loopback port is free")
            .port();
        let mut process = std::process::Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        // chromedriver says when it listens: read up to that line rather than guess a delay.
        let stdout = process.stdout.take().expect("stdout is piped");
        let ready = tokio::task::spawn_blocking(move || {
            std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .any(|line| line.contains("started successfully"))
        })
        .await
        .expect("the reader finishes");
        assert!(ready, "chromedriver did not start");
        let profile = tempfile::tempdir().expect("a profile directory");
        let client = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let created: serde_json::Value = client
            .post(format!("{base}/session"))
            .json(&serde_json::json!({ "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": "/usr/bin/chromium",
                    "args": [
                        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update",
                        format!("--user-data-dir={}", profile.path().display()),
                    ],
                },
            } } }))
            .send()
            .await
            .expect("chromedriver answers")
            .json()
            .await
            .expect("a JSON answer");
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_owned();
        Some(WebDriver {
            process,
            base,
            session,
            client,
            _profile: profile,
        })
    }

    async fn command(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let answer: serde_json::Value = self
            .client
            .post(format!("{}/session/{}/{path}", self.base, self.session))
            .json(&body)
            .send()
            .await
            .expect("chromedriver answers")
            .json()
            .await
            .expect("a JSON answer");
        assert!(answer["value"].get("error").is_none(), "{path}: {answer}");
        answer["value"].clone()
    }
}

impl Drop for WebDriver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recipient_reading_the_alert_list_in_chromium_is_told_at_once_when_an_alert_changes() {
    let Some(driver) = WebDriver::start().await else {
        return;
    };
    let test = TestApp::new().await;
    let id = issue_alert(&test).await;
    // Costa Rica's focal point reads the list; every request the browser makes (the page,
    // the script, the event stream) carries Costa Rica's token.
    let costa_rica = test.as_(Who::FocalPoint("CRI")).await;
    let authorization = format!("Bearer {}", costa_rica.bearer.clone().expect("a token"));
    // The event stream's response is made after its handler subscribed: when it leaves, the
    // page is listening.
    let listening = std::sync::Arc::new(tokio::sync::Notify::new());
    let stream_opened = listening.clone();
    let router = costa_rica
        .router
        .clone()
        .layer(axum::middleware::from_fn(
            move |request: Request<Body>, next: axum::middleware::Next| {
                let stream_opened = stream_opened.clone();
                async move {
                    let events = request.uri().path() == "/api/v1/alerts/events";
                    let response = next.run(request).await;
                    if events {
                        stream_opened.notify_one();
                    }
                    response
                }
            },
        ))
        .layer(axum::middleware::map_request(
            move |mut request: Request<Body>| {
                let authorization = authorization.clone();
                async move {
                    request.headers_mut().insert(
                        header::AUTHORIZATION,
                        authorization.parse().expect("a header value"),
                    );
                    request
                }
            },
        ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port is free");
    let address = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, router).await });

    driver
        .command(
            "url",
            serde_json::json!({ "url": format!("http://{address}/alerts?lang=en") }),
        )
        .await;
    tokio::time::timeout(std::time::Duration::from_secs(20), listening.notified())
        .await
        .expect("the page opens its event stream");
    // Mexico acknowledges: a change Costa Rica, a recipient, may see.
    let mexico = test.as_(Who::FocalPoint("MEX")).await;
    let (status, body) = mexico
        .request(
            "POST",
            &format!("/api/v1/alerts/{}/acknowledge", id.0),
            None,
        )
        .await;
    assert!(status.is_success(), "{status}: {body}");
    driver
        .command("timeouts", serde_json::json!({ "script": 20_000 }))
        .await;
    let announced = driver
        .command(
            "execute/async",
            serde_json::json!({
                "script": "var done = arguments[arguments.length - 1];
                    var region = document.getElementById('alert-live');
                    function check() {
                        if (region.textContent.trim()) { done(region.innerHTML); return true; }
                        return false;
                    }
                    if (!check()) {
                        new MutationObserver(check).observe(region, { childList: true, subtree: true });
                    }",
                "args": [],
            }),
        )
        .await;
    let announced = announced.as_str().expect("the live region's HTML");
    assert!(
        announced
            .contains("Alert from PAN changed: 1,200 people leave Lajas Blancas for Costa Rica"),
        "{announced}"
    );
    assert!(
        announced.contains(&format!("/alerts/{}?lang=en", id.0)),
        "{announced}"
    );
}
