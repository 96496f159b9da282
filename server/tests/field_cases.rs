//! Record shapes other CloudTrail tools have tripped over (shared/cases in the steering repo, rewritten here in
//! our own words), ingested into a real store and read back through the real router as a user sees them.
mod common;

use app::ssr::store::Store;
use common::served::{get_as, json_of, serve_store, viewer_cookie};
use common::{ingest, write_gz};
use serde_json::Value;

const ACCOUNT: &str = "111122223333";
const IC_USER: &str = "90676a1b2c-4d5e-6f70-8192-a3b4c5d6e7f8";

fn key(name: &str) -> String {
    format!(
        "AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2026/11/27/{ACCOUNT}_CloudTrail_us-east-1_20261127T0905Z_{name}.json.gz"
    )
}

/// One record: `identity` is the `userIdentity` object, `extra` more fields (leading comma).
fn record(id: u32, time: &str, source: &str, name: &str, identity: &str, extra: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.11","userIdentity":{identity},"eventTime":"2026-11-27T{time}Z","eventSource":"{source}","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"Mozilla/5.0","requestParameters":null,"eventID":"e0e0e0e0-0000-4000-8000-{id:012}","readOnly":false,"managementEvent":true,"eventCategory":"Management"{extra}}}"#
    )
}

fn log(records: &[String]) -> Vec<u8> {
    format!(r#"{{"Records":[{}]}}"#, records.join(",")).into_bytes()
}

/// The real router over a store of its own, with the viewer's session.
struct Served {
    router: axum::Router,
    cookie: String,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

impl Served {
    async fn json(&self, uri: &str) -> Value {
        json_of(uri, get_as(&self.router, &self.cookie, uri).await)
    }
}

/// The router over a store holding `files` (key, JSON).
async fn served(files: &[(String, Vec<u8>)]) -> Served {
    let archive = tempfile::tempdir().expect("tmp");
    let data = tempfile::tempdir().expect("tmp");
    for (key, json) in files {
        write_gz(archive.path(), key, json);
    }
    let store = Store::open_in(data.path()).expect("store");
    let summary = ingest(&store, archive.path());
    assert!(summary.is_clean(), "{:?}", summary.problems);
    let (router, _) = serve_store(store);
    let cookie = viewer_cookie(&router).await;
    Served {
        router,
        cookie,
        _dirs: (archive, data),
    }
}

fn events(page: &Value) -> Vec<&Value> {
    page["events"].as_array().expect("events").iter().collect()
}

fn top(lists: &Value, list: &str) -> Vec<(String, u64)> {
    lists[list]
        .as_array()
        .expect(list)
        .iter()
        .map(|e| {
            (
                e["value"].as_str().expect("value").to_owned(),
                e["count"].as_u64().expect("count"),
            )
        })
        .collect()
}

fn identity_center() -> String {
    format!(
        r#"{{"type":"IdentityCenterUser","accountId":"{ACCOUNT}","onBehalfOf":{{"userId":"{IC_USER}","identityStoreArn":"arn:aws:identitystore::{ACCOUNT}:identitystore/d-9067000000"}},"credentialId":"FAKEcredential"}}"#
    )
}

/// `recipientAccountId` of the trail's account, then `extra` fields (leading comma).
fn recipient(extra: &str) -> String {
    format!(r#","recipientAccountId":"{ACCOUNT}"{extra}"#)
}

#[tokio::test]
async fn identity_center_users_have_an_identity_and_are_found_by_their_user_id() {
    let user = identity_center();
    let files = [(
        key("IcUser0000000001"),
        log(&[
            record(
                101,
                "09:00:01",
                "signin.amazonaws.com",
                "CredentialChallenge",
                &user,
                &recipient(
                    r#","eventType":"AwsServiceEvent","additionalEventData":{"AuthWorkflowID":"w"}"#,
                ),
            ),
            record(
                102,
                "09:00:05",
                "sso.amazonaws.com",
                "Federate",
                &user,
                &recipient(""),
            ),
            record(
                103,
                "08:00:00",
                "sso.amazonaws.com",
                "Federate",
                &format!(
                    r#"{{"type":"Unknown","principalId":"{ACCOUNT}","accountId":"{ACCOUNT}","userName":"alice"}}"#
                ),
                &recipient(""),
            ),
        ]),
    )];
    let served = served(&files).await;
    let page = served.json("/api/events/search?range=all&rw=all").await;
    let found = events(&page);
    assert_eq!(found.len(), 3);
    for event in &found {
        let identity = event["identity"].as_str().unwrap_or_default();
        assert!(!identity.is_empty(), "every event names who acted: {event}");
    }
    let by_id = served
        .json(&format!(
            "/api/events/search?range=all&rw=all&user={IC_USER}"
        ))
        .await;
    assert_eq!(
        events(&by_id).len(),
        2,
        "found by the Identity Center user ID"
    );
    let lists = served.json("/api/activity/top?range=all").await;
    let identities = top(&lists, "identities");
    assert_eq!(
        identities.iter().map(|(_, n)| n).sum::<u64>(),
        3,
        "top identities count every event: {identities:?}"
    );
    assert!(
        identities
            .iter()
            .any(|(who, n)| who.starts_with(IC_USER) && *n == 2),
        "{identities:?}"
    );
}

#[tokio::test]
async fn failed_console_sign_ins_without_error_code_are_errors() {
    let carol = format!(
        r#"{{"type":"IAMUser","principalId":"AIDAEXAMPLEFAKECAROL","arn":"arn:aws:iam::{ACCOUNT}:user/carol","accountId":"{ACCOUNT}","accessKeyId":"","userName":"carol"}}"#
    );
    let hidden = format!(
        r#"{{"type":"IAMUser","accountId":"{ACCOUNT}","accessKeyId":"","userName":"HIDDEN_DUE_TO_SECURITY_REASONS"}}"#
    );
    let root = format!(
        r#"{{"type":"Root","principalId":"{ACCOUNT}","arn":"arn:aws:iam::{ACCOUNT}:root","accountId":"{ACCOUNT}"}}"#
    );
    let sign_in = |outcome: &str, message: &str| {
        let message = if message.is_empty() {
            String::new()
        } else {
            format!(r#","errorMessage":"{message}""#)
        };
        format!(
            r#","responseElements":{{"ConsoleLogin":"{outcome}"}},"eventType":"AwsConsoleSignIn","recipientAccountId":"{ACCOUNT}","additionalEventData":{{"MFAUsed":"No"}}{message}"#
        )
    };
    let files = [(
        key("SignInFailures01"),
        log(&[
            record(
                201,
                "10:00:01",
                "signin.amazonaws.com",
                "ConsoleLogin",
                &carol,
                &sign_in("Failure", "Failed authentication"),
            ),
            record(
                202,
                "10:00:09",
                "signin.amazonaws.com",
                "ConsoleLogin",
                &carol,
                &sign_in("Failure", "Failed authentication"),
            ),
            record(
                203,
                "10:00:17",
                "signin.amazonaws.com",
                "ConsoleLogin",
                &hidden,
                &sign_in("Failure", "No username found in supplied account"),
            ),
            record(
                204,
                "10:00:25",
                "signin.amazonaws.com",
                "ConsoleLogin",
                &root,
                &sign_in("Failure", "Failed authentication"),
            ),
            record(
                205,
                "10:01:00",
                "signin.amazonaws.com",
                "ConsoleLogin",
                &carol,
                &sign_in("Success", ""),
            ),
        ]),
    )];
    let served = served(&files).await;
    let errors = served
        .json("/api/events/search?range=all&rw=all&errors=1")
        .await;
    let failed: Vec<&str> = events(&errors)
        .iter()
        .map(|e| e["event_id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        failed.len(),
        4,
        "errors only finds the four failures: {failed:?}"
    );
    assert!(
        !failed.iter().any(|id| id.ends_with("205")),
        "the success is not an error"
    );
    let timeline = served.json("/api/activity/timeline?range=all").await;
    assert_eq!(timeline["totals"]["errors"].as_u64(), Some(4));
    assert_eq!(timeline["totals"]["events"].as_u64(), Some(5));
    let lists = served.json("/api/activity/top?range=all").await;
    let codes = top(&lists, "error_codes");
    assert_eq!(
        codes,
        vec![
            ("Failed authentication".to_owned(), 3),
            ("No username found in supplied account".to_owned(), 1)
        ]
    );
    let by_code = served
        .json("/api/events/search?range=all&rw=all&error=Failed%20authentication")
        .await;
    assert_eq!(events(&by_code).len(), 3);
}

#[tokio::test]
async fn records_without_a_recipient_account_belong_to_the_account_whose_trail_logged_them() {
    let files = [(
        key("NoRecipient00001"),
        log(&[
            record(
                1001,
                "18:00:00",
                "sts.amazonaws.com",
                "AssumeRole",
                r#"{"type":"AWSAccount","principalId":"AIDAEXAMPLEFAKECROSS","accountId":"444455556666"}"#,
                "",
            ),
            record(
                1002,
                "18:00:10",
                "s3.amazonaws.com",
                "GetObject",
                r#"{"type":"AWSAccount","principalId":"","accountId":"ANONYMOUS_PRINCIPAL"}"#,
                &format!(r#","recipientAccountId":"{ACCOUNT}""#),
            ),
        ]),
    )];
    let served = served(&files).await;
    let choices = served.json("/api/activity/choices").await;
    assert_eq!(choices["accounts"], serde_json::json!([ACCOUNT]));
    let page = served
        .json(&format!(
            "/api/events/search?range=all&rw=all&account={ACCOUNT}"
        ))
        .await;
    let identities: Vec<&str> = events(&page)
        .iter()
        .map(|e| e["identity"].as_str().expect("identity"))
        .collect();
    assert_eq!(
        identities,
        vec!["ANONYMOUS_PRINCIPAL", "444455556666"],
        "callers shown as who they are"
    );
}

#[tokio::test]
async fn a_sign_in_that_names_an_identity_center_user_names_all_its_events() {
    let user = identity_center();
    let files = [(
        key("IcUserNamed00001"),
        log(&[
            record(
                111,
                "09:00:05",
                "sso.amazonaws.com",
                "Federate",
                &user,
                &recipient(""),
            ),
            // A successful sign-in writes the name the person used (`additionalEventData.UserName`).
            record(
                112,
                "09:30:00",
                "signin.amazonaws.com",
                "CredentialChallenge",
                &user,
                &recipient(
                    r#","eventType":"AwsServiceEvent","additionalEventData":{"CredentialType":"PASSWORD","UserName":"dana"}"#,
                ),
            ),
            record(
                113,
                "09:40:00",
                "iam.amazonaws.com",
                "CreateUser",
                &format!(
                    r#"{{"type":"IAMUser","principalId":"AIDAEXAMPLEFAKEERIN","arn":"arn:aws:iam::{ACCOUNT}:user/erin","accountId":"{ACCOUNT}","userName":"erin"}}"#
                ),
                &recipient(""),
            ),
        ]),
    )];
    let served = served(&files).await;
    let page = served.json("/api/events/search?range=all&rw=all").await;
    let shown: Vec<&str> = events(&page)
        .iter()
        .map(|e| e["identity"].as_str().expect("identity"))
        .collect();
    assert_eq!(
        shown,
        vec!["erin", "dana", "dana"],
        "the name the sign-in taught is shown on every event of the user"
    );
    for user in [IC_USER, "dana"] {
        let found = served
            .json(&format!("/api/events/search?range=all&rw=all&user={user}"))
            .await;
        assert_eq!(events(&found).len(), 2, "user={user}");
    }
    let lists = served.json("/api/activity/top?range=all").await;
    assert_eq!(
        top(&lists, "identities"),
        vec![
            (format!("dana ({ACCOUNT})"), 2),
            (format!("erin ({ACCOUNT})"), 1)
        ]
    );
}
