//! Fresh stores and realistic test data.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{DateTime, TimeZone, Utc};
use corredor_core::{
    AgeGroup, Breakdown, Country, CountryCode, Measure, Nationality, Observation, ObservationKey,
    Period, Place, PlaceCode, PlaceKind, RcmStatus, Sex, Vulnerability,
};
use corredor_store::{Store, Submission};
use sqlx::Connection;

/// Runs `test` on a fresh SQLite store, then on a fresh PostgreSQL database when
/// `TEST_DATABASE_URL` is set.
pub async fn each_backend<F, Fut>(test: F)
where
    F: Fn(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("a temporary directory can be created");
    let url = format!("sqlite://{}", dir.path().join("corredor.db").display());
    let store = Store::connect(&url)
        .await
        .expect("a fresh SQLite store opens");
    test(store.clone()).await;
    store.close().await;

    if let Ok(server) = std::env::var("TEST_DATABASE_URL") {
        let database = FreshPostgres::create(&server).await;
        let store = Store::connect(&database.url)
            .await
            .expect("a fresh PostgreSQL database opens");
        test(store.clone()).await;
        store.close().await;
        database.drop().await;
    }
}

struct FreshPostgres {
    server: String,
    name: String,
    url: String,
}

impl FreshPostgres {
    async fn create(server: &str) -> FreshPostgres {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "corredor_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            Utc::now().timestamp_subsec_nanos()
        );
        let mut admin = sqlx::PgConnection::connect(server)
            .await
            .expect("TEST_DATABASE_URL names a reachable PostgreSQL server");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("the test role may create databases");
        admin.close().await.ok();
        FreshPostgres {
            server: server.to_owned(),
            url: with_database(server, &name),
            name,
        }
    }

    async fn drop(self) {
        let mut admin = sqlx::PgConnection::connect(&self.server)
            .await
            .expect("the PostgreSQL server is still reachable");
        // An autovacuum worker may be visiting the database: it belongs to the server, not to
        // the test role, so FORCE cannot end it and the drop is refused until it is done.
        let mut attempts = 0;
        loop {
            let dropped = sqlx::query(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin)
            .await;
            match dropped {
                Ok(_) => break,
                Err(error) if attempts < 100 => {
                    attempts += 1;
                    tracing::debug!(%error, "the test database is still in use; retrying");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(error) => panic!("the test database can be dropped: {error}"),
            }
        }
        admin.close().await.ok();
    }
}

/// `postgres://user:pw@host:port/db?options` with `db` replaced by `name`.
fn with_database(server: &str, name: &str) -> String {
    let (scheme, rest) = server
        .split_once("://")
        .expect("TEST_DATABASE_URL is a postgres:// URL");
    let (location, query) = match rest.split_once('?') {
        Some((location, query)) => (location, Some(query)),
        None => (rest, None),
    };
    let authority = location.split('/').next().unwrap_or(location);
    match query {
        Some(query) => format!("{scheme}://{authority}/{name}?{query}"),
        None => format!("{scheme}://{authority}/{name}"),
    }
}

pub fn country(code: &str) -> CountryCode {
    CountryCode::parse(code).expect("test country codes are valid")
}

pub fn place_code(code: &str) -> PlaceCode {
    PlaceCode::parse(code).expect("test place codes are valid")
}

pub fn nationality(code: &str) -> Nationality {
    Nationality::parse(code).expect("test nationality codes are valid")
}

pub fn period(raw: &str) -> Period {
    Period::parse(raw).expect("test periods are valid")
}

pub fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0)
        .single()
        .expect("test times are valid")
}

pub fn submission(by: &str, when: DateTime<Utc>) -> Submission {
    Submission {
        submitted_by: by.to_owned(),
        submitted_at: when,
        note: Some("test.csv".to_owned()),
    }
}

pub fn countries() -> Vec<Country> {
    [
        ("PAN", "Panama", "Panamá"),
        ("CRI", "Costa Rica", "Costa Rica"),
        ("MEX", "Mexico", "México"),
        ("USA", "United States", "Estados Unidos"),
    ]
    .into_iter()
    .map(|(code, en, es)| Country {
        code: country(code),
        name_en: en.to_owned(),
        name_es: es.to_owned(),
        rcm_status: Some(RcmStatus::Member),
    })
    .collect()
}

pub fn places() -> Vec<Place> {
    [
        ("PA-LB", "Lajas Blancas", "PAN", (8.29, -77.81)),
        ("PA-SV", "San Vicente", "PAN", (8.42, -78.06)),
        ("CR-EM", "EATM Sur", "CRI", (8.6, -82.9)),
        ("US-BP-RGV", "Rio Grande Valley", "USA", (26.2, -98.2)),
    ]
    .into_iter()
    .map(|(code, name, country_code, coordinates)| {
        Place::new(
            place_code(code),
            name,
            country(country_code),
            PlaceKind::ReceptionStation,
            None,
            coordinates,
        )
        .expect("test places are valid")
    })
    .collect()
}

/// A store with the test countries and places.
pub async fn with_reference(store: &Store) {
    store
        .put_countries(&countries())
        .await
        .expect("countries are stored");
    store
        .put_places(&places())
        .await
        .expect("places are stored");
}

/// An observation builder: country-level total unless told otherwise.
#[derive(Clone)]
pub struct Obs(pub Observation);

pub fn obs(country_code: &str, raw_period: &str, measure: Measure, value: u64) -> Obs {
    Obs(Observation {
        key: ObservationKey {
            country: country(country_code),
            place: None,
            period: period(raw_period),
            measure,
            breakdown: Breakdown::TOTAL,
        },
        value,
        source: Some("SNM".to_owned()),
    })
}

impl Obs {
    pub fn at(mut self, place: &str) -> Obs {
        self.0.key.place = Some(place_code(place));
        self
    }
    pub fn nationality(mut self, code: &str) -> Obs {
        self.0.key.breakdown.nationality = Some(nationality(code));
        self
    }
    pub fn sex(mut self, sex: Sex) -> Obs {
        self.0.key.breakdown.sex = Some(sex);
        self
    }
    pub fn age(mut self, age_group: AgeGroup) -> Obs {
        self.0.key.breakdown.age_group = Some(age_group);
        self
    }
    pub fn vulnerability(mut self, vulnerability: Vulnerability) -> Obs {
        self.0.key.breakdown.vulnerability = Some(vulnerability);
        self
    }
    pub fn source(mut self, source: Option<&str>) -> Obs {
        self.0.source = source.map(str::to_owned);
        self
    }
    pub fn build(self) -> Observation {
        self.0
    }
}

pub fn batch(rows: impl IntoIterator<Item = Obs>) -> Vec<Observation> {
    rows.into_iter().map(Obs::build).collect()
}

#[test]
fn the_test_database_url_keeps_the_server_and_options() {
    assert_eq!(
        with_database(
            "postgres://u:p@127.0.0.1:5433/postgres?sslmode=disable",
            "t1"
        ),
        "postgres://u:p@127.0.0.1:5433/t1?sslmode=disable"
    );
    assert_eq!(
        with_database("postgresql://u@localhost", "t2"),
        "postgresql://u@localhost/t2"
    );
}
