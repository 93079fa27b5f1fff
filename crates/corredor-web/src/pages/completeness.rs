//! `/completeness`: which countries reported which periods, on time, late or not at all.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use corredor_app::{Completeness, PeriodStatus};
use corredor_core::{Country, Granularity};
use maud::html;

use super::{country_name, html_response, internal_error, language, page_frame, translator};
use crate::render::format::{format_count, format_period};
use crate::render::layout::{page, table, Column, Row, Table};
use crate::render::{Lang, Translator};
use crate::AppState;

/// How many of the latest missing periods each row lists.
const RECENT_MISSING: usize = 6;

pub fn routes() -> Router<AppState> {
    Router::new().route("/completeness", get(completeness_page))
}

async fn completeness_page(
    State(state): State<AppState>,
    visitor: crate::auth::Visitor,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = language(query.as_deref(), &headers);
    let translator = translator();
    let loaded = async {
        Ok::<_, corredor_app::AppError>((
            state.app.completeness_overview(&visitor.caller).await?,
            state.app.countries().await?,
        ))
    };
    match loaded.await {
        Ok((overview, countries)) => {
            let title = translator.get(lang, "completeness-title", &[]);
            let main = html! {
                h1 { (title) }
                p class="lead" { (translator.get(lang, "completeness-intro", &[])) }
                @if visitor.caller == corredor_core::Caller::Anonymous {
                    p class="no-data" {
                        (translator.get(lang, "completeness-sign-in", &[])) " "
                        a href=(format!("/sign-in?lang={}&next=/completeness", lang.code())) { (translator.get(lang, "account-sign-in", &[])) }
                    }
                } @else if overview.is_empty() {
                    p class="no-data" { (translator.get(lang, "completeness-none", &[])) }
                } @else {
                    (table(&completeness_table(translator, lang, &overview, &countries)))
                }
            };
            page_frame(
                &visitor,
                lang,
                &title,
                "/completeness",
                query.as_deref(),
                |frame| html_response(StatusCode::OK, page(translator, frame, main), lang),
            )
        }
        Err(error) => internal_error(lang, "/completeness", &headers, &error),
    }
}

fn granularity_name(
    translator: &Translator,
    lang: Lang,
    granularity: Option<Granularity>,
) -> String {
    granularity.map_or_else(String::new, |granularity| {
        translator.get(lang, &format!("granularity-{granularity}"), &[])
    })
}

fn completeness_table(
    translator: &Translator,
    lang: Lang,
    overview: &[Completeness],
    countries: &[Country],
) -> Table {
    let t = |id: &str| translator.get(lang, id, &[]);
    let numeric = |id: &str| Column::numeric(t(id));
    let text = |id: &str| Column::text(t(id));
    Table {
        caption: t("completeness-caption"),
        columns: vec![
            text("completeness-country"),
            text("completeness-measure"),
            text("completeness-granularity"),
            numeric("completeness-on-time"),
            numeric("completeness-late"),
            numeric("completeness-missing"),
            numeric("completeness-due"),
            text("completeness-last"),
            text("completeness-missing-recent"),
        ],
        rows: overview
            .iter()
            .map(|row| {
                let last = row
                    .periods
                    .iter()
                    .rev()
                    .find(|period| {
                        matches!(period.status, PeriodStatus::OnTime | PeriodStatus::Late)
                    })
                    .map(|period| format_period(lang, &period.period))
                    .unwrap_or_default();
                let missing: Vec<String> = row
                    .periods
                    .iter()
                    .rev()
                    .filter(|period| period.status == PeriodStatus::Missing)
                    .take(RECENT_MISSING)
                    .map(|period| format_period(lang, &period.period))
                    .collect();
                Row {
                    header: html! { (country_name(countries, row.country, lang)) },
                    cells: vec![
                        html! { (translator.measure(lang, row.measure)) },
                        html! { (granularity_name(translator, lang, row.granularity)) },
                        html! { (format_count(lang, u64::from(row.on_time))) },
                        html! { (format_count(lang, u64::from(row.late))) },
                        html! { (format_count(lang, u64::from(row.missing))) },
                        html! { (format_count(lang, u64::from(row.due))) },
                        html! { (last) },
                        html! { (missing.join(", ")) },
                    ],
                }
            })
            .collect(),
        note: None,
        id: Some("completeness".to_owned()),
    }
}
