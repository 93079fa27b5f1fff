//! The types of the store's API: what goes in and what comes out, besides corredor-core's.

use chrono::{DateTime, NaiveDate, Utc};
use corredor_core::{
    AgeGroup, CountryCode, Granularity, Measure, Nationality, Observation, ObservationKey, Period,
    PlaceCode, Provenance, Revision, Sex, Vulnerability,
};
use serde::{Deserialize, Serialize};

/// Which database is behind a [`crate::Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Who submits a batch of observations, when, and from what (a file name, an API call).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    pub submitted_by: String,
    pub submitted_at: DateTime<Utc>,
    pub note: Option<String>,
}

/// What one call of `record_observations` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordOutcome {
    /// The submission row that now traces this batch.
    pub submission_id: i64,
    /// Keys seen for the first time (revision 1).
    pub inserted: u64,
    /// Keys whose value or source changed (a new revision).
    pub revised: u64,
    /// Keys whose current value and source were the same (nothing written).
    pub unchanged: u64,
}

/// The current revision of one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredObservation {
    pub observation: Observation,
    pub revision: u32,
    pub provenance: Provenance,
}

/// A filter on one breakdown dimension.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DimensionFilter<T> {
    /// No condition (in a series query: the total over the dimension, see [`SeriesQuery`]).
    #[default]
    Any,
    /// Only the total over the dimension (the column is NULL).
    Total,
    /// Only these values. An empty list matches nothing.
    Values(Vec<T>),
}

/// A filter on where a value was counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceFilter {
    /// Country-level values and place values alike.
    #[default]
    Any,
    /// Only values for a whole country (no place).
    CountryLevel,
    /// Only values counted at a place.
    AnyPlace,
    /// Only values counted at these places. An empty list matches nothing.
    Places(Vec<PlaceCode>),
}

/// Which observations to read. An empty list means any; `from` and `to` select the periods
/// whose start date lies in `[from, to]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservationFilter {
    pub countries: Vec<CountryCode>,
    pub places: PlaceFilter,
    pub measures: Vec<Measure>,
    pub nationality: DimensionFilter<Nationality>,
    pub sex: DimensionFilter<Sex>,
    pub age_group: DimensionFilter<AgeGroup>,
    pub vulnerability: DimensionFilter<Vulnerability>,
    pub granularity: Option<Granularity>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub limit: Option<u32>,
    pub offset: u32,
    /// Which (country, measure) pairs the reader may see.
    pub readable: PairFilter,
}

/// A restriction to some (reporting country, measure) pairs: how sharing choices reach SQL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PairFilter {
    #[default]
    Any,
    /// Only these pairs. An empty list matches nothing.
    Only(Vec<(CountryCode, Measure)>),
    /// Every pair but these.
    Except(Vec<(CountryCode, Measure)>),
}

/// The dimensions a series is broken down by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupBy {
    pub country: bool,
    pub place: bool,
    pub nationality: bool,
    pub sex: bool,
    pub age_group: bool,
    pub vulnerability: bool,
}

/// A series: the sum of current values of one measure per period of one granularity.
///
/// The breakdown pattern rule keeps totals from being added to their own parts: a breakdown
/// dimension (nationality, sex, age group, vulnerability) is required to be present (NOT
/// NULL) when it is grouped by or filtered with `Values`, and required to be the total (NULL)
/// otherwise. So `Any` here means "the total over that dimension", and `Total` means the same
/// even when grouped. Places are not a breakdown: `places` is applied as written, so
/// `PlaceFilter::Any` adds country-level values to place values; choose `CountryLevel` or
/// `AnyPlace` when both are reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesQuery {
    pub measure: Measure,
    pub countries: Vec<CountryCode>,
    pub places: PlaceFilter,
    /// Only values reported at this granularity are used; nothing is rolled up.
    pub granularity: Granularity,
    pub group_by: GroupBy,
    pub nationality: DimensionFilter<Nationality>,
    pub sex: DimensionFilter<Sex>,
    pub age_group: DimensionFilter<AgeGroup>,
    pub vulnerability: DimensionFilter<Vulnerability>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// One point of a series: a period and the grouped dimensions (`None` when not grouped, or
/// the total when grouped on a NULL value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesRow {
    pub period: Period,
    pub country: Option<CountryCode>,
    pub place: Option<PlaceCode>,
    pub nationality: Option<Nationality>,
    pub sex: Option<Sex>,
    pub age_group: Option<AgeGroup>,
    pub vulnerability: Option<Vulnerability>,
    /// The sum of the current values.
    pub value: u64,
    /// How many observations were added.
    pub observations: u64,
}

/// A period for which a country reported a measure, for reporting completeness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedPeriod {
    pub period: Period,
    /// When the first value for the period was submitted (the earliest revision 1).
    pub first_submitted_at: DateTime<Utc>,
    /// How many distinct places have a value for the period, the country level counting as one.
    pub place_count: u32,
}

/// One revision of one key, as listed by `observation_history`.
pub type KeyedRevision = (ObservationKey, Revision);
