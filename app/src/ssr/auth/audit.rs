//! Recording the current request's sensitive actions in the audit log (`ssr::audit` keeps it).
use super::client_address;
use crate::error::AppError;
use crate::ssr::audit::{self, Action, Outcome};
use crate::ssr::state::AppState;

/// Records a sensitive action in the audit log. A failure to record is logged, and returned, so that the
/// caller can refuse an action it could not account for.
pub async fn audit(state: &AppState, entry: audit::Entry) -> Result<(), AppError> {
    state
        .auth_blocking(move |store| audit::record(store, &entry))
        .await
}

/// An audit entry by the current request's principal (or `actor`) from the current client address.
pub async fn audit_entry(
    actor: &str,
    action: Action,
    target: Option<&str>,
    outcome: Outcome,
) -> audit::Entry {
    audit::Entry {
        actor: actor.to_owned(),
        action,
        target: target.map(str::to_owned),
        client_ip: client_address().await,
        outcome,
    }
}
