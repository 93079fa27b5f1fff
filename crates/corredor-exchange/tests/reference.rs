//! The reference data shipped in `data/reference/` parses, and is complete and consistent.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::PathBuf;

use corredor_core::{CountryCode, Place, PlaceKind, RcmStatus};
use corredor_exchange::reference::{read_corridors, read_countries, read_places};

fn reference_file(name: &str) -> (File, String) {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "..",
        "data",
        "reference",
        name,
    ]
    .iter()
    .collect();
    let file = File::open(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    (file, path.display().to_string())
}

fn shipped_places() -> Vec<Place> {
    let (file, name) = reference_file("places.csv");
    read_places(file, &name).unwrap_or_else(|problems| panic!("{problems:#?}"))
}

fn code(raw: &str) -> CountryCode {
    CountryCode::parse(raw).expect("test codes are assigned ISO codes")
}

#[test]
fn the_shipped_countries_are_every_iso_country_with_spanish_names_and_rcm_status() {
    let (file, name) = reference_file("countries.csv");
    let countries = read_countries(file, &name).unwrap_or_else(|problems| panic!("{problems:#?}"));
    assert_eq!(countries.len(), 249);
    let by_code: HashMap<CountryCode, _> = countries.iter().map(|c| (c.code, c)).collect();
    assert_eq!(by_code[&code("PAN")].name_es, "Panamá");
    assert_eq!(by_code[&code("USA")].name_es, "Estados Unidos");
    assert_eq!(by_code[&code("DEU")].name_es, "Alemania");
    let members: HashSet<&str> = countries
        .iter()
        .filter(|c| c.rcm_status == Some(RcmStatus::Member))
        .map(|c| c.code.as_str())
        .collect();
    let expected: HashSet<&str> = [
        "BLZ", "CAN", "CRI", "DOM", "SLV", "GTM", "HND", "MEX", "NIC", "PAN", "USA",
    ]
    .into_iter()
    .collect();
    assert_eq!(members, expected);
    assert_eq!(by_code[&code("COL")].rcm_status, Some(RcmStatus::Observer));
}

#[test]
fn every_corridor_crossing_point_is_a_shipped_place_with_its_id_as_code() {
    let places = shipped_places();
    let (file, _) = reference_file("upstream/corridor-crossing-points.csv");
    let mut reader = csv::Reader::from_reader(file);
    let mut count = 0;
    for record in reader.records() {
        let record = record.expect("the upstream crossing-point list is CSV");
        let id = &record[0];
        let place = places
            .iter()
            .find(|place| place.code.as_str() == id)
            .unwrap_or_else(|| panic!("crossing point {id} is not in places.csv"));
        assert_eq!(place.kind.code(), &record[4], "{id}");
        let alpha3 = match &record[2] {
            "CO" => "COL",
            "PA" => "PAN",
            "CR" => "CRI",
            "NI" => "NIC",
            "HN" => "HND",
            "SV" => "SLV",
            "GT" => "GTM",
            "BZ" => "BLZ",
            "MX" => "MEX",
            "US" => "USA",
            other => panic!("{id}: a crossing point in an unexpected country {other}"),
        };
        assert_eq!(place.country.as_str(), alpha3, "{id}");
        count += 1;
    }
    assert_eq!(count, 42);
}

#[test]
fn the_cbp_sectors_and_field_offices_are_shipped_in_the_united_states() {
    let places = shipped_places();
    let in_us = |kind: PlaceKind| {
        places
            .iter()
            .filter(|place| place.kind == kind && place.country == code("USA"))
            .count()
    };
    assert_eq!(in_us(PlaceKind::BorderPatrolSector), 9);
    assert_eq!(in_us(PlaceKind::FieldOffice), 4);
}

#[test]
fn the_northbound_corridor_runs_from_colombia_to_the_united_states_through_shipped_places() {
    let (file, name) = reference_file("corridors.json");
    let corridors = read_corridors(file, &name).unwrap_or_else(|problems| panic!("{problems:#?}"));
    let northbound = corridors
        .iter()
        .find(|corridor| corridor.code().as_str() == "northbound")
        .expect("the northbound corridor is shipped");
    let route: Vec<&str> = northbound
        .nodes()
        .iter()
        .map(|n| n.country.as_str())
        .collect();
    assert_eq!(
        route,
        ["COL", "PAN", "CRI", "NIC", "HND", "GTM", "MEX", "USA"]
    );
    // The concept note: about four weeks from Panama to Mexico's southern border, and
    // about four more to the US border.
    let ahead = northbound.ahead_of(code("PAN"));
    assert_eq!(
        ahead.iter().find(|(c, _)| *c == code("MEX")).map(|x| x.1),
        Some(28)
    );
    assert_eq!(ahead.last().map(|x| x.1), Some(56));
    let places = shipped_places();
    for node in northbound.nodes() {
        assert!(!node.places.is_empty(), "{} has no place", node.country);
        for place_code in &node.places {
            let place = places
                .iter()
                .find(|place| &place.code == place_code)
                .unwrap_or_else(|| panic!("{place_code} is not in places.csv"));
            assert_eq!(place.country, node.country, "{place_code}");
        }
    }
}

#[test]
fn the_map_outlines_cover_every_corridor_country() {
    let (file, _) = reference_file("americas-countries-110m.geojson");
    let geojson: serde_json::Value = serde_json::from_reader(file).expect("the outlines are JSON");
    let ids: HashSet<&str> = geojson["features"]
        .as_array()
        .expect("a FeatureCollection has features")
        .iter()
        .filter_map(|feature| feature["id"].as_str())
        .collect();
    for country in ["COL", "PAN", "CRI", "NIC", "HND", "GTM", "MEX", "USA"] {
        assert!(ids.contains(country), "{country}");
    }
}
