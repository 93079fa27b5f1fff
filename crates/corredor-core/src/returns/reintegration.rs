//! Reintegration (phase V): the services returnees received after return and their outcomes
//! at 3, 6 and 12 months, by cohort and origin territory, as counts of people (never persons).

use std::collections::{BTreeMap, BTreeSet};

use chrono::Months;
use serde::{Deserialize, Serialize};

use crate::code::CountryCode;
use crate::period::{Granularity, Period};
use crate::returns::operation::ReturnOperationId;
use crate::returns::territory::TerritoryCode;
use crate::returns::{person, return_vocabulary, ReturnError};
use crate::Timestamp;

return_vocabulary! {
    /// When after return a cohort is followed up.
    pub enum FollowUp ("follow-up") {
        Months3 = "3_months",
        Months6 = "6_months",
        Months12 = "12_months",
    }
}

impl FollowUp {
    pub fn months(self) -> u32 {
        match self {
            FollowUp::Months3 => 3,
            FollowUp::Months6 => 6,
            FollowUp::Months12 => 12,
        }
    }
}

return_vocabulary! {
    /// A reintegration service, or its outcome (phase V: "access to identity documents and
    /// employment opportunities", without discrimination).
    pub enum ReintegrationService ("reintegration service") {
        /// An identity document (national identity card, birth certificate) issued.
        IdentityDocuments = "identity_documents",
        HealthCare = "health_care",
        PsychosocialSupport = "psychosocial_support",
        /// Referred to a job offer or an employment service.
        JobReferral = "job_referral",
        /// In a job (employed or self-employed) at the follow-up.
        JobPlacement = "job_placement",
        /// Enrolled in school, training or skills certification.
        Education = "education",
        CashOrInKindSupport = "cash_or_in_kind_support",
    }
}

return_vocabulary! {
    /// Who delivered a service (or runs a programme).
    pub enum Provider ("provider") {
        Government = "government",
        PrivateSector = "private_sector",
        CivilSociety = "civil_society",
        /// E.g. IOM, UNHCR, UNICEF.
        InternationalOrganisation = "international_organisation",
    }
}

/// The returnees a reintegration record follows: those of one return operation, or those
/// received in one month (for returns not coordinated through corredor, such as the monthly
/// figures of a reception centre).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cohort {
    Operation { operation: ReturnOperationId },
    Month { month: Period },
}

impl Cohort {
    /// A written key, unique per cohort: `operation:17`, `month:2024-05`.
    pub fn key(&self) -> String {
        match self {
            Cohort::Operation { operation } => format!("operation:{}", operation.0),
            Cohort::Month { month } => format!("month:{month}"),
        }
    }
}

/// How many of the people followed up received one service by the follow-up, and from whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDelivery {
    pub service: ReintegrationService,
    /// People who received it, each once.
    pub people: u32,
    /// People served by each kind of provider; a person served by two counts for both, and
    /// deliveries whose provider is unknown are left out.
    #[serde(default)]
    pub by_provider: BTreeMap<Provider, u32>,
}

/// The unchecked parts of a [`ReintegrationRecord`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReintegrationRecordParts {
    /// The origin country, which records its returnees' reintegration.
    pub origin: CountryCode,
    pub cohort: Cohort,
    pub territory: TerritoryCode,
    pub follow_up: FollowUp,
    /// Returnees of the cohort who went back to the territory.
    pub returnees: u32,
    /// Of them, those reached at this follow-up.
    pub followed_up: u32,
    pub services: Vec<ServiceDelivery>,
    pub recorded_by: String,
    pub recorded_at: Timestamp,
}

/// What the origin country knows, at one follow-up, of the reintegration of one cohort in one
/// territory. Counts are cumulative since return: "by 6 months, 21 had identity documents".
///
/// Invariant: the territory is the origin country's; a month cohort is a calendar month and
/// its follow-up is not recorded before that many months have passed since the month began;
/// at least one returnee, and no more followed up than returnees; each service once, its
/// people at most those followed up, and each provider's people at most the service's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    try_from = "ReintegrationRecordParts",
    into = "ReintegrationRecordParts"
)]
pub struct ReintegrationRecord(ReintegrationRecordParts);

impl ReintegrationRecord {
    pub fn new(parts: ReintegrationRecordParts) -> Result<ReintegrationRecord, ReturnError> {
        let invalid = |field, reason: String| Err(ReturnError::Invalid { field, reason });
        if parts.territory.country() != parts.origin {
            return invalid(
                "reintegration.territory",
                format!("{} is not a territory of {}", parts.territory, parts.origin),
            );
        }
        if let Cohort::Month { month } = parts.cohort {
            if month.granularity() != Granularity::Month {
                return invalid(
                    "reintegration.cohort",
                    format!("a cohort is a calendar month such as 2024-05, not {month}"),
                );
            }
            let due = month
                .start()
                .checked_add_months(Months::new(parts.follow_up.months()));
            if due.is_some_and(|due| parts.recorded_at.date_naive() < due) {
                return invalid(
                    "reintegration.follow_up",
                    format!(
                        "the {} follow-up of the {month} cohort cannot be recorded on {}",
                        parts.follow_up,
                        parts.recorded_at.date_naive()
                    ),
                );
            }
        }
        if parts.returnees == 0 {
            return invalid(
                "reintegration.returnees",
                "a record follows at least one returnee".to_owned(),
            );
        }
        if parts.followed_up > parts.returnees {
            return invalid(
                "reintegration.followed_up",
                format!(
                    "{} followed up is more than the {} returnees",
                    parts.followed_up, parts.returnees
                ),
            );
        }
        let mut seen = BTreeSet::new();
        for delivery in &parts.services {
            if !seen.insert(delivery.service) {
                return invalid(
                    "reintegration.services",
                    format!("{} is given twice", delivery.service),
                );
            }
            if delivery.people > parts.followed_up {
                return invalid(
                    "reintegration.services",
                    format!(
                        "{}: {} people is more than the {} followed up",
                        delivery.service, delivery.people, parts.followed_up
                    ),
                );
            }
            for (provider, count) in &delivery.by_provider {
                if *count > delivery.people {
                    return invalid(
                        "reintegration.services",
                        format!(
                            "{}: {count} by {provider} is more than the {} people served",
                            delivery.service, delivery.people
                        ),
                    );
                }
            }
        }
        let recorded_by = person(&parts.recorded_by)?;
        Ok(ReintegrationRecord(ReintegrationRecordParts {
            recorded_by,
            ..parts
        }))
    }

    pub fn parts(&self) -> &ReintegrationRecordParts {
        &self.0
    }

    pub fn origin(&self) -> CountryCode {
        self.0.origin
    }

    pub fn cohort(&self) -> Cohort {
        self.0.cohort
    }

    pub fn territory(&self) -> &TerritoryCode {
        &self.0.territory
    }

    pub fn follow_up(&self) -> FollowUp {
        self.0.follow_up
    }

    pub fn returnees(&self) -> u32 {
        self.0.returnees
    }

    pub fn followed_up(&self) -> u32 {
        self.0.followed_up
    }

    pub fn services(&self) -> &[ServiceDelivery] {
        &self.0.services
    }

    /// The people who received `service`, 0 when the record does not name it.
    pub fn people_served(&self, service: ReintegrationService) -> u32 {
        self.0
            .services
            .iter()
            .find(|delivery| delivery.service == service)
            .map_or(0, |delivery| delivery.people)
    }

    pub fn recorded_at(&self) -> Timestamp {
        self.0.recorded_at
    }
}

impl TryFrom<ReintegrationRecordParts> for ReintegrationRecord {
    type Error = ReturnError;
    fn try_from(parts: ReintegrationRecordParts) -> Result<ReintegrationRecord, ReturnError> {
        ReintegrationRecord::new(parts)
    }
}

impl From<ReintegrationRecord> for ReintegrationRecordParts {
    fn from(record: ReintegrationRecord) -> ReintegrationRecordParts {
        record.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::returns::fixtures::{at, country};

    /// The 6-month follow-up of Guatemalans received in March 2024 who went back to
    /// Huehuetenango: 212 returnees, 164 reached.
    fn huehuetenango_march(recorded: &str) -> ReintegrationRecordParts {
        ReintegrationRecordParts {
            origin: country("GTM"),
            cohort: Cohort::Month {
                month: Period::parse("2024-03").unwrap(),
            },
            territory: TerritoryCode::parse("GT-HU").unwrap(),
            follow_up: FollowUp::Months6,
            returnees: 212,
            followed_up: 164,
            services: vec![
                ServiceDelivery {
                    service: ReintegrationService::IdentityDocuments,
                    people: 131,
                    by_provider: BTreeMap::from([(Provider::Government, 131)]),
                },
                ServiceDelivery {
                    service: ReintegrationService::JobPlacement,
                    people: 47,
                    by_provider: BTreeMap::from([
                        (Provider::PrivateSector, 39),
                        (Provider::InternationalOrganisation, 12),
                    ]),
                },
                ServiceDelivery {
                    service: ReintegrationService::PsychosocialSupport,
                    people: 58,
                    by_provider: BTreeMap::from([(Provider::CivilSociety, 58)]),
                },
            ],
            recorded_by: "gt.reintegracion".to_owned(),
            recorded_at: at(recorded),
        }
    }

    fn check(change: impl FnOnce(&mut ReintegrationRecordParts), expected: &str) {
        let mut parts = huehuetenango_march("2024-09-15T10:00:00-06:00");
        change(&mut parts);
        let message = ReintegrationRecord::new(parts).unwrap_err().to_string();
        assert!(message.contains(expected), "{message} / {expected}");
    }

    #[test]
    fn a_follow_up_record_counts_services_by_provider() {
        let record =
            ReintegrationRecord::new(huehuetenango_march("2024-09-15T10:00:00-06:00")).unwrap();
        assert_eq!(record.people_served(ReintegrationService::JobPlacement), 47);
        assert_eq!(record.people_served(ReintegrationService::Education), 0);
        assert_eq!(record.cohort().key(), "month:2024-03");
        let json = serde_json::to_string(&record).unwrap();
        assert_eq!(
            serde_json::from_str::<ReintegrationRecord>(&json).unwrap(),
            record
        );
    }

    #[test]
    fn records_that_count_more_than_they_follow_are_refused() {
        check(
            |parts| parts.followed_up = 213,
            "213 followed up is more than the 212 returnees",
        );
        check(
            |parts| parts.services[0].people = 165,
            "165 people is more than the 164 followed up",
        );
        check(
            |parts| {
                parts.services[1]
                    .by_provider
                    .insert(Provider::Government, 48);
            },
            "48 by government is more than the 47 people served",
        );
        check(
            |parts| {
                let copy = parts.services[0].clone();
                parts.services.push(copy);
            },
            "identity_documents is given twice",
        );
        check(|parts| parts.returnees = 0, "at least one returnee");
        check(
            |parts| parts.territory = TerritoryCode::parse("HN-CR").unwrap(),
            "HN-CR is not a territory of GTM",
        );
        check(
            |parts| {
                parts.cohort = Cohort::Month {
                    month: Period::parse("2024-W10").unwrap(),
                }
            },
            "a cohort is a calendar month",
        );
    }

    #[test]
    fn a_follow_up_is_not_recorded_before_its_months_have_passed() {
        check(
            |parts| parts.recorded_at = at("2024-08-20T10:00:00-06:00"),
            "the 6_months follow-up of the 2024-03 cohort cannot be recorded on 2024-08-20",
        );
        let mut parts = huehuetenango_march("2024-09-01T08:00:00-06:00");
        parts.follow_up = FollowUp::Months3;
        assert!(ReintegrationRecord::new(parts).is_ok());
        assert_eq!(FollowUp::parse("12_months").unwrap().months(), 12);
        assert!(FollowUp::parse("9_months").is_err());
    }
}
