//! Formats at corredor's border.
//!
//! Every format corredor reads or writes is parsed here into `corredor-core` types, and
//! written here from them. Readers take `std::io::Read` and writers `std::io::Write`, so this
//! crate opens no files and knows nothing of storage; errors are lists of problems, each
//! naming the file, the line, the column and why, because someone fixing a 10,000-row file
//! wants every bad line at once.

pub mod atom;
pub mod cap;
pub mod observations;
pub mod problem;
pub mod reference;
pub mod series_csv;
pub mod sources;

pub use problem::Problem;
