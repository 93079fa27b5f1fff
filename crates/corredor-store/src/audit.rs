//! The audit log: every write, appended, hash-chained.
//!
//! Each entry's hash is the SHA-256 of the previous entry's hash and the entry's own fields in
//! a fixed text form, so changing, removing or reordering any stored entry breaks the chain at
//! that entry, and [`Store::verify_audit`] names it.

use chrono::{DateTime, Utc};
use corredor_core::CountryCode;
use serde::Serialize;

use crate::{Store, StoreError};

/// Who writes through a store: named by every audit entry its writes append.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub name: String,
    pub organisation: String,
}

impl Actor {
    /// The installation's own operator (command line, demo loading, scheduled analyses).
    pub fn system() -> Actor {
        Actor {
            name: "system".to_owned(),
            organisation: "system".to_owned(),
        }
    }
}

/// An entry to append that is not the side effect of another write (sign-ins, refusals).
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEntry {
    /// What was done, as a short code: `import`, `put_place`, `sign_in`, …
    pub action: String,
    /// What it was done to: `submission:42`, `place:PAN-LAJAS-BLANCAS`, `account:ana`, …
    pub subject: String,
    /// The country whose data the entry is about, if any (what that country may read).
    pub country: Option<CountryCode>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub organisation: String,
    pub action: String,
    pub subject: String,
    pub country: Option<CountryCode>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub previous_hash: String,
    pub hash: String,
}

/// Which entries to read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    /// Only entries about this country's data.
    pub country: Option<CountryCode>,
    /// Only entries after this id (for paging forward).
    pub after_id: Option<i64>,
    pub limit: Option<u64>,
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AuditVerification {
    /// Every entry's hash matches its content and its predecessor.
    Intact { entries: u64 },
    /// The first entry whose hash does not match, and why.
    Broken { entry: i64, reason: String },
}

impl Store {
    /// A store whose writes name `actor` in the audit log; shares this store's pool.
    pub fn acting_as(&self, actor: Actor) -> Store {
        let _ = actor;
        unimplemented!("store audit: acting_as")
    }

    /// Who this store's writes are audited as ([`Actor::system`] unless set).
    pub fn actor(&self) -> &Actor {
        unimplemented!("store audit: actor")
    }

    /// Appends one entry in a transaction of its own.
    pub async fn append_audit(&self, entry: &NewAuditEntry) -> Result<AuditEntry, StoreError> {
        let _ = entry;
        unimplemented!("store audit: append_audit")
    }

    /// Entries in the order they were appended.
    pub async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let _ = filter;
        unimplemented!("store audit: audit_entries")
    }

    /// Recomputes the chain from the first entry.
    pub async fn verify_audit(&self) -> Result<AuditVerification, StoreError> {
        unimplemented!("store audit: verify_audit")
    }
}
