use corredor_exchange::Problem;
use corredor_store::StoreError;
use thiserror::Error;

/// What went wrong in a use case, by category: each category maps to one HTTP status and one
/// exit code at the edges.
#[derive(Debug, Error)]
pub enum AppError {
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("{} problem(s) in the input", .0.len())]
    Invalid(Vec<Problem>),
    #[error("sign in first")]
    Unauthenticated,
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("too many failed sign-ins: try again in {retry_after_seconds} s")]
    Throttled { retry_after_seconds: u64 },
    #[error("conflict: {0}")]
    Conflict(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// A single problem with a request (not a file): which field and why.
    pub fn invalid(field: &str, reason: impl Into<String>) -> AppError {
        AppError::Invalid(vec![Problem::new("request", 0, Some(field), reason)])
    }
}

impl From<corredor_core::Denied> for AppError {
    fn from(denied: corredor_core::Denied) -> AppError {
        match denied {
            corredor_core::Denied::NotSignedIn => AppError::Unauthenticated,
            corredor_core::Denied::Forbidden(reason) => AppError::Forbidden(reason),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> AppError {
        match error {
            StoreError::NotFound { what } => AppError::NotFound { what },
            StoreError::Conflict { constraint } => AppError::Conflict(constraint),
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}
