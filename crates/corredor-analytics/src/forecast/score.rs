//! Accuracy measures for forecasts scored against what happened.
//!
//! * MASE, the mean absolute scaled error (Hyndman & Koehler 2006, "Another look at measures
//!   of forecast accuracy", IJF 22): the absolute error divided by the mean absolute error
//!   of the seasonal naive forecast within the fitting history. Below 1, the forecast beats
//!   what seasonal naive did in-sample; comparable across series of any size.
//! * sMAPE, the symmetric mean absolute percentage error (Makridakis 1993), in percent:
//!   `200 · |y − ŷ| / (|y| + |ŷ|)`, zero when both are zero.
//! * Coverage: the share of actual values inside the prediction interval.

use super::StepForecast;

/// The mean absolute error of the seasonal naive forecast within `history`, the scale of
/// MASE. `None` when it is zero or the history is not longer than one season (the scale
/// would be undefined).
pub fn seasonal_naive_scale(history: &[f64], season_length: usize) -> Option<f64> {
    let m = season_length.max(1);
    if history.len() <= m {
        return None;
    }
    let total: f64 = history.windows(m + 1).map(|w| (w[m] - w[0]).abs()).sum();
    let scale = total / (history.len() - m) as f64;
    (scale > 0.0).then_some(scale)
}

/// The symmetric absolute percentage error of one forecast, in percent.
pub fn symmetric_percentage_error(actual: f64, forecast: f64) -> f64 {
    let denominator = actual.abs() + forecast.abs();
    if denominator == 0.0 {
        0.0
    } else {
        200.0 * (actual - forecast).abs() / denominator
    }
}

/// Running totals of the scores of one model at one horizon.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scoreboard {
    scaled_errors: Vec<f64>,
    percentage_errors: Vec<f64>,
    inside80: usize,
    inside95: usize,
    count: usize,
}

impl Scoreboard {
    /// Adds one forecast. `scale` is [`seasonal_naive_scale`] of its fitting history; a
    /// forecast without a scale still counts for sMAPE and coverage.
    pub fn add(&mut self, actual: f64, step: &StepForecast, scale: Option<f64>) {
        if let Some(scale) = scale {
            self.scaled_errors.push((actual - step.mean).abs() / scale);
        }
        self.percentage_errors
            .push(symmetric_percentage_error(actual, step.mean));
        self.inside80 += usize::from((step.lower80..=step.upper80).contains(&actual));
        self.inside95 += usize::from((step.lower95..=step.upper95).contains(&actual));
        self.count += 1;
    }

    pub fn count(&self) -> usize {
        self.count
    }

    pub fn mase(&self) -> Option<f64> {
        mean(&self.scaled_errors)
    }

    pub fn smape(&self) -> Option<f64> {
        mean(&self.percentage_errors)
    }

    pub fn coverage80(&self) -> Option<f64> {
        (self.count > 0).then(|| self.inside80 as f64 / self.count as f64)
    }

    pub fn coverage95(&self) -> Option<f64> {
        (self.count > 0).then(|| self.inside95 as f64 / self.count as f64)
    }
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_is_the_mean_absolute_seasonal_difference() {
        assert_eq!(seasonal_naive_scale(&[1.0, 3.0, 2.0, 6.0], 2), Some(2.0));
        assert_eq!(seasonal_naive_scale(&[5.0, 5.0, 5.0], 1), None);
        assert_eq!(seasonal_naive_scale(&[5.0], 1), None);
    }

    fn step(mean: f64, lower80: f64, upper80: f64, lower95: f64, upper95: f64) -> StepForecast {
        StepForecast {
            horizon: 1,
            mean,
            lower80,
            upper80,
            lower95,
            upper95,
        }
    }

    #[test]
    fn scores_accumulate_over_forecasts() {
        let mut board = Scoreboard::default();
        board.add(10.0, &step(8.0, 9.0, 11.0, 5.0, 15.0), Some(2.0));
        board.add(0.0, &step(0.0, 0.0, 1.0, 0.0, 1.0), Some(2.0));
        assert_eq!(board.mase(), Some(0.5));
        assert!((board.smape().unwrap() - 200.0 * 2.0 / 18.0 / 2.0).abs() < 1e-12);
        assert_eq!(board.coverage80(), Some(1.0));
        assert_eq!(board.count(), 2);
    }
}
