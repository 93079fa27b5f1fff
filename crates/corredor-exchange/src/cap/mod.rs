//! OASIS Common Alerting Protocol (CAP) 1.2: the typed model, its reader and its writer.
//!
//! The migratory alert between corridor countries travels as CAP 1.2, so every version of an
//! alert must be valid against the OASIS schema (`CAP-v1.2.xsd`) and also keep the rules of the
//! specification the schema does not encode: `Update` and `Cancel` carry `references`, a
//! `Restricted` scope carries a `restriction` and a `Private` one `addresses`, polygons are
//! closed rings of at least four points, times always carry an offset (`-05:00`, never `Z`),
//! and identifiers hold no spaces, commas, `<` or `&`.
//!
//! [`write_cap`] checks those rules before writing, so a message that leaves corredor is valid;
//! [`read_cap`] refuses hostile XML (any DTD, so no entity is ever expanded or fetched) and
//! invalid messages, listing every problem with the element path (`alert/info[2]/area[1]/circle[1]`).
//! Neither touches a file: the reader takes bytes and the writer returns a `String`.
//!
//! [`alert_to_cap`] turns a migratory alert into the messages it has produced (`Alert`,
//! `Update`s, a closing `Update` or a `Cancel`) and [`cap_to_alert`] reads a partner's message
//! into the parts of an alert; the `alert` module documents the mapping field by field.
//!
//! Reference: OASIS, *Common Alerting Protocol Version 1.2*, OASIS Standard, 1 July 2010
//! (CAP-v1.2-os), with Errata 01.

mod alert;
mod read;
mod rules;
mod write;

use chrono::{DateTime, FixedOffset};
use thiserror::Error;

pub use alert::{
    alert_to_cap, cap_to_alert, latest_cap, CapContext, CapMappingError, CapPlace, ImportedCap,
    MappingProblem, DEFAULT_CORRIDOR, ENGLISH, PLACE_GEOCODE, PLACE_RADIUS_KM, SHORTEST_RADIUS_KM,
    SPANISH,
};
pub use read::{read_cap, read_cap_from, MAX_CAP_BYTES};
pub use write::write_cap;

/// The XML namespace of CAP 1.2, the only version corredor reads and writes.
pub const CAP_1_2_NAMESPACE: &str = "urn:oasis:names:tc:emergency:cap:1.2";

/// One CAP 1.2 `<alert>` message.
#[derive(Debug, Clone, PartialEq)]
pub struct CapAlert {
    /// Unique for the sender; no spaces, commas, `<` or `&`.
    pub identifier: String,
    /// The sender's identifier (often an e-mail-like address); same character rules.
    pub sender: String,
    pub sent: DateTime<FixedOffset>,
    pub status: CapStatus,
    pub msg_type: CapMsgType,
    pub source: Option<String>,
    pub scope: CapScope,
    /// Who may see a `Restricted` message (required then).
    pub restriction: Option<String>,
    /// The recipients of a `Private` message, space separated (required then).
    pub addresses: Option<String>,
    pub code: Vec<String>,
    pub note: Option<String>,
    /// The earlier messages this one updates, cancels or answers.
    pub references: Vec<CapReference>,
    pub incidents: Option<String>,
    pub infos: Vec<CapInfo>,
}

/// One earlier message, written in `<references>` as `sender,identifier,sent`.
#[derive(Debug, Clone, PartialEq)]
pub struct CapReference {
    pub sender: String,
    pub identifier: String,
    pub sent: DateTime<FixedOffset>,
}

/// One `<info>` block: the alert in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct CapInfo {
    /// RFC 3066 language tag such as `es-419` or `en-US`; CAP's default is `en-US`.
    pub language: String,
    /// At least one.
    pub categories: Vec<CapCategory>,
    pub event: String,
    pub response_types: Vec<CapResponseType>,
    pub urgency: CapUrgency,
    pub severity: CapSeverity,
    pub certainty: CapCertainty,
    pub audience: Option<String>,
    /// `(valueName, value)` pairs.
    pub event_codes: Vec<(String, String)>,
    pub effective: Option<DateTime<FixedOffset>>,
    pub onset: Option<DateTime<FixedOffset>>,
    pub expires: Option<DateTime<FixedOffset>>,
    pub sender_name: Option<String>,
    pub headline: Option<String>,
    pub description: Option<String>,
    pub instruction: Option<String>,
    pub web: Option<String>,
    pub contact: Option<String>,
    /// `(valueName, value)` pairs.
    pub parameters: Vec<(String, String)>,
    pub resources: Vec<CapResource>,
    pub areas: Vec<CapArea>,
}

/// One `<resource>`: a file that goes with the alert (a map, a leaflet).
#[derive(Debug, Clone, PartialEq)]
pub struct CapResource {
    pub resource_desc: String,
    pub mime_type: String,
    pub size: Option<u64>,
    pub uri: Option<String>,
    /// The resource itself, base64, when it travels inside the message.
    pub deref_uri: Option<String>,
    pub digest: Option<String>,
}

/// One `<area>` the alert is about.
#[derive(Debug, Clone, PartialEq)]
pub struct CapArea {
    pub area_desc: String,
    /// Closed rings: at least four points, the first equal to the last.
    pub polygons: Vec<Vec<CapPoint>>,
    pub circles: Vec<CapCircle>,
    /// `(valueName, value)` pairs.
    pub geocodes: Vec<(String, String)>,
    /// Feet above mean sea level, as the specification says.
    pub altitude: Option<f64>,
    /// Feet above mean sea level; only together with `altitude`.
    pub ceiling: Option<f64>,
}

/// A WGS 84 point, latitude first as CAP writes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CapPoint {
    /// Degrees, -90 to 90.
    pub lat: f64,
    /// Degrees, -180 to 180.
    pub lon: f64,
}

/// A circle written `lat,lon radius` with the radius in kilometres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CapCircle {
    pub center: CapPoint,
    pub radius_km: f64,
}

/// Why a message could not be written.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CapError {
    /// A field breaks the schema or the rules of the specification.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
}

/// The closed vocabularies of CAP 1.2: each value as written in XML.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $label:literal, [$($variant:ident = $text:literal),+ $(,)?]) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            /// Every value, in the order of the schema.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as CAP writes it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value from its CAP spelling (exact, as the schema's enumeration is).
            pub fn parse(text: &str) -> Result<$name, String> {
                match text {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "'{}' is not a CAP 1.2 {}; expected one of: {}",
                        other,
                        $label,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }
    };
}

vocabulary!(
    /// `<status>`: how the message is meant to be handled.
    CapStatus, "status",
    [Actual = "Actual", Exercise = "Exercise", System = "System", Test = "Test", Draft = "Draft"]
);
vocabulary!(
    /// `<msgType>`: the nature of the message.
    CapMsgType, "msgType",
    [Alert = "Alert", Update = "Update", Cancel = "Cancel", Ack = "Ack", Error = "Error"]
);
vocabulary!(
    /// `<scope>`: who the message is for.
    CapScope, "scope",
    [Public = "Public", Restricted = "Restricted", Private = "Private"]
);
vocabulary!(
    /// `<category>` of the subject event.
    CapCategory, "category",
    [
        Geo = "Geo", Met = "Met", Safety = "Safety", Security = "Security", Rescue = "Rescue",
        Fire = "Fire", Health = "Health", Env = "Env", Transport = "Transport", Infra = "Infra",
        Cbrne = "CBRNE", Other = "Other",
    ]
);
vocabulary!(
    /// `<responseType>`: the action recommended.
    CapResponseType, "responseType",
    [
        Shelter = "Shelter", Evacuate = "Evacuate", Prepare = "Prepare", Execute = "Execute",
        Avoid = "Avoid", Monitor = "Monitor", Assess = "Assess", AllClear = "AllClear",
        None = "None",
    ]
);
vocabulary!(
    /// `<urgency>`: when action should be taken.
    CapUrgency, "urgency",
    [Immediate = "Immediate", Expected = "Expected", Future = "Future", Past = "Past", Unknown = "Unknown"]
);
vocabulary!(
    /// `<severity>`: how bad the event is.
    CapSeverity, "severity",
    [Extreme = "Extreme", Severe = "Severe", Moderate = "Moderate", Minor = "Minor", Unknown = "Unknown"]
);
vocabulary!(
    /// `<certainty>`: how sure the sender is.
    CapCertainty, "certainty",
    [Observed = "Observed", Likely = "Likely", Possible = "Possible", Unlikely = "Unlikely", Unknown = "Unknown"]
);

#[cfg(test)]
mod tests;
