//! Exponential smoothing: Holt's additive damped trend with optional additive seasonality
//! (Holt-Winters), ETS(A,Ad,A) or ETS(A,Ad,N) in the taxonomy of Hyndman et al. (2008).
//!
//! Model (error-correction form, one-step error `e(t) = y(t) − ŷ(t | t − 1)`):
//!
//! ```text
//! ŷ(t | t−1) = ℓ(t−1) + φ·b(t−1) + s(t−m)
//! ℓ(t) = ℓ(t−1) + φ·b(t−1) + α·e(t)
//! b(t) = φ·b(t−1) + β·e(t)
//! s(t) = s(t−m) + γ·e(t)
//! ŷ(T + h | T) = ℓ(T) + (φ + φ² + … + φʰ)·b(T) + s(T + h − m·(⌊(h−1)/m⌋ + 1))
//! ```
//!
//! Parameters: `0 < α ≤ 1`, `0 ≤ β ≤ α`, `0 ≤ γ ≤ 1 − α`, `0.8 ≤ φ ≤ 0.98` (the usual
//! admissible region and damping range of Hyndman & Khandakar 2008), fitted by minimising
//! the sum of squared one-step errors with Nelder & Mead's simplex (1965) on a logistic
//! reparametrisation that keeps them in range. The initial states come from the first two
//! seasons (level: mean of the first season; trend: difference of the two seasonal means
//! over `m`; seasonal terms: deviations of the first season from its mean), as in Hyndman &
//! Athanasopoulos, *Forecasting: Principles and Practice* (3rd ed., 2021), ch. 8.
//!
//! Assumptions: errors are additive and homoscedastic on the count scale for the point
//! forecast (the intervals are built on the log scale, see [`super::interval`]); trends
//! fade (damping) rather than run on, which suits surges that end. Forecasts below zero are
//! set to zero.
//!
//! Reference: Hyndman, Koehler, Ord & Snyder, *Forecasting with Exponential Smoothing: the
//! State Space Approach* (Springer, 2008); Gardner & McKenzie (1985), "Forecasting trends in
//! time series", Management Science 31 (damped trend).

use super::interval::{with_intervals, InSample};
use super::{Diagnostic, Forecast, ForecastError, ForecastSettings};

/// The trend of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    /// Level only (simple exponential smoothing when there is no seasonality).
    None,
    /// Additive trend damped by `φ`.
    AdditiveDamped,
}

/// The seasonal component of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seasonality {
    None,
    /// Additive seasonal terms, one per period of the season. Dropped (with a diagnostic)
    /// when the series is shorter than two seasons.
    Additive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EtsConfig {
    pub trend: Trend,
    pub seasonality: Seasonality,
}

impl Default for EtsConfig {
    fn default() -> EtsConfig {
        EtsConfig {
            trend: Trend::AdditiveDamped,
            seasonality: Seasonality::Additive,
        }
    }
}

/// Fitted smoothing parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EtsParameters {
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    pub phi: f64,
}

pub fn forecast_ets(
    series: &[f64],
    config: &EtsConfig,
    settings: &ForecastSettings,
) -> Result<Forecast, ForecastError> {
    super::check_chain(&[series], settings)?;
    let n = series.len();
    if n < 4 {
        return Err(ForecastError::TooShort {
            length: n,
            needed: 4,
        });
    }
    let mut diagnostics = Vec::new();
    let mut season = match config.seasonality {
        Seasonality::Additive => settings.season_length,
        Seasonality::None => 0,
    };
    if season == 1 {
        season = 0;
    }
    if season > 0 && n < 2 * season + 2 {
        diagnostics.push(Diagnostic::SeasonalityDropped {
            length: n,
            season_length: season,
        });
        season = 0;
    }
    let shape = Shape {
        damped: config.trend == Trend::AdditiveDamped,
        season,
    };
    let parameters = fit(series, shape);
    let in_sample = run(series, shape, parameters, settings.horizon).1;
    let steps = with_intervals(series, &in_sample, settings, &mut diagnostics);
    Ok(Forecast { steps, diagnostics })
}

#[derive(Debug, Clone, Copy)]
struct Shape {
    damped: bool,
    season: usize,
}

/// Maps unconstrained coordinates to admissible parameters.
fn parameters_of(x: &[f64; 4], shape: Shape) -> EtsParameters {
    let logistic = |v: f64| 1.0 / (1.0 + (-v).exp());
    let alpha = 0.0001 + 0.9999 * logistic(x[0]);
    EtsParameters {
        alpha,
        beta: if shape.damped {
            alpha * logistic(x[1])
        } else {
            0.0
        },
        gamma: if shape.season > 0 {
            (1.0 - alpha) * logistic(x[2])
        } else {
            0.0
        },
        phi: if shape.damped {
            0.8 + 0.18 * logistic(x[3])
        } else {
            0.0
        },
    }
}

fn fit(series: &[f64], shape: Shape) -> EtsParameters {
    let objective = |x: &[f64; 4]| run(series, shape, parameters_of(x, shape), 0).0;
    // Start from α ≈ 0.5, β ≈ 0.1·α, γ ≈ 0.1·(1 − α), φ ≈ 0.9, and from a fast level:
    // the better of two restarts guards against the simplex stalling in a flat region.
    let starts = [[0.0, -2.2, -2.2, 0.0], [2.0, -1.0, -2.2, 1.0]];
    let best = starts
        .iter()
        .map(|start| nelder_mead(&objective, *start))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .expect("there are two starting points");
    parameters_of(&best.0, shape)
}

/// Runs the filter; returns the one-step sum of squared errors and, when `horizon > 0`, the
/// forecasts from every origin.
fn run(series: &[f64], shape: Shape, p: EtsParameters, horizon: usize) -> (f64, InSample) {
    let n = series.len();
    let m = shape.season;
    let (mut level, mut trend, mut seasonal, start) = if m > 0 {
        let first = series[..m].iter().sum::<f64>() / m as f64;
        let second = series[m..2 * m].iter().sum::<f64>() / m as f64;
        let seasonal: Vec<f64> = series[..m].iter().map(|y| y - first).collect();
        // The states describe the end of the first season.
        (
            first + (m as f64 - 1.0) / 2.0 * (second - first) / m as f64,
            (second - first) / m as f64,
            seasonal,
            m,
        )
    } else {
        (series[0], series[1] - series[0], Vec::new(), 1)
    };
    if !shape.damped {
        trend = 0.0;
    }
    let phi = if shape.damped { p.phi } else { 0.0 };
    let mut sse = 0.0;
    let mut in_sample = InSample::new(n, horizon.max(1));
    // seasonal[i] is the term for periods t with t % m == i.
    for t in start..n {
        let s = if m > 0 { seasonal[t % m] } else { 0.0 };
        let predicted = level + phi * trend + s;
        let error = series[t] - predicted;
        sse += error * error;
        let previous_level = level;
        level = previous_level + phi * trend + p.alpha * error;
        trend = phi * trend + p.beta * error;
        if m > 0 {
            seasonal[t % m] = s + p.gamma * error;
        }
        if horizon > 0 {
            let mut damping = 0.0;
            let mut power = 1.0;
            for h in 1..=horizon {
                power *= phi;
                damping += power;
                let s = if m > 0 { seasonal[(t + h) % m] } else { 0.0 };
                in_sample.set(t, h, (level + damping * trend + s).max(0.0));
            }
        }
    }
    if !sse.is_finite() {
        sse = f64::MAX;
    }
    (sse, in_sample)
}

/// Nelder-Mead simplex minimisation (Nelder & Mead 1965, with the standard coefficients
/// 1, 2, ½, ½) over four coordinates; returns the best point and its value.
fn nelder_mead(f: &impl Fn(&[f64; 4]) -> f64, start: [f64; 4]) -> ([f64; 4], f64) {
    let mut simplex: Vec<([f64; 4], f64)> = (0..5)
        .map(|i| {
            let mut x = start;
            if i > 0 {
                x[i - 1] += 1.0;
            }
            (x, f(&x))
        })
        .collect();
    for _ in 0..300 {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (simplex[0].1, simplex[4].1);
        if (worst - best).abs() <= 1e-9 * (best.abs() + 1e-12) {
            break;
        }
        let mut centroid = [0.0; 4];
        for (x, _) in &simplex[..4] {
            for k in 0..4 {
                centroid[k] += x[k] / 4.0;
            }
        }
        let along = |t: f64| {
            let mut x = [0.0; 4];
            for k in 0..4 {
                x[k] = centroid[k] + t * (simplex[4].0[k] - centroid[k]);
            }
            x
        };
        let reflected = along(-1.0);
        let fr = f(&reflected);
        if fr < simplex[0].1 {
            let expanded = along(-2.0);
            let fe = f(&expanded);
            simplex[4] = if fe < fr {
                (expanded, fe)
            } else {
                (reflected, fr)
            };
        } else if fr < simplex[3].1 {
            simplex[4] = (reflected, fr);
        } else {
            let contracted = if fr < simplex[4].1 {
                along(-0.5)
            } else {
                along(0.5)
            };
            let fc = f(&contracted);
            if fc < simplex[4].1.min(fr) {
                simplex[4] = (contracted, fc);
            } else {
                let best = simplex[0].0;
                for vertex in simplex.iter_mut().skip(1) {
                    for (coordinate, best) in vertex.0.iter_mut().zip(best) {
                        *coordinate = best + 0.5 * (*coordinate - best);
                    }
                    vertex.1 = f(&vertex.0);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn means(series: &[f64], config: EtsConfig, horizon: usize) -> Vec<f64> {
        forecast_ets(series, &config, &ForecastSettings::monthly(horizon))
            .unwrap()
            .steps
            .iter()
            .map(|s| s.mean)
            .collect()
    }

    #[test]
    fn a_straight_line_is_continued_with_a_damped_slope() {
        let series: Vec<f64> = (0..30).map(|t| 100.0 + 10.0 * t as f64).collect();
        let config = EtsConfig {
            trend: Trend::AdditiveDamped,
            seasonality: Seasonality::None,
        };
        let forecast = means(&series, config, 3);
        assert!(forecast[0] > 390.0 && forecast[0] < 400.5, "{forecast:?}");
        assert!(forecast[2] > forecast[1] && forecast[1] > forecast[0]);
        assert!(
            forecast[2] < 420.5,
            "damping keeps it at or below the line: {forecast:?}"
        );
    }

    #[test]
    fn a_seasonal_pattern_is_repeated() {
        let shape = [
            10.0, 20.0, 50.0, 80.0, 60.0, 40.0, 30.0, 20.0, 15.0, 10.0, 10.0, 10.0,
        ];
        let series: Vec<f64> = (0..48).map(|t| 500.0 + shape[t % 12]).collect();
        let forecast = means(&series, EtsConfig::default(), 12);
        for (h, value) in forecast.iter().enumerate() {
            assert!(
                (value - (500.0 + shape[(48 + h) % 12])).abs() < 2.0,
                "{forecast:?}"
            );
        }
    }

    #[test]
    fn a_short_series_drops_seasonality_and_says_so() {
        let series: Vec<f64> = (0..15).map(|t| t as f64).collect();
        let forecast = forecast_ets(
            &series,
            &EtsConfig::default(),
            &ForecastSettings::monthly(2),
        )
        .unwrap();
        assert!(forecast
            .diagnostics
            .iter()
            .any(|d| matches!(d, Diagnostic::SeasonalityDropped { .. })));
    }
}
