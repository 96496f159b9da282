//! Event History sync status per account and Region, as the UI and scripts see it.
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
/// The Event History sync status of one account and Region.
pub struct SyncStatus {
    /// The 12-digit account ID. (Wire name; kept as `account`.)
    pub account: String,
    /// The Region code, e.g. `us-east-1`.
    pub region: String,
    /// Every event up to this time (epoch seconds) is stored.
    pub synced_until: i64,
    /// How far behind now the stored history ends, when the status was read (seconds).
    pub lag_secs: i64,
    /// Whether a run is part way (it resumes where it stopped).
    pub in_progress: bool,
    /// When a run last finished without error: epoch seconds UTC.
    pub last_success_at: Option<i64>,
    /// The last run's error, if it failed.
    pub last_error: Option<String>,
    /// When the last error happened: epoch seconds UTC.
    pub last_error_at: Option<i64>,
    /// Events this sync has stored (new ones, not duplicates).
    pub events_stored: i64,
    /// An opt-in Region this account has not enabled (it answers every call with an error).
    pub region_not_enabled: bool,
}
