//! `corredor backtest`: forecast backtests on a long CSV file.
//!
//! For every origin (the last period of data used for fitting) in `--origins`, each model is
//! fitted on the history up to that origin and forecasts `--horizon` periods ahead; each
//! forecast is written with its intervals and the actual count, and the scores per model and
//! horizon are printed.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use corredor_analytics::forecast::score::{seasonal_naive_scale, Scoreboard};
use corredor_analytics::forecast::{
    forecast, EtsConfig, ForecastSettings, Model, PropagationConfig, SeasonalNaiveConfig,
};
use corredor_exchange::series_csv::{read_series_csv, Axis, SeriesFile, SeriesPeriod};

use super::EXIT_INVALID_INPUT;

#[derive(Debug, clap::Args)]
pub struct BacktestArgs {
    /// The long CSV file (`series,period,count`).
    #[arg(long)]
    pub input: PathBuf,
    /// The series to forecast, e.g. `USA:VEN`.
    #[arg(long)]
    pub target: String,
    /// The series of the nodes before the target on the corridor, furthest first
    /// (e.g. `--upstream PAN:VEN --upstream HND:VEN --upstream MEX:VEN`). Only the
    /// propagation model uses them.
    #[arg(long, num_args = 1..)]
    pub upstream: Vec<String>,
    /// How many periods ahead to forecast from each origin.
    #[arg(long, default_value_t = 3)]
    pub horizon: usize,
    /// The first and last origin, `FROM..TO` (e.g. `2022-01..2024-12`).
    #[arg(long)]
    pub origins: String,
    /// The model(s) to backtest; repeat it or say `all`.
    #[arg(long, value_enum, default_values_t = [ModelChoice::All])]
    pub model: Vec<ModelChoice>,
    /// Where to write one row per origin, horizon and model.
    #[arg(long)]
    pub output: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum ModelChoice {
    Propagation,
    Ets,
    Snaive,
    All,
}

/// One forecast of the backtest, as written to the output file.
struct Row {
    origin: SeriesPeriod,
    horizon: usize,
    model: &'static str,
    step: corredor_analytics::forecast::StepForecast,
    actual: Option<u64>,
}

pub fn run(args: BacktestArgs) -> anyhow::Result<ExitCode> {
    let file_name = args.input.display().to_string();
    let input = File::open(&args.input).with_context(|| format!("cannot open {file_name}"))?;
    let file = match read_series_csv(input, &file_name) {
        Ok(file) => file,
        Err(problems) => return Ok(super::report_problems(&problems)),
    };
    let plan = match Plan::new(&args, &file) {
        Ok(plan) => plan,
        Err(reason) => {
            eprintln!("{reason}");
            eprintln!("nothing was written");
            return Ok(ExitCode::from(EXIT_INVALID_INPUT));
        }
    };

    let mut rows = Vec::new();
    let mut boards: BTreeMap<(usize, usize), Scoreboard> = BTreeMap::new();
    let mut failures = 0usize;
    for origin_index in plan.first_origin..=plan.last_origin {
        let end = origin_index + 1;
        let chain: Vec<&[f64]> = plan.chain.iter().map(|series| &series[..end]).collect();
        let target_history = chain[chain.len() - 1];
        let scale = seasonal_naive_scale(target_history, plan.settings.season_length);
        let origin = plan.start.offset(origin_index as i64);
        for (model_index, model) in plan.models.iter().enumerate() {
            let model_chain = match model {
                Model::Propagation(_) => &chain[..],
                _ => &chain[chain.len() - 1..],
            };
            let result = match forecast(model, model_chain, &plan.settings) {
                Ok(result) => result,
                Err(error) => {
                    tracing::debug!(%origin, model = model.name(), %error, "no forecast");
                    failures += 1;
                    continue;
                }
            };
            for step in result.steps {
                let at = origin_index + step.horizon;
                let actual = plan.target_counts.get(at).copied().flatten();
                if let Some(actual) = actual {
                    boards.entry((model_index, step.horizon)).or_default().add(
                        actual as f64,
                        &step,
                        scale,
                    );
                }
                rows.push(Row {
                    origin,
                    horizon: step.horizon,
                    model: model.name(),
                    step,
                    actual,
                });
            }
        }
    }

    write_rows(&args.output, &rows)?;
    if failures > 0 {
        eprintln!("{failures} forecast(s) could not be made (history too short at that origin)");
    }
    println!(
        "backtest of {} ({} origin(s) {}..{}, {} rows written to {})",
        args.target,
        plan.last_origin + 1 - plan.first_origin,
        plan.start.offset(plan.first_origin as i64),
        plan.start.offset(plan.last_origin as i64),
        rows.len(),
        args.output.display()
    );
    println!(
        "{:<12} {:>7} {:>8} {:>8} {:>8} {:>9} {:>9}",
        "model", "horizon", "scored", "MASE", "sMAPE", "cover80", "cover95"
    );
    let show = |value: Option<f64>, percent: bool| match value {
        Some(v) if percent => format!("{:.1}%", 100.0 * v),
        Some(v) => format!("{v:.3}"),
        None => "-".to_owned(),
    };
    for ((model_index, horizon), board) in &boards {
        println!(
            "{:<12} {:>7} {:>8} {:>8} {:>8} {:>9} {:>9}",
            plan.models[*model_index].name(),
            horizon,
            board.count(),
            show(board.mase(), false),
            board
                .smape()
                .map_or_else(|| "-".to_owned(), |v| format!("{v:.1}")),
            show(board.coverage80(), true),
            show(board.coverage95(), true),
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The checked arguments: aligned series, origins as indices, models and settings.
struct Plan {
    /// The first period of the aligned series.
    start: SeriesPeriod,
    /// Upstream series then the target, aligned from `start`, gaps counted as zero.
    chain: Vec<Vec<f64>>,
    /// The target's counts from `start` to its last period, to score against.
    target_counts: Vec<Option<u64>>,
    first_origin: usize,
    last_origin: usize,
    models: Vec<Model>,
    settings: ForecastSettings,
}

impl Plan {
    fn new(args: &BacktestArgs, file: &SeriesFile) -> Result<Plan, String> {
        if args.horizon == 0 {
            return Err("--horizon must be at least 1".to_owned());
        }
        let mut names: Vec<&str> = args.upstream.iter().map(String::as_str).collect();
        names.push(&args.target);
        let mut series = Vec::new();
        for name in &names {
            let found = file.get(name).ok_or_else(|| {
                let known: Vec<&str> = file.series.iter().map(|s| s.name.as_str()).collect();
                format!(
                    "series `{name}` is not in the file (it has: {})",
                    known.join(", ")
                )
            })?;
            series.push(found);
        }
        // The chain is fitted where every node has data: from the latest first period.
        let start = series
            .iter()
            .map(|s| s.start)
            .max()
            .expect("the chain has at least the target");
        let target = series[series.len() - 1];
        let offset_of = |s: &corredor_exchange::series_csv::LongSeries| {
            s.start.steps_until(&start).expect("one file has one axis")
        };
        let end_of =
            |s: &corredor_exchange::series_csv::LongSeries| s.counts.len() as i64 - offset_of(s);
        let common = series.iter().map(|s| end_of(s)).min().unwrap_or(0);
        if common <= 0 {
            return Err(format!(
                "the series {} have no period in common",
                names.join(", ")
            ));
        }
        let chain: Vec<Vec<f64>> = series
            .iter()
            .map(|s| {
                let skip = offset_of(s) as usize;
                let window = &s.counts[skip..skip + common as usize];
                // The models need complete series; a period without a row is most often a
                // month with nothing to report (Darién in the 2020 closure), so it counts as
                // zero, and the user is told.
                let gaps = window.iter().filter(|c| c.is_none()).count();
                if gaps > 0 {
                    eprintln!(
                        "note: series `{}` has no row for {gaps} period(s) between {} and {}; they count as zero",
                        s.name,
                        start,
                        start.offset(common - 1)
                    );
                }
                window.iter().map(|c| c.unwrap_or(0) as f64).collect()
            })
            .collect();
        let target_counts = target.counts[offset_of(target) as usize..].to_vec();

        let (from, to) = args
            .origins
            .split_once("..")
            .ok_or_else(|| format!("--origins `{}` is not `FROM..TO`", args.origins))?;
        let parse = |raw: &str| {
            SeriesPeriod::parse(raw)
                .filter(|p| p.axis() == file.axis)
                .ok_or_else(|| {
                    format!(
                        "--origins: `{raw}` is not a {:?} period like the file's",
                        file.axis
                    )
                })
        };
        let (from, to) = (parse(from)?, parse(to)?);
        let first = start.steps_until(&from).expect("same axis checked");
        let last = start.steps_until(&to).expect("same axis checked");
        if first > last {
            return Err(format!("--origins: {from} comes after {to}"));
        }
        if first < 1 || last >= common {
            return Err(format!(
                "--origins {from}..{to} must lie within {}..{}, where every series of the chain has data",
                start.offset(1),
                start.offset(common - 1)
            ));
        }

        let mut choices = args.model.clone();
        if choices.contains(&ModelChoice::All) {
            choices = vec![
                ModelChoice::Propagation,
                ModelChoice::Ets,
                ModelChoice::Snaive,
            ];
        }
        choices.sort();
        choices.dedup();
        let weekly = file.axis == Axis::Week;
        let models = choices
            .into_iter()
            .map(|choice| match choice {
                ModelChoice::Propagation if weekly => {
                    Model::Propagation(PropagationConfig::weekly())
                }
                ModelChoice::Propagation => Model::Propagation(PropagationConfig::monthly()),
                ModelChoice::Ets => Model::Ets(EtsConfig::default()),
                ModelChoice::Snaive | ModelChoice::All => {
                    Model::SeasonalNaive(SeasonalNaiveConfig::default())
                }
            })
            .collect();
        let settings = match file.axis {
            Axis::Month => ForecastSettings::monthly(args.horizon),
            Axis::Week => ForecastSettings::weekly(args.horizon),
            Axis::Index => ForecastSettings {
                horizon: args.horizon,
                season_length: 1,
                interval_window: 36,
            },
        };
        Ok(Plan {
            start,
            chain,
            target_counts,
            first_origin: first as usize,
            last_origin: last as usize,
            models,
            settings,
        })
    }
}

fn write_rows(path: &PathBuf, rows: &[Row]) -> anyhow::Result<()> {
    let mut writer =
        csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    writer.write_record([
        "origin", "horizon", "model", "forecast", "lower80", "upper80", "lower95", "upper95",
        "actual",
    ])?;
    for row in rows {
        let number = |v: f64| format!("{v:.1}");
        writer.write_record([
            row.origin.to_string(),
            row.horizon.to_string(),
            row.model.to_owned(),
            number(row.step.mean),
            number(row.step.lower80),
            number(row.step.upper80),
            number(row.step.lower95),
            number(row.step.upper95),
            row.actual.map(|a| a.to_string()).unwrap_or_default(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}
