//! The return operation: its plan, its group, its safeguards and its workflow.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::breakdown::{AgeGroup, Sex};
use crate::code::CountryCode;
use crate::place::PlaceCode;
use crate::returns::case_reference::{CaseReference, RetentionPeriod};
use crate::returns::territory::TerritoryCode;
use crate::returns::{
    checked_text, optional_text, person, return_vocabulary, Cases, People, ReturnError,
};
use crate::Timestamp;

return_vocabulary! {
    /// Where a return operation is in its workflow.
    pub enum ReturnState ("return state") {
        /// Being prepared by the host country; the origin country does not see it yet.
        Draft = "draft",
        /// Sent by the host to the origin country, with its safeguards complete.
        Proposed = "proposed",
        /// Accepted by the origin country for the planned date.
        Accepted = "accepted",
        /// Accepted by the origin country for another date, with a reason.
        Rescheduled = "rescheduled",
        /// Refused by the origin country, with a reason. Final.
        Declined = "declined",
        /// The group has left the host country.
        Departed = "departed",
        /// The origin country has received the group and confirmed the numbers.
        Received = "received",
        /// Nothing more is expected; reintegration follows in its own records. Final.
        Closed = "closed",
        /// Withdrawn by the host country before reception, with a reason. Final.
        Cancelled = "cancelled",
    }
}

return_vocabulary! {
    /// Every step of a return operation, as its history records it and as
    /// [`crate::returns::authorize_return`] decides who may take it.
    pub enum ReturnStep ("return step") {
        Draft = "draft",
        RecordSafeguards = "record_safeguards",
        Propose = "propose",
        Accept = "accept",
        Reschedule = "reschedule",
        Decline = "decline",
        Depart = "depart",
        Receive = "receive",
        Close = "close",
        Cancel = "cancel",
        /// The retention period passed and the personal part was dropped.
        Anonymise = "anonymise",
    }
}

return_vocabulary! {
    /// How the group travels.
    pub enum Transport ("transport") {
        Air = "air",
        Land = "land",
        Sea = "sea",
    }
}

return_vocabulary! {
    /// What the origin country's reception must prepare.
    pub enum ReceptionNeed ("reception need") {
        /// Medical screening or care on arrival.
        Health = "health",
        /// Identity or travel documents to issue or recognise.
        Documents = "documents",
        /// Temporary shelter.
        Shelter = "shelter",
        /// Transport from the reception point to the places of origin.
        OnwardTransport = "onward_transport",
    }
}

/// The identifier storage gives a return operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReturnOperationId(pub i64);

// ---------------------------------------------------------------------------------------
// The plan

/// Where a group leaves from or is received: a known place, or words when the point is not
/// (yet) in the reference data (e.g. "Hangar de la Fuerza Aérea, Ciudad de Guatemala").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReturnPoint {
    Place { place: PlaceCode },
    Described { description: String },
}

impl ReturnPoint {
    fn check(&self, field: &'static str) -> Result<ReturnPoint, ReturnError> {
        Ok(match self {
            ReturnPoint::Place { place } => ReturnPoint::Place {
                place: place.clone(),
            },
            ReturnPoint::Described { description } => ReturnPoint::Described {
                description: checked_text(description, 200, field)?,
            },
        })
    }
}

/// What the origin country's reception must prepare: the needs, and anything they do not
/// say (e.g. "2 wheelchairs; 1 person on dialysis").
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReceptionNeeds {
    pub needs: BTreeSet<ReceptionNeed>,
    #[serde(default)]
    pub note: Option<String>,
}

/// The unchecked size and composition of a returning group (or of the people received).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReturnGroupParts {
    pub people: u32,
    #[serde(default)]
    pub by_sex: BTreeMap<Sex, u32>,
    #[serde(default)]
    pub by_age_group: BTreeMap<AgeGroup, u32>,
    /// Children without either parent or another adult responsible for them.
    #[serde(default)]
    pub unaccompanied_children: u32,
    /// Children separated from their parents or usual caregiver, possibly with a relative.
    #[serde(default)]
    pub separated_children: u32,
    /// Families travelling together.
    #[serde(default)]
    pub family_units: u32,
    /// The people in those families.
    #[serde(default)]
    pub people_in_family_units: u32,
    /// Pregnant women, people with disabilities, with serious medical conditions, older
    /// people needing care, survivors of violence: whoever reception must prepare for.
    #[serde(default)]
    pub people_with_specific_needs: u32,
}

/// The size and composition of a group. Breakdowns may be partial (the rest unknown), so
/// each adds up to at most the total; age groups do not overlap (`0-17` is not given with
/// `0-4`); unaccompanied and separated children are at most the children when the ages are
/// complete; a family has at least two people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ReturnGroupParts", into = "ReturnGroupParts")]
pub struct ReturnGroup(ReturnGroupParts);

impl ReturnGroup {
    pub fn new(parts: ReturnGroupParts) -> Result<ReturnGroup, ReturnError> {
        let invalid = |reason: String| {
            Err(ReturnError::Invalid {
                field: "group",
                reason,
            })
        };
        let total = u64::from(parts.people);
        if total == 0 {
            return invalid("a group has at least one person".to_owned());
        }
        let by_sex: u64 = parts.by_sex.values().map(|n| u64::from(*n)).sum();
        if by_sex > total {
            return invalid(format!(
                "the sexes add up to {by_sex}, more than the {total} people"
            ));
        }
        let ages = &parts.by_age_group;
        let overlapping = [
            (AgeGroup::Age0To17, AgeGroup::Age0To4),
            (AgeGroup::Age0To17, AgeGroup::Age5To11),
            (AgeGroup::Age0To17, AgeGroup::Age12To17),
            (AgeGroup::Age18Plus, AgeGroup::Age18To59),
            (AgeGroup::Age18Plus, AgeGroup::Age60Plus),
        ];
        for (wide, narrow) in overlapping {
            if ages.contains_key(&wide) && ages.contains_key(&narrow) {
                return invalid(format!(
                    "age groups {wide} and {narrow} overlap; give one or the other"
                ));
            }
        }
        let by_age: u64 = ages.values().map(|n| u64::from(*n)).sum();
        if by_age > total {
            return invalid(format!(
                "the age groups add up to {by_age}, more than the {total} people"
            ));
        }
        let alone = u64::from(parts.unaccompanied_children) + u64::from(parts.separated_children);
        let children: u64 = ages
            .iter()
            .filter(|(age, _)| age.is_child())
            .map(|(_, n)| u64::from(*n))
            .sum();
        let ages_complete = by_age == total && !ages.contains_key(&AgeGroup::Unknown);
        if alone > total {
            return invalid(format!(
                "{alone} unaccompanied or separated children is more than the {total} people"
            ));
        }
        if ages_complete && alone > children {
            return invalid(format!(
                "{alone} unaccompanied or separated children is more than the {children} children"
            ));
        }
        let in_families = u64::from(parts.people_in_family_units);
        if in_families > total
            || in_families < 2 * u64::from(parts.family_units)
            || (parts.family_units == 0 && in_families > 0)
        {
            return invalid(format!(
                "{} family units cannot hold {in_families} of the {total} people (a family has at least two)",
                parts.family_units
            ));
        }
        if parts.people_with_specific_needs > parts.people {
            return invalid(format!(
                "{} people with specific needs is more than the {total} people",
                parts.people_with_specific_needs
            ));
        }
        Ok(ReturnGroup(parts))
    }

    pub fn people(&self) -> u32 {
        self.0.people
    }

    /// Unaccompanied and separated children: each needs a best-interest determination.
    pub fn children_needing_determination(&self) -> u32 {
        self.0.unaccompanied_children + self.0.separated_children
    }

    pub fn parts(&self) -> &ReturnGroupParts {
        &self.0
    }
}

impl TryFrom<ReturnGroupParts> for ReturnGroup {
    type Error = ReturnError;
    fn try_from(parts: ReturnGroupParts) -> Result<ReturnGroup, ReturnError> {
        ReturnGroup::new(parts)
    }
}

impl From<ReturnGroup> for ReturnGroupParts {
    fn from(group: ReturnGroup) -> ReturnGroupParts {
        group.0
    }
}

/// Received minus planned, field by field: negative when fewer arrived than left planned.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GroupDifference {
    pub people: i64,
    pub by_sex: BTreeMap<Sex, i64>,
    pub by_age_group: BTreeMap<AgeGroup, i64>,
    pub unaccompanied_children: i64,
    pub separated_children: i64,
    pub family_units: i64,
    pub people_in_family_units: i64,
    pub people_with_specific_needs: i64,
}

impl GroupDifference {
    pub fn between(planned: &ReturnGroup, received: &ReturnGroup) -> GroupDifference {
        let (planned, received) = (&planned.0, &received.0);
        let delta = |received: u32, planned: u32| i64::from(received) - i64::from(planned);
        fn by_key<K: Ord + Copy>(
            planned: &BTreeMap<K, u32>,
            received: &BTreeMap<K, u32>,
        ) -> BTreeMap<K, i64> {
            planned
                .keys()
                .chain(received.keys())
                .map(|key| {
                    let get =
                        |map: &BTreeMap<K, u32>| i64::from(map.get(key).copied().unwrap_or(0));
                    (*key, get(received) - get(planned))
                })
                .filter(|(_, difference)| *difference != 0)
                .collect()
        }
        GroupDifference {
            people: delta(received.people, planned.people),
            by_sex: by_key(&planned.by_sex, &received.by_sex),
            by_age_group: by_key(&planned.by_age_group, &received.by_age_group),
            unaccompanied_children: delta(
                received.unaccompanied_children,
                planned.unaccompanied_children,
            ),
            separated_children: delta(received.separated_children, planned.separated_children),
            family_units: delta(received.family_units, planned.family_units),
            people_in_family_units: delta(
                received.people_in_family_units,
                planned.people_in_family_units,
            ),
            people_with_specific_needs: delta(
                received.people_with_specific_needs,
                planned.people_with_specific_needs,
            ),
        }
    }

    /// Whether the group arrived exactly as planned.
    pub fn is_none(&self) -> bool {
        *self == GroupDifference::default()
    }
}

/// What the host country plans and the origin country is asked to accept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnPlan {
    pub host: CountryCode,
    pub origin: CountryCode,
    pub group: ReturnGroup,
    pub planned_date: NaiveDate,
    pub transport: Transport,
    pub departure: ReturnPoint,
    pub reception_point: ReturnPoint,
    #[serde(default)]
    pub reception_needs: ReceptionNeeds,
}

impl ReturnPlan {
    fn check(self) -> Result<ReturnPlan, ReturnError> {
        if self.host == self.origin {
            return Err(ReturnError::Invalid {
                field: "origin",
                reason: format!(
                    "a return goes from a host country to another country, not from {} to itself",
                    self.host
                ),
            });
        }
        Ok(ReturnPlan {
            departure: self.departure.check("departure")?,
            reception_point: self.reception_point.check("reception_point")?,
            reception_needs: ReceptionNeeds {
                note: optional_text(
                    self.reception_needs.note.as_deref(),
                    2000,
                    "reception_needs.note",
                )?,
                needs: self.reception_needs.needs,
            },
            ..self
        })
    }
}

// ---------------------------------------------------------------------------------------
// Safeguards

/// A best-interest determination of a child: the child-protection authority's reference
/// and the date it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BestInterestDetermination {
    pub reference: String,
    pub date: NaiveDate,
}

/// The safeguards of one case: a person alone or a family returning together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSafeguards {
    pub case: CaseReference,
    pub people: u32,
    /// People informed of the return and its conditions who consented freely.
    pub informed_and_consented: u32,
    /// People with an asylum or other protection claim not yet decided: none may be returned.
    pub pending_protection_claims: u32,
    /// Unaccompanied or separated children in the case.
    pub children_needing_determination: u32,
    /// One per child needing it.
    #[serde(default)]
    pub best_interest_determinations: Vec<BestInterestDetermination>,
}

/// The counts of a safeguards record, kept after the cases themselves are anonymised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SafeguardTotals {
    pub cases: u32,
    pub people: u32,
    pub informed_and_consented: u32,
    pub cases_without_consent: u32,
    pub pending_protection_claims: u32,
    pub cases_with_pending_claims: u32,
    pub children_needing_determination: u32,
    pub best_interest_determinations: u32,
    pub cases_missing_determinations: u32,
}

impl SafeguardTotals {
    fn of(cases: &[CaseSafeguards]) -> SafeguardTotals {
        let mut totals = SafeguardTotals::default();
        for case in cases {
            let determinations = case.best_interest_determinations.len() as u32;
            totals.cases += 1;
            totals.people += case.people;
            totals.informed_and_consented += case.informed_and_consented;
            totals.cases_without_consent += u32::from(case.informed_and_consented < case.people);
            totals.pending_protection_claims += case.pending_protection_claims;
            totals.cases_with_pending_claims += u32::from(case.pending_protection_claims > 0);
            totals.children_needing_determination += case.children_needing_determination;
            totals.best_interest_determinations += determinations;
            totals.cases_missing_determinations +=
                u32::from(determinations < case.children_needing_determination);
        }
        totals
    }

    /// The safeguards these counts show missing, in a fixed order.
    pub fn missing(&self) -> Vec<MissingSafeguard> {
        let mut missing = Vec::new();
        if self.informed_and_consented < self.people {
            missing.push(MissingSafeguard::InformedConsent {
                people: self.people - self.informed_and_consented,
                cases: self.cases_without_consent,
            });
        }
        if self.pending_protection_claims > 0 {
            missing.push(MissingSafeguard::NonRefoulement {
                people: self.pending_protection_claims,
                cases: self.cases_with_pending_claims,
            });
        }
        if self.best_interest_determinations < self.children_needing_determination {
            missing.push(MissingSafeguard::BestInterestDetermination {
                children: self.children_needing_determination - self.best_interest_determinations,
                cases: self.cases_missing_determinations,
            });
        }
        missing
    }
}

/// The host country's record, for the whole group, of the safeguards that make a return
/// voluntary and lawful. Its cases (and the references of the determinations) are the
/// personal part of the operation; its totals stay after anonymisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Safeguards {
    /// Empty once the operation is anonymised.
    pub cases: Vec<CaseSafeguards>,
    pub totals: SafeguardTotals,
    pub recorded_by: String,
    pub recorded_at: Timestamp,
}

/// A safeguard that is not met, and for how many people (or children) in how many cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "safeguard", rename_all = "snake_case")]
pub enum MissingSafeguard {
    /// No safeguards record at all.
    NotRecorded,
    /// People not recorded as informed and consenting: the return would not be voluntary.
    InformedConsent { people: u32, cases: u32 },
    /// People with a pending asylum or protection claim: returning them would breach
    /// non-refoulement.
    NonRefoulement { people: u32, cases: u32 },
    /// Unaccompanied or separated children without a best-interest determination: one such
    /// child blocks the whole group.
    BestInterestDetermination { children: u32, cases: u32 },
}

impl MissingSafeguard {
    /// The safeguard's code, for the API and the pages' translations.
    pub fn code(self) -> &'static str {
        match self {
            MissingSafeguard::NotRecorded => "not_recorded",
            MissingSafeguard::InformedConsent { .. } => "informed_consent",
            MissingSafeguard::NonRefoulement { .. } => "non_refoulement",
            MissingSafeguard::BestInterestDetermination { .. } => "best_interest_determination",
        }
    }
}

impl fmt::Display for MissingSafeguard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            MissingSafeguard::NotRecorded => f.write_str(
                "no safeguards are recorded for the group (informed consent, no pending protection claim, best-interest determinations)",
            ),
            MissingSafeguard::InformedConsent { people, cases } => write!(
                f,
                "informed consent: {} in {} not recorded as informed and consenting",
                People(people.into()),
                Cases(cases.into())
            ),
            MissingSafeguard::NonRefoulement { people, cases } => write!(
                f,
                "non-refoulement: {} in {} with a pending asylum or protection claim",
                People(people.into()),
                Cases(cases.into())
            ),
            MissingSafeguard::BestInterestDetermination { children, cases } => write!(
                f,
                "best-interest determination: {} unaccompanied or separated {} in {} without one",
                children,
                if children == 1 { "child" } else { "children" },
                Cases(cases.into())
            ),
        }
    }
}

/// The safeguards missing for a step, written one after the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MissingSafeguards(pub Vec<MissingSafeguard>);

impl fmt::Display for MissingSafeguards {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("safeguards missing: ")?;
        for (index, missing) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{missing}")?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Reception

/// What the origin country confirms on reception, as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceptionParts {
    /// The people actually received; may differ from the group that left.
    pub group: ReturnGroup,
    /// Received people by the territory they go back to (counts; partial is allowed).
    #[serde(default)]
    pub by_territory: BTreeMap<TerritoryCode, u32>,
    /// Why the numbers differ, or anything else reception noted.
    #[serde(default)]
    pub note: Option<String>,
}

/// The origin country's confirmation of the reception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reception {
    pub group: ReturnGroup,
    pub by_territory: BTreeMap<TerritoryCode, u32>,
    pub note: Option<String>,
    pub confirmed_by: String,
    pub confirmed_at: Timestamp,
}

// ---------------------------------------------------------------------------------------
// History

/// One step of a return operation, for its timeline and audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnEvent {
    pub step: ReturnStep,
    /// The state after the step.
    pub state: ReturnState,
    pub by: String,
    pub at: Timestamp,
    /// Why: required to reschedule, decline and cancel.
    #[serde(default)]
    pub reason: Option<String>,
    /// The planned date after the step, when the step set it (draft, reschedule).
    #[serde(default)]
    pub planned_date: Option<NaiveDate>,
}

/// The state a step leads to from `from`, if the step may be taken there.
fn transition(step: ReturnStep, from: ReturnState) -> Option<ReturnState> {
    use ReturnState as S;
    use ReturnStep as T;
    match (step, from) {
        (T::Draft, S::Draft) => Some(S::Draft),
        (T::RecordSafeguards, S::Draft | S::Proposed | S::Accepted | S::Rescheduled) => Some(from),
        (T::Propose, S::Draft) => Some(S::Proposed),
        (T::Accept, S::Proposed) => Some(S::Accepted),
        (T::Reschedule, S::Proposed | S::Accepted | S::Rescheduled) => Some(S::Rescheduled),
        (T::Decline, S::Proposed | S::Accepted | S::Rescheduled) => Some(S::Declined),
        (T::Depart, S::Accepted | S::Rescheduled) => Some(S::Departed),
        (T::Receive, S::Departed) => Some(S::Received),
        (T::Close, S::Received) => Some(S::Closed),
        (T::Cancel, S::Draft | S::Proposed | S::Accepted | S::Rescheduled | S::Departed) => {
            Some(S::Cancelled)
        }
        (T::Anonymise, S::Received | S::Closed | S::Declined | S::Cancelled) => Some(from),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// The operation

/// Every part of a return operation, as storage keeps it; [`ReturnOperation::restore`]
/// checks it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnOperationParts {
    pub id: Option<ReturnOperationId>,
    pub plan: ReturnPlan,
    pub retention: RetentionPeriod,
    pub state: ReturnState,
    pub safeguards: Option<Safeguards>,
    pub reception: Option<Reception>,
    /// The last day the personal part is kept: set when the operation ends (received,
    /// declined or cancelled).
    pub purge_after: Option<NaiveDate>,
    pub anonymised: bool,
    pub history: Vec<ReturnEvent>,
}

/// One coordinated return of a group from a host country to an origin country.
///
/// Invariants: host and origin differ; the safeguards' cases carry the host's references,
/// distinct, and account for exactly the group's people and unaccompanied or separated
/// children; no operation is proposed, accepted or departs with a safeguard missing, so a
/// departed, received or closed operation has complete safeguards; the history starts with
/// the draft, follows the workflow in time order and ends in the current state; an
/// anonymised operation has no cases left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ReturnOperationParts", into = "ReturnOperationParts")]
pub struct ReturnOperation(ReturnOperationParts);

impl ReturnOperation {
    /// A new draft by the host country, seen by the host only. `retention` is the
    /// installation's period for the personal part.
    pub fn draft(
        plan: ReturnPlan,
        retention: RetentionPeriod,
        by: &str,
        at: Timestamp,
    ) -> Result<ReturnOperation, ReturnError> {
        let plan = plan.check()?;
        let planned_date = plan.planned_date;
        Ok(ReturnOperation(ReturnOperationParts {
            id: None,
            plan,
            retention,
            state: ReturnState::Draft,
            safeguards: None,
            reception: None,
            purge_after: None,
            anonymised: false,
            history: vec![ReturnEvent {
                step: ReturnStep::Draft,
                state: ReturnState::Draft,
                by: person(by)?,
                at,
                reason: None,
                planned_date: Some(planned_date),
            }],
        }))
    }

    /// Checks parts read back from storage (or a partner system) against every invariant.
    pub fn restore(parts: ReturnOperationParts) -> Result<ReturnOperation, ReturnError> {
        let invalid = |field, reason: String| Err(ReturnError::Invalid { field, reason });
        let plan = parts.plan.clone().check()?;
        if plan != parts.plan {
            return invalid("plan", "the plan's texts are not trimmed".to_owned());
        }
        let mut state: Option<ReturnState> = None;
        let mut previous: Option<Timestamp> = None;
        for event in &parts.history {
            let next = match (state, event.step) {
                (None, ReturnStep::Draft) => Some(ReturnState::Draft),
                (Some(from), step) => transition(step, from),
                (None, _) => None,
            };
            if next != Some(event.state) {
                return invalid(
                    "history",
                    format!(
                        "{} to {} does not follow {}",
                        event.step,
                        event.state,
                        state.map_or("the start".to_owned(), |s| s.to_string())
                    ),
                );
            }
            if previous.is_some_and(|previous| event.at < previous) {
                return invalid(
                    "history",
                    format!(
                        "{} at {} is earlier than the step before",
                        event.step, event.at
                    ),
                );
            }
            state = next;
            previous = Some(event.at);
        }
        if state != Some(parts.state) {
            return invalid(
                "history",
                format!("the history does not end {}", parts.state),
            );
        }
        let last_planned = parts
            .history
            .iter()
            .rev()
            .find_map(|event| event.planned_date);
        if last_planned != Some(plan.planned_date) {
            return invalid(
                "plan.planned_date",
                format!(
                    "the plan says {}, the history last set {}",
                    plan.planned_date,
                    last_planned.map_or("no date".to_owned(), |day| day.to_string())
                ),
            );
        }
        let ended = matches!(
            parts.state,
            ReturnState::Received
                | ReturnState::Closed
                | ReturnState::Declined
                | ReturnState::Cancelled
        );
        if ended != parts.purge_after.is_some() {
            return invalid(
                "purge_after",
                "the retention period runs exactly when the operation has ended".to_owned(),
            );
        }
        let anonymised_in_history = parts
            .history
            .iter()
            .any(|event| event.step == ReturnStep::Anonymise);
        if anonymised_in_history != parts.anonymised {
            return invalid(
                "anonymised",
                "the history and the flag disagree on anonymisation".to_owned(),
            );
        }
        if let Some(safeguards) = &parts.safeguards {
            if safeguards.totals.people != plan.group.people() {
                return invalid(
                    "safeguards",
                    format!(
                        "the safeguards count {} people, the group {}",
                        safeguards.totals.people,
                        plan.group.people()
                    ),
                );
            }
            if parts.anonymised {
                if !safeguards.cases.is_empty() {
                    return invalid(
                        "safeguards",
                        "an anonymised operation keeps no cases".to_owned(),
                    );
                }
            } else {
                check_cases(&plan, &safeguards.cases, safeguards.recorded_at)?;
                if safeguards.totals != SafeguardTotals::of(&safeguards.cases) {
                    return invalid("safeguards", "the totals do not match the cases".to_owned());
                }
            }
        }
        let departed = matches!(
            parts.state,
            ReturnState::Departed | ReturnState::Received | ReturnState::Closed
        );
        if departed {
            let missing = missing_in(parts.safeguards.as_ref());
            if !missing.is_empty() {
                return Err(ReturnError::SafeguardsMissing {
                    attempted: "restore a departed operation",
                    missing: MissingSafeguards(missing),
                });
            }
        }
        let received = matches!(parts.state, ReturnState::Received | ReturnState::Closed);
        if received != parts.reception.is_some() {
            return invalid(
                "reception",
                "a reception is recorded exactly when the group was received".to_owned(),
            );
        }
        if let Some(reception) = &parts.reception {
            check_territories(plan.origin, &reception.group, &reception.by_territory)?;
        }
        Ok(ReturnOperation(parts))
    }

    pub fn id(&self) -> Option<ReturnOperationId> {
        self.0.id
    }

    /// Records the id storage gave the operation.
    pub fn with_id(mut self, id: ReturnOperationId) -> ReturnOperation {
        self.0.id = Some(id);
        self
    }

    pub fn host(&self) -> CountryCode {
        self.0.plan.host
    }

    pub fn origin(&self) -> CountryCode {
        self.0.plan.origin
    }

    pub fn state(&self) -> ReturnState {
        self.0.state
    }

    pub fn plan(&self) -> &ReturnPlan {
        &self.0.plan
    }

    /// The group planned to return.
    pub fn group(&self) -> &ReturnGroup {
        &self.0.plan.group
    }

    pub fn safeguards(&self) -> Option<&Safeguards> {
        self.0.safeguards.as_ref()
    }

    /// The safeguards missing now (`NotRecorded` when there is no record).
    pub fn missing_safeguards(&self) -> Vec<MissingSafeguard> {
        missing_in(self.0.safeguards.as_ref())
    }

    /// The pseudonymous case references: the personal part, empty once anonymised.
    pub fn case_references(&self) -> Vec<&CaseReference> {
        self.0
            .safeguards
            .iter()
            .flat_map(|safeguards| safeguards.cases.iter().map(|case| &case.case))
            .collect()
    }

    pub fn reception(&self) -> Option<&Reception> {
        self.0.reception.as_ref()
    }

    /// When the origin country confirmed the reception.
    pub fn received_at(&self) -> Option<Timestamp> {
        self.0
            .reception
            .as_ref()
            .map(|reception| reception.confirmed_at)
    }

    /// Received minus planned, once received: what both countries see of the difference.
    pub fn difference(&self) -> Option<GroupDifference> {
        self.0
            .reception
            .as_ref()
            .map(|reception| GroupDifference::between(&self.0.plan.group, &reception.group))
    }

    pub fn history(&self) -> &[ReturnEvent] {
        &self.0.history
    }

    pub fn retention(&self) -> RetentionPeriod {
        self.0.retention
    }

    pub fn purge_after(&self) -> Option<NaiveDate> {
        self.0.purge_after
    }

    pub fn is_anonymised(&self) -> bool {
        self.0.anonymised
    }

    /// The parts without the personal part (cases and determination references), for a
    /// reader who may see the operation's counts but not its cases (the secretariat).
    pub fn without_cases(&self) -> ReturnOperationParts {
        let mut parts = self.0.clone();
        if let Some(safeguards) = &mut parts.safeguards {
            safeguards.cases.clear();
        }
        parts
    }

    /// Rewrites the draft's plan; the host and origin stay.
    pub fn edit_draft(
        mut self,
        plan: ReturnPlan,
        by: &str,
        at: Timestamp,
    ) -> Result<ReturnOperation, ReturnError> {
        self.require(&[ReturnState::Draft], "edit the draft")?;
        if (plan.host, plan.origin) != (self.host(), self.origin()) {
            return Err(ReturnError::Invalid {
                field: "plan",
                reason: "the host and origin of an operation do not change".to_owned(),
            });
        }
        let plan = plan.check()?;
        if let Some(safeguards) = &self.0.safeguards {
            check_cases(&plan, &safeguards.cases, safeguards.recorded_at)?;
        }
        let planned_date = plan.planned_date;
        self.0.plan = plan;
        self.push(ReturnStep::Draft, by, at, None, Some(planned_date))?;
        Ok(self)
    }

    /// The host's record of the group's safeguards, replacing any earlier one. Allowed before
    /// departure, so that a claim lodged after the proposal can be recorded (and then blocks
    /// the operation). The cases must account for exactly the group's people and children
    /// needing a determination; an incomplete record is accepted, and the steps that need
    /// complete safeguards refuse until it is complete.
    pub fn record_safeguards(
        mut self,
        cases: Vec<CaseSafeguards>,
        by: &str,
        at: Timestamp,
    ) -> Result<ReturnOperation, ReturnError> {
        self.require(
            &[
                ReturnState::Draft,
                ReturnState::Proposed,
                ReturnState::Accepted,
                ReturnState::Rescheduled,
            ],
            "record safeguards",
        )?;
        let cases: Vec<CaseSafeguards> = cases
            .into_iter()
            .map(|case| {
                let best_interest_determinations = case
                    .best_interest_determinations
                    .into_iter()
                    .map(|determination| {
                        Ok(BestInterestDetermination {
                            reference: checked_text(
                                &determination.reference,
                                64,
                                "best_interest_determination.reference",
                            )?,
                            date: determination.date,
                        })
                    })
                    .collect::<Result<_, ReturnError>>()?;
                Ok(CaseSafeguards {
                    best_interest_determinations,
                    ..case
                })
            })
            .collect::<Result<_, ReturnError>>()?;
        check_cases(&self.0.plan, &cases, at)?;
        let safeguards = Safeguards {
            totals: SafeguardTotals::of(&cases),
            cases,
            recorded_by: person(by)?,
            recorded_at: at,
        };
        self.push(ReturnStep::RecordSafeguards, by, at, None, None)?;
        self.0.safeguards = Some(safeguards);
        Ok(self)
    }

    /// Sends the draft to the origin country. Refused, naming each missing safeguard, unless
    /// every person consented, no one has a pending protection claim and every unaccompanied
    /// or separated child has a best-interest determination; refused too for a date past.
    pub fn propose(mut self, by: &str, at: Timestamp) -> Result<ReturnOperation, ReturnError> {
        self.require(&[ReturnState::Draft], "propose")?;
        self.require_safeguards("propose")?;
        let planned = self.0.plan.planned_date;
        if planned < at.date_naive() {
            return Err(ReturnError::Invalid {
                field: "planned_date",
                reason: format!("the planned date {planned} has passed"),
            });
        }
        self.push(ReturnStep::Propose, by, at, None, None)?;
        Ok(self)
    }

    /// The origin country accepts the proposal for the planned date.
    pub fn accept(mut self, by: &str, at: Timestamp) -> Result<ReturnOperation, ReturnError> {
        self.require(&[ReturnState::Proposed], "accept")?;
        self.require_safeguards("accept")?;
        self.push(ReturnStep::Accept, by, at, None, None)?;
        Ok(self)
    }

    /// The origin country accepts for another date, saying why (reception capacity, a
    /// holiday, weather at the crossing).
    pub fn reschedule(
        mut self,
        new_date: NaiveDate,
        reason: &str,
        by: &str,
        at: Timestamp,
    ) -> Result<ReturnOperation, ReturnError> {
        self.require(
            &[
                ReturnState::Proposed,
                ReturnState::Accepted,
                ReturnState::Rescheduled,
            ],
            "reschedule",
        )?;
        let reason = checked_text(reason, 2000, "reason")?;
        if new_date < at.date_naive() {
            return Err(ReturnError::Invalid {
                field: "planned_date",
                reason: format!("the new date {new_date} has passed"),
            });
        }
        self.push(ReturnStep::Reschedule, by, at, Some(reason), Some(new_date))?;
        self.0.plan.planned_date = new_date;
        Ok(self)
    }

    /// The origin country refuses the return, or withdraws its acceptance before departure,
    /// saying why.
    pub fn decline(
        mut self,
        reason: &str,
        by: &str,
        at: Timestamp,
    ) -> Result<ReturnOperation, ReturnError> {
        self.require(
            &[
                ReturnState::Proposed,
                ReturnState::Accepted,
                ReturnState::Rescheduled,
            ],
            "decline",
        )?;
        let reason = checked_text(reason, 2000, "reason")?;
        self.push(ReturnStep::Decline, by, at, Some(reason), None)?;
        self.end(at);
        Ok(self)
    }

    /// The group has left the host country. The safeguards are checked once more: a claim
    /// recorded after acceptance stops the departure.
    pub fn depart(mut self, by: &str, at: Timestamp) -> Result<ReturnOperation, ReturnError> {
        self.require(&[ReturnState::Accepted, ReturnState::Rescheduled], "depart")?;
        self.require_safeguards("depart")?;
        self.push(ReturnStep::Depart, by, at, None, None)?;
        Ok(self)
    }

    /// The origin country confirms the reception with the numbers actually received, which
    /// may differ from those that left; both are kept ([`ReturnOperation::difference`]).
    /// The territories must be the origin country's, a division and a municipality of it
    /// are not both given, and they add up to at most the people received.
    pub fn receive(
        mut self,
        reception: ReceptionParts,
        by: &str,
        at: Timestamp,
    ) -> Result<ReturnOperation, ReturnError> {
        self.require(&[ReturnState::Departed], "receive")?;
        check_territories(self.origin(), &reception.group, &reception.by_territory)?;
        let note = optional_text(reception.note.as_deref(), 2000, "reception.note")?;
        self.push(ReturnStep::Receive, by, at, None, None)?;
        self.0.reception = Some(Reception {
            group: reception.group,
            by_territory: reception.by_territory,
            note,
            confirmed_by: person(by)?,
            confirmed_at: at,
        });
        self.end(at);
        Ok(self)
    }

    /// Nothing more is expected of the operation.
    pub fn close(mut self, by: &str, at: Timestamp) -> Result<ReturnOperation, ReturnError> {
        self.require(&[ReturnState::Received], "close")?;
        self.push(ReturnStep::Close, by, at, None, None)?;
        Ok(self)
    }

    /// The host country withdraws the operation before reception, saying why.
    pub fn cancel(
        mut self,
        reason: &str,
        by: &str,
        at: Timestamp,
    ) -> Result<ReturnOperation, ReturnError> {
        self.require(
            &[
                ReturnState::Draft,
                ReturnState::Proposed,
                ReturnState::Accepted,
                ReturnState::Rescheduled,
                ReturnState::Departed,
            ],
            "cancel",
        )?;
        let reason = checked_text(reason, 2000, "reason")?;
        self.push(ReturnStep::Cancel, by, at, Some(reason), None)?;
        self.end(at);
        Ok(self)
    }

    /// Drops the personal part (case references and determination references) once `now`
    /// is past [`ReturnOperation::purge_after`], keeping every count; otherwise returns the
    /// operation unchanged. Run by the retention job, recorded in the history.
    pub fn anonymise(mut self, now: Timestamp) -> ReturnOperation {
        let due = self
            .0
            .purge_after
            .is_some_and(|last_day| now.date_naive() > last_day);
        if !due || self.0.anonymised {
            return self;
        }
        if let Some(safeguards) = &mut self.0.safeguards {
            safeguards.cases.clear();
        }
        self.0.anonymised = true;
        let at = self.0.history.last().map_or(now, |event| event.at.max(now));
        let state = self.0.state;
        self.0.history.push(ReturnEvent {
            step: ReturnStep::Anonymise,
            state,
            by: "retention".to_owned(),
            at,
            reason: Some(format!(
                "retention period of {} days after {} passed",
                self.0.retention.as_days(),
                self.0
                    .purge_after
                    .map_or(String::new(), |day| day.to_string())
            )),
            planned_date: None,
        });
        self
    }

    fn require(&self, allowed: &[ReturnState], attempted: &'static str) -> Result<(), ReturnError> {
        if allowed.contains(&self.0.state) {
            Ok(())
        } else {
            Err(ReturnError::NotAllowed {
                state: self.0.state,
                attempted,
            })
        }
    }

    fn require_safeguards(&self, attempted: &'static str) -> Result<(), ReturnError> {
        let missing = self.missing_safeguards();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(ReturnError::SafeguardsMissing {
                attempted,
                missing: MissingSafeguards(missing),
            })
        }
    }

    /// Appends a step to the history and moves to its state; refuses a step dated before
    /// the last one, so that the timeline reads in order.
    fn push(
        &mut self,
        step: ReturnStep,
        by: &str,
        at: Timestamp,
        reason: Option<String>,
        planned_date: Option<NaiveDate>,
    ) -> Result<(), ReturnError> {
        let by = person(by)?;
        let state = transition(step, self.0.state).ok_or(ReturnError::NotAllowed {
            state: self.0.state,
            attempted: step.code(),
        })?;
        if let Some(last) = self.0.history.last().filter(|last| at < last.at) {
            return Err(ReturnError::Invalid {
                field: "at",
                reason: format!(
                    "{step} at {at} is earlier than {} at {}",
                    last.step, last.at
                ),
            });
        }
        self.0.history.push(ReturnEvent {
            step,
            state,
            by,
            at,
            reason,
            planned_date,
        });
        self.0.state = state;
        Ok(())
    }

    /// Starts the retention period: the personal part is no longer needed.
    fn end(&mut self, at: Timestamp) {
        self.0.purge_after = Some(self.0.retention.purge_after(at.date_naive()));
    }
}

impl TryFrom<ReturnOperationParts> for ReturnOperation {
    type Error = ReturnError;
    fn try_from(parts: ReturnOperationParts) -> Result<ReturnOperation, ReturnError> {
        ReturnOperation::restore(parts)
    }
}

impl From<ReturnOperation> for ReturnOperationParts {
    fn from(operation: ReturnOperation) -> ReturnOperationParts {
        operation.0
    }
}

fn missing_in(safeguards: Option<&Safeguards>) -> Vec<MissingSafeguard> {
    match safeguards {
        None => vec![MissingSafeguard::NotRecorded],
        Some(safeguards) => safeguards.totals.missing(),
    }
}

/// Checks a safeguards record's cases against the plan's group.
fn check_cases(
    plan: &ReturnPlan,
    cases: &[CaseSafeguards],
    recorded_at: Timestamp,
) -> Result<(), ReturnError> {
    let invalid = |reason: String| {
        Err(ReturnError::Invalid {
            field: "safeguards",
            reason,
        })
    };
    if cases.is_empty() {
        return invalid("a safeguards record has at least one case".to_owned());
    }
    let mut references = BTreeSet::new();
    let mut determinations = BTreeSet::new();
    let (mut people, mut children) = (0u64, 0u64);
    for case in cases {
        let name = &case.case;
        if name.country() != plan.host {
            return invalid(format!(
                "case {name} is not referenced with {}'s key",
                plan.host
            ));
        }
        if !references.insert(name) {
            return invalid(format!("case {name} is given twice"));
        }
        if case.people == 0 {
            return invalid(format!("case {name} has no one in it"));
        }
        for (what, count) in [
            ("informed and consenting", case.informed_and_consented),
            (
                "with a pending protection claim",
                case.pending_protection_claims,
            ),
            (
                "unaccompanied or separated children",
                case.children_needing_determination,
            ),
        ] {
            if count > case.people {
                return invalid(format!(
                    "case {name}: {count} {what} is more than its {} people",
                    case.people
                ));
            }
        }
        if case.best_interest_determinations.len() > case.children_needing_determination as usize {
            return invalid(format!(
                "case {name}: {} best-interest determinations for {} children needing one",
                case.best_interest_determinations.len(),
                case.children_needing_determination
            ));
        }
        for determination in &case.best_interest_determinations {
            if determination.date > recorded_at.date_naive() {
                return invalid(format!(
                    "case {name}: determination {} is dated {}, after the record",
                    determination.reference, determination.date
                ));
            }
            if !determinations.insert(&determination.reference) {
                return invalid(format!(
                    "determination {} is given twice",
                    determination.reference
                ));
            }
        }
        people += u64::from(case.people);
        children += u64::from(case.children_needing_determination);
    }
    let group = &plan.group;
    if people != u64::from(group.people()) {
        return invalid(format!(
            "the cases hold {people} people, the group {}: every person is in exactly one case",
            group.people()
        ));
    }
    if children != u64::from(group.children_needing_determination()) {
        return invalid(format!(
            "the cases hold {children} unaccompanied or separated children, the group {}",
            group.children_needing_determination()
        ));
    }
    Ok(())
}

/// Checks the territories of a reception against the origin country and the people received.
fn check_territories(
    origin: CountryCode,
    received: &ReturnGroup,
    by_territory: &BTreeMap<TerritoryCode, u32>,
) -> Result<(), ReturnError> {
    let invalid = |reason: String| {
        Err(ReturnError::Invalid {
            field: "reception.by_territory",
            reason,
        })
    };
    let mut total = 0u64;
    for (territory, people) in by_territory {
        if territory.country() != origin {
            return invalid(format!("{territory} is not a territory of {origin}"));
        }
        if territory.is_municipality() && by_territory.contains_key(&territory.division()) {
            return invalid(format!(
                "{territory} is within {}, which is also given: the people would count twice",
                territory.division()
            ));
        }
        total += u64::from(*people);
    }
    if total > u64::from(received.people()) {
        return invalid(format!(
            "the territories add up to {total}, more than the {} people received",
            received.people()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::returns::fixtures::*;

    type CaseChange<'a> = &'a dyn Fn(&mut Vec<CaseSafeguards>);
    type GroupChange<'a> = &'a dyn Fn(&mut ReturnGroupParts);

    fn proposed() -> ReturnOperation {
        tecun_uman_draft()
            .propose("mx.enlace", at("2024-03-04T15:00:00-06:00"))
            .unwrap()
    }

    fn departed() -> ReturnOperation {
        proposed()
            .accept("gt.enlace", at("2024-03-05T10:00:00-06:00"))
            .unwrap()
            .depart("mx.enlace", at("2024-03-12T07:00:00-06:00"))
            .unwrap()
    }

    /// The Tecún Umán draft with one change to its safeguards.
    fn draft_with(change: impl FnOnce(&mut Vec<CaseSafeguards>)) -> ReturnOperation {
        let mut cases = tecun_uman_cases();
        change(&mut cases);
        ReturnOperation::draft(
            tecun_uman_plan(),
            retention(),
            "mx.enlace",
            at("2024-03-04T09:00:00-06:00"),
        )
        .unwrap()
        .record_safeguards(cases, "mx.enlace", at("2024-03-04T11:30:00-06:00"))
        .unwrap()
    }

    /// Asserts that proposing is refused with exactly `expected` missing, and that the
    /// refusal names it.
    fn check_refused(operation: ReturnOperation, expected: &[MissingSafeguard], words: &str) {
        let before = operation.clone();
        let error = operation
            .clone()
            .propose("mx.enlace", at("2024-03-04T15:00:00-06:00"))
            .unwrap_err();
        let ReturnError::SafeguardsMissing { attempted, missing } = &error else {
            panic!("expected missing safeguards, got {error}");
        };
        assert_eq!(*attempted, "propose");
        assert_eq!(missing.0, expected);
        let message = error.to_string();
        assert!(message.contains(words), "{message}");
        assert_eq!(operation, before);
        assert_eq!(operation.state(), ReturnState::Draft);
    }

    #[test]
    fn a_draft_without_a_safeguards_record_cannot_be_proposed() {
        let draft = ReturnOperation::draft(
            tecun_uman_plan(),
            retention(),
            "mx.enlace",
            at("2024-03-04T09:00:00-06:00"),
        )
        .unwrap();
        check_refused(
            draft,
            &[MissingSafeguard::NotRecorded],
            "no safeguards are recorded",
        );
    }

    #[test]
    fn a_person_not_recorded_as_informed_and_consenting_blocks_the_proposal() {
        let draft = draft_with(|cases| cases[0].informed_and_consented = 3);
        check_refused(
            draft,
            &[MissingSafeguard::InformedConsent {
                people: 1,
                cases: 1,
            }],
            "informed consent: 1 person in 1 case",
        );
    }

    #[test]
    fn a_pending_protection_claim_blocks_the_proposal_for_non_refoulement() {
        let draft = draft_with(|cases| {
            cases[1].pending_protection_claims = 4;
            cases[10].pending_protection_claims = 1;
        });
        check_refused(
            draft,
            &[MissingSafeguard::NonRefoulement {
                people: 5,
                cases: 2,
            }],
            "non-refoulement: 5 people in 2 cases with a pending asylum or protection claim",
        );
    }

    #[test]
    fn a_child_without_a_best_interest_determination_blocks_the_proposal() {
        let draft = draft_with(|cases| cases[4].best_interest_determinations.clear());
        check_refused(
            draft,
            &[MissingSafeguard::BestInterestDetermination {
                children: 1,
                cases: 1,
            }],
            "best-interest determination: 1 unaccompanied or separated child in 1 case",
        );
    }

    #[test]
    fn one_unaccompanied_child_without_a_determination_blocks_the_whole_group_of_38() {
        // 37 people are ready; the 38th, a 15-year-old travelling alone, has no determination.
        let draft = draft_with(|cases| cases[3].best_interest_determinations.clear());
        assert_eq!(draft.group().people(), 38);
        let totals = draft.safeguards().unwrap().totals;
        assert_eq!(totals.informed_and_consented, 38);
        assert_eq!(totals.pending_protection_claims, 0);
        assert_eq!(totals.best_interest_determinations, 2);
        let error = draft
            .clone()
            .propose("mx.enlace", at("2024-03-04T15:00:00-06:00"))
            .unwrap_err();
        assert!(matches!(error, ReturnError::SafeguardsMissing { .. }));
        // Nothing further is possible either: the operation never left the draft.
        assert!(matches!(
            draft
                .clone()
                .accept("gt.enlace", at("2024-03-05T10:00:00-06:00")),
            Err(ReturnError::NotAllowed {
                state: ReturnState::Draft,
                ..
            })
        ));
        assert!(draft
            .depart("mx.enlace", at("2024-03-12T07:00:00-06:00"))
            .is_err());
    }

    #[test]
    fn every_missing_safeguard_is_named_at_once() {
        let draft = draft_with(|cases| {
            cases[0].informed_and_consented = 0;
            cases[5].pending_protection_claims = 1;
            cases[5].best_interest_determinations.clear();
        });
        check_refused(
            draft,
            &[
                MissingSafeguard::InformedConsent {
                    people: 4,
                    cases: 1,
                },
                MissingSafeguard::NonRefoulement {
                    people: 1,
                    cases: 1,
                },
                MissingSafeguard::BestInterestDetermination {
                    children: 1,
                    cases: 1,
                },
            ],
            "informed consent: 4 people in 1 case not recorded as informed and consenting; non-refoulement",
        );
    }

    #[test]
    fn a_claim_recorded_after_the_proposal_stops_acceptance_and_departure() {
        let mut cases = tecun_uman_cases();
        cases[12].pending_protection_claims = 1;
        let blocked = proposed()
            .record_safeguards(cases.clone(), "mx.enlace", at("2024-03-05T08:00:00-06:00"))
            .unwrap();
        let error = blocked
            .clone()
            .accept("gt.enlace", at("2024-03-05T10:00:00-06:00"))
            .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("cannot accept: safeguards missing: non-refoulement"),
            "{error}"
        );

        let accepted = proposed()
            .accept("gt.enlace", at("2024-03-05T10:00:00-06:00"))
            .unwrap()
            .record_safeguards(cases, "mx.enlace", at("2024-03-11T18:00:00-06:00"))
            .unwrap();
        assert_eq!(accepted.state(), ReturnState::Accepted);
        let error = accepted
            .depart("mx.enlace", at("2024-03-12T07:00:00-06:00"))
            .unwrap_err();
        assert!(
            error.to_string().starts_with(
                "cannot depart: safeguards missing: non-refoulement: 1 person in 1 case"
            ),
            "{error}"
        );
    }

    #[test]
    fn mexico_returns_38_by_land_to_tecun_uman_and_guatemala_receives_37() {
        let received = departed()
            .receive(
                ReceptionParts {
                    group: ReturnGroup::new(ReturnGroupParts {
                        people: 37,
                        by_sex: BTreeMap::from([(Sex::Female, 14), (Sex::Male, 23)]),
                        by_age_group: BTreeMap::from([
                            (AgeGroup::Age0To17, 9),
                            (AgeGroup::Age18To59, 27),
                            (AgeGroup::Age60Plus, 1),
                        ]),
                        unaccompanied_children: 2,
                        separated_children: 1,
                        family_units: 3,
                        people_in_family_units: 11,
                        people_with_specific_needs: 2,
                    })
                    .unwrap(),
                    by_territory: BTreeMap::from([
                        (TerritoryCode::parse("GT-HU").unwrap(), 12),
                        (TerritoryCode::parse("GT-SM").unwrap(), 9),
                        (TerritoryCode::parse("GT-QC").unwrap(), 8),
                        (TerritoryCode::parse("GT-QZ-0901").unwrap(), 5),
                    ]),
                    note: Some(
                        "Un hombre adulto quedó hospitalizado en Tapachula antes de la salida."
                            .to_owned(),
                    ),
                },
                "gt.recepcion",
                at("2024-03-12T13:30:00-06:00"),
            )
            .unwrap();
        assert_eq!(received.state(), ReturnState::Received);
        // Both numbers and their difference, for both countries.
        assert_eq!(received.group().people(), 38);
        assert_eq!(received.reception().unwrap().group.people(), 37);
        let difference = received.difference().unwrap();
        assert_eq!(difference.people, -1);
        assert_eq!(difference.by_sex, BTreeMap::from([(Sex::Male, -1)]));
        assert_eq!(
            difference.by_age_group,
            BTreeMap::from([(AgeGroup::Age18To59, -1)])
        );
        assert_eq!(difference.unaccompanied_children, 0);
        assert!(!difference.is_none());
        let steps: Vec<(ReturnStep, ReturnState, &str)> = received
            .history()
            .iter()
            .map(|event| (event.step, event.state, event.by.as_str()))
            .collect();
        assert_eq!(
            steps,
            [
                (ReturnStep::Draft, ReturnState::Draft, "mx.enlace"),
                (
                    ReturnStep::RecordSafeguards,
                    ReturnState::Draft,
                    "mx.enlace"
                ),
                (ReturnStep::Propose, ReturnState::Proposed, "mx.enlace"),
                (ReturnStep::Accept, ReturnState::Accepted, "gt.enlace"),
                (ReturnStep::Depart, ReturnState::Departed, "mx.enlace"),
                (ReturnStep::Receive, ReturnState::Received, "gt.recepcion"),
            ]
        );
        // The retention period starts at reception: 180 days after 12 March 2024.
        assert_eq!(received.purge_after(), Some(day("2024-09-08")));
        let closed = received
            .close("gt.enlace", at("2024-03-15T09:00:00-06:00"))
            .unwrap();
        assert_eq!(closed.state(), ReturnState::Closed);
        let json = serde_json::to_string(&closed).unwrap();
        assert_eq!(
            serde_json::from_str::<ReturnOperation>(&json).unwrap(),
            closed
        );
    }

    #[test]
    fn the_usa_flight_of_135_to_the_fag_is_rescheduled_by_guatemala_with_its_reason() {
        let flight = ReturnOperation::draft(
            fag_flight_plan(),
            retention(),
            "us.liaison",
            at("2024-05-13T10:00:00-05:00"),
        )
        .unwrap()
        .record_safeguards(
            fag_flight_cases(),
            "us.liaison",
            at("2024-05-13T10:30:00-05:00"),
        )
        .unwrap()
        .propose("us.liaison", at("2024-05-13T11:00:00-05:00"))
        .unwrap()
        .reschedule(
            day("2024-05-23"),
            "El centro de recepción de la FAG recibe ya tres vuelos el 21 de mayo.",
            "gt.enlace",
            at("2024-05-14T09:00:00-06:00"),
        )
        .unwrap();
        assert_eq!(flight.state(), ReturnState::Rescheduled);
        assert_eq!(flight.plan().planned_date, day("2024-05-23"));
        let event = flight.history().last().unwrap();
        assert_eq!(event.step, ReturnStep::Reschedule);
        assert_eq!(event.planned_date, Some(day("2024-05-23")));
        assert!(event.reason.as_deref().unwrap().contains("tres vuelos"));
        assert_eq!(flight.case_references().len(), 121);
        let departed = flight
            .depart("us.liaison", at("2024-05-23T06:10:00-05:00"))
            .unwrap();
        let received = departed
            .receive(
                ReceptionParts {
                    group: fag_flight_plan().group,
                    by_territory: BTreeMap::new(),
                    note: None,
                },
                "gt.recepcion",
                at("2024-05-23T11:45:00-06:00"),
            )
            .unwrap();
        assert!(received.difference().unwrap().is_none());
        assert!(fag_flight_plan().planned_date < received.plan().planned_date);
    }

    #[test]
    fn a_reschedule_or_decline_needs_a_reason_and_a_decline_ends_the_operation() {
        let refused = proposed().reschedule(
            day("2024-03-19"),
            "  ",
            "gt.enlace",
            at("2024-03-05T10:00:00-06:00"),
        );
        assert!(matches!(
            refused,
            Err(ReturnError::Invalid {
                field: "reason",
                ..
            })
        ));
        assert!(proposed()
            .reschedule(
                day("2024-03-01"),
                "capacidad",
                "gt.enlace",
                at("2024-03-05T10:00:00-06:00")
            )
            .is_err());
        let declined = proposed()
            .decline(
                "Tres personas no son de nacionalidad guatemalteca según el RENAP.",
                "gt.enlace",
                at("2024-03-05T10:00:00-06:00"),
            )
            .unwrap();
        assert_eq!(declined.state(), ReturnState::Declined);
        assert_eq!(declined.purge_after(), Some(day("2024-09-01")));
        assert!(matches!(
            declined.depart("mx.enlace", at("2024-03-12T07:00:00-06:00")),
            Err(ReturnError::NotAllowed {
                state: ReturnState::Declined,
                attempted: "depart"
            })
        ));
    }

    #[test]
    fn cancellation_is_possible_until_reception_and_not_after() {
        let cancelled = departed()
            .cancel(
                "El autobús regresó: puente fronterizo cerrado por protestas.",
                "mx.enlace",
                at("2024-03-12T09:00:00-06:00"),
            )
            .unwrap();
        assert_eq!(cancelled.state(), ReturnState::Cancelled);
        assert!(cancelled.history().last().unwrap().reason.is_some());
        assert!(tecun_uman_draft()
            .cancel("sin motivo", "mx.enlace", at("2024-03-04T12:00:00-06:00"))
            .is_ok());
        let received = departed()
            .receive(
                ReceptionParts {
                    group: tecun_uman_group(),
                    by_territory: BTreeMap::new(),
                    note: None,
                },
                "gt.recepcion",
                at("2024-03-12T13:30:00-06:00"),
            )
            .unwrap();
        assert!(matches!(
            received.cancel("tarde", "mx.enlace", at("2024-03-12T14:00:00-06:00")),
            Err(ReturnError::NotAllowed {
                state: ReturnState::Received,
                attempted: "cancel"
            })
        ));
        assert!(proposed()
            .cancel("", "mx.enlace", at("2024-03-04T16:00:00-06:00"))
            .is_err());
    }

    #[test]
    fn steps_out_of_order_or_out_of_time_are_refused_naming_the_state() {
        let error = proposed()
            .depart("mx.enlace", at("2024-03-12T07:00:00-06:00"))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot depart: the return operation is proposed"
        );
        assert!(tecun_uman_draft()
            .receive(
                ReceptionParts {
                    group: tecun_uman_group(),
                    by_territory: BTreeMap::new(),
                    note: None
                },
                "gt.recepcion",
                at("2024-03-12T13:30:00-06:00"),
            )
            .is_err());
        // Accepting before the proposal was sent makes the timeline lie.
        let error = proposed()
            .accept("gt.enlace", at("2024-03-04T14:00:00-06:00"))
            .unwrap_err();
        assert!(
            matches!(error, ReturnError::Invalid { field: "at", .. }),
            "{error}"
        );
        // A proposal for a day already past.
        let error = tecun_uman_draft()
            .propose("mx.enlace", at("2024-03-13T08:00:00-06:00"))
            .unwrap_err();
        assert!(
            error.to_string().contains("2024-03-12 has passed"),
            "{error}"
        );
        assert!(proposed()
            .record_safeguards(
                tecun_uman_cases(),
                "mx.enlace",
                at("2024-03-04T16:00:00-06:00")
            )
            .is_ok());
        assert!(departed()
            .record_safeguards(
                tecun_uman_cases(),
                "mx.enlace",
                at("2024-03-12T08:00:00-06:00")
            )
            .is_err());
    }

    #[test]
    fn safeguard_records_that_do_not_account_for_the_group_are_refused() {
        let draft = || {
            ReturnOperation::draft(
                tecun_uman_plan(),
                retention(),
                "mx.enlace",
                at("2024-03-04T09:00:00-06:00"),
            )
            .unwrap()
        };
        let record = |change: &dyn Fn(&mut Vec<CaseSafeguards>)| {
            let mut cases = tecun_uman_cases();
            change(&mut cases);
            draft()
                .record_safeguards(cases, "mx.enlace", at("2024-03-04T11:30:00-06:00"))
                .unwrap_err()
                .to_string()
        };
        let cases: [(CaseChange, &str); 7] = [
            (
                &|cases| {
                    cases.pop();
                },
                "the cases hold 37 people, the group 38",
            ),
            (
                &|cases| cases[6].children_needing_determination = 1,
                "the cases hold 4 unaccompanied or separated children, the group 3",
            ),
            (
                &|cases| {
                    let copy = cases[6].clone();
                    cases[7] = copy;
                },
                "is given twice",
            ),
            (
                &|cases| cases[0].informed_and_consented = 5,
                "5 informed and consenting is more than its 4 people",
            ),
            (
                &|cases| {
                    cases[7].case =
                        CaseReference::derive(country("USA"), &usa_key(), "X-1").unwrap();
                },
                "is not referenced with MEX's key",
            ),
            (
                &|cases| cases[3].best_interest_determinations[0].date = day("2024-03-05"),
                "after the record",
            ),
            (&|cases| cases.clear(), "at least one case"),
        ];
        for (change, expected) in cases {
            let message = record(change);
            assert!(message.contains(expected), "{message} / {expected}");
        }
    }

    #[test]
    fn group_compositions_are_checked_against_their_total() {
        let group = |change: &dyn Fn(&mut ReturnGroupParts)| {
            let mut parts = tecun_uman_group().parts().clone();
            change(&mut parts);
            ReturnGroup::new(parts).map_err(|error| error.to_string())
        };
        assert!(group(&|_| {}).is_ok());
        let refused: [(GroupChange, &str); 6] = [
            (&|parts| parts.people = 0, "at least one person"),
            (
                &|parts| {
                    parts.by_sex.insert(Sex::Female, 15);
                },
                "the sexes add up to 39",
            ),
            (
                &|parts| {
                    parts.by_age_group.insert(AgeGroup::Age0To4, 1);
                },
                "overlap",
            ),
            (
                &|parts| parts.unaccompanied_children = 9,
                "10 unaccompanied or separated children is more than the 9 children",
            ),
            (
                &|parts| parts.people_in_family_units = 5,
                "3 family units cannot hold 5",
            ),
            (
                &|parts| parts.people_with_specific_needs = 39,
                "39 people with specific needs",
            ),
        ];
        for (change, expected) in refused {
            let message = group(change).unwrap_err();
            assert!(message.contains(expected), "{message} / {expected}");
        }
        // With the ages unknown, the children cannot be checked against them.
        assert!(group(&|parts| {
            parts.by_age_group.clear();
            parts.unaccompanied_children = 9;
        })
        .is_ok());
    }

    #[test]
    fn case_references_vanish_after_the_retention_period_and_the_counts_stay() {
        let received = departed()
            .receive(
                ReceptionParts {
                    group: tecun_uman_group(),
                    by_territory: BTreeMap::from([(TerritoryCode::parse("GT-HU").unwrap(), 20)]),
                    note: None,
                },
                "gt.recepcion",
                at("2024-03-12T13:30:00-06:00"),
            )
            .unwrap();
        assert_eq!(received.case_references().len(), 30);
        let totals = received.safeguards().unwrap().totals;
        // On the last day of the period, everything is still there.
        let kept = received.clone().anonymise(at("2024-09-08T23:00:00-06:00"));
        assert_eq!(kept, received);
        let anonymised = received.clone().anonymise(at("2024-09-09T02:00:00-06:00"));
        assert!(anonymised.is_anonymised());
        assert!(anonymised.case_references().is_empty());
        assert_eq!(anonymised.safeguards().unwrap().totals, totals);
        assert_eq!(anonymised.group(), received.group());
        assert_eq!(anonymised.reception(), received.reception());
        assert_eq!(
            anonymised.history().last().unwrap().step,
            ReturnStep::Anonymise
        );
        let json = serde_json::to_string(&anonymised).unwrap();
        for reference in received.case_references() {
            assert!(!json.contains(reference.as_str()));
        }
        assert!(!json.contains("PGN-PNA-2024"));
        assert_eq!(
            serde_json::from_str::<ReturnOperation>(&json).unwrap(),
            anonymised
        );
        // Anonymising again changes nothing; an operation still under way is never purged.
        assert_eq!(
            anonymised
                .clone()
                .anonymise(at("2025-01-01T00:00:00-06:00")),
            anonymised
        );
        let under_way = departed();
        assert_eq!(
            under_way.clone().anonymise(at("2030-01-01T00:00:00-06:00")),
            under_way
        );
    }

    #[test]
    fn the_secretariat_view_has_the_counts_without_the_cases() {
        let parts = proposed().without_cases();
        let safeguards = parts.safeguards.as_ref().unwrap();
        assert!(safeguards.cases.is_empty());
        assert_eq!(safeguards.totals.people, 38);
        assert_eq!(safeguards.totals.cases, 30);
    }

    #[test]
    fn restoring_refuses_what_the_workflow_could_not_have_produced() {
        let mut parts: ReturnOperationParts = departed().into();
        let mut skipped = parts.clone();
        skipped
            .history
            .retain(|event| event.step != ReturnStep::Accept);
        assert!(ReturnOperation::restore(skipped).is_err());
        // A departed operation whose record shows a pending claim was tampered with.
        let safeguards = parts.safeguards.as_mut().unwrap();
        safeguards.cases[2].pending_protection_claims = 1;
        safeguards.totals = SafeguardTotals::of(&safeguards.cases);
        let error = ReturnOperation::restore(parts.clone()).unwrap_err();
        assert!(
            matches!(error, ReturnError::SafeguardsMissing { .. }),
            "{error}"
        );
        parts.safeguards.as_mut().unwrap().totals.people = 1;
        assert!(ReturnOperation::restore(parts).is_err());
        let restored = ReturnOperation::restore(departed().into()).unwrap();
        assert_eq!(restored, departed());
    }

    #[test]
    fn reception_territories_belong_to_the_origin_and_add_up_to_at_most_the_people_received() {
        let receive = |by_territory: &[(&str, u32)]| {
            departed()
                .receive(
                    ReceptionParts {
                        group: tecun_uman_group(),
                        by_territory: by_territory
                            .iter()
                            .map(|(code, n)| (TerritoryCode::parse(code).unwrap(), *n))
                            .collect(),
                        note: None,
                    },
                    "gt.recepcion",
                    at("2024-03-12T13:30:00-06:00"),
                )
                .map_err(|error| error.to_string())
        };
        assert!(receive(&[("GT-HU", 30), ("GT-QZ-0901", 8)]).is_ok());
        assert!(receive(&[("MX-CHP", 1)])
            .unwrap_err()
            .contains("not a territory of GTM"));
        assert!(receive(&[("GT-QZ", 3), ("GT-QZ-0901", 2)])
            .unwrap_err()
            .contains("count twice"));
        assert!(receive(&[("GT-HU", 30), ("GT-SM", 9)])
            .unwrap_err()
            .contains("39"));
    }

    /// One step a person might try, right or wrong, for the random walks below.
    #[derive(Debug, Clone)]
    enum Attempt {
        /// Record safeguards with one defect: 0 none, 1 consent, 2 a pending claim, 3 a
        /// missing determination; in case `case`.
        Safeguards {
            defect: u8,
            case: usize,
        },
        Propose,
        Accept,
        Reschedule,
        Decline,
        Depart,
        Receive {
            fewer: u32,
        },
        Close,
        Cancel,
        Anonymise {
            days: i64,
        },
    }

    fn attempt() -> impl proptest::strategy::Strategy<Value = Attempt> {
        use proptest::prelude::*;
        prop_oneof![
            (0u8..4, 0usize..30).prop_map(|(defect, case)| Attempt::Safeguards { defect, case }),
            Just(Attempt::Propose),
            Just(Attempt::Accept),
            Just(Attempt::Reschedule),
            Just(Attempt::Decline),
            Just(Attempt::Depart),
            (0u32..5).prop_map(|fewer| Attempt::Receive { fewer }),
            Just(Attempt::Close),
            Just(Attempt::Cancel),
            (0i64..400).prop_map(|days| Attempt::Anonymise { days }),
        ]
    }

    fn apply(
        operation: &ReturnOperation,
        attempt: &Attempt,
        now: Timestamp,
    ) -> Result<ReturnOperation, ReturnError> {
        let operation = operation.clone();
        match *attempt {
            Attempt::Safeguards { defect, case } => {
                let mut cases = tecun_uman_cases();
                match defect {
                    1 => cases[case].informed_and_consented = 0,
                    2 => cases[case].pending_protection_claims = 1,
                    3 => cases[3 + case % 3].best_interest_determinations.clear(),
                    _ => {}
                }
                operation.record_safeguards(cases, "mx.enlace", now)
            }
            Attempt::Propose => operation.propose("mx.enlace", now),
            Attempt::Accept => operation.accept("gt.enlace", now),
            Attempt::Reschedule => operation.reschedule(
                now.date_naive() + chrono::Days::new(3),
                "capacidad de recepción",
                "gt.enlace",
                now,
            ),
            Attempt::Decline => operation.decline("sin capacidad", "gt.enlace", now),
            Attempt::Depart => operation.depart("mx.enlace", now),
            Attempt::Receive { fewer } => operation.receive(
                ReceptionParts {
                    group: ReturnGroup::new(ReturnGroupParts {
                        people: 38 - fewer,
                        ..ReturnGroupParts::default()
                    })
                    .expect("a group of 34 to 38 people with no breakdown is valid"),
                    by_territory: BTreeMap::new(),
                    note: None,
                },
                "gt.recepcion",
                now,
            ),
            Attempt::Close => operation.close("gt.enlace", now),
            Attempt::Cancel => operation.cancel("motivo", "mx.enlace", now),
            Attempt::Anonymise { days } => {
                Ok(operation.anonymise(now + chrono::Duration::days(days)))
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn whatever_the_workflow_produces_restores_and_nothing_departs_without_its_safeguards(
            attempts in proptest::collection::vec(attempt(), 0..14)
        ) {
            let mut operation = tecun_uman_draft();
            let mut now = at("2024-03-04T12:00:00-06:00");
            for attempt in &attempts {
                now += chrono::Duration::hours(5);
                let before = operation.clone();
                match apply(&operation, attempt, now) {
                    Ok(next) => operation = next,
                    Err(error) => {
                        // A refusal says why in words, and the caller's operation is intact.
                        proptest::prop_assert!(!error.to_string().is_empty());
                        proptest::prop_assert_eq!(&operation, &before);
                    }
                }
                let restored = ReturnOperation::restore(operation.clone().into());
                proptest::prop_assert_eq!(restored, Ok(operation.clone()));
                // Whatever was recorded along the way, a group that left had every safeguard.
                if matches!(
                    operation.state(),
                    ReturnState::Departed | ReturnState::Received | ReturnState::Closed
                ) {
                    proptest::prop_assert!(operation.missing_safeguards().is_empty());
                }
                if operation.is_anonymised() {
                    proptest::prop_assert!(operation.case_references().is_empty());
                }
            }
        }
    }
}
