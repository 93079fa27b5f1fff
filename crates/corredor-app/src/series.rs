//! Series: totals of one measure over time, by any chosen dimensions.
//!
//! Two rules of the domain are enforced here, wherever a series is shown:
//! - a stock (people present at a moment) is never summed over time: when days roll up into a
//!   month, a stock takes its value on the latest reported day, a flow the sum of all days;
//! - a flow added over several countries of the corridor counts the same people again at each
//!   point, so such a total is labelled [`Unit::Events`], not people.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use corredor_core::{
    AgeGroup, Caller, CountryCode, Granularity, Measure, MeasureKind, Nationality, Period,
    PlaceCode, Sex, Vulnerability,
};
use corredor_store::{DimensionFilter, GroupBy, PlaceFilter, SeriesQuery, SeriesRow};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::{App, AppError};

/// A dimension a series can be broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Country,
    Place,
    Nationality,
    Sex,
    AgeGroup,
    Vulnerability,
}

impl Dimension {
    pub fn parse(raw: &str) -> Option<Dimension> {
        match raw.trim() {
            "country" => Some(Dimension::Country),
            "place" => Some(Dimension::Place),
            "nationality" => Some(Dimension::Nationality),
            "sex" => Some(Dimension::Sex),
            "age_group" => Some(Dimension::AgeGroup),
            "vulnerability" => Some(Dimension::Vulnerability),
            _ => None,
        }
    }
}

/// Which series to read.
#[derive(Debug, Clone)]
pub struct SeriesRequest {
    pub measure: Measure,
    /// Empty: every country.
    pub countries: Vec<CountryCode>,
    /// Empty: the whole country (or every place, when broken down by place).
    pub places: Vec<PlaceCode>,
    pub granularity: Granularity,
    pub by: Vec<Dimension>,
    pub nationalities: Vec<Nationality>,
    pub sexes: Vec<Sex>,
    pub age_groups: Vec<AgeGroup>,
    pub vulnerabilities: Vec<Vulnerability>,
    /// Periods starting on or after this day.
    pub from: Option<NaiveDate>,
    /// Periods starting on or before this day.
    pub to: Option<NaiveDate>,
    /// Keep only the largest lines (by their total over the whole range).
    pub top: Option<usize>,
}

impl SeriesRequest {
    pub fn new(measure: Measure, granularity: Granularity) -> SeriesRequest {
        SeriesRequest {
            measure,
            countries: Vec::new(),
            places: Vec::new(),
            granularity,
            by: Vec::new(),
            nationalities: Vec::new(),
            sexes: Vec::new(),
            age_groups: Vec::new(),
            vulnerabilities: Vec::new(),
            from: None,
            to: None,
            top: None,
        }
    }

    /// Refuses a range that ends before it starts.
    pub(crate) fn check_range(&self) -> Result<(), AppError> {
        match (self.from, self.to) {
            (Some(from), Some(to)) if from > to => Err(AppError::invalid(
                "from",
                format!("`from` ({from}) is after `to` ({to})"),
            )),
            _ => Ok(()),
        }
    }

    pub(crate) fn grouped(&self, dimension: Dimension) -> bool {
        self.by.contains(&dimension)
    }
}

/// What the numbers of a series count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    People,
    /// Movements counted at several points (or repeat encounters): the same person may be
    /// counted more than once.
    Events,
}

/// One line of a series: its breakdown and its values per period.
///
/// In JSON, `total` is `null` when [`SeriesLine::total_withheld`].
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesLine {
    pub country: Option<CountryCode>,
    pub place: Option<PlaceCode>,
    pub nationality: Option<Nationality>,
    pub sex: Option<Sex>,
    pub age_group: Option<AgeGroup>,
    pub vulnerability: Option<Vulnerability>,
    /// For a flow, the sum over the range; for a stock, the latest value. 0 when withheld.
    pub total: u64,
    /// Some point of the range is suppressed, so the total is not published (with it, the
    /// totals of two ranges would give a hidden point back by subtraction).
    pub total_withheld: bool,
    pub points: Vec<SeriesPoint>,
}

/// One period of a line. A suppressed point has `value` 0, so that no code path can show
/// the count; in JSON its value is `null` and `suppressed` says why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesPoint {
    pub period: Period,
    pub value: u64,
    pub suppressed: Option<Suppressed>,
}

/// Why a point of a series is not shown to an observer or a reader who is not signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Suppressed {
    /// The count is below the disclosure threshold: shown as `<5`.
    #[serde(rename = "<5")]
    BelowThreshold,
    /// The count is hidden so that a small count cannot be derived from the totals.
    #[serde(rename = "hidden")]
    Complementary,
}

impl Suppressed {
    /// The JSON marker: `"<5"` (with the threshold in force) or `"hidden"`.
    pub fn marker(self, threshold: u64) -> String {
        match self {
            Suppressed::BelowThreshold => format!("<{threshold}"),
            Suppressed::Complementary => "hidden".to_owned(),
        }
    }
}

impl SeriesPoint {
    /// A point whose count is shown.
    pub fn shown(period: Period, value: u64) -> SeriesPoint {
        SeriesPoint {
            period,
            value,
            suppressed: None,
        }
    }

    /// The count, unless it is suppressed.
    pub fn shown_value(&self) -> Option<u64> {
        self.suppressed.is_none().then_some(self.value)
    }
}

impl Serialize for SeriesPoint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let fields = if self.suppressed.is_some() { 3 } else { 2 };
        let mut point = serializer.serialize_struct("SeriesPoint", fields)?;
        point.serialize_field("period", &self.period)?;
        point.serialize_field("value", &self.shown_value())?;
        if let Some(suppressed) = self.suppressed {
            // The marker names the corridor's threshold: the JSON contract is `"<5"`.
            point.serialize_field(
                "suppressed",
                &suppressed.marker(corredor_analytics::disclosure::DEFAULT_THRESHOLD),
            )?;
        }
        point.end()
    }
}

impl Serialize for SeriesLine {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut line = serializer.serialize_struct("SeriesLine", 8)?;
        if let Some(country) = &self.country {
            line.serialize_field("country", country)?;
        }
        if let Some(place) = &self.place {
            line.serialize_field("place", place)?;
        }
        if let Some(nationality) = &self.nationality {
            line.serialize_field("nationality", nationality)?;
        }
        if let Some(sex) = &self.sex {
            line.serialize_field("sex", sex)?;
        }
        if let Some(age_group) = &self.age_group {
            line.serialize_field("age_group", age_group)?;
        }
        if let Some(vulnerability) = &self.vulnerability {
            line.serialize_field("vulnerability", vulnerability)?;
        }
        line.serialize_field("total", &(!self.total_withheld).then_some(self.total))?;
        line.serialize_field("points", &self.points)?;
        line.end()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesResponse {
    pub measure: Measure,
    pub kind: MeasureKind,
    pub unit: Unit,
    pub granularity: Granularity,
    pub lines: Vec<SeriesLine>,
    /// What the reader should know: fallbacks taken, data that could not be rolled up.
    pub notes: Vec<String>,
}

pub(crate) type LineKey = (
    Option<CountryCode>,
    Option<PlaceCode>,
    Option<Nationality>,
    Option<Sex>,
    Option<AgeGroup>,
    Option<Vulnerability>,
);

/// Accumulates native rows into output periods for one line.
#[derive(Default)]
struct Cell {
    /// Per native granularity: (latest native period, its value, sum of all).
    by_native: BTreeMap<Granularity, (Period, u64, u64)>,
}

impl Cell {
    fn add(&mut self, native: Period, value: u64) {
        let entry = self
            .by_native
            .entry(native.granularity())
            .or_insert((native, 0, 0));
        entry.2 += value;
        match native.cmp(&entry.0) {
            std::cmp::Ordering::Greater => {
                entry.0 = native;
                entry.1 = value;
            }
            std::cmp::Ordering::Equal => entry.1 += value,
            std::cmp::Ordering::Less => {}
        }
    }

    /// The value of the output period: taken from the coarsest native granularity reported,
    /// since a country's monthly figure is its official one when it also sends days.
    fn value(&self, kind: MeasureKind, output: &Period) -> u64 {
        let (_, &(latest, latest_value, sum)) = self
            .by_native
            .iter()
            .next_back()
            .expect("a cell exists only once a row was added");
        match kind {
            MeasureKind::Flow => sum,
            MeasureKind::Stock if latest.granularity() == output.granularity() => sum,
            MeasureKind::Stock => latest_value,
        }
    }
}

/// The granularities of the stored rows read for an output granularity. Weeks are read for
/// months and years too, only to tell the reader that they cannot be shown there.
fn native_granularities(output: Granularity) -> &'static [Granularity] {
    match output {
        Granularity::Day => &[Granularity::Day],
        Granularity::Week => &[Granularity::Day, Granularity::Week],
        Granularity::Month => &[Granularity::Day, Granularity::Week, Granularity::Month],
        Granularity::Year => &[
            Granularity::Day,
            Granularity::Week,
            Granularity::Month,
            Granularity::Year,
        ],
    }
}

fn filter<T: Clone>(values: &[T]) -> DimensionFilter<T> {
    if values.is_empty() {
        DimensionFilter::Any
    } else {
        DimensionFilter::Values(values.to_vec())
    }
}

impl App {
    /// Reads a series as `caller` may see it: only the countries whose data of the measure
    /// the caller may read are added, and for observers and readers who are not signed in,
    /// small counts are suppressed.
    pub async fn series(
        &self,
        caller: &Caller,
        request: &SeriesRequest,
    ) -> Result<SeriesResponse, AppError> {
        let readable = self.readable(caller).await?;
        let suppression = caller.needs_suppression();
        if readable.is_everything() && !suppression {
            return self.series_unrestricted(request).await;
        }
        let candidates: Vec<CountryCode> = if request.countries.is_empty() {
            self.store
                .countries()
                .await?
                .into_iter()
                .map(|country| country.code)
                .collect()
        } else {
            request.countries.clone()
        };
        let countries: Vec<CountryCode> = readable.countries(request.measure, candidates).collect();
        if countries.is_empty() {
            return Ok(SeriesResponse {
                measure: request.measure,
                kind: request.measure.kind(),
                unit: Unit::People,
                granularity: request.granularity,
                lines: Vec::new(),
                notes: vec![format!(
                    "no country shares its {} data with you",
                    request.measure
                )],
            });
        }
        let hidden = !request.countries.is_empty() && countries.len() < request.countries.len();
        let restricted = SeriesRequest {
            countries,
            ..request.clone()
        };
        let mut response = if suppression {
            self.series_suppressed(&restricted).await?
        } else {
            self.series_unrestricted(&restricted).await?
        };
        if hidden {
            response.notes.push(
                "some of the countries asked for do not share this measure with you: they are left out"
                    .to_owned(),
            );
        }
        Ok(response)
    }

    /// Reads a series over everything stored, rolling finer reports up into the requested
    /// granularity: for the installation's own analyses.
    pub(crate) async fn series_unrestricted(
        &self,
        request: &SeriesRequest,
    ) -> Result<SeriesResponse, AppError> {
        request.check_range()?;
        let mut notes = Vec::new();
        let by_place = request.grouped(Dimension::Place) || !request.places.is_empty();
        // Country totals come from country-level rows; a country that only reports by place
        // gets the sum of its places instead (places of one country are parallel points, not
        // successive ones, so that sum still counts people once).
        let mut rows = self
            .series_rows(
                request,
                if by_place {
                    place_filter(request)
                } else {
                    PlaceFilter::CountryLevel
                },
            )
            .await?;
        if !by_place {
            let covered: BTreeSet<CountryCode> =
                rows.iter().filter_map(|row| row.country).collect();
            let place_rows = self.series_rows(request, PlaceFilter::AnyPlace).await?;
            let mut summed: BTreeSet<CountryCode> = BTreeSet::new();
            for row in place_rows {
                if let Some(country) = row.country.filter(|country| !covered.contains(country)) {
                    summed.insert(country);
                    rows.push(SeriesRow { place: None, ..row });
                }
            }
            for country in summed {
                notes.push(format!(
                    "{country} reports no country total: the sum of its places is shown"
                ));
            }
        }

        let mut cells: HashMap<LineKey, BTreeMap<Period, Cell>> = HashMap::new();
        let mut unrolled = 0u64;
        for row in rows {
            let Some(output) = row.period.roll_up(request.granularity) else {
                unrolled += row.observations;
                continue;
            };
            let key: LineKey = (
                row.country.filter(|_| request.grouped(Dimension::Country)),
                row.place.filter(|_| request.grouped(Dimension::Place)),
                row.nationality
                    .filter(|_| request.grouped(Dimension::Nationality)),
                row.sex.filter(|_| request.grouped(Dimension::Sex)),
                row.age_group
                    .filter(|_| request.grouped(Dimension::AgeGroup)),
                row.vulnerability
                    .filter(|_| request.grouped(Dimension::Vulnerability)),
            );
            cells
                .entry(key)
                .or_default()
                .entry(output)
                .or_default()
                .add(row.period, row.value);
        }
        if unrolled > 0 {
            notes.push(format!(
                "{unrolled} observation(s) of another granularity cannot be shown by {} (a week does not fall in one month)",
                request.granularity
            ));
        }

        let kind = request.measure.kind();
        let mut lines: Vec<SeriesLine> = cells
            .into_iter()
            .map(
                |((country, place, nationality, sex, age_group, vulnerability), periods)| {
                    let points: Vec<SeriesPoint> = periods
                        .iter()
                        .map(|(period, cell)| SeriesPoint::shown(*period, cell.value(kind, period)))
                        .collect();
                    let total = match kind {
                        MeasureKind::Flow => points.iter().map(|point| point.value).sum(),
                        MeasureKind::Stock => points.last().map_or(0, |point| point.value),
                    };
                    SeriesLine {
                        country,
                        place,
                        nationality,
                        sex,
                        age_group,
                        vulnerability,
                        total,
                        total_withheld: false,
                        points,
                    }
                },
            )
            .collect();
        lines.sort_by(|a, b| {
            b.total
                .cmp(&a.total)
                .then_with(|| line_key(a).cmp(&line_key(b)))
        });
        if let Some(top) = request.top {
            lines.truncate(top);
        }

        Ok(SeriesResponse {
            measure: request.measure,
            kind,
            unit: unit_of(request),
            granularity: request.granularity,
            lines,
            notes,
        })
    }

    async fn series_rows(
        &self,
        request: &SeriesRequest,
        places: PlaceFilter,
    ) -> Result<Vec<SeriesRow>, AppError> {
        let mut rows = Vec::new();
        for &granularity in native_granularities(request.granularity) {
            let query = SeriesQuery {
                measure: request.measure,
                countries: request.countries.clone(),
                places: places.clone(),
                granularity,
                group_by: GroupBy {
                    country: true,
                    place: request.grouped(Dimension::Place) || !request.places.is_empty(),
                    nationality: request.grouped(Dimension::Nationality),
                    sex: request.grouped(Dimension::Sex),
                    age_group: request.grouped(Dimension::AgeGroup),
                    vulnerability: request.grouped(Dimension::Vulnerability),
                },
                nationality: filter(&request.nationalities),
                sex: filter(&request.sexes),
                age_group: filter(&request.age_groups),
                vulnerability: filter(&request.vulnerabilities),
                from: request.from,
                to: request.to,
            };
            rows.extend(self.store.series(&query).await?);
        }
        Ok(rows)
    }
}

/// What the numbers of a response count: people, or events when the same person may be
/// counted again (encounters, or transit counts added over several countries).
pub(crate) fn unit_of(request: &SeriesRequest) -> Unit {
    let spans_countries = !request.grouped(Dimension::Country) && request.countries.len() != 1;
    if request.measure == Measure::Encounter
        || (request.measure.is_transit_count() && spans_countries)
    {
        Unit::Events
    } else {
        Unit::People
    }
}

fn place_filter(request: &SeriesRequest) -> PlaceFilter {
    if request.places.is_empty() {
        PlaceFilter::AnyPlace
    } else {
        PlaceFilter::Places(request.places.clone())
    }
}

/// The breakdown of a line, to order lines of equal totals the same way every time.
fn line_key(line: &SeriesLine) -> impl Ord + '_ {
    (
        line.country,
        &line.place,
        line.nationality,
        line.sex,
        line.age_group,
        line.vulnerability,
    )
}
