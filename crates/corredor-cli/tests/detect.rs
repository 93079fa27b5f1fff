//! `corredor detect` as a user runs it: the built binary on the R `surveillance` reference
//! series, and on bad files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn reference(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../corredor-analytics/tests/data/surveillance")
        .join(name)
}

/// A fresh directory for one test (the crate has no temp-dir dependency; the process id and
/// the calling line keep parallel tests apart).
fn scratch_dir(line: u32) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("corredor-detect-{}-{line}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a writable temporary directory");
    dir
}

fn corredor(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_corredor"))
        .args(args)
        .output()
        .expect("the corredor binary runs")
}

/// `(series, period) -> (alarm, upperbound)` of a CSV with those columns.
fn alarms_and_bounds(path: &Path) -> BTreeMap<(String, String), (String, Option<f64>)> {
    let mut reader = csv::Reader::from_path(path).expect("readable output");
    let headers = reader.headers().expect("header").clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("column {name} in {}", path.display()))
    };
    let (alarm, upper) = (column("alarm"), column("upperbound"));
    reader
        .records()
        .map(|record| {
            let record = record.expect("well-formed row");
            (
                (record[0].to_owned(), record[1].to_owned()),
                (record[alarm].to_owned(), record[upper].parse().ok()),
            )
        })
        .collect()
}

fn check_against_r(algorithm: &str, extra: &[&str], expected: &str) {
    let dir = scratch_dir(line!());
    let output = dir.join("alarms.csv");
    let input = reference("series.csv");
    let mut args = vec![
        "detect",
        "--input",
        input.to_str().expect("utf-8 path"),
        "--algorithm",
        algorithm,
        "--frequency",
        "52",
        "--evaluate-last",
        "104",
        "--output",
        output.to_str().expect("utf-8 path"),
    ];
    args.extend_from_slice(extra);
    let run = corredor(&args);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let ours = alarms_and_bounds(&output);
    let theirs = alarms_and_bounds(&reference(expected));
    assert_eq!(ours.len(), theirs.len());
    for (key, (alarm, upper)) in &theirs {
        let (our_alarm, our_upper) = &ours[key];
        // R's NA alarm (EARS C3 where the bound is NA) is no alarm; we write false.
        let alarm = if alarm.is_empty() {
            "false"
        } else {
            alarm.as_str()
        };
        assert_eq!(our_alarm, alarm, "{key:?}");
        match (our_upper, upper) {
            (Some(a), Some(e)) => assert!(
                (a - e).abs() <= 1e-6 * e.abs().max(1.0),
                "{key:?}: {a} vs {e}"
            ),
            (a, e) => assert_eq!(a, e, "{key:?}"),
        }
    }
}

#[test]
fn farrington_flexible_on_the_reference_file_gives_the_alarms_of_r() {
    check_against_r(
        "farrington-flexible",
        &[
            "--no-periods",
            "10",
            "--past-weeks-not-included",
            "26",
            "--threshold-method",
            "nbplugin",
        ],
        "farrington-flexible.csv",
    );
}

#[test]
fn the_original_farrington_and_ears_on_the_reference_file_give_the_alarms_of_r() {
    check_against_r("farrington", &[], "farrington.csv");
    check_against_r("ears-c1", &[], "ears-c1.csv");
    check_against_r("ears-c3", &[], "ears-c3.csv");
}

#[test]
fn a_bad_file_is_refused_with_its_lines_and_nothing_is_written() {
    let dir = scratch_dir(line!());
    let input = dir.join("bad.csv");
    std::fs::write(
        &input,
        "series,period,count\nA,2023-W01,4\nA,2023-W02,-3\nA,2023-W03,2.5\nA,2023-W99,1\nA,2023-W01,5\n",
    )
    .expect("writable temp dir");
    let output = dir.join("alarms.csv");
    let run = corredor(&[
        "detect",
        "--input",
        input.to_str().expect("utf-8 path"),
        "--algorithm",
        "ears-c1",
        "--output",
        output.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    for line in [
        "bad.csv:3 [count]",
        "bad.csv:4 [count]",
        "bad.csv:5 [period]",
        "bad.csv:6 [period]",
    ] {
        assert!(stderr.contains(line), "{line} missing from:\n{stderr}");
    }
    assert!(!output.exists(), "nothing is written for a refused file");
}

#[test]
fn a_missing_column_is_named() {
    let dir = scratch_dir(line!());
    let input = dir.join("no-count.csv");
    std::fs::write(&input, "series,period,cases\nA,2023-01,4\n").expect("writable temp dir");
    let run = corredor(&[
        "detect",
        "--input",
        input.to_str().expect("utf-8 path"),
        "--algorithm",
        "farrington",
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("count"));
}
