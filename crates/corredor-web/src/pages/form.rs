//! The forms of the pages: reading a posted form, the page that refuses one, and the page of
//! an application error.

use axum::extract::Request;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use corredor_app::AppError;

use super::{html_response, internal_error, translator};
use crate::render::layout::{error_page, sign_in_href, ErrorKind};
use crate::render::Lang;

/// The largest form body read: forms carry a few short fields.
const MAX_FORM_BYTES: usize = 16 * 1024;

/// A posted form (`application/x-www-form-urlencoded`) and the language it asks for.
pub(crate) struct Form {
    fields: Vec<(String, String)>,
    /// The form's `lang` field, else the browser's language.
    pub lang: Lang,
    pub headers: HeaderMap,
}

impl Form {
    /// Reads the form of a request; a body over the limit is refused with 413.
    pub async fn read(request: Request) -> Result<Form, Response> {
        let headers = request.headers().clone();
        let body = axum::body::to_bytes(request.into_body(), MAX_FORM_BYTES)
            .await
            .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
        let fields: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
        let chosen = fields
            .iter()
            .find(|(key, _)| key == "lang")
            .map(|(_, value)| value.as_str());
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok());
        let lang = Lang::from_query_or_accept(chosen, accept);
        Ok(Form {
            fields,
            lang,
            headers,
        })
    }

    /// The first value of a field.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every value of a repeated field (checkboxes).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// The page that refuses a form, saying why, with nothing changed.
pub(crate) fn refused(lang: Lang, path: &str, status: StatusCode, reason: &str) -> Response {
    html_response(
        status,
        error_page(translator(), lang, ErrorKind::BadRequest, path, reason),
        lang,
    )
}

/// A form sent without the session's token: refused, and nothing changed.
pub(crate) fn forbidden_form(lang: Lang) -> Response {
    refused(
        lang,
        "/",
        StatusCode::FORBIDDEN,
        &translator().get(lang, "form-token-missing", &[]),
    )
}

/// The translated 404 page of `path`.
pub(crate) fn not_found(lang: Lang, path: &str) -> Response {
    html_response(
        StatusCode::NOT_FOUND,
        error_page(translator(), lang, ErrorKind::NotFound, path, ""),
        lang,
    )
}

/// The page for an app error: sign in, not found, refused with the reason, or internal.
pub(crate) fn app_error(
    lang: Lang,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    error: &AppError,
) -> Response {
    match error {
        AppError::Unauthenticated => Redirect::to(&sign_in_href(path, query, lang)).into_response(),
        AppError::NotFound { .. } => not_found(lang, path),
        AppError::Forbidden(reason) => refused(lang, path, StatusCode::FORBIDDEN, reason),
        AppError::Conflict(reason) => refused(lang, path, StatusCode::CONFLICT, reason),
        AppError::Invalid(problems) => refused(
            lang,
            path,
            StatusCode::UNPROCESSABLE_ENTITY,
            &problems
                .iter()
                .map(|problem| match &problem.column {
                    Some(column) => format!("{column}: {}", problem.reason),
                    None => problem.reason.clone(),
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => internal_error(lang, path, headers, other),
    }
}
