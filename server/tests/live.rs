//! Live mode: the Events filters asked of Event History through the real SDK against a local LookupEvents
//! server; one attribute sent, the other filters applied to the page, AWS's paging token passed through.
#[path = "common/fake_history.rs"]
mod fake_history;

use app::model::events::EventQuery;
use app::ssr::events::live::lookup;
use app::ssr::sync::call_limiter;
use fake_history::{ACCOUNT, History};
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
