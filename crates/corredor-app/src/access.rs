//! What a caller may read, from the sharing choices the countries made, and the choices
//! themselves.
//!
//! Reads are restricted here once, as a [`Readable`] computed from every sharing policy and
//! `corredor_core::may_read`, and handed to the store as a filter, so that every query,
//! series, export and page sees the same rows, and aggregates over several countries only
//! add what the caller may see.

use std::collections::{BTreeSet, HashMap};

use corredor_core::{
    authorize, may_read, Action, Caller, CountryCode, Measure, SharingLevel, SharingPolicy,
    DEFAULT_SHARING,
};
use corredor_core::{ObservationKey, Revision};
use corredor_store::{Actor, ObservationFilter, PairFilter, StoredObservation};

use crate::{App, AppError};

/// The (reporting country, measure) pairs a caller may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readable {
    /// Whether a pair without a policy of its own (the default level) is readable.
    default: bool,
    /// The pairs whose policy gives the other answer than `default`.
    exceptions: BTreeSet<(CountryCode, Measure)>,
    /// The caller's own country, always readable.
    own: Option<CountryCode>,
}

impl Readable {
    /// Everything: the command line and the installation's own analyses.
    pub fn everything() -> Readable {
        Readable {
            default: true,
            exceptions: BTreeSet::new(),
            own: None,
        }
    }

    pub fn may_read(&self, country: CountryCode, measure: Measure) -> bool {
        self.own == Some(country) || (self.default != self.exceptions.contains(&(country, measure)))
    }

    /// Whether nothing is hidden.
    pub fn is_everything(&self) -> bool {
        self.default && self.exceptions.is_empty()
    }

    /// The store filter that selects exactly the readable pairs.
    pub fn pair_filter(&self) -> PairFilter {
        if self.is_everything() {
            return PairFilter::Any;
        }
        let own = |country: &CountryCode| self.own == Some(*country);
        if self.default {
            PairFilter::Except(
                self.exceptions
                    .iter()
                    .filter(|(country, _)| !own(country))
                    .copied()
                    .collect(),
            )
        } else {
            let mut pairs: Vec<(CountryCode, Measure)> = self.exceptions.iter().copied().collect();
            if let Some(country) = self.own {
                pairs.retain(|(other, _)| *other != country);
                pairs.extend(Measure::ALL.iter().map(|measure| (country, *measure)));
            }
            PairFilter::Only(pairs)
        }
    }

    /// The countries among `candidates` whose `measure` the caller may read.
    pub fn countries<'a>(
        &'a self,
        measure: Measure,
        candidates: impl IntoIterator<Item = CountryCode> + 'a,
    ) -> impl Iterator<Item = CountryCode> + 'a {
        candidates
            .into_iter()
            .filter(move |country| self.may_read(*country, measure))
    }
}

/// The level in force for every pair a country chose one for.
pub type Policies = HashMap<(CountryCode, Measure), SharingLevel>;

impl App {
    /// Every sharing choice made, by (country, measure).
    pub(crate) async fn policies(&self) -> Result<Policies, AppError> {
        Ok(self
            .store
            .sharing_policies()
            .await?
            .into_iter()
            .map(|policy| ((policy.country, policy.measure), policy.level))
            .collect())
    }

    /// What `caller` may read, from the sharing choices in force now.
    pub async fn readable(&self, caller: &Caller) -> Result<Readable, AppError> {
        if matches!(caller, Caller::System) {
            return Ok(Readable::everything());
        }
        // Any country stands for "a country without a choice": `may_read` decides the
        // default level by the caller alone, except for the caller's own country.
        let stranger = CountryCode::parse("ATA").expect("Antarctica has an ISO code");
        let default = may_read(caller, stranger, &DEFAULT_SHARING);
        let exceptions = self
            .policies()
            .await?
            .into_iter()
            .filter(|((country, _), level)| may_read(caller, *country, level) != default)
            .map(|(pair, _)| pair)
            .collect();
        Ok(Readable {
            default,
            exceptions,
            own: caller.country(),
        })
    }

    /// Every sharing choice made (a pair without one is shared with all members). Signed-in
    /// people read them: knowing who may read what is part of trusting the system.
    pub async fn sharing_policies(&self, caller: &Caller) -> Result<Vec<SharingPolicy>, AppError> {
        if matches!(caller, Caller::Anonymous) {
            return Err(AppError::Unauthenticated);
        }
        Ok(self.store.sharing_policies().await?)
    }

    /// Sets who reads one measure of a country: its focal points decide, nobody else.
    pub async fn set_sharing(
        &self,
        caller: &Caller,
        policy: &SharingPolicy,
    ) -> Result<(), AppError> {
        authorize(caller, &Action::SetSharing(policy.country))?;
        if let SharingLevel::NamedMembers(members) = &policy.level {
            if members.contains(&policy.country) {
                return Err(AppError::invalid(
                    "members",
                    format!(
                        "{} always reads its own data: name other members",
                        policy.country
                    ),
                ));
            }
            let countries = self.countries().await?;
            for member in members {
                let is_member = countries.iter().any(|country| {
                    country.code == *member
                        && country.rcm_status == Some(corredor_core::RcmStatus::Member)
                });
                if !is_member {
                    return Err(AppError::invalid(
                        "members",
                        format!("{member} is not a member country of the RCM"),
                    ));
                }
            }
        }
        self.acting(caller).put_sharing_policy(policy).await?;
        Ok(())
    }
}

impl App {
    /// The current values the filter selects, among those `caller` may read.
    pub async fn observations(
        &self,
        caller: &Caller,
        filter: &ObservationFilter,
    ) -> Result<Vec<StoredObservation>, AppError> {
        refuse_reported_values(caller)?;
        let filter = ObservationFilter {
            readable: self.readable(caller).await?.pair_filter(),
            ..filter.clone()
        };
        Ok(self.store.observations(&filter).await?)
    }

    /// Every revision of one value, with who changed it and when: for the members who may
    /// read the value. A value the caller may not read is "not found", so that whether it
    /// exists is not disclosed either.
    pub async fn revisions(
        &self,
        caller: &Caller,
        key: &ObservationKey,
    ) -> Result<Vec<Revision>, AppError> {
        refuse_reported_values(caller)?;
        let not_found = || AppError::NotFound {
            what: "observation".into(),
        };
        if !self
            .readable(caller)
            .await?
            .may_read(key.country, key.measure)
        {
            return Err(not_found());
        }
        let revisions = self.store.revisions(key).await?;
        if revisions.is_empty() {
            return Err(not_found());
        }
        Ok(revisions)
    }
}

/// Reported values one by one (a country's rows, their revisions) are for the members:
/// observers and readers who are not signed in read series, where small counts are
/// suppressed so that they cannot be derived (aggregates by default).
pub(crate) fn refuse_reported_values(caller: &Caller) -> Result<(), AppError> {
    match caller {
        Caller::Anonymous => Err(AppError::Unauthenticated),
        _ if caller.needs_suppression() => Err(AppError::Forbidden(
            "reported values one by one are shared with member countries only: observers read the series (/api/v1/series), where small counts are suppressed".to_owned(),
        )),
        _ => Ok(()),
    }
}

impl App {
    /// The store whose writes the audit log attributes to `caller`.
    pub(crate) fn acting(&self, caller: &Caller) -> corredor_store::Store {
        self.store.acting_as(Actor {
            name: caller.actor_name().to_owned(),
            organisation: caller.actor_organisation().to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use corredor_core::{OrganisationCode, OrganisationKind, Principal, Role};

    use super::*;

    fn pan() -> CountryCode {
        CountryCode::parse("PAN").unwrap()
    }

    #[test]
    fn a_country_always_reads_its_own_data_even_among_only_pairs() {
        let readable = Readable {
            default: false,
            exceptions: [(CountryCode::parse("CRI").unwrap(), Measure::Stranded)]
                .into_iter()
                .collect(),
            own: Some(pan()),
        };
        assert!(readable.may_read(pan(), Measure::IrregularEntry));
        assert!(!readable.may_read(CountryCode::parse("MEX").unwrap(), Measure::Stranded));
        let PairFilter::Only(pairs) = readable.pair_filter() else {
            panic!("expected only some pairs")
        };
        assert_eq!(pairs.len(), 1 + Measure::ALL.len());
    }

    #[test]
    fn a_private_choice_is_an_exception_for_other_members() {
        let caller = Caller::Principal(Principal {
            name: "ana".into(),
            organisation: OrganisationCode::parse("CRI").unwrap(),
            kind: OrganisationKind::Country(CountryCode::parse("CRI").unwrap()),
            role: Role::Analyst,
        });
        let readable = Readable {
            default: true,
            exceptions: [(pan(), Measure::Stranded)].into_iter().collect(),
            own: caller.country(),
        };
        assert!(!readable.may_read(pan(), Measure::Stranded));
        assert!(readable.may_read(pan(), Measure::IrregularEntry));
        assert_eq!(
            readable.pair_filter(),
            PairFilter::Except(vec![(pan(), Measure::Stranded)])
        );
    }
}
