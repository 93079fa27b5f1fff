//! Observation files: corredor CSV and HXL-tagged CSV, read and written.
//!
//! # corredor CSV
//!
//! One observation per row, columns in any order, header names matched without regard to
//! case:
//!
//! ```text
//! period,place,measure,nationality,sex,age_group,vulnerability,value,source
//! 2023-08,PA-ERM-LB,irregular_entry,VEN,,,,41234,SNM Panamá
//! ```
//!
//! `period`, `measure` and `value` are required; an empty breakdown cell means the total
//! over that dimension, and an empty `place` the whole country. An optional `country` column
//! names the reporting country: when a country imports, it must be that country; when the
//! secretariat restores a multi-country export, it is required on every row. An unknown
//! column is refused with the closest valid name, because a typo such as `nacionality`
//! would otherwise silently turn every breakdown into a total.
//!
//! # HXL
//!
//! A file is HXL when one of its first [`HXL_SCAN_ROWS`] rows is a row of hashtags (every
//! non-empty cell starts with `#`), as `libhxl` decides. Columns are matched by hashtag and
//! attributes (in any order, any case), never by the header text above them; untagged
//! columns are ignored, as HXL says. The long form is corredor's profile
//! (shared/standards/hxl/PROFILE.md):
//!
//! | column | hashtag |
//! |---|---|
//! | country | `#country+code` |
//! | period | `#date` (also `#date+reported`, `#date+occurred`) |
//! | place | `#loc+code` |
//! | measure | `#indicator+code` |
//! | nationality | `#country+code+origin` |
//! | sex | `#group+sex` |
//! | age_group | `#group+age` |
//! | vulnerability | `#group+vulnerability` |
//! | value | `#indicator+value+num` (also `#indicator+num`) |
//! | source | `#meta+source` |
//!
//! `+sex`, `+age` and `+vulnerability` are custom attributes, which HXL allows. The wide form
//! carries counts in `#affected`, `#inneed` or `#population` columns whose attributes give
//! the breakdown: `+f`, `+m`, `+i` (sex `f`, `m`, `x`), `+infants` (0-4), `+children`
//! (0-17), `+adolescents` (12-17), `+adults` (18+), `+elderly` (60+), `+unaccompanied`,
//! `+separated`; `+migrants` or `+ind` (individuals) alone is the total. Each non-empty cell
//! becomes one observation. `+i` follows the HXL 1.1 dictionary ("intersex or
//! non-gender-binary people"), not a total. A tagged column corredor cannot map is refused,
//! naming the column, rather than skipped: a skipped column is data silently lost. Labels
//! (`#country+name`, `#loc+name`, `#meta+comment`, `#description`) are ignored.
//!
//! # Export
//!
//! The writers put a leading `country` column before the import header (and
//! `revision,submitted_by,submitted_at` after it when the rows carry revisions), so that what
//! they write reads back, with [`ImportContext::country`] `None`, to the same observations.
//! A source is trimmed on import and an empty one is no source; the writers rely on that.

mod columns;
mod read;
mod write;

use std::collections::HashMap;

use chrono::NaiveDate;
use corredor_core::{CountryCode, Observation, PlaceCode, Provenance};

pub use read::{read_export, read_observations, read_observations_with_progress};
pub use write::{write_csv, write_hxl, write_json};

/// How many rows from the top are searched for an HXL hashtag row; the figure libhxl uses.
pub const HXL_SCAN_ROWS: usize = 25;

/// The most problems one read lists; past it a final problem says how many more there were,
/// so a wholly wrong million-row file does not produce a million messages.
pub const MAX_PROBLEMS: usize = 10_000;

/// Which format a file is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// HXL when a hashtag row is found among the first rows, corredor CSV otherwise.
    #[default]
    Auto,
    Csv,
    Hxl,
}

/// What a file is read against: who imports, what day it is, and which places exist.
#[derive(Debug, Clone, Copy)]
pub struct ImportContext<'a> {
    /// The importing country; `None` for a secretariat restore of a multi-country export, in
    /// which case every row must name its country.
    pub country: Option<CountryCode>,
    /// Periods that start after this day are refused: they cannot have been observed yet.
    pub today: NaiveDate,
    /// Every known place and the country it is in.
    pub places: &'a HashMap<PlaceCode, CountryCode>,
}

/// One row of an export: an observation, and with the history, which revision it is and who
/// submitted it. `Provenance::source` is written from, and read back as, the observation's
/// source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub observation: Observation,
    pub revision: Option<(u32, Provenance)>,
}

impl From<Observation> for ExportRow {
    fn from(observation: Observation) -> ExportRow {
        ExportRow {
            observation,
            revision: None,
        }
    }
}

#[cfg(test)]
mod tests;
