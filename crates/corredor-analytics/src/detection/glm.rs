//! The quasi-Poisson log-linear model behind both Farrington methods, fitted the way R's
//! `glm.fit` fits it, so that the numbers agree with R `surveillance` to many digits.
//!
//! Model: `log E[y_i] = beta_0 + beta_1 t_i + gamma_{g(i)}`, `Var y_i = phi E[y_i] / omega_i`,
//! with an optional time trend `t_i` and an optional seasonal factor `g(i)` (treatment
//! contrasts, the smallest level present is the reference), prior weights `omega_i`.
//!
//! Why mimic `glm.fit` step by step rather than solve the likelihood equations exactly:
//! R reports the iterate at which the relative change of the deviance first falls below
//! 1e-8, and it computes the covariance, the hat values and the Pearson dispersion with the
//! working weights of the *last iteration* (the means before the final update). Those
//! differ from the exact optimum by up to 1e-5 relative, more than the 1e-6 agreement we
//! promise. So we start where R starts (`mu = y + 0.1`), iterate as R iterates (at most 25
//! iterations) and keep the same weights: the same iterates as R, up to rounding.
//!
//! How, cheaply. The model is internally written with one intercept per seasonal level,
//! `theta_g = beta_0 + gamma_g` (the same model, reparametrised; `gamma_g = theta_g -
//! theta_0`), and a common slope. Then `X' W X` is block-structured: a diagonal of per-level
//! weight sums `W_g`, the time column `T_g = sum_g w t` and `TT = sum w t^2`. It is solved
//! by eliminating the levels (a Schur complement `S = TT - sum_g T_g^2 / W_g`, a scalar)
//! instead of a dense Cholesky factorisation: O(levels) instead of O(p^3), and the inverse
//! needed for standard errors and hat values is explicit
//! (`Var(theta_g + beta_1 t) = 1 / W_g + (t - T_g / W_g)^2 / S`). Exactly the same
//! elimination a Cholesky factorisation with the time column last would do, so the two
//! agree to rounding (and R's Householder QR with them).
//!
//! After the first iteration, the linear predictor is `X beta`, so `X' W z = X' W X beta +
//! X' omega (y - mu)` and R's update is the Newton step `beta += (X' W X)^-1 X' omega
//! (y - mu)`: only sums of `omega mu`, `omega mu t`, `omega mu t^2` per level are needed,
//! gathered in the same single pass that computes the new means; the deviance follows
//! from fixed sums (`omega y log y`, `omega y`, `omega y t`) and `sum omega mu`, with a
//! bound on its rounding error: where that error could turn the convergence test, the
//! deviances are summed per observation instead, so the test always decides as on those
//! (and the iterates stop where they always stopped, bit for bit). Without trend the means
//! are constant within a level and an iteration costs O(levels), no pass over the
//! observations at all. A mean is `exp(theta_g) * exp(beta_1 t)`: one `exp` per
//! level and, for whole times, a table of `exp(beta_1 t)` built by multiplication.
//!
//! Measured with `corredor bench detect` (Noufaily's settings: about 240 observations,
//! 11 parameters and 4-5 iterations per fit); the figures are in the commit messages.

use std::ops::Range;

const MAX_ITERATIONS: usize = 25;
const EPSILON: f64 = 1e-8;

/// Observations and working buffers of one quasi-Poisson fit. All buffers are reused from
/// fit to fit: no allocation once they have grown.
#[derive(Debug, Default, Clone)]
pub(crate) struct QuasiPoisson {
    /// Response counts.
    y: Vec<f64>,
    /// `y log y` (0 for `y = 0`), precomputed for the deviance.
    y_log_y: Vec<f64>,
    /// `y^(2/3)`, precomputed for the Anscombe residuals.
    y_two_thirds: Vec<f64>,
    /// `log(y + 0.1)`, the linear predictor R starts from, precomputed.
    log_start: Vec<f64>,
    /// Whether every time is a whole number, and their range: then `exp(beta_1 t)` comes
    /// from a table built by repeated multiplication instead of one `exp` per observation.
    whole_times: bool,
    t_min: f64,
    t_max: f64,
    /// Time of each observation, centred on the time of the prediction.
    t: Vec<f64>,
    /// Where the fit measures time from (with trend): the middle of the baseline, and each
    /// observation's time from there. The prediction is at `t = 0`, after the baseline, and
    /// measuring time from there makes the normal equations badly conditioned (the time
    /// column is far from orthogonal to the intercepts): the rounding error of a step then
    /// reaches 1e-11, enough to move the 1e-8 convergence test of an iteration near the
    /// threshold away from R's decision. From the middle, the same model has intercepts
    /// `theta_g - beta_1 centre` and rounding stays near R's.
    centre: f64,
    tc: Vec<f64>,
    /// Seasonal level of each observation: 0 is the reference level.
    level: Vec<usize>,
    /// Observations grouped into runs of one level and consecutive whole times, in the
    /// order pushed. The passes of an iteration go run by run: sums in registers instead
    /// of a read-modify-write of the level's sum per observation (a store-to-load
    /// dependency that made each observation wait on the one before), and a contiguous
    /// stretch of the `exp(beta_1 t)` table per run instead of a lookup per observation.
    runs: Vec<Run>,
    n_levels: usize,
    /// Prior weights `omega`.
    prior: Vec<f64>,

    /// Sums that stay fixed while the prior weights do, for the Newton steps: per level
    /// `sum omega y` and `sum omega` (the no-trend means are constant within a level), and
    /// `sum omega y t`.
    level_prior_y: Vec<f64>,
    level_prior: Vec<f64>,
    prior_y_t: f64,
    /// For the deviance from sums (see [`QuasiPoisson::deviance_from_sums`]): `sum omega
    /// (y log y - y)`.
    prior_terms: f64,

    /// Normal equations of the next step: per level `W_g = sum w`, `T_g = sum w t`, and
    /// `TT = sum w t^2`, with the right-hand side per level and for the slope.
    level_w: Vec<f64>,
    level_wt: Vec<f64>,
    wtt: f64,
    level_rhs: Vec<f64>,
    rhs_t: f64,
    /// The factorisation of the last solved step (R's last QR): `W_g`, `T_g / W_g` and the
    /// Schur complement of the slope. It gives the covariance and the hat values.
    factor_w: Vec<f64>,
    factor_mean_t: Vec<f64>,
    schur: f64,
    /// The step of the last solve.
    step: Vec<f64>,
    step_slope: f64,

    /// Coefficients: intercept of each level at time `centre` (`beta_0 + gamma_g + beta_1
    /// centre` with time measured from the prediction) and the slope.
    theta: Vec<f64>,
    slope: f64,
    /// Means of the current and of the previous iterate.
    mu: Vec<f64>,
    mu_previous: Vec<f64>,
    /// Coefficients of the previous iterate, for its deviance summed per observation.
    theta_previous: Vec<f64>,
    slope_previous: f64,
    /// Per-level means of the current and previous iterate, and their logarithms (fits
    /// without trend).
    level_mu: Vec<f64>,
    level_mu_previous: Vec<f64>,
    level_log: Vec<f64>,
    level_log_previous: Vec<f64>,
    /// Working weights `omega * mu` of the last iteration (R's `fit$weights`).
    working: Vec<f64>,
    /// `sum w ((y - mu) / mu)^2` with the working and with the prior weights of the fit
    /// (the numerators of the two dispersions).
    pearson_sum: f64,
    prior_pearson_sum: f64,
    /// `exp(theta_g)` and `exp(beta_1 t)`, and their sixth roots for the Anscombe residuals.
    level_factor: Vec<f64>,
    trend_table: Vec<f64>,
    level_sixth: Vec<f64>,
    /// `1 / W_g` of the last step, for the hat values (a multiplication per observation
    /// instead of a division).
    level_inverse_w: Vec<f64>,
    sixth_table: Vec<f64>,

    trend: bool,
    p: usize,
    converged: bool,
    /// Whether the last fit produced estimates at all (at least one iteration solved).
    usable: bool,
}

impl QuasiPoisson {
    /// Forgets the observations, keeping the buffers.
    pub(crate) fn clear(&mut self) {
        self.y.clear();
        self.y_log_y.clear();
        self.y_two_thirds.clear();
        self.log_start.clear();
        self.whole_times = true;
        self.t_min = f64::INFINITY;
        self.t_max = f64::NEG_INFINITY;
        self.t.clear();
        self.level.clear();
        self.runs.clear();
        self.prior.clear();
        self.n_levels = 1;
    }

    /// Adds one observation: count `y` at (centred) time `t` in seasonal level `level`.
    pub(crate) fn push(&mut self, y: f64, t: f64, level: usize) {
        self.push_with(CountTerms::new(y), t, level);
    }

    /// [`Self::push`] with the functions of the count computed once per series by the
    /// caller.
    #[inline]
    pub(crate) fn push_with(&mut self, terms: CountTerms, t: f64, level: usize) {
        // Whole and small: a round trip through an integer (cheaper than `fract`, which
        // is a library call on baseline x86-64).
        let whole = t.abs() < 1e6 && t == (t as i64) as f64;
        self.push_at(terms, t, level, whole);
    }

    /// [`Self::push_with`] at a whole time (periods from the prediction), which spares
    /// the test of wholeness per observation.
    #[inline]
    pub(crate) fn push_whole(&mut self, terms: CountTerms, t: i64, level: usize) {
        self.push_at(terms, t as f64, level, t.unsigned_abs() < 1_000_000);
    }

    /// Adds the observations `range` of a series, in one seasonal level at consecutive
    /// whole times from `t_first`: [`Self::push_whole`] for each, with the functions of
    /// the counts copied as whole slices rather than one at a time.
    pub(crate) fn push_run(
        &mut self,
        terms: &SeriesTerms,
        range: Range<usize>,
        t_first: i64,
        level: usize,
    ) {
        let len = range.len();
        if len == 0 {
            return;
        }
        let t_last = t_first + len as i64 - 1;
        if t_first.unsigned_abs() >= 1_000_000 || t_last.unsigned_abs() >= 1_000_000 {
            for (j, i) in range.enumerate() {
                self.push_whole(terms.get(i), t_first + j as i64, level);
            }
            return;
        }
        let start = self.y.len();
        self.y.extend_from_slice(&terms.y[range.clone()]);
        self.y_log_y
            .extend_from_slice(&terms.y_log_y[range.clone()]);
        self.y_two_thirds
            .extend_from_slice(&terms.y_two_thirds[range.clone()]);
        self.log_start.extend_from_slice(&terms.log_start[range]);
        self.t.extend((t_first..=t_last).map(|t| t as f64));
        self.level.resize(start + len, level);
        let (t_first, t_last) = (t_first as f64, t_last as f64);
        // The same runs as pushing one at a time: the first joins the last run when it
        // continues it.
        match self.runs.last_mut() {
            Some(run) if run.level == level && self.whole_times && t_first == run.t_end + 1.0 => {
                run.end = start + len;
                run.t_end = t_last;
            }
            _ => self.runs.push(Run {
                level,
                start,
                end: start + len,
                t_end: t_last,
            }),
        }
        if t_first < self.t_min {
            self.t_min = t_first;
        }
        if t_last > self.t_max {
            self.t_max = t_last;
        }
        self.n_levels = self.n_levels.max(level + 1);
    }

    /// Replaces the counts of the observations by those of `ranges` of a series, as many
    /// as before, keeping times, levels and runs: for the next period of a series whose
    /// baseline has the same layout one period later.
    pub(crate) fn reload_counts(
        &mut self,
        terms: &SeriesTerms,
        ranges: impl Iterator<Item = Range<usize>>,
    ) {
        let n = self.y.len();
        self.y.clear();
        self.y_log_y.clear();
        self.y_two_thirds.clear();
        self.log_start.clear();
        for range in ranges {
            self.y.extend_from_slice(&terms.y[range.clone()]);
            self.y_log_y
                .extend_from_slice(&terms.y_log_y[range.clone()]);
            self.y_two_thirds
                .extend_from_slice(&terms.y_two_thirds[range.clone()]);
            self.log_start.extend_from_slice(&terms.log_start[range]);
        }
        debug_assert_eq!(self.y.len(), n, "a reload keeps the number of observations");
    }

    #[inline(always)]
    fn push_at(&mut self, terms: CountTerms, t: f64, level: usize, whole: bool) {
        self.y.push(terms.y);
        self.y_log_y.push(terms.y_log_y);
        self.y_two_thirds.push(terms.y_two_thirds);
        self.log_start.push(terms.log_start);
        let index = self.y.len() - 1;
        match self.runs.last_mut() {
            Some(run)
                if run.level == level && whole && self.whole_times && t == run.t_end + 1.0 =>
            {
                run.end = index + 1;
                run.t_end = t;
            }
            _ => self.runs.push(Run {
                level,
                start: index,
                end: index + 1,
                t_end: t,
            }),
        }
        self.whole_times &= whole;
        // Comparisons rather than `min`/`max`, whose NaN handling costs more; a NaN time
        // leaves both as they are either way.
        if t < self.t_min {
            self.t_min = t;
        }
        if t > self.t_max {
            self.t_max = t;
        }
        self.t.push(t);
        self.level.push(level);
        self.n_levels = self.n_levels.max(level + 1);
    }

    pub(crate) fn len(&self) -> usize {
        self.y.len()
    }

    pub(crate) fn response(&self) -> &[f64] {
        &self.y
    }

    /// Sets all prior weights to one.
    pub(crate) fn unit_weights(&mut self) {
        self.prior.clear();
        self.prior.resize(self.y.len(), 1.0);
    }

    /// Prior weights, to be overwritten by the caller (reweighting).
    pub(crate) fn prior_weights_mut(&mut self) -> &mut Vec<f64> {
        &mut self.prior
    }

    /// Fits the model, with or without the time trend, using the current prior weights.
    /// Returns whether the iteration converged (R's `model$converged`).
    pub(crate) fn fit(&mut self, trend: bool) -> bool {
        let n = self.y.len();
        let levels = self.n_levels;
        self.trend = trend;
        self.p = 1 + usize::from(trend) + (levels - 1);
        self.converged = false;
        self.usable = false;
        if n < self.p || self.prior.len() != n {
            return false;
        }
        let table = trend && self.whole_times;
        self.centre = if trend && n > 0 {
            ((self.t_min + self.t_max) / 2.0).floor()
        } else {
            0.0
        };
        let centre = self.centre;
        self.tc.clear();
        self.tc.extend(self.t.iter().map(|&t| t - centre));
        for buffer in [
            &mut self.level_prior_y,
            &mut self.level_prior,
            &mut self.level_w,
            &mut self.level_wt,
            &mut self.level_rhs,
            &mut self.factor_w,
            &mut self.factor_mean_t,
            &mut self.step,
            &mut self.theta,
            &mut self.theta_previous,
            &mut self.level_mu,
            &mut self.level_mu_previous,
            &mut self.level_log,
            &mut self.level_log_previous,
            &mut self.level_factor,
        ] {
            buffer.clear();
            buffer.resize(levels, 0.0);
        }
        let mut deviance_old = if trend {
            self.start::<true>()
        } else {
            self.start::<false>()
        };
        // How far each deviance may be from its sum per observation (0: it is that sum,
        // as the start's is).
        let mut error_old = 0.0;
        let mut iterations = 0;
        while iterations < MAX_ITERATIONS {
            if !self.solve() {
                return false;
            }
            self.theta_previous.copy_from_slice(&self.theta);
            self.slope_previous = self.slope;
            // The first step solves for the coefficients themselves (R's start is not a
            // linear predictor of the model), the later ones for the Newton increment.
            if iterations == 0 {
                self.theta.copy_from_slice(&self.step);
                self.slope = self.step_slope;
            } else {
                for (theta, step) in self.theta.iter_mut().zip(&self.step) {
                    *theta += step;
                }
                self.slope += self.step_slope;
            }
            iterations += 1;
            if !self.slope.is_finite() || self.theta.iter().any(|b| !b.is_finite()) {
                return false;
            }
            let (mut deviance, mut error) = match (trend, table) {
                (false, _) => self.level_means(),
                (true, true) => self.means_pass::<true>(),
                (true, false) => self.means_pass::<false>(),
            };
            // The deviances from sums decide the convergence test only when it comes out
            // the same for any deviances within their error bounds: otherwise both are
            // summed per observation, so that the test decides as on those sums always.
            if !(deviance.is_finite() && error.is_finite())
                || undecided(deviance, deviance_old, error + error_old)
            {
                if error != 0.0 {
                    deviance = self.deviance_per_observation(false);
                    error = 0.0;
                }
                if error_old != 0.0 {
                    deviance_old = self.deviance_per_observation(true);
                }
            }
            if !deviance.is_finite() {
                return false;
            }
            if (deviance - deviance_old).abs() / (0.1 + deviance.abs()) < EPSILON {
                self.converged = true;
                break;
            }
            deviance_old = deviance;
            error_old = error;
            // Right-hand side of the Newton step: X' omega (y - mu), from the sums of the
            // pass (sum omega mu is W_g, sum omega mu t is T_g).
            for g in 0..levels {
                self.level_rhs[g] = self.level_prior_y[g] - self.level_w[g];
            }
            if trend {
                self.rhs_t = self.prior_y_t - self.level_wt.iter().sum::<f64>();
            }
        }
        self.keep_working_weights(iterations);
        // Both dispersions in one pass (a division per observation), once per fit: R's
        // summary is asked for them up to three times per fit.
        let (mut pearson, mut prior_pearson) = (0.0, 0.0);
        let (y, mu, working, prior) = (
            &self.y[..n],
            &self.mu[..n],
            &self.working[..n],
            &self.prior[..n],
        );
        for i in 0..n {
            let residual = (y[i] - mu[i]) / mu[i];
            pearson += working[i] * residual * residual;
            prior_pearson += prior[i] * residual * residual;
        }
        self.pearson_sum = pearson;
        self.prior_pearson_sum = prior_pearson;
        self.usable = true;
        self.converged
    }

    /// The sums that stay fixed during the iterations, and the normal equations at R's
    /// starting point `mu = y + 0.1`, `eta = log(y + 0.1)` (R's quasipoisson `initialize`).
    /// Returns the deviance at the start; leaves the starting means in `mu`.
    fn start<const TREND: bool>(&mut self) -> f64 {
        let n = self.y.len();
        // Every entry is written below (the runs cover all observations): no clearing.
        self.mu.resize(n, 0.0);
        let (mut wtt, mut rhs_t, mut prior_y_t) = (0.0, 0.0, 0.0);
        let mut terms = 0.0;
        let mut deviance = 0.0;
        for run in &self.runs {
            let g = run.level;
            let range = run.start..run.end;
            let (y, t, prior) = (
                &self.y[range.clone()],
                &self.tc[range.clone()],
                &self.prior[range.clone()],
            );
            let (y_log_y, log_start) =
                (&self.y_log_y[range.clone()], &self.log_start[range.clone()]);
            let mu_out = &mut self.mu[range];
            let (mut sw, mut swz, mut sp, mut spy) = (0.0, 0.0, 0.0, 0.0);
            let (mut swt, mut swtt, mut swzt, mut spyt) = (0.0, 0.0, 0.0, 0.0);
            for j in 0..y.len() {
                let (omega, y) = (prior[j], y[j]);
                let mu = (y + 0.1).max(f64::EPSILON);
                let eta = log_start[j];
                // Log link: d mu / d eta = mu and V(mu) = mu, so the working weight is
                // omega * mu and w z = w eta + omega (y - mu).
                let w = omega * mu;
                let wz = w * eta + omega * (y - mu);
                mu_out[j] = mu;
                sw += w;
                swz += wz;
                sp += omega;
                spy += omega * y;
                if TREND {
                    let t = t[j];
                    swt += w * t;
                    swtt += w * t * t;
                    swzt += wz * t;
                    spyt += omega * y * t;
                }
                terms += omega * (y_log_y[j] - y);
                deviance += poisson_deviance(omega, y, y_log_y[j], mu, eta);
            }
            self.level_w[g] += sw;
            self.level_rhs[g] += swz;
            self.level_prior[g] += sp;
            self.level_prior_y[g] += spy;
            if TREND {
                self.level_wt[g] += swt;
                wtt += swtt;
                rhs_t += swzt;
                prior_y_t += spyt;
            }
        }
        self.wtt = wtt;
        self.rhs_t = rhs_t;
        self.prior_y_t = prior_y_t;
        self.prior_terms = terms;
        deviance
    }

    /// Solves the normal equations for `step` (per level) and `step_slope`, by eliminating
    /// the levels: `theta_g = (r_g - T_g beta_1) / W_g`, `S beta_1 = r_t - sum_g T_g r_g /
    /// W_g`. Keeps the factorisation. Returns false when the matrix is not positive
    /// definite (a level without weight, or a time column that the levels explain).
    fn solve(&mut self) -> bool {
        let mut schur = self.wtt;
        let mut numerator = self.rhs_t;
        for g in 0..self.n_levels {
            let w = self.level_w[g];
            if w.is_nan() || w <= 0.0 {
                return false;
            }
            self.factor_w[g] = w;
            if self.trend {
                let mean_t = self.level_wt[g] / w;
                self.factor_mean_t[g] = mean_t;
                schur -= self.level_wt[g] * mean_t;
                numerator -= mean_t * self.level_rhs[g];
            }
        }
        self.step_slope = 0.0;
        if self.trend {
            if schur.is_nan() || schur <= 0.0 {
                return false;
            }
            self.schur = schur;
            self.step_slope = numerator / schur;
        }
        for g in 0..self.n_levels {
            let mut step = self.level_rhs[g] / self.factor_w[g];
            if self.trend {
                step -= self.factor_mean_t[g] * self.step_slope;
            }
            self.step[g] = step;
        }
        true
    }

    /// New means without trend: constant within a level, so the sums of the next normal
    /// equations come per level (`W_g = mu_g sum_g omega`), and so does the deviance (see
    /// [`Self::deviance_from_sums`]): no pass over the observations. Returns the deviance
    /// and its error bound.
    fn level_means(&mut self) -> (f64, f64) {
        std::mem::swap(&mut self.level_mu, &mut self.level_mu_previous);
        std::mem::swap(&mut self.level_log, &mut self.level_log_previous);
        for g in 0..self.n_levels {
            let mu = self.theta[g].exp().max(f64::EPSILON);
            self.level_mu[g] = mu;
            self.level_w[g] = self.level_prior[g] * mu;
            // log(mu) is theta unless the mean was clamped at machine epsilon.
            self.level_log[g] = if mu > f64::EPSILON {
                self.theta[g]
            } else {
                mu.ln()
            };
        }
        self.deviance_from_sums(&self.level_log, 0.0)
    }

    /// The deviance of the current means (or of the previous iterate's) summed per
    /// observation, as R sums it: `2 sum omega (y log(y / mu) - (y - mu))`. Only when the
    /// deviance from sums cannot decide the convergence test.
    #[cold]
    #[inline(never)]
    fn deviance_per_observation(&self, previous: bool) -> f64 {
        if !self.trend {
            let (level_mu, level_log) = if previous {
                (&self.level_mu_previous, &self.level_log_previous)
            } else {
                (&self.level_mu, &self.level_log)
            };
            let mut deviance = 0.0;
            for run in &self.runs {
                let range = run.start..run.end;
                let (y, prior) = (&self.y[range.clone()], &self.prior[range.clone()]);
                let y_log_y = &self.y_log_y[range];
                let (mu, log_mu) = (level_mu[run.level], level_log[run.level]);
                for j in 0..y.len() {
                    deviance += poisson_deviance(prior[j], y[j], y_log_y[j], mu, log_mu);
                }
            }
            return deviance;
        }
        let (theta, slope, mu) = if previous {
            (&self.theta_previous, self.slope_previous, &self.mu_previous)
        } else {
            (&self.theta, self.slope, &self.mu)
        };
        let mut deviance = 0.0;
        for run in &self.runs {
            let range = run.start..run.end;
            let (y, t, prior) = (
                &self.y[range.clone()],
                &self.tc[range.clone()],
                &self.prior[range.clone()],
            );
            let (y_log_y, mu) = (&self.y_log_y[range.clone()], &mu[range]);
            let theta = theta[run.level];
            // Per run, then doubled, exactly as the means pass summed it before the deviance
            // came from sums (a mean clamped at machine epsilon has log(mu) for eta).
            let mut run_deviance = 0.0;
            for j in 0..y.len() {
                let eta = theta + slope * t[j];
                let log_mu = if mu[j] > f64::EPSILON {
                    eta
                } else {
                    mu[j].ln()
                };
                run_deviance += prior[j] * ((y_log_y[j] - y[j] * log_mu) - (y[j] - mu[j]));
            }
            deviance += run_deviance;
        }
        2.0 * deviance
    }

    /// The deviance from sums over the observations that stay fixed during the
    /// iterations, given the log-mean (linear predictor) of each level where the fit
    /// measures time from, the slope, and `W_g = sum omega mu` of the current pass:
    ///
    /// `D / 2 = sum omega (y log y - y) - sum_g log_mu_g sum_g omega y
    ///          - beta_1 sum omega y t + sum_g W_g`.
    ///
    /// Returns it with a bound on its distance from the deviance summed per observation.
    ///
    /// Why: the deviance only serves the convergence test, and summing it per observation
    /// took a third of the work of an iteration. The price is cancellation (the terms are
    /// larger than their sum), which the bound accounts for: both ways of summing `n`
    /// terms are within `(n + 10) eps M` of the exact sum, `M` the sum of the magnitudes
    /// of the terms (Higham 2002, *Accuracy and stability of numerical algorithms*, §4.2),
    /// so they are within twice that of each other; we allow twice more again.
    ///
    /// `M` is bounded from the sums at hand rather than summed: with prior weights and
    /// counts not negative, `|y log y| <= y log y + 2 / e` (the only negative values are
    /// for `0 < y < 1`, down to `-1 / e`), so `sum omega (|y log y| + y) <= sum omega (y
    /// log y - y) + 2 sum omega y + 0.75 sum omega`; and `sum omega y |t| <= max |t| sum
    /// omega y`.
    fn deviance_from_sums(&self, log_mu: &[f64], slope: f64) -> (f64, f64) {
        let mut fitted = slope * self.prior_y_t;
        let (mut magnitude, mut prior_y, mut prior) = (0.0, 0.0, 0.0);
        for ((eta, level_prior_y), level_prior) in log_mu
            .iter()
            .zip(&self.level_prior_y)
            .zip(&self.level_prior)
        {
            fitted += eta * level_prior_y;
            magnitude += (eta * level_prior_y).abs();
            prior_y += level_prior_y.abs();
            prior += level_prior.abs();
        }
        let largest_t = (self.t_min - self.centre)
            .abs()
            .max((self.t_max - self.centre).abs());
        magnitude += slope.abs() * largest_t * prior_y;
        let means: f64 = self.level_w.iter().sum();
        let deviance = 2.0 * (self.prior_terms - fitted + means);
        let terms_magnitude = self.prior_terms.abs() + 2.0 * prior_y + 0.75 * prior;
        let magnitude = magnitude + terms_magnitude + means.abs();
        let bound = 2.0 * 4.0 * (self.y.len() as f64 + 10.0) * f64::EPSILON * magnitude;
        (deviance, bound)
    }

    /// New means with trend: one pass over the observations that writes the means and
    /// gathers the sums of the next normal equations. Compiled with and without the
    /// `exp(beta_1 t)` table. Returns the deviance and its error bound (see
    /// [`Self::deviance_from_sums`]; a mean clamped at machine epsilon has its deviance
    /// summed per observation).
    fn means_pass<const TABLE: bool>(&mut self) -> (f64, f64) {
        std::mem::swap(&mut self.mu, &mut self.mu_previous);
        let n = self.y.len();
        let slope = self.slope;
        for (factor, theta) in self.level_factor.iter_mut().zip(&self.theta) {
            *factor = theta.exp();
        }
        if TABLE {
            let centre = self.centre;
            fill_powers(
                &mut self.trend_table,
                slope,
                self.t_min - centre,
                self.t_max - centre,
            );
        }
        self.level_w.fill(0.0);
        self.level_wt.fill(0.0);
        // Every entry is written below (the runs cover all observations): no clearing.
        self.mu.resize(n, 0.0);
        let mut wtt = 0.0;
        let mut clamped = false;
        for run in &self.runs {
            let g = run.level;
            let range = run.start..run.end;
            let len = range.len();
            let (t, prior) = (&self.tc[range.clone()], &self.prior[range.clone()]);
            let powers = if TABLE {
                let from = (self.t[run.start] - self.t_min) as usize;
                &self.trend_table[from..from + len]
            } else {
                &[][..]
            };
            let mu_out = &mut self.mu[range];
            let (theta, factor) = (self.theta[g], self.level_factor[g]);
            // exp(beta_1 t) is monotone in t and the table is within a few ulps of it: when
            // both ends of the run are well inside (machine epsilon, infinity), so is every
            // mean of the run, and the loop need not test each one.
            let ends_inside = TABLE && {
                let (first, last) = (factor * powers[0], factor * powers[len - 1]);
                let (low, high) = if first < last {
                    (first, last)
                } else {
                    (last, first)
                };
                low > 2.0 * f64::EPSILON && high < f64::MAX / 2.0
            };
            let (mut sw, mut swt, mut swtt, in_range) = if ends_inside {
                run_means::<TABLE, false>(theta, slope, factor, t, prior, powers, mu_out)
            } else {
                run_means::<TABLE, true>(theta, slope, factor, t, prior, powers, mu_out)
            };
            if !in_range {
                (sw, swt, swtt) = clamped_run(theta, slope, t, prior, mu_out);
                clamped = true;
            }
            self.level_w[g] += sw;
            self.level_wt[g] += swt;
            wtt += swtt;
        }
        self.wtt = wtt;
        if clamped {
            return (self.deviance_per_observation(false), 0.0);
        }
        self.deviance_from_sums(&self.theta, slope)
    }

    /// After the last iteration: the working weights of the last solved step (the means
    /// before the final update; R's `fit$weights`), and the final means per observation.
    fn keep_working_weights(&mut self, iterations: usize) {
        let n = self.y.len();
        self.working.clear();
        if self.trend {
            self.working.extend(
                self.prior
                    .iter()
                    .zip(&self.mu_previous)
                    .map(|(w, mu)| w * mu),
            );
            return;
        }
        if iterations == 1 {
            // The last step started from R's starting means, still in `mu`.
            self.working
                .extend(self.prior.iter().zip(&self.mu).map(|(w, mu)| w * mu));
        } else {
            for i in 0..n {
                self.working
                    .push(self.prior[i] * self.level_mu_previous[self.level[i]]);
            }
        }
        self.mu.clear();
        self.mu
            .extend(self.level[..n].iter().map(|&g| self.level_mu[g]));
    }

    /// Residual degrees of freedom.
    pub(crate) fn df_residual(&self) -> usize {
        self.y.len().saturating_sub(self.p)
    }

    /// Pearson estimate of the dispersion (R's `summary(model)$dispersion`): working weights
    /// of the last iteration times squared working residuals of the final means.
    pub(crate) fn dispersion(&self) -> f64 {
        let df = self.df_residual();
        if df == 0 || !self.usable {
            return f64::NAN;
        }
        self.pearson_sum / df as f64
    }

    /// The dispersion R's `summary` reports for a model returned by
    /// `algo.farrington.fitGLM.flexible` after reweighting: that function overwrites
    /// `model$weights` (the working weights) with the prior weights, so `summary.glm` sums
    /// `prior * ((y - mu) / mu)^2`. This is far below the Pearson dispersion, and R uses it
    /// for the trend's t-test and the standard error of the prediction; we do the same to
    /// give the same alarms.
    pub(crate) fn dispersion_with_prior_weights(&self) -> f64 {
        let df = self.df_residual();
        if df == 0 || !self.usable {
            return f64::NAN;
        }
        self.prior_pearson_sum / df as f64
    }

    /// Whether the fitted model has the time trend.
    pub(crate) fn has_trend(&self) -> bool {
        self.trend && self.usable
    }

    /// Trend coefficient and its unscaled variance `1 / S`.
    pub(crate) fn trend_coefficient(&self) -> Option<(f64, f64)> {
        (self.trend && self.usable).then(|| (self.slope, 1.0 / self.schur))
    }

    /// Linear predictor at the prediction time (t = 0 after centring) in seasonal level
    /// `level`, and its unscaled variance `x0' (X'WX)^-1 x0`.
    pub(crate) fn predict_link(&self, level: usize) -> (f64, f64) {
        if !self.usable {
            return (f64::NAN, f64::NAN);
        }
        // A level the baseline does not have predicts with the reference level.
        let g = if level < self.n_levels { level } else { 0 };
        // t = 0 is `-centre` from where the fit measures time.
        let at = -self.centre;
        let eta = if self.trend {
            self.theta[g] + self.slope * at
        } else {
            self.theta[g]
        };
        (eta, self.unscaled_variance(g, at))
    }

    /// `Var(theta_g + beta_1 t)` up to the dispersion (`t` from `centre`), from the
    /// factorisation of the last step: `1 / W_g + (t - T_g / W_g)^2 / S`.
    fn unscaled_variance(&self, g: usize, t: f64) -> f64 {
        let mut variance = 1.0 / self.factor_w[g];
        if self.trend {
            let distance = t - self.factor_mean_t[g];
            variance += distance * distance / self.schur;
        }
        variance
    }

    /// Anscombe residuals scaled by `sqrt(phi (1 - h))` (surveillance's
    /// `anscombe.residuals`), written into `out`.
    pub(crate) fn anscombe_residuals(&mut self, phi: f64, out: &mut Vec<f64>) {
        out.clear();
        if !self.usable {
            out.resize(self.y.len(), f64::NAN);
            return;
        }
        let n = self.y.len();
        let table = self.trend && self.whole_times;
        self.level_sixth.clear();
        self.level_sixth
            .extend(self.theta.iter().map(|theta| (theta / 6.0).exp()));
        if table {
            fill_powers(
                &mut self.sixth_table,
                self.slope / 6.0,
                self.t_min - self.centre,
                self.t_max - self.centre,
            );
        }
        self.level_inverse_w.clear();
        self.level_inverse_w
            .extend(self.factor_w.iter().map(|w| 1.0 / w));
        let inverse_schur = if self.trend { 1.0 / self.schur } else { 0.0 };
        let (t, t_from_start, levels, mu, working) = (
            &self.tc[..n],
            &self.t[..n],
            &self.level[..n],
            &self.mu[..n],
            &self.working[..n],
        );
        let y_two_thirds = &self.y_two_thirds[..n];
        for i in 0..n {
            let level = levels[i];
            // Hat value h_i = w_i x_i' (X'WX)^-1 x_i.
            let distance = t[i] - self.factor_mean_t[level];
            let variance = self.level_inverse_w[level] + distance * distance * inverse_schur;
            let mut hat = working[i] * variance;
            // R's lm.influence rounds hat values within 10 eps of one to one.
            if hat > 1.0 - 10.0 * f64::EPSILON {
                hat = 1.0;
            }
            let mu = mu[i];
            // mu^(1/6) from the same factorisation as the mean (exp of a sixth of the
            // level's predictor times a sixth-power trend table) instead of a cube root
            // per observation, and mu^(1/2) as its cube; the roots remain for means
            // clamped at machine epsilon and for fractional times.
            let (sixth, root) = if mu <= f64::EPSILON || (self.trend && !table) {
                let root = mu.sqrt();
                (root.cbrt(), root)
            } else {
                let sixth = if table {
                    self.level_sixth[level]
                        * self.sixth_table[(t_from_start[i] - self.t_min) as usize]
                } else {
                    self.level_sixth[level]
                };
                (sixth, sixth * sixth * sixth)
            };
            // 1.5 (y^(2/3) mu^(-1/6) - mu^(1/2)) / sqrt(phi (1 - h)), with one division
            // and one square root (both slow) instead of two each.
            let a = 1.5 * (y_two_thirds[i] - sixth * root);
            out.push(a / (sixth * (phi * (1.0 - hat)).sqrt()));
        }
    }
}

/// A run of observations of one seasonal level at consecutive whole times
/// (`start..end` in push order; the last time is `t_end`).
#[derive(Debug, Clone, Copy)]
struct Run {
    level: usize,
    start: usize,
    end: usize,
    t_end: f64,
}

/// The means of one run of [`QuasiPoisson::means_pass`] (written to `mu`) and the sums of
/// `w = omega mu`, `w t` and `w t^2`. With `CHECK`, also whether every mean is above machine
/// epsilon and finite, tested without a branch per observation (without, `true`).
#[inline(always)]
fn run_means<const TABLE: bool, const CHECK: bool>(
    theta: f64,
    slope: f64,
    factor: f64,
    t: &[f64],
    prior: &[f64],
    powers: &[f64],
    mu: &mut [f64],
) -> (f64, f64, f64, bool) {
    let (mut sw, mut swt, mut swtt) = (0.0, 0.0, 0.0);
    let mut in_range = true;
    for j in 0..mu.len() {
        let t = t[j];
        let mean = if TABLE {
            factor * powers[j]
        } else {
            exp_out_of_line(theta + slope * t)
        };
        if CHECK {
            in_range &= (mean > f64::EPSILON) & (mean < f64::INFINITY);
        }
        mu[j] = mean;
        let w = prior[j] * mean;
        let wt = w * t;
        sw += w;
        swt += wt;
        swtt += wt * t;
    }
    (sw, swt, swtt, in_range)
}

/// `exp(slope * t)` for `t = t_min, t_min + 1, …, t_max`, to about two ulps, for a couple
/// of dozen `exp` instead of one per observation: blocks of 36 entries, each
/// `exp(slope * start)` times `exp(slope * j)`, `j < 36`, the latter as `exp(slope * 6 a)
/// exp(slope * b)`. Why not repeated multiplication by `exp(slope)`: its rounding error
/// grows with the length of the table (about 1e-14 after 200 steps), all in the same
/// direction, and the deviance (a sum of a few hundred means near 10^5 in all) then moves
/// by 1e-12 relative, enough to turn the 1e-8 convergence test of an iteration close to
/// it the other way than R, which takes one `exp` per mean.
fn fill_powers(table: &mut Vec<f64>, slope: f64, t_min: f64, t_max: f64) {
    const STEP: usize = 6;
    const BLOCK: usize = STEP * STEP;
    table.clear();
    if t_max < t_min {
        return;
    }
    let mut fine = [0.0; STEP];
    let mut coarse = [0.0; STEP];
    for j in 0..STEP {
        fine[j] = (slope * j as f64).exp();
        coarse[j] = (slope * (j * STEP) as f64).exp();
    }
    let mut within = [0.0; BLOCK];
    for (j, value) in within.iter_mut().enumerate() {
        *value = coarse[j / STEP] * fine[j % STEP];
    }
    table.resize((t_max - t_min) as usize + 1, 0.0);
    for (block, chunk) in table.chunks_mut(BLOCK).enumerate() {
        let base = (slope * (t_min + (block * BLOCK) as f64)).exp();
        for (value, w) in chunk.iter_mut().zip(&within) {
            *value = base * w;
        }
    }
}

/// R's `pmax(exp(eta), .Machine$double.eps)` for a mean whose product form overflowed or
/// fell to machine epsilon, and its logarithm (the linear predictor unless clamped). Out
/// of line: rare.
#[inline(never)]
#[cold]
fn clamp_mean(product: f64, eta: f64) -> (f64, f64) {
    let mu = if product.is_finite() {
        product
    } else {
        eta.exp()
    }
    .max(f64::EPSILON);
    (mu, if mu > f64::EPSILON { eta } else { mu.ln() })
}

/// A run of [`QuasiPoisson::means_pass`] again, with R's clamping of each mean (see
/// [`clamp_mean`]): the means (given as computed in `mu`, overwritten), and the sums of
/// `w`, `w t`, `w t^2`.
#[cold]
#[inline(never)]
fn clamped_run(
    theta: f64,
    slope: f64,
    t: &[f64],
    prior: &[f64],
    mu: &mut [f64],
) -> (f64, f64, f64) {
    let (mut sw, mut swt, mut swtt) = (0.0, 0.0, 0.0);
    for j in 0..mu.len() {
        let eta = theta + slope * t[j];
        if !(mu[j] > f64::EPSILON && mu[j].is_finite()) {
            (mu[j], _) = clamp_mean(mu[j], eta);
        }
        let w = prior[j] * mu[j];
        let wt = w * t[j];
        sw += w;
        swt += wt;
        swtt += wt * t[j];
    }
    (sw, swt, swtt)
}

/// Whether the convergence test `|D - D_old| / (0.1 + |D|) < 1e-8` could come out either
/// way for deviances within `error` (together) of `deviance` and `deviance_old`, allowing
/// for the rounding of the test itself.
fn undecided(deviance: f64, deviance_old: f64, error: f64) -> bool {
    let gap = (deviance - deviance_old).abs() - EPSILON * (0.1 + deviance.abs());
    gap.abs()
        <= error * (1.0 + EPSILON)
            + 8.0 * f64::EPSILON * (deviance.abs() + deviance_old.abs() + 0.1)
}

/// One observation's Poisson deviance `2 omega (y log(y / mu) - (y - mu))`, with `y log y`
/// precomputed; for `y = 0` both terms of `y log(y / mu)` are zero (log mu is finite).
/// The convergence test compares deviances to 1e-8 relative, and summed per observation the
/// rounding is as small as R's, so that the iteration stops where R's stops; the deviance
/// from sums ([`QuasiPoisson::deviance_from_sums`]) decides the test only where it gives
/// the same answer.
fn poisson_deviance(prior: f64, y: f64, y_log_y: f64, mu: f64, log_mu: f64) -> f64 {
    2.0 * prior * ((y_log_y - y * log_mu) - (y - mu))
}

/// `exp`, kept out of line: called only for fractional times, where no table applies.
#[inline(never)]
fn exp_out_of_line(x: f64) -> f64 {
    x.exp()
}

/// A count and the functions of it the fit needs, computed once per series value rather
/// than once per fit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CountTerms {
    y: f64,
    /// `y log y`, 0 for `y = 0` (for the deviance).
    y_log_y: f64,
    /// `y^(2/3)` (for the Anscombe residuals).
    y_two_thirds: f64,
    /// `log(y + 0.1)`, the linear predictor R's `glm.fit` starts from.
    log_start: f64,
}

impl CountTerms {
    pub(crate) fn new(y: f64) -> CountTerms {
        CountTerms {
            y,
            y_log_y: if y > 0.0 { y * y.ln() } else { 0.0 },
            y_two_thirds: y.powf(2.0 / 3.0),
            log_start: (y + 0.1).ln(),
        }
    }
}

/// [`CountTerms`] of every count of a series, one slice per term, so that a run of
/// consecutive periods enters a model as four slice copies.
#[derive(Debug, Default, Clone)]
pub(crate) struct SeriesTerms {
    y: Vec<f64>,
    y_log_y: Vec<f64>,
    y_two_thirds: Vec<f64>,
    log_start: Vec<f64>,
}

impl SeriesTerms {
    /// The terms of `counts`, replacing any held.
    pub(crate) fn fill(&mut self, counts: &[f64]) {
        self.y.clear();
        self.y_log_y.clear();
        self.y_two_thirds.clear();
        self.log_start.clear();
        for &y in counts {
            let terms = CountTerms::new(y);
            self.y.push(terms.y);
            self.y_log_y.push(terms.y_log_y);
            self.y_two_thirds.push(terms.y_two_thirds);
            self.log_start.push(terms.log_start);
        }
    }

    pub(crate) fn get(&self, i: usize) -> CountTerms {
        CountTerms {
            y: self.y[i],
            y_log_y: self.y_log_y[i],
            y_two_thirds: self.y_two_thirds[i],
            log_start: self.log_start[i],
        }
    }
}

/// Down-weights outlying observations as `algo.farrington.assign.weights`: residuals `s`
/// above `threshold` get a weight proportional to `s^-2`, the others a constant, scaled so
/// that the weights sum to the number of observations.
pub(crate) fn assign_weights(residuals: &[f64], threshold: f64, weights: &mut Vec<f64>) {
    weights.clear();
    let n = residuals.len() as f64;
    let sum: f64 = residuals
        .iter()
        .map(|&s| if s > threshold { s.powi(-2) } else { 1.0 })
        .sum();
    let gamma = n / sum;
    weights.extend(residuals.iter().map(|&s| {
        if s > threshold {
            gamma * s.powi(-2)
        } else {
            gamma
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reweighting_gives_the_package_weights_for_its_own_example() {
        // surveillance's test: residuals (0 x5, 2 x5) with threshold 0.
        let residuals = [0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 2.0, 2.0, 2.0, 2.0];
        let mut weights = Vec::new();
        assign_weights(&residuals, 0.0, &mut weights);
        for (i, w) in weights.iter().enumerate() {
            let expected = if i < 5 { 1.6 } else { 0.4 };
            assert!((w - expected).abs() < 1e-12, "weight {i} is {w}");
        }
    }

    #[test]
    fn the_deviance_from_sums_is_within_its_bound_of_the_deviance_summed_per_observation() {
        // Four years of weekly counts near 50 with a trend and a season, Poisson-like noise
        // from a fixed linear congruential sequence, in three seasonal levels.
        let mut model = QuasiPoisson::default();
        model.clear();
        let mut state: u64 = 12345;
        for i in 0..208 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let uniform = (state >> 11) as f64 / (1u64 << 53) as f64;
            let mean = 50.0 * (1.0 + 0.3 * (i as f64 * 0.12).sin()) * (1.0 + 0.002 * i as f64);
            let y = (mean + mean.sqrt() * 3.4 * (uniform - 0.5)).round();
            model.push(y, i as f64 - 208.0, (i / 5) % 3);
        }
        model.unit_weights();
        assert!(model.fit(true));
        let (from_sums, bound) = model.deviance_from_sums(&model.theta, model.slope);
        let summed = model.deviance_per_observation(false);
        assert!(summed > 100.0, "deviance {summed}");
        assert!(
            (from_sums - summed).abs() <= bound,
            "{from_sums} vs {summed}, bound {bound}"
        );
        // Small enough to decide the 1e-8 convergence test nearly always.
        assert!(bound < 1e-9 * summed, "bound {bound} for {summed}");
    }

    #[test]
    fn an_intercept_only_fit_estimates_the_mean_and_the_pearson_dispersion() {
        let counts = [3.0, 7.0, 4.0, 9.0, 2.0, 5.0];
        let mut model = QuasiPoisson::default();
        model.clear();
        for &y in &counts {
            model.push(y, 0.0, 0);
        }
        model.unit_weights();
        assert!(model.fit(false));
        let (eta, variance) = model.predict_link(0);
        let mean = counts.iter().sum::<f64>() / 6.0;
        assert!((eta.exp() - mean).abs() < 1e-8);
        // Var(log mean) = 1 / sum(mu) for a Poisson intercept, up to the weights of the
        // last iteration that R (and we) use for the covariance.
        assert!((variance * 6.0 * mean - 1.0).abs() < 1e-4, "{variance}");
        let pearson: f64 = counts
            .iter()
            .map(|y| (y - mean).powi(2) / mean)
            .sum::<f64>()
            / 5.0;
        assert!((model.dispersion() / pearson - 1.0).abs() < 1e-4);
    }
}
