//! The time-range picker of every page with a range (Activity, Events): the presets as links and a custom range
//! as a GET form that carries the page's other filters. Works before the WASM loads.
use crate::model::filter::{CUSTOM_RANGE, RangePresets};
use leptos::prelude::*;
use leptos_router::components::Form;

/// How a custom range's bounds are typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bounds {
    /// Whole UTC days, the end day included (`<input type="date">`).
    Dates,
    /// `YYYY-MM-DD` or an RFC 3339 instant (pivots search to the second).
    Instants,
}

impl Bounds {
    /// (input type, "from" label, "to" label, "from" placeholder, "to" placeholder).
    fn inputs(
        self,
    ) -> (
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
    ) {
        match self {
            Bounds::Dates => ("date", "From (UTC) ", "To (UTC, inclusive) ", None, None),
            Bounds::Instants => (
                "text",
                "From (UTC) ",
                "To (UTC) ",
                Some("YYYY-MM-DD or …T12:00:00Z"),
                Some("YYYY-MM-DD or …T13:00:00Z"),
            ),
        }
    }
}

/// The presets of `presets` (the current one marked) and a custom range.
#[component]
pub fn TimeRangePicker<H, K>(
    /// The page's presets and its default one.
    presets: RangePresets,
    /// The URL's `range` value in effect (the default when unset).
    current: Signal<String>,
    /// The URL's `from` and `to` values.
    from: Signal<String>,
    /// The URL's `to` value.
    to: Signal<String>,
    /// The link of a preset, keeping the page's other filters.
    preset_href: H,
    /// The page's other keys and values, sent along with a custom range.
    keep: K,
    /// How the custom range's bounds are typed.
    bounds: Bounds,
) -> impl IntoView
where
    H: Fn(&str) -> String + Send + Sync + 'static,
    K: Fn() -> Vec<(&'static str, String)> + Send + Sync + 'static,
{
    let links = move || {
        let current = current.get();
        presets
            .presets
            .iter()
            .map(|(value, label, _)| {
                let aria_current = (current == *value).then_some("true");
                view! { <a href=preset_href(value) aria-current=aria_current>{*label}</a> }
            })
            .collect_view()
    };
    let is_custom = move || current.get() == CUSTOM_RANGE;
    let hidden = move || {
        keep()
            .into_iter()
            .map(|(name, value)| view! { <input type="hidden" name=name value=value /> })
            .collect_view()
    };
    let (kind, from_label, to_label, from_hint, to_hint) = bounds.inputs();
    view! {
        <nav class="range-presets" aria-label="Time range">
            {links}
            <details class="custom-range" open=is_custom>
                <summary aria-current=move || is_custom().then_some("true")>"Custom"</summary>
                <Form method="GET" action="">
                    <input type="hidden" name="range" value=CUSTOM_RANGE />
                    {hidden}
                    <label>{from_label}<input type=kind name="from" required placeholder=from_hint value=from /></label>
                    <label>{to_label}<input type=kind name="to" required placeholder=to_hint value=to /></label>
                    <button type="submit">"Apply range"</button>
                </Form>
            </details>
        </nav>
    }
}
