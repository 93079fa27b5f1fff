//! The audit log: every write, appended, hash-chained.
//!
//! Each entry's hash is the SHA-256 of the previous entry's hash and the entry's own fields in
//! a fixed text form, so changing, removing or reordering any stored entry breaks the chain at
//! that entry, and [`Store::verify_audit`] names it.
//!
//! The canonical text an entry's hash covers (version 1) is the line `corredor-audit-v1`
//! followed by ten fields, each written as its length in bytes, `:`, the field and a newline:
//! previous hash, id, time (RFC 3339, UTC, microseconds, `Z`), actor, organisation, action,
//! subject, country (empty when none), before and after (the stored JSON text, empty when
//! none). The length prefix makes the text unambiguous whatever the fields contain. The first
//! entry's previous hash is 64 zeros.
//!
//! Appends are serialized, so two writers cannot both extend the same entry: SQLite's write
//! transactions already are (`BEGIN IMMEDIATE`), and on PostgreSQL an audited write takes a
//! transaction-level advisory lock before it reads the last entry. Each entry's id is the
//! last one plus one, given inside that transaction, so ids have no gaps and a missing id is
//! a deleted entry.
//!
//! A chain cannot show that its newest entries were removed (the rest is still consistent);
//! comparing [`AuditVerification::Intact`]'s count and the last hash with a copy kept
//! elsewhere does.

use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};
use corredor_core::CountryCode;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::postgres::{PgConnection, Postgres};
use sqlx::sqlite::{Sqlite, SqliteConnection};

use crate::model::Backend;
use crate::reference::country_code;
use crate::sql::{bind_postgres, bind_sqlite, sqlite_timestamp, Param, RowAccess, Sql};
use crate::{Pool, Store, StoreError};

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
        Store {
            pool: self.pool.clone(),
            actor: Arc::new(actor),
        }
    }

    /// Who this store's writes are audited as ([`Actor::system`] unless set).
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Appends one entry in a transaction of its own.
    pub async fn append_audit(&self, entry: &NewAuditEntry) -> Result<AuditEntry, StoreError> {
        let mut tx = self.begin_audited().await?;
        let stored = tx.audit(self.actor(), entry).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Entries in the order they were appended.
    pub async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let mut sql = self.sql(&format!("{ENTRY_COLUMNS} WHERE 1 = 1"));
        if let Some(country) = filter.country {
            sql.push(" AND country = ");
            sql.bind(Param::Text(country.to_string()));
        }
        if let Some(after_id) = filter.after_id {
            sql.push(" AND id > ");
            sql.bind(Param::Integer(after_id));
        }
        sql.push(" ORDER BY id");
        if let Some(limit) = filter.limit {
            sql.push(" LIMIT ");
            sql.bind(Param::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        }
        let rows = self.fetch(sql, StoredRow::from_row).await?;
        rows.into_iter().map(StoredRow::into_entry).collect()
    }

    /// Recomputes the chain from the first entry.
    ///
    /// Reads the log in pages of 10,000 entries, so that a long log is checked in
    /// bounded memory. The first entry that fails is named: a gap in the ids (entries were
    /// deleted before it), a `previous_hash` that is not its predecessor's hash (the link was
    /// broken), or a hash that does not match its own fields (its content was changed).
    pub async fn verify_audit(&self) -> Result<AuditVerification, StoreError> {
        let mut expected_id = 1_i64;
        let mut expected_previous = GENESIS_HASH.to_owned();
        let mut entries = 0_u64;
        loop {
            let mut sql = self.sql(&format!("{ENTRY_COLUMNS} WHERE id >= "));
            sql.bind(Param::Integer(expected_id));
            sql.push(" ORDER BY id LIMIT ");
            sql.bind(Param::Integer(VERIFY_PAGE));
            let page = self.fetch(sql, StoredRow::from_row).await?;
            let full = page.len() as i64 == VERIFY_PAGE;
            for row in page {
                if row.id != expected_id {
                    let reason = if expected_id + 1 == row.id {
                        format!("entry {expected_id} before it is missing")
                    } else {
                        format!(
                            "entries {expected_id} to {} before it are missing",
                            row.id - 1
                        )
                    };
                    return Ok(AuditVerification::Broken {
                        entry: row.id,
                        reason,
                    });
                }
                if row.previous_hash != expected_previous {
                    return Ok(AuditVerification::Broken {
                        entry: row.id,
                        reason: "the link is broken: its previous hash is not the hash of the \
                                 entry before it"
                            .to_owned(),
                    });
                }
                if row.computed_hash() != row.hash {
                    return Ok(AuditVerification::Broken {
                        entry: row.id,
                        reason: "its content changed: its hash does not match its fields"
                            .to_owned(),
                    });
                }
                entries += 1;
                expected_id = row.id + 1;
                expected_previous = row.hash;
            }
            if !full {
                return Ok(AuditVerification::Intact { entries });
            }
        }
    }

    /// Runs one SQL statement as it is, outside any audit: only for tests that tamper with
    /// the log to check that [`Store::verify_audit`] notices.
    #[doc(hidden)]
    pub async fn execute_raw_for_tests(&self, sql: &str) -> Result<u64, StoreError> {
        let affected = match &self.pool {
            Pool::Sqlite(pool) => sqlx::query(sql).execute(pool).await?.rows_affected(),
            Pool::Postgres(pool) => sqlx::query(sql).execute(pool).await?.rows_affected(),
        };
        Ok(affected)
    }

    /// Opens a write transaction whose writes will be audited. On PostgreSQL it first takes
    /// the audit lock, so that what the write reads as "before" and the last entry it
    /// extends are not changed by another audited write until it commits.
    pub(crate) async fn begin_audited(&self) -> Result<Tx, StoreError> {
        let mut tx = self.begin().await?;
        if let Tx::Postgres(connection) = &mut tx {
            lock_postgres(connection).await?;
        }
        Ok(tx)
    }

    /// Opens a write transaction that appends nothing to the audit log (sessions).
    pub(crate) async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }
}

/// Entries read per page by [`Store::verify_audit`].
const VERIFY_PAGE: i64 = 10_000;

/// The previous hash of the first entry.
const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The key of the PostgreSQL advisory lock that serializes audited writes: the bytes of
/// `corraudi`, a constant no other part of corredor uses.
const AUDIT_LOCK: i64 = 0x636f_7272_6175_6469;

/// At most this many items are listed in an entry's `before` or `after`; the rest are
/// counted, so that one large import does not make an entry of hundreds of megabytes.
pub(crate) const LISTED_ITEMS: usize = 10_000;

const ENTRY_COLUMNS: &str = "SELECT id, at, actor, organisation, action, subject, country, \
    before, after, previous_hash, hash FROM audit_entry";

/// A write transaction of either backend. Dropped without [`Tx::commit`], it rolls back.
pub(crate) enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    pub(crate) fn sql(&self, text: &str) -> Sql {
        Sql::new(self.backend(), text)
    }

    /// Runs a query in the transaction and maps every row.
    pub(crate) async fn fetch<T>(
        &mut self,
        sql: Sql,
        map: impl Fn(&dyn RowAccess) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        match self {
            Tx::Sqlite(tx) => {
                let rows = bind_sqlite(sqlx::query(&sql.text), sql.params)
                    .fetch_all(&mut **tx)
                    .await?;
                rows.iter().map(|row| map(row)).collect()
            }
            Tx::Postgres(tx) => {
                let rows = bind_postgres(sqlx::query(&sql.text), sql.params)
                    .fetch_all(&mut **tx)
                    .await?;
                rows.iter().map(|row| map(row)).collect()
            }
        }
    }

    /// Runs a statement in the transaction and returns the rows it affected.
    pub(crate) async fn execute(&mut self, sql: Sql) -> Result<u64, StoreError> {
        Ok(match self {
            Tx::Sqlite(tx) => bind_sqlite(sqlx::query(&sql.text), sql.params)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            Tx::Postgres(tx) => bind_postgres(sqlx::query(&sql.text), sql.params)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        })
    }

    /// Appends the audit entry of this transaction's write.
    pub(crate) async fn audit(
        &mut self,
        actor: &Actor,
        entry: &NewAuditEntry,
    ) -> Result<AuditEntry, StoreError> {
        match self {
            Tx::Sqlite(tx) => append_sqlite(tx, actor, entry).await,
            Tx::Postgres(tx) => append_postgres(tx, actor, entry).await,
        }
    }

    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// Waits for the audit lock, held until the transaction ends. Taking it again in the same
/// transaction is harmless.
pub(crate) async fn lock_postgres(connection: &mut PgConnection) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(AUDIT_LOCK)
        .execute(connection)
        .await?;
    Ok(())
}

/// Appends `entry` inside the caller's SQLite write transaction.
pub(crate) async fn append_sqlite(
    connection: &mut SqliteConnection,
    actor: &Actor,
    entry: &NewAuditEntry,
) -> Result<AuditEntry, StoreError> {
    let sql = Sql::new(Backend::Sqlite, LAST_ENTRY);
    let last = bind_sqlite(sqlx::query(&sql.text), sql.params)
        .fetch_optional(&mut *connection)
        .await?;
    let last = match last {
        Some(row) => Some((row.integer(0)?, row.text(1)?)),
        None => None,
    };
    let (stored, insert) = prepare(Backend::Sqlite, actor, entry, last)?;
    bind_sqlite(sqlx::query(&insert.text), insert.params)
        .execute(&mut *connection)
        .await?;
    Ok(stored)
}

/// Appends `entry` inside the caller's PostgreSQL transaction, under the audit lock.
pub(crate) async fn append_postgres(
    connection: &mut PgConnection,
    actor: &Actor,
    entry: &NewAuditEntry,
) -> Result<AuditEntry, StoreError> {
    lock_postgres(&mut *connection).await?;
    let sql = Sql::new(Backend::Postgres, LAST_ENTRY);
    let last = bind_postgres(sqlx::query(&sql.text), sql.params)
        .fetch_optional(&mut *connection)
        .await?;
    let last = match last {
        Some(row) => Some((row.integer(0)?, row.text(1)?)),
        None => None,
    };
    let (stored, insert) = prepare(Backend::Postgres, actor, entry, last)?;
    bind_postgres(sqlx::query(&insert.text), insert.params)
        .execute(&mut *connection)
        .await?;
    Ok(stored)
}

const LAST_ENTRY: &str = "SELECT id, hash FROM audit_entry ORDER BY id DESC LIMIT 1";

/// The entry that follows `last` (its id and hash), and the statement that stores it.
fn prepare(
    backend: Backend,
    actor: &Actor,
    entry: &NewAuditEntry,
    last: Option<(i64, String)>,
) -> Result<(AuditEntry, Sql), StoreError> {
    let (id, previous_hash) = match last {
        Some((id, hash)) => (id + 1, hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    // Stored with microseconds on both backends: what is read back must hash the same.
    let at = Utc::now().trunc_subsecs(6);
    let before = entry.before.as_ref().map(json_text).transpose()?;
    let after = entry.after.as_ref().map(json_text).transpose()?;
    let country = entry.country.map(|country| country.to_string());
    let row = StoredRow {
        id,
        at,
        actor: actor.name.clone(),
        organisation: actor.organisation.clone(),
        action: entry.action.clone(),
        subject: entry.subject.clone(),
        country,
        before,
        after,
        previous_hash,
        hash: String::new(),
    };
    let hash = row.computed_hash();
    let mut insert = Sql::new(
        backend,
        "INSERT INTO audit_entry (id, at, actor, organisation, action, subject, country, \
         before, after, previous_hash, hash) VALUES (",
    );
    insert.bind(Param::Integer(id)).push(", ");
    push_timestamp(&mut insert, backend, at);
    for param in [
        Param::Text(row.actor.clone()),
        Param::Text(row.organisation.clone()),
        Param::Text(row.action.clone()),
        Param::Text(row.subject.clone()),
        Param::OptionalText(row.country.clone()),
        Param::OptionalText(row.before.clone()),
        Param::OptionalText(row.after.clone()),
        Param::Text(row.previous_hash.clone()),
        Param::Text(hash.clone()),
    ] {
        insert.push(", ");
        insert.bind(param);
    }
    insert.push(")");
    let stored = StoredRow { hash, ..row }.into_entry()?;
    Ok((stored, insert))
}

/// A timestamp parameter: fixed-width UTC text on SQLite, a TIMESTAMPTZ cast from the same
/// text on PostgreSQL (the parameter types carry no timestamp).
pub(crate) fn push_timestamp(sql: &mut Sql, backend: Backend, at: DateTime<Utc>) {
    let text = Param::Text(sqlite_timestamp(&at));
    if backend == Backend::Postgres {
        sql.push("CAST(");
        sql.bind(text);
        sql.push(" AS TIMESTAMPTZ)");
    } else {
        sql.bind(text);
    }
}

fn json_text(value: &serde_json::Value) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|error| StoreError::Backend(error.to_string()))
}

/// An entry as stored: `before` and `after` as the JSON text that was hashed.
struct StoredRow {
    id: i64,
    at: DateTime<Utc>,
    actor: String,
    organisation: String,
    action: String,
    subject: String,
    country: Option<String>,
    before: Option<String>,
    after: Option<String>,
    previous_hash: String,
    hash: String,
}

impl StoredRow {
    fn from_row(row: &dyn RowAccess) -> Result<StoredRow, StoreError> {
        Ok(StoredRow {
            id: row.integer(0)?,
            at: row.timestamp(1)?,
            actor: row.text(2)?,
            organisation: row.text(3)?,
            action: row.text(4)?,
            subject: row.text(5)?,
            country: row.optional_text(6)?,
            before: row.optional_text(7)?,
            after: row.optional_text(8)?,
            previous_hash: row.text(9)?,
            hash: row.text(10)?,
        })
    }

    /// The hash of this entry's canonical text (see the module documentation).
    fn computed_hash(&self) -> String {
        let at = sqlite_timestamp(&self.at);
        let id = self.id.to_string();
        let fields: [&str; 10] = [
            &self.previous_hash,
            &id,
            &at,
            &self.actor,
            &self.organisation,
            &self.action,
            &self.subject,
            self.country.as_deref().unwrap_or(""),
            self.before.as_deref().unwrap_or(""),
            self.after.as_deref().unwrap_or(""),
        ];
        hash_hex(&canonical_text(&fields))
    }

    fn into_entry(self) -> Result<AuditEntry, StoreError> {
        let parse = |text: Option<String>| -> Result<Option<serde_json::Value>, StoreError> {
            text.map(|text| serde_json::from_str(&text).map_err(StoreError::corrupt))
                .transpose()
        };
        Ok(AuditEntry {
            id: self.id,
            at: self.at,
            actor: self.actor,
            organisation: self.organisation,
            action: self.action,
            subject: self.subject,
            country: self.country.as_deref().map(country_code).transpose()?,
            before: parse(self.before)?,
            after: parse(self.after)?,
            previous_hash: self.previous_hash,
            hash: self.hash,
        })
    }
}

/// `corredor-audit-v1\n` then each field as `<length in bytes>:<field>\n`.
fn canonical_text(fields: &[&str]) -> String {
    let mut text = String::from("corredor-audit-v1\n");
    for field in fields {
        text.push_str(&field.len().to_string());
        text.push(':');
        text.push_str(field);
        text.push('\n');
    }
    text
}

/// Lowercase hex SHA-256.
fn hash_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// The first `LISTED_ITEMS` of `items` as a JSON array, and how many more there were.
pub(crate) fn capped<T: Serialize>(
    items: impl IntoIterator<Item = T>,
) -> Result<(serde_json::Value, u64), StoreError> {
    let mut listed = Vec::new();
    let mut unlisted = 0_u64;
    for item in items {
        if listed.len() < LISTED_ITEMS {
            listed
                .push(serde_json::to_value(item).map_err(|e| StoreError::Backend(e.to_string()))?);
        } else {
            unlisted += 1;
        }
    }
    Ok((serde_json::Value::Array(listed), unlisted))
}
