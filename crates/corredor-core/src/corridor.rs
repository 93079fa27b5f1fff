use std::fmt;

use serde::{Deserialize, Serialize};

use crate::code::CountryCode;
use crate::error::CoreError;
use crate::place::PlaceCode;

/// The code of a corridor (e.g. `northbound`). Invariant: 2–32 characters, lower-case
/// letters, digits, `-` or `_`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CorridorCode(String);

impl CorridorCode {
    pub fn parse(raw: &str) -> Result<CorridorCode, CoreError> {
        let text = raw.trim();
        let valid = (2..=32).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if valid {
            Ok(CorridorCode(text.to_owned()))
        } else {
            Err(CoreError::InvalidCorridorCode {
                code: raw.to_owned(),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CorridorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for CorridorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CorridorCode({})", self.0)
    }
}

impl<'de> Deserialize<'de> for CorridorCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<CorridorCode, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        CorridorCode::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// A node of a corridor: a country, and the places in it where the flow is counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorridorNode {
    pub country: CountryCode,
    #[serde(default)]
    pub places: Vec<PlaceCode>,
}

/// A leg joins two consecutive nodes. The transit time is how long people typically take
/// from being counted at the first node to being counted at the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leg {
    pub from: CountryCode,
    pub to: CountryCode,
    /// Typical (median) transit time, in days.
    pub typical_transit_days: u16,
}

/// An ordered route of countries that flows follow, with a leg between each pair of
/// consecutive nodes. Invariant: at least two nodes, no country twice, one leg per pair of
/// consecutive nodes, joining them in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CorridorParts")]
pub struct Corridor {
    code: CorridorCode,
    name_en: String,
    name_es: String,
    nodes: Vec<CorridorNode>,
    legs: Vec<Leg>,
}

#[derive(Deserialize)]
struct CorridorParts {
    code: CorridorCode,
    name_en: String,
    name_es: String,
    nodes: Vec<CorridorNode>,
    legs: Vec<Leg>,
}

impl TryFrom<CorridorParts> for Corridor {
    type Error = CoreError;
    fn try_from(parts: CorridorParts) -> Result<Corridor, CoreError> {
        Corridor::new(
            parts.code,
            &parts.name_en,
            &parts.name_es,
            parts.nodes,
            parts.legs,
        )
    }
}

impl Corridor {
    pub fn new(
        code: CorridorCode,
        name_en: &str,
        name_es: &str,
        nodes: Vec<CorridorNode>,
        legs: Vec<Leg>,
    ) -> Result<Corridor, CoreError> {
        let invalid = |reason: String| Err(CoreError::InvalidCorridor { reason });
        if nodes.len() < 2 {
            return invalid(format!("corridor `{code}` needs at least two nodes"));
        }
        for (i, node) in nodes.iter().enumerate() {
            if nodes[..i]
                .iter()
                .any(|earlier| earlier.country == node.country)
            {
                return invalid(format!(
                    "country {} appears twice in corridor `{code}`",
                    node.country
                ));
            }
        }
        if legs.len() != nodes.len() - 1 {
            return invalid(format!(
                "corridor `{code}` has {} nodes, so it needs {} legs, not {}",
                nodes.len(),
                nodes.len() - 1,
                legs.len()
            ));
        }
        for (leg, pair) in legs.iter().zip(nodes.windows(2)) {
            if leg.from != pair[0].country || leg.to != pair[1].country {
                return invalid(format!(
                    "leg {} → {} does not join consecutive nodes {} → {}",
                    leg.from, leg.to, pair[0].country, pair[1].country
                ));
            }
        }
        for name in [name_en, name_es] {
            if name.trim().is_empty() {
                return Err(CoreError::InvalidText {
                    text: name.to_owned(),
                    max: 200,
                });
            }
        }
        Ok(Corridor {
            code,
            name_en: name_en.trim().to_owned(),
            name_es: name_es.trim().to_owned(),
            nodes,
            legs,
        })
    }

    pub fn code(&self) -> &CorridorCode {
        &self.code
    }

    pub fn name(&self, spanish: bool) -> &str {
        if spanish {
            &self.name_es
        } else {
            &self.name_en
        }
    }

    pub fn nodes(&self) -> &[CorridorNode] {
        &self.nodes
    }

    pub fn legs(&self) -> &[Leg] {
        &self.legs
    }

    pub fn position(&self, country: CountryCode) -> Option<usize> {
        self.nodes.iter().position(|node| node.country == country)
    }

    /// The countries after `country` on the route, each with the typical number of days from
    /// `country` to it (the sum of the legs in between).
    pub fn ahead_of(&self, country: CountryCode) -> Vec<(CountryCode, u32)> {
        let Some(start) = self.position(country) else {
            return Vec::new();
        };
        let mut days = 0u32;
        self.legs[start..]
            .iter()
            .map(|leg| {
                days += u32::from(leg.typical_transit_days);
                (leg.to, days)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn country(code: &str) -> CountryCode {
        CountryCode::parse(code).unwrap()
    }

    fn node(code: &str) -> CorridorNode {
        CorridorNode {
            country: country(code),
            places: vec![],
        }
    }

    fn leg(from: &str, to: &str, days: u16) -> Leg {
        Leg {
            from: country(from),
            to: country(to),
            typical_transit_days: days,
        }
    }

    #[test]
    fn countries_ahead_accumulate_transit_days() {
        let corridor = Corridor::new(
            CorridorCode::parse("test").unwrap(),
            "Test",
            "Prueba",
            vec![node("PAN"), node("CRI"), node("NIC")],
            vec![leg("PAN", "CRI", 3), leg("CRI", "NIC", 2)],
        )
        .unwrap();
        assert_eq!(
            corridor.ahead_of(country("PAN")),
            vec![(country("CRI"), 3), (country("NIC"), 5)]
        );
        assert_eq!(corridor.ahead_of(country("NIC")), vec![]);
        assert_eq!(corridor.ahead_of(country("MEX")), vec![]);
    }

    #[test]
    fn legs_must_join_consecutive_nodes() {
        let result = Corridor::new(
            CorridorCode::parse("test").unwrap(),
            "Test",
            "Prueba",
            vec![node("PAN"), node("CRI"), node("NIC")],
            vec![leg("PAN", "NIC", 3), leg("CRI", "NIC", 2)],
        );
        assert!(matches!(result, Err(CoreError::InvalidCorridor { .. })));
        let repeated = Corridor::new(
            CorridorCode::parse("test").unwrap(),
            "Test",
            "Prueba",
            vec![node("PAN"), node("PAN")],
            vec![leg("PAN", "PAN", 3)],
        );
        assert!(repeated.is_err());
    }
}
