//! Atom (RFC 4287) feeds of alerts: one entry per alert, linking to its latest CAP 1.2
//! message, the way alerting authorities publish CAP feeds for aggregators.
//!
//! The writer builds the XML with quick-xml's writer, so every text is escaped; it checks
//! nothing a caller could get wrong beyond what the types say, because the feed is built
//! from stored alerts, not from input.

use chrono::{DateTime, FixedOffset, SecondsFormat};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

/// The Atom namespace.
pub const ATOM_NAMESPACE: &str = "http://www.w3.org/2005/Atom";

/// The media type of a CAP message, for the entries' links.
pub const CAP_MEDIA_TYPE: &str = "application/cap+xml";

/// A feed: who publishes it and its entries, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    /// A permanent IRI for the feed, e.g. `tag:crmsv.org,2021:corredor:alerts:PAN`.
    pub id: String,
    pub title: String,
    pub author: String,
    /// The feed's own address (`rel="self"`).
    pub self_link: String,
    /// When anything in the feed last changed; the newest entry's time, or the time the
    /// feed was made when it has no entry.
    pub updated: DateTime<FixedOffset>,
    pub entries: Vec<FeedEntry>,
}

/// One alert in a feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEntry {
    pub id: String,
    pub title: String,
    pub updated: DateTime<FixedOffset>,
    pub summary: String,
    /// The page a person reads (`rel="alternate"`, `text/html`).
    pub page: String,
    /// The CAP message (`rel="alternate"`, `application/cap+xml`).
    pub cap: String,
    /// The language of title and summary (`es`, `en`).
    pub language: String,
    /// Categories, e.g. the alert's state and stage.
    pub categories: Vec<String>,
}

/// The feed as Atom XML.
pub fn write_atom(feed: &Feed) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec cannot fail; the results are ignored through `ok()` once here.
    let mut write = |event: Event| {
        let _ = writer.write_event(event);
    };
    write(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let mut root = BytesStart::new("feed");
    root.push_attribute(("xmlns", ATOM_NAMESPACE));
    write(Event::Start(root));
    text_element(&mut write, "id", &feed.id, &[]);
    text_element(&mut write, "title", &feed.title, &[]);
    text_element(&mut write, "updated", &time(feed.updated), &[]);
    write(Event::Start(BytesStart::new("author")));
    text_element(&mut write, "name", &feed.author, &[]);
    write(Event::End(BytesEnd::new("author")));
    link(&mut write, "self", "application/atom+xml", &feed.self_link);
    for entry in &feed.entries {
        write(Event::Start(BytesStart::new("entry")));
        text_element(&mut write, "id", &entry.id, &[]);
        text_element(
            &mut write,
            "title",
            &entry.title,
            &[("xml:lang", &entry.language)],
        );
        text_element(&mut write, "updated", &time(entry.updated), &[]);
        text_element(
            &mut write,
            "summary",
            &entry.summary,
            &[("xml:lang", &entry.language)],
        );
        link(&mut write, "alternate", "text/html", &entry.page);
        link(&mut write, "alternate", CAP_MEDIA_TYPE, &entry.cap);
        for category in &entry.categories {
            let mut element = BytesStart::new("category");
            element.push_attribute(("term", category.as_str()));
            write(Event::Empty(element));
        }
        write(Event::End(BytesEnd::new("entry")));
    }
    write(Event::End(BytesEnd::new("feed")));
    String::from_utf8(writer.into_inner()).unwrap_or_default()
}

fn time(at: DateTime<FixedOffset>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn text_element(
    write: &mut impl FnMut(Event),
    name: &str,
    text: &str,
    attributes: &[(&str, &str)],
) {
    let mut start = BytesStart::new(name);
    for attribute in attributes {
        start.push_attribute(*attribute);
    }
    write(Event::Start(start));
    write(Event::Text(BytesText::new(text)));
    write(Event::End(BytesEnd::new(name)));
}

fn link(write: &mut impl FnMut(Event), rel: &str, media_type: &str, href: &str) {
    let mut element = BytesStart::new("link");
    element.push_attribute(("rel", rel));
    element.push_attribute(("type", media_type));
    element.push_attribute(("href", href));
    write(Event::Empty(element));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    #[test]
    fn a_feed_names_each_alert_with_its_page_and_cap_message_and_escapes_text() {
        let feed = Feed {
            id: "tag:crmsv.org,2021:corredor:alerts".to_owned(),
            title: "corredor: alertas migratorias".to_owned(),
            author: "corredor".to_owned(),
            self_link: "https://corredor.example/api/v1/alerts/feed.atom".to_owned(),
            updated: at("2023-09-14T10:00:00-05:00"),
            entries: vec![FeedEntry {
                id: "tag:crmsv.org,2021:corredor:alert:PAN:7".to_owned(),
                title: "1.200 personas <salen> de Lajas Blancas & Metetí".to_owned(),
                updated: at("2023-09-14T10:00:00-05:00"),
                summary: "Grupo numeroso".to_owned(),
                page: "https://corredor.example/alerts/7".to_owned(),
                cap: "https://corredor.example/api/v1/alerts/7/cap".to_owned(),
                language: "es".to_owned(),
                categories: vec!["active".to_owned(), "in_transit".to_owned()],
            }],
        };
        let xml = write_atom(&feed);
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        assert!(xml.contains(r#"<feed xmlns="http://www.w3.org/2005/Atom">"#));
        assert!(xml.contains("1.200 personas &lt;salen&gt; de Lajas Blancas &amp; Metetí"));
        assert!(xml.contains(
            r#"<link rel="alternate" type="application/cap+xml" href="https://corredor.example/api/v1/alerts/7/cap"/>"#
        ));
        assert!(xml.contains("<updated>2023-09-14T10:00:00-05:00</updated>"));
        assert!(xml.contains(r#"<category term="in_transit"/>"#));
    }
}
