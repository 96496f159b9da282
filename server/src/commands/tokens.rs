//! `trailscope token add|del|list`.
use super::users::audit;
use crate::cli::TokenCommand;
use crate::config::Config;
use anyhow::Context;
use app::model::time::format_minute;
use app::ssr::audit::{Action, CLI_ACTOR};
use app::ssr::auth::Role;
use app::ssr::auth::tokens::{create_token, list_tokens, revoke_token};
use app::ssr::store::Store;
use std::process::ExitCode;

pub fn run(config: &Config, command: TokenCommand) -> anyhow::Result<ExitCode> {
    let store = Store::open_in(&config.data_dir)?;
    match command {
        TokenCommand::Add {
            name,
            role,
            expires_days,
        } => {
            let role = Role::parse(&role).context("role must be viewer or admin")?;
            let expires_at =
                expires_days.map(|days| app::ssr::clock::now_secs() + i64::from(days) * 86_400);
            let secret = create_token(&store, &name, role, CLI_ACTOR, expires_at)?;
            audit(&store, Action::TokenCreated, &name)?;
            println!("added token {name} ({})", role.as_str());
            println!("token (shown once): {secret}");
        }
        TokenCommand::Del { name } => {
            revoke_token(&store, &name)?;
            audit(&store, Action::TokenRevoked, &name)?;
            println!("revoked token {name}");
        }
        TokenCommand::List => {
            println!(
                "{:<24} {:<7} {:<9} {:<21} {:<21} LAST USED",
                "NAME", "ROLE", "HINT", "CREATED", "EXPIRES"
            );
            let when = |at: Option<i64>, none: &str| at.map_or(none.to_owned(), format_minute);
            for token in list_tokens(&store)? {
                println!(
                    "{:<24} {:<7} {:<9} {:<21} {:<21} {}",
                    token.name,
                    token.role.as_str(),
                    token.hint,
                    format_minute(token.created_at),
                    when(token.expires_at, "never"),
                    when(token.last_used_at, "never")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
