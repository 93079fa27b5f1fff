use thiserror::Error;

/// Everything that can go wrong in the store, mapped from the database's own errors so that
/// no `sqlx` type leaves the crate.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StoreError {
    /// The thing asked for, or referred to, is not stored.
    #[error("{what} was not found")]
    NotFound { what: String },
    /// A constraint of the schema refused the write.
    #[error("the write conflicts with the constraint `{constraint}`")]
    Conflict { constraint: String },
    /// The database URL names no backend corredor can use.
    #[error("`{scheme}` is not a supported database: use sqlite://PATH, a file path ending in .db, or postgres://USER@HOST/DATABASE")]
    UnsupportedUrl { scheme: String },
    /// Anything else the database reported; the message carries its cause.
    #[error("database error: {0}")]
    Backend(String),
}

impl StoreError {
    pub(crate) fn not_found(what: impl Into<String>) -> StoreError {
        StoreError::NotFound { what: what.into() }
    }

    pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
        StoreError::Backend(format!("stored data is not valid: {what}"))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> StoreError {
        match &error {
            sqlx::Error::RowNotFound => StoreError::not_found("the row"),
            sqlx::Error::Database(database) => {
                use sqlx::error::ErrorKind;
                match database.kind() {
                    ErrorKind::UniqueViolation
                    | ErrorKind::ForeignKeyViolation
                    | ErrorKind::NotNullViolation
                    | ErrorKind::CheckViolation => StoreError::Conflict {
                        // PostgreSQL names the constraint; SQLite only says which kind it is.
                        constraint: database
                            .constraint()
                            .map(str::to_owned)
                            .unwrap_or_else(|| database.message().to_owned()),
                    },
                    _ => StoreError::Backend(error.to_string()),
                }
            }
            _ => StoreError::Backend(error.to_string()),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(error: sqlx::migrate::MigrateError) -> StoreError {
        StoreError::Backend(format!("applying migrations: {error}"))
    }
}
