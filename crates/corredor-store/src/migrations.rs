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
    (
        7,
        "series",
        include_str!("../migrations/sqlite/0007_series.sql"),
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
    (
        7,
        "series",
        include_str!("../migrations/postgres/0007_series.sql"),
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

#[cfg(test)]
mod tests {
    use corredor_core::{ObservationKey, Period};
    use sqlx::Connection;

    use super::*;
    use crate::model::ObservationFilter;
    use crate::Store;

    /// Two values of Panama's as they were stored before migration 7: a country-level total
    /// corrected once (its first revision in `observation_revision`), and a breakdown at a
    /// place. Literal dates and timestamps read the same on both backends; the submissions get
    /// ids 1 and 2 from the fresh database.
    const BEFORE_SERIES: &str = "
        INSERT INTO country (code, name_en, name_es, rcm_status)
            VALUES ('PAN', 'Panama', 'Panamá', 'member');
        INSERT INTO place (code, name, country, kind, counterpart, latitude, longitude)
            VALUES ('PA-LB', 'Lajas Blancas', 'PAN', 'reception_station', NULL, 8.26, -77.68);
        INSERT INTO submission (submitted_by, submitted_at, note)
            VALUES ('pan.focal', '2023-09-05T10:00:00.000000Z', 'august.csv');
        INSERT INTO submission (submitted_by, submitted_at, note)
            VALUES ('pan.analyst', '2023-09-12T16:30:00.000000Z', 'august-corrected.csv');
        INSERT INTO observation (id, key, country, place, granularity, period, period_start,
                                 period_end, measure, nationality, sex, age_group,
                                 vulnerability, value, revision, source, submission_id)
            VALUES (1, 'irregular_entry|month|PAN||||||2023-08', 'PAN', NULL, 'month',
                    '2023-08', '2023-08-01', '2023-08-31', 'irregular_entry', NULL, NULL, NULL,
                    NULL, 82000, 2, 'SNM', 2),
                   (2, 'irregular_entry|month|PAN|PA-LB|f|||VEN|2023-08', 'PAN', 'PA-LB',
                    'month', '2023-08', '2023-08-01', '2023-08-31', 'irregular_entry', 'VEN',
                    'f', NULL, NULL, 120, 1, NULL, 1);
        INSERT INTO observation_revision (observation_id, revision, value, source, submission_id)
            VALUES (1, 1, 81946, 'SNM', 1);";

    fn key(text: &str) -> ObservationKey {
        let fields: Vec<&str> = text.split('|').collect();
        let optional = |i: usize| (!fields[i].is_empty()).then_some(fields[i]);
        ObservationKey {
            measure: corredor_core::Measure::parse(fields[0]).unwrap(),
            country: corredor_core::CountryCode::parse(fields[2]).unwrap(),
            place: optional(3).map(|p| corredor_core::PlaceCode::parse(p).unwrap()),
            period: Period::parse(fields[8]).unwrap(),
            breakdown: corredor_core::Breakdown {
                sex: optional(4).map(|s| corredor_core::Sex::parse(s).unwrap()),
                age_group: None,
                vulnerability: None,
                nationality: optional(7).map(|n| corredor_core::Nationality::parse(n).unwrap()),
            },
        }
    }

    /// Opens `url` with the current migrations and checks that the values stored before
    /// migration 7 read back whole, with their history, and can still be corrected.
    async fn values_survive_the_series_migration(url: &str) {
        let store = Store::connect(url).await.unwrap();
        let stored = store
            .observations(&ObservationFilter::default())
            .await
            .unwrap();
        let read: Vec<(String, u64, u32, Option<String>, String)> = stored
            .iter()
            .map(|o| {
                (
                    crate::observations::key_text(&o.observation.key),
                    o.observation.value,
                    o.revision,
                    o.observation.source.clone(),
                    o.provenance.submitted_by.clone(),
                )
            })
            .collect();
        // In key text order: `PA-LB` before the empty place, as `P` sorts before `|`.
        assert_eq!(
            read,
            [
                (
                    "irregular_entry|month|PAN|PA-LB|f|||VEN|2023-08".to_owned(),
                    120,
                    1,
                    None,
                    "pan.focal".to_owned()
                ),
                (
                    "irregular_entry|month|PAN||||||2023-08".to_owned(),
                    82000,
                    2,
                    Some("SNM".to_owned()),
                    "pan.analyst".to_owned()
                ),
            ]
        );
        let total = key("irregular_entry|month|PAN||||||2023-08");
        let history: Vec<(u32, u64, String)> = store
            .revisions(&total)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.revision, r.value, r.provenance.submitted_by))
            .collect();
        assert_eq!(
            history,
            [
                (1, 81946, "pan.focal".to_owned()),
                (2, 82000, "pan.analyst".to_owned())
            ]
        );

        // A correction of a migrated value adds its third revision to the same series.
        let correction = corredor_core::Observation {
            key: total.clone(),
            value: 82010,
            source: Some("SNM".to_owned()),
        };
        let submission = crate::model::Submission {
            submitted_by: "pan.focal".to_owned(),
            submitted_at: chrono::Utc::now(),
            note: None,
        };
        let outcome = store
            .record_observations(&[correction], &submission)
            .await
            .unwrap();
        assert_eq!((outcome.inserted, outcome.revised), (0, 1));
        let values: Vec<u64> = store
            .revisions(&total)
            .await
            .unwrap()
            .iter()
            .map(|r| r.value)
            .collect();
        assert_eq!(values, [81946, 82000, 82010]);
        assert_eq!(store.count_observations().await.unwrap(), 2);
        store.close().await;
    }

    /// The migrations of a backend up to the one that introduced series.
    async fn before_series(all: &'static [(i64, &'static str, &'static str)]) -> Migrator {
        let before: Vec<_> = all.iter().copied().filter(|m| m.1 != "series").collect();
        Migrator::new(Embedded(Vec::leak(before))).await.unwrap()
    }

    #[tokio::test]
    async fn an_sqlite_database_from_before_series_keeps_its_values_and_their_history() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("corredor.db");
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .foreign_keys(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        before_series(SQLITE).await.run(&pool).await.unwrap();
        sqlx::raw_sql(BEFORE_SERIES).execute(&pool).await.unwrap();
        pool.close().await;
        values_survive_the_series_migration(&format!("sqlite://{}", path.display())).await;
    }

    #[tokio::test]
    async fn a_postgres_database_from_before_series_keeps_its_values_and_their_history() {
        let Ok(server) = std::env::var("TEST_DATABASE_URL") else {
            return;
        };
        let name = format!("corredor_migration_{}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(&server).await.unwrap();
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        let (base, _) = server.rsplit_once('/').unwrap();
        let url = format!("{base}/{name}");
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        before_series(POSTGRES).await.run(&pool).await.unwrap();
        sqlx::raw_sql(BEFORE_SERIES).execute(&pool).await.unwrap();
        pool.close().await;
        values_survive_the_series_migration(&url).await;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await
            .unwrap();
    }
}
