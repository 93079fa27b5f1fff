//! `corredor bench detect`: fits per second of the surge detectors.
//!
//! Generates seeded weekly negative-binomial series (log-linear mean with trend and yearly
//! seasonality after Noufaily et al. 2013, dispersion 1 to 5, an outbreak in every second
//! series), evaluates the last weeks of each with Farrington Flexible (Noufaily's settings,
//! 10 seasonal periods) and with EARS C1–C3, on one core and on all cores. `--write-series`
//! writes the same series as a long CSV so that `bench/surveillance-r/` can time R on the
//! identical input.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use corredor_analytics::detection::{
    ears, farrington_flexible, Detection, EarsConfig, EarsMethod, FarringtonFlexibleConfig, Series,
};
use corredor_core::Period;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Gamma, Poisson};
use rayon::prelude::*;

#[derive(Debug, clap::Args)]
pub struct DetectBenchArgs {
    /// Number of generated series.
    #[arg(long, default_value_t = 10_000)]
    series: usize,
    /// Weeks per series (from 2015-W01).
    #[arg(long, default_value_t = 520)]
    weeks: usize,
    /// Weeks evaluated at the end of each series.
    #[arg(long, default_value_t = 104)]
    evaluate: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 20240601)]
    seed: u64,
    /// Also write the generated series as a long CSV (`series,period,count`).
    #[arg(long, value_name = "FILE")]
    write_series: Option<PathBuf>,
    /// Skip the single-core runs (quicker on large sizes).
    #[arg(long)]
    skip_single_core: bool,
}

pub fn run(args: DetectBenchArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.evaluate <= args.weeks && args.weeks > 0,
        "--evaluate must not exceed --weeks"
    );
    let start = Period::week(2015, 1).context("2015 has an ISO week 1")?;
    let generated: Vec<Vec<f64>> = (0..args.series)
        .into_par_iter()
        .map(|i| generate(args.seed, i, args.weeks))
        .collect();
    if let Some(path) = &args.write_series {
        write_series(path, start, &generated)?;
        eprintln!("wrote {} series to {}", generated.len(), path.display());
    }
    let range = args.weeks - args.evaluate..args.weeks;
    let fits = (args.series * args.evaluate) as f64;
    println!(
        "{} series x {} weeks, last {} evaluated ({} fits per detector); {} threads",
        args.series,
        args.weeks,
        args.evaluate,
        fits,
        rayon::current_num_threads()
    );

    let flexible = FarringtonFlexibleConfig::noufaily();
    let detectors: Vec<(&str, Detector)> = vec![
        (
            "farrington-flexible (noPeriods 10, nbPlugin)",
            Box::new(move |s: &Series<'_>| farrington_flexible(s, &flexible, range.clone())),
        ),
        ears_detector("ears-c1", EarsMethod::C1, args.weeks, args.evaluate),
        ears_detector("ears-c2", EarsMethod::C2, args.weeks, args.evaluate),
        ears_detector("ears-c3", EarsMethod::C3, args.weeks, args.evaluate),
    ];
    for (name, detector) in &detectors {
        let run_one = |counts: &Vec<f64>| -> usize {
            let series = Series::calendar(counts, start).expect("weekly periods");
            detector(&series).iter().filter(|d| d.alarm).count()
        };
        let started = Instant::now();
        let alarms_parallel: usize = generated.par_iter().map(run_one).sum();
        let parallel = started.elapsed().as_secs_f64();
        let single = if args.skip_single_core {
            None
        } else {
            let started = Instant::now();
            let alarms_single: usize = generated.iter().map(run_one).sum();
            let elapsed = started.elapsed().as_secs_f64();
            // The benchmark checks its own result: threads must not change a verdict.
            anyhow::ensure!(
                alarms_single == alarms_parallel,
                "{name}: {alarms_single} alarms on one core but {alarms_parallel} on all"
            );
            Some(elapsed)
        };
        anyhow::ensure!(
            alarms_parallel > 0,
            "{name}: no alarm at all on series with outbreaks"
        );
        let per_fit = |seconds: f64| seconds / fits * 1e6;
        match single {
            Some(single) => println!(
                "{name}: one core {:.0} fits/s ({:.2} µs/fit); all cores {:.0} fits/s; {} alarms",
                fits / single,
                per_fit(single),
                fits / parallel,
                alarms_parallel
            ),
            None => println!(
                "{name}: all cores {:.0} fits/s ({:.2} µs/fit per thread); {} alarms",
                fits / parallel,
                per_fit(parallel) * rayon::current_num_threads() as f64,
                alarms_parallel
            ),
        }
    }
    Ok(ExitCode::SUCCESS)
}

type Detector = Box<dyn Fn(&Series<'_>) -> Vec<Detection> + Sync>;

fn ears_detector(
    name: &'static str,
    method: EarsMethod,
    weeks: usize,
    evaluate: usize,
) -> (&'static str, Detector) {
    let config = EarsConfig::for_method(method);
    (
        name,
        Box::new(move |s: &Series<'_>| ears(s, &config, weeks - evaluate..weeks)),
    )
}

/// One series: `Y_t ~ NegBin(mean mu_t, variance phi mu_t)` with
/// `log mu_t = theta + beta t + gamma_1 cos(2 pi t / 52) + gamma_2 sin(2 pi t / 52)`, and in
/// every second series a burst of extra cases in the evaluated weeks. Seeded per series so
/// the data do not depend on the number of threads.
fn generate(seed: u64, index: usize, weeks: usize) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let theta = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5][rng.gen_range(0..6)];
    let beta = [0.0, 0.001, 0.003][rng.gen_range(0..3)];
    let seasonal = [0.0, 0.2, 0.6, 1.0][rng.gen_range(0..4)];
    let phi: f64 = [1.0, 1.5, 2.0, 3.0, 5.0][rng.gen_range(0..5)];
    let mut counts: Vec<f64> = (1..=weeks)
        .map(|t| {
            let t = t as f64;
            let angle = 2.0 * std::f64::consts::PI * t / 52.0;
            let mu = (theta + beta * t + seasonal * (angle.cos() + angle.sin())).exp();
            draw_negative_binomial(&mut rng, mu, phi)
        })
        .collect();
    if index % 2 == 1 && weeks > 30 {
        let start = weeks - rng.gen_range(8..30.min(weeks));
        let size = 4.0 * (phi * theta.exp()).sqrt();
        for (offset, count) in counts[start..].iter_mut().take(4).enumerate() {
            *count += (size / (offset as f64 + 1.0)).round();
        }
    }
    counts
}

/// A negative binomial as a gamma-mixed Poisson: mean `mu`, variance `phi mu`.
fn draw_negative_binomial(rng: &mut StdRng, mu: f64, phi: f64) -> f64 {
    let rate = if phi > 1.0 {
        let shape = mu / (phi - 1.0);
        match Gamma::new(shape, phi - 1.0) {
            Ok(gamma) => gamma.sample(rng),
            Err(_) => mu,
        }
    } else {
        mu
    };
    if rate <= 0.0 {
        return 0.0;
    }
    // rand_distr 0.4 can return -1 for a vanishing rate; a count is never below zero.
    Poisson::new(rate).map_or(0.0, |poisson| poisson.sample(rng).max(0.0))
}

fn write_series(path: &PathBuf, start: Period, series: &[Vec<f64>]) -> anyhow::Result<()> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = BufWriter::new(file);
    writeln!(out, "series,period,count")?;
    for (i, counts) in series.iter().enumerate() {
        for (t, count) in counts.iter().enumerate() {
            writeln!(out, "{},{},{}", i + 1, start.offset(t as i64), count)?;
        }
    }
    out.flush()?;
    Ok(())
}
