//! Findings webhooks against a real HTTP server on 127.0.0.1: new findings at or above a webhook's minimum
//! severity reach it as Slack's `{"text": …}` and as the versioned JSON, once, after an archive is ingested and
//! evaluated by the serve job; a failing receiver is retried, one that always fails shows in
//! `GET /api/findings/webhooks`; a restart sends nothing again; a hanging receiver never holds up ingest.
mod common;

use app::ssr::findings::Findings;
use app::ssr::findings::rules::RuleSet;
use app::ssr::findings::webhooks::{DeliveryPolicy, Webhooks};
use app::ssr::state::AppState;
use app::ssr::store::Store;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const STOP_LOGGING_RULE: &str = "26afc699-01bf-40bd-b8e1-6d850e5ac5fb";
const KEY_A: &str = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T1005Z_webhookfixture01.json.gz";
const KEY_B: &str = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T1105Z_webhookfixture02.json.gz";

/// A trail stopped by an IAM user (the `high` rule "CloudTrail logging stopped") and a failed console sign-in
/// (the `low` rule "Console sign-in failed"), shaped like the CloudTrail User Guide's examples.
fn log(stop_id: &str, stop_time: &str, login_id: &str) -> String {
    format!(
        r#"{{"Records":[
{{"eventVersion":"1.09","userIdentity":{{"type":"IAMUser","principalId":"AIDAEXAMPLEMALLORY01","arn":"arn:aws:iam::111122223333:user/mallory","accountId":"111122223333","accessKeyId":"AKIAEXAMPLEMALLORY01","userName":"mallory"}},"eventTime":"{stop_time}","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.50","userAgent":"aws-cli/2.15.0 Python/3.11","requestParameters":{{"name":"arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events"}},"responseElements":null,"requestID":"0f5e7c1a-9d6e-4f59-a7b1-2c3d4e5f6a7b","eventID":"{stop_id}","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}},
{{"eventVersion":"1.09","userIdentity":{{"type":"IAMUser","principalId":"AIDAEXAMPLEBOB00001","accountId":"111122223333","accessKeyId":"","userName":"bob"}},"eventTime":"2026-11-20T10:02:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"Mozilla/5.0 (X11; Linux x86_64)","errorMessage":"Failed authentication","requestParameters":null,"responseElements":{{"ConsoleLogin":"Failure"}},"additionalEventData":{{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"No"}},"eventID":"{login_id}","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}}
]}}"#
    )
}

fn write_archive(dir: &Path, key: &str, stop_id: &str, stop_time: &str, login_id: &str) {
    common::write_gz(dir, key, log(stop_id, stop_time, login_id).as_bytes());
}

/// How the receiver answers the `n`-th request (0-based) with the same body: a status, or never (`None`).
type Answer = fn(usize) -> Option<StatusCode>;

/// A webhook receiver on 127.0.0.1 recording each request's headers and body.
#[derive(Clone)]
struct Receiver {
    url: String,
    seen: Arc<Mutex<Vec<(HeaderMap, Value)>>>,
    arrived: Arc<AtomicUsize>,
}

impl Receiver {
    async fn start(answer: Answer) -> Self {
        let seen: Arc<Mutex<Vec<(HeaderMap, Value)>>> = Arc::default();
        let arrived = Arc::new(AtomicUsize::new(0));
        let (s, a) = (seen.clone(), arrived.clone());
        let app = axum::Router::new().route(
            "/hook/{*rest}",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let (seen, arrived) = (s.clone(), a.clone());
                async move {
                    let body: Value = serde_json::from_str(&body).unwrap_or(Value::String(body));
                    let n = {
                        let mut seen = seen.lock().expect("lock");
                        let n = seen.iter().filter(|(_, b)| *b == body).count();
                        seen.push((headers, body));
                        n
                    };
                    arrived.fetch_add(1, Ordering::SeqCst);
                    match answer(n) {
                        Some(status) => status,
                        None => std::future::pending().await,
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            url: format!("http://{addr}/hook/s3cr3t-path?token=s3cr3t-query"),
            seen,
            arrived,
        }
    }

    fn bodies(&self) -> Vec<Value> {
        let seen = self.seen.lock().expect("lock");
        seen.iter().map(|(_, b)| b.clone()).collect()
    }

    /// Waits until at least `n` requests arrived (failing after 60 s).
    async fn wait_for(&self, n: usize) {
        let waited = tokio::time::timeout(Duration::from_secs(60), async {
            while self.arrived.load(Ordering::SeqCst) < n {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert!(
            waited.is_ok(),
            "{n} requests expected, got {:?}",
            self.bodies()
        );
    }
}

/// Fast retries so the tests see several attempts.
fn quick() -> DeliveryPolicy {
    DeliveryPolicy {
        first_retry_ms: 100,
        max_retry_ms: 400,
        timeout_ms: 2_000,
        ..DeliveryPolicy::default()
    }
}

/// The serve jobs (evaluation, then delivery) over the store in `data`, with the webhooks of `config_json`
/// (`TRAILSCOPE_FINDINGS_WEBHOOKS`), read as `serve` reads them, secrets from `env`.
struct Running {
    state: AppState,
    jobs: tokio::task::JoinSet<()>,
}

impl Running {
    async fn start(
        data: &Path,
        config_json: &str,
        env: &[(&str, &str)],
        policy: DeliveryPolicy,
    ) -> Self {
        let vars: Vec<(String, String)> = [("TRAILSCOPE_FINDINGS_WEBHOOKS", config_json)]
            .iter()
            .chain(env)
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup = move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let config = trailscope::config::Config::load(None, &lookup).expect("configuration");
        let hooks = config.findings_webhooks(&lookup).expect("webhooks");
        let webhooks = Webhooks::new(
            hooks,
            Some("https://trailscope.example.com/".into()),
            policy,
        );
        let store = Store::open_in(data).expect("store");
        let state = AppState::with_auth(store, common::lenient_auth())
            .with_findings(Findings::new(RuleSet::load(None)).with_webhooks(webhooks));
        let mut jobs = tokio::task::JoinSet::new();
        jobs.spawn(trailscope::serve::findings::evaluate_continuously(
            state.clone(),
        ));
        jobs.spawn(trailscope::serve::findings::notify_continuously(
            state.clone(),
        ));
        // The first evaluation sets where notifications start (findings already stored are not sent).
        let ready = tokio::time::timeout(Duration::from_secs(30), async {
            while common::count(&state.store, "SELECT count(*) FROM findings_notified") == 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert!(ready.is_ok(), "the findings job started");
        Self { state, jobs }
    }

    /// Ingests the archive in `dir` as ingest does (blocking, off the runtime) and wakes the findings job.
    async fn ingest(&self, dir: &Path) {
        let (store, dir) = (self.state.store.clone(), dir.to_owned());
        tokio::task::spawn_blocking(move || common::ingest(&store, &dir))
            .await
            .expect("ingest");
        self.state.findings.wake();
    }

    async fn stop(mut self) {
        self.jobs.abort_all();
        while self.jobs.join_next().await.is_some() {}
    }
}

/// A Slack webhook (its URL from `SLACK_URL`) and a JSON one (its token from `SIEM_TOKEN`), both `high`.
fn hooks_json(json_url: &str) -> String {
    format!(
        r#"[{{"name":"chat","kind":"slack","url":"env:SLACK_URL"}},
            {{"name":"siem","kind":"json","url":"{json_url}","min_severity":"high","headers":{{"Authorization":"env:SIEM_TOKEN"}}}}]"#
    )
}

fn one_json_hook(url: &str) -> String {
    format!(r#"[{{"name":"siem","kind":"json","url":"{url}"}}]"#)
}

/// The admin's view of `GET /api/findings/webhooks` (and a viewer is refused it).
async fn webhook_status(state: &AppState) -> Value {
    app::ssr::auth::users::add_user(
        &state.store,
        "boss",
        app::ssr::auth::Role::Admin,
        common::PASSWORD,
    )
    .ok();
    app::ssr::auth::users::add_user(
        &state.store,
        "eve",
        app::ssr::auth::Role::Viewer,
        common::PASSWORD,
    )
    .ok();
    let router = common::router_of(state.clone());
    let viewer = common::log_in(&router, "eve", common::PASSWORD, None)
        .await
        .expect("viewer");
    let (status, _, _) = common::exchange(
        &router,
        common::get("/api/findings/webhooks", Some(&viewer)),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "viewers do not see the webhooks"
    );
    let admin = common::log_in(&router, "boss", common::PASSWORD, None)
        .await
        .expect("admin");
    let (status, _, body) =
        common::exchange(&router, common::get("/api/findings/webhooks", Some(&admin))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        !body.contains("s3cr3t"),
        "no secret part of the URL: {body}"
    );
    serde_json::from_str(&body).expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_high_finding_reaches_slack_and_json_webhooks_and_a_low_one_does_not() {
    let receiver = Receiver::start(|_| Some(StatusCode::OK)).await;
    let (data, archive) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    let running = Running::start(
        data.path(),
        &hooks_json(&receiver.url),
        &[
            ("SLACK_URL", receiver.url.as_str()),
            ("SIEM_TOKEN", "Bearer t0k3n"),
        ],
        quick(),
    )
    .await;
    write_archive(
        archive.path(),
        KEY_A,
        "aaaaaaaa-0000-4000-8000-000000000001",
        "2026-11-20T10:01:00Z",
        "aaaaaaaa-0000-4000-8000-000000000002",
    );
    running.ingest(archive.path()).await;
    receiver.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(800)).await;

    let seen = receiver.seen.lock().expect("lock").clone();
    let texts: Vec<&str> = seen
        .iter()
        .filter_map(|(_, b)| b["text"].as_str())
        .collect();
    let json: Vec<&Value> = seen
        .iter()
        .map(|(_, b)| b)
        .filter(|b| b["version"] == 1)
        .collect();
    assert_eq!(
        texts.len() + json.len(),
        seen.len(),
        "every body is Slack's or the JSON: {seen:?}"
    );
    let stopped: Vec<&&str> = texts
        .iter()
        .filter(|t| t.contains("CloudTrail logging stopped"))
        .collect();
    assert_eq!(stopped.len(), 1, "{texts:?}");
    assert!(
        stopped[0].contains("*[HIGH] CloudTrail logging stopped*"),
        "{}",
        stopped[0]
    );
    assert!(
        stopped[0].contains("arn:aws:iam::111122223333:user/mallory"),
        "{}",
        stopped[0]
    );
    assert!(
        stopped[0].contains(&format!(
            "<https://trailscope.example.com/findings?rule={STOP_LOGGING_RULE}&amp;open={STOP_LOGGING_RULE}|Open in Trailscope>"
        )),
        "{}",
        stopped[0]
    );
    let body = json
        .iter()
        .find(|b| b["rule_id"] == STOP_LOGGING_RULE)
        .expect("the JSON body");
    assert_eq!(
        json.iter()
            .filter(|b| b["rule_id"] == STOP_LOGGING_RULE)
            .count(),
        1
    );
    for (field, expected) in [
        ("title", serde_json::json!("CloudTrail logging stopped")),
        ("severity", serde_json::json!("high")),
        ("technique", serde_json::json!("T1562.008")),
        ("count", serde_json::json!(1)),
        ("first_seen", serde_json::json!("2026-11-20T10:01:00Z")),
        ("last_seen", serde_json::json!("2026-11-20T10:01:00Z")),
        ("accounts", serde_json::json!(["111122223333"])),
        (
            "identities",
            serde_json::json!(["arn:aws:iam::111122223333:user/mallory"]),
        ),
        ("source", serde_json::json!("trailscope")),
        (
            "link",
            serde_json::json!(format!(
                "https://trailscope.example.com/findings?rule={STOP_LOGGING_RULE}&open={STOP_LOGGING_RULE}"
            )),
        ),
    ] {
        assert_eq!(body[field], expected, "{field}: {body}");
    }
    let (headers, _) = seen
        .iter()
        .find(|(_, b)| b["rule_id"] == STOP_LOGGING_RULE)
        .expect("json");
    assert_eq!(headers["authorization"], "Bearer t0k3n");
    assert_eq!(headers["content-type"], "application/json");
    // The failed sign-in is a finding, but `low`: below both webhooks' minimum (`high`).
    let store = running.state.store.clone();
    assert!(
        common::count(
            &store,
            "SELECT count(*) FROM finding_matches WHERE rule_id = '5c701897-4841-4363-8ceb-f15989e1c0da'"
        ) == 1
    );
    let all = serde_json::to_string(&receiver.bodies()).expect("json");
    assert!(
        !all.contains("Console sign-in failed") && !all.contains("5c701897"),
        "{all}"
    );
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_receiver_is_retried_and_gets_the_finding_once() {
    let receiver = Receiver::start(|n| {
        Some(if n == 0 {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::OK
        })
    })
    .await;
    let (data, archive) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    let running = Running::start(data.path(), &one_json_hook(&receiver.url), &[], quick()).await;
    write_archive(
        archive.path(),
        KEY_A,
        "bbbbbbbb-0000-4000-8000-000000000001",
        "2026-11-20T10:01:00Z",
        "bbbbbbbb-0000-4000-8000-000000000002",
    );
    running.ingest(archive.path()).await;
    receiver.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let stop: Vec<Value> = receiver
        .bodies()
        .into_iter()
        .filter(|b| b["rule_id"] == STOP_LOGGING_RULE)
        .collect();
    assert_eq!(
        stop.len(),
        2,
        "refused once, then delivered, then never again: {stop:?}"
    );
    assert_eq!(
        stop[0]["delivery_id"], stop[1]["delivery_id"],
        "the same delivery retried"
    );
    let status = webhook_status(&running.state).await;
    let siem = &status["webhooks"][0];
    assert_eq!(siem["name"], "siem");
    assert_eq!(siem["failed_attempts"], 1, "{status}");
    assert_eq!(siem["pending"], 0, "{status}");
    assert!(siem["delivered"].as_u64().unwrap_or(0) >= 1, "{status}");
    assert!(siem["last_success_secs"].is_i64(), "{status}");
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_always_fails_shows_in_the_status_api() {
    let receiver = Receiver::start(|_| Some(StatusCode::INTERNAL_SERVER_ERROR)).await;
    let (data, archive) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    let running = Running::start(data.path(), &one_json_hook(&receiver.url), &[], quick()).await;
    write_archive(
        archive.path(),
        KEY_A,
        "cccccccc-0000-4000-8000-000000000001",
        "2026-11-20T10:01:00Z",
        "cccccccc-0000-4000-8000-000000000002",
    );
    running.ingest(archive.path()).await;
    receiver.wait_for(3).await;
    let status = webhook_status(&running.state).await;
    let siem = &status["webhooks"][0];
    assert_eq!(
        siem["last_failure"], "HTTP 500 Internal Server Error",
        "{status}"
    );
    assert!(siem["last_failure_secs"].is_i64(), "{status}");
    assert!(
        siem["failed_attempts"].as_u64().unwrap_or(0) >= 2,
        "{status}"
    );
    assert!(
        siem["pending"].as_u64().unwrap_or(0) >= 1,
        "still waiting to be retried: {status}"
    );
    assert_eq!(siem["delivered"], 0, "{status}");
    assert_eq!(siem["last_success_secs"], Value::Null, "{status}");
    let port = receiver
        .url
        .split(':')
        .nth(2)
        .and_then(|p| p.split('/').next())
        .expect("port");
    assert_eq!(
        siem["target"],
        format!("http://127.0.0.1:{port}/…"),
        "{status}"
    );
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_and_a_full_reevaluation_send_nothing_again() {
    let receiver = Receiver::start(|_| Some(StatusCode::OK)).await;
    let data = tempfile::tempdir().expect("tmp");
    let (first, second) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    let hooks = one_json_hook(&receiver.url);
    let running = Running::start(data.path(), &hooks, &[], quick()).await;
    write_archive(
        first.path(),
        KEY_A,
        "dddddddd-0000-4000-8000-000000000001",
        "2026-11-20T10:01:00Z",
        "dddddddd-0000-4000-8000-000000000002",
    );
    running.ingest(first.path()).await;
    receiver.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = receiver.bodies().len();
    running.stop().await;

    let running = Running::start(data.path(), &hooks, &[], quick()).await;
    let store = running.state.store.clone();
    tokio::task::spawn_blocking(move || {
        app::ssr::findings::store::reevaluate_all(&store, &RuleSet::load(None))
    })
    .await
    .expect("task")
    .expect("re-evaluated");
    running.state.findings.wake();
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(
        receiver.bodies().len(),
        before,
        "nothing sent again: {:?}",
        receiver.bodies()
    );

    // The restarted job still sends what is new.
    write_archive(
        second.path(),
        KEY_B,
        "dddddddd-0000-4000-8000-000000000003",
        "2026-11-20T11:01:00Z",
        "dddddddd-0000-4000-8000-000000000004",
    );
    running.ingest(second.path()).await;
    receiver.wait_for(before + 1).await;
    let stops: Vec<Value> = receiver
        .bodies()
        .into_iter()
        .filter(|b| b["rule_id"] == STOP_LOGGING_RULE)
        .collect();
    assert_eq!(stops.len(), 2, "{stops:?}");
    assert_eq!(stops[1]["first_seen"], "2026-11-20T11:01:00Z");
    assert_ne!(stops[0]["delivery_id"], stops[1]["delivery_id"]);
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_and_evaluation_go_on_while_the_webhook_hangs() {
    let receiver = Receiver::start(|_| None).await;
    let data = tempfile::tempdir().expect("tmp");
    let (first, second) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    let policy = DeliveryPolicy {
        timeout_ms: 120_000,
        ..quick()
    };
    let running = Running::start(data.path(), &one_json_hook(&receiver.url), &[], policy).await;
    write_archive(
        first.path(),
        KEY_A,
        "eeeeeeee-0000-4000-8000-000000000001",
        "2026-11-20T10:01:00Z",
        "eeeeeeee-0000-4000-8000-000000000002",
    );
    running.ingest(first.path()).await;
    receiver.wait_for(1).await;

    // The receiver holds its first POST open; a second archive still ingests and is evaluated.
    write_archive(
        second.path(),
        KEY_B,
        "eeeeeeee-0000-4000-8000-000000000003",
        "2026-11-20T11:01:00Z",
        "eeeeeeee-0000-4000-8000-000000000004",
    );
    let ingested =
        tokio::time::timeout(Duration::from_secs(30), running.ingest(second.path())).await;
    assert!(ingested.is_ok(), "ingest finished while the webhook hung");
    let store = running.state.store.clone();
    let queued = tokio::time::timeout(Duration::from_secs(30), async {
        while common::count(&store, "SELECT count(*) FROM finding_deliveries") < 2 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        queued.is_ok(),
        "the new events were evaluated and their finding queued while the webhook hung"
    );
    assert_eq!(
        common::count(
            &store,
            &format!("SELECT count(*) FROM finding_matches WHERE rule_id = '{STOP_LOGGING_RULE}'")
        ),
        2
    );
    assert_eq!(
        receiver.arrived.load(Ordering::SeqCst),
        1,
        "the first POST is still open"
    );
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_is_bounded_and_shows_what_it_dropped() {
    let receiver = Receiver::start(|_| Some(StatusCode::SERVICE_UNAVAILABLE)).await;
    let (data, archive) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    // `low`: the stopped trail, the CloudTrail change and the failed sign-in are each a finding for it.
    let hooks = format!(
        r#"[{{"name":"siem","kind":"json","url":"{}","min_severity":"low"}}]"#,
        receiver.url
    );
    let policy = DeliveryPolicy {
        max_queued: 1,
        first_retry_ms: 60_000,
        ..quick()
    };
    let running = Running::start(data.path(), &hooks, &[], policy).await;
    write_archive(
        archive.path(),
        KEY_A,
        "ffffffff-0000-4000-8000-000000000001",
        "2026-11-20T10:01:00Z",
        "ffffffff-0000-4000-8000-000000000002",
    );
    running.ingest(archive.path()).await;
    receiver.wait_for(1).await;
    let status = webhook_status(&running.state).await;
    let siem = &status["webhooks"][0];
    assert_eq!(siem["pending"], 1, "{status}");
    assert!(siem["dropped"].as_u64().unwrap_or(0) >= 2, "{status}");
    assert_eq!(
        siem["last_failure"], "HTTP 503 Service Unavailable",
        "{status}"
    );
    running.stop().await;
}

#[test]
fn retries_back_off_exponentially_up_to_the_cap() {
    let policy = DeliveryPolicy::default();
    let waits: Vec<u64> = (1..=12).map(|n| policy.backoff_ms(n)).collect();
    assert_eq!(&waits[..4], [5_000, 10_000, 20_000, 40_000]);
    assert_eq!(waits[11], 3_600_000, "capped at an hour");
    assert!(waits.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(policy.backoff_ms(u32::MAX), 3_600_000);
}
