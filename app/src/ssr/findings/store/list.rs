//! The findings report's rows, read from the matches summed per rule, day, account and identity
//! (`finding_days`), so the Findings page reads a few thousand rows however many matches a rule has: a rule
//! matching every refused call had 315,067 matches on the 10M-event bench store (BENCHMARKS.md, Findings page).
use super::super::FindingsError;
use super::super::rules::RuleSet;
use super::triage_of;
use crate::model::findings::daily::DailyMatches;
use crate::model::findings::{EVIDENCE_LIMIT, Finding, FindingsFilter};
use crate::ssr::store::Store;
use rusqlite::params;
use std::collections::HashMap;

/// The event-file migration that sums the matches per rule, UTC day, account and identity (appended to
/// `schema::MIGRATIONS`), from those stored; evaluation adds each match it stores after ([`ADD_TO_DAYS`]).
pub const DAYS_MIGRATION: &str = r#"
-- The matches of finding_matches summed per rule, day of event_time (epoch seconds of its 00:00 UTC), account
-- and identity: how many, the first time (a correlation's window start; event_time for matches stored before)
-- and the last event_time. Each match stored adds to its row (ADD_TO_DAYS); the two deletions of matches (every
-- match before a full re-evaluation, those of the rules only a correlation uses) delete the rule's rows.
CREATE TABLE IF NOT EXISTS finding_days (
  rule_id TEXT NOT NULL,
  day INTEGER NOT NULL,
  account TEXT NOT NULL,
  identity TEXT NOT NULL,
  matches INTEGER NOT NULL,
  first_time INTEGER NOT NULL,
  last_time INTEGER NOT NULL,
  PRIMARY KEY (rule_id, day, account, identity)
) WITHOUT ROWID;
INSERT OR REPLACE INTO finding_days
  SELECT rule_id, event_time / 86400 * 86400, account, identity, count(*), min(event_time), max(event_time)
  FROM finding_matches GROUP BY 1, 2, 3, 4;
"#;

/// Adds one stored match to its `finding_days` row: parameters rule id, `event_time`, account, identity and
/// the time the match began (epoch seconds).
pub const ADD_TO_DAYS: &str = "INSERT INTO finding_days VALUES (?1, ?2 / 86400 * 86400, ?3, ?4, 1, ?5, ?2)
  ON CONFLICT DO UPDATE SET matches = matches + 1, first_time = min(first_time, excluded.first_time),
    last_time = max(last_time, excluded.last_time)";

/// At most this many accounts or identities are listed with a finding.
pub const LIST_LIMIT: usize = 100;

/// The findings of `rules` in the store that pass `filter`, most severe first, then latest first. Blocking.
///
/// Errors: [`FindingsError::Store`].
pub fn list(
    store: &Store,
    rules: &RuleSet,
    filter: &FindingsFilter,
) -> Result<Vec<Finding>, FindingsError> {
    let account = filter.account.as_deref();
    let mut findings = store.read(|c| {
        let totals: HashMap<String, (u64, i64, i64)> = c
            .prepare_cached(
                "SELECT rule_id, sum(matches), min(first_time), max(last_time) FROM finding_days
                 WHERE ?1 IS NULL OR account = ?1 GROUP BY rule_id",
            )?
            .query_map([account], |r| {
                Ok((r.get(0)?, (r.get::<_, i64>(1)? as u64, r.get(2)?, r.get(3)?)))
            })?
            .collect::<Result<_, _>>()?;
        let mut findings = Vec::new();
        for (rule_id, (count, first, last)) in totals {
            let Some(info) = rules.info().get(&rule_id) else {
                continue;
            };
            if count == 0
                || filter.rule.as_ref().is_some_and(|r| *r != rule_id)
                || filter.severity.is_some_and(|s| info.severity < s)
            {
                continue;
            }
            let (triage, new_matches_since_triage) = triage_of(c, &rule_id, account)?;
            let mut finding = Finding {
                rule_id: rule_id.clone(),
                title: info.title.clone(),
                severity: info.severity,
                technique: info.technique.clone(),
                first_seen_secs: first,
                last_seen_secs: last,
                count,
                accounts: Vec::new(),
                identities: Vec::new(),
                evidence_event_ids: Vec::new(),
                daily_matches: DailyMatches::default(),
                triage,
                new_matches_since_triage,
            };
            if filter.state.is_some_and(|s| s != finding.state()) {
                continue;
            }
            let distinct = |column: &str| -> rusqlite::Result<Vec<String>> {
                c.prepare_cached(&format!(
                    "SELECT DISTINCT {column} FROM finding_days WHERE rule_id = ?1 AND (?2 IS NULL OR account = ?2)
                     ORDER BY 1 LIMIT {LIST_LIMIT}"
                ))?
                .query_map(params![rule_id, account], |r| r.get(0))?
                .collect()
            };
            finding.accounts = distinct("account")?;
            finding.identities = distinct("identity")?;
            finding.evidence_event_ids = evidence(c, &rule_id, account)?;
            findings.push(finding);
        }
        // One span of days for every sparkline, so they compare, whatever the filter: the days before the
        // newest match in the store.
        let latest: Option<i64> = if findings.is_empty() {
            None
        } else {
            c.query_row("SELECT max(last_time) FROM finding_days", [], |r| r.get(0))?
        };
        if let Some(latest) = latest {
            let mut stmt = c.prepare_cached(
                "SELECT day, sum(matches) FROM finding_days
                 WHERE rule_id = ?1 AND (?2 IS NULL OR account = ?2) AND day >= ?3 GROUP BY day",
            )?;
            for finding in &mut findings {
                let mut daily = DailyMatches::ending(latest);
                let rows = stmt.query_map(
                    params![finding.rule_id, account, daily.first_day_secs],
                    |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
                )?;
                for row in rows {
                    let (day, n) = row?;
                    daily.add(day, n as u64);
                }
                finding.daily_matches = daily;
            }
        }
        Ok(findings)
    })?;
    findings.sort_by(|a, b| {
        (b.severity, b.last_seen_secs, &a.rule_id).cmp(&(a.severity, a.last_seen_secs, &b.rule_id))
    });
    Ok(findings)
}

/// The `eventID`s of rule `rule_id`'s newest matches (in `account`, if given), a correlation's window newest
/// first, at most [`EVIDENCE_LIMIT`] without repeats.
fn evidence(
    c: &rusqlite::Connection,
    rule_id: &str,
    account: Option<&str>,
) -> rusqlite::Result<Vec<String>> {
    let mut evidence: Vec<String> = Vec::new();
    let mut stmt = c.prepare_cached(&format!(
        "SELECT event_id, evidence FROM finding_matches WHERE rule_id = ?1 AND (?2 IS NULL OR account = ?2)
         ORDER BY event_time DESC, id DESC LIMIT {EVIDENCE_LIMIT}"
    ))?;
    let mut rows = stmt.query(params![rule_id, account])?;
    while let Some(row) = rows.next()? {
        let window: Option<String> = row.get(1)?;
        let ids: Vec<String> = match window {
            Some(json) => serde_json::from_str::<Vec<String>>(&json)
                .unwrap_or_default()
                .into_iter()
                .rev()
                .collect(),
            None => vec![row.get(0)?],
        };
        for id in ids {
            if evidence.len() < EVIDENCE_LIMIT && !evidence.contains(&id) {
                evidence.push(id);
            }
        }
    }
    Ok(evidence)
}
