//! `/sharing`: who reads each country's data. Everyone signed in sees the choices made; a
//! country's focal points change their own country's, measure by measure.

use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use corredor_app::AppError;
use corredor_core::{
    authorize, Action, Caller, Country, CountryCode, Measure, RcmStatus, SharingLevel,
    SharingPolicy, DEFAULT_SHARING,
};
use maud::{html, Markup};

use super::form::{forbidden_form, refused, Form};
use super::{country_name, html_response, internal_error, language, page_frame, translator};
use crate::auth::Visitor;
use crate::render::layout::{page, table, Column, Row, Table};
use crate::render::{Lang, Translator};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/sharing", get(sharing_page).post(set_sharing))
}

/// The levels in the order of who reads more.
const LEVELS: [&str; 5] = [
    "private",
    "named_members",
    "all_members",
    "members_and_observers",
    "public",
];

fn level_name(translator: &Translator, lang: Lang, code: &str) -> String {
    translator.get(
        lang,
        &format!("sharing-level-{}", code.replace('_', "-")),
        &[],
    )
}

async fn sharing_page(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = language(query.as_deref(), &headers);
    let translator = translator();
    let t = |id: &str| translator.get(lang, id, &[]);
    let loaded = async {
        let policies = match visitor.caller {
            Caller::Anonymous => Vec::new(),
            _ => state.app.sharing_policies(&visitor.caller).await?,
        };
        Ok::<_, AppError>((policies, state.app.countries().await?))
    };
    let (policies, countries) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return internal_error(lang, "/sharing", &headers, &error),
    };
    let title = t("sharing-title");
    let own = visitor
        .caller
        .country()
        .filter(|country| authorize(&visitor.caller, &Action::SetSharing(*country)).is_ok());
    let main = html! {
        h1 { (title) }
        p class="lead" { (t("sharing-intro")) }
        dl class="levels" {
            @for level in LEVELS {
                dt { (level_name(translator, lang, level)) }
                dd { (t(&format!("sharing-level-{}-explanation", level.replace('_', "-")))) }
            }
        }
        @match (&visitor.caller, own, visitor.csrf_token()) {
            (Caller::Anonymous, _, _) => {
                p { a href=(format!("/sign-in?lang={}&next=/sharing", lang.code())) { (t("account-sign-in")) } }
            }
            (_, Some(country), Some(form_token)) => {
                (choice_form(translator, lang, country, &policies, &countries, form_token))
            }
            _ => {}
        }
        @if !matches!(visitor.caller, Caller::Anonymous) {
            @if policies.is_empty() {
                p class="no-data" { (t("sharing-none")) }
            } @else {
                (table(&policies_table(translator, lang, &policies, &countries)))
            }
        }
    };
    let mut response = page_frame(
        &visitor,
        lang,
        &title,
        "/sharing",
        query.as_deref(),
        |frame| html_response(StatusCode::OK, page(translator, frame, main), lang),
    );
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

fn current_level(
    policies: &[SharingPolicy],
    country: CountryCode,
    measure: Measure,
) -> SharingLevel {
    policies
        .iter()
        .find(|policy| policy.country == country && policy.measure == measure)
        .map(|policy| policy.level.clone())
        .unwrap_or(DEFAULT_SHARING)
}

/// One form per measure: the level, and for `named_members` the members named.
fn choice_form(
    translator: &Translator,
    lang: Lang,
    country: CountryCode,
    policies: &[SharingPolicy],
    countries: &[Country],
    form_token: &str,
) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    let members: Vec<&Country> = countries
        .iter()
        .filter(|other| other.rcm_status == Some(RcmStatus::Member) && other.code != country)
        .collect();
    html! {
        h2 { (translator.get(lang, "sharing-choose", &[("country", crate::render::i18n::Arg::Text(&country_name(countries, country, lang)))])) }
        @for measure in Measure::ALL {
            @let level = current_level(policies, country, *measure);
            @let named = match &level { SharingLevel::NamedMembers(named) => named.clone(), _ => Default::default() };
            form method="post" action="/sharing" class="sharing-choice" {
                input type="hidden" name="csrf" value=(form_token);
                input type="hidden" name="lang" value=(lang.code());
                input type="hidden" name="measure" value=(measure.code());
                fieldset {
                    legend { (translator.measure(lang, *measure)) }
                    label for=(format!("level-{}", measure.code())) { (t("sharing-level")) }
                    select id=(format!("level-{}", measure.code())) name="level" {
                        @for code in LEVELS {
                            option value=(code) selected[level.code() == code] { (level_name(translator, lang, code)) }
                        }
                    }
                    details {
                        summary { (t("sharing-named-members")) }
                        @for member in &members {
                            @let id = format!("member-{}-{}", measure.code(), member.code);
                            input type="checkbox" id=(id) name="member" value=(member.code.as_str()) checked[named.contains(&member.code)];
                            label for=(id) { (country_name(countries, member.code, lang)) }
                        }
                    }
                    button type="submit" { (t("sharing-save")) }
                }
            }
        }
    }
}

fn policies_table(
    translator: &Translator,
    lang: Lang,
    policies: &[SharingPolicy],
    countries: &[Country],
) -> Table {
    let t = |id: &str| translator.get(lang, id, &[]);
    Table {
        caption: t("sharing-table-caption"),
        columns: vec![
            Column::text(t("sharing-country")),
            Column::text(t("sharing-measure")),
            Column::text(t("sharing-level")),
            Column::text(t("sharing-named-members")),
        ],
        rows: policies
            .iter()
            .map(|policy| Row {
                header: html! { (country_name(countries, policy.country, lang)) },
                cells: vec![
                    html! { (translator.measure(lang, policy.measure)) },
                    html! { (level_name(translator, lang, policy.level.code())) },
                    html! {
                        @if let SharingLevel::NamedMembers(named) = &policy.level {
                            (named.iter().map(|code| country_name(countries, *code, lang)).collect::<Vec<_>>().join(", "))
                        }
                    },
                ],
            })
            .collect(),
        note: Some(t("sharing-default-note")),
        id: Some("sharing-choices".to_owned()),
    }
}

async fn set_sharing(
    State(state): State<AppState>,
    visitor: Visitor,
    request: Request,
) -> Response {
    let form = match Form::read(request).await {
        Ok(form) => form,
        Err(refused) => return refused,
    };
    let lang = form.lang;
    if !visitor.csrf_matches(form.get("csrf").unwrap_or_default()) {
        return forbidden_form(lang);
    }
    let refused = |status: StatusCode, reason: String| refused(lang, "/sharing", status, &reason);
    let Some(country) = visitor.caller.country() else {
        return refused(
            StatusCode::FORBIDDEN,
            "only a country's focal points choose who reads its data".to_owned(),
        );
    };
    let measure = match Measure::parse(form.get("measure").unwrap_or_default()) {
        Ok(measure) => measure,
        Err(error) => return refused(StatusCode::UNPROCESSABLE_ENTITY, error.to_string()),
    };
    let level_code = form.get("level").unwrap_or_default();
    let members: Result<Vec<CountryCode>, _> = form.all("member").map(CountryCode::parse).collect();
    let level = match members.and_then(|members| {
        // Members ticked for another level are not a choice: only named_members names them.
        let members = if level_code == "named_members" {
            members
        } else {
            Vec::new()
        };
        SharingLevel::from_code(level_code, &members)
    }) {
        Ok(level) => level,
        Err(error) => return refused(StatusCode::UNPROCESSABLE_ENTITY, error.to_string()),
    };
    let policy = SharingPolicy {
        country,
        measure,
        level,
    };
    match state.app.set_sharing(&visitor.caller, &policy).await {
        Ok(()) => {
            let mut response =
                Redirect::to(&format!("/sharing?lang={}", lang.code())).into_response();
            *response.status_mut() = StatusCode::SEE_OTHER;
            response
        }
        Err(AppError::Forbidden(reason)) => refused(StatusCode::FORBIDDEN, reason),
        Err(AppError::Invalid(problems)) => refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            problems
                .iter()
                .map(|problem| problem.reason.clone())
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Err(error) => internal_error(lang, "/sharing", &form.headers, &error),
    }
}
