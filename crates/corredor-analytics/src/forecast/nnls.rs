//! Ridge-regularised least squares with bounds on every coefficient: minimise
//! `‖y − Xw‖² + λ‖w‖²` subject to `0 ≤ w_j ≤ upper`.
//!
//! Method: cyclic coordinate descent on the normal equations. With `λ > 0` the objective is
//! strictly convex and the feasible set is a box, so each exact coordinate minimisation
//! (an unconstrained one-dimensional minimum, clipped to the box) decreases the objective
//! and the iteration converges to the unique minimum (Luo & Tseng 1992, "On the convergence
//! of the coordinate descent method for convex differentiable minimization", JOTA 72). For
//! the handful of lag weights of a corridor leg it is exact to rounding in a few dozen
//! sweeps and needs no matrix factorisation. Non-negative least squares in general:
//! Lawson & Hanson, *Solving Least Squares Problems* (1974), ch. 23; ridge: Hoerl & Kennard
//! (1970), Technometrics 12.

/// The fitted coefficients and the residual sum of squares `‖y − Xw‖²` (without the penalty).
#[derive(Debug, Clone, PartialEq)]
pub struct BoundedFit {
    pub coefficients: Vec<f64>,
    pub residual_sum_of_squares: f64,
}

/// Fits `y ≈ Σ_j w_j · columns[j]` with `0 ≤ w_j ≤ upper`, penalising `ridge · mean(diag XᵀX)
/// · ‖w‖²`, so that the penalty does not depend on the scale of the counts.
pub fn bounded_ridge(y: &[f64], columns: &[Vec<f64>], ridge: f64, upper: f64) -> BoundedFit {
    let p = columns.len();
    let mut gram = vec![0.0; p * p];
    let mut cross = vec![0.0; p];
    for j in 0..p {
        cross[j] = dot(&columns[j], y);
        for k in j..p {
            let value = dot(&columns[j], &columns[k]);
            gram[j * p + k] = value;
            gram[k * p + j] = value;
        }
    }
    let mean_diagonal = (0..p).map(|j| gram[j * p + j]).sum::<f64>() / p.max(1) as f64;
    let penalty = ridge * mean_diagonal;
    let mut w = vec![0.0; p];
    for _sweep in 0..500 {
        let mut largest_change: f64 = 0.0;
        for j in 0..p {
            let diagonal = gram[j * p + j] + penalty;
            if diagonal <= 0.0 {
                w[j] = 0.0;
                continue;
            }
            let others: f64 = (0..p)
                .filter(|&k| k != j)
                .map(|k| gram[j * p + k] * w[k])
                .sum();
            let updated = ((cross[j] - others) / diagonal).clamp(0.0, upper);
            largest_change = largest_change.max((updated - w[j]).abs());
            w[j] = updated;
        }
        if largest_change <= 1e-12 * (1.0 + w.iter().fold(0.0_f64, |a, b| a.max(*b))) {
            break;
        }
    }
    let residual_sum_of_squares = y
        .iter()
        .enumerate()
        .map(|(i, yi)| {
            let fitted: f64 = (0..p).map(|j| w[j] * columns[j][i]).sum();
            (yi - fitted).powi(2)
        })
        .sum();
    BoundedFit {
        coefficients: w,
        residual_sum_of_squares,
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(y: &[f64], columns: &[Vec<f64>], upper: f64, expected: &[f64]) {
        let fit = bounded_ridge(y, columns, 0.0, upper);
        for (got, want) in fit.coefficients.iter().zip(expected) {
            assert!(
                (got - want).abs() < 1e-6,
                "{:?} vs {expected:?}",
                fit.coefficients
            );
        }
    }

    #[test]
    fn an_exact_fit_is_recovered() {
        let a = vec![1.0, 2.0, 3.0, 4.0, 1.0];
        let b = vec![0.0, 1.0, 0.0, 2.0, 5.0];
        let y: Vec<f64> = a.iter().zip(&b).map(|(x, z)| 0.5 * x + 0.2 * z).collect();
        check(&y, &[a, b], 10.0, &[0.5, 0.2]);
    }

    #[test]
    fn a_negatively_related_column_gets_zero_not_a_negative_weight() {
        let a = vec![1.0, 2.0, 3.0, 4.0];
        let b = vec![4.0, 3.0, 2.0, 1.0];
        let y: Vec<f64> = a.iter().zip(&b).map(|(x, z)| x - 0.5 * z).collect();
        let fit = bounded_ridge(&y, &[a, b], 0.0, 10.0);
        assert_eq!(fit.coefficients[1], 0.0);
        assert!(fit.coefficients[0] > 0.0);
    }

    #[test]
    fn weights_stop_at_the_upper_bound() {
        let a = vec![1.0, 2.0, 3.0];
        let y = vec![3.0, 6.0, 9.0];
        check(&y, &[a], 1.0, &[1.0]);
    }

    #[test]
    fn ridge_shrinks_towards_zero() {
        let a = vec![1.0, 2.0, 3.0];
        let y = vec![1.0, 2.0, 3.0];
        let fit = bounded_ridge(&y, &[a], 0.5, 10.0);
        assert!((fit.coefficients[0] - 1.0 / 1.5).abs() < 1e-9, "{fit:?}");
    }
}
