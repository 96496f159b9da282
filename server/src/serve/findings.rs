//! The background findings job: evaluates the events ingest and sync committed, off their path, when woken and at
//! least every [`POLL`] (so events another process stored, e.g. `trailscope ingest`, are evaluated too).
use crate::config::Config;
use app::ssr::findings::Findings;
use app::ssr::findings::rules::RuleSet;
use app::ssr::findings::store::evaluate_new;
use app::ssr::state::AppState;
use std::time::Duration;

/// How often the job looks for new events when nothing woke it.
const POLL: Duration = Duration::from_secs(30);

/// The built-in rules and those of `rules_dir`, logging each file that cannot be used.
pub fn load_rules(config: &Config) -> Findings {
    let rules = RuleSet::load(config.rules_dir.as_deref());
    for problem in rules.problems() {
        tracing::warn!(file = %problem.file, reason = %problem.reason, "a detection rule file is not used");
    }
    tracing::info!(rules = rules.info().len(), "detection rules loaded");
    Findings::new(rules)
}

/// Evaluates new events at start, then whenever woken or every [`POLL`]; failures are logged and retried.
pub async fn evaluate_continuously(state: AppState) {
    loop {
        let rules = state.findings.rules.clone();
        let evaluated = state
            .blocking(move |store| evaluate_new(store, &rules))
            .await;
        match evaluated {
            Ok(outcome) if outcome.events > 0 => tracing::info!(
                events = outcome.events,
                matches = outcome.matches,
                full = outcome.full,
                "events evaluated against the detection rules"
            ),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "detection rules could not be evaluated"),
        }
        let _ = tokio::time::timeout(POLL, state.findings.woken()).await;
    }
}
