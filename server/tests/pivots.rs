//! Who-did-it searches and an old event's links, through the real router over a small archive of our own
//! (issue 11, items 3, 4, 9 and 10): names qualified by account, every session of a role, people found by
//! their session name across roles, every link of a 90-day-old event's page finding that event, and account
//! IDs the store holds (redacted ones too) accepted by the filters that offer them.
mod common;

use axum::http::StatusCode;
use common::{PASSWORD, exchange, lenient_auth, log_in, router_with, write_gz};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::LazyLock;

const A: &str = "111122223333";
const B: &str = "444455556666";
/// An account renamed in the store to a redacted sample's `XXXXXXXXXXXX` (see `build`).
const C: &str = "999900001111";
const REDACTED: &str = "XXXXXXXXXXXX";
const ADMIN_SSO: &str = "AWSReservedSSO_AdministratorAccess_1a2b3c4d5e6f7a8b";
const POWER_SSO: &str = "AWSReservedSSO_PowerUser_9f8e7d6c5b4a3f2e";

/// The event 90 days old whose page the pivot test follows: a `Builder` role session writing a bucket policy.
const OLD_EVENT: &str = "0f1e2d3c-0000-4000-8000-000000000001";

fn id(n: u32) -> String {
    format!("0f1e2d3c-0000-4000-8000-{n:012}")
}

/// A record as CloudTrail writes it (AWS CloudTrail User Guide, "CloudTrail record contents").
fn record(n: u32, time: i64, account: &str, identity: Value, name: &str, read_only: bool) -> Value {
    json!({
        "eventVersion": "1.10",
        "userIdentity": identity,
        "eventTime": app::model::time::format_rfc3339(time),
        "eventSource": "s3.amazonaws.com",
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.20",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": {"bucketName": "build-artifacts"},
        "responseElements": null,
        "requestID": format!("REQ{n:013}"),
        "eventID": id(n),
        "readOnly": read_only,
        "resources": [{"accountId": account, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::build-artifacts"}],
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": account,
        "eventCategory": "Management"
    })
}

/// A role session's `userIdentity` (`AssumedRole`; the issuer's ARN has the role's path, the session's not).
fn session(account: &str, role: &str, path: &str, session: &str, key: &str) -> Value {
    json!({
        "type": "AssumedRole",
        "principalId": format!("AROAEXAMPLEROLEID:{session}"),
        "arn": format!("arn:aws:sts::{account}:assumed-role/{role}/{session}"),
        "accountId": account,
        "accessKeyId": key,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLEROLEID",
                "arn": format!("arn:aws:iam::{account}:role/{path}{role}"),
                "accountId": account,
                "userName": role
            },
            "attributes": {"creationDate": "2026-01-01T00:00:00Z", "mfaAuthenticated": "false"}
        }
    })
}

fn root(account: &str) -> Value {
    json!({"type": "Root", "principalId": account, "arn": format!("arn:aws:iam::{account}:root"),
           "accountId": account, "accessKeyId": "AKIAEXAMPLEROOTKEY1"})
}

fn iam_user(account: &str, name: &str) -> Value {
    json!({"type": "IAMUser", "principalId": "AIDAEXAMPLEUSERID01", "arn": format!("arn:aws:iam::{account}:user/{name}"),
           "accountId": account, "accessKeyId": "AKIAEXAMPLEUSERKEY1", "userName": name})
}

struct Fixture {
    router: axum::Router,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

/// 90 days before now, to the minute: the server's clock decides what "old" is.
fn old_time() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    (now - 90 * 86_400) / 60 * 60
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(build);

fn build() -> Fixture {
    let t = old_time();
    let m = 60;
    let a = [
        record(
            1,
            t,
            A,
            session(
                A,
                "Builder",
                "service-role/",
                "run-1",
                "ASIAEXAMPLEBUILD001",
            ),
            "PutBucketPolicy",
            false,
        ),
        record(
            2,
            t + 120 * m,
            A,
            session(
                A,
                "Builder",
                "service-role/",
                "run-2",
                "ASIAEXAMPLEBUILD002",
            ),
            "GetBucketPolicy",
            true,
        ),
        record(4, t + 10 * m, A, root(A), "PutBucketAcl", false),
        record(
            6,
            t + 12 * m,
            A,
            iam_user(A, "Alice"),
            "PutBucketTagging",
            false,
        ),
        record(
            8,
            t + 30 * m,
            A,
            session(
                A,
                ADMIN_SSO,
                "aws-reserved/sso.amazonaws.com/",
                "alice@example.com",
                "ASIAEXAMPLESSO00001",
            ),
            "PutBucketVersioning",
            false,
        ),
        record(
            9,
            t + 31 * m,
            A,
            session(
                A,
                ADMIN_SSO,
                "aws-reserved/sso.amazonaws.com/",
                "alice@example.com",
                "ASIAEXAMPLESSO00001",
            ),
            "GetBucketVersioning",
            true,
        ),
        record(
            10,
            t + 32 * m,
            A,
            session(
                A,
                POWER_SSO,
                "aws-reserved/sso.amazonaws.com/",
                "alice@example.com",
                "ASIAEXAMPLESSO00002",
            ),
            "PutBucketLogging",
            false,
        ),
        record(
            11,
            t + 33 * m,
            A,
            session(
                A,
                ADMIN_SSO,
                "aws-reserved/sso.amazonaws.com/",
                "bob@example.com",
                "ASIAEXAMPLESSO00003",
            ),
            "PutBucketLogging",
            false,
        ),
        // The same session 40 days later: outside the ±7-day pivots, inside "all time".
        record(
            13,
            t + 40 * 86_400,
            A,
            session(
                A,
                "Builder",
                "service-role/",
                "run-1",
                "ASIAEXAMPLEBUILD001",
            ),
            "GetBucketAcl",
            true,
        ),
    ];
    let b = [
        record(
            3,
            t + 60 * m,
            B,
            session(
                B,
                "Builder",
                "service-role/",
                "run-3",
                "ASIAEXAMPLEBUILD003",
            ),
            "PutBucketPolicy",
            false,
        ),
        record(5, t + 20 * m, B, root(B), "PutBucketAcl", false),
        record(
            7,
            t + 14 * m,
            B,
            iam_user(B, "Alice"),
            "PutBucketTagging",
            false,
        ),
    ];
    let c = [record(12, t + 5 * m, C, root(C), "PutBucketAcl", false)];
    let archive = tempfile::tempdir().expect("tmp");
    let data = tempfile::tempdir().expect("tmp");
    let date = &app::model::time::format_rfc3339(t)[..10];
    let (y, mo, d) = (&date[..4], &date[5..7], &date[8..10]);
    for (account, records) in [(A, &a[..]), (B, &b[..]), (C, &c[..])] {
        let key = format!(
            "AWSLogs/{account}/CloudTrail/us-east-1/{y}/{mo}/{d}/{account}_CloudTrail_us-east-1_{y}{mo}{d}T0000Z_pivotfixture0001.json.gz"
        );
        let log = json!({ "Records": records });
        write_gz(archive.path(), &key, log.to_string().as_bytes());
    }
    let store = app::ssr::store::Store::open_in(data.path()).expect("store");
    let summary = common::ingest(&store, archive.path());
    assert_eq!(summary.events, 13, "{summary:?}");
    // A redacted sample's account (`XXXXXXXXXXXX`), as a store holds it whichever field it came from.
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    conn.execute(
        "UPDATE strings SET value = ?1 WHERE value = ?2",
        [REDACTED, C],
    )
    .expect("renamed");
    drop(conn);
    app::ssr::auth::users::add_user(&store, "viewer", app::ssr::auth::Role::Viewer, PASSWORD)
        .expect("user");
    let (router, _) = router_with(store, lenient_auth());
    Fixture {
        router,
        _dirs: (archive, data),
    }
}

/// A GET as the logged-in viewer (one login shared by the tests here).
async fn get(uri: &str) -> (StatusCode, String) {
    static COOKIE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let router = &FIXTURE.router;
    let cookie = match COOKIE.get() {
        Some(cookie) => cookie.clone(),
        None => {
            let cookie = log_in(router, "viewer", PASSWORD, None)
                .await
                .expect("logged in");
            COOKIE.get_or_init(|| cookie).clone()
        }
    };
    let (status, _, body) = exchange(router, common::get(uri, Some(&cookie))).await;
    (status, body)
}

/// The event IDs `/api/events/search?{query}` finds, every page followed.
async fn found(query: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut after: Option<String> = None;
    loop {
        let uri = match &after {
            Some(cursor) => format!("/api/events/search?{query}&after={cursor}"),
            None => format!("/api/events/search?{query}"),
        };
        let (status, body) = get(&uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        let page: Value = serde_json::from_str(&body).expect("JSON");
        for e in page["events"].as_array().expect("events") {
            ids.insert(e["event_id"].as_str().expect("id").to_owned());
        }
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => return ids,
        }
    }
}

fn ids(ns: &[u32]) -> BTreeSet<String> {
    ns.iter().map(|n| id(*n)).collect()
}

#[tokio::test]
async fn a_name_qualified_by_account_finds_only_that_accounts_principal() {
    assert_eq!(found("range=all&rw=all&user=root").await, ids(&[4, 5, 12]));
    assert_eq!(
        found(&format!("range=all&rw=all&user=root&account={A}")).await,
        ids(&[4])
    );
    assert_eq!(
        found(&format!("range=all&rw=all&user=Alice&account={B}")).await,
        ids(&[7])
    );
}

#[tokio::test]
async fn a_role_filter_finds_every_session_of_that_role_and_no_other_accounts() {
    let role_arn = format!("arn:aws:iam::{A}:role/service-role/Builder");
    let role = app::model::filter::encode_component(&role_arn);
    assert_eq!(
        found(&format!("range=all&rw=all&role={role}")).await,
        ids(&[1, 2, 13])
    );
    assert_eq!(
        found("range=all&rw=all&role=Builder").await,
        ids(&[1, 2, 3, 13])
    );
    let (status, body) = get("/api/events/search?role=arn%3Aaws%3Aiam%3A%3A1%3Auser%2Fx").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("role"), "{body}");
}

#[tokio::test]
async fn a_person_is_found_by_the_session_name_used_across_roles() {
    assert_eq!(
        found("range=all&rw=all&user=alice%40example.com").await,
        ids(&[8, 9, 10])
    );
    // The readable name still matches exactly: one role's sessions only.
    let one_role = app::model::filter::encode_component(&format!("{ADMIN_SSO}/alice@example.com"));
    assert_eq!(
        found(&format!("range=all&rw=all&user={one_role}")).await,
        ids(&[8, 9])
    );
}

/// Every `/events?…` link in `html`, decoded from the attribute.
fn event_links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.starts_with("/events?"))
        .map(|href| href.replace("&amp;", "&"))
        .collect()
}

#[tokio::test]
async fn every_link_of_a_90_day_old_events_page_finds_that_event() {
    let (status, html) = get(&format!("/events/event?id={OLD_EVENT}")).await;
    assert_eq!(status, StatusCode::OK);
    let links = event_links(&html);
    // Pivots (identity ×3, key, IP, resource ×2, account), the chain (session, role, key, account), the
    // resources table.
    assert!(links.len() >= 12, "{links:#?}");
    for key in ["user=", "role=", "key=", "ip=", "resource=", "account="] {
        assert!(
            links.iter().any(|l| l.contains(key)),
            "no {key} link: {links:#?}"
        );
    }
    for link in &links {
        let query = link.trim_start_matches("/events?");
        assert!(
            !query.contains("range=30d") && !query.contains("range=24h"),
            "{link}"
        );
        assert!(
            found(query).await.contains(OLD_EVENT),
            "{link} does not find the event"
        );
    }
    // The identity and key links stay in the event's account.
    for link in links
        .iter()
        .filter(|l| l.contains("user=") || l.contains("key="))
    {
        assert!(link.contains(&format!("account={A}")), "{link}");
    }
    // The role link finds the role's other session; the week around the event, not the one 40 days on.
    let role_link = links
        .iter()
        .find(|l| l.contains("role="))
        .expect("a role link");
    assert_eq!(
        found(role_link.trim_start_matches("/events?")).await,
        ids(&[1, 2])
    );
}

#[tokio::test]
async fn an_account_the_store_holds_filters_even_when_not_twelve_digits() {
    let (status, body) = get("/api/activity/choices").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let choices: Value = serde_json::from_str(&body).expect("JSON");
    assert!(
        choices["accounts"]
            .as_array()
            .expect("accounts")
            .contains(&json!(REDACTED)),
        "{body}"
    );
    assert_eq!(
        found(&format!("range=all&rw=all&account={REDACTED}")).await,
        ids(&[12])
    );
    let (status, body) = get(&format!("/api/activity/top?range=all&account={REDACTED}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = get("/api/events/search?account=1234%27%3B%20--").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("account"), "{body}");
}
