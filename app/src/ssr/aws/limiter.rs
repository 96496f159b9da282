//! `LookupEvents`' rate limit as a limiter per account and Region. AWS allows 2 calls a second per account and
//! Region and does not raise it (CloudTrail API reference, `LookupEvents`; quota table "LookupEvents API 2 TPS
//! … cannot be increased"), so the sync and live mode of one account-Region take their turns from the same one.
use governor::clock::DefaultClock;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// One call per 510 ms: two in any one-second window at most, with a margin for clock jitter.
const CALL_SPACING: Duration = Duration::from_millis(510);

/// AWS's per account-Region limit for `LookupEvents`, as a limiter.
pub type CallLimiter = RateLimiter<NotKeyed, InMemoryState, DefaultClock>;

/// A fresh limiter: one call now, then one per [`CALL_SPACING`].
pub fn call_limiter() -> CallLimiter {
    RateLimiter::direct(
        Quota::with_period(CALL_SPACING)
            .unwrap_or_else(|| Quota::per_second(std::num::NonZeroU32::MIN)),
    )
}

/// One limiter per (account ID, Region), kept for the life of the process so that back-to-back runs (the
/// background job, then "Sync now", then live pages) share it. Only [`super::clients::AwsClients`] adds to it,
/// and only for a Region configured for the account, so it holds at most one entry per configured
/// account-Region whatever requests name.
#[derive(Default)]
pub(crate) struct CallLimiters(Mutex<HashMap<(String, String), Arc<CallLimiter>>>);

impl CallLimiters {
    /// The limiter of `account_id` in `region`, made on first use.
    pub(crate) fn get(&self, account_id: &str, region: &str) -> Arc<CallLimiter> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((account_id.to_owned(), region.to_owned()))
            .or_insert_with(|| Arc::new(call_limiter()))
            .clone()
    }

    /// How many account-Regions have a limiter.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}
