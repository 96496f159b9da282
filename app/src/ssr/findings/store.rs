//! Findings in the event file: every rule match (`finding_matches`), how far evaluation has read
//! (`findings_state`) and the passes it read in (`findings_passes`); see `findings::pass` for the evaluation.
use super::FindingsError;
use super::rules::RuleSet;
use crate::model::findings::standing;
use crate::model::findings::triage::{Triage, TriageState};
use crate::model::findings::{UNREADABLE_EXAMPLES, UnreadableRecord, UnreadableRecords};
use crate::ssr::store::Store;
use crate::ssr::store::event_id::StoredEventId;
use rusqlite::params;

mod hidden;
mod list;

pub use super::pass::{EvaluationOutcome, evaluate_new, reevaluate_all};
pub use hidden::drop_hidden_matches;
pub use list::{ADD_TO_DAYS, DAYS_MIGRATION, LIST_LIMIT, list};

/// The event-file migration that adds the findings tables (appended to `schema::MIGRATIONS`).
pub const MIGRATION: &str = r#"
-- Findings (issue 14): one row per rule match. `event` is the matching event (for a correlation, the event that
-- completed its window), `evidence` a correlation's window as a JSON array of eventIDs (NULL for a detection).
CREATE TABLE finding_matches (
  id INTEGER PRIMARY KEY,
  rule_id TEXT NOT NULL,
  event INTEGER NOT NULL,                 -- events.id
  event_id TEXT NOT NULL,                 -- the record's eventID
  event_time INTEGER NOT NULL,            -- epoch seconds, UTC
  account TEXT NOT NULL,                  -- recipientAccountId
  identity TEXT NOT NULL,                 -- userIdentity.arn, or its type
  evidence TEXT
);
CREATE INDEX finding_matches_by_rule ON finding_matches (rule_id, event_time);
-- How far evaluation has read: every event with events.id <= evaluated_through, with the rules whose digest is
-- rules_digest. A pass in progress reads the events up to pass_until in (event_time, id) order and has read them
-- up to (pass_time, pass_id); correlation_state is rsigma's CorrelationSnapshot (JSON) at that point.
CREATE TABLE findings_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  rules_digest TEXT NOT NULL,
  evaluated_through INTEGER NOT NULL,
  pass_until INTEGER,
  pass_time INTEGER,
  pass_id INTEGER,
  correlation_state TEXT NOT NULL
);
-- Where each pass ended (events.id), so a re-evaluation reads the events in the same passes.
CREATE TABLE findings_passes (until_id INTEGER PRIMARY KEY);
"#;

/// The event-file migration that adds the admins' triage of findings (appended to `schema::MIGRATIONS`).
pub const TRIAGE_MIGRATION: &str = r#"
-- Triage of findings (issue 14): an admin's decision about one rule's finding, with a note; the audit log keeps
-- every change (`finding.triage`), this row the current one. `state` is `TriageState::as_str`.
CREATE TABLE finding_triage (
  rule_id TEXT PRIMARY KEY,
  state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved', 'false_positive')),
  note TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  decided_at INTEGER NOT NULL             -- epoch seconds, UTC
) WITHOUT ROWID;
"#;

/// The event-file migration after which a triage covers only the matches stored when it was decided
/// (appended to `schema::MIGRATIONS` after the webhooks queue). A decision made before it covers the rule's
/// matches stored at migration time.
pub const TRIAGE_COVERS_MIGRATION: &str = r#"
-- The decision covers the rule's matches up to covered_through (the largest finding_matches.event of the rule
-- when decided; 0: none): a later match reopens the finding (`Finding::reopened`).
ALTER TABLE finding_triage ADD COLUMN covered_through INTEGER NOT NULL DEFAULT 0;
UPDATE finding_triage SET covered_through = coalesce(
  (SELECT max(m.event) FROM finding_matches m WHERE m.rule_id = finding_triage.rule_id), 0);
"#;

/// The event-file migration that records the events the rules could not read (appended to `schema::MIGRATIONS`
/// after the top-10 rollups). A store made before it has no such record until it is evaluated again.
pub const UNREADABLE_MIGRATION: &str = r#"
-- Records the findings evaluation skipped because the rules cannot read them (e.g. nested past the JSON parser's
-- limit), with the parser's reason; emptied when every event is evaluated again.
CREATE TABLE IF NOT EXISTS findings_unreadable (
  event INTEGER PRIMARY KEY,              -- events.id
  reason TEXT NOT NULL
);
"#;

/// The records (still stored) the rules could not read: how many, and the first [`UNREADABLE_EXAMPLES`] by
/// `events.id`. Blocking.
///
/// Errors: [`FindingsError::Store`].
pub fn unreadable(store: &Store) -> Result<UnreadableRecords, FindingsError> {
    Ok(store.read(|c| {
        let count: i64 = c.query_row(
            // CROSS JOIN keeps this order: the few unreadable records, each looked up among the events (the
            // planner otherwise read all 11M events of the bench store for an empty table: 0.32 s).
            "SELECT count(*) FROM findings_unreadable u CROSS JOIN events e ON e.id = u.event",
            [],
            |r| r.get(0),
        )?;
        let examples = c
            .prepare_cached(&format!(
                "SELECT e.event_id, u.reason FROM findings_unreadable u CROSS JOIN events e ON e.id = u.event
                 ORDER BY u.event LIMIT {UNREADABLE_EXAMPLES}"
            ))?
            .query_map([], |r| {
                Ok(UnreadableRecord {
                    event_id: r.get::<_, StoredEventId>(0)?.0,
                    reason: r.get(1)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(UnreadableRecords {
            count: count as u64,
            examples,
        })
    })?)
}

/// The event-file migration that indexes each rule's matches by their event (appended to `schema::MIGRATIONS`):
/// the newest match of a rule, and whether any came after a triage, are then one index seek each instead of a
/// read of all the rule's matches (Activity's findings line asks that of every rule on every load).
pub const BY_EVENT_MIGRATION: &str = r#"
CREATE INDEX IF NOT EXISTS finding_matches_by_rule_event ON finding_matches (rule_id, event);
"#;

/// The `meta` key of the folder of user rules the stored findings were evaluated with (`RuleSet::user_dir`,
/// empty for none), written when an evaluation starts over.
pub const RULES_DIR_KEY: &str = "findings.rules_dir";

/// The rules the stored findings were evaluated with: their digest (`RuleSet::digest`) and the folder of user
/// rules (empty: none); `None` when no evaluation started over since the folder was recorded. Blocking.
///
/// Errors: [`FindingsError::Store`].
pub fn evaluated_with(store: &Store) -> Result<Option<(String, String)>, FindingsError> {
    use rusqlite::OptionalExtension;
    Ok(store.read(|c| {
        Ok(c.query_row(
            "SELECT s.rules_digest, m.value FROM findings_state s JOIN meta m ON m.key = ?1 WHERE s.id = 1",
            [RULES_DIR_KEY],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
    })?)
}

/// The newest of rule `rule_id`'s matches (its event's `events.id`), 0 when it has none. Blocking.
///
/// Errors: [`FindingsError::Store`].
pub fn latest_match(store: &Store, rule_id: &str) -> Result<i64, FindingsError> {
    Ok(store.read(|c| {
        Ok(c.prepare_cached(
            "SELECT coalesce(max(event), 0) FROM finding_matches WHERE rule_id = ?1",
        )?
        .query_row([rule_id], |r| r.get(0))?)
    })?)
}

/// Stores `triage` as the decision about rule `rule_id`'s finding, replacing the one before. It covers the
/// rule's matches up to `covered_through` (`events.id`: the newest match the admin was shown, see
/// `FindingDetail::covered_through`; never past the newest stored), or when `None` those stored now; a later
/// one reopens the finding. Blocking.
///
/// Errors: [`FindingsError::Store`].
pub fn save_triage(
    store: &Store,
    rule_id: &str,
    triage: &Triage,
    covered_through: Option<i64>,
) -> Result<(), FindingsError> {
    store.write(|c| {
        c.execute(
            "INSERT INTO finding_triage (rule_id, state, note, decided_by, decided_at, covered_through)
             VALUES (?1, ?2, ?3, ?4, ?5,
                     min(coalesce(?6, 9223372036854775807),
                         (SELECT coalesce(max(event), 0) FROM finding_matches WHERE rule_id = ?1)))
             ON CONFLICT (rule_id) DO UPDATE SET state = ?2, note = ?3, decided_by = ?4, decided_at = ?5,
               covered_through = excluded.covered_through",
            params![
                rule_id,
                triage.state.as_str(),
                triage.note,
                triage.by,
                triage.at_secs,
                covered_through
            ],
        )
    })?;
    Ok(())
}

/// The decision about rule `rule_id`'s finding and the newest match it covers (`events.id`), if any (a state
/// this build does not know reads as none).
fn decision_of(c: &rusqlite::Connection, rule_id: &str) -> rusqlite::Result<Option<(Triage, i64)>> {
    use rusqlite::OptionalExtension;
    let row: Option<(String, String, String, i64, i64)> = c
        .prepare_cached(
            "SELECT state, note, decided_by, decided_at, covered_through FROM finding_triage WHERE rule_id = ?1",
        )?
        .query_row([rule_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let Some((state, note, by, at_secs, covered_through)) = row else {
        return Ok(None);
    };
    let Ok(state) = state.parse() else {
        return Ok(None);
    };
    let triage = Triage {
        state,
        note,
        by,
        at_secs,
    };
    Ok(Some((triage, covered_through)))
}

/// The decision about rule `rule_id`'s finding, if any, and how many of the rule's matches (in `account`, if
/// given) came after it.
pub(super) fn triage_of(
    c: &rusqlite::Connection,
    rule_id: &str,
    account: Option<&str>,
) -> rusqlite::Result<(Option<Triage>, u64)> {
    let Some((triage, covered_through)) = decision_of(c, rule_id)? else {
        return Ok((None, 0));
    };
    let since: i64 = c
        .prepare_cached(
            "SELECT count(*) FROM finding_matches WHERE rule_id = ?1 AND (?2 IS NULL OR account = ?2)
             AND event > ?3",
        )?
        .query_row(params![rule_id, account, covered_through], |r| r.get(0))?;
    Ok((Some(triage), since as u64))
}

/// Whether rule `rule_id` has a match whose event (`events.id`) is after `event` (`i64::MIN`: any match): one
/// seek on `finding_matches_by_rule_event`.
fn matched_after(c: &rusqlite::Connection, rule_id: &str, event: i64) -> rusqlite::Result<bool> {
    c.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM finding_matches WHERE rule_id = ?1 AND event > ?2)",
    )?
    .query_row(params![rule_id, event], |r| r.get(0))
}

/// Where each of `rules`' findings stands, with its rule's severity: one entry per rule with a match, in no
/// order. The same states as [`list`] gives without a filter, from a few index seeks per rule instead of a read
/// of every match, for Activity's findings line. Blocking.
///
/// Errors: [`FindingsError::Store`].
pub fn standings(
    store: &Store,
    rules: &RuleSet,
) -> Result<Vec<(crate::model::findings::Severity, TriageState)>, FindingsError> {
    Ok(store.read(|c| {
        let mut standings = Vec::new();
        for (rule_id, info) in rules.info() {
            if !matched_after(c, rule_id, i64::MIN)? {
                continue;
            }
            let state = match decision_of(c, rule_id)? {
                None => standing(None, false),
                Some((triage, covered)) => {
                    standing(Some(&triage), matched_after(c, rule_id, covered)?)
                }
            };
            standings.push((info.severity, state));
        }
        Ok(standings)
    })?)
}
