use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ForecastBenchArgs {}

pub fn run(_args: ForecastBenchArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
