//! Recording a batch of observations: one transaction, series and keys resolved in bulk,
//! rows written with `json_each` and multi-row `INSERT`s (SQLite) or `UNNEST` arrays
//! (PostgreSQL).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use corredor_core::{Observation, ObservationKey, Sex};
use rayon::prelude::*;
use sqlx::pool::PoolConnection;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnection;
use sqlx::Row;
use sqlx::{Connection, Sqlite};

use crate::audit::{self, capped, NewAuditEntry};
use crate::error::StoreError;
use crate::model::{RecordOutcome, Submission};
use crate::observations::{key_text, series_fields};
use crate::sql::{sqlite_timestamp, Param};
use crate::{Pool, Store};

/// SQLite allows 32,766 parameters per statement: new values (eight parameters a row) and
/// corrections (five or six) are written by multi-row `INSERT`s of 4,000 rows, which makes the
/// per-statement cost negligible. Keys to look up and new series travel as one JSON parameter
/// per chunk, cheaper than binding as many parameters.
const SQLITE_VALUES_ROWS: usize = 4_000;
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
    /// Each row's key text, `series key|period` (see [`key_text`]).
    keys: Vec<String>,
    periods: Vec<String>,
    values: Vec<i64>,
    /// The positions of the batch in key text order, and within one key in batch order:
    /// each key's submissions are then next to each other, in the order they were made, and
    /// each series' keys are next to each other, in period order.
    order: Vec<usize>,
}

impl<'a> BatchRows<'a> {
    fn new(batch: &'a [Observation]) -> Result<BatchRows<'a>, StoreError> {
        // A million key texts take a noticeable part of an import: they are built, and sorted,
        // on every core (nothing else runs yet).
        let values = batch
            .par_iter()
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
            batch.par_iter().map(|o| key_and_period(&o.key)).unzip();
        let mut order: Vec<usize> = (0..batch.len()).collect();
        // One sort gives both the distinct keys in text order and each key's submissions
        // together, with no hash table of a million keys. `|` is in no code, so all the keys
        // of one series (which share the prefix `series key|`) are next to each other.
        order.par_sort_unstable_by(|&a, &b| keys[a].cmp(&keys[b]).then(a.cmp(&b)));
        Ok(BatchRows {
            batch,
            keys,
            periods,
            values,
            order,
        })
    }

    /// The series key text of row `index`: its key text without `|period`.
    fn series_key(&self, index: usize) -> &str {
        let key = &self.keys[index];
        &key[..key.len() - self.periods[index].len() - 1]
    }

    /// The positions of the batch grouped by key, keys in text order and each key's
    /// positions in batch order.
    fn groups(&self) -> impl Iterator<Item = &[usize]> {
        self.order.chunk_by(|&a, &b| self.keys[a] == self.keys[b])
    }

    /// The positions of the batch grouped by series, in series key order.
    fn series_groups(&self) -> impl Iterator<Item = &[usize]> {
        self.order
            .chunk_by(|&a, &b| self.series_key(a) == self.series_key(b))
    }
}

/// The key text of [`key_text`] and the period's text, with the period formatted once:
/// at a million rows `format!` and a second `Display` of the period are a noticeable part
/// of an import.
fn key_and_period(key: &ObservationKey) -> (String, String) {
    let period = key.period.to_string();
    let fields = series_fields(key);
    let mut text =
        String::with_capacity(fields.iter().map(|f| f.len() + 1).sum::<usize>() + period.len());
    for field in fields {
        text.push_str(field);
        text.push('|');
    }
    text.push_str(&period);
    (text, period)
}

/// The series of a batch: each row's series id, once the series not stored yet have been
/// given theirs.
struct SeriesIds {
    /// The series id of each row of the batch.
    of_row: Vec<i64>,
    /// One row of each series not stored before this batch, in series key order, with the id
    /// it gets: these are the series to insert, and they have no stored values to look up.
    new: Vec<(usize, i64)>,
    /// The rows of each series stored before this batch, as ranges of [`BatchRows::order`]:
    /// only their keys can have a stored value.
    stored: Vec<Range<usize>>,
}

impl SeriesIds {
    /// Gives each row the id of its series: the stored one from `found` (series key → id),
    /// or the next of `new_ids` for a series not stored yet.
    fn assign(
        rows: &BatchRows<'_>,
        found: &HashMap<String, i64>,
        mut new_ids: impl Iterator<Item = i64>,
    ) -> Result<SeriesIds, StoreError> {
        let mut of_row = vec![0; rows.batch.len()];
        let mut new = Vec::new();
        let mut stored = Vec::new();
        let mut offset = 0;
        for group in rows.series_groups() {
            let range = offset..offset + group.len();
            offset = range.end;
            let id = match found.get(rows.series_key(group[0])) {
                Some(&id) => {
                    stored.push(range);
                    id
                }
                None => {
                    let id = new_ids.next().ok_or_else(|| {
                        StoreError::Backend("no series id was reserved for a new series".into())
                    })?;
                    new.push((group[0], id));
                    id
                }
            };
            for &index in group {
                of_row[index] = id;
            }
        }
        Ok(SeriesIds {
            of_row,
            new,
            stored,
        })
    }
}

/// The distinct series keys of a batch, in key order.
fn distinct_series<'r>(rows: &'r BatchRows<'_>) -> Vec<&'r str> {
    rows.series_groups()
        .map(|group| rows.series_key(group[0]))
        .collect()
}

/// How many series of the batch are not stored yet.
fn count_new_series(rows: &BatchRows<'_>, found: &HashMap<String, i64>) -> usize {
    rows.series_groups()
        .filter(|group| !found.contains_key(rows.series_key(group[0])))
        .count()
}

/// One row of each key of the batch whose series was stored before it: only those keys can
/// have a stored value.
fn keys_to_look_up(rows: &BatchRows<'_>, series: &SeriesIds) -> Vec<usize> {
    series
        .stored
        .iter()
        .flat_map(|range| {
            rows.order[range.clone()]
                .chunk_by(|&a, &b| rows.keys[a] == rows.keys[b])
                .map(|group| group[0])
        })
        .collect()
}

/// The current state of a key already stored.
struct Existing {
    value: i64,
    revision: i32,
    source: Option<String>,
    submission_id: i64,
}

impl Existing {
    /// Reads `key, value, revision, source, submission_id`, the columns both backends'
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
            value: row.try_get(1)?,
            revision: row.try_get(2)?,
            source: row.try_get(3)?,
            submission_id: row.try_get(4)?,
        };
        Ok((row.try_get(0)?, existing))
    }
}

/// A key first seen in this batch (row `index` names it), with its final state after the
/// batch.
struct NewRow<'b> {
    index: usize,
    value: i64,
    revision: i32,
    source: Option<&'b str>,
}

/// The new current state of a key already stored (row `index` names it).
struct Update<'b> {
    index: usize,
    value: i64,
    revision: i32,
    source: Option<&'b str>,
}

/// A revision that a later one of this batch supersedes, with the submission that brought it.
struct RevisionRow {
    /// The row of the batch that supersedes it: it names the key, and the audit entry lists it.
    superseded_by: usize,
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

/// Decides, key by key, what to write.
///
/// `observation` holds the current revision of each key and `observation_revision` every
/// earlier one, so a correction first moves the revision it supersedes (with its own
/// submission) into `observation_revision`, and a new key writes one row only.
///
/// Rows are written in (series id, period) order, the order of the observation table's
/// primary key: new series get their ids in key order, so the values of a first import are
/// appended to it in order. Each key's submissions are taken in batch order, so a key given
/// twice is two successive submissions of it.
fn plan<'b>(
    rows: &'b BatchRows<'_>,
    series: &SeriesIds,
    mut existing: HashMap<String, Existing>,
    submission_id: i64,
) -> Plan<'b> {
    /// The state of one key as the batch's submissions of it are applied.
    struct Current {
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
                let value = rows.values[index];
                let source = rows.batch[index].source.as_deref();
                plan.new_rows.push(NewRow {
                    index,
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
                        index: group[0],
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
    // Stable sorts: within one series the rows are already in period order.
    let series_of = |index: usize| series.of_row[index];
    plan.new_rows.sort_by_key(|row| series_of(row.index));
    plan.updates.sort_by_key(|update| series_of(update.index));
    plan.revisions
        .sort_by_key(|revision| series_of(revision.superseded_by));
    plan
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

fn json(value: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Backend(e.to_string()))
}

/// The new series of one chunk as a JSON array of arrays, in the column order of the series
/// `INSERT` in [`record_sqlite`].
fn sqlite_new_series_json(
    rows: &BatchRows<'_>,
    chunk: &[(usize, i64)],
) -> Result<String, StoreError> {
    let records: Vec<_> = chunk
        .iter()
        .map(|&(index, id)| {
            let key = &rows.batch[index].key;
            let breakdown = &key.breakdown;
            (
                id,
                rows.series_key(index),
                key.measure.code(),
                key.period.granularity().as_str(),
                key.country.as_str(),
                key.place.as_ref().map(|p| p.as_str()),
                breakdown.sex.map(Sex::code),
                breakdown.age_group.map(|a| a.code()),
                breakdown.vulnerability.map(|v| v.code()),
                breakdown.nationality.as_ref().map(|n| n.as_str()),
            )
        })
        .collect();
    json(&records)
}

/// The `INSERT` of `rows` new values (bound as [`bind_new_rows`] does).
fn sqlite_insert_values(rows: usize) -> String {
    format!(
        "INSERT INTO observation (series_id, period_start, period, period_end, value, revision, \
         source, submission_id) VALUES {}",
        sqlite_values(rows, 8)
    )
}

type SqliteQuery<'q> = sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

/// Binds the values of one chunk of new rows to [`sqlite_insert_values`].
fn bind_new_rows<'q>(
    mut query: SqliteQuery<'q>,
    rows: &'q BatchRows<'_>,
    series: &SeriesIds,
    chunk: &[NewRow<'q>],
    submission_id: i64,
) -> SqliteQuery<'q> {
    for row in chunk {
        let period = &rows.batch[row.index].key.period;
        query = query
            .bind(series.of_row[row.index])
            // Dates are stored as `YYYY-MM-DD` text (chrono's Display), as sqlx binds them.
            .bind(period.start().to_string())
            .bind(rows.periods[row.index].as_str())
            .bind(period.end().to_string())
            .bind(row.value)
            .bind(row.revision)
            .bind(row.source)
            .bind(submission_id);
    }
    query
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
    let first_series_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM series")
        .fetch_one(&mut *tx)
        .await?;
    let mut found = HashMap::new();
    // An empty table (the first import) has no series to find. Each chunk of keys travels as
    // one JSON array parameter: binding thousands of parameters one by one costs more than
    // SQLite's JSON parser does.
    if first_series_id > 1 {
        for chunk in distinct_series(rows).chunks(SQLITE_LOOKUP_KEYS) {
            let keys = sqlx::query(
                "SELECT s.key, s.id FROM json_each(?) AS j JOIN series s ON s.key = j.value",
            )
            .bind(json(&chunk)?)
            .fetch_all(&mut *tx)
            .await?;
            for row in &keys {
                found.insert(row.try_get::<String, _>(0)?, row.try_get::<i64, _>(1)?);
            }
        }
    }
    let series = SeriesIds::assign(rows, &found, first_series_id..)?;

    // Only a key of a series stored before can have a stored value; it is found by the
    // observation table's primary key, (series, period start).
    let mut existing = HashMap::new();
    for chunk in keys_to_look_up(rows, &series).chunks(SQLITE_LOOKUP_KEYS) {
        let pairs: Vec<(i64, String)> = chunk
            .iter()
            .map(|&index| {
                (
                    series.of_row[index],
                    rows.batch[index].key.period.start().to_string(),
                )
            })
            .collect();
        let stored = sqlx::query(
            "SELECT s.key || '|' || o.period, o.value, o.revision, o.source, o.submission_id \
             FROM json_each(?) AS j \
             JOIN observation o ON o.series_id = j.value ->> 0 AND o.period_start = j.value ->> 1 \
             JOIN series s ON s.id = o.series_id",
        )
        .bind(json(&pairs)?)
        .fetch_all(&mut *tx)
        .await?;
        for row in &stored {
            let (key, current) = Existing::from_row(row)?;
            existing.insert(key, current);
        }
    }

    // The foreign keys to country and place are checked here, once per series. The worker
    // inserts the new series while the values to write are decided here.
    let new_series = async {
        for chunk in series.new.chunks(SQLITE_LOOKUP_KEYS) {
            sqlx::query(
                "INSERT INTO series (id, key, measure, granularity, country, place, sex, \
                 age_group, vulnerability, nationality) \
                 SELECT v ->> 0, v ->> 1, v ->> 2, v ->> 3, v ->> 4, v ->> 5, v ->> 6, v ->> 7, \
                 v ->> 8, v ->> 9 FROM (SELECT value AS v FROM json_each(?) LIMIT -1 OFFSET 0)",
            )
            .bind(sqlite_new_series_json(rows, chunk)?)
            .execute(&mut *tx)
            .await?;
        }
        Ok::<_, StoreError>(())
    };
    let (inserted, plan) = tokio::join!(new_series, async {
        plan(rows, &series, existing, submission_id)
    });
    inserted?;

    // New values are written by multi-row `INSERT`s of bound parameters, as many rows as
    // SQLite allows parameters. SQLite runs on sqlx's worker thread, so the next chunk is
    // bound here while the worker inserts the current one: both cores work.
    let full = sqlite_insert_values(SQLITE_VALUES_ROWS);
    let last = plan
        .new_rows
        .len()
        .checked_rem(SQLITE_VALUES_ROWS)
        .filter(|&rest| rest > 0)
        .map(sqlite_insert_values);
    let sql_for = |chunk: &[NewRow]| match &last {
        Some(last) if chunk.len() < SQLITE_VALUES_ROWS => last.as_str(),
        _ => full.as_str(),
    };
    let chunks: Vec<&[NewRow<'_>]> = plan.new_rows.chunks(SQLITE_VALUES_ROWS).collect();
    let bound = |chunk| {
        bind_new_rows(
            sqlx::query(sql_for(chunk)),
            rows,
            &series,
            chunk,
            submission_id,
        )
    };
    let mut pending = chunks.first().copied().map(bound);
    let mut following = chunks.iter().skip(1);
    while let Some(query) = pending.take() {
        let next = following.next();
        // `join!` polls the insert first, which hands it to the worker; the next chunk is then
        // bound while the worker runs it.
        let (inserted, next) =
            tokio::join!(query.execute(&mut *tx), async { next.copied().map(bound) });
        inserted?;
        pending = next;
    }

    let start = |index: usize| rows.batch[index].key.period.start().to_string();
    for chunk in plan.updates.chunks(SQLITE_NARROW_ROWS) {
        let sql = format!(
            "UPDATE observation SET value = u.column3, revision = u.column4, \
             source = u.column5, submission_id = ? FROM (VALUES {}) AS u \
             WHERE observation.series_id = u.column1 AND observation.period_start = u.column2",
            sqlite_values(chunk.len(), 5)
        );
        let mut query = sqlx::query(&sql).bind(submission_id);
        for update in chunk {
            query = query
                .bind(series.of_row[update.index])
                .bind(start(update.index))
                .bind(update.value)
                .bind(update.revision)
                .bind(update.source);
        }
        query.execute(&mut *tx).await?;
    }

    for chunk in plan.revisions.chunks(SQLITE_NARROW_ROWS) {
        let sql = format!(
            "INSERT INTO observation_revision (series_id, period_start, revision, value, source, \
             submission_id) VALUES {}",
            sqlite_values(chunk.len(), 6)
        );
        let mut query = sqlx::query(&sql);
        for revision in chunk {
            query = query
                .bind(series.of_row[revision.superseded_by])
                .bind(start(revision.superseded_by))
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

    let mut found = HashMap::new();
    for chunk in distinct_series(rows).chunks(POSTGRES_ROWS) {
        let keys = sqlx::query("SELECT key, id FROM series WHERE key = ANY($1)")
            .bind(chunk)
            .fetch_all(&mut *tx)
            .await?;
        for row in &keys {
            found.insert(row.try_get::<String, _>(0)?, row.try_get::<i64, _>(1)?);
        }
    }
    let needed = count_new_series(rows, &found);
    let ids: Vec<i64> = if needed == 0 {
        Vec::new()
    } else {
        sqlx::query_scalar("SELECT nextval('series_id_seq') FROM generate_series(1, $1)")
            .bind(i64::try_from(needed).map_err(|e| StoreError::Backend(e.to_string()))?)
            .fetch_all(&mut *tx)
            .await?
    };
    if ids.len() != needed {
        return Err(StoreError::Backend(format!(
            "{} series ids were reserved, {needed} needed",
            ids.len()
        )));
    }
    let series = SeriesIds::assign(rows, &found, ids.into_iter())?;
    let key = |index: usize| &rows.batch[index].key;
    for chunk in series.new.chunks(POSTGRES_ROWS) {
        sqlx::query(
            "INSERT INTO series (id, key, measure, granularity, country, place, sex, age_group, \
             vulnerability, nationality) \
             SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], \
             $6::TEXT[], $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::TEXT[])",
        )
        .bind(chunk.iter().map(|&(_, id)| id).collect::<Vec<_>>())
        .bind(column(chunk, |&(index, _)| rows.series_key(index)))
        .bind(column(chunk, |&(index, _)| key(index).measure.code()))
        .bind(column(chunk, |&(index, _)| {
            key(index).period.granularity().as_str()
        }))
        .bind(column(chunk, |&(index, _)| key(index).country.as_str()))
        .bind(column(chunk, |&(index, _)| {
            key(index).place.as_ref().map(|p| p.as_str())
        }))
        .bind(column(chunk, |&(index, _)| {
            key(index).breakdown.sex.map(Sex::code)
        }))
        .bind(column(chunk, |&(index, _)| {
            key(index).breakdown.age_group.map(|a| a.code())
        }))
        .bind(column(chunk, |&(index, _)| {
            key(index).breakdown.vulnerability.map(|v| v.code())
        }))
        .bind(column(chunk, |&(index, _)| {
            key(index)
                .breakdown
                .nationality
                .as_ref()
                .map(|n| n.as_str())
        }))
        .execute(&mut *tx)
        .await?;
    }

    let mut existing = HashMap::new();
    let lookup = keys_to_look_up(rows, &series);
    for chunk in lookup.chunks(POSTGRES_ROWS) {
        let stored = sqlx::query(
            "SELECT s.key || '|' || o.period, o.value, o.revision, o.source, o.submission_id \
             FROM UNNEST($1::BIGINT[], $2::DATE[]) AS u (series_id, period_start) \
             JOIN observation o ON o.series_id = u.series_id AND o.period_start = u.period_start \
             JOIN series s ON s.id = o.series_id",
        )
        .bind(column(chunk, |&index| series.of_row[index]))
        .bind(column(chunk, |&index| key(index).period.start()))
        .fetch_all(&mut *tx)
        .await?;
        for row in &stored {
            let (key, current) = Existing::from_row(row)?;
            existing.insert(key, current);
        }
    }

    let plan = plan(rows, &series, existing, submission_id);

    for chunk in plan.new_rows.chunks(POSTGRES_ROWS) {
        sqlx::query(
            "INSERT INTO observation (series_id, period_start, period, period_end, value, \
             revision, source, submission_id) \
             SELECT u.*, $8 FROM UNNEST($1::BIGINT[], $2::DATE[], $3::TEXT[], $4::DATE[], \
             $5::BIGINT[], $6::INT[], $7::TEXT[]) AS u",
        )
        .bind(column(chunk, |row| series.of_row[row.index]))
        .bind(column(chunk, |row| key(row.index).period.start()))
        .bind(column(chunk, |row| rows.periods[row.index].as_str()))
        .bind(column(chunk, |row| key(row.index).period.end()))
        .bind(column(chunk, |row| row.value))
        .bind(column(chunk, |row| row.revision))
        .bind(column(chunk, |row| row.source))
        .bind(submission_id)
        .execute(&mut *tx)
        .await?;
    }

    for chunk in plan.updates.chunks(POSTGRES_ROWS) {
        sqlx::query(
            "UPDATE observation o SET value = u.value, revision = u.revision, source = u.source, \
             submission_id = $6 \
             FROM UNNEST($1::BIGINT[], $2::DATE[], $3::BIGINT[], $4::INT[], $5::TEXT[]) \
             AS u (series_id, period_start, value, revision, source) \
             WHERE o.series_id = u.series_id AND o.period_start = u.period_start",
        )
        .bind(column(chunk, |u| series.of_row[u.index]))
        .bind(column(chunk, |u| key(u.index).period.start()))
        .bind(column(chunk, |u| u.value))
        .bind(column(chunk, |u| u.revision))
        .bind(column(chunk, |u| u.source))
        .bind(submission_id)
        .execute(&mut *tx)
        .await?;
    }

    for chunk in plan.revisions.chunks(POSTGRES_ROWS) {
        sqlx::query(
            "INSERT INTO observation_revision (series_id, period_start, revision, value, source, \
             submission_id) \
             SELECT * FROM UNNEST($1::BIGINT[], $2::DATE[], $3::INT[], $4::BIGINT[], $5::TEXT[], \
             $6::BIGINT[])",
        )
        .bind(column(chunk, |r| series.of_row[r.superseded_by]))
        .bind(column(chunk, |r| key(r.superseded_by).period.start()))
        .bind(column(chunk, |r| r.revision))
        .bind(column(chunk, |r| r.value))
        .bind(column(chunk, |r| r.source.as_deref()))
        .bind(column(chunk, |r| r.submission_id))
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
