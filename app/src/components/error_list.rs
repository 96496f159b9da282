//! The fallback of an `ErrorBoundary`: the errors, said plainly.
use leptos::prelude::*;

/// The fallback of an `ErrorBoundary`: each error's text in an alert.
pub fn error_list(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <div class="error" role="alert">
            <ul>
                {move || errors.get().into_iter().map(|(_, e)| view! { <li>{e.to_string()}</li> }).collect_view()}
            </ul>
        </div>
    }
}
