//! `/api/v1/me`, organisations, users, tokens, sharing choices and the audit log.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::Duration;
use corredor_app::store::AuditFilter;
use corredor_app::{AppError, NewUser};
use corredor_core::{
    Caller, CountryCode, Measure, Organisation, OrganisationCode, OrganisationKind, Role,
    SharingLevel, SharingPolicy,
};
use serde::Deserialize;
use serde_json::json;

use super::{param, parse_json_body, signed_in, ApiResult, QueryParam};
use crate::auth::Visitor;
use crate::error::ApiError;
use crate::params::Params;
use crate::AppState;

pub(super) const ORGANISATION_FILTER: &[QueryParam] =
    &[param("organisation", "Only this organisation's.")];

pub(super) const AUDIT_PARAMS: &[QueryParam] = &[
    param(
        "country",
        "Only the entries about this country's data (a country's focal point reads only its own).",
    ),
    param("after", "Only entries after this id (paging forward)."),
    param(
        "limit",
        "At most this many entries (1 to 10000, default 1000).",
    ),
];

fn invalid(field: &str, reason: impl Into<String>) -> ApiError {
    ApiError(AppError::invalid(field, reason))
}

/// Who is calling: the principal of the session or token, or `anonymous`.
pub(super) async fn me(visitor: Visitor) -> ApiResult<impl IntoResponse> {
    Ok(Json(match &visitor.caller {
        Caller::Principal(principal) => json!({
            "authenticated": true,
            "name": principal.name,
            "organisation": principal.organisation,
            "organisation_kind": principal.kind.code(),
            "country": principal.country(),
            "role": principal.role,
            "display_name": visitor.session.as_ref().map(|session| session.display_name.clone()),
        }),
        _ => json!({ "authenticated": false }),
    }))
}

pub(super) async fn list_organisations(
    State(state): State<AppState>,
    visitor: Visitor,
) -> ApiResult<impl IntoResponse> {
    signed_in(&visitor)?;
    Ok(Json(
        json!({ "organisations": state.app.organisations().await? }),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrganisationBody {
    name: String,
    kind: String,
    #[serde(default)]
    country: Option<String>,
}

pub(super) async fn put_organisation(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(code): Path<String>,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let code =
        OrganisationCode::parse(&code).map_err(|error| invalid("code", error.to_string()))?;
    let body: OrganisationBody = parse_json_body(&body)?;
    let kind = match (body.kind.as_str(), body.country.as_deref()) {
        ("country", Some(country)) => OrganisationKind::Country(
            CountryCode::parse(country).map_err(|error| invalid("country", error.to_string()))?,
        ),
        ("country", None) => {
            return Err(invalid(
                "country",
                "a country's organisation names its country",
            ))
        }
        ("secretariat", None) => OrganisationKind::Secretariat,
        ("observer", None) => OrganisationKind::Observer,
        ("secretariat" | "observer", Some(_)) => {
            return Err(invalid(
                "country",
                "only a country's organisation names a country",
            ))
        }
        (other, _) => {
            return Err(invalid(
                "kind",
                format!("`{other}` is not country, secretariat or observer"),
            ))
        }
    };
    let organisation = Organisation::new(code, &body.name, kind)
        .map_err(|error| invalid("organisation", error.to_string()))?;
    state
        .app
        .put_organisation(&visitor.caller, &organisation)
        .await?;
    Ok(Json(organisation))
}

fn organisation_param(params: &mut Params) -> Option<OrganisationCode> {
    params.one("organisation", OrganisationCode::parse)
}

pub(super) async fn list_users(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> ApiResult<impl IntoResponse> {
    let mut params = Params::parse(query.as_deref());
    let organisation = organisation_param(&mut params);
    params.finish()?;
    let users = state
        .app
        .users(&visitor.caller, organisation.as_ref())
        .await?;
    Ok(Json(json!({ "users": users })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserBody {
    name: String,
    #[serde(default)]
    display_name: Option<String>,
    organisation: OrganisationCode,
    role: Role,
    password: String,
}

pub(super) async fn add_user(
    State(state): State<AppState>,
    visitor: Visitor,
    body: Bytes,
) -> ApiResult<(StatusCode, impl IntoResponse)> {
    let body: UserBody = parse_json_body(&body)?;
    let user = NewUser {
        display_name: body.display_name.unwrap_or_else(|| body.name.clone()),
        name: body.name,
        organisation: body.organisation,
        role: body.role,
        password: body.password,
    };
    let account = state.app.add_user(&visitor.caller, &user).await?;
    Ok((StatusCode::CREATED, Json(account)))
}

pub(super) async fn disable_user(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(name): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(state.app.disable_user(&visitor.caller, &name).await?))
}

pub(super) async fn list_tokens(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> ApiResult<impl IntoResponse> {
    let mut params = Params::parse(query.as_deref());
    let organisation = organisation_param(&mut params);
    params.finish()?;
    let tokens = state
        .app
        .tokens(&visitor.caller, organisation.as_ref())
        .await?;
    Ok(Json(json!({ "tokens": tokens })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    organisation: OrganisationCode,
    role: Role,
    label: String,
    #[serde(default)]
    days: Option<u16>,
}

pub(super) async fn create_token(
    State(state): State<AppState>,
    visitor: Visitor,
    body: Bytes,
) -> ApiResult<(StatusCode, impl IntoResponse)> {
    let body: TokenBody = parse_json_body(&body)?;
    let days = body.days.unwrap_or(90);
    if days == 0 {
        return Err(invalid("days", "a token is valid for at least one day"));
    }
    let created = state
        .app
        .create_token(
            &visitor.caller,
            &body.organisation,
            body.role,
            &body.label,
            Duration::days(i64::from(days)),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub(super) async fn revoke_token(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let id: i64 = id
        .trim()
        .parse()
        .map_err(|_| invalid("id", format!("`{id}` is not a token id")))?;
    Ok(Json(state.app.revoke_token(&visitor.caller, id).await?))
}

pub(super) async fn list_sharing(
    State(state): State<AppState>,
    visitor: Visitor,
) -> ApiResult<impl IntoResponse> {
    let policies = state.app.sharing_policies(&visitor.caller).await?;
    Ok(Json(json!({
        "default": corredor_core::DEFAULT_SHARING,
        "policies": policies,
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SharingBody {
    level: String,
    #[serde(default)]
    members: Vec<String>,
}

pub(super) async fn put_sharing(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((country, measure)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let country =
        CountryCode::parse(&country).map_err(|error| invalid("country", error.to_string()))?;
    let measure =
        Measure::parse(&measure).map_err(|error| invalid("measure", error.to_string()))?;
    let body: SharingBody = parse_json_body(&body)?;
    let members = body
        .members
        .iter()
        .map(|member| CountryCode::parse(member))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| invalid("members", error.to_string()))?;
    let level: SharingLevel = SharingLevel::from_code(&body.level, &members)
        .map_err(|error| invalid("level", error.to_string()))?;
    let policy = SharingPolicy {
        country,
        measure,
        level,
    };
    state.app.set_sharing(&visitor.caller, &policy).await?;
    Ok(Json(policy))
}

pub(super) async fn list_audit(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> ApiResult<impl IntoResponse> {
    let mut params = Params::parse(query.as_deref());
    let country = params.one("country", CountryCode::parse);
    let after_id = params.one("after", |raw| {
        raw.trim()
            .parse::<i64>()
            .map_err(|_| format!("`{raw}` is not an entry id"))
    });
    let limit = params.one("limit", |raw| match raw.trim().parse::<u64>() {
        Ok(limit) if (1..=10_000).contains(&limit) => Ok(limit),
        _ => Err(format!("`{raw}` is not a number from 1 to 10000")),
    });
    params.finish()?;
    let entries = state
        .app
        .audit_entries(
            &visitor.caller,
            &AuditFilter {
                country,
                after_id,
                limit: Some(limit.unwrap_or(1_000)),
            },
        )
        .await?;
    Ok(Json(json!({ "count": entries.len(), "entries": entries })))
}

pub(super) async fn verify_audit(
    State(state): State<AppState>,
    visitor: Visitor,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(state.app.verify_audit(&visitor.caller).await?))
}
