//! The situational picture, corredor's first page: the corridor on a map, the latest counts
//! per country and place, and the trend of the top nationalities, with tables that carry
//! the same numbers as the charts.

use corredor_app::Suppressed;
use corredor_core::{Measure, MeasureKind, Period};
use maud::{html, Markup};

use crate::render::chart::{line_chart, sparkline, ChartSeries, LineChart};
use crate::render::format::{format_change, format_count, format_period};
use crate::render::i18n::{Arg, Lang, Translator};
use crate::render::layout::{page, table, Column, Page, Row, Table};
use crate::render::map::{corridor_map, CorridorMap, CountryOutlines};

/// The data of the page, in the reader's language (names already translated).
#[derive(Debug, Clone, PartialEq)]
pub struct PictureView {
    /// The map, drawn when the outlines are given too.
    pub map: Option<CorridorMap>,
    /// The corridor's countries in route order.
    pub countries: Vec<CountryRow>,
    /// Places with a latest count.
    pub places: Vec<PlaceRow>,
    pub trends: Vec<TrendView>,
}

/// The latest count of a country of the corridor.
#[derive(Debug, Clone, PartialEq)]
pub struct CountryRow {
    pub name: String,
    /// What the country's count measures; `None` when it reports nothing yet.
    pub measure: Option<Measure>,
    /// The latest period and its count.
    pub latest: Option<(Period, u64)>,
    /// Why the latest count is not shown (observers, readers not signed in).
    pub latest_suppressed: Option<Suppressed>,
    /// The same period a year earlier.
    pub year_before: Option<u64>,
    pub year_before_suppressed: Option<Suppressed>,
    /// Typical days from the previous country of the route.
    pub transit_days_from_previous: Option<u16>,
}

/// The latest count at a place.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceRow {
    pub name: String,
    pub country: String,
    pub measure: Measure,
    pub latest: (Period, u64),
    /// Why the count is not shown (observers, readers not signed in).
    pub suppressed: Option<Suppressed>,
}

/// A trend chart of a country's top nationalities.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendView {
    /// Unique within the page (e.g. `trend-pan`).
    pub id: String,
    pub country: String,
    pub measure: Measure,
    /// One series per nationality, labelled with the nationality's name; monthly points.
    pub series: Vec<ChartSeries>,
    /// The counts may include the same person more than once (repeat crossings or
    /// encounters): the chart says "events, not people".
    pub events_not_people: bool,
}

/// The whole page.
pub fn situational_picture(
    translator: &Translator,
    frame: &Page<'_>,
    outlines: Option<&CountryOutlines>,
    view: &PictureView,
) -> Markup {
    page(
        translator,
        frame,
        picture_main(translator, frame.lang, outlines, view),
    )
}

/// The page's `main` content, for a handler that builds its own shell.
pub fn picture_main(
    translator: &Translator,
    lang: Lang,
    outlines: Option<&CountryOutlines>,
    view: &PictureView,
) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    let kinds: Vec<MeasureKind> = {
        let mut kinds: Vec<MeasureKind> = view
            .countries
            .iter()
            .filter_map(|c| c.measure)
            .chain(view.places.iter().map(|p| p.measure))
            .map(Measure::kind)
            .collect();
        // Flows first, then stocks, each explained once.
        kinds.sort_by_key(|k| *k == MeasureKind::Stock);
        kinds.dedup();
        kinds
    };
    html! {
        h1 { (t("picture-title")) }
        p class="lead" { (t("picture-intro")) }
        p class="note" {
            strong { (t("unit-events")) } ". " (t("unit-events-explanation"))
        }
        @if let (Some(map), Some(outlines)) = (&view.map, outlines) {
            section aria-labelledby="map-heading" {
                h2 id="map-heading" { (t("picture-map-heading")) }
                figure {
                    (corridor_map(translator, lang, outlines, map))
                    figcaption { (map.description) }
                }
            }
        }
        section aria-labelledby="latest-heading" {
            h2 id="latest-heading" { (t("picture-latest-heading")) }
            @if view.countries.is_empty() {
                p class="no-data" { (t("picture-no-corridor")) }
            } @else {
                (table(&countries_table(translator, lang, &view.countries)))
            }
            @if !view.places.is_empty() {
                (table(&places_table(translator, lang, &view.places)))
            }
            @for kind in &kinds {
                @let (word, explanation) = match kind {
                    MeasureKind::Flow => ("kind-flow", "kind-flow-explanation"),
                    MeasureKind::Stock => ("kind-stock", "kind-stock-explanation"),
                };
                p class="table-note" { strong { (t(word)) } ": " (t(explanation)) }
            }
        }
        section aria-labelledby="trend-heading" {
            h2 id="trend-heading" { (t("picture-trend-heading")) }
            @if view.trends.is_empty() {
                p class="no-data" { (t("no-data-explanation")) }
            }
            div class="charts" {
                @for trend in &view.trends {
                    (trend_figure(translator, lang, trend))
                }
            }
        }
    }
}

fn countries_table(translator: &Translator, lang: Lang, countries: &[CountryRow]) -> Table {
    let t = |id: &str| translator.get(lang, id, &[]);
    let no_data = || html! { span class="no-data" { (t("no-data")) } };
    Table {
        caption: t("picture-latest-by-country"),
        columns: vec![
            Column { header: t("table-country"), numeric: false },
            Column { header: t("table-measure"), numeric: false },
            Column { header: t("period-latest"), numeric: false },
            Column { header: t("table-count"), numeric: true },
            Column { header: t("period-year-before"), numeric: true },
            Column { header: t("period-change"), numeric: true },
            Column { header: t("table-transit-days"), numeric: true },
        ],
        rows: countries
            .iter()
            .map(|country| Row {
                header: html! { (country.name) },
                cells: vec![
                    match country.measure {
                        Some(measure) => html! { (translator.measure(lang, measure)) },
                        None => no_data(),
                    },
                    match &country.latest {
                        Some((period, _)) => html! { (format_period(lang, period)) },
                        None => no_data(),
                    },
                    match &country.latest {
                        Some((_, count)) => {
                            count_cell(translator, lang, *count, country.latest_suppressed)
                        }
                        None => no_data(),
                    },
                    match country.year_before {
                        Some(count) => {
                            count_cell(translator, lang, count, country.year_before_suppressed)
                        }
                        None => html! { "–" },
                    },
                    match (&country.latest, country.year_before) {
                        // A change computed from a suppressed count would give it back.
                        _ if country.latest_suppressed.is_some()
                            || country.year_before_suppressed.is_some() =>
                        {
                            html! { "–" }
                        }
                        (Some((_, now)), Some(before)) => {
                            html! { (format_change(lang, *now, before).unwrap_or_else(|| "–".to_owned())) }
                        }
                        _ => html! { "–" },
                    },
                    match country.transit_days_from_previous {
                        Some(days) => html! { (days) },
                        None => html! { "–" },
                    },
                ],
            })
            .collect(),
        note: Some(format!("{}: {}", t("unit-events"), t("unit-events-explanation"))),
        id: Some("latest-by-country".to_owned()),
    }
}

fn places_table(translator: &Translator, lang: Lang, places: &[PlaceRow]) -> Table {
    let t = |id: &str| translator.get(lang, id, &[]);
    Table {
        caption: t("picture-latest-by-place"),
        columns: vec![
            Column {
                header: t("table-place"),
                numeric: false,
            },
            Column {
                header: t("table-country"),
                numeric: false,
            },
            Column {
                header: t("table-measure"),
                numeric: false,
            },
            Column {
                header: t("table-period"),
                numeric: false,
            },
            Column {
                header: t("table-count"),
                numeric: true,
            },
        ],
        rows: places
            .iter()
            .map(|place| Row {
                header: html! { (place.name) },
                cells: vec![
                    html! { (place.country) },
                    html! { (translator.measure(lang, place.measure)) },
                    html! { (format_period(lang, &place.latest.0)) },
                    count_cell(translator, lang, place.latest.1, place.suppressed),
                ],
            })
            .collect(),
        note: None,
        id: Some("latest-by-place".to_owned()),
    }
}

/// A count, or what stands in for it when it is suppressed: `<5`, or a dash for a count
/// hidden so that small counts cannot be derived, each with its explanation.
pub fn count_cell(
    translator: &Translator,
    lang: Lang,
    count: u64,
    suppressed: Option<Suppressed>,
) -> Markup {
    match suppressed {
        None => html! { (format_count(lang, count)) },
        Some(Suppressed::BelowThreshold) => html! {
            abbr class="suppressed" title=(translator.get(lang, "suppressed-below-threshold-explanation", &[])) {
                (translator.get(lang, "suppressed-below-threshold", &[]))
            }
        },
        Some(Suppressed::Complementary) => withheld_cell(translator, lang),
    }
}

/// An en dash explained as hidden so that small counts cannot be derived.
pub fn withheld_cell(translator: &Translator, lang: Lang) -> Markup {
    let explanation = translator.get(lang, "suppressed-hidden-explanation", &[]);
    html! {
        abbr class="suppressed" title=(explanation) { "–" }
    }
}

fn trend_figure(translator: &Translator, lang: Lang, trend: &TrendView) -> Markup {
    let measure = translator.measure(lang, trend.measure);
    let dates = trend.series.iter().flat_map(|s| {
        s.points
            .iter()
            .filter(|(_, v)| v.is_finite())
            .map(|(d, _)| *d)
    });
    let (from, to) = match (dates.clone().min(), dates.max()) {
        (Some(from), Some(to)) => (
            format_period(
                lang,
                &Period::containing(from, corredor_core::Granularity::Month),
            ),
            format_period(
                lang,
                &Period::containing(to, corredor_core::Granularity::Month),
            ),
        ),
        _ => (String::new(), String::new()),
    };
    let title = translator.get(
        lang,
        "picture-trend-chart-title",
        &[
            ("measure", Arg::Text(&measure)),
            ("country", Arg::Text(&trend.country)),
        ],
    );
    let description = translator.get(
        lang,
        "picture-trend-chart-description",
        &[
            ("measure", Arg::Text(&lowercase_first(&measure))),
            ("country", Arg::Text(&trend.country)),
            ("count", Arg::Count(trend.series.len() as u64)),
            ("from", Arg::Text(&from)),
            ("to", Arg::Text(&to)),
        ],
    );
    let unit = if trend.events_not_people {
        "unit-events"
    } else {
        "unit-people"
    };
    let y_label = format!("{measure} ({})", translator.get(lang, unit, &[]));
    let chart = LineChart {
        id: trend.id.clone(),
        title: title.clone(),
        description: description.clone(),
        y_label,
        series: trend.series.clone(),
        expected_band: None,
        signals: Vec::new(),
    };
    let t = |id: &str| translator.get(lang, id, &[]);
    let range = translator.get(
        lang,
        "period-range",
        &[("from", Arg::Text(&from)), ("to", Arg::Text(&to))],
    );
    let rows = trend
        .series
        .iter()
        .map(|series| {
            let mut points = series.points.clone();
            points.sort_by_key(|(date, _)| *date);
            let values: Vec<f64> = points.iter().map(|(_, v)| *v).collect();
            let latest = points.iter().rev().find(|(_, v)| v.is_finite());
            let total: f64 = values.iter().filter(|v| v.is_finite()).sum();
            // A gap is a suppressed count: the sum of the others is not the total.
            let withheld = values.iter().any(|v| !v.is_finite());
            Row {
                header: html! { (series.label) },
                cells: vec![
                    match latest {
                        Some((date, value)) => html! {
                            (format_count(lang, value.max(0.0).round() as u64))
                            " (" (format_period(lang, &Period::containing(*date, corredor_core::Granularity::Month))) ")"
                        },
                        None => html! { span class="no-data" { (t("no-data")) } },
                    },
                    if withheld {
                        withheld_cell(translator, lang)
                    } else {
                        html! { (format_count(lang, total.max(0.0).round() as u64)) }
                    },
                    sparkline(translator, lang, &format!("{}, {range}", series.label), &values),
                ],
            }
        })
        .collect();
    html! {
        figure class="trend" aria-labelledby=(format!("{}-heading", trend.id)) {
            h3 id=(format!("{}-heading", trend.id)) { (title) }
            (line_chart(translator, lang, &chart))
            figcaption { (description) }
            (table(&Table {
                caption: title,
                columns: vec![
                    Column { header: t("table-nationality"), numeric: false },
                    Column { header: t("period-latest"), numeric: true },
                    Column { header: range.clone(), numeric: true },
                    Column { header: t("table-trend"), numeric: false },
                ],
                rows,
                note: trend.events_not_people.then(|| format!("{}: {}", t("unit-events"), t("unit-events-explanation"))),
                id: Some(format!("{}-table", trend.id)),
            }))
        }
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::render::layout::navigation;

    fn translator() -> Translator {
        Translator::new().expect("the embedded catalogues parse and agree")
    }

    fn render(lang: Lang, view: &PictureView) -> String {
        let translator = translator();
        let navigation = navigation(&translator, lang, "/");
        situational_picture(
            &translator,
            &Page {
                lang,
                title: "t",
                path: "/",
                query: None,
                navigation: &navigation,
                account: None,
                sources: &[],
            },
            None,
            view,
        )
        .into_string()
    }

    #[test]
    fn an_empty_picture_says_there_is_nothing_yet() {
        let html = render(
            Lang::En,
            &PictureView {
                map: None,
                countries: Vec::new(),
                places: Vec::new(),
                trends: Vec::new(),
            },
        );
        assert!(html.contains("No corridor is defined yet."));
        assert!(html.contains("No country has reported data for this yet."));
        assert!(!html.contains("class=\"map\""));
    }

    #[test]
    fn counts_are_explained_as_flows_or_stocks_and_repeat_counts_as_events() {
        let month = |m| NaiveDate::from_ymd_opt(2023, m, 1).expect("a valid month");
        let view = PictureView {
            map: None,
            countries: vec![CountryRow {
                name: "Panamá".to_owned(),
                measure: Some(Measure::IrregularEntry),
                latest: Some((Period::parse("2023-08").expect("a period"), 82_000)),
                latest_suppressed: None,
                year_before: Some(41_000),
                year_before_suppressed: None,
                transit_days_from_previous: Some(7),
            }],
            places: vec![PlaceRow {
                name: "Necoclí".to_owned(),
                country: "Colombia".to_owned(),
                measure: Measure::Stranded,
                latest: (Period::parse("2021-08").expect("a period"), 7_000),
                suppressed: None,
            }],
            trends: vec![TrendView {
                id: "trend-usa".to_owned(),
                country: "Estados Unidos".to_owned(),
                measure: Measure::Encounter,
                series: vec![ChartSeries {
                    label: "Venezuela".to_owned(),
                    points: vec![(month(1), 10.0), (month(2), 20.0), (month(3), 15.0)],
                }],
                events_not_people: true,
            }],
        };
        let html = render(Lang::Es, &view);
        assert!(
            html.contains("<td class=\"numeric\">82\u{202F}000</td>"),
            "{html}"
        );
        assert!(html.contains("<td class=\"numeric\">+100\u{a0}%</td>"));
        assert!(html.contains("<strong>Flujo</strong>: "));
        assert!(html.contains("<strong>Población presente</strong>: "));
        assert!(html.contains("Personas varadas"));
        assert!(
            html.contains("Encuentros (eventos, no personas)"),
            "the chart's axis says so"
        );
        assert!(html.contains(
            "<h3 id=\"trend-usa-heading\">Encuentros en Estados Unidos, por nacionalidad</h3>"
        ));
        assert!(html.contains("Conteos mensuales de encuentros en Estados Unidos para la nacionalidad principal, de ene 2023 a mar 2023."), "{html}");
    }
}
