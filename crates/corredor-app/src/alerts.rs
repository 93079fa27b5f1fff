//! The migratory alert between countries (phase III): issuing, updating, closing and
//! cancelling alerts, recipients' acknowledgements and actions, alert levels and the
//! checklists they oblige, stranded populations, reminders, and the events that deliver each
//! change at once.
//!
//! Who may take a step is `corredor_core::authorize`; whether the step makes sense for the
//! alert is the domain's (`corredor_core::Alert`); who may read an alert is
//! [`alert_audience`] (the store applies the same rule in its query). Every change is one
//! store write over the revision it read, so two focal points acting at once never overwrite
//! each other: the second is told to reload. After each change an [`AlertEvent`] is published
//! to the app's subscribers (the event streams of the web pages and the webhooks).

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use corredor_core::{
    authorize, effective_level, recipients_ahead, Action, ActionStatus, Alert, AlertContent,
    AlertId, AlertLevel, AlertState, Caller, CountryCode, LevelChecklists, Measure,
    OrganisationCode, OrganisationKind, PlaceCode, Recipient, RequiredAction, StrandedPopulation,
    StrandedPopulationParts,
};
use corredor_store::{
    AlertAudience, AlertFilter, AlertRevision, NewAlertLevel, Reminder, StoredAlert,
    StoredAlertLevel, StoredChecklists, StoredStranded,
};
use serde::{Deserialize, Serialize};

use crate::{App, AppError};

/// How long a recipient has to acknowledge before a reminder is raised, unless configured.
pub const DEFAULT_ACKNOWLEDGEMENT_DEADLINE: Duration = Duration::hours(24);

/// What happened to an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertEventKind {
    Drafted,
    Activated,
    Updated,
    RecipientAdded,
    Acknowledged,
    ActionRecorded,
    Closed,
    Cancelled,
    /// A recipient has not acknowledged in time.
    Reminder,
}

impl AlertEventKind {
    /// The event's name on streams and webhooks: `alert.activated`, …
    pub fn name(self) -> &'static str {
        match self {
            AlertEventKind::Drafted => "alert.drafted",
            AlertEventKind::Activated => "alert.activated",
            AlertEventKind::Updated => "alert.updated",
            AlertEventKind::RecipientAdded => "alert.recipient_added",
            AlertEventKind::Acknowledged => "alert.acknowledged",
            AlertEventKind::ActionRecorded => "alert.action_recorded",
            AlertEventKind::Closed => "alert.closed",
            AlertEventKind::Cancelled => "alert.cancelled",
            AlertEventKind::Reminder => "alert.reminder",
        }
    }
}

/// One change of an alert, as delivered to those who may see the alert. It carries who may
/// see it, so that a stream or a webhook filters without reading the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertEvent {
    pub kind: AlertEventKind,
    pub alert_id: AlertId,
    pub issuing_country: CountryCode,
    pub state: AlertState,
    pub version: u32,
    pub revision: i64,
    /// The headline of the latest version, Spanish first.
    pub headline: String,
    /// The headline in each language the alert is written in, for a reader's own.
    pub headline_es: Option<String>,
    pub headline_en: Option<String>,
    pub recipients: Vec<CountryCode>,
    pub shared_with: Vec<String>,
    /// The country the event concerns besides the issuer (who acknowledged, who is late).
    pub country: Option<CountryCode>,
    pub at: DateTime<Utc>,
}

impl AlertEvent {
    pub(crate) fn of(
        kind: AlertEventKind,
        stored: &StoredAlert,
        country: Option<CountryCode>,
    ) -> AlertEvent {
        let latest = stored.alert.latest();
        let text = &latest.content.text;
        let headline = text
            .spanish()
            .or(text.english())
            .map(|block| block.headline.clone())
            .unwrap_or_default();
        AlertEvent {
            kind,
            alert_id: stored.id(),
            issuing_country: stored.alert.issuing_country(),
            state: stored.alert.state(),
            version: latest.number,
            revision: stored.revision,
            headline,
            headline_es: text.spanish().map(|block| block.headline.clone()),
            headline_en: text.english().map(|block| block.headline.clone()),
            recipients: stored
                .alert
                .recipients()
                .iter()
                .map(|r| r.country)
                .collect(),
            shared_with: stored.shared_with.clone(),
            country,
            at: stored.updated_at,
        }
    }

    /// Whether `caller` may see the alert the event is about (the rule of [`alert_audience`]).
    pub fn visible_to(&self, caller: &Caller) -> bool {
        sees(
            caller,
            self.issuing_country,
            self.state,
            &self.recipients,
            &self.shared_with,
        )
    }
}

/// The visibility rule of [`alert_audience`] for one alert (the store applies the same rule
/// in its query).
fn sees(
    caller: &Caller,
    issuing_country: CountryCode,
    state: AlertState,
    recipients: &[CountryCode],
    shared_with: &[String],
) -> bool {
    let sent = state != AlertState::Draft;
    match alert_audience(caller) {
        AlertAudience::Everything => true,
        AlertAudience::AllSent => sent,
        AlertAudience::Country(country) => {
            issuing_country == country
                || (sent
                    && (recipients.contains(&country)
                        || shared_with.iter().any(|o| o == country.as_str())))
        }
        AlertAudience::Organisation(organisation) => sent && shared_with.contains(&organisation),
        AlertAudience::Nobody => false,
    }
}

/// Who may read which alerts: a country its own (drafts included) and the sent alerts
/// addressed or shared with it; the secretariat every sent alert; an observer the sent alerts
/// shared with it; nobody signed in, none.
pub fn alert_audience(caller: &Caller) -> AlertAudience {
    match caller {
        Caller::System => AlertAudience::Everything,
        Caller::Anonymous => AlertAudience::Nobody,
        Caller::Principal(principal) => match principal.kind {
            OrganisationKind::Country(country) => AlertAudience::Country(country),
            OrganisationKind::Secretariat => AlertAudience::AllSent,
            OrganisationKind::Observer => {
                AlertAudience::Organisation(principal.organisation.as_str().to_owned())
            }
        },
    }
}

fn may_see(caller: &Caller, stored: &StoredAlert) -> bool {
    let recipients: Vec<CountryCode> = stored
        .alert
        .recipients()
        .iter()
        .map(|r| r.country)
        .collect();
    sees(
        caller,
        stored.alert.issuing_country(),
        stored.alert.state(),
        &recipients,
        &stored.shared_with,
    )
}

/// A new alert, as a focal point states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAlert {
    /// The issuing country; the caller's own when absent.
    #[serde(default)]
    pub issuing_country: Option<CountryCode>,
    #[serde(flatten)]
    pub content: AlertContent,
    /// The day the flow was seen, from which arrival windows count; today when absent.
    #[serde(default)]
    pub seen_on: Option<NaiveDate>,
    /// Countries to warn besides those ahead on the route.
    #[serde(default)]
    pub also_to: Vec<CountryCode>,
    /// Organisations (observers such as IOM, UNHCR) that see the alert too.
    #[serde(default)]
    pub shared_with: Vec<OrganisationCode>,
    /// Send at once rather than keep a draft.
    #[serde(default)]
    pub activate: bool,
}

/// A new version of an alert's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertUpdate {
    #[serde(flatten)]
    pub content: AlertContent,
    pub what_changed: String,
}

/// An alert with what its readers need beside it: who has not acknowledged, who is late,
/// what each recipient still owes, the reminders raised and the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertView {
    #[serde(flatten)]
    pub stored: StoredAlert,
    pub unacknowledged: Vec<CountryCode>,
    pub overdue: Vec<CountryCode>,
    /// Per recipient, the required actions without a record that meets them.
    pub outstanding: Vec<(CountryCode, Vec<RequiredAction>)>,
    pub reminders: Vec<Reminder>,
    pub timeline: Vec<TimelineEntry>,
}

/// One step of an alert's life, for its timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: DateTime<FixedOffset>,
    pub by: String,
    /// `issued`, `version`, `activated`, `closed`, `cancelled`, `recipient_added`,
    /// `acknowledged`, `action`, `reminder`.
    pub kind: String,
    pub country: Option<CountryCode>,
    /// Words for a person: what changed, the action and its status, the reason.
    pub detail: String,
}

/// The level a country or place is at, with what it obliges.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelView {
    pub country: CountryCode,
    pub place: Option<PlaceCode>,
    /// The level its focal point set (`normal` when never set).
    pub set_level: AlertLevel,
    pub set: Option<StoredAlertLevel>,
    /// The set level raised by the active alerts that concern the country.
    pub effective_level: AlertLevel,
    pub required: Vec<RequiredAction>,
}

impl App {
    /// The alerts `caller` may see, most recently changed first.
    pub async fn alerts(
        &self,
        caller: &Caller,
        state: Option<AlertState>,
    ) -> Result<Vec<StoredAlert>, AppError> {
        let mut filter = AlertFilter::for_audience(alert_audience(caller));
        filter.state = state;
        Ok(self.store.alerts(&filter).await?)
    }

    /// One alert with its derived facts; "not found" for an alert the caller may not see,
    /// so that its existence is not disclosed.
    pub async fn alert(&self, caller: &Caller, id: AlertId) -> Result<AlertView, AppError> {
        let stored = self.visible_alert(caller, id).await?;
        let now = self.clock.now().fixed_offset();
        let alert = &stored.alert;
        let checklists = self.store.level_checklists().await?.checklists;
        let unacknowledged = alert.unacknowledged().iter().map(|r| r.country).collect();
        let overdue = alert
            .overdue(now, self.acknowledgement_deadline)
            .iter()
            .map(|r| r.country)
            .collect();
        let outstanding = alert
            .recipients()
            .iter()
            .map(|recipient| {
                // What the alert asks for, and what the level it raises the recipient to
                // obliges.
                let level = effective_level(
                    recipient.country,
                    AlertLevel::Normal,
                    std::slice::from_ref(alert),
                );
                let mut required: BTreeSet<RequiredAction> =
                    alert.latest().content.needs.actions.clone();
                required.extend(checklists.required(level).iter().copied());
                let required: Vec<RequiredAction> = required.into_iter().collect();
                (
                    recipient.country,
                    alert.outstanding(recipient.country, &required),
                )
            })
            .filter(|(_, actions)| !actions.is_empty())
            .collect();
        let reminders = self.store.reminders(id).await?;
        let timeline = timeline(alert, &reminders);
        Ok(AlertView {
            stored,
            unacknowledged,
            overdue,
            outstanding,
            reminders,
            timeline,
        })
    }

    /// Every document written for an alert the caller may see.
    pub async fn alert_revisions(
        &self,
        caller: &Caller,
        id: AlertId,
    ) -> Result<Vec<AlertRevision>, AppError> {
        self.visible_alert(caller, id).await?;
        Ok(self.store.alert_revisions(id).await?)
    }

    pub(crate) async fn visible_alert(
        &self,
        caller: &Caller,
        id: AlertId,
    ) -> Result<StoredAlert, AppError> {
        if *caller == Caller::Anonymous {
            return Err(AppError::Unauthenticated);
        }
        let stored = self.store.alert(id).await?;
        if may_see(caller, &stored) {
            Ok(stored)
        } else {
            Err(AppError::NotFound {
                what: format!("alert {}", id.0),
            })
        }
    }

    /// Drafts an alert (and sends it when `activate` is set), addressed to the countries
    /// ahead on its route with their arrival windows, and to those the issuer adds.
    pub async fn issue_alert(
        &self,
        caller: &Caller,
        request: NewAlert,
    ) -> Result<StoredAlert, AppError> {
        let issuing = match (request.issuing_country, caller.country()) {
            (Some(country), _) | (None, Some(country)) => country,
            (None, None) => {
                return Err(AppError::invalid(
                    "issuing_country",
                    "say which country issues the alert",
                ))
            }
        };
        authorize(caller, &Action::IssueAlert(issuing))?;
        let now = self.clock.now();
        let at = now.fixed_offset();
        let seen_on = request.seen_on.unwrap_or(now.date_naive());
        let corridor = self
            .store
            .corridor(&request.content.route.corridor)
            .await
            .map_err(|_| {
                AppError::invalid(
                    "route.corridor",
                    format!("no corridor `{}`", request.content.route.corridor),
                )
            })?;
        let ahead = recipients_ahead(&corridor, issuing, request.content.route.direction, seen_on)
            .map_err(|error| AppError::invalid("route", error.to_string()))?;
        let shared_with = self.checked_shares(&request.shared_with).await?;
        let by = caller.actor_name();
        let mut alert = Alert::draft(issuing, request.content, by, at).map_err(core_invalid)?;
        for recipient in ahead {
            alert = alert.add_recipient(recipient, at).map_err(core_invalid)?;
        }
        for country in request.also_to {
            if alert.is_recipient(country) {
                continue;
            }
            self.known_country(country, "also_to").await?;
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
                .map_err(core_invalid)?;
        }
        // Where the latest forecast fitted the corridor's legs, its transit distribution
        // gives the windows of the recipients it reaches (for the flow's main nationality
        // when fitted for it).
        let main_nationality = alert
            .latest()
            .content
            .composition
            .parts()
            .nationalities
            .iter()
            .max_by_key(|estimate| estimate.estimated_people)
            .map(|estimate| estimate.nationality);
        for (country, window) in self
            .forecast_windows(
                &corridor,
                issuing,
                alert.latest().content.route.direction,
                seen_on,
                main_nationality,
            )
            .await?
        {
            if alert.is_recipient(country) {
                alert = alert
                    .set_arrival_window(country, window)
                    .map_err(core_invalid)?;
            }
        }
        let (alert, kind) = if request.activate {
            (
                alert.activate(by, at).map_err(core_invalid)?,
                AlertEventKind::Activated,
            )
        } else {
            (alert, AlertEventKind::Drafted)
        };
        let stored = self
            .acting(caller)
            .create_alert(&alert, &shared_with, None, "issue_alert", now)
            .await?;
        self.publish_event(AlertEvent::of(kind, &stored, None));
        Ok(stored)
    }

    /// Proposes a draft alert from a signal (a surge, or forecast arrivals above a shelter's
    /// capacity), for the country's focal point to review and send. The focal points and
    /// analysts who verify the country's signals may propose; only a focal point sends.
    /// The draft states what the signal measured, in both languages, and nothing it did not:
    /// the composition is the count alone, the stage `forming`.
    pub async fn propose_alert_from_signal(
        &self,
        caller: &Caller,
        signal_id: i64,
    ) -> Result<StoredAlert, AppError> {
        if *caller == Caller::Anonymous {
            return Err(AppError::Unauthenticated);
        }
        let signal = self.signal_detail(caller, signal_id).await?.signal;
        let Some(country) = signal.signal.scope.country() else {
            return Err(AppError::invalid(
                "signal",
                "a signal on a corridor sum has no issuing country: propose from a country's signal",
            ));
        };
        authorize(caller, &Action::DecideSignal(Some(country)))?;
        let evidence = &signal.signal;
        let people = evidence
            .observed
            .unwrap_or(evidence.expected)
            .max(1.0)
            .round();
        // Counts far beyond u32 are not a flow of people: refuse rather than truncate.
        if people > f64::from(u32::MAX) {
            return Err(AppError::invalid(
                "signal",
                "the count is too large for an alert",
            ));
        }
        let people = people as u32;
        let places = self.store.places().await?;
        let place = match &evidence.place {
            Some(code) => places.iter().find(|place| &place.code == code),
            // The whole country: its first reception point or crossing stands for it on the
            // map; the description says it is the whole country.
            None => places.iter().find(|place| place.country == country),
        };
        let Some(place) = place else {
            return Err(AppError::invalid(
                "signal",
                format!("{country} has no place to locate the alert at: add one first"),
            ));
        };
        let whole_country = evidence.place.is_none();
        let corridor = self
            .store
            .corridors()
            .await?
            .into_iter()
            .find(|corridor| corridor.position(country).is_some())
            .ok_or_else(|| AppError::invalid("signal", format!("{country} is on no corridor")))?;
        let nationality = evidence
            .nationality
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let period = evidence.period.to_string();
        let (headline_es, headline_en, description_es, description_en) = match evidence.kind {
            corredor_core::SignalKind::Surge => (
                format!(
                    "Aumento de {}{nationality} en {country}: {} en {period}",
                    measure_words(evidence.measure).0,
                    grouped(people, '.')
                ),
                format!(
                    "Surge of {}{nationality} in {country}: {} in {period}",
                    measure_words(evidence.measure).1,
                    grouped(people, ',')
                ),
                format!(
                    "Propuesta a partir de la señal {signal_id} ({}): {people} observados frente a {:.0} esperados (límite {:.0}). Revise y complete antes de enviar.",
                    evidence.algorithm, evidence.expected, evidence.upper_bound
                ),
                format!(
                    "Proposed from signal {signal_id} ({}): {people} observed against {:.0} expected (bound {:.0}). Review and complete before sending.",
                    evidence.algorithm, evidence.expected, evidence.upper_bound
                ),
            ),
            corredor_core::SignalKind::Capacity => (
                format!("Llegadas previstas sobre la capacidad en {}: {period}", place.name),
                format!("Forecast arrivals above capacity at {}: {period}", place.name),
                format!(
                    "Propuesta a partir de la señal {signal_id}: {:.0} llegadas previstas frente a una capacidad de {:.0}. Revise y complete antes de enviar.",
                    evidence.expected, evidence.upper_bound
                ),
                format!(
                    "Proposed from signal {signal_id}: {:.0} forecast arrivals against a capacity of {:.0}. Review and complete before sending.",
                    evidence.expected, evidence.upper_bound
                ),
            ),
        };
        let clip = |text: String| text.chars().take(160).collect::<String>();
        let content = AlertContent {
            composition: corredor_core::FlowComposition::new(corredor_core::FlowCompositionParts {
                estimated_people: people,
                ..Default::default()
            })
            .map_err(core_invalid)?,
            location: corredor_core::AlertLocation::new(
                corredor_core::Area::Place {
                    place: place.code.clone(),
                },
                &if whole_country {
                    format!("{country} ({})", place.name)
                } else {
                    place.name.clone()
                },
            )
            .map_err(core_invalid)?,
            route: corredor_core::Route {
                corridor: corridor.code().clone(),
                direction: corredor_core::Direction::Northbound,
            },
            stage: corredor_core::FlowStage::Forming,
            needs: corredor_core::Needs::default(),
            text: corredor_core::AlertText::new(
                Some(corredor_core::TextBlock {
                    headline: clip(headline_es),
                    description: description_es,
                    instruction: None,
                }),
                Some(corredor_core::TextBlock {
                    headline: clip(headline_en),
                    description: description_en,
                    instruction: None,
                }),
            )
            .map_err(core_invalid)?,
        };
        let now = self.clock.now();
        let at = now.fixed_offset();
        let seen_on = evidence.period.end().min(now.date_naive());
        let mut alert =
            Alert::draft(country, content, caller.actor_name(), at).map_err(core_invalid)?;
        for recipient in recipients_ahead(
            &corridor,
            country,
            corredor_core::Direction::Northbound,
            seen_on,
        )
        .map_err(core_invalid)?
        {
            alert = alert.add_recipient(recipient, at).map_err(core_invalid)?;
        }
        let stored = self
            .acting(caller)
            .create_alert(&alert, &[], None, "propose_alert_from_signal", now)
            .await?;
        self.publish_event(AlertEvent::of(AlertEventKind::Drafted, &stored, None));
        Ok(stored)
    }

    /// Arrival windows from the latest propagation forecast of `corridor`: walking the fitted
    /// legs from the issuing country, the transit distributions (each leg's lag weights over
    /// their sum) are convolved, and a country's window runs from the 10th to the 90th
    /// percentile of the cumulative lag, in days (a lag of 0 weeks is "within a week").
    ///
    /// Only a forecast fitted on weekly or daily counts places an arrival finely enough to
    /// replace the transit-time window (a week is shorter than most legs); a monthly fit can
    /// only say "within these months" (Panama to Mexico would read "from today to four
    /// months"), so the transit-time window stays. Only northbound, the direction the legs
    /// were fitted in, and only as far as people continue (all-zero weights stop the walk).
    async fn forecast_windows(
        &self,
        corridor: &corredor_core::Corridor,
        issuing: CountryCode,
        direction: corredor_core::Direction,
        seen_on: NaiveDate,
        nationality: Option<corredor_core::Nationality>,
    ) -> Result<Vec<(CountryCode, corredor_core::ArrivalWindow)>, AppError> {
        if direction != corredor_core::Direction::Northbound {
            return Ok(Vec::new());
        }
        let Some(detail) = self
            .store
            .latest_forecasts(corridor.code(), crate::FORECAST_MODEL)
            .await?
        else {
            return Ok(Vec::new());
        };
        let days_per_period = match detail.run.origin.granularity() {
            corredor_core::Granularity::Day => 1.0,
            corredor_core::Granularity::Week => 7.0,
            corredor_core::Granularity::Month | corredor_core::Granularity::Year => {
                return Ok(Vec::new())
            }
        };
        let fitted_for = |wanted: Option<corredor_core::Nationality>| {
            detail
                .legs
                .iter()
                .filter(|leg| leg.nationality == wanted)
                .collect::<Vec<_>>()
        };
        let mut legs = fitted_for(nationality);
        if legs.is_empty() {
            legs = fitted_for(None);
        }
        let mut windows = Vec::new();
        let mut distribution = vec![1.0];
        let mut at = issuing;
        while let Some(leg) = legs.iter().find(|leg| leg.from == at) {
            let total: f64 = leg.weights.iter().sum();
            if total.is_nan() || total <= 0.0 || windows.len() > corridor.legs().len() {
                break;
            }
            let mut next = vec![0.0; distribution.len() + leg.weights.len() - 1];
            for (i, p) in distribution.iter().enumerate() {
                for (j, w) in leg.weights.iter().enumerate() {
                    next[i + j] += p * w / total;
                }
            }
            distribution = next;
            at = leg.to;
            let quantile = |q: f64| {
                let mut cumulative = 0.0;
                for (lag, p) in distribution.iter().enumerate() {
                    cumulative += p;
                    if cumulative >= q - 1e-12 {
                        return lag;
                    }
                }
                distribution.len() - 1
            };
            let (early, late) = (quantile(0.1), quantile(0.9));
            let from = seen_on + chrono::Days::new((early as f64 * days_per_period).floor() as u64);
            let to = seen_on
                + chrono::Days::new((((late + 1) as f64) * days_per_period).ceil() as u64 - 1);
            if let Ok(window) = corredor_core::ArrivalWindow::forecast(from, to) {
                windows.push((at, window));
            }
        }
        Ok(windows)
    }

    async fn known_country(&self, country: CountryCode, field: &str) -> Result<(), AppError> {
        if self
            .store
            .countries()
            .await?
            .iter()
            .any(|known| known.code == country)
        {
            Ok(())
        } else {
            Err(AppError::invalid(field, format!("no country `{country}`")))
        }
    }

    async fn checked_shares(&self, shares: &[OrganisationCode]) -> Result<Vec<String>, AppError> {
        let mut checked = BTreeSet::new();
        for code in shares {
            self.store.organisation(code).await.map_err(|_| {
                AppError::invalid("shared_with", format!("no organisation `{code}`"))
            })?;
            checked.insert(code.as_str().to_owned());
        }
        Ok(checked.into_iter().collect())
    }

    /// Sends a draft to its recipients.
    pub async fn activate_alert(
        &self,
        caller: &Caller,
        id: AlertId,
    ) -> Result<StoredAlert, AppError> {
        self.issuer_step(
            caller,
            id,
            "activate_alert",
            AlertEventKind::Activated,
            |alert, by, at| alert.activate(by, at),
        )
        .await
    }

    /// A new version of an active alert, saying what changed.
    pub async fn update_alert(
        &self,
        caller: &Caller,
        id: AlertId,
        update: AlertUpdate,
    ) -> Result<StoredAlert, AppError> {
        self.issuer_step(
            caller,
            id,
            "update_alert",
            AlertEventKind::Updated,
            |alert, by, at| {
                if alert.state() == AlertState::Draft {
                    alert.edit_draft(update.content, by, at)
                } else {
                    alert.update(update.content, &update.what_changed, by, at)
                }
            },
        )
        .await
    }

    /// Ends an alert: the flow passed or dispersed.
    pub async fn close_alert(&self, caller: &Caller, id: AlertId) -> Result<StoredAlert, AppError> {
        self.issuer_step(
            caller,
            id,
            "close_alert",
            AlertEventKind::Closed,
            |alert, by, at| alert.close(by, at),
        )
        .await
    }

    /// Withdraws an alert, with the reason.
    pub async fn cancel_alert(
        &self,
        caller: &Caller,
        id: AlertId,
        reason: &str,
    ) -> Result<StoredAlert, AppError> {
        self.issuer_step(
            caller,
            id,
            "cancel_alert",
            AlertEventKind::Cancelled,
            |alert, by, at| alert.cancel(reason, by, at),
        )
        .await
    }

    /// Addresses the alert to one more country, off the route or forgotten.
    pub async fn add_alert_recipient(
        &self,
        caller: &Caller,
        id: AlertId,
        country: CountryCode,
    ) -> Result<StoredAlert, AppError> {
        self.known_country(country, "country").await?;
        self.issuer_step(
            caller,
            id,
            "add_alert_recipient",
            AlertEventKind::RecipientAdded,
            |alert, _by, at| {
                alert.add_recipient(
                    Recipient {
                        country,
                        arrival: None,
                        added_by_issuer: true,
                        addressed_at: None,
                    },
                    at,
                )
            },
        )
        .await
    }

    /// One step of the issuing country on its alert.
    async fn issuer_step(
        &self,
        caller: &Caller,
        id: AlertId,
        action: &str,
        kind: AlertEventKind,
        step: impl FnOnce(Alert, &str, DateTime<FixedOffset>) -> Result<Alert, corredor_core::CoreError>,
    ) -> Result<StoredAlert, AppError> {
        let stored = self.visible_alert(caller, id).await?;
        authorize(caller, &Action::IssueAlert(stored.alert.issuing_country()))?;
        let now = self.clock.now();
        let changed = step(
            stored.alert.clone(),
            caller.actor_name(),
            now.fixed_offset(),
        )
        .map_err(core_invalid)?;
        self.save_step(caller, &stored, &changed, action, (kind, None), None)
            .await
    }

    /// Saves a changed alert over the revision it was read at, then tells the subscribers
    /// (`event`: what happened, and the country it concerns besides the issuer).
    pub(crate) async fn save_step(
        &self,
        caller: &Caller,
        stored: &StoredAlert,
        changed: &Alert,
        action: &str,
        event: (AlertEventKind, Option<CountryCode>),
        cap: Option<&corredor_store::CapOrigin>,
    ) -> Result<StoredAlert, AppError> {
        let saved = self
            .acting(caller)
            .save_alert(
                changed,
                &stored.shared_with,
                stored.revision,
                cap,
                action,
                self.clock.now(),
            )
            .await?;
        self.publish_event(AlertEvent::of(event.0, &saved, event.1));
        Ok(saved)
    }

    /// The caller's country acknowledges receipt of an alert addressed to it.
    pub async fn acknowledge_alert(
        &self,
        caller: &Caller,
        id: AlertId,
    ) -> Result<StoredAlert, AppError> {
        self.recipient_step(
            caller,
            id,
            "acknowledge_alert",
            AlertEventKind::Acknowledged,
            |alert, country, by, at| alert.acknowledge(country, by, at),
        )
        .await
    }

    /// The caller's country records what it guarantees or did for one required action.
    pub async fn record_alert_action(
        &self,
        caller: &Caller,
        id: AlertId,
        action: RequiredAction,
        status: ActionStatus,
        note: Option<String>,
    ) -> Result<StoredAlert, AppError> {
        self.recipient_step(
            caller,
            id,
            "record_alert_action",
            AlertEventKind::ActionRecorded,
            |alert, country, by, at| {
                alert.record_action(country, action, status, note.as_deref(), by, at)
            },
        )
        .await
    }

    async fn recipient_step(
        &self,
        caller: &Caller,
        id: AlertId,
        action: &str,
        kind: AlertEventKind,
        step: impl FnOnce(
            Alert,
            CountryCode,
            &str,
            DateTime<FixedOffset>,
        ) -> Result<Alert, corredor_core::CoreError>,
    ) -> Result<StoredAlert, AppError> {
        let Some(country) = caller.country() else {
            if *caller == Caller::Anonymous {
                return Err(AppError::Unauthenticated);
            }
            return Err(AppError::Forbidden(
                "only a recipient country's focal points respond to an alert".to_owned(),
            ));
        };
        authorize(caller, &Action::RespondToAlert(country))?;
        let stored = self.visible_alert(caller, id).await?;
        let now = self.clock.now();
        let changed = step(
            stored.alert.clone(),
            country,
            caller.actor_name(),
            now.fixed_offset(),
        )
        .map_err(core_invalid)?;
        self.save_step(
            caller,
            &stored,
            &changed,
            action,
            (kind, Some(country)),
            None,
        )
        .await
    }

    /// Raises a reminder, once, for every recipient of an active alert that has not
    /// acknowledged within `deadline` of being addressed; returns the reminders raised.
    pub async fn raise_alert_reminders(&self) -> Result<Vec<Reminder>, AppError> {
        let deadline = self.acknowledgement_deadline;
        let now = self.clock.now();
        let mut filter = AlertFilter::for_audience(AlertAudience::Everything);
        filter.state = Some(AlertState::Active);
        let mut raised = Vec::new();
        for stored in self.store.alerts(&filter).await? {
            for recipient in stored.alert.overdue(now.fixed_offset(), deadline) {
                if self
                    .store
                    .raise_reminder(stored.id(), recipient.country, now)
                    .await?
                {
                    self.publish_event(AlertEvent::of(
                        AlertEventKind::Reminder,
                        &stored,
                        Some(recipient.country),
                    ));
                    raised.push(Reminder {
                        alert_id: stored.id(),
                        country: recipient.country,
                        raised_at: now,
                    });
                }
            }
        }
        Ok(raised)
    }

    /// Sets a country's (or one of its places') alert level.
    pub async fn set_alert_level(
        &self,
        caller: &Caller,
        country: CountryCode,
        place: Option<PlaceCode>,
        level: AlertLevel,
        reason: &str,
    ) -> Result<StoredAlertLevel, AppError> {
        authorize(caller, &Action::SetAlertLevel(country))?;
        if reason.trim().is_empty() {
            return Err(AppError::invalid(
                "reason",
                "say why the level changes (what was seen, what it obliges)",
            ));
        }
        if let Some(place) = &place {
            let stored = self
                .store
                .place(place)
                .await
                .map_err(|_| AppError::invalid("place", format!("no place `{place}`")))?;
            if stored.country != country {
                return Err(AppError::invalid(
                    "place",
                    format!("{place} is in {}, not in {country}", stored.country),
                ));
            }
        }
        Ok(self
            .acting(caller)
            .set_alert_level(&NewAlertLevel {
                country,
                place,
                level,
                reason: reason.trim().to_owned(),
                set_by: caller.actor_name().to_owned(),
                set_at: self.clock.now(),
            })
            .await?)
    }

    /// Every country's level (and each place with one), set and effective, with what it
    /// obliges. Levels are for every signed-in reader: they are what neighbours plan on.
    pub async fn alert_levels(&self, caller: &Caller) -> Result<Vec<LevelView>, AppError> {
        if *caller == Caller::Anonymous {
            return Err(AppError::Unauthenticated);
        }
        let checklists = self.store.level_checklists().await?.checklists;
        let set = self.store.current_alert_levels().await?;
        let mut filter = AlertFilter::for_audience(AlertAudience::Everything);
        filter.state = Some(AlertState::Active);
        let active: Vec<Alert> = self
            .store
            .alerts(&filter)
            .await?
            .into_iter()
            .map(|stored| stored.alert)
            .collect();
        let mut countries: BTreeSet<CountryCode> =
            set.iter().map(|stored| stored.level.country).collect();
        for alert in &active {
            countries.insert(alert.issuing_country());
            countries.extend(alert.recipients().iter().map(|r| r.country));
        }
        let mut views = Vec::new();
        for country in countries {
            let own = set
                .iter()
                .find(|stored| stored.level.country == country && stored.level.place.is_none());
            let set_level = own.map_or(AlertLevel::Normal, |stored| stored.level.level);
            let effective = effective_level(country, set_level, &active);
            views.push(LevelView {
                country,
                place: None,
                set_level,
                set: own.cloned(),
                effective_level: effective,
                required: checklists.required(effective).to_vec(),
            });
            for place in set
                .iter()
                .filter(|stored| stored.level.country == country && stored.level.place.is_some())
            {
                let level = place.level.level.max(effective);
                views.push(LevelView {
                    country,
                    place: place.level.place.clone(),
                    set_level: place.level.level,
                    set: Some(place.clone()),
                    effective_level: level,
                    required: checklists.required(level).to_vec(),
                });
            }
        }
        Ok(views)
    }

    /// The checklists each level obliges.
    pub async fn level_checklists(&self, caller: &Caller) -> Result<StoredChecklists, AppError> {
        if *caller == Caller::Anonymous {
            return Err(AppError::Unauthenticated);
        }
        Ok(self.store.level_checklists().await?)
    }

    /// The secretariat configures what each level obliges.
    pub async fn configure_level_checklists(
        &self,
        caller: &Caller,
        checklists: LevelChecklists,
    ) -> Result<StoredChecklists, AppError> {
        authorize(caller, &Action::ConfigureLevelChecklists)?;
        Ok(self
            .acting(caller)
            .set_level_checklists(&checklists, caller.actor_name(), self.clock.now())
            .await?)
    }

    /// Records a stranded population in the caller's country.
    pub async fn record_stranded(
        &self,
        caller: &Caller,
        parts: StrandedPopulationParts,
    ) -> Result<StoredStranded, AppError> {
        authorize(caller, &Action::ReportObservations(parts.country))?;
        let population = self.checked_stranded(parts).await?;
        Ok(self
            .acting(caller)
            .create_stranded(&population, self.clock.now())
            .await?)
    }

    /// A new estimate of a stranded population, over the revision it was read at.
    pub async fn update_stranded(
        &self,
        caller: &Caller,
        id: i64,
        parts: StrandedPopulationParts,
        revision: i64,
    ) -> Result<StoredStranded, AppError> {
        let stored = self.store.stranded(id).await?;
        authorize(
            caller,
            &Action::ReportObservations(stored.population.parts().country),
        )?;
        let population = self.checked_stranded(parts).await?;
        Ok(self
            .acting(caller)
            .save_stranded(id, &population, revision, self.clock.now())
            .await?)
    }

    async fn checked_stranded(
        &self,
        parts: StrandedPopulationParts,
    ) -> Result<StrandedPopulation, AppError> {
        for id in &parts.alerts {
            self.store
                .alert(*id)
                .await
                .map_err(|_| AppError::invalid("alerts", format!("no alert {}", id.0)))?;
        }
        StrandedPopulation::new(parts).map_err(core_invalid)
    }

    /// The stranded populations of the countries whose stranded counts the caller may read.
    pub async fn stranded_populations(
        &self,
        caller: &Caller,
    ) -> Result<Vec<StoredStranded>, AppError> {
        let readable = self.readable(caller).await?;
        Ok(self
            .store
            .stranded_populations(&[])
            .await?
            .into_iter()
            .filter(|stored| {
                readable.may_read(stored.population.parts().country, Measure::Stranded)
            })
            .collect())
    }

    /// Subscribes to every alert event; each receiver filters with [`AlertEvent::visible_to`].
    pub fn alert_events(&self) -> tokio::sync::broadcast::Receiver<AlertEvent> {
        self.events.subscribe()
    }

    pub(crate) fn publish_event(&self, event: AlertEvent) {
        // No subscriber is not an error: nobody is listening.
        let _ = self.events.send(event);
    }
}

/// A count with its thousands grouped: `75.268` in Spanish, `75,268` in English.
fn grouped(count: u32, separator: char) -> String {
    let digits = count.to_string();
    // The first group has 1 to 3 digits; every later one has 3.
    let first = match digits.len() % 3 {
        0 => 3,
        short => short,
    };
    let mut text = digits[..first].to_owned();
    for group in digits.as_bytes()[first..].chunks(3) {
        text.push(separator);
        // Digits are ASCII: every group is text.
        text.push_str(std::str::from_utf8(group).unwrap_or_default());
    }
    text
}

/// A measure in words, Spanish then English, for the text of a proposed alert.
fn measure_words(measure: Measure) -> (&'static str, &'static str) {
    match measure {
        Measure::IrregularEntry => ("entradas irregulares", "irregular entries"),
        Measure::Encounter => ("encuentros", "encounters"),
        Measure::AsylumApplication => ("solicitudes de asilo", "asylum applications"),
        Measure::ReturnExecuted => ("retornos", "returns"),
        Measure::ReturneeReceived => ("personas retornadas recibidas", "returnees received"),
        Measure::Stranded => ("personas varadas", "stranded people"),
        Measure::ShelterOccupancy => ("ocupación de albergues", "shelter occupancy"),
        Measure::ShelterCapacity => ("capacidad de albergues", "shelter capacity"),
    }
}

fn core_invalid(error: corredor_core::CoreError) -> AppError {
    use corredor_core::CoreError;
    match &error {
        // Only the countries an alert is addressed to respond to it.
        CoreError::NotARecipient { .. } => AppError::Forbidden(error.to_string()),
        CoreError::AlertNotAllowed { .. } | CoreError::AlreadyAcknowledged { .. } => {
            AppError::Conflict(error.to_string())
        }
        CoreError::InvalidAlert { field, reason }
        | CoreError::InvalidStrandedPopulation { field, reason } => {
            AppError::invalid(field, reason.clone())
        }
        _ => AppError::invalid("alert", error.to_string()),
    }
}

/// Every step of an alert, oldest first.
fn timeline(alert: &Alert, reminders: &[Reminder]) -> Vec<TimelineEntry> {
    let mut entries = Vec::new();
    for version in alert.versions() {
        entries.push(TimelineEntry {
            at: version.issued_at,
            by: version.issued_by.clone(),
            kind: if version.number == 1 {
                "issued"
            } else {
                "version"
            }
            .to_owned(),
            country: Some(alert.issuing_country()),
            detail: match &version.what_changed {
                Some(changed) => format!("v{}: {changed}", version.number),
                None => format!("v{}", version.number),
            },
        });
    }
    for change in alert.history() {
        entries.push(TimelineEntry {
            at: change.at,
            by: change.by.clone(),
            kind: change.to.code().to_owned(),
            country: Some(alert.issuing_country()),
            detail: change.reason.clone().unwrap_or_default(),
        });
    }
    for recipient in alert.recipients().iter().filter(|r| r.added_by_issuer) {
        if let Some(at) = recipient.addressed_at {
            entries.push(TimelineEntry {
                at,
                by: String::new(),
                kind: "recipient_added".to_owned(),
                country: Some(recipient.country),
                detail: String::new(),
            });
        }
    }
    for acknowledgement in alert.acknowledgements() {
        entries.push(TimelineEntry {
            at: acknowledgement.at,
            by: acknowledgement.by.clone(),
            kind: "acknowledged".to_owned(),
            country: Some(acknowledgement.country),
            detail: format!("v{}", acknowledgement.version),
        });
    }
    for record in alert.action_records() {
        entries.push(TimelineEntry {
            at: record.at,
            by: record.by.clone(),
            kind: "action".to_owned(),
            country: Some(record.country),
            detail: match &record.note {
                Some(note) => format!("{}: {} ({note})", record.action, record.status),
                None => format!("{}: {}", record.action, record.status),
            },
        });
    }
    for reminder in reminders {
        entries.push(TimelineEntry {
            at: reminder.raised_at.fixed_offset(),
            by: "system".to_owned(),
            kind: "reminder".to_owned(),
            country: Some(reminder.country),
            detail: String::new(),
        });
    }
    entries.sort_by_key(|entry| entry.at);
    entries
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn counts_are_grouped_by_thousands_with_each_languages_separator() {
        assert_eq!(grouped(7, '.'), "7");
        assert_eq!(grouped(999, '.'), "999");
        assert_eq!(grouped(1000, '.'), "1.000");
        assert_eq!(grouped(75_268, '.'), "75.268");
        assert_eq!(grouped(520_085, ','), "520,085");
        assert_eq!(grouped(2_475_669, ','), "2,475,669");
    }
}
