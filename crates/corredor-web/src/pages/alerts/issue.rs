//! Issuing an alert (`/alerts/new`, `POST /alerts`) and updating one
//! (`POST /alerts/{id}/update`). A form with bad fields comes back with each field's error
//! next to it and nothing written.

use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use corredor_app::{AlertUpdate, AlertView, AppError, NewAlert};
use corredor_core::{Caller, Corridor, CountryCode, Place};
use maud::{html, Markup};

use super::content::{
    content_fields, error_summary, field_label, field_of_problem, read_content, FieldError, Values,
    FIELDS,
};
use super::{alert_href, alert_response, issuing_country_of, sign_in_redirect, Step};
use crate::auth::Visitor;
use crate::pages::form::{app_error, forbidden_form, refused, Form};
use crate::pages::{language, translator};
use crate::render::{Lang, Translator};
use crate::AppState;

/// The places of the issuing country (the form offers only those) and the corridors.
async fn choices(
    state: &AppState,
    country: CountryCode,
) -> Result<(Vec<Place>, Vec<Corridor>), AppError> {
    let places = state
        .app
        .places()
        .await?
        .into_iter()
        .filter(|place| place.country == country)
        .collect();
    Ok((places, state.app.corridors().await?))
}

pub(super) async fn new_page(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = language(query.as_deref(), &headers);
    let query = query.as_deref();
    if visitor.caller == Caller::Anonymous {
        return sign_in_redirect("/alerts/new", query, lang);
    }
    let translator = translator();
    let title = translator.get(lang, "alerts-new-title", &[]);
    let (Some(country), Some(token)) = (issuing_country_of(&visitor.caller), visitor.csrf_token())
    else {
        let main = html! {
            h1 { (title) }
            p { (translator.get(lang, "alerts-new-not-allowed", &[])) }
        };
        return alert_response(
            &visitor,
            lang,
            &title,
            "/alerts/new",
            query,
            StatusCode::FORBIDDEN,
            main,
        );
    };
    let (places, corridors) = match choices(&state, country).await {
        Ok(choices) => choices,
        Err(error) => return app_error(lang, "/alerts/new", query, &headers, &error),
    };
    let main = issue_form(
        translator,
        lang,
        token,
        &Values::default(),
        &[],
        &places,
        &corridors,
    );
    alert_response(
        &visitor,
        lang,
        &title,
        "/alerts/new",
        query,
        StatusCode::OK,
        main,
    )
}

fn issue_form(
    translator: &Translator,
    lang: Lang,
    token: &str,
    values: &Values,
    errors: &[FieldError],
    places: &[Place],
    corridors: &[Corridor],
) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    html! {
        h1 { (t("alerts-new-title")) }
        p class="lead" { (t("alerts-new-intro")) }
        style { (maud::PreEscaped(super::STYLE)) }
        (error_summary(translator, lang, errors))
        form method="post" action="/alerts" class="alert-form" novalidate {
            input type="hidden" name="csrf" value=(token);
            input type="hidden" name="lang" value=(lang.code());
            (content_fields(translator, lang, values, errors, places, corridors))
            div class="choice" {
                input type="checkbox" id="activate" name="activate" value="on" checked[values.get("activate") == "on"];
                label for="activate" { (t("alerts-new-activate")) }
            }
            button type="submit" { (t("alerts-new-submit")) }
        }
    }
}

/// The app's refusal of a request, as field errors.
fn problems_as_errors(
    translator: &Translator,
    lang: Lang,
    problems: &[corredor_exchange::Problem],
) -> Vec<FieldError> {
    problems
        .iter()
        .map(|problem| {
            let field = field_of_problem(problem.column.as_deref());
            FieldError {
                field,
                message: format!(
                    "{}: {}",
                    field_label(translator, lang, field),
                    problem.reason
                ),
            }
        })
        .collect()
}

pub(super) async fn issue(
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
    let translator = translator();
    let title = translator.get(lang, "alerts-new-title", &[]);
    let (Some(country), Some(token)) = (issuing_country_of(&visitor.caller), visitor.csrf_token())
    else {
        return refused(
            lang,
            "/alerts/new",
            StatusCode::FORBIDDEN,
            &translator.get(lang, "alerts-new-not-allowed", &[]),
        );
    };
    let (places, corridors) = match choices(&state, country).await {
        Ok(choices) => choices,
        Err(error) => return app_error(lang, "/alerts/new", None, &form.headers, &error),
    };
    let mut names: Vec<&str> = FIELDS.to_vec();
    names.push("activate");
    let values = Values::from_form(&form, &names);
    let again = |errors: Vec<FieldError>| {
        let main = issue_form(
            translator, lang, token, &values, &errors, &places, &corridors,
        );
        alert_response(
            &visitor,
            lang,
            &title,
            "/alerts/new",
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            main,
        )
    };
    let (content, seen_on) = match read_content(translator, lang, &values, &places) {
        Ok(read) => read,
        Err(errors) => return again(errors),
    };
    let request = NewAlert {
        issuing_country: Some(country),
        content,
        seen_on,
        also_to: Vec::new(),
        shared_with: Vec::new(),
        activate: values.get("activate") == "on",
    };
    match state.app.issue_alert(&visitor.caller, request).await {
        Ok(stored) => {
            let mut response = Redirect::to(&alert_href(stored.id(), lang)).into_response();
            *response.status_mut() = StatusCode::SEE_OTHER;
            response
        }
        Err(AppError::Invalid(problems)) => again(problems_as_errors(translator, lang, &problems)),
        Err(error) => app_error(lang, "/alerts/new", None, &form.headers, &error),
    }
}

/// The update form of the detail page, filled with the latest content.
pub(super) fn update_form(
    translator: &Translator,
    lang: Lang,
    view: &AlertView,
    token: &str,
    places: &[Place],
    corridors: &[Corridor],
    errors: &[FieldError],
) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    let alert = &view.stored.alert;
    let values = Values::from_content(&alert.latest().content);
    let draft = alert.state() == corredor_core::AlertState::Draft;
    html! {
        details class="alert-update" {
            summary { h3 { (t("alert-form-update-heading")) } }
            form method="post" action=(format!("/alerts/{}/update", view.stored.id().0)) class="alert-form" {
                input type="hidden" name="csrf" value=(token);
                input type="hidden" name="lang" value=(lang.code());
                @if !draft {
                    div class="field" {
                        label for="what_changed" { (t("alert-form-what-changed")) }
                        textarea id="what_changed" name="what_changed" rows="2" required {}
                    }
                }
                (content_fields(translator, lang, &values, errors, places, corridors))
                button type="submit" { (t(if draft { "alert-form-draft-update" } else { "alert-form-update" })) }
            }
        }
    }
}

pub(super) async fn update(
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
    let translator = translator();
    let view = match state.app.alert(&visitor.caller, step.id).await {
        Ok(view) => view,
        Err(error) => return app_error(lang, &step.path, None, &step.form.headers, &error),
    };
    let places = match choices(&state, view.stored.alert.issuing_country()).await {
        Ok((places, _)) => places,
        Err(error) => return app_error(lang, &step.path, None, &step.form.headers, &error),
    };
    let values = Values::from_form(&step.form, &FIELDS);
    let refuse = |errors: Vec<FieldError>| {
        refused(
            lang,
            &step.path,
            StatusCode::UNPROCESSABLE_ENTITY,
            &errors
                .iter()
                .map(|error| error.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
        )
    };
    let content = match read_content(translator, lang, &values, &places) {
        Ok((content, _)) => content,
        Err(errors) => return refuse(errors),
    };
    let what_changed = step
        .form
        .get("what_changed")
        .unwrap_or_default()
        .trim()
        .to_owned();
    let update = AlertUpdate {
        content,
        what_changed,
    };
    match state
        .app
        .update_alert(&visitor.caller, step.id, update)
        .await
    {
        Err(AppError::Invalid(problems)) => refuse(problems_as_errors(translator, lang, &problems)),
        outcome => step.done(outcome),
    }
}
