//! The page of an address with no page (every section of the navigation is built now).
use leptos::prelude::*;
use leptos_meta::Title;

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
