//! Surge detection (see the module docs of each algorithm).
