//! `corredor bench alerts`: the time from issuing a migratory alert to its arrival on many
//! open event streams, over real HTTP on this machine.
//!
//! A server runs in this process on a fresh SQLite file. `--streams` clients, spread over the
//! focal points of the six countries ahead of Panama on the northbound corridor, open
//! `GET /api/v1/alerts/events` each on its own connection and wait. Then Panama's focal point
//! issues `--alerts` alerts one after the other with `POST /api/v1/alerts` (sent at once);
//! for each, the clock starts just before the request is sent and stops, on every stream,
//! when the `alert` event of that alert has been read. So a latency covers the whole path: the
//! request, the checks, the database commit, the broadcast, the per-stream visibility check,
//! the SSE encoding, the socket and the client's parsing, with the clients on the same two
//! cores as the server.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use corredor_app::App;
use corredor_core::{Caller, OrganisationCode, Role};
use tokio::sync::{mpsc, Mutex};

use crate::commands::serve::runtime;

/// The goal of the issue: the 99th percentile of the latencies at or below this.
const GOAL_P99: Duration = Duration::from_millis(50);

/// The countries ahead of Panama on the northbound corridor: every stream is a recipient's.
const RECIPIENTS: [&str; 6] = ["CRI", "NIC", "HND", "GTM", "MEX", "USA"];

#[derive(Debug, clap::Args)]
pub struct AlertsBenchArgs {
    /// How many event streams are open.
    #[arg(long, default_value_t = 1000)]
    pub streams: usize,
    /// How many alerts are issued, one after the other.
    #[arg(long, default_value_t = 20)]
    pub alerts: usize,
}

pub fn run(args: AlertsBenchArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.streams >= 1, "--streams must be at least 1");
    anyhow::ensure!(args.alerts >= 1, "--alerts must be at least 1");
    runtime()?.block_on(bench(args))
}

async fn bench(args: AlertsBenchArgs) -> anyhow::Result<ExitCode> {
    let dir = tempfile::tempdir()?;
    let app = App::connect(&format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ))
    .await
    .map_err(|error| anyhow::anyhow!("cannot create the bench database: {error}"))?;
    let issuer = token(&app, "PAN").await?;
    let mut readers = Vec::new();
    for country in RECIPIENTS {
        readers.push(token(&app, country).await?);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(corredor_web::serve(app.clone(), listener));

    // One connection per stream: no pooling of idle connections between them.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()?;
    let started_at: Arc<Mutex<Option<(i64, Instant)>>> = Arc::new(Mutex::new(None));
    let (arrivals, mut arrived) = mpsc::unbounded_channel::<Duration>();
    let opening = Instant::now();
    let mut opened = Vec::with_capacity(args.streams);
    for index in 0..args.streams {
        let response = client
            .get(format!("{base}/api/v1/alerts/events"))
            .bearer_auth(&readers[index % readers.len()])
            .send()
            .await
            .with_context(|| format!("opening event stream {index}"))?;
        anyhow::ensure!(
            response.status().is_success(),
            "event stream {index} answered {}",
            response.status()
        );
        opened.push(response);
    }
    println!(
        "{} event streams open in {:.2} s",
        args.streams,
        opening.elapsed().as_secs_f64()
    );
    for response in opened {
        tokio::spawn(read_stream(response, started_at.clone(), arrivals.clone()));
    }

    let mut latencies = Vec::with_capacity(args.streams * args.alerts);
    for round in 0..args.alerts {
        let body = alert_body(round);
        let start = Instant::now();
        // The id is known only from the answer; the streams match on the round's headline
        // until then, so the clock is set before the request leaves.
        *started_at.lock().await = Some((round as i64, start));
        let response = client
            .post(format!("{base}/api/v1/alerts"))
            .bearer_auth(&issuer)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await?;
        anyhow::ensure!(
            response.status().is_success(),
            "issuing alert {round} answered {}: {}",
            response.status(),
            response.text().await.unwrap_or_default()
        );
        for _ in 0..args.streams {
            let latency = tokio::time::timeout(Duration::from_secs(30), arrived.recv())
                .await
                .context("an alert did not reach every stream within 30 s")?
                .context("the streams closed")?;
            latencies.push(latency);
        }
    }
    latencies.sort_unstable();
    let percentile = |p: f64| {
        let rank = ((p / 100.0) * latencies.len() as f64).ceil() as usize;
        latencies[rank.clamp(1, latencies.len()) - 1]
    };
    let millis = |duration: Duration| duration.as_secs_f64() * 1000.0;
    let p99 = percentile(99.0);
    println!(
        "{} alerts to {} streams: {} arrivals; latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms (goal p99 ≤ {} ms: {})",
        args.alerts,
        args.streams,
        latencies.len(),
        millis(percentile(50.0)),
        millis(percentile(90.0)),
        millis(p99),
        millis(latencies[latencies.len() - 1]),
        GOAL_P99.as_millis(),
        if p99 <= GOAL_P99 { "met" } else { "NOT met" }
    );
    Ok(ExitCode::SUCCESS)
}

async fn token(app: &App, country: &str) -> anyhow::Result<String> {
    Ok(app
        .create_token(
            &Caller::System,
            &OrganisationCode::parse(country).map_err(|error| anyhow::anyhow!("{error}"))?,
            Role::FocalPoint,
            "bench alerts",
            chrono::Duration::days(1),
        )
        .await
        .map_err(|error| anyhow::anyhow!("cannot create a token: {error}"))?
        .secret)
}

/// The marker each round's headline carries, so a stream knows which round an event is.
fn marker(round: usize) -> String {
    format!("[bench {round}]")
}

fn alert_body(round: usize) -> String {
    serde_json::json!({
        "composition": { "estimated_people": 1200, "children": 310, "unaccompanied_children": 12 },
        "location": { "area": { "kind": "place", "place": "PA-ERM-LB" }, "description": "Lajas Blancas, Darién" },
        "route": { "corridor": "northbound", "direction": "northbound" },
        "stage": "in_transit",
        "needs": { "actions": ["health_care"] },
        "text": { "spanish": {
            "headline": format!("1.200 personas salen de Lajas Blancas {}", marker(round)),
            "description": "Grupo numeroso hacia Costa Rica."
        } },
        "activate": true,
    })
    .to_string()
}

/// Reads one stream: for each `alert` event of the current round, the time since its alert
/// was issued.
async fn read_stream(
    mut response: reqwest::Response,
    started_at: Arc<Mutex<Option<(i64, Instant)>>>,
    arrivals: mpsc::UnboundedSender<Duration>,
) {
    let mut buffer = String::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let received = Instant::now();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if !block.lines().any(|line| line == "event: alert") {
                continue;
            }
            let Some((round, start)) = *started_at.lock().await else {
                continue;
            };
            if block.contains(&marker(round as usize)) && arrivals.send(received - start).is_err() {
                return;
            }
        }
    }
}
