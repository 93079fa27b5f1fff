//! Assisted voluntary return over HTTP: Panama (host) returns a group to Costa Rica (origin).
//! The safeguards cannot be skipped, the two countries see the same operation and the
//! difference between planned and received, case references are all the API ever says of a
//! case, observers see suppressed aggregates only, and nothing personal outlives retention.

use axum::http::StatusCode;
use corredor_core::returns::{
    CaseReference, CaseReferenceKey, CaseSafeguards, ReceptionParts, ReturnGroup, ReturnGroupParts,
    ReturnOperationId, ReturnPlan,
};
use corredor_core::{Caller, CountryCode};
use serde_json::{json, Value};

use crate::support::{TestApp, Who};

/// Panama's key for case references; in production it never leaves Panama's systems.
fn panama_key() -> CaseReferenceKey {
    let bytes: Vec<u8> = (0..32u8)
        .map(|i| i.wrapping_mul(41).wrapping_add(7))
        .collect();
    CaseReferenceKey::new(&bytes).expect("a 32-byte key")
}

/// The reference Panama derives for one of its case numbers.
pub fn reference(number: &str) -> String {
    CaseReference::derive(
        CountryCode::parse("PAN").expect("PAN"),
        &panama_key(),
        number,
    )
    .expect("a case number")
    .to_string()
}

/// 7 Costa Ricans leaving the Lajas Blancas reception station: a family of 3 (one child), an
/// unaccompanied child and 3 adults alone.
pub fn plan_body() -> Value {
    json!({
        "host": "PAN",
        "origin": "CRI",
        "group": {
            "people": 7,
            "by_sex": { "f": 3, "m": 4 },
            "unaccompanied_children": 1,
            "family_units": 1,
            "people_in_family_units": 3,
        },
        "planned_date": "2026-12-10",
        "transport": "land",
        "departure": { "kind": "described", "description": "ERM Lajas Blancas, Darién" },
        "reception_point": { "kind": "described", "description": "Paso Canoas, puesto fronterizo" },
        "reception_needs": { "needs": ["health", "documents"] },
    })
}

/// The safeguards of the 7: every one consented, no pending claim; the child alone has a
/// best-interest determination unless `without_determination`.
pub fn safeguards_body(without_determination: bool) -> Value {
    let determinations = if without_determination {
        json!([])
    } else {
        json!([{ "reference": "SENNIAF-BID-2026-0311", "date": "2026-11-20" }])
    };
    let mut cases = vec![
        json!({ "case": reference("SNM-2026-1001"), "people": 3, "informed_and_consented": 3, "pending_protection_claims": 0, "children_needing_determination": 0 }),
        json!({ "case": reference("SNM-2026-1002"), "people": 1, "informed_and_consented": 1, "pending_protection_claims": 0, "children_needing_determination": 1, "best_interest_determinations": determinations }),
    ];
    for number in 1003..1006 {
        cases.push(json!({ "case": reference(&format!("SNM-2026-{number}")), "people": 1, "informed_and_consented": 1, "pending_protection_claims": 0, "children_needing_determination": 0 }));
    }
    json!({ "cases": cases })
}

fn group(people: u32) -> ReturnGroup {
    ReturnGroup::new(ReturnGroupParts {
        people,
        unaccompanied_children: 1,
        family_units: 1,
        people_in_family_units: 3,
        ..ReturnGroupParts::default()
    })
    .expect("a consistent group")
}

/// A return from Panama to Costa Rica taken (as the system) up to `stage`: `draft`, `ready`
/// (safeguards recorded), `proposed`, `accepted`, `departed` or `received`. Its id.
pub async fn panama_return(test: &TestApp, stage: &str) -> i64 {
    let app = &test.app;
    let system = Caller::System;
    let plan: ReturnPlan = serde_json::from_value(plan_body()).expect("a plan");
    let id = app
        .draft_return(&system, corredor_app::NewReturn { plan })
        .await
        .expect("drafted")
        .id;
    let stages = [
        "draft", "ready", "proposed", "accepted", "departed", "received",
    ];
    let reached = stages
        .iter()
        .position(|known| *known == stage)
        .expect("a known stage");
    if reached >= 1 {
        let cases: Vec<CaseSafeguards> =
            serde_json::from_value(safeguards_body(false)["cases"].clone()).expect("cases");
        app.record_return_safeguards(&system, id, cases)
            .await
            .expect("safeguards recorded");
    }
    if reached >= 2 {
        app.propose_return(&system, id).await.expect("proposed");
    }
    if reached >= 3 {
        app.accept_return(&system, id).await.expect("accepted");
    }
    if reached >= 4 {
        app.depart_return(&system, id).await.expect("departed");
    }
    if reached >= 5 {
        app.receive_return(
            &system,
            id,
            ReceptionParts {
                group: group(6),
                by_territory: Default::default(),
                note: None,
            },
        )
        .await
        .expect("received");
    }
    id.0
}

async fn post(test: &TestApp, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
    let text = body.map(|body| body.to_string());
    let (status, answer) = test
        .request(
            "POST",
            uri,
            text.as_deref().map(|text| ("application/json", text)),
        )
        .await;
    let json = serde_json::from_str(&answer).unwrap_or(Value::String(answer));
    (status, json)
}

#[tokio::test]
async fn no_operation_advances_past_proposed_without_each_safeguard() {
    let test = TestApp::new().await;
    let panama = test.as_(Who::FocalPoint("PAN")).await;
    let (status, draft) = post(&panama, "/api/v1/returns", Some(plan_body())).await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    let id = draft["id"].as_i64().expect("an id");

    let (status, refused) = post(&panama, &format!("/api/v1/returns/{id}/propose"), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(refused.to_string().contains("no safeguards"), "{refused}");

    // Consent missing for one person, a pending claim for another.
    let mut body = safeguards_body(false);
    body["cases"][2]["informed_and_consented"] = json!(0);
    body["cases"][3]["pending_protection_claims"] = json!(1);
    let (status, recorded) = post(
        &panama,
        &format!("/api/v1/returns/{id}/safeguards"),
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{recorded}");
    let (status, refused) = post(&panama, &format!("/api/v1/returns/{id}/propose"), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let message = refused.to_string();
    assert!(message.contains("consent"), "{message}");
    assert!(message.contains("protection claim"), "{message}");

    let (status, _) = post(
        &panama,
        &format!("/api/v1/returns/{id}/safeguards"),
        Some(safeguards_body(false)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, proposed) = post(&panama, &format!("/api/v1/returns/{id}/propose"), None).await;
    assert_eq!(status, StatusCode::OK, "{proposed}");
    assert_eq!(proposed["state"], "proposed");
}

#[tokio::test]
async fn a_child_without_a_best_interest_determination_blocks_the_whole_group() {
    let test = TestApp::new().await;
    let panama = test.as_(Who::FocalPoint("PAN")).await;
    let (_, draft) = post(&panama, "/api/v1/returns", Some(plan_body())).await;
    let id = draft["id"].as_i64().expect("an id");
    let (status, recorded) = post(
        &panama,
        &format!("/api/v1/returns/{id}/safeguards"),
        Some(safeguards_body(true)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{recorded}");
    assert_eq!(
        recorded["missing_safeguards"],
        json!([{ "safeguard": "best_interest_determination", "children": 1, "cases": 1 }])
    );
    let (status, refused) = post(&panama, &format!("/api/v1/returns/{id}/propose"), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        refused.to_string().contains("best-interest determination"),
        "{refused}"
    );
    // Nobody of the 7 leaves: the operation is still a draft, invisible to Costa Rica.
    let (_, read) = panama.get_json(&format!("/api/v1/returns/{id}")).await;
    assert_eq!(read["state"], "draft");
    let costa_rica = test.as_(Who::FocalPoint("CRI")).await;
    let (status, _) = costa_rica.get(&format!("/api/v1/returns/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn host_and_origin_see_the_same_return_and_the_difference_once_received() {
    let test = TestApp::new().await;
    let panama = test.as_(Who::FocalPoint("PAN")).await;
    let costa_rica = test.as_(Who::FocalPoint("CRI")).await;
    let (_, draft) = post(&panama, "/api/v1/returns", Some(plan_body())).await;
    let id = draft["id"].as_i64().expect("an id");
    let step = |who: &TestApp, name: &str, body: Option<Value>| {
        let who = who.clone();
        let uri = format!("/api/v1/returns/{id}/{name}");
        async move { post(&who, &uri, body).await }
    };
    assert_eq!(
        step(&panama, "safeguards", Some(safeguards_body(false)))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(step(&panama, "propose", None).await.0, StatusCode::OK);
    // Only the origin accepts.
    assert_eq!(step(&panama, "accept", None).await.0, StatusCode::FORBIDDEN);
    assert_eq!(step(&costa_rica, "accept", None).await.0, StatusCode::OK);
    assert_eq!(
        step(&costa_rica, "depart", None).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(step(&panama, "depart", None).await.0, StatusCode::OK);
    let reception = json!({
        "group": {
            "people": 6,
            "by_sex": { "f": 3, "m": 3 },
            "unaccompanied_children": 1,
            "family_units": 1,
            "people_in_family_units": 3,
        },
        "by_territory": { "CR-P": 4, "CR-SJ": 2 },
        "note": "Un adulto no se presentó a la salida.",
    });
    let (status, received) = step(&costa_rica, "receive", Some(reception)).await;
    assert_eq!(status, StatusCode::OK, "{received}");
    assert_eq!(received["state"], "received");

    let (_, for_panama) = panama.get_json(&format!("/api/v1/returns/{id}")).await;
    let (_, for_costa_rica) = costa_rica.get_json(&format!("/api/v1/returns/{id}")).await;
    for view in [&for_panama, &for_costa_rica] {
        assert_eq!(view["difference"]["people"], -1);
        assert_eq!(view["difference"]["by_sex"]["m"], -1);
        assert_eq!(view["operation"]["plan"]["group"]["people"], 7);
        assert_eq!(view["operation"]["reception"]["group"]["people"], 6);
    }
    assert_eq!(for_panama["operation"], for_costa_rica["operation"]);
    let (_, territories) = costa_rica.get_json("/api/v1/territories/CRI").await;
    assert_eq!(territories["suppressed"], false);
    assert_eq!(territories["territories"][0]["territory"], "CR-P");
    assert_eq!(territories["territories"][0]["received_total"], 4);
    assert_eq!(step(&costa_rica, "close", None).await.0, StatusCode::OK);
}

/// Every string in a JSON value.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|item| strings(item, out)),
        Value::Object(object) => object.iter().for_each(|(key, item)| {
            out.push(key.clone());
            strings(item, out)
        }),
        _ => {}
    }
}

#[tokio::test]
async fn the_api_says_nothing_of_a_case_but_its_reference_and_refuses_anything_else() {
    let test = TestApp::new().await;
    let panama = test.as_(Who::FocalPoint("PAN")).await;
    let (_, draft) = post(&panama, "/api/v1/returns", Some(plan_body())).await;
    let id = draft["id"].as_i64().expect("an id");
    // A case number (or a name) where the derived reference belongs is refused.
    let mut body = safeguards_body(false);
    body["cases"][0]["case"] = json!("SNM-2026-1001");
    let (status, refused) = post(
        &panama,
        &format!("/api/v1/returns/{id}/safeguards"),
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused.to_string().contains("not a case reference"),
        "{refused}"
    );

    let (_, recorded) = post(
        &panama,
        &format!("/api/v1/returns/{id}/safeguards"),
        Some(safeguards_body(false)),
    )
    .await;
    let mut texts = Vec::new();
    strings(&recorded["operation"]["safeguards"]["cases"], &mut texts);
    let cases: Vec<&String> = texts
        .iter()
        .filter(|text| text.starts_with("PAN-"))
        .collect();
    assert_eq!(cases.len(), 5);
    for case in cases {
        assert!(CaseReference::parse(case).is_ok(), "{case}");
    }
    let mut everything = Vec::new();
    strings(&recorded, &mut everything);
    assert!(
        everything.iter().all(|text| !text.contains("SNM-2026")),
        "a case number reached the API's answer"
    );
    // The secretariat reads the operation's counts, not its cases.
    let secretariat = test.as_(Who::Administrator).await;
    post(&panama, &format!("/api/v1/returns/{id}/propose"), None).await;
    let (status, read) = secretariat.get_json(&format!("/api/v1/returns/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["cases_shown"], false);
    assert_eq!(read["operation"]["safeguards"]["cases"], json!([]));
    assert_eq!(read["operation"]["safeguards"]["totals"]["cases"], 5);
}

#[tokio::test]
async fn observers_see_only_suppressed_aggregates() {
    let test = TestApp::new().await;
    panama_return(&test, "received").await;
    let observer = test.as_(Who::Observer).await;
    let (status, _) = observer.get("/api/v1/returns").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, aggregates) = observer.get_json("/api/v1/returns/aggregates").await;
    assert_eq!(status, StatusCode::OK);
    let pair = &aggregates["pairs"][0];
    assert_eq!(pair["host"], "PAN");
    assert_eq!(pair["origin"], "CRI");
    assert_eq!(pair["operations"], "<5");
    // 7 planned is at the threshold or above and shown; never a case.
    assert_eq!(pair["people_planned"], 7);
    assert_eq!(pair["people_received"], 6);
    assert_eq!(pair["suppressed"], true);
    let panama = test.as_(Who::FocalPoint("PAN")).await;
    let (_, own) = panama.get_json("/api/v1/returns/aggregates").await;
    assert_eq!(own["pairs"][0]["operations"], 1);
    assert_eq!(own["pairs"][0]["suppressed"], false);
    let (_, territories) = observer.get_json("/api/v1/territories/CRI").await;
    assert_eq!(territories["suppressed"], true);
}

#[tokio::test]
async fn expired_case_references_are_purged_by_the_retention_job() {
    let test = TestApp::new().await;
    let id = panama_return(&test, "received").await;
    let stored = test
        .app
        .store()
        .return_operation(ReturnOperationId(id))
        .await
        .expect("stored");
    assert_eq!(stored.operation.case_references().len(), 5);
    // Not yet due today: nothing is purged.
    assert!(test
        .app
        .purge_expired_return_data()
        .await
        .expect("the job runs")
        .is_empty());
    let later = corredor_app::App::new(
        test.app.store().clone(),
        std::sync::Arc::new(corredor_app::FixedClock(
            stored.updated_at
                + chrono::Duration::days(
                    i64::from(corredor_app::DEFAULT_RETURN_RETENTION_DAYS) + 2,
                ),
        )),
    );
    assert_eq!(
        later
            .purge_expired_return_data()
            .await
            .expect("the job runs"),
        [ReturnOperationId(id)]
    );
    let read = test
        .app
        .store()
        .return_operation(ReturnOperationId(id))
        .await
        .expect("still stored");
    assert!(read.operation.is_anonymised());
    assert!(read.operation.case_references().is_empty());
    assert_eq!(read.operation.group().people(), 7);
    let audit = test
        .app
        .store()
        .audit_entries(&Default::default())
        .await
        .expect("the audit log is read");
    let text = serde_json::to_string(&audit).expect("entries serialise");
    assert!(!text.contains(&reference("SNM-2026-1001")));
    assert!(text.contains("anonymise_return"));
}

#[tokio::test]
async fn an_installation_keeps_case_references_for_the_retention_period_it_chose() {
    let thirty_days = corredor_core::returns::RetentionPeriod::days(30).expect("30 days");
    let test = TestApp::new()
        .await
        .reconfigured(|app| app.with_return_retention(thirty_days));
    let id = panama_return(&test, "received").await;
    let stored = test
        .app
        .store()
        .return_operation(ReturnOperationId(id))
        .await
        .expect("stored");
    let purge_on = |days: i64| {
        corredor_app::App::new(
            test.app.store().clone(),
            std::sync::Arc::new(corredor_app::FixedClock(
                stored.updated_at + chrono::Duration::days(days),
            )),
        )
    };
    assert!(purge_on(29)
        .purge_expired_return_data()
        .await
        .expect("the job runs")
        .is_empty());
    assert_eq!(
        purge_on(31)
            .purge_expired_return_data()
            .await
            .expect("the job runs"),
        [ReturnOperationId(id)]
    );
}

#[tokio::test]
async fn reintegration_outcomes_and_programmes_appear_in_the_territories_of_the_origin() {
    let test = TestApp::new().await;
    let analyst = test.as_(Who::Analyst("CRI")).await;
    let record = json!({
        "origin": "CRI",
        "cohort": { "kind": "month", "month": "2026-03" },
        "territory": "CR-P-601",
        "follow_up": "6_months",
        "returnees": 14,
        "followed_up": 11,
        "services": [
            { "service": "identity_documents", "people": 9, "by_provider": { "government": 9 } },
            { "service": "job_placement", "people": 3, "by_provider": { "private_sector": 3 } },
        ],
    });
    let (status, stored) = post(&analyst, "/api/v1/reintegration", Some(record.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    // Who recorded it and when are the caller and the app's clock, not the body.
    let recorded_at = stored["record"]["recorded_at"].as_str().expect("a time");
    assert!(
        recorded_at.starts_with("2026-11-24T09:00:00"),
        "{recorded_at}"
    );
    // Only the origin country reports its returnees' reintegration.
    let panama = test.as_(Who::FocalPoint("PAN")).await;
    assert_eq!(
        post(&panama, "/api/v1/reintegration", Some(record)).await.0,
        StatusCode::FORBIDDEN
    );
    let programme = json!({
        "territory": "CR-P", "name": "Empléate Puntarenas",
        "run_by": "Ministerio de Trabajo y Seguridad Social", "run_by_kind": "government",
        "programme_type": "vocational_training", "beneficiaries": 420, "from": "2026-01-01",
    });
    let (status, _) = post(&analyst, "/api/v1/prevention-programmes", Some(programme)).await;
    assert_eq!(status, StatusCode::CREATED);

    let (_, own) = analyst.get_json("/api/v1/territories/CRI").await;
    let puntarenas = &own["territories"][0];
    assert_eq!(puntarenas["territory"], "CR-P");
    let outcome = &puntarenas["outcomes"]["6_months"];
    assert_eq!(outcome["returnees"], 14);
    assert_eq!(outcome["people_by_service"]["job_placement"], 3);
    assert_eq!(
        puntarenas["programmes_active"][0]["name"],
        "Empléate Puntarenas"
    );
    let observer = test.as_(Who::Observer).await;
    let (_, suppressed) = observer.get_json("/api/v1/territories/CRI").await;
    let outcome = &suppressed["territories"][0]["outcomes"]["6_months"];
    assert_eq!(outcome["returnees"], 14);
    assert_eq!(outcome["people_by_service"]["job_placement"], "<5");
    assert_eq!(outcome["people_by_service"]["identity_documents"], 9);
    let (_, records) = analyst.get_json("/api/v1/reintegration").await;
    assert_eq!(records["count"], 1);
}
