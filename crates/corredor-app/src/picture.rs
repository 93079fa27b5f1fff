//! The situational picture: the corridor at a glance, for the first page.

use chrono::{Datelike, NaiveDate};
use corredor_core::{Caller, Corridor, Country, CountryCode, Granularity, Measure, Period, Place};
use serde::Serialize;

use crate::series::{Dimension, SeriesLine, SeriesRequest, Suppressed, Unit};
use crate::{App, AppError};

/// The flow measures a corridor node is summarised by, in order of preference.
const NODE_MEASURES: [Measure; 2] = [Measure::IrregularEntry, Measure::Encounter];
/// How many nationalities each trend chart shows.
const TOP_NATIONALITIES: usize = 5;
/// How many years of history the trend charts show.
const TREND_YEARS: i32 = 5;

#[derive(Debug, Clone, Serialize)]
pub struct NodeSummary {
    pub country: Country,
    pub measure: Option<Measure>,
    pub unit: Option<Unit>,
    /// The latest reported month and its count (0 when suppressed).
    pub latest: Option<(Period, u64)>,
    /// Why the latest count is not shown, for observers and readers who are not signed in.
    pub latest_suppressed: Option<Suppressed>,
    /// The same month a year earlier (0 when suppressed).
    pub year_before: Option<u64>,
    pub year_before_suppressed: Option<Suppressed>,
    /// Typical days from the previous node, from the corridor's leg.
    pub transit_days_from_previous: Option<u16>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlaceSummary {
    pub place: Place,
    pub measure: Measure,
    /// The latest reported month and its count (0 when suppressed).
    pub latest: (Period, u64),
    pub suppressed: Option<Suppressed>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrendChart {
    pub country: Country,
    pub measure: Measure,
    pub unit: Unit,
    pub lines: Vec<SeriesLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SituationalPicture {
    pub corridor: Option<Corridor>,
    pub countries: Vec<Country>,
    pub nodes: Vec<NodeSummary>,
    pub places: Vec<PlaceSummary>,
    pub trends: Vec<TrendChart>,
    pub all_places: Vec<Place>,
}

impl App {
    /// Builds the picture of the first corridor (the main northbound route).
    pub async fn situational_picture(
        &self,
        caller: &Caller,
    ) -> Result<SituationalPicture, AppError> {
        let corridor = self.store.corridors().await?.into_iter().next();
        let countries = self.store.countries().await?;
        let all_places = self.store.places().await?;
        let today = self.today();
        let since =
            NaiveDate::from_ymd_opt(today.year() - TREND_YEARS, 1, 1).expect("1 January exists");
        let mut nodes = Vec::new();
        let mut trends = Vec::new();
        let mut places = Vec::new();
        if let Some(corridor) = &corridor {
            for (index, node) in corridor.nodes().iter().enumerate() {
                let country = country_or_code(&countries, node.country);
                let mut summary = NodeSummary {
                    country: country.clone(),
                    measure: None,
                    unit: None,
                    latest: None,
                    latest_suppressed: None,
                    year_before: None,
                    year_before_suppressed: None,
                    transit_days_from_previous: index
                        .checked_sub(1)
                        .map(|i| corridor.legs()[i].typical_transit_days),
                };
                if let Some((measure, line, unit)) =
                    self.latest_node_line(caller, node.country, since).await?
                {
                    if let Some(last) = line.points.last() {
                        summary.measure = Some(measure);
                        summary.unit = Some(unit);
                        summary.latest = Some((last.period, last.value));
                        summary.latest_suppressed = last.suppressed;
                        let year_before = last.period.offset(-12);
                        if let Some(point) =
                            line.points.iter().find(|point| point.period == year_before)
                        {
                            summary.year_before = Some(point.value);
                            summary.year_before_suppressed = point.suppressed;
                        }
                    }
                    let mut request = SeriesRequest::new(measure, Granularity::Month);
                    request.countries = vec![node.country];
                    request.by = vec![Dimension::Nationality];
                    request.from = Some(since);
                    request.top = Some(TOP_NATIONALITIES);
                    let response = self.series(caller, &request).await?;
                    if !response.lines.is_empty() {
                        trends.push(TrendChart {
                            country,
                            measure,
                            unit: response.unit,
                            lines: response.lines,
                        });
                    }
                    let mut by_place = SeriesRequest::new(measure, Granularity::Month);
                    by_place.countries = vec![node.country];
                    by_place.by = vec![Dimension::Place];
                    by_place.from = Some(since);
                    for line in self.series(caller, &by_place).await?.lines {
                        let (Some(code), Some(last)) = (&line.place, line.points.last()) else {
                            continue;
                        };
                        if let Some(place) = all_places.iter().find(|place| &place.code == code) {
                            places.push(PlaceSummary {
                                place: place.clone(),
                                measure,
                                latest: (last.period, last.value),
                                suppressed: last.suppressed,
                            });
                        }
                    }
                }
                nodes.push(summary);
            }
        }
        Ok(SituationalPicture {
            corridor,
            countries,
            nodes,
            places,
            trends,
            all_places,
        })
    }

    /// The monthly country-total line of the node's main flow measure: the preferred measure
    /// among those the country reports, and of those the one reported most recently.
    async fn latest_node_line(
        &self,
        caller: &Caller,
        country: CountryCode,
        since: NaiveDate,
    ) -> Result<Option<(Measure, SeriesLine, Unit)>, AppError> {
        let mut best: Option<(Measure, SeriesLine, Unit)> = None;
        for measure in NODE_MEASURES {
            let mut request = SeriesRequest::new(measure, Granularity::Month);
            request.countries = vec![country];
            request.from = Some(since);
            let response = self.series(caller, &request).await?;
            if let Some(line) = response.lines.into_iter().next() {
                let newer = match (&best, line.points.last()) {
                    (None, Some(_)) => true,
                    (Some((_, current, _)), Some(last)) => current
                        .points
                        .last()
                        .is_some_and(|current_last| last.period > current_last.period),
                    _ => false,
                };
                if newer {
                    best = Some((measure, line, response.unit));
                }
            }
        }
        Ok(best)
    }
}

fn country_or_code(countries: &[Country], code: CountryCode) -> Country {
    countries
        .iter()
        .find(|country| country.code == code)
        .cloned()
        .unwrap_or_else(|| Country {
            code,
            name_en: code.to_string(),
            name_es: code.to_string(),
            rcm_status: None,
        })
}
