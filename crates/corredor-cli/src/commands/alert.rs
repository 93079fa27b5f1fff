//! `corredor alert list|cap|import`: migratory alerts from the command line, as the
//! installation itself (`Caller::System`).

use std::path::PathBuf;
use std::process::ExitCode;

use corredor_app::{AppError, CapImportOutcome};
use corredor_core::{AlertId, AlertState, Caller, CountryCode};

use super::db::DatabaseArgs;
use super::serve::runtime;
use super::EXIT_INVALID_INPUT;

#[derive(Debug, clap::Subcommand)]
pub enum AlertCommand {
    /// Print every alert as one JSON object per line (with its `id`), most recently changed
    /// first.
    List(AlertListArgs),
    /// Print the CAP 1.2 XML of an alert's latest version (or every message with --all).
    Cap(AlertCapArgs),
    /// Import CAP 1.2 messages from a partner system: each becomes a new alert, or updates,
    /// closes or cancels the alert it references. Every file is read and checked before any
    /// is applied; they are applied in the order given.
    Import(AlertImportArgs),
}

#[derive(Debug, clap::Args)]
pub struct AlertListArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Only alerts in this state: draft, active, closed or cancelled.
    #[arg(long, value_parser = AlertState::parse)]
    pub state: Option<AlertState>,
}

#[derive(Debug, clap::Args)]
pub struct AlertCapArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The alert's id.
    pub id: i64,
    /// Every message the alert produced, oldest first, separated by blank lines.
    #[arg(long)]
    pub all: bool,
    /// The address the server is reached at, for the links in the messages.
    #[arg(long)]
    pub site: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct AlertImportArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The issuing country of messages that do not say (no `issuing_country` parameter).
    #[arg(long, value_parser = CountryCode::parse)]
    pub country: Option<CountryCode>,
    /// CAP 1.2 XML files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

pub fn run(command: AlertCommand) -> anyhow::Result<ExitCode> {
    match command {
        AlertCommand::List(args) => list(args),
        AlertCommand::Cap(args) => cap(args),
        AlertCommand::Import(args) => import(args),
    }
}

fn list(args: AlertListArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let app = args.database.connect().await?;
        let alerts = app
            .alerts(&Caller::System, args.state)
            .await
            .map_err(|error| anyhow::anyhow!("{error}"))?;
        for stored in alerts {
            let mut line = serde_json::to_value(&stored.alert)?;
            if let Some(object) = line.as_object_mut() {
                object.insert("revision".into(), stored.revision.into());
                object.insert(
                    "shared_with".into(),
                    serde_json::to_value(&stored.shared_with)?,
                );
                object.insert(
                    "created_at".into(),
                    serde_json::to_value(stored.created_at)?,
                );
                object.insert(
                    "updated_at".into(),
                    serde_json::to_value(stored.updated_at)?,
                );
            }
            println!("{line}");
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn cap(args: AlertCapArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let app = args.database.connect().await?;
        let id = AlertId(args.id);
        let site = args.site.as_deref();
        let result = if args.all {
            app.alert_cap_messages(&Caller::System, id, site)
                .await
                .map(|messages| messages.join("\n"))
        } else {
            app.alert_cap(&Caller::System, id, site).await
        };
        match result {
            Ok(xml) => {
                print!("{xml}");
                if !xml.ends_with('\n') {
                    println!();
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(error @ (AppError::NotFound { .. } | AppError::Conflict(_))) => {
                eprintln!("error: {error}");
                Ok(ExitCode::from(EXIT_INVALID_INPUT))
            }
            Err(error) => Err(anyhow::anyhow!("{error}")),
        }
    })
}

fn import(args: AlertImportArgs) -> anyhow::Result<ExitCode> {
    // Read and check every file first: a bad one stops the import before anything changes.
    let mut files = Vec::with_capacity(args.files.len());
    let mut refused = false;
    for path in &args.files {
        let name = path.display().to_string();
        match std::fs::read(path) {
            Ok(bytes) => {
                if let Err(problems) = corredor_exchange::cap::read_cap(&bytes, &name) {
                    refused = true;
                    for problem in problems {
                        eprintln!("{problem}");
                    }
                }
                files.push((name, bytes));
            }
            Err(error) => {
                refused = true;
                eprintln!("{name}: cannot read: {error}");
            }
        }
    }
    if refused {
        eprintln!("nothing was imported");
        return Ok(ExitCode::from(EXIT_INVALID_INPUT));
    }
    runtime()?.block_on(async {
        let app = args.database.connect().await?;
        for (index, (name, bytes)) in files.iter().enumerate() {
            match app
                .import_cap(&Caller::System, name, bytes, args.country)
                .await
            {
                Ok(imported) => {
                    let outcome = match imported.outcome {
                        CapImportOutcome::Created => "created",
                        CapImportOutcome::Updated => "updated",
                        CapImportOutcome::Closed => "closed",
                        CapImportOutcome::Cancelled => "cancelled",
                        CapImportOutcome::Unchanged => "unchanged",
                    };
                    println!("{name}: alert {} {outcome}", imported.alert.id().0);
                    for assumption in &imported.assumed {
                        println!("  assumed: {assumption}");
                    }
                }
                Err(AppError::Invalid(problems)) => {
                    for problem in problems {
                        eprintln!("{problem}");
                    }
                    report_rest(&files[index..]);
                    return Ok(ExitCode::from(EXIT_INVALID_INPUT));
                }
                Err(error @ (AppError::Conflict(_) | AppError::NotFound { .. })) => {
                    eprintln!("{name}: {error}");
                    report_rest(&files[index..]);
                    return Ok(ExitCode::from(EXIT_INVALID_INPUT));
                }
                Err(error) => return Err(anyhow::anyhow!("{name}: {error}")),
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Says which files were not imported after a refusal (the ones before it were).
fn report_rest(rest: &[(String, Vec<u8>)]) {
    let names: Vec<&str> = rest.iter().map(|(name, _)| name.as_str()).collect();
    eprintln!("not imported: {}", names.join(", "));
}
