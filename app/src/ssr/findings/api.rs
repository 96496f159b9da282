//! Reading findings: the report every reader (the `/api/findings` endpoint, `trailscope findings`) shares.
use super::FindingsError;
use super::rules::RuleSet;
use super::store::list;
use crate::error::AppError;
use crate::model::findings::{FindingsFilter, FindingsReport, Severity};
use crate::ssr::state::AppState;
use crate::ssr::store::Store;
use serde::Deserialize;

/// The findings of `rules` that pass `filter`, with the rule files that were skipped. Blocking.
///
/// Errors: [`FindingsError::Store`].
pub fn report(
    store: &Store,
    rules: &RuleSet,
    filter: &FindingsFilter,
) -> Result<FindingsReport, FindingsError> {
    Ok(FindingsReport {
        findings: list(store, rules, filter)?,
        rule_problems: rules.problems().to_vec(),
        rules: rules.info().len(),
    })
}

/// The query string of `GET /api/findings`: `severity` (at least; `informational` … `critical`), `rule` (a
/// rule id), `account` (a 12-digit account ID). Empty values mean no filter.
#[derive(Debug, Default, Deserialize)]
pub struct FindingsQuery {
    /// Minimum severity.
    pub severity: Option<String>,
    /// One rule's id.
    pub rule: Option<String>,
    /// One account.
    pub account: Option<String>,
}

impl FindingsQuery {
    /// The filter this query asks for.
    ///
    /// Errors: [`AppError::Invalid`] naming `severity` when it is not a Sigma level.
    pub fn filter(self) -> Result<FindingsFilter, AppError> {
        let given = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
        let severity = given(self.severity)
            .map(|s| s.parse::<Severity>())
            .transpose()
            .map_err(|reason| AppError::invalid("severity", reason))?;
        Ok(FindingsFilter {
            severity,
            rule: given(self.rule),
            account: given(self.account),
        })
    }
}

/// `GET /api/findings`: the findings as JSON ([`FindingsReport`]), filterable by `severity`, `rule` and
/// `account`. Behind the gate like every route; 401 without a session or token.
pub async fn findings_json(
    axum::extract::State(state): axum::extract::State<AppState>,
    principal: Option<axum::Extension<crate::ssr::auth::Principal>>,
    axum::extract::Query(query): axum::extract::Query<FindingsQuery>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let result = async {
        if principal.is_none() {
            return Err(AppError::Unauthorized);
        }
        let filter = query.filter()?;
        let rules = state.findings.rules.clone();
        state
            .blocking(move |store| report(store, &rules, &filter))
            .await
    }
    .await;
    match result {
        Ok(report) => axum::Json(report).into_response(),
        Err(error) => error.into_response(),
    }
}
