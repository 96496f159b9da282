//! The auth file (`trailscope-auth.db`): logging in and browsing while a large ingest loads the same store, the
//! request path's writes (the new session, the login's audit entry, an API token's last use) never wait for an
//! ingest batch or an index build; and a store from before the auth file keeps its users, sessions, tokens and
//! audit log.
mod common;

use app::ssr::audit::{self, Action, Outcome};
use app::ssr::auth::Role;
use app::ssr::auth::tokens::create_token;
use app::ssr::auth::users::add_user;
use app::ssr::demo::{DemoOptions, write_demo};
use app::ssr::ingest::{IngestLimits, ingest_folder};
use app::ssr::store::Store;
use axum::http::StatusCode;
use common::{END, PASSWORD, exchange, form_post, get, lenient_auth, router_with, session_cookie};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Logs `name` in; the session cookie, or the failed response.
async fn logged_in(router: &axum::Router, name: &str) -> Result<String, (StatusCode, String)> {
    let form = format!("username={name}&password={}", PASSWORD.replace(' ', "+"));
    let (status, headers, body) = exchange(router, form_post("/api/auth/login", &form, None)).await;
    match session_cookie(&headers) {
        Some(cookie) if status.is_success() => Ok(cookie),
        _ => Err((status, body)),
    }
}

/// Opens every page of [`BROWSED`] with `cookie`, then an API read with the bearer `token`; each must answer 200.
async fn browse(router: &axum::Router, cookie: &str, token: &str) {
    for path in BROWSED {
        let (status, _, body) = exchange(router, get(path, Some(cookie))).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    }
    let mut scripted = get("/api/activity/timeline?range=all", None);
    scripted.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    let (status, _, body) = exchange(router, scripted).await;
    assert_eq!(status, StatusCode::OK, "a token's GET: {body}");
}

/// How many successful logins of `name` the audit log holds.
fn audited_logins(store: &Store, name: &str) -> usize {
    audit::recent(store, 10_000, None)
        .expect("audit log")
        .into_iter()
        .filter(|r| {
            r.actor == name
                && r.action == Action::Login.as_str()
                && r.outcome == Outcome::Succeeded.as_str()
        })
        .count()
}

/// Pages and API reads a user opens after logging in: Activity, Events, Settings (users, tokens, audit log).
const BROWSED: [&str; 5] = [
    "/?range=all",
    "/events?range=all",
    "/settings",
    "/api/activity/timeline?range=all",
    "/api/auth/me",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_user_logs_in_and_browses_while_a_large_ingest_runs() {
    let archive = tempfile::tempdir().expect("tmp");
    let data = tempfile::tempdir().expect("tmp");
    // ~400k events in ~9k files: seconds of batches into an empty store, then the search indexes built at the end.
    let options = DemoOptions {
        seed: 42,
        days: 4,
        events: 400_000,
        end: END,
    };
    write_demo(archive.path(), &options).expect("demo archive");
    let store = Store::open_in(data.path()).expect("store");
    add_user(&store, "alice", Role::Admin, PASSWORD).expect("user");
    let token = create_token(&store, "script", Role::Viewer, "alice", None).expect("token");
    let (router, store) = router_with(store, lenient_auth());

    let first_batch = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicBool::new(false));
    let ingesting = std::thread::spawn({
        let (store, first_batch, done) = (store.clone(), first_batch.clone(), done.clone());
        let archive = archive.path().to_owned();
        move || {
            let summary = ingest_folder(&store, &archive, &IngestLimits::default(), &mut |p| {
                if p.events > 0 {
                    first_batch.store(true, Ordering::SeqCst);
                }
            });
            done.store(true, Ordering::SeqCst);
            summary
        }
    });
    while !first_batch.load(Ordering::SeqCst) && !ingesting.is_finished() {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }

    // Log in and browse again and again until the ingest ends; every request must succeed.
    let (mut logins, mut visits_while_ingesting) = (0, 0);
    loop {
        let ingest_running = !done.load(Ordering::SeqCst);
        let cookie = logged_in(&router, "alice")
            .await
            .unwrap_or_else(|failed| panic!("login {logins} during the ingest: {failed:?}"));
        logins += 1;
        browse(&router, &cookie, &token).await;
        if ingest_running && !done.load(Ordering::SeqCst) {
            visits_while_ingesting += 1;
        }
        if done.load(Ordering::SeqCst) {
            break;
        }
    }

    let summary = ingesting
        .join()
        .expect("the ingest thread")
        .expect("the ingest");
    assert!(summary.is_clean(), "{:?}", summary.problems);
    assert!(summary.events > 300_000, "{}", summary.line());
    assert!(
        visits_while_ingesting >= 1,
        "no visit fell inside the ingest ({logins} logins): the test proved nothing"
    );
    assert_eq!(
        audited_logins(&store, "alice"),
        logins,
        "every login is audited"
    );
}

/// Another process's long write on the event store (a CLI ingest's batch, its index build: stood in for by a
/// write transaction this test holds open) does not hold up a login or the pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_does_not_wait_for_a_write_on_the_event_store() {
    let data = tempfile::tempdir().expect("tmp");
    let store = Store::open_in(data.path()).expect("store");
    add_user(&store, "alice", Role::Admin, PASSWORD).expect("user");
    let token = create_token(&store, "script", Role::Viewer, "alice", None).expect("token");
    let (router, store) = router_with(store, lenient_auth());

    let other_process = rusqlite::Connection::open(store.path()).expect("open");
    other_process
        .execute_batch(
            "BEGIN IMMEDIATE; INSERT INTO meta (key, value) VALUES ('held', 'by a long write');",
        )
        .expect("the event store's write lock");
    let cookie = logged_in(&router, "alice")
        .await
        .expect("a login while another process writes the event store");
    browse(&router, &cookie, &token).await;
    other_process.execute_batch("ROLLBACK").expect("rollback");
    assert_eq!(audited_logins(&store, "alice"), 1, "the login is audited");
}

/// Turns the store in `data` into one from before the auth file (schema 9: users, sessions, API tokens and the
/// audit log in the event file, no auth file), with the rows it has now.
fn make_pre_auth_file_store(data: &std::path::Path) {
    let events = data.join(app::ssr::store::STORE_FILE);
    let auth = app::ssr::store::auth_schema::auth_path(&events);
    let conn = rusqlite::Connection::open(&events).expect("open");
    conn.execute("ATTACH DATABASE ?1 AS auth", [auth.to_string_lossy()])
        .expect("attach");
    for table in ["users", "sessions", "api_tokens", "audit_log"] {
        conn.execute_batch(&format!(
            "CREATE TABLE main.{table} AS SELECT * FROM auth.{table}"
        ))
        .expect(table);
    }
    // Tables of the migrations after 10 (findings, billing rollup, integrity, triage, findings webhooks, top-10
    // rollup), which schema 9 did not have.
    conn.execute_batch(
        "DROP TABLE finding_matches; DROP TABLE findings_state; DROP TABLE findings_passes;
         DROP TABLE rollup_billing_daily; DROP TABLE integrity_archives; DROP TABLE finding_triage;
         DROP TABLE finding_deliveries; DROP TABLE findings_notified; DROP TABLE finding_webhooks;
         DROP TABLE rollup_top;",
    )
    .expect("later tables");
    conn.execute_batch("DETACH DATABASE auth; PRAGMA user_version = 9")
        .expect("schema 9");
    drop(conn);
    for suffix in ["", "-wal", "-shm"] {
        let mut file = auth.clone().into_os_string();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_from_before_the_auth_file_keeps_its_users_sessions_tokens_and_audit_log() {
    let data = tempfile::tempdir().expect("tmp");
    let store = Store::open_in(data.path()).expect("store");
    add_user(&store, "alice", Role::Admin, PASSWORD).expect("user");
    let token = create_token(&store, "script", Role::Viewer, "alice", None).expect("token");
    let (router, store) = router_with(store, lenient_auth());
    let old_cookie = logged_in(&router, "alice").await.expect("login");
    drop((router, store));
    make_pre_auth_file_store(data.path());

    let store = Store::open_in(data.path()).expect("the old store opens");
    assert!(store.auth().path().exists(), "the auth file is created");
    assert_eq!(
        common::count(
            &store,
            "SELECT count(*) FROM sqlite_master WHERE name IN ('users', 'sessions', 'api_tokens', 'audit_log')"
        ),
        0,
        "the event file no longer holds the auth tables"
    );
    let (router, store) = router_with(store, lenient_auth());
    let (status, _, me) = exchange(&router, get("/api/auth/me", Some(&old_cookie))).await;
    assert_eq!(status, StatusCode::OK, "the session survives: {me}");
    assert!(me.contains("alice"), "{me}");
    let cookie = logged_in(&router, "alice")
        .await
        .expect("the old user logs in");
    browse(&router, &cookie, &token).await;
    assert_eq!(
        audited_logins(&store, "alice"),
        2,
        "the old login is still in the audit log, beside the new one"
    );
}
