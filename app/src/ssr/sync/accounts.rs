//! Syncing every configured account and Region at once, each Region within its own limit, into one writer.
use super::progress::SyncProgress;
use super::{RegionHistory, RegionSync, SharedWriter, SyncError, sync_region_counting};
use crate::ssr::aws::clients::AwsClients;
use crate::ssr::store::Store;
use crate::ssr::store::writer::EventWriter;
use std::sync::{Arc, Mutex};

/// One account-Region's result in a sync of everything.
#[derive(Debug)]
pub struct RegionOutcome {
    /// The 12-digit account ID. (Kept as `account` to match the sync status shown to users.)
    pub account: String,
    /// The Region code, e.g. `us-east-1`.
    pub region: String,
    /// What the run did, or why it failed (the error as text).
    pub result: Result<RegionSync, String>,
}

/// Syncs every configured Region of every account of `aws` at once (each Region within its own limit).
pub async fn sync_accounts(
    store: &Arc<Store>,
    aws: &AwsClients,
    first_window_secs: i64,
    progress: &Arc<SyncProgress>,
) -> Result<Vec<RegionOutcome>, SyncError> {
    let writer = {
        let store = store.clone();
        crate::ssr::background::spawn_blocking(move || EventWriter::new(&store))
            .await
            .map_err(|e| SyncError::Page(e.to_string()))??
    };
    let writer: SharedWriter = Arc::new(Mutex::new(writer));
    let mut outcomes = Vec::new();
    let mut runs = tokio::task::JoinSet::new();
    for account in aws.accounts() {
        let regions = account.account().regions();
        if let Err(error) = account.id().await {
            outcomes.extend(regions.into_iter().map(|region| RegionOutcome {
                account: account.account().label(),
                region,
                result: Err(error.to_string()),
            }));
            continue;
        }
        for region in regions {
            let history = match aws.event_history(account, &region).await {
                Ok(history) => history,
                Err(error) => {
                    outcomes.push(RegionOutcome {
                        account: account.account().label(),
                        region,
                        result: Err(error.to_string()),
                    });
                    continue;
                }
            };
            let (store, writer, progress) = (store.clone(), writer.clone(), progress.clone());
            runs.spawn(async move {
                let region_history = RegionHistory {
                    client: &history.client,
                    limiter: &history.limiter,
                    account: &history.account_id,
                    region: &history.region,
                };
                let result = sync_region_counting(
                    &store,
                    &writer,
                    &region_history,
                    first_window_secs,
                    &progress,
                )
                .await
                .map_err(|e| e.to_string());
                RegionOutcome {
                    account: history.account_id,
                    region: history.region,
                    result,
                }
            });
        }
    }
    while let Some(run) = runs.join_next().await {
        match run {
            Ok(outcome) => outcomes.push(outcome),
            Err(error) => tracing::error!(%error, "a Region's sync task failed"),
        }
    }
    outcomes.sort_by(|a, b| (&a.account, &a.region).cmp(&(&b.account, &b.region)));
    Ok(outcomes)
}

/// Syncs every configured account and Region now, unless a sync is already running (then `None`).
pub async fn sync_now(
    state: &crate::ssr::state::AppState,
) -> Result<Option<Vec<RegionOutcome>>, SyncError> {
    sync_now_counting(state, &Arc::new(SyncProgress::default())).await
}

/// [`sync_now`], counting the history read and the events stored in `progress` as it goes.
pub async fn sync_now_counting(
    state: &crate::ssr::state::AppState,
    progress: &Arc<SyncProgress>,
) -> Result<Option<Vec<RegionOutcome>>, SyncError> {
    let Ok(_running) = state.sync.running.try_lock() else {
        return Ok(None);
    };
    let window = state.sync.first_window_secs;
    let outcomes = sync_accounts(&state.store, &state.aws, window, progress).await;
    // The events it committed are evaluated by the findings job, off this path.
    state.findings.wake();
    outcomes.map(Some)
}
