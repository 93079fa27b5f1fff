use corredor_core::{
    Corridor, CorridorCode, CorridorNode, Leg, Measure, Organisation, SharingLevel, SharingPolicy,
    SignalKind, SignalOutcome,
};
use corredor_store::{
    Actor, AuditEntry, AuditFilter, AuditVerification, NewAuditEntry, NewForecastRun, NewSignal,
    SignalScope, Store,
};
use serde_json::json;
use sha2::Digest;

use crate::access::{analyst, panama, token_of, with_organisations};
use crate::support::{
    at, batch, countries, country, each_backend, nationality, obs, period, place_code, places,
    submission, with_reference,
};

fn ana() -> Actor {
    Actor {
        name: "ana".to_owned(),
        organisation: "PAN".to_owned(),
    }
}

fn northbound() -> Corridor {
    Corridor::new(
        CorridorCode::parse("northbound").unwrap(),
        "Northbound corridor",
        "Corredor hacia el norte",
        vec![
            CorridorNode {
                country: country("PAN"),
                places: vec![place_code("PA-LB")],
            },
            CorridorNode {
                country: country("CRI"),
                places: vec![],
            },
        ],
        vec![Leg {
            from: country("PAN"),
            to: country("CRI"),
            typical_transit_days: 3,
        }],
    )
    .unwrap()
}

fn darien_surge() -> NewSignal {
    NewSignal {
        kind: SignalKind::Surge,
        scope: SignalScope::Country(country("PAN")),
        place: None,
        measure: Measure::IrregularEntry,
        nationality: Some(nationality("VEN")),
        period: period("2023-08"),
        observed: Some(63_201.0),
        expected: 21_400.5,
        upper_bound: 38_950.25,
        score: 2.38,
        algorithm: "farrington-flexible".to_owned(),
        parameters: json!({"b": 2, "w": 2}),
        detected_at: at(5, 9),
    }
}

async fn all_entries(store: &Store) -> Vec<AuditEntry> {
    store.audit_entries(&AuditFilter::default()).await.unwrap()
}

/// The entries appended since `seen` entries; asserts there is exactly one.
async fn one_new_entry(store: &Store, seen: &mut usize) -> AuditEntry {
    let entries = all_entries(store).await;
    assert_eq!(
        entries.len(),
        *seen + 1,
        "one entry per write: {entries:#?}"
    );
    *seen = entries.len();
    entries.last().unwrap().clone()
}

#[tokio::test]
async fn every_write_appends_one_entry_naming_the_actor_its_subject_and_country() {
    each_backend(|store| async move {
        let store = store.acting_as(ana());
        assert_eq!(store.actor(), &ana());
        let mut seen = 0;
        let pan = Some(country("PAN"));

        store.put_countries(&countries()).await.unwrap();
        let entry = one_new_entry(&store, &mut seen).await;
        assert_eq!(
            (entry.action.as_str(), entry.subject.as_str()),
            ("put_countries", "countries:4")
        );
        assert_eq!(
            (entry.actor.as_str(), entry.organisation.as_str()),
            ("ana", "PAN")
        );

        store.put_places(&places()[..1]).await.unwrap();
        let entry = one_new_entry(&store, &mut seen).await;
        assert_eq!(
            (entry.action.as_str(), entry.subject.as_str()),
            ("put_places", "place:PA-LB")
        );
        assert_eq!(entry.country, pan);
        assert_eq!(entry.before, None, "a new place has no before");

        let mut renamed = places()[0].clone();
        renamed.name = "ETM Lajas Blancas".to_owned();
        store.put_places(&[renamed]).await.unwrap();
        let entry = one_new_entry(&store, &mut seen).await;
        assert_eq!(entry.before.unwrap()["places"][0]["name"], "Lajas Blancas");
        assert_eq!(
            entry.after.unwrap()["places"][0]["name"],
            "ETM Lajas Blancas"
        );

        store.put_places(&places()).await.unwrap();
        let entry = one_new_entry(&store, &mut seen).await;
        assert_eq!((entry.subject.as_str(), entry.country), ("places:4", None));

        store.put_corridor(&northbound()).await.unwrap();
        let entry = one_new_entry(&store, &mut seen).await;
        assert_eq!(
            (entry.action.as_str(), entry.subject.as_str()),
            ("put_corridor", "corridor:northbound")
        );

        let outcome = store
            .record_observations(
                &batch([obs("PAN", "2023-08", Measure::IrregularEntry, 81_946)]),
                &submission("ana", at(6, 9)),
            )
            .await
            .unwrap();
        let entry = one_new_entry(&store, &mut seen).await;
        assert_eq!(entry.action, "import");
        assert_eq!(
            entry.subject,
            format!("submission:{}", outcome.submission_id)
        );
        assert_eq!(entry.country, pan);

        assert_eq!(store.record_signals(&[darien_surge()]).await.unwrap(), 1);
        let entry = one_new_entry(&store, &mut seen).await;
        assert_eq!(
            (entry.action.as_str(), entry.subject.as_str()),
            ("record_signals", "signals:1")
        );
        assert_eq!(entry.country, pan);
        assert_eq!(entry.after.unwrap()["recorded"], 1);

        let signal = store.signals(&Default::default()).await.unwrap()[0].id;
        store
            .decide_signal(
                signal,
                SignalOutcome::Escalated,
                "ana",
                "confirmed by SENAFRONT",
                at(7, 9),
            )
            .await
            .unwrap();
        let entry = one_new_entry(&store, &mut seen).await;
        assert_eq!(entry.action, "decide_signal");
        assert_eq!(entry.subject, format!("signal:{signal}"));
        assert_eq!(entry.country, pan);
        assert_eq!(entry.before.unwrap()["decision"], json!(null));
        assert_eq!(entry.after.unwrap()["decision"]["outcome"], "escalated");

        let run = store
            .record_forecast_run(&NewForecastRun {
                corridor: CorridorCode::parse("northbound").unwrap(),
                model: "propagation".to_owned(),
                created_at: at(8, 9),
                origin: period("2023-08"),
                parameters: json!({"chains": 2}),
                rows: vec![],
                legs: vec![],
            })
            .await
            .unwrap();
        let entry = one_new_entry(&store, &mut seen).await;
        assert_eq!(entry.action, "record_forecast_run");
        assert_eq!(entry.subject, format!("forecast_run:{run}"));

        store.put_organisation(&panama()).await.unwrap();
        let entry = one_new_entry(&store, &mut seen).await;
        assert_eq!(
            (entry.action.as_str(), entry.subject.as_str()),
            ("put_organisation", "organisation:PAN")
        );
        assert_eq!(entry.country, pan);
        let renamed = Organisation {
            name: "SNM".to_owned(),
            ..panama()
        };
        store.put_organisation(&renamed).await.unwrap();
        let entry = one_new_entry(&store, &mut seen).await;
        assert_eq!(entry.before.unwrap()["name"], panama().name);
        assert_eq!(entry.after.unwrap()["name"], "SNM");

        store.add_account(&analyst("bea")).await.unwrap();
        let entry = one_new_entry(&store, &mut seen).await;
        assert_eq!(
            (entry.action.as_str(), entry.subject.as_str()),
            ("add_account", "account:bea")
        );
        assert_eq!(entry.country, pan);

        store.disable_account("bea", at(9, 9)).await.unwrap();
        let entry = one_new_entry(&store, &mut seen).await;
        assert_eq!(
            (entry.action.as_str(), entry.subject.as_str()),
            ("disable_account", "account:bea")
        );
        assert_eq!(entry.before.unwrap()["disabled_at"], json!(null));
        assert_eq!(entry.country, pan);

        let token = store.create_token(&token_of("PAN", "s1", 1)).await.unwrap();
        let entry = one_new_entry(&store, &mut seen).await;
        assert_eq!(entry.action, "create_token");
        assert_eq!(entry.subject, format!("token:{}", token.id));
        assert_eq!(entry.country, pan);

        store.revoke_token(token.id, at(9, 10)).await.unwrap();
        let entry = one_new_entry(&store, &mut seen).await;
        assert_eq!(entry.action, "revoke_token");
        assert_eq!(entry.subject, format!("token:{}", token.id));

        let policy = SharingPolicy {
            country: country("PAN"),
            measure: Measure::IrregularEntry,
            level: SharingLevel::Private,
        };
        store.put_sharing_policy(&policy).await.unwrap();
        store
            .put_sharing_policy(&SharingPolicy {
                level: SharingLevel::Public,
                ..policy
            })
            .await
            .unwrap();
        let entries = all_entries(&store).await;
        assert_eq!(entries.len(), seen + 2);
        let entry = entries.last().unwrap();
        assert_eq!(
            (entry.action.as_str(), entry.subject.as_str()),
            ("put_sharing_policy", "sharing:PAN:irregular_entry")
        );
        assert_eq!(entry.country, pan);
        assert_eq!(entry.before.as_ref().unwrap()["level"], "private");
        assert_eq!(entry.after.as_ref().unwrap()["level"], "public");

        // Sessions are not data: neither opening nor ending one is audited.
        let seen = entries.len();
        store.add_account(&analyst("carla")).await.unwrap();
        store
            .create_session(&corredor_store::NewSession {
                id_hash: "h".to_owned(),
                account: "carla".to_owned(),
                csrf_token: "c".to_owned(),
                created_at: at(2, 9),
                expires_at: at(2, 10),
            })
            .await
            .unwrap();
        store.end_session("h").await.unwrap();
        assert_eq!(all_entries(&store).await.len(), seen + 1);

        assert!(all_entries(&store).await.iter().all(|e| e.actor == "ana"));
        assert_eq!(
            store.verify_audit().await.unwrap(),
            AuditVerification::Intact {
                entries: seen as u64 + 1
            }
        );
    })
    .await;
}

#[tokio::test]
async fn an_import_that_corrects_a_value_records_the_superseded_and_the_new_value_of_its_key() {
    each_backend(|store| async move {
        with_reference(&store).await;
        let store = store.acting_as(ana());
        let first = batch([
            obs("PAN", "2023-08", Measure::IrregularEntry, 81_946),
            obs("PAN", "2023-09", Measure::IrregularEntry, 75_000),
        ]);
        store
            .record_observations(&first, &submission("ana", at(6, 9)))
            .await
            .unwrap();
        let corrected = batch([
            obs("PAN", "2023-08", Measure::IrregularEntry, 82_010),
            obs("PAN", "2023-09", Measure::IrregularEntry, 75_000),
            obs("PAN", "2023-10", Measure::IrregularEntry, 60_000),
        ]);
        let outcome = store
            .record_observations(&corrected, &submission("ana", at(7, 9)))
            .await
            .unwrap();
        let entry = all_entries(&store).await.pop().unwrap();
        assert_eq!(entry.action, "import");
        assert_eq!(entry.country, Some(country("PAN")));

        let before = entry.before.expect("a correction has a before");
        let revisions = before["revisions"].as_array().unwrap();
        assert_eq!(revisions.len(), 1, "{before}");
        let key = revisions[0]["key"].as_str().unwrap();
        assert!(key.contains("2023-08") && key.contains("PAN"), "{key}");
        assert_eq!(revisions[0]["value"], 81_946);
        assert_eq!(revisions[0]["revision"], 1);
        assert_eq!(before["unlisted"], 0);

        let after = entry.after.unwrap();
        assert_eq!(after["submission"], outcome.submission_id);
        assert_eq!(after["file"], "test.csv");
        assert_eq!(after["rows"], 3);
        assert_eq!(
            (after["new"].clone(), after["revised"].clone()),
            (json!(1), json!(1))
        );
        assert_eq!(after["revisions"][0]["key"], key);
        assert_eq!(after["revisions"][0]["value"], 82_010);
        assert_eq!(after["revisions"][0]["revision"], 2);
    })
    .await;
}

#[tokio::test]
async fn the_chain_is_intact_after_many_writes_and_starts_from_zeros() {
    each_backend(|store| async move {
        with_reference(&store).await;
        with_organisations(&store).await;
        for day in 1..=28 {
            store
                .record_observations(
                    &batch([obs(
                        "PAN",
                        &format!("2023-W{:02}", day),
                        Measure::IrregularEntry,
                        1_000 + u64::from(day),
                    )]),
                    &submission("ana", at(day, 9)),
                )
                .await
                .unwrap();
            store
                .append_audit(&NewAuditEntry {
                    action: "sign_in".to_owned(),
                    subject: "account:ana".to_owned(),
                    country: None,
                    before: None,
                    after: Some(json!({"día": day, "note": "ñ \"quoted\"\n"})),
                })
                .await
                .unwrap();
        }
        let entries = all_entries(&store).await;
        assert_eq!(entries.len(), 2 + 3 + 56);
        assert_eq!(entries[0].id, 1);
        assert_eq!(entries[0].previous_hash, "0".repeat(64));
        for pair in entries.windows(2) {
            assert_eq!(pair[1].previous_hash, pair[0].hash);
            assert_eq!(pair[1].id, pair[0].id + 1);
            assert!(pair[1].at >= pair[0].at);
        }
        assert!(entries.iter().all(|e| e.hash.len() == 64
            && e.hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))));
        assert_eq!(
            store.verify_audit().await.unwrap(),
            AuditVerification::Intact { entries: 61 }
        );
    })
    .await;
}

#[tokio::test]
async fn an_appended_entry_reads_back_as_it_was_returned() {
    each_backend(|store| async move {
        let store = store.acting_as(ana());
        let appended = store
            .append_audit(&NewAuditEntry {
                action: "sign_in_refused".to_owned(),
                subject: "account:ana".to_owned(),
                country: Some(country("PAN")),
                before: None,
                after: Some(json!({"z": 1, "a": [2, 3], "reason": "wrong password"})),
            })
            .await
            .unwrap();
        assert_eq!(all_entries(&store).await, vec![appended.clone()]);
        assert_eq!(appended.actor, "ana");
        assert_eq!(
            appended.at.timestamp_subsec_nanos() % 1_000,
            0,
            "microseconds"
        );
        assert_eq!(
            store.verify_audit().await.unwrap(),
            AuditVerification::Intact { entries: 1 }
        );
    })
    .await;
}

#[tokio::test]
async fn audit_entries_filter_by_country_and_page_forward() {
    each_backend(|store| async move {
        with_organisations(&store).await;
        store.add_account(&analyst("ana")).await.unwrap();
        store
            .put_sharing_policy(&SharingPolicy {
                country: country("MEX"),
                measure: Measure::Encounter,
                level: SharingLevel::Private,
            })
            .await
            .unwrap();
        store.add_account(&analyst("bea")).await.unwrap();
        let panama_entries = store
            .audit_entries(&AuditFilter {
                country: Some(country("PAN")),
                ..Default::default()
            })
            .await
            .unwrap();
        let subjects: Vec<&str> = panama_entries.iter().map(|e| e.subject.as_str()).collect();
        assert_eq!(subjects, ["organisation:PAN", "account:ana", "account:bea"]);

        let all = all_entries(&store).await;
        let page = store
            .audit_entries(&AuditFilter {
                after_id: Some(all[1].id),
                limit: Some(2),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(page, all[2..4].to_vec());
    })
    .await;
}

/// Writes appended by concurrent tasks each extend the chain: none shares a predecessor.
#[tokio::test]
async fn concurrent_writers_do_not_fork_the_chain() {
    each_backend(|store| async move {
        with_organisations(&store).await;
        let writes = (0..8).map(|n| {
            let store = store.clone();
            tokio::spawn(async move { store.add_account(&analyst(&format!("user{n}"))).await })
        });
        for write in writes {
            write.await.unwrap().unwrap();
        }
        assert_eq!(
            store.verify_audit().await.unwrap(),
            AuditVerification::Intact { entries: 11 }
        );
    })
    .await;
}

async fn audited_history(store: &Store) {
    with_organisations(store).await;
    for name in ["ana", "bea", "carla", "dora"] {
        store.add_account(&analyst(name)).await.unwrap();
    }
    assert_eq!(
        store.verify_audit().await.unwrap(),
        AuditVerification::Intact { entries: 7 }
    );
}

fn broken_at(verification: AuditVerification, id: i64, why: &str) {
    match verification {
        AuditVerification::Broken { entry, reason } => {
            assert_eq!(entry, id, "{reason}");
            assert!(reason.contains(why), "{reason}");
        }
        intact => panic!("the chain should be broken at {id}: {intact:?}"),
    }
}

#[tokio::test]
async fn changing_what_an_entry_says_by_hand_breaks_the_chain_at_that_entry() {
    each_backend(|store| async move {
        audited_history(&store).await;
        store
            .execute_raw_for_tests(
                "UPDATE audit_entry SET after = REPLACE(after, 'bea (SNM)', 'Beatriz') WHERE id = 5",
            )
            .await
            .unwrap();
        assert!(all_entries(&store).await[4].after.as_ref().unwrap().to_string().contains("Beatriz"));
        broken_at(store.verify_audit().await.unwrap(), 5, "content changed");
    })
    .await;
}

#[tokio::test]
async fn changing_the_actor_of_an_entry_by_hand_breaks_the_chain_at_that_entry() {
    each_backend(|store| async move {
        audited_history(&store).await;
        store
            .execute_raw_for_tests("UPDATE audit_entry SET actor = 'someone-else' WHERE id = 3")
            .await
            .unwrap();
        broken_at(store.verify_audit().await.unwrap(), 3, "content changed");
    })
    .await;
}

/// The hash of an entry as the audit module documents it, computed independently here so
/// that the format is pinned: anyone holding a copy of the log can recompute it.
fn documented_hash(entry: &AuditEntry) -> String {
    let at = entry
        .at
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let id = entry.id.to_string();
    let country = entry.country.map(|c| c.to_string()).unwrap_or_default();
    let text = |value: &Option<serde_json::Value>| {
        value.as_ref().map(|v| v.to_string()).unwrap_or_default()
    };
    let (before, after) = (text(&entry.before), text(&entry.after));
    let fields = [
        entry.previous_hash.as_str(),
        &id,
        &at,
        &entry.actor,
        &entry.organisation,
        &entry.action,
        &entry.subject,
        &country,
        &before,
        &after,
    ];
    let mut canonical = String::from("corredor-audit-v1\n");
    for field in fields {
        canonical.push_str(&format!("{}:{field}\n", field.len()));
    }
    sha2::Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[tokio::test]
async fn each_hash_is_the_sha256_of_the_documented_canonical_text() {
    each_backend(|store| async move {
        audited_history(&store).await;
        for entry in all_entries(&store).await {
            assert_eq!(documented_hash(&entry), entry.hash, "{entry:#?}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_forged_entry_with_a_recomputed_hash_breaks_the_link_of_the_next_entry() {
    each_backend(|store| async move {
        audited_history(&store).await;
        let mut forged = all_entries(&store).await[3].clone();
        forged.actor = "mallory".to_owned();
        let hash = documented_hash(&forged);
        store
            .execute_raw_for_tests(&format!(
                "UPDATE audit_entry SET actor = 'mallory', hash = '{hash}' WHERE id = 4"
            ))
            .await
            .unwrap();
        broken_at(store.verify_audit().await.unwrap(), 5, "link is broken");
    })
    .await;
}

#[tokio::test]
async fn deleting_an_entry_in_the_middle_is_detected_at_the_entry_after_it() {
    each_backend(|store| async move {
        audited_history(&store).await;
        store
            .execute_raw_for_tests("DELETE FROM audit_entry WHERE id = 4")
            .await
            .unwrap();
        broken_at(
            store.verify_audit().await.unwrap(),
            5,
            "entry 4 before it is missing",
        );
        store
            .execute_raw_for_tests("DELETE FROM audit_entry WHERE id = 5")
            .await
            .unwrap();
        broken_at(store.verify_audit().await.unwrap(), 6, "entries 4 to 5");
    })
    .await;
}

#[tokio::test]
async fn a_rejected_write_leaves_no_audit_entry() {
    each_backend(|store| async move {
        with_reference(&store).await;
        let before = all_entries(&store).await;
        // A place in a country that is not stored.
        let refused = store
            .record_observations(
                &batch([obs("GTM", "2023-08", Measure::IrregularEntry, 5)]),
                &submission("ana", at(6, 9)),
            )
            .await;
        assert!(refused.is_err());
        assert!(store
            .decide_signal(42, SignalOutcome::Discarded, "ana", "noise", at(6, 9))
            .await
            .is_err());
        assert!(store.disable_account("nobody", at(6, 9)).await.is_err());
        assert!(store.create_token(&token_of("PAN", "s", 1)).await.is_err());
        assert_eq!(all_entries(&store).await, before);
    })
    .await;
}
