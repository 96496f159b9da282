//! Live mode: the Events filters asked of Event History through the real SDK against a local LookupEvents
//! server; one attribute sent, the other filters applied to the page, AWS's paging token passed through. Through
//! the real router: only configured Regions are asked, and live mode, the sync and trails refresh share the
//! account's clients (one `AssumeRole`, one `GetCallerIdentity`).
mod common;
#[path = "common/fake_history.rs"]
mod fake_history;

use app::model::events::EventQuery;
use app::ssr::auth::Role;
use app::ssr::aws::AwsAccount;
use app::ssr::aws::clients::AwsClients;
use app::ssr::aws::limiter::call_limiter;
use app::ssr::events::live::lookup;
use app::ssr::state::AppState;
use app::ssr::store::Store;
use axum::http::StatusCode;
use fake_history::{ACCOUNT, History, ROLE_KEY};
use std::sync::Arc;
use std::sync::atomic::Ordering;

fn query(pairs: &[(&str, &str)]) -> EventQuery {
    pairs.iter().fold(EventQuery::default(), |q, (k, v)| {
        q.with(k, Some((*v).to_owned()))
    })
}

#[tokio::test]
async fn live_pages_send_one_attribute_and_filter_the_rest() {
    let now = app::ssr::clock::now_secs();
    let history = Arc::new(History::default());
    history.add((0..120).map(|i| now - 60 - i * 30));
    let client = fake_history::client(&fake_history::serve(history.clone()).await);
    let limiter = call_limiter();
    let ask = |pairs: &[(&str, &str)]| {
        let q = query(pairs)
            .with("live", Some("1".into()))
            .with("region", Some("us-east-1".into()));
        let request = q.parse().expect("valid");
        (request.filter, request.page.live_token())
    };
    let sent = || history.last_attributes.lock().expect("attributes").clone();

    // The identity goes to AWS as its user name; the page comes back whole and paged by AWS's token.
    let (filter, _) = ask(&[("range", "24h"), ("rw", "all"), ("user", "alice")]);
    let page = lookup(&client, &limiter, ACCOUNT, "us-east-1", &filter, None)
        .await
        .expect("a page");
    assert_eq!(sent(), [("Username".to_owned(), "alice".to_owned())]);
    assert_eq!((page.events.len(), page.returned), (50, 50));
    assert_eq!(page.sent, "Username = alice");
    let token = page.next.clone().expect("more pages");
    let second = lookup(
        &client,
        &limiter,
        ACCOUNT,
        "us-east-1",
        &filter,
        Some(token),
    )
    .await
    .expect("page 2");
    assert_eq!(second.events.len(), 50);
    assert!(
        second.events[0].time < page.events[49].time,
        "older events next"
    );
    assert!(
        page.events
            .iter()
            .all(|e| e.identity.as_deref() == Some("alice") && e.from_event_history)
    );

    // Filters AWS cannot take are applied to the page: none of these events has an error.
    let (filter, _) = ask(&[
        ("range", "24h"),
        ("rw", "all"),
        ("user", "alice"),
        ("errors", "1"),
    ]);
    let page = lookup(&client, &limiter, ACCOUNT, "us-east-1", &filter, None)
        .await
        .expect("a page");
    assert_eq!((page.events.len(), page.returned), (0, 50));

    // Read-only events are hidden by default, so AWS is asked for ReadOnly=false (this history has none).
    let (filter, _) = ask(&[("range", "24h")]);
    let page = lookup(&client, &limiter, ACCOUNT, "us-east-1", &filter, None)
        .await
        .expect("a page");
    assert_eq!(sent(), [("ReadOnly".to_owned(), "false".to_owned())]);
    assert_eq!(page.returned, 0);

    // An event ID is the most selective attribute of all.
    let id = history.events.lock().expect("events")[7].1.clone();
    let (filter, _) = ask(&[("range", "24h"), ("name", "DescribeInstances"), ("id", &id)]);
    let page = lookup(&client, &limiter, ACCOUNT, "us-east-1", &filter, None)
        .await
        .expect("a page");
    assert_eq!(sent()[0].0, "EventId");
    assert_eq!(page.events.len(), 1);
    assert_eq!(page.events[0].event_id, id);

    assert_eq!(
        history.throttled.load(Ordering::Relaxed),
        0,
        "the limiter kept to 2 calls/s"
    );
}

#[tokio::test]
async fn a_refused_live_call_says_what_aws_answered() {
    let history = Arc::new(History {
        deny: true,
        ..History::default()
    });
    let client = fake_history::client(&fake_history::serve(history).await);
    let filter = query(&[("live", "1"), ("region", "us-east-1")])
        .parse()
        .expect("valid")
        .filter;
    let error = lookup(
        &client,
        &call_limiter(),
        ACCOUNT,
        "us-east-1",
        &filter,
        None,
    )
    .await
    .expect_err("denied");
    assert_eq!(error.status_code(), 503);
    assert!(
        error.to_string().contains("AccessDeniedException"),
        "{error}"
    );
}

/// A `CloudTrailEvent` that is not JSON costs only its own event: live mode shows the rest of the page, as
/// sync stores the rest (found while writing the `lookup_events` fuzz target: live mode spliced the strings into
/// one document, so one damaged string failed the whole page).
#[tokio::test]
async fn a_damaged_record_costs_only_its_own_event_in_live_mode() {
    let now = app::ssr::clock::now_secs();
    let history = Arc::new(History::default());
    history.add((0..3).map(|i| now - 60 - i * 30));
    let damaged = history.events.lock().expect("events")[1].1.clone();
    history
        .damaged
        .lock()
        .expect("damaged")
        .insert(damaged.clone());
    let client = fake_history::client(&fake_history::serve(history.clone()).await);
    let request = query(&[("range", "24h"), ("rw", "all"), ("live", "1")])
        .parse()
        .expect("valid");
    let page = lookup(
        &client,
        &call_limiter(),
        ACCOUNT,
        "us-east-1",
        &request.filter,
        None,
    )
    .await
    .expect("the page despite one damaged record");
    let shown: Vec<&str> = page.events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(!shown.contains(&damaged.as_str()));
}

/// The clients of one account, read through a role, in `regions`; every service of the SDK is pointed at
/// `endpoint` with fixed base credentials.
fn role_account(endpoint: &str, regions: &[&str]) -> AwsClients {
    let endpoint = endpoint.to_owned();
    AwsClients::with_loader(
        vec![AwsAccount {
            name: Some("audit".into()),
            role_arn: Some(format!("arn:aws:iam::{ACCOUNT}:role/Reader")),
            regions: regions.iter().map(|r| (*r).to_owned()).collect(),
            ..AwsAccount::default()
        }],
        Arc::new(move || {
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .endpoint_url(endpoint.clone())
                .credentials_provider(aws_sdk_cloudtrail::config::Credentials::new(
                    "testing", "testing", None, None, "tests",
                ))
        }),
    )
}

struct Site {
    router: axum::Router,
    cookie: String,
    state: AppState,
    _data: tempfile::TempDir,
}

/// The real router over an empty store and `aws`, with a viewer logged in.
async fn site(aws: AwsClients) -> Site {
    let data = tempfile::tempdir().expect("tmp");
    let store = Store::open_in(data.path()).expect("store");
    app::ssr::auth::users::add_user(&store, "viewer", Role::Viewer, common::PASSWORD)
        .expect("user");
    let state = AppState::new(store).with_aws(aws);
    let router = common::router_of(state.clone());
    let cookie = common::log_in(&router, "viewer", common::PASSWORD, None)
        .await
        .expect("logged in");
    Site {
        router,
        cookie,
        state,
        _data: data,
    }
}

/// A live page of the last day in `region`, as the Events page asks it: (status, JSON body).
async fn live_page(site: &Site, region: &str) -> (StatusCode, serde_json::Value) {
    let uri = format!("/api/events/live?live=1&region={region}&range=24h&rw=all");
    let (status, _, body) =
        common::exchange(&site.router, common::get(&uri, Some(&site.cookie))).await;
    let json = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{uri}: {e}: {body}"));
    (status, json)
}

#[tokio::test]
async fn live_mode_asks_only_the_configured_regions() {
    let now = app::ssr::clock::now_secs();
    let history = Arc::new(History::default());
    history.add((0..10).map(|i| now - 60 - i * 30));
    let site = site(role_account(
        &fake_history::serve(history.clone()).await,
        &["us-east-1"],
    ))
    .await;

    for region in ["eu-west-3", "ap-south-1"] {
        let (status, error) = live_page(&site, region).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
        assert_eq!(error["Invalid"]["field"], "region", "{error}");
        let reason = error["Invalid"]["reason"].as_str().unwrap_or_default();
        assert!(
            reason.contains(region) && reason.contains("audit"),
            "{reason}"
        );
    }
    assert_eq!(
        history.served.load(Ordering::Relaxed),
        0,
        "nothing was asked of Event History for a Region that is not configured"
    );

    let (status, page) = live_page(&site, "us-east-1").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["events"].as_array().map(Vec::len), Some(10));
    assert_eq!(history.served.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn sync_trails_refresh_and_live_mode_share_the_accounts_credentials_and_id() {
    let now = app::ssr::clock::now_secs();
    let history = Arc::new(History::default());
    history.add((0..10).map(|i| now - 60 - i * 30));
    let site = site(role_account(
        &fake_history::serve(history.clone()).await,
        &["us-east-1", "eu-west-1"],
    ))
    .await;

    let outcomes = app::ssr::sync::sync_now(&site.state)
        .await
        .expect("sync runs")
        .expect("no other sync");
    assert_eq!(outcomes.len(), 2);
    assert!(outcomes.iter().all(|o| o.result.is_ok()), "{outcomes:?}");
    // This server answers only LookupEvents, so each Region's DescribeTrails is refused, after the account's
    // credentials signed it.
    let snapshot = app::ssr::trails::refresh(&site.state)
        .await
        .expect("refreshed");
    assert_eq!(snapshot.regions.len(), 2);
    assert!(snapshot.regions.iter().all(|r| r.account == ACCOUNT));
    for _ in 0..3 {
        let (status, page) = live_page(&site, "us-east-1").await;
        assert_eq!(status, StatusCode::OK, "{page}");
    }

    assert_eq!(history.assume_role_calls.load(Ordering::Relaxed), 1);
    assert_eq!(history.caller_identity_calls.load(Ordering::Relaxed), 1);
    assert_eq!(
        history
            .signed_by
            .lock()
            .expect("signers")
            .iter()
            .collect::<Vec<_>>(),
        [ROLE_KEY],
        "every LookupEvents call was signed with the role's credentials"
    );
}
