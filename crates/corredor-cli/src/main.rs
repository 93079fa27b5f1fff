//! The `corredor` command: every subcommand is a thin call into the library crates.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;

/// corredor: the shared monitoring and early-warning system of the Regional Conference on
/// Migration.
#[derive(Debug, Parser)]
#[command(name = "corredor", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load the real public datasets into a fresh database and serve the web application.
    Demo(commands::serve::DemoArgs),
    /// Serve the API and the pages.
    Serve(commands::serve::ServeArgs),
    /// Import observation files (CSV or HXL) for a country: all or nothing.
    Import(commands::import::ImportArgs),
    /// Export observations as CSV, HXL or JSON.
    Export(commands::import::ExportArgs),
    /// Detect surges in the series of a long CSV file (`series,period,count`).
    Detect(commands::detect::DetectArgs),
    /// Backtest forecasting models on the series of a long CSV file.
    Backtest(commands::backtest::BacktestArgs),
    /// Scan the stored flow series for surges and print the open signals.
    Scan(commands::scan::ScanArgs),
    /// Measure speed: ingest, detection, forecasting.
    #[command(subcommand)]
    Bench(commands::bench::BenchCommand),
    /// Add, list and disable users.
    #[command(subcommand)]
    User(commands::access::UserCommand),
    /// Create, list and revoke API tokens.
    #[command(subcommand)]
    Token(commands::access::TokenCommand),
    /// List the organisations users and tokens belong to.
    #[command(subcommand)]
    Organisation(commands::access::OrganisationCommand),
    /// Verify or read the hash-chained audit log.
    #[command(subcommand)]
    Audit(commands::access::AuditCommand),
    /// List migratory alerts, print their CAP 1.2 messages, import partners' CAP messages.
    #[command(subcommand)]
    Alert(commands::alert::AlertCommand),
    /// Assisted voluntary return: derive case references with the host country's own key.
    #[command(subcommand)]
    Return(commands::returns::ReturnCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    commands::init_tracing();
    let result = match cli.command {
        Command::Demo(args) => commands::serve::demo(args),
        Command::Serve(args) => commands::serve::serve(args),
        Command::Import(args) => commands::import::import(args),
        Command::Export(args) => commands::import::export(args),
        Command::Detect(args) => commands::detect::run(args),
        Command::Backtest(args) => commands::backtest::run(args),
        Command::Scan(args) => commands::scan::run(args),
        Command::Bench(command) => commands::bench::run(command),
        Command::User(command) => commands::access::user(command),
        Command::Token(command) => commands::access::token(command),
        Command::Organisation(command) => commands::access::organisation(command),
        Command::Audit(command) => commands::access::audit(command),
        Command::Alert(command) => commands::alert::run(command),
        Command::Return(command) => commands::returns::run(command),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}
