//! `corredor backtest` run as a user runs it: the built binary on the committed real chain.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn chain_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/backtest/northbound-monthly-by-nationality.csv")
}

/// A fresh scratch directory per test, so tests running at once never share files.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("corredor-backtest-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the temporary directory is writable");
    dir
}

fn corredor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corredor"))
        .args(args)
        .output()
        .expect("the corredor binary runs")
}

/// The count of `series` at `period` in the committed chain file.
fn count_in_chain(series: &str, period: &str) -> String {
    let text = std::fs::read_to_string(chain_file()).expect("the chain file is committed");
    text.lines()
        .find_map(|line| {
            let mut fields = line.split(',');
            (fields.next() == Some(series) && fields.next() == Some(period))
                .then(|| fields.next().expect("three columns").to_owned())
        })
        .unwrap_or_else(|| panic!("{series} {period} is in the chain file"))
}

#[test]
fn a_backtest_of_the_real_chain_writes_every_forecast_and_prints_the_scores() {
    let dir = scratch("real");
    let output = dir.join("out.csv");
    let input = chain_file();
    let run = corredor(&[
        "backtest",
        "--input",
        input.to_str().expect("a UTF-8 path"),
        "--target",
        "HND:VEN",
        "--upstream",
        "PAN:VEN",
        "--horizon",
        "2",
        "--origins",
        "2023-01..2023-06",
        "--model",
        "all",
        "--output",
        output.to_str().expect("a UTF-8 path"),
    ]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let written = std::fs::read_to_string(&output).expect("the output is written");
    let mut lines = written.lines();
    assert_eq!(
        lines.next(),
        Some("origin,horizon,model,forecast,lower80,upper80,lower95,upper95,actual")
    );
    let rows: Vec<Vec<&str>> = lines.map(|line| line.split(',').collect()).collect();
    assert_eq!(rows.len(), 6 * 2 * 3, "6 origins x 2 horizons x 3 models");
    for model in ["propagation", "ets", "snaive"] {
        assert_eq!(rows.iter().filter(|r| r[2] == model).count(), 12);
    }
    // The actual of origin 2023-03, horizon 2, is the count of May 2023.
    let may = rows
        .iter()
        .find(|r| r[0] == "2023-03" && r[1] == "2" && r[2] == "snaive")
        .expect("a row for origin 2023-03, horizon 2");
    assert_eq!(may[8], count_in_chain("HND:VEN", "2023-05"));
    // Seasonal naive forecasts the same month a year earlier.
    assert_eq!(
        may[3],
        format!("{}.0", count_in_chain("HND:VEN", "2022-05"))
    );
    for row in &rows {
        let numbers: Vec<f64> = row[3..8]
            .iter()
            .map(|v| v.parse().expect("a number"))
            .collect();
        assert!(
            numbers[3] <= numbers[1] && numbers[1] <= numbers[0] && numbers[0] <= numbers[2],
            "intervals nest around the forecast: {row:?}"
        );
    }
    for model in ["propagation", "ets", "snaive"] {
        assert!(
            stdout.lines().any(|line| line.starts_with(model)),
            "a score line for {model} in:\n{stdout}"
        );
    }
    assert!(
        stdout.contains("MASE") && stdout.contains("cover80"),
        "{stdout}"
    );
}

#[test]
fn a_bad_input_is_refused_with_its_line_and_nothing_is_written() {
    let dir = scratch("bad");
    let input = dir.join("bad.csv");
    std::fs::write(
        &input,
        "series,period,count\nPAN:VEN,2023-01,10\nPAN:VEN,2023-02,many\nPAN:VEN,2023-13,4\n",
    )
    .expect("the temporary directory is writable");
    let output = dir.join("out.csv");
    let run = corredor(&[
        "backtest",
        "--input",
        input.to_str().expect("a UTF-8 path"),
        "--target",
        "PAN:VEN",
        "--origins",
        "2023-01..2023-02",
        "--output",
        output.to_str().expect("a UTF-8 path"),
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bad.csv:3 [count]"), "{stderr}");
    assert!(stderr.contains("bad.csv:4 [period]"), "{stderr}");
    assert!(!output.exists(), "nothing is written for a refused input");
}

#[test]
fn an_unknown_series_is_refused_by_name() {
    let dir = scratch("unknown");
    let output = dir.join("out.csv");
    let input = chain_file();
    let run = corredor(&[
        "backtest",
        "--input",
        input.to_str().expect("a UTF-8 path"),
        "--target",
        "HND:XXX",
        "--origins",
        "2023-01..2023-06",
        "--output",
        output.to_str().expect("a UTF-8 path"),
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`HND:XXX` is not in the file"), "{stderr}");
    assert!(!output.exists());
}
