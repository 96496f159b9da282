//! The delivery queue in the event file: what is waiting for each webhook (`finding_deliveries`), how far the
//! matches were turned into deliveries (`findings_notified`), and each webhook's outcomes (`finding_webhooks`).
use super::Webhooks;
use super::payload::{NewMatches, Notification};
use crate::ssr::findings::FindingsError;
use crate::ssr::findings::rules::RuleSet;
use crate::ssr::findings::store::LIST_LIMIT;
use crate::ssr::store::{Store, StoreError};
use rusqlite::{OptionalExtension, Transaction, params};

/// The event-file migration that adds the webhook queue (appended to `schema::MIGRATIONS`).
pub const MIGRATION: &str = r#"
-- Findings webhooks (issue 14): one row per notification waiting for a webhook (deleted once delivered, dropped
-- or given up). A notification is one rule's new matches of the passes up to `through_event` (events.id); the
-- UNIQUE key makes it one delivery per finding per webhook. `payload` is the version-1 JSON notification.
CREATE TABLE finding_deliveries (
  id INTEGER PRIMARY KEY,
  webhook TEXT NOT NULL,                  -- the webhook's configured name
  rule_id TEXT NOT NULL,
  through_event INTEGER NOT NULL,
  payload TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL,       -- epoch milliseconds
  last_error TEXT,
  UNIQUE (webhook, rule_id, through_event)
);
-- The matches of events up to through_event (events.id) are queued or were there when webhooks were first set up.
CREATE TABLE findings_notified (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  through_event INTEGER NOT NULL
);
-- What each webhook's deliveries did: times are epoch seconds; `last_failure` is the reason, never the URL.
CREATE TABLE finding_webhooks (
  webhook TEXT PRIMARY KEY,
  delivered INTEGER NOT NULL DEFAULT 0,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  dropped INTEGER NOT NULL DEFAULT 0,     -- oldest waiting deliveries dropped to keep the queue bounded
  abandoned INTEGER NOT NULL DEFAULT 0,   -- deliveries given up after the last retry
  last_success_at INTEGER,
  last_failure_at INTEGER,
  last_failure TEXT
) WITHOUT ROWID;
CREATE INDEX finding_matches_by_event ON finding_matches (event);
"#;

/// Queues a notification for each rule with matches in the passes evaluated since the last call, for every webhook
/// whose minimum severity it reaches, and moves the cursor, in one transaction. The first call (no cursor yet) only
/// sets the cursor: findings already in the store when webhooks were first configured are not sent. Keeps at most
/// `max_queued` waiting per webhook, dropping the oldest. Blocking. Returns how many deliveries were queued.
///
/// Errors: [`FindingsError::Store`].
pub fn enqueue_new(
    store: &Store,
    rules: &RuleSet,
    webhooks: &Webhooks,
    now_ms: i64,
) -> Result<u64, FindingsError> {
    if webhooks.hooks().is_empty() {
        return Ok(0);
    }
    Ok(store.write(|conn| {
        let tx = conn.transaction()?;
        let through: i64 = tx
            .query_row(
                "SELECT evaluated_through FROM findings_state WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0);
        let cursor: Option<i64> = tx
            .query_row(
                "SELECT through_event FROM findings_notified WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let Some(cursor) = cursor else {
            tx.execute(
                "INSERT INTO findings_notified (id, through_event) VALUES (1, ?1)",
                [through],
            )?;
            tx.commit()?;
            return Ok::<_, StoreError>(0);
        };
        if through <= cursor {
            // Nothing new, or a full re-evaluation has not yet reached what was notified.
            return Ok(0);
        }
        let queued = queue_matches(&tx, rules, webhooks, cursor, through, now_ms)?;
        tx.execute(
            "UPDATE findings_notified SET through_event = ?1 WHERE id = 1",
            [through],
        )?;
        tx.commit()?;
        Ok(queued)
    })?)
}

fn queue_matches(
    tx: &Transaction<'_>,
    rules: &RuleSet,
    webhooks: &Webhooks,
    cursor: i64,
    through: i64,
    now_ms: i64,
) -> Result<u64, StoreError> {
    let groups: Vec<(String, i64, i64, i64)> = tx
        .prepare(
            "SELECT rule_id, count(*), min(event_time), max(event_time) FROM finding_matches
             WHERE event > ?1 AND event <= ?2 GROUP BY rule_id ORDER BY rule_id",
        )?
        .query_map([cursor, through], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut queued = 0;
    for (rule_id, count, first, last) in groups {
        let Some(rule) = rules.info().get(&rule_id) else {
            continue;
        };
        let targets: Vec<_> = webhooks
            .hooks()
            .iter()
            .filter(|h| rule.severity >= h.min_severity)
            .collect();
        if targets.is_empty() {
            continue;
        }
        let distinct = |column: &str| -> rusqlite::Result<Vec<String>> {
            tx.prepare(&format!(
                "SELECT DISTINCT {column} FROM finding_matches
                 WHERE rule_id = ?1 AND event > ?2 AND event <= ?3 ORDER BY 1 LIMIT {LIST_LIMIT}"
            ))?
            .query_map(params![rule_id, cursor, through], |r| r.get(0))?
            .collect()
        };
        let notification = Notification::new(NewMatches {
            rule,
            through_event: through,
            count: count as u64,
            first_seen_secs: first,
            last_seen_secs: last,
            accounts: distinct("account")?,
            identities: distinct("identity")?,
            link: webhooks.link(&rule_id),
        });
        let payload = serde_json::to_string(&notification).unwrap_or_default();
        for hook in targets {
            queued += tx.execute(
                "INSERT OR IGNORE INTO finding_deliveries (webhook, rule_id, through_event, payload, next_attempt_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![hook.name, rule_id, through, payload, now_ms],
            )? as u64;
        }
    }
    let max = i64::from(webhooks.policy().max_queued);
    for hook in webhooks.hooks() {
        let dropped = tx.execute(
            "DELETE FROM finding_deliveries WHERE webhook = ?1 AND id NOT IN
               (SELECT id FROM finding_deliveries WHERE webhook = ?1 ORDER BY id DESC LIMIT ?2)",
            params![hook.name, max],
        )?;
        if dropped > 0 {
            tracing::warn!(webhook = %hook.name, dropped, "findings webhook queue full: the oldest deliveries were dropped");
            touch(tx, &hook.name)?;
            tx.execute(
                "UPDATE finding_webhooks SET dropped = dropped + ?2 WHERE webhook = ?1",
                params![hook.name, dropped as i64],
            )?;
        }
    }
    Ok(queued)
}

/// Makes sure `webhook` has a status row.
fn touch(tx: &rusqlite::Connection, webhook: &str) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO finding_webhooks (webhook) VALUES (?1)",
        [webhook],
    )?;
    Ok(())
}

/// A delivery waiting for its webhook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// Its row.
    pub id: i64,
    /// The notification.
    pub notification: Notification,
    /// Attempts made so far.
    pub attempts: u32,
}

/// What a webhook's task should do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// Send this delivery now.
    Send(Box<Delivery>),
    /// Nothing is due before this time (epoch ms).
    WaitUntil(i64),
    /// Nothing is waiting.
    Idle,
}

/// The oldest delivery of `webhook` due at `now_ms`, or when the next one is due. Blocking.
///
/// Errors: [`StoreError`]. A payload that does not parse is dropped with a warning.
pub fn next(store: &Store, webhook: &str, now_ms: i64) -> Result<Next, StoreError> {
    let row = store.read(|c| {
        Ok(c.query_row(
            "SELECT id, payload, attempts, next_attempt_ms FROM finding_deliveries WHERE webhook = ?1
             ORDER BY next_attempt_ms, id LIMIT 1",
            [webhook],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u32>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            },
        )
        .optional()?)
    })?;
    let Some((id, payload, attempts, due_ms)) = row else {
        return Ok(Next::Idle);
    };
    if due_ms > now_ms {
        return Ok(Next::WaitUntil(due_ms));
    }
    match serde_json::from_str(&payload) {
        Ok(notification) => Ok(Next::Send(Box::new(Delivery {
            id,
            notification,
            attempts,
        }))),
        Err(error) => {
            tracing::warn!(webhook, %error, "a queued findings notification is unreadable; dropped");
            store.write(|c| c.execute("DELETE FROM finding_deliveries WHERE id = ?1", [id]))?;
            Ok(Next::Idle)
        }
    }
}

/// Records that `delivery` reached `webhook` at `now_secs`: it leaves the queue. Blocking.
///
/// Errors: [`StoreError`].
pub fn delivered(
    store: &Store,
    webhook: &str,
    delivery: &Delivery,
    now_secs: i64,
) -> Result<(), StoreError> {
    Ok(store.write(|c| {
        let tx = c.transaction()?;
        tx.execute(
            "DELETE FROM finding_deliveries WHERE id = ?1",
            [delivery.id],
        )?;
        touch(&tx, webhook)?;
        tx.execute(
            "UPDATE finding_webhooks SET delivered = delivered + 1, last_success_at = ?2 WHERE webhook = ?1",
            params![webhook, now_secs],
        )?;
        tx.commit()
    })?)
}

/// Records a failed attempt of `delivery` for `reason`: retried `retry_in_ms` later, or given up (removed and
/// counted as abandoned) when `retry_in_ms` is `None`. Blocking.
///
/// Errors: [`StoreError`].
pub fn failed(
    store: &Store,
    webhook: &str,
    delivery: &Delivery,
    reason: &str,
    retry_in_ms: Option<u64>,
    now_ms: i64,
) -> Result<(), StoreError> {
    Ok(store.write(|c| {
        let tx = c.transaction()?;
        match retry_in_ms {
            Some(wait) => tx.execute(
                "UPDATE finding_deliveries SET attempts = attempts + 1, next_attempt_ms = ?2, last_error = ?3
                 WHERE id = ?1",
                params![
                    delivery.id,
                    now_ms.saturating_add(wait as i64),
                    reason
                ],
            )?,
            None => tx.execute(
                "DELETE FROM finding_deliveries WHERE id = ?1",
                [delivery.id],
            )?,
        };
        touch(&tx, webhook)?;
        tx.execute(
            "UPDATE finding_webhooks SET failed_attempts = failed_attempts + 1, last_failure_at = ?2,
               last_failure = ?3, abandoned = abandoned + ?4
             WHERE webhook = ?1",
            params![
                webhook,
                now_ms / 1000,
                reason,
                i64::from(retry_in_ms.is_none())
            ],
        )?;
        tx.commit()
    })?)
}
