//! `trailscope trails`: one trail configuration refresh from AWS, stored and printed as coverage lines.
use crate::cli::TrailsArgs;
use crate::config::{Config, parse_regions};
use anyhow::Context;
use app::model::trails::analysis::matrix;
use app::ssr::aws::AwsAccount;
use app::ssr::state::AppState;
use app::ssr::store::Store;
use std::process::ExitCode;

/// The accounts to read: the default-credential account in `--region`s when given, else the configured ones.
pub(super) fn accounts(config: &Config, args: &TrailsArgs) -> anyhow::Result<Vec<AwsAccount>> {
    let accounts = if args.regions.is_empty() {
        config.accounts.clone()
    } else {
        vec![AwsAccount {
            regions: parse_regions(&args.regions.join(","), "--region")?,
            ..AwsAccount::default()
        }]
    };
    if accounts.is_empty() {
        anyhow::bail!(
            "no AWS account to read: pass --region REGION, set TRAILSCOPE_REGIONS, or add [[accounts]] to the config file"
        );
    }
    Ok(accounts)
}

pub fn run(config: &Config, args: &TrailsArgs) -> anyhow::Result<ExitCode> {
    let accounts = accounts(config, args)?;
    let state = AppState::new(Store::open_in(&config.data_dir)?).with_accounts(accounts);
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let snapshot = runtime
        .block_on(app::ssr::trails::refresh(&state))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let coverage = matrix(&snapshot);
    for cell in &coverage.cells {
        println!(
            "{:<14} {:<16} {:<20} {}",
            cell.account,
            cell.region,
            cell.state.label(),
            cell.summary
        );
    }
    for gap in &coverage.gaps {
        println!("gap: {}", gap.message);
    }
    let failed = snapshot
        .regions
        .iter()
        .any(|r| matches!(r.outcome, app::model::trails::RegionOutcome::Failed { .. }));
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
