//! The migratory alert as CAP 1.2: every message an alert produces is valid against the OASIS
//! schema (checked with xmllint) and reads back into the same alert content; the CAP examples
//! import without losing what the alert model holds; bad parameters are refused with reasons.
//!
//! xmllint comes from Debian's `libxml2-utils` (CI installs it). Without it the schema checks
//! say so and pass, unless `CI` is set, where a missing xmllint is a failure.

mod cap_support;

use cap_support::{data, schema_check, xmllint_available, VALID_EXAMPLES};
use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use corredor_core::{
    recipients_ahead, Alert, AlertContent, AlertId, AlertLocation, AlertState, AlertText, Area,
    ArrivalWindow, Corridor, CorridorCode, CountryCode, Direction, FlowComposition,
    FlowCompositionParts, FlowStage, Nationality, NationalityEstimate, Needs, PlaceCode, Point,
    Recipient, RequiredAction, Route, TextBlock,
};
use corredor_exchange::cap::{
    alert_to_cap, cap_to_alert, latest_cap, read_cap, write_cap, CapAlert, CapArea, CapCircle,
    CapContext, CapInfo, CapMappingError, CapMsgType, CapPlace, CapPoint, CapResponseType,
    CapScope, CapUrgency, PLACE_GEOCODE, PLACE_RADIUS_KM, SHORTEST_RADIUS_KM,
};
use corredor_exchange::reference::read_places;
use proptest::prelude::*;

fn example(name: &str) -> CapAlert {
    let bytes = std::fs::read(data("examples").join(name))
        .expect("the CAP examples are shipped with the tests");
    read_cap(&bytes, name).unwrap_or_else(|problems| panic!("{name} reads: {problems:?}"))
}

fn at(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).expect("test times are valid")
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test days are valid")
}

fn country(code: &str) -> CountryCode {
    CountryCode::parse(code).expect("test countries are ISO codes")
}

fn northbound() -> Corridor {
    let corridors: Vec<Corridor> =
        serde_json::from_str(include_str!("../../../data/reference/corridors.json"))
            .expect("the shipped corridors read");
    corridors
        .into_iter()
        .find(|c| c.code().as_str() == "northbound")
        .expect("the northbound corridor is shipped")
}

/// The shipped places, for the circle around a place.
fn places() -> BTreeMap<PlaceCode, CapPlace> {
    let csv = include_str!("../../../data/reference/places.csv");
    read_places(csv.as_bytes(), "places.csv")
        .expect("the shipped places read")
        .into_iter()
        .map(|place| {
            (
                place.code.clone(),
                CapPlace {
                    name: place.name.clone(),
                    point: Point {
                        latitude: place.latitude,
                        longitude: place.longitude,
                    },
                },
            )
        })
        .collect()
}

fn with_context<T>(run: impl FnOnce(&CapContext) -> T) -> T {
    let places = places();
    let lookup = |code: &PlaceCode| places.get(code).cloned();
    let ctx = CapContext {
        sender: "corredor.pan@rcm-crm.org".to_owned(),
        places: &lookup,
        web: Some("https://corredor.rcm-crm.org/alerts/42".to_owned()),
    };
    run(&ctx)
}

fn nationality(code: &str, people: u32) -> NationalityEstimate {
    NationalityEstimate {
        nationality: Nationality::parse(code).expect("test nationalities are ISO codes"),
        estimated_people: people,
    }
}

/// The flow at Lajas Blancas of August 2023, every part of the alert model given.
fn lajas_blancas(stage: FlowStage, people: u32, area: Area, description: &str) -> AlertContent {
    AlertContent {
        composition: FlowComposition::new(FlowCompositionParts {
            estimated_people: people,
            women: Some(people / 3),
            children: Some(people / 4),
            unaccompanied_children: Some(people / 100),
            pregnant_women: Some(people / 50),
            people_with_disabilities: Some(people / 80),
            older_people: Some(people / 40),
            nationalities: vec![
                nationality("VEN", people * 6 / 10),
                nationality("HTI", people / 10),
                nationality("ECU", people / 10),
            ],
        })
        .expect("a consistent composition"),
        location: AlertLocation::new(area, description).expect("a valid location"),
        route: Route {
            corridor: CorridorCode::parse("northbound").expect("a corridor code"),
            direction: Direction::Northbound,
        },
        stage,
        needs: Needs {
            actions: [
                RequiredAction::HumanitarianAssistance,
                RequiredAction::HealthCare,
                RequiredAction::UnaccompaniedChildrenCare,
                RequiredAction::AsylumReferral,
            ]
            .into_iter()
            .collect(),
            note: Some("Agua y sales de rehidratación para 1.200 personas & albergue".to_owned()),
        },
        text: AlertText::new(
            Some(TextBlock {
                headline: format!("{people} personas en la ERM Lajas Blancas rumbo al norte"),
                description: "Flujo de familias, en su mayoría venezolanas, con niñas y niños.\n\
                              Se espera que avance hacia Costa Rica en 2 a 4 días."
                    .to_owned(),
                instruction: Some(
                    "Preparar tamizaje de protección y atención a niñez no acompañada.".to_owned(),
                ),
            }),
            Some(TextBlock {
                headline: format!("{people} people at the Lajas Blancas station heading north"),
                description: "A flow of mostly Venezuelan families with children.\n\
                              It is expected in Costa Rica in 2 to 4 days."
                    .to_owned(),
                instruction: Some(
                    "Prepare protection screening and care of unaccompanied children.".to_owned(),
                ),
            }),
        )
        .expect("valid text"),
    }
}

fn place(code: &str) -> Area {
    Area::Place {
        place: PlaceCode::parse(code).expect("a place code"),
    }
}

/// Drafted, addressed to the countries ahead, activated; Belize added by the issuer later.
fn active_panamanian_alert() -> Alert {
    activated(
        lajas_blancas(
            FlowStage::Forming,
            2300,
            place("PA-ERM-LB"),
            "ERM Lajas Blancas, Darién",
        ),
        42,
    )
}

fn activated(content: AlertContent, id: i64) -> Alert {
    let mut alert = Alert::draft(
        country("PAN"),
        content,
        "focal@PAN",
        at("2023-08-14T08:00:00-05:00"),
    )
    .expect("a valid draft")
    .with_id(AlertId(id));
    let ahead = recipients_ahead(
        &northbound(),
        country("PAN"),
        Direction::Northbound,
        day("2023-08-14"),
    )
    .expect("Panama is on the northbound corridor");
    for recipient in ahead {
        alert = alert
            .add_recipient(recipient, at("2023-08-14T08:05:00-05:00"))
            .expect("a new recipient");
    }
    let alert = alert
        .set_arrival_window(
            country("CRI"),
            ArrivalWindow::forecast(day("2023-08-16"), day("2023-08-19")).expect("a window"),
        )
        .expect("Costa Rica is a recipient")
        .activate("focal@PAN", at("2023-08-14T09:30:00-05:00"))
        .expect("activates");
    alert
        .add_recipient(
            Recipient {
                country: country("BLZ"),
                arrival: None,
                added_by_issuer: true,
                addressed_at: None,
            },
            at("2023-08-15T07:00:00-05:00"),
        )
        .expect("Belize is added")
}

/// The alert updated twice (at the border with a new composition and a circle; then a
/// polygon) and closed.
fn closed_panamanian_alert() -> Alert {
    let at_border = lajas_blancas(
        FlowStage::AtBorder,
        3100,
        Area::Circle {
            centre: Point {
                latitude: 8.5289,
                longitude: -82.8347,
            },
            radius_km: 12.5,
        },
        "Paso Canoas, frontera con Costa Rica",
    );
    let mut dispersed = lajas_blancas(
        FlowStage::Dispersed,
        900,
        Area::Polygon {
            points: vec![
                Point {
                    latitude: 8.66,
                    longitude: -77.98,
                },
                Point {
                    latitude: 8.66,
                    longitude: -77.6,
                },
                Point {
                    latitude: 8.3,
                    longitude: -77.6,
                },
                Point {
                    latitude: 8.3,
                    longitude: -77.98,
                },
            ],
        },
        "Bajo Chiquito y Lajas Blancas",
    );
    dispersed.needs = Needs::default();
    active_panamanian_alert()
        .update(
            at_border,
            "El flujo llegó a Paso Canoas; 800 personas más. / The flow reached Paso Canoas.",
            "focal@PAN",
            at("2023-08-16T18:00:00+00:00"),
        )
        .expect("updates")
        .update(
            dispersed,
            "Quedan 900 personas en la estación.",
            "focal@PAN",
            at("2023-08-18T10:00:00-05:00"),
        )
        .expect("updates again")
        .close("focal@PAN", at("2023-08-20T10:00:00-05:00"))
        .expect("closes")
}

fn cancelled_panamanian_alert() -> Alert {
    active_panamanian_alert()
        .cancel(
            "Emitida por error: el conteo era de otra semana.",
            "focal@PAN",
            // A clock's time, with a fraction of a second CAP cannot carry.
            at("2023-08-14T11:00:00.750-05:00"),
        )
        .expect("cancels")
}

fn written(message: &CapAlert) -> String {
    write_cap(message).unwrap_or_else(|error| panic!("{} writes: {error}", message.identifier))
}

#[test]
fn every_message_of_an_updated_closed_or_cancelled_alert_is_valid_cap_referencing_the_earlier_ones()
{
    let closed = with_context(|ctx| alert_to_cap(&closed_panamanian_alert(), ctx))
        .expect("the closed alert has messages");
    let cancelled = with_context(|ctx| alert_to_cap(&cancelled_panamanian_alert(), ctx))
        .expect("the cancelled alert has messages");

    let kinds: Vec<(&str, CapMsgType)> = closed
        .iter()
        .map(|m| (m.identifier.as_str(), m.msg_type))
        .collect();
    assert_eq!(
        kinds,
        [
            ("corredor-PAN-42-v1", CapMsgType::Alert),
            ("corredor-PAN-42-v2", CapMsgType::Update),
            ("corredor-PAN-42-v3", CapMsgType::Update),
            ("corredor-PAN-42-closed", CapMsgType::Update),
        ]
    );
    let cancel = cancelled.last().expect("a cancel message");
    assert_eq!(cancelled.len(), 2);
    assert_eq!(cancel.msg_type, CapMsgType::Cancel);
    assert_eq!(cancel.sent, at("2023-08-14T11:00:00-05:00"));
    assert_eq!(
        cancel.note.as_deref(),
        Some("Emitida por error: el conteo era de otra semana.")
    );

    for messages in [&closed, &cancelled] {
        for (index, message) in messages.iter().enumerate() {
            let earlier: Vec<(&str, &str, DateTime<FixedOffset>)> = messages[..index]
                .iter()
                .map(|m| (m.sender.as_str(), m.identifier.as_str(), m.sent))
                .collect();
            let references: Vec<(&str, &str, DateTime<FixedOffset>)> = message
                .references
                .iter()
                .map(|r| (r.sender.as_str(), r.identifier.as_str(), r.sent))
                .collect();
            assert_eq!(references, earlier, "{}", message.identifier);
            let xml = written(message);
            for time in xml
                .split("<sent>")
                .skip(1)
                .chain(xml.split("<references>").skip(1))
            {
                let text = time.split('<').next().unwrap_or_default();
                assert!(
                    !text.contains('Z') && (text.contains("-05:00") || text.contains("+00:00")),
                    "times carry offsets, never Z: {text}"
                );
            }
            assert!(xml.contains("<language>es-419</language>"));
            assert!(xml.contains("<language>en-US</language>"));
            assert!(xml.contains("<scope>Private</scope>"));
        }
    }

    // Version 1 went to the countries ahead; Belize, added later, gets what follows.
    assert_eq!(
        closed[0].addresses.as_deref(),
        Some("CRI NIC HND GTM MEX USA")
    );
    assert_eq!(
        closed[1].addresses.as_deref(),
        Some("CRI NIC HND GTM MEX USA BLZ")
    );
    let v1 = written(&closed[0]);
    assert!(v1.contains("<sent>2023-08-14T09:30:00-05:00</sent>"));
    assert!(v1.contains(&format!("<circle>8.29,-77.81 {PLACE_RADIUS_KM}</circle>")));
    assert_eq!(
        closed[0].infos[1].areas[0].geocodes,
        [(PLACE_GEOCODE.to_owned(), "PA-ERM-LB".to_owned())]
    );
    assert!(v1.contains("<valueName>corredor:place</valueName>"));
    assert!(v1.contains("<value>PA-ERM-LB</value>"));
    assert!(v1.contains("<value>VEN:1380 HTI:230 ECU:230</value>"));
    assert!(v1.contains("<value>CRI 2023-08-16 2023-08-19 forecast</value>"));
    let v2 = written(&closed[1]);
    assert!(v2.contains("<sent>2023-08-16T18:00:00+00:00</sent>"));
    assert!(v2.contains("<circle>8.5289,-82.8347 12.5</circle>"));
    assert!(v2.contains("<urgency>Immediate</urgency>"));
    let v3 = written(&closed[2]);
    assert!(
        v3.contains("<polygon>8.66,-77.98 8.66,-77.6 8.3,-77.6 8.3,-77.98 8.66,-77.98</polygon>")
    );
    let last = &closed[3];
    assert!(last
        .infos
        .iter()
        .all(|info| info.response_types == [CapResponseType::AllClear]
            && info.urgency == CapUrgency::Past));

    if !xmllint_available() {
        return;
    }
    for message in closed.iter().chain(&cancelled) {
        let xml = written(message);
        schema_check(&xml).unwrap_or_else(|complaint| {
            panic!(
                "{} is not valid CAP 1.2:\n{complaint}\n{xml}",
                message.identifier
            )
        });
    }
}

#[test]
fn every_message_reads_back_to_the_same_content_recipients_country_and_version() {
    let alert = closed_panamanian_alert();
    let messages = with_context(|ctx| alert_to_cap(&alert, ctx)).expect("messages");
    let versions = alert.versions();
    for (index, message) in messages.iter().enumerate() {
        let xml = written(message);
        let read = read_cap(xml.as_bytes(), &message.identifier).expect("reads back");
        assert_eq!(&read, message, "{} changed in XML", message.identifier);
        let imported = cap_to_alert(&read, None).expect("corredor's own message imports");
        let version = &versions[index.min(versions.len() - 1)];
        assert_eq!(imported.content, version.content, "{}", message.identifier);
        assert_eq!(imported.issuing_country, country("PAN"));
        assert_eq!(imported.what_changed, version.what_changed);
        assert_eq!(imported.corredor_ref, Some((42, version.number)));
        assert_eq!(imported.identifier, message.identifier);
        assert_eq!(imported.sent, message.sent);
        assert_eq!(imported.references, message.references);
        assert_eq!(imported.all_clear, index == messages.len() - 1);
        let addressed: Vec<CountryCode> = alert
            .recipients()
            .iter()
            .filter(|r| index > 0 || r.country != country("BLZ"))
            .map(|r| r.country)
            .collect();
        assert_eq!(imported.recipients, addressed, "{}", message.identifier);
        let windows: Vec<(CountryCode, ArrivalWindow)> = alert
            .recipients()
            .iter()
            .filter_map(|r| r.arrival.map(|window| (r.country, window)))
            .collect();
        assert_eq!(imported.arrival_windows, windows);
        assert!(
            imported.assumed.is_empty(),
            "corredor's own message needs no assumption: {:?}",
            imported.assumed
        );
    }
    let cancelled = cancelled_panamanian_alert();
    let cancel = with_context(|ctx| latest_cap(&cancelled, ctx)).expect("the cancel message");
    let imported = cap_to_alert(&cancel, None).expect("imports");
    assert_eq!(imported.msg_type, CapMsgType::Cancel);
    assert_eq!(imported.note, cancel.note);
    assert_eq!(imported.content, cancelled.latest().content);
}

#[test]
fn a_draft_or_an_alert_without_an_id_has_no_message_and_says_why() {
    let draft = Alert::draft(
        country("PAN"),
        lajas_blancas(FlowStage::Forming, 100, place("PA-BCH"), "Bajo Chiquito"),
        "focal@PAN",
        at("2023-08-14T08:00:00-05:00"),
    )
    .expect("a draft");
    assert_eq!(
        with_context(|ctx| alert_to_cap(&draft, ctx)),
        Err(CapMappingError::MissingId)
    );
    let draft = draft.with_id(AlertId(7));
    let refused = with_context(|ctx| latest_cap(&draft, ctx)).expect_err("a draft was not sent");
    assert_eq!(
        refused,
        CapMappingError::NeverSent {
            state: AlertState::Draft
        }
    );
    assert!(refused.to_string().contains("never sent"), "{refused}");
    let withdrawn = draft
        .cancel("duplicada", "focal@PAN", at("2023-08-14T08:30:00-05:00"))
        .expect("a draft may be cancelled");
    assert!(matches!(
        with_context(|ctx| alert_to_cap(&withdrawn, ctx)),
        Err(CapMappingError::NeverSent {
            state: AlertState::Cancelled
        })
    ));
    let places = places();
    let lookup = |code: &PlaceCode| places.get(code).cloned();
    let bad_sender = CapContext {
        sender: "punto focal".to_owned(),
        places: &lookup,
        web: None,
    };
    let refused = alert_to_cap(&active_panamanian_alert(), &bad_sender).expect_err("a space");
    assert!(refused.to_string().starts_with("sender:"), "{refused}");
}

/// The first info in Spanish or English, as the import reads it.
fn kept_infos(cap: &CapAlert) -> (Option<&CapInfo>, Option<&CapInfo>) {
    let language = |prefix: &str| {
        cap.infos.iter().find(|info| {
            info.language
                .split('-')
                .next()
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
        })
    };
    (language("es"), language("en"))
}

fn trimmed(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

#[test]
fn the_examples_in_shared_standards_cap_import_without_losing_any_field_that_the_alert_model_has() {
    let usa = country("USA");
    let mut imported_count = 0;
    for name in VALID_EXAMPLES {
        let cap = example(name);
        let (spanish, english) = kept_infos(&cap);
        if spanish.is_none() && english.is_none() {
            let refused = cap_to_alert(&cap, Some(usa)).expect_err("no Spanish or English");
            let languages: Vec<String> = cap.infos.iter().map(|i| i.language.clone()).collect();
            assert_eq!(
                refused,
                CapMappingError::NoSpanishOrEnglish {
                    found: languages.clone()
                }
            );
            let reason = refused.to_string();
            assert!(
                reason.contains("Spanish") && reason.contains("English"),
                "{reason}"
            );
            for language in &languages {
                assert!(reason.contains(language.as_str()), "{reason}");
            }
            continue;
        }
        imported_count += 1;
        let imported =
            cap_to_alert(&cap, Some(usa)).unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(imported.identifier, cap.identifier, "{name}");
        assert_eq!(imported.sender, cap.sender, "{name}");
        assert_eq!(imported.sent, cap.sent, "{name}");
        assert_eq!(imported.msg_type, cap.msg_type, "{name}");
        assert_eq!(imported.references, cap.references, "{name}");
        assert_eq!(imported.note, cap.note, "{name}");
        assert_eq!(imported.issuing_country, usa, "{name}");
        assert!(
            imported
                .assumed
                .iter()
                .any(|a| a.contains("issuing country")),
            "{name}: {:?}",
            imported.assumed
        );
        let text = &imported.content.text;
        for (info, block) in [(spanish, text.spanish()), (english, text.english())] {
            let Some(info) = info else {
                assert!(block.is_none(), "{name}");
                continue;
            };
            let block = block.unwrap_or_else(|| panic!("{name}: {} kept", info.language));
            let headline = trimmed(&info.headline).unwrap_or(info.event.trim());
            if headline.chars().count() <= 160 {
                assert_eq!(block.headline, headline, "{name}");
                if let Some(description) = trimmed(&info.description) {
                    assert_eq!(block.description, description, "{name}");
                }
            } else {
                // Shortened, and kept whole at the start of the description.
                let start: String = headline.chars().take(100).collect();
                assert!(block.headline.starts_with(&start), "{name}");
                assert!(block.headline.ends_with('…'), "{name}");
                assert!(block.description.starts_with(headline), "{name}");
                if let Some(description) = trimmed(&info.description) {
                    assert!(block.description.ends_with(description), "{name}");
                }
            }
            assert_eq!(
                block.instruction.as_deref(),
                trimmed(&info.instruction),
                "{name}"
            );
        }
        let first = [spanish, english]
            .into_iter()
            .flatten()
            .min_by_key(|info| {
                cap.infos
                    .iter()
                    .position(|i| std::ptr::eq(i, *info))
                    .unwrap_or(usize::MAX)
            })
            .expect("a kept info");
        let location = &imported.content.location;
        let located: Option<&CapArea> = first
            .areas
            .iter()
            .find(|area| !area.circles.is_empty() || !area.polygons.is_empty());
        match (located, location.area()) {
            (Some(area), Area::Circle { centre, radius_km }) => {
                let circle: &CapCircle = &area.circles[0];
                assert_eq!(
                    (centre.latitude, centre.longitude),
                    (circle.center.lat, circle.center.lon),
                    "{name}"
                );
                let expected = if circle.radius_km == 0.0 {
                    SHORTEST_RADIUS_KM
                } else {
                    circle.radius_km
                };
                assert_eq!(*radius_km, expected, "{name}");
                assert_eq!(location.description(), area.area_desc.trim(), "{name}");
            }
            (Some(area), Area::Polygon { points }) => {
                assert!(area.circles.is_empty(), "{name}: the circle comes first");
                let expected: Vec<(f64, f64)> =
                    area.polygons[0].iter().map(|p| (p.lat, p.lon)).collect();
                let got: Vec<(f64, f64)> =
                    points.iter().map(|p| (p.latitude, p.longitude)).collect();
                assert_eq!(got, expected, "{name}");
                assert_eq!(location.description(), area.area_desc.trim(), "{name}");
            }
            (None, Area::Place { place }) => {
                assert_eq!(place.as_str(), "USA", "{name}");
                if let Some(area) = first.areas.first() {
                    assert_eq!(location.description(), area.area_desc.trim(), "{name}");
                }
                assert!(
                    imported.assumed.iter().any(|a| a.contains("whole of USA")),
                    "{name}: {:?}",
                    imported.assumed
                );
            }
            (area, kept) => panic!("{name}: {area:?} became {kept:?}"),
        }
        // No example says how many people: the import says so rather than invent silently.
        assert_eq!(imported.content.composition.estimated_people(), 1, "{name}");
        assert!(
            imported
                .assumed
                .iter()
                .any(|a| a.contains("number of people is unknown")),
            "{name}"
        );
    }
    assert_eq!(imported_count, VALID_EXAMPLES.len() - 1);

    // The Amber alert keeps both languages; Canada's French info is left out and said so.
    let amber = cap_to_alert(&example("v1dot2_appendix_adot4.xml"), Some(usa)).expect("imports");
    assert!(amber.content.text.spanish().is_some() && amber.content.text.english().is_some());
    let canada = cap_to_alert(&example("canada.cap"), Some(country("CAN"))).expect("imports");
    assert!(canada.content.text.spanish().is_none());
    assert!(
        canada
            .assumed
            .iter()
            .any(|a| a.contains("fr-CA is not kept")),
        "{:?}",
        canada.assumed
    );
    // Only French: refused, naming the language found.
    let mut french = example("canada.cap");
    french.infos.retain(|info| info.language == "fr-CA");
    let refused = cap_to_alert(&french, Some(country("CAN"))).expect_err("no es or en");
    assert!(refused.to_string().contains("only fr-CA"), "{refused}");
    // Without a default country, a message that does not name its issuer is refused.
    let refused = cap_to_alert(&example("thunderstorm.cap"), None).expect_err("no country");
    assert!(
        refused.to_string().contains("parameter[issuing_country]"),
        "{refused}"
    );
}

#[test]
fn a_message_with_bad_parameters_is_refused_naming_each_parameter_and_why() {
    let mut message =
        with_context(|ctx| latest_cap(&active_panamanian_alert(), ctx)).expect("a message");
    for (name, value) in [
        ("estimated_people", "many"),
        ("stage", "sailing"),
        ("nationalities", "XX:3"),
    ] {
        let parameter = message.infos[0]
            .parameters
            .iter_mut()
            .find(|(n, _)| n == name)
            .expect("corredor writes the parameter");
        parameter.1 = value.to_owned();
    }
    let refused = cap_to_alert(&message, None).expect_err("bad parameters");
    let CapMappingError::Invalid { problems } = &refused else {
        panic!("refused for bad parameters, not {refused}");
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "alert/info[1]/parameter[stage]",
            "alert/info[1]/parameter[estimated_people]",
            "alert/info[1]/parameter[nationalities]",
        ]
    );
    let reason = refused.to_string();
    assert!(
        reason.contains("'many' is not a number of people"),
        "{reason}"
    );
    assert!(reason.contains("`sailing` is not a flow stage"), "{reason}");
    assert!(
        reason.contains("`XX` is not a nationality code"),
        "{reason}"
    );

    // A composition that does not add up is refused with the model's reason.
    let mut message = message.clone();
    message.infos[0].parameters = vec![
        ("issuing_country".to_owned(), "PAN".to_owned()),
        ("estimated_people".to_owned(), "100".to_owned()),
        ("children".to_owned(), "150".to_owned()),
        ("unknown_to_corredor".to_owned(), "ignored".to_owned()),
    ];
    let refused = cap_to_alert(&message, None).expect_err("more children than people");
    assert!(
        refused
            .to_string()
            .contains("children (150) is more than the estimated people (100)"),
        "{refused}"
    );

    // Two issuing countries: refused even with a default country, which applies only when the
    // message says nothing.
    message.infos[0].parameters[1] = ("issuing_country".to_owned(), "CRI".to_owned());
    let refused = cap_to_alert(&message, Some(country("PAN"))).expect_err("two issuers");
    assert!(
        refused.to_string().contains(
            "alert/info[1]/parameter[issuing_country]: is given 2 times with different values (PAN | CRI)"
        ),
        "{refused}"
    );
}

#[test]
fn a_partners_message_without_parameters_lists_every_assumption_for_the_focal_point() {
    let message = CapAlert {
        identifier: "CR-DGME-2023-0815".to_owned(),
        sender: "alertas@migracion.go.cr".to_owned(),
        sent: at("2023-08-15T06:00:00-06:00"),
        status: corredor_exchange::cap::CapStatus::Actual,
        msg_type: CapMsgType::Alert,
        source: None,
        scope: CapScope::Private,
        restriction: None,
        addresses: Some("NIC HND cri focal@nicaragua".to_owned()),
        code: Vec::new(),
        note: None,
        references: Vec::new(),
        incidents: None,
        infos: vec![CapInfo {
            language: "es-CR".to_owned(),
            categories: vec![corredor_exchange::cap::CapCategory::Safety],
            event: "Flujo migratorio".to_owned(),
            response_types: Vec::new(),
            urgency: CapUrgency::Expected,
            severity: corredor_exchange::cap::CapSeverity::Moderate,
            certainty: corredor_exchange::cap::CapCertainty::Likely,
            audience: None,
            event_codes: Vec::new(),
            effective: None,
            onset: None,
            expires: None,
            sender_name: None,
            headline: None,
            description: Some("Unas 1.500 personas salen de Paso Canoas.".to_owned()),
            instruction: None,
            web: None,
            contact: None,
            parameters: vec![("women".to_owned(), "400".to_owned())],
            resources: Vec::new(),
            areas: vec![CapArea {
                area_desc: "Paso Canoas".to_owned(),
                polygons: Vec::new(),
                circles: vec![CapCircle {
                    center: CapPoint {
                        lat: 8.5289,
                        lon: -82.8347,
                    },
                    radius_km: 0.0,
                }],
                geocodes: Vec::new(),
                altitude: None,
                ceiling: None,
            }],
        }],
    };
    let imported = cap_to_alert(&message, Some(country("CRI"))).expect("imports");
    assert_eq!(imported.recipients, [country("NIC"), country("HND")]);
    assert_eq!(imported.content.stage, FlowStage::InTransit);
    assert_eq!(imported.content.route.corridor.as_str(), "northbound");
    assert_eq!(imported.content.composition.estimated_people(), 400);
    assert_eq!(imported.content.composition.parts().women, Some(400));
    let spanish = imported.content.text.spanish().expect("Spanish kept");
    assert_eq!(spanish.headline, "Flujo migratorio");
    assert_eq!(
        imported.content.location.area(),
        &Area::Circle {
            centre: Point {
                latitude: 8.5289,
                longitude: -82.8347
            },
            radius_km: SHORTEST_RADIUS_KM
        }
    );
    assert_eq!(imported.corredor_ref, None);
    let assumed = imported.assumed.join("\n");
    for expected in [
        "'cri' is not an ISO 3166-1 alpha-3",
        "'focal@nicaragua'",
        "issuing country is CRI",
        "stage is in_transit",
        "corridor is northbound",
        "direction is northbound",
        "number of people is unknown",
        "recorded as 400",
        "no headline",
        "widened to 0.1 km",
    ] {
        assert!(assumed.contains(expected), "{expected} in:\n{assumed}");
    }
    // A place geocode becomes the place, whatever else the area says.
    let mut placed = message;
    placed.infos[0].areas[0]
        .geocodes
        .push((PLACE_GEOCODE.to_owned(), "PA-CR-PC".to_owned()));
    let imported = cap_to_alert(&placed, Some(country("CRI"))).expect("imports");
    assert_eq!(imported.content.location.area(), &place("PA-CR-PC"));
}

fn arbitrary_info() -> impl Strategy<Value = CapInfo> {
    let language = prop::sample::select(vec!["es-419", "en-US", "fr-CA", "es", "EN-gb", "pt"]);
    let parameter_name = prop::sample::select(vec![
        "issuing_country",
        "stage",
        "corridor",
        "direction",
        "estimated_people",
        "women",
        "children",
        "unaccompanied_children",
        "pregnant_women",
        "nationalities",
        "needs",
        "needs_note",
        "what_changed",
        "alert_id",
        "alert_version",
        "arrival_window",
        "SAME",
    ]);
    let parameter_value = prop::sample::select(vec![
        "PAN",
        "XXX",
        "forming",
        "northbound",
        "Northbound",
        "12",
        "0",
        "4294967296",
        "-3",
        "VEN:10 HTI:5",
        "VEN:10 VEN:5",
        "XX:3",
        "health_care food",
        "",
        " ",
        "CRI 2023-08-16 2023-08-19 forecast",
        "CRI 2023-08-19 2023-08-16 forecast",
        "x",
    ]);
    let text = prop::option::of(prop::sample::select(vec![
        "".to_owned(),
        "  ".to_owned(),
        "Flujo".to_owned(),
        "h".repeat(200),
        "d".repeat(4100),
    ]));
    let point = (-100.0f64..100.0, -200.0f64..200.0).prop_map(|(lat, lon)| CapPoint { lat, lon });
    let circle = (point.clone(), -5.0f64..2000.0)
        .prop_map(|(center, radius_km)| CapCircle { center, radius_km });
    let area = (
        prop::sample::select(vec!["", " ", "Darién", "x"]),
        prop::collection::vec(prop::collection::vec(point, 0..6), 0..2),
        prop::collection::vec(circle, 0..2),
        prop::option::of(prop::sample::select(vec!["PA-ERM-LB", "pa", "SAME 1"])),
    )
        .prop_map(|(desc, polygons, circles, place)| CapArea {
            area_desc: desc.to_owned(),
            polygons,
            circles,
            geocodes: place
                .map(|code| vec![(PLACE_GEOCODE.to_owned(), code.to_owned())])
                .unwrap_or_default(),
            altitude: None,
            ceiling: None,
        });
    (
        language,
        prop::collection::vec((parameter_name, parameter_value), 0..10),
        text.clone(),
        text.clone(),
        text,
        prop::collection::vec(area, 0..3),
    )
        .prop_map(
            |(language, parameters, headline, description, instruction, areas)| CapInfo {
                language: language.to_owned(),
                categories: vec![corredor_exchange::cap::CapCategory::Safety],
                event: "Flujo".to_owned(),
                response_types: Vec::new(),
                urgency: CapUrgency::Unknown,
                severity: corredor_exchange::cap::CapSeverity::Unknown,
                certainty: corredor_exchange::cap::CapCertainty::Unknown,
                audience: None,
                event_codes: Vec::new(),
                effective: None,
                onset: None,
                expires: None,
                sender_name: None,
                headline,
                description,
                instruction,
                web: None,
                contact: None,
                parameters: parameters
                    .into_iter()
                    .map(|(n, v)| (n.to_owned(), v.to_owned()))
                    .collect(),
                resources: Vec::new(),
                areas,
            },
        )
}

proptest! {
    #[test]
    fn importing_any_cap_message_never_panics_and_anything_imported_is_a_valid_alert(
        infos in prop::collection::vec(arbitrary_info(), 0..3),
        addresses in prop::option::of(prop::sample::select(vec!["PAN CRI", "cri x@y", "", "USA USA"])),
        default_country in prop::option::of(prop::sample::select(vec!["PAN", "USA"])),
    ) {
        let message = CapAlert {
            identifier: "x".to_owned(),
            sender: "y".to_owned(),
            sent: at("2023-08-15T06:00:00-06:00"),
            status: corredor_exchange::cap::CapStatus::Actual,
            msg_type: CapMsgType::Alert,
            source: None,
            scope: CapScope::Public,
            restriction: None,
            addresses: addresses.map(str::to_owned),
            code: Vec::new(),
            note: None,
            references: Vec::new(),
            incidents: None,
            infos,
        };
        let default_country = default_country.map(country);
        match cap_to_alert(&message, default_country) {
            Ok(imported) => {
                // What comes out holds every invariant of the alert model again.
                let json = serde_json::to_value(&imported.content).expect("serialises");
                let again: AlertContent = serde_json::from_value(json).expect("valid content");
                prop_assert_eq!(&again, &imported.content);
                prop_assert!(!imported.recipients.contains(&imported.issuing_country));
            }
            Err(error) => prop_assert!(!error.to_string().is_empty()),
        }
    }
}

/// Words with what XML and CAP make hard: markup, accents, tabs, carriage returns, newlines.
fn words(max: usize) -> impl Strategy<Value = String> {
    prop::string::string_regex(&format!("[a-zA-Z0-9 áñÉ&<>\"',.:;/\\t\\r\\n]{{1,{max}}}"))
        .expect("a valid pattern")
        .prop_filter("not blank", |text| !text.trim().is_empty())
}

fn block() -> impl Strategy<Value = TextBlock> {
    (words(60), words(200), prop::option::of(words(100))).prop_map(
        |(headline, description, instruction)| TextBlock {
            headline: headline.trim().to_owned(),
            description: description.trim().to_owned(),
            instruction: instruction.map(|text| text.trim().to_owned()),
        },
    )
}

fn point() -> impl Strategy<Value = Point> {
    (-90.0f64..=90.0, -180.0f64..=180.0).prop_map(|(latitude, longitude)| Point {
        latitude,
        longitude,
    })
}

fn arbitrary_content() -> impl Strategy<Value = AlertContent> {
    let area = prop_oneof![
        prop::sample::select(vec!["CO-NEC", "PA-ERM-LB", "XX-NOT-KNOWN"]).prop_map(place),
        (point(), 0.001f64..1000.0)
            .prop_map(|(centre, radius_km)| Area::Circle { centre, radius_km }),
        prop::collection::vec(point(), 3..8).prop_map(|points| Area::Polygon { points }),
    ];
    let counts = (
        1u32..100_000,
        prop::collection::vec(prop::option::of(0u32..=100), 6),
    );
    let nationalities =
        prop::sample::subsequence(vec!["VEN", "HTI", "ECU", "CUB", "UNK", "XXA"], 0..4);
    let needs = prop::sample::subsequence(RequiredAction::ALL.to_vec(), 0..4);
    (
        counts,
        nationalities,
        (area, words(80)),
        prop::sample::select(FlowStage::ALL.to_vec()),
        prop::sample::select(Direction::ALL.to_vec()),
        (needs, prop::option::of(words(100))),
        (prop::option::of(block()), prop::option::of(block())),
    )
        .prop_filter_map(
            "a valid content",
            |(
                (total, shares),
                codes,
                (area, description),
                stage,
                direction,
                (actions, note),
                (spanish, english),
            )| {
                // Parts are percentages of the total, so most compositions are consistent.
                let part = |i: usize| shares[i].map(|share| total / 100 * share);
                let composition = FlowComposition::new(FlowCompositionParts {
                    estimated_people: total,
                    women: part(0),
                    children: part(1),
                    unaccompanied_children: part(2),
                    pregnant_women: part(3),
                    people_with_disabilities: part(4),
                    older_people: part(5),
                    nationalities: codes
                        .iter()
                        .map(|code| nationality(code, total / 10))
                        .collect(),
                })
                .ok()?;
                Some(AlertContent {
                    composition,
                    location: AlertLocation::new(area, &description).ok()?,
                    route: Route {
                        corridor: CorridorCode::parse("northbound").ok()?,
                        direction,
                    },
                    stage,
                    needs: Needs {
                        actions: actions.into_iter().collect(),
                        note,
                    },
                    text: AlertText::new(spanish, english).ok()?,
                })
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_alert_written_as_cap_and_read_back_has_the_same_content(
        first in arbitrary_content(),
        second in arbitrary_content(),
        id in 1i64..1_000_000,
    ) {
        let alert = activated(first, id)
            .update(second, "cambio", "focal@PAN", at("2023-08-15T09:30:00-05:00"))
            .expect("an update of an active alert");
        let messages = with_context(|ctx| alert_to_cap(&alert, ctx)).expect("messages");
        prop_assert_eq!(messages.len(), 2);
        for (message, version) in messages.iter().zip(alert.versions()) {
            let xml = write_cap(message).expect("writes");
            let read = read_cap(xml.as_bytes(), "generated").expect("reads back");
            let imported = cap_to_alert(&read, None).expect("imports");
            prop_assert_eq!(&imported.content, &version.content);
            prop_assert_eq!(imported.corredor_ref, Some((id, version.number)));
            prop_assert!(imported.assumed.is_empty(), "{:?}", imported.assumed);
        }
    }
}
