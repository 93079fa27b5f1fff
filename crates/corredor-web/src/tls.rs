//! HTTPS: the same application as [`crate::serve`], behind rustls, with `Secure` session
//! cookies ([`crate::secure_router`]).
//!
//! A ministry's server is reached over networks nobody in the RCM controls, so sign-in
//! passwords, session cookies and bearer tokens travel only inside TLS there. Plain HTTP stays
//! for loopback (a reverse proxy in front, or the demo on a laptop). The certificate and key
//! are read once at start-up, as PEM, and every problem names the file it is in.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum_server::tls_rustls::RustlsConfig;
use axum_server::Handle;
use corredor_app::App;
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// How long requests in flight may take to finish once a stop is asked for.
const GRACE: Duration = Duration::from_secs(10);

/// Why the certificate or key could not be used: always names the file.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the TLS certificate {}: {source}", path.display())]
    UnreadableCertificate { path: PathBuf, source: io::Error },
    #[error("cannot read the TLS key {}: {source}", path.display())]
    UnreadableKey { path: PathBuf, source: io::Error },
    #[error("{} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----): {reason}", path.display())]
    InvalidCertificate { path: PathBuf, reason: String },
    #[error("{} holds no PEM private key (expected -----BEGIN PRIVATE KEY-----, RSA or EC): {reason}", path.display())]
    InvalidKey { path: PathBuf, reason: String },
    #[error("the key {} does not fit the certificate {}: {reason}", key.display(), certificate.display())]
    Mismatch {
        certificate: PathBuf,
        key: PathBuf,
        reason: String,
    },
}

impl From<TlsError> for io::Error {
    fn from(error: TlsError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidInput, error)
    }
}

/// The rustls configuration of a PEM certificate chain (leaf first) and its private key.
pub fn server_config(certificate: &Path, key: &Path) -> Result<ServerConfig, TlsError> {
    let chain_pem =
        std::fs::read(certificate).map_err(|source| TlsError::UnreadableCertificate {
            path: certificate.to_owned(),
            source,
        })?;
    let key_pem = std::fs::read(key).map_err(|source| TlsError::UnreadableKey {
        path: key.to_owned(),
        source,
    })?;
    let chain = CertificateDer::pem_slice_iter(&chain_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| TlsError::InvalidCertificate {
            path: certificate.to_owned(),
            reason: error.to_string(),
        })?;
    if chain.is_empty() {
        return Err(TlsError::InvalidCertificate {
            path: certificate.to_owned(),
            reason: "the file has no certificate section".to_owned(),
        });
    }
    let private_key =
        PrivateKeyDer::from_pem_slice(&key_pem).map_err(|error| TlsError::InvalidKey {
            path: key.to_owned(),
            reason: error.to_string(),
        })?;
    // The provider is named rather than taken from a process default, so no other crate's
    // choice of provider can change (or break) what this server offers.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| TlsError::Mismatch {
            certificate: certificate.to_owned(),
            key: key.to_owned(),
            reason: error.to_string(),
        })?
        .with_no_client_auth()
        .with_single_cert(chain, private_key)
        .map_err(|error| TlsError::Mismatch {
            certificate: certificate.to_owned(),
            key: key.to_owned(),
            reason: error.to_string(),
        })?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Serves the application over HTTPS on `listener` until the process is stopped (Ctrl-C or
/// SIGTERM), letting requests in flight finish. The certificate and key are checked before
/// the first connection is accepted, so a bad file stops the start, not a request.
pub async fn serve_tls(
    app: App,
    listener: tokio::net::TcpListener,
    certificate: &Path,
    key: &Path,
) -> io::Result<()> {
    let config = server_config(certificate, key)?;
    serve_tls_with(app, listener, Arc::new(config), shutdown_signal()).await
}

/// [`serve_tls`] with the configuration given and a stop of the caller's choosing (tests
/// stop the server without signals).
pub async fn serve_tls_with(
    app: App,
    listener: tokio::net::TcpListener,
    config: Arc<ServerConfig>,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let address: SocketAddr = listener.local_addr()?;
    tracing::info!(%address, "serving over TLS");
    let handle = Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        stop.await;
        stopper.graceful_shutdown(Some(GRACE));
    });
    axum_server::from_tcp_rustls(listener.into_std()?, RustlsConfig::from_config(config))
        .handle(handle)
        .serve(crate::secure_router(app).into_make_service())
        .await
}

/// Whether an address is reachable only from this machine, where plain HTTP is acceptable.
pub fn is_loopback(address: SocketAddr) -> bool {
    address.ip().is_loopback()
}

/// Resolves on Ctrl-C or SIGTERM: the stop [`serve_tls`] and [`crate::serve`] wait for.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use corredor_app::store::Store;
    use corredor_app::{App, SystemClock};
    use rustls::pki_types::ServerName;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// A certificate for `localhost`, signed by itself, written as PEM files.
    struct SelfSigned {
        dir: tempfile::TempDir,
        certificate_der: CertificateDer<'static>,
    }

    impl SelfSigned {
        fn new() -> SelfSigned {
            let generated = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
                .expect("rcgen makes a self-signed certificate");
            let dir = tempfile::tempdir().expect("a temporary directory can be created");
            std::fs::write(dir.path().join("cert.pem"), generated.cert.pem())
                .expect("the certificate is written");
            std::fs::write(
                dir.path().join("key.pem"),
                generated.key_pair.serialize_pem(),
            )
            .expect("the key is written");
            SelfSigned {
                certificate_der: generated.cert.der().clone(),
                dir,
            }
        }

        fn certificate(&self) -> PathBuf {
            self.dir.path().join("cert.pem")
        }

        fn key(&self) -> PathBuf {
            self.dir.path().join("key.pem")
        }
    }

    async fn reference_app(dir: &Path) -> App {
        let url = format!("sqlite://{}", dir.join("tls.db").display());
        let store = Store::connect(&url)
            .await
            .expect("a fresh SQLite database opens");
        let app = App::new(store, Arc::new(SystemClock));
        app.install_reference_data()
            .await
            .expect("the shipped reference data installs");
        app
    }

    /// One HTTP/1.1 GET over TLS, trusting only `trusted`; the whole response as text.
    async fn get_over_tls(
        address: SocketAddr,
        trusted: CertificateDer<'static>,
        path: &str,
    ) -> io::Result<String> {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(trusted)
            .expect("the self-signed certificate is a valid trust anchor");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let tcp = tokio::net::TcpStream::connect(address).await?;
        let name = ServerName::try_from("localhost").expect("localhost is a valid server name");
        let mut stream = connector.connect(name, tcp).await?;
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut response = Vec::new();
        match stream.read_to_end(&mut response).await {
            Ok(_) => {}
            // A server may close the connection without TLS's close_notify after a
            // `Connection: close` response; what was read is the whole response.
            Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => {}
            Err(error) => return Err(error),
        }
        Ok(String::from_utf8_lossy(&response).into_owned())
    }

    #[tokio::test]
    async fn the_application_answers_over_https_with_the_configured_certificate_and_secure_cookies()
    {
        let certificate = SelfSigned::new();
        let app = reference_app(certificate.dir.path()).await;
        let config = server_config(&certificate.certificate(), &certificate.key())
            .expect("the generated PEM files make a server configuration");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port is free");
        let address = listener
            .local_addr()
            .expect("a bound listener has an address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve_tls_with(app, listener, Arc::new(config), async {
            let _ = stopped.await;
        }));

        let response = get_over_tls(
            address,
            certificate.certificate_der.clone(),
            "/api/v1/countries",
        )
        .await
        .expect("the TLS handshake succeeds and the server answers");
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        assert!(response.contains("\"PAN\""), "{response}");
        assert!(response.contains("Panam"), "{response}");

        // Cookies set over TLS never travel over plain HTTP.
        let sign_in = get_over_tls(address, certificate.certificate_der.clone(), "/sign-in")
            .await
            .expect("the sign-in page answers over TLS");
        let cookie = sign_in
            .lines()
            .find(|line| line.to_ascii_lowercase().starts_with("set-cookie:"))
            .unwrap_or_else(|| panic!("the sign-in form sets its form cookie: {sign_in}"));
        assert!(cookie.contains("; Secure"), "{cookie}");

        // A client that does not trust the certificate is refused at the handshake.
        let stranger = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
            .expect("rcgen makes a self-signed certificate");
        let refused = get_over_tls(address, stranger.cert.der().clone(), "/api/v1/countries").await;
        assert!(refused.is_err(), "{refused:?}");

        stop.send(()).expect("the server is still running");
        server
            .await
            .expect("the server task does not panic")
            .expect("the server stops cleanly");
    }

    #[test]
    fn a_missing_certificate_or_key_is_named_in_the_error() {
        let certificate = SelfSigned::new();
        let missing = certificate.dir.path().join("missing.pem");
        let error = server_config(&missing, &certificate.key())
            .expect_err("a missing certificate is refused")
            .to_string();
        assert!(
            error.contains("certificate") && error.contains("missing.pem"),
            "{error}"
        );
        let error = server_config(&certificate.certificate(), &missing)
            .expect_err("a missing key is refused")
            .to_string();
        assert!(
            error.contains("key") && error.contains("missing.pem"),
            "{error}"
        );
    }

    #[test]
    fn files_that_are_not_pem_or_do_not_match_are_refused_with_their_names() {
        let certificate = SelfSigned::new();
        let garbage = certificate.dir.path().join("garbage.pem");
        std::fs::write(&garbage, "not a certificate\n").expect("the file is written");
        let error = server_config(&garbage, &certificate.key())
            .expect_err("a file without a certificate is refused")
            .to_string();
        assert!(
            error.contains("garbage.pem") && error.contains("no PEM certificate"),
            "{error}"
        );
        // The certificate file holds no private key.
        let error = server_config(&certificate.certificate(), &certificate.certificate())
            .expect_err("a certificate is not a key")
            .to_string();
        assert!(
            error.contains("cert.pem") && error.contains("private key"),
            "{error}"
        );
        // Another pair's key does not fit this certificate.
        let other = SelfSigned::new();
        let error = server_config(&certificate.certificate(), &other.key())
            .expect_err("a key of another certificate is refused")
            .to_string();
        assert!(error.contains("does not fit"), "{error}");
    }

    #[test]
    fn only_loopback_addresses_count_as_local() {
        assert!(is_loopback("127.0.0.1:8080".parse().expect("an address")));
        assert!(is_loopback("[::1]:8080".parse().expect("an address")));
        assert!(!is_loopback("0.0.0.0:8080".parse().expect("an address")));
        assert!(!is_loopback(
            "192.168.1.10:443".parse().expect("an address")
        ));
    }
}
