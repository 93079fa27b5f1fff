//! A small SQL text builder shared by both backends: the text is the same, only the
//! placeholders (`?` or `$n`), the binding of parameters and the decoding of columns differ.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use crate::error::StoreError;
use crate::model::Backend;

/// A parameter value, in the types both backends understand.
#[derive(Debug, Clone)]
pub(crate) enum Param {
    Text(String),
    OptionalText(Option<String>),
    Integer(i64),
    Real(f64),
    Date(NaiveDate),
}

/// SQL text with its parameters, rendered for one backend.
#[derive(Debug, Clone)]
pub(crate) struct Sql {
    backend: Backend,
    pub(crate) text: String,
    pub(crate) params: Vec<Param>,
}

impl Sql {
    pub(crate) fn new(backend: Backend, text: &str) -> Sql {
        Sql {
            backend,
            text: text.to_owned(),
            params: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `param`.
    pub(crate) fn bind(&mut self, param: Param) -> &mut Sql {
        self.params.push(param);
        match self.backend {
            Backend::Sqlite => self.text.push('?'),
            Backend::Postgres => {
                self.text.push('$');
                self.text.push_str(&self.params.len().to_string());
            }
        }
        self
    }

    /// Appends `(p1, p2, …)`.
    pub(crate) fn bind_list(&mut self, params: impl IntoIterator<Item = Param>) -> &mut Sql {
        self.text.push('(');
        for (i, param) in params.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(param);
        }
        self.text.push(')');
        self
    }
}

/// Timestamps are stored in SQLite as text of a fixed width, so that text order is time order
/// (`MIN(submitted_at)` must mean the earliest).
pub(crate) fn sqlite_timestamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn bind_sqlite<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    params: Vec<Param>,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    for param in params {
        query = match param {
            Param::Text(text) => query.bind(text),
            Param::OptionalText(text) => query.bind(text),
            Param::Integer(number) => query.bind(number),
            Param::Real(number) => query.bind(number),
            Param::Date(date) => query.bind(date),
        };
    }
    query
}

pub(crate) fn bind_postgres<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    params: Vec<Param>,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    for param in params {
        query = match param {
            Param::Text(text) => query.bind(text),
            Param::OptionalText(text) => query.bind(text),
            Param::Integer(number) => query.bind(number),
            Param::Real(number) => query.bind(number),
            Param::Date(date) => query.bind(date),
        };
    }
    query
}

/// Column access by position, the same for a row of either backend.
pub(crate) trait RowAccess {
    fn text(&self, index: usize) -> Result<String, StoreError>;
    fn optional_text(&self, index: usize) -> Result<Option<String>, StoreError>;
    fn integer(&self, index: usize) -> Result<i64, StoreError>;
    fn real(&self, index: usize) -> Result<f64, StoreError>;
    fn timestamp(&self, index: usize) -> Result<DateTime<Utc>, StoreError>;
    fn optional_timestamp(&self, index: usize) -> Result<Option<DateTime<Utc>>, StoreError>;
}

impl RowAccess for SqliteRow {
    fn text(&self, index: usize) -> Result<String, StoreError> {
        Ok(self.try_get(index)?)
    }
    fn optional_text(&self, index: usize) -> Result<Option<String>, StoreError> {
        Ok(self.try_get(index)?)
    }
    fn integer(&self, index: usize) -> Result<i64, StoreError> {
        Ok(self.try_get(index)?)
    }
    fn real(&self, index: usize) -> Result<f64, StoreError> {
        Ok(self.try_get(index)?)
    }
    fn timestamp(&self, index: usize) -> Result<DateTime<Utc>, StoreError> {
        let text: String = self.try_get(index)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|at| at.with_timezone(&Utc))
            .map_err(|_| StoreError::corrupt(text))
    }
    fn optional_timestamp(&self, index: usize) -> Result<Option<DateTime<Utc>>, StoreError> {
        let text: Option<String> = self.try_get(index)?;
        text.map(|text| {
            DateTime::parse_from_rfc3339(&text)
                .map(|at| at.with_timezone(&Utc))
                .map_err(|_| StoreError::corrupt(text))
        })
        .transpose()
    }
}

impl RowAccess for PgRow {
    fn text(&self, index: usize) -> Result<String, StoreError> {
        Ok(self.try_get(index)?)
    }
    fn optional_text(&self, index: usize) -> Result<Option<String>, StoreError> {
        Ok(self.try_get(index)?)
    }
    fn integer(&self, index: usize) -> Result<i64, StoreError> {
        // PostgreSQL is strict about widths; INTEGER columns (revision) come back as INT4.
        match self.try_get::<i64, _>(index) {
            Ok(number) => Ok(number),
            Err(_) => Ok(i64::from(self.try_get::<i32, _>(index)?)),
        }
    }
    fn real(&self, index: usize) -> Result<f64, StoreError> {
        Ok(self.try_get(index)?)
    }
    fn timestamp(&self, index: usize) -> Result<DateTime<Utc>, StoreError> {
        Ok(self.try_get(index)?)
    }
    fn optional_timestamp(&self, index: usize) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self.try_get(index)?)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn sqlite_timestamps_have_one_width_so_text_order_is_time_order() {
        let times = [
            Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + chrono::Duration::microseconds(5),
            Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 1).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 24, 23, 59, 59).unwrap(),
        ];
        let texts: Vec<String> = times.iter().map(sqlite_timestamp).collect();
        assert!(texts.iter().all(|t| t.len() == texts[0].len()), "{texts:?}");
        assert!(texts.windows(2).all(|pair| pair[0] < pair[1]), "{texts:?}");
        assert_eq!(texts[0], "2026-03-02T09:00:00.000000Z");
    }

    #[test]
    fn placeholders_are_numbered_for_postgres_and_plain_for_sqlite() {
        for (backend, expected) in [
            (Backend::Sqlite, "a = ? AND b IN (?, ?)"),
            (Backend::Postgres, "a = $1 AND b IN ($2, $3)"),
        ] {
            let mut sql = Sql::new(backend, "a = ");
            sql.bind(Param::Integer(1)).push(" AND b IN ");
            sql.bind_list([Param::Integer(2), Param::Integer(3)]);
            assert_eq!(sql.text, expected);
            assert_eq!(sql.params.len(), 3);
        }
    }
}
