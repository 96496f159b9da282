//! The URL query parsers: a query string as each reader of the Events and Activity filters gets it, then
//! validated into the typed filters the store runs (`EventQuery::parse`, `ActivityQuery::parse`):
//! - `/api/events/search?…` and `/api/activity/*?…`: the server functions' own decoding (server_fn's `GetUrl`,
//!   from the request as axum hands it over);
//! - `/events?…` and `/?…` (Activity) as the pages read them (`pages::query::query_params`, on the server and
//!   in the browser alike);
//! - `/api/events/export.*?…`: axum's `Query` extractor.
//!
//! Input: the query string (after `?`). Besides "no panic, no hang, no unbounded memory": the links the pages
//! draw from a query (`to_query_string`) mean the same search when read back, through every reader.
#![no_main]

use app::api::activity::GetActivityTimeline;
use app::api::events::SearchEvents;
use app::error::AppError;
use app::model::events::EventQuery;
use app::model::filter::ActivityQuery;
use app::pages::query::query_params;
use axum::body::Body;
use axum::extract::Query;
use axum::http::{Request, Uri};
use leptos::server_fn::codec::{FromReq, GetUrl};
use leptos_router::params::Params;
use libfuzzer_sys::fuzz_target;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// Decoding a query never waits: the future is ready on its first poll.
fn ready<T>(future: impl Future<Output = T>) -> T {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("decoding a query string waited"),
    }
}

fn request(path: &str, query: &str) -> Option<Request<Body>> {
    let uri: Uri = format!("{path}?{query}").parse().ok()?;
    Request::builder().uri(uri).body(Body::empty()).ok()
}

/// The Events filters as `/api/events/search` reads them.
fn search_api(query: &str) -> Option<EventQuery> {
    let request = request("/api/events/search", query)?;
    ready(<SearchEvents as FromReq<GetUrl, Request<Body>, AppError>>::from_req(request))
        .ok()
        .map(|args| args.query)
}

/// The Activity filters as `/api/activity/timeline` reads them.
fn activity_api(query: &str) -> Option<ActivityQuery> {
    let request = request("/api/activity/timeline", query)?;
    ready(<GetActivityTimeline as FromReq<
        GetUrl,
        Request<Body>,
        AppError,
    >>::from_req(request))
    .ok()
    .map(|args| args.query)
}

/// The query a page reads.
fn page_params<P: Params>(query: &str) -> Option<P> {
    P::from_map(&query_params(query)).ok()
}

/// The Events filters as the CSV / JSON-lines exports read them.
fn export_api(query: &str) -> Option<EventQuery> {
    let uri: Uri = format!("/api/events/export.csv?{query}").parse().ok()?;
    Query::<EventQuery>::try_from_uri(&uri).ok().map(|q| q.0)
}

/// `query` parses, and its link reads back as the same search through `read`.
fn events_round_trip(query: EventQuery, read: impl Fn(&str) -> Option<EventQuery>) {
    let query = query.without_blanks();
    let parsed = query.parse();
    let link = query.to_query_string();
    let Some(again) = read(link.trim_start_matches('?')) else {
        panic!("the link {link:?} drawn from {query:?} cannot be read back");
    };
    assert_eq!(
        again.without_blanks().parse(),
        parsed,
        "the link {link:?} means another search than {query:?}"
    );
}

fn activity_round_trip(query: ActivityQuery, read: impl Fn(&str) -> Option<ActivityQuery>) {
    let query = query.without_blanks();
    let parsed = query.parse();
    let link = query.to_query_string();
    let Some(again) = read(link.trim_start_matches('?')) else {
        panic!("the link {link:?} drawn from {query:?} cannot be read back");
    };
    assert_eq!(
        again.without_blanks().parse(),
        parsed,
        "the link {link:?} means another filter than {query:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(q) = search_api(query) {
        events_round_trip(q, search_api);
    }
    if let Some(q) = page_params::<EventQuery>(query) {
        events_round_trip(q, page_params);
    }
    if let Some(q) = export_api(query) {
        events_round_trip(q, export_api);
    }
    if let Some(q) = activity_api(query) {
        activity_round_trip(q, activity_api);
    }
    if let Some(q) = page_params::<ActivityQuery>(query) {
        activity_round_trip(q, page_params);
    }
});
