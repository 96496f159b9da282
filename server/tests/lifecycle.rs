//! `trailscope serve` as a container runtime drives it: `/healthz` and `/readyz` answer without a login, a
//! SIGTERM or SIGINT ends the process with exit 0, and `TRAILSCOPE_LOG_FORMAT=json` makes every log line JSON.
mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// (status code, body) of a plain GET, or `None` while nothing listens.
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    let body = response
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    Some((status, body))
}

fn serve(data: &std::path::Path, port: u16, log_format: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args([
            "--data-dir",
            data.to_str().expect("utf-8"),
            "serve",
            "--addr",
        ])
        .arg(format!("127.0.0.1:{port}"))
        .env("TRAILSCOPE_DEMO", "false")
        .env("TRAILSCOPE_LOG", "info")
        .env("TRAILSCOPE_LOG_FORMAT", log_format)
        .env("TRAILSCOPE_ADMIN_PASSWORD", "a-long-test-password")
        .env("LEPTOS_SITE_ROOT", "target/site")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts")
}

fn wait_ready(port: u16, child: &mut Child) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some((200, body)) = get(port, "/readyz") {
            return serde_json::from_str(&body).expect("readyz answers JSON");
        }
        assert!(
            child.try_wait().expect("waits").is_none(),
            "serve exited before it was ready"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("/readyz never answered 200");
}

/// Sends `signal` and returns the exit code and everything logged.
fn stop(mut child: Child, signal: &str) -> (Option<i32>, String) {
    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("waits") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "serve did not exit after {signal}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut log = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut log)
        .expect("reads the log");
    (status.code(), log)
}

#[test]
fn readiness_says_the_schema_and_sigterm_ends_serving_with_exit_0() {
    let data = tempfile::tempdir().expect("tmp");
    let port = free_port();
    let mut child = serve(data.path(), port, "json");
    let ready = wait_ready(port, &mut child);
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["schema"], app::ssr::store::schema::known_version());
    assert_eq!(get(port, "/healthz").map(|(s, _)| s), Some(200));
    // Everything else still needs a login.
    assert_eq!(get(port, "/api/events/search").map(|(s, _)| s), Some(401));

    let (code, log) = stop(child, "-TERM");
    assert_eq!(code, Some(0), "{log}");
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let messages: Vec<&str> = lines
        .iter()
        .filter_map(|l| l["fields"]["message"].as_str())
        .collect();
    assert!(
        messages.iter().any(|m| m.starts_with("shutting down")),
        "{messages:?}"
    );
    assert!(messages.contains(&"stopped"), "{messages:?}");
}

#[test]
fn sigint_ends_serving_with_exit_0_and_the_store_opens_again() {
    let data = tempfile::tempdir().expect("tmp");
    let port = free_port();
    let mut child = serve(data.path(), port, "text");
    wait_ready(port, &mut child);
    let (code, log) = stop(child, "-INT");
    assert_eq!(code, Some(0), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "no colour codes when the log is not a terminal: {log}"
    );
    let store =
        app::ssr::store::Store::open_in(data.path()).expect("the store opens after the stop");
    assert!(store.is_empty().expect("reads"));
}

#[test]
fn an_unknown_log_format_is_refused_by_name() {
    let run = Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .arg("healthcheck")
        .env("TRAILSCOPE_LOG_FORMAT", "xml")
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("TRAILSCOPE_LOG_FORMAT: \"xml\""));
}

#[test]
fn the_server_evaluates_findings_on_lowered_threads_and_answers_pages_at_its_own_priority() {
    let data = tempfile::tempdir().expect("tmp");
    let port = free_port();
    let mut child = serve(data.path(), port, "text");
    wait_ready(port, &mut child);
    let own = common::threads(std::process::id())[0].1;
    let lowered = own.max(app::ssr::background::BACKGROUND_NICE);
    // The findings job evaluates new events at start: its work is the first on the bulk pool.
    let deadline = Instant::now() + Duration::from_secs(60);
    let threads = loop {
        let threads = common::threads(child.id());
        if threads.iter().any(|(name, _)| name == "trailscope-bulk") {
            break threads;
        }
        assert!(Instant::now() < deadline, "no bulk thread: {threads:?}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(get(port, "/healthz").map(|(s, _)| s), Some(200));
    for (name, nice) in &threads {
        let expected = if name == "trailscope-bulk" {
            lowered
        } else {
            own
        };
        assert_eq!(*nice, expected, "{name} runs at nice {nice}: {threads:?}");
    }
    assert!(
        threads.iter().any(|(name, _)| name.starts_with("tokio-")),
        "{threads:?}"
    );
    let (code, log) = stop(child, "-TERM");
    assert_eq!(code, Some(0), "{log}");
}
