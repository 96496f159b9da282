//! `/api/findings/*`: the Findings page's data (the report, one finding opened, Activity's summary line) and,
//! for admins, triage. `GET /api/findings` (a plain route) gives the same report to scripts.
use crate::error::AppError;
use crate::model::findings::query::FindingsQuery;
use crate::model::findings::summary::FindingsSummary;
use crate::model::findings::triage::Triage;
use crate::model::findings::{FindingDetail, FindingsReport};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// The findings, one per rule, most severe first, filtered by the page's URL keys (`severity` at least,
/// `state`, `rule`, `account`), with the rules that cannot evaluate here.
#[server(prefix = "/api", endpoint = "findings/report", input = GetUrl, output = crate::api::JsonStr)]
pub async fn get_findings(
    /// The Findings page's URL keys.
    #[server(flatten)]
    #[server(default)]
    query: FindingsQuery,
) -> Result<FindingsReport, AppError> {
    crate::api::with_status(
        async {
            crate::ssr::auth::authorize(crate::ssr::auth::Role::Viewer).await?;
            let state = expect_context::<crate::ssr::state::AppState>();
            crate::ssr::findings::service::findings(&state, query).await
        }
        .await,
    )
}

/// One rule's finding opened: the rule's description and fix, and its evidence events with their Events links.
/// `NotFound` when the rule found nothing.
#[server(prefix = "/api", endpoint = "findings/finding", input = GetUrl, output = crate::api::JsonStr)]
pub async fn get_finding(
    /// The rule's Sigma `id`.
    #[server(default)]
    rule: String,
) -> Result<FindingDetail, AppError> {
    crate::api::with_status(
        async {
            crate::ssr::auth::authorize(crate::ssr::auth::Role::Viewer).await?;
            let state = expect_context::<crate::ssr::state::AppState>();
            crate::ssr::findings::service::finding(&state, rule).await
        }
        .await,
    )
}

/// Open findings by severity, how many are triaged and how many rules cannot evaluate (Activity's line).
#[server(prefix = "/api", endpoint = "findings/summary", input = GetUrl, output = crate::api::JsonStr)]
pub async fn get_findings_summary() -> Result<FindingsSummary, AppError> {
    crate::api::with_status(
        async {
            crate::ssr::auth::authorize(crate::ssr::auth::Role::Viewer).await?;
            let state = expect_context::<crate::ssr::state::AppState>();
            crate::ssr::findings::service::summary(&state).await
        }
        .await,
    )
}

/// Marks a rule's finding `acknowledged`, `resolved`, `false_positive` (or `open` again) with a note. Admins
/// only; audited (`finding.triage`).
#[server(prefix = "/api", endpoint = "findings/triage", output = crate::api::JsonStr)]
pub async fn triage_finding(
    /// The rule's Sigma `id`.
    #[server(default)]
    rule: String,
    /// `open`, `acknowledged`, `resolved` or `false_positive`.
    #[server(default)]
    state: String,
    /// Why (required, at most 2,000 characters).
    #[server(default)]
    note: String,
    /// The newest match the admin was shown (`FindingDetail::covered_through`); the decision covers the matches
    /// up to it. Absent: those stored when it is saved.
    #[server(default)]
    covered_through: Option<i64>,
) -> Result<Triage, AppError> {
    crate::api::with_status(
        async {
            let by = crate::ssr::auth::authorize(crate::ssr::auth::Role::Admin).await?;
            let app = expect_context::<crate::ssr::state::AppState>();
            crate::ssr::findings::service::triage(&app, &by, rule, state, note, covered_through)
                .await
        }
        .await,
    )
}
