//! Prediction intervals from the model's own past forecast errors.
//!
//! Method: the fitted model is run from every past origin `t` of the history, giving the
//! forecasts `ŷ(t, h)` of `y(t + h)`. For each horizon `h`, the errors on the log scale
//! `q = ln(1 + y(t + h)) − ln(1 + ŷ(t, h))` of the last `interval_window` origins form an
//! empirical distribution; the interval at level `1 − a` around a new forecast `ŷ` is
//! `[exp(ln(1 + ŷ) + Q(a/2)) − 1, exp(ln(1 + ŷ) + Q(1 − a/2)) − 1]`, with `Q` the empirical
//! quantile (linear interpolation, type 7 of Hyndman & Fan 1996).
//!
//! Assumptions: the errors of the coming periods are distributed like those of the recent
//! past (exchangeability within the window) and are proportional to the level of the series
//! (hence the log scale; `1 +` keeps zero counts finite). The errors are in-sample in the
//! sense that the parameters were fitted on the whole history, which makes the intervals
//! slightly too narrow; the backtest measures their real coverage.
//!
//! References: Hyndman & Athanasopoulos, *Forecasting: Principles and Practice* (3rd ed.,
//! 2021), §5.5 "Distributional forecasts and prediction intervals" (intervals from the
//! empirical distribution of forecast errors); Williams & Goodman (1971), "A simple method
//! for the construction of empirical confidence limits for economic forecasts", JASA 66.

use super::{Diagnostic, ForecastSettings, StepForecast};

/// The forecasts of a model from every origin of its history: `at(t, h)` is the forecast made
/// with data up to period `t` for period `t + h`. `NaN` where the model could not forecast
/// from that origin (too early in the history).
#[derive(Debug, Clone, PartialEq)]
pub struct InSample {
    horizon: usize,
    values: Vec<f64>,
}

impl InSample {
    pub fn new(length: usize, horizon: usize) -> InSample {
        InSample {
            horizon,
            values: vec![f64::NAN; length * horizon],
        }
    }

    pub fn horizon(&self) -> usize {
        self.horizon
    }

    pub fn origins(&self) -> usize {
        self.values.len() / self.horizon.max(1)
    }

    /// The forecast from origin `t` for `h` periods later (`h` from 1).
    pub fn at(&self, t: usize, h: usize) -> f64 {
        self.values[t * self.horizon + h - 1]
    }

    pub fn set(&mut self, t: usize, h: usize, value: f64) {
        self.values[t * self.horizon + h - 1] = value;
    }

    /// The forecasts from the last origin: the forecast of the future.
    pub fn last(&self) -> Vec<f64> {
        let t = self.origins() - 1;
        (1..=self.horizon).map(|h| self.at(t, h)).collect()
    }
}

/// Puts intervals around the forecasts from the last origin of `in_sample`, from the errors
/// of the earlier origins against `actual`.
pub fn with_intervals(
    actual: &[f64],
    in_sample: &InSample,
    settings: &ForecastSettings,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<StepForecast> {
    let n = actual.len();
    let mean = in_sample.last();
    (1..=settings.horizon)
        .map(|h| {
            let mut errors: Vec<f64> = (0..n.saturating_sub(h))
                .filter_map(|t| {
                    let forecast = in_sample.at(t, h);
                    forecast
                        .is_finite()
                        .then(|| (1.0 + actual[t + h]).ln() - (1.0 + forecast.max(0.0)).ln())
                })
                .collect();
            if errors.len() > settings.interval_window {
                errors.drain(..errors.len() - settings.interval_window);
            }
            if errors.len() < settings.interval_window.min(20) {
                diagnostics.push(Diagnostic::FewErrorsForIntervals {
                    horizon: h,
                    errors: errors.len(),
                });
            }
            errors.sort_by(f64::total_cmp);
            let point = mean[h - 1].max(0.0);
            let around = |p: f64| {
                let q = quantile(&errors, p);
                ((1.0 + point).ln() + q).exp() - 1.0
            };
            StepForecast {
                horizon: h,
                mean: point,
                lower80: around(0.10).max(0.0).min(point),
                upper80: around(0.90).max(point),
                lower95: around(0.025).max(0.0).min(point),
                upper95: around(0.975).max(point),
            }
        })
        .collect()
}

/// The empirical quantile of sorted values, type 7 of Hyndman & Fan (1996). With no values,
/// an interval as wide as a factor of e either side, rather than a false certainty.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => {
            if p < 0.5 {
                -1.0
            } else {
                1.0
            }
        }
        1 => sorted[0],
        n => {
            let position = p * (n - 1) as f64;
            let below = position.floor() as usize;
            let above = (below + 1).min(n - 1);
            let fraction = position - below as f64;
            sorted[below] + fraction * (sorted[above] - sorted[below])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_between_sorted_values() {
        let values = [0.0, 1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&values, 0.5), 2.0);
        assert!((quantile(&values, 0.1) - 0.4).abs() < 1e-12);
        assert_eq!(quantile(&values, 1.0), 4.0);
    }

    #[test]
    fn intervals_widen_with_the_spread_of_past_errors() {
        let actual: Vec<f64> = (0..40)
            .map(|t| 100.0 + if t % 2 == 0 { 20.0 } else { -20.0 })
            .collect();
        let mut in_sample = InSample::new(40, 1);
        for t in 0..40 {
            in_sample.set(t, 1, 100.0);
        }
        let settings = ForecastSettings::monthly(1);
        let mut diagnostics = Vec::new();
        let steps = with_intervals(&actual, &in_sample, &settings, &mut diagnostics);
        let step = steps[0];
        assert_eq!(step.mean, 100.0);
        assert!(step.lower80 < 85.0 && step.lower80 > 75.0, "{step:?}");
        assert!(step.upper80 > 115.0 && step.upper80 < 125.0, "{step:?}");
        assert!(step.lower95 <= step.lower80 && step.upper95 >= step.upper80);
        assert!(diagnostics.is_empty());
    }
}
