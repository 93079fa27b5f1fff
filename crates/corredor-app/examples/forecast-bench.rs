//! How long the forecasts of the stored data take: the demo's public datasets are loaded
//! into a fresh SQLite file, then every node of each corridor is fitted and forecast for
//! every nationality with a count (not only the main ones the refresh publishes).
//!
//! ```sh
//! cargo run --release -p corredor-app --example forecast-bench
//! ```
//!
//! Prints the time to read the counts, to fit and forecast (pure computation, the median of
//! several runs), and a whole refresh (read, fit the published nationalities, record, check
//! capacity). Checks its result: every chain forecast 3 months ahead at each node.

use std::sync::Arc;
use std::time::{Duration, Instant};

use corredor_app::store::Store;
use corredor_app::{demo, App, ForecastPlan, SystemClock};

const RUNS: usize = 7;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let app = App::new(Store::connect(&url).await?, Arc::new(SystemClock));
    demo::load(&app, &mut |_| {}).await?;
    let corridor = app
        .corridors()
        .await?
        .into_iter()
        .next()
        .ok_or("the demo installs the northbound corridor")?;
    let every_nationality = ForecastPlan {
        top_nationalities: None,
        ets_baseline: false,
        ..ForecastPlan::default()
    };

    let mut reads = Vec::new();
    let mut fits = Vec::new();
    let mut run = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        let counts = app.corridor_counts(&corridor).await?;
        reads.push(started.elapsed());
        let started = Instant::now();
        run = counts
            .forecast(&every_nationality, chrono::Utc::now())
            .into_iter()
            .next();
        fits.push(started.elapsed());
    }
    let run = run.ok_or("the demo data can be forecast")?;
    let chains = run.parameters["chains"].as_array().map_or(0, Vec::len);
    let nodes: std::collections::BTreeSet<_> = run.rows.iter().map(|row| row.country).collect();
    assert!(chains > 10, "the total and every nationality: {chains}");
    assert!(run.rows.iter().all(|row| (1..=3).contains(&row.horizon)));
    assert_eq!(
        run.rows.len(),
        chains * nodes.len() * 3,
        "every node of every chain, 3 months ahead"
    );

    let mut refreshes = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        app.refresh_forecasts().await?;
        refreshes.push(started.elapsed());
    }

    println!(
        "corridor {}: {} nodes forecast ({}), {} chains (total + {} nationalities), {} legs, {} forecast rows",
        corridor.code(),
        nodes.len(),
        nodes.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(" "),
        chains,
        chains - 1,
        run.legs.len(),
        run.rows.len()
    );
    println!(
        "read the counts (series of every node, by nationality): {:?} (median of {RUNS})",
        median(reads)
    );
    println!(
        "fit every leg x nationality and forecast every node:   {:?} (median of {RUNS})",
        median(fits)
    );
    println!(
        "refresh (read, fit the published chains and their ETS baseline, record, capacity): {:?} (median of 3)",
        median(refreshes)
    );
    Ok(())
}
