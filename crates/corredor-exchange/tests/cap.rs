//! CAP 1.2: real alerts read, write and read back unchanged; every message written is valid
//! against the OASIS schema (checked with xmllint); hostile and invalid messages are refused
//! with the element path and the reason.
//!
//! xmllint comes from Debian's `libxml2-utils` (CI installs it). Without it the schema checks
//! say so and pass, unless `CI` is set, where a missing xmllint is a failure.

mod cap_support;

use cap_support::{data, schema_check, xmllint_available, VALID_EXAMPLES};
use chrono::{DateTime, FixedOffset, TimeZone};
use corredor_exchange::cap::{
    read_cap, read_cap_from, write_cap, CapAlert, CapArea, CapCategory, CapCertainty, CapCircle,
    CapError, CapInfo, CapMsgType, CapPoint, CapReference, CapResource, CapResponseType, CapScope,
    CapSeverity, CapStatus, CapUrgency, MAX_CAP_BYTES,
};
use corredor_exchange::Problem;
use proptest::prelude::*;

fn example(name: &str) -> Vec<u8> {
    std::fs::read(data("examples").join(name)).expect("the CAP examples are shipped with the tests")
}

fn time(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).expect("test times are valid")
}

fn reasons(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Panama's focal point warns the countries ahead on the route of a mass flow forming at the
/// Darién reception stations.
fn corridor_alert() -> CapAlert {
    let panama = FixedOffset::west_opt(5 * 3600).expect("UTC-5 is a valid offset");
    let area = |desc: &str| CapArea {
        area_desc: desc.to_owned(),
        polygons: vec![vec![
            CapPoint {
                lat: 8.66,
                lon: -77.98,
            },
            CapPoint {
                lat: 8.66,
                lon: -77.60,
            },
            CapPoint {
                lat: 8.30,
                lon: -77.60,
            },
            CapPoint {
                lat: 8.30,
                lon: -77.98,
            },
            CapPoint {
                lat: 8.66,
                lon: -77.98,
            },
        ]],
        circles: vec![CapCircle {
            center: CapPoint {
                lat: 8.4825,
                lon: -77.8425,
            },
            radius_km: 15.0,
        }],
        geocodes: vec![("ISO3166-2".to_owned(), "PA-5".to_owned())],
        altitude: None,
        ceiling: None,
    };
    let info =
        |language: &str, event: &str, headline: &str, description: &str, area_desc: &str| CapInfo {
            language: language.to_owned(),
            categories: vec![CapCategory::Safety, CapCategory::Rescue],
            event: event.to_owned(),
            response_types: vec![CapResponseType::Prepare, CapResponseType::Monitor],
            urgency: CapUrgency::Expected,
            severity: CapSeverity::Severe,
            certainty: CapCertainty::Likely,
            audience: Some("RCM focal points / puntos focales CRM".to_owned()),
            event_codes: vec![("corredor".to_owned(), "mass-flow".to_owned())],
            effective: Some(
                panama
                    .with_ymd_and_hms(2023, 8, 14, 9, 30, 0)
                    .single()
                    .expect("a valid time"),
            ),
            onset: Some(
                panama
                    .with_ymd_and_hms(2023, 8, 15, 6, 0, 0)
                    .single()
                    .expect("a valid time"),
            ),
            expires: Some(
                panama
                    .with_ymd_and_hms(2023, 8, 21, 9, 30, 0)
                    .single()
                    .expect("a valid time"),
            ),
            sender_name: Some("Servicio Nacional de Migración de Panamá".to_owned()),
            headline: Some(headline.to_owned()),
            description: Some(description.to_owned()),
            instruction: None,
            web: Some("https://corredor.example/alerts/PA-2023-0814-01".to_owned()),
            contact: Some(
                "Punto focal CRM Panamá <focal@migracion.gob.pa> & +507 507-1800".to_owned(),
            ),
            parameters: vec![
                ("people".to_owned(), "2300".to_owned()),
                ("composition".to_owned(), "families; mostly VEN".to_owned()),
                ("stage".to_owned(), "forming".to_owned()),
                ("route".to_owned(), "PAN CRI NIC HND".to_owned()),
            ],
            resources: vec![CapResource {
                resource_desc: "Mapa de la ruta / route map".to_owned(),
                mime_type: "image/png".to_owned(),
                size: Some(48213),
                uri: Some("https://corredor.example/maps/PA-2023-0814-01.png".to_owned()),
                deref_uri: None,
                digest: Some(
                    "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b".to_owned(),
                ),
            }],
            areas: vec![area(area_desc)],
        };
    CapAlert {
        identifier: "PA-2023-0814-01".to_owned(),
        sender: "focal.pan@corredor.rcm".to_owned(),
        sent: panama.with_ymd_and_hms(2023, 8, 14, 9, 30, 0).single().expect("a valid time"),
        status: CapStatus::Actual,
        msg_type: CapMsgType::Alert,
        source: Some("SNM Panamá, ERM Lajas Blancas".to_owned()),
        scope: CapScope::Restricted,
        restriction: Some("CRI NIC HND".to_owned()),
        addresses: None,
        code: vec!["RCM-migratory-alert".to_owned()],
        note: None,
        references: Vec::new(),
        incidents: Some("PA-2023-08-darien".to_owned()),
        infos: vec![
            info(
                "es-419",
                "Flujo migratorio masivo",
                "2.300 personas en Bajo Chiquito y Lajas Blancas rumbo al norte",
                "Se forma un flujo de unas 2.300 personas, en su mayoría familias venezolanas con \
                 niñas y niños, en Bajo Chiquito y la Estación de Recepción Migratoria de Lajas \
                 Blancas. Se espera que avance hacia Costa Rica en 2 a 4 días. Necesidades: agua, \
                 atención médica, albergue.",
                "Bajo Chiquito y ERM Lajas Blancas, Darién",
            ),
            info(
                "en-US",
                "Mass migration flow",
                "2,300 people at Bajo Chiquito and Lajas Blancas heading north",
                "A flow of about 2,300 people, mostly Venezuelan families with children, is forming \
                 at Bajo Chiquito and the Lajas Blancas migrant reception station. It is expected \
                 to move on to Costa Rica in 2 to 4 days. Needs: water, medical care, shelter.",
                "Bajo Chiquito and Lajas Blancas reception station, Darién",
            ),
        ],
    }
}

#[test]
fn every_cap_1_2_example_reads_writes_and_reads_back_to_the_same_model() {
    for name in VALID_EXAMPLES {
        let first = read_cap(&example(name), name)
            .unwrap_or_else(|problems| panic!("{name} should read:\n{}", reasons(&problems)));
        let written =
            write_cap(&first).unwrap_or_else(|error| panic!("{name} should write: {error}"));
        let second = read_cap(written.as_bytes(), name).unwrap_or_else(|problems| {
            panic!("{name} written should read:\n{}", reasons(&problems))
        });
        assert_eq!(first, second, "{name} changed on the round trip");
    }
}

#[test]
fn the_appendix_earthquake_update_keeps_its_reference_circle_and_times() {
    let alert = read_cap(&example("v1dot2_appendix_adot3.xml"), "adot3").expect("A.3 reads");
    assert_eq!(alert.msg_type, CapMsgType::Update);
    assert_eq!(
        alert.references,
        vec![CapReference {
            sender: "trinet@caltech.edu".to_owned(),
            identifier: "TRI13970876.1".to_owned(),
            sent: time("2003-06-11T20:30:00-07:00"),
        }]
    );
    let area = &alert.infos[0].areas[0];
    assert_eq!(
        area.circles[0].center,
        CapPoint {
            lat: 32.9525,
            lon: -115.5527
        }
    );
    assert_eq!(area.circles[0].radius_km, 0.0);
    assert_eq!(alert.sent, time("2003-06-11T20:56:00-07:00"));
    assert_eq!(alert.sent.offset().local_minus_utc(), -7 * 3600);
}

#[test]
fn the_amber_alert_keeps_both_languages_and_the_iso_8859_1_alert_its_accents() {
    let amber = read_cap(&example("v1dot2_appendix_adot4.xml"), "adot4").expect("A.4 reads");
    let languages: Vec<&str> = amber.infos.iter().map(|i| i.language.as_str()).collect();
    assert_eq!(languages, ["en-US", "es-US"]);
    assert_eq!(amber.infos[1].event, "Abducción de Niño");

    let latin = read_cap(&example("earthquake-iso8859-1.cap"), "latin").expect("ISO-8859-1 reads");
    let written = write_cap(&latin).expect("writes");
    assert!(written.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
}

#[test]
fn a_signed_alert_reads_without_its_signature_and_keeps_the_namespace_prefix_meaningless() {
    let signed = read_cap(&example("canada_signed.cap"), "signed").expect("a signed alert reads");
    assert_eq!(signed.identifier, "2.49.0.1.124.f2c83f5f.2013");
    assert_eq!(signed.msg_type, CapMsgType::Update);
    assert!(!signed.references.is_empty());
    assert!(!write_cap(&signed).expect("writes").contains("Signature"));
    let prefixed = read_cap(&example("australia.cap"), "australia").expect("cap: prefix reads");
    assert!(!prefixed.infos.is_empty());
}

#[test]
fn every_message_written_validates_against_the_oasis_schema() {
    if !xmllint_available() {
        return;
    }
    let mut messages: Vec<(String, String)> = VALID_EXAMPLES
        .iter()
        .map(|name| {
            let alert = read_cap(&example(name), name).expect("the valid examples read");
            (
                (*name).to_owned(),
                write_cap(&alert).expect("the valid examples write"),
            )
        })
        .collect();
    messages.push((
        "corridor alert".to_owned(),
        write_cap(&corridor_alert()).expect("writes"),
    ));
    for (name, xml) in &messages {
        if let Err(complaint) = schema_check(xml) {
            panic!("{name} as written is not valid CAP 1.2:\n{complaint}\n{xml}");
        }
    }
    // The check is real: a message the schema refuses is caught.
    let broken = messages[0]
        .1
        .replace("<status>Actual</status>", "<status>Real</status>");
    assert!(
        schema_check(&broken).is_err(),
        "xmllint must refuse an unknown status"
    );
}

#[test]
fn the_darien_corridor_alert_is_written_valid_and_reads_back_whole() {
    let alert = corridor_alert();
    let xml = write_cap(&alert).expect("the corridor alert writes");
    assert!(xml.contains("<sent>2023-08-14T09:30:00-05:00</sent>"));
    assert!(xml.contains("<scope>Restricted</scope>\n  <restriction>CRI NIC HND</restriction>"));
    assert!(xml.contains("<circle>8.4825,-77.8425 15</circle>"));
    assert!(xml.contains("<language>es-419</language>"));
    assert!(xml.contains("&lt;focal@migracion.gob.pa&gt; &amp; +507"));
    assert_eq!(
        read_cap(xml.as_bytes(), "corridor").expect("reads back"),
        alert
    );
    if xmllint_available() {
        schema_check(&xml).unwrap_or_else(|complaint| panic!("{complaint}\n{xml}"));
    }
}

#[test]
fn an_update_references_the_alert_it_replaces_and_a_utc_time_is_written_with_an_offset() {
    let alert = corridor_alert();
    let mut update = alert.clone();
    update.identifier = "PA-2023-0814-02".to_owned();
    update.msg_type = CapMsgType::Update;
    update.sent = time("2023-08-14T18:00:00+00:00");
    update.references = vec![CapReference {
        sender: alert.sender.clone(),
        identifier: alert.identifier.clone(),
        sent: alert.sent,
    }];
    update.infos[0].parameters[0].1 = "3100".to_owned();
    let xml = write_cap(&update).expect("the update writes");
    assert!(xml.contains(
        "<references>focal.pan@corredor.rcm,PA-2023-0814-01,2023-08-14T09:30:00-05:00</references>"
    ));
    assert!(xml.contains("<sent>2023-08-14T18:00:00+00:00</sent>"));
    assert!(!xml.contains("Z<"), "no time is written with Z");
    assert_eq!(
        read_cap(xml.as_bytes(), "update").expect("reads back"),
        update
    );
    if xmllint_available() {
        schema_check(&xml).unwrap_or_else(|complaint| panic!("{complaint}\n{xml}"));
    }

    let mut orphan = update.clone();
    orphan.references.clear();
    assert_eq!(
        write_cap(&orphan),
        Err(CapError::Invalid {
            field: "alert/references".to_owned(),
            reason:
                "a Update must reference the earlier messages it replaces (sender,identifier,sent)"
                    .to_owned(),
        })
    );
}

#[test]
fn the_writer_names_the_field_that_breaks_a_rule() {
    let field = |alert: &CapAlert| match write_cap(alert) {
        Err(CapError::Invalid { field, .. }) => field,
        Ok(_) => panic!("the alert should be refused"),
    };
    let mut alert = corridor_alert();
    alert.restriction = None;
    assert_eq!(field(&alert), "alert/restriction");

    let mut alert = corridor_alert();
    alert.identifier = "PA 2023,01".to_owned();
    assert_eq!(field(&alert), "alert/identifier");

    let mut alert = corridor_alert();
    alert.scope = CapScope::Private;
    assert_eq!(field(&alert), "alert/addresses");

    let mut alert = corridor_alert();
    alert.infos[1].areas[0].circles[0].center.lat = 95.0;
    assert_eq!(field(&alert), "alert/info[2]/area[1]/circle[1]");

    let mut alert = corridor_alert();
    alert.infos[0].areas[0].polygons[0].pop();
    assert_eq!(field(&alert), "alert/info[1]/area[1]/polygon[1]");

    let mut alert = corridor_alert();
    alert.infos[0].language = "español".to_owned();
    assert_eq!(field(&alert), "alert/info[1]/language");
}

/// Reads `xml` expecting refusal, and returns the problems.
fn refused(xml: &str) -> Vec<Problem> {
    match read_cap(xml.as_bytes(), "partner.xml") {
        Ok(alert) => panic!("should be refused, read {alert:?}"),
        Err(problems) => {
            assert!(!problems.is_empty());
            assert!(problems.iter().all(|p| p.file == "partner.xml"));
            problems
        }
    }
}

fn corridor_xml() -> String {
    write_cap(&corridor_alert()).expect("the corridor alert writes")
}

#[test]
fn a_billion_laughs_doctype_is_refused_before_anything_is_expanded() {
    let xml = corridor_xml().replacen(
        "<alert ",
        "<!DOCTYPE alert [\n <!ENTITY lol \"lol\">\n <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n \
         <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n]>\n<alert ",
        1,
    );
    let xml = xml.replace("<note>", "<note>&lol3;");
    let problems = refused(&xml);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 2);
    assert!(
        problems[0].reason.contains("DOCTYPE is refused"),
        "{}",
        problems[0]
    );
}

#[test]
fn an_external_entity_is_refused_and_never_read() {
    let xml = corridor_xml()
        .replacen(
            "<alert ",
            "<!DOCTYPE alert [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<alert ",
            1,
        )
        .replace("<source>", "<source>&xxe;");
    let problems = refused(&xml);
    assert!(problems[0].reason.contains("DOCTYPE is refused"));
    assert!(
        !reasons(&problems).contains("root:"),
        "nothing of /etc/passwd appears"
    );

    // An entity used without any declaration is refused too.
    let problems = refused(&corridor_xml().replace("<source>", "<source>&xxe;"));
    assert!(
        problems[0].reason.contains("the entity &xxe; is refused"),
        "{}",
        problems[0]
    );

    let problems = refused(&String::from_utf8_lossy(&example("xee.cap")));
    assert!(problems[0].reason.contains("DOCTYPE is refused"));
}

#[test]
fn a_cap_1_1_message_is_refused_saying_only_1_2_is_accepted() {
    let problems = refused(&String::from_utf8_lossy(&example(
        "nws-5c2cf27b1f56885d61654dc47fa411d5.xml",
    )));
    assert_eq!(problems[0].column.as_deref(), Some("alert"));
    assert!(
        problems[0].reason.contains("CAP 1.1 is not accepted"),
        "{}",
        problems[0]
    );
}

#[test]
fn a_time_in_z_is_refused_because_the_schema_pattern_demands_an_offset() {
    let xml = corridor_xml().replacen(
        "<onset>2023-08-15T06:00:00-05:00</onset>",
        "<onset>2023-08-15T11:00:00Z</onset>",
        1,
    );
    let problems = refused(&xml);
    assert_eq!(problems.len(), 1, "{}", reasons(&problems));
    assert_eq!(problems[0].column.as_deref(), Some("alert/info[1]/onset"));
    assert!(
        problems[0].reason.contains("forbids 'Z'"),
        "{}",
        problems[0]
    );
    assert_eq!(
        problems[0].line,
        xml.lines()
            .position(|l| l.contains("11:00:00Z"))
            .map(|n| n as u64 + 1)
            .expect("present")
    );
}

#[test]
fn a_three_point_polygon_and_a_latitude_of_95_are_refused_each_with_its_path() {
    let xml = corridor_xml()
        .replacen(
            "<polygon>8.66,-77.98 8.66,-77.6 8.3,-77.6 8.3,-77.98 8.66,-77.98</polygon>",
            "<polygon>8.66,-77.98 8.66,-77.6 8.66,-77.98</polygon>",
            1,
        )
        .replacen(
            "<circle>8.4825,-77.8425 15</circle>",
            "<circle>95,-77.8425 15</circle>",
            2,
        );
    let problems = refused(&xml);
    let found: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| (p.column.as_deref().unwrap_or(""), p.reason.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "alert/info[1]/area[1]/polygon[1]",
                "a polygon needs at least 4 points (the first repeated last); this one has 3"
            ),
            (
                "alert/info[1]/area[1]/circle[1]",
                "latitude 95 is outside -90 to 90"
            ),
            (
                "alert/info[2]/area[1]/circle[1]",
                "latitude 95 is outside -90 to 90"
            ),
        ]
    );
}

#[test]
fn missing_required_elements_and_unknown_values_are_all_reported_at_once() {
    let xml = corridor_xml()
        .replace("  <sender>focal.pan@corredor.rcm</sender>\n", "")
        .replace("<status>Actual</status>", "<status>Real</status>")
        .replacen("<urgency>Expected</urgency>", "<urgency>Soon</urgency>", 1)
        .replacen(
            "      <areaDesc>Bajo Chiquito y ERM Lajas Blancas, Darién</areaDesc>\n",
            "",
            1,
        )
        .replace("<restriction>CRI NIC HND</restriction>", "");
    let problems = refused(&xml);
    let paths: Vec<&str> = problems
        .iter()
        .filter_map(|p| p.column.as_deref())
        .collect();
    assert_eq!(
        paths,
        [
            "alert/sender",
            "alert/status",
            "alert/info[1]/urgency",
            "alert/info[1]/area[1]/areaDesc",
            "alert/restriction",
        ],
        "{}",
        reasons(&problems)
    );
    assert!(problems[1]
        .reason
        .contains("'Real' is not a CAP 1.2 status"));
}

#[test]
fn the_shipped_negative_examples_are_refused_with_their_reason() {
    let missing_scope = refused(&String::from_utf8_lossy(&example("invalid.cap")));
    assert!(missing_scope
        .iter()
        .any(|p| p.column.as_deref() == Some("alert/scope")));

    let empty_references = refused(&String::from_utf8_lossy(&example("canada_errors.cap")));
    assert!(
        empty_references
            .iter()
            .any(|p| p.column.as_deref() == Some("alert/references")),
        "{}",
        reasons(&empty_references)
    );
}

#[test]
fn a_message_over_the_size_limit_or_not_xml_is_refused_with_a_reason() {
    let huge = corridor_xml().replace("<note>", "").replace(
        "<incidents>",
        &format!("<note>{}</note>\n  <incidents>", "x".repeat(MAX_CAP_BYTES)),
    );
    let problems = refused(&huge);
    assert!(
        problems[0].reason.contains("are refused"),
        "{}",
        problems[0]
    );

    let truncated = corridor_xml();
    let problems = refused(&truncated[..truncated.len() / 2]);
    assert!(
        problems[0].reason.contains("ends inside")
            || problems[0].reason.contains("not well-formed")
    );

    // A stream is read no further than the limit allows.
    let endless = std::io::repeat(b' ');
    let problems = read_cap_from(endless, "stream").expect_err("an endless stream is refused");
    assert!(
        problems[0].reason.contains("are refused"),
        "{}",
        problems[0]
    );
    let alert = read_cap_from(corridor_xml().as_bytes(), "stream").expect("a stream reads");
    assert_eq!(alert, corridor_alert());

    let problems = refused("<feed xmlns=\"http://www.w3.org/2005/Atom\"/>");
    assert!(problems[0].reason.contains("root element must be <alert>"));
}

fn text() -> impl Strategy<Value = String> {
    // Markup characters, accents, tabs, newlines and carriage returns must all survive.
    "[ -~\t\n\rñáéíóúÁ€中]{0,24}"
}

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9@._:-]{1,16}"
}

fn cap_time() -> impl Strategy<Value = DateTime<FixedOffset>> {
    (0i64..4_000_000_000, -14 * 4..=14 * 4i32).prop_map(|(seconds, quarters)| {
        let offset = FixedOffset::east_opt(quarters * 15 * 60).expect("within ±14 h");
        offset
            .timestamp_opt(seconds, 0)
            .single()
            .expect("a representable time")
    })
}

fn point() -> impl Strategy<Value = CapPoint> {
    (-90.0..=90.0f64, -180.0..=180.0f64).prop_map(|(lat, lon)| CapPoint { lat, lon })
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((text(), text()), 0..3)
}

fn area() -> impl Strategy<Value = CapArea> {
    (
        text(),
        prop::collection::vec(prop::collection::vec(point(), 3..6), 0..2),
        prop::collection::vec((point(), 0.0..500.0f64), 0..2),
        pairs(),
        prop::option::of((-1000.0..30000.0f64, prop::option::of(0.0..60000.0f64))),
    )
        .prop_map(|(area_desc, rings, circles, geocodes, heights)| CapArea {
            area_desc,
            polygons: rings
                .into_iter()
                .map(|mut ring| {
                    ring.push(ring[0]);
                    ring
                })
                .collect(),
            circles: circles
                .into_iter()
                .map(|(center, radius_km)| CapCircle { center, radius_km })
                .collect(),
            geocodes,
            altitude: heights.map(|(altitude, _)| altitude),
            ceiling: heights.and_then(|(_, ceiling)| ceiling),
        })
}

fn info() -> impl Strategy<Value = CapInfo> {
    let head = (
        prop::sample::select(vec!["es-419", "en-US", "fr-CA", "pt-BR", "es"]),
        prop::collection::vec(prop::sample::select(CapCategory::ALL), 1..3),
        text(),
        prop::collection::vec(prop::sample::select(CapResponseType::ALL), 0..3),
        prop::sample::select(CapUrgency::ALL),
        prop::sample::select(CapSeverity::ALL),
        prop::sample::select(CapCertainty::ALL),
        pairs(),
    );
    let tail = (
        prop::option::of(cap_time()),
        prop::option::of(cap_time()),
        prop::option::of(text()),
        prop::option::of(text()),
        pairs(),
        prop::collection::vec(
            (
                text(),
                token(),
                prop::option::of(0u64..10_000_000),
                prop::option::of(text()),
            ),
            0..2,
        ),
        prop::collection::vec(area(), 0..3),
    );
    (head, tail).prop_map(
        |(
            (
                language,
                categories,
                event,
                response_types,
                urgency,
                severity,
                certainty,
                event_codes,
            ),
            (effective, expires, headline, description, parameters, resources, areas),
        )| CapInfo {
            language: language.to_owned(),
            categories,
            event,
            response_types,
            urgency,
            severity,
            certainty,
            audience: None,
            event_codes,
            effective,
            onset: None,
            expires,
            sender_name: None,
            headline,
            description,
            instruction: None,
            web: None,
            contact: None,
            parameters,
            resources: resources
                .into_iter()
                .map(|(resource_desc, mime_type, size, digest)| CapResource {
                    resource_desc,
                    mime_type,
                    size,
                    uri: None,
                    deref_uri: None,
                    digest,
                })
                .collect(),
            areas,
        },
    )
}

fn alert() -> impl Strategy<Value = CapAlert> {
    (
        (
            token(),
            token(),
            cap_time(),
            prop::sample::select(CapStatus::ALL),
            prop::sample::select(CapMsgType::ALL),
        ),
        (
            prop::sample::select(CapScope::ALL),
            text(),
            prop::collection::vec(text(), 0..3),
            prop::option::of(text()),
        ),
        prop::collection::vec((token(), token(), cap_time()), 1..4),
        prop::collection::vec(info(), 0..3),
    )
        .prop_map(
            |(
                (identifier, sender, sent, status, msg_type),
                (scope, who, code, note),
                references,
                infos,
            )| {
                let who = format!("x{who}");
                CapAlert {
                    identifier,
                    sender,
                    sent,
                    status,
                    msg_type,
                    source: note.clone(),
                    scope,
                    restriction: (scope == CapScope::Restricted).then(|| who.clone()),
                    addresses: (scope == CapScope::Private).then_some(who),
                    code,
                    note,
                    references: references
                        .into_iter()
                        .map(|(sender, identifier, sent)| CapReference {
                            sender,
                            identifier,
                            sent,
                        })
                        .collect(),
                    incidents: None,
                    infos,
                }
            },
        )
}

proptest! {
    #[test]
    fn any_alert_built_from_valid_parts_round_trips(alert in alert()) {
        let xml = write_cap(&alert).map_err(|error| TestCaseError::fail(error.to_string()))?;
        let back = read_cap(xml.as_bytes(), "generated")
            .map_err(|problems| TestCaseError::fail(format!("{}\n{xml}", reasons(&problems))))?;
        prop_assert_eq!(back, alert);
    }
}

#[test]
fn a_private_message_keeps_its_addresses_and_is_refused_without_them() {
    let mut alert = corridor_alert();
    alert.scope = CapScope::Private;
    alert.restriction = None;
    alert.addresses = Some("focal.cri@corredor.rcm \"Punto focal NIC\"".to_owned());
    let xml = write_cap(&alert).expect("a private alert writes");
    assert_eq!(
        read_cap(xml.as_bytes(), "private").expect("reads back"),
        alert
    );
    if xmllint_available() {
        schema_check(&xml).unwrap_or_else(|complaint| panic!("{complaint}\n{xml}"));
    }
    let without = xml.replace(
        "<addresses>focal.cri@corredor.rcm \"Punto focal NIC\"</addresses>",
        "",
    );
    let problems = refused(&without);
    assert_eq!(problems[0].column.as_deref(), Some("alert/addresses"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn any_alert_built_from_valid_parts_is_valid_against_the_oasis_schema(alert in alert()) {
        if xmllint_available() {
            let xml = write_cap(&alert).map_err(|error| TestCaseError::fail(error.to_string()))?;
            schema_check(&xml).map_err(|complaint| TestCaseError::fail(format!("{complaint}\n{xml}")))?;
        }
    }
}

#[test]
fn elements_out_of_the_schema_order_or_unknown_are_refused() {
    let xml = corridor_xml()
        .replacen("  <sender>focal.pan@corredor.rcm</sender>\n", "", 1)
        .replacen(
            "<status>Actual</status>",
            "<status>Actual</status>\n  <sender>focal.pan@corredor.rcm</sender>",
            1,
        )
        .replacen(
            "<event>Flujo migratorio masivo</event>",
            "<event>Flujo migratorio masivo</event>\n    <people>2300</people>",
            1,
        );
    let problems = refused(&xml);
    let found: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| (p.column.as_deref().unwrap_or(""), p.reason.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "alert/sender",
                "<sender> must come before <status>: CAP 1.2 fixes the order of elements"
            ),
            ("alert/info[1]/people", "<people> is not allowed in <info>"),
        ]
    );
}
