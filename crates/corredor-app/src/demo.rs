//! The demo: corredor loaded with the real public datasets of the corridor.
//!
//! The files of `data/real/` are compiled into the binary, so `corredor demo` works from any
//! directory with nothing else installed. Each file goes through its adapter in
//! `corredor_exchange::sources` and is recorded as one submission by the demo loader, with the
//! publisher named as the source of every value.

use corredor_core::{Caller, CountryCode, OrganisationCode, Role};
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
    /// One user per role, to sign in with: their passwords are shown once, here.
    pub users: Vec<DemoUser>,
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

/// Adds the demo's users with fresh random passwords (a demo database is new every time).
async fn add_users(app: &App) -> Result<Vec<DemoUser>, AppError> {
    let mut users = Vec::new();
    for (name, display_name, organisation, role) in DEMO_USERS {
        let organisation = OrganisationCode::parse(organisation).map_err(anyhow::Error::new)?;
        let password = Alphanumeric.sample_string(&mut rand::rngs::OsRng, DEMO_PASSWORD_LENGTH);
        app.add_user(
            &Caller::System,
            &NewUser {
                name: (*name).to_owned(),
                display_name: (*display_name).to_owned(),
                organisation: organisation.clone(),
                role: *role,
                password: password.clone(),
            },
        )
        .await?;
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
        datasets.push(DatasetReport {
            name,
            country: batch.country,
            observations: batch.observations.len() as u64,
            notes: batch.notes,
        });
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
    Ok(DemoReport {
        reference,
        observations,
        datasets,
        forecasts,
        scan,
        users,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
