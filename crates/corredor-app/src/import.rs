use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};

use corredor_core::{
    authorize, Action, Caller, CountryCode, Observation, ObservationKey, PlaceCode,
};
use corredor_exchange::observations::{read_observations_with_progress, Format, ImportContext};
use corredor_exchange::Problem;
use corredor_store::{RecordOutcome, Submission};
use serde::Serialize;
use tracing::instrument;

use crate::{App, AppError};

/// Files to import for a country, recorded together or not at all.
pub struct ImportRequest<'a> {
    /// The reporting country; `None` restores a multi-country export (the file's `country`
    /// column then names the owner of each row).
    pub country: Option<CountryCode>,
    pub format: Format,
    /// Who submits: the submission and the audit log name them, and only a country's own
    /// focal points and analysts may report its values.
    pub caller: &'a Caller,
    /// Who the submission names, when the installation's operator imports a file on behalf
    /// of someone (`Caller::System` only; anyone else is named by their own account).
    pub on_behalf_of: Option<&'a str>,
}

/// What an accepted import changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub files: Vec<String>,
    pub rows: u64,
    pub inserted: u64,
    pub revised: u64,
    pub unchanged: u64,
    pub submission_id: i64,
    /// The scan of the importing countries' series (and the corridor sums) after the import;
    /// `None` when it failed (logged; the import stands and the next scan catches up).
    pub scan: Option<crate::ScanReport>,
}

impl App {
    /// Validates one file and records it in one transaction: a file with any bad row is
    /// refused with every problem listed and writes nothing. Re-importing the same file
    /// changes nothing; changed values become new revisions.
    pub async fn import(
        &self,
        request: ImportRequest<'_>,
        file: &str,
        content: &[u8],
    ) -> Result<ImportReport, AppError> {
        self.import_files(request, &[(file, content)], &mut |_| {})
            .await
    }

    /// Validates every file, then records them all in one transaction, or nothing if any row
    /// of any file is bad. `progress` is called with the bytes validated so far.
    #[instrument(skip_all, fields(country = ?request.country, files = files.len()))]
    pub async fn import_files(
        &self,
        request: ImportRequest<'_>,
        files: &[(&str, &[u8])],
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<ImportReport, AppError> {
        if let Some(country) = request.country {
            authorize(request.caller, &Action::ReportObservations(country))?;
        }
        let places = self.place_owners().await?;
        let context = ImportContext {
            country: request.country,
            today: self.today(),
            places: &places,
        };
        let mut problems = Vec::new();
        let mut observations: Vec<Observation> = Vec::new();
        let mut first_file: HashMap<ObservationKey, usize> = HashMap::new();
        let mut done = 0u64;
        for (index, (name, content)) in files.iter().enumerate() {
            let mut report = |read: u64| progress(done + read);
            match read_observations_with_progress(
                *content,
                name,
                request.format,
                &context,
                &mut report,
            ) {
                Ok(rows) => {
                    // One file never gives a key twice (the reader refuses it); across
                    // files, the first file to give a key keeps it and the others are named.
                    if files.len() > 1 {
                        for row in &rows {
                            match first_file.entry(row.key.clone()) {
                                Entry::Vacant(slot) => {
                                    slot.insert(index);
                                }
                                Entry::Occupied(earlier) => problems.push(Problem::new(
                                    name,
                                    0,
                                    None,
                                    format!(
                                        "a value of {} {} {} is also in {}; one import gives each value once",
                                        row.key.country,
                                        row.key.measure,
                                        row.key.period,
                                        files[*earlier.get()].0
                                    ),
                                )),
                            }
                        }
                    }
                    observations.extend(rows);
                }
                Err(found) => problems.extend(found),
            }
            done += content.len() as u64;
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        // A restore without a country names the owner of each row: each must be the caller's.
        let owners: BTreeSet<CountryCode> =
            observations.iter().map(|row| row.key.country).collect();
        for country in owners {
            authorize(request.caller, &Action::ReportObservations(country))?;
        }
        let names: Vec<String> = files.iter().map(|(name, _)| (*name).to_owned()).collect();
        let submission = Submission {
            submitted_by: match (request.caller, request.on_behalf_of) {
                (Caller::System, Some(name)) if !name.trim().is_empty() => name.trim().to_owned(),
                (caller, _) => caller.actor_name().to_owned(),
            },
            submitted_at: self.clock.now(),
            note: Some(names.join(", ")),
        };
        let RecordOutcome {
            submission_id,
            inserted,
            revised,
            unchanged,
        } = self
            .acting(request.caller)
            .record_observations(&observations, &submission)
            .await?;
        tracing::info!(
            rows = observations.len(),
            inserted,
            revised,
            unchanged,
            "import recorded"
        );
        // The import is recorded whatever happens to the forecasts: a failed refresh is
        // logged, and the next import or `refresh_forecasts` tries again. An import that
        // changed nothing publishes no new forecast.
        if inserted + revised > 0 {
            if let Err(error) = self.refresh_forecasts().await {
                tracing::warn!(error = ?error, "forecasts were not refreshed after the import");
            }
        }
        let scan = self.scan_after_import(request.country, &observations).await;
        Ok(ImportReport {
            files: names,
            rows: observations.len() as u64,
            inserted,
            revised,
            unchanged,
            submission_id,
            scan,
        })
    }

    /// Which country each known place belongs to, for validating files.
    pub async fn place_owners(&self) -> Result<HashMap<PlaceCode, CountryCode>, AppError> {
        Ok(self
            .store
            .places()
            .await?
            .into_iter()
            .map(|place| (place.code, place.country))
            .collect())
    }
}
