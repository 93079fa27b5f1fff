//! Realistic return operations for the tests of this module.
//!
//! Two returns to Guatemala as they happen every week: a land return from Mexico of 38 people
//! from the Siglo XXI migration station in Tapachula to the Tecún Umán reception centre, and a
//! flight of 135 people from Alexandria, Louisiana, to the reception centre at the Guatemalan
//! Air Force base (FAG) in Guatemala City.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate};

use crate::breakdown::{AgeGroup, Sex};
use crate::code::CountryCode;
use crate::place::PlaceCode;
use crate::returns::{
    BestInterestDetermination, CaseReference, CaseReferenceKey, CaseSafeguards, ReceptionNeed,
    ReceptionNeeds, RetentionPeriod, ReturnGroup, ReturnGroupParts, ReturnOperation, ReturnPlan,
    ReturnPoint, Transport,
};
use crate::Timestamp;

pub(crate) fn country(code: &str) -> CountryCode {
    CountryCode::parse(code).unwrap()
}

pub(crate) fn at(text: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(text).unwrap()
}

pub(crate) fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// Mexico's key for case references (in production, from its secret store).
pub(crate) fn mexico_key() -> CaseReferenceKey {
    let bytes: Vec<u8> = (0..32u8)
        .map(|i| i.wrapping_mul(29).wrapping_add(11))
        .collect();
    CaseReferenceKey::new(&bytes).unwrap()
}

pub(crate) fn usa_key() -> CaseReferenceKey {
    let bytes: Vec<u8> = (0..48u8)
        .map(|i| i.wrapping_mul(53).wrapping_add(5))
        .collect();
    CaseReferenceKey::new(&bytes).unwrap()
}

pub(crate) fn retention() -> RetentionPeriod {
    RetentionPeriod::days(180).unwrap()
}

/// 38 people: 14 women and 24 men; 9 children (2 unaccompanied and 1 separated, the other 6
/// in three families of 11 people), 28 adults of 18–59 and one of 60 or more; 2 people with
/// specific needs (a pregnant woman and a man with a leg injury).
pub(crate) fn tecun_uman_group() -> ReturnGroup {
    ReturnGroup::new(ReturnGroupParts {
        people: 38,
        by_sex: BTreeMap::from([(Sex::Female, 14), (Sex::Male, 24)]),
        by_age_group: BTreeMap::from([
            (AgeGroup::Age0To17, 9),
            (AgeGroup::Age18To59, 28),
            (AgeGroup::Age60Plus, 1),
        ]),
        unaccompanied_children: 2,
        separated_children: 1,
        family_units: 3,
        people_in_family_units: 11,
        people_with_specific_needs: 2,
    })
    .unwrap()
}

pub(crate) fn tecun_uman_plan() -> ReturnPlan {
    ReturnPlan {
        host: country("MEX"),
        origin: country("GTM"),
        group: tecun_uman_group(),
        planned_date: day("2024-03-12"),
        transport: Transport::Land,
        departure: ReturnPoint::Described {
            description: "Estación migratoria Siglo XXI, Tapachula, Chiapas".to_owned(),
        },
        reception_point: ReturnPoint::Place {
            place: PlaceCode::parse("GT-CRR-TU").unwrap(),
        },
        reception_needs: ReceptionNeeds {
            needs: [
                ReceptionNeed::Health,
                ReceptionNeed::Documents,
                ReceptionNeed::OnwardTransport,
            ]
            .into_iter()
            .collect(),
            note: Some("Una mujer embarazada (32 semanas); un hombre con lesión en la pierna: silla de ruedas.".to_owned()),
        },
    }
}

fn reference(key: &CaseReferenceKey, host: &str, number: usize) -> CaseReference {
    CaseReference::derive(country(host), key, &format!("{host}-2024-{number:05}")).unwrap()
}

fn case(reference: CaseReference, people: u32, children_alone: u32) -> CaseSafeguards {
    CaseSafeguards {
        case: reference,
        people,
        informed_and_consented: people,
        pending_protection_claims: 0,
        children_needing_determination: children_alone,
        best_interest_determinations: (0..children_alone)
            .map(|child| BestInterestDetermination {
                reference: format!("PGN-PNA-2024-{:04}-{child}", people * 100 + child),
                date: day("2024-02-28"),
            })
            .collect(),
    }
}

/// 30 cases, every safeguard met: three families (4, 4 and 3 people), three children alone
/// (two unaccompanied, one separated) each with a best-interest determination, 24 adults
/// alone.
pub(crate) fn tecun_uman_cases() -> Vec<CaseSafeguards> {
    let key = mexico_key();
    let mut cases = vec![
        case(reference(&key, "MEX", 187), 4, 0),
        case(reference(&key, "MEX", 188), 4, 0),
        case(reference(&key, "MEX", 191), 3, 0),
    ];
    for number in 200..203 {
        let mut child = case(reference(&key, "MEX", number), 1, 1);
        child.best_interest_determinations[0].reference = format!("PGN-PNA-2024-{number}");
        cases.push(child);
    }
    for number in 300..324 {
        cases.push(case(reference(&key, "MEX", number), 1, 0));
    }
    cases
}

/// The Tecún Umán return drafted on 4 March 2024, its safeguards recorded.
pub(crate) fn tecun_uman_draft() -> ReturnOperation {
    ReturnOperation::draft(
        tecun_uman_plan(),
        retention(),
        "mx.enlace",
        at("2024-03-04T09:00:00-06:00"),
    )
    .unwrap()
    .record_safeguards(
        tecun_uman_cases(),
        "mx.enlace",
        at("2024-03-04T11:30:00-06:00"),
    )
    .unwrap()
}

/// 135 adults and families on a flight: 31 women, 104 men; 12 children, all with their
/// families (5 families of 19 people); 4 people with specific needs. 121 cases.
pub(crate) fn fag_flight_plan() -> ReturnPlan {
    ReturnPlan {
        host: country("USA"),
        origin: country("GTM"),
        group: ReturnGroup::new(ReturnGroupParts {
            people: 135,
            by_sex: BTreeMap::from([(Sex::Female, 31), (Sex::Male, 104)]),
            by_age_group: BTreeMap::from([(AgeGroup::Age0To17, 12), (AgeGroup::Age18Plus, 123)]),
            family_units: 5,
            people_in_family_units: 19,
            people_with_specific_needs: 4,
            ..ReturnGroupParts::default()
        })
        .unwrap(),
        planned_date: day("2024-05-21"),
        transport: Transport::Air,
        departure: ReturnPoint::Described {
            description: "Alexandria International Airport (AEX), Louisiana".to_owned(),
        },
        reception_point: ReturnPoint::Place {
            place: PlaceCode::parse("GT-CRR-FAG").unwrap(),
        },
        reception_needs: ReceptionNeeds {
            needs: [ReceptionNeed::Health, ReceptionNeed::OnwardTransport]
                .into_iter()
                .collect(),
            note: None,
        },
    }
}

pub(crate) fn fag_flight_cases() -> Vec<CaseSafeguards> {
    let key = usa_key();
    let mut cases = Vec::new();
    for (number, people) in [(1, 4), (2, 4), (3, 4), (4, 4), (5, 3)] {
        cases.push(case(reference(&key, "USA", number), people, 0));
    }
    for number in 100..216 {
        cases.push(case(reference(&key, "USA", number), 1, 0));
    }
    cases
}
