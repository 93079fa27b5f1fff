//! `corredor user`, `corredor token`, `corredor audit` and `corredor serve --tls-*` as an
//! operator runs them, on a fresh SQLite file.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use corredor_app::App;

fn corredor(dir: &Path, args: &[&str]) -> Output {
    corredor_with_input(dir, args, "")
}

fn corredor_with_input(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_corredor"))
        .current_dir(dir)
        .env("CORREDOR_DATABASE_URL", "sqlite://access.db")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the corredor binary runs");
    child
        .stdin
        .take()
        .expect("standard input is piped")
        .write_all(input.as_bytes())
        .expect("the input is written");
    child.wait_with_output().expect("corredor finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The application on the test's database file, to check what the commands wrote.
fn app(dir: &Path) -> (tokio::runtime::Runtime, App) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime starts");
    let url = format!("sqlite://{}", dir.join("access.db").display());
    let app = runtime
        .block_on(App::connect(&url))
        .expect("the database the commands made opens");
    (runtime, app)
}

#[test]
fn users_are_added_listed_and_disabled_and_a_generated_password_signs_in() {
    let dir = tempfile::tempdir().unwrap();
    let added = corredor(
        dir.path(),
        &[
            "user",
            "add",
            "--name",
            "pan.focal",
            "--organisation",
            "PAN",
            "--role",
            "focal_point",
            "--display-name",
            "Ana Pérez",
        ],
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    let out = text(&added.stdout);
    let password = out
        .lines()
        .find_map(|line| line.strip_prefix("password: "))
        .unwrap_or_else(|| panic!("the generated password is printed: {out}"))
        .to_owned();
    assert_eq!(password.len(), 20);
    assert!(out.contains("will not be shown again"), "{out}");

    let from_stdin = corredor_with_input(
        dir.path(),
        &[
            "user",
            "add",
            "--name",
            "gtm.analyst",
            "--organisation",
            "gtm",
            "--role",
            "analyst",
            "--password-stdin",
        ],
        "una contraseña larga\n",
    );
    assert!(from_stdin.status.success(), "{}", text(&from_stdin.stderr));
    assert!(!text(&from_stdin.stdout).contains("password:"));

    let refused = corredor(
        dir.path(),
        &[
            "user",
            "add",
            "--name",
            "Pan Admin",
            "--organisation",
            "PAN",
            "--role",
            "administrator",
        ],
    );
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    let errors = text(&refused.stderr);
    assert!(
        errors.contains("[name]") && errors.contains("[role]"),
        "{errors}"
    );
    let taken = corredor(
        dir.path(),
        &[
            "user",
            "add",
            "--name",
            "pan.focal",
            "--organisation",
            "PAN",
            "--role",
            "analyst",
        ],
    );
    assert_eq!(taken.status.code(), Some(2));
    assert!(text(&taken.stderr).contains("already exists"));

    let (runtime, app) = app(dir.path());
    let session = runtime
        .block_on(app.sign_in("pan.focal", &password, "test"))
        .expect("the printed password signs in");
    assert_eq!(session.principal.organisation.as_str(), "PAN");
    assert!(runtime
        .block_on(app.sign_in("gtm.analyst", "una contraseña larga", "test"))
        .is_ok());

    let disabled = corredor(dir.path(), &["user", "disable", "gtm.analyst"]);
    assert!(disabled.status.success(), "{}", text(&disabled.stderr));
    let listed = text(&corredor(dir.path(), &["user", "list"]).stdout);
    let gtm_line = listed
        .lines()
        .find(|line| line.starts_with("gtm.analyst"))
        .unwrap_or_else(|| panic!("{listed}"));
    assert!(gtm_line.contains("disabled"), "{gtm_line}");
    assert!(
        listed.contains("Ana Pérez") && listed.contains("2 user(s)"),
        "{listed}"
    );
    let panama = text(&corredor(dir.path(), &["user", "list", "--organisation", "PAN"]).stdout);
    assert!(
        panama.contains("1 user(s)") && !panama.contains("gtm.analyst"),
        "{panama}"
    );
    assert!(runtime
        .block_on(app.sign_in("gtm.analyst", "una contraseña larga", "test"))
        .is_err());
    let unknown = corredor(dir.path(), &["user", "disable", "nobody"]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn a_token_secret_is_shown_once_and_stops_working_when_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let created = corredor(
        dir.path(),
        &[
            "token",
            "create",
            "--organisation",
            "PAN",
            "--role",
            "analyst",
            "--label",
            "SNM nightly upload",
            "--days",
            "30",
        ],
    );
    assert!(created.status.success(), "{}", text(&created.stderr));
    let out = text(&created.stdout);
    let secret = out
        .lines()
        .find(|line| line.starts_with("crd_"))
        .unwrap_or_else(|| panic!("the secret is printed: {out}"))
        .to_owned();
    assert!(out.contains("cannot show it again"), "{out}");

    let (runtime, app) = app(dir.path());
    let principal = runtime
        .block_on(app.authenticate_token(&secret))
        .unwrap()
        .expect("the printed secret authenticates");
    assert_eq!(principal.role.code(), "analyst");
    let id = principal
        .name
        .strip_prefix("token:")
        .expect("a token's principal is named token:<id>")
        .to_owned();

    let listed = text(&corredor(dir.path(), &["token", "list"]).stdout);
    assert!(
        listed.contains("SNM nightly upload") && listed.contains("active"),
        "{listed}"
    );
    assert!(
        !listed.contains(&secret[6..]),
        "the list never shows a secret"
    );

    let revoked = corredor(dir.path(), &["token", "revoke", &id]);
    assert!(revoked.status.success(), "{}", text(&revoked.stderr));
    assert_eq!(
        runtime.block_on(app.authenticate_token(&secret)).unwrap(),
        None
    );
    let listed = text(&corredor(dir.path(), &["token", "list", "--organisation", "PAN"]).stdout);
    assert!(listed.contains("revoked"), "{listed}");

    let unknown = corredor(dir.path(), &["token", "revoke", "999"]);
    assert_eq!(unknown.status.code(), Some(2));
    let wrong_role = corredor(
        dir.path(),
        &[
            "token",
            "create",
            "--organisation",
            "IOM",
            "--role",
            "analyst",
            "--label",
            "x",
        ],
    );
    assert_eq!(wrong_role.status.code(), Some(2));
    assert!(text(&wrong_role.stderr).contains("[role]"));
}

#[test]
fn the_audit_log_verifies_until_a_row_is_changed_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let organisations = text(&corredor(dir.path(), &["organisation", "list"]).stdout);
    for code in ["PAN", "GTM", "RCM", "IOM", "UNHCR"] {
        assert!(organisations.contains(code), "{organisations}");
    }
    corredor(
        dir.path(),
        &[
            "token",
            "create",
            "--organisation",
            "GTM",
            "--role",
            "focal_point",
            "--label",
            "sync",
        ],
    );
    let intact = corredor(dir.path(), &["audit", "verify"]);
    assert!(intact.status.success(), "{}", text(&intact.stderr));
    let out = text(&intact.stdout);
    assert!(out.starts_with("audit log intact: "), "{out}");

    let listed = text(&corredor(dir.path(), &["audit", "list", "--country", "GTM"]).stdout);
    let token_line = listed
        .lines()
        .find(|line| line.contains("create_token"))
        .unwrap_or_else(|| panic!("{listed}"));
    let id: i64 = token_line
        .split_whitespace()
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("the line starts with the entry's id: {token_line}"));
    assert!(
        listed
            .lines()
            .filter(|line| line.contains("put_organisation"))
            .count()
            == 1
    );

    // Someone with the database file rewrites who created the token.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        use sqlx::Connection;
        let url = format!("sqlite://{}", dir.path().join("access.db").display());
        let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
        let changed = sqlx::query("UPDATE audit_entry SET actor = 'rcm.admin' WHERE id = ?")
            .bind(id)
            .execute(&mut connection)
            .await
            .unwrap();
        assert_eq!(changed.rows_affected(), 1);
        connection.close().await.unwrap();
    });

    let broken = corredor(dir.path(), &["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(3), "{}", text(&broken.stderr));
    let out = text(&broken.stdout);
    assert!(
        out.starts_with(&format!("audit log broken at entry {id}: ")),
        "{out}"
    );
}

#[test]
fn serve_refuses_a_missing_or_unreadable_certificate_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("key.pem"), "not a key").unwrap();
    let missing = corredor(
        dir.path(),
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            "absent.pem",
            "--tls-key",
            "key.pem",
        ],
    );
    assert_eq!(missing.status.code(), Some(2));
    let errors = text(&missing.stderr);
    assert!(
        errors.contains("absent.pem") && errors.contains("certificate"),
        "{errors}"
    );

    let alone = corredor(
        dir.path(),
        &["serve", "--listen", "127.0.0.1:0", "--tls-cert", "cert.pem"],
    );
    assert_eq!(
        alone.status.code(),
        Some(2),
        "clap refuses a certificate without its key"
    );
    assert!(
        text(&alone.stderr).contains("--tls-key"),
        "{}",
        text(&alone.stderr)
    );
}

/// `corredor` with the database at `url`.
fn corredor_at(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corredor"))
        .env("CORREDOR_DATABASE_URL", url)
        .args(args)
        .output()
        .expect("the corredor binary runs")
}

#[test]
fn on_postgresql_too_a_row_changed_by_hand_breaks_the_audit_log_at_that_entry() {
    // CI sets TEST_DATABASE_URL (scripts/postgres.sh); without a server there is nothing to run.
    let Ok(server) = std::env::var("TEST_DATABASE_URL") else {
        eprintln!("not run: TEST_DATABASE_URL names no PostgreSQL server");
        return;
    };
    use sqlx::Connection;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let name = format!("corredor_cli_audit_{}", std::process::id());
    let (scheme, rest) = server.split_once("://").expect("a postgres:// URL");
    let authority = rest.split('/').next().unwrap_or(rest);
    let url = format!("{scheme}://{authority}/{name}");
    runtime.block_on(async {
        let mut admin = sqlx::PgConnection::connect(&server).await.unwrap();
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        admin.close().await.unwrap();
    });

    let created = corredor_at(
        &url,
        &[
            "token",
            "create",
            "--organisation",
            "PAN",
            "--role",
            "analyst",
            "--label",
            "sync",
        ],
    );
    assert!(created.status.success(), "{}", text(&created.stderr));
    let intact = corredor_at(&url, &["audit", "verify"]);
    assert!(intact.status.success(), "{}", text(&intact.stderr));
    assert!(text(&intact.stdout).starts_with("audit log intact: "));

    let id: i64 = runtime.block_on(async {
        let mut connection = sqlx::PgConnection::connect(&url).await.unwrap();
        let (id,): (i64,) = sqlx::query_as(
            "SELECT id FROM audit_entry WHERE action = 'create_token' ORDER BY id LIMIT 1",
        )
        .fetch_one(&mut connection)
        .await
        .unwrap();
        let changed = sqlx::query("UPDATE audit_entry SET organisation = 'GTM' WHERE id = $1")
            .bind(id)
            .execute(&mut connection)
            .await
            .unwrap();
        assert_eq!(changed.rows_affected(), 1);
        connection.close().await.unwrap();
        id
    });
    let broken = corredor_at(&url, &["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(3), "{}", text(&broken.stderr));
    let out = text(&broken.stdout);
    assert!(
        out.starts_with(&format!("audit log broken at entry {id}: ")),
        "{out}"
    );

    // Best effort: a database left behind (an autovacuum worker still in it) is dropped by
    // the next run, which starts with the same statement.
    runtime.block_on(async {
        let mut admin = sqlx::PgConnection::connect(&server).await.unwrap();
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await;
        admin.close().await.ok();
    });
}
