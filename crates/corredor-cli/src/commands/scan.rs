//! `corredor scan`: scan every stored flow series for surges, record the alarms as signals,
//! and print the report and the signals still open.

use std::process::ExitCode;

use corredor_app::store::{DecisionFilter, SignalFilter, SignalScope, StoredSignal};
use corredor_app::{AppError, ScanRequest};
use corredor_core::CountryCode;

use super::db::DatabaseArgs;
use super::serve::runtime;

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Periods evaluated at the end of the data (default: 12 months, 26 weeks).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=520))]
    pub evaluate_last: Option<u32>,
    /// Only these countries' series (the corridor sums are scanned always); repeat or
    /// separate with commas.
    #[arg(long, value_delimiter = ',', value_parser = CountryCode::parse)]
    pub country: Vec<CountryCode>,
    /// How many open signals to print, highest score first within the latest periods.
    #[arg(long, default_value_t = 50)]
    pub show: u32,
}

pub fn run(args: ScanArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let app = args.database.connect().await?;
        let request = ScanRequest {
            countries: args.country.clone(),
            evaluate_last: args.evaluate_last.map(|n| n as usize),
        };
        let report = match app.scan(&request).await {
            Ok(report) => report,
            Err(AppError::Invalid(problems)) => return Ok(super::report_problems(&problems)),
            Err(other) => return Err(other.into()),
        };
        println!(
            "scanned {} series in {:.2} s: {} alarm(s), {} new signal(s)",
            report.series_scanned,
            report.elapsed.as_secs_f64(),
            report.signals_total,
            report.signals_new
        );
        let open = app
            .signals(&corredor_core::Caller::System, &SignalFilter {
                countries: args.country,
                decision: DecisionFilter::Open,
                limit: Some(args.show),
                ..SignalFilter::default()
            })
            .await?;
        if open.is_empty() {
            println!("no open signal");
        } else {
            println!("open signals (latest first):");
            println!(
                "{:>6}  {:<8}  {:<20}  {:<15}  {:<4}  {:<10}  {:>10}  {:>10}  {:>10}  {:>6}  algorithm",
                "id", "period", "series", "measure", "nat", "", "observed", "expected", "bound", "score"
            );
            for signal in &open {
                println!("{}", line(signal));
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn line(stored: &StoredSignal) -> String {
    let signal = &stored.signal;
    let scope = match &signal.scope {
        SignalScope::Country(country) => country.to_string(),
        SignalScope::Corridor(code) => format!("corridor {code}"),
    };
    let series = match &signal.place {
        Some(place) => format!("{scope} {place}"),
        None => scope,
    };
    let number = |value: f64| format!("{value:.0}");
    format!(
        "{:>6}  {:<8}  {:<20}  {:<15}  {:<4}  {:<10}  {:>10}  {:>10}  {:>10}  {:>6.2}  {}",
        stored.id,
        signal.period.to_string(),
        series,
        signal.measure.code(),
        signal
            .nationality
            .map(|n| n.to_string())
            .unwrap_or_else(|| "all".to_owned()),
        signal.kind.code(),
        signal.observed.map(number).unwrap_or_default(),
        number(signal.expected),
        number(signal.upper_bound),
        signal.score,
        signal.algorithm
    )
}
