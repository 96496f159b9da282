//! `/api/trails/*`: which trails cover each account and Region, one trail in full, and (for admins) a refresh
//! from AWS now.
use crate::error::AppError;
use crate::model::trails::analysis::{TrailDetail, TrailMatrix};
use crate::model::trails::changes::SnapshotChanges;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// The region × account coverage matrix of the newest snapshot, with gaps and CIS checks.
#[server(prefix = "/api", endpoint = "trails/matrix", input = GetUrl, output = crate::api::JsonStr)]
pub async fn get_trail_matrix() -> Result<TrailMatrix, AppError> {
    crate::api::with_status(
        async {
            crate::ssr::auth::authorize(crate::ssr::auth::Role::Viewer).await?;
            let state = expect_context::<crate::ssr::state::AppState>();
            crate::ssr::trails::matrix(&state).await
        }
        .await,
    )
}

/// One trail by ARN: configuration, status, decoded selectors and the raw JSON.
#[server(prefix = "/api", endpoint = "trails/trail", input = GetUrl, output = crate::api::JsonStr)]
pub async fn get_trail(
    /// The trail's `TrailARN`.
    arn: String,
) -> Result<TrailDetail, AppError> {
    crate::api::with_status(
        async {
            crate::ssr::auth::authorize(crate::ssr::auth::Role::Viewer).await?;
            let state = expect_context::<crate::ssr::state::AppState>();
            crate::ssr::trails::detail(&state, &arn).await
        }
        .await,
    )
}

/// Reads trail configuration from every configured account and Region now and stores a new snapshot. Admins
/// only: it spends the accounts' API quota (`Forbidden` for viewers, `Unavailable` with no account configured).
#[server(prefix = "/api", endpoint = "trails/refresh", output = crate::api::JsonStr)]
pub async fn refresh_trails() -> Result<(), AppError> {
    crate::api::with_status(
        async {
            let by = crate::ssr::auth::authorize(crate::ssr::auth::Role::Admin).await?;
            let state = expect_context::<crate::ssr::state::AppState>();
            crate::ssr::trails::refresh_by(&state, &by).await
        }
        .await,
    )
}

/// What changed between the two newest snapshots (`None` with fewer than two).
#[server(prefix = "/api", endpoint = "trails/changes", input = GetUrl, output = crate::api::JsonStr)]
pub async fn get_trail_changes() -> Result<Option<SnapshotChanges>, AppError> {
    crate::api::with_status(
        async {
            crate::ssr::auth::authorize(crate::ssr::auth::Role::Viewer).await?;
            let state = expect_context::<crate::ssr::state::AppState>();
            crate::ssr::trails::changes(&state).await
        }
        .await,
    )
}
