//! Organisations, accounts, sessions, API tokens and sharing policies.
//!
//! Secrets never reach this crate in clear: passwords arrive hashed (argon2id, by the app),
//! session ids and token secrets as SHA-256 digests, so a copy of the database opens nothing.

use chrono::{DateTime, SubsecRound, Utc};
use corredor_core::{
    CountryCode, Measure, Organisation, OrganisationCode, OrganisationKind, Role, SharingLevel,
    SharingPolicy,
};
use serde::Serialize;
use serde_json::json;

use crate::audit::{push_timestamp, NewAuditEntry, Tx};
use crate::reference::country_code;
use crate::sql::{Param, RowAccess, Sql};
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
        let mut tx = self.begin_audited().await?;
        let before = organisation_in(&mut tx, &organisation.code).await?;
        let mut sql = tx.sql("INSERT INTO organisation (code, name, kind, country) VALUES ");
        sql.bind_list([
            Param::Text(organisation.code.to_string()),
            Param::Text(organisation.name.clone()),
            Param::Text(organisation.kind.code().to_owned()),
            Param::OptionalText(organisation.kind.country().map(|c| c.to_string())),
        ]);
        sql.push(
            " ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
             country = excluded.country",
        );
        tx.execute(sql).await?;
        tx.audit(
            self.actor(),
            &NewAuditEntry {
                action: "put_organisation".to_owned(),
                subject: format!("organisation:{}", organisation.code),
                country: organisation.kind.country(),
                before: before.as_ref().map(to_value).transpose()?,
                after: Some(to_value(organisation)?),
            },
        )
        .await?;
        tx.commit().await
    }

    /// Every organisation, by code.
    pub async fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        let sql = self.sql(&format!("{ORGANISATION_COLUMNS} ORDER BY code"));
        self.fetch(sql, organisation_from_row).await
    }

    pub async fn organisation(&self, code: &OrganisationCode) -> Result<Organisation, StoreError> {
        let mut sql = self.sql(&format!("{ORGANISATION_COLUMNS} WHERE code = "));
        sql.bind(Param::Text(code.to_string()));
        self.fetch(sql, organisation_from_row)
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(format!("organisation `{code}`")))
    }

    /// Adds a user; [`StoreError::Conflict`] when the name is taken, [`StoreError::NotFound`]
    /// when the organisation is unknown. Audited (never with the password hash).
    pub async fn add_account(&self, account: &NewAccount) -> Result<Account, StoreError> {
        let mut tx = self.begin_audited().await?;
        let organisation = organisation_in(&mut tx, &account.organisation)
            .await?
            .ok_or_else(|| {
                StoreError::not_found(format!("organisation `{}`", account.organisation))
            })?;
        let created_at = Utc::now().trunc_subsecs(6);
        let backend = tx.backend();
        let mut sql = tx.sql(
            "INSERT INTO account (name, display_name, organisation, role, password_hash, \
             created_at) VALUES (",
        );
        for param in [
            Param::Text(account.name.clone()),
            Param::Text(account.display_name.clone()),
            Param::Text(account.organisation.to_string()),
            Param::Text(account.role.code().to_owned()),
            Param::Text(account.password_hash.clone()),
        ] {
            sql.bind(param);
            sql.push(", ");
        }
        push_timestamp(&mut sql, backend, created_at);
        sql.push(") RETURNING id");
        let id = tx
            .fetch(sql, |row| row.integer(0))
            .await?
            .pop()
            .ok_or_else(|| StoreError::Backend("the new account's id was not returned".into()))?;
        let stored = Account {
            id,
            name: account.name.clone(),
            display_name: account.display_name.clone(),
            organisation: account.organisation.clone(),
            organisation_kind: organisation.kind,
            role: account.role,
            password_hash: account.password_hash.clone(),
            created_at,
            disabled_at: None,
        };
        tx.audit(
            self.actor(),
            &NewAuditEntry {
                action: "add_account".to_owned(),
                subject: format!("account:{}", account.name),
                country: organisation.kind.country(),
                before: None,
                // `Account` never serialises its password hash.
                after: Some(to_value(&stored)?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Users, by name; only those of `organisation` when given.
    pub async fn accounts(
        &self,
        organisation: Option<&OrganisationCode>,
    ) -> Result<Vec<Account>, StoreError> {
        let mut sql = self.sql(&format!("{ACCOUNT_SELECT} {ACCOUNT_FROM} WHERE 1 = 1"));
        if let Some(organisation) = organisation {
            sql.push(" AND a.organisation = ");
            sql.bind(Param::Text(organisation.to_string()));
        }
        sql.push(" ORDER BY a.name");
        self.fetch(sql, |row| account_from_row(row, 0)).await
    }

    pub async fn account(&self, name: &str) -> Result<Account, StoreError> {
        let mut sql = self.sql(&format!("{ACCOUNT_SELECT} {ACCOUNT_FROM} WHERE a.name = "));
        sql.bind(Param::Text(name.to_owned()));
        self.fetch(sql, |row| account_from_row(row, 0))
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(format!("account `{name}`")))
    }

    /// Disables a user and ends every session it has; audited. Disabling twice keeps the
    /// first time.
    pub async fn disable_account(
        &self,
        name: &str,
        at: DateTime<Utc>,
    ) -> Result<Account, StoreError> {
        let mut tx = self.begin_audited().await?;
        let before = account_in(&mut tx, name).await?;
        let backend = tx.backend();
        let mut disable = tx.sql("UPDATE account SET disabled_at = COALESCE(disabled_at, ");
        push_timestamp(&mut disable, backend, at.trunc_subsecs(6));
        disable.push(") WHERE id = ");
        disable.bind(Param::Integer(before.id));
        tx.execute(disable).await?;
        let mut sessions = tx.sql("DELETE FROM session WHERE account = ");
        sessions.bind(Param::Integer(before.id));
        tx.execute(sessions).await?;
        let after = account_in(&mut tx, name).await?;
        tx.audit(
            self.actor(),
            &NewAuditEntry {
                action: "disable_account".to_owned(),
                subject: format!("account:{name}"),
                country: after.organisation_kind.country(),
                before: Some(json!({ "disabled_at": before.disabled_at })),
                after: Some(json!({ "disabled_at": after.disabled_at })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Opens a session for a stored account ([`StoreError::NotFound`] otherwise). Not
    /// audited: a session is not data.
    pub async fn create_session(&self, session: &NewSession) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let backend = tx.backend();
        let mut sql = tx.sql(
            "INSERT INTO session (id_hash, account, csrf_token, created_at, expires_at) SELECT ",
        );
        sql.bind(Param::Text(session.id_hash.clone()));
        sql.push(", a.id, ");
        sql.bind(Param::Text(session.csrf_token.clone()));
        sql.push(", ");
        push_timestamp(&mut sql, backend, session.created_at.trunc_subsecs(6));
        sql.push(", ");
        push_timestamp(&mut sql, backend, session.expires_at.trunc_subsecs(6));
        sql.push(" FROM account a WHERE a.name = ");
        sql.bind(Param::Text(session.account.clone()));
        if tx.execute(sql).await? != 1 {
            return Err(StoreError::not_found(format!(
                "account `{}`",
                session.account
            )));
        }
        tx.commit().await
    }

    /// The session whose id hashes to `id_hash`, if it exists, has not expired at `now` and
    /// its account is not disabled.
    pub async fn session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredSession>, StoreError> {
        let mut sql = self.sql(&format!(
            "{ACCOUNT_SELECT}, s.csrf_token, s.created_at, s.expires_at FROM session s \
             JOIN account a ON a.id = s.account JOIN organisation o ON o.code = a.organisation \
             WHERE a.disabled_at IS NULL AND s.id_hash = "
        ));
        sql.bind(Param::Text(id_hash.to_owned()));
        sql.push(" AND s.expires_at > ");
        push_timestamp(&mut sql, self.backend(), now);
        let mut sessions = self
            .fetch(sql, |row| {
                Ok(StoredSession {
                    account: account_from_row(row, 0)?,
                    csrf_token: row.text(ACCOUNT_WIDTH)?,
                    created_at: row.timestamp(ACCOUNT_WIDTH + 1)?,
                    expires_at: row.timestamp(ACCOUNT_WIDTH + 2)?,
                })
            })
            .await?;
        Ok(sessions.pop())
    }

    /// Ends a session (sign-out); ending an unknown session is not an error.
    pub async fn end_session(&self, id_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut sql = tx.sql("DELETE FROM session WHERE id_hash = ");
        sql.bind(Param::Text(id_hash.to_owned()));
        tx.execute(sql).await?;
        tx.commit().await
    }

    /// Creates a token; audited (never with its secret hash).
    pub async fn create_token(&self, token: &NewToken) -> Result<StoredToken, StoreError> {
        let mut tx = self.begin_audited().await?;
        let organisation = organisation_in(&mut tx, &token.organisation)
            .await?
            .ok_or_else(|| {
                StoreError::not_found(format!("organisation `{}`", token.organisation))
            })?;
        let backend = tx.backend();
        let mut sql = tx.sql(
            "INSERT INTO api_token (organisation, role, label, secret_hash, created_by, \
             created_at, expires_at) VALUES (",
        );
        for param in [
            Param::Text(token.organisation.to_string()),
            Param::Text(token.role.code().to_owned()),
            Param::Text(token.label.clone()),
            Param::Text(token.secret_hash.clone()),
            Param::Text(token.created_by.clone()),
        ] {
            sql.bind(param);
            sql.push(", ");
        }
        push_timestamp(&mut sql, backend, token.created_at.trunc_subsecs(6));
        sql.push(", ");
        push_timestamp(&mut sql, backend, token.expires_at.trunc_subsecs(6));
        sql.push(") RETURNING id");
        let id = tx
            .fetch(sql, |row| row.integer(0))
            .await?
            .pop()
            .ok_or_else(|| StoreError::Backend("the new token's id was not returned".into()))?;
        let stored = StoredToken {
            id,
            organisation: token.organisation.clone(),
            organisation_kind: organisation.kind,
            role: token.role,
            label: token.label.clone(),
            secret_hash: token.secret_hash.clone(),
            created_by: token.created_by.clone(),
            created_at: token.created_at.trunc_subsecs(6),
            expires_at: token.expires_at.trunc_subsecs(6),
            revoked_at: None,
        };
        tx.audit(
            self.actor(),
            &NewAuditEntry {
                action: "create_token".to_owned(),
                subject: format!("token:{id}"),
                country: organisation.kind.country(),
                before: None,
                // `StoredToken` never serialises its secret hash.
                after: Some(to_value(&stored)?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(stored)
    }

    pub async fn token(&self, id: i64) -> Result<StoredToken, StoreError> {
        let mut sql = self.sql(&format!("{TOKEN_COLUMNS} WHERE t.id = "));
        sql.bind(Param::Integer(id));
        self.fetch(sql, token_from_row)
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(format!("token {id}")))
    }

    /// Tokens (revoked and expired included), newest first; only `organisation`'s when given.
    pub async fn tokens(
        &self,
        organisation: Option<&OrganisationCode>,
    ) -> Result<Vec<StoredToken>, StoreError> {
        let mut sql = self.sql(&format!("{TOKEN_COLUMNS} WHERE 1 = 1"));
        if let Some(organisation) = organisation {
            sql.push(" AND t.organisation = ");
            sql.bind(Param::Text(organisation.to_string()));
        }
        sql.push(" ORDER BY t.created_at DESC, t.id DESC");
        self.fetch(sql, token_from_row).await
    }

    /// Revokes a token; audited. Revoking twice keeps the first time.
    pub async fn revoke_token(
        &self,
        id: i64,
        at: DateTime<Utc>,
    ) -> Result<StoredToken, StoreError> {
        let mut tx = self.begin_audited().await?;
        let before = token_in(&mut tx, id).await?;
        let backend = tx.backend();
        let mut sql = tx.sql("UPDATE api_token SET revoked_at = COALESCE(revoked_at, ");
        push_timestamp(&mut sql, backend, at.trunc_subsecs(6));
        sql.push(") WHERE id = ");
        sql.bind(Param::Integer(id));
        tx.execute(sql).await?;
        let after = token_in(&mut tx, id).await?;
        tx.audit(
            self.actor(),
            &NewAuditEntry {
                action: "revoke_token".to_owned(),
                subject: format!("token:{id}"),
                country: after.organisation_kind.country(),
                before: Some(json!({ "revoked_at": before.revoked_at })),
                after: Some(json!({ "revoked_at": after.revoked_at })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Sets a country's sharing level for a measure; audited with before and after.
    pub async fn put_sharing_policy(&self, policy: &SharingPolicy) -> Result<(), StoreError> {
        let mut tx = self.begin_audited().await?;
        let mut old = tx.sql(&format!("{POLICY_COLUMNS} WHERE country = "));
        old.bind(Param::Text(policy.country.to_string()));
        old.push(" AND measure = ");
        old.bind(Param::Text(policy.measure.code().to_owned()));
        let before = tx.fetch(old, policy_from_row).await?.pop();
        let (level, members) = level_columns(&policy.level);
        let mut sql =
            tx.sql("INSERT INTO sharing_policy (country, measure, level, members) VALUES ");
        sql.bind_list([
            Param::Text(policy.country.to_string()),
            Param::Text(policy.measure.code().to_owned()),
            Param::Text(level.to_owned()),
            Param::Text(members),
        ]);
        sql.push(
            " ON CONFLICT (country, measure) DO UPDATE SET level = excluded.level, \
             members = excluded.members",
        );
        tx.execute(sql).await?;
        tx.audit(
            self.actor(),
            &NewAuditEntry {
                action: "put_sharing_policy".to_owned(),
                subject: format!("sharing:{}:{}", policy.country, policy.measure.code()),
                country: Some(policy.country),
                before: before.as_ref().map(to_value).transpose()?,
                after: Some(to_value(policy)?),
            },
        )
        .await?;
        tx.commit().await
    }

    /// Every sharing choice countries made (a pair without one has the default level).
    pub async fn sharing_policies(&self) -> Result<Vec<SharingPolicy>, StoreError> {
        let sql = self.sql(&format!("{POLICY_COLUMNS} ORDER BY country, measure"));
        self.fetch(sql, policy_from_row).await
    }
}

const ORGANISATION_COLUMNS: &str = "SELECT code, name, kind, country FROM organisation";

/// An account's columns with its organisation's kind; the last two say whether it is
/// disabled (the row access has no optional timestamp, so a missing time reads as
/// `created_at` and the flag tells).
const ACCOUNT_SELECT: &str = "SELECT a.id, a.name, a.display_name, a.organisation, o.kind, \
    o.country, a.role, a.password_hash, a.created_at, \
    CASE WHEN a.disabled_at IS NULL THEN 1 ELSE 0 END, COALESCE(a.disabled_at, a.created_at)";
const ACCOUNT_WIDTH: usize = 11;
const ACCOUNT_FROM: &str = "FROM account a JOIN organisation o ON o.code = a.organisation";

const TOKEN_COLUMNS: &str = "SELECT t.id, t.organisation, o.kind, o.country, t.role, t.label, \
    t.secret_hash, t.created_by, t.created_at, t.expires_at, \
    CASE WHEN t.revoked_at IS NULL THEN 1 ELSE 0 END, COALESCE(t.revoked_at, t.created_at) \
    FROM api_token t JOIN organisation o ON o.code = t.organisation";

const POLICY_COLUMNS: &str = "SELECT country, measure, level, members FROM sharing_policy";

async fn organisation_in(
    tx: &mut Tx,
    code: &OrganisationCode,
) -> Result<Option<Organisation>, StoreError> {
    let mut sql = tx.sql(&format!("{ORGANISATION_COLUMNS} WHERE code = "));
    sql.bind(Param::Text(code.to_string()));
    Ok(tx.fetch(sql, organisation_from_row).await?.pop())
}

async fn account_in(tx: &mut Tx, name: &str) -> Result<Account, StoreError> {
    let mut sql: Sql = tx.sql(&format!("{ACCOUNT_SELECT} {ACCOUNT_FROM} WHERE a.name = "));
    sql.bind(Param::Text(name.to_owned()));
    tx.fetch(sql, |row| account_from_row(row, 0))
        .await?
        .pop()
        .ok_or_else(|| StoreError::not_found(format!("account `{name}`")))
}

async fn token_in(tx: &mut Tx, id: i64) -> Result<StoredToken, StoreError> {
    let mut sql = tx.sql(&format!("{TOKEN_COLUMNS} WHERE t.id = "));
    sql.bind(Param::Integer(id));
    tx.fetch(sql, token_from_row)
        .await?
        .pop()
        .ok_or_else(|| StoreError::not_found(format!("token {id}")))
}

fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(value).map_err(|error| StoreError::Backend(error.to_string()))
}

fn organisation_code(raw: &str) -> Result<OrganisationCode, StoreError> {
    OrganisationCode::parse(raw).map_err(StoreError::corrupt)
}

fn role_from(raw: &str) -> Result<Role, StoreError> {
    Role::parse(raw).map_err(StoreError::corrupt)
}

/// The kind from its stored code and country column.
fn kind_from(kind: &str, country: Option<String>) -> Result<OrganisationKind, StoreError> {
    match (kind, country) {
        ("country", Some(country)) => Ok(OrganisationKind::Country(country_code(&country)?)),
        ("secretariat", None) => Ok(OrganisationKind::Secretariat),
        ("observer", None) => Ok(OrganisationKind::Observer),
        (kind, country) => Err(StoreError::corrupt(format!(
            "organisation kind `{kind}` with country {country:?}"
        ))),
    }
}

fn organisation_from_row(row: &dyn RowAccess) -> Result<Organisation, StoreError> {
    Ok(Organisation {
        code: organisation_code(&row.text(0)?)?,
        name: row.text(1)?,
        kind: kind_from(&row.text(2)?, row.optional_text(3)?)?,
    })
}

/// Reads the [`ACCOUNT_WIDTH`] columns of [`ACCOUNT_SELECT`] from `first` on.
fn account_from_row(row: &dyn RowAccess, first: usize) -> Result<Account, StoreError> {
    let disabled = row.integer(first + 9)? == 0;
    Ok(Account {
        id: row.integer(first)?,
        name: row.text(first + 1)?,
        display_name: row.text(first + 2)?,
        organisation: organisation_code(&row.text(first + 3)?)?,
        organisation_kind: kind_from(&row.text(first + 4)?, row.optional_text(first + 5)?)?,
        role: role_from(&row.text(first + 6)?)?,
        password_hash: row.text(first + 7)?,
        created_at: row.timestamp(first + 8)?,
        disabled_at: if disabled {
            Some(row.timestamp(first + 10)?)
        } else {
            None
        },
    })
}

fn token_from_row(row: &dyn RowAccess) -> Result<StoredToken, StoreError> {
    let revoked = row.integer(10)? == 0;
    Ok(StoredToken {
        id: row.integer(0)?,
        organisation: organisation_code(&row.text(1)?)?,
        organisation_kind: kind_from(&row.text(2)?, row.optional_text(3)?)?,
        role: role_from(&row.text(4)?)?,
        label: row.text(5)?,
        secret_hash: row.text(6)?,
        created_by: row.text(7)?,
        created_at: row.timestamp(8)?,
        expires_at: row.timestamp(9)?,
        revoked_at: if revoked {
            Some(row.timestamp(11)?)
        } else {
            None
        },
    })
}

/// A level's code and its members column: the named members' codes, comma-separated in
/// code order, or empty.
fn level_columns(level: &SharingLevel) -> (&'static str, String) {
    let members = match level {
        SharingLevel::NamedMembers(members) => members
            .iter()
            .map(|member| member.as_str())
            .collect::<Vec<_>>()
            .join(","),
        _ => String::new(),
    };
    (level.code(), members)
}

fn policy_from_row(row: &dyn RowAccess) -> Result<SharingPolicy, StoreError> {
    let members = row
        .text(3)?
        .split(',')
        .filter(|member| !member.is_empty())
        .map(country_code)
        .collect::<Result<Vec<CountryCode>, _>>()?;
    Ok(SharingPolicy {
        country: country_code(&row.text(0)?)?,
        measure: Measure::parse(&row.text(1)?).map_err(StoreError::corrupt)?,
        level: SharingLevel::from_code(&row.text(2)?, &members).map_err(StoreError::corrupt)?,
    })
}
