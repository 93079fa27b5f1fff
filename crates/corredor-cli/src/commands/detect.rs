//! `corredor detect`: surge detection on a long CSV file.
//!
//! Reads `series,period,count` (periods an integer index, ISO weeks or months), runs one
//! detector on every series and writes `series,period,observed,expected,upperbound,alarm`
//! for the last `--evaluate-last` periods. Defaults are R `surveillance`'s defaults of the
//! chosen algorithm, so the output can be checked against a peer running R.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use corredor_analytics::detection::{
    ears, farrington, farrington_flexible, Detection, EarsConfig, EarsMethod, FarringtonConfig,
    FarringtonFlexibleConfig, Series, ThresholdMethod,
};
use corredor_exchange::series_csv::{read_series_csv, LongSeries, SeriesPeriod};
use corredor_exchange::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Algorithm {
    /// Farrington Flexible (Noufaily et al. 2013), R's farringtonFlexible.
    FarringtonFlexible,
    /// The original Farrington method (1996), R's algo.farrington.
    Farrington,
    /// EARS C1, R's earsC(method = "C1").
    EarsC1,
    /// EARS C2.
    EarsC2,
    /// EARS C3.
    EarsC3,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ThresholdArg {
    Nbplugin,
    Muan,
    Delta,
}

#[derive(Debug, clap::Args)]
pub struct DetectArgs {
    /// Long CSV file with the columns series, period, count.
    #[arg(long)]
    input: PathBuf,
    #[arg(long, value_enum)]
    algorithm: Algorithm,
    /// Periods per year: 52 (weeks) or 12 (months). Taken from the periods when they are
    /// ISO weeks or months; needed for integer periods (default 52).
    #[arg(long)]
    frequency: Option<usize>,
    /// Evaluate only the last N periods of each series (default: every period).
    #[arg(long, value_name = "N")]
    evaluate_last: Option<usize>,
    /// Where to write the results (default: standard output).
    #[arg(long)]
    output: Option<PathBuf>,
    /// Farrington: number of past years in the baseline.
    #[arg(long)]
    b: Option<usize>,
    /// Farrington: half-width of the window around each reference period.
    #[arg(long)]
    w: Option<usize>,
    /// Significance level (Farrington and EARS).
    #[arg(long)]
    alpha: Option<f64>,
    /// Farrington Flexible: levels of the seasonal factor.
    #[arg(long)]
    no_periods: Option<usize>,
    /// Farrington Flexible: most recent periods left out of the baseline (default w).
    #[arg(long)]
    past_weeks_not_included: Option<usize>,
    /// Farrington Flexible: Anscombe residual above which an observation is down-weighted.
    #[arg(long)]
    weights_threshold: Option<f64>,
    /// Farrington Flexible: p-value below which the time trend is kept.
    #[arg(long)]
    p_threshold_trend: Option<f64>,
    /// Farrington Flexible: how the bound is computed.
    #[arg(long, value_enum)]
    threshold_method: Option<ThresholdArg>,
    /// Farrington: no bound unless this many cases were counted in the last 4 periods.
    #[arg(long)]
    limit54_cases: Option<f64>,
    /// Farrington: fit without the time trend.
    #[arg(long)]
    no_trend: bool,
    /// Farrington: do not down-weight past outbreaks.
    #[arg(long)]
    no_reweight: bool,
    /// EARS: periods in the baseline.
    #[arg(long)]
    baseline: Option<usize>,
}

pub fn run(args: DetectArgs) -> anyhow::Result<ExitCode> {
    let file_name = args.input.display().to_string();
    let file = match File::open(&args.input) {
        Ok(file) => file,
        Err(error) => {
            return Ok(super::report_problems(&[Problem::new(
                &file_name,
                0,
                None,
                format!("cannot open the file: {error}"),
            )]))
        }
    };
    let series_file = match read_series_csv(std::io::BufReader::new(file), &file_name) {
        Ok(series_file) => series_file,
        Err(problems) => return Ok(super::report_problems(&problems)),
    };
    if let Err(reason) = check_arguments(&args, series_file.axis.frequency()) {
        eprintln!("{reason}");
        return Ok(ExitCode::from(super::EXIT_INVALID_INPUT));
    }
    let frequency = series_file
        .axis
        .frequency()
        .map(|f| f as usize)
        .or(args.frequency)
        .unwrap_or(52);

    let mut rows = Vec::new();
    for long in &series_file.series {
        let counts: Vec<f64> = long
            .counts
            .iter()
            .map(|count| count.map_or(f64::NAN, |c| c as f64))
            .collect();
        let series = match long.start {
            SeriesPeriod::Calendar(start) => Series::calendar(&counts, start)
                .context("the series file only has weeks and months")?,
            SeriesPeriod::Index(_) => Series::indexed(&counts, frequency),
        };
        let from = args
            .evaluate_last
            .map_or(0, |n| counts.len().saturating_sub(n));
        let detections = detect(&args, &series, from..counts.len());
        rows.extend(detections.into_iter().map(|d| (long, d)));
    }

    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    write_rows(&mut out, &rows).context("cannot write the results")?;
    let alarms = rows.iter().filter(|(_, d)| d.alarm).count();
    eprintln!(
        "{} series, {} periods evaluated, {alarms} alarm(s)",
        series_file.series.len(),
        rows.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Refuses arguments that contradict the file or make no sense, before anything is written.
fn check_arguments(args: &DetectArgs, file_frequency: Option<u32>) -> Result<(), String> {
    if let Some(frequency) = args.frequency {
        if frequency != 52 && frequency != 12 {
            return Err(format!(
                "--frequency {frequency}: use 52 (weeks) or 12 (months)"
            ));
        }
        if let Some(file_frequency) = file_frequency {
            if file_frequency as usize != frequency {
                return Err(format!(
                    "--frequency {frequency} contradicts the periods of the file ({file_frequency} a year)"
                ));
            }
        }
    }
    if let Some(alpha) = args.alpha {
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(format!("--alpha {alpha}: must lie between 0 and 1"));
        }
    }
    if args.b == Some(0) {
        return Err("--b 0: the baseline needs at least one past year".to_owned());
    }
    if args.no_periods == Some(0) {
        return Err("--no-periods 0: use 1 for no seasonal factor".to_owned());
    }
    if args.baseline.is_some_and(|b| b < 3) {
        return Err("--baseline: EARS needs at least 3 periods".to_owned());
    }
    Ok(())
}

fn detect(args: &DetectArgs, series: &Series<'_>, range: std::ops::Range<usize>) -> Vec<Detection> {
    match args.algorithm {
        Algorithm::FarringtonFlexible => {
            let defaults = FarringtonFlexibleConfig::default();
            let config = FarringtonFlexibleConfig {
                b: args.b.unwrap_or(defaults.b),
                w: args.w.unwrap_or(defaults.w),
                reweight: !args.no_reweight,
                weights_threshold: args.weights_threshold.unwrap_or(defaults.weights_threshold),
                alpha: args.alpha.unwrap_or(defaults.alpha),
                trend: !args.no_trend,
                p_threshold_trend: args.p_threshold_trend.unwrap_or(defaults.p_threshold_trend),
                limit54: (
                    args.limit54_cases.unwrap_or(defaults.limit54.0),
                    defaults.limit54.1,
                ),
                no_periods: args.no_periods.unwrap_or(defaults.no_periods),
                past_weeks_not_included: args.past_weeks_not_included,
                threshold_method: match args.threshold_method {
                    Some(ThresholdArg::Nbplugin) => ThresholdMethod::NbPlugin,
                    Some(ThresholdArg::Muan) => ThresholdMethod::Muan,
                    Some(ThresholdArg::Delta) => ThresholdMethod::Delta,
                    None => defaults.threshold_method,
                },
                ..defaults
            };
            farrington_flexible(series, &config, range)
        }
        Algorithm::Farrington => {
            let defaults = FarringtonConfig::default();
            let config = FarringtonConfig {
                b: args.b.unwrap_or(defaults.b),
                w: args.w.unwrap_or(defaults.w),
                reweight: !args.no_reweight,
                alpha: args.alpha.unwrap_or(defaults.alpha),
                trend: !args.no_trend,
                limit54: (
                    args.limit54_cases.unwrap_or(defaults.limit54.0),
                    defaults.limit54.1,
                ),
                ..defaults
            };
            farrington(series, &config, range)
        }
        Algorithm::EarsC1 | Algorithm::EarsC2 | Algorithm::EarsC3 => {
            let method = match args.algorithm {
                Algorithm::EarsC1 => EarsMethod::C1,
                Algorithm::EarsC2 => EarsMethod::C2,
                _ => EarsMethod::C3,
            };
            let defaults = EarsConfig::for_method(method);
            let config = EarsConfig {
                baseline: args.baseline.unwrap_or(defaults.baseline),
                alpha: args.alpha.or(defaults.alpha),
                ..defaults
            };
            ears(series, &config, range)
        }
    }
}

fn write_rows(out: &mut dyn Write, rows: &[(&LongSeries, Detection)]) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "series",
        "period",
        "observed",
        "expected",
        "upperbound",
        "alarm",
    ])?;
    let cell = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
    for (series, detection) in rows {
        writer.write_record([
            series.name.clone(),
            series.period_at(detection.index).to_string(),
            cell((!detection.observed.is_nan()).then_some(detection.observed)),
            cell(detection.expected),
            cell(detection.upper_bound),
            detection.alarm.to_string(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}
