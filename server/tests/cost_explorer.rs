//! CloudTrail's real bill through the real Cost Explorer client against a local server that speaks Cost
//! Explorer's wire protocol (awsJson1.1, `X-Amz-Target: AWSInsightsIndexService.GetCostAndUsage`) and answers
//! like AWS's documented `GetCostAndUsage` response (`ResultsByTime`, `Groups` with `Keys` and `Metrics`, a
//! `NextPageToken` on the first page), read over HTTP at `/api/billing/bill` as a signed-in viewer would.
mod common;
#[path = "common/cost_explorer_server.rs"]
mod cost_explorer_server;

use app::model::cost_explorer::{
    AccountBill, Bill, BillOutcome, CloudTrailBill, NoAccess, UsageClass,
};
use app::model::time::{DAY, civil_from_days};
use app::ssr::auth::Role;
use app::ssr::aws::clients::AwsClients;
use app::ssr::state::AppState;
use app::ssr::store::Store;
use axum::http::StatusCode;
use cost_explorer_server::{
    CostExplorer, TARGET, account, clients, group, month_after, period, serve,
};
use serde_json::{Value, json};
use std::sync::Arc;

/// The configured (management) account and a member of its organization.
const MANAGEMENT: &str = "111122223333";
const MEMBER: &str = "444455556666";

/// The answer to one request: the months asked (from its `TimePeriod`), split over two pages.
fn page(request: &Value) -> Value {
    let start = request["TimePeriod"]["Start"].as_str().expect("Start");
    let end = request["TimePeriod"]["End"].as_str().expect("End");
    let m: Vec<String> = (0..4).map(|i| month_after(start, i)).collect();
    let definitions = json!([
        { "Type": "DIMENSION", "Key": "LINKED_ACCOUNT" },
        { "Type": "DIMENSION", "Key": "USAGE_TYPE" }
    ]);
    if request.get("NextPageToken").is_none() {
        json!({
            "GroupDefinitions": definitions,
            "NextPageToken": "page-2-of-2",
            "ResultsByTime": [
                period(&m[0], &m[1], false, vec![
                    group(MANAGEMENT, "USE1-FreeEventsRecorded", "0", "1250000", "Events"),
                    group(MANAGEMENT, "USE1-PaidEventsRecorded", "8.2", "410000", "Events"),
                ]),
                period(&m[1], &m[2], false, vec![
                    group(MANAGEMENT, "EU-DataEventsRecorded", "2.5", "2500000", "Events"),
                ]),
                period(&m[2], &m[3], false, vec![
                    group(MEMBER, "USE1-PaidEventsRecorded", "0.00002", "1", "Events"),
                ]),
                period(&m[3], end, true, vec![
                    group(MANAGEMENT, "USE1-InsightsEvents", "1.75", "500000", "Events"),
                ]),
            ],
            "DimensionValueAttributes": []
        })
    } else {
        json!({
            "GroupDefinitions": definitions,
            "ResultsByTime": [
                period(&m[0], &m[1], false, vec![
                    group(MANAGEMENT, "APS2-NetworkEventsRecorded", "0.1", "100000", "Events"),
                    group(MANAGEMENT, "USE1-QueryScanned-Bytes", "0.025", "5.0000000001", "GB"),
                    group(MEMBER, "USE1-PaidEventsRecorded", "1.2E-5", "0.6", "Events"),
                ]),
                period(&m[3], end, true, vec![]),
            ],
            "DimensionValueAttributes": []
        })
    }
}

/// The real router over an empty store and `aws`, with a viewer's session cookie.
async fn site(aws: AwsClients) -> (axum::Router, String, tempfile::TempDir) {
    let data = tempfile::tempdir().expect("tmp");
    let store = Store::open_in(data.path()).expect("store");
    app::ssr::auth::users::add_user(&store, "viewer", Role::Viewer, common::PASSWORD)
        .expect("user");
    let router = common::router_of(AppState::new(store).with_aws(aws));
    let cookie = common::log_in(&router, "viewer", common::PASSWORD, None)
        .await
        .expect("logged in");
    (router, cookie, data)
}

/// GET `/api/billing/bill` with `cookie`: (status, body).
async fn get_bill(router: &axum::Router, cookie: Option<&str>) -> (StatusCode, String) {
    let (status, _, body) =
        common::exchange(router, common::get("/api/billing/bill", cookie)).await;
    (status, body)
}

fn read(bill: &CloudTrailBill, index: usize) -> &Bill {
    match &bill.accounts[index].outcome {
        BillOutcome::Read(bill) => bill,
        other => panic!("not read: {other:?}"),
    }
}

/// (class, Region, account, whole quantity, micro-dollars) of each line of a month.
fn lines(bill: &Bill, month: usize) -> Vec<(UsageClass, Option<String>, String, i64, i64)> {
    bill.months[month]
        .lines
        .iter()
        .map(|l| {
            (
                l.class.clone(),
                l.region.clone(),
                l.account_id.clone(),
                l.quantity(),
                l.cost_micro_usd,
            )
        })
        .collect()
}

#[tokio::test]
async fn the_bill_is_read_by_usage_type_over_two_pages_and_reused() {
    let cost_explorer = Arc::new(CostExplorer::answering(page));
    let endpoint = serve(cost_explorer.clone()).await;
    let aws = clients(
        &endpoint,
        vec![account("org", true), account("sandbox", false)],
    );
    let (router, cookie, _data) = site(aws).await;

    let (status, body) = get_bill(&router, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(
        cost_explorer.requests().is_empty(),
        "nothing asked without a session"
    );

    let (status, body) = get_bill(&router, Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let shown: CloudTrailBill = serde_json::from_str(&body).expect("a bill");

    // What was asked: two pages, each the CloudTrail service's monthly cost and usage by usage type.
    let requests = cost_explorer.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    let now = app::ssr::clock::now_secs();
    let (year, month, day) = civil_from_days(now.div_euclid(DAY));
    let index = year as u32 * 12 + month - 1 - 3;
    let start = format!("{:04}-{:02}-01", index / 12, index % 12 + 1);
    for (target, request) in &requests {
        assert_eq!(target, TARGET);
        assert_eq!(
            request["Filter"],
            json!({ "And": [
                { "Dimensions": { "Key": "SERVICE", "Values": ["AWS CloudTrail"] } },
                { "Dimensions": { "Key": "RECORD_TYPE", "Values": ["Usage"] } }
            ] }),
            "CloudTrail's usage only, without credits, refunds, discounts or tax"
        );
        assert_eq!(request["Granularity"], "MONTHLY");
        assert_eq!(
            request["Metrics"],
            json!(["UnblendedCost", "UsageQuantity"])
        );
        assert_eq!(
            request["GroupBy"],
            json!([
                { "Type": "DIMENSION", "Key": "LINKED_ACCOUNT" },
                { "Type": "DIMENSION", "Key": "USAGE_TYPE" }
            ])
        );
        assert_eq!(request["TimePeriod"]["Start"], start.as_str());
        assert_eq!(
            request["TimePeriod"]["End"],
            format!("{year:04}-{month:02}-{day:02}")
        );
    }
    assert_eq!(requests[0].1.get("NextPageToken"), None);
    assert_eq!(requests[1].1["NextPageToken"], "page-2-of-2");

    // What a user sees: four months, oldest first, the last one to date and estimated.
    assert_eq!(shown.accounts.len(), 2);
    assert_eq!(shown.accounts[0].account, "org");
    let bill = read(&shown, 0);
    assert!(!bill.truncated);
    let months: Vec<String> = bill.months.iter().map(|m| m.month.to_string()).collect();
    let expected: Vec<String> = (0..4)
        .map(|i| {
            let m = index + i;
            format!("{:04}-{:02}", m / 12, m % 12 + 1)
        })
        .collect();
    assert_eq!(months, expected);
    assert_eq!(
        bill.months
            .iter()
            .map(|m| (m.to_date, m.estimated))
            .collect::<Vec<_>>(),
        [(false, false), (false, false), (false, false), (true, true)]
    );
    let us_east_1 = || Some("us-east-1".to_owned());
    assert_eq!(
        lines(bill, 0),
        [
            (
                UsageClass::NetworkEvents,
                Some("ap-southeast-2".into()),
                MANAGEMENT.into(),
                100_000,
                100_000
            ),
            (
                UsageClass::FreeEvents,
                us_east_1(),
                MANAGEMENT.into(),
                1_250_000,
                0
            ),
            (
                UsageClass::PaidEvents,
                us_east_1(),
                MANAGEMENT.into(),
                410_000,
                8_200_000
            ),
            (
                UsageClass::LakeQueryScanned,
                us_east_1(),
                MANAGEMENT.into(),
                5,
                25_000
            ),
            (UsageClass::PaidEvents, us_east_1(), MEMBER.into(), 1, 12),
        ]
    );
    let lake = &bill.months[0].lines[3];
    assert_eq!(
        (lake.quantity_micros, lake.quantity_unit.as_str()),
        (5_000_000, "GB")
    );
    assert_eq!(bill.months[0].cost_micro_usd(), 8_325_012);
    assert_eq!(
        lines(bill, 1),
        [(
            UsageClass::DataEvents,
            Some("eu-west-1".into()),
            MANAGEMENT.into(),
            2_500_000,
            2_500_000
        )]
    );
    assert_eq!(
        lines(bill, 2),
        [(UsageClass::PaidEvents, us_east_1(), MEMBER.into(), 1, 20)]
    );
    assert_eq!(
        lines(bill, 3),
        [(
            UsageClass::InsightsEvents,
            us_east_1(),
            MANAGEMENT.into(),
            500_000,
            1_750_000
        )]
    );
    let paid = bill.months[0].by_region_and_class();
    assert_eq!(
        paid[&(us_east_1(), UsageClass::PaidEvents)].cost_micro_usd,
        8_200_012,
        "the member's paid copies add to the management account's in the same Region"
    );

    // The account without `cost_explorer` is never asked and says what to set.
    assert_eq!(
        shown.accounts[1],
        AccountBill {
            account: "sandbox".into(),
            outcome: BillOutcome::NoAccess(NoAccess::NotConfigured)
        }
    );

    // Another page load is answered from memory: Cost Explorer charges per request.
    let (status, again) = get_bill(&router, Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, body);
    assert_eq!(cost_explorer.requests().len(), 2, "no new request");
}

#[tokio::test]
async fn access_denied_is_shown_as_no_cost_explorer_access_not_an_error() {
    let cost_explorer = Arc::new(CostExplorer::denying(&format!(
        "User: arn:aws:iam::{MANAGEMENT}:user/reader is not authorized to perform: ce:GetCostAndUsage"
    )));
    let endpoint = serve(cost_explorer.clone()).await;
    let (router, cookie, _data) = site(clients(&endpoint, vec![account("prod", true)])).await;

    let (status, body) = get_bill(&router, Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let shown: CloudTrailBill = serde_json::from_str(&body).expect("a bill");
    let BillOutcome::NoAccess(no_access) = &shown.accounts[0].outcome else {
        panic!("{body}");
    };
    assert!(
        matches!(no_access, NoAccess::AccessDenied { message } if message.contains("not authorized")),
        "{no_access:?}"
    );
    let shown = no_access.to_string();
    assert!(shown.starts_with("no Cost Explorer access"), "{shown}");
    assert!(shown.contains("ce:GetCostAndUsage"), "{shown}");
    assert_eq!(
        cost_explorer.requests().len(),
        1,
        "a refusal is not retried"
    );
}
