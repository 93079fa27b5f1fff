//! Surge detection on count series: does this period's count exceed what the series' own
//! history makes plausible?
//!
//! Three families of detectors from public-health surveillance, ported from the R package
//! `surveillance` (Salmon, Schumacher & Höhle 2016, *Monitoring count time series in R:
//! aberration detection in public health surveillance*, J Stat Softw 70(10)) so that they
//! give the same alarms and bounds as R:
//!
//! - [`farrington_flexible`]: the improved Farrington method of Noufaily et al. (2013,
//!   *An improved algorithm for outbreak detection in multiple surveillance systems*,
//!   Stat Med 32: 1206–1222), R's `farringtonFlexible`. For long weekly or monthly series
//!   with seasonality and trend.
//! - [`farrington`]: the original method of Farrington et al. (1996, *A statistical
//!   algorithm for the early detection of outbreaks of infectious disease*, JRSS A 159:
//!   547–563) with the 2/3 power transformation, R's `algo.farrington`.
//! - [`ears`]: EARS C1, C2 and C3 (Hutwagner et al. 2003, *The bioterrorism preparedness
//!   and response Early Aberration Reporting System (EARS)*, J Urban Health 80: i89–i96),
//!   R's `earsC`. For short series without history.
//!
//! Every detector is a function of a borrowed [`Series`], a configuration struct whose
//! `Default` is R's default, and the range of periods to evaluate. It returns one
//! [`Detection`] per evaluated period; a period that cannot be evaluated (too short a
//! history, a model that does not converge) carries a [`Diagnostic`] instead of bounds.
//! Nothing here does I/O or panics on finite input.

mod ears;
mod farrington;
mod flexible;
mod glm;
mod threshold;

pub use ears::{ears, EarsConfig, EarsMethod};
pub use farrington::{farrington, FarringtonConfig};
pub use flexible::{farrington_flexible, FarringtonFlexibleConfig, ThresholdMethod};
pub use threshold::PowerTransformation;

use corredor_core::{Granularity, Period};

/// A count series to scan: consecutive periods, one count each.
///
/// Counts are `f64` so that one type serves files and stored data; a missing count is
/// `NaN` (R's `NA`): Farrington fits leave it out, EARS gives no result where it is needed.
/// A series on a calendar (ISO weeks or months) knows its first period, and Farrington
/// Flexible then finds its reference periods by calendar years as R does with dates; an
/// indexed series uses `t - frequency * j` as R does without dates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Series<'a> {
    counts: &'a [f64],
    frequency: usize,
    start: Option<Period>,
}

impl<'a> Series<'a> {
    /// A series without dates: period `i` is the `i`-th count, `frequency` periods a year
    /// (52 for weeks, 12 for months).
    pub fn indexed(counts: &'a [f64], frequency: usize) -> Series<'a> {
        Series {
            counts,
            frequency: frequency.max(1),
            start: None,
        }
    }

    /// A series on a calendar starting at `start`, an ISO week (52 periods a year) or a
    /// month (12). Other granularities have no seasonal cycle the methods know.
    pub fn calendar(counts: &'a [f64], start: Period) -> Result<Series<'a>, DetectionError> {
        let frequency = match start.granularity() {
            Granularity::Week => 52,
            Granularity::Month => 12,
            granularity => return Err(DetectionError::UnsupportedGranularity { granularity }),
        };
        Ok(Series {
            counts,
            frequency,
            start: Some(start),
        })
    }

    pub fn counts(&self) -> &'a [f64] {
        self.counts
    }

    pub fn frequency(&self) -> usize {
        self.frequency
    }

    /// The first period, when the series is on a calendar.
    pub fn start(&self) -> Option<Period> {
        self.start
    }

    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }
}

/// What went wrong building a [`Series`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetectionError {
    #[error("detection needs weekly or monthly periods, not {granularity}")]
    UnsupportedGranularity { granularity: Granularity },
}

/// The verdict on one period.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// Position of the period in the series (0 is the first count).
    pub index: usize,
    pub observed: f64,
    /// The count the model expects (`None` where the method gives none, as R's `NA`).
    pub expected: Option<f64>,
    /// The count above which the period is a surge.
    pub upper_bound: Option<f64>,
    pub alarm: bool,
    /// How far the count is towards the bound: above 1 means above it. For Farrington
    /// methods R's `(y - fit) / (upper - fit)`; for EARS the C statistic over its critical
    /// value.
    pub score: Option<f64>,
    /// Model details of the Farrington methods.
    pub fit: Option<FitDetails>,
    /// Why there is no result, or what limited it.
    pub diagnostic: Option<Diagnostic>,
}

/// What Farrington Flexible's model said about a period (R's `control` matrices).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitDetails {
    /// Mean used for the bound (`mu0Vector`).
    pub mu0: f64,
    /// Dispersion, at least 1 (`phiVector`).
    pub phi: f64,
    /// The time-trend coefficient, when the trend was kept (`trendVector`).
    pub trend: Option<f64>,
    /// Probability of a count at least as large as observed under the model (`pvalue`).
    pub p_value: f64,
}

/// Why a period has no (or a limited) result. These are values, not errors: messy series
/// are normal input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Diagnostic {
    /// The series does not reach back far enough for the reference periods.
    TooShortHistory,
    /// The model did not converge with or without trend.
    NoFit,
    /// Fewer cases than `limit54` asks for in the last periods: no bound, no alarm.
    TooFewCases,
    /// A count needed by the method is missing.
    MissingCount,
}

impl Diagnostic {
    pub fn as_str(self) -> &'static str {
        match self {
            Diagnostic::TooShortHistory => "too_short_history",
            Diagnostic::NoFit => "no_fit",
            Diagnostic::TooFewCases => "too_few_cases",
            Diagnostic::MissingCount => "missing_count",
        }
    }
}

impl Detection {
    fn without_result(index: usize, observed: f64, diagnostic: Diagnostic) -> Detection {
        Detection {
            index,
            observed,
            expected: None,
            upper_bound: None,
            alarm: false,
            score: None,
            fit: None,
            diagnostic: Some(diagnostic),
        }
    }
}

/// `Some(x)` for a number, `None` for R's `NA`.
fn finite(x: f64) -> Option<f64> {
    (!x.is_nan()).then_some(x)
}

/// Whether at least `cases` were counted in the `periods` periods ending at `k` (R's
/// `limit54`). A missing count or a window before the start counts as not enough.
fn enough_cases(counts: &[f64], k: usize, cases: f64, periods: usize) -> bool {
    if periods == 0 || k + 1 < periods {
        return false;
    }
    let sum: f64 = counts[k + 1 - periods..=k].iter().sum();
    sum >= cases
}
