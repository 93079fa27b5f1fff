//! `corredor import` and `corredor export`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use corredor_app::store::{DimensionFilter, ObservationFilter, PlaceFilter};
use corredor_app::{AppError, ExportFormat, ExportRequest, ImportRequest};
use corredor_core::{Caller, CountryCode, Granularity, Measure, Nationality, Period, PlaceCode};
use corredor_exchange::observations::Format;

use super::db::DatabaseArgs;
use super::serve::runtime;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The reporting country (ISO alpha-3) that owns the values. Without it, every row must
    /// name its country (restoring a multi-country export).
    #[arg(long, value_parser = CountryCode::parse)]
    pub country: Option<CountryCode>,
    /// csv or hxl; detected from each file's content when absent.
    #[arg(long, value_parser = parse_format)]
    pub format: Option<Format>,
    /// Who submits the files (recorded with each revision).
    #[arg(long, default_value_t = default_user())]
    pub submitted_by: String,
    /// The files: all are recorded together, or none if any row is bad.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[arg(long, default_value = "csv", value_parser = parse_export_format)]
    pub format: ExportFormat,
    /// Every revision with who submitted it and when, not only the current values.
    #[arg(long)]
    pub revisions: bool,
    /// Only these reporting countries (repeat or separate with commas).
    #[arg(long, value_delimiter = ',', value_parser = CountryCode::parse)]
    pub country: Vec<CountryCode>,
    #[arg(long, value_delimiter = ',', value_parser = PlaceCode::parse)]
    pub place: Vec<PlaceCode>,
    #[arg(long, value_delimiter = ',', value_parser = Measure::parse)]
    pub measure: Vec<Measure>,
    #[arg(long, value_delimiter = ',', value_parser = Nationality::parse)]
    pub nationality: Vec<Nationality>,
    #[arg(long, value_parser = parse_granularity)]
    pub granularity: Option<Granularity>,
    /// Periods starting on or after this day or period.
    #[arg(long, value_parser = Period::parse)]
    pub from: Option<Period>,
    /// Periods starting on or before the end of this day or period.
    #[arg(long, value_parser = Period::parse)]
    pub to: Option<Period>,
    /// Write here instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

fn default_user() -> String {
    std::env::var("USER")
        .map(|user| format!("{user} (command line)"))
        .unwrap_or_else(|_| "command line".to_owned())
}

fn parse_format(raw: &str) -> Result<Format, String> {
    match raw {
        "csv" => Ok(Format::Csv),
        "hxl" => Ok(Format::Hxl),
        other => Err(format!("`{other}` is not csv or hxl")),
    }
}

fn parse_export_format(raw: &str) -> Result<ExportFormat, String> {
    ExportFormat::parse(raw).ok_or_else(|| format!("`{raw}` is not csv, hxl or json"))
}

fn parse_granularity(raw: &str) -> Result<Granularity, String> {
    Granularity::parse(raw).ok_or_else(|| format!("`{raw}` is not day, week, month or year"))
}

pub fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let mut contents = Vec::new();
    for path in &args.files {
        let content = std::fs::read(path)
            .map_err(|error| anyhow::anyhow!("cannot read {}: {error}", path.display()))?;
        contents.push((path.display().to_string(), content));
    }
    let total: u64 = contents
        .iter()
        .map(|(_, content)| content.len() as u64)
        .sum();
    runtime()?.block_on(async {
        let app = args.database.connect().await?;
        let files: Vec<(&str, &[u8])> = contents.iter().map(|(name, content)| (name.as_str(), content.as_slice())).collect();
        let bar = super::progress::bytes(total, "validating");
        let request = ImportRequest { country: args.country, format: args.format.unwrap_or(Format::Auto), caller: &Caller::System, on_behalf_of: Some(&args.submitted_by) };
        let result = app.import_files(request, &files, &mut |done| bar.set_position(done)).await;
        bar.finish_and_clear();
        match result {
            Ok(report) => {
                println!(
                    "imported {} row(s) from {} file(s): {} new, {} revised, {} unchanged (submission {})",
                    report.rows,
                    report.files.len(),
                    report.inserted,
                    report.revised,
                    report.unchanged,
                    report.submission_id
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(AppError::Invalid(problems)) => Ok(super::report_problems(&problems)),
            Err(other) => Err(other.into()),
        }
    })
}

pub fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let filter = ObservationFilter {
        countries: args.country,
        places: if args.place.is_empty() {
            PlaceFilter::Any
        } else {
            PlaceFilter::Places(args.place)
        },
        measures: args.measure,
        nationality: if args.nationality.is_empty() {
            DimensionFilter::Any
        } else {
            DimensionFilter::Values(args.nationality)
        },
        granularity: args.granularity,
        from: args.from.map(|period| period.start()),
        to: args.to.map(|period| period.end()),
        ..ObservationFilter::default()
    };
    runtime()?.block_on(async {
        let app = args.database.connect().await?;
        let request = ExportRequest {
            filter,
            format: args.format,
            revisions: args.revisions,
        };
        let count = match &args.output {
            Some(path) => {
                let file = std::fs::File::create(path).map_err(|error| {
                    anyhow::anyhow!("cannot create {}: {error}", path.display())
                })?;
                let mut out = std::io::BufWriter::new(file);
                let count = app.export(&Caller::System, &request, &mut out).await?;
                out.flush()?;
                count
            }
            None => {
                let stdout = std::io::stdout();
                let mut out = std::io::BufWriter::new(stdout.lock());
                let count = app.export(&Caller::System, &request, &mut out).await?;
                out.flush()?;
                count
            }
        };
        eprintln!("exported {count} value(s)");
        Ok(ExitCode::SUCCESS)
    })
}
