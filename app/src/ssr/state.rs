//! `AppState`: what every request handler and server function shares, and the one way they run store work
//! off the async runtime.
use crate::error::AppError;
use crate::ssr::auth::settings::AuthSettings;
use crate::ssr::aws::clients::AwsClients;
use crate::ssr::aws::{AwsAccount, HISTORY_SECS};
use crate::ssr::cost_explorer::BillCache;
use crate::ssr::integrity::service::{IntegrityArchive, IntegrityState};
use crate::ssr::store::{Store, StoreError};
use std::sync::Arc;

#[derive(Clone)]
/// What every request handler and background task shares: the store, auth settings, AWS clients and the sync
/// state.
pub struct AppState {
    /// The store (event and auth databases).
    pub store: Arc<Store>,
    /// Login, session and proxy sign-on settings.
    pub auth: Arc<AuthSettings>,
    /// The clients of the AWS accounts to read, built once for the process; no account when none is
    /// configured (the demo, or an archive only).
    pub aws: Arc<AwsClients>,
    /// Event History sync: one run at a time.
    pub sync: Arc<SyncState>,
    /// CloudTrail's bill per account as Cost Explorer last answered (each request is charged).
    pub bills: Arc<BillCache>,
    /// The detection rules and the wake-up of their background evaluation.
    pub findings: Arc<crate::ssr::findings::Findings>,
    /// Price overrides and volumes entered by hand (configuration).
    pub billing: Arc<crate::ssr::billing::BillingSettings>,
    /// Log file integrity validation: the archives validated, one run at a time.
    pub integrity: Arc<IntegrityState>,
    /// Permits for the event exports running at once, [`crate::ssr::events::export::EXPORTS_MAX`] in all.
    pub exports: Arc<tokio::sync::Semaphore>,
}

/// Event History sync coordination: one run at a time, and how far back a first run reads.
pub struct SyncState {
    /// Held while an Event History sync runs, one run at a time.
    pub running: tokio::sync::Mutex<()>,
    /// Held while Identity Center user names are resolved (`identity_center::resolve_names_now`), one run at a
    /// time.
    pub names_running: tokio::sync::Mutex<()>,
    /// How far back a first sync reads (seconds; AWS keeps 90 days).
    pub first_window_secs: i64,
}

impl SyncState {
    fn new(first_window_secs: i64) -> Self {
        Self {
            running: tokio::sync::Mutex::new(()),
            names_running: tokio::sync::Mutex::new(()),
            first_window_secs,
        }
    }
}

impl AppState {
    /// The state with default authentication settings (no proxy sign-on, the default login throttle).
    pub fn new(store: Store) -> Self {
        Self::with_auth(store, AuthSettings::default())
    }

    /// The state with the given authentication settings and no AWS account.
    pub fn with_auth(store: Store, auth: AuthSettings) -> Self {
        Self {
            store: Arc::new(store),
            auth: Arc::new(auth),
            aws: Arc::new(AwsClients::new(Vec::new())),
            sync: Arc::new(SyncState::new(HISTORY_SECS)),
            bills: Arc::new(BillCache::default()),
            findings: Arc::default(),
            billing: Arc::default(),
            integrity: Arc::new(IntegrityState::default()),
            exports: Arc::new(tokio::sync::Semaphore::new(
                crate::ssr::events::export::EXPORTS_MAX,
            )),
        }
    }

    /// The detection rules to evaluate (the built-in ones by default).
    pub fn with_findings(self, findings: crate::ssr::findings::Findings) -> Self {
        Self {
            findings: Arc::new(findings),
            ..self
        }
    }

    /// The configured billing price overrides and entered volumes.
    pub fn with_billing(self, billing: crate::ssr::billing::BillingSettings) -> Self {
        Self {
            billing: Arc::new(billing),
            ..self
        }
    }

    /// The trail archives the server validates (configured S3 archives, the demo's folder).
    pub fn with_integrity(self, archives: Vec<IntegrityArchive>) -> Self {
        Self {
            integrity: Arc::new(IntegrityState::new(archives)),
            ..self
        }
    }

    /// How far back a first Event History sync reads.
    pub fn with_sync_window(self, first_window_secs: i64) -> Self {
        Self {
            sync: Arc::new(SyncState::new(first_window_secs)),
            ..self
        }
    }

    /// The AWS accounts to read, with clients configured from the SDK's defaults.
    pub fn with_accounts(self, accounts: Vec<AwsAccount>) -> Self {
        self.with_aws(AwsClients::new(accounts))
    }

    /// The AWS clients to read with (tests point theirs at a local endpoint).
    pub fn with_aws(self, aws: AwsClients) -> Self {
        Self {
            aws: Arc::new(aws),
            bills: Arc::new(BillCache::default()),
            ..self
        }
    }

    /// Runs a request's `work` on the blocking pool (SQLite calls block) once one of the store's
    /// `REQUEST_JOBS_MAX` permits is free (`store::request_job`), mapping its error to the wire error.
    pub async fn blocking<T, E>(
        &self,
        work: impl FnOnce(&Store) -> Result<T, E> + Send + 'static,
    ) -> Result<T, AppError>
    where
        T: Send + 'static,
        E: Into<AppError> + Send + 'static,
    {
        wire(crate::ssr::store::request_job(&self.store, work).await)
    }

    /// Runs bulk `work` (the server's findings evaluation) on the bulk pool, at a lower CPU priority than
    /// requests and without a request permit ([`crate::ssr::background`]).
    pub async fn background<T, E>(
        &self,
        work: impl FnOnce(&Store) -> Result<T, E> + Send + 'static,
    ) -> Result<T, AppError>
    where
        T: Send + 'static,
        E: Into<AppError> + Send + 'static,
    {
        let store = self.store.clone();
        wire(crate::ssr::background::spawn_blocking(move || work(&store)).await)
    }

    /// Runs authentication's `work` (the gate's session and token checks, logins, audit entries) on the blocking
    /// pool without waiting for a request permit: they read and write the small auth file, and a user's login
    /// must not queue behind other users' heavy pages.
    pub async fn auth_blocking<T, E>(
        &self,
        work: impl FnOnce(&Store) -> Result<T, E> + Send + 'static,
    ) -> Result<T, AppError>
    where
        T: Send + 'static,
        E: Into<AppError> + Send + 'static,
    {
        wire(crate::ssr::store::off_runtime(&self.store, work).await)
    }
}

/// A blocking store task's result as the wire error: the task failing (a panic) is logged and `Internal`; the
/// work's own error maps into `AppError`.
fn wire<T, E: Into<AppError>>(
    joined: Result<Result<T, E>, tokio::task::JoinError>,
) -> Result<T, AppError> {
    joined
        .map_err(|error| {
            tracing::error!(%error, "store task failed");
            AppError::Internal
        })?
        .map_err(Into::into)
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "store query failed");
        AppError::Internal
    }
}
