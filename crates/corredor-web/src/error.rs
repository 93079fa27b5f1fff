//! One error type for every handler, mapped to a response in one place.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use corredor_app::AppError;
use corredor_exchange::Problem;
use serde_json::json;

/// An error a handler returns. Internal causes are logged with an id and never shown.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> ApiError {
        ApiError(error)
    }
}

impl From<Vec<Problem>> for ApiError {
    fn from(problems: Vec<Problem>) -> ApiError {
        ApiError(AppError::Invalid(problems))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut retry_after = None;
        let (status, body) = match self.0 {
            AppError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                json!({ "error": "unauthenticated", "message": "sign in, or send an API token as `Authorization: Bearer <token>`" }),
            ),
            AppError::Throttled {
                retry_after_seconds,
            } => {
                retry_after = Some(retry_after_seconds);
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    json!({ "error": "throttled", "message": format!("too many failed sign-ins: try again in {retry_after_seconds} s") }),
                )
            }
            AppError::NotFound { what } => (
                StatusCode::NOT_FOUND,
                json!({ "error": "not_found", "message": format!("{what} not found") }),
            ),
            AppError::Invalid(problems) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({
                    "error": "invalid",
                    "message": format!("{} problem(s) in the request; nothing was written", problems.len()),
                    "problems": problems,
                }),
            ),
            AppError::Forbidden(reason) => (
                StatusCode::FORBIDDEN,
                json!({ "error": "forbidden", "message": reason }),
            ),
            AppError::Conflict(reason) => (
                StatusCode::CONFLICT,
                json!({ "error": "conflict", "message": reason }),
            ),
            AppError::Internal(cause) => {
                let id = error_id();
                tracing::error!(error_id = %id, error = ?cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({
                        "error": "internal",
                        "message": "corredor could not complete the request; the error was logged",
                        "error_id": id,
                    }),
                )
            }
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"corredor\""),
            );
        }
        response
    }
}

/// A short id to find the logged cause of an internal error.
fn error_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{:08x}-{}", nanos, NEXT.fetch_add(1, Ordering::Relaxed))
}
