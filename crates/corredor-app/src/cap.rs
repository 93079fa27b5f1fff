//! Alerts as CAP 1.2 and Atom, and CAP messages from partner systems as alerts.
//!
//! Every message corredor emits is built by `corredor_exchange::cap::alert_to_cap` and
//! written by `write_cap`, which checks the rules of the specification the schema does not
//! encode. A message imported from a partner becomes a new alert (`Alert`) or changes the
//! alert its `references` name (`Update`, `Cancel`); the same message imported twice changes
//! nothing, and an import that cannot be applied writes nothing and says why.

use chrono::{DateTime, FixedOffset, Utc};
use corredor_core::{
    authorize, recipients_ahead, Action, Alert, AlertId, AlertState, Caller, CountryCode, Place,
    PlaceCode, Point, Recipient,
};
use corredor_exchange::atom::{write_atom, Feed, FeedEntry};
use corredor_exchange::cap::{
    alert_to_cap, cap_to_alert, read_cap, write_cap, CapAlert, CapContext, CapMappingError,
    CapMsgType, CapPlace, ImportedCap,
};
use corredor_exchange::Problem;
use corredor_store::{CapOrigin, StoredAlert};
use serde::Serialize;

use crate::alerts::{AlertEvent, AlertEventKind};
use crate::{App, AppError};

/// The domain of corredor's CAP senders and tag IRIs: the RCM's own.
pub const CAP_DOMAIN: &str = "crmsv.org";

/// The CAP `sender` of a country's alerts as corredor emits them.
pub fn cap_sender(country: CountryCode) -> String {
    format!("corredor.{}@{CAP_DOMAIN}", country.as_str().to_lowercase())
}

/// What importing a CAP message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CapImportOutcome {
    /// A new alert, sent to its recipients.
    Created,
    /// A new version of an alert.
    Updated,
    /// The alert was closed (an all-clear update).
    Closed,
    /// The alert was cancelled.
    Cancelled,
    /// The message was imported before, or is corredor's own: nothing changed.
    Unchanged,
}

/// The alert a CAP message became, and every default the import assumed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapImport {
    pub outcome: CapImportOutcome,
    pub alert: StoredAlert,
    pub assumed: Vec<String>,
}

fn mapping_problems(source: &str, error: CapMappingError) -> AppError {
    match error {
        CapMappingError::Invalid { problems } => AppError::Invalid(
            problems
                .into_iter()
                .map(|problem| Problem::new(source, 0, Some(&problem.field), problem.reason))
                .collect(),
        ),
        other => AppError::Invalid(vec![Problem::new(source, 0, None, other.to_string())]),
    }
}

impl App {
    /// Every CAP message an alert the caller may see has produced, oldest first, as XML.
    pub async fn alert_cap_messages(
        &self,
        caller: &Caller,
        id: AlertId,
        site: Option<&str>,
    ) -> Result<Vec<String>, AppError> {
        let stored = self.visible_alert(caller, id).await?;
        self.written_messages(&stored.alert, site).await
    }

    /// The latest CAP message of an alert the caller may see.
    pub async fn alert_cap(
        &self,
        caller: &Caller,
        id: AlertId,
        site: Option<&str>,
    ) -> Result<String, AppError> {
        let stored = self.visible_alert(caller, id).await?;
        if stored.alert.state() == AlertState::Draft {
            return Err(AppError::Conflict(format!(
                "alert {} is a draft: it has no CAP message until it is sent",
                id.0
            )));
        }
        self.written_messages(&stored.alert, site)
            .await?
            .pop()
            .ok_or_else(|| AppError::NotFound {
                what: format!("a CAP message of alert {}", id.0),
            })
    }

    /// The CAP messages of an alert, written (and so checked against the specification).
    async fn written_messages(
        &self,
        alert: &Alert,
        site: Option<&str>,
    ) -> Result<Vec<String>, AppError> {
        let places = self.store.places().await?;
        self.cap_messages(alert, &places, site)?
            .iter()
            .map(|message| {
                write_cap(message).map_err(|error| {
                    AppError::Internal(anyhow::anyhow!(
                        "alert {:?} makes an invalid CAP message: {error}",
                        alert.id()
                    ))
                })
            })
            .collect()
    }

    fn cap_messages(
        &self,
        alert: &Alert,
        places: &[Place],
        site: Option<&str>,
    ) -> Result<Vec<CapAlert>, AppError> {
        let lookup = |code: &PlaceCode| {
            places
                .iter()
                .find(|place| &place.code == code)
                .map(|place| CapPlace {
                    name: place.name.clone(),
                    point: Point {
                        latitude: place.latitude,
                        longitude: place.longitude,
                    },
                })
        };
        let context = CapContext {
            sender: cap_sender(alert.issuing_country()),
            places: &lookup,
            web: site.and_then(|site| {
                alert
                    .id()
                    .map(|id| format!("{}/alerts/{}", site.trim_end_matches('/'), id.0))
            }),
        };
        alert_to_cap(alert, &context)
            .map_err(|error| AppError::Internal(anyhow::anyhow!("alert as CAP: {error}")))
    }

    /// An Atom feed of the sent alerts the caller may see, each linking its page and its
    /// latest CAP message under `site` (e.g. `https://corredor.example`).
    pub async fn alerts_feed(&self, caller: &Caller, site: &str) -> Result<String, AppError> {
        if *caller == Caller::Anonymous {
            return Err(AppError::Unauthenticated);
        }
        let site = site.trim_end_matches('/');
        let alerts = self.alerts(caller, None).await?;
        let entries: Vec<FeedEntry> = alerts
            .iter()
            .filter(|stored| stored.alert.state() != AlertState::Draft)
            .map(|stored| {
                let id = stored.id().0;
                let latest = stored.alert.latest();
                let text = &latest.content.text;
                let (block, language) = match (text.spanish(), text.english()) {
                    (Some(block), _) => (block, "es"),
                    (None, Some(block)) => (block, "en"),
                    // An alert has at least one language (the domain's invariant).
                    (None, None) => unreachable!("an alert is written in Spanish or English"),
                };
                FeedEntry {
                    id: format!(
                        "tag:{CAP_DOMAIN},2021:corredor:alert:{}:{id}",
                        stored.alert.issuing_country()
                    ),
                    title: block.headline.clone(),
                    updated: stored.updated_at.fixed_offset(),
                    summary: block.description.clone(),
                    page: format!("{site}/alerts/{id}"),
                    cap: format!("{site}/api/v1/alerts/{id}/cap"),
                    language: language.to_owned(),
                    categories: vec![
                        stored.alert.state().code().to_owned(),
                        latest.content.stage.code().to_owned(),
                        stored.alert.issuing_country().to_string(),
                    ],
                }
            })
            .collect();
        let now: DateTime<FixedOffset> = self.clock.now().fixed_offset();
        let updated = entries
            .iter()
            .map(|entry| entry.updated)
            .max()
            .unwrap_or(now);
        Ok(write_atom(&Feed {
            id: format!("tag:{CAP_DOMAIN},2021:corredor:alerts"),
            title: "corredor: alertas migratorias / migratory alerts".to_owned(),
            author: "corredor".to_owned(),
            self_link: format!("{site}/api/v1/alerts/feed.atom"),
            updated,
            entries,
        }))
    }

    /// Imports a CAP 1.2 message from a partner system (or another corredor): a new alert,
    /// an update, an all-clear or a cancellation of the alert it references. The issuing
    /// country is the message's `issuing_country` parameter, else the caller's (or
    /// `country`); only that country's focal points may import it.
    pub async fn import_cap(
        &self,
        caller: &Caller,
        source: &str,
        bytes: &[u8],
        country: Option<CountryCode>,
    ) -> Result<CapImport, AppError> {
        if *caller == Caller::Anonymous {
            return Err(AppError::Unauthenticated);
        }
        let message = read_cap(bytes, source).map_err(AppError::Invalid)?;
        if matches!(message.msg_type, CapMsgType::Ack | CapMsgType::Error) {
            return Err(AppError::Invalid(vec![Problem::new(
                source,
                0,
                Some("alert/msgType"),
                format!(
                    "a {:?} message answers another system; corredor imports Alert, Update and Cancel",
                    message.msg_type
                ),
            )]));
        }
        if let Some((id, _)) = self
            .store
            .alert_for_cap_message(&message.sender, &message.identifier)
            .await?
        {
            let alert = self.visible_alert(caller, id).await?;
            return Ok(CapImport {
                outcome: CapImportOutcome::Unchanged,
                alert,
                assumed: Vec::new(),
            });
        }
        let default_country = country.or(caller.country());
        let target = self.referenced_alert(&message).await?;

        // A Cancel may carry no info at all: it is applied to the alert it references.
        if message.msg_type == CapMsgType::Cancel && message.infos.is_empty() {
            let Some(target) = target else {
                return Err(no_target(source, &message));
            };
            let reason = message
                .note
                .clone()
                .unwrap_or_else(|| format!("cancelled by CAP message {}", message.identifier));
            return self
                .apply_cap(caller, target, &message, Vec::new(), |alert, by, at| {
                    alert.cancel(&reason, by, at)
                })
                .await
                .map(|alert| CapImport {
                    outcome: CapImportOutcome::Cancelled,
                    alert,
                    assumed: Vec::new(),
                });
        }

        let imported =
            cap_to_alert(&message, default_country).map_err(|e| mapping_problems(source, e))?;
        authorize(caller, &Action::IssueAlert(imported.issuing_country))?;
        // corredor's own message read back: the alert it came from, unchanged.
        if let Some((id, version)) = imported.corredor_ref {
            if message.sender == cap_sender(imported.issuing_country) {
                let stored = self.store.alert(AlertId(id)).await.map_err(|_| {
                    AppError::Conflict(format!(
                        "the message names corredor alert {id}, which this installation does not have"
                    ))
                })?;
                if stored.alert.issuing_country() == imported.issuing_country
                    && stored.alert.latest().number >= version
                {
                    return Ok(CapImport {
                        outcome: CapImportOutcome::Unchanged,
                        alert: stored,
                        assumed: imported.assumed,
                    });
                }
            }
        }
        match (message.msg_type, target) {
            (CapMsgType::Alert, None) => self.create_from_cap(caller, &message, imported).await,
            (CapMsgType::Alert, Some(_)) | (CapMsgType::Update | CapMsgType::Cancel, None) => {
                Err(no_target(source, &message))
            }
            (CapMsgType::Update, Some(target)) => {
                let assumed = imported.assumed.clone();
                let all_clear = imported.all_clear;
                let what_changed = imported
                    .what_changed
                    .clone()
                    .unwrap_or_else(|| format!("updated by CAP message {}", message.identifier));
                let new_recipients = imported.recipients.clone();
                let content = imported.content;
                let outcome = if all_clear {
                    CapImportOutcome::Closed
                } else {
                    CapImportOutcome::Updated
                };
                self.apply_cap(caller, target, &message, new_recipients, |alert, by, at| {
                    if all_clear {
                        alert.close(by, at)
                    } else {
                        alert.update(content, &what_changed, by, at)
                    }
                })
                .await
                .map(|alert| CapImport {
                    outcome,
                    alert,
                    assumed,
                })
            }
            (CapMsgType::Cancel, Some(target)) => {
                let reason = imported
                    .note
                    .clone()
                    .unwrap_or_else(|| format!("cancelled by CAP message {}", message.identifier));
                let assumed = imported.assumed.clone();
                self.apply_cap(caller, target, &message, Vec::new(), |alert, by, at| {
                    alert.cancel(&reason, by, at)
                })
                .await
                .map(|alert| CapImport {
                    outcome: CapImportOutcome::Cancelled,
                    alert,
                    assumed,
                })
            }
            (CapMsgType::Ack | CapMsgType::Error, _) => unreachable!("refused above"),
        }
    }

    /// The alert a message's `references` (or corredor parameters) name, if any.
    async fn referenced_alert(&self, message: &CapAlert) -> Result<Option<AlertId>, AppError> {
        for reference in message.references.iter().rev() {
            if let Some((id, _)) = self
                .store
                .alert_for_cap_message(&reference.sender, &reference.identifier)
                .await?
            {
                return Ok(Some(id));
            }
            // One of corredor's own messages: `corredor-PAN-42-v3`.
            if let Some(id) = own_identifier(&reference.identifier) {
                if let Ok(stored) = self.store.alert(id).await {
                    if reference.sender == cap_sender(stored.alert.issuing_country()) {
                        return Ok(Some(id));
                    }
                }
            }
        }
        Ok(None)
    }

    async fn create_from_cap(
        &self,
        caller: &Caller,
        message: &CapAlert,
        imported: ImportedCap,
    ) -> Result<CapImport, AppError> {
        let issuing = imported.issuing_country;
        let at = message.sent;
        let by = caller.actor_name();
        let invalid = |error: corredor_core::CoreError| {
            AppError::Invalid(vec![Problem::new(
                &message.identifier,
                0,
                None,
                error.to_string(),
            )])
        };
        let mut alert = Alert::draft(issuing, imported.content.clone(), by, at).map_err(invalid)?;
        // The message's own recipients and windows; without addresses, the countries ahead
        // on the route, as for an alert issued here.
        let recipients: Vec<Recipient> = if imported.recipients.is_empty() {
            match self.store.corridor(&imported.content.route.corridor).await {
                Ok(corridor) => recipients_ahead(
                    &corridor,
                    issuing,
                    imported.content.route.direction,
                    at.date_naive(),
                )
                .unwrap_or_default(),
                Err(_) => Vec::new(),
            }
        } else {
            imported
                .recipients
                .iter()
                .map(|country| Recipient {
                    country: *country,
                    arrival: imported
                        .arrival_windows
                        .iter()
                        .find(|(c, _)| c == country)
                        .map(|(_, window)| *window),
                    added_by_issuer: true,
                    addressed_at: None,
                })
                .collect()
        };
        for recipient in recipients {
            if recipient.country != issuing && !alert.is_recipient(recipient.country) {
                alert = alert.add_recipient(recipient, at).map_err(invalid)?;
            }
        }
        let alert = alert.activate(by, at).map_err(invalid)?;
        let origin = CapOrigin {
            sender: message.sender.clone(),
            identifier: message.identifier.clone(),
            sent: message.sent.with_timezone(&Utc),
            version: 1,
        };
        let stored = self
            .acting(caller)
            .create_alert(
                &alert,
                &[],
                Some(&origin),
                "import_cap_alert",
                self.clock.now(),
            )
            .await?;
        self.publish_event(AlertEvent::of(AlertEventKind::Activated, &stored, None));
        Ok(CapImport {
            outcome: CapImportOutcome::Created,
            alert: stored,
            assumed: imported.assumed,
        })
    }

    /// Applies a partner's message to the alert it references, as one step of its issuer.
    async fn apply_cap(
        &self,
        caller: &Caller,
        id: AlertId,
        message: &CapAlert,
        new_recipients: Vec<CountryCode>,
        step: impl FnOnce(Alert, &str, DateTime<FixedOffset>) -> Result<Alert, corredor_core::CoreError>,
    ) -> Result<StoredAlert, AppError> {
        let stored = self.store.alert(id).await?;
        authorize(caller, &Action::IssueAlert(stored.alert.issuing_country()))?;
        let invalid = |error: corredor_core::CoreError| {
            AppError::Invalid(vec![Problem::new(
                &message.identifier,
                0,
                None,
                error.to_string(),
            )])
        };
        let by = caller.actor_name();
        let at = message.sent;
        let mut alert = stored.alert.clone();
        for country in new_recipients {
            if country != alert.issuing_country()
                && !alert.is_recipient(country)
                && alert.state() == AlertState::Active
            {
                alert = alert
                    .add_recipient(
                        Recipient {
                            country,
                            arrival: None,
                            added_by_issuer: true,
                            addressed_at: None,
                        },
                        at,
                    )
                    .map_err(invalid)?;
            }
        }
        let kind = match message.msg_type {
            CapMsgType::Cancel => AlertEventKind::Cancelled,
            _ => AlertEventKind::Updated,
        };
        let changed = step(alert, by, at).map_err(invalid)?;
        let kind = if changed.state() == AlertState::Closed {
            AlertEventKind::Closed
        } else {
            kind
        };
        let origin = CapOrigin {
            sender: message.sender.clone(),
            identifier: message.identifier.clone(),
            sent: message.sent.with_timezone(&Utc),
            version: changed.latest().number,
        };
        self.save_step(
            caller,
            &stored,
            &changed,
            "import_cap_message",
            (kind, None),
            Some(&origin),
        )
        .await
    }
}

fn no_target(source: &str, message: &CapAlert) -> AppError {
    let named: Vec<String> = message
        .references
        .iter()
        .map(|reference| format!("{},{}", reference.sender, reference.identifier))
        .collect();
    let reason = match message.msg_type {
        CapMsgType::Alert => format!(
            "message {} is an Alert, but an alert of corredor already has it",
            message.identifier
        ),
        _ if named.is_empty() => format!(
            "an {:?} must reference the message it updates or cancels; this one references none",
            message.msg_type
        ),
        _ => format!(
            "no alert in corredor matches the referenced messages ({}): import the original Alert first",
            named.join(" ")
        ),
    };
    AppError::Invalid(vec![Problem::new(
        source,
        0,
        Some("alert/references"),
        reason,
    )])
}

/// The alert id in one of corredor's message identifiers, `corredor-PAN-42-v3`.
fn own_identifier(identifier: &str) -> Option<AlertId> {
    let mut parts = identifier.split('-');
    if parts.next()? != "corredor" {
        return None;
    }
    parts.next()?;
    parts.next()?.parse::<i64>().ok().map(AlertId)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corredors_own_message_identifiers_name_their_alert() {
        assert_eq!(own_identifier("corredor-PAN-42-v3"), Some(AlertId(42)));
        assert_eq!(own_identifier("corredor-PAN-42-closed"), Some(AlertId(42)));
        assert_eq!(own_identifier("SNM-2023-0914"), None);
        assert_eq!(
            cap_sender(CountryCode::parse("PAN").unwrap()),
            "corredor.pan@crmsv.org"
        );
    }
}
