//! Events: search every stored event with the filters in the URL, newest first, a page at a time (keyset
//! cursor), with the total for the filter, a column chooser, page sizes, selection for compare and exports.
use crate::api::events::{live_events, live_mode_available, search_events};
use crate::components::error_list::error_list;
use crate::components::event_filters::EventFilters;
use crate::error::AppError;
use crate::model::events::pivot::{Window, identity_pivot, pivot};
use crate::model::events::{EventField, EventPage, EventQuery, EventSummary, LivePage, PAGE_SIZES};
use crate::model::filter::encode_component;
use crate::model::format::group_digits;
use crate::model::time::format_minute;
use crate::pages::query::use_query_once;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// The page's answer: from the store, or live from Event History (`live=1`).
#[derive(Clone, Debug, Serialize, Deserialize)]
enum Answer {
    Stored(EventPage),
    Live(LivePage),
}

/// The URL of one event's page, `/events/event?id=EVENT_ID`.
pub fn event_href(event_id: &str) -> String {
    format!("/events/event?id={}", encode_component(event_id))
}

/// The URL of the Events page showing `query`.
pub fn events_href(query: &EventQuery) -> String {
    format!("/events{}", query.to_query_string())
}

/// `/events`: search stored events (or ask Event History live), one page at a time.
#[component]
pub fn EventsPage() -> impl IntoView {
    let params = use_query_once::<EventQuery>();
    let query = Memo::new(move |_| params.get().unwrap_or_default().without_blanks());
    let page = Resource::new(
        move || query.get(),
        |q| async move {
            if q.is_live() {
                live_events(q).await.map(Answer::Live)
            } else {
                search_events(q).await.map(Answer::Stored)
            }
        },
    );
    let live_offered = Resource::new(|| (), |_| live_mode_available());
    view! {
        <Title text="Events" />
        <h1>"Events"</h1>
        <EventFilters query />
        <Transition fallback=|| view! { <p class="loading">"Searching…"</p> }>
            <ErrorBoundary fallback=error_list>
                {move || Suspend::new(async move {
                    let query = query.get_untracked();
                    let answer = page.await?;
                    let live = live_offered.await.unwrap_or(false);
                    Ok::<_, AppError>(match answer {
                        Answer::Stored(page) => view! { <Results page query live /> }.into_any(),
                        Answer::Live(page) => view! { <LiveResults page query /> }.into_any(),
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

/// `live`: whether to offer asking Event History live (only where an account is configured).
#[component]
fn Results(page: EventPage, query: EventQuery, live: bool) -> impl IntoView {
    let columns = query.columns();
    let window = format!(
        "{} to {} UTC",
        format_minute(page.start),
        format_minute(page.end)
    );
    let total = page.total;
    let exports = query.filters_only().to_query_string();
    let page_size = query.parse().ok().map(|request| request.page.size);
    let sizes = PAGE_SIZES
        .iter()
        .map(|size| {
            let current = page_size == Some(*size);
            let href = events_href(
                &query
                    .with("size", Some(size.to_string()))
                    .with("after", None),
            );
            view! { <a href=href aria-current=current.then_some("true")>{size.to_string()}</a> }
        })
        .collect_view();
    let chooser = EventField::COLUMNS
        .into_iter()
        .map(|column| {
            let shown = columns.contains(&column);
            let href = events_href(&query.toggle_column(column));
            let mark = if shown { "☑ " } else { "☐ " };
            view! {
                <li><a href=href aria-pressed=shown.to_string() data-testid=format!("column-{}", column.key())>{mark}{column.heading()}</a></li>
            }
        })
        .collect_view();
    let headings = columns
        .iter()
        .map(|c| view! { <th scope="col">{c.heading()}</th> })
        .collect_view();
    let width = columns.len() + 1;
    let empty = page.events.is_empty();
    let rows = page
        .events
        .into_iter()
        .map(|event| view! { <EventRow event columns=columns.clone() /> })
        .collect_view();
    let first_page = query
        .after
        .is_some()
        .then(|| events_href(&query.with("after", None)));
    let next_page = page
        .next
        .map(|next| events_href(&query.with("after", Some(next))));
    // Erased into AnyView in two parts: one nested view type this deep overflows rustc's query depth.
    let bar = view! {
            <div class="results-bar">
                <p>
                    <strong data-testid="event-total">{group_digits(total)}</strong>
                    {if total == 1 { " event" } else { " events" }}
                    <span class="window">{" · "}{window}</span>
                </p>
                <nav class="page-sizes" aria-label="Page size">"Per page: "{sizes}</nav>
                <details class="column-chooser">
                    <summary>"Columns"</summary>
                    <ul>{chooser}</ul>
                </details>
                <span class="exports">
                    "Export: "
                    <a href=format!("/api/events/export.csv{exports}") rel="external" download data-testid="export-csv">"CSV"</a>
                    " · "
                    <a href=format!("/api/events/export.jsonl{exports}") rel="external" download>"JSON lines"</a>
                </span>
                {live.then(|| view! {
                    <a href=events_href(&query.with("live", Some("1".to_owned()))) title="Ask AWS directly, for what is not synced yet">
                        "Ask Event History live"
                    </a>
                })}
            </div>
    }
    .into_any();
    let table = view! {
            <form method="GET" action="/events/compare" class="compare-form">
                <table class="events-table">
                    <thead>
                        <tr><th scope="col"><span class="visually-hidden">"Select"</span></th>{headings}</tr>
                    </thead>
                    <tbody>
                        {rows}
                        <Show when=move || empty>
                            <tr><td colspan=width.to_string() class="none">"No events match these filters in this range."</td></tr>
                        </Show>
                    </tbody>
                </table>
                <div class="pager">
                    <button type="submit" data-testid="compare">"Compare selected (2–5)"</button>
                    {first_page.map(|href| view! { <a href=href>"First page"</a> })}
                    {next_page.map(|href| view! { <a href=href rel="next" data-testid="next-page">"Next page"</a> })}
                </div>
            </form>
    }
    .into_any();
    view! { <section class="results" aria-label="Results">{bar}{table}</section> }
}

#[component]
fn EventRow(event: EventSummary, columns: Vec<EventField>) -> impl IntoView {
    let class = if event.error_code.is_some() {
        "has-error"
    } else {
        ""
    };
    let cells = columns
        .into_iter()
        .map(|column| {
            let text = event.cell(column);
            let link = match column {
                EventField::EventName => Some(event_href(&event.event_id)),
                // The row's identity and IP, a week either side of the row (its window is in the title).
                EventField::Identity => identity_pivot(&event, Window::WEEK).map(|q| events_href(&q)),
                EventField::SourceIp => event
                    .source_ip
                    .as_ref()
                    .map(|ip| events_href(&pivot(&[("ip", ip.as_str())], event.time, Window::WEEK))),
                _ => None,
            };
            match link {
                Some(href) => view! {
                    <td><a href=href title=format!("Events {} around this one", Window::WEEK.label())>{text}</a></td>
                }
                .into_any(),
                None => view! { <td>{text}</td> }.into_any(),
            }
        })
        .collect_view();
    let label = format!(
        "Select {} at {}",
        event.event_name,
        format_minute(event.time)
    );
    view! {
        <tr class=class data-event-id=event.event_id.clone()>
            <td><input type="checkbox" name="id" value=event.event_id.clone() aria-label=label /></td>
            {cells}
        </tr>
    }
}

/// A page read live from Event History, labelled as such: nothing in it is stored yet, so rows do not open.
#[component]
fn LiveResults(page: LivePage, query: EventQuery) -> impl IntoView {
    let columns = query.columns();
    let headings = columns
        .iter()
        .map(|c| view! { <th scope="col">{c.heading()}</th> })
        .collect_view();
    let note = format!(
        "Live from Event History of account {} in {} · sent to AWS: {} · {} of the {} events AWS returned match \
         the other filters · one call per page, within AWS's 2 calls per second for this account and Region",
        page.account,
        page.region,
        page.sent,
        page.events.len(),
        page.returned
    );
    let rows = page
        .events
        .iter()
        .map(|event| {
            let cells = columns
                .iter()
                .map(|c| view! { <td>{event.cell(*c)}</td> })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    let next_page = page
        .next
        .map(|next| events_href(&query.with("after", Some(next))));
    view! {
        <section class="results live" aria-label="Live results">
            <p class="live-note" data-testid="live-note">{note}</p>
            <table class="events-table">
                <thead><tr>{headings}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <div class="pager">
                <a href=events_href(&query.with("live", None))>"Back to stored events"</a>
                {next_page.map(|href| view! { <a href=href rel="next">"Next page"</a> })}
            </div>
        </section>
    }
}
