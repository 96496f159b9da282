//! The app's navigation bar.
use leptos::prelude::*;
use leptos_router::components::A;

const SECTIONS: [(&str, &str); 6] = [
    ("/", "Activity"),
    ("/events", "Events"),
    ("/trails", "Trails"),
    ("/billing", "Billing"),
    ("/integrity", "Integrity"),
    ("/findings", "Findings"),
];

#[component]
pub fn AppNav() -> impl IntoView {
    view! {
        <nav class="app-nav" aria-label="Main">
            <a class="brand" href="/">"Trailscope"</a>
            <ul>
                {SECTIONS
                    .into_iter()
                    .map(|(href, label)| view! { <li><A href=href exact=true>{label}</A></li> })
                    .collect_view()}
            </ul>
        </nav>
    }
}
