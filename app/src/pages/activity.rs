//! Activity: totals, a timeline of events and top-10 tables for a time range and filters held in the URL.
use crate::api::activity::{get_activity_timeline, get_activity_top, get_filter_choices};
use crate::components::activity_filters::ActivityFilters;
use crate::components::error_list::error_list;
use crate::components::findings_line::FindingsLine;
use crate::components::integrity_line::IntegrityLine;
use crate::components::timeline_chart::{TimelineChart, TimelineTable};
use crate::components::top_table::TopTable;
use crate::error::AppError;
use crate::model::activity::{Timeline, TopLists};
use crate::model::filter::ActivityQuery;
use crate::model::format::{group_digits, percent};
use crate::model::time::{format_minute, format_span};
use crate::pages::query::use_query_once;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/` and `/activity`: the activity timeline and top lists of the filtered range.
#[component]
pub fn ActivityPage() -> impl IntoView {
    let params = use_query_once::<ActivityQuery>();
    let query = Memo::new(move |_| params.get().unwrap_or_default().without_blanks());
    let timeline = Resource::new(move || query.get(), get_activity_timeline);
    let top = Resource::new(move || query.get(), get_activity_top);
    let choices = Resource::new(|| (), |_| get_filter_choices());

    view! {
        <Title text="Activity" />
        <h1>"Activity"</h1>
        <IntegrityLine />
        <FindingsLine />
        <ActivityFilters query choices />
        <Transition fallback=|| view! { <p class="loading">"Loading activity…"</p> }>
            <ErrorBoundary fallback=error_list>
                {move || Suspend::new(async move {
                    let timeline = timeline.await?;
                    Ok::<_, AppError>(view! { <TimelineSection timeline /> })
                })}
            </ErrorBoundary>
            <ErrorBoundary fallback=error_list>
                {move || Suspend::new(async move {
                    let top = top.await?;
                    Ok::<_, AppError>(view! { <TopSection top /> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn TimelineSection(timeline: Timeline) -> impl IntoView {
    let t = timeline.totals.clone();
    let window = format!(
        "{} to {} · {} buckets",
        format_minute(timeline.start),
        format_minute(timeline.end),
        format_span(timeline.bucket_secs)
    );
    view! {
        <section class="totals" aria-label="Totals">
            <p class="window" data-testid="window">{window}</p>
            <dl>
                <div><dt>"Events"</dt><dd data-testid="total-events">{group_digits(t.events)}</dd></div>
                <div><dt>"Read"</dt><dd data-testid="total-read">{group_digits(t.read)}</dd></div>
                <div><dt>"Write"</dt><dd data-testid="total-write">{group_digits(t.write)}</dd></div>
                <div><dt>"Errors"</dt><dd data-testid="total-errors">{group_digits(t.errors)}</dd></div>
                <div><dt>"Error rate"</dt><dd data-testid="error-rate">{percent(t.errors, t.events)}</dd></div>
            </dl>
            <Show when=move || t.events == 0>
                <p class="empty">"No events match these filters in this range."</p>
            </Show>
        </section>
        <TimelineChart timeline=timeline.clone() />
        <TimelineTable timeline />
    }
}

#[component]
fn TopSection(top: TopLists) -> impl IntoView {
    let total = top.events;
    view! {
        <div class="tops">
            <TopTable title="Top event names" entries=top.event_names total />
            <TopTable title="Top event sources" entries=top.event_sources total />
            <TopTable title="Top identities" entries=top.identities total />
            <TopTable title="Top source IPs" entries=top.source_ips total />
            <TopTable title="Top error codes" entries=top.error_codes total />
            <TopTable title="Top user agents" entries=top.user_agents total />
        </div>
    }
}
