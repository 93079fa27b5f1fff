use thiserror::Error;

use crate::alert::AlertState;
use crate::code::CountryCode;

/// Why a raw value could not become a domain value. Each variant names the offending text so
/// that callers at the edge (file import, API) can say which field was wrong and why.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CoreError {
    #[error("`{code}` is not an ISO 3166-1 alpha-3 country code")]
    UnknownCountry { code: String },
    #[error(
        "`{code}` is not a nationality code (ISO 3166-1 alpha-3, `UNK` unknown or `XXA` stateless)"
    )]
    UnknownNationality { code: String },
    #[error("`{raw}` is not a period (expected a day `2023-08-14`, an ISO week `2023-W33`, a month `2023-08` or a year `2023`)")]
    InvalidPeriod { raw: String },
    #[error("`{code}` is not a measure (expected one of {expected})")]
    UnknownMeasure {
        code: String,
        expected: &'static str,
    },
    #[error("`{code}` is not a sex (expected f, m, x or unknown)")]
    UnknownSex { code: String },
    #[error("`{code}` is not an age group (expected 0-4, 5-11, 12-17, 0-17, 18-59, 60+, 18+ or unknown)")]
    UnknownAgeGroup { code: String },
    #[error("`{code}` is not a vulnerability (expected unaccompanied_child, separated_child, family_unit, pregnant or disability)")]
    UnknownVulnerability { code: String },
    #[error(
        "`{code}` is not a place code (2 to 32 characters: capital letters, digits, `-` or `_`)"
    )]
    InvalidPlaceCode { code: String },
    #[error("`{code}` is not a signal kind (expected surge or capacity)")]
    UnknownSignalKind { code: String },
    #[error("`{code}` is not a signal outcome (expected discarded, monitoring or escalated)")]
    UnknownSignalOutcome { code: String },
    #[error("`{code}` is not a place kind")]
    UnknownPlaceKind { code: String },
    #[error("`{code}` is not a corridor code (2 to 32 characters: lower-case letters, digits, `-` or `_`)")]
    InvalidCorridorCode { code: String },
    #[error("invalid corridor: {reason}")]
    InvalidCorridor { reason: String },
    #[error("coordinates ({latitude}, {longitude}) are outside the range of latitude [-90, 90] and longitude [-180, 180]")]
    InvalidCoordinates { latitude: f64, longitude: f64 },
    #[error("`{raw}` is not a count (expected a whole number, zero or more)")]
    InvalidCount { raw: String },
    #[error(
        "`{code}` is not an organisation code (2 to 16 characters: capital letters, digits or `-`)"
    )]
    InvalidOrganisationCode { code: String },
    #[error("invalid organisation: {reason}")]
    InvalidOrganisation { reason: String },
    #[error("`{code}` is not a role (expected administrator, focal_point, analyst or observer)")]
    UnknownRole { code: String },
    #[error("`{code}` is not a sharing level (expected private, named_members, all_members, members_and_observers or public)")]
    UnknownSharingLevel { code: String },
    #[error("`{text}` is empty or too long (at most {max} characters)")]
    InvalidText { text: String, max: usize },
    #[error("`{code}` is not an alert level (expected normal, elevated, high or critical)")]
    UnknownAlertLevel { code: String },
    #[error("`{code}` is not a flow stage (expected forming, in_transit, at_border or dispersed)")]
    UnknownFlowStage { code: String },
    #[error("`{code}` is not an alert state (expected draft, active, closed or cancelled)")]
    UnknownAlertState { code: String },
    #[error("`{code}` is not a required action (expected humanitarian_assistance, health_care, protection_screening, asylum_referral, unaccompanied_children_care, use_of_force_regulation or voluntary_return_information)")]
    UnknownRequiredAction { code: String },
    #[error(
        "`{code}` is not an action status (expected guaranteed, in_progress, done or not_possible)"
    )]
    UnknownActionStatus { code: String },
    #[error("`{code}` is not a direction (expected northbound or southbound)")]
    UnknownDirection { code: String },
    #[error("invalid alert: {field}: {reason}")]
    InvalidAlert { field: &'static str, reason: String },
    #[error("cannot {attempted}: the alert is {state}")]
    AlertNotAllowed {
        state: AlertState,
        attempted: &'static str,
    },
    #[error("{country} is not a recipient of this alert")]
    NotARecipient { country: CountryCode },
    #[error("{country} has already acknowledged this alert")]
    AlreadyAcknowledged { country: CountryCode },
    #[error("invalid stranded population: {field}: {reason}")]
    InvalidStrandedPopulation { field: &'static str, reason: String },
}
