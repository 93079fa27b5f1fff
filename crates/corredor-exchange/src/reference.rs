//! Reference data files: countries, places, corridors.
//!
//! corredor ships these in `data/reference/` (see its README for sources and licences) and
//! lets the member countries edit them through the API. The files are small, so a reader
//! checks the whole file and returns every problem at once, or the typed values.
//!
//! - `countries.csv`: `code,name_en,name_es,rcm_status` (`member`, `observer` or empty).
//! - `places.csv`: `code,name,country,kind,counterpart,latitude,longitude,note`; `note` is
//!   documentation for people and is not kept in [`Place`].
//! - `corridors.json`: a JSON array of [`Corridor`]s as serde writes them.

use std::collections::HashSet;
use std::io::{Read, Write};

use corredor_core::{Corridor, Country, CountryCode, Place, PlaceCode, PlaceKind, RcmStatus};

use crate::problem::Problem;

const COUNTRY_HEADER: [&str; 4] = ["code", "name_en", "name_es", "rcm_status"];
const PLACE_HEADER: [&str; 8] = [
    "code",
    "name",
    "country",
    "kind",
    "counterpart",
    "latitude",
    "longitude",
    "note",
];

/// Reads `countries.csv`. Codes must be ISO 3166-1 alpha-3 and appear once; both names are
/// required.
pub fn read_countries(input: impl Read, file: &str) -> Result<Vec<Country>, Vec<Problem>> {
    let rows = read_table(input, file, &COUNTRY_HEADER)?;
    let mut problems = Vec::new();
    let mut countries = Vec::new();
    let mut seen = HashSet::new();
    for row in rows {
        let mut cell = Cells::new(file, &row, &mut problems);
        let code = cell.parse("code", CountryCode::parse);
        let name_en = cell.text("name_en");
        let name_es = cell.text("name_es");
        let rcm_status = cell.optional("rcm_status", |raw| match raw {
            "member" => Ok(RcmStatus::Member),
            "observer" => Ok(RcmStatus::Observer),
            other => Err(format!(
                "`{other}` is not an RCM status (expected member, observer or empty)"
            )),
        });
        if let Some(code) = code {
            if !seen.insert(code) {
                problems.push(Problem::new(
                    file,
                    row.line,
                    Some("code"),
                    format!("country {code} appears twice"),
                ));
            }
        }
        if let (Some(code), Some(name_en), Some(name_es), Some(rcm_status)) =
            (code, name_en, name_es, rcm_status)
        {
            countries.push(Country {
                code,
                name_en,
                name_es,
                rcm_status,
            });
        }
    }
    finish(countries, problems)
}

/// Reads `places.csv`. Codes must be unique; the country and counterpart ISO alpha-3; the
/// kind one of [`PlaceKind`]'s codes; coordinates WGS 84 decimal degrees.
pub fn read_places(input: impl Read, file: &str) -> Result<Vec<Place>, Vec<Problem>> {
    let rows = read_table(input, file, &PLACE_HEADER)?;
    let mut problems = Vec::new();
    let mut places = Vec::new();
    let mut seen = HashSet::new();
    for row in rows {
        let mut cell = Cells::new(file, &row, &mut problems);
        let code = cell.parse("code", PlaceCode::parse);
        let name = cell.text("name");
        let country = cell.parse("country", CountryCode::parse);
        let kind = cell.parse("kind", PlaceKind::parse);
        let counterpart = cell.optional("counterpart", |raw| {
            CountryCode::parse(raw).map_err(|error| error.to_string())
        });
        let latitude = cell.parse("latitude", parse_degrees);
        let longitude = cell.parse("longitude", parse_degrees);
        if let Some(code) = &code {
            if !seen.insert(code.clone()) {
                problems.push(Problem::new(
                    file,
                    row.line,
                    Some("code"),
                    format!("place {code} appears twice"),
                ));
            }
        }
        let (
            Some(code),
            Some(name),
            Some(country),
            Some(kind),
            Some(counterpart),
            Some(latitude),
            Some(longitude),
        ) = (code, name, country, kind, counterpart, latitude, longitude)
        else {
            continue;
        };
        match Place::new(
            code,
            &name,
            country,
            kind,
            counterpart,
            (latitude, longitude),
        ) {
            Ok(place) => places.push(place),
            Err(error) => problems.push(Problem::new(file, row.line, None, error.to_string())),
        }
    }
    finish(places, problems)
}

/// Reads `corridors.json`: a JSON array of corridors. Corridor codes must be unique.
pub fn read_corridors(input: impl Read, file: &str) -> Result<Vec<Corridor>, Vec<Problem>> {
    let corridors: Vec<Corridor> = serde_json::from_reader(input).map_err(|error| {
        vec![Problem::new(
            file,
            error.line() as u64,
            None,
            format!("not a list of corridors: {error}"),
        )]
    })?;
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for corridor in &corridors {
        if !seen.insert(corridor.code().clone()) {
            problems.push(Problem::new(
                file,
                0,
                Some("code"),
                format!("corridor `{}` appears twice", corridor.code()),
            ));
        }
    }
    finish(corridors, problems)
}

/// Writes countries in the `countries.csv` format [`read_countries`] reads.
pub fn write_countries(output: impl Write, countries: &[Country]) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(output);
    writer.write_record(COUNTRY_HEADER)?;
    for country in countries {
        let status = match country.rcm_status {
            Some(RcmStatus::Member) => "member",
            Some(RcmStatus::Observer) => "observer",
            None => "",
        };
        writer.write_record([
            country.code.as_str(),
            &country.name_en,
            &country.name_es,
            status,
        ])?;
    }
    writer.flush()
}

/// Writes places in the `places.csv` format [`read_places`] reads (with an empty note).
pub fn write_places(output: impl Write, places: &[Place]) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(output);
    writer.write_record(PLACE_HEADER)?;
    for place in places {
        writer.write_record([
            place.code.as_str(),
            &place.name,
            place.country.as_str(),
            place.kind.code(),
            place.counterpart.as_ref().map_or("", CountryCode::as_str),
            &place.latitude.to_string(),
            &place.longitude.to_string(),
            "",
        ])?;
    }
    writer.flush()
}

/// One data row of a CSV file, with its 1-based line number.
pub(crate) struct Row {
    pub(crate) line: u64,
    pub(crate) record: csv::StringRecord,
    pub(crate) columns: std::rc::Rc<Vec<String>>,
}

impl Row {
    /// The trimmed value of a column the header was checked to contain.
    pub(crate) fn get(&self, column: &str) -> &str {
        self.columns
            .iter()
            .position(|name| name == column)
            .and_then(|index| self.record.get(index))
            .map_or("", str::trim)
    }
}

/// Reads a whole CSV file whose header must contain `required` (in any order). A file that
/// is not CSV, lacks a column or has a row of the wrong length is refused with every such
/// problem.
pub(crate) fn read_table(
    input: impl Read,
    file: &str,
    required: &[&str],
) -> Result<Vec<Row>, Vec<Problem>> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
    let header = match reader.headers() {
        Ok(header) => header.clone(),
        Err(error) => {
            return Err(vec![Problem::new(
                file,
                1,
                None,
                format!("cannot read the header: {error}"),
            )])
        }
    };
    // A UTF-8 byte order mark, as spreadsheet programs write, is not part of the first name.
    let columns: Vec<String> = header
        .iter()
        .map(|name| name.trim_start_matches('\u{feff}').trim().to_owned())
        .collect();
    let missing: Vec<Problem> = required
        .iter()
        .filter(|name| !columns.iter().any(|column| column == *name))
        .map(|name| {
            Problem::new(
                file,
                1,
                Some(name),
                format!(
                    "the header lacks the column `{name}` (expected {})",
                    required.join(",")
                ),
            )
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let columns = std::rc::Rc::new(columns);
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for result in reader.records() {
        match result {
            Ok(record) => rows.push(Row {
                line: record.position().map_or(0, |position| position.line()),
                record,
                columns: columns.clone(),
            }),
            Err(error) => {
                let line = error.position().map_or(0, |position| position.line());
                problems.push(Problem::new(file, line, None, format!("not CSV: {error}")));
            }
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

/// Field access for one row that records each bad field as a problem and goes on, so that
/// one pass reports every bad field of the row.
pub(crate) struct Cells<'a> {
    file: &'a str,
    row: &'a Row,
    problems: &'a mut Vec<Problem>,
}

impl<'a> Cells<'a> {
    pub(crate) fn new(file: &'a str, row: &'a Row, problems: &'a mut Vec<Problem>) -> Cells<'a> {
        Cells {
            file,
            row,
            problems,
        }
    }

    /// The trimmed text of a column, unparsed.
    pub(crate) fn raw(&self, column: &str) -> &'a str {
        self.row.get(column)
    }

    pub(crate) fn problem(&mut self, column: &str, reason: impl Into<String>) {
        self.problems
            .push(Problem::new(self.file, self.row.line, Some(column), reason));
    }

    pub(crate) fn parse<T, E: std::fmt::Display>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        match parse(self.row.get(column)) {
            Ok(value) => Some(value),
            Err(error) => {
                self.problem(column, error.to_string());
                None
            }
        }
    }

    fn text(&mut self, column: &str) -> Option<String> {
        let text = self.row.get(column);
        if text.is_empty() || text.chars().count() > 200 {
            self.problem(
                column,
                format!("`{text}` is empty or too long (at most 200 characters)"),
            );
            None
        } else {
            Some(text.to_owned())
        }
    }

    /// `Some(None)` for an empty cell, `Some(Some(value))` for a good one, `None` for a bad one.
    fn optional<T>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<Option<T>> {
        let raw = self.row.get(column);
        if raw.is_empty() {
            return Some(None);
        }
        match parse(raw) {
            Ok(value) => Some(Some(value)),
            Err(reason) => {
                self.problem(column, reason);
                None
            }
        }
    }

    /// A count: a whole number, zero or more.
    pub(crate) fn count(&mut self, column: &str) -> Option<u64> {
        let raw = self.row.get(column);
        match raw.parse::<u64>() {
            Ok(value) => Some(value),
            Err(_) => {
                self.problem(
                    column,
                    format!("`{raw}` is not a count (expected a whole number, zero or more)"),
                );
                None
            }
        }
    }
}

fn parse_degrees(raw: &str) -> Result<f64, String> {
    raw.parse::<f64>()
        .ok()
        .filter(|value| value.is_finite())
        .ok_or_else(|| format!("`{raw}` is not a number of degrees (e.g. -82.838)"))
}

fn finish<T>(values: Vec<T>, problems: Vec<Problem>) -> Result<Vec<T>, Vec<Problem>> {
    if problems.is_empty() {
        Ok(values)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places(text: &str) -> Result<Vec<Place>, Vec<Problem>> {
        read_places(text.as_bytes(), "places.csv")
    }

    #[test]
    fn a_place_row_becomes_a_place_without_its_note() {
        let parsed = places(
            "code,name,country,kind,counterpart,latitude,longitude,note\n\
             PA-CR-PC,Paso Canoas,PAN,official_land_crossing,CRI,8.532,-82.838,main crossing\n",
        )
        .unwrap();
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].code.as_str(), "PA-CR-PC");
        assert_eq!(parsed[0].counterpart, CountryCode::parse("CRI").ok());
        assert_eq!(parsed[0].kind, PlaceKind::BorderCrossing);
    }

    #[test]
    fn every_bad_field_of_every_bad_place_row_is_reported() {
        let problems = places(
            "code,name,country,kind,counterpart,latitude,longitude,note\n\
             pa-x,Paso,PAN,crossing,,8.5,-82.8,\n\
             PA-Y,Paso,PA,official_land_crossing,CR,north,-82.8,\n\
             PA-Z,Paso,PAN,official_land_crossing,,95,-82.8,\n\
             PA-Z,Paso,PAN,official_land_crossing,,8.5,-82.8,\n",
        )
        .unwrap_err();
        let found: Vec<(u64, Option<&str>)> = problems
            .iter()
            .map(|problem| (problem.line, problem.column.as_deref()))
            .collect();
        assert_eq!(
            found,
            vec![
                (2, Some("code")),
                (2, Some("kind")),
                (3, Some("country")),
                (3, Some("counterpart")),
                (3, Some("latitude")),
                (4, None),
                (5, Some("code")),
            ],
            "{problems:#?}"
        );
    }

    #[test]
    fn a_file_without_a_required_column_is_refused_by_name() {
        let problems = places("code,name,country\nPA-X,Paso,PAN\n").unwrap_err();
        assert!(problems
            .iter()
            .any(|problem| problem.column.as_deref() == Some("latitude")));
    }

    #[test]
    fn countries_round_trip_through_their_writer() {
        let text = "code,name_en,name_es,rcm_status\n\
                    COL,Colombia,Colombia,observer\n\
                    PAN,Panama,Panamá,member\n\
                    ZAF,South Africa,Sudáfrica,\n";
        let countries = read_countries(text.as_bytes(), "countries.csv").unwrap();
        let mut written = Vec::new();
        write_countries(&mut written, &countries).unwrap();
        assert_eq!(String::from_utf8(written).unwrap(), text);
    }

    #[test]
    fn places_round_trip_through_their_writer() {
        let text = "code,name,country,kind,counterpart,latitude,longitude,note\n\
                    US-BP-RGV,Rio Grande Valley Sector,USA,border_patrol_sector,MEX,26.195,-98.152,\n";
        let parsed = places(text).unwrap();
        let mut written = Vec::new();
        write_places(&mut written, &parsed).unwrap();
        assert_eq!(
            places(std::str::from_utf8(&written).unwrap()).unwrap(),
            parsed
        );
    }

    #[test]
    fn a_country_listed_twice_or_with_an_unknown_status_is_refused() {
        let problems = read_countries(
            "code,name_en,name_es,rcm_status\nPAN,Panama,Panamá,member\nPAN,Panama,Panamá,guest\n"
                .as_bytes(),
            "countries.csv",
        )
        .unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(problems.iter().all(|problem| problem.line == 3));
    }

    #[test]
    fn corridors_that_are_not_valid_are_refused_with_the_reason() {
        let problems = read_corridors(
            r#"[{"code":"x1","name_en":"A","name_es":"B","nodes":[{"country":"PAN"}],"legs":[]}]"#
                .as_bytes(),
            "corridors.json",
        )
        .unwrap_err();
        assert!(
            problems[0].reason.contains("at least two nodes"),
            "{problems:#?}"
        );
    }
}
