//! The return pages: the list (a country's operations, or the region's aggregates), the
//! detail with its safeguards, history and workflow forms, and the origin territories, in
//! both languages. Panama (host) returns 7 Costa Ricans (origin), as in the API tests.

use axum::http::{header, StatusCode};
use corredor_core::returns::ReturnOperationId;
use corredor_core::Caller;
use serde_json::json;

use crate::returns::{panama_return, reference};
use crate::support::{send, signed_in, TestApp, Who};

/// The row of the page's table that contains `needle`.
fn row_with<'a>(page: &'a str, needle: &str) -> &'a str {
    page.split("<tr>")
        .find(|row| row.contains(needle))
        .unwrap_or_else(|| panic!("no row with {needle}"))
}

async fn state_of(test: &TestApp, id: i64) -> String {
    test.app
        .store()
        .return_operation(ReturnOperationId(id))
        .await
        .expect("stored")
        .operation
        .state()
        .code()
        .to_owned()
}

#[tokio::test]
async fn the_list_shows_the_operation_to_host_and_origin_in_both_languages() {
    let test = TestApp::new().await;
    let id = panama_return(&test, "received").await;
    let href = format!("/returns/{id}?lang=es");
    for who in ["PAN", "CRI"] {
        let reader = test.as_(Who::FocalPoint(who)).await;
        let (status, spanish) = reader.get("/returns?lang=es").await;
        assert_eq!(status, StatusCode::OK, "{spanish}");
        assert!(spanish.contains("<h1>Retornos voluntarios asistidos</h1>"));
        let row = row_with(&spanish, &href);
        assert!(row.contains("Recibida"), "{row}");
        assert!(row.contains("Panamá → Costa Rica"), "{row}");
        assert!(row.contains("ERM Lajas Blancas, Darién → Paso Canoas, puesto fronterizo"));
        assert!(
            row.contains("Terrestre") && row.contains("Completas"),
            "{row}"
        );
        // 7 planned, 6 received: the difference is in the row.
        assert!(row.contains(">7<") && row.contains("6 (−1)"), "{row}");
        let (_, english) = reader.get("/returns?lang=en").await;
        let row = row_with(&english, &format!("/returns/{id}?lang=en"));
        assert!(row.contains("Received") && row.contains("Panama → Costa Rica"));
        assert!(row.contains("Land") && row.contains("Complete"), "{row}");
        // Both countries read the pair's counts as they are.
        let pairs = english
            .split("id=\"return-aggregates\"")
            .nth(1)
            .expect("the aggregates");
        assert!(!pairs.contains("&lt;5"), "{pairs}");
    }
    // The navigation leads to the page in both languages.
    let panama = test.as_(Who::FocalPoint("PAN")).await;
    assert!(panama.get("/?lang=es").await.1.contains(">Retornos<"));
    assert!(panama.get("/?lang=en").await.1.contains(">Returns<"));
}

#[tokio::test]
async fn the_detail_shows_group_safeguards_history_and_cases_to_both_countries_in_both_languages() {
    let test = TestApp::new().await;
    let id = panama_return(&test, "received").await;
    let case = reference("SNM-2026-1002");
    for who in ["PAN", "CRI"] {
        let reader = test.as_(Who::FocalPoint(who)).await;
        let (status, spanish) = reader.get(&format!("/returns/{id}?lang=es")).await;
        assert_eq!(status, StatusCode::OK, "{spanish}");
        assert!(spanish.contains(&format!("Operación {id}: Panamá → Costa Rica")));
        let people = row_with(&spanish, "<th scope=\"row\">Personas</th>");
        assert!(people.contains(">7<") && people.contains(">6<") && people.contains("−1"));
        assert!(spanish.contains("Diferencia entre recibidas y previstas: −1 personas"));
        assert!(spanish.contains("Salud") && spanish.contains("Documentos"));
        // The two countries read the case references.
        assert!(spanish.contains(&case), "{who} sees the cases");
        for step in ["Propuesta", "Aceptación", "Salida", "Recepción"] {
            assert!(
                spanish.contains(&format!("<strong>{step}</strong>")),
                "{step}"
            );
        }
        let (_, english) = reader.get(&format!("/returns/{id}?lang=en")).await;
        assert!(english.contains("Difference between received and planned: −1 people"));
        assert!(english.contains("<strong>Received</strong> → Received"));
        assert!(english.contains("Unaccompanied children"));
    }
    // The secretariat reads the operation without its cases.
    let secretariat = test.as_(Who::Administrator).await;
    let (status, page) = secretariat.get(&format!("/returns/{id}?lang=en")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !page.contains(&case) && !page.contains("PAN-"),
        "no case reference"
    );
}

#[tokio::test]
async fn the_origin_accepts_then_receives_a_different_number_through_the_forms() {
    let test = TestApp::new().await;
    let id = panama_return(&test, "proposed").await;
    let (costa_rica, cr_token) = signed_in(&test, "CRI", "cri.focal").await;
    let (panama, pa_token) = signed_in(&test, "PAN", "pan.focal").await;
    let detail = format!("/returns/{id}");

    // The origin sees its forms, not the host's.
    let (_, _, page) = send(
        &test,
        "GET",
        &format!("{detail}?lang=es"),
        &costa_rica,
        None,
    )
    .await;
    assert!(page.contains(&format!("action=\"/returns/{id}/accept\"")));
    assert!(page.contains(&format!("action=\"/returns/{id}/decline\"")));
    assert!(!page.contains(&format!("action=\"/returns/{id}/cancel\"")));
    let (status, headers, _) = send(
        &test,
        "POST",
        &format!("{detail}/accept"),
        &costa_rica,
        Some(&[("csrf", &cr_token), ("lang", "es")]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], format!("/returns/{id}?lang=es"));
    assert_eq!(state_of(&test, id).await, "accepted");

    // The host may not receive; the refusal page says who may, and nothing changes.
    let (status, _, refused) = send(
        &test,
        "POST",
        &format!("{detail}/receive"),
        &panama,
        Some(&[("csrf", &pa_token), ("lang", "en"), ("people", "6")]),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let (_, _, page) = send(&test, "GET", &format!("{detail}?lang=en"), &panama, None).await;
    assert!(page.contains(&format!("action=\"/returns/{id}/depart\"")));
    let (status, _, _) = send(
        &test,
        "POST",
        &format!("{detail}/depart"),
        &panama,
        Some(&[("csrf", &pa_token), ("lang", "en")]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let (_, _, page) = send(
        &test,
        "GET",
        &format!("{detail}?lang=en"),
        &costa_rica,
        None,
    )
    .await;
    assert!(page.contains(&format!("action=\"/returns/{id}/receive\"")));
    let (status, _, body) = send(
        &test,
        "POST",
        &format!("{detail}/receive"),
        &costa_rica,
        Some(&[
            ("csrf", &cr_token),
            ("lang", "en"),
            ("people", "6"),
            ("sex_f", "3"),
            ("sex_m", "3"),
            ("unaccompanied_children", "1"),
            ("family_units", "1"),
            ("people_in_family_units", "3"),
            ("by_territory", "CR-P:4, CR-SJ:2"),
            ("note", "Un adulto no se presentó a la salida."),
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(state_of(&test, id).await, "received");

    for session in [&costa_rica, &panama] {
        let (_, _, page) = send(&test, "GET", &format!("{detail}?lang=en"), session, None).await;
        assert!(page.contains("Difference between received and planned: −1 people"));
        let men = row_with(&page, "<th scope=\"row\">Men</th>");
        // 4 men planned, 3 received: the man who did not come is the difference.
        assert!(
            men.contains(">4<") && men.contains(">3<") && men.contains("−1"),
            "{men}"
        );
        assert!(page.contains("CR-P 4, CR-SJ 2"));
        assert!(page.contains("Un adulto no se presentó a la salida."));
        assert!(page.contains(&format!("action=\"/returns/{id}/close\"")));
    }
    let history = page_history(&test, &detail, &costa_rica).await;
    assert!(history.contains("<strong>Received</strong>") && history.contains("cri.focal"));
    // The received people appear in the origin's territories.
    let (_, _, territories) =
        send(&test, "GET", "/territories/CRI?lang=en", &costa_rica, None).await;
    let puntarenas = row_with(&territories, "<th scope=\"row\">CR-P</th>");
    assert!(puntarenas.contains("<strong>4</strong>"), "{puntarenas}");
}

async fn page_history(test: &TestApp, detail: &str, session: &str) -> String {
    let (_, _, page) = send(test, "GET", &format!("{detail}?lang=en"), session, None).await;
    let start = page.find("id=\"history\"").expect("a history");
    let end = page[start..].find("</ol>").expect("it ends") + start;
    page[start..end].to_owned()
}

#[tokio::test]
async fn a_bad_receive_form_is_refused_naming_the_field_and_writes_nothing() {
    let test = TestApp::new().await;
    let id = panama_return(&test, "departed").await;
    let (costa_rica, token) = signed_in(&test, "CRI", "cri.focal").await;
    let receive = format!("/returns/{id}/receive");
    for (field, value) in [
        ("people", "-1"),
        ("people", "seis"),
        ("sex_f", "3.5"),
        ("by_territory", "Puntarenas"),
    ] {
        let mut fields = vec![("csrf", token.as_str()), ("lang", "en"), ("people", "6")];
        fields.retain(|(name, _)| *name != field);
        fields.push((field, value));
        let (status, _, page) = send(&test, "POST", &receive, &costa_rica, Some(&fields)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}={value}");
        assert!(page.contains(&format!("{field}: ")), "{field}: {page}");
    }
    // More women than people: the group is refused by the domain, naming the group.
    let (status, _, page) = send(
        &test,
        "POST",
        &receive,
        &costa_rica,
        Some(&[
            ("csrf", &token),
            ("lang", "en"),
            ("people", "2"),
            ("sex_f", "3"),
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("people: ") && page.contains("more than the 2 people"),
        "{page}"
    );
    // Without the session's token nothing is read.
    let (status, _, _) = send(
        &test,
        "POST",
        &receive,
        &costa_rica,
        Some(&[("csrf", "forged"), ("lang", "en"), ("people", "6")]),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(state_of(&test, id).await, "departed");
    let history = page_history(&test, &format!("/returns/{id}"), &costa_rica).await;
    assert!(!history.contains("<strong>Received</strong>"));
}

#[tokio::test]
async fn an_observer_sees_only_the_suppressed_aggregates_and_no_operation() {
    let test = TestApp::new().await;
    let id = panama_return(&test, "received").await;
    let observer = test.as_(Who::Observer).await;
    let (status, page) = observer.get("/returns?lang=en").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        !page.contains(&format!("/returns/{id}?")),
        "no link to the operation"
    );
    assert!(!page.contains("id=\"returns\""), "no operations table");
    let pair = row_with(&page, "Panama → Costa Rica");
    // 1 operation is below the threshold and shown as the app wrote it; 7 and 6 are not.
    assert!(
        pair.contains("&lt;5") && pair.contains(">7<") && pair.contains(">6<"),
        "{pair}"
    );
    assert!(page.contains("Counts from 1 to 5 are shown as"));
    let (status, _) = observer.get(&format!("/returns/{id}?lang=en")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Not signed in: sent to sign in, and back afterwards.
    let anonymous = test.as_(Who::Anonymous).await;
    let (status, _) = anonymous.get("/returns?lang=es").await;
    assert!(status.is_redirection(), "{status}");
}

#[tokio::test]
async fn the_territories_page_lists_a_territory_with_its_outcomes_and_programmes() {
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
    let programme = json!({
        "territory": "CR-P", "name": "Empléate Puntarenas",
        "run_by": "Ministerio de Trabajo y Seguridad Social", "run_by_kind": "government",
        "programme_type": "vocational_training", "beneficiaries": 420, "from": "2026-01-01",
    });
    for (uri, body) in [
        ("/api/v1/reintegration", record),
        ("/api/v1/prevention-programmes", programme),
    ] {
        let (status, answer) = analyst
            .request("POST", uri, Some(("application/json", &body.to_string())))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
    let (status, english) = analyst.get("/territories/CRI?lang=en").await;
    assert_eq!(status, StatusCode::OK, "{english}");
    assert!(english.contains("<h1>Origin territories: Costa Rica</h1>"));
    let outcome = row_with(&english, "At 6 months");
    assert!(outcome.contains("CR-P") && outcome.contains(">14<") && outcome.contains(">11<"));
    // 9 of the 11 followed up have identity documents; 3 are in a job.
    assert!(
        outcome.contains("9 (82 %)") && outcome.contains("3 (27 %)"),
        "{outcome}"
    );
    let programme = row_with(&english, "Empléate Puntarenas");
    assert!(programme.contains("Vocational training") && programme.contains("(government)"));
    let (_, spanish) = analyst.get("/territories/CRI?lang=es").await;
    assert!(spanish.contains("A los 6 meses") && spanish.contains("Formación profesional"));

    // An observer reads the same page with the small counts suppressed as the app gives them.
    let observer = test.as_(Who::Observer).await;
    let (status, page) = observer.get("/territories/CRI?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    let outcome = row_with(&page, "At 6 months");
    assert!(
        outcome.contains("&lt;5") && !outcome.contains("3 (27 %)"),
        "{outcome}"
    );
    assert!(outcome.contains("9 (82 %)"), "{outcome}");
    let (status, _) = observer.get("/territories/XXX?lang=en").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Returnees Guatemala received (IGM, all origins), monthly, as Guatemala would send them.
const GUATEMALA_RETURNEES: &str = "\
period,place,measure,nationality,value,source
2025-01,,returnee_received,,4012,IGM Guatemala
2025-02,,returnee_received,,3078,IGM Guatemala
2025-03,,returnee_received,,2912,IGM Guatemala
2025-04,,returnee_received,,2839,IGM Guatemala
";

#[tokio::test]
async fn the_picture_shows_the_returns_in_progress_and_the_returnees_received() {
    let test = TestApp::new().await;
    test.app
        .import(
            corredor_app::ImportRequest {
                country: Some(corredor_core::CountryCode::parse("GTM").unwrap()),
                format: corredor_exchange::observations::Format::Csv,
                caller: &Caller::System,
                on_behalf_of: Some("test"),
            },
            "guatemala-returnees.csv",
            GUATEMALA_RETURNEES.as_bytes(),
        )
        .await
        .expect("Guatemala's returnees import");
    let id = panama_return(&test, "accepted").await;

    let costa_rica = test.as_(Who::FocalPoint("CRI")).await;
    let (status, spanish) = costa_rica.get("/?lang=es").await;
    assert_eq!(status, StatusCode::OK);
    let section = spanish
        .split("id=\"returns-heading\"")
        .nth(1)
        .expect("the returns section");
    assert!(section.contains(&format!("href=\"/returns/{id}?lang=es\"")));
    assert!(section.contains("Panamá → Costa Rica</a>: Aceptada, 7 personas"));
    // 2,839 in April 2025; 12,841 over the four months reported (Spanish groups five digits
    // and more with a narrow no-break space).
    assert!(
        section.contains("Guatemala, abr 2025: <strong>2839</strong>"),
        "{section}"
    );
    assert!(
        section.contains("12\u{202f}841 en los últimos 4 meses"),
        "{section}"
    );
    let (_, english) = costa_rica.get("/?lang=en").await;
    let section = english
        .split("id=\"returns-heading\"")
        .nth(1)
        .expect("the returns section");
    assert!(section.contains("Panama → Costa Rica</a>: Accepted, 7 people"));
    assert!(section.contains("12,841 in the last 4 months"), "{section}");

    // An observer reads no operation, and Guatemala has not shared its counts with IOM.
    let observer = test.as_(Who::Observer).await;
    let (_, page) = observer.get("/?lang=en").await;
    let section = page
        .split("id=\"returns-heading\"")
        .nth(1)
        .expect("the returns section");
    assert!(!section.contains("returns-in-progress"), "{section}");
    assert!(!section.contains("Guatemala"), "{section}");
    assert!(section.contains("No counts of returnees received are shared with you yet."));
}

#[tokio::test]
async fn the_origin_reschedules_with_a_reason_and_the_host_cancels_with_one_through_the_forms() {
    let test = TestApp::new().await;
    let id = panama_return(&test, "proposed").await;
    let (costa_rica, cr_token) = signed_in(&test, "CRI", "cri.focal").await;
    let (panama, pa_token) = signed_in(&test, "PAN", "pan.focal").await;
    let detail = format!("/returns/{id}");
    let reschedule = format!("{detail}/reschedule");

    let (status, _, page) = send(
        &test,
        "POST",
        &reschedule,
        &costa_rica,
        Some(&[
            ("csrf", &cr_token),
            ("lang", "en"),
            ("new_date", "17/12/2026"),
            ("reason", "Albergue lleno"),
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("new_date: "), "{page}");
    assert_eq!(state_of(&test, id).await, "proposed");

    let (status, _, body) = send(
        &test,
        "POST",
        &reschedule,
        &costa_rica,
        Some(&[
            ("csrf", &cr_token),
            ("lang", "es"),
            ("new_date", "2026-12-17"),
            (
                "reason",
                "El albergue de Paso Canoas está lleno hasta el 15.",
            ),
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = send(&test, "GET", &format!("{detail}?lang=es"), &panama, None).await;
    assert!(page.contains("Reprogramada"));
    assert!(page.contains("17 dic 2026: El albergue de Paso Canoas está lleno hasta el 15."));

    // A cancellation without a reason is refused by the operation; with one it is taken.
    let cancel = format!("{detail}/cancel");
    let (status, _, _) = send(
        &test,
        "POST",
        &cancel,
        &panama,
        Some(&[("csrf", &pa_token), ("lang", "en"), ("reason", "  ")]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(state_of(&test, id).await, "rescheduled");
    let (status, _, _) = send(
        &test,
        "POST",
        &cancel,
        &panama,
        Some(&[
            ("csrf", &pa_token),
            ("lang", "en"),
            ("reason", "Two people lodged asylum claims."),
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(state_of(&test, id).await, "cancelled");
    let history = page_history(&test, &detail, &costa_rica).await;
    assert!(history.contains("<strong>Cancelled</strong>"));
    assert!(
        history.contains("pan.focal: Two people lodged asylum claims."),
        "{history}"
    );
}

/// The operations stored, whoever may read them.
async fn stored_count(test: &TestApp) -> usize {
    test.app
        .returns(&Caller::System, None)
        .await
        .expect("the system reads every operation")
        .len()
}

/// A draft of 5 Costa Ricans by Panama: a family of 3 with one child under 5, two adults alone.
fn draft_fields<'a>(token: &'a str, lang: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", token),
        ("lang", lang),
        ("origin", "CRI"),
        ("planned_date", "2026-12-17"),
        ("transport", "land"),
        ("departure", "PA-ERM-LP"),
        ("departure_description", ""),
        ("reception_point", ""),
        (
            "reception_point_description",
            "Paso Canoas, puesto fronterizo",
        ),
        ("people", "5"),
        ("sex_f", "2"),
        ("sex_m", "3"),
        ("age_0-4", "1"),
        ("age_18-59", "4"),
        ("unaccompanied_children", "0"),
        ("family_units", "1"),
        ("people_in_family_units", "3"),
        ("people_with_specific_needs", "1"),
        ("need", "health"),
        ("need", "onward_transport"),
        ("needs_note", "1 wheelchair"),
    ]
}

#[tokio::test]
async fn the_host_drafts_through_the_form_and_the_draft_shows_in_both_languages() {
    let test = TestApp::new().await;
    let (panama, token) = signed_in(&test, "PAN", "pan.focal").await;
    let (_, _, list) = send(&test, "GET", "/returns?lang=en", &panama, None).await;
    assert!(list.contains("href=\"/returns/new?lang=en\"") && list.contains("Propose a return"));
    let (status, _, form) = send(&test, "GET", "/returns/new?lang=es", &panama, None).await;
    assert_eq!(status, StatusCode::OK, "{form}");
    // The departure lists Panama's places; the reception point the other countries'.
    assert!(form.contains("value=\"PA-ERM-LP\"") && form.contains("value=\"CR-NI-PB\""));
    assert!(form.contains("action=\"/returns\""));

    let fields = draft_fields(&token, "es");
    let (status, headers, body) = send(&test, "POST", "/returns", &panama, Some(&fields)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let location = headers[header::LOCATION].to_str().unwrap().to_owned();
    let id: i64 = location
        .trim_start_matches("/returns/")
        .trim_end_matches("?lang=es")
        .parse()
        .expect("the draft's id");
    assert_eq!(state_of(&test, id).await, "draft");

    let (_, _, spanish) = send(&test, "GET", &location, &panama, None).await;
    assert!(spanish.contains("Borrador"), "{spanish}");
    assert!(spanish.contains("Estación de Recepción Migratoria Los Planes de Gualaca"));
    assert!(spanish.contains("Paso Canoas, puesto fronterizo"));
    assert!(spanish.contains("1 wheelchair"));
    let (_, _, english) = send(
        &test,
        "GET",
        &format!("/returns/{id}?lang=en"),
        &panama,
        None,
    )
    .await;
    assert!(
        english.contains("Draft") && english.contains("Land"),
        "{english}"
    );
    assert!(english.contains("Onward transport to the place of origin"));
    let composition = english
        .split("id=\"composition\"")
        .nth(1)
        .expect("the composition");
    assert!(
        row_with(composition, "People").contains(">5<"),
        "{composition}"
    );
    // The origin does not see a draft.
    let (costa_rica, _) = signed_in(&test, "CRI", "cri.focal").await;
    let (status, _, _) = send(&test, "GET", &location, &costa_rica, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_bad_draft_form_names_each_field_and_writes_nothing() {
    let test = TestApp::new().await;
    let (panama, token) = signed_in(&test, "PAN", "pan.focal").await;
    let mut fields: Vec<(&str, &str)> = draft_fields(&token, "en")
        .into_iter()
        .filter(|(name, _)| {
            !matches!(
                *name,
                "origin" | "planned_date" | "reception_point_description" | "sex_m"
            )
        })
        .collect();
    fields.extend([
        ("origin", "PAN"),
        ("planned_date", "17/12/2026"),
        ("reception_point_description", ""),
        ("sex_m", "three"),
    ]);
    let (status, _, page) = send(&test, "POST", "/returns", &panama, Some(&fields)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    for field in ["origin", "planned_date", "reception_point", "sex_m"] {
        assert!(
            page.contains(&format!("id=\"error-{field}\"")),
            "{field}: {page}"
        );
    }
    assert!(page.contains("`17/12/2026` is not a date"));
    // What was posted is kept in the form.
    assert!(page.contains("value=\"three\"") && page.contains("1 wheelchair"));
    // A group the domain refuses (more women than people) is named too.
    let mut fields = draft_fields(&token, "en");
    fields.retain(|(name, _)| *name != "sex_f");
    fields.push(("sex_f", "9"));
    let (status, _, page) = send(&test, "POST", "/returns", &panama, Some(&fields)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("id=\"error-people\"") && page.contains("more than the 5 people"),
        "{page}"
    );
    // Without the form token, refused.
    let mut fields = draft_fields("wrong", "en");
    fields.push(("x", "y"));
    let (status, _, _) = send(&test, "POST", "/returns", &panama, Some(&fields)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(stored_count(&test).await, 0);
}

/// The safeguards of the 7 of `panama_return` as lines of the form; the child alone has a
/// determination unless `without_determination`.
fn case_lines(without_determination: bool) -> String {
    let mut lines = vec![
        format!(
            "{}, 3 people, 3 consented, no claim",
            reference("SNM-2026-1001")
        ),
        format!(
            "{}, 1 person, 1 consented, no claim, 1 child{}",
            reference("SNM-2026-1002"),
            if without_determination {
                ""
            } else {
                ", SENNIAF-BID-2026-0311 2026-11-20"
            }
        ),
    ];
    for number in 1003..1006 {
        lines.push(format!(
            "{}, 1 person, 1 consented, no claim",
            reference(&format!("SNM-2026-{number}"))
        ));
    }
    lines.join("\n")
}

#[tokio::test]
async fn the_host_records_safeguards_and_proposes_and_a_child_without_a_determination_is_refused() {
    let test = TestApp::new().await;
    let id = panama_return(&test, "draft").await;
    let (panama, token) = signed_in(&test, "PAN", "pan.focal").await;
    let detail = format!("/returns/{id}");
    let (_, _, page) = send(&test, "GET", &format!("{detail}?lang=en"), &panama, None).await;
    assert!(page.contains(&format!("action=\"/returns/{id}/safeguards\"")));
    assert!(page.contains(&format!("action=\"/returns/{id}/propose\"")));
    assert!(page.contains("corredor return case-ref"), "{page}");

    // A line the page cannot read is refused naming it; nothing is recorded.
    let bad = format!("{}\nPAN-nothex, 2 people", case_lines(false));
    let (status, _, refusal) = send(
        &test,
        "POST",
        &format!("{detail}/safeguards"),
        &panama,
        Some(&[("csrf", &token), ("lang", "en"), ("cases", &bad)]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refusal}");
    assert!(refusal.contains("cases: line 6"), "{refusal}");
    let stored = test
        .app
        .store()
        .return_operation(ReturnOperationId(id))
        .await
        .unwrap();
    assert!(stored.operation.safeguards().is_none());

    // The child alone has no best-interest determination: recorded, but proposing is refused
    // naming it, and the operation stays a draft.
    let cases = case_lines(true);
    let (status, _, _) = send(
        &test,
        "POST",
        &format!("{detail}/safeguards"),
        &panama,
        Some(&[("csrf", &token), ("lang", "en"), ("cases", &cases)]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = send(&test, "GET", &format!("{detail}?lang=en"), &panama, None).await;
    assert!(
        page.contains(&reference("SNM-2026-1002")),
        "the recorded cases fill the form"
    );
    let propose = [("csrf", token.as_str()), ("lang", "en")];
    let (status, _, refusal) = send(
        &test,
        "POST",
        &format!("{detail}/propose"),
        &panama,
        Some(&propose),
    )
    .await;
    assert!(status.is_client_error(), "{status}: {refusal}");
    assert!(
        refusal.to_lowercase().contains("best-interest"),
        "{refusal}"
    );
    assert_eq!(state_of(&test, id).await, "draft");

    // With the determination, the host proposes and the origin sees the operation.
    let cases = case_lines(false);
    let (status, _, _) = send(
        &test,
        "POST",
        &format!("{detail}/safeguards"),
        &panama,
        Some(&[("csrf", &token), ("lang", "en"), ("cases", &cases)]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, headers, _) = send(
        &test,
        "POST",
        &format!("{detail}/propose"),
        &panama,
        Some(&propose),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], format!("/returns/{id}?lang=en"));
    assert_eq!(state_of(&test, id).await, "proposed");
    let (costa_rica, _) = signed_in(&test, "CRI", "cri.focal").await;
    let (status, _, page) = send(
        &test,
        "GET",
        &format!("{detail}?lang=es"),
        &costa_rica,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Completas") && !page.contains("/safeguards\""),
        "{page}"
    );
}

#[tokio::test]
async fn a_reintegration_record_entered_through_the_form_appears_in_the_territory_table() {
    let test = TestApp::new().await;
    let (costa_rica, token) = signed_in(&test, "CRI", "cri.focal").await;
    let (_, _, page) = send(&test, "GET", "/territories/CRI?lang=en", &costa_rica, None).await;
    assert!(
        page.contains("action=\"/territories/CRI/reintegration\""),
        "{page}"
    );
    assert!(page.contains("action=\"/territories/CRI/programmes\""));
    // Another country's focal point reads the page without the forms.
    let (panama, pa_token) = signed_in(&test, "PAN", "pan.focal").await;
    let (_, _, other) = send(&test, "GET", "/territories/CRI?lang=en", &panama, None).await;
    assert!(!other.contains("/territories/CRI/reintegration"));

    let mut record = vec![
        ("csrf", token.as_str()),
        ("lang", "en"),
        ("cohort_month", "2026-03"),
        ("territory", "CR-P-601"),
        ("follow_up", "6_months"),
        ("returnees", "14"),
        ("followed_up", "11"),
        ("service_identity_documents", "9"),
        ("provider_identity_documents", "government"),
        ("service_job_placement", "3"),
        ("provider_job_placement", "private_sector"),
    ];
    // A bad month is refused naming the field; nothing is recorded.
    let mut bad = record.clone();
    bad[2] = ("cohort_month", "March");
    let (status, _, refusal) = send(
        &test,
        "POST",
        "/territories/CRI/reintegration",
        &costa_rica,
        Some(&bad),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refusal.contains("cohort_month: `March` is not a month"),
        "{refusal}"
    );
    // A cohort is a month or an operation: both, or an operation that is not a number, are
    // refused naming the operation field.
    for (operation, reason) in [
        ("17", "a cohort is a month or an operation, not both"),
        (
            "seventeen",
            "`seventeen` is not the number of a return operation",
        ),
    ] {
        let mut bad = record.clone();
        if operation == "seventeen" {
            bad[2] = ("cohort_month", "");
        }
        bad.push(("cohort_operation", operation));
        let (status, _, refusal) = send(
            &test,
            "POST",
            "/territories/CRI/reintegration",
            &costa_rica,
            Some(&bad),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refusal.contains(&format!("cohort_operation: {reason}")),
            "{refusal}"
        );
    }
    // Panama may not report Costa Rica's reintegration.
    let mut foreign = record.clone();
    foreign[0] = ("csrf", pa_token.as_str());
    let (status, _, _) = send(
        &test,
        "POST",
        "/territories/CRI/reintegration",
        &panama,
        Some(&foreign),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let stored = test
        .app
        .reintegration_records(&Caller::System, None)
        .await
        .unwrap();
    assert!(stored.is_empty());

    record.push(("service_health_care", ""));
    let (status, headers, body) = send(
        &test,
        "POST",
        "/territories/CRI/reintegration",
        &costa_rica,
        Some(&record),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(headers[header::LOCATION], "/territories/CRI?lang=en");
    let programme = [
        ("csrf", token.as_str()),
        ("lang", "es"),
        ("territory", "CR-P"),
        ("name", "Empléate Puntarenas"),
        ("run_by", "Ministerio de Trabajo y Seguridad Social"),
        ("run_by_kind", "government"),
        ("programme_type", "vocational_training"),
        ("beneficiaries", "420"),
        ("from", "2026-01-01"),
        ("to", ""),
    ];
    let (status, _, body) = send(
        &test,
        "POST",
        "/territories/CRI/programmes",
        &costa_rica,
        Some(&programme),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    let (_, _, english) = send(&test, "GET", "/territories/CRI?lang=en", &costa_rica, None).await;
    let outcome = row_with(&english, "At 6 months");
    assert!(outcome.contains("CR-P") && outcome.contains(">14<") && outcome.contains(">11<"));
    assert!(
        outcome.contains("9 (82 %)") && outcome.contains("3 (27 %)"),
        "{outcome}"
    );
    let (_, _, spanish) = send(&test, "GET", "/territories/CRI?lang=es", &costa_rica, None).await;
    let programme = row_with(&spanish, "Empléate Puntarenas");
    assert!(programme.contains("Formación profesional"), "{programme}");
}

/// The `<path class="division" …>…</path>` of one division on the territories map.
fn division_shape<'a>(page: &'a str, code: &str) -> &'a str {
    let start = page
        .find(&format!("data-code=\"{code}\""))
        .unwrap_or_else(|| panic!("no shape for {code}"));
    let start = page[..start].rfind("<path").expect("the shape's path");
    let end = start + page[start..].find("</path>").expect("the shape is closed");
    &page[start..end]
}

fn fill_of(shape: &str) -> &str {
    shape
        .split("fill=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a shape has a fill")
}

#[tokio::test]
async fn the_territories_map_shades_each_division_by_the_returnees_received_in_both_languages() {
    let test = TestApp::new().await;
    let id = panama_return(&test, "departed").await;
    let (costa_rica, token) = signed_in(&test, "CRI", "cri.focal").await;
    let (status, _, body) = send(
        &test,
        "POST",
        &format!("/returns/{id}/receive"),
        &costa_rica,
        Some(&[
            ("csrf", &token),
            ("lang", "en"),
            ("people", "6"),
            ("sex_f", "3"),
            ("sex_m", "3"),
            ("unaccompanied_children", "1"),
            ("family_units", "1"),
            ("people_in_family_units", "3"),
            ("by_territory", "CR-P-601:4, CR-SJ:2"),
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    let (status, _, english) =
        send(&test, "GET", "/territories/CRI?lang=en", &costa_rica, None).await;
    assert_eq!(status, StatusCode::OK, "{english}");
    // One shape per province of Costa Rica, each linked to its row in the table.
    assert_eq!(english.matches("<path class=\"division\"").count(), 7);
    assert!(english.contains("<a href=\"#division-CR-P\">"));
    assert!(english.contains("<span id=\"division-CR-P\">Puntarenas</span>"));
    // The municipality's returnees count in its province.
    let puntarenas = division_shape(&english, "CR-P");
    assert!(
        puntarenas.contains("<title>Puntarenas: 4</title>"),
        "{puntarenas}"
    );
    let san_jose = division_shape(&english, "CR-SJ");
    assert!(
        san_jose.contains("<title>San José: 2</title>"),
        "{san_jose}"
    );
    let limon = division_shape(&english, "CR-L");
    assert!(limon.contains("none recorded"), "{limon}");
    // More returnees, a darker shade; none, the lightest fill.
    assert_ne!(fill_of(puntarenas), fill_of(san_jose));
    assert_ne!(fill_of(san_jose), fill_of(limon));
    assert!(english.contains("Returnees received by first-level division: Costa Rica"));
    assert!(english.contains("None recorded") && english.contains("Natural Earth"));
    let row = row_with(&english, "<span id=\"division-CR-P\">");
    assert!(row.contains("CR-P") && row.contains(">4<"), "{row}");

    let (_, _, spanish) = send(&test, "GET", "/territories/CRI?lang=es", &costa_rica, None).await;
    assert!(
        spanish.contains("Personas retornadas recibidas por división de primer nivel: Costa Rica")
    );
    assert!(division_shape(&spanish, "CR-L").contains("ninguna registrada"));
    assert!(spanish.contains("Ninguna registrada"));

    // An observer reads the small counts withheld (hatched), never a guessed shade.
    let observer = test.as_(Who::Observer).await;
    let (status, page) = observer.get("/territories/CRI?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    let puntarenas = division_shape(&page, "CR-P");
    assert!(
        puntarenas.contains("<title>Puntarenas: withheld</title>"),
        "{puntarenas}"
    );
    assert!(fill_of(puntarenas).starts_with("url(#"), "{puntarenas}");
    assert!(!page.contains("<title>Puntarenas: 4</title>"));
}

#[tokio::test]
async fn a_country_without_division_boundaries_gets_the_tables_and_a_sentence_instead_of_a_map() {
    let test = TestApp::new().await;
    let analyst = test.as_(Who::Analyst("DOM")).await;
    let (status, page) = analyst.get("/territories/DOM?lang=en").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains("<path class=\"division\""));
    assert!(page.contains("no boundaries for this country's first-level divisions"));
    let (_, spanish) = analyst.get("/territories/DOM?lang=es").await;
    assert!(spanish.contains("aún no tiene los límites"));
}

#[tokio::test]
async fn guatemala_without_returnees_by_department_gets_its_22_departments_unshaded() {
    let test = TestApp::new().await;
    let analyst = test.as_(Who::Analyst("GTM")).await;
    let (status, page) = analyst.get("/territories/GTM?lang=en").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page.matches("<path class=\"division\"").count(), 22);
    assert_eq!(page.matches(": none recorded</title>").count(), 22);
    assert!(page.contains("<title>Huehuetenango: none recorded</title>"));
    assert!(page.contains("the returnees it received (none recorded yet):"));
    assert!(page.contains("No returnees, reintegration records or programmes"));
}
