//! One event in full (`/events/event?id=`): what happened, who acted through whom, the resources, one-click
//! pivots and the record as CloudTrail wrote it; and several side by side (`/events/compare?id=…&id=…`).
use crate::api::events::{compare_events, get_event};
use crate::components::error_list::error_list;
use crate::components::json_tree::JsonTree;
use crate::error::AppError;
use crate::model::event_detail::{CompareTable, EventDetail};
use crate::model::events::pivot::{Pivot, Window, event_pivots, pivot};
use crate::model::time::{format_minute, format_rfc3339};
use crate::pages::events::{event_href, events_href};
use crate::pages::query::use_query_map_once;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/events/event?id=…`: one stored event in full: summary, identity chain, resources and the record.
#[component]
pub fn EventDetailPage() -> impl IntoView {
    let query = use_query_map_once();
    let id = Memo::new(move |_| query.with(|q| q.get("id").unwrap_or_default()));
    let detail = Resource::new(move || id.get(), get_event);
    view! {
        // Until the event is known (or when it is not found), the page is still titled.
        <Title text="Event" />
        <Transition fallback=|| view! { <p class="loading">"Loading event…"</p> }>
            <ErrorBoundary fallback=error_list>
                {move || Suspend::new(async move {
                    let detail = detail.await?;
                    Ok::<_, AppError>(view! { <Detail detail /> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn Detail(detail: EventDetail) -> impl IntoView {
    let e = detail.summary;
    let title = format!("{} · {}", e.event_name, format_minute(e.time));
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_owned());
    let read_only = match e.read_only {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    };
    let origin = if e.from_event_history {
        "Event History (LookupEvents)"
    } else {
        "trail log file"
    };
    let facts = [
        ("Time (UTC)", format_rfc3339(e.time)),
        ("Event source", e.event_source.clone()),
        ("Account", e.account.clone()),
        ("Region", e.region.clone()),
        ("Identity", opt(&e.identity)),
        ("Identity type", opt(&e.identity_type)),
        ("Source IP", opt(&e.source_ip)),
        ("User agent", opt(&e.user_agent)),
        ("Error", opt(&e.error_code)),
        ("Read-only", read_only.to_owned()),
        ("Category", e.category.label().to_owned()),
        ("Event ID", e.event_id.clone()),
        ("Stored from", origin.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| view! { <div><dt>{k}</dt><dd>{v}</dd></div> })
    .collect_view();
    let chain = detail
        .chain
        .into_iter()
        .map(|link| {
            let value = match link.pivot {
                Some(pivot) => value_link(link.value, pivot),
                None => view! { <span>{link.value}</span> }.into_any(),
            };
            view! { <li><span class="chain-label">{link.label}</span>" "{value}</li> }
        })
        .collect_view();
    let no_resources = detail.resources.is_empty();
    let resources = detail
        .resources
        .iter()
        .map(|r| {
            let link = Pivot {
                label: Window::WEEK.label(),
                query: pivot(&[("resource", r.arn.as_str())], e.time, Window::WEEK),
            };
            view! {
                <tr>
                    <td>{r.kind.clone().unwrap_or_default()}</td>
                    <td>{value_link(r.arn.clone(), link)}</td>
                    <td>{r.account.clone().unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    let pivots = event_pivots(&e, &detail.resources)
        .into_iter()
        .map(|p| view! { <li><a href=events_href(&p.query)>{p.label}</a></li> })
        .collect_view();
    let raw = serde_json::to_string_pretty(&detail.record).unwrap_or_default();
    view! {
        <Title text=title.clone() />
        <h1 data-testid="event-title">{title}</h1>
        <dl class="facts">{facts}</dl>
        <div class="event-panels">
            <section class="panel" aria-label="Identity chain">
                <h2>"Who"</h2>
                <ol class="chain">{chain}</ol>
            </section>
            <section class="panel" aria-label="Pivots">
                <h2>"Pivot"</h2>
                <ul class="pivots">{pivots}</ul>
            </section>
        </div>
        <section class="panel" aria-label="Resources">
            <h2>"Resources"</h2>
            {if no_resources {
                view! { <p class="none">"The record names no resources."</p> }.into_any()
            } else {
                view! {
                    <table>
                        <thead><tr><th scope="col">"Type"</th><th scope="col">"ARN"</th><th scope="col">"Account"</th></tr></thead>
                        <tbody>{resources}</tbody>
                    </table>
                }
                .into_any()
            }}
        </section>
        <section class="panel" aria-label="Record">
            <h2>"Record"</h2>
            <JsonTree value=detail.record />
            <details class="raw-json">
                <summary>"Raw JSON"</summary>
                <pre data-testid="raw-json">{raw}</pre>
            </details>
        </section>
    }
}

/// `value` as a link to the events `pivot` finds, its window said after it (`… · ±7 days`).
fn value_link(value: String, pivot: Pivot) -> AnyView {
    view! {
        <a href=events_href(&pivot.query)>
            {value}<span class="pivot-window">{format!(" · {}", pivot.label)}</span>
        </a>
    }
    .into_any()
}

/// `/events/compare?id=…&id=…`: two to five events side by side.
#[component]
pub fn ComparePage() -> impl IntoView {
    let query = use_query_map_once();
    let ids = Memo::new(move |_| {
        query.with(|q| {
            let mut ids = q.get_all("id").unwrap_or_default();
            ids.extend(
                q.get("ids")
                    .into_iter()
                    .flat_map(|s| s.split(',').map(str::to_owned).collect::<Vec<_>>()),
            );
            ids.join(",")
        })
    });
    let table = Resource::new(move || ids.get(), compare_events);
    view! {
        <Title text="Compare events" />
        <h1>"Compare events"</h1>
        <Transition fallback=|| view! { <p class="loading">"Loading events…"</p> }>
            <ErrorBoundary fallback=error_list>
                {move || Suspend::new(async move {
                    let table = table.await?;
                    Ok::<_, AppError>(view! { <Comparison table /> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn Comparison(table: CompareTable) -> impl IntoView {
    let differing = table.rows.iter().filter(|r| r.differs).count();
    let headings = table
        .events
        .iter()
        .map(|e| {
            view! {
                <th scope="col">
                    <a href=event_href(&e.event_id)>{e.event_name.clone()}</a>
                    <span class="when">{format_minute(e.time)}</span>
                </th>
            }
        })
        .collect_view();
    let rows = table
        .rows
        .into_iter()
        .map(|row| {
            let cells = row
                .values
                .into_iter()
                .map(|v| match v {
                    Some(v) => view! { <td>{v}</td> }.into_any(),
                    None => view! { <td class="absent">"—"</td> }.into_any(),
                })
                .collect_view();
            let class = if row.differs { "differs" } else { "same" };
            view! { <tr class=class><th scope="row">{row.path}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <p class="hint" data-testid="differing-fields">
            {format!("{differing} fields differ (highlighted).")}
        </p>
        <table class="compare-table">
            <thead><tr><th scope="col">"Field"</th>{headings}</tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
