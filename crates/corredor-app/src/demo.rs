//! The demo: corredor loaded with the real public datasets of the corridor.
//!
//! The files of `data/real/` are compiled into the binary, so `corredor demo` works from any
//! directory with nothing else installed. Each file goes through its adapter in
//! `corredor_exchange::sources` and is recorded as one submission by the demo loader, with the
//! publisher named as the source of every value.

use corredor_core::{Caller, CountryCode, OrganisationCode, Role, SharingLevel, SharingPolicy};
use corredor_exchange::sources::{SourceFile, SHIPPED};
use corredor_store::Submission;
use rand::distributions::{Alphanumeric, DistString};
use serde::Serialize;

use crate::{App, AppError, NewUser};

/// The bytes of every shipped source file, by dataset folder and file name.
const EMBEDDED: &[(&str, &str, &[u8])] = &[
    (
        "iom-lighthouse-irregular-entries",
        "irreg.csv",
        include_bytes!("../../../data/real/iom-lighthouse-irregular-entries/irreg.csv"),
    ),
    (
        "darien-panama-snm",
        "irreg_darien_nat.csv",
        include_bytes!("../../../data/real/darien-panama-snm/irreg_darien_nat.csv"),
    ),
    (
        "darien-panama-snm",
        "irreg_darien_dmg.csv",
        include_bytes!("../../../data/real/darien-panama-snm/irreg_darien_dmg.csv"),
    ),
    (
        "honduras-inm-irregular",
        "irreg_honduras.csv",
        include_bytes!("../../../data/real/honduras-inm-irregular/irreg_honduras.csv"),
    ),
    (
        "honduras-inm-irregular",
        "irreg_honduras_nat.csv",
        include_bytes!("../../../data/real/honduras-inm-irregular/irreg_honduras_nat.csv"),
    ),
    (
        "honduras-inm-irregular",
        "irreg_honduras_dmg.csv",
        include_bytes!("../../../data/real/honduras-inm-irregular/irreg_honduras_dmg.csv"),
    ),
    (
        "guatemala-igm-returns",
        "irreg_guatemala.csv",
        include_bytes!("../../../data/real/guatemala-igm-returns/irreg_guatemala.csv"),
    ),
    (
        "mexico-upm-irregular",
        "irreg_mexico_nat.csv",
        include_bytes!("../../../data/real/mexico-upm-irregular/irreg_mexico_nat.csv"),
    ),
    (
        "mexico-upm-irregular",
        "irreg_mexico_dmg.csv",
        include_bytes!("../../../data/real/mexico-upm-irregular/irreg_mexico_dmg.csv"),
    ),
    (
        "mexico-upm-irregular",
        "irreg_mexico_exp.csv",
        include_bytes!("../../../data/real/mexico-upm-irregular/irreg_mexico_exp.csv"),
    ),
    (
        "cbp-swb-encounters",
        "irreg_usa.csv",
        include_bytes!("../../../data/real/cbp-swb-encounters/irreg_usa.csv"),
    ),
];

/// Months the demo's scan evaluates. The shipped data end in April 2025; three years reach
/// back to May 2022, so the demo shows the build-up of 2022–2023 in the Darién and the record
/// December 2023 at the US southwest border, the surges these datasets are known for.
pub const DEMO_EVALUATE_LAST: usize = 36;

/// Who the demo's submissions are recorded as.
pub const DEMO_SUBMITTER: &str = "demo loader (public datasets in data/real)";

#[derive(Debug, Clone, Serialize)]
pub struct DatasetReport {
    pub name: String,
    pub country: CountryCode,
    pub observations: u64,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DemoReport {
    pub reference: crate::reference::ReferenceCounts,
    pub observations: u64,
    pub datasets: Vec<DatasetReport>,
    /// The surge scan of the loaded data.
    pub scan: crate::ScanReport,
    /// The forecast runs recorded from the loaded data.
    pub forecasts: Vec<crate::RunSummary>,
    /// One user per role, to sign in with: their passwords are shown once, here. Empty when
    /// the demo was loaded into this database before.
    pub users: Vec<DemoUser>,
    /// The draft alert proposed from Panama's latest surge, for `pan.focal` to
    /// review and send; `None` when Panama already has alerts (a second load) or no surge.
    pub proposed_alert: Option<corredor_core::AlertId>,
}

/// Proposes, from the real data, what a focal point would be asked to confirm: a draft alert
/// from Panama's latest surge of its total irregular entries (September 2023 in the Darién).
/// Nothing is invented: the draft says what the signal measured, and stays a draft until a
/// person sends it.
async fn propose_demo_alert(app: &App) -> Result<Option<corredor_core::AlertId>, AppError> {
    let panama = CountryCode::parse("PAN").map_err(|error| AppError::Internal(error.into()))?;
    let mut filter =
        corredor_store::AlertFilter::for_audience(corredor_store::AlertAudience::Country(panama));
    filter.issuing_country = Some(panama);
    if !app.store().alerts(&filter).await?.is_empty() {
        return Ok(None);
    }
    let signals = app
        .signals(
            &Caller::System,
            &corredor_store::SignalFilter {
                countries: vec![panama],
                kind: Some(corredor_core::SignalKind::Surge),
                ..Default::default()
            },
        )
        .await?;
    // Signals come latest period first, then highest score. The country's own total is
    // what a focal point would warn about first (the Darién in 2023); a nationality or
    // a place only when the total never surged.
    let Some(signal) = signals
        .iter()
        .find(|signal| signal.signal.nationality.is_none() && signal.signal.place.is_none())
        .or(signals.first())
    else {
        return Ok(None);
    };
    let draft = app
        .propose_alert_from_signal(&Caller::System, signal.id)
        .await?;
    Ok(Some(draft.id()))
}

/// A user the demo creates, with its password in clear so the person running the demo can
/// sign in. Never serialised: the report's JSON leaves the passwords out.
#[derive(Debug, Clone, Serialize)]
pub struct DemoUser {
    pub name: String,
    pub organisation: OrganisationCode,
    pub role: Role,
    #[serde(skip)]
    pub password: String,
}

/// The demo's users: the secretariat's administrator, a focal point and an analyst of two
/// countries (Panama, the Darién; Guatemala, further north) and an observer.
const DEMO_USERS: &[(&str, &str, &str, Role)] = &[
    (
        "rcm.admin",
        "Administración RCM",
        "RCM",
        Role::Administrator,
    ),
    (
        "pan.focal",
        "Punto focal de Panamá",
        "PAN",
        Role::FocalPoint,
    ),
    ("pan.analyst", "Analista de Panamá", "PAN", Role::Analyst),
    (
        "gtm.focal",
        "Punto focal de Guatemala",
        "GTM",
        Role::FocalPoint,
    ),
    ("gtm.analyst", "Analista de Guatemala", "GTM", Role::Analyst),
    (
        "iom.observer",
        "Observador de la OIM",
        "IOM",
        Role::Observer,
    ),
];

/// Length of a demo user's random password.
const DEMO_PASSWORD_LENGTH: usize = 16;

/// Adds the demo's users with fresh random passwords; returns those it added (none when the
/// demo was loaded into this database before).
async fn add_users(app: &App) -> Result<Vec<DemoUser>, AppError> {
    let mut users = Vec::new();
    for (name, display_name, organisation, role) in DEMO_USERS {
        let organisation = OrganisationCode::parse(organisation).map_err(anyhow::Error::new)?;
        let password = Alphanumeric.sample_string(&mut rand::rngs::OsRng, DEMO_PASSWORD_LENGTH);
        let added = app
            .add_user(
                &Caller::System,
                &NewUser {
                    name: (*name).to_owned(),
                    display_name: (*display_name).to_owned(),
                    organisation: organisation.clone(),
                    role: *role,
                    password: password.clone(),
                },
            )
            .await;
        match added {
            Ok(_) => {}
            // Loaded before: the user keeps the password shown then, and loading twice
            // changes nothing.
            Err(AppError::Conflict(_)) => continue,
            Err(other) => return Err(other),
        }
        users.push(DemoUser {
            name: (*name).to_owned(),
            organisation,
            role: *role,
            password,
        });
    }
    Ok(users)
}

fn embedded(source: &SourceFile) -> Result<&'static [u8], AppError> {
    EMBEDDED
        .iter()
        .find(|(dataset, file, _)| *dataset == source.dataset && *file == source.file)
        .map(|(_, _, bytes)| *bytes)
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "data/real/{}/{} is not embedded in the binary",
                source.dataset,
                source.file
            ))
        })
}

/// Installs the reference data and loads every shipped dataset. `step` is told what is being
/// loaded, for a progress display.
pub async fn load(app: &App, step: &mut dyn FnMut(&str)) -> Result<DemoReport, AppError> {
    step("reference data");
    let reference = app.install_reference_data().await?;
    app.install_organisations().await?;
    step("users");
    let users = add_users(app).await?;
    let mut datasets = Vec::new();
    let mut observations = 0;
    let mut published = std::collections::BTreeSet::new();
    for source in SHIPPED {
        let name = format!("{}/{}", source.dataset, source.file);
        step(&name);
        let mut bytes = embedded(source)?;
        let batch = (source.read)(&mut bytes, &name).map_err(AppError::Invalid)?;
        let submission = Submission {
            submitted_by: DEMO_SUBMITTER.to_owned(),
            submitted_at: app.clock.now(),
            note: Some(format!("data/real/{name}")),
        };
        let outcome = app
            .store
            .record_observations(&batch.observations, &submission)
            .await?;
        observations += outcome.inserted + outcome.revised;
        published.extend(
            batch
                .observations
                .iter()
                .map(|observation| (observation.key.country, observation.key.measure)),
        );
        datasets.push(DatasetReport {
            name,
            country: batch.country,
            observations: batch.observations.len() as u64,
            notes: batch.notes,
        });
    }
    // These are statistics their publishers already release to everyone: shared `public`,
    // so a reader who is not signed in sees them (with small counts suppressed).
    step("sharing");
    for (country, measure) in published {
        app.set_sharing(
            &Caller::System,
            &SharingPolicy {
                country,
                measure,
                level: SharingLevel::Public,
            },
        )
        .await?;
    }
    step("forecasts");
    let forecasts = app.refresh_forecasts().await?.runs;
    step("surge scan");
    let scan = app
        .scan(&crate::ScanRequest {
            countries: Vec::new(),
            evaluate_last: Some(DEMO_EVALUATE_LAST),
        })
        .await?;
    step("alert proposal");
    let proposed_alert = propose_demo_alert(app).await?;
    Ok(DemoReport {
        reference,
        observations,
        datasets,
        forecasts,
        scan,
        users,
        proposed_alert,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn the_demo_adds_one_user_per_role_once_and_each_signs_in_with_its_password() {
        let dir = tempfile::tempdir().expect("a temporary directory can be created");
        let url = format!("sqlite://{}", dir.path().join("demo.db").display());
        let store = corredor_store::Store::connect(&url)
            .await
            .expect("a fresh SQLite database opens");
        let app = App::new(store, Arc::new(crate::SystemClock));
        app.install_reference_data()
            .await
            .expect("reference data installs");
        app.install_organisations()
            .await
            .expect("organisations install");

        let users = add_users(&app).await.expect("the demo users are added");
        let roles: Vec<(&str, Role)> = users
            .iter()
            .map(|user| (user.organisation.as_str(), user.role))
            .collect();
        assert_eq!(
            roles,
            [
                ("RCM", Role::Administrator),
                ("PAN", Role::FocalPoint),
                ("PAN", Role::Analyst),
                ("GTM", Role::FocalPoint),
                ("GTM", Role::Analyst),
                ("IOM", Role::Observer),
            ]
        );
        for user in &users {
            assert_eq!(user.password.chars().count(), DEMO_PASSWORD_LENGTH);
            let session = app
                .sign_in(&user.name, &user.password, "demo test")
                .await
                .unwrap_or_else(|error| panic!("{} signs in: {error}", user.name));
            assert_eq!(session.principal.role, user.role);
        }
        assert_ne!(users[0].password, users[1].password);
        let json = serde_json::to_string(&users).expect("demo users serialise");
        assert!(
            !json.contains(&users[0].password),
            "passwords stay out of JSON"
        );

        let again = add_users(&app)
            .await
            .expect("a second load is not an error");
        assert!(again.is_empty(), "{again:?}");
    }

    #[test]
    fn every_shipped_source_file_is_embedded() {
        for source in SHIPPED {
            assert!(
                embedded(source).is_ok(),
                "{}/{}",
                source.dataset,
                source.file
            );
        }
        assert_eq!(EMBEDDED.len(), SHIPPED.len());
    }
}
