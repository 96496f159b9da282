//! The Activity filter bar: the time-range picker (`time_range`) and the account / Region / read-write /
//! errors filters. Plain links and GET forms, so it works before the WASM loads; once hydrated a change
//! navigates at once and the page updates without a reload.
use crate::components::time_range::{Bounds, TimeRangePicker};
use crate::error::AppError;
use crate::model::activity::FilterChoices;
use crate::model::filter::{ACTIVITY_RANGES, ActivityQuery};
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::{use_location, use_navigate};

/// The Activity page's filter bar: time range, account, Region, read/write and errors only; each change
/// navigates to the filtered URL.
#[component]
pub fn ActivityFilters(
    /// The page's query, from its URL.
    query: Memo<ActivityQuery>,
    /// The accounts and Regions the store holds events for.
    choices: Resource<Result<FilterChoices, AppError>>,
) -> impl IntoView {
    let location = use_location();
    let path = move || location.pathname.get();
    let navigate = use_navigate();
    let go = move |next: ActivityQuery| {
        navigate(
            &format!("{}{}", path(), next.to_query_string()),
            Default::default(),
        )
    };
    let (go_account, go_region, go_rw, go_errors) = (go.clone(), go.clone(), go.clone(), go);

    let preset_href = move |preset: &str| {
        format!(
            "{}{}",
            path(),
            query.get().with_range(preset).to_query_string()
        )
    };
    // The custom range keeps the other filters (each one, set or not).
    let keep = move || {
        let q = query.get();
        [
            ("account", &q.account),
            ("region", &q.region),
            ("rw", &q.rw),
            ("errors", &q.errors),
        ]
        .map(|(key, value)| (key, value.clone().unwrap_or_default()))
        .to_vec()
    };
    let value = move |f: fn(&ActivityQuery) -> &Option<String>| {
        move || f(&query.get()).clone().unwrap_or_default()
    };

    view! {
        <div class="filters">
            <TimeRangePicker
                presets=ACTIVITY_RANGES
                current=Signal::derive(move || query.get().range_or_default().to_owned())
                from=Signal::derive(value(|q| &q.from))
                to=Signal::derive(value(|q| &q.to))
                preset_href
                keep
                bounds=Bounds::Dates
            />
            <Form method="GET" action="">
                <input type="hidden" name="range" value=move || query.get().range.unwrap_or_default() />
                <input type="hidden" name="from" value=value(|q| &q.from) />
                <input type="hidden" name="to" value=value(|q| &q.to) />
                <ChoiceSelect label="Account " name="account" all_label="All accounts" values=|c| c.accounts query choices go=go_account />
                <ChoiceSelect label="Region " name="region" all_label="All Regions" values=|c| c.regions query choices go=go_region />
                <label>
                    "Read/write "
                    <select name="rw" on:change=move |ev| go_rw(query.get().with("rw", Some(event_target_value(&ev))))>
                        <option value="" selected=move || query.get().rw.is_none()>"Read and write"</option>
                        <option value="read" selected=move || query.get().rw.as_deref() == Some("read")>"Read only"</option>
                        <option value="write" selected=move || query.get().rw.as_deref() == Some("write")>"Write only"</option>
                    </select>
                </label>
                <label class="check">
                    <input
                        type="checkbox"
                        name="errors"
                        value="1"
                        checked=move || query.get().parse().is_ok_and(|f| f.errors_only)
                        on:change=move |ev| go_errors(query.get().with("errors", event_target_checked(&ev).then(|| "1".to_owned())))
                    />
                    " Errors only"
                </label>
                <button type="submit">"Apply filters"</button>
            </Form>
        </div>
    }
}

/// A select over values the store holds (accounts or Regions), "all" first; a change navigates at once.
#[component]
fn ChoiceSelect<F>(
    label: &'static str,
    /// The URL key this select sets.
    name: &'static str,
    all_label: &'static str,
    /// Which of the filter choices to offer.
    values: fn(FilterChoices) -> Vec<String>,
    query: Memo<ActivityQuery>,
    choices: Resource<Result<FilterChoices, AppError>>,
    go: F,
) -> impl IntoView
where
    F: Fn(ActivityQuery) + Clone + 'static,
{
    let current = move || query.get().field_mut(name).and_then(|v| v.clone());
    view! {
        <label>
            {label}
            <select name=name on:change=move |ev| go(query.get().with(name, Some(event_target_value(&ev))))>
                <option value="">{all_label}</option>
                <Transition>
                    {move || Suspend::new(async move {
                        let offered = choices.await.map(values).unwrap_or_default();
                        offered
                            .into_iter()
                            .map(|v| {
                                let selected = current().as_deref() == Some(v.as_str());
                                view! { <option value=v.clone() selected=selected>{v.clone()}</option> }
                            })
                            .collect_view()
                    })}
                </Transition>
            </select>
        </label>
    }
}
