//! Adapters for the public datasets corredor ships.
