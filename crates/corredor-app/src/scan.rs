//! The scan: every flow series in the store run through a surge detector, the alarms kept as
//! signals for an analyst of the owning country to verify.
//!
//! **Which series.** For every flow measure (irregular entries, encounters, asylum
//! applications, returns) and each granularity the detectors know (ISO weeks, months): every
//! country × place × nationality series as reported, each country's total (its country-level
//! values, or the sum of its places when it reports no country total), each country's total
//! per nationality, and per corridor the sum of its countries' totals. That sum counts the
//! same people at every point, so it is a series of events; it is kept only over the periods
//! every contributing country reports, so that a country that starts reporting does not look
//! like a surge. A stock (people stranded, shelter occupancy) is never scanned: its level is
//! not a count of new arrivals, and a full shelter is a capacity question, not a surge.
//! Data are read at the granularity they were reported in (`Store::series`, nothing rolled
//! up), and a period a country did not report is missing (R's `NA`), not zero.
//!
//! **Which algorithm.** Farrington Flexible (Noufaily et al. 2013, Stat Med 32: 1206–1222;
//! R `surveillance::farringtonFlexible`) when the series reaches at least three full years
//! back from the first evaluated period: it models seasonality and trend from the same time
//! of year in past years and discounts past outbreaks, which is what flows along the corridor
//! need (the yearly rhythm of the dry season, the growth of 2021–2023). Its settings are R's
//! defaults (`b = 5`, `w = 3`, `alpha = 0.05`, reweighting, trend, `limit54 = (5, 4)`,
//! `noPeriods = 1`, `delta` threshold), with `b` cut to the full years available (down to 3)
//! and, for months, the window and `limit54` adapted to the frequency: `w = 1` (a month each
//! side spans about what R's three weeks each side do) and at least 5 cases in the last
//! month. A shorter series gets EARS C2 (Hutwagner et al. 2003, J Urban Health 80: i89–i96;
//! R `earsC`, baseline 7, R's `alpha = 0.001` for C2), which needs only the seven periods
//! before a guard band of two, plus the same floor of 5 cases in the period, since on a
//! baseline of zeros and ones it would otherwise alarm on a handful of people. C2 rather than
//! C3: C2's bound is the baseline mean plus `z` standard deviations, a bound a person can
//! read on a chart and that flags the surging period itself, whereas C3 (R's bound
//! `max(0, y + s (z - sum))`) alarms from the two periods before it and with its stricter
//! `alpha` left out cries wolf on the volatile monthly flows of the corridor.
//!
//! **Which periods.** The last `evaluate_last` periods of the data of each granularity
//! (default 12 months, 26 weeks): recent enough to matter to a focal point, long enough to
//! cover one report that arrives late. The latest period is the latest reported by any
//! country, so a country that stopped reporting is not evaluated on periods of years ago.
//!
//! **Honesty.** A series whose counts are all equal (all zero included) is not run at all: no
//! model can tell a surge in it, and none is claimed. An alarm needs a count above the
//! expected value. Re-scanning records nothing twice and never touches a recorded decision
//! (see `Store::record_signals`).
//!
//! The fits run on all cores (rayon) inside `tokio::task::spawn_blocking`, so a scan never
//! stalls the web server's threads.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::time::{Duration, Instant};

use corredor_analytics::detection::{
    ears, farrington_flexible, Detection, EarsConfig, EarsMethod, FarringtonFlexibleConfig, Series,
    ThresholdMethod,
};
use corredor_core::{
    authorize, Action, Caller, CountryCode, Granularity, Measure, MeasureKind, Nationality, Period,
    PlaceCode, SignalKind, SignalOutcome,
};
use corredor_store::{
    AlgorithmStatistics, DimensionFilter, GroupBy, NewSignal, PlaceFilter, SeriesQuery,
    SignalDecision, SignalFilter, SignalScope, StoredSignal,
};
use rayon::prelude::*;
use serde::Serialize;

use crate::{App, AppError};

/// The granularities scanned: those with a seasonal cycle the detectors know.
const GRANULARITIES: [Granularity; 2] = [Granularity::Week, Granularity::Month];

/// Periods evaluated when the request names none.
pub const DEFAULT_EVALUATE_LAST_MONTHS: usize = 12;
pub const DEFAULT_EVALUATE_LAST_WEEKS: usize = 26;

/// Fewest full years of history for Farrington Flexible; shorter series get EARS C2.
const MIN_YEARS: usize = 3;
/// R's default number of years back.
const MAX_YEARS: usize = 5;
/// Fewest cases in a period for an EARS alarm (Farrington's `limit54` cases).
const MIN_CASES: f64 = 5.0;

pub const FARRINGTON_FLEXIBLE: &str = "farrington-flexible";
pub const EARS_C2: &str = "ears-c2";

/// What to scan.
#[derive(Debug, Clone, Default)]
pub struct ScanRequest {
    /// Only these countries' series (the corridor aggregates are scanned always); empty means
    /// every country.
    pub countries: Vec<CountryCode>,
    /// Periods evaluated at the end of the data; `None` means 12 months and 26 weeks.
    pub evaluate_last: Option<usize>,
}

/// What a scan did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanReport {
    /// Series run through a detector (constant and too short series are not counted).
    pub series_scanned: u64,
    /// Signals recorded for the first time.
    pub signals_new: u64,
    /// Alarms this scan found, new or already recorded.
    pub signals_total: u64,
    #[serde(serialize_with = "seconds")]
    pub elapsed: Duration,
}

fn seconds<S: serde::Serializer>(elapsed: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(elapsed.as_secs_f64())
}

/// A signal with what a person needs to verify it: every decision taken, and the series
/// around the period with the detector's expected value and bound for each period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalDetail {
    pub signal: StoredSignal,
    pub decisions: Vec<SignalDecision>,
    pub history: Vec<SignalHistoryPoint>,
}

/// One period of the series around a signal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalHistoryPoint {
    pub period: Period,
    /// `None` where the country did not report.
    pub observed: Option<f64>,
    pub expected: Option<f64>,
    pub upper_bound: Option<f64>,
    pub alarm: bool,
}

/// A series view: owner, measure, granularity and the dimension broken down by.
type ViewKey = (SignalScope, Measure, Granularity, Option<crate::Dimension>);
/// A line of a view: its place or its nationality.
type LineKey = (Option<PlaceCode>, Option<Nationality>);

/// The periods of a series whose counts a caller sees.
#[derive(Debug, Clone, Default)]
struct SeriesView {
    shown: BTreeSet<Period>,
}

impl SeriesView {
    fn shown(&self, period: &Period) -> bool {
        self.shown.contains(period)
    }
}

/// One series to scan: who it belongs to and its counts from `start`, one per period.
#[derive(Debug, Clone)]
struct SeriesJob {
    scope: SignalScope,
    place: Option<PlaceCode>,
    measure: Measure,
    nationality: Option<Nationality>,
    start: Period,
    counts: Vec<f64>,
    evaluate: Range<usize>,
}

/// The detector chosen for a series, with its settings.
enum Detector {
    Flexible(FarringtonFlexibleConfig),
    Ears(EarsConfig),
}

impl Detector {
    /// Farrington Flexible when the series reaches `MIN_YEARS` full years (plus the window)
    /// back from `first_evaluated`; EARS C2 otherwise. `None` for a weekly or monthly series
    /// too short even for EARS.
    fn choose(granularity: Granularity, first_evaluated: usize) -> Option<Detector> {
        let (frequency, w, limit54) = match granularity {
            Granularity::Week => (52, 3, (5.0, 4)),
            Granularity::Month => (12, 1, (5.0, 1)),
            _ => return None,
        };
        let years = first_evaluated.saturating_sub(w) / frequency;
        if years >= MIN_YEARS {
            return Some(Detector::Flexible(FarringtonFlexibleConfig {
                b: years.min(MAX_YEARS),
                w,
                limit54,
                ..FarringtonFlexibleConfig::default()
            }));
        }
        let ears = EarsConfig::for_method(EarsMethod::C2);
        // C2 looks at the baseline before a guard band of two periods.
        (first_evaluated >= ears.baseline + 2).then_some(Detector::Ears(ears))
    }

    /// The detector a signal was found with, from its recorded algorithm and parameters, so
    /// that the series around a signal is shown with the bounds that flagged it.
    fn recorded(algorithm: &str, parameters: &serde_json::Value) -> Option<Detector> {
        let number = |name: &str| parameters.get(name).and_then(serde_json::Value::as_u64);
        match algorithm {
            FARRINGTON_FLEXIBLE => {
                let limit54 = parameters.get("limit54")?;
                Some(Detector::Flexible(FarringtonFlexibleConfig {
                    b: usize::try_from(number("b")?).ok()?,
                    w: usize::try_from(number("w")?).ok()?,
                    limit54: (
                        limit54.get(0)?.as_f64()?,
                        usize::try_from(limit54.get(1)?.as_u64()?).ok()?,
                    ),
                    ..FarringtonFlexibleConfig::default()
                }))
            }
            EARS_C2 => Some(Detector::Ears(EarsConfig::for_method(EarsMethod::C2))),
            _ => None,
        }
    }

    fn algorithm(&self) -> &'static str {
        match self {
            Detector::Flexible(_) => FARRINGTON_FLEXIBLE,
            Detector::Ears(_) => EARS_C2,
        }
    }

    fn parameters(&self) -> serde_json::Value {
        match self {
            Detector::Flexible(config) => serde_json::json!({
                "b": config.b,
                "w": config.w,
                "reweight": config.reweight,
                "weights_threshold": config.weights_threshold,
                "alpha": config.alpha,
                "trend": config.trend,
                "p_threshold_trend": config.p_threshold_trend,
                "limit54": [config.limit54.0, config.limit54.1],
                "no_periods": config.no_periods,
                "past_periods_not_included": config.past_weeks_not_included.unwrap_or(config.w),
                "threshold_method": match config.threshold_method {
                    ThresholdMethod::Delta => "delta",
                    ThresholdMethod::NbPlugin => "nbPlugin",
                    ThresholdMethod::Muan => "muan",
                },
            }),
            Detector::Ears(config) => serde_json::json!({
                "method": "C2",
                "baseline": config.baseline,
                "alpha": config.alpha(),
                "min_cases": MIN_CASES,
            }),
        }
    }

    fn run(&self, series: &Series<'_>, evaluate: Range<usize>) -> Vec<Detection> {
        match self {
            Detector::Flexible(config) => farrington_flexible(series, config, evaluate),
            Detector::Ears(config) => {
                let mut detections = ears(series, config, evaluate);
                for detection in &mut detections {
                    if detection.observed < MIN_CASES {
                        detection.alarm = false;
                    }
                }
                detections
            }
        }
    }
}

impl SeriesJob {
    fn granularity(&self) -> Granularity {
        self.start.granularity()
    }

    /// Runs the chosen detector; `None` when the series is constant or too short.
    fn detect(&self) -> Option<(Detector, Vec<Detection>)> {
        if is_constant(&self.counts) {
            return None;
        }
        let detector = Detector::choose(self.granularity(), self.evaluate.start)?;
        let series = Series::calendar(&self.counts, self.start).ok()?;
        let detections = detector.run(&series, self.evaluate.clone());
        Some((detector, detections))
    }

    /// The alarms of the scan as signals.
    fn signals(&self, detected_at: chrono::DateTime<chrono::Utc>) -> Option<Vec<NewSignal>> {
        let (detector, detections) = self.detect()?;
        let parameters = detector.parameters();
        Some(
            detections
                .iter()
                .filter(|d| d.alarm)
                .filter_map(|d| {
                    let expected = d.expected?;
                    let upper_bound = d.upper_bound?;
                    if d.observed.partial_cmp(&expected) != Some(std::cmp::Ordering::Greater) {
                        return None;
                    }
                    let score = d.score.unwrap_or_else(|| {
                        (d.observed - expected) / (upper_bound - expected).max(f64::EPSILON)
                    });
                    Some(NewSignal {
                        kind: SignalKind::Surge,
                        scope: self.scope.clone(),
                        place: self.place.clone(),
                        measure: self.measure,
                        nationality: self.nationality,
                        period: self.start.offset(d.index as i64),
                        observed: Some(d.observed),
                        expected,
                        upper_bound,
                        score,
                        algorithm: detector.algorithm().to_owned(),
                        parameters: parameters.clone(),
                        detected_at,
                    })
                })
                .collect(),
        )
    }
}

/// Whether every reported count is the same (all zero included).
fn is_constant(counts: &[f64]) -> bool {
    let mut finite = counts.iter().filter(|count| !count.is_nan());
    match finite.next() {
        None => true,
        Some(first) => finite.all(|count| count == first),
    }
}

/// Counts per period, keyed by series.
type SeriesKey = (CountryCode, Option<PlaceCode>, Option<Nationality>);
type Points = BTreeMap<Period, u64>;

impl App {
    /// Scans the stored flow series for surges and records the alarms as signals. See the
    /// module documentation for the series, algorithms and periods.
    #[tracing::instrument(skip_all, fields(countries = request.countries.len()))]
    pub async fn scan(&self, request: &ScanRequest) -> Result<ScanReport, AppError> {
        let started = Instant::now();
        let corridors = self.store.corridors().await?;
        let mut jobs = Vec::new();
        for measure in Measure::ALL.iter().copied() {
            if measure.kind() != MeasureKind::Flow {
                continue;
            }
            for granularity in GRANULARITIES {
                jobs.extend(
                    self.series_jobs(request, &corridors, measure, granularity)
                        .await?,
                );
            }
        }
        let detected_at = self.clock.now();
        let (series_scanned, signals) = tokio::task::spawn_blocking(move || {
            let results: Vec<Option<Vec<NewSignal>>> = jobs
                .par_iter()
                .map(|job| job.signals(detected_at))
                .collect();
            let scanned = results.iter().filter(|result| result.is_some()).count() as u64;
            let signals: Vec<NewSignal> = results.into_iter().flatten().flatten().collect();
            (scanned, signals)
        })
        .await
        .map_err(|error| AppError::Internal(anyhow::anyhow!("the scan stopped: {error}")))?;
        let signals_new = self.store.record_signals(&signals).await?;
        let report = ScanReport {
            series_scanned,
            signals_new,
            signals_total: signals.len() as u64,
            elapsed: started.elapsed(),
        };
        tracing::info!(
            series_scanned,
            signals_new,
            signals_total = report.signals_total,
            "scan recorded"
        );
        Ok(report)
    }

    /// The scan after an import: the series of the importing countries (`country`, or the
    /// countries of the rows when a multi-country export is restored) and the corridor sums.
    /// A failed scan is logged and gives `None`: the import stands, the next scan catches up.
    pub(crate) async fn scan_after_import(
        &self,
        country: Option<CountryCode>,
        observations: &[corredor_core::Observation],
    ) -> Option<ScanReport> {
        let countries: Vec<CountryCode> = match country {
            Some(country) => vec![country],
            None => observations
                .iter()
                .map(|observation| observation.key.country)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        };
        if countries.is_empty() {
            return None;
        }
        let request = ScanRequest {
            countries,
            evaluate_last: None,
        };
        match self.scan(&request).await {
            Ok(report) => Some(report),
            Err(error) => {
                tracing::warn!(error = ?error, "the surge scan after the import failed");
                None
            }
        }
    }

    /// The stored signals the filter selects that `caller` may read: a country's signal
    /// with its data, a corridor sum when every country of the corridor shares the measure.
    pub async fn signals(
        &self,
        caller: &Caller,
        filter: &SignalFilter,
    ) -> Result<Vec<StoredSignal>, AppError> {
        let signals = self.store.signals(filter).await?;
        let readable = self.readable(caller).await?;
        if readable.is_everything() {
            return Ok(signals);
        }
        let corridors = self.store.corridors().await?;
        let mut signals: Vec<StoredSignal> = signals
            .into_iter()
            .filter(|signal| signal_readable(&readable, &corridors, signal))
            .collect();
        if caller.needs_suppression() {
            let mut views = HashMap::new();
            for signal in &mut signals {
                let view = self.series_view(caller, &signal.signal, &mut views).await?;
                if !view.shown(&signal.signal.period) {
                    signal.signal.observed = None;
                }
            }
        }
        Ok(signals)
    }

    /// The statuses of a signal's series as `caller` sees it in the series views, by period:
    /// a signal never shows a count its series hides. One series view serves every signal of
    /// the same owner, measure, granularity and breakdown (all nationalities of a country at
    /// once), so a list of signals costs a few views, not one per signal.
    async fn series_view(
        &self,
        caller: &Caller,
        signal: &NewSignal,
        views: &mut HashMap<ViewKey, HashMap<LineKey, SeriesView>>,
    ) -> Result<SeriesView, AppError> {
        let dimension = match (&signal.place, signal.nationality) {
            (None, None) => None,
            (Some(_), None) => Some(crate::Dimension::Place),
            (None, Some(_)) => Some(crate::Dimension::Nationality),
            // A place by nationality is two breakdowns: not a series these callers read.
            (Some(_), Some(_)) => return Ok(SeriesView::default()),
        };
        let key: ViewKey = (
            signal.scope.clone(),
            signal.measure,
            signal.period.granularity(),
            dimension,
        );
        let line: LineKey = (signal.place.clone(), signal.nationality);
        if let Some(lines) = views.get(&key) {
            return Ok(lines.get(&line).cloned().unwrap_or_default());
        }
        let mut request = crate::SeriesRequest::new(signal.measure, signal.period.granularity());
        request.countries = match &signal.scope {
            SignalScope::Country(country) => vec![*country],
            SignalScope::Corridor(code) => self
                .store
                .corridor(code)
                .await?
                .nodes()
                .iter()
                .map(|node| node.country)
                .collect(),
        };
        request.by = dimension.into_iter().collect();
        let lines: HashMap<LineKey, SeriesView> = match self.series(caller, &request).await {
            Ok(response) => response
                .lines
                .iter()
                .map(|line| {
                    (
                        (line.place.clone(), line.nationality),
                        SeriesView {
                            shown: line
                                .points
                                .iter()
                                .filter(|point| point.suppressed.is_none())
                                .map(|point| point.period)
                                .collect(),
                        },
                    )
                })
                .collect(),
            // A view these callers may not read: none of its counts is shown.
            Err(AppError::Invalid(_)) => HashMap::new(),
            Err(error) => return Err(error),
        };
        let view = lines.get(&line).cloned().unwrap_or_default();
        views.insert(key, lines);
        Ok(view)
    }

    /// One signal with its decisions and its series around the period (three years before,
    /// up to six periods after), with the detector's expected values and bounds.
    pub async fn signal_detail(&self, caller: &Caller, id: i64) -> Result<SignalDetail, AppError> {
        let signal = self.store.signal(id).await?;
        let readable = self.readable(caller).await?;
        if !signal_readable(&readable, &self.store.corridors().await?, &signal) {
            // Not "forbidden": whether another country's signal exists is not shared either.
            return Err(AppError::NotFound {
                what: format!("signal {id}"),
            });
        }
        let decisions = self.store.signal_decisions(id).await?;
        let mut history = self.signal_history(&signal).await?;
        let mut signal = signal;
        if caller.needs_suppression() {
            let view = self
                .series_view(caller, &signal.signal, &mut HashMap::new())
                .await?;
            if !view.shown(&signal.signal.period) {
                signal.signal.observed = None;
            }
            for point in &mut history {
                if !view.shown(&point.period) {
                    point.observed = None;
                }
            }
        }
        Ok(SignalDetail {
            signal,
            decisions,
            history,
        })
    }

    /// Records the outcome of verifying a signal: only the focal points and analysts of the
    /// country owning the series decide (the secretariat for a corridor sum), and the
    /// decision names who took it.
    pub async fn decide_signal(
        &self,
        caller: &Caller,
        id: i64,
        outcome: SignalOutcome,
        reason: &str,
    ) -> Result<StoredSignal, AppError> {
        if *caller == Caller::Anonymous {
            return Err(AppError::Unauthenticated);
        }
        let signal = self.store.signal(id).await?;
        authorize(caller, &Action::DecideSignal(signal.signal.scope.country()))?;
        let decided_by = caller.actor_name();
        let mut problems = Vec::new();
        for (field, text) in [("reason", reason)] {
            if text.trim().is_empty() {
                problems.push(corredor_exchange::Problem::new(
                    "request",
                    0,
                    Some(field),
                    format!("`{field}` must not be empty: say who decides and why"),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        Ok(self
            .acting(caller)
            .decide_signal(
                id,
                outcome,
                decided_by.trim(),
                reason.trim(),
                self.clock.now(),
            )
            .await?)
    }

    /// Signals and decisions per algorithm, with the share discarded (counts of signals, not
    /// of people: shared with everyone signed in).
    pub async fn signal_statistics(&self) -> Result<Vec<AlgorithmStatistics>, AppError> {
        Ok(self.store.signal_statistics().await?)
    }

    /// The series of every country, place and nationality of one measure and granularity,
    /// the country totals and the corridor sums, as jobs for the detectors.
    async fn series_jobs(
        &self,
        request: &ScanRequest,
        corridors: &[corredor_core::Corridor],
        measure: Measure,
        granularity: Granularity,
    ) -> Result<Vec<SeriesJob>, AppError> {
        let query = |countries: Vec<CountryCode>, nationality: bool| SeriesQuery {
            measure,
            countries,
            places: PlaceFilter::Any,
            granularity,
            group_by: GroupBy {
                country: true,
                place: true,
                nationality,
                ..GroupBy::default()
            },
            nationality: DimensionFilter::Any,
            sex: DimensionFilter::Any,
            age_group: DimensionFilter::Any,
            vulnerability: DimensionFilter::Any,
            from: None,
            to: None,
        };
        // Totals of every country, for the corridor sums; the nationality breakdown only of
        // the countries asked for.
        let totals = self.store.series(&query(Vec::new(), false)).await?;
        if totals.is_empty() {
            return Ok(Vec::new());
        }
        let by_nationality = self
            .store
            .series(&query(request.countries.clone(), true))
            .await?;

        let mut series: HashMap<SeriesKey, Points> = HashMap::new();
        for row in totals.iter().chain(by_nationality.iter()) {
            let Some(country) = row.country else { continue };
            series
                .entry((country, row.place.clone(), row.nationality))
                .or_default()
                .insert(row.period, row.value);
        }
        add_country_sums(&mut series);

        let latest = series
            .values()
            .filter_map(|points| points.keys().next_back())
            .max()
            .copied()
            .expect("a store series with rows has a latest period");
        let evaluate_last = request.evaluate_last.unwrap_or(match granularity {
            Granularity::Week => DEFAULT_EVALUATE_LAST_WEEKS,
            _ => DEFAULT_EVALUATE_LAST_MONTHS,
        });
        let first_evaluated = latest.offset(1 - evaluate_last.max(1) as i64);

        let mut jobs = Vec::new();
        for corridor in corridors {
            let countries: Vec<CountryCode> =
                corridor.nodes().iter().map(|node| node.country).collect();
            if let Some(points) = corridor_sum(&series, &countries) {
                let scope = SignalScope::Corridor(corridor.code().clone());
                jobs.extend(job(scope, None, measure, None, &points, first_evaluated));
            }
        }
        for ((country, place, nationality), points) in &series {
            if !request.countries.is_empty() && !request.countries.contains(country) {
                continue;
            }
            jobs.extend(job(
                SignalScope::Country(*country),
                place.clone(),
                measure,
                *nationality,
                points,
                first_evaluated,
            ));
        }
        Ok(jobs)
    }

    async fn signal_history(
        &self,
        signal: &StoredSignal,
    ) -> Result<Vec<SignalHistoryPoint>, AppError> {
        let wanted = &signal.signal;
        let granularity = wanted.period.granularity();
        let countries: Vec<CountryCode> = match &wanted.scope {
            SignalScope::Country(country) => vec![*country],
            SignalScope::Corridor(code) => self
                .store
                .corridor(code)
                .await?
                .nodes()
                .iter()
                .map(|node| node.country)
                .collect(),
        };
        let rows = self
            .store
            .series(&SeriesQuery {
                measure: wanted.measure,
                countries: countries.clone(),
                places: PlaceFilter::Any,
                granularity,
                group_by: GroupBy {
                    country: true,
                    place: true,
                    nationality: wanted.nationality.is_some(),
                    ..GroupBy::default()
                },
                nationality: match wanted.nationality {
                    Some(nationality) => DimensionFilter::Values(vec![nationality]),
                    None => DimensionFilter::Any,
                },
                sex: DimensionFilter::Any,
                age_group: DimensionFilter::Any,
                vulnerability: DimensionFilter::Any,
                from: None,
                to: None,
            })
            .await?;
        let mut series: HashMap<SeriesKey, Points> = HashMap::new();
        for row in rows {
            let Some(country) = row.country else { continue };
            series
                .entry((country, row.place, row.nationality))
                .or_default()
                .insert(row.period, row.value);
        }
        add_country_sums(&mut series);
        let points = match &wanted.scope {
            SignalScope::Country(country) => {
                series.remove(&(*country, wanted.place.clone(), wanted.nationality))
            }
            SignalScope::Corridor(_) => corridor_sum(&series, &countries),
        };
        let Some(points) = points else {
            return Ok(Vec::new());
        };
        let years = match granularity {
            Granularity::Week => 52 * 3,
            _ => 12 * 3,
        };
        let from = wanted.period.offset(-years);
        let to = wanted.period.offset(6);
        let Some(job) = job(
            wanted.scope.clone(),
            wanted.place.clone(),
            wanted.measure,
            wanted.nationality,
            &points,
            from,
        ) else {
            return Ok(Vec::new());
        };
        let detections: HashMap<usize, Detection> =
            Detector::recorded(&wanted.algorithm, &wanted.parameters)
                .and_then(|detector| {
                    let series = Series::calendar(&job.counts, job.start).ok()?;
                    Some(detector.run(&series, job.evaluate.clone()))
                })
                .map(|detections| detections.into_iter().map(|d| (d.index, d)).collect())
                .unwrap_or_default();
        Ok(job
            .counts
            .iter()
            .enumerate()
            .map(|(index, count)| (job.start.offset(index as i64), index, count))
            .filter(|(period, _, _)| *period >= from && *period <= to)
            .map(|(period, index, count)| {
                let detection = detections.get(&index);
                SignalHistoryPoint {
                    period,
                    observed: (!count.is_nan()).then_some(*count),
                    expected: detection.and_then(|d| d.expected),
                    upper_bound: detection.and_then(|d| d.upper_bound),
                    alarm: detection.is_some_and(|d| d.alarm),
                }
            })
            .collect())
    }
}

/// Adds each country's total (place `None`) where it reports only by place: the sum of its
/// places, per nationality as well. Places of one country are parallel points, so the sum
/// counts people once.
fn add_country_sums(series: &mut HashMap<SeriesKey, Points>) {
    let reported: BTreeSet<(CountryCode, Option<Nationality>)> = series
        .keys()
        .filter(|(_, place, _)| place.is_none())
        .map(|(country, _, nationality)| (*country, *nationality))
        .collect();
    let countries_with_country_level: BTreeSet<CountryCode> =
        reported.iter().map(|(country, _)| *country).collect();
    let mut sums: HashMap<SeriesKey, Points> = HashMap::new();
    for ((country, place, nationality), points) in series.iter() {
        if place.is_none() || countries_with_country_level.contains(country) {
            continue;
        }
        let sum = sums.entry((*country, None, *nationality)).or_default();
        for (period, value) in points {
            *sum.entry(*period).or_default() += value;
        }
    }
    series.extend(sums);
}

/// The sum of the countries' totals over the periods every reporting country reports;
/// `None` when fewer than two countries report.
fn corridor_sum(series: &HashMap<SeriesKey, Points>, countries: &[CountryCode]) -> Option<Points> {
    let totals: Vec<&Points> = countries
        .iter()
        .filter_map(|country| series.get(&(*country, None, None)))
        .filter(|points| !points.is_empty())
        .collect();
    if totals.len() < 2 {
        return None;
    }
    let first = totals.iter().filter_map(|p| p.keys().next()).max()?;
    let last = totals.iter().filter_map(|p| p.keys().next_back()).min()?;
    let mut sum = Points::new();
    let mut period = *first;
    while period <= *last {
        let values: Option<Vec<u64>> = totals.iter().map(|p| p.get(&period).copied()).collect();
        if let Some(values) = values {
            sum.insert(period, values.iter().sum());
        }
        period = period.next();
    }
    (!sum.is_empty()).then_some(sum)
}

/// A job for the periods of `points`, contiguous (missing periods are `NaN`), evaluating the
/// periods from `first_evaluated` on; `None` when none of its periods is that recent.
fn job(
    scope: SignalScope,
    place: Option<PlaceCode>,
    measure: Measure,
    nationality: Option<Nationality>,
    points: &Points,
    first_evaluated: Period,
) -> Option<SeriesJob> {
    let (&start, _) = points.iter().next()?;
    let (&end, _) = points.iter().next_back()?;
    if end < first_evaluated {
        return None;
    }
    let length = usize::try_from(start.periods_until(&end)?).ok()? + 1;
    let mut counts = vec![f64::NAN; length];
    for (period, value) in points {
        let index = usize::try_from(start.periods_until(period)?).ok()?;
        counts[index] = *value as f64;
    }
    let evaluate_from = start
        .periods_until(&first_evaluated)
        .map_or(0, |offset| usize::try_from(offset).unwrap_or(0));
    Some(SeriesJob {
        scope,
        place,
        measure,
        nationality,
        start,
        counts,
        evaluate: evaluate_from..length,
    })
}

/// Whether a signal's series is readable: its country's data of the measure, or for a
/// corridor sum, the data of every country of the corridor.
fn signal_readable(
    readable: &crate::Readable,
    corridors: &[corredor_core::Corridor],
    signal: &StoredSignal,
) -> bool {
    let measure = signal.signal.measure;
    match &signal.signal.scope {
        SignalScope::Country(country) => readable.may_read(*country, measure),
        SignalScope::Corridor(code) => corridors
            .iter()
            .find(|corridor| corridor.code() == code)
            .is_some_and(|corridor| {
                corridor
                    .nodes()
                    .iter()
                    .all(|node| readable.may_read(node.country, measure))
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn monthly(counts: &[f64], first_evaluated: usize) -> SeriesJob {
        SeriesJob {
            scope: SignalScope::Country(CountryCode::parse("PAN").expect("valid")),
            place: None,
            measure: Measure::IrregularEntry,
            nationality: None,
            start: Period::month(2015, 1).expect("valid"),
            counts: counts.to_vec(),
            evaluate: first_evaluated..counts.len(),
        }
    }

    fn at() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("valid")
    }

    #[test]
    fn a_constant_or_all_zero_series_is_not_scanned_and_never_alarms() {
        for value in [0.0, 1.0, 250.0, 80_000.0] {
            let job = monthly(&[value; 96], 84);
            assert!(job.signals(at()).is_none(), "constant {value}");
        }
        let mut gaps = vec![f64::NAN; 96];
        gaps[10] = 7.0;
        gaps[90] = 7.0;
        assert!(monthly(&gaps, 84).signals(at()).is_none());
    }

    #[test]
    fn a_long_series_gets_farrington_flexible_and_a_short_one_ears_c2() {
        let seasonal: Vec<f64> = (0..96)
            .map(|i| 1_000.0 + 200.0 * ((i % 12) as f64 / 12.0 * std::f64::consts::TAU).sin())
            .map(f64::round)
            .collect();
        let mut surging = seasonal.clone();
        surging[95] = 6_000.0;
        let signals = monthly(&surging, 84).signals(at()).expect("scanned");
        assert_eq!(signals.len(), 1);
        assert_eq!(signals[0].algorithm, FARRINGTON_FLEXIBLE);
        assert_eq!(signals[0].period, Period::month(2022, 12).expect("valid"));
        assert_eq!(signals[0].parameters["b"], 5);
        assert_eq!(signals[0].parameters["w"], 1);
        assert!(signals[0].upper_bound < 6_000.0 && signals[0].expected < 1_300.0);

        let short = &surging[72..];
        let signals = monthly(short, 12).signals(at()).expect("scanned");
        // EARS knows no season: the peak of the yearly cycle after a trough alarms too, but
        // the surge stands out with by far the highest score.
        let surge = signals
            .iter()
            .max_by(|a, b| a.score.total_cmp(&b.score))
            .expect("EARS alarms");
        assert_eq!(surge.algorithm, EARS_C2);
        assert_eq!(surge.period, Period::month(2016, 12).expect("valid"));
        assert!(surge.score > 5.0 && surge.upper_bound < 2_000.0);
        assert!(signals.len() <= 2);
    }

    #[test]
    fn ears_needs_five_cases_to_alarm_on_a_series_of_a_few_cases() {
        let mut counts: Vec<f64> = (0..24).map(|i| f64::from(i % 2)).collect();
        counts[23] = 4.0;
        assert_eq!(monthly(&counts, 12).signals(at()), Some(Vec::new()));
        counts[23] = 40.0;
        let signals = monthly(&counts, 12).signals(at()).expect("scanned");
        assert_eq!(signals.len(), 1);
    }

    #[test]
    fn the_corridor_sum_covers_only_periods_every_country_reports() {
        let pan = CountryCode::parse("PAN").expect("valid");
        let cri = CountryCode::parse("CRI").expect("valid");
        let month = |m| Period::month(2023, m).expect("valid");
        let mut series = HashMap::new();
        series.insert(
            (pan, None, None),
            Points::from([(month(1), 10), (month(2), 20), (month(3), 30)]),
        );
        series.insert(
            (cri, None, None),
            Points::from([(month(2), 5), (month(3), 6), (month(4), 7)]),
        );
        let sum = corridor_sum(&series, &[pan, cri]).expect("two countries report");
        assert_eq!(sum, Points::from([(month(2), 25), (month(3), 36)]));
        assert_eq!(corridor_sum(&series, &[pan]), None);
    }

    #[test]
    fn a_country_reporting_only_by_place_gets_the_sum_of_its_places() {
        let usa = CountryCode::parse("USA").expect("valid");
        let pan = CountryCode::parse("PAN").expect("valid");
        let month = Period::month(2023, 12).expect("valid");
        let place = |code| Some(PlaceCode::parse(code).expect("valid"));
        let mut series = HashMap::new();
        series.insert(
            (usa, place("US-BP-RGV"), None),
            Points::from([(month, 100)]),
        );
        series.insert((usa, place("US-BP-TUS"), None), Points::from([(month, 50)]));
        series.insert((pan, None, None), Points::from([(month, 9)]));
        series.insert((pan, place("PA-LB"), None), Points::from([(month, 4)]));
        add_country_sums(&mut series);
        assert_eq!(series[&(usa, None, None)], Points::from([(month, 150)]));
        assert_eq!(series[&(pan, None, None)], Points::from([(month, 9)]));
    }
}
