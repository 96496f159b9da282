//! Evaluation in passes. A pass takes every event the store received since the last pass (`events.id` above
//! `evaluated_through`, up to the newest at the pass's start) and reads them in time order (`eventTime`, then
//! `events.id`), so correlation windows see each pass's events as they happened even when they arrived out of order
//! (Event History sync reads newest first; an archive ingest goes file by file). A pass commits in pages, each with
//! its matches, its position and the correlation windows; its end is recorded in `findings_passes`, and a
//! re-evaluation (after the rules changed) reads the same passes again. So evaluating incrementally, across
//! restarts, or all over again finds the same. Events of a pass older than the previous pass's windows (a late
//! backfill) are still evaluated, after them. Reads use a pooled connection; the writer is taken only to commit.
//! A full evaluation reads and detects the next page on other threads while this one correlates and commits the
//! page before. Each page commits in one transaction, so an evaluation stopped anywhere (the process killed, even
//! in a re-evaluation) goes on from the last page committed when it next runs.
use super::FindingsError;
use super::engine::{Evaluator, RuleMatch};
use super::record::LazyRecord;
use super::rules::RuleSet;
use crate::ssr::store::Store;
use crate::ssr::store::records::RecordReader;
use page::{Position, Unreadable};
use rusqlite::{OptionalExtension, params};
use serde_json::Value;

mod page;

/// Events read and evaluated per committed page.
const PAGE_EVENTS: i64 = 5_000;

/// Most threads a full evaluation reads and detects on.
const MAX_WORKERS: usize = 8;

/// What one call of [`evaluate_new`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EvaluationOutcome {
    /// Events evaluated.
    pub events: u64,
    /// Rule matches stored.
    pub matches: u64,
    /// Whether the rules had changed, so every stored event was evaluated again from the start.
    pub full: bool,
}

/// Where evaluation stands (the `findings_state` row).
#[derive(Clone, PartialEq, Eq)]
struct State {
    digest: String,
    at: Position,
    correlations: String,
}

fn read_state(store: &Store) -> Result<Option<State>, FindingsError> {
    Ok(store.read(|c| {
        Ok(c.query_row(
            "SELECT rules_digest, evaluated_through, pass_until, pass_time, pass_id, correlation_state
             FROM findings_state WHERE id = 1",
            [],
            |r| {
                let pass = match (r.get(2)?, r.get(3)?, r.get(4)?) {
                    (Some(until), Some(time), Some(id)) => Some((until, time, id)),
                    _ => None,
                };
                Ok(State {
                    digest: r.get(0)?,
                    at: Position {
                        through: r.get(1)?,
                        pass,
                    },
                    correlations: r.get(5)?,
                })
            },
        )
        .optional()?)
    })?)
}

/// One process evaluates at a time (another process's evaluation is caught by the state check at commit).
static EVALUATING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Evaluates every stored event not yet evaluated with `rules`, committing pages of matches with the state. When
/// the rules differ from those of the stored findings, they are all dropped and every event is evaluated again, in
/// the passes recorded. Blocking: call it from `spawn_blocking`.
///
/// Errors: [`FindingsError`] when the store cannot be read or written, a record cannot be read back, or the rules
/// do not compile together.
pub fn evaluate_new(store: &Store, rules: &RuleSet) -> Result<EvaluationOutcome, FindingsError> {
    evaluate_pages(store, rules, PAGE_EVENTS, None)
}

/// Drops every stored finding and evaluates every stored event again with `rules` (what a change of rules does on
/// its own). Blocking.
///
/// Errors: as [`evaluate_new`].
pub fn reevaluate_all(store: &Store, rules: &RuleSet) -> Result<EvaluationOutcome, FindingsError> {
    store.write(|conn| conn.execute("DELETE FROM findings_state", []))?;
    evaluate_new(store, rules)
}

/// [`evaluate_new`] in pages of `page_events`, stopping after `max_pages` when given (tests restart the evaluation
/// between pages with it).
pub(super) fn evaluate_pages(
    store: &Store,
    rules: &RuleSet,
    page_events: i64,
    max_pages: Option<usize>,
) -> Result<EvaluationOutcome, FindingsError> {
    let _one = EVALUATING.lock().unwrap_or_else(|e| e.into_inner());
    let mut evaluator = Evaluator::new(rules)?;
    let mut outcome = EvaluationOutcome::default();
    let mut state = match read_state(store)? {
        Some(state) if state.digest == rules.digest() => {
            // Other rules drop every match below anyway.
            super::store::drop_hidden_matches(store, rules)?;
            if !state.correlations.is_empty() {
                evaluator.import_state(&state.correlations)?;
            }
            state
        }
        _ => {
            outcome.full = true;
            start_over(store, rules)?
        }
    };
    // A full evaluation (new rules, or none yet) uses every core: pages are read and detected on other threads
    // while this one correlates and commits the page before. Incremental evaluation, beside ingest, uses one.
    let workers = if outcome.full {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_WORKERS))
    } else {
        1
    };
    let mut readers: Vec<RecordReader> = (0..workers).map(|_| RecordReader::new(store)).collect();
    let mut pages = 0;
    let start_at = state.at;
    // One page taken on this thread: correlated, then committed with its position. False: stop.
    let mut take = |evaluator: &mut Evaluator,
                    page: page::Page,
                    found: page::Detections|
     -> Result<bool, FindingsError> {
        let (matches, unreadable) = page::correlate(evaluator, &page.rows, found);
        let next = State {
            digest: state.digest.clone(),
            at: page.next,
            correlations: evaluator.export_state(),
        };
        if !commit(store, &state, &next, &matches, &unreadable)? {
            tracing::info!("another evaluation moved the findings on; this one stops");
            return Ok(false);
        }
        outcome.events += page.rows.len() as u64;
        outcome.matches += matches.len() as u64;
        state = next;
        // Committed: only the evaluator's own windows are needed from here (megabytes on a busy account).
        state.correlations = String::new();
        pages += 1;
        Ok(max_pages.is_none_or(|max| pages < max))
    };
    if workers == 1 {
        let mut at = start_at;
        if max_pages == Some(0) {
            return Ok(outcome);
        }
        while let Some(page) = page::read(store, at, page_events)? {
            let found = page::detect(store, &evaluator, &mut readers, &page.rows)?;
            at = page.next;
            if !take(&mut evaluator, page, found)? {
                break;
            }
        }
    } else {
        // The windows are `evaluator`'s alone; detection runs on a second copy of the same rules.
        let detector = Evaluator::new(rules)?;
        let readers = &mut readers;
        std::thread::scope(|scope| {
            let (send, receive) = std::sync::mpsc::sync_channel(1);
            scope.spawn(move || {
                let mut at = start_at;
                loop {
                    let next = page::read(store, at, page_events).and_then(|page| {
                        page.map(|page| {
                            let found = page::detect(store, &detector, readers, &page.rows)?;
                            Ok((page, found))
                        })
                        .transpose()
                    });
                    let more = match &next {
                        Ok(Some((page, _))) => {
                            at = page.next;
                            true
                        }
                        _ => false,
                    };
                    // A send fails when the committing side stopped: so does this one.
                    if send.send(next).is_err() || !more {
                        return;
                    }
                }
            });
            // `receive` is dropped on every way out of the loop, which stops the reading thread.
            for next in receive {
                let Some((page, found)) = next? else {
                    break;
                };
                if !take(&mut evaluator, page, found)? {
                    break;
                }
            }
            Ok::<_, FindingsError>(())
        })?;
    }
    Ok(outcome)
}

/// Drops every stored finding and starts evaluation over with `rules`. Returns the state stored.
///
/// Errors: [`FindingsError::Store`].
fn start_over(store: &Store, rules: &RuleSet) -> Result<State, FindingsError> {
    store.write(|conn| {
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM finding_matches", [])?;
        tx.execute("DELETE FROM finding_days", [])?;
        tx.execute("DELETE FROM findings_unreadable", [])?;
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            [super::store::RULES_DIR_KEY, &rules.user_dir()],
        )?;
        tx.execute("DELETE FROM findings_state", [])?;
        tx.execute(
            "INSERT INTO findings_state (id, rules_digest, evaluated_through, correlation_state)
             VALUES (1, ?1, 0, '')",
            [rules.digest()],
        )?;
        tx.commit()
    })?;
    Ok(State {
        digest: rules.digest().to_owned(),
        at: Position {
            through: 0,
            pass: None,
        },
        correlations: String::new(),
    })
}

/// The next pass after `through`: a recorded one (a re-evaluation reads the same passes), else one up to the
/// newest event. Its position starts at its oldest event's time.
pub(super) fn next_pass(
    store: &Store,
    through: i64,
) -> Result<Option<(i64, i64, i64)>, FindingsError> {
    Ok(store.read(|c| {
        let recorded: Option<i64> = c.query_row(
            "SELECT min(until_id) FROM findings_passes WHERE until_id > ?1",
            [through],
            |r| r.get(0),
        )?;
        let until = match recorded {
            Some(until) => until,
            None => match c.query_row("SELECT max(id) FROM events", [], |r| {
                r.get::<_, Option<i64>>(0)
            })? {
                Some(newest) if newest > through => newest,
                _ => return Ok(None),
            },
        };
        let oldest: Option<i64> = c.query_row(
            "SELECT min(event_time) FROM events WHERE id > ?1 AND id <= ?2",
            [through, until],
            |r| r.get(0),
        )?;
        Ok(Some((until, oldest.unwrap_or(i64::MIN), 0)))
    })?)
}

/// Stores one page's matches with the state it leads to, if the state is still `before` (else nothing: another
/// process evaluated meanwhile). A pass's end is recorded when it starts.
fn commit(
    store: &Store,
    before: &State,
    after: &State,
    found: &[MatchRow],
    unreadable: &[Unreadable],
) -> Result<bool, FindingsError> {
    Ok(store.write(|conn| {
        let tx = conn.transaction()?;
        let (until, time, id) = after.at.pass.map_or((None, None, None), |(u, t, i)| (Some(u), Some(t), Some(i)));
        let before_until = before.at.pass.map(|(u, _, _)| u);
        let before_at = before.at.pass.map(|(_, t, i)| (t, i));
        let moved = tx.execute(
            "UPDATE findings_state SET evaluated_through = ?1, pass_until = ?2, pass_time = ?3, pass_id = ?4,
               correlation_state = ?5
             WHERE id = 1 AND rules_digest = ?6 AND evaluated_through = ?7
               AND pass_time IS ?8 AND pass_id IS ?9",
            params![
                after.at.through,
                until,
                time,
                id,
                after.correlations,
                before.digest,
                before.at.through,
                before_at.map(|(t, _)| t),
                before_at.map(|(_, i)| i),
            ],
        )?;
        if moved == 0 {
            return Ok::<_, rusqlite::Error>(false);
        }
        if let Some(until) = until.filter(|u| Some(*u) != before_until) {
            tx.execute("INSERT OR IGNORE INTO findings_passes (until_id) VALUES (?1)", [until])?;
        }
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO finding_matches (rule_id, event, event_id, event_time, account, identity, evidence)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            let mut sum = tx.prepare_cached(super::store::ADD_TO_DAYS)?;
            let mut who = tx.prepare_cached(STORED_WHO)?;
            for m in found {
                // The account and identity the store gave the event (the Events page's), not the record's own.
                let (account, identity): (String, String) = who
                    .query_row([m.event], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?
                    .unwrap_or_default();
                insert.execute(params![
                    m.rule_id,
                    m.event,
                    m.event_id,
                    m.event_time,
                    account,
                    identity,
                    m.evidence
                ])?;
                sum.execute(params![m.rule_id, m.event_time, account, identity, m.first_time])?;
            }
        }
        if !unreadable.is_empty() {
            let mut insert = tx.prepare_cached(
                "INSERT OR REPLACE INTO findings_unreadable (event, reason) VALUES (?1, ?2)",
            )?;
            for record in unreadable {
                insert.execute(params![record.event, record.reason])?;
            }
        }
        tx.commit()?;
        Ok(true)
    })?)
}

/// The account and the identity (its ARN, else its readable name, else its type) stored for event `?1`: the
/// account of the trail that logged it when the record names none, an Identity Center user by their ID.
const STORED_WHO: &str = "SELECT coalesce((SELECT value FROM strings WHERE id = e.account), ''),
   coalesce((SELECT value FROM strings WHERE id = coalesce(e.identity_arn, e.identity_name, e.identity_type)), '')
 FROM events e WHERE e.id = ?1";

struct MatchRow {
    rule_id: String,
    event: i64,
    event_id: String,
    event_time: i64,
    /// When the match began: a correlation's window start, else `event_time` (epoch seconds).
    first_time: i64,
    evidence: Option<String>,
}

impl MatchRow {
    fn new(event: i64, event_time: i64, record: &LazyRecord<'_>, m: RuleMatch) -> Self {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_owned();
        Self {
            rule_id: m.rule_id,
            event,
            event_id: text(record.top("eventID")),
            event_time,
            first_time: m
                .window_start_secs
                .map_or(event_time, |s| s.min(event_time)),
            evidence: (!m.window_event_ids.is_empty())
                .then(|| serde_json::to_string(&m.window_event_ids).unwrap_or_default()),
        }
    }
}
