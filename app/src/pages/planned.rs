//! Pages whose capability is not built yet: they say what they will show.
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Planned(title: &'static str, what: &'static str) -> impl IntoView {
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <section class="planned">
            <p><strong>"Not built yet."</strong> " This page will show: " {what}</p>
        </section>
    }
}

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
