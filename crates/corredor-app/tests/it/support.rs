use std::sync::Arc;

use chrono::{TimeZone, Utc};
use corredor_app::store::Store;
use corredor_app::{App, FixedClock};

/// A fresh application on its own SQLite file, at 24 November 2026.
pub struct TestApp {
    pub app: App,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn new() -> TestApp {
        let dir = tempfile::tempdir().expect("a temporary directory can be created");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = Store::connect(&url)
            .await
            .expect("a fresh SQLite database opens");
        let clock = FixedClock(Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap());
        TestApp {
            app: App::new(store, Arc::new(clock)),
            _dir: dir,
        }
    }
}
