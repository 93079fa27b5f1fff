//! Server-side rendering: HTML pages, SVG charts and maps, translations.
