//! `trailscope serve`: opens the store (first preparing the demo archive when there is nothing else to
//! show), then serves the app, its server functions, static files and `/healthz`.
pub mod findings;
mod lifecycle;
pub mod site_files;

pub use lifecycle::Shutdown;

use crate::config::Config;
use crate::progress::ProgressLine;
use anyhow::Context;
use app::ssr::auth::AuthSettings;
use app::ssr::auth::sessions::SqliteSessionStore;
use app::ssr::auth::users::ensure_first_admin;
use app::ssr::demo::{DemoOptions, write_demo};
use app::ssr::ingest::s3::{S3Archive, ingest_s3};
use app::ssr::ingest::{IngestError, IngestLimits, ingest_into};
use app::ssr::integrity::IntegritySource;
use app::ssr::integrity::service::{IntegrityArchive, validate_new};
use app::ssr::state::AppState;
use app::ssr::store::Store;
use app::ssr::store::trail_snapshots::{self, SnapshotSource};
use app::{App, shell};
use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::future::IntoFuture;
use std::path::Path;
use std::sync::Arc;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Store metadata: what filled the store (`demo` when it was the generated archive).
const META_SOURCE: &str = "source";
/// Store metadata: set once the demo archive is fully ingested.
const META_DEMO_COMPLETE: &str = "demo_complete";

#[derive(Clone)]
/// What the axum handlers share: the Leptos options, the application state and the serving settings.
pub struct ServerState {
    /// Leptos' options (site root, output name, address).
    pub leptos_options: LeptosOptions,
    /// The application's shared state.
    pub app: AppState,
    /// Whether the session cookie is marked `Secure`.
    pub secure_cookies: bool,
    /// Begun by SIGTERM/SIGINT; `/readyz` answers 503 from then on.
    pub shutdown: Shutdown,
}

/// A session ends after this long without a request (the gate also ends it 12 h after login).
const IDLE_TIMEOUT: time::Duration = time::Duration::hours(2);

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(state: &ServerState) -> Self {
        state.leptos_options.clone()
    }
}

/// The whole HTTP surface. Every request passes the session layer, then the gate (authentication, same-origin
/// writes); every page and server function gets `AppState` in its context.
pub fn router(state: ServerState) -> Router {
    let sessions = SessionManagerLayer::new(SqliteSessionStore::new(state.app.store.clone()))
        .with_name("trailscope_session")
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(state.secure_cookies)
        .with_expiry(Expiry::OnInactivity(IDLE_TIMEOUT));
    let routes = generate_route_list(App);
    let app_state = state.app.clone();
    let context = move || provide_context(app_state.clone());
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(lifecycle::healthz))
        .route("/readyz", get(lifecycle::readyz))
        .route(
            "/api/trails/{*arn}",
            get(app::ssr::trails::trail_json).with_state(state.app.clone()),
        )
        .route(
            "/api/findings",
            get(app::ssr::findings::api::findings_json).with_state(state.app.clone()),
        )
        .route(
            "/api/findings/webhooks",
            get(app::ssr::findings::webhooks::status::webhooks_json).with_state(state.app.clone()),
        )
        .route(
            "/api/billing/estimate",
            get(app::ssr::billing::estimate_json).with_state(state.app.clone()),
        )
        .route(
            "/api/billing/lines.csv",
            get(app::ssr::billing::lines_csv).with_state(state.app.clone()),
        )
        .route(
            "/api/events/export.csv",
            get(app::ssr::events::export::csv).with_state(state.app.clone()),
        )
        .route(
            "/api/events/export.jsonl",
            get(app::ssr::events::export::json_lines).with_state(state.app.clone()),
        )
        .nest_service(
            app::ssr::auth::gate::PKG_PATH,
            site_files::service(&Path::new(&*options.site_root).join(&*options.site_pkg_dir)),
        )
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            ServerState,
            _,
        >(context, shell))
        .layer(axum::middleware::from_fn_with_state(
            state.app.clone(),
            app::ssr::auth::gate::gate,
        ))
        .layer(sessions)
        .layer(axum::middleware::map_response(
            |mut response: axum::response::Response| async move {
                app::ssr::security::add_security_headers(response.headers_mut());
                response
            },
        ))
        .with_state(state)
}

/// With nothing configured (no account, no S3 archive) and an empty store, writes the demo archive into the data
/// directory (once) and ingests it. A store filled by anything else is served as it is.
pub fn prepare_demo(store: &Store, config: &Config) -> anyhow::Result<()> {
    let is_demo = store.meta(META_SOURCE)?.as_deref() == Some("demo");
    let configured = !config.accounts.is_empty() || !config.s3_archives.is_empty();
    if !config.demo || configured || (!is_demo && !store.is_empty()?) {
        return Ok(());
    }
    let archive = config.data_dir.join("demo");
    if store.meta(META_DEMO_COMPLETE)?.is_some() {
        return store_demo_trails(store, &archive);
    }
    if !archive.exists() {
        write_demo_archive(&archive)?;
    }
    store.set_meta(META_SOURCE, "demo")?;
    tracing::info!(archive = %archive.display(), "ingesting the demo archive");
    let line = ProgressLine::on_stderr("ingest", "files");
    let summary = ingest_into(store, &archive, &config.ingest_limits(), &mut line.draw())?;
    line.end();
    tracing::info!(summary = %summary.line(), "demo archive ingested");
    if !summary.is_clean() {
        anyhow::bail!(
            "the demo archive did not ingest cleanly: {}",
            summary.line()
        );
    }
    store_demo_trails(store, &archive)?;
    store.set_meta(META_DEMO_COMPLETE, "1")?;
    Ok(())
}

/// The archives the server validates: each configured S3 archive (public keys from `ListPublicKeys`), and the
/// demo's folder when the demo is what is served (with the demo's own public key, `demo::public_keys_folder`).
fn integrity_archives(store: &Store, config: &Config) -> anyhow::Result<Vec<IntegrityArchive>> {
    let mut archives: Vec<IntegrityArchive> = config
        .s3_archives
        .iter()
        .map(|archive| IntegrityArchive {
            source: IntegritySource::S3(archive.clone()),
            public_keys: None,
            limits: config.ingest_limits(),
        })
        .collect();
    let configured = !config.accounts.is_empty() || !config.s3_archives.is_empty();
    if config.demo && !configured && store.meta(META_SOURCE)?.as_deref() == Some("demo") {
        let demo = config.data_dir.join("demo");
        archives.push(IntegrityArchive {
            public_keys: Some(app::ssr::demo::public_keys_folder(&demo)),
            limits: config.ingest_limits(),
            source: IntegritySource::Folder(demo),
        });
    }
    Ok(archives)
}

/// Stores the demo archive's trails snapshot, once (an archive written before it had one gets one for now).
fn store_demo_trails(store: &Store, archive: &Path) -> anyhow::Result<()> {
    if trail_snapshots::latest(store)?.is_some() {
        return Ok(());
    }
    let path = archive.join(app::ssr::demo::TRAILS_SNAPSHOT_FILE);
    let snapshot = match std::fs::read(&path) {
        Ok(json) => serde_json::from_slice(&json).with_context(|| {
            format!("the demo trails snapshot {} does not parse", path.display())
        })?,
        Err(_) => app::ssr::demo::demo_trails(app::ssr::clock::now_secs()),
    };
    trail_snapshots::save(store, SnapshotSource::Demo, &snapshot)?;
    Ok(())
}

/// Writes the demo next to its final place and renames it, so an interrupted start never leaves half an archive.
fn write_demo_archive(archive: &Path) -> anyhow::Result<()> {
    let partial = archive.with_extension("partial");
    if partial.exists() {
        std::fs::remove_dir_all(&partial)
            .with_context(|| format!("cannot remove {}", partial.display()))?;
    }
    let options = DemoOptions::ending_at(app::ssr::clock::now_secs());
    tracing::info!(
        days = options.days,
        events = options.events,
        "writing the demo archive"
    );
    let line = ProgressLine::spinner(
        "demo",
        format!(
            "writing {} events over {} days",
            options.events, options.days
        ),
    );
    let summary = write_demo(&partial, &options);
    line.end();
    let summary = summary?;
    std::fs::rename(&partial, archive)
        .with_context(|| format!("cannot move the demo archive to {}", archive.display()))?;
    tracing::info!(
        files = summary.files,
        events = summary.events,
        "demo archive written"
    );
    Ok(())
}

/// Serves the dashboard with `config` until SIGTERM or SIGINT, then drains.
///
/// Errors: the store cannot be opened, the address cannot be bound, or the server fails (startup errors, via
/// `anyhow`).
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let store = Store::open_in(&config.data_dir)?;
    let store = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || prepare_demo(&store, &config).map(|()| store)).await??
    };
    let mut leptos_options = get_configuration(None)
        .context("leptos configuration")?
        .leptos_options;
    leptos_options.site_addr = config.addr;
    if std::env::var_os("LEPTOS_ENV").is_none() {
        // DEV would inject cargo-leptos' live-reload client, which only `cargo leptos watch` answers.
        leptos_options.env = leptos::config::Env::PROD;
    }
    announce_first_admin(&store)?;
    let integrity = integrity_archives(&store, &config)?;
    let validate_demo = integrity
        .iter()
        .any(|a| matches!(a.source, IntegritySource::Folder(_)));
    let state = ServerState {
        leptos_options,
        app: AppState::with_auth(
            store,
            AuthSettings {
                proxy: config.proxy_settings(),
                ..AuthSettings::default()
            },
        )
        .with_accounts(config.accounts.clone())
        .with_sync_window(config.sync_window_secs())
        .with_findings(findings::load_findings(&config)?)
        .with_billing(config.billing_settings())
        .with_integrity(integrity),
        secure_cookies: config.secure_cookies(),
        shutdown: Shutdown::default(),
    };
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("cannot listen on {}", config.addr))?;
    tracing::info!(addr = %config.addr, data_dir = %config.data_dir.display(), "Trailscope is serving on http://{}", config.addr);
    if let Some(header) = &config.proxy_user_header {
        tracing::info!(%header, proxies = ?config.trusted_proxies, "single sign-on through trusted proxies is on");
    }
    let mut jobs = tokio::task::JoinSet::new();
    if config.trails_refresh_minutes > 0 && !config.accounts.is_empty() {
        jobs.spawn(refresh_trails_every(
            state.app.clone(),
            std::time::Duration::from_secs(u64::from(config.trails_refresh_minutes) * 60),
        ));
    }
    if config.sync_minutes > 0 && !config.accounts.is_empty() {
        jobs.spawn(sync_every(
            state.app.clone(),
            std::time::Duration::from_secs(u64::from(config.sync_minutes) * 60),
        ));
    }
    if config.s3_ingest_minutes > 0 && !config.s3_archives.is_empty() {
        jobs.spawn(ingest_s3_every(
            state.app.clone(),
            config.s3_archives.clone(),
            config.ingest_limits(),
            std::time::Duration::from_secs(u64::from(config.s3_ingest_minutes) * 60),
        ));
    }
    jobs.spawn(findings::evaluate_continuously(state.app.clone()));
    jobs.spawn(findings::notify_continuously(state.app.clone()));
    if validate_demo {
        // The demo's digests, validated once ingested (then only what is new, on later starts).
        let app = state.app.clone();
        jobs.spawn(async move { validate_new(&app).await });
    }
    let shutdown = state.shutdown.clone();
    tokio::spawn(lifecycle::begin_on_signal(shutdown.clone()));
    // The peer address feeds the failed-login throttle and the trusted-proxy check.
    let service = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let serving = axum::serve(listener, service).with_graceful_shutdown({
        let shutdown = shutdown.clone();
        async move { shutdown.begun().await }
    });
    let grace = std::time::Duration::from_secs(config.shutdown_grace_secs);
    lifecycle::serve_until_stopped(serving.into_future(), &shutdown, jobs, grace).await?;
    tracing::info!("stopped");
    Ok(())
}

/// With no users yet, creates `admin` and says once, on the console (never in the log), how to log in.
fn announce_first_admin(store: &Store) -> anyhow::Result<()> {
    let given = std::env::var("TRAILSCOPE_ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    match ensure_first_admin(store, given.as_deref())? {
        Some((name, _)) if given.is_some() => {
            println!("Created user {name} with the password from TRAILSCOPE_ADMIN_PASSWORD.");
        }
        Some((name, password)) => {
            println!(
                "Created user {name}. Log in with password {password} (shown once; change it with `trailscope user passwd {name}`)."
            );
        }
        None => {}
    }
    Ok(())
}

/// The background job that keeps the trails snapshot fresh: at start, then every `every`.
async fn refresh_trails_every(state: AppState, every: std::time::Duration) {
    loop {
        match app::ssr::trails::refresh(&state).await {
            Ok(snapshot) => tracing::info!(
                regions = snapshot.regions.len(),
                "trail configuration refreshed"
            ),
            Err(error) => tracing::warn!(%error, "trail configuration refresh failed"),
        }
        tokio::time::sleep(every).await;
    }
}

/// The background Event History sync: at start, then `every` after each run ends.
async fn sync_every(state: AppState, every: std::time::Duration) {
    loop {
        match app::ssr::sync::sync_now(&state).await {
            Ok(Some(outcomes)) => {
                let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
                tracing::info!(regions = outcomes.len(), failed, "Event History sync done");
            }
            Ok(None) => tracing::info!("Event History sync skipped: one is already running"),
            Err(error) => tracing::warn!(%error, "Event History sync failed"),
        }
        resolve_names(&state).await;
        tokio::time::sleep(every).await;
    }
}

/// Names the Identity Center users new events brought (when accounts are configured), after a sync or an
/// ingest. Its failures are stored per user and logged; they never stop the job that called it.
async fn resolve_names(state: &AppState) {
    if state.aws.is_empty() {
        return;
    }
    match app::ssr::identity_center::resolve_names_now(state).await {
        Ok(Some(summary)) if summary.asked > 0 => {
            tracing::info!(summary = %summary.line(), "Identity Center user names resolved");
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "Identity Center user names could not be resolved"),
    }
}

/// The background S3 archive ingest: each archive in turn at start, then `every` after each round ends.
async fn ingest_s3_every(
    state: AppState,
    archives: Vec<S3Archive>,
    limits: IngestLimits,
    every: std::time::Duration,
) {
    let store: Arc<Store> = state.store.clone();
    loop {
        for archive in &archives {
            match ingest_s3(
                store.clone(),
                &state.aws,
                archive,
                &limits,
                Box::new(|_| {}),
            )
            .await
            {
                Ok(summary) => {
                    for problem in &summary.problems {
                        tracing::warn!(%archive, key = %problem.key, reason = %problem.reason, "an archive file was not stored; it is retried next time");
                    }
                    tracing::info!(%archive, summary = %summary.line(), "S3 archive ingested");
                }
                Err(error @ IngestError::NoLogFiles { .. }) => {
                    tracing::warn!(%archive, %error, "the S3 archive holds no CloudTrail log file; is its URL the trail's bucket and S3 key prefix?");
                }
                Err(error) => tracing::warn!(%archive, %error, "S3 archive ingest failed"),
            }
        }
        state.findings.wake();
        resolve_names(&state).await;
        // The digests that arrived with this round (only those, and each chain's link to what was validated).
        validate_new(&state).await;
        tokio::time::sleep(every).await;
    }
}
