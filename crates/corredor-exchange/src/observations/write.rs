//! Writing observation exports: corredor CSV, HXL-tagged CSV and JSON.

use std::fmt::Write as _;
use std::io::{self, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use corredor_core::{
    AgeGroup, CountryCode, Measure, Nationality, Period, PlaceCode, Sex, Vulnerability,
};
use serde::Serialize;

use super::columns::Field;
use super::ExportRow;

/// The export columns, in order: the import header with a leading `country`.
const CURRENT: [Field; 10] = [
    Field::Country,
    Field::Period,
    Field::Place,
    Field::Measure,
    Field::Nationality,
    Field::Sex,
    Field::AgeGroup,
    Field::Vulnerability,
    Field::Value,
    Field::Source,
];

const REVISIONS: [Field; 3] = [Field::Revision, Field::SubmittedBy, Field::SubmittedAt];

/// Writes corredor CSV: `country,period,place,measure,nationality,sex,age_group,
/// vulnerability,value,source`, followed by `revision,submitted_by,submitted_at` when the first
/// row carries a revision (an export of the history). In such an export a row without a
/// revision leaves those cells empty; a revision after a first row without one is refused
/// (`InvalidInput`), since the header has no place for it.
pub fn write_csv(out: impl Write, rows: impl IntoIterator<Item = ExportRow>) -> io::Result<()> {
    write_table(out, rows, false)
}

/// Writes HXL-tagged CSV: the corredor CSV header, then the hashtag row of corredor's HXL
/// profile, then the rows; revision columns as [`write_csv`].
pub fn write_hxl(out: impl Write, rows: impl IntoIterator<Item = ExportRow>) -> io::Result<()> {
    write_table(out, rows, true)
}

/// Writes a JSON array with one object per row, keyed by the CSV column names; an empty
/// breakdown or place is `null`, and the revision fields appear only on rows that have them.
pub fn write_json(out: impl Write, rows: impl IntoIterator<Item = ExportRow>) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    out.write_all(b"[")?;
    for (index, row) in rows.into_iter().enumerate() {
        out.write_all(if index == 0 { b"\n" } else { b",\n" })?;
        let key = &row.observation.key;
        let revision = row.revision.as_ref();
        let object = JsonRow {
            country: key.country,
            period: key.period,
            place: key.place.as_ref(),
            measure: key.measure,
            nationality: key.breakdown.nationality,
            sex: key.breakdown.sex,
            age_group: key.breakdown.age_group,
            vulnerability: key.breakdown.vulnerability,
            value: row.observation.value,
            source: row.observation.source.as_deref(),
            revision: revision.map(|(number, _)| *number),
            submitted_by: revision.map(|(_, provenance)| provenance.submitted_by.as_str()),
            submitted_at: revision.map(|(_, provenance)| time(&provenance.submitted_at)),
        };
        serde_json::to_writer(&mut out, &object)?;
    }
    out.write_all(b"\n]\n")?;
    out.flush()
}

#[derive(Serialize)]
struct JsonRow<'a> {
    country: CountryCode,
    period: Period,
    place: Option<&'a PlaceCode>,
    measure: Measure,
    nationality: Option<Nationality>,
    sex: Option<Sex>,
    age_group: Option<AgeGroup>,
    vulnerability: Option<Vulnerability>,
    value: u64,
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revision: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    submitted_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    submitted_at: Option<String>,
}

/// RFC 3339 in UTC with as many fractional digits as needed, so the time reads back exactly.
fn time(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn write_table(
    out: impl Write,
    rows: impl IntoIterator<Item = ExportRow>,
    hxl: bool,
) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    let mut rows = rows.into_iter().peekable();
    let history = rows.peek().is_some_and(|row| row.revision.is_some());
    let columns: Vec<Field> = if history {
        CURRENT.iter().chain(&REVISIONS).copied().collect()
    } else {
        CURRENT.to_vec()
    };
    writer.write_record(columns.iter().map(|field| field.name()))?;
    if hxl {
        writer.write_record(columns.iter().map(|field| field.hashtag()))?;
    }
    let mut period = String::new();
    let mut value = String::new();
    for row in rows {
        let key = &row.observation.key;
        period.clear();
        write!(period, "{}", key.period).expect("writing to a String cannot fail");
        value.clear();
        write!(value, "{}", row.observation.value).expect("writing to a String cannot fail");
        let breakdown = &key.breakdown;
        let cells: [&str; 10] = [
            key.country.as_str(),
            &period,
            key.place.as_ref().map_or("", PlaceCode::as_str),
            key.measure.code(),
            breakdown
                .nationality
                .as_ref()
                .map_or("", Nationality::as_str),
            breakdown.sex.map_or("", Sex::code),
            breakdown.age_group.map_or("", AgeGroup::code),
            breakdown.vulnerability.map_or("", Vulnerability::code),
            &value,
            row.observation.source.as_deref().unwrap_or(""),
        ];
        for cell in cells {
            writer.write_field(cell)?;
        }
        if !history && row.revision.is_some() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a row with a revision follows a first row without one: the export has no revision columns",
            ));
        }
        if history {
            match &row.revision {
                Some((number, provenance)) => {
                    writer.write_field(number.to_string())?;
                    writer.write_field(&provenance.submitted_by)?;
                    writer.write_field(time(&provenance.submitted_at))?;
                }
                None => {
                    for _ in REVISIONS {
                        writer.write_field("")?;
                    }
                }
            }
        }
        writer.write_record(None::<&[u8]>)?;
    }
    writer.flush()
}
