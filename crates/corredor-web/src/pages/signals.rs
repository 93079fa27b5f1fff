//! `/signals`: the series that surged, each with its chart (counts, the range the detector
//! expected, the alarms), the evidence and the outcome of its verification, and how often
//! each algorithm's signals were discarded; and the short "Surges" section of the picture.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use corredor_app::store::{
    AlgorithmStatistics, DecisionFilter, SignalFilter, SignalScope, StoredSignal,
};
use corredor_app::{AppError, SignalDetail};
use corredor_core::{Country, CountryCode, Period, SignalKind, SignalOutcome};
use maud::{html, Markup};

use super::form::{forbidden_form, refused, Form};
use super::{country_name, html_response, internal_error, language, page_frame, translator};
use crate::render::chart::{line_chart, ChartSeries, ExpectedBand, LineChart, SignalMarker};
use crate::render::format::{format_number, format_period};
use crate::render::i18n::Arg;
use crate::render::layout::{page, table, Column, Row, Table};
use crate::render::{Lang, Translator};
use crate::AppState;

/// Series drawn with a chart: the largest surges first, so that a page stays light over a
/// slow link; the table lists every signal of the window.
const CHARTS: usize = 8;
/// Signals listed in the table.
const LISTED: u32 = 200;
/// Surges named on the situational picture.
const ON_PICTURE: usize = 5;
/// Months (or weeks) back from the latest signal that the page shows by default.
const RECENT_PERIODS: i64 = 2;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/signals", get(signals_page))
        .route("/signals/{id}/decision", axum::routing::post(decide))
}

/// What the page shows: `country`, `from` and `to` (periods) narrow it.
struct Selection {
    countries: Vec<CountryCode>,
    from: Option<Period>,
    to: Option<Period>,
}

fn selection(query: Option<&str>) -> Selection {
    let mut selection = Selection {
        countries: Vec::new(),
        from: None,
        to: None,
    };
    for (name, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        // A page forgives a bad parameter (the API refuses it): it is left out.
        match name.as_ref() {
            "country" => selection.countries.extend(
                value
                    .split(',')
                    .filter_map(|code| CountryCode::parse(code).ok()),
            ),
            "from" => selection.from = Period::parse(&value).ok(),
            "to" => selection.to = Period::parse(&value).ok(),
            _ => {}
        }
    }
    selection
}

async fn signals_page(
    State(state): State<AppState>,
    visitor: crate::auth::Visitor,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = language(query.as_deref(), &headers);
    let translator = translator();
    let chosen = selection(query.as_deref());
    let caller = &visitor.caller;
    let loaded = async {
        let mut filter = SignalFilter {
            countries: chosen.countries.clone(),
            kind: Some(SignalKind::Surge),
            from: chosen.from.map(|period| period.start()),
            to: chosen.to.map(|period| period.end()),
            limit: Some(1),
            ..SignalFilter::default()
        };
        // Without a window, the latest periods that have signals.
        if filter.from.is_none() && filter.to.is_none() {
            if let Some(latest) = state.app.signals(caller, &filter).await?.first() {
                filter.from = Some(latest.signal.period.offset(-RECENT_PERIODS).start());
            }
        }
        filter.limit = Some(LISTED);
        let mut signals = state.app.signals(caller, &filter).await?;
        signals.sort_by(|a, b| excess(b).total_cmp(&excess(a)));
        let mut details = Vec::new();
        for signal in largest_per_series(&signals, CHARTS) {
            details.push(state.app.signal_detail(caller, signal.id).await?);
        }
        Ok::<_, AppError>((
            signals,
            details,
            state.app.signal_statistics().await?,
            state.app.countries().await?,
        ))
    };
    match loaded.await {
        Ok((signals, details, statistics, countries)) => {
            let title = translator.get(lang, "signals-title", &[]);
            let main = html! {
                h1 { (title) }
                p class="lead" { (translator.get(lang, "signals-intro", &[])) }
                @if signals.is_empty() {
                    p class="no-data" { (translator.get(lang, "signals-none", &[])) }
                } @else {
                    @for (index, detail) in details.iter().enumerate() {
                        (signal_section(translator, lang, index, detail, &countries))
                        @if let Some(form_token) = decision_token(&visitor, &detail.signal) {
                            (decision_form(translator, lang, index, &detail.signal, form_token, query.as_deref()))
                        }
                    }
                    (table(&signals_table(translator, lang, &signals, &countries)))
                }
                h2 { (translator.get(lang, "signals-statistics-heading", &[])) }
                p { (translator.get(lang, "signals-statistics-explanation", &[])) }
                (table(&statistics_table(translator, lang, &statistics)))
            };
            page_frame(
                &visitor,
                lang,
                &title,
                "/signals",
                query.as_deref(),
                |frame| html_response(StatusCode::OK, page(translator, frame, main), lang),
            )
        }
        Err(error) => internal_error(lang, "/signals", &headers, &error),
    }
}

/// The session's form token when the visitor may decide on the signal (its country's focal
/// points and analysts, signed in with a session): the form is shown only to them.
fn decision_token<'a>(visitor: &'a crate::auth::Visitor, signal: &StoredSignal) -> Option<&'a str> {
    let allowed = corredor_core::authorize(
        &visitor.caller,
        &corredor_core::Action::DecideSignal(signal.signal.scope.country()),
    )
    .is_ok();
    visitor.csrf_token().filter(|_| allowed)
}

/// The form that records the outcome of verifying a signal.
fn decision_form(
    translator: &Translator,
    lang: Lang,
    index: usize,
    signal: &StoredSignal,
    form_token: &str,
    query: Option<&str>,
) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    let back = crate::render::layout::language_href("/signals", query, lang);
    html! {
        form method="post" action=(format!("/signals/{}/decision", signal.id)) class="decision" {
            h3 { (t("signals-decide-heading")) }
            input type="hidden" name="csrf" value=(form_token);
            input type="hidden" name="lang" value=(lang.code());
            input type="hidden" name="back" value=(back);
            fieldset {
                legend { (t("signals-outcome")) }
                @for outcome in SignalOutcome::ALL {
                    @let id = format!("decision-{index}-{}", outcome.code());
                    input type="radio" id=(id) name="outcome" value=(outcome.code()) required;
                    label for=(id) { (t(&format!("signals-outcome-{}", outcome.code()))) }
                }
            }
            p {
                label for=(format!("decision-{index}-reason")) { (t("signals-decide-reason")) }
                textarea id=(format!("decision-{index}-reason")) name="reason" rows="2" required {}
            }
            p { button type="submit" { (t("signals-decide-submit")) } }
        }
    }
}

/// Records a decision from the page's form, then returns to the page.
async fn decide(
    State(state): State<AppState>,
    visitor: crate::auth::Visitor,
    axum::extract::Path(id): axum::extract::Path<String>,
    request: axum::extract::Request,
) -> Response {
    let form = match Form::read(request).await {
        Ok(form) => form,
        Err(refused) => return refused,
    };
    let lang = form.lang;
    if !visitor.csrf_matches(form.get("csrf").unwrap_or_default()) {
        return forbidden_form(lang);
    }
    let bad_request =
        |reason: String| refused(lang, "/signals", StatusCode::UNPROCESSABLE_ENTITY, &reason);
    let Ok(id) = id.trim().parse::<i64>() else {
        return bad_request(format!("`{id}` is not a signal"));
    };
    let outcome = match SignalOutcome::parse(form.get("outcome").unwrap_or_default()) {
        Ok(outcome) => outcome,
        Err(error) => return bad_request(error.to_string()),
    };
    match state
        .app
        .decide_signal(
            &visitor.caller,
            id,
            outcome,
            form.get("reason").unwrap_or_default(),
        )
        .await
    {
        Ok(_) => {
            let back = form
                .get("back")
                .filter(|back| back.starts_with("/signals") && !back.contains(['\\', '\r', '\n']))
                .unwrap_or("/signals");
            let mut response = axum::response::Redirect::to(back).into_response();
            *response.status_mut() = StatusCode::SEE_OTHER;
            response
        }
        Err(AppError::Invalid(problems)) => bad_request(
            problems
                .iter()
                .map(|problem| problem.reason.clone())
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Err(AppError::Forbidden(reason)) => {
            refused(lang, "/signals", StatusCode::FORBIDDEN, &reason)
        }
        Err(error) => internal_error(lang, "/signals", &form.headers, &error),
    }
}

/// How far the count went above the bound: large flows first, since a focal point plans for
/// people, and a score alone ranks a jump from 2 to 9 above one from 200,000 to 300,000.
fn excess(signal: &StoredSignal) -> f64 {
    signal.signal.observed.unwrap_or(0.0) - signal.signal.upper_bound
}

/// The signal of largest excess of each series, at most `count` series.
fn largest_per_series(signals: &[StoredSignal], count: usize) -> Vec<&StoredSignal> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for signal in signals {
        let s = &signal.signal;
        let key = (
            s.scope.clone(),
            s.place.clone(),
            s.measure,
            s.nationality,
            s.period.granularity(),
        );
        if !seen.contains(&key) {
            seen.push(key);
            out.push(signal);
            if out.len() == count {
                break;
            }
        }
    }
    out
}

/// Who the series belongs to and what it counts, as a reader says it.
fn series_name(
    translator: &Translator,
    lang: Lang,
    signal: &StoredSignal,
    countries: &[Country],
) -> String {
    let s = &signal.signal;
    let owner = match &s.scope {
        SignalScope::Country(country) => country_name(countries, *country, lang),
        SignalScope::Corridor(code) => translator.get(
            lang,
            "signals-corridor",
            &[("route", Arg::Text(code.as_str()))],
        ),
    };
    let mut name = format!("{owner} · {}", translator.measure(lang, s.measure));
    if let Some(place) = &s.place {
        name.push_str(&format!(" · {place}"));
    }
    match s.nationality {
        Some(nationality) => {
            let nationality_name = match nationality.country() {
                Some(code) => country_name(countries, code, lang),
                None => nationality.to_string(),
            };
            name.push_str(&format!(" · {nationality_name}"));
        }
        None => {
            name.push_str(&format!(
                " · {}",
                translator.get(lang, "signals-all-nationalities", &[])
            ));
        }
    }
    name
}

fn outcome_text(translator: &Translator, lang: Lang, signal: &StoredSignal) -> String {
    match &signal.decision {
        None => translator.get(lang, "signals-outcome-open", &[]),
        Some(decision) => format!(
            "{} ({}: {})",
            translator.get(
                lang,
                &format!("signals-outcome-{}", decision.outcome.code()),
                &[]
            ),
            decision.decided_by,
            decision.reason
        ),
    }
}

fn signal_section(
    translator: &Translator,
    lang: Lang,
    index: usize,
    detail: &SignalDetail,
    countries: &[Country],
) -> Markup {
    let signal = &detail.signal;
    let name = series_name(translator, lang, signal, countries);
    let observed: Vec<(chrono::NaiveDate, f64)> = detail
        .history
        .iter()
        .filter_map(|point| Some((point.period.start(), point.observed?)))
        .collect();
    let band: Vec<(chrono::NaiveDate, f64, f64)> = detail
        .history
        .iter()
        .filter_map(|point| {
            Some((
                point.period.start(),
                point.expected?,
                point.upper_bound?.max(point.expected?),
            ))
        })
        .collect();
    let markers: Vec<SignalMarker> = detail
        .history
        .iter()
        .filter(|point| point.alarm)
        .filter_map(|point| {
            Some(SignalMarker {
                date: point.period.start(),
                value: point.observed?,
                period_label: format_period(lang, &point.period),
            })
        })
        .collect();
    let chart = LineChart {
        id: format!("signal-{index}"),
        title: name.clone(),
        description: translator.get(lang, "signals-chart-description", &[]),
        y_label: translator.measure(lang, signal.signal.measure),
        series: vec![ChartSeries {
            label: translator.get(lang, "signals-observed", &[]),
            points: observed,
        }],
        expected_band: (!band.is_empty()).then_some(ExpectedBand { points: band }),
        signals: markers,
    };
    let s = &signal.signal;
    let number = |value: f64| format_number(lang, value, 0);
    html! {
        section class="signal" aria-labelledby=(format!("signal-{index}-heading")) {
            h2 id=(format!("signal-{index}-heading")) { (name) }
            (line_chart(translator, lang, &chart))
            dl class="evidence" {
                dt { (translator.get(lang, "signals-period", &[])) }
                dd { (format_period(lang, &s.period)) }
                dt { (translator.get(lang, "signals-observed", &[])) }
                dd { (s.observed.map(number).unwrap_or_default()) }
                dt { (translator.get(lang, "signals-expected", &[])) }
                dd { (number(s.expected)) }
                dt { (translator.get(lang, "signals-bound", &[])) }
                dd { (number(s.upper_bound)) }
                dt { (translator.get(lang, "signals-score", &[])) }
                dd { (format_number(lang, s.score, 2)) }
                dt { (translator.get(lang, "signals-algorithm", &[])) }
                dd { (s.algorithm) " " code { (s.parameters.to_string()) } }
                dt { (translator.get(lang, "signals-outcome", &[])) }
                dd { (outcome_text(translator, lang, signal)) }
            }
        }
    }
}

fn signals_table(
    translator: &Translator,
    lang: Lang,
    signals: &[StoredSignal],
    countries: &[Country],
) -> Table {
    let t = |id: &str| translator.get(lang, id, &[]);
    let numeric = |id: &str| Column::numeric(t(id));
    let text = |id: &str| Column::text(t(id));
    let number = |value: f64| format_number(lang, value, 0);
    Table {
        caption: t("signals-table-caption"),
        columns: vec![
            text("signals-series"),
            text("signals-period"),
            numeric("signals-observed"),
            numeric("signals-expected"),
            numeric("signals-bound"),
            numeric("signals-score"),
            text("signals-algorithm"),
            text("signals-outcome"),
        ],
        rows: signals
            .iter()
            .map(|signal| {
                let s = &signal.signal;
                Row {
                    header: html! { (series_name(translator, lang, signal, countries)) },
                    cells: vec![
                        html! { (format_period(lang, &s.period)) },
                        html! { (s.observed.map(number).unwrap_or_default()) },
                        html! { (number(s.expected)) },
                        html! { (number(s.upper_bound)) },
                        html! { (format_number(lang, s.score, 2)) },
                        html! { (s.algorithm) },
                        html! { (outcome_text(translator, lang, signal)) },
                    ],
                }
            })
            .collect(),
        note: Some(t("signals-table-note")),
        id: Some("signals".to_owned()),
    }
}

fn statistics_table(
    translator: &Translator,
    lang: Lang,
    statistics: &[AlgorithmStatistics],
) -> Table {
    let t = |id: &str| translator.get(lang, id, &[]);
    let numeric = |id: &str| Column {
        header: t(id),
        numeric: true,
    };
    let count = |value: u64| crate::render::format::format_count(lang, value);
    Table {
        caption: t("signals-statistics-caption"),
        columns: vec![
            Column {
                header: t("signals-algorithm"),
                numeric: false,
            },
            numeric("signals-count"),
            numeric("signals-outcome-open"),
            numeric("signals-outcome-discarded"),
            numeric("signals-outcome-monitoring"),
            numeric("signals-outcome-escalated"),
            numeric("signals-discarded-share"),
        ],
        rows: statistics
            .iter()
            .map(|row| Row {
                header: html! { (row.algorithm) },
                cells: vec![
                    html! { (count(row.signals)) },
                    html! { (count(row.open)) },
                    html! { (count(row.discarded)) },
                    html! { (count(row.monitoring)) },
                    html! { (count(row.escalated)) },
                    html! {
                        @match row.discarded_share() {
                            Some(share) => (format!("{} %", format_number(lang, share * 100.0, 0))),
                            None => (t("signals-not-decided")),
                        }
                    },
                ],
            })
            .collect(),
        note: None,
        id: Some("signal-statistics".to_owned()),
    }
}

/// The "Surges" section of the situational picture: the largest open surges of the latest
/// periods, with a link to `/signals`.
pub(super) async fn picture_section(
    state: &AppState,
    caller: &corredor_core::Caller,
    translator: &Translator,
    lang: Lang,
    countries: &[Country],
) -> Markup {
    let loaded = async {
        let mut filter = SignalFilter {
            kind: Some(SignalKind::Surge),
            decision: DecisionFilter::Open,
            limit: Some(1),
            ..SignalFilter::default()
        };
        let Some(latest) = state.app.signals(caller, &filter).await?.into_iter().next() else {
            return Ok(Vec::new());
        };
        filter.from = Some(latest.signal.period.offset(-RECENT_PERIODS).start());
        filter.limit = Some(LISTED);
        let mut signals = state.app.signals(caller, &filter).await?;
        signals.sort_by(|a, b| excess(b).total_cmp(&excess(a)));
        Ok::<_, AppError>(signals)
    };
    let signals = match loaded.await {
        Ok(signals) => signals,
        Err(error) => {
            // The picture stands without its surges.
            tracing::error!(error = ?error, "the open signals could not be read");
            return html! {};
        }
    };
    let shown: Vec<&StoredSignal> = largest_per_series(&signals, ON_PICTURE);
    html! {
        section class="surges" aria-labelledby="surges-heading" {
            h2 id="surges-heading" { (translator.get(lang, "signals-picture-heading", &[])) }
            @if shown.is_empty() {
                p class="no-data" { (translator.get(lang, "signals-picture-none", &[])) }
            } @else {
                ul {
                    @for signal in &shown {
                        li {
                            (series_name(translator, lang, signal, countries)) ", "
                            (format_period(lang, &signal.signal.period)) ": "
                            (picture_line(translator, lang, signal))
                        }
                    }
                }
            }
            p { a href=(format!("/signals?lang={}", lang.code())) { (translator.get(lang, "signals-picture-link", &[])) } }
        }
    }
}

/// "301,981 counted, above the bound of 277,412".
fn picture_line(translator: &Translator, lang: Lang, signal: &StoredSignal) -> String {
    let count =
        |value: f64| crate::render::format::format_count(lang, value.max(0.0).round() as u64);
    let observed = count(signal.signal.observed.unwrap_or(0.0));
    let bound = count(signal.signal.upper_bound);
    format!(
        "{}, {}",
        translator.get(
            lang,
            "signals-picture-line",
            &[("value", Arg::Text(&observed))]
        ),
        translator.get(
            lang,
            "signals-picture-bound",
            &[("value", Arg::Text(&bound))]
        )
    )
}
