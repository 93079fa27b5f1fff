//! Measures the store on seeded synthetic data (see `corredor_store::benchmark`).
//!
//! ```text
//! cargo run --release -p corredor-store --example store-bench -- ingest DATABASE_URL [ROWS]
//! cargo run --release -p corredor-store --example store-bench -- series DATABASE_URL [OBSERVATIONS] [RUNS]
//! ```
//!
//! `ingest` records ROWS (default 1,000,000) new observations as one submission into an
//! empty database and prints rows per second. `series` fills the database up to OBSERVATIONS
//! (default 10,000,000) in batches of one million, then runs the ten-year monthly series
//! query RUNS times (default 200) and prints its median and 99th percentile latency.

use std::process::ExitCode;

use corredor_store::benchmark;
use corredor_store::Store;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("store-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &[String]) -> Result<(), String> {
    let number = |index: usize, default: u64| -> Result<u64, String> {
        match args.get(index) {
            None => Ok(default),
            Some(raw) => raw
                .replace('_', "")
                .parse()
                .map_err(|_| format!("`{raw}` is not a whole number")),
        }
    };
    let (command, url) = match args {
        [command, url, ..] => (command.as_str(), url.as_str()),
        _ => return Err("usage: store-bench ingest|series DATABASE_URL [N] [RUNS]".to_owned()),
    };
    let store = Store::connect(url).await.map_err(|e| e.to_string())?;
    benchmark::prepare(&store)
        .await
        .map_err(|e| e.to_string())?;
    match command {
        "ingest" => {
            let rows = number(2, 1_000_000)? as usize;
            let existing = store
                .count_observations()
                .await
                .map_err(|e| e.to_string())?;
            if existing > 0 {
                return Err(format!(
                    "the database already holds {existing} observations; give an empty one"
                ));
            }
            let observations =
                benchmark::synthetic_observations(0, rows).map_err(|e| e.to_string())?;
            let cpu_before = cpu_seconds();
            let figures = benchmark::ingest(&store, &observations)
                .await
                .map_err(|e| e.to_string())?;
            let stored = store
                .count_observations()
                .await
                .map_err(|e| e.to_string())?;
            if stored != rows as u64 {
                return Err(format!("{stored} observations stored, {rows} expected"));
            }
            println!(
                "ingest {:?}: {} new rows in {:.2} s = {:.0} rows/s",
                store.backend(),
                figures.rows,
                figures.elapsed.as_secs_f64(),
                figures.rows_per_second
            );
            // On a shared machine the wall clock also counts other processes' work; the CPU
            // time of this process (client side, and SQLite's engine, which runs in it) does not.
            if let (Some(before), Some(after)) = (cpu_before, cpu_seconds()) {
                println!(
                    "  this process used {:.2} CPU seconds = {:.0} rows per CPU second",
                    after - before,
                    figures.rows as f64 / (after - before)
                );
            }
        }
        "series" => {
            let wanted = number(2, 10_000_000)?;
            let runs = number(3, 200)? as usize;
            let mut stored = store
                .count_observations()
                .await
                .map_err(|e| e.to_string())?;
            while stored < wanted {
                let count = (wanted - stored).min(1_000_000) as usize;
                let batch =
                    benchmark::synthetic_observations(stored, count).map_err(|e| e.to_string())?;
                let figures = benchmark::ingest(&store, &batch)
                    .await
                    .map_err(|e| e.to_string())?;
                stored += count as u64;
                eprintln!(
                    "filled to {stored} observations ({:.0} rows/s for this batch)",
                    figures.rows_per_second
                );
            }
            let query = benchmark::ten_year_monthly_query().map_err(|e| e.to_string())?;
            let figures = benchmark::series_latency(&store, &query, runs)
                .await
                .map_err(|e| e.to_string())?;
            // 120 months by 51 nationalities, when the data covers ten years.
            if figures.rows_per_query != 120 * 51 {
                return Err(format!(
                    "the series has {} rows, 6120 expected",
                    figures.rows_per_query
                ));
            }
            println!(
                "series {:?}: 10-year monthly series by nationality ({} rows) on {} observations, {} runs: p50 {:.2} ms, p99 {:.2} ms",
                store.backend(),
                figures.rows_per_query,
                figures.stored_observations,
                figures.runs,
                figures.p50.as_secs_f64() * 1e3,
                figures.p99.as_secs_f64() * 1e3
            );
        }
        other => return Err(format!("`{other}` is not a command: ingest or series")),
    }
    store.close().await;
    Ok(())
}

/// User plus system CPU time of this process so far, from `/proc/self/stat` (Linux only).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let user: f64 = fields.get(11)?.parse().ok()?;
    let system: f64 = fields.get(12)?.parse().ok()?;
    // Linux reports these in clock ticks of 1/100 s on every architecture Rust targets.
    Some((user + system) / 100.0)
}
