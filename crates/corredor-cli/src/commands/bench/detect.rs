use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct DetectBenchArgs {}

pub fn run(_args: DetectBenchArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
