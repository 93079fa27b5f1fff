//! Corridor forecasting: how many arrivals each node of a corridor can expect over the next
//! periods, with prediction intervals, and two baselines to judge it by.
//!
//! # Models
//!
//! Three models share one interface ([`Model`], [`forecast`]): each takes the ordered series
//! of a chain of nodes for one nationality (furthest upstream first, the target last, all
//! aligned on the same periods) and returns, for the target, the point forecast and the 80%
//! and 95% prediction intervals for the next `horizon` periods.
//!
//! * [`Model::Propagation`], the corridor propagation model (see [`propagation`]): arrivals
//!   at a node are the arrivals at the node before it, delayed by a transit-time
//!   distribution and scaled by a continuation share, plus a local component of the node's
//!   own, smoothed exponentially. [`forecast_corridor`] returns every node of the chain and
//!   the fitted legs.
//! * [`Model::Ets`]: exponential smoothing with an additive damped trend and optional
//!   additive seasonality (Holt-Winters), parameters fitted by minimising the one-step sum of
//!   squared errors (see [`ets`]).
//! * [`Model::SeasonalNaive`]: the value one season earlier (see [`seasonal_naive`]).
//!
//! # Prediction intervals
//!
//! All three models get their intervals the same way (see [`interval`]): the model is run
//! from every past origin of the history with its fitted parameters, its `h`-step forecasts
//! are compared with what happened, and the empirical quantiles of the errors on the log
//! scale, `ln(1 + actual) − ln(1 + forecast)`, over the most recent origins are put around
//! the new forecast. Counts of people vary over three orders of magnitude within a few
//! months, so errors are proportional to the level: the log scale makes errors of different
//! months comparable, and quantiles (not a normal law) keep the heavy tails that surges and
//! policy changes produce.
//!
//! # Scores
//!
//! [`score`] has the accuracy measures the backtest prints: MASE, sMAPE and interval
//! coverage.

pub mod ets;
pub mod interval;
pub mod nnls;
pub mod propagation;
pub mod score;
pub mod seasonal_naive;

use serde::Serialize;

pub use ets::{EtsConfig, Seasonality, Trend};
pub use propagation::{
    forecast_corridor, CorridorForecast, LegFit, NodeForecast, PropagationConfig,
};
pub use seasonal_naive::SeasonalNaiveConfig;

/// Settings every model shares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForecastSettings {
    /// How many periods ahead to forecast (1 or more).
    pub horizon: usize,
    /// Periods per year: 12 for monthly series, 52 for weekly ones, 1 when there is no
    /// calendar.
    pub season_length: usize,
    /// How many of the most recent past origins give the errors the intervals are built
    /// from. Recent errors describe the current regime of a corridor better than old ones.
    pub interval_window: usize,
}

impl ForecastSettings {
    /// Monthly series: 3 months ahead, intervals from the last 36 origins.
    pub fn monthly(horizon: usize) -> ForecastSettings {
        ForecastSettings {
            horizon,
            season_length: 12,
            interval_window: 36,
        }
    }

    /// Weekly series: intervals from the last 104 origins.
    pub fn weekly(horizon: usize) -> ForecastSettings {
        ForecastSettings {
            horizon,
            season_length: 52,
            interval_window: 104,
        }
    }
}

/// A forecasting model and its configuration.
#[derive(Debug, Clone, PartialEq)]
pub enum Model {
    Propagation(PropagationConfig),
    Ets(EtsConfig),
    SeasonalNaive(SeasonalNaiveConfig),
}

impl Model {
    /// The name used on the command line and in backtest output.
    pub fn name(&self) -> &'static str {
        match self {
            Model::Propagation(_) => "propagation",
            Model::Ets(_) => "ets",
            Model::SeasonalNaive(_) => "snaive",
        }
    }
}

/// The forecast for one future period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StepForecast {
    /// Periods after the last observed one (1 = the next period).
    pub horizon: usize,
    pub mean: f64,
    pub lower80: f64,
    pub upper80: f64,
    pub lower95: f64,
    pub upper95: f64,
}

/// The forecast of one series and what the caller should know about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    pub steps: Vec<StepForecast>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Facts about the data or the fit that do not stop the forecast but qualify it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Diagnostic {
    /// Fewer past forecasts than the interval window could be scored: the intervals rest on
    /// `errors` errors at this horizon.
    FewErrorsForIntervals { horizon: usize, errors: usize },
    /// The series is shorter than two seasons, so the seasonal component was left out.
    SeasonalityDropped { length: usize, season_length: usize },
    /// A leg's continuation share is above 1: counts are events, and people counted more
    /// than once downstream (repeat crossings) can make it so. Read it with care.
    ContinuationAboveOne { leg: usize, continuation: f64 },
}

/// Why a forecast could not be made at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ForecastError {
    #[error("no series given")]
    EmptyChain,
    #[error("the horizon must be at least 1")]
    ZeroHorizon,
    #[error("node {node} has {length} periods but the target has {expected}; the series of a chain must be aligned on the same periods")]
    MisalignedNodes {
        node: usize,
        length: usize,
        expected: usize,
    },
    #[error("node {node} has a value that is not a finite count at period {index}")]
    NotACount { node: usize, index: usize },
    #[error("{length} periods are too few: this model needs at least {needed}")]
    TooShort { length: usize, needed: usize },
}

/// Forecasts the last series of `chain` (the target) with `model`. `chain` is ordered from
/// the furthest upstream node to the target; baselines use only the target.
pub fn forecast(
    model: &Model,
    chain: &[&[f64]],
    settings: &ForecastSettings,
) -> Result<Forecast, ForecastError> {
    check_chain(chain, settings)?;
    let target = chain[chain.len() - 1];
    match model {
        Model::Propagation(config) => {
            let corridor = forecast_corridor(chain, config, settings)?;
            let mut diagnostics = corridor.diagnostics;
            let last = corridor
                .nodes
                .into_iter()
                .last()
                .expect("a checked chain has at least one node");
            diagnostics.extend(last.forecast.diagnostics);
            Ok(Forecast {
                steps: last.forecast.steps,
                diagnostics,
            })
        }
        Model::Ets(config) => ets::forecast_ets(target, config, settings),
        Model::SeasonalNaive(config) => {
            seasonal_naive::forecast_seasonal_naive(target, config, settings)
        }
    }
}

pub(crate) fn check_chain(
    chain: &[&[f64]],
    settings: &ForecastSettings,
) -> Result<(), ForecastError> {
    let Some(target) = chain.last() else {
        return Err(ForecastError::EmptyChain);
    };
    if settings.horizon == 0 {
        return Err(ForecastError::ZeroHorizon);
    }
    for (node, series) in chain.iter().enumerate() {
        if series.len() != target.len() {
            return Err(ForecastError::MisalignedNodes {
                node,
                length: series.len(),
                expected: target.len(),
            });
        }
        if let Some(index) = series.iter().position(|v| !v.is_finite() || *v < 0.0) {
            return Err(ForecastError::NotACount { node, index });
        }
    }
    Ok(())
}
