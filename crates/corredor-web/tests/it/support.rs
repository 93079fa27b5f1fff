use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use chrono::{TimeZone, Utc};
use corredor_app::store::Store;
use corredor_app::{App, FixedClock, ImportRequest, NewUser};
use corredor_core::{Caller, CountryCode, OrganisationCode, Role};
use corredor_exchange::observations::Format;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// A fresh application on its own SQLite file, with the shipped reference data, at a fixed
/// time (24 November 2026).
#[derive(Clone)]
pub struct TestApp {
    pub app: App,
    pub router: Router,
    /// The API token every request is sent with; `None` for an anonymous reader.
    pub bearer: Option<String>,
    _dir: Arc<tempfile::TempDir>,
}

/// Who a test's requests come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Anonymous,
    /// The secretariat's administrator (organisation `RCM`).
    Administrator,
    FocalPoint(&'static str),
    Analyst(&'static str),
    /// An observer of IOM.
    Observer,
}

impl Who {
    pub fn organisation_and_role(self) -> Option<(&'static str, Role)> {
        match self {
            Who::Anonymous => None,
            Who::Administrator => Some(("RCM", Role::Administrator)),
            Who::FocalPoint(country) => Some((country, Role::FocalPoint)),
            Who::Analyst(country) => Some((country, Role::Analyst)),
            Who::Observer => Some(("IOM", Role::Observer)),
        }
    }
}

/// Monthly irregular entries reported by Panama in 2023 (Darién, SNM figures), by nationality
/// with the totals, as a country would send them.
pub const PANAMA_2023: &str = "\
period,place,measure,nationality,value,source
2023-06,,irregular_entry,,42210,SNM Panamá
2023-06,,irregular_entry,VEN,24389,SNM Panamá
2023-06,,irregular_entry,ECU,6074,SNM Panamá
2023-06,,irregular_entry,HTI,4210,SNM Panamá
2023-07,,irregular_entry,,55598,SNM Panamá
2023-07,,irregular_entry,VEN,37140,SNM Panamá
2023-07,,irregular_entry,ECU,5931,SNM Panamá
2023-07,,irregular_entry,HTI,3936,SNM Panamá
2023-08,,irregular_entry,,81946,SNM Panamá
2023-08,,irregular_entry,VEN,57862,SNM Panamá
2023-08,,irregular_entry,ECU,6498,SNM Panamá
2023-08,,irregular_entry,HTI,5105,SNM Panamá
";

impl TestApp {
    pub async fn new() -> TestApp {
        let dir = tempfile::tempdir().expect("a temporary directory can be created");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = Store::connect(&url)
            .await
            .expect("a fresh SQLite database opens");
        let clock = FixedClock(Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap());
        let app = App::new(store, Arc::new(clock));
        app.install_reference_data()
            .await
            .expect("the shipped reference data installs");
        app.install_organisations()
            .await
            .expect("the shipped organisations install");
        let router = corredor_web::router(app.clone());
        let test = TestApp {
            app,
            router,
            bearer: None,
            _dir: Arc::new(dir),
        };
        // Panama's focal point by default: a member, who reads what members share and
        // reports Panama's data.
        test.as_(Who::FocalPoint("PAN")).await
    }

    /// The same database and caller, with the application changed by `change` (another
    /// setting) and the router rebuilt on it.
    pub fn reconfigured(&self, change: impl FnOnce(App) -> App) -> TestApp {
        let app = change(self.app.clone());
        TestApp {
            router: corredor_web::router(app.clone()),
            app,
            ..self.clone()
        }
    }

    /// The same application, with requests sent as `who` (a new API token for the role).
    pub async fn as_(&self, who: Who) -> TestApp {
        let bearer = match who.organisation_and_role() {
            None => None,
            Some((organisation, role)) => Some(
                self.app
                    .create_token(
                        &Caller::System,
                        &OrganisationCode::parse(organisation).unwrap(),
                        role,
                        &format!("test {who:?}"),
                        chrono::Duration::days(30),
                    )
                    .await
                    .expect("a token is created")
                    .secret,
            ),
        };
        TestApp {
            bearer,
            ..self.clone()
        }
    }

    pub async fn with_panama() -> TestApp {
        let test = TestApp::new().await;
        let request = ImportRequest {
            country: Some(CountryCode::parse("PAN").unwrap()),
            format: Format::Csv,
            caller: &corredor_core::Caller::System,
            on_behalf_of: Some("test"),
        };
        test.app
            .import(request, "panama-2023.csv", PANAMA_2023.as_bytes())
            .await
            .expect("the Panama file imports");
        test
    }

    pub async fn request(
        &self,
        method: &str,
        uri: &str,
        body: Option<(&str, &str)>,
    ) -> (StatusCode, String) {
        let mut builder = Request::builder().method(method).uri(uri);
        if let Some(secret) = &self.bearer {
            builder = builder.header("authorization", format!("Bearer {secret}"));
        }
        let body = match body {
            Some((content_type, text)) => {
                builder = builder.header("content-type", content_type);
                Body::from(text.to_owned())
            }
            None => Body::empty(),
        };
        let response = self
            .router
            .clone()
            .oneshot(builder.body(body).unwrap())
            .await
            .expect("the router answers");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("the body is readable")
            .to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The status of a request whose body is not read (an event stream).
    pub async fn status_only(&self, method: &str, uri: &str) -> StatusCode {
        let mut builder = Request::builder().method(method).uri(uri);
        if let Some(secret) = &self.bearer {
            builder = builder.header("authorization", format!("Bearer {secret}"));
        }
        self.router
            .clone()
            .oneshot(builder.body(Body::empty()).unwrap())
            .await
            .expect("the router answers")
            .status()
    }

    pub async fn get(&self, uri: &str) -> (StatusCode, String) {
        self.request("GET", uri, None).await
    }

    pub async fn get_json(&self, uri: &str) -> (StatusCode, serde_json::Value) {
        let (status, body) = self.get(uri).await;
        let json = serde_json::from_str(&body)
            .unwrap_or_else(|error| panic!("{uri} answered non-JSON ({error}): {body}"));
        (status, json)
    }

    pub async fn observation_count(&self) -> u64 {
        self.app
            .store()
            .count_observations()
            .await
            .expect("observations can be counted")
    }
}

impl TestApp {
    /// GET `uri` with one extra header; returns the body.
    pub async fn request_with_header(&self, uri: &str, name: &str, value: &str) -> String {
        let mut request = Request::builder().uri(uri).header(name, value);
        if let Some(secret) = &self.bearer {
            request = request.header("authorization", format!("Bearer {secret}"));
        }
        let request = request.body(Body::empty()).unwrap();
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("the body is readable")
            .to_bytes();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// The password of the users the page tests sign in with.
const PASSWORD: &str = "focal point password 2026";

/// A user of `organisation` signed in: the session cookie and its form token.
pub async fn signed_in(test: &TestApp, organisation: &str, name: &str) -> (String, String) {
    test.app
        .add_user(
            &Caller::System,
            &NewUser {
                name: name.to_owned(),
                display_name: format!("Focal point {organisation}"),
                organisation: OrganisationCode::parse(organisation).unwrap(),
                role: Role::FocalPoint,
                password: PASSWORD.to_owned(),
            },
        )
        .await
        .expect("the user is added");
    let session = test
        .app
        .sign_in(name, PASSWORD, "test")
        .await
        .expect("the user signs in");
    (session.cookie_value, session.csrf_token)
}

/// A request with the session cookie (no API token), and what came back.
pub async fn send(
    test: &TestApp,
    method: &str,
    uri: &str,
    session: &str,
    form: Option<&[(&str, &str)]>,
) -> (StatusCode, HeaderMap, String) {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, format!("corredor_session={session}"));
    let body = match form {
        Some(fields) => {
            builder = builder.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(
                form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(fields)
                    .finish(),
            )
        }
        None => Body::empty(),
    };
    let response = test
        .router
        .clone()
        .oneshot(builder.body(body).unwrap())
        .await
        .expect("the router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}
