//! `corredor backtest`: forecast backtests on a long CSV file.

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct BacktestArgs {}

pub fn run(_args: BacktestArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
