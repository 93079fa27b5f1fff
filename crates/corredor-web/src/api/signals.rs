//! `/api/v1/signals`: the surges the scan found (and the capacity signals of forecasting),
//! one signal with the series around it, the analyst's decision, and how often each
//! algorithm's signals were discarded.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::IntoResponse;
use axum::Json;
use corredor_app::store::{
    AlgorithmStatistics, DecisionFilter, SignalDecision, SignalFilter, SignalScope, StoredSignal,
};
use corredor_app::{AppError, SignalDetail};
use corredor_core::{CountryCode, Measure, Period, SignalKind, SignalOutcome};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{param, parse_json_body, signed_in, ApiResult, QueryParam};
use crate::auth::Visitor;
use crate::error::ApiError;
use crate::params::Params;
use crate::AppState;

pub(super) const SIGNAL_PARAMS: &[QueryParam] = &[
    param(
        "country",
        "Only these countries' signals (ISO alpha-3), repeated or comma-separated; without it the corridor sums are listed too.",
    ),
    param("kind", "surge or capacity."),
    param("measure", "Only this measure."),
    param(
        "outcome",
        "open (not yet decided), discarded, monitoring or escalated.",
    ),
    param("from", "Periods starting on or after this day or period (e.g. 2023-01)."),
    param("to", "Periods starting on or before the end of this day or period."),
    param("limit", "At most this many signals (1 to 10000, default 1000)."),
];

/// The body of a decision.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionBody {
    outcome: String,
    /// Accepted for clients written before sign-in existed; the decision names the caller.
    #[serde(default)]
    #[allow(dead_code)]
    decided_by: Option<String>,
    reason: String,
}

pub(super) async fn list_signals(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> ApiResult<impl IntoResponse> {
    let mut params = Params::parse(query.as_deref());
    let countries = params.list("country", CountryCode::parse);
    let kind = params.one("kind", SignalKind::parse);
    let measure = params.one("measure", Measure::parse);
    let decision = params
        .one("outcome", |raw| {
            if raw.trim().eq_ignore_ascii_case("open") {
                Ok(DecisionFilter::Open)
            } else {
                SignalOutcome::parse(raw).map(DecisionFilter::Outcome)
            }
        })
        .unwrap_or_default();
    let from = params.one("from", Period::parse);
    let to = params.one("to", Period::parse);
    let limit = params.one("limit", |raw| match raw.trim().parse::<u32>() {
        Ok(limit) if (1..=10_000).contains(&limit) => Ok(limit),
        _ => Err(format!("`{raw}` is not a number from 1 to 10000")),
    });
    params.finish()?;
    let signals = state
        .app
        .signals(
            &visitor.caller,
            &SignalFilter {
                countries,
                kind,
                measure,
                decision,
                from: from.map(|period| period.start()),
                to: to.map(|period| period.end()),
                limit: Some(limit.unwrap_or(1_000)),
            },
        )
        .await?;
    let signals: Vec<Value> = signals.iter().map(signal_json).collect();
    Ok(Json(json!({ "count": signals.len(), "signals": signals })))
}

pub(super) async fn get_signal(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let detail = state
        .app
        .signal_detail(&visitor.caller, signal_id(&id)?)
        .await?;
    Ok(Json(detail_json(&detail)))
}

pub(super) async fn decide_signal(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let id = signal_id(&id)?;
    let body: DecisionBody = parse_json_body(&body)?;
    let outcome = SignalOutcome::parse(&body.outcome)
        .map_err(|error| ApiError(AppError::invalid("outcome", error.to_string())))?;
    let signal = state
        .app
        .decide_signal(&visitor.caller, id, outcome, &body.reason)
        .await?;
    Ok(Json(signal_json(&signal)))
}

pub(super) async fn signal_statistics(
    State(state): State<AppState>,
    visitor: Visitor,
) -> ApiResult<impl IntoResponse> {
    signed_in(&visitor)?;
    let statistics = state.app.signal_statistics().await?;
    let algorithms: Vec<Value> = statistics.iter().map(statistics_json).collect();
    Ok(Json(json!({ "algorithms": algorithms })))
}

fn signal_id(raw: &str) -> Result<i64, ApiError> {
    super::positive_id(raw, "a signal")
}

/// A signal as the API shows it: flat, with its owner as `country` or `corridor`.
pub(crate) fn signal_json(stored: &StoredSignal) -> Value {
    let signal = &stored.signal;
    let (country, corridor) = match &signal.scope {
        SignalScope::Country(country) => (Some(country.to_string()), None),
        SignalScope::Corridor(code) => (None, Some(code.to_string())),
    };
    let decision = stored.decision.as_ref();
    json!({
        "id": stored.id,
        "kind": signal.kind,
        "country": country,
        "corridor": corridor,
        "place": signal.place,
        "measure": signal.measure,
        "nationality": signal.nationality,
        "granularity": signal.period.granularity(),
        "period": signal.period,
        "observed": signal.observed,
        "expected": signal.expected,
        "upper_bound": signal.upper_bound,
        "score": signal.score,
        "algorithm": signal.algorithm,
        "parameters": signal.parameters,
        "detected_at": signal.detected_at,
        "outcome": decision.map(|d| d.outcome),
        "decided_by": decision.map(|d| d.decided_by.as_str()),
        "decided_at": decision.map(|d| d.decided_at),
        "reason": decision.map(|d| d.reason.as_str()),
    })
}

fn decision_json(decision: &SignalDecision) -> Value {
    json!({
        "outcome": decision.outcome,
        "decided_by": decision.decided_by,
        "decided_at": decision.decided_at,
        "reason": decision.reason,
    })
}

fn detail_json(detail: &SignalDetail) -> Value {
    json!({
        "signal": signal_json(&detail.signal),
        "decisions": detail.decisions.iter().map(decision_json).collect::<Vec<_>>(),
        "history": detail.history,
    })
}

fn statistics_json(statistics: &AlgorithmStatistics) -> Value {
    json!({
        "algorithm": statistics.algorithm,
        "signals": statistics.signals,
        "open": statistics.open,
        "discarded": statistics.discarded,
        "monitoring": statistics.monitoring,
        "escalated": statistics.escalated,
        "discarded_share": statistics.discarded_share(),
    })
}
