//! Migratory alerts, alert levels and their checklists, stranded populations and reminders.
//!
//! An alert is stored whole (`corredor_core::AlertParts` as JSON) and checked back by
//! [`Alert::restore`] on every read, so storage can never hand out an alert that breaks the
//! domain's invariants. The domain keeps everything append-only inside the alert (versions,
//! acknowledgements, action records, state changes); storage adds that no write is lost:
//! [`Store::save_alert`] writes only over the revision it read (otherwise
//! [`StoreError::Conflict`], and the caller reloads), and every document written stays in
//! `alert_revision`. Levels and checklists are append-only rows; the latest is current.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use corredor_core::{
    Alert, AlertId, AlertLevel, AlertParts, AlertState, CountryCode, LevelChecklists, PlaceCode,
    StrandedPopulation,
};
use serde::{Deserialize, Serialize};

use crate::audit::{push_timestamp, NewAuditEntry};
use crate::error::StoreError;
use crate::reference::{country_code, place_code};
use crate::sql::{Param, RowAccess};
use crate::Store;

/// An alert as stored: the alert, the revision a save must name, and the organisations
/// (observers) the issuer shared it with besides its recipients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredAlert {
    pub alert: Alert,
    pub revision: i64,
    pub shared_with: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl StoredAlert {
    pub fn id(&self) -> AlertId {
        // Every stored alert has the id storage gave it (set by `alert_from_row`).
        self.alert.id().unwrap_or(AlertId(0))
    }
}

/// One document written for an alert, for its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRevision {
    pub revision: i64,
    pub alert: Alert,
    pub written_at: DateTime<Utc>,
    pub written_by: String,
}

/// The CAP message an imported alert version came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapOrigin {
    pub sender: String,
    pub identifier: String,
    pub sent: DateTime<Utc>,
    /// The alert version the message became.
    pub version: u32,
}

/// Whose alerts to read: the visibility rule of phase III, applied in the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertAudience {
    /// Every alert, drafts included (the installation's operator).
    Everything,
    /// Every alert that has been sent (the secretariat).
    AllSent,
    /// A country: its own alerts (drafts included) and the sent alerts addressed to it or
    /// shared with its organisation.
    Country(CountryCode),
    /// An organisation that is not a country (an observer): the sent alerts shared with it.
    Organisation(String),
    /// Nobody signed in: nothing.
    Nobody,
}

/// Which alerts to read. `updated_since` is exclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertFilter {
    pub audience: AlertAudience,
    pub state: Option<AlertState>,
    pub issuing_country: Option<CountryCode>,
    pub recipient: Option<CountryCode>,
    pub updated_since: Option<DateTime<Utc>>,
    pub limit: Option<u32>,
}

impl AlertFilter {
    pub fn for_audience(audience: AlertAudience) -> AlertFilter {
        AlertFilter {
            audience,
            state: None,
            issuing_country: None,
            recipient: None,
            updated_since: None,
            limit: None,
        }
    }
}

/// A level to set for a country (place `None`) or one of its places.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAlertLevel {
    pub country: CountryCode,
    pub place: Option<PlaceCode>,
    pub level: AlertLevel,
    pub reason: String,
    pub set_by: String,
    pub set_at: DateTime<Utc>,
}

/// A level as set, with its id (later ids are later settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredAlertLevel {
    pub id: i64,
    #[serde(flatten)]
    pub level: NewAlertLevel,
}

/// The checklists in force, with who configured them; `None` for the regional default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredChecklists {
    pub checklists: LevelChecklists,
    pub set_by: Option<String>,
    pub set_at: Option<DateTime<Utc>>,
}

/// A stranded population as stored, with the revision a save must name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredStranded {
    pub id: i64,
    pub population: StrandedPopulation,
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
}

/// A reminder raised for a recipient that had not acknowledged in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    pub alert_id: AlertId,
    pub country: CountryCode,
    pub raised_at: DateTime<Utc>,
}

const ALERT_COLUMNS: &str = "a.id, a.document, a.revision, a.created_at, a.updated_at";

impl Store {
    /// Stores a new alert (whose id must still be unset) and returns it with its id.
    /// `action` names the write in the audit log (`draft_alert`, `import_alert`).
    pub async fn create_alert(
        &self,
        alert: &Alert,
        shared_with: &[String],
        cap: Option<&CapOrigin>,
        action: &str,
        at: DateTime<Utc>,
    ) -> Result<StoredAlert, StoreError> {
        if alert.id().is_some() {
            return Err(StoreError::Conflict {
                constraint: "a new alert has no id yet".to_owned(),
            });
        }
        let mut tx = self.begin_audited().await?;
        let mut insert = tx.sql(
            "INSERT INTO alert (issuing_country, state, revision, document, created_at, \
             updated_at) VALUES (",
        );
        insert.bind(Param::Text(alert.issuing_country().to_string()));
        insert.push(", ");
        insert.bind(Param::Text(alert.state().code().to_owned()));
        // The document is written once the id is known (it carries it).
        insert.push(", 1, '{}', ");
        push_timestamp(&mut insert, self.backend(), at);
        insert.push(", ");
        push_timestamp(&mut insert, self.backend(), at);
        insert.push(") RETURNING id");
        let id = tx
            .fetch(insert, |row| row.integer(0))
            .await?
            .pop()
            .ok_or_else(|| StoreError::Backend("the new alert got no id".to_owned()))?;
        let alert = alert.clone().with_id(AlertId(id));
        let document = alert_document(&alert)?;
        let mut update = tx.sql("UPDATE alert SET document = ");
        update.bind(Param::Text(document.clone()));
        update.push(" WHERE id = ");
        update.bind(Param::Integer(id));
        tx.execute(update).await?;
        self.write_alert_details(&mut tx, &alert, shared_with, 1, &document, cap, at)
            .await?;
        let entry = NewAuditEntry {
            action: action.to_owned(),
            subject: format!("alert:{id}"),
            country: Some(alert.issuing_country()),
            before: None,
            after: Some(alert_summary(&alert, 1)),
        };
        tx.audit(self.actor(), &entry).await?;
        tx.commit().await?;
        self.alert(AlertId(id)).await
    }

    /// Writes a changed alert over the revision it was read at. [`StoreError::Conflict`] when
    /// someone saved it since (reload, apply the step again, save); [`StoreError::NotFound`]
    /// for an unknown alert.
    pub async fn save_alert(
        &self,
        alert: &Alert,
        shared_with: &[String],
        expected_revision: i64,
        cap: Option<&CapOrigin>,
        action: &str,
        at: DateTime<Utc>,
    ) -> Result<StoredAlert, StoreError> {
        let Some(id) = alert.id() else {
            return Err(StoreError::not_found("an alert without an id"));
        };
        let document = alert_document(alert)?;
        let revision = expected_revision + 1;
        let mut tx = self.begin_audited().await?;
        let mut read = tx.sql(&format!(
            "SELECT {ALERT_COLUMNS} FROM alert a WHERE a.id = "
        ));
        read.bind(Param::Integer(id.0));
        let before = tx
            .fetch(read, alert_from_row)
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(format!("alert {}", id.0)))?;
        if before.alert.issuing_country() != alert.issuing_country() {
            return Err(StoreError::Conflict {
                constraint: format!(
                    "alert {} was issued by {}; its issuing country does not change",
                    id.0,
                    before.alert.issuing_country()
                ),
            });
        }
        let mut update = tx.sql("UPDATE alert SET state = ");
        update.bind(Param::Text(alert.state().code().to_owned()));
        update.push(", revision = ");
        update.bind(Param::Integer(revision));
        update.push(", document = ");
        update.bind(Param::Text(document.clone()));
        update.push(", updated_at = ");
        push_timestamp(&mut update, self.backend(), at);
        update.push(" WHERE id = ");
        update.bind(Param::Integer(id.0));
        update.push(" AND revision = ");
        update.bind(Param::Integer(expected_revision));
        if tx.execute(update).await? != 1 {
            return Err(StoreError::Conflict {
                constraint: format!(
                    "alert {} was changed by someone else (it is at revision {}, not {}): \
                     reload it and try again",
                    id.0, before.revision, expected_revision
                ),
            });
        }
        let mut clear = tx.sql("DELETE FROM alert_recipient WHERE alert_id = ");
        clear.bind(Param::Integer(id.0));
        tx.execute(clear).await?;
        let mut clear = tx.sql("DELETE FROM alert_share WHERE alert_id = ");
        clear.bind(Param::Integer(id.0));
        tx.execute(clear).await?;
        self.write_alert_details(&mut tx, alert, shared_with, revision, &document, cap, at)
            .await?;
        let entry = NewAuditEntry {
            action: action.to_owned(),
            subject: format!("alert:{}", id.0),
            country: Some(alert.issuing_country()),
            before: Some(alert_summary(&before.alert, before.revision)),
            after: Some(alert_summary(alert, revision)),
        };
        tx.audit(self.actor(), &entry).await?;
        tx.commit().await?;
        self.alert(id).await
    }

    /// The index rows, the kept document and the CAP origin of a write.
    #[allow(clippy::too_many_arguments)]
    async fn write_alert_details(
        &self,
        tx: &mut crate::audit::Tx,
        alert: &Alert,
        shared_with: &[String],
        revision: i64,
        document: &str,
        cap: Option<&CapOrigin>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let id = alert.id().map_or(0, |id| id.0);
        for recipient in alert.recipients() {
            let mut insert = tx.sql("INSERT INTO alert_recipient (alert_id, country) VALUES (");
            insert.bind(Param::Integer(id));
            insert.push(", ");
            insert.bind(Param::Text(recipient.country.to_string()));
            insert.push(")");
            tx.execute(insert).await?;
        }
        let organisations: BTreeSet<&String> = shared_with.iter().collect();
        for organisation in organisations {
            let mut insert = tx.sql("INSERT INTO alert_share (alert_id, organisation) VALUES (");
            insert.bind(Param::Integer(id));
            insert.push(", ");
            insert.bind(Param::Text(organisation.clone()));
            insert.push(")");
            tx.execute(insert).await?;
        }
        self.keep_document(tx, "alert_revision (alert_id", id, revision, document, at)
            .await?;
        if let Some(cap) = cap {
            let mut insert = tx.sql(
                "INSERT INTO alert_cap_message (sender, identifier, sent, alert_id, version) \
                 VALUES (",
            );
            insert.bind(Param::Text(cap.sender.clone()));
            insert.push(", ");
            insert.bind(Param::Text(cap.identifier.clone()));
            insert.push(", ");
            push_timestamp(&mut insert, self.backend(), cap.sent);
            insert.push(", ");
            insert.bind(Param::Integer(id));
            insert.push(", ");
            insert.bind(Param::Integer(i64::from(cap.version)));
            insert.push(")");
            tx.execute(insert).await?;
        }
        Ok(())
    }

    /// One alert, or [`StoreError::NotFound`].
    pub async fn alert(&self, id: AlertId) -> Result<StoredAlert, StoreError> {
        let mut sql = self.sql(&format!(
            "SELECT {ALERT_COLUMNS} FROM alert a WHERE a.id = "
        ));
        sql.bind(Param::Integer(id.0));
        let mut stored = self
            .fetch(sql, alert_from_row)
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(format!("alert {}", id.0)))?;
        stored.shared_with = self.alert_shares(id).await?;
        Ok(stored)
    }

    async fn alert_shares(&self, id: AlertId) -> Result<Vec<String>, StoreError> {
        let mut sql = self.sql("SELECT organisation FROM alert_share WHERE alert_id = ");
        sql.bind(Param::Integer(id.0));
        sql.push(" ORDER BY organisation");
        self.fetch(sql, |row| row.text(0)).await
    }

    /// The alerts the filter selects, most recently changed first.
    pub async fn alerts(&self, filter: &AlertFilter) -> Result<Vec<StoredAlert>, StoreError> {
        let mut sql = self.sql(&format!("SELECT {ALERT_COLUMNS} FROM alert a WHERE 1 = 1"));
        match &filter.audience {
            AlertAudience::Everything => {}
            AlertAudience::AllSent => {
                sql.push(" AND a.state <> 'draft'");
            }
            AlertAudience::Country(country) => {
                sql.push(" AND (a.issuing_country = ");
                sql.bind(Param::Text(country.to_string()));
                sql.push(
                    " OR (a.state <> 'draft' AND (EXISTS (SELECT 1 FROM alert_recipient r \
                     WHERE r.alert_id = a.id AND r.country = ",
                );
                sql.bind(Param::Text(country.to_string()));
                sql.push(
                    ") OR EXISTS (SELECT 1 FROM alert_share s WHERE s.alert_id = a.id \
                     AND s.organisation = ",
                );
                sql.bind(Param::Text(country.to_string()));
                sql.push("))))");
            }
            AlertAudience::Organisation(organisation) => {
                sql.push(
                    " AND a.state <> 'draft' AND EXISTS (SELECT 1 FROM alert_share s \
                     WHERE s.alert_id = a.id AND s.organisation = ",
                );
                sql.bind(Param::Text(organisation.clone()));
                sql.push(")");
            }
            AlertAudience::Nobody => {
                sql.push(" AND 1 = 0");
            }
        }
        if let Some(state) = filter.state {
            sql.push(" AND a.state = ");
            sql.bind(Param::Text(state.code().to_owned()));
        }
        if let Some(country) = filter.issuing_country {
            sql.push(" AND a.issuing_country = ");
            sql.bind(Param::Text(country.to_string()));
        }
        if let Some(country) = filter.recipient {
            sql.push(
                " AND EXISTS (SELECT 1 FROM alert_recipient r WHERE r.alert_id = a.id \
                 AND r.country = ",
            );
            sql.bind(Param::Text(country.to_string()));
            sql.push(")");
        }
        if let Some(since) = filter.updated_since {
            sql.push(" AND a.updated_at > ");
            push_timestamp(&mut sql, self.backend(), since);
        }
        sql.push(" ORDER BY a.updated_at DESC, a.id DESC");
        if let Some(limit) = filter.limit {
            sql.push(" LIMIT ");
            sql.bind(Param::Integer(i64::from(limit)));
        }
        let mut alerts = self.fetch(sql, alert_from_row).await?;
        if !alerts.is_empty() {
            let shares = self
                .fetch(
                    self.sql(
                        "SELECT alert_id, organisation FROM alert_share ORDER BY organisation",
                    ),
                    |row| Ok((row.integer(0)?, row.text(1)?)),
                )
                .await?;
            for stored in &mut alerts {
                let id = stored.id().0;
                stored.shared_with = shares
                    .iter()
                    .filter(|(alert, _)| *alert == id)
                    .map(|(_, organisation)| organisation.clone())
                    .collect();
            }
        }
        Ok(alerts)
    }

    /// Every document written for an alert, oldest first.
    pub async fn alert_revisions(&self, id: AlertId) -> Result<Vec<AlertRevision>, StoreError> {
        let mut sql = self.sql(
            "SELECT revision, document, written_at, written_by FROM alert_revision \
             WHERE alert_id = ",
        );
        sql.bind(Param::Integer(id.0));
        sql.push(" ORDER BY revision");
        self.fetch(sql, |row| {
            Ok(AlertRevision {
                revision: row.integer(0)?,
                alert: alert_from_document(&row.text(1)?)?,
                written_at: row.timestamp(2)?,
                written_by: row.text(3)?,
            })
        })
        .await
    }

    /// The alert and version an imported CAP message became, if it was imported.
    pub async fn alert_for_cap_message(
        &self,
        sender: &str,
        identifier: &str,
    ) -> Result<Option<(AlertId, u32)>, StoreError> {
        let mut sql = self.sql("SELECT alert_id, version FROM alert_cap_message WHERE sender = ");
        sql.bind(Param::Text(sender.to_owned()));
        sql.push(" AND identifier = ");
        sql.bind(Param::Text(identifier.to_owned()));
        Ok(self
            .fetch(sql, |row| {
                Ok((
                    AlertId(row.integer(0)?),
                    u32::try_from(row.integer(1)?).map_err(StoreError::corrupt)?,
                ))
            })
            .await?
            .pop())
    }

    /// Records a reminder for a recipient; `false` (and nothing written) when one was already
    /// raised for it.
    pub async fn raise_reminder(
        &self,
        alert: AlertId,
        country: CountryCode,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_audited().await?;
        let mut insert =
            tx.sql("INSERT INTO alert_reminder (alert_id, country, raised_at) VALUES (");
        insert.bind(Param::Integer(alert.0));
        insert.push(", ");
        insert.bind(Param::Text(country.to_string()));
        insert.push(", ");
        push_timestamp(&mut insert, self.backend(), at);
        insert.push(") ON CONFLICT (alert_id, country) DO NOTHING");
        if tx.execute(insert).await? == 0 {
            return Ok(false);
        }
        let entry = NewAuditEntry {
            action: "raise_alert_reminder".to_owned(),
            subject: format!("alert:{}", alert.0),
            country: Some(country),
            before: None,
            after: Some(serde_json::json!({ "recipient": country })),
        };
        tx.audit(self.actor(), &entry).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The reminders raised for an alert, in the order raised.
    pub async fn reminders(&self, alert: AlertId) -> Result<Vec<Reminder>, StoreError> {
        let mut sql =
            self.sql("SELECT alert_id, country, raised_at FROM alert_reminder WHERE alert_id = ");
        sql.bind(Param::Integer(alert.0));
        sql.push(" ORDER BY raised_at, country");
        self.fetch(sql, |row| {
            Ok(Reminder {
                alert_id: AlertId(row.integer(0)?),
                country: country_code(&row.text(1)?)?,
                raised_at: row.timestamp(2)?,
            })
        })
        .await
    }

    /// Sets a country's (or place's) level; the earlier ones stay in its history.
    pub async fn set_alert_level(
        &self,
        level: &NewAlertLevel,
    ) -> Result<StoredAlertLevel, StoreError> {
        for (field, text) in [("reason", &level.reason), ("set_by", &level.set_by)] {
            if text.trim().is_empty() {
                return Err(StoreError::Conflict {
                    constraint: format!("alert_level.{field} is not empty"),
                });
            }
        }
        let mut tx = self.begin_audited().await?;
        let before = {
            let mut sql = tx.sql(&format!("{LEVEL_SELECT} WHERE country = "));
            sql.bind(Param::Text(level.country.to_string()));
            push_place_condition(&mut sql, level.place.as_ref());
            sql.push(" ORDER BY id DESC LIMIT 1");
            tx.fetch(sql, level_from_row).await?.pop()
        };
        let mut insert = tx.sql(
            "INSERT INTO alert_level (country, place, level, reason, set_by, set_at) VALUES (",
        );
        insert.bind(Param::Text(level.country.to_string()));
        insert.push(", ");
        insert.bind(Param::OptionalText(
            level.place.as_ref().map(|p| p.to_string()),
        ));
        insert.push(", ");
        insert.bind(Param::Text(level.level.code().to_owned()));
        insert.push(", ");
        insert.bind(Param::Text(level.reason.clone()));
        insert.push(", ");
        insert.bind(Param::Text(level.set_by.clone()));
        insert.push(", ");
        push_timestamp(&mut insert, self.backend(), level.set_at);
        insert.push(") RETURNING id");
        let id = tx
            .fetch(insert, |row| row.integer(0))
            .await?
            .pop()
            .ok_or_else(|| StoreError::Backend("the new level got no id".to_owned()))?;
        let stored = StoredAlertLevel {
            id,
            level: level.clone(),
        };
        let subject = match &level.place {
            Some(place) => format!("alert_level:{}/{place}", level.country),
            None => format!("alert_level:{}", level.country),
        };
        let entry = NewAuditEntry {
            action: "set_alert_level".to_owned(),
            subject,
            country: Some(level.country),
            before: before.map(|before| serde_json::json!({ "level": before.level.level, "reason": before.level.reason })),
            after: Some(serde_json::json!({ "level": level.level, "reason": level.reason })),
        };
        tx.audit(self.actor(), &entry).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// The current level of every country and place that has one, by country then place
    /// (the country's own level first).
    pub async fn current_alert_levels(&self) -> Result<Vec<StoredAlertLevel>, StoreError> {
        let sql = self.sql(&format!(
            "{LEVEL_SELECT} l WHERE l.id = (SELECT MAX(m.id) FROM alert_level m \
             WHERE m.country = l.country AND COALESCE(m.place, '') = COALESCE(l.place, '')) \
             ORDER BY l.country, COALESCE(l.place, '')"
        ));
        self.fetch(sql, level_from_row).await
    }

    /// Every level set for a country (place `None`) or one of its places, oldest first.
    pub async fn alert_level_history(
        &self,
        country: CountryCode,
        place: Option<&PlaceCode>,
    ) -> Result<Vec<StoredAlertLevel>, StoreError> {
        let mut sql = self.sql(&format!("{LEVEL_SELECT} WHERE country = "));
        sql.bind(Param::Text(country.to_string()));
        push_place_condition(&mut sql, place);
        sql.push(" ORDER BY id");
        self.fetch(sql, level_from_row).await
    }

    /// Configures the checklists every level obliges; the earlier configurations are kept.
    pub async fn set_level_checklists(
        &self,
        checklists: &LevelChecklists,
        set_by: &str,
        at: DateTime<Utc>,
    ) -> Result<StoredChecklists, StoreError> {
        let before = self.level_checklists().await?;
        let document = serde_json::to_string(checklists)
            .map_err(|error| StoreError::Backend(error.to_string()))?;
        let mut tx = self.begin_audited().await?;
        let mut insert = tx.sql("INSERT INTO level_checklists (document, set_by, set_at) VALUES (");
        insert.bind(Param::Text(document));
        insert.push(", ");
        insert.bind(Param::Text(set_by.to_owned()));
        insert.push(", ");
        push_timestamp(&mut insert, self.backend(), at);
        insert.push(")");
        tx.execute(insert).await?;
        let entry = NewAuditEntry {
            action: "set_level_checklists".to_owned(),
            subject: "level_checklists".to_owned(),
            country: None,
            before: Some(serde_json::to_value(&before.checklists).map_err(json_error)?),
            after: Some(serde_json::to_value(checklists).map_err(json_error)?),
        };
        tx.audit(self.actor(), &entry).await?;
        tx.commit().await?;
        self.level_checklists().await
    }

    /// The checklists in force: the latest configured, else the regional default.
    pub async fn level_checklists(&self) -> Result<StoredChecklists, StoreError> {
        let sql = self
            .sql("SELECT document, set_by, set_at FROM level_checklists ORDER BY id DESC LIMIT 1");
        let latest = self
            .fetch(sql, |row| {
                let checklists: LevelChecklists = serde_json::from_str(&row.text(0)?)
                    .map_err(|error| StoreError::corrupt(format!("level checklists: {error}")))?;
                Ok(StoredChecklists {
                    checklists,
                    set_by: Some(row.text(1)?),
                    set_at: Some(row.timestamp(2)?),
                })
            })
            .await?
            .pop();
        Ok(latest.unwrap_or_else(|| StoredChecklists {
            checklists: LevelChecklists::regional_default(),
            set_by: None,
            set_at: None,
        }))
    }

    /// Records a new stranded population and returns it with its id.
    pub async fn create_stranded(
        &self,
        population: &StrandedPopulation,
        at: DateTime<Utc>,
    ) -> Result<StoredStranded, StoreError> {
        let document = stranded_document(population)?;
        let mut tx = self.begin_audited().await?;
        let mut insert = tx.sql(
            "INSERT INTO stranded_population (country, revision, document, updated_at) VALUES (",
        );
        insert.bind(Param::Text(population.parts().country.to_string()));
        insert.push(", 1, ");
        insert.bind(Param::Text(document.clone()));
        insert.push(", ");
        push_timestamp(&mut insert, self.backend(), at);
        insert.push(") RETURNING id");
        let id = tx
            .fetch(insert, |row| row.integer(0))
            .await?
            .pop()
            .ok_or_else(|| StoreError::Backend("the stranded population got no id".to_owned()))?;
        self.keep_stranded(&mut tx, id, 1, &document, at).await?;
        let entry = NewAuditEntry {
            action: "record_stranded_population".to_owned(),
            subject: format!("stranded:{id}"),
            country: Some(population.parts().country),
            before: None,
            after: Some(serde_json::to_value(population).map_err(json_error)?),
        };
        tx.audit(self.actor(), &entry).await?;
        tx.commit().await?;
        self.stranded(id).await
    }

    /// Writes a new estimate of a stranded population over the revision it was read at
    /// ([`StoreError::Conflict`] when it changed since); earlier estimates are kept.
    pub async fn save_stranded(
        &self,
        id: i64,
        population: &StrandedPopulation,
        expected_revision: i64,
        at: DateTime<Utc>,
    ) -> Result<StoredStranded, StoreError> {
        let before = self.stranded(id).await?;
        if before.population.parts().country != population.parts().country {
            return Err(StoreError::Conflict {
                constraint: format!(
                    "stranded population {id} is in {}; its country does not change",
                    before.population.parts().country
                ),
            });
        }
        let document = stranded_document(population)?;
        let revision = expected_revision + 1;
        let mut tx = self.begin_audited().await?;
        let mut update = tx.sql("UPDATE stranded_population SET revision = ");
        update.bind(Param::Integer(revision));
        update.push(", document = ");
        update.bind(Param::Text(document.clone()));
        update.push(", updated_at = ");
        push_timestamp(&mut update, self.backend(), at);
        update.push(" WHERE id = ");
        update.bind(Param::Integer(id));
        update.push(" AND revision = ");
        update.bind(Param::Integer(expected_revision));
        if tx.execute(update).await? != 1 {
            return Err(StoreError::Conflict {
                constraint: format!(
                    "stranded population {id} was changed by someone else (it is at revision \
                     {}, not {expected_revision}): reload it and try again",
                    before.revision
                ),
            });
        }
        self.keep_stranded(&mut tx, id, revision, &document, at)
            .await?;
        let entry = NewAuditEntry {
            action: "update_stranded_population".to_owned(),
            subject: format!("stranded:{id}"),
            country: Some(population.parts().country),
            before: Some(serde_json::to_value(&before.population).map_err(json_error)?),
            after: Some(serde_json::to_value(population).map_err(json_error)?),
        };
        tx.audit(self.actor(), &entry).await?;
        tx.commit().await?;
        self.stranded(id).await
    }

    async fn keep_stranded(
        &self,
        tx: &mut crate::audit::Tx,
        id: i64,
        revision: i64,
        document: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.keep_document(
            tx,
            "stranded_population_revision (stranded_id",
            id,
            revision,
            document,
            at,
        )
        .await
    }

    /// Appends a written document to a revision table: `table_and_id` is the table and its
    /// id column, `alert_revision (alert_id`, whose other columns every revision table shares.
    async fn keep_document(
        &self,
        tx: &mut crate::audit::Tx,
        table_and_id: &str,
        id: i64,
        revision: i64,
        document: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut keep = tx.sql(&format!(
            "INSERT INTO {table_and_id}, revision, document, written_at, written_by) VALUES ("
        ));
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

    /// One stranded population, or [`StoreError::NotFound`].
    pub async fn stranded(&self, id: i64) -> Result<StoredStranded, StoreError> {
        let mut sql = self
            .sql("SELECT id, document, revision, updated_at FROM stranded_population WHERE id = ");
        sql.bind(Param::Integer(id));
        self.fetch(sql, stranded_from_row)
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(format!("stranded population {id}")))
    }

    /// The stranded populations of these countries (every country when empty), most
    /// recently estimated first.
    pub async fn stranded_populations(
        &self,
        countries: &[CountryCode],
    ) -> Result<Vec<StoredStranded>, StoreError> {
        let mut sql = self
            .sql("SELECT id, document, revision, updated_at FROM stranded_population WHERE 1 = 1");
        if !countries.is_empty() {
            sql.push(" AND country IN ");
            sql.bind_list(countries.iter().map(|c| Param::Text(c.to_string())));
        }
        sql.push(" ORDER BY updated_at DESC, id DESC");
        self.fetch(sql, stranded_from_row).await
    }

    /// Every estimate recorded for a stranded population, oldest first.
    pub async fn stranded_history(
        &self,
        id: i64,
    ) -> Result<Vec<(i64, StrandedPopulation, DateTime<Utc>, String)>, StoreError> {
        let mut sql = self.sql(
            "SELECT revision, document, written_at, written_by FROM stranded_population_revision \
             WHERE stranded_id = ",
        );
        sql.bind(Param::Integer(id));
        sql.push(" ORDER BY revision");
        self.fetch(sql, |row| {
            Ok((
                row.integer(0)?,
                stranded_from_document(&row.text(1)?)?,
                row.timestamp(2)?,
                row.text(3)?,
            ))
        })
        .await
    }
}

const LEVEL_SELECT: &str =
    "SELECT id, country, place, level, reason, set_by, set_at FROM alert_level";

fn push_place_condition(sql: &mut crate::sql::Sql, place: Option<&PlaceCode>) {
    match place {
        Some(place) => {
            sql.push(" AND place = ");
            sql.bind(Param::Text(place.to_string()));
        }
        None => {
            sql.push(" AND place IS NULL");
        }
    }
}

fn level_from_row(row: &dyn RowAccess) -> Result<StoredAlertLevel, StoreError> {
    Ok(StoredAlertLevel {
        id: row.integer(0)?,
        level: NewAlertLevel {
            country: country_code(&row.text(1)?)?,
            place: row
                .optional_text(2)?
                .as_deref()
                .map(place_code)
                .transpose()?,
            level: AlertLevel::parse(&row.text(3)?).map_err(StoreError::corrupt)?,
            reason: row.text(4)?,
            set_by: row.text(5)?,
            set_at: row.timestamp(6)?,
        },
    })
}

fn json_error(error: serde_json::Error) -> StoreError {
    StoreError::Backend(error.to_string())
}

fn alert_document(alert: &Alert) -> Result<String, StoreError> {
    serde_json::to_string(alert).map_err(json_error)
}

fn alert_from_document(document: &str) -> Result<Alert, StoreError> {
    let parts: AlertParts = serde_json::from_str(document)
        .map_err(|error| StoreError::corrupt(format!("alert document: {error}")))?;
    Alert::restore(parts).map_err(|error| StoreError::corrupt(format!("alert: {error}")))
}

fn alert_from_row(row: &dyn RowAccess) -> Result<StoredAlert, StoreError> {
    let id = row.integer(0)?;
    let alert = alert_from_document(&row.text(1)?)?.with_id(AlertId(id));
    Ok(StoredAlert {
        alert,
        revision: row.integer(2)?,
        shared_with: Vec::new(),
        created_at: row.timestamp(3)?,
        updated_at: row.timestamp(4)?,
    })
}

/// What an audit entry says about an alert: enough to follow its course; the documents
/// themselves are in `alert_revision`.
fn alert_summary(alert: &Alert, revision: i64) -> serde_json::Value {
    serde_json::json!({
        "revision": revision,
        "state": alert.state(),
        "version": alert.latest().number,
        "recipients": alert.recipients().iter().map(|r| r.country).collect::<Vec<_>>(),
        "acknowledgements": alert.acknowledgements().len(),
        "action_records": alert.action_records().len(),
    })
}

fn stranded_document(population: &StrandedPopulation) -> Result<String, StoreError> {
    serde_json::to_string(population).map_err(json_error)
}

fn stranded_from_document(document: &str) -> Result<StrandedPopulation, StoreError> {
    serde_json::from_str(document)
        .map_err(|error| StoreError::corrupt(format!("stranded population document: {error}")))
}

fn stranded_from_row(row: &dyn RowAccess) -> Result<StoredStranded, StoreError> {
    Ok(StoredStranded {
        id: row.integer(0)?,
        population: stranded_from_document(&row.text(1)?)?,
        revision: row.integer(2)?,
        updated_at: row.timestamp(3)?,
    })
}
