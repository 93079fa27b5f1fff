//! Organisations, users, sign-in, sessions and API tokens.
//!
//! Passwords are hashed with argon2id; session ids and token secrets are random (256 bits)
//! and stored only as SHA-256 digests. Failed sign-ins are throttled per account name and per
//! client. Every change is authorised by `corredor_core::authorize` and audited by the store.

use std::collections::{HashMap, VecDeque};
use std::sync::OnceLock;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Argon2, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use corredor_core::{
    authorize, Action, Caller, Organisation, OrganisationCode, OrganisationKind, Principal,
    RcmStatus, Role,
};
use corredor_exchange::Problem;
use corredor_store::{
    Account, Actor, AuditEntry, AuditFilter, AuditVerification, NewAccount, NewAuditEntry,
    NewSession, NewToken, StoreError, StoredToken,
};
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

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

/// The longest an API token may be valid: a year, so a forgotten token dies on its own.
pub const MAX_TOKEN_LENGTH: Duration = Duration::days(366);
/// Passwords shorter than this are refused (NIST SP 800-63B asks for at least 8; corredor
/// guards other countries' data, so more).
pub const MIN_PASSWORD_LENGTH: usize = 12;
/// Longer passwords are refused so that hashing one cannot be made arbitrarily slow.
const MAX_PASSWORD_LENGTH: usize = 1024;
/// How a token's secret starts, so it is recognisable in a leak scan: `crd_<id>_<key>`.
const TOKEN_PREFIX: &str = "crd_";

/// The organisations every installation has besides the member countries: code, Spanish
/// name, English name, kind.
const SHIPPED_ORGANISATIONS: &[(&str, &str, &str, OrganisationKind)] = &[
    (
        "RCM",
        "Secretaría Técnica de la Conferencia Regional sobre Migración",
        "Technical Secretariat of the Regional Conference on Migration",
        OrganisationKind::Secretariat,
    ),
    (
        "IOM",
        "Organización Internacional para las Migraciones",
        "International Organization for Migration",
        OrganisationKind::Observer,
    ),
    ("UNHCR", "ACNUR", "UNHCR", OrganisationKind::Observer),
];

/// Failed sign-ins, by throttle key (`name:<name>` or `client:<address>`), kept in memory:
/// a restart forgets them, which costs a guesser nothing it could not get by waiting a
/// minute.
#[derive(Debug, Default)]
pub(crate) struct Throttle {
    failures: HashMap<String, VecDeque<DateTime<Utc>>>,
    /// The number of keys above which stale keys are swept. A sweep visits every key, so it
    /// runs only when the map has doubled since the last one: a flood of made-up names costs
    /// amortised constant time per attempt, and memory bounded by the attempts of one window.
    sweep_above: usize,
}

/// Keys kept before the first sweep.
const THROTTLE_SWEEP_MIN: usize = 1024;

impl Throttle {
    /// Seconds to wait when any key has [`THROTTLE_FAILURES`] failures within the window.
    fn retry_after(&mut self, keys: &[String], now: DateTime<Utc>) -> Option<u64> {
        let limit = now - THROTTLE_WINDOW;
        keys.iter()
            .filter_map(|key| {
                let times = self.failures.get_mut(key)?;
                while times.front().is_some_and(|time| *time <= limit) {
                    times.pop_front();
                }
                let oldest = *times.front()?;
                (times.len() >= THROTTLE_FAILURES).then_some(oldest)
            })
            .map(|oldest| {
                let wait = oldest + THROTTLE_WINDOW - now;
                // Rounded up, so a client that waits as told is let in.
                u64::try_from((wait.num_milliseconds() + 999) / 1000)
                    .unwrap_or(1)
                    .max(1)
            })
            .max()
    }

    fn record(&mut self, keys: &[String], now: DateTime<Utc>) {
        for key in keys {
            let times = self.failures.entry(key.clone()).or_default();
            times.push_back(now);
            // Only the last THROTTLE_FAILURES matter, so one key cannot grow the memory.
            while times.len() > THROTTLE_FAILURES {
                times.pop_front();
            }
        }
        if self.failures.len() > self.sweep_above.max(THROTTLE_SWEEP_MIN) {
            let limit = now - THROTTLE_WINDOW;
            self.failures
                .retain(|_, times| times.back().is_some_and(|time| *time > limit));
            self.sweep_above = 2 * self.failures.len();
        }
    }

    fn forget(&mut self, key: &str) {
        self.failures.remove(key);
    }
}

impl App {
    /// Adds the member countries, the secretariat and the observer organisations corredor
    /// ships, when missing. Called for every new database.
    pub async fn install_organisations(&self) -> Result<(), AppError> {
        let existing: Vec<OrganisationCode> = self
            .store
            .organisations()
            .await?
            .into_iter()
            .map(|organisation| organisation.code)
            .collect();
        let mut shipped = Vec::new();
        for country in self.store.countries().await? {
            if country.rcm_status != Some(RcmStatus::Member) {
                continue;
            }
            shipped.push(Organisation::new(
                OrganisationCode::of_country(country.code),
                &bilingual(&country.name_es, &country.name_en),
                OrganisationKind::Country(country.code),
            ));
        }
        for (code, name_es, name_en, kind) in SHIPPED_ORGANISATIONS {
            let code = OrganisationCode::parse(code).map_err(anyhow::Error::new)?;
            shipped.push(Organisation::new(code, &bilingual(name_es, name_en), *kind));
        }
        let store = self.store.acting_as(Actor::system());
        for organisation in shipped {
            let organisation = organisation.map_err(anyhow::Error::new)?;
            if !existing.contains(&organisation.code) {
                store.put_organisation(&organisation).await?;
            }
        }
        Ok(())
    }

    pub async fn organisations(&self) -> Result<Vec<Organisation>, AppError> {
        Ok(self.store.organisations().await?)
    }

    pub async fn put_organisation(
        &self,
        caller: &Caller,
        organisation: &Organisation,
    ) -> Result<(), AppError> {
        authorize(caller, &Action::ManageOrganisations)?;
        self.acting(caller).put_organisation(organisation).await?;
        Ok(())
    }

    /// Adds a user after checking the caller may, the role fits the organisation and the
    /// password is long enough.
    pub async fn add_user(&self, caller: &Caller, user: &NewUser) -> Result<Account, AppError> {
        authorize(caller, &Action::ManageUsers(user.organisation.clone()))?;
        let organisation = self.store.organisation(&user.organisation).await?;
        let mut problems = Vec::new();
        if let Err(reason) = check_user_name(&user.name) {
            problems.push(problem("name", reason));
        }
        let display_name = match user.display_name.trim() {
            "" => user.name.as_str(),
            text => text,
        };
        if display_name.chars().count() > 200 {
            problems.push(problem("display_name", "at most 200 characters"));
        }
        if !user.role.fits(organisation.kind) {
            problems.push(problem(
                "role",
                format!(
                    "a {} organisation ({}) has no {}: administrators belong to the secretariat, focal points and analysts to a country, observers to an observer organisation or the secretariat",
                    organisation.kind.code(),
                    organisation.code,
                    user.role
                ),
            ));
        }
        if let Err(reason) = check_password(&user.password) {
            problems.push(problem("password", reason));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let password_hash = hash_password(user.password.clone()).await?;
        let account = NewAccount {
            name: user.name.clone(),
            display_name: display_name.to_owned(),
            organisation: user.organisation.clone(),
            role: user.role,
            password_hash,
        };
        match self.acting(caller).add_account(&account).await {
            Ok(account) => Ok(account),
            Err(StoreError::Conflict { .. }) => Err(AppError::Conflict(format!(
                "a user named {} already exists",
                user.name
            ))),
            Err(other) => Err(other.into()),
        }
    }

    pub async fn users(
        &self,
        caller: &Caller,
        organisation: Option<&OrganisationCode>,
    ) -> Result<Vec<Account>, AppError> {
        match organisation {
            Some(code) => authorize(caller, &Action::ManageUsers(code.clone()))?,
            // Every organisation's users: only who manages every organisation.
            None => authorize(caller, &Action::ManageOrganisations)?,
        }
        Ok(self.store.accounts(organisation).await?)
    }

    pub async fn disable_user(&self, caller: &Caller, name: &str) -> Result<Account, AppError> {
        let account = self.store.account(name).await?;
        authorize(caller, &Action::ManageUsers(account.organisation.clone()))?;
        if caller
            .principal()
            .is_some_and(|principal| principal.name == account.name)
        {
            // An administrator who disables themselves may leave nobody able to undo it.
            return Err(AppError::invalid(
                "name",
                "you cannot disable yourself: ask another administrator",
            ));
        }
        Ok(self
            .acting(caller)
            .disable_account(&account.name, self.clock.now())
            .await?)
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
        let name = name.trim().to_lowercase();
        let keys = [format!("name:{name}"), format!("client:{client}")];
        // The throttle is asked before the password is, so a guesser learns nothing more
        // once throttled, and argon2's cost is not spent on a flood.
        if let Some(retry_after_seconds) = self.lock_throttle().retry_after(&keys, self.clock.now())
        {
            return Err(AppError::Throttled {
                retry_after_seconds,
            });
        }
        let account = match self.store.account(&name).await {
            Ok(account) => Some(account),
            Err(StoreError::NotFound { .. }) => None,
            Err(other) => return Err(other.into()),
        };
        // An unknown name is checked against a dummy hash, so it takes as long as a wrong
        // password and the answer does not tell which names exist.
        let hash = match &account {
            Some(account) => account.password_hash.clone(),
            None => dummy_hash().to_owned(),
        };
        let matches = verify_password(password.to_owned(), hash).await?;
        let account = match account {
            Some(account) if matches && account.disabled_at.is_none() => account,
            _ => {
                self.lock_throttle().record(&keys, self.clock.now());
                return Err(AppError::Unauthenticated);
            }
        };
        self.lock_throttle().forget(&keys[0]);
        let cookie_value = random_hex();
        let csrf_token = random_hex();
        let now = self.clock.now();
        let expires_at = now + SESSION_LENGTH;
        let principal = principal_of(&account);
        self.store
            .create_session(&NewSession {
                id_hash: sha256_hex(&cookie_value),
                account: account.name.clone(),
                csrf_token: csrf_token.clone(),
                created_at: now,
                expires_at,
            })
            .await?;
        // Successful sign-ins are audited; failed ones are not, so a guesser cannot flood
        // the log (the throttle bounds them instead).
        self.acting(&Caller::Principal(principal.clone()))
            .append_audit(&NewAuditEntry {
                action: "sign_in".to_owned(),
                subject: format!("account:{}", account.name),
                country: account.organisation_kind.country(),
                before: None,
                after: None,
            })
            .await?;
        Ok(OpenedSession {
            cookie_value,
            csrf_token,
            principal,
            expires_at,
        })
    }

    /// The session a cookie value opens, if it is open.
    pub async fn session(&self, cookie_value: &str) -> Result<Option<CurrentSession>, AppError> {
        let session = self
            .store
            .session(&sha256_hex(cookie_value), self.clock.now())
            .await?;
        Ok(session.map(|session| CurrentSession {
            principal: principal_of(&session.account),
            display_name: session.account.display_name.clone(),
            csrf_token: session.csrf_token,
        }))
    }

    pub async fn sign_out(&self, cookie_value: &str) -> Result<(), AppError> {
        Ok(self.store.end_session(&sha256_hex(cookie_value)).await?)
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
        authorize(caller, &Action::CreateToken(organisation.clone(), role))?;
        let found = self.store.organisation(organisation).await?;
        let mut problems = Vec::new();
        if !role.fits(found.kind) {
            problems.push(problem(
                "role",
                format!(
                    "a {} organisation ({}) has no {role}",
                    found.kind.code(),
                    found.code
                ),
            ));
        }
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 200 {
            problems.push(problem(
                "label",
                "say what the token is for, in 1 to 200 characters",
            ));
        }
        if valid_for <= Duration::zero() || valid_for > MAX_TOKEN_LENGTH {
            problems.push(problem(
                "valid_for",
                format!(
                    "a token is valid for 1 to {} days",
                    MAX_TOKEN_LENGTH.num_days()
                ),
            ));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let key = random_hex();
        let now = self.clock.now();
        let token = self
            .acting(caller)
            .create_token(&NewToken {
                organisation: organisation.clone(),
                role,
                label: label.to_owned(),
                secret_hash: sha256_hex(&key),
                created_by: caller.actor_name().to_owned(),
                created_at: now,
                expires_at: now + valid_for,
            })
            .await?;
        let secret = format!("{TOKEN_PREFIX}{}_{key}", token.id);
        Ok(CreatedToken { token, secret })
    }

    pub async fn revoke_token(&self, caller: &Caller, id: i64) -> Result<StoredToken, AppError> {
        let token = self.store.token(id).await?;
        authorize(caller, &Action::RevokeToken(token.organisation.clone()))?;
        Ok(self
            .acting(caller)
            .revoke_token(id, self.clock.now())
            .await?)
    }

    pub async fn tokens(
        &self,
        caller: &Caller,
        organisation: Option<&OrganisationCode>,
    ) -> Result<Vec<StoredToken>, AppError> {
        match organisation {
            Some(code) => {
                authorize(caller, &Action::RevokeToken(code.clone()))?;
                Ok(self.store.tokens(Some(code)).await?)
            }
            None => match authorize(caller, &Action::ManageOrganisations) {
                Ok(()) => Ok(self.store.tokens(None).await?),
                // Whoever manages only their own organisation's tokens sees only those.
                Err(refused) => match caller.principal() {
                    Some(principal) => {
                        authorize(caller, &Action::RevokeToken(principal.organisation.clone()))?;
                        Ok(self.store.tokens(Some(&principal.organisation)).await?)
                    }
                    None => Err(refused.into()),
                },
            },
        }
    }

    /// The principal a bearer secret stands for: `None` when it is unknown, expired or
    /// revoked (checked on every request, so a revocation takes effect at once).
    pub async fn authenticate_token(&self, secret: &str) -> Result<Option<Principal>, AppError> {
        let Some((id, key)) = parse_token_secret(secret) else {
            return Ok(None);
        };
        let token = match self.store.token(id).await {
            Ok(token) => token,
            Err(StoreError::NotFound { .. }) => return Ok(None),
            Err(other) => return Err(other.into()),
        };
        let digest = sha256_hex(key);
        let matches: bool = digest.as_bytes().ct_eq(token.secret_hash.as_bytes()).into();
        if !matches || token.revoked_at.is_some() || token.expires_at <= self.clock.now() {
            return Ok(None);
        }
        Ok(Some(Principal {
            name: format!("token:{}", token.id),
            organisation: token.organisation,
            kind: token.organisation_kind,
            role: token.role,
        }))
    }

    /// Audit entries the caller may read: the whole log for the secretariat, the entries
    /// about its own country's data for a country's focal point.
    pub async fn audit_entries(
        &self,
        caller: &Caller,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEntry>, AppError> {
        if let Err(refused) = authorize(caller, &Action::ReadAudit(None)) {
            // Not the whole log: at most one country's entries, the caller's own.
            let country = match (filter.country, caller.country()) {
                (Some(country), _) | (None, Some(country)) => country,
                (None, None) => return Err(refused.into()),
            };
            authorize(caller, &Action::ReadAudit(Some(country)))?;
            let filter = AuditFilter {
                country: Some(country),
                ..filter.clone()
            };
            return Ok(self.store.audit_entries(&filter).await?);
        }
        Ok(self.store.audit_entries(filter).await?)
    }

    pub async fn verify_audit(&self, caller: &Caller) -> Result<AuditVerification, AppError> {
        authorize(caller, &Action::ReadAudit(None))?;
        Ok(self.store.verify_audit().await?)
    }

    fn lock_throttle(&self) -> std::sync::MutexGuard<'_, Throttle> {
        // A panic while holding the lock leaves at worst a stale failure count, which is
        // safe to keep using.
        self.throttle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn problem(field: &str, reason: impl Into<String>) -> Problem {
    Problem::new("request", 0, Some(field), reason)
}

/// A name in both languages, once when they are the same.
fn bilingual(spanish: &str, english: &str) -> String {
    if spanish == english {
        spanish.to_owned()
    } else {
        format!("{spanish} / {english}")
    }
}

/// User names: 3 to 64 lowercase letters, digits, `.`, `-` or `_`, so they read the same in
/// every log and cannot be confused by case or by look-alike characters.
fn check_user_name(name: &str) -> Result<(), String> {
    let valid = (3..=64).contains(&name.len())
        && name.bytes().all(|byte| {
            byte.is_ascii_lowercase() || byte.is_ascii_digit() || matches!(byte, b'.' | b'-' | b'_')
        });
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a user name: 3 to 64 lowercase letters, digits, `.`, `-` or `_`"
        ))
    }
}

fn check_password(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_LENGTH {
        Err(format!(
            "a password has at least {MIN_PASSWORD_LENGTH} characters (this one has {length})"
        ))
    } else if length > MAX_PASSWORD_LENGTH {
        Err(format!(
            "a password has at most {MAX_PASSWORD_LENGTH} characters"
        ))
    } else {
        Ok(())
    }
}

/// The argon2id PHC string of a password, with a fresh random salt. Hashing is slow by
/// design, so it runs off the async workers.
async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|error| anyhow::anyhow!("cannot hash the password: {error}"))
    })
    .await
    .map_err(anyhow::Error::new)?
    .map_err(AppError::Internal)
}

/// Whether `password` matches the PHC string `hash` (argon2id, with the parameters the hash
/// names, so hashes made with older parameters keep working).
async fn verify_password(password: String, hash: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash)
            .map_err(|error| anyhow::anyhow!("a stored password hash is unreadable: {error}"))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(anyhow::Error::new)?
    .map_err(AppError::Internal)
}

/// A hash of a random password, made once, that unknown names are checked against.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(random_hex().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .expect("argon2 hashes a 64-character password with default parameters")
    })
}

/// 32 random bytes from the operating system, as 64 hexadecimal digits.
fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The id and key of a token's secret `crd_<id>_<64 hex digits>`; `None` for anything else.
/// The id finds the token; only the key is secret and only its digest is stored.
fn parse_token_secret(secret: &str) -> Option<(i64, &str)> {
    let rest = secret.trim().strip_prefix(TOKEN_PREFIX)?;
    let (id, key) = rest.split_once('_')?;
    let id = id.parse::<i64>().ok()?;
    let valid_key = key.len() == 64 && key.bytes().all(|byte| byte.is_ascii_hexdigit());
    valid_key.then_some((id, key))
}

fn principal_of(account: &Account) -> Principal {
    Principal {
        name: account.name.clone(),
        organisation: account.organisation.clone(),
        kind: account.organisation_kind,
        role: account.role,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(second: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + second, 0).expect("a valid timestamp")
    }

    #[test]
    fn user_names_are_lowercase_words_of_three_to_sixty_four_characters() {
        for good in ["ana", "pan.focal", "gtm-analyst_2", &"a".repeat(64)] {
            assert!(check_user_name(good).is_ok(), "{good}");
        }
        for bad in ["", "ab", "Ana", "ana maría", "josé", "a/b", &"a".repeat(65)] {
            assert!(check_user_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_need_twelve_characters() {
        assert!(check_password("eleven-char").is_err());
        assert!(check_password("twelve-chars").is_ok());
        assert!(check_password("contraseña-ñandú").is_ok());
        assert!(check_password(&"x".repeat(2000)).is_err());
    }

    #[test]
    fn only_well_formed_token_secrets_are_looked_up() {
        let key = "0123456789abcdef".repeat(4);
        assert_eq!(
            parse_token_secret(&format!("crd_42_{key}")),
            Some((42, key.as_str()))
        );
        for bad in [
            String::new(),
            format!("crd_x_{key}"),
            format!("crd_42_{}", &key[1..]),
            format!("tok_42_{key}"),
            format!("crd_42_{}g", &key[1..]),
        ] {
            assert_eq!(parse_token_secret(&bad), None, "{bad}");
        }
    }

    #[test]
    fn the_throttle_closes_after_the_allowed_failures_and_reopens_after_the_window() {
        let mut throttle = Throttle::default();
        let keys = ["name:ana".to_owned(), "client:10.0.0.1".to_owned()];
        for second in 0..THROTTLE_FAILURES as i64 {
            assert_eq!(throttle.retry_after(&keys, at(second)), None);
            throttle.record(&keys, at(second));
        }
        let last = THROTTLE_FAILURES as i64 - 1;
        assert_eq!(
            throttle.retry_after(&keys, at(last)),
            Some(THROTTLE_WINDOW.num_seconds() as u64 - last as u64)
        );
        // Another name from another client is not held back by ana's failures.
        let other = ["name:beto".to_owned(), "client:10.0.0.2".to_owned()];
        assert_eq!(throttle.retry_after(&other, at(last)), None);
        // Once the oldest failure leaves the window, one more attempt is allowed.
        assert_eq!(
            throttle.retry_after(&keys, at(THROTTLE_WINDOW.num_seconds())),
            None
        );
    }

    #[test]
    fn a_flood_of_made_up_names_leaves_only_the_last_window_in_memory() {
        let mut throttle = Throttle::default();
        let window = THROTTLE_WINDOW.num_seconds();
        for attempt in 0..20_000i64 {
            // Ten attempts a second, each with a new name, from rotating clients.
            let now = at(attempt / 10);
            let keys = [
                format!("name:guess{attempt}"),
                format!("client:10.0.0.{}", attempt % 5),
            ];
            assert_eq!(throttle.retry_after(&keys[..1], now), None);
            throttle.record(&keys, now);
        }
        // At most two windows of names (a sweep runs when the map doubles) and the clients.
        let bound = 2 * (10 * window as usize) + 2 * THROTTLE_SWEEP_MIN + 5;
        assert!(
            throttle.failures.len() <= bound,
            "{} keys",
            throttle.failures.len()
        );
        // The rotating clients, each failing far more than allowed, stay throttled.
        let client = ["client:10.0.0.1".to_owned()];
        assert!(throttle.retry_after(&client, at(1999)).is_some());
    }

    #[test]
    fn passwords_verify_against_their_argon2id_hash_only() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime for the blocking hash");
        runtime.block_on(async {
            let hash = hash_password("correct horse battery".to_owned())
                .await
                .expect("hashing works");
            assert!(hash.starts_with("$argon2id$"), "{hash}");
            assert!(
                verify_password("correct horse battery".to_owned(), hash.clone())
                    .await
                    .expect("the hash is readable")
            );
            assert!(!verify_password("correct horse battery!".to_owned(), hash)
                .await
                .expect("the hash is readable"));
        });
    }
}
