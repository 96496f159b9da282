//! Shared fixtures: a small generated archive and a store built from it.
#![allow(dead_code)]

pub mod served;

use app::ssr::demo::{DemoOptions, DemoSummary, write_demo};
use app::ssr::ingest::{IngestLimits, IngestSummary, ingest_folder};
use app::ssr::store::Store;
use std::path::Path;

/// 2026-11-20T12:00:00Z: a fixed end so fixtures do not depend on the clock.
pub const END: i64 = 1_795_694_400;

pub fn small_demo(out: &Path) -> DemoSummary {
    let options = DemoOptions {
        seed: 11,
        days: 7,
        events: 20_000,
        end: END,
    };
    write_demo(out, &options).expect("demo archive")
}

pub fn ingest(store: &Store, dir: &Path) -> IngestSummary {
    ingest_folder(store, dir, &IngestLimits::default(), &mut |_| {}).expect("ingest runs")
}

/// One number from SQL on the store file (the test's own connection, not the app's queries).
pub fn count(store: &Store, sql: &str) -> u64 {
    let conn = rusqlite::Connection::open(store.path()).expect("open store");
    conn.query_row(sql, [], |r| r.get::<_, i64>(0)).expect(sql) as u64
}

/// One number from SQL on the store's auth file (users, sessions, API tokens, audit log).
pub fn count_auth(store: &Store, sql: &str) -> u64 {
    let conn = rusqlite::Connection::open(store.auth().path()).expect("open auth file");
    conn.query_row(sql, [], |r| r.get::<_, i64>(0)).expect(sql) as u64
}

/// Writes `json` gzip-compressed at `key` below `root`.
pub fn write_gz(root: &Path, key: &str, json: &[u8]) {
    use std::io::Write;
    let path = root.join(key);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(json).expect("gzip");
    std::fs::write(path, gz.finish().expect("gzip")).expect("write");
}

/// The password test fixtures give their users.
pub const PASSWORD: &str = "a long test password";

/// One HTTP exchange with the in-process router: status, headers, body.
pub async fn exchange(
    router: &axum::Router,
    request: axum::http::Request<axum::body::Body>,
) -> (axum::http::StatusCode, axum::http::HeaderMap, String) {
    use tower::ServiceExt;
    let response = router.clone().oneshot(request).await.expect("response");
    let (status, headers) = (response.status(), response.headers().clone());
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

/// A same-origin form POST, optionally with a session cookie.
pub fn form_post(
    uri: &str,
    form: &str,
    cookie: Option<&str>,
) -> axum::http::Request<axum::body::Body> {
    let mut request = axum::http::Request::post(uri)
        .header("host", "localhost")
        .header("origin", "http://localhost")
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request
        .body(axum::body::Body::from(form.to_owned()))
        .expect("request")
}

/// The session cookie (`name=value`) a response sets, if any.
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("trailscope_session="))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
}

/// Logs `name` in through the login endpoint and returns the session cookie.
pub async fn log_in(
    router: &axum::Router,
    name: &str,
    password: &str,
    cookie: Option<&str>,
) -> Option<String> {
    let form = format!("username={name}&password={}", password.replace(' ', "+"));
    let (_, headers, _) = exchange(router, form_post("/api/auth/login", &form, cookie)).await;
    session_cookie(&headers)
}

/// The real router over `store`, with these authentication settings.
pub fn router_with(
    store: app::ssr::store::Store,
    auth: app::ssr::auth::AuthSettings,
) -> (axum::Router, std::sync::Arc<app::ssr::store::Store>) {
    let app = app::ssr::state::AppState::with_auth(store, auth);
    let store = app.store.clone();
    (router_of(app), store)
}

/// The real router over `app`.
pub fn router_of(app: app::ssr::state::AppState) -> axum::Router {
    let leptos_options = leptos::prelude::LeptosOptions::builder()
        .output_name("trailscope")
        .build();
    trailscope::serve::router(trailscope::serve::ServerState {
        leptos_options,
        app,
        secure_cookies: true,
        shutdown: Default::default(),
    })
}

/// A login throttle too generous to trip, for tests that log in often.
pub fn lenient_auth() -> app::ssr::auth::AuthSettings {
    use app::ssr::auth::throttle::{LoginThrottle, quota};
    let fast = quota(100_000, std::time::Duration::from_millis(1));
    app::ssr::auth::AuthSettings {
        throttle: LoginThrottle::new(fast, fast),
        ..Default::default()
    }
}

/// A GET, optionally with a session cookie.
pub fn get(uri: &str, cookie: Option<&str>) -> axum::http::Request<axum::body::Body> {
    let mut request = axum::http::Request::get(uri);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.body(axum::body::Body::empty()).expect("request")
}

/// The request as if it came over a TCP connection from `ip` (what `serve` records for every connection).
pub fn from_peer(
    mut request: axum::http::Request<axum::body::Body>,
    ip: &str,
) -> axum::http::Request<axum::body::Body> {
    let addr = std::net::SocketAddr::new(ip.parse().expect("ip"), 50_000);
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    request
}

/// The threads of a running process: (name, nice value), from Linux's `/proc/PID/task/TID/stat` (the name in
/// parentheses, the nice value field 19); empty once it has exited.
pub fn threads(pid: u32) -> Vec<(String, i32)> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("stat")).ok())
        .filter_map(|stat| {
            let (open, close) = (stat.find('(')?, stat.rfind(')')?);
            let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
            Some((
                stat[open + 1..close].to_owned(),
                fields.get(16)?.parse().ok()?,
            ))
        })
        .collect()
}
