//! Upper bounds from a fitted mean: the negative-binomial quantiles of Noufaily et al.
//! (2013) and the power-transformed normal bound of Farrington et al. (1996), computed as
//! R `surveillance` computes them (`algo.farrington.threshold.noufaily`,
//! `algo.farrington.threshold.farrington`, `algo.farrington.threshold`).

use statrs::function::beta::beta_reg;
use statrs::function::gamma::gamma_ur;

/// The bounds of one period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Bounds {
    pub lower: f64,
    pub upper: f64,
    /// Tail probability of the observation (its meaning depends on the method).
    pub probability: f64,
    /// `(y - fit) / (upper - fit)`, with `fit` as the method passes it.
    pub score: f64,
}

/// `algo.farrington.threshold.noufaily`: the `1 - alpha` quantile of a negative binomial
/// with mean `mu0` and variance `phi mu0` (a Poisson when `phi = 1`). With `muan`, `mu0` is
/// the upper `1 - alpha` confidence limit of the mean instead of its estimate. No detector
/// reports the lower bound (they use [`noufaily_upper`]); the whole of it is kept to check
/// both bounds against the package's own tests.
#[cfg(test)]
pub(crate) fn noufaily(
    eta0: f64,
    se_eta0: f64,
    phi: f64,
    alpha: f64,
    y: f64,
    muan: bool,
) -> Bounds {
    let mut bounds = noufaily_upper(eta0, se_eta0, phi, alpha, y, muan);
    let mu0 = noufaily_mean(eta0, se_eta0, alpha, muan);
    if !mu0.is_finite() {
        return bounds;
    }
    let lower = if phi > 1.0 {
        negative_binomial_quantile(alpha, mu0 / (phi - 1.0), 1.0 / phi)
    } else {
        poisson_quantile(alpha, mu0)
    };
    bounds.lower = lower.max(0.0);
    bounds
}

/// [`noufaily`] without the lower bound (`lower` is `NaN`), which no detector reports:
/// a quantile search fewer per period.
pub(crate) fn noufaily_upper(
    eta0: f64,
    se_eta0: f64,
    phi: f64,
    alpha: f64,
    y: f64,
    muan: bool,
) -> Bounds {
    let mu0 = noufaily_mean(eta0, se_eta0, alpha, muan);
    if !mu0.is_finite() {
        return Bounds {
            lower: f64::NAN,
            upper: f64::NAN,
            probability: f64::NAN,
            score: f64::NAN,
        };
    }
    let (upper, probability) = if phi > 1.0 {
        let size = mu0 / (phi - 1.0);
        let prob = 1.0 / phi;
        (
            negative_binomial_quantile(1.0 - alpha, size, prob),
            1.0 - negative_binomial_cdf(y - 1.0, size, prob),
        )
    } else {
        (
            poisson_quantile(1.0 - alpha, mu0),
            1.0 - poisson_cdf(y - 1.0, mu0),
        )
    };
    Bounds {
        lower: f64::NAN,
        upper,
        probability,
        score: (y - eta0) / (upper - eta0),
    }
}

/// The mean the negative-binomial bound is centred on: the plug-in estimate, or with
/// `muan` its upper `1 - alpha` confidence limit.
fn noufaily_mean(eta0: f64, se_eta0: f64, alpha: f64, muan: bool) -> f64 {
    if muan {
        (eta0 + se_eta0 * standard_normal_quantile(1.0 - alpha)).exp()
    } else {
        eta0.exp()
    }
}

/// The power transformation of Farrington et al. (1996) that makes counts near normal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PowerTransformation {
    None,
    SquareRoot,
    #[default]
    TwoThirds,
}

impl PowerTransformation {
    fn exponent_and_se(self, mu0: f64, tau: f64) -> (f64, f64) {
        match self {
            PowerTransformation::None => (1.0, (mu0 * tau).sqrt()),
            PowerTransformation::SquareRoot => (0.5, (0.25 * tau).sqrt()),
            PowerTransformation::TwoThirds => {
                (2.0 / 3.0, (4.0 / 9.0 * mu0.powf(1.0 / 3.0) * tau).sqrt())
            }
        }
    }
}

/// The transformed normal bound around `mu0` with `quantile` standard errors: one-sided
/// `1 - alpha` in Farrington Flexible's `delta` method, two-sided `1 - alpha / 2` in the
/// original `algo.farrington`. `se_mu0` is the standard error of `mu0` on the count scale.
pub(crate) fn farrington_bounds(
    mu0: f64,
    se_mu0: f64,
    phi: f64,
    transformation: PowerTransformation,
    quantile: f64,
    y: f64,
) -> Bounds {
    let tau = phi + se_mu0 * se_mu0 / mu0;
    let (exponent, se) = transformation.exponent_and_se(mu0, tau);
    let centre = mu0.powf(exponent);
    let a = (centre - quantile * se).powf(1.0 / exponent);
    let b = (centre + quantile * se).powf(1.0 / exponent);
    // R sorts the pair with NaN first, then clamps the lower one at zero.
    let (lower, upper) = match (a.is_nan(), b.is_nan()) {
        (true, _) => (a, b),
        (false, true) => (b, a),
        (false, false) => (a.min(b), a.max(b)),
    };
    let lower = if lower.is_nan() { 0.0 } else { lower.max(0.0) };
    let probability = 1.0 - normal_cdf((y.powf(exponent) - centre) / se);
    Bounds {
        lower,
        upper,
        probability,
        score: (y - mu0) / (upper - mu0),
    }
}

/// The standard normal quantile (R's `qnorm`), through statrs' inverse error function.
pub(crate) fn standard_normal_quantile(p: f64) -> f64 {
    -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * p)
}

fn normal_cdf(z: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-z / std::f64::consts::SQRT_2)
}

/// `P(Y <= x)` for a negative binomial with `size` and success probability `prob`
/// (R's `pnbinom`): the regularised incomplete beta `I_prob(size, x + 1)`.
pub(crate) fn negative_binomial_cdf(x: f64, size: f64, prob: f64) -> f64 {
    if x < 0.0 {
        return 0.0;
    }
    beta_reg(size, x.floor() + 1.0, prob)
}

/// `P(Y <= x)` for a Poisson with mean `lambda` (R's `ppois`): the regularised upper
/// incomplete gamma `Q(x + 1, lambda)`.
pub(crate) fn poisson_cdf(x: f64, lambda: f64) -> f64 {
    if x < 0.0 {
        return 0.0;
    }
    if lambda == 0.0 {
        return 1.0;
    }
    gamma_ur(x.floor() + 1.0, lambda)
}

/// R's `qnbinom`: the smallest `y` with `P(Y <= y) >= p (1 - 64 eps)`, searched from the
/// Cornish-Fisher starting point as R searches.
pub(crate) fn negative_binomial_quantile(p: f64, size: f64, prob: f64) -> f64 {
    let q = 1.0 / prob;
    let pp = (1.0 - prob) * q;
    let mu = size * (1.0 - prob) / prob;
    let sigma = (size * pp).sqrt() * q;
    let gamma = (q + pp) / sigma;
    let start = cornish_fisher(p, mu, sigma, gamma);
    discrete_search(
        p,
        start,
        |y| negative_binomial_pmf(y, size, prob),
        |y| (y + size) / (y + 1.0) * (1.0 - prob),
        |y| negative_binomial_cdf(y, size, prob),
    )
}

/// R's `qpois`, searched as R searches.
pub(crate) fn poisson_quantile(p: f64, lambda: f64) -> f64 {
    if lambda == 0.0 {
        return 0.0;
    }
    let sigma = lambda.sqrt();
    let gamma = 1.0 / sigma;
    let start = cornish_fisher(p, lambda, sigma, gamma);
    discrete_search(
        p,
        start,
        |y| poisson_pmf(y, lambda),
        |y| lambda / (y + 1.0),
        |y| poisson_cdf(y, lambda),
    )
}

fn cornish_fisher(p: f64, mu: f64, sigma: f64, gamma: f64) -> f64 {
    let z = standard_normal_quantile(p);
    let y = (mu + sigma * (z + gamma * (z * z - 1.0) / 6.0)).round();
    if y.is_nan() {
        0.0
    } else {
        y.max(0.0)
    }
}

/// Walks from `start` to the smallest `y` with `cdf(y) >= p (1 - 64 eps)`. The cumulative
/// probability is computed once and then updated with the probability mass of each step,
/// which is exact to rounding and far cheaper than a new incomplete beta per step. The mass
/// itself is computed once and then carried from `y` to `y ± 1` by the ratio
/// `ratio(y) = pmf(y + 1) / pmf(y)` (a relative drift of a few ulps over the walk, far
/// below the `64 eps` tolerance of the target), instead of three log-gammas per step.
/// When the starting point is far off (extreme dispersion), the walk gives way to
/// bisection.
fn discrete_search(
    p: f64,
    start: f64,
    pmf: impl Fn(f64) -> f64,
    ratio: impl Fn(f64) -> f64,
    cdf: impl Fn(f64) -> f64,
) -> f64 {
    const MAX_STEPS: u32 = 64;
    let target = p * (1.0 - 64.0 * f64::EPSILON);
    let mut y = start;
    let mut cumulative = cdf(y);
    if cumulative.is_nan() || !y.is_finite() {
        return f64::NAN;
    }
    if cumulative >= target {
        // Step down while the next lower value still reaches the target.
        let mut mass = pmf(y);
        for _ in 0..MAX_STEPS {
            if y == 0.0 {
                return 0.0;
            }
            let below = cumulative - mass;
            if below < target {
                return y;
            }
            y -= 1.0;
            cumulative = below;
            mass /= ratio(y);
            if !(mass.is_finite() && mass > 0.0) {
                mass = pmf(y);
            }
        }
        bisect(-1.0, y, target, &cdf)
    } else {
        let mut mass = pmf(y);
        for _ in 0..MAX_STEPS {
            mass *= ratio(y);
            y += 1.0;
            if !(mass.is_finite() && mass > 0.0) {
                mass = pmf(y);
            }
            cumulative += mass;
            if cumulative >= target {
                return y;
            }
        }
        let mut high = (2.0 * y).max(y + 1.0);
        loop {
            let value = cdf(high);
            if value.is_nan() || high > 1e15 {
                return f64::NAN;
            }
            if value >= target {
                return bisect(y, high, target, &cdf);
            }
            y = high;
            high *= 2.0;
        }
    }
}

/// Smallest integer in `(low, high]` with `cdf >= target`, given `cdf(low) < target` (or
/// `low = -1`) and `cdf(high) >= target`.
fn bisect(mut low: f64, mut high: f64, target: f64, cdf: &impl Fn(f64) -> f64) -> f64 {
    while high - low > 1.0 {
        let middle = ((low + high) / 2.0).floor();
        let value = cdf(middle);
        if value.is_nan() {
            return f64::NAN;
        }
        if value >= target {
            high = middle;
        } else {
            low = middle;
        }
    }
    high
}

fn negative_binomial_pmf(y: f64, size: f64, prob: f64) -> f64 {
    use statrs::function::gamma::ln_gamma;
    (ln_gamma(y + size) - ln_gamma(size) - ln_gamma(y + 1.0)
        + size * prob.ln()
        + y * (1.0 - prob).ln())
    .exp()
}

fn poisson_pmf(y: f64, lambda: f64) -> f64 {
    use statrs::function::gamma::ln_gamma;
    (y * lambda.ln() - lambda - ln_gamma(y + 1.0)).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() <= 1e-6 * expected.abs().max(1.0)
    }

    fn check_noufaily(phi: f64, muan: bool, expected: [f64; 4]) {
        let bounds = noufaily(5f64.ln(), 2f64.ln(), phi, 0.05, 11.0, muan);
        let actual = [bounds.lower, bounds.upper, bounds.probability, bounds.score];
        for (a, e) in actual.iter().zip(expected) {
            assert!(
                close(*a, e),
                "phi {phi} muan {muan}: {actual:?} vs {expected:?}"
            );
        }
    }

    #[test]
    fn the_negative_binomial_plug_in_bound_matches_the_package_tests() {
        check_noufaily(1.5, false, [1.0, 10.0, 0.03763657, 1.11918153]);
        check_noufaily(1.0, false, [2.0, 9.0, 0.01369527, 1.27061541]);
    }

    #[test]
    fn the_muan_bound_matches_the_package_tests() {
        check_noufaily(1.5, true, [8.0, 24.0, 0.8597797, 0.4193982]);
        check_noufaily(1.0, true, [9.0, 22.0, 0.9093099, 0.4605347]);
    }

    fn check_farrington(transformation: PowerTransformation, expected: [f64; 4]) {
        let quantile = standard_normal_quantile(0.95);
        let bounds = farrington_bounds(5.0, 0.2, 1.0, transformation, quantile, 8.0);
        let actual = [bounds.lower, bounds.upper, bounds.probability, bounds.score];
        for (a, e) in actual.iter().zip(expected) {
            assert!(
                close(*a, e),
                "{transformation:?}: {actual:?} vs {expected:?}"
            );
        }
    }

    #[test]
    fn the_power_transformed_bound_matches_the_package_tests() {
        check_farrington(
            PowerTransformation::None,
            [1.3073128, 8.6926872, 0.0907246, 0.8124165],
        );
        check_farrington(
            PowerTransformation::SquareRoot,
            [1.9891097, 9.3744842, 0.1189986, 0.6857951],
        );
        check_farrington(
            PowerTransformation::TwoThirds,
            [1.8084477, 9.1154825, 0.1094727, 0.7289546],
        );
    }

    #[test]
    fn quantiles_are_the_smallest_count_reaching_the_probability() {
        for &(mu, phi) in &[
            (0.3, 1.0),
            (4.0, 1.0),
            (250.0, 1.0),
            (3.0, 2.5),
            (900.0, 4.0),
        ] {
            let (quantile, cdf): (f64, Box<dyn Fn(f64) -> f64>) = if phi > 1.0 {
                let size = mu / (phi - 1.0);
                (
                    negative_binomial_quantile(0.95, size, 1.0 / phi),
                    Box::new(move |y| negative_binomial_cdf(y, size, 1.0 / phi)),
                )
            } else {
                (
                    poisson_quantile(0.95, mu),
                    Box::new(move |y| poisson_cdf(y, mu)),
                )
            };
            assert!(cdf(quantile) >= 0.95 * (1.0 - 64.0 * f64::EPSILON));
            assert!(quantile == 0.0 || cdf(quantile - 1.0) < 0.95);
        }
    }
}
