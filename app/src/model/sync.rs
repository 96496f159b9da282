//! Event History sync status per account and Region, as the UI and scripts see it.
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub account: String,
    pub region: String,
    /// Every event up to this time (epoch seconds) is stored.
    pub synced_until: i64,
    /// How far behind now the stored history ends, when the status was read (seconds).
    pub lag_secs: i64,
    /// Whether a run is part way (it resumes where it stopped).
    pub in_progress: bool,
    pub last_success_at: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_at: Option<i64>,
    /// Events this sync has stored (new ones, not duplicates).
    pub events_stored: i64,
    /// An opt-in Region this account has not enabled (it answers every call with an error).
    pub region_not_enabled: bool,
}
