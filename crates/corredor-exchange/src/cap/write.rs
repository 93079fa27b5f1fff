//! Writes a [`CapAlert`] as CAP 1.2 XML, elements in the order of the schema.

use std::fmt::Write as _;

use super::rules::{check_alert, format_time};
use super::{CapAlert, CapArea, CapError, CapInfo, CapResource, CAP_1_2_NAMESPACE};

/// Writes the alert as a CAP 1.2 document (UTF-8, namespace `urn:oasis:names:tc:emergency:cap:1.2`).
///
/// Every rule of the specification is checked first; the first one broken is returned with the
/// element path at fault, and nothing is written. Times are written with their offset, a UTC
/// time as `+00:00`, never `Z`.
pub fn write_cap(alert: &CapAlert) -> Result<String, CapError> {
    if let Some((field, reason)) = check_alert(alert).into_iter().next() {
        return Err(CapError::Invalid { field, reason });
    }
    let mut out = Xml::default();
    out.text
        .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out.text, "<alert xmlns=\"{CAP_1_2_NAMESPACE}\">");
    out.depth = 1;
    out.leaf("identifier", &alert.identifier);
    out.leaf("sender", &alert.sender);
    out.time("sent", &alert.sent)?;
    out.leaf("status", alert.status.as_str());
    out.leaf("msgType", alert.msg_type.as_str());
    out.optional("source", alert.source.as_deref());
    out.leaf("scope", alert.scope.as_str());
    out.optional("restriction", alert.restriction.as_deref());
    out.optional("addresses", alert.addresses.as_deref());
    for code in &alert.code {
        out.leaf("code", code);
    }
    out.optional("note", alert.note.as_deref());
    if !alert.references.is_empty() {
        let mut triples = Vec::with_capacity(alert.references.len());
        for reference in &alert.references {
            let sent = format_time(&reference.sent).map_err(|reason| CapError::Invalid {
                field: "alert/references".to_owned(),
                reason,
            })?;
            triples.push(format!(
                "{},{},{}",
                reference.sender, reference.identifier, sent
            ));
        }
        out.leaf("references", &triples.join(" "));
    }
    out.optional("incidents", alert.incidents.as_deref());
    for info in &alert.infos {
        write_info(&mut out, info)?;
    }
    out.text.push_str("</alert>\n");
    Ok(out.text)
}

fn write_info(out: &mut Xml, info: &CapInfo) -> Result<(), CapError> {
    out.open("info");
    out.leaf("language", &info.language);
    for category in &info.categories {
        out.leaf("category", category.as_str());
    }
    out.leaf("event", &info.event);
    for response_type in &info.response_types {
        out.leaf("responseType", response_type.as_str());
    }
    out.leaf("urgency", info.urgency.as_str());
    out.leaf("severity", info.severity.as_str());
    out.leaf("certainty", info.certainty.as_str());
    out.optional("audience", info.audience.as_deref());
    for (value_name, value) in &info.event_codes {
        out.pair("eventCode", value_name, value);
    }
    for (name, time) in [
        ("effective", &info.effective),
        ("onset", &info.onset),
        ("expires", &info.expires),
    ] {
        if let Some(time) = time {
            out.time(name, time)?;
        }
    }
    out.optional("senderName", info.sender_name.as_deref());
    out.optional("headline", info.headline.as_deref());
    out.optional("description", info.description.as_deref());
    out.optional("instruction", info.instruction.as_deref());
    out.optional("web", info.web.as_deref());
    out.optional("contact", info.contact.as_deref());
    for (value_name, value) in &info.parameters {
        out.pair("parameter", value_name, value);
    }
    for resource in &info.resources {
        write_resource(out, resource);
    }
    for area in &info.areas {
        write_area(out, area);
    }
    out.close("info");
    Ok(())
}

fn write_resource(out: &mut Xml, resource: &CapResource) {
    out.open("resource");
    out.leaf("resourceDesc", &resource.resource_desc);
    out.leaf("mimeType", &resource.mime_type);
    if let Some(size) = resource.size {
        out.leaf("size", &size.to_string());
    }
    out.optional("uri", resource.uri.as_deref());
    out.optional("derefUri", resource.deref_uri.as_deref());
    out.optional("digest", resource.digest.as_deref());
    out.close("resource");
}

fn write_area(out: &mut Xml, area: &CapArea) {
    out.open("area");
    out.leaf("areaDesc", &area.area_desc);
    for polygon in &area.polygons {
        let points: Vec<String> = polygon
            .iter()
            .map(|p| format!("{},{}", p.lat, p.lon))
            .collect();
        out.leaf("polygon", &points.join(" "));
    }
    for circle in &area.circles {
        // Rust's shortest round-trip formatting of f64 never uses an exponent, so the number
        // reads back exactly and stays a valid decimal.
        let text = format!(
            "{},{} {}",
            circle.center.lat, circle.center.lon, circle.radius_km
        );
        out.leaf("circle", &text);
    }
    for (value_name, value) in &area.geocodes {
        out.pair("geocode", value_name, value);
    }
    if let Some(altitude) = area.altitude {
        out.leaf("altitude", &altitude.to_string());
    }
    if let Some(ceiling) = area.ceiling {
        out.leaf("ceiling", &ceiling.to_string());
    }
    out.close("area");
}

/// A tiny indenting writer: CAP needs nothing more, and owning the escaping keeps `\r` and
/// quotes exact on the way back in.
#[derive(Default)]
struct Xml {
    text: String,
    depth: usize,
}

impl Xml {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.text.push_str("  ");
        }
    }

    fn open(&mut self, name: &str) {
        self.indent();
        let _ = writeln!(self.text, "<{name}>");
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth -= 1;
        self.indent();
        let _ = writeln!(self.text, "</{name}>");
    }

    fn leaf(&mut self, name: &str, value: &str) {
        self.indent();
        let _ = write!(self.text, "<{name}>");
        escape_into(&mut self.text, value);
        let _ = writeln!(self.text, "</{name}>");
    }

    fn optional(&mut self, name: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.leaf(name, value);
        }
    }

    fn pair(&mut self, name: &str, value_name: &str, value: &str) {
        self.open(name);
        self.leaf("valueName", value_name);
        self.leaf("value", value);
        self.close(name);
    }

    fn time(
        &mut self,
        name: &str,
        time: &chrono::DateTime<chrono::FixedOffset>,
    ) -> Result<(), CapError> {
        let text = format_time(time).map_err(|reason| CapError::Invalid {
            field: name.to_owned(),
            reason,
        })?;
        self.leaf(name, &text);
        Ok(())
    }
}

/// Escapes markup, and writes `\r` as a character reference because a parser would otherwise
/// turn it into `\n` (XML 1.0 end-of-line handling) and the text would not read back the same.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            other => out.push(other),
        }
    }
}
