//! Findings (issue 14): Sigma rules (`logsource: product: aws, service: cloudtrail`) evaluated over the stored
//! CloudTrail records with the maintained `rsigma-parser`/`rsigma-eval` crates. The built-in rules ship inside the
//! binary ([`builtin`]); users add theirs from a folder ([`rules::RuleSet::load`]). New events are evaluated after
//! ingest and sync commit them ([`store::evaluate_new`]), in the order the store received them, with the
//! correlation windows kept in the store so a restart or a full re-evaluation finds exactly the same.
pub mod api;
pub mod builtin;
pub mod engine;
pub mod pass;
pub mod record;
pub mod rules;
pub mod service;
pub mod store;
pub mod webhooks;

#[cfg(test)]
mod cases;
#[cfg(test)]
mod demo_tests;

use rules::RuleSet;
use std::sync::Arc;
use tokio::sync::Notify;

/// Why findings could not be evaluated or read.
#[derive(Debug, thiserror::Error)]
pub enum FindingsError {
    /// The store could not be read or written.
    #[error(transparent)]
    Store(#[from] crate::ssr::store::StoreError),
    /// The rules, each loadable alone, could not be compiled together (e.g. two correlations share an id).
    #[error("the detection rules could not be compiled together: {0}")]
    Compile(String),
    /// The saved correlation state is not readable by this build.
    #[error("the saved correlation state is unreadable: {0}")]
    State(String),
}

impl From<rusqlite::Error> for FindingsError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Store(error.into())
    }
}

impl From<FindingsError> for crate::error::AppError {
    fn from(error: FindingsError) -> Self {
        tracing::error!(%error, "findings failed");
        crate::error::AppError::Internal
    }
}

/// The rules in force and the wake-up of the background evaluation, shared through `AppState`.
pub struct Findings {
    /// The rules evaluated: built-in plus the user's folder, and the files that could not be loaded.
    pub rules: Arc<RuleSet>,
    /// Where new findings are sent (none by default).
    pub webhooks: Arc<webhooks::Webhooks>,
    wake: Notify,
}

impl Findings {
    /// The service over `rules`.
    pub fn new(rules: RuleSet) -> Self {
        Self {
            rules: Arc::new(rules),
            webhooks: Arc::default(),
            wake: Notify::new(),
        }
    }

    /// The service sending new findings to `webhooks`.
    pub fn with_webhooks(self, webhooks: webhooks::Webhooks) -> Self {
        Self {
            webhooks: Arc::new(webhooks),
            ..self
        }
    }

    /// Asks the background evaluation to look for new events now (ingest and sync call it after they commit).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Resolves when [`Findings::wake`] is called (or was, since the last wait).
    pub async fn woken(&self) {
        self.wake.notified().await;
    }
}

impl Default for Findings {
    /// The built-in rules only.
    fn default() -> Self {
        Self::new(RuleSet::load(None))
    }
}
