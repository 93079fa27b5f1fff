//! Assisted voluntary return, reintegration and origin territories (phases IV, V and I).
//!
//! Who may take a step is `corredor_core::returns::authorize_return`; whether the step makes
//! sense for the operation (and whether its safeguards are complete) is the domain's
//! `ReturnOperation`; who may read what is `may_read_return`: the host and the origin country
//! read the whole operation with its case references, the secretariat reads it without them
//! (`ReturnOperation::without_cases`), and everyone else (observers, third countries) sees
//! only [`ReturnAggregates`], with counts below the disclosure threshold shown as `<5`. A draft
//! is the host's alone until proposed: to the origin country it does not exist yet.
//!
//! Case references are derived by the host country on its side, with a key corredor never
//! holds (`corredor return case-ref`); the app accepts them only in their derived form.
//! Every change is one store write over the revision it read, so two focal points acting at
//! once never overwrite each other. The retention job [`App::purge_expired_return_data`]
//! anonymises ended operations whose retention period has passed.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use corredor_core::returns::{
    authorize_return, may_read_return, summarise_territories, CaseSafeguards, Cohort, FollowUp,
    GroupDifference, MissingSafeguard, PreventionProgramme, PreventionProgrammeParts,
    ReceptionParts, ReintegrationRecord, ReintegrationRecordParts, RetentionPeriod, ReturnError,
    ReturnOperation, ReturnOperationId, ReturnOperationParts, ReturnPlan, ReturnRead, ReturnState,
    ReturnStep, ServiceDelivery, TerritoriesSummary, TerritoryCode,
};
use corredor_core::{authorize, Action, Caller, CountryCode, OrganisationKind};
use corredor_store::{
    ReturnAudience, ReturnFilter, ReturnRevision, StoreError, StoredProgramme, StoredReintegration,
    StoredReturn,
};
use serde::{Deserialize, Serialize};

use crate::{App, AppError};

/// How long the personal part of an ended operation is kept: 180 days, long enough for the
/// origin country to follow up a reception and for either country to answer a complaint
/// about the return, as return files in the region are commonly reviewed within six months.
pub const DEFAULT_RETURN_RETENTION_DAYS: u32 = 180;

pub(crate) fn default_return_retention() -> RetentionPeriod {
    RetentionPeriod::days(DEFAULT_RETURN_RETENTION_DAYS)
        .expect("the default retention period is within 1 to 3650 days")
}

/// A new return operation, as the host country's focal point states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewReturn {
    #[serde(flatten)]
    pub plan: ReturnPlan,
}

/// A reintegration record as the origin country states it; who recorded it and when are the
/// caller and the app's clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewReintegration {
    pub origin: CountryCode,
    pub cohort: Cohort,
    pub territory: TerritoryCode,
    pub follow_up: FollowUp,
    pub returnees: u32,
    pub followed_up: u32,
    pub services: Vec<ServiceDelivery>,
}

/// An operation as one reader may see it: whole (with case references) for the two
/// countries, without the cases for the secretariat.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReturnView {
    pub id: ReturnOperationId,
    pub revision: i64,
    pub host: CountryCode,
    pub origin: CountryCode,
    pub state: ReturnState,
    /// The operation; its safeguards' `cases` are empty unless `cases_shown`.
    pub operation: ReturnOperationParts,
    /// Whether the case references are shown (to the two countries only).
    pub cases_shown: bool,
    /// The safeguards missing now: what stops the next step.
    pub missing_safeguards: Vec<MissingSafeguard>,
    /// Received minus planned, once received: what both countries see of the difference.
    pub difference: Option<GroupDifference>,
    pub created_at: DateTime<chrono::Utc>,
    pub updated_at: DateTime<chrono::Utc>,
}

/// A count as a reader may see it: the number, or `"<5"` below the disclosure threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum DisclosedCount {
    Shown(u64),
    Suppressed(String),
}

impl DisclosedCount {
    fn of(count: u64, suppress: bool, threshold: u64) -> DisclosedCount {
        // Zero discloses nobody; a count from 1 to the threshold could point at a person.
        if suppress && count > 0 && count < threshold {
            DisclosedCount::Suppressed(format!("<{threshold}"))
        } else {
            DisclosedCount::Shown(count)
        }
    }
}

/// The returns between one host and one origin country, as everybody signed in may see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReturnPairAggregate {
    pub host: CountryCode,
    pub origin: CountryCode,
    /// Operations proposed, under way or ended (drafts are not counted).
    pub operations: DisclosedCount,
    /// People planned to return in them.
    pub people_planned: DisclosedCount,
    /// People the origin country confirmed receiving.
    pub people_received: DisclosedCount,
    /// Whether this reader sees suppressed counts for the pair.
    pub suppressed: bool,
}

/// The region's returns by pair of countries. Each count stands alone (no row or column
/// totals are given), so a suppressed count cannot be derived from the others by subtraction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReturnAggregates {
    pub threshold: u64,
    pub pairs: Vec<ReturnPairAggregate>,
}

impl App {
    fn return_retention(&self) -> RetentionPeriod {
        self.return_retention
    }

    /// The operations `caller` may read, most recently changed first: a country's hosted
    /// operations (drafts included) and the proposed ones it is the origin of, with their
    /// cases; every proposed operation without its cases for the secretariat. Observers and
    /// readers not signed in are refused: they see [`App::return_aggregates`].
    pub async fn returns(
        &self,
        caller: &Caller,
        state: Option<ReturnState>,
    ) -> Result<Vec<ReturnView>, AppError> {
        let audience = match caller {
            Caller::Anonymous => return Err(AppError::Unauthenticated),
            Caller::System => ReturnAudience::Everything,
            Caller::Principal(principal) => match principal.kind {
                OrganisationKind::Country(country) => ReturnAudience::Country(country),
                OrganisationKind::Secretariat => ReturnAudience::AllProposed,
                OrganisationKind::Observer => {
                    return Err(AppError::Forbidden(format!(
                        "{} may not read return operations: observers see the region's \
                         aggregates (/api/v1/returns/aggregates)",
                        principal.name
                    )))
                }
            },
        };
        let mut filter = ReturnFilter::for_audience(audience);
        filter.state = state;
        let stored = self.store.return_operations(&filter).await?;
        Ok(stored
            .iter()
            .filter_map(|stored| self.view(caller, stored).ok())
            .collect())
    }

    /// One operation as `caller` may read it; "not found" for an operation the caller may not
    /// see (another pair's, or a draft of which the caller is the origin).
    pub async fn return_operation(
        &self,
        caller: &Caller,
        id: ReturnOperationId,
    ) -> Result<ReturnView, AppError> {
        let stored = self.visible_return(caller, id).await?;
        self.view(caller, &stored)
    }

    /// Every document written for an operation the caller may read, none with its cases.
    pub async fn return_revisions(
        &self,
        caller: &Caller,
        id: ReturnOperationId,
    ) -> Result<Vec<ReturnRevision>, AppError> {
        self.visible_return(caller, id).await?;
        Ok(self.store.return_revisions(id).await?)
    }

    fn view(&self, caller: &Caller, stored: &StoredReturn) -> Result<ReturnView, AppError> {
        let operation = &stored.operation;
        let (host, origin) = (operation.host(), operation.origin());
        may_read_return(caller, ReturnRead::Operation, host, origin)?;
        let cases_shown = may_read_return(caller, ReturnRead::CaseReferences, host, origin).is_ok();
        let parts = if cases_shown {
            ReturnOperationParts::from(operation.clone())
        } else {
            operation.without_cases()
        };
        Ok(ReturnView {
            id: stored.id(),
            revision: stored.revision,
            host,
            origin,
            state: operation.state(),
            operation: parts,
            cases_shown,
            missing_safeguards: operation.missing_safeguards(),
            difference: operation.difference(),
            created_at: stored.created_at,
            updated_at: stored.updated_at,
        })
    }

    async fn visible_return(
        &self,
        caller: &Caller,
        id: ReturnOperationId,
    ) -> Result<StoredReturn, AppError> {
        if *caller == Caller::Anonymous {
            return Err(AppError::Unauthenticated);
        }
        let not_found = || AppError::NotFound {
            what: format!("return operation {}", id.0),
        };
        let stored = self
            .store
            .return_operation(id)
            .await
            .map_err(|error| match error {
                StoreError::NotFound { .. } => not_found(),
                other => AppError::from(other),
            })?;
        let operation = &stored.operation;
        let readable = may_read_return(
            caller,
            ReturnRead::Operation,
            operation.host(),
            operation.origin(),
        )
        .is_ok();
        let draft_of_another = operation.state() == ReturnState::Draft
            && caller.country() != Some(operation.host())
            && *caller != Caller::System;
        if readable && !draft_of_another {
            Ok(stored)
        } else {
            Err(not_found())
        }
    }

    /// A new draft by the host country's focal point, seen by the host only until proposed.
    pub async fn draft_return(
        &self,
        caller: &Caller,
        request: NewReturn,
    ) -> Result<ReturnView, AppError> {
        let plan = request.plan;
        authorize_return(caller, ReturnStep::Draft, plan.host, plan.origin)?;
        self.known_return_country(plan.host, "host").await?;
        self.known_return_country(plan.origin, "origin").await?;
        let now = self.clock.now();
        let operation = ReturnOperation::draft(
            plan,
            self.return_retention(),
            caller.actor_name(),
            now.fixed_offset(),
        )
        .map_err(return_invalid)?;
        let stored = self.acting(caller).create_return(&operation, now).await?;
        self.view(caller, &stored)
    }

    async fn known_return_country(
        &self,
        country: CountryCode,
        field: &str,
    ) -> Result<(), AppError> {
        if self
            .store
            .countries()
            .await?
            .iter()
            .any(|known| known.code == country)
        {
            Ok(())
        } else {
            Err(AppError::invalid(field, format!("no country `{country}`")))
        }
    }

    /// The host's record of the group's safeguards, one entry per case with its
    /// pseudonymous reference (derived by the host with its own key).
    pub async fn record_return_safeguards(
        &self,
        caller: &Caller,
        id: ReturnOperationId,
        cases: Vec<CaseSafeguards>,
    ) -> Result<ReturnView, AppError> {
        self.return_step(
            caller,
            id,
            ReturnStep::RecordSafeguards,
            "record_return_safeguards",
            |operation, by, at| operation.record_safeguards(cases, by, at),
        )
        .await
    }

    /// Sends the draft to the origin country; refused, naming each missing safeguard, unless
    /// every safeguard is recorded for the whole group.
    pub async fn propose_return(
        &self,
        caller: &Caller,
        id: ReturnOperationId,
    ) -> Result<ReturnView, AppError> {
        self.return_step(
            caller,
            id,
            ReturnStep::Propose,
            "propose_return",
            |operation, by, at| operation.propose(by, at),
        )
        .await
    }

    /// The origin country accepts for the planned date.
    pub async fn accept_return(
        &self,
        caller: &Caller,
        id: ReturnOperationId,
    ) -> Result<ReturnView, AppError> {
        self.return_step(
            caller,
            id,
            ReturnStep::Accept,
            "accept_return",
            |operation, by, at| operation.accept(by, at),
        )
        .await
    }

    /// The origin country accepts for another date, saying why.
    pub async fn reschedule_return(
        &self,
        caller: &Caller,
        id: ReturnOperationId,
        new_date: NaiveDate,
        reason: &str,
    ) -> Result<ReturnView, AppError> {
        self.return_step(
            caller,
            id,
            ReturnStep::Reschedule,
            "reschedule_return",
            |operation, by, at| operation.reschedule(new_date, reason, by, at),
        )
        .await
    }

    /// The origin country refuses the return, saying why.
    pub async fn decline_return(
        &self,
        caller: &Caller,
        id: ReturnOperationId,
        reason: &str,
    ) -> Result<ReturnView, AppError> {
        self.return_step(
            caller,
            id,
            ReturnStep::Decline,
            "decline_return",
            |operation, by, at| operation.decline(reason, by, at),
        )
        .await
    }

    /// The group has left the host country (the safeguards are checked once more).
    pub async fn depart_return(
        &self,
        caller: &Caller,
        id: ReturnOperationId,
    ) -> Result<ReturnView, AppError> {
        self.return_step(
            caller,
            id,
            ReturnStep::Depart,
            "depart_return",
            |operation, by, at| operation.depart(by, at),
        )
        .await
    }

    /// The origin country confirms the reception with the numbers actually received.
    pub async fn receive_return(
        &self,
        caller: &Caller,
        id: ReturnOperationId,
        reception: ReceptionParts,
    ) -> Result<ReturnView, AppError> {
        self.return_step(
            caller,
            id,
            ReturnStep::Receive,
            "receive_return",
            |operation, by, at| operation.receive(reception, by, at),
        )
        .await
    }

    /// Nothing more is expected of the operation.
    pub async fn close_return(
        &self,
        caller: &Caller,
        id: ReturnOperationId,
    ) -> Result<ReturnView, AppError> {
        self.return_step(
            caller,
            id,
            ReturnStep::Close,
            "close_return",
            |operation, by, at| operation.close(by, at),
        )
        .await
    }

    /// The host country withdraws the operation before reception, saying why.
    pub async fn cancel_return(
        &self,
        caller: &Caller,
        id: ReturnOperationId,
        reason: &str,
    ) -> Result<ReturnView, AppError> {
        self.return_step(
            caller,
            id,
            ReturnStep::Cancel,
            "cancel_return",
            |operation, by, at| operation.cancel(reason, by, at),
        )
        .await
    }

    /// One step on an operation: visible to the caller, authorized, taken by the domain and
    /// saved over the revision read.
    async fn return_step(
        &self,
        caller: &Caller,
        id: ReturnOperationId,
        step: ReturnStep,
        action: &str,
        take: impl FnOnce(
            ReturnOperation,
            &str,
            DateTime<FixedOffset>,
        ) -> Result<ReturnOperation, ReturnError>,
    ) -> Result<ReturnView, AppError> {
        let stored = self.visible_return(caller, id).await?;
        let operation = &stored.operation;
        authorize_return(caller, step, operation.host(), operation.origin())?;
        let now = self.clock.now();
        let changed = take(operation.clone(), caller.actor_name(), now.fixed_offset())
            .map_err(return_invalid)?;
        let saved = self
            .acting(caller)
            .save_return(&changed, stored.revision, action, now)
            .await?;
        self.view(caller, &saved)
    }

    /// The retention job: anonymises every ended operation whose retention period has passed
    /// (its case references are deleted; its counts stay). Returns the operations anonymised.
    /// An operation changed meanwhile is left for the next run.
    pub async fn purge_expired_return_data(&self) -> Result<Vec<ReturnOperationId>, AppError> {
        let now = self.clock.now();
        let due = self.store.returns_due_for_purge(now.date_naive()).await?;
        let mut anonymised = Vec::new();
        for stored in due {
            let operation = stored.operation.clone().anonymise(now.fixed_offset());
            if !operation.is_anonymised() {
                continue;
            }
            match self
                .acting(&Caller::System)
                .save_return(&operation, stored.revision, "anonymise_return", now)
                .await
            {
                Ok(_) => anonymised.push(stored.id()),
                Err(StoreError::Conflict { .. }) => {
                    tracing::info!(operation = stored.id().0, "changed meanwhile; next run");
                }
                Err(error) => return Err(error.into()),
            }
        }
        Ok(anonymised)
    }

    /// The region's returns by pair of countries, for every reader signed in. A reader who
    /// may not read a pair's operations (observers, third countries) sees its counts below
    /// the disclosure threshold as `<5`.
    pub async fn return_aggregates(&self, caller: &Caller) -> Result<ReturnAggregates, AppError> {
        if *caller == Caller::Anonymous {
            return Err(AppError::Unauthenticated);
        }
        let stored = self
            .store
            .return_operations(&ReturnFilter::for_audience(ReturnAudience::AllProposed))
            .await?;
        let mut pairs: BTreeMap<(CountryCode, CountryCode), (u64, u64, u64)> = BTreeMap::new();
        for stored in &stored {
            let operation = &stored.operation;
            let entry = pairs
                .entry((operation.host(), operation.origin()))
                .or_default();
            entry.0 += 1;
            entry.1 += u64::from(operation.group().people());
            entry.2 += operation
                .reception()
                .map_or(0, |reception| u64::from(reception.group.people()));
        }
        let threshold = self.disclosure_threshold;
        Ok(ReturnAggregates {
            threshold,
            pairs: pairs
                .into_iter()
                .map(|((host, origin), (operations, planned, received))| {
                    let suppress =
                        may_read_return(caller, ReturnRead::Operation, host, origin).is_err();
                    ReturnPairAggregate {
                        host,
                        origin,
                        operations: DisclosedCount::of(operations, suppress, threshold),
                        people_planned: DisclosedCount::of(planned, suppress, threshold),
                        people_received: DisclosedCount::of(received, suppress, threshold),
                        suppressed: suppress,
                    }
                })
                .collect(),
        })
    }

    /// Records what the origin country knows of a cohort's reintegration in one territory;
    /// by its focal points or analysts.
    pub async fn record_reintegration(
        &self,
        caller: &Caller,
        request: NewReintegration,
    ) -> Result<StoredReintegration, AppError> {
        authorize(caller, &Action::ReportObservations(request.origin))?;
        let record = ReintegrationRecord::new(ReintegrationRecordParts {
            origin: request.origin,
            cohort: request.cohort,
            territory: request.territory,
            follow_up: request.follow_up,
            returnees: request.returnees,
            followed_up: request.followed_up,
            services: request.services,
            recorded_by: caller.actor_name().to_owned(),
            recorded_at: self.clock.now().fixed_offset(),
        })
        .map_err(return_invalid)?;
        Ok(self.acting(caller).record_reintegration(&record).await?)
    }

    /// The reintegration records of `origin` (the caller's own country when `None`): for the
    /// country itself and the secretariat. Others see the territories' summary.
    pub async fn reintegration_records(
        &self,
        caller: &Caller,
        origin: Option<CountryCode>,
    ) -> Result<Vec<StoredReintegration>, AppError> {
        let origin = match (origin, caller.country()) {
            (Some(origin), _) | (None, Some(origin)) => Some(origin),
            (None, None) => None,
        };
        match caller {
            Caller::Anonymous => return Err(AppError::Unauthenticated),
            Caller::System => {}
            Caller::Principal(principal) => {
                let own = origin.is_some() && principal.country() == origin;
                if !own && principal.kind != OrganisationKind::Secretariat {
                    return Err(AppError::Forbidden(format!(
                        "{} may not read the reintegration records of {}: only the country \
                         and the secretariat may; others see the territories' summary",
                        principal.name,
                        origin.map_or("every country".to_owned(), |c| c.to_string())
                    )));
                }
            }
        }
        Ok(self.store.reintegration_records(origin).await?)
    }

    /// Registers a prevention programme in a territory of the caller's country.
    pub async fn record_prevention_programme(
        &self,
        caller: &Caller,
        parts: PreventionProgrammeParts,
    ) -> Result<StoredProgramme, AppError> {
        authorize(
            caller,
            &Action::ReportObservations(parts.territory.country()),
        )?;
        let programme = PreventionProgramme::new(parts).map_err(return_invalid)?;
        Ok(self
            .acting(caller)
            .record_programme(&programme, self.clock.now())
            .await?)
    }

    /// The register of prevention programmes (of one country, or all), for every reader
    /// signed in: programmes are public work, and their beneficiaries are reported totals.
    pub async fn prevention_programmes(
        &self,
        caller: &Caller,
        country: Option<CountryCode>,
    ) -> Result<Vec<StoredProgramme>, AppError> {
        if *caller == Caller::Anonymous {
            return Err(AppError::Unauthenticated);
        }
        Ok(self.store.prevention_programmes(country).await?)
    }

    /// The origin country's territories: returnees received by month, reintegration
    /// outcomes and the prevention programmes active today. The country itself and the
    /// secretariat see every count; other readers see counts below the disclosure threshold
    /// as `<5`, and a territory's total withheld (`"hidden"`) when one of its months is.
    pub async fn territories(
        &self,
        caller: &Caller,
        origin: CountryCode,
    ) -> Result<serde_json::Value, AppError> {
        let full = match caller {
            Caller::Anonymous => return Err(AppError::Unauthenticated),
            Caller::System => true,
            Caller::Principal(principal) => {
                principal.country() == Some(origin)
                    || principal.kind == OrganisationKind::Secretariat
            }
        };
        let mut filter = ReturnFilter::for_audience(ReturnAudience::AllProposed);
        filter.origin = Some(origin);
        let operations: Vec<ReturnOperation> = self
            .store
            .return_operations(&filter)
            .await?
            .into_iter()
            .map(|stored| stored.operation)
            .collect();
        let records: Vec<ReintegrationRecord> = self
            .store
            .reintegration_records(Some(origin))
            .await?
            .into_iter()
            .map(|stored| stored.record)
            .collect();
        let programmes: Vec<PreventionProgramme> = self
            .store
            .prevention_programmes(Some(origin))
            .await?
            .into_iter()
            .map(|stored| stored.programme)
            .collect();
        let summary: TerritoriesSummary =
            summarise_territories(origin, &operations, &records, &programmes, self.today());
        let mut value = serde_json::to_value(&summary)
            .map_err(|error| AppError::Internal(anyhow::Error::new(error)))?;
        if !full {
            suppress_territories(&mut value, self.disclosure_threshold);
        }
        if let Some(object) = value.as_object_mut() {
            object.insert("suppressed".to_owned(), serde_json::Value::Bool(!full));
        }
        Ok(value)
    }
}

/// Replaces every count from 1 to `threshold - 1` in a territories summary with `"<5"`, and
/// a territory's `received_total` with `"hidden"` when one of its months was suppressed (the
/// total would give the month back by subtraction). The dates and codes are strings and stay.
fn suppress_territories(value: &mut serde_json::Value, threshold: u64) {
    fn walk(value: &mut serde_json::Value, threshold: u64) -> bool {
        match value {
            serde_json::Value::Number(number) => {
                let small = number
                    .as_u64()
                    .is_some_and(|count| count > 0 && count < threshold);
                if small {
                    *value = serde_json::Value::String(format!("<{threshold}"));
                }
                small
            }
            serde_json::Value::Array(items) => {
                // Every item is walked (no short circuit): each may hold a small count.
                let mut any = false;
                for item in items.iter_mut() {
                    any |= walk(item, threshold);
                }
                any
            }
            serde_json::Value::Object(object) => {
                let mut any = false;
                let months_suppressed = object
                    .get_mut("received_by_month")
                    .is_some_and(|months| walk(months, threshold));
                for (key, item) in object.iter_mut() {
                    if key != "received_by_month" {
                        any |= walk(item, threshold);
                    }
                }
                if months_suppressed {
                    if let Some(total) = object.get_mut("received_total") {
                        *total = serde_json::Value::String("hidden".to_owned());
                    }
                }
                any || months_suppressed
            }
            _ => false,
        }
    }
    walk(value, threshold);
}

/// Maps a refusal of the domain to the category a client acts on.
fn return_invalid(error: ReturnError) -> AppError {
    match &error {
        // The operation is not in a state for the step, or a safeguard is missing: the
        // request is well formed, the operation refuses it now.
        ReturnError::NotAllowed { .. } | ReturnError::SafeguardsMissing { .. } => {
            AppError::Conflict(error.to_string())
        }
        ReturnError::Invalid { field, reason } => AppError::invalid(field, reason.clone()),
        _ => AppError::invalid("return", error.to_string()),
    }
}
