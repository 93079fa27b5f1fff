//! Invariants of every detector on arbitrary series.

use corredor_analytics::detection::{
    ears, farrington, farrington_flexible, EarsConfig, EarsMethod, FarringtonConfig,
    FarringtonFlexibleConfig, Series, ThresholdMethod,
};
use proptest::prelude::*;

fn flexible_configs() -> Vec<FarringtonFlexibleConfig> {
    vec![
        FarringtonFlexibleConfig::default(),
        FarringtonFlexibleConfig::noufaily(),
        FarringtonFlexibleConfig {
            threshold_method: ThresholdMethod::Muan,
            b: 2,
            ..FarringtonFlexibleConfig::default()
        },
    ]
}

fn run_all(
    counts: &[f64],
    frequency: usize,
) -> Vec<(String, Vec<corredor_analytics::detection::Detection>)> {
    let series = Series::indexed(counts, frequency);
    let all = 0..counts.len();
    let mut results = Vec::new();
    for (i, config) in flexible_configs().iter().enumerate() {
        results.push((
            format!("farrington flexible {i}"),
            farrington_flexible(&series, config, all.clone()),
        ));
    }
    results.push((
        "farrington".to_owned(),
        farrington(&series, &FarringtonConfig::default(), all.clone()),
    ));
    for method in [EarsMethod::C1, EarsMethod::C2, EarsMethod::C3] {
        results.push((
            format!("{method:?}"),
            ears(&series, &EarsConfig::for_method(method), all.clone()),
        ));
    }
    results
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn no_detector_panics_on_any_finite_series(
        counts in prop::collection::vec(
            prop_oneof![0.0..5.0f64, 0.0..1e6f64, Just(0.0)].prop_map(f64::floor),
            0..80,
        ),
        frequency in prop_oneof![Just(12usize), Just(4usize)],
    ) {
        for (name, detections) in run_all(&counts, frequency) {
            prop_assert_eq!(detections.len(), counts.len(), "{}", name);
            for d in &detections {
                if let Some(upper) = d.upper_bound {
                    prop_assert!(!upper.is_nan(), "{}", name);
                }
            }
        }
    }

    #[test]
    fn a_constant_series_never_alarms(level in 0u32..500, frequency in prop_oneof![Just(12usize), Just(4usize)]) {
        let counts = vec![f64::from(level); 90];
        for (name, detections) in run_all(&counts, frequency) {
            prop_assert!(detections.iter().all(|d| !d.alarm), "{} alarms on constant {}", name, level);
        }
    }
}
