//! `/forecasts`: expected arrivals at each node of the corridor over the next months, by
//! nationality, with their 80% and 95% intervals, the running skill of each forecast, and
//! the places whose shelter capacity forecast arrivals would exceed. Also the short
//! "Expected arrivals" section of the situational picture.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use corredor_app::{CapacityWarning, CorridorForecasts, ForecastQuery, ForecastSeries, Skill};
use corredor_core::{Corridor, Country};
use maud::{html, Markup};

use super::{
    country_name, html_response, internal_error, language, nationality_name, page_frame, translator,
};
use crate::render::chart::{line_chart, ChartSeries, ExpectedBand, LineChart};
use crate::render::format::{format_count, format_number, format_period};
use crate::render::i18n::Arg;
use crate::render::layout::{page, table, Column, Row, Table};
use crate::render::{Lang, Translator};
use crate::AppState;

/// Observed periods drawn before the forecast.
const HISTORY: usize = 24;

pub fn routes() -> Router<AppState> {
    Router::new().route("/forecasts", get(forecasts_page))
}

async fn forecasts_page(
    State(state): State<AppState>,
    visitor: crate::auth::Visitor,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = language(query.as_deref(), &headers);
    let translator = translator();
    let loaded = async {
        Ok::<_, corredor_app::AppError>((
            state
                .app
                .forecasts(
                    &visitor.caller,
                    &ForecastQuery {
                        history: HISTORY,
                        ..ForecastQuery::default()
                    },
                )
                .await?,
            state.app.capacity_warnings(&visitor.caller).await?,
            state.app.countries().await?,
            state.app.corridors().await?,
        ))
    };
    match loaded.await {
        Ok((forecasts, warnings, countries, corridors)) => {
            let title = translator.get(lang, "forecasts-title", &[]);
            let main = html! {
                h1 { (title) }
                p class="lead" { (translator.get(lang, "forecasts-intro", &[])) }
                p class="note" { (translator.get(lang, "forecasts-skill-explanation", &[])) }
                (capacity_section(translator, lang, &warnings, &countries))
                @if forecasts.is_empty() {
                    p class="no-data" { (translator.get(lang, "forecasts-none", &[])) }
                }
                @for corridor in &forecasts {
                    (corridor_section(translator, lang, corridor, &corridors, &countries))
                }
            };
            page_frame(
                &visitor,
                lang,
                &title,
                "/forecasts",
                query.as_deref(),
                |frame| html_response(StatusCode::OK, page(translator, frame, main), lang),
            )
        }
        Err(error) => internal_error(lang, "/forecasts", &headers, &error),
    }
}

/// "Expected arrivals" on the situational picture: the next period's total at each node,
/// and a link to the page.
pub(super) fn picture_section(
    translator: &Translator,
    lang: Lang,
    forecasts: &[CorridorForecasts],
    countries: &[Country],
) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    let totals: Vec<&ForecastSeries> = forecasts
        .iter()
        .flat_map(|corridor| corridor.series.iter())
        .filter(|series| series.nationality.is_none())
        .collect();
    html! {
        section aria-labelledby="expected-heading" {
            h2 id="expected-heading" { (t("forecasts-picture-heading")) }
            @if totals.is_empty() {
                p class="no-data" { (t("forecasts-none")) }
            } @else {
                (table(&Table {
                    caption: t("forecasts-picture-caption"),
                    columns: vec![
                        Column { header: t("table-country"), numeric: false },
                        Column { header: t("table-period"), numeric: false },
                        Column { header: t("forecasts-expected"), numeric: true },
                        Column { header: t("forecasts-interval80"), numeric: true },
                        Column { header: t("forecasts-skill"), numeric: false },
                    ],
                    rows: totals.iter().filter_map(|series| {
                        let next = series.steps.first()?;
                        Some(Row {
                            header: html! { (country_name(countries, series.country, lang)) },
                            cells: vec![
                                html! { (format_period(lang, &next.target)) },
                                html! { (format_number(lang, next.forecast, 0)) },
                                html! { (interval(lang, next.lower80, next.upper80)) },
                                skill_cell(translator, lang, series),
                            ],
                        })
                    }).collect(),
                    note: Some(format!("{}: {}", t("unit-events"), t("unit-events-explanation"))),
                    id: Some("expected-arrivals".to_owned()),
                }))
            }
            p { a href=(format!("/forecasts?lang={}", lang.code())) { (t("forecasts-picture-link")) } }
        }
    }
}

fn capacity_section(
    translator: &Translator,
    lang: Lang,
    warnings: &[CapacityWarning],
    countries: &[Country],
) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    html! {
        section aria-labelledby="capacity-heading" {
            h2 id="capacity-heading" { (t("forecasts-capacity-heading")) }
            p { (t("forecasts-capacity-explanation")) }
            @if warnings.is_empty() {
                p class="no-data" { (t("forecasts-capacity-none")) }
            } @else {
                (table(&Table {
                    caption: t("forecasts-capacity-caption"),
                    columns: vec![
                        Column { header: t("table-place"), numeric: false },
                        Column { header: t("table-country"), numeric: false },
                        Column { header: t("table-period"), numeric: false },
                        Column { header: t("forecasts-arrivals-upper80"), numeric: true },
                        Column { header: t("forecasts-occupancy"), numeric: true },
                        Column { header: t("forecasts-capacity"), numeric: true },
                        Column { header: t("forecasts-excess"), numeric: true },
                    ],
                    rows: warnings.iter().map(|warning| Row {
                        header: html! { (warning.place.name) },
                        cells: vec![
                            html! { (country_name(countries, warning.place.country, lang)) },
                            html! { (format_period(lang, &warning.period)) },
                            html! { (format_number(lang, warning.arrivals_upper80, 0)) },
                            html! { (format_count(lang, warning.occupancy)) },
                            html! { (format_count(lang, warning.capacity)) },
                            html! { strong { (format_count(lang, warning.excess)) } },
                        ],
                    }).collect(),
                    note: None,
                    id: Some("capacity-warnings".to_owned()),
                }))
            }
        }
    }
}

fn corridor_section(
    translator: &Translator,
    lang: Lang,
    forecasts: &CorridorForecasts,
    corridors: &[Corridor],
    countries: &[Country],
) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    let corridor = corridors
        .iter()
        .find(|corridor| corridor.code() == &forecasts.corridor);
    let name = corridor.map_or_else(
        || forecasts.corridor.to_string(),
        |corridor| corridor.name(lang == Lang::Es).to_owned(),
    );
    let origin = format_period(lang, &forecasts.run.origin);
    // Nodes in corridor order: the series come grouped by node already.
    let mut nodes: Vec<corredor_core::CountryCode> = Vec::new();
    for series in &forecasts.series {
        if !nodes.contains(&series.country) {
            nodes.push(series.country);
        }
    }
    html! {
        section class="forecast-corridor" {
            h2 { (name) }
            p {
                (translator.get(lang, "forecasts-origin", &[("period", Arg::Text(&origin))]))
            }
            @if !forecasts.notes.is_empty() {
                details {
                    summary { (t("forecasts-notes")) }
                    ul { @for note in &forecasts.notes { li { (note) } } }
                }
            }
            @for country in &nodes {
                @let series: Vec<&ForecastSeries> = forecasts.series.iter().filter(|s| s.country == *country).collect();
                (node_section(translator, lang, &series, countries))
            }
        }
    }
}

fn node_section(
    translator: &Translator,
    lang: Lang,
    series: &[&ForecastSeries],
    countries: &[Country],
) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    let Some(first) = series.first() else {
        return html! {};
    };
    let country = country_name(countries, first.country, lang);
    let measure = translator.measure(lang, first.measure);
    let id = format!("forecast-{}", first.country.as_str().to_ascii_lowercase());
    let total = series.iter().find(|s| s.nationality.is_none());
    let chart = total.map(|total| {
        let observed: Vec<_> = total
            .observed
            .iter()
            .map(|(period, value)| (period.start(), *value as f64))
            .collect();
        // The forecast line starts at the last observed count, so it reads as a continuation.
        let mut forecast: Vec<_> = observed.last().copied().into_iter().collect();
        forecast.extend(
            total
                .steps
                .iter()
                .map(|step| (step.target.start(), step.forecast)),
        );
        let bound = |pick: fn(&corredor_app::store::ForecastRow) -> f64| ChartSeries {
            label: String::new(),
            points: total
                .steps
                .iter()
                .map(|step| (step.target.start(), pick(step)))
                .collect(),
        };
        let lower95 = ChartSeries {
            label: t("forecasts-lower95"),
            ..bound(|step| step.lower95)
        };
        let upper95 = ChartSeries {
            label: t("forecasts-upper95"),
            ..bound(|step| step.upper95)
        };
        LineChart {
            id: id.clone(),
            title: translator.get(
                lang,
                "forecasts-chart-title",
                &[
                    ("measure", Arg::Text(&measure)),
                    ("country", Arg::Text(&country)),
                ],
            ),
            description: translator.get(
                lang,
                "forecasts-chart-description",
                &[("country", Arg::Text(&country))],
            ),
            // One country's counts are people, except encounters, which count events (a
            // person encountered twice is counted twice).
            y_label: format!(
                "{measure} ({})",
                t(if first.measure == corredor_core::Measure::Encounter {
                    "unit-events"
                } else {
                    "unit-people"
                })
            ),
            series: vec![
                ChartSeries {
                    label: t("forecasts-observed"),
                    points: observed,
                },
                ChartSeries {
                    label: t("forecasts-expected"),
                    points: forecast,
                },
                lower95,
                upper95,
            ],
            expected_band: Some(ExpectedBand {
                points: total
                    .steps
                    .iter()
                    .map(|step| (step.target.start(), step.lower80, step.upper80))
                    .collect(),
            }),
            signals: Vec::new(),
        }
    });
    let targets: Vec<corredor_core::Period> = first.steps.iter().map(|step| step.target).collect();
    let mut columns = vec![Column {
        header: t("table-nationality"),
        numeric: false,
    }];
    columns.extend(targets.iter().map(|target| Column {
        header: format_period(lang, target),
        numeric: true,
    }));
    columns.push(Column {
        header: t("forecasts-skill"),
        numeric: false,
    });
    let rows = series
        .iter()
        .map(|series| {
            let label = match series.nationality {
                None => t("forecasts-all-nationalities"),
                Some(nationality) => {
                    nationality_name(countries, Some(nationality), lang, translator)
                }
            };
            let mut cells: Vec<Markup> = targets
                .iter()
                .map(
                    |target| match series.steps.iter().find(|s| s.target == *target) {
                        Some(step) => html! {
                            (format_number(lang, step.forecast, 0))
                            br;
                            small { (interval(lang, step.lower80, step.upper80)) }
                        },
                        None => html! { "–" },
                    },
                )
                .collect();
            cells.push(skill_cell(translator, lang, series));
            Row {
                header: html! { (label) },
                cells,
            }
        })
        .collect();
    html! {
        section class="forecast-node" aria-labelledby=(format!("{id}-heading")) {
            h3 id=(format!("{id}-heading")) { (country) " — " (measure) }
            @if let Some(chart) = &chart {
                figure {
                    (line_chart(translator, lang, chart))
                    figcaption { (chart.description) }
                }
            }
            (table(&Table {
                caption: translator.get(lang, "forecasts-table-caption", &[
                    ("country", Arg::Text(&country)),
                ]),
                columns,
                rows,
                note: Some(t("forecasts-table-note")),
                id: Some(format!("{id}-table")),
            }))
        }
    }
}

fn interval(lang: Lang, lower: f64, upper: f64) -> String {
    format!(
        "{}–{}",
        format_number(lang, lower, 0),
        format_number(lang, upper, 0)
    )
}

fn skill_cell(translator: &Translator, lang: Lang, series: &ForecastSeries) -> Markup {
    let mase_of = |skill: &Skill| {
        skill
            .mase
            .map_or_else(|| "–".to_owned(), |mase| format_number(lang, mase, 2))
    };
    match &series.skill {
        None => {
            html! { span class="no-data" { (translator.get(lang, "forecasts-skill-none", &[])) } }
        }
        Some(skill) => {
            let coverage = format_number(lang, skill.coverage80 * 100.0, 0);
            html! {
                (translator.get(lang, "forecasts-skill-summary", &[
                    ("value", Arg::Text(&mase_of(skill))),
                    ("count", Arg::Count(skill.scored as u64)),
                ]))
                br;
                small { (translator.get(lang, "forecasts-skill-coverage", &[("value", Arg::Text(&coverage))])) }
                @if let Some(baseline) = &series.baseline_skill {
                    br;
                    small { (translator.get(lang, "forecasts-skill-baseline", &[("value", Arg::Text(&mase_of(baseline)))])) }
                }
            }
        }
    }
}
