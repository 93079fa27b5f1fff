//! `corredor serve` and `corredor demo`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
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
    /// Serve HTTPS with this certificate chain (PEM, leaf first); needs --tls-key.
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, RSA or EC).
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Hours a recipient has to acknowledge an alert before a reminder is raised.
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=720))]
    pub acknowledge_within_hours: u32,
    /// Days the case references of an ended return operation are kept before they are
    /// deleted (1 to 3650).
    #[arg(long, default_value_t = corredor_app::DEFAULT_RETURN_RETENTION_DAYS, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub return_retention_days: u32,
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
        // A bad certificate or key stops the start before the database is touched.
        let tls = match (&args.tls_cert, &args.tls_key) {
            (Some(certificate), Some(key)) => {
                match corredor_web::tls::server_config(certificate, key) {
                    Ok(config) => Some(config),
                    Err(error) => {
                        eprintln!("error: {error}");
                        return Ok(ExitCode::from(super::EXIT_INVALID_INPUT));
                    }
                }
            }
            _ => None,
        };
        let retention = corredor_core::returns::RetentionPeriod::days(args.return_retention_days)
            .map_err(|error| anyhow::anyhow!("--return-retention-days: {error}"))?;
        let app = args
            .database
            .connect()
            .await?
            .with_acknowledgement_deadline(chrono::Duration::hours(i64::from(
                args.acknowledge_within_hours,
            )))
            .with_return_retention(retention);
        let listener = bind(args.listen).await?;
        tokio::spawn(
            app.clone()
                .run_alert_duties(corredor_app::WebhookSettings::default()),
        );
        let address = listener.local_addr()?;
        match tls {
            Some(config) => {
                println!("corredor is serving at https://{address}/");
                corredor_web::tls::serve_tls_with(
                    app,
                    listener,
                    std::sync::Arc::new(config),
                    corredor_web::tls::shutdown_signal(),
                )
                .await?;
            }
            None => {
                warn_if_plain_beyond_loopback(address);
                println!("corredor is serving at http://{address}/");
                corredor_web::serve(app, listener).await?;
            }
        }
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
        print_demo_users(&report.users);
        if let Some(id) = report.proposed_alert {
            println!(
                "\nA draft alert was proposed from Panama's latest surge (the Darién): sign in as \
                 pan.focal to review and send it (/alerts/{}); gtm.focal then sees it arrive.",
                id.0
            );
        }
        if args.load_only {
            return Ok(ExitCode::SUCCESS);
        }
        let listener = bind(args.listen).await?;
        warn_if_plain_beyond_loopback(listener.local_addr()?);
        tokio::spawn(
            app.clone()
                .run_alert_duties(corredor_app::WebhookSettings::default()),
        );
        println!(
            "\ncorredor demo: open http://{}/  (Ctrl-C to stop)",
            listener.local_addr()?
        );
        corredor_web::serve(app, listener).await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Plain HTTP is for this machine only (the demo, or a TLS proxy in front): anywhere else,
/// passwords, session cookies and tokens would cross the network readable.
fn warn_if_plain_beyond_loopback(address: SocketAddr) {
    if !corredor_web::tls::is_loopback(address) {
        tracing::warn!(
            %address,
            "serving plain HTTP beyond this machine: passwords, session cookies and tokens cross the network readable; give --tls-cert and --tls-key, or put a TLS proxy in front and listen on 127.0.0.1"
        );
    }
}

/// The demo's users and passwords, once: the demo database is new every run, and so are they.
fn print_demo_users(users: &[corredor_app::demo::DemoUser]) {
    println!("\nSign in as / Inicie sesión como:");
    println!("  {:<14} {:<6} {:<14} password", "user", "org", "role");
    for user in users {
        println!(
            "  {:<14} {:<6} {:<14} {}",
            user.name,
            user.organisation.as_str(),
            user.role.code(),
            user.password
        );
    }
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
