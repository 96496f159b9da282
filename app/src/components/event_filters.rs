//! The Events filter bar: the time-range picker (`time_range`), the common filters in view and the rest under
//! "More filters", the read-only toggle and the active filters as removable chips. Plain links and GET forms,
//! so it works before the WASM loads; hydrated, a change navigates without a reload and back/forward work.
use crate::components::time_range::{Bounds, TimeRangePicker};
use crate::model::events::{EVENT_RANGES, EventCategory, EventQuery};
use crate::model::filter::ReadWrite;
use leptos::prelude::*;
use leptos_router::components::Form;

/// Text filters: (URL key, label, placeholder). The first five are always shown.
const TEXT_FILTERS: [(&str, &str, &str); 13] = [
    ("name", "Event name", "ConsoleLogin"),
    (
        "user",
        "Identity",
        "user, role/session, session name or ARN",
    ),
    ("source", "Event source", "iam.amazonaws.com"),
    ("ip", "Source IP", "203.0.113.10"),
    ("account", "Account", "123456789012"),
    ("region", "Region", "us-east-1"),
    (
        "role",
        "Role (all its sessions)",
        "role name or arn:aws:iam::…:role/NAME",
    ),
    ("key", "Access key", "AKIA… / ASIA…"),
    ("error", "Error code", "AccessDenied"),
    ("agent", "User agent contains", "aws-cli"),
    ("itype", "Identity type", "AssumedRole, Root, IAMUser…"),
    ("rtype", "Resource type", "AWS::S3::Bucket"),
    ("resource", "Resource", "ARN or name"),
];
const ALWAYS_SHOWN: usize = 6;

/// Keys the chips show (the range has its own control).
const CHIP_KEYS: [&str; 17] = [
    "account", "region", "name", "source", "user", "role", "key", "id", "rtype", "resource", "ip",
    "error", "errors", "agent", "itype", "category", "rw",
];

fn label_of(key: &str) -> &str {
    TEXT_FILTERS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map_or(key, |(_, label, _)| label)
}

/// The set keys of `query` but `shown` and the cursor, for a form to carry along.
fn kept_except(query: &EventQuery, shown: &[&str]) -> Vec<(&'static str, String)> {
    EventQuery::KEYS
        .iter()
        .filter(|k| !shown.contains(k) && **k != "after")
        .filter_map(|k| query.field(k).map(|v| (*k, v.to_owned())))
        .collect()
}

/// The Events page's filter bar: time range, filters (the rarer ones under "More filters"), the read-only
/// toggle and the active filters as removable chips; each change goes to the filtered URL.
#[component]
pub fn EventFilters(
    /// The page's query, from its URL.
    query: Memo<EventQuery>,
) -> impl IntoView {
    let href = |q: EventQuery| format!("/events{}", q.to_query_string());
    let value =
        move |key: &'static str| move || query.get().field(key).unwrap_or_default().to_owned();
    // The other keys ride along as hidden inputs, so a form changes only what it shows.
    let hidden_except = move |shown: &'static [&'static str]| {
        move || {
            kept_except(&query.get(), shown)
                .into_iter()
                .map(|(k, v)| view! { <input type="hidden" name=k value=v /> })
                .collect_view()
        }
    };
    const FILTER_FORM_KEYS: [&str; 16] = [
        "name", "user", "source", "ip", "account", "region", "role", "key", "error", "agent",
        "itype", "rtype", "resource", "id", "category", "errors",
    ];
    let text_input = move |(key, label, placeholder): (
        &'static str,
        &'static str,
        &'static str,
    )| {
        view! {
            <label>
                {label}
                <input type="text" name=key placeholder=placeholder value=value(key) data-testid=format!("filter-{key}") />
            </label>
        }
    };
    let chips = move || {
        let q = query.get();
        CHIP_KEYS
            .iter()
            .filter_map(|key| {
                let v = q.field(key)?.to_owned();
                let text = match *key {
                    "rw" => match ReadWrite::parse(Some(&v), ReadWrite::Write) {
                        Ok(ReadWrite::All) => "Read-only events shown".to_owned(),
                        Ok(ReadWrite::Read) => "Read-only events only".to_owned(),
                        _ => "Read-only events hidden".to_owned(),
                    },
                    "errors" => "Errors only".to_owned(),
                    "id" => format!("Event ID: {v}"),
                    "category" => format!("Category: {v}"),
                    other => format!("{}: {v}", label_of(other)),
                };
                let remove = href(q.with(key, None));
                Some(view! {
                    <li><span>{text}</span>" "<a href=remove aria-label=format!("Remove filter {key}")>"×"</a></li>
                })
            })
            .collect_view()
    };
    let read_only_toggle = move || {
        let q = query.get();
        if q.read_only_shown() {
            view! { <a href=href(q.with("rw", None)) data-testid="read-only-toggle">"Hide read-only events"</a> }
        } else {
            view! { <a href=href(q.with("rw", Some("all".to_owned()))) data-testid="read-only-toggle">"Show read-only events"</a> }
        }
    };

    view! {
        <div class="filters event-filters">
            <TimeRangePicker
                presets=EVENT_RANGES
                current=Signal::derive(move || query.get().range_or_default().to_owned())
                from=Signal::derive(value("from"))
                to=Signal::derive(value("to"))
                preset_href=move |preset: &str| href(query.get().with_range(preset))
                keep=move || kept_except(&query.get(), &["range", "from", "to"])
                bounds=Bounds::Instants
            />
            <Form method="GET" action="">
                {hidden_except(&FILTER_FORM_KEYS)}
                {TEXT_FILTERS[..ALWAYS_SHOWN].iter().copied().map(text_input).collect_view()}
                <details class="more-filters">
                    <summary>"More filters"</summary>
                    {TEXT_FILTERS[ALWAYS_SHOWN..].iter().copied().map(text_input).collect_view()}
                    <label>"Event ID " <input type="text" name="id" value=value("id") /></label>
                    <label>
                        "Category "
                        <select name="category">
                            <option value="">"Any"</option>
                            {EventCategory::ALL.map(|c| view! {
                                <option value=c.url_key() selected=move || query.get().field("category") == Some(c.url_key())>{c.label()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="check">
                        <input type="checkbox" name="errors" value="1" checked=move || query.get().field("errors").is_some_and(|e| e != "0") />
                        " Errors only"
                    </label>
                </details>
                <button type="submit" data-testid="apply-filters">"Search"</button>
            </Form>
            <div class="filter-state">
                {read_only_toggle}
                <ul class="chips" aria-label="Active filters">{chips}</ul>
            </div>
        </div>
    }
}
