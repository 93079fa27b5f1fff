//! Analytics on count series: surge detection and corridor forecasting.
//!
//! Everything here is pure: functions take series and configuration structs and return
//! results with diagnostics. No I/O, no clock, no global state; randomness (where a method
//! needs it) comes from a seed passed in.

pub mod detection;
pub mod disclosure;
pub mod forecast;
pub mod random;
