//! Return operations, reintegration records and prevention programmes on both backends:
//! stored whole, saved over the revision read, and the personal part (case references) kept in
//! one table only, so that the retention purge leaves it nowhere.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use corredor_core::returns::{
    BestInterestDetermination, CaseReference, CaseReferenceKey, CaseSafeguards, Cohort, FollowUp,
    PreventionProgramme, PreventionProgrammeParts, ProgrammeType, Provider, ReceptionNeed,
    ReceptionNeeds, ReceptionParts, ReintegrationRecord, ReintegrationRecordParts,
    ReintegrationService, RetentionPeriod, ReturnGroup, ReturnGroupParts, ReturnOperation,
    ReturnPlan, ReturnPoint, ReturnState, ServiceDelivery, TerritoryCode, Transport,
};
use corredor_core::{AgeGroup, Country, RcmStatus, Sex};
use corredor_store::{AuditFilter, ReturnAudience, ReturnFilter, Store, StoreError};

use crate::support::{countries, country, each_backend, with_reference};

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, day, hour, 0, 0)
        .single()
        .expect("test times are valid")
}

fn local(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&FixedOffset::west_opt(6 * 3600).expect("UTC-6 is an offset"))
}

fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("test days are valid")
}

async fn with_guatemala(store: &Store) {
    with_reference(store).await;
    let mut all = countries();
    all.push(Country {
        code: country("GTM"),
        name_en: "Guatemala".to_owned(),
        name_es: "Guatemala".to_owned(),
        rcm_status: Some(RcmStatus::Member),
    });
    store
        .put_countries(&all)
        .await
        .expect("countries are stored");
}

/// Mexico's key for case references (in production, from its own secret store).
fn mexico_key() -> CaseReferenceKey {
    let bytes: Vec<u8> = (0..32u8)
        .map(|i| i.wrapping_mul(29).wrapping_add(11))
        .collect();
    CaseReferenceKey::new(&bytes).expect("a 32-byte key")
}

fn reference(number: u32) -> CaseReference {
    CaseReference::derive(
        country("MEX"),
        &mexico_key(),
        &format!("INM-TAP-2024-{number:05}"),
    )
    .expect("a case number")
}

/// 12 people from the Siglo XXI station in Tapachula to Tecún Umán: one family of 4, one
/// unaccompanied child, 7 adults alone.
fn group(people: u32) -> ReturnGroup {
    ReturnGroup::new(ReturnGroupParts {
        people,
        by_sex: BTreeMap::from([(Sex::Female, 5), (Sex::Male, people - 5)]),
        by_age_group: BTreeMap::from([(AgeGroup::Age0To17, 3), (AgeGroup::Age18To59, people - 3)]),
        unaccompanied_children: 1,
        family_units: 1,
        people_in_family_units: 4,
        ..ReturnGroupParts::default()
    })
    .expect("a consistent group")
}

fn plan() -> ReturnPlan {
    ReturnPlan {
        host: country("MEX"),
        origin: country("GTM"),
        group: group(12),
        planned_date: day(2024, 3, 12),
        transport: Transport::Land,
        departure: ReturnPoint::Described {
            description: "Estación migratoria Siglo XXI, Tapachula, Chiapas".to_owned(),
        },
        reception_point: ReturnPoint::Described {
            description: "Centro de Recepción de Retornados, Tecún Umán".to_owned(),
        },
        reception_needs: ReceptionNeeds {
            needs: [ReceptionNeed::Health, ReceptionNeed::Documents]
                .into_iter()
                .collect(),
            note: None,
        },
    }
}

fn cases() -> Vec<CaseSafeguards> {
    let case = |number, people, children: u32| CaseSafeguards {
        case: reference(number),
        people,
        informed_and_consented: people,
        pending_protection_claims: 0,
        children_needing_determination: children,
        best_interest_determinations: (0..children)
            .map(|_| BestInterestDetermination {
                reference: format!("PGN-PNA-2024-{number}"),
                date: day(2024, 2, 28),
            })
            .collect(),
    };
    let mut cases = vec![case(187, 4, 0), case(200, 1, 1)];
    cases.extend((300..307).map(|number| case(number, 1, 0)));
    cases
}

fn draft() -> ReturnOperation {
    ReturnOperation::draft(
        plan(),
        RetentionPeriod::days(30).expect("30 days"),
        "mx.enlace",
        local(at(4, 15)),
    )
    .and_then(|operation| operation.record_safeguards(cases(), "mx.enlace", local(at(4, 17))))
    .expect("a draft with its safeguards")
}

/// Every stored text of the return tables and the audit log that mentions `needle`.
async fn places_mentioning(store: &Store, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    // Setting a column to itself changes nothing and reports the rows that matched.
    for (table, column) in [
        ("return_operation", "document"),
        ("return_operation_revision", "document"),
        ("return_case", "document"),
        ("return_case", "case_reference"),
    ] {
        let matched = store
            .execute_raw_for_tests(&format!(
                "UPDATE {table} SET {column} = {column} WHERE {column} LIKE '%{needle}%'"
            ))
            .await
            .expect("the table can be searched");
        if matched > 0 {
            found.push(format!("{table}.{column}: {matched}"));
        }
    }
    let entries = store
        .audit_entries(&AuditFilter::default())
        .await
        .expect("the audit log is read");
    for entry in entries {
        let text = format!("{:?} {:?} {}", entry.before, entry.after, entry.subject);
        if text.contains(needle) {
            found.push(format!("audit_entry {}", entry.id));
        }
    }
    found
}

#[tokio::test]
async fn a_return_is_stored_whole_with_its_cases_kept_apart_from_its_documents() {
    each_backend(|store| async move {
        with_guatemala(&store).await;
        let stored = store
            .create_return(&draft(), at(4, 17))
            .await
            .expect("the draft is stored");
        assert_eq!(stored.revision, 1);
        assert_eq!(stored.operation.state(), ReturnState::Draft);
        assert_eq!(stored.operation.case_references().len(), 9);
        let read = store
            .return_operation(stored.id())
            .await
            .expect("the draft is read");
        assert_eq!(read.operation, stored.operation);
        // The case references are in the case table only.
        let found = places_mentioning(&store, reference(187).as_str()).await;
        assert_eq!(
            found,
            ["return_case.document: 1", "return_case.case_reference: 1"]
        );
        let found = places_mentioning(&store, "PGN-PNA-2024-200").await;
        assert_eq!(found, ["return_case.document: 1"]);
        let revisions = store
            .return_revisions(stored.id())
            .await
            .expect("revisions are read");
        assert_eq!(revisions.len(), 1);
        let kept = revisions[0]
            .operation
            .safeguards
            .as_ref()
            .expect("the revision keeps the safeguard totals");
        assert!(kept.cases.is_empty());
        assert_eq!(kept.totals.cases, 9);
    })
    .await;
}

#[tokio::test]
async fn a_save_over_a_stale_revision_is_refused_and_changes_nothing() {
    each_backend(|store| async move {
        with_guatemala(&store).await;
        let stored = store
            .create_return(&draft(), at(4, 17))
            .await
            .expect("the draft is stored");
        let proposed = stored
            .operation
            .clone()
            .propose("mx.enlace", local(at(5, 9)))
            .expect("the safeguards are complete");
        let saved = store
            .save_return(&proposed, 1, "propose_return", at(5, 9))
            .await
            .expect("the proposal is saved");
        assert_eq!(saved.revision, 2);
        assert_eq!(saved.operation.state(), ReturnState::Proposed);

        let cancelled = stored
            .operation
            .clone()
            .cancel("duplicate", "mx.enlace", local(at(5, 10)))
            .expect("a draft may be cancelled");
        let refused = store
            .save_return(&cancelled, 1, "cancel_return", at(5, 10))
            .await
            .expect_err("revision 1 is stale");
        let StoreError::Conflict { constraint } = refused else {
            panic!("a conflict, not {refused:?}");
        };
        assert!(constraint.contains("revision 2, not 1"), "{constraint}");
        let read = store.return_operation(stored.id()).await.expect("read");
        assert_eq!(read.revision, 2);
        assert_eq!(read.operation.state(), ReturnState::Proposed);
    })
    .await;
}

#[tokio::test]
async fn the_origin_country_sees_an_operation_once_proposed_and_others_never() {
    each_backend(|store| async move {
        with_guatemala(&store).await;
        let stored = store
            .create_return(&draft(), at(4, 17))
            .await
            .expect("the draft is stored");
        let count = |audience: ReturnAudience| {
            let store = store.clone();
            async move {
                store
                    .return_operations(&ReturnFilter::for_audience(audience))
                    .await
                    .expect("operations are listed")
                    .len()
            }
        };
        assert_eq!(count(ReturnAudience::Country(country("MEX"))).await, 1);
        assert_eq!(count(ReturnAudience::Country(country("GTM"))).await, 0);
        assert_eq!(count(ReturnAudience::AllProposed).await, 0);
        let proposed = stored
            .operation
            .propose("mx.enlace", local(at(5, 9)))
            .expect("proposed");
        store
            .save_return(&proposed, 1, "propose_return", at(5, 9))
            .await
            .expect("saved");
        assert_eq!(count(ReturnAudience::Country(country("GTM"))).await, 1);
        assert_eq!(count(ReturnAudience::AllProposed).await, 1);
        assert_eq!(count(ReturnAudience::Country(country("PAN"))).await, 0);
        assert_eq!(count(ReturnAudience::Nobody).await, 0);
        assert_eq!(count(ReturnAudience::Everything).await, 1);
    })
    .await;
}

#[tokio::test]
async fn expired_case_references_are_gone_from_every_table_once_purged() {
    each_backend(|store| async move {
        with_guatemala(&store).await;
        let stored = store
            .create_return(&draft(), at(4, 17))
            .await
            .expect("the draft is stored");
        let received = stored
            .operation
            .propose("mx.enlace", local(at(5, 9)))
            .and_then(|op| op.accept("gt.enlace", local(at(6, 9))))
            .and_then(|op| op.depart("mx.enlace", local(at(12, 6))))
            .and_then(|op| {
                op.receive(
                    ReceptionParts {
                        group: group(11),
                        by_territory: BTreeMap::from([(
                            TerritoryCode::parse("GT-SM").expect("San Marcos"),
                            11,
                        )]),
                        note: Some("Una persona no abordó.".to_owned()),
                    },
                    "gt.enlace",
                    local(at(12, 14)),
                )
            })
            .expect("the return goes through its workflow");
        let mut revision = stored.revision;
        // Every step is a save, as the app makes them.
        for (count, action) in [(1, "propose"), (2, "accept"), (3, "depart"), (4, "receive")] {
            let mut parts: corredor_core::returns::ReturnOperationParts = received.clone().into();
            parts.history.truncate(2 + count);
            parts.state = parts.history.last().expect("a step").state;
            if parts.state != ReturnState::Received {
                parts.reception = None;
                parts.purge_after = None;
            }
            let step = ReturnOperation::restore(parts).expect("each prefix is an operation");
            revision = store
                .save_return(&step, revision, action, at(12, 15))
                .await
                .expect("the step is saved")
                .revision;
        }
        let purge_after = received.purge_after().expect("ended on reception");
        assert_eq!(purge_after, day(2024, 4, 11));
        assert!(store
            .returns_due_for_purge(purge_after)
            .await
            .expect("due operations are listed")
            .is_empty());
        let due = store
            .returns_due_for_purge(day(2024, 4, 12))
            .await
            .expect("due operations are listed");
        assert_eq!(due.len(), 1);
        assert_eq!(
            places_mentioning(&store, reference(300).as_str()).await,
            ["return_case.document: 1", "return_case.case_reference: 1"]
        );

        let now = local(Utc.with_ymd_and_hms(2024, 4, 12, 12, 0, 0).unwrap());
        let anonymised = due[0].operation.clone().anonymise(now);
        assert!(anonymised.is_anonymised());
        store
            .save_return(
                &anonymised,
                due[0].revision,
                "anonymise_return",
                now.to_utc(),
            )
            .await
            .expect("the anonymised operation is saved");

        for case in cases() {
            assert!(
                places_mentioning(&store, case.case.as_str())
                    .await
                    .is_empty(),
                "{} is still stored",
                case.case
            );
        }
        assert!(places_mentioning(&store, "PGN-PNA").await.is_empty());
        assert!(places_mentioning(&store, "MEX-").await.is_empty());
        let read = store.return_operation(stored_id(&due)).await.expect("read");
        assert!(read.operation.case_references().is_empty());
        assert_eq!(read.operation.group().people(), 12);
        assert_eq!(
            read.operation.reception().map(|r| r.group.people()),
            Some(11)
        );
        assert!(store
            .returns_due_for_purge(day(2024, 5, 1))
            .await
            .expect("listed")
            .is_empty());
    })
    .await;
}

fn stored_id(due: &[corredor_store::StoredReturn]) -> corredor_core::returns::ReturnOperationId {
    due[0].id()
}

#[tokio::test]
async fn reintegration_records_and_programmes_are_kept_and_listed_by_country() {
    each_backend(|store| async move {
        with_guatemala(&store).await;
        let record = ReintegrationRecord::new(ReintegrationRecordParts {
            origin: country("GTM"),
            cohort: Cohort::Month {
                month: corredor_core::Period::parse("2023-09").expect("a month"),
            },
            territory: TerritoryCode::parse("GT-HU").expect("Huehuetenango"),
            follow_up: FollowUp::Months3,
            returnees: 40,
            followed_up: 31,
            services: vec![ServiceDelivery {
                service: ReintegrationService::IdentityDocuments,
                people: 22,
                by_provider: BTreeMap::from([(Provider::Government, 22)]),
            }],
            recorded_by: "gt.analista".to_owned(),
            recorded_at: local(at(4, 10)),
        })
        .expect("a consistent record");
        let stored = store
            .record_reintegration(&record)
            .await
            .expect("the record is stored");
        let programme = PreventionProgramme::new(PreventionProgrammeParts {
            territory: TerritoryCode::parse("GT-HU").expect("Huehuetenango"),
            name: "Jóvenes con oportunidades".to_owned(),
            run_by: "Ministerio de Desarrollo Social".to_owned(),
            run_by_kind: Provider::Government,
            programme_type: ProgrammeType::VocationalTraining,
            beneficiaries: 350,
            from: day(2023, 1, 1),
            to: None,
        })
        .expect("a programme");
        store
            .record_programme(&programme, at(4, 11))
            .await
            .expect("the programme is stored");

        let records = store
            .reintegration_records(Some(country("GTM")))
            .await
            .expect("records are listed");
        assert_eq!(records, [stored]);
        assert!(store
            .reintegration_records(Some(country("MEX")))
            .await
            .expect("listed")
            .is_empty());
        let programmes = store
            .prevention_programmes(Some(country("GTM")))
            .await
            .expect("programmes are listed");
        assert_eq!(programmes.len(), 1);
        assert_eq!(programmes[0].programme, programme);
        assert_eq!(programmes[0].country, country("GTM"));
        let actions: Vec<String> = store
            .audit_entries(&AuditFilter::default())
            .await
            .expect("audit read")
            .into_iter()
            .map(|entry| entry.action)
            .collect();
        assert!(actions.contains(&"record_reintegration".to_owned()));
        assert!(actions.contains(&"record_prevention_programme".to_owned()));
    })
    .await;
}
