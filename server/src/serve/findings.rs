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

/// How soon the job tries again when another process held the store's write lock too long.
const BUSY_RETRY: Duration = Duration::from_secs(1);

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
/// timeout, the pages already committed stay and the job tries again after [`BUSY_RETRY`], quietly: that is
/// waiting, not a failure.
pub async fn evaluate_continuously(state: AppState) {
    loop {
        let rules = state.findings.rules.clone();
        let evaluated = state
            .blocking(move |store| match evaluate_new(store, &rules) {
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
                tracing::debug!("the store is busy with another writer; evaluating again shortly");
                tokio::time::sleep(BUSY_RETRY).await;
                continue;
            }
            Err(error) => tracing::warn!(%error, "detection rules could not be evaluated"),
        }
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
