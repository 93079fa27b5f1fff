//! Signals and their verification: the evidence a detector (or a forecast) recorded, and the
//! append-only history of the decisions analysts took on it.
//!
//! One signal per (kind, country or corridor, place, measure, nationality, period,
//! algorithm): recording it again (a re-scan) changes nothing, so neither the evidence first
//! recorded nor a decision already taken is ever overwritten by a scan. The current decision
//! is kept on the signal row for filtering; every decision, the superseded ones included,
//! stays readable in `signal_decision`.

use chrono::{DateTime, NaiveDate, Utc};
use corredor_core::{
    CorridorCode, CountryCode, Measure, Nationality, Period, PlaceCode, SignalKind, SignalOutcome,
};
use serde::{Deserialize, Serialize};

use crate::audit::{capped, NewAuditEntry};
use crate::error::StoreError;
use crate::model::Backend;
use crate::reference::{country_code, place_code};
use crate::sql::{sqlite_timestamp, Param, RowAccess, Sql};
use crate::Store;

/// Whose series a signal is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalScope {
    /// A series of one country (its total, a place, a nationality).
    Country(CountryCode),
    /// The sum over the countries of a corridor: events, not people, since the same person is
    /// counted at every point.
    Corridor(CorridorCode),
}

impl SignalScope {
    /// The owning country, `None` for a corridor aggregate (owned by all its countries).
    pub fn country(&self) -> Option<CountryCode> {
        match self {
            SignalScope::Country(country) => Some(*country),
            SignalScope::Corridor(_) => None,
        }
    }
}

/// A signal to record: the series, the period and the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewSignal {
    pub kind: SignalKind,
    pub scope: SignalScope,
    pub place: Option<PlaceCode>,
    pub measure: Measure,
    pub nationality: Option<Nationality>,
    /// The period that alarmed; its granularity is the series'.
    pub period: Period,
    /// The count of the period (`None` for a capacity signal on a forecast).
    pub observed: Option<f64>,
    /// What the model expected (for a capacity signal, the forecast).
    pub expected: f64,
    /// The bound exceeded (for a capacity signal, the capacity).
    pub upper_bound: f64,
    /// How far beyond the bound: above 1 means above it.
    pub score: f64,
    /// The method, e.g. `farrington-flexible`, `ears-c3`.
    pub algorithm: String,
    /// The method's settings, so that the evidence can be reproduced.
    pub parameters: serde_json::Value,
    pub detected_at: DateTime<Utc>,
}

/// One decision of an analyst on a signal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignalDecision {
    pub outcome: SignalOutcome,
    pub decided_by: String,
    pub decided_at: DateTime<Utc>,
    pub reason: String,
}

/// A recorded signal with its current decision (`None` while open).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredSignal {
    pub id: i64,
    #[serde(flatten)]
    pub signal: NewSignal,
    pub decision: Option<SignalDecision>,
}

/// Which signals to read, by their current decision.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionFilter {
    #[default]
    Any,
    /// Not yet decided.
    Open,
    /// Decided, with this outcome as the latest decision.
    Outcome(SignalOutcome),
}

/// Which signals to read. An empty `countries` means every country and corridor; a non-empty
/// one only those countries' signals. `from` and `to` bound the period's start date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignalFilter {
    pub countries: Vec<CountryCode>,
    pub kind: Option<SignalKind>,
    pub measure: Option<Measure>,
    pub decision: DecisionFilter,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub limit: Option<u32>,
}

/// How the signals of one algorithm were judged: the share discarded says how often it
/// cries wolf on these data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlgorithmStatistics {
    pub algorithm: String,
    pub signals: u64,
    pub open: u64,
    pub discarded: u64,
    pub monitoring: u64,
    pub escalated: u64,
}

impl AlgorithmStatistics {
    /// Discarded over decided signals; `None` before any decision.
    pub fn discarded_share(&self) -> Option<f64> {
        let decided = self.discarded + self.monitoring + self.escalated;
        (decided > 0).then(|| self.discarded as f64 / decided as f64)
    }
}

const COLUMNS: &str = "s.id, s.kind, s.country, s.corridor, s.place, s.measure, s.nationality, \
    s.period, COALESCE(s.observed, 0.0), s.expected, s.upper_bound, s.score, s.algorithm, \
    s.parameters, s.detected_at, s.outcome, s.decided_by, s.decided_at, s.reason, \
    CASE WHEN s.observed IS NULL THEN 1 ELSE 0 END";

impl Store {
    /// Records the signals not yet recorded and returns how many were new; a signal already
    /// stored (same series, period and algorithm) is left as it is, decision included.
    pub async fn record_signals(&self, signals: &[NewSignal]) -> Result<u64, StoreError> {
        let statements = signals
            .iter()
            .map(|signal| self.insert_signal(signal))
            .collect::<Result<Vec<_>, _>>()?;
        let mut tx = self.begin_audited().await?;
        let mut recorded = Vec::new();
        for (signal, sql) in signals.iter().zip(statements) {
            if tx.execute(sql).await? == 1 {
                recorded.push(signal);
            }
        }
        // The country whose series these are, when they are all of one.
        let country = match signals.first().and_then(|first| first.scope.country()) {
            Some(first) if signals.iter().all(|s| s.scope.country() == Some(first)) => Some(first),
            _ => None,
        };
        let new = recorded.len() as u64;
        let (listed, unlisted) = capped(recorded)?;
        let entry = NewAuditEntry {
            action: "record_signals".to_owned(),
            subject: format!("signals:{}", signals.len()),
            country,
            before: None,
            after: Some(serde_json::json!({
                "given": signals.len(),
                "recorded": new,
                "signals": listed,
                "unlisted": unlisted,
            })),
        };
        tx.audit(self.actor(), &entry).await?;
        tx.commit().await?;
        Ok(new)
    }

    /// The signals the filter selects, latest period first, then highest score.
    pub async fn signals(&self, filter: &SignalFilter) -> Result<Vec<StoredSignal>, StoreError> {
        let mut sql = self.sql(&format!("SELECT {COLUMNS} FROM signal s WHERE 1 = 1"));
        if !filter.countries.is_empty() {
            sql.push(" AND s.country IN ");
            sql.bind_list(filter.countries.iter().map(|c| Param::Text(c.to_string())));
        }
        if let Some(kind) = filter.kind {
            sql.push(" AND s.kind = ");
            sql.bind(Param::Text(kind.code().to_owned()));
        }
        if let Some(measure) = filter.measure {
            sql.push(" AND s.measure = ");
            sql.bind(Param::Text(measure.code().to_owned()));
        }
        match filter.decision {
            DecisionFilter::Any => {}
            DecisionFilter::Open => {
                sql.push(" AND s.outcome IS NULL");
            }
            DecisionFilter::Outcome(outcome) => {
                sql.push(" AND s.outcome = ");
                sql.bind(Param::Text(outcome.code().to_owned()));
            }
        }
        if let Some(from) = filter.from {
            sql.push(" AND s.period_start >= ");
            sql.bind(Param::Date(from));
        }
        if let Some(to) = filter.to {
            sql.push(" AND s.period_start <= ");
            sql.bind(Param::Date(to));
        }
        sql.push(" ORDER BY s.period_start DESC, s.score DESC, s.id");
        if let Some(limit) = filter.limit {
            sql.push(" LIMIT ");
            sql.bind(Param::Integer(i64::from(limit)));
        }
        self.fetch(sql, signal_from_row).await
    }

    /// One signal, or [`StoreError::NotFound`].
    pub async fn signal(&self, id: i64) -> Result<StoredSignal, StoreError> {
        let mut sql = self.sql(&format!("SELECT {COLUMNS} FROM signal s WHERE s.id = "));
        sql.bind(Param::Integer(id));
        self.fetch(sql, signal_from_row)
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(format!("signal {id}")))
    }

    /// Every decision taken on a signal, oldest first.
    pub async fn signal_decisions(&self, id: i64) -> Result<Vec<SignalDecision>, StoreError> {
        let mut sql = self.sql(
            "SELECT outcome, decided_by, decided_at, reason FROM signal_decision \
             WHERE signal_id = ",
        );
        sql.bind(Param::Integer(id));
        sql.push(" ORDER BY sequence");
        self.fetch(sql, |row| {
            Ok(SignalDecision {
                outcome: outcome_from(&row.text(0)?)?,
                decided_by: row.text(1)?,
                decided_at: row.timestamp(2)?,
                reason: row.text(3)?,
            })
        })
        .await
    }

    /// Records a decision on a signal and returns the signal with it. An earlier decision
    /// stays readable through [`Store::signal_decisions`]; the new one becomes current.
    /// [`StoreError::NotFound`] for an unknown signal; [`StoreError::Conflict`] for an empty
    /// `decided_by` or `reason`.
    pub async fn decide_signal(
        &self,
        id: i64,
        outcome: SignalOutcome,
        decided_by: &str,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<StoredSignal, StoreError> {
        // Checked here as well as by the schema, so that both backends name the same rule.
        for (field, text) in [("decided_by", decided_by), ("reason", reason)] {
            if text.trim().is_empty() {
                return Err(StoreError::Conflict {
                    constraint: format!("signal_decision.{field} is not empty"),
                });
            }
        }
        let mut history = self.sql(
            "INSERT INTO signal_decision (signal_id, sequence, outcome, decided_by, decided_at, \
             reason) SELECT s.id, COALESCE((SELECT MAX(d.sequence) FROM signal_decision d \
             WHERE d.signal_id = s.id), 0) + 1, ",
        );
        history.bind(Param::Text(outcome.code().to_owned()));
        history.push(", ");
        history.bind(Param::Text(decided_by.to_owned()));
        history.push(", ");
        push_timestamp(&mut history, self.backend(), at);
        history.push(", ");
        history.bind(Param::Text(reason.to_owned()));
        history.push(" FROM signal s WHERE s.id = ");
        history.bind(Param::Integer(id));

        let mut current = self.sql("UPDATE signal SET outcome = ");
        current.bind(Param::Text(outcome.code().to_owned()));
        current.push(", decided_by = ");
        current.bind(Param::Text(decided_by.to_owned()));
        current.push(", decided_at = ");
        push_timestamp(&mut current, self.backend(), at);
        current.push(", reason = ");
        current.bind(Param::Text(reason.to_owned()));
        current.push(" WHERE id = ");
        current.bind(Param::Integer(id));

        let mut tx = self.begin_audited().await?;
        let mut read = tx.sql(&format!("SELECT {COLUMNS} FROM signal s WHERE s.id = "));
        read.bind(Param::Integer(id));
        let before = tx
            .fetch(read, signal_from_row)
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(format!("signal {id}")))?;
        tx.execute(history).await?;
        tx.execute(current).await?;
        let decision = SignalDecision {
            outcome,
            decided_by: decided_by.to_owned(),
            decided_at: at,
            reason: reason.to_owned(),
        };
        let entry = NewAuditEntry {
            action: "decide_signal".to_owned(),
            subject: format!("signal:{id}"),
            country: before.signal.scope.country(),
            before: Some(serde_json::json!({ "decision": before.decision })),
            after: Some(serde_json::json!({ "decision": decision })),
        };
        tx.audit(self.actor(), &entry).await?;
        tx.commit().await?;
        self.signal(id).await
    }

    /// Signals and decisions per algorithm, by algorithm name.
    pub async fn signal_statistics(&self) -> Result<Vec<AlgorithmStatistics>, StoreError> {
        let sql = self.sql(
            "SELECT algorithm, COUNT(*), \
             SUM(CASE WHEN outcome IS NULL THEN 1 ELSE 0 END), \
             SUM(CASE WHEN outcome = 'discarded' THEN 1 ELSE 0 END), \
             SUM(CASE WHEN outcome = 'monitoring' THEN 1 ELSE 0 END), \
             SUM(CASE WHEN outcome = 'escalated' THEN 1 ELSE 0 END) \
             FROM signal GROUP BY algorithm ORDER BY algorithm",
        );
        self.fetch(sql, |row| {
            Ok(AlgorithmStatistics {
                algorithm: row.text(0)?,
                signals: count_from(row.integer(1)?)?,
                open: count_from(row.integer(2)?)?,
                discarded: count_from(row.integer(3)?)?,
                monitoring: count_from(row.integer(4)?)?,
                escalated: count_from(row.integer(5)?)?,
            })
        })
        .await
    }

    fn insert_signal(&self, signal: &NewSignal) -> Result<Sql, StoreError> {
        for (field, value) in [
            ("expected", Some(signal.expected)),
            ("upper_bound", Some(signal.upper_bound)),
            ("score", Some(signal.score)),
            ("observed", signal.observed),
        ] {
            if value.is_some_and(|value| !value.is_finite()) {
                return Err(StoreError::Conflict {
                    constraint: format!("signal.{field} is a finite number"),
                });
            }
        }
        let (country, corridor) = match &signal.scope {
            SignalScope::Country(country) => (Some(country.to_string()), None),
            SignalScope::Corridor(corridor) => (None, Some(corridor.to_string())),
        };
        let place = signal.place.as_ref().map(|place| place.to_string());
        let nationality = signal.nationality.map(|n| n.to_string());
        let key = [
            signal.kind.code(),
            country.as_deref().unwrap_or(""),
            corridor.as_deref().unwrap_or(""),
            place.as_deref().unwrap_or(""),
            signal.measure.code(),
            nationality.as_deref().unwrap_or(""),
            &signal.period.to_string(),
            &signal.algorithm,
        ]
        .join("|");

        let mut sql = self.sql(
            "INSERT INTO signal (key, kind, country, corridor, place, measure, nationality, \
             granularity, period, period_start, observed, expected, upper_bound, score, \
             algorithm, parameters, detected_at) VALUES (",
        );
        for param in [
            Param::Text(key),
            Param::Text(signal.kind.code().to_owned()),
            Param::OptionalText(country),
            Param::OptionalText(corridor),
            Param::OptionalText(place),
            Param::Text(signal.measure.code().to_owned()),
            Param::OptionalText(nationality),
            Param::Text(signal.period.granularity().as_str().to_owned()),
            Param::Text(signal.period.to_string()),
            Param::Date(signal.period.start()),
        ] {
            sql.bind(param);
            sql.push(", ");
        }
        // The parameter types have no optional number: a missing count is written as NULL.
        match signal.observed {
            Some(observed) => sql.bind(Param::Real(observed)),
            None => sql.push("NULL"),
        };
        for param in [
            Param::Real(signal.expected),
            Param::Real(signal.upper_bound),
            Param::Real(signal.score),
            Param::Text(signal.algorithm.clone()),
            Param::Text(signal.parameters.to_string()),
        ] {
            sql.push(", ");
            sql.bind(param);
        }
        sql.push(", ");
        push_timestamp(&mut sql, self.backend(), signal.detected_at);
        sql.push(") ON CONFLICT (key) DO NOTHING");
        Ok(sql)
    }
}

/// A timestamp: fixed-width UTC text on SQLite (text order is time order), a TIMESTAMPTZ on
/// PostgreSQL, cast from the same text since the parameter types carry no timestamp.
fn push_timestamp(sql: &mut Sql, backend: Backend, at: DateTime<Utc>) {
    let text = Param::Text(sqlite_timestamp(&at));
    if backend == Backend::Postgres {
        sql.push("CAST(");
        sql.bind(text);
        sql.push(" AS TIMESTAMPTZ)");
    } else {
        sql.bind(text);
    }
}

fn signal_from_row(row: &dyn RowAccess) -> Result<StoredSignal, StoreError> {
    let scope = match (row.optional_text(2)?, row.optional_text(3)?) {
        (Some(country), _) => SignalScope::Country(country_code(&country)?),
        (None, Some(corridor)) => {
            SignalScope::Corridor(CorridorCode::parse(&corridor).map_err(StoreError::corrupt)?)
        }
        (None, None) => return Err(StoreError::corrupt("a signal without country or corridor")),
    };
    let period = Period::parse(&row.text(7)?).map_err(StoreError::corrupt)?;
    let parameters_text = row.text(13)?;
    let parameters = serde_json::from_str(&parameters_text).map_err(StoreError::corrupt)?;
    let decision = match row.optional_text(15)? {
        None => None,
        Some(outcome) => Some(SignalDecision {
            outcome: outcome_from(&outcome)?,
            decided_by: row.optional_text(16)?.unwrap_or_default(),
            decided_at: row.timestamp(17)?,
            reason: row.optional_text(18)?.unwrap_or_default(),
        }),
    };
    Ok(StoredSignal {
        id: row.integer(0)?,
        signal: NewSignal {
            kind: SignalKind::parse(&row.text(1)?).map_err(StoreError::corrupt)?,
            scope,
            place: row
                .optional_text(4)?
                .as_deref()
                .map(place_code)
                .transpose()?,
            measure: Measure::parse(&row.text(5)?).map_err(StoreError::corrupt)?,
            nationality: row
                .optional_text(6)?
                .map(|code| Nationality::parse(&code).map_err(StoreError::corrupt))
                .transpose()?,
            period,
            // Column 19 says whether the count is missing (column 8 then reads 0).
            observed: (row.integer(19)? == 0).then_some(row.real(8)?),
            expected: row.real(9)?,
            upper_bound: row.real(10)?,
            score: row.real(11)?,
            algorithm: row.text(12)?,
            parameters,
            detected_at: row.timestamp(14)?,
        },
        decision,
    })
}

fn outcome_from(raw: &str) -> Result<SignalOutcome, StoreError> {
    SignalOutcome::parse(raw).map_err(StoreError::corrupt)
}

fn count_from(raw: i64) -> Result<u64, StoreError> {
    u64::try_from(raw).map_err(|_| StoreError::corrupt(format!("negative count {raw}")))
}
