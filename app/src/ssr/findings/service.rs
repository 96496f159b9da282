//! What the Findings page's server functions do: read the report, open one finding, sum them up for Activity,
//! and (admins) triage one, audited.
use super::api::{FindingsQuery, detail, report, unevaluable};
use crate::error::AppError;
use crate::model::findings::summary::FindingsSummary;
use crate::model::findings::triage::{Triage, TriageState, parse_note};
use crate::model::findings::{FindingDetail, FindingsFilter, FindingsReport};
use crate::ssr::audit::{Action, Outcome};
use crate::ssr::auth::{Principal, audit, audit_entry};
use crate::ssr::clock::now_secs;
use crate::ssr::state::AppState;

/// The findings `query` asks for (`Invalid` naming a bad key).
pub async fn findings(state: &AppState, query: FindingsQuery) -> Result<FindingsReport, AppError> {
    let filter = query.filter()?;
    let rules = state.findings.rules.clone();
    state
        .blocking(move |store| report(store, &rules, &filter))
        .await
}

/// Rule `rule_id`'s finding opened: its evidence events with their Events links.
///
/// Errors: `Invalid` on `rule` when blank; `NotFound` when the rule is not loaded or found nothing.
pub async fn finding(state: &AppState, rule_id: String) -> Result<FindingDetail, AppError> {
    let rule_id = rule_id.trim().to_owned();
    if rule_id.is_empty() {
        return Err(AppError::invalid("rule", "name a rule by its id"));
    }
    let rules = state.findings.rules.clone();
    state
        .blocking(move |store| detail(store, &rules, &rule_id))
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: "finding".to_owned(),
        })
}

/// Counts of the findings by severity and triage, for Activity's line: the states [`report`] gives, read from
/// a few index seeks per rule (`store::standings`), so the landing page does not build the whole report.
pub async fn summary(state: &AppState) -> Result<FindingsSummary, AppError> {
    let rules = state.findings.rules.clone();
    state
        .blocking(move |store| {
            let standings = super::store::standings(store, &rules)?;
            let unevaluable = unevaluable(store, &rules, &FindingsFilter::default())?;
            Ok::<_, super::FindingsError>(FindingsSummary::from_standings(
                standings,
                unevaluable.len() as u64,
                rules.info().len(),
                rules.problems().len() as u64,
            ))
        })
        .await
}

/// Records admin `by`'s decision `state` (with `note`) about rule `rule_id`'s finding, replacing the one before,
/// and audits it (`finding.triage`, target `RULE_ID: STATE`). It covers the matches up to `covered_through`
/// (the newest one the admin was shown), or all those stored now when not given.
///
/// Errors: `Invalid` naming `state`, `note` (blank or longer than the limit) or `covered_through` (negative);
/// `NotFound` when no loaded rule has that id.
pub async fn triage(
    state: &AppState,
    by: &Principal,
    rule_id: String,
    decision: String,
    note: String,
    covered_through: Option<i64>,
) -> Result<Triage, AppError> {
    if covered_through.is_some_and(|c| c < 0) {
        return Err(AppError::invalid(
            "covered_through",
            "name a match by its event's number (0 or more)",
        ));
    }
    let decision: TriageState = decision
        .parse()
        .map_err(|reason| AppError::invalid("state", reason))?;
    let note = parse_note(&note)?;
    let rule_id = rule_id.trim().to_owned();
    if !state.findings.rules.info().contains_key(&rule_id) {
        return Err(AppError::NotFound {
            what: "rule".to_owned(),
        });
    }
    let triage = Triage {
        state: decision,
        note,
        by: by.actor(),
        at_secs: now_secs(),
    };
    let saved = triage.clone();
    let target = format!("{rule_id}: {decision}");
    state
        .blocking(move |store| super::store::save_triage(store, &rule_id, &saved, covered_through))
        .await?;
    let entry = audit_entry(
        &triage.by,
        Action::FindingTriaged,
        Some(&target),
        Outcome::Succeeded,
    )
    .await;
    audit(state, entry).await?;
    Ok(triage)
}
