//! The pages in a real browser: headless Chromium loads the situational picture served on a
//! loopback port and we read the DOM it built and the screenshot it drew.
//!
//! Chromium comes from Debian's `chromium` package (`.ci/run` installs it). Without it the
//! test says so and passes, unless `CI` is set, where a missing browser is a failure.

use std::path::Path;
use std::process::Command;

use crate::support::TestApp;

const CHROMIUM: &str = "/usr/bin/chromium";

fn chromium_available() -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must install Debian's chromium for the browser tests"
    );
    eprintln!("browser tests not run: {CHROMIUM} is not installed (apt-get install chromium)");
    false
}

/// Runs headless Chromium on `url` with `extra` arguments and returns its standard output.
fn chromium(url: &str, extra: &[&str]) -> String {
    let profile = tempfile::tempdir().expect("a temporary profile directory");
    let output = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

async fn serve(test: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port is free");
    let address = listener.local_addr().expect("the listener has an address");
    let router = test.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_situational_picture_renders_in_chromium_in_both_languages() {
    if !chromium_available() {
        return;
    }
    let test = TestApp::with_panama().await;
    // The browser is not signed in: it sees what Panama publishes.
    let (status, body) = test
        .request(
            "PUT",
            "/api/v1/sharing/PAN/irregular_entry",
            Some(("application/json", r#"{"level": "public"}"#)),
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::OK, "{body}");
    let base = serve(&test).await;
    for (lang, title, heading) in [
        (
            "en",
            "Situational picture of the corridor",
            "Irregular entries in Panama, by nationality",
        ),
        (
            "es",
            "Panorama situacional del corredor",
            "Ingresos irregulares en Panamá, por nacionalidad",
        ),
    ] {
        let url = format!("{base}/?lang={lang}");
        let dom = tokio::task::spawn_blocking(move || chromium(&url, &["--dump-dom"]))
            .await
            .unwrap();
        assert!(
            dom.contains(&format!("<html lang=\"{lang}\"")),
            "{lang}: no lang attribute in {}",
            &dom[..dom.len().min(300)]
        );
        assert!(dom.contains(title), "{lang}: title missing");
        assert!(dom.contains(heading), "{lang}: trend heading missing");
        assert!(dom.contains("<svg"), "{lang}: no SVG chart or map");
        assert!(dom.contains("role=\"img\""), "{lang}: SVG without role=img");
        assert!(!dom.contains("<script"), "{lang}: pages use no JavaScript");
        // Panama's August 2023 Venezuelans appear in the table under the chart.
        let august = if lang == "en" {
            "57,862"
        } else {
            "57\u{202F}862"
        };
        assert!(
            dom.contains(august),
            "{lang}: the latest Venezuelan count is not shown"
        );
    }

    let shot_dir = tempfile::tempdir().unwrap();
    let shot = shot_dir.path().join("picture.png");
    let argument = format!("--screenshot={}", shot.display());
    let url = format!("{base}/?lang=es");
    tokio::task::spawn_blocking(move || chromium(&url, &[&argument, "--window-size=1280,2000"]))
        .await
        .unwrap();
    let png = std::fs::read(&shot).expect("chromium wrote the screenshot");
    assert_eq!(&png[1..4], b"PNG");
    assert!(
        png.len() > 20_000,
        "the screenshot is suspiciously small ({} bytes): blank page?",
        png.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_page_is_a_translated_404_in_chromium() {
    if !chromium_available() {
        return;
    }
    let test = TestApp::new().await;
    let base = serve(&test).await;
    let url = format!("{base}/no-such-page?lang=es");
    let dom = tokio::task::spawn_blocking(move || chromium(&url, &["--dump-dom"]))
        .await
        .unwrap();
    assert!(
        dom.contains("Página no encontrada"),
        "{}",
        &dom[..dom.len().min(500)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_page_renders_in_chromium_in_both_languages_and_hides_unshared_data() {
    if !chromium_available() {
        return;
    }
    let test = TestApp::with_panama().await;
    let base = serve(&test).await;
    for (lang, heading, password) in [
        ("en", "Sign in", "Password"),
        ("es", "Iniciar sesión", "Contraseña"),
    ] {
        let url = format!("{base}/sign-in?lang={lang}&next=/signals");
        let dom = tokio::task::spawn_blocking(move || chromium(&url, &["--dump-dom"]))
            .await
            .unwrap();
        assert!(
            dom.contains(&format!("<h1>{heading}</h1>")),
            "{lang}: {dom}"
        );
        assert!(dom.contains(&format!(">{password}</label>")), "{lang}");
        assert!(dom.contains("autocomplete=\"current-password\""));
        assert!(
            dom.contains("name=\"csrf\""),
            "{lang}: the form carries its token"
        );
        assert!(
            dom.contains("value=\"/signals\""),
            "{lang}: comes back to the page asked"
        );
    }
    // Panama shares its entries with members only (the default): a reader who is not signed
    // in sees the picture without them, and a link to sign in.
    let url = format!("{base}/?lang=en");
    let dom = tokio::task::spawn_blocking(move || chromium(&url, &["--dump-dom"]))
        .await
        .unwrap();
    assert!(
        !dom.contains("57,862"),
        "members-only data shown to a reader not signed in"
    );
    assert!(dom.contains("href=\"/sign-in?lang=en"), "no sign-in link");
}
