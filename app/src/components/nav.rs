//! The app's navigation bar.
use crate::api::auth::{Logout, get_current_user};
use crate::model::auth::Role;
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

/// The main navigation: the sections, and who is logged in.
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
            <CurrentUserBox />
        </nav>
    }
}

/// Who is logged in, and the way out. Shows nothing on the login page (no session there).
#[component]
fn CurrentUserBox() -> impl IntoView {
    // Keyed on the path: the nav outlives page changes, and logging in is one of them.
    let location = leptos_router::hooks::use_location();
    let user = Resource::new(move || location.pathname.get(), |_| get_current_user());
    let logout = ServerAction::<Logout>::new();
    view! {
        <Transition>
            {move || Suspend::new(async move {
                user.await.ok().map(|u| view! {
                    <Show when={
                        let is_admin = u.role.allows(Role::Admin);
                        move || is_admin
                    }>
                        <ul class="admin-links"><li><A href="/settings">"Settings"</A></li></ul>
                    </Show>
                    <div class="current-user">
                        <span class="name">{u.name}</span>
                        " (" {u.role.as_str()} ")"
                        <ActionForm action=logout>
                            <button type="submit">"Log out"</button>
                        </ActionForm>
                    </div>
                })
            })}
        </Transition>
    }
}
