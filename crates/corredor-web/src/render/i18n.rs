//! Translations: the pages' words in Spanish and English, from Fluent files embedded in the
//! binary (`locales/{en,es}/main.ftl`).
//!
//! Numbers passed as [`Arg::Count`] are formatted by
//! [`crate::render::format`](mod@crate::render::format) rather than by Fluent, whose number
//! formatting has no digit grouping; Fluent still sees the number, so plural selection
//! (`[one]`/`*[other]`) works.

use std::collections::BTreeSet;
use std::fmt;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::types::{FluentNumber, FluentNumberOptions};
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast::Entry;
use unic_langid::LanguageIdentifier;

use crate::render::format::format_count;
use crate::render::RenderError;

const ENGLISH_FTL: &str = include_str!("../../locales/en/main.ftl");
const SPANISH_FTL: &str = include_str!("../../locales/es/main.ftl");

/// A language of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    En,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Es, Lang::En];

    /// The BCP 47 tag, for `<html lang>` and `?lang=`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// `es`, `en`, or a tag of either (`es-PA`, `en_US`), case-insensitive.
    pub fn parse(raw: &str) -> Option<Lang> {
        let primary = raw
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "es" => Some(Lang::Es),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language of a request: an explicit `?lang=es|en` wins; otherwise the browser's
    /// `Accept-Language` (the supported language with the highest quality, ties to the one
    /// listed first); otherwise Spanish.
    ///
    /// Spanish is the default because it is the working language of most of the corridor's
    /// countries and of most people who read these pages; English is chosen only when the
    /// browser asks for it (with a higher preference than any Spanish it also lists). An
    /// unknown `?lang=` value is ignored rather than rejected, so a mistyped link still shows
    /// the page.
    pub fn from_query_or_accept(query: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(lang) = query.and_then(Lang::parse) {
            return lang;
        }
        accept_language.and_then(best_accepted).unwrap_or(Lang::Es)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Reads an `Accept-Language` header (RFC 9110 §12.5.4): comma-separated language ranges,
/// each with an optional `;q=` weight (default 1, 0 meaning "not acceptable"). Malformed
/// parts are skipped, because a header is outside input that must never fail a page.
fn best_accepted(header: &str) -> Option<Lang> {
    let mut best: Option<(Lang, f32)> = None;
    for part in header.split(',').take(32) {
        let mut pieces = part.split(';');
        let Some(lang) = pieces.next().and_then(Lang::parse) else {
            continue;
        };
        let mut quality = 1.0_f32;
        for parameter in pieces {
            if let Some(value) = parameter.trim().strip_prefix("q=") {
                quality = value.trim().parse().unwrap_or(0.0);
            }
        }
        if !(quality > 0.0 && quality <= 1.0) {
            continue;
        }
        if best.is_none_or(|(_, q)| quality > q) {
            best = Some((lang, quality));
        }
    }
    best.map(|(lang, _)| lang)
}

/// An argument of a message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arg<'a> {
    /// Text, inserted as it is (the HTML templates escape it).
    Text(&'a str),
    /// A count: grouped by language (1,234 / 1 234) and used for plural selection.
    Count(u64),
}

/// Both languages' messages. Build once at start-up ([`Translator::new`]) and share it
/// (it is `Send + Sync`).
pub struct Translator {
    english: FluentBundle<FluentResource>,
    spanish: FluentBundle<FluentResource>,
}

impl fmt::Debug for Translator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Translator { en, es }")
    }
}

impl Translator {
    /// Parses the embedded message files. Fails only if a file does not parse or the two
    /// files do not have the same messages, which the tests rule out.
    pub fn new() -> Result<Translator, RenderError> {
        check_catalogues(ENGLISH_FTL, SPANISH_FTL)?;
        Ok(Translator {
            english: bundle(Lang::En, ENGLISH_FTL)?,
            spanish: bundle(Lang::Es, SPANISH_FTL)?,
        })
    }

    /// The message `id` in `lang`. A missing id or argument yields the id itself, so a page
    /// still renders; in tests it panics instead, so every rendering test catches it.
    pub fn get(&self, lang: Lang, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        match self.try_get(lang, id, args) {
            Ok(text) => text,
            Err(error) => {
                if cfg!(test) {
                    panic!("{error}");
                }
                id.to_owned()
            }
        }
    }

    /// The message `id` in `lang`, or why it cannot be formatted.
    pub fn try_get(
        &self,
        lang: Lang,
        id: &str,
        args: &[(&str, Arg<'_>)],
    ) -> Result<String, RenderError> {
        let bundle = match lang {
            Lang::En => &self.english,
            Lang::Es => &self.spanish,
        };
        let pattern = bundle
            .get_message(id)
            .and_then(|message| message.value())
            .ok_or_else(|| RenderError::MissingMessage {
                lang,
                id: id.to_owned(),
            })?;
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            let value = match *value {
                Arg::Text(text) => FluentValue::from(text),
                Arg::Count(count) => FluentValue::Number(FluentNumber::new(
                    count as f64,
                    FluentNumberOptions::default(),
                )),
            };
            fluent_args.set(*name, value);
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        if errors.is_empty() {
            Ok(text.into_owned())
        } else {
            Err(RenderError::MessageFormat {
                lang,
                id: id.to_owned(),
                reason: errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            })
        }
    }

    /// The name of a measure, e.g. "Irregular entries" / "Ingresos irregulares".
    pub fn measure(&self, lang: Lang, measure: corredor_core::Measure) -> String {
        self.get(lang, &format!("measure-{}", measure.code()), &[])
    }
}

fn bundle(lang: Lang, source: &str) -> Result<FluentBundle<FluentResource>, RenderError> {
    let resource = parse_resource(lang, source)?;
    let tag: LanguageIdentifier = lang
        .code()
        .parse()
        .expect("en and es are valid BCP 47 tags");
    let mut bundle = FluentBundle::new_concurrent(vec![tag]);
    // The pages set `lang` on their elements and are left-to-right throughout, so Unicode
    // isolation marks around arguments would only add invisible characters to copy-paste.
    bundle.set_use_isolating(false);
    // Fluent's own number formatting does not group digits; counts get the language's format.
    bundle.set_formatter(Some(match lang {
        Lang::En => |value, _| count_of(value).map(|count| format_count(Lang::En, count)),
        Lang::Es => |value, _| count_of(value).map(|count| format_count(Lang::Es, count)),
    }));
    bundle
        .add_resource(resource)
        .map_err(|errors| RenderError::Catalogue {
            lang,
            problems: errors.iter().map(ToString::to_string).collect(),
        })?;
    Ok(bundle)
}

fn count_of(value: &FluentValue<'_>) -> Option<u64> {
    match value {
        FluentValue::Number(number)
            if number.value >= 0.0
                && number.value.fract() == 0.0
                && number.value <= u64::MAX as f64 =>
        {
            Some(number.value as u64)
        }
        _ => None,
    }
}

fn parse_resource(lang: Lang, source: &str) -> Result<FluentResource, RenderError> {
    FluentResource::try_new(source.to_owned()).map_err(|(_, errors)| RenderError::Catalogue {
        lang,
        problems: errors
            .iter()
            .map(|error| {
                let line = source[..error.pos.start.min(source.len())].lines().count();
                format!("line {line}: {}", error.kind)
            })
            .collect(),
    })
}

/// The ids of the messages of a Fluent file.
pub fn message_ids(lang: Lang, source: &str) -> Result<BTreeSet<String>, RenderError> {
    let resource = parse_resource(lang, source)?;
    Ok(resource
        .entries()
        .filter_map(|entry| match entry {
            Entry::Message(message) => Some(message.id.name.to_owned()),
            _ => None,
        })
        .collect())
}

/// Checks that both languages parse and define the same messages; the error lists every id
/// that one language has and the other lacks.
pub fn check_catalogues(english: &str, spanish: &str) -> Result<(), RenderError> {
    let english_ids = message_ids(Lang::En, english)?;
    let spanish_ids = message_ids(Lang::Es, spanish)?;
    let mut problems = Vec::new();
    for id in english_ids.difference(&spanish_ids) {
        problems.push(format!("`{id}` is in English but not in Spanish"));
    }
    for id in spanish_ids.difference(&english_ids) {
        problems.push(format!("`{id}` is in Spanish but not in English"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(RenderError::CataloguesDiffer { problems })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translator() -> Translator {
        Translator::new().expect("the embedded catalogues parse and agree")
    }

    #[test]
    fn every_message_exists_in_both_languages() {
        check_catalogues(ENGLISH_FTL, SPANISH_FTL).unwrap();
        let ids = message_ids(Lang::En, ENGLISH_FTL).unwrap();
        assert!(ids.len() > 60, "{}", ids.len());
        let translator = translator();
        for id in &ids {
            for lang in Lang::ALL {
                let args = [
                    ("measure", Arg::Text("x")),
                    ("country", Arg::Text("x")),
                    ("count", Arg::Count(2)),
                    ("from", Arg::Text("x")),
                    ("to", Arg::Text("x")),
                    ("route", Arg::Text("x")),
                    ("period", Arg::Text("x")),
                    ("value", Arg::Text("x")),
                    ("series", Arg::Text("x")),
                    ("reason", Arg::Text("x")),
                    ("request_id", Arg::Text("x")),
                ];
                let text = translator.try_get(lang, id, &args).unwrap();
                assert!(!text.trim().is_empty(), "{lang} {id}");
            }
        }
    }

    #[test]
    fn a_message_missing_in_one_language_is_caught() {
        let english = "a = A\nb = B\n";
        let spanish = "a = A\nc = C\n";
        let error = check_catalogues(english, spanish).unwrap_err().to_string();
        assert!(
            error.contains("`b` is in English but not in Spanish"),
            "{error}"
        );
        assert!(
            error.contains("`c` is in Spanish but not in English"),
            "{error}"
        );
        let error = translator()
            .try_get(Lang::Es, "no-such-message", &[])
            .unwrap_err();
        assert!(error.to_string().contains("no-such-message"), "{error}");
    }

    #[test]
    fn a_catalogue_that_does_not_parse_is_reported_with_its_line() {
        let error = message_ids(Lang::Es, "a = A\n\nb = { $x\n").unwrap_err();
        assert!(error.to_string().contains("line 3"), "{error}");
    }

    #[test]
    fn messages_take_counts_grouped_by_language_and_choose_the_plural() {
        let translator = translator();
        let args = |count| {
            [
                ("measure", Arg::Text("encounters")),
                ("country", Arg::Text("Mexico")),
                ("count", Arg::Count(count)),
                ("from", Arg::Text("2021")),
                ("to", Arg::Text("2024")),
            ]
        };
        let one = translator.get(Lang::En, "picture-trend-chart-description", &args(1));
        assert!(one.contains("for the top nationality,"), "{one}");
        let five = translator.get(Lang::Es, "picture-trend-chart-description", &args(5));
        assert!(five.contains("las 5 nacionalidades principales"), "{five}");
        let big = translator.get(
            Lang::En,
            "chart-signal-title",
            &[
                ("period", Arg::Text("2023-08")),
                ("value", Arg::Count(82_000)),
            ],
        );
        assert_eq!(big, "Signal: 2023-08, 82,000");
        let big = translator.get(
            Lang::Es,
            "chart-signal-title",
            &[
                ("period", Arg::Text("2023-08")),
                ("value", Arg::Count(82_000)),
            ],
        );
        assert_eq!(big, "Señal: 2023-08, 82\u{202F}000");
    }

    #[test]
    fn measure_names_are_translated_for_every_measure() {
        let translator = translator();
        for measure in corredor_core::Measure::ALL {
            let english = translator.measure(Lang::En, *measure);
            let spanish = translator.measure(Lang::Es, *measure);
            assert_ne!(english, spanish, "{measure}");
        }
        assert_eq!(
            translator.measure(Lang::Es, corredor_core::Measure::Stranded),
            "Personas varadas"
        );
    }

    #[test]
    fn no_message_calls_a_person_illegal() {
        for source in [ENGLISH_FTL, SPANISH_FTL] {
            let lower = source.to_lowercase();
            assert!(!lower.contains("illegal") && !lower.contains("ilegal"));
        }
    }

    #[test]
    fn the_language_comes_from_the_query_then_the_browser_then_spanish() {
        let cases = [
            (Some("en"), Some("es-PA,es;q=0.9"), Lang::En),
            (Some("ES"), Some("en-US"), Lang::Es),
            (Some("fr"), Some("en-US,en;q=0.9"), Lang::En),
            (None, Some("en-US,en;q=0.9,es;q=0.8"), Lang::En),
            (None, Some("en;q=0.5, es-MX;q=0.8"), Lang::Es),
            (None, Some("fr-FR,fr;q=0.9"), Lang::Es),
            (None, Some("de, en;q=0"), Lang::Es),
            (None, Some(";;;,q=,en;q=abc"), Lang::Es),
            (None, Some("pt-BR, en-GB;q=0.7, es;q=0.7"), Lang::En),
            (None, None, Lang::Es),
            (Some(""), None, Lang::Es),
        ];
        for (query, accept, expected) in cases {
            assert_eq!(
                Lang::from_query_or_accept(query, accept),
                expected,
                "{query:?} {accept:?}"
            );
        }
    }
}
