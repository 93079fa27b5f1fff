//! Webhooks: national systems' subscriptions to alerts, the deliveries owed to them and the
//! log of every attempt.
//!
//! A webhook is configuration and is audited like any write; deliveries and attempts are an
//! operational log (like sessions), written outside the audit chain so that a partner system
//! that is down does not fill the audit log with retries.

use chrono::{DateTime, Utc};
use corredor_core::AlertId;
use serde::{Deserialize, Serialize};

use crate::audit::{push_timestamp, NewAuditEntry};
use crate::error::StoreError;
use crate::sql::{Param, RowAccess};
use crate::Store;

/// A subscription to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewWebhook {
    pub organisation: String,
    pub url: String,
    /// The key of the HMAC-SHA256 signature of every delivery.
    pub secret: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// A stored subscription. Its secret is never serialized: it is shown once, when created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: i64,
    pub organisation: String,
    pub url: String,
    #[serde(skip_serializing, default)]
    pub secret: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not yet accepted by the receiver; tried again at `next_attempt_at`.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed; no more are made.
    Failed,
}

impl DeliveryState {
    pub fn code(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    fn parse(raw: &str) -> Result<DeliveryState, StoreError> {
        match raw {
            "pending" => Ok(DeliveryState::Pending),
            "delivered" => Ok(DeliveryState::Delivered),
            "failed" => Ok(DeliveryState::Failed),
            other => Err(StoreError::corrupt(format!("delivery state `{other}`"))),
        }
    }
}

/// An event owed to a webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDelivery {
    pub webhook_id: i64,
    /// `alert.activated`, `alert.updated`, …
    pub event: String,
    pub alert_id: AlertId,
    /// The JSON body sent, exactly as signed.
    pub payload: String,
    pub created_at: DateTime<Utc>,
}

/// A delivery with its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    pub event: String,
    pub alert_id: AlertId,
    pub payload: String,
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// One attempt at a delivery: the receiver's status code, or why there was none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryAttempt {
    pub attempt: u32,
    pub at: DateTime<Utc>,
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: u64,
}

/// What an attempt leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered,
    RetryAt(DateTime<Utc>),
    GiveUp,
}

const DELIVERY_COLUMNS: &str = "id, webhook_id, event, alert_id, payload, state, attempts, \
    next_attempt_at, created_at, delivered_at";

impl Store {
    /// Subscribes an organisation's system to the alerts it may see.
    pub async fn create_webhook(&self, webhook: &NewWebhook) -> Result<Webhook, StoreError> {
        let mut tx = self.begin_audited().await?;
        let mut insert = tx.sql(
            "INSERT INTO webhook (organisation, url, secret, created_by, created_at) VALUES (",
        );
        insert.bind(Param::Text(webhook.organisation.clone()));
        insert.push(", ");
        insert.bind(Param::Text(webhook.url.clone()));
        insert.push(", ");
        insert.bind(Param::Text(webhook.secret.clone()));
        insert.push(", ");
        insert.bind(Param::Text(webhook.created_by.clone()));
        insert.push(", ");
        push_timestamp(&mut insert, self.backend(), webhook.created_at);
        insert.push(") RETURNING id");
        let id = tx
            .fetch(insert, |row| row.integer(0))
            .await?
            .pop()
            .ok_or_else(|| StoreError::Backend("the webhook got no id".to_owned()))?;
        let entry = NewAuditEntry {
            action: "create_webhook".to_owned(),
            subject: format!("webhook:{id}"),
            country: None,
            before: None,
            // Never the secret.
            after: Some(serde_json::json!({
                "organisation": webhook.organisation,
                "url": webhook.url,
            })),
        };
        tx.audit(self.actor(), &entry).await?;
        tx.commit().await?;
        self.webhook(id).await
    }

    /// One webhook, or [`StoreError::NotFound`].
    pub async fn webhook(&self, id: i64) -> Result<Webhook, StoreError> {
        let mut sql = self.sql(&format!("{WEBHOOK_SELECT} WHERE id = "));
        sql.bind(Param::Integer(id));
        self.fetch(sql, webhook_from_row)
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(format!("webhook {id}")))
    }

    /// The webhooks of an organisation (every organisation's when `None`), enabled or not.
    pub async fn webhooks(&self, organisation: Option<&str>) -> Result<Vec<Webhook>, StoreError> {
        let mut sql = self.sql(&format!("{WEBHOOK_SELECT} WHERE 1 = 1"));
        if let Some(organisation) = organisation {
            sql.push(" AND organisation = ");
            sql.bind(Param::Text(organisation.to_owned()));
        }
        sql.push(" ORDER BY organisation, id");
        self.fetch(sql, webhook_from_row).await
    }

    /// Stops a webhook; its deliveries and their log stay.
    pub async fn disable_webhook(&self, id: i64, at: DateTime<Utc>) -> Result<Webhook, StoreError> {
        let before = self.webhook(id).await?;
        let mut tx = self.begin_audited().await?;
        let mut update = tx.sql("UPDATE webhook SET disabled_at = ");
        push_timestamp(&mut update, self.backend(), at);
        update.push(" WHERE id = ");
        update.bind(Param::Integer(id));
        update.push(" AND disabled_at IS NULL");
        tx.execute(update).await?;
        let mut cancel = tx.sql(
            "UPDATE webhook_delivery SET state = 'failed', next_attempt_at = NULL \
             WHERE state = 'pending' AND webhook_id = ",
        );
        cancel.bind(Param::Integer(id));
        tx.execute(cancel).await?;
        let entry = NewAuditEntry {
            action: "disable_webhook".to_owned(),
            subject: format!("webhook:{id}"),
            country: None,
            before: Some(serde_json::json!({ "disabled_at": before.disabled_at })),
            after: Some(serde_json::json!({ "disabled_at": at })),
        };
        tx.audit(self.actor(), &entry).await?;
        tx.commit().await?;
        self.webhook(id).await
    }

    /// Queues deliveries, due at once, and returns them.
    pub async fn enqueue_deliveries(
        &self,
        deliveries: &[NewDelivery],
    ) -> Result<Vec<Delivery>, StoreError> {
        let mut tx = self.begin().await?;
        let mut ids = Vec::with_capacity(deliveries.len());
        for delivery in deliveries {
            let mut insert = tx.sql(
                "INSERT INTO webhook_delivery (webhook_id, event, alert_id, payload, state, \
                 attempts, next_attempt_at, created_at) VALUES (",
            );
            insert.bind(Param::Integer(delivery.webhook_id));
            insert.push(", ");
            insert.bind(Param::Text(delivery.event.clone()));
            insert.push(", ");
            insert.bind(Param::Integer(delivery.alert_id.0));
            insert.push(", ");
            insert.bind(Param::Text(delivery.payload.clone()));
            insert.push(", 'pending', 0, ");
            push_timestamp(&mut insert, self.backend(), delivery.created_at);
            insert.push(", ");
            push_timestamp(&mut insert, self.backend(), delivery.created_at);
            insert.push(") RETURNING id");
            ids.extend(tx.fetch(insert, |row| row.integer(0)).await?);
        }
        tx.commit().await?;
        let mut queued = Vec::with_capacity(ids.len());
        for id in ids {
            queued.push(self.delivery(id).await?);
        }
        Ok(queued)
    }

    /// One delivery, or [`StoreError::NotFound`].
    pub async fn delivery(&self, id: i64) -> Result<Delivery, StoreError> {
        let mut sql = self.sql(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_delivery WHERE id = "
        ));
        sql.bind(Param::Integer(id));
        self.fetch(sql, delivery_from_row)
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(format!("delivery {id}")))
    }

    /// Pending deliveries due at `now`, oldest first.
    pub async fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        let mut sql = self.sql(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_delivery WHERE state = 'pending' \
             AND next_attempt_at <= "
        ));
        push_timestamp(&mut sql, self.backend(), now);
        sql.push(" ORDER BY next_attempt_at, id LIMIT ");
        sql.bind(Param::Integer(i64::from(limit)));
        self.fetch(sql, delivery_from_row).await
    }

    /// The earliest time a pending delivery is due, if any is pending.
    pub async fn next_delivery_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let sql = self.sql(
            "SELECT next_attempt_at FROM webhook_delivery WHERE state = 'pending' \
             ORDER BY next_attempt_at LIMIT 1",
        );
        Ok(self.fetch(sql, |row| row.timestamp(0)).await?.pop())
    }

    /// Logs an attempt and moves the delivery on: delivered, due again, or given up.
    pub async fn record_attempt(
        &self,
        delivery_id: i64,
        attempt: &DeliveryAttempt,
        outcome: AttemptOutcome,
    ) -> Result<Delivery, StoreError> {
        let mut tx = self.begin().await?;
        let mut log = tx.sql(
            "INSERT INTO webhook_attempt (delivery_id, attempt, at, status_code, error, \
             duration_ms) VALUES (",
        );
        log.bind(Param::Integer(delivery_id));
        log.push(", ");
        log.bind(Param::Integer(i64::from(attempt.attempt)));
        log.push(", ");
        push_timestamp(&mut log, self.backend(), attempt.at);
        log.push(", ");
        match attempt.status_code {
            Some(code) => log.bind(Param::Integer(i64::from(code))),
            None => log.push("NULL"),
        };
        log.push(", ");
        log.bind(Param::OptionalText(attempt.error.clone()));
        log.push(", ");
        log.bind(Param::Integer(
            i64::try_from(attempt.duration_ms).unwrap_or(i64::MAX),
        ));
        log.push(")");
        tx.execute(log).await?;
        let mut update = tx.sql("UPDATE webhook_delivery SET attempts = ");
        update.bind(Param::Integer(i64::from(attempt.attempt)));
        match outcome {
            AttemptOutcome::Delivered => {
                update.push(", state = 'delivered', next_attempt_at = NULL, delivered_at = ");
                push_timestamp(&mut update, self.backend(), attempt.at);
            }
            AttemptOutcome::RetryAt(at) => {
                update.push(", next_attempt_at = ");
                push_timestamp(&mut update, self.backend(), at);
            }
            AttemptOutcome::GiveUp => {
                update.push(", state = 'failed', next_attempt_at = NULL");
            }
        }
        update.push(" WHERE id = ");
        update.bind(Param::Integer(delivery_id));
        update.push(" AND state = 'pending'");
        if tx.execute(update).await? != 1 {
            return Err(StoreError::Conflict {
                constraint: format!("delivery {delivery_id} is not pending"),
            });
        }
        tx.commit().await?;
        self.delivery(delivery_id).await
    }

    /// A webhook's deliveries, newest first.
    pub async fn deliveries(
        &self,
        webhook_id: i64,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        let mut sql = self.sql(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_delivery WHERE webhook_id = "
        ));
        sql.bind(Param::Integer(webhook_id));
        sql.push(" ORDER BY id DESC LIMIT ");
        sql.bind(Param::Integer(i64::from(limit)));
        self.fetch(sql, delivery_from_row).await
    }

    /// Every attempt at a delivery, first first.
    pub async fn delivery_attempts(
        &self,
        delivery_id: i64,
    ) -> Result<Vec<DeliveryAttempt>, StoreError> {
        let mut sql = self.sql(
            "SELECT attempt, at, COALESCE(status_code, 0), error, duration_ms \
             FROM webhook_attempt WHERE delivery_id = ",
        );
        sql.bind(Param::Integer(delivery_id));
        sql.push(" ORDER BY attempt");
        self.fetch(sql, |row| {
            let status = row.integer(2)?;
            Ok(DeliveryAttempt {
                attempt: u32::try_from(row.integer(0)?).map_err(StoreError::corrupt)?,
                at: row.timestamp(1)?,
                // 0 stands for "no answer": no HTTP status is 0.
                status_code: (status != 0)
                    .then(|| u16::try_from(status).map_err(StoreError::corrupt))
                    .transpose()?,
                error: row.optional_text(3)?,
                duration_ms: u64::try_from(row.integer(4)?).map_err(StoreError::corrupt)?,
            })
        })
        .await
    }
}

const WEBHOOK_SELECT: &str =
    "SELECT id, organisation, url, secret, created_by, created_at, disabled_at FROM webhook";

fn webhook_from_row(row: &dyn RowAccess) -> Result<Webhook, StoreError> {
    Ok(Webhook {
        id: row.integer(0)?,
        organisation: row.text(1)?,
        url: row.text(2)?,
        secret: row.text(3)?,
        created_by: row.text(4)?,
        created_at: row.timestamp(5)?,
        disabled_at: row.optional_timestamp(6)?,
    })
}

fn delivery_from_row(row: &dyn RowAccess) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        id: row.integer(0)?,
        webhook_id: row.integer(1)?,
        event: row.text(2)?,
        alert_id: AlertId(row.integer(3)?),
        payload: row.text(4)?,
        state: DeliveryState::parse(&row.text(5)?)?,
        attempts: u32::try_from(row.integer(6)?).map_err(StoreError::corrupt)?,
        next_attempt_at: row.optional_timestamp(7)?,
        created_at: row.timestamp(8)?,
        delivered_at: row.optional_timestamp(9)?,
    })
}
