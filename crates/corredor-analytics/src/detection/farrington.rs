//! The original Farrington method (Farrington et al. 1996), as R `surveillance::algo.farrington`.
//!
//! Model: the counts in windows of `2w + 1` periods around `t0 - frequency * j`,
//! `j = 1..b`, follow a quasi-Poisson log-linear model with an optional linear trend in
//! time. The fit is reweighted once (Anscombe residuals above 1 get weight `∝ s^-2`); the
//! trend is kept only when significant at 5 %, `b >= 3` and the predicted mean does not
//! exceed the largest baseline count. The bound is the two-sided `1 - alpha / 2` limit of a
//! normal approximation on the 2/3-power scale (which makes Poisson-like counts nearly
//! symmetric), with variance `phi mu0 + Var(mu0)`. An alarm needs the count to exceed the
//! bound and at least 5 cases in the last 4 periods (`limit54`).
//!
//! Assumptions as for Farrington Flexible; in addition only the windows are used, so the
//! method needs no assumption about the off-season. Reference periods are always
//! `t - frequency * j` (R without dates), also for a series on a calendar.

use std::ops::Range;

use super::flexible::{r_max_one, trend_p_value};
use super::glm::{assign_weights, QuasiPoisson};
use super::threshold::{farrington_bounds, standard_normal_quantile};
use super::{enough_cases, finite, Detection, Diagnostic, FitDetails, PowerTransformation, Series};

/// Settings of [`farrington`]; `Default` is R's default.
#[derive(Debug, Clone, PartialEq)]
pub struct FarringtonConfig {
    pub b: usize,
    pub w: usize,
    pub reweight: bool,
    pub alpha: f64,
    pub trend: bool,
    /// `(cases, periods)`, see [`super::FarringtonFlexibleConfig::limit54`].
    pub limit54: (f64, usize),
    pub power_transformation: PowerTransformation,
}

impl Default for FarringtonConfig {
    fn default() -> Self {
        FarringtonConfig {
            b: 5,
            w: 3,
            reweight: true,
            alpha: 0.05,
            trend: true,
            limit54: (5.0, 4),
            power_transformation: PowerTransformation::TwoThirds,
        }
    }
}

/// Evaluates the periods `evaluate` with the original Farrington method.
pub fn farrington(
    series: &Series<'_>,
    config: &FarringtonConfig,
    evaluate: Range<usize>,
) -> Vec<Detection> {
    let mut model = QuasiPoisson::default();
    let mut residuals = Vec::new();
    let mut weights = Vec::new();
    let end = evaluate.end.min(series.len());
    (evaluate.start..end)
        .map(|k| evaluate_period(series, config, k, &mut model, &mut residuals, &mut weights))
        .collect()
}

fn evaluate_period(
    series: &Series<'_>,
    config: &FarringtonConfig,
    k: usize,
    model: &mut QuasiPoisson,
    residuals: &mut Vec<f64>,
    weights: &mut Vec<f64>,
) -> Detection {
    let counts = series.counts();
    let y = counts[k];
    let frequency = series.frequency() as i64;
    let (b, w) = (config.b as i64, config.w as i64);
    let k_signed = k as i64;
    model.clear();
    // R (1-based) keeps reference indices above 0; time is the 1-based index, centred here
    // on the prediction.
    for j in (1..=b).rev() {
        for index in (k_signed - frequency * j - w)..=(k_signed - frequency * j + w) {
            if index >= 0 && !counts[index as usize].is_nan() {
                model.push(counts[index as usize], (index - k_signed) as f64, 0);
            }
        }
    }
    if model.len() < 3 {
        return Detection::without_result(k, y, Diagnostic::TooShortHistory);
    }
    let Some(mut phi) = fit_fast(model, config, config.trend, residuals, weights) else {
        return Detection::without_result(k, y, Diagnostic::NoFit);
    };
    let mut kept_trend = None;
    if model.has_trend() {
        let (eta0, _) = model.predict_link(0);
        let significant = trend_p_value(model, model.dispersion()).is_some_and(|p| p < 0.05);
        let largest = model
            .response()
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        let no_extrapolation = eta0.exp().max(f64::EPSILON) <= largest;
        if config.b >= 3 && significant && no_extrapolation {
            kept_trend = model.trend_coefficient().map(|(beta, _)| beta);
        } else {
            let Some(refitted) = fit_fast(model, config, false, residuals, weights) else {
                return Detection::without_result(k, y, Diagnostic::NoFit);
            };
            phi = refitted;
        }
    }
    // predict.glm(type = "response", dispersion = phi): delta method on the count scale.
    let (eta0, variance) = model.predict_link(0);
    let mu0 = eta0.exp().max(f64::EPSILON);
    let se_mu0 = (phi * variance).sqrt() * mu0;
    let quantile = standard_normal_quantile(1.0 - config.alpha / 2.0);
    let bounds = farrington_bounds(mu0, se_mu0, phi, config.power_transformation, quantile, y);
    let (cases, periods) = config.limit54;
    let enough = enough_cases(counts, k, cases, periods);
    let score = finite(bounds.score);
    // R: X = (y - mu0) / (U - mu0) when there are enough cases, else 0; alarm X > 1.
    let alarm = enough && score.is_some_and(|s| s > 1.0);
    Detection {
        index: k,
        observed: y,
        expected: Some(mu0),
        // R's algo.farrington writes a bound of 0 where there are too few cases.
        upper_bound: if enough {
            finite(bounds.upper)
        } else {
            Some(0.0)
        },
        alarm,
        score: if enough { score } else { None },
        fit: Some(FitDetails {
            mu0,
            phi,
            trend: kept_trend,
            p_value: bounds.probability,
        }),
        diagnostic: (!enough).then_some(Diagnostic::TooFewCases),
    }
}

/// `algo.farrington.fitGLM.fast`: fit (without trend if it does not converge with it),
/// reweight with threshold 1, refit. Returns `phi`.
fn fit_fast(
    model: &mut QuasiPoisson,
    config: &FarringtonConfig,
    trend: bool,
    residuals: &mut Vec<f64>,
    weights: &mut Vec<f64>,
) -> Option<f64> {
    model.unit_weights();
    let mut with_trend = trend;
    if !model.fit(trend) && trend {
        with_trend = false;
        model.fit(false);
    }
    // R goes on with an unconverged fit here; only a fit with no estimate at all stops us.
    let mut phi = r_max_one(model.dispersion());
    if phi.is_nan() {
        return None;
    }
    if config.reweight {
        model.anscombe_residuals(phi, residuals);
        assign_weights(residuals, 1.0, weights);
        let prior = model.prior_weights_mut();
        prior.clear();
        prior.extend_from_slice(weights);
        model.fit(with_trend);
        phi = r_max_one(model.dispersion());
    }
    Some(phi)
}
