//! The checks the reader and the writer share, so that what one refuses the other never writes.

use chrono::{DateTime, Datelike, FixedOffset, Timelike};

use super::{CapAlert, CapCircle, CapMsgType, CapPoint, CapReference, CapScope};

/// Identifiers and senders go inside `references` as `sender,identifier,sent` triples separated
/// by spaces, so the specification forbids spaces and commas in them, and `<` and `&`.
pub(super) fn check_token(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if let Some(bad) = value
        .chars()
        .find(|c| c.is_whitespace() || matches!(c, ',' | '<' | '&'))
    {
        return Err(format!(
            "'{value}' contains {bad:?}; CAP forbids spaces, commas, '<' and '&' here"
        ));
    }
    check_text(value)
}

/// CAP 1.2 restricts `xs:dateTime` to `\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-,+]\d\d:\d\d`: whole
/// seconds and an explicit offset, so `Z` and fractions are refused.
pub(super) fn parse_time(text: &str) -> Result<DateTime<FixedOffset>, String> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 25
        && bytes.iter().enumerate().all(|(at, &b)| match at {
            4 | 7 => b == b'-',
            10 => b == b'T',
            13 | 16 | 22 => b == b':',
            19 => b == b'+' || b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        let hint = if text.ends_with('Z') {
            " (CAP 1.2 forbids 'Z': write the offset, +00:00 for UTC)"
        } else {
            ""
        };
        return Err(format!(
            "'{text}' is not a CAP time like 2023-08-14T09:30:00-05:00{hint}"
        ));
    }
    DateTime::parse_from_rfc3339(text)
        .map_err(|error| format!("'{text}' is not a valid time: {error}"))
}

/// Formats a time as CAP requires; refuses what CAP cannot carry rather than losing it.
pub(super) fn format_time(time: &DateTime<FixedOffset>) -> Result<String, String> {
    if time.nanosecond() != 0 {
        return Err("CAP times carry whole seconds; this one has a fraction".to_owned());
    }
    if time.offset().local_minus_utc() % 60 != 0 {
        return Err("CAP offsets are whole minutes".to_owned());
    }
    if !(0..=9999).contains(&time.year()) {
        return Err("CAP times have four-digit years".to_owned());
    }
    Ok(time.format("%Y-%m-%dT%H:%M:%S%:z").to_string())
}

pub(super) fn check_point(point: CapPoint) -> Result<(), String> {
    if !point.lat.is_finite() || !(-90.0..=90.0).contains(&point.lat) {
        return Err(format!("latitude {} is outside -90 to 90", point.lat));
    }
    if !point.lon.is_finite() || !(-180.0..=180.0).contains(&point.lon) {
        return Err(format!("longitude {} is outside -180 to 180", point.lon));
    }
    Ok(())
}

fn parse_point(text: &str) -> Result<CapPoint, String> {
    let Some((lat, lon)) = text.split_once(',') else {
        return Err(format!("'{text}' is not a point 'lat,lon'"));
    };
    let number = |part: &str, what: &str| {
        part.trim()
            .parse::<f64>()
            .map_err(|_| format!("{what} '{part}' is not a number"))
    };
    let point = CapPoint {
        lat: number(lat, "latitude")?,
        lon: number(lon, "longitude")?,
    };
    check_point(point)?;
    Ok(point)
}

pub(super) fn check_polygon(points: &[CapPoint]) -> Result<(), String> {
    if points.len() < 4 {
        return Err(format!(
            "a polygon needs at least 4 points (the first repeated last); this one has {}",
            points.len()
        ));
    }
    for point in points {
        check_point(*point)?;
    }
    if points.first() != points.last() {
        return Err("a polygon must be closed: its first point must equal its last".to_owned());
    }
    Ok(())
}

pub(super) fn parse_polygon(text: &str) -> Result<Vec<CapPoint>, String> {
    let points = text
        .split_whitespace()
        .map(parse_point)
        .collect::<Result<Vec<_>, _>>()?;
    check_polygon(&points)?;
    Ok(points)
}

pub(super) fn check_circle(circle: CapCircle) -> Result<(), String> {
    check_point(circle.center)?;
    if !circle.radius_km.is_finite() || circle.radius_km < 0.0 {
        return Err(format!(
            "radius {} km must be a number of kilometres, zero or more",
            circle.radius_km
        ));
    }
    Ok(())
}

pub(super) fn parse_circle(text: &str) -> Result<CapCircle, String> {
    let mut parts = text.split_whitespace();
    let (Some(center), Some(radius), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("'{text}' is not a circle 'lat,lon radius_km'"));
    };
    let circle = CapCircle {
        center: parse_point(center)?,
        radius_km: radius
            .parse::<f64>()
            .map_err(|_| format!("radius '{radius}' is not a number"))?,
    };
    check_circle(circle)?;
    Ok(circle)
}

pub(super) fn parse_references(text: &str) -> Result<Vec<CapReference>, String> {
    text.split_whitespace()
        .map(|triple| {
            let parts: Vec<&str> = triple.split(',').collect();
            let [sender, identifier, sent] = parts.as_slice() else {
                return Err(format!(
                    "'{triple}' is not a reference 'sender,identifier,sent'"
                ));
            };
            check_token(sender)?;
            check_token(identifier)?;
            Ok(CapReference {
                sender: (*sender).to_owned(),
                identifier: (*identifier).to_owned(),
                sent: parse_time(sent)?,
            })
        })
        .collect()
}

/// `xs:language`: `[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*`, e.g. `es-419`.
pub(super) fn check_language(tag: &str) -> Result<(), String> {
    let mut parts = tag.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if first_ok && rest_ok {
        Ok(())
    } else {
        Err(format!(
            "'{tag}' is not a language tag like es-419 or en-US"
        ))
    }
}

/// XML 1.0 cannot carry most control characters at all, not even escaped.
pub(super) fn check_text(text: &str) -> Result<(), String> {
    match text.chars().find(|&c| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    }) {
        Some(bad) => Err(format!(
            "contains the character {bad:?}, which XML cannot carry"
        )),
        None => Ok(()),
    }
}

/// The alert-level rules of the specification that the schema does not encode, as
/// `(element, reason)` pairs.
pub(super) fn alert_rules(
    msg_type: CapMsgType,
    scope: CapScope,
    restriction: Option<&str>,
    addresses: Option<&str>,
    references: usize,
) -> Vec<(&'static str, String)> {
    let mut found = Vec::new();
    if matches!(msg_type, CapMsgType::Update | CapMsgType::Cancel) && references == 0 {
        found.push((
            "references",
            format!(
                "a {} must reference the earlier messages it replaces (sender,identifier,sent)",
                msg_type.as_str()
            ),
        ));
    }
    let blank = |value: Option<&str>| value.is_none_or(|v| v.trim().is_empty());
    if scope == CapScope::Restricted && blank(restriction) {
        found.push((
            "restriction",
            "a Restricted message must say who may see it in <restriction>".to_owned(),
        ));
    }
    if scope == CapScope::Private && blank(addresses) {
        found.push((
            "addresses",
            "a Private message must list its recipients in <addresses>".to_owned(),
        ));
    }
    found
}

/// Every rule a complete model must keep, as `(element path, reason)`; the writer refuses the
/// first, and tests use the whole list.
pub(super) fn check_alert(alert: &CapAlert) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    let mut push = |path: String, result: Result<(), String>| {
        if let Err(reason) = result {
            found.push((path, reason));
        }
    };
    push("alert/identifier".into(), check_token(&alert.identifier));
    push("alert/sender".into(), check_token(&alert.sender));
    push("alert/sent".into(), format_time(&alert.sent).map(drop));
    for (at, reference) in alert.references.iter().enumerate() {
        let path = format!("alert/references[{}]", at + 1);
        push(format!("{path}/sender"), check_token(&reference.sender));
        push(
            format!("{path}/identifier"),
            check_token(&reference.identifier),
        );
        push(
            format!("{path}/sent"),
            format_time(&reference.sent).map(drop),
        );
    }
    for (element, reason) in alert_rules(
        alert.msg_type,
        alert.scope,
        alert.restriction.as_deref(),
        alert.addresses.as_deref(),
        alert.references.len(),
    ) {
        push(format!("alert/{element}"), Err(reason));
    }
    let texts = [
        ("source", alert.source.as_deref()),
        ("restriction", alert.restriction.as_deref()),
        ("addresses", alert.addresses.as_deref()),
        ("note", alert.note.as_deref()),
        ("incidents", alert.incidents.as_deref()),
    ];
    for (name, text) in texts {
        if let Some(text) = text {
            push(format!("alert/{name}"), check_text(text));
        }
    }
    for (at, code) in alert.code.iter().enumerate() {
        push(format!("alert/code[{}]", at + 1), check_text(code));
    }
    for (at, info) in alert.infos.iter().enumerate() {
        let path = format!("alert/info[{}]", at + 1);
        push(format!("{path}/language"), check_language(&info.language));
        if info.categories.is_empty() {
            push(
                format!("{path}/category"),
                Err("at least one category is required".into()),
            );
        }
        push(format!("{path}/event"), check_text(&info.event));
        for (name, time) in [
            ("effective", &info.effective),
            ("onset", &info.onset),
            ("expires", &info.expires),
        ] {
            if let Some(time) = time {
                push(format!("{path}/{name}"), format_time(time).map(drop));
            }
        }
        let texts = [
            ("audience", info.audience.as_deref()),
            ("senderName", info.sender_name.as_deref()),
            ("headline", info.headline.as_deref()),
            ("description", info.description.as_deref()),
            ("instruction", info.instruction.as_deref()),
            ("web", info.web.as_deref()),
            ("contact", info.contact.as_deref()),
        ];
        for (name, text) in texts {
            if let Some(text) = text {
                push(format!("{path}/{name}"), check_text(text));
            }
        }
        for (list, name) in [
            (&info.event_codes, "eventCode"),
            (&info.parameters, "parameter"),
        ] {
            for (n, (value_name, value)) in list.iter().enumerate() {
                let pair = format!("{path}/{name}[{}]", n + 1);
                push(format!("{pair}/valueName"), check_text(value_name));
                push(format!("{pair}/value"), check_text(value));
            }
        }
        for (n, resource) in info.resources.iter().enumerate() {
            let base = format!("{path}/resource[{}]", n + 1);
            push(
                format!("{base}/resourceDesc"),
                check_text(&resource.resource_desc),
            );
            push(format!("{base}/mimeType"), check_text(&resource.mime_type));
            for (name, text) in [
                ("uri", &resource.uri),
                ("derefUri", &resource.deref_uri),
                ("digest", &resource.digest),
            ] {
                if let Some(text) = text {
                    push(format!("{base}/{name}"), check_text(text));
                }
            }
        }
        for (n, area) in info.areas.iter().enumerate() {
            let base = format!("{path}/area[{}]", n + 1);
            push(format!("{base}/areaDesc"), check_text(&area.area_desc));
            for (k, polygon) in area.polygons.iter().enumerate() {
                push(format!("{base}/polygon[{}]", k + 1), check_polygon(polygon));
            }
            for (k, circle) in area.circles.iter().enumerate() {
                push(format!("{base}/circle[{}]", k + 1), check_circle(*circle));
            }
            for (k, (value_name, value)) in area.geocodes.iter().enumerate() {
                let pair = format!("{base}/geocode[{}]", k + 1);
                push(format!("{pair}/valueName"), check_text(value_name));
                push(format!("{pair}/value"), check_text(value));
            }
            for (name, value) in [("altitude", area.altitude), ("ceiling", area.ceiling)] {
                if value.is_some_and(|v| !v.is_finite()) {
                    push(
                        format!("{base}/{name}"),
                        Err("must be a finite number of feet".into()),
                    );
                }
            }
            if area.ceiling.is_some() && area.altitude.is_none() {
                push(
                    format!("{base}/ceiling"),
                    Err("ceiling is only allowed together with altitude".into()),
                );
            }
        }
    }
    found
}
