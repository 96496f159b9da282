//! `trailscope user add|passwd|del|list`.
use crate::cli::UserCommand;
use crate::config::Config;
use anyhow::Context;
use app::model::time::format_minute;
use app::ssr::audit::{Action, CLI_ACTOR, Entry, Outcome};
use app::ssr::auth::Role;
use app::ssr::auth::users::{add_user, delete_user, generate_password, list_users, set_password};
use app::ssr::store::Store;
use std::io::BufRead;
use std::process::ExitCode;

/// The password from stdin's first line, or a generated one (then `true`: it must be shown).
fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if !from_stdin {
        return Ok((generate_password()?, true));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
}

/// Records a change made on the command line in the audit log.
pub(super) fn audit(store: &Store, action: Action, target: &str) -> anyhow::Result<()> {
    app::ssr::audit::record(
        store,
        &Entry {
            actor: CLI_ACTOR.to_owned(),
            action,
            target: Some(target.to_owned()),
            client_ip: None,
            outcome: Outcome::Succeeded,
        },
    )
    .context("cannot write the audit log")
}

pub fn run(config: &Config, command: UserCommand) -> anyhow::Result<ExitCode> {
    let store = Store::open_in(&config.data_dir)?;
    match command {
        UserCommand::Add {
            name,
            role,
            password_stdin,
        } => {
            let role = Role::parse(&role).context("role must be viewer or admin")?;
            let (password, generated) = password(password_stdin)?;
            add_user(&store, &name, role, &password)?;
            audit(&store, Action::UserAdded, &name)?;
            println!("added user {name} ({})", role.as_str());
            if generated {
                println!("password (shown once): {password}");
            }
        }
        UserCommand::Passwd {
            name,
            password_stdin,
        } => {
            let (password, generated) = password(password_stdin)?;
            set_password(&store, &name, &password)?;
            audit(&store, Action::PasswordChanged, &name)?;
            println!("password of {name} changed");
            if generated {
                println!("password (shown once): {password}");
            }
        }
        UserCommand::Del { name } => {
            delete_user(&store, &name)?;
            audit(&store, Action::UserDeleted, &name)?;
            println!("deleted user {name}");
        }
        UserCommand::List => {
            println!(
                "{:<24} {:<7} {:<21} PASSWORD CHANGED",
                "NAME", "ROLE", "CREATED"
            );
            for user in list_users(&store)? {
                println!(
                    "{:<24} {:<7} {:<21} {}",
                    user.name,
                    user.role.as_str(),
                    format_minute(user.created_at),
                    format_minute(user.password_changed_at)
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
