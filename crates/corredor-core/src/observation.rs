use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::breakdown::Breakdown;
use crate::code::CountryCode;
use crate::measure::Measure;
use crate::period::Period;
use crate::place::PlaceCode;

/// What identifies one value: who reports, where, when, what and for whom. Two observations
/// with the same key are revisions of one value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ObservationKey {
    /// The reporting country, which owns the value.
    pub country: CountryCode,
    /// The place of the count; `None` for the whole country.
    pub place: Option<PlaceCode>,
    pub period: Period,
    pub measure: Measure,
    #[serde(flatten)]
    pub breakdown: Breakdown,
}

/// Where a value comes from and who submitted it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The publication or system the value comes from (e.g. "SNM Panamá, tránsito irregular").
    pub source: Option<String>,
    /// The user or token that submitted it.
    pub submitted_by: String,
    pub submitted_at: DateTime<Utc>,
}

/// One count: a key and a non-negative whole number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    #[serde(flatten)]
    pub key: ObservationKey,
    pub value: u64,
    pub source: Option<String>,
}

/// One stored version of a value. Revision 1 is the first report; each correction adds one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub revision: u32,
    pub value: u64,
    pub provenance: Provenance,
}
