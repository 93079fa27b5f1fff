use corredor_core::{Measure, Sex};
use corredor_store::{ObservationFilter, RecordOutcome, StoreError};

use crate::support::{at, batch, each_backend, obs, submission, with_reference};

fn outcome(inserted: u64, revised: u64, unchanged: u64) -> (u64, u64, u64) {
    (inserted, revised, unchanged)
}

fn counts(outcome: &RecordOutcome) -> (u64, u64, u64) {
    (outcome.inserted, outcome.revised, outcome.unchanged)
}

#[tokio::test]
async fn a_first_submission_stores_revision_one_with_who_and_when() {
    each_backend(|store| async move {
        with_reference(&store).await;
        let rows = batch([
            obs("PAN", "2023-08", Measure::IrregularEntry, 81_946),
            obs("PAN", "2023-08", Measure::IrregularEntry, 52_000).at("PA-LB"),
            obs("PAN", "2023-08", Measure::IrregularEntry, 63_201).nationality("VEN"),
        ]);
        let result = store
            .record_observations(&rows, &submission("ana@snm.gob.pa", at(2, 9)))
            .await
            .unwrap();
        assert_eq!(counts(&result), outcome(3, 0, 0));
        assert_eq!(store.count_observations().await.unwrap(), 3);

        let stored = store
            .observations(&ObservationFilter::default())
            .await
            .unwrap();
        assert_eq!(stored.len(), 3);
        for current in &stored {
            assert_eq!(current.revision, 1);
            assert_eq!(current.provenance.submitted_by, "ana@snm.gob.pa");
            assert_eq!(current.provenance.submitted_at, at(2, 9));
            assert_eq!(current.provenance.source.as_deref(), Some("SNM"));
            assert!(rows.contains(&current.observation));
        }
    })
    .await;
}

#[tokio::test]
async fn resubmitting_the_same_values_writes_nothing() {
    each_backend(|store| async move {
        with_reference(&store).await;
        let rows = batch([
            obs("PAN", "2023-08", Measure::IrregularEntry, 81_946),
            obs("PAN", "2023-W33", Measure::IrregularEntry, 20_000).at("PA-SV"),
        ]);
        store
            .record_observations(&rows, &submission("ana", at(2, 9)))
            .await
            .unwrap();
        let again = store
            .record_observations(&rows, &submission("luis", at(3, 9)))
            .await
            .unwrap();
        assert_eq!(counts(&again), outcome(0, 0, 2));
        for current in store
            .observations(&ObservationFilter::default())
            .await
            .unwrap()
        {
            assert_eq!(current.revision, 1);
            assert_eq!(current.provenance.submitted_by, "ana");
            assert_eq!(
                store
                    .revisions(&current.observation.key)
                    .await
                    .unwrap()
                    .len(),
                1
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_correction_adds_a_revision_and_every_earlier_value_stays_readable() {
    each_backend(|store| async move {
        with_reference(&store).await;
        let first = obs("PAN", "2023-08", Measure::IrregularEntry, 81_946);
        store
            .record_observations(&batch([first.clone()]), &submission("ana", at(2, 9)))
            .await
            .unwrap();
        let corrected = store
            .record_observations(
                &batch([
                    first.clone().source(Some("SNM")),
                    obs("PAN", "2023-09", Measure::IrregularEntry, 1),
                ]),
                &submission("ana", at(2, 10)),
            )
            .await
            .unwrap();
        assert_eq!(counts(&corrected), outcome(1, 0, 1));
        let second = store
            .record_observations(
                &batch([obs("PAN", "2023-08", Measure::IrregularEntry, 82_000)]),
                &submission("luis", at(5, 14)),
            )
            .await
            .unwrap();
        assert_eq!(counts(&second), outcome(0, 1, 0));
        let third = store
            .record_observations(
                &batch([obs("PAN", "2023-08", Measure::IrregularEntry, 82_000)
                    .source(Some("SNM, revised bulletin"))]),
                &submission("marta", at(9, 8)),
            )
            .await
            .unwrap();
        assert_eq!(
            counts(&third),
            outcome(0, 1, 0),
            "a new source alone is a revision"
        );
        assert!(third.submission_id > second.submission_id);

        let key = first.build().key;
        let history = store.revisions(&key).await.unwrap();
        let summary: Vec<_> = history
            .iter()
            .map(|r| {
                (
                    r.revision,
                    r.value,
                    r.provenance.submitted_by.as_str(),
                    r.provenance.submitted_at,
                    r.provenance.source.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (1, 81_946, "ana", at(2, 9), Some("SNM")),
                (2, 82_000, "luis", at(5, 14), Some("SNM")),
                (3, 82_000, "marta", at(9, 8), Some("SNM, revised bulletin")),
            ]
        );
        let current = store
            .observations(&ObservationFilter::default())
            .await
            .unwrap();
        let august = current.iter().find(|c| c.observation.key == key).unwrap();
        assert_eq!((august.revision, august.observation.value), (3, 82_000));
        assert_eq!(august.provenance.submitted_by, "marta");
        assert_eq!(store.count_observations().await.unwrap(), 2);

        let history = store
            .observation_history(&ObservationFilter::default())
            .await
            .unwrap();
        assert_eq!(history.len(), 4);
        assert_eq!(
            history
                .iter()
                .filter(|(k, _)| *k == key)
                .map(|(_, r)| r.revision)
                .collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
    })
    .await;
}

#[tokio::test]
async fn a_key_given_twice_in_one_batch_becomes_two_revisions() {
    each_backend(|store| async move {
        with_reference(&store).await;
        store
            .record_observations(
                &batch([obs("CRI", "2023-08", Measure::Encounter, 5).at("CR-EM")]),
                &submission("ana", at(1, 1)),
            )
            .await
            .unwrap();
        let result = store
            .record_observations(
                &batch([
                    obs("CRI", "2023-08", Measure::Encounter, 6).at("CR-EM"),
                    obs("CRI", "2023-09", Measure::Encounter, 7).at("CR-EM"),
                    obs("CRI", "2023-08", Measure::Encounter, 8).at("CR-EM"),
                    obs("CRI", "2023-09", Measure::Encounter, 9).at("CR-EM"),
                    obs("CRI", "2023-09", Measure::Encounter, 9).at("CR-EM"),
                ]),
                &submission("luis", at(2, 1)),
            )
            .await
            .unwrap();
        assert_eq!(counts(&result), outcome(1, 3, 1));
        let august = obs("CRI", "2023-08", Measure::Encounter, 0)
            .at("CR-EM")
            .build()
            .key;
        let september = obs("CRI", "2023-09", Measure::Encounter, 0)
            .at("CR-EM")
            .build()
            .key;
        let values = |revisions: Vec<corredor_core::Revision>| {
            revisions
                .iter()
                .map(|r| (r.revision, r.value))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            values(store.revisions(&august).await.unwrap()),
            vec![(1, 5), (2, 6), (3, 8)]
        );
        assert_eq!(
            values(store.revisions(&september).await.unwrap()),
            vec![(1, 7), (2, 9)]
        );
        // A revision superseded within its own batch keeps that batch's submitter, and one
        // superseded by a later batch keeps the earlier one's.
        let submitters = |revisions: Vec<corredor_core::Revision>| {
            revisions
                .into_iter()
                .map(|r| {
                    (
                        r.revision,
                        r.provenance.submitted_by,
                        r.provenance.submitted_at,
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            submitters(store.revisions(&august).await.unwrap()),
            vec![
                (1, "ana".to_owned(), at(1, 1)),
                (2, "luis".to_owned(), at(2, 1)),
                (3, "luis".to_owned(), at(2, 1)),
            ]
        );
        assert_eq!(
            submitters(store.revisions(&september).await.unwrap()),
            vec![
                (1, "luis".to_owned(), at(2, 1)),
                (2, "luis".to_owned(), at(2, 1))
            ]
        );
        let current = store
            .observations(&ObservationFilter::default())
            .await
            .unwrap();
        let mut now: Vec<_> = current
            .iter()
            .map(|c| (c.observation.value, c.revision))
            .collect();
        now.sort();
        assert_eq!(now, vec![(8, 3), (9, 2)]);
    })
    .await;
}

#[tokio::test]
async fn a_batch_that_fails_midway_writes_nothing_and_names_the_missing_place() {
    each_backend(|store| async move {
        with_reference(&store).await;
        // Enough rows for several multi-row statements to succeed before the bad one.
        let mut rows = batch((0..3_000).map(|i| {
            let month = format!("{}-{:02}", 1900 + i / 12, i % 12 + 1);
            obs("PAN", &month, Measure::IrregularEntry, i as u64).at("PA-LB")
        }));
        rows.push(obs("PAN", "2023-08", Measure::IrregularEntry, 1).at("PA-NOWHERE").build());
        let error = store
            .record_observations(&rows, &submission("ana", at(2, 9)))
            .await
            .unwrap_err();
        assert_eq!(
            error,
            StoreError::NotFound {
                what: "place `PA-NOWHERE`".to_owned()
            }
        );
        assert_eq!(store.count_observations().await.unwrap(), 0);
        assert!(store.observation_history(&ObservationFilter::default()).await.unwrap().is_empty());

        // A failed correction leaves the earlier value current.
        rows.pop();
        store.record_observations(&rows[..10], &submission("ana", at(2, 9))).await.unwrap();
        let mut correction = rows[..10].to_vec();
        correction[0].value = 999;
        correction.push(obs("MEX", "2023-08", Measure::Encounter, 1).at("PA-LB").build());
        let error = store
            .record_observations(&correction, &submission("luis", at(3, 9)))
            .await
            .unwrap_err();
        assert!(
            matches!(&error, StoreError::NotFound { what } if what.contains("PA-LB") && what.contains("MEX")),
            "{error:?}"
        );
        assert_eq!(store.revisions(&rows[0].key).await.unwrap().len(), 1);
        assert_eq!(store.count_observations().await.unwrap(), 10);
    })
    .await;
}

#[tokio::test]
async fn an_observation_of_a_country_not_stored_is_not_found() {
    each_backend(|store| async move {
        with_reference(&store).await;
        let error = store
            .record_observations(
                &batch([obs("GTM", "2023-08", Measure::Encounter, 1)]),
                &submission("ana", at(2, 9)),
            )
            .await
            .unwrap_err();
        assert_eq!(
            error,
            StoreError::NotFound {
                what: "country `GTM`".to_owned()
            }
        );
    })
    .await;
}

#[tokio::test]
async fn totals_and_country_level_values_are_keys_that_stay_unique() {
    each_backend(|store| async move {
        with_reference(&store).await;
        // Every key here has NULLs in it; NULL is not equal to NULL, yet a key is stored once.
        let rows = batch([
            obs("PAN", "2023-08", Measure::Encounter, 10),
            obs("PAN", "2023-08", Measure::Encounter, 4).sex(Sex::Female),
            obs("PAN", "2023-08", Measure::Encounter, 6).at("PA-LB"),
            obs("PAN", "2023-08", Measure::Encounter, 3)
                .at("PA-LB")
                .nationality("VEN"),
            obs("PAN", "2023-08", Measure::Encounter, 9).source(None),
        ]);
        let first = store
            .record_observations(&rows, &submission("ana", at(1, 1)))
            .await
            .unwrap();
        assert_eq!(counts(&first), outcome(4, 1, 0));
        let second = store
            .record_observations(&rows, &submission("ana", at(1, 2)))
            .await
            .unwrap();
        // Replaying the batch: the total first goes back to 10 (a revision), then to 9 again.
        assert_eq!(counts(&second), outcome(0, 2, 3));
        assert_eq!(store.count_observations().await.unwrap(), 4);
        let total = rows[0].key.clone();
        let revisions = store.revisions(&total).await.unwrap();
        let values: Vec<_> = revisions
            .iter()
            .map(|r| (r.value, r.provenance.source.clone()))
            .collect();
        assert_eq!(
            values,
            vec![
                (10, Some("SNM".into())),
                (9, None),
                (10, Some("SNM".into())),
                (9, None)
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn revisions_of_a_key_never_recorded_are_not_found() {
    each_backend(|store| async move {
        with_reference(&store).await;
        let key = obs("PAN", "2023-08", Measure::Encounter, 1).build().key;
        assert!(matches!(
            store.revisions(&key).await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn a_source_with_tabs_line_breaks_and_backslashes_reads_back_exactly() {
    each_backend(|store| async move {
        with_reference(&store).await;
        let source = "SNM\tboletín 8\\2023\r\nrevisado: \\N";
        let mut row = obs("PAN", "2023-08", Measure::IrregularEntry, 81_946);
        row.0.source = Some(source.to_owned());
        let plain = obs("PAN", "2023-09", Measure::IrregularEntry, 50_000);
        let mut unsourced = obs("PAN", "2023-10", Measure::IrregularEntry, 30_000);
        unsourced.0.source = None;
        store
            .record_observations(
                &batch([row, plain, unsourced]),
                &submission("ana@snm.gob.pa", at(2, 9)),
            )
            .await
            .unwrap();
        let stored = store
            .observations(&ObservationFilter::default())
            .await
            .unwrap();
        let sources: Vec<Option<&str>> = stored
            .iter()
            .map(|o| o.observation.source.as_deref())
            .collect();
        assert_eq!(sources, [Some(source), Some("SNM"), None]);
    })
    .await;
}
