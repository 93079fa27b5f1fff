//! Who is asking: the caller of every request, from an API token or a session cookie, and
//! the cookie and form-token rules that keep a session from being used by another site.
//!
//! - `Authorization: Bearer <token>` authenticates a machine; a token that is unknown,
//!   expired or revoked is refused with 401 (never treated as anonymous, so a client notices
//!   at once that its token no longer works).
//! - The `corredor_session` cookie (HttpOnly, SameSite=Strict, Secure under TLS)
//!   authenticates a person; an unknown or expired cookie is simply anonymous.
//! - Every state-changing request made with a session carries the session's form token:
//!   the `csrf` field of a page's form, or the `X-CSRF-Token` header of an API call. Tokens
//!   need none: a browser never sends them by itself.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use corredor_app::{AppError, CurrentSession};
use corredor_core::Caller;

use crate::error::ApiError;
use crate::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "corredor_session";
/// The cookie that carries the sign-in form's token before there is a session.
pub const SIGN_IN_COOKIE: &str = "corredor_sign_in";
/// The header an API call made with a session carries its form token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the caller was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Nobody,
    Session,
    Token,
}

/// The caller of a request and, for a signed-in person, the session.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub caller: Caller,
    pub session: Option<CurrentSession>,
    pub via: Via,
}

impl Visitor {
    pub fn anonymous() -> Visitor {
        Visitor {
            caller: Caller::Anonymous,
            session: None,
            via: Via::Nobody,
        }
    }

    /// Whether `token` is this session's form token (compared in constant time).
    pub fn csrf_matches(&self, token: &str) -> bool {
        self.session.as_ref().is_some_and(|session| {
            constant_time_eq(session.csrf_token.as_bytes(), token.as_bytes())
        })
    }

    /// The session's form token, for forms rendered for it.
    pub fn csrf_token(&self) -> Option<&str> {
        self.session
            .as_ref()
            .map(|session| session.csrf_token.as_str())
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Visitor, ApiError> {
        if let Some(visitor) = parts.extensions.get::<Visitor>() {
            return Ok(visitor.clone());
        }
        let visitor = identify(&parts.headers, state).await?;
        let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if visitor.via == Via::Session && unsafe_method && parts.uri.path().starts_with("/api/") {
            let header_token = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default();
            if !visitor.csrf_matches(header_token) {
                return Err(ApiError(AppError::Forbidden(format!(
                    "a change made with a session carries the session's form token in the {CSRF_HEADER} header"
                ))));
            }
        }
        parts.extensions.insert(visitor.clone());
        Ok(visitor)
    }
}

async fn identify(headers: &HeaderMap, state: &AppState) -> Result<Visitor, ApiError> {
    if let Some(authorization) = headers.get(header::AUTHORIZATION) {
        let secret = authorization
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(ApiError(AppError::Unauthenticated))?;
        return match state.app.authenticate_token(secret).await? {
            Some(principal) => Ok(Visitor {
                caller: Caller::Principal(principal),
                session: None,
                via: Via::Token,
            }),
            None => Err(ApiError(AppError::Unauthenticated)),
        };
    }
    let Some(cookie) = cookie(headers, SESSION_COOKIE) else {
        return Ok(Visitor::anonymous());
    };
    Ok(match state.app.session(&cookie).await? {
        Some(session) => Visitor {
            caller: Caller::Principal(session.principal.clone()),
            session: Some(session),
            via: Via::Session,
        },
        None => Visitor::anonymous(),
    })
}

/// The value of one cookie of the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// A `Set-Cookie` value: HttpOnly and SameSite=Strict always, Secure when served over TLS.
pub fn set_cookie(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}{secure}"
    ))
    .expect("cookie values are URL-safe text")
}

/// Whether two secrets are equal, in a time that does not depend on where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_is_found_among_several() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; corredor_session=abc; b=2"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn session_cookies_are_http_only_strict_and_secure_under_tls() {
        let value = set_cookie(SESSION_COOKIE, "abc", 60, true);
        let text = value.to_str().unwrap();
        assert!(
            text.contains("HttpOnly")
                && text.contains("SameSite=Strict")
                && text.contains("Secure")
        );
        assert!(!set_cookie(SESSION_COOKIE, "abc", 60, false)
            .to_str()
            .unwrap()
            .contains("Secure"));
    }
}
