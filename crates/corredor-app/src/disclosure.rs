//! Small counts suppressed for observers and readers who are not signed in, consistently
//! across every response they can ask for.
//!
//! The engine (`corredor_analytics::disclosure`) protects one table. A reader combines
//! responses, though: the yearly total, the months, the months by nationality. So each
//! response is cut from *canonical views* computed in a fixed order, each one fixing the
//! cells of the earlier ones (a shown cell is published elsewhere, a hidden one is hidden
//! elsewhere), so that a cell has the same status in every response that shows it:
//!
//! - (a) the yearly total of the country, `T[y]` (no relation: primary suppression only);
//! - (b) the yearly lines of the dimension, with `T[y] = Σ lines + residual`;
//! - (c) the total at the granularity asked, `T[p]`, with for flows `T[y] = Σ T[p]` over the
//!   year (for days, the month first: `T[m] = Σ T[d]`; for weeks, the days are fixed first
//!   and each week is the sum of its days, `T[w] = Σ T[d]`, and the weeks of an ISO year add
//!   up to its total, published nowhere, one more cell);
//! - (d) the lines at that granularity, with `T[p] = Σ lines[p] + residual` per period and
//!   for flows `line[y] = Σ line[p]` per line and year.
//!
//! A stock is never summed over time: its year (or month) value is its last month's (or
//! day's) value, the same count, so that cell takes the status the coarser view gave it.
//! Age groups nest (`0-17 = 0-4 + 5-11 + 12-17`, `18+ = 18-59 + 60+`, the total = the wide
//! groups and `unknown`); vulnerabilities overlap, so they have no relation among them.
//! Several countries side by side show each country's own total (c). Added up, a period's
//! sum is shown only when every country's count in it is shown: it then tells nothing new.
//!
//! Relations never cross a calendar year (an ISO year for weeks, whose days are fixed by
//! the calendar years around it), so views are computed one year at a time over whole
//! years: the status of a cell depends on the data of its year only, never on the range or
//! the `top` asked. The response is then cut to the range.
//!
//! Not protected (see the engine's documentation): interval bounds (counts are
//! non-negative, so a hidden cell lies between 0 and the smallest total holding it), a
//! week reported as such beside days that do not add up to it, and the order of lines,
//! taken from the shown values only.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use corredor_analytics::disclosure::{suppress, Status, TableBuilder};
use corredor_core::{AgeGroup, CountryCode, Granularity, MeasureKind, Period};

use crate::series::{
    unit_of, Dimension, LineKey, SeriesLine, SeriesPoint, SeriesRequest, SeriesResponse, Suppressed,
};
use crate::{App, AppError};

/// The lines of one view: values per period, by line.
type Lines = BTreeMap<LineKey, BTreeMap<Period, u64>>;
/// A cell of the canonical views: its line and its period.
type Key = (LineKey, Period);
/// The status of every cell computed so far.
type Statuses = HashMap<Key, Status>;

/// The line that stands for the total (no breakdown).
const TOTAL: LineKey = (None, None, None, None, None, None);

/// What an observer may ask for, once the request is checked.
enum Shape {
    /// One country, at most one breakdown dimension.
    One {
        country: CountryCode,
        dimension: Option<Dimension>,
    },
    /// Several countries, one line each.
    SideBySide(Vec<CountryCode>),
    /// Several countries added up into one line.
    Summed(Vec<CountryCode>),
}

/// The data of one chain of views: for each granularity of the chain, the total and the
/// lines of the dimension.
struct Grids {
    levels: Vec<Granularity>,
    totals: BTreeMap<Granularity, BTreeMap<Period, u64>>,
    lines: BTreeMap<Granularity, Lines>,
}

impl App {
    /// Reads a series as an observer or a reader who is not signed in sees it: counts below
    /// the disclosure threshold, and the counts that would give them back, suppressed.
    /// `request.countries` lists the readable countries, at least one.
    pub(crate) async fn series_suppressed(
        &self,
        request: &SeriesRequest,
    ) -> Result<SeriesResponse, AppError> {
        request.check_range()?;
        let shape = shape(request)?;
        let threshold = self.disclosure_threshold;
        let kind = request.measure.kind();
        let levels = levels(request.granularity);
        let mut notes = Vec::new();
        let mut lines = match &shape {
            Shape::One { country, dimension } => {
                let grids = self
                    .grids(request, *country, &levels, *dimension, &mut notes)
                    .await?;
                let statuses = chain(&grids, kind, *dimension, threshold);
                let wanted: Lines = match dimension {
                    Some(dimension) => grids
                        .lines
                        .get(&request.granularity)
                        .into_iter()
                        .flatten()
                        .filter(|(key, _)| asked_for(request, *dimension, key))
                        .map(|(key, values)| (key.clone(), values.clone()))
                        .collect(),
                    None => total_only(&grids, request.granularity),
                };
                wanted
                    .iter()
                    .filter_map(|(key, values)| {
                        response_line(request, key.clone(), key, values, &statuses, kind)
                    })
                    .collect::<Vec<_>>()
            }
            Shape::SideBySide(countries) => {
                let mut lines = Vec::new();
                for &country in countries {
                    let grids = self
                        .grids(request, country, &levels, None, &mut notes)
                        .await?;
                    let statuses = chain(&grids, kind, None, threshold);
                    for (key, values) in total_only(&grids, request.granularity) {
                        let mut shown_key = key.clone();
                        shown_key.0 = Some(country);
                        lines.extend(response_line(
                            request, shown_key, &key, &values, &statuses, kind,
                        ));
                    }
                }
                lines
            }
            Shape::Summed(countries) => {
                let mut components = Vec::new();
                for &country in countries {
                    let grids = self
                        .grids(request, country, &levels, None, &mut notes)
                        .await?;
                    let statuses = chain(&grids, kind, None, threshold);
                    components.push((country, grids, statuses));
                }
                let summed = summed_grids(&levels, &components);
                let statuses = summed_statuses(&components, threshold);
                total_only(&summed, request.granularity)
                    .iter()
                    .filter_map(|(key, values)| {
                        response_line(request, key.clone(), key, values, &statuses, kind)
                    })
                    .collect()
            }
        };
        // The order (and so `top`) follows the shown counts only: an order by the true
        // totals would tell how hidden counts compare.
        lines.sort_by(|a, b| {
            shown_sum(b)
                .cmp(&shown_sum(a))
                .then_with(|| line_order(a).cmp(&line_order(b)))
        });
        if let Some(top) = request.top {
            lines.truncate(top);
        }
        notes.sort();
        notes.dedup();
        Ok(SeriesResponse {
            measure: request.measure,
            kind,
            unit: unit_of(request),
            granularity: request.granularity,
            lines,
            notes,
        })
    }

    /// Reads the data of one country's chain of views over whole years covering the range.
    async fn grids(
        &self,
        request: &SeriesRequest,
        country: CountryCode,
        levels: &[Granularity],
        dimension: Option<Dimension>,
        notes: &mut Vec<String>,
    ) -> Result<Grids, AppError> {
        let (from, to) = whole_years(request);
        let mut grids = Grids {
            levels: levels.to_vec(),
            totals: BTreeMap::new(),
            lines: BTreeMap::new(),
        };
        for &level in levels {
            let mut read = SeriesRequest::new(request.measure, level);
            read.countries = vec![country];
            read.from = from;
            read.to = to;
            let response = self.series_unrestricted(&read).await?;
            if level == request.granularity {
                notes.extend(response.notes);
            }
            let total = response
                .lines
                .into_iter()
                .next()
                .map(|line| values_of(&line))
                .unwrap_or_default();
            grids.totals.insert(level, total);
            if let Some(dimension) = dimension {
                read.by = vec![dimension];
                let response = self.series_unrestricted(&read).await?;
                let lines = response
                    .lines
                    .iter()
                    .map(|line| (key_of(line), values_of(line)))
                    .collect();
                grids.lines.insert(level, lines);
            }
        }
        Ok(grids)
    }
}

/// Checks that the request reads one breakdown at a time, and says how.
fn shape(request: &SeriesRequest) -> Result<Shape, AppError> {
    let mut dimensions: Vec<Dimension> = request
        .by
        .iter()
        .copied()
        .filter(|dimension| *dimension != Dimension::Country)
        .collect();
    let filtered = [
        (!request.nationalities.is_empty(), Dimension::Nationality),
        (!request.sexes.is_empty(), Dimension::Sex),
        (!request.age_groups.is_empty(), Dimension::AgeGroup),
        (
            !request.vulnerabilities.is_empty(),
            Dimension::Vulnerability,
        ),
        (!request.places.is_empty(), Dimension::Place),
    ];
    for (on, dimension) in filtered {
        if on && !dimensions.contains(&dimension) {
            dimensions.push(dimension);
        }
    }
    dimensions.dedup();
    let by_country = request.grouped(Dimension::Country);
    let several = request.countries.len() > 1;
    if dimensions.len() > 1 || (!dimensions.is_empty() && (by_country || several)) {
        return Err(AppError::invalid(
            "by",
            "observers and readers who are not signed in read one breakdown at a time: one \
             country by at most one dimension (a filter counts as its dimension), or several \
             countries side by side (by=country) or added up, without another breakdown",
        ));
    }
    Ok(match (request.countries.as_slice(), by_country) {
        ([country], false) => Shape::One {
            country: *country,
            dimension: dimensions.first().copied(),
        },
        (countries, true) => Shape::SideBySide(countries.to_vec()),
        (countries, false) => Shape::Summed(countries.to_vec()),
    })
}

/// The granularities of the chain of views ending at `granularity`, coarsest first.
fn levels(granularity: Granularity) -> Vec<Granularity> {
    match granularity {
        Granularity::Year => vec![Granularity::Year],
        Granularity::Month => vec![Granularity::Year, Granularity::Month],
        Granularity::Day => vec![Granularity::Year, Granularity::Month, Granularity::Day],
        // Weeks do not fall in calendar years or months: a week adds up its days, so the days
        // are fixed first (with their months and years), and the weeks of an ISO year add up
        // to its total, published nowhere.
        Granularity::Week => vec![
            Granularity::Year,
            Granularity::Month,
            Granularity::Day,
            Granularity::Week,
        ],
    }
}

/// The range of whole years (ISO years for weeks) covering the range asked.
fn whole_years(request: &SeriesRequest) -> (Option<NaiveDate>, Option<NaiveDate>) {
    // An ISO year reaches into the calendar years on either side, whose days its weeks add
    // up: those years are read whole too.
    let (before, after) = if request.granularity == Granularity::Week {
        (1, 1)
    } else {
        (0, 0)
    };
    let from = request.from.map(|from| {
        let year = if before > 0 {
            from.iso_week().year() - before
        } else {
            from.year()
        };
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(from)
    });
    let to = request.to.map(|to| {
        let year = if after > 0 {
            to.iso_week().year() + after
        } else {
            to.year()
        };
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(to)
    });
    (from, to)
}

/// The year whose views hold the period (the ISO year of a week).
fn block_of(period: &Period) -> i32 {
    match *period {
        Period::Day(date) => date.year(),
        Period::Week { year, .. } | Period::Month { year, .. } | Period::Year(year) => year,
    }
}

/// The coarser period a period adds up into: its year (ISO year for a week), or its month
/// for a day.
fn group_of(period: &Period) -> Option<Period> {
    match *period {
        Period::Day(date) => Some(Period::Month {
            year: date.year(),
            month: date.month(),
        }),
        Period::Week { year, .. } | Period::Month { year, .. } => Some(Period::Year(year)),
        Period::Year(_) => None,
    }
}

/// Computes the status of every cell of the chain, view after view.
fn chain(
    grids: &Grids,
    kind: MeasureKind,
    dimension: Option<Dimension>,
    threshold: u64,
) -> Statuses {
    let mut statuses = Statuses::new();
    for (position, &level) in grids.levels.iter().enumerate() {
        // Weeks add up to their ISO year, published nowhere: no earlier view fixes it. Their
        // days are fixed instead.
        let parent = position
            .checked_sub(1)
            .map(|index| grids.levels[index])
            .filter(|_| level != Granularity::Week);
        let days = |key: &LineKey| -> Option<&BTreeMap<Period, u64>> {
            if level != Granularity::Week {
                return None;
            }
            if *key == TOTAL {
                grids.totals.get(&Granularity::Day)
            } else {
                grids.lines.get(&Granularity::Day)?.get(key)
            }
        };
        let totals = grids.totals.get(&level).cloned().unwrap_or_default();
        let years: BTreeSet<i32> = totals
            .keys()
            .chain(
                grids
                    .lines
                    .get(&level)
                    .into_iter()
                    .flat_map(|lines| lines.values().flat_map(|values| values.keys())),
            )
            .map(block_of)
            .collect();
        for year in years {
            let in_year = |values: &BTreeMap<Period, u64>| -> BTreeMap<Period, u64> {
                values
                    .iter()
                    .filter(|(period, _)| block_of(period) == year)
                    .map(|(period, value)| (*period, *value))
                    .collect()
            };
            // (a) or (c): the total.
            let mut step = Step::default();
            let total_lines: Lines = [(TOTAL, in_year(&totals))].into_iter().collect();
            let parent_totals: Option<Lines> = parent.map(|parent| {
                [(
                    TOTAL,
                    grids.totals.get(&parent).cloned().unwrap_or_default(),
                )]
                .into_iter()
                .collect()
            });
            step.weeks_of_days(kind, &total_lines, days, &statuses);
            step.time_cells(kind, level, &total_lines, parent_totals.as_ref(), &statuses);
            step.solve(threshold, &mut statuses);

            // (b) or (d): the lines of the dimension.
            let (Some(dimension), Some(lines)) = (dimension, grids.lines.get(&level)) else {
                continue;
            };
            let block: Lines = lines
                .iter()
                .map(|(key, values)| (key.clone(), in_year(values)))
                .filter(|(_, values)| !values.is_empty())
                .collect();
            let mut step = Step::default();
            for (period, value) in &total_lines[&TOTAL] {
                if let Some(status) = statuses.get(&(TOTAL, *period)) {
                    step.fixed((TOTAL, *period), *value, *status);
                }
            }
            step.weeks_of_days(kind, &block, days, &statuses);
            step.time_cells(
                kind,
                level,
                &block,
                parent.and_then(|parent| grids.lines.get(&parent)),
                &statuses,
            );
            let periods: BTreeSet<Period> =
                block.values().flat_map(|v| v.keys().copied()).collect();
            for period in periods {
                let cells: Vec<(LineKey, usize)> = block
                    .keys()
                    .filter_map(|key| {
                        step.index
                            .get(&(key.clone(), period))
                            .map(|&cell| (key.clone(), cell))
                    })
                    .collect();
                let total = step.index.get(&(TOTAL, period)).copied();
                for (whole, parts) in line_relations(dimension, total, &cells) {
                    step.relation(whole, parts);
                }
            }
            step.solve(threshold, &mut statuses);
        }
    }
    statuses
}

/// The relations among the lines of one period (and their total, when known).
fn line_relations(
    dimension: Dimension,
    total: Option<usize>,
    cells: &[(LineKey, usize)],
) -> Vec<(usize, Vec<usize>)> {
    let all: Vec<usize> = cells.iter().map(|(_, cell)| *cell).collect();
    match dimension {
        // People in several situations at once are counted in each: no sum holds.
        Dimension::Vulnerability => Vec::new(),
        Dimension::AgeGroup => {
            let of = |group: AgeGroup| {
                cells
                    .iter()
                    .find(|(key, _)| key.4 == Some(group))
                    .map(|(_, cell)| *cell)
            };
            let mut relations = Vec::new();
            let mut top_level = Vec::new();
            for (wide, narrow) in [
                (
                    AgeGroup::Age0To17,
                    &[AgeGroup::Age0To4, AgeGroup::Age5To11, AgeGroup::Age12To17][..],
                ),
                (
                    AgeGroup::Age18Plus,
                    &[AgeGroup::Age18To59, AgeGroup::Age60Plus][..],
                ),
            ] {
                let narrow: Vec<usize> = narrow.iter().filter_map(|group| of(*group)).collect();
                match of(wide) {
                    Some(wide) => {
                        if !narrow.is_empty() {
                            relations.push((wide, narrow));
                        }
                        top_level.push(wide);
                    }
                    None => top_level.extend(narrow),
                }
            }
            top_level.extend(of(AgeGroup::Unknown));
            if let Some(total) = total {
                relations.push((total, top_level));
            }
            relations
        }
        _ => total.map(|total| vec![(total, all)]).unwrap_or_default(),
    }
}

/// One table of the chain being built: new cells, cells fixed by earlier views, relations.
/// What a view does with the status of one of its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Decided here.
    New,
    /// Decided by an earlier view.
    Fixed,
    /// The same count as a cell of an earlier view (a stock's last month and its year):
    /// recorded here with that status, never changed.
    Same,
}

#[derive(Default)]
struct Step {
    builder: TableBuilder,
    /// `keys[cell]`: the key of each cell, and what this view does with its status.
    keys: Vec<(Key, Role)>,
    index: HashMap<Key, usize>,
    relations: Vec<(usize, Vec<usize>)>,
}

impl Step {
    fn new_cell(&mut self, key: Key, value: u64) -> usize {
        let cell = self.builder.cell(value);
        self.register(key, cell, Role::New)
    }

    /// The cell of `key` if an earlier step of this view added it, else a new one.
    fn cell_or_existing(&mut self, key: Key, value: u64) -> usize {
        match self.index.get(&key) {
            Some(&cell) => cell,
            None => self.new_cell(key, value),
        }
    }

    /// For weeks: each week adds up its days (fixed by the day view), and a stock's week is
    /// its last day, the same count, so it takes that day's status.
    fn weeks_of_days<'a>(
        &mut self,
        kind: MeasureKind,
        lines: &Lines,
        days: impl Fn(&LineKey) -> Option<&'a BTreeMap<Period, u64>>,
        statuses: &Statuses,
    ) {
        for (key, weeks) in lines {
            let Some(days) = days(key) else {
                continue;
            };
            let mut by_week: BTreeMap<Period, Vec<(Period, u64)>> = BTreeMap::new();
            for (day, value) in days {
                if let Some(week) = day.roll_up(Granularity::Week) {
                    if weeks.contains_key(&week) {
                        by_week.entry(week).or_default().push((*day, *value));
                    }
                }
            }
            for (week, members) in by_week {
                let fixed: Vec<(Period, u64, Status)> = members
                    .iter()
                    .filter_map(|(day, value)| {
                        let status = statuses.get(&(key.clone(), *day))?;
                        Some((*day, *value, *status))
                    })
                    .collect();
                let value = weeks[&week];
                match kind {
                    MeasureKind::Flow => {
                        let parts: Vec<usize> = fixed
                            .iter()
                            .map(|(day, value, status)| {
                                self.fixed((key.clone(), *day), *value, *status)
                            })
                            .collect();
                        let whole = self.new_cell((key.clone(), week), value);
                        self.relation(whole, parts);
                    }
                    MeasureKind::Stock => {
                        if let Some((_, _, status)) = fixed.last() {
                            self.fixed((key.clone(), week), value, *status);
                            self.keys.last_mut().expect("just pushed").1 = Role::Same;
                        }
                    }
                }
            }
        }
    }

    fn fixed(&mut self, key: Key, value: u64, status: Status) -> usize {
        let cell = if status.is_suppressed() {
            self.builder.cell_hidden_elsewhere(value)
        } else {
            self.builder.cell_published_elsewhere(value)
        };
        self.register(key, cell, Role::Fixed)
    }

    fn register(&mut self, key: Key, cell: usize, role: Role) -> usize {
        self.keys.push((key.clone(), role));
        self.index.insert(key, cell);
        cell
    }

    fn relation(&mut self, total: usize, parts: Vec<usize>) {
        if !parts.is_empty() {
            self.builder.relation(total, &parts);
            self.relations.push((total, parts));
        }
    }

    /// Adds the cells of `lines` at `level` and, for flows, their sums over each coarser
    /// period (taken from the earlier view `parent`, or new cells for weeks, whose ISO years
    /// are published nowhere). For stocks, the last cell of each coarser period is the
    /// coarser value itself, so it takes that cell's status.
    fn time_cells(
        &mut self,
        kind: MeasureKind,
        level: Granularity,
        lines: &Lines,
        parent: Option<&Lines>,
        statuses: &Statuses,
    ) {
        for (key, values) in lines {
            let mut groups: BTreeMap<Period, Vec<(Period, u64)>> = BTreeMap::new();
            for (period, value) in values {
                match group_of(period) {
                    Some(group) if level != Granularity::Year => {
                        groups.entry(group).or_default().push((*period, *value));
                    }
                    _ => {
                        self.cell_or_existing((key.clone(), *period), *value);
                    }
                }
            }
            let parent_line = parent.and_then(|parent_lines| parent_lines.get(key));
            for (group, members) in groups {
                // The coarser cell: fixed by the earlier view when there is one.
                let earlier = parent_line.and_then(|parent_values| {
                    let value = parent_values.get(&group)?;
                    let status = statuses.get(&(key.clone(), group))?;
                    Some((*value, *status))
                });
                match kind {
                    MeasureKind::Flow => {
                        let parts: Vec<usize> = members
                            .iter()
                            .map(|(period, value)| {
                                self.cell_or_existing((key.clone(), *period), *value)
                            })
                            .collect();
                        let whole = match earlier {
                            Some((value, status)) => {
                                Some(self.fixed((key.clone(), group), value, status))
                            }
                            None if level == Granularity::Week => {
                                let sum = members.iter().map(|(_, value)| value).sum();
                                Some(self.new_cell((key.clone(), group), sum))
                            }
                            None => None,
                        };
                        if let Some(whole) = whole {
                            self.relation(whole, parts);
                        }
                    }
                    MeasureKind::Stock => {
                        let last = members.len().saturating_sub(1);
                        for (position, (period, value)) in members.iter().enumerate() {
                            match earlier {
                                Some((_, status)) if position == last => {
                                    self.fixed((key.clone(), *period), *value, status);
                                    // The same count as the coarser cell: the response
                                    // shows it with that cell's status.
                                    self.keys.last_mut().expect("just pushed").1 = Role::Same;
                                }
                                _ => {
                                    self.cell_or_existing((key.clone(), *period), *value);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Suppresses the table and records the status of the cells this view decides. Values
    /// the table cannot protect (every cell left to hide is fixed by an earlier view) are
    /// withheld with every cell of this view in their relations.
    fn solve(self, threshold: u64, statuses: &mut Statuses) {
        let table = self
            .builder
            .build()
            .expect("relations name cells returned by the builder, each once");
        let suppression = suppress(&table, threshold);
        let mut status = suppression.status.clone();
        let mut unprotected: BTreeSet<usize> =
            suppression.unprotected_relations.iter().copied().collect();
        for &cell in &suppression.unprotected_cells {
            for (index, (total, parts)) in self.relations.iter().enumerate() {
                if *total == cell || parts.contains(&cell) {
                    unprotected.insert(index);
                }
            }
        }
        for &relation in &unprotected {
            let (total, parts) = &self.relations[relation];
            for &cell in std::iter::once(total).chain(parts) {
                if self.keys[cell].1 == Role::New && !status[cell].is_suppressed() {
                    status[cell] = Status::Complementary;
                }
            }
        }
        if !unprotected.is_empty() {
            tracing::warn!(
                relations = unprotected.len(),
                cells = suppression.unprotected_cells.len(),
                "disclosure control could not protect some counts: their lines are withheld"
            );
        }
        for (cell, (key, role)) in self.keys.into_iter().enumerate() {
            if role != Role::Fixed {
                statuses.insert(key, status[cell]);
            }
        }
    }
}

/// The total line of the chain at `granularity`, as a one-line map.
fn total_only(grids: &Grids, granularity: Granularity) -> Lines {
    grids
        .totals
        .get(&granularity)
        .filter(|values| !values.is_empty())
        .map(|values| (TOTAL, values.clone()))
        .into_iter()
        .collect()
}

/// The statuses of several countries added up: a sum is shown only when every count in it
/// is shown, so it tells nothing the countries' own views do not. Were a sum of two hidden
/// counts shown, sums over other sets of countries would give each back (`C = ((C + D) +
/// (C + E) − (D + E)) / 2`), and no one table could hold every set a reader may ask for.
fn summed_statuses(components: &[(CountryCode, Grids, Statuses)], threshold: u64) -> Statuses {
    let mut sums: HashMap<Key, (u64, bool)> = HashMap::new();
    for (_, grids, statuses) in components {
        for values in grids.totals.values() {
            for (period, value) in values {
                let shown = statuses.get(&(TOTAL, *period)) == Some(&Status::Shown);
                let entry = sums.entry((TOTAL, *period)).or_insert((0, true));
                entry.0 += value;
                entry.1 &= shown;
            }
        }
    }
    sums.into_iter()
        .map(|(key, (value, shown))| {
            let status = if value < threshold {
                Status::BelowThreshold
            } else if shown {
                Status::Shown
            } else {
                Status::Complementary
            };
            (key, status)
        })
        .collect()
}

/// The chain of several countries added up: each period's total is the sum of theirs.
fn summed_grids(levels: &[Granularity], components: &[(CountryCode, Grids, Statuses)]) -> Grids {
    let mut totals: BTreeMap<Granularity, BTreeMap<Period, u64>> = BTreeMap::new();
    for &level in levels {
        let summed = totals.entry(level).or_default();
        for (_, grids, _) in components {
            for (period, value) in grids.totals.get(&level).into_iter().flatten() {
                *summed.entry(*period).or_default() += value;
            }
        }
    }
    Grids {
        levels: levels.to_vec(),
        totals,
        lines: BTreeMap::new(),
    }
}

/// Whether a line of `dimension` is one the request filters on (every line without filter).
fn asked_for(request: &SeriesRequest, dimension: Dimension, key: &LineKey) -> bool {
    match dimension {
        Dimension::Nationality => {
            request.nationalities.is_empty()
                || key
                    .2
                    .is_some_and(|value| request.nationalities.contains(&value))
        }
        Dimension::Sex => {
            request.sexes.is_empty() || key.3.is_some_and(|value| request.sexes.contains(&value))
        }
        Dimension::AgeGroup => {
            request.age_groups.is_empty()
                || key
                    .4
                    .is_some_and(|value| request.age_groups.contains(&value))
        }
        Dimension::Vulnerability => {
            request.vulnerabilities.is_empty()
                || key
                    .5
                    .is_some_and(|value| request.vulnerabilities.contains(&value))
        }
        Dimension::Place => {
            request.places.is_empty()
                || key
                    .1
                    .as_ref()
                    .is_some_and(|value| request.places.contains(value))
        }
        Dimension::Country => true,
    }
}

/// One line of the response: the canonical cells of `key` cut to the range asked, with
/// their statuses; `None` when no period of the range has data.
fn response_line(
    request: &SeriesRequest,
    shown_key: LineKey,
    key: &LineKey,
    values: &BTreeMap<Period, u64>,
    statuses: &Statuses,
    kind: MeasureKind,
) -> Option<SeriesLine> {
    let points: Vec<SeriesPoint> = values
        .iter()
        .filter(|(period, _)| {
            request.from.is_none_or(|from| period.start() >= from)
                && request.to.is_none_or(|to| period.start() <= to)
        })
        .map(|(period, value)| {
            // A cell without a status was in no view: withheld rather than shown.
            let status = statuses
                .get(&(key.clone(), *period))
                .copied()
                .unwrap_or(Status::Complementary);
            match status {
                Status::Shown => SeriesPoint::shown(*period, *value),
                Status::BelowThreshold => SeriesPoint {
                    period: *period,
                    value: 0,
                    suppressed: Some(Suppressed::BelowThreshold),
                },
                Status::Complementary => SeriesPoint {
                    period: *period,
                    value: 0,
                    suppressed: Some(Suppressed::Complementary),
                },
            }
        })
        .collect();
    if points.is_empty() {
        return None;
    }
    let total_withheld = points.iter().any(|point| point.suppressed.is_some());
    let total = if total_withheld {
        0
    } else {
        match kind {
            MeasureKind::Flow => points.iter().map(|point| point.value).sum(),
            MeasureKind::Stock => points.last().map_or(0, |point| point.value),
        }
    };
    let (country, place, nationality, sex, age_group, vulnerability) = shown_key;
    Some(SeriesLine {
        country,
        place,
        nationality,
        sex,
        age_group,
        vulnerability,
        total,
        total_withheld,
        points,
    })
}

fn key_of(line: &SeriesLine) -> LineKey {
    (
        line.country,
        line.place.clone(),
        line.nationality,
        line.sex,
        line.age_group,
        line.vulnerability,
    )
}

fn values_of(line: &SeriesLine) -> BTreeMap<Period, u64> {
    line.points
        .iter()
        .map(|point| (point.period, point.value))
        .collect()
}

/// The sum of the shown counts of a line: what the order of lines may follow.
fn shown_sum(line: &SeriesLine) -> u64 {
    line.points
        .iter()
        .filter_map(SeriesPoint::shown_value)
        .sum()
}

fn line_order(line: &SeriesLine) -> LineKey {
    key_of(line)
}

#[cfg(test)]
mod tests {
    use corredor_analytics::disclosure::DEFAULT_THRESHOLD;

    use super::*;

    fn month(month: u32) -> Period {
        Period::month(2023, month).expect("a month of 2023")
    }

    fn year() -> Period {
        Period::year(2023).expect("2023")
    }

    fn line(values: &[(Period, u64)]) -> BTreeMap<Period, u64> {
        values.iter().copied().collect()
    }

    /// Monthly grids of one year: the year values of a flow are the sums of the months, of a
    /// stock the last month.
    fn monthly(kind: MeasureKind, total: &[u64], lines: &[(LineKey, &[u64])]) -> Grids {
        let year_value = |values: &[u64]| match kind {
            MeasureKind::Flow => values.iter().sum(),
            MeasureKind::Stock => values.last().copied().unwrap_or(0),
        };
        let months = |values: &[u64]| -> BTreeMap<Period, u64> {
            (1..).zip(values).map(|(m, v)| (month(m), *v)).collect()
        };
        let mut grids = Grids {
            levels: vec![Granularity::Year, Granularity::Month],
            totals: BTreeMap::new(),
            lines: BTreeMap::new(),
        };
        grids
            .totals
            .insert(Granularity::Year, line(&[(year(), year_value(total))]));
        grids.totals.insert(Granularity::Month, months(total));
        let mut years = Lines::new();
        let mut by_month = Lines::new();
        for (key, values) in lines {
            years.insert(key.clone(), line(&[(year(), year_value(values))]));
            by_month.insert(key.clone(), months(values));
        }
        grids.lines.insert(Granularity::Year, years);
        grids.lines.insert(Granularity::Month, by_month);
        grids
    }

    fn age(group: AgeGroup) -> LineKey {
        (None, None, None, None, Some(group), None)
    }

    fn vulnerability(v: corredor_core::Vulnerability) -> LineKey {
        (None, None, None, None, None, Some(v))
    }

    fn status(statuses: &Statuses, key: &LineKey, period: Period) -> Status {
        statuses[&(key.clone(), period)]
    }

    #[test]
    fn a_stock_takes_its_year_status_in_its_last_month_and_is_never_summed_over_time() {
        // People in shelters at the end of each month: 40, 3, 60. The year's value is
        // December's. November's 3 is hidden, and nothing else needs to be: a stock adds up
        // over no months, so no relation exposes it.
        let grids = monthly(MeasureKind::Stock, &[40, 3, 60], &[]);
        let statuses = chain(&grids, MeasureKind::Stock, None, DEFAULT_THRESHOLD);
        assert_eq!(status(&statuses, &TOTAL, month(2)), Status::BelowThreshold);
        assert_eq!(status(&statuses, &TOTAL, month(1)), Status::Shown);
        assert_eq!(status(&statuses, &TOTAL, month(3)), Status::Shown);
        assert_eq!(status(&statuses, &TOTAL, year()), Status::Shown);

        // A flow of the same numbers: the year gives November back, so one more month hides.
        let grids = monthly(MeasureKind::Flow, &[40, 3, 60], &[]);
        let statuses = chain(&grids, MeasureKind::Flow, None, DEFAULT_THRESHOLD);
        assert_eq!(status(&statuses, &TOTAL, month(2)), Status::BelowThreshold);
        assert_eq!(status(&statuses, &TOTAL, month(1)), Status::Complementary);

        // A stock whose last month is small: the year is the same count, hidden too.
        let grids = monthly(MeasureKind::Stock, &[40, 60, 2], &[]);
        let statuses = chain(&grids, MeasureKind::Stock, None, DEFAULT_THRESHOLD);
        assert_eq!(status(&statuses, &TOTAL, year()), Status::BelowThreshold);
        assert_eq!(status(&statuses, &TOTAL, month(3)), Status::BelowThreshold);
    }

    #[test]
    fn age_groups_nest_and_a_small_narrow_group_is_protected_inside_its_wide_one() {
        // One month: 100 people, 30 children (3 aged 0-4, 12 aged 5-11, 15 aged 12-17) and
        // 70 adults. The 0-4 count would come back from 0-17 minus its other groups.
        let lines: [(LineKey, &[u64]); 5] = [
            (age(AgeGroup::Age0To17), &[30]),
            (age(AgeGroup::Age0To4), &[3]),
            (age(AgeGroup::Age5To11), &[12]),
            (age(AgeGroup::Age12To17), &[15]),
            (age(AgeGroup::Age18Plus), &[70]),
        ];
        let grids = monthly(MeasureKind::Flow, &[100], &lines);
        let statuses = chain(
            &grids,
            MeasureKind::Flow,
            Some(Dimension::AgeGroup),
            DEFAULT_THRESHOLD,
        );
        for period in [month(1), year()] {
            let of = |group| status(&statuses, &age(group), period);
            assert_eq!(of(AgeGroup::Age0To4), Status::BelowThreshold);
            assert_eq!(of(AgeGroup::Age5To11), Status::Complementary);
            assert_eq!(of(AgeGroup::Age12To17), Status::Shown);
            // The wide groups add up to the total with nothing small in between.
            assert_eq!(of(AgeGroup::Age0To17), Status::Shown);
            assert_eq!(of(AgeGroup::Age18Plus), Status::Shown);
        }
    }

    #[test]
    fn overlapping_vulnerabilities_have_no_sum_and_hide_only_their_small_counts() {
        use corredor_core::Vulnerability::{Disability, Pregnant};
        // A pregnant woman with a disability counts in both: 3 + 40 need not be the total.
        let lines: [(LineKey, &[u64]); 2] = [
            (vulnerability(Pregnant), &[3, 8]),
            (vulnerability(Disability), &[40, 45]),
        ];
        let grids = monthly(MeasureKind::Flow, &[43, 53], &lines);
        let statuses = chain(
            &grids,
            MeasureKind::Flow,
            Some(Dimension::Vulnerability),
            DEFAULT_THRESHOLD,
        );
        assert_eq!(
            status(&statuses, &vulnerability(Pregnant), month(1)),
            Status::BelowThreshold
        );
        assert_eq!(
            status(&statuses, &vulnerability(Disability), month(1)),
            Status::Shown
        );
        // Only time relations: the pregnant women's year (11) gives March back from
        // February, so February hides too.
        assert_eq!(
            status(&statuses, &vulnerability(Pregnant), month(2)),
            Status::Complementary
        );
    }

    #[test]
    fn countries_added_up_hide_a_sum_with_a_hidden_count_in_it() {
        // Costa Rica shows 80 and 90; Nicaragua hides its 3 (and a complement, 50). Both
        // monthly sums hold a hidden count: hidden. The year sums two shown years: shown.
        let cri = CountryCode::parse("CRI").expect("CRI");
        let nic = CountryCode::parse("NIC").expect("NIC");
        let components: Vec<(CountryCode, Grids, Statuses)> = [(cri, [80, 90]), (nic, [3, 50])]
            .into_iter()
            .map(|(country, values)| {
                let grids = monthly(MeasureKind::Flow, &values, &[]);
                let statuses = chain(&grids, MeasureKind::Flow, None, DEFAULT_THRESHOLD);
                (country, grids, statuses)
            })
            .collect();
        let nicaragua = &components[1].2;
        assert_eq!(status(nicaragua, &TOTAL, month(1)), Status::BelowThreshold);
        assert_eq!(status(nicaragua, &TOTAL, month(2)), Status::Complementary);
        let statuses = summed_statuses(&components, DEFAULT_THRESHOLD);
        assert_eq!(status(&statuses, &TOTAL, month(1)), Status::Complementary);
        assert_eq!(status(&statuses, &TOTAL, month(2)), Status::Complementary);
        assert_eq!(status(&statuses, &TOTAL, year()), Status::Shown);
        let summed = summed_grids(&[Granularity::Year, Granularity::Month], &components);
        assert_eq!(summed.totals[&Granularity::Year][&year()], 223);
    }

    #[test]
    fn a_week_that_would_give_a_small_day_back_is_hidden() {
        // March 2023 by day: 100 people a day, but 3 on Wednesday 1 March and 50 on Monday
        // 20 March. The day view protects the 3 inside the month by hiding the 50, in
        // another week; the week of 1 March, the sum of its days, would give the 3 back.
        let days: BTreeMap<Period, u64> = (1..=31)
            .map(|day| {
                let date = NaiveDate::from_ymd_opt(2023, 3, day).expect("a day of March");
                let value = match day {
                    1 => 3,
                    20 => 50,
                    _ => 100,
                };
                (Period::day(date), value)
            })
            .collect();
        let mut weeks: BTreeMap<Period, u64> = BTreeMap::new();
        for (day, value) in &days {
            *weeks
                .entry(day.roll_up(Granularity::Week).expect("a day has a week"))
                .or_default() += value;
        }
        let sum: u64 = days.values().sum();
        let grids = Grids {
            levels: levels(Granularity::Week),
            totals: [
                (Granularity::Year, line(&[(year(), sum)])),
                (Granularity::Month, line(&[(month(3), sum)])),
                (Granularity::Day, days.clone()),
                (Granularity::Week, weeks),
            ]
            .into_iter()
            .collect(),
            lines: BTreeMap::new(),
        };
        let statuses = chain(&grids, MeasureKind::Flow, None, DEFAULT_THRESHOLD);
        let day = |day| Period::day(NaiveDate::from_ymd_opt(2023, 3, day).expect("a day"));
        assert_eq!(status(&statuses, &TOTAL, day(1)), Status::BelowThreshold);
        assert_eq!(status(&statuses, &TOTAL, day(20)), Status::Complementary);
        let first_week = day(1).roll_up(Granularity::Week).expect("a week");
        assert_eq!(status(&statuses, &TOTAL, first_week), Status::Complementary);
    }

    #[test]
    fn no_combination_of_the_views_of_random_monthly_tables_determines_a_hidden_count() {
        use rand::{Rng, SeedableRng};
        // Seeded tables of 4 nationalities over 12 months, a third of the counts below five,
        // half of them with an unreported rest. The reader holds every view (year total,
        // year lines, month totals, month lines) and every relation among them; the engine's
        // exact audit, with the shown cells published and the hidden ones unknown, must find
        // nothing it determines.
        let nationality = |code: &str| -> LineKey {
            (
                None,
                None,
                Some(corredor_core::Nationality::parse(code).expect("a code")),
                None,
                None,
                None,
            )
        };
        let codes = ["VEN", "ECU", "HTI", "AFG"];
        for seed in 0..40u64 {
            let mut random = rand::rngs::StdRng::seed_from_u64(seed);
            let values: Vec<Vec<u64>> = codes
                .iter()
                .map(|_| {
                    (0..12)
                        .map(|_| {
                            if random.gen_bool(0.35) {
                                random.gen_range(0..5)
                            } else {
                                random.gen_range(5..200)
                            }
                        })
                        .collect()
                })
                .collect();
            let with_rest = seed % 2 == 0;
            let totals: Vec<u64> = (0..12)
                .map(|m| {
                    let rest = if with_rest {
                        random.gen_range(0..10)
                    } else {
                        0
                    };
                    values.iter().map(|line| line[m]).sum::<u64>() + rest
                })
                .collect();
            let lines: Vec<(LineKey, &[u64])> = codes
                .iter()
                .zip(&values)
                .map(|(code, line)| (nationality(code), line.as_slice()))
                .collect();
            let grids = monthly(MeasureKind::Flow, &totals, &lines);
            let statuses = chain(
                &grids,
                MeasureKind::Flow,
                Some(Dimension::Nationality),
                DEFAULT_THRESHOLD,
            );

            let mut builder = TableBuilder::default();
            let mut cell_of: HashMap<Key, usize> = HashMap::new();
            let keys: Vec<LineKey> = std::iter::once(TOTAL)
                .chain(codes.iter().map(|code| nationality(code)))
                .collect();
            for (index, key) in keys.iter().enumerate() {
                let monthly_values: &[u64] = if index == 0 {
                    &totals
                } else {
                    &values[index - 1]
                };
                let mut periods: Vec<(Period, u64)> = (1..=12)
                    .map(|m| (month(m), monthly_values[m as usize - 1]))
                    .collect();
                periods.push((year(), monthly_values.iter().sum()));
                for (period, value) in periods {
                    let status = statuses[&(key.clone(), period)];
                    let cell = if status.is_suppressed() {
                        builder.cell_hidden_elsewhere(value)
                    } else {
                        assert!(value >= DEFAULT_THRESHOLD, "seed {seed}: {value} shown");
                        builder.cell_published_elsewhere(value)
                    };
                    cell_of.insert((key.clone(), period), cell);
                }
            }
            for key in &keys {
                let months: Vec<usize> = (1..=12)
                    .map(|m| cell_of[&(key.clone(), month(m))])
                    .collect();
                builder.relation(cell_of[&(key.clone(), year())], &months);
            }
            for period in (1..=12).map(month).chain([year()]) {
                let parts: Vec<usize> = keys[1..]
                    .iter()
                    .map(|key| cell_of[&(key.clone(), period)])
                    .collect();
                builder.relation(cell_of[&(TOTAL, period)], &parts);
            }
            let audit = suppress(
                &builder.build().expect("cells come from the builder"),
                DEFAULT_THRESHOLD,
            );
            assert!(
                audit.unprotected_cells.is_empty() && audit.unprotected_relations.is_empty(),
                "seed {seed}: {audit:?}"
            );
        }
    }
}
