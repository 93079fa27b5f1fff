//! The pages of assisted voluntary return: `/returns` (a country's operations, and the
//! region's aggregates), `/returns/{id}` (one operation: group, plan, reception needs,
//! safeguards, difference, history and the workflow forms) and `/territories/{country}`
//! (returnees received, reintegration outcomes and prevention programmes per first-level
//! division).
//!
//! What a reader sees is the app's decision (`returns`, `return_operation`,
//! `return_aggregates`, `territories`): the page shows what it returns, so case references
//! and small counts reach only those the app gives them to. A form is drawn for the side that
//! plausibly may use it; the app decides when it is sent, and a refusal is shown on the
//! refusal page with nothing changed.

use std::collections::BTreeMap;

use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use corredor_app::{
    AppError, DisclosedCount, NewReintegration, NewReturn, ReturnAggregates, ReturnView,
};
use corredor_core::returns::{
    BestInterestDetermination, CaseReference, CaseSafeguards, Cohort, FollowUp, GroupDifference,
    MissingSafeguard, PreventionProgrammeParts, ProgrammeType, Provider, ReceptionNeed,
    ReceptionNeeds, ReceptionParts, ReintegrationService, ReturnGroup, ReturnGroupParts,
    ReturnOperationId, ReturnPlan, ReturnPoint, ReturnState, ServiceDelivery, TerritoryCode,
    Transport,
};
use corredor_core::{AgeGroup, Caller, Country, CountryCode, Place, PlaceCode, Role, Sex};
use maud::{html, Markup};
use serde_json::Value;

use super::form::{app_error, forbidden_form, not_found, refused, Form};
use super::{country_name, html_response, language, page_frame, translator};
use crate::auth::Visitor;
use crate::render::divisions::{
    division_map, divisions_of, shipped_divisions, DivisionFigure, DivisionMap, MapDivision,
};
use crate::render::format::{format_count, format_date};
use crate::render::i18n::Arg;
use crate::render::layout::{page, sign_in_href, table, Column, Row, Table};
use crate::render::{Lang, Translator};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/returns", get(returns_page).post(create_draft))
        .route("/returns/new", get(new_return_page))
        .route("/returns/{id}", get(return_page))
        .route("/returns/{id}/safeguards", post(safeguards))
        .route("/returns/{id}/propose", post(propose))
        .route("/returns/{id}/accept", post(accept))
        .route("/returns/{id}/reschedule", post(reschedule))
        .route("/returns/{id}/decline", post(decline))
        .route("/returns/{id}/depart", post(depart))
        .route("/returns/{id}/receive", post(receive))
        .route("/returns/{id}/close", post(close))
        .route("/returns/{id}/cancel", post(cancel))
        .route("/territories/{country}", get(territories_page))
        .route(
            "/territories/{country}/reintegration",
            post(record_reintegration),
        )
        .route("/territories/{country}/programmes", post(record_programme))
}

// ---------------------------------------------------------------------------------------
// Words and shared pieces

fn word(translator: &Translator, lang: Lang, prefix: &str, code: &str) -> String {
    translator.get(lang, &format!("{prefix}-{}", code.replace('_', "-")), &[])
}

fn state_name(translator: &Translator, lang: Lang, state: ReturnState) -> String {
    word(translator, lang, "return-state", state.code())
}

/// A signed difference: `+2`, `−1`, `0`.
fn signed(lang: Lang, value: i64) -> String {
    let magnitude = format_count(lang, value.unsigned_abs());
    match value.signum() {
        1 => format!("+{magnitude}"),
        -1 => format!("−{magnitude}"),
        _ => magnitude,
    }
}

fn point_words(point: &ReturnPoint, places: &[Place]) -> String {
    match point {
        ReturnPoint::Place { place } => places
            .iter()
            .find(|known| &known.code == place)
            .map_or_else(|| place.as_str().to_owned(), |known| known.name.clone()),
        ReturnPoint::Described { description } => description.clone(),
    }
}

fn missing_words(translator: &Translator, lang: Lang, missing: &MissingSafeguard) -> String {
    let label = word(translator, lang, "return-safeguard", missing.code());
    match *missing {
        MissingSafeguard::NotRecorded => label,
        MissingSafeguard::InformedConsent { people, cases }
        | MissingSafeguard::NonRefoulement { people, cases } => format!(
            "{label}: {}",
            translator.get(
                lang,
                "return-missing-people",
                &[
                    ("count", Arg::Count(u64::from(people))),
                    ("value", Arg::Text(&format_count(lang, u64::from(cases)))),
                ],
            )
        ),
        MissingSafeguard::BestInterestDetermination { children, cases } => format!(
            "{label}: {}",
            translator.get(
                lang,
                "return-missing-children",
                &[
                    ("count", Arg::Count(u64::from(children))),
                    ("value", Arg::Text(&format_count(lang, u64::from(cases)))),
                ],
            )
        ),
    }
}

fn safeguards_cell(translator: &Translator, lang: Lang, view: &ReturnView) -> Markup {
    html! {
        @if view.missing_safeguards.is_empty() {
            (translator.get(lang, "return-safeguards-complete", &[]))
        } @else {
            ul class="plain" {
                @for missing in &view.missing_safeguards {
                    li { strong { (missing_words(translator, lang, missing)) } }
                }
            }
        }
    }
}

fn return_href(id: ReturnOperationId, lang: Lang) -> String {
    format!("/returns/{}?lang={}", id.0, lang.code())
}

/// A page of this module, not stored by caches (it shows one reader's operations).
fn returns_response(
    visitor: &Visitor,
    lang: Lang,
    title: &str,
    path: &str,
    query: Option<&str>,
    main: Markup,
) -> Response {
    let translator = translator();
    let mut response = page_frame(visitor, lang, title, path, query, |frame| {
        html_response(StatusCode::OK, page(translator, frame, main), lang)
    });
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

// ---------------------------------------------------------------------------------------
// The list

async fn returns_page(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = language(query.as_deref(), &headers);
    let query = query.as_deref();
    let caller = &visitor.caller;
    if *caller == Caller::Anonymous {
        return Redirect::to(&sign_in_href("/returns", query, lang)).into_response();
    }
    // Observers (and anyone the app refuses the operations to) see the aggregates only.
    let operations = match state.app.returns(caller, None).await {
        Ok(mut operations) => {
            // Newest first: the order operations were drafted in, not the order they changed.
            operations.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
            Some(operations)
        }
        Err(AppError::Forbidden(_)) => None,
        Err(error) => return app_error(lang, "/returns", query, &headers, &error),
    };
    let loaded = async {
        Ok::<_, AppError>((
            state.app.return_aggregates(caller).await?,
            state.app.countries().await?,
            state.app.places().await?,
        ))
    };
    let (aggregates, countries, places) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return app_error(lang, "/returns", query, &headers, &error),
    };
    let translator = translator();
    let t = |id: &str| translator.get(lang, id, &[]);
    let title = t("returns-title");
    let main = html! {
        h1 { (title) }
        p class="lead" { (t("returns-intro")) }
        @if let Some(operations) = &operations {
            h2 { (t("returns-operations-heading")) }
            @if operations.is_empty() {
                p class="no-data" { (t("returns-none")) }
            } @else {
                (table(&operations_table(translator, lang, operations, &countries, &places)))
            }
        }
        h2 { (t("returns-aggregates-heading")) }
        (aggregates_section(translator, lang, &aggregates, &countries))
        @if let Some(country) = caller.country() {
            p { a href=(format!("/territories/{}?lang={}", country.as_str(), lang.code())) { (t("returns-territories-link")) } }
        }
        @if focal_country(caller).is_some() {
            p { a id="propose-return" href=(format!("/returns/new?lang={}", lang.code())) { (t("return-new-link")) } }
        }
    };
    returns_response(&visitor, lang, &title, "/returns", query, main)
}

fn operations_table(
    translator: &Translator,
    lang: Lang,
    operations: &[ReturnView],
    countries: &[Country],
    places: &[Place],
) -> Table {
    let t = |id: &str| translator.get(lang, id, &[]);
    let name = |code: CountryCode| country_name(countries, code, lang);
    Table {
        caption: t("returns-table-caption"),
        columns: vec![
            Column::text(t("returns-col-operation")),
            Column::text(t("returns-col-state")),
            Column::text(t("returns-col-route")),
            Column::numeric(t("returns-col-people")),
            Column::text(t("returns-col-date")),
            Column::text(t("returns-col-transport")),
            Column::text(t("returns-col-points")),
            Column::text(t("returns-col-safeguards")),
            Column::text(t("returns-col-received")),
        ],
        rows: operations
            .iter()
            .map(|view| {
                let plan = &view.operation.plan;
                Row {
                    header: html! {
                        a href=(return_href(view.id, lang)) {
                            (translator.get(lang, "return-number", &[("value", Arg::Text(&view.id.0.to_string()))]))
                        }
                    },
                    cells: vec![
                        html! { (state_name(translator, lang, view.state)) },
                        html! { (name(view.host)) " → " (name(view.origin)) },
                        html! { (format_count(lang, u64::from(plan.group.people()))) },
                        html! { (format_date(lang, plan.planned_date)) },
                        html! { (word(translator, lang, "return-transport", plan.transport.code())) },
                        html! { (point_words(&plan.departure, places)) " → " (point_words(&plan.reception_point, places)) },
                        html! { (safeguards_cell(translator, lang, view)) },
                        html! {
                            @match (&view.operation.reception, &view.difference) {
                                (Some(reception), Some(difference)) => {
                                    (format_count(lang, u64::from(reception.group.people())))
                                    " (" (signed(lang, difference.people)) ")"
                                }
                                _ => "–",
                            }
                        },
                    ],
                }
            })
            .collect(),
        note: None,
        id: Some("returns".to_owned()),
    }
}

fn disclosed(lang: Lang, count: &DisclosedCount) -> String {
    match count {
        DisclosedCount::Shown(count) => format_count(lang, *count),
        // The app already wrote it as the reader may see it ("<5").
        DisclosedCount::Suppressed(words) => words.clone(),
    }
}

fn aggregates_section(
    translator: &Translator,
    lang: Lang,
    aggregates: &ReturnAggregates,
    countries: &[Country],
) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    if aggregates.pairs.is_empty() {
        return html! { p class="no-data" { (t("returns-aggregates-none")) } };
    }
    let suppressed = aggregates.pairs.iter().any(|pair| pair.suppressed);
    table(&Table {
        caption: t("returns-aggregates-caption"),
        columns: vec![
            Column::text(t("returns-col-route")),
            Column::numeric(t("returns-col-operations")),
            Column::numeric(t("returns-col-planned")),
            Column::numeric(t("returns-col-received-people")),
        ],
        rows: aggregates
            .pairs
            .iter()
            .map(|pair| Row {
                header: html! {
                    (country_name(countries, pair.host, lang)) " → " (country_name(countries, pair.origin, lang))
                },
                cells: vec![
                    html! { (disclosed(lang, &pair.operations)) },
                    html! { (disclosed(lang, &pair.people_planned)) },
                    html! { (disclosed(lang, &pair.people_received)) },
                ],
            })
            .collect(),
        note: suppressed.then(|| {
            translator.get(
                lang,
                "returns-aggregates-suppressed",
                &[("count", Arg::Count(aggregates.threshold))],
            )
        }),
        id: Some("return-aggregates".to_owned()),
    })
}

// ---------------------------------------------------------------------------------------
// The detail

fn parse_id(raw: &str) -> Option<ReturnOperationId> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(ReturnOperationId)
}

async fn return_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(raw_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = language(query.as_deref(), &headers);
    let query = query.as_deref();
    let path = format!("/returns/{raw_id}");
    let Some(id) = parse_id(&raw_id) else {
        return not_found(lang, &path);
    };
    let caller = &visitor.caller;
    let loaded = async {
        Ok::<_, AppError>((
            state.app.return_operation(caller, id).await?,
            state.app.countries().await?,
            state.app.places().await?,
        ))
    };
    let (view, countries, places) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return app_error(lang, &path, query, &headers, &error),
    };
    let translator = translator();
    let t = |id: &str| translator.get(lang, id, &[]);
    let title = format!(
        "{}: {} → {}",
        translator.get(
            lang,
            "return-number",
            &[("value", Arg::Text(&id.0.to_string()))]
        ),
        country_name(&countries, view.host, lang),
        country_name(&countries, view.origin, lang)
    );
    let main = html! {
        p { a href=(format!("/returns?lang={}", lang.code())) { "← " (t("return-back")) } }
        h1 { (title) }
        (detail_main(translator, lang, &view, &countries, &places))
        (workflow_forms(translator, lang, &visitor, &view))
    };
    returns_response(&visitor, lang, &title, &path, query, main)
}

/// The rows of a group's composition: (label, value) in the order a reader reads them.
fn group_rows(translator: &Translator, lang: Lang, parts: &ReturnGroupParts) -> Vec<(String, u32)> {
    let t = |id: &str| translator.get(lang, id, &[]);
    let mut rows = vec![(t("return-group-people"), parts.people)];
    for (sex, count) in &parts.by_sex {
        rows.push((word(translator, lang, "return-sex", sex.code()), *count));
    }
    for (age, count) in &parts.by_age_group {
        let label = if *age == AgeGroup::Unknown {
            t("return-age-unknown")
        } else {
            translator.get(lang, "return-age", &[("value", Arg::Text(age.code()))])
        };
        rows.push((label, *count));
    }
    rows.extend([
        (
            t("return-group-unaccompanied"),
            parts.unaccompanied_children,
        ),
        (t("return-group-separated"), parts.separated_children),
        (t("return-group-family-units"), parts.family_units),
        (t("return-group-in-families"), parts.people_in_family_units),
        (
            t("return-group-specific-needs"),
            parts.people_with_specific_needs,
        ),
    ]);
    rows
}

/// The difference for the row of `group_rows` at the same place.
fn difference_values(difference: &GroupDifference, parts: &ReturnGroupParts) -> Vec<i64> {
    let mut values = vec![difference.people];
    for sex in parts.by_sex.keys() {
        values.push(difference.by_sex.get(sex).copied().unwrap_or(0));
    }
    for age in parts.by_age_group.keys() {
        values.push(difference.by_age_group.get(age).copied().unwrap_or(0));
    }
    values.extend([
        difference.unaccompanied_children,
        difference.separated_children,
        difference.family_units,
        difference.people_in_family_units,
        difference.people_with_specific_needs,
    ]);
    values
}

fn composition_table(translator: &Translator, lang: Lang, view: &ReturnView) -> Table {
    let t = |id: &str| translator.get(lang, id, &[]);
    let planned = view.operation.plan.group.parts();
    let received = view.operation.reception.as_ref().map(|r| r.group.parts());
    let mut columns = vec![
        Column::text(t("return-detail-group")),
        Column::numeric(t("return-detail-planned")),
    ];
    if received.is_some() {
        columns.push(Column::numeric(t("return-detail-received")));
        columns.push(Column::numeric(t("return-detail-difference")));
    }
    let planned_rows = group_rows(translator, lang, planned);
    // The received group may name sexes or ages the plan did not: its rows are read by label.
    let received_rows: BTreeMap<String, u32> = received
        .map(|parts| group_rows(translator, lang, parts).into_iter().collect())
        .unwrap_or_default();
    let differences = view
        .difference
        .as_ref()
        .map(|difference| difference_values(difference, planned))
        .unwrap_or_default();
    Table {
        caption: t("return-detail-composition-caption"),
        columns,
        rows: planned_rows
            .iter()
            .enumerate()
            .map(|(index, (label, count))| {
                let mut cells = vec![html! { (format_count(lang, u64::from(*count))) }];
                if received.is_some() {
                    let got = received_rows.get(label).copied().unwrap_or(0);
                    cells.push(html! { (format_count(lang, u64::from(got))) });
                    let difference = differences
                        .get(index)
                        .copied()
                        .unwrap_or(i64::from(got) - i64::from(*count));
                    cells.push(html! { (signed(lang, difference)) });
                }
                Row {
                    header: html! { (label) },
                    cells,
                }
            })
            .collect(),
        note: None,
        id: Some("composition".to_owned()),
    }
}

fn detail_main(
    translator: &Translator,
    lang: Lang,
    view: &ReturnView,
    countries: &[Country],
    places: &[Place],
) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    let name = |code: CountryCode| country_name(countries, code, lang);
    let operation = &view.operation;
    let plan = &operation.plan;
    html! {
        section aria-labelledby="summary-heading" {
            h2 id="summary-heading" { (t("return-detail-summary")) }
            dl class="facts" {
                dt { (t("returns-col-state")) }
                dd { strong id="return-state" { (state_name(translator, lang, view.state)) } }
                dt { (t("return-detail-host")) }
                dd { (name(view.host)) }
                dt { (t("return-detail-origin")) }
                dd { (name(view.origin)) }
                dt { (t("returns-col-date")) }
                dd { (format_date(lang, plan.planned_date)) }
                dt { (t("returns-col-transport")) }
                dd { (word(translator, lang, "return-transport", plan.transport.code())) }
                dt { (t("return-detail-departure")) }
                dd { (point_words(&plan.departure, places)) }
                dt { (t("return-detail-reception-point")) }
                dd { (point_words(&plan.reception_point, places)) }
            }
        }
        @if let Some(difference) = &view.difference {
            p id="return-difference" class="form-error" {
                strong { (translator.get(lang, "return-detail-difference-words", &[("value", Arg::Text(&signed(lang, difference.people)))])) }
            }
        }
        section aria-labelledby="composition-heading" {
            h2 id="composition-heading" { (t("return-detail-composition")) }
            (table(&composition_table(translator, lang, view)))
            @if let Some(reception) = &operation.reception {
                @if !reception.by_territory.is_empty() {
                    p {
                        (t("return-detail-by-territory")) ": "
                        (reception.by_territory.iter().map(|(code, count)| format!("{} {}", code.as_str(), format_count(lang, u64::from(*count)))).collect::<Vec<_>>().join(", "))
                    }
                }
                @if let Some(note) = &reception.note { p { (t("return-detail-reception-note")) ": " (note) } }
                p { (t("return-detail-confirmed-by")) " " (reception.confirmed_by) ", " (time_words(lang, reception.confirmed_at)) }
            }
        }
        section aria-labelledby="needs-heading" {
            h2 id="needs-heading" { (t("return-detail-needs")) }
            @if plan.reception_needs.needs.is_empty() && plan.reception_needs.note.is_none() {
                p { (t("return-detail-needs-none")) }
            } @else {
                ul {
                    @for need in &plan.reception_needs.needs {
                        li { (word(translator, lang, "return-need", need.code())) }
                    }
                }
                @if let Some(note) = &plan.reception_needs.note { p { (note) } }
            }
        }
        section aria-labelledby="safeguards-heading" {
            h2 id="safeguards-heading" { (t("return-detail-safeguards")) }
            div id="safeguards" { (safeguards_cell(translator, lang, view)) }
            @if let Some(safeguards) = &operation.safeguards {
                @let totals = &safeguards.totals;
                p {
                    (translator.get(lang, "return-detail-safeguard-totals", &[
                        ("count", Arg::Count(u64::from(totals.cases))),
                        ("value", Arg::Text(&format_count(lang, u64::from(totals.informed_and_consented)))),
                    ]))
                    " " (t("return-detail-by")) " " (safeguards.recorded_by) ", " (time_words(lang, safeguards.recorded_at))
                }
                // The app fills the cases only for the two countries.
                @if view.cases_shown && !safeguards.cases.is_empty() {
                    h3 { (t("return-detail-cases")) }
                    ul class="plain" id="cases" {
                        @for case in &safeguards.cases {
                            li { code { (case.case.as_str()) } " · " (format_count(lang, u64::from(case.people))) }
                        }
                    }
                }
            }
        }
        section aria-labelledby="history-heading" {
            h2 id="history-heading" { (t("return-detail-history")) }
            ol class="timeline" id="history" {
                @for event in &operation.history {
                    li {
                        time datetime=(event.at.to_rfc3339()) { (time_words(lang, event.at)) } " — "
                        strong { (word(translator, lang, "return-step", event.step.code())) }
                        " → " (state_name(translator, lang, event.state))
                        " · " (t("return-detail-by")) " " (event.by)
                        @if let Some(date) = event.planned_date { " · " (format_date(lang, date)) }
                        @if let Some(reason) = &event.reason { ": " (reason) }
                    }
                }
            }
        }
    }
}

fn time_words(lang: Lang, at: chrono::DateTime<chrono::FixedOffset>) -> String {
    format!(
        "{} {} ({})",
        format_date(lang, at.date_naive()),
        at.format("%H:%M"),
        at.offset()
    )
}

fn hidden_fields(lang: Lang, token: &str) -> Markup {
    html! {
        input type="hidden" name="csrf" value=(token);
        input type="hidden" name="lang" value=(lang.code());
    }
}

fn number_field(id: &str, label: &str, value: u32) -> Markup {
    html! {
        div class="field" {
            label for=(id) { (label) }
            input type="number" min="0" step="1" id=(id) name=(id) value=(value);
        }
    }
}

/// The forms of the side the visitor is on: the origin's focal point accepts, reschedules,
/// declines and receives; the host's departs and cancels; either closes.
fn workflow_forms(
    translator: &Translator,
    lang: Lang,
    visitor: &Visitor,
    view: &ReturnView,
) -> Markup {
    let Some(token) = visitor.csrf_token() else {
        return html! {};
    };
    let focal_of = |country: CountryCode| match &visitor.caller {
        Caller::Principal(principal) => {
            principal.role == Role::FocalPoint && principal.country() == Some(country)
        }
        _ => false,
    };
    let (origin, host) = (focal_of(view.origin), focal_of(view.host));
    let t = |id: &str| translator.get(lang, id, &[]);
    let id = view.id.0;
    let state = view.state;
    let open = matches!(
        state,
        ReturnState::Proposed | ReturnState::Accepted | ReturnState::Rescheduled
    );
    let planned = view.operation.plan.group.parts();
    html! {
        @if origin || host {
            section aria-labelledby="forms-heading" class="alert-forms" {
                h2 id="forms-heading" { (t("return-forms-heading")) }
                @if host && matches!(state, ReturnState::Draft | ReturnState::Proposed | ReturnState::Accepted | ReturnState::Rescheduled) {
                    (safeguards_form(translator, lang, token, view))
                }
                @if host && state == ReturnState::Draft {
                    form method="post" action=(format!("/returns/{id}/propose")) {
                        (hidden_fields(lang, token))
                        p { (t("return-form-propose-intro")) }
                        button type="submit" { (t("return-form-propose")) }
                    }
                }
                @if origin && state == ReturnState::Proposed {
                    form method="post" action=(format!("/returns/{id}/accept")) {
                        (hidden_fields(lang, token))
                        button type="submit" { (t("return-form-accept")) }
                    }
                }
                @if origin && open {
                    form method="post" action=(format!("/returns/{id}/reschedule")) {
                        (hidden_fields(lang, token))
                        h3 { (t("return-form-reschedule-heading")) }
                        div class="field" {
                            label for="new-date" { (t("return-form-new-date")) }
                            input type="date" id="new-date" name="new_date" required;
                        }
                        div class="field" {
                            label for="reschedule-reason" { (t("return-form-reason")) }
                            textarea id="reschedule-reason" name="reason" rows="2" required {}
                        }
                        button type="submit" { (t("return-form-reschedule")) }
                    }
                    form method="post" action=(format!("/returns/{id}/decline")) {
                        (hidden_fields(lang, token))
                        h3 { (t("return-form-decline-heading")) }
                        div class="field" {
                            label for="decline-reason" { (t("return-form-reason")) }
                            textarea id="decline-reason" name="reason" rows="2" required {}
                        }
                        button type="submit" { (t("return-form-decline")) }
                    }
                }
                @if origin && state == ReturnState::Departed {
                    form method="post" action=(format!("/returns/{id}/receive")) {
                        (hidden_fields(lang, token))
                        h3 { (t("return-form-receive-heading")) }
                        p { (t("return-form-receive-intro")) }
                        (number_field("people", &t("return-group-people"), planned.people))
                        @for sex in Sex::ALL {
                            (number_field(&format!("sex_{}", sex.code()), &word(translator, lang, "return-sex", sex.code()), planned.by_sex.get(sex).copied().unwrap_or(0)))
                        }
                        @for (age, count) in &planned.by_age_group {
                            (number_field(&format!("age_{}", age.code()), &translator.get(lang, "return-age", &[("value", Arg::Text(age.code()))]), *count))
                        }
                        (number_field("unaccompanied_children", &t("return-group-unaccompanied"), planned.unaccompanied_children))
                        (number_field("separated_children", &t("return-group-separated"), planned.separated_children))
                        (number_field("family_units", &t("return-group-family-units"), planned.family_units))
                        (number_field("people_in_family_units", &t("return-group-in-families"), planned.people_in_family_units))
                        (number_field("people_with_specific_needs", &t("return-group-specific-needs"), planned.people_with_specific_needs))
                        div class="field" {
                            label for="by-territory" { (t("return-form-by-territory")) }
                            input type="text" id="by-territory" name="by_territory";
                        }
                        div class="field" {
                            label for="receive-note" { (t("return-form-note")) }
                            textarea id="receive-note" name="note" rows="2" {}
                        }
                        button type="submit" { (t("return-form-receive")) }
                    }
                }
                @if host && matches!(state, ReturnState::Accepted | ReturnState::Rescheduled) {
                    form method="post" action=(format!("/returns/{id}/depart")) {
                        (hidden_fields(lang, token))
                        button type="submit" { (t("return-form-depart")) }
                    }
                }
                @if state == ReturnState::Received {
                    form method="post" action=(format!("/returns/{id}/close")) {
                        (hidden_fields(lang, token))
                        button type="submit" { (t("return-form-close")) }
                    }
                }
                @if host && (open || matches!(state, ReturnState::Draft | ReturnState::Departed)) {
                    form method="post" action=(format!("/returns/{id}/cancel")) {
                        (hidden_fields(lang, token))
                        h3 { (t("return-form-cancel-heading")) }
                        div class="field" {
                            label for="cancel-reason" { (t("return-form-reason")) }
                            textarea id="cancel-reason" name="reason" rows="2" required {}
                        }
                        button type="submit" { (t("return-form-cancel")) }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The steps

/// A posted step on an operation: the form read, its token checked, the id parsed.
struct Step {
    form: Form,
    id: ReturnOperationId,
    path: String,
}

impl Step {
    async fn read(visitor: &Visitor, raw_id: &str, request: Request) -> Result<Step, Response> {
        let form = Form::read(request).await?;
        if !visitor.csrf_matches(form.get("csrf").unwrap_or_default()) {
            return Err(forbidden_form(form.lang));
        }
        let path = format!("/returns/{raw_id}");
        let id = parse_id(raw_id).ok_or_else(|| not_found(form.lang, &path))?;
        Ok(Step { form, id, path })
    }

    fn reason(&self) -> String {
        self.form
            .get("reason")
            .unwrap_or_default()
            .trim()
            .to_owned()
    }

    /// The refusal of a field the page could not read, naming it; nothing is written.
    fn bad_field(&self, field: &str, reason: &str) -> Response {
        refused(
            self.form.lang,
            &self.path,
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("{field}: {reason}"),
        )
    }

    /// Back to the operation after a change (303), or the refusal.
    fn done(&self, outcome: Result<ReturnView, AppError>) -> Response {
        let lang = self.form.lang;
        match outcome {
            Ok(_) => {
                let mut response = Redirect::to(&return_href(self.id, lang)).into_response();
                *response.status_mut() = StatusCode::SEE_OTHER;
                response
            }
            Err(error) => app_error(lang, &self.path, None, &self.form.headers, &error),
        }
    }
}

macro_rules! simple_step {
    ($name:ident, $method:ident) => {
        async fn $name(
            State(state): State<AppState>,
            visitor: Visitor,
            Path(raw_id): Path<String>,
            request: Request,
        ) -> Response {
            let step = match Step::read(&visitor, &raw_id, request).await {
                Ok(step) => step,
                Err(response) => return response,
            };
            step.done(state.app.$method(&visitor.caller, step.id).await)
        }
    };
}

macro_rules! reason_step {
    ($name:ident, $method:ident) => {
        async fn $name(
            State(state): State<AppState>,
            visitor: Visitor,
            Path(raw_id): Path<String>,
            request: Request,
        ) -> Response {
            let step = match Step::read(&visitor, &raw_id, request).await {
                Ok(step) => step,
                Err(response) => return response,
            };
            let reason = step.reason();
            step.done(state.app.$method(&visitor.caller, step.id, &reason).await)
        }
    };
}

simple_step!(accept, accept_return);
simple_step!(propose, propose_return);
simple_step!(depart, depart_return);
simple_step!(close, close_return);
reason_step!(decline, decline_return);
reason_step!(cancel, cancel_return);

async fn reschedule(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(raw_id): Path<String>,
    request: Request,
) -> Response {
    let step = match Step::read(&visitor, &raw_id, request).await {
        Ok(step) => step,
        Err(response) => return response,
    };
    let raw = step.form.get("new_date").unwrap_or_default().trim();
    let Ok(new_date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") else {
        return step.bad_field(
            "new_date",
            &format!("`{raw}` is not a date like 2026-12-17"),
        );
    };
    let reason = step.reason();
    step.done(
        state
            .app
            .reschedule_return(&visitor.caller, step.id, new_date, &reason)
            .await,
    )
}

/// A count of people from the receive form: empty is 0, anything but a whole number from 0
/// is refused naming the field.
fn count_field(form: &Form, field: &str) -> Result<u32, String> {
    let raw = form.get(field).unwrap_or_default().trim();
    if raw.is_empty() {
        return Ok(0);
    }
    raw.parse::<u32>()
        .map_err(|_| format!("`{raw}` is not a whole number of people, 0 or more"))
}

/// `CR-P:4, CR-SJ:2`: received people by the territory they go back to.
fn territories_field(raw: &str) -> Result<BTreeMap<TerritoryCode, u32>, String> {
    let mut by_territory = BTreeMap::new();
    for item in raw
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
    {
        let (code, count) = item
            .split_once(':')
            .ok_or_else(|| format!("`{item}` is not written as CODE:people, e.g. CR-P:4"))?;
        let code = TerritoryCode::parse(code.trim()).map_err(|error| error.to_string())?;
        let count = count
            .trim()
            .parse::<u32>()
            .map_err(|_| format!("`{}` is not a whole number of people", count.trim()))?;
        by_territory.insert(code, count);
    }
    Ok(by_territory)
}

fn reception_of(form: &Form) -> Result<ReceptionParts, (String, String)> {
    let count = |field: &str| count_field(form, field).map_err(|why| (field.to_owned(), why));
    let people = count("people")?;
    let mut by_sex = BTreeMap::new();
    for sex in Sex::ALL {
        let value = count(&format!("sex_{}", sex.code()))?;
        if value > 0 {
            by_sex.insert(*sex, value);
        }
    }
    let mut by_age_group = BTreeMap::new();
    for age in AgeGroup::ALL {
        let field = format!("age_{}", age.code());
        if form.get(&field).is_some() {
            by_age_group.insert(*age, count(&field)?);
        }
    }
    let group = ReturnGroup::new(ReturnGroupParts {
        people,
        by_sex,
        by_age_group,
        unaccompanied_children: count("unaccompanied_children")?,
        separated_children: count("separated_children")?,
        family_units: count("family_units")?,
        people_in_family_units: count("people_in_family_units")?,
        people_with_specific_needs: count("people_with_specific_needs")?,
    })
    .map_err(|error| ("people".to_owned(), error.to_string()))?;
    let by_territory = territories_field(form.get("by_territory").unwrap_or_default())
        .map_err(|why| ("by_territory".to_owned(), why))?;
    let note = form
        .get("note")
        .map(str::trim)
        .filter(|note| !note.is_empty())
        .map(str::to_owned);
    Ok(ReceptionParts {
        group,
        by_territory,
        note,
    })
}

async fn receive(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(raw_id): Path<String>,
    request: Request,
) -> Response {
    let step = match Step::read(&visitor, &raw_id, request).await {
        Ok(step) => step,
        Err(response) => return response,
    };
    let reception = match reception_of(&step.form) {
        Ok(reception) => reception,
        Err((field, why)) => return step.bad_field(&field, &why),
    };
    step.done(
        state
            .app
            .receive_return(&visitor.caller, step.id, reception)
            .await,
    )
}

// ---------------------------------------------------------------------------------------
// The territories

/// A count as the app returned it: a number, or the words it put in its place (`<5`,
/// `hidden`).
fn value_words(translator: &Translator, lang: Lang, value: Option<&Value>) -> String {
    match value {
        Some(Value::Number(number)) => number
            .as_u64()
            .map_or_else(|| number.to_string(), |count| format_count(lang, count)),
        Some(Value::String(text)) if text == "hidden" => {
            translator.get(lang, "territories-hidden", &[])
        }
        Some(Value::String(text)) => text.clone(),
        _ => "0".to_owned(),
    }
}

/// `9 (82 %)`: a count of people served, with its share of those followed up when both
/// counts are shown.
fn share_words(
    translator: &Translator,
    lang: Lang,
    served: Option<&Value>,
    followed_up: Option<&Value>,
) -> String {
    let words = value_words(translator, lang, served);
    match (
        served.and_then(Value::as_u64),
        followed_up.and_then(Value::as_u64),
    ) {
        (Some(served), Some(followed)) if followed > 0 => format!(
            "{words} ({} %)",
            crate::render::format::format_number(lang, 100.0 * served as f64 / followed as f64, 0)
        ),
        _ => words,
    }
}

const OUTCOME_SERVICES: [&str; 7] = [
    "identity_documents",
    "health_care",
    "psychosocial_support",
    "job_referral",
    "job_placement",
    "education",
    "cash_or_in_kind_support",
];

async fn territories_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(raw_country): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = language(query.as_deref(), &headers);
    let query = query.as_deref();
    let path = format!("/territories/{raw_country}");
    let Ok(country) = CountryCode::parse(&raw_country) else {
        return not_found(lang, &path);
    };
    let caller = &visitor.caller;
    let loaded = async {
        Ok::<_, AppError>((
            state.app.territories(caller, country).await?,
            state.app.countries().await?,
        ))
    };
    let (summary, countries) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return app_error(lang, &path, query, &headers, &error),
    };
    if !countries.iter().any(|known| known.code == country) {
        return not_found(lang, &path);
    }
    let translator = translator();
    let t = |id: &str| translator.get(lang, id, &[]);
    let name = country_name(&countries, country, lang);
    let title = translator.get(lang, "territories-title", &[("country", Arg::Text(&name))]);
    let territories: &[Value] = summary["territories"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let suppressed = summary["suppressed"].as_bool().unwrap_or(true);
    let main = html! {
        p { a href=(format!("/returns?lang={}", lang.code())) { "← " (t("territories-back")) } }
        h1 { (title) }
        p class="lead" { (t("territories-intro")) }
        @if suppressed {
            p class="note" { (t("territories-suppressed")) }
        }
        h2 { (t("territories-map-heading")) }
        (territories_map_section(translator, lang, country, &name, territories, map_year(query)))
        @if territories.is_empty() {
            p class="no-data" { (t("territories-none")) }
        } @else {
            h2 { (t("territories-received-heading")) }
            (table(&received_table(translator, lang, territories)))
            h2 { (t("territories-outcomes-heading")) }
            (table(&outcomes_table(translator, lang, territories)))
            h2 { (t("territories-programmes-heading")) }
            (programmes_section(translator, lang, territories))
        }
        @if let Some(months) = summary["received_without_territory"].as_object().filter(|months| !months.is_empty()) {
            p {
                (t("territories-without-territory")) ": "
                (months.iter().map(|(month, count)| format!("{month} {}", value_words(translator, lang, Some(count)))).collect::<Vec<_>>().join(", "))
            }
        }
        @if let (Some(token), true) = (visitor.csrf_token(), reports_for(caller, country)) {
            (territory_forms(translator, lang, token, country))
        }
    };
    returns_response(&visitor, lang, &title, &path, query, main)
}

/// The map of the country's first-level divisions shaded by returnees received over every
/// month of the figures, with the same figures as a table (name, code, count in words) that
/// the map's divisions link to; a sentence instead of the map for a country without
/// boundaries.
fn territories_map_section(
    translator: &Translator,
    lang: Lang,
    country: CountryCode,
    country_name: &str,
    territories: &[Value],
    year: Option<&str>,
) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    let outlines = divisions_of(shipped_divisions(), country);
    if outlines.is_empty() {
        return html! { p class="no-data" { (t("territories-map-no-geometry")) } };
    }
    let months = received_months(territories);
    let mut years: Vec<&str> = months.iter().filter_map(|month| month.get(..4)).collect();
    years.dedup();
    // A year without months in the figures shows every month, as without a year.
    let year = year.filter(|year| years.contains(year));
    let months: Vec<&String> = months
        .into_iter()
        .filter(|month| year.is_none_or(|year| month.starts_with(year)))
        .collect();
    let figures = division_figures(territories, year);
    let divisions: Vec<MapDivision> = outlines
        .iter()
        .map(|outline| {
            let figure = figures
                .get(outline.code.as_str())
                .copied()
                .unwrap_or(DivisionFigure::NoneRecorded);
            MapDivision {
                code: outline.code.clone(),
                name: outline.name.clone(),
                figure,
                figure_words: figure_words(translator, lang, figure),
            }
        })
        .collect();
    let period = match (months.first(), months.last()) {
        (Some(from), Some(to)) => translator.get(
            lang,
            "territories-map-period",
            &[("from", Arg::Text(from)), ("to", Arg::Text(to))],
        ),
        _ => t("territories-map-period-none"),
    };
    let map = DivisionMap {
        id: "territories-map".to_owned(),
        title: translator.get(
            lang,
            "territories-map-title",
            &[("country", Arg::Text(country_name))],
        ),
        description: translator.get(
            lang,
            "territories-map-description",
            &[
                ("country", Arg::Text(country_name)),
                ("period", Arg::Text(&period)),
            ],
        ),
        divisions,
        link_prefix: "#division-".to_owned(),
    };
    let rows = map
        .divisions
        .iter()
        .map(|division| Row {
            header: html! { span id=(format!("division-{}", division.code)) { (division.name) } },
            cells: vec![html! { (division.code) }, html! { (division.figure_words) }],
        })
        .collect();
    let href = |year: Option<&str>| {
        let mut href = format!("?lang={}", lang.code());
        if let Some(year) = year {
            href.push_str("&year=");
            href.push_str(year);
        }
        href.push_str("#territories-map-years");
        href
    };
    html! {
        @if years.len() > 1 {
            nav id="territories-map-years" aria-label=(t("territories-map-years")) {
                p {
                    (t("territories-map-years")) ": "
                    a href=(href(None)) aria-current=[year.is_none().then_some("true")] {
                        (t("territories-map-all-months"))
                    }
                    @for option in &years {
                        " · "
                        a href=(href(Some(option))) aria-current=[(year == Some(*option)).then_some("true")] {
                            (option)
                        }
                    }
                }
            }
        }
        figure class="map-figure" {
            (division_map(translator, lang, &outlines, &map))
        }
        (table(&Table {
            caption: t("territories-map-caption"),
            columns: vec![
                Column::text(t("territories-map-col-division")),
                Column::text(t("territories-map-col-code")),
                Column::numeric(t("territories-map-col-received")),
            ],
            rows,
            note: None,
            id: Some("territories-divisions".to_owned()),
        }))
    }
}

/// The `year` of the page's query (`?year=2025`), for the map; anything but four digits is
/// no year, so the map shows every month.
fn map_year(query: Option<&str>) -> Option<&str> {
    query?
        .split('&')
        .find_map(|pair| pair.strip_prefix("year="))
        .filter(|year| year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()))
}

/// Returnees received per first-level division: the territories' totals, or with a `year`
/// the sum of that year's months; a municipality (`GT-QC-1401`) counts in its division. A
/// part withheld as `<N` makes the division's figure "fewer than N" when it is the only part
/// received, else a lower bound; a hidden part makes the whole division withheld, since no
/// bound on it can be given.
fn division_figures(territories: &[Value], year: Option<&str>) -> BTreeMap<String, DivisionFigure> {
    #[derive(Default)]
    struct Parts {
        known: u64,
        small: Vec<u64>,
        hidden: bool,
    }
    let mut parts: BTreeMap<String, Parts> = BTreeMap::new();
    for territory in territories {
        let Some(code) = territory["territory"]
            .as_str()
            .and_then(|raw| TerritoryCode::parse(raw).ok())
        else {
            continue;
        };
        let received: Vec<&Value> = match year {
            None => vec![&territory["received_total"]],
            Some(year) => territory["received_by_month"]
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(month, _)| month.starts_with(year))
                .map(|(_, count)| count)
                .collect(),
        };
        if received.is_empty() {
            continue;
        }
        let entry = parts
            .entry(code.division().as_str().to_owned())
            .or_default();
        for value in received {
            match value {
                Value::Number(number) => {
                    entry.known = entry.known.saturating_add(number.as_u64().unwrap_or(0));
                }
                Value::String(text) => match text.strip_prefix('<').map(str::parse::<u64>) {
                    Some(Ok(threshold)) => entry.small.push(threshold),
                    _ => entry.hidden = true,
                },
                _ => {}
            }
        }
    }
    parts
        .into_iter()
        .map(|(code, parts)| {
            let figure = if parts.hidden {
                DivisionFigure::Withheld
            } else if parts.small.is_empty() {
                DivisionFigure::Count(parts.known)
            } else if parts.known == 0 && parts.small.len() == 1 {
                DivisionFigure::FewerThan(parts.small[0])
            } else {
                // Each withheld part received at least one person.
                DivisionFigure::AtLeast(parts.known + parts.small.len() as u64)
            };
            (code, figure)
        })
        .collect()
}

fn figure_words(translator: &Translator, lang: Lang, figure: DivisionFigure) -> String {
    match figure {
        DivisionFigure::NoneRecorded => translator.get(lang, "territories-map-none", &[]),
        DivisionFigure::Count(count) => format_count(lang, count),
        DivisionFigure::FewerThan(threshold) => translator.get(
            lang,
            "territories-map-fewer",
            &[("count", Arg::Count(threshold))],
        ),
        DivisionFigure::AtLeast(count) => translator.get(
            lang,
            "territories-map-at-least",
            &[("count", Arg::Count(count))],
        ),
        DivisionFigure::Withheld => translator.get(lang, "territories-map-withheld", &[]),
    }
}

fn territory_code(territory: &Value) -> String {
    territory["territory"].as_str().unwrap_or("?").to_owned()
}

/// Every month with returnees received in some territory, in order.
fn received_months(territories: &[Value]) -> Vec<&String> {
    let mut months: Vec<&String> = territories
        .iter()
        .filter_map(|territory| territory["received_by_month"].as_object())
        .flat_map(|months| months.keys())
        .collect();
    months.sort();
    months.dedup();
    months
}

fn received_table(translator: &Translator, lang: Lang, territories: &[Value]) -> Table {
    let t = |id: &str| translator.get(lang, id, &[]);
    let months = received_months(territories);
    let mut columns = vec![Column::text(t("territories-col-territory"))];
    columns.extend(months.iter().map(|month| Column::numeric(month.as_str())));
    columns.push(Column::numeric(t("territories-col-total")));
    Table {
        caption: t("territories-received-caption"),
        columns,
        rows: territories
            .iter()
            .map(|territory| {
                let by_month = &territory["received_by_month"];
                let mut cells: Vec<Markup> = months
                    .iter()
                    .map(|month| html! { (value_words(translator, lang, by_month.get(month.as_str()))) })
                    .collect();
                cells.push(html! { strong { (value_words(translator, lang, territory.get("received_total"))) } });
                Row {
                    header: html! { (territory_code(territory)) },
                    cells,
                }
            })
            .collect(),
        note: None,
        id: Some("territories-received".to_owned()),
    }
}

fn outcomes_table(translator: &Translator, lang: Lang, territories: &[Value]) -> Table {
    let t = |id: &str| translator.get(lang, id, &[]);
    let mut columns = vec![
        Column::text(t("territories-col-territory")),
        Column::text(t("territories-col-follow-up")),
        Column::numeric(t("territories-col-returnees")),
        Column::numeric(t("territories-col-followed-up")),
    ];
    columns.extend(
        OUTCOME_SERVICES
            .iter()
            .map(|service| Column::numeric(word(translator, lang, "return-service", service))),
    );
    let mut rows = Vec::new();
    for territory in territories {
        let Some(outcomes) = territory["outcomes"].as_object() else {
            continue;
        };
        for (follow_up, outcome) in outcomes {
            let by_service = &outcome["people_by_service"];
            let mut cells = vec![
                html! { (word(translator, lang, "return-follow-up", follow_up)) },
                html! { (value_words(translator, lang, outcome.get("returnees"))) },
                html! { (value_words(translator, lang, outcome.get("followed_up"))) },
            ];
            cells.extend(OUTCOME_SERVICES.iter().map(|service| {
                html! { (share_words(translator, lang, by_service.get(*service), outcome.get("followed_up"))) }
            }));
            rows.push(Row {
                header: html! { (territory_code(territory)) },
                cells,
            });
        }
    }
    Table {
        caption: t("territories-outcomes-caption"),
        columns,
        rows,
        note: Some(t("territories-outcomes-note")),
        id: Some("territories-outcomes".to_owned()),
    }
}

fn programmes_section(translator: &Translator, lang: Lang, territories: &[Value]) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    let programmes: Vec<&Value> = territories
        .iter()
        .filter_map(|territory| territory["programmes_active"].as_array())
        .flatten()
        .collect();
    if programmes.is_empty() {
        return html! { p class="no-data" { (t("territories-programmes-none")) } };
    }
    let text = |value: &Value, key: &str| value[key].as_str().unwrap_or_default().to_owned();
    table(&Table {
        caption: t("territories-programmes-caption"),
        columns: vec![
            Column::text(t("territories-col-programme")),
            Column::text(t("territories-col-territory")),
            Column::text(t("territories-col-run-by")),
            Column::text(t("territories-col-type")),
            Column::numeric(t("territories-col-beneficiaries")),
            Column::text(t("territories-col-period")),
        ],
        rows: programmes
            .iter()
            .map(|programme| Row {
                header: html! { (text(programme, "name")) },
                cells: vec![
                    html! { (text(programme, "territory")) },
                    html! {
                        (text(programme, "run_by")) " ("
                        (word(translator, lang, "return-provider", &text(programme, "run_by_kind"))) ")"
                    },
                    html! { (word(translator, lang, "programme-type", &text(programme, "programme_type"))) },
                    html! { (value_words(translator, lang, programme.get("beneficiaries"))) },
                    html! {
                        (date_words(lang, &text(programme, "from"))) " – "
                        (date_words(lang, &text(programme, "to")))
                    },
                ],
            })
            .collect(),
        note: None,
        id: Some("programmes".to_owned()),
    })
}

fn date_words(lang: Lang, raw: &str) -> String {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_or_else(|_| raw.to_owned(), |date| format_date(lang, date))
}

// ---------------------------------------------------------------------------------------
// The situational picture's section

/// How many months of returnees received the picture adds up.
const PICTURE_MONTHS: usize = 12;

/// The "Returns" section of the situational picture: the operations in progress the reader
/// may read (for a country's focal points and analysts, its own), and the returnees received
/// by each origin country (the `returnee_received` counts, e.g. IGM's for Guatemala): the
/// latest month and the last twelve months, suppressed as the app decides.
pub(super) async fn picture_section(
    state: &AppState,
    caller: &Caller,
    translator: &Translator,
    lang: Lang,
    countries: &[Country],
) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    // Observers and readers not signed in read no operation: the section shows the counts.
    let in_progress: Vec<ReturnView> = match state.app.returns(caller, None).await {
        Ok(operations) => operations
            .into_iter()
            .filter(|view| {
                matches!(
                    view.state,
                    ReturnState::Proposed
                        | ReturnState::Accepted
                        | ReturnState::Rescheduled
                        | ReturnState::Departed
                )
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    let mut request = corredor_app::SeriesRequest::new(
        corredor_core::Measure::ReturneeReceived,
        corredor_core::Granularity::Month,
    );
    request.by = vec![corredor_app::Dimension::Country];
    let received = match state.app.series(caller, &request).await {
        Ok(response) => response.lines,
        Err(error) => {
            // The picture stands without its returnees.
            tracing::error!(error = ?error, "the returnees received could not be read");
            Vec::new()
        }
    };
    let received: Vec<(CountryCode, Markup)> = received
        .iter()
        .filter_map(|line| {
            let country = line.country?;
            let last = line.points.last()?;
            let recent = &line.points[line.points.len().saturating_sub(PICTURE_MONTHS)..];
            // A year's total is given only when none of its months is hidden: with it, a
            // hidden month could be derived by subtraction.
            let year = recent
                .iter()
                .all(|point| point.suppressed.is_none())
                .then(|| recent.iter().map(|point| point.value).sum::<u64>());
            Some((
                country,
                html! {
                    (country_name(countries, country, lang)) ", "
                    (crate::render::format::format_period(lang, &last.period)) ": "
                    strong { (month_count_words(translator, lang, last)) }
                    @if let Some(year) = year {
                        " · " (translator.get(lang, "returns-picture-year", &[
                            ("count", Arg::Count(recent.len() as u64)),
                            ("value", Arg::Text(&format_count(lang, year))),
                        ]))
                    }
                },
            ))
        })
        .collect();
    html! {
        section class="returns" aria-labelledby="returns-heading" {
            h2 id="returns-heading" { (t("returns-picture-heading")) }
            @if !in_progress.is_empty() {
                h3 { (t("returns-picture-in-progress")) }
                ul id="returns-in-progress" {
                    @for view in &in_progress {
                        li {
                            a href=(return_href(view.id, lang)) {
                                (country_name(countries, view.host, lang)) " → " (country_name(countries, view.origin, lang))
                            }
                            ": " (state_name(translator, lang, view.state)) ", "
                            (translator.get(lang, "returns-picture-people", &[("count", Arg::Count(u64::from(view.operation.plan.group.people())))]))
                            ", " (format_date(lang, view.operation.plan.planned_date))
                        }
                    }
                }
            }
            h3 { (t("returns-picture-received")) }
            @if received.is_empty() {
                p class="no-data" { (t("returns-picture-none")) }
            } @else {
                ul id="returnees-received" {
                    @for (_, line) in &received { li { (line) } }
                }
            }
            p { a href=(format!("/returns?lang={}", lang.code())) { (t("returns-picture-link")) } }
        }
    }
}

/// A month's count as the reader may see it.
fn month_count_words(
    translator: &Translator,
    lang: Lang,
    point: &corredor_app::SeriesPoint,
) -> String {
    match point.suppressed {
        None => format_count(lang, point.value),
        Some(corredor_app::Suppressed::BelowThreshold) => {
            translator.get(lang, "suppressed-below-threshold", &[])
        }
        Some(corredor_app::Suppressed::Complementary) => {
            translator.get(lang, "territories-hidden", &[])
        }
    }
}

// ---------------------------------------------------------------------------------------
// The host's draft

/// The country whose focal point the caller is, if any: only they draft returns.
fn focal_country(caller: &Caller) -> Option<CountryCode> {
    match caller {
        Caller::Principal(principal) if principal.role == Role::FocalPoint => principal.country(),
        _ => None,
    }
}

/// The errors of a posted form, by field name, in the order found.
type FieldErrors = Vec<(String, String)>;

fn field_error(errors: &FieldErrors, field: &str) -> Markup {
    html! {
        @for (_, why) in errors.iter().filter(|(name, _)| name == field) {
            p class="form-error" id=(format!("error-{field}")) { strong { (field) ": " (why) } }
        }
    }
}

/// A posted value to put back in the form, or nothing.
fn posted<'a>(form: Option<&'a Form>, field: &str) -> &'a str {
    form.and_then(|form| form.get(field)).unwrap_or_default()
}

/// A departure or reception point: a place of the list, or words when the point is not in
/// it (the words win when both are given, as they are the more specific).
fn point_of(form: &Form, field: &str) -> Result<ReturnPoint, String> {
    let described = form
        .get(&format!("{field}_description"))
        .unwrap_or_default()
        .trim();
    if !described.is_empty() {
        return Ok(ReturnPoint::Described {
            description: described.to_owned(),
        });
    }
    let place = form.get(field).unwrap_or_default().trim();
    if place.is_empty() {
        return Err("choose a place of the list or describe the point".to_owned());
    }
    PlaceCode::parse(place)
        .map(|place| ReturnPoint::Place { place })
        .map_err(|error| error.to_string())
}

/// Reads the draft form, collecting every field's error rather than stopping at the first.
fn plan_of(form: &Form, host: CountryCode, places: &[Place]) -> Result<ReturnPlan, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut fail = |field: &str, why: String| errors.push((field.to_owned(), why));
    let raw_origin = form.get("origin").unwrap_or_default().trim();
    let origin = match CountryCode::parse(raw_origin) {
        Ok(origin) if origin == host => {
            fail(
                "origin",
                format!("the origin is another country than {host}"),
            );
            None
        }
        Ok(origin) => Some(origin),
        Err(_) => {
            fail("origin", "choose the origin country".to_owned());
            None
        }
    };
    let raw_date = form.get("planned_date").unwrap_or_default().trim();
    let planned_date = NaiveDate::parse_from_str(raw_date, "%Y-%m-%d")
        .map_err(|_| {
            fail(
                "planned_date",
                format!("`{raw_date}` is not a date like 2026-12-17"),
            )
        })
        .ok();
    let transport = Transport::parse(form.get("transport").unwrap_or_default().trim())
        .map_err(|error| fail("transport", error.to_string()))
        .ok();
    let mut point = |field: &str| match point_of(form, field) {
        Ok(ReturnPoint::Place { place }) if !places.iter().any(|known| known.code == place) => {
            fail(field, format!("no place `{place}`"));
            None
        }
        Ok(point) => Some(point),
        Err(why) => {
            fail(field, why);
            None
        }
    };
    let departure = point("departure");
    let reception_point = point("reception_point");
    let mut count = |field: &str| match count_field(form, field) {
        Ok(value) => value,
        Err(why) => {
            fail(field, why);
            0
        }
    };
    let people = count("people");
    let mut by_sex = BTreeMap::new();
    for sex in Sex::ALL {
        let value = count(&format!("sex_{}", sex.code()));
        if value > 0 {
            by_sex.insert(*sex, value);
        }
    }
    let mut by_age_group = BTreeMap::new();
    for age in AgeGroup::ALL {
        let value = count(&format!("age_{}", age.code()));
        if value > 0 {
            by_age_group.insert(*age, value);
        }
    }
    let parts = ReturnGroupParts {
        people,
        by_sex,
        by_age_group,
        unaccompanied_children: count("unaccompanied_children"),
        separated_children: count("separated_children"),
        family_units: count("family_units"),
        people_in_family_units: count("people_in_family_units"),
        people_with_specific_needs: count("people_with_specific_needs"),
    };
    let group = ReturnGroup::new(parts)
        .map_err(|error| fail("people", error.to_string()))
        .ok();
    let mut needs = std::collections::BTreeSet::new();
    for raw in form.all("need") {
        match ReceptionNeed::parse(raw) {
            Ok(need) => {
                needs.insert(need);
            }
            Err(error) => fail("need", error.to_string()),
        }
    }
    let note = form
        .get("needs_note")
        .map(str::trim)
        .filter(|note| !note.is_empty())
        .map(str::to_owned);
    match (
        origin,
        planned_date,
        transport,
        departure,
        reception_point,
        group,
    ) {
        (
            Some(origin),
            Some(planned_date),
            Some(transport),
            Some(departure),
            Some(reception_point),
            Some(group),
        ) if errors.is_empty() => Ok(ReturnPlan {
            host,
            origin,
            group,
            planned_date,
            transport,
            departure,
            reception_point,
            reception_needs: ReceptionNeeds { needs, note },
        }),
        _ => Err(errors),
    }
}

/// The options of a point: the places of the countries the point may be in, grouped by
/// country, then "described below".
fn place_select(
    translator: &Translator,
    lang: Lang,
    field: &str,
    label: &str,
    groups: &[(String, Vec<&Place>)],
    form: Option<&Form>,
    errors: &FieldErrors,
) -> Markup {
    let chosen = posted(form, field);
    let description = format!("{field}_description");
    html! {
        div class="field" {
            label for=(field) { (label) }
            select id=(field) name=(field) {
                option value="" { (translator.get(lang, "return-form-point-other", &[])) }
                @for (country, places) in groups {
                    optgroup label=(country) {
                        @for place in places {
                            option value=(place.code.as_str()) selected[chosen == place.code.as_str()] { (place.name) }
                        }
                    }
                }
            }
            label for=(description) { (translator.get(lang, "return-form-point-description", &[])) }
            input type="text" id=(description) name=(description) value=(posted(form, &description));
            (field_error(errors, field))
        }
    }
}

fn draft_number_field(id: &str, label: &str, form: Option<&Form>, errors: &FieldErrors) -> Markup {
    html! {
        div class="field" {
            label for=(id) { (label) }
            input type="number" min="0" step="1" id=(id) name=(id) value=(posted(form, id));
            (field_error(errors, id))
        }
    }
}

/// The draft form, empty or with what was posted and the errors of each field.
#[allow(clippy::too_many_arguments)]
fn draft_form(
    translator: &Translator,
    lang: Lang,
    token: &str,
    host: CountryCode,
    countries: &[Country],
    places: &[Place],
    form: Option<&Form>,
    errors: &FieldErrors,
) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    let name = |code: CountryCode| country_name(countries, code, lang);
    let of = |wanted: &dyn Fn(CountryCode) -> bool| -> Vec<(String, Vec<&Place>)> {
        countries
            .iter()
            .filter(|country| wanted(country.code))
            .map(|country| {
                (
                    name(country.code),
                    places
                        .iter()
                        .filter(|place| place.country == country.code)
                        .collect(),
                )
            })
            .filter(|(_, places): &(String, Vec<&Place>)| !places.is_empty())
            .collect()
    };
    let host_places = of(&|code| code == host);
    let origin_places = of(&|code| code != host);
    let origin = posted(form, "origin");
    let transport = posted(form, "transport");
    let needs: Vec<&str> = form
        .map(|form| form.all("need").collect())
        .unwrap_or_default();
    html! {
        @if !errors.is_empty() {
            div class="form-error" role="alert" id="form-errors" {
                p { strong { (t("return-form-errors")) } }
                ul {
                    @for (field, why) in errors { li { (field) ": " (why) } }
                }
            }
        }
        form method="post" action="/returns" id="draft-form" {
            (hidden_fields(lang, token))
            div class="field" {
                label for="origin" { (t("return-detail-origin")) }
                select id="origin" name="origin" required {
                    option value="" { "—" }
                    @for country in countries.iter().filter(|country| country.code != host) {
                        option value=(country.code.as_str()) selected[origin == country.code.as_str()] { (name(country.code)) }
                    }
                }
                (field_error(errors, "origin"))
            }
            div class="field" {
                label for="planned_date" { (t("returns-col-date")) }
                input type="date" id="planned_date" name="planned_date" value=(posted(form, "planned_date"));
                (field_error(errors, "planned_date"))
            }
            div class="field" {
                label for="transport" { (t("returns-col-transport")) }
                select id="transport" name="transport" {
                    @for mode in Transport::ALL {
                        option value=(mode.code()) selected[transport == mode.code()] { (word(translator, lang, "return-transport", mode.code())) }
                    }
                }
                (field_error(errors, "transport"))
            }
            (place_select(translator, lang, "departure", &t("return-detail-departure"), &host_places, form, errors))
            (place_select(translator, lang, "reception_point", &t("return-detail-reception-point"), &origin_places, form, errors))
            fieldset {
                legend { (t("return-detail-composition")) }
                (draft_number_field("people", &t("return-group-people"), form, errors))
                @for sex in Sex::ALL {
                    (draft_number_field(&format!("sex_{}", sex.code()), &word(translator, lang, "return-sex", sex.code()), form, errors))
                }
                @for age in AgeGroup::ALL {
                    @let label = if *age == AgeGroup::Unknown { t("return-age-unknown") } else { translator.get(lang, "return-age", &[("value", Arg::Text(age.code()))]) };
                    (draft_number_field(&format!("age_{}", age.code()), &label, form, errors))
                }
                (draft_number_field("unaccompanied_children", &t("return-group-unaccompanied"), form, errors))
                (draft_number_field("separated_children", &t("return-group-separated"), form, errors))
                (draft_number_field("family_units", &t("return-group-family-units"), form, errors))
                (draft_number_field("people_in_family_units", &t("return-group-in-families"), form, errors))
                (draft_number_field("people_with_specific_needs", &t("return-group-specific-needs"), form, errors))
            }
            fieldset {
                legend { (t("return-detail-needs")) }
                @for need in ReceptionNeed::ALL {
                    div class="field" {
                        label {
                            input type="checkbox" name="need" value=(need.code()) checked[needs.contains(&need.code())];
                            " " (word(translator, lang, "return-need", need.code()))
                        }
                    }
                }
                (field_error(errors, "need"))
                div class="field" {
                    label for="needs_note" { (t("return-form-note")) }
                    textarea id="needs_note" name="needs_note" rows="2" { (posted(form, "needs_note")) }
                }
            }
            button type="submit" { (t("return-form-draft")) }
        }
    }
}

/// The draft page, for the form empty (200) or refused with its errors (422).
#[allow(clippy::too_many_arguments)]
async fn draft_page(
    state: &AppState,
    visitor: &Visitor,
    lang: Lang,
    query: Option<&str>,
    headers: &HeaderMap,
    form: Option<&Form>,
    errors: &FieldErrors,
    status: StatusCode,
) -> Response {
    let path = "/returns/new";
    let caller = &visitor.caller;
    if *caller == Caller::Anonymous {
        return Redirect::to(&sign_in_href(path, query, lang)).into_response();
    }
    let (Some(host), Some(token)) = (focal_country(caller), visitor.csrf_token()) else {
        return refused(
            lang,
            path,
            StatusCode::FORBIDDEN,
            &translator().get(lang, "return-new-forbidden", &[]),
        );
    };
    let loaded =
        async { Ok::<_, AppError>((state.app.countries().await?, state.app.places().await?)) };
    let (countries, places) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return app_error(lang, path, query, headers, &error),
    };
    let translator = translator();
    let t = |id: &str| translator.get(lang, id, &[]);
    let title = t("return-new-title");
    let main = html! {
        p { a href=(format!("/returns?lang={}", lang.code())) { "← " (t("return-back")) } }
        h1 { (title) }
        p class="lead" { (t("return-new-intro")) }
        (draft_form(translator, lang, token, host, &countries, &places, form, errors))
    };
    let mut response = returns_response(visitor, lang, &title, path, query, main);
    *response.status_mut() = status;
    response
}

async fn new_return_page(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = language(query.as_deref(), &headers);
    draft_page(
        &state,
        &visitor,
        lang,
        query.as_deref(),
        &headers,
        None,
        &FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

async fn create_draft(
    State(state): State<AppState>,
    visitor: Visitor,
    request: Request,
) -> Response {
    let form = match Form::read(request).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    let lang = form.lang;
    if !visitor.csrf_matches(form.get("csrf").unwrap_or_default()) {
        return forbidden_form(lang);
    }
    let headers = form.headers.clone();
    let Some(host) = focal_country(&visitor.caller) else {
        return draft_page(
            &state,
            &visitor,
            lang,
            None,
            &headers,
            None,
            &FieldErrors::new(),
            StatusCode::FORBIDDEN,
        )
        .await;
    };
    let places = match state.app.places().await {
        Ok(places) => places,
        Err(error) => return app_error(lang, "/returns", None, &headers, &error),
    };
    let plan = match plan_of(&form, host, &places) {
        Ok(plan) => plan,
        Err(errors) => {
            return draft_page(
                &state,
                &visitor,
                lang,
                None,
                &headers,
                Some(&form),
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    match state
        .app
        .draft_return(&visitor.caller, NewReturn { plan })
        .await
    {
        Ok(view) => {
            let mut response = Redirect::to(&return_href(view.id, lang)).into_response();
            *response.status_mut() = StatusCode::SEE_OTHER;
            response
        }
        // What the domain refuses is shown on the form, by field, as the page's own checks.
        Err(AppError::Invalid(problems)) => {
            let errors: FieldErrors = problems
                .iter()
                .map(|problem| {
                    (
                        problem
                            .column
                            .clone()
                            .unwrap_or_else(|| "people".to_owned()),
                        problem.reason.clone(),
                    )
                })
                .collect();
            draft_page(
                &state,
                &visitor,
                lang,
                None,
                &headers,
                Some(&form),
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => app_error(lang, "/returns", None, &headers, &error),
    }
}

// ---------------------------------------------------------------------------------------
// The host's safeguards

/// One case as a line of the safeguards form, in the form's own format.
fn case_line(case: &CaseSafeguards) -> String {
    let mut items = vec![
        case.case.as_str().to_owned(),
        format!("{} people", case.people),
        format!("{} consented", case.informed_and_consented),
    ];
    items.push(match case.pending_protection_claims {
        0 => "no claim".to_owned(),
        claims => format!("{claims} claims"),
    });
    if case.children_needing_determination > 0 {
        items.push(format!("{} children", case.children_needing_determination));
    }
    items.extend(
        case.best_interest_determinations
            .iter()
            .map(|determination| format!("{} {}", determination.reference, determination.date)),
    );
    items.join(", ")
}

/// `N word`: a count followed by one of the words that name it.
fn counted(item: &str, words: &[&str]) -> Option<Result<u32, String>> {
    let (count, word) = item.split_once(char::is_whitespace)?;
    words.contains(&word.trim()).then(|| {
        count
            .parse::<u32>()
            .map_err(|_| format!("`{count}` is not a whole number, in `{item}`"))
    })
}

/// Reads the safeguards textarea: one case a line, as
/// `PAN-0123456789abcdef0123, 3 people, 3 consented, no claim, 1 child, BID-2026-114 2026-03-02`
/// (the reference first; then the people, those informed and consenting, `no claim` or
/// `N claims` pending, `N children` unaccompanied or separated, and one `REFERENCE DATE` per
/// best-interest determination). Blank lines are skipped; every bad line is named.
fn cases_of(raw: &str) -> Result<Vec<CaseSafeguards>, Vec<String>> {
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for (index, line) in raw.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match case_of(line) {
            Ok(case) => cases.push(case),
            Err(why) => errors.push(format!("line {}: {why}", index + 1)),
        }
    }
    if cases.is_empty() && errors.is_empty() {
        errors.push("no case: write one line per case".to_owned());
    }
    if errors.is_empty() {
        Ok(cases)
    } else {
        Err(errors)
    }
}

fn case_of(line: &str) -> Result<CaseSafeguards, String> {
    let mut items = line
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty());
    let reference = items.next().unwrap_or_default();
    let case = CaseReference::parse(reference).map_err(|error| error.to_string())?;
    let (mut people, mut consented, mut claims) = (None, None, None);
    let mut children = 0;
    let mut determinations = Vec::new();
    for item in items {
        if item == "no claim" {
            claims = Some(0);
        } else if let Some(count) = counted(item, &["people", "person"]) {
            people = Some(count?);
        } else if let Some(count) = counted(item, &["consented"]) {
            consented = Some(count?);
        } else if let Some(count) = counted(item, &["claim", "claims"]) {
            claims = Some(count?);
        } else if let Some(count) = counted(item, &["child", "children"]) {
            children = count?;
        } else if let Some((reference, date)) = item.rsplit_once(char::is_whitespace) {
            let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").map_err(|_| {
                format!("`{item}` is not a determination written as REFERENCE 2026-03-02")
            })?;
            determinations.push(BestInterestDetermination {
                reference: reference.trim().to_owned(),
                date,
            });
        } else {
            return Err(format!("`{item}` is not understood"));
        }
    }
    let missing = |what: &str| format!("the number of {what} is missing");
    Ok(CaseSafeguards {
        case,
        people: people.ok_or_else(|| missing("people (`3 people`)"))?,
        informed_and_consented: consented
            .ok_or_else(|| missing("people informed who consented (`3 consented`)"))?,
        pending_protection_claims: claims
            .ok_or_else(|| missing("pending protection claims (`no claim`)"))?,
        children_needing_determination: children,
        best_interest_determinations: determinations,
    })
}

fn safeguards_form(translator: &Translator, lang: Lang, token: &str, view: &ReturnView) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    let recorded = view
        .operation
        .safeguards
        .as_ref()
        .filter(|_| view.cases_shown)
        .map(|safeguards| {
            safeguards
                .cases
                .iter()
                .map(case_line)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    html! {
        form method="post" action=(format!("/returns/{}/safeguards", view.id.0)) id="safeguards-form" {
            (hidden_fields(lang, token))
            h3 { (t("return-form-safeguards-heading")) }
            div class="field" {
                label for="cases-field" { (t("return-form-cases")) }
                p class="hint" id="cases-hint" {
                    (t("return-form-cases-hint")) " "
                    code { "PAN-0123456789abcdef0123, 3 people, 3 consented, no claim, 1 child, BID-2026-114 2026-03-02" }
                }
                p class="hint" { (t("return-form-case-ref-hint")) " " code { "corredor return case-ref" } }
                textarea id="cases-field" name="cases" rows="6" aria-describedby="cases-hint" { (recorded) }
            }
            button type="submit" { (t("return-form-safeguards")) }
        }
    }
}

async fn safeguards(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(raw_id): Path<String>,
    request: Request,
) -> Response {
    let step = match Step::read(&visitor, &raw_id, request).await {
        Ok(step) => step,
        Err(response) => return response,
    };
    let cases = match cases_of(step.form.get("cases").unwrap_or_default()) {
        Ok(cases) => cases,
        Err(errors) => return step.bad_field("cases", &errors.join("; ")),
    };
    step.done(
        state
            .app
            .record_return_safeguards(&visitor.caller, step.id, cases)
            .await,
    )
}

// ---------------------------------------------------------------------------------------
// The origin country's reintegration records and prevention programmes

/// Whether the caller is one of `country`'s focal points or analysts: those who report its
/// figures (the app decides again when the form is sent).
fn reports_for(caller: &Caller, country: CountryCode) -> bool {
    match caller {
        Caller::Principal(principal) => {
            matches!(principal.role, Role::FocalPoint | Role::Analyst)
                && principal.country() == Some(country)
        }
        _ => false,
    }
}

fn text_field(id: &str, label: &str, kind: &str) -> Markup {
    html! {
        div class="field" {
            label for=(id) { (label) }
            input type=(kind) id=(id) name=(id);
        }
    }
}

/// The options of a select: each code with its words.
fn options<T: Copy>(
    translator: &Translator,
    lang: Lang,
    prefix: &str,
    all: &[T],
    code: fn(T) -> &'static str,
) -> Vec<(&'static str, String)> {
    all.iter()
        .map(|item| (code(*item), word(translator, lang, prefix, code(*item))))
        .collect()
}

fn choice_field(
    id: &str,
    label: &str,
    options: &[(&'static str, String)],
    empty: Option<&str>,
) -> Markup {
    html! {
        div class="field" {
            label for=(id) { (label) }
            select id=(id) name=(id) {
                @if let Some(empty) = empty { option value="" { (empty) } }
                @for (code, words) in options {
                    option value=(code) { (words) }
                }
            }
        }
    }
}

fn territory_forms(
    translator: &Translator,
    lang: Lang,
    token: &str,
    country: CountryCode,
) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    let base = format!("/territories/{}", country.as_str());
    let providers = options(
        translator,
        lang,
        "return-provider",
        Provider::ALL,
        Provider::code,
    );
    html! {
        section aria-labelledby="territory-forms-heading" class="alert-forms" {
            h2 id="territory-forms-heading" { (t("territories-forms-heading")) }
            form method="post" action=(format!("{base}/reintegration")) id="reintegration-form" {
                (hidden_fields(lang, token))
                h3 { (t("territories-form-record-heading")) }
                fieldset {
                    legend { (t("territories-form-cohort")) }
                    (text_field("cohort_month", &t("territories-form-cohort-month"), "month"))
                    (text_field("cohort_operation", &t("territories-form-cohort-operation"), "number"))
                }
                (text_field("territory", &t("territories-col-territory"), "text"))
                (choice_field("follow_up", &t("territories-col-follow-up"), &options(translator, lang, "return-follow-up", FollowUp::ALL, FollowUp::code), None))
                (number_field("returnees", &t("territories-col-returnees"), 0))
                (number_field("followed_up", &t("territories-col-followed-up"), 0))
                fieldset {
                    legend { (t("territories-form-services")) }
                    @for service in ReintegrationService::ALL {
                        @let code = service.code();
                        (number_field(&format!("service_{code}"), &word(translator, lang, "return-service", code), 0))
                        (choice_field(&format!("provider_{code}"), &t("territories-col-run-by"), &providers, Some(&t("territories-form-provider-unknown"))))
                    }
                }
                button type="submit" { (t("territories-form-record")) }
            }
            form method="post" action=(format!("{base}/programmes")) id="programme-form" {
                (hidden_fields(lang, token))
                h3 { (t("territories-form-programme-heading")) }
                (text_field("territory", &t("territories-col-territory"), "text"))
                (text_field("name", &t("territories-col-programme"), "text"))
                (text_field("run_by", &t("territories-col-run-by"), "text"))
                (choice_field("run_by_kind", &t("territories-form-run-by-kind"), &providers, None))
                (choice_field("programme_type", &t("territories-col-type"), &options(translator, lang, "programme-type", ProgrammeType::ALL, ProgrammeType::code), None))
                (number_field("beneficiaries", &t("territories-col-beneficiaries"), 0))
                (text_field("from", &t("territories-form-from"), "date"))
                (text_field("to", &t("territories-form-to"), "date"))
                button type="submit" { (t("territories-form-programme")) }
            }
        }
    }
}

/// A posted form of the territories page: read, its token checked, the country parsed.
struct TerritoryPost {
    form: Form,
    country: CountryCode,
    path: String,
}

impl TerritoryPost {
    async fn read(visitor: &Visitor, raw: &str, request: Request) -> Result<Self, Response> {
        let form = Form::read(request).await?;
        if !visitor.csrf_matches(form.get("csrf").unwrap_or_default()) {
            return Err(forbidden_form(form.lang));
        }
        let path = format!("/territories/{raw}");
        let country = CountryCode::parse(raw).map_err(|_| not_found(form.lang, &path))?;
        Ok(TerritoryPost {
            form,
            country,
            path,
        })
    }

    fn text(&self, field: &str) -> &str {
        self.form.get(field).unwrap_or_default().trim()
    }

    fn bad_field(&self, (field, why): (String, String)) -> Response {
        refused(
            self.form.lang,
            &self.path,
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("{field}: {why}"),
        )
    }

    fn done<T>(&self, outcome: Result<T, AppError>) -> Response {
        let lang = self.form.lang;
        match outcome {
            Ok(_) => {
                let href = format!("{}?lang={}", self.path, lang.code());
                let mut response = Redirect::to(&href).into_response();
                *response.status_mut() = StatusCode::SEE_OTHER;
                response
            }
            Err(error) => app_error(lang, &self.path, None, &self.form.headers, &error),
        }
    }
}

type Bad = (String, String);

fn bad(field: &str, why: impl Into<String>) -> Bad {
    (field.to_owned(), why.into())
}

fn count_of(post: &TerritoryPost, field: &str) -> Result<u32, Bad> {
    count_field(&post.form, field).map_err(|why| bad(field, why))
}

fn territory_of(post: &TerritoryPost) -> Result<TerritoryCode, Bad> {
    TerritoryCode::parse(post.text("territory"))
        .map_err(|error| bad("territory", error.to_string()))
}

fn date_of(post: &TerritoryPost, field: &str) -> Result<Option<NaiveDate>, Bad> {
    let raw = post.text(field);
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| bad(field, format!("`{raw}` is not a date like 2026-12-17")))
}

/// The cohort of a reintegration record: the returnees of one month, or of one operation.
fn cohort_of(post: &TerritoryPost) -> Result<Cohort, Bad> {
    let raw_month = post.text("cohort_month");
    let raw_operation = post.text("cohort_operation");
    match (raw_month.is_empty(), raw_operation.is_empty()) {
        (false, false) => Err(bad(
            "cohort_operation",
            "a cohort is a month or an operation, not both: leave one empty",
        )),
        (true, false) => parse_id(raw_operation)
            .map(|operation| Cohort::Operation { operation })
            .ok_or_else(|| {
                bad(
                    "cohort_operation",
                    format!("`{raw_operation}` is not the number of a return operation"),
                )
            }),
        _ => corredor_core::Period::parse(raw_month)
            .ok()
            .filter(|period| matches!(period, corredor_core::Period::Month { .. }))
            .map(|month| Cohort::Month { month })
            .ok_or_else(|| {
                bad(
                    "cohort_month",
                    format!("`{raw_month}` is not a month like 2026-03"),
                )
            }),
    }
}

fn reintegration_of(post: &TerritoryPost) -> Result<NewReintegration, Bad> {
    let cohort = cohort_of(post)?;
    let follow_up = FollowUp::parse(post.text("follow_up"))
        .map_err(|error| bad("follow_up", error.to_string()))?;
    let mut services = Vec::new();
    for service in ReintegrationService::ALL {
        let field = format!("service_{}", service.code());
        let people = count_of(post, &field)?;
        if people == 0 {
            continue;
        }
        let provider_field = format!("provider_{}", service.code());
        let mut by_provider = BTreeMap::new();
        let raw = post.text(&provider_field);
        if !raw.is_empty() {
            let provider =
                Provider::parse(raw).map_err(|error| bad(&provider_field, error.to_string()))?;
            by_provider.insert(provider, people);
        }
        services.push(ServiceDelivery {
            service: *service,
            people,
            by_provider,
        });
    }
    Ok(NewReintegration {
        origin: post.country,
        cohort,
        territory: territory_of(post)?,
        follow_up,
        returnees: count_of(post, "returnees")?,
        followed_up: count_of(post, "followed_up")?,
        services,
    })
}

fn programme_of(post: &TerritoryPost) -> Result<PreventionProgrammeParts, Bad> {
    Ok(PreventionProgrammeParts {
        territory: territory_of(post)?,
        name: post.text("name").to_owned(),
        run_by: post.text("run_by").to_owned(),
        run_by_kind: Provider::parse(post.text("run_by_kind"))
            .map_err(|error| bad("run_by_kind", error.to_string()))?,
        programme_type: ProgrammeType::parse(post.text("programme_type"))
            .map_err(|error| bad("programme_type", error.to_string()))?,
        beneficiaries: count_of(post, "beneficiaries")?,
        from: date_of(post, "from")?.ok_or_else(|| bad("from", "the first day is required"))?,
        to: date_of(post, "to")?,
    })
}

async fn record_reintegration(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(raw): Path<String>,
    request: Request,
) -> Response {
    let post = match TerritoryPost::read(&visitor, &raw, request).await {
        Ok(post) => post,
        Err(response) => return response,
    };
    let record = match reintegration_of(&post) {
        Ok(record) => record,
        Err(problem) => return post.bad_field(problem),
    };
    post.done(
        state
            .app
            .record_reintegration(&visitor.caller, record)
            .await,
    )
}

async fn record_programme(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(raw): Path<String>,
    request: Request,
) -> Response {
    let post = match TerritoryPost::read(&visitor, &raw, request).await {
        Ok(post) => post,
        Err(response) => return response,
    };
    let parts = match programme_of(&post) {
        Ok(parts) => parts,
        Err(problem) => return post.bad_field(problem),
    };
    post.done(
        state
            .app
            .record_prevention_programme(&visitor.caller, parts)
            .await,
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Territories as `App::territories` gives them to an observer: Huehuetenango in full,
    /// one San Marcos municipality with a small month, Quiché with a month withheld.
    fn territories() -> Vec<Value> {
        vec![
            json!({
                "territory": "GT-HU",
                "received_by_month": { "2024-11": 310, "2025-01": 402, "2025-02": 388 },
                "received_total": 1100,
            }),
            json!({
                "territory": "GT-SM-1215",
                "received_by_month": { "2024-12": "<5", "2025-01": 57 },
                "received_total": "hidden",
            }),
            json!({
                "territory": "GT-SM-1201",
                "received_by_month": { "2025-02": 12 },
                "received_total": 12,
            }),
            json!({
                "territory": "GT-QC",
                "received_by_month": { "2025-03": "<5" },
                "received_total": "hidden",
            }),
        ]
    }

    #[test]
    fn division_figures_add_municipalities_to_their_division_and_keep_withheld_counts_withheld() {
        let all = division_figures(&territories(), None);
        assert_eq!(all["GT-HU"], DivisionFigure::Count(1100));
        assert_eq!(all["GT-SM"], DivisionFigure::Withheld);
        assert_eq!(all["GT-QC"], DivisionFigure::Withheld);
        assert_eq!(all.len(), 3);

        let year = division_figures(&territories(), Some("2025"));
        assert_eq!(year["GT-HU"], DivisionFigure::Count(790));
        // 57 and 12 from two municipalities of San Marcos.
        assert_eq!(year["GT-SM"], DivisionFigure::Count(69));
        assert_eq!(year["GT-QC"], DivisionFigure::FewerThan(5));

        let earlier = division_figures(&territories(), Some("2024"));
        assert_eq!(earlier["GT-HU"], DivisionFigure::Count(310));
        // A small month and nothing else known: at least one person, fewer than five.
        assert_eq!(earlier["GT-SM"], DivisionFigure::FewerThan(5));
        assert!(!earlier.contains_key("GT-QC"));
    }

    #[test]
    fn only_a_four_digit_year_in_the_query_selects_the_maps_year() {
        assert_eq!(map_year(Some("lang=en&year=2025")), Some("2025"));
        assert_eq!(map_year(Some("year=2025&lang=es")), Some("2025"));
        assert_eq!(map_year(Some("lang=en&year=25")), None);
        assert_eq!(map_year(Some("year=2025x")), None);
        assert_eq!(map_year(None), None);
    }

    #[test]
    fn the_map_section_offers_each_year_and_shows_the_chosen_one() {
        let translator = translator();
        let country = CountryCode::parse("GTM").expect("a valid code");
        let page = territories_map_section(
            translator,
            Lang::En,
            country,
            "Guatemala",
            &territories(),
            Some("2024"),
        )
        .into_string();
        assert!(page.contains("href=\"?lang=en&amp;year=2025#territories-map-years\""));
        assert!(page.contains("aria-current=\"true\">2024</a>"), "{page}");
        assert!(page.contains("<title>Huehuetenango: 310</title>"));
        assert!(page.contains("from 2024-11 to 2024-12"));
        let all = territories_map_section(
            translator,
            Lang::Es,
            country,
            "Guatemala",
            &territories(),
            None,
        )
        .into_string();
        assert!(
            all.contains("aria-current=\"true\">Todos los meses</a>"),
            "{all}"
        );
        assert!(all.contains("<title>Huehuetenango: 1100</title>"), "{all}");
        assert!(all.contains("<title>San Marcos: oculto</title>"));
    }
}
