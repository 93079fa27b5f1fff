//! `corredor serve` and `corredor demo`.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use super::db::DatabaseArgs;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The demo database file, created afresh in the working directory.
    #[arg(long, default_value = "corredor-demo.db")]
    pub file: String,
    /// Load the data and exit without serving (for scripts and tests).
    #[arg(long)]
    pub load_only: bool,
}

pub fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let app = args.database.connect().await?;
        let listener = bind(args.listen).await?;
        println!("corredor is serving at http://{}/", listener.local_addr()?);
        corredor_web::serve(app, listener).await?;
        Ok(ExitCode::SUCCESS)
    })
}

pub fn demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        for suffix in ["", "-wal", "-shm"] {
            let path = format!("{}{suffix}", args.file);
            if Path::new(&path).exists() {
                std::fs::remove_file(&path).map_err(|error| {
                    anyhow::anyhow!("cannot remove the old demo file {path}: {error}")
                })?;
            }
        }
        let started = Instant::now();
        let app = corredor_app::App::connect(&format!("sqlite://{}", args.file))
            .await
            .map_err(|error| {
                anyhow::anyhow!("cannot create the demo database {}: {error}", args.file)
            })?;
        let progress = super::progress::Steps::new("loading the public datasets");
        let report = corredor_app::demo::load(&app, &mut |step| progress.step(step)).await?;
        progress.finish();
        println!(
            "Loaded {} observations from {} public datasets into {} in {:.1} s.",
            report.observations,
            report.datasets.len(),
            args.file,
            started.elapsed().as_secs_f64()
        );
        for dataset in &report.datasets {
            println!(
                "  {:<40} {:>9} observations ({})",
                dataset.name, dataset.observations, dataset.country
            );
        }
        if args.load_only {
            return Ok(ExitCode::SUCCESS);
        }
        let listener = bind(args.listen).await?;
        println!(
            "\ncorredor demo: open http://{}/  (Ctrl-C to stop)",
            listener.local_addr()?
        );
        corredor_web::serve(app, listener).await?;
        Ok(ExitCode::SUCCESS)
    })
}

async fn bind(address: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(address).await.map_err(|error| {
        anyhow::anyhow!("cannot listen on {address}: {error} (is another corredor running? choose another with --listen)")
    })
}

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
