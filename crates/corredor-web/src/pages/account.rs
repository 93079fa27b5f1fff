//! Signing in and out.
//!
//! The sign-in form is protected against login CSRF by a double-submit token: the page sets
//! a random `corredor_sign_in` cookie (HttpOnly, SameSite=Strict) and puts the same value
//! in the form; a sign-in whose field does not match the cookie is refused. Once signed in,
//! every form carries the session's own token instead.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use corredor_app::AppError;
use maud::{html, Markup};
use rand::RngCore;

use super::form::{forbidden_form, Form};
use super::{html_response, language, page_frame, translator};
use crate::auth::{constant_time_eq, cookie, set_cookie, Visitor, SESSION_COOKIE, SIGN_IN_COOKIE};
use crate::render::Lang;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/sign-out", post(sign_out))
}

/// Where to go after signing in: only a local path, never another site.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(next)
            if next.starts_with('/')
                && !next.starts_with("//")
                && !next.contains(['\\', '\r', '\n']) =>
        {
            next.to_owned()
        }
        _ => "/".to_owned(),
    }
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn query_value(query: Option<&str>, name: &str) -> Option<String> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// What went wrong with the last attempt, shown above the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    WrongCredentials,
    Throttled,
    ExpiredForm,
}

async fn sign_in_page(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = language(query.as_deref(), &headers);
    let next = safe_next(query_value(query.as_deref(), "next").as_deref());
    form_response(
        &state,
        &visitor,
        lang,
        query.as_deref(),
        &headers,
        &next,
        None,
        StatusCode::OK,
    )
}

#[allow(clippy::too_many_arguments)]
fn form_response(
    state: &AppState,
    visitor: &Visitor,
    lang: Lang,
    query: Option<&str>,
    headers: &HeaderMap,
    next: &str,
    failure: Option<Failure>,
    status: StatusCode,
) -> Response {
    let translator = translator();
    let t = |id: &str| translator.get(lang, id, &[]);
    // The form token of the sign-in form: kept while the browser has it, so that two tabs
    // (or a retry after a wrong password) stay valid.
    let form_token = cookie(headers, SIGN_IN_COOKIE).unwrap_or_else(random_token);
    let title = t("sign-in-title");
    let main = html! {
        h1 { (title) }
        @if let Some(session) = &visitor.session {
            p { (t("account-signed-in-as")) " " strong { (session.display_name) } }
        }
        @if let Some(failure) = failure {
            p class="form-error" role="alert" {
                (t(match failure {
                    Failure::WrongCredentials => "sign-in-failed",
                    Failure::Throttled => "sign-in-throttled",
                    Failure::ExpiredForm => "sign-in-expired-form",
                }))
            }
        }
        p class="lead" { (t("sign-in-intro")) }
        (sign_in_form(lang, &t, &form_token, next))
    };
    let mut response = page_frame(visitor, lang, &title, "/sign-in", query, |frame| {
        html_response(
            status,
            crate::render::layout::page(translator, frame, main),
            lang,
        )
    });
    response.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(SIGN_IN_COOKIE, &form_token, 3600, state.secure_cookies),
    );
    // Never cache a page carrying a form token.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn sign_in_form(lang: Lang, t: &dyn Fn(&str) -> String, form_token: &str, next: &str) -> Markup {
    html! {
        form method="post" action="/sign-in" class="sign-in" {
            input type="hidden" name="csrf" value=(form_token);
            input type="hidden" name="next" value=(next);
            input type="hidden" name="lang" value=(lang.code());
            p {
                label for="name" { (t("sign-in-name")) }
                input id="name" name="name" type="text" autocomplete="username" required autocapitalize="none" spellcheck="false";
            }
            p {
                label for="password" { (t("sign-in-password")) }
                input id="password" name="password" type="password" autocomplete="current-password" required;
            }
            p { button type="submit" { (t("sign-in-submit")) } }
        }
    }
}

/// The client's address, for throttling: the connection's peer when served, else unknown.
fn client(request: &Request) -> String {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

async fn sign_in(State(state): State<AppState>, visitor: Visitor, request: Request) -> Response {
    let client = client(&request);
    let form = match Form::read(request).await {
        Ok(form) => form,
        Err(refused) => return refused,
    };
    let (lang, headers) = (form.lang, form.headers.clone());
    let next = safe_next(form.get("next"));
    let query = format!("lang={}", lang.code());
    let retry = |failure: Failure, status: StatusCode| {
        form_response(
            &state,
            &visitor,
            lang,
            Some(&query),
            &headers,
            &next,
            Some(failure),
            status,
        )
    };
    let expected = cookie(&headers, SIGN_IN_COOKIE);
    let given = form.get("csrf").unwrap_or_default();
    let form_valid = expected.as_deref().is_some_and(|expected| {
        !given.is_empty() && constant_time_eq(expected.as_bytes(), given.as_bytes())
    });
    if !form_valid {
        return retry(Failure::ExpiredForm, StatusCode::FORBIDDEN);
    }
    let name = form.get("name").unwrap_or_default();
    let password = form.get("password").unwrap_or_default();
    match state.app.sign_in(name, password, &client).await {
        Ok(opened) => {
            let max_age = (opened.expires_at - chrono::Utc::now())
                .num_seconds()
                .max(0);
            let mut response = Redirect::to(&next).into_response();
            *response.status_mut() = StatusCode::SEE_OTHER;
            let headers = response.headers_mut();
            headers.append(
                header::SET_COOKIE,
                set_cookie(
                    SESSION_COOKIE,
                    &opened.cookie_value,
                    max_age,
                    state.secure_cookies,
                ),
            );
            headers.append(
                header::SET_COOKIE,
                set_cookie(SIGN_IN_COOKIE, "", 0, state.secure_cookies),
            );
            response
        }
        Err(AppError::Throttled {
            retry_after_seconds,
        }) => {
            let mut response = retry(Failure::Throttled, StatusCode::TOO_MANY_REQUESTS);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds));
            response
        }
        Err(AppError::Unauthenticated | AppError::Invalid(_)) => {
            retry(Failure::WrongCredentials, StatusCode::UNAUTHORIZED)
        }
        Err(error) => super::internal_error(lang, "/sign-in", &headers, &error),
    }
}

async fn sign_out(State(state): State<AppState>, visitor: Visitor, request: Request) -> Response {
    let form = match Form::read(request).await {
        Ok(form) => form,
        Err(refused) => return refused,
    };
    let (lang, headers) = (form.lang, &form.headers);
    if visitor.session.is_some() {
        if !visitor.csrf_matches(form.get("csrf").unwrap_or_default()) {
            return forbidden_form(lang);
        }
        if let Some(value) = cookie(headers, SESSION_COOKIE) {
            if let Err(error) = state.app.sign_out(&value).await {
                return super::internal_error(lang, "/sign-out", headers, &error);
            }
        }
    }
    let mut response = Redirect::to(&format!("/?lang={}", lang.code())).into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, state.secure_cookies),
    );
    response
}
