//! Findings over HTTP (`GET /api/findings`, behind the gate) and in the terminal (`trailscope findings`, with a
//! folder of the user's own rules, one of them broken).
mod common;

use app::ssr::findings::rules::RuleSet;
use app::ssr::findings::store::evaluate_new;
use axum::http::StatusCode;
use common::served::{PLANTED_KEY, PLANTED_LOG, fixture, get, get_json};
use serde_json::Value;
use std::process::Command;

fn titles(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["title"].as_str().expect("title").to_owned())
        .collect()
}

#[tokio::test]
async fn findings_api_needs_a_session_and_filters() {
    let f = fixture();
    let (status, _, _) = common::exchange(&f.router, common::get("/api/findings", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let store = f.store.clone();
    tokio::task::spawn_blocking(move || evaluate_new(&store, &RuleSet::load(None)))
        .await
        .expect("task")
        .expect("evaluated");

    let all = get_json(&f.router, "/api/findings").await;
    let all_titles = titles(&all);
    for planted in [
        "Root console sign-in without MFA",
        "Burst of refused calls from one identity",
        "CloudTrail logging stopped",
        "Security group opened to the internet",
    ] {
        assert!(
            all_titles.iter().any(|t| t == planted),
            "{planted}: {all_titles:?}"
        );
    }
    assert_eq!(all["rule_problems"], Value::Array(Vec::new()));
    let root = &all["findings"][0];
    assert_eq!(root["severity"], "critical", "most severe first");
    assert_eq!(root["technique"], "T1078.004");
    assert_eq!(root["count"], 1);
    assert_eq!(root["accounts"], serde_json::json!(["123456789012"]));

    let critical = get_json(&f.router, "/api/findings?severity=critical").await;
    assert_eq!(titles(&critical), ["Root console sign-in without MFA"]);

    // The planted log beside the demo: a bucket policy changed in account 999988887777.
    let planted = get_json(&f.router, "/api/findings?account=999988887777").await;
    assert_eq!(titles(&planted), ["S3 bucket policy changed"]);
    assert!(PLANTED_LOG.contains("PutBucketPolicy") && PLANTED_KEY.contains("999988887777"));
    assert_eq!(
        planted["findings"][0]["evidence_event_ids"],
        serde_json::json!([common::served::PLANTED_EVIL_ID])
    );

    let (status, body) = get(&f.router, "/api/findings?severity=severe").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("severity"), "{body}");
    // A key given twice: which one is meant is unknown, so it is refused in the same JSON, naming the key.
    let (status, body) = get(&f.router, "/api/findings?severity=low&severity=critical").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error: Value = serde_json::from_str(&body).expect("a JSON error");
    assert!(error.to_string().contains("severity"), "{body}");
}

#[test]
fn findings_command_uses_the_rules_folder_and_reports_broken_files() {
    let archive = tempfile::tempdir().expect("tmp");
    let data = tempfile::tempdir().expect("tmp");
    let rules = tempfile::tempdir().expect("tmp");
    common::small_demo(archive.path());
    let store = app::ssr::store::Store::open_in(data.path()).expect("store");
    common::ingest(&store, archive.path());
    drop(store);
    // A user rule in SigmaHQ's shape: CloudTrail's field names, a modifier, a list.
    std::fs::write(
        rules.path().join("ec2-instances-terminated.yml"),
        "title: EC2 instances terminated\nid: 6f1d0c9e-2b7a-4c55-9e3d-7a1b2c3d4e5f\nstatus: experimental\n\
         logsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  selection:\n    eventSource: ec2.amazonaws.com\n\
         \x20   eventName|startswith:\n      - TerminateInst\n  condition: selection\nlevel: low\n",
    )
    .expect("write");
    std::fs::write(rules.path().join("broken.yml"), "title: [unclosed\n").expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args(["--data-dir", data.path().to_str().expect("utf-8")])
        .args(["findings", "--format", "json"])
        .env("TRAILSCOPE_RULES_DIR", rules.path())
        .env("TRAILSCOPE_LOG", "warn")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("problem: ") && l.contains("broken.yml")),
        "{stderr}"
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("json");
    assert!(titles(&report).contains(&"EC2 instances terminated".to_owned()));
    assert!(titles(&report).contains(&"CloudTrail logging stopped".to_owned()));

    let findings = |args: &[&str], rules_dir: Option<&std::path::Path>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_trailscope"));
        command
            .args([
                "--data-dir",
                data.path().to_str().expect("utf-8"),
                "findings",
            ])
            .args(args)
            .env("TRAILSCOPE_LOG", "warn")
            .env_remove("TRAILSCOPE_RULES_DIR");
        if let Some(dir) = rules_dir {
            command.env("TRAILSCOPE_RULES_DIR", dir);
        }
        command.output().expect("runs")
    };
    // Without the folder the findings were evaluated with, the command refuses rather than drop them.
    let refused = findings(&["--severity", "critical"], None);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        stderr.contains("no rules_dir") && stderr.contains("--reevaluate"),
        "{stderr}"
    );
    // The same folder through a symlink is the same rules: accepted, and nothing is evaluated again.
    let digest = || {
        let store = app::ssr::store::Store::open_in(data.path()).expect("store");
        store
            .read(|c| {
                Ok(
                    c.query_row("SELECT rules_digest FROM findings_state", [], |r| {
                        r.get::<_, String>(0)
                    })?,
                )
            })
            .expect("digest")
    };
    let before = digest();
    let link = tempfile::tempdir().expect("tmp");
    let linked = link.path().join("rules");
    std::os::unix::fs::symlink(rules.path(), &linked).expect("symlink");
    let kept = findings(&["--format", "json"], Some(&linked));
    assert!(
        kept.status.success(),
        "{}",
        String::from_utf8_lossy(&kept.stderr)
    );
    let report: Value = serde_json::from_slice(&kept.stdout).expect("json");
    assert!(
        titles(&report).contains(&"EC2 instances terminated".to_owned()),
        "kept"
    );
    assert_eq!(digest(), before, "not evaluated again");

    // Asked for: every event evaluated again with the built-in rules alone.
    let table = findings(&["--severity", "critical", "--reevaluate"], None);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.starts_with("SEVERITY"), "{text}");
    assert!(text.contains("critical") && text.contains("Root console sign-in without MFA"));
    let all = findings(&["--format", "json"], None);
    let report: Value = serde_json::from_slice(&all.stdout).expect("json");
    assert!(!titles(&report).contains(&"EC2 instances terminated".to_owned()));
}

/// An old-format `StopLogging` with no `recipientAccountId`, by a caller from another account, and a
/// `DeleteTrail` by an IAM Identity Center user (no ARN, only `onBehalfOf.userId`), in a log file of
/// account 111122223333.
const WHO_LOG: &str = r#"{"Records":[
{"eventVersion":"1.02","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEMALLORY","arn":"arn:aws:iam::444455556666:user/mallory","accountId":"444455556666","userName":"mallory"},"eventTime":"2026-11-19T10:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/1.16.0","requestParameters":{"name":"management-events"},"responseElements":null,"eventID":"c1a0d2b3-0000-4000-8000-00000000a001","eventType":"AwsApiCall"},
{"eventVersion":"1.11","userIdentity":{"type":"IdentityCenterUser","accountId":"111122223333","onBehalfOf":{"userId":"90676a1b2c-4d5e-6f70-8192-a3b4c5d6e7f8","identityStoreArn":"arn:aws:identitystore::111122223333:identitystore/d-9067000000"},"credentialId":"EXAMPLEcredential"},"eventTime":"2026-11-19T10:05:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"DeleteTrail","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.8","userAgent":"Mozilla/5.0","requestParameters":{"name":"management-events"},"responseElements":null,"eventID":"c1a0d2b3-0000-4000-8000-00000000a002","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}
]}"#;

#[test]
fn a_finding_names_the_account_and_identity_the_events_page_shows() {
    let archive = tempfile::tempdir().expect("tmp");
    let data = tempfile::tempdir().expect("tmp");
    common::write_gz(
        archive.path(),
        "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/19/111122223333_CloudTrail_us-east-1_20261119T1005Z_whoisit0001.json.gz",
        WHO_LOG.as_bytes(),
    );
    let store = app::ssr::store::Store::open_in(data.path()).expect("store");
    common::ingest(&store, archive.path());
    let rules = RuleSet::load(None);
    evaluate_new(&store, &rules).expect("evaluated");
    let report =
        app::ssr::findings::api::report(&store, &rules, &Default::default()).expect("report");
    let with = |event_id: &str| {
        let found: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.evidence_event_ids.iter().any(|e| e == event_id))
            .collect();
        assert!(
            !found.is_empty(),
            "no finding for {event_id}: {:#?}",
            report.findings
        );
        found
    };
    // The event belongs to the account whose trail logged it, as on the Events page; the caller stays who it is.
    for finding in with("c1a0d2b3-0000-4000-8000-00000000a001") {
        assert_eq!(finding.accounts, ["111122223333"], "{}", finding.title);
        let mallory = "arn:aws:iam::444455556666:user/mallory".to_owned();
        assert!(finding.identities.contains(&mallory), "{finding:#?}");
    }
    // The Identity Center user is named by their user ID, not by the type of identity.
    for finding in with("c1a0d2b3-0000-4000-8000-00000000a002") {
        let user = "90676a1b2c-4d5e-6f70-8192-a3b4c5d6e7f8".to_owned();
        assert!(finding.identities.contains(&user), "{finding:#?}");
        assert!(
            !finding
                .identities
                .contains(&"IdentityCenterUser".to_owned()),
            "{finding:#?}"
        );
    }
}
