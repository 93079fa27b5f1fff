//! The migratory alert as CAP 1.2 messages, and CAP 1.2 messages from partner systems as alerts.
//!
//! [`alert_to_cap`] gives every message an alert has produced, in order; [`latest_cap`] the
//! last one; [`cap_to_alert`] reads a message from a partner system (or from corredor) into the
//! parts of an alert, listing every default it had to assume. Both are pure: the caller passes
//! the sender, the places (for their coordinates) and the alert's web address in a
//! [`CapContext`].
//!
//! # Messages
//!
//! | the alert | message | `identifier` |
//! | --- | --- | --- |
//! | draft (never activated) | none: [`CapMappingError::NeverSent`] | |
//! | version 1 (sent at activation) | `Alert` | `corredor-PAN-42-v1` |
//! | version n > 1 | `Update`, `references` to every earlier message | `corredor-PAN-42-vn` |
//! | closed | a last `Update` with `responseType` `AllClear`, urgency `Past` | `corredor-PAN-42-closed` |
//! | cancelled after activation | `Cancel` referencing every earlier message, the reason in `note` | `corredor-PAN-42-cancelled` |
//!
//! A draft cancelled before activation reached no one, so it too is `NeverSent`. `sent` is
//! when the version was issued (version 1: when it was activated) or the alert closed or
//! cancelled, to the whole second as CAP requires, with the offset it was stated in. Every message
//! carries `incidents` `corredor-PAN-42`, status `Actual`, and the scope `Private` with the
//! recipient countries in `addresses`, or `Restricted` (to the issuing country's focal points
//! and the RCM secretariat) when there are none.
//!
//! **Address scheme.** `addresses` lists the ISO 3166-1 alpha-3 codes of the recipient
//! countries, space separated (`PAN CRI NIC`): an address is a country's focal point in
//! corredor, and each national system delivers within its country. A message is addressed to
//! the recipients the alert had reached when it was sent (`addressed_at` at or before `sent`),
//! so a message once sent keeps its addresses; the closing and the cancelling message go to
//! every recipient.
//!
//! # Fields
//!
//! One `<info>` per language: Spanish as `es-419` (Latin American Spanish, the corridor's),
//! English as `en-US`. Each info is complete on its own (CAP receivers may keep one language).
//!
//! | alert model | CAP 1.2 |
//! | --- | --- |
//! | `TextBlock.headline` / `description` / `instruction` | `headline` / `description` / `instruction` |
//! | (fixed) | `category` `Safety`, `event` "Flujo migratorio masivo" / "Mass migration flow" |
//! | `stage` (and closed, cancelled) | `responseType`, `urgency`, `severity`, `certainty` (below) and parameter `stage` |
//! | `location.description` | `area/areaDesc` |
//! | `Area::Place` | `area/circle` of [`PLACE_RADIUS_KM`] around the place, `area/geocode` `corredor:place` = the code |
//! | `Area::Circle` | `area/circle` `lat,lon radius_km` |
//! | `Area::Polygon` | `area/polygon`, latitude first, closed |
//! | `issuing_country` | parameter `issuing_country` (`PAN`) |
//! | `route.corridor`, `route.direction` | parameters `corridor`, `direction` |
//! | `composition` | parameters `estimated_people`, `women`, `children`, `unaccompanied_children`, `pregnant_women`, `people_with_disabilities`, `older_people` (each when known), `nationalities` (`VEN:2100 HTI:300`) |
//! | `needs.actions`, `needs.note` | parameters `needs` (action codes, space separated), `needs_note` |
//! | `what_changed` | parameter `what_changed` (versions after the first) |
//! | alert id, version number | parameters `alert_id`, `alert_version` |
//! | recipients | `addresses`; parameter `arrival_window` per recipient with a window: `CRI 2021-09-08 2021-09-19 transit_times` |
//! | cancellation reason | `note` of the `Cancel` |
//! | the alert's page | `web` (from [`CapContext::web`]) |
//!
//! The names of people (`issued_by`, `by`) are not written: a CAP message leaves corredor
//! for national systems, and it needs no personal data.
//!
//! **Urgency, severity and certainty** follow the stage the way [`corredor_core::effective_level`]
//! raises levels (forming and in transit: elevated; at the border: high):
//!
//! | stage | `responseType` | `urgency` | `severity` | `certainty` |
//! | --- | --- | --- | --- | --- |
//! | forming | Prepare | Future (arrival days away) | Moderate | Likely (it may not leave) |
//! | in_transit | Prepare | Expected | Moderate | Observed |
//! | at_border | Execute (the level's checklist) | Immediate | Severe | Observed |
//! | dispersed | Monitor | Past | Minor | Observed |
//! | closed (any stage) | AllClear | Past | Minor | Observed |
//! | cancelled (any stage) | None | Past | Minor | Unlikely |
//!
//! The category is `Safety` ("general emergency and public safety"): a mass flow is a
//! humanitarian and protection emergency, not a rescue, health or security event alone.
//!
//! # Reading a partner's message
//!
//! [`cap_to_alert`] keeps what the alert model holds and says, in [`ImportedCap::assumed`],
//! every default it used, so that the focal point who confirms the imported alert sees them:
//!
//! - text from the first `es*` info (Spanish) and the first `en*` info (English); infos in
//!   other languages are not kept; a message with neither is refused with the languages found.
//!   A missing headline is the `event`; a missing description is the headline; a headline
//!   longer than the alert model's 160 characters is shortened with `…` and the whole
//!   headline begins the description, so no word is lost;
//! - parameters from the first kept info; unknown parameters (SAME, VTEC…) are ignored;
//! - the issuing country from `issuing_country`, else the caller's default, else refused;
//! - the stage `in_transit` when not given (a partner warns of a flow on its way), the
//!   corridor `northbound` (the shipped corridor) and the direction `northbound`;
//! - the size: `estimated_people`, else the largest figure the message does give (a part of
//!   the composition or the sum of the nationalities), at least 1, because the alert model
//!   holds no flow of unknown size. The `assumed` entry says the size is unknown;
//! - the location from the first area that has a `corredor:place` geocode, a circle or a
//!   polygon (in that order); a circle of radius 0 (a point) is widened to
//!   [`SHORTEST_RADIUS_KM`] and one over 1,000 km narrowed to 1,000 km, the bounds of the
//!   alert model; an area with none of them (only its description, or geocodes of other
//!   systems) is located as the whole issuing country, the place code being its ISO code;
//! - recipients from the `addresses` tokens that are ISO 3166-1 alpha-3 country codes.
//!
//! Bad parameters (`estimated_people` "many", an unknown stage, nationality "XX:3") refuse
//! the message, naming each parameter and why.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, Timelike};
use corredor_core::{
    Alert, AlertContent, AlertLocation, AlertState, AlertText, AlertVersion, Area, ArrivalWindow,
    CorridorCode, CountryCode, Direction, FlowComposition, FlowCompositionParts, FlowStage,
    Nationality, NationalityEstimate, Needs, PlaceCode, Point, Recipient, RequiredAction, Route,
    TextBlock, WindowBasis,
};
use thiserror::Error;

use super::rules::check_token;
use super::{
    CapAlert, CapArea, CapCategory, CapCertainty, CapCircle, CapInfo, CapMsgType, CapPoint,
    CapReference, CapResponseType, CapScope, CapSeverity, CapStatus, CapUrgency,
};

/// The geocode `valueName` under which corredor writes a place code.
pub const PLACE_GEOCODE: &str = "corredor:place";

/// The radius of the circle written around a place's point.
///
/// The reference coordinates of corredor's places are rough (`places.csv` notes ±2 km for
/// staging points and up to ±10 km for stations in the Darién), and a flow gathers around a
/// place rather than at a point, so a 10 km circle contains the place whatever the error of its
/// coordinates, while staying small against the distances between places on the corridor.
pub const PLACE_RADIUS_KM: f64 = 10.0;

/// The radius given to a partner's circle of radius 0 (a point), the alert model's circles
/// being above zero: 100 m, below the precision of any place on the corridor.
pub const SHORTEST_RADIUS_KM: f64 = 0.1;

/// The language tag of Spanish infos: Latin American Spanish.
pub const SPANISH: &str = "es-419";
/// The language tag of English infos.
pub const ENGLISH: &str = "en-US";

/// The corridor assumed when a message names none: the shipped northbound corridor.
pub const DEFAULT_CORRIDOR: &str = "northbound";

/// The alert model's largest circle, in kilometres (see [`AlertLocation::new`]).
const LARGEST_RADIUS_KM: f64 = 1000.0;

/// What the writer needs beyond the alert.
pub struct CapContext<'a> {
    /// The CAP `sender`, e.g. `corredor.pan@rcm-crm.org`: no spaces, commas, `<` or `&`.
    pub sender: String,
    /// A place's name and point, for the circle written around an [`Area::Place`]. A place it
    /// does not know is written with its geocode and description only.
    pub places: &'a dyn Fn(&PlaceCode) -> Option<CapPlace>,
    /// The alert's page, written as every info's `web`.
    pub web: Option<String>,
}

/// A place as the writer needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct CapPlace {
    /// The place's name from the reference. The `areaDesc` is the alert's own location
    /// description, written by the focal point, so the name is for callers that show it.
    pub name: String,
    pub point: Point,
}

/// A CAP message read into the parts of an alert.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedCap {
    pub identifier: String,
    pub sender: String,
    pub sent: DateTime<FixedOffset>,
    pub msg_type: CapMsgType,
    pub references: Vec<CapReference>,
    pub issuing_country: CountryCode,
    pub content: AlertContent,
    /// The countries in `addresses`, in order, without the issuing country.
    pub recipients: Vec<CountryCode>,
    /// The arrival windows the message gives, by recipient (parameter `arrival_window`).
    pub arrival_windows: Vec<(CountryCode, ArrivalWindow)>,
    pub what_changed: Option<String>,
    pub note: Option<String>,
    /// The message says the alert is over: a kept info recommends `AllClear` (corredor's
    /// closing `Update`). A `Cancel` says so by its `msg_type`.
    pub all_clear: bool,
    /// The alert id and version when the message came from corredor (parameters `alert_id`
    /// and `alert_version`).
    pub corredor_ref: Option<(i64, u32)>,
    /// Every default the import had to assume and everything it left out, in words, for the
    /// focal point who confirms the alert.
    pub assumed: Vec<String>,
}

/// One thing wrong, at a path in the message (`alert/info[1]/parameter[stage]`) or the alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingProblem {
    pub field: String,
    pub reason: String,
}

impl fmt::Display for MappingProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// Why an alert has no CAP message, or a CAP message is not an alert.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CapMappingError {
    #[error("the alert has no id yet; its CAP identifiers are made from it, so store it first")]
    MissingId,
    #[error("the alert was never sent (it is {state}), so it has no CAP message")]
    NeverSent { state: AlertState },
    #[error(
        "alert/info: corredor reads alerts in Spanish (es…) or English (en…); this message has {}",
        describe_languages(.found)
    )]
    NoSpanishOrEnglish {
        /// The languages of the message's infos, in order.
        found: Vec<String>,
    },
    #[error("{}", join_problems(.problems))]
    Invalid { problems: Vec<MappingProblem> },
}

fn describe_languages(found: &[String]) -> String {
    if found.is_empty() {
        "no info block".to_owned()
    } else {
        format!("only {}", found.join(", "))
    }
}

fn join_problems(problems: &[MappingProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> CapMappingError {
    CapMappingError::Invalid {
        problems: vec![MappingProblem {
            field: field.into(),
            reason: reason.into(),
        }],
    }
}

// ---------------------------------------------------------------------------------------
// From an alert

/// Every CAP message `alert` has produced, in order: `Alert` for version 1, an `Update` per
/// later version, and a last `Update` (`AllClear`) when closed or a `Cancel` when cancelled.
///
/// Refused when the alert has no id ([`CapMappingError::MissingId`]) or was never activated
/// ([`CapMappingError::NeverSent`]), or when the sender is not a CAP token.
pub fn alert_to_cap(alert: &Alert, ctx: &CapContext) -> Result<Vec<CapAlert>, CapMappingError> {
    let id = alert.id().ok_or(CapMappingError::MissingId)?;
    if alert.activated_at().is_none() {
        return Err(CapMappingError::NeverSent {
            state: alert.state(),
        });
    }
    check_token(&ctx.sender).map_err(|reason| invalid("sender", reason))?;
    let incident = format!("corredor-{}-{}", alert.issuing_country(), id.0);
    let mut messages: Vec<CapAlert> = Vec::new();
    for version in alert.versions() {
        let message = message(
            alert,
            ctx,
            &incident,
            &format!("v{}", version.number),
            version,
            version.issued_at,
            Ending::Open,
            &messages,
        );
        messages.push(message);
    }
    let last_change = alert
        .history()
        .last()
        .filter(|change| change.to == alert.state());
    let ending = match (alert.state(), last_change) {
        (AlertState::Closed, Some(change)) => Some((Ending::Closed, "closed", change.at)),
        (AlertState::Cancelled, Some(change)) => Some((
            Ending::Cancelled(change.reason.as_deref()),
            "cancelled",
            change.at,
        )),
        _ => None,
    };
    if let Some((ending, suffix, at)) = ending {
        let message = message(
            alert,
            ctx,
            &incident,
            suffix,
            alert.latest(),
            at,
            ending,
            &messages,
        );
        messages.push(message);
    }
    Ok(messages)
}

/// The last message `alert` has produced: what a recipient should hold now.
pub fn latest_cap(alert: &Alert, ctx: &CapContext) -> Result<CapAlert, CapMappingError> {
    alert_to_cap(alert, ctx)?
        .pop()
        .ok_or(CapMappingError::NeverSent {
            state: alert.state(),
        })
}

/// How a message stands in the alert's life.
#[derive(Clone, Copy)]
enum Ending<'a> {
    Open,
    Closed,
    Cancelled(Option<&'a str>),
}

#[allow(
    clippy::too_many_arguments,
    reason = "one private builder for the three kinds of message"
)]
fn message(
    alert: &Alert,
    ctx: &CapContext,
    incident: &str,
    suffix: &str,
    version: &AlertVersion,
    sent: DateTime<FixedOffset>,
    ending: Ending,
    earlier: &[CapAlert],
) -> CapAlert {
    let msg_type = match ending {
        Ending::Cancelled(_) => CapMsgType::Cancel,
        _ if earlier.is_empty() => CapMsgType::Alert,
        _ => CapMsgType::Update,
    };
    let recipients: Vec<&Recipient> = alert
        .recipients()
        .iter()
        .filter(|recipient| match (ending, recipient.addressed_at) {
            (Ending::Open, Some(addressed_at)) => addressed_at <= sent,
            _ => true,
        })
        .collect();
    let (scope, restriction, addresses) = if recipients.is_empty() {
        (
            CapScope::Restricted,
            Some(format!(
                "corredor: the focal points of {} and the RCM secretariat",
                alert.issuing_country()
            )),
            None,
        )
    } else {
        let codes: Vec<&str> = recipients.iter().map(|r| r.country.as_str()).collect();
        (CapScope::Private, None, Some(codes.join(" ")))
    };
    let note = match ending {
        Ending::Open => None,
        Ending::Closed => Some(
            "Alerta cerrada: el flujo pasó o se dispersó. / Alert closed: the flow passed or dispersed."
                .to_owned(),
        ),
        Ending::Cancelled(reason) => Some(reason.unwrap_or("cancelled").to_owned()),
    };
    let parameters = parameters(alert, version, &recipients);
    let area = area(&version.content, ctx);
    let content = &version.content;
    let mut infos = Vec::new();
    for (language, block) in [
        (SPANISH, content.text.spanish()),
        (ENGLISH, content.text.english()),
    ] {
        let Some(block) = block else { continue };
        infos.push(info(
            language,
            block,
            content.stage,
            ending,
            ctx,
            &parameters,
            &area,
        ));
    }
    CapAlert {
        identifier: format!("{incident}-{suffix}"),
        sender: ctx.sender.clone(),
        // CAP times are whole seconds; a clock's fraction of a second is dropped here, so
        // that every message of a stored alert can be written.
        sent: sent.with_nanosecond(0).unwrap_or(sent),
        status: CapStatus::Actual,
        msg_type,
        source: None,
        scope,
        restriction,
        addresses,
        code: Vec::new(),
        note,
        references: earlier
            .iter()
            .map(|message| CapReference {
                sender: message.sender.clone(),
                identifier: message.identifier.clone(),
                sent: message.sent,
            })
            .collect(),
        incidents: Some(incident.to_owned()),
        infos,
    }
}

fn info(
    language: &str,
    block: &TextBlock,
    stage: FlowStage,
    ending: Ending,
    ctx: &CapContext,
    parameters: &[(String, String)],
    area: &CapArea,
) -> CapInfo {
    let spanish = language == SPANISH;
    let (response, urgency, severity, certainty) = assessment(stage, ending);
    CapInfo {
        language: language.to_owned(),
        categories: vec![CapCategory::Safety],
        event: if spanish {
            "Flujo migratorio masivo"
        } else {
            "Mass migration flow"
        }
        .to_owned(),
        response_types: vec![response],
        urgency,
        severity,
        certainty,
        audience: Some(
            if spanish {
                "Puntos focales de la Conferencia Regional sobre Migración"
            } else {
                "Focal points of the Regional Conference on Migration"
            }
            .to_owned(),
        ),
        event_codes: Vec::new(),
        effective: None,
        onset: None,
        expires: None,
        sender_name: None,
        headline: Some(block.headline.clone()),
        description: Some(block.description.clone()),
        instruction: block.instruction.clone(),
        web: ctx.web.clone(),
        contact: None,
        parameters: parameters.to_vec(),
        resources: Vec::new(),
        areas: vec![area.clone()],
    }
}

/// The table in the module documentation.
fn assessment(
    stage: FlowStage,
    ending: Ending,
) -> (CapResponseType, CapUrgency, CapSeverity, CapCertainty) {
    match ending {
        Ending::Closed => (
            CapResponseType::AllClear,
            CapUrgency::Past,
            CapSeverity::Minor,
            CapCertainty::Observed,
        ),
        Ending::Cancelled(_) => (
            CapResponseType::None,
            CapUrgency::Past,
            CapSeverity::Minor,
            CapCertainty::Unlikely,
        ),
        Ending::Open => match stage {
            FlowStage::Forming => (
                CapResponseType::Prepare,
                CapUrgency::Future,
                CapSeverity::Moderate,
                CapCertainty::Likely,
            ),
            FlowStage::InTransit => (
                CapResponseType::Prepare,
                CapUrgency::Expected,
                CapSeverity::Moderate,
                CapCertainty::Observed,
            ),
            FlowStage::AtBorder => (
                CapResponseType::Execute,
                CapUrgency::Immediate,
                CapSeverity::Severe,
                CapCertainty::Observed,
            ),
            FlowStage::Dispersed => (
                CapResponseType::Monitor,
                CapUrgency::Past,
                CapSeverity::Minor,
                CapCertainty::Observed,
            ),
        },
    }
}

fn area(content: &AlertContent, ctx: &CapContext) -> CapArea {
    let point = |p: &Point| CapPoint {
        lat: p.latitude,
        lon: p.longitude,
    };
    let mut area = CapArea {
        area_desc: content.location.description().to_owned(),
        polygons: Vec::new(),
        circles: Vec::new(),
        geocodes: Vec::new(),
        altitude: None,
        ceiling: None,
    };
    match content.location.area() {
        Area::Place { place } => {
            if let Some(known) = (ctx.places)(place) {
                area.circles.push(CapCircle {
                    center: point(&known.point),
                    radius_km: PLACE_RADIUS_KM,
                });
            }
            area.geocodes
                .push((PLACE_GEOCODE.to_owned(), place.as_str().to_owned()));
        }
        Area::Circle { centre, radius_km } => area.circles.push(CapCircle {
            center: point(centre),
            radius_km: *radius_km,
        }),
        Area::Polygon { points } => area.polygons.push(points.iter().map(point).collect()),
    }
    area
}

fn parameters(
    alert: &Alert,
    version: &AlertVersion,
    recipients: &[&Recipient],
) -> Vec<(String, String)> {
    let content = &version.content;
    let mut out: Vec<(String, String)> = Vec::new();
    let mut push = |name: &str, value: String| out.push((name.to_owned(), value));
    push("issuing_country", alert.issuing_country().to_string());
    push("stage", content.stage.code().to_owned());
    push("corridor", content.route.corridor.to_string());
    push("direction", content.route.direction.code().to_owned());
    let parts = content.composition.parts();
    push("estimated_people", parts.estimated_people.to_string());
    for (name, count) in composition_counts(parts) {
        if let Some(count) = count {
            push(name, count.to_string());
        }
    }
    if !parts.nationalities.is_empty() {
        let list: Vec<String> = parts
            .nationalities
            .iter()
            .map(|n| format!("{}:{}", n.nationality, n.estimated_people))
            .collect();
        push("nationalities", list.join(" "));
    }
    if !content.needs.actions.is_empty() {
        let list: Vec<&str> = content.needs.actions.iter().map(|a| a.code()).collect();
        push("needs", list.join(" "));
    }
    if let Some(note) = &content.needs.note {
        push("needs_note", note.clone());
    }
    if let Some(what_changed) = &version.what_changed {
        push("what_changed", what_changed.clone());
    }
    if let Some(id) = alert.id() {
        push("alert_id", id.0.to_string());
    }
    push("alert_version", version.number.to_string());
    for recipient in recipients {
        if let Some(window) = recipient.arrival {
            push(
                "arrival_window",
                format!(
                    "{} {} {} {}",
                    recipient.country,
                    window.from,
                    window.to,
                    basis_code(window.basis)
                ),
            );
        }
    }
    out
}

/// The optional counts of a composition, by parameter name.
fn composition_counts(parts: &FlowCompositionParts) -> [(&'static str, Option<u32>); 6] {
    [
        ("women", parts.women),
        ("children", parts.children),
        ("unaccompanied_children", parts.unaccompanied_children),
        ("pregnant_women", parts.pregnant_women),
        ("people_with_disabilities", parts.people_with_disabilities),
        ("older_people", parts.older_people),
    ]
}

fn basis_code(basis: WindowBasis) -> &'static str {
    match basis {
        WindowBasis::TransitTimes => "transit_times",
        WindowBasis::Forecast => "forecast",
    }
}

// ---------------------------------------------------------------------------------------
// To an alert

/// Reads a CAP message (from a partner system, or from corredor) into the parts of an alert;
/// see the module documentation for the defaults it assumes. `default_country` is the issuing
/// country when the message does not say (e.g. the country whose focal point imports it).
pub fn cap_to_alert(
    cap: &CapAlert,
    default_country: Option<CountryCode>,
) -> Result<ImportedCap, CapMappingError> {
    let mut assumed = Vec::new();
    let mut spanish: Option<usize> = None;
    let mut english: Option<usize> = None;
    for (index, info) in cap.infos.iter().enumerate() {
        let primary = info
            .language
            .split('-')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let slot = match primary.as_str() {
            "es" => &mut spanish,
            "en" => &mut english,
            _ => {
                assumed.push(format!(
                    "info[{}] in {} is not kept: corredor keeps Spanish and English",
                    index + 1,
                    info.language
                ));
                continue;
            }
        };
        if slot.is_some() {
            assumed.push(format!(
                "info[{}] in {} is not kept: an earlier info is in the same language",
                index + 1,
                info.language
            ));
        } else {
            *slot = Some(index);
        }
    }
    let first = match (spanish, english) {
        (None, None) => {
            return Err(CapMappingError::NoSpanishOrEnglish {
                found: cap.infos.iter().map(|i| i.language.clone()).collect(),
            })
        }
        (Some(s), Some(e)) => s.min(e),
        (Some(index), None) | (None, Some(index)) => index,
    };
    let mut problems = Vec::new();
    let params = Parameters::new(&cap.infos[first], first);

    let issuing_country = match params.single("issuing_country", &mut problems) {
        Some(raw) => params.parse(&mut problems, "issuing_country", raw, |raw| {
            CountryCode::parse(raw).map_err(|e| e.to_string())
        }),
        // Given twice with different values: the problem is recorded, no default applies.
        None if params.all("issuing_country").next().is_some() => None,
        None => match default_country {
            Some(country) => {
                assumed.push(format!(
                    "the issuing country is {country}: the message does not say (no issuing_country parameter)"
                ));
                Some(country)
            }
            None => {
                problems.push(MappingProblem {
                    field: params.path("issuing_country"),
                    reason: "the message does not say which country issues it, and no default country was given".to_owned(),
                });
                None
            }
        },
    };

    let stage = params.vocabulary(
        &mut problems,
        &mut assumed,
        "stage",
        FlowStage::InTransit,
        "a flow a partner warns of is on its way",
        |raw| FlowStage::parse(raw).map_err(|e| e.to_string()),
    );
    let corridor = params.vocabulary(
        &mut problems,
        &mut assumed,
        "corridor",
        CorridorCode::parse(DEFAULT_CORRIDOR).expect("the default corridor code is valid"),
        "the shipped corridor from Colombia to the United States",
        |raw| CorridorCode::parse(raw).map_err(|e| e.to_string()),
    );
    let direction = params.vocabulary(
        &mut problems,
        &mut assumed,
        "direction",
        Direction::Northbound,
        "the direction of the mass flows on the corridor",
        |raw| Direction::parse(raw).map_err(|e| e.to_string()),
    );

    let composition = params.composition(&mut problems, &mut assumed);
    let needs = params.needs(&mut problems);
    let what_changed = params
        .single("what_changed", &mut problems)
        .filter(|text| !text.trim().is_empty())
        .map(str::to_owned);
    let alert_id = params.single("alert_id", &mut problems).and_then(|raw| {
        params.parse(&mut problems, "alert_id", raw, |raw| {
            raw.parse::<i64>()
                .map_err(|_| format!("'{raw}' is not an alert id (a whole number)"))
        })
    });
    let alert_version = params
        .single("alert_version", &mut problems)
        .and_then(|raw| {
            params.parse(&mut problems, "alert_version", raw, |raw| {
                raw.parse::<u32>()
                    .ok()
                    .filter(|number| *number >= 1)
                    .ok_or_else(|| format!("'{raw}' is not a version number (1, 2, …)"))
            })
        });
    let arrival_windows = params.arrival_windows(&mut problems);

    let text = text(cap, spanish, english, &mut problems, &mut assumed);
    let location = issuing_country.and_then(|country| {
        location(
            &cap.infos[first],
            first,
            country,
            &mut problems,
            &mut assumed,
        )
    });

    let mut recipients = Vec::new();
    for token in cap
        .addresses
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
    {
        let country = (token.len() == 3 && token.bytes().all(|b| b.is_ascii_uppercase()))
            .then(|| CountryCode::parse(token).ok())
            .flatten();
        match country {
            Some(country) if Some(country) == issuing_country => {}
            Some(country) if !recipients.contains(&country) => recipients.push(country),
            Some(_) => {}
            None => assumed.push(format!(
                "the address '{token}' is not an ISO 3166-1 alpha-3 country code, so it is not a recipient"
            )),
        }
    }

    if !problems.is_empty() {
        return Err(CapMappingError::Invalid { problems });
    }
    let (
        Some(issuing_country),
        Some(stage),
        Some(corridor),
        Some(direction),
        Some(composition),
        Some(text),
        Some(location),
    ) = (
        issuing_country,
        stage,
        corridor,
        direction,
        composition,
        text,
        location,
    )
    else {
        // Every part that is missing has recorded a problem above; this is the safe answer
        // should that ever stop being so.
        return Err(invalid(
            "alert",
            "the message could not be read into an alert",
        ));
    };
    Ok(ImportedCap {
        identifier: cap.identifier.clone(),
        sender: cap.sender.clone(),
        sent: cap.sent,
        msg_type: cap.msg_type,
        references: cap.references.clone(),
        issuing_country,
        content: AlertContent {
            composition,
            location,
            route: Route {
                corridor,
                direction,
            },
            stage,
            needs,
            text,
        },
        recipients,
        arrival_windows,
        what_changed,
        note: cap.note.clone(),
        all_clear: [spanish, english].into_iter().flatten().any(|index| {
            cap.infos[index]
                .response_types
                .contains(&CapResponseType::AllClear)
        }),
        corredor_ref: alert_id.zip(alert_version),
        assumed,
    })
}

/// The parameters of the info the import reads them from.
struct Parameters<'a> {
    pairs: &'a [(String, String)],
    /// `alert/info[n]`.
    info_path: String,
}

impl<'a> Parameters<'a> {
    fn new(info: &'a CapInfo, index: usize) -> Parameters<'a> {
        Parameters {
            pairs: &info.parameters,
            info_path: format!("alert/info[{}]", index + 1),
        }
    }

    fn path(&self, name: &str) -> String {
        format!("{}/parameter[{name}]", self.info_path)
    }

    fn all(&self, name: &str) -> impl Iterator<Item = &'a str> + '_ {
        let name = name.to_owned();
        self.pairs
            .iter()
            .filter(move |(value_name, _)| *value_name == name)
            .map(|(_, value)| value.as_str())
    }

    /// The value of a parameter given at most once (or repeated with the same value).
    fn single(&self, name: &str, problems: &mut Vec<MappingProblem>) -> Option<&'a str> {
        let values: Vec<&str> = self.all(name).collect();
        let first = *values.first()?;
        if values.iter().any(|value| *value != first) {
            problems.push(MappingProblem {
                field: self.path(name),
                reason: format!(
                    "is given {} times with different values ({})",
                    values.len(),
                    values.join(" | ")
                ),
            });
            return None;
        }
        Some(first)
    }

    fn parse<T>(
        &self,
        problems: &mut Vec<MappingProblem>,
        name: &str,
        raw: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match parse(raw.trim()) {
            Ok(value) => Some(value),
            Err(reason) => {
                problems.push(MappingProblem {
                    field: self.path(name),
                    reason,
                });
                None
            }
        }
    }

    /// A parameter with a default the import assumes, saying why.
    fn vocabulary<T: fmt::Display>(
        &self,
        problems: &mut Vec<MappingProblem>,
        assumed: &mut Vec<String>,
        name: &str,
        default: T,
        why: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match self.single(name, problems) {
            Some(raw) => self.parse(problems, name, raw, parse),
            None if self.all(name).next().is_some() => None,
            None => {
                assumed.push(format!(
                    "the {name} is {default}: the message does not say ({why})"
                ));
                Some(default)
            }
        }
    }

    fn count(&self, problems: &mut Vec<MappingProblem>, name: &str) -> Option<u32> {
        let raw = self.single(name, problems)?;
        self.parse(problems, name, raw, |raw| {
            raw.parse::<u32>().map_err(|_| {
                format!("'{raw}' is not a number of people (a whole number, digits only)")
            })
        })
    }

    fn composition(
        &self,
        problems: &mut Vec<MappingProblem>,
        assumed: &mut Vec<String>,
    ) -> Option<FlowComposition> {
        let before = problems.len();
        let total = self.count(problems, "estimated_people");
        let mut parts = FlowCompositionParts {
            estimated_people: total.unwrap_or(0),
            women: self.count(problems, "women"),
            children: self.count(problems, "children"),
            unaccompanied_children: self.count(problems, "unaccompanied_children"),
            pregnant_women: self.count(problems, "pregnant_women"),
            people_with_disabilities: self.count(problems, "people_with_disabilities"),
            older_people: self.count(problems, "older_people"),
            nationalities: Vec::new(),
        };
        if let Some(raw) = self.single("nationalities", problems) {
            for token in raw.split_whitespace() {
                match nationality_estimate(token) {
                    Ok(estimate) => parts.nationalities.push(estimate),
                    Err(reason) => problems.push(MappingProblem {
                        field: self.path("nationalities"),
                        reason,
                    }),
                }
            }
        }
        if problems.len() > before {
            return None;
        }
        if total.is_none() && self.all("estimated_people").next().is_none() {
            let named = composition_counts(&parts)
                .into_iter()
                .filter_map(|(_, c)| c);
            let nationalities: u64 = parts
                .nationalities
                .iter()
                .map(|n| u64::from(n.estimated_people))
                .sum();
            let largest = named
                .map(u64::from)
                .chain([nationalities, 1])
                .max()
                .unwrap_or(1);
            parts.estimated_people = u32::try_from(largest).unwrap_or(u32::MAX);
            assumed.push(format!(
                "the number of people is unknown (no estimated_people parameter); recorded as {}, \
                 the largest figure the message gives and at least 1: confirm it before acting",
                parts.estimated_people
            ));
        }
        match FlowComposition::new(parts) {
            Ok(composition) => Some(composition),
            Err(error) => {
                problems.push(MappingProblem {
                    field: format!("{}/parameter (composition)", self.info_path),
                    reason: core_reason(&error),
                });
                None
            }
        }
    }

    fn needs(&self, problems: &mut Vec<MappingProblem>) -> Needs {
        let mut actions = BTreeSet::new();
        if let Some(raw) = self.single("needs", problems) {
            for token in raw.split_whitespace() {
                match RequiredAction::parse(token) {
                    Ok(action) => {
                        actions.insert(action);
                    }
                    Err(error) => problems.push(MappingProblem {
                        field: self.path("needs"),
                        reason: error.to_string(),
                    }),
                }
            }
        }
        let note = self
            .single("needs_note", problems)
            .filter(|note| !note.trim().is_empty())
            .map(str::to_owned);
        if let Some(note) = &note {
            let length = note.trim().chars().count();
            if length > 2000 {
                problems.push(MappingProblem {
                    field: self.path("needs_note"),
                    reason: format!("has {length} characters, more than 2000"),
                });
            }
        }
        Needs { actions, note }
    }

    fn arrival_windows(
        &self,
        problems: &mut Vec<MappingProblem>,
    ) -> Vec<(CountryCode, ArrivalWindow)> {
        let mut windows: Vec<(CountryCode, ArrivalWindow)> = Vec::new();
        for raw in self.all("arrival_window") {
            let parsed = self.parse(problems, "arrival_window", raw, |raw| {
                let shape = || {
                    format!(
                        "'{raw}' is not an arrival window 'CRI 2021-09-08 2021-09-19 transit_times'"
                    )
                };
                let parts: Vec<&str> = raw.split_whitespace().collect();
                let [country, from, to, basis] = parts.as_slice() else {
                    return Err(shape());
                };
                let country = CountryCode::parse(country).map_err(|e| e.to_string())?;
                let day = |text: &str| {
                    NaiveDate::parse_from_str(text, "%Y-%m-%d")
                        .map_err(|_| format!("'{text}' is not a day like 2021-09-08"))
                };
                let (from, to) = (day(from)?, day(to)?);
                if from > to {
                    return Err(format!("the window starts ({from}) after it ends ({to})"));
                }
                let basis = match *basis {
                    "transit_times" => WindowBasis::TransitTimes,
                    "forecast" => WindowBasis::Forecast,
                    other => {
                        return Err(format!(
                            "'{other}' is not a window basis (transit_times or forecast)"
                        ))
                    }
                };
                Ok((country, ArrivalWindow { from, to, basis }))
            });
            if let Some((country, window)) = parsed {
                if windows.iter().any(|(c, _)| *c == country) {
                    problems.push(MappingProblem {
                        field: self.path("arrival_window"),
                        reason: format!("{country} has two arrival windows"),
                    });
                } else {
                    windows.push((country, window));
                }
            }
        }
        windows
    }
}

fn nationality_estimate(token: &str) -> Result<NationalityEstimate, String> {
    let Some((code, count)) = token.split_once(':') else {
        return Err(format!(
            "'{token}' is not a nationality and a number of people like VEN:2100"
        ));
    };
    let nationality = Nationality::parse(code).map_err(|e| e.to_string())?;
    let estimated_people = count.parse::<u32>().map_err(|_| {
        format!("'{count}' in '{token}' is not a number of people (a whole number)")
    })?;
    Ok(NationalityEstimate {
        nationality,
        estimated_people,
    })
}

/// The reason in a core error, without the "invalid alert: field:" prefix the CAP path replaces.
fn core_reason(error: &corredor_core::CoreError) -> String {
    match error {
        corredor_core::CoreError::InvalidAlert { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}

fn text(
    cap: &CapAlert,
    spanish: Option<usize>,
    english: Option<usize>,
    problems: &mut Vec<MappingProblem>,
    assumed: &mut Vec<String>,
) -> Option<AlertText> {
    let block = |index: Option<usize>, assumed: &mut Vec<String>| {
        index.map(|index| text_block(&cap.infos[index], index, assumed))
    };
    let spanish_block = block(spanish, assumed);
    let english_block = block(english, assumed);
    match AlertText::new(spanish_block, english_block) {
        Ok(text) => Some(text),
        Err(error) => {
            let field = match &error {
                corredor_core::CoreError::InvalidAlert { field, .. }
                    if field.contains("english") =>
                {
                    english
                }
                _ => spanish.or(english),
            };
            problems.push(MappingProblem {
                field: format!("alert/info[{}]", field.map_or(1, |i| i + 1)),
                reason: core_reason(&error),
            });
            None
        }
    }
}

/// The headline the alert model holds at most (CAP 1.2 recommends under 160 characters).
const HEADLINE_CHARACTERS: usize = 160;

fn text_block(info: &CapInfo, index: usize, assumed: &mut Vec<String>) -> TextBlock {
    let at = format!("info[{}] ({})", index + 1, info.language);
    let given = |text: &Option<String>| {
        text.as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };
    let mut headline = match given(&info.headline) {
        Some(headline) => headline,
        None => {
            assumed.push(format!(
                "{at} has no headline: the event '{}' is the headline",
                info.event.trim()
            ));
            info.event.trim().to_owned()
        }
    };
    let mut description = match given(&info.description) {
        Some(description) => description,
        None => {
            assumed.push(format!(
                "{at} has no description: the headline is the description"
            ));
            headline.clone()
        }
    };
    let length = headline.chars().count();
    if length > HEADLINE_CHARACTERS {
        let short: String = headline.chars().take(HEADLINE_CHARACTERS - 1).collect();
        if description != headline {
            description = format!("{headline}\n\n{description}");
        }
        assumed.push(format!(
            "{at} has a headline of {length} characters, more than the {HEADLINE_CHARACTERS} \
             corredor keeps: it is shortened, and the whole headline begins the description"
        ));
        headline = format!("{}…", short.trim_end());
    }
    TextBlock {
        headline,
        description,
        instruction: given(&info.instruction),
    }
}

fn location(
    info: &CapInfo,
    index: usize,
    issuing_country: CountryCode,
    problems: &mut Vec<MappingProblem>,
    assumed: &mut Vec<String>,
) -> Option<AlertLocation> {
    let info_path = format!("alert/info[{}]", index + 1);
    let point = |p: CapPoint| Point {
        latitude: p.lat,
        longitude: p.lon,
    };
    let located = info.areas.iter().enumerate().find(|(_, area)| {
        area.geocodes.iter().any(|(name, _)| name == PLACE_GEOCODE)
            || !area.circles.is_empty()
            || !area.polygons.is_empty()
    });
    if info.areas.len() > 1 {
        assumed.push(format!(
            "{info_path} has {} areas; only {} is kept",
            info.areas.len(),
            match located {
                Some((at, _)) => format!("area[{}]", at + 1),
                None => "the first area's description".to_owned(),
            }
        ));
    }
    let Some((at, area)) = located else {
        let description = info
            .areas
            .first()
            .map(|area| area.area_desc.trim())
            .filter(|text| !text.is_empty())
            .unwrap_or(issuing_country.as_str());
        assumed.push(format!(
            "{info_path} places the alert by no corredor place, circle or polygon: it is \
             located in the whole of {issuing_country}, described as '{description}'"
        ));
        let place = PlaceCode::parse(issuing_country.as_str())
            .expect("an ISO alpha-3 code is a place code");
        return checked_location(
            Area::Place { place },
            description,
            &format!("{info_path}/area[1]"),
            problems,
        );
    };
    let path = format!("{info_path}/area[{}]", at + 1);
    let place = area
        .geocodes
        .iter()
        .find(|(name, _)| name == PLACE_GEOCODE)
        .map(|(_, value)| value);
    let shape = if let Some(code) = place {
        match PlaceCode::parse(code) {
            Ok(place) => Area::Place { place },
            Err(error) => {
                problems.push(MappingProblem {
                    field: format!("{path}/geocode[{PLACE_GEOCODE}]"),
                    reason: error.to_string(),
                });
                return None;
            }
        }
    } else if let Some(circle) = area.circles.first() {
        if area.circles.len() + area.polygons.len() > 1 {
            assumed.push(format!("{path}: only the first circle is kept"));
        }
        let radius = circle.radius_km;
        if !radius.is_finite() {
            problems.push(MappingProblem {
                field: format!("{path}/circle[1]"),
                reason: format!("the radius {radius} is not a number of kilometres"),
            });
            return None;
        }
        let radius_km = if radius <= 0.0 {
            assumed.push(format!(
                "{path}/circle[1] has radius {radius} km (a point): widened to {SHORTEST_RADIUS_KM} km"
            ));
            SHORTEST_RADIUS_KM
        } else if radius > LARGEST_RADIUS_KM {
            assumed.push(format!(
                "{path}/circle[1] has radius {radius} km: narrowed to {LARGEST_RADIUS_KM} km, the largest corredor keeps"
            ));
            LARGEST_RADIUS_KM
        } else {
            radius
        };
        Area::Circle {
            centre: point(circle.center),
            radius_km,
        }
    } else {
        if area.polygons.len() > 1 {
            assumed.push(format!("{path}: only the first polygon is kept"));
        }
        Area::Polygon {
            points: area
                .polygons
                .first()
                .map(|ring| ring.iter().copied().map(point).collect())
                .unwrap_or_default(),
        }
    };
    let description = match area.area_desc.trim() {
        "" => {
            assumed.push(format!(
                "{path} has an empty areaDesc: it is described as {issuing_country}"
            ));
            issuing_country.as_str()
        }
        description => description,
    };
    checked_location(shape, description, &path, problems)
}

fn checked_location(
    area: Area,
    description: &str,
    path: &str,
    problems: &mut Vec<MappingProblem>,
) -> Option<AlertLocation> {
    match AlertLocation::new(area, description) {
        Ok(location) => Some(location),
        Err(error) => {
            problems.push(MappingProblem {
                field: path.to_owned(),
                reason: core_reason(&error),
            });
            None
        }
    }
}
