//! The migrations of each backend, embedded in the binary so that a `corredor` executable
//! needs no files beside it. (sqlx's `migrate!` macro would do the same but needs sqlx's
//! `macros` feature, a proc-macro build this workspace otherwise does without.)

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

use crate::error::StoreError;

/// (version, description, SQL), oldest first. A migration, once released, never changes:
/// sqlx refuses to start on a database whose applied migration has another checksum.
const SQLITE: &[(i64, &str, &str)] = &[
    (
        20261124000001,
        "initial",
        include_str!("../migrations/sqlite/20261124000001_initial.sql"),
    ),
    (
        2,
        "signals",
        include_str!("../migrations/sqlite/0002_signals.sql"),
    ),
    (
        3,
        "forecasts",
        include_str!("../migrations/sqlite/0003_forecasts.sql"),
    ),
    (
        4,
        "access",
        include_str!("../migrations/sqlite/0004_access.sql"),
    ),
    (
        5,
        "alerts",
        include_str!("../migrations/sqlite/0005_alerts.sql"),
    ),
    (
        6,
        "returns",
        include_str!("../migrations/sqlite/0006_returns.sql"),
    ),
];

const POSTGRES: &[(i64, &str, &str)] = &[
    (
        20261124000001,
        "initial",
        include_str!("../migrations/postgres/20261124000001_initial.sql"),
    ),
    (
        2,
        "signals",
        include_str!("../migrations/postgres/0002_signals.sql"),
    ),
    (
        3,
        "forecasts",
        include_str!("../migrations/postgres/0003_forecasts.sql"),
    ),
    (
        4,
        "access",
        include_str!("../migrations/postgres/0004_access.sql"),
    ),
    (
        5,
        "alerts",
        include_str!("../migrations/postgres/0005_alerts.sql"),
    ),
    (
        6,
        "returns",
        include_str!("../migrations/postgres/0006_returns.sql"),
    ),
];

#[derive(Debug)]
struct Embedded(&'static [(i64, &'static str, &'static str)]);

type BoxDynError = Box<dyn std::error::Error + Send + Sync>;

impl MigrationSource<'static> for Embedded {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 'static>> {
        let migrations = self
            .0
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*description),
                    MigrationType::Simple,
                    Cow::Borrowed(*sql),
                    false,
                )
            })
            .collect();
        Box::pin(async move { Ok(migrations) })
    }
}

pub(crate) async fn run_sqlite(pool: &sqlx::SqlitePool) -> Result<(), StoreError> {
    Migrator::new(Embedded(SQLITE)).await?.run(pool).await?;
    Ok(())
}

pub(crate) async fn run_postgres(pool: &sqlx::PgPool) -> Result<(), StoreError> {
    Migrator::new(Embedded(POSTGRES)).await?.run(pool).await?;
    Ok(())
}
