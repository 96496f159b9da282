//! Pages whose capability is not built yet: they say what they will show.
use leptos::prelude::*;
use leptos_meta::Title;

/// A section that is not built yet: its title and what it will show.
#[component]
pub fn Planned(
    /// The page title, e.g. `Billing`.
    title: &'static str,
    /// What the page will show, as a sentence.
    what: &'static str,
) -> impl IntoView {
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <section class="planned">
            <p><strong>"Not built yet."</strong> " This page will show: " {what}</p>
        </section>
    }
}

/// The page of any unknown path; answers 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found" />
        <h1>"Not found"</h1>
        <p>"There is no page at this address. " <a href="/">"Go to Activity"</a></p>
    }
}
