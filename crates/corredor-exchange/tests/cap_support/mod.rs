//! What the CAP tests share: the valid examples, where the test data are, and the check of a
//! message against the OASIS schema with xmllint.
//!
//! xmllint comes from Debian's `libxml2-utils` (CI installs it). Without it the schema checks
//! say so and pass, unless `CI` is set, where a missing xmllint is a failure.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The CAP 1.2 examples that are valid against the schema and the specification.
pub const VALID_EXAMPLES: &[&str] = &[
    "v1dot2_appendix_adot1.xml",
    "v1dot2_appendix_adot2.xml",
    "v1dot2_appendix_adot3.xml",
    "v1dot2_appendix_adot4.xml",
    "google-PAAQ-4-mg5a94.xml",
    "ipaws-5e6dd964023f1930ef638846.xml",
    "ipaws-5e6dd9de023f1930ef6548d9.xml",
    "ipaws-5e6ddbad023f1930ef6c1a5a.xml",
    "ipaws-5e7e0fc5023f1930efcf3deb.xml",
    "ipaws-5ea321f39fc226a7b44b6874.xml",
    "australia.cap",
    "canada.cap",
    "canada_signed.cap",
    "earthquake-iso8859-1.cap",
    "wcatwc-warning.cap",
    "43b080713727.cap",
    "thunderstorm.cap",
];

pub fn data(name: &str) -> PathBuf {
    [env!("CARGO_MANIFEST_DIR"), "tests", "data", "cap", name]
        .iter()
        .collect()
}

pub fn xmllint_available() -> bool {
    if Path::new("/usr/bin/xmllint").exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must install Debian's libxml2-utils (xmllint) for the CAP schema checks"
    );
    eprintln!(
        "CAP schema checks not run: /usr/bin/xmllint is missing (apt-get install libxml2-utils)"
    );
    false
}

/// Validates `xml` against the copied OASIS schema; `Err` holds xmllint's complaint.
pub fn schema_check(xml: &str) -> Result<(), String> {
    let mut child = Command::new("/usr/bin/xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(data("CAP-v1.2.xsd"))
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xmllint starts");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(xml.as_bytes())
        .expect("xmllint reads the message");
    let output = child.wait_with_output().expect("xmllint finishes");
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}
