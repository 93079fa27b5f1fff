//! `corredor user`, `corredor token`, `corredor organisation` and `corredor audit`: the
//! operator's administration, run as the installation itself (`Caller::System`) with the
//! database in hand. Every change is audited as `system`.

use std::io::BufRead;
use std::process::ExitCode;

use chrono::{DateTime, Duration, Utc};
use corredor_app::store::{AuditFilter, AuditVerification};
use corredor_app::{AppError, NewUser};
use corredor_core::{Caller, CountryCode, OrganisationCode, Role};
use rand::distributions::{Alphanumeric, DistString};

use super::db::DatabaseArgs;
use super::serve::runtime;
use super::EXIT_INVALID_INPUT;

/// Exit code of `corredor audit verify` when the chain is broken: distinct from a refused
/// input (2) and a failure to run (1), so a scheduled check can alert on it alone.
pub const EXIT_AUDIT_BROKEN: u8 = 3;

/// Length of a generated password: 20 letters and digits are about 119 bits.
const GENERATED_PASSWORD_LENGTH: usize = 20;

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Add a user to an organisation; prints a generated password once unless
    /// --password-stdin is given.
    Add(UserAddArgs),
    /// List users, with their organisation, role and whether they are disabled.
    List(UserListArgs),
    /// Disable a user: its sessions end at once and it can no longer sign in.
    Disable(UserDisableArgs),
}

#[derive(Debug, clap::Args)]
pub struct UserAddArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The sign-in name: 3 to 64 lowercase letters, digits, `.`, `-` or `_`.
    #[arg(long)]
    pub name: String,
    /// The organisation's code: a member country's alpha-3 code, RCM, IOM, UNHCR…
    #[arg(long, value_parser = OrganisationCode::parse)]
    pub organisation: OrganisationCode,
    /// administrator, focal_point, analyst or observer.
    #[arg(long, value_parser = Role::parse)]
    pub role: Role,
    /// The name shown on pages; the sign-in name when absent.
    #[arg(long)]
    pub display_name: Option<String>,
    /// Read the password from the first line of standard input instead of generating one.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, clap::Args)]
pub struct UserListArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Only this organisation's users.
    #[arg(long, value_parser = OrganisationCode::parse)]
    pub organisation: Option<OrganisationCode>,
}

#[derive(Debug, clap::Args)]
pub struct UserDisableArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The user's sign-in name.
    pub name: String,
}

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Create an API token; its secret is printed once and never again.
    Create(TokenCreateArgs),
    /// List tokens (never their secrets), newest first.
    List(TokenListArgs),
    /// Revoke a token: it is refused from the next request on.
    Revoke(TokenRevokeArgs),
}

#[derive(Debug, clap::Args)]
pub struct TokenCreateArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[arg(long, value_parser = OrganisationCode::parse)]
    pub organisation: OrganisationCode,
    /// The role the token acts in: focal_point, analyst, observer or administrator.
    #[arg(long, value_parser = Role::parse)]
    pub role: Role,
    /// What the token is for, e.g. "SNM nightly upload".
    #[arg(long)]
    pub label: String,
    /// Days until the token expires (1 to 366).
    #[arg(long, default_value_t = 90)]
    pub days: i64,
}

#[derive(Debug, clap::Args)]
pub struct TokenListArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[arg(long, value_parser = OrganisationCode::parse)]
    pub organisation: Option<OrganisationCode>,
}

#[derive(Debug, clap::Args)]
pub struct TokenRevokeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The token's id, as `corredor token list` shows it.
    pub id: i64,
}

#[derive(Debug, clap::Subcommand)]
pub enum OrganisationCommand {
    /// List the organisations: member countries, the secretariat and observers.
    List(OrganisationListArgs),
}

#[derive(Debug, clap::Args)]
pub struct OrganisationListArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Recompute the audit log's hash chain: exit 0 when intact, 3 when broken.
    Verify(AuditVerifyArgs),
    /// Print audit entries, oldest first.
    List(AuditListArgs),
}

#[derive(Debug, clap::Args)]
pub struct AuditVerifyArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, clap::Args)]
pub struct AuditListArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Only entries about this country's data.
    #[arg(long, value_parser = CountryCode::parse)]
    pub country: Option<CountryCode>,
    /// At most this many entries.
    #[arg(long)]
    pub limit: Option<u64>,
}

pub fn user(command: UserCommand) -> anyhow::Result<ExitCode> {
    match command {
        UserCommand::Add(args) => user_add(args),
        UserCommand::List(args) => user_list(args),
        UserCommand::Disable(args) => user_disable(args),
    }
}

pub fn token(command: TokenCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokenCommand::Create(args) => token_create(args),
        TokenCommand::List(args) => token_list(args),
        TokenCommand::Revoke(args) => token_revoke(args),
    }
}

pub fn organisation(command: OrganisationCommand) -> anyhow::Result<ExitCode> {
    match command {
        OrganisationCommand::List(args) => organisation_list(args),
    }
}

pub fn audit(command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify(args) => audit_verify(args),
        AuditCommand::List(args) => audit_list(args),
    }
}

fn user_add(args: UserAddArgs) -> anyhow::Result<ExitCode> {
    let (password, generated) = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|error| {
                anyhow::anyhow!("cannot read the password from standard input: {error}")
            })?;
        // Only the line ending is removed: spaces may be part of a passphrase.
        let password = line.trim_end_matches(['\n', '\r']).to_owned();
        (password, false)
    } else {
        (
            Alphanumeric.sample_string(&mut rand::rngs::OsRng, GENERATED_PASSWORD_LENGTH),
            true,
        )
    };
    let user = NewUser {
        name: args.name.clone(),
        display_name: args.display_name.clone().unwrap_or_default(),
        organisation: args.organisation.clone(),
        role: args.role,
        password: password.clone(),
    };
    runtime()?.block_on(async {
        let app = args.database.connect().await?;
        let account = match app.add_user(&Caller::System, &user).await {
            Ok(account) => account,
            Err(error) => return refused(error),
        };
        println!(
            "added {} ({}) to {} as {}",
            account.name, account.display_name, account.organisation, account.role
        );
        if generated {
            println!("password: {password}");
            println!(
                "Give it to {} now: it is not stored and will not be shown again.",
                account.name
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn user_list(args: UserListArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let app = args.database.connect().await?;
        let users = match app.users(&Caller::System, args.organisation.as_ref()).await {
            Ok(users) => users,
            Err(error) => return refused(error),
        };
        println!(
            "{:<24} {:<8} {:<12} {:<17} {:<28} display name",
            "name", "org", "role", "created", "status"
        );
        for user in &users {
            let status = match user.disabled_at {
                Some(at) => format!("disabled {}", minute(at)),
                None => "active".to_owned(),
            };
            println!(
                "{:<24} {:<8} {:<12} {:<17} {:<28} {}",
                user.name,
                user.organisation.as_str(),
                user.role.code(),
                minute(user.created_at),
                status,
                user.display_name
            );
        }
        println!("{} user(s)", users.len());
        Ok(ExitCode::SUCCESS)
    })
}

fn user_disable(args: UserDisableArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let app = args.database.connect().await?;
        match app.disable_user(&Caller::System, &args.name).await {
            Ok(account) => {
                let at = account.disabled_at.map(minute).unwrap_or_default();
                println!(
                    "disabled {} of {} ({at}); its sessions are closed",
                    account.name, account.organisation
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(error) => refused(error),
        }
    })
}

fn token_create(args: TokenCreateArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let app = args.database.connect().await?;
        let created = app
            .create_token(
                &Caller::System,
                &args.organisation,
                args.role,
                &args.label,
                Duration::days(args.days),
            )
            .await;
        match created {
            Ok(created) => {
                let token = &created.token;
                println!(
                    "token {} for {} as {} (\"{}\"), valid until {}:",
                    token.id,
                    token.organisation,
                    token.role,
                    token.label,
                    minute(token.expires_at)
                );
                println!("{}", created.secret);
                println!("Copy it now: corredor keeps only its digest and cannot show it again.");
                println!("Clients send it as the header `Authorization: Bearer <token>`.");
                Ok(ExitCode::SUCCESS)
            }
            Err(error) => refused(error),
        }
    })
}

fn token_list(args: TokenListArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let app = args.database.connect().await?;
        let tokens = match app
            .tokens(&Caller::System, args.organisation.as_ref())
            .await
        {
            Ok(tokens) => tokens,
            Err(error) => return refused(error),
        };
        let now = Utc::now();
        println!(
            "{:>5} {:<8} {:<12} {:<17} {:<28} label",
            "id", "org", "role", "expires", "status"
        );
        for token in &tokens {
            let status = match token.revoked_at {
                Some(at) => format!("revoked {}", minute(at)),
                None if token.expires_at <= now => "expired".to_owned(),
                None => "active".to_owned(),
            };
            println!(
                "{:>5} {:<8} {:<12} {:<17} {:<28} {}",
                token.id,
                token.organisation.as_str(),
                token.role.code(),
                minute(token.expires_at),
                status,
                token.label
            );
        }
        println!("{} token(s)", tokens.len());
        Ok(ExitCode::SUCCESS)
    })
}

fn token_revoke(args: TokenRevokeArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let app = args.database.connect().await?;
        match app.revoke_token(&Caller::System, args.id).await {
            Ok(token) => {
                let at = token.revoked_at.map(minute).unwrap_or_default();
                println!(
                    "revoked token {} of {} (\"{}\") at {at}",
                    token.id, token.organisation, token.label
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(error) => refused(error),
        }
    })
}

fn organisation_list(args: OrganisationListArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let app = args.database.connect().await?;
        let organisations = app.organisations().await?;
        println!("{:<8} {:<12} name", "code", "kind");
        for organisation in &organisations {
            println!(
                "{:<8} {:<12} {}",
                organisation.code.as_str(),
                organisation.kind.code(),
                organisation.name
            );
        }
        println!("{} organisation(s)", organisations.len());
        Ok(ExitCode::SUCCESS)
    })
}

fn audit_verify(args: AuditVerifyArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let app = args.database.connect().await?;
        match app.verify_audit(&Caller::System).await? {
            AuditVerification::Intact { entries } => {
                println!("audit log intact: {entries} entries");
                Ok(ExitCode::SUCCESS)
            }
            AuditVerification::Broken { entry, reason } => {
                println!("audit log broken at entry {entry}: {reason}");
                Ok(ExitCode::from(EXIT_AUDIT_BROKEN))
            }
        }
    })
}

fn audit_list(args: AuditListArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let app = args.database.connect().await?;
        let filter = AuditFilter {
            country: args.country,
            after_id: None,
            limit: args.limit,
        };
        let entries = match app.audit_entries(&Caller::System, &filter).await {
            Ok(entries) => entries,
            Err(error) => return refused(error),
        };
        println!(
            "{:>6} {:<17} {:<24} {:<20} {:<7} subject",
            "id", "at", "actor", "action", "country"
        );
        for entry in &entries {
            let actor = if entry.organisation.is_empty() || entry.organisation == entry.actor {
                entry.actor.clone()
            } else {
                format!("{} ({})", entry.actor, entry.organisation)
            };
            println!(
                "{:>6} {:<17} {:<24} {:<20} {:<7} {}",
                entry.id,
                minute(entry.at),
                actor,
                entry.action,
                entry
                    .country
                    .map(|country| country.to_string())
                    .unwrap_or_default(),
                entry.subject
            );
        }
        println!(
            "{} entr{}",
            entries.len(),
            if entries.len() == 1 { "y" } else { "ies" }
        );
        Ok(ExitCode::SUCCESS)
    })
}

/// A time to the minute, in UTC, for tables.
fn minute(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}

/// What the operator is told when the application refuses a request: the problem and exit
/// code 2 for anything they can fix; a failure of corredor itself goes up as an error.
fn refused(error: AppError) -> anyhow::Result<ExitCode> {
    match error {
        AppError::Invalid(problems) => Ok(super::report_problems(&problems)),
        AppError::NotFound { .. }
        | AppError::Conflict(_)
        | AppError::Forbidden(_)
        | AppError::Unauthenticated
        | AppError::Throttled { .. } => {
            eprintln!("error: {error}");
            Ok(ExitCode::from(EXIT_INVALID_INPUT))
        }
        AppError::Internal(error) => Err(error),
    }
}
