//! Small helpers shared by the SVG writers.

use std::fmt::Write;

/// A coordinate in SVG units, rounded to one decimal: a tenth of a unit is far below what a
/// screen shows at the sizes corredor draws, and shorter numbers keep the files small.
pub(crate) fn coordinate(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    // `-0.0` would print as "-0".
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    if rounded.fract() == 0.0 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded:.1}")
    }
}

/// Appends `x y` to a path or points list, separated by a space from what precedes it.
pub(crate) fn push_point(out: &mut String, x: f64, y: f64) {
    if !out.is_empty() && !out.ends_with(['M', 'L']) {
        out.push(' ');
    }
    let _ = write!(out, "{} {}", coordinate(x), coordinate(y));
}

/// The Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2008), which readers with
/// any common form of colour-blindness can tell apart, in an order that keeps the colours of
/// the first series far apart; yellow is left out for its low contrast on white. Each colour
/// has its own dash pattern too, so the lines stay distinct in grey print.
pub(crate) const SERIES_STYLES: [(&str, Option<&str>); 7] = [
    ("#0072B2", None),
    ("#D55E00", Some("7 3")),
    ("#009E73", Some("2 2.5")),
    ("#CC79A7", Some("9 3 2 3")),
    ("#E69F00", Some("14 4")),
    ("#56B4E9", Some("4 2 1 2")),
    ("#000000", Some("1 3")),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_have_at_most_one_decimal() {
        assert_eq!(coordinate(12.0), "12");
        assert_eq!(coordinate(12.04), "12");
        assert_eq!(coordinate(12.06), "12.1");
        assert_eq!(coordinate(-0.01), "0");
        assert_eq!(coordinate(-3.25), "-3.3");
    }

    #[test]
    fn points_are_separated_by_spaces() {
        let mut path = String::from("M");
        push_point(&mut path, 1.0, 2.0);
        path.push('L');
        push_point(&mut path, 3.0, 4.5);
        push_point(&mut path, 5.0, 6.0);
        assert_eq!(path, "M1 2L3 4.5 5 6");
    }
}
