//! Findings triage and filters over HTTP: admins mark a finding acknowledged, resolved or false positive with a
//! note (stored, audited; viewers are refused), `GET /api/findings` filters by state and severity, and a rule
//! whose events the store never received says it cannot evaluate instead of finding nothing.
mod common;

use app::ssr::auth::Role;
use app::ssr::auth::users::add_user;
use app::ssr::findings::Findings;
use app::ssr::findings::api::report;
use app::ssr::findings::rules::RuleSet;
use app::ssr::findings::store::evaluate_new;
use app::ssr::state::AppState;
use app::ssr::store::Store;
use axum::http::StatusCode;
use common::{PASSWORD, count, count_auth, exchange, form_post, log_in, router_of};
use serde_json::Value;

const STOPPED: &str = "CloudTrail logging stopped";

async fn get_json(router: &axum::Router, cookie: &str, uri: &str) -> Value {
    let (status, _, body) = exchange(router, common::get(uri, Some(cookie))).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    serde_json::from_str(&body).expect("json")
}

fn titles(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["title"].as_str().expect("title").to_owned())
        .collect()
}

fn rule_id(report: &Value, title: &str) -> String {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["title"] == title)
        .and_then(|f| f["rule_id"].as_str())
        .unwrap_or_else(|| panic!("no {title}"))
        .to_owned()
}

/// A demo store, evaluated, with an admin and a viewer, behind the real router.
fn demo(
    data: &std::path::Path,
    archive: &std::path::Path,
) -> (axum::Router, std::sync::Arc<Store>) {
    common::small_demo(archive);
    let store = Store::open_in(data).expect("store");
    common::ingest(&store, archive);
    evaluate_new(&store, &RuleSet::load(None)).expect("evaluated");
    add_user(&store, "admin", Role::Admin, PASSWORD).expect("admin");
    add_user(&store, "viewer", Role::Viewer, PASSWORD).expect("viewer");
    let app = AppState::with_auth(store, common::lenient_auth());
    let store = app.store.clone();
    (router_of(app), store)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_triage_findings_with_a_note_stored_and_audited_and_viewers_cannot() {
    let (data, archive) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    let (router, store) = tokio::task::block_in_place(|| demo(data.path(), archive.path()));
    let viewer = log_in(&router, "viewer", PASSWORD, None)
        .await
        .expect("viewer");
    let admin = log_in(&router, "admin", PASSWORD, None)
        .await
        .expect("admin");

    let all = get_json(&router, &viewer, "/api/findings").await;
    let stopped = rule_id(&all, STOPPED);
    assert!(
        all["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["triage"].is_null()),
        "nothing is triaged yet"
    );
    let open = get_json(&router, &viewer, "/api/findings?state=open").await;
    assert_eq!(titles(&open), titles(&all), "untriaged findings are open");

    let form =
        format!("rule={stopped}&state=acknowledged&note=Ops+is+checking+with+svc-backup%27s+owner");
    let (status, _, body) = exchange(
        &router,
        form_post("/api/findings/triage", &form, Some(&viewer)),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(count(&store, "SELECT count(*) FROM finding_triage"), 0);

    let (status, _, body) = exchange(
        &router,
        form_post("/api/findings/triage", &form, Some(&admin)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let acknowledged = get_json(&router, &viewer, "/api/findings?state=acknowledged").await;
    assert_eq!(titles(&acknowledged), [STOPPED]);
    let triage = &acknowledged["findings"][0]["triage"];
    assert_eq!(triage["state"], "acknowledged");
    assert_eq!(triage["note"], "Ops is checking with svc-backup's owner");
    assert_eq!(triage["by"], "admin");
    let open = get_json(&router, &viewer, "/api/findings?state=open").await;
    assert!(!titles(&open).contains(&STOPPED.to_owned()));
    assert_eq!(titles(&open).len(), titles(&all).len() - 1);
    let high_open = get_json(&router, &viewer, "/api/findings?state=open&severity=high").await;
    assert!(
        high_open["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["severity"] == "high" || f["severity"] == "critical")
    );
    assert!(!titles(&high_open).is_empty());

    // The page: everyone sees the decision with its note; only admins get the form.
    let page = format!("/findings?open={stopped}");
    let (status, _, html) = exchange(&router, common::get(&page, Some(&viewer))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Acknowledged by admin on ")
            && html.contains("Ops is checking with svc-backup"),
        "{html}"
    );
    assert!(!html.contains("Save decision"), "no form for viewers");
    assert!(
        html.contains("/events?range=custom&amp;from=")
            || html.contains("/events?range=custom&from="),
        "evidence links into Events"
    );
    let (_, _, html) = exchange(&router, common::get(&page, Some(&admin))).await;
    assert!(html.contains("Save decision"), "admins get the form");

    // Audited: who, what, to which rule.
    assert_eq!(
        count_auth(
            &store,
            &format!(
                "SELECT count(*) FROM audit_log WHERE actor = 'admin' AND action = 'finding.triage'
                 AND target = '{stopped}: acknowledged' AND outcome = 'succeeded'"
            )
        ),
        1
    );

    // Stored in the event file: another process opening it reads the same decision.
    let reopened = Store::open_in(data.path()).expect("reopen");
    let filter = app::model::findings::FindingsFilter {
        state: Some(app::model::findings::triage::TriageState::Acknowledged),
        ..Default::default()
    };
    let again = tokio::task::block_in_place(|| report(&reopened, &RuleSet::load(None), &filter))
        .expect("report");
    assert_eq!(again.findings.len(), 1);
    assert_eq!(again.findings[0].rule_id, stopped);

    // A decision replaces the one before; a blank note, an unknown state or rule are refused, naming why.
    let resolved = format!("rule={stopped}&state=false_positive&note=A+drill");
    let (status, _, _) = exchange(
        &router,
        form_post("/api/findings/triage", &resolved, Some(&admin)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let fp = get_json(&router, &viewer, "/api/findings?state=false_positive").await;
    assert_eq!(titles(&fp), [STOPPED]);
    assert_eq!(count(&store, "SELECT count(*) FROM finding_triage"), 1);
    for (form, status, word) in [
        (
            format!("rule={stopped}&state=acknowledged&note=+"),
            StatusCode::BAD_REQUEST,
            "note",
        ),
        (
            format!("rule={stopped}&state=closed&note=x"),
            StatusCode::BAD_REQUEST,
            "state",
        ),
        (
            "rule=no-such-rule&state=resolved&note=x".to_owned(),
            StatusCode::NOT_FOUND,
            "rule",
        ),
    ] {
        let (got, _, body) = exchange(
            &router,
            form_post("/api/findings/triage", &form, Some(&admin)),
        )
        .await;
        assert_eq!(got, status, "{form}: {body}");
        assert!(body.contains(word), "{form}: {body}");
    }
    let (status, _, body) = exchange(
        &router,
        common::get("/api/findings?state=closed", Some(&viewer)),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("state"), "{body}");
}

/// A user rule over S3 data events (`event_category: Data`), as SigmaHQ writes CloudTrail rules.
const DATA_RULE: &str = "title: S3 objects deleted\nid: 0e6a1f0c-3d52-4b7e-9a41-5c2d8e7f9b10\nstatus: experimental\n\
logsource:\n  product: aws\n  service: cloudtrail\nevent_category: Data\ndetection:\n  selection:\n\
\x20   eventSource: s3.amazonaws.com\n    eventName: DeleteObject\n  condition: selection\nlevel: medium\n";

/// One management event (a `StopLogging`), the store's only event.
const MANAGEMENT_ONLY: &str = r#"{"Records":[{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"},"eventTime":"2026-11-19T10:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15.0","requestParameters":{"name":"management-events"},"responseElements":null,"eventID":"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}]}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_over_data_events_cannot_evaluate_in_a_store_without_any() {
    let (data, archive, rules_dir) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    std::fs::write(rules_dir.path().join("s3-objects-deleted.yml"), DATA_RULE).expect("write");
    common::write_gz(
        archive.path(),
        "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/19/111122223333_CloudTrail_us-east-1_20261119T1005Z_managementonly1.json.gz",
        MANAGEMENT_ONLY.as_bytes(),
    );
    let store = Store::open_in(data.path()).expect("store");
    common::ingest(&store, archive.path());
    // Beside it, a file that is not a rule: skipped, and Activity's line says so.
    std::fs::write(
        rules_dir.path().join("half-written.yml"),
        "title: [unclosed\n",
    )
    .expect("write");
    let rules = RuleSet::load(Some(rules_dir.path()));
    assert_eq!(rules.problems().len(), 1, "{:?}", rules.problems());
    evaluate_new(&store, &rules).expect("evaluated");
    add_user(&store, "viewer", Role::Viewer, PASSWORD).expect("viewer");
    let app =
        AppState::with_auth(store, common::lenient_auth()).with_findings(Findings::new(rules));
    let router = router_of(app);
    let viewer = log_in(&router, "viewer", PASSWORD, None)
        .await
        .expect("viewer");

    let answer = get_json(&router, &viewer, "/api/findings").await;
    assert!(
        titles(&answer).contains(&STOPPED.to_owned()),
        "management rules still find"
    );
    let skipped = answer["rule_problems"][0]["file"].as_str().expect("file");
    assert!(skipped.ends_with("half-written.yml"), "{skipped}");
    let summary = get_json(&router, &viewer, "/api/findings/summary").await;
    assert_eq!(summary["skipped_files"], 1, "{summary}");
    let unevaluable = answer["unevaluable"].as_array().expect("unevaluable");
    assert_eq!(unevaluable.len(), 1, "{unevaluable:?}");
    assert_eq!(unevaluable[0]["title"], "S3 objects deleted");
    assert_eq!(unevaluable[0]["reason"], "cannot evaluate: no data events");
    let (_, _, html) = exchange(&router, common::get("/findings", Some(&viewer))).await;
    assert!(
        html.contains("S3 objects deleted") && html.contains("cannot evaluate: no data events"),
        "{html}"
    );
    // The page reads its URL as the API does: a repeated key is refused by name, not dropped.
    let (_, _, html) = exchange(
        &router,
        common::get("/findings?severity=critical&severity=low", Some(&viewer)),
    )
    .await;
    assert!(html.contains("given more than once"), "{html}");
    assert!(!html.contains(STOPPED), "no unfiltered report: {html}");
    let critical = get_json(&router, &viewer, "/api/findings?severity=critical").await;
    assert_eq!(
        critical["unevaluable"],
        Value::Array(Vec::new()),
        "filters apply to it too"
    );

    // In the demo, which has data events, the same rule evaluates.
    let demo_data = tempfile::tempdir().expect("tmp");
    let demo_archive = tempfile::tempdir().expect("tmp");
    common::small_demo(demo_archive.path());
    let demo = Store::open_in(demo_data.path()).expect("store");
    common::ingest(&demo, demo_archive.path());
    assert!(
        count(&demo, "SELECT count(*) FROM events WHERE category = 1") > 0,
        "the demo has data events"
    );
    let rules = RuleSet::load(Some(rules_dir.path()));
    let demo_report = tokio::task::block_in_place(|| {
        evaluate_new(&demo, &rules).expect("evaluated");
        report(&demo, &rules, &Default::default())
    })
    .expect("report");
    assert!(
        demo_report.unevaluable.is_empty(),
        "{:?}",
        demo_report.unevaluable
    );
}

/// The same trail stopped again an hour later, by the same user: a new `StopLogging` in a new log file.
const STOPPED_AGAIN: &str = r#"{"Records":[{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"},"eventTime":"2026-11-19T11:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15.0","requestParameters":{"name":"management-events"},"responseElements":null,"eventID":"bbbbbbbb-cccc-4ddd-8eee-ffffffffffff","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}]}"#;

/// Activity's count of open findings at `severity` (`GET /api/findings/summary`).
async fn open_at(router: &axum::Router, cookie: &str, severity: &str) -> u64 {
    let summary = get_json(router, cookie, "/api/findings/summary").await;
    summary["open"]
        .as_array()
        .expect("open")
        .iter()
        .find(|pair| pair[0] == severity)
        .map_or(0, |pair| pair[1].as_u64().expect("count"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resolved_finding_opens_again_when_its_rule_matches_a_new_event() {
    let (data, archive) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    let day = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/19";
    common::write_gz(
        archive.path(),
        &format!("{day}/111122223333_CloudTrail_us-east-1_20261119T1005Z_stoppedfirst01.json.gz"),
        MANAGEMENT_ONLY.as_bytes(),
    );
    let store = Store::open_in(data.path()).expect("store");
    let rules = RuleSet::load(None);
    tokio::task::block_in_place(|| {
        common::ingest(&store, archive.path());
        evaluate_new(&store, &rules).expect("evaluated");
    });
    add_user(&store, "admin", Role::Admin, PASSWORD).expect("admin");
    let app = AppState::with_auth(store, common::lenient_auth());
    let store = app.store.clone();
    let router = router_of(app);
    let admin = log_in(&router, "admin", PASSWORD, None)
        .await
        .expect("admin");
    let stopped = rule_id(&get_json(&router, &admin, "/api/findings").await, STOPPED);
    let high_open = open_at(&router, &admin, "high").await;
    assert!(high_open >= 1, "the stopped trail is open (high)");

    let form =
        format!("rule={stopped}&state=resolved&note=Maintenance+window%3B+logging+restarted");
    let (status, _, body) = exchange(
        &router,
        form_post("/api/findings/triage", &form, Some(&admin)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let open = get_json(&router, &admin, "/api/findings?state=open").await;
    assert!(!titles(&open).contains(&STOPPED.to_owned()), "resolved");
    assert_eq!(open_at(&router, &admin, "high").await, high_open - 1);

    // The trail is stopped again: the new match reopens the finding.
    common::write_gz(
        archive.path(),
        &format!("{day}/111122223333_CloudTrail_us-east-1_20261119T1105Z_stoppedagain01.json.gz"),
        STOPPED_AGAIN.as_bytes(),
    );
    tokio::task::block_in_place(|| {
        common::ingest(&store, archive.path());
        evaluate_new(&store, &rules).expect("evaluated");
    });
    let open = get_json(&router, &admin, "/api/findings?state=open").await;
    assert!(titles(&open).contains(&STOPPED.to_owned()), "{open}");
    let finding = open["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["title"] == STOPPED)
        .expect("stopped");
    assert_eq!(finding["count"], 2);
    assert_eq!(finding["new_matches_since_triage"], 1);
    assert_eq!(finding["triage"]["state"], "resolved", "the decision stays");
    let resolved = get_json(&router, &admin, "/api/findings?state=resolved").await;
    assert!(!titles(&resolved).contains(&STOPPED.to_owned()));
    assert_eq!(open_at(&router, &admin, "high").await, high_open);
    let (_, _, html) = exchange(
        &router,
        common::get(&format!("/findings?open={stopped}"), Some(&admin)),
    )
    .await;
    assert!(
        html.contains("reopened: 1 new match since it was marked resolved")
            && html.contains("Resolved by admin on "),
        "{html}"
    );

    // Resolving it again covers the new match too.
    let (status, _, _) = exchange(
        &router,
        form_post("/api/findings/triage", &form, Some(&admin)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let open = get_json(&router, &admin, "/api/findings?state=open").await;
    assert!(
        !titles(&open).contains(&STOPPED.to_owned()),
        "resolved again"
    );
    assert_eq!(open_at(&router, &admin, "high").await, high_open - 1);

    // The admin opens the finding, and while they write the note a third stop arrives: their decision covers
    // what the page showed them, not the match they never saw.
    let (_, _, html) = exchange(
        &router,
        common::get(&format!("/findings?open={stopped}"), Some(&admin)),
    )
    .await;
    let shown = html
        .split_once(r#"name="covered_through" value=""#)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(value, _)| value.to_owned())
        .unwrap_or_else(|| panic!("no covered_through in the form: {html}"));
    common::write_gz(
        archive.path(),
        &format!("{day}/111122223333_CloudTrail_us-east-1_20261119T1205Z_stoppedthird01.json.gz"),
        STOPPED_AGAIN
            .replace(
                "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff",
                "cccccccc-dddd-4eee-8fff-000000000000",
            )
            .replace("2026-11-19T11:00:00Z", "2026-11-19T12:00:00Z")
            .as_bytes(),
    );
    tokio::task::block_in_place(|| {
        common::ingest(&store, archive.path());
        evaluate_new(&store, &rules).expect("evaluated");
    });
    let acknowledged =
        format!("rule={stopped}&state=acknowledged&note=Asked+alice&covered_through={shown}");
    let (status, _, body) = exchange(
        &router,
        form_post("/api/findings/triage", &acknowledged, Some(&admin)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let open = get_json(&router, &admin, "/api/findings?state=open").await;
    let finding = open["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["title"] == STOPPED)
        .unwrap_or_else(|| panic!("the unseen match keeps it open: {open}"));
    assert_eq!(finding["count"], 3);
    assert_eq!(finding["new_matches_since_triage"], 1);
    assert_eq!(finding["triage"]["state"], "acknowledged");
}

/// A store triaged by a build from before a decision covered only the matches stored when it was made
/// (no `covered_through`): after the upgrade its decision still covers those matches, so a resolved
/// finding does not come back open with nothing new.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_triage_made_before_the_upgrade_still_covers_the_matches_it_saw() {
    let (data, archive) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    let day = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/19";
    common::write_gz(
        archive.path(),
        &format!("{day}/111122223333_CloudTrail_us-east-1_20261119T1005Z_stoppedfirst01.json.gz"),
        MANAGEMENT_ONLY.as_bytes(),
    );
    let store = Store::open_in(data.path()).expect("store");
    tokio::task::block_in_place(|| {
        common::ingest(&store, archive.path());
        evaluate_new(&store, &RuleSet::load(None)).expect("evaluated");
    });
    add_user(&store, "admin", Role::Admin, PASSWORD).expect("admin");
    let router = router_of(AppState::with_auth(store, common::lenient_auth()));
    let admin = log_in(&router, "admin", PASSWORD, None)
        .await
        .expect("admin");
    let stopped = rule_id(&get_json(&router, &admin, "/api/findings").await, STOPPED);
    let form = format!("rule={stopped}&state=resolved&note=Maintenance");
    let (status, _, _) = exchange(
        &router,
        form_post("/api/findings/triage", &form, Some(&admin)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    drop(router);

    // The triage row as a build before `covered_through` left it, upgraded by that column's migration.
    let conn =
        rusqlite::Connection::open(data.path().join(app::ssr::store::STORE_FILE)).expect("open");
    conn.execute_batch("ALTER TABLE finding_triage DROP COLUMN covered_through")
        .expect("before");
    conn.execute_batch(app::ssr::findings::store::TRIAGE_COVERS_MIGRATION)
        .expect("upgraded");
    drop(conn);

    let store = Store::open_in(data.path()).expect("upgraded");
    let router = router_of(AppState::with_auth(store, common::lenient_auth()));
    let admin = log_in(&router, "admin", PASSWORD, None)
        .await
        .expect("admin");
    let open = get_json(&router, &admin, "/api/findings?state=open").await;
    assert!(!titles(&open).contains(&STOPPED.to_owned()), "{open}");
    let resolved = get_json(&router, &admin, "/api/findings?state=resolved").await;
    assert!(
        titles(&resolved).contains(&STOPPED.to_owned()),
        "{resolved}"
    );
}
