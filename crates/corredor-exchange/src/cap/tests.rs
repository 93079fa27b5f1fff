//! The shared rules, case by case, through one `check` helper per rule.

use super::rules::{
    check_language, check_token, parse_circle, parse_polygon, parse_references, parse_time,
};

/// Runs `rule` on each input and compares with the expected outcome: `Ok` or the error text.
fn check<T: std::fmt::Debug>(
    rule: impl Fn(&str) -> Result<T, String>,
    cases: &[(&str, Result<&str, &str>)],
) {
    for (input, expected) in cases {
        let got = rule(input).map(|value| format!("{value:?}"));
        match (expected, &got) {
            (Ok(want), Ok(have)) if have == want => {}
            (Err(want), Err(have)) if have.contains(want) => {}
            _ => panic!("{input:?}: expected {expected:?}, got {got:?}"),
        }
    }
}

#[test]
fn times_need_whole_seconds_and_an_explicit_offset() {
    check(
        parse_time,
        &[
            ("2023-08-14T09:30:00-05:00", Ok("2023-08-14T09:30:00-05:00")),
            ("2013-01-05T09:01:16-00:00", Ok("2013-01-05T09:01:16+00:00")),
            ("2023-08-14T14:30:00Z", Err("forbids 'Z'")),
            ("2023-08-14T09:30:00.5-05:00", Err("is not a CAP time")),
            ("2023-08-14 09:30:00-05:00", Err("is not a CAP time")),
            ("2023-02-30T09:30:00-05:00", Err("is not a valid time")),
        ],
    );
}

#[test]
fn identifiers_refuse_spaces_commas_and_markup() {
    check(
        |t| check_token(t).map(|()| t.to_owned()),
        &[
            ("PA-2023-0814-01", Ok("\"PA-2023-0814-01\"")),
            ("focal.pan@corredor.rcm", Ok("\"focal.pan@corredor.rcm\"")),
            ("", Err("must not be empty")),
            ("PA 01", Err("' '")),
            ("PA,01", Err("','")),
            ("PA<01", Err("'<'")),
            ("PA&01", Err("'&'")),
        ],
    );
}

#[test]
fn polygons_are_closed_rings_of_four_points_or_more_inside_the_globe() {
    check(parse_polygon, &[
        ("8.66,-77.98 8.66,-77.6 8.3,-77.6 8.66,-77.98", Ok("[CapPoint { lat: 8.66, lon: -77.98 }, CapPoint { lat: 8.66, lon: -77.6 }, CapPoint { lat: 8.3, lon: -77.6 }, CapPoint { lat: 8.66, lon: -77.98 }]")),
        ("8.66,-77.98 8.66,-77.6 8.66,-77.98", Err("at least 4 points")),
        ("8.66,-77.98 8.66,-77.6 8.3,-77.6 8.3,-77.98", Err("must be closed")),
        ("95,-77.98 8.66,-77.6 8.3,-77.6 95,-77.98", Err("latitude 95 is outside")),
        ("8.66,-187 8.66,-77.6 8.3,-77.6 8.66,-187", Err("longitude -187 is outside")),
        ("8.66;-77.98 8.66,-77.6 8.3,-77.6 8.66;-77.98", Err("is not a point")),
    ]);
}

#[test]
fn circles_hold_a_point_and_a_radius_in_kilometres() {
    check(parse_circle, &[
        ("8.4825,-77.8425 15", Ok("CapCircle { center: CapPoint { lat: 8.4825, lon: -77.8425 }, radius_km: 15.0 }")),
        ("55.3,-134.9 0.0", Ok("CapCircle { center: CapPoint { lat: 55.3, lon: -134.9 }, radius_km: 0.0 }")),
        ("8.4825,-77.8425", Err("is not a circle")),
        ("8.4825,-77.8425 -1", Err("zero or more")),
        ("NaN,-77.8425 1", Err("latitude NaN")),
        ("8.4825,-77.8425 inf", Err("radius inf")),
    ]);
}

#[test]
fn references_are_space_separated_triples() {
    check(parse_references, &[
        ("", Ok("[]")),
        ("a@b,ID-1,2023-08-14T09:30:00-05:00", Ok("[CapReference { sender: \"a@b\", identifier: \"ID-1\", sent: 2023-08-14T09:30:00-05:00 }]")),
        ("a@b,ID-1", Err("is not a reference")),
        ("a@b,ID-1,2023-08-14T14:30:00Z", Err("forbids 'Z'")),
    ]);
}

#[test]
fn language_tags_follow_xs_language() {
    check(
        |t| check_language(t).map(|()| t.to_owned()),
        &[
            ("es-419", Ok("\"es-419\"")),
            ("en-US", Ok("\"en-US\"")),
            ("es", Ok("\"es\"")),
            ("español", Err("is not a language tag")),
            ("es_419", Err("is not a language tag")),
            ("", Err("is not a language tag")),
        ],
    );
}
