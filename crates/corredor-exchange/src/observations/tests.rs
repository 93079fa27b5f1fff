//! Reading observation files: every kind of bad input, each named with its line and column.

use std::collections::HashMap;

use chrono::NaiveDate;
use corredor_core::{
    AgeGroup, CountryCode, Measure, Nationality, Observation, Period, PlaceCode, Sex, Vulnerability,
};

use super::read::parse_period;
use super::*;
use crate::problem::Problem;

fn country(code: &str) -> CountryCode {
    CountryCode::parse(code).expect("a test country")
}

/// A few real places of the corridor (shared/standards/geo/corridor-crossing-points.csv).
fn places() -> HashMap<PlaceCode, CountryCode> {
    [
        ("PA-ERM-LB", "PAN"),
        ("PA-ERM-SV", "PAN"),
        ("PA-BCH", "PAN"),
        ("CR-NI-PB", "CRI"),
        ("HN-DNL", "HND"),
    ]
    .into_iter()
    .map(|(place, of)| (PlaceCode::parse(place).expect("a test place"), country(of)))
    .collect()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date")
}

/// Reads `text` as Panama would, in `format`.
fn read_as(
    text: &str,
    importer: Option<&str>,
    format: Format,
) -> Result<Vec<Observation>, Vec<Problem>> {
    let places = places();
    let context = ImportContext {
        country: importer.map(country),
        today: today(),
        places: &places,
    };
    read_observations(text.as_bytes(), "flows.csv", format, &context)
}

fn read(text: &str) -> Result<Vec<Observation>, Vec<Problem>> {
    read_as(text, Some("PAN"), Format::Auto)
}

/// Reads a file that must be refused, and checks each problem's line, column and a word of
/// its reason, in order.
fn check(text: &str, expected: &[(u64, Option<&str>, &str)]) {
    check_as(text, Some("PAN"), expected);
}

fn check_as(text: &str, importer: Option<&str>, expected: &[(u64, Option<&str>, &str)]) {
    let problems = read_as(text, importer, Format::Auto).expect_err("the file must be refused");
    let got: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), expected.len(), "{got:#?}");
    for (problem, (line, column, word)) in problems.iter().zip(expected) {
        assert_eq!(problem.file, "flows.csv");
        assert_eq!(problem.line, *line, "{problem}");
        assert_eq!(problem.column.as_deref(), *column, "{problem}");
        assert!(problem.reason.contains(word), "`{word}` not in: {problem}");
    }
}

const HEADER: &str = "period,place,measure,nationality,sex,age_group,vulnerability,value,source";

#[test]
fn a_valid_file_becomes_observations_of_the_importing_country() {
    let file = format!(
        "{HEADER}\n2023-08,PA-ERM-LB,irregular_entry,VEN,,,,41234,SNM Panamá\n\
         2023-W33, PA-ERM-SV ,irregular_entry,ECU,f,0-17,unaccompanied_child,12,SNM Panamá\n\
         2023,,encounter,,,,,520085,\n2023-08-14,PA-BCH,stranded,UNK,x,60+,,7,\n"
    );
    let observations = read(&file).unwrap();
    assert_eq!(observations.len(), 4);
    let first = &observations[0];
    assert_eq!(first.key.country, country("PAN"));
    assert_eq!(
        first.key.place.as_ref().map(PlaceCode::as_str),
        Some("PA-ERM-LB")
    );
    assert_eq!(first.key.period, Period::parse("2023-08").unwrap());
    assert_eq!(first.key.measure, Measure::IrregularEntry);
    assert_eq!(
        first.key.breakdown.nationality,
        Some(Nationality::parse("VEN").unwrap())
    );
    assert_eq!(first.value, 41234);
    assert_eq!(first.source.as_deref(), Some("SNM Panamá"));
    let second = &observations[1].key.breakdown;
    assert_eq!(
        (second.sex, second.age_group, second.vulnerability),
        (
            Some(Sex::Female),
            Some(AgeGroup::Age0To17),
            Some(Vulnerability::UnaccompaniedChild)
        )
    );
    assert!(observations[2].key.place.is_none() && observations[2].key.breakdown.is_total());
    assert_eq!(observations[2].source, None);
    assert_eq!(observations[3].key.measure, Measure::Stranded);
}

#[test]
fn columns_may_come_in_any_order_and_optional_ones_may_be_left_out() {
    let observations = read("Value,MEASURE,period\n3,encounter,2024-01\n").unwrap();
    assert_eq!(observations.len(), 1);
    assert_eq!(observations[0].value, 3);
    assert!(observations[0].key.breakdown.is_total());
}

#[test]
fn a_stock_may_be_reported_for_any_period() {
    let observations =
        read("period,place,measure,value\n2023,PA-BCH,stranded,700\n2023-W02,PA-BCH,shelter_capacity,300\n").unwrap();
    assert_eq!(observations.len(), 2);
}

#[test]
fn a_missing_required_column_is_named() {
    check(
        "period,place,nationality,value\n2023-08,PA-ERM-LB,VEN,1\n",
        &[(1, Some("measure"), "required column `measure`")],
    );
    check(
        "place,measure\nPA-BCH,encounter\n",
        &[
            (1, Some("period"), "required column `period`"),
            (1, Some("value"), "required column `value`"),
        ],
    );
}

#[test]
fn an_unknown_column_is_named_with_the_closest_valid_name() {
    check(
        "period,measure,nacionality,value\n2023-08,encounter,VEN,1\n",
        &[(1, Some("nacionality"), "did you mean `nationality`")],
    );
}

#[test]
fn a_column_given_twice_is_refused() {
    check(
        "period,measure,value,Value\n2023-08,encounter,1,2\n",
        &[(1, Some("Value"), "repeats column 3")],
    );
}

#[test]
fn unknown_codes_are_refused_in_their_column() {
    check(
        &format!(
            "{HEADER}\n2023-08,,arrivals,VEN,,,,1,\n2023-08,,encounter,VNZ,,,,1,\n\
             2023-08,,encounter,VEN,female,,,1,\n2023-08,,encounter,VEN,f,0-5,,1,\n\
             2023-08,,encounter,VEN,f,0-4,orphan,1,\n"
        ),
        &[
            (2, Some("measure"), "`arrivals` is not a measure"),
            (3, Some("nationality"), "`VNZ` is not a nationality"),
            (4, Some("sex"), "`female` is not a sex"),
            (5, Some("age_group"), "`0-5` is not an age group"),
            (6, Some("vulnerability"), "`orphan` is not a vulnerability"),
        ],
    );
}

#[test]
fn every_bad_cell_of_a_row_is_reported() {
    check(
        "period,measure,nationality,value\n2023-13,arrival,VNZ,-1\n",
        &[
            (2, Some("period"), "not a period"),
            (2, Some("measure"), "not a measure"),
            (2, Some("nationality"), "not a nationality"),
            (2, Some("value"), "negative"),
        ],
    );
}

#[test]
fn unparsable_periods_are_refused() {
    check(
        "period,measure,value\n2023-W54,encounter,1\n08/2023,encounter,1\n,encounter,1\n2023-02-30,encounter,1\n",
        &[
            (2, Some("period"), "`2023-W54` is not a period"),
            (3, Some("period"), "`08/2023` is not a period"),
            (4, Some("period"), "empty"),
            (5, Some("period"), "`2023-02-30` is not a period"),
        ],
    );
}

#[test]
fn a_period_that_starts_after_today_is_refused_but_the_current_one_is_not() {
    check(
        "period,measure,value\n2026-11-25,encounter,1\n2026-12,encounter,1\n2027,encounter,1\n2026-W49,encounter,1\n",
        &[
            (2, Some("period"), "starts after today (2026-11-24)"),
            (3, Some("period"), "starts after today"),
            (4, Some("period"), "starts after today"),
            (5, Some("period"), "starts after today"),
        ],
    );
    assert!(read("period,measure,value\n2026-11-24,encounter,1\n2026-11,encounter,1\n2026-W48,encounter,1\n2026,encounter,1\n").is_ok());
}

#[test]
fn values_must_be_whole_numbers_zero_or_more() {
    check(
        "period,measure,nationality,value\n2023-01,encounter,VEN,-3\n2023-01,encounter,COL,2.5\n\
         2023-01,encounter,ECU,\n2023-01,encounter,HTI,many\n2023-01,encounter,CUB,99999999999999999999999\n",
        &[
            (2, Some("value"), "negative"),
            (3, Some("value"), "not a whole number"),
            (4, Some("value"), "empty"),
            (5, Some("value"), "`many` is not a number"),
            (6, Some("value"), "not a whole number"),
        ],
    );
    let observations = read(
        "period,measure,nationality,value\n2023-01,encounter,VEN,0\n2023-01,encounter,COL,12.0\n",
    )
    .unwrap();
    assert_eq!(
        observations.iter().map(|o| o.value).collect::<Vec<_>>(),
        vec![0, 12]
    );
}

#[test]
fn places_must_be_known_and_of_the_reporting_country() {
    check(
        "period,place,measure,value\n2023-08,PA-XYZ,encounter,1\n2023-08,CR-NI-PB,encounter,1\n2023-08,pa erm,encounter,1\n2023-08,PA-XYZ,encounter,2\n",
        &[
            (2, Some("place"), "unknown place `PA-XYZ`"),
            (3, Some("place"), "place CR-NI-PB is in CRI, not in PAN"),
            (4, Some("place"), "not a place code"),
            (5, Some("place"), "unknown place `PA-XYZ`"),
        ],
    );
}

#[test]
fn the_same_key_twice_names_both_lines() {
    check(
        "period,place,measure,nationality,value\n2023-08,PA-ERM-LB,encounter,VEN,1\n2023-08,PA-ERM-SV,encounter,VEN,1\n2023-08,PA-ERM-LB,encounter,ven,2\n",
        &[(4, None, "line 2 and line 4 give the same value: country PAN, period 2023-08, place PA-ERM-LB, measure encounter, nationality VEN")],
    );
}

#[test]
fn a_country_column_must_be_the_importing_country() {
    check(
        "country,period,measure,value\nPAN,2023-08,encounter,1\nCRI,2023-08,encounter,1\n,2023-09,encounter,1\nXYZ,2023-10,encounter,1\n",
        &[
            (3, Some("country"), "reported by CRI, but the file is imported by PAN"),
            (5, Some("country"), "`XYZ` is not an ISO 3166-1"),
        ],
    );
}

#[test]
fn a_restore_for_no_country_needs_the_country_on_every_row() {
    check_as(
        "period,measure,value\n2023-08,encounter,1\n",
        None,
        &[(1, Some("country"), "required column `country`")],
    );
    check_as(
        "country,period,place,measure,value\nPAN,2023-08,PA-BCH,encounter,1\n,2023-08,,encounter,1\nCRI,2023-08,PA-BCH,encounter,1\n",
        None,
        &[
            (3, Some("country"), "the country is empty"),
            (4, Some("place"), "place PA-BCH is in PAN, not in CRI"),
        ],
    );
    let observations = read_as(
        "country,period,measure,value\nPAN,2023-08,encounter,1\nCRI,2023-08,encounter,1\n",
        None,
        Format::Auto,
    )
    .unwrap();
    assert_eq!(observations[1].key.country, country("CRI"));
}

#[test]
fn an_empty_file_or_a_header_alone_is_refused() {
    check("", &[(0, None, "the file is empty")]);
    check("\n\n", &[(0, None, "the file is empty")]);
    check(&format!("{HEADER}\n"), &[(1, None, "no rows")]);
}

#[test]
fn ragged_rows_and_invalid_utf8_are_refused_with_their_line() {
    check(
        "period,measure,value,source\n2023-08,encounter,1\n2023-09,encounter,1,a,b\n2023-10,encounter,1,ok\n",
        &[(2, None, "3 cells but the header has 4"), (3, None, "5 cells")],
    );
    let places = places();
    let context = ImportContext {
        country: Some(country("PAN")),
        today: today(),
        places: &places,
    };
    let bytes = b"period,measure,value,source\n2023-08,encounter,1,SNM Panam\xe1\n2023-08,encount\xe9r,1,\n";
    let problems = read_observations(&bytes[..], "latin1.csv", Format::Auto, &context).unwrap_err();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(
        (problems[0].line, problems[0].column.as_deref()),
        (2, Some("source"))
    );
    assert!(
        problems[0].reason.contains("not valid UTF-8"),
        "{}",
        problems[0]
    );
    assert_eq!(
        (problems[1].line, problems[1].column.as_deref()),
        (3, Some("measure"))
    );
    assert!(
        problems[1].reason.contains("not valid UTF-8"),
        "{}",
        problems[1]
    );
}

#[test]
fn lines_are_physical_lines_even_with_quoted_line_breaks() {
    check(
        "period,measure,value,source\n2023-08,encounter,1,\"two\nlines\"\n2023-08,encounter,-1,x\n",
        &[(4, Some("value"), "negative")],
    );
}

#[test]
fn a_byte_order_mark_before_the_header_is_ignored() {
    assert_eq!(
        read("\u{feff}period,measure,value\n2023-08,encounter,1\n")
            .unwrap()
            .len(),
        1
    );
}

const HXL_LONG: &str = "Periodo,Lugar,Medida,Nacionalidad,Sexo,Edad,Vulnerabilidad,Valor,Fuente\n\
#date,#loc+code,#indicator+code,#country+code+origin,#group+sex,#group+age,#group+vulnerability,#indicator+value+num,#meta+source\n\
2023-08,PA-ERM-LB,irregular_entry,VEN,,,,41234,SNM\n\
2023-08,PA-ERM-LB,irregular_entry,HTI,m,18+,,900,SNM\n";

#[test]
fn hxl_long_form_is_matched_by_hashtag_not_by_header_text() {
    let observations = read(HXL_LONG).unwrap();
    assert_eq!(observations.len(), 2);
    assert_eq!(observations[1].key.breakdown.sex, Some(Sex::Male));
    assert_eq!(observations[1].value, 900);
    // The same columns shuffled, with the attributes in another order and an untagged column.
    let shuffled = "notes,Valor,Medida,Fecha\n,#indicator +num+value,#Indicator+Code,#date+reported\nfine,5,encounter,2023-08\n";
    assert_eq!(read(shuffled).unwrap()[0].value, 5);
}

#[test]
fn hxl_line_numbers_count_the_header_and_hashtag_rows() {
    let file = HXL_LONG.replace("900", "-900");
    check(&file, &[(4, Some("#indicator+value+num"), "negative")]);
}

#[test]
fn the_hashtag_row_may_sit_below_several_header_rows() {
    let file = "Informe semanal,,\nPeriodo,Medida,Valor\n#date,#indicator+code,#indicator+value+num\n2023-W33,encounter,10\n2023-W34,encounter,x\n";
    check(file, &[(5, Some("#indicator+value+num"), "not a number")]);
}

/// The breakdown a wide-form cell carries and its count.
type Cell = (Option<Sex>, Option<AgeGroup>, Option<Vulnerability>, u64);

#[test]
fn hxl_wide_form_makes_one_observation_per_count_cell() {
    let file = "Fecha,Lugar,Medida,Total,Mujeres,Hombres,Niñas,No acompañados\n\
#date,#loc+code,#indicator+code,#affected+migrants,#affected+f,#affected+m,#affected+f+children,#affected+unaccompanied\n\
2023-08,PA-ERM-LB,irregular_entry,100,40,60,15,\n";
    let observations = read(file).unwrap();
    let got: Vec<Cell> = observations
        .iter()
        .map(|o| {
            let b = o.key.breakdown;
            (b.sex, b.age_group, b.vulnerability, o.value)
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (None, None, None, 100),
            (Some(Sex::Female), None, None, 40),
            (Some(Sex::Male), None, None, 60),
            (Some(Sex::Female), Some(AgeGroup::Age0To17), None, 15),
        ]
    );
}

#[test]
fn an_hxl_column_corredor_cannot_map_is_named() {
    check(
        "#date,#indicator+code,#affected+hh,#adm1+name,#indicator+value+num\n2023-08,encounter,3,Darién,1\n",
        &[
            (1, Some("#affected+hh"), "cannot map the attribute `+hh`"),
            (1, Some("#adm1+name"), "cannot map this column"),
        ],
    );
    check(
        "#date,#indicator+code,#affected+f,#indicator+value+num\n2023-08,encounter,3,1\n",
        &[(
            1,
            Some("#indicator+value+num"),
            "both a value column and count columns (`#affected+f`)",
        )],
    );
    check(
        "#date,#indicator+code,#affected+f,#inneed+f\n2023-08,encounter,3,4\n",
        &[(1, Some("#inneed+f"), "same breakdown as column 3")],
    );
}

#[test]
fn an_hxl_file_without_its_required_hashtags_names_them() {
    check(
        "#date,#indicator+value+num\n2023-08,1\n",
        &[(1, Some("measure"), "#indicator+code (measure)")],
    );
}

#[test]
fn a_forced_format_overrides_detection() {
    let problems = read_as(HXL_LONG, Some("PAN"), Format::Csv).unwrap_err();
    assert!(
        problems[0].reason.contains("unknown column `Periodo`"),
        "{}",
        problems[0]
    );
    let problems = read_as(
        "period,measure,value\n2023-08,encounter,1\n",
        Some("PAN"),
        Format::Hxl,
    )
    .unwrap_err();
    assert!(
        problems[0].reason.contains("no HXL hashtag row"),
        "{}",
        problems[0]
    );
}

#[test]
fn a_revision_history_is_not_imported_as_values() {
    check(
        "period,measure,value,revision,submitted_by,submitted_at\n2023-08,encounter,1,1,ana,2023-09-01T00:00:00Z\n",
        &[
            (1, Some("revision"), "revision history"),
            (1, Some("submitted_by"), "revision history"),
            (1, Some("submitted_at"), "revision history"),
        ],
    );
}

#[test]
fn the_list_of_problems_is_capped_with_a_count_of_the_rest() {
    let mut file = String::from("period,measure,value\n");
    for _ in 0..MAX_PROBLEMS + 5 {
        file.push_str("2023-08,encounter,-1\n");
    }
    let problems = read(&file).unwrap_err();
    assert_eq!(problems.len(), MAX_PROBLEMS + 1);
    assert!(
        problems[MAX_PROBLEMS].reason.starts_with("5 more problems"),
        "{}",
        problems[MAX_PROBLEMS]
    );
}

#[test]
fn progress_reports_the_bytes_read() {
    let mut file = String::from("period,measure,nationality,value\n");
    let nationalities = ["VEN", "COL", "ECU", "HTI", "CUB", "CHN", "PER", "CHL"];
    for year in 2023..=2025 {
        for month in 1..=12 {
            for day in 1..=28 {
                for n in nationalities {
                    file.push_str(&format!("{year}-{month:02}-{day:02},encounter,{n},{day}\n"));
                }
            }
        }
    }
    let places = places();
    let context = ImportContext {
        country: Some(country("PAN")),
        today: today(),
        places: &places,
    };
    let mut reports = Vec::new();
    let observations = read_observations_with_progress(
        file.as_bytes(),
        "f.csv",
        Format::Auto,
        &context,
        &mut |bytes| reports.push(bytes),
    )
    .unwrap();
    assert_eq!(observations.len(), 3 * 12 * 28 * 8);
    assert!(reports.len() >= 2, "{reports:?}");
    assert!(reports.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(reports.last().copied(), Some(file.len() as u64));
}

#[test]
fn the_fast_period_parser_agrees_with_the_core_parser() {
    let cases = [
        "2023",
        "1899",
        "1900",
        "9999",
        "0000",
        "2023-01",
        "2023-12",
        "2023-13",
        "2023-00",
        "2023-W01",
        "2023-w33",
        "2023-W53",
        "2020-W53",
        "2023-W00",
        "2023-08-14",
        "2024-02-29",
        "2023-02-29",
        "2023-8",
        "2023-W3",
        "2023/08",
        "20230814",
        "2023-08-1",
        "1899-W01",
        "1899-12-31",
        "abcd",
        "2023-",
        "2023-Wxx",
        "2023-0a",
        "",
    ];
    for raw in cases {
        assert_eq!(
            parse_period(raw.as_bytes()),
            Period::parse(raw).ok(),
            "{raw}"
        );
    }
}

#[test]
fn a_wide_table_of_the_darien_august_2023_breakdown_adds_up_to_the_published_total() {
    // SNM Panamá, August 2023: men, women, boys, girls (shared/data/real/darien-panama-snm).
    let file = "Mes,Medida,Hombres,Mujeres,Niños,Niñas\n\
#date,#indicator+code,#affected+m+adults,#affected+f+adults,#affected+m+children,#affected+f+children\n\
2023-08,irregular_entry,41632,21326,10355,8633\n";
    let observations = read(file).unwrap();
    assert_eq!(observations.len(), 4);
    assert_eq!(observations.iter().map(|o| o.value).sum::<u64>(), 81_946);
    let girls = &observations[3].key.breakdown;
    assert_eq!(
        (girls.sex, girls.age_group),
        (Some(Sex::Female), Some(AgeGroup::Age0To17))
    );
}

#[test]
fn an_hxl_country_column_must_be_the_importing_country() {
    check(
        "#country+code,#date,#indicator+code,#indicator+value+num\nPAN,2023-08,encounter,1\nCRI,2023-08,encounter,1\n",
        &[(3, Some("#country+code"), "reported by CRI, but the file is imported by PAN")],
    );
}

#[test]
fn the_same_key_in_two_rows_of_a_wide_table_names_both_lines() {
    check(
        "#date,#indicator+code,#affected+f,#affected+m\n2023-08,encounter,1,2\n2023-08,encounter,,3\n",
        &[(3, None, "line 2 and line 3 give the same value: country PAN, period 2023-08, measure encounter, sex m")],
    );
}
