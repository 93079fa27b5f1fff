//! The JSON API under `/api/v1`.
//!
//! Every route is declared once, in [`routes`], with its handler and its documentation: the
//! router and the OpenAPI document are both built from that table, so neither can forget a
//! route.

mod access;
pub(crate) mod alerts;
mod filters;
mod forecasts;
mod returns;
mod signals;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put, MethodRouter};
use axum::Json;
use corredor_app::store::ObservationFilter;
use corredor_app::{AppError, ExportFormat, ExportRequest, ImportRequest};
use corredor_core::{
    AgeGroup, Breakdown, Corridor, CorridorCode, CountryCode, Measure, Nationality, ObservationKey,
    Period, Place, PlaceCode, Sex, Vulnerability,
};
use corredor_exchange::observations::Format;
use serde_json::json;

use crate::auth::Visitor;
use crate::error::ApiError;
use crate::params::Params;
use crate::AppState;

type ApiResult<T> = Result<T, ApiError>;

/// A query parameter, for the OpenAPI document.
pub struct QueryParam {
    pub name: &'static str,
    pub description: &'static str,
    pub required: bool,
}

const fn param(name: &'static str, description: &'static str) -> QueryParam {
    QueryParam {
        name,
        description,
        required: false,
    }
}

const fn required(name: &'static str, description: &'static str) -> QueryParam {
    QueryParam {
        name,
        description,
        required: true,
    }
}

/// One route of the API: how it is served and how it is documented.
pub struct Route {
    pub method: Method,
    /// The path, with `{name}` for path parameters.
    pub path: &'static str,
    pub summary: &'static str,
    pub tag: &'static str,
    pub query: &'static [QueryParam],
    /// Content types the request body may have, if it has one.
    pub body: Option<BodyDoc>,
    /// The content type and schema of a successful response.
    pub response: ResponseDoc,
    /// Who may call it: the rule the permission matrix test checks for every role.
    pub access: Access,
    pub handler: MethodRouter<AppState>,
}

/// Who may call a route. The decision itself is always the application's
/// (`corredor_core::authorize` and the sharing choices); this says which one applies, for
/// the OpenAPI document and the permission matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not; what each reader sees is what the countries share with them.
    Anyone,
    /// Anyone signed in, with a session or a token.
    SignedIn,
    /// Decided by the policy for this action.
    Policy(&'static str),
}

impl Access {
    /// The rule in words, for the OpenAPI document.
    pub fn describe(self) -> String {
        match self {
            Access::Anyone => "anyone; data filtered by the countries' sharing choices, small counts suppressed for observers and readers not signed in".to_owned(),
            Access::SignedIn => "anyone signed in (session or API token)".to_owned(),
            Access::Policy(rule) => rule.to_owned(),
        }
    }
}

pub struct BodyDoc {
    pub content_types: &'static [&'static str],
    pub schema: &'static str,
}

pub struct ResponseDoc {
    pub status: u16,
    pub content_type: &'static str,
    pub schema: &'static str,
}

const fn json_response(schema: &'static str) -> ResponseDoc {
    ResponseDoc {
        status: 200,
        content_type: "application/json",
        schema,
    }
}

const OBSERVATION_FILTERS: &[QueryParam] = &[
    param("country", "Reporting countries (ISO alpha-3), repeated or comma-separated."),
    param("place", "Place codes; `none` for country-level values only."),
    param("measure", "Measure codes."),
    param("nationality", "Nationalities (ISO alpha-3, UNK, XXA), or `total` for values not broken down by nationality."),
    param("sex", "f, m, x, unknown, or `total`."),
    param("age_group", "0-4, 5-11, 12-17, 0-17, 18-59, 60+, 18+, unknown, or `total`."),
    param("vulnerability", "unaccompanied_child, separated_child, family_unit, pregnant, disability, or `total`."),
    param("granularity", "day, week, month or year: only periods of this length."),
    param("from", "Periods starting on or after this day or period (e.g. 2023-01)."),
    param("to", "Periods starting on or before the end of this day or period."),
    param("limit", "At most this many values (1 to 100000, default 10000)."),
    param("offset", "Skip this many values."),
];

const EXPORT_PARAMS: &[QueryParam] = &[
    param("format", "csv (default), hxl or json."),
    param(
        "revisions",
        "Every revision with who submitted it and when, not only the current value.",
    ),
    param("country", "Reporting countries."),
    param(
        "place",
        "Place codes; `none` for country-level values only.",
    ),
    param("measure", "Measure codes."),
    param("nationality", "Nationalities, or `total`."),
    param("sex", "Sexes, or `total`."),
    param("age_group", "Age groups, or `total`."),
    param("vulnerability", "Vulnerabilities, or `total`."),
    param("granularity", "day, week, month or year."),
    param("from", "Periods starting on or after this day or period."),
    param(
        "to",
        "Periods starting on or before the end of this day or period.",
    ),
    param("limit", "At most this many values."),
    param("offset", "Skip this many values."),
];

const KEY_PARAMS: &[QueryParam] = &[
    required("country", "The reporting country."),
    param("place", "The place; absent for a country-level value."),
    required(
        "period",
        "The period (2023-08-14, 2023-W33, 2023-08 or 2023).",
    ),
    required("measure", "The measure."),
    param("nationality", "Absent for the total over nationalities."),
    param("sex", "Absent for the total over sexes."),
    param("age_group", "Absent for the total over age groups."),
    param(
        "vulnerability",
        "Absent for the total over vulnerabilities.",
    ),
];

const SERIES_PARAMS: &[QueryParam] = &[
    required("measure", "The measure."),
    param(
        "granularity",
        "week, month (default), year or day: finer reports are rolled up.",
    ),
    param("country", "Countries (default: all)."),
    param("place", "Places (default: the whole country)."),
    param(
        "by",
        "Break down by: country, place, nationality, sex, age_group, vulnerability.",
    ),
    param("nationality", "Only these nationalities."),
    param("sex", "Only these sexes."),
    param("age_group", "Only these age groups."),
    param("vulnerability", "Only these vulnerabilities."),
    param("from", "From this day or period."),
    param("to", "Up to the end of this day or period."),
    param("top", "Only the largest N lines."),
];

const PLACE_PARAMS: &[QueryParam] = &[param("country", "Only places in these countries.")];

const COMPLETENESS_PARAMS: &[QueryParam] = &[
    required("country", "The reporting country."),
    required("measure", "The measure."),
];

const IMPORT_PARAMS: &[QueryParam] = &[
    required(
        "country",
        "The reporting country that owns the file's values.",
    ),
    param(
        "format",
        "csv or hxl; detected from the content when absent.",
    ),
    param(
        "file",
        "The file's name, for error messages and the submission record.",
    ),
];

/// The route table of the API.
pub fn routes() -> Vec<Route> {
    let mut routes = vec![
        Route {
            method: Method::GET,
            path: "/api/v1/openapi.json",
            summary: "This document",
            tag: "meta",
            query: &[],
            body: None,
            response: json_response("OpenApi"),
            access: Access::Anyone,
            handler: get(openapi),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/countries",
            summary: "Countries, with their standing in the RCM",
            tag: "reference",
            query: &[],
            body: None,
            response: json_response("CountryList"),
            access: Access::Anyone,
            handler: get(list_countries),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/places",
            summary: "Places where counts are made",
            tag: "reference",
            query: PLACE_PARAMS,
            body: None,
            response: json_response("PlaceList"),
            access: Access::Anyone,
            handler: get(list_places),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/places/{code}",
            summary: "One place",
            tag: "reference",
            query: &[],
            body: None,
            response: json_response("Place"),
            access: Access::Anyone,
            handler: get(get_place),
        },
        Route {
            method: Method::PUT,
            path: "/api/v1/places/{code}",
            summary: "Add or change a place",
            tag: "reference",
            query: &[],
            body: Some(BodyDoc {
                content_types: &["application/json"],
                schema: "Place",
            }),
            response: json_response("Place"),
            access: Access::Policy("the focal points of the place's country, and the secretariat's administrators"),
            handler: put(put_place),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/corridors",
            summary: "Corridors: ordered routes with a typical transit time per leg",
            tag: "reference",
            query: &[],
            body: None,
            response: json_response("CorridorList"),
            access: Access::Anyone,
            handler: get(list_corridors),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/corridors/{code}",
            summary: "One corridor",
            tag: "reference",
            query: &[],
            body: None,
            response: json_response("Corridor"),
            access: Access::Anyone,
            handler: get(get_corridor),
        },
        Route {
            method: Method::PUT,
            path: "/api/v1/corridors/{code}",
            summary: "Add or change a corridor",
            tag: "reference",
            query: &[],
            body: Some(BodyDoc {
                content_types: &["application/json"],
                schema: "Corridor",
            }),
            response: json_response("Corridor"),
            access: Access::Policy("the secretariat's administrators"),
            handler: put(put_corridor),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/observations",
            summary: "Observations (current revision of each value)",
            tag: "observations",
            query: OBSERVATION_FILTERS,
            body: None,
            response: json_response("ObservationList"),
            access: Access::Policy("members who may read the values (observers and readers not signed in read series)"),
            handler: get(list_observations),
        },
        Route {
            method: Method::POST,
            path: "/api/v1/observations",
            summary: "Import a file of observations (CSV or HXL), all or nothing",
            tag: "observations",
            query: IMPORT_PARAMS,
            body: Some(BodyDoc {
                content_types: &["text/csv"],
                schema: "ObservationFile",
            }),
            response: json_response("ImportReport"),
            access: Access::Policy("the focal points and analysts of the reporting country"),
            handler: post(import_observations),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/observations/revisions",
            summary: "Every revision of one value, with who changed it and when",
            tag: "observations",
            query: KEY_PARAMS,
            body: None,
            response: json_response("RevisionList"),
            access: Access::Policy("members who may read the value (not observers)"),
            handler: get(list_revisions),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/observations/export",
            summary: "Export observations as CSV, HXL or JSON (the import format)",
            tag: "observations",
            query: EXPORT_PARAMS,
            body: None,
            response: ResponseDoc {
                status: 200,
                content_type: "text/csv",
                schema: "ObservationFile",
            },
            access: Access::Policy("members who may read the values (observers and readers not signed in read series)"),
            handler: get(export_observations),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/series",
            summary: "Totals of a measure by week, month or year over chosen dimensions",
            tag: "series",
            query: SERIES_PARAMS,
            body: None,
            response: json_response("Series"),
            access: Access::Anyone,
            handler: get(series),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/completeness",
            summary: "Which expected periods a country reported on time, late, or not at all",
            tag: "series",
            query: COMPLETENESS_PARAMS,
            body: None,
            response: json_response("Completeness"),
            access: Access::Policy("the country itself and the secretariat"),
            handler: get(completeness),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/forecasts",
            summary: "Expected arrivals at each corridor node by nationality, with 80% and 95% intervals and the running skill of each series (latest run)",
            tag: "forecasts",
            query: forecasts::FORECAST_PARAMS,
            body: None,
            response: json_response("ForecastList"),
            access: Access::Anyone,
            handler: get(forecasts::list_forecasts),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/forecasts/skill",
            summary: "Running skill of the kept forecasts (MASE, interval coverage) per node, nationality and model",
            tag: "forecasts",
            query: forecasts::SKILL_PARAMS,
            body: None,
            response: json_response("ForecastSkill"),
            access: Access::Anyone,
            handler: get(forecasts::forecast_skill),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/forecasts/legs",
            summary: "Fitted legs of the latest run: continuation shares and transit-time distributions",
            tag: "forecasts",
            query: forecasts::FORECAST_PARAMS,
            body: None,
            response: json_response("ForecastLegs"),
            access: Access::Anyone,
            handler: get(forecasts::forecast_legs),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/forecasts/capacity",
            summary: "Places where forecast arrivals (upper 80% bound) plus occupancy would exceed shelter capacity",
            tag: "forecasts",
            query: forecasts::CAPACITY_PARAMS,
            body: None,
            response: json_response("CapacityWarnings"),
            access: Access::Anyone,
            handler: get(forecasts::capacity_warnings),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/signals",
            summary: "Signals: periods of a series above what its history makes plausible, with their evidence and outcome",
            tag: "signals",
            query: signals::SIGNAL_PARAMS,
            body: None,
            response: json_response("SignalList"),
            access: Access::Anyone,
            handler: get(signals::list_signals),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/signals/statistics",
            summary: "Signals and decisions per algorithm, with the share discarded",
            tag: "signals",
            query: &[],
            body: None,
            response: json_response("SignalStatistics"),
            access: Access::SignedIn,
            handler: get(signals::signal_statistics),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/signals/{id}",
            summary: "One signal with every decision and its series around the period (observed, expected, bound)",
            tag: "signals",
            query: &[],
            body: None,
            response: json_response("SignalDetail"),
            access: Access::Anyone,
            handler: get(signals::get_signal),
        },
        Route {
            method: Method::POST,
            path: "/api/v1/signals/{id}/decision",
            summary: "Record the outcome of verifying a signal: discarded, monitoring or escalated, with who and why",
            tag: "signals",
            query: &[],
            body: Some(BodyDoc {
                content_types: &["application/json"],
                schema: "SignalDecision",
            }),
            response: json_response("Signal"),
            access: Access::Policy("the focal points and analysts of the country owning the series; the secretariat for a corridor sum"),
            handler: post(signals::decide_signal),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/me",
            summary: "Who is calling: the session's or token's principal, or anonymous",
            tag: "access",
            query: &[],
            body: None,
            response: json_response("Me"),
            access: Access::Anyone,
            handler: get(access::me),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/organisations",
            summary: "Organisations: member countries, the secretariat and observers",
            tag: "access",
            query: &[],
            body: None,
            response: json_response("OrganisationList"),
            access: Access::SignedIn,
            handler: get(access::list_organisations),
        },
        Route {
            method: Method::PUT,
            path: "/api/v1/organisations/{code}",
            summary: "Add or change an organisation",
            tag: "access",
            query: &[],
            body: Some(BodyDoc {
                content_types: &["application/json"],
                schema: "OrganisationBody",
            }),
            response: json_response("Organisation"),
            access: Access::Policy("the secretariat's administrators"),
            handler: put(access::put_organisation),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/users",
            summary: "Users, with their organisation and role (never their password)",
            tag: "access",
            query: access::ORGANISATION_FILTER,
            body: None,
            response: json_response("UserList"),
            access: Access::Policy("the secretariat's administrators"),
            handler: get(access::list_users),
        },
        Route {
            method: Method::POST,
            path: "/api/v1/users",
            summary: "Add a user (password hashed with argon2id)",
            tag: "access",
            query: &[],
            body: Some(BodyDoc {
                content_types: &["application/json"],
                schema: "NewUser",
            }),
            response: ResponseDoc {
                status: 201,
                content_type: "application/json",
                schema: "User",
            },
            access: Access::Policy("the secretariat's administrators"),
            handler: post(access::add_user),
        },
        Route {
            method: Method::POST,
            path: "/api/v1/users/{name}/disable",
            summary: "Disable a user: their sessions end at once",
            tag: "access",
            query: &[],
            body: None,
            response: json_response("User"),
            access: Access::Policy("the secretariat's administrators"),
            handler: post(access::disable_user),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/tokens",
            summary: "API tokens (never their secrets), revoked and expired included",
            tag: "access",
            query: access::ORGANISATION_FILTER,
            body: None,
            response: json_response("TokenList"),
            access: Access::Policy("the secretariat's administrators; a country's focal points for their own organisation"),
            handler: get(access::list_tokens),
        },
        Route {
            method: Method::POST,
            path: "/api/v1/tokens",
            summary: "Create an API token for machine-to-machine reporting: its secret is shown once, in this response",
            tag: "access",
            query: &[],
            body: Some(BodyDoc {
                content_types: &["application/json"],
                schema: "NewToken",
            }),
            response: ResponseDoc {
                status: 201,
                content_type: "application/json",
                schema: "CreatedToken",
            },
            access: Access::Policy("the secretariat's administrators; a country's focal points for their own organisation, up to their own role"),
            handler: post(access::create_token),
        },
        Route {
            method: Method::POST,
            path: "/api/v1/tokens/{id}/revoke",
            summary: "Revoke a token: refused from the next request on",
            tag: "access",
            query: &[],
            body: None,
            response: json_response("Token"),
            access: Access::Policy("the secretariat's administrators; a country's focal points for their own organisation"),
            handler: post(access::revoke_token),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/sharing",
            summary: "Who reads each country's data: the sharing level chosen per measure (all_members when none was chosen)",
            tag: "access",
            query: &[],
            body: None,
            response: json_response("SharingPolicies"),
            access: Access::SignedIn,
            handler: get(access::list_sharing),
        },
        Route {
            method: Method::PUT,
            path: "/api/v1/sharing/{country}/{measure}",
            summary: "Choose who reads one measure of a country: private, named_members, all_members, members_and_observers or public",
            tag: "access",
            query: &[],
            body: Some(BodyDoc {
                content_types: &["application/json"],
                schema: "SharingChoice",
            }),
            response: json_response("SharingPolicy"),
            access: Access::Policy("the country's focal points"),
            handler: put(access::put_sharing),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/audit",
            summary: "The audit log: every write with who, when, what, before and after, hash-chained",
            tag: "access",
            query: access::AUDIT_PARAMS,
            body: None,
            response: json_response("AuditLog"),
            access: Access::Policy("the secretariat's administrators (whole log); a country's focal points (entries about their country's data)"),
            handler: get(access::list_audit),
        },
        Route {
            method: Method::GET,
            path: "/api/v1/audit/verify",
            summary: "Recompute the audit log's hash chain: intact, or the first broken entry",
            tag: "access",
            query: &[],
            body: None,
            response: json_response("AuditVerification"),
            access: Access::Policy("the secretariat's administrators"),
            handler: get(access::verify_audit),
        },
    ];
    routes.extend(alerts::routes());
    routes.extend(returns::routes());
    routes
}

async fn openapi() -> Json<serde_json::Value> {
    Json(crate::openapi::document())
}

async fn list_countries(State(state): State<AppState>) -> ApiResult<impl IntoResponse> {
    Ok(Json(json!({ "countries": state.app.countries().await? })))
}

async fn list_places(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> ApiResult<impl IntoResponse> {
    let mut params = Params::parse(query.as_deref());
    let countries = params.list("country", CountryCode::parse);
    params.finish()?;
    let places: Vec<Place> = state
        .app
        .places()
        .await?
        .into_iter()
        .filter(|place| countries.is_empty() || countries.contains(&place.country))
        .collect();
    Ok(Json(json!({ "places": places })))
}

fn place_code(raw: &str) -> Result<PlaceCode, ApiError> {
    PlaceCode::parse(raw).map_err(|error| ApiError(AppError::invalid("code", error.to_string())))
}

async fn get_place(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<Place>> {
    Ok(Json(state.app.place(&place_code(&code)?).await?))
}

async fn put_place(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(code): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Place>> {
    let code = place_code(&code)?;
    let place: Place = parse_json_body(&body)?;
    if place.code != code {
        return Err(ApiError(AppError::invalid(
            "code",
            format!(
                "the body's code {} differs from the path's {code}",
                place.code
            ),
        )));
    }
    let place = Place::new(
        place.code,
        &place.name,
        place.country,
        place.kind,
        place.counterpart,
        (place.latitude, place.longitude),
    )
    .map_err(|error| ApiError(AppError::invalid("place", error.to_string())))?;
    state.app.put_place(&visitor.caller, &place).await?;
    Ok(Json(place))
}

async fn list_corridors(State(state): State<AppState>) -> ApiResult<impl IntoResponse> {
    Ok(Json(json!({ "corridors": state.app.corridors().await? })))
}

fn corridor_code(raw: &str) -> Result<CorridorCode, ApiError> {
    CorridorCode::parse(raw).map_err(|error| ApiError(AppError::invalid("code", error.to_string())))
}

async fn get_corridor(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<Corridor>> {
    Ok(Json(state.app.corridor(&corridor_code(&code)?).await?))
}

async fn put_corridor(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(code): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Corridor>> {
    let code = corridor_code(&code)?;
    let corridor: Corridor = parse_json_body(&body)?;
    if corridor.code() != &code {
        return Err(ApiError(AppError::invalid(
            "code",
            format!(
                "the body's code {} differs from the path's {code}",
                corridor.code()
            ),
        )));
    }
    state.app.put_corridor(&visitor.caller, &corridor).await?;
    Ok(Json(corridor))
}

/// Parses a JSON body, naming the line, column and reason when it is not valid.
/// Refuses a reader who is not signed in (401) before the request's body is read, so that
/// such a reader learns to sign in rather than what is wrong with the body.
pub(crate) fn signed_in(visitor: &Visitor) -> Result<(), ApiError> {
    if visitor.caller == corredor_core::Caller::Anonymous {
        Err(ApiError(AppError::Unauthenticated))
    } else {
        Ok(())
    }
}

/// A path id: a positive whole number, else a refusal naming what it should have been
/// (`what`: "an alert", "a signal", …).
pub(crate) fn positive_id(raw: &str, what: &str) -> Result<i64, ApiError> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            ApiError(AppError::invalid(
                "id",
                format!("`{raw}` is not {what} id (a positive whole number)"),
            ))
        })
}

fn parse_json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|error| {
        ApiError(AppError::Invalid(vec![corredor_exchange::Problem::new(
            "body",
            error.line() as u64,
            None,
            format!("column {}: {error}", error.column()),
        )]))
    })
}

async fn list_observations(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> ApiResult<impl IntoResponse> {
    let mut params = Params::parse(query.as_deref());
    let filter = filters::observation_filter(&mut params);
    params.finish()?;
    let rows = state.app.observations(&visitor.caller, &filter).await?;
    let observations: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|stored| {
            let mut value = serde_json::to_value(&stored.observation).unwrap_or_default();
            if let Some(object) = value.as_object_mut() {
                object.insert("revision".into(), json!(stored.revision));
                object.insert("submitted_by".into(), json!(stored.provenance.submitted_by));
                object.insert("submitted_at".into(), json!(stored.provenance.submitted_at));
            }
            value
        })
        .collect();
    Ok(Json(
        json!({ "count": observations.len(), "observations": observations }),
    ))
}

fn observation_key(params: &mut Params) -> Option<ObservationKey> {
    let country = params.one("country", CountryCode::parse);
    let place = params.one("place", PlaceCode::parse);
    let period = params.one("period", Period::parse);
    let measure = params.one("measure", Measure::parse);
    let breakdown = Breakdown {
        nationality: params.one("nationality", Nationality::parse),
        sex: params.one("sex", Sex::parse),
        age_group: params.one("age_group", AgeGroup::parse),
        vulnerability: params.one("vulnerability", Vulnerability::parse),
    };
    for (name, present) in [
        ("country", country.is_some()),
        ("period", period.is_some()),
        ("measure", measure.is_some()),
    ] {
        if !present {
            params.refuse(name, format!("`{name}` is required to name one value"));
        }
    }
    Some(ObservationKey {
        country: country?,
        place,
        period: period?,
        measure: measure?,
        breakdown,
    })
}

async fn list_revisions(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> ApiResult<impl IntoResponse> {
    let mut params = Params::parse(query.as_deref());
    let key = observation_key(&mut params);
    params.finish()?;
    let key = key.expect("a missing key part was reported by finish");
    let revisions = state.app.revisions(&visitor.caller, &key).await?;
    Ok(Json(json!({ "key": key, "revisions": revisions })))
}

async fn import_observations(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let mut params = Params::parse(query.as_deref());
    let country = params.one("country", CountryCode::parse);
    let format = params.one("format", |raw| match raw {
        "csv" => Ok(Format::Csv),
        "hxl" => Ok(Format::Hxl),
        other => Err(format!("`{other}` is not an import format (csv or hxl)")),
    });
    let file = params
        .one("file", |raw| Ok::<_, String>(raw.to_owned()))
        .unwrap_or_else(|| "upload".to_owned());
    if country.is_none() {
        params.refuse(
            "country",
            "`country` is required: the reporting country that owns the values",
        );
    }
    params.finish()?;
    let request = ImportRequest {
        country,
        format: format.unwrap_or(Format::Auto),
        caller: &visitor.caller,
        on_behalf_of: None,
    };
    let report = state.app.import(request, &file, body.as_ref()).await?;
    Ok((StatusCode::OK, Json(json!(report))))
}

async fn export_observations(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let mut params = Params::parse(query.as_deref());
    let format = params
        .one("format", |raw| {
            ExportFormat::parse(raw).ok_or_else(|| format!("`{raw}` is not csv, hxl or json"))
        })
        .unwrap_or(ExportFormat::Csv);
    let revisions = params.flag("revisions");
    let mut filter: ObservationFilter = filters::observation_filter(&mut params);
    params.finish()?;
    if filter.limit == Some(10_000) {
        filter.limit = None;
    }
    let mut out = Vec::new();
    state
        .app
        .export(
            &visitor.caller,
            &ExportRequest {
                filter,
                format,
                revisions,
            },
            &mut out,
        )
        .await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        format
            .content_type()
            .parse()
            .expect("content types are valid header values"),
    );
    let extension = match format {
        ExportFormat::Csv => "csv",
        ExportFormat::Hxl => "hxl.csv",
        ExportFormat::Json => "json",
    };
    headers.insert(
        header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"corredor-observations.{extension}\"")
            .parse()
            .expect("ASCII file name"),
    );
    Ok((headers, out).into_response())
}

async fn series(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> ApiResult<impl IntoResponse> {
    let mut params = Params::parse(query.as_deref());
    let request = filters::series_request(&mut params);
    params.finish()?;
    let request = request.expect("a missing measure was reported by finish");
    Ok(Json(state.app.series(&visitor.caller, &request).await?))
}

async fn completeness(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> ApiResult<impl IntoResponse> {
    let mut params = Params::parse(query.as_deref());
    let country = params.one("country", CountryCode::parse);
    let measure = params.one("measure", Measure::parse);
    if country.is_none() {
        params.refuse("country", "`country` is required");
    }
    if measure.is_none() {
        params.refuse("measure", "`measure` is required");
    }
    params.finish()?;
    let (Some(country), Some(measure)) = (country, measure) else {
        unreachable!("missing parameters were reported by finish")
    };
    Ok(Json(
        state
            .app
            .completeness(&visitor.caller, country, measure)
            .await?,
    ))
}
