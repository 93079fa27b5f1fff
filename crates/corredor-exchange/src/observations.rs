//! Observation files: corredor CSV and HXL, read and written.
