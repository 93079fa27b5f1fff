//! Organisations, users, sign-in, sessions and API tokens.
//!
//! Passwords are hashed with argon2id; session ids and token secrets are random (256 bits)
//! and stored only as SHA-256 digests. Failed sign-ins are throttled per account name and per
//! client. Every change is authorised by `corredor_core::authorize` and audited by the store.

use chrono::{DateTime, Duration, Utc};
use corredor_core::{Caller, Organisation, OrganisationCode, Principal, Role};
use corredor_store::{Account, AuditEntry, AuditFilter, AuditVerification, StoredToken};
use serde::Serialize;

use crate::{App, AppError};

/// A user to add, with the password in clear (hashed before it is stored).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub name: String,
    pub display_name: String,
    pub organisation: OrganisationCode,
    pub role: Role,
    pub password: String,
}

/// A successful sign-in: the cookie's value (shown to the browser only), the form token
/// every form of the session must carry, and who signed in.
#[derive(Debug, Clone)]
pub struct OpenedSession {
    pub cookie_value: String,
    pub csrf_token: String,
    pub principal: Principal,
    pub expires_at: DateTime<Utc>,
}

/// A session found from its cookie.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentSession {
    pub principal: Principal,
    pub display_name: String,
    pub csrf_token: String,
}

/// A new token: its secret is shown once, here, and never again.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedToken {
    pub token: StoredToken,
    /// What a client sends as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// How long a session lasts without signing in again.
pub const SESSION_LENGTH: Duration = Duration::hours(12);
/// Failed sign-ins allowed per account name, and per client, within [`THROTTLE_WINDOW`].
pub const THROTTLE_FAILURES: usize = 20;
pub const THROTTLE_WINDOW: Duration = Duration::minutes(1);

impl App {
    /// Adds the member countries, the secretariat and the observer organisations corredor
    /// ships, when missing. Called for every new database.
    pub async fn install_organisations(&self) -> Result<(), AppError> {
        unimplemented!("accounts: install_organisations")
    }

    pub async fn organisations(&self) -> Result<Vec<Organisation>, AppError> {
        unimplemented!("accounts: organisations")
    }

    pub async fn put_organisation(
        &self,
        caller: &Caller,
        organisation: &Organisation,
    ) -> Result<(), AppError> {
        let _ = (caller, organisation);
        unimplemented!("accounts: put_organisation")
    }

    /// Adds a user after checking the caller may, the role fits the organisation and the
    /// password is long enough.
    pub async fn add_user(&self, caller: &Caller, user: &NewUser) -> Result<Account, AppError> {
        let _ = (caller, user);
        unimplemented!("accounts: add_user")
    }

    pub async fn users(
        &self,
        caller: &Caller,
        organisation: Option<&OrganisationCode>,
    ) -> Result<Vec<Account>, AppError> {
        let _ = (caller, organisation);
        unimplemented!("accounts: users")
    }

    pub async fn disable_user(&self, caller: &Caller, name: &str) -> Result<Account, AppError> {
        let _ = (caller, name);
        unimplemented!("accounts: disable_user")
    }

    /// Checks a name and password, throttling repeated failures (per name and per `client`,
    /// e.g. the remote address): [`AppError::Throttled`] once [`THROTTLE_FAILURES`] failed
    /// within [`THROTTLE_WINDOW`].
    pub async fn sign_in(
        &self,
        name: &str,
        password: &str,
        client: &str,
    ) -> Result<OpenedSession, AppError> {
        let _ = (name, password, client);
        unimplemented!("accounts: sign_in")
    }

    /// The session a cookie value opens, if it is open.
    pub async fn session(&self, cookie_value: &str) -> Result<Option<CurrentSession>, AppError> {
        let _ = cookie_value;
        unimplemented!("accounts: session")
    }

    pub async fn sign_out(&self, cookie_value: &str) -> Result<(), AppError> {
        let _ = cookie_value;
        unimplemented!("accounts: sign_out")
    }

    /// Creates a token for `organisation` in `role`, valid for `valid_for`.
    pub async fn create_token(
        &self,
        caller: &Caller,
        organisation: &OrganisationCode,
        role: Role,
        label: &str,
        valid_for: Duration,
    ) -> Result<CreatedToken, AppError> {
        let _ = (caller, organisation, role, label, valid_for);
        unimplemented!("accounts: create_token")
    }

    pub async fn revoke_token(&self, caller: &Caller, id: i64) -> Result<StoredToken, AppError> {
        let _ = (caller, id);
        unimplemented!("accounts: revoke_token")
    }

    pub async fn tokens(
        &self,
        caller: &Caller,
        organisation: Option<&OrganisationCode>,
    ) -> Result<Vec<StoredToken>, AppError> {
        let _ = (caller, organisation);
        unimplemented!("accounts: tokens")
    }

    /// The principal a bearer secret stands for: `None` when it is unknown, expired or
    /// revoked (checked on every request, so a revocation takes effect at once).
    pub async fn authenticate_token(&self, secret: &str) -> Result<Option<Principal>, AppError> {
        let _ = secret;
        unimplemented!("accounts: authenticate_token")
    }

    /// Audit entries the caller may read: the whole log for the secretariat, the entries
    /// about its own country's data for a country's focal point.
    pub async fn audit_entries(
        &self,
        caller: &Caller,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEntry>, AppError> {
        let _ = (caller, filter);
        unimplemented!("accounts: audit_entries")
    }

    pub async fn verify_audit(&self, caller: &Caller) -> Result<AuditVerification, AppError> {
        let _ = caller;
        unimplemented!("accounts: verify_audit")
    }
}
