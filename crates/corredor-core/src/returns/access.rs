//! Who may take each step of a return operation, and who reads it.
//!
//! A return commits two states, so only focal points act: the host country's proposes,
//! departs and cancels (and prepares the draft and its safeguards), the origin country's
//! accepts, reschedules, declines and receives; either closes. Reading follows "never more
//! than the origin country needs": the two countries read everything, the secretariat reads
//! the counts without the cases, and everyone else sees only the suppressed aggregates of the
//! situational picture, never an operation.

use crate::access::{Caller, Denied, OrganisationKind, Principal, Role};
use crate::code::CountryCode;
use crate::returns::operation::ReturnStep;

/// What a reader asks to see of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnRead {
    /// The plan, the counts, the safeguard totals, the reception and the history.
    Operation,
    /// The pseudonymous case references and determination references: the personal part.
    CaseReferences,
}

/// Whether `caller` may take `step` on an operation from `host` to `origin`.
pub fn authorize_return(
    caller: &Caller,
    step: ReturnStep,
    host: CountryCode,
    origin: CountryCode,
) -> Result<(), Denied> {
    let principal = match caller {
        Caller::System => return Ok(()),
        Caller::Anonymous => return Err(Denied::NotSignedIn),
        Caller::Principal(principal) => principal,
    };
    let focal_of = |country: CountryCode| {
        principal.role == Role::FocalPoint && principal.country() == Some(country)
    };
    let (allowed, who) = match step {
        ReturnStep::Draft
        | ReturnStep::RecordSafeguards
        | ReturnStep::Propose
        | ReturnStep::Depart
        | ReturnStep::Cancel => (focal_of(host), format!("{host}'s focal points (the host)")),
        ReturnStep::Accept | ReturnStep::Reschedule | ReturnStep::Decline | ReturnStep::Receive => {
            (
                focal_of(origin),
                format!("{origin}'s focal points (the origin)"),
            )
        }
        ReturnStep::Close => (
            focal_of(host) || focal_of(origin),
            format!("{host}'s or {origin}'s focal points"),
        ),
        // The retention job runs as the system; no person anonymises by hand.
        ReturnStep::Anonymise => (false, "the retention job".to_owned()),
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied::Forbidden(format!(
            "{} may not {} the return from {host} to {origin}: only {who} may",
            describe(principal),
            step.code().replace('_', " ")
        )))
    }
}

/// Whether `caller` may read `what` of an operation from `host` to `origin`.
pub fn may_read_return(
    caller: &Caller,
    what: ReturnRead,
    host: CountryCode,
    origin: CountryCode,
) -> Result<(), Denied> {
    let principal = match caller {
        Caller::System => return Ok(()),
        Caller::Anonymous => return Err(Denied::NotSignedIn),
        Caller::Principal(principal) => principal,
    };
    let involved = matches!(principal.role, Role::FocalPoint | Role::Analyst)
        && principal
            .country()
            .is_some_and(|country| country == host || country == origin);
    let secretariat = principal.kind == OrganisationKind::Secretariat;
    let allowed = match what {
        ReturnRead::Operation => involved || secretariat,
        ReturnRead::CaseReferences => involved,
    };
    if allowed {
        return Ok(());
    }
    let reason = match what {
        ReturnRead::Operation => format!(
            "{} may not read the return from {host} to {origin}: only the two countries and the secretariat may; others see the region's aggregates",
            describe(principal)
        ),
        ReturnRead::CaseReferences => format!(
            "{} may not read the case references of the return from {host} to {origin}: only {host} and {origin} may",
            describe(principal)
        ),
    };
    Err(Denied::Forbidden(reason))
}

fn describe(principal: &Principal) -> String {
    format!(
        "{} ({} of {})",
        principal.name, principal.role, principal.organisation
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::OrganisationCode;
    use crate::returns::fixtures::country;

    fn person(organisation: &str, kind: OrganisationKind, role: Role) -> Caller {
        Caller::Principal(Principal {
            name: format!("{role}@{organisation}"),
            organisation: OrganisationCode::parse(organisation).unwrap(),
            kind,
            role,
        })
    }

    fn of_country(code: &str, role: Role) -> Caller {
        person(code, OrganisationKind::Country(country(code)), role)
    }

    const HOST_STEPS: [ReturnStep; 5] = [
        ReturnStep::Draft,
        ReturnStep::RecordSafeguards,
        ReturnStep::Propose,
        ReturnStep::Depart,
        ReturnStep::Cancel,
    ];
    const ORIGIN_STEPS: [ReturnStep; 4] = [
        ReturnStep::Accept,
        ReturnStep::Reschedule,
        ReturnStep::Decline,
        ReturnStep::Receive,
    ];

    #[test]
    fn the_hosts_focal_point_proposes_departs_and_cancels_and_the_origins_may_not() {
        let (mex, gtm) = (country("MEX"), country("GTM"));
        for step in HOST_STEPS {
            assert_eq!(
                authorize_return(&of_country("MEX", Role::FocalPoint), step, mex, gtm),
                Ok(())
            );
            let Err(Denied::Forbidden(reason)) =
                authorize_return(&of_country("GTM", Role::FocalPoint), step, mex, gtm)
            else {
                panic!("Guatemala may not {step} Mexico's return");
            };
            assert!(
                reason.contains("only MEX's focal points (the host)"),
                "{reason}"
            );
        }
    }

    #[test]
    fn the_origins_focal_point_accepts_reschedules_declines_and_receives_and_the_hosts_may_not() {
        let (usa, gtm) = (country("USA"), country("GTM"));
        for step in ORIGIN_STEPS {
            assert_eq!(
                authorize_return(&of_country("GTM", Role::FocalPoint), step, usa, gtm),
                Ok(())
            );
            let refused = authorize_return(&of_country("USA", Role::FocalPoint), step, usa, gtm)
                .unwrap_err()
                .to_string();
            assert!(
                refused.contains("only GTM's focal points (the origin)"),
                "{refused}"
            );
        }
        assert!(authorize_return(
            &of_country("USA", Role::FocalPoint),
            ReturnStep::Close,
            usa,
            gtm
        )
        .is_ok());
        assert!(authorize_return(
            &of_country("GTM", Role::FocalPoint),
            ReturnStep::Close,
            usa,
            gtm
        )
        .is_ok());
    }

    #[test]
    fn analysts_third_countries_the_secretariat_and_observers_take_no_step() {
        let (mex, gtm) = (country("MEX"), country("GTM"));
        let outsiders = [
            of_country("MEX", Role::Analyst),
            of_country("GTM", Role::Analyst),
            of_country("HND", Role::FocalPoint),
            person("RCM", OrganisationKind::Secretariat, Role::Administrator),
            person("IOM", OrganisationKind::Observer, Role::Observer),
        ];
        for step in ReturnStep::ALL {
            for caller in &outsiders {
                assert!(
                    authorize_return(caller, *step, mex, gtm).is_err(),
                    "{caller:?} {step}"
                );
            }
            assert_eq!(
                authorize_return(&Caller::Anonymous, *step, mex, gtm),
                Err(Denied::NotSignedIn)
            );
            assert_eq!(authorize_return(&Caller::System, *step, mex, gtm), Ok(()));
        }
        // No person anonymises by hand, not even a focal point of the two countries.
        assert!(authorize_return(
            &of_country("MEX", Role::FocalPoint),
            ReturnStep::Anonymise,
            mex,
            gtm
        )
        .is_err());
    }

    #[test]
    fn only_the_two_countries_read_case_references_and_the_secretariat_reads_the_counts() {
        let (mex, gtm) = (country("MEX"), country("GTM"));
        let cases = [
            (of_country("MEX", Role::Analyst), true, true),
            (of_country("GTM", Role::FocalPoint), true, true),
            (
                person("RCM", OrganisationKind::Secretariat, Role::Administrator),
                true,
                false,
            ),
            (of_country("HND", Role::FocalPoint), false, false),
            (
                person("IOM", OrganisationKind::Observer, Role::Observer),
                false,
                false,
            ),
        ];
        for (caller, operation, references) in cases {
            assert_eq!(
                may_read_return(&caller, ReturnRead::Operation, mex, gtm).is_ok(),
                operation,
                "{caller:?}"
            );
            assert_eq!(
                may_read_return(&caller, ReturnRead::CaseReferences, mex, gtm).is_ok(),
                references,
                "{caller:?}"
            );
        }
        assert_eq!(
            may_read_return(&Caller::Anonymous, ReturnRead::Operation, mex, gtm),
            Err(Denied::NotSignedIn)
        );
    }
}
