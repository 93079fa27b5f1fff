//! Who may do what: organisations, roles, callers, sharing levels and the one policy that
//! decides every permission of corredor.
//!
//! Sovereignty is enforced here, not by goodwill: a country writes and corrects only its own
//! data, chooses per measure who else reads it, and nothing it owns can be changed by another.
//! Every use case of `corredor-app` asks [`authorize`] (for an action) or [`may_read`] (for a
//! country's data) before it touches the store; handlers never decide.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::code::CountryCode;
use crate::error::CoreError;
use crate::measure::{vocabulary, Measure};

/// The code of an organisation: a member country's ISO alpha-3 code (`PAN`), the
/// secretariat's `RCM`, or an observer's short name (`IOM`, `UNHCR`). Invariant: 2 to 16
/// characters, capital letters, digits or `-`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct OrganisationCode(String);

impl OrganisationCode {
    pub fn parse(raw: &str) -> Result<OrganisationCode, CoreError> {
        let text = raw.trim().to_ascii_uppercase();
        let valid = (2..=16).contains(&text.len())
            && text
                .bytes()
                .all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit() || byte == b'-');
        if valid {
            Ok(OrganisationCode(text))
        } else {
            Err(CoreError::InvalidOrganisationCode {
                code: raw.to_owned(),
            })
        }
    }

    /// The organisation of a member country: its alpha-3 code.
    pub fn of_country(country: CountryCode) -> OrganisationCode {
        OrganisationCode(country.as_str().to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrganisationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for OrganisationCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        OrganisationCode::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// What an organisation is, which decides the roles its people may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "country", rename_all = "snake_case")]
pub enum OrganisationKind {
    /// A member country's government; owns the observations it reports.
    Country(CountryCode),
    /// The RCM Technical Secretariat: administers organisations, users and reference data.
    Secretariat,
    /// An observer organisation (IOM, UNHCR…): reads what countries share with observers.
    Observer,
}

impl OrganisationKind {
    /// The kind's code as stored: `country`, `secretariat` or `observer`.
    pub fn code(self) -> &'static str {
        match self {
            OrganisationKind::Country(_) => "country",
            OrganisationKind::Secretariat => "secretariat",
            OrganisationKind::Observer => "observer",
        }
    }

    pub fn country(self) -> Option<CountryCode> {
        match self {
            OrganisationKind::Country(country) => Some(country),
            _ => None,
        }
    }
}

/// An organisation: every user and token belongs to one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub code: OrganisationCode,
    pub name: String,
    #[serde(flatten)]
    pub kind: OrganisationKind,
}

impl Organisation {
    /// Checks that a country's organisation is coded by its country: `PAN` is Panama's.
    pub fn new(
        code: OrganisationCode,
        name: &str,
        kind: OrganisationKind,
    ) -> Result<Organisation, CoreError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(CoreError::InvalidText {
                text: name.to_owned(),
                max: 200,
            });
        }
        if let OrganisationKind::Country(country) = kind {
            if code.as_str() != country.as_str() {
                return Err(CoreError::InvalidOrganisation {
                    reason: format!(
                        "a country's organisation has the country's code: {country}, not {code}"
                    ),
                });
            }
        }
        Ok(Organisation {
            code,
            name: name.to_owned(),
            kind,
        })
    }
}

vocabulary! {
    /// What a person (or a token) may do within its organisation.
    pub enum Role (UnknownRole) {
        /// The secretariat's administrator: organisations, users and reference data.
        Administrator = "administrator",
        /// A country's focal point: everything its country may do, including sharing
        /// choices, issuing alerts and approving returns.
        FocalPoint = "focal_point",
        /// A country's analyst: reports and reads data.
        Analyst = "analyst",
        /// Reads what the countries share with observers.
        Observer = "observer",
    }
}

impl Role {
    /// Whether an organisation of `kind` may have people in this role: administrators belong
    /// to the secretariat, focal points and analysts to a country, observers to an observer
    /// organisation or the secretariat.
    pub fn fits(self, kind: OrganisationKind) -> bool {
        matches!(
            (self, kind),
            (Role::Administrator, OrganisationKind::Secretariat)
                | (
                    Role::FocalPoint | Role::Analyst,
                    OrganisationKind::Country(_)
                )
                | (
                    Role::Observer,
                    OrganisationKind::Observer | OrganisationKind::Secretariat
                )
        )
    }

    /// How much the role may do, for "a token never has more power than whoever creates it".
    fn rank(self) -> u8 {
        match self {
            Role::Observer => 0,
            Role::Analyst => 1,
            Role::FocalPoint => 2,
            Role::Administrator => 3,
        }
    }
}

/// A signed-in person or a token: who they are, for whom they act and in what role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The user name, or `token:<id>` for an API token.
    pub name: String,
    pub organisation: OrganisationCode,
    pub kind: OrganisationKind,
    pub role: Role,
}

impl Principal {
    /// The country the principal acts for, if it is a country's.
    pub fn country(&self) -> Option<CountryCode> {
        self.kind.country()
    }
}

/// Whoever makes a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// Nobody signed in: sees what countries publish, with small counts suppressed.
    Anonymous,
    /// The operator of this installation, on its command line with the database in hand
    /// (imports, scans, user administration). Not reachable over HTTP.
    System,
    Principal(Principal),
}

impl Caller {
    /// Who the audit log names for this caller.
    pub fn actor_name(&self) -> &str {
        match self {
            Caller::Anonymous => "anonymous",
            Caller::System => "system",
            Caller::Principal(principal) => &principal.name,
        }
    }

    /// The organisation the audit log names for this caller.
    pub fn actor_organisation(&self) -> &str {
        match self {
            Caller::Anonymous => "",
            Caller::System => "system",
            Caller::Principal(principal) => principal.organisation.as_str(),
        }
    }

    pub fn principal(&self) -> Option<&Principal> {
        match self {
            Caller::Principal(principal) => Some(principal),
            _ => None,
        }
    }

    pub fn role(&self) -> Option<Role> {
        self.principal().map(|principal| principal.role)
    }

    /// The country the caller acts for, if any.
    pub fn country(&self) -> Option<CountryCode> {
        self.principal().and_then(Principal::country)
    }

    /// Whether small counts must be suppressed in what this caller reads: observers and
    /// readers who are not signed in never see a count below the threshold.
    pub fn needs_suppression(&self) -> bool {
        match self {
            Caller::Anonymous => true,
            Caller::System => false,
            Caller::Principal(principal) => principal.role == Role::Observer,
        }
    }
}

/// Who, besides the owning country, reads a country's data of one measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "level", content = "members", rename_all = "snake_case")]
pub enum SharingLevel {
    /// Only the owning country.
    Private,
    /// The owning country and the member countries named.
    NamedMembers(BTreeSet<CountryCode>),
    /// Every member country and the secretariat (the default).
    AllMembers,
    /// Members, the secretariat and observer organisations.
    MembersAndObservers,
    /// Everyone, signed in or not: data the country already publishes.
    Public,
}

impl SharingLevel {
    /// The level's code as stored and written in the API.
    pub fn code(&self) -> &'static str {
        match self {
            SharingLevel::Private => "private",
            SharingLevel::NamedMembers(_) => "named_members",
            SharingLevel::AllMembers => "all_members",
            SharingLevel::MembersAndObservers => "members_and_observers",
            SharingLevel::Public => "public",
        }
    }

    /// Builds a level from its code and, for `named_members`, the members named.
    pub fn from_code(code: &str, members: &[CountryCode]) -> Result<SharingLevel, CoreError> {
        let level = match code.trim() {
            "private" => SharingLevel::Private,
            "named_members" => SharingLevel::NamedMembers(members.iter().copied().collect()),
            "all_members" => SharingLevel::AllMembers,
            "members_and_observers" => SharingLevel::MembersAndObservers,
            "public" => SharingLevel::Public,
            other => {
                return Err(CoreError::UnknownSharingLevel {
                    code: other.to_owned(),
                })
            }
        };
        if !matches!(level, SharingLevel::NamedMembers(_)) && !members.is_empty() {
            return Err(CoreError::UnknownSharingLevel {
                code: format!("{code} (only named_members names members)"),
            });
        }
        Ok(level)
    }
}

/// A country's choice of who reads one of its measures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharingPolicy {
    pub country: CountryCode,
    pub measure: Measure,
    #[serde(flatten)]
    pub level: SharingLevel,
}

/// The sharing level that applies when a country has not chosen one for a measure.
pub const DEFAULT_SHARING: SharingLevel = SharingLevel::AllMembers;

/// Whether `caller` may read the data `owner` reports of one measure, shared at `level`.
pub fn may_read(caller: &Caller, owner: CountryCode, level: &SharingLevel) -> bool {
    let principal = match caller {
        Caller::System => return true,
        Caller::Anonymous => return matches!(level, SharingLevel::Public),
        Caller::Principal(principal) => principal,
    };
    if principal.country() == Some(owner) {
        return true;
    }
    match (principal.kind, principal.role, level) {
        (_, _, SharingLevel::Public) => true,
        (_, _, SharingLevel::Private) => false,
        (OrganisationKind::Country(country), _, SharingLevel::NamedMembers(members)) => {
            members.contains(&country)
        }
        (_, _, SharingLevel::NamedMembers(_)) => false,
        (OrganisationKind::Observer, _, SharingLevel::AllMembers) => false,
        (_, Role::Observer, SharingLevel::AllMembers) => false,
        (_, _, SharingLevel::AllMembers | SharingLevel::MembersAndObservers) => true,
    }
}

/// Everything that changes something, or reads what only some may read. One variant per
/// decision; the data each decision depends on (whose data, which organisation) travels in
/// the variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Report or correct observations of a country (imports).
    ReportObservations(CountryCode),
    /// Add or change a place of a country.
    EditPlace(CountryCode),
    /// Add or change a corridor or other shared reference data.
    EditReference,
    /// Choose who reads a country's data.
    SetSharing(CountryCode),
    /// Record the outcome of verifying a signal on a country's series; `None` for a series
    /// that combines countries (a corridor aggregate).
    DecideSignal(Option<CountryCode>),
    /// Run detection over stored data or refresh the forecasts.
    RunAnalyses,
    /// Add or change organisations.
    ManageOrganisations,
    /// Add, list or disable the users of an organisation.
    ManageUsers(OrganisationCode),
    /// Create an API token for an organisation with a role.
    CreateToken(OrganisationCode, Role),
    /// Revoke a token of an organisation.
    RevokeToken(OrganisationCode),
    /// Read the audit entries about a country's data; `None` for the whole log.
    ReadAudit(Option<CountryCode>),
    /// Draft, activate, update, close or cancel a country's migratory alerts, and choose
    /// their recipients.
    IssueAlert(CountryCode),
    /// Acknowledge, as a recipient country, an alert addressed to it, and record the actions
    /// it guarantees and takes.
    RespondToAlert(CountryCode),
    /// Set a country's alert level.
    SetAlertLevel(CountryCode),
    /// Configure the checklist of actions each alert level obliges.
    ConfigureLevelChecklists,
    /// Subscribe (or unsubscribe) an organisation's system to the alerts it may see.
    ManageWebhooks(OrganisationCode),
}

/// Why an action was refused, in words for the person refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("sign in first")]
    NotSignedIn,
    #[error("{0}")]
    Forbidden(String),
}

/// The one policy of corredor: whether `caller` may perform `action`.
pub fn authorize(caller: &Caller, action: &Action) -> Result<(), Denied> {
    let principal = match caller {
        Caller::System => return Ok(()),
        Caller::Anonymous => return Err(Denied::NotSignedIn),
        Caller::Principal(principal) => principal,
    };
    let own_country = |country: CountryCode| principal.country() == Some(country);
    let admin = principal.role == Role::Administrator;
    let focal = principal.role == Role::FocalPoint;
    let reporter = matches!(principal.role, Role::FocalPoint | Role::Analyst);
    let allowed = match action {
        Action::ReportObservations(country) => reporter && own_country(*country),
        Action::EditPlace(country) => admin || (focal && own_country(*country)),
        Action::EditReference | Action::ManageOrganisations | Action::RunAnalyses => admin,
        Action::SetSharing(country) => focal && own_country(*country),
        Action::DecideSignal(Some(country)) => reporter && own_country(*country),
        Action::DecideSignal(None) => admin,
        Action::ManageUsers(_) => admin,
        Action::CreateToken(organisation, role) => {
            admin || (focal && &principal.organisation == organisation && role.rank() <= 2)
        }
        Action::RevokeToken(organisation) => {
            admin || (focal && &principal.organisation == organisation)
        }
        Action::ReadAudit(None) => admin,
        Action::ReadAudit(Some(country)) => admin || (focal && own_country(*country)),
        // Alerts and levels commit a state: only its focal points speak for it.
        Action::IssueAlert(country)
        | Action::RespondToAlert(country)
        | Action::SetAlertLevel(country) => focal && own_country(*country),
        Action::ConfigureLevelChecklists => admin,
        Action::ManageWebhooks(organisation) => {
            admin || (focal && &principal.organisation == organisation)
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied::Forbidden(refusal(principal, action)))
    }
}

fn refusal(principal: &Principal, action: &Action) -> String {
    let who = format!(
        "{} ({} of {})",
        principal.name, principal.role, principal.organisation
    );
    match action {
        Action::ReportObservations(country) => {
            format!("{who} may not report or correct {country}'s observations: only {country}'s focal points and analysts may")
        }
        Action::EditPlace(country) => format!(
            "{who} may not change {country}'s places: only {country}'s focal points and the secretariat may"
        ),
        Action::EditReference => format!("{who} may not change reference data: only the secretariat's administrators may"),
        Action::SetSharing(country) => format!(
            "{who} may not choose who reads {country}'s data: only {country}'s focal points may"
        ),
        Action::DecideSignal(Some(country)) => format!(
            "{who} may not decide on {country}'s signals: only {country}'s focal points and analysts may"
        ),
        Action::DecideSignal(None) => format!(
            "{who} may not decide on a signal that combines countries: only the secretariat's administrators may"
        ),
        Action::RunAnalyses => format!("{who} may not run analyses: only the secretariat's administrators may"),
        Action::ManageOrganisations => format!("{who} may not manage organisations: only the secretariat's administrators may"),
        Action::ManageUsers(organisation) => format!(
            "{who} may not manage the users of {organisation}: only the secretariat's administrators may"
        ),
        Action::CreateToken(organisation, role) => format!(
            "{who} may not create a token for {organisation} as {role}: administrators may, and focal points for their own organisation up to their own role"
        ),
        Action::RevokeToken(organisation) => format!(
            "{who} may not revoke tokens of {organisation}"
        ),
        Action::ReadAudit(Some(country)) => format!(
            "{who} may not read the audit log of {country}'s data: only {country}'s focal points and the secretariat may"
        ),
        Action::ReadAudit(None) => format!("{who} may not read the whole audit log: only the secretariat's administrators may"),
        Action::IssueAlert(country) => format!(
            "{who} may not issue or change {country}'s migratory alerts: only {country}'s focal points may"
        ),
        Action::RespondToAlert(country) => format!(
            "{who} may not acknowledge or record actions for {country}: only {country}'s focal points may"
        ),
        Action::SetAlertLevel(country) => format!(
            "{who} may not set {country}'s alert level: only {country}'s focal points may"
        ),
        Action::ConfigureLevelChecklists => format!(
            "{who} may not configure the alert level checklists: only the secretariat's administrators may"
        ),
        Action::ManageWebhooks(organisation) => format!(
            "{who} may not manage the webhooks of {organisation}: only its focal points and the secretariat's administrators may"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn country(code: &str) -> CountryCode {
        CountryCode::parse(code).unwrap()
    }

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

    fn observer() -> Caller {
        person("IOM", OrganisationKind::Observer, Role::Observer)
    }

    fn administrator() -> Caller {
        person("RCM", OrganisationKind::Secretariat, Role::Administrator)
    }

    #[test]
    fn a_country_reports_only_its_own_observations() {
        let pan = country("PAN");
        for role in [Role::FocalPoint, Role::Analyst] {
            assert_eq!(
                authorize(&of_country("PAN", role), &Action::ReportObservations(pan)),
                Ok(())
            );
            let refused = authorize(&of_country("CRI", role), &Action::ReportObservations(pan))
                .unwrap_err()
                .to_string();
            assert!(refused.contains("PAN's observations"), "{refused}");
        }
        assert!(authorize(&administrator(), &Action::ReportObservations(pan)).is_err());
        assert!(authorize(&observer(), &Action::ReportObservations(pan)).is_err());
        assert_eq!(
            authorize(&Caller::Anonymous, &Action::ReportObservations(pan)),
            Err(Denied::NotSignedIn)
        );
    }

    #[test]
    fn only_a_focal_point_chooses_who_reads_its_countrys_data() {
        let gtm = country("GTM");
        assert!(authorize(
            &of_country("GTM", Role::FocalPoint),
            &Action::SetSharing(gtm)
        )
        .is_ok());
        assert!(authorize(&of_country("GTM", Role::Analyst), &Action::SetSharing(gtm)).is_err());
        assert!(authorize(
            &of_country("MEX", Role::FocalPoint),
            &Action::SetSharing(gtm)
        )
        .is_err());
        assert!(authorize(&administrator(), &Action::SetSharing(gtm)).is_err());
    }

    #[test]
    fn sharing_levels_decide_who_reads_a_countrys_data() {
        let pan = country("PAN");
        let named = SharingLevel::NamedMembers([country("CRI")].into_iter().collect());
        let cases = [
            (
                SharingLevel::Private,
                [true, false, false, false, false, false],
            ),
            (named, [true, true, false, false, false, false]),
            (
                SharingLevel::AllMembers,
                [true, true, true, true, false, false],
            ),
            (
                SharingLevel::MembersAndObservers,
                [true, true, true, true, true, false],
            ),
            (SharingLevel::Public, [true, true, true, true, true, true]),
        ];
        let readers = [
            of_country("PAN", Role::Analyst),
            of_country("CRI", Role::Analyst),
            of_country("MEX", Role::FocalPoint),
            administrator(),
            observer(),
            Caller::Anonymous,
        ];
        for (level, expected) in cases {
            for (reader, allowed) in readers.iter().zip(expected) {
                assert_eq!(
                    may_read(reader, pan, &level),
                    allowed,
                    "{reader:?} reading {level:?}"
                );
            }
        }
        assert!(may_read(&Caller::System, pan, &SharingLevel::Private));
    }

    #[test]
    fn a_focal_point_creates_tokens_for_its_own_organisation_up_to_its_own_role() {
        let pan = OrganisationCode::parse("PAN").unwrap();
        let focal = of_country("PAN", Role::FocalPoint);
        assert!(authorize(&focal, &Action::CreateToken(pan.clone(), Role::Analyst)).is_ok());
        assert!(authorize(
            &focal,
            &Action::CreateToken(pan.clone(), Role::Administrator)
        )
        .is_err());
        let cri = OrganisationCode::parse("CRI").unwrap();
        assert!(authorize(&focal, &Action::CreateToken(cri, Role::Analyst)).is_err());
        assert!(authorize(
            &of_country("PAN", Role::Analyst),
            &Action::CreateToken(pan, Role::Analyst)
        )
        .is_err());
    }

    #[test]
    fn only_a_countrys_focal_points_issue_its_alerts_respond_to_alerts_and_set_its_level() {
        let pan = country("PAN");
        for action in [
            Action::IssueAlert(pan),
            Action::RespondToAlert(pan),
            Action::SetAlertLevel(pan),
        ] {
            assert_eq!(
                authorize(&of_country("PAN", Role::FocalPoint), &action),
                Ok(())
            );
            for refused in [
                of_country("PAN", Role::Analyst),
                of_country("CRI", Role::FocalPoint),
                administrator(),
                observer(),
            ] {
                let Err(Denied::Forbidden(reason)) = authorize(&refused, &action) else {
                    panic!("{refused:?} may not {action:?}");
                };
                assert!(reason.contains("PAN's focal points"), "{reason}");
            }
            assert_eq!(
                authorize(&Caller::Anonymous, &action),
                Err(Denied::NotSignedIn)
            );
        }
    }

    #[test]
    fn only_the_secretariat_configures_the_level_checklists() {
        let action = Action::ConfigureLevelChecklists;
        assert_eq!(authorize(&administrator(), &action), Ok(()));
        let refused = authorize(&of_country("MEX", Role::FocalPoint), &action)
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("secretariat's administrators"),
            "{refused}"
        );
        assert!(authorize(&observer(), &action).is_err());
    }

    #[test]
    fn an_organisations_focal_points_and_the_secretariat_manage_its_webhooks() {
        let pan = OrganisationCode::parse("PAN").unwrap();
        let action = Action::ManageWebhooks(pan);
        assert_eq!(
            authorize(&of_country("PAN", Role::FocalPoint), &action),
            Ok(())
        );
        assert_eq!(authorize(&administrator(), &action), Ok(()));
        for refused in [
            of_country("PAN", Role::Analyst),
            of_country("CRI", Role::FocalPoint),
            observer(),
        ] {
            let reason = authorize(&refused, &action).unwrap_err().to_string();
            assert!(reason.contains("webhooks of PAN"), "{reason}");
        }
    }

    #[test]
    fn roles_fit_only_their_kind_of_organisation() {
        let pan = OrganisationKind::Country(country("PAN"));
        assert!(Role::FocalPoint.fits(pan));
        assert!(!Role::Administrator.fits(pan));
        assert!(!Role::Observer.fits(pan));
        assert!(Role::Administrator.fits(OrganisationKind::Secretariat));
        assert!(!Role::Analyst.fits(OrganisationKind::Observer));
    }

    #[test]
    fn a_country_organisation_is_coded_by_its_country() {
        let kind = OrganisationKind::Country(country("PAN"));
        assert!(Organisation::new(OrganisationCode::parse("pan").unwrap(), "Panamá", kind).is_ok());
        assert!(
            Organisation::new(OrganisationCode::parse("CRI").unwrap(), "Panamá", kind).is_err()
        );
        assert!(OrganisationCode::parse("I").is_err());
        assert!(OrganisationCode::parse("IOM UN").is_err());
        let level = SharingLevel::from_code("named_members", &[country("CRI")]).unwrap();
        assert_eq!(level.code(), "named_members");
        assert!(SharingLevel::from_code("public", &[country("CRI")]).is_err());
        assert!(SharingLevel::from_code("everyone", &[]).is_err());
    }

    #[test]
    fn only_observers_and_anonymous_readers_get_suppressed_counts() {
        assert!(Caller::Anonymous.needs_suppression());
        assert!(observer().needs_suppression());
        assert!(!of_country("PAN", Role::Analyst).needs_suppression());
        assert!(!administrator().needs_suppression());
        assert!(!Caller::System.needs_suppression());
    }
}
