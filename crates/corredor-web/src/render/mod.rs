//! Server-side rendering: HTML pages, SVG charts and maps, translations.
//!
//! Everything here is a pure function from plain view-model structs to markup: no I/O, no
//! HTTP types, no clock. The handlers gather the data, build the view models and call these.
//!
//! - [`i18n`]: [`Lang`] and the [`Translator`] (Fluent, with `locales/{en,es}/main.ftl`
//!   embedded in the binary).
//! - [`format`](mod@format): numbers and periods per language.
//! - [`chart`]: time-series line charts and sparklines as accessible SVG.
//! - [`map`]: the corridor map as SVG, from GeoJSON country outlines.
//! - [`divisions`]: a country's first-level divisions shaded by a count (the territories map).
//! - [`layout`]: the HTML shell of every page, tables, error pages, the stylesheet.
//! - [`picture`]: the situational-picture page, composed from the pieces above.
//!
//! HTML and SVG are written with `maud`, whose templates are checked at compile time and
//! escape every interpolated value, so a hostile label (`<script>`, `&`) is text, never
//! markup. SVG is written directly rather than through `plotters`: plotters' SVG backend
//! cannot attach `<title>`/`<desc>`, `role` or `aria-*` to the elements it draws, and its
//! text is drawn without the escaping guarantees maud gives; a small builder over maud gives
//! accessible markup and a smaller file. Every SVG element is written with an explicit
//! closing tag, so the output is also well-formed XML and can be served as `image/svg+xml`.

use thiserror::Error;

pub mod chart;
pub mod divisions;
pub mod format;
pub mod i18n;
pub mod layout;
pub mod map;
pub mod picture;
mod svg;

pub use i18n::{Arg, Lang, Translator};
pub use maud::{Markup, PreEscaped};

/// Why something could not be rendered.
#[derive(Debug, Error)]
pub enum RenderError {
    #[error("the {lang} messages do not parse: {}", problems.join("; "))]
    Catalogue { lang: Lang, problems: Vec<String> },
    #[error("the English and Spanish messages differ: {}", problems.join("; "))]
    CataloguesDiffer { problems: Vec<String> },
    #[error("there is no {lang} message `{id}`")]
    MissingMessage { lang: Lang, id: String },
    #[error("the {lang} message `{id}` cannot be formatted: {reason}")]
    MessageFormat {
        lang: Lang,
        id: String,
        reason: String,
    },
    #[error("the country outlines are not valid GeoJSON: {location}: {reason}")]
    GeoJson { location: String, reason: String },
}

#[cfg(test)]
pub(crate) mod test_data {
    use std::path::PathBuf;

    /// Reads the first of `candidates` (paths relative to the repository root) that exists:
    /// the repository's own copy of reference data, then the shared folder beside the
    /// checkout. The tests need real data, so none existing is a failure, not a skip.
    pub(crate) fn read(candidates: &[&str]) -> String {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        for candidate in candidates {
            let path = root.join(candidate);
            if let Ok(text) = std::fs::read_to_string(&path) {
                return text;
            }
        }
        panic!("none of {candidates:?} exists under {}", root.display());
    }

    /// Fails unless `svg` is well-formed XML (every element closed, in order), which an
    /// SVG served as `image/svg+xml` must be and which inline SVG needs to nest as meant.
    pub(crate) fn assert_well_formed(svg: &str) {
        let mut reader = quick_xml::Reader::from_str(svg);
        let mut depth = 0_i32;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Start(_)) => depth += 1,
                Ok(quick_xml::events::Event::End(_)) => depth -= 1,
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(error) => panic!(
                    "not well-formed at byte {}: {error}\n{svg}",
                    reader.buffer_position()
                ),
            }
        }
        assert_eq!(depth, 0, "unclosed elements in {svg}");
    }
}

#[cfg(test)]
mod sample;
