//! Origin territories (phase I): where returnees come back to, how they fare there, and the
//! prevention programmes that act there.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::code::CountryCode;
use crate::period::{Granularity, Period};
use crate::returns::reintegration::{
    FollowUp, Provider, ReintegrationRecord, ReintegrationService,
};
use crate::returns::{checked_text, return_vocabulary, ReturnError, ReturnOperation};

/// ISO 3166-1 alpha-2 codes with their alpha-3 codes, from Debian `iso-codes` 4.15.0
/// (`iso_3166-1.json`), sorted by alpha-2. ISO 3166-2 subdivision codes start with alpha-2.
const ALPHA2_TO_ALPHA3: [(&str, &str); 249] = [
    ("AD", "AND"),
    ("AE", "ARE"),
    ("AF", "AFG"),
    ("AG", "ATG"),
    ("AI", "AIA"),
    ("AL", "ALB"),
    ("AM", "ARM"),
    ("AO", "AGO"),
    ("AQ", "ATA"),
    ("AR", "ARG"),
    ("AS", "ASM"),
    ("AT", "AUT"),
    ("AU", "AUS"),
    ("AW", "ABW"),
    ("AX", "ALA"),
    ("AZ", "AZE"),
    ("BA", "BIH"),
    ("BB", "BRB"),
    ("BD", "BGD"),
    ("BE", "BEL"),
    ("BF", "BFA"),
    ("BG", "BGR"),
    ("BH", "BHR"),
    ("BI", "BDI"),
    ("BJ", "BEN"),
    ("BL", "BLM"),
    ("BM", "BMU"),
    ("BN", "BRN"),
    ("BO", "BOL"),
    ("BQ", "BES"),
    ("BR", "BRA"),
    ("BS", "BHS"),
    ("BT", "BTN"),
    ("BV", "BVT"),
    ("BW", "BWA"),
    ("BY", "BLR"),
    ("BZ", "BLZ"),
    ("CA", "CAN"),
    ("CC", "CCK"),
    ("CD", "COD"),
    ("CF", "CAF"),
    ("CG", "COG"),
    ("CH", "CHE"),
    ("CI", "CIV"),
    ("CK", "COK"),
    ("CL", "CHL"),
    ("CM", "CMR"),
    ("CN", "CHN"),
    ("CO", "COL"),
    ("CR", "CRI"),
    ("CU", "CUB"),
    ("CV", "CPV"),
    ("CW", "CUW"),
    ("CX", "CXR"),
    ("CY", "CYP"),
    ("CZ", "CZE"),
    ("DE", "DEU"),
    ("DJ", "DJI"),
    ("DK", "DNK"),
    ("DM", "DMA"),
    ("DO", "DOM"),
    ("DZ", "DZA"),
    ("EC", "ECU"),
    ("EE", "EST"),
    ("EG", "EGY"),
    ("EH", "ESH"),
    ("ER", "ERI"),
    ("ES", "ESP"),
    ("ET", "ETH"),
    ("FI", "FIN"),
    ("FJ", "FJI"),
    ("FK", "FLK"),
    ("FM", "FSM"),
    ("FO", "FRO"),
    ("FR", "FRA"),
    ("GA", "GAB"),
    ("GB", "GBR"),
    ("GD", "GRD"),
    ("GE", "GEO"),
    ("GF", "GUF"),
    ("GG", "GGY"),
    ("GH", "GHA"),
    ("GI", "GIB"),
    ("GL", "GRL"),
    ("GM", "GMB"),
    ("GN", "GIN"),
    ("GP", "GLP"),
    ("GQ", "GNQ"),
    ("GR", "GRC"),
    ("GS", "SGS"),
    ("GT", "GTM"),
    ("GU", "GUM"),
    ("GW", "GNB"),
    ("GY", "GUY"),
    ("HK", "HKG"),
    ("HM", "HMD"),
    ("HN", "HND"),
    ("HR", "HRV"),
    ("HT", "HTI"),
    ("HU", "HUN"),
    ("ID", "IDN"),
    ("IE", "IRL"),
    ("IL", "ISR"),
    ("IM", "IMN"),
    ("IN", "IND"),
    ("IO", "IOT"),
    ("IQ", "IRQ"),
    ("IR", "IRN"),
    ("IS", "ISL"),
    ("IT", "ITA"),
    ("JE", "JEY"),
    ("JM", "JAM"),
    ("JO", "JOR"),
    ("JP", "JPN"),
    ("KE", "KEN"),
    ("KG", "KGZ"),
    ("KH", "KHM"),
    ("KI", "KIR"),
    ("KM", "COM"),
    ("KN", "KNA"),
    ("KP", "PRK"),
    ("KR", "KOR"),
    ("KW", "KWT"),
    ("KY", "CYM"),
    ("KZ", "KAZ"),
    ("LA", "LAO"),
    ("LB", "LBN"),
    ("LC", "LCA"),
    ("LI", "LIE"),
    ("LK", "LKA"),
    ("LR", "LBR"),
    ("LS", "LSO"),
    ("LT", "LTU"),
    ("LU", "LUX"),
    ("LV", "LVA"),
    ("LY", "LBY"),
    ("MA", "MAR"),
    ("MC", "MCO"),
    ("MD", "MDA"),
    ("ME", "MNE"),
    ("MF", "MAF"),
    ("MG", "MDG"),
    ("MH", "MHL"),
    ("MK", "MKD"),
    ("ML", "MLI"),
    ("MM", "MMR"),
    ("MN", "MNG"),
    ("MO", "MAC"),
    ("MP", "MNP"),
    ("MQ", "MTQ"),
    ("MR", "MRT"),
    ("MS", "MSR"),
    ("MT", "MLT"),
    ("MU", "MUS"),
    ("MV", "MDV"),
    ("MW", "MWI"),
    ("MX", "MEX"),
    ("MY", "MYS"),
    ("MZ", "MOZ"),
    ("NA", "NAM"),
    ("NC", "NCL"),
    ("NE", "NER"),
    ("NF", "NFK"),
    ("NG", "NGA"),
    ("NI", "NIC"),
    ("NL", "NLD"),
    ("NO", "NOR"),
    ("NP", "NPL"),
    ("NR", "NRU"),
    ("NU", "NIU"),
    ("NZ", "NZL"),
    ("OM", "OMN"),
    ("PA", "PAN"),
    ("PE", "PER"),
    ("PF", "PYF"),
    ("PG", "PNG"),
    ("PH", "PHL"),
    ("PK", "PAK"),
    ("PL", "POL"),
    ("PM", "SPM"),
    ("PN", "PCN"),
    ("PR", "PRI"),
    ("PS", "PSE"),
    ("PT", "PRT"),
    ("PW", "PLW"),
    ("PY", "PRY"),
    ("QA", "QAT"),
    ("RE", "REU"),
    ("RO", "ROU"),
    ("RS", "SRB"),
    ("RU", "RUS"),
    ("RW", "RWA"),
    ("SA", "SAU"),
    ("SB", "SLB"),
    ("SC", "SYC"),
    ("SD", "SDN"),
    ("SE", "SWE"),
    ("SG", "SGP"),
    ("SH", "SHN"),
    ("SI", "SVN"),
    ("SJ", "SJM"),
    ("SK", "SVK"),
    ("SL", "SLE"),
    ("SM", "SMR"),
    ("SN", "SEN"),
    ("SO", "SOM"),
    ("SR", "SUR"),
    ("SS", "SSD"),
    ("ST", "STP"),
    ("SV", "SLV"),
    ("SX", "SXM"),
    ("SY", "SYR"),
    ("SZ", "SWZ"),
    ("TC", "TCA"),
    ("TD", "TCD"),
    ("TF", "ATF"),
    ("TG", "TGO"),
    ("TH", "THA"),
    ("TJ", "TJK"),
    ("TK", "TKL"),
    ("TL", "TLS"),
    ("TM", "TKM"),
    ("TN", "TUN"),
    ("TO", "TON"),
    ("TR", "TUR"),
    ("TT", "TTO"),
    ("TV", "TUV"),
    ("TW", "TWN"),
    ("TZ", "TZA"),
    ("UA", "UKR"),
    ("UG", "UGA"),
    ("UM", "UMI"),
    ("US", "USA"),
    ("UY", "URY"),
    ("UZ", "UZB"),
    ("VA", "VAT"),
    ("VC", "VCT"),
    ("VE", "VEN"),
    ("VG", "VGB"),
    ("VI", "VIR"),
    ("VN", "VNM"),
    ("VU", "VUT"),
    ("WF", "WLF"),
    ("WS", "WSM"),
    ("YE", "YEM"),
    ("YT", "MYT"),
    ("ZA", "ZAF"),
    ("ZM", "ZMB"),
    ("ZW", "ZWE"),
];

/// An origin territory: a first-level administrative division by its ISO 3166-2 code
/// (`GT-QC`, Quiché; `HN-CR`, Cortés; `MX-CHP`, Chiapas), or a municipality under it, written
/// as the division's code, `-` and the national statistics office's municipality code
/// (`GT-QC-1401`, Santa Cruz del Quiché in the INE's department-and-municipality numbering;
/// `MX-CHP-089`, Tapachula in INEGI's).
///
/// Why this scheme: ISO 3166-2 stops at the first level, and no international standard codes
/// municipalities. Every country of the corridor already numbers its municipalities in its
/// census and civil registry, and the reintegration services of the origin country report in
/// those numbers; prefixing them with the ISO division makes them unique across countries and
/// lets a municipality roll up to its division for the regional map.
///
/// Invariant: upper case; an assigned alpha-2 prefix; a division part of 1 to 3 letters or
/// digits (as ISO 3166-2 has it); a municipality part of 1 to 8 letters or digits. Whether the
/// division exists is left to the reference data (the map), not checked here.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct TerritoryCode(String);

impl TerritoryCode {
    pub fn parse(raw: &str) -> Result<TerritoryCode, ReturnError> {
        let text = raw.trim().to_ascii_uppercase();
        let invalid = |reason: &str| ReturnError::InvalidTerritoryCode {
            code: raw.to_owned(),
            reason: reason.to_owned(),
        };
        let parts: Vec<&str> = text.split('-').collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(invalid(
                "expected an ISO 3166-2 division such as `GT-QC`, or a municipality under it such as `GT-QC-1401`",
            ));
        }
        if alpha3_of(parts[0]).is_none() {
            return Err(invalid(
                "it does not start with an assigned ISO 3166-1 alpha-2 country code",
            ));
        }
        let alphanumeric = |part: &str, max: usize| {
            (1..=max).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphanumeric())
        };
        if !alphanumeric(parts[1], 3) {
            return Err(invalid(
                "the division part has 1 to 3 letters or digits, as in ISO 3166-2",
            ));
        }
        if parts.len() == 3 && !alphanumeric(parts[2], 8) {
            return Err(invalid(
                "the municipality part has 1 to 8 letters or digits",
            ));
        }
        Ok(TerritoryCode(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The country the territory belongs to.
    pub fn country(&self) -> CountryCode {
        let alpha3 =
            alpha3_of(&self.0[..2]).expect("a territory code starts with an assigned alpha-2 code");
        CountryCode::parse(alpha3).expect("the alpha-2 table maps to assigned alpha-3 codes")
    }

    pub fn is_municipality(&self) -> bool {
        self.0.matches('-').count() == 2
    }

    /// The first-level division: itself for a division, the one above for a municipality.
    pub fn division(&self) -> TerritoryCode {
        match self.0.rsplit_once('-') {
            Some((division, _)) if self.is_municipality() => TerritoryCode(division.to_owned()),
            _ => self.clone(),
        }
    }

    /// Whether `other` is this territory or lies within it.
    pub fn contains(&self, other: &TerritoryCode) -> bool {
        self == other || (!self.is_municipality() && other.division() == *self)
    }
}

fn alpha3_of(alpha2: &str) -> Option<&'static str> {
    ALPHA2_TO_ALPHA3
        .binary_search_by(|(code, _)| (*code).cmp(alpha2))
        .ok()
        .map(|index| ALPHA2_TO_ALPHA3[index].1)
}

impl fmt::Display for TerritoryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for TerritoryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TerritoryCode({})", self.0)
    }
}

impl<'de> Deserialize<'de> for TerritoryCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        TerritoryCode::parse(&raw).map_err(serde::de::Error::custom)
    }
}

return_vocabulary! {
    /// What a prevention programme does (phase I: "populations or territories with high
    /// migration rates").
    pub enum ProgrammeType ("programme type") {
        /// Income generation, productive projects, small enterprises.
        Livelihoods = "livelihoods",
        VocationalTraining = "vocational_training",
        /// Keeping children and young people in school.
        Education = "education",
        /// Community infrastructure and organisation, youth spaces.
        CommunityDevelopment = "community_development",
        /// Information on the risks of irregular migration and on regular pathways.
        SafeMigrationInformation = "safe_migration_information",
        ChildProtection = "child_protection",
        Other = "other",
    }
}

/// The unchecked parts of a [`PreventionProgramme`], as a form or a file states them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreventionProgrammeParts {
    pub territory: TerritoryCode,
    pub name: String,
    /// Who runs it, by name (e.g. "Ministerio de Desarrollo Social", "OIM Guatemala").
    pub run_by: String,
    /// What kind of organisation runs it.
    pub run_by_kind: Provider,
    pub programme_type: ProgrammeType,
    /// People reached (or planned to be), as the programme reports them.
    pub beneficiaries: u32,
    pub from: NaiveDate,
    /// The last day; `None` while it has no end date.
    #[serde(default)]
    pub to: Option<NaiveDate>,
}

/// An entry of the register of prevention programmes in origin territories. Invariant: a
/// name and an organisation (1 to 200 characters), and a period that does not end before it
/// starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    try_from = "PreventionProgrammeParts",
    into = "PreventionProgrammeParts"
)]
pub struct PreventionProgramme(PreventionProgrammeParts);

impl PreventionProgramme {
    pub fn new(parts: PreventionProgrammeParts) -> Result<PreventionProgramme, ReturnError> {
        let name = checked_text(&parts.name, 200, "programme.name")?;
        let run_by = checked_text(&parts.run_by, 200, "programme.run_by")?;
        if let Some(to) = parts.to.filter(|to| *to < parts.from) {
            return Err(ReturnError::Invalid {
                field: "programme.to",
                reason: format!(
                    "the programme ends ({to}) before it starts ({})",
                    parts.from
                ),
            });
        }
        Ok(PreventionProgramme(PreventionProgrammeParts {
            name,
            run_by,
            ..parts
        }))
    }

    pub fn parts(&self) -> &PreventionProgrammeParts {
        &self.0
    }

    pub fn territory(&self) -> &TerritoryCode {
        &self.0.territory
    }

    /// Whether the programme runs on `day` (first and last day included).
    pub fn is_active_on(&self, day: NaiveDate) -> bool {
        self.0.from <= day && self.0.to.is_none_or(|to| day <= to)
    }
}

impl TryFrom<PreventionProgrammeParts> for PreventionProgramme {
    type Error = ReturnError;
    fn try_from(parts: PreventionProgrammeParts) -> Result<PreventionProgramme, ReturnError> {
        PreventionProgramme::new(parts)
    }
}

impl From<PreventionProgramme> for PreventionProgrammeParts {
    fn from(programme: PreventionProgramme) -> PreventionProgrammeParts {
        programme.0
    }
}

/// The reintegration outcomes of one territory at one follow-up, over every cohort.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OutcomeSummary {
    /// Returnees of the cohorts recorded.
    pub returnees: u64,
    /// Of them, those the services reached at this follow-up: the denominator of shares.
    pub followed_up: u64,
    /// People who received each service by this follow-up.
    pub people_by_service: BTreeMap<ReintegrationService, u64>,
    /// Services delivered by each kind of provider (a person served by two providers counts
    /// for both).
    pub deliveries_by_provider: BTreeMap<Provider, u64>,
}

impl OutcomeSummary {
    /// The share of the returnees followed up who received `service`, e.g. identity
    /// documents issued or placed in a job; `None` when no one was followed up.
    ///
    /// The denominator is the people followed up, not the whole cohort: those not reached are
    /// unknown, not failures, and `followed_up / returnees` says how far that reaches.
    pub fn share(&self, service: ReintegrationService) -> Option<f64> {
        (self.followed_up > 0).then(|| {
            self.people_by_service.get(&service).copied().unwrap_or(0) as f64
                / self.followed_up as f64
        })
    }
}

/// What one first-level division of the origin country shows on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TerritorySummary {
    /// A first-level division; municipalities are rolled up into it.
    pub territory: TerritoryCode,
    /// Returnees received who go back to the territory, by month of reception.
    pub received_by_month: BTreeMap<Period, u64>,
    pub received_total: u64,
    pub outcomes: BTreeMap<FollowUp, OutcomeSummary>,
    /// Prevention programmes running in the territory (or a municipality of it) on the day
    /// asked about.
    pub programmes_active: Vec<PreventionProgramme>,
}

/// The territories of an origin country, with what could not be placed on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TerritoriesSummary {
    pub origin: CountryCode,
    /// By territory code.
    pub territories: Vec<TerritorySummary>,
    /// Returnees received whose territory the reception did not record, by month: shown
    /// beside the map so that its total matches the operations.
    pub received_without_territory: BTreeMap<Period, u64>,
}

/// Summarises the origin country's territories: the returnees received there over time (from
/// the receptions of `operations`), their reintegration outcomes (from `records`) and the
/// prevention programmes active on `on`.
///
/// Operations, records and programmes of other countries are left out, as are operations
/// not received. When a cohort's record for a territory and follow-up was corrected, the
/// latest recorded one counts (records are never changed, only superseded). Counts roll up
/// from municipalities to their first-level division.
pub fn summarise_territories(
    origin: CountryCode,
    operations: &[ReturnOperation],
    records: &[ReintegrationRecord],
    programmes: &[PreventionProgramme],
    on: NaiveDate,
) -> TerritoriesSummary {
    let mut territories: BTreeMap<TerritoryCode, TerritorySummary> = BTreeMap::new();
    let mut received_without_territory = BTreeMap::new();
    for operation in operations.iter().filter(|op| op.origin() == origin) {
        let (Some(reception), Some(received_at)) = (operation.reception(), operation.received_at())
        else {
            continue;
        };
        let month = Period::containing(received_at.date_naive(), Granularity::Month);
        let mut placed = 0u64;
        for (territory, people) in &reception.by_territory {
            let people = u64::from(*people);
            placed += people;
            let summary = slot(&mut territories, territory);
            *summary.received_by_month.entry(month).or_insert(0) += people;
            summary.received_total += people;
        }
        let unplaced = u64::from(reception.group.people()).saturating_sub(placed);
        if unplaced > 0 {
            *received_without_territory.entry(month).or_insert(0) += unplaced;
        }
    }
    let mut latest: BTreeMap<(String, TerritoryCode, FollowUp), &ReintegrationRecord> =
        BTreeMap::new();
    for record in records.iter().filter(|record| record.origin() == origin) {
        let key = (
            record.cohort().key(),
            record.territory().clone(),
            record.follow_up(),
        );
        match latest.get(&key) {
            Some(existing) if existing.recorded_at() > record.recorded_at() => {}
            _ => {
                latest.insert(key, record);
            }
        }
    }
    for record in latest.into_values() {
        let summary = slot(&mut territories, record.territory());
        let outcome = summary.outcomes.entry(record.follow_up()).or_default();
        outcome.returnees += u64::from(record.returnees());
        outcome.followed_up += u64::from(record.followed_up());
        for delivery in record.services() {
            *outcome
                .people_by_service
                .entry(delivery.service)
                .or_insert(0) += u64::from(delivery.people);
            for (provider, count) in &delivery.by_provider {
                *outcome.deliveries_by_provider.entry(*provider).or_insert(0) += u64::from(*count);
            }
        }
    }
    for programme in programmes
        .iter()
        .filter(|programme| programme.territory().country() == origin && programme.is_active_on(on))
    {
        slot(&mut territories, programme.territory())
            .programmes_active
            .push(programme.clone());
    }
    TerritoriesSummary {
        origin,
        territories: territories.into_values().collect(),
        received_without_territory,
    }
}

/// The summary of the division `territory` is in, created empty the first time.
fn slot<'a>(
    territories: &'a mut BTreeMap<TerritoryCode, TerritorySummary>,
    territory: &TerritoryCode,
) -> &'a mut TerritorySummary {
    let division = territory.division();
    territories
        .entry(division.clone())
        .or_insert_with(|| TerritorySummary {
            territory: division,
            received_by_month: BTreeMap::new(),
            received_total: 0,
            outcomes: BTreeMap::new(),
            programmes_active: Vec::new(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::returns::fixtures::*;
    use crate::returns::{
        Cohort, ReceptionParts, ReintegrationRecordParts, ReturnOperationId, ServiceDelivery,
    };

    fn territory(code: &str) -> TerritoryCode {
        TerritoryCode::parse(code).unwrap()
    }

    #[test]
    fn territory_codes_are_iso_divisions_or_municipalities_under_them() {
        let quiche = territory("gt-qc");
        assert_eq!(quiche.as_str(), "GT-QC");
        assert_eq!(quiche.country(), country("GTM"));
        assert!(!quiche.is_municipality());
        let santa_cruz = territory("GT-QC-1401");
        assert!(santa_cruz.is_municipality());
        assert_eq!(santa_cruz.division(), quiche);
        assert!(quiche.contains(&santa_cruz));
        assert!(!santa_cruz.contains(&quiche));
        assert!(!quiche.contains(&territory("GT-QZ-0901")));
        assert_eq!(territory("MX-CHP-089").country(), country("MEX"));
        assert_eq!(territory("HN-CR").country(), country("HND"));
        for (bad, why) in [
            ("GT", "expected an ISO 3166-2 division"),
            ("GTM-QC", "alpha-2"),
            ("XX-QC", "alpha-2"),
            ("GT-QCHX", "division part"),
            ("GT-Q C", "division part"),
            ("GT-QC-123456789", "municipality part"),
            ("GT-QC-14-01", "expected an ISO 3166-2 division"),
        ] {
            let message = TerritoryCode::parse(bad).unwrap_err().to_string();
            assert!(message.contains(why), "{bad}: {message}");
        }
        assert!(serde_json::from_str::<TerritoryCode>("\"GT-QC-1401\"").is_ok());
        assert!(serde_json::from_str::<TerritoryCode>("\"ZZ-01\"").is_err());
    }

    fn programme(code: &str, from: &str, to: Option<&str>) -> PreventionProgrammeParts {
        PreventionProgrammeParts {
            territory: territory(code),
            name: "Quédate: formación técnica para jóvenes".to_owned(),
            run_by: "Ministerio de Desarrollo Social".to_owned(),
            run_by_kind: Provider::Government,
            programme_type: ProgrammeType::VocationalTraining,
            beneficiaries: 1_250,
            from: day(from),
            to: to.map(day),
        }
    }

    #[test]
    fn a_prevention_programme_runs_within_its_period() {
        let running =
            PreventionProgramme::new(programme("GT-HU", "2023-02-01", Some("2024-12-31"))).unwrap();
        assert!(running.is_active_on(day("2023-02-01")));
        assert!(running.is_active_on(day("2024-12-31")));
        assert!(!running.is_active_on(day("2025-01-01")));
        assert!(!running.is_active_on(day("2023-01-31")));
        let open = PreventionProgramme::new(programme("GT-HU", "2023-02-01", None)).unwrap();
        assert!(open.is_active_on(day("2030-01-01")));
        let message =
            PreventionProgramme::new(programme("GT-HU", "2024-02-01", Some("2024-01-31")))
                .unwrap_err()
                .to_string();
        assert!(
            message.contains("ends (2024-01-31) before it starts (2024-02-01)"),
            "{message}"
        );
        let mut nameless = programme("GT-HU", "2024-02-01", None);
        nameless.name = " ".to_owned();
        assert!(PreventionProgramme::new(nameless).is_err());
        assert!(ProgrammeType::parse("livelihoods").is_ok());
    }

    fn received(
        operation: crate::returns::ReturnOperation,
        departed_at: &str,
        received_at: &str,
        by_territory: &[(&str, u32)],
    ) -> crate::returns::ReturnOperation {
        let group = operation.group().clone();
        operation
            .propose("host", at("2024-03-04T15:00:00-06:00"))
            .unwrap()
            .accept("gt.enlace", at("2024-03-05T10:00:00-06:00"))
            .unwrap()
            .depart("host", at(departed_at))
            .unwrap()
            .receive(
                ReceptionParts {
                    group,
                    by_territory: by_territory
                        .iter()
                        .map(|(code, people)| (territory(code), *people))
                        .collect(),
                    note: None,
                },
                "gt.recepcion",
                at(received_at),
            )
            .unwrap()
    }

    fn record(
        cohort: Cohort,
        code: &str,
        follow_up: FollowUp,
        (returnees, followed_up): (u32, u32),
        (documents, jobs): (u32, u32),
        recorded: &str,
    ) -> ReintegrationRecord {
        ReintegrationRecord::new(ReintegrationRecordParts {
            origin: territory(code).country(),
            cohort,
            territory: territory(code),
            follow_up,
            returnees,
            followed_up,
            services: vec![
                ServiceDelivery {
                    service: ReintegrationService::IdentityDocuments,
                    people: documents,
                    by_provider: BTreeMap::from([(Provider::Government, documents)]),
                },
                ServiceDelivery {
                    service: ReintegrationService::JobPlacement,
                    people: jobs,
                    by_provider: BTreeMap::from([(Provider::PrivateSector, jobs)]),
                },
            ],
            recorded_by: "gt.reintegracion".to_owned(),
            recorded_at: at(recorded),
        })
        .unwrap()
    }

    #[test]
    fn territories_show_returnees_received_over_time_their_outcomes_and_programmes() {
        let gtm = country("GTM");
        let tecun_uman = received(
            tecun_uman_draft(),
            "2024-03-12T07:00:00-06:00",
            "2024-03-12T13:30:00-06:00",
            &[("GT-HU", 12), ("GT-QC-1401", 6), ("GT-SM", 9)],
        );
        let flight = received(
            ReturnOperation::draft(
                fag_flight_plan(),
                retention(),
                "us.liaison",
                at("2024-03-01T10:00:00-05:00"),
            )
            .unwrap()
            .record_safeguards(
                fag_flight_cases(),
                "us.liaison",
                at("2024-03-01T10:30:00-05:00"),
            )
            .unwrap(),
            "2024-05-23T06:10:00-05:00",
            "2024-05-23T11:45:00-06:00",
            &[("GT-HU", 40), ("GT-QC", 25)],
        )
        .with_id(ReturnOperationId(18));
        // Still under way: not counted.
        let under_way = tecun_uman_draft();
        let march = Cohort::Month {
            month: Period::parse("2024-03").unwrap(),
        };
        let records = [
            record(
                march,
                "GT-HU",
                FollowUp::Months6,
                (12, 10),
                (7, 3),
                "2024-09-20T10:00:00-06:00",
            ),
            // A correction of the same cohort, territory and follow-up: it replaces the first.
            record(
                march,
                "GT-HU",
                FollowUp::Months6,
                (12, 10),
                (8, 3),
                "2024-10-02T10:00:00-06:00",
            ),
            record(
                march,
                "GT-HU",
                FollowUp::Months3,
                (12, 11),
                (5, 1),
                "2024-06-20T10:00:00-06:00",
            ),
            record(
                Cohort::Operation {
                    operation: ReturnOperationId(18),
                },
                "GT-HU-1301",
                FollowUp::Months6,
                (40, 30),
                (20, 12),
                "2024-11-25T10:00:00-06:00",
            ),
            // Honduras's records are not Guatemala's.
            record(
                march,
                "HN-CR",
                FollowUp::Months6,
                (90, 80),
                (80, 40),
                "2024-09-20T10:00:00-06:00",
            ),
        ];
        let programmes = [
            PreventionProgramme::new(programme("GT-HU-1301", "2023-02-01", None)).unwrap(),
            PreventionProgramme::new(programme("GT-QC", "2021-01-01", Some("2022-12-31"))).unwrap(),
            PreventionProgramme::new(programme("HN-CR", "2023-01-01", None)).unwrap(),
        ];
        let summary = summarise_territories(
            gtm,
            &[tecun_uman, flight, under_way],
            &records,
            &programmes,
            day("2024-11-30"),
        );
        let codes: Vec<&str> = summary
            .territories
            .iter()
            .map(|summary| summary.territory.as_str())
            .collect();
        assert_eq!(codes, ["GT-HU", "GT-QC", "GT-SM"]);
        let huehuetenango = &summary.territories[0];
        let (march_month, may) = (
            Period::parse("2024-03").unwrap(),
            Period::parse("2024-05").unwrap(),
        );
        assert_eq!(
            huehuetenango.received_by_month,
            BTreeMap::from([(march_month, 12), (may, 40)])
        );
        assert_eq!(huehuetenango.received_total, 52);
        let six = &huehuetenango.outcomes[&FollowUp::Months6];
        assert_eq!((six.returnees, six.followed_up), (52, 40));
        assert_eq!(
            six.share(ReintegrationService::IdentityDocuments),
            Some(28.0 / 40.0)
        );
        assert_eq!(
            six.share(ReintegrationService::JobPlacement),
            Some(15.0 / 40.0)
        );
        assert_eq!(six.share(ReintegrationService::Education), Some(0.0));
        assert_eq!(six.deliveries_by_provider[&Provider::Government], 28);
        let three = &huehuetenango.outcomes[&FollowUp::Months3];
        assert_eq!(
            three.share(ReintegrationService::IdentityDocuments),
            Some(5.0 / 11.0)
        );
        assert_eq!(huehuetenango.programmes_active.len(), 1);
        let quiche = &summary.territories[1];
        assert_eq!(quiche.received_total, 31);
        assert!(quiche.programmes_active.is_empty());
        assert!(quiche.outcomes.is_empty());
        // The people whose territory reception did not record: 38 − 27 in March, 135 − 65 in May.
        assert_eq!(
            summary.received_without_territory,
            BTreeMap::from([(march_month, 11), (may, 70)])
        );
        let on_map: u64 = summary.territories.iter().map(|t| t.received_total).sum();
        let unplaced: u64 = summary.received_without_territory.values().sum();
        assert_eq!(on_map + unplaced, 38 + 135);
        assert_eq!(
            OutcomeSummary::default().share(ReintegrationService::JobPlacement),
            None
        );
    }
}
