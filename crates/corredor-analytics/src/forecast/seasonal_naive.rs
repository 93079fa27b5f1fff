//! Seasonal naive forecast: the count of the same period one season earlier,
//! `ŷ(T + h) = y(T + h − m·(⌊(h − 1)/m⌋ + 1))` with `m` the season length.
//!
//! It is the benchmark every seasonal forecast must beat (Hyndman & Athanasopoulos,
//! *Forecasting: Principles and Practice*, 3rd ed., §5.2) and the scale of MASE (Hyndman &
//! Koehler 2006). Assumption: this season repeats the last one. Intervals: see
//! [`super::interval`].

use super::interval::{with_intervals, InSample};
use super::{Forecast, ForecastError, ForecastSettings};

/// Seasonal naive has no parameter; the season length comes from [`ForecastSettings`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeasonalNaiveConfig {}

pub fn forecast_seasonal_naive(
    series: &[f64],
    _config: &SeasonalNaiveConfig,
    settings: &ForecastSettings,
) -> Result<Forecast, ForecastError> {
    super::check_chain(&[series], settings)?;
    let m = settings.season_length.max(1);
    let n = series.len();
    if n < m {
        return Err(ForecastError::TooShort {
            length: n,
            needed: m,
        });
    }
    let mut in_sample = InSample::new(n, settings.horizon);
    for t in (m - 1)..n {
        for h in 1..=settings.horizon {
            let back = m * ((h - 1) / m + 1);
            in_sample.set(t, h, series[t + h - back]);
        }
    }
    let mut diagnostics = Vec::new();
    let steps = with_intervals(series, &in_sample, settings, &mut diagnostics);
    Ok(Forecast { steps, diagnostics })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_repeats_the_same_month_of_the_year_before() {
        let series: Vec<f64> = (0..36).map(|t| (t % 12) as f64 * 10.0).collect();
        let settings = ForecastSettings::monthly(14);
        let forecast =
            forecast_seasonal_naive(&series, &SeasonalNaiveConfig::default(), &settings).unwrap();
        let means: Vec<f64> = forecast.steps.iter().map(|s| s.mean).collect();
        let expected: Vec<f64> = (36..50).map(|t| (t % 12) as f64 * 10.0).collect();
        assert_eq!(means, expected);
        // A series that repeats exactly has no error, so no width either.
        assert_eq!(forecast.steps[0].lower95, forecast.steps[0].upper95);
    }
}
