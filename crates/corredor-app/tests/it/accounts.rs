//! Organisations, users, sign-in, sessions, tokens and the audit log, on a fresh SQLite
//! database with a clock the tests move.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use corredor_app::store::{AuditFilter, AuditVerification, Store};
use corredor_app::{
    App, AppError, Clock, NewUser, SESSION_LENGTH, THROTTLE_FAILURES, THROTTLE_WINDOW,
};
use corredor_core::{Caller, CountryCode, OrganisationCode, OrganisationKind, Principal, Role};

/// A clock that stays where it is put, and moves when a test says so.
struct MovableClock(Mutex<DateTime<Utc>>);

impl MovableClock {
    fn advance(&self, by: Duration) {
        let mut now = self.0.lock().expect("the clock's lock is never poisoned");
        *now += by;
    }
}

impl Clock for MovableClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("the clock's lock is never poisoned")
    }
}

struct Accounts {
    app: App,
    clock: Arc<MovableClock>,
    _dir: tempfile::TempDir,
}

const PASSWORD: &str = "río-chucunaque-2023";

impl Accounts {
    /// A database with the reference data, the organisations and one user per role of
    /// Panama, Guatemala, the secretariat and IOM.
    async fn new() -> Accounts {
        let dir = tempfile::tempdir().expect("a temporary directory can be created");
        let url = format!("sqlite://{}", dir.path().join("accounts.db").display());
        let store = Store::connect(&url)
            .await
            .expect("a fresh SQLite database opens");
        let clock = Arc::new(MovableClock(Mutex::new(
            Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap(),
        )));
        let app = App::new(store, clock.clone());
        app.install_reference_data()
            .await
            .expect("the shipped reference data installs");
        app.install_organisations()
            .await
            .expect("the shipped organisations install");
        let accounts = Accounts {
            app,
            clock,
            _dir: dir,
        };
        for (name, organisation, role) in [
            ("rcm.admin", "RCM", Role::Administrator),
            ("pan.focal", "PAN", Role::FocalPoint),
            ("pan.analyst", "PAN", Role::Analyst),
            ("gtm.focal", "GTM", Role::FocalPoint),
            ("iom.observer", "IOM", Role::Observer),
        ] {
            accounts
                .app
                .add_user(&Caller::System, &user(name, organisation, role))
                .await
                .expect("a valid user is added");
        }
        accounts
    }

    async fn signed_in(&self, name: &str) -> Caller {
        let session = self
            .app
            .sign_in(name, PASSWORD, "127.0.0.1")
            .await
            .expect("the right password signs in");
        Caller::Principal(session.principal)
    }
}

fn user(name: &str, organisation: &str, role: Role) -> NewUser {
    NewUser {
        name: name.to_owned(),
        display_name: String::new(),
        organisation: code(organisation),
        role,
        password: PASSWORD.to_owned(),
    }
}

fn code(organisation: &str) -> OrganisationCode {
    OrganisationCode::parse(organisation).expect("a valid organisation code")
}

fn fields(error: &AppError) -> Vec<String> {
    match error {
        AppError::Invalid(problems) => problems
            .iter()
            .filter_map(|problem| problem.column.clone())
            .collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[tokio::test]
async fn a_new_database_has_the_member_countries_the_secretariat_and_the_observers() {
    let accounts = Accounts::new().await;
    let organisations = accounts.app.organisations().await.unwrap();
    let find = |wanted: &str| {
        organisations
            .iter()
            .find(|organisation| organisation.code.as_str() == wanted)
            .unwrap_or_else(|| panic!("{wanted} is installed: {organisations:?}"))
    };
    let panama = find("PAN");
    assert_eq!(
        panama.kind,
        OrganisationKind::Country(CountryCode::parse("PAN").unwrap())
    );
    assert!(panama.name.contains("Panamá"), "{}", panama.name);
    assert_eq!(find("RCM").kind, OrganisationKind::Secretariat);
    assert_eq!(find("IOM").kind, OrganisationKind::Observer);
    assert!(find("IOM")
        .name
        .contains("International Organization for Migration"));
    assert_eq!(find("UNHCR").kind, OrganisationKind::Observer);
    // Only member countries: every country organisation is an RCM member.
    let members = accounts
        .app
        .countries()
        .await
        .unwrap()
        .into_iter()
        .filter(|country| country.rcm_status == Some(corredor_core::RcmStatus::Member))
        .count();
    let countries = organisations
        .iter()
        .filter(|organisation| organisation.kind.country().is_some())
        .count();
    assert_eq!(countries, members);

    accounts.app.install_organisations().await.unwrap();
    assert_eq!(accounts.app.organisations().await.unwrap(), organisations);
}

#[tokio::test]
async fn a_user_is_added_only_with_a_fitting_role_a_valid_name_and_a_long_password() {
    let accounts = Accounts::new().await;
    let app = &accounts.app;

    let wrong_role = app
        .add_user(
            &Caller::System,
            &user("pan.admin", "PAN", Role::Administrator),
        )
        .await
        .expect_err("a country has no administrators");
    assert_eq!(fields(&wrong_role), ["role"]);

    let mut bad = user("Ana María", "GTM", Role::Analyst);
    bad.password = "short".to_owned();
    let refused = app
        .add_user(&Caller::System, &bad)
        .await
        .expect_err("a bad name and a short password are refused");
    assert_eq!(
        fields(&refused),
        ["name", "password"],
        "every problem at once"
    );

    let taken = app
        .add_user(&Caller::System, &user("pan.focal", "PAN", Role::Analyst))
        .await
        .expect_err("a name is taken once");
    assert!(matches!(taken, AppError::Conflict(ref reason) if reason.contains("pan.focal")));

    let unknown = app
        .add_user(&Caller::System, &user("xyz.focal", "XYZ", Role::FocalPoint))
        .await
        .expect_err("the organisation must exist");
    assert!(matches!(unknown, AppError::NotFound { .. }), "{unknown:?}");

    let users = app
        .users(&Caller::System, Some(&code("PAN")))
        .await
        .unwrap();
    let names: Vec<&str> = users.iter().map(|user| user.name.as_str()).collect();
    assert_eq!(names, ["pan.analyst", "pan.focal"]);
    for user in &users {
        assert!(
            user.password_hash.starts_with("$argon2id$"),
            "{}",
            user.password_hash
        );
        assert!(!user.password_hash.contains(PASSWORD));
        assert_eq!(
            user.display_name, user.name,
            "the name stands in for a missing display name"
        );
    }
}

#[tokio::test]
async fn only_administrators_manage_users() {
    let accounts = Accounts::new().await;
    let app = &accounts.app;
    let focal = accounts.signed_in("pan.focal").await;
    let refused = app
        .add_user(&focal, &user("pan.analyst2", "PAN", Role::Analyst))
        .await
        .expect_err("a focal point does not add users");
    assert!(matches!(refused, AppError::Forbidden(_)), "{refused:?}");
    assert!(matches!(
        app.users(&Caller::Anonymous, None).await,
        Err(AppError::Unauthenticated)
    ));
    assert!(matches!(
        app.disable_user(&focal, "pan.analyst").await,
        Err(AppError::Forbidden(_))
    ));

    let admin = accounts.signed_in("rcm.admin").await;
    let added = app
        .add_user(&admin, &user("pan.analyst2", "PAN", Role::Analyst))
        .await
        .expect("an administrator adds users");
    assert_eq!(
        added.organisation_kind.country().map(|c| c.to_string()),
        Some("PAN".to_owned())
    );
    assert_eq!(app.users(&admin, None).await.unwrap().len(), 6);
    let myself = app.disable_user(&admin, "rcm.admin").await;
    assert!(matches!(myself, Err(AppError::Invalid(_))), "{myself:?}");
}

#[tokio::test]
async fn a_session_opens_with_the_right_password_and_ends_on_expiry_or_sign_out() {
    let accounts = Accounts::new().await;
    let app = &accounts.app;
    let opened = app
        .sign_in("pan.analyst", PASSWORD, "10.1.1.1")
        .await
        .unwrap();
    assert_eq!(opened.principal.name, "pan.analyst");
    assert_eq!(opened.principal.role, Role::Analyst);
    assert_eq!(opened.principal.organisation, code("PAN"));
    assert_eq!(opened.cookie_value.len(), 64);
    assert_ne!(opened.cookie_value, opened.csrf_token);
    assert_eq!(opened.expires_at, accounts.clock.now() + SESSION_LENGTH);

    let session = app
        .session(&opened.cookie_value)
        .await
        .unwrap()
        .expect("the session is open");
    assert_eq!(session.principal, opened.principal);
    assert_eq!(session.csrf_token, opened.csrf_token);
    assert_eq!(app.session("not-a-session").await.unwrap(), None);

    accounts
        .clock
        .advance(SESSION_LENGTH + Duration::seconds(1));
    assert_eq!(
        app.session(&opened.cookie_value).await.unwrap(),
        None,
        "expired"
    );

    let again = app
        .sign_in("PAN.Analyst ", PASSWORD, "10.1.1.1")
        .await
        .unwrap();
    assert!(app.session(&again.cookie_value).await.unwrap().is_some());
    app.sign_out(&again.cookie_value).await.unwrap();
    assert_eq!(
        app.session(&again.cookie_value).await.unwrap(),
        None,
        "signed out"
    );
}

#[tokio::test]
async fn unknown_names_wrong_passwords_and_disabled_users_get_the_same_refusal() {
    let accounts = Accounts::new().await;
    let app = &accounts.app;
    let open = app
        .sign_in("gtm.focal", PASSWORD, "10.1.1.2")
        .await
        .unwrap();
    for (name, password) in [
        ("nobody", PASSWORD),
        ("gtm.focal", "río-chucunaque-2024"),
        ("gtm.focal", ""),
    ] {
        let refused = app.sign_in(name, password, "10.1.1.2").await;
        assert!(
            matches!(refused, Err(AppError::Unauthenticated)),
            "{name}: {refused:?}"
        );
    }
    let disabled = app
        .disable_user(&Caller::System, "gtm.focal")
        .await
        .unwrap();
    assert!(disabled.disabled_at.is_some());
    assert_eq!(
        app.session(&open.cookie_value).await.unwrap(),
        None,
        "disabling ends sessions"
    );
    assert!(matches!(
        app.sign_in("gtm.focal", PASSWORD, "10.1.1.2").await,
        Err(AppError::Unauthenticated)
    ));
}

#[tokio::test]
async fn repeated_failures_throttle_the_name_and_the_client_until_the_window_passes() {
    let accounts = Accounts::new().await;
    let app = &accounts.app;
    for _ in 0..THROTTLE_FAILURES {
        let refused = app
            .sign_in("pan.analyst", "wrong password!", "10.9.9.9")
            .await;
        assert!(
            matches!(refused, Err(AppError::Unauthenticated)),
            "{refused:?}"
        );
    }
    // The right password no longer helps, for this name from anywhere...
    let throttled = app.sign_in("pan.analyst", PASSWORD, "10.0.0.1").await;
    match throttled {
        Err(AppError::Throttled {
            retry_after_seconds,
        }) => {
            assert!((1..=THROTTLE_WINDOW.num_seconds() as u64).contains(&retry_after_seconds));
        }
        other => panic!("expected throttling, got {other:?}"),
    }
    // ...nor for another name from this client.
    assert!(matches!(
        app.sign_in("pan.focal", PASSWORD, "10.9.9.9").await,
        Err(AppError::Throttled { .. })
    ));
    // Others are not held back.
    assert!(app.sign_in("pan.focal", PASSWORD, "10.0.0.2").await.is_ok());

    accounts
        .clock
        .advance(THROTTLE_WINDOW + Duration::seconds(1));
    assert!(app
        .sign_in("pan.analyst", PASSWORD, "10.9.9.9")
        .await
        .is_ok());
}

#[tokio::test]
async fn a_token_authenticates_until_it_is_revoked_or_expires() {
    let accounts = Accounts::new().await;
    let app = &accounts.app;
    let created = app
        .create_token(
            &Caller::System,
            &code("PAN"),
            Role::Analyst,
            "SNM nightly upload",
            Duration::days(90),
        )
        .await
        .unwrap();
    assert!(created
        .secret
        .starts_with(&format!("crd_{}_", created.token.id)));
    assert!(!created.token.secret_hash.is_empty());
    assert!(!created.secret.contains(&created.token.secret_hash));
    let principal = app.authenticate_token(&created.secret).await.unwrap();
    assert_eq!(
        principal,
        Some(Principal {
            name: format!("token:{}", created.token.id),
            organisation: code("PAN"),
            kind: OrganisationKind::Country(CountryCode::parse("PAN").unwrap()),
            role: Role::Analyst,
        })
    );
    // A secret with one digit changed, or another token's id, opens nothing.
    let mut tampered = created.secret.clone();
    let last = if tampered.ends_with('0') { "1" } else { "0" };
    tampered.replace_range(tampered.len() - 1.., last);
    assert_eq!(app.authenticate_token(&tampered).await.unwrap(), None);
    let moved = created
        .secret
        .replacen(&format!("crd_{}_", created.token.id), "crd_999_", 1);
    assert_eq!(app.authenticate_token(&moved).await.unwrap(), None);
    assert_eq!(
        app.authenticate_token("Bearer nonsense").await.unwrap(),
        None
    );

    let revoked = app
        .revoke_token(&Caller::System, created.token.id)
        .await
        .unwrap();
    assert!(revoked.revoked_at.is_some());
    assert_eq!(
        app.authenticate_token(&created.secret).await.unwrap(),
        None,
        "revoked at once"
    );

    let short = app
        .create_token(
            &Caller::System,
            &code("IOM"),
            Role::Observer,
            "dashboard",
            Duration::days(1),
        )
        .await
        .unwrap();
    assert!(app
        .authenticate_token(&short.secret)
        .await
        .unwrap()
        .is_some());
    accounts.clock.advance(Duration::days(1));
    assert_eq!(
        app.authenticate_token(&short.secret).await.unwrap(),
        None,
        "expired"
    );

    let listed = app.tokens(&Caller::System, None).await.unwrap();
    assert_eq!(listed.len(), 2);
    let refused = app
        .create_token(
            &Caller::System,
            &code("PAN"),
            Role::Observer,
            "x",
            Duration::days(1),
        )
        .await
        .expect_err("a country has no observers");
    assert_eq!(fields(&refused), ["role"]);
    let refused = app
        .create_token(
            &Caller::System,
            &code("PAN"),
            Role::Analyst,
            " ",
            Duration::days(400),
        )
        .await
        .expect_err("a token needs a label and at most a year");
    assert_eq!(fields(&refused), ["label", "valid_for"]);
}

#[tokio::test]
async fn a_focal_point_manages_tokens_of_its_own_organisation_up_to_its_own_role() {
    let accounts = Accounts::new().await;
    let app = &accounts.app;
    let pan = accounts.signed_in("pan.focal").await;
    let gtm = accounts.signed_in("gtm.focal").await;
    let analyst = accounts.signed_in("pan.analyst").await;

    let own = app
        .create_token(
            &pan,
            &code("PAN"),
            Role::Analyst,
            "upload script",
            Duration::days(30),
        )
        .await
        .expect("a focal point creates an analyst token for its country");
    assert_eq!(own.token.created_by, "pan.focal");
    for (caller, organisation, role) in [
        (&pan, "GTM", Role::Analyst),
        (&pan, "RCM", Role::Administrator),
        (&analyst, "PAN", Role::Analyst),
    ] {
        let refused = app
            .create_token(caller, &code(organisation), role, "x", Duration::days(1))
            .await;
        assert!(
            matches!(refused, Err(AppError::Forbidden(_))),
            "{refused:?}"
        );
    }
    assert!(matches!(
        app.revoke_token(&gtm, own.token.id).await,
        Err(AppError::Forbidden(_))
    ));
    app.create_token(
        &gtm,
        &code("GTM"),
        Role::FocalPoint,
        "sync",
        Duration::days(30),
    )
    .await
    .unwrap();
    // Without a filter, a focal point sees only its own organisation's tokens.
    let seen = app.tokens(&pan, None).await.unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].id, own.token.id);
    assert!(matches!(
        app.tokens(&pan, Some(&code("GTM"))).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(app.revoke_token(&pan, own.token.id).await.is_ok());
}

#[tokio::test]
async fn the_audit_log_names_who_acted_and_a_focal_point_reads_only_its_own_country() {
    let accounts = Accounts::new().await;
    let app = &accounts.app;
    let admin = accounts.signed_in("rcm.admin").await;
    let pan = accounts.signed_in("pan.focal").await;
    let gtm = accounts.signed_in("gtm.focal").await;
    let observer = accounts.signed_in("iom.observer").await;
    app.create_token(
        &pan,
        &code("PAN"),
        Role::Analyst,
        "upload",
        Duration::days(30),
    )
    .await
    .unwrap();

    let everything = app
        .audit_entries(&admin, &AuditFilter::default())
        .await
        .unwrap();
    assert!(
        everything.iter().any(|entry| entry.actor == "system"),
        "users were added by the system"
    );
    let token_entry = everything
        .iter()
        .find(|entry| {
            entry.actor == "pan.focal" && entry.organisation == "PAN" && entry.action != "sign_in"
        })
        .expect("the token's creation names the focal point who made it");
    assert!(token_entry.after.is_some());
    assert!(everything
        .iter()
        .any(|entry| entry.action == "sign_in" && entry.actor == "gtm.focal"));

    let panama = app
        .audit_entries(&pan, &AuditFilter::default())
        .await
        .unwrap();
    assert!(!panama.is_empty());
    assert!(panama.len() < everything.len());
    assert!(panama
        .iter()
        .all(|entry| entry.country.map(|c| c.to_string()) == Some("PAN".to_owned())));
    let other_country = AuditFilter {
        country: Some(CountryCode::parse("GTM").unwrap()),
        ..AuditFilter::default()
    };
    assert!(matches!(
        app.audit_entries(&pan, &other_country).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(app.audit_entries(&gtm, &other_country).await.is_ok());
    assert!(matches!(
        app.audit_entries(&observer, &AuditFilter::default()).await,
        Err(AppError::Forbidden(_))
    ));

    assert!(matches!(
        app.verify_audit(&admin).await.unwrap(),
        AuditVerification::Intact { entries } if entries as usize == everything.len()
    ));
    assert!(matches!(
        app.verify_audit(&pan).await,
        Err(AppError::Forbidden(_))
    ));
}
