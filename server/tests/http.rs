//! The real router in-process: health, the activity API, the server-rendered page.
mod common;

use app::model::format::group_digits;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::count;
use common::served::{fixture, get, get_json};
use serde_json::Value;

fn account_filter(account: &str) -> String {
    format!("account = (SELECT id FROM strings WHERE value = '{account}')")
}

#[tokio::test]
async fn healthz_answers_ok() {
    let f = fixture();
    assert_eq!(
        get(&f.router, "/healthz").await,
        (StatusCode::OK, r#"{"status":"ok"}"#.to_owned())
    );
}

#[tokio::test]
async fn timeline_api_counts_what_the_store_holds() {
    let f = fixture();
    let all = get_json(&f.router, "/api/activity/timeline?range=all").await;
    let total = count(&f.store, "SELECT count(*) FROM events");
    assert_eq!(all["totals"]["events"], total);
    let bucket_sum: u64 = all["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| {
            ["read", "write", "other"]
                .iter()
                .map(|k| b[k].as_u64().expect("count"))
                .sum::<u64>()
        })
        .sum();
    assert_eq!(bucket_sum, total, "buckets add up to the total");

    let filtered = get_json(
        &f.router,
        "/api/activity/timeline?range=all&account=210987654321&errors=1&rw=read",
    )
    .await;
    let expected = count(
        &f.store,
        &format!(
            "SELECT count(*) FROM events WHERE {} AND error_code IS NOT NULL AND read_only = 1",
            account_filter("210987654321")
        ),
    );
    assert!(expected > 0);
    assert_eq!(filtered["totals"]["events"], expected);
    assert_eq!(filtered["totals"]["errors"], expected);

    // Sub-hour buckets come from the events table, hourly ones from rollups: both must agree on a day.
    let start = common::END - 86_400;
    let day = |q: &str| {
        format!(
            "/api/activity/timeline?range=custom&from={}&to={}{q}",
            app::model::time::format_rfc3339(start),
            app::model::time::format_rfc3339(common::END)
        )
    };
    let minutes = get_json(&f.router, &day("")).await;
    assert_eq!(minutes["bucket_secs"], 900);
    let in_day = count(
        &f.store,
        &format!(
            "SELECT count(*) FROM events WHERE event_time >= {start} AND event_time < {}",
            common::END
        ),
    );
    assert_eq!(minutes["totals"]["events"], in_day);
}

#[tokio::test]
async fn top_api_ranks_by_count() {
    let f = fixture();
    let top = get_json(&f.router, "/api/activity/top?range=all").await;
    let names = top["event_names"].as_array().expect("names");
    assert_eq!(names.len(), 10);
    let counts: Vec<u64> = names
        .iter()
        .map(|n| n["count"].as_u64().expect("count"))
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    let busiest = count(
        &f.store,
        "SELECT max(n) FROM (SELECT count(*) AS n FROM events GROUP BY event_name)",
    );
    assert_eq!(counts[0], busiest);
    assert_eq!(
        top["events"],
        count(&f.store, "SELECT count(*) FROM events")
    );
    let identities: Vec<&str> = top["identities"]
        .as_array()
        .expect("ids")
        .iter()
        .filter_map(|i| i["value"].as_str())
        .collect();
    assert!(
        identities
            .iter()
            .any(|i| i.starts_with("eks-node-role/i-0a1b2c3d4e5f67890 (")),
        "{identities:?}"
    );
    let errors: Vec<&str> = top["error_codes"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|i| i["value"].as_str())
        .collect();
    assert!(errors.contains(&"AccessDenied"), "{errors:?}");
}

#[tokio::test]
async fn top_api_over_part_of_the_archive_uses_only_that_window() {
    let f = fixture();
    let (start, end) = (common::END - 2 * 86_400, common::END - 86_400);
    let uri = format!(
        "/api/activity/top?range=custom&from={}&to={}&account=123456789012",
        app::model::time::format_rfc3339(start),
        app::model::time::format_rfc3339(end)
    );
    let top = get_json(&f.router, &uri).await;
    let window = format!(
        "event_time >= {start} AND event_time < {end} AND {}",
        account_filter("123456789012")
    );
    assert_eq!(
        top["events"],
        count(
            &f.store,
            &format!("SELECT count(*) FROM events WHERE {window}")
        )
    );
    let busiest_ip = count(
        &f.store,
        &format!(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM events WHERE {window} GROUP BY source_ip)"
        ),
    );
    assert_eq!(top["source_ips"][0]["count"], busiest_ip);
    let busiest_error = count(
        &f.store,
        &format!(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM events WHERE {window} AND error_code IS NOT NULL GROUP BY error_code)"
        ),
    );
    assert_eq!(top["error_codes"][0]["count"], busiest_error);
}

#[tokio::test]
async fn bad_filters_are_refused_naming_the_field() {
    let f = fixture();
    let (status, body) = get(&f.router, "/api/activity/timeline?range=2w").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("\"field\":\"range\""), "{body}");
    // Redacted account IDs (`XXXXXXXXXXXX`) are accounts the store may hold; a space never is.
    let (status, body) = get(&f.router, "/api/activity/top?account=12%2034").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("\"field\":\"account\""), "{body}");
}

#[tokio::test]
async fn the_activity_page_is_complete_without_javascript() {
    let f = fixture();
    let (status, html) = get(&f.router, "/?range=all").await;
    assert_eq!(status, StatusCode::OK);
    let total = count(&f.store, "SELECT count(*) FROM events");
    assert!(
        html.contains(&format!(
            "data-testid=\"total-events\">{}<",
            group_digits(total)
        )),
        "total {total} missing"
    );
    assert!(html.contains("<svg"), "the chart is server-rendered");
    assert!(html.contains("Top event names") && html.contains("AccessDenied"));
    assert!(
        html.contains("<option value=\"123456789012\""),
        "filter choices are server-rendered"
    );
    let (status, html) = get(&f.router, "/?account=210987654321&range=all").await;
    assert_eq!(status, StatusCode::OK);
    let staging = count(
        &f.store,
        &format!(
            "SELECT count(*) FROM events WHERE {}",
            account_filter("210987654321")
        ),
    );
    assert!(html.contains(&format!(
        "data-testid=\"total-events\">{}<",
        group_digits(staging)
    )));
    assert!(
        html.contains("<option value=\"210987654321\" selected"),
        "the chosen account stays selected"
    );
}

#[tokio::test]
async fn unknown_pages_are_404_and_no_section_is_a_placeholder() {
    let f = fixture();
    assert_eq!(
        get(&f.router, "/no-such-page").await.0,
        StatusCode::NOT_FOUND
    );
    for section in [
        "/",
        "/events",
        "/trails",
        "/billing",
        "/integrity",
        "/findings",
    ] {
        let (status, html) = get(&f.router, section).await;
        assert_eq!(status, StatusCode::OK, "{section}");
        assert!(!html.contains("Not built yet"), "{section}");
    }
}

#[tokio::test]
async fn the_trails_api_and_page_show_the_demo_coverage() {
    let f = fixture();
    let (status, body) = get(&f.router, "/api/trails/matrix").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let matrix: Value = serde_json::from_str(&body).expect("json");
    let state = |account: &str, region: &str| {
        matrix["cells"]
            .as_array()
            .expect("cells")
            .iter()
            .find(|c| c["account"] == account && c["region"] == region)
            .map(|c| c["state"].as_str().unwrap_or_default().to_owned())
    };
    assert_eq!(
        state("210987654321", "us-east-1").as_deref(),
        Some("not_covered")
    );
    assert_eq!(
        state("123456789012", "us-east-1").as_deref(),
        Some("covered")
    );

    let arn = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail";
    let (status, by_path) = get(&f.router, &format!("/api/trails/{arn}")).await;
    assert_eq!(status, StatusCode::OK, "{by_path}");
    let (_, by_query) = get(
        &f.router,
        &format!(
            "/api/trails/trail?arn={}",
            app::model::filter::encode_component(arn)
        ),
    )
    .await;
    assert_eq!(by_path, by_query, "both addresses give the same trail");
    let detail: Value = serde_json::from_str(&by_path).expect("json");
    assert_eq!(detail["trail"]["Name"], "org-trail");
    assert_eq!(detail["decoded"]["management"]["read"], true);
    let (status, _) = get(
        &f.router,
        "/api/trails/arn:aws:cloudtrail:us-east-1:1:trail/none",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let anonymous = Request::get(format!("/api/trails/{arn}"))
        .body(Body::empty())
        .expect("request");
    assert_eq!(
        common::exchange(&f.router, anonymous).await.0,
        StatusCode::UNAUTHORIZED
    );

    let (status, html) = get(&f.router, "/trails").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("210987654321 us-east-1: not covered"),
        "the matrix is server-rendered"
    );
    assert!(
        html.contains("AccessDenied"),
        "the delivery error is among the gaps"
    );
}
