//! `corredor bench ingest`: how fast files are validated and persisted, and how fast a
//! ten-year monthly series is read from a large database.

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use corredor_app::store::{benchmark, Store};
use corredor_exchange::observations::{
    read_observations, write_csv, ExportRow, Format, ImportContext,
};

#[derive(Debug, clap::Args)]
pub struct IngestBenchArgs {
    /// Rows of the generated file.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: usize,
    /// Observations in the database the series query runs on (0 skips that part).
    #[arg(long, default_value_t = 10_000_000)]
    pub series_observations: u64,
    /// Series queries to time.
    #[arg(long, default_value_t = 200)]
    pub runs: usize,
    /// Also persist into this PostgreSQL database (it must be empty of observations).
    #[arg(long, env = "CORREDOR_BENCH_POSTGRES_URL")]
    pub postgres_url: Option<String>,
}

pub fn run(args: IngestBenchArgs) -> anyhow::Result<ExitCode> {
    println!("generating {} synthetic observations (8 countries, 9 places each, 51 nationalities, monthly)", args.rows);
    let observations = benchmark::synthetic_observations(0, args.rows)?;
    let mut file = Vec::with_capacity(args.rows * 64);
    write_csv(&mut file, observations.iter().cloned().map(ExportRow::from))?;
    println!("  file: {:.1} MB", file.len() as f64 / 1e6);

    let (countries, places) = benchmark::synthetic_reference()?;
    let owners: HashMap<_, _> = places
        .iter()
        .map(|place| (place.code.clone(), place.country))
        .collect();
    let context = ImportContext {
        country: None,
        today: NaiveDate::from_ymd_opt(2026, 11, 24).expect("a valid date"),
        places: &owners,
    };
    let started = Instant::now();
    let parsed = read_observations(file.as_slice(), "generated.csv", Format::Csv, &context)
        .map_err(|problems| anyhow::anyhow!("the generated file was refused: {}", problems[0]))?;
    let elapsed = started.elapsed();
    anyhow::ensure!(
        parsed == observations,
        "validation changed the generated observations"
    );
    println!(
        "validated  {:>9} rows in {:>6.2} s: {:>10.0} rows/s",
        parsed.len(),
        elapsed.as_secs_f64(),
        parsed.len() as f64 / elapsed.as_secs_f64()
    );
    drop(file);
    drop(countries);

    let runtime = super::super::serve::runtime()?;
    runtime.block_on(async {
        let dir = tempfile::tempdir()?;
        let sqlite = Store::connect(&format!("sqlite://{}", dir.path().join("ingest.db").display())).await?;
        persist("SQLite", &sqlite, &observations).await?;
        if let Some(url) = &args.postgres_url {
            let postgres = Store::connect(url).await?;
            persist("PostgreSQL", &postgres, &observations).await?;
        } else {
            println!("persisted  (PostgreSQL skipped: give --postgres-url or CORREDOR_BENCH_POSTGRES_URL)");
        }
        drop(observations);

        if args.series_observations > 0 {
            let big = Store::connect(&format!("sqlite://{}", dir.path().join("series.db").display())).await?;
            benchmark::prepare(&big).await?;
            let batch = 1_000_000usize;
            let mut stored = 0u64;
            let filling = Instant::now();
            while stored < args.series_observations {
                let count = batch.min((args.series_observations - stored) as usize);
                let rows = benchmark::synthetic_observations(stored, count)?;
                benchmark::ingest(&big, &rows).await?;
                stored += count as u64;
            }
            println!("filled a database of {stored} observations in {:.1} s", filling.elapsed().as_secs_f64());
            let query = benchmark::ten_year_monthly_query()?;
            let figures = benchmark::series_latency(&big, &query, args.runs).await?;
            println!(
                "series     10-year monthly by nationality on {} observations ({} rows a query, {} runs): p50 {:.2} ms, p99 {:.2} ms",
                figures.stored_observations,
                figures.rows_per_query,
                figures.runs,
                figures.p50.as_secs_f64() * 1e3,
                figures.p99.as_secs_f64() * 1e3
            );
        }
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

async fn persist(
    backend: &str,
    store: &Store,
    observations: &[corredor_core::Observation],
) -> anyhow::Result<()> {
    benchmark::prepare(store).await?;
    anyhow::ensure!(
        store.count_observations().await? == 0,
        "the {backend} database already holds observations"
    );
    let figures = benchmark::ingest(store, observations).await?;
    anyhow::ensure!(
        store.count_observations().await? == observations.len() as u64,
        "not every row was persisted"
    );
    println!(
        "persisted  {:>9} rows in {:>6.2} s: {:>10.0} rows/s into {backend}",
        figures.rows,
        figures.elapsed.as_secs_f64(),
        figures.rows_per_second
    );
    Ok(())
}
