//! The OpenAPI 3 document of the API, built from the route table.

use serde_json::{json, Map, Value};

use crate::api::{routes, Access};

/// The OpenAPI 3.0 document served at `/api/v1/openapi.json`.
pub fn document() -> Value {
    let mut paths = Map::new();
    for route in routes() {
        let mut parameters: Vec<Value> = route
            .query
            .iter()
            .map(|param| {
                json!({
                    "name": param.name,
                    "in": "query",
                    "required": param.required,
                    "description": param.description,
                    "schema": { "type": "string" },
                })
            })
            .collect();
        for segment in route.path.split('/') {
            if let Some(name) = segment
                .strip_prefix('{')
                .and_then(|rest| rest.strip_suffix('}'))
            {
                parameters.push(json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }));
            }
        }
        let response_content =
            json!({ route.response.content_type: { "schema": schema_ref(route.response.schema) } });
        let mut operation = json!({
            "summary": route.summary,
            "tags": [route.tag],
            "operationId": operation_id(route.method.as_str(), route.path),
            "parameters": parameters,
            "responses": {
                route.response.status.to_string(): { "description": "Success", "content": response_content },
                "404": { "description": "Not found", "content": { "application/json": { "schema": schema_ref("Error") } } },
                "422": {
                    "description": "The request (or file) was refused; every problem is listed and nothing was written",
                    "content": { "application/json": { "schema": schema_ref("Error") } }
                },
                "500": { "description": "Internal error (logged with the returned error_id)", "content": { "application/json": { "schema": schema_ref("Error") } } },
            },
        });
        operation["x-corredor-access"] = json!(route.access.describe());
        if route.access != Access::Anyone {
            operation["security"] = json!([{ "bearer": [] }, { "session": [] }]);
        }
        operation["responses"]["401"] = json!({ "description": "Not signed in, or the token is unknown, expired or revoked", "content": { "application/json": { "schema": schema_ref("Error") } } });
        operation["responses"]["403"] = json!({ "description": "Signed in, but not allowed: the message says who may", "content": { "application/json": { "schema": schema_ref("Error") } } });
        if let Some(body) = &route.body {
            let content: Map<String, Value> = body
                .content_types
                .iter()
                .map(|content_type| {
                    (
                        (*content_type).to_owned(),
                        json!({ "schema": schema_ref(body.schema) }),
                    )
                })
                .collect();
            operation["requestBody"] = json!({ "required": true, "content": content });
        }
        let entry = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| json!({}));
        entry[route.method.as_str().to_ascii_lowercase()] = operation;
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "corredor API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The shared monitoring and early-warning system of the Regional Conference on Migration. \
                Counts are observations reported by countries; a flow added over several points of the corridor counts events, not people.",
        },
        "servers": [{ "url": "/" }],
        "paths": paths,
        "components": {
            "schemas": all_schemas(),
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "An API token (`corredor token create`), sent as `Authorization: Bearer <token>`" },
                "session": { "type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE, "description": "The session of a person signed in at /sign-in; changes also carry the session's form token in the X-CSRF-Token header" },
            },
        },
    })
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_ascii_lowercase();
    for segment in path.trim_start_matches("/api/v1/").split('/') {
        let segment = segment
            .trim_matches(|c| c == '{' || c == '}')
            .replace(['.', '-'], "_");
        id.push('_');
        id.push_str(&segment);
    }
    id
}

fn schemas() -> Value {
    let code = |description: &str| json!({ "type": "string", "description": description });
    let nullable_code = |description: &str| json!({ "type": "string", "nullable": true, "description": description });
    json!({
        "Error": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {
                "error": { "type": "string", "enum": ["not_found", "invalid", "forbidden", "conflict", "internal"] },
                "message": { "type": "string" },
                "error_id": { "type": "string" },
                "problems": { "type": "array", "items": schema_ref("Problem") },
            },
        },
        "Problem": {
            "type": "object",
            "properties": {
                "file": { "type": "string" },
                "line": { "type": "integer", "description": "1-based line of the file; 0 for the request or file as a whole" },
                "column": { "type": "string", "nullable": true },
                "reason": { "type": "string" },
            },
        },
        "Country": {
            "type": "object",
            "properties": {
                "code": code("ISO 3166-1 alpha-3"),
                "name_en": { "type": "string" },
                "name_es": { "type": "string" },
                "rcm_status": { "type": "string", "enum": ["member", "observer"], "nullable": true },
            },
        },
        "CountryList": { "type": "object", "properties": { "countries": { "type": "array", "items": schema_ref("Country") } } },
        "Place": {
            "type": "object",
            "required": ["code", "name", "country", "kind", "latitude", "longitude"],
            "properties": {
                "code": code("Unique code, e.g. PA-ERM-LB"),
                "name": { "type": "string" },
                "country": code("ISO 3166-1 alpha-3"),
                "kind": { "type": "string", "enum": ["official_land_crossing", "reception_station", "reception_point", "migration_control_post", "staging_point", "shelter", "border_patrol_sector", "field_office"] },
                "counterpart": nullable_code("The country across the border"),
                "latitude": { "type": "number" },
                "longitude": { "type": "number" },
            },
        },
        "PlaceList": { "type": "object", "properties": { "places": { "type": "array", "items": schema_ref("Place") } } },
        "Corridor": {
            "type": "object",
            "properties": {
                "code": { "type": "string" },
                "name_en": { "type": "string" },
                "name_es": { "type": "string" },
                "nodes": { "type": "array", "items": { "type": "object", "properties": { "country": { "type": "string" }, "places": { "type": "array", "items": { "type": "string" } } } } },
                "legs": { "type": "array", "items": { "type": "object", "properties": { "from": { "type": "string" }, "to": { "type": "string" }, "typical_transit_days": { "type": "integer" } } } },
            },
        },
        "CorridorList": { "type": "object", "properties": { "corridors": { "type": "array", "items": schema_ref("Corridor") } } },
        "Observation": {
            "type": "object",
            "properties": {
                "country": code("Reporting country"),
                "place": nullable_code("Place code; null for the whole country"),
                "period": code("2023-08-14, 2023-W33, 2023-08 or 2023"),
                "measure": { "type": "string", "enum": ["irregular_entry", "encounter", "stranded", "asylum_application", "return_executed", "returnee_received", "shelter_occupancy", "shelter_capacity"] },
                "nationality": nullable_code("Null: total over nationalities"),
                "sex": nullable_code("Null: total over sexes"),
                "age_group": nullable_code("Null: total over age groups"),
                "vulnerability": nullable_code("Null: everyone, not a vulnerability"),
                "value": { "type": "integer", "minimum": 0 },
                "source": { "type": "string", "nullable": true },
                "revision": { "type": "integer" },
                "submitted_by": { "type": "string" },
                "submitted_at": { "type": "string", "format": "date-time" },
            },
        },
        "ObservationList": { "type": "object", "properties": { "count": { "type": "integer" }, "observations": { "type": "array", "items": schema_ref("Observation") } } },
        "ObservationFile": { "type": "string", "description": "CSV with the header period,place,measure,nationality,sex,age_group,vulnerability,value,source (optionally country first), or the same as HXL" },
        "ImportReport": {
            "type": "object",
            "properties": {
                "file": { "type": "string" },
                "rows": { "type": "integer" },
                "inserted": { "type": "integer" },
                "revised": { "type": "integer" },
                "unchanged": { "type": "integer" },
                "submission_id": { "type": "integer" },
            },
        },
        "RevisionList": {
            "type": "object",
            "properties": {
                "key": { "type": "object" },
                "revisions": { "type": "array", "items": { "type": "object", "properties": {
                    "revision": { "type": "integer" }, "value": { "type": "integer" },
                    "provenance": { "type": "object", "properties": { "source": { "type": "string", "nullable": true }, "submitted_by": { "type": "string" }, "submitted_at": { "type": "string", "format": "date-time" } } },
                } } },
            },
        },
        "Series": {
            "type": "object",
            "properties": {
                "measure": { "type": "string" },
                "kind": { "type": "string", "enum": ["flow", "stock"] },
                "unit": { "type": "string", "enum": ["people", "events"], "description": "events: the same person may be counted more than once" },
                "granularity": { "type": "string", "enum": ["day", "week", "month", "year"] },
                "lines": { "type": "array", "items": { "type": "object", "properties": {
                    "country": { "type": "string" }, "place": { "type": "string" }, "nationality": { "type": "string" },
                    "sex": { "type": "string" }, "age_group": { "type": "string" }, "vulnerability": { "type": "string" },
                    "total": { "type": "integer", "nullable": true, "description": "null when a point of the range is suppressed" },
                    "points": { "type": "array", "items": { "type": "object", "properties": {
                        "period": { "type": "string" },
                        "value": { "type": "integer", "nullable": true, "description": "null when suppressed for observers and readers not signed in" },
                        "suppressed": { "type": "string", "enum": ["<5", "hidden"], "description": "<5: a count below 5; hidden: hidden so that a small count cannot be derived from the totals" },
                    } } },
                } } },
                "notes": { "type": "array", "items": { "type": "string" } },
            },
        },
        "Completeness": {
            "type": "object",
            "properties": {
                "country": { "type": "string" }, "measure": { "type": "string" },
                "granularity": { "type": "string", "nullable": true }, "grace_days": { "type": "integer" },
                "on_time": { "type": "integer" }, "late": { "type": "integer" }, "missing": { "type": "integer" }, "due": { "type": "integer" },
                "periods": { "type": "array", "items": { "type": "object", "properties": {
                    "period": { "type": "string" }, "status": { "type": "string", "enum": ["ontime", "late", "missing", "due"] },
                    "first_submitted_at": { "type": "string", "format": "date-time", "nullable": true },
                } } },
            },
        },
        "ForecastSkillRow": {
            "type": "object",
            "description": "Running skill of the kept forecasts of one node, nationality and model",
            "properties": {
                "corridor": { "type": "string" }, "country": { "type": "string" },
                "nationality": nullable_code("Null: the total over nationalities"),
                "model": { "type": "string" },
                "scored": { "type": "integer", "description": "Forecasts whose target period has been reported" },
                "mean_absolute_error": { "type": "number" },
                "mase": { "type": "number", "nullable": true, "description": "Mean absolute error over the in-sample error of seasonal naive; below 1 beats it" },
                "coverage80": { "type": "number", "description": "Share of actual counts inside the 80% interval" },
                "coverage95": { "type": "number" },
            },
        },
        "ForecastList": {
            "type": "object",
            "properties": { "corridors": { "type": "array", "items": { "type": "object", "properties": {
                "corridor": { "type": "string" }, "run_id": { "type": "integer" }, "model": { "type": "string" },
                "created_at": { "type": "string", "format": "date-time" },
                "granularity": { "type": "string", "enum": ["week", "month"] },
                "origin": { "type": "string", "description": "The last observed period the forecasts start from" },
                "notes": { "type": "array", "items": { "type": "string" }, "description": "Nodes left out and why" },
                "forecasts": { "type": "array", "items": { "type": "object", "properties": {
                    "country": { "type": "string" }, "measure": { "type": "string" },
                    "nationality": nullable_code("Null: the total over nationalities"),
                    "target": { "type": "string" }, "horizon": { "type": "integer" },
                    "forecast": { "type": "number" },
                    "lower80": { "type": "number" }, "upper80": { "type": "number" },
                    "lower95": { "type": "number" }, "upper95": { "type": "number" },
                    "skill": { "allOf": [schema_ref("ForecastSkillRow")], "nullable": true },
                    "baseline_skill": { "allOf": [schema_ref("ForecastSkillRow")], "nullable": true, "description": "The same for the ETS baseline kept beside it" },
                } } },
            } } } },
        },
        "ForecastSkill": {
            "type": "object",
            "properties": {
                "skills": { "type": "array", "items": schema_ref("ForecastSkillRow") },
                "scored": { "type": "array", "description": "With `scored`: every scored forecast", "items": { "type": "object", "properties": {
                    "corridor": { "type": "string" }, "run_id": { "type": "integer" }, "model": { "type": "string" }, "origin": { "type": "string" },
                    "country": { "type": "string" }, "nationality": nullable_code("Null: the total"), "target": { "type": "string" }, "horizon": { "type": "integer" },
                    "forecast": { "type": "number" }, "actual": { "type": "integer" }, "absolute_error": { "type": "number" },
                    "scaled_error": { "type": "number", "nullable": true }, "inside80": { "type": "boolean" }, "inside95": { "type": "boolean" },
                } } },
            },
        },
        "ForecastLegs": {
            "type": "object",
            "properties": { "corridors": { "type": "array", "items": { "type": "object", "properties": {
                "corridor": { "type": "string" }, "run_id": { "type": "integer" }, "origin": { "type": "string" },
                "legs": { "type": "array", "items": { "type": "object", "properties": {
                    "nationality": nullable_code("Null: the total"), "from": { "type": "string" }, "to": { "type": "string" },
                    "continuation": { "type": "number", "description": "Part of the upstream flow counted again downstream" },
                    "mean_transit": { "type": "number", "nullable": true, "description": "Mean transit time in periods" },
                    "transit": { "type": "array", "items": { "type": "number" }, "description": "Share counted downstream after 0, 1, 2… periods" },
                    "weights": { "type": "array", "items": { "type": "number" } },
                } } },
            } } } },
        },
        "CapacityWarnings": {
            "type": "object",
            "properties": { "warnings": { "type": "array", "items": { "type": "object", "properties": {
                "place": schema_ref("Place"), "period": { "type": "string" }, "horizon": { "type": "integer" },
                "capacity": { "type": "integer" }, "capacity_period": { "type": "string" },
                "occupancy": { "type": "integer" }, "occupancy_period": { "type": "string", "nullable": true },
                "expected_arrivals": { "type": "number" },
                "arrivals_upper80": { "type": "number", "description": "What is compared: the upper bound of the 80% interval" },
                "place_share": { "type": "number" },
                "excess": { "type": "integer", "description": "By how many people capacity would be exceeded" },
                "run_id": { "type": "integer" },
            } } } },
        },
        "Signal": {
            "type": "object",
            "required": ["id", "kind", "measure", "granularity", "period", "expected", "upper_bound", "score", "algorithm", "parameters", "detected_at"],
            "properties": {
                "id": { "type": "integer" },
                "kind": { "type": "string", "enum": ["surge", "capacity"] },
                "country": nullable_code("The owning country; null for a corridor sum"),
                "corridor": nullable_code("The corridor of a corridor sum (events, not people)"),
                "place": nullable_code("The place; null for the whole country"),
                "measure": code("Measure code (flows only for surges)"),
                "nationality": nullable_code("Null for the total over nationalities"),
                "granularity": { "type": "string", "enum": ["week", "month"] },
                "period": code("The period that alarmed"),
                "observed": { "type": "number", "nullable": true },
                "expected": { "type": "number" },
                "upper_bound": { "type": "number" },
                "score": { "type": "number", "description": "Above 1: above the bound" },
                "algorithm": { "type": "string", "description": "farrington-flexible, ears-c2, …" },
                "parameters": { "type": "object", "description": "The detector's settings" },
                "detected_at": { "type": "string", "format": "date-time" },
                "outcome": { "type": "string", "enum": ["discarded", "monitoring", "escalated"], "nullable": true },
                "decided_by": { "type": "string", "nullable": true },
                "decided_at": { "type": "string", "format": "date-time", "nullable": true },
                "reason": { "type": "string", "nullable": true },
            },
        },
        "SignalList": { "type": "object", "properties": { "count": { "type": "integer" }, "signals": { "type": "array", "items": schema_ref("Signal") } } },
        "SignalDecision": {
            "type": "object",
            "required": ["outcome", "reason"],
            "properties": {
                "outcome": { "type": "string", "enum": ["discarded", "monitoring", "escalated"] },
                "decided_by": { "type": "string", "readOnly": true, "description": "The signed-in person or token that decided" },
                "decided_at": { "type": "string", "format": "date-time", "readOnly": true },
                "reason": { "type": "string", "minLength": 1 },
            },
        },
        "SignalDetail": {
            "type": "object",
            "properties": {
                "signal": schema_ref("Signal"),
                "decisions": { "type": "array", "items": schema_ref("SignalDecision"), "description": "Every decision, oldest first" },
                "history": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "period": { "type": "string" },
                            "observed": { "type": "number", "nullable": true },
                            "expected": { "type": "number", "nullable": true },
                            "upper_bound": { "type": "number", "nullable": true },
                            "alarm": { "type": "boolean" },
                        },
                    },
                },
            },
        },
        "SignalStatistics": {
            "type": "object",
            "properties": {
                "algorithms": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "algorithm": { "type": "string" },
                            "signals": { "type": "integer" },
                            "open": { "type": "integer" },
                            "discarded": { "type": "integer" },
                            "monitoring": { "type": "integer" },
                            "escalated": { "type": "integer" },
                            "discarded_share": { "type": "number", "nullable": true, "description": "Discarded over decided signals" },
                        },
                    },
                },
            },
        },
        "OpenApi": { "type": "object" },
    })
}

fn all_schemas() -> Value {
    let mut all = schemas();
    for more in [access_schemas(), alert_schemas(), return_schemas()] {
        if let (Some(all), Value::Object(more)) = (all.as_object_mut(), more) {
            all.extend(more);
        }
    }
    all
}

/// The schemas of migratory alerts, levels, checklists and stranded populations. The alert
/// itself is `corredor_core::AlertParts`; its parts are described as the JSON they are.
fn alert_schemas() -> Value {
    let text = json!({ "type": "string" });
    let nullable_text = json!({ "type": "string", "nullable": true });
    let time = json!({ "type": "string", "format": "date-time" });
    let count = json!({ "type": "integer", "minimum": 0 });
    let nullable_count = json!({ "type": "integer", "minimum": 0, "nullable": true });
    let country = json!({ "type": "string", "description": "ISO 3166-1 alpha-3" });
    let level = json!({ "type": "string", "enum": ["normal", "elevated", "high", "critical"] });
    let action = json!({ "type": "string", "enum": ["humanitarian_assistance", "health_care", "protection_screening", "asylum_referral", "unaccompanied_children_care", "use_of_force_regulation", "voluntary_return_information"] });
    let state = json!({ "type": "string", "enum": ["draft", "active", "closed", "cancelled"] });
    json!({
        "FlowComposition": {
            "type": "object",
            "required": ["estimated_people"],
            "properties": {
                "estimated_people": count, "women": nullable_count, "children": nullable_count,
                "unaccompanied_children": nullable_count, "pregnant_women": nullable_count,
                "people_with_disabilities": nullable_count, "older_people": nullable_count,
                "nationalities": { "type": "array", "items": { "type": "object", "properties": { "nationality": country, "estimated_people": count } } },
            },
        },
        "AlertLocation": {
            "type": "object",
            "required": ["area", "description"],
            "properties": {
                "area": {
                    "type": "object",
                    "description": "`{\"kind\":\"place\",\"place\":CODE}`, `{\"kind\":\"circle\",\"centre\":{latitude,longitude},\"radius_km\":R}` or `{\"kind\":\"polygon\",\"points\":[{latitude,longitude}…]}`",
                    "properties": { "kind": { "type": "string", "enum": ["place", "circle", "polygon"] } },
                },
                "description": text,
            },
        },
        "AlertContent": {
            "type": "object",
            "required": ["composition", "location", "route", "stage", "needs", "text"],
            "properties": {
                "composition": schema_ref("FlowComposition"),
                "location": schema_ref("AlertLocation"),
                "route": { "type": "object", "properties": { "corridor": text, "direction": { "type": "string", "enum": ["northbound", "southbound"] } } },
                "stage": { "type": "string", "enum": ["forming", "in_transit", "at_border", "dispersed"] },
                "needs": { "type": "object", "properties": { "actions": { "type": "array", "items": action }, "note": nullable_text } },
                "text": {
                    "type": "object",
                    "description": "At least one language",
                    "properties": {
                        "spanish": { "type": "object", "nullable": true, "properties": { "headline": text, "description": text, "instruction": nullable_text } },
                        "english": { "type": "object", "nullable": true, "properties": { "headline": text, "description": text, "instruction": nullable_text } },
                    },
                },
            },
        },
        "NewAlert": {
            "allOf": [schema_ref("AlertContent")],
            "properties": {
                "issuing_country": { "type": "string", "nullable": true, "description": "The caller's country when absent" },
                "seen_on": { "type": "string", "format": "date", "nullable": true, "description": "The day the flow was seen; arrival windows count from it" },
                "also_to": { "type": "array", "items": country, "description": "Countries to warn besides those ahead on the route" },
                "shared_with": { "type": "array", "items": text, "description": "Organisations (observers) that see the alert too" },
                "activate": { "type": "boolean", "description": "Send at once rather than keep a draft" },
            },
        },
        "AlertUpdate": {
            "allOf": [schema_ref("AlertContent")],
            "required": ["what_changed"],
            "properties": { "what_changed": text },
        },
        "AlertCancel": { "type": "object", "required": ["reason"], "properties": { "reason": text } },
        "AlertRecipientBody": { "type": "object", "required": ["country"], "properties": { "country": country } },
        "AlertActionBody": {
            "type": "object",
            "required": ["action", "status"],
            "properties": { "action": action, "status": { "type": "string", "enum": ["guaranteed", "in_progress", "done", "not_possible"] }, "note": nullable_text },
        },
        "Alert": {
            "type": "object",
            "description": "An alert with every version, recipient (with its arrival window), acknowledgement, action record and state change",
            "properties": {
                "id": { "type": "integer" }, "issuing_country": country, "state": state,
                "versions": { "type": "array", "items": { "type": "object", "properties": { "number": { "type": "integer" }, "content": schema_ref("AlertContent"), "issued_at": time, "issued_by": text, "what_changed": nullable_text } } },
                "recipients": { "type": "array", "items": { "type": "object", "properties": { "country": country, "arrival": { "type": "object", "nullable": true, "properties": { "from": { "type": "string", "format": "date" }, "to": { "type": "string", "format": "date" }, "basis": { "type": "string", "enum": ["transit_times", "forecast"] } } }, "added_by_issuer": { "type": "boolean" }, "addressed_at": { "type": "string", "format": "date-time", "nullable": true } } } },
                "acknowledgements": { "type": "array", "items": { "type": "object", "properties": { "country": country, "by": text, "at": time, "version": { "type": "integer" } } } },
                "action_records": { "type": "array", "items": { "type": "object", "properties": { "country": country, "action": action, "status": text, "note": nullable_text, "by": text, "at": time } } },
                "history": { "type": "array", "items": { "type": "object", "properties": { "from": state, "to": state, "by": text, "at": time, "reason": nullable_text } } },
            },
        },
        "StoredAlert": {
            "type": "object",
            "properties": {
                "alert": schema_ref("Alert"),
                "revision": { "type": "integer", "description": "The revision a change was made over" },
                "shared_with": { "type": "array", "items": text },
                "created_at": time, "updated_at": time,
            },
        },
        "AlertList": { "type": "object", "properties": { "count": { "type": "integer" }, "alerts": { "type": "array", "items": schema_ref("StoredAlert") } } },
        "AlertView": {
            "allOf": [schema_ref("StoredAlert")],
            "properties": {
                "unacknowledged": { "type": "array", "items": country },
                "overdue": { "type": "array", "items": country, "description": "Recipients that have not acknowledged within the deadline" },
                "outstanding": { "type": "array", "items": { "type": "array", "description": "[country, [actions without a record that meets them]]" } },
                "reminders": { "type": "array", "items": { "type": "object", "properties": { "alert_id": { "type": "integer" }, "country": country, "raised_at": time } } },
                "timeline": { "type": "array", "items": { "type": "object", "properties": { "at": time, "by": text, "kind": text, "country": { "type": "string", "nullable": true }, "detail": text } } },
            },
        },
        "AlertRevisions": { "type": "object", "properties": { "revisions": { "type": "array", "items": { "type": "object", "properties": { "revision": { "type": "integer" }, "alert": schema_ref("Alert"), "written_at": time, "written_by": text } } } } },
        "AlertEvent": {
            "type": "object",
            "description": "The data of one `alert` event",
            "properties": {
                "kind": { "type": "string", "enum": ["drafted", "activated", "updated", "recipient_added", "acknowledged", "action_recorded", "closed", "cancelled", "reminder"] },
                "alert_id": { "type": "integer" }, "issuing_country": country, "state": state,
                "version": { "type": "integer" }, "revision": { "type": "integer" }, "headline": text,
                "headline_es": { "type": "string", "nullable": true }, "headline_en": { "type": "string", "nullable": true },
                "recipients": { "type": "array", "items": country }, "shared_with": { "type": "array", "items": text },
                "country": { "type": "string", "nullable": true }, "at": time,
            },
        },
        "AlertLevelBody": { "type": "object", "required": ["level", "reason"], "properties": { "level": level, "reason": text, "place": nullable_text } },
        "AlertLevel": { "type": "object", "properties": { "id": { "type": "integer" }, "country": country, "place": nullable_text, "level": level, "reason": text, "set_by": text, "set_at": time } },
        "AlertLevels": { "type": "object", "properties": { "levels": { "type": "array", "items": { "type": "object", "properties": { "country": country, "place": nullable_text, "set_level": level, "set": { "allOf": [schema_ref("AlertLevel")], "nullable": true }, "effective_level": level, "required": { "type": "array", "items": action } } } } } },
        "LevelChecklistList": { "type": "array", "items": { "type": "object", "properties": { "level": level, "required": { "type": "array", "items": action } } } },
        "LevelChecklists": { "type": "object", "properties": { "checklists": schema_ref("LevelChecklistList"), "set_by": nullable_text, "set_at": { "type": "string", "format": "date-time", "nullable": true } } },
        "StrandedPopulation": {
            "type": "object",
            "required": ["country", "location", "estimated_people", "estimated_by", "estimated_at"],
            "properties": {
                "country": country, "location": schema_ref("AlertLocation"), "estimated_people": count,
                "estimated_by": text, "estimated_at": time,
                "needs": { "type": "object", "properties": { "actions": { "type": "array", "items": action }, "note": nullable_text } },
                "shelter": { "type": "object", "nullable": true, "properties": { "capacity": count, "occupancy": count } },
                "alerts": { "type": "array", "items": { "type": "integer" } },
            },
        },
        "StrandedUpdate": { "allOf": [schema_ref("StrandedPopulation")], "required": ["revision"], "properties": { "revision": { "type": "integer" } } },
        "StoredStranded": { "type": "object", "properties": { "id": { "type": "integer" }, "population": schema_ref("StrandedPopulation"), "revision": { "type": "integer" }, "updated_at": time } },
        "NewWebhook": { "type": "object", "required": ["url"], "properties": { "url": { "type": "string", "description": "https:// (plain http only for localhost)" }, "organisation": { "type": "string", "nullable": true, "description": "The caller's own when absent" } } },
        "Webhook": { "type": "object", "properties": { "id": { "type": "integer" }, "organisation": text, "url": text, "created_by": text, "created_at": time, "disabled_at": { "type": "string", "format": "date-time", "nullable": true } } },
        "CreatedWebhook": { "type": "object", "properties": { "webhook": schema_ref("Webhook"), "secret": { "type": "string", "description": "The HMAC-SHA256 key of `X-Corredor-Signature: t=<unix>,v1=<hex of HMAC(secret, t + '.' + body)>`; shown this once" } } },
        "WebhookList": { "type": "object", "properties": { "webhooks": { "type": "array", "items": schema_ref("Webhook") } } },
        "DeliveryLog": { "type": "object", "properties": { "deliveries": { "type": "array", "items": { "type": "object", "properties": {
            "delivery": { "type": "object", "properties": { "id": { "type": "integer" }, "webhook_id": { "type": "integer" }, "event": text, "alert_id": { "type": "integer" }, "payload": text, "state": { "type": "string", "enum": ["pending", "delivered", "failed"] }, "attempts": { "type": "integer" }, "next_attempt_at": { "type": "string", "format": "date-time", "nullable": true }, "created_at": time, "delivered_at": { "type": "string", "format": "date-time", "nullable": true } } },
            "attempts": { "type": "array", "items": { "type": "object", "properties": { "attempt": { "type": "integer" }, "at": time, "status_code": { "type": "integer", "nullable": true }, "error": nullable_text, "duration_ms": { "type": "integer" } } } },
        } } } } },
        "AtomFeed": { "type": "string", "description": "An Atom (RFC 4287) feed; each entry links the alert's page (text/html) and its CAP message (application/cap+xml)" },
        "CapMessage": { "type": "string", "description": "An OASIS CAP 1.2 <alert> message (urn:oasis:names:tc:emergency:cap:1.2)" },
        "CapImport": { "type": "object", "properties": { "outcome": { "type": "string", "enum": ["created", "updated", "closed", "cancelled", "unchanged"] }, "alert": schema_ref("StoredAlert"), "assumed": { "type": "array", "items": text, "description": "Every default the import assumed, in words, for the focal point to confirm" } } },
        "StrandedList": { "type": "object", "properties": { "stranded": { "type": "array", "items": schema_ref("StoredStranded") } } },
    })
}

/// The schemas of organisations, users, tokens, sharing and the audit log.
fn access_schemas() -> Value {
    let text = json!({ "type": "string" });
    let time = json!({ "type": "string", "format": "date-time" });
    let nullable_time = json!({ "type": "string", "format": "date-time", "nullable": true });
    let role = json!({ "type": "string", "enum": ["administrator", "focal_point", "analyst", "observer"] });
    let level = json!({ "type": "string", "enum": ["private", "named_members", "all_members", "members_and_observers", "public"] });
    json!({
        "Me": {
            "type": "object",
            "properties": {
                "authenticated": { "type": "boolean" },
                "name": text, "organisation": text, "organisation_kind": text,
                "country": { "type": "string", "nullable": true }, "role": role,
                "display_name": { "type": "string", "nullable": true },
            },
        },
        "Organisation": {
            "type": "object",
            "properties": {
                "code": text, "name": text,
                "kind": { "type": "string", "enum": ["country", "secretariat", "observer"] },
                "country": { "type": "string", "nullable": true },
            },
        },
        "OrganisationBody": {
            "type": "object",
            "required": ["name", "kind"],
            "properties": {
                "name": text,
                "kind": { "type": "string", "enum": ["country", "secretariat", "observer"] },
                "country": { "type": "string", "description": "For a country's organisation: its ISO alpha-3 code, which is also the organisation's code" },
            },
        },
        "OrganisationList": { "type": "object", "properties": { "organisations": { "type": "array", "items": schema_ref("Organisation") } } },
        "User": {
            "type": "object",
            "properties": {
                "id": { "type": "integer" }, "name": text, "display_name": text, "organisation": text,
                "organisation_kind": text, "role": role, "created_at": time, "disabled_at": nullable_time,
            },
        },
        "UserList": { "type": "object", "properties": { "users": { "type": "array", "items": schema_ref("User") } } },
        "NewUser": {
            "type": "object",
            "required": ["name", "organisation", "role", "password"],
            "properties": {
                "name": { "type": "string", "description": "3 to 64 characters: lower-case letters, digits, `.`, `-` or `_`" },
                "display_name": text, "organisation": text, "role": role,
                "password": { "type": "string", "minLength": 12, "writeOnly": true },
            },
        },
        "Token": {
            "type": "object",
            "properties": {
                "id": { "type": "integer" }, "organisation": text, "organisation_kind": text, "role": role, "label": text,
                "created_by": text, "created_at": time, "expires_at": time, "revoked_at": nullable_time,
            },
        },
        "TokenList": { "type": "object", "properties": { "tokens": { "type": "array", "items": schema_ref("Token") } } },
        "NewToken": {
            "type": "object",
            "required": ["organisation", "role", "label"],
            "properties": {
                "organisation": text, "role": role, "label": text,
                "days": { "type": "integer", "minimum": 1, "default": 90 },
            },
        },
        "CreatedToken": {
            "type": "object",
            "properties": {
                "token": schema_ref("Token"),
                "secret": { "type": "string", "description": "Shown once: send it as `Authorization: Bearer <secret>`" },
            },
        },
        "SharingChoice": {
            "type": "object",
            "required": ["level"],
            "properties": {
                "level": level,
                "members": { "type": "array", "items": text, "description": "For named_members: the member countries (ISO alpha-3) that read the data" },
            },
        },
        "SharingPolicy": {
            "type": "object",
            "properties": { "country": text, "measure": text, "level": level, "members": { "type": "array", "items": text } },
        },
        "SharingPolicies": {
            "type": "object",
            "properties": {
                "default": { "type": "object" },
                "policies": { "type": "array", "items": schema_ref("SharingPolicy") },
            },
        },
        "AuditEntry": {
            "type": "object",
            "properties": {
                "id": { "type": "integer" }, "at": time, "actor": text, "organisation": text, "action": text,
                "subject": text, "country": { "type": "string", "nullable": true },
                "before": { "nullable": true }, "after": { "nullable": true },
                "previous_hash": text, "hash": text,
            },
        },
        "AuditLog": { "type": "object", "properties": { "count": { "type": "integer" }, "entries": { "type": "array", "items": schema_ref("AuditEntry") } } },
        "AuditVerification": {
            "type": "object",
            "properties": {
                "status": { "type": "string", "enum": ["intact", "broken"] },
                "entries": { "type": "integer" },
                "entry": { "type": "integer", "description": "The first broken entry" },
                "reason": text,
            },
        },
    })
}

/// The schemas of return operations, reintegration records, prevention programmes and the
/// territories' summary. The operation is `corredor_core::returns::ReturnOperationParts`;
/// case references are only ever `AAA-` and 20 lower-case hexadecimal digits.
fn return_schemas() -> Value {
    let text = json!({ "type": "string" });
    let day = json!({ "type": "string", "format": "date" });
    let time = json!({ "type": "string", "format": "date-time" });
    let count = json!({ "type": "integer", "minimum": 0 });
    let country = json!({ "type": "string", "description": "ISO 3166-1 alpha-3" });
    let territory = json!({ "type": "string", "description": "ISO 3166-2 division (GT-QC) or a municipality under it (GT-QC-1401)" });
    let reference = json!({ "type": "string", "pattern": "^[A-Z]{3}-[0-9a-f]{20}$", "description": "A pseudonymous case reference derived by the host with its own key (`corredor return case-ref`)" });
    let state = json!({ "type": "string", "enum": ["draft", "proposed", "accepted", "rescheduled", "declined", "departed", "received", "closed", "cancelled"] });
    let disclosed = json!({ "oneOf": [{ "type": "integer", "minimum": 0 }, { "type": "string", "description": "`<5`: below the disclosure threshold" }] });
    let point = json!({ "type": "object", "description": "`{\"kind\":\"place\",\"place\":CODE}` or `{\"kind\":\"described\",\"description\":TEXT}`" });
    json!({
        "ReturnGroup": {
            "type": "object",
            "required": ["people"],
            "properties": {
                "people": count,
                "by_sex": { "type": "object", "additionalProperties": count },
                "by_age_group": { "type": "object", "additionalProperties": count },
                "unaccompanied_children": count, "separated_children": count,
                "family_units": count, "people_in_family_units": count,
                "people_with_specific_needs": count,
            },
        },
        "NewReturn": {
            "type": "object",
            "required": ["host", "origin", "group", "planned_date", "transport", "departure", "reception_point"],
            "properties": {
                "host": country, "origin": country, "group": schema_ref("ReturnGroup"),
                "planned_date": day, "transport": { "type": "string", "enum": ["air", "land", "sea"] },
                "departure": point, "reception_point": point,
                "reception_needs": { "type": "object", "properties": { "needs": { "type": "array", "items": { "type": "string", "enum": ["health", "documents", "shelter", "onward_transport"] } }, "note": text } },
            },
        },
        "CaseSafeguards": {
            "type": "object",
            "required": ["case", "people", "informed_and_consented", "pending_protection_claims", "children_needing_determination"],
            "properties": {
                "case": reference, "people": count, "informed_and_consented": count,
                "pending_protection_claims": count, "children_needing_determination": count,
                "best_interest_determinations": { "type": "array", "items": { "type": "object", "properties": { "reference": text, "date": day } } },
            },
        },
        "ReturnSafeguards": { "type": "object", "required": ["cases"], "properties": { "cases": { "type": "array", "items": schema_ref("CaseSafeguards") } } },
        "ReturnReason": { "type": "object", "required": ["reason"], "properties": { "reason": text } },
        "ReturnReschedule": { "type": "object", "required": ["planned_date", "reason"], "properties": { "planned_date": day, "reason": text } },
        "ReturnReception": {
            "type": "object",
            "required": ["group"],
            "properties": { "group": schema_ref("ReturnGroup"), "by_territory": { "type": "object", "additionalProperties": count, "description": "People by territory code" }, "note": text },
        },
        "ReturnView": {
            "type": "object",
            "properties": {
                "id": { "type": "integer" }, "revision": { "type": "integer" }, "host": country, "origin": country, "state": state,
                "operation": { "type": "object", "description": "The plan, safeguards (cases only when `cases_shown`), reception, retention and history" },
                "cases_shown": { "type": "boolean" },
                "missing_safeguards": { "type": "array", "items": { "type": "object", "properties": { "safeguard": { "type": "string", "enum": ["not_recorded", "informed_consent", "non_refoulement", "best_interest_determination"] } } } },
                "difference": { "type": "object", "nullable": true, "description": "Received minus planned" },
                "created_at": time, "updated_at": time,
            },
        },
        "ReturnList": { "type": "object", "properties": { "count": { "type": "integer" }, "returns": { "type": "array", "items": schema_ref("ReturnView") } } },
        "ReturnRevisions": { "type": "object", "properties": { "revisions": { "type": "array", "items": { "type": "object", "properties": { "revision": { "type": "integer" }, "operation": { "type": "object" }, "written_at": time, "written_by": text } } } } },
        "ReturnAggregates": {
            "type": "object",
            "properties": {
                "threshold": { "type": "integer" },
                "pairs": { "type": "array", "items": { "type": "object", "properties": { "host": country, "origin": country, "operations": disclosed, "people_planned": disclosed, "people_received": disclosed, "suppressed": { "type": "boolean" } } } },
            },
        },
        "NewReintegrationRecord": {
            "type": "object",
            "required": ["origin", "cohort", "territory", "follow_up", "returnees", "followed_up", "services"],
            "properties": {
                "origin": country,
                "cohort": { "type": "object", "description": "`{\"kind\":\"operation\",\"operation\":ID}` or `{\"kind\":\"month\",\"month\":\"2024-05\"}`" },
                "territory": territory,
                "follow_up": { "type": "string", "enum": ["3_months", "6_months", "12_months"] },
                "returnees": count, "followed_up": count,
                "services": { "type": "array", "items": { "type": "object", "properties": { "service": text, "people": count, "by_provider": { "type": "object", "additionalProperties": count } } } },
            },
        },
        "StoredReintegration": { "type": "object", "properties": { "id": { "type": "integer" }, "record": schema_ref("NewReintegrationRecord") } },
        "ReintegrationList": { "type": "object", "properties": { "count": { "type": "integer" }, "records": { "type": "array", "items": schema_ref("StoredReintegration") } } },
        "PreventionProgramme": {
            "type": "object",
            "required": ["territory", "name", "run_by", "run_by_kind", "programme_type", "beneficiaries", "from"],
            "properties": {
                "territory": territory, "name": text, "run_by": text,
                "run_by_kind": { "type": "string", "enum": ["government", "private_sector", "civil_society", "international_organisation"] },
                "programme_type": { "type": "string", "enum": ["livelihoods", "vocational_training", "education", "community_development", "safe_migration_information", "child_protection", "other"] },
                "beneficiaries": count, "from": day, "to": { "type": "string", "format": "date", "nullable": true },
            },
        },
        "StoredProgramme": { "type": "object", "properties": { "id": { "type": "integer" }, "country": country, "programme": schema_ref("PreventionProgramme"), "recorded_by": text, "recorded_at": time } },
        "ProgrammeList": { "type": "object", "properties": { "count": { "type": "integer" }, "programmes": { "type": "array", "items": schema_ref("StoredProgramme") } } },
        "TerritoriesSummary": {
            "type": "object",
            "properties": {
                "origin": country,
                "territories": { "type": "array", "items": { "type": "object", "properties": { "territory": territory, "received_by_month": { "type": "object", "additionalProperties": disclosed }, "received_total": disclosed, "outcomes": { "type": "object" }, "programmes_active": { "type": "array", "items": schema_ref("PreventionProgramme") } } } },
                "received_without_territory": { "type": "object", "additionalProperties": disclosed },
                "suppressed": { "type": "boolean" },
            },
        },
    })
}
