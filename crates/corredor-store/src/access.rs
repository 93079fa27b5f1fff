//! Organisations, accounts, sessions, API tokens and sharing policies.
//!
//! Secrets never reach this crate in clear: passwords arrive hashed (argon2id, by the app),
//! session ids and token secrets as SHA-256 digests, so a copy of the database opens nothing.

use chrono::{DateTime, Utc};
use corredor_core::{Organisation, OrganisationCode, OrganisationKind, Role, SharingPolicy};
use serde::Serialize;

use crate::{Store, StoreError};

/// A user to add. `password_hash` is a PHC string (argon2id), never a password.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub name: String,
    pub display_name: String,
    pub organisation: OrganisationCode,
    pub role: Role,
    pub password_hash: String,
}

/// A stored user, with its organisation's kind so a principal can be built without a second
/// query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub display_name: String,
    pub organisation: OrganisationCode,
    pub organisation_kind: OrganisationKind,
    pub role: Role,
    #[serde(skip)]
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

/// A session to open: `id_hash` is the SHA-256 (hex) of the cookie's value.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id_hash: String,
    pub account: String,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// An open session and whose it is.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSession {
    pub account: Account,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// An API token to create: `secret_hash` is the SHA-256 (hex) of its secret.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub organisation: OrganisationCode,
    pub role: Role,
    pub label: String,
    pub secret_hash: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A stored API token (never its secret).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredToken {
    pub id: i64,
    pub organisation: OrganisationCode,
    pub organisation_kind: OrganisationKind,
    pub role: Role,
    pub label: String,
    #[serde(skip)]
    pub secret_hash: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Adds an organisation, or changes its name and kind; audited with before and after.
    pub async fn put_organisation(&self, organisation: &Organisation) -> Result<(), StoreError> {
        let _ = organisation;
        unimplemented!("store access: put_organisation")
    }

    /// Every organisation, by code.
    pub async fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        unimplemented!("store access: organisations")
    }

    pub async fn organisation(&self, code: &OrganisationCode) -> Result<Organisation, StoreError> {
        let _ = code;
        unimplemented!("store access: organisation")
    }

    /// Adds a user; [`StoreError::Conflict`] when the name is taken, [`StoreError::NotFound`]
    /// when the organisation is unknown. Audited (never with the password hash).
    pub async fn add_account(&self, account: &NewAccount) -> Result<Account, StoreError> {
        let _ = account;
        unimplemented!("store access: add_account")
    }

    /// Users, by name; only those of `organisation` when given.
    pub async fn accounts(
        &self,
        organisation: Option<&OrganisationCode>,
    ) -> Result<Vec<Account>, StoreError> {
        let _ = organisation;
        unimplemented!("store access: accounts")
    }

    pub async fn account(&self, name: &str) -> Result<Account, StoreError> {
        let _ = name;
        unimplemented!("store access: account")
    }

    /// Disables a user and ends every session it has; audited. Disabling twice keeps the
    /// first time.
    pub async fn disable_account(
        &self,
        name: &str,
        at: DateTime<Utc>,
    ) -> Result<Account, StoreError> {
        let _ = (name, at);
        unimplemented!("store access: disable_account")
    }

    pub async fn create_session(&self, session: &NewSession) -> Result<(), StoreError> {
        let _ = session;
        unimplemented!("store access: create_session")
    }

    /// The session whose id hashes to `id_hash`, if it exists, has not expired at `now` and
    /// its account is not disabled.
    pub async fn session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredSession>, StoreError> {
        let _ = (id_hash, now);
        unimplemented!("store access: session")
    }

    /// Ends a session (sign-out); ending an unknown session is not an error.
    pub async fn end_session(&self, id_hash: &str) -> Result<(), StoreError> {
        let _ = id_hash;
        unimplemented!("store access: end_session")
    }

    /// Creates a token; audited (never with its secret hash).
    pub async fn create_token(&self, token: &NewToken) -> Result<StoredToken, StoreError> {
        let _ = token;
        unimplemented!("store access: create_token")
    }

    pub async fn token(&self, id: i64) -> Result<StoredToken, StoreError> {
        let _ = id;
        unimplemented!("store access: token")
    }

    /// Tokens (revoked and expired included), newest first; only `organisation`'s when given.
    pub async fn tokens(
        &self,
        organisation: Option<&OrganisationCode>,
    ) -> Result<Vec<StoredToken>, StoreError> {
        let _ = organisation;
        unimplemented!("store access: tokens")
    }

    /// Revokes a token; audited. Revoking twice keeps the first time.
    pub async fn revoke_token(
        &self,
        id: i64,
        at: DateTime<Utc>,
    ) -> Result<StoredToken, StoreError> {
        let _ = (id, at);
        unimplemented!("store access: revoke_token")
    }

    /// Sets a country's sharing level for a measure; audited with before and after.
    pub async fn put_sharing_policy(&self, policy: &SharingPolicy) -> Result<(), StoreError> {
        let _ = policy;
        unimplemented!("store access: put_sharing_policy")
    }

    /// Every sharing choice countries made (a pair without one has the default level).
    pub async fn sharing_policies(&self) -> Result<Vec<SharingPolicy>, StoreError> {
        unimplemented!("store access: sharing_policies")
    }
}
