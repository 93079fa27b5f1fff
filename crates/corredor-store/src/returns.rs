//! Return operations, reintegration records and prevention programmes.
//!
//! A return operation is stored like an alert, whole as JSON and checked back by
//! [`ReturnOperation::restore`] on every read, with an optimistic `revision` and every
//! document kept in `return_operation_revision`. Its personal part (the pseudonymous case
//! references and best-interest determination references of the safeguards) is the exception:
//! it is written only to `return_case`, never to the document, the revision table or the audit
//! log, so that [`Store::save_return`] of an anonymised operation deletes it from the one
//! table that holds it, and nothing written before still carries it. Audit entries carry
//! counts only ([`return_summary`]).

use chrono::{DateTime, NaiveDate, Utc};
use corredor_core::returns::{
    CaseSafeguards, PreventionProgramme, ReintegrationRecord, ReturnOperation, ReturnOperationId,
    ReturnOperationParts, ReturnState,
};
use corredor_core::CountryCode;
use serde::{Deserialize, Serialize};

use crate::audit::{push_timestamp, NewAuditEntry, Tx};
use crate::error::StoreError;
use crate::sql::Param;
use crate::Store;

/// A return operation as stored, with the revision a save must name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredReturn {
    pub operation: ReturnOperation,
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl StoredReturn {
    pub fn id(&self) -> ReturnOperationId {
        // Every stored operation has the id storage gave it (set by `read_operations`).
        self.operation.id().unwrap_or(ReturnOperationId(0))
    }
}

/// One document written for an operation, for its history: the parts without the cases
/// (so it is not checked back by `restore`, which wants the cases of an operation that is not
/// anonymised).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnRevision {
    pub revision: i64,
    pub operation: ReturnOperationParts,
    pub written_at: DateTime<Utc>,
    pub written_by: String,
}

/// Whose operations to read: the visibility rule of returns, applied in the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnAudience {
    /// Every operation, drafts included (the installation's operator, the retention job).
    Everything,
    /// Every operation that has been proposed (the secretariat, which reads counts only).
    AllProposed,
    /// A country: the operations it hosts (drafts included) and the proposed ones it is the
    /// origin of.
    Country(CountryCode),
    /// Nobody: observers and readers not signed in see aggregates, never an operation.
    Nobody,
}

/// Which operations to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnFilter {
    pub audience: ReturnAudience,
    pub state: Option<ReturnState>,
    pub host: Option<CountryCode>,
    pub origin: Option<CountryCode>,
    pub limit: Option<u32>,
}

impl ReturnFilter {
    pub fn for_audience(audience: ReturnAudience) -> ReturnFilter {
        ReturnFilter {
            audience,
            state: None,
            host: None,
            origin: None,
            limit: None,
        }
    }
}

/// A reintegration record as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredReintegration {
    pub id: i64,
    pub record: ReintegrationRecord,
}

/// A prevention programme as stored, with who registered it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredProgramme {
    pub id: i64,
    pub country: CountryCode,
    pub programme: PreventionProgramme,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

const OPERATION_COLUMNS: &str = "o.id, o.document, o.revision, o.created_at, o.updated_at";

impl Store {
    /// Stores a new return operation (whose id must still be unset) and returns it with its
    /// id, audited as `draft_return`.
    pub async fn create_return(
        &self,
        operation: &ReturnOperation,
        at: DateTime<Utc>,
    ) -> Result<StoredReturn, StoreError> {
        if operation.id().is_some() {
            return Err(StoreError::Conflict {
                constraint: "a new return operation has no id yet".to_owned(),
            });
        }
        let mut tx = self.begin_audited().await?;
        let mut insert = tx.sql(
            "INSERT INTO return_operation (host, origin, state, revision, document, purge_after, \
             anonymised, created_at, updated_at) VALUES (",
        );
        insert.bind(Param::Text(operation.host().to_string()));
        insert.push(", ");
        insert.bind(Param::Text(operation.origin().to_string()));
        insert.push(", ");
        insert.bind(Param::Text(operation.state().code().to_owned()));
        // The document is written once the id is known (it carries it).
        insert.push(", 1, '{}', ");
        insert.bind(Param::OptionalText(
            operation.purge_after().map(|day| day.to_string()),
        ));
        insert.push(", ");
        insert.bind(Param::Integer(i64::from(operation.is_anonymised())));
        insert.push(", ");
        push_timestamp(&mut insert, self.backend(), at);
        insert.push(", ");
        push_timestamp(&mut insert, self.backend(), at);
        insert.push(") RETURNING id");
        let id = tx
            .fetch(insert, |row| row.integer(0))
            .await?
            .pop()
            .ok_or_else(|| StoreError::Backend("the new return operation got no id".to_owned()))?;
        let operation = operation.clone().with_id(ReturnOperationId(id));
        let document = operation_document(&operation)?;
        let mut update = tx.sql("UPDATE return_operation SET document = ");
        update.bind(Param::Text(document.clone()));
        update.push(" WHERE id = ");
        update.bind(Param::Integer(id));
        tx.execute(update).await?;
        self.write_return_details(&mut tx, &operation, 1, &document, at)
            .await?;
        let entry = NewAuditEntry {
            action: "draft_return".to_owned(),
            subject: format!("return:{id}"),
            country: Some(operation.host()),
            before: None,
            after: Some(return_summary(&operation, 1)),
        };
        tx.audit(self.actor(), &entry).await?;
        tx.commit().await?;
        self.return_operation(ReturnOperationId(id)).await
    }

    /// Writes a changed operation over the revision it was read at. [`StoreError::Conflict`]
    /// when someone saved it since (reload, take the step again, save);
    /// [`StoreError::NotFound`] for an unknown operation. The cases are replaced by the
    /// operation's current ones, so an anonymised operation leaves none behind.
    pub async fn save_return(
        &self,
        operation: &ReturnOperation,
        expected_revision: i64,
        action: &str,
        at: DateTime<Utc>,
    ) -> Result<StoredReturn, StoreError> {
        let Some(id) = operation.id() else {
            return Err(StoreError::not_found("a return operation without an id"));
        };
        let document = operation_document(operation)?;
        let revision = expected_revision + 1;
        let mut tx = self.begin_audited().await?;
        let before = read_operations(&mut tx, Some(id), None)
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(format!("return operation {}", id.0)))?;
        if (before.operation.host(), before.operation.origin())
            != (operation.host(), operation.origin())
        {
            return Err(StoreError::Conflict {
                constraint: format!(
                    "return operation {} is from {} to {}; its countries do not change",
                    id.0,
                    before.operation.host(),
                    before.operation.origin()
                ),
            });
        }
        let mut update = tx.sql("UPDATE return_operation SET state = ");
        update.bind(Param::Text(operation.state().code().to_owned()));
        update.push(", revision = ");
        update.bind(Param::Integer(revision));
        update.push(", document = ");
        update.bind(Param::Text(document.clone()));
        update.push(", purge_after = ");
        update.bind(Param::OptionalText(
            operation.purge_after().map(|day| day.to_string()),
        ));
        update.push(", anonymised = ");
        update.bind(Param::Integer(i64::from(operation.is_anonymised())));
        update.push(", updated_at = ");
        push_timestamp(&mut update, self.backend(), at);
        update.push(" WHERE id = ");
        update.bind(Param::Integer(id.0));
        update.push(" AND revision = ");
        update.bind(Param::Integer(expected_revision));
        if tx.execute(update).await? != 1 {
            return Err(StoreError::Conflict {
                constraint: format!(
                    "return operation {} was changed by someone else (it is at revision {}, \
                     not {}): reload it and try again",
                    id.0, before.revision, expected_revision
                ),
            });
        }
        let mut clear = tx.sql("DELETE FROM return_case WHERE operation_id = ");
        clear.bind(Param::Integer(id.0));
        tx.execute(clear).await?;
        self.write_return_details(&mut tx, operation, revision, &document, at)
            .await?;
        let entry = NewAuditEntry {
            action: action.to_owned(),
            subject: format!("return:{}", id.0),
            country: Some(operation.host()),
            before: Some(return_summary(&before.operation, before.revision)),
            after: Some(return_summary(operation, revision)),
        };
        tx.audit(self.actor(), &entry).await?;
        tx.commit().await?;
        self.return_operation(id).await
    }

    /// The case rows and the kept document of a write.
    async fn write_return_details(
        &self,
        tx: &mut Tx,
        operation: &ReturnOperation,
        revision: i64,
        document: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let id = operation.id().map_or(0, |id| id.0);
        let cases = operation
            .safeguards()
            .map(|safeguards| safeguards.cases.as_slice())
            .unwrap_or_default();
        for (position, case) in cases.iter().enumerate() {
            let mut insert = tx.sql(
                "INSERT INTO return_case (operation_id, position, case_reference, document) \
                 VALUES (",
            );
            insert.bind(Param::Integer(id));
            insert.push(", ");
            insert.bind(Param::Integer(
                i64::try_from(position).expect("a group has fewer cases than i64::MAX"),
            ));
            insert.push(", ");
            insert.bind(Param::Text(case.case.as_str().to_owned()));
            insert.push(", ");
            insert.bind(Param::Text(
                serde_json::to_string(case).map_err(json_error)?,
            ));
            insert.push(")");
            tx.execute(insert).await?;
        }
        let mut keep = tx.sql(
            "INSERT INTO return_operation_revision (operation_id, revision, document, \
             written_at, written_by) VALUES (",
        );
        keep.bind(Param::Integer(id));
        keep.push(", ");
        keep.bind(Param::Integer(revision));
        keep.push(", ");
        keep.bind(Param::Text(document.to_owned()));
        keep.push(", ");
        push_timestamp(&mut keep, self.backend(), at);
        keep.push(", ");
        keep.bind(Param::Text(self.actor().name.clone()));
        keep.push(")");
        tx.execute(keep).await?;
        Ok(())
    }

    /// One operation with its cases, or [`StoreError::NotFound`].
    pub async fn return_operation(
        &self,
        id: ReturnOperationId,
    ) -> Result<StoredReturn, StoreError> {
        let mut tx = self.begin().await?;
        let stored = read_operations(&mut tx, Some(id), None)
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(format!("return operation {}", id.0)))?;
        tx.commit().await?;
        Ok(stored)
    }

    /// The operations the filter selects, most recently changed first.
    pub async fn return_operations(
        &self,
        filter: &ReturnFilter,
    ) -> Result<Vec<StoredReturn>, StoreError> {
        let mut tx = self.begin().await?;
        let operations = read_operations(&mut tx, None, Some(filter)).await?;
        tx.commit().await?;
        Ok(operations)
    }

    /// The ended operations not yet anonymised whose retention ran out before `today` (their
    /// last kept day is earlier), for the retention job.
    pub async fn returns_due_for_purge(
        &self,
        today: NaiveDate,
    ) -> Result<Vec<StoredReturn>, StoreError> {
        let mut sql = self.sql(
            "SELECT id FROM return_operation WHERE anonymised = 0 AND purge_after IS NOT NULL \
             AND purge_after < ",
        );
        sql.bind(Param::Text(today.to_string()));
        sql.push(" ORDER BY id");
        let ids = self.fetch(sql, |row| row.integer(0)).await?;
        let mut due = Vec::with_capacity(ids.len());
        for id in ids {
            due.push(self.return_operation(ReturnOperationId(id)).await?);
        }
        Ok(due)
    }

    /// Every document written for an operation, oldest first, none with its cases.
    pub async fn return_revisions(
        &self,
        id: ReturnOperationId,
    ) -> Result<Vec<ReturnRevision>, StoreError> {
        let mut sql = self.sql(
            "SELECT revision, document, written_at, written_by FROM return_operation_revision \
             WHERE operation_id = ",
        );
        sql.bind(Param::Integer(id.0));
        sql.push(" ORDER BY revision");
        self.fetch(sql, |row| {
            Ok(ReturnRevision {
                revision: row.integer(0)?,
                operation: serde_json::from_str(&row.text(1)?).map_err(|error| {
                    StoreError::corrupt(format!("return operation revision: {error}"))
                })?,
                written_at: row.timestamp(2)?,
                written_by: row.text(3)?,
            })
        })
        .await
    }

    /// Records a reintegration record (a correction is a later record of the same cohort,
    /// territory and follow-up; nothing is overwritten).
    pub async fn record_reintegration(
        &self,
        record: &ReintegrationRecord,
    ) -> Result<StoredReintegration, StoreError> {
        let document = serde_json::to_string(record).map_err(json_error)?;
        let mut tx = self.begin_audited().await?;
        let mut insert = tx.sql(
            "INSERT INTO reintegration_record (origin, cohort, territory, follow_up, document, \
             recorded_at) VALUES (",
        );
        insert.bind(Param::Text(record.origin().to_string()));
        insert.push(", ");
        insert.bind(Param::Text(record.cohort().key()));
        insert.push(", ");
        insert.bind(Param::Text(record.territory().as_str().to_owned()));
        insert.push(", ");
        insert.bind(Param::Text(record.follow_up().code().to_owned()));
        insert.push(", ");
        insert.bind(Param::Text(document));
        insert.push(", ");
        push_timestamp(&mut insert, self.backend(), record.recorded_at().to_utc());
        insert.push(") RETURNING id");
        let id = tx
            .fetch(insert, |row| row.integer(0))
            .await?
            .pop()
            .ok_or_else(|| StoreError::Backend("the record got no id".to_owned()))?;
        let entry = NewAuditEntry {
            action: "record_reintegration".to_owned(),
            subject: format!("reintegration:{id}"),
            country: Some(record.origin()),
            before: None,
            // Counts only, like every record of returnees.
            after: Some(serde_json::to_value(record).map_err(json_error)?),
        };
        tx.audit(self.actor(), &entry).await?;
        tx.commit().await?;
        Ok(StoredReintegration {
            id,
            record: record.clone(),
        })
    }

    /// The reintegration records of an origin country (every country when `None`), in the
    /// order recorded.
    pub async fn reintegration_records(
        &self,
        origin: Option<CountryCode>,
    ) -> Result<Vec<StoredReintegration>, StoreError> {
        let mut sql = self.sql("SELECT id, document FROM reintegration_record WHERE 1 = 1");
        if let Some(origin) = origin {
            sql.push(" AND origin = ");
            sql.bind(Param::Text(origin.to_string()));
        }
        sql.push(" ORDER BY recorded_at, id");
        self.fetch(sql, |row| {
            let record: ReintegrationRecord = serde_json::from_str(&row.text(1)?)
                .map_err(|error| StoreError::corrupt(format!("reintegration record: {error}")))?;
            Ok(StoredReintegration {
                id: row.integer(0)?,
                record,
            })
        })
        .await
    }

    /// Registers a prevention programme in a territory.
    pub async fn record_programme(
        &self,
        programme: &PreventionProgramme,
        at: DateTime<Utc>,
    ) -> Result<StoredProgramme, StoreError> {
        let document = serde_json::to_string(programme).map_err(json_error)?;
        let country = programme.territory().country();
        let mut tx = self.begin_audited().await?;
        let mut insert = tx.sql(
            "INSERT INTO prevention_programme (country, territory, document, recorded_by, \
             recorded_at) VALUES (",
        );
        insert.bind(Param::Text(country.to_string()));
        insert.push(", ");
        insert.bind(Param::Text(programme.territory().as_str().to_owned()));
        insert.push(", ");
        insert.bind(Param::Text(document));
        insert.push(", ");
        insert.bind(Param::Text(self.actor().name.clone()));
        insert.push(", ");
        push_timestamp(&mut insert, self.backend(), at);
        insert.push(") RETURNING id");
        let id = tx
            .fetch(insert, |row| row.integer(0))
            .await?
            .pop()
            .ok_or_else(|| StoreError::Backend("the programme got no id".to_owned()))?;
        let entry = NewAuditEntry {
            action: "record_prevention_programme".to_owned(),
            subject: format!("programme:{id}"),
            country: Some(country),
            before: None,
            after: Some(serde_json::to_value(programme).map_err(json_error)?),
        };
        tx.audit(self.actor(), &entry).await?;
        tx.commit().await?;
        Ok(StoredProgramme {
            id,
            country,
            programme: programme.clone(),
            recorded_by: self.actor().name.clone(),
            recorded_at: at,
        })
    }

    /// The prevention programmes in a country's territories (every country when `None`).
    pub async fn prevention_programmes(
        &self,
        country: Option<CountryCode>,
    ) -> Result<Vec<StoredProgramme>, StoreError> {
        let mut sql = self.sql(
            "SELECT id, country, document, recorded_by, recorded_at FROM prevention_programme \
             WHERE 1 = 1",
        );
        if let Some(country) = country {
            sql.push(" AND country = ");
            sql.bind(Param::Text(country.to_string()));
        }
        sql.push(" ORDER BY territory, id");
        self.fetch(sql, |row| {
            Ok(StoredProgramme {
                id: row.integer(0)?,
                country: crate::reference::country_code(&row.text(1)?)?,
                programme: serde_json::from_str(&row.text(2)?).map_err(|error| {
                    StoreError::corrupt(format!("prevention programme: {error}"))
                })?,
                recorded_by: row.text(3)?,
                recorded_at: row.timestamp(4)?,
            })
        })
        .await
    }
}

/// Reads operations (one by id, or those a filter selects) with their cases, inside `tx` so
/// that an operation and its cases are of the same write.
async fn read_operations(
    tx: &mut Tx,
    id: Option<ReturnOperationId>,
    filter: Option<&ReturnFilter>,
) -> Result<Vec<StoredReturn>, StoreError> {
    let mut sql = tx.sql(&format!(
        "SELECT {OPERATION_COLUMNS} FROM return_operation o WHERE 1 = 1"
    ));
    if let Some(id) = id {
        sql.push(" AND o.id = ");
        sql.bind(Param::Integer(id.0));
    }
    if let Some(filter) = filter {
        match &filter.audience {
            ReturnAudience::Everything => {}
            ReturnAudience::AllProposed => {
                sql.push(" AND o.state <> 'draft'");
            }
            ReturnAudience::Country(country) => {
                sql.push(" AND (o.host = ");
                sql.bind(Param::Text(country.to_string()));
                sql.push(" OR (o.origin = ");
                sql.bind(Param::Text(country.to_string()));
                sql.push(" AND o.state <> 'draft'))");
            }
            ReturnAudience::Nobody => {
                sql.push(" AND 1 = 0");
            }
        }
        if let Some(state) = filter.state {
            sql.push(" AND o.state = ");
            sql.bind(Param::Text(state.code().to_owned()));
        }
        if let Some(host) = filter.host {
            sql.push(" AND o.host = ");
            sql.bind(Param::Text(host.to_string()));
        }
        if let Some(origin) = filter.origin {
            sql.push(" AND o.origin = ");
            sql.bind(Param::Text(origin.to_string()));
        }
    }
    sql.push(" ORDER BY o.updated_at DESC, o.id DESC");
    if let Some(limit) = filter.and_then(|filter| filter.limit) {
        sql.push(" LIMIT ");
        sql.bind(Param::Integer(i64::from(limit)));
    }
    let rows = tx
        .fetch(sql, |row| {
            Ok((
                row.integer(0)?,
                row.text(1)?,
                row.integer(2)?,
                row.timestamp(3)?,
                row.timestamp(4)?,
            ))
        })
        .await?;
    let mut operations = Vec::with_capacity(rows.len());
    for (id, document, revision, created_at, updated_at) in rows {
        let mut cases_sql = tx.sql("SELECT document FROM return_case WHERE operation_id = ");
        cases_sql.bind(Param::Integer(id));
        cases_sql.push(" ORDER BY position");
        let cases = tx
            .fetch(cases_sql, |row| {
                serde_json::from_str::<CaseSafeguards>(&row.text(0)?)
                    .map_err(|error| StoreError::corrupt(format!("return case: {error}")))
            })
            .await?;
        let mut parts: ReturnOperationParts = serde_json::from_str(&document)
            .map_err(|error| StoreError::corrupt(format!("return operation document: {error}")))?;
        if let Some(safeguards) = &mut parts.safeguards {
            safeguards.cases = cases;
        }
        let operation = ReturnOperation::restore(parts)
            .map_err(|error| StoreError::corrupt(format!("return operation {id}: {error}")))?
            .with_id(ReturnOperationId(id));
        operations.push(StoredReturn {
            operation,
            revision,
            created_at,
            updated_at,
        });
    }
    Ok(operations)
}

fn json_error(error: serde_json::Error) -> StoreError {
    StoreError::Backend(error.to_string())
}

/// The document of an operation: everything but its cases.
fn operation_document(operation: &ReturnOperation) -> Result<String, StoreError> {
    serde_json::to_string(&operation.without_cases()).map_err(json_error)
}

/// What an audit entry says about an operation: its course and counts, never a case
/// reference (the documents, without cases, are in `return_operation_revision`).
pub(crate) fn return_summary(operation: &ReturnOperation, revision: i64) -> serde_json::Value {
    serde_json::json!({
        "revision": revision,
        "state": operation.state(),
        "host": operation.host(),
        "origin": operation.origin(),
        "people": operation.group().people(),
        "cases": operation.safeguards().map_or(0, |safeguards| safeguards.totals.cases),
        "missing_safeguards": operation
            .missing_safeguards()
            .iter()
            .map(|missing| missing.code())
            .collect::<Vec<_>>(),
        "received": operation.reception().map(|reception| reception.group.people()),
        "anonymised": operation.is_anonymised(),
    })
}
