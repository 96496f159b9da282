//! CloudTrail's real bill for every configured account (`cost_explorer/fetch` asks Cost Explorer), kept in
//! memory so that a page load never pays for a request: Cost Explorer charges $0.01 per request (each page of an
//! answer is one) and refreshes its data at least once every 24 hours (AWS Cost Explorer FAQ), so a bill is
//! reused for [`BILL_REUSE_SECS`]. Memory rather than the store: the answer is small, a restart costs one
//! request per account at most, and the store's schema stays as it is. Only accounts configured with
//! `cost_explorer = true` are ever asked; the others read "no Cost Explorer access".
pub mod fetch;

use crate::model::cost_explorer::{AccountBill, BillOutcome, CloudTrailBill, NoAccess};
use crate::ssr::aws::clients::AccountClients;
use crate::ssr::state::AppState;
use fetch::FetchError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Seconds a bill read from Cost Explorer is reused: 12 hours, half of Cost Explorer's refresh interval, so a
/// bill is at most a day and a half behind AWS and costs each account at most $0.02 a day per page.
pub const BILL_REUSE_SECS: i64 = 12 * 3_600;
/// Seconds a refusal or a failure is reused before asking again: 15 minutes, so that a permission just granted
/// shows soon without every page load paying for a request that fails.
pub const RETRY_AFTER_SECS: i64 = 15 * 60;

/// The last answer of each configured account (by its position in the configuration), one request in flight per
/// account: page loads that arrive while Cost Explorer is being asked wait for that answer.
#[derive(Default)]
pub struct BillCache {
    slots: Mutex<HashMap<usize, Arc<tokio::sync::Mutex<Option<Cached>>>>>,
}

struct Cached {
    /// Until when it is reused (seconds since the epoch).
    until_secs: i64,
    outcome: BillOutcome,
}

impl BillCache {
    /// The account's cached outcome while fresh, else `ask`'s (then cached).
    async fn outcome<F>(&self, account: usize, now_secs: i64, ask: F) -> BillOutcome
    where
        F: std::future::Future<Output = BillOutcome>,
    {
        let slot = self
            .slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(account)
            .or_default()
            .clone();
        let mut cached = slot.lock().await;
        if let Some(cached) = cached.as_ref()
            && now_secs < cached.until_secs
        {
            return cached.outcome.clone();
        }
        let outcome = ask.await;
        let reuse_secs = match outcome {
            BillOutcome::Read(_) => BILL_REUSE_SECS,
            BillOutcome::NoAccess(_) | BillOutcome::Failed { .. } => RETRY_AFTER_SECS,
        };
        *cached = Some(Cached {
            until_secs: now_secs + reuse_secs,
            outcome: outcome.clone(),
        });
        outcome
    }
}

/// Every configured account's CloudTrail bill, from the cache or Cost Explorer (see the module's
/// documentation). Never an error: an account's refusal or failure is its own outcome.
pub async fn bill(state: &AppState) -> CloudTrailBill {
    let now_secs = crate::ssr::clock::now_secs();
    let mut accounts = Vec::new();
    for (index, account) in state.aws.accounts().iter().enumerate() {
        let outcome = if account.account().cost_explorer {
            state
                .bills
                .outcome(index, now_secs, read(account, now_secs))
                .await
        } else {
            BillOutcome::NoAccess(NoAccess::NotConfigured)
        };
        accounts.push(AccountBill {
            account: account.account().label(),
            outcome,
        });
    }
    CloudTrailBill { accounts }
}

/// Asks Cost Explorer for the account's bill now (one request per page).
async fn read(account: &AccountClients, now_secs: i64) -> BillOutcome {
    let config = account.sdk_config(fetch::COST_EXPLORER_REGION).await;
    let client = aws_sdk_costexplorer::Client::new(&config);
    let label = account.account().label();
    match fetch::cloudtrail_bill(&client, now_secs).await {
        Ok(bill) => BillOutcome::Read(bill),
        Err(FetchError::AccessDenied(message)) => {
            tracing::info!(account = %label, %message, "no Cost Explorer access");
            BillOutcome::NoAccess(NoAccess::of_access_denied(message))
        }
        Err(FetchError::Failed(reason)) => {
            tracing::warn!(account = %label, %reason, "cannot read the CloudTrail bill from Cost Explorer");
            BillOutcome::Failed { reason }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(reason: &str) -> BillOutcome {
        BillOutcome::Failed {
            reason: reason.into(),
        }
    }

    #[tokio::test]
    async fn an_answer_is_reused_until_it_is_stale_and_failures_are_asked_again_sooner() {
        let cache = BillCache::default();
        let first = cache.outcome(0, 1_000, async { failed("first") }).await;
        assert_eq!(first, failed("first"));
        let reused = cache.outcome(0, 1_000 + RETRY_AFTER_SECS - 1, async { failed("x") });
        assert_eq!(reused.await, failed("first"));
        let other_account = cache.outcome(1, 1_000, async { failed("other") }).await;
        assert_eq!(other_account, failed("other"), "each account has its own");
        let asked_again = cache.outcome(0, 1_000 + RETRY_AFTER_SECS, async { failed("second") });
        assert_eq!(asked_again.await, failed("second"));
    }
}
