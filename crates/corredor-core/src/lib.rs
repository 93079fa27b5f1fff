//! The domain vocabulary of corredor.
//!
//! Everything the member countries exchange is expressed in these types: countries and
//! nationalities, places where counts are made, corridors (ordered routes with legs),
//! periods, measures and their breakdowns, and observations with their provenance.
//!
//! Raw text becomes one of these types once, at the edge, through a `parse` constructor that
//! validates; everything inside corredor takes the typed value. This crate does no I/O, is not
//! async and never reads the clock: whoever needs "today" passes it in.

mod access;
mod alert;
mod breakdown;
mod code;
mod corridor;
mod error;
mod iso3166;
mod measure;
mod observation;
mod period;
mod place;
pub mod returns;
mod signal;

pub use access::{
    authorize, may_read, Action, Caller, Denied, Organisation, OrganisationCode, OrganisationKind,
    Principal, Role, SharingLevel, SharingPolicy, DEFAULT_SHARING,
};
pub use alert::{
    effective_level, recipients_ahead, Acknowledgement, ActionRecord, ActionStatus, Alert,
    AlertContent, AlertId, AlertLevel, AlertLocation, AlertLocationParts, AlertParts, AlertState,
    AlertText, AlertTextParts, AlertVersion, Area, ArrivalWindow, ArrivalWindowRule, Direction,
    FlowComposition, FlowCompositionParts, FlowStage, LevelChecklist, LevelChecklists,
    NationalityEstimate, Needs, Point, Recipient, RequiredAction, Route, ShelterLoad, StateChange,
    StrandedPopulation, StrandedPopulationParts, TextBlock, Timestamp, WindowBasis,
};
pub use breakdown::{AgeGroup, Breakdown, Sex, Vulnerability};
pub use code::{CountryCode, Nationality};
pub use corridor::{Corridor, CorridorCode, CorridorNode, Leg};
pub use error::CoreError;
pub use measure::{Measure, MeasureKind};
pub use observation::{Observation, ObservationKey, Provenance, Revision};
pub use period::{Granularity, Period};
pub use place::{Country, Place, PlaceCode, PlaceKind, RcmStatus};
pub use signal::{SignalKind, SignalOutcome};
