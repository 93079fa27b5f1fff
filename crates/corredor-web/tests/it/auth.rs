//! Signing in and out, the form tokens that protect every form, the throttling of failed
//! sign-ins and the revocation of API tokens, over HTTP.

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use corredor_app::NewUser;
use corredor_core::{Caller, OrganisationCode, Role};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::support::{TestApp, Who};

const PASSWORD: &str = "panama focal point 2026";

/// A request with the given cookies and headers, and what came back.
async fn send(
    test: &TestApp,
    method: &str,
    uri: &str,
    cookies: &[(&str, &str)],
    headers: &[(&str, &str)],
    body: Option<(&str, String)>,
) -> (StatusCode, HeaderMap, String) {
    let mut builder = Request::builder().method(method).uri(uri);
    if !cookies.is_empty() {
        let cookie: Vec<String> = cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        builder = builder.header(header::COOKIE, cookie.join("; "));
    }
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let body = match body {
        Some((content_type, text)) => {
            builder = builder.header(header::CONTENT_TYPE, content_type);
            Body::from(text)
        }
        None => Body::empty(),
    };
    let response = test
        .router
        .clone()
        .oneshot(builder.body(body).unwrap())
        .await
        .expect("the router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// The value a response sets for a cookie, with its attributes.
fn set_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn cookie_value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(_, value)| value.to_owned())
        .unwrap_or_default()
}

fn form(fields: &[(&str, &str)]) -> Option<(&'static str, String)> {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    Some(("application/x-www-form-urlencoded", body))
}

async fn with_focal_point() -> TestApp {
    let test = TestApp::new().await.as_(Who::Anonymous).await;
    test.app
        .add_user(
            &Caller::System,
            &NewUser {
                name: "pan.focal".to_owned(),
                display_name: "Ana Pérez".to_owned(),
                organisation: OrganisationCode::parse("PAN").unwrap(),
                role: Role::FocalPoint,
                password: PASSWORD.to_owned(),
            },
        )
        .await
        .expect("the focal point is added");
    test
}

/// The sign-in form's token, as the page sets it in its cookie and its hidden field.
async fn sign_in_form_token(test: &TestApp) -> String {
    let (status, headers, body) = send(test, "GET", "/sign-in", &[], &[], None).await;
    assert_eq!(status, StatusCode::OK);
    let cookie = set_cookie(&headers, "corredor_sign_in").expect("the page sets its form token");
    let token = cookie_value(&cookie);
    assert!(
        body.contains(&format!("name=\"csrf\" value=\"{token}\"")),
        "the form carries the cookie's token"
    );
    token
}

/// Signs in and returns the session cookie's value.
async fn sign_in(test: &TestApp) -> String {
    let token = sign_in_form_token(test).await;
    let (status, headers, body) = send(
        test,
        "POST",
        "/sign-in",
        &[("corredor_sign_in", &token)],
        &[],
        form(&[
            ("csrf", &token),
            ("name", "pan.focal"),
            ("password", PASSWORD),
            ("next", "/signals?lang=es"),
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(headers[header::LOCATION], "/signals?lang=es");
    let session = set_cookie(&headers, "corredor_session").expect("a session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"));
    cookie_value(&session)
}

async fn me(test: &TestApp, session: &str) -> serde_json::Value {
    let (status, _, body) = send(
        test,
        "GET",
        "/api/v1/me",
        &[("corredor_session", session)],
        &[],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn every_form_refuses_a_request_without_its_token_and_changes_nothing() {
    let test = with_focal_point().await;
    let credentials = [("name", "pan.focal"), ("password", PASSWORD)];

    // Signing in: without the form's cookie, or with a field that does not match it.
    let (status, headers, _) = send(&test, "POST", "/sign-in", &[], &[], form(&credentials)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(set_cookie(&headers, "corredor_session").is_none());
    let token = sign_in_form_token(&test).await;
    let (status, headers, _) = send(
        &test,
        "POST",
        "/sign-in",
        &[("corredor_sign_in", &token)],
        &[],
        form(&[credentials[0], credentials[1], ("csrf", "forged")]),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(set_cookie(&headers, "corredor_session").is_none());

    let session = sign_in(&test).await;
    let who = me(&test, &session).await;
    assert_eq!(who["name"], "pan.focal");
    assert_eq!(who["role"], "focal_point");

    // An API change made with the session needs the session's token in a header.
    let share = || {
        Some((
            "application/json",
            r#"{"level": "members_and_observers"}"#.to_owned(),
        ))
    };
    let (status, _, body) = send(
        &test,
        "PUT",
        "/api/v1/sharing/PAN/stranded",
        &[("corredor_session", &session)],
        &[],
        share(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("x-csrf-token"), "{body}");
    assert!(test
        .app
        .sharing_policies(&Caller::System)
        .await
        .unwrap()
        .is_empty());

    // Signing out: the form without its token is refused and the session stays open.
    let (status, _, _) = send(
        &test,
        "POST",
        "/sign-out",
        &[("corredor_session", &session)],
        &[],
        form(&[("csrf", "forged")]),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(me(&test, &session).await["authenticated"], true);

    // The session's token is on every page it is shown, in the sign-out form.
    let (_, _, page) = send(
        &test,
        "GET",
        "/completeness",
        &[("corredor_session", &session)],
        &[],
        None,
    )
    .await;
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the sign-out form carries the session's token")
        .to_owned();
    assert!(
        page.contains("Ana Pérez"),
        "the header names who is signed in"
    );

    let (status, _, body) = send(
        &test,
        "PUT",
        "/api/v1/sharing/PAN/stranded",
        &[("corredor_session", &session)],
        &[("x-csrf-token", &csrf)],
        share(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, headers, _) = send(
        &test,
        "POST",
        "/sign-out",
        &[("corredor_session", &session)],
        &[],
        form(&[("csrf", &csrf)]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(set_cookie(&headers, "corredor_session").is_some_and(|c| c.contains("Max-Age=0")));
    assert_eq!(me(&test, &session).await["authenticated"], false);
}

#[tokio::test]
async fn twenty_failed_sign_ins_in_a_minute_are_throttled_even_for_the_right_password() {
    let test = with_focal_point().await;
    let token = sign_in_form_token(&test).await;
    let attempt = |password: &'static str| {
        let test = &test;
        let token = token.clone();
        async move {
            send(
                test,
                "POST",
                "/sign-in?lang=en",
                &[("corredor_sign_in", &token)],
                &[],
                form(&[
                    ("csrf", &token),
                    ("name", "pan.focal"),
                    ("password", password),
                    ("lang", "en"),
                ]),
            )
            .await
        }
    };
    for _ in 0..corredor_app::THROTTLE_FAILURES {
        let (status, _, body) = attempt("wrong password!").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body.contains("The user name or the password is wrong."));
    }
    let (status, headers, body) = attempt(PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(headers.contains_key(header::RETRY_AFTER));
    assert!(set_cookie(&headers, "corredor_session").is_none());
    assert!(body.contains("Too many failed attempts"));
}

#[tokio::test]
async fn a_revoked_token_is_refused_at_once() {
    let test = TestApp::new().await;
    let reporter = test.as_(Who::Analyst("PAN")).await;
    let (status, who) = reporter.get_json("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(who["authenticated"], true);
    let id: i64 = who["name"]
        .as_str()
        .and_then(|name| name.strip_prefix("token:"))
        .and_then(|id| id.parse().ok())
        .expect("a token is named by its id");

    let admin = test.as_(Who::Administrator).await;
    let (status, body) = admin
        .request("POST", &format!("/api/v1/tokens/{id}/revoke"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, body) = reporter.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, _) = reporter
        .request(
            "POST",
            "/api/v1/observations?country=PAN",
            Some(("text/csv", crate::support::PANAMA_2023)),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(test.observation_count().await, 0);
}

#[tokio::test]
async fn a_focal_point_chooses_who_reads_a_measure_on_the_sharing_page_with_its_form_token() {
    let test = with_focal_point().await;
    let (status, _, page) = send(&test, "GET", "/sharing?lang=en", &[], &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("href=\"/sign-in?lang=en&amp;next=/sharing\""));
    assert!(
        !page.contains("action=\"/sharing\""),
        "no form for a reader not signed in"
    );

    let session = sign_in(&test).await;
    let (_, _, page) = send(
        &test,
        "GET",
        "/sharing?lang=en",
        &[("corredor_session", &session)],
        &[],
        None,
    )
    .await;
    assert!(
        page.contains("Choose who reads the data of Panama"),
        "{page}"
    );
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let choice = |token: &str| {
        form(&[
            ("csrf", token),
            ("lang", "en"),
            ("measure", "stranded"),
            ("level", "named_members"),
            ("member", "CRI"),
            ("member", "MEX"),
        ])
    };
    let (status, _, _) = send(
        &test,
        "POST",
        "/sharing",
        &[("corredor_session", &session)],
        &[],
        choice("forged"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(test
        .app
        .sharing_policies(&Caller::System)
        .await
        .unwrap()
        .is_empty());

    let (status, headers, _) = send(
        &test,
        "POST",
        "/sharing",
        &[("corredor_session", &session)],
        &[],
        choice(&csrf),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/sharing?lang=en");
    let policies = test.app.sharing_policies(&Caller::System).await.unwrap();
    assert_eq!(policies.len(), 1);
    assert_eq!(policies[0].country.as_str(), "PAN");
    assert_eq!(
        policies[0].level,
        corredor_core::SharingLevel::NamedMembers(
            ["CRI", "MEX"]
                .iter()
                .map(|code| corredor_core::CountryCode::parse(code).unwrap())
                .collect()
        )
    );
    let (_, _, page) = send(
        &test,
        "GET",
        "/sharing?lang=es",
        &[("corredor_session", &session)],
        &[],
        None,
    )
    .await;
    assert!(page.contains("Países miembros nombrados"));
    assert!(
        page.contains("Costa Rica, México"),
        "the table names the members"
    );
}
