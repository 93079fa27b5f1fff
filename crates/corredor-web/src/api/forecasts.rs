//! `/api/v1/forecasts`: the latest forecasts of each corridor with the running skill of each
//! series, the scores of kept forecasts, the fitted legs and the capacity warnings.

use axum::extract::{RawQuery, State};
use axum::response::IntoResponse;
use axum::Json;
use corredor_app::{ForecastQuery, ForecastSkill};
use corredor_core::{CorridorCode, CountryCode, Nationality};
use serde_json::json;

use super::{param, ApiResult, QueryParam};
use crate::auth::Visitor;
use crate::params::Params;
use crate::AppState;

pub(super) const FORECAST_PARAMS: &[QueryParam] = &[
    param("corridor", "Only this corridor (default: every corridor)."),
    param(
        "country",
        "Only these nodes (ISO alpha-3), repeated or comma-separated.",
    ),
    param(
        "nationality",
        "Only these nationalities; `total` for the total over nationalities only.",
    ),
];

pub(super) const SKILL_PARAMS: &[QueryParam] = &[
    param("corridor", "Only this corridor."),
    param("country", "Only these nodes."),
    param(
        "nationality",
        "Only these nationalities; `total` for the total.",
    ),
    param(
        "scored",
        "Also list every scored forecast with its actual count.",
    ),
];

/// What the three filters select, parsed once.
struct Filter {
    corridor: Option<CorridorCode>,
    countries: Vec<CountryCode>,
    nationalities: Vec<Nationality>,
    total_only: bool,
}

impl Filter {
    fn parse(params: &mut Params) -> Filter {
        let corridor = params.one("corridor", CorridorCode::parse);
        let countries = params.list("country", CountryCode::parse);
        let mut total_only = false;
        let nationalities = params
            .list("nationality", |raw| {
                if raw.eq_ignore_ascii_case("total") {
                    total_only = true;
                    Ok(None)
                } else {
                    Nationality::parse(raw).map(Some)
                }
            })
            .into_iter()
            .flatten()
            .collect();
        Filter {
            corridor,
            countries,
            nationalities,
            total_only,
        }
    }

    fn selects(
        &self,
        corridor: &CorridorCode,
        country: CountryCode,
        nationality: Option<Nationality>,
    ) -> bool {
        self.corridor.as_ref().is_none_or(|code| code == corridor)
            && (self.countries.is_empty() || self.countries.contains(&country))
            && match nationality {
                None => self.nationalities.is_empty() || self.total_only,
                Some(nationality) => {
                    (self.nationalities.is_empty() && !self.total_only)
                        || self.nationalities.contains(&nationality)
                }
            }
    }
}

pub(super) async fn list_forecasts(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> ApiResult<impl IntoResponse> {
    let mut params = Params::parse(query.as_deref());
    let filter = Filter::parse(&mut params);
    params.finish()?;
    let corridors = state
        .app
        .forecasts(
            &visitor.caller,
            &ForecastQuery {
                corridor: filter.corridor.clone(),
                countries: filter.countries.clone(),
                nationalities: filter.nationalities.clone(),
                total_only: filter.total_only && filter.nationalities.is_empty(),
                history: 0,
            },
        )
        .await?;
    let corridors: Vec<serde_json::Value> = corridors
        .into_iter()
        .map(|corridor| {
            let forecasts: Vec<serde_json::Value> = corridor
                .series
                .iter()
                .filter(|series| {
                    filter.selects(&corridor.corridor, series.country, series.nationality)
                })
                .flat_map(|series| {
                    series.steps.iter().map(|step| {
                        json!({
                            "country": step.country,
                            "measure": step.measure,
                            "nationality": step.nationality,
                            "target": step.target,
                            "horizon": step.horizon,
                            "forecast": step.forecast,
                            "lower80": step.lower80,
                            "upper80": step.upper80,
                            "lower95": step.lower95,
                            "upper95": step.upper95,
                            "skill": series.skill,
                            "baseline_skill": series.baseline_skill,
                        })
                    })
                })
                .collect();
            json!({
                "corridor": corridor.corridor,
                "run_id": corridor.run.id,
                "model": corridor.run.model,
                "created_at": corridor.run.created_at,
                "granularity": corridor.run.granularity(),
                "origin": corridor.run.origin,
                "notes": corridor.notes,
                "forecasts": forecasts,
            })
        })
        .collect();
    Ok(Json(json!({ "corridors": corridors })))
}

pub(super) async fn forecast_skill(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> ApiResult<impl IntoResponse> {
    let mut params = Params::parse(query.as_deref());
    let filter = Filter::parse(&mut params);
    let with_scored = params.flag("scored");
    params.finish()?;
    let ForecastSkill { skills, scored } = state.app.forecast_skill(&visitor.caller).await?;
    let skills: Vec<_> = skills
        .into_iter()
        .filter(|skill| filter.selects(&skill.corridor, skill.country, skill.nationality))
        .collect();
    let mut body = json!({ "skills": skills });
    if with_scored {
        let scored: Vec<_> = scored
            .into_iter()
            .filter(|score| {
                filter.selects(&score.corridor, score.row.country, score.row.nationality)
            })
            .collect();
        body["scored"] = json!(scored);
    }
    Ok(Json(body))
}

pub(super) async fn forecast_legs(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> ApiResult<impl IntoResponse> {
    let mut params = Params::parse(query.as_deref());
    let filter = Filter::parse(&mut params);
    params.finish()?;
    let corridors: Vec<serde_json::Value> = state
        .app
        .forecast_legs(&visitor.caller)
        .await?
        .into_iter()
        .filter(|legs| filter.corridor.as_ref().is_none_or(|c| c == &legs.corridor))
        .map(|legs| {
            let selected: Vec<_> = legs
                .legs
                .iter()
                .filter(|leg| {
                    filter.selects(&legs.corridor, leg.to, leg.nationality)
                        || filter.selects(&legs.corridor, leg.from, leg.nationality)
                })
                .map(|leg| {
                    let transit: Vec<f64> = leg
                        .weights
                        .iter()
                        .map(|w| {
                            if leg.continuation > 0.0 {
                                w / leg.continuation
                            } else {
                                0.0
                            }
                        })
                        .collect();
                    json!({
                        "nationality": leg.nationality,
                        "from": leg.from,
                        "to": leg.to,
                        "continuation": leg.continuation,
                        "mean_transit": leg.mean_transit,
                        "transit": transit,
                        "weights": leg.weights,
                    })
                })
                .collect();
            json!({
                "corridor": legs.corridor,
                "run_id": legs.run_id,
                "origin": legs.origin,
                "legs": selected,
            })
        })
        .collect();
    Ok(Json(json!({ "corridors": corridors })))
}

pub(super) async fn capacity_warnings(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> ApiResult<impl IntoResponse> {
    let mut params = Params::parse(query.as_deref());
    let countries = params.list("country", CountryCode::parse);
    params.finish()?;
    let warnings: Vec<_> = state
        .app
        .capacity_warnings(&visitor.caller)
        .await?
        .into_iter()
        .filter(|warning| countries.is_empty() || countries.contains(&warning.place.country))
        .collect();
    Ok(Json(json!({ "warnings": warnings })))
}

pub(super) const CAPACITY_PARAMS: &[QueryParam] =
    &[param("country", "Only places in these countries.")];
