//! HTTP tests of the API and pages, in-process (`oneshot`) against a fresh SQLite database,
//! plus browser tests of the pages in headless Chromium.

mod alert_pages;
mod alerts;
mod api;
mod auth;
mod browser;
mod disclosure;
mod forecasts;
mod pages;
mod permissions;
mod return_pages;
mod returns;
mod signals;
mod support;
