//! Integration tests of corredor-analytics: agreement with R `surveillance`, invariants of the
//! detectors, and the propagation model on synthetic corridors.

mod disclosure;
mod forecast;
mod properties;
mod surveillance_agreement;
