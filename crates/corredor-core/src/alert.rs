//! The migratory alert between countries (phase III of the RCM Regional Strategy): the
//! structured warning a country sends to the countries ahead on the route when a mass
//! irregular flow forms, acknowledged by each recipient, with the human-rights actions each
//! guarantees and takes.
//!
//! Everything here is pure: times are passed in, ids are assigned by storage, and every
//! lifecycle step either returns the changed alert or an error that names the state and
//! changes nothing. Who may take a step is decided by [`crate::authorize`]
//! ([`crate::Action::IssueAlert`], [`crate::Action::RespondToAlert`]); this module decides
//! whether the step makes sense for the alert.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::code::{CountryCode, Nationality};
use crate::corridor::{Corridor, CorridorCode};
use crate::error::CoreError;
use crate::measure::vocabulary;
use crate::place::PlaceCode;

/// When something happened, with the offset it was stated in (CAP 1.2 times carry offsets).
pub type Timestamp = DateTime<FixedOffset>;

vocabulary! {
    /// The state of a country (or place), each level obliging an agreed response. Ordered:
    /// `Normal < Elevated < High < Critical`.
    pub enum AlertLevel (UnknownAlertLevel) {
        Normal = "normal",
        Elevated = "elevated",
        High = "high",
        Critical = "critical",
    }
}

vocabulary! {
    /// Where the flow is in its course.
    pub enum FlowStage (UnknownFlowStage) {
        /// People are gathering (e.g. at a staging point such as Necoclí) and have not left.
        Forming = "forming",
        /// The flow is moving along the route inside the issuing country.
        InTransit = "in_transit",
        /// The flow is at the issuing country's border with the next country on the route.
        AtBorder = "at_border",
        /// The flow has broken up; no mass movement remains.
        Dispersed = "dispersed",
    }
}

vocabulary! {
    /// Where an alert is in its lifecycle: draft → active → closed, or cancelled.
    pub enum AlertState (UnknownAlertState) {
        /// Being written by the issuing country; no recipient sees it yet.
        Draft = "draft",
        /// Sent: recipients see it, acknowledge it and record actions.
        Active = "active",
        /// Ended because the flow passed or dispersed; actions may still be recorded.
        Closed = "closed",
        /// Withdrawn (issued in error, or the flow never formed), with a reason.
        Cancelled = "cancelled",
    }
}

vocabulary! {
    /// The human-rights actions phase III asks countries to guarantee for people in the flow.
    pub enum RequiredAction (UnknownRequiredAction) {
        HumanitarianAssistance = "humanitarian_assistance",
        HealthCare = "health_care",
        /// Identifying people with international protection needs and other vulnerabilities.
        ProtectionScreening = "protection_screening",
        /// Referral to the asylum procedure of people who ask for international protection.
        AsylumReferral = "asylum_referral",
        /// Care of unaccompanied and separated children, with a best-interest determination.
        UnaccompaniedChildrenCare = "unaccompanied_children_care",
        /// Active measures so that force is used only as law and proportionality allow
        /// (briefing of border forces, independent observers present).
        UseOfForceRegulation = "use_of_force_regulation",
        /// Information on assisted voluntary return for people who may choose it.
        VoluntaryReturnInformation = "voluntary_return_information",
    }
}

vocabulary! {
    /// What a recipient country says about one required action for the flow.
    ///
    /// `guaranteed` is a commitment made before the flow arrives (capacity in place);
    /// `in_progress` and `done` report what is being or was provided to the people of this
    /// flow; `not_possible` says the country cannot provide it, and must say why (a note), so
    /// that the region can fill the gap.
    pub enum ActionStatus (UnknownActionStatus) {
        Guaranteed = "guaranteed",
        InProgress = "in_progress",
        Done = "done",
        NotPossible = "not_possible",
    }
}

vocabulary! {
    /// Which way a flow moves along a corridor: northbound follows the corridor's order of
    /// nodes, southbound the reverse.
    pub enum Direction (UnknownDirection) {
        Northbound = "northbound",
        Southbound = "southbound",
    }
}

impl ActionStatus {
    /// Whether the status meets an obligation: a guarantee or an action under way or done.
    pub fn meets_obligation(self) -> bool {
        !matches!(self, ActionStatus::NotPossible)
    }
}

/// The identifier storage gives an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AlertId(pub i64);

// ---------------------------------------------------------------------------------------
// Content

/// How many people a nationality accounts for in a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NationalityEstimate {
    pub nationality: Nationality,
    pub estimated_people: u32,
}

/// The unchecked parts of a [`FlowComposition`], as a form or a file states them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FlowCompositionParts {
    pub estimated_people: u32,
    #[serde(default)]
    pub women: Option<u32>,
    #[serde(default)]
    pub children: Option<u32>,
    #[serde(default)]
    pub unaccompanied_children: Option<u32>,
    #[serde(default)]
    pub pregnant_women: Option<u32>,
    #[serde(default)]
    pub people_with_disabilities: Option<u32>,
    #[serde(default)]
    pub older_people: Option<u32>,
    #[serde(default)]
    pub nationalities: Vec<NationalityEstimate>,
}

/// The estimated size and composition of a flow. The parts are optional because first
/// estimates often only give a total; a part is never more than the total, unaccompanied
/// children are children and pregnant women are women, and the nationalities (each once)
/// add up to at most the total (the rest is not yet known).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "FlowCompositionParts", into = "FlowCompositionParts")]
pub struct FlowComposition(FlowCompositionParts);

impl FlowComposition {
    pub fn new(parts: FlowCompositionParts) -> Result<FlowComposition, CoreError> {
        let invalid = |reason: String| {
            Err(CoreError::InvalidAlert {
                field: "composition",
                reason,
            })
        };
        let total = parts.estimated_people;
        if total == 0 {
            return invalid("a flow has at least one person".to_owned());
        }
        let named = [
            ("women", parts.women),
            ("children", parts.children),
            ("unaccompanied_children", parts.unaccompanied_children),
            ("pregnant_women", parts.pregnant_women),
            ("people_with_disabilities", parts.people_with_disabilities),
            ("older_people", parts.older_people),
        ];
        for (name, count) in named {
            if let Some(count) = count.filter(|count| *count > total) {
                return invalid(format!(
                    "{name} ({count}) is more than the estimated people ({total})"
                ));
            }
        }
        if let (Some(unaccompanied), children) = (parts.unaccompanied_children, parts.children) {
            // Unknown children with known unaccompanied children is accepted: the count of
            // unaccompanied children often comes first, from child-protection services.
            if let Some(children) = children.filter(|children| unaccompanied > *children) {
                return invalid(format!(
                    "unaccompanied_children ({unaccompanied}) is more than children ({children})"
                ));
            }
        }
        if let (Some(pregnant), Some(women)) = (parts.pregnant_women, parts.women) {
            if pregnant > women {
                return invalid(format!(
                    "pregnant_women ({pregnant}) is more than women ({women})"
                ));
            }
        }
        let mut seen = BTreeSet::new();
        let mut sum = 0u64;
        for estimate in &parts.nationalities {
            if !seen.insert(estimate.nationality) {
                return invalid(format!(
                    "nationality {} is given twice",
                    estimate.nationality
                ));
            }
            sum += u64::from(estimate.estimated_people);
        }
        if sum > u64::from(total) {
            return invalid(format!(
                "the nationalities add up to {sum}, more than the estimated people ({total})"
            ));
        }
        Ok(FlowComposition(parts))
    }

    pub fn estimated_people(&self) -> u32 {
        self.0.estimated_people
    }

    pub fn parts(&self) -> &FlowCompositionParts {
        &self.0
    }
}

impl TryFrom<FlowCompositionParts> for FlowComposition {
    type Error = CoreError;
    fn try_from(parts: FlowCompositionParts) -> Result<FlowComposition, CoreError> {
        FlowComposition::new(parts)
    }
}

impl From<FlowComposition> for FlowCompositionParts {
    fn from(composition: FlowComposition) -> FlowCompositionParts {
        composition.0
    }
}

/// A point on Earth, latitude first as CAP 1.2 writes it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub latitude: f64,
    pub longitude: f64,
}

impl Point {
    fn check(self) -> Result<Point, CoreError> {
        let on_earth =
            (-90.0..=90.0).contains(&self.latitude) && (-180.0..=180.0).contains(&self.longitude);
        if on_earth {
            Ok(self)
        } else {
            Err(CoreError::InvalidCoordinates {
                latitude: self.latitude,
                longitude: self.longitude,
            })
        }
    }
}

/// Where a flow (or a stranded population) is: a known place, or an area drawn on a map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Area {
    Place {
        place: PlaceCode,
    },
    Circle {
        centre: Point,
        radius_km: f64,
    },
    /// A closed ring: the first point is repeated at the end, as CAP 1.2 requires.
    Polygon {
        points: Vec<Point>,
    },
}

/// The unchecked parts of an [`AlertLocation`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertLocationParts {
    pub area: Area,
    /// Words a person reads (CAP `areaDesc`), e.g. "Necoclí, Antioquia: playa y muelle".
    pub description: String,
}

/// Where the flow is, with a description. Invariant: coordinates on Earth, a circle's radius
/// above zero and at most 1,000 km, a polygon of at least three distinct points stored
/// closed, a description of 1 to 500 characters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "AlertLocationParts", into = "AlertLocationParts")]
pub struct AlertLocation(AlertLocationParts);

impl AlertLocation {
    pub fn new(area: Area, description: &str) -> Result<AlertLocation, CoreError> {
        let invalid = |reason: String| {
            Err(CoreError::InvalidAlert {
                field: "location",
                reason,
            })
        };
        let area = match area {
            Area::Place { place } => Area::Place { place },
            Area::Circle { centre, radius_km } => {
                let centre = centre.check()?;
                // 1,000 km covers any national territory on the corridor; a larger circle
                // says nothing about where the flow is.
                if !(radius_km > 0.0 && radius_km <= 1000.0) {
                    return invalid(format!(
                        "a circle's radius is above 0 and at most 1000 km, not {radius_km}"
                    ));
                }
                Area::Circle { centre, radius_km }
            }
            Area::Polygon { mut points } => {
                for point in &points {
                    point.check()?;
                }
                if points.len() > 1 && points.first() == points.last() {
                    points.pop();
                }
                let mut distinct: Vec<Point> = Vec::new();
                for point in &points {
                    if !distinct.contains(point) {
                        distinct.push(*point);
                    }
                }
                if distinct.len() < 3 {
                    return invalid(format!(
                        "a polygon has at least three distinct points, not {}",
                        distinct.len()
                    ));
                }
                points.push(points[0]);
                Area::Polygon { points }
            }
        };
        let description =
            checked_text(description, 500).map_err(|reason| CoreError::InvalidAlert {
                field: "location.description",
                reason,
            })?;
        Ok(AlertLocation(AlertLocationParts { area, description }))
    }

    pub fn area(&self) -> &Area {
        &self.0.area
    }

    pub fn description(&self) -> &str {
        &self.0.description
    }
}

impl TryFrom<AlertLocationParts> for AlertLocation {
    type Error = CoreError;
    fn try_from(parts: AlertLocationParts) -> Result<AlertLocation, CoreError> {
        AlertLocation::new(parts.area, &parts.description)
    }
}

impl From<AlertLocation> for AlertLocationParts {
    fn from(location: AlertLocation) -> AlertLocationParts {
        location.0
    }
}

/// The text of an alert in one language (one CAP `info` block).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextBlock {
    /// At most 160 characters, as CAP 1.2 recommends for headlines.
    pub headline: String,
    /// At most 4,000 characters.
    pub description: String,
    /// What recipients are asked to do; at most 4,000 characters.
    #[serde(default)]
    pub instruction: Option<String>,
}

/// The unchecked parts of an [`AlertText`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertTextParts {
    #[serde(default)]
    pub spanish: Option<TextBlock>,
    #[serde(default)]
    pub english: Option<TextBlock>,
}

/// The words of an alert, in Spanish and/or English. Invariant: at least one language; each
/// block has a headline and a description, trimmed and within their lengths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AlertTextParts", into = "AlertTextParts")]
pub struct AlertText(AlertTextParts);

impl AlertText {
    pub fn new(
        spanish: Option<TextBlock>,
        english: Option<TextBlock>,
    ) -> Result<AlertText, CoreError> {
        if spanish.is_none() && english.is_none() {
            return Err(CoreError::InvalidAlert {
                field: "text",
                reason: "an alert is written in Spanish, English or both".to_owned(),
            });
        }
        let check = |block: Option<TextBlock>, field: &'static str| {
            block
                .map(|block| {
                    let invalid = |reason| CoreError::InvalidAlert { field, reason };
                    Ok::<_, CoreError>(TextBlock {
                        headline: checked_text(&block.headline, 160).map_err(invalid)?,
                        description: checked_text(&block.description, 4000).map_err(invalid)?,
                        instruction: block
                            .instruction
                            .filter(|text| !text.trim().is_empty())
                            .map(|text| checked_text(&text, 4000))
                            .transpose()
                            .map_err(invalid)?,
                    })
                })
                .transpose()
        };
        Ok(AlertText(AlertTextParts {
            spanish: check(spanish, "text.spanish")?,
            english: check(english, "text.english")?,
        }))
    }

    pub fn spanish(&self) -> Option<&TextBlock> {
        self.0.spanish.as_ref()
    }

    pub fn english(&self) -> Option<&TextBlock> {
        self.0.english.as_ref()
    }
}

impl TryFrom<AlertTextParts> for AlertText {
    type Error = CoreError;
    fn try_from(parts: AlertTextParts) -> Result<AlertText, CoreError> {
        AlertText::new(parts.spanish, parts.english)
    }
}

impl From<AlertText> for AlertTextParts {
    fn from(text: AlertText) -> AlertTextParts {
        text.0
    }
}

/// The protection and humanitarian needs of the people in a flow (or a stranded population).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Needs {
    /// Each action at most once, in the vocabulary's order.
    pub actions: BTreeSet<RequiredAction>,
    /// Anything the vocabulary does not say (e.g. "water and oral rehydration for 1,200").
    #[serde(default)]
    pub note: Option<String>,
}

/// The route of a flow: the corridor it follows and which way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    pub corridor: CorridorCode,
    pub direction: Direction,
}

/// What one version of an alert says. Each part is validated when it is built.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertContent {
    pub composition: FlowComposition,
    pub location: AlertLocation,
    pub route: Route,
    pub stage: FlowStage,
    pub needs: Needs,
    pub text: AlertText,
}

impl AlertContent {
    fn check(&self) -> Result<(), CoreError> {
        if let Some(note) = &self.needs.note {
            checked_text(note, 2000).map_err(|reason| CoreError::InvalidAlert {
                field: "needs.note",
                reason,
            })?;
        }
        Ok(())
    }
}

/// One version of an alert: version 1 is the first issue, each update adds one and says
/// what changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertVersion {
    pub number: u32,
    pub content: AlertContent,
    pub issued_at: Timestamp,
    pub issued_by: String,
    /// Required for versions after the first.
    pub what_changed: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Recipients

/// Where an arrival window comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowBasis {
    /// The corridor's typical leg transit times and [`ArrivalWindowRule`].
    TransitTimes,
    /// An arrival forecast (corredor-analytics), which replaces the transit-time window.
    Forecast,
}

/// When the flow is expected at a recipient country, first and last day included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrivalWindow {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub basis: WindowBasis,
}

impl ArrivalWindow {
    /// A window from an arrival forecast: the hook through which forecasts replace the
    /// transit-time rule (see [`Alert::set_arrival_window`]).
    pub fn forecast(from: NaiveDate, to: NaiveDate) -> Result<ArrivalWindow, CoreError> {
        if from > to {
            return Err(CoreError::InvalidAlert {
                field: "arrival_window",
                reason: format!("the window starts ({from}) after it ends ({to})"),
            });
        }
        Ok(ArrivalWindow {
            from,
            to,
            basis: WindowBasis::Forecast,
        })
    }
}

/// How an arrival window is drawn around the typical cumulative transit time `d` days from
/// the issuing country: from `floor(d × early)` to `ceil(d × late)` days after the flow was
/// seen.
///
/// This is a planning rule, not a fitted distribution. The corridor's leg times are
/// medians, and transit times are right-skewed (people stop to earn money, wait in shelters
/// and stations, are held at borders), so the window reaches further late than early. With
/// the regional default (0.75, 1.5) and the shipped northbound corridor, a flow seen in
/// Panama reaches Mexico's southern border in 28 typical days, the "approximately four
/// weeks" of the RCM Border Management concept note (20 September 2021), and the window is
/// 21 to 42 days: three to six weeks. A forecast, when one exists, replaces it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ArrivalWindowRule {
    pub early: f64,
    pub late: f64,
}

impl ArrivalWindowRule {
    pub const REGIONAL_DEFAULT: ArrivalWindowRule = ArrivalWindowRule {
        early: 0.75,
        late: 1.5,
    };

    /// The window for a country `cumulative_days` typical transit days ahead.
    pub fn window(&self, seen_on: NaiveDate, cumulative_days: u32) -> ArrivalWindow {
        let days = f64::from(cumulative_days);
        // Both products are at most 1.5 × 65535 × legs, far below u64::MAX: the casts are exact.
        let early = (days * self.early).floor().max(0.0) as u64;
        let late = ((days * self.late).ceil() as u64).max(early);
        ArrivalWindow {
            from: seen_on + chrono::Days::new(early),
            to: seen_on + chrono::Days::new(late),
            basis: WindowBasis::TransitTimes,
        }
    }
}

/// A country an alert is addressed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    pub country: CountryCode,
    /// When the flow is expected there; `None` for a country off the route.
    pub arrival: Option<ArrivalWindow>,
    /// Added by the issuer rather than found ahead on the corridor.
    pub added_by_issuer: bool,
    /// When the alert was first sent to this recipient: at activation, or when it was added
    /// to an active alert. `None` while the alert is a draft. The reminder rule counts from it.
    #[serde(default)]
    pub addressed_at: Option<Timestamp>,
}

/// The countries ahead of `issuing_country` on `corridor` in `direction`, nearest first, each
/// with an arrival window from the cumulative leg transit times and
/// [`ArrivalWindowRule::REGIONAL_DEFAULT`], counted from `seen_on`. Southbound reverses the corridor and assumes
/// each leg takes as long in both directions (no southbound transit times are recorded).
pub fn recipients_ahead(
    corridor: &Corridor,
    issuing_country: CountryCode,
    direction: Direction,
    seen_on: NaiveDate,
) -> Result<Vec<Recipient>, CoreError> {
    let Some(position) = corridor.position(issuing_country) else {
        return Err(CoreError::InvalidAlert {
            field: "route",
            reason: format!("{issuing_country} is not on corridor `{}`", corridor.code()),
        });
    };
    let ahead: Vec<(CountryCode, u32)> = match direction {
        Direction::Northbound => corridor.ahead_of(issuing_country),
        Direction::Southbound => {
            let mut days = 0u32;
            corridor.legs()[..position]
                .iter()
                .rev()
                .map(|leg| {
                    days += u32::from(leg.typical_transit_days);
                    (leg.from, days)
                })
                .collect()
        }
    };
    let rule = ArrivalWindowRule::REGIONAL_DEFAULT;
    Ok(ahead
        .into_iter()
        .map(|(country, days)| Recipient {
            country,
            arrival: Some(rule.window(seen_on, days)),
            added_by_issuer: false,
            addressed_at: None,
        })
        .collect())
}

// ---------------------------------------------------------------------------------------
// Responses

/// A recipient's receipt of an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    pub country: CountryCode,
    pub by: String,
    pub at: Timestamp,
    /// The version current when the recipient acknowledged.
    pub version: u32,
}

/// What a recipient says about one required action at one moment. Records are never
/// changed: the latest per country and action is the current one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionRecord {
    pub country: CountryCode,
    pub action: RequiredAction,
    pub status: ActionStatus,
    pub note: Option<String>,
    pub by: String,
    pub at: Timestamp,
}

/// One change of state, for the alert's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateChange {
    pub from: AlertState,
    pub to: AlertState,
    pub by: String,
    pub at: Timestamp,
    /// Why, for a cancellation.
    pub reason: Option<String>,
}

// ---------------------------------------------------------------------------------------
// The alert

/// Every part of an alert, as storage keeps it; [`Alert::restore`] checks it back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertParts {
    pub id: Option<AlertId>,
    pub issuing_country: CountryCode,
    pub state: AlertState,
    pub versions: Vec<AlertVersion>,
    pub recipients: Vec<Recipient>,
    pub acknowledgements: Vec<Acknowledgement>,
    pub action_records: Vec<ActionRecord>,
    pub history: Vec<StateChange>,
}

/// A migratory alert: its versions, recipients, acknowledgements and action records.
///
/// Invariants: versions are numbered 1, 2, … in time order and every version after the
/// first says what changed; recipients are distinct and never the issuing country; each
/// recipient acknowledges at most once and records actions only after acknowledging;
/// `history` leads from draft to the current state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "AlertParts", into = "AlertParts")]
pub struct Alert(AlertParts);

impl Alert {
    /// A new draft: version 1, no recipients yet, seen by the issuing country only.
    pub fn draft(
        issuing_country: CountryCode,
        content: AlertContent,
        by: &str,
        at: Timestamp,
    ) -> Result<Alert, CoreError> {
        content.check()?;
        Ok(Alert(AlertParts {
            id: None,
            issuing_country,
            state: AlertState::Draft,
            versions: vec![AlertVersion {
                number: 1,
                content,
                issued_at: at,
                issued_by: person(by)?,
                what_changed: None,
            }],
            recipients: Vec::new(),
            acknowledgements: Vec::new(),
            action_records: Vec::new(),
            history: Vec::new(),
        }))
    }

    /// Checks parts read back from storage (or a partner system) against every invariant.
    pub fn restore(parts: AlertParts) -> Result<Alert, CoreError> {
        let invalid = |field, reason: String| Err(CoreError::InvalidAlert { field, reason });
        if parts.versions.is_empty() {
            return invalid("versions", "an alert has at least one version".to_owned());
        }
        for (index, version) in parts.versions.iter().enumerate() {
            version.content.check()?;
            let expected = index as u32 + 1;
            if version.number != expected {
                return invalid(
                    "versions",
                    format!("version {} is numbered {}", expected, version.number),
                );
            }
            if expected > 1 && version.what_changed.is_none() {
                return invalid(
                    "versions",
                    format!("version {expected} does not say what changed"),
                );
            }
            if index > 0 && version.issued_at < parts.versions[index - 1].issued_at {
                return invalid(
                    "versions",
                    format!("version {expected} is issued before version {index}"),
                );
            }
        }
        let mut recipients = BTreeSet::new();
        for recipient in &parts.recipients {
            if recipient.country == parts.issuing_country || !recipients.insert(recipient.country) {
                return invalid(
                    "recipients",
                    format!("{} is the issuer or a recipient twice", recipient.country),
                );
            }
        }
        let mut acknowledged = BTreeSet::new();
        for acknowledgement in &parts.acknowledgements {
            if !recipients.contains(&acknowledgement.country) {
                return Err(CoreError::NotARecipient {
                    country: acknowledgement.country,
                });
            }
            if !acknowledged.insert(acknowledgement.country) {
                return Err(CoreError::AlreadyAcknowledged {
                    country: acknowledgement.country,
                });
            }
        }
        for record in &parts.action_records {
            if !acknowledged.contains(&record.country) {
                return invalid(
                    "action_records",
                    format!("{} records an action without acknowledging", record.country),
                );
            }
        }
        if parts.state == AlertState::Draft
            && !(parts.acknowledgements.is_empty() && parts.action_records.is_empty())
        {
            return invalid(
                "acknowledgements",
                "a draft has reached no one, so no one has acknowledged it".to_owned(),
            );
        }
        let mut state = AlertState::Draft;
        for change in &parts.history {
            if change.from != state || !may_move(change.from, change.to) {
                return invalid(
                    "history",
                    format!("{} → {} does not follow {state}", change.from, change.to),
                );
            }
            state = change.to;
        }
        if state != parts.state {
            return invalid(
                "history",
                format!("the history ends {state}, the alert says {}", parts.state),
            );
        }
        Ok(Alert(parts))
    }

    pub fn id(&self) -> Option<AlertId> {
        self.0.id
    }

    /// Records the id storage gave the alert.
    pub fn with_id(mut self, id: AlertId) -> Alert {
        self.0.id = Some(id);
        self
    }

    pub fn issuing_country(&self) -> CountryCode {
        self.0.issuing_country
    }

    pub fn state(&self) -> AlertState {
        self.0.state
    }

    pub fn versions(&self) -> &[AlertVersion] {
        &self.0.versions
    }

    /// The current version.
    pub fn latest(&self) -> &AlertVersion {
        self.0
            .versions
            .last()
            .expect("an alert always has version 1")
    }

    pub fn recipients(&self) -> &[Recipient] {
        &self.0.recipients
    }

    pub fn acknowledgements(&self) -> &[Acknowledgement] {
        &self.0.acknowledgements
    }

    /// Every action record, in the order they were made.
    pub fn action_records(&self) -> &[ActionRecord] {
        &self.0.action_records
    }

    pub fn history(&self) -> &[StateChange] {
        &self.0.history
    }

    /// When the alert was sent, if it was.
    pub fn activated_at(&self) -> Option<Timestamp> {
        self.0
            .history
            .iter()
            .find(|change| change.to == AlertState::Active)
            .map(|change| change.at)
    }

    pub fn is_recipient(&self, country: CountryCode) -> bool {
        self.recipient(country).is_some()
    }

    fn recipient(&self, country: CountryCode) -> Option<&Recipient> {
        self.0
            .recipients
            .iter()
            .find(|recipient| recipient.country == country)
    }

    /// Addresses the alert to a country, from the corridor or added by the issuer; while
    /// the alert is a draft or active. A country already addressed is refused.
    pub fn add_recipient(
        mut self,
        recipient: Recipient,
        at: Timestamp,
    ) -> Result<Alert, CoreError> {
        self.require(&[AlertState::Draft, AlertState::Active], "add a recipient")?;
        if recipient.country == self.0.issuing_country {
            return Err(CoreError::InvalidAlert {
                field: "recipients",
                reason: format!(
                    "{} issues the alert; it is not its recipient",
                    recipient.country
                ),
            });
        }
        if self.is_recipient(recipient.country) {
            return Err(CoreError::InvalidAlert {
                field: "recipients",
                reason: format!("{} is already a recipient", recipient.country),
            });
        }
        let addressed_at = (self.0.state == AlertState::Active).then_some(at);
        self.0.recipients.push(Recipient {
            addressed_at,
            ..recipient
        });
        Ok(self)
    }

    /// Replaces a recipient's arrival window, e.g. with one from a forecast.
    pub fn set_arrival_window(
        mut self,
        country: CountryCode,
        window: ArrivalWindow,
    ) -> Result<Alert, CoreError> {
        self.require(
            &[AlertState::Draft, AlertState::Active],
            "change an arrival window",
        )?;
        let recipient = self
            .0
            .recipients
            .iter_mut()
            .find(|recipient| recipient.country == country)
            .ok_or(CoreError::NotARecipient { country })?;
        recipient.arrival = Some(window);
        Ok(self)
    }

    /// Rewrites the draft's content: nothing was sent, so no new version.
    pub fn edit_draft(
        mut self,
        content: AlertContent,
        by: &str,
        at: Timestamp,
    ) -> Result<Alert, CoreError> {
        self.require(&[AlertState::Draft], "edit the draft")?;
        content.check()?;
        let version = &mut self.0.versions[0];
        version.content = content;
        version.issued_by = person(by)?;
        version.issued_at = at;
        Ok(self)
    }

    /// Sends the draft to its recipients: at least one is needed.
    pub fn activate(mut self, by: &str, at: Timestamp) -> Result<Alert, CoreError> {
        self.require(&[AlertState::Draft], "activate")?;
        if self.0.recipients.is_empty() {
            return Err(CoreError::InvalidAlert {
                field: "recipients",
                reason: "an alert is activated with at least one recipient".to_owned(),
            });
        }
        let drafted = self.0.versions[0].issued_at;
        if at < drafted {
            return Err(CoreError::InvalidAlert {
                field: "at",
                reason: format!(
                    "the alert cannot be activated ({at}) before it was drafted ({drafted})"
                ),
            });
        }
        for recipient in &mut self.0.recipients {
            recipient.addressed_at = Some(at);
        }
        // Version 1 is issued when it is sent (CAP `sent`); who wrote it stays `issued_by`.
        self.0.versions[0].issued_at = at;
        self.change_state(AlertState::Active, by, at, None)?;
        Ok(self)
    }

    /// Issues a new version of an active alert, saying what changed.
    pub fn update(
        mut self,
        content: AlertContent,
        what_changed: &str,
        by: &str,
        at: Timestamp,
    ) -> Result<Alert, CoreError> {
        self.require(&[AlertState::Active], "update")?;
        content.check()?;
        let what_changed =
            checked_text(what_changed, 2000).map_err(|reason| CoreError::InvalidAlert {
                field: "what_changed",
                reason,
            })?;
        let previous = self.latest();
        if at < previous.issued_at {
            return Err(CoreError::InvalidAlert {
                field: "issued_at",
                reason: format!(
                    "an update ({at}) cannot be issued before version {} ({})",
                    previous.number, previous.issued_at
                ),
            });
        }
        let number = previous.number + 1;
        self.0.versions.push(AlertVersion {
            number,
            content,
            issued_at: at,
            issued_by: person(by)?,
            what_changed: Some(what_changed),
        });
        Ok(self)
    }

    /// Ends an active alert: the flow passed or dispersed.
    pub fn close(mut self, by: &str, at: Timestamp) -> Result<Alert, CoreError> {
        self.require(&[AlertState::Active], "close")?;
        self.change_state(AlertState::Closed, by, at, None)?;
        Ok(self)
    }

    /// Withdraws a draft or an active alert, saying why.
    pub fn cancel(mut self, reason: &str, by: &str, at: Timestamp) -> Result<Alert, CoreError> {
        self.require(&[AlertState::Draft, AlertState::Active], "cancel")?;
        let reason = checked_text(reason, 2000).map_err(|reason| CoreError::InvalidAlert {
            field: "reason",
            reason,
        })?;
        self.change_state(AlertState::Cancelled, by, at, Some(reason))?;
        Ok(self)
    }

    /// A recipient's receipt of the active alert, once per recipient.
    pub fn acknowledge(
        mut self,
        country: CountryCode,
        by: &str,
        at: Timestamp,
    ) -> Result<Alert, CoreError> {
        self.require(&[AlertState::Active], "acknowledge")?;
        let Some(recipient) = self.recipient(country) else {
            return Err(CoreError::NotARecipient { country });
        };
        if let Some(addressed_at) = recipient.addressed_at.filter(|sent| at < *sent) {
            return Err(CoreError::InvalidAlert {
                field: "at",
                reason: format!(
                    "{country} cannot acknowledge ({at}) before the alert reached it ({addressed_at})"
                ),
            });
        }
        if self.has_acknowledged(country) {
            return Err(CoreError::AlreadyAcknowledged { country });
        }
        let version = self.latest().number;
        self.0.acknowledgements.push(Acknowledgement {
            country,
            by: person(by)?,
            at,
            version,
        });
        Ok(self)
    }

    pub fn has_acknowledged(&self, country: CountryCode) -> bool {
        self.0
            .acknowledgements
            .iter()
            .any(|acknowledgement| acknowledgement.country == country)
    }

    /// What a recipient guarantees or did for one required action. Allowed while the alert is
    /// active, and after it is closed (what was done is often known only then), never on a
    /// draft or a cancelled alert. The recipient must have acknowledged first; `not_possible`
    /// must say why in the note.
    pub fn record_action(
        mut self,
        country: CountryCode,
        action: RequiredAction,
        status: ActionStatus,
        note: Option<&str>,
        by: &str,
        at: Timestamp,
    ) -> Result<Alert, CoreError> {
        self.require(
            &[AlertState::Active, AlertState::Closed],
            "record an action",
        )?;
        if !self.is_recipient(country) {
            return Err(CoreError::NotARecipient { country });
        }
        if !self.has_acknowledged(country) {
            return Err(CoreError::InvalidAlert {
                field: "action",
                reason: format!("{country} acknowledges the alert before recording actions"),
            });
        }
        let note = note
            .filter(|note| !note.trim().is_empty())
            .map(|note| checked_text(note, 1000))
            .transpose()
            .map_err(|reason| CoreError::InvalidAlert {
                field: "note",
                reason,
            })?;
        if status == ActionStatus::NotPossible && note.is_none() {
            return Err(CoreError::InvalidAlert {
                field: "note",
                reason: format!(
                    "{country} says why {action} is not possible, so that others can fill the gap"
                ),
            });
        }
        self.0.action_records.push(ActionRecord {
            country,
            action,
            status,
            note,
            by: person(by)?,
            at,
        });
        Ok(self)
    }

    /// The current record of each action a recipient has recorded: the latest by time (the
    /// later-recorded one when two share a time).
    pub fn current_actions(&self, country: CountryCode) -> BTreeMap<RequiredAction, &ActionRecord> {
        let mut current: BTreeMap<RequiredAction, &ActionRecord> = BTreeMap::new();
        for record in self
            .0
            .action_records
            .iter()
            .filter(|r| r.country == country)
        {
            match current.get(&record.action) {
                Some(existing) if existing.at > record.at => {}
                _ => {
                    current.insert(record.action, record);
                }
            }
        }
        current
    }

    /// The obligations a recipient has not met: the actions `required` (a level's checklist)
    /// whose current record is missing or `not_possible`.
    pub fn outstanding(
        &self,
        country: CountryCode,
        required: &[RequiredAction],
    ) -> Vec<RequiredAction> {
        let current = self.current_actions(country);
        let mut outstanding: Vec<RequiredAction> = required
            .iter()
            .copied()
            .filter(|action| {
                !current
                    .get(action)
                    .is_some_and(|record| record.status.meets_obligation())
            })
            .collect();
        outstanding.sort();
        outstanding.dedup();
        outstanding
    }

    /// The recipients that have not acknowledged, in the order they were addressed.
    pub fn unacknowledged(&self) -> Vec<&Recipient> {
        self.0
            .recipients
            .iter()
            .filter(|recipient| !self.has_acknowledged(recipient.country))
            .collect()
    }

    /// The reminder rule: recipients of an active alert that have not acknowledged `within`
    /// the time since the alert reached them (activation, or when they were added).
    pub fn overdue(&self, now: Timestamp, within: Duration) -> Vec<&Recipient> {
        if self.0.state != AlertState::Active {
            return Vec::new();
        }
        self.unacknowledged()
            .into_iter()
            .filter(|recipient| {
                recipient
                    .addressed_at
                    .is_some_and(|sent| now.signed_duration_since(sent) >= within)
            })
            .collect()
    }

    fn require(&self, allowed: &[AlertState], attempted: &'static str) -> Result<(), CoreError> {
        if allowed.contains(&self.0.state) {
            Ok(())
        } else {
            Err(CoreError::AlertNotAllowed {
                state: self.0.state,
                attempted,
            })
        }
    }

    fn change_state(
        &mut self,
        to: AlertState,
        by: &str,
        at: Timestamp,
        reason: Option<String>,
    ) -> Result<(), CoreError> {
        let earlier = self
            .0
            .history
            .last()
            .map(|change| change.at)
            .unwrap_or(self.0.versions[0].issued_at);
        let earlier = earlier.max(self.latest().issued_at);
        if at < earlier && to != AlertState::Active {
            return Err(CoreError::InvalidAlert {
                field: "at",
                reason: format!("the alert cannot become {to} ({at}) before {earlier}"),
            });
        }
        self.0.history.push(StateChange {
            from: self.0.state,
            to,
            by: person(by)?,
            at,
            reason,
        });
        self.0.state = to;
        Ok(())
    }
}

impl TryFrom<AlertParts> for Alert {
    type Error = CoreError;
    fn try_from(parts: AlertParts) -> Result<Alert, CoreError> {
        Alert::restore(parts)
    }
}

impl From<Alert> for AlertParts {
    fn from(alert: Alert) -> AlertParts {
        alert.0
    }
}

fn may_move(from: AlertState, to: AlertState) -> bool {
    matches!(
        (from, to),
        (AlertState::Draft, AlertState::Active)
            | (AlertState::Active, AlertState::Closed)
            | (
                AlertState::Draft | AlertState::Active,
                AlertState::Cancelled
            )
    )
}

/// Trims a text and checks it is not empty and at most `max` characters.
fn checked_text(raw: &str, max: usize) -> Result<String, String> {
    let text = raw.trim();
    let length = text.chars().count();
    if text.is_empty() {
        Err("is empty".to_owned())
    } else if length > max {
        Err(format!("has {length} characters, more than {max}"))
    } else {
        Ok(text.to_owned())
    }
}

/// The name of who acts (a user name or `token:<id>`).
fn person(by: &str) -> Result<String, CoreError> {
    checked_text(by, 200).map_err(|reason| CoreError::InvalidAlert {
        field: "by",
        reason,
    })
}

// ---------------------------------------------------------------------------------------
// Levels

/// The actions a level obliges every country at that level to guarantee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelChecklist {
    pub level: AlertLevel,
    pub required: Vec<RequiredAction>,
}

/// The region's checklists, one per level, configured by the secretariat. Invariant: every
/// level has exactly one, without repeated actions, and a higher level never obliges less
/// than a lower one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<LevelChecklist>", into = "Vec<LevelChecklist>")]
pub struct LevelChecklists(Vec<LevelChecklist>);

impl LevelChecklists {
    pub fn new(mut checklists: Vec<LevelChecklist>) -> Result<LevelChecklists, CoreError> {
        let invalid = |reason: String| {
            Err(CoreError::InvalidAlert {
                field: "checklists",
                reason,
            })
        };
        checklists.sort_by_key(|checklist| checklist.level);
        let levels: Vec<AlertLevel> = checklists.iter().map(|c| c.level).collect();
        if levels != AlertLevel::ALL {
            return invalid(format!(
                "one checklist per level (normal, elevated, high, critical) is needed, not {levels:?}"
            ));
        }
        for checklist in &mut checklists {
            let before = checklist.required.len();
            checklist.required.sort();
            checklist.required.dedup();
            if checklist.required.len() != before {
                return invalid(format!(
                    "the {} checklist repeats an action",
                    checklist.level
                ));
            }
        }
        for pair in checklists.windows(2) {
            if let Some(dropped) = pair[0]
                .required
                .iter()
                .find(|action| !pair[1].required.contains(action))
            {
                return invalid(format!(
                    "{} obliges {dropped} but {} does not: a higher level never obliges less",
                    pair[0].level, pair[1].level
                ));
            }
        }
        Ok(LevelChecklists(checklists))
    }

    /// The region's default, until the secretariat configures its own:
    ///
    /// - normal: nothing beyond the ordinary;
    /// - elevated: protection screening with referral to asylum (the two go together, so
    ///   that no one with protection needs is turned back), and information on assisted
    ///   voluntary return;
    /// - high: also humanitarian assistance, health care and care of unaccompanied children;
    /// - critical: everything, adding active regulation of the use of force, for when large
    ///   groups meet border enforcement.
    pub fn regional_default() -> LevelChecklists {
        use RequiredAction::*;
        let elevated = vec![
            ProtectionScreening,
            AsylumReferral,
            VoluntaryReturnInformation,
        ];
        let mut high = elevated.clone();
        high.extend([
            HumanitarianAssistance,
            HealthCare,
            UnaccompaniedChildrenCare,
        ]);
        LevelChecklists::new(vec![
            LevelChecklist {
                level: AlertLevel::Normal,
                required: Vec::new(),
            },
            LevelChecklist {
                level: AlertLevel::Elevated,
                required: elevated,
            },
            LevelChecklist {
                level: AlertLevel::High,
                required: high,
            },
            LevelChecklist {
                level: AlertLevel::Critical,
                required: RequiredAction::ALL.to_vec(),
            },
        ])
        .expect("the regional default has one growing checklist per level")
    }

    /// The actions `level` obliges.
    pub fn required(&self, level: AlertLevel) -> &[RequiredAction] {
        self.0
            .iter()
            .find(|checklist| checklist.level == level)
            .map(|checklist| checklist.required.as_slice())
            .expect("every level has a checklist")
    }

    pub fn checklists(&self) -> &[LevelChecklist] {
        &self.0
    }
}

impl TryFrom<Vec<LevelChecklist>> for LevelChecklists {
    type Error = CoreError;
    fn try_from(checklists: Vec<LevelChecklist>) -> Result<LevelChecklists, CoreError> {
        LevelChecklists::new(checklists)
    }
}

impl From<LevelChecklists> for Vec<LevelChecklist> {
    fn from(checklists: LevelChecklists) -> Vec<LevelChecklist> {
        checklists.0
    }
}

/// The level a country is at: the level its focal point set, raised by the active alerts
/// that concern it (issued by it or addressed to it), never lowered by them.
///
/// - a flow `forming` or `in_transit` raises the country to at least `elevated`: people are
///   coming, and screening and information must be ready;
/// - a flow `at_border` raises it to at least `high`: people are arriving, and assistance,
///   health care and care of children are needed now;
/// - a `dispersed` flow raises nothing;
/// - `critical` is never reached automatically: it obliges the regulation of the use of
///   force and is a decision of the country's focal point.
///
/// Alerts that are not active, or do not concern the country, are ignored.
pub fn effective_level(
    country: CountryCode,
    set_level: AlertLevel,
    alerts: &[Alert],
) -> AlertLevel {
    alerts
        .iter()
        .filter(|alert| alert.state() == AlertState::Active)
        .filter(|alert| alert.issuing_country() == country || alert.is_recipient(country))
        .map(|alert| match alert.latest().content.stage {
            FlowStage::Forming | FlowStage::InTransit => AlertLevel::Elevated,
            FlowStage::AtBorder => AlertLevel::High,
            FlowStage::Dispersed => AlertLevel::Normal,
        })
        .fold(set_level, AlertLevel::max)
}

// ---------------------------------------------------------------------------------------
// Stranded populations

/// Shelter places against the people in them at a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShelterLoad {
    pub capacity: u32,
    pub occupancy: u32,
}

/// The unchecked parts of a [`StrandedPopulation`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrandedPopulationParts {
    pub country: CountryCode,
    pub location: AlertLocation,
    pub estimated_people: u32,
    /// Whose estimate (an authority, IOM, a municipality…).
    pub estimated_by: String,
    pub estimated_at: Timestamp,
    #[serde(default)]
    pub needs: Needs,
    #[serde(default)]
    pub shelter: Option<ShelterLoad>,
    #[serde(default)]
    pub alerts: Vec<AlertId>,
}

/// People unable to continue or return, present at a place (a stock, never summed over time),
/// with whose estimate it is, their needs, shelter capacity against occupancy and the alerts
/// they cause. Invariant: an estimate source, shelter capacity above zero when given,
/// occupancy no more than the people estimated, each alert linked once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "StrandedPopulationParts", into = "StrandedPopulationParts")]
pub struct StrandedPopulation(StrandedPopulationParts);

impl StrandedPopulation {
    pub fn new(mut parts: StrandedPopulationParts) -> Result<StrandedPopulation, CoreError> {
        let invalid =
            |field, reason: String| Err(CoreError::InvalidStrandedPopulation { field, reason });
        parts.estimated_by = match checked_text(&parts.estimated_by, 200) {
            Ok(text) => text,
            Err(reason) => return invalid("estimated_by", reason),
        };
        if let Some(note) = &parts.needs.note {
            if let Err(reason) = checked_text(note, 2000) {
                return invalid("needs.note", reason);
            }
        }
        if let Some(shelter) = parts.shelter {
            if shelter.capacity == 0 {
                return invalid(
                    "shelter",
                    "a shelter capacity is above zero; leave it out where there is no shelter"
                        .to_owned(),
                );
            }
            // Occupancy may exceed capacity (overcrowding is what the record must show), but
            // the people sheltered are among the people stranded.
            if shelter.occupancy > parts.estimated_people {
                return invalid(
                    "shelter",
                    format!(
                        "occupancy ({}) is more than the people estimated ({})",
                        shelter.occupancy, parts.estimated_people
                    ),
                );
            }
        }
        let mut seen = BTreeSet::new();
        if let Some(twice) = parts.alerts.iter().find(|id| !seen.insert(**id)) {
            return invalid("alerts", format!("alert {} is linked twice", twice.0));
        }
        Ok(StrandedPopulation(parts))
    }

    pub fn parts(&self) -> &StrandedPopulationParts {
        &self.0
    }

    /// People without a shelter place: those not sheltered, when shelter figures are known.
    pub fn unsheltered(&self) -> Option<u32> {
        self.0
            .shelter
            .map(|shelter| self.0.estimated_people - shelter.occupancy)
    }

    /// Whether shelters hold more people than their capacity.
    pub fn overcrowded(&self) -> bool {
        self.0
            .shelter
            .is_some_and(|shelter| shelter.occupancy > shelter.capacity)
    }

    /// Links an alert the population causes; linking it again changes nothing.
    pub fn link_alert(mut self, id: AlertId) -> StrandedPopulation {
        if !self.0.alerts.contains(&id) {
            self.0.alerts.push(id);
        }
        self
    }
}

impl TryFrom<StrandedPopulationParts> for StrandedPopulation {
    type Error = CoreError;
    fn try_from(parts: StrandedPopulationParts) -> Result<StrandedPopulation, CoreError> {
        StrandedPopulation::new(parts)
    }
}

impl From<StrandedPopulation> for StrandedPopulationParts {
    fn from(population: StrandedPopulation) -> StrandedPopulationParts {
        population.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn country(code: &str) -> CountryCode {
        CountryCode::parse(code).unwrap()
    }

    fn at(text: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn northbound() -> Corridor {
        let corridors: Vec<Corridor> =
            serde_json::from_str(include_str!("../../../data/reference/corridors.json")).unwrap();
        corridors.into_iter().next().unwrap()
    }

    /// The Necoclí flow of September 2021: 7,000 people stranded waiting for boats.
    fn necocli(stage: FlowStage) -> AlertContent {
        AlertContent {
            composition: FlowComposition::new(FlowCompositionParts {
                estimated_people: 7000,
                women: Some(2100),
                children: Some(1400),
                unaccompanied_children: Some(35),
                pregnant_women: Some(90),
                nationalities: vec![
                    NationalityEstimate {
                        nationality: Nationality::parse("HTI").unwrap(),
                        estimated_people: 5600,
                    },
                    NationalityEstimate {
                        nationality: Nationality::parse("CUB").unwrap(),
                        estimated_people: 700,
                    },
                ],
                ..FlowCompositionParts::default()
            })
            .unwrap(),
            location: AlertLocation::new(
                Area::Place {
                    place: PlaceCode::parse("CO-NEC").unwrap(),
                },
                "Necoclí, Antioquia",
            )
            .unwrap(),
            route: Route {
                corridor: CorridorCode::parse("northbound").unwrap(),
                direction: Direction::Northbound,
            },
            stage,
            needs: Needs {
                actions: [
                    RequiredAction::HumanitarianAssistance,
                    RequiredAction::UnaccompaniedChildrenCare,
                ]
                .into_iter()
                .collect(),
                note: Some("agua y albergue".to_owned()),
            },
            text: AlertText::new(
                Some(TextBlock {
                    headline: "7.000 personas varadas en Necoclí".to_owned(),
                    description: "Unas 400 personas por día cruzan hacia Panamá.".to_owned(),
                    instruction: None,
                }),
                None,
            )
            .unwrap(),
        }
    }

    fn active_colombian_alert() -> Alert {
        let recipients = recipients_ahead(
            &northbound(),
            country("COL"),
            Direction::Northbound,
            day("2021-09-01"),
        )
        .unwrap();
        let mut alert = Alert::draft(
            country("COL"),
            necocli(FlowStage::Forming),
            "focal@COL",
            at("2021-09-01T08:00:00-05:00"),
        )
        .unwrap();
        for recipient in recipients {
            alert = alert
                .add_recipient(recipient, at("2021-09-01T08:05:00-05:00"))
                .unwrap();
        }
        alert
            .activate("focal@COL", at("2021-09-01T09:00:00-05:00"))
            .unwrap()
    }

    #[test]
    fn a_flow_seen_in_panama_is_expected_at_mexicos_southern_border_in_three_to_six_weeks() {
        let recipients = recipients_ahead(
            &northbound(),
            country("PAN"),
            Direction::Northbound,
            day("2021-09-01"),
        )
        .unwrap();
        let countries: Vec<&str> = recipients.iter().map(|r| r.country.as_str()).collect();
        assert_eq!(countries, ["CRI", "NIC", "HND", "GTM", "MEX", "USA"]);
        let mexico = recipients[4].arrival.unwrap();
        // 28 typical days, the concept note's "approximately four weeks".
        assert_eq!(
            (mexico.from, mexico.to),
            (day("2021-09-22"), day("2021-10-13"))
        );
        assert_eq!(mexico.basis, WindowBasis::TransitTimes);
        let costa_rica = recipients[0].arrival.unwrap();
        assert_eq!(
            (costa_rica.from, costa_rica.to),
            (day("2021-09-04"), day("2021-09-09"))
        );
        assert!(recipients.iter().all(|r| !r.added_by_issuer));
    }

    #[test]
    fn a_southbound_flow_from_guatemala_warns_honduras_first_and_colombia_last() {
        let recipients = recipients_ahead(
            &northbound(),
            country("GTM"),
            Direction::Southbound,
            day("2023-01-10"),
        )
        .unwrap();
        let countries: Vec<&str> = recipients.iter().map(|r| r.country.as_str()).collect();
        assert_eq!(countries, ["HND", "NIC", "CRI", "PAN", "COL"]);
        // HND 6, NIC 9, CRI 11, PAN 16, COL 23 days.
        assert_eq!(
            recipients[4].arrival.unwrap().to,
            day("2023-01-10") + chrono::Days::new(35)
        );
        let refused = recipients_ahead(
            &northbound(),
            country("BLZ"),
            Direction::Northbound,
            day("2023-01-10"),
        );
        assert!(refused
            .unwrap_err()
            .to_string()
            .contains("BLZ is not on corridor"));
    }

    #[test]
    fn an_alert_goes_from_draft_to_active_to_updated_to_closed_keeping_every_version() {
        let alert = active_colombian_alert();
        assert_eq!(alert.state(), AlertState::Active);
        assert_eq!(alert.recipients().len(), 7);
        assert_eq!(alert.activated_at(), Some(at("2021-09-01T09:00:00-05:00")));
        let alert = alert
            .update(
                necocli(FlowStage::AtBorder),
                "the flow reached Capurganá",
                "focal@COL",
                at("2021-09-05T10:00:00-05:00"),
            )
            .unwrap();
        assert_eq!(alert.latest().number, 2);
        assert_eq!(alert.versions()[0].content.stage, FlowStage::Forming);
        let alert = alert
            .close("focal@COL", at("2021-10-01T10:00:00-05:00"))
            .unwrap();
        assert_eq!(alert.state(), AlertState::Closed);
        let states: Vec<AlertState> = alert.history().iter().map(|c| c.to).collect();
        assert_eq!(states, [AlertState::Active, AlertState::Closed]);
        let refused = alert
            .clone()
            .update(
                necocli(FlowStage::Dispersed),
                "x",
                "focal@COL",
                at("2021-10-02T10:00:00-05:00"),
            )
            .unwrap_err();
        assert_eq!(refused.to_string(), "cannot update: the alert is closed");
        assert!(alert
            .clone()
            .cancel("error", "focal@COL", at("2021-10-02T10:00:00-05:00"))
            .is_err());
    }

    #[test]
    fn an_update_says_what_changed_and_a_cancellation_says_why() {
        let alert = active_colombian_alert();
        let refused = alert
            .clone()
            .update(
                necocli(FlowStage::InTransit),
                "  ",
                "focal@COL",
                at("2021-09-02T10:00:00-05:00"),
            )
            .unwrap_err();
        assert!(refused.to_string().contains("what_changed"), "{refused}");
        assert!(alert
            .clone()
            .cancel(" ", "focal@COL", at("2021-09-02T10:00:00-05:00"))
            .is_err());
        let cancelled = alert
            .cancel(
                "the boats were suspended",
                "focal@COL",
                at("2021-09-02T10:00:00-05:00"),
            )
            .unwrap();
        assert_eq!(cancelled.state(), AlertState::Cancelled);
        assert_eq!(
            cancelled.history()[1].reason.as_deref(),
            Some("the boats were suspended")
        );
    }

    #[test]
    fn a_draft_without_recipients_cannot_be_activated_nor_acknowledged() {
        let draft = Alert::draft(
            country("PAN"),
            necocli(FlowStage::InTransit),
            "focal@PAN",
            at("2021-09-01T08:00:00-05:00"),
        )
        .unwrap();
        assert!(draft
            .clone()
            .activate("focal@PAN", at("2021-09-01T09:00:00-05:00"))
            .is_err());
        let with_recipient = draft
            .clone()
            .add_recipient(
                Recipient {
                    country: country("CRI"),
                    arrival: None,
                    added_by_issuer: true,
                    addressed_at: None,
                },
                at("2021-09-01T08:30:00-05:00"),
            )
            .unwrap();
        let refused = with_recipient
            .activate("focal@PAN", at("2021-09-01T07:00:00-05:00"))
            .unwrap_err();
        assert!(
            refused.to_string().contains("before it was drafted"),
            "{refused}"
        );
        let refused = draft
            .acknowledge(country("CRI"), "focal@CRI", at("2021-09-01T09:00:00-06:00"))
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "cannot acknowledge: the alert is draft"
        );
    }

    #[test]
    fn only_recipients_acknowledge_and_each_only_once() {
        let alert = active_colombian_alert();
        let alert = alert
            .acknowledge(country("PAN"), "focal@PAN", at("2021-09-01T10:00:00-05:00"))
            .unwrap();
        assert_eq!(
            alert
                .clone()
                .acknowledge(country("PAN"), "focal@PAN", at("2021-09-01T11:00:00-05:00")),
            Err(CoreError::AlreadyAcknowledged {
                country: country("PAN")
            })
        );
        assert_eq!(
            alert
                .clone()
                .acknowledge(country("CAN"), "focal@CAN", at("2021-09-01T11:00:00-05:00")),
            Err(CoreError::NotARecipient {
                country: country("CAN")
            })
        );
        assert_eq!(alert.acknowledgements()[0].version, 1);
        assert_eq!(alert.unacknowledged().len(), 6);
    }

    #[test]
    fn a_recipient_that_has_not_acknowledged_within_a_day_is_overdue() {
        let alert = active_colombian_alert()
            .acknowledge(country("PAN"), "focal@PAN", at("2021-09-01T10:00:00-05:00"))
            .unwrap();
        let within = Duration::hours(24);
        assert!(alert
            .overdue(at("2021-09-02T08:59:00-05:00"), within)
            .is_empty());
        let overdue: Vec<&str> = alert
            .overdue(at("2021-09-02T09:00:00-05:00"), within)
            .iter()
            .map(|r| r.country.as_str())
            .collect();
        assert_eq!(overdue, ["CRI", "NIC", "HND", "GTM", "MEX", "USA"]);
        // A recipient added later is counted from when it was added.
        let alert = alert
            .add_recipient(
                Recipient {
                    country: country("BLZ"),
                    arrival: None,
                    added_by_issuer: true,
                    addressed_at: None,
                },
                at("2021-09-02T08:00:00-05:00"),
            )
            .unwrap();
        let overdue = alert.overdue(at("2021-09-02T09:00:00-05:00"), within);
        assert!(overdue.iter().all(|r| r.country != country("BLZ")));
        let closed = alert
            .close("focal@COL", at("2021-09-03T09:00:00-05:00"))
            .unwrap();
        assert!(closed
            .overdue(at("2021-09-09T09:00:00-05:00"), within)
            .is_empty());
    }

    #[test]
    fn the_latest_record_of_each_action_is_current_and_the_history_is_kept() {
        let pan = country("PAN");
        let alert = active_colombian_alert();
        let refused = alert
            .clone()
            .record_action(
                pan,
                RequiredAction::HealthCare,
                ActionStatus::Guaranteed,
                None,
                "focal@PAN",
                at("2021-09-01T10:00:00-05:00"),
            )
            .unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("acknowledges the alert before"),
            "{refused}"
        );
        let alert = alert
            .acknowledge(pan, "focal@PAN", at("2021-09-01T10:00:00-05:00"))
            .unwrap()
            .record_action(
                pan,
                RequiredAction::HealthCare,
                ActionStatus::Guaranteed,
                None,
                "focal@PAN",
                at("2021-09-01T11:00:00-05:00"),
            )
            .unwrap()
            .record_action(
                pan,
                RequiredAction::HealthCare,
                ActionStatus::Done,
                Some("Lajas Blancas clinic"),
                "focal@PAN",
                at("2021-09-10T11:00:00-05:00"),
            )
            .unwrap();
        assert!(alert
            .clone()
            .record_action(
                pan,
                RequiredAction::AsylumReferral,
                ActionStatus::NotPossible,
                None,
                "focal@PAN",
                at("2021-09-10T12:00:00-05:00")
            )
            .is_err());
        let current = alert.current_actions(pan);
        assert_eq!(
            current[&RequiredAction::HealthCare].status,
            ActionStatus::Done
        );
        assert_eq!(alert.action_records().len(), 2);
        let elevated = LevelChecklists::regional_default();
        assert_eq!(
            alert.outstanding(pan, elevated.required(AlertLevel::High)),
            [
                RequiredAction::HumanitarianAssistance,
                RequiredAction::ProtectionScreening,
                RequiredAction::AsylumReferral,
                RequiredAction::UnaccompaniedChildrenCare,
                RequiredAction::VoluntaryReturnInformation,
            ]
        );
    }

    #[test]
    fn composition_parts_never_exceed_the_total_and_unaccompanied_children_are_children() {
        let base = FlowCompositionParts {
            estimated_people: 400,
            children: Some(80),
            ..FlowCompositionParts::default()
        };
        assert!(FlowComposition::new(base.clone()).is_ok());
        for (parts, expected) in [
            (
                FlowCompositionParts {
                    women: Some(401),
                    ..base.clone()
                },
                "women (401)",
            ),
            (
                FlowCompositionParts {
                    unaccompanied_children: Some(81),
                    ..base.clone()
                },
                "unaccompanied_children (81) is more than children (80)",
            ),
            (
                FlowCompositionParts {
                    estimated_people: 0,
                    children: None,
                    ..base.clone()
                },
                "at least one person",
            ),
            (
                FlowCompositionParts {
                    nationalities: vec![
                        NationalityEstimate {
                            nationality: Nationality::parse("VEN").unwrap(),
                            estimated_people: 300,
                        },
                        NationalityEstimate {
                            nationality: Nationality::parse("ECU").unwrap(),
                            estimated_people: 150,
                        },
                    ],
                    ..base.clone()
                },
                "add up to 450",
            ),
        ] {
            let error = FlowComposition::new(parts).unwrap_err().to_string();
            assert!(error.contains(expected), "{error}");
        }
        let json = r#"{"estimated_people": 10, "children": 12}"#;
        assert!(serde_json::from_str::<FlowComposition>(json).is_err());
    }

    #[test]
    fn a_polygon_is_stored_closed_and_a_circle_needs_a_radius() {
        let point = |latitude, longitude| Point {
            latitude,
            longitude,
        };
        let location = AlertLocation::new(
            Area::Polygon {
                points: vec![point(8.6, -77.9), point(8.7, -77.5), point(8.2, -77.4)],
            },
            "Darién",
        )
        .unwrap();
        let Area::Polygon { points } = location.area() else {
            panic!("a polygon")
        };
        assert_eq!(points.len(), 4);
        assert_eq!(points.first(), points.last());
        assert!(AlertLocation::new(
            Area::Polygon {
                points: vec![point(8.6, -77.9), point(8.7, -77.5)]
            },
            "x"
        )
        .is_err());
        assert!(AlertLocation::new(
            Area::Circle {
                centre: point(8.5, -77.7),
                radius_km: 0.0
            },
            "x"
        )
        .is_err());
        assert!(AlertLocation::new(
            Area::Circle {
                centre: point(98.5, -77.7),
                radius_km: 5.0
            },
            "x"
        )
        .is_err());
        assert!(AlertLocation::new(
            Area::Circle {
                centre: point(8.5, -77.7),
                radius_km: 5.0
            },
            " "
        )
        .is_err());
    }

    #[test]
    fn an_alert_is_written_in_at_least_one_language() {
        assert!(AlertText::new(None, None).is_err());
        let long = TextBlock {
            headline: "x".repeat(161),
            description: "d".to_owned(),
            instruction: None,
        };
        assert!(AlertText::new(None, Some(long)).is_err());
    }

    #[test]
    fn an_active_alert_at_the_border_raises_its_recipients_to_high_but_never_to_critical() {
        let forming = active_colombian_alert();
        let at_border = forming
            .clone()
            .update(
                necocli(FlowStage::AtBorder),
                "at the border",
                "focal@COL",
                at("2021-09-05T10:00:00-05:00"),
            )
            .unwrap();
        let pan = country("PAN");
        assert_eq!(
            effective_level(pan, AlertLevel::Normal, &[]),
            AlertLevel::Normal
        );
        assert_eq!(
            effective_level(pan, AlertLevel::Normal, std::slice::from_ref(&forming)),
            AlertLevel::Elevated
        );
        assert_eq!(
            effective_level(
                pan,
                AlertLevel::Normal,
                &[forming.clone(), at_border.clone()]
            ),
            AlertLevel::High
        );
        assert_eq!(
            effective_level(
                country("COL"),
                AlertLevel::Normal,
                std::slice::from_ref(&at_border)
            ),
            AlertLevel::High
        );
        assert_eq!(
            effective_level(pan, AlertLevel::Critical, std::slice::from_ref(&at_border)),
            AlertLevel::Critical
        );
        assert_eq!(
            effective_level(
                country("CAN"),
                AlertLevel::Normal,
                std::slice::from_ref(&at_border)
            ),
            AlertLevel::Normal
        );
        let closed = at_border
            .close("focal@COL", at("2021-10-01T10:00:00-05:00"))
            .unwrap();
        assert_eq!(
            effective_level(pan, AlertLevel::Normal, &[closed]),
            AlertLevel::Normal
        );
    }

    #[test]
    fn level_checklists_never_oblige_less_at_a_higher_level() {
        let default = LevelChecklists::regional_default();
        assert!(default.required(AlertLevel::Normal).is_empty());
        assert_eq!(
            default.required(AlertLevel::Critical).len(),
            RequiredAction::ALL.len()
        );
        let mut checklists: Vec<LevelChecklist> = default.into();
        checklists[2]
            .required
            .retain(|a| *a != RequiredAction::AsylumReferral);
        let error = LevelChecklists::new(checklists.clone())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("elevated obliges asylum_referral but high does not"),
            "{error}"
        );
        checklists.pop();
        assert!(LevelChecklists::new(checklists).is_err());
    }

    #[test]
    fn an_alert_survives_the_round_trip_through_json_and_a_broken_one_is_refused() {
        let alert = active_colombian_alert()
            .acknowledge(country("PAN"), "focal@PAN", at("2021-09-01T10:00:00-05:00"))
            .unwrap()
            .with_id(AlertId(42));
        let json = serde_json::to_value(&alert).unwrap();
        assert_eq!(json["state"], "active");
        assert_eq!(json["versions"][0]["content"]["stage"], "forming");
        assert_eq!(
            serde_json::from_value::<Alert>(json.clone()).unwrap(),
            alert
        );
        let mut broken = json.clone();
        broken["acknowledgements"][0]["country"] = "CAN".into();
        assert!(serde_json::from_value::<Alert>(broken).is_err());
        let mut broken = json;
        broken["state"] = "closed".into();
        assert!(serde_json::from_value::<Alert>(broken).is_err());
    }

    #[test]
    fn a_stranded_population_in_necocli_shows_its_shelters_overcrowded() {
        let parts = StrandedPopulationParts {
            country: country("COL"),
            location: AlertLocation::new(
                Area::Place {
                    place: PlaceCode::parse("CO-NEC").unwrap(),
                },
                "Necoclí",
            )
            .unwrap(),
            estimated_people: 7000,
            estimated_by: "Migración Colombia".to_owned(),
            estimated_at: at("2021-09-01T08:00:00-05:00"),
            needs: Needs::default(),
            shelter: Some(ShelterLoad {
                capacity: 500,
                occupancy: 900,
            }),
            alerts: vec![AlertId(42)],
        };
        let population = StrandedPopulation::new(parts.clone()).unwrap();
        assert!(population.overcrowded());
        assert_eq!(population.unsheltered(), Some(6100));
        assert_eq!(
            population
                .clone()
                .link_alert(AlertId(42))
                .parts()
                .alerts
                .len(),
            1
        );
        let too_many = StrandedPopulationParts {
            shelter: Some(ShelterLoad {
                capacity: 500,
                occupancy: 7001,
            }),
            ..parts.clone()
        };
        assert!(StrandedPopulation::new(too_many).is_err());
        let anonymous = StrandedPopulationParts {
            estimated_by: " ".to_owned(),
            ..parts.clone()
        };
        assert!(StrandedPopulation::new(anonymous)
            .unwrap_err()
            .to_string()
            .contains("estimated_by"));
        let twice = StrandedPopulationParts {
            alerts: vec![AlertId(1), AlertId(1)],
            ..parts
        };
        assert!(StrandedPopulation::new(twice).is_err());
    }

    #[test]
    fn vocabularies_parse_their_codes_and_levels_are_ordered() {
        assert!(
            AlertLevel::Normal < AlertLevel::Elevated && AlertLevel::High < AlertLevel::Critical
        );
        assert_eq!(FlowStage::parse("AT_BORDER"), Ok(FlowStage::AtBorder));
        assert_eq!(
            serde_json::to_string(&ActionStatus::NotPossible).unwrap(),
            "\"not_possible\""
        );
        assert!(RequiredAction::parse("food")
            .unwrap_err()
            .to_string()
            .contains("humanitarian_assistance"));
        assert!(Direction::parse("eastbound").is_err());
        assert!(AlertState::parse("open").is_err());
    }
}
