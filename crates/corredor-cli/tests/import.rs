//! `corredor import` and `corredor export` as a user runs them.

use std::path::Path;
use std::process::{Command, Output};

fn corredor(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corredor"))
        .current_dir(dir)
        .env_remove("CORREDOR_DATABASE_URL")
        .args(args)
        .output()
        .expect("the corredor binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const HONDURAS: &str = "\
period,measure,nationality,sex,age_group,value,source
2023-08,irregular_entry,,,,80917,INM Honduras
2023-08,irregular_entry,VEN,,,38521,INM Honduras
2023-08,irregular_entry,HTI,,,9870,INM Honduras
2023-08,irregular_entry,,f,18+,17410,INM Honduras
";

#[test]
fn an_import_is_all_or_nothing_and_a_second_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("honduras.csv"), HONDURAS).unwrap();
    let bad = HONDURAS.replace("9870", "nine thousand").replace(
        "2023-08,irregular_entry,,f",
        "2023-08,irregular_entry,,female",
    );
    std::fs::write(dir.path().join("bad.csv"), bad).unwrap();

    // The database and reference data are created on first use; a refused file writes nothing.
    let refused = corredor(dir.path(), &["import", "--country", "HND", "bad.csv"]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    let errors = text(&refused.stderr);
    assert!(
        errors.contains("bad.csv:4") && errors.contains("bad.csv:5"),
        "every bad line is named: {errors}"
    );
    assert!(errors.contains("nothing was written"), "{errors}");

    let first = corredor(dir.path(), &["import", "--country", "HND", "honduras.csv"]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(
        text(&first.stdout).contains("4 new"),
        "{}",
        text(&first.stdout)
    );
    let second = corredor(dir.path(), &["import", "--country", "HND", "honduras.csv"]);
    assert!(
        text(&second.stdout).contains("0 new, 0 revised, 4 unchanged"),
        "{}",
        text(&second.stdout)
    );

    let exported = corredor(
        dir.path(),
        &["export", "--format", "csv", "--country", "HND"],
    );
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    let csv = text(&exported.stdout);
    assert_eq!(
        csv.lines().count(),
        5,
        "a header and the four values: {csv}"
    );
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .starts_with("country,period,place,measure"),
        "{csv}"
    );

    std::fs::write(dir.path().join("export.csv"), &csv).unwrap();
    let restored = corredor(
        dir.path(),
        &[
            "import",
            "--database-url",
            "sqlite://restored.db",
            "export.csv",
        ],
    );
    assert!(restored.status.success(), "{}", text(&restored.stderr));
    let again = corredor(
        dir.path(),
        &[
            "export",
            "--database-url",
            "sqlite://restored.db",
            "--format",
            "csv",
        ],
    );
    assert_eq!(
        text(&again.stdout),
        csv,
        "export → import → export is the identity"
    );
}

#[test]
fn a_database_url_of_an_unknown_kind_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = corredor(
        dir.path(),
        &["export", "--database-url", "mysql://localhost/corredor"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("mysql"),
        "{}",
        text(&output.stderr)
    );
}
