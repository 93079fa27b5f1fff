// The propagation model on synthetic corridors whose transit distributions and continuation
// shares are known: it must recover them, learn when a nationality does not follow a leg,
// and forecast downstream arrivals from upstream flows already on their way.

use corredor_analytics::forecast::{
    forecast, forecast_corridor, EtsConfig, ForecastError, ForecastSettings, Model,
    PropagationConfig, SeasonalNaiveConfig,
};
use corredor_analytics::random::SeededRandom as Random;

/// A head-of-corridor flow: a log-scale random walk with a yearly cycle and two surges, the
/// shape of the Darién counts of 2021-2024.
fn head_flow(random: &mut Random, length: usize) -> Vec<f64> {
    head_flow_with(random, length, &[30..36, 60..64], 0.0)
}

/// A flow with surges in the given periods and its yearly peak shifted by `phase` months.
fn head_flow_with(
    random: &mut Random,
    length: usize,
    surges: &[std::ops::Range<usize>],
    phase: f64,
) -> Vec<f64> {
    let mut log_level: f64 = 7.0;
    (0..length)
        .map(|t| {
            log_level += 0.15 * random.normal();
            log_level = log_level.clamp(5.0, 10.0);
            let season = 0.3 * (2.0 * std::f64::consts::PI * (t as f64 + phase) / 12.0).sin();
            let surge = if surges.iter().any(|s| s.contains(&t)) {
                1.2
            } else {
                0.0
            };
            random.poisson((log_level + season + surge).exp())
        })
        .collect()
}

/// Counts downstream of `upstream`: each lag `l` brings `continuation × transit[l]` of the
/// upstream count of `l` periods before, plus a local flow around `local_level`.
fn downstream(
    random: &mut Random,
    upstream: &[f64],
    continuation: f64,
    transit: &[f64],
    local_level: f64,
) -> Vec<f64> {
    (0..upstream.len())
        .map(|t| {
            let arriving: f64 = transit
                .iter()
                .enumerate()
                .filter(|(l, _)| *l <= t)
                .map(|(l, share)| continuation * share * upstream[t - l])
                .sum();
            let local =
                local_level * (1.0 + 0.2 * (2.0 * std::f64::consts::PI * t as f64 / 12.0).cos());
            random.poisson(arriving) + random.poisson(local)
        })
        .collect()
}

fn assert_close(name: &str, got: f64, want: f64, tolerance: f64) {
    assert!(
        (got - want).abs() <= tolerance,
        "{name}: got {got:.3}, want {want:.3} ± {tolerance}"
    );
}

#[test]
fn known_transit_distributions_and_continuation_shares_are_recovered_along_a_chain() {
    let mut random = Random::new(20_231);
    let length = 96;
    let first = head_flow(&mut random, length);
    let second = downstream(&mut random, &first, 0.7, &[0.2, 0.6, 0.2], 300.0);
    let third = downstream(&mut random, &second, 0.5, &[0.0, 0.3, 0.7], 800.0);
    let result = forecast_corridor(
        &[&first, &second, &third],
        &PropagationConfig::monthly(),
        &ForecastSettings::monthly(3),
    )
    .expect("96 months are enough to fit");

    let first_leg = &result.legs[0];
    assert_close("first continuation", first_leg.continuation, 0.7, 0.07);
    for (l, want) in [0.2, 0.6, 0.2].iter().enumerate() {
        assert_close(
            &format!("first transit lag {l}"),
            first_leg.transit[l],
            *want,
            0.08,
        );
    }
    let second_leg = &result.legs[1];
    assert_close("second continuation", second_leg.continuation, 0.5, 0.07);
    for (l, want) in [0.0, 0.3, 0.7].iter().enumerate() {
        assert_close(
            &format!("second transit lag {l}"),
            second_leg.transit[l],
            *want,
            0.08,
        );
    }
    assert_eq!(result.nodes.len(), 3);
    for node in &result.nodes {
        assert_eq!(node.forecast.steps.len(), 3);
    }
}

#[test]
fn a_nationality_that_does_not_follow_a_leg_gets_a_continuation_near_zero() {
    // Like Cubans in Honduras: a large flow downstream that owes nothing to the upstream
    // node, whose own counts surge and fall at other times.
    let mut random = Random::new(53);
    let length = 96;
    let upstream = head_flow(&mut random, length);
    let unrelated = head_flow_with(&mut random, length, &[12..18, 44..52, 80..84], 5.0);
    let result = forecast_corridor(
        &[&upstream, &unrelated],
        &PropagationConfig::monthly(),
        &ForecastSettings::monthly(3),
    )
    .expect("96 months are enough to fit");
    let leg = &result.legs[0];
    assert!(
        leg.continuation < 0.1,
        "an unrelated flow must not be linked: {leg:?}"
    );
}

#[test]
fn a_surge_seen_upstream_raises_the_downstream_forecast_before_it_arrives() {
    let mut random = Random::new(7);
    let length = 72;
    let mut first = head_flow(&mut random, length);
    // The last month upstream is a surge five times the month before.
    first[length - 1] = 5.0 * first[length - 2];
    let second = downstream(&mut random, &first, 0.8, &[0.0, 1.0, 0.0], 200.0);
    let result = forecast_corridor(
        &[&first, &second],
        &PropagationConfig::monthly(),
        &ForecastSettings::monthly(2),
    )
    .expect("72 months are enough to fit");
    let next = result.nodes[1].forecast.steps[0];
    let expected = 0.8 * first[length - 1] + 200.0;
    assert!(
        (next.mean - expected).abs() < 0.2 * expected,
        "the surge arrives one month later: forecast {next:?}, expected about {expected}"
    );
    assert!(next.mean > 2.0 * second[length - 1]);
}

#[test]
fn eighty_percent_intervals_cover_about_eighty_percent_of_later_counts() {
    let mut random = Random::new(99);
    let length = 120;
    let first = head_flow(&mut random, length);
    let second = downstream(&mut random, &first, 0.6, &[0.3, 0.5, 0.2], 400.0);
    let settings = ForecastSettings::monthly(3);
    let mut inside = 0;
    let mut total = 0;
    for origin in 60..(length - 3) {
        let history = [&first[..=origin], &second[..=origin]];
        let result = forecast_corridor(&history, &PropagationConfig::monthly(), &settings).unwrap();
        for step in &result.nodes[1].forecast.steps {
            let actual = second[origin + step.horizon];
            inside += usize::from((step.lower80..=step.upper80).contains(&actual));
            total += 1;
        }
    }
    let coverage = inside as f64 / total as f64;
    assert!(
        (0.65..=0.95).contains(&coverage),
        "80% intervals covered {coverage:.2} of {total} later counts"
    );
}

#[test]
fn every_model_answers_through_the_same_interface() {
    let mut random = Random::new(1);
    let first = head_flow(&mut random, 60);
    let second = downstream(&mut random, &first, 0.5, &[0.5, 0.5, 0.0], 100.0);
    let settings = ForecastSettings::monthly(3);
    for model in [
        Model::Propagation(PropagationConfig::monthly()),
        Model::Ets(EtsConfig::default()),
        Model::SeasonalNaive(SeasonalNaiveConfig::default()),
    ] {
        let result = forecast(&model, &[&first, &second], &settings).unwrap();
        assert_eq!(result.steps.len(), 3, "{}", model.name());
        for step in &result.steps {
            assert!(
                step.lower95 <= step.lower80
                    && step.lower80 <= step.mean
                    && step.mean <= step.upper80
                    && step.upper80 <= step.upper95,
                "{}: {step:?}",
                model.name()
            );
            assert!(step.lower95 >= 0.0);
        }
    }
}

#[test]
fn series_of_different_lengths_are_refused() {
    let short = [1.0; 20];
    let long = [1.0; 21];
    let error = forecast_corridor(
        &[&short, &long],
        &PropagationConfig::monthly(),
        &ForecastSettings::monthly(1),
    )
    .unwrap_err();
    assert_eq!(
        error,
        ForecastError::MisalignedNodes {
            node: 0,
            length: 20,
            expected: 21
        }
    );
}

#[test]
fn no_model_fails_or_returns_nonsense_on_any_count_series() {
    // Zeros, constants, single spikes, collapses to zero, huge counts and short histories:
    // every model either forecasts (finite, non-negative, nested intervals) or says the
    // history is too short.
    let mut random = Random::new(4242);
    let settings = ForecastSettings::monthly(3);
    let models = [
        Model::Propagation(PropagationConfig::monthly()),
        Model::Ets(EtsConfig::default()),
        Model::SeasonalNaive(SeasonalNaiveConfig::default()),
    ];
    for case in 0..300 {
        let length = 1 + (random.uniform() * 80.0) as usize;
        let kind = case % 6;
        let make = |random: &mut Random| -> Vec<f64> {
            (0..length)
                .map(|t| match kind {
                    0 => 0.0,
                    1 => 17.0,
                    2 => {
                        if t == length / 2 {
                            1.0e6
                        } else {
                            0.0
                        }
                    }
                    3 => {
                        if t < length / 2 {
                            random.poisson(5000.0)
                        } else {
                            0.0
                        }
                    }
                    4 => random.poisson(3.0),
                    _ => (random.uniform() * 1.0e9).round(),
                })
                .collect()
        };
        let upstream = make(&mut random);
        let target = make(&mut random);
        for model in &models {
            match forecast(model, &[&upstream, &target], &settings) {
                Ok(result) => {
                    assert_eq!(result.steps.len(), 3);
                    for step in &result.steps {
                        let values = [
                            step.lower95,
                            step.lower80,
                            step.mean,
                            step.upper80,
                            step.upper95,
                        ];
                        assert!(
                            values.iter().all(|v| v.is_finite() && *v >= 0.0)
                                && values.windows(2).all(|w| w[0] <= w[1]),
                            "{} on case {case} (length {length}): {step:?}",
                            model.name()
                        );
                    }
                }
                Err(ForecastError::TooShort { length: got, .. }) => assert_eq!(got, length),
                Err(other) => panic!("{} on case {case}: {other}", model.name()),
            }
        }
    }
}

#[test]
fn weekly_counts_recover_a_transit_of_about_four_weeks() {
    // "About four weeks to reach the southern border of Mexico": transit spread over weeks
    // 3 to 5, six in ten of those counted upstream counted again.
    let mut random = Random::new(2026);
    let length = 260;
    let upstream = head_flow_with(&mut random, length, &[40..52, 150..160, 200..206], 0.0);
    let transit = [0.0, 0.0, 0.0, 0.25, 0.5, 0.25, 0.0, 0.0, 0.0];
    let arriving = downstream(&mut random, &upstream, 0.6, &transit, 500.0);
    let result = forecast_corridor(
        &[&upstream, &arriving],
        &PropagationConfig::weekly(),
        &ForecastSettings::weekly(8),
    )
    .expect("five years of weeks are enough to fit");
    let leg = &result.legs[0];
    assert_eq!(leg.transit.len(), 9);
    assert_close("weekly continuation", leg.continuation, 0.6, 0.06);
    let mean_lag: f64 = leg
        .transit
        .iter()
        .enumerate()
        .map(|(l, share)| l as f64 * share)
        .sum();
    assert_close("mean transit in weeks", mean_lag, 4.0, 0.4);
    assert_eq!(result.nodes[1].forecast.steps.len(), 8);
}
