//! `/api/v1/returns`, `/api/v1/reintegration`, `/api/v1/prevention-programmes` and
//! `/api/v1/territories/{country}`: assisted voluntary return between a host and an origin
//! country, reintegration of returnees and prevention in the territories they come from.
//!
//! Case references are accepted only in the form the host derives with its own key
//! (`MEX-` and 20 hexadecimal digits, `corredor return case-ref`): a name or a document
//! number in their place is refused when the body is read, before anything is stored.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post, MethodRouter};
use axum::Json;
use chrono::NaiveDate;
use corredor_app::{AppError, NewReintegration, NewReturn};
use corredor_core::returns::{
    CaseSafeguards, PreventionProgrammeParts, ReceptionParts, ReturnOperationId, ReturnState,
};
use corredor_core::CountryCode;
use serde::Deserialize;
use serde_json::json;

use super::{
    json_response, param, parse_json_body, positive_id, signed_in, Access, ApiResult, BodyDoc,
    QueryParam, ResponseDoc, Route,
};
use crate::auth::Visitor;
use crate::error::ApiError;
use crate::params::Params;
use crate::AppState;

const RETURN_PARAMS: &[QueryParam] = &[param(
    "state",
    "Only operations in this state: draft, proposed, accepted, rescheduled, declined, departed, received, closed or cancelled.",
)];
const ORIGIN_PARAMS: &[QueryParam] = &[param(
    "origin",
    "The origin country (default: the caller's own).",
)];
const COUNTRY_PARAMS: &[QueryParam] = &[param("country", "Only programmes in this country.")];

const HOST: &str = "the focal points of the host country";
const ORIGIN: &str = "the focal points of the origin country";
const READERS: &str = "the host and origin countries (with case references) and the secretariat (counts only); 404 for others and for the origin before the proposal";

fn return_id(raw: &str) -> Result<ReturnOperationId, ApiError> {
    positive_id(raw, "a return operation").map(ReturnOperationId)
}

fn country_param(raw: &str) -> Result<CountryCode, String> {
    CountryCode::parse(raw).map_err(|error| error.to_string())
}

async fn list_returns(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> ApiResult<impl IntoResponse> {
    let mut params = Params::parse(query.as_deref());
    let wanted = params.one("state", ReturnState::parse);
    params.finish()?;
    let returns = state.app.returns(&visitor.caller, wanted).await?;
    Ok(Json(json!({ "count": returns.len(), "returns": returns })))
}

async fn draft_return(
    State(state): State<AppState>,
    visitor: Visitor,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    signed_in(&visitor)?;
    let request: NewReturn = parse_json_body(&body)?;
    let view = state.app.draft_return(&visitor.caller, request).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn return_aggregates(
    State(state): State<AppState>,
    visitor: Visitor,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(state.app.return_aggregates(&visitor.caller).await?))
}

async fn get_return(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let id = return_id(&id)?;
    Ok(Json(state.app.return_operation(&visitor.caller, id).await?))
}

async fn return_revisions(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let id = return_id(&id)?;
    let revisions = state.app.return_revisions(&visitor.caller, id).await?;
    Ok(Json(json!({ "revisions": revisions })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SafeguardsBody {
    cases: Vec<CaseSafeguards>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonBody {
    reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RescheduleBody {
    planned_date: NaiveDate,
    reason: String,
}

async fn record_safeguards(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let id = return_id(&id)?;
    signed_in(&visitor)?;
    let body: SafeguardsBody = parse_json_body(&body)?;
    Ok(Json(
        state
            .app
            .record_return_safeguards(&visitor.caller, id, body.cases)
            .await?,
    ))
}

/// A step without a body: propose, accept, depart, close.
async fn plain_step(
    state: &AppState,
    visitor: &Visitor,
    id: &str,
    step: &str,
) -> ApiResult<Json<corredor_app::ReturnView>> {
    let id = return_id(id)?;
    let app = &state.app;
    let caller = &visitor.caller;
    let view = match step {
        "propose" => app.propose_return(caller, id).await?,
        "accept" => app.accept_return(caller, id).await?,
        "depart" => app.depart_return(caller, id).await?,
        _ => app.close_return(caller, id).await?,
    };
    Ok(Json(view))
}

async fn propose(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    plain_step(&state, &visitor, &id, "propose").await
}

async fn accept(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    plain_step(&state, &visitor, &id, "accept").await
}

async fn depart(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    plain_step(&state, &visitor, &id, "depart").await
}

async fn close(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    plain_step(&state, &visitor, &id, "close").await
}

async fn reschedule(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let id = return_id(&id)?;
    signed_in(&visitor)?;
    let body: RescheduleBody = parse_json_body(&body)?;
    Ok(Json(
        state
            .app
            .reschedule_return(&visitor.caller, id, body.planned_date, &body.reason)
            .await?,
    ))
}

async fn decline(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let id = return_id(&id)?;
    signed_in(&visitor)?;
    let body: ReasonBody = parse_json_body(&body)?;
    Ok(Json(
        state
            .app
            .decline_return(&visitor.caller, id, &body.reason)
            .await?,
    ))
}

async fn cancel(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let id = return_id(&id)?;
    signed_in(&visitor)?;
    let body: ReasonBody = parse_json_body(&body)?;
    Ok(Json(
        state
            .app
            .cancel_return(&visitor.caller, id, &body.reason)
            .await?,
    ))
}

async fn receive(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let id = return_id(&id)?;
    signed_in(&visitor)?;
    let reception: ReceptionParts = parse_json_body(&body)?;
    Ok(Json(
        state
            .app
            .receive_return(&visitor.caller, id, reception)
            .await?,
    ))
}

async fn record_reintegration(
    State(state): State<AppState>,
    visitor: Visitor,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    signed_in(&visitor)?;
    let request: NewReintegration = parse_json_body(&body)?;
    let stored = state
        .app
        .record_reintegration(&visitor.caller, request)
        .await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

async fn list_reintegration(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> ApiResult<impl IntoResponse> {
    let mut params = Params::parse(query.as_deref());
    let origin = params.one("origin", country_param);
    params.finish()?;
    let records = state
        .app
        .reintegration_records(&visitor.caller, origin)
        .await?;
    Ok(Json(json!({ "count": records.len(), "records": records })))
}

async fn record_programme(
    State(state): State<AppState>,
    visitor: Visitor,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    signed_in(&visitor)?;
    let parts: PreventionProgrammeParts = parse_json_body(&body)?;
    let stored = state
        .app
        .record_prevention_programme(&visitor.caller, parts)
        .await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

async fn list_programmes(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> ApiResult<impl IntoResponse> {
    let mut params = Params::parse(query.as_deref());
    let country = params.one("country", country_param);
    params.finish()?;
    let programmes = state
        .app
        .prevention_programmes(&visitor.caller, country)
        .await?;
    Ok(Json(
        json!({ "count": programmes.len(), "programmes": programmes }),
    ))
}

async fn territories(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(country): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let origin =
        country_param(&country).map_err(|reason| ApiError(AppError::invalid("country", reason)))?;
    Ok(Json(state.app.territories(&visitor.caller, origin).await?))
}

fn json_body(schema: &'static str) -> Option<BodyDoc> {
    Some(BodyDoc {
        content_types: &["application/json"],
        schema,
    })
}

const CREATED_RETURN: ResponseDoc = ResponseDoc {
    status: 201,
    content_type: "application/json",
    schema: "ReturnView",
};

#[allow(clippy::too_many_arguments)]
fn route(
    method: Method,
    path: &'static str,
    summary: &'static str,
    body: Option<BodyDoc>,
    response: ResponseDoc,
    access: Access,
    handler: MethodRouter<AppState>,
) -> Route {
    Route {
        method,
        path,
        summary,
        tag: "returns",
        query: &[],
        body,
        response,
        access,
        handler,
    }
}

/// The routes of this module, in the order of the OpenAPI document.
pub(super) fn routes() -> Vec<Route> {
    let view = || json_response("ReturnView");
    vec![
        Route {
            query: RETURN_PARAMS,
            ..route(
                Method::GET,
                "/api/v1/returns",
                "The return operations the caller may read, most recently changed first: the host's (drafts included) and the origin's once proposed, with case references; every proposed operation without them for the secretariat",
                None,
                json_response("ReturnList"),
                Access::Policy("the countries (their own operations) and the secretariat; observers are refused and see the aggregates"),
                get(list_returns),
            )
        },
        route(
            Method::POST,
            "/api/v1/returns",
            "Draft a return operation from the host country: group, date, transport, departure and reception points, what reception must prepare",
            json_body("NewReturn"),
            CREATED_RETURN,
            Access::Policy(HOST),
            post(draft_return),
        ),
        route(
            Method::GET,
            "/api/v1/returns/aggregates",
            "Operations and people planned and received by pair of countries; counts below the disclosure threshold shown as `<5` to readers who may not read the pair's operations",
            None,
            json_response("ReturnAggregates"),
            Access::SignedIn,
            get(return_aggregates),
        ),
        route(
            Method::GET,
            "/api/v1/returns/{id}",
            "One return operation with its missing safeguards and, once received, the difference between planned and received",
            None,
            view(),
            Access::Policy(READERS),
            get(get_return),
        ),
        route(
            Method::GET,
            "/api/v1/returns/{id}/revisions",
            "Every document written for the operation, oldest first, none with case references",
            None,
            json_response("ReturnRevisions"),
            Access::Policy(READERS),
            get(return_revisions),
        ),
        route(
            Method::POST,
            "/api/v1/returns/{id}/safeguards",
            "Record, for the whole group, informed consent, non-refoulement and best-interest determinations per case (pseudonymous references only)",
            json_body("ReturnSafeguards"),
            view(),
            Access::Policy(HOST),
            post(record_safeguards),
        ),
        route(
            Method::POST,
            "/api/v1/returns/{id}/propose",
            "Send the draft to the origin country; refused (409) naming each missing safeguard",
            None,
            view(),
            Access::Policy(HOST),
            post(propose),
        ),
        route(
            Method::POST,
            "/api/v1/returns/{id}/accept",
            "Accept the proposal for the planned date",
            None,
            view(),
            Access::Policy(ORIGIN),
            post(accept),
        ),
        route(
            Method::POST,
            "/api/v1/returns/{id}/reschedule",
            "Accept for another date, saying why",
            json_body("ReturnReschedule"),
            view(),
            Access::Policy(ORIGIN),
            post(reschedule),
        ),
        route(
            Method::POST,
            "/api/v1/returns/{id}/decline",
            "Refuse the return, saying why",
            json_body("ReturnReason"),
            view(),
            Access::Policy(ORIGIN),
            post(decline),
        ),
        route(
            Method::POST,
            "/api/v1/returns/{id}/depart",
            "The group has left the host country (the safeguards are checked once more)",
            None,
            view(),
            Access::Policy(HOST),
            post(depart),
        ),
        route(
            Method::POST,
            "/api/v1/returns/{id}/receive",
            "Confirm the reception with the numbers actually received, by territory",
            json_body("ReturnReception"),
            view(),
            Access::Policy(ORIGIN),
            post(receive),
        ),
        route(
            Method::POST,
            "/api/v1/returns/{id}/close",
            "Nothing more is expected of the operation",
            None,
            view(),
            Access::Policy("the focal points of the host or the origin country"),
            post(close),
        ),
        route(
            Method::POST,
            "/api/v1/returns/{id}/cancel",
            "Withdraw the operation before reception, saying why",
            json_body("ReturnReason"),
            view(),
            Access::Policy(HOST),
            post(cancel),
        ),
        Route {
            query: ORIGIN_PARAMS,
            ..route(
                Method::GET,
                "/api/v1/reintegration",
                "The reintegration records of an origin country, in the order recorded",
                None,
                json_response("ReintegrationList"),
                Access::Policy("the origin country and the secretariat"),
                get(list_reintegration),
            )
        },
        route(
            Method::POST,
            "/api/v1/reintegration",
            "Record the services delivered to a cohort of returnees in a territory and their outcomes at 3, 6 or 12 months",
            json_body("NewReintegrationRecord"),
            ResponseDoc {
                status: 201,
                content_type: "application/json",
                schema: "StoredReintegration",
            },
            Access::Policy("the focal points and analysts of the origin country"),
            post(record_reintegration),
        ),
        Route {
            query: COUNTRY_PARAMS,
            ..route(
                Method::GET,
                "/api/v1/prevention-programmes",
                "The register of prevention programmes in origin territories",
                None,
                json_response("ProgrammeList"),
                Access::SignedIn,
                get(list_programmes),
            )
        },
        route(
            Method::POST,
            "/api/v1/prevention-programmes",
            "Register a prevention programme in a territory: who runs it, its type, beneficiaries and period",
            json_body("PreventionProgramme"),
            ResponseDoc {
                status: 201,
                content_type: "application/json",
                schema: "StoredProgramme",
            },
            Access::Policy("the focal points and analysts of the territory's country"),
            post(record_programme),
        ),
        route(
            Method::GET,
            "/api/v1/territories/{country}",
            "An origin country's territories: returnees received by month, reintegration outcomes and active prevention programmes; counts below the threshold shown as `<5` to readers other than the country and the secretariat",
            None,
            json_response("TerritoriesSummary"),
            Access::SignedIn,
            get(territories),
        ),
    ]
}
