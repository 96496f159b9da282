//! Reading findings: the report every reader (the `/api/findings` endpoint, the Findings page, `trailscope
//! findings`) shares, one finding opened with its evidence, and the rules the store cannot feed.
use super::FindingsError;
use super::rules::RuleSet;
use super::store::list;
use crate::error::AppError;
use crate::model::events::EventCategory;
use crate::model::events::pivot::{Window, pivot};
use crate::model::findings::{
    EvidenceEvent, FindingDetail, FindingsFilter, FindingsReport, Unevaluable,
};
use crate::ssr::state::AppState;
use crate::ssr::store::Store;
use crate::ssr::store::search;

pub use crate::model::findings::query::FindingsQuery;

/// The findings of `rules` that pass `filter`, the rules that cannot evaluate here, and the rule files that
/// were skipped. Blocking.
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
        unevaluable: unevaluable(store, rules, filter)?,
        unreadable: super::store::unreadable(store)?,
    })
}

/// The rules (passing `filter`'s severity and rule) that read an `eventCategory` of which the store holds no
/// event, e.g. a rule over data events in a store that never received one. None when `filter` asks for a triage
/// state: such a rule has no finding to triage. Blocking.
///
/// Errors: [`FindingsError::Store`].
pub fn unevaluable(
    store: &Store,
    rules: &RuleSet,
    filter: &FindingsFilter,
) -> Result<Vec<Unevaluable>, FindingsError> {
    if filter.state.is_some() {
        return Ok(Vec::new());
    }
    let mut needed: Vec<EventCategory> = Vec::new();
    for category in rules.info().values().filter_map(|r| r.needs) {
        if !needed.contains(&category) {
            needed.push(category);
        }
    }
    // The hourly rollup has a row for every hour, account, Region and category with events: a few rows to read.
    let missing: Vec<EventCategory> = store.read(|c| {
        let mut missing = Vec::new();
        for category in needed {
            let any: bool = c
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM rollup_hourly WHERE category = ?1 AND events > 0)",
                )?
                .query_row([category.code()], |r| r.get(0))?;
            if !any {
                missing.push(category);
            }
        }
        Ok(missing)
    })?;
    let mut rules: Vec<Unevaluable> = rules
        .info()
        .values()
        .filter(|r| filter.rule.as_ref().is_none_or(|id| *id == r.id))
        .filter(|r| filter.severity.is_none_or(|s| r.severity >= s))
        .filter_map(|r| {
            let missing = r.needs.filter(|n| missing.contains(n))?;
            Some(Unevaluable {
                rule_id: r.id.clone(),
                title: r.title.clone(),
                severity: r.severity,
                missing,
                reason: Unevaluable::reason_for(missing),
            })
        })
        .collect();
    rules.sort_by(|a, b| (b.severity, &a.title).cmp(&(a.severity, &b.title)));
    Ok(rules)
}

/// Rule `rule_id`'s finding with its rule's description and fix and its evidence events (those still stored,
/// newest first), each with the Events search that shows it: its event ID, ±15 minutes around its time.
/// `None` when the rule is not loaded or found nothing. Blocking.
///
/// Errors: [`FindingsError::Store`].
pub fn detail(
    store: &Store,
    rules: &RuleSet,
    rule_id: &str,
) -> Result<Option<FindingDetail>, FindingsError> {
    let Some(info) = rules.info().get(rule_id) else {
        return Ok(None);
    };
    let filter = FindingsFilter {
        rule: Some(rule_id.to_owned()),
        ..FindingsFilter::default()
    };
    // Read before the finding, so it never covers a match the finding read does not show.
    let covered_through = super::store::latest_match(store, rule_id)?;
    let Some(finding) = list(store, rules, &filter)?.into_iter().next() else {
        return Ok(None);
    };
    let events = store.read(|c| {
        let mut events = Vec::new();
        for id in &finding.evidence_event_ids {
            let Some((event, _)) = search::summary(c, id)? else {
                continue;
            };
            let in_events = pivot(&[("id", id.as_str())], event.time, Window::NEAR);
            // Built from typed values; a link the Events page would refuse is not offered.
            if in_events.parse().is_ok() {
                events.push(EvidenceEvent { event, in_events });
            }
        }
        Ok(events)
    })?;
    Ok(Some(FindingDetail {
        finding,
        description: info.description.clone(),
        fix: info.fix.clone(),
        file: info.file.clone(),
        events,
        covered_through,
    }))
}

/// `GET /api/findings`: the findings as JSON ([`FindingsReport`]), filterable by `severity` (at least),
/// `state`, `rule` and `account` ([`FindingsQuery`]). Behind the gate like every route; 401 without a session
/// or token, 400 (JSON) naming a bad or repeated key.
pub async fn findings_json(
    axum::extract::State(state): axum::extract::State<AppState>,
    principal: Option<axum::Extension<crate::ssr::auth::Principal>>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let result = async {
        if principal.is_none() {
            return Err(AppError::Unauthorized);
        }
        let filter =
            FindingsQuery::from_query_string(query.as_deref().unwrap_or_default())?.filter()?;
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
