//! Recording a batch of observations: one transaction, keys resolved in bulk, rows written
//! with `json_each` and multi-row `INSERT`s (SQLite) or `UNNEST` arrays (PostgreSQL).

use std::collections::{HashMap, HashSet};

use corredor_core::{Observation, ObservationKey, Sex};
use sqlx::pool::PoolConnection;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnection;
use sqlx::Row;
use sqlx::{Connection, Sqlite};

use crate::audit::{self, capped, NewAuditEntry};
use crate::error::StoreError;
use crate::model::{RecordOutcome, Submission};
use crate::observations::key_text;
use crate::sql::{sqlite_timestamp, Param};
use crate::{Pool, Store};

/// SQLite allows 32,766 parameters per statement; these chunk sizes stay well under it while
/// making the per-statement cost negligible. New rows travel as one JSON parameter per chunk.
const SQLITE_INSERT_ROWS: usize = 10_000;
const SQLITE_NARROW_ROWS: usize = 4_000;
const SQLITE_LOOKUP_KEYS: usize = 100_000;
/// PostgreSQL takes arrays of any length; chunks bound the size of one message.
const POSTGRES_ROWS: usize = 50_000;

impl Store {
    /// Records a batch of observations in one transaction: all of it or nothing.
    ///
    /// For each key: no current value makes revision 1 (`inserted`); the same value and
    /// source as the current revision changes nothing (`unchanged`); anything else adds a
    /// revision (`revised`). Nothing is overwritten or deleted. A key given twice in one batch
    /// is treated as two successive submissions of it. The countries and places must be
    /// stored; otherwise the result is [`StoreError::NotFound`] naming the first missing one,
    /// and nothing is written.
    pub async fn record_observations(
        &self,
        batch: &[Observation],
        submission: &Submission,
    ) -> Result<RecordOutcome, StoreError> {
        let rows = BatchRows::new(batch)?;
        let result = match &self.pool {
            Pool::Sqlite(pool) => {
                let mut connection = pool.acquire().await?;
                // The commit of a large import would otherwise also checkpoint: copy every
                // page it wrote from the WAL into the database file and sync both, about a
                // sixth of a million-row import. The import is committed (and as durable as
                // any commit) without it, so it is left to a checkpoint after the answer.
                sqlx::query("PRAGMA wal_autocheckpoint = 0")
                    .execute(&mut *connection)
                    .await?;
                let result = async {
                    let mut tx = connection.begin_with("BEGIN IMMEDIATE").await?;
                    let outcome = match record_sqlite(&mut tx, &rows, submission).await {
                        Ok((outcome, entry)) => audit::append_sqlite(&mut tx, self.actor(), &entry)
                            .await
                            .map(|_| outcome),
                        Err(error) => Err(error),
                    };
                    finish(tx, outcome).await
                }
                .await;
                tokio::spawn(checkpoint_and_release(connection));
                result
            }
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                // The audit lock first, as every audited write takes it: the values this
                // import supersedes, read below, are then the ones its entry lists.
                audit::lock_postgres(&mut tx).await?;
                let outcome = match record_postgres(&mut tx, &rows, submission).await {
                    Ok((outcome, entry)) => audit::append_postgres(&mut tx, self.actor(), &entry)
                        .await
                        .map(|_| outcome),
                    Err(error) => Err(error),
                };
                finish(tx, outcome).await
            }
        };
        match result {
            Err(StoreError::Conflict { constraint }) => Err(self
                .explain_conflict(batch)
                .await?
                .unwrap_or(StoreError::Conflict { constraint })),
            other => other,
        }
    }

    /// After a refused batch, names the first country or place it refers to that is not
    /// stored (or is stored under another country), which is what a foreign key refused.
    async fn explain_conflict(
        &self,
        batch: &[Observation],
    ) -> Result<Option<StoreError>, StoreError> {
        let countries: HashSet<String> = self
            .fetch(self.sql("SELECT code FROM country"), |row| row.text(0))
            .await?
            .into_iter()
            .collect();
        let wanted_places: HashSet<&str> = batch
            .iter()
            .filter_map(|o| o.key.place.as_ref().map(|p| p.as_str()))
            .collect();
        let mut places = HashMap::new();
        if !wanted_places.is_empty() {
            let mut sql = self.sql("SELECT code, country FROM place WHERE code IN ");
            sql.bind_list(wanted_places.iter().map(|p| Param::Text((*p).to_owned())));
            for (code, country) in self
                .fetch(sql, |row| Ok((row.text(0)?, row.text(1)?)))
                .await?
            {
                places.insert(code, country);
            }
        }
        for observation in batch {
            let key = &observation.key;
            if !countries.contains(key.country.as_str()) {
                return Ok(Some(StoreError::not_found(format!(
                    "country `{}`",
                    key.country
                ))));
            }
            if let Some(place) = &key.place {
                match places.get(place.as_str()) {
                    None => return Ok(Some(StoreError::not_found(format!("place `{place}`")))),
                    Some(country) if country != key.country.as_str() => {
                        return Ok(Some(StoreError::not_found(format!(
                            "place `{place}` in country `{}` (it is in `{country}`)",
                            key.country
                        ))))
                    }
                    Some(_) => {}
                }
            }
        }
        Ok(None)
    }
}

/// Checkpoints the WAL that an import left to grow, passively (readers and writers go on),
/// and gives the connection back to the pool with automatic checkpoints again. A connection
/// whose setting could not be restored is closed rather than reused.
async fn checkpoint_and_release(mut connection: PoolConnection<Sqlite>) {
    let checkpointed = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .execute(&mut *connection)
        .await;
    let restored = sqlx::query("PRAGMA wal_autocheckpoint = 1000")
        .execute(&mut *connection)
        .await;
    if let Err(error) = checkpointed {
        // Not an error of the import, which is committed; the next checkpoint catches up.
        tracing::warn!(%error, "the checkpoint after an import failed");
    }
    if restored.is_err() {
        connection.close_on_drop();
    }
}

async fn finish<DB: sqlx::Database>(
    tx: sqlx::Transaction<'_, DB>,
    outcome: Result<RecordOutcome, StoreError>,
) -> Result<RecordOutcome, StoreError> {
    match outcome {
        Ok(outcome) => {
            tx.commit().await?;
            Ok(outcome)
        }
        Err(error) => {
            // The error that made the batch fail is the one worth reporting; a failed
            // rollback leaves nothing committed either.
            let _ = tx.rollback().await;
            Err(error)
        }
    }
}

/// The columns of a batch, computed once and borrowed by both writers.
struct BatchRows<'a> {
    batch: &'a [Observation],
    keys: Vec<String>,
    periods: Vec<String>,
    values: Vec<i64>,
    /// The positions of the batch in key text order, and within one key in batch order:
    /// each key's submissions are then next to each other, in the order they were made.
    order: Vec<usize>,
}

impl<'a> BatchRows<'a> {
    fn new(batch: &'a [Observation]) -> Result<BatchRows<'a>, StoreError> {
        let values = batch
            .iter()
            .map(|o| {
                i64::try_from(o.value).map_err(|_| {
                    StoreError::Backend(format!(
                        "the count {} of {} is larger than the store can hold",
                        o.value,
                        key_text(&o.key)
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let (keys, periods): (Vec<String>, Vec<String>) =
            batch.iter().map(|o| key_and_period(&o.key)).unzip();
        let mut order: Vec<usize> = (0..batch.len()).collect();
        // One sort gives both the distinct keys in text order (the order ids are given in)
        // and each key's submissions together, with no hash table of a million keys.
        order.sort_unstable_by(|&a, &b| keys[a].cmp(&keys[b]).then(a.cmp(&b)));
        Ok(BatchRows {
            batch,
            keys,
            periods,
            values,
            order,
        })
    }

    /// The positions of the batch grouped by key, keys in text order and each key's
    /// positions in batch order.
    fn groups(&self) -> impl Iterator<Item = &[usize]> {
        self.order.chunk_by(|&a, &b| self.keys[a] == self.keys[b])
    }

    /// Each key once, in text order.
    fn distinct_keys(&self) -> Vec<&str> {
        self.groups()
            .map(|group| self.keys[group[0]].as_str())
            .collect()
    }
}

/// The key text of [`key_text`] and the period's text, with the period formatted once:
/// at a million rows `format!` and a second `Display` of the period are a noticeable part
/// of an import.
fn key_and_period(key: &ObservationKey) -> (String, String) {
    let period = key.period.to_string();
    let breakdown = &key.breakdown;
    let fields = [
        key.measure.code(),
        key.period.granularity().as_str(),
        key.country.as_str(),
        key.place.as_ref().map(|p| p.as_str()).unwrap_or(""),
        breakdown.sex.map(Sex::code).unwrap_or(""),
        breakdown.age_group.map(|a| a.code()).unwrap_or(""),
        breakdown.vulnerability.map(|v| v.code()).unwrap_or(""),
        breakdown
            .nationality
            .as_ref()
            .map(|n| n.as_str())
            .unwrap_or(""),
    ];
    let mut text =
        String::with_capacity(fields.iter().map(|f| f.len() + 1).sum::<usize>() + period.len());
    for field in fields {
        text.push_str(field);
        text.push('|');
    }
    text.push_str(&period);
    (text, period)
}

/// The current state of a key already stored.
struct Existing {
    id: i64,
    value: i64,
    revision: i32,
    source: Option<String>,
    submission_id: i64,
}

impl Existing {
    /// Reads `key, id, value, revision, source, submission_id`, the columns both backends'
    /// lookups select, from a row of either backend.
    fn from_row<'r, R>(row: &'r R) -> Result<(String, Existing), sqlx::Error>
    where
        R: Row,
        usize: sqlx::ColumnIndex<R>,
        String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        i32: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    {
        let existing = Existing {
            id: row.try_get(1)?,
            value: row.try_get(2)?,
            revision: row.try_get(3)?,
            source: row.try_get(4)?,
            submission_id: row.try_get(5)?,
        };
        Ok((row.try_get(0)?, existing))
    }
}

/// A key first seen in this batch, with its final state after the batch.
struct NewRow<'b> {
    index: usize,
    id: i64,
    value: i64,
    revision: i32,
    source: Option<&'b str>,
}

/// The new current state of a key already stored.
struct Update<'b> {
    id: i64,
    value: i64,
    revision: i32,
    source: Option<&'b str>,
}

/// A revision that a later one of this batch supersedes, with the submission that brought it.
struct RevisionRow {
    /// The observation of the batch that supersedes it (for the audit entry).
    superseded_by: usize,
    observation_id: i64,
    revision: i32,
    value: i64,
    source: Option<String>,
    submission_id: i64,
}

#[derive(Default)]
struct Plan<'b> {
    new_rows: Vec<NewRow<'b>>,
    updates: Vec<Update<'b>>,
    /// Superseded revisions: only corrections write here, a new key writes `observation` alone.
    revisions: Vec<RevisionRow>,
    inserted: u64,
    revised: u64,
    unchanged: u64,
}

/// How many keys of the batch are not stored yet.
fn count_new_keys(rows: &BatchRows<'_>, existing: &HashMap<String, Existing>) -> usize {
    rows.groups()
        .filter(|group| !existing.contains_key(&rows.keys[group[0]]))
        .count()
}

/// Decides, key by key, what to write.
///
/// `observation` holds the current revision of each key and `observation_revision` every
/// earlier one, so a correction first moves the revision it supersedes (with its own
/// submission) into `observation_revision`, and a new key writes one row only.
///
/// `new_ids` gives the ids of the keys not stored yet, in key text order: new rows are then
/// appended to every index in (nearly) its own order, which is much cheaper than inserting
/// them in file order. Each key's submissions are taken in batch order, so a key given
/// twice is two successive submissions of it.
fn plan<'b>(
    rows: &'b BatchRows<'_>,
    mut existing: HashMap<String, Existing>,
    mut new_ids: impl Iterator<Item = i64>,
    submission_id: i64,
) -> Result<Plan<'b>, StoreError> {
    /// The state of one key as the batch's submissions of it are applied.
    struct Current {
        id: i64,
        value: i64,
        revision: i32,
        source: Option<String>,
        submission_id: i64,
        new_row: Option<usize>,
        update: Option<usize>,
    }
    let mut plan = Plan::default();
    for group in rows.groups() {
        let key = rows.keys[group[0]].as_str();
        let (mut current, later) = match existing.remove(key) {
            Some(found) => (
                Current {
                    id: found.id,
                    value: found.value,
                    revision: found.revision,
                    source: found.source,
                    submission_id: found.submission_id,
                    new_row: None,
                    update: None,
                },
                group,
            ),
            None => {
                let index = group[0];
                let id = new_ids.next().ok_or_else(|| {
                    StoreError::Backend("no observation id was reserved for a new key".into())
                })?;
                let value = rows.values[index];
                let source = rows.batch[index].source.as_deref();
                plan.new_rows.push(NewRow {
                    index,
                    id,
                    value,
                    revision: 1,
                    source,
                });
                plan.inserted += 1;
                let later = &group[1..];
                if later.is_empty() {
                    // The common case: one submission of a new key, nothing more to decide.
                    continue;
                }
                (
                    Current {
                        id,
                        value,
                        revision: 1,
                        source: source.map(str::to_owned),
                        submission_id,
                        new_row: Some(plan.new_rows.len() - 1),
                        update: None,
                    },
                    later,
                )
            }
        };
        for &index in later {
            let value = rows.values[index];
            let source = rows.batch[index].source.as_deref();
            if current.value == value && current.source.as_deref() == source {
                plan.unchanged += 1;
                continue;
            }
            plan.revisions.push(RevisionRow {
                superseded_by: index,
                observation_id: current.id,
                revision: current.revision,
                value: current.value,
                source: current.source.take(),
                submission_id: current.submission_id,
            });
            current.revision += 1;
            current.value = value;
            current.source = source.map(str::to_owned);
            current.submission_id = submission_id;
            match (current.new_row, current.update) {
                (Some(new_row), _) => {
                    let row = &mut plan.new_rows[new_row];
                    row.value = value;
                    row.revision = current.revision;
                    row.source = source;
                }
                (None, Some(update)) => {
                    let row = &mut plan.updates[update];
                    row.value = value;
                    row.revision = current.revision;
                    row.source = source;
                }
                (None, None) => {
                    plan.updates.push(Update {
                        id: current.id,
                        value,
                        revision: current.revision,
                        source,
                    });
                    current.update = Some(plan.updates.len() - 1);
                }
            }
            plan.revised += 1;
        }
    }
    plan.new_rows.sort_unstable_by_key(|row| row.id);
    plan.updates.sort_unstable_by_key(|update| update.id);
    plan.revisions
        .sort_unstable_by_key(|revision| (revision.observation_id, revision.revision));
    Ok(plan)
}

/// The audit entry of an import: the file, its counts and submission, and for every revised
/// key the revision it superseded (`before`) and the one that replaced it (`after`), listed up
/// to [`audit::LISTED_ITEMS`] and counted beyond.
fn import_audit(
    rows: &BatchRows<'_>,
    plan: &Plan,
    submission: &Submission,
    outcome: &RecordOutcome,
) -> Result<NewAuditEntry, StoreError> {
    let (superseded, unlisted) = capped(plan.revisions.iter().map(|revision| {
        serde_json::json!({
            "key": rows.keys[revision.superseded_by],
            "revision": revision.revision,
            "value": revision.value,
            "source": revision.source,
        })
    }))?;
    let (replacing, _) = capped(plan.revisions.iter().map(|revision| {
        let observation = &rows.batch[revision.superseded_by];
        serde_json::json!({
            "key": rows.keys[revision.superseded_by],
            "revision": revision.revision + 1,
            "value": rows.values[revision.superseded_by],
            "source": observation.source,
        })
    }))?;
    // An import is about one country's data; a batch of several has no one owner to name.
    let country = match rows.batch.first() {
        Some(first)
            if rows
                .batch
                .iter()
                .all(|o| o.key.country == first.key.country) =>
        {
            Some(first.key.country)
        }
        _ => None,
    };
    let before = (!plan.revisions.is_empty())
        .then(|| serde_json::json!({ "revisions": superseded, "unlisted": unlisted }));
    Ok(NewAuditEntry {
        action: "import".to_owned(),
        subject: format!("submission:{}", outcome.submission_id),
        country,
        before,
        after: Some(serde_json::json!({
            "submission": outcome.submission_id,
            "file": submission.note,
            "submitted_by": submission.submitted_by,
            "rows": rows.batch.len(),
            "new": outcome.inserted,
            "revised": outcome.revised,
            "unchanged": outcome.unchanged,
            "revisions": replacing,
            "unlisted": unlisted,
        })),
    })
}

/// One column of a chunk, for binding as a PostgreSQL array.
fn column<'r, R, T>(chunk: &'r [R], value: impl Fn(&'r R) -> T) -> Vec<T> {
    chunk.iter().map(value).collect()
}

/// `(?, ?, …)` repeated `rows` times, comma separated.
fn sqlite_values(rows: usize, columns: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    vec![row; rows].join(", ")
}

/// The new rows of one chunk as a JSON array of arrays, in the column order of the
/// `INSERT` in [`record_sqlite`] (the submission, the same for all, is bound apart).
fn sqlite_new_rows_json(rows: &BatchRows<'_>, chunk: &[NewRow]) -> Result<String, StoreError> {
    let records: Vec<_> = chunk
        .iter()
        .map(|row| {
            let key = &rows.batch[row.index].key;
            let breakdown = &key.breakdown;
            (
                rows.keys[row.index].as_str(),
                key.country.as_str(),
                key.place.as_ref().map(|p| p.as_str()),
                key.period.granularity().as_str(),
                rows.periods[row.index].as_str(),
                // Dates are stored as `YYYY-MM-DD` text (chrono's Display), as sqlx binds them.
                key.period.start().to_string(),
                key.period.end().to_string(),
                key.measure.code(),
                breakdown.nationality.as_ref().map(|n| n.as_str()),
                breakdown.sex.map(Sex::code),
                breakdown.age_group.map(|a| a.code()),
                breakdown.vulnerability.map(|v| v.code()),
                row.value,
                row.revision,
                row.source,
            )
        })
        .collect();
    serde_json::to_string(&records).map_err(|e| StoreError::Backend(e.to_string()))
}

async fn record_sqlite(
    tx: &mut SqliteConnection,
    rows: &BatchRows<'_>,
    submission: &Submission,
) -> Result<(RecordOutcome, NewAuditEntry), StoreError> {
    let submission_id: i64 = sqlx::query_scalar(
        "INSERT INTO submission (submitted_by, submitted_at, note) VALUES (?, ?, ?) RETURNING id",
    )
    .bind(&submission.submitted_by)
    .bind(sqlite_timestamp(&submission.submitted_at))
    .bind(&submission.note)
    .fetch_one(&mut *tx)
    .await?;

    // Inside this write transaction (BEGIN IMMEDIATE) no one else can insert, so the ids
    // after the largest one are free.
    let first_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM observation")
        .fetch_one(&mut *tx)
        .await?;
    let mut existing = HashMap::new();
    // An empty table (the first import) has no keys to find.
    let lookup = if first_id > 1 {
        rows.distinct_keys()
    } else {
        Vec::new()
    };
    // In text order, the lookups walk the key index from left to right. Each chunk of keys
    // travels as one JSON array parameter: binding tens of thousands of parameters one by
    // one costs more than SQLite's JSON parser does.
    for chunk in lookup.chunks(SQLITE_LOOKUP_KEYS) {
        let keys = serde_json::to_string(chunk).map_err(|e| StoreError::Backend(e.to_string()))?;
        let found = sqlx::query(
            "SELECT o.key, o.id, o.value, o.revision, o.source, o.submission_id \
             FROM json_each(?) AS j JOIN observation o ON o.key = j.value",
        )
        .bind(keys)
        .fetch_all(&mut *tx)
        .await?;
        for row in &found {
            let (key, current) = Existing::from_row(row)?;
            existing.insert(key, current);
        }
    }

    let plan = plan(rows, existing, first_id.., submission_id)?;

    // Each chunk of new rows travels as one JSON array of row arrays, unpacked by
    // `json_each`: SQLite parses it faster than sqlx binds 17 parameters a row. The OFFSET
    // keeps the subquery from being flattened, so each row's array is turned into text once
    // (and parsed once, from SQLite's JSON cache) rather than once per column.
    //
    // SQLite runs on sqlx's worker thread, so the next chunk's JSON is written here while
    // the worker inserts the current one: both cores work and the text costs no wall time.
    let chunks: Vec<&[NewRow<'_>]> = plan.new_rows.chunks(SQLITE_INSERT_ROWS).collect();
    let mut json = match chunks.first() {
        Some(chunk) => sqlite_new_rows_json(rows, chunk)?,
        None => String::new(),
    };
    for (number, chunk) in chunks.iter().enumerate() {
        // The new ids are consecutive in key order (see `plan`), so a row's id is the
        // chunk's first id plus its position in the chunk.
        let chunk_first_id = chunk.first().map_or(0, |row| row.id);
        debug_assert!(chunk
            .iter()
            .zip(chunk_first_id..)
            .all(|(row, id)| row.id == id));
        let insert = sqlx::query(
            "INSERT INTO observation (id, key, country, place, granularity, period, period_start, \
             period_end, measure, nationality, sex, age_group, vulnerability, value, revision, \
             source, submission_id) \
             SELECT ? + n, v ->> 0, v ->> 1, v ->> 2, v ->> 3, v ->> 4, v ->> 5, v ->> 6, \
             v ->> 7, v ->> 8, v ->> 9, v ->> 10, v ->> 11, v ->> 12, v ->> 13, v ->> 14, ? \
             FROM (SELECT key AS n, value AS v FROM json_each(?) LIMIT -1 OFFSET 0)",
        )
        .bind(chunk_first_id)
        .bind(submission_id)
        .bind(std::mem::take(&mut json))
        .execute(&mut *tx);
        let following = chunks.get(number + 1);
        // `join!` polls the insert first, which hands it to the worker; the JSON of the next
        // chunk is then written while the worker runs it.
        let (inserted, following) = tokio::join!(insert, async {
            following
                .map(|chunk| sqlite_new_rows_json(rows, chunk))
                .transpose()
        });
        inserted?;
        json = following?.unwrap_or_default();
    }

    for chunk in plan.updates.chunks(SQLITE_NARROW_ROWS) {
        let sql = format!(
            "UPDATE observation SET value = u.column2, revision = u.column3, source = u.column4, \
             submission_id = ? FROM (VALUES {}) AS u WHERE observation.id = u.column1",
            sqlite_values(chunk.len(), 4)
        );
        let mut query = sqlx::query(&sql).bind(submission_id);
        for update in chunk {
            query = query
                .bind(update.id)
                .bind(update.value)
                .bind(update.revision)
                .bind(update.source);
        }
        query.execute(&mut *tx).await?;
    }

    for chunk in plan.revisions.chunks(SQLITE_NARROW_ROWS) {
        let sql = format!(
            "INSERT INTO observation_revision (observation_id, revision, value, source, \
             submission_id) VALUES {}",
            sqlite_values(chunk.len(), 5)
        );
        let mut query = sqlx::query(&sql);
        for revision in chunk {
            query = query
                .bind(revision.observation_id)
                .bind(revision.revision)
                .bind(revision.value)
                .bind(revision.source.as_deref())
                .bind(revision.submission_id);
        }
        query.execute(&mut *tx).await?;
    }

    let outcome = RecordOutcome {
        submission_id,
        inserted: plan.inserted,
        revised: plan.revised,
        unchanged: plan.unchanged,
    };
    let entry = import_audit(rows, &plan, submission, &outcome)?;
    Ok((outcome, entry))
}

async fn record_postgres(
    tx: &mut PgConnection,
    rows: &BatchRows<'_>,
    submission: &Submission,
) -> Result<(RecordOutcome, NewAuditEntry), StoreError> {
    let submission_id: i64 = sqlx::query_scalar(
        "INSERT INTO submission (submitted_by, submitted_at, note) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(&submission.submitted_by)
    .bind(submission.submitted_at)
    .bind(&submission.note)
    .fetch_one(&mut *tx)
    .await?;

    let mut existing = HashMap::new();
    let lookup = rows.distinct_keys();
    for chunk in lookup.chunks(POSTGRES_ROWS) {
        let found = sqlx::query(
            "SELECT key, id, value, revision, source, submission_id FROM observation \
             WHERE key = ANY($1)",
        )
        .bind(chunk)
        .fetch_all(&mut *tx)
        .await?;
        for row in &found {
            let (key, current) = Existing::from_row(row)?;
            existing.insert(key, current);
        }
    }

    let needed = count_new_keys(rows, &existing);
    let ids: Vec<i64> = if needed == 0 {
        Vec::new()
    } else {
        sqlx::query_scalar("SELECT nextval('observation_id_seq') FROM generate_series(1, $1)")
            .bind(i64::try_from(needed).map_err(|e| StoreError::Backend(e.to_string()))?)
            .fetch_all(&mut *tx)
            .await?
    };
    if ids.len() != needed {
        return Err(StoreError::Backend(format!(
            "{} observation ids were reserved, {needed} needed",
            ids.len()
        )));
    }
    let plan = plan(rows, existing, ids.into_iter(), submission_id)?;

    for chunk in plan.new_rows.chunks(POSTGRES_ROWS) {
        let key = |row: &NewRow| &rows.batch[row.index].key;
        sqlx::query(
            "INSERT INTO observation (id, key, country, place, granularity, period, period_start, \
             period_end, measure, nationality, sex, age_group, vulnerability, value, revision, \
             source, submission_id) \
             SELECT u.*, $17 FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], \
             $5::TEXT[], $6::TEXT[], $7::DATE[], $8::DATE[], $9::TEXT[], $10::TEXT[], $11::TEXT[], \
             $12::TEXT[], $13::TEXT[], $14::BIGINT[], $15::INT[], $16::TEXT[]) AS u",
        )
        .bind(chunk.iter().map(|row| row.id).collect::<Vec<_>>())
        .bind(column(chunk, |row| rows.keys[row.index].as_str()))
        .bind(column(chunk, |row| key(row).country.as_str()))
        .bind(column(chunk, |row| {
            key(row).place.as_ref().map(|p| p.as_str())
        }))
        .bind(column(chunk, |row| key(row).period.granularity().as_str()))
        .bind(column(chunk, |row| rows.periods[row.index].as_str()))
        .bind(
            chunk
                .iter()
                .map(|row| key(row).period.start())
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|row| key(row).period.end())
                .collect::<Vec<_>>(),
        )
        .bind(column(chunk, |row| key(row).measure.code()))
        .bind(column(chunk, |row| {
            key(row).breakdown.nationality.as_ref().map(|n| n.as_str())
        }))
        .bind(column(chunk, |row| key(row).breakdown.sex.map(Sex::code)))
        .bind(column(chunk, |row| {
            key(row).breakdown.age_group.map(|a| a.code())
        }))
        .bind(column(chunk, |row| {
            key(row).breakdown.vulnerability.map(|v| v.code())
        }))
        .bind(chunk.iter().map(|row| row.value).collect::<Vec<_>>())
        .bind(chunk.iter().map(|row| row.revision).collect::<Vec<_>>())
        .bind(column(chunk, |row| row.source))
        .bind(submission_id)
        .execute(&mut *tx)
        .await?;
    }

    for chunk in plan.updates.chunks(POSTGRES_ROWS) {
        sqlx::query(
            "UPDATE observation o SET value = u.value, revision = u.revision, source = u.source, \
             submission_id = $5 \
             FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::INT[], $4::TEXT[]) AS u (id, value, revision, source) \
             WHERE o.id = u.id",
        )
        .bind(chunk.iter().map(|u| u.id).collect::<Vec<_>>())
        .bind(chunk.iter().map(|u| u.value).collect::<Vec<_>>())
        .bind(chunk.iter().map(|u| u.revision).collect::<Vec<_>>())
        .bind(chunk.iter().map(|u| u.source).collect::<Vec<_>>())
        .bind(submission_id)
        .execute(&mut *tx)
        .await?;
    }

    for chunk in plan.revisions.chunks(POSTGRES_ROWS) {
        sqlx::query(
            "INSERT INTO observation_revision (observation_id, revision, value, source, submission_id) \
             SELECT * FROM UNNEST($1::BIGINT[], $2::INT[], $3::BIGINT[], $4::TEXT[], $5::BIGINT[])",
        )
        .bind(chunk.iter().map(|r| r.observation_id).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| r.revision).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| r.value).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| r.source.as_deref()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| r.submission_id).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await?;
    }

    let outcome = RecordOutcome {
        submission_id,
        inserted: plan.inserted,
        revised: plan.revised,
        unchanged: plan.unchanged,
    };
    let entry = import_audit(rows, &plan, submission, &outcome)?;
    Ok((outcome, entry))
}

#[cfg(test)]
mod tests {
    use corredor_core::{Period, Vulnerability};

    use super::*;
    use crate::benchmark::synthetic_observations;

    #[test]
    fn key_and_period_give_the_same_key_text_as_every_other_statement() {
        let mut observations = synthetic_observations(0, 5_000).unwrap();
        let mut vulnerable = observations[7].clone();
        vulnerable.key.breakdown.vulnerability = Some(Vulnerability::FamilyUnit);
        vulnerable.key.period = Period::parse("2024-W07").unwrap();
        observations.push(vulnerable);
        for observation in &observations {
            let (key, period) = key_and_period(&observation.key);
            assert_eq!(key, key_text(&observation.key));
            assert_eq!(period, observation.key.period.to_string());
        }
    }

    #[test]
    fn a_batch_is_grouped_by_key_in_text_order_and_each_key_in_batch_order() {
        let mut batch = synthetic_observations(0, 300).unwrap();
        batch.reverse();
        // The same key three times, at the start, the middle and the end of the batch.
        batch.insert(150, batch[0].clone());
        batch.push(batch[0].clone());
        let rows = BatchRows::new(&batch).unwrap();
        let groups: Vec<&[usize]> = rows.groups().collect();
        assert_eq!(groups.len(), 300);
        let keys: Vec<&str> = groups.iter().map(|g| rows.keys[g[0]].as_str()).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(keys, sorted);
        let repeated = groups.iter().find(|g| g.len() > 1).unwrap();
        assert_eq!(*repeated, &[0, 150, 301][..]);
        assert!(groups
            .iter()
            .all(|g| g.iter().all(|&i| rows.keys[i] == rows.keys[g[0]])));
    }
}
