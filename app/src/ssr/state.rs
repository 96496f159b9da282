//! `AppState`: what every request handler and server function shares, and the one way they run store work
//! off the async runtime.
use crate::error::AppError;
use crate::ssr::auth::AuthSettings;
use crate::ssr::aws::AwsAccount;
use crate::ssr::store::{Store, StoreError};
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    pub auth: Arc<AuthSettings>,
    /// The AWS accounts to read; empty when none is configured (the demo, or an archive only).
    pub accounts: Arc<Vec<AwsAccount>>,
}

impl AppState {
    /// The state with default authentication settings (no proxy sign-on, the default login throttle).
    pub fn new(store: Store) -> Self {
        Self::with_auth(store, AuthSettings::default())
    }

    pub fn with_auth(store: Store, auth: AuthSettings) -> Self {
        Self {
            store: Arc::new(store),
            auth: Arc::new(auth),
            accounts: Arc::new(Vec::new()),
        }
    }

    pub fn with_accounts(self, accounts: Vec<AwsAccount>) -> Self {
        Self {
            accounts: Arc::new(accounts),
            ..self
        }
    }

    /// Runs `work` on the blocking pool (SQLite calls block), mapping its error to the wire error.
    pub async fn blocking<T, E>(
        &self,
        work: impl FnOnce(&Store) -> Result<T, E> + Send + 'static,
    ) -> Result<T, AppError>
    where
        T: Send + 'static,
        E: Into<AppError> + Send + 'static,
    {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || work(&store))
            .await
            .map_err(|error| {
                tracing::error!(%error, "store task failed");
                AppError::Internal
            })?
            .map_err(Into::into)
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "store query failed");
        AppError::Internal
    }
}
