//! The background findings job: evaluates the events ingest and sync committed, off their path, when woken and at
//! least every [`POLL`] (so events another process stored, e.g. `trailscope ingest`, are evaluated too), then
//! queues the new findings for the configured webhooks, which their own tasks deliver ([`notify_continuously`]).
use crate::config::Config;
use app::ssr::findings::rules::RuleSet;
use app::ssr::findings::store::evaluate_new;
use app::ssr::findings::webhooks::{DeliveryPolicy, Webhooks, queue, send};
use app::ssr::findings::{Findings, FindingsError};
use app::ssr::state::AppState;
use std::time::Duration;

/// How often the job looks for new events when nothing woke it.
const POLL: Duration = Duration::from_secs(30);

/// How soon the job tries again when another process held the store's write lock too long: the first wait; each
/// busy try after doubles it, up to [`POLL`].
const BUSY_RETRY: Duration = Duration::from_secs(1);

/// Busy for this long without a complete evaluation, the job says so at warn level (then once per such stretch).
const BUSY_WARN_AFTER: Duration = Duration::from_secs(60);

/// The built-in rules and those of `rules_dir`, logging each file that cannot be used, with the configured
/// `findings_webhooks` (their secrets read from the process environment and files).
///
/// Errors: a webhook entry that no longer resolves (its variable or file went away since the configuration
/// was loaded), naming the entry.
pub fn load_findings(config: &Config) -> anyhow::Result<Findings> {
    let hooks = config.findings_webhooks(|name| std::env::var(name).ok())?;
    for hook in &hooks {
        tracing::info!(webhook = %hook.name, target = %hook.target(), min_severity = %hook.min_severity, "findings webhook configured");
    }
    let webhooks = Webhooks::new(hooks, config.public_url.clone(), DeliveryPolicy::default());
    Ok(load_rules(config).with_webhooks(webhooks))
}

/// The built-in rules and those of `rules_dir`, logging each file that cannot be used.
pub fn load_rules(config: &Config) -> Findings {
    let rules = RuleSet::load(config.rules_dir.as_deref());
    for problem in rules.problems() {
        tracing::warn!(file = %problem.file, reason = %problem.reason, "a detection rule file is not used");
    }
    tracing::info!(rules = rules.info().len(), "detection rules loaded");
    Findings::new(rules)
}

/// Evaluates new events at start, then whenever woken or every [`POLL`]; failures are logged and retried. When
/// another process (a `trailscope ingest` beside the server) holds the store's write lock past SQLite's busy
/// timeout, the pages already committed stay (their findings are queued for the webhooks) and the job tries
/// again after [`BUSY_RETRY`], doubling: that is waiting, not a failure, until it lasts [`BUSY_WARN_AFTER`].
pub async fn evaluate_continuously(state: AppState) {
    let mut busy_since: Option<std::time::Instant> = None;
    let mut busy_wait = BUSY_RETRY;
    let mut warned = false;
    loop {
        let rules = state.findings.rules.clone();
        let evaluated = state
            .background(move |store| match evaluate_new(store, &rules) {
                Err(FindingsError::Store(error)) if error.is_busy() => Ok(None),
                other => other.map(Some),
            })
            .await;
        match evaluated {
            Ok(Some(outcome)) if outcome.events > 0 => tracing::info!(
                events = outcome.events,
                matches = outcome.matches,
                full = outcome.full,
                "events evaluated against the detection rules"
            ),
            Ok(Some(_)) => {}
            Ok(None) => {
                let since = *busy_since.get_or_insert_with(std::time::Instant::now);
                if since.elapsed() >= BUSY_WARN_AFTER && !warned {
                    warned = true;
                    tracing::warn!(
                        busy_secs = since.elapsed().as_secs(),
                        "the store has been busy with another writer (e.g. a `trailscope ingest`); new events wait for evaluation"
                    );
                } else {
                    tracing::debug!(
                        "the store is busy with another writer; evaluating again shortly"
                    );
                }
                queue_notifications(&state).await;
                tokio::time::sleep(busy_wait).await;
                busy_wait = (busy_wait * 2).min(POLL);
                continue;
            }
            Err(error) => tracing::warn!(%error, "detection rules could not be evaluated"),
        }
        (busy_since, busy_wait, warned) = (None, BUSY_RETRY, false);
        queue_notifications(&state).await;
        let _ = tokio::time::timeout(POLL, state.findings.woken()).await;
    }
}

/// Queues the findings of the passes evaluated since the last call for the webhooks, and wakes their tasks.
async fn queue_notifications(state: &AppState) {
    let findings = state.findings.clone();
    if findings.webhooks.hooks().is_empty() {
        return;
    }
    let queued = state
        .blocking(move |store| {
            let now_ms = app::ssr::clock::now_secs().saturating_mul(1000);
            queue::enqueue_new(store, &findings.rules, &findings.webhooks, now_ms)
        })
        .await;
    match queued {
        Ok(0) => {}
        Ok(deliveries) => {
            tracing::info!(deliveries, "new findings queued for the webhooks");
            state.findings.webhooks.wake();
        }
        Err(error) => tracing::warn!(%error, "new findings could not be queued for the webhooks"),
    }
}

/// Delivers the webhooks' queues (one task per webhook) until dropped; nothing to do without webhooks.
pub async fn notify_continuously(state: AppState) {
    send::deliver(state.store.clone(), state.findings.webhooks.clone()).await;
}
