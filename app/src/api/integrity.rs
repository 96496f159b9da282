//! `/api/integrity/*`: what log file validation found (the stored results, per account × Region × trail), the
//! one-line summary Activity shows, and (for admins) a validation of every digest now.
use crate::error::AppError;
use crate::model::integrity::status::{IntegrityStatus, ValidationStarted};
use crate::model::integrity::summary::IntegritySummary;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// The stored report: per archive and account × Region × trail, each digest hour's state and every problem
/// with its key and reason, the last validation time, and the run going on now.
#[server(prefix = "/api", endpoint = "integrity/report", input = GetUrl, output = crate::api::JsonStr)]
pub async fn get_integrity_report() -> Result<IntegrityStatus, AppError> {
    crate::api::with_status(
        async {
            crate::ssr::auth::authorize(crate::ssr::auth::Role::Viewer).await?;
            let state = expect_context::<crate::ssr::state::AppState>();
            crate::ssr::integrity::service::status(&state).await
        }
        .await,
    )
}

/// Counts of what the stored validations found, and when they ran (Activity's integrity line).
#[server(prefix = "/api", endpoint = "integrity/summary", input = GetUrl, output = crate::api::JsonStr)]
pub async fn get_integrity_summary() -> Result<IntegritySummary, AppError> {
    crate::api::with_status(
        async {
            crate::ssr::auth::authorize(crate::ssr::auth::Role::Viewer).await?;
            let state = expect_context::<crate::ssr::state::AppState>();
            crate::ssr::integrity::service::summary(&state).await
        }
        .await,
    )
}

/// Starts validating every digest and log file of every archive, in the background. Admins only (audited);
/// `started: false` when a validation is already running; `Unavailable` with no archive configured.
#[server(prefix = "/api", endpoint = "integrity/validate", output = crate::api::JsonStr)]
pub async fn start_validation() -> Result<ValidationStarted, AppError> {
    crate::api::with_status(
        async {
            let by = crate::ssr::auth::authorize(crate::ssr::auth::Role::Admin).await?;
            let state = expect_context::<crate::ssr::state::AppState>();
            crate::ssr::integrity::service::start_full(&state, &by).await
        }
        .await,
    )
}
