//! Forecasts kept for accountability: every published forecast run with its rows and fitted
//! legs, append-only.
//!
//! A run is written in one transaction (the run, then its rows and legs) and never changed
//! afterwards. Scores are not stored: they are computed from the kept rows and the counts
//! that arrive later (so a corrected count corrects the score too), which is why
//! [`Store::forecast_rows_for_scoring`] returns the rows of every run, not only the latest.

use chrono::{DateTime, Utc};
use corredor_core::{CorridorCode, CountryCode, Granularity, Measure, Nationality, Period};
use serde::{Deserialize, Serialize};

use crate::audit::NewAuditEntry;
use crate::error::StoreError;
use crate::model::Backend;
use crate::sql::{sqlite_timestamp, Param, RowAccess, Sql};
use crate::Store;

/// A forecast run to record: who forecast what, from which last observed period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewForecastRun {
    pub corridor: CorridorCode,
    /// The model's name (`propagation`, `ets`, `snaive`).
    pub model: String,
    pub created_at: DateTime<Utc>,
    /// The last observed period the forecasts start from; its granularity is the run's.
    pub origin: Period,
    /// The settings, chains and notes of the run.
    pub parameters: serde_json::Value,
    pub rows: Vec<ForecastRow>,
    pub legs: Vec<ForecastLeg>,
}

/// The forecast of one node, measure and nationality for one future period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastRow {
    pub country: CountryCode,
    pub measure: Measure,
    /// `None`: the total over nationalities.
    pub nationality: Option<Nationality>,
    pub target: Period,
    /// Periods after the origin (1 = the next period).
    pub horizon: u32,
    pub forecast: f64,
    pub lower80: f64,
    pub upper80: f64,
    pub lower95: f64,
    pub upper95: f64,
    /// The mean absolute error of seasonal naive within the fitting history, the scale of
    /// MASE; `None` when it is undefined.
    pub scale: Option<f64>,
}

/// A fitted leg of a run, for one nationality (or the total).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastLeg {
    pub nationality: Option<Nationality>,
    pub from: CountryCode,
    pub to: CountryCode,
    /// The part of the upstream flow counted again downstream.
    pub continuation: f64,
    /// The mean transit time in periods; `None` when nobody continues.
    pub mean_transit: Option<f64>,
    /// The weight of each lag from 0 (`continuation × transit share`).
    pub weights: Vec<f64>,
}

/// A recorded run, without its rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastRun {
    pub id: i64,
    pub corridor: CorridorCode,
    pub model: String,
    pub created_at: DateTime<Utc>,
    pub origin: Period,
    pub parameters: serde_json::Value,
}

impl ForecastRun {
    pub fn granularity(&self) -> Granularity {
        self.origin.granularity()
    }
}

/// A recorded run with its rows and legs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastRunDetail {
    pub run: ForecastRun,
    pub rows: Vec<ForecastRow>,
    pub legs: Vec<ForecastLeg>,
}

/// Which runs to list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForecastRunFilter {
    pub corridor: Option<CorridorCode>,
    pub model: Option<String>,
    pub limit: Option<u32>,
}

/// A kept row with the run it belongs to, for scoring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeptForecast {
    pub run_id: i64,
    pub model: String,
    pub origin: Period,
    pub row: ForecastRow,
}

/// Rows per multi-row `INSERT`: 13 parameters each, far below both backends' limits.
const INSERT_ROWS: usize = 200;

const RUN_COLUMNS: &str =
    "SELECT id, corridor, model, created_at, origin_period, parameters FROM forecast_run";
const ROW_COLUMNS: &str = "country, measure, nationality, target_period, horizon, forecast, \
                           lower80, upper80, lower95, upper95, scale";
/// The same columns read back; an undefined scale or transit (NULL) comes back as −1, which
/// neither can be (both are means of non-negative numbers).
const ROW_SELECT: &str = "country, measure, nationality, target_period, horizon, forecast, \
                          lower80, upper80, lower95, upper95, COALESCE(scale, -1.0)";

impl Store {
    /// Records a forecast run with its rows and legs in one transaction; returns its id.
    pub async fn record_forecast_run(&self, run: &NewForecastRun) -> Result<i64, StoreError> {
        for row in &run.rows {
            let values = [
                row.forecast,
                row.lower80,
                row.upper80,
                row.lower95,
                row.upper95,
            ];
            if values.iter().any(|value| !value.is_finite()) || row.horizon == 0 {
                return Err(StoreError::Conflict {
                    constraint: format!(
                        "forecast row of {} {} for {} is not a finite forecast at a horizon of 1 or more",
                        row.country, row.measure, row.target
                    ),
                });
            }
        }
        let parameters = serde_json::to_string(&run.parameters)
            .map_err(|error| StoreError::Backend(error.to_string()))?;
        let backend = self.backend();
        let mut head = Sql::new(
            backend,
            "INSERT INTO forecast_run (corridor, model, created_at, granularity, origin_period, parameters) VALUES (",
        );
        head.bind(Param::Text(run.corridor.to_string()))
            .push(", ")
            .bind(Param::Text(run.model.clone()))
            .push(", ");
        match backend {
            Backend::Sqlite => head.bind(Param::Text(sqlite_timestamp(&run.created_at))),
            Backend::Postgres => head
                .bind(Param::Text(sqlite_timestamp(&run.created_at)))
                .push("::timestamptz"),
        };
        head.push(", ")
            .bind(Param::Text(run.origin.granularity().as_str().to_owned()))
            .push(", ")
            .bind(Param::Text(run.origin.to_string()))
            .push(", ")
            .bind(Param::Text(parameters))
            .push(") RETURNING id");

        let body = |run_id: i64| -> Result<Vec<Sql>, StoreError> {
            let mut statements = Vec::new();
            for chunk in run.rows.chunks(INSERT_ROWS) {
                let mut sql = Sql::new(
                    backend,
                    &format!(
                        "INSERT INTO forecast_row (run_id, {ROW_COLUMNS}, target_start) VALUES "
                    ),
                );
                for (index, row) in chunk.iter().enumerate() {
                    if index > 0 {
                        sql.push(", ");
                    }
                    push_values(
                        &mut sql,
                        vec![
                            Param::Integer(run_id),
                            Param::Text(row.country.to_string()),
                            Param::Text(row.measure.code().to_owned()),
                            Param::OptionalText(row.nationality.map(|n| n.as_str().to_owned())),
                            Param::Text(row.target.to_string()),
                            Param::Integer(i64::from(row.horizon)),
                            Param::Real(row.forecast),
                            Param::Real(row.lower80),
                            Param::Real(row.upper80),
                            Param::Real(row.lower95),
                            Param::Real(row.upper95),
                        ],
                        row.scale,
                        Some(Param::Date(row.target.start())),
                    );
                }
                statements.push(sql);
            }
            for chunk in run.legs.chunks(INSERT_ROWS) {
                let mut sql = Sql::new(
                    backend,
                    "INSERT INTO forecast_leg (run_id, nationality, from_country, to_country, \
                     continuation, mean_transit, weights) VALUES ",
                );
                for (index, leg) in chunk.iter().enumerate() {
                    if index > 0 {
                        sql.push(", ");
                    }
                    let weights = serde_json::to_string(&leg.weights)
                        .map_err(|error| StoreError::Backend(error.to_string()))?;
                    push_values(
                        &mut sql,
                        vec![
                            Param::Integer(run_id),
                            Param::OptionalText(leg.nationality.map(|n| n.as_str().to_owned())),
                            Param::Text(leg.from.to_string()),
                            Param::Text(leg.to.to_string()),
                            Param::Real(leg.continuation),
                        ],
                        leg.mean_transit,
                        Some(Param::Text(weights)),
                    );
                }
                statements.push(sql);
            }
            Ok(statements)
        };

        let mut tx = self.begin_audited().await?;
        let run_id = tx
            .fetch(head, |row| row.integer(0))
            .await?
            .pop()
            .ok_or_else(|| {
                StoreError::Backend("the new forecast run's id was not returned".into())
            })?;
        for sql in body(run_id)? {
            tx.execute(sql).await?;
        }
        let entry = NewAuditEntry {
            action: "record_forecast_run".to_owned(),
            subject: format!("forecast_run:{run_id}"),
            country: None,
            before: None,
            after: Some(serde_json::json!({
                "run": run_id,
                "corridor": run.corridor,
                "model": run.model,
                "origin": run.origin,
                "created_at": run.created_at,
                "rows": run.rows.len(),
                "legs": run.legs.len(),
            })),
        };
        tx.audit(self.actor(), &entry).await?;
        tx.commit().await?;
        Ok(run_id)
    }

    /// The recorded runs, newest first.
    pub async fn forecast_runs(
        &self,
        filter: &ForecastRunFilter,
    ) -> Result<Vec<ForecastRun>, StoreError> {
        let mut sql = self.sql(RUN_COLUMNS);
        sql.push(" WHERE 1 = 1");
        if let Some(corridor) = &filter.corridor {
            sql.push(" AND corridor = ")
                .bind(Param::Text(corridor.to_string()));
        }
        if let Some(model) = &filter.model {
            sql.push(" AND model = ").bind(Param::Text(model.clone()));
        }
        sql.push(" ORDER BY id DESC");
        if let Some(limit) = filter.limit {
            sql.push(" LIMIT ").bind(Param::Integer(i64::from(limit)));
        }
        self.fetch(sql, run_from_row).await
    }

    /// One run with its rows (by country, nationality, horizon) and legs, or
    /// [`StoreError::NotFound`].
    pub async fn forecast_run(&self, id: i64) -> Result<ForecastRunDetail, StoreError> {
        let mut sql = self.sql(RUN_COLUMNS);
        sql.push(" WHERE id = ").bind(Param::Integer(id));
        let run = self
            .fetch(sql, run_from_row)
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(format!("forecast run {id}")))?;
        let mut rows = self.sql(&format!(
            "SELECT {ROW_SELECT} FROM forecast_row WHERE run_id = "
        ));
        rows.bind(Param::Integer(id))
            .push(" ORDER BY country, nationality, horizon");
        let rows = self.fetch(rows, |row| forecast_row_from(row, 0)).await?;
        let mut legs = self.sql(
            "SELECT nationality, from_country, to_country, continuation, \
             COALESCE(mean_transit, -1.0), weights \
             FROM forecast_leg WHERE run_id = ",
        );
        legs.bind(Param::Integer(id))
            .push(" ORDER BY nationality, from_country");
        let legs = self.fetch(legs, leg_from_row).await?;
        Ok(ForecastRunDetail { run, rows, legs })
    }

    /// The latest run of a corridor and model, with its rows and legs; `None` before the
    /// first.
    pub async fn latest_forecasts(
        &self,
        corridor: &CorridorCode,
        model: &str,
    ) -> Result<Option<ForecastRunDetail>, StoreError> {
        let runs = self
            .forecast_runs(&ForecastRunFilter {
                corridor: Some(corridor.clone()),
                model: Some(model.to_owned()),
                limit: Some(1),
            })
            .await?;
        match runs.first() {
            Some(run) => Ok(Some(self.forecast_run(run.id).await?)),
            None => Ok(None),
        }
    }

    /// The kept rows of a corridor whose target period starts on or before `through`, for
    /// scoring against the counts that arrived. A target forecast again by a later run from
    /// the same origin (a re-import, a correction) is taken from the latest of those runs
    /// only, so that republishing does not count one forecast twice.
    pub async fn forecast_rows_for_scoring(
        &self,
        corridor: &CorridorCode,
        through: chrono::NaiveDate,
    ) -> Result<Vec<KeptForecast>, StoreError> {
        let mut sql = self.sql(&format!(
            "SELECT {ROW_SELECT}, run_id, model, origin_period FROM ( \
               SELECT r.*, f.model, f.origin_period, ROW_NUMBER() OVER ( \
                 PARTITION BY f.model, f.origin_period, r.country, r.measure, r.nationality, r.horizon \
                 ORDER BY r.run_id DESC) AS newest \
               FROM forecast_row r JOIN forecast_run f ON f.id = r.run_id \
               WHERE f.corridor = "
        ));
        sql.bind(Param::Text(corridor.to_string()))
            .push(" AND r.target_start <= ")
            .bind(Param::Date(through))
            .push(
                ") kept WHERE newest = 1 ORDER BY country, nationality, target_start, horizon, run_id",
            );
        self.fetch(sql, |row| {
            let forecast = forecast_row_from(row, 0)?;
            Ok(KeptForecast {
                run_id: row.integer(11)?,
                model: row.text(12)?,
                origin: parse_period(&row.text(13)?)?,
                row: forecast,
            })
        })
        .await
    }
}

/// `(p1, …, optional, last)`: the parameters, then `optional` bound or written as `NULL`
/// (the shared builder has no optional number), then `last`.
fn push_values(sql: &mut Sql, params: Vec<Param>, optional: Option<f64>, last: Option<Param>) {
    sql.push("(");
    for (index, param) in params.into_iter().enumerate() {
        if index > 0 {
            sql.push(", ");
        }
        sql.bind(param);
    }
    match optional {
        Some(value) => sql.push(", ").bind(Param::Real(value)),
        None => sql.push(", NULL"),
    };
    if let Some(param) = last {
        sql.push(", ").bind(param);
    }
    sql.push(")");
}

fn defined(value: f64) -> Option<f64> {
    (value >= 0.0).then_some(value)
}

fn parse_period(text: &str) -> Result<Period, StoreError> {
    Period::parse(text).map_err(|_| StoreError::corrupt(text))
}

fn parse_nationality(text: Option<String>) -> Result<Option<Nationality>, StoreError> {
    text.map(|code| Nationality::parse(&code).map_err(|_| StoreError::corrupt(code)))
        .transpose()
}

fn parse_country(text: &str) -> Result<CountryCode, StoreError> {
    CountryCode::parse(text).map_err(|_| StoreError::corrupt(text))
}

fn run_from_row(row: &dyn RowAccess) -> Result<ForecastRun, StoreError> {
    let corridor = row.text(1)?;
    let parameters = row.text(5)?;
    Ok(ForecastRun {
        id: row.integer(0)?,
        corridor: CorridorCode::parse(&corridor).map_err(|_| StoreError::corrupt(corridor))?,
        model: row.text(2)?,
        created_at: row.timestamp(3)?,
        origin: parse_period(&row.text(4)?)?,
        parameters: serde_json::from_str(&parameters)
            .map_err(|_| StoreError::corrupt(parameters))?,
    })
}

/// Reads the columns of [`ROW_COLUMNS`] starting at `first`.
fn forecast_row_from(row: &dyn RowAccess, first: usize) -> Result<ForecastRow, StoreError> {
    let measure = row.text(first + 1)?;
    let horizon = row.integer(first + 4)?;
    Ok(ForecastRow {
        country: parse_country(&row.text(first)?)?,
        measure: Measure::parse(&measure).map_err(|_| StoreError::corrupt(measure))?,
        nationality: parse_nationality(row.optional_text(first + 2)?)?,
        target: parse_period(&row.text(first + 3)?)?,
        horizon: u32::try_from(horizon).map_err(|_| StoreError::corrupt(horizon))?,
        forecast: row.real(first + 5)?,
        lower80: row.real(first + 6)?,
        upper80: row.real(first + 7)?,
        lower95: row.real(first + 8)?,
        upper95: row.real(first + 9)?,
        scale: defined(row.real(first + 10)?),
    })
}

fn leg_from_row(row: &dyn RowAccess) -> Result<ForecastLeg, StoreError> {
    let weights = row.text(5)?;
    Ok(ForecastLeg {
        nationality: parse_nationality(row.optional_text(0)?)?,
        from: parse_country(&row.text(1)?)?,
        to: parse_country(&row.text(2)?)?,
        continuation: row.real(3)?,
        mean_transit: defined(row.real(4)?),
        weights: serde_json::from_str(&weights).map_err(|_| StoreError::corrupt(weights))?,
    })
}
