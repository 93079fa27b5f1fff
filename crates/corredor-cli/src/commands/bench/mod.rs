//! `corredor bench …`: speed figures printed for the record.

use std::process::ExitCode;

pub mod alerts;
pub mod detect;
pub mod forecast;
pub mod ingest;

#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// Time from issuing a migratory alert to its arrival on many open event streams.
    Alerts(alerts::AlertsBenchArgs),
    /// Fits per second of the surge detectors on generated weekly series.
    Detect(detect::DetectBenchArgs),
    /// Time to fit every leg and forecast every node of the shipped corridor.
    Forecast(forecast::ForecastBenchArgs),
    /// Rows validated and persisted per second, and series latency on a large database.
    Ingest(ingest::IngestBenchArgs),
}

pub fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Alerts(args) => alerts::run(args),
        BenchCommand::Detect(args) => detect::run(args),
        BenchCommand::Forecast(args) => forecast::run(args),
        BenchCommand::Ingest(args) => ingest::run(args),
    }
}
