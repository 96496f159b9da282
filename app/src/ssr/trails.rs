//! The Trails service: the newest trail snapshot read as a coverage matrix or one trail's detail, and
//! refreshing the snapshot from AWS.
pub mod collect;

use crate::error::AppError;
use crate::model::trails::TrailsSnapshot;
use crate::model::trails::analysis::{self, TrailDetail, TrailMatrix};
use crate::model::trails::changes::SnapshotChanges;
use crate::ssr::audit::{Action, Outcome};
use crate::ssr::auth::{Principal, audit, audit_entry};
use crate::ssr::state::AppState;
use crate::ssr::store::trail_snapshots::{self, SnapshotSource};

async fn latest(state: &AppState) -> Result<TrailsSnapshot, AppError> {
    state
        .blocking(trail_snapshots::latest)
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: "a trails snapshot (configure AWS accounts, then refresh)".to_owned(),
        })
}

/// The Trails page's coverage matrix, gaps and CIS checks, from the newest snapshot.
///
/// Errors: [`AppError::NotFound`] when there is no snapshot yet.
pub async fn matrix(state: &AppState) -> Result<TrailMatrix, AppError> {
    Ok(analysis::matrix(&latest(state).await?))
}

/// One trail by ARN, from the newest snapshot.
///
/// Errors: [`AppError::NotFound`] when there is no snapshot or no such trail.
pub async fn detail(state: &AppState, trail_arn: &str) -> Result<TrailDetail, AppError> {
    analysis::trail_detail(&latest(state).await?, trail_arn).ok_or_else(|| AppError::NotFound {
        what: format!("trail {trail_arn}"),
    })
}

/// What changed between the two newest snapshots.
pub async fn changes(state: &AppState) -> Result<Option<SnapshotChanges>, AppError> {
    let snapshots = state
        .blocking(|store| trail_snapshots::newest(store, 2))
        .await?;
    Ok(match snapshots.as_slice() {
        [before, after] => Some(crate::model::trails::changes::changes(before, after)),
        _ => None,
    })
}

/// Reads every configured account and Region now and stores the snapshot.
pub async fn refresh(state: &AppState) -> Result<TrailsSnapshot, AppError> {
    if state.aws.is_empty() {
        return Err(AppError::Unavailable {
            what: "trail refresh (no AWS account is configured)".to_owned(),
        });
    }
    let snapshot = collect::collect(&state.aws, crate::ssr::clock::now_secs()).await;
    let saved = snapshot.clone();
    state
        .blocking(move |store| trail_snapshots::save(store, SnapshotSource::Aws, &saved))
        .await?;
    Ok(snapshot)
}

/// [`refresh`] at an admin's request (it spends the accounts' API quota), recorded in the audit log with the
/// number of Regions read.
pub async fn refresh_by(state: &AppState, by: &Principal) -> Result<(), AppError> {
    let snapshot = refresh(state).await?;
    let regions = snapshot.regions.len().to_string();
    let entry = audit_entry(
        &by.actor(),
        Action::TrailsRefreshed,
        Some(&regions),
        Outcome::Succeeded,
    )
    .await;
    audit(state, entry).await
}

/// `GET /api/trails/{arn}`: one trail as JSON, the same as `/api/trails/trail?arn=…` (an ARN reads more
/// naturally in the path for scripts). Behind the gate like every route.
pub async fn trail_json(
    axum::extract::State(state): axum::extract::State<AppState>,
    principal: Option<axum::Extension<crate::ssr::auth::Principal>>,
    axum::extract::Path(arn): axum::extract::Path<String>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let result = match principal {
        Some(_) => detail(&state, &arn).await,
        None => Err(AppError::Unauthorized),
    };
    match result {
        Ok(detail) => axum::Json(detail).into_response(),
        Err(error) => error.into_response(),
    }
}
