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
