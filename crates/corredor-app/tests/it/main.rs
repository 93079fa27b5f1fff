//! Use cases end to end on a fresh SQLite database: the demo's public data, imports,
//! corrections and the rules of series.

mod accounts;
mod alerts;
mod demo;
mod disclosure;
mod forecasts;
mod scan;
mod series;
mod support;
