//! One module per subcommand. Each parses its arguments, calls the library and prints.

pub mod access;
pub mod alert;
pub mod backtest;
pub mod bench;
pub mod db;
pub mod detect;
pub mod import;
pub mod progress;
pub mod returns;
pub mod scan;
pub mod serve;

use std::process::ExitCode;

/// Exit code for input the command refused (a bad file, a bad argument): distinct from 1,
/// which is a failure of corredor itself or its environment.
pub const EXIT_INVALID_INPUT: u8 = 2;

/// Logs to stderr, filtered by `CORREDOR_LOG` (default `info`). sqlx's slow-statement warnings
/// are silenced by default: a bulk import's large statements trip them by design.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CORREDOR_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx::query=error"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Prints every problem of a refused input to stderr and returns the input-error exit code.
pub fn report_problems(problems: &[corredor_exchange::Problem]) -> ExitCode {
    for problem in problems {
        eprintln!("{problem}");
    }
    eprintln!("{} problem(s); nothing was written", problems.len());
    ExitCode::from(EXIT_INVALID_INPUT)
}
