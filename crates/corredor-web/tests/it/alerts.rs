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

/// Validates a CAP message against the OASIS schema shipped with corredor-exchange's tests;
/// `None` when xmllint is missing outside CI (CI installs it).
fn schema_check(xml: &str) -> Option<Result<(), String>> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    if !std::path::Path::new("/usr/bin/xmllint").exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install Debian's libxml2-utils (xmllint)"
        );
        return None;
    }
    let schema = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../corredor-exchange/tests/data/cap/CAP-v1.2.xsd"
    );
    let mut child = Command::new("/usr/bin/xmllint")
        .args(["--noout", "--nonet", "--schema", schema, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xmllint starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let output = child.wait_with_output().expect("xmllint finishes");
    Some(if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    })
}

async fn get_text(server: &Server, token: &str, path: &str) -> (u16, String, String) {
    let response = server
        .client
        .get(format!("{}{path}", server.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, content_type, response.text().await.unwrap())
}

async fn post_xml(server: &Server, token: &str, xml: &str) -> (u16, Value) {
    let response = server
        .client
        .post(format!("{}/api/v1/alerts/cap", server.base))
        .bearer_auth(token)
        .header("content-type", "application/cap+xml")
        .body(xml.to_owned())
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

#[tokio::test]
async fn every_cap_message_of_an_alert_is_valid_and_the_feed_links_each_alert() {
    let server = Server::start().await;
    let panama = server.token("PAN", Role::FocalPoint).await;
    let costa_rica = server.token("CRI", Role::FocalPoint).await;
    let issued = server
        .call(
            &panama,
            "POST",
            "/api/v1/alerts",
            Some(lajas_blancas_alert()),
        )
        .await;
    let id = issued["alert"]["id"].as_i64().unwrap();
    let mut update = lajas_blancas_alert();
    let update = json!({
        "composition": update["composition"].take(), "location": update["location"].take(),
        "route": update["route"].take(), "stage": "at_border", "needs": update["needs"].take(),
        "text": update["text"].take(), "what_changed": "El grupo llegó a Paso Canoas",
    });
    server
        .call(
            &panama,
            "POST",
            &format!("/api/v1/alerts/{id}/update"),
            Some(update),
        )
        .await;
    server
        .call(&panama, "POST", &format!("/api/v1/alerts/{id}/close"), None)
        .await;

    let (status, content_type, latest) =
        get_text(&server, &costa_rica, &format!("/api/v1/alerts/{id}/cap")).await;
    assert_eq!(status, 200, "{latest}");
    assert!(content_type.starts_with("application/cap+xml"));
    assert!(latest.contains("<msgType>Update</msgType>"), "{latest}");
    assert!(
        latest.contains("AllClear"),
        "the closing message is an all-clear"
    );
    let all = server
        .call(
            &costa_rica,
            "GET",
            &format!("/api/v1/alerts/{id}/cap?all"),
            None,
        )
        .await;
    let messages: Vec<&str> = all["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 3, "the alert, its update and its all-clear");
    assert!(messages[0].contains("<msgType>Alert</msgType>"));
    assert!(messages[1].contains("<references>corredor.pan@crmsv.org,"));
    for message in &messages {
        assert!(message.contains("<addresses>CRI NIC HND GTM MEX USA</addresses>"));
        assert!(!message.contains("Z</"), "times carry offsets, never Z");
        if let Some(checked) = schema_check(message) {
            checked.unwrap_or_else(|error| panic!("{error}\n{message}"));
        }
    }

    // The feed: one entry per sent alert, with links to the page and the CAP message.
    let (status, content_type, feed) =
        get_text(&server, &costa_rica, "/api/v1/alerts/feed.atom").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("application/atom+xml"));
    let mut reader = quick_xml::Reader::from_str(&feed);
    let mut names = Vec::new();
    loop {
        match reader.read_event().expect("the feed is well-formed XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(element) | quick_xml::events::Event::Empty(element) => {
                names.push(String::from_utf8_lossy(element.name().as_ref()).into_owned());
            }
            _ => {}
        }
    }
    for required in ["feed", "id", "title", "updated", "author", "entry"] {
        assert!(names.contains(&required.to_owned()), "{required} in {feed}");
    }
    assert!(feed.contains(&format!("/api/v1/alerts/{id}/cap\"")));
    assert!(feed.contains(&format!("/alerts/{id}\"")));
    // Belize is not a recipient: its feed has no entry.
    let belize = server.token("BLZ", Role::FocalPoint).await;
    let (_, _, empty) = get_text(&server, &belize, "/api/v1/alerts/feed.atom").await;
    assert!(!empty.contains("<entry>"), "{empty}");
}

/// A message from Panama's national system (SNM), as it would send it.
const PARTNER_ALERT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>SNM-PA-2023-0914-001</identifier>
  <sender>alertas@migracion.gob.pa</sender>
  <sent>2023-09-14T07:30:00-05:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Private</scope>
  <addresses>CRI NIC</addresses>
  <info>
    <language>es-419</language>
    <category>Safety</category>
    <event>Flujo migratorio masivo</event>
    <urgency>Expected</urgency>
    <severity>Moderate</severity>
    <certainty>Observed</certainty>
    <headline>800 personas salen de San Vicente</headline>
    <description>Grupo de 800 personas, 200 niños, sale de la ERM San Vicente hacia Costa Rica.</description>
    <parameter><valueName>issuing_country</valueName><value>PAN</value></parameter>
    <parameter><valueName>estimated_people</valueName><value>800</value></parameter>
    <parameter><valueName>children</valueName><value>200</value></parameter>
    <parameter><valueName>stage</valueName><value>in_transit</value></parameter>
    <area>
      <areaDesc>ERM San Vicente, Metetí, Darién</areaDesc>
      <circle>8.42,-78.06 5</circle>
    </area>
  </info>
</alert>
"#;

#[tokio::test]
async fn a_partners_cap_messages_create_update_and_cancel_an_alert_and_bad_ones_change_nothing() {
    let server = Server::start().await;
    let panama = server.token("PAN", Role::FocalPoint).await;
    let costa_rica = server.token("CRI", Role::FocalPoint).await;

    let (status, created) = post_xml(&server, &panama, PARTNER_ALERT).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["outcome"], "created");
    let alert = &created["alert"]["alert"];
    let id = alert["id"].as_i64().unwrap();
    assert_eq!(alert["state"], "active");
    assert_eq!(
        alert["versions"][0]["content"]["composition"]["children"],
        200
    );
    let recipients: Vec<&str> = alert["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["country"].as_str().unwrap())
        .collect();
    assert_eq!(recipients, ["CRI", "NIC"]);
    // Imported twice: nothing changes.
    let (status, again) = post_xml(&server, &panama, PARTNER_ALERT).await;
    assert_eq!(
        (status, again["outcome"].as_str()),
        (200, Some("unchanged"))
    );

    // Only Panama's focal points speak for Panama.
    let (status, refused) = post_xml(
        &server,
        &costa_rica,
        PARTNER_ALERT.replace("001<", "009<").as_str(),
    )
    .await;
    assert_eq!(status, 403, "{refused}");

    let update = PARTNER_ALERT
        .replace("SNM-PA-2023-0914-001", "SNM-PA-2023-0914-002")
        .replace("<sent>2023-09-14T07:30:00-05:00", "<sent>2023-09-14T15:00:00-05:00")
        .replace("<msgType>Alert</msgType>", "<msgType>Update</msgType>")
        .replace(
            "<addresses>CRI NIC</addresses>",
            "<addresses>CRI NIC HND</addresses>\n  <references>alertas@migracion.gob.pa,SNM-PA-2023-0914-001,2023-09-14T07:30:00-05:00</references>",
        )
        .replace("<value>800</value>", "<value>950</value>");
    let (status, updated) = post_xml(&server, &panama, &update).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["outcome"], "updated");
    let alert = &updated["alert"]["alert"];
    assert_eq!(alert["versions"].as_array().unwrap().len(), 2);
    assert_eq!(
        alert["versions"][1]["content"]["composition"]["estimated_people"],
        950
    );
    assert_eq!(
        alert["recipients"].as_array().unwrap().len(),
        3,
        "Honduras was added"
    );

    let cancel = r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>SNM-PA-2023-0914-003</identifier>
  <sender>alertas@migracion.gob.pa</sender>
  <sent>2023-09-15T09:00:00-05:00</sent>
  <status>Actual</status>
  <msgType>Cancel</msgType>
  <scope>Private</scope>
  <addresses>CRI NIC HND</addresses>
  <note>El grupo se dispersó en Metetí</note>
  <references>alertas@migracion.gob.pa,SNM-PA-2023-0914-002,2023-09-14T15:00:00-05:00</references>
</alert>
"#;
    let (status, cancelled) = post_xml(&server, &panama, cancel).await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["outcome"], "cancelled");
    assert_eq!(cancelled["alert"]["alert"]["state"], "cancelled");
    assert_eq!(
        cancelled["alert"]["alert"]["history"][1]["reason"],
        "El grupo se dispersó en Metetí"
    );

    // Hostile and invalid messages are refused with the reason and write nothing.
    let before = server.call(&panama, "GET", "/api/v1/alerts", None).await["count"].clone();
    let hostile = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol2;</identifier></alert>"#;
    let (status, refused) = post_xml(&server, &panama, hostile).await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused.to_string().to_lowercase().contains("dtd"),
        "{refused}"
    );
    let orphan = update
        .replace("SNM-PA-2023-0914-002", "SNM-PA-2023-0914-777")
        .replace("SNM-PA-2023-0914-001,", "SNM-PA-2023-0000-404,");
    let (status, refused) = post_xml(&server, &panama, &orphan).await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused
            .to_string()
            .contains("import the original Alert first"),
        "{refused}"
    );
    let bad = PARTNER_ALERT
        .replace("SNM-PA-2023-0914-001", "SNM-PA-2023-0914-888")
        .replace("<value>in_transit</value>", "<value>marching</value>");
    let (status, refused) = post_xml(&server, &panama, &bad).await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused.to_string().contains("stage"), "{refused}");
    let after = server.call(&panama, "GET", "/api/v1/alerts", None).await["count"].clone();
    assert_eq!(before, after, "a refused import writes nothing");
    let _ = id;
}
