//! `corredor return case-ref` as a host country's operator runs it: the same number and key
//! give the same reference, the reference carries nothing of the number, and a weak or
//! malformed key file is refused with the file named.

use std::path::Path;
use std::process::{Command, Output};

fn corredor(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corredor"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the corredor binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn case_references_are_derived_locally_and_only_the_references_are_printed() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(
        dir.path().join("mexico.key"),
        "4f1c0a9e27b35d8c61f0a3b2c4d5e6f7\n08192a3b4c5d6e7f8091a2b3c4d5e6f7\n",
    )
    .expect("the key file is written");
    let args = [
        "return",
        "case-ref",
        "--country",
        "MEX",
        "--key-file",
        "mexico.key",
        "INM-TAP-2024-000187",
        "INM-TAP-2024-000188",
    ];
    let first = corredor(dir.path(), &args);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let lines: Vec<String> = text(&first.stdout).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2);
    for line in &lines {
        assert!(
            corredor_core::returns::CaseReference::parse(line).is_ok(),
            "{line}"
        );
        assert!(line.starts_with("MEX-"));
        assert!(!line.contains("000187") && !line.contains("INM"));
    }
    assert_ne!(lines[0], lines[1]);
    let again = corredor(dir.path(), &args);
    assert_eq!(text(&again.stdout), text(&first.stdout));
}

#[test]
fn a_short_or_malformed_key_file_is_refused_with_its_name() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("short.key"), "4f1c0a9e27b35d8c").expect("written");
    std::fs::write(dir.path().join("words.key"), "correct horse battery staple").expect("written");
    for (file, reason) in [
        ("short.key", "at least 32 bytes"),
        ("words.key", "hexadecimal"),
    ] {
        let output = corredor(
            dir.path(),
            &[
                "return",
                "case-ref",
                "--country",
                "MEX",
                "--key-file",
                file,
                "A-1",
            ],
        );
        assert_eq!(output.status.code(), Some(2));
        let stderr = text(&output.stderr);
        assert!(stderr.contains(file) && stderr.contains(reason), "{stderr}");
        assert!(output.stdout.is_empty());
    }
}
