//! Adapters for the public datasets corredor ships in `data/real/`.
//!
//! Each module reads the files of one dataset, as published (see each `SOURCE.md`), and maps
//! them onto corredor's measures, places and breakdowns. Every reader has the signature
//! `fn(input: impl Read, file: &str) -> Result<SourceBatch, Vec<Problem>>`; a dataset with
//! several files has one reader per file. [`SHIPPED`] lists every shipped file with its
//! reader, for the demo loader.
//!
//! # What an adapter emits
//!
//! corredor's rule is that an empty breakdown dimension is the total over it, and that series
//! queries never add a total to its parts. So, for each period and each place (or the whole
//! country), an adapter emits
//!
//! - the total (empty breakdown);
//! - the breakdowns the source has, each on its own: by nationality alone; by sex and age
//!   group together (nationality and vulnerability empty); by vulnerability alone;
//! - when the data are by place, the same rows for the whole country (`place` empty).
//!
//! Every emitted value is a sum of source rows, computed exactly; no number is estimated.
//! Source rows that land on the same key (two source labels mapped to one code) are added
//! up, and the batch notes say so. No key appears twice in a batch, and the readers of one
//! dataset never emit the same key (the total comes from one file only).

use std::collections::BTreeMap;
use std::io::Read;

use corredor_core::{
    Breakdown, CountryCode, Granularity, Measure, Nationality, Observation, ObservationKey, Period,
    PlaceCode,
};

use crate::problem::Problem;
use crate::reference::{read_table, Cells, Row};

pub mod cbp;
pub mod darien;
pub mod guatemala;
pub mod honduras;
pub mod iom_lighthouse;
pub mod mexico;

/// What a reader produced from one source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceBatch {
    /// The reporting country, which owns the observations.
    pub country: CountryCode,
    pub observations: Vec<Observation>,
    /// What was mapped how, and what was skipped and why, for the import log.
    pub notes: Vec<String>,
}

/// A reader of one source file, callable through a trait object.
pub type Reader = fn(&mut dyn Read, &str) -> Result<SourceBatch, Vec<Problem>>;

/// One file shipped in `data/real/` and the reader that maps it.
#[derive(Debug, Clone, Copy)]
pub struct SourceFile {
    /// The folder under `data/real/`.
    pub dataset: &'static str,
    /// The file name inside the folder.
    pub file: &'static str,
    pub read: Reader,
}

/// Every shipped source file corredor imports, in corridor order.
pub const SHIPPED: &[SourceFile] = &[
    SourceFile {
        dataset: "iom-lighthouse-irregular-entries",
        file: "irreg.csv",
        read: |input, file| iom_lighthouse::read(input, file),
    },
    SourceFile {
        dataset: "darien-panama-snm",
        file: "irreg_darien_nat.csv",
        read: |input, file| darien::read_nationalities(input, file),
    },
    SourceFile {
        dataset: "darien-panama-snm",
        file: "irreg_darien_dmg.csv",
        read: |input, file| darien::read_demographics(input, file),
    },
    SourceFile {
        dataset: "honduras-inm-irregular",
        file: "irreg_honduras.csv",
        read: |input, file| honduras::read_totals(input, file),
    },
    SourceFile {
        dataset: "honduras-inm-irregular",
        file: "irreg_honduras_nat.csv",
        read: |input, file| honduras::read_nationalities(input, file),
    },
    SourceFile {
        dataset: "honduras-inm-irregular",
        file: "irreg_honduras_dmg.csv",
        read: |input, file| honduras::read_demographics(input, file),
    },
    SourceFile {
        dataset: "guatemala-igm-returns",
        file: "irreg_guatemala.csv",
        read: |input, file| guatemala::read(input, file),
    },
    SourceFile {
        dataset: "mexico-upm-irregular",
        file: "irreg_mexico_nat.csv",
        read: |input, file| mexico::read_nationalities(input, file),
    },
    SourceFile {
        dataset: "mexico-upm-irregular",
        file: "irreg_mexico_dmg.csv",
        read: |input, file| mexico::read_demographics(input, file),
    },
    SourceFile {
        dataset: "mexico-upm-irregular",
        file: "irreg_mexico_exp.csv",
        read: |input, file| mexico::read_returns(input, file),
    },
    SourceFile {
        dataset: "cbp-swb-encounters",
        file: "irreg_usa.csv",
        read: |input, file| cbp::read(input, file),
    },
];

/// Sums of source rows by key, for one reporting country and measure.
pub(crate) struct Tally {
    country: CountryCode,
    measure: Measure,
    sums: BTreeMap<(Option<PlaceCode>, Period, Breakdown), u64>,
    sources: BTreeMap<Period, &'static str>,
}

impl Tally {
    pub(crate) fn new(country: &str, measure: Measure) -> Tally {
        Tally {
            country: CountryCode::parse(country).expect("adapters name assigned country codes"),
            measure,
            sums: BTreeMap::new(),
            sources: BTreeMap::new(),
        }
    }

    pub(crate) fn add(
        &mut self,
        place: Option<&PlaceCode>,
        period: Period,
        breakdown: Breakdown,
        value: u64,
    ) {
        *self
            .sums
            .entry((place.cloned(), period, breakdown))
            .or_insert(0) += value;
    }

    /// Names a different publisher for some periods (e.g. the years a series was compiled
    /// by someone else).
    pub(crate) fn set_source(&mut self, period: Period, source: &'static str) {
        self.sources.insert(period, source);
    }

    pub(crate) fn into_batch(self, source: &str, notes: Vec<String>) -> SourceBatch {
        let Tally {
            country,
            measure,
            sums,
            sources,
        } = self;
        let observations = sums
            .into_iter()
            .map(|((place, period, breakdown), value)| Observation {
                key: ObservationKey {
                    country,
                    place,
                    period,
                    measure,
                    breakdown,
                },
                value,
                source: Some(sources.get(&period).copied().unwrap_or(source).to_owned()),
            })
            .collect();
        SourceBatch {
            country,
            observations,
            notes,
        }
    }
}

/// Counts how often each recoding happened, for the batch notes.
#[derive(Default)]
pub(crate) struct Recodings(BTreeMap<(String, String), (u64, u64)>);

impl Recodings {
    fn record(&mut self, from: &str, to: Nationality, value: u64) {
        let entry = self
            .0
            .entry((from.to_owned(), to.as_str().to_owned()))
            .or_insert((0, 0));
        entry.0 += 1;
        entry.1 += value;
    }

    pub(crate) fn notes(&self) -> Vec<String> {
        self.0
            .iter()
            .map(|((from, to), (rows, people))| {
                format!("nationality `{from}` read as {to}: {rows} rows, {people} counted")
            })
            .collect()
    }
}

/// Reads a nationality code of a source, applying the source's own recodings first (e.g.
/// `OOO` "other" → `UNK`).
pub(crate) fn nationality(
    cells: &mut Cells<'_>,
    column: &str,
    recode: &[(&str, Nationality)],
    value: u64,
    recodings: &mut Recodings,
) -> Option<Nationality> {
    let raw = cells.raw(column).to_ascii_uppercase();
    if let Some((_, to)) = recode.iter().find(|(from, _)| *from == raw) {
        recodings.record(&raw, *to, value);
        return Some(*to);
    }
    cells.parse(column, Nationality::parse)
}

/// Reads a `YYYY-MM` month.
pub(crate) fn month(cells: &mut Cells<'_>, column: &str) -> Option<Period> {
    cells.parse(column, |raw| match Period::parse(raw) {
        Ok(period) if period.granularity() == Granularity::Month => Ok(period),
        _ => Err(format!("`{raw}` is not a month (expected YYYY-MM)")),
    })
}

/// The code `UNK`, as a constant for recoding tables.
pub(crate) const UNKNOWN: Nationality = Nationality::UNKNOWN;

/// Parses a code written in an adapter's own tables.
pub(crate) fn known(code: &str) -> Nationality {
    Nationality::parse(code).expect("adapters recode to valid nationality codes")
}

/// A place code written in an adapter's own tables.
pub(crate) fn place(code: &str) -> PlaceCode {
    PlaceCode::parse(code).expect("adapters name valid place codes")
}

/// Reads a table and hands each row, with a [`Cells`] on it, to `each`; collects problems.
pub(crate) fn for_each_row(
    input: impl Read,
    file: &str,
    columns: &[&str],
    mut each: impl FnMut(&Row, &mut Cells<'_>),
) -> Result<(), Vec<Problem>> {
    let rows = read_table(input, file, columns)?;
    let mut problems = Vec::new();
    for row in &rows {
        let mut cells = Cells::new(file, row, &mut problems);
        each(row, &mut cells);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Formats a count with thousands separators, for notes a person reads.
pub(crate) fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let groups: Vec<&str> = digits
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|group| std::str::from_utf8(group).expect("digits are ASCII"))
        .collect();
    groups.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated_by_commas() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(520_085), "520,085");
        assert_eq!(thousands(2_475_669), "2,475,669");
    }

    #[test]
    fn the_tally_adds_rows_that_land_on_one_key() {
        let mut tally = Tally::new("HND", Measure::IrregularEntry);
        let period = Period::parse("2023-03").unwrap();
        let china = Breakdown::nationality(known("CHN"));
        tally.add(None, period, china, 5);
        tally.add(None, period, china, 7);
        tally.add(None, period, Breakdown::TOTAL, 12);
        let batch = tally.into_batch("test", vec![]);
        assert_eq!(batch.observations.len(), 2);
        assert!(batch
            .observations
            .iter()
            .any(|o| o.key.breakdown == china && o.value == 12));
    }
}
