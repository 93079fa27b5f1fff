//! The corridor propagation model: arrivals at a node are the arrivals at the node before
//! it, delayed and thinned, plus a local component of the node's own.
//!
//! # Model
//!
//! For one nationality, let `x(t)` be the count at the node upstream and `y(t)` the count at
//! the node downstream in period `t`. Then
//!
//! ```text
//! y(t) = Σ_{l=0..L} w_l · x(t − l) + u(t) + ε(t),      w_l ≥ 0
//! u(t) = ℓ(t − 1) + ε'(t),  ℓ(t) = ℓ(t − 1) + α · e(t)    (local level, 0 < α ≤ 1)
//! ```
//!
//! * `c = Σ w_l` is the **continuation share** of the leg: the part of the upstream flow that
//!   is counted again downstream (the rest stay, claim asylum, are returned, take another
//!   route or are not counted). Counts are events, so repeat crossings can push it above 1.
//! * `w_l / c` is the **transit-time distribution**: the share of those who continue that
//!   are counted `l` periods later (lag 0 = the same period, which monthly counts need:
//!   Darién to Honduras takes days to two weeks).
//! * `u` is the **local component**: arrivals that did not pass the upstream node (people who
//!   fly to Nicaragua or Mexico, nationals of the node's neighbours), following a local level
//!   smoothed exponentially (simple exponential smoothing, Brown 1959).
//!
//! The first node of a chain has only its local component.
//!
//! # Estimation
//!
//! One-step errors are linear in the weights: with `E_α` the exponential-smoothing innovation
//! filter (`e(t) = z(t) − ℓ(t − 1)`, `ℓ(t) = ℓ(t − 1) + α·e(t)`), the model's one-step errors
//! are `E_α(y) − Σ w_l E_α(x(· − l))`. For each `α` on a grid (0.05 to 1 by 0.05) the
//! weights are fitted by non-negative, ridge-penalised least squares on the filtered series
//! ([`super::nnls`]), and the `α` with the smallest one-step sum of squares is kept: a
//! regression with an exponentially smoothed local level, or a transfer-function model with
//! a non-negative distributed-lag input (Box & Jenkins 1970, ch. 10; Almon 1965 for
//! distributed lags). With `α = 1` this is least squares on first differences, which is
//! what makes the weights robust to the slow changes of the local component.
//!
//! Non-negativity is what lets the model learn that a nationality does not follow a leg:
//! when the upstream series does not move the downstream one, the best non-negative weights
//! are zero (Cubans counted in Honduras do not come through Darién; they fly to Nicaragua).
//! The link must also earn its parameters: the fit with the upstream node is kept only if its
//! Akaike information criterion (Akaike 1974, "A new look at the statistical model
//! identification", IEEE TAC 19), `n·ln(SSE/n) + 2k` over the one-step errors, is lower than
//! that of the local component alone; a chance correlation between unrelated flows lowers
//! the one-step errors by a fraction of a percent and is dropped.
//! The ridge penalty (a small multiple of the mean diagonal of the cross-product matrix, so
//! scale-free) shrinks weights of collinear lags towards zero, and each weight is at most
//! [`PropagationConfig::max_weight`].
//!
//! # Forecasting
//!
//! From the last period `T`, `ŷ(T + h) = ℓ(T) + Σ w_l · x̃(T + h − l)` where `x̃` is the
//! observed upstream count up to `T` and the upstream node's own forecast after `T`. So the
//! nodes are forecast in order, upstream first: beyond the shortest transit lag, the
//! forecast of a node rests on the forecast of the node before it. Forecasts below zero are
//! set to zero. Prediction intervals come from the model's own past errors at each horizon,
//! on the log scale ([`super::interval`]); the past forecasts of a node are chained on the
//! past forecasts of its upstream node, so the intervals include the upstream uncertainty.
//!
//! # Assumptions
//!
//! The transit distribution and continuation share are constant over the fitted history
//! (a policy change on a leg breaks this; the intervals then widen as the errors grow);
//! the series of a chain count the same nationality, on the same periods, with the same
//! definitions over time; transit takes at most `L` periods.
//!
//! References: Box & Jenkins, *Time Series Analysis: Forecasting and Control* (1970),
//! transfer-function models; Hyndman & Athanasopoulos, *Forecasting: Principles and
//! Practice* (3rd ed., 2021), §10 "Dynamic regression models" and §8.1; Lawson & Hanson
//! (1974) for non-negative least squares; Hoerl & Kennard (1970) for ridge regression.

use serde::Serialize;

use super::interval::{with_intervals, InSample};
use super::nnls::bounded_ridge;
use super::{Diagnostic, Forecast, ForecastError, ForecastSettings};

/// Configuration of the propagation model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PropagationConfig {
    /// The longest transit time, in periods: lags `0..=max_lag` get a weight.
    pub max_lag: usize,
    /// Ridge penalty as a fraction of the mean diagonal of the cross-product matrix.
    pub ridge: f64,
    /// Upper bound of each lag weight.
    pub max_weight: f64,
}

impl PropagationConfig {
    /// Monthly counts: transit within the same month up to two months later.
    pub fn monthly() -> PropagationConfig {
        PropagationConfig {
            max_lag: 2,
            ridge: 0.01,
            max_weight: 1.0,
        }
    }

    /// Weekly counts: transit within the same week up to eight weeks later.
    pub fn weekly() -> PropagationConfig {
        PropagationConfig {
            max_lag: 8,
            ridge: 0.01,
            max_weight: 1.0,
        }
    }
}

impl Default for PropagationConfig {
    fn default() -> PropagationConfig {
        PropagationConfig::monthly()
    }
}

/// The fitted leg between node `from` and node `to = from + 1` of the chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LegFit {
    pub from: usize,
    pub to: usize,
    /// The sum of the lag weights: the part of the upstream flow counted again downstream.
    pub continuation: f64,
    /// The share of those who continue that are counted `l` periods later, for `l` from 0;
    /// all zero when the continuation is zero.
    pub transit: Vec<f64>,
    /// The lag weights themselves (`continuation × transit`).
    pub weights: Vec<f64>,
}

/// The forecast of one node and the smoothing of its local component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeForecast {
    pub forecast: Forecast,
    /// `α` of the local level: near 1 the local component follows the last counts closely,
    /// near 0 it is a long-run level.
    pub local_smoothing: f64,
}

/// Forecasts of every node of a chain and the fitted legs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorridorForecast {
    /// One per node, in the order given.
    pub nodes: Vec<NodeForecast>,
    /// One per pair of consecutive nodes.
    pub legs: Vec<LegFit>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Fits the propagation model along a chain of nodes for one nationality and forecasts every
/// node `settings.horizon` periods ahead.
///
/// `nodes` holds the counts of each node, ordered along the corridor (the first node is the
/// furthest upstream), all aligned on the same consecutive periods (monthly or weekly).
pub fn forecast_corridor(
    nodes: &[&[f64]],
    config: &PropagationConfig,
    settings: &ForecastSettings,
) -> Result<CorridorForecast, ForecastError> {
    super::check_chain(nodes, settings)?;
    let n = nodes[0].len();
    let needed = config.max_lag + 4;
    if n < needed {
        return Err(ForecastError::TooShort { length: n, needed });
    }
    let mut fits: Vec<NodeFit> = Vec::with_capacity(nodes.len());
    for (k, series) in nodes.iter().enumerate() {
        let upstream = (k > 0).then(|| (nodes[k - 1], &fits[k - 1].in_sample));
        let fit = fit_node(series, upstream, config, settings.horizon);
        fits.push(fit);
    }
    let mut diagnostics = Vec::new();
    let legs: Vec<LegFit> = fits
        .iter()
        .enumerate()
        .skip(1)
        .map(|(k, fit)| {
            let continuation: f64 = fit.weights.iter().sum();
            if continuation > 1.0 {
                diagnostics.push(Diagnostic::ContinuationAboveOne {
                    leg: k - 1,
                    continuation,
                });
            }
            let transit = fit
                .weights
                .iter()
                .map(|w| {
                    if continuation > 0.0 {
                        w / continuation
                    } else {
                        0.0
                    }
                })
                .collect();
            LegFit {
                from: k - 1,
                to: k,
                continuation,
                transit,
                weights: fit.weights.clone(),
            }
        })
        .collect();
    let nodes = fits
        .iter()
        .zip(nodes)
        .map(|(fit, series)| {
            let mut node_diagnostics = Vec::new();
            let steps = with_intervals(series, &fit.in_sample, settings, &mut node_diagnostics);
            NodeForecast {
                forecast: Forecast {
                    steps,
                    diagnostics: node_diagnostics,
                },
                local_smoothing: fit.alpha,
            }
        })
        .collect();
    Ok(CorridorForecast {
        nodes,
        legs,
        diagnostics,
    })
}

struct NodeFit {
    weights: Vec<f64>,
    alpha: f64,
    in_sample: InSample,
}

/// Fits one node given its upstream node's counts and past forecasts (none for the first).
fn fit_node(
    y: &[f64],
    upstream: Option<(&[f64], &InSample)>,
    config: &PropagationConfig,
    horizon: usize,
) -> NodeFit {
    let n = y.len();
    let lags = if upstream.is_some() {
        config.max_lag + 1
    } else {
        0
    };
    let start = lags.saturating_sub(1);
    let target = &y[start..];
    let lagged: Vec<Vec<f64>> = match upstream {
        Some((x, _)) => (0..lags)
            .map(|l| (start..n).map(|t| x[t - l]).collect())
            .collect(),
        None => Vec::new(),
    };
    let (linked_rss, mut alpha, mut weights) = best_fit(target, &lagged, config);
    if !lagged.is_empty() {
        // Keep the link only if it earns its parameters: Akaike's criterion of the linked
        // model against the local component alone. A chance correlation between two
        // unrelated flows lowers the one-step errors by a fraction of a percent; a real
        // link by tens of percent.
        let (alone_rss, alone_alpha, _) = best_fit(target, &[], config);
        let rows = (target.len() - 1) as f64;
        let linked_parameters = weights.iter().filter(|w| **w > 0.0).count() as f64;
        let criterion = |rss: f64, parameters: f64| {
            rows * (rss.max(f64::MIN_POSITIVE) / rows).ln() + 2.0 * (parameters + 1.0)
        };
        if criterion(alone_rss, 0.0) <= criterion(linked_rss, linked_parameters) {
            alpha = alone_alpha;
            weights = vec![0.0; lagged.len()];
        }
    }

    // The local component is what the upstream flow does not explain; its smoothed level
    // carries forward, and the upstream flow (observed, then forecast) is added to it.
    let mut in_sample = InSample::new(n, horizon);
    let mut level = f64::NAN;
    for t in start..n {
        let explained: f64 = match upstream {
            Some((x, _)) => weights.iter().enumerate().map(|(l, w)| w * x[t - l]).sum(),
            None => 0.0,
        };
        let local = y[t] - explained;
        level = if t == start {
            local
        } else {
            level + alpha * (local - level)
        };
        for h in 1..=horizon {
            let arriving: f64 = match upstream {
                Some((x, upstream_forecasts)) => weights
                    .iter()
                    .enumerate()
                    .map(|(l, w)| {
                        let s = t + h;
                        let value = if s - l <= t {
                            x[s - l]
                        } else {
                            upstream_forecasts.at(t, s - l - t)
                        };
                        w * value
                    })
                    .sum(),
                None => 0.0,
            };
            in_sample.set(t, h, (level + arriving).max(0.0));
        }
    }
    NodeFit {
        weights,
        alpha,
        in_sample,
    }
}

/// The best lag weights and smoothing parameter for one node: for each `α` on the grid the
/// bounded ridge fit of the filtered series, keeping the smallest one-step sum of squares.
fn best_fit(
    target: &[f64],
    lagged: &[Vec<f64>],
    config: &PropagationConfig,
) -> (f64, f64, Vec<f64>) {
    let filtered_target_of = |alpha| innovations(target, alpha);
    let mut best: Option<(f64, f64, Vec<f64>)> = None;
    for step in 1..=20 {
        let alpha = f64::from(step) * 0.05;
        let filtered: Vec<Vec<f64>> = lagged.iter().map(|z| innovations(z, alpha)).collect();
        let fit = bounded_ridge(
            &filtered_target_of(alpha),
            &filtered,
            config.ridge,
            config.max_weight,
        );
        if best
            .as_ref()
            .is_none_or(|(rss, _, _)| fit.residual_sum_of_squares < *rss)
        {
            best = Some((fit.residual_sum_of_squares, alpha, fit.coefficients));
        }
    }
    best.expect("the grid of smoothing parameters is not empty")
}

/// One-step errors of simple exponential smoothing of `z` started at `z[0]`, from the second
/// value on. Linear in `z`, which is what makes the lag weights a least-squares problem.
fn innovations(z: &[f64], alpha: f64) -> Vec<f64> {
    let mut level = z[0];
    z[1..]
        .iter()
        .map(|value| {
            let error = value - level;
            level += alpha * error;
            error
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smoothing_innovations_with_alpha_one_are_first_differences() {
        assert_eq!(innovations(&[1.0, 4.0, 2.0], 1.0), vec![3.0, -2.0]);
    }

    #[test]
    fn a_downstream_node_forecast_uses_the_upstream_flow_already_on_its_way() {
        // Everyone counted upstream is counted downstream exactly one period later.
        let upstream: Vec<f64> = (0..40)
            .map(|t| 100.0 + 50.0 * ((t * 7 % 11) as f64))
            .collect();
        let mut downstream = vec![0.0; 40];
        downstream[1..].copy_from_slice(&upstream[..39]);
        let result = forecast_corridor(
            &[&upstream, &downstream],
            &PropagationConfig::monthly(),
            &ForecastSettings::monthly(1),
        )
        .unwrap();
        let leg = &result.legs[0];
        assert!((leg.continuation - 1.0).abs() < 0.02, "{leg:?}");
        assert!(leg.transit[1] > 0.97, "{leg:?}");
        let next = result.nodes[1].forecast.steps[0].mean;
        assert!(
            (next - upstream[39]).abs() < 0.03 * upstream[39],
            "{next} vs {}",
            upstream[39]
        );
    }
}
