//! Integration tests of corredor-analytics: agreement with R `surveillance` and invariants.

mod properties;
mod surveillance_agreement;
