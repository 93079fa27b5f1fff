//! Reading observations: current values, their revisions, series and reporting completeness.

use corredor_core::{
    AgeGroup, Breakdown, CountryCode, Granularity, Measure, Nationality, Observation,
    ObservationKey, Period, Provenance, Revision, Sex, Vulnerability,
};

use crate::error::StoreError;
use crate::model::{
    Backend, DimensionFilter, KeyedRevision, ObservationFilter, PairFilter, PlaceFilter,
    ReportedPeriod, SeriesQuery, SeriesRow, StoredObservation,
};
use crate::reference::{country_code, place_code};
use crate::sql::{Param, RowAccess, Sql};
use crate::Store;

const GRANULARITIES: [Granularity; 4] = [
    Granularity::Day,
    Granularity::Week,
    Granularity::Month,
    Granularity::Year,
];

impl Store {
    /// The current revision of every key the filter selects, ordered by period start and key.
    pub async fn observations(
        &self,
        filter: &ObservationFilter,
    ) -> Result<Vec<StoredObservation>, StoreError> {
        let mut sql = self.sql(
            "SELECT s.country, s.place, o.period, s.measure, s.nationality, s.sex, s.age_group, \
             s.vulnerability, o.value, o.source, o.revision, sub.submitted_by, sub.submitted_at \
             FROM observation o JOIN series s ON s.id = o.series_id \
             JOIN submission sub ON sub.id = o.submission_id",
        );
        push_filter(&mut sql, filter);
        sql.push(" ORDER BY o.period_start, s.key");
        push_page(&mut sql, self.backend(), filter);
        self.fetch(sql, |row| {
            let key = key_from_row(row)?;
            let source = row.optional_text(9)?;
            Ok(StoredObservation {
                observation: Observation {
                    key,
                    value: value_from(row.integer(8)?)?,
                    source: source.clone(),
                },
                revision: revision_from(row.integer(10)?)?,
                provenance: Provenance {
                    source,
                    submitted_by: row.text(11)?,
                    submitted_at: row.timestamp(12)?,
                },
            })
        })
        .await
    }

    /// Every revision of one key, oldest first, or [`StoreError::NotFound`] for a key never
    /// recorded.
    pub async fn revisions(&self, key: &ObservationKey) -> Result<Vec<Revision>, StoreError> {
        // Earlier revisions are in `observation_revision`, the current one in `observation`.
        let mut sql = self.sql(
            "SELECT h.revision, h.value, h.source, sub.submitted_by, sub.submitted_at FROM (\
             SELECT r.revision, r.value, r.source, r.submission_id \
             FROM series s JOIN observation_revision r ON r.series_id = s.id \
             WHERE s.key = ",
        );
        sql.bind(Param::Text(series_key_text(key)));
        sql.push(" AND r.period_start = ");
        sql.bind(Param::Date(key.period.start()));
        sql.push(
            " UNION ALL SELECT o.revision, o.value, o.source, o.submission_id \
             FROM series s JOIN observation o ON o.series_id = s.id WHERE s.key = ",
        );
        sql.bind(Param::Text(series_key_text(key)));
        sql.push(" AND o.period_start = ");
        sql.bind(Param::Date(key.period.start()));
        sql.push(") h JOIN submission sub ON sub.id = h.submission_id ORDER BY h.revision");
        let revisions = self.fetch(sql, |row| revision_from_row(row, 0)).await?;
        if revisions.is_empty() {
            return Err(StoreError::not_found(format!(
                "an observation with the key {}",
                key_text(key)
            )));
        }
        Ok(revisions)
    }

    /// Every revision of every key the filter selects, ordered by period start, key and
    /// revision; `limit` and `offset` count revisions.
    pub async fn observation_history(
        &self,
        filter: &ObservationFilter,
    ) -> Result<Vec<KeyedRevision>, StoreError> {
        // Earlier revisions are in `observation_revision`, the current one in `observation`;
        // the filter is applied to each half so that both can use the series index.
        let columns = "SELECT s.country, s.place, o.period, s.measure, s.nationality, s.sex, \
                       s.age_group, s.vulnerability";
        let mut sql = self.sql(columns);
        sql.push(
            ", r.revision, r.value, r.source, sub.submitted_by, sub.submitted_at, o.period_start, \
             s.key FROM observation o JOIN series s ON s.id = o.series_id \
             JOIN observation_revision r ON r.series_id = o.series_id \
             AND r.period_start = o.period_start \
             JOIN submission sub ON sub.id = r.submission_id",
        );
        push_filter(&mut sql, filter);
        sql.push(" UNION ALL ");
        sql.push(columns);
        sql.push(
            ", o.revision, o.value, o.source, sub.submitted_by, sub.submitted_at, o.period_start, \
             s.key FROM observation o JOIN series s ON s.id = o.series_id \
             JOIN submission sub ON sub.id = o.submission_id",
        );
        push_filter(&mut sql, filter);
        // By position: a compound query orders by its result columns.
        sql.push(" ORDER BY 14, 15, 9");
        push_page(&mut sql, self.backend(), filter);
        self.fetch(sql, |row| {
            Ok((key_from_row(row)?, revision_from_row(row, 8)?))
        })
        .await
    }

    /// Sums of current values per period (and per grouped dimension), ordered by period, then
    /// by the grouped dimensions with a total first. See [`SeriesQuery`] for the breakdown
    /// pattern rule.
    pub async fn series(&self, query: &SeriesQuery) -> Result<Vec<SeriesRow>, StoreError> {
        let group = query.group_by;
        // In the column order of `series_dimensions`, with the period last, so that the
        // grouping follows the order the series and their periods are read in. The rows are
        // put in period order here instead.
        let grouped: Vec<(&str, Dimension)> = [
            (group.country, "s.country", Dimension::Country),
            (group.place, "s.place", Dimension::Place),
            (group.sex, "s.sex", Dimension::Sex),
            (group.age_group, "s.age_group", Dimension::AgeGroup),
            (
                group.vulnerability,
                "s.vulnerability",
                Dimension::Vulnerability,
            ),
            (group.nationality, "s.nationality", Dimension::Nationality),
        ]
        .into_iter()
        .filter(|(on, _, _)| *on)
        .map(|(_, column, dimension)| (column, dimension))
        .collect();

        // The sums per (dimensions, period) are folded into one row per combination of the
        // grouped dimensions, their periods written as `start value count` items joined by
        // commas: a ten-year monthly series by nationality crosses the driver as 51 rows
        // instead of 6,120, which is most of its cost once the index is right.
        let names: Vec<&str> = grouped
            .iter()
            .map(|(column, _)| column.trim_start_matches("s."))
            .collect();
        let concatenate = match self.backend() {
            Backend::Sqlite => "group_concat",
            Backend::Postgres => "string_agg",
        };
        let mut outer = String::from("SELECT ");
        let mut inner = String::from("SELECT ");
        let mut group_by = String::from(" GROUP BY ");
        for name in &names {
            outer.push_str(&format!("g.{name}, "));
            inner.push_str(&format!("s.{name} AS {name}, "));
            group_by.push_str(&format!("s.{name}, "));
        }
        group_by.push_str("o.period_start");
        outer.push_str(&format!(
            "{concatenate}(g.period_start || ' ' || g.total || ' ' || g.observations, ',') FROM ("
        ));
        inner.push_str(
            "o.period_start AS period_start, CAST(SUM(o.value) AS BIGINT) AS total, \
             COUNT(*) AS observations FROM series s JOIN observation o ON o.series_id = s.id \
             WHERE s.measure = ",
        );
        let mut sql = self.sql(&outer);
        sql.push(&inner);
        sql.bind(Param::Text(query.measure.code().to_owned()));
        sql.push(" AND s.granularity = ");
        sql.bind(Param::Text(query.granularity.as_str().to_owned()));
        push_countries(&mut sql, &query.countries);
        push_places(&mut sql, &query.places);
        push_breakdown(
            &mut sql,
            "s.nationality",
            &query.nationality,
            group.nationality,
            |n| n.to_string(),
        );
        push_breakdown(&mut sql, "s.sex", &query.sex, group.sex, |s| {
            s.code().to_owned()
        });
        push_breakdown(
            &mut sql,
            "s.age_group",
            &query.age_group,
            group.age_group,
            |a| a.code().to_owned(),
        );
        push_breakdown(
            &mut sql,
            "s.vulnerability",
            &query.vulnerability,
            group.vulnerability,
            |v| v.code().to_owned(),
        );
        push_dates(&mut sql, query.from, query.to);
        sql.push(&group_by);
        sql.push(") g");
        if !names.is_empty() {
            sql.push(&format!(
                " GROUP BY {}",
                names
                    .iter()
                    .map(|n| format!("g.{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }

        let granularity = query.granularity;
        let groups = self
            .fetch(sql, |row| {
                let mut out = SeriesRow {
                    period: Period::Year(1900),
                    country: None,
                    place: None,
                    nationality: None,
                    sex: None,
                    age_group: None,
                    vulnerability: None,
                    value: 0,
                    observations: 0,
                };
                for (i, (_, dimension)) in grouped.iter().enumerate() {
                    let Some(code) = row.optional_text(i)? else {
                        continue;
                    };
                    match dimension {
                        Dimension::Country => out.country = Some(country_code(&code)?),
                        Dimension::Place => out.place = Some(place_code(&code)?),
                        Dimension::Nationality => out.nationality = Some(nationality(&code)?),
                        Dimension::Sex => {
                            out.sex = Some(Sex::parse(&code).map_err(StoreError::corrupt)?)
                        }
                        Dimension::AgeGroup => {
                            out.age_group =
                                Some(AgeGroup::parse(&code).map_err(StoreError::corrupt)?)
                        }
                        Dimension::Vulnerability => {
                            out.vulnerability =
                                Some(Vulnerability::parse(&code).map_err(StoreError::corrupt)?)
                        }
                    }
                }
                Ok((out, row.optional_text(grouped.len())?))
            })
            .await?;
        let mut rows = Vec::new();
        for (dimensions, points) in groups {
            // No matching observation at all: the aggregate over nothing is NULL.
            let Some(points) = points else { continue };
            for point in points.split(',') {
                let mut parts = point.split(' ');
                let (Some(start), Some(value), Some(count), None) =
                    (parts.next(), parts.next(), parts.next(), parts.next())
                else {
                    return Err(StoreError::corrupt(format!("series point `{point}`")));
                };
                let start = chrono::NaiveDate::parse_from_str(start, "%Y-%m-%d")
                    .map_err(|_| StoreError::corrupt(format!("series point `{point}`")))?;
                let number = |text: &str| {
                    text.parse::<u64>()
                        .map_err(|_| StoreError::corrupt(format!("series point `{point}`")))
                };
                rows.push(SeriesRow {
                    period: Period::containing(start, granularity),
                    value: number(value)?,
                    observations: number(count)?,
                    ..dimensions.clone()
                });
            }
        }
        rows.sort_by(|a, b| series_order(a).cmp(&series_order(b)));
        Ok(rows)
    }

    /// The periods, of any granularity, for which `country` has at least one value of
    /// `measure`, with when each was first submitted and how many places report it.
    pub async fn reported_periods(
        &self,
        country: CountryCode,
        measure: Measure,
    ) -> Result<Vec<ReportedPeriod>, StoreError> {
        let mut sql = self.sql(
            "SELECT o.period, MIN(sub.submitted_at), COUNT(DISTINCT COALESCE(s.place, '')) \
             FROM series s JOIN observation o ON o.series_id = s.id \
             LEFT JOIN observation_revision r ON r.series_id = o.series_id \
             AND r.period_start = o.period_start AND r.revision = 1 \
             JOIN submission sub ON sub.id = COALESCE(r.submission_id, o.submission_id) \
             WHERE s.measure = ",
        );
        sql.bind(Param::Text(measure.code().to_owned()));
        // Naming every granularity lets the series index be entered at (measure, granularity,
        // country) four times instead of scanning the whole measure.
        sql.push(" AND s.granularity IN ");
        sql.bind_list(GRANULARITIES.map(|g| Param::Text(g.as_str().to_owned())));
        sql.push(" AND s.country = ");
        sql.bind(Param::Text(country.to_string()));
        sql.push(" GROUP BY o.period, o.period_start ORDER BY o.period_start, o.period");
        self.fetch(sql, |row| {
            Ok(ReportedPeriod {
                period: period(&row.text(0)?)?,
                first_submitted_at: row.timestamp(1)?,
                place_count: u32::try_from(row.integer(2)?).map_err(StoreError::corrupt)?,
            })
        })
        .await
    }

    /// How many keys are stored (each counted once, whatever its revisions).
    pub async fn count_observations(&self) -> Result<u64, StoreError> {
        let sql = self.sql("SELECT COUNT(*) FROM observation");
        let counts = self.fetch(sql, |row| value_from(row.integer(0)?)).await?;
        Ok(counts.first().copied().unwrap_or(0))
    }
}

/// Rows by period, then by the grouped dimensions, a total (`None`) before its parts.
#[allow(
    clippy::type_complexity,
    reason = "a sort key, read once below its definition"
)]
fn series_order(
    row: &SeriesRow,
) -> (
    Period,
    Option<CountryCode>,
    Option<&str>,
    Option<Nationality>,
    Option<Sex>,
    Option<AgeGroup>,
    Option<Vulnerability>,
) {
    (
        row.period,
        row.country,
        row.place.as_ref().map(|p| p.as_str()),
        row.nationality,
        row.sex,
        row.age_group,
        row.vulnerability,
    )
}

enum Dimension {
    Country,
    Place,
    Nationality,
    Sex,
    AgeGroup,
    Vulnerability,
}

/// The fields of a key's series, in the order of its text and of the `series_dimensions`
/// index: measure, granularity, country, place, sex, age group, vulnerability, nationality,
/// with an empty field for a country-level value or a total.
pub(crate) fn series_fields(key: &ObservationKey) -> [&str; 8] {
    let breakdown = &key.breakdown;
    [
        key.measure.code(),
        key.period.granularity().as_str(),
        key.country.as_str(),
        key.place.as_ref().map(|p| p.as_str()).unwrap_or(""),
        breakdown.sex.map(Sex::code).unwrap_or(""),
        breakdown.age_group.map(AgeGroup::code).unwrap_or(""),
        breakdown
            .vulnerability
            .map(Vulnerability::code)
            .unwrap_or(""),
        breakdown
            .nationality
            .as_ref()
            .map(|n| n.as_str())
            .unwrap_or(""),
    ]
}

/// The canonical text of a key's series, stored in `series.key`: its [`series_fields`]
/// joined by `|`. No code can contain `|`, so the text is unique exactly when the series is.
pub(crate) fn series_key_text(key: &ObservationKey) -> String {
    series_fields(key).join("|")
}

/// The canonical text of a key, `series key|period`: how a key is named in messages and in
/// the audit log.
pub(crate) fn key_text(key: &ObservationKey) -> String {
    format!("{}|{}", series_key_text(key), key.period)
}

fn push_filter(sql: &mut Sql, filter: &ObservationFilter) {
    sql.push(" WHERE 1 = 1");
    if filter.measures.is_empty() && !filter.countries.is_empty() {
        // Naming every measure and granularity lets the series index, which starts with
        // them, be entered once per combination for the countries asked for.
        sql.push(" AND s.measure IN ");
        sql.bind_list(
            Measure::ALL
                .iter()
                .map(|m| Param::Text(m.code().to_owned())),
        );
    } else if !filter.measures.is_empty() {
        sql.push(" AND s.measure IN ");
        sql.bind_list(
            filter
                .measures
                .iter()
                .map(|m| Param::Text(m.code().to_owned())),
        );
    }
    match filter.granularity {
        Some(granularity) => {
            sql.push(" AND s.granularity = ");
            sql.bind(Param::Text(granularity.as_str().to_owned()));
        }
        None if !filter.countries.is_empty() => {
            sql.push(" AND s.granularity IN ");
            sql.bind_list(GRANULARITIES.map(|g| Param::Text(g.as_str().to_owned())));
        }
        None => {}
    }
    push_countries(sql, &filter.countries);
    push_places(sql, &filter.places);
    push_dimension(sql, "s.nationality", &filter.nationality, |n| n.to_string());
    push_dimension(sql, "s.sex", &filter.sex, |s| s.code().to_owned());
    push_dimension(sql, "s.age_group", &filter.age_group, |a| {
        a.code().to_owned()
    });
    push_dimension(sql, "s.vulnerability", &filter.vulnerability, |v| {
        v.code().to_owned()
    });
    push_dates(sql, filter.from, filter.to);
    push_pairs(sql, &filter.readable);
}

fn push_pairs(sql: &mut Sql, pairs: &PairFilter) {
    let (negate, pairs) = match pairs {
        PairFilter::Any => return,
        PairFilter::Only(pairs) if pairs.is_empty() => {
            sql.push(" AND 1 = 0");
            return;
        }
        PairFilter::Except(pairs) if pairs.is_empty() => return,
        PairFilter::Only(pairs) => ("", pairs),
        PairFilter::Except(pairs) => ("NOT ", pairs),
    };
    sql.push(" AND ");
    sql.push(negate);
    sql.push("(");
    for (index, (country, measure)) in pairs.iter().enumerate() {
        if index > 0 {
            sql.push(" OR ");
        }
        sql.push("(s.country = ");
        sql.bind(Param::Text(country.to_string()));
        sql.push(" AND s.measure = ");
        sql.bind(Param::Text(measure.code().to_owned()));
        sql.push(")");
    }
    sql.push(")");
}

fn push_page(sql: &mut Sql, backend: Backend, filter: &ObservationFilter) {
    match (filter.limit, filter.offset, backend) {
        (Some(limit), offset, _) => {
            sql.push(" LIMIT ");
            sql.bind(Param::Integer(i64::from(limit)));
            sql.push(" OFFSET ");
            sql.bind(Param::Integer(i64::from(offset)));
        }
        (None, 0, _) => {}
        // SQLite has no OFFSET without LIMIT; -1 is its "no limit".
        (None, offset, Backend::Sqlite) => {
            sql.push(" LIMIT -1 OFFSET ");
            sql.bind(Param::Integer(i64::from(offset)));
        }
        (None, offset, Backend::Postgres) => {
            sql.push(" OFFSET ");
            sql.bind(Param::Integer(i64::from(offset)));
        }
    }
}

fn push_countries(sql: &mut Sql, countries: &[CountryCode]) {
    if !countries.is_empty() {
        sql.push(" AND s.country IN ");
        sql.bind_list(countries.iter().map(|c| Param::Text(c.to_string())));
    }
}

fn push_places(sql: &mut Sql, places: &PlaceFilter) {
    match places {
        PlaceFilter::Any => {}
        PlaceFilter::CountryLevel => {
            sql.push(" AND s.place IS NULL");
        }
        PlaceFilter::AnyPlace => {
            sql.push(" AND s.place IS NOT NULL");
        }
        PlaceFilter::Places(codes) if codes.is_empty() => {
            sql.push(" AND 1 = 0");
        }
        PlaceFilter::Places(codes) => {
            sql.push(" AND s.place IN ");
            sql.bind_list(codes.iter().map(|c| Param::Text(c.to_string())));
        }
    }
}

fn push_dimension<T>(
    sql: &mut Sql,
    column: &str,
    filter: &DimensionFilter<T>,
    code: impl Fn(&T) -> String,
) {
    match filter {
        DimensionFilter::Any => {}
        DimensionFilter::Total => {
            sql.push(&format!(" AND {column} IS NULL"));
        }
        DimensionFilter::Values(values) if values.is_empty() => {
            sql.push(" AND 1 = 0");
        }
        DimensionFilter::Values(values) => {
            sql.push(&format!(" AND {column} IN "));
            sql.bind_list(values.iter().map(|v| Param::Text(code(v))));
        }
    }
}

/// The breakdown pattern rule of [`SeriesQuery`]: `Any` is the total unless grouped by.
fn push_breakdown<T>(
    sql: &mut Sql,
    column: &str,
    filter: &DimensionFilter<T>,
    grouped: bool,
    code: impl Fn(&T) -> String,
) {
    match (filter, grouped) {
        (DimensionFilter::Any, true) => {
            sql.push(&format!(" AND {column} IS NOT NULL"));
        }
        (DimensionFilter::Any, false) => {
            sql.push(&format!(" AND {column} IS NULL"));
        }
        (filter, _) => push_dimension(sql, column, filter, code),
    }
}

fn push_dates(sql: &mut Sql, from: Option<chrono::NaiveDate>, to: Option<chrono::NaiveDate>) {
    if let Some(from) = from {
        sql.push(" AND o.period_start >= ");
        sql.bind(Param::Date(from));
    }
    if let Some(to) = to {
        sql.push(" AND o.period_start <= ");
        sql.bind(Param::Date(to));
    }
}

/// Reads columns 0–7: country, place, period, measure and the four breakdowns.
fn key_from_row(row: &dyn RowAccess) -> Result<ObservationKey, StoreError> {
    Ok(ObservationKey {
        country: country_code(&row.text(0)?)?,
        place: row.optional_text(1)?.map(|p| place_code(&p)).transpose()?,
        period: period(&row.text(2)?)?,
        measure: Measure::parse(&row.text(3)?).map_err(StoreError::corrupt)?,
        breakdown: Breakdown {
            nationality: row.optional_text(4)?.map(|n| nationality(&n)).transpose()?,
            sex: row
                .optional_text(5)?
                .map(|s| Sex::parse(&s).map_err(StoreError::corrupt))
                .transpose()?,
            age_group: row
                .optional_text(6)?
                .map(|a| AgeGroup::parse(&a).map_err(StoreError::corrupt))
                .transpose()?,
            vulnerability: row
                .optional_text(7)?
                .map(|v| Vulnerability::parse(&v).map_err(StoreError::corrupt))
                .transpose()?,
        },
    })
}

/// Reads revision, value, source, submitted_by, submitted_at from column `first` on.
fn revision_from_row(row: &dyn RowAccess, first: usize) -> Result<Revision, StoreError> {
    Ok(Revision {
        revision: revision_from(row.integer(first)?)?,
        value: value_from(row.integer(first + 1)?)?,
        provenance: Provenance {
            source: row.optional_text(first + 2)?,
            submitted_by: row.text(first + 3)?,
            submitted_at: row.timestamp(first + 4)?,
        },
    })
}

fn period(raw: &str) -> Result<Period, StoreError> {
    Period::parse(raw).map_err(StoreError::corrupt)
}

fn nationality(raw: &str) -> Result<Nationality, StoreError> {
    Nationality::parse(raw).map_err(StoreError::corrupt)
}

fn value_from(raw: i64) -> Result<u64, StoreError> {
    u64::try_from(raw).map_err(|_| StoreError::corrupt(format!("negative count {raw}")))
}

fn revision_from(raw: i64) -> Result<u32, StoreError> {
    u32::try_from(raw).map_err(|_| StoreError::corrupt(format!("revision {raw}")))
}

#[cfg(test)]
mod tests {
    use corredor_core::{Breakdown, CountryCode, PlaceCode};

    use super::*;

    fn key(
        place: Option<&str>,
        nationality: Option<&str>,
        sex: Option<Sex>,
        period: &str,
    ) -> ObservationKey {
        ObservationKey {
            country: CountryCode::parse("PAN").unwrap(),
            place: place.map(|p| PlaceCode::parse(p).unwrap()),
            period: Period::parse(period).unwrap(),
            measure: Measure::IrregularEntry,
            breakdown: Breakdown {
                nationality: nationality.map(|n| Nationality::parse(n).unwrap()),
                sex,
                age_group: None,
                vulnerability: None,
            },
        }
    }

    #[test]
    fn the_key_text_writes_totals_and_the_country_level_as_empty_fields() {
        assert_eq!(
            key_text(&key(None, None, None, "2023-08")),
            "irregular_entry|month|PAN||||||2023-08"
        );
        assert_eq!(
            key_text(&key(
                Some("PA-LB"),
                Some("VEN"),
                Some(Sex::Female),
                "2023-W33"
            )),
            "irregular_entry|week|PAN|PA-LB|f|||VEN|2023-W33"
        );
    }

    #[test]
    fn key_texts_differ_exactly_when_keys_differ() {
        let keys = [
            key(None, None, None, "2023-08"),
            key(None, None, None, "2023"),
            key(None, None, None, "2023-08-01"),
            key(Some("PA-LB"), None, None, "2023-08"),
            key(None, Some("VEN"), None, "2023-08"),
            key(None, None, Some(Sex::Female), "2023-08"),
            key(None, Some("VEN"), Some(Sex::Female), "2023-08"),
        ];
        for (i, a) in keys.iter().enumerate() {
            for (j, b) in keys.iter().enumerate() {
                assert_eq!(i == j, key_text(a) == key_text(b), "{a:?} / {b:?}");
            }
        }
    }

    #[test]
    fn key_text_order_follows_the_primary_key_within_one_series() {
        // Within one series the periods sort by start, as in the observation table's primary
        // key, so a bulk import of new months appends to it.
        let months: Vec<String> = ["2023-09", "2023-10", "2024-01", "2024-12"]
            .iter()
            .map(|p| key_text(&key(None, Some("VEN"), None, p)))
            .collect();
        let mut sorted = months.clone();
        sorted.sort();
        assert_eq!(months, sorted);
    }
}
