//! corredor's use cases.
//!
//! Importing a file, exporting data, reading a series, checking reporting completeness and
//! building the situational picture all live here, so the command line and the web server
//! mean the same thing by them. This crate decides what is allowed and runs each change in one
//! store transaction; it parses nothing itself (that is `corredor-exchange`) and contains no
//! SQL (that is `corredor-store`).

mod access;
mod accounts;
mod alerts;
mod cap;
mod clock;
mod completeness;
pub mod demo;
mod disclosure;
mod error;
mod export;
mod forecasts;
mod import;
mod picture;
mod reference;
mod returns;
mod scan;
mod series;
mod webhooks;

use std::sync::Arc;

pub use access::{Policies, Readable};
pub use accounts::{
    CreatedToken, CurrentSession, NewUser, OpenedSession, SESSION_LENGTH, THROTTLE_FAILURES,
    THROTTLE_WINDOW,
};
pub use alerts::{
    alert_audience, AlertEvent, AlertEventKind, AlertUpdate, AlertView, LevelView, NewAlert,
    TimelineEntry, DEFAULT_ACKNOWLEDGEMENT_DEADLINE,
};
pub use cap::{cap_sender, CapImport, CapImportOutcome, CAP_DOMAIN};
pub use clock::{Clock, FixedClock, SystemClock};
pub use completeness::{Completeness, CompletenessRow, PeriodStatus};
pub use corredor_store as store;
pub use error::AppError;
pub use export::{ExportFormat, ExportRequest};
pub use forecasts::{
    CapacityWarning, CorridorCounts, CorridorForecasts, CorridorLegs, ForecastPlan, ForecastQuery,
    ForecastRefresh, ForecastSeries, ForecastSkill, RunSummary, ScoredForecast, Skill,
    BASELINE_MODEL, CAPACITY_ALGORITHM, FORECAST_MODEL,
};
pub use import::{ImportReport, ImportRequest};
pub use picture::{NodeSummary, PlaceSummary, SituationalPicture, TrendChart};
pub use reference::{ReferenceCounts, AMERICAS_GEOJSON};
pub use returns::{
    DisclosedCount, NewReintegration, NewReturn, ReturnAggregates, ReturnPairAggregate, ReturnView,
    DEFAULT_RETURN_RETENTION_DAYS,
};
pub use scan::{
    ScanReport, ScanRequest, SignalDetail, SignalHistoryPoint, DEFAULT_EVALUATE_LAST_MONTHS,
    DEFAULT_EVALUATE_LAST_WEEKS, EARS_C2, FARRINGTON_FLEXIBLE,
};
pub use series::{
    Dimension, SeriesLine, SeriesPoint, SeriesRequest, SeriesResponse, Suppressed, Unit,
};
pub use webhooks::{signature, verify_signature, CreatedWebhook, WebhookSettings};

use corredor_store::Store;

/// The application: a store and a clock, shared by every use case.
#[derive(Clone)]
pub struct App {
    store: Store,
    clock: Arc<dyn Clock>,
    /// Recent failed sign-ins, shared by every clone of the app (one per request).
    throttle: Arc<std::sync::Mutex<accounts::Throttle>>,
    /// Counts below this are suppressed for observers and readers who are not signed in.
    disclosure_threshold: u64,
    /// Every change of an alert, for the event streams and webhooks (see `alerts`).
    events: tokio::sync::broadcast::Sender<AlertEvent>,
    /// How long a recipient has to acknowledge an alert before a reminder is raised.
    acknowledgement_deadline: chrono::Duration,
    /// How long the personal part of an ended return operation is kept.
    return_retention: corredor_core::returns::RetentionPeriod,
}

impl App {
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> App {
        App {
            store,
            clock,
            throttle: Arc::default(),
            disclosure_threshold: corredor_analytics::disclosure::DEFAULT_THRESHOLD,
            // A subscriber that falls this many events behind is told it lagged and reloads.
            events: tokio::sync::broadcast::channel(1024).0,
            acknowledgement_deadline: DEFAULT_ACKNOWLEDGEMENT_DEADLINE,
            return_retention: returns::default_return_retention(),
        }
    }

    /// The same app with another disclosure threshold (5 by default): observers and readers
    /// who are not signed in see counts below it as `<threshold`.
    pub fn with_disclosure_threshold(mut self, threshold: u64) -> App {
        self.disclosure_threshold = threshold;
        self
    }

    /// The same app with another acknowledgement deadline (24 hours by default): a recipient
    /// that has not acknowledged an alert this long after it was addressed gets a reminder.
    pub fn with_acknowledgement_deadline(mut self, deadline: chrono::Duration) -> App {
        self.acknowledgement_deadline = deadline;
        self
    }

    /// The same app with another retention period for the personal part of return operations
    /// (180 days by default): it applies to the operations drafted from now on.
    pub fn with_return_retention(
        mut self,
        retention: corredor_core::returns::RetentionPeriod,
    ) -> App {
        self.return_retention = retention;
        self
    }

    /// Connects to the database at `url` (SQLite file or PostgreSQL) with the system clock.
    /// A new database gets the shipped reference data (countries, places, corridors) and
    /// organisations (member countries, the secretariat, observers); a database made before
    /// organisations existed gets them on its first connection.
    pub async fn connect(url: &str) -> Result<App, AppError> {
        let store = Store::connect(url).await?;
        let app = App::new(store, Arc::new(SystemClock));
        if app.store.countries().await?.is_empty() {
            app.install_reference_data().await?;
        }
        if app.store.organisations().await?.is_empty() {
            app.install_organisations().await?;
        }
        Ok(app)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.now().date_naive()
    }
}
