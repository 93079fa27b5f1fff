//! Webhooks: national systems subscribe to the alerts their organisation may see, and every
//! change of such an alert is POSTed to them as JSON, signed, retried with backoff, and each
//! attempt logged.
//!
//! Signature: the header `X-Corredor-Signature: t=<unix seconds>,v1=<hex>` where `<hex>` is
//! HMAC-SHA256 keyed with the webhook's secret over `<t>.<body>`, the scheme many payment and
//! messaging platforms use. A receiver recomputes it over the raw body and compares in
//! constant time, and refuses a `t` far from its clock, so a captured delivery cannot be
//! replayed later. `X-Corredor-Event` names the event and `X-Corredor-Delivery` the delivery
//! (a receiver that sees the same delivery twice, after a retry whose answer was lost,
//! ignores it).
//!
//! Retries: a delivery not answered with 2xx within [`WebhookSettings::timeout`] is tried
//! again after `first_retry`, then twice as long each time (capped at `max_delay`), up to
//! `max_attempts` in all, then marked failed; every attempt is in the delivery log with its
//! status code or error. Deliveries live in the database, so a restart resumes them.

use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use corredor_core::{authorize, Action, Caller, OrganisationCode, Principal, Role};
use corredor_store::{AttemptOutcome, Delivery, DeliveryAttempt, NewDelivery, NewWebhook, Webhook};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::Serialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tokio::sync::broadcast;

use crate::alerts::AlertEvent;
use crate::{App, AppError};

/// How deliveries are attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookSettings {
    pub timeout: std::time::Duration,
    pub first_retry: Duration,
    pub max_delay: Duration,
    pub max_attempts: u32,
}

impl Default for WebhookSettings {
    /// 10 s to answer; retries after 30 s, 1, 2, 4, 8, 16, 32 min and 1 h: eight attempts
    /// over about two hours, long enough to ride out a restart or a short outage of a
    /// national system, short enough that a failure is seen the same day.
    fn default() -> WebhookSettings {
        WebhookSettings {
            timeout: std::time::Duration::from_secs(10),
            first_retry: Duration::seconds(30),
            max_delay: Duration::hours(1),
            max_attempts: 8,
        }
    }
}

impl WebhookSettings {
    /// The wait before attempt `attempt + 1`, after `attempt` failures.
    pub fn delay_after(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(20);
        (self.first_retry * 2i32.pow(doublings)).min(self.max_delay)
    }
}

/// A webhook just created, with its secret: shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreatedWebhook {
    pub webhook: Webhook,
    pub secret: String,
}

/// The JSON body of a delivery.
#[derive(Debug, Clone, Serialize)]
struct Payload<'a> {
    event: &'static str,
    alert: &'a AlertEvent,
}

/// The value of `X-Corredor-Signature` for `body` sent at `timestamp` (Unix seconds).
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC-SHA256 takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Whether `header` is a valid signature of `body` with `secret`, made within `tolerance`
/// of `now`: what a receiver checks (and what corredor's own tests check).
pub fn verify_signature(
    secret: &str,
    header: &str,
    body: &str,
    now: DateTime<Utc>,
    tolerance: Duration,
) -> bool {
    let Some(timestamp) = header
        .split(',')
        .find_map(|part| part.strip_prefix("t="))
        .and_then(|t| t.parse::<i64>().ok())
    else {
        return false;
    };
    if (now.timestamp() - timestamp).abs() > tolerance.num_seconds() {
        return false;
    }
    let expected = signature(secret, timestamp, body);
    // Slices of different lengths compare unequal.
    bool::from(expected.as_bytes().ct_eq(header.as_bytes()))
}

/// Webhook URLs must be HTTPS, except on the machine itself (a national system beside the
/// server, or a test).
fn checked_url(url: &str) -> Result<String, AppError> {
    let url = url.trim();
    let local = [
        "http://127.0.0.1:",
        "http://127.0.0.1/",
        "http://localhost:",
        "http://localhost/",
        "http://[::1]:",
    ];
    let ok = (url.starts_with("https://") && url.len() > "https://".len())
        || local.iter().any(|prefix| url.starts_with(prefix));
    if !ok {
        return Err(AppError::invalid(
            "url",
            format!("`{url}` is not an https:// URL (plain http is accepted only for localhost)"),
        ));
    }
    if url.chars().any(char::is_whitespace) || url.len() > 2000 {
        return Err(AppError::invalid(
            "url",
            "a URL has no spaces and at most 2000 characters",
        ));
    }
    Ok(url.to_owned())
}

impl App {
    /// Subscribes an organisation's system; the answer carries the signing secret, shown once.
    pub async fn create_webhook(
        &self,
        caller: &Caller,
        organisation: &OrganisationCode,
        url: &str,
    ) -> Result<CreatedWebhook, AppError> {
        authorize(caller, &Action::ManageWebhooks(organisation.clone()))?;
        let url = checked_url(url)?;
        self.store.organisation(organisation).await?;
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let secret = format!("whsec_{}", hex::encode(bytes));
        let webhook = self
            .acting(caller)
            .create_webhook(&NewWebhook {
                organisation: organisation.as_str().to_owned(),
                url,
                secret: secret.clone(),
                created_by: caller.actor_name().to_owned(),
                created_at: self.clock.now(),
            })
            .await?;
        Ok(CreatedWebhook { webhook, secret })
    }

    /// The webhooks the caller manages: its organisation's, every one for the secretariat.
    pub async fn webhooks(&self, caller: &Caller) -> Result<Vec<Webhook>, AppError> {
        match caller {
            Caller::Anonymous => Err(AppError::Unauthenticated),
            Caller::System => Ok(self.store.webhooks(None).await?),
            Caller::Principal(principal) if principal.role == Role::Administrator => {
                Ok(self.store.webhooks(None).await?)
            }
            Caller::Principal(principal) => {
                authorize(
                    caller,
                    &Action::ManageWebhooks(principal.organisation.clone()),
                )?;
                Ok(self
                    .store
                    .webhooks(Some(principal.organisation.as_str()))
                    .await?)
            }
        }
    }

    async fn managed_webhook(&self, caller: &Caller, id: i64) -> Result<Webhook, AppError> {
        let webhook = self.store.webhook(id).await?;
        let organisation = OrganisationCode::parse(&webhook.organisation)
            .map_err(|error| AppError::Internal(error.into()))?;
        if caller == &Caller::Anonymous {
            return Err(AppError::Unauthenticated);
        }
        if authorize(caller, &Action::ManageWebhooks(organisation)).is_err() {
            // Another organisation's webhook: its existence is not shared.
            return Err(AppError::NotFound {
                what: format!("webhook {id}"),
            });
        }
        Ok(webhook)
    }

    /// Stops a webhook; its pending deliveries are given up, the log stays.
    pub async fn disable_webhook(&self, caller: &Caller, id: i64) -> Result<Webhook, AppError> {
        self.managed_webhook(caller, id).await?;
        Ok(self
            .acting(caller)
            .disable_webhook(id, self.clock.now())
            .await?)
    }

    /// A webhook's latest deliveries with every attempt.
    pub async fn webhook_deliveries(
        &self,
        caller: &Caller,
        id: i64,
    ) -> Result<Vec<(Delivery, Vec<DeliveryAttempt>)>, AppError> {
        self.managed_webhook(caller, id).await?;
        let mut log = Vec::new();
        for delivery in self.store.deliveries(id, 100).await? {
            let attempts = self.store.delivery_attempts(delivery.id).await?;
            log.push((delivery, attempts));
        }
        Ok(log)
    }

    /// Queues one delivery of `event` for every enabled webhook whose organisation may see
    /// the alert; returns how many were queued.
    pub async fn queue_webhook_deliveries(&self, event: &AlertEvent) -> Result<usize, AppError> {
        let webhooks: Vec<Webhook> = self
            .store
            .webhooks(None)
            .await?
            .into_iter()
            .filter(|webhook| webhook.disabled_at.is_none())
            .collect();
        if webhooks.is_empty() {
            return Ok(0);
        }
        let organisations = self.store.organisations().await?;
        // The same body for every subscriber: only who may receive it differs.
        let payload = serde_json::to_string(&Payload {
            event: event.kind.name(),
            alert: event,
        })
        .map_err(|error| AppError::Internal(error.into()))?;
        let mut deliveries = Vec::new();
        for webhook in webhooks {
            let Some(organisation) = organisations
                .iter()
                .find(|organisation| organisation.code.as_str() == webhook.organisation)
            else {
                continue;
            };
            // What the organisation may see does not depend on the role: a focal point's view.
            let reader = Caller::Principal(Principal {
                name: format!("webhook:{}", webhook.id),
                organisation: organisation.code.clone(),
                kind: organisation.kind,
                role: Role::FocalPoint,
            });
            if !event.visible_to(&reader) {
                continue;
            }
            deliveries.push(NewDelivery {
                webhook_id: webhook.id,
                event: event.kind.name().to_owned(),
                alert_id: event.alert_id,
                payload: payload.clone(),
                created_at: self.clock.now(),
            });
        }
        Ok(self.store.enqueue_deliveries(&deliveries).await?.len())
    }

    /// Attempts every delivery due now, once each; returns the deliveries attempted.
    pub async fn attempt_due_deliveries(
        &self,
        client: &reqwest::Client,
        settings: &WebhookSettings,
    ) -> Result<Vec<Delivery>, AppError> {
        let due = self.store.due_deliveries(self.clock.now(), 100).await?;
        let mut attempted = Vec::with_capacity(due.len());
        for delivery in due {
            let webhook = self.store.webhook(delivery.webhook_id).await?;
            let attempt = delivery.attempts + 1;
            let sent_at = self.clock.now();
            // The signature's time is the wall clock's whatever the app's clock says: the
            // receiver compares it with its own to refuse replays.
            let signed_at = Utc::now().timestamp();
            let started = Instant::now();
            let answer = client
                .post(&webhook.url)
                .timeout(settings.timeout)
                .header("content-type", "application/json")
                .header("x-corredor-event", &delivery.event)
                .header("x-corredor-delivery", delivery.id.to_string())
                .header(
                    "x-corredor-signature",
                    signature(&webhook.secret, signed_at, &delivery.payload),
                )
                .body(delivery.payload.clone())
                .send()
                .await;
            let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            let (status_code, error) = match answer {
                Ok(response) => (Some(response.status().as_u16()), None),
                Err(error) => (None, Some(error_text(&error))),
            };
            let delivered = status_code.is_some_and(|code| (200..300).contains(&code));
            let outcome = if delivered {
                AttemptOutcome::Delivered
            } else if attempt >= settings.max_attempts {
                AttemptOutcome::GiveUp
            } else {
                AttemptOutcome::RetryAt(self.clock.now() + settings.delay_after(attempt))
            };
            if !delivered {
                tracing::warn!(
                    webhook = webhook.id,
                    delivery = delivery.id,
                    attempt,
                    status = ?status_code,
                    error = error.as_deref().unwrap_or(""),
                    "webhook delivery failed"
                );
            }
            let log = DeliveryAttempt {
                attempt,
                at: sent_at,
                status_code,
                error,
                duration_ms,
            };
            attempted.push(
                self.store
                    .record_attempt(delivery.id, &log, outcome)
                    .await?,
            );
        }
        Ok(attempted)
    }

    /// The server's alert duties, until the process stops: webhook deliveries, and a
    /// reminder for each recipient late to acknowledge (checked every minute).
    pub async fn run_alert_duties(self, settings: WebhookSettings) {
        let app = self.clone();
        let reminders = async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                tick.tick().await;
                if let Err(error) = app.raise_alert_reminders().await {
                    tracing::error!(%error, "alert reminders");
                }
                if let Err(error) = app.purge_expired_return_data().await {
                    tracing::error!(%error, "return data retention");
                }
            }
        };
        tokio::join!(
            self.run_webhooks(settings, std::future::pending::<()>()),
            reminders
        );
    }

    /// Delivers webhooks until `shutdown` resolves: queues a delivery per subscriber for each
    /// alert event, attempts what is due, and sleeps until the next retry or the next event.
    pub async fn run_webhooks(
        self,
        settings: WebhookSettings,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        let client = match reqwest::Client::builder()
            .user_agent(concat!("corredor/", env!("CARGO_PKG_VERSION")))
            .build()
        {
            Ok(client) => client,
            Err(error) => {
                tracing::error!(%error, "webhooks cannot start: no HTTP client");
                return;
            }
        };
        let mut events = self.alert_events();
        tokio::pin!(shutdown);
        loop {
            if let Err(error) = self.attempt_due_deliveries(&client, &settings).await {
                tracing::error!(%error, "webhook deliveries");
            }
            let next = match self.store.next_delivery_due().await {
                Ok(next) => next,
                Err(error) => {
                    tracing::error!(%error, "webhook deliveries");
                    None
                }
            };
            let wait = next
                .map(|at| (at - self.clock.now()).to_std().unwrap_or_default())
                .unwrap_or(std::time::Duration::from_secs(60));
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(wait) => {}
                received = events.recv() => match received {
                    Ok(event) => {
                        if let Err(error) = self.queue_webhook_deliveries(&event).await {
                            tracing::error!(%error, alert = event.alert_id.0, "queueing webhook deliveries");
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        tracing::error!(missed, "webhooks fell behind the alert events; some changes were not delivered");
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
            }
        }
    }
}

/// The cause of a failed request in words, without the URL's query (it may hold a key).
fn error_text(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut text = kind.to_owned();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(500).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_with_its_secret_only_and_only_while_fresh() {
        let body = r#"{"event":"alert.activated"}"#;
        let now = DateTime::parse_from_rfc3339("2023-09-14T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let header = signature("whsec_panama", now.timestamp(), body);
        assert!(header.starts_with(&format!("t={},v1=", now.timestamp())));
        let five_minutes = Duration::minutes(5);
        assert!(verify_signature(
            "whsec_panama",
            &header,
            body,
            now,
            five_minutes
        ));
        assert!(!verify_signature(
            "whsec_other",
            &header,
            body,
            now,
            five_minutes
        ));
        assert!(!verify_signature(
            "whsec_panama",
            &header,
            "{}",
            now,
            five_minutes
        ));
        assert!(!verify_signature(
            "whsec_panama",
            &header,
            body,
            now + Duration::minutes(6),
            five_minutes
        ));
    }

    #[test]
    fn the_wait_doubles_from_the_first_retry_up_to_the_cap() {
        let settings = WebhookSettings::default();
        let waits: Vec<i64> = (1..=8)
            .map(|n| settings.delay_after(n).num_seconds())
            .collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600]);
    }

    #[test]
    fn a_webhook_url_is_https_unless_it_is_on_this_machine() {
        assert!(checked_url("https://alertas.migracion.go.cr/corredor").is_ok());
        assert!(checked_url("http://127.0.0.1:8081/hook").is_ok());
        assert!(checked_url("http://alertas.migracion.go.cr/corredor").is_err());
        assert!(checked_url("ftp://example.org").is_err());
        assert!(checked_url("https://").is_err());
    }
}
