//! Farrington Flexible (Noufaily et al. 2013), as R `surveillance::farringtonFlexible`.
//!
//! Model: for the period `t0` under evaluation, the counts of `b` past years around the
//! same time of year (windows of `2w + 1` periods around `t0 - 1 year`, `t0 - 2 years`, …)
//! follow a quasi-Poisson log-linear model with an optional linear time trend. With
//! `no_periods > 1` every period of those `b` years enters the model and a seasonal factor
//! with `no_periods` levels separates the windows (one level) from the stretches between
//! them (the others), so that more data is used without assuming the off-season looks like
//! the season. The `past_weeks_not_included` most recent periods are left out so that a
//! current surge does not raise its own bound.
//!
//! Steps (each as R does them): fit; if it does not converge with the trend, refit without;
//! dispersion `phi = max(Pearson dispersion, 1)`; reweighting: observations whose Anscombe
//! residual (scaled by `sqrt(phi (1 - h))`) exceeds `weights_threshold` get weight
//! `∝ s^-2`, the fit is repeated; the trend is kept only if its t-test p-value is below
//! `p_threshold_trend`, `b >= 3` and the predicted mean does not exceed the largest
//! baseline count, otherwise the whole fit is repeated without trend. The bound is the
//! `1 - alpha` quantile of a negative binomial with mean `mu0` and variance `phi mu0`
//! (`NbPlugin`), the same with `mu0` at its upper confidence limit (`Muan`), or the
//! 2/3-power normal approximation of the original method (`Delta`). An alarm needs a score
//! above 1, a count above 0, and (`limit54`) at least 5 cases in the last 4 periods.
//!
//! Assumptions: counts are independent given the mean, overdispersion is constant over the
//! baseline, the seasonal pattern repeats yearly, and past outbreaks are rare enough for the
//! reweighting to discount them.
//!
//! Reference periods: on a calendar, one calendar year back per `b` (snapped to the same
//! weekday for weeks), exactly as R with dates; so for weeks the reference period is 52 or
//! 53 weeks back depending on the year. Without a calendar, `t - frequency * j`.

use std::ops::Range;

use chrono::{Datelike, NaiveDate};
use statrs::function::beta::beta_reg;

use super::glm::{assign_weights, QuasiPoisson, SeriesTerms};
use super::threshold::{farrington_bounds, noufaily_upper, standard_normal_quantile};
use super::{enough_cases, finite, Detection, Diagnostic, FitDetails, PowerTransformation, Series};

/// How the upper bound is computed from the fitted model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThresholdMethod {
    /// 2/3-power normal approximation around the predicted mean (R's `"delta"`, its default).
    #[default]
    Delta,
    /// Negative-binomial quantile around the predicted mean (`"nbPlugin"`, Noufaily et al.).
    NbPlugin,
    /// Negative-binomial quantile around the upper confidence limit of the mean (`"muan"`).
    Muan,
}

/// Settings of [`farrington_flexible`]. `Default` is R's default; [`Self::noufaily`] the
/// improved settings recommended by Noufaily et al. (2013).
#[derive(Debug, Clone, PartialEq)]
pub struct FarringtonFlexibleConfig {
    /// Number of past years in the baseline.
    pub b: usize,
    /// Half-width of the window around each reference period.
    pub w: usize,
    pub reweight: bool,
    pub weights_threshold: f64,
    pub alpha: f64,
    pub trend: bool,
    pub p_threshold_trend: f64,
    /// `(cases, periods)`: no bound unless at least `cases` were counted in the last
    /// `periods` periods.
    pub limit54: (f64, usize),
    /// Power transformation of the `Delta` method.
    pub power_transformation: PowerTransformation,
    /// Levels of the seasonal factor; 1 uses only the windows.
    pub no_periods: usize,
    /// Most recent periods left out of the baseline; `None` means `w`.
    pub past_weeks_not_included: Option<usize>,
    pub threshold_method: ThresholdMethod,
}

impl Default for FarringtonFlexibleConfig {
    fn default() -> Self {
        FarringtonFlexibleConfig {
            b: 5,
            w: 3,
            reweight: true,
            weights_threshold: 2.58,
            alpha: 0.05,
            trend: true,
            p_threshold_trend: 0.05,
            limit54: (5.0, 4),
            power_transformation: PowerTransformation::TwoThirds,
            no_periods: 1,
            past_weeks_not_included: None,
            threshold_method: ThresholdMethod::Delta,
        }
    }
}

impl FarringtonFlexibleConfig {
    /// The improved settings of Noufaily et al. (2013): 10 seasonal periods, the last 26
    /// weeks left out, negative-binomial bound.
    pub fn noufaily() -> Self {
        FarringtonFlexibleConfig {
            no_periods: 10,
            past_weeks_not_included: Some(26),
            threshold_method: ThresholdMethod::NbPlugin,
            ..FarringtonFlexibleConfig::default()
        }
    }

    fn past_weeks_not_included(&self) -> usize {
        self.past_weeks_not_included.unwrap_or(self.w)
    }
}

/// Evaluates the periods `evaluate` (indices into the series; out-of-range ones are
/// skipped) with Farrington Flexible.
pub fn farrington_flexible(
    series: &Series<'_>,
    config: &FarringtonFlexibleConfig,
    evaluate: Range<usize>,
) -> Vec<Detection> {
    let mut workspace = Workspace {
        trend_test: TrendTest::new(config.p_threshold_trend),
        ..Workspace::default()
    };
    // Powers and logarithms of the counts, once per series rather than once per fit.
    workspace.count_terms.fill(series.counts());
    let mut missing = 0;
    workspace.missing_before.push(0);
    for count in series.counts() {
        missing += usize::from(count.is_nan());
        workspace.missing_before.push(missing);
    }
    let end = evaluate.end.min(series.len());
    (evaluate.start..end)
        .map(|k| evaluate_period(series, config, k, &mut workspace))
        .collect()
}

/// Buffers reused from period to period, so that a series costs a handful of allocations.
#[derive(Default)]
struct Workspace {
    model: QuasiPoisson,
    blocks: Vec<usize>,
    /// The baseline periods with a count, as segments of consecutive periods in one block.
    segments: Vec<Segment>,
    residuals: Vec<f64>,
    /// Dense level of each block value.
    level_of_block: Vec<usize>,
    /// Functions of each count of the series, computed once for all evaluated periods.
    count_terms: SeriesTerms,
    /// Number of missing counts before each period (and before the end).
    missing_before: Vec<usize>,
    /// The layout of the last baseline put in the model, when the next period can slide
    /// it.
    layout: Option<Layout>,
    trend_test: TrendTest,
}

/// Where a baseline without missing counts lies relative to its period `k`.
///
/// From one week to the next, the reference periods usually move by exactly one period
/// (all but the weeks where a 53-week year enters or leaves the baseline), and then so does
/// everything built from them: blocks, levels, segments, and the times of the model,
/// measured from the period. The next period then slides the baseline instead of building
/// it again: the segments move by one and the model takes the new counts, keeping its
/// times, levels and runs.
#[derive(Debug, Clone)]
struct Layout {
    k: usize,
    /// The reference periods less `k`.
    offsets: Vec<i64>,
    prediction_level: usize,
}

impl Layout {
    /// Whether period `k` with these reference periods has the same layout one period on.
    fn continues(&self, k: usize, references: &[i64]) -> bool {
        self.k + 1 == k
            && self.offsets.len() == references.len()
            && self
                .offsets
                .iter()
                .zip(references)
                .all(|(offset, reference)| reference - k as i64 == *offset)
    }
}

/// Periods `start..end` of the series, all in the baseline block `block`.
#[derive(Debug, Clone, Copy)]
struct Segment {
    start: usize,
    end: usize,
    block: usize,
}

fn evaluate_period(
    series: &Series<'_>,
    config: &FarringtonFlexibleConfig,
    k: usize,
    ws: &mut Workspace,
) -> Detection {
    let counts = series.counts();
    let observed = counts[k];
    let Some(references) = reference_indices(series, config.b, k) else {
        return Detection::without_result(k, observed, Diagnostic::TooShortHistory);
    };
    if config.b == 0 || references[config.b] < config.w as i64 || k < config.w {
        return Detection::without_result(k, observed, Diagnostic::TooShortHistory);
    }
    let low = references[config.b] as usize - config.w;
    let complete = ws.missing_before[k + 1] == ws.missing_before[low];
    let prediction_level = match ws.layout.as_mut() {
        Some(layout) if complete && layout.continues(k, &references) => {
            layout.k = k;
            for segment in &mut ws.segments {
                segment.start += 1;
                segment.end += 1;
            }
            ws.model.reload_counts(
                &ws.count_terms,
                ws.segments.iter().map(|segment| segment.start..segment.end),
            );
            layout.prediction_level
        }
        _ => {
            ws.layout = None;
            match lay_out_baseline(series, config, k, low, &references, ws) {
                Ok(layout) => {
                    let prediction_level = layout.prediction_level;
                    // Only a baseline without missing counts, on times that count periods,
                    // keeps its layout from one period to the next.
                    if complete
                        && TimeAxis::new(series).counts_periods()
                        && k >= config.past_weeks_not_included()
                    {
                        ws.layout = Some(layout);
                    }
                    prediction_level
                }
                Err(diagnostic) => return Detection::without_result(k, observed, diagnostic),
            }
        }
    };

    let Some(fitted) = fit_with_trend_rules(config, ws, prediction_level) else {
        return Detection::without_result(k, observed, Diagnostic::NoFit);
    };
    result(series, config, k, fitted)
}

/// Builds the baseline of period `k` (from `low`) and puts it in the model: blocks, the
/// periods left out, segments, dense levels and times. Returns its layout, or why there is
/// no baseline.
fn lay_out_baseline(
    series: &Series<'_>,
    config: &FarringtonFlexibleConfig,
    k: usize,
    low: usize,
    references: &[i64],
    ws: &mut Workspace,
) -> Result<Layout, Diagnostic> {
    let counts = series.counts();
    if !build_blocks(references, config, k, low, &mut ws.blocks) {
        return Err(Diagnostic::NoFit);
    }
    // The most recent periods stay out of the baseline.
    let excluded_from = k.saturating_sub(config.past_weeks_not_included());
    for index in excluded_from.max(low)..=k {
        ws.blocks[index - low] = 0;
    }
    // One scan of the baseline: its first period, and its periods with a count as
    // segments (a missing count or a change of block ends one).
    ws.segments.clear();
    let mut first_block = None;
    for (i, (&block, count)) in (low..=k).zip(ws.blocks.iter().zip(&counts[low..=k])) {
        if block == 0 {
            continue;
        }
        first_block.get_or_insert(i);
        if count.is_nan() {
            continue;
        }
        match ws.segments.last_mut() {
            Some(segment) if segment.block == block && segment.end == i => segment.end = i + 1,
            _ => ws.segments.push(Segment {
                start: i,
                end: i + 1,
                block,
            }),
        }
    }
    let Some(first_block) = first_block else {
        return Err(Diagnostic::TooShortHistory);
    };
    let Some(first_kept) = ws.segments.first().map(|segment| segment.start) else {
        return Err(Diagnostic::MissingCount);
    };

    // Dense seasonal levels in increasing block order: the smallest present is R's
    // reference level.
    ws.level_of_block.clear();
    ws.level_of_block
        .resize(config.no_periods.max(1) + 1, usize::MAX);
    for segment in &ws.segments {
        ws.level_of_block[segment.block] = 0;
    }
    let mut next = 0;
    for slot in ws.level_of_block.iter_mut() {
        if *slot == 0 {
            *slot = next;
            next += 1;
        }
    }
    let prediction_level = ws.level_of_block[config.no_periods.max(1)];
    let prediction_level = if prediction_level == usize::MAX {
        0
    } else {
        prediction_level
    };

    // Time as R measures it: with dates, in periods since the first baseline period (for
    // the prediction: since the first baseline period with a count); without, the 1-based
    // index. Centred on the prediction, which leaves the fit unchanged.
    let time = TimeAxis::new(series);
    let t0 = time.at(k, first_kept);
    ws.model.clear();
    match time.index_origin(k, first_block, first_kept) {
        // Time is the period index less a constant: whole, exactly as below.
        Some(origin) => {
            for segment in &ws.segments {
                let level = ws.level_of_block[segment.block];
                ws.model.push_run(
                    &ws.count_terms,
                    segment.start..segment.end,
                    segment.start as i64 - origin,
                    level,
                );
            }
        }
        None => {
            for segment in &ws.segments {
                let level = ws.level_of_block[segment.block];
                for i in segment.start..segment.end {
                    ws.model
                        .push_with(ws.count_terms.get(i), time.at(i, first_block) - t0, level);
                }
            }
        }
    }
    Ok(Layout {
        k,
        offsets: references.iter().map(|&r| r - k as i64).collect(),
        prediction_level,
    })
}

struct Fitted {
    eta0: f64,
    se_eta0: f64,
    phi: f64,
    trend: Option<f64>,
}

/// `algo.farrington.glm`: fit, then keep the trend only when it is significant, `b >= 3`
/// and the prediction does not extrapolate beyond the largest baseline count.
fn fit_with_trend_rules(
    config: &FarringtonFlexibleConfig,
    ws: &mut Workspace,
    prediction_level: usize,
) -> Option<Fitted> {
    let mut phi = fit_flexible(config, ws, config.trend)?;
    let mut keep_trend = false;
    if ws.model.has_trend() {
        let (eta0, _) = ws.model.predict_link(prediction_level);
        let largest = ws
            .model
            .response()
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        let no_extrapolation = eta0.exp().max(f64::EPSILON) <= largest;
        // The t-test last: it is the dearest of the three conditions.
        keep_trend = config.b >= 3
            && no_extrapolation
            && ws
                .trend_test
                .significant(&ws.model, summary_dispersion(config, &ws.model));
        if !keep_trend {
            phi = fit_flexible(config, ws, false)?;
        }
    }
    let (eta0, variance) = ws.model.predict_link(prediction_level);
    // R passes `dispersion` inside `newdata`, so predict.glm falls back to the dispersion
    // of `summary` (not phi) for the standard error.
    let se_eta0 = (summary_dispersion(config, &ws.model) * variance).sqrt();
    let trend = if keep_trend {
        ws.model.trend_coefficient().map(|(beta, _)| beta)
    } else {
        None
    };
    Some(Fitted {
        eta0,
        se_eta0,
        phi,
        trend,
    })
}

/// `algo.farrington.fitGLM.flexible`: returns `phi`, or `None` when no fit converged.
fn fit_flexible(config: &FarringtonFlexibleConfig, ws: &mut Workspace, trend: bool) -> Option<f64> {
    ws.model.unit_weights();
    let mut with_trend = trend;
    if !ws.model.fit(trend) {
        if !trend {
            return None;
        }
        with_trend = false;
        if !ws.model.fit(false) {
            return None;
        }
    }
    let mut phi = r_max_one(ws.model.dispersion());
    if config.reweight {
        ws.model.anscombe_residuals(phi, &mut ws.residuals);
        // Straight into the model's prior weights (assign_weights replaces them all).
        assign_weights(
            &ws.residuals,
            config.weights_threshold,
            ws.model.prior_weights_mut(),
        );
        // R does not check the convergence of the reweighted fit.
        ws.model.fit(with_trend);
        phi = r_max_one(ws.model.dispersion());
    }
    Some(phi)
}

/// The dispersion `summary.glm` finds on the model R's `fitGLM.flexible` returns (see
/// [`QuasiPoisson::dispersion_with_prior_weights`]).
fn summary_dispersion(config: &FarringtonFlexibleConfig, model: &QuasiPoisson) -> f64 {
    if config.reweight {
        model.dispersion_with_prior_weights()
    } else {
        model.dispersion()
    }
}

/// R's `max(x, 1)`, which is `NaN` for `NaN`.
pub(crate) fn r_max_one(x: f64) -> f64 {
    if x.is_nan() {
        x
    } else {
        x.max(1.0)
    }
}

/// Two-sided t-test p-value of the trend coefficient with the given dispersion, as
/// `summary.glm` gives it for a quasi family.
pub(crate) fn trend_p_value(model: &QuasiPoisson, dispersion: f64) -> Option<f64> {
    let (beta, variance) = model.trend_coefficient()?;
    let df = model.df_residual() as f64;
    if df <= 0.0 {
        return None;
    }
    let t = beta / (dispersion * variance).sqrt();
    if t.is_nan() {
        return None;
    }
    if t.is_infinite() {
        return Some(0.0);
    }
    // P(|T| > |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2).
    Some(beta_reg(df / 2.0, 0.5, df / (df + t * t)))
}

/// The t-test of the trend coefficient (`p < threshold` with the p-value of
/// [`trend_p_value`]), decided from the t statistic alone when it lies clearly on one side
/// of the critical value.
///
/// Why: the p-value is a regularised incomplete beta function, the dearest single call of a
/// period (about 6% of its time), and only its comparison with the threshold is used. Since
/// the p-value decreases in `|t|`, `p < threshold` is `|t| > t_c`, the `1 - threshold / 2`
/// quantile of Student's t with `df` degrees of freedom. `t_c` comes from its Cornish-Fisher
/// expansion in `1 / df` (Abramowitz & Stegun 1964, 26.7.5), used only where the expansion's
/// last term is below 1e-8 relative (a Farrington Flexible baseline has some 200 residual
/// degrees of freedom, where it is near 1e-10); and only when `|t|` is more than 1e-6
/// relative away from it. Otherwise the exact p-value decides, so the decision is always
/// the exact one.
#[derive(Debug, Clone, Copy, Default)]
struct TrendTest {
    threshold: f64,
    /// The standard normal `1 - threshold / 2` quantile, the limit of `t_c` for large `df`.
    z: f64,
}

impl TrendTest {
    /// Relative distance from the critical value within which the exact p-value decides.
    const BAND: f64 = 1e-6;

    fn new(threshold: f64) -> TrendTest {
        TrendTest {
            threshold,
            z: standard_normal_quantile(1.0 - threshold / 2.0),
        }
    }

    /// `t_c` for `df` degrees of freedom, when the expansion is accurate to far better than
    /// [`Self::BAND`].
    fn critical_value(&self, df: f64) -> Option<f64> {
        let x = self.z;
        if !(x.is_finite() && x > 0.0 && df >= 20.0) {
            return None;
        }
        let x2 = x * x;
        let g1 = x * (x2 + 1.0) / 4.0;
        let g2 = x * ((5.0 * x2 + 16.0) * x2 + 3.0) / 96.0;
        let g3 = x * (((3.0 * x2 + 19.0) * x2 + 17.0) * x2 - 15.0) / 384.0;
        let g4 = x * ((((79.0 * x2 + 776.0) * x2 + 1482.0) * x2 - 1920.0) * x2 - 945.0) / 92160.0;
        let inverse = 1.0 / df;
        if (g4 * inverse.powi(4)).abs() > 1e-8 * x {
            return None;
        }
        Some(x + inverse * (g1 + inverse * (g2 + inverse * (g3 + inverse * g4))))
    }

    /// Whether the trend of `model` is significant with the given dispersion.
    fn significant(&self, model: &QuasiPoisson, dispersion: f64) -> bool {
        let df = model.df_residual();
        if let (Some((beta, variance)), Some(critical)) =
            (model.trend_coefficient(), self.critical_value(df as f64))
        {
            let t = (beta / (dispersion * variance).sqrt()).abs();
            // A NaN `t` passes neither test and goes to the exact p-value, which says no.
            if t > critical * (1.0 + Self::BAND) {
                return true;
            }
            if t < critical * (1.0 - Self::BAND) {
                return false;
            }
        }
        trend_p_value(model, dispersion).is_some_and(|p| p < self.threshold)
    }
}

fn result(
    series: &Series<'_>,
    config: &FarringtonFlexibleConfig,
    k: usize,
    fitted: Fitted,
) -> Detection {
    let counts = series.counts();
    let y = counts[k];
    let z = standard_normal_quantile(1.0 - config.alpha);
    let (bounds, fit_for_mu0) = match config.threshold_method {
        ThresholdMethod::NbPlugin | ThresholdMethod::Muan => (
            noufaily_upper(
                fitted.eta0,
                fitted.se_eta0,
                fitted.phi,
                config.alpha,
                y,
                config.threshold_method == ThresholdMethod::Muan,
            ),
            fitted.eta0,
        ),
        ThresholdMethod::Delta => {
            let mu0 = fitted.eta0.exp().max(f64::EPSILON);
            let se = fitted.se_eta0 * mu0;
            (
                farrington_bounds(mu0, se, fitted.phi, config.power_transformation, z, y),
                mu0,
            )
        }
    };
    let (cases, periods) = config.limit54;
    let enough = enough_cases(counts, k, cases, periods);
    let score = if enough { finite(bounds.score) } else { None };
    let alarm = score.is_some_and(|s| s > 1.0) && y != 0.0;
    let upper_bound = if enough { finite(bounds.upper) } else { None };
    let expected = if bounds.upper.is_nan() || !enough {
        None
    } else {
        Some(match config.threshold_method {
            ThresholdMethod::Delta => fit_for_mu0,
            _ => fitted.eta0.exp(),
        })
    };
    // R's mu0Vector: the plug-in mean, or for the other methods exp of the upper
    // confidence limit of whatever `pred$fit` is on their scale.
    let mu0 = match config.threshold_method {
        ThresholdMethod::NbPlugin => fitted.eta0.exp(),
        ThresholdMethod::Muan => (fitted.eta0 + z * fitted.se_eta0).exp(),
        ThresholdMethod::Delta => (fit_for_mu0 + z * fitted.se_eta0 * fit_for_mu0).exp(),
    };
    Detection {
        index: k,
        observed: y,
        expected,
        upper_bound,
        alarm,
        score: finite(bounds.score),
        fit: Some(FitDetails {
            mu0,
            phi: fitted.phi,
            trend: fitted.trend,
            p_value: bounds.probability,
        }),
        diagnostic: (!enough).then_some(Diagnostic::TooFewCases),
    }
}

/// Indices of `k` and its `b` reference periods (`[k, one year back, …]`), or `None` when
/// one lies before the start of the series.
fn reference_indices(series: &Series<'_>, b: usize, k: usize) -> Option<Vec<i64>> {
    let k = k as i64;
    let mut references = Vec::with_capacity(b + 1);
    references.push(k);
    match series.start() {
        Some(start) if series.frequency() == 52 => {
            let today = start.offset(k).start();
            for j in 1..=b as i32 {
                let back = minus_years(today, j)?;
                // Snap to the nearest day with the weekday of `today` (R's
                // algo.farrington.referencetimepoints).
                let shift = i64::from(back.weekday().num_days_from_sunday())
                    - i64::from(today.weekday().num_days_from_sunday());
                let mut snapped = back - chrono::Duration::days(shift);
                let distance = (snapped - back).num_days().abs();
                if distance > 3 {
                    snapped = if snapped > back {
                        snapped - chrono::Duration::days(7)
                    } else {
                        snapped + chrono::Duration::days(7)
                    };
                }
                let weeks = (today - snapped).num_days() / 7;
                references.push(k - weeks);
            }
        }
        _ => {
            let frequency = series.frequency() as i64;
            for j in 1..=b as i64 {
                references.push(k - frequency * j);
            }
        }
    }
    references.iter().all(|&r| r >= 0).then_some(references)
}

/// `date` minus `years` calendar years as R's `seq.Date(by = "-1 year")`: 29 February of a
/// year without one becomes 1 March.
fn minus_years(date: NaiveDate, years: i32) -> Option<NaiveDate> {
    let year = date.year() - years;
    NaiveDate::from_ymd_opt(year, date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
}

/// R's `blocks`: the seasonal level of each period from `low` to `k` (0 = not in the
/// baseline). Returns false when `no_periods` is too large for the gap between windows
/// (R stops with "Number of factors too big!").
fn build_blocks(
    references: &[i64],
    config: &FarringtonFlexibleConfig,
    k: usize,
    low: usize,
    blocks: &mut Vec<usize>,
) -> bool {
    let p = config.no_periods.max(1) as i64;
    let w = config.w as i64;
    let low = low as i64;
    blocks.clear();
    blocks.resize(k + 1 - low as usize, 0);
    let mut set = |index: i64, value: i64| {
        if index >= low && index <= k as i64 {
            blocks[(index - low) as usize] = value as usize;
        }
    };
    for index in (k as i64 - w)..=k as i64 {
        set(index, p);
    }
    for i in 1..references.len() {
        let reference = references[i];
        for index in (reference - w)..=(reference + w) {
            set(index, p);
        }
        if p != 1 {
            let period = references[i - 1] - 2 * w - 1 - reference;
            if period < p - (2 * w + 1) {
                return false;
            }
            let length = period.div_euclid(p - 1);
            let rest = period.rem_euclid(p - 1);
            let mut cumulative = 0;
            for j in 1..p {
                let this = length + i64::from(j <= rest);
                let from = reference + w + 1 + cumulative;
                let to = from + this - 1;
                cumulative += this;
                // R's `from:to` counts down when `to < from`, so an empty block still
                // writes two periods; kept for identical levels.
                if to >= from {
                    for index in from..=to {
                        set(index, j);
                    }
                } else {
                    for index in (to..=from).rev() {
                        set(index, j);
                    }
                }
            }
        }
    }
    true
}

/// R's `wtime` for a series: periods since an origin, measured in days over the length of
/// the first period when the series has dates.
struct TimeAxis {
    dates: Option<(corredor_core::Period, f64)>,
    weekly: bool,
}

impl TimeAxis {
    fn new(series: &Series<'_>) -> TimeAxis {
        let dates = series.start().map(|start| {
            let first_step = (start.offset(1).start() - start.start()).num_days() as f64;
            (start, first_step)
        });
        TimeAxis {
            dates,
            weekly: series.frequency() == 52,
        }
    }

    /// When time counts periods (weeks, or no dates), the index whose centred time
    /// `at(i, first_block) - at(k, first_kept)` is 0: the centred time is `i - origin`.
    fn index_origin(&self, k: usize, first_block: usize, first_kept: usize) -> Option<i64> {
        match self.dates {
            None => Some(k as i64),
            Some(_) if self.weekly => Some(first_block as i64 + k as i64 - first_kept as i64),
            Some(_) => None,
        }
    }

    /// Whether time counts periods (weeks, or no dates), so that the times of a baseline
    /// measured from its period stay the same when both move by one period.
    fn counts_periods(&self) -> bool {
        self.dates.is_none() || self.weekly
    }

    fn at(&self, index: usize, origin: usize) -> f64 {
        match self.dates {
            None => index as f64 + 1.0,
            // Weeks are 7 days apart, so days over 7 is the index difference exactly.
            Some(_) if self.weekly => index as f64 - origin as f64,
            Some((start, first_step)) => {
                let days = (start.offset(index as i64).start()
                    - start.offset(origin as i64).start())
                .num_days() as f64;
                days / first_step
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use corredor_core::Period;

    #[test]
    fn weekly_reference_periods_go_back_calendar_years_snapped_to_the_weekday() {
        let counts = vec![1.0; 520];
        let start = Period::week(2015, 1).unwrap();
        let series = Series::calendar(&counts, start).unwrap();
        // 2024-W50 is index 519; five calendar years back is 2019-12-09 (Monday), 261
        // weeks earlier, not 5 * 52 = 260.
        let references = reference_indices(&series, 5, 519).unwrap();
        assert_eq!(references[0], 519);
        assert_eq!(references[1], 519 - 52);
        assert_eq!(519 - references[5], 261);
        let indexed = Series::indexed(&counts, 52);
        assert_eq!(reference_indices(&indexed, 5, 519).unwrap()[5], 519 - 260);
    }

    #[test]
    fn ten_periods_split_the_gaps_between_windows_into_nine_blocks() {
        let config = FarringtonFlexibleConfig::noufaily();
        let references = vec![300, 248, 196, 144, 92, 40];
        let mut blocks = Vec::new();
        assert!(build_blocks(&references, &config, 300, 37, &mut blocks));
        // Window around each reference, and the current period with its w predecessors:
        // level 10.
        for i in 297..=300 {
            assert_eq!(blocks[i - 37], 10);
        }
        for r in &references[1..] {
            for i in (r - 3)..=(r + 3) {
                assert_eq!(blocks[(i - 37) as usize], 10);
            }
        }
        // The gap of 52 - 7 = 45 periods after a window is split 5 per level.
        assert_eq!(blocks[(44 - 37) as usize], 1);
        assert_eq!(blocks[(48 - 37) as usize], 1);
        assert_eq!(blocks[(49 - 37) as usize], 2);
        assert_eq!(blocks[(88 - 37) as usize], 9);
    }

    #[test]
    fn the_trend_test_critical_value_has_the_threshold_as_its_exact_p_value() {
        for threshold in [0.01, 0.05, 0.1, 0.5] {
            let test = TrendTest::new(threshold);
            let mut checked = 0;
            for df in [20.0, 30.0, 50.0, 100.0, 226.0, 500.0, 5000.0] {
                let Some(critical) = test.critical_value(df) else {
                    continue;
                };
                checked += 1;
                let p = beta_reg(df / 2.0, 0.5, df / (df + critical * critical));
                // Far inside the band in which the exact p-value decides: a relative error
                // of 1e-6 in t moves p by about 1e-5 relative.
                assert!(
                    (p / threshold - 1.0).abs() < 1e-8,
                    "df {df}, threshold {threshold}: p {p}"
                );
            }
            // At least from the residual degrees of freedom of a weekly baseline (some 200).
            assert!(
                checked >= 3,
                "threshold {threshold}: only {checked} checked"
            );
            assert!(test.critical_value(200.0).is_some());
        }
        // Few degrees of freedom: no expansion, the exact p-value decides.
        assert!(TrendTest::new(0.05).critical_value(5.0).is_none());
    }

    #[test]
    fn sliding_the_baseline_from_week_to_week_gives_the_verdicts_of_building_it_each_week() {
        // Ten years of seasonal weekly counts from 2015-W01 (2015 and 2020 have 53 weeks,
        // so the reference periods jump), with a surge and a missing count.
        let mut counts: Vec<f64> = (0..520)
            .map(|i| {
                let season = (i as f64 * std::f64::consts::TAU / 52.0).sin();
                (20.0 + 8.0 * season + ((i * 37) % 11) as f64).round()
            })
            .collect();
        for count in &mut counts[500..504] {
            *count += 40.0;
        }
        counts[470] = f64::NAN;
        let config = FarringtonFlexibleConfig::noufaily();
        let calendar = Series::calendar(&counts, Period::week(2015, 1).unwrap()).unwrap();
        let indexed = Series::indexed(&counts, 52);
        for series in [calendar, indexed] {
            let together = farrington_flexible(&series, &config, 400..520);
            assert!(together.iter().filter(|d| d.upper_bound.is_some()).count() > 100);
            assert!(together.iter().any(|d| d.alarm));
            for (k, detection) in (400..520).zip(&together) {
                let alone = farrington_flexible(&series, &config, k..k + 1);
                // Debug text, so that a missing count (NaN) compares equal to itself.
                assert_eq!(format!("{:?}", alone[0]), format!("{detection:?}"), "{k}");
            }
        }
    }

    #[test]
    fn a_series_shorter_than_the_baseline_is_diagnosed_not_evaluated() {
        let counts = vec![3.0; 200];
        let series = Series::indexed(&counts, 52);
        let detections =
            farrington_flexible(&series, &FarringtonFlexibleConfig::default(), 190..200);
        assert_eq!(detections.len(), 10);
        assert!(detections
            .iter()
            .all(|d| d.diagnostic == Some(Diagnostic::TooShortHistory) && !d.alarm));
    }
}
