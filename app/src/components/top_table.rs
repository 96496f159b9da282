//! A top-N table: value, count and share of the filtered total.
use crate::model::activity::TopEntry;
use crate::model::format::{group_digits, percent};
use leptos::prelude::*;

/// One top list as a table: each value, its count and its share of `total`.
#[component]
pub fn TopTable(
    /// The table's caption, e.g. `Top event names`.
    title: &'static str,
    /// The values, most frequent first.
    entries: Vec<TopEntry>,
    /// Events in the range: the base of each share.
    total: u64,
) -> impl IntoView {
    let empty = entries.is_empty();
    let rows = entries
        .into_iter()
        .map(|e| {
            view! {
                <tr>
                    <td class="value">{e.value}</td>
                    <td class="num">{group_digits(e.count)}</td>
                    <td class="num share">{percent(e.count, total)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="top-table" aria-label=title>
            <table>
                <caption>{title}</caption>
                <thead>
                    <tr><th scope="col">"Value"</th><th scope="col">"Events"</th><th scope="col">"Share"</th></tr>
                </thead>
                <tbody>
                    {rows}
                    <Show when=move || empty>
                        <tr><td colspan="3" class="none">"None in this range"</td></tr>
                    </Show>
                </tbody>
            </table>
        </section>
    }
}
