//! The migratory alert as CAP 1.2 messages, and CAP 1.2 messages from partner systems as alerts.
