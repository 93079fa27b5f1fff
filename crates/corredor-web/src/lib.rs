//! corredor's HTTP face.

pub mod render;
