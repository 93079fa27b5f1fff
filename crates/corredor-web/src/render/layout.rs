//! The HTML shell every page shares, accessible tables, error pages and the stylesheet.
//!
//! Pages work without JavaScript and without web fonts, so they load over a poor
//! connection: the stylesheet (about 5 KB) is inlined in each page, which saves the round
//! trip a `<link>` would cost on a high-latency link. It is also exported as
//! [`STYLESHEET`] for a handler that prefers to serve it as a file.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::render::i18n::{Arg, Lang, Translator};

/// The pages' stylesheet (`static/corredor.css`).
pub const STYLESHEET: &str = include_str!("../../static/corredor.css");

/// The frame of a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<'a> {
    pub lang: Lang,
    /// The page's own title; the shell appends the site's name.
    pub title: &'a str,
    /// The request's path (e.g. `/`), for the language switch.
    pub path: &'a str,
    /// The request's query, without `?`; the language switch keeps its other parameters.
    pub query: Option<&'a str>,
    pub navigation: &'a [NavItem],
    /// The data sources credited in the footer.
    pub sources: &'a [SourceCredit],
    /// Who is signed in, for the header's sign-out form; `None` shows a sign-in link.
    pub account: Option<&'a AccountView>,
}

/// The signed-in person, as the header shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountView {
    pub name: String,
    /// Role and organisation, already in the reader's language.
    pub description: String,
    /// The session's form token, for the sign-out form.
    pub csrf_token: String,
}

/// A link of the main navigation.
#[derive(Debug, Clone, PartialEq)]
pub struct NavItem {
    pub href: String,
    pub label: String,
    /// The link to the page being shown (`aria-current="page"`).
    pub current: bool,
}

/// A data source credited in the footer. Only `http(s)` links are made links; anything else
/// is shown as text.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceCredit {
    pub name: String,
    pub url: Option<String>,
}

/// A table with a caption, column headers and row headers (`<th scope>`), so screen readers
/// announce each cell with its row and column.
#[derive(Debug, Clone)]
pub struct Table {
    pub caption: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// A note under the table (e.g. "events, not people"), linked to it by
    /// `aria-describedby` when `id` is set.
    pub note: Option<String>,
    /// Unique within the page, for the note's id.
    pub id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub header: String,
    /// Right-aligned, with tabular figures.
    pub numeric: bool,
}

impl Column {
    /// A column of text, left-aligned.
    pub fn text(header: impl Into<String>) -> Column {
        Column {
            header: header.into(),
            numeric: false,
        }
    }

    /// A column of numbers, right-aligned with tabular figures.
    pub fn numeric(header: impl Into<String>) -> Column {
        Column {
            header: header.into(),
            numeric: true,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Row {
    /// The row's header: the first cell, a `<th scope="row">`.
    pub header: Markup,
    /// The other cells, one per column after the first.
    pub cells: Vec<Markup>,
}

/// The kinds of error page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    BadRequest,
    Internal,
    Unavailable,
}

/// The main navigation, each link keeping the language.
pub fn navigation(translator: &Translator, lang: Lang, path: &str) -> Vec<NavItem> {
    [
        ("/", "nav-picture"),
        ("/completeness", "nav-completeness"),
        ("/forecasts", "nav-forecasts"),
        ("/signals", "nav-signals"),
        ("/alerts", "nav-alerts"),
        ("/returns", "nav-returns"),
        ("/sharing", "nav-sharing"),
        ("/api/v1/openapi.json", "nav-api"),
    ]
    .into_iter()
    .map(|(href, id)| NavItem {
        href: format!("{href}?lang={}", lang.code()),
        label: translator.get(lang, id, &[]),
        current: path == href,
    })
    .collect()
}

/// The same page in another language: the path with `lang` set in the query, the other
/// parameters kept. Anything but a plain local path becomes `/`, so the switch can never
/// point off the site (`//host`, `javascript:`).
pub fn language_href(path: &str, query: Option<&str>, lang: Lang) -> String {
    let local = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains(['\\', '\r', '\n', '"', '<', '>', ' ']);
    let path = if local { path } else { "/" };
    let mut parameters: Vec<&str> = query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty() && *p != "lang" && !p.starts_with("lang="))
        .collect();
    let lang_parameter = format!("lang={}", lang.code());
    parameters.push(&lang_parameter);
    format!("{path}?{}", parameters.join("&"))
}

/// The sign-in page's address, coming back to this page afterwards.
pub fn sign_in_href(path: &str, query: Option<&str>, lang: Lang) -> String {
    let back = language_href(path, query, lang);
    let next: String = form_urlencoded::byte_serialize(back.as_bytes()).collect();
    format!("/sign-in?lang={}&next={next}", lang.code())
}

/// A whole page: doctype, `<html lang>`, viewport, title, skip link, header with navigation
/// and language switch, `main` (given), and footer with the data attribution.
pub fn page(translator: &Translator, page: &Page<'_>, main: Markup) -> Markup {
    let lang = page.lang;
    let t = |id: &str| translator.get(lang, id, &[]);
    let site = t("site-name");
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (page.title) " · " (site) }
                style { (PreEscaped(STYLESHEET)) }
            }
            body {
                a class="skip-link" href="#main" { (t("skip-to-content")) }
                header class="site-header" {
                    div class="site-header__inner" {
                        p class="site-name" {
                            a href=(format!("/?lang={}", lang.code())) { (site) }
                            span class="site-tagline" { (t("site-tagline")) }
                        }
                        nav aria-label=(t("nav-label")) {
                            ul class="nav" {
                                @for item in page.navigation {
                                    li {
                                        a href=(item.href) aria-current=[item.current.then_some("page")] { (item.label) }
                                    }
                                }
                            }
                        }
                        div class="account" {
                            @match page.account {
                                Some(account) => {
                                    span class="account__who" { (t("account-signed-in-as")) " " strong { (account.name) } " (" (account.description) ")" }
                                    form method="post" action="/sign-out" class="account__form" {
                                        input type="hidden" name="csrf" value=(account.csrf_token);
                                        input type="hidden" name="lang" value=(lang.code());
                                        button type="submit" { (t("account-sign-out")) }
                                    }
                                }
                                None => {
                                    a href=(sign_in_href(page.path, page.query, lang)) { (t("account-sign-in")) }
                                }
                            }
                        }
                        nav class="language-switch" aria-label=(t("language-switch-label")) {
                            ul {
                                @for other in Lang::ALL {
                                    li {
                                        @if other == lang {
                                            span aria-current="true" lang=(other.code()) { (translator.get(other, &format!("language-{}", other.code()), &[])) }
                                        } @else {
                                            a href=(language_href(page.path, page.query, other)) lang=(other.code()) hreflang=(other.code()) {
                                                (translator.get(other, &format!("language-{}", other.code()), &[]))
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                main id="main" tabindex="-1" { (main) }
                footer class="site-footer" {
                    p { (t("footer-about")) }
                    p { (t("footer-attribution")) }
                    @if !page.sources.is_empty() {
                        h2 class="site-footer__heading" { (t("footer-sources")) }
                        ul class="sources" {
                            @for source in page.sources {
                                li {
                                    @match source.url.as_deref().filter(|url| is_web_link(url)) {
                                        Some(url) => a href=(url) { (source.name) },
                                        None => (source.name),
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// An error page in the site's shell. `detail` fills the message's argument: the reason for
/// a bad request, the request id for an internal error.
pub fn error_page(
    translator: &Translator,
    lang: Lang,
    kind: ErrorKind,
    path: &str,
    detail: &str,
) -> Markup {
    let (title_id, body_id, argument) = match kind {
        ErrorKind::NotFound => ("error-not-found-title", "error-not-found-body", None),
        ErrorKind::BadRequest => (
            "error-bad-request-title",
            "error-bad-request-body",
            Some("reason"),
        ),
        ErrorKind::Internal => (
            "error-internal-title",
            "error-internal-body",
            Some("request_id"),
        ),
        ErrorKind::Unavailable => ("error-unavailable-title", "error-unavailable-body", None),
    };
    let args: Vec<(&str, Arg<'_>)> = argument
        .map(|name| (name, Arg::Text(detail)))
        .into_iter()
        .collect();
    let title = translator.get(lang, title_id, &[]);
    let navigation = navigation(translator, lang, path);
    page(
        translator,
        &Page {
            lang,
            title: &title,
            path,
            query: None,
            navigation: &navigation,
            account: None,
            sources: &[],
        },
        html! {
            h1 { (title) }
            p { (translator.get(lang, body_id, &args)) }
            p { a href=(format!("/?lang={}", lang.code())) { (translator.get(lang, "error-back-home", &[])) } }
        },
    )
}

/// A table with caption, `<th scope="col">` headers and `<th scope="row">` row headers.
pub fn table(table: &Table) -> Markup {
    let note_id = table.id.as_ref().map(|id| format!("{id}-note"));
    let class_of = |column: Option<&Column>| match column {
        Some(column) if column.numeric => "numeric",
        _ => "",
    };
    html! {
        div class="table-wrap" {
            table id=[table.id.as_deref()] aria-describedby=[note_id.as_deref().filter(|_| table.note.is_some())] {
                caption { (table.caption) }
                thead {
                    tr {
                        @for column in &table.columns {
                            th scope="col" class=(class_of(Some(column))) { (column.header) }
                        }
                    }
                }
                tbody {
                    @for row in &table.rows {
                        tr {
                            th scope="row" { (row.header) }
                            @for (index, cell) in row.cells.iter().enumerate() {
                                td class=(class_of(table.columns.get(index + 1))) { (cell) }
                            }
                        }
                    }
                }
            }
            @if let Some(note) = &table.note {
                p class="table-note" id=[note_id.as_deref()] { (note) }
            }
        }
    }
}

fn is_web_link(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translator() -> Translator {
        Translator::new().expect("the embedded catalogues parse and agree")
    }

    fn shell(lang: Lang, path: &str, query: Option<&str>, sources: &[SourceCredit]) -> String {
        let translator = translator();
        let navigation = navigation(&translator, lang, path);
        page(
            &translator,
            &Page {
                lang,
                title: "Panorama <b>",
                path,
                query,
                navigation: &navigation,
                account: None,
                sources,
            },
            html! { p { "body" } },
        )
        .into_string()
    }

    #[test]
    fn the_shell_has_what_every_page_needs() {
        let html = shell(Lang::Es, "/", None, &[]);
        assert!(
            html.starts_with("<!DOCTYPE html><html lang=\"es\">"),
            "{html}"
        );
        assert!(html
            .contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
        assert!(html.contains("<title>Panorama &lt;b&gt; · corredor</title>"));
        assert!(html.contains("<a class=\"skip-link\" href=\"#main\">Ir al contenido</a>"));
        assert!(html.contains("<main id=\"main\" tabindex=\"-1\"><p>body</p></main>"));
        assert!(html.contains("href=\"/?lang=es\" aria-current=\"page\">Panorama situacional</a>"));
        assert!(
            html.contains("<a href=\"/?lang=en\" lang=\"en\" hreflang=\"en\">English</a>"),
            "{html}"
        );
        assert!(html.contains("Natural Earth"));
        assert!(!html.contains("<script"));
    }

    #[test]
    fn the_language_switch_keeps_the_page_and_its_parameters() {
        let cases = [
            ("/", None, Lang::En, "/?lang=en"),
            (
                "/places/PA-ERM-LB",
                Some("lang=es&period=2023-08"),
                Lang::En,
                "/places/PA-ERM-LB?period=2023-08&lang=en",
            ),
            ("/x", Some("a=1&lang&b=2"), Lang::Es, "/x?a=1&b=2&lang=es"),
            ("//evil.example/", None, Lang::En, "/?lang=en"),
            ("javascript:alert(1)", None, Lang::En, "/?lang=en"),
            ("/a\"><script>", None, Lang::En, "/?lang=en"),
        ];
        for (path, query, lang, expected) in cases {
            assert_eq!(
                language_href(path, query, lang),
                expected,
                "{path} {query:?}"
            );
        }
        let html = shell(Lang::En, "/x", Some("q=a&amp;b"), &[]);
        assert!(
            html.contains("href=\"/x?q=a&amp;amp;b&amp;lang=es\""),
            "{html}"
        );
    }

    #[test]
    fn sources_are_links_only_when_they_are_web_addresses() {
        let sources = [
            SourceCredit {
                name: "SNM Panamá & IOM".to_owned(),
                url: Some("https://www.migracion.gob.pa/".to_owned()),
            },
            SourceCredit {
                name: "Evil".to_owned(),
                url: Some("javascript:alert(1)".to_owned()),
            },
            SourceCredit {
                name: "Plain".to_owned(),
                url: None,
            },
        ];
        let html = shell(Lang::En, "/", None, &sources);
        assert!(html.contains(
            "<li><a href=\"https://www.migracion.gob.pa/\">SNM Panamá &amp; IOM</a></li>"
        ));
        assert!(html.contains("<li>Evil</li>") && !html.contains("javascript:"));
        assert!(html.contains("<li>Plain</li>"));
    }

    #[test]
    fn tables_have_a_caption_and_scoped_headers() {
        let html = table(&Table {
            caption: "Latest counts <by> place".to_owned(),
            columns: vec![
                Column {
                    header: "Place".to_owned(),
                    numeric: false,
                },
                Column {
                    header: "Count".to_owned(),
                    numeric: true,
                },
            ],
            rows: vec![Row {
                header: html! { "Lajas Blancas & co" },
                cells: vec![html! { "82,000" }],
            }],
            note: Some("events, not people".to_owned()),
            id: Some("latest".to_owned()),
        })
        .into_string();
        assert!(html.contains("<table id=\"latest\" aria-describedby=\"latest-note\"><caption>Latest counts &lt;by&gt; place</caption>"), "{html}");
        assert!(html.contains("<th scope=\"col\" class=\"numeric\">Count</th>"));
        assert!(html.contains(
            "<th scope=\"row\">Lajas Blancas &amp; co</th><td class=\"numeric\">82,000</td>"
        ));
        assert!(html.contains("<p class=\"table-note\" id=\"latest-note\">events, not people</p>"));
    }

    #[test]
    fn error_pages_explain_in_the_readers_language() {
        let translator = translator();
        let html =
            error_page(&translator, Lang::Es, ErrorKind::Internal, "/", "req-<42>").into_string();
        assert!(html.contains("<h1>Algo falló de nuestro lado</h1>"));
        assert!(html.contains("req-&lt;42&gt;"));
        let html =
            error_page(&translator, Lang::En, ErrorKind::NotFound, "/nowhere", "").into_string();
        assert!(html.contains("<h1>Page not found</h1>") && html.contains("lang=\"en\""));
        let html = error_page(
            &translator,
            Lang::En,
            ErrorKind::BadRequest,
            "/",
            "the period 2023-13 does not exist",
        )
        .into_string();
        assert!(html.contains("not valid: the period 2023-13 does not exist"));
    }
}
