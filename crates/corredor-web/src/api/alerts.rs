//! `/api/v1/alerts`: migratory alerts between countries, their CAP 1.2 messages, Atom feed and
//! event stream; alert levels and their checklists; stranded populations; webhooks.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use corredor_app::{AlertEvent, AlertUpdate, AppError, NewAlert};
use corredor_core::{
    ActionStatus, AlertId, AlertLevel, AlertState, Caller, CountryCode, LevelChecklists,
    OrganisationCode, PlaceCode, RequiredAction, StrandedPopulationParts,
};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use axum::http::Method;
use axum::routing::{get, post, put, MethodRouter};

use super::{
    json_response, param, parse_json_body, positive_id, signed_in, Access, ApiResult, BodyDoc,
    QueryParam, ResponseDoc, Route,
};
use crate::auth::Visitor;
use crate::error::ApiError;
use crate::params::Params;
use crate::AppState;

pub(super) const ALERT_PARAMS: &[QueryParam] = &[param(
    "state",
    "Only alerts in this state: draft, active, closed or cancelled.",
)];

fn invalid(field: &str, reason: impl Into<String>) -> ApiError {
    ApiError(AppError::invalid(field, reason))
}

pub(crate) fn alert_id(raw: &str) -> Result<AlertId, ApiError> {
    positive_id(raw, "an alert").map(AlertId)
}

pub(super) async fn list_alerts(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> ApiResult<impl IntoResponse> {
    let mut params = Params::parse(query.as_deref());
    let wanted = params.one("state", AlertState::parse);
    params.finish()?;
    signed_in(&visitor)?;
    let alerts = state.app.alerts(&visitor.caller, wanted).await?;
    Ok(Json(json!({ "count": alerts.len(), "alerts": alerts })))
}

/// The address this server is reached at, from the request's `Host`, for links in CAP
/// messages and feeds.
fn site(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .filter(|host| !host.is_empty() && !host.contains(['/', ' ', '"', '<', '>']))
        .unwrap_or("localhost");
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// The latest CAP 1.2 message of an alert (`?all` for every message it produced, in order,
/// as a JSON list of XML texts).
pub(super) async fn alert_cap(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let mut params = Params::parse(query.as_deref());
    let all = params.flag("all");
    params.finish()?;
    let id = alert_id(&id)?;
    let site = site(&state, &headers);
    if all {
        let messages = state
            .app
            .alert_cap_messages(&visitor.caller, id, Some(&site))
            .await?;
        return Ok(Json(json!({ "messages": messages })).into_response());
    }
    let xml = state
        .app
        .alert_cap(&visitor.caller, id, Some(&site))
        .await?;
    Ok((
        [(header::CONTENT_TYPE, "application/cap+xml; charset=utf-8")],
        xml,
    )
        .into_response())
}

/// An Atom feed of the sent alerts the caller may see.
pub(super) async fn alerts_feed(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let feed = state
        .app
        .alerts_feed(&visitor.caller, &site(&state, &headers))
        .await?;
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        feed,
    )
        .into_response())
}

/// Imports a CAP 1.2 message from a partner system.
pub(super) async fn import_cap(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let mut params = Params::parse(query.as_deref());
    let country = params.one("country", CountryCode::parse);
    params.finish()?;
    let imported = state
        .app
        .import_cap(&visitor.caller, "body", &body, country)
        .await?;
    let status = match imported.outcome {
        corredor_app::CapImportOutcome::Created => StatusCode::CREATED,
        _ => StatusCode::OK,
    };
    Ok((status, Json(imported)))
}

pub(super) async fn issue_alert(
    State(state): State<AppState>,
    visitor: Visitor,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    signed_in(&visitor)?;
    let request: NewAlert = parse_json_body(&body)?;
    let stored = state.app.issue_alert(&visitor.caller, request).await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

pub(super) async fn propose_from_signal(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let id = positive_id(&id, "a signal")?;
    let stored = state
        .app
        .propose_alert_from_signal(&visitor.caller, id)
        .await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

pub(super) async fn get_alert(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    signed_in(&visitor)?;
    let view = state.app.alert(&visitor.caller, alert_id(&id)?).await?;
    Ok(Json(view))
}

pub(super) async fn alert_revisions(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    signed_in(&visitor)?;
    let revisions = state
        .app
        .alert_revisions(&visitor.caller, alert_id(&id)?)
        .await?;
    Ok(Json(json!({ "revisions": revisions })))
}

pub(super) async fn activate_alert(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        state
            .app
            .activate_alert(&visitor.caller, alert_id(&id)?)
            .await?,
    ))
}

pub(super) async fn update_alert(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let id = alert_id(&id)?;
    signed_in(&visitor)?;
    let update: AlertUpdate = parse_json_body(&body)?;
    Ok(Json(
        state.app.update_alert(&visitor.caller, id, update).await?,
    ))
}

pub(super) async fn close_alert(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        state
            .app
            .close_alert(&visitor.caller, alert_id(&id)?)
            .await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CancelBody {
    reason: String,
}

pub(super) async fn cancel_alert(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let id = alert_id(&id)?;
    signed_in(&visitor)?;
    let body: CancelBody = parse_json_body(&body)?;
    Ok(Json(
        state
            .app
            .cancel_alert(&visitor.caller, id, &body.reason)
            .await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecipientBody {
    country: String,
}

pub(super) async fn add_recipient(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let id = alert_id(&id)?;
    signed_in(&visitor)?;
    let body: RecipientBody = parse_json_body(&body)?;
    let country =
        CountryCode::parse(&body.country).map_err(|error| invalid("country", error.to_string()))?;
    Ok(Json(
        state
            .app
            .add_alert_recipient(&visitor.caller, id, country)
            .await?,
    ))
}

pub(super) async fn acknowledge_alert(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        state
            .app
            .acknowledge_alert(&visitor.caller, alert_id(&id)?)
            .await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionBody {
    action: String,
    status: String,
    #[serde(default)]
    note: Option<String>,
}

pub(super) async fn record_action(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let id = alert_id(&id)?;
    signed_in(&visitor)?;
    let body: ActionBody = parse_json_body(&body)?;
    let action = RequiredAction::parse(&body.action)
        .map_err(|error| invalid("action", error.to_string()))?;
    let status =
        ActionStatus::parse(&body.status).map_err(|error| invalid("status", error.to_string()))?;
    Ok(Json(
        state
            .app
            .record_alert_action(&visitor.caller, id, action, status, body.note)
            .await?,
    ))
}

/// The event stream of the alerts the caller may see: one `alert` event per change, as JSON,
/// the moment it is committed. A client that falls behind gets a `lagged` event and reloads.
pub(super) async fn alert_events(
    State(state): State<AppState>,
    visitor: Visitor,
) -> ApiResult<impl IntoResponse> {
    signed_in(&visitor)?;
    Ok(event_stream(state.app.alert_events(), visitor.caller))
}

/// An SSE response that forwards the events `caller` may see.
pub(crate) fn event_stream(
    receiver: tokio::sync::broadcast::Receiver<AlertEvent>,
    caller: Caller,
) -> impl IntoResponse {
    let stream =
        futures_util::stream::unfold((receiver, caller), |(mut receiver, caller)| async move {
            loop {
                let event = match receiver.recv().await {
                    Ok(event) if event.visible_to(&caller) => Event::default()
                        .event("alert")
                        .id(format!("{}-{}", event.alert_id.0, event.revision))
                        .json_data(&event)
                        .unwrap_or_else(|_| Event::default().event("alert")),
                    Ok(_) => continue,
                    Err(RecvError::Lagged(missed)) => {
                        Event::default().event("lagged").data(missed.to_string())
                    }
                    Err(RecvError::Closed) => return None,
                };
                return Some((Ok::<Event, Infallible>(event), (receiver, caller)));
            }
        });
    (
        // Proxies must not hold the stream back.
        [
            (header::CACHE_CONTROL, "no-cache"),
            (header::HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(20))),
    )
}

pub(super) async fn list_levels(
    State(state): State<AppState>,
    visitor: Visitor,
) -> ApiResult<impl IntoResponse> {
    let levels = state.app.alert_levels(&visitor.caller).await?;
    Ok(Json(json!({ "levels": levels })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelBody {
    level: String,
    reason: String,
    #[serde(default)]
    place: Option<String>,
}

pub(super) async fn set_level(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(country): Path<String>,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let country =
        CountryCode::parse(&country).map_err(|error| invalid("country", error.to_string()))?;
    signed_in(&visitor)?;
    let body: LevelBody = parse_json_body(&body)?;
    let level =
        AlertLevel::parse(&body.level).map_err(|error| invalid("level", error.to_string()))?;
    let place = body
        .place
        .as_deref()
        .map(PlaceCode::parse)
        .transpose()
        .map_err(|error| invalid("place", error.to_string()))?;
    let stored = state
        .app
        .set_alert_level(&visitor.caller, country, place, level, &body.reason)
        .await?;
    Ok(Json(stored))
}

pub(super) async fn get_checklists(
    State(state): State<AppState>,
    visitor: Visitor,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(state.app.level_checklists(&visitor.caller).await?))
}

pub(super) async fn put_checklists(
    State(state): State<AppState>,
    visitor: Visitor,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    signed_in(&visitor)?;
    let checklists: LevelChecklists = parse_json_body(&body)?;
    Ok(Json(
        state
            .app
            .configure_level_checklists(&visitor.caller, checklists)
            .await?,
    ))
}

pub(super) async fn list_stranded(
    State(state): State<AppState>,
    visitor: Visitor,
) -> ApiResult<impl IntoResponse> {
    let populations = state.app.stranded_populations(&visitor.caller).await?;
    Ok(Json(json!({ "stranded": populations })))
}

pub(super) async fn record_stranded(
    State(state): State<AppState>,
    visitor: Visitor,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    signed_in(&visitor)?;
    let parts: StrandedPopulationParts = parse_json_body(&body)?;
    let stored = state.app.record_stranded(&visitor.caller, parts).await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

#[derive(Debug, Deserialize)]
struct StrandedUpdate {
    revision: i64,
    #[serde(flatten)]
    parts: StrandedPopulationParts,
}

pub(super) async fn update_stranded(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let id = positive_id(&id, "a stranded population")?;
    signed_in(&visitor)?;
    let update: StrandedUpdate = parse_json_body(&body)?;
    Ok(Json(
        state
            .app
            .update_stranded(&visitor.caller, id, update.parts, update.revision)
            .await?,
    ))
}

const CAP_IMPORT_PARAMS: &[QueryParam] = &[param(
    "country",
    "The issuing country when the message does not say (the caller's own by default).",
)];

const CAP_PARAMS: &[QueryParam] = &[param(
    "all",
    "Every message the alert produced, oldest first, as a JSON list.",
)];

const ISSUER: &str = "the focal points of the issuing country";
const RECIPIENT: &str = "the focal points of a recipient country";
const READERS: &str = "those the alert is shown to: the issuing country, its recipients, the organisations it is shared with and the secretariat (404 for others)";

/// A route of `tag` without query parameters, from what documents it.
fn documented(
    tag: &'static str,
) -> impl Fn(
    Method,
    &'static str,
    &'static str,
    Option<BodyDoc>,
    ResponseDoc,
    Access,
    MethodRouter<AppState>,
) -> Route {
    move |method, path, summary, body, response, access, handler| Route {
        method,
        path,
        summary,
        tag,
        query: &[],
        body,
        response,
        access,
        handler,
    }
}

fn json_body(schema: &'static str) -> Option<BodyDoc> {
    Some(BodyDoc {
        content_types: &["application/json"],
        schema,
    })
}

/// The routes of this module, in the order of the OpenAPI document.
pub(super) fn routes() -> Vec<Route> {
    let route = documented("alerts");
    vec![
        Route {
            query: ALERT_PARAMS,
            ..route(
                Method::GET,
                "/api/v1/alerts",
                "The migratory alerts the caller may see, most recently changed first",
                None,
                json_response("AlertList"),
                Access::SignedIn,
                get(list_alerts),
            )
        },
        route(
            Method::POST,
            "/api/v1/alerts",
            "Issue an alert (a draft, or sent at once with `activate`), addressed to the countries ahead on its route",
            json_body("NewAlert"),
            ResponseDoc {
                status: 201,
                content_type: "application/json",
                schema: "StoredAlert",
            },
            Access::Policy(ISSUER),
            post(issue_alert),
        ),
        route(
            Method::POST,
            "/api/v1/signals/{id}/propose-alert",
            "Propose a draft alert from a signal (a surge, or forecast arrivals above capacity), for the country's focal point to review and send",
            None,
            ResponseDoc {
                status: 201,
                content_type: "application/json",
                schema: "StoredAlert",
            },
            Access::Policy("the focal points and analysts of the country owning the signal"),
            post(propose_from_signal),
        ),
        route(
            Method::GET,
            "/api/v1/alerts/events",
            "Server-sent events: one `alert` event per change of an alert the caller may see, as it happens",
            None,
            ResponseDoc {
                status: 200,
                content_type: "text/event-stream",
                schema: "AlertEvent",
            },
            Access::SignedIn,
            get(alert_events),
        ),
        route(
            Method::GET,
            "/api/v1/alerts/feed.atom",
            "An Atom feed of the sent alerts the caller may see, each linking its page and its latest CAP message",
            None,
            ResponseDoc {
                status: 200,
                content_type: "application/atom+xml",
                schema: "AtomFeed",
            },
            Access::SignedIn,
            get(alerts_feed),
        ),
        Route {
            query: CAP_IMPORT_PARAMS,
            ..route(
                Method::POST,
                "/api/v1/alerts/cap",
                "Import a CAP 1.2 message from a partner system: a new alert, or an update, all-clear or cancellation of the alert it references; hostile or invalid XML is refused with the reason",
                Some(BodyDoc {
                    content_types: &["application/cap+xml", "application/xml"],
                    schema: "CapMessage",
                }),
                json_response("CapImport"),
                Access::Policy(ISSUER),
                post(import_cap),
            )
        },
        Route {
            query: CAP_PARAMS,
            ..route(
                Method::GET,
                "/api/v1/alerts/{id}/cap",
                "The latest CAP 1.2 message of an alert (valid against the OASIS schema)",
                None,
                ResponseDoc {
                    status: 200,
                    content_type: "application/cap+xml",
                    schema: "CapMessage",
                },
                Access::Policy(READERS),
                get(alert_cap),
            )
        },
        route(
            Method::GET,
            "/api/v1/alerts/{id}",
            "One alert with who has not acknowledged, who is late, what each recipient still owes, and its timeline",
            None,
            json_response("AlertView"),
            Access::Policy(READERS),
            get(get_alert),
        ),
        route(
            Method::GET,
            "/api/v1/alerts/{id}/revisions",
            "Every stored document of an alert, oldest first",
            None,
            json_response("AlertRevisions"),
            Access::Policy(READERS),
            get(alert_revisions),
        ),
        route(
            Method::POST,
            "/api/v1/alerts/{id}/activate",
            "Send a draft to its recipients",
            None,
            json_response("StoredAlert"),
            Access::Policy(ISSUER),
            post(activate_alert),
        ),
        route(
            Method::POST,
            "/api/v1/alerts/{id}/update",
            "A new version of the alert, saying what changed (a draft is edited in place)",
            json_body("AlertUpdate"),
            json_response("StoredAlert"),
            Access::Policy(ISSUER),
            post(update_alert),
        ),
        route(
            Method::POST,
            "/api/v1/alerts/{id}/close",
            "End the alert: the flow passed or dispersed",
            None,
            json_response("StoredAlert"),
            Access::Policy(ISSUER),
            post(close_alert),
        ),
        route(
            Method::POST,
            "/api/v1/alerts/{id}/cancel",
            "Withdraw the alert, with the reason",
            json_body("AlertCancel"),
            json_response("StoredAlert"),
            Access::Policy(ISSUER),
            post(cancel_alert),
        ),
        route(
            Method::POST,
            "/api/v1/alerts/{id}/recipients",
            "Address the alert to one more country",
            json_body("AlertRecipientBody"),
            json_response("StoredAlert"),
            Access::Policy(ISSUER),
            post(add_recipient),
        ),
        route(
            Method::POST,
            "/api/v1/alerts/{id}/acknowledge",
            "Acknowledge receipt, as a recipient country",
            None,
            json_response("StoredAlert"),
            Access::Policy(RECIPIENT),
            post(acknowledge_alert),
        ),
        route(
            Method::POST,
            "/api/v1/alerts/{id}/actions",
            "Record what the recipient country guarantees or did for one required action",
            json_body("AlertActionBody"),
            json_response("StoredAlert"),
            Access::Policy(RECIPIENT),
            post(record_action),
        ),
        route(
            Method::GET,
            "/api/v1/alert-levels",
            "Every country's alert level (and each place with one): set, effective, and the actions it obliges",
            None,
            json_response("AlertLevels"),
            Access::SignedIn,
            get(list_levels),
        ),
        route(
            Method::PUT,
            "/api/v1/alert-levels/{country}",
            "Set a country's (or one of its places') alert level, with the reason",
            json_body("AlertLevelBody"),
            json_response("AlertLevel"),
            Access::Policy("the focal points of the country"),
            put(set_level),
        ),
        route(
            Method::GET,
            "/api/v1/level-checklists",
            "The actions each alert level obliges",
            None,
            json_response("LevelChecklists"),
            Access::SignedIn,
            get(get_checklists),
        ),
        route(
            Method::PUT,
            "/api/v1/level-checklists",
            "Configure the actions each alert level obliges",
            json_body("LevelChecklistList"),
            json_response("LevelChecklists"),
            Access::Policy("the secretariat's administrators"),
            put(put_checklists),
        ),
        route(
            Method::GET,
            "/api/v1/stranded",
            "Stranded populations, where the caller may read the country's stranded counts",
            None,
            json_response("StrandedList"),
            Access::Anyone,
            get(list_stranded),
        ),
        route(
            Method::POST,
            "/api/v1/stranded",
            "Record a stranded population: where, how many by whose estimate, needs, shelter",
            json_body("StrandedPopulation"),
            ResponseDoc {
                status: 201,
                content_type: "application/json",
                schema: "StoredStranded",
            },
            Access::Policy("the focal points and analysts of the country"),
            post(record_stranded),
        ),
        route(
            Method::PUT,
            "/api/v1/stranded/{id}",
            "A new estimate of a stranded population, over the revision it was read at",
            json_body("StrandedUpdate"),
            json_response("StoredStranded"),
            Access::Policy("the focal points and analysts of the country"),
            put(update_stranded),
        ),
    ]
    .into_iter()
    .chain(webhook_routes())
    .collect()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WebhookBody {
    url: String,
    /// The organisation whose alerts it receives; the caller's own when absent.
    #[serde(default)]
    organisation: Option<String>,
}

pub(super) async fn list_webhooks(
    State(state): State<AppState>,
    visitor: Visitor,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        json!({ "webhooks": state.app.webhooks(&visitor.caller).await? }),
    ))
}

pub(super) async fn create_webhook(
    State(state): State<AppState>,
    visitor: Visitor,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    signed_in(&visitor)?;
    let body: WebhookBody = parse_json_body(&body)?;
    let organisation = match (&body.organisation, visitor.caller.principal()) {
        (Some(code), _) => OrganisationCode::parse(code)
            .map_err(|error| invalid("organisation", error.to_string()))?,
        (None, Some(principal)) => principal.organisation.clone(),
        (None, None) => return Err(invalid("organisation", "say whose webhook it is")),
    };
    let created = state
        .app
        .create_webhook(&visitor.caller, &organisation, &body.url)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

fn webhook_id(raw: &str) -> Result<i64, ApiError> {
    positive_id(raw, "a webhook")
}

pub(super) async fn disable_webhook(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        state
            .app
            .disable_webhook(&visitor.caller, webhook_id(&id)?)
            .await?,
    ))
}

pub(super) async fn webhook_deliveries(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let log = state
        .app
        .webhook_deliveries(&visitor.caller, webhook_id(&id)?)
        .await?;
    let deliveries: Vec<serde_json::Value> = log
        .into_iter()
        .map(|(delivery, attempts)| json!({ "delivery": delivery, "attempts": attempts }))
        .collect();
    Ok(Json(json!({ "deliveries": deliveries })))
}

const WEBHOOK_MANAGERS: &str =
    "the organisation's focal points and the secretariat's administrators (404 for others' webhooks)";

fn webhook_routes() -> Vec<Route> {
    let route = documented("webhooks");
    vec![
        route(
            Method::GET,
            "/api/v1/webhooks",
            "The webhooks the caller manages (without their secrets)",
            None,
            json_response("WebhookList"),
            Access::Policy(WEBHOOK_MANAGERS),
            get(list_webhooks),
        ),
        route(
            Method::POST,
            "/api/v1/webhooks",
            "Subscribe a national system to the alerts its organisation may see; the signing secret is shown once",
            json_body("NewWebhook"),
            ResponseDoc {
                status: 201,
                content_type: "application/json",
                schema: "CreatedWebhook",
            },
            Access::Policy(WEBHOOK_MANAGERS),
            post(create_webhook),
        ),
        route(
            Method::POST,
            "/api/v1/webhooks/{id}/disable",
            "Stop a webhook; pending deliveries are given up, the log stays",
            None,
            json_response("Webhook"),
            Access::Policy(WEBHOOK_MANAGERS),
            post(disable_webhook),
        ),
        route(
            Method::GET,
            "/api/v1/webhooks/{id}/deliveries",
            "A webhook's latest deliveries, each with every attempt (status code or error, duration)",
            None,
            json_response("DeliveryLog"),
            Access::Policy(WEBHOOK_MANAGERS),
            get(webhook_deliveries),
        ),
    ]
}
