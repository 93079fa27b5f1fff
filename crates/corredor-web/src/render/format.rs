//! Numbers and periods written for a reader, per language.
//!
//! English groups digits with a comma (1,234,567) and writes decimals with a point.
//!
//! Spanish groups digits with a narrow no-break space (1 234 567) and writes decimals with a
//! point, as the Ortografía de la lengua española (RAE and ASALE, 2010, §4.2.2.1) recommends;
//! four-digit numbers are not grouped (2024, 1234). The corridor's countries disagree on the
//! separators: Mexico, Central America and Panama write 1,234.5, Colombia and Costa Rica
//! 1.234,5. A dot or a comma would be misread by half of the readers; a space cannot be.

use chrono::{Datelike, NaiveDate};
use corredor_core::Period;

use crate::render::i18n::Lang;

/// The narrow no-break space (U+202F) that groups digits in Spanish.
pub const SPANISH_GROUP_SEPARATOR: char = '\u{202F}';

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTHS_ES: [&str; 12] = [
    "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
];

/// A count with the language's digit grouping: `1,234,567` / `1 234 567`.
pub fn format_count(lang: Lang, count: u64) -> String {
    let digits = count.to_string();
    let separator = match lang {
        Lang::En => ',',
        Lang::Es if digits.len() <= 4 => return digits,
        Lang::Es => SPANISH_GROUP_SEPARATOR,
    };
    group(&digits, separator)
}

/// A number (possibly negative or fractional) rounded to `decimals` places, grouped like
/// [`format_count`]. Non-finite values are written as an en dash, meaning "no value".
pub fn format_number(lang: Lang, value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "–".to_owned();
    }
    let text = format!("{:.*}", decimals, value.abs());
    let (integer, fraction) = match text.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (text.as_str(), None),
    };
    let grouped = match lang {
        Lang::En => group(integer, ','),
        Lang::Es if integer.len() <= 4 => integer.to_owned(),
        Lang::Es => group(integer, SPANISH_GROUP_SEPARATOR),
    };
    let negative = value < 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0');
    let sign = if negative { "−" } else { "" };
    match fraction {
        Some(fraction) => format!("{sign}{grouped}.{fraction}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A relative change from `before` to `now` as a signed whole percentage: `+12%` / `+12 %`
/// (Spanish puts a space before the sign, RAE Ortografía §8.2.2). `None` when `before` is 0.
pub fn format_change(lang: Lang, now: u64, before: u64) -> Option<String> {
    if before == 0 {
        return None;
    }
    let change = (now as f64 - before as f64) / before as f64 * 100.0;
    let rounded = change.round();
    let sign = if rounded > 0.0 {
        "+"
    } else if rounded < 0.0 {
        "−"
    } else {
        ""
    };
    let magnitude = format_number(lang, rounded.abs(), 0);
    Some(match lang {
        Lang::En => format!("{sign}{magnitude}%"),
        Lang::Es => format!("{sign}{magnitude}\u{00A0}%"),
    })
}

/// The short name of a month (1–12): `Aug` / `ago`.
pub fn month_short(lang: Lang, month: u32) -> &'static str {
    let index = (month.clamp(1, 12) - 1) as usize;
    match lang {
        Lang::En => MONTHS_EN[index],
        Lang::Es => MONTHS_ES[index],
    }
}

/// A period for a reader: `Aug 2023` / `ago 2023`, `14 Aug 2023`, `week 33 of 2023` /
/// `semana 33 de 2023`, `2023`.
pub fn format_period(lang: Lang, period: &Period) -> String {
    match *period {
        Period::Day(date) => format_date(lang, date),
        Period::Week { year, week } => match lang {
            Lang::En => format!("week {week} of {year}"),
            Lang::Es => format!("semana {week} de {year}"),
        },
        Period::Month { year, month } => format!("{} {year}", month_short(lang, month)),
        Period::Year(year) => year.to_string(),
    }
}

/// A date for a reader: `14 Aug 2023` / `14 ago 2023`.
pub fn format_date(lang: Lang, date: NaiveDate) -> String {
    format!(
        "{} {} {}",
        date.day(),
        month_short(lang, date.month()),
        date.year()
    )
}

fn group(digits: &str, separator: char) -> String {
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_language() {
        let cases = [
            (0, "0", "0"),
            (999, "999", "999"),
            (1_234, "1,234", "1234"),
            (12_345, "12,345", "12\u{202F}345"),
            (520_085, "520,085", "520\u{202F}085"),
            (1_234_567, "1,234,567", "1\u{202F}234\u{202F}567"),
            (
                u64::MAX,
                "18,446,744,073,709,551,615",
                "18\u{202F}446\u{202F}744\u{202F}073\u{202F}709\u{202F}551\u{202F}615",
            ),
        ];
        for (count, english, spanish) in cases {
            assert_eq!(format_count(Lang::En, count), english);
            assert_eq!(format_count(Lang::Es, count), spanish);
        }
    }

    #[test]
    fn numbers_keep_sign_and_decimals() {
        assert_eq!(format_number(Lang::En, 1234.56, 1), "1,234.6");
        assert_eq!(format_number(Lang::Es, 12345.5, 1), "12\u{202F}345.5");
        assert_eq!(format_number(Lang::En, -2500.0, 0), "−2,500");
        assert_eq!(format_number(Lang::En, -0.04, 1), "0.0");
        assert_eq!(format_number(Lang::En, f64::NAN, 0), "–");
        assert_eq!(format_number(Lang::En, f64::INFINITY, 0), "–");
    }

    #[test]
    fn changes_are_signed_percentages() {
        assert_eq!(format_change(Lang::En, 112, 100).unwrap(), "+12%");
        assert_eq!(format_change(Lang::Es, 50, 100).unwrap(), "−50\u{a0}%");
        assert_eq!(format_change(Lang::En, 100, 100).unwrap(), "0%");
        assert_eq!(format_change(Lang::En, 25_000, 100).unwrap(), "+24,900%");
        assert_eq!(format_change(Lang::En, 5, 0), None);
    }

    #[test]
    fn periods_are_written_in_words() {
        let month = Period::parse("2023-08").unwrap();
        assert_eq!(format_period(Lang::En, &month), "Aug 2023");
        assert_eq!(format_period(Lang::Es, &month), "ago 2023");
        let week = Period::parse("2023-W33").unwrap();
        assert_eq!(format_period(Lang::Es, &week), "semana 33 de 2023");
        let day = Period::parse("2023-08-14").unwrap();
        assert_eq!(format_period(Lang::En, &day), "14 Aug 2023");
        assert_eq!(
            format_period(Lang::Es, &Period::parse("2023").unwrap()),
            "2023"
        );
    }
}
