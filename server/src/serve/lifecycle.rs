//! The server's life: `/healthz` (the process answers), `/readyz` (the store is open at this build's schema and
//! the server is not shutting down), and the shutdown SIGTERM or SIGINT starts. On a signal the listener stops
//! accepting, in-flight requests finish, background jobs stop at their next await (a batch already handed to a
//! blocking thread commits; SQLite rolls back one that never reaches its commit), and the whole stop is bounded
//! by the grace period (`Config::shutdown_grace_secs`; `commands` gives the runtime the same bound for
//! blocking work).
use super::ServerState;
use app::ssr::store::schema;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Set once a shutdown begins; every clone sees it.
#[derive(Clone)]
pub struct Shutdown(Arc<watch::Sender<bool>>);

impl Default for Shutdown {
    fn default() -> Self {
        Self(Arc::new(watch::channel(false).0))
    }
}

impl Shutdown {
    /// Begins the shutdown: `/readyz` answers 503 and every clone's [`Shutdown::has_begun`] is true from now on.
    pub fn begin(&self) {
        self.0.send_replace(true);
    }

    /// Whether the shutdown has begun.
    pub fn has_begun(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves when the shutdown begins (at once if it has).
    pub async fn begun(&self) {
        let mut seen = self.0.subscribe();
        let _ = seen.wait_for(|begun| *begun).await;
    }
}

/// `GET /healthz`: 200 while the process answers HTTP (what `trailscope healthcheck` asks).
pub async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// `GET /readyz`: 200 `{"status":"ready","schema":N}` when the store answers at the schema version this build
/// migrates to; 503 with `status` `shutting down` (a request on a connection accepted before the shutdown
/// began), `store unavailable` or `schema N, expected M` otherwise.
pub async fn readyz(State(state): State<ServerState>) -> (StatusCode, Json<serde_json::Value>) {
    let not_ready = |status: String| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": status })),
        )
    };
    if state.shutdown.has_begun() {
        return not_ready("shutting down".to_owned());
    }
    let store = state.app.store.clone();
    let found = tokio::task::spawn_blocking(move || store.read(schema::version)).await;
    match found {
        Ok(Ok(version)) if version == schema::known_version() => (
            StatusCode::OK,
            Json(serde_json::json!({ "status": "ready", "schema": version })),
        ),
        Ok(Ok(version)) => not_ready(format!(
            "schema {version}, expected {}",
            schema::known_version()
        )),
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness: the store does not answer");
            not_ready("store unavailable".to_owned())
        }
        Err(_) => not_ready("store unavailable".to_owned()),
    }
}

/// Waits for SIGTERM or SIGINT, then begins the shutdown.
pub async fn begin_on_signal(shutdown: Shutdown) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
    tracing::info!("shutting down: no new connections; finishing requests and the current batch");
    shutdown.begin();
}

/// Runs `serving` (the HTTP server, which returns once its in-flight requests are done after the shutdown
/// began) while the background `jobs` run. When the shutdown begins the jobs are stopped at their next await;
/// the call returns when both are done, or `grace` after the shutdown began, whichever comes first.
pub async fn serve_until_stopped<F>(
    serving: F,
    shutdown: &Shutdown,
    mut jobs: tokio::task::JoinSet<()>,
    grace: Duration,
) -> std::io::Result<()>
where
    F: std::future::Future<Output = std::io::Result<()>>,
{
    let serving = async {
        let result = serving.await;
        // Should the server stop on its own (its listener failed), the jobs stop with it.
        shutdown.begin();
        result
    };
    let stop_jobs = async {
        shutdown.begun().await;
        jobs.abort_all();
        while jobs.join_next().await.is_some() {}
    };
    let overdue = async {
        shutdown.begun().await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        (result, ()) = async { tokio::join!(serving, stop_jobs) } => result,
        () = overdue => {
            tracing::warn!(grace_secs = grace.as_secs(), "what still runs after the grace period is dropped");
            Ok(())
        }
    }
}
