//! `corredor detect`: surge detection on a long CSV file.

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct DetectArgs {}

pub fn run(_args: DetectArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
