//! `corredor bench forecast`: the time to fit every leg of the shipped northbound corridor
//! for every nationality and forecast every node, on seeded synthetic counts.
//!
//! The counts are generated, not real, because no source counts all eight nodes by
//! nationality for ten years; the generator copies the features of the real chain in
//! `data/backtest/`: flows that enter the corridor at different nodes (South Americans in
//! Colombia, Cubans and Haitians by air in Nicaragua, Central Americans at home), surges
//! that multiply the counts within months, yearly seasonality, transit times from the
//! corridor's typical leg durations, continuation shares below one, and a local component
//! at every node. The bench checks its result: every forecast finite, and the fitted
//! continuation shares close to the generated ones.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use corredor_analytics::forecast::{forecast_corridor, ForecastSettings, PropagationConfig};
use corredor_analytics::random::SeededRandom as Random;
use corredor_core::Corridor;
use rayon::prelude::*;

const CORRIDORS_JSON: &str = include_str!("../../../../../data/reference/corridors.json");

#[derive(Debug, clap::Args)]
pub struct ForecastBenchArgs {
    /// How many nationalities to generate.
    #[arg(long, default_value_t = 40)]
    pub nationalities: usize,
    /// How many months of history each series has.
    #[arg(long, default_value_t = 120)]
    pub months: usize,
    /// How many months ahead to forecast.
    #[arg(long, default_value_t = 3)]
    pub horizon: usize,
    /// Seed of the generated counts.
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
}

/// The generated counts of one nationality, node by node, and the continuation share of
/// each leg the flow really follows (`None` before the node where it enters the corridor).
struct Nationality {
    counts: Vec<Vec<f64>>,
    continuation: Vec<Option<f64>>,
}

pub fn run(args: ForecastBenchArgs) -> anyhow::Result<ExitCode> {
    let corridors =
        corredor_exchange::reference::read_corridors(CORRIDORS_JSON.as_bytes(), "corridors.json")
            .map_err(|problems| {
            anyhow::anyhow!("the shipped corridors.json is invalid: {problems:?}")
        })?;
    let corridor = corridors
        .iter()
        .find(|c| c.code().as_str() == "northbound")
        .context("the shipped reference data has no `northbound` corridor")?;
    anyhow::ensure!(args.months >= 24, "--months must be at least 24");
    anyhow::ensure!(args.horizon >= 1, "--horizon must be at least 1");

    let nationalities: Vec<Nationality> = (0..args.nationalities)
        .map(|i| generate(corridor, args.months, args.seed.wrapping_add(i as u64)))
        .collect();
    let settings = ForecastSettings::monthly(args.horizon);
    let config = PropagationConfig::monthly();

    let started = Instant::now();
    let results: Vec<_> = nationalities
        .par_iter()
        .map(|nationality| {
            let chain: Vec<&[f64]> = nationality.counts.iter().map(Vec::as_slice).collect();
            forecast_corridor(&chain, &config, &settings)
        })
        .collect();
    let elapsed = started.elapsed();

    let mut errors = Vec::new();
    for (nationality, result) in nationalities.iter().zip(&results) {
        let result = result
            .as_ref()
            .map_err(|error| anyhow::anyhow!("a corridor could not be fitted: {error}"))?;
        for node in &result.nodes {
            anyhow::ensure!(
                node.forecast
                    .steps
                    .iter()
                    .all(|s| s.mean.is_finite() && s.upper95.is_finite()),
                "a forecast is not finite"
            );
        }
        for (leg, truth) in result.legs.iter().zip(&nationality.continuation) {
            if let Some(truth) = truth {
                errors.push((leg.continuation - truth).abs());
            }
        }
    }
    errors.sort_by(f64::total_cmp);
    let median_error = errors.get(errors.len() / 2).copied().unwrap_or(0.0);
    let nodes = corridor.nodes().len();
    println!(
        "forecast bench: corridor `{}` ({} nodes, {} legs) x {} nationalities x {} months, horizon {}",
        corridor.code(),
        nodes,
        corridor.legs().len(),
        args.nationalities,
        args.months,
        args.horizon
    );
    println!(
        "fitted {} legs and forecast {} node series in {:.1} ms ({} threads); goal <= 1000 ms",
        corridor.legs().len() * args.nationalities,
        nodes * args.nationalities,
        elapsed.as_secs_f64() * 1000.0,
        rayon::current_num_threads()
    );
    println!(
        "median |fitted - generated| continuation share over {} followed legs: {:.3}",
        errors.len(),
        median_error
    );
    anyhow::ensure!(
        median_error < 0.15,
        "the fitted continuation shares are far from the generated ones (median error {median_error:.3})"
    );
    Ok(ExitCode::SUCCESS)
}

fn generate(corridor: &Corridor, months: usize, seed: u64) -> Nationality {
    let mut random = Random::new(seed);
    let nodes = corridor.nodes().len();
    // Where the flow enters: the head of the corridor (South Americans), Nicaragua (flights
    // from Cuba and Haiti), or the nationality's own country near the end of the route.
    let entry = match (random.uniform() * 4.0) as usize {
        0 | 1 => 0,
        2 => 3.min(nodes - 1),
        _ => (nodes - 3).min(nodes - 1),
    };
    let size = (5.0 + 2.5 * random.uniform()).exp();
    let mut log_level: f64 = 0.0;
    let surge_start = (random.uniform() * months as f64) as usize;
    let surge_length = 3 + (random.uniform() * 10.0) as usize;
    let head: Vec<f64> = (0..months)
        .map(|t| {
            log_level = (log_level + 0.2 * random.normal()).clamp(-2.0, 2.0);
            let season = 0.3 * (2.0 * std::f64::consts::PI * t as f64 / 12.0).sin();
            let surge = if (surge_start..surge_start + surge_length).contains(&t) {
                1.5
            } else {
                0.0
            };
            size * (log_level + season + surge).exp()
        })
        .collect();

    let mut expected = vec![vec![0.0; months]; nodes];
    let mut continuation = vec![None; nodes - 1];
    for node in 0..nodes {
        let local = size * (0.02 + 0.1 * random.uniform());
        if node < entry {
            // A trickle of people of this nationality already on the route before their
            // usual entry point.
            expected[node] = vec![local * 0.2; months];
        } else if node == entry {
            expected[node] = head.iter().map(|h| h + local).collect();
        } else {
            let leg = &corridor.legs()[node - 1];
            let share = 0.5 + 0.45 * random.uniform();
            let later = (f64::from(leg.typical_transit_days) / 30.0).min(1.0);
            let transit = [1.0 - later, 0.8 * later, 0.2 * later];
            continuation[node - 1] = Some(share);
            expected[node] = (0..months)
                .map(|t| {
                    let arriving: f64 = transit
                        .iter()
                        .enumerate()
                        .filter(|(l, _)| *l <= t)
                        .map(|(l, p)| share * p * expected[node - 1][t - l])
                        .sum();
                    arriving + local
                })
                .collect();
        }
    }
    let counts = expected
        .iter()
        .map(|series| series.iter().map(|m| random.poisson(*m)).collect())
        .collect();
    Nationality {
        counts,
        continuation,
    }
}
