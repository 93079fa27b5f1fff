//! corredor's HTTP face: the JSON API under `/api/v1` (with its OpenAPI document) and the
//! server-rendered pages. This is the only crate that knows HTTP; every handler is a thin
//! call into `corredor-app`.

// The OpenAPI document's schemas are one `json!` literal, deeper than the default limit.
#![recursion_limit = "256"]

mod api;
pub mod auth;
mod error;
mod openapi;
mod pages;
mod params;
pub mod render;
pub mod tls;

use std::net::SocketAddr;

use axum::http::{header, HeaderValue};
use axum::Router;
use corredor_app::App;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use api::{routes, Access, Route};
pub use openapi::document as openapi_document;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    /// Served over TLS: session cookies are marked `Secure`.
    pub secure_cookies: bool,
}

/// The whole web application: API, pages and static files, served over plain HTTP.
pub fn router(app: App) -> Router {
    router_with(app, false)
}

/// The whole web application served over TLS: session cookies are `Secure`.
pub fn secure_router(app: App) -> Router {
    router_with(app, true)
}

fn router_with(app: App, secure_cookies: bool) -> Router {
    let state = AppState {
        app,
        secure_cookies,
    };
    let mut router = Router::new();
    for route in api::routes() {
        router = router.route(route.path, route.handler);
    }
    router
        .merge(pages::routes())
        .with_state(state)
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'"),
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// Serves the application on `listener` until the process is stopped (Ctrl-C or SIGTERM).
pub async fn serve(app: App, listener: TcpListener) -> std::io::Result<()> {
    let address: SocketAddr = listener.local_addr()?;
    tracing::info!(%address, "serving");
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(tls::shutdown_signal())
    .await
}
