//! The database option shared by every command that touches stored data.

/// Where the data lives: an SQLite file (the default, created on first run) or PostgreSQL.
#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseArgs {
    /// `sqlite://PATH` (created if missing) or `postgres://USER:PASSWORD@HOST/DB`.
    #[arg(
        long,
        env = "CORREDOR_DATABASE_URL",
        default_value = "sqlite://corredor.db"
    )]
    pub database_url: String,
}

impl DatabaseArgs {
    pub async fn connect(&self) -> anyhow::Result<corredor_app::App> {
        corredor_app::App::connect(&self.database_url)
            .await
            .map_err(|error| {
                anyhow::anyhow!(
                    "cannot open the database {}: {error}",
                    redact(&self.database_url)
                )
            })
    }
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_not_printed() {
        assert_eq!(
            super::redact("postgres://corredor:secret@localhost/db"),
            "postgres://corredor:***@localhost/db"
        );
        assert_eq!(
            super::redact("sqlite://corredor.db"),
            "sqlite://corredor.db"
        );
    }
}
