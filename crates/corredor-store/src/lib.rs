//! corredor's storage: the schema, its migrations and every SQL statement of corredor.
//!
//! One [`Store`] has SQLite (the default, an embedded file) or PostgreSQL behind it, chosen
//! from the URL scheme at [`Store::connect`]. Both backends run the same SQL text except for
//! the bulk writes of [`Store::record_observations`], which use `json_each` and multi-row
//! `INSERT`s on SQLite and `UNNEST` arrays on PostgreSQL. Queries are checked at run time (`sqlx::query`), and
//! the conformance suite in `tests/it` runs on both backends.
//!
//! Observations are never lost: the `observation` table holds each key once with its current
//! revision and the submission (who, when, from what) that brought it, and a correction first
//! moves the revision it supersedes, with its own submission, into the append-only
//! `observation_revision`. The history of a key is those rows plus the current one; a new key
//! writes one row only, which is what makes first imports fast.
//!
//! Schema decisions (the migrations of both backends follow them):
//!
//! - **An observation is a point of a series.** Everything in a key but its period (measure,
//!   granularity, country, place and the four breakdowns) is a series, stored once in
//!   `series`; an observation is (series, period start), the primary key of `observation`
//!   (a clustered `WITHOUT ROWID` table on SQLite, with `value` included in the index on
//!   PostgreSQL). A new value is then written to one b-tree, not three, and its row is a
//!   few dozen bytes.
//! - **Keys with NULLs stay unique.** A place (country level) and the four breakdowns
//!   (totals) are NULL in their columns, and NULL is not equal to NULL in a unique index. So
//!   a series also carries `key`, the canonical text of its fields with an empty field for
//!   NULL (`measure|granularity|country|place|sex|age_group|vulnerability|nationality`), under
//!   a unique index. The columns stay NULL so that `(country, place)` can be a foreign key to
//!   `place`, checked once per series, and `IS NULL` reads as "total"; the text key makes a
//!   whole batch's series resolvable with one indexed lookup per chunk, the same way on both
//!   backends. A key's text is its series key and `|period`.
//! - **Series read two indexes.** `series_dimensions` is ordered (measure, granularity,
//!   country, place, sex, age_group, vulnerability, nationality): the totals a series query
//!   asks for (`IS NULL`) are equality conditions, so it finds the few series it sums at
//!   once, then reads each one's range of periods, `value` included, from `observation`'s
//!   primary key, never the rest of the row.
//! - **Bulk writes.** A batch is sorted once by key text (on every core): that gives each
//!   key's submissions together (in batch order), each series' keys together, and the new
//!   series in text order, the order they get their ids in, so a first import appends to
//!   `observation` in its own order. Series and keys are looked up by chunks of one JSON
//!   parameter (SQLite) or arrays (PostgreSQL); the new series are inserted while the values
//!   to write are decided. SQLite gets the new values as multi-row `INSERT`s of 4,000 rows of
//!   bound parameters, the next chunk being bound while sqlx's worker thread inserts the
//!   current one; PostgreSQL gets `UNNEST` arrays of 50,000. An SQLite import turns the
//!   connection's automatic checkpoint off until it has committed and checkpoints
//!   (passively) after answering, so a large import does not wait for its pages to be copied
//!   from the WAL into the database file.
//!
//! Every write is audited: it appends one entry to the hash-chained `audit_entry` log in the
//! same transaction, naming the store's [`Actor`] (see [`Store::acting_as`]), so a write and
//! its entry are committed together or not at all. Sessions are not data and are not audited.
//!
//! Architecture invariant: no `sqlx` type appears in this crate's public API; errors are
//! mapped to [`StoreError`] here.

mod access;
mod alerts;
mod audit;
mod error;
mod forecasts;
mod migrations;
mod model;
mod observations;
mod record;
mod reference;
mod returns;
mod signals;
mod sql;
mod webhooks;

pub mod benchmark;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use access::{Account, NewAccount, NewSession, NewToken, StoredSession, StoredToken};
pub use alerts::{
    AlertAudience, AlertFilter, AlertRevision, CapOrigin, NewAlertLevel, Reminder, StoredAlert,
    StoredAlertLevel, StoredChecklists, StoredStranded,
};
pub use audit::{Actor, AuditEntry, AuditFilter, AuditVerification, NewAuditEntry};
pub use error::StoreError;
pub use forecasts::{
    ForecastLeg, ForecastRow, ForecastRun, ForecastRunDetail, ForecastRunFilter, KeptForecast,
    NewForecastRun,
};
pub use model::{
    Backend, DimensionFilter, GroupBy, KeyedRevision, ObservationFilter, PairFilter, PlaceFilter,
    RecordOutcome, ReportedPeriod, SeriesQuery, SeriesRow, StoredObservation, Submission,
};
pub use returns::{
    ReturnAudience, ReturnFilter, ReturnRevision, StoredProgramme, StoredReintegration,
    StoredReturn,
};
pub use signals::{
    AlgorithmStatistics, DecisionFilter, NewSignal, SignalDecision, SignalFilter, SignalScope,
    StoredSignal,
};

pub use webhooks::{
    AttemptOutcome, Delivery, DeliveryAttempt, DeliveryState, NewDelivery, NewWebhook, Webhook,
};

use crate::sql::{bind_postgres, bind_sqlite, RowAccess, Sql};

/// The connection pool to corredor's database. Cheap to clone: clones share the pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    /// Who the writes of this store are audited as; [`Store::acting_as`] sets it.
    actor: Arc<Actor>,
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Store {
    /// Connects to the database named by `url` and applies the migrations it lacks.
    ///
    /// `sqlite://PATH` or a bare path ending in `.db` opens (and creates when missing) an
    /// SQLite file; `postgres://…` or `postgresql://…` connects to PostgreSQL. Anything else
    /// is [`StoreError::UnsupportedUrl`].
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let url = url.trim();
        let scheme = url.split_once(':').map(|(scheme, _)| scheme);
        match scheme {
            Some("postgres" | "postgresql") => {
                let pool = PgPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect(url)
                    .await?;
                migrations::run_postgres(&pool).await?;
                Ok(Store {
                    pool: Pool::Postgres(pool),
                    actor: Arc::new(Actor::system()),
                })
            }
            Some("sqlite") => {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(|error| StoreError::Backend(error.to_string()))?;
                Store::connect_sqlite(options).await
            }
            _ if url.ends_with(".db") && !url.contains("://") => {
                Store::connect_sqlite(SqliteConnectOptions::new().filename(url)).await
            }
            _ => Err(StoreError::UnsupportedUrl {
                // Only the scheme: the rest of a URL may hold a password.
                scheme: scheme
                    .map(str::to_owned)
                    .unwrap_or_else(|| "a URL without a scheme".to_owned()),
            }),
        }
    }

    async fn connect_sqlite(options: SqliteConnectOptions) -> Result<Store, StoreError> {
        let options = options
            .create_if_missing(true)
            // WAL lets readers go on while one writer writes; NORMAL synchronous is durable
            // across application crashes and loses at most the last commits on power loss,
            // which a re-import restores.
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Larger pages make shallower b-trees and fewer page splits during bulk imports;
            // it only applies to a new file.
            .page_size(16_384)
            // 256 MiB of page cache per connection keeps the indexes of a large import hot.
            .pragma("cache_size", "-262144")
            .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        migrations::run_sqlite(&pool).await?;
        Ok(Store {
            pool: Pool::Sqlite(pool),
            actor: Arc::new(Actor::system()),
        })
    }

    /// Which database is behind the store.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Closes every connection; the store (and its clones) cannot be used afterwards.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }

    pub(crate) fn sql(&self, text: &str) -> Sql {
        Sql::new(self.backend(), text)
    }

    /// Runs a query and maps every row.
    pub(crate) async fn fetch<T>(
        &self,
        sql: Sql,
        map: impl Fn(&dyn RowAccess) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => {
                let rows = bind_sqlite(sqlx::query(&sql.text), sql.params)
                    .fetch_all(pool)
                    .await?;
                rows.iter().map(|row| map(row)).collect()
            }
            Pool::Postgres(pool) => {
                let rows = bind_postgres(sqlx::query(&sql.text), sql.params)
                    .fetch_all(pool)
                    .await?;
                rows.iter().map(|row| map(row)).collect()
            }
        }
    }
}
