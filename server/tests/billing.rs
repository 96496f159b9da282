//! Billing (issue 12) over HTTP and in the terminal, on the demo: the estimate API answers only a session
//! or token, applies what-if changes from the query string, refuses bad ones by name, serves the line items as
//! CSV; `trailscope billing` prints the same estimate. The store is a real SQLite file with the demo
//! ingested and its trails snapshot saved, as `serve` does.
mod common;

use app::model::billing::{Change, MicroUsd, SavingKind};
use app::ssr::auth::Role;
use app::ssr::auth::users::add_user;
use app::ssr::billing::BillingReport;
use app::ssr::state::AppState;
use app::ssr::store::Store;
use app::ssr::store::trail_snapshots::{SnapshotSource, save};
use axum::http::StatusCode;
use common::{END, PASSWORD, exchange, get, lenient_auth, log_in};

const DUPLICATE: &str = "arn:aws:cloudtrail:us-west-2:123456789012:trail/security-team-copy";

fn demo_store(data: &std::path::Path) -> Store {
    let archive = tempfile::tempdir().expect("tmp");
    common::small_demo(archive.path());
    let store = Store::open_in(data).expect("store");
    common::ingest(&store, archive.path());
    save(
        &store,
        SnapshotSource::Demo,
        &app::ssr::demo::demo_trails(END),
    )
    .expect("snapshot");
    store
}

#[tokio::test]
async fn the_estimate_api_answers_sessions_only_and_applies_what_if_changes() {
    let data = tempfile::tempdir().expect("tmp");
    let store = demo_store(data.path());
    add_user(&store, "viewer", Role::Viewer, PASSWORD).expect("viewer");
    let router = common::router_of(AppState::with_auth(store, lenient_auth()));
    let cookie = log_in(&router, "viewer", PASSWORD, None)
        .await
        .expect("logged in");

    let (status, _, _) = exchange(&router, get("/api/billing/estimate", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = exchange(&router, get("/api/billing/lines.csv", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, _, body) = exchange(&router, get("/api/billing/estimate", Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let report: BillingReport = serde_json::from_str(&body).expect("the report reads back");
    assert!(report.estimate.total > MicroUsd::ZERO, "{body}");
    let duplicate = report
        .savings
        .savings
        .iter()
        .find(|s| s.trail_arn == DUPLICATE)
        .expect("the planted duplicate is a saving");
    assert!(matches!(
        duplicate.kind,
        SavingKind::DuplicateManagementCopies { .. }
    ));
    assert_eq!(
        duplicate.change,
        Change::TrailOff {
            trail_arn: DUPLICATE.to_owned()
        }
    );

    // The same change from the query string lowers the total by exactly the saving shown.
    let uri = format!("/api/billing/estimate?change=off@{DUPLICATE}");
    let (status, _, body) = exchange(&router, get(&uri, Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let changed: BillingReport = serde_json::from_str(&body).expect("reads back");
    assert_eq!(
        changed.estimate.total,
        report.estimate.total - duplicate.monthly
    );
    assert_eq!(changed.estimate.changes, vec![duplicate.change.clone()]);

    for (uri, field) in [
        (
            "/api/billing/estimate?change=off@arn:aws:cloudtrail:us-east-1:1:trail/none",
            "change",
        ),
        ("/api/billing/estimate?change=switch-everything", "change"),
        ("/api/billing/estimate?total=0", "total"),
    ] {
        let (status, _, body) = exchange(&router, get(uri, Some(&cookie))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert!(body.contains(field), "{uri}: {body}");
    }

    let (status, headers, csv) =
        exchange(&router, get("/api/billing/lines.csv", Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/csv")
    );
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .expect("header")
            .starts_with("trail,trail_arn,account,region,item")
    );
    let paid: Vec<&str> = lines
        .filter(|l| l.starts_with("security-team-copy,") && l.contains(",paid_copy,"))
        .collect();
    assert!(!paid.is_empty(), "{csv}");
    assert!(paid[0].contains("2nd copy"), "{}", paid[0]);
}

#[test]
fn trailscope_billing_prints_the_estimate_and_its_savings() {
    let data = tempfile::tempdir().expect("tmp");
    drop(demo_store(data.path()));
    let dir = data.path().to_str().expect("utf-8");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args(["--data-dir", dir, "billing"])
        .env("TRAILSCOPE_LOG", "warn")
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        stdout.starts_with("CloudTrail estimate per month: $"),
        "{stdout}"
    );
    assert!(
        stdout.contains("security-team-copy in us-west-2: "),
        "{stdout}"
    );
    assert!(stdout.contains("2nd copy → "), "{stdout}");
    assert!(stdout.contains(&format!("→ off@{DUPLICATE}")), "{stdout}");

    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args([
            "--data-dir",
            dir,
            "billing",
            "--change",
            "off@arn:aws:cloudtrail:x:1:trail/gone",
        ])
        .env("TRAILSCOPE_LOG", "warn")
        .output()
        .expect("runs");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no trail"));
}
