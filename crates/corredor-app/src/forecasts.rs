//! Forecasts of the stored data: expected arrivals at every node of each corridor, by
//! nationality, kept, scored when the counts arrive, and compared with shelter capacity.
//!
//! # What is forecast
//!
//! For each corridor and each node (country) of it, the node's **flow measure** is the one
//! the situational picture uses: `irregular_entry` where the country reports it, else
//! `encounter`; when it reports both, the one reported most recently (Panama and Honduras
//! register entries, Mexico, Colombia and the United States count encounters). Counts are
//! the country totals by nationality (a country reporting only by place gets the sum of its
//! places, as in every series). Monthly series are used when any node reports by month (or
//! by day), weekly ones otherwise; the horizon is 3 months or 8 weeks.
//!
//! One **chain** (the nodes in corridor order, aligned on the same periods) is fitted with the
//! propagation model of [`corredor_analytics::forecast::propagation`] for the total over
//! nationalities and for each of the **main nationalities**: the
//! [`ForecastPlan::top_nationalities`] largest over the last 12 periods, summed over the
//! nodes (a sum of events, used only to rank). Within a chain:
//!
//! * the **origin** is the last period every node of the chain has reported; a node ahead of
//!   the others is forecast from that common origin, so its later counts score the forecast
//!   at once;
//! * a node whose counts stop more than [`STALE_PERIODS`] before the newest node's is left
//!   out (it stopped reporting), and so is a node with fewer than
//!   [`ForecastPlan::min_history`] periods of history before the origin (too short to fit a
//!   leg: Colombia's encounters by nationality start in 2023); the chain then starts where
//!   the latest-starting node that remains starts;
//! * a node that reports nothing at all (Costa Rica, Nicaragua and Guatemala in the demo) is
//!   skipped; every node left out is named in the run's notes, with the reason;
//! * inside the window a period a node did not report for a nationality counts 0.
//!
//! # Kept and scored
//!
//! Every refresh records a run ([`corredor_store::NewForecastRun`]): the rows (forecast and
//! 80%/95% intervals per node, nationality and target period), the fitted legs and the
//! parameters. Beside it, a run of the ETS baseline (damped Holt-Winters,
//! [`corredor_analytics::forecast::ets`]) forecasts every node of the same chains, so that
//! both are scored on the same months and a reader can see whether the corridor model earns
//! its keep. Scores are computed from the kept rows and the current counts whenever they
//! are asked for ([`App::forecast_skill`]), so a corrected count corrects its score. A row is
//! scored once its node has reported its target period (any nationality; a nationality not
//! reported that period counts 0). A target forecast again from the same origin (a re-import)
//! is scored from the latest of those runs only. For each node, nationality and model the
//! running skill is: the number scored, the mean absolute error, **MASE** (the absolute error
//! divided by the in-sample mean absolute error of seasonal naive over the fitting history,
//! recorded with the row; Hyndman & Koehler 2006), and the **coverage** of the 80% and 95%
//! intervals (the share of actual counts inside them). MASE below 1: better than seasonal
//! naive did in-sample; coverage near 80% and 95%: intervals that mean what they say.
//!
//! # Preparedness
//!
//! For each place reporting `shelter_capacity` (a stock: the latest value), the expected
//! arrivals of each forecast period are compared with the room left, capacity minus the
//! latest `shelter_occupancy`. The arrivals are the **upper bound of the 80% interval** of
//! the node's total: planning for a plausible high rather than the median is what the
//! preparedness of a shelter needs, and 1 month in 10 should exceed it. The place gets its
//! share of the country's arrivals: its share of the country's counts of the node measure
//! over the last 12 reported periods when it reports them, else all of them (a shelter that
//! counts no arrivals is assumed to receive everyone counted in its country: an upper
//! bound, stated in the warning). Arrivals of a period are compared with capacity as if all
//! were present at once, the conservative reading of the rule "arrivals plus occupancy above
//! capacity". Each warning is recorded as a `capacity` signal for a person to verify.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use corredor_analytics::forecast::ets::forecast_ets;
use corredor_analytics::forecast::score::{seasonal_naive_scale, Scoreboard};
use corredor_analytics::forecast::{
    forecast_corridor, EtsConfig, ForecastSettings, PropagationConfig, StepForecast,
};
use corredor_core::{
    Caller, Corridor, CorridorCode, CountryCode, Granularity, Measure, Nationality, Period, Place,
    PlaceCode, SignalKind,
};
use corredor_store::{
    ForecastLeg, ForecastRow, ForecastRun, KeptForecast, NewForecastRun, NewSignal, SignalScope,
};
use serde::Serialize;
use serde_json::json;
use tracing::instrument;

use crate::series::{Dimension, SeriesRequest};
use crate::{App, AppError};

/// The model of the published forecasts.
pub const FORECAST_MODEL: &str = "propagation";
/// The model of the baseline forecasts kept beside them.
pub const BASELINE_MODEL: &str = "ets";
/// The algorithm name of capacity signals.
pub const CAPACITY_ALGORITHM: &str = "forecast-capacity-upper80";
/// A node whose counts end this many periods (or more) before the newest node's has stopped
/// reporting and is left out of the chain.
pub const STALE_PERIODS: i64 = 3;
/// The flow measures a corridor node is forecast by, in order of preference.
const NODE_MEASURES: [Measure; 2] = [Measure::IrregularEntry, Measure::Encounter];
/// The periods over which the main nationalities are ranked and a place's share is taken.
const RECENT_PERIODS: i64 = 12;

/// Which forecasts a refresh makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForecastPlan {
    /// How many nationalities get their own chain (the largest recent flows); `None`: every
    /// nationality with a count in the window.
    pub top_nationalities: Option<usize>,
    /// The fewest periods of history before the origin a node needs to be in a chain, for
    /// monthly series (weekly series need four times as many plus four).
    pub min_history: usize,
    /// Also forecast every node with exponential smoothing (ETS), recorded as a run of its
    /// own, so that the kept forecasts of both models are scored side by side.
    pub ets_baseline: bool,
}

impl Default for ForecastPlan {
    fn default() -> ForecastPlan {
        ForecastPlan {
            top_nationalities: Some(6),
            min_history: 36,
            ets_baseline: true,
        }
    }
}

/// What a refresh recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastRefresh {
    /// One per corridor and model with something to forecast (the published model first).
    pub runs: Vec<RunSummary>,
    /// New capacity signals recorded.
    pub capacity_signals: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    pub run_id: i64,
    pub corridor: CorridorCode,
    pub model: String,
    pub origin: Period,
    pub rows: usize,
    pub notes: Vec<String>,
}

/// Which forecasts to read: the latest run of each corridor by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForecastQuery {
    pub corridor: Option<CorridorCode>,
    /// Empty: every node.
    pub countries: Vec<CountryCode>,
    /// Empty: every nationality and the total.
    pub nationalities: Vec<Nationality>,
    /// Only the total over nationalities.
    pub total_only: bool,
    /// How many observed periods to return before the origin (for charts).
    pub history: usize,
}

/// The latest forecasts of one corridor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorridorForecasts {
    pub corridor: CorridorCode,
    pub run: ForecastRun,
    /// Nodes left out and why.
    pub notes: Vec<String>,
    pub series: Vec<ForecastSeries>,
}

/// The forecast of one node for one nationality (or the total), with its running skill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastSeries {
    pub country: CountryCode,
    pub measure: Measure,
    pub nationality: Option<Nationality>,
    /// The last observed periods and their counts, oldest first.
    pub observed: Vec<(Period, u64)>,
    pub steps: Vec<ForecastRow>,
    /// The running skill of the published model's kept forecasts of this series.
    pub skill: Option<Skill>,
    /// The same for the ETS baseline, to compare with.
    pub baseline_skill: Option<Skill>,
}

/// The running skill of the kept forecasts of one node, nationality and model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skill {
    pub corridor: CorridorCode,
    pub country: CountryCode,
    pub nationality: Option<Nationality>,
    pub model: String,
    pub scored: usize,
    pub mean_absolute_error: f64,
    /// `None` when no scored forecast had a defined scale.
    pub mase: Option<f64>,
    pub coverage80: f64,
    pub coverage95: f64,
}

/// One kept forecast scored against the count that arrived.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoredForecast {
    pub corridor: CorridorCode,
    pub run_id: i64,
    pub model: String,
    pub origin: Period,
    #[serde(flatten)]
    pub row: ForecastRow,
    pub actual: u64,
    pub absolute_error: f64,
    /// The absolute error over the row's seasonal-naive scale.
    pub scaled_error: Option<f64>,
    pub inside80: bool,
    pub inside95: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastSkill {
    pub skills: Vec<Skill>,
    pub scored: Vec<ScoredForecast>,
}

/// The fitted legs of the latest run of a corridor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorridorLegs {
    pub corridor: CorridorCode,
    pub run_id: i64,
    pub origin: Period,
    pub legs: Vec<ForecastLeg>,
}

/// Forecast arrivals that would exceed the room left at a place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityWarning {
    pub place: Place,
    /// The forecast period in which capacity would be exceeded.
    pub period: Period,
    pub horizon: u32,
    pub capacity: u64,
    pub capacity_period: Period,
    pub occupancy: u64,
    pub occupancy_period: Option<Period>,
    /// The place's part of the node's point forecast.
    pub expected_arrivals: f64,
    /// The place's part of the upper bound of the node's 80% interval: what is compared.
    pub arrivals_upper80: f64,
    /// The part of the country's arrivals given to the place (1 when it counts none).
    pub place_share: f64,
    /// By how many people capacity would be exceeded.
    pub excess: u64,
    pub run_id: i64,
}

/// The counts of every node of a corridor, read from the store.
#[derive(Debug, Clone)]
pub struct CorridorCounts {
    corridor: Corridor,
    granularity: Granularity,
    nodes: Vec<NodeCounts>,
}

impl CorridorCounts {
    /// Fits every chain (the total and the nationalities of `plan`) and forecasts every
    /// node; pure: no I/O. The published run first, then the baseline's; none when no chain
    /// can be fitted.
    pub fn forecast(
        &self,
        plan: &ForecastPlan,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Vec<NewForecastRun> {
        fit_corridor(&self.corridor, self.granularity, &self.nodes, plan, now)
    }
}

/// The counts of one node: its measure, its totals and its counts by nationality.
#[derive(Debug, Clone, Default)]
struct NodeCounts {
    measure: Option<Measure>,
    total: BTreeMap<Period, u64>,
    by_nationality: BTreeMap<Nationality, BTreeMap<Period, u64>>,
    /// The periods with any count by nationality.
    nationality_periods: BTreeSet<Period>,
}

impl NodeCounts {
    fn range(&self, total: bool) -> Option<(Period, Period)> {
        let periods: Vec<&Period> = if total {
            self.total.keys().collect()
        } else {
            self.nationality_periods.iter().collect()
        };
        Some((**periods.first()?, **periods.last()?))
    }
}

/// A chain ready to fit: the nodes kept, the window, and the notes on the others.
#[derive(Debug, Clone, PartialEq)]
struct Chain {
    /// Indexes into the corridor's nodes.
    nodes: Vec<usize>,
    from: Period,
    origin: Period,
    notes: Vec<String>,
}

impl App {
    /// Refreshes the forecasts of every corridor and records each as a run, then records
    /// the capacity signals of the new forecasts.
    #[instrument(skip_all)]
    pub async fn refresh_forecasts(&self) -> Result<ForecastRefresh, AppError> {
        let plan = ForecastPlan::default();
        let mut runs = Vec::new();
        for corridor in self.store.corridors().await? {
            for run in self.corridor_forecast(&corridor, &plan).await? {
                let run_id = self.store.record_forecast_run(&run).await?;
                tracing::info!(run_id, corridor = %corridor.code(), model = %run.model, rows = run.rows.len(), "forecasts recorded");
                runs.push(RunSummary {
                    run_id,
                    corridor: corridor.code().clone(),
                    model: run.model.clone(),
                    origin: run.origin,
                    rows: run.rows.len(),
                    notes: notes_of(&run.parameters),
                });
            }
        }
        let warnings = self.capacity_warnings(&Caller::System).await?;
        let signals: Vec<NewSignal> = warnings
            .iter()
            .map(|warning| capacity_signal(warning, self.clock.now()))
            .collect();
        let capacity_signals = self.store.record_signals(&signals).await?;
        Ok(ForecastRefresh {
            runs,
            capacity_signals,
        })
    }

    /// Fits and forecasts every chain of a corridor, without recording: the published run
    /// and, with [`ForecastPlan::ets_baseline`], the baseline's; none when no node has
    /// enough data.
    pub async fn corridor_forecast(
        &self,
        corridor: &Corridor,
        plan: &ForecastPlan,
    ) -> Result<Vec<NewForecastRun>, AppError> {
        let counts = self.corridor_counts(corridor).await?;
        Ok(counts.forecast(plan, self.clock.now()))
    }

    /// The latest forecasts of each corridor, filtered, with each series' running skill.
    pub async fn forecasts(
        &self,
        caller: &Caller,
        query: &ForecastQuery,
    ) -> Result<Vec<CorridorForecasts>, AppError> {
        let skill = self.forecast_skill(caller).await?;
        let mut result = Vec::new();
        for corridor in self.readable_corridors(caller).await? {
            if query
                .corridor
                .as_ref()
                .is_some_and(|code| code != corridor.code())
            {
                continue;
            }
            let Some(detail) = self
                .store
                .latest_forecasts(corridor.code(), FORECAST_MODEL)
                .await?
            else {
                continue;
            };
            let mut grouped: BTreeMap<(usize, Option<Nationality>), Vec<ForecastRow>> =
                BTreeMap::new();
            for row in detail.rows {
                let wanted = (query.countries.is_empty() || query.countries.contains(&row.country))
                    && match row.nationality {
                        None => query.nationalities.is_empty(),
                        Some(nationality) => {
                            !query.total_only
                                && (query.nationalities.is_empty()
                                    || query.nationalities.contains(&nationality))
                        }
                    };
                if wanted {
                    let position = corridor.position(row.country).unwrap_or(usize::MAX);
                    grouped
                        .entry((position, row.nationality))
                        .or_default()
                        .push(row);
                }
            }
            let mut history: HashMap<(CountryCode, Measure), NodeCounts> = HashMap::new();
            let mut series = Vec::new();
            for ((_, nationality), mut steps) in grouped {
                steps.sort_by_key(|row| row.horizon);
                let first = &steps[0];
                let (country, measure) = (first.country, first.measure);
                let mut observed = Vec::new();
                if query.history > 0 {
                    if let std::collections::hash_map::Entry::Vacant(entry) =
                        history.entry((country, measure))
                    {
                        entry.insert(
                            self.node_counts(country, measure, detail.run.granularity())
                                .await?,
                        );
                    }
                    let counts = &history[&(country, measure)];
                    let values = match nationality {
                        None => Some(&counts.total),
                        Some(nationality) => counts.by_nationality.get(&nationality),
                    };
                    let origin = detail.run.origin;
                    let from = origin.offset(1 - query.history as i64);
                    let mut period = from;
                    while period <= origin {
                        let reported = match nationality {
                            None => counts.total.contains_key(&period),
                            Some(_) => counts.nationality_periods.contains(&period),
                        };
                        if reported {
                            let value = values.and_then(|v| v.get(&period)).copied();
                            observed.push((period, value.unwrap_or(0)));
                        }
                        period = period.next();
                    }
                }
                let skill_of = |model: &str| {
                    skill
                        .skills
                        .iter()
                        .find(|s| {
                            &s.corridor == corridor.code()
                                && s.country == country
                                && s.nationality == nationality
                                && s.model == model
                        })
                        .cloned()
                };
                series.push(ForecastSeries {
                    country,
                    measure,
                    nationality,
                    observed,
                    steps,
                    skill: skill_of(FORECAST_MODEL),
                    baseline_skill: skill_of(BASELINE_MODEL),
                });
            }
            result.push(CorridorForecasts {
                corridor: corridor.code().clone(),
                notes: notes_of(&detail.run.parameters),
                run: detail.run,
                series,
            });
        }
        Ok(result)
    }

    /// The corridors whose forecasts `caller` may read: forecasts are made of the flows of
    /// every node, so every node's country must share its flows with the caller.
    async fn readable_corridors(&self, caller: &Caller) -> Result<Vec<Corridor>, AppError> {
        let readable = self.readable(caller).await?;
        let mut corridors = self.store.corridors().await?;
        corridors.retain(|corridor| {
            corridor.nodes().iter().all(|node| {
                [Measure::IrregularEntry, Measure::Encounter]
                    .into_iter()
                    .all(|measure| readable.may_read(node.country, measure))
            })
        });
        Ok(corridors)
    }

    /// The fitted legs of the latest run of each corridor.
    pub async fn forecast_legs(&self, caller: &Caller) -> Result<Vec<CorridorLegs>, AppError> {
        let mut result = Vec::new();
        for corridor in self.readable_corridors(caller).await? {
            if let Some(detail) = self
                .store
                .latest_forecasts(corridor.code(), FORECAST_MODEL)
                .await?
            {
                result.push(CorridorLegs {
                    corridor: corridor.code().clone(),
                    run_id: detail.run.id,
                    origin: detail.run.origin,
                    legs: detail.legs,
                });
            }
        }
        Ok(result)
    }

    /// Scores every kept forecast whose target period has been reported, and the running
    /// skill per corridor node, nationality and model.
    pub async fn forecast_skill(&self, caller: &Caller) -> Result<ForecastSkill, AppError> {
        let today = self.today();
        let mut scored = Vec::new();
        for corridor in self.readable_corridors(caller).await? {
            let kept = self
                .store
                .forecast_rows_for_scoring(corridor.code(), today)
                .await?;
            let mut actuals: HashMap<(CountryCode, Measure, Granularity), NodeCounts> =
                HashMap::new();
            for KeptForecast {
                run_id,
                model,
                origin,
                row,
            } in kept
            {
                let key = (row.country, row.measure, row.target.granularity());
                if let std::collections::hash_map::Entry::Vacant(entry) = actuals.entry(key) {
                    entry.insert(self.node_counts(key.0, key.1, key.2).await?);
                }
                let counts = &actuals[&key];
                let actual = match row.nationality {
                    None => counts.total.get(&row.target).copied(),
                    Some(nationality) => {
                        counts.nationality_periods.contains(&row.target).then(|| {
                            counts
                                .by_nationality
                                .get(&nationality)
                                .and_then(|values| values.get(&row.target))
                                .copied()
                                .unwrap_or(0)
                        })
                    }
                };
                let Some(actual) = actual else {
                    continue;
                };
                let value = actual as f64;
                let absolute_error = (value - row.forecast).abs();
                scored.push(ScoredForecast {
                    corridor: corridor.code().clone(),
                    run_id,
                    model,
                    origin,
                    scaled_error: row.scale.map(|scale| absolute_error / scale),
                    inside80: (row.lower80..=row.upper80).contains(&value),
                    inside95: (row.lower95..=row.upper95).contains(&value),
                    actual,
                    absolute_error,
                    row,
                });
            }
        }
        let mut boards: BTreeMap<_, (Scoreboard, f64)> = BTreeMap::new();
        for score in &scored {
            let key = (
                score.corridor.clone(),
                score.row.country,
                score.row.nationality,
                score.model.clone(),
            );
            let (board, errors) = boards.entry(key).or_default();
            board.add(
                score.actual as f64,
                &StepForecast {
                    horizon: score.row.horizon as usize,
                    mean: score.row.forecast,
                    lower80: score.row.lower80,
                    upper80: score.row.upper80,
                    lower95: score.row.lower95,
                    upper95: score.row.upper95,
                },
                score.row.scale,
            );
            *errors += score.absolute_error;
        }
        let skills = boards
            .into_iter()
            .map(
                |((corridor, country, nationality, model), (board, errors))| Skill {
                    corridor,
                    country,
                    nationality,
                    model,
                    scored: board.count(),
                    mean_absolute_error: errors / board.count().max(1) as f64,
                    mase: board.mase(),
                    coverage80: board.coverage80().unwrap_or(0.0),
                    coverage95: board.coverage95().unwrap_or(0.0),
                },
            )
            .collect();
        Ok(ForecastSkill { skills, scored })
    }

    /// Forecast arrivals above the room left at places reporting shelter capacity, from the
    /// latest run of each corridor.
    pub async fn capacity_warnings(
        &self,
        caller: &Caller,
    ) -> Result<Vec<CapacityWarning>, AppError> {
        let readable = self.readable(caller).await?;
        let capacity = self.latest_stock_by_place(Measure::ShelterCapacity).await?;
        if capacity.is_empty() {
            return Ok(Vec::new());
        }
        let occupancy = self
            .latest_stock_by_place(Measure::ShelterOccupancy)
            .await?;
        let places = self.store.places().await?;
        let mut warnings = Vec::new();
        for corridor in self.readable_corridors(caller).await? {
            let Some(detail) = self
                .store
                .latest_forecasts(corridor.code(), FORECAST_MODEL)
                .await?
            else {
                continue;
            };
            for (code, &(capacity_period, capacity_value)) in &capacity {
                let Some(place) = places.iter().find(|place| &place.code == code) else {
                    continue;
                };
                if !readable.may_read(place.country, Measure::ShelterCapacity)
                    || !readable.may_read(place.country, Measure::ShelterOccupancy)
                {
                    continue;
                }
                let totals: Vec<&ForecastRow> = detail
                    .rows
                    .iter()
                    .filter(|row| row.country == place.country && row.nationality.is_none())
                    .collect();
                let Some(first) = totals.first() else {
                    continue;
                };
                let share = self
                    .place_share(place, first.measure, detail.run.origin)
                    .await?;
                let (occupancy_period, occupancy_value) = match occupancy.get(code) {
                    Some(&(period, value)) => (Some(period), value),
                    None => (None, 0),
                };
                for row in totals {
                    let arrivals = row.upper80 * share;
                    let needed = arrivals + occupancy_value as f64;
                    if needed > capacity_value as f64 {
                        warnings.push(CapacityWarning {
                            place: place.clone(),
                            period: row.target,
                            horizon: row.horizon,
                            capacity: capacity_value,
                            capacity_period,
                            occupancy: occupancy_value,
                            occupancy_period,
                            expected_arrivals: row.forecast * share,
                            arrivals_upper80: arrivals,
                            place_share: share,
                            excess: (needed - capacity_value as f64).ceil() as u64,
                            run_id: detail.run.id,
                        });
                    }
                }
            }
        }
        warnings.sort_by(|a, b| {
            a.period
                .cmp(&b.period)
                .then_with(|| b.excess.cmp(&a.excess))
        });
        Ok(warnings)
    }

    /// The latest monthly value of a stock at each place reporting it.
    async fn latest_stock_by_place(
        &self,
        measure: Measure,
    ) -> Result<BTreeMap<PlaceCode, (Period, u64)>, AppError> {
        let mut request = SeriesRequest::new(measure, Granularity::Month);
        request.by = vec![Dimension::Place];
        let response = self.series_unrestricted(&request).await?;
        Ok(response
            .lines
            .into_iter()
            .filter_map(|line| {
                let last = line.points.last()?;
                Some((line.place?, (last.period, last.value)))
            })
            .collect())
    }

    /// The place's part of its country's counts of `measure` over the last 12 periods up to
    /// `origin`; 1 when the place counts none.
    async fn place_share(
        &self,
        place: &Place,
        measure: Measure,
        origin: Period,
    ) -> Result<f64, AppError> {
        let mut request = SeriesRequest::new(measure, origin.granularity());
        request.countries = vec![place.country];
        request.from = Some(origin.offset(1 - RECENT_PERIODS).start());
        request.to = Some(origin.start());
        let country_total: u64 = self
            .series_unrestricted(&request)
            .await?
            .lines
            .iter()
            .map(|l| l.total)
            .sum();
        request.places = vec![place.code.clone()];
        request.by = vec![Dimension::Place];
        let place_total: u64 = self
            .series_unrestricted(&request)
            .await?
            .lines
            .iter()
            .map(|l| l.total)
            .sum();
        Ok(if place_total > 0 && country_total > 0 {
            (place_total as f64 / country_total as f64).min(1.0)
        } else {
            1.0
        })
    }

    /// The counts of every node of a corridor, by month when any node reports by month (or
    /// day), else by week: what [`CorridorCounts::forecast`] fits. Separate so that reading
    /// and fitting can be timed apart.
    pub async fn corridor_counts(&self, corridor: &Corridor) -> Result<CorridorCounts, AppError> {
        let (granularity, nodes) = self.corridor_node_counts(corridor).await?;
        Ok(CorridorCounts {
            corridor: corridor.clone(),
            granularity,
            nodes,
        })
    }

    async fn corridor_node_counts(
        &self,
        corridor: &Corridor,
    ) -> Result<(Granularity, Vec<NodeCounts>), AppError> {
        for granularity in [Granularity::Month, Granularity::Week] {
            let mut counts = Vec::new();
            for node in corridor.nodes() {
                let mut best = NodeCounts::default();
                for measure in NODE_MEASURES {
                    let candidate = self.node_counts(node.country, measure, granularity).await?;
                    let newer = match (best.range(true), candidate.range(true)) {
                        (_, None) => false,
                        (None, Some(_)) => true,
                        (Some((_, current)), Some((_, last))) => last > current,
                    };
                    if newer {
                        best = candidate;
                    }
                }
                counts.push(best);
            }
            if counts.iter().any(|node| node.measure.is_some()) {
                return Ok((granularity, counts));
            }
        }
        Ok((Granularity::Month, Vec::new()))
    }

    /// A country's totals and counts by nationality of one measure.
    async fn node_counts(
        &self,
        country: CountryCode,
        measure: Measure,
        granularity: Granularity,
    ) -> Result<NodeCounts, AppError> {
        let mut request = SeriesRequest::new(measure, granularity);
        request.countries = vec![country];
        let total: BTreeMap<Period, u64> = self
            .series_unrestricted(&request)
            .await?
            .lines
            .into_iter()
            .flat_map(|line| line.points)
            .map(|point| (point.period, point.value))
            .collect();
        request.by = vec![Dimension::Nationality];
        let mut counts = NodeCounts {
            measure: (!total.is_empty()).then_some(measure),
            total,
            ..NodeCounts::default()
        };
        for line in self.series_unrestricted(&request).await?.lines {
            let Some(nationality) = line.nationality else {
                continue;
            };
            let values = counts.by_nationality.entry(nationality).or_default();
            for point in line.points {
                counts.nationality_periods.insert(point.period);
                values.insert(point.period, point.value);
            }
        }
        if counts.measure.is_none() && !counts.nationality_periods.is_empty() {
            counts.measure = Some(measure);
        }
        Ok(counts)
    }
}

/// Chooses the nodes and window of a chain from each node's reported range (`None`: no
/// data). See the module documentation for the rules.
fn choose_chain(
    corridor: &Corridor,
    ranges: &[Option<(Period, Period)>],
    min_history: usize,
) -> Option<Chain> {
    let mut notes = Vec::new();
    let name = |index: usize| corridor.nodes()[index].country;
    let reporting: Vec<usize> = (0..ranges.len())
        .filter(|&index| {
            let reports = ranges[index].is_some();
            if !reports {
                notes.push(format!(
                    "{}: no counts of irregular entries or encounters; skipped",
                    name(index)
                ));
            }
            reports
        })
        .collect();
    let newest = reporting
        .iter()
        .filter_map(|&index| ranges[index].map(|(_, last)| last))
        .max()?;
    let current: Vec<usize> = reporting
        .into_iter()
        .filter(|&index| {
            let (_, last) = ranges[index].expect("reporting nodes have a range");
            let behind = last.periods_until(&newest).unwrap_or(i64::MAX);
            if behind >= STALE_PERIODS {
                notes.push(format!(
                    "{}: counts end in {last}, {behind} periods before the newest ({newest}); left out",
                    name(index)
                ));
            }
            behind < STALE_PERIODS
        })
        .collect();
    // Leaving a node out can move the origin later, which lengthens every other node's
    // history: repeat until no node is too short.
    let mut nodes = current;
    let origin = loop {
        let origin = nodes
            .iter()
            .filter_map(|&index| ranges[index].map(|(_, last)| last))
            .min()?;
        let before = nodes.len();
        nodes.retain(|&index| {
            let (first, _) = ranges[index].expect("reporting nodes have a range");
            let length = first.periods_until(&origin).unwrap_or(-1) + 1;
            if length < min_history as i64 {
                notes.push(format!(
                    "{}: {length} periods of counts up to {origin}, fewer than the {min_history} a leg needs; left out",
                    name(index)
                ));
            }
            length >= min_history as i64
        });
        if nodes.len() == before {
            break origin;
        }
    };
    let from = nodes
        .iter()
        .filter_map(|&index| ranges[index].map(|(first, _)| first))
        .max()?;
    Some(Chain {
        nodes,
        from,
        origin,
        notes,
    })
}

/// The values of `values` over the window, 0 where nothing was reported.
fn aligned(values: Option<&BTreeMap<Period, u64>>, from: Period, origin: Period) -> Vec<f64> {
    let mut series = Vec::new();
    let mut period = from;
    while period <= origin {
        series.push(
            values
                .and_then(|values| values.get(&period))
                .copied()
                .unwrap_or(0) as f64,
        );
        period = period.next();
    }
    series
}

/// Fits the chains of a corridor: the total and the main nationalities.
fn fit_corridor(
    corridor: &Corridor,
    granularity: Granularity,
    counts: &[NodeCounts],
    plan: &ForecastPlan,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<NewForecastRun> {
    if counts.is_empty() {
        return Vec::new();
    }
    let (config, settings, min_history) = match granularity {
        Granularity::Week => (
            PropagationConfig::weekly(),
            ForecastSettings::weekly(8),
            plan.min_history * 4 + 4,
        ),
        _ => (
            PropagationConfig::monthly(),
            ForecastSettings::monthly(3),
            plan.min_history,
        ),
    };
    let total_ranges: Vec<_> = counts.iter().map(|node| node.range(true)).collect();
    let nationality_ranges: Vec<_> = counts.iter().map(|node| node.range(false)).collect();
    let total_chain = choose_chain(corridor, &total_ranges, min_history);
    let nationality_chain = choose_chain(corridor, &nationality_ranges, min_history);

    // The main nationalities: the largest over the last periods, summed over the nodes.
    let mut nationalities: Vec<(Nationality, u64)> = Vec::new();
    if let Some(chain) = &nationality_chain {
        let recent = chain.origin.offset(1 - RECENT_PERIODS);
        let mut sums: BTreeMap<Nationality, u64> = BTreeMap::new();
        for &index in &chain.nodes {
            for (nationality, values) in &counts[index].by_nationality {
                let sum: u64 = values.range(recent..=chain.origin).map(|(_, v)| v).sum();
                *sums.entry(*nationality).or_default() += sum;
            }
        }
        nationalities = sums.into_iter().filter(|(_, sum)| *sum > 0).collect();
        nationalities.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        if let Some(top) = plan.top_nationalities {
            nationalities.truncate(top);
        }
    }

    let mut rows = Vec::new();
    let mut baseline_rows = Vec::new();
    let mut legs = Vec::new();
    let mut notes = Vec::new();
    let mut chains_json = Vec::new();
    let mut origin: Option<Period> = None;
    let chains = std::iter::once((None, total_chain.as_ref())).chain(
        nationalities
            .iter()
            .map(|(nationality, _)| (Some(*nationality), nationality_chain.as_ref())),
    );
    for (nationality, chain) in chains {
        let Some(chain) = chain else { continue };
        if chain.nodes.is_empty() {
            continue;
        }
        let series: Vec<Vec<f64>> = chain
            .nodes
            .iter()
            .map(|&index| {
                let values = match nationality {
                    None => Some(&counts[index].total),
                    Some(nationality) => counts[index].by_nationality.get(&nationality),
                };
                aligned(values, chain.from, chain.origin)
            })
            .collect();
        let views: Vec<&[f64]> = series.iter().map(Vec::as_slice).collect();
        let label = nationality.map_or("total".to_owned(), |n| n.to_string());
        let fitted = match forecast_corridor(&views, &config, &settings) {
            Ok(fitted) => fitted,
            Err(error) => {
                notes.push(format!("{label}: not forecast ({error})"));
                continue;
            }
        };
        origin = Some(origin.map_or(chain.origin, |o| o.max(chain.origin)));
        chains_json.push(json!({
            "nationality": nationality,
            "nodes": chain.nodes.iter().map(|&i| corridor.nodes()[i].country).collect::<Vec<_>>(),
            "from": chain.from,
            "origin": chain.origin,
        }));
        for (position, node) in fitted.nodes.iter().enumerate() {
            let index = chain.nodes[position];
            let country = corridor.nodes()[index].country;
            let measure = counts[index]
                .measure
                .expect("a node in a chain has a measure");
            let scale = seasonal_naive_scale(&series[position], settings.season_length);
            let row = |step: &StepForecast| ForecastRow {
                country,
                measure,
                nationality,
                target: chain.origin.offset(step.horizon as i64),
                horizon: step.horizon as u32,
                forecast: step.mean,
                lower80: step.lower80,
                upper80: step.upper80,
                lower95: step.lower95,
                upper95: step.upper95,
                scale,
            };
            if plan.ets_baseline {
                match forecast_ets(&series[position], &EtsConfig::default(), &settings) {
                    Ok(baseline) => baseline_rows.extend(baseline.steps.iter().map(row)),
                    Err(error) => notes.push(format!(
                        "{country} {label}: no {BASELINE_MODEL} baseline ({error})"
                    )),
                }
            }
            rows.extend(node.forecast.steps.iter().map(row));
        }
        for leg in &fitted.legs {
            let continuation = leg.continuation.max(0.0);
            legs.push(ForecastLeg {
                nationality,
                from: corridor.nodes()[chain.nodes[leg.from]].country,
                to: corridor.nodes()[chain.nodes[leg.to]].country,
                continuation,
                mean_transit: (continuation > 0.0).then(|| {
                    leg.transit
                        .iter()
                        .enumerate()
                        .map(|(lag, share)| lag as f64 * share)
                        .sum()
                }),
                weights: leg.weights.clone(),
            });
        }
    }
    let Some(origin) = origin else {
        return Vec::new();
    };
    // A node left out of both chains for the same reason is noted once; otherwise the note
    // says which chain it concerns.
    let total_notes: Vec<String> = total_chain.iter().flat_map(|c| c.notes.clone()).collect();
    let nationality_notes: Vec<String> = nationality_chain
        .iter()
        .flat_map(|c| c.notes.clone())
        .collect();
    let mut all_notes: Vec<String> = total_notes
        .iter()
        .map(|note| {
            if nationality_notes.contains(note) {
                note.clone()
            } else {
                format!("{note} (total)")
            }
        })
        .collect();
    all_notes.extend(
        nationality_notes
            .iter()
            .filter(|note| !total_notes.contains(note))
            .map(|note| format!("{note} (by nationality)")),
    );
    all_notes.extend(notes);
    all_notes.dedup();
    let published = NewForecastRun {
        corridor: corridor.code().clone(),
        model: FORECAST_MODEL.to_owned(),
        created_at: now,
        origin,
        parameters: json!({
            "granularity": granularity,
            "horizon": settings.horizon,
            "season_length": settings.season_length,
            "interval_window": settings.interval_window,
            "max_lag": config.max_lag,
            "ridge": config.ridge,
            "max_weight": config.max_weight,
            "min_history": min_history,
            "top_nationalities": plan.top_nationalities,
            "nationalities": nationalities.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            "chains": chains_json,
            "notes": all_notes,
        }),
        rows,
        legs,
    };
    let mut runs = Vec::new();
    if !baseline_rows.is_empty() {
        runs.push(NewForecastRun {
            model: BASELINE_MODEL.to_owned(),
            parameters: json!({
                "granularity": granularity,
                "horizon": settings.horizon,
                "season_length": settings.season_length,
                "interval_window": settings.interval_window,
                "trend": "additive_damped",
                "seasonality": "additive",
                "baseline_of": FORECAST_MODEL,
                "notes": published.parameters["notes"].clone(),
            }),
            rows: baseline_rows,
            legs: Vec::new(),
            ..published.clone()
        });
    }
    runs.insert(0, published);
    runs
}

fn notes_of(parameters: &serde_json::Value) -> Vec<String> {
    parameters["notes"]
        .as_array()
        .map(|notes| {
            notes
                .iter()
                .filter_map(|note| note.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn capacity_signal(warning: &CapacityWarning, now: chrono::DateTime<chrono::Utc>) -> NewSignal {
    let expected = warning.arrivals_upper80 + warning.occupancy as f64;
    NewSignal {
        kind: SignalKind::Capacity,
        scope: SignalScope::Country(warning.place.country),
        place: Some(warning.place.code.clone()),
        measure: Measure::ShelterCapacity,
        nationality: None,
        period: warning.period,
        observed: None,
        expected,
        upper_bound: warning.capacity as f64,
        score: if warning.capacity > 0 {
            expected / warning.capacity as f64
        } else {
            f64::INFINITY
        },
        algorithm: CAPACITY_ALGORITHM.to_owned(),
        parameters: json!({
            "run_id": warning.run_id,
            "horizon": warning.horizon,
            "expected_arrivals": warning.expected_arrivals,
            "arrivals_upper80": warning.arrivals_upper80,
            "occupancy": warning.occupancy,
            "occupancy_period": warning.occupancy_period,
            "capacity": warning.capacity,
            "capacity_period": warning.capacity_period,
            "place_share": warning.place_share,
            "excess": warning.excess,
        }),
        detected_at: now,
    }
}

#[cfg(test)]
mod tests {
    use corredor_core::{CorridorNode, Leg};

    use super::*;

    fn corridor(codes: &[&str]) -> Corridor {
        let country = |code: &str| CountryCode::parse(code).expect("a valid code");
        Corridor::new(
            CorridorCode::parse("test").expect("a valid code"),
            "Test",
            "Prueba",
            codes
                .iter()
                .map(|code| CorridorNode {
                    country: country(code),
                    places: Vec::new(),
                })
                .collect(),
            codes
                .windows(2)
                .map(|pair| Leg {
                    from: country(pair[0]),
                    to: country(pair[1]),
                    typical_transit_days: 7,
                })
                .collect(),
        )
        .expect("a valid corridor")
    }

    fn month(raw: &str) -> Period {
        Period::parse(raw).expect("a valid month")
    }

    fn check(ranges: &[Option<(&str, &str)>], expected_nodes: &[usize], window: (&str, &str)) {
        let codes = ["COL", "PAN", "CRI", "HND", "MEX", "USA"];
        let ranges: Vec<Option<(Period, Period)>> = ranges
            .iter()
            .map(|range| range.map(|(a, b)| (month(a), month(b))))
            .collect();
        let chain = choose_chain(&corridor(&codes[..ranges.len()]), &ranges, 36).expect("a chain");
        assert_eq!(chain.nodes, expected_nodes, "{:?}", chain.notes);
        assert_eq!(
            (chain.from, chain.origin),
            (month(window.0), month(window.1))
        );
        assert_eq!(
            chain.notes.len(),
            ranges.len() - expected_nodes.len(),
            "every node left out is noted: {:?}",
            chain.notes
        );
    }

    #[test]
    fn the_chain_keeps_nodes_with_enough_recent_history() {
        // The demo's shape: Colombia's history is short, Costa Rica reports nothing, the US
        // is a month ahead.
        check(
            &[
                Some(("2023-01", "2025-03")),
                Some(("2020-01", "2025-04")),
                None,
                Some(("2014-01", "2025-04")),
                Some(("2018-01", "2025-04")),
                Some(("2017-10", "2025-05")),
            ],
            &[1, 3, 4, 5],
            ("2020-01", "2025-04"),
        );
        // A node that stopped reporting long ago is left out rather than holding the origin
        // back.
        check(
            &[
                Some(("2015-01", "2021-06")),
                Some(("2016-01", "2025-04")),
                Some(("2017-01", "2025-02")),
            ],
            &[1, 2],
            ("2017-01", "2025-02"),
        );
    }

    /// Panama's counts of one nationality, and Honduras counting every one of them again
    /// `lag` periods later; Costa Rica, between them, reports nothing.
    fn lagged_chain(first: Period, periods: usize, lag: usize) -> Vec<NodeCounts> {
        let venezuelans = Nationality::parse("VEN").expect("a valid nationality");
        let upstream: Vec<u64> = (0..periods)
            .map(|t| 1000 + 400 * ((t * 7 % 11) as u64))
            .collect();
        let node = |measure: Measure, values: Vec<(Period, u64)>| {
            let values: BTreeMap<Period, u64> = values.into_iter().collect();
            NodeCounts {
                measure: Some(measure),
                total: values.clone(),
                nationality_periods: values.keys().copied().collect(),
                by_nationality: [(venezuelans, values)].into(),
            }
        };
        let periods_from =
            |offset: usize| (0..periods).map(move |t| first.offset((t + offset) as i64));
        vec![
            node(
                Measure::IrregularEntry,
                periods_from(0).zip(upstream.iter().copied()).collect(),
            ),
            NodeCounts::default(),
            node(
                Measure::IrregularEntry,
                periods_from(0)
                    .enumerate()
                    .map(|(t, period)| (period, if t >= lag { upstream[t - lag] } else { 0 }))
                    .collect(),
            ),
        ]
    }

    fn check_lagged(first: Period, periods: usize, horizon: u32) {
        let corridor = corridor(&["PAN", "CRI", "HND"]);
        let counts = lagged_chain(first, periods, 1);
        let now = chrono::DateTime::UNIX_EPOCH;
        let runs = fit_corridor(
            &corridor,
            first.granularity(),
            &counts,
            &ForecastPlan::default(),
            now,
        );
        assert_eq!(
            runs.iter()
                .map(|run| run.model.as_str())
                .collect::<Vec<_>>(),
            vec![FORECAST_MODEL, BASELINE_MODEL]
        );
        let run = &runs[0];
        assert_eq!(
            runs[1].rows.len(),
            run.rows.len(),
            "the baseline forecasts every row too"
        );
        let origin = first.offset(periods as i64 - 1);
        assert_eq!(run.origin, origin);
        let venezuelans = Nationality::parse("VEN").expect("a valid nationality");
        let leg = run
            .legs
            .iter()
            .find(|leg| leg.nationality == Some(venezuelans))
            .expect("the Venezuelans' leg");
        // The leg skips Costa Rica: it joins the two nodes with counts.
        assert_eq!((leg.from.as_str(), leg.to.as_str()), ("PAN", "HND"));
        assert!((leg.continuation - 1.0).abs() < 0.05, "{leg:?}");
        assert!(
            leg.mean_transit.is_some_and(|t| (t - 1.0).abs() < 0.1),
            "{leg:?}"
        );
        let honduras: Vec<&ForecastRow> = run
            .rows
            .iter()
            .filter(|row| row.country.as_str() == "HND" && row.nationality == Some(venezuelans))
            .collect();
        let horizons: Vec<u32> = honduras.iter().map(|row| row.horizon).collect();
        assert_eq!(horizons, (1..=horizon).collect::<Vec<_>>());
        assert!(honduras
            .iter()
            .all(|row| row.target == origin.offset(i64::from(row.horizon))));
        // The first step is what Panama counted in the last period, already on its way.
        let on_its_way = counts[0].total[&origin] as f64;
        assert!(
            (honduras[0].forecast - on_its_way).abs() < 0.05 * on_its_way,
            "{:?}",
            honduras[0]
        );
        assert!(run.rows.iter().all(|row| row.country.as_str() != "CRI"));
        let notes = notes_of(&run.parameters);
        assert_eq!(
            notes,
            vec!["CRI: no counts of irregular entries or encounters; skipped".to_owned()]
        );
    }

    #[test]
    fn a_chain_skips_a_node_without_counts_and_recovers_the_leg_around_it() {
        check_lagged(month("2019-01"), 72, 3);
        check_lagged(Period::parse("2021-W01").expect("a valid week"), 200, 8);
    }

    #[test]
    fn a_period_without_a_count_is_zero_inside_the_window() {
        let values: BTreeMap<Period, u64> = [(month("2025-01"), 5), (month("2025-03"), 7)].into();
        assert_eq!(
            aligned(Some(&values), month("2024-12"), month("2025-03")),
            vec![0.0, 5.0, 0.0, 7.0]
        );
        assert_eq!(
            aligned(None, month("2025-01"), month("2025-02")),
            vec![0.0, 0.0]
        );
    }
}
