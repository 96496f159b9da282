//! The Events explorer through the real router: search totals and pages against the store's own counts,
//! keyset pages, one event in full, compare, and the streamed exports.
mod common;

use axum::http::StatusCode;
use common::count;
use common::served::{PLANTED_EVIL_ID, fixture, get, get_json};
use serde_json::Value;
use std::collections::HashSet;

/// `id` of a string in the store (the test's own SQL).
fn string_id(value: &str) -> u64 {
    count(
        &fixture().store,
        &format!("SELECT id FROM strings WHERE value = '{value}'"),
    )
}

/// The most frequent value of an `events` column, decoded.
fn most_frequent(column: &str) -> String {
    let conn = rusqlite::Connection::open(fixture().store.path()).expect("open");
    conn.query_row(
        &format!(
            "SELECT s.value FROM events e JOIN strings s ON s.id = e.{column}
             GROUP BY e.{column} ORDER BY count(*) DESC LIMIT 1"
        ),
        [],
        |r| r.get(0),
    )
    .expect("a value")
}

fn total(page: &Value) -> u64 {
    page["total"].as_u64().expect("total")
}

fn events(page: &Value) -> &Vec<Value> {
    page["events"].as_array().expect("events")
}

#[tokio::test]
async fn totals_match_the_store_for_each_filter() {
    let f = fixture();
    let name = most_frequent("event_name");
    let identity = most_frequent("identity_name");
    let ip = most_frequent("source_ip");
    let source = most_frequent("event_source");
    let cases = [
        ("range=all", "read_only IS NOT 1".to_owned()),
        ("range=all&rw=all", "1".to_owned()),
        ("range=all&rw=read", "read_only = 1".to_owned()),
        (
            &format!("range=all&rw=all&name={name}") as &str,
            format!("event_name = {}", string_id(&name)),
        ),
        (
            &format!("range=all&rw=all&user={}", identity.replace('/', "%2F")),
            format!("identity_name = {}", string_id(&identity)),
        ),
        (
            &format!("range=all&ip={ip}"),
            format!("read_only IS NOT 1 AND source_ip = {}", string_id(&ip)),
        ),
        (
            "range=all&errors=1",
            "read_only IS NOT 1 AND error_code IS NOT NULL".to_owned(),
        ),
        ("range=all&rw=all&category=data", "category = 1".to_owned()),
        (
            "range=all&rw=all&agent=HYPERLINK",
            format!(
                "user_agent = {}",
                string_id("=HYPERLINK(\"http://evil.example\",\"click\")")
            ),
        ),
        (
            "range=all&rw=all&resource=planted-audit-logs",
            "id IN (SELECT event FROM event_resources)
             AND account = (SELECT id FROM strings WHERE value = '999988887777')"
                .to_owned(),
        ),
        (
            "range=all&rw=all&resource=arn:aws:s3:::planted-audit-logs&rtype=AWS::S3::Bucket",
            "id IN (SELECT event FROM event_resources)
             AND account = (SELECT id FROM strings WHERE value = '999988887777')"
                .to_owned(),
        ),
        (
            &format!("range=all&rw=all&source={source}&errors=1&account=123456789012"),
            format!(
                "event_source = {} AND error_code IS NOT NULL AND account = (SELECT id FROM strings WHERE value = '123456789012')",
                string_id(&source)
            ),
        ),
        (
            "range=custom&from=2026-11-24&to=2026-11-24T06:30:00Z",
            "read_only IS NOT 1 AND event_time >= 1795478400 AND event_time < 1795501800"
                .to_owned(),
        ),
    ];
    for (query, condition) in cases {
        let page = get_json(&f.router, &format!("/api/events/search?{query}")).await;
        let expected = count(
            &f.store,
            &format!("SELECT count(*) FROM events WHERE {condition}"),
        );
        assert!(
            expected > 0,
            "{query}: the fixture should hold matching events"
        );
        assert_eq!(total(&page), expected, "{query}: {page}");
        assert_eq!(events(&page).len() as u64, expected.min(50), "{query}");
    }
}

#[tokio::test]
async fn pages_walk_every_match_once_newest_first() {
    let f = fixture();
    let ip = most_frequent("source_ip");
    let query = format!("range=all&rw=all&ip={ip}&size=100");
    let mut seen = HashSet::new();
    let mut last_time = i64::MAX;
    let mut after = String::new();
    let mut expected_total = None;
    loop {
        let page = get_json(&f.router, &format!("/api/events/search?{query}{after}")).await;
        expected_total.get_or_insert(total(&page));
        for event in events(&page) {
            let time = event["time"].as_i64().expect("time");
            assert!(time <= last_time, "newest first");
            last_time = time;
            assert_eq!(event["source_ip"], ip.as_str());
            assert!(
                seen.insert(event["event_id"].as_str().expect("id").to_owned()),
                "no event twice"
            );
        }
        match page["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => break,
        }
    }
    assert!(seen.len() > 100, "more than one page");
    assert_eq!(Some(seen.len() as u64), expected_total);
}

#[tokio::test]
async fn one_event_in_full_with_its_identity_chain_and_resources() {
    let f = fixture();
    let detail = get_json(
        &f.router,
        &format!("/api/events/event?id={PLANTED_EVIL_ID}"),
    )
    .await;
    assert_eq!(detail["record"]["eventID"], PLANTED_EVIL_ID);
    assert_eq!(
        detail["record"]["requestParameters"]["bucketName"],
        "planted-audit-logs"
    );
    assert_eq!(detail["summary"]["identity"], "Ops/mallory");
    let chain: Vec<(&str, &str)> = detail["chain"]
        .as_array()
        .expect("chain")
        .iter()
        .map(|l| {
            (
                l["label"].as_str().expect("label"),
                l["value"].as_str().expect("value"),
            )
        })
        .collect();
    assert_eq!(
        chain[0],
        (
            "Role session",
            "arn:aws:sts::999988887777:assumed-role/Ops/mallory"
        )
    );
    assert_eq!(chain[1], ("Role", "arn:aws:iam::999988887777:role/Ops"));
    assert!(chain.contains(&("Account", "999988887777")));
    assert_eq!(
        detail["resources"][0]["arn"],
        "arn:aws:s3:::planted-audit-logs"
    );

    let (status, _) = get(
        &f.router,
        "/api/events/event?id=00000000-0000-4000-8000-000000000000",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn compare_aligns_fields_and_marks_differences() {
    let f = fixture();
    let ids = format!("{PLANTED_EVIL_ID},11111111-2222-4333-8444-555555555556");
    let table = get_json(&f.router, &format!("/api/events/compare?ids={ids}")).await;
    let row = |path: &str| {
        table["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["path"] == path)
            .unwrap_or_else(|| panic!("{path}"))
            .clone()
    };
    assert_eq!(
        row("eventName")["values"],
        serde_json::json!(["PutBucketPolicy", "GetBucketPolicy"])
    );
    assert_eq!(row("eventName")["differs"], true);
    assert_eq!(row("sourceIPAddress")["differs"], false);
    assert_eq!(
        row("userIdentity.sessionContext.attributes.mfaAuthenticated")["values"][1],
        Value::Null
    );

    let (status, body) = get(
        &f.router,
        &format!("/api/events/compare?ids={PLANTED_EVIL_ID}"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn csv_export_has_every_match_and_defuses_formulas() {
    let f = fixture();
    let identity = "Ops%2Fmallory";
    let (status, csv) = get(
        &f.router,
        &format!("/api/events/export.csv?range=all&rw=all&user={identity}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(
        lines[0].starts_with("event_time,event_id,account,region,event_source,event_name,identity")
    );
    assert_eq!(lines.len(), 3, "{csv}");
    let evil = lines
        .iter()
        .find(|l| l.contains(PLANTED_EVIL_ID))
        .expect("the planted event");
    assert!(
        evil.contains(r#""'=HYPERLINK(""http://evil.example"",""click"")""#),
        "the formula is quoted and prefixed: {evil}"
    );

    // The whole default result set, not a page of it.
    let (_, csv) = get(&f.router, "/api/events/export.csv?range=all&size=25").await;
    let rows = csv.split("\r\n").filter(|l| !l.is_empty()).count() as u64 - 1;
    assert_eq!(
        rows,
        count(
            &f.store,
            "SELECT count(*) FROM events WHERE read_only IS NOT 1"
        )
    );
    assert!(
        common::count_auth(
            &f.store,
            "SELECT count(*) FROM audit_log WHERE action = 'events.export' AND target LIKE 'csv %user=Ops%'"
        ) >= 1,
        "exports are audited with their query"
    );
}

#[tokio::test]
async fn json_lines_export_has_the_records_as_written() {
    let f = fixture();
    let name = most_frequent("event_name");
    let (status, body) = get(
        &f.router,
        &format!("/api/events/export.jsonl?range=all&rw=all&name={name}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let records: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON record per line"))
        .collect();
    assert_eq!(
        records.len() as u64,
        count(
            &f.store,
            &format!(
                "SELECT count(*) FROM events WHERE event_name = {}",
                string_id(&name)
            )
        )
    );
    assert!(
        records
            .iter()
            .all(|r| r["eventName"] == name.as_str() && r["eventID"].is_string())
    );
    let times: Vec<&str> = records
        .iter()
        .map(|r| r["eventTime"].as_str().expect("time"))
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
}

#[tokio::test]
async fn bad_filters_are_refused_and_exports_need_a_login() {
    let f = fixture();
    for (query, field) in [
        ("category=audit", "category"),
        ("size=7", "size"),
        ("rw=maybe", "rw"),
        // A key given twice does not decode: the caller's mistake (it was a 500), named in the answer.
        ("range=7d&range=24h", "range"),
    ] {
        let (status, body) = get(&f.router, &format!("/api/events/search?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(body.contains(field), "{query}: {body}");
    }
    let (status, _, _) =
        common::exchange(&f.router, common::get("/api/events/export.csv", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_events_page_is_complete_without_javascript() {
    let f = fixture();
    let (status, html) = get(&f.router, "/events?range=all&rw=all&user=Ops%2Fmallory").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"data-testid="event-total">2<"#), "{html}");
    assert!(html.contains("PutBucketPolicy") && html.contains("GetBucketPolicy"));
    assert!(html.contains(&format!("/events/event?id={PLANTED_EVIL_ID}")));
    let (status, html) = get(&f.router, &format!("/events/event?id={PLANTED_EVIL_ID}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("arn:aws:iam::999988887777:role/Ops"));
    assert!(html.contains("Same source IP (198.51.100.77)"));
}

#[tokio::test]
async fn exports_left_unread_hold_at_most_four_streams_and_logins_still_answer() {
    use app::ssr::events::export::EXPORTS_MAX;
    use tower::ServiceExt;
    // A store of its own: the exports held here would refuse the other tests' exports on the shared one.
    let archive = tempfile::tempdir().expect("tmp");
    let data = tempfile::tempdir().expect("tmp");
    common::small_demo(archive.path());
    let store = app::ssr::store::Store::open_in(data.path()).expect("store");
    common::ingest(&store, archive.path());
    let (router, _) = common::served::serve_store(store);
    let cookie = common::served::viewer_cookie(&router).await;
    let export = || common::get("/api/events/export.jsonl?range=all&rw=all", Some(&cookie));

    // Clients that start an export and read nothing: each response is kept, its body unread.
    let mut unread = Vec::new();
    for _ in 0..EXPORTS_MAX {
        let response = router.clone().oneshot(export()).await.expect("response");
        assert_eq!(response.status(), StatusCode::OK);
        unread.push(response);
    }
    let (status, _, body) = common::exchange(&router, export()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        body.contains(&format!("{EXPORTS_MAX} are streaming")),
        "{body}"
    );

    // The rest of the server answers meanwhile: a login, and a search.
    common::served::viewer_cookie(&router).await;
    let (status, _) =
        common::served::get_as(&router, &cookie, "/api/events/search?range=all").await;
    assert_eq!(status, StatusCode::OK);

    // One client reads its export to the end: the next one streams, whole.
    let first = unread.pop().expect("an export");
    let whole = axum::body::to_bytes(first.into_body(), usize::MAX)
        .await
        .expect("body");
    let (status, _, again) = common::exchange(&router, export()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again.len(), whole.len());
    assert!(again.lines().count() > 1_000, "the whole store, not a page");
}
