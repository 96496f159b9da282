//! `trailscope resolve-names`: one round of naming IAM Identity Center users through the Identity Store API.
use super::trails::accounts;
use crate::cli::TrailsArgs;
use crate::config::Config;
use anyhow::Context;
use app::ssr::store::Store;
use std::process::ExitCode;

/// Exits 0 even when some users could not be named: their errors are stored and retried a day later, and
/// `problem:` lines on stderr say why.
pub fn run(config: &Config, args: &TrailsArgs) -> anyhow::Result<ExitCode> {
    let accounts = accounts(config, args)?;
    let store = std::sync::Arc::new(Store::open_in(&config.data_dir)?);
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let summary = runtime
        .block_on(app::ssr::identity_center::resolve_names(
            &store,
            &app::ssr::aws::clients::AwsClients::new(accounts),
        ))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for (user_id, error) in app::ssr::store::identity_center::failures(&store)? {
        eprintln!("problem: {user_id}: {error}");
    }
    println!("resolve-names: {}", summary.line());
    Ok(ExitCode::SUCCESS)
}
