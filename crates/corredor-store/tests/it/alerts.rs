use chrono::{DateTime, Duration, FixedOffset, Utc};
use corredor_core::{
    ActionStatus, Alert, AlertContent, AlertId, AlertLevel, AlertLocation, AlertState, AlertText,
    Area, CorridorCode, CountryCode, Direction, FlowComposition, FlowCompositionParts, FlowStage,
    LevelChecklist, LevelChecklists, NationalityEstimate, Needs, Organisation, OrganisationCode,
    OrganisationKind, Recipient, RequiredAction, Route, ShelterLoad, StrandedPopulation,
    StrandedPopulationParts, TextBlock,
};
use corredor_store::{
    AlertAudience, AlertFilter, AttemptOutcome, CapOrigin, DeliveryAttempt, DeliveryState,
    NewAlertLevel, NewDelivery, NewWebhook, Store, StoreError,
};

use crate::support::{at, country, each_backend, nationality, place_code, with_reference};

fn offset(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&FixedOffset::west_opt(5 * 3600).expect("UTC-5 is an offset"))
}

/// 1,200 people, mostly Venezuelan, leaving the Lajas Blancas station northbound.
fn lajas_blancas(stage: FlowStage) -> AlertContent {
    AlertContent {
        composition: FlowComposition::new(FlowCompositionParts {
            estimated_people: 1200,
            women: Some(420),
            children: Some(310),
            unaccompanied_children: Some(12),
            nationalities: vec![NationalityEstimate {
                nationality: nationality("VEN"),
                estimated_people: 900,
            }],
            ..FlowCompositionParts::default()
        })
        .expect("the composition is consistent"),
        location: AlertLocation::new(
            Area::Place {
                place: place_code("PA-LB"),
            },
            "Lajas Blancas, Darién",
        )
        .expect("the location is valid"),
        route: Route {
            corridor: CorridorCode::parse("northbound").expect("a corridor code"),
            direction: Direction::Northbound,
        },
        stage,
        needs: Needs {
            actions: [RequiredAction::HealthCare].into_iter().collect(),
            note: None,
        },
        text: AlertText::new(
            Some(TextBlock {
                headline: "1.200 personas salen de Lajas Blancas".to_owned(),
                description: "Grupo numeroso en tránsito hacia Costa Rica.".to_owned(),
                instruction: None,
            }),
            None,
        )
        .expect("the text is valid"),
    }
}

fn recipient(code: &str) -> Recipient {
    Recipient {
        country: country(code),
        arrival: None,
        added_by_issuer: false,
        addressed_at: None,
    }
}

/// A Panamanian alert to Costa Rica and Mexico, activated.
fn active_alert() -> Alert {
    Alert::draft(
        country("PAN"),
        lajas_blancas(FlowStage::Forming),
        "pan.focal",
        offset(at(3, 8)),
    )
    .and_then(|alert| alert.add_recipient(recipient("CRI"), offset(at(3, 8))))
    .and_then(|alert| alert.add_recipient(recipient("MEX"), offset(at(3, 8))))
    .and_then(|alert| alert.activate("pan.focal", offset(at(3, 9))))
    .expect("the alert goes through its first steps")
}

async fn with_organisations(store: &Store) {
    with_reference(store).await;
    store
        .put_organisation(&Organisation {
            code: OrganisationCode::parse("IOM").expect("an organisation code"),
            name: "International Organization for Migration".to_owned(),
            kind: OrganisationKind::Observer,
        })
        .await
        .expect("the observer is stored");
}

fn ids(alerts: &[corredor_store::StoredAlert]) -> Vec<i64> {
    let mut ids: Vec<i64> = alerts.iter().map(|stored| stored.id().0).collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn an_alert_is_stored_whole_and_each_save_keeps_the_document_it_replaced() {
    each_backend(|store| async move {
        with_organisations(&store).await;
        let draft = Alert::draft(
            country("PAN"),
            lajas_blancas(FlowStage::Forming),
            "pan.focal",
            offset(at(3, 8)),
        )
        .expect("a draft");
        let stored = store
            .create_alert(&draft, &[], None, "draft_alert", at(3, 8))
            .await
            .expect("the draft is stored");
        assert_eq!(stored.revision, 1);
        assert_eq!(stored.alert.state(), AlertState::Draft);
        let id = stored.id();

        let active = stored
            .alert
            .clone()
            .add_recipient(recipient("CRI"), offset(at(3, 9)))
            .and_then(|alert| alert.activate("pan.focal", offset(at(3, 9))))
            .expect("activated");
        let saved = store
            .save_alert(
                &active,
                &["IOM".to_owned()],
                1,
                None,
                "activate_alert",
                at(3, 9),
            )
            .await
            .expect("the activation is saved");
        assert_eq!(saved.revision, 2);
        assert_eq!(saved.alert, active);
        assert_eq!(saved.shared_with, ["IOM"]);

        let acknowledged = active
            .acknowledge(country("CRI"), "cri.focal", offset(at(4, 7)))
            .and_then(|alert| {
                alert.record_action(
                    country("CRI"),
                    RequiredAction::HealthCare,
                    ActionStatus::Guaranteed,
                    None,
                    "cri.focal",
                    offset(at(4, 8)),
                )
            })
            .expect("acknowledged with an action");
        store
            .save_alert(
                &acknowledged,
                &["IOM".to_owned()],
                2,
                None,
                "respond_to_alert",
                at(4, 8),
            )
            .await
            .expect("the response is saved");

        let revisions = store.alert_revisions(id).await.expect("revisions read");
        let states: Vec<(i64, AlertState)> = revisions
            .iter()
            .map(|revision| (revision.revision, revision.alert.state()))
            .collect();
        assert_eq!(
            states,
            [
                (1, AlertState::Draft),
                (2, AlertState::Active),
                (3, AlertState::Active)
            ]
        );
        assert_eq!(revisions[2].alert.action_records().len(), 1);
        assert_eq!(
            store.alert(id).await.expect("read back").alert,
            acknowledged
        );
    })
    .await;
}

#[tokio::test]
async fn a_save_over_a_revision_someone_else_changed_is_refused_and_writes_nothing() {
    each_backend(|store| async move {
        with_organisations(&store).await;
        let stored = store
            .create_alert(&active_alert(), &[], None, "draft_alert", at(3, 9))
            .await
            .expect("stored");
        let costa_rica = stored
            .alert
            .clone()
            .acknowledge(country("CRI"), "cri.focal", offset(at(4, 7)))
            .expect("Costa Rica acknowledges");
        let mexico = stored
            .alert
            .clone()
            .acknowledge(country("MEX"), "mex.focal", offset(at(4, 7)))
            .expect("Mexico acknowledges");
        store
            .save_alert(&costa_rica, &[], 1, None, "respond_to_alert", at(4, 7))
            .await
            .expect("the first save lands");
        let refused = store
            .save_alert(&mexico, &[], 1, None, "respond_to_alert", at(4, 7))
            .await
            .expect_err("the second save was made over an old revision");
        let StoreError::Conflict { constraint } = refused else {
            panic!("a stale save is a conflict, got {refused:?}");
        };
        assert!(
            constraint.contains("changed by someone else"),
            "{constraint}"
        );
        let now = store.alert(stored.id()).await.expect("read");
        assert_eq!(now.revision, 2);
        assert!(now.alert.has_acknowledged(country("CRI")));
        assert!(!now.alert.has_acknowledged(country("MEX")));
        assert_eq!(
            store
                .alert_revisions(stored.id())
                .await
                .expect("revisions")
                .len(),
            2
        );
    })
    .await;
}

#[tokio::test]
async fn each_country_reads_its_own_alerts_and_the_sent_ones_addressed_or_shared_with_it() {
    each_backend(|store| async move {
        with_organisations(&store).await;
        let sent = store
            .create_alert(
                &active_alert(),
                &["IOM".to_owned()],
                None,
                "draft_alert",
                at(3, 9),
            )
            .await
            .expect("the sent alert is stored");
        let draft = Alert::draft(
            country("PAN"),
            lajas_blancas(FlowStage::Forming),
            "pan.focal",
            offset(at(5, 8)),
        )
        .and_then(|alert| alert.add_recipient(recipient("CRI"), offset(at(5, 8))))
        .expect("a second draft");
        let draft = store
            .create_alert(&draft, &[], None, "draft_alert", at(5, 8))
            .await
            .expect("the draft is stored");
        let (sent, draft) = (sent.id().0, draft.id().0);

        let read = |audience| {
            let store = store.clone();
            async move {
                ids(&store
                    .alerts(&AlertFilter::for_audience(audience))
                    .await
                    .expect("alerts read"))
            }
        };
        assert_eq!(read(AlertAudience::Everything).await, [sent, draft]);
        assert_eq!(
            read(AlertAudience::Country(country("PAN"))).await,
            [sent, draft]
        );
        // Costa Rica is a recipient of both, but a draft is not sent yet.
        assert_eq!(read(AlertAudience::Country(country("CRI"))).await, [sent]);
        assert_eq!(
            read(AlertAudience::Country(country("USA"))).await,
            Vec::<i64>::new()
        );
        assert_eq!(read(AlertAudience::AllSent).await, [sent]);
        assert_eq!(
            read(AlertAudience::Organisation("IOM".to_owned())).await,
            [sent]
        );
        assert_eq!(read(AlertAudience::Nobody).await, Vec::<i64>::new());

        let mut filter = AlertFilter::for_audience(AlertAudience::Everything);
        filter.state = Some(AlertState::Draft);
        assert_eq!(ids(&store.alerts(&filter).await.expect("read")), [draft]);
        filter.state = None;
        filter.recipient = Some(country("MEX"));
        assert_eq!(ids(&store.alerts(&filter).await.expect("read")), [sent]);
        filter.recipient = None;
        filter.updated_since = Some(at(4, 0));
        assert_eq!(ids(&store.alerts(&filter).await.expect("read")), [draft]);
    })
    .await;
}

#[tokio::test]
async fn an_imported_cap_message_finds_its_alert_and_cannot_be_recorded_twice() {
    each_backend(|store| async move {
        with_organisations(&store).await;
        let origin = CapOrigin {
            sender: "snm@migracion.gob.pa".to_owned(),
            identifier: "SNM-2023-0914-01".to_owned(),
            sent: at(3, 9),
            version: 1,
        };
        let stored = store
            .create_alert(
                &active_alert(),
                &[],
                Some(&origin),
                "import_alert",
                at(3, 9),
            )
            .await
            .expect("the imported alert is stored");
        assert_eq!(
            store
                .alert_for_cap_message("snm@migracion.gob.pa", "SNM-2023-0914-01")
                .await
                .expect("looked up"),
            Some((stored.id(), 1))
        );
        assert_eq!(
            store
                .alert_for_cap_message("snm@migracion.gob.pa", "SNM-2023-0914-02")
                .await
                .expect("looked up"),
            None
        );
        let twice = store
            .create_alert(
                &active_alert(),
                &[],
                Some(&origin),
                "import_alert",
                at(3, 10),
            )
            .await;
        assert!(
            matches!(twice, Err(StoreError::Conflict { .. })),
            "{twice:?}"
        );
        let all = store
            .alerts(&AlertFilter::for_audience(AlertAudience::Everything))
            .await
            .expect("read");
        assert_eq!(all.len(), 1, "the refused import wrote nothing");
    })
    .await;
}

#[tokio::test]
async fn a_reminder_is_raised_once_per_recipient() {
    each_backend(|store| async move {
        with_organisations(&store).await;
        let id = store
            .create_alert(&active_alert(), &[], None, "draft_alert", at(3, 9))
            .await
            .expect("stored")
            .id();
        assert!(store
            .raise_reminder(id, country("MEX"), at(4, 9))
            .await
            .expect("raised"));
        assert!(!store
            .raise_reminder(id, country("MEX"), at(4, 10))
            .await
            .expect("not again"));
        let reminders = store.reminders(id).await.expect("read");
        assert_eq!(reminders.len(), 1);
        assert_eq!(
            (reminders[0].country, reminders[0].raised_at),
            (country("MEX"), at(4, 9))
        );
        assert!(store
            .raise_reminder(AlertId(id.0 + 1), country("MEX"), at(4, 9))
            .await
            .is_err());
    })
    .await;
}

#[tokio::test]
async fn levels_keep_their_history_and_the_latest_of_each_country_and_place_is_current() {
    each_backend(|store| async move {
        with_organisations(&store).await;
        let level = |code: &str, place: Option<&str>, level, hour| NewAlertLevel {
            country: country(code),
            place: place.map(place_code),
            level,
            reason: "flujo de 1.200 personas desde Darién".to_owned(),
            set_by: format!("{}.focal", code.to_lowercase()),
            set_at: at(6, hour),
        };
        for new in [
            level("PAN", None, AlertLevel::Elevated, 8),
            level("PAN", Some("PA-LB"), AlertLevel::Critical, 9),
            level("CRI", None, AlertLevel::High, 9),
            level("PAN", None, AlertLevel::High, 10),
        ] {
            store.set_alert_level(&new).await.expect("the level is set");
        }
        let current: Vec<(CountryCode, Option<String>, AlertLevel)> = store
            .current_alert_levels()
            .await
            .expect("read")
            .into_iter()
            .map(|stored| {
                (
                    stored.level.country,
                    stored.level.place.map(|p| p.to_string()),
                    stored.level.level,
                )
            })
            .collect();
        assert_eq!(
            current,
            [
                (country("CRI"), None, AlertLevel::High),
                (country("PAN"), None, AlertLevel::High),
                (
                    country("PAN"),
                    Some("PA-LB".to_owned()),
                    AlertLevel::Critical
                ),
            ]
        );
        let history = store
            .alert_level_history(country("PAN"), None)
            .await
            .expect("read");
        let levels: Vec<AlertLevel> = history.iter().map(|h| h.level.level).collect();
        assert_eq!(levels, [AlertLevel::Elevated, AlertLevel::High]);
        // A place of another country is refused by the schema.
        let foreign = store
            .set_alert_level(&level("CRI", Some("PA-LB"), AlertLevel::High, 11))
            .await;
        assert!(
            matches!(foreign, Err(StoreError::Conflict { .. })),
            "{foreign:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_regional_default_checklists_hold_until_the_secretariat_configures_others() {
    each_backend(|store| async move {
        with_organisations(&store).await;
        let default = store.level_checklists().await.expect("read");
        assert_eq!(default.checklists, LevelChecklists::regional_default());
        assert_eq!(default.set_by, None);
        let mut configured: Vec<LevelChecklist> =
            LevelChecklists::regional_default().checklists().to_vec();
        for checklist in &mut configured {
            if checklist.level >= AlertLevel::Elevated
                && !checklist
                    .required
                    .contains(&RequiredAction::VoluntaryReturnInformation)
            {
                checklist
                    .required
                    .push(RequiredAction::VoluntaryReturnInformation);
            }
        }
        let configured = LevelChecklists::new(configured).expect("still a valid configuration");
        let stored = store
            .set_level_checklists(&configured, "rcm.admin", at(7, 9))
            .await
            .expect("configured");
        assert_eq!(stored.checklists, configured);
        assert_eq!(stored.set_by.as_deref(), Some("rcm.admin"));
        assert_eq!(
            store.level_checklists().await.expect("read").checklists,
            configured
        );
    })
    .await;
}

#[tokio::test]
async fn a_stranded_population_keeps_every_estimate_and_refuses_a_stale_one() {
    each_backend(|store| async move {
        with_organisations(&store).await;
        let estimate = |people, occupancy, hour| {
            StrandedPopulation::new(StrandedPopulationParts {
                country: country("PAN"),
                location: AlertLocation::new(
                    Area::Place {
                        place: place_code("PA-SV"),
                    },
                    "San Vicente, Darién",
                )
                .expect("a location"),
                estimated_people: people,
                estimated_by: "SNM Panamá".to_owned(),
                estimated_at: offset(at(8, hour)),
                needs: Needs::default(),
                shelter: Some(ShelterLoad {
                    capacity: 500,
                    occupancy,
                }),
                alerts: Vec::new(),
            })
            .expect("a valid estimate")
        };
        let first = store
            .create_stranded(&estimate(2400, 800, 8), at(8, 8))
            .await
            .expect("recorded");
        assert!(first.population.overcrowded());
        let second = store
            .save_stranded(first.id, &estimate(3100, 950, 12), 1, at(8, 12))
            .await
            .expect("a new estimate");
        assert_eq!(second.revision, 2);
        assert_eq!(second.population.unsheltered(), Some(2150));
        let stale = store
            .save_stranded(first.id, &estimate(2000, 700, 13), 1, at(8, 13))
            .await;
        assert!(
            matches!(stale, Err(StoreError::Conflict { .. })),
            "{stale:?}"
        );
        let history = store.stranded_history(first.id).await.expect("read");
        let people: Vec<u32> = history
            .iter()
            .map(|(_, population, _, _)| population.parts().estimated_people)
            .collect();
        assert_eq!(people, [2400, 3100]);
        assert_eq!(
            store
                .stranded_populations(&[country("CRI")])
                .await
                .expect("read")
                .len(),
            0
        );
        assert_eq!(
            store.stranded_populations(&[]).await.expect("read")[0].population,
            estimate(3100, 950, 12)
        );
    })
    .await;
}

#[tokio::test]
async fn a_delivery_is_retried_until_delivered_and_every_attempt_is_logged() {
    each_backend(|store| async move {
        with_organisations(&store).await;
        let alert = store
            .create_alert(&active_alert(), &[], None, "draft_alert", at(3, 9))
            .await
            .expect("stored")
            .id();
        let webhook = store
            .create_webhook(&NewWebhook {
                organisation: "CRI".to_owned(),
                url: "https://alertas.migracion.go.cr/corredor".to_owned(),
                secret: "s3cr3t-key-of-costa-rica".to_owned(),
                created_by: "cri.focal".to_owned(),
                created_at: at(3, 7),
            })
            .await
            .expect_err("CRI is not an organisation yet in this store");
        assert!(matches!(webhook, StoreError::Conflict { .. }));
        let webhook = store
            .create_webhook(&NewWebhook {
                organisation: "IOM".to_owned(),
                url: "https://dtm.iom.int/corredor".to_owned(),
                secret: "iom-secret".to_owned(),
                created_by: "rcm.admin".to_owned(),
                created_at: at(3, 7),
            })
            .await
            .expect("the webhook is created");
        assert_eq!(webhook.secret, "iom-secret");
        assert!(!serde_json::to_string(&webhook)
            .expect("json")
            .contains("iom-secret"));

        let queued = store
            .enqueue_deliveries(&[NewDelivery {
                webhook_id: webhook.id,
                event: "alert.activated".to_owned(),
                alert_id: alert,
                payload: r#"{"event":"alert.activated"}"#.to_owned(),
                created_at: at(3, 9),
            }])
            .await
            .expect("queued");
        let id = queued[0].id;
        assert_eq!(
            store.due_deliveries(at(3, 9), 10).await.expect("due").len(),
            1
        );
        assert_eq!(
            store.next_delivery_due().await.expect("read"),
            Some(at(3, 9))
        );
        let retry_at = at(3, 9) + Duration::seconds(30);
        let failed = DeliveryAttempt {
            attempt: 1,
            at: at(3, 9),
            status_code: Some(503),
            error: None,
            duration_ms: 120,
        };
        let delivery = store
            .record_attempt(id, &failed, AttemptOutcome::RetryAt(retry_at))
            .await
            .expect("logged");
        assert_eq!(
            (delivery.state, delivery.attempts),
            (DeliveryState::Pending, 1)
        );
        assert!(store
            .due_deliveries(at(3, 9), 10)
            .await
            .expect("due")
            .is_empty());
        assert_eq!(
            store.due_deliveries(retry_at, 10).await.expect("due").len(),
            1
        );
        let unreachable = DeliveryAttempt {
            attempt: 2,
            at: retry_at,
            status_code: None,
            error: Some("connection refused".to_owned()),
            duration_ms: 3,
        };
        store
            .record_attempt(
                id,
                &unreachable,
                AttemptOutcome::RetryAt(retry_at + Duration::minutes(1)),
            )
            .await
            .expect("logged");
        let delivered = DeliveryAttempt {
            attempt: 3,
            at: retry_at + Duration::minutes(1),
            status_code: Some(204),
            error: None,
            duration_ms: 80,
        };
        let delivery = store
            .record_attempt(id, &delivered, AttemptOutcome::Delivered)
            .await
            .expect("logged");
        assert_eq!(delivery.state, DeliveryState::Delivered);
        assert_eq!(delivery.delivered_at, Some(retry_at + Duration::minutes(1)));
        let attempts = store.delivery_attempts(id).await.expect("read");
        assert_eq!(attempts, [failed, unreachable, delivered]);
        let again = store
            .record_attempt(id, &attempts[2], AttemptOutcome::Delivered)
            .await;
        assert!(
            matches!(again, Err(StoreError::Conflict { .. })),
            "{again:?}"
        );
        assert_eq!(store.next_delivery_due().await.expect("read"), None);

        let disabled = store
            .disable_webhook(webhook.id, at(9, 0))
            .await
            .expect("disabled");
        assert_eq!(disabled.disabled_at, Some(at(9, 0)));
        assert_eq!(
            store.deliveries(webhook.id, 10).await.expect("read").len(),
            1
        );
    })
    .await;
}
