//! The migratory alert end to end, over real HTTP: Panama issues an alert on a flow leaving
//! Darién; the countries ahead receive it at once on their event streams and their national
//! systems' webhooks (signed); they acknowledge and record what they guarantee; Panama
//! updates and then closes the alert; the timeline shows every step, and a country off the
//! route sees nothing until it is added.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use chrono::{DateTime, Duration, TimeZone, Utc};
use corredor_app::store::Store;
use corredor_app::{verify_signature, App, Clock, WebhookSettings};
use corredor_core::{Caller, OrganisationCode, Role};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// A clock that moves one minute each time it is read, so every step has its own time.
struct SteppingClock {
    start: DateTime<Utc>,
    reads: AtomicI64,
}

impl Clock for SteppingClock {
    fn now(&self) -> DateTime<Utc> {
        self.start + Duration::minutes(self.reads.fetch_add(1, Ordering::SeqCst))
    }
}

/// Guards every wait on the network: a test that would hang fails instead.
const PATIENCE: StdDuration = StdDuration::from_secs(20);

struct Server {
    app: App,
    base: String,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start() -> Server {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("alerts.db").display());
        let store = Store::connect(&url).await.expect("a fresh database");
        let clock = SteppingClock {
            start: Utc.with_ymd_and_hms(2023, 9, 14, 13, 0, 0).unwrap(),
            reads: AtomicI64::new(0),
        };
        let app = App::new(store, Arc::new(clock));
        app.install_reference_data().await.expect("reference data");
        app.install_organisations().await.expect("organisations");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let address = listener.local_addr().expect("an address");
        let router = corredor_web::router(app.clone());
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
        });
        Server {
            app,
            base: format!("http://{address}"),
            client: reqwest::Client::new(),
            _dir: dir,
        }
    }

    async fn token(&self, organisation: &str, role: Role) -> String {
        self.app
            .create_token(
                &Caller::System,
                &OrganisationCode::parse(organisation).unwrap(),
                role,
                "end-to-end test",
                Duration::days(1),
            )
            .await
            .expect("a token")
            .secret
    }

    async fn call(&self, token: &str, method: &str, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .client
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let text = response.text().await.expect("a body");
        assert!(status.is_success(), "{method} {path}: {status}: {text}");
        serde_json::from_str(&text).expect("JSON")
    }

    async fn stream(&self, token: &str) -> EventStream {
        let response = self
            .client
            .get(format!("{}/api/v1/alerts/events", self.base))
            .bearer_auth(token)
            .send()
            .await
            .expect("the stream opens");
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "text/event-stream",
            "an event stream"
        );
        EventStream {
            response,
            buffer: String::new(),
        }
    }
}

/// The client side of a server-sent event stream.
struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

impl EventStream {
    /// The data of the next `alert` event.
    async fn next_alert(&mut self) -> Value {
        tokio::time::timeout(PATIENCE, async {
            loop {
                if let Some(end) = self.buffer.find("\n\n") {
                    let block: String = self.buffer.drain(..end + 2).collect();
                    let is_alert = block.lines().any(|line| line == "event: alert");
                    let data: String = block
                        .lines()
                        .filter_map(|line| line.strip_prefix("data: "))
                        .collect();
                    if is_alert {
                        return serde_json::from_str(&data).expect("an event carries JSON");
                    }
                    continue;
                }
                let chunk = self
                    .response
                    .chunk()
                    .await
                    .expect("the stream stays open")
                    .expect("the stream does not end");
                self.buffer.push_str(&String::from_utf8_lossy(&chunk));
            }
        })
        .await
        .expect("an alert event arrives in time")
    }
}

/// A national system: records every webhook delivery it receives.
async fn national_system() -> (String, mpsc::UnboundedReceiver<(HeaderMap, String)>) {
    let (sender, receiver) = mpsc::unbounded_channel();
    let router = Router::new()
        .route(
            "/corredor",
            post(
                |State(sender): State<mpsc::UnboundedSender<(HeaderMap, String)>>,
                 headers: HeaderMap,
                 body: String| async move {
                    let _ = sender.send((headers, body));
                    axum::http::StatusCode::NO_CONTENT
                },
            ),
        )
        .with_state(sender);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let address = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{address}/corredor"), receiver)
}

async fn next_delivery(
    deliveries: &mut mpsc::UnboundedReceiver<(HeaderMap, String)>,
) -> (HeaderMap, String) {
    tokio::time::timeout(PATIENCE, deliveries.recv())
        .await
        .expect("a delivery arrives in time")
        .expect("the national system is up")
}

fn lajas_blancas_alert() -> Value {
    json!({
        "composition": {
            "estimated_people": 1200,
            "women": 420,
            "children": 310,
            "unaccompanied_children": 12,
            "pregnant_women": 9,
            "nationalities": [
                { "nationality": "VEN", "estimated_people": 900 },
                { "nationality": "ECU", "estimated_people": 150 }
            ]
        },
        "location": {
            "area": { "kind": "place", "place": "PA-ERM-LB" },
            "description": "Estación de Recepción Migratoria de Lajas Blancas, Darién"
        },
        "route": { "corridor": "northbound", "direction": "northbound" },
        "stage": "in_transit",
        "needs": { "actions": ["health_care", "unaccompanied_children_care"], "note": "Agua y atención a niños no acompañados" },
        "text": {
            "spanish": {
                "headline": "1.200 personas salen de Lajas Blancas hacia Costa Rica",
                "description": "Grupo numeroso, mayoría venezolana, con 12 niños no acompañados."
            },
            "english": {
                "headline": "1,200 people leave Lajas Blancas for Costa Rica",
                "description": "A large group, mostly Venezuelan, with 12 unaccompanied children."
            }
        },
        "seen_on": "2023-09-14",
        "activate": true
    })
}

#[tokio::test]
async fn an_alert_travels_to_the_countries_ahead_who_acknowledge_and_act_until_it_is_closed() {
    let server = Server::start().await;
    let panama = server.token("PAN", Role::FocalPoint).await;
    let costa_rica = server.token("CRI", Role::FocalPoint).await;
    let mexico = server.token("MEX", Role::FocalPoint).await;
    let belize = server.token("BLZ", Role::FocalPoint).await;

    // Costa Rica's national system subscribes.
    let (hook_url, mut deliveries) = national_system().await;
    let created = server
        .call(
            &costa_rica,
            "POST",
            "/api/v1/webhooks",
            Some(json!({ "url": hook_url })),
        )
        .await;
    let secret = created["secret"]
        .as_str()
        .expect("the secret is shown once")
        .to_owned();
    let settings = WebhookSettings {
        first_retry: Duration::milliseconds(50),
        ..WebhookSettings::default()
    };
    tokio::spawn(
        server
            .app
            .clone()
            .run_webhooks(settings, std::future::pending()),
    );

    let mut costa_rica_stream = server.stream(&costa_rica).await;
    let mut mexico_stream = server.stream(&mexico).await;
    let mut belize_stream = server.stream(&belize).await;

    // Panama issues and sends the alert.
    let issued = server
        .call(
            &panama,
            "POST",
            "/api/v1/alerts",
            Some(lajas_blancas_alert()),
        )
        .await;
    let id = issued["alert"]["id"].as_i64().expect("an id");
    let recipients: Vec<&str> = issued["alert"]["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["country"].as_str().unwrap())
        .collect();
    assert_eq!(recipients, ["CRI", "NIC", "HND", "GTM", "MEX", "USA"]);
    // Mexico's southern border: 28 typical days from Panama, three to six weeks.
    let mexico_window = &issued["alert"]["recipients"][4]["arrival"];
    assert_eq!(
        (mexico_window["from"].as_str(), mexico_window["to"].as_str()),
        (Some("2023-10-05"), Some("2023-10-26"))
    );

    for stream in [&mut costa_rica_stream, &mut mexico_stream] {
        let event = stream.next_alert().await;
        assert_eq!(
            (event["kind"].as_str(), event["alert_id"].as_i64()),
            (Some("activated"), Some(id))
        );
        assert_eq!(
            event["headline"],
            "1.200 personas salen de Lajas Blancas hacia Costa Rica"
        );
    }
    let (headers, body) = next_delivery(&mut deliveries).await;
    assert_eq!(headers["x-corredor-event"], "alert.activated");
    let signature = headers["x-corredor-signature"].to_str().unwrap();
    assert!(verify_signature(
        &secret,
        signature,
        &body,
        Utc::now(),
        Duration::minutes(5)
    ));
    assert!(!verify_signature(
        "whsec_wrong",
        signature,
        &body,
        Utc::now(),
        Duration::minutes(5)
    ));
    let delivered: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(delivered["alert"]["alert_id"], id);

    // The recipients respond.
    let path = format!("/api/v1/alerts/{id}");
    server
        .call(&costa_rica, "POST", &format!("{path}/acknowledge"), None)
        .await;
    server
        .call(
            &costa_rica,
            "POST",
            &format!("{path}/actions"),
            Some(json!({ "action": "health_care", "status": "guaranteed", "note": "Brigada médica en la EMRA Sur" })),
        )
        .await;
    server
        .call(&mexico, "POST", &format!("{path}/acknowledge"), None)
        .await;
    let view = server.call(&panama, "GET", &path, None).await;
    let unacknowledged: Vec<&str> = view["unacknowledged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(unacknowledged, ["NIC", "HND", "GTM", "USA"]);

    // Panama updates, adds Belize, then closes.
    let mut update = lajas_blancas_alert();
    update["stage"] = json!("at_border");
    update["composition"]["estimated_people"] = json!(1350);
    update["what_changed"] = json!("El grupo llegó a Paso Canoas: 1.350 personas");
    let update = json!({
        "composition": update["composition"], "location": update["location"], "route": update["route"],
        "stage": update["stage"], "needs": update["needs"], "text": update["text"], "what_changed": update["what_changed"],
    });
    server
        .call(&panama, "POST", &format!("{path}/update"), Some(update))
        .await;
    server
        .call(
            &panama,
            "POST",
            &format!("{path}/recipients"),
            Some(json!({ "country": "BLZ" })),
        )
        .await;
    server
        .call(&panama, "POST", &format!("{path}/close"), None)
        .await;

    // Each stream saw every change in order; Belize saw nothing before it was added.
    let kinds = |events: Vec<Value>| -> Vec<String> {
        events
            .iter()
            .map(|e| e["kind"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut seen = Vec::new();
    for _ in 0..6 {
        seen.push(costa_rica_stream.next_alert().await);
    }
    assert_eq!(
        kinds(seen),
        [
            "acknowledged",
            "action_recorded",
            "acknowledged",
            "updated",
            "recipient_added",
            "closed"
        ]
    );
    let first_for_belize = belize_stream.next_alert().await;
    assert_eq!(first_for_belize["kind"], "recipient_added");
    assert_eq!(belize_stream.next_alert().await["kind"], "closed");
    let mut webhook_events = Vec::new();
    for _ in 0..6 {
        let (headers, _) = next_delivery(&mut deliveries).await;
        webhook_events.push(headers["x-corredor-event"].to_str().unwrap().to_owned());
    }
    assert_eq!(
        webhook_events,
        [
            "alert.acknowledged",
            "alert.action_recorded",
            "alert.acknowledged",
            "alert.updated",
            "alert.recipient_added",
            "alert.closed"
        ]
    );

    // The timeline shows every step, in order.
    let view = server.call(&mexico, "GET", &path, None).await;
    assert_eq!(view["alert"]["state"], "closed");
    let timeline: Vec<(String, String)> = view["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["kind"].as_str().unwrap().to_owned(),
                entry["country"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("issued", "PAN"),
        ("active", "PAN"),
        ("acknowledged", "CRI"),
        ("action", "CRI"),
        ("acknowledged", "MEX"),
        ("version", "PAN"),
        ("recipient_added", "BLZ"),
        ("closed", "PAN"),
    ]
    .iter()
    .map(|(kind, country)| (kind.to_string(), country.to_string()))
    .collect();
    assert_eq!(timeline, expected);
    let versions = view["alert"]["versions"].as_array().unwrap();
    assert_eq!(
        versions[1]["content"]["composition"]["estimated_people"],
        1350
    );

    // The webhook log has each delivery with its attempt.
    let hooks = server
        .call(&costa_rica, "GET", "/api/v1/webhooks", None)
        .await;
    let hook = hooks["webhooks"][0]["id"].as_i64().unwrap();
    assert!(
        hooks["webhooks"][0].get("secret").is_none(),
        "a secret is never listed"
    );
    let log = server
        .call(
            &costa_rica,
            "GET",
            &format!("/api/v1/webhooks/{hook}/deliveries"),
            None,
        )
        .await;
    let log = log["deliveries"].as_array().unwrap();
    assert_eq!(log.len(), 7);
    assert!(log
        .iter()
        .all(|entry| entry["delivery"]["state"] == "delivered"
            && entry["attempts"][0]["status_code"] == 204));
}
