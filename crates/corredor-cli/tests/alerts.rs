//! `corredor alert import|list|cap` as an operator runs them on a fresh SQLite file: a
//! partner's CAP messages become an alert and its update, `list` prints one JSON object per
//! alert, `cap` prints the latest message, and a bad file among good ones imports nothing.

use std::path::Path;
use std::process::{Command, Output};

fn corredor(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corredor"))
        .current_dir(dir)
        .env("CORREDOR_DATABASE_URL", "sqlite://alerts.db")
        .args(args)
        .output()
        .expect("the corredor binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A message from Panama's migration service, with the update that follows it.
fn partner_messages(dir: &Path) -> (String, String) {
    let alert = r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>SNM-PA-2023-0914-001</identifier>
  <sender>alertas@migracion.gob.pa</sender>
  <sent>2023-09-14T07:30:00-05:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Private</scope>
  <addresses>CRI NIC</addresses>
  <info>
    <language>es-419</language>
    <category>Safety</category>
    <event>Flujo migratorio masivo</event>
    <urgency>Expected</urgency>
    <severity>Moderate</severity>
    <certainty>Observed</certainty>
    <headline>800 personas salen de San Vicente</headline>
    <description>Grupo de 800 personas, 200 niños, sale de la ERM San Vicente.</description>
    <parameter><valueName>estimated_people</valueName><value>800</value></parameter>
    <parameter><valueName>children</valueName><value>200</value></parameter>
    <area><areaDesc>ERM San Vicente, Metetí</areaDesc><circle>8.42,-78.06 5</circle></area>
  </info>
</alert>
"#;
    let update = alert
        .replace("-001<", "-002<")
        .replace("07:30:00", "15:00:00")
        .replace("<msgType>Alert", "<msgType>Update")
        .replace(
            "<addresses>CRI NIC</addresses>",
            "<addresses>CRI NIC</addresses>\n  <references>alertas@migracion.gob.pa,SNM-PA-2023-0914-001,2023-09-14T07:30:00-05:00</references>",
        )
        .replace("<value>800</value>", "<value>950</value>");
    std::fs::write(dir.join("alert.xml"), alert).unwrap();
    std::fs::write(dir.join("update.xml"), update).unwrap();
    ("alert.xml".to_owned(), "update.xml".to_owned())
}

#[test]
fn a_partners_messages_import_in_order_and_the_alert_lists_and_prints_as_cap() {
    let dir = tempfile::tempdir().unwrap();
    let (alert, update) = partner_messages(dir.path());
    let imported = corredor(
        dir.path(),
        &["alert", "import", "--country", "PAN", &alert, &update],
    );
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    let out = text(&imported.stdout);
    assert!(out.contains("alert.xml: alert 1 created"), "{out}");
    assert!(out.contains("update.xml: alert 1 updated"), "{out}");

    let listed = corredor(dir.path(), &["alert", "list"]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let lines: Vec<serde_json::Value> = text(&listed.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["id"], 1);
    assert_eq!(lines[0]["issuing_country"], "PAN");
    assert_eq!(lines[0]["state"], "active");
    assert_eq!(
        lines[0]["versions"][1]["content"]["composition"]["estimated_people"],
        950
    );

    let cap = corredor(dir.path(), &["alert", "cap", "1"]);
    assert!(cap.status.success(), "{}", text(&cap.stderr));
    let xml = text(&cap.stdout);
    assert!(xml.contains("<msgType>Update</msgType>"), "{xml}");
    assert!(
        xml.contains("<sender>corredor.pan@crmsv.org</sender>"),
        "{xml}"
    );
    assert!(xml.contains("<value>950</value>"), "{xml}");
    let missing = corredor(dir.path(), &["alert", "cap", "99"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("alert 99 not found"));
}

#[test]
fn a_bad_file_among_good_ones_imports_nothing_and_names_the_file_and_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (alert, _) = partner_messages(dir.path());
    std::fs::write(
        dir.path().join("hostile.xml"),
        r#"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><alert>&x;</alert>"#,
    )
    .unwrap();
    let refused = corredor(
        dir.path(),
        &["alert", "import", "--country", "PAN", &alert, "hostile.xml"],
    );
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stdout));
    let errors = text(&refused.stderr);
    assert!(errors.contains("hostile.xml"), "{errors}");
    assert!(errors.contains("nothing was imported"), "{errors}");
    let listed = corredor(dir.path(), &["alert", "list"]);
    assert_eq!(text(&listed.stdout), "", "no alert was written");
}
