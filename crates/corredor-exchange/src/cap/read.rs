//! Reads CAP 1.2 XML into a [`CapAlert`], refusing hostile or invalid messages with every
//! problem found.

use std::io::Read;

use chrono::{DateTime, FixedOffset};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use super::rules::{
    alert_rules, check_language, check_token, parse_circle, parse_polygon, parse_references,
    parse_time,
};
use super::{
    CapAlert, CapArea, CapCategory, CapCertainty, CapInfo, CapMsgType, CapResource,
    CapResponseType, CapScope, CapSeverity, CapStatus, CapUrgency, CAP_1_2_NAMESPACE,
};
use crate::problem::Problem;

/// The largest message read: CAP alerts are small, and a bound keeps a hostile peer from
/// making corredor hold an arbitrary document in memory.
pub const MAX_CAP_BYTES: usize = 1024 * 1024;

/// Nesting deeper than this is not CAP (which needs 5 levels, signatures a few more).
const MAX_DEPTH: usize = 32;

const CAP_1_1_NAMESPACE: &str = "urn:oasis:names:tc:emergency:cap:1.1";
const XMLDSIG_NAMESPACE: &str = "http://www.w3.org/2000/09/xmldsig#";

/// Reads one CAP 1.2 message; `source_name` names the input in every [`Problem`].
///
/// Refused, each with its element path (in `Problem::column`) and line: any DTD (`<!DOCTYPE`),
/// so no entity is ever expanded or fetched; a namespace other than CAP 1.2; unknown elements
/// and vocabulary values; times without an offset; bad coordinates; missing required elements;
/// the specification's rules on references and scope. Enveloped XML signatures are skipped.
pub fn read_cap(bytes: &[u8], source_name: &str) -> Result<CapAlert, Vec<Problem>> {
    let refuse = |reason: String| vec![Problem::new(source_name, 0, None, reason)];
    if bytes.len() > MAX_CAP_BYTES {
        return Err(refuse(format!(
            "the message is {} bytes; CAP messages over {} bytes are refused",
            bytes.len(),
            MAX_CAP_BYTES
        )));
    }
    let text = decode(bytes).map_err(refuse)?;
    let root = parse_tree(&text, source_name)?;
    let mut reader = Reader {
        file: source_name,
        problems: Vec::new(),
    };
    let alert = reader.alert(&root);
    match alert {
        Some(alert) if reader.problems.is_empty() => Ok(alert),
        _ => Err(reader.problems),
    }
}

/// Reads one CAP 1.2 message from a stream, never holding more than [`MAX_CAP_BYTES`] + 1
/// bytes of it: a peer sending an endless body is refused, not buffered.
pub fn read_cap_from(
    reader: impl std::io::Read,
    source_name: &str,
) -> Result<CapAlert, Vec<Problem>> {
    let mut bytes = Vec::new();
    let limit = u64::try_from(MAX_CAP_BYTES)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    if let Err(error) = reader.take(limit).read_to_end(&mut bytes) {
        return Err(vec![Problem::new(
            source_name,
            0,
            None,
            format!("the message could not be read: {error}"),
        )]);
    }
    read_cap(&bytes, source_name)
}

/// UTF-8 is CAP's norm; ISO-8859-1 is still met in the wild and maps byte for byte to Unicode.
fn decode(bytes: &[u8]) -> Result<String, String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_ascii_lowercase();
    let declared = head
        .strip_prefix("<?xml")
        .and_then(|decl| decl.split("?>").next())
        .and_then(|decl| decl.split("encoding").nth(1))
        .and_then(|rest| rest.split(['"', '\'']).nth(1))
        .map(str::trim)
        .map(str::to_owned);
    match declared.as_deref() {
        None | Some("utf-8") | Some("utf8") => {
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            String::from_utf8(bytes.to_vec()).map_err(|error| {
                format!(
                    "the message is not valid UTF-8 (byte {})",
                    error.utf8_error().valid_up_to()
                )
            })
        }
        Some("iso-8859-1") | Some("latin1") | Some("latin-1") => {
            Ok(bytes.iter().map(|&b| char::from(b)).collect())
        }
        Some(other) => Err(format!(
            "the encoding '{other}' is not accepted; send UTF-8"
        )),
    }
}

/// One element of the document: what the typed reading needs, nothing more.
struct Node {
    namespace: Option<String>,
    name: String,
    line: u64,
    text: String,
    children: Vec<Node>,
}

fn parse_tree(text: &str, file: &str) -> Result<Node, Vec<Problem>> {
    let mut reader = NsReader::from_str(text);
    let bytes = text.as_bytes();
    let mut lines = LineCounter::default();
    let mut stack: Vec<Node> = Vec::new();
    let refuse = |line: u64, reason: String| vec![Problem::new(file, line, None, reason)];
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader.read_resolved_event();
        let line = lines.line_at(bytes, start);
        let (namespace, event) = match event {
            Ok(resolved) => resolved,
            Err(error) => {
                let at = lines.line_at(bytes, reader.error_position() as usize);
                return Err(refuse(
                    at,
                    format!("the message is not well-formed XML: {error}"),
                ));
            }
        };
        let namespace = match namespace {
            ResolveResult::Bound(ns) => Some(String::from_utf8_lossy(ns.as_ref()).into_owned()),
            _ => None,
        };
        match event {
            Event::DocType(_) => return Err(refuse(
                line,
                "a DOCTYPE is refused: CAP needs no DTD, and refusing any means no entity is ever \
                     expanded or fetched"
                    .to_owned(),
            )),
            Event::Start(start) | Event::Empty(start) if stack.len() >= MAX_DEPTH => {
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                return Err(refuse(
                    line,
                    format!("<{name}> is nested deeper than {MAX_DEPTH} levels"),
                ));
            }
            Event::Start(start) => stack.push(Node {
                namespace,
                name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
                line,
                text: String::new(),
                children: Vec::new(),
            }),
            Event::Empty(start) => {
                let node = Node {
                    namespace,
                    name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
                    line,
                    text: String::new(),
                    children: Vec::new(),
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return Ok(node),
                }
            }
            Event::End(_) => {
                let Some(node) = stack.pop() else {
                    return Err(refuse(line, "an end tag closes nothing".to_owned()));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return Ok(node),
                }
            }
            Event::Text(content) => {
                let content = content
                    .xml10_content()
                    .map_err(|error| refuse(line, format!("undecodable text: {error}")))?;
                match stack.last_mut() {
                    Some(node) => node.text.push_str(&content),
                    None if content.trim().is_empty() => {}
                    None => return Err(refuse(line, "text outside the root element".to_owned())),
                }
            }
            Event::CData(content) => {
                let content = content
                    .decode()
                    .map_err(|error| refuse(line, format!("undecodable CDATA: {error}")))?;
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&content);
                }
            }
            Event::GeneralRef(reference) => {
                let character = match reference.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    Ok(None) => match reference.as_ref() {
                        b"lt" => Some('<'),
                        b"gt" => Some('>'),
                        b"amp" => Some('&'),
                        b"apos" => Some('\''),
                        b"quot" => Some('"'),
                        _ => None,
                    },
                    Err(error) => {
                        return Err(refuse(line, format!("bad character reference: {error}")))
                    }
                };
                let Some(character) = character else {
                    let name = String::from_utf8_lossy(reference.as_ref()).into_owned();
                    return Err(refuse(
                        line,
                        format!("the entity &{name}; is refused: only XML's five predefined entities are read"),
                    ));
                };
                if let Some(node) = stack.last_mut() {
                    node.text.push(character);
                }
            }
            Event::Eof => {
                return Err(refuse(
                    line,
                    match stack.last() {
                        Some(open) => format!("the message ends inside <{}>", open.name),
                        None => "the message holds no element".to_owned(),
                    },
                ))
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
}

/// Turns byte offsets into 1-based lines without rescanning from the start each time.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    line: u64,
}

impl LineCounter {
    fn line_at(&mut self, bytes: &[u8], offset: usize) -> u64 {
        let offset = offset.min(bytes.len());
        if offset < self.offset {
            self.offset = 0;
            self.line = 0;
        }
        self.line += bytes[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.offset = offset;
        // A start offset points at the whitespace before the element; count the newlines in it.
        let ahead = bytes[offset..]
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.line + ahead + 1
    }
}

struct Reader<'f> {
    file: &'f str,
    problems: Vec<Problem>,
}

impl Reader<'_> {
    fn problem(&mut self, line: u64, path: &str, reason: impl Into<String>) {
        self.problems
            .push(Problem::new(self.file, line, Some(path), reason));
    }

    /// Refuses children the schema does not allow, or out of its order (`allowed` lists them in
    /// schema order); skips XML signatures.
    fn known_children(&mut self, node: &Node, path: &str, allowed: &[&str]) {
        let mut last: Option<usize> = None;
        for child in &node.children {
            let rank = allowed.iter().position(|name| *name == child.name);
            match child.namespace.as_deref() {
                Some(CAP_1_2_NAMESPACE) if rank.is_some() => {
                    if let (Some(rank), Some(last)) = (rank, last) {
                        if rank < last {
                            self.problem(
                                child.line,
                                &format!("{path}/{}", child.name),
                                format!(
                                    "<{}> must come before <{}>: CAP 1.2 fixes the order of elements",
                                    child.name, allowed[last]
                                ),
                            );
                        }
                    }
                    last = last.max(rank);
                }
                Some(XMLDSIG_NAMESPACE) if path == "alert" => {}
                Some(CAP_1_2_NAMESPACE) => self.problem(
                    child.line,
                    &format!("{path}/{}", child.name),
                    format!("<{}> is not allowed in <{}>", child.name, node.name),
                ),
                other => self.problem(
                    child.line,
                    &format!("{path}/{}", child.name),
                    format!(
                        "<{}> in namespace '{}' is not part of CAP 1.2",
                        child.name,
                        other.unwrap_or("(none)")
                    ),
                ),
            }
        }
    }

    fn all<'n>(node: &'n Node, name: &str) -> Vec<&'n Node> {
        node.children
            .iter()
            .filter(|c| c.name == name && c.namespace.as_deref() == Some(CAP_1_2_NAMESPACE))
            .collect()
    }

    /// The text of an element that must hold text only.
    fn text(&mut self, node: &Node, path: &str) -> Option<String> {
        if let Some(child) = node.children.first() {
            self.problem(
                child.line,
                path,
                format!("<{}> holds text only, not <{}>", node.name, child.name),
            );
            return None;
        }
        Some(node.text.clone())
    }

    fn optional_text(&mut self, parent: &Node, path: &str, name: &str) -> Option<String> {
        let found = Self::all(parent, name);
        if found.len() > 1 {
            self.problem(
                found[1].line,
                &format!("{path}/{name}"),
                format!("<{name}> appears more than once"),
            );
        }
        let node = found.first()?;
        self.text(node, &format!("{path}/{name}"))
    }

    /// Required elements are reported when missing, at the parent's line.
    fn required_text(&mut self, parent: &Node, path: &str, name: &str) -> Option<String> {
        if Self::all(parent, name).is_empty() {
            self.problem(
                parent.line,
                &format!("{path}/{name}"),
                format!("the required element <{name}> is missing"),
            );
            return None;
        }
        self.optional_text(parent, path, name)
    }

    fn value<T>(
        &mut self,
        parent: &Node,
        path: &str,
        name: &str,
        required: bool,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let text = if required {
            self.required_text(parent, path, name)?
        } else {
            self.optional_text(parent, path, name)?
        };
        let line = Self::all(parent, name)
            .first()
            .map_or(parent.line, |n| n.line);
        match parse(text.trim()) {
            Ok(value) => Some(value),
            Err(reason) => {
                self.problem(line, &format!("{path}/{name}"), reason);
                None
            }
        }
    }

    /// Repeated elements keep their text exactly (a `<code>` is free text); vocabulary parsers
    /// trim for themselves.
    fn repeated<T>(
        &mut self,
        parent: &Node,
        path: &str,
        name: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<Vec<T>> {
        let mut values = Vec::new();
        let mut ok = true;
        for (at, node) in Self::all(parent, name).into_iter().enumerate() {
            let here = format!("{path}/{name}[{}]", at + 1);
            let Some(text) = self.text(node, &here) else {
                ok = false;
                continue;
            };
            match parse(&text) {
                Ok(value) => values.push(value),
                Err(reason) => {
                    self.problem(node.line, &here, reason);
                    ok = false;
                }
            }
        }
        ok.then_some(values)
    }

    fn pairs(&mut self, parent: &Node, path: &str, name: &str) -> Option<Vec<(String, String)>> {
        let mut values = Vec::new();
        let mut ok = true;
        for (at, node) in Self::all(parent, name).into_iter().enumerate() {
            let here = format!("{path}/{name}[{}]", at + 1);
            self.known_children(node, &here, &["valueName", "value"]);
            let value_name = self.required_text(node, &here, "valueName");
            let value = self.required_text(node, &here, "value");
            match (value_name, value) {
                (Some(value_name), Some(value)) => values.push((value_name, value)),
                _ => ok = false,
            }
        }
        ok.then_some(values)
    }

    fn alert(&mut self, root: &Node) -> Option<CapAlert> {
        let path = "alert";
        match root.namespace.as_deref() {
            Some(CAP_1_2_NAMESPACE) if root.name == "alert" => {}
            Some(CAP_1_1_NAMESPACE) => {
                self.problem(root.line, path, format!(
                    "this is a CAP 1.1 message ({CAP_1_1_NAMESPACE}); CAP 1.1 is not accepted, only CAP 1.2 ({CAP_1_2_NAMESPACE})"
                ));
                return None;
            }
            other => {
                self.problem(root.line, path, format!(
                    "the root element must be <alert> in namespace {CAP_1_2_NAMESPACE}; found <{}> in '{}'",
                    root.name,
                    other.unwrap_or("(no namespace)")
                ));
                return None;
            }
        }
        self.known_children(
            root,
            path,
            &[
                "identifier",
                "sender",
                "sent",
                "status",
                "msgType",
                "source",
                "scope",
                "restriction",
                "addresses",
                "code",
                "note",
                "references",
                "incidents",
                "info",
            ],
        );
        let identifier = self.value(root, path, "identifier", true, |t| {
            check_token(t).map(|()| t.to_owned())
        });
        let sender = self.value(root, path, "sender", true, |t| {
            check_token(t).map(|()| t.to_owned())
        });
        let sent = self.value(root, path, "sent", true, parse_time);
        let status = self.value(root, path, "status", true, CapStatus::parse);
        let msg_type = self.value(root, path, "msgType", true, CapMsgType::parse);
        let source = self.optional_text(root, path, "source");
        let scope = self.value(root, path, "scope", true, CapScope::parse);
        let restriction = self.optional_text(root, path, "restriction");
        let addresses = self.optional_text(root, path, "addresses");
        let code = self.repeated(root, path, "code", |t| Ok(t.to_owned()));
        let note = self.optional_text(root, path, "note");
        let references = self.value(root, path, "references", false, parse_references);
        let incidents = self.optional_text(root, path, "incidents");
        let mut infos = Some(Vec::new());
        for (at, node) in Self::all(root, "info").into_iter().enumerate() {
            let info = self.info(node, &format!("alert/info[{}]", at + 1));
            match (info, infos.as_mut()) {
                (Some(info), Some(list)) => list.push(info),
                _ => infos = None,
            }
        }
        if let (Some(msg_type), Some(scope)) = (msg_type, scope) {
            let count = references.as_ref().map_or(0, Vec::len);
            for (element, reason) in alert_rules(
                msg_type,
                scope,
                restriction.as_deref(),
                addresses.as_deref(),
                count,
            ) {
                self.problem(root.line, &format!("alert/{element}"), reason);
            }
        }
        Some(CapAlert {
            identifier: identifier?,
            sender: sender?,
            sent: sent?,
            status: status?,
            msg_type: msg_type?,
            source,
            scope: scope?,
            restriction,
            addresses,
            code: code?,
            note,
            references: references.unwrap_or_default(),
            incidents,
            infos: infos?,
        })
    }

    fn info(&mut self, node: &Node, path: &str) -> Option<CapInfo> {
        self.known_children(
            node,
            path,
            &[
                "language",
                "category",
                "event",
                "responseType",
                "urgency",
                "severity",
                "certainty",
                "audience",
                "eventCode",
                "effective",
                "onset",
                "expires",
                "senderName",
                "headline",
                "description",
                "instruction",
                "web",
                "contact",
                "parameter",
                "resource",
                "area",
            ],
        );
        // CAP's schema gives `language` the default en-US; the model always holds one.
        let language = self
            .value(node, path, "language", false, |t| {
                check_language(t).map(|()| t.to_owned())
            })
            .or_else(|| {
                Self::all(node, "language")
                    .is_empty()
                    .then(|| "en-US".to_owned())
            });
        if Self::all(node, "category").is_empty() {
            self.problem(
                node.line,
                &format!("{path}/category"),
                "the required element <category> is missing",
            );
        }
        let categories = self.repeated(node, path, "category", |t| CapCategory::parse(t.trim()));
        let event = self.required_text(node, path, "event");
        let response_types = self.repeated(node, path, "responseType", |t| {
            CapResponseType::parse(t.trim())
        });
        let urgency = self.value(node, path, "urgency", true, CapUrgency::parse);
        let severity = self.value(node, path, "severity", true, CapSeverity::parse);
        let certainty = self.value(node, path, "certainty", true, CapCertainty::parse);
        let audience = self.optional_text(node, path, "audience");
        let event_codes = self.pairs(node, path, "eventCode");
        let mut time = |name: &str| -> Result<Option<DateTime<FixedOffset>>, ()> {
            let present = !Self::all(node, name).is_empty();
            match self.value(node, path, name, false, parse_time) {
                Some(time) => Ok(Some(time)),
                None if present => Err(()),
                None => Ok(None),
            }
        };
        let effective = time("effective");
        let onset = time("onset");
        let expires = time("expires");
        let sender_name = self.optional_text(node, path, "senderName");
        let headline = self.optional_text(node, path, "headline");
        let description = self.optional_text(node, path, "description");
        let instruction = self.optional_text(node, path, "instruction");
        let web = self.optional_text(node, path, "web");
        let contact = self.optional_text(node, path, "contact");
        let parameters = self.pairs(node, path, "parameter");
        let mut resources = Some(Vec::new());
        for (at, child) in Self::all(node, "resource").into_iter().enumerate() {
            let resource = self.resource(child, &format!("{path}/resource[{}]", at + 1));
            match (resource, resources.as_mut()) {
                (Some(resource), Some(list)) => list.push(resource),
                _ => resources = None,
            }
        }
        let mut areas = Some(Vec::new());
        for (at, child) in Self::all(node, "area").into_iter().enumerate() {
            let area = self.area(child, &format!("{path}/area[{}]", at + 1));
            match (area, areas.as_mut()) {
                (Some(area), Some(list)) => list.push(area),
                _ => areas = None,
            }
        }
        Some(CapInfo {
            language: language?,
            categories: categories?,
            event: event?,
            response_types: response_types?,
            urgency: urgency?,
            severity: severity?,
            certainty: certainty?,
            audience,
            event_codes: event_codes?,
            effective: effective.ok()?,
            onset: onset.ok()?,
            expires: expires.ok()?,
            sender_name,
            headline,
            description,
            instruction,
            web,
            contact,
            parameters: parameters?,
            resources: resources?,
            areas: areas?,
        })
    }

    fn resource(&mut self, node: &Node, path: &str) -> Option<CapResource> {
        self.known_children(
            node,
            path,
            &[
                "resourceDesc",
                "mimeType",
                "size",
                "uri",
                "derefUri",
                "digest",
            ],
        );
        let resource_desc = self.required_text(node, path, "resourceDesc");
        let mime_type = self.required_text(node, path, "mimeType");
        let size_present = !Self::all(node, "size").is_empty();
        let size = self.value(node, path, "size", false, |t| {
            t.parse::<u64>()
                .map_err(|_| format!("size '{t}' is not a whole number of bytes"))
        });
        if size_present && size.is_none() {
            return None;
        }
        Some(CapResource {
            resource_desc: resource_desc?,
            mime_type: mime_type?,
            size,
            uri: self.optional_text(node, path, "uri"),
            deref_uri: self.optional_text(node, path, "derefUri"),
            digest: self.optional_text(node, path, "digest"),
        })
    }

    fn area(&mut self, node: &Node, path: &str) -> Option<CapArea> {
        self.known_children(
            node,
            path,
            &[
                "areaDesc", "polygon", "circle", "geocode", "altitude", "ceiling",
            ],
        );
        let area_desc = self.required_text(node, path, "areaDesc");
        let polygons = self.repeated(node, path, "polygon", |t| parse_polygon(t.trim()));
        let circles = self.repeated(node, path, "circle", |t| parse_circle(t.trim()));
        let geocodes = self.pairs(node, path, "geocode");
        let mut number = |name: &str| -> Result<Option<f64>, ()> {
            let present = !Self::all(node, name).is_empty();
            let value = self.value(node, path, name, false, |t| match t.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                _ => Err(format!("'{t}' is not a number of feet")),
            });
            match value {
                Some(v) => Ok(Some(v)),
                None if present => Err(()),
                None => Ok(None),
            }
        };
        let altitude = number("altitude");
        let ceiling = number("ceiling");
        if matches!(ceiling, Ok(Some(_))) && matches!(altitude, Ok(None)) {
            self.problem(
                node.line,
                &format!("{path}/ceiling"),
                "ceiling is only allowed together with altitude",
            );
        }
        Some(CapArea {
            area_desc: area_desc?,
            polygons: polygons?,
            circles: circles?,
            geocodes: geocodes?,
            altitude: altitude.ok()?,
            ceiling: ceiling.ok()?,
        })
    }
}
