use chrono::Duration;
use corredor_core::{
    Measure, Organisation, OrganisationCode, OrganisationKind, Role, SharingLevel, SharingPolicy,
};
use corredor_store::{AuditFilter, NewAccount, NewSession, NewToken, Store, StoreError};

use crate::support::{at, country, each_backend};

pub fn code(raw: &str) -> OrganisationCode {
    OrganisationCode::parse(raw).expect("test organisation codes are valid")
}

pub fn panama() -> Organisation {
    Organisation::new(
        code("PAN"),
        "Servicio Nacional de Migración de Panamá",
        OrganisationKind::Country(country("PAN")),
    )
    .expect("a valid organisation")
}

pub fn secretariat() -> Organisation {
    Organisation::new(
        code("RCM"),
        "RCM Technical Secretariat",
        OrganisationKind::Secretariat,
    )
    .expect("a valid organisation")
}

pub fn iom() -> Organisation {
    Organisation::new(code("IOM"), "IOM", OrganisationKind::Observer).expect("a valid organisation")
}

pub async fn with_organisations(store: &Store) {
    for organisation in [panama(), secretariat(), iom()] {
        store
            .put_organisation(&organisation)
            .await
            .expect("organisations are stored");
    }
}

pub fn analyst(name: &str) -> NewAccount {
    NewAccount {
        name: name.to_owned(),
        display_name: format!("{name} (SNM)"),
        organisation: code("PAN"),
        role: Role::Analyst,
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA${name}-hash"),
    }
}

pub fn token_of(organisation: &str, secret_hash: &str, created: u32) -> NewToken {
    NewToken {
        organisation: code(organisation),
        role: Role::Analyst,
        label: format!("nightly upload {created}"),
        secret_hash: secret_hash.to_owned(),
        created_by: "ana".to_owned(),
        created_at: at(created, 8),
        expires_at: at(created, 8) + Duration::days(90),
    }
}

fn session_of(account: &str, id_hash: &str) -> NewSession {
    NewSession {
        id_hash: id_hash.to_owned(),
        account: account.to_owned(),
        csrf_token: format!("csrf-{id_hash}"),
        created_at: at(2, 9),
        expires_at: at(2, 17),
    }
}

#[tokio::test]
async fn organisations_come_back_by_code_and_a_second_put_renames() {
    each_backend(|store| async move {
        with_organisations(&store).await;
        assert_eq!(
            store.organisations().await.unwrap(),
            vec![iom(), panama(), secretariat()]
        );
        let renamed = Organisation {
            name: "International Organization for Migration".to_owned(),
            ..iom()
        };
        store.put_organisation(&renamed).await.unwrap();
        assert_eq!(store.organisation(&code("IOM")).await.unwrap(), renamed);
        assert!(matches!(
            store.organisation(&code("UNHCR")).await,
            Err(StoreError::NotFound { what }) if what.contains("UNHCR")
        ));
    })
    .await;
}

#[tokio::test]
async fn accounts_come_back_with_their_organisation_kind_and_filter_by_organisation() {
    each_backend(|store| async move {
        with_organisations(&store).await;
        let ana = store.add_account(&analyst("ana")).await.unwrap();
        let admin = store
            .add_account(&NewAccount {
                organisation: code("RCM"),
                role: Role::Administrator,
                ..analyst("admin")
            })
            .await
            .unwrap();
        assert_eq!(
            ana.organisation_kind,
            OrganisationKind::Country(country("PAN"))
        );
        assert_eq!(ana.password_hash, analyst("ana").password_hash);
        assert_eq!(ana.disabled_at, None);
        assert_eq!(store.account("ana").await.unwrap(), ana);
        assert_eq!(
            store.accounts(None).await.unwrap(),
            vec![admin.clone(), ana.clone()]
        );
        assert_eq!(
            store.accounts(Some(&code("RCM"))).await.unwrap(),
            vec![admin]
        );
        assert_eq!(store.accounts(Some(&code("IOM"))).await.unwrap(), vec![]);
        assert!(matches!(
            store.account("bruno").await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn a_taken_account_name_is_a_conflict_and_the_first_account_is_kept() {
    each_backend(|store| async move {
        with_organisations(&store).await;
        let ana = store.add_account(&analyst("ana")).await.unwrap();
        let entries = store
            .audit_entries(&AuditFilter::default())
            .await
            .unwrap()
            .len();
        let again = store
            .add_account(&NewAccount {
                display_name: "Another Ana".to_owned(),
                ..analyst("ana")
            })
            .await;
        assert!(
            matches!(again, Err(StoreError::Conflict { .. })),
            "{again:?}"
        );
        assert_eq!(store.account("ana").await.unwrap(), ana);
        assert_eq!(
            store
                .audit_entries(&AuditFilter::default())
                .await
                .unwrap()
                .len(),
            entries,
            "a refused write appends nothing"
        );
    })
    .await;
}

#[tokio::test]
async fn an_account_of_an_unknown_organisation_is_not_found_and_leaves_no_audit_entry() {
    each_backend(|store| async move {
        with_organisations(&store).await;
        let before = store.audit_entries(&AuditFilter::default()).await.unwrap();
        let refused = store
            .add_account(&NewAccount {
                organisation: code("GTM"),
                ..analyst("ana")
            })
            .await;
        assert!(
            matches!(&refused, Err(StoreError::NotFound { what }) if what.contains("GTM")),
            "{refused:?}"
        );
        assert_eq!(
            store.audit_entries(&AuditFilter::default()).await.unwrap(),
            before
        );
        assert!(store.accounts(None).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_session_is_open_until_its_expiry_and_ending_it_twice_is_not_an_error() {
    each_backend(|store| async move {
        with_organisations(&store).await;
        let ana = store.add_account(&analyst("ana")).await.unwrap();
        store
            .create_session(&session_of("ana", "h1"))
            .await
            .unwrap();

        let open = store
            .session("h1", at(2, 12))
            .await
            .unwrap()
            .expect("open at noon");
        assert_eq!(open.account, ana);
        assert_eq!(open.csrf_token, "csrf-h1");
        assert_eq!((open.created_at, open.expires_at), (at(2, 9), at(2, 17)));
        assert_eq!(
            store.session("h1", at(2, 17)).await.unwrap(),
            None,
            "a session has expired at its expiry time"
        );
        assert_eq!(store.session("h1", at(3, 9)).await.unwrap(), None);
        assert_eq!(store.session("unknown", at(2, 12)).await.unwrap(), None);

        store.end_session("h1").await.unwrap();
        assert_eq!(store.session("h1", at(2, 12)).await.unwrap(), None);
        store.end_session("h1").await.unwrap();
        assert!(matches!(
            store.create_session(&session_of("bruno", "h2")).await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn disabling_an_account_refuses_its_sessions_and_keeps_the_first_time() {
    each_backend(|store| async move {
        with_organisations(&store).await;
        store.add_account(&analyst("ana")).await.unwrap();
        store.add_account(&analyst("bea")).await.unwrap();
        store
            .create_session(&session_of("ana", "h-ana"))
            .await
            .unwrap();
        store
            .create_session(&session_of("bea", "h-bea"))
            .await
            .unwrap();

        let disabled = store.disable_account("ana", at(2, 10)).await.unwrap();
        assert_eq!(disabled.disabled_at, Some(at(2, 10)));
        assert_eq!(store.session("h-ana", at(2, 12)).await.unwrap(), None);
        assert!(store.session("h-bea", at(2, 12)).await.unwrap().is_some());

        // A session opened after disabling is refused too.
        store
            .create_session(&session_of("ana", "h-ana-2"))
            .await
            .unwrap();
        assert_eq!(store.session("h-ana-2", at(2, 12)).await.unwrap(), None);

        let again = store.disable_account("ana", at(4, 10)).await.unwrap();
        assert_eq!(again.disabled_at, Some(at(2, 10)));
        assert_eq!(
            store.account("ana").await.unwrap().disabled_at,
            Some(at(2, 10))
        );
        assert!(matches!(
            store.disable_account("carla", at(2, 10)).await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn tokens_come_back_newest_first_and_revoking_twice_keeps_the_first_time() {
    each_backend(|store| async move {
        with_organisations(&store).await;
        let older = store.create_token(&token_of("PAN", "s1", 1)).await.unwrap();
        let newer = store.create_token(&token_of("PAN", "s2", 3)).await.unwrap();
        let observer = store.create_token(&token_of("IOM", "s3", 2)).await.unwrap();
        assert_eq!(
            newer.organisation_kind,
            OrganisationKind::Country(country("PAN"))
        );
        assert_eq!(store.token(older.id).await.unwrap(), older);
        assert_eq!(
            store.tokens(None).await.unwrap(),
            vec![newer.clone(), observer.clone(), older.clone()]
        );
        assert_eq!(
            store.tokens(Some(&code("PAN"))).await.unwrap(),
            vec![newer.clone(), older.clone()]
        );

        let revoked = store.revoke_token(older.id, at(5, 9)).await.unwrap();
        assert_eq!(revoked.revoked_at, Some(at(5, 9)));
        let again = store.revoke_token(older.id, at(6, 9)).await.unwrap();
        assert_eq!(again.revoked_at, Some(at(5, 9)));
        assert_eq!(store.token(newer.id).await.unwrap().revoked_at, None);

        assert!(matches!(
            store.create_token(&token_of("PAN", "s2", 4)).await,
            Err(StoreError::Conflict { .. })
        ));
        assert!(matches!(
            store.create_token(&token_of("GTM", "s4", 4)).await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            store.revoke_token(9_999, at(5, 9)).await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn sharing_policies_come_back_with_their_named_members_and_a_second_put_replaces() {
    each_backend(|store| async move {
        let named = SharingPolicy {
            country: country("PAN"),
            measure: Measure::IrregularEntry,
            level: SharingLevel::NamedMembers([country("MEX"), country("CRI")].into()),
        };
        let private = SharingPolicy {
            country: country("PAN"),
            measure: Measure::Encounter,
            level: SharingLevel::Private,
        };
        store.put_sharing_policy(&named).await.unwrap();
        store.put_sharing_policy(&private).await.unwrap();
        let mut expected = vec![named.clone(), private.clone()];
        expected.sort_by_key(|p| p.measure.code());
        assert_eq!(store.sharing_policies().await.unwrap(), expected);

        let public = SharingPolicy {
            level: SharingLevel::Public,
            ..named
        };
        store.put_sharing_policy(&public).await.unwrap();
        let mut expected = vec![public, private];
        expected.sort_by_key(|p| p.measure.code());
        assert_eq!(store.sharing_policies().await.unwrap(), expected);
    })
    .await;
}

#[tokio::test]
async fn password_and_secret_hashes_never_reach_the_audit_log() {
    each_backend(|store| async move {
        with_organisations(&store).await;
        store.add_account(&analyst("ana")).await.unwrap();
        store
            .create_token(&token_of("PAN", "f00dcafe-secret-digest", 1))
            .await
            .unwrap();
        let log =
            serde_json::to_string(&store.audit_entries(&AuditFilter::default()).await.unwrap())
                .unwrap();
        assert!(log.contains("\"account:ana\""), "{log}");
        assert!(!log.contains("ana-hash"), "{log}");
        assert!(!log.contains("argon2id"), "{log}");
        assert!(!log.contains("f00dcafe"), "{log}");
    })
    .await;
}
