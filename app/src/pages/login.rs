//! The login page: a plain form posted to the login server function, so it works before the WASM loads.
use crate::api::auth::Login;
use crate::pages::query::use_query_map_once;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/login`: the login form; works before the WASM loads.
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    // The form carries only a target the login would follow; the server function checks it again.
    let query = use_query_map_once();
    let next = move || {
        query.with(|q| crate::model::redirect::after_login(q.get("next").as_deref()).to_owned())
    };
    let error = move || {
        login
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        <Title text="Log in" />
        <section class="login">
            <h1>"Log in to Trailscope"</h1>
            <ActionForm action=login>
                <input type="hidden" name="next" value=next />
                <label>"User name" <input type="text" name="username" autocomplete="username" required /></label>
                <label>"Password" <input type="password" name="password" autocomplete="current-password" required /></label>
                <Show when=move || error().is_some()>
                    <p class="error" role="alert">{error}</p>
                </Show>
                <button type="submit">"Log in"</button>
            </ActionForm>
        </section>
    }
}
