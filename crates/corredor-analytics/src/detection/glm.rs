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
//! iterations) and keep the same weights.
//!
//! The weighted least squares step is solved through the normal equations with a Cholesky
//! factorisation instead of R's Householder QR: the design has at most a dozen columns and
//! the time column is centred on the predicted period, so the normal equations are well
//! conditioned and the two agree to rounding. Each observation has at most three non-zero
//! columns (intercept, time, one seasonal level), which keeps an iteration linear in `n`.
//! All buffers live in the struct and are reused from fit to fit: no allocation per
//! iteration, and none per fit once the buffers have grown.
//!
//! Where the time goes, and what keeps it low (one IRLS iteration is two passes over the
//! observations): `X' W X` is gathered as five global and three per-level sums, adding the
//! same terms in the same order as a dense accumulation (same result to the bit); the
//! means come from one `exp` per level and a trend table, not one `exp` per observation;
//! the deviance is summed in the same pass; `log(y + 0.1)`, `y log y` and `y^(2/3)` are
//! computed once per series; the covariance is `L^-T L^-1`; the Anscombe residuals take
//! `mu^(1/6)` from sixth-root tables instead of a cube root per observation. On the
//! benchmark (`corredor bench detect`) this is about 2.3 times fewer instructions per fit
//! than the dense version (valgrind callgrind): 39 µs per fitted week on one core of the
//! shared build machine against 91 µs before and 10 ms for R in the same session
//! (`bench/surveillance-r/README.md`).

const MAX_ITERATIONS: usize = 25;
const EPSILON: f64 = 1e-8;

/// Observations and working buffers of one quasi-Poisson fit.
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
    trend_table: Vec<f64>,
    /// `t - t_min` of each observation as an index into `trend_table` (whole times only),
    /// converted once per fit rather than once per iteration.
    t_index: Vec<u32>,
    /// `mu^(1/6)` factors for the Anscombe residuals, per level and per time step.
    level_sixth: Vec<f64>,
    sixth_table: Vec<f64>,
    level_factor: Vec<f64>,
    /// Per-level sums of `w`, `w t` and `w z` of one iteration (the level blocks of
    /// `X' W X` and `X' W z`).
    level_sums: Vec<[f64; 3]>,
    /// Coefficient of each seasonal level, 0 for the reference level.
    level_offset: Vec<f64>,
    /// Time of each observation, centred on the time of the prediction.
    t: Vec<f64>,
    /// Seasonal level of each observation: 0 is the reference level.
    level: Vec<usize>,
    n_levels: usize,
    /// Prior weights.
    prior: Vec<f64>,

    eta: Vec<f64>,
    mu: Vec<f64>,
    /// Working weights `prior * mu` of the last iteration (R's `fit$weights`).
    working: Vec<f64>,
    /// `X' W X` of the last iteration, then its Cholesky factor, then its inverse.
    gram: Vec<f64>,
    rhs: Vec<f64>,
    /// Room for `L^-1` when inverting.
    scratch: Vec<f64>,
    beta: Vec<f64>,
    /// `(X' W X)^-1` of the last iteration (R's unscaled covariance).
    covariance: Vec<f64>,

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
        self.prior.clear();
        self.n_levels = 1;
    }

    /// Adds one observation: count `y` at (centred) time `t` in seasonal level `level`.
    pub(crate) fn push(&mut self, y: f64, t: f64, level: usize) {
        self.push_with(CountTerms::new(y), t, level);
    }

    /// [`Self::push`] with the functions of the count computed once per series by the
    /// caller.
    pub(crate) fn push_with(&mut self, terms: CountTerms, t: f64, level: usize) {
        self.y.push(terms.y);
        self.y_log_y.push(terms.y_log_y);
        self.y_two_thirds.push(terms.y_two_thirds);
        self.log_start.push(terms.log_start);
        // Whole and small: a round trip through an integer (cheaper than `fract`, which
        // is a library call on baseline x86-64).
        self.whole_times &= t.abs() < 1e6 && t == (t as i64) as f64;
        self.t_min = self.t_min.min(t);
        self.t_max = self.t_max.max(t);
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
        self.trend = trend;
        self.p = 1 + usize::from(trend) + (self.n_levels - 1);
        self.converged = false;
        self.usable = false;
        let p = self.p;
        if n < p || self.prior.len() != n {
            return false;
        }
        self.eta.clear();
        self.mu.clear();
        self.working.clear();
        self.working.resize(n, 0.0);
        self.gram.clear();
        self.gram.resize(p * p, 0.0);
        self.rhs.clear();
        self.rhs.resize(p, 0.0);
        self.beta.clear();
        self.beta.resize(p, 0.0);
        self.t_index.clear();
        if trend && self.whole_times {
            let t_min = self.t_min;
            self.t_index
                .extend(self.t.iter().map(|&t| (t - t_min) as u32));
        }
        // R's quasipoisson `initialize`: mustart = y + 0.1.
        self.mu.extend(self.y.iter().map(|&y| y + 0.1));
        self.eta.extend_from_slice(&self.log_start);
        let mut deviance_old = self.deviance();
        for _ in 0..MAX_ITERATIONS {
            self.accumulate_normal_equations();
            // Mirror the upper triangle accumulated above into the lower one.
            for r in 0..p {
                for c in (r + 1)..p {
                    self.gram[c * p + r] = self.gram[r * p + c];
                }
            }
            if !cholesky(&mut self.gram, p) {
                return false;
            }
            self.beta.copy_from_slice(&self.rhs);
            cholesky_solve(&self.gram, p, &mut self.beta);
            if self.beta.iter().any(|b| !b.is_finite()) {
                return false;
            }
            let deviance = self.update_means();
            if !deviance.is_finite() {
                return false;
            }
            if (deviance - deviance_old).abs() / (0.1 + deviance.abs()) < EPSILON {
                self.converged = true;
                break;
            }
            deviance_old = deviance;
        }
        // The covariance of R's summary and predict comes from the QR of the last
        // iteration, whose weights are those of the means before the final update.
        self.covariance.clear();
        self.covariance.resize(p * p, 0.0);
        cholesky_inverse(&self.gram, p, &mut self.scratch, &mut self.covariance);
        self.usable = true;
        self.converged
    }

    /// Accumulates `X' W X` (upper triangle) and `X' W z` for the current means, and keeps
    /// the working weights. The design is sparse and grouped by seasonal level (intercept,
    /// time, one level dummy per row), so one pass gathers five global sums and three sums
    /// per level, and the matrix is assembled from them. Each sum adds the same terms in
    /// the same order as a dense accumulation would, so the result is the same to the bit.
    fn accumulate_normal_equations(&mut self) {
        let p = self.p;
        let trend = self.trend;
        let [sw, swt, swtt, swz, swzt] = if trend {
            self.accumulate_sums::<true>()
        } else {
            self.accumulate_sums::<false>()
        };
        self.gram.fill(0.0);
        self.gram[0] = sw;
        self.rhs[0] = swz;
        if trend {
            self.gram[1] = swt;
            self.gram[p + 1] = swtt;
            self.rhs[1] = swzt;
        }
        let level_column = 1 + usize::from(trend);
        for (level, sums) in self.level_sums.iter().enumerate().skip(1) {
            let c = level_column + level - 1;
            self.gram[c] = sums[0];
            self.gram[c * p + c] = sums[0];
            self.rhs[c] = sums[2];
            if trend {
                self.gram[p + c] = sums[1];
            }
        }
    }

    /// The pass of [`Self::accumulate_normal_equations`], compiled once with and once
    /// without the time terms so that the loop does not branch on the trend. Returns the
    /// global sums of `w`, `w t`, `w t^2`, `w z` and `w z t`; the per-level sums go to
    /// `level_sums` (level 0, the reference, is summed too and not used).
    fn accumulate_sums<const TREND: bool>(&mut self) -> [f64; 5] {
        let n = self.y.len();
        self.level_sums.clear();
        self.level_sums.resize(self.n_levels, [0.0; 3]);
        let level_sums = &mut self.level_sums[..];
        let (y, t, level) = (&self.y[..n], &self.t[..n], &self.level[..n]);
        let (prior, eta, mu) = (&self.prior[..n], &self.eta[..n], &self.mu[..n]);
        let working = &mut self.working[..n];
        let (mut sw, mut swt, mut swtt, mut swz, mut swzt) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for i in 0..n {
            // Log link: d mu / d eta = mu and V(mu) = mu, so the working weight is
            // prior * mu and the working response is eta + (y - mu) / mu.
            let mu = mu[i].max(f64::EPSILON);
            let w = prior[i] * mu;
            // w z = w eta + prior (y - mu): the working response without a division.
            // (Means are kept at or above machine epsilon, so `mu` is `self.mu[i]`.)
            let wz = w * eta[i] + prior[i] * (y[i] - mu);
            working[i] = w;
            sw += w;
            swz += wz;
            let sums = &mut level_sums[level[i]];
            sums[0] += w;
            sums[2] += wz;
            if TREND {
                let t = t[i];
                swt += w * t;
                swtt += w * t * t;
                swzt += wz * t;
                sums[1] += w * t;
            }
        }
        [sw, swt, swtt, swz, swzt]
    }

    /// New linear predictors and means from `beta`; returns the deviance of the new means.
    /// The mean of an observation is `exp(beta_0 + gamma_level) * exp(beta_1 t)`: one `exp`
    /// per level, and for whole times one per fit plus a multiplication per time step
    /// (rounding error near 1e-14, far below the agreement we need), instead of one `exp`
    /// per observation.
    fn update_means(&mut self) -> f64 {
        let n = self.y.len();
        let level_column = 1 + usize::from(self.trend);
        self.level_factor.clear();
        for level in 0..self.n_levels {
            let gamma = if level > 0 {
                self.beta[level_column + level - 1]
            } else {
                0.0
            };
            self.level_factor.push((self.beta[0] + gamma).exp());
        }
        let table = self.trend && self.whole_times && n > 0;
        if table {
            let slope = self.beta[1];
            let step = slope.exp();
            let steps = (self.t_max - self.t_min) as usize + 1;
            self.trend_table.clear();
            let mut value = (slope * self.t_min).exp();
            for _ in 0..steps {
                self.trend_table.push(value);
                value *= step;
            }
        }
        self.level_offset.clear();
        self.level_offset.push(0.0);
        self.level_offset
            .extend_from_slice(&self.beta[level_column..level_column + self.n_levels - 1]);
        match (self.trend, table) {
            (false, _) => self.means_and_deviance::<false, false>(),
            (true, true) => self.means_and_deviance::<true, true>(),
            (true, false) => self.means_and_deviance::<true, false>(),
        }
    }

    /// The pass of [`Self::update_means`], compiled per case (no trend; trend from the
    /// table; trend through `exp`) so that the loop does not branch on them.
    fn means_and_deviance<const TREND: bool, const TABLE: bool>(&mut self) -> f64 {
        let n = self.y.len();
        let beta0 = self.beta[0];
        let slope = if TREND { self.beta[1] } else { 0.0 };
        let (y, t, level) = (&self.y[..n], &self.t[..n], &self.level[..n]);
        let t_index = &self.t_index[..if TABLE { n } else { 0 }];
        let (prior, y_log_y) = (&self.prior[..n], &self.y_log_y[..n]);
        let (eta_out, mu_out) = (&mut self.eta[..n], &mut self.mu[..n]);
        let mut deviance = 0.0;
        for i in 0..n {
            let level = level[i];
            let mut eta = beta0;
            if TREND {
                eta += slope * t[i];
            }
            // gamma of the level, 0 for the reference (adding 0 leaves eta unchanged).
            eta += self.level_offset[level];
            let level_factor = self.level_factor[level];
            let mu = if !TREND {
                level_factor
            } else if TABLE {
                level_factor * self.trend_table[t_index[i] as usize]
            } else {
                exp_out_of_line(eta)
            };
            // Overflowing products fall back to exp(eta); out of line so that the
            // compiler does not evaluate it for every observation.
            let mu = if mu.is_finite() {
                mu.max(f64::EPSILON)
            } else {
                exp_out_of_line(eta).max(f64::EPSILON)
            };
            eta_out[i] = eta;
            mu_out[i] = mu;
            // Poisson deviance 2 * prior * (y log(y / mu) - (y - mu)), with y log y
            // precomputed; log(mu) is eta unless the mean was clamped at machine epsilon.
            // For y = 0 both terms of y log(y / mu) are zero (eta is finite), so no branch.
            let y = y[i];
            let log_mu = if mu > f64::EPSILON { eta } else { mu.ln() };
            let y_log_y_over_mu = y_log_y[i] - y * log_mu;
            deviance += 2.0 * prior[i] * (y_log_y_over_mu - (y - mu));
        }
        deviance
    }

    fn deviance(&self) -> f64 {
        // Poisson deviance 2 * prior * (y log(y / mu) - (y - mu)), with y log y precomputed.
        let mut deviance = 0.0;
        for i in 0..self.y.len() {
            let y = self.y[i];
            let mu = self.mu[i];
            // log(mu) is eta unless the mean was clamped at machine epsilon.
            let log_mu = if mu > f64::EPSILON {
                self.eta[i]
            } else {
                mu.ln()
            };
            let y_log_y_over_mu = if y > 0.0 {
                self.y_log_y[i] - y * log_mu
            } else {
                0.0
            };
            deviance += 2.0 * self.prior[i] * (y_log_y_over_mu - (y - mu));
        }
        deviance
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
        let mut sum = 0.0;
        for i in 0..self.y.len() {
            let residual = (self.y[i] - self.mu[i]) / self.mu[i];
            sum += self.working[i] * residual * residual;
        }
        sum / df as f64
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
        let mut sum = 0.0;
        for i in 0..self.y.len() {
            let residual = (self.y[i] - self.mu[i]) / self.mu[i];
            sum += self.prior[i] * residual * residual;
        }
        sum / df as f64
    }

    /// Whether the fitted model has the time trend.
    pub(crate) fn has_trend(&self) -> bool {
        self.trend && self.usable
    }

    /// Trend coefficient and its unscaled variance.
    pub(crate) fn trend_coefficient(&self) -> Option<(f64, f64)> {
        (self.trend && self.usable).then(|| (self.beta[1], self.covariance[self.p + 1]))
    }

    /// Linear predictor at the prediction time (t = 0 after centring) in seasonal level
    /// `level`, and its unscaled variance `x0' (X'WX)^-1 x0`.
    pub(crate) fn predict_link(&self, level: usize) -> (f64, f64) {
        if !self.usable {
            return (f64::NAN, f64::NAN);
        }
        let p = self.p;
        let mut eta = self.beta[0];
        let mut variance = self.covariance[0];
        if level > 0 && level < self.n_levels {
            let c = 1 + usize::from(self.trend) + level - 1;
            eta += self.beta[c];
            variance += 2.0 * self.covariance[c] + self.covariance[c * p + c];
        }
        (eta, variance)
    }

    /// Anscombe residuals scaled by `sqrt(phi (1 - h))` (surveillance's
    /// `anscombe.residuals`), written into `out`.
    pub(crate) fn anscombe_residuals(&mut self, phi: f64, out: &mut Vec<f64>) {
        out.clear();
        if !self.usable {
            out.resize(self.y.len(), f64::NAN);
            return;
        }
        self.sixth_root_tables();
        let n = self.y.len();
        let p = self.p;
        let level_column = 1 + usize::from(self.trend);
        let table = self.trend && self.whole_times;
        let cov = &self.covariance;
        let (t, levels, mu, working) = (
            &self.t[..n],
            &self.level[..n],
            &self.mu[..n],
            &self.working[..n],
        );
        let y_two_thirds = &self.y_two_thirds[..n];
        let t_index = &self.t_index[..if table { n } else { 0 }];
        for i in 0..n {
            let t = t[i];
            let level = levels[i];
            // Hat value h_i = w_i x_i' (X'WX)^-1 x_i with the sparse x_i = (1, t, e_level).
            let mut quad = cov[0];
            if self.trend {
                quad += 2.0 * t * cov[1] + t * t * cov[p + 1];
            }
            if level > 0 {
                let c = level_column + level - 1;
                quad += 2.0 * cov[c] + cov[c * p + c];
                if self.trend {
                    quad += 2.0 * t * cov[p + c];
                }
            }
            let mut hat = working[i] * quad;
            // R's lm.influence rounds hat values within 10 eps of one to one.
            if hat > 1.0 - 10.0 * f64::EPSILON {
                hat = 1.0;
            }
            let mu = mu[i];
            let root = mu.sqrt();
            // mu^(1/6) from the same factorisation as the mean (exp of a sixth of the
            // level's predictor times a sixth-power trend table) instead of a cube root
            // per observation; the cube root remains for means clamped at machine epsilon
            // and for fractional times.
            let sixth = if mu <= f64::EPSILON || (self.trend && !table) {
                root.cbrt()
            } else if table {
                self.level_sixth[level] * self.sixth_table[t_index[i] as usize]
            } else {
                self.level_sixth[level]
            };
            let a = 1.5 * (y_two_thirds[i] / sixth - root);
            out.push(a / (phi * (1.0 - hat)).sqrt());
        }
    }

    /// `exp(eta / 6)` per level and per time step, from the final coefficients, built
    /// as `update_means` builds the means.
    fn sixth_root_tables(&mut self) {
        let level_column = 1 + usize::from(self.trend);
        self.level_sixth.clear();
        for level in 0..self.n_levels {
            let gamma = if level > 0 {
                self.beta[level_column + level - 1]
            } else {
                0.0
            };
            self.level_sixth.push(((self.beta[0] + gamma) / 6.0).exp());
        }
        self.sixth_table.clear();
        if self.trend && self.whole_times && !self.y.is_empty() {
            let slope = self.beta[1] / 6.0;
            let step = slope.exp();
            let steps = (self.t_max - self.t_min) as usize + 1;
            let mut value = (slope * self.t_min).exp();
            for _ in 0..steps {
                self.sixth_table.push(value);
                value *= step;
            }
        }
    }
}

/// `exp`, kept out of line: called only on the rare paths where a table lookup cannot
/// give the mean.
#[inline(never)]
#[cold]
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

/// In-place Cholesky factorisation (lower triangle) of a symmetric `p x p` matrix.
/// Returns false when the matrix is not positive definite.
fn cholesky(a: &mut [f64], p: usize) -> bool {
    for j in 0..p {
        let mut d = a[j * p + j];
        for &x in &a[j * p..j * p + j] {
            d -= x * x;
        }
        if d.is_nan() || d <= 0.0 {
            return false;
        }
        let d = d.sqrt();
        a[j * p + j] = d;
        for i in (j + 1)..p {
            let mut s = a[i * p + j];
            for (x, y) in a[i * p..i * p + j].iter().zip(&a[j * p..j * p + j]) {
                s -= x * y;
            }
            a[i * p + j] = s / d;
        }
    }
    true
}

/// Solves `L L' x = b` in place, with `L` the lower Cholesky factor.
fn cholesky_solve(l: &[f64], p: usize, x: &mut [f64]) {
    for i in 0..p {
        let mut s = x[i];
        for k in 0..i {
            s -= l[i * p + k] * x[k];
        }
        x[i] = s / l[i * p + i];
    }
    for i in (0..p).rev() {
        let mut s = x[i];
        for k in (i + 1)..p {
            s -= l[k * p + i] * x[k];
        }
        x[i] = s / l[i * p + i];
    }
}

/// Writes `(L L')^-1 = L^-T L^-1` into `out`: first the triangular `L^-1` (into
/// `scratch`), then each entry of the symmetric product once. About a third of the work of
/// solving for the `p` columns of the identity.
fn cholesky_inverse(l: &[f64], p: usize, scratch: &mut Vec<f64>, out: &mut [f64]) {
    scratch.clear();
    scratch.resize(p * p, 0.0);
    let inverse = &mut scratch[..];
    for j in 0..p {
        inverse[j * p + j] = 1.0 / l[j * p + j];
        for i in (j + 1)..p {
            let mut s = 0.0;
            for k in j..i {
                s -= l[i * p + k] * inverse[k * p + j];
            }
            inverse[i * p + j] = s / l[i * p + i];
        }
    }
    for a in 0..p {
        for b in a..p {
            let mut s = 0.0;
            for k in b..p {
                s += inverse[k * p + a] * inverse[k * p + b];
            }
            out[a * p + b] = s;
            out[b * p + a] = s;
        }
    }
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
