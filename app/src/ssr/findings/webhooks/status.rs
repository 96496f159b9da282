//! `GET /api/findings/webhooks` (admins): each configured webhook with its waiting deliveries and its last
//! success and failure, so a failing receiver is seen without reading the log.
use super::{WebhookKind, Webhooks};
use crate::error::AppError;
use crate::model::findings::Severity;
use crate::ssr::auth::{Principal, Role};
use crate::ssr::state::AppState;
use crate::ssr::store::{Store, StoreError};
use rusqlite::OptionalExtension;
use serde::Serialize;

/// One webhook's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WebhookStatus {
    /// Its configured name.
    pub name: String,
    /// The body it takes.
    pub kind: WebhookKind,
    /// The least severe finding it is sent.
    pub min_severity: Severity,
    /// Scheme, host and port of its URL only (`https://hooks.slack.com/…`).
    pub target: String,
    /// Deliveries waiting (new or to be retried).
    pub pending: u64,
    /// Deliveries that reached it.
    pub delivered: u64,
    /// Attempts that failed (each retry counts).
    pub failed_attempts: u64,
    /// Deliveries dropped unsent because its queue was full.
    pub dropped: u64,
    /// Deliveries given up after the last retry.
    pub abandoned: u64,
    /// When a delivery last succeeded (epoch seconds).
    pub last_success_secs: Option<i64>,
    /// When an attempt last failed (epoch seconds).
    pub last_failure_secs: Option<i64>,
    /// Why it failed (`HTTP 500 Internal Server Error`, a connection error, a timeout).
    pub last_failure: Option<String>,
}

/// The answer of `GET /api/findings/webhooks`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WebhooksReport {
    /// In configuration order.
    pub webhooks: Vec<WebhookStatus>,
}

/// The state of every configured webhook. Blocking.
///
/// Errors: [`StoreError`].
pub fn report(store: &Store, webhooks: &Webhooks) -> Result<WebhooksReport, StoreError> {
    store.read(|c| {
        let mut out = Vec::new();
        for hook in webhooks.hooks() {
            let pending: i64 = c.query_row(
                "SELECT count(*) FROM finding_deliveries WHERE webhook = ?1",
                [&hook.name],
                |r| r.get(0),
            )?;
            let row = c
                .query_row(
                    "SELECT delivered, failed_attempts, dropped, abandoned, last_success_at, last_failure_at,
                       last_failure FROM finding_webhooks WHERE webhook = ?1",
                    [&hook.name],
                    |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, i64>(2)?,
                            r.get::<_, i64>(3)?,
                            r.get(4)?,
                            r.get(5)?,
                            r.get(6)?,
                        ))
                    },
                )
                .optional()?;
            let (delivered, failed, dropped, abandoned, success, failure_at, failure) =
                row.unwrap_or((0, 0, 0, 0, None, None, None));
            out.push(WebhookStatus {
                name: hook.name.clone(),
                kind: hook.kind,
                min_severity: hook.min_severity,
                target: hook.target(),
                pending: pending as u64,
                delivered: delivered as u64,
                failed_attempts: failed as u64,
                dropped: dropped as u64,
                abandoned: abandoned as u64,
                last_success_secs: success,
                last_failure_secs: failure_at,
                last_failure: failure,
            });
        }
        Ok(WebhooksReport { webhooks: out })
    })
}

/// `GET /api/findings/webhooks`: [`WebhooksReport`] as JSON; 401 without a session or token, 403 for a viewer.
pub async fn webhooks_json(
    axum::extract::State(state): axum::extract::State<AppState>,
    principal: Option<axum::Extension<Principal>>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let result = async {
        match principal {
            None => return Err(AppError::Unauthorized),
            Some(p) if !p.role.allows(Role::Admin) => return Err(AppError::Forbidden),
            Some(_) => {}
        }
        let findings = state.findings.clone();
        state
            .blocking(move |store| report(store, &findings.webhooks))
            .await
    }
    .await;
    match result {
        Ok(report) => axum::Json(report).into_response(),
        Err(error) => error.into_response(),
    }
}
