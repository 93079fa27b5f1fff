//! The migratory alert's pages: `/alerts` (the alerts the reader may see, on a map, with the
//! corridor's alert levels and the stranded populations), `/alerts/{id}` (one alert: its
//! content, recipients, timeline, and the forms of the issuer and of the recipients),
//! `/alerts/new` (the issue form), and the small script that announces changes live.
//!
//! Every page works without JavaScript. Who may take a step is the app's decision: a form is
//! drawn for the role that plausibly may use it, and a refusal from the app is shown on the
//! refusal page, with nothing changed.

use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, FixedOffset};
use corredor_app::store::{StoredAlert, StoredStranded};
use corredor_app::{AlertView, AppError, LevelView};
use corredor_core::{
    authorize, Action, ActionStatus, AlertId, AlertLevel, AlertState, Area, Caller, Country,
    CountryCode, Direction, FlowStage, Place, Recipient, RequiredAction,
};
use maud::{html, Markup};

use super::form::{app_error, forbidden_form, not_found, refused, Form};
use super::{country_name, html_response, language, page_frame, translator};
use crate::auth::Visitor;
use crate::render::format::{format_count, format_date};
use crate::render::i18n::Arg;
use crate::render::layout::{page, sign_in_href, table, Column, Row, Table};
use crate::render::map::{alert_map, AlertMap, AlertMark, MapCountry, MapExtent};
use crate::render::{Lang, Translator};
use crate::AppState;

mod content;
mod issue;

use content::centroid;

/// The live-updates script (`static/alerts.js`), served as a file so that the site's
/// content security policy can stay `script-src 'self'`.
const SCRIPT: &str = include_str!("../../../static/alerts.js");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/alerts", get(alerts_page).post(issue::issue))
        .route("/alerts/new", get(issue::new_page))
        .route("/alerts/{id}", get(alert_page))
        .route("/alerts/{id}/activate", post(activate))
        .route("/alerts/{id}/update", post(issue::update))
        .route("/alerts/{id}/close", post(close))
        .route("/alerts/{id}/cancel", post(cancel))
        .route("/alerts/{id}/recipients", post(add_recipient))
        .route("/alerts/{id}/acknowledge", post(acknowledge))
        .route("/alerts/{id}/actions", post(record_action))
        .route("/static/alerts.js", get(script))
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
}

// ---------------------------------------------------------------------------------------
// Words

fn vocabulary_word(translator: &Translator, lang: Lang, prefix: &str, code: &str) -> String {
    translator.get(lang, &format!("{prefix}-{}", code.replace('_', "-")), &[])
}

pub(super) fn state_name(translator: &Translator, lang: Lang, state: AlertState) -> String {
    vocabulary_word(translator, lang, "alert-state", state.code())
}

pub(super) fn stage_name(translator: &Translator, lang: Lang, stage: FlowStage) -> String {
    vocabulary_word(translator, lang, "alert-stage", stage.code())
}

pub(super) fn level_name(translator: &Translator, lang: Lang, level: AlertLevel) -> String {
    vocabulary_word(translator, lang, "alert-level", level.code())
}

pub(super) fn direction_name(translator: &Translator, lang: Lang, direction: Direction) -> String {
    vocabulary_word(translator, lang, "alert-direction", direction.code())
}

pub(super) fn action_name(translator: &Translator, lang: Lang, action: RequiredAction) -> String {
    vocabulary_word(translator, lang, "alert-action", action.code())
}

pub(super) fn status_name(translator: &Translator, lang: Lang, status: ActionStatus) -> String {
    vocabulary_word(translator, lang, "alert-status", status.code())
}

/// The headline in the reader's language, else in the other.
fn headline(stored: &StoredAlert, lang: Lang) -> String {
    let text = &stored.alert.latest().content.text;
    let (first, second) = match lang {
        Lang::Es => (text.spanish(), text.english()),
        Lang::En => (text.english(), text.spanish()),
    };
    first
        .or(second)
        .map(|block| block.headline.clone())
        .unwrap_or_default()
}

fn window_words(translator: &Translator, lang: Lang, recipient: &Recipient) -> String {
    match &recipient.arrival {
        Some(window) => translator.get(
            lang,
            "alerts-window",
            &[
                ("from", Arg::Text(&format_date(lang, window.from))),
                ("to", Arg::Text(&format_date(lang, window.to))),
            ],
        ),
        None => translator.get(lang, "alerts-no-window", &[]),
    }
}

/// A time for a reader, in the offset it was stated in: `14 Sep 2023 13:05 (-05:00)`.
fn time_words(lang: Lang, at: DateTime<FixedOffset>) -> String {
    format!(
        "{} {} ({})",
        format_date(lang, at.date_naive()),
        at.format("%H:%M"),
        at.offset()
    )
}

fn time_element(lang: Lang, at: DateTime<FixedOffset>) -> Markup {
    html! { time datetime=(at.to_rfc3339()) { (time_words(lang, at)) } }
}

/// Where an alert's flow is on a map: a point, and the radius of its area when it has one.
#[derive(Debug, Clone, Copy, PartialEq)]
struct FlowPoint {
    latitude: f64,
    longitude: f64,
    radius_km: Option<f64>,
}

fn alert_point(stored: &StoredAlert, places: &[Place]) -> Option<FlowPoint> {
    let point = |latitude, longitude, radius_km| FlowPoint {
        latitude,
        longitude,
        radius_km,
    };
    match stored.alert.latest().content.location.area() {
        Area::Place { place } => places
            .iter()
            .find(|known| &known.code == place)
            .map(|known| point(known.latitude, known.longitude, None)),
        Area::Circle { centre, radius_km } => {
            Some(point(centre.latitude, centre.longitude, Some(*radius_km)))
        }
        Area::Polygon { points } => {
            let (latitude, longitude) = centroid(points);
            Some(point(latitude, longitude, None))
        }
    }
}

// ---------------------------------------------------------------------------------------
// Shared pieces of the pages

/// The region the script fills when an alert changes. It is in the page from the start
/// (empty), as screen readers announce changes only to a live region they already know.
fn live_region(translator: &Translator, lang: Lang, alert: Option<AlertId>) -> Markup {
    let template = |id: &str| {
        translator.get(
            lang,
            id,
            &[
                ("country", Arg::Text("{country}")),
                ("value", Arg::Text("{headline}")),
            ],
        )
    };
    html! {
        div id="alert-live" class="live-region" role="status" aria-live="polite"
            data-alert-id=[alert.map(|id| id.0.to_string())]
            data-new=(template("alert-live-new"))
            data-changed=(template("alert-live-changed"))
            data-open=(translator.get(lang, "alert-live-open", &[]))
            data-reload=(translator.get(lang, "alert-live-reload", &[])) {}
        script src="/static/alerts.js" defer {}
        style { (maud::PreEscaped(STYLE)) }
    }
}

/// The few rules the alert pages add to the site's stylesheet (kept here, with the pages
/// that use them; under 1 KB).
pub(super) const STYLE: &str = ".live-region:not(:empty){border-left:4px solid var(--accent);padding:.5rem .75rem;background:var(--band);margin:0 0 1rem}\
.field{margin:0 0 .6rem}.field label{display:block;font-weight:600}\
.field input[type=text],.field textarea,.field select{width:100%;max-width:40rem;padding:.35rem;font-size:1rem}\
.field-error{color:#b3261e;font-weight:600;margin:.1rem 0}[aria-invalid=true]{border:2px solid #b3261e}\
.alert-form fieldset,.alert-forms form{border:1px solid var(--rule);margin:0 0 1rem;padding:.5rem .75rem}\
.choice{margin:.2rem 0}ul.plain{list-style:none;margin:0;padding:0}\
.facts dt{font-weight:600}.facts dd{margin:0 0 .4rem}.timeline li{margin:0 0 .4rem}\
.alert-text{border-left:3px solid var(--rule);padding-left:.75rem}.overdue{color:#b3261e}";

/// A page of this module, not stored by caches (it shows one reader's alerts).
fn alert_response(
    visitor: &Visitor,
    lang: Lang,
    title: &str,
    path: &str,
    query: Option<&str>,
    status: StatusCode,
    main: Markup,
) -> Response {
    let translator = translator();
    let mut response = page_frame(visitor, lang, title, path, query, |frame| {
        html_response(status, page(translator, frame, main), lang)
    });
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

fn sign_in_redirect(path: &str, query: Option<&str>, lang: Lang) -> Response {
    Redirect::to(&sign_in_href(path, query, lang)).into_response()
}

fn issuing_country_of(caller: &Caller) -> Option<CountryCode> {
    caller
        .country()
        .filter(|country| authorize(caller, &Action::IssueAlert(*country)).is_ok())
}

// ---------------------------------------------------------------------------------------
// The list

async fn alerts_page(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = language(query.as_deref(), &headers);
    let query = query.as_deref();
    if visitor.caller == Caller::Anonymous {
        return sign_in_redirect("/alerts", query, lang);
    }
    let caller = &visitor.caller;
    let loaded = async {
        Ok::<_, AppError>((
            state.app.alerts(caller, None).await?,
            state.app.countries().await?,
            state.app.places().await?,
            state.app.alert_levels(caller).await?,
            state.app.stranded_populations(caller).await?,
        ))
    };
    let (mut alerts, countries, places, levels, stranded) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return app_error(lang, "/alerts", query, &headers, &error),
    };
    // Newest first: the order alerts were issued in, not the order they last changed.
    alerts.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id().cmp(&a.id())));
    let translator = translator();
    let t = |id: &str| translator.get(lang, id, &[]);
    let title = t("alerts-title");
    let active: Vec<&StoredAlert> = alerts
        .iter()
        .filter(|stored| stored.alert.state() == AlertState::Active)
        .collect();
    let main = html! {
        h1 { (title) }
        p class="lead" { (t("alerts-intro")) }
        (live_region(translator, lang, None))
        @if issuing_country_of(caller).is_some() {
            p { a class="button" href=(format!("/alerts/new?lang={}", lang.code())) { (t("alerts-issue-link")) } }
        }
        @if alerts.is_empty() {
            p class="no-data" { (t("alerts-none")) }
        } @else {
            (table(&alerts_table(translator, lang, &alerts, &countries)))
        }
        h2 { (t("alerts-map-heading")) }
        (map_section(translator, lang, &active, &countries, &places))
        h2 { (t("alerts-levels-heading")) }
        @if levels.is_empty() {
            p class="no-data" { (t("alerts-levels-none")) }
        } @else {
            (table(&levels_table(translator, lang, &levels, &countries, &places)))
        }
        h2 { (t("alerts-stranded-heading")) }
        @if stranded.is_empty() {
            p class="no-data" { (t("alerts-stranded-none")) }
        } @else {
            (table(&stranded_table(translator, lang, &stranded, &countries)))
        }
    };
    alert_response(
        &visitor,
        lang,
        &title,
        "/alerts",
        query,
        StatusCode::OK,
        main,
    )
}

fn alert_href(id: AlertId, lang: Lang) -> String {
    format!("/alerts/{}?lang={}", id.0, lang.code())
}

fn alerts_table(
    translator: &Translator,
    lang: Lang,
    alerts: &[StoredAlert],
    countries: &[Country],
) -> Table {
    let t = |id: &str| translator.get(lang, id, &[]);
    Table {
        caption: t("alerts-table-caption"),
        columns: vec![
            Column::text(t("alerts-col-headline")),
            Column::text(t("alerts-col-state")),
            Column::text(t("alerts-col-issuer")),
            Column::text(t("alerts-col-stage")),
            Column::numeric(t("alerts-col-people")),
            Column::text(t("alerts-col-recipients")),
            Column::text(t("alerts-col-windows")),
        ],
        rows: alerts
            .iter()
            .map(|stored| {
                let alert = &stored.alert;
                let content = &alert.latest().content;
                Row {
                    header: html! { a href=(alert_href(stored.id(), lang)) { (headline(stored, lang)) } },
                    cells: vec![
                        html! { (state_name(translator, lang, alert.state())) },
                        html! { (country_name(countries, alert.issuing_country(), lang)) },
                        html! { (stage_name(translator, lang, content.stage)) },
                        html! { (format_count(lang, u64::from(content.composition.estimated_people()))) },
                        html! {
                            ul class="plain" {
                                @for recipient in alert.recipients() {
                                    li {
                                        (country_name(countries, recipient.country, lang)) ": "
                                        @if alert.has_acknowledged(recipient.country) {
                                            (t("alerts-acknowledged-mark"))
                                        } @else {
                                            (t("alerts-not-yet"))
                                        }
                                    }
                                }
                            }
                        },
                        html! {
                            ul class="plain" {
                                @for recipient in alert.recipients() {
                                    li { (country_name(countries, recipient.country, lang)) ": " (window_words(translator, lang, recipient)) }
                                }
                            }
                        },
                    ],
                }
            })
            .collect(),
        note: None,
        id: Some("alerts".to_owned()),
    }
}

fn map_section(
    translator: &Translator,
    lang: Lang,
    active: &[&StoredAlert],
    countries: &[Country],
    places: &[Place],
) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    if active.is_empty() {
        return html! { p class="no-data" { (t("alerts-map-none")) } };
    }
    let marks: Vec<(usize, &StoredAlert, Option<FlowPoint>)> = active
        .iter()
        .enumerate()
        .map(|(index, stored)| (index + 1, *stored, alert_point(stored, places)))
        .collect();
    let mut addressed: Vec<CountryCode> = Vec::new();
    for stored in active {
        for recipient in stored.alert.recipients() {
            if !addressed.contains(&recipient.country) {
                addressed.push(recipient.country);
            }
        }
    }
    let map = AlertMap {
        id: "alerts-map".to_owned(),
        title: t("alerts-map-title"),
        description: t("alerts-map-description"),
        extent: MapExtent::CORRIDOR,
        countries: countries
            .iter()
            .map(|country| MapCountry {
                code: country.code,
                name: country_name(countries, country.code, lang),
                rcm_member: country.rcm_status == Some(corredor_core::RcmStatus::Member),
                label: addressed.contains(&country.code)
                    || active
                        .iter()
                        .any(|stored| stored.alert.issuing_country() == country.code),
            })
            .collect(),
        addressed: addressed.clone(),
        alerts: marks
            .iter()
            .filter_map(|(number, stored, point)| {
                let point = (*point)?;
                Some(AlertMark {
                    label: number.to_string(),
                    latitude: point.latitude,
                    longitude: point.longitude,
                    radius_km: point.radius_km,
                    title: format!(
                        "{number}. {} ({})",
                        headline(stored, lang),
                        stored.alert.latest().content.location.description()
                    ),
                })
            })
            .collect(),
    };
    html! {
        @if let Some(outlines) = super::outlines() {
            figure class="map-figure" {
                (alert_map(translator, lang, outlines, &map))
            }
        }
        (table(&Table {
            caption: t("alerts-map-list-caption"),
            columns: vec![
                Column::text("#"),
                Column::text(t("alerts-col-headline")),
                Column::text(t("alert-detail-location")),
                Column::text(t("alerts-col-recipients")),
            ],
            rows: marks
                .iter()
                .map(|(number, stored, _)| Row {
                    header: html! { (number) },
                    cells: vec![
                        html! { a href=(alert_href(stored.id(), lang)) { (headline(stored, lang)) } },
                        html! { (stored.alert.latest().content.location.description()) },
                        html! {
                            (stored.alert.recipients().iter().map(|r| country_name(countries, r.country, lang)).collect::<Vec<_>>().join(", "))
                        },
                    ],
                })
                .collect(),
            note: None,
            id: Some("alerts-on-map".to_owned()),
        }))
    }
}

fn levels_table(
    translator: &Translator,
    lang: Lang,
    levels: &[LevelView],
    countries: &[Country],
    places: &[Place],
) -> Table {
    let t = |id: &str| translator.get(lang, id, &[]);
    Table {
        caption: t("alerts-levels-caption"),
        columns: vec![
            Column::text(t("alerts-levels-col-country")),
            Column::text(t("alerts-levels-col-set")),
            Column::text(t("alerts-levels-col-effective")),
            Column::text(t("alerts-levels-col-required")),
        ],
        rows: levels
            .iter()
            .map(|level| Row {
                header: html! {
                    (country_name(countries, level.country, lang))
                    @if let Some(place) = &level.place {
                        " — " (places.iter().find(|p| &p.code == place).map_or(place.as_str(), |p| p.name.as_str()))
                    }
                },
                cells: vec![
                    html! {
                        (level_name(translator, lang, level.set_level))
                        @if let Some(set) = &level.set {
                            br; small { (set.level.reason) }
                        }
                    },
                    html! { strong { (level_name(translator, lang, level.effective_level)) } },
                    html! {
                        @if level.required.is_empty() {
                            (t("alerts-levels-nothing"))
                        } @else {
                            ul class="plain" {
                                @for action in &level.required {
                                    li { (action_name(translator, lang, *action)) }
                                }
                            }
                        }
                    },
                ],
            })
            .collect(),
        note: None,
        id: Some("alert-levels".to_owned()),
    }
}

fn stranded_table(
    translator: &Translator,
    lang: Lang,
    stranded: &[StoredStranded],
    countries: &[Country],
) -> Table {
    let t = |id: &str| translator.get(lang, id, &[]);
    Table {
        caption: t("alerts-stranded-caption"),
        columns: vec![
            Column::text(t("alerts-stranded-col-where")),
            Column::numeric(t("alerts-stranded-col-people")),
            Column::text(t("alerts-stranded-col-by")),
            Column::numeric(t("alerts-stranded-col-shelter")),
            Column::text(t("alerts-stranded-col-state")),
        ],
        rows: stranded
            .iter()
            .map(|stored| {
                let population = &stored.population;
                let parts = population.parts();
                Row {
                    header: html! {
                        (parts.location.description()) " (" (country_name(countries, parts.country, lang)) ")"
                    },
                    cells: vec![
                        html! { (format_count(lang, u64::from(parts.estimated_people))) },
                        html! { (parts.estimated_by) ", " (time_words(lang, parts.estimated_at)) },
                        html! {
                            @match parts.shelter {
                                Some(shelter) => {
                                    (format_count(lang, u64::from(shelter.capacity))) " / " (format_count(lang, u64::from(shelter.occupancy)))
                                }
                                None => (t("alerts-stranded-no-shelter")),
                            }
                        },
                        html! {
                            @if population.overcrowded() {
                                strong {
                                    (translator.get(lang, "alerts-stranded-overcrowded", &[(
                                        "count",
                                        Arg::Count(u64::from(population.unsheltered().unwrap_or(0))),
                                    )]))
                                }
                            } @else if parts.shelter.is_some() {
                                (t("alerts-stranded-within"))
                            } @else {
                                (t("alerts-stranded-no-shelter"))
                            }
                        },
                    ],
                }
            })
            .collect(),
        note: None,
        id: Some("stranded".to_owned()),
    }
}

// ---------------------------------------------------------------------------------------
// The detail

fn parse_id(raw: &str) -> Option<AlertId> {
    raw.parse::<i64>().ok().filter(|id| *id > 0).map(AlertId)
}

async fn alert_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(raw_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = language(query.as_deref(), &headers);
    let query = query.as_deref();
    let path = format!("/alerts/{raw_id}");
    let Some(id) = parse_id(&raw_id) else {
        return not_found(lang, &path);
    };
    let caller = &visitor.caller;
    let loaded = async {
        let view = state.app.alert(caller, id).await?;
        Ok::<_, AppError>((
            view,
            state.app.countries().await?,
            state.app.places().await?,
            state.app.corridors().await?,
        ))
    };
    let (view, countries, places, corridors) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return app_error(lang, &path, query, &headers, &error),
    };
    let translator = translator();
    let title = headline(&view.stored, lang);
    let forms = DetailForms::for_visitor(&visitor, &view);
    let own_places: Vec<Place> = places
        .iter()
        .filter(|place| place.country == view.stored.alert.issuing_country())
        .cloned()
        .collect();
    let main = html! {
        p { a href=(format!("/alerts?lang={}", lang.code())) { "← " (translator.get(lang, "alert-detail-back", &[])) } }
        h1 { (title) }
        (live_region(translator, lang, Some(id)))
        (detail_main(translator, lang, &view, &countries, &places))
        @if let Some(token) = forms.issuer {
            (issuer_forms(translator, lang, &view, token, &countries, &own_places, &corridors))
        }
        @if let Some(token) = forms.recipient {
            (recipient_forms(translator, lang, &view, token))
        }
    };
    alert_response(&visitor, lang, &title, &path, query, StatusCode::OK, main)
}

/// Which forms the detail page draws: the form token when the visitor's role plausibly
/// may use them (the app decides when the form is sent).
struct DetailForms<'a> {
    issuer: Option<&'a str>,
    recipient: Option<&'a str>,
}

impl<'a> DetailForms<'a> {
    fn for_visitor(visitor: &'a Visitor, view: &AlertView) -> DetailForms<'a> {
        let alert = &view.stored.alert;
        let token = visitor.csrf_token();
        let issuer = issuing_country_of(&visitor.caller)
            .filter(|country| *country == alert.issuing_country())
            .filter(|_| matches!(alert.state(), AlertState::Draft | AlertState::Active));
        let recipient = visitor
            .caller
            .country()
            .filter(|country| authorize(&visitor.caller, &Action::RespondToAlert(*country)).is_ok())
            .filter(|country| alert.is_recipient(*country))
            .filter(|_| matches!(alert.state(), AlertState::Active | AlertState::Closed));
        DetailForms {
            issuer: token.filter(|_| issuer.is_some()),
            recipient: token.filter(|_| recipient.is_some()),
        }
    }
}

fn detail_main(
    translator: &Translator,
    lang: Lang,
    view: &AlertView,
    countries: &[Country],
    places: &[Place],
) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    let alert = &view.stored.alert;
    let latest = alert.latest();
    let content = &latest.content;
    let parts = content.composition.parts();
    let name = |code: CountryCode| country_name(countries, code, lang);
    let area_words = match content.location.area() {
        Area::Place { place } => translator.get(
            lang,
            "alert-detail-area-place",
            &[(
                "value",
                Arg::Text(
                    places
                        .iter()
                        .find(|p| &p.code == place)
                        .map_or(place.as_str(), |p| p.name.as_str()),
                ),
            )],
        ),
        Area::Circle { centre, radius_km } => format!(
            "{} {}, {}",
            translator.get(
                lang,
                "alert-detail-area-circle",
                &[("value", Arg::Text(&radius_km.to_string()))],
            ),
            centre.latitude,
            centre.longitude
        ),
        Area::Polygon { points } => translator.get(
            lang,
            "alert-detail-area-polygon",
            &[("count", Arg::Count(points.len().saturating_sub(1) as u64))],
        ),
    };
    let groups: Vec<(&str, Option<u32>)> = vec![
        ("alert-group-total", Some(parts.estimated_people)),
        ("alert-group-women", parts.women),
        ("alert-group-children", parts.children),
        (
            "alert-group-unaccompanied-children",
            parts.unaccompanied_children,
        ),
        ("alert-group-pregnant-women", parts.pregnant_women),
        (
            "alert-group-people-with-disabilities",
            parts.people_with_disabilities,
        ),
        ("alert-group-older-people", parts.older_people),
    ];
    let composition = Table {
        caption: t("alert-detail-composition-caption"),
        columns: vec![
            Column::text(t("alert-detail-group")),
            Column::numeric(t("alert-detail-count")),
        ],
        rows: groups
            .iter()
            .map(|(id, count)| Row {
                header: html! { (t(id)) },
                cells: vec![html! {
                    @match count {
                        Some(count) => (format_count(lang, u64::from(*count))),
                        None => (t("alert-detail-unknown")),
                    }
                }],
            })
            .chain(parts.nationalities.iter().map(|estimate| Row {
                header: html! {
                    (t("alert-detail-nationalities")) ": "
                    (estimate.nationality.country().map_or(estimate.nationality.to_string(), name))
                },
                cells: vec![html! { (format_count(lang, u64::from(estimate.estimated_people))) }],
            }))
            .collect(),
        note: None,
        id: Some("composition".to_owned()),
    };
    let outstanding = |country: CountryCode| {
        view.outstanding
            .iter()
            .find(|(c, _)| *c == country)
            .map(|(_, actions)| actions.as_slice())
            .unwrap_or_default()
    };
    let recipients = Table {
        caption: t("alert-detail-recipients-caption"),
        columns: vec![
            Column::text(t("alert-detail-col-country")),
            Column::text(t("alert-detail-col-window")),
            Column::text(t("alert-detail-col-acknowledged")),
            Column::text(t("alert-detail-col-actions")),
            Column::text(t("alert-detail-col-outstanding")),
        ],
        rows: alert
            .recipients()
            .iter()
            .map(|recipient| {
                let country = recipient.country;
                let acknowledgement = alert
                    .acknowledgements()
                    .iter()
                    .rev()
                    .find(|a| a.country == country);
                let records: Vec<_> = alert
                    .action_records()
                    .iter()
                    .filter(|record| record.country == country)
                    .collect();
                let missing = outstanding(country);
                Row {
                    header: html! {
                        (name(country))
                        @if recipient.added_by_issuer { br; small { (t("alert-detail-added-by-issuer")) } }
                    },
                    cells: vec![
                        html! { (window_words(translator, lang, recipient)) },
                        html! {
                            @match acknowledgement {
                                Some(ack) => {
                                    (t("alert-detail-acknowledged-by")) " " (ack.by) ", " (time_element(lang, ack.at))
                                }
                                None => {
                                    (t("alerts-not-yet"))
                                    @if view.overdue.contains(&country) {
                                        br; strong class="overdue" { (t("alert-detail-overdue-mark")) }
                                    }
                                }
                            }
                        },
                        html! {
                            @if records.is_empty() {
                                (t("alert-detail-no-actions"))
                            } @else {
                                ul class="plain" {
                                    @for record in &records {
                                        li {
                                            (action_name(translator, lang, record.action)) ": "
                                            strong { (status_name(translator, lang, record.status)) }
                                            @if let Some(note) = &record.note { " (" (note) ")" }
                                            " — " (record.by) ", " (time_element(lang, record.at))
                                        }
                                    }
                                }
                            }
                        },
                        html! {
                            @if missing.is_empty() {
                                (t("alert-detail-nothing-outstanding"))
                            } @else {
                                ul class="plain" {
                                    @for action in missing { li { (action_name(translator, lang, *action)) } }
                                }
                            }
                        },
                    ],
                }
            })
            .collect(),
        note: None,
        id: Some("recipients".to_owned()),
    };
    let overdue_names: Vec<String> = view.overdue.iter().map(|c| name(*c)).collect();
    html! {
        section aria-labelledby="summary-heading" {
            h2 id="summary-heading" { (t("alert-detail-summary")) }
            dl class="facts" {
                dt { (t("alert-detail-state")) }
                dd { strong { (state_name(translator, lang, alert.state())) } " · " (translator.get(lang, "alert-detail-version", &[("count", Arg::Count(u64::from(latest.number)))])) }
                dt { (t("alert-detail-issuer")) }
                dd { (name(alert.issuing_country())) }
                dt { (t("alert-detail-stage")) }
                dd { (stage_name(translator, lang, content.stage)) }
                dt { (t("alert-detail-route")) }
                dd { (content.route.corridor) " · " (direction_name(translator, lang, content.route.direction)) }
                dt { (t("alert-detail-location")) }
                dd { (content.location.description()) " (" (area_words) ")" }
            }
        }
        @if !overdue_names.is_empty() {
            p class="form-error overdue" {
                strong { (translator.get(lang, "alert-detail-overdue", &[("value", Arg::Text(&overdue_names.join(", ")))])) }
            }
        }
        section aria-labelledby="text-heading" {
            h2 id="text-heading" { (t("alert-detail-text")) }
            @for (block, language, heading) in [(content.text.spanish(), "es", "alert-detail-text-es"), (content.text.english(), "en", "alert-detail-text-en")] {
                @if let Some(block) = block {
                    div class="alert-text" lang=(language) {
                        h3 lang=(lang.code()) { (t(heading)) }
                        p { strong { (block.headline) } }
                        p { (block.description) }
                        @if let Some(instruction) = &block.instruction {
                            p { em lang=(lang.code()) { (t("alert-detail-instruction")) ": " } (instruction) }
                        }
                    }
                }
            }
        }
        section aria-labelledby="composition-heading" {
            h2 id="composition-heading" { (t("alert-detail-composition")) }
            (table(&composition))
        }
        section aria-labelledby="needs-heading" {
            h2 id="needs-heading" { (t("alert-detail-needs")) }
            @if content.needs.actions.is_empty() && content.needs.note.is_none() {
                p { (t("alert-detail-needs-none")) }
            } @else {
                ul {
                    @for action in &content.needs.actions { li { (action_name(translator, lang, *action)) } }
                }
                @if let Some(note) = &content.needs.note { p { (note) } }
            }
        }
        section aria-labelledby="recipients-heading" {
            h2 id="recipients-heading" { (t("alert-detail-recipients")) }
            (table(&recipients))
        }
        section aria-labelledby="timeline-heading" {
            h2 id="timeline-heading" { (t("alert-detail-timeline")) }
            @if view.timeline.is_empty() {
                p { (t("alert-detail-timeline-empty")) }
            } @else {
                ol class="timeline" id="timeline" {
                    @for entry in &view.timeline {
                        li {
                            (time_element(lang, entry.at)) " — "
                            strong { (vocabulary_word(translator, lang, "alert-timeline", &entry.kind)) }
                            @if let Some(country) = entry.country { " · " (name(country)) }
                            @if !entry.by.is_empty() { " · " (t("alert-detail-by")) " " (entry.by) }
                            @if !entry.detail.is_empty() { ": " (timeline_detail(translator, lang, &entry.detail)) }
                        }
                    }
                }
            }
        }
    }
}

/// The app writes an action's entry as `health_care: guaranteed (note)`; the page names the
/// action and the status in the reader's language and leaves any other detail as written.
fn timeline_detail(translator: &Translator, lang: Lang, detail: &str) -> String {
    let Some((action, rest)) = detail.split_once(": ") else {
        return detail.to_owned();
    };
    let Ok(action) = RequiredAction::parse(action) else {
        return detail.to_owned();
    };
    let (status, note) = match rest.split_once(' ') {
        Some((status, note)) => (status, Some(note)),
        None => (rest, None),
    };
    match ActionStatus::parse(status) {
        Ok(status) => {
            let mut words = format!(
                "{}: {}",
                action_name(translator, lang, action),
                status_name(translator, lang, status)
            );
            if let Some(note) = note {
                words.push(' ');
                words.push_str(note);
            }
            words
        }
        Err(_) => detail.to_owned(),
    }
}

fn hidden_fields(lang: Lang, token: &str) -> Markup {
    html! {
        input type="hidden" name="csrf" value=(token);
        input type="hidden" name="lang" value=(lang.code());
    }
}

fn issuer_forms(
    translator: &Translator,
    lang: Lang,
    view: &AlertView,
    token: &str,
    countries: &[Country],
    places: &[Place],
    corridors: &[corredor_core::Corridor],
) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    let alert = &view.stored.alert;
    let id = view.stored.id().0;
    let others: Vec<&Country> = countries
        .iter()
        .filter(|c| c.code != alert.issuing_country() && !alert.is_recipient(c.code))
        .collect();
    let draft = alert.state() == AlertState::Draft;
    html! {
        section aria-labelledby="issuer-heading" class="alert-forms" {
            h2 id="issuer-heading" { (t("alert-form-issuer-heading")) }
            @if draft {
                form method="post" action=(format!("/alerts/{id}/activate")) {
                    (hidden_fields(lang, token))
                    button type="submit" { (t("alert-form-activate")) }
                }
            } @else {
                form method="post" action=(format!("/alerts/{id}/close")) {
                    (hidden_fields(lang, token))
                    button type="submit" { (t("alert-form-close")) }
                }
            }
            form method="post" action=(format!("/alerts/{id}/cancel")) {
                (hidden_fields(lang, token))
                h3 { (t("alert-form-cancel-heading")) }
                label for="cancel-reason" { (t("alert-form-cancel-reason")) }
                textarea id="cancel-reason" name="reason" rows="2" required {}
                button type="submit" { (t("alert-form-cancel")) }
            }
            @if !others.is_empty() {
                form method="post" action=(format!("/alerts/{id}/recipients")) {
                    (hidden_fields(lang, token))
                    h3 { (t("alert-form-add-recipient-heading")) }
                    label for="recipient-country" { (t("alert-form-country")) }
                    select id="recipient-country" name="country" {
                        @for country in &others {
                            option value=(country.code.as_str()) { (country_name(countries, country.code, lang)) }
                        }
                    }
                    button type="submit" { (t("alert-form-add-recipient")) }
                }
            }
            (issue::update_form(translator, lang, view, token, places, corridors, &[]))
        }
    }
}

fn recipient_forms(translator: &Translator, lang: Lang, view: &AlertView, token: &str) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    let alert = &view.stored.alert;
    let id = view.stored.id().0;
    html! {
        section aria-labelledby="recipient-heading" class="alert-forms" {
            h2 id="recipient-heading" { (t("alert-form-recipient-heading")) }
            @if alert.state() == AlertState::Active {
                form method="post" action=(format!("/alerts/{id}/acknowledge")) {
                    (hidden_fields(lang, token))
                    button type="submit" { (t("alert-form-acknowledge")) }
                }
            }
            form method="post" action=(format!("/alerts/{id}/actions")) {
                (hidden_fields(lang, token))
                h3 { (t("alert-form-action-heading")) }
                div class="field" {
                    label for="action" { (t("alert-form-action")) }
                    select id="action" name="action" {
                        @for action in RequiredAction::ALL {
                            option value=(action.code()) { (action_name(translator, lang, *action)) }
                        }
                    }
                }
                div class="field" {
                    label for="status" { (t("alert-form-status")) }
                    select id="status" name="status" {
                        @for status in ActionStatus::ALL {
                            option value=(status.code()) { (status_name(translator, lang, *status)) }
                        }
                    }
                }
                div class="field" {
                    label for="note" { (t("alert-form-note")) }
                    textarea id="note" name="note" rows="2" {}
                }
                button type="submit" { (t("alert-form-record")) }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The steps

/// A posted step on an alert: the form read, its token checked, the alert's id parsed.
pub(super) struct Step {
    pub form: Form,
    pub id: AlertId,
    pub path: String,
}

impl Step {
    pub async fn read(visitor: &Visitor, raw_id: &str, request: Request) -> Result<Step, Response> {
        let form = Form::read(request).await?;
        if !visitor.csrf_matches(form.get("csrf").unwrap_or_default()) {
            return Err(forbidden_form(form.lang));
        }
        let path = format!("/alerts/{raw_id}");
        let id = parse_id(raw_id).ok_or_else(|| not_found(form.lang, &path))?;
        Ok(Step { form, id, path })
    }

    /// Back to the alert after a change, or the refusal.
    pub fn done(&self, outcome: Result<StoredAlert, AppError>) -> Response {
        let lang = self.form.lang;
        match outcome {
            Ok(_) => {
                let mut response = Redirect::to(&alert_href(self.id, lang)).into_response();
                *response.status_mut() = StatusCode::SEE_OTHER;
                response
            }
            Err(error) => app_error(lang, &self.path, None, &self.form.headers, &error),
        }
    }
}

async fn activate(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(raw_id): Path<String>,
    request: Request,
) -> Response {
    let step = match Step::read(&visitor, &raw_id, request).await {
        Ok(step) => step,
        Err(response) => return response,
    };
    step.done(state.app.activate_alert(&visitor.caller, step.id).await)
}

async fn close(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(raw_id): Path<String>,
    request: Request,
) -> Response {
    let step = match Step::read(&visitor, &raw_id, request).await {
        Ok(step) => step,
        Err(response) => return response,
    };
    step.done(state.app.close_alert(&visitor.caller, step.id).await)
}

async fn cancel(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(raw_id): Path<String>,
    request: Request,
) -> Response {
    let step = match Step::read(&visitor, &raw_id, request).await {
        Ok(step) => step,
        Err(response) => return response,
    };
    let reason = step
        .form
        .get("reason")
        .unwrap_or_default()
        .trim()
        .to_owned();
    step.done(
        state
            .app
            .cancel_alert(&visitor.caller, step.id, &reason)
            .await,
    )
}

async fn add_recipient(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(raw_id): Path<String>,
    request: Request,
) -> Response {
    let step = match Step::read(&visitor, &raw_id, request).await {
        Ok(step) => step,
        Err(response) => return response,
    };
    let country = match CountryCode::parse(step.form.get("country").unwrap_or_default()) {
        Ok(country) => country,
        Err(error) => {
            return refused(
                step.form.lang,
                &step.path,
                StatusCode::UNPROCESSABLE_ENTITY,
                &error.to_string(),
            )
        }
    };
    step.done(
        state
            .app
            .add_alert_recipient(&visitor.caller, step.id, country)
            .await,
    )
}

async fn acknowledge(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(raw_id): Path<String>,
    request: Request,
) -> Response {
    let step = match Step::read(&visitor, &raw_id, request).await {
        Ok(step) => step,
        Err(response) => return response,
    };
    step.done(state.app.acknowledge_alert(&visitor.caller, step.id).await)
}

async fn record_action(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(raw_id): Path<String>,
    request: Request,
) -> Response {
    let step = match Step::read(&visitor, &raw_id, request).await {
        Ok(step) => step,
        Err(response) => return response,
    };
    let lang = step.form.lang;
    let action = RequiredAction::parse(step.form.get("action").unwrap_or_default());
    let status = ActionStatus::parse(step.form.get("status").unwrap_or_default());
    let (action, status) = match (action, status) {
        (Ok(action), Ok(status)) => (action, status),
        (Err(error), _) | (_, Err(error)) => {
            return refused(
                lang,
                &step.path,
                StatusCode::UNPROCESSABLE_ENTITY,
                &error.to_string(),
            )
        }
    };
    let note = step
        .form
        .get("note")
        .map(str::trim)
        .filter(|note| !note.is_empty())
        .map(str::to_owned);
    step.done(
        state
            .app
            .record_alert_action(&visitor.caller, step.id, action, status, note)
            .await,
    )
}
