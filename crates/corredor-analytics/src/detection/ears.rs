//! EARS C1, C2 and C3 (Hutwagner et al. 2003), as R `surveillance::earsC`.
//!
//! Model: the count at `t` is compared with the mean `m` and standard deviation `s` of a
//! short baseline of `baseline` periods: immediately before `t` for C1, with a guard band of
//! two periods (`t - baseline - 2 .. t - 3`) for C2. The statistic `C = (y - m) / s` alarms
//! above the standard normal `1 - alpha` quantile, so the bound is `m + z s`. C3 sums
//! `max(0, C2 - 1)` over the two previous periods; like R, its bound is
//! `max(0, y + s (z - that sum))`.
//!
//! Assumptions: the baseline is short enough to be free of seasonality and trend and long
//! enough for its standard deviation to mean something; counts are roughly normal. EARS
//! needs no history beyond the baseline, which is why it suits new series.
//!
//! R's defaults are `alpha = 0.001` for C1 and C2 and `0.025` for C3 (when `alpha` is not
//! given), `baseline = 7`, `minSigma = 0`.

use std::ops::Range;

use super::threshold::standard_normal_quantile;
use super::{finite, Detection, Diagnostic, Series};

/// Which EARS statistic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EarsMethod {
    #[default]
    C1,
    C2,
    C3,
}

/// Settings of [`ears`]; `Default` is R's default for C1.
#[derive(Debug, Clone, PartialEq)]
pub struct EarsConfig {
    pub method: EarsMethod,
    /// Periods in the baseline (at least 3).
    pub baseline: usize,
    /// `None` means R's default for the method (0.001 for C1 and C2, 0.025 for C3).
    pub alpha: Option<f64>,
    /// Lower limit of the standard deviation.
    pub min_sigma: f64,
}

impl Default for EarsConfig {
    fn default() -> Self {
        EarsConfig {
            method: EarsMethod::C1,
            baseline: 7,
            alpha: None,
            min_sigma: 0.0,
        }
    }
}

impl EarsConfig {
    /// R's defaults for `method`.
    pub fn for_method(method: EarsMethod) -> EarsConfig {
        EarsConfig {
            method,
            ..EarsConfig::default()
        }
    }

    pub fn alpha(&self) -> f64 {
        self.alpha.unwrap_or(match self.method {
            EarsMethod::C1 | EarsMethod::C2 => 0.001,
            EarsMethod::C3 => 0.025,
        })
    }
}

/// Evaluates the periods `evaluate` with EARS.
pub fn ears(series: &Series<'_>, config: &EarsConfig, evaluate: Range<usize>) -> Vec<Detection> {
    let counts = series.counts();
    let z = standard_normal_quantile(1.0 - config.alpha());
    let baseline = config.baseline.max(3);
    let end = evaluate.end.min(series.len());
    (evaluate.start..end)
        .map(|t| evaluate_period(counts, config.method, baseline, config.min_sigma, z, t))
        .collect()
}

fn evaluate_period(
    counts: &[f64],
    method: EarsMethod,
    baseline: usize,
    min_sigma: f64,
    z: f64,
    t: usize,
) -> Detection {
    let y = counts[t];
    // The first period each method can evaluate (R's default range, 0-based).
    let first = match method {
        EarsMethod::C1 => baseline,
        EarsMethod::C2 => baseline + 2,
        EarsMethod::C3 => baseline + 4,
    };
    if t < first {
        return Detection::without_result(t, y, Diagnostic::TooShortHistory);
    }
    let (expected, upper, score) = match method {
        EarsMethod::C1 => {
            let (mean, sigma) = mean_and_sigma(&counts[t - baseline..t], min_sigma);
            let upper = mean + z * sigma;
            (mean, upper, (y - mean) / (upper - mean))
        }
        EarsMethod::C2 => {
            let (mean, sigma) = c2_baseline(counts, t, baseline, min_sigma);
            let upper = mean + z * sigma;
            (mean, upper, (y - mean) / (upper - mean))
        }
        EarsMethod::C3 => {
            let c2 = |s: usize| {
                let (mean, sigma) = c2_baseline(counts, s, baseline, min_sigma);
                (counts[s] - mean) / sigma
            };
            let lags = r_pmax0(c2(t - 2) - 1.0) + r_pmax0(c2(t - 1) - 1.0);
            let (mean, sigma) = c2_baseline(counts, t, baseline, min_sigma);
            let upper = r_pmax0(y + sigma * (z - lags));
            (mean, upper, lags / z)
        }
    };
    if upper.is_nan() {
        let diagnostic = if counts[t + 1 - first..=t].iter().any(|c| c.is_nan()) {
            Diagnostic::MissingCount
        } else {
            Diagnostic::NoFit
        };
        return Detection {
            expected: finite(expected),
            ..Detection::without_result(t, y, diagnostic)
        };
    }
    Detection {
        index: t,
        observed: y,
        expected: finite(expected),
        upper_bound: Some(upper),
        alarm: y > upper,
        score: finite(score),
        fit: None,
        diagnostic: None,
    }
}

/// Mean and standard deviation of the C2 baseline of `t`: `t - baseline - 2 .. t - 3`.
fn c2_baseline(counts: &[f64], t: usize, baseline: usize, min_sigma: f64) -> (f64, f64) {
    mean_and_sigma(&counts[t - baseline - 2..t - 2], min_sigma)
}

/// Mean and sample standard deviation (at least `min_sigma`, as R's `pmax`).
fn mean_and_sigma(values: &[f64], min_sigma: f64) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let sd = variance.sqrt();
    (mean, if sd.is_nan() { sd } else { sd.max(min_sigma) })
}

/// R's `pmax(0, x)`, which keeps `NaN` (Rust's `max` would turn it into 0).
fn r_pmax0(x: f64) -> f64 {
    if x.is_nan() {
        x
    } else {
        x.max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c1_bound_is_the_baseline_mean_plus_z_standard_deviations() {
        // Series 1 of the reference data, weeks 2022-W43 .. W51: R's earsC gives 56.924178.
        let counts = [21.0, 27.0, 15.0, 23.0, 24.0, 5.0, 37.0, 3.0, 17.0];
        let series = Series::indexed(&counts, 52);
        let detection = &ears(&series, &EarsConfig::default(), 8..9)[0];
        let upper = detection.upper_bound.unwrap();
        assert!((upper - 56.924178164781196).abs() < 1e-9, "{upper}");
        assert!(!detection.alarm);
    }

    #[test]
    fn the_first_periods_have_too_short_a_history() {
        let counts = [1.0; 20];
        let series = Series::indexed(&counts, 52);
        for (method, first) in [
            (EarsMethod::C1, 7),
            (EarsMethod::C2, 9),
            (EarsMethod::C3, 11),
        ] {
            let detections = ears(&series, &EarsConfig::for_method(method), 0..20);
            let short = detections
                .iter()
                .filter(|d| d.diagnostic == Some(Diagnostic::TooShortHistory))
                .count();
            assert_eq!(short, first, "{method:?}");
        }
    }
}
