//! Reference data files: countries, places, corridors.
