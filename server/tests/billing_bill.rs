//! The Billing page sets CloudTrail's real bill beside the estimate: the demo store (ingested, its trails
//! snapshot saved), a configured account whose bill the real Cost Explorer client reads from a local server
//! speaking Cost Explorer's protocol, and the page as the server renders it for a signed-in viewer. What the
//! user reads: each month's figures per Region and usage class, and the differences explained in words.
mod common;
#[path = "common/cost_explorer_server.rs"]
mod cost_explorer_server;

use app::ssr::auth::Role;
use app::ssr::auth::users::add_user;
use app::ssr::state::AppState;
use app::ssr::store::Store;
use app::ssr::store::trail_snapshots::{SnapshotSource, save};
use axum::http::StatusCode;
use common::{END, PASSWORD, exchange, get, lenient_auth, log_in};
use cost_explorer_server::{CostExplorer, account, clients, group, month_after, period, serve};
use serde_json::{Value, json};
use std::sync::Arc;

/// The demo's production account (its trails' owner) and an account the store has no events of.
const PROD: &str = "123456789012";
const ELSEWHERE: &str = "999988887777";

/// Three full months and this month: the demo account's paid copies in us-west-2 (the planted duplicate
/// trail's Region), its free copies, data events, a Lake query, and another account's paid copies.
fn bill(request: &Value) -> Value {
    let start = request["TimePeriod"]["Start"].as_str().expect("Start");
    let end = request["TimePeriod"]["End"].as_str().expect("End");
    let m: Vec<String> = (0..4).map(|i| month_after(start, i)).collect();
    let full = |from: &str, to: &str| {
        period(
            from,
            to,
            false,
            vec![
                group(PROD, "USW2-PaidEventsRecorded", "8.2", "410000", "Events"),
                group(PROD, "USE1-FreeEventsRecorded", "0", "1250000", "Events"),
                group(PROD, "USE1-DataEventsRecorded", "2.5", "2500000", "Events"),
                group(PROD, "USE1-QueryScanned-Bytes", "0.025", "5", "GB"),
                group(
                    ELSEWHERE,
                    "USE1-PaidEventsRecorded",
                    "1.2",
                    "60000",
                    "Events",
                ),
            ],
        )
    };
    json!({
        "GroupDefinitions": [
            { "Type": "DIMENSION", "Key": "LINKED_ACCOUNT" },
            { "Type": "DIMENSION", "Key": "USAGE_TYPE" }
        ],
        "ResultsByTime": [
            full(&m[0], &m[1]),
            full(&m[1], &m[2]),
            full(&m[2], &m[3]),
            period(&m[3], end, true, vec![
                group(PROD, "USW2-PaidEventsRecorded", "1.1", "55000", "Events"),
            ]),
        ],
        "DimensionValueAttributes": []
    })
}

/// The demo store behind the real router, AWS pointed at `cost_explorer`, and a viewer's session.
async fn site(
    cost_explorer: Arc<CostExplorer>,
    accounts: Vec<app::ssr::aws::AwsAccount>,
) -> (axum::Router, String, tempfile::TempDir) {
    let endpoint = serve(cost_explorer).await;
    let data = tempfile::tempdir().expect("tmp");
    let archive = tempfile::tempdir().expect("tmp");
    common::small_demo(archive.path());
    let store = Store::open_in(data.path()).expect("store");
    common::ingest(&store, archive.path());
    save(
        &store,
        SnapshotSource::Demo,
        &app::ssr::demo::demo_trails(END),
    )
    .expect("snapshot");
    add_user(&store, "viewer", Role::Viewer, PASSWORD).expect("viewer");
    let state = AppState::with_auth(store, lenient_auth()).with_aws(clients(&endpoint, accounts));
    let router = common::router_of(state);
    let cookie = log_in(&router, "viewer", PASSWORD, None)
        .await
        .expect("logged in");
    (router, cookie, data)
}

/// The Billing page as the server renders it (the bill's section included once Cost Explorer answered).
async fn billing_page(router: &axum::Router, cookie: &str) -> String {
    let (status, _, page) = exchange(router, get("/billing", Some(cookie))).await;
    assert_eq!(status, StatusCode::OK);
    page
}

#[tokio::test]
async fn the_page_shows_the_bill_beside_the_estimate_with_the_differences_in_words() {
    let cost_explorer = Arc::new(CostExplorer::answering(bill));
    let (router, cookie, _data) = site(
        cost_explorer.clone(),
        vec![account("org", true), account("sandbox", false)],
    )
    .await;
    let page = billing_page(&router, &cookie).await;

    assert!(page.contains("Estimate against the bill"), "{page}");
    assert!(
        page.contains("data-testid=\"bill-table\""),
        "the bill is read"
    );
    let request = &cost_explorer.requests()[0].1;
    let first_month = &request["TimePeriod"]["Start"].as_str().expect("Start")[..7];
    assert!(page.contains(first_month), "the months are the columns");
    // The demo's duplicate trail pays in us-west-2; the bill's figure for that line is shown beside it.
    assert!(page.contains("us-west-2: paid management event copies"));
    assert!(page.contains("410k events · $8.20"), "{page}");
    assert!(page.contains("55k events · $1.10"), "this month to date");
    for fact in [
        "The estimate is a 30-day month of the volumes measured over",
        "is the current month: the bill covers only its first",
        "are billed by CloudWatch and S3, not on CloudTrail",
        "The bill has usage the model does not estimate: Lake query data scanned.",
        "The bill covers accounts the store has no events of: 999988887777.",
    ] {
        assert!(page.contains(fact), "the page says {fact:?}");
    }
    // The account not configured for Cost Explorer says what to set.
    assert!(page.contains("sandbox"));
    assert!(page.contains("set cost_explorer = true on this account"));
    assert_eq!(cost_explorer.requests().len(), 1, "one page of the bill");
}

#[tokio::test]
async fn cost_explorer_not_enabled_says_how_to_enable_it() {
    let cost_explorer = Arc::new(CostExplorer::denying(
        "User not enabled for cost explorer access",
    ));
    let (router, cookie, _data) = site(cost_explorer, vec![account("prod", true)]).await;
    let page = billing_page(&router, &cookie).await;
    assert!(page.contains("Estimate against the bill"));
    assert!(
        page.contains("No account"),
        "nothing to set the estimate beside"
    );
    assert!(
        page.contains("Cost Explorer is not enabled for this account. Enable it once by opening Cost Explorer in the AWS Billing and Cost Management console"),
        "{page}"
    );
    assert!(
        page.contains("Estimate per month"),
        "the estimate is still shown"
    );
}
