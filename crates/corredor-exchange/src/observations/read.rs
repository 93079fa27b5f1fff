//! Reading observation files.
//!
//! The reader is built for files of millions of rows: it reuses one `csv::ByteRecord`,
//! parses codes from bytes without allocating, and caches each distinct place code once. It
//! finds repeated keys by packing each key into a `u128` (the place as a small integer
//! instead of its text) and sorting them at the end: on a million rows a hash set of keys is
//! dominated by cache misses, while sorting a flat array runs at memory speed. It allocates
//! per row only what the returned observation owns.

use std::collections::HashMap;
use std::io::Read;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use corredor_core::{
    AgeGroup, Breakdown, CountryCode, Measure, Nationality, Observation, ObservationKey, Period,
    PlaceCode, Provenance, Sex, Vulnerability,
};
use csv::ByteRecord;

use super::columns::{csv_column, hxl_column, Column, Field, Hashtag, WideColumn};
use super::{ExportRow, Format, ImportContext, HXL_SCAN_ROWS, MAX_PROBLEMS};
use crate::problem::Problem;

/// foldhash is seeded per process, so a crafted file cannot choose colliding keys in
/// advance, and it is several times faster than SipHash on small keys.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// How many rows pass between two progress reports.
const PROGRESS_EVERY: u64 = 4_096;

/// The longest source text accepted, in characters.
const MAX_SOURCE_CHARS: usize = 500;

/// The longest submitter accepted, in characters.
const MAX_SUBMITTER_CHARS: usize = 200;

/// Reads an observation file. Every problem is reported, each with the file, the 1-based
/// physical line (the header and an HXL hashtag row count), the column and why; on any
/// problem nothing is returned.
pub fn read_observations(
    input: impl Read,
    file: &str,
    format: Format,
    context: &ImportContext<'_>,
) -> Result<Vec<Observation>, Vec<Problem>> {
    read_observations_with_progress(input, file, format, context, &mut |_| {})
}

/// [`read_observations`], calling `progress` with the number of bytes read so far every few
/// thousand rows and once at the end, so that a caller can draw a progress bar.
pub fn read_observations_with_progress(
    input: impl Read,
    file: &str,
    format: Format,
    context: &ImportContext<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<Vec<Observation>, Vec<Problem>> {
    read(input, file, format, context, Mode::Observations, progress)
        .map(|(observations, _)| observations)
}

/// Reads an export, with or without its revision columns: the inverse of the writers. The
/// same key may appear once per revision.
pub fn read_export(
    input: impl Read,
    file: &str,
    format: Format,
    context: &ImportContext<'_>,
) -> Result<Vec<ExportRow>, Vec<Problem>> {
    let (observations, revisions) = read(input, file, format, context, Mode::Export, &mut |_| {})?;
    Ok(observations
        .into_iter()
        .zip(revisions)
        .map(|(observation, revision)| ExportRow {
            observation,
            revision,
        })
        .collect())
}

/// The observations of a file and, when an export is read, the revision of each.
type FileRows = (Vec<Observation>, Vec<Option<(u32, Provenance)>>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Observations,
    Export,
}

fn read(
    input: impl Read,
    file: &str,
    format: Format,
    context: &ImportContext<'_>,
    mode: Mode,
    progress: &mut dyn FnMut(u64),
) -> Result<FileRows, Vec<Problem>> {
    let mut reader = csv::ReaderBuilder::new()
        .buffer_capacity(1 << 16)
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut problems = Problems::new(file);

    // The top rows are kept aside to look for an HXL hashtag row before deciding the format.
    let scan = if format == Format::Csv {
        1
    } else {
        HXL_SCAN_ROWS
    };
    let mut top: Vec<ByteRecord> = Vec::new();
    while top.len() < scan {
        let mut record = ByteRecord::new();
        match reader.read_byte_record(&mut record) {
            Ok(true) => top.push(record),
            Ok(false) => break,
            Err(error) => {
                problems.unreadable(&error);
                return Err(problems.finish());
            }
        }
    }
    let Some(first) = top.first() else {
        problems.push(0, None, "the file is empty: it has no header and no rows");
        return Err(problems.finish());
    };
    let hashtag_row = match format {
        Format::Csv => None,
        Format::Auto | Format::Hxl => top.iter().position(is_hashtag_row),
    };
    let (layout, header) = match hashtag_row {
        Some(at) => (hxl_layout(&top[at], context, mode, &mut problems), at),
        None if format == Format::Hxl => {
            problems.push(
                0,
                None,
                format!("no HXL hashtag row (a row whose cells all start with `#`) in the first {HXL_SCAN_ROWS} rows"),
            );
            return Err(problems.finish());
        }
        None => (csv_layout(first, context, mode, &mut problems), 0),
    };
    let header_line = line_of(&top[header]);
    let Some(layout) = layout else {
        return Err(problems.finish());
    };

    let mut rows = RowReader::new(layout, context, mode);
    for record in &top[header + 1..] {
        rows.read(record, &mut problems);
    }
    let mut record = ByteRecord::new();
    let mut until_progress = PROGRESS_EVERY;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => {
                problems.unreadable(&error);
                break;
            }
        }
        rows.read(&record, &mut problems);
        until_progress -= 1;
        if until_progress == 0 {
            progress(reader.position().byte());
            until_progress = PROGRESS_EVERY;
        }
    }
    progress(reader.position().byte());
    rows.report_repeated_keys(&mut problems);
    if rows.seen == 0 && problems.is_empty() {
        problems.push(
            header_line,
            None,
            "the file has a header but no rows: there is nothing to import",
        );
    }
    if problems.is_empty() {
        Ok((rows.out, rows.revisions))
    } else {
        Err(problems.finish())
    }
}

/// The problems of one read, capped at [`MAX_PROBLEMS`] listed.
struct Problems<'f> {
    file: &'f str,
    list: Vec<Problem>,
    unlisted: u64,
}

impl<'f> Problems<'f> {
    fn new(file: &'f str) -> Problems<'f> {
        Problems {
            file,
            list: Vec::new(),
            unlisted: 0,
        }
    }

    fn push(&mut self, line: u64, column: Option<&str>, reason: impl Into<String>) {
        if self.list.len() < MAX_PROBLEMS {
            self.list
                .push(Problem::new(self.file, line, column, reason));
        } else {
            self.unlisted += 1;
        }
    }

    fn unreadable(&mut self, error: &csv::Error) {
        let line = error.position().map_or(0, csv::Position::line);
        self.push(line, None, format!("the file cannot be read: {error}"));
    }

    fn count(&self) -> u64 {
        self.list.len() as u64 + self.unlisted
    }

    fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// The problems in the order of the file (repeated keys are found at the end).
    fn finish(mut self) -> Vec<Problem> {
        self.list.sort_by_key(|problem| problem.line);
        if self.unlisted > 0 {
            let reason = format!(
                "{} more problems are not listed; fix the ones above and read the file again",
                self.unlisted
            );
            self.list.push(Problem::new(self.file, 0, None, reason));
        }
        self.list
    }
}

fn line_of(record: &ByteRecord) -> u64 {
    record.position().map_or(0, csv::Position::line)
}

/// A cell without surrounding blanks (and without a UTF-8 byte order mark, which spreadsheet
/// programs put before the first cell).
fn trim(raw: &[u8]) -> &[u8] {
    raw.strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(raw)
        .trim_ascii()
}

fn text(raw: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(raw).map_err(|_| {
        format!(
            "`{}` is not valid UTF-8 text: save the file as UTF-8",
            String::from_utf8_lossy(raw)
        )
    })
}

fn is_hashtag_row(record: &ByteRecord) -> bool {
    let mut cells = record.iter().map(trim).filter(|cell| !cell.is_empty());
    let mut any = false;
    let all = cells.all(|cell| {
        any = true;
        cell.starts_with(b"#")
    });
    any && all
}

/// Which column holds what, worked out from the header or hashtag row.
struct Layout {
    /// What each column of the file is.
    columns: Vec<Column>,
    /// The name problems give each column: the header name, or the hashtag as written.
    names: Vec<String>,
    positions: [Option<usize>; Field::COUNT],
    /// Wide-form count columns and the breakdown each carries.
    wide: Vec<(usize, WideColumn)>,
}

impl Layout {
    fn new(width: usize) -> Layout {
        Layout {
            columns: vec![Column::Ignored; width],
            names: vec![String::new(); width],
            positions: [None; Field::COUNT],
            wide: Vec::new(),
        }
    }

    fn has(&self, field: Field) -> bool {
        self.positions[field.index()].is_some()
    }

    fn name(&self, field: Field) -> &str {
        self.positions[field.index()].map_or(field.name(), |at| self.names[at].as_str())
    }

    /// Records that column `at` holds `field`, refusing a second column for the same field.
    fn place_field(&mut self, at: usize, field: Field, line: u64, problems: &mut Problems) {
        if let Some(earlier) = self.positions[field.index()] {
            problems.push(
                line,
                Some(&self.names[at]),
                format!(
                    "column {} repeats column {} (`{}`): both give the {}",
                    at + 1,
                    earlier + 1,
                    self.names[earlier],
                    field.name()
                ),
            );
        } else {
            self.positions[field.index()] = Some(at);
            self.columns[at] = Column::Field(field);
        }
    }

    /// The checks that concern the set of columns rather than one of them.
    fn check(
        &self,
        line: u64,
        context: &ImportContext<'_>,
        mode: Mode,
        problems: &mut Problems,
        hxl: bool,
    ) {
        let spell = |field: Field| {
            if hxl {
                format!("{} ({})", field.hashtag(), field.name())
            } else {
                format!("`{}`", field.name())
            }
        };
        let mut required = vec![Field::Period, Field::Measure];
        if self.wide.is_empty() {
            required.push(Field::Value);
        }
        if context.country.is_none() {
            required.push(Field::Country);
        }
        for field in required {
            if !self.has(field) {
                let why = if field == Field::Country {
                    ": a file read for no particular country (a restore) names the country of every row"
                } else {
                    ""
                };
                problems.push(
                    line,
                    Some(field.name()),
                    format!("the required column {} is missing{why}", spell(field)),
                );
            }
        }
        let history = [Field::Revision, Field::SubmittedBy, Field::SubmittedAt];
        let present: Vec<Field> = history.into_iter().filter(|f| self.has(*f)).collect();
        match mode {
            Mode::Observations => {
                for field in present {
                    problems.push(
                        line,
                        Some(self.name(field)),
                        format!(
                            "{} belongs to a revision history export, which restores history rather than importing values; export the current values instead",
                            spell(field)
                        ),
                    );
                }
            }
            Mode::Export if !present.is_empty() && present.len() < history.len() => {
                for field in history.into_iter().filter(|f| !self.has(*f)) {
                    problems.push(
                        line,
                        Some(field.name()),
                        format!(
                            "the column {} is missing: a revision history has revision, submitted_by and submitted_at together",
                            spell(field)
                        ),
                    );
                }
            }
            Mode::Export => {}
        }
        if let (Some(value), Some(&(first, _))) =
            (self.positions[Field::Value.index()], self.wide.first())
        {
            problems.push(
                line,
                Some(&self.names[value]),
                format!(
                    "the file has both a value column and count columns (`{}`): use the long form or the wide form, not both",
                    self.names[first]
                ),
            );
        }
        for (index, &(at, wide)) in self.wide.iter().enumerate() {
            if let Some(&(earlier, _)) = self.wide[..index].iter().find(|(_, w)| *w == wide) {
                problems.push(
                    line,
                    Some(&self.names[at]),
                    format!(
                        "this count column has the same breakdown as column {} (`{}`): each cell would be counted twice",
                        earlier + 1,
                        self.names[earlier]
                    ),
                );
            }
            let clashes = [
                (wide.sex.is_some(), Field::Sex),
                (wide.age_group.is_some(), Field::AgeGroup),
                (wide.vulnerability.is_some(), Field::Vulnerability),
            ];
            for (set, field) in clashes {
                if set && self.has(field) {
                    problems.push(
                        line,
                        Some(&self.names[at]),
                        format!(
                            "this count column sets the {} that column `{}` also gives",
                            field.name(),
                            self.name(field)
                        ),
                    );
                }
            }
        }
    }
}

fn csv_layout(
    header: &ByteRecord,
    context: &ImportContext<'_>,
    mode: Mode,
    problems: &mut Problems,
) -> Option<Layout> {
    let line = line_of(header);
    let before = problems.count();
    let mut layout = Layout::new(header.len());
    for (at, raw) in header.iter().enumerate() {
        let name = match text(trim(raw)) {
            Ok(name) => name,
            Err(reason) => {
                problems.push(line, None, format!("header column {}: {reason}", at + 1));
                continue;
            }
        };
        layout.names[at] = name.to_owned();
        if name.is_empty() {
            problems.push(line, None, format!("header column {} has no name", at + 1));
            continue;
        }
        match csv_column(name) {
            Ok(field) => layout.place_field(at, field, line, problems),
            Err(reason) => problems.push(line, Some(name), reason),
        }
    }
    layout.check(line, context, mode, problems, false);
    (problems.count() == before).then_some(layout)
}

fn hxl_layout(
    hashtags: &ByteRecord,
    context: &ImportContext<'_>,
    mode: Mode,
    problems: &mut Problems,
) -> Option<Layout> {
    let line = line_of(hashtags);
    let before = problems.count();
    let mut layout = Layout::new(hashtags.len());
    for (at, raw) in hashtags.iter().enumerate() {
        let spec = trim(raw);
        if spec.is_empty() {
            // HXL ignores untagged columns.
            layout.names[at] = format!("column {}", at + 1);
            continue;
        }
        let spec = String::from_utf8_lossy(spec).into_owned();
        let Some(hashtag) = Hashtag::parse(&spec) else {
            problems.push(
                line,
                Some(&spec),
                "this is not a valid HXL hashtag (`#tag+attribute`, letters, digits and `_`)",
            );
            layout.names[at] = spec;
            continue;
        };
        layout.names[at] = spec;
        match hxl_column(&hashtag) {
            Ok(Column::Field(field)) => layout.place_field(at, field, line, problems),
            Ok(Column::Count(wide)) => {
                layout.columns[at] = Column::Count(wide);
                layout.wide.push((at, wide));
            }
            Ok(Column::Ignored) => {}
            Err(reason) => problems.push(line, Some(&layout.names[at]), reason),
        }
    }
    layout.check(line, context, mode, problems, true);
    (problems.count() == before).then_some(layout)
}

/// What is known of one distinct place code met in the file.
#[derive(Debug, Clone)]
enum PlaceEntry {
    Known { id: u32, country: CountryCode },
    Refused(String),
}

/// The key of a row with its place as a small integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CompactKey {
    country: CountryCode,
    place: u32,
    period: Period,
    measure: Measure,
    breakdown: Breakdown,
    revision: u32,
}

const NO_PLACE: u32 = u32::MAX;

/// Place ids are packed in 24 bits, with 0 for the whole country.
const MAX_PLACES: usize = (1 << 24) - 1;

/// The widths, in bits, of the parts of a packed key, most significant first: the period
/// (granularity, then its number), country, place, measure, nationality (a presence bit and
/// three letters), sex, age group, vulnerability (0 for the total, else the code's index + 1)
/// and revision; 125 bits in all.
const WIDTHS: [u32; 10] = [2, 22, 15, 24, 4, 16, 3, 4, 3, 32];

impl CompactKey {
    fn pack(&self) -> u128 {
        let letters = |code: &str| {
            code.bytes()
                .fold(0u128, |n, letter| n << 5 | u128::from(letter - b'A'))
        };
        let (granularity, number) = match self.period {
            Period::Day(date) => (0, date.num_days_from_ce() as u32),
            Period::Week { year, week } => (1, year as u32 * 54 + week),
            Period::Month { year, month } => (2, year as u32 * 13 + month),
            Period::Year(year) => (3, year as u32),
        };
        let breakdown = &self.breakdown;
        let parts: [u128; 10] = [
            granularity,
            u128::from(number),
            letters(self.country.as_str()),
            u128::from(self.place.wrapping_add(1)),
            self.measure as u128,
            breakdown
                .nationality
                .map_or(0, |n| 1 << 15 | letters(n.as_str())),
            breakdown.sex.map_or(0, |v| v as u128 + 1),
            breakdown.age_group.map_or(0, |v| v as u128 + 1),
            breakdown.vulnerability.map_or(0, |v| v as u128 + 1),
            u128::from(self.revision),
        ];
        parts.iter().zip(WIDTHS).fold(0, |packed, (part, width)| {
            debug_assert!(*part < 1 << width, "{part} fits in {width} bits");
            packed << width | part
        })
    }

    fn unpack(packed: u128) -> CompactKey {
        let mut parts = [0u128; 10];
        let mut rest = packed;
        for (part, width) in parts.iter_mut().zip(WIDTHS).rev() {
            *part = rest & ((1 << width) - 1);
            rest >>= width;
        }
        let letters = |mut n: u128| {
            let mut code = [0u8; 3];
            for slot in code.iter_mut().rev() {
                *slot = b'A' + (n & 31) as u8;
                n >>= 5;
            }
            code
        };
        let text = |code: [u8; 3]| String::from_utf8_lossy(&code).into_owned();
        let number = parts[1] as u32;
        let period = match parts[0] {
            0 => Period::Day(
                NaiveDate::from_num_days_from_ce_opt(number as i32).expect("packed from a date"),
            ),
            1 => Period::Week {
                year: (number / 54) as i32,
                week: number % 54,
            },
            2 => Period::Month {
                year: (number / 13) as i32,
                month: number % 13,
            },
            _ => Period::Year(number as i32),
        };
        fn pick<T: Copy>(all: &[T], index: u128) -> Option<T> {
            (index > 0).then(|| all[index as usize - 1])
        }
        CompactKey {
            country: CountryCode::parse(&text(letters(parts[2]))).expect("packed from a country"),
            place: (parts[3] as u32).wrapping_sub(1),
            period,
            measure: Measure::ALL[parts[4] as usize],
            breakdown: Breakdown {
                nationality: (parts[5] > 0).then(|| {
                    Nationality::parse(&text(letters(parts[5] & 0x7fff)))
                        .expect("packed from a nationality")
                }),
                sex: pick(Sex::ALL, parts[6]),
                age_group: pick(AgeGroup::ALL, parts[7]),
                vulnerability: pick(Vulnerability::ALL, parts[8]),
            },
            revision: parts[9] as u32,
        }
    }
}

/// Reads data rows one by one against a layout, keeping what is needed across rows.
struct RowReader<'c> {
    layout: Layout,
    context: &'c ImportContext<'c>,
    mode: Mode,
    cache: Cache,
    /// The packed key of every observation and its line, sorted at the end.
    keys: Vec<(u128, u64)>,
    out: Vec<Observation>,
    /// In [`Mode::Export`], the revision of each observation of `out`.
    revisions: Vec<Option<(u32, Provenance)>>,
    seen: u64,
}

/// What rows repeat: place codes and the source text.
#[derive(Default)]
struct Cache {
    places: FastMap<Box<[u8]>, PlaceEntry>,
    place_codes: Vec<PlaceCode>,
    /// The last source text seen, since a file usually repeats one source on every row.
    last_source: Option<(Vec<u8>, String)>,
    /// Nationalities by their three letters (26³ slots, filled as met), since a binary search
    /// of the ISO list on every row costs more than the rest of the code checks.
    nationalities: Vec<Option<Option<Nationality>>>,
}

impl<'c> RowReader<'c> {
    fn new(layout: Layout, context: &'c ImportContext<'c>, mode: Mode) -> RowReader<'c> {
        RowReader {
            layout,
            context,
            mode,
            cache: Cache::default(),
            keys: Vec::new(),
            out: Vec::new(),
            revisions: Vec::new(),
            seen: 0,
        }
    }

    fn read(&mut self, record: &ByteRecord, problems: &mut Problems) {
        self.seen += 1;
        let line = line_of(record);
        let width = self.layout.columns.len();
        if record.len() != width {
            problems.push(
                line,
                None,
                format!(
                    "this row has {} cells but the header has {width}: a separator is missing or extra",
                    record.len()
                ),
            );
            return;
        }
        let before = problems.count();
        let layout = &self.layout;
        let cell =
            |field: Field| layout.positions[field.index()].map_or(&b""[..], |at| trim(&record[at]));
        let mut report = |field: Field, reason: String| {
            problems.push(line, Some(layout.name(field)), reason);
        };

        let country = country(cell(Field::Country), self.context.country)
            .map_err(|r| report(Field::Country, r))
            .ok();
        let period = period(cell(Field::Period), self.context.today)
            .map_err(|r| report(Field::Period, r))
            .ok();
        let measure = required_code(
            cell(Field::Measure),
            |raw| vocabulary(Measure::ALL, Measure::code, raw),
            Measure::parse,
        )
        .map_err(|r| report(Field::Measure, r))
        .ok();
        let nationality = optional_code(
            cell(Field::Nationality),
            |raw| self.cache.nationality(raw),
            Nationality::parse,
        )
        .map_err(|r| report(Field::Nationality, r))
        .ok();
        let sex = optional_code(
            cell(Field::Sex),
            |raw| vocabulary(Sex::ALL, Sex::code, raw),
            Sex::parse,
        )
        .map_err(|r| report(Field::Sex, r))
        .ok();
        let age_group = optional_code(
            cell(Field::AgeGroup),
            |raw| vocabulary(AgeGroup::ALL, AgeGroup::code, raw),
            AgeGroup::parse,
        )
        .map_err(|r| report(Field::AgeGroup, r))
        .ok();
        let vulnerability = optional_code(
            cell(Field::Vulnerability),
            |raw| vocabulary(Vulnerability::ALL, Vulnerability::code, raw),
            Vulnerability::parse,
        )
        .map_err(|r| report(Field::Vulnerability, r))
        .ok();
        let source = self
            .cache
            .source(cell(Field::Source))
            .map_err(|r| report(Field::Source, r))
            .ok();
        let revision = if self.mode == Mode::Export && layout.has(Field::Revision) {
            revision(
                cell(Field::Revision),
                cell(Field::SubmittedBy),
                cell(Field::SubmittedAt),
            )
            .map_err(|(field, r)| report(field, r))
            .ok()
        } else {
            Some(None)
        };
        // The place is checked against the row's country, so only once that is known.
        let place = country.and_then(|country| {
            self.cache
                .place(cell(Field::Place), country, self.context)
                .map_err(|r| report(Field::Place, r))
                .ok()
        });
        let value = if layout.wide.is_empty() {
            value(cell(Field::Value))
                .map_err(|r| report(Field::Value, r))
                .ok()
        } else {
            Some(0)
        };

        let (
            Some(country),
            Some(period),
            Some(measure),
            Some(nationality),
            Some(sex),
            Some(age_group),
            Some(vulnerability),
            Some(source),
            Some(revision),
            Some(place),
            Some(value),
        ) = (
            country,
            period,
            measure,
            nationality,
            sex,
            age_group,
            vulnerability,
            source,
            revision,
            place,
            value,
        )
        else {
            return;
        };
        debug_assert_eq!(problems.count(), before, "every refused cell is reported");
        let key = CompactKey {
            country,
            place,
            period,
            measure,
            breakdown: Breakdown {
                nationality,
                sex,
                age_group,
                vulnerability,
            },
            revision: revision.as_ref().map_or(0, |(number, _, _)| *number),
        };
        if self.layout.wide.is_empty() {
            self.keep(key, value, source, revision, line, problems);
            return;
        }
        for index in 0..self.layout.wide.len() {
            let (at, wide) = self.layout.wide[index];
            let raw = trim(&record[at]);
            if raw.is_empty() {
                // Wide tables leave cells without data empty: no observation.
                continue;
            }
            let value = match value_of(raw) {
                Ok(value) => value,
                Err(reason) => {
                    problems.push(line, Some(&self.layout.names[at]), reason);
                    continue;
                }
            };
            let mut key = key;
            key.breakdown.sex = wide.sex.or(key.breakdown.sex);
            key.breakdown.age_group = wide.age_group.or(key.breakdown.age_group);
            key.breakdown.vulnerability = wide.vulnerability.or(key.breakdown.vulnerability);
            self.keep(key, value, source.clone(), revision.clone(), line, problems);
        }
    }

    /// Notes the key and, while the file has no problem, keeps the observation.
    fn keep(
        &mut self,
        key: CompactKey,
        value: u64,
        source: Option<String>,
        revision: Option<(u32, String, DateTime<Utc>)>,
        line: u64,
        problems: &mut Problems,
    ) {
        self.keys.push((key.pack(), line));
        if !problems.is_empty() {
            // The file will be refused: building observations would only cost time and memory.
            return;
        }
        let observation = Observation {
            key: ObservationKey {
                country: key.country,
                place: (key.place != NO_PLACE)
                    .then(|| self.cache.place_codes[key.place as usize].clone()),
                period: key.period,
                measure: key.measure,
                breakdown: key.breakdown,
            },
            value,
            source,
        };
        if self.mode == Mode::Export {
            self.revisions
                .push(revision.map(|(number, submitted_by, submitted_at)| {
                    let provenance = Provenance {
                        source: observation.source.clone(),
                        submitted_by,
                        submitted_at,
                    };
                    (number, provenance)
                }));
        }
        self.out.push(observation);
    }

    /// Reports every key given more than once, naming the line that gave it first.
    fn report_repeated_keys(&mut self, problems: &mut Problems) {
        self.keys.sort_unstable();
        for pair in self.keys.windows(2) {
            let [(first, _), (key, line)] = pair else {
                unreachable!("windows of two")
            };
            if first != key {
                continue;
            }
            // The first line of a run of equal keys is the earliest, since lines are sorted too.
            let earlier = self.keys.partition_point(|(other, _)| other < key);
            let earlier = self.keys[earlier].1;
            let key = CompactKey::unpack(*key);
            let what = if self.mode == Mode::Export && key.revision > 0 {
                format!(" (revision {})", key.revision)
            } else {
                String::new()
            };
            problems.push(
                *line,
                None,
                format!(
                    "line {earlier} and line {line} give the same value{what}: {}; a file gives each value once",
                    self.cache.describe(&key)
                ),
            );
        }
    }
}

impl Cache {
    /// The nationality written with three letters, any case; `None` for anything else, which
    /// the caller then refuses with the core parser's message.
    fn nationality(&mut self, raw: &[u8]) -> Option<Nationality> {
        let &[a, b, c] = raw else {
            return None;
        };
        if ![a, b, c].iter().all(u8::is_ascii_alphabetic) {
            return None;
        }
        let slot = |letter: u8| usize::from(letter.to_ascii_uppercase() - b'A');
        let index = (slot(a) * 26 + slot(b)) * 26 + slot(c);
        if self.nationalities.is_empty() {
            self.nationalities = vec![None; 26 * 26 * 26];
        }
        *self.nationalities[index].get_or_insert_with(|| {
            let letters = [a, b, c];
            let text = std::str::from_utf8(&letters).expect("ASCII letters are UTF-8");
            Nationality::parse(text).ok()
        })
    }

    fn describe(&self, key: &CompactKey) -> String {
        let mut parts = vec![
            format!("country {}", key.country),
            format!("period {}", key.period),
        ];
        if key.place != NO_PLACE {
            parts.push(format!("place {}", self.place_codes[key.place as usize]));
        }
        parts.push(format!("measure {}", key.measure));
        let b = &key.breakdown;
        if let Some(n) = b.nationality {
            parts.push(format!("nationality {n}"));
        }
        if let Some(s) = b.sex {
            parts.push(format!("sex {s}"));
        }
        if let Some(a) = b.age_group {
            parts.push(format!("age group {a}"));
        }
        if let Some(v) = b.vulnerability {
            parts.push(format!("vulnerability {v}"));
        }
        parts.join(", ")
    }

    /// The place's id in `place_codes`, or [`NO_PLACE`] for the whole country.
    fn place(
        &mut self,
        raw: &[u8],
        country: CountryCode,
        context: &ImportContext<'_>,
    ) -> Result<u32, String> {
        if raw.is_empty() {
            return Ok(NO_PLACE);
        }
        let entry = match self.places.get(raw) {
            Some(entry) => entry,
            None => {
                let entry = self.new_place(raw, context);
                self.places.entry(raw.into()).or_insert(entry)
            }
        };
        match entry {
            PlaceEntry::Known { id, country: of } if *of == country => Ok(*id),
            PlaceEntry::Known { id, country: of } => Err(format!(
                "place {} is in {of}, not in {country}: a country reports only its own places",
                self.place_codes[*id as usize]
            )),
            PlaceEntry::Refused(reason) => Err(reason.clone()),
        }
    }

    fn new_place(&mut self, raw: &[u8], context: &ImportContext<'_>) -> PlaceEntry {
        let code = match text(raw).and_then(|t| PlaceCode::parse(t).map_err(|e| e.to_string())) {
            Ok(code) => code,
            Err(reason) => return PlaceEntry::Refused(reason),
        };
        match context.places.get(&code) {
            Some(_) if self.place_codes.len() >= MAX_PLACES => PlaceEntry::Refused(format!(
                "the file names more than {MAX_PLACES} different places"
            )),
            Some(&country) => {
                let id = u32::try_from(self.place_codes.len()).expect("MAX_PLACES fits in u32");
                self.place_codes.push(code);
                PlaceEntry::Known { id, country }
            }
            None => PlaceEntry::Refused(format!(
                "unknown place `{code}`: it is not in corredor's places (add it to the reference data first, or leave the place empty for the whole country)"
            )),
        }
    }

    fn source(&mut self, raw: &[u8]) -> Result<Option<String>, String> {
        if raw.is_empty() {
            return Ok(None);
        }
        if let Some((bytes, source)) = &self.last_source {
            if bytes.as_slice() == raw {
                return Ok(Some(source.clone()));
            }
        }
        let source = text(raw)?;
        if source.chars().count() > MAX_SOURCE_CHARS {
            return Err(format!(
                "the source is longer than {MAX_SOURCE_CHARS} characters"
            ));
        }
        self.last_source = Some((raw.to_vec(), source.to_owned()));
        Ok(Some(source.to_owned()))
    }
}

fn country(raw: &[u8], importing: Option<CountryCode>) -> Result<CountryCode, String> {
    match (raw.is_empty(), importing) {
        (true, Some(importing)) => Ok(importing),
        (true, None) => Err(
            "the country is empty: a file read for no particular country (a restore) names the country of every row"
                .to_owned(),
        ),
        (false, importing) => {
            let country = CountryCode::parse(text(raw)?).map_err(|e| e.to_string())?;
            match importing {
                Some(importing) if importing != country => Err(format!(
                    "this row is reported by {country}, but the file is imported by {importing}: a country imports only its own data"
                )),
                _ => Ok(country),
            }
        }
    }
}

/// A code read by `fast` from the bytes, or else by the core `parse`, which refuses it with
/// its message.
fn required_code<T>(
    raw: &[u8],
    fast: impl FnOnce(&[u8]) -> Option<T>,
    parse: impl Fn(&str) -> Result<T, corredor_core::CoreError>,
) -> Result<T, String> {
    if raw.is_empty() {
        return Err("this cell is empty; it is required".to_owned());
    }
    match fast(raw) {
        Some(value) => Ok(value),
        None => parse(text(raw)?).map_err(|e| e.to_string()),
    }
}

fn optional_code<T>(
    raw: &[u8],
    fast: impl FnOnce(&[u8]) -> Option<T>,
    parse: impl Fn(&str) -> Result<T, corredor_core::CoreError>,
) -> Result<Option<T>, String> {
    if raw.is_empty() {
        return Ok(None);
    }
    required_code(raw, fast, parse).map(Some)
}

/// A closed-vocabulary code matched on bytes, as the core `parse` matches it (any case).
fn vocabulary<T: Copy>(all: &[T], code: fn(T) -> &'static str, raw: &[u8]) -> Option<T> {
    all.iter()
        .copied()
        .find(|value| code(*value).as_bytes().eq_ignore_ascii_case(raw))
}

fn period(raw: &[u8], today: NaiveDate) -> Result<Period, String> {
    if raw.is_empty() {
        return Err("the period is empty; it is required".to_owned());
    }
    let period = match parse_period(raw) {
        Some(period) => period,
        // The slow path only builds the message, with the same rules.
        None => {
            return Err(match Period::parse(text(raw)?) {
                Ok(period) => return check_future(period, today),
                Err(error) => error.to_string(),
            })
        }
    };
    check_future(period, today)
}

fn check_future(period: Period, today: NaiveDate) -> Result<Period, String> {
    if period.is_after(today) {
        return Err(format!(
            "period {period} starts after today ({today}): it cannot have been observed yet"
        ));
    }
    Ok(period)
}

/// Parses the written forms of `Period::parse` from bytes without allocating; `None` for
/// anything else (the caller then asks `Period::parse` for the message).
pub(crate) fn parse_period(raw: &[u8]) -> Option<Period> {
    fn number(digits: &[u8]) -> Option<u32> {
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    }
    if raw.len() < 4 {
        return None;
    }
    let year = i32::try_from(number(&raw[..4])?).ok()?;
    if !(1900..=9999).contains(&year) {
        return None;
    }
    match raw.len() {
        4 => Period::year(year),
        7 if raw[4] == b'-' => Period::month(year, number(&raw[5..])?),
        8 if raw[4] == b'-' && matches!(raw[5], b'W' | b'w') => {
            Period::week(year, number(&raw[6..])?)
        }
        10 if raw[4] == b'-' && raw[7] == b'-' => {
            NaiveDate::from_ymd_opt(year, number(&raw[5..7])?, number(&raw[8..])?).map(Period::day)
        }
        _ => None,
    }
}

fn value(raw: &[u8]) -> Result<u64, String> {
    if raw.is_empty() {
        return Err("the value is empty: write 0 for a count of zero".to_owned());
    }
    value_of(raw)
}

/// A count: a whole number, zero or more. `12.0` is accepted, since spreadsheets write
/// whole numbers so.
fn value_of(raw: &[u8]) -> Result<u64, String> {
    if raw.len() <= 19 && raw.iter().all(u8::is_ascii_digit) {
        return Ok(raw.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')));
    }
    let written = text(raw)?;
    if let Ok(value) = written.parse::<u64>() {
        return Ok(value);
    }
    match written.parse::<f64>() {
        Ok(number) if number.is_nan() => Err(format!("`{written}` is not a number")),
        Ok(number) if number < 0.0 => {
            Err(format!("`{written}` is negative: a count is zero or more"))
        }
        Ok(number) if number.fract() == 0.0 && number < 9.0e15 => Ok(number as u64),
        Ok(_) => Err(format!(
            "`{written}` is not a whole number: a count is a whole number of people or events"
        )),
        Err(_) => Err(format!("`{written}` is not a number")),
    }
}

type RevisionCells = (u32, String, DateTime<Utc>);

fn revision(
    number: &[u8],
    submitted_by: &[u8],
    submitted_at: &[u8],
) -> Result<Option<RevisionCells>, (Field, String)> {
    if number.is_empty() && submitted_by.is_empty() && submitted_at.is_empty() {
        return Ok(None);
    }
    let number = text(number)
        .ok()
        .and_then(|t| t.parse::<u32>().ok())
        .filter(|n| *n >= 1)
        .ok_or_else(|| {
            (
                Field::Revision,
                format!(
                    "`{}` is not a revision number (1, 2, …)",
                    String::from_utf8_lossy(number)
                ),
            )
        })?;
    let submitted_by = text(submitted_by).map_err(|r| (Field::SubmittedBy, r))?;
    if submitted_by.is_empty() || submitted_by.chars().count() > MAX_SUBMITTER_CHARS {
        return Err((
            Field::SubmittedBy,
            format!("who submitted the revision is empty or longer than {MAX_SUBMITTER_CHARS} characters"),
        ));
    }
    let written = text(submitted_at).map_err(|r| (Field::SubmittedAt, r))?;
    let submitted_at = DateTime::parse_from_rfc3339(written)
        .map_err(|_| {
            (
                Field::SubmittedAt,
                format!("`{written}` is not an RFC 3339 time such as 2023-08-14T09:30:00Z"),
            )
        })?
        .with_timezone(&Utc);
    Ok(Some((number, submitted_by.to_owned(), submitted_at)))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn option_of<T: Copy + std::fmt::Debug + 'static>(
        all: &'static [T],
    ) -> impl Strategy<Value = Option<T>> {
        prop::option::of(prop::sample::select(all))
    }

    proptest! {
        #[test]
        fn a_packed_key_unpacks_to_itself(
            days in 0i64..2_900_000,
            granularity in 0usize..4,
            country in prop::sample::select(&["PAN", "CRI", "USA", "ZWE", "ABW"][..]),
            place in prop::option::of(0u32..MAX_PLACES as u32),
            measure in prop::sample::select(Measure::ALL),
            nationality in prop::option::of(prop::sample::select(&["VEN", "UNK", "XXA", "XKX", "ZZZ"][..])),
            sex in option_of(Sex::ALL),
            age_group in option_of(AgeGroup::ALL),
            vulnerability in option_of(Vulnerability::ALL),
            revision in any::<u32>(),
        ) {
            let date = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date") + chrono::Duration::days(days);
            let granularity = [
                corredor_core::Granularity::Day,
                corredor_core::Granularity::Week,
                corredor_core::Granularity::Month,
                corredor_core::Granularity::Year,
            ][granularity];
            let key = CompactKey {
                country: CountryCode::parse(country).expect("a country"),
                place: place.unwrap_or(NO_PLACE),
                period: Period::containing(date, granularity),
                measure,
                breakdown: Breakdown {
                    nationality: nationality.and_then(|n| Nationality::parse(n).ok()),
                    sex,
                    age_group,
                    vulnerability,
                },
                revision,
            };
            prop_assert_eq!(CompactKey::unpack(key.pack()), key);
        }
    }
}
