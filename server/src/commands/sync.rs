//! `trailscope sync`: one Event History sync of every configured account and Region, printed per Region.
use super::trails::accounts;
use crate::cli::TrailsArgs;
use crate::config::Config;
use crate::progress::ProgressLine;
use anyhow::Context;
use app::ssr::state::AppState;
use app::ssr::store::Store;
use app::ssr::sync::progress::SyncProgress;
use std::process::ExitCode;

pub fn run(config: &Config, args: &TrailsArgs) -> anyhow::Result<ExitCode> {
    let state = AppState::new(Store::open_in(&config.data_dir)?)
        .with_accounts(accounts(config, args)?)
        .with_sync_window(config.sync_window_secs());
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let started = std::time::Instant::now();
    let progress = std::sync::Arc::new(SyncProgress::default());
    let line = ProgressLine::on_stderr("sync", "s of history");
    let outcomes = runtime.block_on(line.poll_while(
        "events",
        || progress.read(),
        app::ssr::sync::sync_now_counting(&state, &progress),
    ));
    line.end();
    let outcomes = outcomes?.context("another sync holds this store")?;
    let mut failed = false;
    for o in &outcomes {
        match &o.result {
            Ok(run) => println!(
                "{:<14} {:<16} {} new events, {} duplicates, {} pages, {} calls ({} retried)",
                o.account, o.region, run.events, run.duplicates, run.pages, run.calls, run.retries
            ),
            Err(error) => {
                failed = true;
                eprintln!("problem: {} {}: {error}", o.account, o.region);
            }
        }
    }
    println!(
        "sync: {} Regions in {:.1} s",
        outcomes.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
